// npm run bench:ocr -- [--pages N] [--scan grey,fax,copier-bw] [--rss-pages 500] [--no-levers]
// OCR cost and memory, side by side in one run on the same page images: N pages of synthetic letters
// scanned with each profile of src/synth/scan.ts (default grey and fax), read by `readPdf` exactly as the
// extract stage reads them (a grey JPEG decoded; a 1-bit page as stored, specks removed, deskewed), then:
// - per profile, one page at a time, every variant on that page before the next page (so a busy machine
//   slows them alike): the engine as the project runs it (TesseractPool defaults: 1 worker, warmed up),
//   each lever alone on top of it (tessedit_do_invert=0, PSM 6, PSM 3, the other model, a 1-bit image,
//   the image at 0.75x resolution; an image lever's own preparation is timed with it), and the native
//   `tesseract` CLI (OMP_THREAD_LIMIT=1, --oem 1, the pool's PSM and --dpi) on the same prepared image
//   with the same model file (and with the other model).
//   Two clocks: CPU seconds (the engine: this process's CPU, its worker thread's included; native: the
//   child's CPU from the kernel's accounting) and wall seconds. CPU is the one to read on a shared box;
//   native is shown with its process start and model load (a blank page's cost) and without;
// - the tesseract.js core variant: the simd-lstm core Node 20 loads against the relaxed-SIMD one (Node 20
//   loads it only with --experimental-wasm-relaxed-simd), each in a process of its own on the same pages;
// - the 1 -> 2 worker speed-up in one process (on grey, or the first profile);
// - text letters read in process alone, and beside busy OCR threads at nice 0 and at IMR_OCR_NICE's
//   default (the lever that keeps text letters first on a machine that also OCRs);
// - RSS of a process that runs one OCR worker and nothing else (scripts/ocr-worker-probe.ts) over
//   --rss-pages pages cycling through every profile's images: first page, page 50, last page, peak.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import { PSM } from 'tesseract.js';
import { createProgress } from '../src/cli/progress.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_LIMITS } from '../src/pipeline/extract/extract-text.js';
import type { OcrLine } from '../src/pipeline/extract/ocr-engine.js';
import { type PageImage, toPgm } from '../src/pipeline/extract/page-image.js';
import { readPdf } from '../src/pipeline/extract/read-pdf.js';
import {
  debianFastLangPath,
  ENG_LANG_PATH,
  TesseractPool,
  type TesseractPoolOptions,
} from '../src/pipeline/extract/tesseract-pool.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { generateLetterPdf } from '../src/synth/index.js';
import { type ScanOptions, scanPdf, scanProfile } from '../src/synth/scan.js';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '6' },
    scan: { type: 'string', default: 'grey,fax' },
    'rss-pages': { type: 'string', default: '500' },
    'no-levers': { type: 'boolean', default: false },
  },
});
const pageCount = Number(values.pages);
if (!Number.isInteger(pageCount) || pageCount < 1) throw new Error('--pages: a whole number >= 1');
const profileNames = [...new Set(values.scan.split(',').map((s) => s.trim()))].filter((s) => s !== '');
const profiles = profileNames.map((name) => ({ name, options: scanProfile(name) }));
const rssPages = Number(values['rss-pages']);
const TIMEOUT_MS = 600_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** CPU seconds of this process's waited-for children (utime + stime of /proc/self/stat, 10 ms ticks). */
const childCpuSeconds = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
};

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
const dir = await mkdtemp(join(tmpdir(), 'imr-bench-ocr-'));

// The engine as the project runs it; its model, and the other one, as plain files for the CLI.
const adopted = new TesseractPool({ size: 1 });
const fastPath = debianFastLangPath();
const models = { best_int: ENG_LANG_PATH, fast: fastPath } as const;
const adoptedModel = adopted.langPath === ENG_LANG_PATH ? 'best_int' : 'fast';
const otherModel = adoptedModel === 'best_int' ? 'fast' : 'best_int';
/** A tessdata folder with the model as a plain file (the CLI does not read .gz). */
async function tessdataFor(model: 'best_int' | 'fast'): Promise<string | null> {
  const path = models[model];
  if (!path) return null;
  if (model === 'fast') return path;
  const out = join(dir, 'tessdata-best_int');
  await mkdir(out);
  await writeFile(join(out, 'eng.traineddata'), gunzipSync(readFileSync(join(path, 'eng.traineddata.gz'))));
  return out;
}
const tessdata = { best_int: await tessdataFor('best_int'), fast: await tessdataFor('fast') };

