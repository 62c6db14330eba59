import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../schemas/config.js';
import { TERMINAL_STATUSES } from '../../schemas/document.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { scanPdf } from '../../src/synth/scan.js';
import { createTestEnv, filesIn, type TestEnv, waitFor } from '../helpers/pipeline-env.js';
import { envOf, type ImrProcess, startImr } from '../helpers/processes.js';
import {
  type PrivatePostgres,
  type PrivateRedis,
  postgresAvailable,
  postgresUnavailableReason,
  startPrivatePostgres,
  startPrivateRedis,
} from '../helpers/services.js';

// Each test kills real processes (SIGKILL) at a chosen point, or takes a real service away, and then
// checks the one promise: every file ends in exactly one terminal state, nothing lost, nothing doubled.

let env: TestEnv | null = null;
let store: Store | null = null;
const processes: ImrProcess[] = [];
const services: { stop(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill9()));
  await store?.close();
  store = null;
  await env?.cleanup();
  env = null;
  await Promise.all(services.splice(0).map((s) => s.stop()));
});

function run(kind: 'start' | 'worker', config: Config, extra: Record<string, string> = {}): ImrProcess {
  const p = startImr(kind, envOf(config, extra));
  processes.push(p);
  return p;
}

async function dropLetters(config: Config, seeds: number[]): Promise<void> {
  for (const seed of seeds) {
    const { pdf } = await generateLetterPdf(seed, { layout: 'fdl-2016' });
    await writeFile(join(config.inbox.dir, `letter-${seed}.pdf`), pdf);
  }
}

async function terminalCount(s: Store): Promise<number> {
  const c = await s.counts();
  return c.done + c.needs_review + c.failed;
}

/** Every dropped file settled: one terminal document, one record and one archived file each. */
async function expectExactlyOnce(config: Config, s: Store, files: number): Promise<void> {
  try {
    await waitFor(
      async () =>
        (await s.listFiles()).length === files && (await s.listFiles({ unsettled: true })).length === 0,
      120_000,
      `all ${files} files settled`,
    );
  } catch (err) {
    // What a person would look at: the counts and the processes' last log lines.
    const logs = processes.flatMap((p) => [
      `process exit ${p.child.exitCode} ${p.child.signalCode} lines ${p.lines.length}`,
      ...p.lines.slice(-15),
    ]);
    throw new Error(
      `${(err as Error).message}\ncounts ${JSON.stringify(await s.counts())}, files ${(await s.listFiles()).length}, unsettled ${(await s.listFiles({ unsettled: true })).length}\n${logs.join('\n')}`,
    );
  }
  const docs = await s.listDocuments();
  expect(docs).toHaveLength(files);
  expect(docs.filter((d) => !TERMINAL_STATUSES.includes(d.status))).toEqual([]);
  expect(docs.filter((d) => d.status === 'failed')).toEqual([]);
  const records = await s.listRecords();
  expect(records).toHaveLength(files);
  expect(new Set(records.map((r) => r.sha256)).size).toBe(files);
  expect(await filesIn(config.inbox.archiveDir)).toHaveLength(files);
  expect(await filesIn(config.inbox.dir)).toEqual([]);
  // A writer killed mid-file leaves its temporary (NAME.tmp-PID-N) beside, never a partial record.
  const exported = await filesIn(join(config.exportDir, 'records'));
  expect(exported.filter((f) => f.endsWith('.json'))).toHaveLength(files);
  expect(exported.filter((f) => !f.endsWith('.json') && !/\.json\.tmp-\d+-\d+$/.test(f))).toEqual([]);
}

async function sqliteEnv(): Promise<Config> {
  env = await createTestEnv('sqlite');
  store = createStore(env.config.databaseUrl);
  await store.migrate();
  return env.config;
}

