import { randomBytes } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { TERMINAL_STATUSES } from '../../schemas/document.js';
import { type Logger, silentLogger } from '../logger.js';
import { DEFAULT_LIMITS } from '../pipeline/extract/extract-text.js';
import type { PdfLimits } from '../pipeline/extract/pdf-document.js';
import { type Queues, STAGES } from '../queue/queues.js';
import { correctLetter, reviewLetter } from '../review/actions.js';
import type { Store } from '../store/store.js';
import { registerAnalyticsRoutes } from './analytics-routes.js';
import { PageImageCache } from './page-images.js';
import { homePage } from './pages.js';
import { type ReviewActions, registerReviewRoutes } from './review-routes.js';
import { type AppEnv, accessControl, csrfProtection, securityHeaders } from './security.js';

export interface AppDeps {
  store: Store;
  queues: Queues;
  /** Bull Board may retry/clean jobs only when this is set. */
  queueAdminWritable?: boolean;
  /** When set, every request must carry it (see accessControl). */
  token?: string | undefined;
  /** Signs CSRF tokens; a random one per process by default (a restart asks open pages to reload). */
  csrfSecret?: Buffer;
  logger?: Logger;
  limits?: PdfLimits;
  /**
   * Where per-letter exports live: review actions rewrite the letter's export file (src/review/actions.ts).
   * Without it they change the database only.
   */
  exportDir?: string;
  /** The database of the analyst views (`/api/items`, `/api/letters`, `/api/reports`, `/dashboard`). */
  databaseUrl?: string;
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

/**
 * The web server without listen(): status page, QA review pages and their endpoints, `/api/status`, the
 * analysts' API and dashboard, and Bull Board at /queues (read-only by default). Everything sits behind the access control and the CSRF
 * check, Bull Board included.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const logger = deps.logger ?? silentLogger();
  app.use('*', securityHeaders());
  app.use('*', accessControl(deps.token));
  app.use('*', csrfProtection(deps.csrfSecret ?? randomBytes(32)));

  const board = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: STAGES.map(
      (s) => new BullMQAdapter(deps.queues.queue(s), { readOnlyMode: !deps.queueAdminWritable }),
    ),
    serverAdapter: board,
  });
  board.setBasePath('/queues');
  // Read-only means no writes at all, whatever Bull Board's own per-route checks allow.
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
        { title: 'Status', kind: 'home', csrfToken: c.get('csrfToken') },
        counts,
        TERMINAL_STATUSES,
        queue.length,
      ),
    );
  });

  registerReviewRoutes(app, {
    store: deps.store,
    images: new PageImageCache(deps.limits ?? DEFAULT_LIMITS),
    logger,
    ...reviewActions(deps.store, deps.exportDir),
  });
  registerAnalyticsRoutes(app, { databaseUrl: deps.databaseUrl });
  return app;
}
