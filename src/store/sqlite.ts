import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/** Reads and schema changes wait this long for another process (a thread-blocking wait, rare). */
const BUSY_TIMEOUT_MS = 5000;
/** Write transactions wait this long for another process' write lock (without blocking the thread). */
const WRITE_LOCK_WAIT_MS = 10_000;

export function openSqlite(path: string): SqliteDatabase.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new SqliteDatabase(path);
  // busy_timeout first, so that switching to WAL waits for another process instead of failing.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Kysely prepares every query anew; SQLite compiling the same few statements for every letter was a
 * tenth of the pipeline's database time. The cache is bounded: queries whose text varies (IN lists of
 * different lengths) do not grow it past the limit.
 */
export function withStatementCache(db: SqliteDatabase.Database, limit = 500): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(source: string) {
      let stmt = cache.get(source);
      if (!stmt) {
        stmt = db.prepare(source);
        if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
        cache.set(source, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      db.close();
    },
  };
}

/** Per SQLite file, the tail of this process' queue of write transactions. */
const fileLocks = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier call for the same key has finished (a FIFO mutex per key). */
export async function withFileLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = fileLocks.get(key) ?? Promise.resolve();
  let release = () => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  fileLocks.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (fileLocks.get(key) === tail) fileLocks.delete(key);
  }
}

let memoryDatabases = 0;

export function sqliteLockKey(path: string): string {
  if (path === ':memory:') {
    memoryDatabases += 1;
    return `:memory:${memoryDatabases}`;
  }
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * BEGIN IMMEDIATE, waiting for another process' write lock without blocking this thread: SQLite's busy
 * handler sleeps synchronously (and backs off to 100 ms naps), which froze every job of this process
 * whenever the other worker process wrote. Here a busy lock is retried after a short timer instead,
 * up to WRITE_LOCK_WAIT_MS (then SQLITE_BUSY reaches the caller: a transient, retried error).
 */
export async function beginImmediate(raw: SqliteDatabase.Database): Promise<void> {
  const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    raw.pragma('busy_timeout = 0');
    try {
      raw.exec('BEGIN IMMEDIATE');
      return;
    } catch (err) {
      const busy = (err as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw err;
    } finally {
      raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    // Jittered, short: the other process holds the lock for a few milliseconds per transaction.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(1 + attempt, 8)));
  }
}
