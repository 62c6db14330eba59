import { parseStoreUrl } from '../store/create-store.js';
import type { Table } from './format.js';
import { DEFAULT_QUERY_LIMITS, QueryError, type QueryLimits, runQuery } from './query.js';

export interface ReportFilter {
  /** Decision dates from (inclusive), ISO YYYY-MM-DD. */
  from?: string | null;
  /** Decision dates to (inclusive), ISO YYYY-MM-DD. */
  to?: string | null;
}

interface ReportDef {
  summary: string;
  run(ctx: Ctx): Promise<Table>;
}

interface Ctx {
  query(sql: string): Promise<Table>;
  /** `AND decision_date ...` for the filter (dates are checked to be ISO before they get here). */
  where: string;
  dialect: 'sqlite' | 'postgres';
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Rate with 4 decimals; the same expression on both engines. */
const rate = (num: string, den: string) => `round(1.0 * (${num}) / nullif(${den}, 0), 4)`;
const UPHELD = `sum(case when decision = 'upheld' then 1 else 0 end)`;

function rateReport(group: string[], from: string, summary: string, orderBy = 'items desc'): ReportDef {
  return {
    summary,
    run: (ctx) =>
      ctx.query(
        `select ${group.join(', ')}, count(*) as items, ${UPHELD} as upheld, ` +
          `${rate(UPHELD, 'count(*)')} as uphold_rate from ${from} where 1 = 1 ${ctx.where} ` +
          `group by ${group.map((_, i) => i + 1).join(', ')} order by ${orderBy}, ${group.map((_, i) => i + 1).join(', ')}`,
      ),
  };
}

const daysBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export const REPORTS: Record<string, ReportDef> = {
  'uphold-by-quarter': {
    summary: 'uphold rate per item by quarter of the decision date',
    run: (ctx) =>
      ctx.query(
        `select substr(decision_date, 1, 4) || '-Q' || cast((cast(substr(decision_date, 6, 2) as integer) + 2) / 3 as text) as quarter, ` +
          `count(*) as items, ${UPHELD} as upheld, ${rate(UPHELD, 'count(*)')} as uphold_rate ` +
          `from items where decision_date is not null ${ctx.where} group by 1 order by 1`,
      ),
  },
  'by-specialty': rateReport(['reviewer_specialty'], 'items', 'uphold rate per item by reviewer specialty'),
  'by-category': rateReport(
    ['category', 'drug_class'],
    'items',
    'uphold rate per item by service category and (pharmacy) drug class',
  ),
  'by-guideline': rateReport(
    ['party', 'family', 'chapter'],
    'citations',
    'uphold rate of the items citing each guideline family and chapter, per party',
  ),
  'top-items': {
    summary: 'the 25 most requested items (by drug, else by description) with their uphold rates',
    run: (ctx) =>
      ctx.query(
        `select coalesce(drug, lower(description)) as item, category, count(*) as items, ${UPHELD} as upheld, ` +
          `${rate(UPHELD, 'count(*)')} as uphold_rate from items where 1 = 1 ${ctx.where} ` +
          `group by 1, 2 order by items desc, 1 limit 25`,
      ),
  },
  'mixed-outcomes': {
    summary: 'share of letters with both upheld and overturned items',
    run: (ctx) =>
      ctx.query(
        `select count(*) as letters, sum(case when upheld > 0 and overturned > 0 then 1 else 0 end) as mixed, ` +
          `${rate('sum(case when upheld > 0 and overturned > 0 then 1 else 0 end)', 'count(*)')} as mixed_share, ` +
          `sum(case when overturned = 0 then 1 else 0 end) as all_upheld, ` +
          `sum(case when upheld = 0 then 1 else 0 end) as all_overturned ` +
          `from letters where items > 0 ${ctx.where}`,
      ),
  },
  'days-to-decision': {
    summary: 'days from application received to decision, per letter (count, mean, median, p90, min, max)',
    run: async (ctx) => {
      const t = await ctx.query(
        `select application_received, decision_date from letters ` +
          `where application_received is not null and decision_date is not null ${ctx.where}`,
      );
      const days = t.rows
        .map(([a, b]) => daysBetween(String(a), String(b)))
        .filter((d) => Number.isFinite(d))
        .sort((x, y) => x - y);
      const mean = days.length ? days.reduce((s, d) => s + d, 0) / days.length : null;
      const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
      return {
        columns: ['letters', 'mean_days', 'median_days', 'p90_days', 'min_days', 'max_days'],
        rows: [
          [
            days.length,
            round(mean),
            round(quantile(days, 0.5)),
            round(quantile(days, 0.9)),
            days[0] ?? null,
            days.at(-1) ?? null,
          ],
        ],
      };
    },
  },
  'injury-age': {
    summary: 'years from injury to decision, in bands, with the uphold rate of the items',
    run: async (ctx) => {
      const t = await ctx.query(
        `select injury_date, decision_date, count(*) as items, ${UPHELD} as upheld from items ` +
          `where injury_date is not null and decision_date is not null ${ctx.where} group by 1, 2`,
      );
      const bands = [
        ['< 1 year', 0, 1],
        ['1-2 years', 1, 2],
        ['2-5 years', 2, 5],
        ['5-10 years', 5, 10],
        ['10+ years', 10, Number.POSITIVE_INFINITY],
      ] as const;
      const acc = bands.map(() => ({ items: 0, upheld: 0 }));
      for (const [injury, decision, items, upheld] of t.rows) {
        const years = daysBetween(String(injury), String(decision)) / 365.25;
        const i = bands.findIndex(([, lo, hi]) => years >= lo && years < hi);
        if (i < 0) continue; // injury after decision: a validator finding, not a band
        acc[i]!.items += Number(items);
        acc[i]!.upheld += Number(upheld);
      }
      return {
        columns: ['years_from_injury', 'items', 'upheld', 'uphold_rate'],
        rows: bands.map(([name], i) => {
          const a = acc[i]!;
          return [name, a.items, a.upheld, a.items ? Math.round((a.upheld / a.items) * 1e4) / 1e4 : null];
        }),
      };
    },
  },
  uncategorised: {
    summary: 'items no category rule matched, most frequent first (to extend the rules)',
    run: (ctx) =>
      ctx.query(
        `select description, count(*) as items from items where category is null ${ctx.where} ` +
          `group by 1 order by 2 desc, 1`,
      ),
  },
};

export const REPORT_NAMES = Object.keys(REPORTS);

/** Runs a named report through the read-only query path (same limits as `imr query`). */
export async function runReport(
  databaseUrl: string,
  name: string,
  filter: ReportFilter = {},
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
): Promise<Table> {
  const report = REPORTS[name];
  if (!report) {
    throw new QueryError('invalid', `no report "${name}"; reports: ${REPORT_NAMES.join(', ')}`);
  }
  for (const d of [filter.from, filter.to]) {
    if (d && !ISO.test(d)) throw new QueryError('invalid', `"${d}" is not a date (YYYY-MM-DD)`);
  }
  const where =
    (filter.from ? ` and decision_date >= '${filter.from}'` : '') +
    (filter.to ? ` and decision_date <= '${filter.to}'` : '');
  const dialect = parseStoreUrl(databaseUrl).dialect;
  return report.run({ query: (sql) => runQuery(databaseUrl, sql, limits), where, dialect });
}
