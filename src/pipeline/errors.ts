import type { ErrorCode } from '../../schemas/letter.js';

/**
 * A failure that belongs to the input file, not to the machine: it has a stable code, is never retried,
 * and ends the file in the `failed` state with that code.
 */
export class StageError extends Error {
  override readonly name = 'StageError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
