import type { DocStatus } from '../../schemas/document.js';
import type { LetterRecord } from '../../schemas/letter.js';
import type { Review } from '../../schemas/review.js';

/** Mismatch code of a field whose QA correction a re-parse disagrees with. */
export const CORRECTION_DISAGREES = 'correction_disagrees';

/**
 * The terminal status of a parsed letter: `failed` for a failed record; `done` once QA approved it;
 * `needs_review` for a record that needs it or a re-parse that disagrees with QA; else `done`.
 */
export function docStatusFor(record: LetterRecord, review: Review | null): DocStatus {
  if (record.status === 'failed') return 'failed';
  if (review?.state === 'approved') return 'done';
  if (record.status === 'needs_review') return 'needs_review';
  return record.mismatches.some((m) => m.code === CORRECTION_DISAGREES) ? 'needs_review' : 'done';
}
