// npm run bench:accuracy -- <dir> [--scan] [--ocr auto|always|never] [--min-field 0.99] [--min-decision 1] [--json]
// Scores `imr extract` against a folder of PDF + label JSON pairs: per-field accuracy and every miss.
// --scan first makes a scanned copy of each PDF (200 DPI grey, up to 1 degree, noise, JPEG 70) and
// scores those through OCR.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Label } from '../schemas/label.js';
import { scoreRecords, totals } from '../src/bench/score.js';
import type { OcrMode } from '../src/pipeline/extract/extract-text.js';
import { DEFAULT_LIMITS } from '../src/pipeline/extract/extract-text.js';
import { TesseractPool } from '../src/pipeline/extract/tesseract-pool.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { DEFAULT_SCAN, scanPdf } from '../src/synth/scan.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'min-field': { type: 'string' },
    'min-decision': { type: 'string' },
    json: { type: 'boolean', default: false },
    scan: { type: 'boolean', default: false },
    ocr: { type: 'string', default: 'auto' },
  },
});
const dir = positionals[0];
if (!dir) {
  console.error(
    'usage: npm run bench:accuracy -- <dir-with-pdf-and-json> [--min-field 0.99] [--min-decision 1]',
  );
  process.exit(2);
}
const mode = values.ocr as OcrMode;
if (!['auto', 'always', 'never'].includes(mode)) {
  console.error('--ocr is one of auto, always, never');
  process.exit(2);
}
const pool = mode === 'never' ? null : new TesseractPool();
const options = { limits: DEFAULT_LIMITS, ocr: { mode, engine: pool, dpi: 300, timeoutMs: 120_000 } };
const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.pdf')).sort();
const pairs = [];
for (const f of files) {
  const labelPath = join(dir, `${basename(f, '.pdf')}.json`);
  const labelText = await readFile(labelPath, 'utf8').catch(() => null);
  if (labelText === null) continue;
  const label = Label.parse(JSON.parse(labelText));
  let bytes: Uint8Array = new Uint8Array(await readFile(join(dir, f)));
  if (values.scan) bytes = await scanPdf(bytes, { ...DEFAULT_SCAN, seed: pairs.length + 1 });
  const { record } = await processPdf(f, bytes, options);
  pairs.push({ file: f, label, record });
}
await pool?.close();
const score = scoreRecords(pairs);
const t = totals(score);
const decisionAcc = score.decisions.total === 0 ? 1 : score.decisions.correct / score.decisions.total;
if (values.json) {
  console.log(
    JSON.stringify(
      { letters: pairs.length, ...t, decisions: { ...score.decisions, accuracy: decisionAcc }, score },
      null,
      2,
    ),
  );
} else {
  console.log(
    `letters: ${pairs.length}   failed: ${pairs.filter((p) => p.record.status === 'failed').length}`,
  );
  console.log('field                               correct  total  accuracy');
  for (const f of score.fields) {
    console.log(
      `${f.field.padEnd(36)}${String(f.correct).padStart(7)}${String(f.total).padStart(7)}  ${((100 * f.correct) / f.total).toFixed(1).padStart(7)}%`,
    );
  }
  console.log(
    `${'ALL FIELDS'.padEnd(36)}${String(t.correct).padStart(7)}${String(t.total).padStart(7)}  ${(100 * t.accuracy).toFixed(2).padStart(7)}%`,
  );
  console.log(
    `${'DECISIONS'.padEnd(36)}${String(score.decisions.correct).padStart(7)}${String(score.decisions.total).padStart(7)}  ${(100 * decisionAcc).toFixed(2).padStart(7)}%`,
  );
  if (score.misses.length > 0) {
    console.log(`\nmisses (${score.misses.length}):`);
    for (const m of score.misses)
      console.log(
        `- ${m.file} ${m.field}\n    expected: ${JSON.stringify(m.expected)}\n    actual:   ${JSON.stringify(m.actual)}`,
      );
  }
}
const minField = values['min-field'] === undefined ? null : Number(values['min-field']);
const minDecision = values['min-decision'] === undefined ? null : Number(values['min-decision']);
let failed = false;
if (minField !== null && t.accuracy < minField) {
  console.error(
    `GATE FAILED: field accuracy ${(100 * t.accuracy).toFixed(2)}% < ${(100 * minField).toFixed(2)}%`,
  );
  failed = true;
}
if (minDecision !== null && decisionAcc < minDecision) {
  console.error(
    `GATE FAILED: decision accuracy ${(100 * decisionAcc).toFixed(2)}% < ${(100 * minDecision).toFixed(2)}%`,
  );
  failed = true;
}
process.exit(failed ? 1 : 0);
