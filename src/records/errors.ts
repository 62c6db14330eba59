/**
 * A QA request the store refuses: `invalid` (bad path, value, author or missing reason), `not_found` (no
 * such letter, or no record yet), `conflict` (the letter cannot take it, e.g. a failed record). The web
 * server maps these to 400 / 404 / 409; anything else is a bug or the database.
 */
export class ReviewInputError extends Error {
  override readonly name = 'ReviewInputError';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'not_found' | 'conflict' = 'invalid',
  ) {
    super(message);
  }
}
