import { randomBytes } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, type ErrorHandler, Hono } from 'hono';
import { ZodError } from 'zod';
import { TERMINAL_STATUSES } from '../../schemas/document.js';
import type { QueryEngine } from '../analytics/query.js';
import { QueryError } from '../analytics/query.js';
import { type Logger, silentLogger } from '../logger.js';
import { DEFAULT_LIMITS } from '../pipeline/extract/extract-text.js';
import type { PdfLimits } from '../pipeline/extract/pdf-document.js';
import { QUEUE_NAMES, type Queues } from '../queue/queues.js';
import { ReviewInputError } from '../records/errors.js';
import { correctLetter, reviewLetter } from '../review/actions.js';
import type { Store } from '../store/store.js';
import { registerAnalyticsRoutes } from './analytics-routes.js';
import { registerFilesRoutes } from './files-routes.js';
import { HttpError } from './http-error.js';
import { PageImageCache } from './page-images.js';
import { deniedPage, errorPage, homePage, type PageMeta } from './pages.js';
import { isJson, type ReviewActions, registerReviewRoutes } from './review-routes.js';
import { type AppEnv, accessControl, csrfProtection, securityHeaders, type UserAccess } from './security.js';
import { registerSignIn } from './sign-in.js';

export interface AppDeps {
  store: Store;
  queues: Queues;
  /** Bull Board may retry/clean jobs only when this is set. */
  queueAdminWritable?: boolean;
  /** When set, every request must carry it (see accessControl). */
  token?: string | undefined;
  /** Signs CSRF tokens; a random one per process by default (a restart asks open pages to reload). */
  csrfSecret?: Buffer;
  /** Signs users' session cookies; a random one per process by default (a restart signs them out). */
  sessionSecret?: Buffer;
  logger?: Logger;
  limits?: PdfLimits;
  /**
   * Where per-letter exports live: review actions rewrite the letter's export file (src/review/actions.ts).
   * Without it they change the database only.
   */
  exportDir?: string;
  /** The database of the analyst views (`/api/items`, `/api/letters`, `/api/reports`, `/dashboard`). */
  databaseUrl?: string;
  /** Where the analyst SQL runs (the DuckDB copy, or the store when empty). */
  analytics?: QueryEngine;
}

function reviewActions(store: Store, exportDir: string | undefined): ReviewActions {
  if (exportDir === undefined) {
    return {
      setReview: (input) => store.setReview(input),
      addCorrection: (input) => store.addCorrection(input),
    };
  }
  return {
    setReview: (input) => reviewLetter(store, exportDir, input),
    addCorrection: (input) => correctLetter(store, exportDir, input),
  };
}

const REVIEW_INPUT_STATUS = { invalid: 400, not_found: 404, conflict: 409 } as const;

/** The errors a caller may see, as an HttpError; null for anything else (a bug, the database). */
function httpErrorOf(err: Error): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof ReviewInputError) return new HttpError(REVIEW_INPUT_STATUS[err.kind], err.message);
  if (err instanceof ZodError) return new HttpError(400, err.issues[0]?.message ?? 'invalid input');
  // Analyst queries build their own SQL: only a missing database or a slow query is the caller's to know.
  if (err instanceof QueryError && err.code === 'timeout') {
    return new HttpError(504, 'the query took too long: narrow the filters');
  }
  if (err instanceof QueryError && err.code === 'no_database') {
    return new HttpError(503, 'no analyst database yet: run the pipeline first');
  }
  return null;
}

function errorMeta(c: Context<AppEnv>, title: string): PageMeta {
  return { title, kind: 'home', csrfToken: c.get('csrfToken') ?? '', user: c.get('user') ?? null };
}

/**
 * The app's one error handler. Refusals at the door (401 / 403 from security.ts) get a bare page, or JSON
 * when the caller accepts it; other errors get JSON for `/api/` and JSON bodies, else a page.
 */
function onError(logger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    const known = httpErrorOf(err);
    const api = c.req.path.startsWith('/api/');
    if (known && (known.status === 401 || known.status === 403)) {
      if (api || (c.req.header('accept') ?? '').includes('application/json')) {
        return c.json({ error: known.message }, known.status);
      }
      return c.html(deniedPage(known.status, known.message), known.status);
    }
    const json = api || isJson(c);
    if (known) {
      if (json) return c.json({ error: known.message, ...known.details }, known.status);
      const title = known.status >= 500 ? 'Unavailable' : 'Not accepted';
      return c.html(errorPage(errorMeta(c, title), known.status, known.message), known.status);
    }
    // Ids and the error's kind only: a message might quote letter text.
    logger.error({ method: c.req.method, path: c.req.path, err: err.name }, 'request failed');
    logger.debug({ err: err.message }, 'request failure detail');
    if (json) return c.json({ error: 'internal error' }, 500);
    return c.html(errorPage(errorMeta(c, 'Error'), 500, 'Something went wrong; see the server log.'), 500);
  };
}

/**
 * The web server without listen(): status page, QA review pages and their endpoints, `/api/status`, the
 * analysts' API and dashboard, and Bull Board at /queues (read-only by default). Everything sits behind the access control and the CSRF
 * check, Bull Board included.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const logger = deps.logger ?? silentLogger();
  app.onError(onError(logger));
  app.use('*', securityHeaders());
  const access: UserAccess = {
    users: deps.store.users,
    sessionSecret: deps.sessionSecret ?? randomBytes(32),
  };
  app.use('*', accessControl(deps.token, access));
  app.use('*', csrfProtection(deps.csrfSecret ?? randomBytes(32)));
  registerSignIn(app, access);

  const board = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: QUEUE_NAMES.map(
      (s) => new BullMQAdapter(deps.queues.queue(s), { readOnlyMode: !deps.queueAdminWritable }),
    ),
    serverAdapter: board,
  });
  board.setBasePath('/queues');
  // Read-only means no writes at all, whatever Bull Board's own per-route checks allow. Answered here, not
  // thrown: Bull Board's client reads JSON whatever its request looked like.
  if (!deps.queueAdminWritable) {
    app.on(['POST', 'PUT', 'PATCH', 'DELETE'], ['/queues', '/queues/*'], (c) =>
      c.json({ error: 'the queue board is read-only' }, 405),
    );
  }
  app.route('/queues', board.registerPlugin());

  // Browsers ask for it on every page; an empty answer keeps the console clean.
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get('/api/status', async (c) => {
    const [documents, queues] = await Promise.all([
      deps.store.counts(),
      deps.queues.counts().catch(() => null),
    ]);
    return c.json({ documents, queues });
  });

  app.get('/', async (c) => {
    const [counts, queue] = await Promise.all([deps.store.counts(), deps.store.listReviewQueue()]);
    return c.html(
      homePage(
        { title: 'Status', kind: 'home', csrfToken: c.get('csrfToken'), user: c.get('user') },
        counts,
        TERMINAL_STATUSES,
        queue.length,
      ),
    );
  });

  registerReviewRoutes(app, {
    store: deps.store,
    images: new PageImageCache(deps.limits ?? DEFAULT_LIMITS),
    ...reviewActions(deps.store, deps.exportDir),
  });
  registerFilesRoutes(app, { store: deps.store, queues: deps.queues, logger });
  registerAnalyticsRoutes(app, { databaseUrl: deps.databaseUrl, engine: deps.analytics ?? {} });
  return app;
}
