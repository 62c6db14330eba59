import { DuckDBDateValue, DuckDBTimestampValue, StatementType } from '@duckdb/node-api';
import { openCopy, syncAnalyticsCopy } from './copy.js';
import { QueryError, type QueryLimits, type QueryResult, type Statement } from './query-types.js';

/**
 * The copy is opened read-only for analyst SQL, with no access to files or extensions and the settings
 * locked, so a query can neither write nor read outside the four views' tables.
 */
const READ_ONLY_OPTIONS: Record<string, string> = {
  access_mode: 'READ_ONLY',
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  lock_configuration: 'true',
};

/** A DuckDB value as the other engines give it: counts as numbers, text as text. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof DuckDBDateValue || value instanceof DuckDBTimestampValue) return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'toDouble' in value && typeof value.toDouble === 'function') {
    return Number(value.toDouble());
  }
  return String(value);
}

/**
 * Runs read-only statements on the analytics copy at `copyPath`, first brought up to the store at
 * `storeUrl` (the letters changed since the last sync). One read-only instance for the batch, one time
 * limit for the batch (a running statement is interrupted), `maxRows` per statement.
 */
export async function duckdbQuery(
  storeUrl: string,
  copyPath: string,
  statements: readonly Required<Statement>[],
  limits: QueryLimits,
): Promise<QueryResult[]> {
  const deadline = Date.now() + limits.timeoutMs;
  const overTime = () => new QueryError('timeout', `stopped after the time limit of ${limits.timeoutMs} ms`);
  try {
    await syncAnalyticsCopy(storeUrl, copyPath, deadline);
  } catch (err) {
    if (err instanceof QueryError) throw err;
    throw new QueryError(
      'no_database',
      `the analytics copy ${copyPath} could not be brought up to date: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (Date.now() > deadline) throw overTime();
  const instance = await openCopy(copyPath, READ_ONLY_OPTIONS, deadline).catch((err: unknown) => {
    throw new QueryError('no_database', `cannot open the analytics copy: ${String(err)}`);
  });
  const connection = await instance.connect();
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      connection.interrupt();
    },
    Math.max(1, deadline - Date.now()),
  );
  try {
    const results: QueryResult[] = [];
    for (const st of statements) {
      const prepared = await connection.prepare(st.sql).catch((err: unknown) => {
        throw new QueryError('invalid', err instanceof Error ? err.message : String(err));
      });
      if (
        prepared.statementType !== StatementType.SELECT &&
        prepared.statementType !== StatementType.EXPLAIN
      ) {
        throw new QueryError('not_read_only', 'statement refused: imr query is read-only');
      }
      if (st.params.length > 0) prepared.bind([...st.params]);
      const result = await prepared.stream();
      const columns = result.columnNames();
      const rows: unknown[][] = [];
      let truncated = false;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const row of chunk.getRows()) {
          if (rows.length >= limits.maxRows) {
            truncated = true;
            break;
          }
          rows.push(row.map(plain));
        }
        if (truncated) break;
      }
      results.push({ columns, rows, truncated });
    }
    return results;
  } catch (err) {
    if (timedOut) throw overTime();
    if (err instanceof QueryError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (
      /read-only|read only|external access|lock_configuration|configuration has been locked/i.test(message)
    ) {
      throw new QueryError('not_read_only', `refused: ${message}`);
    }
    throw new QueryError('invalid', message);
  } finally {
    clearTimeout(timer);
    connection.closeSync();
    instance.closeSync();
  }
}
