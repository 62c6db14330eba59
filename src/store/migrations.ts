import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';
import { reviewerSpecialties } from '../pipeline/validate/specialties.js';
import { VIEW_SQL, viewSql } from '../records/report-rows.js';
import type { Database, DialectName } from './db.js';
import { refreshReportRows } from './report.js';

/**
 * Schema migrations, in code, applied in order and recorded in `schema_version`. A migration only ever
 * adds to the schema; once released it is never edited (add a new one instead).
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<Database>, dialect: DialectName): Promise<void>;
}

/** Key of the PostgreSQL advisory lock that serialises migrations across processes ("IMR" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x494d52;

const bytesType = (dialect: DialectName) => (dialect === 'postgres' ? 'bytea' : 'blob');

/** An integer primary key the database numbers: AUTOINCREMENT on SQLite, an identity on PostgreSQL. */
const serialId = (dialect: DialectName) => (col: ColumnDefinitionBuilder) =>
  dialect === 'postgres' ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();

async function initial(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const s = db.schema;
  await s
    .createTable('documents')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('pages', 'integer')
    .addColumn('text_source', 'text')
    .addColumn('layout', 'text')
    .addColumn('parser_version', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('documents_status_idx').ifNotExists().on('documents').column('status').execute();

  await s
    .createTable('blobs')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.primaryKey().references('documents.sha256').onDelete('cascade'))
    .addColumn('data', bytesType(dialect), (c) => c.notNull())
    .execute();

  await s
    .createTable('files')
    .ifNotExists()
    .addColumn('id', 'integer', serialId(dialect))
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('duplicate', 'boolean', (c) => c.notNull())
    .addColumn('ingested_at', 'text', (c) => c.notNull())
    .addColumn('settled_to', 'text')
    .addUniqueConstraint('files_sha256_path_key', ['sha256', 'path'])
    .execute();
  await s.createIndex('files_settled_to_idx').ifNotExists().on('files').column('settled_to').execute();

  await s
    .createTable('page_texts')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
    .addColumn('page', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('text_json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('page_texts_pkey', ['sha256', 'page'])
    .execute();

  await s
    .createTable('letters')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.primaryKey().references('documents.sha256').onDelete('cascade'))
    .addColumn('case_number', 'text')
    .addColumn('decision_date', 'text')
    .addColumn('date_assigned', 'text')
    .addColumn('application_received', 'text')
    .addColumn('priority', 'text')
    .addColumn('injury_date', 'text')
    .addColumn('ur_date', 'text')
    .addColumn('licensure_json', 'text', (c) => c.notNull())
    .addColumn('specialty', 'text')
    .addColumn('patient_age', 'integer')
    .addColumn('patient_sex', 'text')
    .addColumn('layout', 'text')
    .addColumn('parser_version', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('record_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('letters_case_number_idx').ifNotExists().on('letters').column('case_number').execute();

  await s
    .createTable('items')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('letters.sha256').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('original_request', 'text')
    .addColumn('authorized_portion', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text')
    .addColumn('rationale_conclusion', 'text')
    .addColumn('ca_raw', 'text')
    .addColumn('mx_raw', 'text')
    .addPrimaryKeyConstraint('items_pkey', ['sha256', 'idx'])
    .execute();

  await s
    .createTable('citations')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('letters.sha256').onDelete('cascade'))
    .addColumn('item_idx', 'integer', (c) => c.notNull())
    .addColumn('party', 'text', (c) => c.notNull().check(sql`party in ('claims_administrator', 'maximus')`))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('sections', 'text')
    .addColumn('pages', 'text')
    .addPrimaryKeyConstraint('citations_pkey', ['sha256', 'item_idx', 'party', 'idx'])
    .execute();

  await s
    .createTable('mismatches')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('letters.sha256').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mismatches_pkey', ['sha256', 'idx'])
    .execute();

  await s
    .createTable('provenance')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('letters.sha256').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('page', 'integer', (c) => c.notNull())
    .addColumn('start_offset', 'integer', (c) => c.notNull())
    .addColumn('end_offset', 'integer', (c) => c.notNull())
    .addColumn('box_json', 'text')
    .addColumn('confidence', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('provenance_pkey', ['sha256', 'field'])
    .execute();

  await s
    .createTable('corrections')
    .ifNotExists()
    .addColumn('id', 'integer', serialId(dialect))
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('machine_value_json', 'text')
    .addColumn('value_json', 'text')
    .addColumn('reason', 'text')
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('corrections_sha256_idx').ifNotExists().on('corrections').column('sha256').execute();

  await s
    .createTable('audit')
    .ifNotExists()
    .addColumn('id', 'integer', serialId(dialect))
    .addColumn('sha256', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('detail_json', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('audit_sha256_idx').ifNotExists().on('audit').column('sha256').execute();
}

/** Whether `table` has `column` (SQLite has no ADD COLUMN IF NOT EXISTS). */
async function hasColumn(
  db: Kysely<Database>,
  dialect: DialectName,
  table: string,
  column: string,
): Promise<boolean> {
  const rows =
    dialect === 'postgres'
      ? await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_schema = current_schema() and table_name = ${table} and column_name = ${column}`.execute(
          db,
        )
      : await sql<{
          name: string;
        }>`select name from pragma_table_info(${table}) where name = ${column}`.execute(db);
  return rows.rows.length > 0;
}

/** QA review: review states, the parser version a correction was made against, replaced machine records. */
async function review(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const s = db.schema;
  await s
    .createTable('reviews')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.primaryKey().references('documents.sha256').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'approved', 'rejected')`))
    .addColumn('author', 'text')
    .addColumn('reason', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await s.createIndex('reviews_state_idx').ifNotExists().on('reviews').column('state').execute();

  // Guarded although the version check already runs this once: a half-applied schema from a manual
  // repair must not stop the upgrade.
  if (!(await hasColumn(db, dialect, 'corrections', 'parser_version'))) {
    await s.alterTable('corrections').addColumn('parser_version', 'text').execute();
  }

  await s
    .createTable('record_versions')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
    .addColumn('parser_version', 'text', (c) => c.notNull())
    .addColumn('record_json', 'text', (c) => c.notNull())
    .addColumn('saved_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_versions_pkey', ['sha256', 'parser_version'])
    .execute();
}

/**
 * Analysts: the corrected, categorised rows behind the views `letters`, `items`, `citations` and
 * `mismatches` (PostgreSQL: schema `analytics`; SQLite: temporary views made by `imr query`, since the
 * machine tables already use those names). Filled for the letters already stored.
 */
async function analytics(db: Kysely<Database>, _dialect: DialectName): Promise<void> {
  const s = db.schema;
  await s
    .createTable('report_letters')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.primaryKey().references('documents.sha256').onDelete('cascade'))
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('review_state', 'text', (c) => c.notNull())
    .addColumn('corrections', 'integer', (c) => c.notNull())
    .addColumn('case_number', 'text')
    .addColumn('decision_date', 'text')
    .addColumn('date_assigned', 'text')
    .addColumn('application_received', 'text')
    .addColumn('priority', 'text')
    .addColumn('injury_date', 'text')
    .addColumn('ur_date', 'text')
    .addColumn('reviewer_licensure', 'text')
    .addColumn('reviewer_specialty', 'text')
    .addColumn('patient_age', 'integer')
    .addColumn('patient_sex', 'text')
    .addColumn('layout', 'text')
    .addColumn('parser_version', 'text', (c) => c.notNull())
    .addColumn('text_source', 'text')
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('upheld', 'integer', (c) => c.notNull())
    .addColumn('overturned', 'integer', (c) => c.notNull())
    .execute();
  await s
    .createIndex('report_letters_decision_idx')
    .ifNotExists()
    .on('report_letters')
    .column('decision_date')
    .execute();
  await s
    .createTable('report_items')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('original_request', 'text')
    .addColumn('authorized_portion', 'text')
    .addColumn('category', 'text')
    .addColumn('subcategory', 'text')
    .addColumn('drug_class', 'text')
    .addColumn('drug', 'text')
    .addColumn('strength', 'text')
    .addColumn('count', 'integer')
    .addColumn('category_rule', 'text')
    .addPrimaryKeyConstraint('report_items_pkey', ['sha256', 'idx'])
    .execute();
  await s
    .createTable('report_citations')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
    .addColumn('item_idx', 'integer', (c) => c.notNull())
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('sections', 'text')
    .addColumn('pages', 'text')
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('chapter', 'text')
    .addPrimaryKeyConstraint('report_citations_pkey', ['sha256', 'item_idx', 'party', 'idx'])
    .execute();
  // The views and the rows of the letters already stored follow the current code (VIEW_SQL, reportRows),
  // which reads columns added by later migrations: `canonicalSpecialties` (v7) makes both.
}

/**
 * Covering indexes for the reports (`npm run bench:reports`): the views join citations to items to letters
 * by key, and on SQLite each join otherwise fetches a table row at a random place. With these the joins
 * read only index pages, in key order, and `by-guideline` finds an item's earlier citation of the same
 * chapter in the index alone.
 */
async function reportIndexes(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createIndex('report_items_decision_idx')
    .ifNotExists()
    .on('report_items')
    .columns(['sha256', 'idx', 'decision'])
    .execute();
  await db.schema
    .createIndex('report_citations_family_idx')
    .ifNotExists()
    .on('report_citations')
    .columns(['sha256', 'item_idx', 'party', 'family', 'chapter', 'idx'])
    .execute();
}

/**
 * OCR as page jobs: a scanned document's pages are OCR'd by any worker, each result kept in `ocr_pages`
 * until the last one is in and the letter is parsed; `documents.ocr_pages` lists the pages it waits for.
 * `documents.priority` is its jobs' queue priority (0 inbox, else backfill), kept so that a re-enqueue
 * (restart, lost Redis) keeps the lane.
 */
async function pageJobs(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const s = db.schema;
  if (!(await hasColumn(db, dialect, 'documents', 'priority'))) {
    await s
      .alterTable('documents')
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  if (!(await hasColumn(db, dialect, 'documents', 'ocr_pages'))) {
    await s.alterTable('documents').addColumn('ocr_pages', 'text').execute();
  }
  await s
    .createTable('ocr_pages')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
    .addColumn('page', 'integer', (c) => c.notNull())
    .addColumn('text_json', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addPrimaryKeyConstraint('ocr_pages_pkey', ['sha256', 'page'])
    .execute();
}

/**
 * The analytics copy (DuckDB) follows the store through `report_log`: one row per rebuild of a letter's
 * analyst rows, in commit order (see report.ts), so a sync reads only the letters changed since its last
 * sequence number.
 */
async function analyticsLog(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('report_log')
    .ifNotExists()
    .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
}

/** (Re)creates the PostgreSQL analyst views from VIEW_SQL; SQLite's are temporary (made by `imr query`). */
async function createAnalystViews(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`create schema if not exists analytics`.execute(db);
  for (const name of Object.keys(VIEW_SQL) as (keyof typeof VIEW_SQL)[]) {
    // Dropped, not replaced: `select *` views take their columns when made, and columns move.
    await sql.raw(`drop view if exists analytics.${name}`).execute(db);
    await sql.raw(`create view analytics.${name} as ${viewSql(name, 'public.')}`).execute(db);
  }
}

/**
 * Canonical reviewer specialties: `report_letters.primary_specialty` and `report_letter_specialties` (one
 * row per canonical specialty, in printed order). Backfilled here from `report_letters.reviewer_specialty`,
 * the corrected printed value, with this program's vocabulary: the same values a rebuild of the rows gives
 * (one update per distinct printed value, not per letter). The stored records themselves keep no canonical
 * names until reprocessed; they are derived on read (codec.ts). Letters without analyst rows yet (a store
 * older than v3) get them after the last migration (`buildMissingReportRows`).
 */
async function canonicalSpecialties(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const s = db.schema;
  if (!(await hasColumn(db, dialect, 'report_letters', 'primary_specialty'))) {
    await s.alterTable('report_letters').addColumn('primary_specialty', 'text').execute();
  }
  await s
    .createTable('report_letter_specialties')
    .ifNotExists()
    .addColumn('sha256', 'text', (c) => c.notNull().references('documents.sha256').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('specialty', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_letter_specialties_pkey', ['sha256', 'position'])
    .execute();
  await s
    .createIndex('report_letter_specialties_specialty_idx')
    .ifNotExists()
    .on('report_letter_specialties')
    .columns(['specialty', 'sha256'])
    .execute();
  const printed = await db
    .selectFrom('report_letters')
    .select('reviewer_specialty')
    .distinct()
    .where('reviewer_specialty', 'is not', null)
    .execute();
  for (const { reviewer_specialty: value } of printed) {
    const { specialties: names, primarySpecialty } = reviewerSpecialties(value);
    if (names.length === 0 || value === null) continue;
    await db
      .updateTable('report_letters')
      .set({ primary_specialty: primarySpecialty })
      .where('reviewer_specialty', '=', value)
      .execute();
    await db
      .deleteFrom('report_letter_specialties')
      .where(
        'sha256',
        'in',
        db.selectFrom('report_letters').select('sha256').where('reviewer_specialty', '=', value),
      )
      .execute();
    for (const [position, specialty] of names.entries()) {
      await db
        .insertInto('report_letter_specialties')
        .columns(['sha256', 'position', 'specialty'])
        .expression(
          db
            .selectFrom('report_letters')
            .select([
              'sha256',
              sql<number>`${sql.lit(position)}`.as('position'),
              sql<string>`cast(${specialty} as text)`.as('specialty'),
            ])
            .where('reviewer_specialty', '=', value),
        )
        .execute();
    }
  }
}

/**
 * Letters stored before the analyst rows existed (a store older than v3) get them, built by this
 * program once every migration has run (the rows' columns are the newest schema's).
 */
async function buildMissingReportRows(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  const missing = await db
    .selectFrom('letters as l')
    .leftJoin('report_letters as r', 'r.sha256', 'l.sha256')
    .select('l.sha256')
    .where('r.sha256', 'is', null)
    .execute();
  for (const row of missing) await refreshReportRows(db, row.sha256, undefined, dialect);
}

/**
 * People of the web server (`imr users`): a name (unique, also once removed, so that the audit trail's
 * names stay one person's), a role, and the SHA-256 of their token, never the token. Removing a user
 * clears the hash and sets `removed_at`; the row stays for the names in corrections and audit rows.
 */
async function users(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('users')
    .ifNotExists()
    .addColumn('id', 'integer', serialId(dialect))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('reviewer', 'analyst')`))
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('token_issued_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .execute();
}

/** The PostgreSQL role analyst SQL runs as (NOLOGIN): USAGE on schema analytics, SELECT on its views. */
export const ANALYST_ROLE = 'imr_analyst';
/** The LOGIN role analyst SQL connects as: a member of ANALYST_ROLE that inherits nothing (see query.ts). */
export const ANALYST_LOGIN = 'imr_analyst_login';

/**
 * Least privilege for analyst SQL on PostgreSQL. Roles are cluster-wide (one pair for every database on
 * the server; another database may be creating them at this moment: duplicate_object / unique_violation
 * mean it won), grants are per database. The login role inherits nothing, so the analyst's queries run
 * under `SET ROLE imr_analyst` and its own backend is not theirs to signal. A user that may not create
 * roles fails here, with what to do, rather than leave analyst SQL running as the store's owner.
 */
async function analystRole(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql
    .raw(
      `do $imr$
declare
  me_super boolean := (select rolsuper from pg_roles where rolname = current_user);
begin
  if not exists (select from pg_roles where rolname = '${ANALYST_ROLE}') then
    begin
      create role ${ANALYST_ROLE} nologin nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls;
    exception
      when duplicate_object or unique_violation then null;
      when insufficient_privilege then
        raise exception 'role ${ANALYST_ROLE} does not exist and % may not create it', current_user
          using hint = 'give ' || current_user || ' CREATEROLE, or run migrations once as a superuser (see README, Security)';
    end;
  end if;
  if not exists (select from pg_roles where rolname = '${ANALYST_LOGIN}') then
    begin
      create role ${ANALYST_LOGIN} login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls;
    exception
      when duplicate_object or unique_violation then null;
      when insufficient_privilege then
        raise exception 'role ${ANALYST_LOGIN} does not exist and % may not create it', current_user
          using hint = 'give ' || current_user || ' CREATEROLE, or run migrations once as a superuser (see README, Security)';
    end;
  end if;
  if not pg_has_role('${ANALYST_LOGIN}', '${ANALYST_ROLE}', 'member') then
    grant ${ANALYST_ROLE} to ${ANALYST_LOGIN};
  end if;
  -- Without a login for the analyst (password authentication, no IMR_ANALYST_DATABASE_URL) the store's own
  -- user switches to the role: it must be a member (a superuser is one already). Best effort.
  if not me_super and not pg_has_role(current_user, '${ANALYST_ROLE}', 'member') then
    begin
      execute format('grant ${ANALYST_ROLE} to %I', current_user);
    exception when insufficient_privilege or invalid_grant_operation then null;
    end;
  end if;
  -- Servers before 15 let PUBLIC create in schema public (a trap for whoever searches it later); the
  -- store's user and the database's owner keep that right. Only the schema's owner may change it.
  if has_schema_privilege('public', 'public', 'CREATE')
     and (me_super or pg_has_role(current_user, (select nspowner from pg_namespace where nspname = 'public'), 'usage')) then
    execute format('grant create on schema public to %I', current_user);
    execute format('grant create on schema public to %I',
      (select pg_get_userbyid(datdba) from pg_database where datname = current_database()));
    revoke create on schema public from public;
  end if;
end
$imr$`,
    )
    .execute(db);
  // The views themselves are made after the last migration (afterMigrations); the schema is made here.
  await sql`create schema if not exists analytics`.execute(db);
  await sql.raw(`grant usage on schema analytics to ${ANALYST_ROLE}`).execute(db);
  await sql.raw(`grant select on all tables in schema analytics to ${ANALYST_ROLE}`).execute(db);
  // Views made again later (createAnalystViews drops and creates them) by this user keep the grant.
  await sql
    .raw(`alter default privileges in schema analytics grant select on tables to ${ANALYST_ROLE}`)
    .execute(db);
}

/**
 * `report_citations.first_of_family`: 1 for the first citation of its item and party with that family
 * and chapter (see report-rows.ts), so `by-guideline` counts an item once per chapter with a plain filter
 * on every engine instead of a window or a probe per row. Backfilled here for the rows already stored.
 */
async function citationFirsts(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  if (!(await hasColumn(db, dialect, 'report_citations', 'first_of_family'))) {
    await db.schema
      .alterTable('report_citations')
      .addColumn('first_of_family', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  }
  await sql`update report_citations set first_of_family = 0 where exists (
      select 1 from report_citations d where d.sha256 = report_citations.sha256
      and d.item_idx = report_citations.item_idx and d.party = report_citations.party
      and d.family = report_citations.family
      and coalesce(d.chapter, '') = coalesce(report_citations.chapter, '') and d.idx < report_citations.idx)`.execute(
    db,
  );
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: initial },
  { version: 2, name: 'review', up: review },
  { version: 3, name: 'analytics', up: analytics },
  { version: 4, name: 'report indexes', up: reportIndexes },
  { version: 5, name: 'page jobs', up: pageJobs },
  { version: 6, name: 'analytics log', up: analyticsLog },
  { version: 7, name: 'canonical specialties', up: canonicalSpecialties },
  { version: 8, name: 'analyst role', up: analystRole },
  { version: 9, name: 'users', up: users },
  { version: 10, name: 'citation firsts', up: citationFirsts },
];

/** The schema version this code expects. */
export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

async function applyPending(db: Kysely<Database>, dialect: DialectName): Promise<number> {
  await db.schema
    .createTable('schema_version')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const applied = new Set(
    (await db.selectFrom('schema_version').select('version').execute()).map((r) => Number(r.version)),
  );
  const current = Math.max(0, ...applied);
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema is version ${current}, newer than this program (${SCHEMA_VERSION}): upgrade imr-pipeline`,
    );
  }
  // Every version not yet recorded, in order, even one below the newest applied: migrations written
  // side by side can land out of order, and a database migrated in between must still get the earlier one.
  let ran = 0;
  for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    await m.up(db, dialect);
    await db
      .insertInto('schema_version')
      .values({ version: m.version, name: m.name, applied_at: new Date().toISOString() })
      .execute();
    ran++;
  }
  return ran;
}

/**
 * Brings the schema to `SCHEMA_VERSION`. Run it inside one write transaction (the store does): several
 * processes may migrate at once; on PostgreSQL they queue on a transaction-scoped advisory lock taken
 * here, on SQLite on the write lock the store's `BEGIN IMMEDIATE` takes; whoever comes second finds the
 * work done. DDL is transactional on both, so a failed migration leaves the schema as it was.
 */
export async function migrateSchema(trx: Kysely<Database>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
  }
  if ((await applyPending(trx, dialect)) > 0) await afterMigrations(trx, dialect);
}

/**
 * What follows any migration, with this program's definitions once the schema is the newest: the
 * analyst views made again (PostgreSQL) and granted to the analyst role when it exists, and analyst rows
 * for letters that have none.
 */
async function afterMigrations(db: Kysely<Database>, dialect: DialectName): Promise<void> {
  await createAnalystViews(db, dialect);
  if (dialect === 'postgres') {
    const role = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_roles where rolname = ${ANALYST_ROLE}`.execute(db);
    if ((role.rows[0]?.n ?? 0) > 0) {
      await sql.raw(`grant usage on schema analytics to ${ANALYST_ROLE}`).execute(db);
      await sql.raw(`grant select on all tables in schema analytics to ${ANALYST_ROLE}`).execute(db);
    }
  }
  await buildMissingReportRows(db, dialect);
}
