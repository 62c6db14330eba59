import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Label } from '../../schemas/label.js';
import { type Item, type LetterRecord, LetterRecord as LetterRecordSchema } from '../../schemas/letter.js';
import type { Correction } from '../../schemas/review.js';
import type { TextDocument } from '../../schemas/text.js';
import { scoreRecords, totals } from '../../src/bench/score.js';
import { sha256 } from '../../src/hash.js';
import { silentLogger } from '../../src/logger.js';
import { ITEM_COLUMNS } from '../../src/pipeline/export/index.js';
import { DEFAULT_LIMITS } from '../../src/pipeline/extract/extract-text.js';
import { PARSER_VERSION } from '../../src/pipeline/parse/parse-letter.js';
import { failedRecord, processPdf } from '../../src/pipeline/process-letter.js';
import { Queues, redisConnection } from '../../src/queue/queues.js';
import { docStatusFor } from '../../src/records/document-status.js';
import { approveLetter, correctLetter, reviewLetter } from '../../src/review/actions.js';
import { createStore } from '../../src/store/create-store.js';
import type { Database } from '../../src/store/db.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/store.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { imr } from '../../workers/imr.js';
import { exportStage, parseStage, type StageDeps } from '../../workers/processors.js';
import { sink } from '../helpers/cli.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
/** The parser version the stored records pretend to come from, before `imr reprocess` brings them up to date. */
const OLD = '0.9.0';

interface Letter {
  name: string;
  pdf: Uint8Array;
  sha256: string;
  text: TextDocument;
  /** What the current parser reads. */
  current: LetterRecord;
  /** What the "old parser" stored: the current reading with some fields read differently. */
  old: LetterRecord;
}

const withConfidence = (record: LetterRecord, field: string, confidence: number) => {
  const p = record.provenance[field];
  if (!p) throw new Error(`no provenance for ${field}`);
  return { ...record.provenance, [field]: { ...p, confidence } };
};

/** Seed -> how the old parser got it wrong, and which mismatches it raised. */
const OLD_READINGS: Record<number, (r: LetterRecord) => LetterRecord> = {
  // L1: six items; wrong case number and item 0 quantity; a contradiction (error).
  2: (r) => ({
    ...r,
    status: 'needs_review',
    caseNumber: 'CM16-0000000',
    items: r.items.map((item, i) => (i === 0 ? { ...item, quantity: 5 } : item)),
    mismatches: [
      { field: 'items.1.decision', code: 'rationale_contradicts_decision', severity: 'error', message: 'x' },
    ],
    provenance: withConfidence(r, 'caseNumber', 0.9),
  }),
  // L2: no case number (error), low confidence.
  4: (r) => ({
    ...r,
    status: 'needs_review',
    caseNumber: null,
    mismatches: [
      { field: 'caseNumber', code: 'missing_field', severity: 'error', message: 'no case number' },
    ],
    provenance: withConfidence(r, 'caseNumber', 0.6),
  }),
  // L3: warnings only.
  202: (r) => ({ ...r, status: 'needs_review' }),
  // L4: fine: done, never queued.
  3: (r) => ({ ...r, status: 'ok', mismatches: [] }),
  // L5: an error at the same confidence as L2: after it by file name.
  6: (r) => ({
    ...r,
    status: 'needs_review',
    mismatches: [
      { field: 'items.0.decision', code: 'rationale_contradicts_decision', severity: 'error', message: 'y' },
    ],
    provenance: withConfidence(r, 'caseNumber', 0.6),
  }),
};

let letters: Record<'L1' | 'L2' | 'L3' | 'L4' | 'L5', Letter>;
beforeAll(async () => {
  const make = async (seed: number): Promise<Letter> => {
    const { pdf } = await generateLetterPdf(seed);
    const name = `l-${seed}.pdf`;
    const { record, text } = await processPdf(name, pdf);
    if (!text) throw new Error(`seed ${seed}: no text`);
    const reading = OLD_READINGS[seed];
    if (!reading) throw new Error(`no old reading for seed ${seed}`);
    return {
      name,
      pdf,
      sha256: sha256(pdf),
      text,
      current: record,
      old: { ...reading(record), parserVersion: OLD },
    };
  };
  const [L1, L2, L3, L4, L5] = await Promise.all([2, 4, 202, 3, 6].map(make));
  if (!L1 || !L2 || !L3 || !L4 || !L5) throw new Error('letters');
  letters = { L1, L2, L3, L4, L5 };
  expect(L1.current.items.length).toBe(6);
  expect(L1.current.items[0]?.quantity).toBeNull();
});

