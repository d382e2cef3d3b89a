import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import * as msgpackParser from 'socket.io-msgpack-parser';
import type { ScanRequest } from '../../../server/protocol/picking.ts';
import { PickingClient, type AskAgainPolicy, type PickerSocket } from './picking-socket.ts';

/**
 * A real Socket.IO server on loopback whose picking handlers answer from a script: each request of an event takes the
 * next answer for that event (the last one repeats), and every payload it received is recorded in order.
 */
async function scriptedServer(script: Record<string, unknown[]>): Promise<{ url: string; received: { event: string; payload: unknown }[]; close(): Promise<void> }> {
  const http: HttpServer = createServer();
  const server = new Server(http, { parser: msgpackParser, transports: ['websocket'] });
  const received: { event: string; payload: unknown }[] = [];
  server.on('connection', (socket) => {
    for (const [event, answers] of Object.entries(script)) {
      let n = 0;
      socket.on(event, (payload: unknown, ack: (answer: unknown) => void) => {
        received.push({ event, payload });
        ack(answers[Math.min(n++, answers.length - 1)]);
      });
    }
  });
  http.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => void server.close(() => resolve(undefined))) };
}

const moving = { ok: false, error: { code: 'SITE_MOVING', message: 'site demo has no owner right now' } };
const unavailable = { ok: false, error: { code: 'UNAVAILABLE', message: 'the picking gateway is shutting down' } };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connectedClient(url: string, policy: AskAgainPolicy): Promise<PickingClient> {
  const socket: PickerSocket = io(url, { parser: msgpackParser, transports: ['websocket'], forceNew: true });
  cleanups.push(() => void socket.close());
  await new Promise((resolve) => socket.once('connect', () => resolve(undefined)));
  return new PickingClient(socket, 2_000, policy);
}

describe('picking client', () => {
  it('asks again while the site is moving between servers (SITE_MOVING, UNAVAILABLE): a reconnecting handheld signs on and gets its pick', async () => {
    const server = await scriptedServer({
      'picker:signOn': [moving, unavailable, moving, { ok: true, seq: 7, resumed: true }],
      'picker:next': [moving, { ok: true, seq: 7, next: { siteId: 'demo', operativeId: 'P1', seq: 7, pick: null, tasks: [], remaining: 0 } }],
    });
    cleanups.push(() => server.close());
    const client = await connectedClient(server.url, { firstDelayMs: 5, maxDelayMs: 20, giveUpAfterMs: 5_000 });
    expect(await client.signOn({ siteId: 'demo', operativeId: 'P1', deviceId: 'D1' })).toEqual({ ok: true, seq: 7, resumed: true });
    expect(await client.next({ siteId: 'demo', operativeId: 'P1' })).toMatchObject({ ok: true, seq: 7 });
    expect(server.received.map((r) => r.event)).toEqual(['picker:signOn', 'picker:signOn', 'picker:signOn', 'picker:signOn', 'picker:next', 'picker:next']);
  });

  it('gives up after its budget with the last refusal, and leaves a scan refused SITE_MOVING to the queue (sent once, same answer back)', async () => {
    const server = await scriptedServer({ 'picker:signOn': [moving], 'picker:scan': [moving] });
    cleanups.push(() => server.close());
    const client = await connectedClient(server.url, { firstDelayMs: 5, maxDelayMs: 10, giveUpAfterMs: 60 });
    expect(await client.signOn({ siteId: 'demo', operativeId: 'P1', deviceId: 'D1' })).toEqual(moving);
    expect(server.received.length).toBeGreaterThan(1);

    const scan: ScanRequest = { siteId: 'demo', operativeId: 'P1', deviceId: 'D1', scanId: 'S1', taskId: 'T1', kind: 'confirm', scannedLocation: 'L1', scannedItem: 'BC', qty: 1 };
    const before = server.received.length;
    expect(await client.scanSender.send(scan)).toEqual({ kind: 'answered', result: moving });
    expect(server.received.slice(before)).toEqual([{ event: 'picker:scan', payload: scan }]);
  });
});
