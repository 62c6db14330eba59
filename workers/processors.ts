import { UnrecoverableError } from 'bullmq';
import { DocJob, PageJob } from '../schemas/document.js';
import type { TextDocument } from '../schemas/text.js';
import { type FaultPoint, faultPoint } from '../src/faults.js';
import type { Logger } from '../src/logger.js';
import { StageError } from '../src/pipeline/errors.js';
import { writeRecordFile } from '../src/pipeline/export/index.js';
import {
  type ExtractOptions,
  ocrPage,
  readTextLayer,
  requireText,
} from '../src/pipeline/extract/extract-text.js';
import { failedRecord, recordFromText } from '../src/pipeline/process-letter.js';
import type { Queues, Stage } from '../src/queue/queues.js';
import { docStatusFor } from '../src/records/document-status.js';
import { exportAndSettle, exportRecordOf } from '../src/review/export.js';
import { reparseStored } from '../src/review/reprocess.js';
import type { Store } from '../src/store/store.js';

export interface StageDeps {
  store: Store;
  queues: Queues;
  extract: ExtractOptions;
  exportDir: string;
  logger: Logger;
  /** Fault tests only. */
  faultPause?: FaultPoint | undefined;
}

/** Validates a job's payload: a malformed job can never succeed. */
export function jobSha(data: unknown): string {
  const parsed = DocJob.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  return parsed.data.sha256;
}

