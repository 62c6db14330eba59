import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeFile } from '../../schemas/document.js';
import { sha256 } from '../../src/hash.js';
import { silentLogger } from '../../src/logger.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { breakExports, fixExports } from '../helpers/intake.js';
import { createTestEnv, type TestEnv, waitFor } from '../helpers/pipeline-env.js';
import { storeEnv } from '../helpers/processes.js';
import { runImr } from '../helpers/run-imr.js';

const terminal = (s: string | undefined) => s === 'done' || s === 'needs_review' || s === 'failed';

describe.each(['sqlite', 'postgres'] as const)('imr files and imr retry (%s)', (db) => {
  let env: TestEnv;
  let pipeline: Pipeline;
  const sha: Record<string, string> = {};

  beforeAll(async () => {
    env = await createTestEnv(db);
    env.config.workers.giveUpMs = 1000;
    pipeline = await startPipeline(
      env.config,
      { workers: true, watcher: true, server: false },
      silentLogger(),
    );
    const p = pipeline;
    const good = await generateLetterPdf(21, { layout: 'fdl-2016' });
    const notes = new TextEncoder().encode('minutes of the meeting, not a PDF\n');
    const stuck = await generateLetterPdf(22, { layout: 'fdl-2016' });
    sha.good = sha256(good.pdf);
    sha.notes = sha256(notes);
    sha.stuck = sha256(stuck.pdf);
    const drop = async (name: string, bytes: Uint8Array, key: string) => {
      await writeFile(join(env.config.inbox.dir, name), bytes);
      await waitFor(async () => terminal((await p.store.getDocument(sha[key]!))?.status), 30_000, name);
    };
    await drop('good.pdf', good.pdf, 'good');
    await drop('notes.pdf', notes, 'notes');
    await breakExports(env.config);
    await drop('stuck.pdf', stuck.pdf, 'stuck');
    await fixExports(env.config);
  }, 120_000);

  afterAll(async () => {
    await pipeline?.shutdown();
    await env?.cleanup();
  });

  it('imr files lists every file newest first with its state, a failed one with its code and message', async () => {
    const out = await runImr(['files'], storeEnv(env.config));
    expect(out.code).toBe(0);
    const names = out.stdout.split('\n').filter((l) => /\.pdf$/.test(l));
    expect(names.map((l) => l.split(/\s+/).at(-1))).toEqual(['stuck.pdf', 'notes.pdf', 'good.pdf']);
    expect(out.stdout).toMatch(/failed not_pdf\s+notes\.pdf\n\s+.*%PDF-/);
    expect(out.stdout).toMatch(/failed gave_up\s+stuck\.pdf\n\s+gave up after \d+ s/);
    const json = await runImr(['files', '--state', 'failed', '--json'], storeEnv(env.config));
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as IntakeFile);
    expect(rows.map((r) => [r.name, r.state, r.errorCode])).toEqual([
      ['stuck.pdf', 'failed', 'gave_up'],
      ['notes.pdf', 'failed', 'not_pdf'],
    ]);
    const bad = await runImr(['files', '--state', 'lost'], storeEnv(env.config));
    expect(bad.code).toBe(2);
    expect((await runImr(['files', '--help'], {})).stdout).toContain('imr files [--state S]');
  });

  it('imr retry --failed --code re-runs from the stored bytes: same sha256, ends done or needs review', async () => {
    const out = await runImr(['retry', '--failed', '--code', 'gave_up'], storeEnv(env.config));
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`retried ${sha.stuck}\n`);
    const p = pipeline;
    await waitFor(
      async () => ['done', 'needs_review'].includes((await p.store.getDocument(sha.stuck!))?.status ?? ''),
      30_000,
      'the retry',
    );
    const doc = await p.store.getDocument(sha.stuck!);
    expect(doc?.errorCode).toBeNull();
    expect((await p.store.getRecord(sha.stuck!))?.status).not.toBe('failed');
    const files = await runImr(['files', '--json'], storeEnv(env.config));
    const stuck = files.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as IntakeFile)
      .find((f) => f.name === 'stuck.pdf');
    expect(stuck?.state).toMatch(/^(done|needs_review)$/);
  }, 60_000);

  it('imr retry <sha256> runs a failed one again (it fails again the same way) and refuses others', async () => {
    const p = pipeline;
    const before = (await p.store.getDocument(sha.notes!))?.updatedAt;
    const out = await runImr(['retry', sha.notes!], storeEnv(env.config));
    expect(out.code).toBe(0);
    await waitFor(
      async () => {
        const d = await p.store.getDocument(sha.notes!);
        return d?.status === 'failed' && d.updatedAt !== before;
      },
      30_000,
      'notes.pdf failed again',
    );
    expect((await p.store.getDocument(sha.notes!))?.errorCode).toBe('not_pdf');
    const refused = await runImr(['retry', sha.good!, '0'.repeat(64)], storeEnv(env.config));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${sha.good}: not failed`);
    expect(refused.stderr).toContain(`${'0'.repeat(64)}: no such document`);
    expect((await runImr(['retry'], storeEnv(env.config))).code).toBe(2);
  }, 60_000);
});
