import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncAnalyticsCopy } from '../../src/analytics/copy.js';
import { dashboardData, listItems, listLetters } from '../../src/analytics/explore.js';
import { exportParquetByYear } from '../../src/analytics/parquet-years.js';
import { type QueryEngine, runQuery } from '../../src/analytics/query.js';
import { REPORT_NAMES, runReport } from '../../src/analytics/reports.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { makeLetters, type StoredLetter, storeLetters } from '../helpers/analytics-letters.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';

/**
 * The DuckDB analytics copy: the same answers as the store for every report, list and dashboard batch;
 * in step with the store after each commit (new letters, corrections, reviews); read-only, with no access
 * to files; the time and row limits. analytics.test.ts checks the store's answers by hand-worked numbers.
 */

let letters: StoredLetter[];
beforeAll(async () => {
  letters = await makeLetters([11, 12, 13, 14, 15, 16, 17, 18]);
});

describe.each(['sqlite', 'postgres'] as const)('analytics copy of a %s store', (dialect) => {
  let env: TestEnv;
  let store: Store;
  let url: string;
  let copy: QueryEngine;
  beforeAll(async () => {
    env = await createTestEnv(dialect);
    url = env.config.databaseUrl;
    store = createStore(url);
    await store.migrate();
    await storeLetters(store, letters.slice(0, 6));
    copy = { analyticsCopy: join(env.root, 'copy.duckdb') };
  });
  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
  });

  it('answers every report, list and dashboard batch as the store does', async () => {
    for (const name of REPORT_NAMES) {
      const onStore = await runReport(url, name);
      const onCopy = await runReport(url, name, {}, undefined, copy);
      expect({ name, ...onCopy }).toEqual({ name, ...onStore });
      const dated = { from: '2014-01-01', to: '2016-06-30' };
      expect(await runReport(url, name, dated, undefined, copy)).toEqual(await runReport(url, name, dated));
    }
    const page = { limit: 5, offset: 2 };
    for (const filter of [{}, { category: 'pharmacy' }, { decision: 'upheld', q: 'a' }]) {
      expect(await listItems(url, filter, page, undefined, copy)).toEqual(await listItems(url, filter, page));
      expect(await listLetters(url, filter, page, undefined, copy)).toEqual(
        await listLetters(url, filter, page),
      );
      expect(await dashboardData(url, filter, page, undefined, copy)).toEqual(
        await dashboardData(url, filter, page),
      );
    }
  });

  it('follows the store: new letters, corrections and reviews, each by the letters it changed', async () => {
    const count = async () => (await runQuery(url, 'select count(*) from items', undefined, [], copy)).rows;
    const path = copy.analyticsCopy!;
    expect((await syncAnalyticsCopy(url, path)).kind).toBe('none');
    await storeLetters(store, letters.slice(6));
    const sync = await syncAnalyticsCopy(url, path);
    expect(sync).toMatchObject({ kind: 'patch', letters: 2 });
    expect(await count()).toEqual((await runQuery(url, 'select count(*) from items')).rows);

    const first = letters[0]!.record;
    await store.addCorrection({
      sha256: first.sha256,
      field: 'items.0.decision',
      value: first.items[0]!.decision === 'upheld' ? 'overturned' : 'upheld',
      author: 'qa',
    });
    const decision = `select decision from items where sha256 = '${first.sha256}' and idx = 0`;
    expect((await runQuery(url, decision, undefined, [], copy)).rows).toEqual(
      (await runQuery(url, decision)).rows,
    );
    expect((await runQuery(url, decision, undefined, [], copy)).rows).not.toEqual([
      [first.items[0]!.decision],
    ]);
    await store.setReview({ sha256: first.sha256, state: 'approved', author: 'qa', reason: null });
    const state = `select review_state, corrections from letters where sha256 = '${first.sha256}'`;
    expect((await runQuery(url, state, undefined, [], copy)).rows).toEqual([['approved', 1]]);
    for (const name of REPORT_NAMES) {
      expect(await runReport(url, name, {}, undefined, copy)).toEqual(await runReport(url, name));
    }
  });

  it('is built again when its file is gone or unreadable', async () => {
    const path = join(env.root, 'rebuilt.duckdb');
    expect((await syncAnalyticsCopy(url, path)).kind).toBe('rebuild');
    rmSync(path);
    expect((await syncAnalyticsCopy(url, path)).kind).toBe('rebuild');
    // A file that is not a DuckDB database (a crash mid-write, a stray file) is replaced.
    rmSync(path);
    await import('node:fs/promises').then((fs) => fs.writeFile(path, 'not a database'));
    expect((await syncAnalyticsCopy(url, path)).kind).toBe('rebuild');
    expect(
      (await runQuery(url, 'select count(*) from letters', undefined, [], { analyticsCopy: path })).rows,
    ).toEqual((await runQuery(url, 'select count(*) from letters')).rows);
  });

  it('refuses writes, settings, files and extensions, and changes nothing', async () => {
    const secret = join(env.root, 'secret.txt');
    await import('node:fs/promises').then((fs) => fs.writeFile(secret, 'a,b\n1,2\n'));
    const before = (await runQuery(url, 'select count(*) from items', undefined, [], copy)).rows;
    const refused = [
      "insert into items (sha256, idx, description, decision) values ('x', 0, 'x', 'upheld')",
      'delete from items',
      "update items set decision = 'overturned'",
      'drop table items',
      'create table t (x integer)',
      `copy items to '${join(env.root, 'out.csv')}'`,
      `attach '${join(env.root, 'evil.duckdb')}' as evil`,
      'set enable_external_access = true',
      'install httpfs',
      'load httpfs',
      'checkpoint',
    ];
    for (const sql of refused) {
      const err = await runQuery(url, sql, undefined, [], copy).catch((e: unknown) => e);
      expect({ sql, err }).toMatchObject({ sql, err: { name: 'QueryError', code: 'not_read_only' } });
    }
    // Reads outside the views' tables: the statement is a SELECT, the engine refuses the file.
    for (const sql of [
      `select * from read_csv('${secret}')`,
      `select * from '${secret}'`,
      `select * from read_text('${secret}')`,
      `select * from glob('${env.root}/*')`,
    ]) {
      const err = await runQuery(url, sql, undefined, [], copy).catch((e: unknown) => e);
      expect({ sql, err }).toMatchObject({ sql, err: { name: 'QueryError' } });
    }
    expect(existsSync(join(env.root, 'out.csv'))).toBe(false);
    expect(existsSync(join(env.root, 'evil.duckdb'))).toBe(false);
    expect(readFileSync(secret, 'utf8')).toBe('a,b\n1,2\n');
    expect((await runQuery(url, 'select count(*) from items', undefined, [], copy)).rows).toEqual(before);
  });

  it('stops a query at the time limit and cuts rows at the row limit', async () => {
    const t0 = performance.now();
    await expect(
      runQuery(url, 'select count(*) from range(100000000000) a', { timeoutMs: 600, maxRows: 10 }, [], copy),
    ).rejects.toMatchObject({ name: 'QueryError', code: 'timeout' });
    expect(performance.now() - t0).toBeLessThan(5000);
    const cut = await runQuery(url, 'select * from range(50)', { timeoutMs: 5000, maxRows: 7 }, [], copy);
    expect(cut.rows).toHaveLength(7);
    expect(cut.truncated).toBe(true);
    // Bound values stay values.
    const bound = await runQuery(
      url,
      'select count(*) from items where decision = $1 or description = $2',
      undefined,
      ['upheld', "x' or 1 = 1 --"],
      copy,
    );
    expect(bound.rows).toEqual(
      (await runQuery(url, "select count(*) from items where decision = 'upheld'")).rows,
    );
  });

  it('exports the views as Parquet datasets by decision year, corrected values included', async () => {
    const out = join(env.root, 'exports');
    const first = await exportParquetByYear(url, copy.analyticsCopy!, out);
    // Run twice: the second replaces the first whole.
    const { path, datasets } = await exportParquetByYear(url, copy.analyticsCopy!, out);
    expect(path).toBe(first.path);
    const instance = await DuckDBInstance.create(':memory:');
    const c = await instance.connect();
    try {
      const read = async (sql: string) => (await c.runAndReadAll(sql)).getRowsJS();
      for (const name of ['letters', 'items', 'citations'] as const) {
        const dataset = `read_parquet('${join(path, name)}/*/*.parquet', hive_partitioning = true)`;
        const [[n]] = (await read(`select count(*) from ${dataset}`)) as [[bigint]];
        const expected = (await runQuery(url, `select count(*) from ${name}`)).rows[0]![0];
        expect({ name, rows: Number(n) }).toEqual({ name, rows: expected });
        expect(datasets.find((d) => d.name === name)?.rows).toBe(expected);
        // Each file holds one year's letters, named by its folder.
        const wrong = await read(
          `select count(*) from ${dataset} where decision_year <> coalesce(substr(decision_date, 1, 4), 'unknown')`,
        );
        expect(Number(wrong[0]![0])).toBe(0);
      }
      const years = await read(
        `select distinct decision_year from read_parquet('${join(path, 'items')}/*/*.parquet', hive_partitioning = true) order by 1`,
      );
      const expectedYears = (
        await runQuery(
          url,
          "select distinct coalesce(substr(decision_date, 1, 4), 'unknown') from items order by 1",
        )
      ).rows;
      expect(years.map((r) => String(r[0]))).toEqual(expectedYears.map((r) => String(r[0])));
      // The QA correction made above is what the dataset says.
      const first = letters[0]!.record;
      const [[decision]] = (await read(
        `select decision from read_parquet('${join(path, 'items')}/*/*.parquet', hive_partitioning = true) where sha256 = '${first.sha256}' and idx = 0`,
      )) as [[string]];
      expect(decision).not.toBe(first.items[0]!.decision);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  });
});
