// npm run bench:startup -- [--runs 7] [--against <other checkout>/bin/imr.js]
// How fast `imr` starts, as a person and a supervisor see it: `imr --help`, `imr status --help`,
// `imr status` on a fresh SQLite file, and `imr worker` until it says it is running (PDF threads up,
// warm-up letters read). Medians of the runs, wall time and peak memory of the process; with --against,
// the same for another build side by side (runs interleaved), and the ratios.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/cli/progress.js';
import { cpuSeconds, memoryKb } from './proc-stats.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, against: { type: 'string' } },
});
const runs = Number(values.runs);
const root = resolve(import.meta.dirname, '..');
const bins: { name: string; path: string }[] = [{ name: 'this build', path: join(root, 'bin/imr.js') }];
if (values.against) bins.push({ name: 'against', path: resolve(values.against) });

interface Sample {
  seconds: number;
  /** Peak resident memory of the process, MB. */
  mb: number;
  /** CPU seconds of the process (all threads), when read. */
  cpu: number | null;
}

// The child reports its own peak RSS on exit (short commands end before /proc could be read).
const REPORT_RSS = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nimr-bench-maxrss '+process.resourceUsage().maxRSS+'\\n'))`;

function env(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: join(dir, 'imr.sqlite'),
    IMR_QUEUE_PREFIX: `bench-startup-${process.pid}`,
    LOG_LEVEL: 'warn',
  };
}

/** Runs a short command to its end. */
function runOnce(bin: string, args: string[], dir: string): Promise<Sample> {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT_RSS, bin, ...args], {
      cwd: dir,
      env: env(dir),
    });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const kb = Number(/imr-bench-maxrss (\d+)/.exec(err)?.[1] ?? Number.NaN);
      if (code !== 0) {
        reject(new Error(`${bin} ${args.join(' ')} exited ${code}: ${err.slice(-400)}`));
        return;
      }
      resolveRun({ seconds, mb: kb / 1024, cpu: null });
    });
  });
}

/** Starts `imr worker` and measures until it says it is running; then stops it. */
function workerReady(bin: string, dir: string): Promise<Sample> {
  return new Promise((resolveRun, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, 'worker'], { cwd: dir, env: env(dir) });
    let out = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no "running" within 60 s: ${out.slice(-400)}`)), 60_000);
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      const pid = child.pid ?? -1;
      const cpu = cpuSeconds(pid);
      const mem = memoryKb(pid);
      child.kill('SIGTERM');
      child.on('close', () => (err ? reject(err) : resolveRun({ seconds, mb: (mem?.hwm ?? 0) / 1024, cpu })));
    };
    const watch = (d: Buffer) => {
      out += String(d);
      if (/running\. Ctrl-C to stop/.test(out)) finish(null);
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('error', (err) => finish(err));
  });
}

const CASES: {
  name: string;
  goal: { seconds: number; mb?: number };
  run: (bin: string, dir: string) => Promise<Sample>;
}[] = [
  { name: 'imr --help', goal: { seconds: 0.3, mb: 120 }, run: (bin, dir) => runOnce(bin, ['--help'], dir) },
  {
    name: 'imr status --help',
    goal: { seconds: 1 },
    run: (bin, dir) => runOnce(bin, ['status', '--help'], dir),
  },
  { name: 'imr status (SQLite)', goal: { seconds: 1 }, run: (bin, dir) => runOnce(bin, ['status'], dir) },
  { name: 'imr worker: ready', goal: { seconds: 3 }, run: workerReady },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const samples = new Map<string, Sample[]>();
const progress = createProgress('bench:startup', CASES.length * bins.length * runs);
const work = await mkdtemp(join(tmpdir(), 'imr-bench-startup-'));
try {
  for (let r = 0; r < runs; r++) {
    for (const c of CASES) {
      // Interleaved, so both builds see the same machine.
      for (const bin of bins) {
        const dir = await mkdtemp(join(work, 'run-'));
        const sample = await c.run(bin.path, dir);
        const key = `${c.name}|${bin.name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        progress.tick();
      }
    }
  }
} finally {
  progress.done();
  await rm(work, { recursive: true, force: true });
}

const lines = [`imr start-up, median of ${runs} runs${bins.length > 1 ? `; against ${bins[1]?.path}` : ''}`];
for (const c of CASES) {
  const cells = bins.map((bin) => {
    const list = samples.get(`${c.name}|${bin.name}`) ?? [];
    const s = median(list.map((x) => x.seconds));
    const mb = median(list.map((x) => x.mb));
    const cpus = list.map((x) => x.cpu).filter((x): x is number => x !== null);
    return { s, mb, cpu: cpus.length ? median(cpus) : null };
  });
  const mine = cells[0]!;
  const met = mine.s < c.goal.seconds && (c.goal.mb === undefined || mine.mb < c.goal.mb);
  const goal = `goal < ${c.goal.seconds} s${c.goal.mb ? `, < ${c.goal.mb} MB` : ''}: ${met ? 'met' : 'NOT met'}`;
  const fmt = (x: { s: number; mb: number; cpu: number | null }) =>
    `${x.s.toFixed(2)} s, ${x.mb.toFixed(0)} MB${x.cpu !== null ? `, ${x.cpu.toFixed(1)} CPU-s` : ''}`;
  const other = cells[1];
  const versus = other
    ? `  | against: ${fmt(other)}  (${(other.s / mine.s).toFixed(1)}x faster, ${(other.mb / mine.mb).toFixed(1)}x less memory)`
    : '';
  lines.push(`${c.name.padEnd(22)}${fmt(mine).padEnd(30)}${goal}${versus}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
