import { basename } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { type DocStatus, type DocumentRow, type FileRow, TERMINAL_STATUSES } from '../../schemas/document.js';
import type { ExtractError, LetterRecord } from '../../schemas/letter.js';
import { TextDocument, TextPage } from '../../schemas/text.js';
import { applyCorrections } from '../records/apply-corrections.js';
import { parseRecordJson } from '../records/codec.js';
import type { Database } from './db.js';
import { FilesStore } from './files-store.js';
import { migrateSchema } from './migrations.js';
import { openPostgres } from './postgres.js';
import { refreshReportRows } from './report.js';
import { ReviewStore } from './review-store.js';
import {
  asBuffer,
  chunks,
  documentRow,
  fileRow,
  letterColumns,
  newDocumentRow,
  now,
  recordRows,
  textSourceOf,
  toBytes,
} from './rows.js';
import { openSqlite, sqliteLockKey, withStatementCache } from './sqlite.js';
import type { Store } from './store.js';
import { parseStoreUrl } from './url.js';
import { UsersStore } from './users-store.js';

class UnknownDocumentError extends Error {
  override readonly name = 'UnknownDocumentError';
  constructor(operation: string, sha256: string) {
    super(`${operation}: no document ${sha256} (register the file first)`);
  }
}

/** The store: documents, files, page text and records here; the QA half in ReviewStore. */
class KyselyStore extends ReviewStore implements Store {
  readonly intake = new FilesStore(this.db, (fn) => this.write(fn), this.dialect);
  readonly users = new UsersStore(this.db, (fn) => this.write(fn));

  async migrate(): Promise<void> {
    await this.write((db) => migrateSchema(db, this.dialect));
  }

  async registerFile(input: { sha256: string; path: string; bytes: Uint8Array; priority?: number }) {
    return this.write(async (db) => {
      const at = now();
      const inserted = await db
        .insertInto('documents')
        .values(
          newDocumentRow({
            sha256: input.sha256,
            fileName: basename(input.path),
            bytes: input.bytes.byteLength,
            priority: input.priority,
            at,
          }),
        )
        .onConflict((oc) => oc.column('sha256').doNothing())
        .returningAll()
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
      const row =
        inserted ??
        (await db
          .selectFrom('documents')
          .selectAll()
          .where('sha256', '=', input.sha256)
          .executeTakeFirstOrThrow());
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
      await refreshReportRows(db, sha256, record, this.dialect);
    });
  }

  async getRecord(sha256: string): Promise<LetterRecord | null> {
    const row = await this.db
      .selectFrom('letters')
      .select('record_json')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row ? parseRecordJson(row.record_json) : null;
  }

  async getCorrectedRecord(sha256: string): Promise<LetterRecord | null> {
    const record = await this.getRecord(sha256);
    if (!record) return null;
    return applyCorrections(record, await this.listCorrections(sha256));
  }

  async listRecords(): Promise<LetterRecord[]> {
    const rows = await this.db.selectFrom('letters').select('record_json').orderBy('sha256').execute();
    return rows.map((r) => parseRecordJson(r.record_json));
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
    // Their documents in one query per slice, not one per file (this runs every second while busy).
    const documents = new Map<string, DocumentRow>();
    for (const slice of chunks([...new Set(files.map((f) => f.sha256))], 500)) {
      const rows = await this.db.selectFrom('documents').selectAll().where('sha256', 'in', slice).execute();
      for (const row of rows) documents.set(row.sha256, documentRow(row));
    }
    return files.flatMap((row) => {
      const document = documents.get(row.sha256);
      return document ? [{ file: fileRow(row), document }] : [];
    });
  }

  async markFileSettled(fileId: number, settledTo: string): Promise<void> {
    await this.write((db) =>
      db.updateTable('files').set({ settled_to: settledTo }).where('id', '=', fileId).execute(),
    );
  }

  // OCR page jobs: the text layer first, then each page's OCR result as it comes, then the join.

