import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { CANONICAL_SPECIALTIES } from '../../src/pipeline/validate/specialties.js';
import { createStore } from '../../src/store/create-store.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import {
  type ExpectedItem,
  expectedItems,
  makeLetters,
  type StoredLetter,
  storeLetters,
} from '../helpers/analytics-letters.js';
import { launchChromium } from '../helpers/browser.js';
import { csvObjects } from '../helpers/csv.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const FROM = '2015-01-01';

let env: TestEnv;
let pipeline: Pipeline;
let browser: Browser;
let page: Page;
let url: string;
let letters: StoredLetter[];
let expected: ExpectedItem[];
const pageErrors: string[] = [];

beforeAll(async () => {
  env = await createTestEnv('sqlite');
  letters = await makeLetters(Array.from({ length: 30 }, (_, i) => 300 + i));
  expected = expectedItems(letters);
  // Letters stored as the pipeline leaves them; then the real server (workers/main.ts) over that database.
  const store = createStore(env.config.databaseUrl);
  await store.migrate();
  await storeLetters(store, letters);
  await store.close();
  pipeline = await startPipeline(
    env.config,
    { workers: false, watcher: false, server: true },
    silentLogger(),
  );
  url = pipeline.url!;
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  // Tall enough for the filters, the three charts and the start of the table in one screenshot.
  page = await browser.newPage({ viewport: { width: 1440, height: 1700 }, acceptDownloads: true });
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

interface ChartState {
  categories: string[];
  specialties: { label: string; items: number }[];
  periods: { label: string; items: number }[];
  summary: string;
}

async function chartState(p: Page): Promise<ChartState> {
  const rows = async (selector: string) =>
    Promise.all(
      (await p.locator(selector).all()).map(async (el) => ({
        label: (await el.getAttribute('data-label')) ?? '',
        items: Number(await el.getAttribute('data-items')),
      })),
    );
  return {
    categories: (await rows('#chart-category .row')).map((r) => r.label),
    specialties: await rows('#chart-specialty .row'),
    periods: await rows('#chart-time .period'),
    summary: (await p.locator('#summary').textContent()) ?? '',
  };
}

const pharmacyFrom = () =>
  expected.filter((i) => i.category === 'pharmacy' && i.decision_date !== null && i.decision_date >= FROM);

describe('analyst dashboard in a browser', () => {
  it('links the dashboard from the home page', async () => {
    await page.goto(`${url}/`);
    await page.locator('main a[href="/dashboard"]').click();
    await page.waitForURL(`${url}/dashboard`);
    expect(await page.locator('.topbar nav a[aria-current="page"]').textContent()).toBe('Dashboard');
  });

  it('applies filters: the charts, the table and the CSV follow them', async () => {
    await page.goto(`${url}/dashboard`);
    const before = await chartState(page);
    expect(before.summary).toContain(`${expected.length} items in ${letters.length} letters`);
    expect(before.categories.length).toBeGreaterThan(3);
    expect(before.categories).toContain('pharmacy');
    expect(before.periods.reduce((s, p) => s + p.items, 0)).toBe(
      expected.filter((i) => i.decision_date !== null).length,
    );
    // Every bar, line and label is drawn: the charts are not empty boxes.
    expect(await page.locator('#chart-category rect.bar').count()).toBe(before.categories.length);
    expect(await page.locator('#chart-time rect.vol').count()).toBeGreaterThan(4);
    expect(await page.locator('#chart-time path.rate-line').getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+ L/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png') });

    await page.selectOption('#f-category', 'pharmacy');
    await page.fill('#f-from', FROM);
    await page.click('#apply');
    await page.waitForURL(/category=pharmacy/);
    expect(new URL(page.url()).searchParams.get('from')).toBe(FROM);

    const want = pharmacyFrom();
    const after = await chartState(page);
    expect(after.summary).toContain(`${want.length} item`);
    expect(after.categories).toEqual(['pharmacy']);
    expect(after.specialties).not.toEqual(before.specialties);
    expect(after.specialties.reduce((s, r) => s + r.items, 0)).toBe(want.length);
    expect(after.periods.reduce((s, p) => s + p.items, 0)).toBe(want.length);
    expect(after.periods[0]!.label.slice(0, 4) >= '2015').toBe(true);
    // The form keeps the filters it shows.
    expect(await page.inputValue('#f-category')).toBe('pharmacy');
    expect(await page.inputValue('#f-from')).toBe(FROM);

    // The table: only those items, each linking to its letter's review page.
    const rows = page.locator('#items tbody tr');
    expect(await rows.count()).toBe(Math.min(want.length, 50));
    for (const text of await rows.locator('td:nth-child(4)').allTextContents())
      expect(text).toMatch(/^pharmacy/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-filtered.png') });

    // The CSV download holds exactly the filtered items.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-link')]);
    expect(download.suggestedFilename()).toBe('items.csv');
    const csv = csvObjects(await readFile(await download.path(), 'utf8'));
    expect(csv.length).toBe(want.length);
    expect(csv.map((r) => `${r.sha256}:${r.idx}`).sort()).toEqual(
      want.map((i) => `${i.sha256}:${i.idx}`).sort(),
    );
    for (const r of csv) {
      expect(r.category).toBe('pharmacy');
      expect(r.decision_date! >= FROM).toBe(true);
    }

    // An item opens its letter's review page.
    const first = rows.first().locator('td.desc a');
    const href = (await first.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/review\/[0-9a-f]{64}$/);
    await first.click();
    await page.waitForURL(`${url}${href}`);
    expect(await page.locator('.form-pane h1').textContent()).toMatch(/^synthetic-\d+\.pdf$/);
  });

  it('narrows to a specialty when its bar is clicked, and resets', async () => {
    await page.goto(`${url}/dashboard`);
    const bar = page.locator('#chart-specialty a.row').first();
    const label = (await bar.getAttribute('data-label')) ?? '';
    const items = Number(await bar.getAttribute('data-items'));
    await bar.click();
    await page.waitForURL(/specialty=/);
    expect(new URL(page.url()).searchParams.get('specialty')).toBe(label);
    expect(await page.inputValue('#f-specialty')).toBe(label);
    expect((await chartState(page)).summary).toContain(`${items} item`);
    await page.click('#reset');
    await page.waitForURL(`${url}/dashboard`);
    expect((await chartState(page)).summary).toContain(`${expected.length} items`);
  });

  it("groups by canonical primary specialty, or by each of a letter's specialties", async () => {
    await page.goto(`${url}/dashboard`);
    expect(await page.locator('#chart-specialty').getAttribute('aria-label')).toContain('primary');
    const primary = (await chartState(page)).specialties;
    // Every named bar is a canonical name, with the items of the letters whose first specialty it is.
    const named = await page.locator('#chart-specialty a.row').all();
    expect(named.length).toBeGreaterThan(1);
    for (const bar of named) {
      const label = (await bar.getAttribute('data-label')) ?? '';
      expect(CANONICAL_SPECIALTIES).toContain(label);
      expect(Number(await bar.getAttribute('data-items'))).toBe(
        expected.filter((i) => i.primary_specialty === label).length,
      );
    }
    expect(primary.reduce((s, r) => s + r.items, 0)).toBe(expected.length);
    // The select offers the canonical primary names only, never a printed spelling.
    const options = (await page.locator('#f-specialty option').allTextContents()).slice(1);
    expect(options).toEqual([...new Set(expected.flatMap((i) => i.primary_specialty ?? []))].sort());
    // The table shows the canonical name, with the printed value under it where it reads otherwise.
    const printedDiffers = expected.some((i) => i.reviewer_specialty !== i.primary_specialty);
    expect((await page.locator('#items .printed-specialty').count()) > 0).toBe(printedDiffers);

    await page.check('#f-each-specialty');
    await page.click('#apply');
    await page.waitForURL(/each_specialty=1/);
    expect(await page.isChecked('#f-each-specialty')).toBe(true);
    const each = (await chartState(page)).specialties;
    // Each letter's items count once under each of its specialties (once as "not stated" without one).
    expect(each.reduce((s, r) => s + r.items, 0)).toBe(
      expected.reduce((s, i) => s + Math.max(1, i.specialties.length), 0),
    );
    expect(each).not.toEqual(primary);

    // A specialty some letter names after its first one: found only when counting each specialty.
    const second = expected.find((i) => i.specialties.slice(1).some((s) => s !== i.primary_specialty));
    expect(second, 'a synthetic letter with a second specialty').toBeDefined();
    const name = second!.specialties.find(
      (s, k) => k > 0 && !expected.some((i) => i.primary_specialty === s),
    );
    const target = name ?? second!.specialties[1]!;
    await page.selectOption('#f-specialty', target);
    await page.click('#apply');
    await page.waitForURL(/specialty=/);
    const withIt = expected.filter((i) => i.specialties.includes(target)).length;
    expect((await chartState(page)).summary).toContain(`${withIt} item`);
    await page.uncheck('#f-each-specialty');
    await page.click('#apply');
    await page.waitForURL((u) => !u.searchParams.has('each_specialty'));
    const asPrimary = expected.filter((i) => i.primary_specialty === target).length;
    expect((await chartState(page)).summary).toContain(`${asPrimary} item`);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-specialty.png') });
  });

  it('shows a 400 page for a bad filter, and an empty state when nothing matches', async () => {
    // Fetched beside the page: a 400 navigation would log a console error.
    const bad = await page.request.get(`${url}/dashboard?from=2016-02-30`);
    expect(bad.status()).toBe(400);
    expect(await bad.text()).toContain('from: not a calendar date');
    await page.goto(`${url}/dashboard?q=${encodeURIComponent('no such item anywhere')}`);
    expect(await page.locator('#summary').textContent()).toContain('0 items in 0 letters');
    expect(await page.locator('.empty').textContent()).toContain('No items');
    expect(await page.locator('#chart-category .empty-note').textContent()).toContain('No items');
  });

  it('had no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
