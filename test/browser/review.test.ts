import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { imr } from '../../workers/imr.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { launchChromium } from '../helpers/browser.js';
import { sink } from '../helpers/cli.js';
import { createTestEnv, type TestEnv, waitFor } from '../helpers/pipeline-env.js';
import { type CraftedLetter, letterWithBadDecisionDate } from '../helpers/review-letters.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');

let env: TestEnv;
let pipeline: Pipeline;
let browser: Browser;
let page: Page;
let url: string;
const letters: { name: string; crafted: CraftedLetter; sha256: string }[] = [];
const pageErrors: string[] = [];

async function shaOf(name: string): Promise<string> {
  const doc = (await pipeline.store.listDocuments()).find((d) => d.fileName === name);
  if (!doc) throw new Error(`no document for ${name}`);
  return doc.sha256;
}

beforeAll(async () => {
  env = await createTestEnv('sqlite');
  for (const seed of [7, 8]) {
    const crafted = await letterWithBadDecisionDate(seed);
    const name = `bad-date-${seed}.pdf`;
    await writeFile(join(env.config.inbox.dir, name), crafted.pdf);
    letters.push({ name, crafted, sha256: '' });
  }
  // A letter that parses cleanly (done): never in the queue.
  const fine = await generateLetterPdf(3, {
    layout: 'fdl-2016',
    features: { 'specialty-typo': false, 'injury-date-mismatch': false },
  });
  await writeFile(join(env.config.inbox.dir, 'fine.pdf'), fine.pdf);
  pipeline = await startPipeline(env.config, { workers: true, watcher: true, server: true }, silentLogger());
  const p = pipeline;
  await waitFor(
    async () => {
      const c = await p.store.counts();
      return c.done + c.needs_review + c.failed === 3;
    },
    60_000,
    'the three letters processed',
  );
  for (const l of letters) l.sha256 = await shaOf(l.name);
  url = p.url!;
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pipeline?.shutdown();
  await env?.cleanup();
});

/** Waits until every page image on the page has loaded. */
async function imagesLoaded(p: Page): Promise<void> {
  // A string: this project's TypeScript has no DOM types.
  await p.waitForFunction('Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0)');
}

