import { describe, expect, it } from 'vitest';
import type { Box } from '../../schemas/text.js';
import { boxOfSpan, buildTextPage, type Piece } from '../../src/pipeline/extract/lines.js';
import { docLines } from '../../src/pipeline/parse/doc-lines.js';
import { readHeaderTable } from '../../src/pipeline/parse/header-table.js';

/** A piece at (x, baseline) in 11pt text, 5.5pt per character. */
function piece(text: string, x: number, baseline: number, confidence = 1): Piece {
  const box: Box = [x, baseline - 9, x + text.length * 5.5, baseline + 2];
  return { text, box, size: 11, confidence };
}

describe('buildTextPage', () => {
  it('orders pieces into lines by position, whatever order they come in', () => {
    const page = buildTextPage(1, 612, 792, 'text-layer', [
      piece('world', 110, 100),
      piece('second line', 72, 113),
      piece('hello', 72, 100),
    ]);
    expect(page.text).toBe('hello world\nsecond line');
    expect(page.lines).toHaveLength(2);
  });

  it('keeps a column gap as two spaces and a paragraph gap as an empty line', () => {
    const page = buildTextPage(1, 612, 792, 'text-layer', [
      piece('Priority:', 72, 100),
      piece('Standard', 180, 100),
      piece('Next paragraph', 72, 140),
    ]);
    expect(page.text).toBe('Priority:  Standard\n\nNext paragraph');
  });

  it('gives a box for any character span, interpolated inside a piece', () => {
    const page = buildTextPage(1, 612, 792, 'text-layer', [piece('abcdefghij', 100, 100)]);
    const box = boxOfSpan(page, 2, 4)!;
    expect(box[0]).toBeCloseTo(111);
    expect(box[2]).toBeCloseTo(122);
  });
});

describe('readHeaderTable', () => {
  it('pairs two-column labels with their values by position, with a label split over two lines', () => {
    const page = buildTextPage(1, 612, 792, 'text-layer', [
      // Given in the order a careless extractor prints them: labels first, values after.
      piece('Case Number:', 72, 100),
      piece('Date Assigned:', 72, 113),
      piece('Date of Injury:', 329, 113),
      piece('Priority:', 72, 126),
      piece('Application', 329, 126),
      piece('Received:', 329, 139),
      piece('CM16-0000001', 179, 100),
      piece('01/02/2016', 179, 113),
      piece('03/04/2015', 427, 113),
      piece('Standard', 179, 126),
      piece('12/11/2015', 427, 126),
    ]);
    const header = readHeaderTable(docLines({ pages: [page] }));
    expect(Object.fromEntries(Object.entries(header).map(([k, v]) => [k, v?.text]))).toEqual({
      caseNumber: 'CM16-0000001',
      dateAssigned: '01/02/2016',
      injuryDate: '03/04/2015',
      priority: 'Standard',
      applicationReceived: '12/11/2015',
    });
    // The value keeps its place on the page.
    expect(header.injuryDate?.run.pages[0]).toBe(1);
  });
});
