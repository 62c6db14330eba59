// npm run bench:accuracy -- <dir> [--scan [grey|fax|copier-bw]] [--limit N] [--ocr auto|always|never]
//   [--min-field 0.99] [--min-decision 1] [--min-flag-recall 0.95] [--save DIR] [--json]
// Scores `imr extract` against a folder of PDF + label JSON pairs: per-field accuracy, every miss, and
// flag recall: the share of wrong fields that a mismatch (error or warning) on the field or its item
// points QA at, with the OCR-suspect mismatches raised on fields read right (false alarms) and the letters
// read wholly right that were sent to review anyway.
// --scan first makes a scanned copy of each PDF with a profile of src/synth/scan.ts (a bare --scan is
// `grey`: 200 DPI grey, up to 1 degree, noise, JPEG 70; `fax`: 1-bit 204 x 196 DPI) and scores those
// through OCR. --limit scores the first N letters only (quick runs). --save writes each letter's record
// and stored page text (`<name>.record.json`, `<name>.text.json`), to replay parsing without OCR.
// Exits 1 below any gate given.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Label } from '../schemas/label.js';
import { scoreRecords, totals } from '../src/bench/score.js';
import { createProgress } from '../src/cli/progress.js';
import type { OcrMode } from '../src/pipeline/extract/extract-text.js';
import { DEFAULT_LIMITS } from '../src/pipeline/extract/extract-text.js';
import { TesseractPool } from '../src/pipeline/extract/tesseract-pool.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { type ScanOptions, scanPdf, scanProfile } from '../src/synth/scan.js';

