import { describe, expect, it } from 'vitest';
import { mergeSideBySide, ocrLinesToPieces } from '../../src/pipeline/extract/extract-text.js';
import { buildTextPageFromLines, type Piece } from '../../src/pipeline/extract/lines.js';
import { parseTesseractTsv } from '../../src/pipeline/extract/ocr-engine.js';

const piece = (text: string, x0: number, y0: number): Piece => ({
  text,
  box: [x0, y0, x0 + text.length * 6, y0 + 11],
  size: 11,
  confidence: 0.9,
});

describe('OCR line model', () => {
  it('reads tesseract TSV words into lines with boxes and 0..1 confidences', () => {
    const tsv = [
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext',
      '4\t1\t1\t1\t1\t0\t10\t20\t200\t30\t-1\t',
      '5\t1\t1\t1\t1\t1\t10\t20\t80\t30\t96.5\tCase',
      '5\t1\t1\t1\t1\t2\t100\t20\t110\t30\t91\tNumber:',
      '5\t1\t1\t1\t2\t1\t10\t60\t50\t30\t42\tUphe1d',
    ].join('\n');
    const lines = parseTesseractTsv(tsv);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.map((w) => w.text)).toEqual(['Case', 'Number:']);
    expect(lines[0]![1]!.box).toEqual([100, 20, 210, 50]);
    expect(lines[1]![0]!.confidence).toBeCloseTo(0.42);
  });

  it('merges a table row read column by column back into one line', () => {
    const rows = mergeSideBySide([
      [piece('Case', 72, 100), piece('Number:', 100, 100)],
      [piece('Priority:', 72, 126)],
      [piece('CM16-0000001', 180, 101)],
      [piece('Standard', 180, 127)],
    ]);
    expect(rows.map((r) => r.map((p) => p.text).join(' '))).toEqual([
      'Case Number: CM16-0000001',
      'Priority: Standard',
    ]);
  });

  it('drops table rules and scales pixels to points', () => {
    const [line] = ocrLinesToPieces(
      [
        [
          { text: '|', box: [0, 0, 4, 40], confidence: 0.3 },
          { text: 'Upheld|', box: [100, 0, 300, 40], confidence: 0.9 },
        ],
      ],
      { bytes: new Uint8Array(), format: 'pgm', width: 1000, height: 1000 },
      500,
      500,
    );
    expect(line!.map((p) => p.text)).toEqual(['Upheld']);
    expect(line![0]!.box).toEqual([50, 0, 150, 20]);
  });

  it('finds paragraph breaks from line pitch, not box gaps', () => {
    const page = buildTextPageFromLines(1, 612, 792, 'ocr', [
      [piece('one', 72, 100)],
      [piece('two', 72, 114)],
      [piece('three', 72, 142)],
    ]);
    expect(page.text).toBe('one\ntwo\n\nthree');
  });
});
