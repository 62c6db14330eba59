import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import pg from 'pg';
import { VIEW_SQL, viewSql } from '../records/report-rows.js';
import { ANALYST_LOGIN, ANALYST_ROLE } from '../store/migrations.js';
import { parseStoreUrl } from '../store/url.js';
import { duckdbQuery } from './duckdb-query.js';
import {
  DEFAULT_QUERY_LIMITS,
  QueryError,
  type QueryLimits,
  type QueryParam,
  type QueryResult,
  type Statement,
} from './query-types.js';

export {
  DEFAULT_QUERY_LIMITS,
  QueryError,
  type QueryLimits,
  type QueryParam,
  type QueryResult,
  type Statement,
} from './query-types.js';

const READ_ONLY_START = /^(?:select|with|values|explain)\b/i;

/**
 * PostgreSQL functions that set a session setting (`set_config('role', ...)` would undo the analyst role
 * where the session's user may become another), run SQL handed to them as text past this check, or touch
 * large objects (creating one needs no privilege).
 */
const SESSION_OR_DYNAMIC_SQL =
  /\b(?:set_config|query_to_xml\w*|cursor_to_xml\w*|ts_stat|ts_rewrite|dblink\w*|lo_\w+|loread|lowrite)\b/;

/** Strips comments and one trailing semicolon; refuses anything but one read-only statement. */
export function checkReadOnly(sql: string): string {
  const text = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .replace(/;\s*$/, '')
    .trim();
  if (text === '') throw new QueryError('invalid', 'empty query');
  if (text.includes(';')) throw new QueryError('not_read_only', 'one statement at a time');
  if (!READ_ONLY_START.test(text)) {
    const verb = /^\w+/.exec(text)?.[0]?.toUpperCase() ?? 'this statement';
    throw new QueryError(
      'not_read_only',
      `${verb} refused: imr query is read-only (SELECT, WITH, VALUES or EXPLAIN over the views letters, items, citations, mismatches)`,
    );
  }
  if (
    /\b(?:insert|update|delete|drop|alter|create|attach|detach|pragma|vacuum|reindex|truncate|grant|revoke|copy|lock|call|do)\b/i.test(
      text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, "''"),
    )
  ) {
    // WITH ... DELETE and friends; the database refuses them too, this gives the clearer message.
    throw new QueryError(
      'not_read_only',
      'statement refused: imr query is read-only (it contains a write keyword)',
    );
  }
  // Checked on the whole text, strings included: such a function could be handed its SQL in one.
  if (/u&"/i.test(text) || SESSION_OR_DYNAMIC_SQL.test(text.toLowerCase().replaceAll('"', ''))) {
    throw new QueryError(
      'not_read_only',
      'statement refused: imr query may not change settings, run SQL given as text or touch large objects (set_config, query_to_xml, ts_stat, lo_*, ...)',
    );
  }
  return text;
}

const QUOTED_OR_PLACEHOLDER = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g;

/**
 * PostgreSQL's `$n` placeholders as SQLite named parameters (`@pn`), outside quoted text, so one SQL text
 * serves both engines.
 */
export function sqlitePlaceholders(sql: string): string {
  return sql.replace(QUOTED_OR_PLACEHOLDER, (match, n: string | undefined) => (n ? `@p${n}` : match));
}

function checkParams(params: readonly QueryParam[]): void {
  for (const p of params) {
    if (p !== null && typeof p !== 'string' && !(typeof p === 'number' && Number.isFinite(p))) {
      throw new QueryError('invalid', 'a bound value must be a string, a finite number or null');
    }
  }
}

/**
 * SQLite runs in a child process opened read-only (and query_only): better-sqlite3 is synchronous and a
 * runaway query sits in native code, where neither a timer nor a worker thread's terminate() reaches it;
 * a process can always be killed.
 */
