import { readFile } from 'node:fs/promises';
import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import {
  Author,
  type Correction,
  type CorrectionInput,
  type Review,
  type ReviewState,
} from '../../schemas/review.js';
import type { Store } from '../store/store.js';
import { HttpError } from './http-error.js';
import type { PageImageCache } from './page-images.js';
import { errorPage, goldPage, type PageMeta, queuePage, reviewPage } from './pages.js';
import { buildLetterView, nextItemIndex, specOf, valueAt } from './review-model.js';
import type { AppEnv } from './security.js';

const SHA256 = /^[0-9a-f]{64}$/;
const PAGE = /^[1-9]\d{0,3}$/;
/** Mismatch codes are machine words; anything else in `?code=` is ignored. */
const CODE = /^[a-z][a-z0-9_]{0,63}$/;
export const AUTHOR_COOKIE = 'imr_author';

/** The review actions, so that they can also rewrite the letter's export file (see createApp). */
export interface ReviewActions {
  setReview(input: {
    sha256: string;
    state: ReviewState;
    author: string;
    reason?: string | null;
  }): Promise<Review>;
  addCorrection(input: CorrectionInput): Promise<Correction>;
}

export interface ReviewRouteDeps extends ReviewActions {
  store: Store;
  images: PageImageCache;
}

const ASSETS = {
  'app.css': { file: 'assets/app.css', type: 'text/css; charset=utf-8' },
  'review.js': { file: 'assets/review.js', type: 'text/javascript; charset=utf-8' },
} as const;

function meta(c: Context<AppEnv>, title: string, kind: PageMeta['kind'], nav?: PageMeta['nav']): PageMeta {
  return {
    title,
    kind,
    csrfToken: c.get('csrfToken') ?? '',
    user: c.get('user') ?? null,
    ...(nav ? { nav } : {}),
  };
}

function codeParam(c: Context): string | undefined {
  const code = c.req.query('code');
  return code && CODE.test(code) ? code : undefined;
}

/** The request's body is JSON: its caller reads JSON back, errors included (see createApp's onError). */
export function isJson(c: Context): boolean {
  return (c.req.header('content-type') ?? '').startsWith('application/json');
}

async function readBody(c: Context): Promise<Record<string, unknown>> {
  if (isJson(c)) {
    const body: unknown = await c.req.json().catch(() => {
      throw new HttpError(400, 'the body is not valid JSON');
    });
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new HttpError(400, 'expected a JSON object');
    return body as Record<string, unknown>;
  }
  const form = await c.req.parseBody();
  return Object.fromEntries(Object.entries(form).filter(([, v]) => typeof v === 'string'));
}

/**
 * Who made the change. With users it is the signed-in person, whatever the body says (the access control
 * has already refused analysts); without, the name typed in the Reviewer box (or its cookie), as before.
 */
function authorOf(c: Context<AppEnv>, body: Record<string, unknown>): string {
  const user = c.get('user');
  if (user) return user.name;
  let raw = typeof body.author === 'string' ? body.author : '';
  if (!raw.trim()) {
    const cookie = getCookie(c, AUTHOR_COOKIE);
    raw = cookie ? cookie : '';
  }
  const parsed = Author.safeParse(raw);
  if (!parsed.success)
    throw new HttpError(400, 'type your name in the Reviewer box first (it is saved as the author)');
  return parsed.data;
}

function reasonOf(body: Record<string, unknown>, required: boolean): string | null {
  const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
  if (reason.length > 2000) throw new HttpError(400, 'the reason is too long (2000 characters at most)');
  if (required && !reason) throw new HttpError(400, 'a reason is required');
  return reason || null;
}

function shaOf(c: Context): string {
  const sha = c.req.param('sha') ?? '';
  if (!SHA256.test(sha)) throw new HttpError(400, 'not a document id');
  return sha;
}

