// The types of the analyst query path, shared by its engines (store SQL, the DuckDB copy).

export interface QueryLimits {
  /** The query is stopped after this long. */
  timeoutMs: number;
  /** At most this many rows come back (`truncated` says when there were more). */
  maxRows: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { timeoutMs: 10_000, maxRows: 10_000 };

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}

/** A value bound to a `$1`, `$2`, ... placeholder: never part of the SQL text. */
export type QueryParam = string | number | null;

/** One statement of a batch, with the values of its placeholders (`$1` is `params[0]`). */
export interface Statement {
  sql: string;
  params?: readonly QueryParam[];
}

/** A query the analyst may not run, or one that failed: the message says which and why. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    readonly code: 'not_read_only' | 'timeout' | 'invalid' | 'no_database',
    message: string,
  ) {
    super(message);
  }
}
