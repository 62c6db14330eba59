import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import type { TextPage } from '../../../schemas/text.js';
import { buildTextPage, type Piece } from './lines.js';
import { type PDFPageProxy, Util } from './pdfjs.js';

function isTextItem(item: unknown): item is TextItem {
  return typeof item === 'object' && item !== null && 'str' in item && 'transform' in item;
}

/** Reads one page's text layer into positioned pieces (top-left origin, points). */
export async function readTextLayerPieces(page: PDFPageProxy): Promise<Piece[]> {
  const viewport = page.getViewport({ scale: 1 });
  const content = await page.getTextContent({ disableNormalization: false });
  const pieces: Piece[] = [];
  for (const item of content.items) {
    if (!isTextItem(item) || item.str.trim() === '') continue;
    const m = Util.transform(viewport.transform, item.transform);
    const size = Math.hypot(m[2]!, m[3]!);
    if (!(size > 0)) continue;
    const x = m[4]!;
    const baseline = m[5]!;
    // Horizontal text only: rotated runs keep their origin but get a nominal width.
    const width =
      Math.abs(m[0]!) > Math.abs(m[1]!) ? item.width * viewport.scale : size * item.str.length * 0.5;
    pieces.push({
      text: item.str,
      box: [x, baseline - 0.8 * size, x + width, baseline + 0.2 * size],
      size,
      confidence: 1,
      spaceAfter: item.hasEOL,
    });
  }
  return pieces;
}

export async function extractTextLayerPage(page: PDFPageProxy): Promise<TextPage> {
  const viewport = page.getViewport({ scale: 1 });
  const pieces = await readTextLayerPieces(page);
  return buildTextPage(page.pageNumber, viewport.width, viewport.height, 'text-layer', pieces);
}
