import { Config } from '../schemas/config.js';

/** Environment variables, with the config path each sets. */
export const ENV = {
  IMR_OCR: 'ocr.mode',
  IMR_OCR_WORKERS: 'ocr.workers',
  IMR_OCR_DPI: 'ocr.dpi',
  IMR_OCR_TIMEOUT_MS: 'ocr.timeoutMs',
  IMR_OCR_RECYCLE_PAGES: 'ocr.recyclePages',
  IMR_OCR_NICE: 'ocr.nice',
  IMR_MAX_FILE_MB: 'limits.maxFileMb',
  IMR_MAX_PAGES: 'limits.maxPages',
  IMR_MAX_PIXELS: 'limits.maxPixels',
  IMR_MAX_INFLATED_MB: 'limits.maxInflatedMb',
  IMR_PAGE_TIME_MS: 'limits.pageTimeMs',
  IMR_MEMORY_MB: 'limits.memoryMb',
  IMR_PDF_THREADS: 'limits.threads',
  IMR_PDF_THREAD_COUNT: 'limits.threadCount',
  IMR_WARMUP_LETTERS: 'workers.warmupLetters',
  REDIS_URL: 'redisUrl',
  IMR_QUEUE_PREFIX: 'queuePrefix',
  DATABASE_URL: 'databaseUrl',
  IMR_INBOX: 'inbox.dir',
  IMR_ARCHIVE: 'inbox.archiveDir',
  IMR_QUARANTINE: 'inbox.quarantineDir',
  IMR_BACKFILL: 'inbox.backfillDir',
  IMR_STABLE_MS: 'inbox.stableMs',
  IMR_POLL_MS: 'inbox.pollMs',
  IMR_WATCH_MODE: 'inbox.mode',
  IMR_EXPORT_DIR: 'exportDir',
  IMR_ANALYTICS: 'analytics.engine',
  IMR_ANALYTICS_COPY: 'analytics.copyPath',
  IMR_ANALYST_DATABASE_URL: 'analytics.analystDatabaseUrl',
  IMR_HOST: 'server.host',
  IMR_PORT: 'server.port',
  IMR_TOKEN: 'server.token',
  IMR_EXTRACT_CONCURRENCY: 'workers.extractConcurrency',
  IMR_OCR_CONCURRENCY: 'workers.ocrConcurrency',
  IMR_QUEUES: 'workers.queues',
  IMR_PARSE_CONCURRENCY: 'workers.parseConcurrency',
  IMR_EXPORT_CONCURRENCY: 'workers.exportConcurrency',
  IMR_RECONCILE_MS: 'workers.reconcileMs',
  IMR_GIVE_UP_MS: 'workers.giveUpMs',
  IMR_LOCK_MS: 'workers.lockMs',
  IMR_FAULT_PAUSE: 'faultPause',
  IMR_SHUTDOWN_MS: 'shutdownMs',
  LOG_LEVEL: 'logLevel',
  IMR_LOG_FORMAT: 'logFormat',
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The one place that reads the environment: embedded defaults, overridden by these variables. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {
    ocr: {},
    limits: {},
    inbox: {},
    server: {},
    workers: {},
    analytics: {},
  };
  for (const [name, path] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parts = path.split('.');
    let target = raw;
    for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
    target[parts.at(-1)!] = value;
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) {
    const byPath = Object.fromEntries(Object.entries(ENV).map(([name, path]) => [path, name]));
    const lines = parsed.error.issues.map(
      (i) => `${byPath[i.path.join('.')] ?? i.path.join('.')}: ${i.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
