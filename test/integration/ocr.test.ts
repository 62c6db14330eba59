import { readdirSync, readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreRecords, totals } from '../../src/bench/score.js';
import { StageError } from '../../src/pipeline/errors.js';
import { DEFAULT_LIMITS, extractText } from '../../src/pipeline/extract/extract-text.js';
import { embeddedJpegs, toPgm } from '../../src/pipeline/extract/page-image.js';
import { TesseractPool } from '../../src/pipeline/extract/tesseract-pool.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { DEFAULT_SCAN, scanPdf } from '../../src/synth/scan.js';

// Real tesseract.js workers from the npm package's model: no network, one pool for the file.
const pool = new TesseractPool({ size: 2 });
afterAll(() => pool.close());
const ocr = (mode: 'auto' | 'always' | 'never') => ({
  limits: DEFAULT_LIMITS,
  ocr: { mode, engine: pool, dpi: 300, timeoutMs: 120_000 },
});

describe('OCR of scanned letters', () => {
  it('reads a scanned letter as its text-layer original', async () => {
    const { label, pdf } = await generateLetterPdf(31, { layout: 'fdl-2016', items: 3 });
    const scan = await scanPdf(pdf, { ...DEFAULT_SCAN, seed: 5 });
    const jpegs = await embeddedJpegs(scan);
    const pages = (await PDFDocument.load(scan)).getPageCount();
    expect(jpegs.size).toBe(pages);

    const { record, text } = await processPdf('scan.pdf', scan, ocr('auto'));
    expect(record.status).not.toBe('failed');
    expect(record.textSource).toBe('ocr');
    expect(text!.pages.every((p) => p.source === 'ocr')).toBe(true);
    expect(record.caseNumber).toBe(label.caseNumber);
    expect(record.items.map((i) => i.decision)).toEqual(label.items.map((i) => i.decision));
    const score = scoreRecords([{ file: 'scan', label, record }]);
    expect(totals(score).accuracy).toBeGreaterThanOrEqual(0.9);
    // Confidences come from the OCR words a field was read from.
    const p = record.provenance.caseNumber!;
    expect(p.confidence).toBeGreaterThan(0.5);
    expect(p.confidence).toBeLessThan(1);
  });

  it('OCRs only the pages without a text layer, and says so per page', async () => {
    const { pdf } = await generateLetterPdf(77, { layout: 'fdl-2016', items: 8 });
    const original = await PDFDocument.load(pdf);
    expect(original.getPageCount()).toBeGreaterThan(1);
    const scanned = await PDFDocument.load(await scanPdf(pdf, { ...DEFAULT_SCAN, seed: 9 }));
    const mixed = await PDFDocument.create();
    const [first] = await mixed.copyPages(original, [0]);
    mixed.addPage(first!);
    const rest = await mixed.copyPages(
      scanned,
      scanned.getPageIndices().filter((i) => i > 0),
    );
    for (const page of rest) mixed.addPage(page);
    const doc = await extractText(await mixed.save(), ocr('auto'));
    expect(doc.pages.map((p) => p.source)).toEqual(['text-layer', ...rest.map(() => 'ocr')]);
    const { record } = await processPdf('mixed.pdf', await mixed.save(), ocr('auto'));
    expect(record.textSource).toBe('mixed');
  });

  it('fails a scan with no_text when OCR is off', async () => {
    const { pdf } = await generateLetterPdf(5, { layout: 'fdl-2015', items: 1 });
    const { record } = await processPdf('scan.pdf', await scanPdf(pdf), ocr('never'));
    expect(record.error?.code).toBe('no_text');
  });

  it('replaces a worker after recyclePages pages, reading on', async () => {
    const blank = toPgm({ width: 64, height: 64, data: new Uint8Array(64 * 64).fill(255) }, 200);
    const recycling = new TesseractPool({ size: 1, recyclePages: 2 });
    try {
      for (let i = 0; i < 3; i++)
        expect(await recycling.recognize(blank, { timeoutMs: 120_000 })).toEqual([]);
      expect(recycling.workersStarted).toBe(2);
    } finally {
      await recycling.close();
    }
  });

  it('runs its threads at the nice it was given (below the job threads), and reads as well', async () => {
    const blank = toPgm({ width: 64, height: 64, data: new Uint8Array(64 * 64).fill(255) }, 200);
    // Field 19 of /proc/self/task/<tid>/stat is the thread's nice.
    const niceThreads = () =>
      readdirSync('/proc/self/task')
        .map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        })
        .filter((n) => n !== 0);
    const before = niceThreads();
    const nice = new TesseractPool({ size: 1, nice: 7 });
    try {
      expect(await nice.recognize(blank, { timeoutMs: 120_000 })).toEqual([]);
      expect(niceThreads()).toEqual([...before, 7]);
    } finally {
      await nice.close();
    }
  });

  it('gives up on a page at its timeout and keeps the pool working', async () => {
    const { pdf } = await generateLetterPdf(6, { layout: 'fdl-2016', items: 1 });
    const scan = await scanPdf(pdf);
    const [image] = (await embeddedJpegs(scan)).values();
    const err = await pool.recognize(image!, { timeoutMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect((err as StageError).code).toBe('ocr_timeout');
    const lines = await pool.recognize(image!, { timeoutMs: 120_000 });
    expect(lines.flat().some((w) => /Upheld|Overturned/.test(w.text))).toBe(true);
  });
});
