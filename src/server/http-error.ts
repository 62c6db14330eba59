import type { ClientErrorStatusCode, ServerErrorStatusCode } from 'hono/utils/http-status';

export type ErrorStatus = ClientErrorStatusCode | ServerErrorStatusCode;

/**
 * A request the server refuses on purpose (bad input, no access, unknown id): the status and the message
 * are the caller's to see. Thrown by routes and middleware; the app's onError (src/server/app.ts) turns it
 * into JSON or a page. Anything else thrown is a bug or the database and becomes a logged 500.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: ErrorStatus,
    message: string,
    /** More fields of a JSON answer, beside `error` (e.g. what the caller could have asked for). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}
