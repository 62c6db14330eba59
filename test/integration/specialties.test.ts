import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LetterRecord } from '../../schemas/letter.js';
import { dashboardData, listLetters } from '../../src/analytics/explore.js';
import { runQuery } from '../../src/analytics/query.js';
import { runReport } from '../../src/analytics/reports.js';
import { PARSER_VERSION } from '../../src/pipeline/parse/parse-letter.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { parseStoreUrl } from '../../src/store/url.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { item, letterRecord } from '../helpers/record-builders.js';

/**
 * Canonical specialties through the store on both engines: the columns and the `letter_specialties` view,
 * `by-specialty` by primary and by each specialty, the dashboard's grouping and filter, a QA correction,
 * and the migration's backfill of a store written before them. Numbers are worked out by hand.
 */

function letter(key: string, decision: string, specialty: string | null, decisions: string[]): LetterRecord {
  return letterRecord(key, {
    file: `letter-${key}.pdf`,
    caseNumber: `CM16-000000${key}`,
    parserVersion: PARSER_VERSION,
    dates: { decision, received: '2016-01-02', injury: '2015-01-01' },
    specialty,
    patient: { age: 40, sex: 'male' },
    items: decisions.map((d, i) =>
      item(`Physical therapy ${key}${i}`, d as 'upheld' | 'overturned', null, null),
    ),
  });
}

/**
 *   A  "Orthopedic Surgery, Sports Medicinea"                 upheld, overturned   2016-03
 *   B  "Orthopaedic Surgery"                                  upheld               2016-04
 *   C  "Family Practice, Sports Medicine"                     upheld, upheld       2016-05
 *   D  "Physical Medicine & Rehabilitation, Pain Management"  overturned           2016-06
 *   E  (none)                                                 upheld               2016-07
 */
const LETTERS = [
  letter('a', '2016-03-01', 'Orthopedic Surgery, Sports Medicinea', ['upheld', 'overturned']),
  letter('b', '2016-04-01', 'Orthopaedic Surgery', ['upheld']),
  letter('c', '2016-05-01', 'Family Practice, Sports Medicine', ['upheld', 'upheld']),
  letter('d', '2016-06-01', 'Physical Medicine & Rehabilitation, Pain Management', ['overturned']),
  letter('e', '2016-07-01', null, ['upheld']),
];

const BY_PRIMARY = [
  ['Orthopaedic Surgery', 3, 2, 0.6667],
  ['Family Medicine', 2, 2, 1],
  ['Physical Medicine and Rehabilitation', 1, 0, 0],
  [null, 1, 1, 1],
];
const BY_EACH = [
  ['Sports Medicine', 4, 3, 0.75],
  ['Orthopaedic Surgery', 3, 2, 0.6667],
  ['Family Medicine', 2, 2, 1],
  ['Pain Medicine', 1, 0, 0],
  ['Physical Medicine and Rehabilitation', 1, 0, 0],
  [null, 1, 1, 1],
];
const LETTER_SPECIALTIES = [
  ['a'.repeat(64), 0, 'Orthopaedic Surgery'],
  ['a'.repeat(64), 1, 'Sports Medicine'],
  ['b'.repeat(64), 0, 'Orthopaedic Surgery'],
  ['c'.repeat(64), 0, 'Family Medicine'],
  ['c'.repeat(64), 1, 'Sports Medicine'],
  ['d'.repeat(64), 0, 'Physical Medicine and Rehabilitation'],
  ['d'.repeat(64), 1, 'Pain Medicine'],
];

const rows = async (url: string, sql: string) => (await runQuery(url, sql)).rows;

