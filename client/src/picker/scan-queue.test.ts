import { describe, expect, it } from 'vitest';
import type { NextPickView, ScanRequest, ScanResult } from '../../../server/protocol/picking.ts';
import { ScanQueue, type QueueStorage, type ScanSender, type ScanSettled, type SendOutcome } from './scan-queue.ts';

/** A Map-backed stand-in for localStorage that survives "reloads" (new queues on the same storage). */
function memoryStorage(): QueueStorage & { value: string | null } {
  const storage = {
    value: null as string | null,
    read: () => storage.value,
    write: (value: string | null) => {
      storage.value = value;
    },
  };
  return storage;
}

const NEXT: NextPickView = { siteId: 's', operativeId: 'op', seq: 1, pick: null, tasks: [], remaining: 0 };
const okResult = (seq: number): ScanResult => ({ ok: true, seq, duplicate: false, next: NEXT });

function scan(n: number): ScanRequest {
  return {
    siteId: 's',
    operativeId: 'op',
    deviceId: 'dev',
    scanId: `scan-${n}`,
    taskId: `task-${n}`,
    kind: 'confirm',
    scannedLocation: `L${n}`,
    scannedItem: 'BC',
    qty: 1,
  };
}

/**
 * A scripted server: each send takes the next answer from `answers` (an outcome, or a function of the scan), and every
 * scan it was sent is recorded in order. An exhausted script means "offline".
 */
function scriptedSender(answers: (SendOutcome | ((s: ScanRequest) => SendOutcome))[] = []): ScanSender & { sent: string[]; answers: typeof answers } {
  const sender = {
    sent: [] as string[],
    answers,
    send(s: ScanRequest): Promise<SendOutcome> {
      sender.sent.push(s.scanId);
      const answer = sender.answers.shift();
      if (answer === undefined) return Promise.resolve({ kind: 'failed', reason: 'offline' });
      return Promise.resolve(typeof answer === 'function' ? answer(s) : answer);
    },
  };
  return sender;
}

const answered = (result: ScanResult): SendOutcome => ({ kind: 'answered', result });
const refused = (code: string): SendOutcome => answered({ ok: false, error: { code, message: code } });
const timedOut: SendOutcome = { kind: 'failed', reason: 'ack timeout' };

function settledLog(queue: ScanQueue): ScanSettled[] {
  const log: ScanSettled[] = [];
  queue.onSettled((s) => log.push(s));
  return log;
}

