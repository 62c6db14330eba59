import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../schemas/config.js';
import { BACKFILL_PRIORITY, TERMINAL_STATUSES } from '../../schemas/document.js';
import { ingestFile } from '../../src/ingest/ingest.js';
import type { Logger } from '../../src/logger.js';
import { Queues, redisConnection } from '../../src/queue/queues.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { scanPdf } from '../../src/synth/scan.js';
import { imr } from '../../workers/imr.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { sink } from '../helpers/cli.js';
import { createTestEnv, type TestEnv, waitFor } from '../helpers/pipeline-env.js';
import { storeEnv } from '../helpers/processes.js';

// Lanes: text letters never wait for OCR (scans fan out as page jobs on their own queue), and inbox drops
// never wait for a backfill (its jobs are prioritized behind).

let env: TestEnv | null = null;
let pipeline: Pipeline | null = null;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = null;
  for (const close of closers.splice(0)) await close();
  await env?.cleanup();
  env = null;
});

/** A logger that keeps its lines (parsed), to see the order things happened in. */
function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { logger: pino({ level: 'info' }, stream), lines };
}

const isTerminal = async (store: Store, sha: string) =>
  TERMINAL_STATUSES.includes((await store.getDocument(sha))?.status ?? 'queued');

describe('lanes', { timeout: 240_000 }, () => {
  it('text letters dropped after scans finish while the scans are still in OCR', async () => {
    env = await createTestEnv('sqlite');
    const config: Config = env.config;
    const { logger } = memoryLogger();
    pipeline = await startPipeline(config, { workers: true, watcher: true, server: false }, logger);
    const store = pipeline.store;
    const scans = await Promise.all(
      [401, 402].map(async (seed) => scanPdf((await generateLetterPdf(seed, { items: 6 })).pdf)),
    );
    for (const [i, scan] of scans.entries()) await writeFile(join(config.inbox.dir, `scan-${i}.pdf`), scan);
    await waitFor(
      async () => (await store.counts()).extracting === scans.length,
      60_000,
      'both scans in OCR',
    );
    const texts = await Promise.all([411, 412, 413, 414, 415].map((seed) => generateLetterPdf(seed)));
    const t0 = Date.now();
    for (const [i, t] of texts.entries()) await writeFile(join(config.inbox.dir, `text-${i}.pdf`), t.pdf);
    const textShas = () =>
      store.listDocuments().then((docs) => docs.filter((d) => d.fileName.startsWith('text-')));
    await waitFor(
      async () => {
        const docs = await textShas();
        return docs.length === texts.length && docs.every((d) => TERMINAL_STATUSES.includes(d.status));
      },
      60_000,
      'the text letters finished',
    );
    const textSeconds = (Date.now() - t0) / 1000;
    // The scans (several pages each, seconds per page) are still being read.
    const scanDocs = (await store.listDocuments()).filter((d) => d.fileName.startsWith('scan-'));
    expect(scanDocs.filter((d) => d.status === 'extracting').length).toBeGreaterThan(0);
    expect(textSeconds).toBeLessThan(15);

    await waitFor(
      async () => (await store.listDocuments()).every((d) => TERMINAL_STATUSES.includes(d.status)),
      180_000,
      'the scans finished',
    );
    const records = await store.listRecords();
    expect(records).toHaveLength(scans.length + texts.length);
    const scanRecords = records.filter((r) => r.file.startsWith('scan-'));
    expect(scanRecords.map((r) => r.textSource)).toEqual(['ocr', 'ocr']);
    expect(scanRecords.every((r) => r.status !== 'failed')).toBe(true);
  });

  it('an inbox drop is taken before a backfill queued earlier', async () => {
    env = await createTestEnv('sqlite');
    // One letter at a time, so the order is the queue's.
    const config: Config = {
      ...env.config,
      workers: { ...env.config.workers, extractConcurrency: 1 },
    };
    const store = createStore(config.databaseUrl);
    await store.migrate();
    const connection = redisConnection(config.redisUrl);
    const queues = new Queues(connection, config.queuePrefix);
    closers.push(async () => {
      await queues.close();
      connection.disconnect();
      await store.close();
    });
    const deps = { store, queues, logger: pino({ level: 'silent' }) };
    const letters = await Promise.all(
      Array.from({ length: 8 }, (_, i) => generateLetterPdf(420 + i, { layout: 'fdl-2016' })),
    );
    const shas: string[] = [];
    for (const [i, l] of letters.entries()) {
      const path = join(env.root, `letter-${i}.pdf`);
      await writeFile(path, l.pdf);
      const backfill = i < letters.length - 1;
      const result = await ingestFile(path, deps, { priority: backfill ? BACKFILL_PRIORITY : 0 });
      if (result.kind === 'vanished') throw new Error('vanished');
      shas.push(result.sha256);
    }
    const live = shas.at(-1)!;
    expect((await store.getDocument(live))?.priority).toBe(0);
    expect((await store.getDocument(shas[0]!))?.priority).toBe(BACKFILL_PRIORITY);

    const { logger, lines } = memoryLogger();
    pipeline = await startPipeline(config, { workers: true, watcher: false, server: false }, logger);
    await waitFor(
      async () => (await Promise.all(shas.map((s) => isTerminal(store, s)))).every(Boolean),
      120_000,
      'every letter finished',
    );
    const finished = lines.filter((l) => l.msg === 'letter finished').map((l) => l.sha256);
    expect(finished).toHaveLength(shas.length);
    // Queued last, taken first; the backfill in its own order behind it.
    expect(finished[0]).toBe(live);
    expect(finished.slice(1)).toEqual(shas.slice(0, -1));
  });

  it('imr ingest --backfill queues a folder behind the inbox', async () => {
    env = await createTestEnv('sqlite');
    const dir = join(env.root, 'years');
    await mkdir(dir);
    for (const seed of [431, 432]) {
      await writeFile(join(dir, `old-${seed}.pdf`), (await generateLetterPdf(seed)).pdf);
    }
    const out = sink();
    const code = await imr(['ingest', dir, '--backfill', '--no-wait'], {
      stdout: out.stream,
      stderr: out.stream,
      env: storeEnv(env.config),
    });
    expect(code).toBe(0);
    expect(out.text()).toContain('2 distinct document(s) queued as a backfill');
    const store = createStore(env.config.databaseUrl);
    const connection = redisConnection(env.config.redisUrl);
    const queues = new Queues(connection, env.config.queuePrefix);
    closers.push(async () => {
      await queues.close();
      connection.disconnect();
      await store.close();
    });
    const docs = await store.listDocuments();
    expect(docs.map((d) => d.priority)).toEqual([BACKFILL_PRIORITY, BACKFILL_PRIORITY]);
    expect(await queues.queue('extract').getJobCounts('wait', 'prioritized')).toEqual({
      wait: 0,
      prioritized: 2,
    });
  });

  it('takes in the backfill folder at backfill priority and settles it into archive/backfill', async () => {
    env = await createTestEnv('sqlite');
    const config: Config = env.config;
    await mkdir(config.inbox.backfillDir, { recursive: true });
    await writeFile(join(config.inbox.backfillDir, 'old.pdf'), (await generateLetterPdf(441)).pdf);
    await writeFile(join(config.inbox.dir, 'new.pdf'), (await generateLetterPdf(442)).pdf);
    pipeline = await startPipeline(
      config,
      { workers: true, watcher: true, server: false },
      memoryLogger().logger,
    );
    const store = pipeline.store;
    await waitFor(
      async () =>
        (await store.listFiles()).length === 2 && (await store.listFiles({ unsettled: true })).length === 0,
      60_000,
      'both files settled',
    );
    const docs = await store.listDocuments();
    const byName = new Map(docs.map((d) => [d.fileName, d]));
    expect(byName.get('old.pdf')?.priority).toBe(BACKFILL_PRIORITY);
    expect(byName.get('new.pdf')?.priority).toBe(0);
    expect(docs.every((d) => TERMINAL_STATUSES.includes(d.status))).toBe(true);
    const settled = (await store.listFiles()).map((f) => f.settledTo).sort();
    expect(settled).toEqual(
      [join(config.inbox.archiveDir, 'backfill', 'old.pdf'), join(config.inbox.archiveDir, 'new.pdf')]
        .map((p) => resolve(p))
        .sort(),
    );
  });
});
