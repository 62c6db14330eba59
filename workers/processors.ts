import { UnrecoverableError } from 'bullmq';
import { DocJob } from '../schemas/document.js';
import type { TextDocument } from '../schemas/text.js';
import { type FaultPoint, faultPoint } from '../src/faults.js';
import type { Logger } from '../src/logger.js';
import { StageError } from '../src/pipeline/errors.js';
import { writeRecordFile } from '../src/pipeline/export/index.js';
import { type ExtractOptions, extractText } from '../src/pipeline/extract/extract-text.js';
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

async function documentOf(store: Store, sha256: string) {
  const doc = await store.getDocument(sha256);
  if (!doc) throw new UnrecoverableError(`no document ${sha256} in the database`);
  return doc;
}

/**
 * extract: PDF bytes from the database -> stored page text (text layer or OCR) -> parsed record -> export
 * -> terminal status. The parse and export queues serve resumes and `imr reprocess`.
 */
export async function extractStage(sha256: string, deps: StageDeps): Promise<void> {
  const doc = await documentOf(deps.store, sha256);
  const stage = resumeStage(doc.status);
  if (stage !== 'extract') {
    // A retried job (its worker died) whose document got further: finish from there, in this job.
    if (stage) await STAGE_FUNCTIONS[stage](sha256, deps);
    return;
  }
  const bytes = await deps.store.getBytes(sha256);
  if (!bytes) throw new UnrecoverableError(`no bytes stored for ${sha256}`);
  let text: TextDocument;
  try {
    text = await extractText(bytes, {
      ...deps.extract,
      onOcrStart: () => deps.store.setStatus(sha256, 'extracting'),
    });
  } catch (err) {
    if (!(err instanceof StageError)) throw err; // transient: retried with backoff
    // The file itself is bad: a terminal, visible state with its code.
    await deps.store.saveRecord(failedRecord(doc.fileName, sha256, err));
    deps.logger.info({ sha256, code: err.code }, 'failed');
    return;
  }
  // Parsing costs milliseconds beside extraction: it runs here on the text in hand rather than after a
  // queue hop and a re-read. OCR'd text is committed on its own first, so that a crash while parsing
  // never costs the OCR again (the parse queue resumes from `extracted`); a text layer is cheap to read
  // again, and is committed with the record.
  const ocrd = text.pages.some((p) => p.source === 'ocr');
  if (ocrd) await deps.store.saveText(sha256, text);
  await parseAndSave(doc.fileName, sha256, text, deps, !ocrd);
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
  const reparsed = await reparseStored(deps.store, sha256);
  if (!reparsed) {
    const doc = await documentOf(deps.store, sha256);
    throw new UnrecoverableError(`no stored text for ${sha256} (status ${doc.status})`);
  }
  if (reparsed.record.status !== 'failed') await deps.queues.enqueue('export', sha256);
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
