import type { Box, TextLine, TextPage, TextSegment, TextSource } from '../../../schemas/text.js';

/** A positioned piece of text from either path: a pdf.js text item or an OCR word. */
export interface Piece {
  text: string;
  box: Box;
  /** Font size (text layer) or word height (OCR), in points. */
  size: number;
  confidence: number;
  /** Whether the source had white space right after this piece (pdf.js keeps it in the item). */
  spaceAfter?: boolean;
}

/** Gap (in font sizes) above which a gap inside a line is a column break, kept as two spaces. */
const WIDE_GAP = 1.2;
/** Gap (in font sizes) above which two pieces are separate words. */
const WORD_GAP = 0.12;

function normalise(text: string): string {
  // NFKC folds ligatures (ﬁ) and full-width forms; the control characters some PDFs emit become spaces.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.normalize('NFKC').replace(/[\u0000-\u001f\u00a0\u2000-\u200b]/g, ' ');
}

/** Boxes are kept to 0.01 pt: finer than any renderer, and stable in stored JSON. */
function roundBox(box: Box): Box {
  return box.map((v) => Math.round(v * 100) / 100) as Box;
}

function verticalOverlap(a: Box, b: Box): number {
  const top = Math.max(a[1], b[1]);
  const bottom = Math.min(a[3], b[3]);
  const smaller = Math.min(a[3] - a[1], b[3] - b[1]);
  return smaller <= 0 ? 0 : (bottom - top) / smaller;
}

/** Groups pieces into lines by vertical overlap, top to bottom, each line left to right. */
export function groupLines(pieces: Piece[]): Piece[][] {
  const sorted = pieces
    .filter((p) => p.text.trim() !== '' && p.box[2] >= p.box[0])
    .sort((a, b) => (a.box[1] + a.box[3]) / 2 - (b.box[1] + b.box[3]) / 2);
  const lines: { box: Box; pieces: Piece[] }[] = [];
  for (const piece of sorted) {
    // Only the last few lines can still overlap a piece that is sorted by its vertical centre.
    let target: { box: Box; pieces: Piece[] } | undefined;
    for (let i = lines.length - 1; i >= Math.max(0, lines.length - 3); i--) {
      const line = lines[i]!;
      if (verticalOverlap(line.box, piece.box) >= 0.5) {
        target = line;
        break;
      }
    }
    if (target) {
      target.pieces.push(piece);
      target.box = [
        Math.min(target.box[0], piece.box[0]),
        Math.min(target.box[1], piece.box[1]),
        Math.max(target.box[2], piece.box[2]),
        Math.max(target.box[3], piece.box[3]),
      ];
    } else {
      lines.push({ box: [...piece.box], pieces: [piece] });
    }
  }
  return lines
    .sort((a, b) => a.box[1] - b.box[1])
    .map((line) => line.pieces.sort((a, b) => a.box[0] - b.box[0]));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
}

/** Line pitch (centre to centre) above which two lines are separate paragraphs, in line heights. */
const PARAGRAPH_PITCH = 1.85;

/** Builds the stored page model from positioned pieces (text layer): lines grouped by position. */
export function buildTextPage(
  page: number,
  width: number,
  height: number,
  source: TextSource,
  pieces: Piece[],
): TextPage {
  return buildTextPageFromLines(page, width, height, source, groupLines(pieces));
}

/**
 * Builds the stored page model from lines of pieces (OCR gives its own lines): text with "\n" between
 * lines and an empty line at a paragraph break, and a box for every segment. Paragraph breaks come from
 * the pitch between line centres, which a slightly rotated scan leaves intact.
 */
export function buildTextPageFromLines(
  page: number,
  width: number,
  height: number,
  source: TextSource,
  pieceLines: Piece[][],
): TextPage {
  const kept = pieceLines
    .map((line) => line.filter((p) => p.text.trim() !== ''))
    .filter((line) => line.length > 0);
  const centre = (line: Piece[]) => median(line.map((p) => (p.box[1] + p.box[3]) / 2));
  const lineHeight = median(kept.map((line) => Math.max(...line.map((p) => p.box[3] - p.box[1]))));
  let text = '';
  const lines: TextLine[] = [];
  let prevCentre: number | undefined;
  for (const linePieces of kept) {
    if (lines.length > 0) text += '\n';
    const c = centre(linePieces);
    if (prevCentre !== undefined && c - prevCentre > PARAGRAPH_PITCH * lineHeight) text += '\n';
    prevCentre = c;
    const lineStart = text.length;
    const segments: TextSegment[] = [];
    let prev: Piece | undefined;
    for (const piece of linePieces) {
      const raw = normalise(piece.text);
      const leadingSpace = /^\s/.test(raw);
      const body = raw.trim().replace(/\s+/g, ' ');
      if (body === '') continue;
      if (prev) {
        const gap = piece.box[0] - prev.box[2];
        const size = Math.max(1, Math.min(prev.size, piece.size));
        if (gap > WIDE_GAP * size) text += '  ';
        else if (gap > WORD_GAP * size || prev.spaceAfter || leadingSpace) text += ' ';
      }
      const start = text.length;
      text += body;
      segments.push({ start, end: text.length, box: roundBox(piece.box), confidence: piece.confidence });
      prev = { ...piece, spaceAfter: piece.spaceAfter || /\s$/.test(raw) };
    }
    const box: Box = [
      Math.min(...segments.map((s) => s.box[0])),
      Math.min(...segments.map((s) => s.box[1])),
      Math.max(...segments.map((s) => s.box[2])),
      Math.max(...segments.map((s) => s.box[3])),
    ];
    lines.push({ start: lineStart, end: text.length, box, segments });
  }
  return { page, width, height, source, text, lines };
}

/** The box of characters [start, end) of a page's text, interpolated inside segments. */
export function boxOfSpan(page: TextPage, start: number, end: number): Box | undefined {
  let box: Box | undefined;
  for (const line of page.lines) {
    if (line.end <= start || line.start >= end) continue;
    for (const seg of line.segments) {
      if (seg.end <= start || seg.start >= end) continue;
      const len = Math.max(1, seg.end - seg.start);
      const from = Math.max(start, seg.start) - seg.start;
      const to = Math.min(end, seg.end) - seg.start;
      const w = seg.box[2] - seg.box[0];
      const part: Box = [seg.box[0] + (w * from) / len, seg.box[1], seg.box[0] + (w * to) / len, seg.box[3]];
      box = box
        ? [
            Math.min(box[0], part[0]),
            Math.min(box[1], part[1]),
            Math.max(box[2], part[2]),
            Math.max(box[3], part[3]),
          ]
        : part;
    }
  }
  return box;
}

/** The lowest confidence of the segments under characters [start, end) of a page. */
export function confidenceOfSpan(page: TextPage, start: number, end: number): number {
  let confidence = 1;
  for (const line of page.lines) {
    if (line.end <= start || line.start >= end) continue;
    for (const seg of line.segments) {
      if (seg.end > start && seg.start < end) confidence = Math.min(confidence, seg.confidence);
    }
  }
  return confidence;
}