/** Raw SQL that bypasses the store (`?` placeholders). */
async function raw(url: string, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if (url.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      let n = 0;
      return (
        await client.query(
          text.replace(/\?/g, () => `$${++n}`),
          params,
        )
      ).rows;
    } finally {
      await client.end();
    }
  }
  const db = new SqliteDatabase(url, { readonly: true });
  try {
    return db.prepare(text).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** A minimal RFC 4180 reader (quoted fields, CRLF rows). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

async function cli(argv: string[], env: Record<string, string>) {
  const stdout = sink();
  const stderr = sink();
  const code = await imr(argv, { stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe.each(['sqlite', 'postgres'] as const)('QA review on %s', (dialect) => {
  let env: TestEnv;
  let url: string;
  let store: Store;
  let queues: Queues;
  let connection: ReturnType<typeof redisConnection>;
  let deps: StageDeps;
  const exportFile = (sha: string) => join(env.config.exportDir, 'records', `${sha}.json`);
  const readExport = async (sha: string) => JSON.parse(await readFile(exportFile(sha), 'utf8'));
  const queueShas = async (filter?: { code?: string }) =>
    (await store.listReviewQueue(filter)).map((r) => r.sha256);
  /** Corrections made in the tests, by name. */
  const made: Record<string, Correction> = {};

  beforeAll(async () => {
    env = await createTestEnv(dialect);
    url = env.config.databaseUrl;
    store = createStore(url);
    await store.migrate();
    connection = redisConnection(env.config.redisUrl);
    queues = new Queues(connection, env.config.queuePrefix);
    deps = {
      store,
      queues,
      extract: { limits: DEFAULT_LIMITS },
      exportDir: env.config.exportDir,
      logger: silentLogger(),
    };
    // As the pipeline leaves them: bytes, page text, the (old parser's) record, then the export stage.
    for (const l of Object.values(letters)) {
      await store.registerFile({ sha256: l.sha256, path: `/inbox/${l.name}`, bytes: l.pdf });
      await store.saveText(l.sha256, l.text);
      await store.saveRecord(l.old);
      await exportStage(l.sha256, deps);
    }
  });

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await store?.close();
    await env?.cleanup();
  });

  it('upgrades a version-1 database, keeping its corrections', async () => {
    const other = await createTestEnv(dialect);
    try {
      const otherUrl = other.config.databaseUrl;
      const db = new Kysely<Database>({
        dialect:
          dialect === 'sqlite'
            ? new SqliteDialect({ database: new SqliteDatabase(otherUrl) })
            : new PostgresDialect({ pool: new pg.Pool({ connectionString: otherUrl, max: 1 }) }),
      });
      try {
        const [first] = MIGRATIONS;
        if (!first) throw new Error('no migration 1');
        await first.up(db, dialect);
        await db.schema
          .createTable('schema_version')
          .addColumn('version', 'integer', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('applied_at', 'text', (c) => c.notNull())
          .execute();
        await db
          .insertInto('schema_version')
          .values({ version: 1, name: 'initial', applied_at: 'then' })
          .execute();
        const at = 'then';
        await db
          .insertInto('documents')
          .values({
            sha256: 'c'.repeat(64),
            file_name: 'old.pdf',
            status: 'needs_review',
            error_code: null,
            error_message: null,
            bytes: 1,
            pages: null,
            text_source: null,
            layout: null,
            parser_version: null,
            created_at: at,
            updated_at: at,
          })
          .execute();
        // Migration 1's columns only (no parser_version yet).
        await db
          .insertInto('corrections')
          .columns(['sha256', 'field', 'machine_value_json', 'value_json', 'reason', 'author', 'created_at'])
          .values({
            sha256: 'c'.repeat(64),
            field: 'caseNumber',
            machine_value_json: '"CM00"',
            value_json: '"CM01"',
            reason: null,
            author: 'qa',
            created_at: at,
          })
          .execute();
      } finally {
        await db.destroy();
      }
      const upgraded = createStore(otherUrl);
      try {
        await Promise.all([upgraded.migrate(), upgraded.migrate()]);
        await upgraded.migrate();
        const versions = await raw(otherUrl, 'select version from schema_version order by version');
        expect(versions.map((v) => Number(v.version))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(await upgraded.listCorrections('c'.repeat(64))).toEqual([
          expect.objectContaining({
            field: 'caseNumber',
            machineValue: 'CM00',
            value: 'CM01',
            parserVersion: null,
          }),
        ]);
        expect(await upgraded.getReview('c'.repeat(64))).toBeNull();
        expect(await upgraded.listReviewQueue()).toEqual([
          expect.objectContaining({
            fileName: 'old.pdf',
            caseNumber: 'CM01',
            corrections: 1,
            worstSeverity: null,
          }),
        ]);
        expect(await upgraded.goldScores()).toEqual([]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await other.cleanup();
    }
  });

  it('queues letters that need review riskiest first, filters by code and counts codes', async () => {
    const { L1, L2, L3, L4, L5 } = letters;
    expect(await queueShas()).toEqual([L2, L5, L1, L3].map((l) => l.sha256));
    const queue = await store.listReviewQueue();
    expect(queue[0]).toEqual({
      sha256: L2.sha256,
      fileName: L2.name,
      caseNumber: null,
      decisionDate: L2.old.decisionDate,
      worstSeverity: 'error',
      errors: 1,
      warnings: 0,
      minConfidence: 0.6,
      codes: ['missing_field'],
      corrections: 0,
    });
    expect(queue[2]).toMatchObject({ sha256: L1.sha256, minConfidence: 0.9, caseNumber: 'CM16-0000000' });
    expect(queue[3]).toMatchObject({
      sha256: L3.sha256,
      worstSeverity: 'warning',
      errors: 0,
      warnings: 2,
      minConfidence: 1,
      codes: ['item_boundary_guess'],
    });
    expect(await queueShas({ code: 'rationale_contradicts_decision' })).toEqual([L5.sha256, L1.sha256]);
    expect(await queueShas({ code: 'no_such_code' })).toEqual([]);
    expect(await store.reviewCodeCounts()).toEqual({
      missing_field: 1,
      rationale_contradicts_decision: 2,
      item_boundary_guess: 1,
    });
    expect((await store.getDocument(L4.sha256))?.status).toBe('done');
  });

  it('stores corrections beside the machine values, each with its audit row', async () => {
    const { L1, L2 } = letters;
    const sha = L1.sha256;
    const itemRows = 'select * from items where sha256 = ? order by idx';
    const letterRow = 'select case_number, patient_age, record_json from letters where sha256 = ?';
    const machineItems = await raw(url, itemRows, [sha]);
    const machineLetter = await raw(url, letterRow, [sha]);

    made.caseNumber = await store.addCorrection({
      sha256: sha,
      field: 'caseNumber',
      value: ` ${L1.current.caseNumber} `,
      reason: 'misread digits',
      author: 'ana',
    });
    expect(made.caseNumber).toEqual({
      id: expect.any(Number),
      sha256: sha,
      field: 'caseNumber',
      machineValue: 'CM16-0000000',
      value: L1.current.caseNumber,
      reason: 'misread digits',
      author: 'ana',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      parserVersion: OLD,
    });
    made.age = await store.addCorrection({ sha256: sha, field: 'patient.age', value: '60', author: 'ana' });
    expect(made.age).toMatchObject({ machineValue: L1.current.patient.age, value: 60, reason: null });
    made.quantity = await store.addCorrection({
      sha256: sha,
      field: 'items.0.quantity',
      value: '7',
      author: 'ben',
    });
    expect(made.quantity).toMatchObject({ machineValue: 5, value: 7 });
    made.remove = await store.addCorrection({
      sha256: sha,
      field: 'items.5',
      value: null,
      reason: 'a repeat of item 4',
      author: 'ben',
    });
    expect(made.remove.machineValue).toEqual(L1.current.items[5]);
    made.add = await correctLetter(store, env.config.exportDir, {
      sha256: sha,
      field: 'items.6',
      value: { description: 'Cervical pillow', decision: 'Overturned', quantity: '1' },
      reason: 'item missed by the parser',
      author: 'ben',
    });
    expect(made.add).toMatchObject({
      machineValue: null,
      value: { description: 'Cervical pillow', quantity: 1 },
    });
    made.addedDecision = await store.addCorrection({
      sha256: sha,
      field: 'items.6.decision',
      value: 'Upheld',
      author: 'ana',
    });
    made.l2 = await store.addCorrection({
      sha256: L2.sha256,
      field: 'caseNumber',
      value: L2.current.caseNumber,
      author: 'ana',
    });

    // Oldest first, ids increasing.
    const list = await store.listCorrections(sha);
    expect(list.map((c) => c.field)).toEqual([
      'caseNumber',
      'patient.age',
      'items.0.quantity',
      'items.5',
      'items.6',
      'items.6.decision',
    ]);
    expect(list.map((c) => c.id)).toEqual([...list.map((c) => c.id)].sort((a, b) => a - b));

    // The machine values are as they were.
    expect(await store.getRecord(sha)).toEqual(L1.old);
    expect(await raw(url, itemRows, [sha])).toEqual(machineItems);
    expect(await raw(url, letterRow, [sha])).toEqual(machineLetter);

    const corrected = await store.getCorrectedRecord(sha);
    if (!corrected) throw new Error('no corrected record');
    expect(corrected.caseNumber).toBe(L1.current.caseNumber);
    expect(corrected.patient.age).toBe(60);
    expect(corrected.items.map((i) => i.description)).toEqual([
      ...L1.old.items.slice(0, 5).map((i) => i.description),
      'Cervical pillow',
    ]);
    expect(corrected.items[0]?.quantity).toBe(7);
    expect(corrected.items[5]).toMatchObject({ decision: 'upheld', quantity: 1, raw: 'Cervical pillow' });
    expect(await store.getCorrectedRecord('0'.repeat(64))).toBeNull();

    // Who, when, which field, old and new value, why.
    const audit = await store.listAudit(sha);
    expect(audit.map((a) => a.action)).toEqual(Array(6).fill('correct'));
    expect(audit.map((a) => a.author)).toEqual(['ana', 'ana', 'ben', 'ben', 'ben', 'ana']);
    expect(audit[0]).toMatchObject({
      sha256: sha,
      createdAt: made.caseNumber.createdAt,
      detail: {
        correctionId: made.caseNumber.id,
        field: 'caseNumber',
        old: 'CM16-0000000',
        new: L1.current.caseNumber,
        machineValue: 'CM16-0000000',
        reason: 'misread digits',
      },
    });
    expect(audit[2]?.detail).toMatchObject({ field: 'items.0.quantity', old: 5, new: 7, reason: null });
    expect(audit[3]?.detail).toMatchObject({ field: 'items.5', old: L1.old.items[5], new: null });
    // The added item's decision: "old" is what the earlier correction said, "machineValue" that there was none.
    expect(audit[5]?.detail).toMatchObject({ old: 'overturned', new: 'upheld', machineValue: null });
    expect((await store.listAudit()).length).toBe(7);

    // correctLetter rewrote the per-letter export (corrections up to the added item).
    const file = await readExport(sha);
    expect(file.items.at(-1).description).toBe('Cervical pillow');
    expect(file.corrections.map((c: { field: string }) => c.field)).toContain('items.6');

    expect((await store.listReviewQueue()).find((r) => r.sha256 === sha)).toMatchObject({
      corrections: 6,
      caseNumber: L1.current.caseNumber,
    });

    // A re-save of the machine record leaves corrections, reviews and audit as they are.
    await store.saveRecord(L1.old);
    expect(await store.listCorrections(sha)).toEqual(list);
    expect((await store.listAudit()).length).toBe(7);
    expect(await store.getCorrectedRecord(sha)).toEqual(corrected);
  });

  it('refuses corrections the letter cannot take, and writes nothing for them', async () => {
    const { L1 } = letters;
    const before = [(await store.listAllCorrections()).length, (await store.listAudit()).length];
    const correction = (field: string, value: unknown, sha = L1.sha256, author = 'ana') =>
      store.addCorrection({ sha256: sha, field, value, author });
    await expect(correction('caseNumber', 'x', 'f'.repeat(64))).rejects.toMatchObject({
      name: 'ReviewInputError',
      kind: 'not_found',
    });
    await expect(correction('items.0.raw', 'x')).rejects.toMatchObject({ kind: 'invalid' });
    await expect(correction('items.40.decision', 'upheld')).rejects.toThrow(/no item 40/);
    await expect(correction('items.5', null)).rejects.toThrow(/no item 5/); // removed already
    await expect(correction('items.5.decision', 'upheld')).rejects.toThrow(/no item 5/);
    await expect(correction('decisionDate', '2016-13-01')).rejects.toMatchObject({ kind: 'invalid' });
    await expect(correction('items.0.decision', null)).rejects.toMatchObject({ kind: 'invalid' });
    await expect(correction('caseNumber', 'x', L1.sha256, ' ')).rejects.toMatchObject({ kind: 'invalid' });

    // A failed letter, and one not parsed yet.
    const failedSha = 'e'.repeat(64);
    await store.registerFile({ sha256: failedSha, path: '/inbox/bad.pdf', bytes: new Uint8Array([1, 2, 3]) });
    await store.saveRecord(failedRecord('bad.pdf', failedSha, new Error('not a PDF')));
    await expect(correction('caseNumber', 'x', failedSha)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(
      store.setReview({ sha256: failedSha, state: 'approved', author: 'ana' }),
    ).rejects.toMatchObject({ kind: 'conflict' });
    const unparsed = 'd'.repeat(64);
    await store.registerFile({ sha256: unparsed, path: '/inbox/new.pdf', bytes: new Uint8Array([4]) });
    await expect(correction('caseNumber', 'x', unparsed)).rejects.toMatchObject({ kind: 'conflict' });

    expect([(await store.listAllCorrections()).length, (await store.listAudit()).length]).toEqual(before);
  });

  it('rejects only with a reason; approval and rejection take letters out of the queue', async () => {
    const { L1, L2, L3, L5 } = letters;
    await expect(store.setReview({ sha256: L5.sha256, state: 'rejected', author: 'ana' })).rejects.toThrow(
      /reason/,
    );
    await expect(
      store.setReview({ sha256: L5.sha256, state: 'rejected', author: 'ana', reason: '  ' }),
    ).rejects.toMatchObject({ name: 'ReviewInputError' });
    await expect(store.setReview({ sha256: L5.sha256, state: 'approved', author: '' })).rejects.toThrow(
      /author/,
    );
    expect(await store.getReview(L5.sha256)).toBeNull();

    const rejected = await reviewLetter(store, env.config.exportDir, {
      sha256: L5.sha256,
      state: 'rejected',
      author: 'ana',
      reason: 'scan of the wrong letter',
    });
    expect(rejected).toMatchObject({ state: 'rejected', author: 'ana', reason: 'scan of the wrong letter' });
    expect(await store.getReview(L5.sha256)).toEqual(rejected);
    expect((await store.getDocument(L5.sha256))?.status).toBe('needs_review');
    expect(await queueShas()).not.toContain(L5.sha256);

    // The export stage wrote L2 without a case number; approval rewrites it with the correction.
    expect((await readExport(L2.sha256)).caseNumber).toBeNull();
    const approved = await approveLetter(store, env.config.exportDir, { sha256: L2.sha256, author: 'ben' });
    expect(approved).toMatchObject({ state: 'approved', author: 'ben', reason: null });
    expect((await store.getDocument(L2.sha256))?.status).toBe('done');
    const l2File = await readExport(L2.sha256);
    expect(l2File.caseNumber).toBe(L2.current.caseNumber);
    expect(l2File.corrections).toEqual([
      expect.objectContaining({
        field: 'caseNumber',
        machine: null,
        value: L2.current.caseNumber,
        author: 'ana',
      }),
    ]);
    expect((await store.listAudit(L2.sha256)).at(-1)).toMatchObject({
      action: 'approve',
      author: 'ben',
      detail: { from: 'pending', to: 'approved', reason: null },
    });

    await approveLetter(store, env.config.exportDir, {
      sha256: L1.sha256,
      author: 'ana',
      reason: 'checked twice',
    });
    expect((await store.getDocument(L1.sha256))?.status).toBe('done');
    expect(await queueShas()).toEqual([L3.sha256]);

    // Reopening puts a letter back.
    const reopened = await store.setReview({ sha256: L5.sha256, state: 'pending', author: 'ana' });
    expect(reopened.state).toBe('pending');
    expect(await queueShas()).toEqual([L5.sha256, L3.sha256]);
    expect((await store.listAudit(L5.sha256)).map((a) => [a.action, a.detail])).toEqual([
      ['reject', { from: 'pending', to: 'rejected', reason: 'scan of the wrong letter' }],
      ['reopen', { from: 'rejected', to: 'pending', reason: null }],
    ]);
    expect((await store.listReviews({ state: 'approved' })).map((r) => r.sha256)).toEqual(
      [L1.sha256, L2.sha256].sort(),
    );
    expect(await store.getReview(L3.sha256)).toBeNull();
  });

  it('exports corrected values, with the machine values beside them', async () => {
    const { L1, L3 } = letters;
    const out = join(env.root, 'export-cli');
    const result = await cli(['export', '--out', out, '--format', 'jsonl,csv'], { DATABASE_URL: url });
    expect(result.code).toBe(0);

    const lines = (await readFile(join(out, 'letters.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const l1 = lines.find((l) => l.sha256 === L1.sha256);
    expect(LetterRecordSchema.parse(l1)).toEqual(await store.getCorrectedRecord(L1.sha256));
    expect(l1.patient.age).toBe(60);
    expect(l1.corrections).toEqual([
      expect.objectContaining({ field: 'caseNumber', machine: 'CM16-0000000', value: L1.current.caseNumber }),
      expect.objectContaining({
        field: 'patient.age',
        machine: L1.current.patient.age,
        value: 60,
        author: 'ana',
      }),
      expect.objectContaining({
        field: 'items.0.quantity',
        itemIndex: 0,
        machine: 5,
        value: 7,
        author: 'ben',
      }),
      expect.objectContaining({ field: 'items.5', itemIndex: null, machine: L1.old.items[5], value: null }),
      expect.objectContaining({ field: 'items.6', itemIndex: 5, machine: null }),
      expect.objectContaining({ field: 'items.6.decision', itemIndex: 5, machine: null, value: 'upheld' }),
    ]);
    const l3 = lines.find((l) => l.sha256 === L3.sha256);
    expect(l3).toEqual(L3.old);

    const rows = parseCsv(await readFile(join(out, 'items.csv'), 'utf8'));
    expect(Object.keys(rows[0] ?? {})).toEqual([...ITEM_COLUMNS]);
    const l1Rows = rows.filter((r) => r.sha256 === L1.sha256);
    expect(l1Rows.map((r) => r.description)).toEqual(l1.items.map((i: Item) => i.description));
    expect(l1Rows.every((r) => r.patient_age === '60' && r.case_number === L1.current.caseNumber)).toBe(true);
    expect(l1Rows[0]).toMatchObject({
      quantity: '7',
      corrected_fields: 'caseNumber; patient.age; item.quantity',
    });
    expect(l1Rows[1]?.corrected_fields).toBe('caseNumber; patient.age');
    expect(l1Rows[5]).toMatchObject({
      item_index: '5',
      description: 'Cervical pillow',
      decision: 'upheld',
      quantity: '1',
      corrected_fields: 'caseNumber; patient.age; item; item.decision',
    });
    expect(rows.filter((r) => r.sha256 === L3.sha256).every((r) => r.corrected_fields === '')).toBe(true);
  });

  it('exports the gold set as PDF + label pairs that bench:accuracy reads and the corrected records match', async () => {
    const { L1, L2 } = letters;
    const gold = join(env.root, 'gold');
    const first = await cli(['gold', 'export', gold], { DATABASE_URL: url });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('2 approved letter(s)');
    await writeFile(join(gold, 'stale-0123456789ab.json'), '{}');
    await writeFile(join(gold, 'notes.txt'), 'kept');
    expect((await cli(['gold', 'export', gold], { DATABASE_URL: url })).stderr).toContain(
      '1 stale file(s) removed',
    );

    const names = (await readdir(gold)).sort();
    const expected = [L1, L2].flatMap((l) => {
      const stem = `${l.current.caseNumber}-${l.sha256.slice(0, 12)}`;
      return [`${stem}.json`, `${stem}.pdf`];
    });
    expect(names).toEqual([...expected, 'notes.txt'].sort());

    // Read as scripts/bench-accuracy.ts does: each PDF with the label JSON of the same name.
    const parsed: { file: string; label: Label; record: LetterRecord }[] = [];
    const truth: { file: string; label: Label; record: LetterRecord }[] = [];
    for (const f of names.filter((n) => n.endsWith('.pdf'))) {
      const label = Label.parse(JSON.parse(await readFile(join(gold, f.replace(/\.pdf$/, '.json')), 'utf8')));
      const bytes = new Uint8Array(await readFile(join(gold, f)));
      const letter = [L1, L2].find((l) => l.sha256 === sha256(bytes));
      if (!letter) throw new Error(`unknown bytes in ${f}`);
      const corrected = await store.getCorrectedRecord(letter.sha256);
      if (!corrected) throw new Error('no corrected record');
      truth.push({ file: f, label, record: corrected });
      parsed.push({ file: f, label, record: (await processPdf(f, bytes)).record });
    }
    // The corrected records are the truth: 100%.
    const perfect = scoreRecords(truth);
    expect(perfect.misses).toEqual([]);
    expect(totals(perfect).accuracy).toBe(1);
    // The parser misses exactly where QA corrected what it reads (L2's case number it reads right).
    const l1File = `${L1.current.caseNumber}-${L1.sha256.slice(0, 12)}.pdf`;
    const misses = scoreRecords(parsed).misses;
    expect(new Set(misses.map((m) => m.file))).toEqual(new Set([l1File]));
    expect(misses.map((m) => m.field.replace(/#\d+$/, ''))).toEqual(
      expect.arrayContaining(['patient.age', 'item.quantity', 'item.description']),
    );
    expect(misses.find((m) => m.field === 'patient.age')).toMatchObject({ expected: 60, actual: 59 });
  });

  it('reprocess after a parser bump keeps corrections, flags the one the parser now disagrees with, reopens', async () => {
    const { L1, L2, L4 } = letters;
    const correctionsBefore = await store.listAllCorrections();
    const auditBefore = (await store.listAudit()).length;
    const result = await cli(['reprocess', '--all'], {
      DATABASE_URL: url,
      IMR_EXPORT_DIR: env.config.exportDir,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('1 correction(s) newly disputed, 1 approved letter(s) reopened');

    expect(await store.listAllCorrections()).toEqual(correctionsBefore);
    const machine = await store.getRecord(L1.sha256);
    expect(machine?.parserVersion).toBe(PARSER_VERSION);
    expect(machine?.items[0]?.quantity).toBeNull(); // what this parser reads: neither 5 nor 7
    expect(machine?.mismatches.filter((m) => m.code === 'correction_disagrees')).toEqual([
      expect.objectContaining({ field: 'items.0.quantity', severity: 'warning' }),
    ]);
    expect(machine?.mismatches.filter((m) => m.code !== 'correction_disagrees')).toEqual(
      L1.current.mismatches,
    );
    const corrected = await store.getCorrectedRecord(L1.sha256);
    expect(corrected?.items[0]?.quantity).toBe(7);
    expect(corrected?.patient.age).toBe(60);

    const added = (await store.listAudit()).slice(auditBefore);
    expect(added.map((a) => [a.sha256, a.action, a.author])).toEqual([
      [L1.sha256, 'reprocess', null],
      [L1.sha256, 'reopen', null],
    ]);
    expect(added[0]?.detail).toEqual({
      parserVersion: PARSER_VERSION,
      correctionId: made.quantity?.id,
      field: 'items.0.quantity',
      machineValue: 5,
      value: 7,
      newValue: null,
    });
    expect(await store.getReview(L1.sha256)).toMatchObject({ state: 'pending', author: null });
    expect((await store.getDocument(L1.sha256))?.status).toBe('needs_review');
    expect(await queueShas({ code: 'correction_disagrees' })).toEqual([L1.sha256]);
    expect((await store.reviewCodeCounts()).correction_disagrees).toBe(1);
    // The per-letter export: new machine record, corrections applied.
    expect(await readExport(L1.sha256)).toMatchObject({
      parserVersion: PARSER_VERSION,
      items: expect.arrayContaining([expect.objectContaining({ quantity: 7 })]),
    });

    // L2: its correction agrees with the new parser: still approved, still done.
    expect((await store.getRecord(L2.sha256))?.mismatches).toEqual(L2.current.mismatches);
    expect(await store.getReview(L2.sha256)).toMatchObject({ state: 'approved' });
    expect((await store.getDocument(L2.sha256))?.status).toBe('done');
    expect((await store.getDocument(L4.sha256))?.status).toBe(docStatusFor(L4.current, null));

    // The old parser's records were kept, once per letter.
    const kept = await raw(url, 'select sha256, parser_version from record_versions order by sha256');
    expect(kept).toEqual(
      Object.values(letters)
        .map((l) => ({ sha256: l.sha256, parser_version: OLD }))
        .sort((a, b) => a.sha256.localeCompare(b.sha256)),
    );

    // The same disagreement again (the parse stage this time): still flagged, not audited again.
    await parseStage(L1.sha256, deps);
    await exportStage(L1.sha256, deps);
    expect((await store.listAudit()).length).toBe(auditBefore + 2);
    expect(
      (await store.getRecord(L1.sha256))?.mismatches.filter((m) => m.code === 'correction_disagrees'),
    ).toHaveLength(1);
    expect((await store.getDocument(L1.sha256))?.status).toBe('needs_review');

    // QA looks again and approves: a further re-parse that reads the same leaves it approved.
    await approveLetter(store, env.config.exportDir, { sha256: L1.sha256, author: 'ana' });
    await parseStage(L1.sha256, deps);
    await exportStage(L1.sha256, deps);
    expect(await store.getReview(L1.sha256)).toMatchObject({ state: 'approved' });
    expect((await store.getDocument(L1.sha256))?.status).toBe('done');
    expect((await store.listAudit()).slice(auditBefore).map((a) => a.action)).toEqual([
      'reprocess',
      'reopen',
      'approve',
    ]);
  });

  it('scores each parser version against the gold set as bench:accuracy does', async () => {
    const scores = await store.goldScores();
    expect(scores.map((s) => [s.parserVersion, s.letters])).toEqual([
      [OLD, 2],
      [PARSER_VERSION, 2],
    ]);
    const [old, current] = scores;
    if (!old || !current) throw new Error('scores');
    expect(current.fields).toBe(old.fields);
    // The old parser also misread both case numbers.
    expect(old.correct).toBe(current.correct - 2);
    expect(current.accuracy).toBeLessThan(1);
    expect(current.accuracy).toBeCloseTo(current.correct / current.fields, 10);

    const json = await cli(['gold', 'scores', '--json'], { DATABASE_URL: url });
    expect(JSON.parse(json.stdout)).toEqual(scores);

    // The real script on the exported gold set, with this parser: the same numbers.
    const gold = join(env.root, 'gold-now');
    expect((await cli(['gold', 'export', gold], { DATABASE_URL: url })).code).toBe(0);
    const bench = await run(
      process.execPath,
      [join(ROOT, 'bin/run.js'), 'scripts/bench-accuracy.ts', gold, '--json', '--ocr', 'never'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(bench.stdout) as { letters: number; correct: number; total: number };
    expect(report).toMatchObject({ letters: 2, correct: current.correct, total: current.fields });
  }, 120_000);
});
