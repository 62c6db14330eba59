import type { Correction, CorrectionInput, Review, ReviewState } from '../../schemas/review.js';
import type { Store } from '../store/store.js';
import { exportLetter } from './export.js';

/**
 * What the web review pages call: the store action, then the letter's per-letter export rewritten from
 * its corrected record (the store writes no files). Store errors (`ReviewInputError`) pass through
 * before any file is touched.
 */

/** Approve, reject (reason required) or reopen a letter, then rewrite its per-letter export. */
export async function reviewLetter(
  store: Store,
  exportDir: string,
  input: { sha256: string; state: ReviewState; author: string; reason?: string | null },
): Promise<Review> {
  const review = await store.setReview(input);
  await exportLetter(store, exportDir, input.sha256);
  return review;
}

/** Approve a letter (document status `done`, into the gold set), then rewrite its per-letter export. */
export function approveLetter(
  store: Store,
  exportDir: string,
  input: { sha256: string; author: string; reason?: string | null },
): Promise<Review> {
  return reviewLetter(store, exportDir, { ...input, state: 'approved' });
}

/** Add a correction, then rewrite the per-letter export so it never lags the database. */
export async function correctLetter(
  store: Store,
  exportDir: string,
  input: CorrectionInput,
): Promise<Correction> {
  const correction = await store.addCorrection(input);
  await exportLetter(store, exportDir, input.sha256);
  return correction;
}
