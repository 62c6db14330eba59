import { z } from 'zod';

/** [x0, y0, x1, y1] in PDF points, origin at the top-left of the page (y grows downwards). */
export const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export type Box = z.infer<typeof Box>;

export const TextSource = z.enum(['text-layer', 'ocr']);
export type TextSource = z.infer<typeof TextSource>;

/**
 * A run of characters that share one box: a pdf.js text item or an OCR word.
 * `start`/`end` index into the page's `text`; characters inside are placed by linear interpolation.
 */
export const TextSegment = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  box: Box,
  /** 0..1; 1 for a text layer, the OCR engine's word confidence otherwise. */
  confidence: z.number().min(0).max(1),
  bold: z.boolean().optional(),
});
export type TextSegment = z.infer<typeof TextSegment>;

export const TextLine = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  box: Box,
  segments: z.array(TextSegment),
});
export type TextLine = z.infer<typeof TextLine>;

/**
 * One page as the parser sees it. Stored as is so that parsing can be replayed without pdf.js or OCR.
 * `text` is the lines joined by "\n"; a wide gap inside a line is kept as two or more spaces.
 */
export const TextPage = z.object({
  page: z.number().int().positive(),
  width: z.number().positive(),
  height: z.number().positive(),
  source: TextSource,
  text: z.string(),
  lines: z.array(TextLine),
});
export type TextPage = z.infer<typeof TextPage>;

export const TextDocument = z.object({
  pages: z.array(TextPage),
});
export type TextDocument = z.infer<typeof TextDocument>;
