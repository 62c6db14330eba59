import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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

const LETTERS = 30;
const DUPLICATES = 2;

let env: TestEnv | null = null;
let store: Store | null = null;
const processes: ImrProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  // Stop every process before dropping the database and queue keys it uses.
  await Promise.all(processes.splice(0).map((p) => p.stop()));
  await store?.close();
  store = null;
  await env?.cleanup();
  env = null;
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A machine's own working directory, with folders that no other machine sees. */
async function machineConfig(base: Config, name: string): Promise<{ dir: string; config: Config }> {
  const dir = await mkdtemp(join(tmpdir(), `imr-machine-${name}-`));
  dirs.push(dir);
  const config: Config = {
    ...base,
    inbox: {
      ...base.inbox,
      dir: join(dir, 'inbox'),
      archiveDir: join(dir, 'archive'),
      quarantineDir: join(dir, 'quarantine'),
      backfillDir: join(dir, 'backfill'),
    },
    exportDir: join(dir, 'exports'),
  };
  // An existing inbox: `imr start` would seed a missing one with the bundled samples.
  await mkdir(config.inbox.dir, { recursive: true });
  return { dir, config };
}

const recordsOf = async (config: Config) => filesIn(join(config.exportDir, 'records'));

describe('scale-out', () => {
  it('scale-out: three machines share only Redis and PostgreSQL', { timeout: 300_000 }, async ({
    annotate,
  }) => {
    env = await createTestEnv('postgres');
    const a = await machineConfig(env.config, 'a');
    const b = await machineConfig(env.config, 'b');
    const c = await machineConfig(env.config, 'c');
    // Only REDIS_URL, IMR_QUEUE_PREFIX and DATABASE_URL are common to the environments.
    expect(a.config.inbox.dir).not.toBe(b.config.inbox.dir);
    expect(a.config.exportDir).not.toBe(b.config.exportDir);

    // Started together (all migrate the same database at once); all ready before any file arrives, so
    // that B and C can take work from the start. One OCR page at a time on each: a scan's pages spread.
    const ocrOne = { IMR_OCR_CONCURRENCY: '1' };
    const machineA = startImr('start', envOf(a.config, { IMR_EXTRACT_CONCURRENCY: '1', ...ocrOne }), a.dir);
    processes.push(machineA);
    const machineB = startImr('worker', envOf(b.config, { IMR_EXTRACT_CONCURRENCY: '2', ...ocrOne }), b.dir);
    processes.push(machineB);
    const machineC = startImr('worker', envOf(c.config, { IMR_EXTRACT_CONCURRENCY: '1', ...ocrOne }), c.dir);
    processes.push(machineC);
    const machines = [machineA, machineB, machineC];
    await Promise.all([
      machineA.waitForLog(/imr start: running/, 45_000),
      machineB.waitForLog(/imr worker: running/, 45_000),
      machineC.waitForLog(/imr worker: running/, 45_000),
    ]);

    const letters = await Promise.all(
      Array.from({ length: LETTERS }, (_, i) => generateLetterPdf(300 + i, { layout: 'fdl-2016' })),
    );
    const inbox = a.config.inbox.dir;
    for (const [i, l] of letters.entries()) await writeFile(join(inbox, `letter-${i}.pdf`), l.pdf);
    for (let i = 0; i < DUPLICATES; i++) {
      await writeFile(join(inbox, `copy of letter-${i}.pdf`), letters[i]!.pdf);
    }
    // One scanned letter of several pages: its pages are OCR page jobs any machine takes.
    const scan = await scanPdf((await generateLetterPdf(330, { layout: 'fdl-2016', items: 6 })).pdf);
    await writeFile(join(inbox, 'scanned.pdf'), scan);
    const dropped = LETTERS + DUPLICATES + 1;

    const s = createStore(env.config.databaseUrl);
    store = s;
    await waitFor(
      async () =>
        (await s.listFiles()).length === dropped &&
        (await s.listFiles({ unsettled: true })).length === 0 &&
        (await filesIn(inbox)).length === 0,
      180_000,
      'every dropped file settled',
    );

    const docs = await s.listDocuments();
    expect(docs).toHaveLength(LETTERS + 1);
    expect(docs.every((d) => TERMINAL_STATUSES.includes(d.status))).toBe(true);
    const scanned = docs.find((d) => d.fileName === 'scanned.pdf')!;
    expect(scanned.status).not.toBe('failed');
    expect(scanned.textSource).toBe('ocr');
    expect(
      docs.filter((d) => d !== scanned && d.status !== 'done').map((d) => [d.fileName, d.status]),
    ).toEqual([]);
    const files = await s.listFiles();
    expect(files).toHaveLength(dropped);
    expect(files.filter((f) => f.duplicate)).toHaveLength(DUPLICATES);
    expect(await s.listRecords()).toHaveLength(LETTERS + 1);

    // The scan's pages were read on more than one machine, each page once.
    const pagesRead = machines.map(
      (m) => m.lines.filter((l) => l.includes('"msg":"page read"') && l.includes(scanned.sha256)).length,
    );
    expect(pagesRead.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(pagesRead.reduce((x, y) => x + y, 0)).toBe(scanned.pages);

    // Each letter is exported by the machine that processed it: a name in two is a double processing.
    const byA = await recordsOf(a.config);
    const byB = await recordsOf(b.config);
    const byC = await recordsOf(c.config);
    expect(byA.length).toBeGreaterThan(0);
    expect(byB.length).toBeGreaterThan(0); // B did work, from PDF bytes it only got from the database
    expect(byC.length).toBeGreaterThan(0);
    const all = [...byA, ...byB, ...byC];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(docs.map((d) => `${d.sha256}.json`).sort());

    expect(await filesIn(a.config.inbox.archiveDir)).toHaveLength(dropped);
    expect(await filesIn(a.config.inbox.quarantineDir)).toEqual([]);
    // B never sees a file: its own folders stay empty.
    expect(await filesIn(b.config.inbox.dir)).toEqual([]);
    expect(await filesIn(b.config.inbox.archiveDir)).toEqual([]);
    // Two processes on one queue and one database: no job may have failed on either.
    expect(machineA.lines.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(machineB.lines.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(machineC.lines.filter((l) => /"level":(50|60)/.test(l))).toEqual([]);

    await Promise.all(machines.map((m) => m.stop()));
    // A graceful stop ends by the signal raised again (workers/main.ts onSignals), not exit 0.
    for (const m of machines) expect(m.child.signalCode).toBe('SIGTERM');
    await annotate(
      `letters processed: A ${byA.length}, B ${byB.length}, C ${byC.length}; scan pages read: ${pagesRead.join(', ')}`,
    );
  });
});
