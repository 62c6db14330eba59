import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { StageError } from '../../src/pipeline/errors.js';
import { DEFAULT_LIMITS } from '../../src/pipeline/extract/extract-text.js';
import { checkInflatedSize, MAX_DEFLATE_RATIO } from '../../src/pipeline/extract/pdf-document.js';
import { PdfThreads } from '../../src/pipeline/extract/pdf-threads.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { decompressionBombPdf, noiseImagePdf } from '../helpers/bad-inputs.js';

let pool: PdfThreads | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof StageError ? err.code : `not a StageError: ${String(err)}`),
  );

describe('PDF threads', { timeout: 120_000 }, () => {
  it('reads letters in a thread, and passes a bad file’s code through', async () => {
    pool = new PdfThreads(2, { pageTimeMs: 30_000, memoryMb: 512 });
    const { pdf } = await generateLetterPdf(5, { layout: 'fdl-2016' });
    const options = { limits: DEFAULT_LIMITS, ocrMode: 'never', dpi: 300 } as const;
    const [a, b] = await Promise.all([pool.read(pdf, options), pool.read(pdf, options)]);
    expect(a.pages.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    expect(await codeOf(pool.read(new Uint8Array(0), options))).toBe('empty_file');
  });

  it('stops a page over the time limit, and the next file gets a fresh thread', async () => {
    pool = new PdfThreads(1, { pageTimeMs: 50, memoryMb: 512 });
    // Rendering a full page at 600 dpi for OCR takes far longer than 50 ms.
    const slow = pool.read(noiseImagePdf().bytes, { limits: DEFAULT_LIMITS, ocrMode: 'always', dpi: 600 });
    expect(await codeOf(slow)).toBe('time_limit');
    // The stopped thread is replaced: the same pool answers the next file (a quick one, under 50 ms).
    expect(
      await codeOf(pool.read(new Uint8Array(0), { limits: DEFAULT_LIMITS, ocrMode: 'never', dpi: 300 })),
    ).toBe('empty_file');
  });

  it('refuses a file whose streams inflate past the limit, before pdf.js holds them', () => {
    const bomb = decompressionBombPdf(8 * 2 ** 20).bytes;
    expect(() => checkInflatedSize(bomb, 4 * 2 ** 20)).toThrow(/inflate to more than 4 MB/);
    expect(() => checkInflatedSize(bomb, 16 * 2 ** 20)).not.toThrow();
  });

  it('skips inflating only files too small to reach the limit: deflate expands at most MAX_DEFLATE_RATIO', () => {
    // The most compressible input there is (zeros, best compression) stays within the bound.
    const zeros = new Uint8Array(32 * 2 ** 20);
    const packed = deflateSync(zeros, { level: 9 });
    expect(packed.byteLength * MAX_DEFLATE_RATIO).toBeGreaterThanOrEqual(zeros.byteLength);
  });
});
