import { createCanvas } from '@napi-rs/canvas';
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
} from 'pdf-lib';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DEFAULT_LIMITS } from '../pipeline/extract/extract-text.js';
import { renderPageCanvas } from '../pipeline/extract/page-image.js';
import { withPdfDocument } from '../pipeline/extract/pdf-document.js';
import { type Bitmap, encodeG4 } from './ccitt-g4.js';
import { Rng } from './rng.js';

export interface ScanOptions {
  /**
   * 'grey' (the default): grey pixels, JPEG-compressed. 'bw': 1-bit pixels, CCITT G4-compressed, as most
   * office scanners and fax machines send them.
   */
  mode?: 'grey' | 'bw';
  /** Scan resolution; in 'bw' mode the default for dpiX and dpiY. */
  dpi: number;
  /** 'bw': pixels per inch across, when it differs from `dpi` (fax "fine" is 204 across, 196 down). */
  dpiX?: number;
  /** 'bw': pixels per inch down. */
  dpiY?: number;
  /** Each page is turned by a random angle in [-maxRotationDeg, maxRotationDeg]. */
  maxRotationDeg: number;
  /**
   * Standard deviation of the noise added to each grey pixel (0-255 scale): Gaussian in 'grey' mode;
   * in 'bw' mode triangular (bounded, so that blank paper never crosses the threshold), before thresholding.
   */
  noiseSigma: number;
  /** 'grey' only. */
  jpegQuality: number;
  /**
   * 'bw': each page's content is scaled down vertically by a random factor in [min, max] (a fax feed
   * running fast), from the top; the image keeps the page size, white at the bottom. Default [1, 1].
   */
  squeeze?: readonly [number, number];
  /** 'bw': chance per pixel that a black speck (1 x 1 to 2 x 2 pixels) is put there. Default 0. */
  speckle?: number;
  /** 'bw': chance per black pixel that it turns white (pinholes in strokes). Default 0. */
  holes?: number;
  /**
   * 'bw': blur a little (3 x 3) before the threshold, as a scanner's optics do, so hairlines break up.
   * Default false.
   */
  blur?: boolean;
  /** 'bw': grey level (0-255) below which a pixel turns black. Default 128. */
  threshold?: number;
  /**
   * 'bw': the threshold varies by this much (peak to peak) over an 8 x 8 ordered-dither (Bayer) matrix,
   * so that grey fills become a dot pattern instead of solid black or white. Default 0 (plain threshold).
   */
  dither?: number;
  seed: number;
}

export type ScanProfileName = 'grey' | 'fax' | 'copier-bw';

export const SCAN_PROFILE_NAMES: readonly ScanProfileName[] = ['grey', 'fax', 'copier-bw'];

export const SCAN_PROFILES: Record<ScanProfileName, ScanOptions> = {
  /** What `bench:accuracy --scan` uses: 200 DPI grey, up to 1 degree, noise, JPEG quality 70. */
  grey: {
    mode: 'grey',
    dpi: 200,
    maxRotationDeg: 1,
    noiseSigma: 12,
    jpegQuality: 70,
    seed: 1,
  },
  /**
   * A received fax, "fine" resolution (204 x 196 DPI, 1734 x 2156 pixels for a Letter page): turned up to
   * 2 degrees, squeezed 96-100% down the page, slightly blurred, then a global threshold (140) that an
   * ordered dither moves by +-90, so hairlines break up and grey fills turn to dots; black specks and
   * pinholes.
   */
  fax: {
    mode: 'bw',
    dpi: 200,
    dpiX: 204,
    dpiY: 196,
    maxRotationDeg: 2,
    noiseSigma: 8,
    jpegQuality: 70,
    squeeze: [0.96, 1],
    speckle: 1e-4,
    holes: 2e-3,
    blur: true,
    threshold: 140,
    dither: 180,
    seed: 1,
  },
  /**
   * A black-and-white office copier or scanner at 300 DPI (`{ ...SCAN_PROFILES['copier-bw'], dpi: 200 }`
   * for 200 DPI): turned up to 2 degrees, threshold with a dot pattern for greys, light speckle.
   */
  'copier-bw': {
    mode: 'bw',
    dpi: 300,
    maxRotationDeg: 2,
    noiseSigma: 6,
    jpegQuality: 70,
    speckle: 1.5e-5,
    holes: 5e-4,
    blur: true,
    threshold: 140,
    dither: 180,
    seed: 1,
  },
};

/** The grey profile: other code and tests rely on its output staying byte-identical. */
export const DEFAULT_SCAN: ScanOptions = SCAN_PROFILES.grey;

