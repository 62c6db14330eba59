import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { packageRoot } from '../src/paths.js';
import { createExtractRuntime } from '../src/pipeline/extract-options.js';

export const START_HELP = `imr start [--no-watcher] [--no-server] [--no-workers]

Runs the pipeline in this process: the inbox watcher (default ./inbox; done files move to ./archive,
failed ones to ./quarantine with <name>.error.json) and the backfill folder's (./backfill, IMR_BACKFILL:
its letters queue behind every inbox drop), queue workers for every queue (extract, ocr: one job per
scanned page, parse, export; IMR_QUEUES picks some, e.g. IMR_QUEUES=ocr for an OCR-only machine), and
the web server (http://127.0.0.1:3000, queues at /queues). Results: the database (default
data/imr.sqlite; DATABASE_URL=postgres://... for PostgreSQL) and per-letter exports in data/exports.
On first run the inbox is created and seeded with the bundled samples. Redis comes from REDIS_URL
(default redis://127.0.0.1:6379); when none answers and redis-server is installed, a private one is started.
Unfinished documents are re-checked every IMR_RECONCILE_MS (30 s) and re-enqueued when Redis lost their
job; a dead worker's job moves to another after IMR_LOCK_MS (30 s). Before its first job a worker process
reads IMR_WARMUP_LETTERS (60) synthetic letters, so V8 has compiled pdf.js and the parser (a worker is
ready in about 2.5 s on 2 cores).
Stop with Ctrl-C (graceful; a second Ctrl-C forces).

  imr worker     the same with workers only (add machines: same REDIS_URL and DATABASE_URL)`;

async function seedInbox(inbox: string, samples: string): Promise<number> {
  const exists = await stat(inbox).then(
    () => true,
    () => false,
  );
  if (exists) return 0;
  await mkdir(inbox, { recursive: true });
  const pdfs = (await readdir(samples).catch(() => [])).filter((f) => f.endsWith('.pdf'));
  for (const f of pdfs) await cp(join(samples, f), join(inbox, f));
  return pdfs.length;
}

/** `imr start` / `imr worker`: a long-running process with one shutdown path. */
export async function runStart(argv: string[], workerOnly: boolean): Promise<number> {
  let values: Record<string, boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'no-watcher': { type: 'boolean' },
        'no-server': { type: 'boolean' },
        'no-workers': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`imr start: ${(err as Error).message}\n\n${START_HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${START_HELP}\n`);
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`imr: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(workerOnly ? 'imr-worker' : 'imr', {
    level: config.logLevel,
    format: config.logFormat,
  });
  const parts = {
    workers: !values['no-workers'],
    watcher: !workerOnly && !values['no-watcher'],
    server: !workerOnly && !values['no-server'],
  };
  const seeded = parts.watcher ? await seedInbox(config.inbox.dir, join(packageRoot(), 'samples')) : 0;
  // The PDF threads boot (each loads pdf.js, on another core) while this thread loads the rest of the
  // program: worker start-up is about the longer of the two, not their sum.
  const runtime = parts.workers ? createExtractRuntime(config) : undefined;
  void runtime?.startThreads().catch(() => undefined); // a failure shows again, and is logged, in warm-up
  const { idle, onSignals, startPipeline } = await import('./main.js');
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  try {
    pipeline = await startPipeline(config, parts, logger, runtime);
  } catch (err) {
    await runtime?.close();
    process.stderr.write(`imr: ${(err as Error).message}\n`);
    return 1;
  }
  onSignals(pipeline.shutdown, logger);
  const where = [
    parts.watcher
      ? `inbox: ${resolve(config.inbox.dir)}${seeded ? ` (seeded with ${seeded} sample letters)` : ''}`
      : null,
    parts.watcher ? `backfill (queued behind the inbox): ${resolve(config.inbox.backfillDir)}` : null,
    parts.watcher
      ? `done -> ${resolve(config.inbox.archiveDir)}, failed -> ${resolve(config.inbox.quarantineDir)}`
      : null,
    `records: ${config.databaseUrl.startsWith('postgres') ? 'PostgreSQL' : resolve(config.databaseUrl)} (imr status, imr export)`,
    `per-letter exports: ${resolve(config.exportDir, 'records')}`,
    pipeline.url
      ? `web: ${pipeline.url} (review: ${pipeline.url}/review, dashboard: ${pipeline.url}/dashboard, queues: ${pipeline.url}/queues)${config.server.token ? `; token required: open ${pipeline.url}/?token=<IMR_TOKEN> once` : ''}`
      : null,
  ].filter(Boolean);
  process.stderr.write(
    `imr ${workerOnly ? 'worker' : 'start'}: running. Ctrl-C to stop.\n  ${where.join('\n  ')}\n`,
  );
  // Say when a batch is through, so a person knows the results are ready.
  let busy = false;
  let hinted = false;
  const report = setInterval(async () => {
    const quiet = await idle(pipeline.store).catch(() => false);
    if (!quiet) {
      busy = true;
      return;
    }
    if (!busy) return;
    busy = false;
    const c = await pipeline.store.counts();
    process.stderr.write(
      `imr: all processed - ${c.done} done, ${c.needs_review} need review, ${c.failed} failed\n`,
    );
    if (!hinted) {
      hinted = true;
      process.stderr.write(
        `  status: npx imr status; exports: npx imr export --out ${resolve(config.exportDir)}\n`,
      );
    }
  }, 500);
  report.unref();
  return new Promise<number>(() => undefined); // runs until a signal
}