  async saveTextLayer(sha256: string, text: TextDocument, ocrPages: readonly number[]): Promise<void> {
    await this.write(async (db) => {
      await this.writeText(db, sha256, text, 'extracting');
      await db
        .updateTable('documents')
        .set({ ocr_pages: JSON.stringify([...ocrPages].sort((a, b) => a - b)) })
        .where('sha256', '=', sha256)
        .execute();
    });
  }

  async ocrPagesState(sha256: string): Promise<{ wanted: number[]; done: number[] }> {
    const [doc, rows] = await Promise.all([
      this.db.selectFrom('documents').select('ocr_pages').where('sha256', '=', sha256).executeTakeFirst(),
      this.db.selectFrom('ocr_pages').select('page').where('sha256', '=', sha256).execute(),
    ]);
    const wanted = doc?.ocr_pages ? (JSON.parse(doc.ocr_pages) as number[]) : [];
    return { wanted, done: rows.map((r) => Number(r.page)).sort((a, b) => a - b) };
  }

  async saveOcrPage(
    sha256: string,
    page: number,
    result: { text: TextPage } | { error: ExtractError },
  ): Promise<{ stored: boolean; missing: number[] }> {
    return this.write(async (db) => {
      const inserted = await db
        .insertInto('ocr_pages')
        .values({
          sha256,
          page,
          text_json: 'text' in result ? JSON.stringify(result.text) : null,
          error_code: 'error' in result ? result.error.code : null,
          error_message: 'error' in result ? result.error.message : null,
        })
        .onConflict((oc) => oc.columns(['sha256', 'page']).doNothing())
        .returning('page')
        .executeTakeFirst();
      const doc = await db
        .selectFrom('documents')
        .select('ocr_pages')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      const rows = await db.selectFrom('ocr_pages').select('page').where('sha256', '=', sha256).execute();
      const have = new Set(rows.map((r) => Number(r.page)));
      const wanted = doc?.ocr_pages ? (JSON.parse(doc.ocr_pages) as number[]) : [];
      return { stored: inserted !== undefined, missing: wanted.filter((p) => !have.has(p)) };
    });
  }

  async joinOcrPages(
    sha256: string,
  ): Promise<
    { kind: 'joined' } | { kind: 'missing'; pages: number[] } | { kind: 'failed'; error: ExtractError }
  > {
    return this.write(async (db) => {
      const doc = await db
        .selectFrom('documents')
        .select(['status', 'ocr_pages'])
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (!doc) throw new UnknownDocumentError('joinOcrPages', sha256);
      // Joined already (a job run twice): nothing to do.
      if (doc.status !== 'extracting' || doc.ocr_pages === null) return { kind: 'joined' as const };
      const wanted = JSON.parse(doc.ocr_pages) as number[];
      const rows = await db.selectFrom('ocr_pages').selectAll().where('sha256', '=', sha256).execute();
      const byPage = new Map(rows.map((r) => [Number(r.page), r]));
      const missing = wanted.filter((p) => !byPage.has(p));
      if (missing.length > 0) return { kind: 'missing' as const, pages: missing };
      const failed = wanted.map((p) => byPage.get(p)!).find((r) => r.error_code !== null);
      if (failed) {
        const error = { code: failed.error_code, message: failed.error_message ?? '' } as ExtractError;
        return { kind: 'failed' as const, error };
      }
      for (const p of wanted) {
        await db
          .updateTable('page_texts')
          .set({ source: 'ocr', text_json: byPage.get(p)!.text_json! })
          .where('sha256', '=', sha256)
          .where('page', '=', p)
          .execute();
      }
      const sources = await db
        .selectFrom('page_texts')
        .select('source')
        .distinct()
        .where('sha256', '=', sha256)
        .execute();
      await db
        .updateTable('documents')
        .set({
          status: 'extracted',
          ocr_pages: null,
          text_source: sources.length > 1 ? 'mixed' : 'ocr',
          updated_at: now(),
        })
        .where('sha256', '=', sha256)
        .execute();
      await db.deleteFrom('ocr_pages').where('sha256', '=', sha256).execute();
      return { kind: 'joined' as const };
    });
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
