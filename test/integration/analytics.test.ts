import { existsSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LetterRecord } from '../../schemas/letter.js';
import { type QueryLimits, runQuery } from '../../src/analytics/query.js';
import { REPORT_NAMES, runReport } from '../../src/analytics/reports.js';
import { PARSER_VERSION } from '../../src/pipeline/parse/parse-letter.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { parseStoreUrl } from '../../src/store/url.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { item, type LetterFacts, letterRecord } from '../helpers/record-builders.js';

/**
 * The analyst path on both engines: the read-only guard, the time and row limits, and every report on a
 * small set of letters whose numbers are worked out by hand below (not by running the reports).
 */

function letter(
  key: string,
  dates: LetterFacts['dates'],
  specialty: string | null,
  items: LetterFacts['items'],
): LetterRecord {
  return letterRecord(key, {
    file: `letter-${key}.pdf`,
    caseNumber: `CM16-000000${key}`,
    parserVersion: PARSER_VERSION,
    dates,
    specialty,
    patient: { age: 50, sex: 'female' },
    items,
  });
}

const CHRONIC = 'MTUS Chronic Pain Medical Treatment 2016';
const A = 'a';
const B = 'b';
const C = 'c';
const D = 'd';

/**
 * 4 letters, 9 items (6 upheld). Per item: category, and the (party, family, chapter) it cites.
 *   A0 Norco        upheld      pharmacy/opioids   ca mtus/Chronic Pain         mx mtus/Chronic Pain, odg/Pain
 *   A1 lumbar MRI   overturned  imaging            ca mtus/Low Back Complaints  mx odg/Low Back
 *   A2 PT           upheld      physical_medicine  ca none                      mx mtus/Chronic Pain twice (one item)
 *   B0 Norco        overturned  pharmacy/opioids   ca mtus/Chronic Pain         mx mtus/Chronic Pain
 *   B1 Tramadol     upheld      pharmacy/opioids   ca mtus/Chronic Pain         mx acoem
 *   C0 Zorbulator   upheld      (none)             ca none (empty list)         mx other
 *   C1 Acupuncture  upheld      physical_medicine  ca mtus/Acupuncture          mx mtus/Acupuncture
 *   D0 Zorbulator   overturned  (none)             ca none                      mx none
 *   D1 cervical MRI upheld      imaging            ca mtus/Neck                 mx odg/Neck
 */
const LETTERS: LetterRecord[] = [
  letter(A, { decision: '2016-02-10', received: '2016-01-20', injury: '2015-06-01' }, 'Orthopedic Surgery', [
    item(
      'Norco 10/325mg #60',
      'upheld',
      [[CHRONIC]],
      [[CHRONIC, 'Opioids'], ['Non-MTUS Citation ODG Pain chapter']],
    ),
    item(
      'MRI of the lumbar spine',
      'overturned',
      [['MTUS Low Back Complaints 2004']],
      [['Non-MTUS Citation Official Disability Guidelines (ODG), Low Back Chapter']],
    ),
    item('Physical therapy 2 times a week for 6 weeks', 'upheld', null, [
      [CHRONIC, 'Physical Medicine'],
      [CHRONIC, 'Exercise'],
    ]),
  ]),
  letter(B, { decision: '2016-05-03', received: '2016-04-01', injury: '2013-01-15' }, 'Internal Medicine', [
    item('Norco 10/325mg #90', 'overturned', [[CHRONIC]], [[CHRONIC, 'Opioids']]),
    item(
      'Tramadol 50mg #60',
      'upheld',
      [[CHRONIC]],
      [['Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition']],
    ),
  ]),
  letter(C, { decision: '2016-11-20', received: '2016-11-10', injury: '2004-03-01' }, 'Orthopedic Surgery', [
    item(
      'Zorbulator treatments',
      'upheld',
      [],
      [["Non-MTUS Citation Green's Operative Hand Surgery, 6th ed"]],
    ),
    item(
      'Acupuncture 6 visits',
      'upheld',
      [['MTUS Acupuncture Medical Treatment 2016']],
      [['MTUS Acupuncture Medical Treatment 2016']],
    ),
  ]),
  letter(D, { decision: '2017-01-05', received: '2016-12-01', injury: '2015-10-01' }, null, [
    item('Zorbulator treatments', 'overturned', null, null),
    item(
      'MRI of the cervical spine',
      'upheld',
      [['MTUS Neck and Upper Back Complaints 2004']],
      [['Non-MTUS Citation ODG Neck and Upper Back']],
    ),
  ]),
];

