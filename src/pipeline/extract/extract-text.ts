import type { TextDocument, TextPage } from '../../../schemas/text.js';
import { StageError } from '../errors.js';
import { type PdfLimits, withPdfDocument } from './pdf-document.js';
import { extractTextLayerPage } from './text-layer.js';

export interface ExtractOptions {
  limits: PdfLimits;
}

export const DEFAULT_LIMITS: PdfLimits = { maxPages: 200 };

/** A page's text layer is usable when it holds some real words, not just a stray mark or two. */
export function hasUsableText(page: TextPage): boolean {
  return (page.text.match(/[A-Za-z]{2,}/g) ?? []).length >= 5;
}

/** Extract stage: PDF bytes to the stored text model of every page (text layer). */
export async function extractText(
  bytes: Uint8Array,
  options: ExtractOptions = { limits: DEFAULT_LIMITS },
): Promise<TextDocument> {
  return withPdfDocument(bytes, { limits: options.limits }, async (doc) => {
    const pages: TextPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      try {
        pages.push(await extractTextLayerPage(page));
      } finally {
        page.cleanup();
      }
    }
    if (!pages.some(hasUsableText)) {
      throw new StageError('no_text', 'no page has a usable text layer (a scan needs OCR)');
    }
    return { pages };
  });
}
