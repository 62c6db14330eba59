import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Config } from '../schemas/config.js';
import { BACKFILL_PRIORITY, TERMINAL_STATUSES } from '../schemas/document.js';
import { analyticsEngineOf } from '../src/analytics/engine.js';
import { InboxWatcher } from '../src/ingest/inbox.js';
import { ingestFile, settleFiles } from '../src/ingest/ingest.js';
import type { Logger } from '../src/logger.js';
import { sweepTempFiles } from '../src/pipeline/export/sweep.js';
import { createExtractRuntime, type ExtractRuntime, pdfLimitsOf } from '../src/pipeline/extract-options.js';
import { type QueueName, Queues, redisAnswers, redisConnection } from '../src/queue/queues.js';
import { unsafeBindReason } from '../src/server/security.js';
import { createStore } from '../src/store/create-store.js';
import type { Store } from '../src/store/store.js';
import { jobSha, ocrStage, pageJobOf, STAGE_FUNCTIONS, type StageDeps } from './processors.js';
import { noteTransientFailure, reconcile } from './reconcile.js';
import { warmUp } from './warm-up.js';

export interface PipelineParts {
  /** Queue workers for every stage. */
  workers: boolean;
  /** The inbox watcher (and the mover of settled files). */
  watcher: boolean;
  /** The web server. */
  server: boolean;
}

export interface Pipeline {
  store: Store;
  queues: Queues;
  config: Config;
  /** The address the web server listens on, when it runs. */
  url: string | null;
  /** Moves the inbox files whose documents are terminal (also runs on a timer with the watcher). */
  settle(): Promise<string[]>;
  /** Graceful stop: stop taking work, wait up to shutdownMs, then abandon running jobs. Idempotent. */
  shutdown(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Redis from the configured URL; when none answers and `redis-server` is on PATH, a private one on a free
 * port (stopped with the pipeline). Otherwise an error that says how to get one.
 */
export async function ensureRedis(url: string, logger: Logger): Promise<{ url: string; stop(): void }> {
  if (await redisAnswers(url)) return { url, stop: () => undefined };
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      `no Redis answers at ${url}, and redis-server is not installed. Start one (apt-get install redis-server, or docker compose up redis) or set REDIS_URL.`,
    );
  }
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'imr-redis-'));
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(privateUrl)); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers(privateUrl)))
    throw new Error('started a private redis-server, but it does not answer');
  logger.warn({ url: privateUrl }, `no Redis at ${url}: started a private redis-server on port ${port}`);
  return { url: privateUrl, stop: () => child.kill('SIGTERM') };
}

