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
  // pdf.js loads only where it runs: a process whose reading happens in PDF threads never loads it.
  const reading = options.reader
    ? await options.reader.read(bytes, readOptions)
    : await (await import('./read-pdf.js')).readPdf(bytes, readOptions);
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
