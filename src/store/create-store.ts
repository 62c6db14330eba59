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
import {
  type AuditAction,
  type AuditEntry,
  Author,
  type Correction,
  CorrectionInput,
  type QueueRow,
  type Review,
  ReviewState,
} from '../../schemas/review.js';
import { TextDocument, TextPage } from '../../schemas/text.js';
import { headerColumns } from '../pipeline/export/columns.js';
import {
  applyCorrections,
  correct,
  normalizeValue,
  parsePath,
  readField,
} from '../review/apply-corrections.js';
import { ReviewInputError } from '../review/errors.js';
import { scoreAgainst } from '../review/gold.js';
import type {
  AuditTable,
  CitationParty,
  CitationsTable,
  Database,
  DialectName,
  DocumentsTable,
  FilesTable,
  ItemsTable,
  MismatchesTable,
  ProvenanceTable,
  ReviewsTable,
} from './db.js';
import { migrateSchema } from './migrations.js';
import { correctionRow, fromJson, refreshReportRows } from './report.js';
import type { CorrectionDisagreement, GoldScore, Store } from './store.js';

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

/** Reads and schema changes wait this long for another process (a thread-blocking wait, rare). */
const BUSY_TIMEOUT_MS = 5000;
/** Write transactions wait this long for another process' write lock (without blocking the thread). */
const WRITE_LOCK_WAIT_MS = 10_000;

function openSqlite(path: string): SqliteDatabase.Database {
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
  // No wait without an end while the server is away: a connection attempt gives up after 10 s and a
  // query after 60 s (the store's statements take milliseconds), so jobs fail, retry, and recover.
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    query_timeout: 60_000,
    keepAlive: true,
  });
  // An idle client losing its connection (server restart) must not crash the process: the pool drops
  // that client, and the next query that needs the server reports the error to its caller.
  pool.on('error', () => undefined);
  // Likewise a client in use (held by a transaction between two statements): without a listener its
  // 'error' event would end the process; its next query fails instead and the job is retried.
  pool.on('connect', (client) => client.on('error', () => undefined));
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