const SQLITE_CHILD = `
const input = JSON.parse(process.argv[1]);
const Database = require(input.driver);
const out = (o) => process.stdout.write(JSON.stringify(o));
let db;
try {
  db = new Database(input.path, { readonly: true, fileMustExist: true });
  // The analyst views shadow the machine tables of the same names (temp comes first in name lookup).
  for (const [name, body] of input.views) db.exec('create temp view ' + name + ' as ' + body);
  db.pragma('query_only = ON');
  // One read transaction: every statement of a batch sees the same snapshot.
  db.exec('begin');
  const stmts = input.statements.map(({ sql }) => db.prepare(sql));
  if (stmts.some((stmt) => !stmt.readonly || !stmt.reader)) {
    throw Object.assign(new Error('statement refused: imr query is read-only'), { code: 'not_read_only' });
  }
  const results = [];
  for (const [i, stmt] of stmts.entries()) {
    const { params } = input.statements[i];
    stmt.raw(true);
    const columns = stmt.columns().map((c) => c.name);
    const rows = [];
    let truncated = false;
    const named = Object.fromEntries(params.map((v, i) => ['p' + (i + 1), v]));
    for (const row of stmt.iterate(named)) {
      if (rows.length >= input.maxRows) { truncated = true; break; }
      rows.push(row.map((v) => (typeof v === 'bigint' ? Number(v) : Buffer.isBuffer(v) ? '<' + v.length + ' bytes>' : v)));
    }
    results.push({ columns, rows, truncated });
  }
  out({ results });
} catch (err) {
  out({ error: err.code === 'not_read_only' ? err.code : 'invalid', message: err.message });
} finally {
  db?.close();
}
`;

interface ChildReply {
  results?: QueryResult[];
  error?: 'not_read_only' | 'invalid';
  message?: string;
}

