import { type Canvas, createCanvas, loadImage } from '@napi-rs/canvas';
import { PDFDict, PDFDocument, PDFName, PDFNumber, type PDFPage, PDFRawStream } from 'pdf-lib';
import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Image bytes an OCR engine can read directly (JPEG or binary PGM), with the pixel size. */
export interface PageImage {
  bytes: Uint8Array;
  format: 'jpeg' | 'pgm';
  width: number;
  height: number;
  /** Pixels per inch on the page, when known: spares the OCR engine a guess. */
  dpi?: number;
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
