import type { Logger } from '../logger.js';
import { jobId, type Queues, STAGES } from '../queue/queues.js';
import type { ResetOutcome } from '../store/files-store.js';
import type { Store } from '../store/store.js';

export interface RetryDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
}

/** What a retry did: `retried`, or why not (no such document, not failed, no stored bytes). */
export type RetryOutcome = Exclude<ResetOutcome, 'reset'> | 'retried';

/**
 * Runs failed documents again from their stored bytes, through the normal queue path: each is reset to
 * `queued` (same sha256; its failed record, page text and error cleared) and its extract job enqueued
 * afresh. Their files already in quarantine stay there until the new result is in, then settle by it (to
 * the archive when it is done or needs review).
 */
export async function retryDocuments(
  deps: RetryDeps,
  sha256s: readonly string[],
): Promise<Map<string, RetryOutcome>> {
  const out = new Map<string, RetryOutcome>();
  // Failed page jobs are listed once for the batch, not once per document.
  let failedPages: Set<string> | null = null;
  for (const sha256 of sha256s) {
    const { outcome, priority } = await deps.store.intake.resetFailed(sha256);
    if (outcome !== 'reset') {
      out.set(sha256, outcome);
      continue;
    }
    failedPages ??= (await deps.queues.jobIds('ocr')).failed;
    await requeue(deps.queues, sha256, priority, failedPages);
    deps.logger.info({ sha256 }, 'retried');
    out.set(sha256, 'retried');
  }
  return out;
}

/**
 * Enqueues a document's extract job again. A failed job keeps its id in Redis, and adding a job under a
 * taken id does nothing: the document's finished jobs (a stage's, or its pages') are removed first.
 */
export async function requeue(
  queues: Queues,
  sha256: string,
  priority: number,
  failedPages?: ReadonlySet<string>,
): Promise<void> {
  const stale = [
    ...STAGES.map((stage) => ({ queue: queues.queue(stage), id: jobId(stage, sha256) })),
    ...[...(failedPages ?? (await queues.jobIds('ocr')).failed)]
      .filter((id) => id.startsWith(`ocr-${sha256}-`))
      .map((id) => ({ queue: queues.queue('ocr'), id })),
  ];
  for (const { queue, id } of stale) {
    const job = await queue.getJob(id);
    // A running job holds its lock and cannot be removed; it finds the document queued and stops there.
    if (job && !(await job.isActive())) await job.remove().catch(() => undefined);
  }
  await queues.enqueue('extract', sha256, priority);
}
