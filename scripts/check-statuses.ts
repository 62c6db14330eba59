// node bin/run.js scripts/check-statuses.ts <dir> [--scan] [--expect N]
// Runs every PDF of a folder through extraction (optionally scanned copies, through OCR) and fails when
// any ends `failed` (or when the folder does not hold --expect letters). For unlabeled letters.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/cli/progress.js';
import { loadConfig } from '../src/config.js';
import { createExtractRuntime } from '../src/pipeline/extract-options.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { DEFAULT_SCAN, scanPdf } from '../src/synth/scan.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { scan: { type: 'boolean', default: false }, expect: { type: 'string' } },
});
const dir = positionals[0];
if (!dir) {
  console.error('usage: node bin/run.js scripts/check-statuses.ts <dir> [--scan] [--expect N]');
  process.exit(2);
}
const runtime = createExtractRuntime(loadConfig(process.env));
const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.pdf')).sort();
const counts = { ok: 0, needs_review: 0, failed: 0 };
const sources = new Map<string, number>();
// On stderr when it is a terminal; cleared before each message so none lands on the line.
const progress = createProgress('check-statuses', files.length);
try {
  for (const [i, f] of files.entries()) {
    let bytes: Uint8Array = new Uint8Array(await readFile(join(dir, f)));
    if (values.scan) bytes = await scanPdf(bytes, { ...DEFAULT_SCAN, seed: i + 1 });
    const { record } = await processPdf(f, bytes, runtime.options);
    counts[record.status]++;
    sources.set(record.textSource ?? 'none', (sources.get(record.textSource ?? 'none') ?? 0) + 1);
    if (record.status !== 'ok') progress.clear();
    if (record.status === 'failed')
      console.log(`FAILED ${f}: ${record.error?.code} ${record.error?.message}`);
    else if (record.status === 'needs_review') {
      console.log(
        `needs review ${f}: ${record.mismatches
          .filter((m) => m.severity === 'error')
          .map((m) => `${m.field} ${m.code}`)
          .join('; ')}`,
      );
    }
    progress.tick();
  }
} finally {
  progress.done();
  await runtime.close();
}
console.log(
  `${files.length} letters${values.scan ? ' (scanned copies)' : ''}: ${counts.ok} ok, ${counts.needs_review} needs review, ${counts.failed} failed; text: ${[...sources].map(([k, v]) => `${k} ${v}`).join(', ')}`,
);
const expected = values.expect === undefined ? null : Number(values.expect);
if (expected !== null && files.length !== expected) {
  console.error(`expected ${expected} letters in ${dir}, found ${files.length}`);
  process.exit(1);
}
process.exit(counts.failed === 0 ? 0 : 1);
