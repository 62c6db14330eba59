import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { createStore } from '../../src/store/create-store.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { launchChromium } from '../helpers/browser.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { type CraftedLetter, letterWithBadDecisionDate } from '../helpers/review-letters.js';

let env: TestEnv;
let pipeline: Pipeline;
let browser: Browser;
let url: string;
let sha: string;
let crafted: CraftedLetter;
const tokens: Record<'reviewer' | 'analyst', string> = { reviewer: '', analyst: '' };
const pageErrors: string[] = [];

beforeAll(async () => {
  env = await createTestEnv('sqlite');
  // A letter that needs review and two users, stored before the server starts.
  const store = createStore(env.config.databaseUrl);
  try {
    await store.migrate();
    crafted = await letterWithBadDecisionDate(21);
    const { record, text } = await processPdf('bad-date-21.pdf', crafted.pdf);
    sha = record.sha256;
    await store.registerFile({ sha256: sha, path: '/inbox/bad-date-21.pdf', bytes: crafted.pdf });
    await store.saveText(sha, text!);
    await store.saveRecord(record);
    await store.setStatus(sha, 'needs_review');
    tokens.reviewer = (await store.users.add({ name: 'Ann Reviewer', role: 'reviewer' })).token;
    tokens.analyst = (await store.users.add({ name: 'Bob Analyst', role: 'analyst' })).token;
  } finally {
    await store.close();
  }
  pipeline = await startPipeline(
    env.config,
    { workers: false, watcher: false, server: true },
    silentLogger(),
  );
  url = pipeline.url!;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await pipeline?.shutdown();
  await env?.cleanup();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // A name typed into the Reviewer box in an earlier, single-user life of this browser.
  await context.addInitScript("localStorage.setItem('imr.author', 'Mallory')");
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { context, page };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${url}/review/${sha}`);
  await page.waitForURL(/\/signin\?next=/);
  await page.fill('#signin-token', token);
  await page.click('#signin-form button[type="submit"]');
  await page.waitForURL(`${url}/review/${sha}`);
}

describe('users in a browser', () => {
  it('signs a reviewer in and records their correction under the signed-in name', async () => {
    const { context, page } = await newPage();
    // Not signed in: any page leads to the sign-in form; a wrong token keeps you there.
    await page.goto(`${url}/review/${sha}`);
    await page.waitForURL(/\/signin\?next=/);
    await page.fill('#signin-token', `imr_${'x'.repeat(43)}`);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForURL(/failed=1/);
    expect(await page.locator('[role="alert"]').textContent()).toContain('Unknown or removed token');

    await page.fill('#signin-token', tokens.reviewer);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForURL(`${url}/review/${sha}`);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'imr_user');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(session?.value).not.toContain(tokens.reviewer.slice(4));
    // Page script cannot read the session.
    expect(await page.evaluate('document.cookie')).not.toContain('imr_user');

    // The Reviewer box names the signed-in person and cannot be changed.
    expect(await page.inputValue('#author')).toBe('Ann Reviewer');
    expect(await page.locator('#author').getAttribute('readonly')).not.toBeNull();

    await page.fill('#v-decisionDate', crafted.decisionDate);
    const save = page.locator('form.field[data-field="decisionDate"] .save');
    await expect.poll(() => save.isVisible()).toBe(true);
    await save.locator('input.reason').fill('the header has a typo');
    await save.locator('button[type="submit"]').click();
    const corrected = page.locator('form.field.corrected[data-field="decisionDate"]');
    await corrected.waitFor();
    expect(await corrected.locator('.machine').textContent()).toContain('Ann Reviewer');
    expect(await page.locator('.history').textContent()).toContain('by Ann Reviewer');

    const corrections = await pipeline.store.listCorrections(sha);
    expect(corrections.at(-1)).toMatchObject({
      field: 'decisionDate',
      value: crafted.decisionDate,
      author: 'Ann Reviewer',
    });
    const audit = await pipeline.store.listAudit(sha);
    expect(audit.map((a) => [a.action, a.author])).toEqual([['correct', 'Ann Reviewer']]);

    // Signing out ends the session: the next page asks to sign in again.
    await page.click('#signout');
    await page.waitForURL(/\/signin/);
    expect((await context.cookies()).some((c) => c.name === 'imr_user')).toBe(false);
    await page.goto(`${url}/review`);
    await page.waitForURL(/\/signin\?next=%2Freview/);
    await context.close();
  });

  it('shows an analyst the letter without any form to correct or decide', async () => {
    const { context, page } = await newPage();
    await signIn(page, tokens.analyst);
    expect(await page.inputValue('#author')).toBe('Bob Analyst');
    expect(await page.locator('#read-only').isVisible()).toBe(true);
    expect(await page.locator('#approve').count()).toBe(0);
    expect(await page.locator('#add-item').count()).toBe(0);
    expect(await page.locator('#v-caseNumber').isDisabled()).toBe(true);
    // The dashboard is theirs to read.
    const res = await page.goto(`${url}/dashboard`);
    expect(res?.status()).toBe(200);
    await context.close();
    expect(pageErrors).toEqual([]);
  });
});