async function sqliteQuery(
  path: string,
  statements: readonly Required<Statement>[],
  limits: QueryLimits,
): Promise<QueryResult[]> {
  const input = {
    driver: createRequire(import.meta.url).resolve('better-sqlite3'),
    path,
    statements: statements.map((st) => ({
      sql: st.params.length > 0 ? sqlitePlaceholders(st.sql) : st.sql,
      params: st.params,
    })),
    maxRows: limits.maxRows,
    views: (Object.keys(VIEW_SQL) as (keyof typeof VIEW_SQL)[]).map((v) => [v, viewSql(v, 'main.')]),
  };
  const child = spawn(process.execPath, ['-e', SQLITE_CHILD, JSON.stringify(input)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {},
  });
  const chunks: Buffer[] = [];
  const errors: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  child.stderr.on('data', (b: Buffer) => errors.push(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, limits.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (timedOut) throw new QueryError('timeout', `stopped after the time limit of ${limits.timeoutMs} ms`);
  let reply: ChildReply;
  try {
    reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChildReply;
  } catch {
    const why = Buffer.concat(errors).toString('utf8').trim().split('\n').at(-1) ?? `exit ${code}`;
    throw new QueryError('invalid', `the query process failed: ${why}`);
  }
  if (reply.error) throw new QueryError(reply.error, reply.message ?? 'query failed');
  if (reply.results?.length !== statements.length)
    throw new QueryError('invalid', 'the query process failed');
  return reply.results;
}

/** A derived analyst login refused (password authentication) is not tried again for this long. */
const LOGIN_RETRY_MS = 5 * 60_000;
const loginRefusedAt = new Map<string, number>();

/** The store's URL as the analyst login (same server and database, no password); null if not expressible. */
function analystLoginUrl(url: string): string | null {
  try {
    const u = new URL(url);
    u.username = ANALYST_LOGIN;
    u.password = '';
    return u.username === ANALYST_LOGIN && !u.searchParams.has('user') ? u.toString() : null;
  } catch {
    return null;
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/**
 * The connection analyst SQL runs on: as the analyst login (`analystUrl`, else the store's URL with the
 * login's name and no password, which trust authentication admits), whose session cannot become anyone
 * else; failing that, as the store's own user, which then only `SET ROLE`s (see README, Security).
 */
async function analystConnection(url: string, analystUrl: string | null | undefined): Promise<pg.Client> {
  if (analystUrl) {
    try {
      return await connect(analystUrl);
    } catch (err) {
      throw new QueryError(
        'invalid',
        `cannot connect as the analyst (IMR_ANALYST_DATABASE_URL): ${String(err)}`,
      );
    }
  }
  const login = analystLoginUrl(url);
  const refusedAt = loginRefusedAt.get(url);
  if (login && (refusedAt === undefined || Date.now() - refusedAt > LOGIN_RETRY_MS)) {
    try {
      const client = await connect(login);
      loginRefusedAt.delete(url);
      return client;
    } catch {
      loginRefusedAt.set(url, Date.now());
    }
  }
  return connect(url);
}

async function postgresQuery(
  url: string,
  statements: readonly Required<Statement>[],
  limits: QueryLimits,
  analystUrl: string | null | undefined,
): Promise<QueryResult[]> {
  const client = await analystConnection(url, analystUrl);
  try {
    // One simple-protocol round trip: a READ ONLY transaction as the analyst role (SELECT on the views in
    // schema analytics, nothing else), the views before the machine tables of the same names.
    let opened: pg.QueryResult[];
    try {
      opened = (await client.query(
        `BEGIN TRANSACTION READ ONLY; SET LOCAL ROLE ${ANALYST_ROLE}; ` +
          'SET LOCAL search_path = analytics, public; ' +
          'SELECT rolsuper FROM pg_roles WHERE rolname = session_user',
      )) as unknown as pg.QueryResult[];
    } catch (err) {
      throw new QueryError(
        'invalid',
        `analyst SQL runs as the role ${ANALYST_ROLE}, which this session cannot take (${(err as Error).message}): migrate the store, see README, Security`,
      );
    }
    const sessionSuper = (opened.at(-1)?.rows[0] as { rolsuper?: boolean } | undefined)?.rolsuper;
    if (analystUrl && sessionSuper !== false) {
      throw new QueryError('invalid', 'IMR_ANALYST_DATABASE_URL names a superuser: name the analyst login');
    }
    // The whole batch shares one time limit, as it shares one child process on SQLite.
    const deadline = Date.now() + limits.timeoutMs;
    const results: QueryResult[] = [];
    for (const st of statements) {
      const left = Math.max(1, Math.floor(deadline - Date.now()));
      await client.query(`SET LOCAL statement_timeout = ${left}`);
      const result = await client.query({
        text: `SELECT * FROM (${st.sql}) AS q LIMIT ${limits.maxRows + 1}`,
        values: [...st.params],
        rowMode: 'array',
        // Counts (bigint) and rates (numeric) as numbers, as SQLite gives them.
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            oid === 20 || oid === 1700
              ? (v: string) => Number(v)
              : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
        },
      });
      results.push({
        columns: result.fields.map((f) => f.name),
        rows: (result.rows as unknown[][]).slice(0, limits.maxRows),
        truncated: result.rows.length > limits.maxRows,
      });
    }
    // The role must be the one the batch started as (the statement check keeps set_config out; this says
    // so if something got past it).
    const after = await client.query<{ role: string }>('SELECT current_user AS role');
    if (after.rows[0]?.role !== ANALYST_ROLE) {
      throw new QueryError('not_read_only', 'refused: the query changed the role it runs as');
    }
    return results;
  } catch (err) {
    if (err instanceof QueryError) throw err;
    const e = err as { code?: string; message: string };
    if (e.code === '57014')
      throw new QueryError('timeout', `stopped after the time limit of ${limits.timeoutMs} ms`);
    if (e.code === '25006') throw new QueryError('not_read_only', `refused: ${e.message}`);
    // insufficient_privilege: anything beyond the analyst views.
    if (e.code === '42501')
      throw new QueryError('not_read_only', `refused: ${e.message} (analyst SQL reads the views only)`);
    throw new QueryError('invalid', e.message);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

/**
 * Where analyst SQL runs: the store itself (its own dialect), or with `analyticsCopy` (a DuckDB file
 * path) the analytics copy, synced from the store first (see copy.ts).
 */
export interface QueryEngine {
  analyticsCopy?: string | null;
  /** PostgreSQL: the analyst login's URL (IMR_ANALYST_DATABASE_URL), else derived from the store's. */
  analystUrl?: string | null;
}

/**
 * Runs one analyst query: read-only (a read-only SQLite connection, or a PostgreSQL READ ONLY
 * transaction, behind a statement check), with a time limit and a row limit.
 */
export async function runQuery(
  databaseUrl: string,
  sql: string,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
  params: readonly QueryParam[] = [],
  engine: QueryEngine = {},
): Promise<QueryResult> {
  const [result] = await runQueries(databaseUrl, [{ sql, params }], limits, engine);
  return result!;
}

/**
 * Several read-only statements in one read-only connection and transaction (one child process on
 * SQLite): one snapshot, one time limit for the batch, `maxRows` for each. User input goes in `params`,
 * bound to the `$1`, `$2`, ... placeholders of each statement (PostgreSQL syntax, on both engines).
 */
export async function runQueries(
  databaseUrl: string,
  statements: readonly Statement[],
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
  engine: QueryEngine = {},
): Promise<QueryResult[]> {
  const checked = statements.map((st) => {
    const params = st.params ?? [];
    checkParams(params);
    return { sql: checkReadOnly(st.sql), params };
  });
  if (checked.length === 0) return [];
  const target = parseStoreUrl(databaseUrl);
  if (target.dialect === 'sqlite' && !existsSync(target.path))
    throw new QueryError('no_database', `no database at ${target.path} (run the pipeline first)`);
  if (engine.analyticsCopy) return duckdbQuery(databaseUrl, engine.analyticsCopy, checked, limits);
  return target.dialect === 'sqlite'
    ? sqliteQuery(target.path, checked, limits)
    : postgresQuery(target.url, checked, limits, engine.analystUrl);
}
