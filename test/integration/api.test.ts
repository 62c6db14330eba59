import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQueries, runQuery } from '../../src/analytics/query.js';
import { REPORT_NAMES } from '../../src/analytics/reports.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { Queues, redisConnection } from '../../src/queue/queues.js';
import { createApp } from '../../src/server/app.js';
import type { AppEnv } from '../../src/server/security.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import {
  type ExpectedItem,
  expectedItems,
  makeLetters,
  type StoredLetter,
  storeLetters,
} from '../helpers/analytics-letters.js';
import { csvObjects } from '../helpers/csv.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { letterWithMarkup, MARKUP } from '../helpers/review-letters.js';

const ORIGIN = 'http://127.0.0.1';
const TOKEN = 'api-test-token-0123456789';

let letters: StoredLetter[];
let expected: ExpectedItem[];

beforeAll(async () => {
  letters = await makeLetters(Array.from({ length: 24 }, (_, i) => 200 + i));
  expected = expectedItems(letters);
});

interface Filter {
  from?: string;
  to?: string;
  specialty?: string;
  category?: string;
  drug_class?: string;
  decision?: string;
  guideline?: string;
  q?: string;
}

/** The items a filter should select, worked out here from the records (not by SQL). */
function matching(f: Filter): ExpectedItem[] {
  const q = f.q?.toLowerCase();
  return expected.filter(
    (i) =>
      (!f.from || (i.decision_date !== null && i.decision_date >= f.from)) &&
      (!f.to || (i.decision_date !== null && i.decision_date <= f.to)) &&
      (!f.specialty || i.primary_specialty === f.specialty) &&
      (!f.category || i.category === f.category) &&
      (!f.drug_class || i.drug_class === f.drug_class) &&
      (!f.decision || i.decision === f.decision) &&
      (!f.guideline || i.families.has(f.guideline)) &&
      (!q ||
        i.description.toLowerCase().includes(q) ||
        (i.drug ?? '').toLowerCase().includes(q) ||
        (i.case_number ?? '').toLowerCase().includes(q)),
  );
}

const key = (i: { sha256: string; idx: number | string }) => `${i.sha256}:${i.idx}`;
const keys = (items: readonly { sha256: string; idx: number | string }[]) => items.map(key).sort();

