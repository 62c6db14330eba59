import { z } from 'zod';
import { ErrorCode } from './letter.js';

/**
 * Where a document is in the pipeline. `done`, `needs_review` and `failed` are terminal: every ingested
 * file ends in exactly one of them.
 */
export const DocStatus = z.enum([
  'queued',
  'extracting',
  'extracted',
  'parsed',
  'done',
  'needs_review',
  'failed',
]);
export type DocStatus = z.infer<typeof DocStatus>;
export const TERMINAL_STATUSES: readonly DocStatus[] = ['done', 'needs_review', 'failed'];

export const DocumentRow = z.object({
  sha256: z.string(),
  /** Name of the first file that brought these bytes. */
  fileName: z.string(),
  status: DocStatus,
  errorCode: ErrorCode.nullable(),
  errorMessage: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  pages: z.number().int().nullable(),
  /** 'text-layer' | 'ocr' | 'mixed' once extracted. */
  textSource: z.string().nullable(),
  layout: z.string().nullable(),
  parserVersion: z.string().nullable(),
  /** Queue priority of its jobs: 0 for inbox drops (first), BACKFILL_PRIORITY for backfills (behind). */
  priority: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DocumentRow = z.infer<typeof DocumentRow>;

/** One file seen in the inbox; several files may carry the same bytes (duplicates are linked, not redone). */
export const FileRow = z.object({
  id: z.number().int(),
  sha256: z.string(),
  path: z.string(),
  duplicate: z.boolean(),
  ingestedAt: z.string(),
  /** Where the file was moved once its document was terminal (archive/ or quarantine/), else null. */
  settledTo: z.string().nullable(),
});
export type FileRow = z.infer<typeof FileRow>;

/** Queue job payloads: ids only, never document bytes or letter text (Redis keeps job data in clear). */
export const DocJob = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type DocJob = z.infer<typeof DocJob>;

/** An OCR page job: one page of a scanned document (any worker on any machine may take it). */
export const PageJob = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  page: z.number().int().positive(),
});
export type PageJob = z.infer<typeof PageJob>;

/**
 * BullMQ serves jobs without a priority first, then prioritized ones (lowest number first): inbox drops
 * carry none, backfills this one, so a live drop never waits behind a backfill.
 */
export const BACKFILL_PRIORITY = 100;

/**
 * What intake staff see of a dropped file (`/files`, `imr files`): its document's progress, or `duplicate`
 * for known bytes under another name (linked, not processed again). `extracting` covers every step between
 * queued and terminal (reading, OCR, parsing, exporting).
 */
export const IntakeState = z.enum(['queued', 'extracting', 'done', 'needs_review', 'failed', 'duplicate']);
export type IntakeState = z.infer<typeof IntakeState>;

export const IntakeFile = z.object({
  id: z.number().int(),
  sha256: z.string(),
  /** The file's name as dropped. */
  name: z.string(),
  /** Where it was dropped. */
  path: z.string(),
  size: z.number().int().nonnegative(),
  ingestedAt: z.string(),
  state: IntakeState,
  /** Its document's status (a duplicate's too). */
  status: DocStatus,
  errorCode: ErrorCode.nullable(),
  errorMessage: z.string().nullable(),
  /** For a duplicate: the name of the first file with these bytes. */
  duplicateOf: z.string().nullable(),
  /** Where it was moved (archive/ or quarantine/), `missing`, or null while in its intake folder. */
  settledTo: z.string().nullable(),
});
export type IntakeFile = z.infer<typeof IntakeFile>;
