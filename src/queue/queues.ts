import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DocJob, PageJob } from '../../schemas/document.js';

/** The document stages: their jobs carry a sha256, one job per document. */
export const STAGES = ['extract', 'parse', 'export'] as const;
export type Stage = (typeof STAGES)[number];
/** Every queue: the stages, and `ocr`, one job per scanned page (`PageJob`). */
export const QUEUE_NAMES = ['extract', 'ocr', 'parse', 'export'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Job states in which a job is still going to run (or running). */
const LIVE_STATES = ['wait', 'prioritized', 'active', 'delayed', 'waiting-children'] as const;

/** Retries with backoff for transient faults; finished jobs are removed so Redis does not grow. */
const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
};

/** A Redis connection as BullMQ workers need it (blocking commands never time out client-side). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** Whether a Redis answers at `url` within a second and a half (one try, no retries, no error events). */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1500,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Job id of a stage for a document: a duplicate enqueue while one is pending is a no-op (no ':' allowed). */
export function jobId(stage: Stage, sha256: string): string {
  return `${stage}-${sha256}`;
}

/** Job id of one page's OCR: a page is enqueued once while its job is pending. */
export function pageJobId(sha256: string, page: number): string {
  return `ocr-${sha256}-${page}`;
}

/** Jobs of a queue by state, as ids (one Redis round trip per state, whatever the number of jobs). */
export interface JobIds {
  live: Set<string>;
  failed: Set<string>;
}

/** The pipeline's queues, one per stage, under one prefix. */
export class Queues {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.queues = Object.fromEntries(
      QUEUE_NAMES.map((name) => [
        name,
        new Queue(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS }),
      ]),
    ) as Record<QueueName, Queue>;
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  /**
   * Enqueues a stage for a document; jobs carry the sha256 only. `priority` 0 (inbox) goes before any
   * prioritized job (a backfill's).
   */
  async enqueue(stage: Stage, sha256: string, priority = 0): Promise<void> {
    const data: DocJob = DocJob.parse({ sha256 });
    await this.queues[stage].add(stage, data, { jobId: jobId(stage, sha256), ...prioritized(priority) });
  }

  /** Enqueues the OCR of some pages of a document, one job per page, in one round trip. */
  async enqueuePages(sha256: string, pages: readonly number[], priority = 0): Promise<void> {
    if (pages.length === 0) return;
    await this.queues.ocr.addBulk(
      pages.map((page) => ({
        name: 'ocr',
        data: PageJob.parse({ sha256, page }),
        opts: { jobId: pageJobId(sha256, page), ...prioritized(priority) },
      })),
    );
  }

  /** The ids of a queue's live and failed jobs (reconciliation checks thousands of documents at once). */
  async jobIds(name: QueueName): Promise<JobIds> {
    const queue = this.queues[name];
    const [live, failed] = await Promise.all([
      Promise.all(LIVE_STATES.map((state) => queue.getRanges([state], 0, -1))),
      queue.getRanges(['failed'], 0, -1),
    ]);
    return { live: new Set(live.flat()), failed: new Set(failed) };
  }

  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => [name, await this.queues[name].getJobCounts()] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all(QUEUE_NAMES.map((name) => this.queues[name].close()));
  }
}

/** BullMQ job options for a priority: none at all for 0 (the plain wait list, served first). */
function prioritized(priority: number): { priority?: number } {
  return priority > 0 ? { priority } : {};
}
