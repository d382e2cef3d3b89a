import { describe, expect, it } from 'vitest';
import { createLog, type LogSink } from './log.ts';

function capture(): { sink: LogSink; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, sink: { out: (line) => out.push(line), err: (line) => err.push(line) } };
}
const now = (): Date => new Date('2026-11-27T18:00:00.000Z');

describe('server log', () => {
  it('json: one parseable object per call with time, level, msg and fields; errors as name/message/code/stack', () => {
    const { sink, out, err } = capture();
    const log = createLog('json', { now, sink });
    log('listening on http://localhost:3000 (loading…)');
    log.fields('warn', 'slow commit', { site: 'demo', ms: 812, seq: 10n });
    log('commit failed', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(out).toHaveLength(1);
    expect(err).toHaveLength(2);
    expect(JSON.parse(out[0] ?? '')).toEqual({ time: '2026-11-27T18:00:00.000Z', level: 'info', msg: 'listening on http://localhost:3000 (loading…)' });
    expect(JSON.parse(err[0] ?? '')).toEqual({ time: '2026-11-27T18:00:00.000Z', level: 'warn', msg: 'slow commit', site: 'demo', ms: 812, seq: '10' });
    const failed = JSON.parse(err[1] ?? '') as { level: string; error: { name: string; message: string; code: string; stack: string } };
    expect(failed.level).toBe('error');
    expect(failed.error).toMatchObject({ name: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' });
    expect(failed.error.stack).toContain('log.test.ts');
    for (const line of [...out, ...err]) expect(line).not.toContain('\n');
  });

  it('text (the default): time and message, fields as key=value', () => {
    const { sink, out, err } = capture();
    const log = createLog('text', { now, sink });
    log('ready in 812 ms');
    log.fields('info', 'drained', { requests: 3, site: 'demo' });
    expect(out).toEqual(['2026-11-27T18:00:00.000Z ready in 812 ms', '2026-11-27T18:00:00.000Z drained requests=3 site=demo']);
    expect(err).toEqual([]);
  });
});
