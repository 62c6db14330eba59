import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/create-store.js';
import { CLI_DOCUMENT_COUNTS, storeCliLetters } from '../helpers/cli-letters.js';
import { createTestEnv, REDIS_URL, type TestEnv } from '../helpers/pipeline-env.js';
import { runImr, spawnImr } from '../helpers/run-imr.js';

/**
 * `imr query`, `imr report` and `imr status` as a user runs them: the whole command line through the `imr`
 * entry point, on a temp SQLite file holding the letters of test/helpers/cli-letters.ts (every number below
 * is worked out by hand from the table there), and queues under a prefix of this test's own on the real
 * Redis. One test runs the real binary.
 */

let testEnv: TestEnv;
let env: Record<string, string>;

/** Jobs put on the queues before `imr status` counts them. */
async function fillQueues(prefix: string): Promise<void> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const extract = new Queue('extract', { connection, prefix });
  const parse = new Queue('parse', { connection, prefix });
  try {
    await extract.add('extract', { sha256: '1'.repeat(64) }, { jobId: 'cli-test-1' });
    await extract.add('extract', { sha256: '2'.repeat(64) }, { jobId: 'cli-test-2' });
    await parse.add('parse', { sha256: '3'.repeat(64) }, { jobId: 'cli-test-3', delay: 600_000 });
  } finally {
    await extract.close();
    await parse.close();
    connection.disconnect();
  }
}

beforeAll(async () => {
  testEnv = await createTestEnv('sqlite');
  const store = createStore(testEnv.config.databaseUrl);
  try {
    await store.migrate();
    await storeCliLetters(store);
  } finally {
    await store.close();
  }
  await fillQueues(testEnv.config.queuePrefix);
  env = {
    DATABASE_URL: testEnv.config.databaseUrl,
    REDIS_URL,
    IMR_QUEUE_PREFIX: testEnv.config.queuePrefix,
  };
});

afterAll(async () => {
  await testEnv?.cleanup();
});

const json = (text: string): unknown => JSON.parse(text);

describe('imr query', () => {
  const COUNT = 'select count(*) as n from items';

  it('prints the count in each output format', async () => {
    const table = await runImr(['query', COUNT], env);
    expect(table).toEqual({ code: 0, stdout: 'n\n-\n8\n', stderr: '' });
    const explicitTable = await runImr(['query', COUNT, '--format', 'table'], env);
    expect(explicitTable.stdout).toBe('n\n-\n8\n');
    const csv = await runImr(['query', COUNT, '--format', 'csv'], env);
    expect(csv).toEqual({ code: 0, stdout: 'n\r\n8\r\n', stderr: '' });
    const asJson = await runImr(['query', COUNT, '--format=json'], env);
    expect(asJson.code).toBe(0);
    expect(json(asJson.stdout)).toEqual([{ n: 8 }]);
  });

  it('prints grouped rows from the views', async () => {
    const sql = 'select decision, count(*) as n from items group by decision order by decision';
    const csv = await runImr(['query', sql, '--format', 'csv'], env);
    expect(csv).toEqual({ code: 0, stdout: 'decision,n\r\noverturned,3\r\nupheld,5\r\n', stderr: '' });
    const letters = await runImr(
      ['query', 'select case_number, items, upheld from letters order by decision_date', '--format', 'json'],
      env,
    );
    expect(json(letters.stdout)).toEqual([
      { case_number: 'CM15-00000E0', items: 2, upheld: 1 },
      { case_number: 'CM15-00000F0', items: 3, upheld: 2 },
      { case_number: 'CM15-0000090', items: 2, upheld: 1 },
      { case_number: 'CM15-0000070', items: 1, upheld: 1 },
    ]);
  });

  it('cuts the output at --max-rows and says so on stderr', async () => {
    const cut = await runImr(
      ['query', 'select description from items order by sha256, idx', '--max-rows', '3', '--format', 'csv'],
      env,
    );
    expect(cut.code).toBe(0);
    // By sha256: H (7...) has one item, G (9...) two; E and F are cut.
    expect(cut.stdout).toBe(
      'description\r\nMRI of the cervical spine\r\nZorbulator treatments\r\n' +
        'Physical therapy 2 times a week for 6 weeks\r\n',
    );
    expect(cut.stderr).toBe('imr query: output cut at 3 rows (--max-rows)\n');
  });

  it('fails on bad SQL with exit 1 and the database message', async () => {
    const bad = await runImr(['query', 'select no_such_column from items'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    // imr query runs on the analytics copy (DuckDB): its message names the column.
    expect(bad.stderr).toMatch(/^imr query: .*"no_such_column" not found/);
    const typo = await runImr(['query', 'select count(* from items'], env);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/^imr query: .*syntax error/);
  });

  it('refuses writes (exit 3) and leaves the data as it was', async () => {
    for (const sql of [
      'delete from letters',
      'DELETE FROM report_items',
      "update items set decision = 'x'",
    ]) {
      const refused = await runImr(['query', sql], env);
      expect({ sql, code: refused.code, stdout: refused.stdout }).toEqual({ sql, code: 3, stdout: '' });
      expect(refused.stderr).toMatch(/^imr query: (DELETE|UPDATE) refused: imr query is read-only/);
    }
    const twoStatements = await runImr(['query', 'select 1; delete from letters'], env);
    expect(twoStatements.code).toBe(3);
    expect(twoStatements.stderr).toBe('imr query: one statement at a time\n');
    const after = await runImr(
      [
        'query',
        'select (select count(*) from letters) as l, (select count(*) from items) as i',
        '--format',
        'csv',
      ],
      env,
    );
    expect(after.stdout).toBe('l,i\r\n4,8\r\n');
  });

  it('says which database is missing (exit 1)', async () => {
    const missing = join(testEnv.root, 'none.sqlite');
    const r = await runImr(['query', COUNT], { ...env, DATABASE_URL: missing });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`imr query: no database at ${missing} (run the pipeline first)\n`);
  });

  it('rejects a wrong command line with exit 2 and the usage', async () => {
    const noSql = await runImr(['query'], env);
    expect(noSql.code).toBe(2);
    expect(noSql.stderr).toMatch(/^imr query: give exactly one SQL statement, quoted\n\nimr query "<SQL>"/);
    const format = await runImr(['query', COUNT, '--format', 'xml'], env);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/^imr query: unknown format "xml"/);
    const maxRows = await runImr(['query', COUNT, '--max-rows', '0'], env);
    expect(maxRows.code).toBe(2);
    expect(maxRows.stderr).toMatch(/^imr query: --max-rows must be a positive integer/);
  });

  it('--help prints the usage and exits 0', async () => {
    const help = await runImr(['query', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^imr query "<SQL>" \[--format table\|csv\|json\]/);
    for (const view of ['letters', 'items', 'citations', 'mismatches']) {
      expect(help.stdout).toMatch(new RegExp(`^ {2}${view} +one row per`, 'm'));
    }
  });
});