/** A copy of a named profile; an unknown name throws, naming the valid ones. */
export function scanProfile(name: string): ScanOptions {
  if (!(SCAN_PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown scan profile "${name}": one of ${SCAN_PROFILE_NAMES.join(', ')}`);
  }
  return { ...SCAN_PROFILES[name as ScanProfileName] };
}

function gaussian(rng: Rng): number {
  // Box-Muller: two uniforms to one standard normal.
  const u = Math.max(rng.next(), 1e-12);
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

async function scanPage(page: PDFPageProxy, options: ScanOptions, rng: Rng): Promise<Uint8Array> {
  const flat = await renderPageCanvas(page, options.dpi);
  const { width, height } = flat;

  // The sheet lies a little crooked on the glass.
  const angle = ((rng.next() * 2 - 1) * options.maxRotationDeg * Math.PI) / 180;
  const sheet = createCanvas(width, height);
  const ctx = sheet.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.translate(width / 2, height / 2);
  ctx.rotate(angle);
  ctx.drawImage(flat, -width / 2, -height / 2);
  ctx.setTransform(1, 0, 0, 1, 0, 0);

  // Grey, with sensor noise.
  const image = ctx.getImageData(0, 0, width, height);
  const px = image.data;
  for (let i = 0; i < px.length; i += 4) {
    const grey = (px[i]! * 77 + px[i + 1]! * 150 + px[i + 2]! * 29) >> 8;
    const v = Math.max(0, Math.min(255, Math.round(grey + gaussian(rng) * options.noiseSigma)));
    px[i] = v;
    px[i + 1] = v;
    px[i + 2] = v;
  }
  ctx.putImageData(image, 0, 0);
  return new Uint8Array(await sheet.encode('jpeg', options.jpegQuality));
}

/** The 8 x 8 Bayer matrix (0-63), row by row: each level turns on a spread-out set of cells. */
function bayer8(): Uint8Array {
  let m = [0];
  for (let n = 1; n < 8; n *= 2) {
    const next = new Array<number>(4 * n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const v = 4 * m[y * n + x]!;
        next[y * 2 * n + x] = v;
        next[y * 2 * n + x + n] = v + 2;
        next[(y + n) * 2 * n + x] = v + 3;
        next[(y + n) * 2 * n + x + n] = v + 1;
      }
    }
    m = next;
  }
  return Uint8Array.from(m);
}

const BAYER8 = bayer8();

/** Renders a page turned and squeezed onto a sheet of `width` x `height` pixels at dpiX x dpiY. */
async function renderSheet(
  page: PDFPageProxy,
  dpiX: number,
  dpiY: number,
  angle: number,
  squeeze: number,
  width: number,
  height: number,
): Promise<Uint8ClampedArray> {
  const { width: wPt, height: hPt } = page.getViewport({ scale: 1 });
  const kx = dpiX / 72;
  const ky = (dpiY / 72) * squeeze;
  const viewport = page.getViewport({ scale: kx });
  // Turn about the page centre (in points), then scale to pixels, unequally across and down: drawn
  // straight from the page's vectors, so thin strokes are sampled once, as a scanner's sensor does.
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = wPt / 2;
  const cy = hPt / 2;
  const r = ky / kx;
  const transform = [
    cos,
    r * sin,
    -sin,
    r * cos,
    kx * (cx - cos * cx + sin * cy),
    ky * (cy - sin * cx - cos * cy),
  ];
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  // pdf.js types name the DOM canvas; @napi-rs/canvas implements the same drawing API.
  const params = { canvas, canvasContext: ctx, viewport, transform } as unknown as Parameters<
    PDFPageProxy['render']
  >[0];
  await page.render(params).promise;
  return ctx.getImageData(0, 0, width, height).data;
}

/** Rec. 601 luma of RGBA pixels, as `rgbaToGray` computes it. */
function luma(rgba: Uint8ClampedArray, size: number): Uint8Array {
  const grey = new Uint8Array(size);
  for (let p = 0, i = 0; p < size; p++, i += 4) {
    grey[p] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
  }
  return grey;
}

/**
 * The scanner's optics: a 3 x 3 binomial blur ([1 2 1] each way), in place. pdf.js draws no line thinner
 * than a pixel; blurred, a hairline is grey enough for the threshold to break it up, as on a real scan.
 */
function blur(grey: Uint8Array, width: number, height: number): void {
  const across = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const left = grey[row + (x > 0 ? x - 1 : x)]!;
      const right = grey[row + (x < width - 1 ? x + 1 : x)]!;
      across[row + x] = left + 2 * grey[row + x]! + right;
    }
  }
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : y) * width;
    const row = y * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    for (let x = 0; x < width; x++) {
      grey[row + x] = (across[up + x]! + 2 * across[row + x]! + across[down + x]! + 8) >> 4;
    }
  }
}

/** Grey pixels to 1 bit: noise, then a threshold that an ordered-dither matrix moves up and down. */
function threshold(grey: Uint8Array, width: number, height: number, options: ScanOptions, rng: Rng): Bitmap {
  const level = options.threshold ?? 128;
  const dither = options.dither ?? 0;
  const cells = new Float64Array(64);
  for (let i = 0; i < 64; i++) cells[i] = level + dither * ((BAYER8[i]! + 0.5) / 64 - 0.5);
  // Triangular noise (sum of two uniforms) with standard deviation noiseSigma: bounded by `spread`.
  const spread = options.noiseSigma * Math.sqrt(6);
  const alwaysBlack = level - dither / 2 - spread;
  const alwaysWhite = level + dither / 2 + spread;
  const data = new Uint8Array(width * height);
  for (let y = 0, p = 0; y < height; y++) {
    const row = (y & 7) * 8;
    for (let x = 0; x < width; x++, p++) {
      const g = grey[p]!;
      // Most of a page is paper or solid ink: no random draw for those.
      if (g >= alwaysWhite) continue;
      if (g < alwaysBlack) {
        data[p] = 1;
        continue;
      }
      const noise = (rng.next() + rng.next() - 1) * spread;
      if (g + noise < cells[row + (x & 7)]!) data[p] = 1;
    }
  }
  return { width, height, data };
}

/** Isolated black specks on the paper and white pinholes in the strokes. */
function speckle(image: Bitmap, options: ScanOptions, rng: Rng): void {
  const { width, height, data } = image;
  const specks = Math.round((options.speckle ?? 0) * width * height);
  for (let n = 0; n < specks; n++) {
    const x = rng.int(0, width - 1);
    const y = rng.int(0, height - 1);
    const shape = rng.next();
    // Mostly single pixels, some 2 x 1, 1 x 2 or 2 x 2.
    const w = shape < 0.6 || (shape >= 0.8 && shape < 0.9) ? 1 : 2;
    const h = shape < 0.8 ? 1 : 2;
    for (let dy = 0; dy < h && y + dy < height; dy++) {
      for (let dx = 0; dx < w && x + dx < width; dx++) data[(y + dy) * width + x + dx] = 1;
    }
  }
  // Every pixel is a candidate; only black ones turn: so `holes` is the chance per black pixel.
  const tries = Math.round((options.holes ?? 0) * width * height);
  for (let n = 0; n < tries; n++) data[rng.int(0, width * height - 1)] = 0;
}

/** One page as a 1-bit sheet: turned, squeezed, thresholded, specked. */
async function scanPageBw(page: PDFPageProxy, options: ScanOptions, rng: Rng): Promise<Bitmap> {
  const { width: wPt, height: hPt } = page.getViewport({ scale: 1 });
  const dpiX = options.dpiX ?? options.dpi;
  const dpiY = options.dpiY ?? options.dpi;
  const width = Math.round((wPt * dpiX) / 72);
  const height = Math.round((hPt * dpiY) / 72);
  const angle = ((rng.next() * 2 - 1) * options.maxRotationDeg * Math.PI) / 180;
  const [low, high] = options.squeeze ?? [1, 1];
  const squeeze = low + rng.next() * (high - low);
  // Separate streams, so that the specks do not move when the page content (and the noise draws) does.
  const noiseRng = rng.fork(1);
  const speckRng = rng.fork(2);
  const grey = luma(await renderSheet(page, dpiX, dpiY, angle, squeeze, width, height), width * height);
  if (options.blur) blur(grey, width, height);
  const image = threshold(grey, width, height, options, noiseRng);
  speckle(image, options, speckRng);
  return image;
}

/** A 1-bit page image in the PDF: a CCITT G4 image XObject drawn over the whole page. */
export function addBwPage(out: PDFDocument, image: Bitmap, width: number, height: number): void {
  const stream = out.context.stream(encodeG4(image), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: image.width,
    Height: image.height,
    BitsPerComponent: 1,
    ColorSpace: 'DeviceGray',
    Filter: 'CCITTFaxDecode',
    DecodeParms: { K: -1, Columns: image.width, Rows: image.height, BlackIs1: false },
  });
  const page = out.addPage([width, height]);
  const name = page.node.newXObject('Im', out.context.register(stream));
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(width, 0, 0, height, 0, 0),
    drawObject(name),
    popGraphicsState(),
  );
}

/**
 * A scanned copy of a PDF: every page rendered, turned and noised, in an image-only PDF of the same page
 * sizes (no text layer). 'grey' mode: JPEG pages; 'bw' mode: 1-bit CCITT G4 pages (fax, copier).
 * Deterministic for a seed.
 */
export async function scanPdf(pdf: Uint8Array, options: ScanOptions = DEFAULT_SCAN): Promise<Uint8Array> {
  const rng = new Rng(options.seed);
  const out = await PDFDocument.create();
  out.setProducer('imr-pipeline synthetic scanner');
  out.setCreationDate(new Date('2020-01-01T00:00:00Z'));
  out.setModificationDate(new Date('2020-01-01T00:00:00Z'));
  await withPdfDocument(pdf, { limits: DEFAULT_LIMITS, render: true }, async (doc) => {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      try {
        const { width, height } = page.getViewport({ scale: 1 });
        if (options.mode === 'bw') {
          // Its own stream per page: one page's content-dependent draws leave the next page alone.
          addBwPage(out, await scanPageBw(page, options, rng.fork(n)), width, height);
          continue;
        }
        const jpeg = await out.embedJpg(await scanPage(page, options, rng));
        out.addPage([width, height]).drawImage(jpeg, { x: 0, y: 0, width, height });
      } finally {
        page.cleanup();
      }
    }
  });
  return out.save();
}
