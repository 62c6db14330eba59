import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/hash.js';
import { silentLogger } from '../../src/logger.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { launchChromium } from '../helpers/browser.js';
import { breakExports, fixExports } from '../helpers/intake.js';
import { createTestEnv, type TestEnv, waitFor } from '../helpers/pipeline-env.js';

let env: TestEnv;
let pipeline: Pipeline;
let browser: Browser;
let page: Page;
let url: string;
const sha: Record<string, string> = {};
const pageErrors: string[] = [];

const terminal = (s: string | undefined) => s === 'done' || s === 'needs_review' || s === 'failed';

beforeAll(async () => {
  env = await createTestEnv('sqlite');
  env.config.workers.giveUpMs = 1000;
  pipeline = await startPipeline(env.config, { workers: true, watcher: true, server: true }, silentLogger());
  const p = pipeline;
  url = p.url!;
  const good = await generateLetterPdf(31, { layout: 'fdl-2016' });
  const notes = new TextEncoder().encode('not a PDF at all\n');
  const stuck = await generateLetterPdf(32, { layout: 'fdl-2016' });
  const drop = async (name: string, bytes: Uint8Array) => {
    sha[name] = sha256(bytes);
    await writeFile(join(env.config.inbox.dir, name), bytes);
    await waitFor(async () => terminal((await p.store.getDocument(sha[name]!))?.status), 30_000, name);
  };
  await drop('good.pdf', good.pdf);
  await drop('notes.pdf', notes);
  // A disk fault while the third is processed: its jobs fail transiently until it is given up.
  await breakExports(env.config);
  await drop('stuck.pdf', stuck.pdf);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pipeline?.shutdown();
  await env?.cleanup();
});

const rowNames = (p: Page) =>
  p.$$eval('tr.file-row td.file', (tds) => tds.map((td) => td.firstChild?.textContent ?? ''));
const rowStates = (p: Page) =>
  p.$$eval('tr.file-row', (trs) =>
    trs.map((tr) => (tr as unknown as { dataset: { state: string } }).dataset.state),
  );

describe('the files page in a browser', () => {
  it('lists every file newest first with its state, reachable from the nav', async () => {
    await page.goto(`${url}/`);
    await page.click('header nav a[href="/files"]');
    await page.waitForURL(`${url}/files`);
    expect(await rowNames(page)).toEqual(['stuck.pdf', 'notes.pdf', 'good.pdf']);
    const states = await rowStates(page);
    expect(states[0]).toBe('failed');
    expect(states[1]).toBe('failed');
    expect(states[2]).toMatch(/^(done|needs_review)$/);
    // A processed file links to its record (or its review).
    const link = await page.getAttribute(`tr[data-sha="${sha['good.pdf']}"] a.button`, 'href');
    expect(link).toBe(`/review/${sha['good.pdf']}`);
  });

  it('filters by state and shows a failed file code and message', async () => {
    await page.click('a[data-state-filter="failed"]');
    await page.waitForURL(`${url}/files?state=failed`);
    expect(await rowNames(page)).toEqual(['stuck.pdf', 'notes.pdf']);
    const notes = `tr[data-sha="${sha['notes.pdf']}"]`;
    expect(await page.textContent(`${notes} code.code`)).toBe('not_pdf');
    expect(await page.textContent(`${notes} .message`)).toContain('%PDF-');
    const stuck = `tr[data-sha="${sha['stuck.pdf']}"]`;
    expect(await page.textContent(`${stuck} code.code`)).toBe('gave_up');
    expect(await page.textContent(`${stuck} .message`)).toMatch(/gave up after \d+ s of transient failures/);
    await page.click('a[data-state-filter="done"]');
    await page.waitForURL(`${url}/files?state=done`);
    const done = await rowNames(page);
    expect(done.every((n) => n === 'good.pdf')).toBe(true);
  });

  it('Retry re-runs a failed file from its stored bytes; it ends done or needing review', async () => {
    await fixExports(env.config);
    await page.goto(`${url}/files?state=failed`);
    const stuck = `tr[data-sha="${sha['stuck.pdf']}"]`;
    await page.click(`${stuck} button[type="submit"]`);
    await page.waitForURL(/\/files\?state=failed&retried=/);
    expect(await page.textContent('#retried')).toContain('stuck.pdf');
    const p = pipeline;
    await waitFor(
      async () =>
        ['done', 'needs_review'].includes((await p.store.getDocument(sha['stuck.pdf']!))?.status ?? ''),
      30_000,
      'the retried letter',
    );
    await page.goto(`${url}/files`);
    const state = await page.getAttribute(stuck, 'data-state');
    expect(state).toMatch(/^(done|needs_review)$/);
    expect(await page.$(`${stuck} code.code`)).toBeNull();
    expect(await page.getAttribute(`${stuck} a.button`, 'href')).toBe(`/review/${sha['stuck.pdf']}`);
    // Same sha256, one file row, no duplicate.
    expect(await rowNames(page)).toEqual(['stuck.pdf', 'notes.pdf', 'good.pdf']);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('a retry posted without the page CSRF token is refused', async () => {
    const res = await page.request.post(`${url}/files/${sha['notes.pdf']}/retry`, {
      form: { state: '' },
      headers: { origin: url },
    });
    expect(res.status()).toBe(403);
  });
});
