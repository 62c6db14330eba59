// npm run bench:pipeline -- [--letters 500] [--db sqlite|postgres] [--rounds 3]
// End-to-end throughput (drop into the inbox -> exported) with 1 and with 2 worker processes, beside the
// in-process `imr extract` rate on the same letters, and the drop -> queryable latency of one letter.
// Each round measures the three side by side; medians over the rounds are printed (the machine is shared).
// Runs against the real Redis (REDIS_URL, default 127.0.0.1:6379) under its own queue prefix.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { createStore } from '../src/store/create-store.js';
import { generateLetterPdf } from '../src/synth/index.js';
import { startPipeline } from '../workers/main.js';

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

// The letters: synthetic text-layer letters, generated once.
const source = join(work, 'letters');
await mkdir(source);
for (let seed = 1; seed <= count; seed++) {
  await writeFile(
    join(source, `letter-${seed}.pdf`),
    (await generateLetterPdf(seed, { layout: 'fdl-2016' })).pdf,
  );
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
    IMR_EXPORT_DIR: join(work, tag, 'exports'),
    IMR_OCR: 'never',
  };
}

async function run(processes: number, round: number): Promise<number> {
  const env = {
    ...(await benchEnv(`p${processes}r${round}`)),
    IMR_STABLE_MS: '200',
    IMR_POLL_MS: '100',
    LOG_LEVEL: 'warn',
  };
  await mkdir(env.IMR_INBOX, { recursive: true });
  // As deployed: the first process runs the watcher and workers (imr start), the others workers only
  // (imr worker). This process only drops the files and watches the database.
  const children: ChildProcess[] = [];
  for (let i = 0; i < processes; i++) {
    const args = i === 0 ? ['start', '--no-server'] : ['worker'];
    children.push(
      spawn(process.execPath, [join(root, 'bin/imr.js'), ...args], {
        env,
        stdio: ['ignore', 'ignore', 'ignore'],
      }),
    );
  }
  const store = createStore(env.DATABASE_URL);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      await store.counts(); // migrated by the started process
      break;
    } catch {}
  }
  await new Promise((r) => setTimeout(r, 2000)); // workers up
  const t0 = performance.now();
  for (const n of names) await cp(join(source, n), join(env.IMR_INBOX, n));
  for (;;) {
    const c = await store.counts();
    if (c.done + c.needs_review + c.failed >= count) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  await store.close();
  return count / seconds;
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
  for (const n of names.slice(0, 7)) {
    const t0 = performance.now();
    await cp(join(source, n), join(env.IMR_INBOX, n));
    for (;;) {
      const c = await p.store.counts();
      if (c.done + c.needs_review + c.failed > out.length) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    out.push((performance.now() - t0) / 1000);
  }
  await p.shutdown();
  return out;
}

async function inProcessRate(): Promise<number> {
  const t0 = performance.now();
  for (const n of names) await processPdf(n, new Uint8Array(await readFile(join(source, n))));
  return count / ((performance.now() - t0) / 1000);
}

const rates = { inProcess: [] as number[], one: [] as number[], two: [] as number[] };
for (let round = 1; round <= Number(values.rounds); round++) {
  rates.inProcess.push(await inProcessRate());
  rates.one.push(await run(1, round));
  rates.two.push(await run(2, round));
}
const lat = await latency();
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
console.log(
  `drop -> queryable, one letter:  median ${median(lat).toFixed(2)} s (${lat.map((x) => x.toFixed(2)).join(', ')}; default stable delay 1 s)`,
);
await rm(work, { recursive: true, force: true });
process.exit(0);
