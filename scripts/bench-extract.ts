// npm run bench:extract -- [dir] [--rounds 5]
// Letters per second of the in-process extraction (text layer -> parse -> validate), side by side with
// raw pdf.js text extraction (getTextContent of every page, strings joined) of the same files, in one run.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/cli/progress.js';
import { getDocument } from '../src/pipeline/extract/pdfjs.js';
import { processPdf } from '../src/pipeline/process-letter.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '5' } },
});
const dir = positionals[0] ?? 'samples';
const rounds = Math.max(1, Number(values.rounds));
const names = (await readdir(dir, { recursive: true }))
  .filter((f) => f.toLowerCase().endsWith('.pdf'))
  .sort();
const files = await Promise.all(names.map(async (f) => new Uint8Array(await readFile(join(dir, f)))));
if (files.length === 0) {
  console.error(`no PDF files in ${dir}`);
  process.exit(2);
}

async function rawPdfjs(bytes: Uint8Array): Promise<number> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false })
    .promise;
  let chars = 0;
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      chars += content.items.map((i) => ('str' in i ? i.str : '')).join(' ').length;
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return chars;
}

async function ours(bytes: Uint8Array): Promise<number> {
  const { record } = await processPdf('bench.pdf', bytes);
  return record.items.length;
}

async function rate(fn: (b: Uint8Array) => Promise<number>): Promise<number> {
  const t0 = performance.now();
  for (const f of files) await fn(f);
  return files.length / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// Letters read, over the warm-up and every round; ticked between timed passes, never inside one.
const progress = createProgress('bench:extract', 2 * (rounds + 1) * files.length);
const pass = async (fn: (b: Uint8Array) => Promise<number>) => {
  const r = await rate(fn);
  progress.tick(files.length);
  return r;
};
// Warm up both paths (JIT, pdf.js worker setup), then alternate them so noise hits both alike.
await pass(rawPdfjs);
await pass(ours);
const raw: number[] = [];
const imr: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const a = await pass(rawPdfjs);
  const b = await pass(ours);
  raw.push(a);
  imr.push(b);
  ratios.push(b / a);
}
progress.done();
console.log(`files: ${files.length} from ${dir}, rounds: ${rounds}`);
console.log(`raw pdf.js text extraction: median ${median(raw).toFixed(1)} letters/s`);
console.log(`imr extract (in process):   median ${median(imr).toFixed(1)} letters/s`);
console.log(
  `ratio imr / raw pdf.js:     median ${median(ratios).toFixed(2)}x (per round: ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
);