describe('QA review in a browser', () => {
  it('lists the letters that need review, riskiest first, filterable by mismatch code', async () => {
    const needing = await pipeline.store.listDocuments(['needs_review']);
    expect(needing.map((d) => d.fileName)).toEqual(expect.arrayContaining(letters.map((l) => l.name)));
    await page.goto(`${url}/review`);
    const rows = page.locator('tr.qrow');
    await expect.poll(() => rows.count()).toBe(needing.length);
    const table = await page.locator('table.queue').textContent();
    for (const l of letters) expect(table).toContain(l.name);
    if ((await pipeline.store.getDocument(await shaOf('fine.pdf')))?.status === 'done') {
      expect(table).not.toContain('fine.pdf');
    }
    const chip = page.locator('.chips a.chip', { hasText: 'unreadable_date' });
    expect(await chip.textContent()).toContain('2');
    await page.screenshot({ path: join(ARTIFACTS, 'review-queue.png') });

    await chip.click();
    await page.waitForURL(/\?code=unreadable_date$/);
    expect(await page.locator('tr.qrow').count()).toBe(2);
    expect(await page.locator('.chips a.chip.active').textContent()).toContain('unreadable_date');
    await page.goto(`${url}/review?code=no_such_code`);
    expect(await page.locator('tr.qrow').count()).toBe(0);
    expect(await page.locator('.empty').textContent()).toContain('Nothing to review');
  });

  it('shows a letter: pages with boxes, fields, mismatches; a field and its box find each other', async () => {
    const [first] = letters;
    await page.goto(`${url}/review`);
    await page.locator('tr.qrow', { hasText: first!.name }).click();
    await page.waitForURL(`${url}/review/${first!.sha256}`);
    await imagesLoaded(page);
    expect(await page.locator('figure.page').count()).toBeGreaterThanOrEqual(2);

    // The reviewer's name is remembered across pages.
    await page.fill('#author', 'Dana QA');

    // The decision date's mismatches sit beside it.
    const dateRow = page.locator('form.field[data-field="decisionDate"]');
    expect(await dateRow.locator('.mismatches').textContent()).toContain('unreadable_date');
    expect(await dateRow.getAttribute('class')).toContain('has-error');

    // Click a field: its box lights up and is on screen in the pages pane.
    await page.click('#v-caseNumber');
    const box = page.locator('.box[data-field="caseNumber"]');
    await expect.poll(() => box.getAttribute('class')).toContain('active');
    await page.waitForTimeout(600); // smooth scrolling
    const pane = await page.locator('#pages').boundingBox();
    const b = await box.boundingBox();
    expect(b && pane && b.y >= pane.y && b.y + b.height <= pane.y + pane.height).toBe(true);
    // The box covers the case number as drawn: in the header, left half of the page.
    const fig = await page.locator('figure.page').first().boundingBox();
    expect(b!.x - fig!.x).toBeLessThan(fig!.width / 2);
    expect(b!.y - fig!.y).toBeLessThan(fig!.height / 4);

    // Click a box: its field is focused.
    await page.locator('.box[data-field="reviewer.specialty"]').click();
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('v-reviewer-specialty');

    // j moves the selection to the next field and shows its box.
    await page.locator('#v-reviewer-specialty').press('Escape');
    await page.keyboard.press('j');
    await expect
      .poll(() => page.locator('form.field.selected').getAttribute('data-field'))
      .toBe('patient.age');
    expect(await page.locator('.box[data-field="patient.age"]').getAttribute('class')).toContain('active');

    // ? lists the shortcuts; Escape closes the list.
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('#help').isVisible()).toBe(true);
    expect(await page.locator('#help').textContent()).toContain('approve');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#help').isVisible()).toBe(false);
  });

  it('corrects a field with a reason, then approves with `a` and moves to the next letter', async () => {
    const [first, second] = letters;
    const truth = first!.crafted.decisionDate;
    await page.fill('#v-decisionDate', truth);
    const save = page.locator('form.field[data-field="decisionDate"] .save');
    await expect.poll(() => save.isVisible()).toBe(true);
    // Typed key by key: the `a`s and `n`s in it are text, not shortcuts.
    await save
      .locator('input.reason')
      .pressSequentially(`header says ${first!.crafted.printed}; the date is ${truth}`);
    expect(page.url()).toBe(`${url}/review/${first!.sha256}`);
    await save.locator('button[type="submit"]').click();
    const corrected = page.locator('form.field.corrected[data-field="decisionDate"]');
    await corrected.waitFor();
    expect(await page.inputValue('#v-decisionDate')).toBe(truth);
    expect(await corrected.locator('.machine').textContent()).toContain('(empty)');
    expect(await corrected.locator('.machine').textContent()).toContain('Dana QA');
    expect(await page.locator('.history').textContent()).toContain('correct');
    await imagesLoaded(page);
    await page.click('#v-caseNumber');
    await page.locator('#v-caseNumber').press('Escape');
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(ARTIFACTS, 'review-letter.png') });

    await page.keyboard.press('a');
    await page.waitForURL(`${url}/review/${second!.sha256}`);
    // The name came along (localStorage).
    expect(await page.inputValue('#author')).toBe('Dana QA');

    const sha = first!.sha256;
    const corrections = await pipeline.store.listCorrections(sha);
    expect(corrections).toHaveLength(1);
    expect(corrections[0]).toMatchObject({
      field: 'decisionDate',
      value: truth,
      machineValue: null,
      author: 'Dana QA',
      reason: `header says ${first!.crafted.printed}; the date is ${truth}`,
    });
    const audit = await pipeline.store.listAudit(sha);
    expect(audit.map((a) => a.action)).toEqual(['correct', 'approve']);
    expect(audit.every((a) => a.author === 'Dana QA')).toBe(true);
    expect(await pipeline.store.getReview(sha)).toMatchObject({ state: 'approved', author: 'Dana QA' });
    expect((await pipeline.store.getDocument(sha))?.status).toBe('done');
    const queue = (await pipeline.store.listReviewQueue()).map((r) => r.sha256);
    expect(queue).not.toContain(sha);
    expect(queue).toContain(second!.sha256);
    expect((await pipeline.store.getCorrectedRecord(sha))?.decisionDate).toBe(truth);

    // The per-letter export was rewritten from the corrected record...
    const perLetter = JSON.parse(
      await readFile(join(env.config.exportDir, 'records', `${sha}.json`), 'utf8'),
    );
    expect(perLetter.decisionDate).toBe(truth);
    // ...and `imr export` writes the corrected value too.
    const out = join(env.root, 'export-out');
    const err = sink();
    const code = await imr(
      ['export', '--format', 'jsonl,csv', '--out', out, '--db', env.config.databaseUrl],
      {
        stdout: err.stream,
        stderr: err.stream,
        env: {},
      },
    );
    expect(code, err.text()).toBe(0);
    const lines = (await readFile(join(out, 'letters.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.sha256 === sha)?.decisionDate).toBe(truth);
    const csv = await readFile(join(out, 'items.csv'), 'utf8');
    expect(csv).toContain(truth);

    // Back in the queue: the letter is gone.
    await page.goto(`${url}/review`);
    expect(await page.locator('tr.qrow').count()).toBe(queue.length);
    expect(await page.locator('table.queue').textContent()).not.toContain(first!.name);
  });

  it('adds and removes items, and rejects with a reason', async () => {
    const [, second] = letters;
    const sha = second!.sha256;
    await page.goto(`${url}/review/${sha}`);
    await page.locator('details.add-item-box summary').click();
    const add = page.locator('form#add-item');
    await add.locator('input[name="description"]').fill('Physical therapy, 6 sessions');
    await add.locator('input[name="quantity"]').fill('6');
    await add.locator('select[name="decision"]').selectOption('overturned');
    await add.locator('input[name="reason"]').fill('item 3 on page 2 was missed');
    await add.locator('button[type="submit"]').click();
    await page.locator('section.item.added').waitFor();
    expect(await page.inputValue('section.item.added .value[data-field$=".description"]')).toBe(
      'Physical therapy, 6 sessions',
    );

    const firstItem = page.locator('section.item#item-0');
    await firstItem.locator('form.remove-item input[name="reason"]').fill('a duplicate of item 2');
    await firstItem.locator('form.remove-item button').click();
    await page.locator('section.item.removed#item-0').waitFor();

    await page.fill('#reject-reason', 'not an IMR letter of ours');
    await page.click('#reject');
    await page.waitForURL((u) => !u.pathname.endsWith(sha));
    await page.goto(`${url}/review`);
    expect(await page.locator('main').textContent()).not.toContain(second!.name);

    const corrections = await pipeline.store.listCorrections(sha);
    expect(corrections.map((c) => [c.field, c.value === null])).toEqual([
      ['items.2', false],
      ['items.0', true],
    ]);
    const corrected = await pipeline.store.getCorrectedRecord(sha);
    expect(corrected?.items.map((i) => i.description)).toContain('Physical therapy, 6 sessions');
    expect(corrected?.items).toHaveLength(2);
    expect(await pipeline.store.getReview(sha)).toMatchObject({
      state: 'rejected',
      reason: 'not an IMR letter of ours',
    });
    expect((await pipeline.store.listAudit(sha)).map((a) => a.action)).toEqual([
      'correct',
      'correct',
      'reject',
    ]);
  });

  it('shows the gold accuracy of the approved letters', async () => {
    await page.goto(`${url}/gold`);
    const table = page.locator('table.grid');
    await table.waitFor();
    const text = await table.textContent();
    expect(text).toContain((await pipeline.store.goldScores())[0]!.parserVersion);
    await page.screenshot({ path: join(ARTIFACTS, 'gold.png') });
  });

  it('had no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
