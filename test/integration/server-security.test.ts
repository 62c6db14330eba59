import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Config } from '../../schemas/config.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { Queues, redisConnection } from '../../src/queue/queues.js';
import { createApp } from '../../src/server/app.js';
import { html, jsonForScript } from '../../src/server/html.js';
import type { AppEnv } from '../../src/server/security.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { startPipeline } from '../../workers/main.js';
import { launchChromium } from '../helpers/browser.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { letterWithMarkup, MARKUP } from '../helpers/review-letters.js';

const TOKEN = 'test-token-0123456789abcdef';
const ORIGIN = 'http://127.0.0.1';

let env: TestEnv;
let store: Store;
let connection: ReturnType<typeof redisConnection>;
let queues: Queues;
let sha: string;

beforeAll(async () => {
  env = await createTestEnv('sqlite');
  store = createStore(env.config.databaseUrl);
  await store.migrate();
  connection = redisConnection(env.config.redisUrl);
  queues = new Queues(connection, env.config.queuePrefix);
  // A letter whose text carries markup, stored as the pipeline would store it.
  const { pdf } = await letterWithMarkup(9);
  const { record, text } = await processPdf('markup.pdf', pdf);
  expect(record.reviewer.specialty).toContain('<script>');
  sha = record.sha256;
  await store.registerFile({ sha256: sha, path: '/inbox/markup.pdf', bytes: pdf });
  await store.saveText(sha, text!);
  await store.saveRecord(record);
  await store.setStatus(sha, 'needs_review');
});

afterAll(async () => {
  await queues?.close();
  connection?.disconnect();
  await store?.close();
  await env?.cleanup();
});

/** The CSRF cookie and the token a page embeds for it, as a browser would get them. */
async function csrfFor(app: Hono<AppEnv>, headers: Record<string, string> = {}) {
  const res = await app.request(`${ORIGIN}/review`, { headers });
  expect(res.status).toBe(200);
  const cookie = /imr_csrf=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await res.text())?.[1];
  if (!cookie || !token) throw new Error('no CSRF cookie or token');
  return { cookie: `imr_csrf=${cookie}`, token };
}

