// npm run bench:scan-prep -- <dir> [--scan fax|copier-bw|grey] [--limit N] [--only 0,3]
// What each step of preparing a bilevel scan for OCR buys, measured side by side in one run on the same
// scanned copies of a labeled folder (PDF + label JSON): field and decision accuracy and seconds per OCR'd
// page for each configuration. Without --scan the folder's PDFs are taken as they are (already scans).
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Label } from '../schemas/label.js';
import { scoreRecords, totals } from '../src/bench/score.js';
import { createProgress } from '../src/cli/progress.js';
import { DEFAULT_LIMITS } from '../src/pipeline/extract/extract-text.js';
import { DEFAULT_PREP, type PrepOptions } from '../src/pipeline/extract/scan-prep.js';
import { TesseractPool } from '../src/pipeline/extract/tesseract-pool.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { scanPdf, scanProfile } from '../src/synth/scan.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { scan: { type: 'string' }, limit: { type: 'string' }, only: { type: 'string' } },
});
const dir = positionals[0];
if (!dir) {
  console.error(
    'usage: npm run bench:scan-prep -- <dir-with-pdf-and-json> [--scan fax] [--limit N] [--only 0,3]',
  );
  process.exit(2);
}

const none = { stored: true, targetDpi: null, speckArea200: 0, deskewMinDeg: null } as const;
const LEVERS: { name: string; prep: PrepOptions }[] = [
  { name: 'rendered at 300 dpi (before)', prep: { ...none, stored: false } },
  { name: 'as stored, square pixels', prep: none },
  { name: '+ specks removed', prep: { ...none, speckArea200: DEFAULT_PREP.speckArea200 } },
  { name: '+ deskewed (the default)', prep: DEFAULT_PREP },
  { name: 'as stored, deskewed only', prep: { ...none, deskewMinDeg: DEFAULT_PREP.deskewMinDeg } },
  { name: 'default, resampled to 300 dpi', prep: { ...DEFAULT_PREP, targetDpi: 300 } },
];
const only = values.only?.split(',');
const levers = only ? LEVERS.filter((_, i) => only.includes(String(i))) : LEVERS;

const files = (await readdir(dir))
  .filter((f) => f.toLowerCase().endsWith('.pdf'))
  .sort()
  .slice(0, values.limit ? Number(values.limit) : undefined);
// Letters scanned, then read once per configuration; on stderr, on a terminal only, cleared before each
// printed line.
const progress = createProgress('bench:scan-prep', files.length * (1 + levers.length));
const letters: { file: string; label: Label; bytes: Uint8Array }[] = [];
for (const [i, f] of files.entries()) {
  const labelText = await readFile(join(dir, `${basename(f, '.pdf')}.json`), 'utf8').catch(() => null);
  if (labelText !== null) {
    let bytes: Uint8Array = new Uint8Array(await readFile(join(dir, f)));
    if (values.scan) bytes = await scanPdf(bytes, { ...scanProfile(values.scan), seed: i + 1 });
    letters.push({ file: f, label: Label.parse(JSON.parse(labelText)), bytes });
  }
  progress.tick();
}
progress.total(files.length + levers.length * letters.length);
progress.clear();
console.log(`${letters.length} letters${values.scan ? ` (${values.scan} copies)` : ''}`);
const pool = new TesseractPool();
console.log('configuration                        fields     decisions  s/page');
progress.tick(0); // drawn again now, not after the next letter
for (const { name, prep } of levers) {
  const pairs = [];
  let pages = 0;
  const t0 = performance.now();
  for (const { file, label, bytes } of letters) {
    const { record } = await processPdf(file, bytes, {
      limits: DEFAULT_LIMITS,
      ocr: { mode: 'auto', engine: pool, dpi: 300, timeoutMs: 300_000, prep },
    });
    pages += record.pages.filter((p) => p.source === 'ocr').length;
    pairs.push({ file, label, record });
    progress.tick();
  }
  const seconds = (performance.now() - t0) / 1000;
  const score = scoreRecords(pairs);
  const t = totals(score);
  const d = score.decisions;
  const decisions = d.total ? d.correct / d.total : 1;
  progress.clear();
  console.log(
    `${name.padEnd(36)} ${(100 * t.accuracy).toFixed(2).padStart(6)}%   ${(100 * decisions).toFixed(1).padStart(6)}%  ${(seconds / Math.max(1, pages)).toFixed(2).padStart(6)}`,
  );
  progress.tick(0);
}
progress.done();
await pool.close();