// parseArgs string options need a value; `--scan` alone (as CI calls it) means the grey profile. The
// word after it is its value unless it is an option or a path (`--scan <dir>` scans that folder).
const argv = process.argv.slice(2);
const isProfile = (next: string | undefined) => next !== undefined && !/^-|[/\\.]/.test(next);
const args = argv.map((a, i) => (a === '--scan' && !isProfile(argv[i + 1]) ? '--scan=grey' : a));
const { values, positionals } = parseArgs({
  args,
  allowPositionals: true,
  options: {
    'min-field': { type: 'string' },
    'min-decision': { type: 'string' },
    'min-flag-recall': { type: 'string' },
    json: { type: 'boolean', default: false },
    scan: { type: 'string' },
    limit: { type: 'string' },
    save: { type: 'string' },
    ocr: { type: 'string', default: 'auto' },
  },
});
const dir = positionals[0];
if (!dir) {
  console.error(
    'usage: npm run bench:accuracy -- <dir-with-pdf-and-json> [--scan [grey|fax|copier-bw]] [--limit N] [--min-field 0.99] [--min-decision 1] [--min-flag-recall 0.95] [--save DIR] [--json]',
  );
  process.exit(2);
}
const mode = values.ocr as OcrMode;
if (!['auto', 'always', 'never'].includes(mode)) {
  console.error('--ocr is one of auto, always, never');
  process.exit(2);
}
let scan: ScanOptions | null = null;
if (values.scan !== undefined) {
  try {
    scan = scanProfile(values.scan);
  } catch (err) {
    console.error(`--scan: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
}
const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
if (!(limit >= 1)) {
  console.error('--limit is a whole number of letters, at least 1');
  process.exit(2);
}
const gate = (name: string, v: string | undefined): number | null => {
  if (v === undefined) return null;
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) {
    console.error(`--${name} is a share between 0 and 1`);
    process.exit(2);
  }
  return n;
};
const minField = gate('min-field', values['min-field']);
const minDecision = gate('min-decision', values['min-decision']);
const minFlagRecall = gate('min-flag-recall', values['min-flag-recall']);
if (values.save) await mkdir(values.save, { recursive: true });

const pool = mode === 'never' ? null : new TesseractPool();
const options = { limits: DEFAULT_LIMITS, ocr: { mode, engine: pool, dpi: 300, timeoutMs: 120_000 } };
const entries = await readdir(dir);
const files = entries.filter((f) => f.toLowerCase().endsWith('.pdf')).sort();
// The letters scored below: those with a label beside them, up to --limit. On stderr, on a terminal only.
const names = new Set(entries);
const labeled = files.filter((f) => names.has(`${basename(f, '.pdf')}.json`)).length;
const progress = createProgress('bench:accuracy', Math.min(limit, labeled));
const pairs = [];
for (const f of files) {
  if (pairs.length >= limit) break;
  const labelPath = join(dir, `${basename(f, '.pdf')}.json`);
  const labelText = await readFile(labelPath, 'utf8').catch(() => null);
  if (labelText === null) continue;
  const label = Label.parse(JSON.parse(labelText));
  let bytes: Uint8Array = new Uint8Array(await readFile(join(dir, f)));
  if (scan) bytes = await scanPdf(bytes, { ...scan, seed: pairs.length + 1 });
  const { record, text } = await processPdf(f, bytes, options);
  if (values.save) {
    const name = join(values.save, basename(f, '.pdf'));
    await writeFile(`${name}.record.json`, `${JSON.stringify(record, null, 1)}\n`);
    if (text) await writeFile(`${name}.text.json`, JSON.stringify(text));
  }
  pairs.push({ file: f, label, record });
  progress.tick();
}
progress.done();
await pool?.close();
const score = scoreRecords(pairs);
const t = totals(score);
const decisionAcc = score.decisions.total === 0 ? 1 : score.decisions.correct / score.decisions.total;
const fl = score.flags;
const review = pairs.filter((p) => p.record.status === 'needs_review').length;
if (values.json) {
  console.log(
    JSON.stringify(
      {
        letters: pairs.length,
        scan: values.scan ?? null,
        ...t,
        decisions: { ...score.decisions, accuracy: decisionAcc },
        flagRecall: { flagged: fl.flagged, wrong: fl.wrong, recall: fl.recall },
        needsReview: review,
        score,
      },
      null,
      2,
    ),
  );
} else {
  const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits).padStart(7)}%`;
  console.log(
    `letters: ${pairs.length}   failed: ${pairs.filter((p) => p.record.status === 'failed').length}   needs review: ${review}${values.scan ? `   scan: ${values.scan}` : ''}`,
  );
  console.log('field                               correct  total  accuracy');
  for (const f of score.fields) {
    console.log(
      `${f.field.padEnd(36)}${String(f.correct).padStart(7)}${String(f.total).padStart(7)}  ${pct(f.correct / f.total)}`,
    );
  }
  console.log(
    `${'ALL FIELDS'.padEnd(36)}${String(t.correct).padStart(7)}${String(t.total).padStart(7)}  ${pct(t.accuracy, 2)}`,
  );
  console.log(
    `${'DECISIONS'.padEnd(36)}${String(score.decisions.correct).padStart(7)}${String(score.decisions.total).padStart(7)}  ${pct(decisionAcc, 2)}`,
  );
  console.log(`${'FLAG RECALL'.padEnd(36)}${`${fl.flagged}/${fl.wrong}`.padStart(14)}  ${pct(fl.recall)}`);
  const errorAlarms = fl.falseAlarms.filter((a) => a.severity === 'error').length;
  console.log(
    `false alarms: ${fl.falseAlarms.length} of ${fl.suspectFields} field(s) with ${fl.falseAlarmCodes.join('/')} were read right ` +
      `(${errorAlarms} error, ${fl.falseAlarms.length - errorAlarms} warning); ` +
      `letters read wholly right: ${fl.cleanLetters}, of them sent to review: ${fl.cleanSentToReview.length}`,
  );
  if (score.misses.length > 0) {
    console.log(`\nmisses (${score.misses.length}, ${score.misses.length - fl.flagged} not flagged):`);
    for (const m of score.misses)
      console.log(
        `- ${m.flagged ? '[flagged]' : '[NOT FLAGGED]'} ${m.file} ${m.field} (${m.path})\n    expected: ${JSON.stringify(m.expected)}\n    actual:   ${JSON.stringify(m.actual)}`,
      );
  }
  if (fl.falseAlarms.length > 0) {
    console.log(`\nfalse alarms (${fl.falseAlarms.length}):`);
    for (const a of fl.falseAlarms)
      console.log(`- ${a.file} ${a.field} ${a.code} (${a.severity}): ${a.message}`);
  }
  if (fl.cleanSentToReview.length > 0) {
    console.log(`\nread wholly right but sent to review: ${fl.cleanSentToReview.join(', ')}`);
  }
}
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
if (minFlagRecall !== null && fl.recall < minFlagRecall) {
  console.error(
    `GATE FAILED: flag recall ${(100 * fl.recall).toFixed(1)}% (${fl.flagged}/${fl.wrong}) < ${(100 * minFlagRecall).toFixed(1)}%`,
  );
  failed = true;
}
process.exit(failed ? 1 : 0);
