import type { Table } from './format.js';
import {
  DEFAULT_QUERY_LIMITS,
  type QueryEngine,
  type QueryLimits,
  type QueryParam,
  runQueries,
} from './query.js';

/**
 * What an analyst narrows the views to (the HTTP API and the dashboard). Every value reaches the database
 * as a bound parameter, never as SQL text; the caller validates shapes (src/server/analytics-params.ts).
 */
export interface ItemFilter {
  /** Decision dates from (inclusive), ISO YYYY-MM-DD. */
  from?: string | undefined;
  /** Decision dates to (inclusive), ISO YYYY-MM-DD. */
  to?: string | undefined;
  /** A canonical reviewer specialty: the letter's primary one, or with `eachSpecialty` any of its. */
  specialty?: string | undefined;
  /** Group and filter by each of a letter's canonical specialties, not only the primary one. */
  eachSpecialty?: boolean | undefined;
  category?: string | undefined;
  drugClass?: string | undefined;
  decision?: string | undefined;
  /** Guideline family: items having a citation (either party) of that family. */
  guideline?: string | undefined;
  /** Case-insensitive text search: description, drug, case number (letters: also the file name). */
  q?: string | undefined;
}

export interface Page {
  limit: number;
  offset: number;
}

export interface PagedTable extends Table {
  /** Rows matching the filter, all pages together. */
  total: number;
}

export const ITEM_COLUMNS = [
  'sha256',
  'idx',
  'decision_date',
  'case_number',
  'primary_specialty',
  'reviewer_specialty',
  'category',
  'subcategory',
  'drug_class',
  'drug',
  'strength',
  'description',
  'quantity',
  'decision',
  'review_state',
] as const;

export const LETTER_COLUMNS = [
  'sha256',
  'file',
  'case_number',
  'decision_date',
  'primary_specialty',
  'reviewer_specialty',
  'reviewer_licensure',
  'patient_age',
  'patient_sex',
  'items',
  'upheld',
  'overturned',
  'status',
  'review_state',
] as const;

