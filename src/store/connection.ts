import type SqliteDatabase from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { Database, DialectName } from './db.js';
import { beginImmediate, withFileLock } from './sqlite.js';

/** What every part of the store shares: the Kysely handle and its write transactions. */
export class StoreConnection {
  private closing: Promise<void> | null = null;

  constructor(
    readonly dialect: DialectName,
    protected readonly db: Kysely<Database>,
    /** SQLite: what identifies the database file among this process' stores. */
    private readonly lockKey: string,
    /** SQLite: the connection under Kysely, to take the write lock without blocking the thread. */
    private readonly sqlite?: SqliteDatabase.Database,
  ) {}

  /**
   * One write transaction. On SQLite it starts with BEGIN IMMEDIATE (take the write lock now, so it
   * never fails half way on a lock upgrade), behind a per-file lock shared by every store of this process
   * (a second connection of the same thread could only block the thread that holds the lock).
   * PostgreSQL uses a plain READ COMMITTED transaction: the upserts make concurrent writers safe.
   */
  protected async write<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(fn);
    return withFileLock(this.lockKey, () =>
      this.db.connection().execute(async (conn) => {
        if (this.sqlite) await beginImmediate(this.sqlite);
        else await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw err;
        }
      }),
    );
  }

  /** A boolean as the driver binds it. */
  protected bool(value: boolean): boolean | number {
    return this.dialect === 'sqlite' ? (value ? 1 : 0) : value;
  }

  close(): Promise<void> {
    this.closing ??= this.db.destroy();
    return this.closing;
  }
}
