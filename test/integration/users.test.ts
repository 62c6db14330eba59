import Database from 'better-sqlite3';
import type { Hono } from 'hono';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { Queues, redisConnection } from '../../src/queue/queues.js';
import { createApp } from '../../src/server/app.js';
import { type AppEnv, userSessionValue } from '../../src/server/security.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { hashToken, UserInputError } from '../../src/store/users-store.js';
import { imr } from '../../workers/imr.js';
import { sink } from '../helpers/cli.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { letterWithBadDecisionDate } from '../helpers/review-letters.js';

const ORIGIN = 'http://127.0.0.1';
const SHARED_TOKEN = 'shared-token-0123456789abcdef';
const TOKEN_SHAPE = /^imr_[A-Za-z0-9_-]{43}$/;

/** Runs `imr users ...` in process against this database: exit code, stdout, stderr. */
async function users(databaseUrl: string, ...argv: string[]) {
  const out = sink();
  const err = sink();
  const code = await imr(['users', ...argv], {
    stdout: out.stream,
    stderr: err.stream,
    env: { DATABASE_URL: databaseUrl },
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Every value of every row of the users table, read as any SQL client would (not through the store). */
async function rawUserRows(url: string): Promise<string> {
  if (url.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return JSON.stringify((await client.query('select * from users')).rows);
    } finally {
      await client.end();
    }
  }
  const db = new Database(url, { readonly: true });
  try {
    return JSON.stringify(db.prepare('select * from users').all());
  } finally {
    db.close();
  }
}

describe.each(['sqlite', 'postgres'] as const)('users on %s', (dialect) => {
  let env: TestEnv;
  let store: Store;
  let connection: ReturnType<typeof redisConnection>;
  let queues: Queues;
  let app: Hono<AppEnv>;
  let sha: string;
  let ann: string;
  let bob: string;

  beforeAll(async () => {
    env = await createTestEnv(dialect);
    store = createStore(env.config.databaseUrl);
    await store.migrate();
    const { pdf } = await letterWithBadDecisionDate(11);
    const { record, text } = await processPdf('bad-date.pdf', pdf);
    sha = record.sha256;
    await store.registerFile({ sha256: sha, path: '/inbox/bad-date.pdf', bytes: pdf });
    await store.saveText(sha, text!);
    await store.saveRecord(record);
    await store.setStatus(sha, 'needs_review');
    connection = redisConnection(env.config.redisUrl);
    queues = new Queues(connection, env.config.queuePrefix);
    app = createApp({ store, queues, databaseUrl: env.config.databaseUrl });
  }, 60_000);

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await store?.close();
    await env?.cleanup();
  });

  const request = (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const correct = (headers: Record<string, string>, body: Record<string, unknown>) =>
    request(`/review/${sha}/correct`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('without users, loopback stays open and the typed name is the author (as before)', async () => {
    expect(await store.users.any()).toBe(false);
    expect((await request('/review')).status).toBe(200);
    expect((await request('/api/status')).status).toBe(200);
    // As a browser would: the page's CSRF cookie and token, the name from the Reviewer box.
    const page = await request('/review');
    const cookie = /imr_csrf=[^;]+/.exec(page.headers.get('set-cookie') ?? '')![0];
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(await page.text())![1]!;
    const res = await correct(
      { cookie, 'x-csrf-token': csrf },
      { field: 'caseNumber', value: 'CM00-0000001', author: 'Typed Name' },
    );
    expect(res.status).toBe(200);
    expect((await store.listCorrections(sha)).at(-1)?.author).toBe('Typed Name');
    // No one to sign in as: the sign-in page sends you home.
    const signin = await request('/signin');
    expect(signin.status).toBe(303);
    expect(signin.headers.get('location')).toBe('/');
  });

  it('imr users add prints the token once and stores only its hash', async () => {
    const added = await users(env.config.databaseUrl, 'add', 'Ann Reviewer', '--role', 'reviewer');
    expect(added.code, added.stderr).toBe(0);
    ann = added.stdout.trim();
    expect(ann).toMatch(TOKEN_SHAPE);
    expect(added.stderr).toContain('Ann Reviewer (reviewer)');
    const analyst = await users(env.config.databaseUrl, 'add', 'Bob', '--role', 'analyst');
    expect(analyst.code).toBe(0);
    bob = analyst.stdout.trim();
    expect(bob).toMatch(TOKEN_SHAPE);
    expect(bob).not.toBe(ann);

    const raw = await rawUserRows(env.config.databaseUrl);
    expect(raw).toContain('Ann Reviewer');
    for (const token of [ann, bob]) {
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(token.slice(4));
      expect(raw).toContain(hashToken(token));
    }
    const list = await users(env.config.databaseUrl, 'list');
    expect(list.stdout).toMatch(/Ann Reviewer\s+reviewer/);
    expect(list.stdout).toMatch(/Bob\s+analyst/);
    expect(list.stdout).not.toContain(ann);

    expect((await users(env.config.databaseUrl, 'add', 'Ann Reviewer', '--role', 'analyst')).code).toBe(1);
    expect((await users(env.config.databaseUrl, 'add', 'Carol', '--role', 'admin')).code).toBe(2);
    await expect(store.users.add({ name: 'Bob', role: 'reviewer' })).rejects.toBeInstanceOf(UserInputError);
    expect((await users(env.config.databaseUrl, '--help')).stdout).toContain('--role reviewer');
  });

  it('with users, every page and API call needs one, on loopback too', async () => {
    expect((await request('/api/status')).status).toBe(401);
    expect((await request(`/api/review/${sha}`)).status).toBe(401);
    expect((await request(`/review/${sha}/page/1`)).status).toBe(401);
    const page = await request(`/review/${sha}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/signin?next=${encodeURIComponent(`/review/${sha}`)}`);
    // A correction without a user is refused, whatever name the form carries.
    expect((await correct({}, { field: 'caseNumber', value: 'X', author: 'Ann Reviewer' })).status).toBe(401);
    // The stylesheet and the sign-in page are open.
    expect((await request('/static/app.css')).status).toBe(200);
    expect((await request('/signin')).status).toBe(200);
  });

  it('refuses a wrong token, a shared IMR_TOKEN and a forged session (401)', async () => {
    const wrong = `imr_${'A'.repeat(43)}`;
    for (const token of [wrong, 'not-a-token', ann.slice(0, -1)]) {
      const res = await request('/api/status', { headers: bearer(token) });
      expect(res.status, token).toBe(401);
    }
    // The shared token opens nothing once users exist.
    const shared = createApp({ store, queues, token: SHARED_TOKEN });
    expect((await shared.request(`${ORIGIN}/api/status`, { headers: bearer(SHARED_TOKEN) })).status).toBe(
      401,
    );
    expect((await shared.request(`${ORIGIN}/api/status`, { headers: bearer(ann) })).status).toBe(200);
    const forged = `${1}.${Date.now() + 3600_000}.${'A'.repeat(43)}`;
    expect((await request('/api/status', { headers: { cookie: `imr_user=${forged}` } })).status).toBe(401);
  });

  it('an analyst reads (dashboard, API, review pages) but gets 403 on every correcting route', async () => {
    const dashboard = await request('/dashboard', { headers: bearer(bob) });
    expect(dashboard.status).toBe(200);
    expect((await request('/api/items', { headers: bearer(bob) })).status).toBe(200);
    expect((await request(`/api/review/${sha}`, { headers: bearer(bob) })).status).toBe(200);
    const before = (await store.listCorrections(sha)).length;
    const refused = await correct(bearer(bob), {
      field: 'caseNumber',
      value: 'CM99-9999999',
      author: 'Ann Reviewer',
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/analyst/);
    for (const action of ['approve', 'reject', 'reopen', 'items', 'items/0/remove']) {
      const res = await request(`/review/${sha}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(bob) },
        body: JSON.stringify({ reason: 'no' }),
      });
      expect(res.status, action).toBe(403);
    }
    expect(await store.listCorrections(sha)).toHaveLength(before);
    expect(await store.getReview(sha)).toBeNull();
    // Their review page offers no form to correct or decide, and names them read-only.
    const page = await (await request(`/review/${sha}`, { headers: bearer(bob) })).text();
    expect(page).toContain('id="read-only"');
    expect(page).not.toContain('id="approve-form"');
    expect(page).not.toContain('id="add-item"');
    expect(page).toMatch(/<input id="author" name="author" value="Bob" readonly/);
  });

  it("records a reviewer's correction and approval under their name, whatever the form says", async () => {
    const res = await correct(bearer(ann), {
      field: 'caseNumber',
      value: 'CM11-1111111',
      author: 'Mallory',
      reason: 'as printed',
    });
    expect(res.status).toBe(200);
    const correction = (await store.listCorrections(sha)).at(-1);
    expect(correction).toMatchObject({ field: 'caseNumber', value: 'CM11-1111111', author: 'Ann Reviewer' });
    const approved = await request(`/review/${sha}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(ann) },
      body: JSON.stringify({ author: 'Mallory' }),
    });
    expect(approved.status).toBe(200);
    expect(await store.getReview(sha)).toMatchObject({ state: 'approved', author: 'Ann Reviewer' });
    const audit = await store.listAudit(sha);
    expect(audit.slice(-2).map((a) => [a.action, a.author])).toEqual([
      ['correct', 'Ann Reviewer'],
      ['approve', 'Ann Reviewer'],
    ]);
    expect(audit.some((a) => a.author === 'Mallory')).toBe(false);
  });

  it('signs a browser in with a Strict HttpOnly session cookie (CSRF-checked) and out again', async () => {
    const form = await request('/signin?next=%2Freview');
    const csrfCookie = /imr_csrf=([^;]+)/.exec(form.headers.get('set-cookie') ?? '')?.[1];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(csrfCookie && csrf).toBeTruthy();
    const post = (
      path: string,
      fields: Record<string, string>,
      cookie: string,
      extra: Record<string, string> = {},
    ) =>
      request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...extra },
        body: new URLSearchParams(fields).toString(),
      });
    // What Chromium sends for a plain form post under Referrer-Policy: no-referrer.
    const formPost = { origin: 'null', 'sec-fetch-site': 'same-origin' };
    const jar = `imr_csrf=${csrfCookie}`;
    // Without the CSRF token: refused before the token is even looked at.
    expect((await post('/signin', { token: ann, next: '/review' }, jar)).status).toBe(403);
    const wrong = await post(
      '/signin',
      { _csrf: csrf!, token: `imr_${'B'.repeat(43)}`, next: '/review' },
      jar,
    );
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toContain('failed=1');
    expect(wrong.headers.get('set-cookie') ?? '').not.toContain('imr_user=');
    // An address elsewhere is never where signing in leads.
    const offsite = await post('/signin', { _csrf: csrf!, token: ann, next: '//evil.example/' }, jar);
    expect(offsite.headers.get('location')).toBe('/');

    // An opaque origin is taken only when Sec-Fetch-Site vouches for it.
    const opaque = await post('/signin', { _csrf: csrf!, token: ann, next: '/review' }, jar, {
      origin: 'null',
    });
    expect(opaque.status).toBe(403);
    const signed = await post('/signin', { _csrf: csrf!, token: ann, next: '/review' }, jar, formPost);
    expect(signed.status).toBe(303);
    expect(signed.headers.get('location')).toBe('/review');
    const setCookie = signed.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/imr_user=[^;]+;.*HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(ann);
    expect(setCookie).not.toContain(ann.slice(4));
    const session = /imr_user=[^;]+/.exec(setCookie)![0];
    const cookies = `${jar}; ${session}`;

    const page = await request(`/review/${sha}`, { headers: { cookie: cookies } });
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toMatch(/<input id="author" name="author" value="Ann Reviewer" readonly/);
    expect(body).toContain('id="signout"');
    // A session's form post still needs the CSRF token...
    expect((await post(`/review/${sha}/reopen`, { author: 'Mallory' }, cookies)).status).toBe(403);
    // ...and with it, the signed-in name is the author.
    const reopened = await post(`/review/${sha}/reopen`, { _csrf: csrf!, author: 'Mallory' }, cookies);
    expect(reopened.status).toBe(303);
    expect(await store.getReview(sha)).toMatchObject({ state: 'pending', author: 'Ann Reviewer' });

    const out = await post('/signout', { _csrf: csrf! }, cookies);
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie') ?? '').toMatch(/imr_user=;.*Max-Age=0/);
  });

  it('a removed user is refused at once: token and browser sessions (401)', async () => {
    const { token: carol, user } = await store.users.add({ name: 'Carol', role: 'reviewer' });
    expect((await request('/api/status', { headers: bearer(carol) })).status).toBe(200);
    const appWithSecret = createApp({ store, queues, sessionSecret: Buffer.alloc(32, 7) });
    const session = `imr_user=${userSessionValue(Buffer.alloc(32, 7), user)}`;
    expect(
      (await appWithSecret.request(`${ORIGIN}/api/status`, { headers: { cookie: session } })).status,
    ).toBe(200);

    const removed = await users(env.config.databaseUrl, 'remove', 'Carol');
    expect(removed.code, removed.stderr).toBe(0);
    expect((await request('/api/status', { headers: bearer(carol) })).status).toBe(401);
    expect(
      (await appWithSecret.request(`${ORIGIN}/api/status`, { headers: { cookie: session } })).status,
    ).toBe(401);
    expect(await rawUserRows(env.config.databaseUrl)).not.toContain(hashToken(carol));
    expect((await users(env.config.databaseUrl, 'remove', 'Carol')).code).toBe(1);
    const list = await users(env.config.databaseUrl, 'list', '--json');
    const carolRow = (JSON.parse(list.stdout) as { name: string; removedAt: string | null }[]).find(
      (u) => u.name === 'Carol',
    );
    expect(carolRow?.removedAt).toBeTruthy();

    // Added again (the same person, a new token): the old token stays dead.
    const again = await users(env.config.databaseUrl, 'add', 'Carol', '--role', 'analyst');
    expect(again.code).toBe(0);
    expect((await request('/api/status', { headers: bearer(carol) })).status).toBe(401);
    expect((await request('/api/status', { headers: bearer(again.stdout.trim()) })).status).toBe(200);
    expect(
      (await appWithSecret.request(`${ORIGIN}/api/status`, { headers: { cookie: session } })).status,
    ).toBe(401);
  });

  it('once the last user is removed, loopback is open again', async () => {
    for (const u of await store.users.list()) if (!u.removedAt) await store.users.remove(u.name);
    expect(await store.users.any()).toBe(false);
    expect((await request('/api/status')).status).toBe(200);
  });
});
