import type { TextDocument, TextPage } from '../../../schemas/text.js';
import { StageError } from '../errors.js';
import { buildTextPageFromLines, type Piece } from './lines.js';
import type { OcrEngine, OcrLine } from './ocr-engine.js';
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

export type OcrMode = 'auto' | 'always' | 'never';

export interface OcrOptions {
  /** auto: OCR the pages without a usable text layer; always: every page; never: none. */
  mode: OcrMode;
  /** null when OCR is not available in this process. */
  engine: OcrEngine | null;
  /** Resolution to render pages that are not a single embedded JPEG. */
  dpi: number;
  timeoutMs: number;
  /** How bilevel scans are prepared for OCR (specks, skew, resolution); DEFAULT_PREP when absent. */
  prep?: PrepOptions;
}

export interface ExtractOptions {
  limits: PdfLimits;
  ocr?: OcrOptions;
  /** Called once before OCR starts (the slow part), e.g. to show the document as extracting. */
  onOcrStart?: () => Promise<void>;
  /** Where the pdf.js half runs (a thread pool with limits); in this thread when absent. */
  reader?: PdfReader;
}

export const DEFAULT_LIMITS: PdfLimits = {
  maxPages: 200,
  maxPixels: 50_000_000,
  maxInflatedBytes: 256 * 2 ** 20,
};

/** A page's text layer is usable when it holds some real words, not just a stray mark or two. */
export function hasUsableText(page: TextPage): boolean {
  return (page.text.match(/[A-Za-z]{2,}/g) ?? []).length >= 5;
}

/** Table rules and specks read as words: "|", "_", "—" runs. */
const RULE_JUNK = /^[|_~\u2014\u2013=]+$/;

/** OCR lines (pixels) to line pieces (points), each piece sized by its line so word gaps read alike. */
export function ocrLinesToPieces(
  lines: OcrLine[],
  image: PageImage,
  pageWidth: number,
  pageHeight: number,
): Piece[][] {
  const [a, b, c, d, e, f] = image.toPage ?? [pageWidth / image.width, 0, 0, pageHeight / image.height, 0, 0];
  // A box's corners mapped to the page (a straightened scan maps back through a small rotation).
  const toPage = (box: [number, number, number, number]): [number, number, number, number] => {
    const xs = [box[0], box[2]].flatMap((x) => [box[1], box[3]].map((y) => a * x + c * y + e));
    const ys = [box[0], box[2]].flatMap((x) => [box[1], box[3]].map((y) => b * x + d * y + f));
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  };
  return lines.map((words) => {
    const kept = words
      // Braces never occur in these letters: they are parentheses misread (same length, spans hold).
      .map((w) => ({
        ...w,
        text: w.text
          .replace(/^[|_]+|[|_]+$/g, '')
          .replace(/\{/g, '(')
          .replace(/\}/g, ')'),
      }))
      .filter((w) => w.text !== '' && !RULE_JUNK.test(w.text));
    const boxes = kept.map((w) => toPage(w.box));
    const lineHeight = Math.max(1, ...kept.map((w) => (w.box[3] - w.box[1]) * Math.hypot(c, d)));
    return kept.map((w, i) => ({
      text: w.text,
      box: boxes[i]!,
      size: lineHeight,
      confidence: w.confidence,
    }));
  });
}

function lineBox(line: Piece[]): [number, number, number, number] {
  return [
    Math.min(...line.map((p) => p.box[0])),
    Math.min(...line.map((p) => p.box[1])),
    Math.max(...line.map((p) => p.box[2])),
    Math.max(...line.map((p) => p.box[3])),
  ];
}

/**
 * OCR may read a table row as separate lines, one per column ("Case Number:" / "CM16-..."). Lines side by
 * side (overlapping vertically, apart horizontally) are one row: merge them, then order rows top-down.
 */
export function mergeSideBySide(lines: Piece[][]): Piece[][] {
  const rows = lines.filter((l) => l.length > 0).map((l) => ({ pieces: [...l], box: lineBox(l) }));
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      const overlap = Math.min(a.box[3], b.box[3]) - Math.max(a.box[1], b.box[1]);
      const smaller = Math.min(a.box[3] - a.box[1], b.box[3] - b.box[1]);
      const apart = a.box[2] <= b.box[0] || b.box[2] <= a.box[0];
      if (smaller > 0 && overlap / smaller >= 0.5 && apart) {
        a.pieces = [...a.pieces, ...b.pieces].sort((p, q) => p.box[0] - q.box[0]);
        a.box = lineBox(a.pieces);
        rows.splice(j, 1);
        j = i;
      }
    }
  }
  return rows.sort((a, b) => (a.box[1] + a.box[3]) / 2 - (b.box[1] + b.box[3]) / 2).map((r) => r.pieces);
}

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
  const { limits, ocrMode, dpi, onPage } = options;
  const pages = await withPdfDocument(bytes, { limits }, async (doc) => {
    const out: TextPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
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

/**
 * Extract stage: PDF bytes to the stored text model of every page. Each page is read from its text layer
 * when that is usable, and OCR'd otherwise (or always/never, as asked). The pdf.js half runs through
 * `options.reader` when given (a thread with limits), else here.
 */
export async function extractText(
  bytes: Uint8Array,
  options: ExtractOptions = { limits: DEFAULT_LIMITS },
): Promise<TextDocument> {
  const ocr = options.ocr;
  const engine = ocr?.engine ?? null;
  const readOptions = {
    limits: options.limits,
    ocrMode: engine ? (ocr?.mode ?? 'never') : 'never',
    dpi: ocr?.dpi ?? 300,
    ...(ocr?.prep ? { prep: ocr.prep } : {}),
  } as const;
  const reading = options.reader
    ? await options.reader.read(bytes, readOptions)
    : await readPdf(bytes, readOptions);
  const pages = reading.pages;
  if (reading.images.length > 0 && engine && ocr) {
    await options.onOcrStart?.();
    // Pages go to the pool together so one letter uses every OCR worker.
    const done = await Promise.all(
      reading.images.map(async ({ page, image }) => {
        const p = pages[page - 1]!;
        const lines = await engine.recognize(image, { timeoutMs: ocr.timeoutMs });
        const pieces = mergeSideBySide(ocrLinesToPieces(lines, image, p.width, p.height));
        return buildTextPageFromLines(p.page, p.width, p.height, 'ocr', pieces);
      }),
    );
    for (const page of done) pages[page.page - 1] = page;
  }
  if (!pages.some(hasUsableText)) {
    throw new StageError(
      'no_text',
      reading.images.length > 0
        ? 'no text found on any page, by text layer or OCR'
        : 'no page has a usable text layer, and OCR is off (imr extract --ocr auto)',
    );
  }
  return { pages };
}
