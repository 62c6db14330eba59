import type { PageImage } from './page-image.js';

/** A recognised word: text, box in image pixels [x0, y0, x1, y1], confidence 0..1. */
export interface OcrWord {
  text: string;
  box: [number, number, number, number];
  confidence: number;
}

/** Words of one text line as the engine found them, left to right. */
export type OcrLine = OcrWord[];

/** What the extract stage needs from an OCR engine; the tesseract.js pool is the one implementation. */
export interface OcrEngine {
  recognize(image: PageImage, options: { timeoutMs: number }): Promise<OcrLine[]>;
  close(): Promise<void>;
}

/**
 * Reads tesseract's TSV output (level 4 = line, level 5 = word) into lines of words. TSV is as cheap to
 * produce as plain text and carries the word boxes and confidences.
 */
export function parseTesseractTsv(tsv: string): OcrLine[] {
  const lines = new Map<string, OcrLine>();
  for (const row of tsv.split('\n')) {
    const c = row.split('\t');
    if (c.length < 12 || c[0] !== '5') continue;
    const text = c.slice(11).join('\t').trim();
    if (text === '') continue;
    const [left, top, width, height] = [c[6], c[7], c[8], c[9]].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const key = `${c[1]}.${c[2]}.${c[3]}.${c[4]}`;
    const line = lines.get(key) ?? [];
    lines.set(key, line);
    line.push({
      text,
      box: [left, top, left + width, top + height],
      confidence: Math.max(0, Math.min(1, Number(c[10]) / 100)),
    });
  }
  return [...lines.values()];
}
