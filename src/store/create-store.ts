import { mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type Insertable,
  Kysely,
  type SqliteDatabase as KyselySqliteDatabase,
  PostgresDialect,
  type Selectable,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';
import { type DocStatus, DocumentRow, type FileRow, TERMINAL_STATUSES } from '../../schemas/document.js';
import { type ExtractError, LetterRecord } from '../../schemas/letter.js';
import { TextDocument, TextPage } from '../../schemas/text.js';
import { headerColumns } from '../pipeline/export/columns.js';
import type {
  CitationParty,
  CitationsTable,
  Database,
  DialectName,
  DocumentsTable,
  FilesTable,
  ItemsTable,
  MismatchesTable,
  ProvenanceTable,
} from './db.js';
import { migrateSchema } from './migrations.js';
import type { Store } from './store.js';

export type StoreTarget = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/**
 * `postgres://...` (or `postgresql://`) is PostgreSQL; `sqlite:PATH`, `sqlite://PATH` or a bare path is a
 * SQLite file (`:memory:` for a throwaway database).
 */
export function parseStoreUrl(url: string): StoreTarget {
  const trimmed = url.trim();
  if (trimmed === '') throw new Error('empty database URL');
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', url: trimmed };
  const sqlitePrefix = /^sqlite:(\/\/)?/i.exec(trimmed);
  if (sqlitePrefix) {
    const path = trimmed.slice(sqlitePrefix[0].length);
    if (path === '') throw new Error(`no file in database URL "${url}"`);
    return { dialect: 'sqlite', path };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new Error(`unsupported database URL "${url}": use a SQLite file path or postgres://...`);
  }
  return { dialect: 'sqlite', path: trimmed };
}

/** The URL with any password hidden, for messages. */
export function describeStoreUrl(url: string): string {
  const target = parseStoreUrl(url);
  if (target.dialect === 'sqlite') return target.path;
  try {
    const u = new URL(target.url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

function openSqlite(path: string): SqliteDatabase.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new SqliteDatabase(path);
  // busy_timeout first, so that switching to WAL waits for another process instead of failing.
  db.pragma('busy_timeout = 5000');
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
function withStatementCache(db: SqliteDatabase.Database, limit = 500): KyselySqliteDatabase {
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

function openPostgres(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection (server restart) must not crash the process: the pool drops
  // that client, and the next query that needs the server reports the error to its caller.
  pool.on('error', () => undefined);
  return pool;
}

const now = () => new Date().toISOString();

/** Per SQLite file, the tail of this process' queue of write transactions. */
const fileLocks = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier call for the same key has finished (a FIFO mutex per key). */
async function withFileLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
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

function sqliteLockKey(path: string): string {
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

const toBool = (v: boolean | number): boolean => v === true || v === 1;

function toBytes(data: Uint8Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Inserts in slices, well under SQLite's and PostgreSQL's bound-parameter limits. */
function chunks<T>(rows: readonly T[], size = 200): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

function documentRow(row: Selectable<DocumentsTable>): DocumentRow {
  return DocumentRow.parse({
    sha256: row.sha256,
    fileName: row.file_name,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    bytes: Number(row.bytes),
    pages: row.pages === null ? null : Number(row.pages),
    textSource: row.text_source,
    layout: row.layout,
    parserVersion: row.parser_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

function fileRow(row: Selectable<FilesTable>): FileRow {
  return {
    id: Number(row.id),
    sha256: row.sha256,
    path: row.path,
    duplicate: toBool(row.duplicate),
    ingestedAt: row.ingested_at,
    settledTo: row.settled_to,
  };
}

function textSourceOf(text: TextDocument): string | null {
  const sources = new Set(text.pages.map((p) => p.source));
  if (sources.size === 0) return null;
  if (sources.size > 1) return 'mixed';
  return sources.has('ocr') ? 'ocr' : 'text-layer';
}

/** The machine-value rows of a record, one array per table. */
export function recordRows(record: LetterRecord) {
  const sha256 = record.sha256;
  const items: Insertable<ItemsTable>[] = [];
  const citations: Insertable<CitationsTable>[] = [];
  record.items.forEach((item, idx) => {
    items.push({
      sha256,
      idx,
      description: item.description,
      quantity: item.quantity,
      decision: item.decision,
      original_request: item.originalRequest,
      authorized_portion: item.authorizedPortion,
      raw: item.raw,
      rationale: item.rationale,
      rationale_conclusion: item.rationaleConclusion,
      ca_raw: item.claimsAdministratorGuideline?.raw ?? null,
      mx_raw: item.maximusGuideline?.raw ?? null,
    });
    const parties: [CitationParty, typeof item.maximusGuideline][] = [
      ['claims_administrator', item.claimsAdministratorGuideline],
      ['maximus', item.maximusGuideline],
    ];
    for (const [party, guideline] of parties) {
      guideline?.citations.forEach((c, i) => {
        citations.push({
          sha256,
          item_idx: idx,
          party,
          idx: i,
          source: c.source,
          sections: c.sections,
          pages: c.pages,
        });
      });
    }
  });
  const mismatches: Insertable<MismatchesTable>[] = record.mismatches.map((m, idx) => ({
    sha256,
    idx,
    field: m.field,
    code: m.code,
    severity: m.severity,
    message: m.message,
  }));
  const provenance: Insertable<ProvenanceTable>[] = Object.entries(record.provenance).map(([field, p]) => ({
    sha256,
    field,
    page: p.page,
    start_offset: p.start,
    end_offset: p.end,
    box_json: p.box ? JSON.stringify(p.box) : null,
    confidence: p.confidence,
  }));
  return { items, citations, mismatches, provenance };
}

class UnknownDocumentError extends Error {
  override readonly name = 'UnknownDocumentError';
  constructor(operation: string, sha256: string) {
    super(`${operation}: no document ${sha256} (register the file first)`);
  }
}

class KyselyStore implements Store {
  private closing: Promise<void> | null = null;

  constructor(
    readonly dialect: DialectName,
    private readonly db: Kysely<Database>,
    /** SQLite: what identifies the database file among this process' stores. */
    private readonly lockKey: string,
  ) {}

  /**
   * One write transaction. On SQLite it starts with BEGIN IMMEDIATE (take the write lock now, waiting up
   * to busy_timeout for another process, so it never fails half way on a lock upgrade), behind a
   * per-file lock shared by every store of this process (a second connection of the same thread could
   * only block the thread that holds the lock). PostgreSQL uses a plain READ COMMITTED transaction: the
   * upserts make concurrent writers safe.
   */
  private async write<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(fn);
    return withFileLock(this.lockKey, () =>
      this.db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
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
  private bool(value: boolean): boolean | number {
    return this.dialect === 'sqlite' ? (value ? 1 : 0) : value;
  }

  async migrate(): Promise<void> {
    await this.write((db) => migrateSchema(db, this.dialect));
  }

  close(): Promise<void> {
    this.closing ??= this.db.destroy();
    return this.closing;
  }

  async registerFile(input: { sha256: string; path: string; bytes: Uint8Array }) {
    return this.write(async (db) => {
      const at = now();
      const inserted = await db
        .insertInto('documents')
        .values({
          sha256: input.sha256,
          file_name: basename(input.path),
          status: 'queued',
          error_code: null,
          error_message: null,
          bytes: input.bytes.byteLength,
          pages: null,
          text_source: null,
          layout: null,
          parser_version: null,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .returning('sha256')
        .executeTakeFirst();
      const isNew = inserted !== undefined;
      if (isNew) {
        await db
          .insertInto('blobs')
          .values({ sha256: input.sha256, data: asBuffer(input.bytes) })
          .onConflict((oc) => oc.column('sha256').doNothing())
          .execute();
      }
      const file = await db
        .insertInto('files')
        .values({
          sha256: input.sha256,
          path: input.path,
          duplicate: this.bool(!isNew),
          ingested_at: at,
          settled_to: null,
        })
        .onConflict((oc) => oc.columns(['sha256', 'path']).doNothing())
        .returning('id')
        .executeTakeFirst();
      const row = await db
        .selectFrom('documents')
        .selectAll()
        .where('sha256', '=', input.sha256)
        .executeTakeFirstOrThrow();
      return { isNew, duplicateFile: !isNew && file !== undefined, document: documentRow(row) };
    });
  }

  async getDocument(sha256: string): Promise<DocumentRow | null> {
    const row = await this.db
      .selectFrom('documents')
      .selectAll()
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row ? documentRow(row) : null;
  }

  async getBytes(sha256: string): Promise<Uint8Array | null> {
    const row = await this.db
      .selectFrom('blobs')
      .select('data')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row ? toBytes(row.data) : null;
  }

  /**
   * Sets the status; `error` sets the error, `null` clears it, omitted clears it too unless the new status
   * is `failed` (then the error already recorded, e.g. by `saveRecord`, is kept).
   */
  async setStatus(sha256: string, status: DocStatus, error?: ExtractError | null): Promise<void> {
    const keepError = error === undefined && status === 'failed';
    await this.write((db) =>
      db
        .updateTable('documents')
        .set({
          status,
          updated_at: now(),
          ...(keepError ? {} : { error_code: error?.code ?? null, error_message: error?.message ?? null }),
        })
        .where('sha256', '=', sha256)
        .execute(),
    );
  }

  async saveText(sha256: string, text: TextDocument): Promise<void> {
    await this.write(async (db) => {
      const updated = await db
        .updateTable('documents')
        .set({
          status: 'extracted',
          error_code: null,
          error_message: null,
          pages: text.pages.length,
          text_source: textSourceOf(text),
          updated_at: now(),
        })
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new UnknownDocumentError('saveText', sha256);
      await db.deleteFrom('page_texts').where('sha256', '=', sha256).execute();
      const rows = text.pages.map((p) => ({
        sha256,
        page: p.page,
        source: p.source,
        text_json: JSON.stringify(p),
      }));
      for (const slice of chunks(rows)) await db.insertInto('page_texts').values(slice).execute();
    });
  }

  async getText(sha256: string): Promise<TextDocument | null> {
    const rows = await this.db
      .selectFrom('page_texts')
      .select('text_json')
      .where('sha256', '=', sha256)
      .orderBy('page')
      .execute();
    if (rows.length === 0) return null;
    return TextDocument.parse({ pages: rows.map((r) => TextPage.parse(JSON.parse(r.text_json))) });
  }

  async saveRecord(record: LetterRecord): Promise<void> {
    const sha256 = record.sha256;
    const rows = recordRows(record);
    await this.write(async (db) => {
      const at = now();
      const updated = await db
        .updateTable('documents')
        .set({
          status: record.status === 'failed' ? 'failed' : 'parsed',
          error_code: record.error?.code ?? null,
          error_message: record.error?.message ?? null,
          layout: record.layout,
          parser_version: record.parserVersion,
          updated_at: at,
        })
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new UnknownDocumentError('saveRecord', sha256);

      const letter = {
        ...headerColumns(record),
        licensure_json: JSON.stringify(record.reviewer.licensure),
        specialty: record.reviewer.specialty,
        patient_age: record.patient.age,
        patient_sex: record.patient.sex,
        layout: record.layout,
        parser_version: record.parserVersion,
        status: record.status,
        record_json: JSON.stringify(record),
        updated_at: at,
      };
      await db
        .insertInto('letters')
        .values({ sha256, ...letter })
        .onConflict((oc) => oc.column('sha256').doUpdateSet(letter))
        .execute();

      // Machine values only: corrections (QA) live in their own table and stay as they are.
      await db.deleteFrom('citations').where('sha256', '=', sha256).execute();
      await db.deleteFrom('items').where('sha256', '=', sha256).execute();
      await db.deleteFrom('mismatches').where('sha256', '=', sha256).execute();
      await db.deleteFrom('provenance').where('sha256', '=', sha256).execute();
      for (const slice of chunks(rows.items)) await db.insertInto('items').values(slice).execute();
      for (const slice of chunks(rows.citations)) await db.insertInto('citations').values(slice).execute();
      for (const slice of chunks(rows.mismatches)) await db.insertInto('mismatches').values(slice).execute();
      for (const slice of chunks(rows.provenance)) await db.insertInto('provenance').values(slice).execute();
    });
  }

  async getRecord(sha256: string): Promise<LetterRecord | null> {
    const row = await this.db
      .selectFrom('letters')
      .select('record_json')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row ? LetterRecord.parse(JSON.parse(row.record_json)) : null;
  }

  async listRecords(): Promise<LetterRecord[]> {
    const rows = await this.db.selectFrom('letters').select('record_json').orderBy('sha256').execute();
    return rows.map((r) => LetterRecord.parse(JSON.parse(r.record_json)));
  }

  async listDocuments(statuses?: readonly DocStatus[]): Promise<DocumentRow[]> {
    if (statuses && statuses.length === 0) return [];
    let q = this.db.selectFrom('documents').selectAll();
    if (statuses) q = q.where('status', 'in', [...statuses]);
    const rows = await q.orderBy('created_at').orderBy('sha256').execute();
    return rows.map(documentRow);
  }

  async counts(): Promise<Record<DocStatus, number>> {
    const rows = await this.db
      .selectFrom('documents')
      .select((eb) => ['status', eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    const out: Record<DocStatus, number> = {
      queued: 0,
      extracting: 0,
      extracted: 0,
      parsed: 0,
      done: 0,
      needs_review: 0,
      failed: 0,
    };
    for (const r of rows) {
      if (r.status in out) out[r.status as DocStatus] = Number(r.n);
    }
    return out;
  }

  async listFiles(options: { unsettled?: boolean } = {}): Promise<FileRow[]> {
    let q = this.db.selectFrom('files').selectAll();
    if (options.unsettled) q = q.where('settled_to', 'is', null);
    const rows = await q.orderBy('id').execute();
    return rows.map(fileRow);
  }

  async listSettleable(): Promise<{ file: FileRow; document: DocumentRow }[]> {
    const files = await this.db
      .selectFrom('files')
      .innerJoin('documents', 'documents.sha256', 'files.sha256')
      .selectAll('files')
      .where('files.settled_to', 'is', null)
      .where('documents.status', 'in', [...TERMINAL_STATUSES])
      .orderBy('files.id')
      .execute();
    const out: { file: FileRow; document: DocumentRow }[] = [];
    for (const row of files) {
      const document = await this.getDocument(row.sha256);
      if (document) out.push({ file: fileRow(row), document });
    }
    return out;
  }

  async markFileSettled(fileId: number, settledTo: string): Promise<void> {
    await this.write((db) =>
      db.updateTable('files').set({ settled_to: settledTo }).where('id', '=', fileId).execute(),
    );
  }
}

/**
 * Opens the store at `url` (see `parseStoreUrl`). Nothing is created but the SQLite file (and its
 * folder); call `migrate()` before use. PostgreSQL connections are pooled and opened on first use.
 */
export function createStore(url: string): Store {
  const target = parseStoreUrl(url);
  if (target.dialect === 'postgres') {
    const dialect = new PostgresDialect({ pool: openPostgres(target.url) });
    return new KyselyStore('postgres', new Kysely<Database>({ dialect }), target.url);
  }
  const dialect = new SqliteDialect({ database: withStatementCache(openSqlite(target.path)) });
  return new KyselyStore('sqlite', new Kysely<Database>({ dialect }), sqliteLockKey(target.path));
}
