import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, ocrLinesToPieces } from '../../src/pipeline/extract/extract-text.js';
import { readPdf } from '../../src/pipeline/extract/read-pdf.js';
import {
  type BitImage,
  estimateSkew,
  isBilevel,
  prepareBilevel,
  removeSpecks,
  unpack1bpp,
} from '../../src/pipeline/extract/scan-prep.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { Rng } from '../../src/synth/rng.js';
import { SCAN_PROFILES, scanPdf } from '../../src/synth/scan.js';

function blank(width: number, height: number): BitImage {
  return { width, height, data: new Uint8Array(width * height) };
}

function fill(image: BitImage, x0: number, y0: number, w: number, h: number): void {
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) image.data[y * image.width + x] = 1;
}

const ink = (image: BitImage) => image.data.reduce((a, v) => a + v, 0);

/** Text-like rows of short dashes along a slope: what a skewed page of text looks like to the estimator. */
function slantedRows(width: number, height: number, slopeDeg: number): BitImage {
  const image = blank(width, height);
  const t = Math.tan((slopeDeg * Math.PI) / 180);
  for (let row = 40; row < height - 40; row += 24) {
    for (let x = 20; x < width - 20; x++) {
      if (x % 14 > 9) continue; // gaps between "letters"
      const y = Math.round(row + x * t);
      for (let dy = 0; dy < 5; dy++) if (y + dy >= 0 && y + dy < height) image.data[(y + dy) * width + x] = 1;
    }
  }
  return image;
}

describe('bilevel scan preparation', () => {
  it('unpacks pdf.js 1-bit rows (padded to bytes, set bit = white) into ink = 1', () => {
    // 10 pixels wide: two bytes per row; first row black at x = 0 and x = 9, second row all white.
    const packed = new Uint8Array([0b01111111, 0b10111111, 0xff, 0xff]);
    const image = unpack1bpp(packed, 10, 2);
    expect([...image.data.slice(0, 10)]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ink(image)).toBe(2);
  });

  it('removes specks and dot patterns but keeps strokes, full stops and i-dots', () => {
    const image = blank(200, 100);
    fill(image, 10, 10, 3, 40); // a stroke
    fill(image, 30, 40, 3, 3); // a full stop at 200 dpi: 9 pixels
    const rng = new Rng(3);
    let dots = 0;
    for (let y = 60; y < 100; y += 4) {
      for (let x = 60; x < 200; x += 4) {
        image.data[y * 200 + x] = 1; // a thresholded grey fill: isolated single dots
        dots++;
      }
    }
    for (let i = 0; i < 50; i++)
      image.data[Math.floor(rng.next() * 40) * 200 + 100 + Math.floor(rng.next() * 90)] = 1;
    const removed = removeSpecks(image, 6);
    expect(removed).toBeGreaterThanOrEqual(dots);
    expect(ink(image)).toBe(3 * 40 + 9);
  });

  it('finds the skew of slanted text lines within a tenth of a degree, both ways', () => {
    for (const deg of [-1.8, -0.7, 0, 1.2, 2]) {
      expect(Math.abs(estimateSkew(slantedRows(800, 600, deg)) - deg)).toBeLessThanOrEqual(0.1);
    }
  });

  it('straightens, squares fax pixels, and maps prepared pixels back to source pixels', () => {
    const source = slantedRows(408, 392, 1.5); // 2 x 2 inches at 204 x 196 dpi
    const copy = { ...source, data: new Uint8Array(source.data) };
    const ready = prepareBilevel(copy, 204, 196, {
      stored: true,
      targetDpi: null,
      speckArea200: 0,
      deskewMinDeg: 0.2,
    });
    expect(ready.dpi).toBe(204);
    expect(ready.image.width).toBe(408);
    expect(ready.image.height).toBe(408); // 392 rows at 196 dpi are 408 at 204
    // Lines are level now: the estimator finds (nearly) no skew in the result.
    const bits = {
      width: ready.image.width,
      height: ready.image.height,
      data: ready.image.data.map((v) => (v < 128 ? 1 : 0)),
    };
    expect(Math.abs(estimateSkew(bits))).toBeLessThanOrEqual(0.15);
    // The page centre maps to the source centre; a horizontal step maps along the source slope.
    const [a, b, c, d, e, f] = ready.toSource;
    const map = (x: number, y: number) => [a * x + c * y + e, b * x + d * y + f];
    const [cx, cy] = map(204, 204);
    expect(cx).toBeCloseTo(204, 5);
    expect(cy).toBeCloseTo(196, 5);
    const [x1, y1] = map(304, 204);
    expect((y1! - cy!) / (x1! - cx!)).toBeCloseTo((Math.tan((1.5 * Math.PI) / 180) * 196) / 204, 3);
  });

  it('tells a bilevel grey image from a photograph-like one', () => {
    const bw = { width: 100, height: 100, data: new Uint8Array(10_000).map((_, i) => (i % 7 ? 255 : 0)) };
    const grey = { width: 100, height: 100, data: new Uint8Array(10_000).map((_, i) => i % 256) };
    expect(isBilevel(bw)).toBe(true);
    expect(isBilevel(grey)).toBe(false);
  });
});

describe('reading a fax page as stored', () => {
  it('takes the 1-bit G4 image at its own resolution, square pixels, and maps OCR boxes back onto the page', async () => {
    const { pdf } = await generateLetterPdf(5, { layout: 'fdl-2016' });
    const fax = await scanPdf(pdf, { ...SCAN_PROFILES.fax, seed: 5 });
    const reading = await readPdf(fax, { limits: DEFAULT_LIMITS, ocrMode: 'auto', dpi: 300 });
    expect(reading.images.length).toBe(reading.pages.length);
    const first = reading.images[0]!;
    expect(first.image.format).toBe('pgm');
    expect(first.image.dpi).toBe(204);
    // 8.5 x 11 in at 204 dpi, square: 1734 x 2244 (the stored image is 1734 x 2156 at 204 x 196).
    expect(first.image.width).toBe(1734);
    expect(first.image.height).toBe(2244);
    expect(first.image.toPage).toBeDefined();
    // A word box 1 inch in from the top left of the prepared image lands about 1 inch (72 pt) in on the
    // page: exactly where the skewed sheet's ink was, within what a 2 degree turn moves it.
    const page = reading.pages[0]!;
    const piece = ocrLinesToPieces(
      [[{ text: 'Case', box: [204, 204, 304, 234], confidence: 0.9 }]],
      first.image,
      page.width,
      page.height,
    )[0]![0]!;
    for (const v of [piece.box[0]!, piece.box[1]!]) {
      expect(v).toBeGreaterThan(72 - 16);
      expect(v).toBeLessThan(72 + 16);
    }
  });

  it('renders a page that is not one image (a text page is never taken as a scan)', async () => {
    const { pdf } = await generateLetterPdf(6, { layout: 'fdl-2016' });
    const reading = await readPdf(pdf, { limits: DEFAULT_LIMITS, ocrMode: 'always', dpi: 100 });
    expect(reading.images[0]!.image.dpi).toBe(100);
    expect(reading.images[0]!.image.toPage).toBeUndefined();
  });
});