/** Writes past the read-only analyst path: to make a store look older than the canonical columns. */
async function exec(url: string, statements: string[]): Promise<void> {
  const target = parseStoreUrl(url);
  if (target.dialect === 'sqlite') {
    const db = new SqliteDatabase(target.path);
    try {
      for (const s of statements) db.exec(s);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

describe.each(['sqlite', 'postgres'] as const)('canonical specialties on %s', (dialect) => {
  let env: TestEnv;
  let store: Store;
  let url: string;
  beforeAll(async () => {
    env = await createTestEnv(dialect);
    url = env.config.databaseUrl;
    store = createStore(url);
    await store.migrate();
    for (const record of LETTERS) {
      await store.registerFile({
        sha256: record.sha256,
        path: `/inbox/${record.file}`,
        bytes: new TextEncoder().encode(record.file),
      });
      await store.saveRecord(record);
    }
  });
  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
  });

  it('keeps the printed value beside the primary one, and a row per specialty', async () => {
    expect(
      await rows(url, 'select sha256, reviewer_specialty, primary_specialty from letters order by 1'),
    ).toEqual(LETTERS.map((l, i) => [l.sha256, l.reviewer.specialty, BY_LETTER_PRIMARY[i]]));
    expect(
      await rows(url, 'select sha256, position, specialty from letter_specialties order by 1, 2'),
    ).toEqual(LETTER_SPECIALTIES);
    expect(await rows(url, "select distinct primary_specialty from items where sha256 like 'a%'")).toEqual([
      ['Orthopaedic Surgery'],
    ]);
  });

  it('groups by-specialty by the primary specialty, or by each with the option', async () => {
    expect((await runReport(url, 'by-specialty')).rows).toEqual(BY_PRIMARY);
    expect((await runReport(url, 'by-specialty', { eachSpecialty: true })).rows).toEqual(BY_EACH);
    // The date filter still applies through the join.
    expect(
      (await runReport(url, 'by-specialty', { from: '2016-05-01', to: '2016-06-30', eachSpecialty: true }))
        .rows,
    ).toEqual([
      ['Family Medicine', 2, 2, 1],
      ['Sports Medicine', 2, 2, 1],
      ['Pain Medicine', 1, 0, 0],
      ['Physical Medicine and Rehabilitation', 1, 0, 0],
    ]);
  });

  it('groups and filters the dashboard by canonical names', async () => {
    const page = { limit: 50, offset: 0 };
    const primary = await dashboardData(url, {}, page);
    // The dashboard's order of the null group differs by engine (it is summed into "others" anyway).
    const byKey = (t: unknown[][]) => [...t].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byKey(primary.bySpecialty.map((r) => [r.key, r.items, r.upheld]))).toEqual(
      byKey(BY_PRIMARY.map(([k, items, upheld]) => [k, items, upheld])),
    );
    expect(primary.options.specialties).toEqual([
      'Family Medicine',
      'Orthopaedic Surgery',
      'Physical Medicine and Rehabilitation',
    ]);
    const each = await dashboardData(url, { eachSpecialty: true }, page);
    expect(byKey(each.bySpecialty.map((r) => [r.key, r.items]))).toEqual(
      byKey(BY_EACH.map(([k, items]) => [k, items])),
    );
    expect(each.options.specialties).toContain('Sports Medicine');
    // Sports Medicine is no letter's primary specialty, but two letters' second one.
    expect((await dashboardData(url, { specialty: 'Sports Medicine' }, page)).items).toBe(0);
    const sports = await dashboardData(url, { specialty: 'Sports Medicine', eachSpecialty: true }, page);
    expect([sports.items, sports.letters, sports.upheld]).toEqual([4, 2, 3]);
    const ortho = await listLetters(url, { specialty: 'Orthopaedic Surgery' }, page);
    expect(ortho.total).toBe(2);
  });

  it('regroups a letter when QA corrects its printed specialty', async () => {
    await store.addCorrection({
      sha256: 'e'.repeat(64),
      field: 'reviewer.specialty',
      value: 'Chiropractor',
      author: 'qa',
    });
    try {
      expect(
        await rows(url, `select primary_specialty from letters where sha256 = '${'e'.repeat(64)}'`),
      ).toEqual([['Chiropractic']]);
      expect((await runReport(url, 'by-specialty')).rows).toEqual([
        ...BY_PRIMARY.slice(0, 2),
        ['Chiropractic', 1, 1, 1],
        BY_PRIMARY[2],
      ]);
    } finally {
      await store.addCorrection({
        sha256: 'e'.repeat(64),
        field: 'reviewer.specialty',
        value: null,
        author: 'qa',
      });
    }
    expect((await runReport(url, 'by-specialty')).rows).toEqual(BY_PRIMARY);
  });

  it('backfills a store written before the canonical columns when it migrates', async () => {
    // As the store was before: no primary specialties, no specialty rows, one letter without analyst rows
    // at all (a store older than the analyst tables), and schema version 6.
    await exec(url, [
      'update report_letters set primary_specialty = null',
      'delete from report_letter_specialties',
      `delete from report_items where sha256 = '${'c'.repeat(64)}'`,
      `delete from report_letters where sha256 = '${'c'.repeat(64)}'`,
      ...(dialect === 'postgres' ? ['drop view analytics.letter_specialties'] : []),
      'delete from schema_version where version >= 7',
    ]);
    expect((await runReport(url, 'by-specialty')).rows).not.toEqual(BY_PRIMARY);
    const again = createStore(url);
    try {
      await again.migrate();
    } finally {
      await again.close();
    }
    expect(
      await rows(url, 'select sha256, position, specialty from letter_specialties order by 1, 2'),
    ).toEqual(LETTER_SPECIALTIES);
    expect((await runReport(url, 'by-specialty')).rows).toEqual(BY_PRIMARY);
    expect((await runReport(url, 'by-specialty', { eachSpecialty: true })).rows).toEqual(BY_EACH);
  });
});

const BY_LETTER_PRIMARY = [
  'Orthopaedic Surgery',
  'Orthopaedic Surgery',
  'Family Medicine',
  'Physical Medicine and Rehabilitation',
  null,
];
