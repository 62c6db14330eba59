// npm run bench:ocr -- [--pages N] [--rss-pages 200]
// OCR speed and memory, measured side by side in one run on the same scanned page images:
// - seconds per page of the project's OCR engine (tesseract.js pool, 1 worker) and of the native
//   `tesseract` CLI (OMP_THREAD_LIMIT=1, --oem 1 --psm 6) with its own model and with ours, when installed;
// - throughput with 2 OCR workers against 1 (the speed-up);
// - RSS of the process running an OCR worker, from page 50 to page --rss-pages.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { embeddedJpegs, ocrReady, type PageImage } from '../src/pipeline/extract/page-image.js';
import { ENG_LANG_PATH, TesseractPool } from '../src/pipeline/extract/tesseract-pool.js';
import { generateLetterPdf } from '../src/synth/index.js';
import { DEFAULT_SCAN, scanPdf } from '../src/synth/scan.js';

const { values } = parseArgs({
  options: { pages: { type: 'string', default: '8' }, 'rss-pages': { type: 'string', default: '200' } },
});
const pageCount = Number(values.pages);
const rssPages = Number(values['rss-pages']);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// Scanned pages of synthetic letters: 200 DPI grey JPEGs, as bench:accuracy --scan makes them.
const images: PageImage[] = [];
for (let seed = 1; images.length < pageCount; seed++) {
  const { pdf } = await generateLetterPdf(seed, { layout: 'fdl-2016' });
  const scan = await scanPdf(pdf, { ...DEFAULT_SCAN, seed });
  for (const image of (await embeddedJpegs(scan)).values()) {
    if (images.length < pageCount) images.push({ ...image, dpi: DEFAULT_SCAN.dpi });
  }
}
const dir = await mkdtemp(join(tmpdir(), 'imr-bench-ocr-'));
const files = await Promise.all(
  images.map(async (img, i) => {
    const f = join(dir, `page-${i}.jpg`);
    await writeFile(f, img.bytes);
    return f;
  }),
);
console.log(
  `${images.length} scanned page images (200 DPI grey JPEG, ${images[0]!.width}x${images[0]!.height})`,
);

async function timePool(size: number, parallel: boolean): Promise<{ perPage: number[]; total: number }> {
  const pool = new TesseractPool({ size });
  try {
    // What the extract stage does per page: the embedded JPEG, decoded natively, then recognised.
    const ocrPage = async (img: PageImage) => pool.recognize(await ocrReady(img), { timeoutMs: 600_000 });
    await Promise.all(Array.from({ length: size }, () => ocrPage(images[0]!)));
    const perPage: number[] = [];
    const t0 = performance.now();
    if (parallel) {
      await Promise.all(images.map(ocrPage));
    } else {
      for (const img of images) {
        const t = performance.now();
        await ocrPage(img);
        perPage.push((performance.now() - t) / 1000);
      }
    }
    return { perPage, total: (performance.now() - t0) / 1000 };
  } finally {
    await pool.close();
  }
}

function timeNative(tessdataDir: string | null): number[] | null {
  if (spawnSync('tesseract', ['--version']).status !== 0) return null;
  return files.map((f) => {
    const args = [
      ...(tessdataDir ? ['--tessdata-dir', tessdataDir] : []),
      f,
      '-',
      '--oem',
      '1',
      '--psm',
      '6',
    ];
    const t = performance.now();
    execFileSync('tesseract', args, {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    return (performance.now() - t) / 1000;
  });
}

const ours = await timePool(1, false);
const ourModel = join(dir, 'tessdata');
execFileSync('mkdir', ['-p', ourModel]);
await writeFile(
  join(ourModel, 'eng.traineddata'),
  gunzipSync(readFileSync(join(ENG_LANG_PATH, 'eng.traineddata.gz'))),
);
const nativeSame = timeNative(ourModel);
const nativeSystem = timeNative(null);
const jsMed = median(ours.perPage);
console.log('\nseconds per page (median):');
console.log(`  tesseract.js pool, 1 worker (4.0.0_best_int):     ${jsMed.toFixed(2)} s`);
if (nativeSame && nativeSystem) {
  console.log(
    `  native tesseract, same model (4.0.0_best_int):    ${median(nativeSame).toFixed(2)} s  -> ratio ${(jsMed / median(nativeSame)).toFixed(2)}x`,
  );
  console.log(
    `  native tesseract, system model (tessdata):        ${median(nativeSystem).toFixed(2)} s  -> ratio ${(jsMed / median(nativeSystem)).toFixed(2)}x`,
  );
} else {
  console.log('  native tesseract: not installed (apt-get install tesseract-ocr) - no comparison');
}

const one = await timePool(1, true);
const two = await timePool(2, true);
console.log(
  `\nthroughput on ${images.length} pages: 1 worker ${(images.length / one.total).toFixed(2)} pages/s, 2 workers ${(images.length / two.total).toFixed(2)} pages/s -> speed-up ${(one.total / two.total).toFixed(2)}x`,
);

if (rssPages > 0) {
  const pool = new TesseractPool({ size: 1 });
  const rss: number[] = [];
  for (let i = 1; i <= rssPages; i++) {
    await pool.recognize(await ocrReady(images[i % images.length]!), { timeoutMs: 600_000 });
    rss[i] = process.memoryUsage().rss / 2 ** 20;
  }
  await pool.close();
  const at50 = rss[Math.min(50, rssPages)]!;
  const atEnd = rss[rssPages]!;
  console.log(
    `\nRSS with one OCR worker: page 1 ${rss[1]!.toFixed(0)} MiB, page 50 ${at50.toFixed(0)} MiB, page ${rssPages} ${atEnd.toFixed(0)} MiB -> growth 50->${rssPages}: ${((100 * (atEnd - at50)) / at50).toFixed(1)}%`,
  );
}
await rm(dir, { recursive: true, force: true });