describe('scan queue', () => {
  it('sends in order and drops each scan only when it is acked', async () => {
    const storage = memoryStorage();
    const sender = scriptedSender([answered(okResult(1)), answered(okResult(2)), answered(okResult(3))]);
    const queue = new ScanQueue(storage, sender);
    const log = settledLog(queue);
    for (const n of [1, 2, 3]) queue.enqueue(scan(n));
    expect(queue.pending.map((s) => s.scanId)).toEqual(['scan-1', 'scan-2', 'scan-3']);
    expect(await queue.flush()).toBe('drained');
    expect(sender.sent).toEqual(['scan-1', 'scan-2', 'scan-3']);
    expect(log.map((s) => [s.kind, s.scan.scanId])).toEqual([
      ['confirmed', 'scan-1'],
      ['confirmed', 'scan-2'],
      ['confirmed', 'scan-3'],
    ]);
    expect(queue.pending).toEqual([]);
    expect(storage.value).toBeNull();
  });

  it('keeps the scan at the head on a transport timeout, and stops there so nothing overtakes it', async () => {
    const sender = scriptedSender([answered(okResult(1)), timedOut]);
    const queue = new ScanQueue(memoryStorage(), sender);
    const log = settledLog(queue);
    for (const n of [1, 2, 3]) queue.enqueue(scan(n));
    expect(await queue.flush()).toBe('blocked');
    expect(sender.sent).toEqual(['scan-1', 'scan-2']);
    expect(queue.pending.map((s) => s.scanId)).toEqual(['scan-2', 'scan-3']);
    expect(log).toHaveLength(1);
  });

  it('keeps the queue in storage while offline and resends it in order after a reconnect (and a reload)', async () => {
    const storage = memoryStorage();
    const offline = scriptedSender();
    const before = new ScanQueue(storage, offline);
    before.enqueue(scan(1));
    before.enqueue(scan(2));
    expect(await before.flush()).toBe('blocked');
    expect(offline.sent).toEqual(['scan-1']);

    // The page is reloaded while still offline: the queue comes back from storage.
    const online = scriptedSender([answered(okResult(1)), answered(okResult(2))]);
    const after = new ScanQueue(storage, online);
    expect(after.pending.map((s) => s.scanId)).toEqual(['scan-1', 'scan-2']);
    after.enqueue(scan(3));
    online.answers.push(answered(okResult(3)));
    expect(await after.flush()).toBe('drained');
    expect(online.sent).toEqual(['scan-1', 'scan-2', 'scan-3']);
    expect(storage.value).toBeNull();
  });

  it('surfaces a domain error to the picker and drops that scan; the rest carry on', async () => {
    const sender = scriptedSender([refused('WRONG_ITEM_SCANNED'), answered(okResult(2))]);
    const queue = new ScanQueue(memoryStorage(), sender);
    const log = settledLog(queue);
    queue.enqueue(scan(1));
    queue.enqueue(scan(2));
    expect(await queue.flush()).toBe('drained');
    expect(log[0]).toMatchObject({ kind: 'rejected', scan: { scanId: 'scan-1' }, error: { code: 'WRONG_ITEM_SCANNED' } });
    expect(log[1]).toMatchObject({ kind: 'confirmed', scan: { scanId: 'scan-2' } });
    expect(queue.pending).toEqual([]);
  });

  it('treats UNAVAILABLE and INTERNAL as transient: the scan stays and is resent with the same scan id', async () => {
    const sender = scriptedSender([refused('UNAVAILABLE'), refused('INTERNAL'), answered(okResult(1))]);
    const queue = new ScanQueue(memoryStorage(), sender);
    queue.enqueue(scan(1));
    expect(await queue.flush()).toBe('blocked');
    expect(await queue.flush()).toBe('blocked');
    expect(queue.pending).toHaveLength(1);
    expect(await queue.flush()).toBe('drained');
    expect(sender.sent).toEqual(['scan-1', 'scan-1', 'scan-1']);
  });

  it('treats SITE_MOVING (the site is changing servers) as transient: kept, resent with the same scan id, never shown as an error', async () => {
    const sender = scriptedSender([refused('SITE_MOVING'), refused('UNAVAILABLE'), refused('SITE_MOVING'), answered(okResult(1)), answered(okResult(2))]);
    const queue = new ScanQueue(memoryStorage(), sender);
    const log = settledLog(queue);
    queue.enqueue(scan(1));
    queue.enqueue(scan(2));
    expect(await queue.flush()).toBe('blocked');
    expect(queue.pending.map((s) => s.scanId)).toEqual(['scan-1', 'scan-2']);
    expect(log).toEqual([]);
    expect(await queue.flush()).toBe('blocked');
    expect(await queue.flush()).toBe('blocked');
    expect(await queue.flush()).toBe('drained');
    expect(sender.sent).toEqual(['scan-1', 'scan-1', 'scan-1', 'scan-1', 'scan-2']);
    expect(log.map((s) => [s.kind, s.scan.scanId])).toEqual([
      ['confirmed', 'scan-1'],
      ['confirmed', 'scan-2'],
    ]);
  });

  it('a scan whose ack was lost is resent and the duplicate ack settles it once', async () => {
    const duplicate: ScanResult = { ok: true, seq: 5, duplicate: true, next: NEXT };
    const sender = scriptedSender([timedOut, answered(duplicate)]);
    const queue = new ScanQueue(memoryStorage(), sender);
    const log = settledLog(queue);
    queue.enqueue(scan(1));
    await queue.flush();
    await queue.flush();
    expect(log).toEqual([{ kind: 'confirmed', scan: scan(1), result: duplicate }]);
  });

  it('sends what is queued during a flush in the same flush, and a concurrent flush joins the running one', async () => {
    let release: (() => void) | null = null;
    const sent: string[] = [];
    const sender: ScanSender = {
      send(s) {
        sent.push(s.scanId);
        if (s.scanId === 'scan-1') return new Promise((resolve) => (release = () => resolve(answered(okResult(1)))));
        return Promise.resolve(answered(okResult(2)));
      },
    };
    const queue = new ScanQueue(memoryStorage(), sender);
    queue.enqueue(scan(1));
    const first = queue.flush();
    const second = queue.flush();
    expect(second).toBe(first);
    expect(queue.busy).toBe(true);
    queue.enqueue(scan(2));
    release!();
    expect(await first).toBe('drained');
    expect(sent).toEqual(['scan-1', 'scan-2']);
    expect(queue.busy).toBe(false);
  });

  it('treats a throwing sender as a transport failure, refuses a repeated scan id, and ignores corrupt storage', async () => {
    const queue = new ScanQueue(memoryStorage(), { send: () => Promise.reject(new Error('socket gone')) });
    expect(queue.enqueue(scan(1))).toBe(true);
    expect(queue.enqueue(scan(1))).toBe(false);
    expect(await queue.flush()).toBe('blocked');
    expect(queue.pending).toHaveLength(1);

    const corrupt = memoryStorage();
    corrupt.value = '{not json';
    expect(new ScanQueue(corrupt, scriptedSender()).pending).toEqual([]);
    corrupt.value = JSON.stringify([scan(1), { scanId: 'half' }, 7]);
    expect(new ScanQueue(corrupt, scriptedSender()).pending.map((s) => s.scanId)).toEqual(['scan-1']);
  });

  it('[R78] stores a scan with its serials and sends them after a reload; a stored scan with broken serials is dropped', async () => {
    const storage = memoryStorage();
    const withSerials: ScanRequest = { ...(scan(1) as Extract<ScanRequest, { kind: 'confirm' }>), qty: 2, serials: ['SN-1', 'SN-2'] };
    new ScanQueue(storage, scriptedSender()).enqueue(withSerials);
    const sent: ScanRequest[] = [];
    const reloaded = new ScanQueue(storage, { send: (s) => (sent.push(s), Promise.resolve(answered(okResult(1)))) });
    expect(reloaded.pending).toEqual([withSerials]);
    expect(await reloaded.flush()).toBe('drained');
    expect(sent).toEqual([withSerials]);
    storage.value = JSON.stringify([{ ...scan(2), serials: 'SN-1' }, { ...scan(3), serials: [1] }, { ...scan(4), serials: ['SN-4'] }]);
    expect(new ScanQueue(storage, scriptedSender()).pending.map((s) => s.scanId)).toEqual(['scan-4']);
  });
});
