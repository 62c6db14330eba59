import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/hash.js';
import { silentLogger } from '../../src/logger.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { truncated } from '../helpers/bad-pdfs.js';
import { breakExports, fixExports } from '../helpers/intake.js';
import { createTestEnv, filesIn, type TestEnv, waitFor } from '../helpers/pipeline-env.js';
import { storeEnv } from '../helpers/processes.js';
import { runImr } from '../helpers/run-imr.js';

let env: TestEnv | null = null;
const pipelines: Pipeline[] = [];

afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.shutdown();
  await env?.cleanup();
  env = null;
});

async function start(e: TestEnv, parts: { workers: boolean; watcher: boolean }): Promise<Pipeline> {
  const p = await startPipeline(e.config, { ...parts, server: false }, silentLogger());
  pipelines.push(p);
  return p;
}

describe('intake', () => {
  it('refuses a file over IMR_MAX_FILE_MB on its size: failed too_large, no bytes stored, quarantined', async () => {
    env = await createTestEnv('sqlite');
    env.config.limits.maxFileMb = 1;
    const p = await start(env, { workers: true, watcher: true });
    const big = new Uint8Array(2 * 1024 * 1024 + 1).fill(0x25);
    await writeFile(join(env.config.inbox.dir, 'big.pdf'), big);
    const sha = sha256(big);
    await waitFor(
      async () => (await p.store.getDocument(sha))?.status === 'failed',
      30_000,
      'big.pdf failed',
    );
    const doc = await p.store.getDocument(sha);
    expect(doc?.errorCode).toBe('too_large');
    expect(doc?.errorMessage).toMatch(/2\.0 MB, over the 1 MB limit \(IMR_MAX_FILE_MB\)/);
    expect(doc?.bytes).toBe(big.byteLength);
    expect(await p.store.getBytes(sha)).toBeNull();
    const env2 = env;
    await waitFor(
      async () => (await filesIn(env2.config.inbox.quarantineDir)).length === 2,
      10_000,
      'quarantined',
    );
    expect(await filesIn(env.config.inbox.quarantineDir)).toEqual(['big.pdf', 'big.pdf.error.json']);
    const [file] = await p.store.intake.list({ state: 'failed' });
    expect(file).toMatchObject({
      name: 'big.pdf',
      state: 'failed',
      errorCode: 'too_large',
      size: big.byteLength,
    });
    // Nothing to run again from: the retry says so.
    const retry = await runImr(['retry', sha], storeEnv(env.config));
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain('no stored bytes');
  }, 60_000);

  it('gives up on a document whose jobs keep failing transiently (gave_up, shown by imr status); dropping its bytes again retries it', async () => {
    env = await createTestEnv('sqlite');
    env.config.workers.giveUpMs = 1000;
    const p = await start(env, { workers: true, watcher: true });
    const letter = await generateLetterPdf(11, { layout: 'fdl-2016' });
    const sha = sha256(letter.pdf);
    await breakExports(env.config);
    await writeFile(join(env.config.inbox.dir, 'stuck.pdf'), letter.pdf);
    await waitFor(async () => (await p.store.getDocument(sha))?.status === 'failed', 30_000, 'gave up');
    const doc = await p.store.getDocument(sha);
    expect(doc?.errorCode).toBe('gave_up');
    expect(doc?.errorMessage).toMatch(
      /gave up after \d+ s of transient failures \(extract\); last error (ENOTDIR|EEXIST)/,
    );
    const status = await runImr(['status'], storeEnv(env.config));
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/failed\s+1\n\s+gave_up\s+1\n/);
    const json = await runImr(['status', '--json'], storeEnv(env.config));
    expect(JSON.parse(json.stdout).failures).toEqual({ gave_up: 1 });
    const env2 = env;
    await waitFor(
      async () => (await filesIn(env2.config.inbox.quarantineDir)).includes('stuck.pdf'),
      10_000,
      'quarantined',
    );

    // The disk is fixed; the same bytes dropped again (under another name) run again, not linked.
    await fixExports(env.config);
    await writeFile(join(env.config.inbox.dir, 'stuck-again.pdf'), letter.pdf);
    await waitFor(
      async () => ['done', 'needs_review'].includes((await p.store.getDocument(sha))?.status ?? ''),
      30_000,
      'the retry finished',
    );
    const files = await p.store.intake.list();
    expect(files.map((f) => [f.name, f.state === 'duplicate'])).toEqual([
      ['stuck-again.pdf', false],
      ['stuck.pdf', false],
    ]);
    expect((await p.store.getDocument(sha))?.errorCode).toBeNull();
    // Both copies follow the new result into the archive (the quarantined one's error file goes).
    await waitFor(async () => (await filesIn(env2.config.inbox.archiveDir)).length === 2, 10_000, 'archived');
    expect(await filesIn(env.config.inbox.archiveDir)).toEqual(['stuck-again.pdf', 'stuck.pdf']);
    expect(await filesIn(env.config.inbox.quarantineDir)).toEqual([]);
  }, 90_000);

  it('a file that grows after a truncated read replaces its failed document: one document per file', async () => {
    env = await createTestEnv('sqlite');
    const letter = await generateLetterPdf(12, { layout: 'fdl-2016' });
    const head = truncated(letter.pdf, 0.5);
    const path = join(env.config.inbox.dir, 'slow-copy.pdf');
    await writeFile(path, head);
    // The watcher reads the first half (it held still for IMR_STABLE_MS); no worker runs yet.
    const intake = await start(env, { workers: false, watcher: true });
    const early = sha256(head);
    await waitFor(async () => (await intake.store.getDocument(early)) !== null, 20_000, 'the early read');
    await appendFile(path, letter.pdf.subarray(head.byteLength));
    expect((await stat(path)).size).toBe(letter.pdf.byteLength);
    // Workers now fail the early read (truncated); the grown file is taken in again and replaces it.
    const workers = await start(env, { workers: true, watcher: false });
    const full = sha256(letter.pdf);
    await waitFor(
      async () => ['done', 'needs_review'].includes((await workers.store.getDocument(full))?.status ?? ''),
      30_000,
      'the whole file processed',
    );
    expect(await workers.store.getDocument(early)).toBeNull();
    const docs = await workers.store.listDocuments();
    expect(docs.map((d) => d.sha256)).toEqual([full]);
    const files = await workers.store.intake.list();
    expect(files.map((f) => [f.name, f.sha256])).toEqual([['slow-copy.pdf', full]]);
    const env2 = env;
    await waitFor(async () => (await filesIn(env2.config.inbox.archiveDir)).length === 1, 10_000, 'archived');
    expect(await readFile(join(env.config.inbox.archiveDir, 'slow-copy.pdf'))).toEqual(
      Buffer.from(letter.pdf),
    );
    expect(await filesIn(env.config.inbox.quarantineDir)).toEqual([]);
  }, 90_000);
});