/** Registers the QA pages and the endpoints they post to; bad input is thrown as HttpError 400. */
export function registerReviewRoutes(app: Hono<AppEnv>, deps: ReviewRouteDeps): void {
  const { store } = deps;
  const assetCache = new Map<string, Promise<string>>();

  app.get('/static/:name', async (c) => {
    const name = c.req.param('name');
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name as keyof typeof ASSETS] : undefined;
    if (!asset) return c.notFound();
    let text = assetCache.get(name);
    if (!text) {
      text = readFile(new URL(asset.file, import.meta.url), 'utf8');
      assetCache.set(name, text);
    }
    c.header('Cache-Control', 'no-cache');
    return c.body(await text, 200, { 'Content-Type': asset.type });
  });

  // Queue order, with the neighbours of one letter in it (for n / p and "next after approving").
  async function neighbours(sha: string, code: string | undefined) {
    const queue = await store.listReviewQueue(code ? { code } : {});
    const index = queue.findIndex((r) => r.sha256 === sha);
    if (index < 0) return { prev: null, next: queue[0]?.sha256 ?? null, position: null, queue };
    return {
      prev: queue[index - 1]?.sha256 ?? null,
      next: queue[index + 1]?.sha256 ?? null,
      position: { index, total: queue.length },
      queue,
    };
  }

  app.get('/review', async (c) => {
    const code = codeParam(c);
    const [rows, counts] = await Promise.all([
      store.listReviewQueue(code ? { code } : {}),
      store.reviewCodeCounts(),
    ]);
    return c.html(queuePage(meta(c, 'Review queue', 'queue', 'review'), rows, counts, code));
  });

  app.get('/api/review', async (c) => {
    const code = codeParam(c);
    const [queue, counts] = await Promise.all([
      store.listReviewQueue(code ? { code } : {}),
      store.reviewCodeCounts(),
    ]);
    return c.json({ queue, counts });
  });

  app.get('/gold', async (c) =>
    c.html(goldPage(meta(c, 'Gold accuracy', 'gold', 'gold'), await store.goldScores())),
  );

  app.get('/api/gold', async (c) => c.json(await store.goldScores()));

  app.get('/review/:sha', async (c) => {
    const sha = shaOf(c);
    const code = codeParam(c);
    const [document, record, text, corrections, review, audit, around] = await Promise.all([
      store.getDocument(sha),
      store.getRecord(sha),
      store.getText(sha),
      store.listCorrections(sha),
      store.getReview(sha),
      store.listAudit(sha),
      neighbours(sha, code),
    ]);
    // A page of its own (always HTML, titled "Not found"), not an HttpError for onError to shape.
    if (!document || !record) {
      return c.html(errorPage(meta(c, 'Not found', 'home'), 404, 'No parsed letter with this id.'), 404);
    }
    return c.html(
      reviewPage(meta(c, document.fileName, 'review', 'review'), {
        document,
        record,
        text,
        view: buildLetterView(record, corrections),
        review,
        audit,
        prev: around.prev,
        next: around.next,
        code,
        position: around.position,
      }),
    );
  });

  app.get('/api/review/:sha', async (c) => {
    const sha = shaOf(c);
    const [document, record, corrected, corrections, review, audit] = await Promise.all([
      store.getDocument(sha),
      store.getRecord(sha),
      store.getCorrectedRecord(sha),
      store.listCorrections(sha),
      store.getReview(sha),
      store.listAudit(sha),
    ]);
    if (!document) throw new HttpError(404, 'not found');
    return c.json({ document, record, corrected, corrections, review, audit });
  });

  app.get('/review/:sha/page/:page', async (c) => {
    const sha = shaOf(c);
    const page = c.req.param('page');
    if (!PAGE.test(page)) throw new HttpError(400, 'not a page number');
    const png = await deps.images.get(sha, Number(page), () => store.getBytes(sha));
    if (!png) return c.notFound();
    // Same id, same pixels: the browser may keep it for a while (never a shared cache).
    return c.body(png, 200, { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' });
  });

  app.get('/review/:sha/pdf', async (c) => {
    const sha = shaOf(c);
    const bytes = await store.getBytes(sha);
    if (!bytes) return c.notFound();
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': 'application/pdf',
      // Downloaded, not shown inline: the PDF is untrusted content and must not run on this origin.
      'Content-Disposition': `attachment; filename="${sha.slice(0, 16)}.pdf"`,
    });
  });

  /** JSON callers get JSON; a plain form post goes back to the page. */
  function reply(c: Context, payload: Record<string, unknown>, location: string) {
    if (isJson(c)) return c.json({ ok: true, ...payload });
    return c.redirect(location, 303);
  }

  async function loadRecord(sha: string) {
    const record = await store.getRecord(sha);
    if (!record) throw new HttpError(400, 'no parsed letter with this id');
    return record;
  }

  // Values go to the store as typed (form text or JSON): it converts and checks them (normalizeValue).
  app.post('/review/:sha/correct', async (c) => {
    const sha = shaOf(c);
    const body = await readBody(c);
    const author = authorOf(c, body);
    const reason = reasonOf(body, false);
    const field = typeof body.field === 'string' ? body.field : '';
    if (!specOf(field)) throw new HttpError(400, `not a correctable field: ${field.slice(0, 80)}`);
    const value = body.value ?? null;
    const record = await loadRecord(sha);
    const item = /^items\.(\d+)\.([A-Za-z]+)$/.exec(field);
    let correction: unknown;
    if (item && Number(item[1]) >= record.items.length) {
      // A field of an added item: the item is replaced whole (it has no machine value to correct).
      const whole = (await store.listCorrections(sha)).filter((x) => x.field === `items.${item[1]}`).at(-1);
      if (!whole?.value || typeof whole.value !== 'object') throw new HttpError(400, 'no such item');
      const updated: Record<string, unknown> = { ...whole.value, [item[2]!]: value };
      if (item[2] === 'description') updated.raw = value;
      correction = await deps.addCorrection({
        sha256: sha,
        field: `items.${item[1]}`,
        value: updated,
        reason,
        author,
      });
    } else {
      if (item && valueAt(record, `items.${item[1]}`) === undefined) throw new HttpError(400, 'no such item');
      correction = await deps.addCorrection({ sha256: sha, field, value, reason, author });
    }
    return reply(c, { correction }, `/review/${sha}`);
  });

  app.post('/review/:sha/items', async (c) => {
    const sha = shaOf(c);
    const body = await readBody(c);
    const author = authorOf(c, body);
    const reason = reasonOf(body, false);
    const record = await loadRecord(sha);
    const index = nextItemIndex(record, await store.listCorrections(sha));
    if (index > 999) throw new HttpError(400, 'too many items');
    const correction = await deps.addCorrection({
      sha256: sha,
      field: `items.${index}`,
      value: {
        description: body.description ?? null,
        quantity: body.quantity ?? null,
        decision: body.decision ?? null,
      },
      reason,
      author,
    });
    return reply(c, { correction, index }, `/review/${sha}#item-${index}`);
  });

  app.post('/review/:sha/items/:index/remove', async (c) => {
    const sha = shaOf(c);
    const index = c.req.param('index');
    if (!/^\d{1,3}$/.test(index)) throw new HttpError(400, 'not an item number');
    const body = await readBody(c);
    const author = authorOf(c, body);
    const reason = reasonOf(body, true);
    const record = await loadRecord(sha);
    const known =
      Number(index) < record.items.length ||
      (await store.listCorrections(sha)).some((x) => x.field === `items.${index}` && x.value !== null);
    if (!known) throw new HttpError(400, 'no such item');
    const correction = await deps.addCorrection({
      sha256: sha,
      field: `items.${index}`,
      value: null,
      reason,
      author,
    });
    return reply(c, { correction }, `/review/${sha}`);
  });

  async function decide(c: Context<AppEnv>, state: ReviewState) {
    const sha = shaOf(c);
    const body = await readBody(c);
    const author = authorOf(c, body);
    const reason = reasonOf(body, state === 'rejected');
    const code = codeParam(c);
    if (!(await store.getDocument(sha))) throw new HttpError(400, 'no document with this id');
    const before = await neighbours(sha, code);
    const review = await deps.setReview({ sha256: sha, state, author, reason });
    const after = await store.listReviewQueue(code ? { code } : {});
    const nextSha =
      state === 'pending' ? sha : (after[before.position?.index ?? 0]?.sha256 ?? after[0]?.sha256 ?? null);
    const next = nextSha
      ? `/review/${nextSha}${code ? `?code=${code}` : ''}`
      : `/review${code ? `?code=${code}` : ''}`;
    return reply(c, { review, next }, next);
  }

  app.post('/review/:sha/approve', (c) => decide(c, 'approved'));
  app.post('/review/:sha/reject', (c) => decide(c, 'rejected'));
  app.post('/review/:sha/reopen', (c) => decide(c, 'pending'));

  // Unknown ids under /review/ get a 400, not a page that echoes them.
  app.all('/review/:sha/*', (c) => {
    shaOf(c);
    return c.notFound();
  });
}