describe('kill -9 at the worst moments', { timeout: 180_000 }, () => {
  it('the watcher, after a file is committed and before its job is enqueued', async () => {
    const config = await sqliteEnv();
    const a = run('start', config, { IMR_FAULT_PAUSE: 'after-register' });
    await dropLetters(config, [101, 102, 103]);
    await a.waitForLog(/paused at after-register/, 60_000);
    await a.kill9();
    expect(await terminalCount(store!)).toBe(0);
    run('start', config);
    await expectExactlyOnce(config, store!, 3);
  });

  it('the settler, after a file is moved and before the move is recorded', async () => {
    const config = await sqliteEnv();
    const a = run('start', config, { IMR_FAULT_PAUSE: 'after-move' });
    await dropLetters(config, [111, 112]);
    await a.waitForLog(/paused at after-move/, 60_000);
    await a.kill9();
    run('start', config);
    await expectExactlyOnce(config, store!, 2);
    // The file moved by the killed process is found where it went, not reported missing.
    const settled = (await store!.listFiles()).map((f) => f.settledTo);
    expect(settled.every((to) => to?.startsWith(config.inbox.archiveDir))).toBe(true);
  });

  it('a worker, after the record is committed and before the job is acknowledged', async () => {
    const config = await sqliteEnv();
    const a = run('start', config, { IMR_FAULT_PAUSE: 'after-commit' });
    await dropLetters(config, [121, 122, 123]);
    await a.waitForLog(/paused at after-commit/, 60_000);
    await a.kill9();
    // The committed letter is terminal already; its job is still held by the dead worker.
    expect(await terminalCount(store!)).toBeGreaterThanOrEqual(1);
    // The dead worker's job is taken over (stalled), finds its letter finished, and does nothing twice.
    run('start', config);
    await expectExactlyOnce(config, store!, 3);
  });

  it('an OCR worker in the middle of a page', async () => {
    const config = await sqliteEnv();
    const a = run('start', config);
    const scanned = await scanPdf((await generateLetterPdf(131, { items: 1 })).pdf);
    await writeFile(join(config.inbox.dir, 'scanned.pdf'), scanned);
    await waitFor(
      async () => (await store!.listDocuments()).some((d) => d.status === 'extracting'),
      60_000,
      'OCR to start',
    );
    // Well inside the page: OCR of one page takes seconds.
    await new Promise((r) => setTimeout(r, 500));
    await a.kill9();
    expect((await store!.listDocuments())[0]?.status).toBe('extracting');
    run('start', config);
    await expectExactlyOnce(config, store!, 1);
    expect((await store!.listRecords())[0]?.textSource).toBe('ocr');
  });

  it("an OCR worker in the middle of a letter's page fan-out", async () => {
    const config = await sqliteEnv();
    // One page at a time, and the process stops dead once its first page is committed.
    const a = run('start', config, { IMR_FAULT_PAUSE: 'after-page', IMR_OCR_CONCURRENCY: '1' });
    const scanned = await scanPdf((await generateLetterPdf(132, { items: 3 })).pdf);
    await writeFile(join(config.inbox.dir, 'scanned.pdf'), scanned);
    await a.waitForLog(/paused at after-page/, 120_000);
    await a.kill9();
    const doc = (await store!.listDocuments())[0]!;
    expect(doc.status).toBe('extracting');
    const before = await store!.ocrPagesState(doc.sha256);
    expect(before.done).toHaveLength(1);
    expect(before.wanted.length).toBeGreaterThan(1);

    const b = run('start', config);
    await expectExactlyOnce(config, store!, 1);
    expect((await store!.listRecords())[0]?.textSource).toBe('ocr');
    // Every page read once: the page the dead worker committed is not read again, the others once each.
    const reads = (p: ImrProcess) =>
      p.lines.map((l): { msg?: string; page?: number; stored?: boolean } => {
        try {
          return JSON.parse(l);
        } catch {
          return {}; // a plain line ("imr start: running.")
        }
      });
    const readByB = reads(b).filter((l) => l.msg === 'page read');
    expect(readByB.every((l) => l.stored)).toBe(true);
    expect(readByB.map((l) => l.page).sort()).toEqual(before.wanted.filter((p) => !before.done.includes(p)));
    // Parsed and exported once, by the second process.
    expect(reads(b).filter((l) => l.msg === 'letter finished')).toHaveLength(1);
    expect(reads(a).filter((l) => l.msg === 'letter finished')).toHaveLength(0);
  });
});

describe('services going away', { timeout: 180_000 }, () => {
  it('Redis restarted empty in the middle of a batch: the running workers recover by themselves', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    services.push(redis);
    env = await createTestEnv('sqlite');
    const config: Config = { ...env.config, redisUrl: redis.url };
    store = createStore(config.databaseUrl);
    await store.migrate();
    run('start', config);
    const seeds = Array.from({ length: 24 }, (_, i) => 141 + i);
    await dropLetters(config, seeds);
    await waitFor(async () => (await terminalCount(store!)) >= 4, 60_000, 'a few letters done');
    await redis.restartEmpty();
    // No restart of the workers: the periodic reconciler re-enqueues what Redis forgot.
    await expectExactlyOnce(config, store!, seeds.length);
  });

  it.skipIf(!postgresAvailable())(
    `PostgreSQL stopped for 10 seconds in the middle of a batch${postgresAvailable() ? '' : ` (skipped: ${postgresUnavailableReason()})`}`,
    async () => {
      const pgServer: PrivatePostgres = await startPrivatePostgres();
      services.push({ stop: () => pgServer.destroy() });
      env = await createTestEnv('sqlite');
      const config: Config = {
        ...env.config,
        databaseUrl: await pgServer.createDatabase('imr_faults'),
      };
      store = createStore(config.databaseUrl);
      await store.migrate();
      const a = run('start', config);
      const seeds = Array.from({ length: 24 }, (_, i) => 171 + i);
      await dropLetters(config, seeds.slice(0, 12));
      await waitFor(async () => (await terminalCount(store!)) >= 3, 60_000, 'a few letters done');
      // Files keep arriving while the database is away.
      const pause = pgServer.pause(10_000);
      await new Promise((r) => setTimeout(r, 1000));
      await dropLetters(config, seeds.slice(12));
      await pause;
      await expectExactlyOnce(config, store, seeds.length);
      expect(a.child.exitCode).toBeNull(); // it rode the outage out
    },
  );
});
