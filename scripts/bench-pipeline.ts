// npm run bench:pipeline -- [--letters 500] [--db sqlite|postgres] [--rounds 3]
// End-to-end throughput (drop into the inbox -> exported) with 1 and with 2 worker processes, beside the
// in-process `imr extract` rate on the same letters, and the drop -> queryable latency of one letter.
// Each round measures them side by side; medians over the rounds are printed (the machine is shared).
// Worker processes are timed once they say they are ready (PDF threads started, warm-up letters read), and
// once more with IMR_WARMUP_LETTERS=0; CPU per letter is read from /proc for workers, Redis and this script.
// Last, the two goals of less overhead per letter as ratios to the in-process path: worker CPU per letter
// (2 warmed processes, every thread) and the rate of 2 worker processes.
// Runs against the real Redis (REDIS_URL, default 127.0.0.1:6379) under its own queue prefix.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createProgress } from '../src/cli/progress.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { createStore } from '../src/store/create-store.js';
import { generateLetterPdf } from '../src/synth/index.js';
import { startPipeline } from '../workers/main.js';
import { cpuSeconds } from './proc-stats.js';

const { values } = parseArgs({
  options: {
    letters: { type: 'string', default: '500' },
    db: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
  },
});
const count = Number(values.letters);
const root = resolve(import.meta.dirname, '..');
const work = await mkdtemp(join(tmpdir(), 'imr-bench-pipe-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rounds = Number(values.rounds);
const LATENCY_LETTERS = 7;
// Letters generated, then read in every measurement (in process, 1, 2 and 2 cold processes per round),
// then the latency letters. On stderr when it is a terminal; never ticked inside a timed in-process loop.
const progress = createProgress(
  'bench:pipeline',
  count * (1 + 4 * rounds) + Math.min(LATENCY_LETTERS, count),
);

/** The pid of the Redis server the pipeline uses, for its CPU share (null when not on this machine). */
async function redisPid(): Promise<number | null> {
  const { Redis } = await import('ioredis');
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  try {
    await client.connect();
    const info = await client.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    return Number.isFinite(pid) && cpuSeconds(pid) !== null ? pid : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}
const redis = await redisPid();

/** CPU milliseconds per letter, by process kind, of one measurement. */
interface CpuShare {
  workers: number;
  redis: number;
  bench: number;
}

// The letters: synthetic text-layer letters, generated once.
const source = join(work, 'letters');
await mkdir(source);
for (let seed = 1; seed <= count; seed++) {
  await writeFile(
    join(source, `letter-${seed}.pdf`),
    (await generateLetterPdf(seed, { layout: 'fdl-2016' })).pdf,
  );
  progress.tick();
}
const names = (await readdir(source)).sort();

async function freshDatabase(tag: string): Promise<string> {
  if (values.db !== 'postgres') return join(work, `${tag}.sqlite`);
  const name = `imr_bench_${tag}_${randomBytes(3).toString('hex')}`;
  const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}

/** An isolated pipeline environment (own database, queue prefix and folders) for one measurement. */
async function benchEnv(tag: string) {
  return {
    ...process.env,
    DATABASE_URL: await freshDatabase(tag),
    IMR_QUEUE_PREFIX: `imrbench${randomBytes(3).toString('hex')}`,
    IMR_INBOX: join(work, tag, 'inbox'),
    IMR_ARCHIVE: join(work, tag, 'archive'),
    IMR_QUARANTINE: join(work, tag, 'quarantine'),
    IMR_BACKFILL: join(work, tag, 'backfill'),
    IMR_EXPORT_DIR: join(work, tag, 'exports'),
    IMR_OCR: 'never',
  };
}

async function run(
  processes: number,
  round: number,
  extra: Record<string, string> = {},
): Promise<{ rate: number; cpu: CpuShare }> {
  const env = {
    ...(await benchEnv(`p${processes}r${round}${Object.keys(extra).length ? 'x' : ''}`)),
    ...extra,
    IMR_STABLE_MS: '200',
    IMR_POLL_MS: '100',
    LOG_LEVEL: 'warn',
  };
  await mkdir(env.IMR_INBOX, { recursive: true });
  // As deployed: the first process runs the watcher and workers (imr start), the others workers only
  // (imr worker). This process only drops the files and watches the database.
  // Workers are measured running, as staff meet them: the clock starts once every process says it is
  // ready (its PDF threads started), not while they boot.
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < processes; i++) {
    const args = i === 0 ? ['start', '--no-server'] : ['worker'];
    const child = spawn(process.execPath, [join(root, 'bin/imr.js'), ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        let out = '';
        // `imr start|worker` says it is running on stderr (stdout stays free for data).
        child.stderr?.on('data', (chunk: Buffer) => {
          if (out.length < 4096) out += chunk.toString();
          if (out.includes(': running.')) resolve();
        });
        child.once('exit', (code) =>
          reject(new Error(`imr ${args[0]} exited (${code}) before it was ready`)),
        );
      }),
    );
  }
  await Promise.all(ready);
  const store = createStore(env.DATABASE_URL);
  const before = {
    workers: children.map((c) => cpuSeconds(c.pid ?? 0) ?? 0),
    redis: redis ? (cpuSeconds(redis) ?? 0) : 0,
    bench: process.cpuUsage(),
  };
  const t0 = performance.now();
  for (const n of names) await cp(join(source, n), join(env.IMR_INBOX, n));
  let counted = 0;
  for (;;) {
    const c = await store.counts();
    const terminal = c.done + c.needs_review + c.failed;
    progress.tick(terminal - counted);
    counted = terminal;
    if (terminal >= count) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = children.map((c) => cpuSeconds(c.pid ?? 0) ?? 0);
  const perLetter = (s: number) => (s * 1000) / count;
  const benchCpu = process.cpuUsage(before.bench);
  const cpu = {
    workers: perLetter(after.reduce((a, x, i) => a + x - (before.workers[i] ?? 0), 0)),
    redis: redis ? perLetter((cpuSeconds(redis) ?? 0) - before.redis) : 0,
    bench: perLetter((benchCpu.user + benchCpu.system) / 1e6),
  };
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  await store.close();
  return { rate: count / seconds, cpu };
}

async function latency(): Promise<number[]> {
  // Default stable delay and poll interval: the latency a person sees.
  const env = await benchEnv('lat');
  await mkdir(env.IMR_INBOX, { recursive: true });
  const p = await startPipeline(
    loadConfig(env),
    { workers: true, watcher: true, server: false },
    silentLogger(),
  );
  const out: number[] = [];
  for (const n of names.slice(0, LATENCY_LETTERS)) {
    const t0 = performance.now();
    await cp(join(source, n), join(env.IMR_INBOX, n));
    for (;;) {
      const c = await p.store.counts();
      if (c.done + c.needs_review + c.failed > out.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    out.push((performance.now() - t0) / 1000);
    progress.tick();
  }
  await p.shutdown();
  return out;
}

async function inProcessRate(): Promise<{ rate: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const n of names) await processPdf(n, new Uint8Array(await readFile(join(source, n))));
  const cpu = process.cpuUsage(cpu0);
  const rate = count / ((performance.now() - t0) / 1000);
  progress.tick(count);
  return { rate, cpuMs: (cpu.user + cpu.system) / 1000 / count };
}

const rates = {
  inProcess: [] as number[],
  one: [] as number[],
  two: [] as number[],
  twoCold: [] as number[],
};
const cpus = {
  inProcess: [] as number[],
  one: [] as CpuShare[],
  two: [] as CpuShare[],
  twoCold: [] as CpuShare[],
};
for (let round = 1; round <= rounds; round++) {
  const inProcess = await inProcessRate();
  rates.inProcess.push(inProcess.rate);
  cpus.inProcess.push(inProcess.cpuMs);
  const one = await run(1, round);
  rates.one.push(one.rate);
  cpus.one.push(one.cpu);
  const two = await run(2, round);
  rates.two.push(two.rate);
  cpus.two.push(two.cpu);
  // The same without the start-up warm-up: what the first letters after a (re)start see.
  const cold = await run(2, round, { IMR_WARMUP_LETTERS: '0' });
  rates.twoCold.push(cold.rate);
  cpus.twoCold.push(cold.cpu);
}
const lat = await latency();
progress.done();
const [inProcess, one, two] = [median(rates.inProcess), median(rates.one), median(rates.two)];
const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
console.log(`${count} synthetic text letters, database ${values.db}, median of ${values.rounds} rounds`);
console.log(`in-process imr extract:         ${inProcess.toFixed(1)} letters/s  (${list(rates.inProcess)})`);
console.log(
  `pipeline, 1 worker process:     ${one.toFixed(1)} letters/s  (${list(rates.one)}; ${(one / inProcess).toFixed(2)}x in-process)`,
);
console.log(
  `pipeline, 2 worker processes:   ${two.toFixed(1)} letters/s  (${list(rates.two)}; ${(two / one).toFixed(2)}x one process, ${(two / inProcess).toFixed(2)}x in-process)`,
);
const twoCold = median(rates.twoCold);
console.log(
  `2 processes, no warm-up:        ${twoCold.toFixed(1)} letters/s  (${list(rates.twoCold)}; IMR_WARMUP_LETTERS=0, the first letters after a start)`,
);
console.log(
  `drop -> queryable, one letter:  median ${median(lat).toFixed(2)} s (${lat.map((x) => x.toFixed(2)).join(', ')}; default stable delay 1 s)`,
);
const share = (xs: CpuShare[]) => {
  const m = (k: keyof CpuShare) => median(xs.map((x) => x[k])).toFixed(1);
  return `workers ${m('workers')}, redis ${m('redis')}, this script ${m('bench')}`;
};
console.log(
  `CPU ms per letter (medians):    in-process ${median(cpus.inProcess).toFixed(1)}; 1 process: ${share(cpus.one)}; 2 processes: ${share(cpus.two)}; 2 without warm-up: ${share(cpus.twoCold)}${redis ? '' : ' (Redis not on this machine: not counted)'}`,
);
// The goals of less overhead per letter, each the median of the rounds' own ratios (the two sides of a
// ratio are measured next to each other, so a slow spell of the shared machine cancels out).
const cpuRatio = median(cpus.two.map((c, i) => c.workers / cpus.inProcess[i]!));
const rateRatio = median(rates.two.map((r, i) => r / rates.inProcess[i]!));
console.log(
  `worker CPU per text letter / in-process CPU per letter = ${cpuRatio.toFixed(2)} (goal <= 1.3; 2 warmed processes)`,
);
console.log(`2 worker processes / in-process rate = ${rateRatio.toFixed(2)} (goal >= 1.6)`);
await rm(work, { recursive: true, force: true });
process.exit(0);
