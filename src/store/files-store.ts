import { basename } from 'node:path';
import { type Kysely, sql } from 'kysely';
import {
  type DocStatus,
  type DocumentRow,
  IntakeFile,
  type IntakeState,
  TERMINAL_STATUSES,
} from '../../schemas/document.js';
import type { ExtractError } from '../../schemas/letter.js';
import type { Database, DialectName } from './db.js';
import { logReportChange } from './report.js';
import { asBuffer, documentRow, newDocumentRow, now, toBool } from './rows.js';

export interface RegisterInput {
  sha256: string;
  path: string;
  /** The bytes; null for a file refused on its size (`error` says why), which is never loaded. */
  bytes: Uint8Array | null;
  size: number;
  priority?: number;
  /** A failure known before any stage runs (`too_large`): the document starts `failed`. */
  error?: ExtractError;
}

export interface Registered {
  /**
   * `new` bytes; a `duplicate` file of known bytes (linked); `known`: this very file again (nothing done);
   * `retried`: the same bytes as a failed document, reset to `queued` to run again (enqueue it).
   */
  kind: 'new' | 'duplicate' | 'known' | 'retried';
  document: DocumentRow;
  /** The failed document of an earlier, shorter read of this same file, deleted in favour of this one. */
  replaced: string | null;
}

export type ResetOutcome = 'reset' | 'not_found' | 'not_failed' | 'no_bytes';

/** Intake: what happened to every dropped file, and the retry of failed documents. */
export interface Intake {
  /**
   * Records a file taken in, in one transaction: as `Store.registerFile`, and also (1) known bytes of a
   * failed document reset it (`retried`), its bytes stored if they were not; (2) new bytes at the path of
   * an unsettled file whose document failed (a file read while still being written, since grown) replace
   * that document, so a file has one document.
   */
  register(input: RegisterInput): Promise<Registered>;
  /** Dropped files, newest first; `state` keeps one state; at most `limit` (default 1,000). */
  list(filter?: { state?: IntakeState; limit?: number }): Promise<IntakeFile[]>;
  /**
   * A failed document back to `queued`, its failed record, page text and error cleared, its sha256 kept;
   * its files settled into quarantine are unsettled (path = where they are now), so settling moves them
   * by the new result. Refused without stored bytes (a file refused on its size).
   */
  resetFailed(sha256: string): Promise<{ outcome: ResetOutcome; priority: number }>;
  /** Failed documents (with this error code), oldest first. */
  failedSha256s(code?: string): Promise<string[]>;
  /** Failed documents by error code. */
  failureCounts(): Promise<Record<string, number>>;
}

const IN_PROGRESS: readonly DocStatus[] = ['extracting', 'extracted', 'parsed'];

/** First key of the PostgreSQL advisory locks that serialise registering one sha256 ("IMRF"). */
const REGISTER_LOCK_CLASS = 0x494d5246;

type Write = <T>(fn: (db: Kysely<Database>) => Promise<T>) => Promise<T>;

