import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { dashboardData, listItems, listLetters, type PagedTable } from '../analytics/explore.js';
import { type Table, toCsvTable } from '../analytics/format.js';
import { type QueryEngine, QueryError } from '../analytics/query.js';
import { REPORT_NAMES, REPORTS, runReport } from '../analytics/reports.js';
import {
  DashboardParams,
  DEFAULT_JSON_LIMIT,
  type Format,
  filterOf,
  ListParams,
  MAX_CSV_LIMIT,
  MAX_JSON_LIMIT,
  ReportParams,
} from './analytics-params.js';
import { dashboardPage } from './dashboard-page.js';
import { HttpError } from './http-error.js';
import type { AppEnv } from './security.js';

export interface AnalyticsRouteDeps {
  /** The database the analyst views live in; without it these routes answer 503. */
  databaseUrl: string | undefined;
  /** Where the analyst SQL runs (see analyticsEngineOf). */
  engine: QueryEngine;
}

/** Items per page of the dashboard's table. */
export const DASHBOARD_PAGE_SIZE = 50;

/**
 * The query string as an object, each key once: a repeated key is refused rather than silently
 * narrowed to one of its values.
 */
function queryObject(c: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URL(c.req.url).searchParams) {
    if (Object.hasOwn(out, key)) throw new HttpError(400, `give "${key.slice(0, 40)}" once`);
    out[key] = value;
  }
  return out;
}

/** Validates the query string; the first problem becomes a 400 that names the parameter. */
function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(queryObject(c));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new HttpError(400, `${where}${issue?.message ?? 'invalid query parameters'}`);
}

/** `?format=` wins; else CSV when the Accept header asks for text/csv; else JSON. */
function formatOf(c: Context, explicit: Format | undefined): Format {
  if (explicit) return explicit;
  return /(^|[\s,])text\/csv\b/i.test(c.req.header('accept') ?? '') ? 'csv' : 'json';
}

const objects = (t: Table) =>
  t.rows.map((row) => Object.fromEntries(t.columns.map((col, i) => [col, row[i] ?? null])));

function csv(c: Context, table: Table, fileName: string, total?: number) {
  c.header('Vary', 'Accept');
  if (total !== undefined) c.header('X-Total-Count', String(total));
  return c.body(toCsvTable(table), 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${fileName}"`,
  });
}

function databaseOf(deps: AnalyticsRouteDeps): string {
  if (!deps.databaseUrl) throw new QueryError('no_database', 'the server was started without a database URL');
  return deps.databaseUrl;
}

/** `/api/letters`, `/api/items`, `/api/reports/:name` and the `/dashboard` page (all read-only). */
export function registerAnalyticsRoutes(app: Hono<AppEnv>, deps: AnalyticsRouteDeps): void {
  const listRoute = (kind: 'items' | 'letters', list: typeof listItems) => async (c: Context<AppEnv>) => {
    const params = parseQuery(c, ListParams);
    const format = formatOf(c, params.format);
    const maxLimit = format === 'csv' ? MAX_CSV_LIMIT : MAX_JSON_LIMIT;
    const limit = params.limit ?? (format === 'csv' ? MAX_CSV_LIMIT : DEFAULT_JSON_LIMIT);
    if (limit > maxLimit) {
      throw new HttpError(400, `limit: at most ${maxLimit} rows per ${format.toUpperCase()} page`);
    }
    const offset = params.offset ?? 0;
    const table: PagedTable = await list(
      databaseOf(deps),
      filterOf(params),
      { limit, offset },
      undefined,
      deps.engine,
    );
    if (format === 'csv') return csv(c, table, `${kind}.csv`, table.total);
    c.header('Vary', 'Accept');
    const next = offset + table.rows.length < table.total ? offset + table.rows.length : null;
    return c.json({
      total: table.total,
      limit,
      offset,
      next,
      columns: table.columns,
      [kind]: objects(table),
    });
  };

  app.get('/api/items', listRoute('items', listItems));
  app.get('/api/letters', listRoute('letters', listLetters));

  app.get('/api/reports', (c) =>
    c.json({ reports: REPORT_NAMES.map((name) => ({ name, summary: REPORTS[name]?.summary ?? '' })) }),
  );

  app.get('/api/reports/:name', async (c) => {
    const name = c.req.param('name');
    if (!Object.hasOwn(REPORTS, name)) {
      throw new HttpError(404, `no report "${name.slice(0, 80)}"`, { reports: REPORT_NAMES });
    }
    const params = parseQuery(c, ReportParams);
    const table = await runReport(
      databaseOf(deps),
      name,
      { from: params.from, to: params.to },
      undefined,
      deps.engine,
    );
    if (formatOf(c, params.format) === 'csv') return csv(c, table, `report-${name}.csv`);
    c.header('Vary', 'Accept');
    return c.json({
      report: name,
      summary: REPORTS[name]?.summary ?? '',
      from: params.from ?? null,
      to: params.to ?? null,
      columns: table.columns,
      rows: objects(table),
    });
  });

  app.get('/dashboard', async (c) => {
    const params = parseQuery(c, DashboardParams);
    const filter = filterOf(params);
    const offset = params.offset ?? 0;
    const data = await dashboardData(
      databaseOf(deps),
      filter,
      { limit: DASHBOARD_PAGE_SIZE, offset },
      undefined,
      deps.engine,
    );
    return c.html(
      dashboardPage(
        {
          title: 'Dashboard',
          kind: 'dashboard',
          nav: 'dashboard',
          csrfToken: c.get('csrfToken') ?? '',
          user: c.get('user') ?? null,
        },
        { filter, data, offset, pageSize: DASHBOARD_PAGE_SIZE },
      ),
    );
  });
}
