// node bin/run.js scripts/check-pipeline.ts <labeled-dir> [<more dirs>...]
// Runs the whole pipeline (inbox watcher + queue workers on the real Redis, a fresh SQLite database) on
// every PDF of the given folders, then checks: each file in exactly one terminal state, one record per
// distinct document, and the exported records of labeled letters score exactly as `imr extract` does.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TERMINAL_STATUSES } from '../schemas/document.js';
import { Label } from '../schemas/label.js';
import { type LetterRecord, LetterRecord as LetterRecordSchema } from '../schemas/letter.js';
import { scoreRecords, totals } from '../src/bench/score.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createExtractRuntime } from '../src/pipeline/extract-options.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { startPipeline } from '../workers/main.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node bin/run.js scripts/check-pipeline.ts <dir>...');
  process.exit(2);
}
const work = await mkdtemp(join(tmpdir(), 'imr-check-pipe-'));
const env = {
  ...process.env,
  DATABASE_URL: join(work, 'imr.sqlite'),
  IMR_QUEUE_PREFIX: `imrcheck${randomBytes(3).toString('hex')}`,
  IMR_INBOX: join(work, 'inbox'),
  IMR_ARCHIVE: join(work, 'archive'),
  IMR_QUARANTINE: join(work, 'quarantine'),
  IMR_BACKFILL: join(work, 'backfill'),
  IMR_EXPORT_DIR: join(work, 'exports'),
  IMR_STABLE_MS: '300',
  IMR_POLL_MS: '100',
};
const config = loadConfig(env);
await mkdir(config.inbox.dir, { recursive: true });
const inputs: { dir: string; name: string }[] = [];
for (const dir of dirs) {
  for (const name of (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.pdf')).sort())
    inputs.push({ dir, name });
}
const pipeline = await startPipeline(config, { workers: true, watcher: true, server: false }, silentLogger());
let failures = 0;
try {
  const t0 = performance.now();
  for (const { dir, name } of inputs) await cp(join(dir, name), join(config.inbox.dir, name));
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const unsettled = await pipeline.store.listFiles({ unsettled: true });
    const files = await pipeline.store.listFiles();
    if (files.length === inputs.length && unsettled.length === 0) break;
    if (Date.now() > deadline) throw new Error(`timed out: ${unsettled.length} files not settled`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - t0) / 1000;
  const docs = await pipeline.store.listDocuments();
  const byStatus = Object.fromEntries(
    TERMINAL_STATUSES.map((s) => [s, docs.filter((d) => d.status === s).length]),
  );
  const notTerminal = docs.filter((d) => !TERMINAL_STATUSES.includes(d.status));
  console.log(
    `${inputs.length} files -> ${docs.length} documents in ${seconds.toFixed(1)} s: ${JSON.stringify(byStatus)}`,
  );
  if (notTerminal.length > 0 || docs.length !== inputs.length) {
    console.log(
      `FAIL: ${notTerminal.length} documents not terminal; ${docs.length} documents for ${inputs.length} files`,
    );
    failures++;
  }
  // Exported per-letter files, scored beside imr extract on the labeled letters.
  const exported = new Map<string, LetterRecord>();
  for (const f of await readdir(join(config.exportDir, 'records'))) {
    const r = LetterRecordSchema.parse(
      JSON.parse(await readFile(join(config.exportDir, 'records', f), 'utf8')),
    );
    exported.set(basename(r.file), r);
  }
  const runtime = createExtractRuntime(config);
  const viaPipeline = [];
  const viaExtract = [];
  for (const { dir, name } of inputs) {
    const labelText = await readFile(join(dir, name.replace(/\.pdf$/i, '.json')), 'utf8').catch(() => null);
    if (!labelText) continue;
    const label = Label.parse(JSON.parse(labelText));
    const record = exported.get(name);
    if (!record) {
      console.log(`FAIL: no exported record for ${name}`);
      failures++;
      continue;
    }
    viaPipeline.push({ file: name, label, record });
    const direct = await processPdf(name, new Uint8Array(await readFile(join(dir, name))), runtime.options);
    viaExtract.push({ file: name, label, record: direct.record });
  }
  await runtime.close();
  const a = totals(scoreRecords(viaPipeline));
  const b = totals(scoreRecords(viaExtract));
  console.log(
    `labeled letters: pipeline exports ${a.correct}/${a.total} (${(100 * a.accuracy).toFixed(2)}%), imr extract ${b.correct}/${b.total} (${(100 * b.accuracy).toFixed(2)}%)`,
  );
  if (a.correct !== b.correct || a.total !== b.total) {
    console.log('FAIL: the pipeline exports do not score as imr extract does');
    failures++;
  }
} finally {
  await pipeline.shutdown();
  await rm(work, { recursive: true, force: true });
}
console.log(failures === 0 ? 'pipeline check passed' : `pipeline check FAILED (${failures})`);
process.exit(failures === 0 ? 0 : 1);
