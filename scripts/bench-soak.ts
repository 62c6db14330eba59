// npm run bench:soak -- [--letters 2000] [--scanned 0.1 | --scans N] [--db sqlite|postgres] [--processes 2]
//                        [--rate 0] [--backfill] [--trickle SECONDS] [--corpus DIR] [--keep]
// npm run bench:backfill  (= bench:soak --backfill --letters 10000 --scans 200 --trickle 5)
// Soak test of the pipeline as deployed: N synthetic letters (a fraction of them scanned, image-only, so
// read through OCR; scans cycle through the grey, fax and copier-bw profiles) dropped into the inbox of
// `imr start --no-server` plus `imr worker` processes, or with --backfill into the backfill folder (queued
// behind inbox drops). --trickle S: meanwhile one new text letter is dropped into the inbox every S seconds
// (and three on the idle box first), and their drop -> queryable times are reported: the live lane.
// Reports throughput, drop -> terminal latency (text, scanned, all), how fast the folder was taken in,
// peak memory and CPU per process, Redis bytes per waiting job, database bytes per letter, what stays in
// Redis afterwards, and checks that no letter was lost or doubled (exit 1 otherwise, or when the trickle's
// p95 is 5 s or more). --corpus keeps the generated letters in DIR for the next run (scans are slow to make).
// Runs against the real Redis (REDIS_URL, default 127.0.0.1:6379) under its own queue prefix, with its own
// database and folders, all removed at the end (also on Ctrl-C). Never prints letter text.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { TERMINAL_STATUSES } from '../schemas/document.js';
import { createProgress, type Progress } from '../src/cli/progress.js';
import { loadConfig } from '../src/config.js';
import { createExtractRuntime } from '../src/pipeline/extract-options.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { QUEUE_NAMES } from '../src/queue/queues.js';
import { generateLetterPdf } from '../src/synth/index.js';
import { SCAN_PROFILE_NAMES, scanPdf, scanProfile } from '../src/synth/scan.js';
import { cpuSeconds, memoryKb } from './proc-stats.js';

const { values } = parseArgs({
  options: {
    letters: { type: 'string', default: '2000' },
    scanned: { type: 'string', default: '0.1' },
    db: { type: 'string', default: 'sqlite' },
    processes: { type: 'string', default: '2' },
    // Letters per second; 0 drops the whole batch at once.
    rate: { type: 'string', default: '0' },
    // How many of the letters are scanned (instead of --scanned, a fraction).
    scans: { type: 'string' },
    backfill: { type: 'boolean', default: false },
    trickle: { type: 'string', default: '0' },
    corpus: { type: 'string' },
    // Leave the temp folder (process logs, SQLite database, exports) for inspection.
    keep: { type: 'boolean', default: false },
    // With --corpus: make the missing letters there and exit (what a run does first, in child processes).
    'generate-only': { type: 'boolean', default: false },
  },
});
const count = Number(values.letters);
const scannedFraction = values.scans === undefined ? Number(values.scanned) : Number(values.scans) / count;
const trickleS = Number(values.trickle);
if (!(trickleS >= 0)) throw new Error('--trickle: seconds between inbox drops, >= 0 (0: none)');
/** The trickle's goal: a live drop settles as on an idle box. */
const TRICKLE_P95_GOAL_MS = 5000;
const processes = Number(values.processes);
const rate = Number(values.rate);
if (!Number.isInteger(count) || count < 1) throw new Error('--letters: a whole number >= 1');
if (!(scannedFraction >= 0 && scannedFraction <= 1)) throw new Error('--scanned: a fraction in [0, 1]');
if (!Number.isInteger(processes) || processes < 1) throw new Error('--processes: a whole number >= 1');
if (!(rate >= 0)) throw new Error('--rate: letters per second, >= 0');
if (values.db !== 'sqlite' && values.db !== 'postgres') throw new Error('--db: sqlite or postgres');

const root = resolve(import.meta.dirname, '..');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const PG_ADMIN = 'postgres://postgres@127.0.0.1:5432/postgres';
const POLL_MS = 200;
/** After the last letter is terminal: BullMQ's job removal and the 1 s settle timer have run by then. */
const SETTLE_MS = 5000;
/** No new terminal document for this long: stop waiting and report the rest as lost. */
const STALL_MS = 10 * 60_000;
const SAMPLE_SIZE = 20;
const TERMINAL_SQL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ');

