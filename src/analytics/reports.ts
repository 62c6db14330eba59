import { parseStoreUrl } from '../store/url.js';
import type { Table } from './format.js';
import { DEFAULT_QUERY_LIMITS, type QueryEngine, QueryError, type QueryLimits, runQuery } from './query.js';

export interface ReportFilter {
  /** Decision dates from (inclusive), ISO YYYY-MM-DD. */
  from?: string | null;
  /** Decision dates to (inclusive), ISO YYYY-MM-DD. */
  to?: string | null;
  /** `by-specialty`: count a letter's items under each of its canonical specialties, not only the primary. */
  eachSpecialty?: boolean;
}

interface ReportDef {
  summary: string;
  run(ctx: Ctx): Promise<Table>;
}

interface Ctx {
  query(sql: string): Promise<Table>;
  /** `AND decision_date ...` for the filter (dates are checked to be ISO before they get here). */
  where: string;
  dialect: 'sqlite' | 'postgres' | 'duckdb';
  /** See `ReportFilter.eachSpecialty`. */
  eachSpecialty: boolean;
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Rate with 4 decimals; the same expression on both engines. */
const rate = (num: string, den: string) => `round(1.0 * (${num}) / nullif(${den}, 0), 4)`;
const UPHELD = `sum(case when decision = 'upheld' then 1 else 0 end)`;

/** `from(ctx)`: what follows FROM, its WHERE included (with `ctx.where`); it has `group` and `decision`. */
function rateReport(group: string[], from: (ctx: Ctx) => string, summary: string): ReportDef {
  const positions = group.map((_, i) => i + 1);
  return {
    summary,
    run: (ctx) =>
      ctx.query(
        `select ${group.join(', ')}, count(*) as items, ${UPHELD} as upheld, ` +
          `${rate(UPHELD, 'count(*)')} as uphold_rate from ${from(ctx)} ` +
          // NULLS LAST: both engines then order the same (SQLite puts nulls first, PostgreSQL last).
          `group by ${positions.join(', ')} order by items desc, ${positions.map((p) => `${p} nulls last`).join(', ')}`,
      ),
  };
}

/** Whole days from date column `a` to date column `b` (ISO text), computed by the database. */
function daysSql(dialect: Ctx['dialect'], a: string, b: string): string {
  if (dialect === 'postgres') return `(cast(${b} as date) - cast(${a} as date))`;
  // A date the letter misprinted (2016-02-30) is no span rather than a failed report.
  if (dialect === 'duckdb') return `datediff('day', try_cast(${a} as date), try_cast(${b} as date))`;
  return `cast(julianday(${b}) - julianday(${a}) as integer)`;
}

/** The q-quantile (linear interpolation) of values given as sorted [value, count] pairs. */
function weightedQuantile(sorted: readonly (readonly [number, number])[], total: number, q: number) {
  if (total === 0) return null;
  const valueAt = (k: number) => {
    let seen = 0;
    for (const [v, n] of sorted) {
      seen += n;
      if (k < seen) return v;
    }
    return sorted.at(-1)![0];
  };
  const at = (total - 1) * q;
  const lo = valueAt(Math.floor(at));
  const hi = valueAt(Math.ceil(at));
  return lo + (hi - lo) * (at - Math.floor(at));
}

export const REPORTS: Record<string, ReportDef> = {
  'uphold-by-quarter': {
    summary: 'uphold rate per item by quarter of the decision date',
    run: (ctx) =>
      ctx.query(
        // The quarter by CASE: integer division is not the same operator on the three engines.
        `select substr(decision_date, 1, 4) || '-Q' || case when substr(decision_date, 6, 2) <= '03' then '1' ` +
          `when substr(decision_date, 6, 2) <= '06' then '2' when substr(decision_date, 6, 2) <= '09' then '3' ` +
          `else '4' end as quarter, ` +
          `count(*) as items, ${UPHELD} as upheld, ${rate(UPHELD, 'count(*)')} as uphold_rate ` +
          `from items where decision_date is not null ${ctx.where} group by 1 order by 1`,
      ),
  },
  'by-specialty': {
    summary: 'uphold rate per item by canonical primary specialty (or each specialty)',
    run: (ctx) =>
      ctx.eachSpecialty
        ? // A letter's items count once under each of its specialties, so the groups add up to more than
          // the items; a letter without a recognised specialty is the null group, as in the default.
          rateReport(
            ['s.specialty as specialty'],
            (c) => `items i left join letter_specialties s on s.sha256 = i.sha256 where 1 = 1 ${c.where}`,
            '',
          ).run(ctx)
        : rateReport(['primary_specialty'], (c) => `items where 1 = 1 ${c.where}`, '').run(ctx),
  },
  'by-category': rateReport(
    ['category', 'drug_class'],
    (ctx) => `items where 1 = 1 ${ctx.where}`,
    'uphold rate per item by service category and (pharmacy) drug class',
  ),
  'by-guideline': rateReport(
    ['party', 'family', 'chapter'],
    // An item citing the same family and chapter twice (two sections, two "other" sources) is still one
    // item: only the first such citation counts (first_of_family, decided when the rows are written).
    (ctx) => `citations where first_of_family = 1 ${ctx.where}`,
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
      // One row per distinct day count, not per letter: the row limit must not cut the letters short.
      const t = await ctx.query(
        `select ${daysSql(ctx.dialect, 'application_received', 'decision_date')} as days, count(*) as letters ` +
          `from letters where application_received is not null and decision_date is not null ${ctx.where} ` +
          `group by 1 order by 1`,
      );
      const days = t.rows.map(([d, n]) => [Number(d), Number(n)] as const);
      const total = days.reduce((s, [, n]) => s + n, 0);
      const mean = total ? days.reduce((s, [d, n]) => s + d * n, 0) / total : null;
      const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
      return {
        columns: ['letters', 'mean_days', 'median_days', 'p90_days', 'min_days', 'max_days'],
        rows: [
          [
            total,
            round(mean),
            round(weightedQuantile(days, total, 0.5)),
            round(weightedQuantile(days, total, 0.9)),
            days[0]?.[0] ?? null,
            days.at(-1)?.[0] ?? null,
          ],
        ],
      };
    },
  },
  'injury-age': {
    summary: 'years from injury to decision, in bands, with the uphold rate of the items',
    run: async (ctx) => {
      const bands = [
        ['< 1 year', 0, 1],
        ['1-2 years', 1, 2],
        ['2-5 years', 2, 5],
        ['5-10 years', 5, 10],
        ['10+ years', 10, Number.POSITIVE_INFINITY],
      ] as const;
      // Banded by the database (years of 365.25 days); an injury after the decision is a validator
      // finding, not a band.
      const days = daysSql(ctx.dialect, 'injury_date', 'decision_date');
      const band = `case when ${days} < 0 then null ${bands
        .map(([, , hi], i) => (Number.isFinite(hi) ? `when ${days} < ${hi * 365.25} then ${i}` : `else ${i}`))
        .join(' ')} end`;
      const t = await ctx.query(
        `select ${band} as band, count(*) as items, ${UPHELD} as upheld from items ` +
          `where injury_date is not null and decision_date is not null ${ctx.where} group by 1`,
      );
      const acc = bands.map(() => ({ items: 0, upheld: 0 }));
      for (const [i, items, upheld] of t.rows) {
        const a = i === null ? undefined : acc[Number(i)];
        if (!a) continue;
        a.items += Number(items);
        a.upheld += Number(upheld);
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
  engine: QueryEngine = {},
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
  const dialect = engine.analyticsCopy ? 'duckdb' : parseStoreUrl(databaseUrl).dialect;
  return report.run({
    query: (sql) => runQuery(databaseUrl, sql, limits, [], engine),
    where,
    dialect,
    eachSpecialty: filter.eachSpecialty === true,
  });
}