function approve(app: Hono<AppEnv>, headers: Record<string, string>, body: unknown = { author: 'Mallory' }) {
  return app.request(`${ORIGIN}/review/${sha}/approve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('binding and access token', () => {
  it('refuses to start a server on a non-loopback address without a token', async () => {
    const config = Config.parse({ ...env.config, server: { host: '0.0.0.0', port: 0 } });
    await expect(
      startPipeline(config, { workers: false, watcher: false, server: true }, silentLogger()),
    ).rejects.toThrow(/refusing to start the web server on 0\.0\.0\.0.*IMR_TOKEN/s);
    // Loopback without a token, and any address with one, are fine.
    for (const server of [
      { host: '127.0.0.1', port: 0 },
      { host: '0.0.0.0', port: 0, token: TOKEN },
    ]) {
      const p = await startPipeline(
        Config.parse({ ...env.config, server }),
        { workers: false, watcher: false, server: true },
        silentLogger(),
      );
      expect(p.url).toMatch(/^http:/);
      await p.shutdown();
    }
  });

  it('reads the token from IMR_TOKEN and refuses a short one', () => {
    expect(loadConfig({ IMR_TOKEN: TOKEN }).server.token).toBe(TOKEN);
    expect(loadConfig({}).server.token).toBeUndefined();
    expect(() => loadConfig({ IMR_TOKEN: 'short' })).toThrow(/IMR_TOKEN: the access token needs at least 16/);
  });

  it('rejects every request without the token; takes it as Bearer or once as ?token= (then a cookie)', async () => {
    const app = createApp({ store, queues, token: TOKEN });
    for (const path of [
      '/',
      '/review',
      `/review/${sha}`,
      `/review/${sha}/page/1`,
      '/api/status',
      '/gold',
      '/queues',
      '/queues/api/queues',
      '/queues/static/js/main.f10757109b.js',
    ]) {
      const res = await app.request(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text(), path).not.toContain('Surgery');
    }
    // Only the page's own stylesheet and script are public (the token page uses them).
    expect((await app.request(`${ORIGIN}/static/app.css`)).status).toBe(200);
    expect(
      (await app.request(`${ORIGIN}/review`, { headers: { authorization: 'Bearer wrong-token-0123456789' } }))
        .status,
    ).toBe(401);
    expect(
      (await app.request(`${ORIGIN}/review`, { headers: { cookie: 'imr_session=forged' } })).status,
    ).toBe(401);
    expect((await app.request(`${ORIGIN}/review?token=wrong`)).status).toBe(401);

    const bearer = await app.request(`${ORIGIN}/api/status`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.status).toBe(200);

    const visit = await app.request(`${ORIGIN}/review?code=missing_field&token=${TOKEN}`);
    expect(visit.status).toBe(303);
    expect(visit.headers.get('location')).toBe('/review?code=missing_field');
    const setCookie = visit.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/imr_session=[^;]+;.*HttpOnly/);
    expect(setCookie).not.toContain(TOKEN);
    const session = /imr_session=[^;]+/.exec(setCookie)![0];
    const page = await app.request(`${ORIGIN}/review?code=missing_field`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('markup.pdf');
    // Bull Board sits behind the same token, and stays read-only even for a Bearer caller.
    expect((await app.request(`${ORIGIN}/queues/api/queues`, { headers: { cookie: session } })).status).toBe(
      200,
    );
    const pause = await app.request(`${ORIGIN}/queues/api/queues/extract/pause`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(pause.status).toBe(405);
    expect(await queues.queue('extract').isPaused()).toBe(false);
  });

  it('without a token answers only requests addressed to this machine (no DNS rebinding)', async () => {
    const app = createApp({ store, queues });
    expect((await app.request('http://localhost:3000/review')).status).toBe(200);
    expect((await app.request('http://127.0.0.1:3000/review')).status).toBe(200);
    expect((await app.request('http://[::1]:3000/review')).status).toBe(200);
    const rebound = await app.request('http://attacker.example:3000/review');
    expect(rebound.status).toBe(403);
    expect(await rebound.text()).not.toContain('markup.pdf');
  });
});

describe('CSRF', () => {
  it('rejects a post without the token, with a wrong one, or from another site', async () => {
    const app = createApp({ store, queues });
    const { cookie, token } = await csrfFor(app);
    const other = await csrfFor(app);
    const attempts: [string, Record<string, string>][] = [
      ['no token, no cookie', {}],
      ['cookie, no token', { cookie }],
      ['token, no cookie', { 'x-csrf-token': token }],
      ['token of another cookie', { cookie, 'x-csrf-token': other.token }],
      ['forged token', { cookie, 'x-csrf-token': 'A'.repeat(43) }],
      ['cross-site fetch', { cookie, 'x-csrf-token': token, 'sec-fetch-site': 'cross-site' }],
      ['other origin', { cookie, 'x-csrf-token': token, origin: 'http://evil.example' }],
    ];
    for (const [what, headers] of attempts) {
      const res = await approve(app, headers);
      expect(res.status, what).toBe(403);
    }
    // A plain cross-site HTML form post (no header token, no cookie).
    const form = await app.request(`${ORIGIN}/review/${sha}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'author=Mallory',
    });
    expect(form.status).toBe(403);
    expect(await store.getReview(sha)).toBeNull();
    expect(await store.listAudit(sha)).toEqual([]);

    // A secret from another process (a restart) invalidates old pages' tokens.
    const restarted = createApp({ store, queues });
    expect((await approve(restarted, { cookie, 'x-csrf-token': token })).status).toBe(403);

    // The right token passes the check (and this correction is refused by the store, not by CSRF).
    const ok = await app.request(`${ORIGIN}/review/${sha}/correct`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie,
        'x-csrf-token': token,
        origin: ORIGIN,
        'sec-fetch-site': 'same-origin',
      },
      body: JSON.stringify({ author: 'Dana', field: 'patient.age', value: 'forty' }),
    });
    expect(ok.status).toBe(400);
    expect(((await ok.json()) as { error: string }).error).toMatch(/whole number/);
    // The same with a form post carrying the token in a field.
    const formOk = await app.request(`${ORIGIN}/review/${sha}/correct`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: ORIGIN },
      body: new URLSearchParams({
        _csrf: token,
        author: 'Dana',
        field: 'patient.age',
        value: '41',
      }).toString(),
    });
    expect(formOk.status).toBe(303);
    expect((await store.listCorrections(sha)).map((c) => c.value)).toEqual([41]);
  });
});

