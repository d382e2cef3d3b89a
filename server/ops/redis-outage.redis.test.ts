/**
 * Redis hung (SIGSTOP), flushed and stopped under the process (issue 10, degraded modes): rate limits keep answering
 * (in memory) and the floor's sockets keep getting their messages; both go back to Redis when it returns. A private
 * redis-server on its own port is used, never the shared one.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../auth/rate-limit.ts';
import { createSocketServer, type SocketServer } from '../realtime/socket-server.ts';
import { PrivateRedis } from './faults/private-redis.ts';
import { waitFor } from './faults/wait.ts';

const bucket = [{ key: 'key:k1', limit: { ratePerSec: 1000, burst: 1000 } }];

describe('Redis down or hung', () => {
  let redis: PrivateRedis;
  let limiter: RedisRateLimiter;
  let sockets: SocketServer;
  let client: Socket;
  const received: number[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    limiter = new RedisRateLimiter({ url: redis.url, log: () => undefined, prefix: 'h9test' });
    expect(await limiter.ready()).toBe(true);
    const http = createServer();
    sockets = await createSocketServer(http, { redisUrl: redis.url, log: () => undefined });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { parser: msgpackParser, transports: ['websocket'] });
    client.on('h9' as never, ((n: number) => void received.push(n)) as never);
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });
  afterAll(async () => {
    client?.close();
    redis?.resume();
    await limiter?.close();
    await sockets?.close();
    await redis?.stop();
  });

  const emit = (n: number): void => {
    (sockets.io as unknown as { emit(event: string, value: number): void }).emit('h9', n);
  };

  it('keeps limiting and broadcasting while Redis is hung, flushed or stopped, and uses Redis again after', async () => {
    expect(sockets.adapter).toBe('redis');
    expect((await limiter.take(bucket)).allowed).toBe(true);
    expect(limiter.lastBackend).toBe('redis');
    emit(1);
    await waitFor(() => received.includes(1), 5000, 'message 1');

    redis.hang();
    // A hung Redis keeps the socket open and never answers: the take must not wait for it.
    const takes = await Promise.all(Array.from({ length: 5 }, () => limiter.take(bucket)));
    expect(takes.every((t) => t.allowed)).toBe(true);
    expect(limiter.lastBackend).toBe('memory');
    emit(2);
    await waitFor(() => received.includes(2), 5000, 'message 2 while Redis is hung');

    redis.resume();
    await redis.flush();
    emit(3);
    await waitFor(() => received.includes(3), 5000, 'message 3 after a flush');

    await redis.stop();
    expect((await limiter.take(bucket)).allowed).toBe(true);
    emit(4);
    await waitFor(() => received.includes(4), 5000, 'message 4 while Redis is stopped');

    await redis.restart();
    await waitFor(async () => (await limiter.take(bucket)).allowed && limiter.lastBackend === 'redis', 15_000, 'rate limiter back on Redis');
    emit(5);
    await waitFor(() => received.includes(5), 5000, 'message 5 after Redis returned');
    expect(received).toEqual([1, 2, 3, 4, 5]);
  });
});
