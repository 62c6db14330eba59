import { type Canvas, createCanvas, loadImage } from '@napi-rs/canvas';
import { PDFDict, PDFDocument, PDFName, PDFNumber, type PDFPage, PDFRawStream } from 'pdf-lib';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { StageError } from '../errors.js';
import { ImageKind, OPS } from './pdfjs.js';
import { type BitImage, unpack1bpp } from './scan-prep.js';

/** Image bytes an OCR engine can read directly (JPEG or binary PGM), with the pixel size. */
export interface PageImage {
  bytes: Uint8Array;
  format: 'jpeg' | 'pgm';
  width: number;
  height: number;
  /** Pixels per inch on the page, when known: spares the OCR engine a guess. */
  dpi?: number;
  /**
   * Affine map [a, b, c, d, e, f] from image pixels to page points (x' = a x + c y + e, y' = b x + d y + f,
   * origin top-left) when the image is not simply the page scaled (a scan turned straight).
   */
  toPage?: [number, number, number, number, number, number];
}

export interface GrayImage {
  width: number;
  height: number;
  /** One byte per pixel, row by row. */
  data: Uint8Array;
}

/** A binary PGM: raw grey pixels behind a 15-byte header, read by Leptonica without any decoding. */
export function toPgm(image: GrayImage, dpi?: number): PageImage {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'latin1');
  const bytes = new Uint8Array(header.length + image.data.length);
  bytes.set(header, 0);
  bytes.set(image.data, header.length);
  return { bytes, format: 'pgm', width: image.width, height: image.height, ...(dpi ? { dpi } : {}) };
}

export function rgbaToGray(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let i = 0, p = 0; p < data.length; i += 4, p++) {
    // Rec. 601 luma in integer arithmetic.
    data[p] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
  }
  return { width, height, data };
}

/** Renders a page onto a white canvas at `dpi` (pdf.js + @napi-rs/canvas). */
export async function renderPageCanvas(page: PDFPageProxy, dpi: number): Promise<Canvas> {
  const viewport = page.getViewport({ scale: dpi / 72 });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // pdf.js types name the DOM canvas; @napi-rs/canvas implements the same drawing API.
  const params = { canvas, canvasContext: ctx, viewport } as unknown as Parameters<PDFPageProxy['render']>[0];
  await page.render(params).promise;
  return canvas;
}

/** Renders a page to grey pixels at `dpi`. */
export async function renderPageGray(page: PDFPageProxy, dpi: number): Promise<GrayImage> {
  const canvas = await renderPageCanvas(page, dpi);
  const { width, height } = canvas;
  return rgbaToGray(canvas.getContext('2d').getImageData(0, 0, width, height).data, width, height);
}

/**
 * For each page that is a single embedded JPEG (a scan), its JPEG bytes as stored: no decode, no
 * re-encode. Pages with text, vector drawing or several images are left out (they are rendered instead).
 */
export async function embeddedJpegs(pdf: Uint8Array): Promise<Map<number, PageImage>> {
  const out = new Map<number, PageImage>();
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: false,
    });
  } catch {
    return out;
  }
  // Streams of an encrypted file are stored encrypted: those pages are rendered (pdf.js decrypts).
  if (doc.isEncrypted) return out;
  doc.getPages().forEach((page, i) => {
    try {
      const found = singleJpeg(page);
      if (found) out.set(i + 1, found);
    } catch {
      // An odd page structure is no reason to fail: the page is rendered instead.
    }
  });
  return out;
}

/**
 * The pixels OCR reads: a JPEG is decoded here by libjpeg-turbo (native, several times faster than the
 * engine's WebAssembly decoder) into grey PGM; PGM passes through.
 */