describe('ids, never paths', () => {
  let server: ServerType;
  let port: number;
  beforeAll(async () => {
    const app = createApp({ store, queues });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A request with the path exactly as given (no client-side normalisation of `..`). */
  function raw(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
        let body = '';
        res.on('data', (c) => {
          body += String(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('rejects ../ and other non-ids in document and page routes', async () => {
    const bad = [
      '/review/..%2F..%2F..%2Fetc%2Fpasswd',
      '/review/../../../etc/passwd',
      `/review/${sha}/../../../etc/passwd`,
      '/review/..%2F..%2Fpackage.json/page/1',
      `/review/${sha}/page/..%2F..%2Fpackage.json`,
      `/review/${sha}/page/0`,
      `/review/${sha}/page/1.5`,
      `/review/${sha}/page/-1`,
      `/review/${sha.toUpperCase()}`,
      `/review/${sha}x/pdf`,
      '/static/..%2Fapp.ts',
      '/static/../app.ts',
      '/static/%2E%2E%2Fsecurity.ts',
      '/queues/static/..%2F..%2F..%2F..%2F..%2Fpackage.json',
      '/queues/static/../../../../../package.json',
    ];
    for (const path of bad) {
      const res = await raw(path);
      expect([400, 404], `${path} -> ${res.status}`).toContain(res.status);
      expect(res.body, path).not.toMatch(/root:|"name": "imr-pipeline"|import /);
    }
    expect((await raw(`/review/${sha}/page/99`)).status).toBe(404);
    const png = await raw(`/review/${sha}/page/1`);
    expect(png.status).toBe(200);
    expect((await raw('/static/review.js')).status).toBe(200);
  });
});

describe('letter text in pages', () => {
  it('escapes every interpolated value, and embedded JSON cannot close its script element', () => {
    expect(html`<p title="${'"><b>'}">${'<i>&'}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;b&gt;">&lt;i&gt;&amp;</p>',
    );
    expect(html`${[html`<b>${'<'}</b>`, '<']}`.value).toBe('<b>&lt;</b>&lt;');
    const json = jsonForScript({ s: '</script><!--\u2028' }).value;
    expect(json).not.toMatch(/[<>\u2028]/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!--\u2028' });
  });

  it('renders markup from a letter and from a correction as inert text, under a CSP without inline script', async () => {
    const app = createApp({ store, queues });
    const { cookie, token } = await csrfFor(app);
    const evil = `</textarea></script>${MARKUP}`;
    const res = await app.request(`${ORIGIN}/review/${sha}/correct`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': token },
      body: JSON.stringify({ author: `Eve ${MARKUP}`, field: 'caseNumber', value: evil, reason: MARKUP }),
    });
    expect(res.status).toBe(200);

    const page = await app.request(`${ORIGIN}/review/${sha}`);
    const body = await page.text();
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(body).not.toContain('<script>window');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    // The only script elements are the static file and the JSON data block.
    expect(body.match(/<script\b[^>]*>/g)).toEqual([
      '<script src="/static/review.js" defer>',
      '<script type="application/json" id="review-data">',
    ]);
    const queue = await (await app.request(`${ORIGIN}/review`)).text();
    expect(queue).not.toContain('<script>window');

    // And in a real browser nothing of it runs.
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const dialogs: string[] = [];
      tab.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/review/${sha}`);
      await tab.waitForLoadState('load');
      expect(await tab.evaluate('window.__pwned')).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(await tab.inputValue('#v-caseNumber')).toBe(evil);
      expect(await tab.inputValue('#v-reviewer-specialty')).toContain('<script>window.__pwned=1</script>');
    } finally {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
