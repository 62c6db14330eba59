import type { Insertable, Selectable } from 'kysely';
import { DocumentRow, type FileRow } from '../../schemas/document.js';
import type { LetterRecord } from '../../schemas/letter.js';
import type { AuditAction, AuditEntry, Correction, Review } from '../../schemas/review.js';
import { ReviewState } from '../../schemas/review.js';
import type { TextDocument } from '../../schemas/text.js';
import { headerColumns } from '../pipeline/export/columns.js';
import { fromJson } from '../records/codec.js';
import type {
  AuditTable,
  CitationParty,
  CitationsTable,
  CorrectionsTable,
  DocumentsTable,
  FilesTable,
  ItemsTable,
  MismatchesTable,
  ProvenanceTable,
  ReviewsTable,
} from './db.js';

// Mapping between records and table rows, both ways.

export const now = () => new Date().toISOString();

export const toBool = (v: boolean | number): boolean => v === true || v === 1;

/** A document's row as registered: queued, or failed at intake with its error. */
export function newDocumentRow(input: {
  sha256: string;
  fileName: string;
  bytes: number;
  priority: number | undefined;
  error?: { code: string; message: string } | null | undefined;
  at: string;
}): Insertable<DocumentsTable> {
  return {
    sha256: input.sha256,
    file_name: input.fileName,
    status: input.error ? 'failed' : 'queued',
    error_code: input.error?.code ?? null,
    error_message: input.error?.message ?? null,
    bytes: input.bytes,
    pages: null,
    text_source: null,
    layout: null,
    parser_version: null,
    priority: input.priority ?? 0,
    ocr_pages: null,
    created_at: input.at,
    updated_at: input.at,
  };
}

export function toBytes(data: Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Inserts in slices, well under SQLite's and PostgreSQL's bound-parameter limits. */
export function chunks<T>(rows: readonly T[], size = 200): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function documentRow(row: Selectable<DocumentsTable>): DocumentRow {
  return DocumentRow.parse({
    sha256: row.sha256,
    fileName: row.file_name,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    bytes: Number(row.bytes),
    pages: row.pages === null ? null : Number(row.pages),
    textSource: row.text_source,
    layout: row.layout,
    parserVersion: row.parser_version,
    priority: Number(row.priority),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

export function fileRow(row: Selectable<FilesTable>): FileRow {
  return {
    id: Number(row.id),
    sha256: row.sha256,
    path: row.path,
    duplicate: toBool(row.duplicate),
    ingestedAt: row.ingested_at,
    settledTo: row.settled_to,
  };
}

export function textSourceOf(text: TextDocument): string | null {
  const sources = new Set(text.pages.map((p) => p.source));
  if (sources.size === 0) return null;
  if (sources.size > 1) return 'mixed';
  return sources.has('ocr') ? 'ocr' : 'text-layer';
}

/** The `letters` row of a record (without its key). */
export function letterColumns(record: LetterRecord, at: string) {
  return {
    ...headerColumns(record),
    licensure_json: JSON.stringify(record.reviewer.licensure),
    specialty: record.reviewer.specialty,
    patient_age: record.patient.age,
    patient_sex: record.patient.sex,
    layout: record.layout,
    parser_version: record.parserVersion,
    status: record.status,
    record_json: JSON.stringify(record),
    updated_at: at,
  };
}

/** The machine-value rows of a record, one array per table. */
export function recordRows(record: LetterRecord) {
  const sha256 = record.sha256;
  const items: Insertable<ItemsTable>[] = [];
  const citations: Insertable<CitationsTable>[] = [];
  record.items.forEach((item, idx) => {
    items.push({
      sha256,
      idx,
      description: item.description,
      quantity: item.quantity,
      decision: item.decision,
      original_request: item.originalRequest,
      authorized_portion: item.authorizedPortion,
      raw: item.raw,
      rationale: item.rationale,
      rationale_conclusion: item.rationaleConclusion,
      ca_raw: item.claimsAdministratorGuideline?.raw ?? null,
      mx_raw: item.maximusGuideline?.raw ?? null,
    });
    const parties: [CitationParty, typeof item.maximusGuideline][] = [
      ['claims_administrator', item.claimsAdministratorGuideline],
      ['maximus', item.maximusGuideline],
    ];
    for (const [party, guideline] of parties) {
      guideline?.citations.forEach((c, i) => {
        citations.push({
          sha256,
          item_idx: idx,
          party,
          idx: i,
          source: c.source,
          sections: c.sections,
          pages: c.pages,
        });
      });
    }
  });
  const mismatches: Insertable<MismatchesTable>[] = record.mismatches.map((m, idx) => ({
    sha256,
    idx,
    field: m.field,
    code: m.code,
    severity: m.severity,
    message: m.message,
  }));
  const provenance: Insertable<ProvenanceTable>[] = Object.entries(record.provenance).map(([field, p]) => ({
    sha256,
    field,
    page: p.page,
    start_offset: p.start,
    end_offset: p.end,
    box_json: p.box ? JSON.stringify(p.box) : null,
    confidence: p.confidence,
  }));
  return { items, citations, mismatches, provenance };
}

export function reviewRow(row: Selectable<ReviewsTable>): Review {
  return {
    sha256: row.sha256,
    state: ReviewState.parse(row.state),
    author: row.author,
    reason: row.reason,
    updatedAt: row.updated_at,
  };
}

export function auditRow(row: Selectable<AuditTable>): AuditEntry {
  return {
    id: Number(row.id),
    sha256: row.sha256,
    action: row.action as AuditAction,
    author: row.author,
    detail: fromJson(row.detail_json),
    createdAt: row.created_at,
  };
}

export function correctionRow(row: Selectable<CorrectionsTable>): Correction {
  return {
    id: Number(row.id),
    sha256: row.sha256,
    field: row.field,
    machineValue: fromJson(row.machine_value_json),
    value: fromJson(row.value_json),
    reason: row.reason,
    author: row.author,
    createdAt: row.created_at,
    parserVersion: row.parser_version ?? null,
  };
}
