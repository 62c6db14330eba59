import type { ColumnType, Generated } from 'kysely';
import type {
  ReportCitationRow,
  ReportItemRow,
  ReportLetterRow,
  ReportSpecialtyRow,
} from '../records/report-rows.js';

/**
 * The tables as Kysely sees them. Column names are snake_case; timestamps are ISO-8601 text and JSON is
 * text, so SQLite and PostgreSQL hold the same values. Booleans read back as 0/1 on SQLite and true/false
 * on PostgreSQL (see `toBool`).
 */

/** Written as 0/1 on SQLite (better-sqlite3 binds no booleans), true/false on PostgreSQL. */
export type BoolColumn = ColumnType<boolean | number, boolean | number, boolean | number>;
/** BLOB on SQLite, BYTEA on PostgreSQL; both drivers return a Buffer. */
export type BytesColumn = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface SchemaVersionTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface DocumentsTable {
  sha256: string;
  file_name: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  bytes: number;
  pages: number | null;
  text_source: string | null;
  layout: string | null;
  parser_version: string | null;
  /** Queue priority of the document's jobs (0: inbox). */
  priority: Generated<number>;
  /** JSON array of the pages waiting for OCR page jobs; null when none. */
  ocr_pages: string | null;
  created_at: string;
  updated_at: string;
}

/** One OCR page job's result (its page's text, or why it failed), until the letter's pages are joined. */
export interface OcrPagesTable {
  sha256: string;
  page: number;
  text_json: string | null;
  error_code: string | null;
  error_message: string | null;
}

export interface BlobsTable {
  sha256: string;
  data: BytesColumn;
}

export interface FilesTable {
  id: Generated<number>;
  sha256: string;
  path: string;
  duplicate: BoolColumn;
  ingested_at: string;
  settled_to: string | null;
}

export interface PageTextsTable {
  sha256: string;
  page: number;
  source: string;
  /** The whole `TextPage` as JSON. */
  text_json: string;
}

export interface LettersTable {
  sha256: string;
  case_number: string | null;
  decision_date: string | null;
  date_assigned: string | null;
  application_received: string | null;
  priority: string | null;
  injury_date: string | null;
  ur_date: string | null;
  licensure_json: string;
  specialty: string | null;
  patient_age: number | null;
  patient_sex: string | null;
  layout: string | null;
  parser_version: string;
  /** `ok` | `needs_review` | `failed` (the record's status, not the document's). */
  status: string;
  /** The whole `LetterRecord` as JSON: what `getRecord` returns. */
  record_json: string;
  updated_at: string;
}

export interface ItemsTable {
  sha256: string;
  idx: number;
  description: string;
  quantity: number | null;
  decision: string;
  original_request: string | null;
  authorized_portion: string | null;
  raw: string;
  rationale: string | null;
  rationale_conclusion: string | null;
  /** The claims administrator's guideline paragraph. */
  ca_raw: string | null;
  /** Maximus' guideline paragraph. */
  mx_raw: string | null;
}

export type CitationParty = 'claims_administrator' | 'maximus';

export interface CitationsTable {
  sha256: string;
  item_idx: number;
  party: CitationParty;
  idx: number;
  source: string | null;
  sections: string | null;
  pages: string | null;
}

export interface MismatchesTable {
  sha256: string;
  idx: number;
  field: string;
  code: string;
  severity: string;
  message: string;
}

export interface ProvenanceTable {
  sha256: string;
  field: string;
  page: number;
  start_offset: number;
  end_offset: number;
  box_json: string | null;
  confidence: number;
}

/** QA corrections, kept beside the machine values (never written by `saveRecord`). */
export interface CorrectionsTable {
  id: Generated<number>;
  sha256: string;
  field: string;
  machine_value_json: string | null;
  value_json: string | null;
  reason: string | null;
  author: string;
  created_at: string;
  /** Parser version of the machine record corrected (migration 2; null on older rows). */
  parser_version: string | null;
}

/** A letter's QA review state (no row: pending). */
export interface ReviewsTable {
  sha256: string;
  /** `pending` | `approved` | `rejected`. */
  state: string;
  author: string | null;
  reason: string | null;
  updated_at: string;
}

/** The machine record a re-parse replaced, one per (letter, parser version): what gold scores compare. */
export interface RecordVersionsTable {
  sha256: string;
  parser_version: string;
  /** The whole `LetterRecord` as JSON. */
  record_json: string;
  saved_at: string;
}

export interface AuditTable {
  id: Generated<number>;
  sha256: string | null;
  action: string;
  author: string | null;
  detail_json: string | null;
  created_at: string;
}

/** Analyst rows (corrected, categorised), rebuilt per letter: see src/analytics/report-rows.ts. */
export type ReportLettersTable = ReportLetterRow;
export type ReportItemsTable = ReportItemRow;
export type ReportCitationsTable = ReportCitationRow;
export type ReportLetterSpecialtiesTable = ReportSpecialtyRow;

export interface Database {
  schema_version: SchemaVersionTable;
  documents: DocumentsTable;
  blobs: BlobsTable;
  files: FilesTable;
  page_texts: PageTextsTable;
  ocr_pages: OcrPagesTable;
  letters: LettersTable;
  items: ItemsTable;
  citations: CitationsTable;
  mismatches: MismatchesTable;
  provenance: ProvenanceTable;
  corrections: CorrectionsTable;
  audit: AuditTable;
  reviews: ReviewsTable;
  record_versions: RecordVersionsTable;
  report_letters: ReportLettersTable;
  report_items: ReportItemsTable;
  report_citations: ReportCitationsTable;
  report_letter_specialties: ReportLetterSpecialtiesTable;
  report_log: ReportLogTable;
  users: UsersTable;
}

/** People of the web server (migration 9): a token hash, never the token. */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  /** `reviewer` | `analyst`. */
  role: string;
  /** Hex SHA-256 of the token; null once removed. */
  token_hash: string | null;
  token_issued_at: string | null;
  created_at: string;
  removed_at: string | null;
}

/** One rebuild of a letter's analyst rows, in commit order: what the analytics copy follows. */
export interface ReportLogTable {
  seq: Generated<number>;
  sha256: string;
  at: string;
}

export type DialectName = 'sqlite' | 'postgres';
