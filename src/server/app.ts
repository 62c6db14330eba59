import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { TERMINAL_STATUSES } from '../../schemas/document.js';
import { type Queues, STAGES } from '../queue/queues.js';
import type { Store } from '../store/store.js';

export interface AppDeps {
  store: Store;
  queues: Queues;
  /** Bull Board may retry/clean jobs only when this is set. */
  queueAdminWritable?: boolean;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The web server without listen(): status pages and API; Bull Board at /queues (read-only by default). */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const board = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: STAGES.map(
      (s) => new BullMQAdapter(deps.queues.queue(s), { readOnlyMode: !deps.queueAdminWritable }),
    ),
    serverAdapter: board,
  });
  board.setBasePath('/queues');
  app.route('/queues', board.registerPlugin());

  app.get('/api/status', async (c) => {
    const [documents, queues] = await Promise.all([
      deps.store.counts(),
      deps.queues.counts().catch(() => null),
    ]);
    return c.json({ documents, queues });
  });

  app.get('/', async (c) => {
    const counts = await deps.store.counts();
    const rows = Object.entries(counts)
      .map(([status, n]) => {
        const terminal = TERMINAL_STATUSES.includes(status as (typeof TERMINAL_STATUSES)[number]);
        return `<tr><td>${escapeHtml(status)}${terminal ? '' : ' (in progress)'}</td><td>${n}</td></tr>`;
      })
      .join('');
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>imr-pipeline</title></head><body>` +
        `<h1>imr-pipeline</h1><table><tr><th>status</th><th>documents</th></tr>${rows}</table>` +
        `<p><a href="/queues">queues</a> · <a href="/api/status">/api/status</a></p></body></html>`,
    );
  });
  return app;
}
