import { DocStatus, TERMINAL_STATUSES } from '../schemas/document.js';
import type { Logger } from '../src/logger.js';
import { type JobIds, jobId, QUEUE_NAMES, type QueueName, type Queues } from '../src/queue/queues.js';
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
 * (Redis restarted empty, a watcher died between commit and enqueue) are enqueued again, at their own
 * priority; those whose job used up its attempts on transient errors (a database outage) are retried. A scan
 * in OCR is live while its extract, any of its page jobs or its join is. Idempotent, and safe to run in
 * several processes at once: job ids are stage + sha256 (+ page), so a second enqueue is a no-op. The jobs
 * of each queue are read as id sets, a few Redis round trips whatever the number of documents.
 */
export async function reconcile(store: Store, queues: Queues, logger: Logger): Promise<ReconcileResult> {
  const result: ReconcileResult = { enqueued: 0, retried: 0 };
  const docs = await store.listDocuments(UNFINISHED);
  if (docs.length === 0) return result;
  const ids = Object.fromEntries(
    await Promise.all(QUEUE_NAMES.map(async (name) => [name, await queues.jobIds(name)] as const)),
  ) as Record<QueueName, JobIds>;
  // Page jobs by document: "ocr-<sha256>-<page>".
  const pagesOf = (set: Set<string>) => {
    const out = new Map<string, string[]>();
    for (const id of set) {
      const sha = id.slice(4, 68);
      const ids = out.get(sha) ?? [];
      ids.push(id);
      out.set(sha, ids);
    }
    return out;
  };
  const livePages = pagesOf(ids.ocr.live);
  const failedPages = pagesOf(ids.ocr.failed);
  for (const doc of docs) {
    const stage = resumeStage(doc.status);
    if (!stage) continue;
    const id = jobId(stage, doc.sha256);
    if (doc.status === 'extracting') {
      const failed = failedPages.get(doc.sha256) ?? [];
      for (const pageId of failed) await retryFailed(queues, 'ocr', pageId, result);
      const join = jobId('parse', doc.sha256);
      if (ids.parse.failed.has(join)) {
        await retryFailed(queues, 'parse', join, result);
        continue;
      }
      if (livePages.has(doc.sha256) || failed.length > 0 || ids.parse.live.has(join)) continue;
    }
    if (ids[stage].live.has(id)) continue;
    if (ids[stage].failed.has(id)) {
      await retryFailed(queues, stage, id, result);
      continue;
    }
    // Not in Redis at all (or finished a moment ago: the enqueue is then a no-op or a cheap re-check).
    const job = await queues.queue(stage).getJob(id);
    if (job) continue;
    await queues.enqueue(stage, doc.sha256, doc.priority);
    result.enqueued++;
  }
  if (result.enqueued + result.retried > 0) logger.info({ ...result }, 'reconciled unfinished documents');
  return result;
}

async function retryFailed(queues: Queues, name: QueueName, id: string, result: ReconcileResult) {
  const job = await queues.queue(name).getJob(id);
  if (job && (await job.isFailed())) {
    await job.retry('failed');
    result.retried++;
  }
}
