import type { DocStatus, DocumentRow, FileRow } from '../../schemas/document.js';
import type { ExtractError, LetterRecord } from '../../schemas/letter.js';
import type {
  AuditEntry,
  Correction,
  CorrectionInput,
  QueueRow,
  Review,
  ReviewState,
} from '../../schemas/review.js';
import type { TextDocument, TextPage } from '../../schemas/text.js';
import type { Intake } from './files-store.js';
import type { Users } from './users-store.js';

/** Field accuracy of one parser version's machine values against what QA approved (the gold set). */
export interface GoldScore {
  parserVersion: string;
  letters: number;
  fields: number;
  correct: number;
  /** correct / fields (1 when no fields). */
  accuracy: number;
}

/** A correction the new parser now disagrees with (its reading is neither the old machine value nor QA's). */
export interface CorrectionDisagreement {
  correctionId: number;
  field: string;
  /** The machine value the correction was made against. */
  machineValue: unknown;
  /** The corrected value. */
  value: unknown;
  /** What the new parser reads there. */
  newValue: unknown;
}

/**
 * The database is the source of truth of the pipeline. One interface, two engines: SQLite (a file, WAL)
 * by default, PostgreSQL when the URL says postgres://. Every write that belongs together is one
 * transaction; every write is an upsert, so a stage run twice leaves one result.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Intake: every dropped file with its state (`/files`, `imr files`), and retries (files-store.ts). */
  readonly intake: Intake;
  /** The web server's users (`imr users`): tokens stored as hashes; see users-store.ts. */
  readonly users: Users;
  /** Creates or upgrades the schema (idempotent; safe for several processes starting at once). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Records a file seen in the inbox. New bytes: inserts the document (status `queued`) with its bytes,
   * and the file row. Known bytes: only a file row marked `duplicate` (unless this same path is already
   * recorded for it, then nothing). One transaction.
   */
  registerFile(input: { sha256: string; path: string; bytes: Uint8Array; priority?: number }): Promise<{
    isNew: boolean;
    duplicateFile: boolean;
    document: DocumentRow;
  }>;
  getDocument(sha256: string): Promise<DocumentRow | null>;
  getBytes(sha256: string): Promise<Uint8Array | null>;
  setStatus(sha256: string, status: DocStatus, error?: ExtractError | null): Promise<void>;

  /** Replaces the stored page text (and pages, text source); status `extracted`. */
  saveText(sha256: string, text: TextDocument): Promise<void>;
  getText(sha256: string): Promise<TextDocument | null>;

  /**
   * A scanned document's text layer, before OCR: the page text as `saveText` stores it, status
   * `extracting`, and the pages its OCR page jobs will fill in (their earlier results are kept).
   */
  saveTextLayer(sha256: string, text: TextDocument, ocrPages: readonly number[]): Promise<void>;
  /** The pages a document waits for OCR of, and those whose result is stored. */
  ocrPagesState(sha256: string): Promise<{ wanted: number[]; done: number[] }>;
  /**
   * One OCR page job's result: the page's text, or the error that makes the letter fail. The first result
   * stored wins (`stored` false for a second one). `missing`: the pages still without a result.
   */
  saveOcrPage(
    sha256: string,
    page: number,
    result: { text: TextPage } | { error: ExtractError },
  ): Promise<{ stored: boolean; missing: number[] }>;
  /**
   * Once every wanted page has a result: the OCR'd pages replace their text-layer pages, status
   * `extracted` (parse next), results cleared; in one transaction. `missing` while some are not in;
   * `failed` with the first page's error when one failed; `joined` also when already joined.
   */
  joinOcrPages(
    sha256: string,
  ): Promise<
    { kind: 'joined' } | { kind: 'missing'; pages: number[] } | { kind: 'failed'; error: ExtractError }
  >;

  /**
   * Replaces the machine values of a letter (letters, items, citations, mismatches, provenance) from a
   * record, in one transaction; sets layout, parser version and status (`parsed`, or `failed` for a
   * failed record). When the stored record has another parser version it is kept first in
   * `record_versions` (for `goldScores`). Corrections, reviews and audit rows are never touched here.
   * `status` sets another status in the same transaction: the terminal one, when the caller has already
   * written the letter's export; `text` saves the page text first in the same transaction (as `saveText`).
   * The extract job uses both, to commit a text-layer letter in one transaction with no queue hop.
   */
  saveRecord(record: LetterRecord, options?: { status?: DocStatus; text?: TextDocument }): Promise<void>;
  getRecord(sha256: string): Promise<LetterRecord | null>;
  /** Every stored record, ordered by sha256. */
  listRecords(): Promise<LetterRecord[]>;

  listDocuments(statuses?: readonly DocStatus[]): Promise<DocumentRow[]>;
  counts(): Promise<Record<DocStatus, number>>;

  listFiles(options?: { unsettled?: boolean }): Promise<FileRow[]>;
  /** Unsettled files whose document is terminal, with that document (one query: run on a timer). */
  listSettleable(): Promise<{ file: FileRow; document: DocumentRow }[]>;
  markFileSettled(fileId: number, settledTo: string): Promise<void>;

  // QA review. Corrections, reviews and audit rows never touch the machine tables, and saveRecord never
  // touches them.

  /**
   * Letters to review: status `needs_review` and review state pending (no review row counts as pending),
   * riskiest first: worst mismatch severity (error, warning, info), then lowest field confidence, then
   * file name. `code` keeps those with a mismatch of that code.
   */
  listReviewQueue(filter?: { code?: string }): Promise<QueueRow[]>;
  /** For the queue above (unfiltered): how many letters carry each mismatch code. */
  reviewCodeCounts(): Promise<Record<string, number>>;
  /**
   * Stores a correction beside the machine value (looked up here, from the stored record) and its audit
   * row, in one transaction. Rejects an unknown document or a path the record does not have (except
   * `items.N` with an Item value, which adds one). The value is converted as `normalizeValue`
   * (`src/review/apply-corrections.ts`) does and stored so. Errors the caller caused are
   * `ReviewInputError`s (`src/review/errors.ts`) with a `kind` (invalid, not_found, conflict).
   */
  addCorrection(input: CorrectionInput): Promise<Correction>;
  /** A letter's corrections, oldest first. */
  listCorrections(sha256: string): Promise<Correction[]>;
  getReview(sha256: string): Promise<Review | null>;
  /**
   * Approve, reject (reason required) or reopen (pending) a letter, with its audit row, in one
   * transaction. Approval sets the document status to `done`; reopening sets it back to `needs_review`;
   * rejection leaves the status (the letter leaves the queue by its state). Refuses a letter without a
   * parsed record (none yet, or failed). Rewriting the per-letter export is the caller's: see
   * `approveLetter` / `reviewLetter` in `src/review/actions.ts`.
   */
  setReview(input: {
    sha256: string;
    state: ReviewState;
    author: string;
    reason?: string | null;
  }): Promise<Review>;
  /** Audit rows, oldest first: one letter's, or all. */
  listAudit(sha256?: string): Promise<AuditEntry[]>;
  /** The machine record with its corrections applied: what exports and analysts use. */
  getCorrectedRecord(sha256: string): Promise<LetterRecord | null>;
  /**
   * Field accuracy per parser version over approved letters (their corrected records are the truth): the
   * current machine records, and those `saveRecord` kept when a re-parse changed the parser version.
   * Scored with `src/bench/score.ts`, so the numbers are those `bench:accuracy` gives on `imr gold export`.
   */
  goldScores(): Promise<GoldScore[]>;

  /** Review rows (letters without one are pending and not listed), by sha256. */
  listReviews(filter?: { state?: ReviewState }): Promise<Review[]>;
  /** Every letter's corrections, by sha256 then oldest first (for whole-collection exports). */
  listAllCorrections(): Promise<Correction[]>;
  /**
   * After a re-parse (see `src/review/reprocess.ts`): one `reprocess` audit row per correction the new
   * parser disagrees with, and an approved letter reopened (review pending, status `needs_review`, a
   * `reopen` audit row), in one transaction. Nothing when the list is empty.
   */
  recordDisagreements(input: {
    sha256: string;
    parserVersion: string;
    disagreements: readonly CorrectionDisagreement[];
  }): Promise<{ reopened: boolean }>;
}