interface Run {
  cpu: number;
  wall: number;
  text: string;
}
/** One run of the CLI, from spawn to exit (process start and model load included). */
function runNative(file: string, model: string, dpi: number | undefined): Run {
  const args = ['--tessdata-dir', model, file, '-', '--oem', '1', '--psm', String(adopted.psm)];
  if (dpi) args.push('--dpi', String(dpi));
  const [c0, t0] = [childCpuSeconds(), performance.now()];
  const r = spawnSync('tesseract', args, {
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const run = { cpu: childCpuSeconds() - c0, wall: seconds(t0), text: flat(r.stdout ?? '') };
  if (r.status !== 0) throw new Error(`tesseract ${args.join(' ')}: ${r.stderr}`);
  return run;
}

/** Native start-up (process + model) on a blank 64 x 64 page: what "start excluded" takes off. */
async function nativeStartup(model: string): Promise<{ cpu: number; wall: number }> {
  const blank = join(dir, 'blank.pgm');
  await writeFile(blank, Buffer.concat([Buffer.from('P5\n64 64\n255\n'), Buffer.alloc(64 * 64, 255)]));
  const runs = [1, 2, 3, 4, 5].map(() => runNative(blank, model, 200));
  return { cpu: median(runs.map((r) => r.cpu)), wall: median(runs.map((r) => r.wall)) };
}

/** Grey pixels of a binary PGM (P5, maxval 255). */
function pgmPixels(image: PageImage): Uint8Array {
  return image.bytes.subarray(image.bytes.length - image.width * image.height);
}
/** A 1-bit PBM (P4) of the image at a fixed threshold: what a caller could hand tesseract instead. */
function toPbm(image: PageImage, threshold = 128): PageImage {
  const { width, height } = image;
  const grey = pgmPixels(image);
  const rowBytes = (width + 7) >> 3;
  const header = Buffer.from(`P4\n${width} ${height}\n`, 'latin1');
  const bytes = new Uint8Array(header.length + rowBytes * height);
  bytes.set(header, 0);
  for (let y = 0; y < height; y++) {
    const row = header.length + y * rowBytes;
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x]! < threshold) bytes[row + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { ...image, bytes };
}
/** The image resampled by `factor` (smoothly, @napi-rs/canvas), its resolution scaled alike. */
function scaled(image: PageImage, factor: number): PageImage {
  const { width, height } = image;
  const grey = pgmPixels(image);
  const src = createCanvas(width, height);
  const ctx = src.getContext('2d');
  const rgba = ctx.createImageData(width, height);
  for (let i = 0; i < grey.length; i++) {
    rgba.data[4 * i] = rgba.data[4 * i + 1] = rgba.data[4 * i + 2] = grey[i]!;
    rgba.data[4 * i + 3] = 255;
  }
  ctx.putImageData(rgba, 0, 0);
  const [w, h] = [Math.round(width * factor), Math.round(height * factor)];
  const out = createCanvas(w, h);
  const octx = out.getContext('2d');
  octx.imageSmoothingQuality = 'high';
  octx.drawImage(src, 0, 0, w, h);
  const data = octx.getImageData(0, 0, w, h).data;
  const g = new Uint8Array(w * h);
  for (let i = 0; i < g.length; i++) g[i] = data[4 * i]!;
  return toPgm({ width: w, height: h, data: g }, Math.round((image.dpi ?? 200) * factor));
}

interface EngineVariant {
  label: string;
  pool: TesseractPool | null;
  note?: string;
  image?: (image: PageImage) => PageImage;
}
const lever = (label: string, options: TesseractPoolOptions | null, note?: string): EngineVariant => ({
  label,
  pool: options ? new TesseractPool({ size: 1, ...options }) : null,
  ...(note ? { note } : {}),
});
const engineVariants: EngineVariant[] = [
  { label: `engine (${adoptedModel}, psm ${adopted.psm})`, pool: adopted },
];
if (!values['no-levers']) {
  engineVariants.push(
    lever('+ tessedit_do_invert=0', { parameters: { tessedit_do_invert: '0' } }),
    lever('+ psm 6 (single block)', { psm: PSM.SINGLE_BLOCK }),
    lever('+ psm 3 (automatic)', { psm: PSM.AUTO }),
    lever(
      `+ model ${otherModel}`,
      models[otherModel] ? { langPath: models[otherModel]! } : null,
      'not installed (apt-get install tesseract-ocr-eng)',
    ),
    { ...lever('+ 1-bit image (threshold 128)', {}), image: (i) => toPbm(i) },
    { ...lever('+ image at 0.75x resolution', {}), image: (i) => scaled(i, 0.75) },
  );
}

interface BenchPage {
  image: PageImage;
  /** The prepared image as the engine reads it, written out for the CLI and the probe processes. */
  pgmFile: string;
  prepSeconds: number;
}

/** The first `pageCount` pages of letters 1, 2, ... scanned with a profile, read as the extract stage does. */
async function scannedPages(name: string, options: ScanOptions): Promise<BenchPage[]> {
  const out: BenchPage[] = [];
  for (let seed = 1; out.length < pageCount; seed++) {
    const { pdf } = await generateLetterPdf(seed, { layout: 'fdl-2016' });
    const scan = await scanPdf(pdf, { ...options, seed });
    const read = () => readPdf(scan, { limits: DEFAULT_LIMITS, ocrMode: 'always', dpi: 300 });
    if (seed === 1) await read(); // warm-up: pdf.js loaded, code paths compiled
    const t0 = performance.now();
    const reading = await read();
    const perPage = seconds(t0) / Math.max(1, reading.images.length);
    for (const { page, image } of reading.images) {
      if (out.length >= pageCount) break;
      const pgmFile = join(dir, `${name}-${seed}-p${page}.pgm`);
      await writeFile(pgmFile, image.bytes);
      out.push({ image, pgmFile, prepSeconds: perPage });
      progress.tick();
    }
  }
  return out;
}

async function recognizeTimed(v: EngineVariant, page: PageImage): Promise<Run> {
  const [c0, t0] = [cpuSeconds(), performance.now()];
  const image = v.image ? v.image(page) : page;
  const lines = await v.pool!.recognize(image, { timeoutMs: TIMEOUT_MS });
  return { cpu: cpuSeconds() - c0, wall: seconds(t0), text: engineText(lines) };
}

/** A process of its own running one OCR worker over page files (scripts/ocr-worker-probe.ts). */
function probe(
  files: { file: string; dpi: number }[],
  pages: number,
  nodeFlags: string[] = [],
  pool: TesseractPoolOptions = {},
): { page: number; cpuSeconds: number; wallSeconds: number; rssMiB: number }[] & { peakRssMiB?: number } {
  const list = join(dir, `probe-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(list, JSON.stringify(files));
  const r = spawnSync(
    process.execPath,
    [
      ...nodeFlags,
      'bin/run.js',
      'scripts/ocr-worker-probe.ts',
      list,
      '--pages',
      String(pages),
      '--pool',
      JSON.stringify(pool),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`ocr-worker-probe exited ${r.status}`);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const out = rows.filter((x) => 'page' in x) as ReturnType<typeof probe>;
  out.peakRssMiB = rows.find((x) => 'peakRssMiB' in x)?.peakRssMiB;
  return out;
}

const natives = hasTesseract ? 2 : 0;
const leverCount = engineVariants.filter((v) => v.pool).length;
const expected = profiles.length * pageCount * (2 + leverCount + natives) + 2 * pageCount;
const progress = createProgress('bench:ocr pages', expected + Math.max(0, rssPages));
const print = (text: string) => {
  progress.clear();
  console.log(text);
  progress.tick(0);
};
const fmt = (x: number | null, digits = 2) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const pad = (cells: string[], widths: number[]) =>
  cells
    .map((c, i) => c.padEnd(widths[i]!))
    .join('')
    .trimEnd();

const startup = hasTesseract && tessdata[adoptedModel] ? await nativeStartup(tessdata[adoptedModel]!) : null;
const allPages: { name: string; pages: BenchPage[] }[] = [];
const summary: { profile: string; cpu: number | null; wall: number | null }[] = [];
try {
  for (const { name, options } of profiles) {
    const pages = await scannedPages(name, options);
    allPages.push({ name, pages });
    const first = pages[0]!.image;
    print(
      `\n${name}: ${pages.length} page images, ${describe(options)} -> engine reads ${first.width}x${first.height} grey PGM at ${first.dpi ?? '?'} dpi; prep (readPdf) ${fmt(median(pages.map((p) => p.prepSeconds)))} s/page, not counted below`,
    );
    // Warm-up: each worker started, its model loaded, this profile's resolution set, WebAssembly tiered up.
    for (const v of engineVariants) if (v.pool) await recognizeTimed(v, first);
    const runs = new Map<string, Run[]>();
    const add = (label: string, run: Run) => runs.set(label, [...(runs.get(label) ?? []), run]);
    const nativeSame = `native, same model (${adoptedModel}), start incl.`;
    const nativeOther = `native, model ${otherModel}, start incl.`;
    for (const p of pages) {
      for (const v of engineVariants) {
        if (!v.pool) continue;
        add(v.label, await recognizeTimed(v, p.image));
        progress.tick();
      }
      if (hasTesseract) {
        for (const [label, model] of [
          [nativeSame, tessdata[adoptedModel]],
          [nativeOther, tessdata[otherModel]],
        ] as const) {
          if (model) add(label, runNative(p.pgmFile, model, p.image.dpi));
          progress.tick();
        }
      }
    }
    const cpuOf = (label: string) => (runs.get(label) ? median(runs.get(label)!.map((r) => r.cpu)) : null);
    const wallOf = (label: string) => (runs.get(label) ? median(runs.get(label)!.map((r) => r.wall)) : null);
    const same = { cpu: cpuOf(nativeSame), wall: wallOf(nativeSame) };
    const base = runs.get(engineVariants[0]!.label)!;
    const sim = (label: string) => {
      const r = runs.get(label);
      return r ? r.reduce((sum, x, i) => sum + similarity(x.text, base[i]!.text), 0) / r.length : null;
    };
    const widths = [44, 10, 11, 16, 17, 10];
    print(
      pad(
        ['variant (median per page)', 'cpu s', 'wall s', 'cpu / native', 'wall / native', 'same text'],
        widths,
      ),
    );
    const row = (label: string, cpu: number | null, wall: number | null, note?: string) =>
      print(
        cpu === null
          ? `${label.padEnd(widths[0]!)}- (${note ?? 'not run'})`
          : pad(
              [
                label,
                fmt(cpu),
                fmt(wall),
                fmt(same.cpu === null ? null : cpu / same.cpu),
                fmt(same.wall === null || wall === null ? null : wall / same.wall),
                fmt(sim(label), 3),
              ],
              widths,
            ),
      );
    for (const v of engineVariants) row(v.label, cpuOf(v.label), wallOf(v.label), v.note);
    if (hasTesseract) {
      row(nativeSame, same.cpu, same.wall);
      if (startup && same.cpu !== null && same.wall !== null) {
        row(`native, same model, start excl.`, same.cpu - startup.cpu, same.wall - startup.wall);
      }
      row(nativeOther, cpuOf(nativeOther), wallOf(nativeOther), 'model not installed');
    } else print('native: - (tesseract not installed: apt-get install tesseract-ocr)');
    const engineCpu = cpuOf(engineVariants[0]!.label)!;
    summary.push({
      profile: name,
      cpu: same.cpu === null ? null : engineCpu / same.cpu,
      wall: same.wall === null ? null : wallOf(engineVariants[0]!.label)! / same.wall,
    });
  }
} finally {
  await Promise.all(engineVariants.map((v) => v.pool?.close()));
}
if (startup) {
  print(
    `\nnative start-up (process + model, blank page): ${fmt(startup.cpu)} s CPU, ${fmt(startup.wall)} s wall`,
  );
}
print(
  `\nengine / native same model (start incl.), the goal being <= 1.0x: ${summary
    .map((s) => `${s.profile} ${fmt(s.cpu)}x CPU, ${fmt(s.wall)}x wall`)
    .join('; ')}`,
);

const files = allPages.flatMap(({ pages }) =>
  pages.map((p) => ({ file: p.pgmFile, dpi: p.image.dpi ?? 200 })),
);
if (!values['no-levers']) {
  const corePages = allPages[0]!.pages.map((p) => ({ file: p.pgmFile, dpi: p.image.dpi ?? 200 }));
  const n = corePages.length + 1;
  const simd = probe(corePages, n).slice(1);
  const relaxed = probe(corePages, n, ['--experimental-wasm-relaxed-simd']).slice(1);
  const m = (xs: { cpuSeconds: number }[]) => median(xs.map((x) => x.cpuSeconds));
  print(
    `\ntesseract.js core on ${allPages[0]!.name} (a process each, first page left out): simd-lstm ${fmt(m(simd))} s CPU/page, relaxedsimd-lstm ${fmt(m(relaxed))} s -> ${fmt(m(relaxed) / m(simd))}x`,
  );
}

const speedImages = (allPages.find((p) => p.name === 'grey') ?? allPages[0]!).pages.map((p) => p.image);
async function timePool(size: number): Promise<number> {
  const pool = new TesseractPool({ size });
  try {
    await Promise.all(
      Array.from({ length: size }, () => pool.recognize(speedImages[0]!, { timeoutMs: TIMEOUT_MS })),
    );
    const t0 = performance.now();
    await Promise.all(
      speedImages.map((img) => pool.recognize(img, { timeoutMs: TIMEOUT_MS }).then(() => progress.tick())),
    );
    return seconds(t0);
  } finally {
    await pool.close();
  }
}
const one = await timePool(1);
const two = await timePool(2);
print(
  `\nthroughput on ${speedImages.length} pages, one process: 1 worker ${fmt(speedImages.length / one)} pages/s, 2 workers ${fmt(speedImages.length / two)} pages/s -> ${fmt(one / two)}x on ${availableParallelism()} cores`,
);

// Text letters beside OCR (the lever `IMR_OCR_NICE`): in this process, text letters read and parsed one
// after another while `cores` OCR threads read pages without a pause, at nice 0 and at the default, against
// the same letters alone. Interleaved rounds, medians.
const besideLetters = await Promise.all(
  Array.from({ length: 60 }, (_, i) => generateLetterPdf(700 + i).then((l) => l.pdf)),
);
async function textRate(): Promise<number> {
  const t0 = performance.now();
  for (const pdf of besideLetters) await processPdf('beside.pdf', pdf);
  return besideLetters.length / seconds(t0);
}
async function textRateBeside(nice: number): Promise<number> {
  const pool = new TesseractPool({ size: availableParallelism(), nice });
  let stop = false;
  const busy = Array.from({ length: availableParallelism() }, async () => {
    for (let i = 0; !stop; i++)
      await pool.recognize(speedImages[i % speedImages.length]!, { timeoutMs: TIMEOUT_MS });
  });
  try {
    await new Promise((r) => setTimeout(r, 2000)); // every OCR thread started and reading
    return await textRate();
  } finally {
    stop = true;
    await Promise.all(busy);
    await pool.close();
  }
}
await textRate(); // warm
const beside = { alone: [] as number[], nice0: [] as number[], niceDefault: [] as number[] };
const defaultNice = loadConfig({}).ocr.nice;
for (let round = 0; round < 3; round++) {
  beside.alone.push(await textRate());
  beside.nice0.push(await textRateBeside(0));
  beside.niceDefault.push(await textRateBeside(defaultNice));
}
const [alone, nice0, niceDefault] = [beside.alone, beside.nice0, beside.niceDefault].map(median) as [
  number,
  number,
  number,
];
print(
  `\ntext letters in process beside ${availableParallelism()} busy OCR threads (IMR_OCR_NICE), medians of 3 rounds: alone ${fmt(alone, 1)} letters/s; OCR at nice 0 ${fmt(nice0, 1)} (${fmt(nice0 / alone)}x); at nice ${defaultNice} ${fmt(niceDefault, 1)} (${fmt(niceDefault / alone)}x)`,
);

if (rssPages > 0) {
  const rows = probe(files, rssPages);
  progress.tick(rssPages);
  const rss = rows.map((r) => r.rssMiB);
  const at = (page: number) => rss[Math.min(page, rss.length) - 1]!;
  const tail = rss.slice(Math.min(50, rss.length) - 1);
  print(
    `\nRSS of a process running one OCR worker over ${rssPages} pages (${files.length} images of ${allPages.map((p) => p.name).join(', ')}, cycled): page 1 ${fmt(at(1), 0)} MiB, page 50 ${fmt(at(50), 0)} MiB, page ${rssPages} ${fmt(at(rssPages), 0)} MiB; from page 50 on ${fmt(Math.min(...tail), 0)}-${fmt(Math.max(...tail), 0)} MiB; peak ${fmt(rows.peakRssMiB ?? null, 0)} MiB (goal < 400, flat)`,
  );
}
progress.done();
await rm(dir, { recursive: true, force: true });
