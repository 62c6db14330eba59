// npm run bench:ocr -- [--pages N] [--scan grey|fax|copier-bw[,...]] [--rss-pages 200]
// OCR speed and memory, measured side by side in one run on the same page images: N pages of synthetic
// letters scanned with each profile of src/synth/scan.ts (default: grey and fax, side by side; copier-bw
// on request), read by `readPdf` exactly as the extract stage reads them (a grey JPEG decoded; a 1-bit
// page as stored, specks removed, deskewed, resampled to square pixels), then for each profile:
// - prep s/page: `readPdf` (pdf.js text layer, the stored image decoded and prepared), per document
//   divided by its pages;
// - engine s/page: the project's engine (tesseract.js pool, 1 worker, PSM 4, sequential, warmed up);
// - native s/page: the `tesseract` CLI (OMP_THREAD_LIMIT=1, --oem 1 --psm 4, as the pool; also --psm 6)
//   on the same prepared PGM, with our model and with its own, when installed; for bilevel profiles also
//   on the raw stored image (`pdfimages -tiff`, when poppler-utils is installed). Native times include
//   process start and model load (printed once);
// - engine/native (medians, same image and model) and the similarity of their texts (1 - Levenshtein
//   distance / length, whitespace collapsed), so that one sees they read alike.
// Then the 1 -> 2 worker speed-up (on grey, or the first profile), and RSS of the process running an OCR
// worker from page 50 to page --rss-pages (grey: 200 by default; other profiles only when given).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createProgress } from '../src/cli/progress.js';
import { DEFAULT_LIMITS } from '../src/pipeline/extract/extract-text.js';
import type { OcrLine } from '../src/pipeline/extract/ocr-engine.js';
import type { PageImage } from '../src/pipeline/extract/page-image.js';
import { readPdf } from '../src/pipeline/extract/read-pdf.js';
import { ENG_LANG_PATH, TesseractPool } from '../src/pipeline/extract/tesseract-pool.js';
import { generateLetterPdf } from '../src/synth/index.js';
import { type ScanOptions, scanPdf, scanProfile } from '../src/synth/scan.js';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '8' },
    scan: { type: 'string', default: 'grey,fax' },
    'rss-pages': { type: 'string' },
  },
});
const pageCount = Number(values.pages);
if (!Number.isInteger(pageCount) || pageCount < 1) throw new Error('--pages: a whole number >= 1');
const profileNames = [...new Set(values.scan.split(',').map((s) => s.trim()))].filter((s) => s !== '');
const profiles = profileNames.map((name) => ({ name, options: scanProfile(name) }));
const rssGiven = values['rss-pages'] !== undefined;
const rssPages = Number(values['rss-pages'] ?? 200);
const TIMEOUT_MS = 600_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Page text with all whitespace collapsed to single spaces: line breaks and layout spaces do not count. */
const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
const engineText = (lines: OcrLine[]) => flat(lines.map((l) => l.map((w) => w.text).join(' ')).join('\n'));

function levenshtein(a: string, b: string): number {
  let prev = new Uint32Array(b.length + 1).map((_, j) => j);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}
const similarity = (a: string, b: string) => 1 - levenshtein(a, b) / Math.max(1, a.length, b.length);

function describe(o: ScanOptions): string {
  if (o.mode === 'bw') return `1-bit CCITT G4 at ${o.dpiX ?? o.dpi} x ${o.dpiY ?? o.dpi} dpi`;
  return `${o.dpi} dpi grey JPEG (quality ${o.jpegQuality})`;
}

const hasTesseract = spawnSync('tesseract', ['--version']).status === 0;
const hasPdfimages = spawnSync('pdfimages', ['-v']).status === 0;
const dir = await mkdtemp(join(tmpdir(), 'imr-bench-ocr-'));
const ourModel = join(dir, 'tessdata');
if (hasTesseract) {
  await mkdir(ourModel);
  await writeFile(
    join(ourModel, 'eng.traineddata'),
    gunzipSync(readFileSync(join(ENG_LANG_PATH, 'eng.traineddata.gz'))),
  );
}