/** Validates an OCR page job's payload. */
export function pageJobOf(data: unknown): PageJob {
  const parsed = PageJob.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad page job payload: ${parsed.error.message}`);
  return parsed.data;
}

async function documentOf(store: Store, sha256: string) {
  const doc = await store.getDocument(sha256);
  if (!doc) throw new UnrecoverableError(`no document ${sha256} in the database`);
  return doc;
}

/**
 * extract: PDF bytes from the database -> every page's text layer. A text letter is then parsed, exported
 * and committed in this job. A scan's text layer is stored and each page to OCR becomes an OCR page job
 * (`ocrStage`), so that this queue never waits for OCR and a letter's pages spread over every worker. The
 * parse and export queues serve the join after OCR, resumes and `imr reprocess`.
 */
export async function extractStage(sha256: string, deps: StageDeps): Promise<void> {
  const doc = await documentOf(deps.store, sha256);
  const stage = resumeStage(doc.status);
  if (stage !== 'extract') {
    // A retried job (its worker died) whose document got further: finish from there, in this job.
    if (stage) await STAGE_FUNCTIONS[stage](sha256, deps);
    return;
  }
  if (doc.status === 'extracting' && (await fanOut(sha256, doc.priority, deps))) return;
  const bytes = await deps.store.getBytes(sha256);
  if (!bytes) throw new UnrecoverableError(`no bytes stored for ${sha256}`);
  let read: Awaited<ReturnType<typeof readTextLayer>>;
  try {
    read = await readTextLayer(bytes, deps.extract);
  } catch (err) {
    if (!(err instanceof StageError)) throw err; // transient: retried with backoff
    // The file itself is bad: a terminal, visible state with its code.
    await deps.store.saveRecord(failedRecord(doc.fileName, sha256, err));
    deps.logger.info({ sha256, code: err.code }, 'failed');
    return;
  }
  if (read.ocrPages.length === 0) {
    // Parsing costs milliseconds beside reading: it runs here on the text in hand rather than after a
    // queue hop and a re-read; the text layer is committed with the record.
    await parseAndSave(doc.fileName, sha256, read.text, deps, true);
    return;
  }
  await deps.store.saveTextLayer(sha256, read.text, read.ocrPages);
  await fanOut(sha256, doc.priority, deps);
  deps.logger.info({ sha256, pages: read.ocrPages.length }, 'pages queued for OCR');
}

/**
 * Enqueues the OCR page jobs a scan still needs (pages already read are never read again), or its join
 * once none is missing. False when the document waits for no page (not a scan in OCR).
 */
async function fanOut(sha256: string, priority: number, deps: StageDeps): Promise<boolean> {
  const { wanted, done } = await deps.store.ocrPagesState(sha256);
  if (wanted.length === 0) return false;
  const missing = wanted.filter((p) => !done.includes(p));
  if (missing.length === 0) await deps.queues.enqueue('parse', sha256, priority);
  else await deps.queues.enqueuePages(sha256, missing, priority);
  return true;
}

/**
 * ocr: one page of a scan -> its text (or the error that fails the letter), stored once; the job that
 * stores the last page enqueues the letter's join and parse. A page already stored is not read again (a
 * job run twice, after its worker died between commit and acknowledgement).
 */
export async function ocrStage(job: PageJob, deps: StageDeps): Promise<void> {
  const { sha256, page } = job;
  const doc = await documentOf(deps.store, sha256);
  // Joined or finished already: a late duplicate.
  if (doc.status !== 'extracting') return;
  const { wanted, done } = await deps.store.ocrPagesState(sha256);
  if (!wanted.includes(page)) return;
  let missing = wanted.filter((p) => !done.includes(p));
  if (!done.includes(page)) {
    const bytes = await deps.store.getBytes(sha256);
    if (!bytes) throw new UnrecoverableError(`no bytes stored for ${sha256}`);
    let result: Parameters<Store['saveOcrPage']>[2];
    try {
      result = { text: await ocrPage(bytes, page, deps.extract) };
    } catch (err) {
      if (!(err instanceof StageError)) throw err; // transient: retried with backoff
      result = { error: { code: err.code, message: `page ${page}: ${err.message}` } };
    }
    const saved = await deps.store.saveOcrPage(sha256, page, result);
    missing = saved.missing;
    deps.logger.info({ sha256, page, stored: saved.stored, left: missing.length }, 'page read');
    await faultPoint('after-page', deps.faultPause, deps.logger);
  }
  if (missing.length === 0) await deps.queues.enqueue('parse', sha256, doc.priority);
}

/**
 * Parse, export and commit in one go (no queue hop, no re-read): the export file is written first, then
 * the record and its terminal status in one transaction. A crash in between leaves the document as it
 * was (`queued`, or `extracted` after OCR); the retried job rewrites the same file (atomically) and commits.
 */
async function parseAndSave(
  fileName: string,
  sha256: string,
  text: TextDocument,
  deps: StageDeps,
  withText: boolean,
) {
  const record = recordFromText(fileName, sha256, text);
  const textOption = withText ? { text } : {};
  if (record.status === 'failed') {
    await deps.store.saveRecord(record, textOption);
    return;
  }
  // A document on its first pass has no corrections or review; read them anyway (two indexed reads),
  // so that this path can never export something QA changed.
  const [corrections, review] = await Promise.all([
    deps.store.listCorrections(sha256),
    deps.store.getReview(sha256),
  ]);
  await writeRecordFile(exportRecordOf(record, corrections), deps.exportDir);
  const status = docStatusFor(record, review);
  await deps.store.saveRecord(record, { ...textOption, status });
  deps.logger.info({ sha256, status, items: record.items.length }, 'letter finished');
  await faultPoint('after-commit', deps.faultPause, deps.logger);
}

/**
 * parse: stored page text -> fields, provenance, mismatches (never touches the PDF or OCR) -> export.
 * A re-parse keeps QA corrections and flags those the parser now disagrees with (`saveReparsedRecord`).
 */
export async function parseStage(sha256: string, deps: StageDeps): Promise<void> {
  const doc = await documentOf(deps.store, sha256);
  if (doc.status === 'extracting') {
    // The join after OCR: every page in, the letter is parsed, exported and committed in this job.
    const joined = await deps.store.joinOcrPages(sha256);
    if (joined.kind === 'missing') {
      // Retried with backoff; reconciliation re-enqueues pages whose jobs were lost.
      throw new Error(`pages ${joined.pages.join(', ')} of ${sha256} are not OCR'd yet`);
    }
    if (joined.kind === 'failed') {
      const err = new StageError(joined.error.code, joined.error.message);
      await deps.store.saveRecord(failedRecord(doc.fileName, sha256, err));
      deps.logger.info({ sha256, code: err.code }, 'failed');
      return;
    }
    const text = await deps.store.getText(sha256);
    if (!text) throw new UnrecoverableError(`no stored text for ${sha256} after its OCR join`);
    try {
      requireText(text.pages, true);
    } catch (err) {
      if (!(err instanceof StageError)) throw err;
      // Neither a text layer nor OCR found words (a page of noise): `no_text`, as read in one go.
      await deps.store.saveRecord(failedRecord(doc.fileName, sha256, err));
      deps.logger.info({ sha256, code: err.code }, 'failed');
      return;
    }
    await parseAndSave(doc.fileName, sha256, text, deps, false);
    return;
  }
  const reparsed = await reparseStored(deps.store, sha256);
  if (!reparsed) {
    throw new UnrecoverableError(`no stored text for ${sha256} (status ${doc.status})`);
  }
  if (reparsed.record.status !== 'failed') await deps.queues.enqueue('export', sha256, doc.priority);
}

/**
 * export: the committed record, corrections applied -> its export file -> terminal status (done or
 * needs_review; done once QA approved it).
 */
export async function exportStage(sha256: string, deps: StageDeps): Promise<void> {
  const exported = await exportAndSettle(deps.store, deps.exportDir, sha256);
  if (!exported) throw new UnrecoverableError(`no record for ${sha256}`);
  await faultPoint('after-commit', deps.faultPause, deps.logger);
}

export const STAGE_FUNCTIONS: Record<Stage, (sha256: string, deps: StageDeps) => Promise<void>> = {
  extract: extractStage,
  parse: parseStage,
  export: exportStage,
};

/** The stage each non-terminal status resumes at, for reconciliation after a restart or a lost Redis. */
export function resumeStage(status: string): Stage | null {
  if (status === 'queued' || status === 'extracting') return 'extract';
  if (status === 'extracted') return 'parse';
  if (status === 'parsed') return 'export';
  return null;
}
