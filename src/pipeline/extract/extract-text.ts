import type { TextDocument, TextPage } from '../../../schemas/text.js';
import { StageError } from '../errors.js';
import { buildTextPageFromLines, type Piece } from './lines.js';
import type { OcrEngine, OcrLine } from './ocr-engine.js';
import { embeddedJpegs, ocrReady, type PageImage, renderPageGray, toPgm } from './page-image.js';
import { type PdfLimits, withPdfDocument } from './pdf-document.js';
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
}

export interface ExtractOptions {
  limits: PdfLimits;
  ocr?: OcrOptions;
  /** Called once before OCR starts (the slow part), e.g. to show the document as extracting. */
  onOcrStart?: () => Promise<void>;
}

export const DEFAULT_LIMITS: PdfLimits = { maxPages: 200 };

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
  const sx = pageWidth / image.width;
  const sy = pageHeight / image.height;
  return lines.map((words) => {
    const kept = words
      .map((w) => ({ ...w, text: w.text.replace(/^[|_]+|[|_]+$/g, '') }))
      .filter((w) => w.text !== '' && !RULE_JUNK.test(w.text));
    const lineHeight = Math.max(1, ...kept.map((w) => (w.box[3] - w.box[1]) * sy));
    return kept.map((w) => ({
      text: w.text,
      box: [w.box[0] * sx, w.box[1] * sy, w.box[2] * sx, w.box[3] * sy],
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

async function ocrPages(
  bytes: Uint8Array,
  limits: PdfLimits,
  ocr: OcrOptions & { engine: OcrEngine },
  wanted: TextPage[],
): Promise<TextPage[]> {
  // A scanned page is usually one JPEG: hand it to OCR as stored. Others are rendered.
  const jpegs = await embeddedJpegs(bytes);
  const images = new Map<number, PageImage>();
  const toRender = wanted.filter((p) => !jpegs.has(p.page));
  for (const p of wanted) {
    const jpeg = jpegs.get(p.page);
    if (jpeg) images.set(p.page, { ...jpeg, dpi: Math.round((jpeg.width * 72) / p.width) });
  }
  if (toRender.length > 0) {
    await withPdfDocument(bytes, { limits, render: true }, async (doc) => {
      for (const p of toRender) {
        const page = await doc.getPage(p.page);
        try {
          images.set(p.page, toPgm(await renderPageGray(page, ocr.dpi), ocr.dpi));
        } finally {
          page.cleanup();
        }
      }
    });
  }
  // Pages go to the pool together so one letter uses every OCR worker.
  return Promise.all(
    wanted.map(async (p) => {
      const image = images.get(p.page)!;
      const lines = await ocr.engine.recognize(await ocrReady(image), { timeoutMs: ocr.timeoutMs });
      const pieces = mergeSideBySide(ocrLinesToPieces(lines, image, p.width, p.height));
      return buildTextPageFromLines(p.page, p.width, p.height, 'ocr', pieces);
    }),
  );
}

/**
 * Extract stage: PDF bytes to the stored text model of every page. Each page is read from its text layer
 * when that is usable, and OCR'd otherwise (or always/never, as asked).
 */
export async function extractText(
  bytes: Uint8Array,
  options: ExtractOptions = { limits: DEFAULT_LIMITS },
): Promise<TextDocument> {
  const pages = await withPdfDocument(bytes, { limits: options.limits }, async (doc) => {
    const out: TextPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      try {
        out.push(await extractTextLayerPage(page));
      } finally {
        page.cleanup();
      }
    }
    return out;
  });
  const ocr = options.ocr;
  const mode = ocr?.mode ?? 'never';
  const wanted = mode === 'never' ? [] : pages.filter((p) => mode === 'always' || !hasUsableText(p));
  if (wanted.length > 0 && ocr?.engine) {
    await options.onOcrStart?.();
    const done = await ocrPages(bytes, options.limits, { ...ocr, engine: ocr.engine }, wanted);
    for (const page of done) pages[page.page - 1] = page;
  }
  if (!pages.some(hasUsableText)) {
    throw new StageError(
      'no_text',
      wanted.length > 0 && ocr?.engine
        ? 'no text found on any page, by text layer or OCR'
        : 'no page has a usable text layer, and OCR is off (imr extract --ocr auto)',
    );
  }
  return { pages };
}
