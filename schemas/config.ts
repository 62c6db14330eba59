import { z } from 'zod';

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** Everything a process can be configured with; `loadConfig(env)` is the only reader of the environment. */
export const Config = z.object({
  ocr: z.object({
    /** auto: OCR pages without a usable text layer; always; never. */
    mode: z.enum(['auto', 'always', 'never']).default('auto'),
    /** OCR worker threads per process; 0 means one per core. */
    workers: int(0, 0),
    /** Resolution to render pages for OCR (scanned pages that are one JPEG are used as stored). */
    dpi: int(72, 300),
    timeoutMs: int(1000, 120_000),
  }),
  limits: z.object({
    maxPages: int(1, 200),
  }),
});
export type Config = z.infer<typeof Config>;