/** Every standard report on the letters of test/helpers/cli-letters.ts, worked out by hand. */
const REPORTS: Record<string, Record<string, unknown>[]> = {
  // 2015-Q1: E; 2015-Q3: F; 2016-Q1: G and H.
  'uphold-by-quarter': [
    { quarter: '2015-Q1', items: 2, upheld: 1, uphold_rate: 0.5 },
    { quarter: '2015-Q3', items: 3, upheld: 2, uphold_rate: 0.6667 },
    { quarter: '2016-Q1', items: 3, upheld: 2, uphold_rate: 0.6667 },
  ],
  'by-specialty': [
    // Grouped by the canonical name of the printed "Physical Medicine & Rehabilitation".
    { primary_specialty: 'Physical Medicine and Rehabilitation', items: 5, upheld: 3, uphold_rate: 0.6 },
    { primary_specialty: null, items: 2, upheld: 1, uphold_rate: 0.5 },
    { primary_specialty: 'Internal Medicine', items: 1, upheld: 1, uphold_rate: 1 },
  ],
  'by-category': [
    { category: 'pharmacy', drug_class: 'opioids', items: 3, upheld: 2, uphold_rate: 0.6667 },
    { category: 'imaging', drug_class: null, items: 2, upheld: 1, uphold_rate: 0.5 },
    { category: 'physical_medicine', drug_class: null, items: 2, upheld: 2, uphold_rate: 1 },
    { category: null, drug_class: null, items: 1, upheld: 0, uphold_rate: 0 },
  ],
  'by-guideline': [
    // ca Chronic Pain: E0, F0, F2; ca none: E1, G0, G1; mx Chronic Pain: E0, F2, G1.
    {
      party: 'claims_administrator',
      family: 'mtus',
      chapter: 'Chronic Pain Medical Treatment',
      items: 3,
      upheld: 2,
      uphold_rate: 0.6667,
    },
    {
      party: 'claims_administrator',
      family: 'none',
      chapter: null,
      items: 3,
      upheld: 1,
      uphold_rate: 0.3333,
    },
    {
      party: 'maximus',
      family: 'mtus',
      chapter: 'Chronic Pain Medical Treatment',
      items: 3,
      upheld: 2,
      uphold_rate: 0.6667,
    },
    {
      party: 'claims_administrator',
      family: 'mtus',
      chapter: 'Acupuncture Medical Treatment',
      items: 1,
      upheld: 1,
      uphold_rate: 1,
    },
    {
      party: 'claims_administrator',
      family: 'mtus',
      chapter: 'Neck and Upper Back Complaints',
      items: 1,
      upheld: 1,
      uphold_rate: 1,
    },
    { party: 'maximus', family: 'acoem', chapter: null, items: 1, upheld: 1, uphold_rate: 1 },
    {
      party: 'maximus',
      family: 'mtus',
      chapter: 'Acupuncture Medical Treatment',
      items: 1,
      upheld: 1,
      uphold_rate: 1,
    },
    { party: 'maximus', family: 'none', chapter: null, items: 1, upheld: 0, uphold_rate: 0 },
    { party: 'maximus', family: 'odg', chapter: 'Low Back', items: 1, upheld: 0, uphold_rate: 0 },
    { party: 'maximus', family: 'odg', chapter: 'Neck and Upper Back', items: 1, upheld: 1, uphold_rate: 1 },
  ],
  'top-items': [
    { item: 'hydrocodone', category: 'pharmacy', items: 2, upheld: 1, uphold_rate: 0.5 },
    { item: 'acupuncture 6 visits', category: 'physical_medicine', items: 1, upheld: 1, uphold_rate: 1 },
    { item: 'mri of the cervical spine', category: 'imaging', items: 1, upheld: 1, uphold_rate: 1 },
    { item: 'mri of the lumbar spine', category: 'imaging', items: 1, upheld: 0, uphold_rate: 0 },
    {
      item: 'physical therapy 2 times a week for 6 weeks',
      category: 'physical_medicine',
      items: 1,
      upheld: 1,
      uphold_rate: 1,
    },
    { item: 'tramadol', category: 'pharmacy', items: 1, upheld: 1, uphold_rate: 1 },
    { item: 'zorbulator treatments', category: null, items: 1, upheld: 0, uphold_rate: 0 },
  ],
  // E, F and G have both outcomes; H only an upheld item.
  'mixed-outcomes': [{ letters: 4, mixed: 3, mixed_share: 0.75, all_upheld: 1, all_overturned: 0 }],
  // Days: E 18, H 19, G 20, F 24. Mean 81 / 4 = 20.25; median (19 + 20) / 2; p90 at 2.7 of 0..3: 20 + 0.7 * 4.
  'days-to-decision': [
    { letters: 4, mean_days: 20.3, median_days: 19.5, p90_days: 22.8, min_days: 18, max_days: 24 },
  ],
  // E 190 days, G 34 days, F 3.6 years, H 14.8 years.
  'injury-age': [
    { years_from_injury: '< 1 year', items: 4, upheld: 2, uphold_rate: 0.5 },
    { years_from_injury: '1-2 years', items: 0, upheld: 0, uphold_rate: null },
    { years_from_injury: '2-5 years', items: 3, upheld: 2, uphold_rate: 0.6667 },
    { years_from_injury: '5-10 years', items: 0, upheld: 0, uphold_rate: null },
    { years_from_injury: '10+ years', items: 1, upheld: 1, uphold_rate: 1 },
  ],
  uncategorised: [{ description: 'Zorbulator treatments', items: 1 }],
};

