import { availableParallelism } from 'node:os';
import type { Config } from '../../schemas/config.js';
import type { ExtractOptions, OcrMode } from './extract/extract-text.js';
import type { PdfLimits } from './extract/pdf-document.js';
import { PdfThreads } from './extract/pdf-threads.js';
import { TesseractPool } from './extract/tesseract-pool.js';

export interface ExtractRuntime {
  options: ExtractOptions;
  /** Starts the PDF threads now rather than on the first document (workers then warm them up). */
  startThreads(): Promise<void>;
  /** How many letters can be read side by side (the PDF threads, or 1 without them). */
  lanes: number;
  /** Terminates the OCR workers; call once at shutdown. */
  close(): Promise<void>;
}

/** The per-file limits pdf.js work runs under, from the configuration. */
export function pdfLimitsOf(config: Config): PdfLimits {
  const { maxPages, maxPixels, maxInflatedMb } = config.limits;
  return { maxPages, maxPixels, maxInflatedBytes: maxInflatedMb * 2 ** 20 };
}

/**
 * PDF-reading threads for a process. Each one is a V8 isolate that compiles pdf.js anew and competes for
 * the cores with the job's own thread: on 2 cores, one thread (beside the main one) read 500 letters with
 * less CPU per letter than two, and left room for a second worker process.
 */
export function pdfThreadCount(config: Config, cores = availableParallelism()): number {
  const wanted = config.limits.threadCount > 0 ? config.limits.threadCount : cores - 1;
  return Math.max(1, Math.min(config.workers.extractConcurrency, wanted));
}

/**
 * Extract options for a process: its one OCR pool (started on first use, none when OCR is off) and its
 * PDF-reading threads (`pdfThreadCount`, with the configured limits).
 */
export function createExtractRuntime(config: Config, mode: OcrMode = config.ocr.mode): ExtractRuntime {
  const pool =
    mode === 'never'
      ? null
      : new TesseractPool({
          ...(config.ocr.workers > 0 ? { size: config.ocr.workers } : {}),
          recyclePages: config.ocr.recyclePages,
          nice: config.ocr.nice,
        });
  const { pageTimeMs, memoryMb, threads: isolate } = config.limits;
  const threadCount = pdfThreadCount(config);
  const threads = isolate ? new PdfThreads(threadCount, { pageTimeMs, memoryMb }) : null;
  const options: ExtractOptions = {
    limits: pdfLimitsOf(config),
    ocr: { mode, engine: pool, dpi: config.ocr.dpi, timeoutMs: config.ocr.timeoutMs },
    ...(threads ? { reader: threads } : {}),
  };
  return {
    options,
    startThreads: async () => {
      await threads?.warm();
    },
    lanes: threads ? threadCount : 1,
    close: async () => {
      await Promise.all([pool?.close(), threads?.close()]);
    },
  };
}
