/**
 * The one place pdf.js is loaded. Its legacy build bundles core-js polyfills that replace JSON.parse,
 * JSON.stringify and Array.prototype.push process-wide with JavaScript versions (for proposals Node 20
 * lacks, such as JSON.rawJSON). Every log line, job payload, database row and export then pays for them:
 * about a third of the pipeline's CPU. The natives are put back once both halves of pdf.js are loaded;
 * pdf.js does not use the proposal features. Import pdf.js only through this module (types excepted).
 */
const natives = {
  parse: JSON.parse,
  stringify: JSON.stringify,
  push: Array.prototype.push,
};

const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
// Loaded here, not lazily by the "fake worker" on the first document, so that its polyfills run now too.
const pdfjsWorker = await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = pdfjsWorker;

JSON.parse = natives.parse;
JSON.stringify = natives.stringify;
Array.prototype.push = natives.push;

export const { getDocument, Util, OPS, ImageKind } = pdfjs;
export type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