/** Starts the chosen parts of the pipeline in this process. */
export async function startPipeline(
  config: Config,
  parts: PipelineParts,
  logger: Logger,
  /** The workers' extract runtime, when the caller started it early (its PDF threads already booting). */
  early?: ExtractRuntime,
): Promise<Pipeline> {
  // Before anything starts: a server reachable from other machines without a token is never started.
  const redis = await ensureRedis(config.redisUrl, logger);
  const store = createStore(config.databaseUrl);
  await store.migrate();
  // Before the server starts: one reachable from other machines needs users or a token (users are
  // known once the store is open).
  const unsafe = parts.server ? unsafeBindReason(config.server, await store.users.any()) : null;
  if (unsafe) {
    await store.close();
    throw new Error(unsafe);
  }
  await sweepExportTemps(config.exportDir, logger);
  const connection = redisConnection(redis.url);
  const queues = new Queues(connection, config.queuePrefix);
  let runtime: ExtractRuntime | null = null;
  const workers: Worker[] = [];
  let watcher: InboxWatcher | null = null;
  let settleTimer: NodeJS.Timeout | undefined;
  let reconcileTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let server: ReturnType<typeof serve> | null = null;
  let url: string | null = null;
  const ingestDeps = {
    store,
    queues,
    logger,
    maxFileMb: config.limits.maxFileMb,
    faultPause: config.faultPause,
  };

  if (parts.workers) {
    runtime = early ?? createExtractRuntime(config);
    // Warm-up only saves time: if it fails, the workers start cold (a real document would then fail on
    // its own, with its own code).
    const warm = await warmUp(runtime, config.workers.warmupLetters).catch((err: Error) => {
      logger.warn({ err: err.message }, 'warm-up failed: the workers start cold');
      return null;
    });
    if (warm && warm.letters > 0) {
      logger.info({ letters: warm.letters, ms: Math.round(warm.ms) }, 'workers warmed up');
    }
    const deps: StageDeps = {
      store,
      queues,
      extract: runtime.options,
      exportDir: config.exportDir,
      logger,
      faultPause: config.faultPause,
    };
    const concurrency: Record<QueueName, number> = {
      extract: config.workers.extractConcurrency,
      ocr: ocrConcurrencyOf(config),
      parse: config.workers.parseConcurrency,
      export: config.workers.exportConcurrency,
    };
    const processors: Record<QueueName, (data: unknown) => Promise<void>> = {
      extract: (data) => STAGE_FUNCTIONS.extract(jobSha(data), deps),
      ocr: (data) => ocrStage(pageJobOf(data), deps),
      parse: (data) => STAGE_FUNCTIONS.parse(jobSha(data), deps),
      export: (data) => STAGE_FUNCTIONS.export(jobSha(data), deps),
    };
    const giveUpDeps = { store, queues, logger, giveUpMs: config.workers.giveUpMs };
    for (const stage of config.workers.queues) {
      const worker = new Worker(stage, async (job) => processors[stage](job.data), {
        connection: redisConnection(redis.url),
        prefix: config.queuePrefix,
        concurrency: concurrency[stage],
        // A killed worker's job goes to another after about lockMs (checked as often).
        lockDuration: config.workers.lockMs,
        stalledInterval: config.workers.lockMs,
      });
      worker.on('failed', (job, err) => {
        const sha256 = (job?.data as { sha256?: string } | undefined)?.sha256;
        logger.error({ stage, sha256, err: err.message }, 'job failed');
        // A job that can never succeed (its bytes or record are gone) leaves its document visibly failed.
        // Transient errors that used up their attempts are not the file's fault: the reconciler retries.
        if (err instanceof UnrecoverableError && sha256 && /^[0-9a-f]{64}$/.test(sha256)) {
          store
            .setStatus(sha256, 'failed', { code: 'internal', message: `${stage}: ${err.message}` })
            .catch((e: Error) => logger.error({ sha256, err: e.message }, 'could not record the failure'));
        } else if (job && sha256) {
          // Not forever: past IMR_GIVE_UP_MS of such failures the document ends failed.
          noteTransientFailure(job, err, stage, giveUpDeps).catch((e: Error) =>
            logger.error({ sha256, err: e.message }, 'could not record the transient failure'),
          );
        }
      });
      worker.on('error', (err) => logger.error({ stage, err: err.message }, 'worker error'));
      workers.push(worker);
    }
    // Reconcile now and then periodically: every unfinished document gets a live job again, so an empty
    // or flushed Redis, or a process killed between commit and enqueue, loses nothing.
    await reconcile(store, queues, logger, giveUpDeps);
    const again = () => {
      reconcileTimer = setTimeout(() => {
        reconcile(store, queues, logger, giveUpDeps)
          .catch((err: Error) => logger.warn({ err: err.message }, 'reconcile failed (retried later)'))
          .finally(() => {
            if (!stopped) again();
          });
      }, config.workers.reconcileMs);
    };
    again();
  }

  // The inbox, and the backfill folder behind it: same intake, its jobs queued behind every inbox drop.
  const folders = [
    {
      dir: config.inbox.dir,
      archiveDir: config.inbox.archiveDir,
      quarantineDir: config.inbox.quarantineDir,
      priority: 0,
    },
    {
      dir: config.inbox.backfillDir,
      archiveDir: join(config.inbox.archiveDir, 'backfill'),
      quarantineDir: join(config.inbox.quarantineDir, 'backfill'),
      priority: BACKFILL_PRIORITY,
    },
  ];
  const watchers: InboxWatcher[] = [];
  const intakes = folders.map((f) => ({
    inboxDir: f.dir,
    archiveDir: f.archiveDir,
    quarantineDir: f.quarantineDir,
  }));
  const settle = async () => {
    // A failed file that changed since it was read is taken in again by its watcher.
    const moved = await settleFiles(ingestDeps, intakes, (path) => {
      for (const w of watchers) w.takeAgain(path);
    });
    // A path is known to one watcher only; forgetting it elsewhere is a no-op.
    for (const path of moved) for (const w of watchers) w.forget(path);
    return moved;
  };

  if (parts.watcher) {
    const inside = relative(resolve(config.inbox.dir), resolve(config.inbox.backfillDir));
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
      throw new Error(
        `the backfill folder (${config.inbox.backfillDir}) must not be the inbox or inside it (${config.inbox.dir}): its files would be taken in as inbox drops`,
      );
    }
    await mkdir(config.inbox.backfillDir, { recursive: true });
    for (const folder of folders) {
      const options = { ...config.inbox, dir: folder.dir };
      // A backfill is not waited for by a person: its folder is scanned less often (it may hold thousands).
      if (folder.priority > 0) options.pollMs = Math.max(options.pollMs, 2000);
      const w = new InboxWatcher(
        options,
        async (path) => void (await ingestFile(path, ingestDeps, { priority: folder.priority })),
        logger,
      );
      w.start();
      watchers.push(w);
    }
    watcher = watchers[0] ?? null;
    const tick = () => {
      settle()
        .catch((err: Error) => logger.error({ err: err.message }, 'settle failed'))
        .finally(() => {
          if (watcher) settleTimer = setTimeout(tick, settleMs);
        });
    };
    // Moving finished files is not urgent (results are queryable before): at most once a second.
    const settleMs = Math.max(config.inbox.pollMs, 1000);
    settleTimer = setTimeout(tick, settleMs);
  }

  if (parts.server) {
    // Loaded only here: a worker-only process never loads Hono, Bull Board or the pages.
    const { createApp } = await import('../src/server/app.js');
    const app = createApp({
      store,
      queues,
      token: config.server.token,
      logger,
      limits: pdfLimitsOf(config),
      exportDir: config.exportDir,
      databaseUrl: config.databaseUrl,
      analytics: analyticsEngineOf(config),
    });
    await new Promise<void>((resolve, reject) => {
      server = serve({ fetch: app.fetch, hostname: config.server.host, port: config.server.port }, (info) => {
        url = `http://${config.server.host}:${info.port}`;
        resolve();
      });
      server.once('error', reject);
    });
  }

  let stopping: Promise<void> | null = null;
  const shutdown = () => {
    stopping ??= (async () => {
      stopped = true;
      clearTimeout(reconcileTimer);
      watcher = null;
      clearTimeout(settleTimer);
      await Promise.all(watchers.map((w) => w.stop()));
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      // Stop taking jobs and let running ones finish, for a bounded time; then abandon them (their locks
      // expire and another worker picks them up: stages are idempotent).
      const graceful = Promise.all(workers.map((wk) => wk.close()));
      const timedOut = await Promise.race([
        graceful.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), config.shutdownMs).unref()),
      ]);
      if (timedOut) {
        logger.warn('running jobs did not finish in time: abandoning them');
        await Promise.all(workers.map((wk) => wk.close(true)));
      }
      await runtime?.close();
      await queues.close();
      connection.disconnect();
      await store.close();
      redis.stop();
    })();
    return stopping;
  };

  return { store, queues, config, url, settle, shutdown };
}

