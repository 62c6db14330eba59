import { z } from 'zod';

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** Everything a process can be configured with; `loadConfig(env)` is the only reader of the environment. */
export const Config = z.object({
  ocr: z.object({
    /** auto: OCR pages without a usable text layer; always; never. */
    mode: z.enum(['auto', 'always', 'never']).default('auto'),
    /** OCR worker threads per process; 0 means one per core. */
    workers: int(0, 0),
    /** Resolution to render pages for OCR (scanned pages that are one JPEG are used as stored). */
    dpi: int(72, 300),
    timeoutMs: int(1000, 120_000),
    /**
     * An OCR worker is replaced after reading this many pages (0: never). Its WebAssembly memory only
     * grows, to the largest page it has read and then by fragmentation; a fresh worker starts small.
     */
    recyclePages: int(0, 100),
    /**
     * CPU priority (nice, 0-19) of the OCR threads: below the job threads, so that text letters and
     * parsing run first on a busy machine and OCR takes the cores they leave (0: the process's own).
     */
    nice: int(0, 10).pipe(z.number().max(19)),
  }),
  /** Resource caps on one file, so that a hostile or broken PDF fails with a code instead of a crash. */
  limits: z.object({
    /** A file bigger than this fails `too_large` on its size alone: it is never loaded (only hashed). */
    maxFileMb: int(1, 100),
    maxPages: int(1, 200),
    /** Pixels of one page image for OCR (8.5 x 11 in at 300 dpi is 8.4 million). */
    maxPixels: int(1, 50_000_000),
    /** All compressed streams of one file inflated together (a decompression bomb fails here). */
    maxInflatedMb: int(1, 256),
    /** A page (text layer, or render/decode for OCR) must finish within this; else `time_limit`. */
    pageTimeMs: int(100, 30_000),
    /** JavaScript heap of the thread that reads one PDF; beyond it `memory_limit`. */
    memoryMb: int(64, 512),
    /** Read PDFs in threads with the limits above (off: in the job's own thread, no time/memory cap). */
    threads: z.union([z.boolean(), z.enum(['on', 'off']).transform((v) => v === 'on')]).default(true),
    /**
     * PDF-reading threads per process; 0: one fewer than the cores (the job's own thread parses, writes
     * and talks to Redis), at least 1 and at most the extract concurrency.
     */
    threadCount: int(0, 0),
  }),
  /** Redis for the queues. */
  redisUrl: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix of every queue key, so several deployments (or tests) share one Redis. */
  queuePrefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('imr'),
  /** A SQLite file path (default) or a postgres:// URL. */
  databaseUrl: z.string().default('data/imr.sqlite'),
  inbox: z.object({
    dir: z.string().default('inbox'),
    archiveDir: z.string().default('archive'),
    quarantineDir: z.string().default('quarantine'),
    /**
     * The backfill folder: files dropped here are taken in like the inbox's, but their jobs queue behind
     * every inbox drop (years of letters never hold up today's mail). Settled into archive/backfill and
     * quarantine/backfill.
     */
    backfillDir: z.string().default('backfill'),
    /** A file is read once its size and mtime have not changed for this long. */
    stableMs: int(0, 1000),
    /** How often the folder is scanned (also the only trigger in poll mode). */
    pollMs: int(50, 500),
    /** watch: change events plus a scan every pollMs; poll: scans only (network shares). */
    mode: z.enum(['watch', 'poll']).default('watch'),
  }),
  exportDir: z.string().default('data/exports'),
  analytics: z.object({
    /**
     * Where reports, the dashboard, the analyst API and `imr query` run: `copy`, a DuckDB copy of the
     * analyst rows that follows the store (column-wise: fast at millions of items), or `store`, the
     * store's own SQL.
     */
    engine: z.enum(['copy', 'store']).default('copy'),
    /** The copy's file; by default beside a SQLite store, else data/analytics-<database>.duckdb. */
    copyPath: z.string().min(1).optional(),
    /**
     * PostgreSQL: the URL analyst SQL on the store connects with, naming the analyst login (migration 8's
     * `imr_analyst_login`, with its password). Unset: the store's URL as that login without a password.
     */
    analystDatabaseUrl: z.string().min(1).optional(),
  }),
  server: z.object({
    host: z.string().default('127.0.0.1'),
    port: int(0, 3000),
    /**
     * Access token every request must carry (Bearer header, or the cookie set by visiting /?token=...).
     * Required when `host` is not a loopback address.
     */
    token: z.string().min(16, 'the access token needs at least 16 characters').optional(),
  }),
  workers: z.object({
    /** Documents whose text layer is read at once per process (scans only fan out their pages here). */
    extractConcurrency: int(1, 2),
    /** OCR page jobs at once per process; 0: one per OCR thread (ocr.workers, or the cores). */
    ocrConcurrency: int(0, 0),
    /**
     * The queues this process takes jobs from (comma-separated, of extract, ocr, parse, export): e.g. `ocr`
     * on a machine that only OCRs, `extract,parse,export` on one that never does.
     */
    queues: z
      .preprocess(
        (v) =>
          typeof v === 'string' ? [...new Set(v.split(',').map((q) => q.trim()))].filter((q) => q !== '') : v,
        z.array(z.enum(['extract', 'ocr', 'parse', 'export'])).min(1, 'name at least one queue'),
      )
      .default(['extract', 'ocr', 'parse', 'export']),
    parseConcurrency: int(1, 4),
    exportConcurrency: int(1, 4),
    /** A job's lock: a worker that died is noticed (and its job given to another) after about this long. */
    lockMs: int(1000, 30_000),
    /** Synthetic letters a worker process reads and parses at start-up, before its first job (0: none). */
    warmupLetters: int(0, 60),
    /** How often unfinished documents are checked for a live job (and re-enqueued without one). */
    reconcileMs: int(100, 30_000),
    /**
     * A document whose jobs keep failing on transient errors (a database outage, a full disk) for longer
     * than this ends `failed` with the last error's code instead of being retried forever.
     */
    giveUpMs: int(1000, 3_600_000),
  }),
  /** Fault tests only: the point where this process stops dead (see src/faults.ts). */
  faultPause: z.enum(['after-register', 'after-move', 'after-commit', 'after-page']).optional(),
  /** Graceful shutdown: how long running jobs may take before they are abandoned. */
  shutdownMs: int(0, 15_000),
  /** pino level; unset: `info` (`imr ingest` then logs nothing, so its progress line stays clean). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** `auto`: readable lines on a terminal, JSON lines otherwise; `json` or `pretty` force one. */
  logFormat: z.enum(['auto', 'json', 'pretty']).default('auto'),
});
export type Config = z.infer<typeof Config>;
