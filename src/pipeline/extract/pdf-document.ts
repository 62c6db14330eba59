import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { StageError } from '../errors.js';
import { getDocument, type PDFDocumentProxy } from './pdfjs.js';

const require = createRequire(import.meta.url);
const pdfjsRoot = dirname(require.resolve('pdfjs-dist/package.json'));

/** Node defaults for pdf.js, set in one place: cMaps from the package, never a network fetch. */
const PDFJS_NODE_OPTIONS = {
  cMapUrl: `${join(pdfjsRoot, 'cmaps')}/`,
  cMapPacked: true,
  isEvalSupported: false,
  disableFontFace: true,
  useSystemFonts: false,
  verbosity: 0,
} as const;

/**
 * Glyph outlines of the standard 14 fonts, needed only to render pages (OCR). Text extraction does
 * without: pdf.js has their metrics built in, and loading the font files costs about a third of the time.
 */
const STANDARD_FONTS = { standardFontDataUrl: `${join(pdfjsRoot, 'standard_fonts')}/` } as const;

export interface PdfLimits {
  maxPages: number;
  /** Bytes all compressed (Flate) streams of one file may inflate to: a decompression bomb stops here. */
  maxInflatedBytes: number;
  /** Pixels of one page image for OCR (rendered, or a scan's JPEG), so a huge page fails cleanly. */
  maxPixels: number;
}

export interface OpenOptions {
  limits: PdfLimits;
  /** Whether pages will be rendered to pixels (loads the standard font outlines). */
  render?: boolean;
}

/** Deflate's bound on output per input byte (1032:1), with room for the zlib wrapper. */
export const MAX_DEFLATE_RATIO = 1100;

/**
 * Whether a zlib header starts at `at`, by pdf.js's test: deflate method and a valid check byte, no preset
 * dictionary. pdf.js then ignores the window size and the checksum, so this check does too.
 */
function flateHeaderAt(buf: Uint8Array, at: number): boolean {
  const cmf = buf[at];
  const flg = buf[at + 1];
  if (cmf === undefined || flg === undefined) return false;
  return (cmf & 0x0f) === 8 && ((cmf << 8) + flg) % 31 === 0 && (flg & 0x20) === 0;
}

/**
 * Inflates as pdf.js does: the raw deflate data after the 2-byte header, and a stream cut short gives
 * what it holds (pdf.js would keep that much) rather than an error. Throws ERR_BUFFER_TOO_LARGE past `max`.
 */
function inflateLikePdfjs(data: Uint8Array, max: number): Buffer {
  return inflateRawSync(data.subarray(2), { maxOutputLength: max, finishFlush: zlibConstants.Z_SYNC_FLUSH });
}

/** The [start, end) byte ranges of the file's streams whose data starts with a zlib header. */
function* flateStreams(buf: Buffer): Generator<[number, number]> {
  let at = 0;
  for (;;) {
    const keyword = buf.indexOf('stream', at, 'latin1');
    if (keyword < 0) return;
    at = keyword + 6;
    if (keyword >= 3 && buf.toString('latin1', keyword - 3, keyword) === 'end') continue;
    let start = at;
    if (buf[start] === 0x0d) start++;
    if (buf[start] === 0x0a) start++;
    const end = buf.indexOf('endstream', start, 'latin1');
    if (end < 0) return;
    at = end + 9;
    if (flateHeaderAt(buf, start)) yield [start, end];
  }
}

/**
 * Whether a stream's first layer inflates to another zlib stream (`/Filter [/FlateDecode /FlateDecode]`):
 * only its first output bytes are made. The data is followed, not the /Filter entry, which may be an
 * indirect object, spelled /F or with #-escapes.
 */
function startsAChain(data: Uint8Array): boolean {
  try {
    // 4 KB of deflate data is past any block header; its output is at most about 4 MB.
    return flateHeaderAt(inflateLikePdfjs(data.subarray(0, 4096), 8 * 2 ** 20), 0);
  } catch {
    return true; // cannot tell cheaply: inflate it in full
  }
}