/** Every report on LETTERS, worked out by hand. */
const EXPECTED: Record<string, unknown[][]> = {
  'uphold-by-quarter': [
    ['2016-Q1', 3, 2, 0.6667],
    ['2016-Q2', 2, 1, 0.5],
    ['2016-Q4', 2, 2, 1],
    ['2017-Q1', 2, 1, 0.5],
  ],
  'by-specialty': [
    ['Orthopaedic Surgery', 5, 4, 0.8],
    ['Internal Medicine', 2, 1, 0.5],
    [null, 2, 1, 0.5],
  ],
  'by-category': [
    ['pharmacy', 'opioids', 3, 2, 0.6667],
    ['imaging', null, 2, 1, 0.5],
    ['physical_medicine', null, 2, 2, 1],
    [null, null, 2, 1, 0.5],
  ],
  'by-guideline': [
    ['claims_administrator', 'mtus', 'Chronic Pain Medical Treatment', 3, 2, 0.6667],
    ['claims_administrator', 'none', null, 3, 2, 0.6667],
    // A2 cites the chapter twice: still 3 items (A0, A2, B0).
    ['maximus', 'mtus', 'Chronic Pain Medical Treatment', 3, 2, 0.6667],
    ['claims_administrator', 'mtus', 'Acupuncture Medical Treatment', 1, 1, 1],
    ['claims_administrator', 'mtus', 'Low Back Complaints', 1, 0, 0],
    ['claims_administrator', 'mtus', 'Neck and Upper Back Complaints', 1, 1, 1],
    ['maximus', 'acoem', null, 1, 1, 1],
    ['maximus', 'mtus', 'Acupuncture Medical Treatment', 1, 1, 1],
    ['maximus', 'none', null, 1, 0, 0],
    ['maximus', 'odg', 'Low Back', 1, 0, 0],
    ['maximus', 'odg', 'Neck and Upper Back', 1, 1, 1],
    ['maximus', 'odg', 'Pain', 1, 1, 1],
    ['maximus', 'other', null, 1, 1, 1],
  ],
  'top-items': [
    ['hydrocodone', 'pharmacy', 2, 1, 0.5],
    ['zorbulator treatments', null, 2, 1, 0.5],
    ['acupuncture 6 visits', 'physical_medicine', 1, 1, 1],
    ['mri of the cervical spine', 'imaging', 1, 1, 1],
    ['mri of the lumbar spine', 'imaging', 1, 0, 0],
    ['physical therapy 2 times a week for 6 weeks', 'physical_medicine', 1, 1, 1],
    ['tramadol', 'pharmacy', 1, 1, 1],
  ],
  // A, B and D have both outcomes; C only upheld items.
  'mixed-outcomes': [[4, 3, 0.75, 1, 0]],
  // Days: C 10, A 21, B 32, D 35. Median (21 + 32) / 2; p90 at 2.7 of 0..3: 32 + 0.7 * 3.
  'days-to-decision': [[4, 24.5, 26.5, 34.1, 10, 35]],
  // A 254 days, D 462 days, B 3.3 years, C 12.7 years.
  'injury-age': [
    ['< 1 year', 3, 2, 0.6667],
    ['1-2 years', 2, 1, 0.5],
    ['2-5 years', 2, 1, 0.5],
    ['5-10 years', 0, 0, null],
    ['10+ years', 2, 2, 1],
  ],
  uncategorised: [['Zorbulator treatments', 2]],
};

interface Seeded {
  env: TestEnv;
  store: Store;
  url: string;
}

async function seeded(dialect: 'sqlite' | 'postgres'): Promise<Seeded> {
  const env = await createTestEnv(dialect);
  const url = env.config.databaseUrl;
  const store = createStore(url);
  await store.migrate();
  for (const record of LETTERS) {
    await store.registerFile({
      sha256: record.sha256,
      path: `/inbox/${record.file}`,
      bytes: new TextEncoder().encode(record.file),
    });
    await store.saveRecord(record);
  }
  return { env, store, url };
}

const rows = async (url: string, sql: string) => (await runQuery(url, sql)).rows;
async function ownerRows(url: string, sql: string): Promise<unknown[][]> {
  const target = parseStoreUrl(url);
  if (target.dialect === 'sqlite') return rows(url, sql);
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
  } finally {
    await client.end();
  }
}
const FAST: QueryLimits = { timeoutMs: 500, maxRows: 1000 };

