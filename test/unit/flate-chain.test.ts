import { describe, expect, it } from 'vitest';
import { StageError } from '../../src/pipeline/errors.js';
import { DEFAULT_LIMITS } from '../../src/pipeline/extract/extract-text.js';
import { checkInflatedSize, withPdfDocument } from '../../src/pipeline/extract/pdf-document.js';
import { chainedFlateBombPdf, decompressionBombPdf } from '../helpers/bad-inputs.js';

const MIB = 2 ** 20;

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof StageError ? err.code : `not a StageError: ${String(err)}`),
  );

/** The page's text as pdf.js reads it, under the given inflate limit. */
function readText(bytes: Uint8Array, maxInflatedBytes: number): Promise<string> {
  return withPdfDocument(bytes, { limits: { ...DEFAULT_LIMITS, maxInflatedBytes } }, async (doc) => {
    const content = await (await doc.getPage(1)).getTextContent();
    return content.items.map((i) => ('str' in i ? i.str : '')).join('');
  });
}

/** A bomb whose zlib header says a 64K window: invalid for zlib, but pdf.js ignores the window size. */
function wideWindowBomb(inflatedBytes: number): Uint8Array {
  const bytes = new Uint8Array(decompressionBombPdf(inflatedBytes).bytes);
  const at = Buffer.from(bytes).indexOf(Buffer.from([0x78, 0xda]));
  if (at < 0) throw new Error('no zlib header in the bomb');
  bytes.set([0x88, 0x1c], at); // CMF 0x88 (deflate, 2^16 window), FLG with a valid check
  return bytes;
}

describe('nested Flate filters are bounded', () => {
  it('a chain of two Flate layers is a real bomb to pdf.js: it reads the page through both', async () => {
    expect(await readText(chainedFlateBombPdf(MIB).bytes, 8 * MIB)).toBe('Nothing to see here.');
  });

  it('refuses a chained bomb of a few KB (too small for one layer to reach the limit) with memory_limit', async () => {
    const { bytes } = chainedFlateBombPdf(64 * MIB);
    expect(bytes.byteLength * 1100).toBeLessThan(32 * MIB);
    expect(() => checkInflatedSize(bytes, 32 * MIB)).toThrow(/inflate to more than 32 MB/);
    expect(await codeOf(readText(bytes, 32 * MIB))).toBe('memory_limit');
  });

  it('counts every layer of the chain against the limit', () => {
    const { bytes } = chainedFlateBombPdf(20 * MIB);
    // The second layer alone (20 MiB) is not over 20 MiB; with the first layer's bytes it is.
    expect(() => checkInflatedSize(bytes, 20 * MIB)).toThrow(StageError);
    expect(() => checkInflatedSize(bytes, 21 * MIB)).not.toThrow();
  });

  it('refuses a bomb whose zlib header pdf.js accepts and zlib would not (a 64K window)', async () => {
    const bytes = wideWindowBomb(8 * MIB);
    expect(await readText(wideWindowBomb(MIB), 4 * MIB)).toBe('Nothing to see here.');
    expect(await codeOf(readText(bytes, 4 * MIB))).toBe('memory_limit');
  });

  it('refuses a bomb cut short before its end (pdf.js inflates up to the cut)', () => {
    const bomb = Buffer.from(decompressionBombPdf(8 * MIB).bytes);
    const start = bomb.indexOf('stream\n') + 7;
    const end = bomb.indexOf('endstream');
    // The first 70% of the deflate data: no closing block, no checksum; still over 5 MiB of output.
    const cut = Buffer.concat([
      bomb.subarray(0, start + Math.floor((end - start) * 0.7)),
      bomb.subarray(end),
    ]);
    expect(() => checkInflatedSize(cut, 4 * MIB)).toThrow(/inflate to more than 4 MB/);
  });
});
