import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../schemas/document.js';
import { silentLogger } from '../../src/logger.js';
import { writeExports } from '../../src/pipeline/export/index.js';
import { TesseractPool } from '../../src/pipeline/extract/tesseract-pool.js';
import { PARSER_VERSION } from '../../src/pipeline/parse/parse-letter.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { scanPdf } from '../../src/synth/scan.js';
import { imr } from '../../workers/imr.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { createTestEnv, deleteQueueKeys, filesIn, type TestEnv, waitFor } from '../helpers/pipeline-env.js';
import { storeEnv } from '../helpers/processes.js';

const PARTS = { workers: true, watcher: true, server: false };
let env: TestEnv | null = null;
let pipeline: Pipeline | null = null;

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = null;
  await env?.cleanup();
  env = null;
});

async function allSettled(p: Pipeline): Promise<boolean> {
  return (
    (await filesIn(p.config.inbox.dir)).length === 0 &&
    (await p.store.listFiles({ unsettled: true })).length === 0
  );
}

describe.each(['sqlite', 'postgres'] as const)('pipeline on %s', (db) => {
  it('takes a mixed batch from the inbox to one terminal state per file and one record per document', async () => {
    env = await createTestEnv(db);
    const inbox = env.config.inbox.dir;
    const letters = await Promise.all(
      [11, 12, 13, 14].map((seed) => generateLetterPdf(seed, { layout: 'fdl-2016' })),
    );
    for (const [i, l] of letters.entries()) await writeFile(join(inbox, `letter-${i}.pdf`), l.pdf);
    await writeFile(
      join(inbox, 'scanned.pdf'),
      await scanPdf((await generateLetterPdf(15, { items: 1 })).pdf),
    );
    await writeFile(join(inbox, 'copy of letter-0.pdf'), letters[0]!.pdf);
    await writeFile(join(inbox, 'notes.pdf'), 'meeting notes, not a PDF\n');

    pipeline = await startPipeline(env.config, PARTS, silentLogger());
    const p = pipeline;
    await waitFor(() => allSettled(p), 120_000, 'every inbox file settled');

    const docs = await p.store.listDocuments();
    expect(docs).toHaveLength(6); // 4 text + 1 scanned + 1 bad; the copy is linked, not redone
    expect(docs.every((d) => TERMINAL_STATUSES.includes(d.status))).toBe(true);
    expect(docs.filter((d) => d.status === 'failed').map((d) => d.errorCode)).toEqual(['not_pdf']);
    const files = await p.store.listFiles();
    expect(files).toHaveLength(7);
    expect(files.filter((f) => f.duplicate)).toHaveLength(1);

    expect(await filesIn(env.config.inbox.archiveDir)).toHaveLength(6);
    const quarantined = await filesIn(env.config.inbox.quarantineDir);
    expect(quarantined).toEqual(['notes.pdf', 'notes.pdf.error.json']);
    const error = JSON.parse(
      await readFile(join(env.config.inbox.quarantineDir, 'notes.pdf.error.json'), 'utf8'),
    );
    expect(error).toMatchObject({ code: 'not_pdf' });

    const records = await p.store.listRecords();
    expect(records.filter((r) => r.status !== 'failed')).toHaveLength(5);
    for (const l of letters) {
      const r = records.find((x) => x.caseNumber === l.label.caseNumber);
      expect(r?.items.map((i) => i.decision)).toEqual(l.label.items.map((i) => i.decision));
    }
    expect(records.find((r) => r.textSource === 'ocr')).toBeDefined();

    const out = join(env.root, 'export');
    await writeExports(records, out, ['csv', 'jsonl']);
    const csv = (await readFile(join(out, 'items.csv'), 'utf8')).trim().split('\n');
    const items = records.reduce((n, r) => n + Math.max(1, r.items.length), 0);
    expect(csv.length - 1).toBe(items);
    expect((await filesIn(join(env.config.exportDir, 'records'))).length).toBe(5);
  });

  it('reads a file written in chunks once, after it is complete', async () => {
    env = await createTestEnv(db, { stableMs: 1500 });
    pipeline = await startPipeline(env.config, PARTS, silentLogger());
    const p = pipeline;
    const { pdf, label } = await generateLetterPdf(21);
    const path = join(env.config.inbox.dir, 'slow.pdf');
    const third = Math.ceil(pdf.byteLength / 3);
    await writeFile(path, pdf.subarray(0, third));
    for (const n of [2, 3]) {
      await new Promise((r) => setTimeout(r, 1000));
      await writeFile(path, pdf.subarray((n - 1) * third, n * third), { flag: 'a' });
    }
    await waitFor(() => allSettled(p), 60_000, 'the slow file settled');
    const docs = await p.store.listDocuments();
    expect(docs).toHaveLength(1);
    expect(docs[0]!.bytes).toBe(pdf.byteLength);
    expect(docs[0]!.status).not.toBe('failed');
    expect((await p.store.listRecords())[0]!.caseNumber).toBe(label.caseNumber);
    expect(await p.store.listFiles()).toHaveLength(1);
  });

  it('loses nothing and doubles nothing when Redis is emptied mid-batch and the workers restart', async () => {
    env = await createTestEnv(db);
    const inbox = env.config.inbox.dir;
    const total = 30;
    for (let seed = 31; seed < 31 + total; seed++) {
      await writeFile(
        join(inbox, `l-${seed}.pdf`),
        (await generateLetterPdf(seed, { layout: 'fdl-2016' })).pdf,
      );
    }
    pipeline = await startPipeline(env.config, PARTS, silentLogger());
    const first = pipeline;
    const finished = async () => {
      const c = await first.store.counts();
      return c.done + c.needs_review + c.failed;
    };
    await waitFor(async () => (await finished()) >= 3, 60_000, 'a few letters done');
    expect(await finished()).toBeLessThan(total - 5);
    // Mid-batch: stop the workers, and empty Redis of every key of this pipeline, whatever state the jobs were in.
    await first.shutdown();
    pipeline = null;
    await deleteQueueKeys(env.config.queuePrefix);

    pipeline = await startPipeline(env.config, PARTS, silentLogger());
    const second = pipeline;
    await waitFor(
      async () => (await second.store.listFiles()).length === total && (await allSettled(second)),
      120_000,
      'every inbox file settled after the restart',
    );
    const docs = await second.store.listDocuments();
    expect(docs).toHaveLength(total);
    expect(docs.every((d) => d.status === 'done' || d.status === 'needs_review')).toBe(true);
    expect(await second.store.listFiles()).toHaveLength(total);
    expect(await filesIn(env.config.inbox.archiveDir)).toHaveLength(total);
    expect(await second.store.listRecords()).toHaveLength(total);
    expect(await filesIn(join(env.config.exportDir, 'records'))).toHaveLength(total);
  });

  it('imr ingest queues a folder without a watcher and waits until each file is done', async () => {
    env = await createTestEnv(db);
    const dir = join(env.root, 'batch');
    await mkdir(dir);
    for (const seed of [51, 52, 53])
      await writeFile(join(dir, `b-${seed}.pdf`), (await generateLetterPdf(seed)).pdf);
    await writeFile(join(dir, 'b-51-again.pdf'), (await generateLetterPdf(51)).pdf);
    pipeline = await startPipeline(
      env.config,
      { workers: true, watcher: false, server: false },
      silentLogger(),
    );
    let progress = '';
    const sink = new Writable({
      write: (chunk, _e, done) => {
        progress += String(chunk);
        done();
      },
    });
    const code = await imr(['ingest', dir], {
      stdout: sink,
      stderr: sink,
      env: storeEnv(env.config),
    });
    expect(code).toBe(0);
    expect(progress).toContain('4 file(s), 3 distinct document(s) queued');
    expect(progress).toMatch(/3\/3 finished: done \d/);
    const docs = await pipeline.store.listDocuments();
    expect(docs).toHaveLength(3);
    expect(docs.every((d) => d.status === 'done' || d.status === 'needs_review')).toBe(true);
    expect(await pipeline.store.listFiles()).toHaveLength(4);
  });

  it('reprocesses every letter from stored text, with no OCR', async () => {
    env = await createTestEnv(db);
    await writeFile(
      join(env.config.inbox.dir, 'scan.pdf'),
      await scanPdf((await generateLetterPdf(41, { items: 1 })).pdf),
    );
    await writeFile(join(env.config.inbox.dir, 'text.pdf'), (await generateLetterPdf(42)).pdf);
    pipeline = await startPipeline(env.config, PARTS, silentLogger());
    const p = pipeline;
    await waitFor(() => allSettled(p), 120_000, 'both settled');
    const before = await p.store.listRecords();
    // As if an older parser had written them.
    for (const r of before) await p.store.saveRecord({ ...r, parserVersion: '0.0.1' });

    const ocrPagesBefore = TesseractPool.pagesRecognised;
    const err = new Writable({ write: (_c, _e, done) => done() });
    const code = await imr(['reprocess', '--all'], {
      stdout: err,
      stderr: err,
      env: { DATABASE_URL: env.config.databaseUrl, IMR_EXPORT_DIR: env.config.exportDir },
    });
    expect(code).toBe(0);
    expect(TesseractPool.pagesRecognised).toBe(ocrPagesBefore);
    const after = await p.store.listRecords();
    expect(after.map((r) => r.parserVersion)).toEqual(before.map(() => PARSER_VERSION));
    expect(after.map((r) => ({ ...r, parserVersion: '' }))).toEqual(
      before.map((r) => ({ ...r, parserVersion: '' })),
    );
    expect((await p.store.listDocuments()).every((d) => TERMINAL_STATUSES.includes(d.status))).toBe(true);
  });
});
