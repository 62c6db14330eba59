// npm run bench:reports -- [--items 100000] [--db sqlite|postgres] [--engine copy|store] [--runs 5]
//   [--goal-ms 1000] [--query-goal-ms 2000] [--rebuild] [--store FILE|URL] [--machine-tables]
// Times every `imr report` on a database of --items generated items (realistic: the synthetic letters'
// items and citations, re-dealt over many letters with dates spread over 2013-2019, varied specialties and
// per-category uphold rates). Prints the median and max ms per report over --runs runs, and exits 1 when a
// median is over --goal-ms. With --engine copy (the default, as deployed) the reports run on the DuckDB
// analytics copy, built (timed) from the store first; the dashboard's batch for a filter change and an
// ad-hoc `imr query` group-by over items are timed too (goals --goal-ms and --query-goal-ms). A report
// stopped by a limit is a row that says so. The built database is cached (temp dir, or a PostgreSQL database), keyed by
// what went into it, so reruns start at once; --rebuild builds it anew.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { LabelGuideline } from '../schemas/label.js';
import { type Guideline, type Item, type Layout, LetterRecord } from '../schemas/letter.js';
import { syncAnalyticsCopy } from '../src/analytics/copy.js';
import { dashboardData } from '../src/analytics/explore.js';
import { type QueryEngine, QueryError, runQuery } from '../src/analytics/query.js';
import { REPORT_NAMES, runReport } from '../src/analytics/reports.js';
import { categorizeItem } from '../src/categories/index.js';
import { createProgress, type Progress } from '../src/cli/progress.js';
import { PARSER_VERSION } from '../src/pipeline/parse/parse-letter.js';
import { reportRows } from '../src/records/report-rows.js';
import { createStore } from '../src/store/create-store.js';
import { SCHEMA_VERSION } from '../src/store/migrations.js';
import { letterColumns, recordRows } from '../src/store/rows.js';
import { generateLetter, Rng } from '../src/synth/index.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    db: { type: 'string', default: 'sqlite' },
    runs: { type: 'string', default: '5' },
    'goal-ms': { type: 'string', default: '1000' },
    rebuild: { type: 'boolean', default: false },
    engine: { type: 'string', default: 'copy' },
    store: { type: 'string' },
    'machine-tables': { type: 'boolean', default: false },
    'query-goal-ms': { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
  },
});
const targetItems = Number(values.items);
const runs = Number(values.runs);
const goalMs = Number(values['goal-ms']);
const seed = Number(values.seed);
const dialect = values.db;
const queryGoalMs = Number(values['query-goal-ms']);
if (values.engine !== 'copy' && values.engine !== 'store') {
  console.error('--engine must be copy or store');
  process.exit(2);
}
if (dialect !== 'sqlite' && dialect !== 'postgres') {
  console.error('--db must be sqlite or postgres');
  process.exit(2);
}
const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Bump when the generator below changes what it builds. */
const BUILD_VERSION = 3;
const POOL_LETTERS = 1500;

// The cache key covers everything that decides the rows: the generator, the schema, and the code that
// turns a record into report rows (categories, guideline families).
const root = resolve(import.meta.dirname, '..');
const keyHash = createHash('sha256').update(
  JSON.stringify({
    BUILD_VERSION,
    SCHEMA_VERSION,
    targetItems,
    seed,
    POOL_LETTERS,
    machine: values['machine-tables'],
  }),
);
for (const f of [
  'src/records/report-rows.ts',
  'src/categories/categorize.ts',
  'src/categories/drugs.ts',
  'src/categories/guidelines.ts',
  'src/synth/content.ts',
  'src/synth/generate.ts',
  ...readdirSync(join(root, 'src/synth/layouts')).map((f) => `src/synth/layouts/${f}`),
  'src/store/migrations.ts',
]) {
  keyHash.update(readFileSync(join(root, f)));
}
const key = keyHash.digest('hex').slice(0, 12);

// --- the generated letters ---------------------------------------------------------------------------

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

function guideline(g: LabelGuideline | null): Guideline | null {
  return g ? { citations: g.citations, raw: g.raw } : null;
}

