import { describe, expect, it } from 'vitest';
import type { Box, TextDocument } from '../../schemas/text.js';
import { scoreRecords } from '../../src/bench/score.js';
import { buildTextPage, type Piece } from '../../src/pipeline/extract/lines.js';
import { parseDate } from '../../src/pipeline/parse/dates.js';
import { normaliseCaseNumber } from '../../src/pipeline/parse/fdl.js';
import { parseItemText } from '../../src/pipeline/parse/item-text.js';
import { recordFromText } from '../../src/pipeline/process-letter.js';
import { generateLetter } from '../../src/synth/index.js';

/** A page model from plain text as an OCR engine might produce it: one piece per column cell. */
function docFromText(text: string): TextDocument {
  const pages = text.split('\f').map((pageText, n) => {
    const pieces: Piece[] = [];
    let y = 72;
    for (const line of pageText.split('\n')) {
      y += 14;
      for (const m of line.matchAll(/\S+(?: \S+)*/g)) {
        const x = 72 + m.index * 5;
        const box: Box = [x, y - 10, x + m[0].length * 5, y + 2];
        pieces.push({ text: m[0], box, size: 12, confidence: 0.8 });
      }
    }
    return buildTextPage(n + 1, 612, 792, 'ocr', pieces);
  });
  return { pages };
}

describe('OCR confusions', () => {
  it('reads a letter whose OCR text has the usual misreadings', () => {
    const letter = generateLetter(31, { layout: 'fdl-2015', items: 2 });
    const misread = letter.text
      .replace('Case Number:', 'Case Nurnber:')
      .replace(/CM15-0/, 'CM15-O')
      .replace(/Decision Date:(\s+)0/, 'Decision Date:$1O')
      .replace(/: Upheld/, ': Uphe1d')
      .replace(/: Overturned/, '; 0verturned')
      .replace(/QTY:/g, 'OTY:')
      .replace('IMR ISSUES, DECISIONS AND RATIONALES', 'IMR ISSUES, DECISI0NS AND RATI0NALES |')
      .replace(/Claims Administrator guideline:/, 'Claims Adrninistrator guide1ine;')
      .replace(/Section\(s\):/, 'Sections):');
    expect(misread).not.toBe(letter.text);
    const record = recordFromText('ocr.pdf', '0'.repeat(64), docFromText(misread));
    const score = scoreRecords([{ file: 'ocr', label: letter.label, record }]);
    expect(score.misses).toEqual([]);
    expect(record.textSource).toBe('ocr');
  });

  it('fixes digits and spaces inside dates and case numbers', () => {
    expect(parseDate('O1/O4/2017')).toBe('2017-01-04');
    expect(parseDate('12/0 6/2016')).toBe('2016-12-06');
    expect(parseDate('l2/3l/2016')).toBe('2016-12-31');
    expect(parseDate('Standard')).toBeNull();
    expect(normaliseCaseNumber('CM16-O2293 36')).toBe('CM16-0229336');
  });

  it('reads QTY read as OTY, with letters for digits', () => {
    expect(parseItemText('Massage therapy OTY: l2').quantity).toBe(12);
    expect(parseItemText('Massage therapy 0TY 6').quantity).toBe(6);
  });
});