/** Epoch milliseconds with sub-millisecond resolution, comparable with documents.updated_at. */
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile; NaN for no values. */
const percentile = (xs: number[], p: number) => {
  const s = sorted(xs);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};
const sec = (ms: number) => (Number.isNaN(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`);
const mb = (kb: number | null) => (kb === null ? '-' : `${(kb / 1024).toFixed(0)} MB`);
const ratio = (a: number, b: number) =>
  Number.isNaN(a) || Number.isNaN(b) || b === 0 ? '-' : (a / b).toFixed(2);
/** The live progress line (stderr, terminal only), if any: cleared for each [soak] line, then redrawn. */
let live: Progress | null = null;
const progress = (line: string) => {
  live?.clear();
  process.stderr.write(`[soak] ${line}\n`);
  live?.tick(0);
};
/** Ends the live line, if any: at the end of its phase, or before an error message. */
const endLive = () => {
  live?.done();
  live = null;
};

// ---- Resources to clean up, whatever happens -------------------------------------------------------------

const work = await mkdtemp(join(tmpdir(), 'imr-bench-soak-'));
const prefix = `imrsoak${randomBytes(3).toString('hex')}`;
const pgName = values.db === 'postgres' ? `imr_soak_${randomBytes(3).toString('hex')}` : null;
const databaseUrl = pgName ? `postgres://postgres@127.0.0.1:5432/${pgName}` : join(work, 'soak.sqlite');
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
// Plain SQL over either engine: cheap terminal polling, and checks the Store interface has no call for.
interface Db {
  all(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
let db: Db | null = null;

interface Proc {
  role: string;
  child: ChildProcess;
  pid: number;
  log: string;
  maxRssKb: number;
  hwmKb: number | null;
  cpuSeconds: number | null;
  exit: string | null;
}
const procs: Proc[] = [];

async function stopChildren(): Promise<void> {
  await Promise.all(
    procs.map(async (p) => {
      if (p.exit !== null) return;
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      // Graceful shutdown waits up to IMR_SHUTDOWN_MS (15 s) for running jobs.
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

async function deleteRedisKeys(): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopChildren().catch(() => undefined);
    await db?.close().catch(() => undefined);
    if (redis.status === 'ready') {
      await deleteRedisKeys().catch(() => undefined);
      redis.disconnect();
    }
    if (pgName) {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`).finally(() => c.end());
    }
    if (values.keep) progress(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    endLive();
    progress(`${signal}: stopping the workers and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- Per-process readings from /proc ---------------------------------------------------------------------

function sampleMemory(): void {
  for (const p of procs) {
    const m = p.exit === null ? memoryKb(p.pid) : null;
    if (m) p.maxRssKb = Math.max(p.maxRssKb, m.rss);
  }
}

// ---- The run --------------------------------------------------------------------------------------------

interface Letter {
  name: string;
  seed: number;
  scanned: boolean;
  sha256: string;
  /** Epoch ms at which the file appeared in the inbox (whole, by rename). */
  droppedAt: number;
}

async function generate(): Promise<{ letters: Letter[]; samples: Map<string, Uint8Array> }> {
  const source = join(work, 'letters');
  await mkdir(source);
  const corpus = values.corpus ? resolve(values.corpus) : null;
  if (corpus) await mkdir(corpus, { recursive: true });
  // Scanned letters spread evenly: letter i is scanned when floor((i+1)*S/N) steps past floor(i*S/N).
  const scannedTotal = Math.round(count * scannedFraction);
  const isScanned = (i: number) =>
    Math.floor(((i + 1) * scannedTotal) / count) > Math.floor((i * scannedTotal) / count);
  const indices = Array.from({ length: count }, (_, i) => i);
  const scanIdx = indices.filter(isScanned);
  const textIdx = indices.filter((i) => !isScanned(i));
  // The letters compared with an in-process run: evenly spread, scanned ones in proportion (at least one).
  const sampleScans = Math.min(
    scanIdx.length,
    Math.max(scanIdx.length > 0 ? 1 : 0, Math.round(SAMPLE_SIZE * scannedFraction)),
  );
  const spread = (xs: number[], k: number) =>
    Array.from(
      { length: Math.min(k, xs.length) },
      (_, j) => xs[Math.floor((j * xs.length) / Math.min(k, xs.length))]!,
    );
  const sampleSet = new Set([...spread(scanIdx, sampleScans), ...spread(textIdx, SAMPLE_SIZE - sampleScans)]);

  const width = String(count).length;
  const letters: Letter[] = [];
  const samples = new Map<string, Uint8Array>();
  live = createProgress('bench:soak generate', count);
  for (const i of indices) {
    const seed = i + 1;
    const scanned = isScanned(i);
    const name = `${scanned ? 'scan' : 'text'}-${String(seed).padStart(width, '0')}.pdf`;
    const cached = corpus ? await readFile(join(corpus, name)).catch(() => null) : null;
    let pdf: Uint8Array;
    if (cached) pdf = new Uint8Array(cached);
    else {
      const text = (await generateLetterPdf(seed, { layout: 'fdl-2016' })).pdf;
      // A different scan (angle, noise) per letter, as offices make them: grey, fax and 1-bit copier.
      const profile = SCAN_PROFILE_NAMES[scanIdx.indexOf(i) % SCAN_PROFILE_NAMES.length]!;
      pdf = scanned ? await scanPdf(text, { ...scanProfile(profile), seed }) : text;
      if (corpus) await writeFile(join(corpus, name), pdf);
    }
    await writeFile(join(source, name), pdf);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    letters.push({ name, seed, scanned, sha256, droppedAt: Number.NaN });
    if (sampleSet.has(i)) samples.set(name, pdf);
    live.tick();
    if (seed % 200 === 0) progress(`generated ${seed}/${count}`);
  }
  endLive();
  return { letters, samples };
}

function openDb(url: string): Promise<Db> {
  if (pgName) {
    return (async () => {
      const c = new pg.Client({ connectionString: url });
      // The database is dropped WITH (FORCE) at the end: a terminated idle client must not crash us.
      c.on('error', () => undefined);
      await c.connect();
      return {
        all: async (sql) => (await c.query<Record<string, unknown>>(sql)).rows,
        close: () => c.end(),
      };
    })();
  }
  const raw = new SqliteDatabase(url);
  raw.pragma('busy_timeout = 5000');
  return Promise.resolve({
    all: async (sql) => raw.prepare(sql).all() as Record<string, unknown>[],
    close: async () => void raw.close(),
  });
}

/**
 * Fills the corpus folder in child processes, each resuming where the last stopped: the scanner's native
 * canvas has crashed the process (SIGSEGV) after a few thousand letters, and a crash then costs nothing.
 */
function fillCorpus(): void {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const child = spawnSync(
      process.execPath,
      [
        join(root, 'bin/run.js'),
        join(root, 'scripts/bench-soak.ts'),
        ...process.argv.slice(2),
        '--generate-only',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (child.status === 0) return;
    progress(`generating: the child stopped (${child.signal ?? child.status}); resuming from the corpus`);
  }
  throw new Error('could not generate the corpus in 10 attempts');
}

async function main(): Promise<number> {
  if (values['generate-only']) {
    if (!values.corpus) throw new Error('--generate-only needs --corpus DIR');
    await generate();
    return 0;
  }
  if (values.corpus) fillCorpus();
  await redis.connect();
  const t0Gen = clock();
  const { letters, samples } = await generate();
  const genMs = clock() - t0Gen;
  const scannedCount = letters.filter((l) => l.scanned).length;
  const unique = new Set(letters.map((l) => l.sha256));
  progress(`generated ${count} letters (${scannedCount} scanned) in ${sec(genMs)}`);

  if (pgName) {
    const c = new pg.Client({ connectionString: PG_ADMIN });
    await c.connect();
    await c.query(`CREATE DATABASE ${pgName}`).finally(() => c.end());
  }
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    IMR_QUEUE_PREFIX: prefix,
    IMR_INBOX: join(work, 'inbox'),
    IMR_ARCHIVE: join(work, 'archive'),
    IMR_QUARANTINE: join(work, 'quarantine'),
    IMR_BACKFILL: join(work, 'backfill'),
    IMR_EXPORT_DIR: join(work, 'exports'),
    IMR_OCR: 'auto',
    IMR_STABLE_MS: '200',
    IMR_POLL_MS: '100',
    LOG_LEVEL: 'warn',
  };
  // An existing inbox: `imr start` seeds a missing one with the bundled samples.
  await mkdir(env.IMR_INBOX, { recursive: true });
  const usedBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);

  // As deployed: the first process runs the watcher and workers (imr start), the others workers only.
  for (let i = 0; i < processes; i++) {
    const args = i === 0 ? ['start', '--no-server'] : ['worker'];
    const log = join(work, `process-${i + 1}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [join(root, 'bin/imr.js'), ...args], {
      env,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start imr ${args.join(' ')}`);
    const p: Proc = {
      role: `imr ${args.join(' ')}`,
      child,
      pid: child.pid,
      log,
      maxRssKb: 0,
      hwmKb: null,
      cpuSeconds: null,
      exit: null,
    };
    child.once('exit', (code, signal) => {
      p.exit = signal ?? String(code);
    });
    procs.push(p);
  }
  const sampler = setInterval(sampleMemory, 1000);

  // Ready when the schema is there and every process has its extract worker connected to Redis.
  const queueConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('extract', { connection: queueConnection, prefix });
  const readyBy = clock() + 120_000;
  for (;;) {
    if (procs.some((p) => p.exit !== null)) throw new Error('a pipeline process exited while starting');
    if (clock() > readyBy) throw new Error('the pipeline processes did not come up within 120 s');
    if (!db && (pgName || existsSync(databaseUrl))) {
      const candidate = await openDb(databaseUrl);
      try {
        await candidate.all('SELECT count(*) AS n FROM documents');
        db = candidate;
      } catch {
        await candidate.close(); // not migrated yet
      }
    }
    if (db && (await queue.getWorkersCount()) >= processes) break;
    await sleep(POLL_MS);
  }
  await queue.close();
  queueConnection.disconnect();
  const sql = db;

  // The live lane: one new text letter into the inbox, whole at a known time (a rename).
  const trickles: Letter[] = [];
  const trickleSeen = new Map<string, number>();
  const dropTrickle = async (phase: 'idle' | 'busy') => {
    const seed = 1_000_000 + trickles.length;
    const pdf = (await generateLetterPdf(seed, { layout: 'fdl-2016' })).pdf;
    const name = `trickle-${phase}-${seed}.pdf`;
    await writeFile(join(work, name), pdf);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    await rename(join(work, name), join(env.IMR_INBOX, name));
    const letter = { name, seed, scanned: false, sha256, droppedAt: clock() };
    trickles.push(letter);
    return letter;
  };
  const waitTerminal = async (sha: string) => {
    for (;;) {
      const rows = await sql.all(
        `SELECT updated_at FROM documents WHERE sha256 = '${sha}' AND status IN (${TERMINAL_SQL})`,
      );
      if (rows.length > 0) return clock();
      await sleep(20);
    }
  };
  const idleTrickle: number[] = [];
  if (trickleS > 0) {
    // On the idle box first: what a drop costs with nothing else to do.
    for (let i = 0; i < 3; i++) {
      const l = await dropTrickle('idle');
      const at = await waitTerminal(l.sha256);
      trickleSeen.set(l.sha256, at);
      idleTrickle.push(at - l.droppedAt);
    }
    progress(`idle box: trickle drop -> queryable ${idleTrickle.map((ms) => sec(ms)).join(', ')}`);
  }

  // Redis while the batch waits: bytes per waiting job, at the sample with the most jobs waiting.
  const redisPeak = { waiting: 0, usedBytes: Number.NaN, keyBytes: Number.NaN };
  const jobQueues = ['extract', 'ocr'].map((name) => new Queue(name, { connection: redis, prefix }));
  const sampleRedis = async () => {
    const counts = await Promise.all(
      jobQueues.map((q) => q.getJobCounts('wait', 'prioritized', 'delayed', 'waiting-children')),
    );
    const waiting = counts.reduce((a, c) => a + Object.values(c).reduce((x, y) => x + y, 0), 0);
    if (waiting <= redisPeak.waiting) return;
    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);
    // The job hashes themselves, on a sample of waiting ones (the lists and sets around them are extra).
    const ids = await jobQueues[0]!.getRanges(['prioritized', 'wait'], 0, 99);
    let bytes = 0;
    for (const id of ids) {
      bytes += Number(await redis.call('MEMORY', 'USAGE', `${prefix}:extract:${id}`, 'SAMPLES', '0'));
    }
    Object.assign(redisPeak, {
      waiting,
      usedBytes: used - usedBefore,
      keyBytes: ids.length > 0 ? bytes / ids.length : Number.NaN,
    });
  };

  // Drop: a rename from a folder on the same file system, so the file appears whole at a known time.
  const target = values.backfill ? env.IMR_BACKFILL : env.IMR_INBOX;
  await mkdir(target, { recursive: true });
  const t0 = clock();
  const dropping = (async () => {
    for (const [i, l] of letters.entries()) {
      if (rate > 0) await sleep(t0 + (i * 1000) / rate - clock());
      await rename(join(work, 'letters', l.name), join(target, l.name));
      l.droppedAt = clock();
    }
  })();
  let dropped = false;
  void dropping.then(() => {
    dropped = true;
  });
  // Taken in: every dropped file registered (bytes in the database, first job queued).
  let takenInAt = Number.NaN;
  let batchDone = false;
  const busyTrickles: Letter[] = [];
  const trickling = (async () => {
    if (trickleS <= 0) return;
    while (!batchDone) {
      await sleep(trickleS * 1000);
      if (batchDone) break;
      busyTrickles.push(await dropTrickle('busy'));
    }
  })();
  const sampling = (async () => {
    while (!batchDone) {
      await sampleRedis().catch(() => undefined);
      if (Number.isNaN(takenInAt) && dropped) {
        const n = Number((await sql.all('SELECT count(*) AS n FROM files'))[0]?.n ?? 0);
        if (n >= letters.length + trickles.length) takenInAt = clock();
      }
      await sleep(2000);
    }
  })();

  // Terminal = queryable: first time each document is seen terminal, and its updated_at.
  const seen = new Map<string, { at: number; updatedAt: number }>();
  let lastProgress = clock();
  let lastNew = clock();
  let stalled = false;
  live = createProgress('bench:soak terminal', unique.size);
  // Only rows updated since a little before the last one seen: the poll stays cheap at 10,000 letters.
  let since = '';
  let maxUpdated = '';
  while (!dropped || seen.size < unique.size) {
    const rows = await sql.all(
      `SELECT sha256, updated_at FROM documents WHERE status IN (${TERMINAL_SQL}) AND updated_at >= '${since}'`,
    );
    const at = clock();
    if (maxUpdated) since = new Date(Date.parse(maxUpdated) - 5000).toISOString();
    for (const r of rows) {
      const sha = String(r.sha256);
      const updated = String(r.updated_at);
      if (updated > maxUpdated) maxUpdated = updated;
      if (!trickleSeen.has(sha) && trickles.some((t) => t.sha256 === sha)) trickleSeen.set(sha, at);
      if (seen.has(sha) || !unique.has(sha)) continue;
      seen.set(sha, { at, updatedAt: Date.parse(String(r.updated_at)) });
      lastNew = at;
      live.tick();
    }
    if (at - lastProgress >= 10_000) {
      lastProgress = at;
      const rss = procs.map((p) => mb(memoryKb(p.pid)?.rss ?? null)).join(' / ');
      progress(`${sec(at - t0)}: ${seen.size}/${unique.size} terminal, RSS ${rss}`);
    }
    if (procs.some((p) => p.exit !== null) || at - lastNew > STALL_MS) {
      stalled = true;
      progress('a pipeline process exited or nothing finished for 10 min: stopping the wait');
      break;
    }
    await sleep(POLL_MS);
  }
  endLive();
  await dropping;
  batchDone = true;
  await Promise.all([trickling, sampling]);
  await Promise.all(jobQueues.map((q) => q.close()));
  // The last trickle letters (dropped near the end) finish too.
  for (const t of trickles)
    if (!trickleSeen.has(t.sha256)) trickleSeen.set(t.sha256, await waitTerminal(t.sha256));
  const lastTerminal = Math.max(...[...seen.values()].map((s) => s.at));
  const lastUpdated = Math.max(...[...seen.values()].map((s) => s.updatedAt));
  const firstDrop = Math.min(...letters.map((l) => l.droppedAt));

  // Settled state: what is left in Redis and on disk once the batch is through.
  await sleep(SETTLE_MS);
  const info = await redis.info('memory');
  const usedMemory = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  const usedHuman = /used_memory_human:(\S+)/.exec(info)?.[1] ?? '-';
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  let keyBytes = 0;
  for (const k of keys) keyBytes += Number(await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0'));
  // Job keys are `prefix:stage:stage-<sha256>` (and `:lock`, `:logs` beside them).
  const jobKeys = keys.filter((k) => QUEUE_NAMES.some((s) => k.startsWith(`${prefix}:${s}:${s}-`))).length;
  const perStage: string[] = [];
  for (const s of QUEUE_NAMES) {
    const base = `${prefix}:${s}`;
    const [events, completed, failed] = await Promise.all([
      redis.xlen(`${base}:events`),
      redis.zcard(`${base}:completed`),
      redis.zcard(`${base}:failed`),
    ]);
    perStage.push(`${s} ${events}/${completed}/${failed}`);
  }

  // Just before stopping: the peak the kernel recorded, and CPU time so far.
  sampleMemory();
  for (const p of procs) {
    p.hwmKb = memoryKb(p.pid)?.hwm ?? null;
    p.cpuSeconds = cpuSeconds(p.pid);
  }
  clearInterval(sampler);
  await stopChildren();
  // The processes log at warn and above: their messages counted (the `msg` only, never letter text).
  const logSummary = procs.map((p) => {
    const counts = new Map<string, number>();
    const text = existsSync(p.log) ? readFileSync(p.log, 'utf8') : '';
    for (const line of text.split('\n')) {
      // pino lines are JSON; the start-up banner is plain text and not counted.
      let entry: { msg?: unknown };
      try {
        entry = JSON.parse(line) as { msg?: unknown };
      } catch {
        continue;
      }
      const msg = typeof entry.msg === 'string' ? entry.msg : '(no msg)';
      counts.set(msg, (counts.get(msg) ?? 0) + 1);
    }
    return counts.size === 0 ? 'none' : [...counts.entries()].map(([m, n]) => `"${m}" ${n}`).join(', ');
  });

  // ---- Checks (the children are stopped: nothing changes under them) ----
  const num = (rows: Record<string, unknown>[]) => Number(rows[0]?.n ?? Number.NaN);
  const docs = await sql.all('SELECT sha256, status, error_code FROM documents');
  const docStatus = new Map(docs.map((d) => [String(d.sha256), String(d.status)]));
  const byStatus = new Map<string, number>();
  for (const d of docs) byStatus.set(String(d.status), (byStatus.get(String(d.status)) ?? 0) + 1);
  const failCodes = new Map<string, number>();
  for (const d of docs.filter((x) => x.status === 'failed')) {
    failCodes.set(String(d.error_code), (failCodes.get(String(d.error_code)) ?? 0) + 1);
  }
  const expected = new Set([...unique, ...trickles.map((t) => t.sha256)]);
  const droppedFiles = letters.length + trickles.length;
  const notTerminal = [...expected].filter(
    (s) => !TERMINAL_STATUSES.some((t) => t === docStatus.get(s)),
  ).length;
  const fileRows = num(await sql.all('SELECT count(*) AS n FROM files'));
  const settledFiles = num(await sql.all('SELECT count(*) AS n FROM files WHERE settled_to IS NOT NULL'));
  const letterRows = num(await sql.all('SELECT count(*) AS n FROM letters'));
  const letterDistinct = num(await sql.all('SELECT count(DISTINCT sha256) AS n FROM letters'));
  const nonFailed = num(await sql.all(`SELECT count(*) AS n FROM documents WHERE status <> 'failed'`));
  const nonFailedWithLetter = num(
    await sql.all(
      `SELECT count(*) AS n FROM documents d JOIN letters l ON l.sha256 = d.sha256 WHERE d.status <> 'failed'`,
    ),
  );
  const itemRows = new Map(
    (await sql.all('SELECT sha256, count(*) AS n FROM items GROUP BY sha256')).map((r) => [
      String(r.sha256),
      Number(r.n),
    ]),
  );
  let itemsMore = 0;
  let itemsFewer = 0;
  for (const r of await sql.all('SELECT sha256, record_json FROM letters')) {
    const record = JSON.parse(String(r.record_json)) as { items?: unknown[] };
    const stored = itemRows.get(String(r.sha256)) ?? 0;
    const expected = record.items?.length ?? 0;
    if (stored > expected) itemsMore++;
    if (stored < expected) itemsFewer++;
  }
  // A sample re-read in this process (OCR as configured in the pipeline) gives the same item counts.
  const runtime = createExtractRuntime(loadConfig({ IMR_OCR: 'auto' }));
  let sampleMore = 0;
  let sampleFewer = 0;
  // Failed in the pipeline (terminal, not lost) but parsed here: shown, not compared.
  let sampleFailedOnly = 0;
  try {
    for (const [name, bytes] of samples) {
      const { record } = await processPdf(name, bytes, runtime.options);
      if (docStatus.get(record.sha256) === 'failed') {
        if (record.status !== 'failed') sampleFailedOnly++;
        continue;
      }
      const stored = itemRows.get(record.sha256) ?? 0;
      if (stored > record.items.length) sampleMore++;
      if (stored < record.items.length) sampleFewer++;
    }
  } finally {
    await runtime.close();
  }

  const lost =
    notTerminal +
    Math.max(0, droppedFiles - fileRows) +
    (nonFailed - nonFailedWithLetter) +
    itemsFewer +
    sampleFewer;
  const doubled =
    Math.max(0, docs.length - expected.size) +
    Math.max(0, fileRows - droppedFiles) +
    (letterRows - letterDistinct) +
    itemsMore +
    sampleMore;

  // The database's size per letter (PDF bytes included: the store keeps every original).
  const dbBytes = pgName
    ? num(await sql.all(`SELECT pg_database_size('${pgName}') AS n`))
    : (await stat(databaseUrl)).size + ((await stat(`${databaseUrl}-wal`).catch(() => null))?.size ?? 0);
  const pdfBytes = num(await sql.all('SELECT sum(bytes) AS n FROM documents'));

  // ---- Report ----
  const lat = (kind: 'text' | 'scanned' | 'all', from: 'at' | 'updatedAt') =>
    letters
      .filter((l) => kind === 'all' || l.scanned === (kind === 'scanned'))
      .flatMap((l) => {
        const s = seen.get(l.sha256);
        return s ? [s[from] - l.droppedAt] : [];
      });
  const row = (kind: 'text' | 'scanned' | 'all') => {
    const xs = lat(kind, 'at');
    return `  ${kind.padEnd(8)} n=${String(xs.length).padEnd(5)} p50 ${sec(percentile(xs, 0.5)).padEnd(9)} p95 ${sec(percentile(xs, 0.95)).padEnd(9)} max ${sec(percentile(xs, 1))}`;
  };
  const [text, scan, all] = [lat('text', 'at'), lat('scanned', 'at'), lat('all', 'at')];
  const allUpdated = lat('all', 'updatedAt');
  const batchMs = lastTerminal - firstDrop;
  // Steady state: the rate between the 10th and the 90th percentile of completions, without the cold
  // start (module loading, OCR model) of the first jobs and the tail of the last ones.
  const ends = sorted([...seen.values()].map((s) => s.at));
  const [i10, i90] = [Math.floor(ends.length * 0.1), Math.ceil(ends.length * 0.9) - 1];
  const steady = i90 > i10 ? ((i90 - i10) * 1000) / (ends[i90]! - ends[i10]!) : Number.NaN;
  const totalCpu = procs.reduce((a, p) => a + (p.cpuSeconds ?? 0), 0);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

  console.log(
    `${count} synthetic fdl-2016 letters (${count - scannedCount} text, ${scannedCount} scanned, spread evenly), database ${values.db}, ${processes} processes (start --no-server + ${processes - 1} worker), IMR_OCR=auto, ${rate > 0 ? `dropped at ${rate} letters/s` : 'dropped all at once'} into ${values.backfill ? 'the backfill folder' : 'the inbox'}, stable 200 ms / poll 100 ms`,
  );
  console.log(
    `generated in ${sec(genMs)}; ${stalled ? 'STOPPED WAITING (stall or process exit): ' : ''}first drop -> all terminal ${sec(batchMs)}`,
  );
  console.log(
    `throughput:           ${((seen.size * 1000) / batchMs).toFixed(2)} letters/s  (by documents.updated_at: ${((seen.size * 1000) / (lastUpdated - firstDrop)).toFixed(2)}; 10th-90th percentile of completions: ${steady.toFixed(2)}; first terminal after ${sec((ends[0] ?? Number.NaN) - firstDrop)}; CPU ${(totalCpu / Math.max(1, seen.size)).toFixed(2)} s/letter over all processes)`,
  );
  console.log(`drop -> terminal (polled every ${POLL_MS} ms):`);
  console.log(row('text'));
  console.log(row('scanned'));
  console.log(row('all'));
  console.log(
    `  scanned / text:     p50 ${ratio(percentile(scan, 0.5), percentile(text, 0.5))}x, p95 ${ratio(percentile(scan, 0.95), percentile(text, 0.95))}x;  by updated_at, all: p50 ${sec(percentile(allUpdated, 0.5))}, p95 ${sec(percentile(allUpdated, 0.95))} (poll p50 ${sec(percentile(all, 0.5))})`,
  );
  console.log(
    `statuses:             ${[...byStatus.entries()].map(([s, n]) => `${s} ${n}`).join(', ')}${failCodes.size > 0 ? ` (failed: ${[...failCodes.entries()].map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}`,
  );
  for (const [i, p] of procs.entries()) {
    console.log(
      `process ${i + 1} ${p.role.padEnd(22)} peak RSS (VmHWM) ${mb(p.hwmKb).padEnd(7)} max sampled VmRSS ${mb(p.maxRssKb).padEnd(7)} CPU ${p.cpuSeconds === null ? '-' : `${p.cpuSeconds.toFixed(1)} s`}  exit ${p.exit}  log: ${logSummary[i]}`,
    );
  }
  console.log(
    `redis:                used_memory ${usedHuman} (${usedMemory} bytes; ${Number.isNaN(usedBefore) ? '-' : `${usedMemory - usedBefore >= 0 ? '+' : ''}${kb(usedMemory - usedBefore)}`} since before the run; instance shared with others)`,
  );
  console.log(
    `redis keys ${prefix}:*  ${keys.length} after ${SETTLE_MS / 1000} s settle (${jobKeys} job keys; ${kb(keyBytes)}); per stage events/completed/failed: ${perStage.join(', ')}`,
  );
  console.log(
    `checks:               documents ${docs.length} (unique letters ${expected.size}); files ${fileRows} (dropped ${droppedFiles}, settled ${settledFiles}); letters rows ${letterRows} (distinct ${letterDistinct}; non-failed documents ${nonFailed}, with a letter ${nonFailedWithLetter}); items rows != record items: ${itemsMore} more, ${itemsFewer} fewer; in-process item counts, ${samples.size} sampled: ${sampleMore} more, ${sampleFewer} fewer${sampleFailedOnly > 0 ? ` (${sampleFailedOnly} failed in the pipeline but parsed in-process: not compared)` : ''}`,
  );
  const perDoc = (bytes: number) => kb(bytes / Math.max(1, docs.length));
  console.log(
    `database:             ${(dbBytes / 2 ** 20).toFixed(0)} MB for ${docs.length} documents: ${perDoc(dbBytes)} per letter, of which the PDF ${perDoc(pdfBytes)} (the rest: page text, record, items, provenance, indexes)`,
  );
  console.log(
    `redis while waiting:  ${redisPeak.waiting} jobs waiting at most: ${Number.isNaN(redisPeak.usedBytes) ? '-' : `${(redisPeak.usedBytes / Math.max(1, redisPeak.waiting)).toFixed(0)} bytes of used_memory per waiting job`} (growth since before the run / jobs waiting); a waiting job's hash ${redisPeak.keyBytes.toFixed(0)} bytes (MEMORY USAGE, 100 sampled)`,
  );
  console.log(
    `taken in:             ${letters.length} files ${values.backfill ? 'in the backfill folder' : 'in the inbox'} registered ${Number.isNaN(takenInAt) ? '(not seen: under 2 s, or stalled)' : `within ${sec(takenInAt - firstDrop)} (${((letters.length * 1000) / (takenInAt - firstDrop)).toFixed(0)} files/s; sampled every 2 s)`}`,
  );
  let trickleOk = true;
  if (trickleS > 0) {
    const busy = busyTrickles.map((t) => (trickleSeen.get(t.sha256) ?? Number.NaN) - t.droppedAt);
    const p95 = percentile(busy, 0.95);
    trickleOk = busy.length > 0 && p95 < TRICKLE_P95_GOAL_MS;
    console.log(
      `trickle (inbox, one text letter every ${trickleS} s), drop -> queryable: idle box p50 ${sec(percentile(idleTrickle, 0.5))} (n=${idleTrickle.length}); during the ${values.backfill ? 'backfill' : 'batch'} n=${busy.length} p50 ${sec(percentile(busy, 0.5))} p95 ${sec(p95)} max ${sec(percentile(busy, 1))} (goal p95 < ${sec(TRICKLE_P95_GOAL_MS)}: ${trickleOk ? 'met' : 'MISSED'})`,
    );
  }
  console.log(`lost: ${lost}, doubled: ${doubled}`);
  return lost === 0 && doubled === 0 && !stalled && trickleOk ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  // After Ctrl-C the run fails on closed connections: not worth a message.
  endLive();
  if (cleaning === null) process.stderr.write(`bench:soak: ${(err as Error).message}\n`);
} finally {
  await cleanup();
}
process.exit(code);
