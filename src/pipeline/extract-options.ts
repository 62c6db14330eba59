import type { Config } from '../../schemas/config.js';
import type { ExtractOptions, OcrMode } from './extract/extract-text.js';
import type { PdfLimits } from './extract/pdf-document.js';
import { PdfThreads } from './extract/pdf-threads.js';
import { TesseractPool } from './extract/tesseract-pool.js';

export interface ExtractRuntime {
  options: ExtractOptions;
  /** Starts the PDF threads now rather than on the first document. */
  warm(): Promise<void>;
  /** Terminates the OCR workers; call once at shutdown. */
  close(): Promise<void>;
}

/** The per-file limits pdf.js work runs under, from the configuration. */
export function pdfLimitsOf(config: Config): PdfLimits {
  const { maxPages, maxPixels, maxInflatedMb } = config.limits;
  return { maxPages, maxPixels, maxInflatedBytes: maxInflatedMb * 2 ** 20 };
}

/**
 * Extract options for a process: its one OCR pool (started on first use, none when OCR is off) and its
 * PDF-reading threads (one per concurrent extraction, with the configured limits).
 */
export function createExtractRuntime(config: Config, mode: OcrMode = config.ocr.mode): ExtractRuntime {
  const pool =
    mode === 'never' ? null : new TesseractPool(config.ocr.workers > 0 ? { size: config.ocr.workers } : {});
  const { pageTimeMs, memoryMb, threads: isolate } = config.limits;
  const threads = isolate
    ? new PdfThreads(config.workers.extractConcurrency, { pageTimeMs, memoryMb })
    : null;
  return {
    options: {
      limits: pdfLimitsOf(config),
      ocr: { mode, engine: pool, dpi: config.ocr.dpi, timeoutMs: config.ocr.timeoutMs },
      ...(threads ? { reader: threads } : {}),
    },
    warm: async () => {
      await threads?.warm();
    },
    close: async () => {
      await Promise.all([pool?.close(), threads?.close()]);
    },
  };
}
