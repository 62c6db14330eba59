import { existsSync, renameSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { VIEW_SQL, viewSql } from '../records/report-rows.js';
import { parseStoreUrl } from '../store/url.js';

// The analytics copy: the store's analyst views (`letters`, `items`, `citations`, `mismatches`,
// `letter_specialties`), each copied into a DuckDB table of the same name, joined once and stored column
// by column, so a report reads only the columns it groups by and joins nothing. It follows the store
// through `report_log` (one row per rebuild of a letter's analyst rows, in commit order): a sync reads the
// letters changed since its last sequence number and replaces their rows, so corrected values reach
// reports as soon as they are committed.

/** The views copied, each into a table of its name. */
const TABLES = Object.keys(VIEW_SQL) as (keyof typeof VIEW_SQL)[];
type Table = keyof typeof VIEW_SQL;

type ColumnKind = 'bigint' | 'double' | 'boolean' | 'varchar';
interface Column {
  name: string;
  kind: ColumnKind;
}
type Columns = Record<Table, Column[]>;
const columnsOf = (columns: Columns, table: Table): Column[] => columns[table] ?? [];

const DUCK_TYPE: Record<ColumnKind, string> = {
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  varchar: 'VARCHAR',
};

function kindOf(declared: string): ColumnKind {
  const t = declared.toLowerCase();
  if (/int|serial/.test(t)) return 'bigint';
  if (/real|double|float|numeric/.test(t)) return 'double';
  if (/bool/.test(t)) return 'boolean';
  return 'varchar';
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Letters per `where sha256 in (...)` read of a sync. */
const SHA_BATCH = 500;
/** Rows per appender flush (and per PostgreSQL cursor fetch) of a full copy. */
const ROW_BATCH = 20_000;
/** Above this many changed letters a sync rebuilds the copy instead of patching it. */
const REBUILD_OVER = 50_000;

/** Reads the store: one read-only snapshot per sync. */
interface StoreReader {
  columns(): Promise<Columns>;
  /** The newest report_log sequence number (0 when empty). */
  lastSeq(): Promise<number>;
  /** Letters rebuilt after `seq`, and the newest sequence number among them. */
  changedSince(seq: number): Promise<{ shas: string[]; last: number }>;
  /** Every row of `table` (with `shas`: only those letters'), in batches. */
  rows(table: Table, columns: readonly Column[], shas?: readonly string[]): AsyncIterable<unknown[][]>;
  letterCount(): Promise<number>;
  close(): Promise<void>;
}

function sqliteReader(path: string): StoreReader {
  const db = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  // The views as `imr query` on the store sees them (temporary: the machine tables use the same names).
  for (const name of TABLES) db.exec(`create temp view ${name} as ${viewSql(name, 'main.')}`);
  // One snapshot for the whole sync: the log position and the rows agree.
  db.exec('begin');
  return {
    async columns() {
      const out = {} as Columns;
      for (const table of TABLES) {
        const columns = db.prepare(`select * from temp.${table}`).columns();
        out[table] = columns.map((c) => ({ name: c.name, kind: kindOf(c.type ?? '') }));
      }
      return out;
    },
    async lastSeq() {
      return Number(db.prepare('select coalesce(max(seq), 0) from report_log').pluck().get());
    },
    async changedSince(seq) {
      const rows = db
        .prepare('select seq, sha256 from report_log where seq > ? order by seq')
        .raw(true)
        .all(seq) as [number, string][];
      return { shas: [...new Set(rows.map((r) => r[1]))], last: rows.at(-1)?.[0] ?? seq };
    },
    async *rows(table, columns, shas) {
      const list = columns.map((c) => quoteIdent(c.name)).join(', ');
      if (shas) {
        for (let i = 0; i < shas.length; i += SHA_BATCH) {
          const slice = shas.slice(i, i + SHA_BATCH);
          yield db
            .prepare(`select ${list} from temp.${table} where sha256 in (${slice.map(() => '?').join(', ')})`)
            .raw(true)
            .all(...slice) as unknown[][];
        }
        return;
      }
      let batch: unknown[][] = [];
      for (const row of db.prepare(`select ${list} from temp.${table}`).raw(true).iterate()) {
        batch.push(row as unknown[]);
        if (batch.length === ROW_BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    async letterCount() {
      return Number(db.prepare('select count(*) from temp.letters').pluck().get());
    },
    async close() {
      db.exec('commit');
      db.close();
    },
  };
}

async function postgresReader(url: string): Promise<StoreReader> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  // One snapshot for the whole sync: the log position and the rows agree.
  await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // The analyst views are in schema analytics (named like the machine tables in public).
  await client.query('SET LOCAL search_path = public');
  const int = (v: unknown) => Number(v ?? 0);
  let cursors = 0;
  return {
    async columns() {
      const r = await client.query<{ table_name: Table; column_name: string; data_type: string }>(
        `select table_name, column_name, data_type from information_schema.columns
         where table_schema = 'analytics' and table_name = any($1) order by table_name, ordinal_position`,
        [TABLES],
      );
      const out = Object.fromEntries(TABLES.map((t) => [t, [] as Column[]])) as Columns;
      for (const row of r.rows)
        out[row.table_name]?.push({ name: row.column_name, kind: kindOf(row.data_type) });
      return out;
    },
    async lastSeq() {
      return int((await client.query('select coalesce(max(seq), 0) as n from report_log')).rows[0]?.n);
    },
    async changedSince(seq) {
      const r = await client.query({
        text: 'select seq, sha256 from report_log where seq > $1 order by seq',
        values: [seq],
        rowMode: 'array',
      });
      const rows = r.rows as [string, string][];
      return { shas: [...new Set(rows.map((x) => x[1]))], last: rows.length ? int(rows.at(-1)?.[0]) : seq };
    },
    async *rows(table, columns, shas) {
      const list = columns.map((c) => quoteIdent(c.name)).join(', ');
      if (shas) {
        for (let i = 0; i < shas.length; i += SHA_BATCH) {
          const r = await client.query({
            text: `select ${list} from analytics.${table} where sha256 = any($1)`,
            values: [shas.slice(i, i + SHA_BATCH)],
            rowMode: 'array',
          });
          yield r.rows as unknown[][];
        }
        return;
      }
      const cursor = `imr_copy_${++cursors}`;
      await client.query(`declare ${cursor} no scroll cursor for select ${list} from analytics.${table}`);
      for (;;) {
        const r = await client.query({ text: `fetch ${ROW_BATCH} from ${cursor}`, rowMode: 'array' });
        if (r.rows.length === 0) break;
        yield r.rows as unknown[][];
      }
      await client.query(`close ${cursor}`);
    },
    async letterCount() {
      return int((await client.query('select count(*) as n from analytics.letters')).rows[0]?.n);
    },
    async close() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

async function openReader(storeUrl: string): Promise<StoreReader> {
  const target = parseStoreUrl(storeUrl);
  return target.dialect === 'postgres' ? postgresReader(target.url) : sqliteReader(target.path);
}

/** What a sync did, for logs and benchmarks. */
export interface SyncResult {
  kind: 'none' | 'patch' | 'rebuild';
  letters: number;
  ms: number;
}

function appendValue(appender: DuckDBAppender, kind: ColumnKind, value: unknown): void {
  if (value === null || value === undefined) appender.appendNull();
  else if (kind === 'bigint') appender.appendBigInt(BigInt(Math.trunc(Number(value))));
  else if (kind === 'double') appender.appendDouble(Number(value));
  else if (kind === 'boolean') appender.appendBoolean(value === true || value === 1 || value === 't');
  else appender.appendVarchar(String(value));
}

async function appendRows(
  connection: DuckDBConnection,
  table: Table,
  columns: readonly Column[],
  batches: AsyncIterable<unknown[][]>,
): Promise<number> {
  const appender = await connection.createAppender(table, 'main');
  let n = 0;
  try {
    for await (const batch of batches) {
      for (const row of batch) {
        for (let i = 0; i < columns.length; i++) appendValue(appender, columns[i]!.kind, row[i]);
        appender.endRow();
      }
      n += batch.length;
      // No flush per batch: closeSync flushes once (a flush per 20,000 rows cost a third of a build).
    }
  } finally {
    appender.closeSync();
  }
  return n;
}

/** The columns as one string: a change of the store's tables (a migration) rebuilds the copy. */
const signatureOf = (columns: Columns) =>
  TABLES.map(
    (t) =>
      `${t}(${columnsOf(columns, t)
        .map((c) => `${c.name}:${c.kind}`)
        .join(',')})`,
  ).join(';');

/** A new copy file at `path`: every row of the store, the views, and the log position it reflects. */
async function buildCopy(reader: StoreReader, path: string): Promise<number> {
  const columns = await reader.columns();
  const seq = await reader.lastSeq();
  const instance = await DuckDBInstance.create(path);
  try {
    const c = await instance.connect();
    try {
      for (const table of TABLES) {
        const cols = columnsOf(columns, table);
        if (cols.length === 0) throw new Error(`the store has no view ${table} (is it migrated?)`);
        await c.run(
          `create table main.${table} (${cols.map((col) => `${quoteIdent(col.name)} ${DUCK_TYPE[col.kind]}`).join(', ')})`,
        );
        await appendRows(c, table, cols, reader.rows(table, cols));
      }
      // The copy's own bookkeeping. Not in a schema of its own: DuckDB names the database after its file
      // (imr.analytics.duckdb is catalog "imr"), and a schema of that name would be ambiguous.
      await c.run('create table main._imr_sync_state (seq BIGINT, signature VARCHAR, synced_at VARCHAR)');
      await c.run(
        `insert into main._imr_sync_state values (${seq}, ${quoteLiteral(signatureOf(columns))}, ${quoteLiteral(new Date().toISOString())})`,
      );
      await c.run('checkpoint');
    } finally {
      c.closeSync();
    }
  } finally {
    instance.closeSync();
  }
  return reader.letterCount();
}

/** Replaces the changed letters' rows in one DuckDB transaction. */
async function patchCopy(
  c: DuckDBConnection,
  reader: StoreReader,
  columns: Columns,
  shas: readonly string[],
  last: number,
): Promise<void> {
  await c.run('begin transaction');
  try {
    for (let i = 0; i < shas.length; i += SHA_BATCH) {
      const list = shas
        .slice(i, i + SHA_BATCH)
        .map(quoteLiteral)
        .join(', ');
      for (const table of TABLES) await c.run(`delete from main.${table} where sha256 in (${list})`);
    }
    for (const table of TABLES) {
      const cols = columnsOf(columns, table);
      await appendRows(c, table, cols, reader.rows(table, cols, shas));
    }
    await c.run(
      `update main._imr_sync_state set seq = ${last}, synced_at = ${quoteLiteral(new Date().toISOString())}`,
    );
    await c.run('commit');
  } catch (err) {
    await c.run('rollback').catch(() => undefined);
    throw err;
  }
}

const isLockError = (err: unknown) =>
  err instanceof Error && /lock|Conflicting|different configuration/i.test(err.message);

/** Opens the copy, waiting while another process holds it (DuckDB lets one process write a file). */
export async function openCopy(
  path: string,
  options: Record<string, string>,
  deadline: number,
): Promise<DuckDBInstance> {
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      return await DuckDBInstance.create(path, options);
    } catch (err) {
      if (!isLockError(err) || Date.now() + wait > deadline) throw err;
      await sleep(wait);
    }
  }
}

/** One sync at a time per copy in this process (DuckDB refuses a second writer of the same file). */
const syncing = new Map<string, Promise<unknown>>();

/**
 * Brings the analytics copy at `path` up to the store: builds it when missing (or when the store's
 * tables changed, or the log went backwards: a new store), else replaces the rows of the letters rebuilt
 * since its last sync. Returns what it did.
 */
export async function syncAnalyticsCopy(
  storeUrl: string,
  path: string,
  deadline = Date.now() + 600_000,
): Promise<SyncResult> {
  const before = syncing.get(path) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(() => syncOnce(storeUrl, path, deadline));
  syncing.set(path, run);
  try {
    return await run;
  } finally {
    if (syncing.get(path) === run) syncing.delete(path);
  }
}

async function syncOnce(storeUrl: string, path: string, deadline: number): Promise<SyncResult> {
  const t0 = performance.now();
  const done = (kind: SyncResult['kind'], letters: number): SyncResult => ({
    kind,
    letters,
    ms: performance.now() - t0,
  });
  const reader = await openReader(storeUrl);
  try {
    if (existsSync(path)) {
      // A copy that cannot be opened (a stray file, a newer format) is built anew; a lock is waited for.
      const instance = await openCopy(path, {}, deadline).catch((err: unknown) => {
        if (isLockError(err)) throw err;
        return null;
      });
      let rebuild = instance === null;
      try {
        if (!instance) throw new Error('unreadable copy');
        const c = await instance.connect();
        try {
          const state = (
            await c.runAndReadAll('select seq, signature from main._imr_sync_state')
          ).getRowsJS()[0];
          const seq = Number(state?.[0] ?? -1);
          const columns = await reader.columns();
          const { shas, last } = await reader.changedSince(seq);
          if (
            state?.[1] !== signatureOf(columns) ||
            (await reader.lastSeq()) < seq ||
            shas.length > REBUILD_OVER
          ) {
            rebuild = true;
          } else if (shas.length === 0) {
            return done('none', 0);
          } else {
            await patchCopy(c, reader, columns, shas, last);
            return done('patch', shas.length);
          }
        } finally {
          c.closeSync();
        }
      } catch (err) {
        // A copy that cannot be read (a crash while it was built, a newer format) is built anew.
        if (isLockError(err)) throw err;
        rebuild = true;
      } finally {
        instance?.closeSync();
      }
      if (!rebuild) return done('none', 0);
    }
    // Built beside and renamed into place: a reader never sees a half-built copy.
    const building = `${path}.building`;
    for (const f of [building, `${building}.wal`]) rmSync(f, { force: true });
    const letters = await buildCopy(reader, building);
    rmSync(`${path}.wal`, { force: true });
    renameSync(building, path);
    return done('rebuild', letters);
  } finally {
    await reader.close();
  }
}
