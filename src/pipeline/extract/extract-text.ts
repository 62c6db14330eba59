import type { TextDocument, TextPage } from '../../../schemas/text.js';
import { StageError } from '../errors.js';
import { buildTextPageFromLines, type Piece } from './lines.js';
import type { OcrEngine, OcrLine } from './ocr-engine.js';
import type { PageImage } from './page-image.js';
import type { PdfLimits } from './pdf-document.js';
import type { PdfReader } from './read-pdf.js';
import type { PrepOptions } from './scan-prep.js';

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

/** The pages OCR should read: those without a usable text layer (auto), every one (always), none (never). */
export function pagesForOcr(pages: readonly TextPage[], mode: OcrMode): number[] {
  if (mode === 'never') return [];
  return pages.filter((p) => mode === 'always' || !hasUsableText(p)).map((p) => p.page);
}

/** The OCR mode this process reads with: none without an engine. */
function ocrModeOf(options: ExtractOptions): OcrMode {
  return options.ocr?.engine ? options.ocr.mode : 'never';
}

function readOptionsOf(options: ExtractOptions, ocrMode: OcrMode, only?: readonly number[]) {
  const ocr = options.ocr;
  return {
    limits: options.limits,
    ocrMode,
    dpi: ocr?.dpi ?? 300,
    ...(ocr?.prep ? { prep: ocr.prep } : {}),
    ...(only ? { only } : {}),
  } as const;
}

async function read(
  bytes: Uint8Array,
  options: ExtractOptions,
  readOptions: ReturnType<typeof readOptionsOf>,
) {
  // pdf.js loads only where it runs: a process whose reading happens in PDF threads never loads it.
  return options.reader
    ? options.reader.read(bytes, readOptions)
    : (await import('./read-pdf.js')).readPdf(bytes, readOptions);
}

/** One page image through the engine, as that page's text model (boxes mapped back to the page). */
async function recognizePage(
  engine: OcrEngine,
  image: PageImage,
  page: TextPage,
  timeoutMs: number,
): Promise<TextPage> {
  const lines = await engine.recognize(image, { timeoutMs });
  const pieces = mergeSideBySide(ocrLinesToPieces(lines, image, page.width, page.height));
  return buildTextPageFromLines(page.page, page.width, page.height, 'ocr', pieces);
}

/** A letter needs some text: when no page has any, it fails with `no_text`. */
export function requireText(pages: TextPage[], ocrTried: boolean): TextDocument {
  if (!pages.some(hasUsableText)) {
    throw new StageError(
      'no_text',
      ocrTried
        ? 'no text found on any page, by text layer or OCR'
        : 'no page has a usable text layer, and OCR is off (imr extract --ocr auto)',
    );
  }
  return { pages };
}

/**
 * The first half of the pipeline's extract stage: every page's text layer, and the pages OCR should read
 * (each then becomes an OCR page job, see `ocrPage`). No OCR, no rendering: a scan costs what a text
 * letter costs here. A document without text and without pages to OCR fails (`no_text`).
 */
export async function readTextLayer(
  bytes: Uint8Array,
  options: ExtractOptions = { limits: DEFAULT_LIMITS },
): Promise<{ text: TextDocument; ocrPages: number[] }> {
  const reading = await read(bytes, options, readOptionsOf(options, 'never'));
  const ocrPages = pagesForOcr(reading.pages, ocrModeOf(options));
  if (ocrPages.length === 0) return { text: requireText(reading.pages, false), ocrPages };
  return { text: { pages: reading.pages }, ocrPages };
}

/**
 * An OCR page job: one page of a document rendered (or its stored scan prepared) and read by the engine.
 * Errors the file causes are StageErrors (page_too_large, ocr_timeout, ...), as in `extractText`.
 */
export async function ocrPage(bytes: Uint8Array, page: number, options: ExtractOptions): Promise<TextPage> {
  const engine = options.ocr?.engine;
  if (!engine || !options.ocr) throw new Error('ocrPage: this process has no OCR engine');
  const reading = await read(bytes, options, readOptionsOf(options, 'always', [page]));
  const textPage = reading.pages.find((p) => p.page === page);
  const image = reading.images.find((i) => i.page === page)?.image;
  if (!textPage || !image) {
    throw new StageError('corrupt_pdf', `page ${page} is not in this document (it has fewer pages)`);
  }
  return recognizePage(engine, image, textPage, options.ocr.timeoutMs);
}

/**
 * PDF bytes to the stored text model of every page, in this process (`imr extract`, tests, benches): each
 * page from its text layer when that is usable, OCR'd otherwise (or always/never, as asked). The pdf.js
 * half runs through `options.reader` when given (a thread with limits), else here. The pipeline splits the
 * same work into `readTextLayer` and one `ocrPage` job per page.
 */
export async function extractText(
  bytes: Uint8Array,
  options: ExtractOptions = { limits: DEFAULT_LIMITS },
): Promise<TextDocument> {
  const ocr = options.ocr;
  const engine = ocr?.engine ?? null;
  const reading = await read(bytes, options, readOptionsOf(options, ocrModeOf(options)));
  const pages = reading.pages;
  if (reading.images.length > 0 && engine && ocr) {
    await options.onOcrStart?.();
    // Pages go to the pool together so one letter uses every OCR worker.
    const done = await Promise.all(
      reading.images.map(({ page, image }) => recognizePage(engine, image, pages[page - 1]!, ocr.timeoutMs)),
    );
    for (const page of done) pages[page.page - 1] = page;
  }
  return requireText(pages, reading.images.length > 0);
}
