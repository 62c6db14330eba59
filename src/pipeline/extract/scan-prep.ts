import { type ImageData as CanvasImageData, createCanvas } from '@napi-rs/canvas';
import type { GrayImage } from './page-image.js';

/**
 * Preparation of scanned page images for OCR. A bilevel (1-bit) scan as an office copier or a fax line
 * makes it is read as stored, then: specks removed (salt-and-pepper noise, and the dot pattern a threshold
 * makes of grey table shading, which tesseract otherwise reads as letters glued to the labels), the page
 * turned straight, and resampled to square pixels at the resolution tesseract reads best.
 */

/** A bilevel image: one byte per pixel, 1 = ink (black), 0 = paper. */
export interface BitImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** pdf.js's packed 1-bit grey (rows padded to whole bytes, most significant bit first, set bit = white). */
export function unpack1bpp(packed: Uint8Array, width: number, height: number): BitImage {
  const rowBytes = (width + 7) >> 3;
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    const out = y * width;
    for (let x = 0; x < width; x++) {
      data[out + x] = (packed[row + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 1;
    }
  }
  return { width, height, data };
}

/** Grey to bilevel at a fixed threshold (pixels of a bilevel scan are 0 or 255 already). */
export function toBits(image: GrayImage, threshold = 128): BitImage {
  const data = new Uint8Array(image.width * image.height);
  for (let i = 0; i < data.length; i++) data[i] = image.data[i]! < threshold ? 1 : 0;
  return { width: image.width, height: image.height, data };
}

/** Whether a grey image holds only (nearly) black and white: a bilevel scan, however it was stored. */
export function isBilevel(image: GrayImage): boolean {
  let mid = 0;
  const step = Math.max(1, Math.floor(image.data.length / 200_000));
  let seen = 0;
  for (let i = 0; i < image.data.length; i += step, seen++) {
    const v = image.data[i]!;
    if (v > 24 && v < 232) mid++;
  }
  return mid <= seen * 0.002;
}

/**
 * Removes connected groups of ink (8-connected) of at most `maxArea` pixels: speckle and the dots of a
 * thresholded grey fill. A group is kept when it is part of anything larger, so letters, their dots and
 * punctuation (several times the area at the same resolution) stay. Returns how many groups went.
 */
export function removeSpecks(image: BitImage, maxArea: number): number {
  const { width, height, data } = image;
  // Each ink pixel is visited once (marked 2); the stack never holds more than the image's pixels.
  const stack = new Int32Array(data.length);
  const group = new Int32Array(maxArea + 1);
  let removed = 0;
  for (let start = 0; start < data.length; start++) {
    if (data[start] !== 1) continue;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    data[start] = 2;
    while (top > 0) {
      const p = stack[--top]!;
      if (size <= maxArea) group[size] = p;
      size++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (data[q] !== 1) continue;
          data[q] = 2;
          stack[top++] = q;
        }
      }
    }
    if (size <= maxArea) {
      for (let i = 0; i < size; i++) data[group[i]!] = 0;
      removed++;
    }
  }
  for (let i = 0; i < data.length; i++) if (data[i] === 2) data[i] = 1;
  return removed;
}

/**
 * The skew of the text lines in degrees (positive: lines run down to the right, y growing downwards): the
 * slope along which the row profile of ink is sharpest (lines of text and the gaps between them). Searched
 * over +-maxDeg, coarse then fine.
 */
export function estimateSkew(image: BitImage, maxDeg = 3): number {
  const { width, height, data } = image;
  // Sample ink pixels (bottom edges of strokes carry the baseline signal and are few).
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < height - 1; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (data[row + x] === 1 && data[row + width + x] !== 1) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  if (xs.length < 200) return 0;
  const bins = new Float64Array(height * 2 + width);
  const score = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    const offset = width;
    for (let i = 0; i < xs.length; i++) {
      const b = Math.round(ys[i]! - xs[i]! * t) + offset;
      if (b >= 0 && b < bins.length) bins[b]! += 1;
    }
    let s = 0;
    for (let i = 0; i < bins.length; i++) s += bins[i]! * bins[i]!;
    return s;
  };
  let best = 0;
  let bestScore = -1;
  for (let deg = -maxDeg; deg <= maxDeg + 1e-9; deg += 0.25) {
    const s = score(deg);
    if (s > bestScore) [best, bestScore] = [deg, s];
  }
  const coarse = best;
  for (let deg = coarse - 0.25; deg <= coarse + 0.25 + 1e-9; deg += 0.05) {
    const s = score(deg);
    if (s > bestScore) [best, bestScore] = [deg, s];
  }
  return Math.round(best * 100) / 100;
}

