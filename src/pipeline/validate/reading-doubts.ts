import type { Mismatch } from '../../../schemas/letter.js';

/**
 * The code of a field whose OCR reading looks wrong (see ocr-suspects.ts). Here, apart from the checks,
 * so that applying corrections does not load the vocabulary and the language model.
 */
export const OCR_SUSPECT = 'ocr_suspect';

/** Mismatch codes that doubt how a field was read, not what it says: moot once QA has set the value. */
export const READING_DOUBTS: readonly string[] = [OCR_SUSPECT, 'low_confidence'];

/**
 * The mismatches without the reading doubts of fields QA corrected (`fields`: correction paths in the
 * machine record's indices; `items.N` covers the whole item). For `correct()` in
 * src/records/apply-corrections.ts, before item mismatches are moved to their new positions.
 */
export function withoutCorrectedDoubts(
  mismatches: readonly Mismatch[],
  fields: Iterable<string>,
  codes: readonly string[] = READING_DOUBTS,
): Mismatch[] {
  const corrected = [...fields];
  return mismatches.filter(
    (m) =>
      !codes.includes(m.code) ||
      !corrected.some((f) => m.field === f || (/^items\.\d+$/.test(f) && m.field.startsWith(`${f}.`))),
  );
}
