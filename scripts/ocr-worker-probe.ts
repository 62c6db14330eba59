// node bin/run.js scripts/ocr-worker-probe.ts <pages.json> [--pages N] [--pool '{"recyclePages":100}']
// A process that runs one OCR worker and nothing else (what bench:ocr measures memory and the engine's
// core variant on): reads the page images listed in pages.json ([{ "file", "dpi" }], binary PGM or PBM),
// recognises N pages cycling through them with a TesseractPool of size 1, and prints one JSON line per
// page: { page, cpuSeconds (the whole process: the worker thread and the main thread), wallSeconds,
// rssMiB }, then { peakRssMiB } (VmHWM).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { PageImage } from '../src/pipeline/extract/page-image.js';
import { TesseractPool, type TesseractPoolOptions } from '../src/pipeline/extract/tesseract-pool.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { pages: { type: 'string', default: '10' }, pool: { type: 'string', default: '{}' } },
});
const list = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as { file: string; dpi: number }[];
/** A page image read from its file when its turn comes: the process holds only the page in flight. */
function readImage({ file, dpi }: { file: string; dpi: number }): PageImage {
  const bytes = new Uint8Array(readFileSync(file));
  const header = /^(P[45])\s+(\d+)\s+(\d+)/.exec(Buffer.from(bytes.subarray(0, 40)).toString('latin1'));
  if (!header) throw new Error(`${file}: not a binary PGM or PBM`);
  return { bytes, format: 'pgm', width: Number(header[2]), height: Number(header[3]), dpi };
}
const pool = new TesseractPool({ ...(JSON.parse(values.pool) as TesseractPoolOptions), size: 1 });
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
try {
  for (let page = 1; page <= Number(values.pages); page++) {
    const [c0, t0] = [cpu(), performance.now()];
    // The file read is timed with the page: it is small beside OCR.
    await pool.recognize(readImage(list[(page - 1) % list.length]!), { timeoutMs: 600_000 });
    const line = {
      page,
      cpuSeconds: cpu() - c0,
      wallSeconds: (performance.now() - t0) / 1000,
      rssMiB: rssMiB(),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
} finally {
  await pool.close();
}
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
process.stdout.write(`${JSON.stringify({ peakRssMiB: hwm / 1024 })}\n`);