export interface PreparedScan {
  image: GrayImage;
  dpi: number;
  /** Affine map from prepared-image pixels to source-image pixels: [a, b, c, d, e, f] (x' = a x + c y + e). */
  toSource: [number, number, number, number, number, number];
}

export interface PrepOptions {
  /** Read a page that is one image from the image as stored; false renders it like any page. */
  stored: boolean;
  /** Resolution to resample to (square pixels); null keeps the horizontal resolution of the source. */
  targetDpi: number | null;
  /** Ink groups up to this area at 200 dpi are specks (scaled by resolution); 0 = none removed. */
  speckArea200: number;
  /** Turn the page straight when the estimated skew is at least this (degrees); null = never. */
  deskewMinDeg: number | null;
}

/**
 * Measured on fax copies (bench:scan-prep): resampling to 300 dpi cost accuracy and time; specks and skew
 * removal at the stored resolution paid.
 */
export const DEFAULT_PREP: PrepOptions = {
  stored: true,
  targetDpi: null,
  speckArea200: 6,
  deskewMinDeg: 0.2,
};

/**
 * A bilevel scan (dpiX x dpiY, fax pixels need not be square) made ready for OCR: specks removed, turned
 * straight, and resampled (smoothly, to grey) to square pixels at the target resolution.
 */
export function prepareBilevel(
  bits: BitImage,
  dpiX: number,
  dpiY: number,
  options: PrepOptions = DEFAULT_PREP,
): PreparedScan {
  const area = Math.round((options.speckArea200 * dpiX * dpiY) / (200 * 200));
  if (area > 0) removeSpecks(bits, area);
  const skew = options.deskewMinDeg === null ? 0 : estimateSkew(bits);
  const angle = options.deskewMinDeg !== null && Math.abs(skew) >= options.deskewMinDeg ? skew : 0;
  const dpi = options.targetDpi ?? dpiX;
  const sx = dpi / dpiX;
  const sy = dpi / dpiY;
  const width = Math.round(bits.width * sx);
  const height = Math.round(bits.height * sy);

  const src = createCanvas(bits.width, bits.height);
  const srcCtx = src.getContext('2d');
  const rgba = srcCtx.createImageData(bits.width, bits.height) as CanvasImageData;
  const px = rgba.data;
  for (let i = 0, p = 0; i < bits.data.length; i++, p += 4) {
    const v = bits.data[i] ? 0 : 255;
    px[p] = v;
    px[p + 1] = v;
    px[p + 2] = v;
    px[p + 3] = 255;
  }
  srcCtx.putImageData(rgba, 0, 0);

  const out = createCanvas(width, height);
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // Rotate about the page centre against the skew, scaling source pixels to square target pixels.
  const rad = (-angle * Math.PI) / 180;
  ctx.translate(width / 2, height / 2);
  ctx.rotate(rad);
  ctx.scale(sx, sy);
  ctx.drawImage(src, -bits.width / 2, -bits.height / 2);
  const data = ctx.getImageData(0, 0, width, height).data;
  const grey = new Uint8Array(width * height);
  for (let i = 0, p = 0; i < grey.length; i++, p += 4) grey[i] = data[p]!;

  // Inverse of: out = T(w/2,h/2) R(rad) S(sx,sy) T(-W/2,-H/2) src.
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  // R^-1 = [cos sin; -sin cos]; then S^-1, then shift.
  const a = cos / sx;
  const b = -sin / sy;
  const c = sin / sx;
  const d = cos / sy;
  const e = -(a * width) / 2 - (c * height) / 2 + bits.width / 2;
  const f = -(b * width) / 2 - (d * height) / 2 + bits.height / 2;
  return { image: { width, height, data: grey }, dpi, toSource: [a, b, c, d, e, f] };
}
