import type { Job } from 'bullmq';
import { DocStatus, TERMINAL_STATUSES } from '../schemas/document.js';
import { ErrorCode } from '../schemas/letter.js';
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
  /** Documents whose jobs had failed on transient errors for longer than the give-up time: now failed. */
  gaveUp: number;
}

export interface ReconcileOptions {
  /** How long a document's jobs may keep failing on transient errors before it ends failed. */
  giveUpMs?: number;
}

/**
 * The database is the source of truth: every unfinished document must have a live job. Those without one
 * (Redis restarted empty, a watcher died between commit and enqueue) are enqueued again, at their own
 * priority; those whose job used up its attempts on transient errors (a database outage) are retried. A scan
 * in OCR is live while its extract, any of its page jobs or its join is. Idempotent, and safe to run in
 * several processes at once: job ids are stage + sha256 (+ page), so a second enqueue is a no-op. The jobs
 * of each queue are read as id sets, a few Redis round trips whatever the number of documents.
 */
export async function reconcile(
  store: Store,
  queues: Queues,
  logger: Logger,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const result: ReconcileResult = { enqueued: 0, retried: 0, gaveUp: 0 };
  const retry = (name: QueueName, id: string) =>
    retryFailed({ store, queues, logger, giveUpMs: options.giveUpMs ?? Infinity }, name, id, result);
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
      for (const pageId of failed) await retry('ocr', pageId);
      const join = jobId('parse', doc.sha256);
      if (ids.parse.failed.has(join)) {
        await retry('parse', join);
        continue;
      }
      if (livePages.has(doc.sha256) || failed.length > 0 || ids.parse.live.has(join)) continue;
    }
    if (ids[stage].live.has(id)) continue;
    if (ids[stage].failed.has(id)) {
      await retry(stage, id);
      continue;
    }
    // Not in Redis at all (or finished a moment ago: the enqueue is then a no-op or a cheap re-check).
    const job = await queues.queue(stage).getJob(id);
    if (job) continue;
    await queues.enqueue(stage, doc.sha256, doc.priority);
    result.enqueued++;
  }
  if (result.enqueued + result.retried + result.gaveUp > 0)
    logger.info({ ...result }, 'reconciled unfinished documents');
  return result;
}

async function retryFailed(deps: GiveUpDeps, name: QueueName, id: string, result: ReconcileResult) {
  const job = await deps.queues.queue(name).getJob(id);
  if (!job || !(await job.isFailed())) return;
  if (await giveUpIfDue(job, name, deps)) {
    result.gaveUp++;
    return;
  }
  await job.retry('failed');
  result.retried++;
}

export interface GiveUpDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
  giveUpMs: number;
}

/** What a job keeps of its transient failures, beside its ids (never letter text: Redis holds it in clear). */
interface FailingData {
  sha256?: unknown;
  /** When its first transient failure happened (ms since the epoch). */
  failingSince?: unknown;
  /** The last error's own code (`ENOTDIR`, `SQLITE_BUSY`, `ECONNREFUSED`, ...), if it had one. */
  lastErrorCode?: unknown;
}

/**
 * Called on every transient failure of a job (an error that is not the file's: its attempts are retried with
 * backoff, then by reconciliation). Remembers in the job when its failures began; past the give-up time the
 * document ends failed instead (see `giveUpIfDue`).
 */
export async function noteTransientFailure(job: Job, err: Error, stage: string, deps: GiveUpDeps) {
  const data = job.data as FailingData;
  const now = Date.now();
  const code = (err as NodeJS.ErrnoException).code;
  const failingSince = typeof data.failingSince === 'number' ? data.failingSince : now;
  const lastErrorCode = typeof code === 'string' ? code : null;
  const next = { ...(job.data as object), failingSince, lastErrorCode };
  if (now - failingSince >= deps.giveUpMs) {
    job.data = next;
    job.failedReason = err.message;
    await giveUpIfDue(job, stage, deps);
    return;
  }
  await job.updateData(next);
}

/**
 * Ends a document `failed` when its job has kept failing on transient errors for longer than the give-up
 * time: with the last error's code when it is one of ours, else `gave_up`; the message says how long, at
 * which stage, and the last error (its own code first). The job is removed so that nothing runs it again.
 */
export async function giveUpIfDue(job: Job, stage: string, deps: GiveUpDeps): Promise<boolean> {
  const data = job.data as FailingData;
  if (typeof data.failingSince !== 'number' || typeof data.sha256 !== 'string') return false;
  const elapsed = Date.now() - data.failingSince;
  if (elapsed < deps.giveUpMs) return false;
  const sha256 = data.sha256;
  const own = typeof data.lastErrorCode === 'string' ? data.lastErrorCode : null;
  const known = ErrorCode.safeParse(own);
  const last = `${own ? `${own}: ` : ''}${job.failedReason ?? 'unknown error'}`;
  const message = `gave up after ${Math.round(elapsed / 1000)} s of transient failures (${stage}); last error ${last}`;
  const doc = await deps.store.getDocument(sha256);
  if (doc && !TERMINAL_STATUSES.includes(doc.status)) {
    await deps.store.setStatus(sha256, 'failed', {
      code: known.success ? known.data : 'gave_up',
      message: message.slice(0, 2000),
    });
    deps.logger.warn({ sha256, stage, elapsedMs: elapsed, code: own }, 'gave up: failed');
  }
  await job.remove().catch(() => undefined);
  return true;
}
