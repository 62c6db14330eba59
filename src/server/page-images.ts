import { renderPageCanvas } from '../pipeline/extract/page-image.js';
import { type PdfLimits, withPdfDocument } from '../pipeline/extract/pdf-document.js';

/** Pixels per inch of the page images shown to reviewers: sharp on a laptop screen, ~100-200 KB a page. */
export const REVIEW_DPI = 110;

/** A small LRU of encoded PNGs (a reviewer pages back and forth; renders cost ~100 ms each). */
export class PageImageCache {
  private readonly entries = new Map<string, Promise<Uint8Array<ArrayBuffer> | null>>();

  constructor(
    private readonly limits: PdfLimits,
    private readonly maxEntries = 48,
    private readonly dpi = REVIEW_DPI,
  ) {}

  /** The PNG of page `page` (1-based) of these PDF bytes, or null when the PDF has no such page. */
  get(
    sha256: string,
    page: number,
    bytes: () => Promise<Uint8Array | null>,
  ): Promise<Uint8Array<ArrayBuffer> | null> {
    const key = `${sha256}:${page}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    // The promise is cached, so concurrent requests for one page render it once.
    const rendered = this.render(page, bytes);
    this.entries.set(key, rendered);
    rendered.then(
      (png) => png ?? this.entries.delete(key),
      () => this.entries.delete(key),
    );
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return rendered;
  }

  private async render(
    page: number,
    bytes: () => Promise<Uint8Array | null>,
  ): Promise<Uint8Array<ArrayBuffer> | null> {
    const pdf = await bytes();
    if (!pdf) return null;
    return withPdfDocument(pdf, { limits: this.limits, render: true }, async (doc) => {
      if (page < 1 || page > doc.numPages) return null;
      const p = await doc.getPage(page);
      try {
        const canvas = await renderPageCanvas(p, this.dpi);
        return new Uint8Array(await canvas.encode('png'));
      } finally {
        p.cleanup();
      }
    });
  }
}
