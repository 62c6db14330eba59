import type { LetterRecord } from '../../../schemas/letter.js';

/** A QA correction as exported beside the corrected value: what the machine read there. */
export interface ExportedCorrection {
  /** The correction's field path (`items.N` in the machine record's numbering). */
  field: string;
  /** For an item field or item: its position in the exported `items` (null: a removed item or a letter field). */
  itemIndex: number | null;
  /** The current machine value of the field (null for an added item). */
  machine: unknown;
  /** The corrected value (what the record holds). */
  value: unknown;
  author: string;
  reason: string | null;
  at: string;
}

/**
 * A record as exports write it: the corrected values, and, when QA corrected any, `corrections` (the
 * latest correction of each field, with the machine value beside it). Without corrections it is exactly
 * the machine record, so `LetterRecord.parse` reads every line either way.
 */
export type ExportRecord = LetterRecord & { corrections?: ExportedCorrection[] };