describe.each(['sqlite', 'postgres'] as const)('analytics on %s', (dialect) => {
  let db: Seeded;
  beforeAll(async () => {
    db = await seeded(dialect);
  });
  afterAll(async () => {
    await db?.store.close();
    await db?.env.cleanup();
  });

  /** What a refused statement must leave as it was. */
  async function snapshot() {
    return {
      items: await rows(db.url, 'select sha256, idx, description, decision from items order by 1, 2'),
      letters: await rows(db.url, 'select sha256, decision_date, upheld from letters order by 1'),
      // The tables behind the views, and a machine table: read as the store's own user (analyst SQL on
      // PostgreSQL may not, see analyst-privileges.test.ts).
      tables: await ownerRows(
        db.url,
        'select (select count(*) from report_items), (select count(*) from report_citations), ' +
          '(select count(*) from report_letters), (select count(*) from documents)',
      ),
      records: (await db.store.listRecords()).length,
    };
  }

  describe('refuses anything but one read-only statement', () => {
    const refused = [
      "INSERT INTO letters (sha256) VALUES ('x')",
      "insert into report_items (sha256, idx, description, decision) values ('x', 0, 'x', 'upheld')",
      "UPDATE items SET decision = 'overturned'",
      "update report_items set decision = 'overturned'",
      'DELETE FROM items',
      'delete from report_citations where 1 = 1',
      'DROP TABLE report_items',
      'drop view items',
      "ATTACH DATABASE 'evil.sqlite' AS evil",
      'pragma journal_mode=delete',
      'PRAGMA query_only = OFF',
      'WITH x AS (SELECT sha256 FROM items) DELETE FROM report_items WHERE sha256 IN (SELECT sha256 FROM x)',
      "with x as (select 1) update report_items set decision = 'overturned'",
      'select 1; delete from report_items',
      'SELECT count(*) FROM items; SELECT count(*) FROM letters',
      '/* a comment */ delete from report_items',
      '-- a comment\nupdate report_items set decision = null',
      'create table t (x integer)',
      'vacuum',
    ];
    it.each(refused)('%s', async (sql) => {
      const before = await snapshot();
      const err = await runQuery(db.url, sql).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'QueryError', code: 'not_read_only' });
      expect((err as Error).message).toMatch(/read-only|one statement/);
      expect(await snapshot()).toEqual(before);
    });

    it('leaves the database settings and files alone', async () => {
      await expect(runQuery(db.url, 'pragma journal_mode=delete')).rejects.toThrow();
      await expect(
        runQuery(db.url, `attach database '${join(db.env.root, 'evil.sqlite')}' as evil`),
      ).rejects.toThrow();
      expect(existsSync(join(db.env.root, 'evil.sqlite'))).toBe(false);
      const target = parseStoreUrl(db.url);
      if (target.dialect === 'sqlite') {
        const raw = new SqliteDatabase(target.path, { readonly: true });
        try {
          expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
        } finally {
          raw.close();
        }
      }
    });

    it('is refused by the database too, where the statement check lets a write through', async () => {
      const before = await snapshot();
      // SQLite: REPLACE is no keyword of the check; the read-only connection refuses the statement.
      // PostgreSQL: nextval writes a sequence; the READ ONLY transaction refuses it.
      const sql =
        dialect === 'sqlite'
          ? "with x as (select 1) replace into report_items (sha256, idx, description, decision) values ('x', 0, 'x', 'upheld')"
          : "select nextval('corrections_id_seq')";
      await expect(runQuery(db.url, sql)).rejects.toMatchObject({ code: 'not_read_only' });
      expect(await snapshot()).toEqual(before);
    });

    it('still answers a read with a keyword in a string or a comment', async () => {
      const result = await runQuery(
        db.url,
        "select count(*) as n from items where description <> 'delete from items' -- update\n;",
      );
      expect(result.rows).toEqual([[9]]);
    });
  });

  describe('limits', () => {
    const endless = 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c';

    it('stops a recursive query that counts forever at the time limit', async () => {
      const t0 = performance.now();
      await expect(runQuery(db.url, endless, FAST)).rejects.toMatchObject({
        name: 'QueryError',
        code: 'timeout',
      });
      const elapsed = performance.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(400);
      expect(elapsed).toBeLessThan(3000);
      // Nothing is left holding the database.
      expect(await rows(db.url, 'select count(*) from items')).toEqual([[9]]);
    });

    it.runIf(dialect === 'postgres')(
      'stops pg_sleep and a huge generate_series at the time limit',
      async () => {
        for (const sql of [
          'select pg_sleep(30)',
          'select count(*) from generate_series(1, 10000000000) as g',
        ]) {
          const t0 = performance.now();
          await expect(runQuery(db.url, sql, FAST)).rejects.toMatchObject({ code: 'timeout' });
          expect(performance.now() - t0).toBeLessThan(3000);
        }
      },
    );

    it('cuts the rows at the row limit and says so', async () => {
      const cut = await runQuery(db.url, 'select sha256, idx from items order by 1, 2', {
        timeoutMs: 10_000,
        maxRows: 4,
      });
      expect(cut.rows).toHaveLength(4);
      expect(cut.truncated).toBe(true);
      const exact = await runQuery(db.url, 'select sha256, idx from items', {
        timeoutMs: 10_000,
        maxRows: 9,
      });
      expect(exact.rows).toHaveLength(9);
      expect(exact.truncated).toBe(false);
      const many = await runQuery(
        db.url,
        'with recursive c(x) as (select 1 union all select x + 1 from c where x < 100000) select x from c',
        { timeoutMs: 10_000, maxRows: 10 },
      );
      expect(many.rows).toHaveLength(10);
      expect(many.truncated).toBe(true);
    });
  });

  describe('reports', () => {
    it('computes every report as worked out by hand', async () => {
      expect(Object.keys(EXPECTED).sort()).toEqual([...REPORT_NAMES].sort());
      for (const name of REPORT_NAMES) {
        const table = await runReport(db.url, name);
        expect({ name, rows: table.rows }).toEqual({ name, rows: EXPECTED[name] });
      }
    });

    it('keeps to the decision dates asked for', async () => {
      const t = await runReport(db.url, 'uphold-by-quarter', { from: '2016-04-01', to: '2016-12-31' });
      expect(t.rows).toEqual([
        ['2016-Q2', 2, 1, 0.5],
        ['2016-Q4', 2, 2, 1],
      ]);
      const days = await runReport(db.url, 'days-to-decision', { from: '2016-05-03', to: '2016-11-20' });
      expect(days.rows).toEqual([[2, 21, 21, 29.8, 10, 32]]);
      const guideline = await runReport(db.url, 'by-guideline', { from: '2017-01-01' });
      expect(guideline.rows).toEqual([
        ['claims_administrator', 'mtus', 'Neck and Upper Back Complaints', 1, 1, 1],
        ['claims_administrator', 'none', null, 1, 0, 0],
        ['maximus', 'none', null, 1, 0, 0],
        ['maximus', 'odg', 'Neck and Upper Back', 1, 1, 1],
      ]);
    });
  });

  it('reports the corrected values once QA corrects a letter', async () => {
    const own = await seeded(dialect);
    try {
      // D0 was overturned; C0's description puts it in a category.
      await own.store.addCorrection({
        sha256: D.repeat(64),
        field: 'items.0.decision',
        value: 'upheld',
        author: 'qa',
      });
      await own.store.addCorrection({
        sha256: C.repeat(64),
        field: 'items.0.description',
        value: 'MRI of the left knee',
        author: 'qa',
      });
      const report = async (name: string) => (await runReport(own.url, name)).rows;
      expect(await report('uphold-by-quarter')).toEqual([
        ['2016-Q1', 3, 2, 0.6667],
        ['2016-Q2', 2, 1, 0.5],
        ['2016-Q4', 2, 2, 1],
        ['2017-Q1', 2, 2, 1],
      ]);
      expect(await report('mixed-outcomes')).toEqual([[4, 2, 0.5, 2, 0]]);
      expect(await report('by-category')).toEqual([
        ['imaging', null, 3, 2, 0.6667],
        ['pharmacy', 'opioids', 3, 2, 0.6667],
        ['physical_medicine', null, 2, 2, 1],
        [null, null, 1, 1, 1],
      ]);
      expect(await report('uncategorised')).toEqual([['Zorbulator treatments', 1]]);
      expect(await report('by-specialty')).toEqual([
        ['Orthopaedic Surgery', 5, 4, 0.8],
        ['Internal Medicine', 2, 1, 0.5],
        [null, 2, 2, 1],
      ]);
      // The machine record keeps the machine value; the views show QA's.
      expect((await own.store.getRecord(D.repeat(64)))?.items[0]?.decision).toBe('overturned');
      expect(
        await rows(own.url, `select decision from items where sha256 = '${D.repeat(64)}' and idx = 0`),
      ).toEqual([['upheld']]);
    } finally {
      await own.store.close();
      await own.env.cleanup();
    }
  });
});