/** The `letters` row of a record (without its key). */
export function letterColumns(record: LetterRecord, at: string) {
  return {
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

const toJson = (value: unknown): string => JSON.stringify(value ?? null);

function reviewRow(row: Selectable<ReviewsTable>): Review {
  return {
    sha256: row.sha256,
    state: ReviewState.parse(row.state),
    author: row.author,
    reason: row.reason,
    updatedAt: row.updated_at,
  };
}

function auditRow(row: Selectable<AuditTable>): AuditEntry {
  return {
    id: Number(row.id),
    sha256: row.sha256,
    action: row.action as AuditAction,
    author: row.author,
    detail: fromJson(row.detail_json),
    createdAt: row.created_at,
  };
}

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Parser versions in release order ("1.10.0" after "1.9.0"). */
const byVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

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
    /** SQLite: the connection under Kysely, to take the write lock without blocking the thread. */
    private readonly sqlite?: SqliteDatabase.Database,
  ) {}

  /**
   * One write transaction. On SQLite it starts with BEGIN IMMEDIATE (take the write lock now, so it
   * never fails half way on a lock upgrade), behind a per-file lock shared by every store of this process
   * (a second connection of the same thread could only block the thread that holds the lock).
   * PostgreSQL uses a plain READ COMMITTED transaction: the upserts make concurrent writers safe.
   */
  private async write<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(fn);
    return withFileLock(this.lockKey, () =>
      this.db.connection().execute(async (conn) => {
        await this.beginImmediate(conn);
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

  /**
   * BEGIN IMMEDIATE, waiting for another process' write lock without blocking this thread: SQLite's busy
   * handler sleeps synchronously (and backs off to 100 ms naps), which froze every job of this process
   * whenever the other worker process wrote. Here a busy lock is retried after a short timer instead,
   * up to WRITE_LOCK_WAIT_MS (then SQLITE_BUSY reaches the caller: a transient, retried error).
   */
  private async beginImmediate(conn: Kysely<Database>): Promise<void> {
    const raw = this.sqlite;
    if (!raw) {
      await sql`begin immediate`.execute(conn);
      return;
    }
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
    await this.write((db) => this.writeText(db, sha256, text, 'extracted'));
  }

  /** Page text rows and the document's page facts (and status), inside the caller's transaction. */
  private async writeText(
    db: Kysely<Database>,
    sha256: string,
    text: TextDocument,
    status: DocStatus,
  ): Promise<void> {
    const updated = await db
      .updateTable('documents')
      .set({
        status,
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

  async saveRecord(
    record: LetterRecord,
    options: { status?: DocStatus; text?: TextDocument } = {},
  ): Promise<void> {
    const sha256 = record.sha256;
    const rows = recordRows(record);
    await this.write(async (db) => {
      if (options.text) await this.writeText(db, sha256, options.text, 'extracted');
      const at = now();
      const updated = await db
        .updateTable('documents')
        .set({
          status: record.status === 'failed' ? 'failed' : (options.status ?? 'parsed'),
          error_code: record.error?.code ?? null,
          error_message: record.error?.message ?? null,
          layout: record.layout,
          parser_version: record.parserVersion,
          updated_at: at,
        })
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new UnknownDocumentError('saveRecord', sha256);

      // A re-parse by another parser version keeps the outgoing machine record, for gold scores per
      // version. One statement that copies nothing when the version is the same (the common case).
      await db
        .insertInto('record_versions')
        .columns(['sha256', 'parser_version', 'record_json', 'saved_at'])
        .expression((eb) =>
          eb
            .selectFrom('letters')
            .select(['sha256', 'parser_version', 'record_json', sql<string>`${at}`.as('saved_at')])
            .where('sha256', '=', sha256)
            .where('parser_version', '<>', record.parserVersion),
        )
        .onConflict((oc) =>
          oc.columns(['sha256', 'parser_version']).doUpdateSet((eb) => ({
            record_json: eb.ref('excluded.record_json'),
            saved_at: eb.ref('excluded.saved_at'),
          })),
        )
        .execute();

      const letter = letterColumns(record, at);
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
      await refreshReportRows(db, sha256, record);
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

  // QA review.

  /** The sha256 of the letters in the review queue, as a subquery. */
  private queued(db: Kysely<Database>) {
    return db
      .selectFrom('documents as d')
      .leftJoin('reviews as r', 'r.sha256', 'd.sha256')
      .select('d.sha256')
      .where('d.status', '=', 'needs_review')
      .where((eb) => eb.or([eb('r.state', 'is', null), eb('r.state', '=', 'pending')]));
  }

  async listReviewQueue(filter: { code?: string } = {}): Promise<QueueRow[]> {
    const db = this.db;
    const [docs, mismatches, confidences, corrections] = await Promise.all([
      db
        .selectFrom('documents as d')
        .leftJoin('letters as l', 'l.sha256', 'd.sha256')
        .select(['d.sha256', 'd.file_name', 'l.case_number', 'l.decision_date'])
        .where('d.sha256', 'in', this.queued(db))
        .execute(),
      db
        .selectFrom('mismatches')
        .select((eb) => ['sha256', 'severity', 'code', eb.fn.countAll().as('n')])
        .where('sha256', 'in', this.queued(db))
        .groupBy(['sha256', 'severity', 'code'])
        .execute(),
      db
        .selectFrom('provenance')
        .select((eb) => ['sha256', eb.fn.min('confidence').as('confidence')])
        .where('sha256', 'in', this.queued(db))
        .groupBy('sha256')
        .execute(),
      db
        .selectFrom('corrections')
        .select(['sha256', 'field', 'value_json'])
        .where('sha256', 'in', this.queued(db))
        .orderBy('id')
        .execute(),
    ]);
    const rows = new Map<string, QueueRow>();
    for (const d of docs) {
      rows.set(d.sha256, {
        sha256: d.sha256,
        fileName: d.file_name,
        caseNumber: d.case_number,
        decisionDate: d.decision_date,
        worstSeverity: null,
        errors: 0,
        warnings: 0,
        minConfidence: 1,
        codes: [],
        corrections: 0,
      });
    }
    for (const m of mismatches) {
      const row = rows.get(m.sha256);
      if (!row) continue;
      const n = Number(m.n);
      if (m.severity === 'error') row.errors += n;
      if (m.severity === 'warning') row.warnings += n;
      const severity = m.severity as NonNullable<QueueRow['worstSeverity']>;
      if (
        row.worstSeverity === null ||
        (SEVERITY_RANK[severity] ?? 3) < (SEVERITY_RANK[row.worstSeverity] ?? 3)
      )
        row.worstSeverity = severity;
      if (!row.codes.includes(m.code)) row.codes.push(m.code);
    }
    for (const c of confidences) {
      const row = rows.get(c.sha256);
      if (row && c.confidence !== null) row.minConfidence = Math.min(1, Number(c.confidence));
    }
    for (const c of corrections) {
      const row = rows.get(c.sha256);
      if (!row) continue;
      row.corrections++;
      // The queue shows what QA made of the two fields that identify a letter (latest correction wins).
      if (c.field === 'caseNumber') row.caseNumber = fromJson(c.value_json) as string | null;
      if (c.field === 'decisionDate') row.decisionDate = fromJson(c.value_json) as string | null;
    }
    const rank = (r: QueueRow) => (r.worstSeverity === null ? 3 : (SEVERITY_RANK[r.worstSeverity] ?? 3));
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...rows.values()]
      .filter((r) => filter.code === undefined || r.codes.includes(filter.code))
      .map((r) => ({ ...r, codes: [...r.codes].sort() }))
      .sort(
        (a, b) =>
          rank(a) - rank(b) ||
          a.minConfidence - b.minConfidence ||
          cmp(a.fileName, b.fileName) ||
          cmp(a.sha256, b.sha256),
      );
  }

  async reviewCodeCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const row of await this.listReviewQueue()) {
      for (const code of row.codes) counts[code] = (counts[code] ?? 0) + 1;
    }
    return counts;
  }

  private async addAudit(
    db: Kysely<Database>,
    entry: { sha256: string | null; action: AuditAction; author: string | null; detail: unknown; at: string },
  ): Promise<void> {
    await db
      .insertInto('audit')
      .values({
        sha256: entry.sha256,
        action: entry.action,
        author: entry.author,
        detail_json: toJson(entry.detail),
        created_at: entry.at,
      })
      .execute();
  }

  /** The machine record QA may act on, inside a transaction: refuses unknown, unparsed and failed letters. */
  private async reviewable(db: Kysely<Database>, sha256: string, what: string): Promise<LetterRecord> {
    const letter = await db
      .selectFrom('letters')
      .select('record_json')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!letter) {
      const doc = await db
        .selectFrom('documents')
        .select('sha256')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (!doc) throw new ReviewInputError(`${what}: no document ${sha256}`, 'not_found');
      throw new ReviewInputError(`${what}: letter ${sha256} has no parsed record yet`, 'conflict');
    }
    const record = LetterRecord.parse(JSON.parse(letter.record_json));
    if (record.status === 'failed') {
      throw new ReviewInputError(
        `${what}: letter ${sha256} failed (${record.error?.code ?? 'error'})`,
        'conflict',
      );
    }
    return record;
  }

  async addCorrection(input: CorrectionInput): Promise<Correction> {
    const parsed = CorrectionInput.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
      throw new ReviewInputError(issues.join('; '));
    }
    const { sha256, field, author } = parsed.data;
    const reason = parsed.data.reason?.trim() || null;
    const path = parsePath(field);
    const value = normalizeValue(path, parsed.data.value);
    return this.write(async (db) => {
      const machine = await this.reviewable(db, sha256, 'correction');
      const existing = (
        await db.selectFrom('corrections').selectAll().where('sha256', '=', sha256).orderBy('id').execute()
      ).map(correctionRow);
      const before = correct(machine, existing);
      const adds = path.kind === 'item' && value !== null;
      if (path.kind !== 'letter' && !adds && !before.itemPaths.includes(path.index)) {
        throw new ReviewInputError(`${field}: the letter has no item ${path.index}`);
      }
      const at = now();
      const machineValue = readField(machine, path);
      const old = readField(before.record, path, before.itemPaths);
      const row = await db
        .insertInto('corrections')
        .values({
          sha256,
          field,
          machine_value_json: toJson(machineValue),
          value_json: toJson(value),
          reason,
          author,
          created_at: at,
          parser_version: machine.parserVersion,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const correction = correctionRow(row);
      let applies: boolean;
      try {
        applies = !correct(machine, [...existing, correction]).skipped.some((c) => c.id === correction.id);
      } catch {
        applies = false;
      }
      if (!applies) throw new ReviewInputError(`${field}: the corrected record would not be valid`);
      await this.addAudit(db, {
        sha256,
        action: 'correct',
        author,
        detail: { correctionId: correction.id, field, old, new: value, machineValue, reason },
        at,
      });
      await refreshReportRows(db, sha256, machine);
      return correction;
    });
  }

  async listCorrections(sha256: string): Promise<Correction[]> {
    const rows = await this.db
      .selectFrom('corrections')
      .selectAll()
      .where('sha256', '=', sha256)
      .orderBy('id')
      .execute();
    return rows.map(correctionRow);
  }

  async listAllCorrections(): Promise<Correction[]> {
    const rows = await this.db
      .selectFrom('corrections')
      .selectAll()
      .orderBy('sha256')
      .orderBy('id')
      .execute();
    return rows.map(correctionRow);
  }

  async getReview(sha256: string): Promise<Review | null> {
    const row = await this.db
      .selectFrom('reviews')
      .selectAll()
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row ? reviewRow(row) : null;
  }

  async listReviews(filter: { state?: ReviewState } = {}): Promise<Review[]> {
    let q = this.db.selectFrom('reviews').selectAll();
    if (filter.state) q = q.where('state', '=', filter.state);
    return (await q.orderBy('sha256').execute()).map(reviewRow);
  }

  async setReview(input: {
    sha256: string;
    state: ReviewState;
    author: string;
    reason?: string | null;
  }): Promise<Review> {
    const state = ReviewState.safeParse(input.state);
    if (!state.success)
      throw new ReviewInputError(`state: ${JSON.stringify(input.state)} is not a review state`);
    const author = Author.safeParse(input.author);
    if (!author.success) throw new ReviewInputError('author: who reviews is required (up to 80 characters)');
    const reason = input.reason?.trim() || null;
    if (state.data === 'rejected' && reason === null)
      throw new ReviewInputError('reason: required to reject');
    const { sha256 } = input;
    const action: AuditAction =
      state.data === 'approved' ? 'approve' : state.data === 'rejected' ? 'reject' : 'reopen';
    return this.write(async (db) => {
      await this.reviewable(db, sha256, action);
      const previous = await db
        .selectFrom('reviews')
        .select('state')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      const at = now();
      const review = { state: state.data, author: author.data, reason, updated_at: at };
      await db
        .insertInto('reviews')
        .values({ sha256, ...review })
        .onConflict((oc) => oc.column('sha256').doUpdateSet(review))
        .execute();
      await this.addAudit(db, {
        sha256,
        action,
        author: author.data,
        detail: { from: previous?.state ?? 'pending', to: state.data, reason },
        at,
      });
      if (state.data !== 'rejected') {
        await db
          .updateTable('documents')
          .set({ status: state.data === 'approved' ? 'done' : 'needs_review', updated_at: at })
          .where('sha256', '=', sha256)
          .execute();
      }
      await refreshReportRows(db, sha256);
      return { sha256, state: state.data, author: author.data, reason, updatedAt: at };
    });
  }

  async recordDisagreements(input: {
    sha256: string;
    parserVersion: string;
    disagreements: readonly CorrectionDisagreement[];
  }): Promise<{ reopened: boolean }> {
    const { sha256, parserVersion, disagreements } = input;
    if (disagreements.length === 0) return { reopened: false };
    return this.write(async (db) => {
      const at = now();
      for (const d of disagreements) {
        await this.addAudit(db, {
          sha256,
          action: 'reprocess',
          author: null,
          detail: { parserVersion, ...d },
          at,
        });
      }
      const review = await db
        .selectFrom('reviews')
        .select('state')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (review?.state !== 'approved') return { reopened: false };
      // What QA confirmed no longer matches what the parser reads: a person has to look again.
      const fields = [...new Set(disagreements.map((d) => d.field))].join(', ');
      const reason = `parser ${parserVersion} disagrees with corrections of ${fields}`;
      await db
        .updateTable('reviews')
        .set({ state: 'pending', author: null, reason, updated_at: at })
        .where('sha256', '=', sha256)
        .execute();
      await this.addAudit(db, {
        sha256,
        action: 'reopen',
        author: null,
        detail: { from: 'approved', to: 'pending', reason },
        at,
      });
      await db
        .updateTable('documents')
        .set({ status: 'needs_review', updated_at: at })
        .where('sha256', '=', sha256)
        .execute();
      await refreshReportRows(db, sha256);
      return { reopened: true };
    });
  }

  async listAudit(sha256?: string): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit').selectAll();
    if (sha256 !== undefined) q = q.where('sha256', '=', sha256);
    return (await q.orderBy('id').execute()).map(auditRow);
  }

  async getCorrectedRecord(sha256: string): Promise<LetterRecord | null> {
    const record = await this.getRecord(sha256);
    if (!record) return null;
    return applyCorrections(record, await this.listCorrections(sha256));
  }

  async goldScores(): Promise<GoldScore[]> {
    const approved = () => this.db.selectFrom('reviews').select('sha256').where('state', '=', 'approved');
    const [letters, corrections, versions] = await Promise.all([
      this.db
        .selectFrom('letters')
        .select(['sha256', 'record_json'])
        .where('sha256', 'in', approved())
        .orderBy('sha256')
        .execute(),
      this.db.selectFrom('corrections').selectAll().where('sha256', 'in', approved()).orderBy('id').execute(),
      this.db
        .selectFrom('record_versions')
        .select(['sha256', 'parser_version', 'record_json'])
        .where('sha256', 'in', approved())
        .execute(),
    ]);
    const correctionsOf = new Map<string, Correction[]>();
    for (const row of corrections) {
      const list = correctionsOf.get(row.sha256) ?? [];
      list.push(correctionRow(row));
      correctionsOf.set(row.sha256, list);
    }
    const versionsOf = new Map<string, typeof versions>();
    for (const row of versions) {
      const list = versionsOf.get(row.sha256);
      if (list) list.push(row);
      else versionsOf.set(row.sha256, [row]);
    }
    const pairs = new Map<string, { truth: LetterRecord; machine: LetterRecord }[]>();
    const add = (version: string, truth: LetterRecord, machine: LetterRecord) => {
      const list = pairs.get(version);
      if (list) list.push({ truth, machine });
      else pairs.set(version, [{ truth, machine }]);
    };
    for (const letter of letters) {
      const machine = LetterRecord.parse(JSON.parse(letter.record_json));
      if (machine.status === 'failed') continue; // no truth to score against
      const truth = applyCorrections(machine, correctionsOf.get(letter.sha256) ?? []);
      add(machine.parserVersion, truth, machine);
      for (const old of versionsOf.get(letter.sha256) ?? []) {
        if (old.parser_version === machine.parserVersion) continue; // the current record is that version's
        // Kept by an older program: a record the schema no longer reads is left out.
        const parsed = LetterRecord.safeParse(JSON.parse(old.record_json));
        if (parsed.success) add(old.parser_version, truth, parsed.data);
      }
    }
    return [...pairs.entries()]
      .sort(([a], [b]) => byVersion(a, b))
      .map(([parserVersion, list]) => ({ parserVersion, letters: list.length, ...scoreAgainst(list) }));
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
  const raw = openSqlite(target.path);
  const dialect = new SqliteDialect({ database: withStatementCache(raw) });
  return new KyselyStore('sqlite', new Kysely<Database>({ dialect }), sqliteLockKey(target.path), raw);
}
