/**
 * A small in-memory table of background jobs for routes that answer 202 and are polled (what-if, slotting): the latest
 * `maxJobs` kept (the oldest finished one dropped first), at most `maxRunning` running at once, 404 for an unknown id.
 */
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { sendError } from './http-error.ts';
import { Id } from './params.ts';

export type JobStatus = 'running' | 'done' | 'failed';

/** What every job carries; the route adds its own fields. */
export interface BackgroundJob {
  readonly id: string;
  readonly siteId: string;
  status: JobStatus;
  error?: string;
}

export interface BackgroundJobsOptions {
  /** Jobs kept; the oldest finished one is dropped beyond this. */
  readonly maxJobs: number;
  /** Jobs running at once; {@link BackgroundJobs.full} says when another must wait. */
  readonly maxRunning: number;
  readonly log?: ((message: string, error?: unknown) => void) | undefined;
}

export class BackgroundJobs<J extends BackgroundJob> {
  // Insertion order is creation order: the first finished entry is the oldest to evict.
  private readonly jobs = new Map<string, J>();
  private running = 0;

  constructor(private readonly options: BackgroundJobsOptions) {}

  /** True when `maxRunning` jobs run: answer 429 rather than start another. */
  get full(): boolean {
    return this.running >= this.options.maxRunning;
  }

  /** A fresh job id. */
  newId(): string {
    return randomUUID();
  }

  /** Keeps `job` and runs `work` in the background: done when it resolves, failed with its message when it rejects. */
  start(job: J, work: () => Promise<void>): void {
    this.jobs.set(job.id, job);
    this.evict();
    this.track(job, `${job.id} on ${job.siteId}`, work, (error) => {
      job.status = 'failed';
      job.error = messageOf(error);
    }, () => {
      job.status = 'done';
    });
  }

  /**
   * Runs a further piece of work for a kept job (e.g. a check of its result), counted against `maxRunning`; `onDone`
   * and `onFailed` record the outcome on the job.
   */
  track(job: J, what: string, work: () => Promise<void>, onFailed: (error: unknown) => void, onDone: () => void = () => undefined): void {
    this.running++;
    void work()
      .then(onDone, (error: unknown) => {
        onFailed(error);
        this.options.log?.(`background job ${what} failed`, error);
      })
      .finally(() => {
        this.running--;
        this.evict();
      });
  }

  /** The job `rawId` of `siteId`, or answers 404 with `code` and returns undefined. */
  find(siteId: string, rawId: unknown, res: Response, code: string, noun: string): J | undefined {
    const id = Id.safeParse(rawId);
    const job = id.success ? this.jobs.get(id.data) : undefined;
    if (job !== undefined && job.siteId === siteId) return job;
    sendError(res, 404, code, `no ${noun} '${String(rawId)}' for site '${siteId}'`);
    return undefined;
  }

  private evict(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= this.options.maxJobs) return;
      if (job.status !== 'running') this.jobs.delete(id);
    }
  }
}

/** An error's message, or the thrown value as text. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
