import type { DocStatus, DocumentRow, FileRow } from '../../schemas/document.js';
import type { ExtractError, LetterRecord } from '../../schemas/letter.js';
import type { TextDocument } from '../../schemas/text.js';

/**
 * The database is the source of truth of the pipeline. One interface, two engines: SQLite (a file, WAL)
 * by default, PostgreSQL when the URL says postgres://. Every write that belongs together is one
 * transaction; every write is an upsert, so a stage run twice leaves one result.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema (idempotent; safe for several processes starting at once). */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Records a file seen in the inbox. New bytes: inserts the document (status `queued`) with its bytes,
   * and the file row. Known bytes: only a file row marked `duplicate` (unless this same path is already
   * recorded for it, then nothing). One transaction.
   */
  registerFile(input: { sha256: string; path: string; bytes: Uint8Array }): Promise<{
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
   * Replaces the machine values of a letter (letters, items, citations, mismatches, provenance) from a
   * record, in one transaction; sets layout, parser version and status (`parsed`, or `failed` for a
   * failed record). Corrections (QA, later) live in their own table and are never touched here.
   */
  saveRecord(record: LetterRecord): Promise<void>;
  getRecord(sha256: string): Promise<LetterRecord | null>;
  /** Every stored record, ordered by sha256. */
  listRecords(): Promise<LetterRecord[]>;

  listDocuments(statuses?: readonly DocStatus[]): Promise<DocumentRow[]>;
  counts(): Promise<Record<DocStatus, number>>;

  listFiles(options?: { unsettled?: boolean }): Promise<FileRow[]>;
  /** Unsettled files whose document is terminal, with that document (one query: run on a timer). */
  listSettleable(): Promise<{ file: FileRow; document: DocumentRow }[]>;
  markFileSettled(fileId: number, settledTo: string): Promise<void>;
}