/** Temporaries of atomic export writes left by killed processes; a failure to sweep never stops a start. */
async function sweepExportTemps(exportDir: string, logger: Logger): Promise<void> {
  try {
    const removed = await sweepTempFiles(exportDir);
    if (removed.length > 0) logger.info({ files: removed.length }, 'removed stale temporary export files');
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'could not sweep temporary export files');
  }
}

/** OCR page jobs at once in a process: the configured number, else one per OCR thread. */
export function ocrConcurrencyOf(config: Config): number {
  if (config.workers.ocrConcurrency > 0) return config.workers.ocrConcurrency;
  return config.ocr.workers > 0 ? config.ocr.workers : availableParallelism();
}

/** Whether every document is terminal (nothing queued or running). */
export async function idle(store: Store): Promise<boolean> {
  const counts = await store.counts();
  return Object.entries(counts).every(
    ([status, n]) => n === 0 || TERMINAL_STATUSES.includes(status as never),
  );
}

/**
 * One shutdown path per process: the first SIGINT/SIGTERM stops gracefully, a second one forces exit.
 * After a graceful stop the signal is raised again with no handler, so the process dies by it and its
 * parent (a shell, systemd, a supervisor) sees how it ended, not a clean exit 0.
 */
export function onSignals(shutdown: () => Promise<void>, logger: Logger): void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'shutting down (again to force)');
    shutdown().then(
      () => {
        logger.info({ signal }, 'stopped gracefully');
        // The log line is written before the process dies by the signal.
        logger.flush(() => {
          process.removeListener('SIGINT', handler);
          process.removeListener('SIGTERM', handler);
          process.kill(process.pid, signal);
          // Should another listener keep the signal from ending the process: the shell's status for it.
          setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1000);
        });
      },
      (err: Error) => {
        logger.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
