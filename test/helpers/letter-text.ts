import type { Box, TextDocument, TextSource } from '../../schemas/text.js';
import { buildTextPage, type Piece } from '../../src/pipeline/extract/lines.js';

/**
 * A page model from plain text (pages split at form feeds), one piece per column cell, as the extract
 * stage would store it: parsing and validation can then run on edited letter text without a PDF.
 */
export function docFromText(
  text: string,
  opts: { confidence?: number; source?: TextSource } = {},
): TextDocument {
  const pages = text.split('\f').map((pageText, n) => {
    const pieces: Piece[] = [];
    let y = 72;
    for (const line of pageText.split('\n')) {
      y += 14;
      for (const m of line.matchAll(/\S+(?: \S+)*/g)) {
        const x = 72 + m.index * 5;
        const box: Box = [x, y - 10, x + m[0].length * 5, y + 2];
        pieces.push({ text: m[0], box, size: 12, confidence: opts.confidence ?? 1 });
      }
    }
    return buildTextPage(n + 1, 612, 792, opts.source ?? 'text-layer', pieces);
  });
  return { pages };
}
