import { z } from 'zod';
import { Severity } from './letter.js';

/**
 * QA review: corrections live beside the machine values (never over them), every action leaves an audit
 * row, and a letter's review state says whether it has left the queue.
 *
 * Field paths are those of `Mismatch.field`: `caseNumber`, `decisionDate`, `dateAssigned`,
 * `applicationReceived`, `priority`, `injuryDate`, `urDate`, `reviewer.licensure` (string[]),
 * `reviewer.specialty`, `patient.age`, `patient.sex`, `items.N.<itemField>` (description, quantity,
 * decision, originalRequest, authorizedPortion, rationaleConclusion), and `items.N` for a whole item:
 * an Item value adds one (N = any index not taken by a machine item), null removes one. N is the index in
 * the machine record (added items take indices after it), so removals never renumber other items.
 */
export const FieldPath = z
  .string()
  .regex(
    /^(caseNumber|decisionDate|dateAssigned|applicationReceived|priority|injuryDate|urDate|reviewer\.licensure|reviewer\.specialty|patient\.age|patient\.sex|items\.\d{1,3}(\.(description|quantity|decision|originalRequest|authorizedPortion|rationaleConclusion))?)$/,
    'not a correctable field path',
  );
export type FieldPath = z.infer<typeof FieldPath>;

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'not a sha256');

/** Who did it: the signed-in user's name, or (no users) a short name the reviewer typed. */
export const Author = z.string().trim().min(1).max(80);

/** A correction as requested (the machine value is looked up by the store, never trusted from a client). */
export const CorrectionInput = z.object({
  sha256: Sha256,
  field: FieldPath,
  /** JSON value; null clears the field (or removes an item for `items.N`). */
  value: z.unknown(),
  reason: z.string().max(2000).nullable().default(null),
  author: Author,
});
export type CorrectionInput = z.input<typeof CorrectionInput>;

export const Correction = z.object({
  id: z.number().int(),
  sha256: Sha256,
  field: FieldPath,
  /** The machine value of the field when the correction was made (undefined for an added item: null). */
  machineValue: z.unknown(),
  value: z.unknown(),
  reason: z.string().nullable(),
  author: z.string(),
  createdAt: z.string(),
  /** Parser version of the machine record the correction was made against. */
  parserVersion: z.string().nullable(),
});
export type Correction = z.infer<typeof Correction>;

export const ReviewState = z.enum(['pending', 'approved', 'rejected']);
export type ReviewState = z.infer<typeof ReviewState>;

export const Review = z.object({
  sha256: Sha256,
  state: ReviewState,
  author: z.string().nullable(),
  /** Required to reject; optional note when approving. */
  reason: z.string().nullable(),
  updatedAt: z.string(),
});
export type Review = z.infer<typeof Review>;

export const AuditAction = z.enum(['correct', 'approve', 'reject', 'reopen', 'reprocess']);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntry = z.object({
  id: z.number().int(),
  sha256: z.string().nullable(),
  action: AuditAction,
  author: z.string().nullable(),
  detail: z.unknown(),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** One row of the review queue: a letter that needs review and has not been approved or rejected. */
export const QueueRow = z.object({
  sha256: Sha256,
  fileName: z.string(),
  caseNumber: z.string().nullable(),
  decisionDate: z.string().nullable(),
  /** The worst severity among its mismatches (error first). */
  worstSeverity: Severity.nullable(),
  errors: z.number().int(),
  warnings: z.number().int(),
  /** The lowest field confidence of its provenance (1 when none). */
  minConfidence: z.number(),
  codes: z.array(z.string()),
  corrections: z.number().int(),
});
export type QueueRow = z.infer<typeof QueueRow>;