describe('imr report', () => {
  it('--help lists exactly the standard reports and exits 0', async () => {
    const help = await runImr(['report', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^imr report <name> \[--from YYYY-MM-DD\] \[--to YYYY-MM-DD\]/);
    const listed = help.stdout
      .split('\n')
      .slice(help.stdout.split('\n').findIndex((l) => l.endsWith('Reports:')) + 1)
      .map((l) => /^ {2}([a-z-]+) {2,}\S/.exec(l)?.[1])
      .filter((n) => n !== undefined);
    expect(listed.sort()).toEqual(Object.keys(REPORTS).sort());
  });

  it.each(Object.keys(REPORTS))('%s prints the groups and counts of the known letters', async (name) => {
    const r = await runImr(['report', name, '--format', 'json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toEqual(REPORTS[name]);
  });

  it('prints an aligned table by default, and CSV on request', async () => {
    const table = await runImr(['report', 'by-specialty'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      [
        'primary_specialty                     items  upheld  uphold_rate',
        '------------------------------------  -----  ------  -----------',
        'Physical Medicine and Rehabilitation  5      3       0.6',
        '                                      2      1       0.5',
        'Internal Medicine                     1      1       1',
        '',
      ].join('\n'),
    );
    const csv = await runImr(['report', 'uphold-by-quarter', '--format', 'csv'], env);
    expect(csv.stdout).toBe(
      'quarter,items,upheld,uphold_rate\r\n2015-Q1,2,1,0.5\r\n2015-Q3,3,2,0.6667\r\n2016-Q1,3,2,0.6667\r\n',
    );
  });

  it('counts by-specialty under each specialty with --each-specialty, an option of that report only', async () => {
    const help = await runImr(['report', '--help'], env);
    expect(help.stdout).toContain('--each-specialty');
    const each = await runImr(['report', 'by-specialty', '--each-specialty', '--format', 'json'], env);
    expect(each.stderr).toBe('');
    // One specialty per letter here: the groups of the primary specialty, under the column `specialty`.
    expect(json(each.stdout)).toEqual(
      REPORTS['by-specialty']!.map(({ primary_specialty, ...rest }) => ({
        specialty: primary_specialty,
        ...rest,
      })),
    );
    const other = await runImr(['report', 'by-category', '--each-specialty'], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^imr report: --each-specialty is an option of by-specialty/);
  });

  it('keeps to the decision dates of --from and --to', async () => {
    const r = await runImr(
      ['report', 'uphold-by-quarter', '--from', '2015-04-01', '--to', '2016-01-31', '--format', 'json'],
      env,
    );
    expect(r.code).toBe(0);
    // F (2015-08-25) and G (2016-01-04); E is before, H after.
    expect(json(r.stdout)).toEqual([
      { quarter: '2015-Q3', items: 3, upheld: 2, uphold_rate: 0.6667 },
      { quarter: '2016-Q1', items: 2, upheld: 1, uphold_rate: 0.5 },
    ]);
  });

  it('rejects an unknown report, a bad date and a missing name with exit 2 and the usage', async () => {
    const unknown = await runImr(['report', 'no-such-report'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^imr report: no report "no-such-report"\n\nimr report <name>/);
    const date = await runImr(['report', 'by-category', '--from', '2015/01/01'], env);
    expect(date.code).toBe(2);
    expect(date.stderr).toMatch(/^imr report: "2015\/01\/01" is not a date \(YYYY-MM-DD\)/);
    const none = await runImr(['report'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^imr report: give one report name/);
  });
});

/** What `imr status` prints for CLI_DOCUMENT_COUNTS and the jobs of fillQueues. */
const STATUS_TEXT = [
  'documents: 7',
  '  queued             1  (in progress)',
  '  extracting         1  (in progress)',
  '  extracted          0  (in progress)',
  '  parsed             0  (in progress)',
  '  done               3',
  '  needs_review       1',
  '  failed             1',
  // Failures by code (the one failed letter's).
  '    unknown_layout     1',
  'queue extract  waiting 2, backfill 0, active 0, delayed 0, failed 0',
  'queue ocr      waiting 0, backfill 0, active 0, delayed 0, failed 0',
  'queue parse    waiting 0, backfill 0, active 0, delayed 1, failed 0',
  'queue export   waiting 0, backfill 0, active 0, delayed 0, failed 0',
  '',
].join('\n');

describe('imr status', () => {
  it('prints the documents by state and the queue counts', async () => {
    const r = await runImr(['status'], env);
    expect(r).toEqual({ code: 0, stdout: STATUS_TEXT, stderr: '' });
  });

  it('--json gives the same counts', async () => {
    const r = await runImr(['status', '--json'], env);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({
      documents: CLI_DOCUMENT_COUNTS,
      queues: {
        extract: { waiting: 2, active: 0, delayed: 0, failed: 0 },
        parse: { waiting: 0, active: 0, delayed: 1, failed: 0 },
        export: { waiting: 0, active: 0, delayed: 0, failed: 0 },
      },
    });
  });

  it('counts the queues of its own prefix only', async () => {
    const r = await runImr(['status'], { ...env, IMR_QUEUE_PREFIX: `${testEnv.config.queuePrefix}x` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('queue extract  waiting 0, backfill 0, active 0, delayed 0, failed 0\n');
    expect(r.stdout).toContain('queue parse    waiting 0, backfill 0, active 0, delayed 0, failed 0\n');
    expect(r.stdout.startsWith('documents: 7\n')).toBe(true);
  });

  it('--help prints the usage and exits 0', async () => {
    const help = await runImr(['status', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^imr status \[--json\]\n\nCounts of documents by state/);
  });

  it('the real binary (node bin/imr.js status) prints the same', async () => {
    const r = await spawnImr(['status'], env);
    expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
      code: 0,
      signal: null,
      stderr: '',
    });
    expect(r.stdout).toBe(STATUS_TEXT);
  });

  it('still prints the documents when Redis does not answer (exit 0)', async () => {
    // A separate process, as a person runs it: Redis is asked once, so no queue client is left
    // reconnecting and printing every refused connection.
    const r = await spawnImr(['status'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `${STATUS_TEXT.slice(0, STATUS_TEXT.indexOf('queue extract'))}queues: Redis does not answer\n`,
    );
  });
});