/** Collects bound values and hands out their placeholders. */
class Params {
  readonly values: QueryParam[] = [];
  add(value: QueryParam): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** `%term%` for LIKE, with the user's own % and _ taken literally (ESCAPE '\'). */
function containsPattern(term: string): string {
  return `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Conditions on the letter's own columns (alias `a` must have sha256, decision_date, primary_specialty). */
function letterConditions(f: ItemFilter, p: Params, a: string): string[] {
  const out: string[] = [];
  if (f.from) out.push(`${a}.decision_date >= ${p.add(f.from)}`);
  if (f.to) out.push(`${a}.decision_date <= ${p.add(f.to)}`);
  if (f.specialty) {
    out.push(
      f.eachSpecialty
        ? `exists (select 1 from letter_specialties s where s.sha256 = ${a}.sha256 and s.specialty = ${p.add(f.specialty)})`
        : `${a}.primary_specialty = ${p.add(f.specialty)}`,
    );
  }
  return out;
}

/** Conditions on one item (alias `i` of the items view). */
function itemOnlyConditions(f: ItemFilter, p: Params, i: string): string[] {
  const out: string[] = [];
  if (f.category) out.push(`${i}.category = ${p.add(f.category)}`);
  if (f.drugClass) out.push(`${i}.drug_class = ${p.add(f.drugClass)}`);
  if (f.decision) out.push(`${i}.decision = ${p.add(f.decision)}`);
  if (f.guideline) {
    out.push(
      `exists (select 1 from citations c where c.sha256 = ${i}.sha256 and c.item_idx = ${i}.idx and c.family = ${p.add(f.guideline)})`,
    );
  }
  return out;
}

const where = (conditions: string[]) => (conditions.length ? `where ${conditions.join(' and ')}` : '');

/** The conditions of a query over `items i`. */
function itemConditions(f: ItemFilter, p: Params): string[] {
  const conditions = [...letterConditions(f, p, 'i'), ...itemOnlyConditions(f, p, 'i')];
  if (f.q) {
    const like = p.add(containsPattern(f.q));
    conditions.push(
      `(lower(i.description) like ${like} escape '\\' or lower(i.drug) like ${like} escape '\\' ` +
        `or lower(i.case_number) like ${like} escape '\\')`,
    );
  }
  return conditions;
}

/** The WHERE clause of a query over `letters l`: letters having at least one item that matches. */
function letterWhere(f: ItemFilter, p: Params): string {
  const conditions = letterConditions(f, p, 'l');
  const item = itemOnlyConditions(f, p, 'i');
  if (f.q) {
    const like = p.add(containsPattern(f.q));
    conditions.push(
      `(lower(l.case_number) like ${like} escape '\\' or lower(l.file) like ${like} escape '\\' or exists ` +
        `(select 1 from items i where i.sha256 = l.sha256 and (lower(i.description) like ${like} escape '\\' ` +
        `or lower(i.drug) like ${like} escape '\\')))`,
    );
  }
  if (item.length > 0) {
    conditions.push(`exists (select 1 from items i where i.sha256 = l.sha256 and ${item.join(' and ')})`);
  }
  return where(conditions);
}

const UPHELD = "coalesce(sum(case when decision = 'upheld' then 1 else 0 end), 0)";
// Newest first, undated last; the same order on both engines (false sorts before true).
const ITEM_ORDER = 'order by decision_date is null, decision_date desc, sha256, idx';
const LETTER_ORDER = 'order by decision_date is null, decision_date desc, sha256';

async function paged(
  databaseUrl: string,
  from: string,
  columns: readonly string[],
  whereOf: (p: Params) => string,
  order: string,
  page: Page,
  limits: QueryLimits,
  engine: QueryEngine,
): Promise<PagedTable> {
  const count = new Params();
  const rows = new Params();
  const rowsWhere = whereOf(rows);
  const [total, table] = await runQueries(
    databaseUrl,
    [
      { sql: `select count(*) as n from ${from} ${whereOf(count)}`, params: count.values },
      {
        sql: `select ${columns.join(', ')} from ${from} ${rowsWhere} ${order} limit ${rows.add(page.limit)} offset ${rows.add(page.offset)}`,
        params: rows.values,
      },
    ],
    { ...limits, maxRows: Math.max(limits.maxRows, page.limit) },
    engine,
  );
  return { columns: table!.columns, rows: table!.rows, total: Number(total!.rows[0]?.[0] ?? 0) };
}

/** One page of the `items` view under the filter, newest decision first. */
export function listItems(
  databaseUrl: string,
  filter: ItemFilter,
  page: Page,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
  engine: QueryEngine = {},
): Promise<PagedTable> {
  return paged(
    databaseUrl,
    'items i',
    ITEM_COLUMNS,
    (p) => where(itemConditions(filter, p)),
    ITEM_ORDER,
    page,
    limits,
    engine,
  );
}

/** One page of the `letters` view: letters with at least one item matching the filter. */
export function listLetters(
  databaseUrl: string,
  filter: ItemFilter,
  page: Page,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
  engine: QueryEngine = {},
): Promise<PagedTable> {
  return paged(
    databaseUrl,
    'letters l',
    LETTER_COLUMNS,
    (p) => letterWhere(filter, p),
    LETTER_ORDER,
    page,
    limits,
    engine,
  );
}

/** Items and upheld items of one group (null: the group's value is missing). */
export interface RateRow {
  key: string | null;
  items: number;
  upheld: number;
}

export interface DashboardData {
  items: number;
  letters: number;
  upheld: number;
  byCategory: RateRow[];
  bySpecialty: RateRow[];
  /** By month of the decision date (YYYY-MM), oldest first; undated items are left out. */
  byMonth: RateRow[];
  /** The values each select of the filter form offers (over all letters, not the filtered ones). */
  options: { specialties: string[]; categories: string[]; drugClasses: string[]; guidelines: string[] };
  page: PagedTable;
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const count = (v: unknown): number => Number(v ?? 0) || 0;
const rateRows = (t: Table): RateRow[] =>
  t.rows.map(([key, items, upheld]) => ({ key: text(key), items: count(items), upheld: count(upheld) }));
const values = (t: Table): string[] => t.rows.map(([v]) => String(v));

/** Everything the dashboard shows, in one read-only batch (one snapshot). */
export async function dashboardData(
  databaseUrl: string,
  filter: ItemFilter,
  page: Page,
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
  engine: QueryEngine = {},
): Promise<DashboardData> {
  const grouped = (column: string, order: string, extra: string[] = [], from = 'items i') => {
    const p = new Params();
    const w = where([...itemConditions(filter, p), ...extra]);
    return {
      sql: `select ${column} as k, count(*) as items, ${UPHELD} as upheld from ${from} ${w} group by 1 order by ${order}`,
      params: p.values,
    };
  };
  const totals = new Params();
  const totalsWhere = where(itemConditions(filter, totals));
  const rows = new Params();
  const rowsWhere = where(itemConditions(filter, rows));
  const results = await runQueries(
    databaseUrl,
    [
      {
        sql: `select count(*) as items, count(distinct i.sha256) as letters, ${UPHELD} as upheld from items i ${totalsWhere}`,
        params: totals.values,
      },
      grouped('i.category', '2 desc, 1'),
      // Each specialty: a letter's items count under every one of its specialties.
      filter.eachSpecialty
        ? grouped(
            's.specialty',
            '2 desc, 1',
            [],
            'items i left join letter_specialties s on s.sha256 = i.sha256',
          )
        : grouped('i.primary_specialty', '2 desc, 1'),
      grouped('substr(i.decision_date, 1, 7)', '1', ['i.decision_date is not null']),
      {
        sql: filter.eachSpecialty
          ? 'select distinct specialty from letter_specialties order by 1'
          : 'select distinct primary_specialty from letters where primary_specialty is not null order by 1',
      },
      { sql: 'select distinct category from items where category is not null order by 1' },
      { sql: 'select distinct drug_class from items where drug_class is not null order by 1' },
      { sql: 'select distinct family from citations order by 1' },
      {
        sql: `select ${ITEM_COLUMNS.map((c) => `i.${c}`).join(', ')} from items i ${rowsWhere} ${ITEM_ORDER} limit ${rows.add(page.limit)} offset ${rows.add(page.offset)}`,
        params: rows.values,
      },
    ],
    { ...limits, maxRows: Math.max(limits.maxRows, page.limit) },
    engine,
  );
  const [t, cat, spec, month, specialties, categories, drugClasses, guidelines, list] = Array.from(
    { length: 9 },
    (_, i): Table => results[i] ?? { columns: [], rows: [] },
  ) as [Table, Table, Table, Table, Table, Table, Table, Table, Table];
  const [items, letters, upheld] = t.rows[0] ?? [];
  return {
    items: count(items),
    letters: count(letters),
    upheld: count(upheld),
    byCategory: rateRows(cat),
    bySpecialty: rateRows(spec),
    byMonth: rateRows(month),
    options: {
      specialties: values(specialties),
      categories: values(categories),
      drugClasses: values(drugClasses),
      guidelines: values(guidelines),
    },
    page: { columns: list.columns, rows: list.rows, total: count(items) },
  };
}
