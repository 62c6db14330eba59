import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LetterRecord } from '../../schemas/letter.js';
import { UsageError } from '../../src/cli/cli.js';
import { runExport } from '../../src/cli/export.js';
import {
  ITEM_COLUMNS,
  recordToCsvRows,
  replaceAtomically,
  toJsonl,
  writeExports,
  writeRecordFile,
} from '../../src/pipeline/export/index.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { withSpecialties } from '../../src/records/codec.js';
import { createStore } from '../../src/store/create-store.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { sink } from '../helpers/cli.js';

/** A strict RFC 4180 reader, to check what the writer produced. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' && field === '') {
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new Error('unterminated quoted field');
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          field += c;
          i++;
        }
      }
      const next = text[i];
      if (next !== ',' && next !== '\r' && next !== undefined) throw new Error(`junk after quote at ${i}`);
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (ch === '\n' || ch === '\r' || ch === '"') {
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last line not ended by CRLF');
  return rows;
}

async function duckdbRows(sqlText: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(sqlText);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

let dir: string;
let records: LetterRecord[];
let tricky: LetterRecord;
let empty: LetterRecord;
const pdfs = new Map<string, Uint8Array>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imr-export-'));
  const real: LetterRecord[] = [];
  for (const seed of [2, 3, 202]) {
    const { pdf } = await generateLetterPdf(seed);
    const { record } = await processPdf(`/inbox/letter-${seed}.pdf`, pdf);
    pdfs.set(record.sha256, pdf);
    real.push(record);
  }
  const base = real[1];
  if (!base?.items[0]) throw new Error('seed 3 should have an item');
  // Seed 3's bytes, with text that needs quoting.
  tricky = {
    ...base,
    file: '/inbox/smith, "john"\nletter.pdf',
    reviewer: { licensure: ['California', 'New York, NY'], specialty: 'Orthopedic "Spine" Surgery' },
    items: [
      {
        ...base.items[0],
        description: 'Knee brace, hinged "T-scope"\nleft knee',
        claimsAdministratorGuideline: {
          citations: [
            { source: 'MTUS, Knee Complaints', sections: null, pages: null },
            { source: 'ODG "Knee"', sections: null, pages: null },
          ],
          raw: 'Decision based on MTUS, Knee Complaints. Decision based on ODG "Knee".',
        },
      },
    ],
  };
  empty = {
    ...(real[0] as LetterRecord),
    sha256: 'a'.repeat(64),
    status: 'failed',
    error: { code: 'not_pdf', message: 'not a PDF' },
    items: [],
    mismatches: [],
    provenance: {},
  };
  records = [...real, tricky, empty];
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recordToCsvRows', () => {
  it('gives one row per item with the letter fields repeated', () => {
    const record = records[0];
    if (!record) throw new Error('no record');
    expect(record.items.length).toBeGreaterThan(1);
    const rows = recordToCsvRows(record);
    expect(rows).toHaveLength(record.items.length);
    rows.forEach((row, i) => {
      const item = record.items[i];
      if (!item) throw new Error('no item');
      expect(Object.keys(row)).toEqual([...ITEM_COLUMNS]);
      expect(row).toMatchObject({
        sha256: record.sha256,
        file: record.file,
        status: record.status,
        case_number: record.caseNumber,
        decision_date: record.decisionDate,
        licensure: record.reviewer.licensure.join('; '),
        specialty: record.reviewer.specialty,
        primary_specialty: record.reviewer.primarySpecialty,
        specialties: record.reviewer.specialties?.join('; '),
        patient_age: record.patient.age,
        layout: record.layout,
        parser_version: record.parserVersion,
        item_index: i,
        description: item.description,
        decision: item.decision,
        rationale_conclusion: item.rationaleConclusion,
        maximus_citations: item.maximusGuideline?.citations.map((c) => c.source).join(' | ') ?? null,
      });
    });
  });

  it('gives the canonical specialties beside the printed one, derived for an older record', () => {
    const old = {
      ...tricky,
      reviewer: {
        licensure: [],
        specialty: 'Family Practice, Internal Medicine, Endocrinology, Diabetes & Metabolism',
      },
    };
    expect(recordToCsvRows(old)[0]).toMatchObject({
      specialty: 'Family Practice, Internal Medicine, Endocrinology, Diabetes & Metabolism',
      primary_specialty: 'Family Medicine',
      specialties: 'Family Medicine; Internal Medicine; Endocrinology, Diabetes and Metabolism',
    });
  });

  it('gives a letter without items one row with empty item columns', () => {
    const rows = recordToCsvRows(empty);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      sha256: empty.sha256,
      status: 'failed',
      item_index: null,
      description: null,
    });
  });

  it('joins citation sources with " | "', () => {
    expect(recordToCsvRows(tricky)[0]?.claims_administrator_citations).toBe(
      'MTUS, Knee Complaints | ODG "Knee"',
    );
  });
});

describe('writeExports', () => {
  let out: string;
  beforeAll(async () => {
    out = join(dir, 'exports');
    // Twice: the second run replaces the files.
    await writeExports(records, out, ['jsonl', 'csv', 'parquet']);
    const written = await writeExports(records, out, ['jsonl', 'csv', 'parquet']);
    expect(written.map((w) => [w.format, w.path])).toEqual([
      ['jsonl', join(out, 'letters.jsonl')],
      ['csv', join(out, 'items.csv')],
      ['parquet', join(out, 'items.parquet')],
    ]);
  });
  const itemRows = () => records.reduce((n, r) => n + Math.max(1, r.items.length), 0);

  it('writes only the final files (no temporaries left)', async () => {
    expect((await readdir(out)).sort()).toEqual(['items.csv', 'items.parquet', 'letters.jsonl']);
  });

  it('writes RFC 4180 CSV: a header, one row per item, awkward text quoted', async () => {
    const text = await readFile(join(out, 'items.csv'), 'utf8');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...ITEM_COLUMNS]);
    expect(rows).toHaveLength(itemRows());
    const expected = records.flatMap(recordToCsvRows).map((r) => ITEM_COLUMNS.map((c) => String(r[c] ?? '')));
    expect(rows).toEqual(expected);

    const col = (name: (typeof ITEM_COLUMNS)[number]) => ITEM_COLUMNS.indexOf(name);
    const trickyRow = rows.find((r) => r[col('file')] === tricky.file);
    expect(trickyRow?.[col('description')]).toBe('Knee brace, hinged "T-scope"\nleft knee');
    expect(trickyRow?.[col('licensure')]).toBe('California; New York, NY');
    expect(text).toContain('"Knee brace, hinged ""T-scope""\nleft knee"');
    const emptyRow = rows.find((r) => r[col('sha256')] === empty.sha256);
    expect(emptyRow?.slice(col('item_index'))).toEqual(
      Array(ITEM_COLUMNS.length - col('item_index')).fill(''),
    );

    // DuckDB's CSV reader agrees.
    const back = await duckdbRows(
      `SELECT * FROM read_csv('${join(out, 'items.csv')}', header = true, all_varchar = true, quote = '"', escape = '"')`,
    );
    expect(back).toHaveLength(itemRows());
    expect(back.find((r) => r.file === tricky.file)?.description).toBe(
      'Knee brace, hinged "T-scope"\nleft knee',
    );
  });

  it('writes JSON Lines that parse back to the records', async () => {
    const text = await readFile(join(out, 'letters.jsonl'), 'utf8');
    expect(text).toBe(toJsonl(records));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(records.length);
    expect(lines.map((l) => LetterRecord.parse(JSON.parse(l)))).toEqual(records);
  });

  it('writes Parquet that DuckDB reads back with the same rows', async () => {
    const path = join(out, 'items.parquet');
    const [counted] = await duckdbRows(`SELECT count(*)::INTEGER AS n FROM read_parquet('${path}')`);
    expect(counted?.n).toBe(itemRows());
    const rows = await duckdbRows(`SELECT * FROM read_parquet('${path}')`);
    expect(Object.keys(rows[0] ?? {})).toEqual([...ITEM_COLUMNS]);
    expect(rows).toEqual(records.flatMap(recordToCsvRows));
    const types = await duckdbRows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${path}')`);
    expect(types.find((t) => t.column_name === 'item_index')?.column_type).toBe('INTEGER');
    expect(types.find((t) => t.column_name === 'description')?.column_type).toBe('VARCHAR');
  });

  it('writes only the formats asked for', async () => {
    const only = join(dir, 'only-jsonl');
    const written = await writeExports(records, only, ['jsonl']);
    expect(written).toEqual([{ format: 'jsonl', path: join(only, 'letters.jsonl'), rows: records.length }]);
    expect(await readdir(only)).toEqual(['letters.jsonl']);
  });

  it('leaves the old file and no temporary when writing fails', async () => {
    const target = join(dir, 'atomic.txt');
    await writeFile(target, 'old');
    await expect(
      replaceAtomically(target, async (tmp) => {
        await writeFile(tmp, 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readFile(target, 'utf8')).toBe('old');
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});

describe('writeRecordFile', () => {
  it('writes records/<sha256>.json atomically', async () => {
    const record = records[0];
    if (!record) throw new Error('no record');
    const out = join(dir, 'per-letter');
    const path = await writeRecordFile(record, out);
    await writeRecordFile(record, out);
    expect(path).toBe(join(out, 'records', `${record.sha256}.json`));
    expect(LetterRecord.parse(JSON.parse(await readFile(path, 'utf8')))).toEqual(record);
    expect(await readdir(join(out, 'records'))).toEqual([`${record.sha256}.json`]);
  });

  it('refuses a record whose sha256 is not one', async () => {
    const record = records[0];
    if (!record) throw new Error('no record');
    await expect(writeRecordFile({ ...record, sha256: '../../etc/x' }, dir)).rejects.toThrow(/not a sha256/);
  });
});

describe('imr export', () => {
  let dbUrl: string;
  let stored: LetterRecord[];
  beforeAll(async () => {
    dbUrl = join(dir, 'db', 'imr.sqlite');
    const store = createStore(dbUrl);
    try {
      await store.migrate();
      // The real letters (tricky shares seed 3's bytes and replaces its record).
      stored = records.filter((r) => pdfs.has(r.sha256) && r !== records[1]);
      for (const record of stored) {
        const bytes = pdfs.get(record.sha256);
        if (!bytes) throw new Error('no bytes');
        await store.registerFile({ sha256: record.sha256, path: record.file, bytes });
        await store.saveRecord(record);
      }
    } finally {
      await store.close();
    }
    stored.sort((a, b) => a.sha256.localeCompare(b.sha256));
  });

  async function run(argv: string[], env: Record<string, string | undefined> = {}) {
    const stdout = sink();
    const stderr = sink();
    const code = await runExport(argv, { stdout: stdout.stream, stderr: stderr.stream, env });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('exports every stored letter in all three formats by default (DATABASE_URL from the env)', async () => {
    const out = join(dir, 'cli-all');
    const { code, stderr } = await run(['--out', out], { DATABASE_URL: dbUrl });
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['items.csv', 'items.parquet', 'letters.jsonl']);
    expect(stderr).toContain(`${stored.length} letter(s)`);
    expect(stderr).toContain(join(out, 'items.parquet'));
    const lines = (await readFile(join(out, 'letters.jsonl'), 'utf8')).trimEnd().split('\n');
    // Records stored without canonical specialties are exported with them (derived on read).
    expect(lines.map((l) => LetterRecord.parse(JSON.parse(l)))).toEqual(stored.map(withSpecialties));
  });

  it('takes formats as a comma list or repeated, and --db', async () => {
    const out = join(dir, 'cli-some');
    const { code } = await run(['--format', 'csv,jsonl', '--db', dbUrl, '--out', out]);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['items.csv', 'letters.jsonl']);
    const out2 = join(dir, 'cli-repeat');
    expect(
      (await run(['--format', 'parquet', '--format', 'csv', '--db', `sqlite:${dbUrl}`, '--out', out2])).code,
    ).toBe(0);
    expect((await readdir(out2)).sort()).toEqual(['items.csv', 'items.parquet']);
  });

  it('writes the Parquet datasets by decision year only when asked, from the analytics copy', async () => {
    const out = join(dir, 'cli-years');
    const { code, stderr } = await run(['--format', 'parquet-years', '--db', dbUrl, '--out', out]);
    expect(code).toBe(0);
    // No collection files: the records are not loaded for the datasets.
    expect(await readdir(out)).toEqual(['parquet']);
    expect((await readdir(join(out, 'parquet'))).sort()).toEqual(['citations', 'items', 'letters']);
    const years = [...new Set(stored.map((r) => r.decisionDate?.slice(0, 4) ?? 'unknown'))].sort();
    expect((await readdir(join(out, 'parquet', 'letters'))).sort()).toEqual(
      years.map((y) => `decision_year=${y}`),
    );
    expect(stderr).toContain(
      `${join(out, 'parquet', 'letters')}/ (${stored.length} row(s), ${years.length} year(s))`,
    );
    const [counted] = await duckdbRows(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${join(out, 'parquet', 'items')}/*/*.parquet')`,
    );
    expect(counted?.n).toBe(stored.reduce((n, r) => n + r.items.length, 0));
  });

  it('rejects a bad command line', async () => {
    await expect(run(['--format', 'xml', '--db', dbUrl])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['--bogus'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['stray', '--db', dbUrl])).rejects.toBeInstanceOf(UsageError);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('imr export');
  });

  it('fails without creating a database that does not exist', async () => {
    const missing = join(dir, 'nowhere', 'imr.sqlite');
    const { code, stderr } = await run(['--out', join(dir, 'cli-none')], { DATABASE_URL: missing });
    expect(code).toBe(1);
    expect(stderr).toContain('no database');
    await expect(readdir(join(dir, 'nowhere'))).rejects.toThrow();
  });
});
