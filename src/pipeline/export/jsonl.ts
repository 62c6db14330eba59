import type { ExportRecord } from './record.js';

/** JSON Lines: one record per line, each line ended by "\n" (empty text for no records). */
export function toJsonl(records: readonly ExportRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
