import { z } from 'zod';
import { Box, TextSource } from './text.js';

export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date YYYY-MM-DD');

export const Citation = z.object({
  /** Text after "Decision based on" up to the comma before `Section(s):` (or `Page(s):`). */
  source: z.string().nullable(),
  sections: z.string().nullable(),
  pages: z.string().nullable(),
});
export type Citation = z.infer<typeof Citation>;

export const Guideline = z.object({
  citations: z.array(Citation),
  /** The whole guideline paragraph, whitespace collapsed. */
  raw: z.string(),
});
export type Guideline = z.infer<typeof Guideline>;

export const Decision = z.enum(['upheld', 'overturned']);
export type Decision = z.infer<typeof Decision>;

export const RationaleConclusion = z.enum(['not_medically_necessary', 'medically_necessary']);
export type RationaleConclusion = z.infer<typeof RationaleConclusion>;

export const Item = z.object({
  /** The item as written before the decision word; for a modified request the IMR-eligible portion. */
  description: z.string().min(1),
  quantity: z.number().int().nonnegative().nullable(),
  decision: Decision,
  originalRequest: z.string().nullable(),
  authorizedPortion: z.string().nullable(),
  /** The whole item text before the decision word. */
  raw: z.string(),
  claimsAdministratorGuideline: Guideline.nullable(),
  maximusGuideline: Guideline.nullable(),
  rationale: z.string().nullable(),
  rationaleConclusion: RationaleConclusion.nullable(),
});
export type Item = z.infer<typeof Item>;

export const Sex = z.enum(['male', 'female']);

export const Provenance = z.object({
  page: z.number().int().positive(),
  /** Character offsets into that page's stored text. */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  box: Box.optional(),
  confidence: z.number().min(0).max(1),
});
export type Provenance = z.infer<typeof Provenance>;

export const Severity = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof Severity>;

export const Mismatch = z.object({
  /** Field path as in `provenance`, e.g. `items.2.decision`; `letter` for the whole letter. */
  field: z.string(),
  /** Stable machine code, e.g. `missing_field`, `rationale_contradicts_decision`. */
  code: z.string(),
  severity: Severity,
  message: z.string(),
});
export type Mismatch = z.infer<typeof Mismatch>;

export const Layout = z.enum(['fdl-2016', 'fdl-2015', 'notice-2013']);
export type Layout = z.infer<typeof Layout>;

/** The letter fields a parser extracts (what QA corrects and analysts query). */
export const LetterFields = z.object({
  caseNumber: z.string().nullable(),
  decisionDate: IsoDate.nullable(),
  dateAssigned: IsoDate.nullable(),
  applicationReceived: IsoDate.nullable(),
  priority: z.string().nullable(),
  injuryDate: IsoDate.nullable(),
  urDate: IsoDate.nullable(),
  reviewer: z.object({
    licensure: z.array(z.string()),
    /** The "Certification(s)/Specialty" value as printed (typos kept). */
    specialty: z.string().nullable(),
  }),
  patient: z.object({
    age: z.number().int().nullable(),
    sex: Sex.nullable(),
  }),
  items: z.array(Item),
});
export type LetterFields = z.infer<typeof LetterFields>;

export const ErrorCode = z.enum([
  'not_found',
  'not_a_file',
  'empty_file',
  'not_pdf',
  'truncated_pdf',
  'corrupt_pdf',
  'encrypted',
  'no_text',
  'ocr_timeout',
  'ocr_failed',
  'unknown_layout',
  'too_large',
  'page_too_large',
  'time_limit',
  'memory_limit',
  'gave_up',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ExtractError = z.object({ code: ErrorCode, message: z.string() });
export type ExtractError = z.infer<typeof ExtractError>;

export const Status = z.enum(['ok', 'needs_review', 'failed']);
export type Status = z.infer<typeof Status>;

export const PageInfo = z.object({
  page: z.number().int().positive(),
  source: TextSource,
  chars: z.number().int().nonnegative(),
});

/**
 * The reviewer of a record: the printed specialty and its canonical names (src/pipeline/validate/
 * specialties.ts), derived from `specialty` whenever it is set or corrected. Records written before
 * the canonical names lack them: `src/records/codec.ts` derives them on read.
 */
export const RecordReviewer = LetterFields.shape.reviewer.extend({
  /** Canonical specialties, in printed order, each once; near misses corrected, unknown parts left out. */
  specialties: z.array(z.string()).optional(),
  /** The first of `specialties`, or null. */
  primarySpecialty: z.string().nullable().optional(),
});
export type RecordReviewer = z.infer<typeof RecordReviewer>;

/** One line of `imr extract`: a letter's record, or a failed file with its error (fields null/empty). */
export const LetterRecord = LetterFields.extend({
  reviewer: RecordReviewer,
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  status: Status,
  error: ExtractError.nullable(),
  textSource: z.enum(['text-layer', 'ocr', 'mixed']).nullable(),
  layout: Layout.nullable(),
  parserVersion: z.string(),
  pages: z.array(PageInfo),
  mismatches: z.array(Mismatch),
  provenance: z.record(z.string(), Provenance),
});
export type LetterRecord = z.infer<typeof LetterRecord>;
