import type { Context, Hono } from 'hono';
import { IntakeState } from '../../schemas/document.js';
import { retryDocuments } from '../ingest/retry.js';
import type { Logger } from '../logger.js';
import type { Queues } from '../queue/queues.js';
import type { Store } from '../store/store.js';
import { filesPage } from './files-page.js';
import { HttpError } from './http-error.js';
import { isJson } from './review-routes.js';
import type { AppEnv } from './security.js';

const SHA256 = /^[0-9a-f]{64}$/;

export interface FilesRouteDeps {
  store: Store;
  queues: Queues;
  logger: Logger;
}

/** `?state=`: one of the intake states; anything else is ignored (all files). */
function stateParam(value: string | undefined): IntakeState | undefined {
  const parsed = IntakeState.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const REFUSED = {
  not_found: [404, 'no document with this id'],
  not_failed: [409, 'this document has not failed: nothing to retry'],
  no_bytes: [
    409,
    'its bytes were never stored (refused on its size): raise IMR_MAX_FILE_MB and drop the file again',
  ],
} as const;

/** The intake pages: `/files` (every file taken in, by state), its JSON, and Retry. */
export function registerFilesRoutes(app: Hono<AppEnv>, deps: FilesRouteDeps): void {
  const { store } = deps;

  app.get('/files', async (c) => {
    const state = stateParam(c.req.query('state'));
    const retriedSha = c.req.query('retried');
    const files = await store.intake.list(state ? { state } : {});
    let retried = files.find((f) => f.sha256 === retriedSha) ?? null;
    if (!retried && retriedSha && SHA256.test(retriedSha)) {
      retried = (await store.intake.list({ limit: 1000 })).find((f) => f.sha256 === retriedSha) ?? null;
    }
    const meta = {
      title: 'Files',
      kind: 'files' as const,
      nav: 'files' as const,
      csrfToken: c.get('csrfToken') ?? '',
      user: c.get('user') ?? null,
    };
    return c.html(filesPage(meta, files, state, retried));
  });

  app.get('/api/files', async (c) => {
    const state = stateParam(c.req.query('state'));
    const limit = Number(c.req.query('limit') ?? 1000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new HttpError(400, 'limit: 1 to 10000');
    return c.json(await store.intake.list({ ...(state ? { state } : {}), limit }));
  });

  // Retry: the document runs again from its stored bytes through the queues (src/ingest/retry.ts).
  app.post('/files/:sha/retry', async (c: Context<AppEnv>) => {
    const sha = c.req.param('sha') ?? '';
    if (!SHA256.test(sha)) throw new HttpError(400, 'not a document id');
    const outcome = (await retryDocuments(deps, [sha])).get(sha);
    if (outcome && outcome !== 'retried') {
      const [status, message] = REFUSED[outcome];
      throw new HttpError(status, message);
    }
    if (isJson(c)) return c.json({ ok: true, sha256: sha });
    const form = await c.req.parseBody();
    const state = stateParam(typeof form.state === 'string' ? form.state : undefined);
    const back = new URLSearchParams({ ...(state ? { state } : {}), retried: sha });
    return c.redirect(`/files?${back.toString()}`, 303);
  });
}
