import { type Kysely, sql } from 'kysely';
import type { LetterRecord } from '../../schemas/letter.js';
import { applyCorrections } from '../records/apply-corrections.js';
import { parseRecordJson } from '../records/codec.js';
import { reportRows } from '../records/report-rows.js';
import type { Database, DialectName } from './db.js';
import { correctionRow } from './rows.js';

/** Key of the PostgreSQL advisory lock that puts `report_log` rows in commit order ("IMRL"). */
const REPORT_LOG_LOCK_KEY = 0x494d524c;

/**
 * Rebuilds a letter's analyst rows (report_letters, report_items, report_citations) from its machine
 * record, its corrections and its review state. Runs inside the caller's write transaction, after any
 * change to one of the three, so the views never disagree with the corrected record. `log` (the dialect)
 * appends the letter to `report_log`, which the analytics copy follows; off only in migrations that run
 * before the log exists.
 */
export async function refreshReportRows(
  db: Kysely<Database>,
  sha256: string,
  machine: LetterRecord | undefined,
  log: DialectName | null,
): Promise<void> {
  let record = machine;
  if (!record) {
    const row = await db
      .selectFrom('letters')
      .select('record_json')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!row) return;
    record = parseRecordJson(row.record_json);
  }
  const [corrections, review] = await Promise.all([
    db.selectFrom('corrections').selectAll().where('sha256', '=', sha256).orderBy('id').execute(),
    db.selectFrom('reviews').select('state').where('sha256', '=', sha256).executeTakeFirst(),
  ]);
  const corrected =
    corrections.length === 0 ? record : applyCorrections(record, corrections.map(correctionRow));
  const rows = reportRows(corrected, { state: review?.state ?? null, corrections: corrections.length });
  await db.deleteFrom('report_letter_specialties').where('sha256', '=', sha256).execute();
  await db.deleteFrom('report_citations').where('sha256', '=', sha256).execute();
  await db.deleteFrom('report_items').where('sha256', '=', sha256).execute();
  await db.deleteFrom('report_letters').where('sha256', '=', sha256).execute();
  await db.insertInto('report_letters').values(rows.letter).execute();
  if (rows.specialties.length > 0) {
    await db.insertInto('report_letter_specialties').values(rows.specialties).execute();
  }
  // Well under the bound-parameter limits of both engines: at most a few hundred rows per letter.
  for (let i = 0; i < rows.items.length; i += 100) {
    await db
      .insertInto('report_items')
      .values(rows.items.slice(i, i + 100))
      .execute();
  }
  for (let i = 0; i < rows.citations.length; i += 100) {
    await db
      .insertInto('report_citations')
      .values(rows.citations.slice(i, i + 100))
      .execute();
  }
  if (log) await logReportChange(db, sha256, log);
}

/**
 * Appends a letter to `report_log`. A sync reads the rows after its last sequence number, so numbers must
 * become visible in order: SQLite's write lock already orders them; on PostgreSQL a transaction-scoped
 * advisory lock, taken just before the number is drawn and held to commit, does the same.
 */
export async function logReportChange(db: Kysely<Database>, sha256: string, dialect: DialectName) {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${sql.lit(REPORT_LOG_LOCK_KEY)})`.execute(db);
  }
  await db.insertInto('report_log').values({ sha256, at: new Date().toISOString() }).execute();
}