/** Chance that IMR upholds the denial, by category: roughly the shape of the published IMR reports. */
const UPHOLD: Record<string, number> = {
  pharmacy: 0.9,
  physical_medicine: 0.82,
  injections: 0.86,
  dme: 0.9,
  imaging: 0.87,
  electrodiagnostics: 0.85,
  labs_testing: 0.8,
  surgery: 0.74,
  evaluation_management: 0.68,
  behavioral_health: 0.78,
  programs: 0.88,
  home_health: 0.87,
  transport: 0.9,
  other: 0.85,
};

interface PoolItem {
  item: Item;
  uphold: number;
}

function itemPool(): { items: PoolItem[]; specialties: string[]; licensures: string[][] } {
  const items: PoolItem[] = [];
  const specialties = new Set<string>();
  const licensures: string[][] = [];
  for (let s = 1; s <= POOL_LETTERS; s++) {
    const { label } = generateLetter(s);
    if (label.reviewer.specialty) specialties.add(label.reviewer.specialty);
    licensures.push(label.reviewer.licensure);
    for (const li of label.items) {
      const item: Item = {
        description: li.description,
        quantity: li.quantity,
        decision: li.decision,
        originalRequest: li.originalRequest,
        authorizedPortion: li.authorizedPortion,
        raw: li.raw,
        claimsAdministratorGuideline: guideline(li.claimsAdministratorGuideline),
        maximusGuideline: guideline(li.maximusGuideline),
        rationale: null,
        rationaleConclusion: null,
      };
      const category = categorizeItem(li.description, li.quantity).category;
      items.push({ item, uphold: UPHOLD[category ?? 'other'] ?? 0.85 });
    }
  }
  return { items, specialties: [...specialties].sort(), licensures };
}

/** Letters until `targetItems` items: 1-9 items each (most letters have one or two). */
function* letters(): Generator<LetterRecord> {
  const pool = itemPool();
  const rng = new Rng(seed);
  const layouts: Layout[] = ['fdl-2016', 'fdl-2015', 'notice-2013'];
  const start = Date.UTC(2013, 2, 1);
  const span = Math.floor((Date.UTC(2019, 11, 31) - start) / DAY);
  let made = 0;
  for (let n = 0; made < targetItems; n++) {
    const count = Math.min(
      targetItems - made,
      rng.weighted([1, 2, 3, 4, 5, 6, 7, 8, 9], [35, 20, 14, 10, 7, 5, 4, 3, 2]),
    );
    const decision = start + rng.int(0, span) * DAY;
    const received = decision - rng.int(3, 45) * DAY;
    // Injury ages: mostly a few years, a long tail of old injuries.
    const injuryYears = Math.min(30, -Math.log(1 - rng.next()) * 4);
    const injury = received - Math.floor(injuryYears * 365.25 + rng.int(30, 200)) * DAY;
    const items = Array.from({ length: count }, () => {
      const p = rng.pick(pool.items);
      return { ...p.item, decision: rng.chance(p.uphold) ? ('upheld' as const) : ('overturned' as const) };
    });
    const needsReview = rng.chance(0.08);
    // Letter number first, then hash digits: keys rise with n, so the build appends to every B-tree keyed
    // by sha256 instead of inserting at random pages of a many-GB file (report timings do not depend on it).
    const sha256 = `${n.toString(16).padStart(10, '0')}${createHash('sha256').update(`bench-reports ${seed} ${n}`).digest('hex').slice(10)}`;
    made += count;
    yield {
      file: `bench-${n}.pdf`,
      sha256,
      status: needsReview ? 'needs_review' : 'ok',
      error: null,
      textSource: rng.chance(0.1) ? 'ocr' : 'text-layer',
      layout: rng.pick(layouts),
      parserVersion: PARSER_VERSION,
      pages: [{ page: 1, source: 'text-layer', chars: 4000 }],
      caseNumber: `CM${iso(decision).slice(2, 4)}-${String(n).padStart(7, '0')}`,
      decisionDate: iso(decision),
      dateAssigned: iso(decision - rng.int(1, 20) * DAY),
      applicationReceived: iso(received),
      priority: rng.chance(0.05) ? 'Expedited' : 'Standard',
      injuryDate: iso(injury),
      urDate: iso(received - rng.int(5, 40) * DAY),
      reviewer: {
        licensure: rng.pick(pool.licensures),
        specialty: rng.chance(0.03) ? null : rng.pick(pool.specialties),
      },
      patient: { age: rng.int(22, 75), sex: rng.chance(0.55) ? 'male' : 'female' },
      items,
      mismatches: needsReview
        ? [
            {
              field: 'items.0.decision',
              code: 'rationale_contradicts_decision',
              severity: 'error',
              message: 'x',
            },
          ]
        : [],
      provenance: {},
    };
  }
}