/** The most frequent non-null value of a field, so every filter below selects something. */
function mostCommon(field: (i: ExpectedItem) => string | null): string {
  const counts = new Map<string, number>();
  for (const i of expected) {
    const v = field(i);
    if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  if (!best) throw new Error('no value to filter on');
  return best[0];
}

describe.each(['sqlite', 'postgres'] as const)('analyst API on %s', (dialect) => {
  let env: TestEnv;
  let store: Store;
  let connection: ReturnType<typeof redisConnection>;
  let queues: Queues;
  let app: Hono<AppEnv>;

  beforeAll(async () => {
    env = await createTestEnv(dialect);
    store = createStore(env.config.databaseUrl);
    await store.migrate();
    await storeLetters(store, letters);
    connection = redisConnection(env.config.redisUrl);
    queues = new Queues(connection, env.config.queuePrefix);
    app = createApp({ store, queues, databaseUrl: env.config.databaseUrl });
  });

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await store?.close();
    await env?.cleanup();
  });

  async function getJson(path: string, headers: Record<string, string> = {}) {
    const res = await app.request(`${ORIGIN}${path}`, { headers });
    const body = (await res.json()) as Record<string, unknown>;
    return { res, body };
  }

  async function items(params: Record<string, string>) {
    const q = new URLSearchParams({ limit: '1000', ...params });
    const { res, body } = await getJson(`/api/items?${q}`);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body as { total: number; items: { sha256: string; idx: number }[] };
  }

  it('binds parameters on this engine (placeholders in quoted text stay text)', async () => {
    const url = env.config.databaseUrl;
    const category = mostCommon((i) => i.category);
    const r = await runQuery(
      url,
      "select count(*) as n, '$1' as literal from items where category = $1",
      undefined,
      [category],
    );
    expect(r.rows).toEqual([[matching({ category }).length, '$1']]);
    // One batch, one snapshot: several statements, each with its own values.
    const [a, b] = await runQueries(url, [
      { sql: 'select count(*) from items where decision = $1', params: ['upheld'] },
      { sql: 'select count(*) from letters where sha256 = $1 or sha256 = $2', params: ['x', 'y'] },
    ]);
    expect(a?.rows[0]?.[0]).toBe(matching({ decision: 'upheld' }).length);
    expect(b?.rows[0]?.[0]).toBe(0);
    // Still read-only with values bound.
    await expect(
      runQuery(url, 'delete from report_items where sha256 = $1', undefined, ['x']),
    ).rejects.toThrow(/read-only/);
  });

  it('lists every item, newest decision first, with paging', async () => {
    const all = await items({});
    expect(all.total).toBe(expected.length);
    expect(keys(all.items)).toEqual(keys(expected));
    const dates = all.items.map((i) => (i as unknown as { decision_date: string }).decision_date);
    expect(dates).toEqual([...dates].sort().reverse());

    const { body } = await getJson('/api/items?limit=5&offset=5');
    expect(body).toMatchObject({ total: expected.length, limit: 5, offset: 5, next: 10 });
    expect((body.items as { sha256: string; idx: number }[]).map(key)).toEqual(
      all.items.slice(5, 10).map(key),
    );
    // Default page size.
    expect((await getJson('/api/items')).body.limit).toBe(100);
  });

  it('filters items by dates, specialty, category, drug class, decision, guideline family and text', async () => {
    const dates = expected.map((i) => i.decision_date).filter((d): d is string => d !== null);
    dates.sort();
    const from = dates[Math.floor(dates.length / 4)]!;
    const to = dates[Math.floor((dates.length * 3) / 4)]!;
    const filters: Filter[] = [
      { from },
      { to },
      { from, to },
      // The canonical primary specialty (the printed value is shown, not filtered on).
      { specialty: mostCommon((i) => i.primary_specialty) },
      { category: mostCommon((i) => i.category) },
      { category: 'pharmacy', drug_class: mostCommon((i) => i.drug_class) },
      { decision: 'overturned' },
      { guideline: 'odg' },
      { guideline: 'none' },
      { q: mostCommon((i) => i.drug) },
      { q: 'KNEE' },
      { category: 'pharmacy', decision: 'upheld', from },
    ];
    for (const f of filters) {
      const want = matching(f);
      expect(want.length, JSON.stringify(f)).toBeGreaterThan(0);
      expect(want.length, JSON.stringify(f)).toBeLessThan(expected.length);
      const got = await items(f as Record<string, string>);
      expect(got.total, JSON.stringify(f)).toBe(want.length);
      expect(keys(got.items), JSON.stringify(f)).toEqual(keys(want));
    }
    // An empty value means "any" (what the dashboard's selects send for "all").
    expect((await items({ category: '', specialty: '' })).total).toBe(expected.length);
  });

  it('lists the letters having a matching item', async () => {
    const category = mostCommon((i) => i.category);
    const want = [...new Set(matching({ category }).map((i) => i.sha256))].sort();
    const { res, body } = await getJson(`/api/letters?category=${category}&limit=1000`);
    expect(res.status).toBe(200);
    expect(body.total).toBe(want.length);
    const rows = body.letters as { sha256: string; items: number; upheld: number; overturned: number }[];
    expect(rows.map((l) => l.sha256).sort()).toEqual(want);
    for (const l of rows) expect(l.upheld + l.overturned).toBe(l.items);
    expect((await getJson('/api/letters')).body.total).toBe(letters.length);
  });

  it('answers CSV for Accept: text/csv or ?format=csv, JSON otherwise', async () => {
    const f = { decision: 'overturned' };
    const want = matching(f);
    const cases: { path: string; headers: Record<string, string> }[] = [
      { path: '/api/items?decision=overturned', headers: { accept: 'text/csv' } },
      { path: '/api/items?decision=overturned&format=csv', headers: {} },
      // The explicit format wins over the header.
      { path: '/api/items?decision=overturned&format=csv', headers: { accept: 'application/json' } },
    ];
    for (const init of cases) {
      const res = await app.request(`${ORIGIN}${init.path}`, { headers: init.headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="items.csv"');
      expect(res.headers.get('x-total-count')).toBe(String(want.length));
      const text = await res.text();
      expect(text.split('\r\n')[0]).toMatch(
        /^sha256,idx,decision_date,case_number,primary_specialty,reviewer_specialty,category,/,
      );
      const rows = csvObjects(text);
      expect(keys(rows.map((r) => ({ sha256: r.sha256!, idx: r.idx! })))).toEqual(keys(want));
      expect(new Set(rows.map((r) => r.decision))).toEqual(new Set(['overturned']));
    }
    const json = await app.request(`${ORIGIN}/api/items?decision=overturned&format=json`, {
      headers: { accept: 'text/csv' },
    });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const plain = await app.request(`${ORIGIN}/api/items?decision=overturned`);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    expect(plain.headers.get('vary')).toBe('Accept');
  });

  it('runs a named report with from/to, as JSON or CSV; an unknown one is a 404 with the list', async () => {
    const from = '2015-01-01';
    const to = '2016-12-31';
    const { res, body } = await getJson(`/api/reports/by-category?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ report: 'by-category', from, to });
    const rows = body.rows as { category: string | null; items: number; upheld: number }[];
    expect(rows.reduce((s, r) => s + r.items, 0)).toBe(matching({ from, to }).length);
    const pharmacy = rows.filter((r) => r.category === 'pharmacy').reduce((s, r) => s + r.items, 0);
    expect(pharmacy).toBe(matching({ from, to, category: 'pharmacy' }).length);

    const csv = await app.request(`${ORIGIN}/api/reports/by-category?from=${from}&to=${to}`, {
      headers: { accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const csvRows = csvObjects(await csv.text());
    expect(csvRows.length).toBe(rows.length);
    expect(csvRows.reduce((s, r) => s + Number(r.items), 0)).toBe(matching({ from, to }).length);

    const missing = await getJson('/api/reports/no-such-report');
    expect(missing.res.status).toBe(404);
    expect(missing.body.reports).toEqual(REPORT_NAMES);
    const list = await getJson('/api/reports');
    expect((list.body.reports as { name: string }[]).map((r) => r.name)).toEqual(REPORT_NAMES);
  });

  it('refuses bad parameters with a 400 that names the problem', async () => {
    const bad: [string, RegExp][] = [
      ['/api/items?from=2017-02-30', /from: not a calendar date/],
      ['/api/items?from=yesterday', /from: expected a date/],
      ['/api/items?from=2016-01-01&to=2015-01-01', /from.*after/],
      ['/api/items?limit=0', /limit/],
      ['/api/items?limit=abc', /limit: expected a whole number/],
      ['/api/items?limit=5000', /limit: at most 1000/],
      ['/api/items?offset=-1', /offset/],
      ['/api/items?category=spaceships', /category/],
      ['/api/items?drug_class=vitamins', /drug_class/],
      ['/api/items?decision=maybe', /decision/],
      ['/api/items?guideline=odg%3B%20drop', /guideline: not a guideline family/],
      ['/api/items?format=xml', /format/],
      ['/api/items?catgory=pharmacy', /catgory/],
      ['/api/items?category=pharmacy&category=dme', /give "category" once/],
      ['/api/items?q=a%00b', /q: no control characters/],
      [`/api/items?q=${'x'.repeat(201)}`, /q/],
      ['/api/letters?to=2016-13-01', /to: not a calendar date/],
      ['/api/reports/by-category?from=2016-1-1', /from: expected a date/],
      ['/api/reports/by-category?category=dme', /category/],
    ];
    for (const [path, message] of bad) {
      const { res, body } = await getJson(path);
      expect(res.status, path).toBe(400);
      expect(String(body.error), path).toMatch(message);
    }
    const page = await app.request(`${ORIGIN}/dashboard?decision=maybe`);
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('treats SQL in a filter as plain text', async () => {
    const attempts: Record<string, string>[] = [
      { specialty: "' OR '1'='1" },
      { specialty: "x' OR 1=1 --" },
      { q: "'; DROP TABLE report_items; --" },
      { q: "%' OR 1=1 --" },
      { q: "') union select sha256, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 from letters --" },
      { q: '%' },
      { q: '_' },
    ];
    for (const f of attempts) {
      const got = await items(f);
      expect(got.total, JSON.stringify(f)).toBe(matching(f).length);
      expect(keys(got.items)).toEqual(keys(matching(f)));
      const letterRes = await getJson(`/api/letters?${new URLSearchParams(f)}`);
      expect(letterRes.res.status).toBe(200);
    }
    // Nothing was changed or dropped.
    expect((await items({})).total).toBe(expected.length);
    expect((await getJson('/api/letters')).body.total).toBe(letters.length);
  });

  it('renders the dashboard for the filters', async () => {
    const category = mostCommon((i) => i.category);
    const res = await app.request(`${ORIGIN}/dashboard?category=${category}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const want = matching({ category });
    expect(page).toContain(`<b>${want.length}</b> item`);
    expect(page).toContain(`href="/api/items?category=${category}&amp;format=csv"`);
    expect(page).toMatch(/<svg class="chart-svg" id="chart-category"/);
    expect(page).toMatch(/<svg class="chart-svg" id="chart-specialty"/);
    expect(page).toMatch(/<svg class="chart-svg" id="chart-time"/);
    // Links to each shown item's review page.
    expect(page).toContain(
      `href="/review/${want.sort((a, b) => (b.decision_date ?? '').localeCompare(a.decision_date ?? ''))[0]!.sha256}"`,
    );
    const home = await (await app.request(`${ORIGIN}/`)).text();
    expect(home).toContain('href="/dashboard"');
  });
});

describe('analyst API access', () => {
  let env: TestEnv;
  let store: Store;
  let connection: ReturnType<typeof redisConnection>;
  let queues: Queues;

  beforeAll(async () => {
    env = await createTestEnv('sqlite');
    store = createStore(env.config.databaseUrl);
    await store.migrate();
    await storeLetters(store, letters.slice(0, 3));
    connection = redisConnection(env.config.redisUrl);
    queues = new Queues(connection, env.config.queuePrefix);
  });

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await store?.close();
    await env?.cleanup();
  });

  it('needs the token like every other route', async () => {
    const app = createApp({ store, queues, token: TOKEN, databaseUrl: env.config.databaseUrl });
    const paths = [
      '/api/items',
      '/api/items?format=csv',
      '/api/letters',
      '/api/reports',
      '/api/reports/by-category',
      '/dashboard',
    ];
    for (const path of paths) {
      const res = await app.request(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text(), path).not.toContain(letters[0]!.record.sha256);
      const ok = await app.request(`${ORIGIN}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status, path).toBe(200);
    }
    // Without a token: only requests addressed to this machine.
    const open = createApp({ store, queues, databaseUrl: env.config.databaseUrl });
    const rebound = await open.request('http://attacker.example/api/items');
    expect(rebound.status).toBe(403);
  });

  it('shows markup from a letter as text in the dashboard (the items table)', async () => {
    const { pdf } = await letterWithMarkup(9);
    const { record } = await processPdf('markup.pdf', pdf);
    expect(record.reviewer.specialty).toContain('<script>');
    await storeLetters(store, [{ record, pdf }]);
    const app = createApp({ store, queues, databaseUrl: env.config.databaseUrl });
    // Found by its case number: the specialty filter takes canonical names, and the page shows the
    // printed value (with the markup) under the canonical one.
    expect(record.caseNumber).toBeTruthy();
    const res = await app.request(`${ORIGIN}/dashboard?${new URLSearchParams({ q: record.caseNumber! })}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).not.toContain(MARKUP);
    expect(page).not.toContain('<script>window');
    expect(page).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(page).toContain(`<b>${record.items.length}</b> item`);
    const json = await app.request(`${ORIGIN}/api/letters?${new URLSearchParams({ q: record.caseNumber! })}`);
    expect(((await json.json()) as { total: number }).total).toBe(1);
  });

  it('answers 503 when the server has no database URL', async () => {
    const app = createApp({ store, queues });
    const res = await app.request(`${ORIGIN}/api/items`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/no analyst database/);
    expect((await app.request(`${ORIGIN}/dashboard`)).status).toBe(503);
  });
});
