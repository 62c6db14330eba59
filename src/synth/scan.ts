import { createCanvas } from '@napi-rs/canvas';
import { PDFDocument } from 'pdf-lib';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DEFAULT_LIMITS } from '../pipeline/extract/extract-text.js';
import { renderPageCanvas } from '../pipeline/extract/page-image.js';
import { withPdfDocument } from '../pipeline/extract/pdf-document.js';
import { Rng } from './rng.js';

export interface ScanOptions {
  /** Scan resolution. */
  dpi: number;
  /** Each page is turned by a random angle in [-maxRotationDeg, maxRotationDeg]. */
  maxRotationDeg: number;
  /** Standard deviation of the Gaussian noise added to each grey pixel (0-255 scale). */
  noiseSigma: number;
  jpegQuality: number;
  seed: number;
}

/** What `bench:accuracy --scan` uses: 200 DPI grey, up to 1 degree, noise, JPEG quality 70. */
export const DEFAULT_SCAN: ScanOptions = {
  dpi: 200,
  maxRotationDeg: 1,
  noiseSigma: 12,
  jpegQuality: 70,
  seed: 1,
};

function gaussian(rng: Rng): number {
  // Box-Muller: two uniforms to one standard normal.
  const u = Math.max(rng.next(), 1e-12);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

async function scanPage(page: PDFPageProxy, options: ScanOptions, rng: Rng): Promise<Uint8Array> {
  const flat = await renderPageCanvas(page, options.dpi);
  const { width, height } = flat;

  // The sheet lies a little crooked on the glass.
  const angle = ((rng.next() * 2 - 1) * options.maxRotationDeg * Math.PI) / 180;
  const sheet = createCanvas(width, height);
  const ctx = sheet.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.translate(width / 2, height / 2);
  ctx.rotate(angle);
  ctx.drawImage(flat, -width / 2, -height / 2);
  ctx.setTransform(1, 0, 0, 1, 0, 0);

  // Grey, with sensor noise.
  const image = ctx.getImageData(0, 0, width, height);
  const px = image.data;
  for (let i = 0; i < px.length; i += 4) {
    const grey = (px[i]! * 77 + px[i + 1]! * 150 + px[i + 2]! * 29) >> 8;
    const v = Math.max(0, Math.min(255, Math.round(grey + gaussian(rng) * options.noiseSigma)));
    px[i] = v;
    px[i + 1] = v;
    px[i + 2] = v;
  }
  ctx.putImageData(image, 0, 0);
  return new Uint8Array(await sheet.encode('jpeg', options.jpegQuality));
}

/**
 * A scanned copy of a PDF: every page rendered, turned, noised and JPEG-compressed, in an image-only PDF
 * of the same page sizes (no text layer). Deterministic for a seed.
 */
export async function scanPdf(pdf: Uint8Array, options: ScanOptions = DEFAULT_SCAN): Promise<Uint8Array> {
  const rng = new Rng(options.seed);
  const out = await PDFDocument.create();
  out.setProducer('imr-pipeline synthetic scanner');
  out.setCreationDate(new Date('2020-01-01T00:00:00Z'));
  out.setModificationDate(new Date('2020-01-01T00:00:00Z'));
  await withPdfDocument(pdf, { limits: DEFAULT_LIMITS, render: true }, async (doc) => {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      try {
        const { width, height } = page.getViewport({ scale: 1 });
        const jpeg = await out.embedJpg(await scanPage(page, options, rng));
        out.addPage([width, height]).drawImage(jpeg, { x: 0, y: 0, width, height });
      } finally {
        page.cleanup();
      }
    }
  });
  return out.save();
}
