import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DocJob } from '../../schemas/document.js';

export const STAGES = ['extract', 'parse', 'export'] as const;
export type Stage = (typeof STAGES)[number];

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

/** The pipeline's queues, one per stage, under one prefix. */
export class Queues {
  private readonly queues: Record<Stage, Queue>;

  constructor(
    readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.queues = Object.fromEntries(
      STAGES.map((stage) => [
        stage,
        new Queue(stage, { connection, prefix, defaultJobOptions: JOB_OPTIONS }),
      ]),
    ) as Record<Stage, Queue>;
  }

  queue(stage: Stage): Queue {
    return this.queues[stage];
  }

  /** Enqueues a stage for a document; jobs carry the sha256 only. */
  async enqueue(stage: Stage, sha256: string): Promise<void> {
    const data: DocJob = DocJob.parse({ sha256 });
    await this.queues[stage].add(stage, data, { jobId: jobId(stage, sha256) });
  }

  async counts(): Promise<Record<Stage, Record<string, number>>> {
    const entries = await Promise.all(
      STAGES.map(async (stage) => [stage, await this.queues[stage].getJobCounts()] as const),
    );
    return Object.fromEntries(entries) as Record<Stage, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all(STAGES.map((stage) => this.queues[stage].close()));
  }
}