type Row = Record<string, unknown>;

/**
 * The rows a letter puts in the database, as `saveRecord` would: its document, the analyst rows and the
 * mismatches (what reports and the analytics copy read) and the stored record; with --machine-tables also
 * the record's item and citation rows, which no report reads.
 */
function rowsOf(record: LetterRecord, at: string): [table: string, rows: Row[]][] {
  const machine = recordRows(record);
  const report = reportRows(record, { state: null, corrections: 0 });
  const machineRows: [string, Row[]][] = values['machine-tables']
    ? [
        ['items', machine.items],
        ['citations', machine.citations],
      ]
    : [];
  return [
    [
      'documents',
      [
        {
          sha256: record.sha256,
          file_name: record.file,
          status: record.status === 'ok' ? 'done' : 'needs_review',
          error_code: null,
          error_message: null,
          bytes: 50_000,
          pages: record.pages.length,
          text_source: record.textSource,
          layout: record.layout,
          parser_version: record.parserVersion,
          created_at: at,
          updated_at: at,
        },
      ],
    ],
    // The stored record (the mismatches' parent).
    ['letters', [{ sha256: record.sha256, ...letterColumns(record, at) }]],
    ...machineRows,
    ['mismatches', machine.mismatches],
    ['report_letters', [{ ...report.letter }]],
    ['report_items', report.items as unknown as Row[]],
    ['report_citations', report.citations as unknown as Row[]],
    ['report_letter_specialties', report.specialties as unknown as Row[]],
  ];
}

interface Built {
  letters: number;
  items: number;
  citations: number;
}

async function buildSqlite(path: string, progress: Progress): Promise<Built> {
  const store = createStore(path);
  await store.migrate();
  await store.close();
  const db = new SqliteDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // Secondary indexes are dropped for the load and built again at the end (a sorted build instead of
  // millions of B-tree inserts); primary keys stay, so duplicates still fail.
  const indexes = db
    .prepare("select name, sql from sqlite_master where type = 'index' and sql is not null")
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`drop index ${index.name}`);
  const statements = new Map<string, SqliteDatabase.Statement>();
  // Many rows per INSERT: one native call per 100 rows rather than per row (about twice as fast here).
  const insertMany = (table: string, rows: readonly Row[]) => {
    const cols = Object.keys(rows[0]!);
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += 100) {
      const slice = rows.slice(i, i + 100);
      const sqlText = `insert into ${table} (${cols.join(', ')}) values ${Array(slice.length).fill(tuple).join(', ')}`;
      let stmt = statements.get(sqlText);
      if (!stmt) {
        stmt = db.prepare(sqlText);
        statements.set(sqlText, stmt);
      }
      stmt.run(slice.flatMap((row) => cols.map((c) => row[c] ?? null)));
    }
  };
  const built: Built = { letters: 0, items: 0, citations: 0 };
  const at = new Date().toISOString();
  let batch: LetterRecord[] = [];
  const flush = db.transaction((records: LetterRecord[]) => {
    const byTable = new Map<string, Row[]>();
    for (const record of records) {
      for (const [table, rows] of rowsOf(record, at)) {
        const list = byTable.get(table) ?? [];
        for (const row of rows) list.push(row);
        byTable.set(table, list);
      }
    }
    // Parents before children (foreign keys): rowsOf lists the tables in that order.
    for (const [table, rows] of byTable) if (rows.length > 0) insertMany(table, rows);
  });
  for (const record of letters()) {
    if (built.letters < 50) LetterRecord.parse(record); // the generator keeps to the schema
    built.letters++;
    built.items += record.items.length;
    progress.tick(record.items.length);
    batch.push(record);
    if (batch.length === 2000) {
      flush(batch);
      batch = [];
    }
  }
  flush(batch);
  for (const index of indexes) db.exec(index.sql);
  built.citations = Number(db.prepare('select count(*) from report_citations').pluck().get());
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('analyze');
  db.close();
  return built;
}

