import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { LetterRecord } from '../../schemas/letter.js';
import type { TextDocument } from '../../schemas/text.js';
import { sha256 } from '../../src/hash.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { createStore } from '../../src/store/create-store.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/store.js';
import { parseStoreUrl } from '../../src/store/url.js';
import { generateLetterPdf } from '../../src/synth/index.js';

const PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Letter {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  record: LetterRecord;
  text: TextDocument;
}

/** Real letters through the real pipeline: synthetic PDFs, extracted and parsed. */
async function makeLetter(seed: number): Promise<Letter> {
  const { pdf } = await generateLetterPdf(seed);
  const path = `/inbox/letter-${seed}.pdf`;
  const { record, text } = await processPdf(path, pdf);
  if (!text) throw new Error(`seed ${seed}: no text`);
  return { path, bytes: pdf, sha256: sha256(pdf), record, text };
}

/** One database engine under test: a fresh database, and a raw client that bypasses the store. */
interface Backend {
  name: 'sqlite' | 'postgres';
  /** A URL to a new, empty database. */
  fresh(label: string): Promise<string>;
  /** Raw SQL against a database made by `fresh` (`?` placeholders). */
  query(url: string, text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  let dir: string | null = null;
  return {
    name: 'sqlite',
    async fresh(label) {
      dir ??= await mkdtemp(join(tmpdir(), 'imr-store-'));
      // In a subfolder that does not exist yet: the store creates it.
      return `sqlite:${join(dir, label, 'imr.sqlite')}`;
    },
    async query(url, text, params = []) {
      const target = parseStoreUrl(url);
      if (target.dialect !== 'sqlite') throw new Error('not sqlite');
      const db = new SqliteDatabase(target.path);
      try {
        const stmt = db.prepare(text);
        if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
        stmt.run(...params);
        return [];
      } finally {
        db.close();
      }
    },
    async cleanup() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Each test file gets its own databases (CREATE DATABASE imr_test_<random>), dropped at the end. */
function postgresBackend(): Backend {
  const created: string[] = [];
  const pools = new Map<string, pg.Pool>();
  const prefix = `imr_test_${randomBytes(6).toString('hex')}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    async fresh(label) {
      const name = `${prefix}_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;
      await admin(`CREATE DATABASE ${name}`);
      created.push(name);
      return `postgres://postgres@127.0.0.1:5432/${name}`;
    },
    async query(url, text, params = []) {
      let pool = pools.get(url);
      if (!pool) {
        pool = new pg.Pool({ connectionString: url, max: 2 });
        // An idle connection closed by the server is not a test failure: the next query reports it.
        pool.on('error', () => undefined);
        pools.set(url, pool);
      }
      let n = 0;
      const result = await pool.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      );
      return result.rows as Record<string, unknown>[];
    },
    async cleanup() {
      for (const pool of pools.values()) await pool.end();
      for (const name of created) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

let letters: Letter[];
beforeAll(async () => {
  // 2: six items, citations on both sides; 3: one item and a mismatch; 202: fdl-2015, 13 items.
  letters = await Promise.all([2, 3, 202].map(makeLetter));
});

/** Runs `count` processes at once that each migrate a store at `url` and register the same bytes. */
async function raceProcesses(url: string, bytes: Uint8Array, count: number, workDir: string) {
  const bytesFile = join(workDir, 'letter.pdf');
  await writeFile(bytesFile, bytes);
  const script = join(workDir, 'register.mts');
  await writeFile(
    script,
    `import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
const [modulePath, url, bytesFile, path, startAt] = process.argv.slice(2);
const { createStore } = await import(modulePath);
const bytes = new Uint8Array(await readFile(bytesFile));
const store = createStore(url);
await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
await store.migrate();
const sha256 = createHash('sha256').update(bytes).digest('hex');
const result = await store.registerFile({ sha256, path, bytes });
await store.close();
process.stdout.write(JSON.stringify({ isNew: result.isNew, duplicateFile: result.duplicateFile }));
`,
  );
  const startAt = Date.now() + 2500;
  const outputs = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      run(
        process.execPath,
        [
          join(ROOT, 'bin/run.js'),
          script,
          join(ROOT, 'src/store/create-store.ts'),
          url,
          bytesFile,
          `/inbox/copy-${i}.pdf`,
          String(startAt),
        ],
        { cwd: ROOT },
      ),
    ),
  );
  return outputs.map((o) => JSON.parse(o.stdout) as { isNew: boolean; duplicateFile: boolean });
}

describe.each([{ make: sqliteBackend }, { make: postgresBackend }])('store', ({ make }) => {
  const backend = make();
  let url: string;
  let store: Store;
  const query = (text: string, params?: unknown[]) => backend.query(url, text, params);
  const count = async (table: string, sha: string) =>
    Number((await query(`select count(*) as n from ${table} where sha256 = ?`, [sha]))[0]?.n);

  beforeAll(async () => {
    url = await backend.fresh('main');
    store = createStore(url);
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
    await backend.cleanup();
  });

  describe(backend.name, () => {
    it('has the dialect of its URL and migrates again without change', async () => {
      expect(store.dialect).toBe(backend.name);
      await store.migrate();
      await store.migrate();
      const versions = await query('select version from schema_version order by version');
      expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
      expect(MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('applies a migration recorded below the newest one (written side by side, landed out of order)', async () => {
      // As if version 6 had landed after 7 was applied here: its row is missing, later ones are present.
      await query('delete from schema_version where version = 6');
      await store.migrate();
      const versions = await query('select version from schema_version order by version');
      expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
    });

    it('registers new bytes, a duplicate file, and ignores the same path', async () => {
      const [letter] = letters;
      if (!letter) throw new Error('no letter');
      const first = await store.registerFile({
        sha256: letter.sha256,
        path: letter.path,
        bytes: letter.bytes,
      });
      expect(first.isNew).toBe(true);
      expect(first.duplicateFile).toBe(false);
      expect(first.document).toMatchObject({
        sha256: letter.sha256,
        fileName: 'letter-2.pdf',
        status: 'queued',
        bytes: letter.bytes.byteLength,
        pages: null,
        errorCode: null,
      });
      expect(await store.getBytes(letter.sha256)).toEqual(new Uint8Array(letter.bytes));
      expect(await store.getDocument(letter.sha256)).toEqual(first.document);

      const copy = await store.registerFile({
        sha256: letter.sha256,
        path: '/inbox/copy.pdf',
        bytes: letter.bytes,
      });
      expect(copy).toMatchObject({ isNew: false, duplicateFile: true });
      expect(copy.document.fileName).toBe('letter-2.pdf');

      const again = await store.registerFile({
        sha256: letter.sha256,
        path: letter.path,
        bytes: letter.bytes,
      });
      expect(again).toMatchObject({ isNew: false, duplicateFile: false });

      const files = (await store.listFiles()).filter((f) => f.sha256 === letter.sha256);
      expect(files.map((f) => [f.path, f.duplicate])).toEqual([
        [letter.path, false],
        ['/inbox/copy.pdf', true],
      ]);
      expect(await count('documents', letter.sha256)).toBe(1);
      expect(await count('blobs', letter.sha256)).toBe(1);
    });

    it('registers the same bytes from concurrent calls and two stores as one document', async () => {
      const letter = letters[1];
      if (!letter) throw new Error('no letter');
      const other = createStore(url);
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? store : other).registerFile({
              sha256: letter.sha256,
              path: i < 6 ? `/inbox/race-${i}.pdf` : '/inbox/race-same.pdf',
              bytes: letter.bytes,
            }),
          ),
        );
        expect(results.filter((r) => r.isNew)).toHaveLength(1);
        expect(results.filter((r) => r.duplicateFile)).toHaveLength(6);
      } finally {
        await other.close();
      }
      expect(await count('documents', letter.sha256)).toBe(1);
      expect(await count('blobs', letter.sha256)).toBe(1);
      expect(await count('files', letter.sha256)).toBe(7);
      expect(await store.getBytes(letter.sha256)).toEqual(new Uint8Array(letter.bytes));
    });

    it('stores page text and gives it back', async () => {
      const letter = letters[0];
      if (!letter) throw new Error('no letter');
      expect(await store.getText(letter.sha256)).toBeNull();
      await store.saveText(letter.sha256, letter.text);
      await store.saveText(letter.sha256, letter.text);
      expect(await store.getText(letter.sha256)).toEqual(letter.text);
      expect(await count('page_texts', letter.sha256)).toBe(letter.text.pages.length);
      expect(await store.getDocument(letter.sha256)).toMatchObject({
        status: 'extracted',
        pages: letter.text.pages.length,
        textSource: 'text-layer',
      });
      await expect(store.saveText('f'.repeat(64), letter.text)).rejects.toThrow(/no document/);
    });

    it('saves text, record and a terminal status in one call', async () => {
      const letter = letters[1];
      if (!letter) throw new Error('no letter');
      await expect(
        store.saveRecord({ ...letter.record, sha256: 'e'.repeat(64) }, { text: letter.text, status: 'done' }),
      ).rejects.toThrow(/no document/);
      expect(await count('page_texts', 'e'.repeat(64))).toBe(0);
      await store.saveRecord(letter.record, { text: letter.text, status: 'done' });
      expect(await store.getText(letter.sha256)).toEqual(letter.text);
      expect(await store.getRecord(letter.sha256)).toEqual(letter.record);
      expect(await store.getDocument(letter.sha256)).toMatchObject({
        status: 'done',
        pages: letter.text.pages.length,
      });
    });

    it('keeps OCR page results until the last is in, then joins them once', async () => {
      const letter = letters[2];
      if (!letter) throw new Error('no letter');
      // A database of its own: the counts of the shared one are checked below.
      const store = createStore(await backend.fresh('ocr-join'));
      await store.migrate();
      onTestFinished(() => store.close());
      const bytes = new Uint8Array(randomBytes(64));
      const sha = sha256(bytes);
      await store.registerFile({ sha256: sha, path: `/backfill/${sha}.pdf`, bytes, priority: 100 });
      expect((await store.getDocument(sha))?.priority).toBe(100);
      const pages = letter.text.pages;
      const wanted = pages.map((p) => p.page);
      const layer = { pages: pages.map((p) => ({ ...p, text: '', lines: [] })) };
      await store.saveTextLayer(sha, layer, wanted);
      expect(await store.getDocument(sha)).toMatchObject({ status: 'extracting', textSource: 'text-layer' });
      expect(await store.ocrPagesState(sha)).toEqual({ wanted, done: [] });
      expect(await store.joinOcrPages(sha)).toEqual({ kind: 'missing', pages: wanted });

      const ocrd = pages.map((p) => ({ ...p, source: 'ocr' as const }));
      const last = ocrd.at(-1)!;
      for (const [i, p] of ocrd.slice(0, -1).entries()) {
        const saved = await store.saveOcrPage(sha, p.page, { text: p });
        expect(saved).toEqual({ stored: true, missing: wanted.slice(i + 1) });
      }
      // A page job run twice: the first result stays.
      const again = await store.saveOcrPage(sha, ocrd[0]!.page, { text: { ...ocrd[0]!, text: 'other' } });
      expect(again).toEqual({ stored: false, missing: [last.page] });
      // The extract stage run again (its worker died) keeps the pages already read.
      await store.saveTextLayer(sha, layer, wanted);
      expect((await store.ocrPagesState(sha)).done).toEqual(wanted.slice(0, -1));
      expect(await store.saveOcrPage(sha, last.page, { text: last })).toEqual({ stored: true, missing: [] });

      expect(await store.joinOcrPages(sha)).toEqual({ kind: 'joined' });
      expect(await store.getText(sha)).toEqual({ pages: ocrd });
      expect(await store.getDocument(sha)).toMatchObject({ status: 'extracted', textSource: 'ocr' });
      expect(await count('ocr_pages', sha)).toBe(0);
      expect(await store.ocrPagesState(sha)).toEqual({ wanted: [], done: [] });
      // Joined once: a second join changes nothing.
      expect(await store.joinOcrPages(sha)).toEqual({ kind: 'joined' });
      expect(await store.getText(sha)).toEqual({ pages: ocrd });
    });

    it('fails the join with the error of a page that could not be read', async () => {
      const letter = letters[2];
      if (!letter) throw new Error('no letter');
      const store = createStore(await backend.fresh('ocr-fail'));
      await store.migrate();
      onTestFinished(() => store.close());
      const bytes = new Uint8Array(randomBytes(64));
      const sha = sha256(bytes);
      await store.registerFile({ sha256: sha, path: `/inbox/${sha}.pdf`, bytes });
      expect((await store.getDocument(sha))?.priority).toBe(0);
      const page = letter.text.pages[0]!;
      await store.saveTextLayer(sha, { pages: [page, { ...page, page: 2 }] }, [1, 2]);
      await store.saveOcrPage(sha, 2, { error: { code: 'ocr_timeout', message: 'page 2: too slow' } });
      await store.saveOcrPage(sha, 1, { text: { ...page, source: 'ocr' } });
      expect(await store.joinOcrPages(sha)).toEqual({
        kind: 'failed',
        error: { code: 'ocr_timeout', message: 'page 2: too slow' },
      });
      expect((await store.getDocument(sha))?.status).toBe('extracting');
    });

    it('saves a record twice to the same rows and gives it back', async () => {
      const letter = letters[0];
      if (!letter) throw new Error('no letter');
      const { record } = letter;
      const citations = record.items.reduce(
        (n, i) =>
          n +
          (i.claimsAdministratorGuideline?.citations.length ?? 0) +
          (i.maximusGuideline?.citations.length ?? 0),
        0,
      );
      expect(record.items.length).toBeGreaterThan(1);
      expect(citations).toBeGreaterThan(record.items.length);

      const rows = async () => ({
        letters: await count('letters', record.sha256),
        items: await count('items', record.sha256),
        citations: await count('citations', record.sha256),
        mismatches: await count('mismatches', record.sha256),
        provenance: await count('provenance', record.sha256),
      });
      await store.saveRecord(record);
      const once = await rows();
      await store.saveRecord(record);
      expect(await rows()).toEqual(once);
      expect(once).toEqual({
        letters: 1,
        items: record.items.length,
        citations,
        mismatches: record.mismatches.length,
        provenance: Object.keys(record.provenance).length,
      });

      expect(await store.getRecord(record.sha256)).toEqual(record);
      expect(await store.getRecord('0'.repeat(64))).toBeNull();
      expect(await store.getDocument(record.sha256)).toMatchObject({
        status: 'parsed',
        layout: record.layout,
        parserVersion: record.parserVersion,
      });

      const item = record.items[0];
      if (!item) throw new Error('no item');
      const [stored] = await query('select * from items where sha256 = ? and idx = 0', [record.sha256]);
      expect(stored).toMatchObject({
        description: item.description,
        decision: item.decision,
        raw: item.raw,
        ca_raw: item.claimsAdministratorGuideline?.raw ?? null,
        mx_raw: item.maximusGuideline?.raw ?? null,
      });
      const [letterRow] = await query('select * from letters where sha256 = ?', [record.sha256]);
      expect(letterRow).toMatchObject({
        case_number: record.caseNumber,
        decision_date: record.decisionDate,
        status: record.status,
        licensure_json: JSON.stringify(record.reviewer.licensure),
      });
      const parties = await query('select distinct party from citations where sha256 = ? order by party', [
        record.sha256,
      ]);
      expect(parties.map((p) => p.party)).toEqual(['claims_administrator', 'maximus']);
    });

    it('replaces machine values when a record changes, and never touches corrections', async () => {
      const letter = letters[0];
      if (!letter) throw new Error('no letter');
      const { record } = letter;
      await store.saveRecord(record);
      await query(
        'insert into corrections (sha256, field, machine_value_json, value_json, reason, author, created_at) values (?, ?, ?, ?, ?, ?, ?)',
        [
          record.sha256,
          'caseNumber',
          JSON.stringify(record.caseNumber),
          '"CM00-0000001"',
          'typo',
          'qa',
          'now',
        ],
      );
      const fewer: LetterRecord = {
        ...record,
        items: record.items.slice(0, 1),
        mismatches: [],
        provenance: {},
      };
      await store.saveRecord(fewer);
      expect(await count('items', record.sha256)).toBe(1);
      expect(await count('mismatches', record.sha256)).toBe(0);
      expect(await count('provenance', record.sha256)).toBe(0);
      expect(await store.getRecord(record.sha256)).toEqual(fewer);
      const corrections = await query('select field, value_json, author from corrections where sha256 = ?', [
        record.sha256,
      ]);
      expect(corrections).toEqual([{ field: 'caseNumber', value_json: '"CM00-0000001"', author: 'qa' }]);
      await store.saveRecord(record);
      expect(await count('corrections', record.sha256)).toBe(1);
      expect(await store.getRecord(record.sha256)).toEqual(record);
    });

    it('saves a failed record with its error, kept by setStatus(failed)', async () => {
      const letter = letters[1];
      if (!letter) throw new Error('no letter');
      const failed: LetterRecord = {
        ...letter.record,
        status: 'failed',
        error: { code: 'ocr_timeout', message: 'page 2 took too long' },
        items: [],
        mismatches: [],
        provenance: {},
      };
      await store.saveRecord(failed);
      expect(await store.getDocument(failed.sha256)).toMatchObject({
        status: 'failed',
        errorCode: 'ocr_timeout',
        errorMessage: 'page 2 took too long',
      });
      await store.setStatus(failed.sha256, 'failed');
      expect((await store.getDocument(failed.sha256))?.errorCode).toBe('ocr_timeout');
      await store.setStatus(failed.sha256, 'queued');
      expect(await store.getDocument(failed.sha256)).toMatchObject({ status: 'queued', errorCode: null });
      await store.setStatus(failed.sha256, 'failed', { code: 'corrupt_pdf', message: 'bad xref' });
      expect(await store.getDocument(failed.sha256)).toMatchObject({
        status: 'failed',
        errorCode: 'corrupt_pdf',
      });
      expect(await store.getRecord(failed.sha256)).toEqual(failed);
      await expect(store.saveRecord({ ...failed, sha256: 'e'.repeat(64) })).rejects.toThrow(/no document/);
    });

    it('lists records, documents and counts by status', async () => {
      const letter = letters[2];
      if (!letter) throw new Error('no letter');
      await store.registerFile({ sha256: letter.sha256, path: letter.path, bytes: letter.bytes });
      await store.saveText(letter.sha256, letter.text);
      await store.saveRecord(letter.record);
      await store.setStatus(letter.sha256, 'needs_review');

      const records = await store.listRecords();
      expect(records.map((r) => r.sha256)).toEqual(
        [letters[0], letters[1], letter].map((l) => l?.sha256).sort(),
      );
      expect(records.find((r) => r.sha256 === letter.sha256)).toEqual(letter.record);

      const counts = await store.counts();
      expect(counts).toEqual({
        queued: 0,
        extracting: 0,
        extracted: 0,
        parsed: 1,
        done: 0,
        needs_review: 1,
        failed: 1,
      });
      expect((await store.listDocuments()).length).toBe(3);
      expect((await store.listDocuments(['needs_review'])).map((d) => d.sha256)).toEqual([letter.sha256]);
      expect((await store.listDocuments(['parsed', 'failed'])).length).toBe(2);
      expect(await store.listDocuments([])).toEqual([]);
    });

    it('lists unsettled files and settles them', async () => {
      const before = await store.listFiles({ unsettled: true });
      expect(before.length).toBe((await store.listFiles()).length);
      const [first, second] = before;
      if (!first || !second) throw new Error('expected files');
      expect(first.id).toBeTypeOf('number');
      await store.markFileSettled(first.id, '/archive/letter.pdf');
      const after = await store.listFiles({ unsettled: true });
      expect(after.map((f) => f.id)).toEqual(before.slice(1).map((f) => f.id));
      const all = await store.listFiles();
      expect(all.find((f) => f.id === first.id)?.settledTo).toBe('/archive/letter.pdf');
      expect(all.find((f) => f.id === second.id)?.settledTo).toBeNull();
    });

    it('closes more than once', async () => {
      const other = createStore(url);
      await other.migrate();
      await Promise.all([other.close(), other.close()]);
      await other.close();
    });

    it('survives several processes migrating and registering the same bytes at once', async () => {
      const letter = letters[0];
      if (!letter) throw new Error('no letter');
      const raceUrl = await backend.fresh('race');
      const work = await mkdtemp(join(tmpdir(), 'imr-race-'));
      try {
        const results = await raceProcesses(raceUrl, letter.bytes, 4, work);
        expect(results.filter((r) => r.isNew)).toHaveLength(1);
        expect(results.filter((r) => r.duplicateFile)).toHaveLength(3);
        const docs = await backend.query(raceUrl, 'select count(*) as n from documents');
        expect(Number(docs[0]?.n)).toBe(1);
        const files = await backend.query(raceUrl, 'select count(*) as n from files');
        expect(Number(files[0]?.n)).toBe(4);
        const versions = await backend.query(raceUrl, 'select version from schema_version');
        expect(versions).toHaveLength(MIGRATIONS.length);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }, 120_000);
  });
});