export async function ocrReady(image: PageImage): Promise<PageImage> {
  if (image.format !== 'jpeg') return image;
  const decoded = await loadImage(Buffer.from(image.bytes));
  const canvas = createCanvas(decoded.width, decoded.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(decoded, 0, 0);
  const gray = rgbaToGray(
    ctx.getImageData(0, 0, decoded.width, decoded.height).data,
    decoded.width,
    decoded.height,
  );
  return toPgm(gray, image.dpi);
}

function singleJpeg(page: PDFPage): PageImage | null {
  const resources = page.node.Resources();
  const fonts = resources?.lookupMaybe(PDFName.of('Font'), PDFDict);
  if (!resources || (fonts && fonts.keys().length > 0)) return null;
  const xobjects = resources.lookupMaybe(PDFName.of('XObject'), PDFDict);
  if (xobjects?.keys().length !== 1) return null;
  const stream = xobjects.lookup(xobjects.keys()[0]!);
  if (!(stream instanceof PDFRawStream)) return null;
  const dict = stream.dict;
  const subtype = dict.lookupMaybe(PDFName.of('Subtype'), PDFName);
  const filter = dict.lookup(PDFName.of('Filter'));
  if (subtype !== PDFName.of('Image') || filter !== PDFName.of('DCTDecode')) return null;
  const width = dict.lookupMaybe(PDFName.of('Width'), PDFNumber)?.asNumber();
  const height = dict.lookupMaybe(PDFName.of('Height'), PDFNumber)?.asNumber();
  if (!width || !height) return null;
  return { bytes: stream.getContents(), format: 'jpeg', width, height };
}

/** A page's one image as stored in the file (decoded by pdf.js, never re-rendered), with its resolution. */
export interface StoredScan {
  /** Bilevel pixels (1 = ink) for a 1-bit image; grey otherwise. */
  bits: BitImage | null;
  gray: GrayImage | null;
  dpiX: number;
  dpiY: number;
}

type Matrix = [number, number, number, number, number, number];

function multiply(m: Matrix, n: Matrix): Matrix {
  // n applied first, then m (PDF's `cm` pre-multiplies the current matrix).
  return [
    n[0] * m[0] + n[1] * m[2],
    n[0] * m[1] + n[1] * m[3],
    n[2] * m[0] + n[3] * m[2],
    n[2] * m[1] + n[3] * m[3],
    n[4] * m[0] + n[5] * m[2] + m[4],
    n[4] * m[1] + n[5] * m[3] + m[5],
  ];
}

// Operators a scanned page may hold besides its one image: state, and marked content of the scanner.
const HARMLESS_OPS = new Set(
  [
    'save',
    'restore',
    'transform',
    'dependency',
    'beginMarkedContent',
    'beginMarkedContentProps',
    'endMarkedContent',
  ].map((name) => OPS[name as keyof typeof OPS]),
);

interface DecodedImage {
  width: number;
  height: number;
  kind: number;
  data: Uint8Array | Uint8ClampedArray;
}

function isDecodedImage(value: unknown): value is DecodedImage {
  const v = value as Partial<DecodedImage> | null;
  return (
    !!v &&
    typeof v.width === 'number' &&
    typeof v.height === 'number' &&
    !!v.data &&
    typeof v.kind === 'number'
  );
}

/**
 * When a page is one upright image covering (nearly) all of it and nothing else (a scan, whatever its
 * compression: CCITT G4, JBIG2, Flate, ...), that image's pixels as pdf.js decodes them from the file, at
 * their own resolution, which may differ across and down (fax: 204 x 196 dpi). Null for any other page:
 * it is rendered instead. `maxPixels` is checked before the pixels are taken.
 */
export async function storedScanImage(page: PDFPageProxy, maxPixels: number): Promise<StoredScan | null> {
  if (page.rotate % 360 !== 0) return null;
  const ops = await page.getOperatorList();
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const saved: Matrix[] = [];
  let found: { id: string; ctm: Matrix } | null = null;
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[] | null;
    if (fn === OPS.save) saved.push(ctm);
    else if (fn === OPS.restore) ctm = saved.pop() ?? ctm;
    else if (fn === OPS.transform) ctm = multiply(ctm, args as Matrix);
    else if (fn === OPS.paintImageXObject) {
      if (found) return null;
      found = { id: String(args?.[0]), ctm };
    } else if (!HARMLESS_OPS.has(fn ?? -1)) return null;
  }
  if (!found) return null;
  const [a, b, c, d] = found.ctm;
  if (b !== 0 || c !== 0 || a <= 0 || d <= 0) return null;
  const [, , pageWidth, pageHeight] = page.view.map((v, i) => v - (i >= 2 ? (page.view[i - 2] ?? 0) : 0)) as [
    number,
    number,
    number,
    number,
  ];
  if (a * d < 0.9 * pageWidth * pageHeight) return null;
  const image = await new Promise<unknown>((resolve) => page.objs.get(found.id, resolve));
  if (!isDecodedImage(image)) return null;
  const { width, height } = image;
  if (width * height > maxPixels) {
    throw new StageError(
      'page_too_large',
      `page ${page.pageNumber}'s image is ${width} x ${height} pixels; the limit is ${maxPixels} pixels`,
    );
  }
  const dpiX = Math.round((width * 72) / a);
  const dpiY = Math.round((height * 72) / d);
  if (image.kind === ImageKind.GRAYSCALE_1BPP) {
    return { bits: unpack1bpp(image.data as Uint8Array, width, height), gray: null, dpiX, dpiY };
  }
  const channels = image.kind === ImageKind.RGBA_32BPP ? 4 : 3;
  const gray = new Uint8Array(width * height);
  const px = image.data;
  for (let p = 0, i = 0; p < gray.length; p++, i += channels) {
    gray[p] = (px[i]! * 77 + px[i + 1]! * 150 + px[i + 2]! * 29) >> 8;
  }
  return { bits: null, gray: { width, height, data: gray }, dpiX, dpiY };
}