async function buildPostgres(url: string, progress: Progress): Promise<Built> {
  const store = createStore(url);
  await store.migrate();
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const pending = new Map<string, Row[]>();
  const flushTable = async (table: string, rows: Row[]) => {
    const cols = Object.keys(rows[0]!);
    const per = Math.floor(60_000 / cols.length);
    for (let i = 0; i < rows.length; i += per) {
      const slice = rows.slice(i, i + per);
      const params: unknown[] = [];
      const tuples = slice.map((row) => {
        const marks = cols.map((c) => {
          params.push(row[c] ?? null);
          return `$${params.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      await client.query(`insert into ${table} (${cols.join(', ')}) values ${tuples.join(', ')}`, params);
    }
  };
  // Parents before children (foreign keys).
  const order = [
    'documents',
    'letters',
    'items',
    'citations',
    'mismatches',
    'report_letters',
    'report_items',
    'report_citations',
  ];
  const flush = async () => {
    await client.query('begin');
    for (const table of order) {
      const rows = pending.get(table) ?? [];
      if (rows.length > 0) await flushTable(table, rows);
    }
    await client.query('commit');
    pending.clear();
  };
  const built: Built = { letters: 0, items: 0, citations: 0 };
  const at = new Date().toISOString();
  try {
    for (const record of letters()) {
      built.letters++;
      built.items += record.items.length;
      progress.tick(record.items.length);
      for (const [table, rows] of rowsOf(record, at)) {
        const list = pending.get(table) ?? [];
        for (const row of rows) list.push(row);
        pending.set(table, list);
      }
      if (built.letters % 2000 === 0) await flush();
    }
    await flush();
    built.citations = Number((await client.query('select count(*) as n from report_citations')).rows[0].n);
    await client.query('analyze');
  } finally {
    await client.end();
  }
  return built;
}

/** Items generated and inserted, on stderr when it is a terminal. */
const buildProgress = () => createProgress('bench:reports build (items)', targetItems);

/** The database URL, built (or found in the cache) first. */
async function database(): Promise<string> {
  const t0 = performance.now();
  let built: Built;
  let url: string;
  if (dialect === 'sqlite') {
    const dir = join(tmpdir(), 'imr-bench-reports');
    await mkdir(dir, { recursive: true });
    url = join(dir, `reports-${key}.sqlite`);
    if (values.rebuild) for (const s of ['', '-wal', '-shm']) rmSync(url + s, { force: true });
    if (existsSync(url)) {
      console.log(`database: ${url} (cached; --rebuild to build anew)`);
      return url;
    }
    const building = join(dir, `reports-${key}.building.sqlite`);
    for (const s of ['', '-wal', '-shm']) rmSync(building + s, { force: true });
    const progress = buildProgress();
    built = await buildSqlite(building, progress).finally(() => progress.done());
    renameSync(building, url);
    console.log(`database: ${url} (${(statSync(url).size / 1e6).toFixed(0)} MB)`);
  } else {
    const name = `imr_bench_reports_${key}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      if (values.rebuild) await admin.query(`drop database if exists ${name} with (force)`);
      const base = new URL(PG_ADMIN_URL);
      base.pathname = `/${name}`;
      url = base.toString();
      const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount) {
        console.log(`database: ${name} (cached; --rebuild to build anew)`);
        return url;
      }
      // Built under another name and renamed when complete, so a broken build is never taken as cached.
      const building = `${name}_building`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      base.pathname = `/${building}`;
      const progress = buildProgress();
      built = await buildPostgres(base.toString(), progress).finally(() => progress.done());
      await admin.query(`alter database ${building} rename to ${name}`);
      console.log(`database: ${name}`);
    } finally {
      await admin.end();
    }
  }
  console.log(
    `built ${built.letters} letters, ${built.items} items, ${built.citations} citation rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return url;
}

// --- the benchmark -------------------------------------------------------------------------------------

// --store: time an existing store (a real one, or a build kept from an earlier version of this script).
const url = values.store ?? (await database());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The analytics copy, as `imr report` finds it: beside a SQLite store, in the temp dir for PostgreSQL.
let engine: QueryEngine = {};
if (values.engine === 'copy') {
  const copy =
    dialect === 'sqlite'
      ? url.replace(/\.sqlite$/, '.analytics.duckdb')
      : join(tmpdir(), 'imr-bench-reports', `${new URL(url).pathname.slice(1)}.analytics.duckdb`);
  if (values.rebuild) for (const s of ['', '.wal']) rmSync(copy + s, { force: true });
  const sync = await syncAnalyticsCopy(url, copy);
  console.log(
    `analytics copy: ${copy} (${sync.kind === 'rebuild' ? `built in ${(sync.ms / 1000).toFixed(1)} s` : 'up to date'}, ${(statSync(copy).size / 1e6).toFixed(0)} MB)`,
  );
  engine = { analyticsCopy: copy };
  // Keeping in step: 10 letters rebuilt in the store (as a correction or a new letter would log them),
  // then the sync the next query runs first.
  await logChanges(url, 10);
  const patch = await syncAnalyticsCopy(url, copy);
  console.log(`sync after ${patch.letters} changed letters: ${patch.kind}, ${patch.ms.toFixed(0)} ms`);
}

/** Appends `n` letters to the store's report_log, as rebuilding their analyst rows would. */
async function logChanges(storeUrl: string, n: number): Promise<void> {
  const at = new Date().toISOString();
  if (dialect === 'sqlite') {
    const db = new SqliteDatabase(storeUrl);
    try {
      const shas = db.prepare('select sha256 from report_letters limit ?').pluck().all(n) as string[];
      const insert = db.prepare('insert into report_log (sha256, at) values (?, ?)');
      for (const sha of shas) insert.run(sha, at);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: storeUrl });
  await client.connect();
  try {
    await client.query('insert into report_log (sha256, at) select sha256, $2 from report_letters limit $1', [
      n,
      at,
    ]);
  } finally {
    await client.end();
  }
}

interface Timed {
  name: string;
  rows: number | string;
  median: number;
  max: number;
  goal: number;
}
/** Runs `fn` --runs times; a query stopped by a limit (or refused) is a row that says so. */
async function timed(name: string, goal: number, fn: () => Promise<number>): Promise<Timed> {
  const times: number[] = [];
  let rows: number | string = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    try {
      rows = await fn();
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      times.push(performance.now() - t0);
      rows = `stopped (${err.code}): ${err.message.slice(0, 60)}`;
      break;
    }
    times.push(performance.now() - t0);
  }
  return {
    name,
    rows,
    median: median(times),
    max: Math.max(...times),
    goal: typeof rows === 'string' ? 0 : goal,
  };
}

const results: Timed[] = [];
for (const name of REPORT_NAMES) {
  results.push(
    await timed(name, goalMs, async () => (await runReport(url, name, {}, undefined, engine)).rows.length),
  );
}
// A filter change on the dashboard: its whole batch (totals, groups, options, first page), for a category
// and then a specialty, as a person clicks them.
results.push(
  await timed('dashboard filter', goalMs, async () => {
    const data = await dashboardData(
      url,
      { category: 'pharmacy' },
      { limit: 50, offset: 0 },
      undefined,
      engine,
    );
    return data.page.rows.length;
  }),
);
results.push(
  await timed('ad-hoc group-by', queryGoalMs, async () => {
    const r = await runQuery(
      url,
      `select category, drug_class, decision, count(*) as n, count(distinct sha256) as letters from items group by 1, 2, 3 order by 4 desc`,
      undefined,
      [],
      engine,
    );
    return r.rows.length;
  }),
);
const [count] = (await runReport(url, 'mixed-outcomes', {}, undefined, engine)).rows;
console.log(
  `\n${dialect}, engine ${values.engine}, ${targetItems} items, ${runs} runs each (letters: ${count?.[0]})`,
);
console.log(`${'report'.padEnd(20)}${'rows'.padStart(6)}${'median ms'.padStart(12)}${'max ms'.padStart(10)}`);
for (const r of results) {
  console.log(
    `${r.name.padEnd(20)}${String(r.rows).padStart(6)}${r.median.toFixed(0).padStart(12)}${r.max.toFixed(0).padStart(10)}`,
  );
}
const failed = results.filter((r) => typeof r.rows === 'string' || r.median >= r.goal);
const worst = results.reduce((a, b) => (b.median > a.median ? b : a));
console.log(
  `\nslowest median: ${worst.name} ${worst.median.toFixed(0)} ms; max of all runs ${Math.max(...results.map((r) => r.max)).toFixed(0)} ms; goals: reports and dashboard < ${goalMs} ms, ad-hoc query < ${queryGoalMs} ms: ${failed.length === 0 ? 'met' : `NOT met (${failed.map((r) => r.name).join(', ')})`}`,
);
process.exit(failed.length === 0 ? 0 : 1);
