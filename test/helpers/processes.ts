import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Config } from '../../schemas/config.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The environment that gives a separate `imr` process the same settings as `config`. */
/** The environment a one-shot command needs to find a test's database and queues. */
export function storeEnv(config: Config): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    IMR_QUEUE_PREFIX: config.queuePrefix,
  };
}

export function envOf(config: Config, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REDIS_URL: config.redisUrl,
    IMR_QUEUE_PREFIX: config.queuePrefix,
    DATABASE_URL: config.databaseUrl,
    IMR_INBOX: config.inbox.dir,
    IMR_ARCHIVE: config.inbox.archiveDir,
    IMR_QUARANTINE: config.inbox.quarantineDir,
    IMR_BACKFILL: config.inbox.backfillDir,
    IMR_STABLE_MS: String(config.inbox.stableMs),
    IMR_POLL_MS: String(config.inbox.pollMs),
    IMR_EXPORT_DIR: config.exportDir,
    ...(config.analytics.copyPath ? { IMR_ANALYTICS_COPY: config.analytics.copyPath } : {}),
    IMR_OCR_WORKERS: String(config.ocr.workers),
    IMR_OCR_NICE: String(config.ocr.nice),
    IMR_SHUTDOWN_MS: String(config.shutdownMs),
    // Dead workers are noticed in seconds, and unfinished documents re-checked every second.
    IMR_LOCK_MS: '2000',
    IMR_RECONCILE_MS: '1000',
    IMR_WARMUP_LETTERS: String(config.workers.warmupLetters),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A running `imr start --no-server` or `imr worker` process, with its structured log lines. */
export interface ImrProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves when a log line matches (rejects after timeoutMs, or if the process exits first). */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGKILL, and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful), and wait for the exit. */
  stop(): Promise<void>;
}

export function startImr(kind: 'start' | 'worker', env: NodeJS.ProcessEnv, cwd: string = ROOT): ImrProcess {
  const args = kind === 'start' ? ['start', '--no-server'] : ['worker'];
  const child = spawn(process.execPath, [join(ROOT, 'bin/imr.js'), ...args], {
    env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  const take = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
    for (const w of waiters) w();
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', () => {
    for (const w of waiters) w();
  });
  return {
    child,
    lines,
    waitForLog(pattern, timeoutMs) {
      return new Promise<string>((resolvePromise, reject) => {
        const check = () => {
          const hit = lines.find((l) => pattern.test(l));
          if (hit) {
            done();
            resolvePromise(hit);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(new Error(`process exited before logging ${pattern}:\n${lines.slice(-20).join('\n')}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no log line ${pattern} within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
