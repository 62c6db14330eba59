import type { Config } from '../../schemas/config.js';
import type { ExtractOptions, OcrMode } from './extract/extract-text.js';
import { TesseractPool } from './extract/tesseract-pool.js';

export interface ExtractRuntime {
  options: ExtractOptions;
  /** Terminates the OCR workers; call once at shutdown. */
  close(): Promise<void>;
}

/** Extract options for a process, with its one OCR pool (started on first use, none when OCR is off). */
export function createExtractRuntime(config: Config, mode: OcrMode = config.ocr.mode): ExtractRuntime {
  const pool =
    mode === 'never' ? null : new TesseractPool(config.ocr.workers > 0 ? { size: config.ocr.workers } : {});
  return {
    options: {
      limits: config.limits,
      ocr: { mode, engine: pool, dpi: config.ocr.dpi, timeoutMs: config.ocr.timeoutMs },
    },
    close: async () => {
      await pool?.close();
    },
  };
}