export class FilesStore implements Intake {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly write: Write,
    private readonly dialect: DialectName,
  ) {}

  private bool(value: boolean): boolean | number {
    return this.dialect === 'sqlite' ? (value ? 1 : 0) : value;
  }

  register(input: RegisterInput): Promise<Registered> {
    return this.write(async (db) => {
      const at = now();
      if (this.dialect === 'postgres') {
        // Two machines taking in the same bytes at once: the second waits for the first's commit and then
        // finds its document, rather than failing on the primary key (SQLite's write lock does the same).
        await sql`select pg_advisory_xact_lock(${sql.lit(REGISTER_LOCK_CLASS)}, hashtext(${input.sha256}))`.execute(
          db,
        );
      }
      const existing = await db
        .selectFrom('documents')
        .selectAll()
        .where('sha256', '=', input.sha256)
        .executeTakeFirst();
      if (!existing) {
        const replaced = await this.replaceFailedAt(db, input.path, input.sha256);
        const row = await db
          .insertInto('documents')
          .values(
            newDocumentRow({
              sha256: input.sha256,
              fileName: basename(input.path),
              bytes: input.size,
              priority: input.priority,
              error: input.error,
              at,
            }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        if (input.bytes) {
          await db
            .insertInto('blobs')
            .values({ sha256: input.sha256, data: asBuffer(input.bytes) })
            .execute();
        }
        await this.insertFile(db, input, false, at);
        return { kind: 'new' as const, document: documentRow(row), replaced };
      }
      const same = await db
        .selectFrom('files')
        .select(['id', 'settled_to'])
        .where('sha256', '=', input.sha256)
        .where('path', '=', input.path)
        .executeTakeFirst();
      // This very file, seen again before it was settled (a restart's first scan): nothing new.
      if (same && same.settled_to === null) {
        return { kind: 'known' as const, document: documentRow(existing), replaced: null };
      }
      if (existing.status === 'failed' && input.bytes) {
        // Dropped again: the person wants it run again, not linked to its failure.
        await db
          .insertInto('blobs')
          .values({ sha256: input.sha256, data: asBuffer(input.bytes) })
          .onConflict((oc) => oc.column('sha256').doNothing())
          .execute();
        await this.resetInTx(db, input.sha256, at);
        if (same) {
          await db
            .updateTable('files')
            .set({ settled_to: null, ingested_at: at, duplicate: this.bool(false) })
            .where('id', '=', same.id)
            .execute();
        } else {
          await this.insertFile(db, input, false, at);
        }
        const row = await db
          .selectFrom('documents')
          .selectAll()
          .where('sha256', '=', input.sha256)
          .executeTakeFirstOrThrow();
        return { kind: 'retried' as const, document: documentRow(row), replaced: null };
      }
      if (same) return { kind: 'known' as const, document: documentRow(existing), replaced: null };
      await this.insertFile(db, input, true, at);
      return { kind: 'duplicate' as const, document: documentRow(existing), replaced: null };
    });
  }

  private async insertFile(db: Kysely<Database>, input: RegisterInput, duplicate: boolean, at: string) {
    await db
      .insertInto('files')
      .values({
        sha256: input.sha256,
        path: input.path,
        duplicate: this.bool(duplicate),
        ingested_at: at,
        settled_to: null,
      })
      .onConflict((oc) => oc.columns(['sha256', 'path']).doNothing())
      .execute();
  }

  /**
   * An unsettled file at `path` whose document (other bytes) failed: the same file read too early. Its row
   * goes, and its document too when no other file carries those bytes. Returns that document's sha256.
   */
  private async replaceFailedAt(db: Kysely<Database>, path: string, sha256: string): Promise<string | null> {
    const earlier = await db
      .selectFrom('files as f')
      .innerJoin('documents as d', 'd.sha256', 'f.sha256')
      .select(['f.id', 'f.sha256'])
      .where('f.path', '=', path)
      .where('f.settled_to', 'is', null)
      .where('f.sha256', '<>', sha256)
      .where('d.status', '=', 'failed')
      .executeTakeFirst();
    if (!earlier) return null;
    await db.deleteFrom('files').where('id', '=', earlier.id).execute();
    const others = await db
      .selectFrom('files')
      .select('id')
      .where('sha256', '=', earlier.sha256)
      .executeTakeFirst();
    if (!others) {
      const hadReport = await this.dropReportRows(db, earlier.sha256);
      await db.deleteFrom('corrections').where('sha256', '=', earlier.sha256).execute();
      await db.deleteFrom('documents').where('sha256', '=', earlier.sha256).execute();
      if (hadReport) await logReportChange(db, earlier.sha256, this.dialect);
    }
    return earlier.sha256;
  }

  /** Deletes a letter's analyst rows; whether it had any (the analytics copy must then hear of it). */
  private async dropReportRows(db: Kysely<Database>, sha256: string): Promise<boolean> {
    await db.deleteFrom('report_letter_specialties').where('sha256', '=', sha256).execute();
    await db.deleteFrom('report_citations').where('sha256', '=', sha256).execute();
    await db.deleteFrom('report_items').where('sha256', '=', sha256).execute();
    const letters = await db.deleteFrom('report_letters').where('sha256', '=', sha256).executeTakeFirst();
    return Number(letters.numDeletedRows) > 0;
  }

  private async resetInTx(db: Kysely<Database>, sha256: string, at: string): Promise<void> {
    await db
      .updateTable('documents')
      .set({
        status: 'queued',
        error_code: null,
        error_message: null,
        pages: null,
        text_source: null,
        layout: null,
        parser_version: null,
        ocr_pages: null,
        updated_at: at,
      })
      .where('sha256', '=', sha256)
      .execute();
    await db.deleteFrom('page_texts').where('sha256', '=', sha256).execute();
    await db.deleteFrom('ocr_pages').where('sha256', '=', sha256).execute();
    // The failed record (items and the rest cascade) and its analyst row.
    await db.deleteFrom('letters').where('sha256', '=', sha256).execute();
    if (await this.dropReportRows(db, sha256)) await logReportChange(db, sha256, this.dialect);
    // Files settled into quarantine follow the new result from where they are.
    const settled = await db
      .selectFrom('files')
      .select(['id', 'settled_to'])
      .where('sha256', '=', sha256)
      .where('settled_to', 'is not', null)
      .where('settled_to', '<>', 'missing')
      .execute();
    for (const f of settled) {
      await db
        .updateTable('files')
        .set({ path: f.settled_to!, settled_to: null })
        .where('id', '=', f.id)
        .execute();
    }
  }

  resetFailed(sha256: string): Promise<{ outcome: ResetOutcome; priority: number }> {
    return this.write(async (db) => {
      const doc = await db
        .selectFrom('documents')
        .select(['status', 'priority'])
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (!doc) return { outcome: 'not_found' as const, priority: 0 };
      const priority = Number(doc.priority);
      if (doc.status !== 'failed') return { outcome: 'not_failed' as const, priority };
      const blob = await db
        .selectFrom('blobs')
        .select('sha256')
        .where('sha256', '=', sha256)
        .executeTakeFirst();
      if (!blob) return { outcome: 'no_bytes' as const, priority };
      await this.resetInTx(db, sha256, now());
      return { outcome: 'reset' as const, priority };
    });
  }

  async list(filter: { state?: IntakeState; limit?: number } = {}): Promise<IntakeFile[]> {
    let q = this.db
      .selectFrom('files as f')
      .innerJoin('documents as d', 'd.sha256', 'f.sha256')
      .select([
        'f.id',
        'f.sha256',
        'f.path',
        'f.duplicate',
        'f.ingested_at',
        'f.settled_to',
        'd.status',
        'd.error_code',
        'd.error_message',
        'd.bytes',
        'd.file_name',
      ]);
    const state = filter.state;
    if (state === 'duplicate') q = q.where('f.duplicate', '=', this.bool(true));
    else if (state) {
      const statuses: readonly DocStatus[] = state === 'extracting' ? IN_PROGRESS : [state];
      q = q.where('f.duplicate', '=', this.bool(false)).where('d.status', 'in', [...statuses]);
    }
    const rows = await q
      .orderBy('f.ingested_at', 'desc')
      .orderBy('f.id', 'desc')
      .limit(filter.limit ?? 1000)
      .execute();
    return rows.map((r) => {
      const duplicate = toBool(r.duplicate);
      const status = r.status as DocStatus;
      return IntakeFile.parse({
        id: Number(r.id),
        sha256: r.sha256,
        name: basename(r.path),
        path: r.path,
        size: Number(r.bytes),
        ingestedAt: r.ingested_at,
        state: duplicate ? 'duplicate' : stateOf(status),
        status,
        errorCode: r.error_code,
        errorMessage: r.error_message,
        duplicateOf: duplicate ? r.file_name : null,
        settledTo: r.settled_to,
      });
    });
  }

  async failedSha256s(code?: string): Promise<string[]> {
    let q = this.db.selectFrom('documents').select('sha256').where('status', '=', 'failed');
    if (code) q = q.where('error_code', '=', code);
    const rows = await q.orderBy('updated_at').orderBy('sha256').execute();
    return rows.map((r) => r.sha256);
  }

  async failureCounts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('documents')
      .select((eb) => ['error_code', eb.fn.countAll().as('n')])
      .where('status', '=', 'failed')
      .groupBy('error_code')
      .orderBy('error_code')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.error_code ?? 'unknown', Number(r.n)]));
  }
}

/** A (non-duplicate) file's state from its document's status. */
export function stateOf(status: DocStatus): IntakeState {
  if (IN_PROGRESS.includes(status)) return 'extracting';
  if (status === 'queued' || TERMINAL_STATUSES.includes(status)) return status as IntakeState;
  return 'extracting';
}
