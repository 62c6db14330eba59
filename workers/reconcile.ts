import { DocStatus, TERMINAL_STATUSES } from '../schemas/document.js';
import type { Logger } from '../src/logger.js';
import { jobId, type Queues } from '../src/queue/queues.js';
import type { Store } from '../src/store/store.js';
import { resumeStage } from './processors.js';

const UNFINISHED = DocStatus.options.filter((s) => !TERMINAL_STATUSES.includes(s));

export interface ReconcileResult {
  /** Documents whose job was missing (Redis lost it) and was enqueued again. */
  enqueued: number;
  /** Documents whose job had failed for good on transient errors, retried. */
  retried: number;
}

/**
 * The database is the source of truth: every unfinished document must have a live job. Those without one
 * (Redis restarted empty, a watcher died between commit and enqueue) are enqueued again; those whose job
 * used up its attempts on transient errors (a database outage) are retried. Idempotent, and safe to run
 * in several processes at once: job ids are stage + sha256, so a second enqueue is a no-op.
 */
export async function reconcile(store: Store, queues: Queues, logger: Logger): Promise<ReconcileResult> {
  const result: ReconcileResult = { enqueued: 0, retried: 0 };
  for (const doc of await store.listDocuments(UNFINISHED)) {
    const stage = resumeStage(doc.status);
    if (!stage) continue;
    const queue = queues.queue(stage);
    const job = await queue.getJob(jobId(stage, doc.sha256));
    if (!job) {
      await queues.enqueue(stage, doc.sha256);
      result.enqueued++;
      continue;
    }
    if (await job.isFailed()) {
      await job.retry('failed');
      result.retried++;
    }
  }
  if (result.enqueued + result.retried > 0) logger.info({ ...result }, 'reconciled unfinished documents');
  return result;
}
