import type { TextPage } from '../../../schemas/text.js';
import { StageError } from '../errors.js';
import { hasUsableText, type OcrMode } from './extract-text.js';
import {
  embeddedJpegs,
  ocrReady,
  type PageImage,
  renderPageGray,
  type StoredScan,
  storedScanImage,
  toPgm,
} from './page-image.js';
import { type PdfLimits, withPdfDocument } from './pdf-document.js';
import { DEFAULT_PREP, isBilevel, type PrepOptions, prepareBilevel, toBits } from './scan-prep.js';
import { extractTextLayerPage } from './text-layer.js';

// The pdf.js half of extraction, in a module of its own: it runs in the PDF threads (pdf-thread.ts), or
// in the calling thread when there are none, and only there is pdf.js loaded.

/** What pdf.js reads from a file: every page's text layer, and the pixels of the pages OCR should read. */
export interface PdfReading {
  pages: TextPage[];
  /** Pages to OCR (no usable text layer, or OCR always), ready for the engine (grey PGM). */
  images: { page: number; image: PageImage }[];
}

export interface ReadOptions {
  limits: PdfLimits;
  /** Which pages get images for OCR ('never' when this process has no OCR engine). */
  ocrMode: OcrMode;
  dpi: number;
  /** How bilevel scans are prepared for OCR; DEFAULT_PREP when absent. */
  prep?: PrepOptions;
  /** Read only these pages (an OCR page job wants one); every page when absent. */
  only?: readonly number[];
  /** Called after each page is read or rendered (a thread's proof of progress, for the time limit). */
  onPage?: (page: number) => void;
}

/** Something that runs `readPdf` somewhere else (a thread with memory and time limits). */
export interface PdfReader {
  read(bytes: Uint8Array, options: Omit<ReadOptions, 'onPage'>): Promise<PdfReading>;
}

function checkPixels(page: number, width: number, height: number, limits: PdfLimits): void {
  if (width * height > limits.maxPixels) {
    throw new StageError(
      'page_too_large',
      `page ${page} would be ${width} x ${height} pixels for OCR; the limit is ${limits.maxPixels} pixels`,
    );
  }
}

/**
 * A page's stored scan ready for OCR: a bilevel one (1-bit, or grey holding only black and white) is
 * prepared (specks, skew, square pixels at the target resolution); a grey one with square pixels goes as
 * it is. Null when it is better rendered (grey with unequal resolutions across and down).
 */
function scanForOcr(stored: StoredScan, page: TextPage, prep: PrepOptions): PageImage | null {
  const bits = stored.bits ?? (stored.gray && isBilevel(stored.gray) ? toBits(stored.gray) : null);
  if (bits) {
    const ready = prepareBilevel(bits, stored.dpiX, stored.dpiY, prep);
    const sx = page.width / bits.width;
    const sy = page.height / bits.height;
    const [a, b, c, d, e, f] = ready.toSource;
    return {
      ...toPgm(ready.image, ready.dpi),
      toPage: [a * sx, b * sy, c * sx, d * sy, e * sx, f * sy],
    };
  }
  if (!stored.gray || Math.abs(stored.dpiX - stored.dpiY) > 2) return null;
  return toPgm(stored.gray, stored.dpiX);
}

/**
 * The pdf.js half of extraction (all of its CPU and memory risk): text layers, and for the pages OCR should
 * read, their pixels (a scan's JPEG as stored, decoded; other pages rendered), under the pixel limit.
 */
export async function readPdf(bytes: Uint8Array, options: ReadOptions): Promise<PdfReading> {
  const { limits, ocrMode, dpi, onPage, only } = options;
  const pages = await withPdfDocument(bytes, { limits }, async (doc) => {
    const out: TextPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      if (only && !only.includes(n)) continue;
      const page = await doc.getPage(n);
      try {
        out.push(await extractTextLayerPage(page));
      } finally {
        page.cleanup();
      }
      onPage?.(n);
    }
    return out;
  });
  const wanted = ocrMode === 'never' ? [] : pages.filter((p) => ocrMode === 'always' || !hasUsableText(p));
  if (wanted.length === 0) return { pages, images: [] };
  // A scanned page is usually one JPEG: it is used as stored. Others are rendered.
  const jpegs = await embeddedJpegs(bytes);
  const images: PdfReading['images'] = [];
  const toRender: TextPage[] = [];
  for (const p of wanted) {
    const jpeg = jpegs.get(p.page);
    if (!jpeg) {
      toRender.push(p);
      continue;
    }
    checkPixels(p.page, jpeg.width, jpeg.height, limits);
    const image = await ocrReady({ ...jpeg, dpi: Math.round((jpeg.width * 72) / p.width) });
    images.push({ page: p.page, image });
    onPage?.(p.page);
  }
  if (toRender.length > 0) {
    await withPdfDocument(bytes, { limits, render: true }, async (doc) => {
      for (const p of toRender) {
        const scale = dpi / 72;
        checkPixels(p.page, Math.ceil(p.width * scale), Math.ceil(p.height * scale), limits);
        const page = await doc.getPage(p.page);
        try {
          const prep = options.prep ?? DEFAULT_PREP;
          const stored = prep.stored ? await storedScanImage(page, limits.maxPixels) : null;
          const image = stored ? scanForOcr(stored, p, prep) : null;
          images.push({ page: p.page, image: image ?? toPgm(await renderPageGray(page, dpi), dpi) });
        } finally {
          page.cleanup();
        }
        onPage?.(p.page);
      }
    });
  }
  return { pages, images: images.sort((a, b) => a.page - b.page) };
}