/**
 * Inflates every zlib stream of the file (without keeping the output) and fails once they add up to more
 * than the limit: pdf.js would hold a decompression bomb's output in memory outside any heap limit. A
 * chain of Flate filters is inflated layer by layer while a layer's output is zlib data again, and every
 * layer counts (pdf.js holds each one). A stream that does not inflate (encrypted, damaged, another
 * filter) is left for pdf.js to judge.
 */
export function checkInflatedSize(bytes: Uint8Array, maxBytes: number): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // One layer of deflate cannot expand data more than about 1032 to 1: a file that small, without a
  // chain of layers, cannot reach the limit, and inflating every stream of every letter only to learn
  // that cost a few per cent of reading one.
  if (bytes.byteLength * MAX_DEFLATE_RATIO <= maxBytes) {
    const streams = [...flateStreams(buf)];
    if (!streams.some(([start, end]) => startsAChain(buf.subarray(start, end)))) return;
  }
  const bomb = () =>
    new StageError(
      'memory_limit',
      `the PDF's compressed streams inflate to more than ${Math.round(maxBytes / 2 ** 20)} MB (a decompression bomb?)`,
    );
  let total = 0;
  for (const [start, end] of flateStreams(buf)) {
    let layer: Uint8Array = buf.subarray(start, end);
    while (flateHeaderAt(layer, 0)) {
      try {
        layer = inflateLikePdfjs(layer, maxBytes - total + 1);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw bomb();
        break;
      }
      total += layer.byteLength;
      if (total > maxBytes) throw bomb();
    }
  }
}

/** Cheap checks on the bytes before pdf.js sees them: each bad-file kind gets its own code. */
export function checkPdfBytes(bytes: Uint8Array): void {
  if (bytes.byteLength === 0) throw new StageError('empty_file', 'the file is empty (0 bytes)');
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) {
    throw new StageError('not_pdf', 'no %PDF- signature in the first 1024 bytes: not a PDF file');
  }
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.byteLength - 8192))).toString('latin1');
  if (!tail.includes('%%EOF')) {
    throw new StageError(
      'truncated_pdf',
      'no %%EOF marker at the end of the file: the PDF is truncated or still being written',
    );
  }
}

function classifyPdfjsError(err: unknown): StageError {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') {
    return new StageError('encrypted', `the PDF is encrypted with a user password (${message})`);
  }
  return new StageError('corrupt_pdf', `pdf.js could not read the PDF: ${message}`);
}

/**
 * Opens a PDF, hands it to `use`, and always destroys it: the one owner of a document's lifetime.
 * pdf.js errors become coded StageErrors.
 */
export async function withPdfDocument<T>(
  bytes: Uint8Array,
  { limits, render = false }: OpenOptions,
  use: (doc: PDFDocumentProxy) => Promise<T>,
): Promise<T> {
  checkPdfBytes(bytes);
  checkInflatedSize(bytes, limits.maxInflatedBytes);
  // pdf.js takes ownership of (and may detach) the buffer it is given.
  const task = getDocument({
    ...PDFJS_NODE_OPTIONS,
    ...(render ? STANDARD_FONTS : {}),
    data: new Uint8Array(bytes),
  });
  let doc: PDFDocumentProxy;
  try {
    doc = await task.promise;
  } catch (err) {
    await task.destroy().catch(() => undefined);
    throw classifyPdfjsError(err);
  }
  try {
    if (doc.numPages > limits.maxPages) {
      throw new StageError('too_large', `the PDF has ${doc.numPages} pages; the limit is ${limits.maxPages}`);
    }
    return await use(doc);
  } catch (err) {
    if (err instanceof StageError) throw err;
    throw classifyPdfjsError(err);
  } finally {
    await doc.destroy();
  }
}
