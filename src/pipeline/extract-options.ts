import type { Config } from '../../schemas/config.js';
import type { ExtractOptions, OcrMode } from './extract/extract-text.js';
import { PdfThreads } from './extract/pdf-threads.js';
import { TesseractPool } from './extract/tesseract-pool.js';

export interface ExtractRuntime {
  options: ExtractOptions;
  /** Terminates the OCR workers; call once at shutdown. */
  close(): Promise<void>;
}

/**
 * Extract options for a process: its one OCR pool (started on first use, none when OCR is off) and its
 * PDF-reading threads (one per concurrent extraction, with the configured limits).
 */
export function createExtractRuntime(config: Config, mode: OcrMode = config.ocr.mode): ExtractRuntime {
  const pool =
    mode === 'never' ? null : new TesseractPool(config.ocr.workers > 0 ? { size: config.ocr.workers } : {});
  const { maxPages, maxPixels, pageTimeMs, memoryMb, threads: isolate } = config.limits;
  const threads = isolate
    ? new PdfThreads(config.workers.extractConcurrency, { pageTimeMs, memoryMb })
    : null;
  return {
    options: {
      limits: { maxPages, maxPixels },
      ocr: { mode, engine: pool, dpi: config.ocr.dpi, timeoutMs: config.ocr.timeoutMs },
      ...(threads ? { reader: threads } : {}),
    },
    close: async () => {
      await Promise.all([pool?.close(), threads?.close()]);
    },
  };
}