interface NativeRun {
  seconds: number;
  text: string;
}
/** One run of the CLI, timed from spawn to exit (process start and model load included). */
function runNative(file: string, opts: { model: 'ours' | 'own'; psm: number; dpi?: number }): NativeRun {
  const args = [
    ...(opts.model === 'ours' ? ['--tessdata-dir', ourModel] : []),
    file,
    '-',
    '--oem',
    '1',
    '--psm',
    String(opts.psm),
    ...(opts.dpi ? ['--dpi', String(opts.dpi)] : []),
  ];
  const t0 = performance.now();
  const r = spawnSync('tesseract', args, {
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const s = seconds(t0);
  if (r.status !== 0) throw new Error(`tesseract ${args.join(' ')}: ${r.stderr}`);
  return { seconds: s, text: flat(r.stdout) };
}

/** Native start-up (process + our model) on a blank 64 x 64 image: a floor under every native time. */
async function nativeStartup(): Promise<number> {
  const blank = join(dir, 'blank.pgm');
  await writeFile(blank, Buffer.concat([Buffer.from('P5\n64 64\n255\n'), Buffer.alloc(64 * 64, 255)]));
  return median([1, 2, 3].map(() => runNative(blank, { model: 'ours', psm: 4, dpi: 200 }).seconds));
}

interface BenchPage {
  image: PageImage;
  /** The prepared image as the engine reads it, written out for the CLI. */
  pgmFile: string;
  /** The scanned PDF and the page number in it (for the raw stored image). */
  pdfFile: string;
  page: number;
  pageHeight: number;
  prepSeconds: number;
}

/** The first `pageCount` pages of letters 1, 2, ... scanned with a profile, read as the extract stage does. */
async function scannedPages(name: string, options: ScanOptions): Promise<BenchPage[]> {
  const out: BenchPage[] = [];
  for (let seed = 1; out.length < pageCount; seed++) {
    const { pdf } = await generateLetterPdf(seed, { layout: 'fdl-2016' });
    const scan = await scanPdf(pdf, { ...options, seed });
    const pdfFile = join(dir, `${name}-${seed}.pdf`);
    await writeFile(pdfFile, scan);
    const read = () => readPdf(scan, { limits: DEFAULT_LIMITS, ocrMode: 'always', dpi: 300 });
    if (seed === 1) await read(); // warm-up: pdf.js loaded, code paths compiled
    const t0 = performance.now();
    const reading = await read();
    const perPage = seconds(t0) / Math.max(1, reading.images.length);
    for (const { page, image } of reading.images) {
      if (out.length >= pageCount) break;
      const pgmFile = join(dir, `${name}-${seed}-p${page}.pgm`);
      await writeFile(pgmFile, image.bytes);
      out.push({
        image,
        pgmFile,
        pdfFile,
        page,
        pageHeight: reading.pages[page - 1]!.height,
        prepSeconds: perPage,
      });
      progress.tick();
    }
  }
  return out;
}

/** The page's image as stored in the PDF (decoded by pdfimages, not prepared), as a TIFF. */
async function rawImage(p: BenchPage, tag: string): Promise<{ file: string; dpi: number } | null> {
  const prefix = `raw-${tag}`;
  const r = spawnSync('pdfimages', [
    '-tiff',
    '-f',
    String(p.page),
    '-l',
    String(p.page),
    p.pdfFile,
    join(dir, prefix),
  ]);
  if (r.status !== 0) return null;
  const found = (await readdir(dir)).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.tif'));
  if (found.length !== 1) return null;
  // pdfimages writes 72 dpi into the TIFF: the CLI is told the stored resolution down the page instead.
  const list = spawnSync('pdfimages', ['-list', '-f', String(p.page), '-l', String(p.page), p.pdfFile], {
    encoding: 'utf8',
  });
  const yPpi = Number((list.stdout ?? '').trim().split('\n').at(-1)?.trim().split(/\s+/)[13]);
  return { file: join(dir, found[0]!), dpi: Number.isFinite(yPpi) && yPpi > 0 ? Math.round(yPpi) : 200 };
}

async function timeEngine(pool: TesseractPool, pages: BenchPage[]): Promise<NativeRun[]> {
  // Warm-up: worker started, model loaded, this profile's resolution set.
  await pool.recognize(pages[0]!.image, { timeoutMs: TIMEOUT_MS });
  const out: NativeRun[] = [];
  for (const p of pages) {
    const t0 = performance.now();
    const lines = await pool.recognize(p.image, { timeoutMs: TIMEOUT_MS });
    out.push({ seconds: seconds(t0), text: engineText(lines) });
    progress.tick();
  }
  return out;
}

async function timePool(images: PageImage[], size: number): Promise<number> {
  const pool = new TesseractPool({ size });
  try {
    await Promise.all(
      Array.from({ length: size }, () => pool.recognize(images[0]!, { timeoutMs: TIMEOUT_MS })),
    );
    const t0 = performance.now();
    await Promise.all(
      images.map((img) => pool.recognize(img, { timeoutMs: TIMEOUT_MS }).then(() => progress.tick())),
    );
    return seconds(t0);
  } finally {
    await pool.close();
  }
}

interface Variant {
  label: string;
  runs: NativeRun[] | null;
  note?: string;
}
interface ProfileResult {
  name: string;
  pages: BenchPage[];
  engine: NativeRun[];
  variants: Variant[];
}

// Pages read (prepared, by the engine, by each native variant, by the 1- and 2-worker pools, for RSS), on
// stderr when it is a terminal. Stdout goes through `print`, so no line lands on the progress line.
const nativeRuns = (o: ScanOptions) => (hasTesseract ? 3 + (o.mode === 'bw' && hasPdfimages ? 2 : 0) : 0);
const rssProfiles = profiles.filter((p) => rssPages > 0 && (p.name === 'grey' || rssGiven)).length;
let expectedPages =
  profiles.reduce((sum, p) => sum + pageCount * (2 + nativeRuns(p.options)), 0) +
  2 * pageCount +
  rssProfiles * rssPages;
const progress = createProgress('bench:ocr pages', expectedPages);
const counted = <T>(value: T): T => {
  progress.tick();
  return value;
};
const print = (text: string) => {
  progress.clear();
  console.log(text);
  progress.tick(0);
};

const results: ProfileResult[] = [];
const enginePool = new TesseractPool({ size: 1 });
try {
  for (const { name, options } of profiles) {
    const pages = await scannedPages(name, options);
    const first = pages[0]!.image;
    print(
      `${name}: ${pages.length} page images, ${describe(options)} -> engine reads ${first.width}x${first.height} grey PGM at ${first.dpi ?? '?'} dpi`,
    );
    const engine = await timeEngine(enginePool, pages);
    const variants: Variant[] = [];
    const prepared = (model: 'ours' | 'own', psm: number): Variant => ({
      label: `native, ${model} model, prepared PGM, psm ${psm}`,
      runs: hasTesseract
        ? pages.map((p) =>
            counted(runNative(p.pgmFile, { model, psm, ...(p.image.dpi ? { dpi: p.image.dpi } : {}) })),
          )
        : null,
      note: 'tesseract not installed (apt-get install tesseract-ocr)',
    });
    variants.push(prepared('ours', 4), prepared('own', 4), prepared('ours', 6));
    if (options.mode === 'bw') {
      const raws =
        hasTesseract && hasPdfimages
          ? await Promise.all(pages.map((p, i) => rawImage(p, `${name}-${i}`)))
          : [];
      const ok = raws.length === pages.length && raws.every((r) => r !== null);
      if (!ok && hasTesseract && hasPdfimages) {
        expectedPages -= 2 * pages.length; // the raw-image runs will not happen
        progress.total(expectedPages);
      }
      for (const model of ['ours', 'own'] as const) {
        variants.push({
          label: `native, ${model} model, raw stored image, psm 4`,
          runs: ok ? raws.map((r) => counted(runNative(r!.file, { model, psm: 4, dpi: r!.dpi }))) : null,
          note: hasPdfimages
            ? 'the stored image could not be extracted'
            : 'pdfimages not installed (apt-get install poppler-utils)',
        });
      }
    }
    results.push({ name, pages, engine, variants });
  }
} finally {
  await enginePool.close();
}

const fmt = (x: number | null, digits = 2) => (x === null ? '-' : x.toFixed(digits));
const med = (runs: NativeRun[] | null) => (runs ? median(runs.map((r) => r.seconds)) : null);
const meanSimilarity = (a: NativeRun[], b: NativeRun[] | null) =>
  b ? a.reduce((sum, r, i) => sum + similarity(r.text, b[i]!.text), 0) / a.length : null;

print('\nseconds per page (medians); native on the same prepared image; similarity: engine vs native(ours)');
const header = [
  'profile',
  'pages',
  'prep s/page',
  'engine s/page',
  'native(ours) s/page',
  'native(own) s/page',
  'engine/native',
  'similarity',
];
const rows = results.map((r) => {
  const engine = median(r.engine.map((e) => e.seconds));
  const ours = med(r.variants[0]!.runs);
  return [
    r.name,
    String(r.pages.length),
    fmt(median(r.pages.map((p) => p.prepSeconds))),
    fmt(engine),
    fmt(ours),
    fmt(med(r.variants[1]!.runs)),
    fmt(ours === null ? null : engine / ours),
    fmt(meanSimilarity(r.engine, r.variants[0]!.runs), 3),
  ];
});
for (const row of [header, ...rows]) {
  print(
    row
      .map((cell, i) => cell.padEnd(header[i]!.length + 2))
      .join('')
      .trimEnd(),
  );
}

print('\nnative tesseract (OMP_THREAD_LIMIT=1, --oem 1), each variant beside the engine:');
print(`${'profile'.padEnd(9)}${'variant'.padEnd(46)}s/page  engine/native  similarity`);
for (const r of results) {
  const engine = median(r.engine.map((e) => e.seconds));
  for (const v of r.variants) {
    const s = med(v.runs);
    const line = `${r.name.padEnd(9)}${v.label.padEnd(46)}`;
    print(
      s === null
        ? `${line}- (${v.note})`
        : `${line}${fmt(s).padEnd(8)}${fmt(engine / s).padEnd(15)}${fmt(meanSimilarity(r.engine, v.runs), 3)}`,
    );
  }
}
if (hasTesseract) {
  print(`native start-up (process + model, blank page), included above: ${fmt(await nativeStartup())} s`);
}

const speed = results.find((r) => r.name === 'grey') ?? results[0]!;
const speedImages = speed.pages.map((p) => p.image);
const one = await timePool(speedImages, 1);
const two = await timePool(speedImages, 2);
print(
  `\nthroughput on ${speedImages.length} ${speed.name} pages: 1 worker ${(speedImages.length / one).toFixed(2)} pages/s, 2 workers ${(speedImages.length / two).toFixed(2)} pages/s -> speed-up ${(one / two).toFixed(2)}x`,
);

for (const r of results) {
  if (rssPages <= 0 || (r.name !== 'grey' && !rssGiven)) continue;
  const pool = new TesseractPool({ size: 1 });
  const rss: number[] = [];
  try {
    for (let i = 1; i <= rssPages; i++) {
      await pool.recognize(r.pages[i % r.pages.length]!.image, { timeoutMs: TIMEOUT_MS });
      rss[i] = process.memoryUsage().rss / 2 ** 20;
      progress.tick();
    }
  } finally {
    await pool.close();
  }
  const at50 = rss[Math.min(50, rssPages)]!;
  const atEnd = rss[rssPages]!;
  print(
    `RSS with one OCR worker (${r.name}): page 1 ${rss[1]!.toFixed(0)} MiB, page ${Math.min(50, rssPages)} ${at50.toFixed(0)} MiB, page ${rssPages} ${atEnd.toFixed(0)} MiB -> growth ${Math.min(50, rssPages)}->${rssPages}: ${((100 * (atEnd - at50)) / at50).toFixed(1)}%`,
  );
}
progress.done();
await rm(dir, { recursive: true, force: true });
