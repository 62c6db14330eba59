import type { DocStatus } from '../../schemas/document.js';
import type { LetterRecord } from '../../schemas/letter.js';
import type { Correction } from '../../schemas/review.js';
import { type ExportRecord, writeRecordFile } from '../pipeline/export/index.js';
import { correct, parsePath, readField } from '../records/apply-corrections.js';
import { docStatusFor } from '../records/document-status.js';
import type { Store } from '../store/store.js';

/**
 * What exports write for a letter: the corrected record and, when QA corrected anything, a `corrections`
 * list with the machine value beside each corrected one. Without corrections: the machine record itself.
 */
export function exportRecordOf(machine: LetterRecord, corrections: readonly Correction[]): ExportRecord {
  if (corrections.length === 0) return machine;
  const { record, itemPaths, applied } = correct(machine, corrections);
  if (applied.length === 0) return record;
  return {
    ...record,
    corrections: applied.map((c) => {
      const path = parsePath(c.field);
      const position = path.kind === 'letter' ? -1 : itemPaths.indexOf(path.index);
      return {
        field: c.field,
        itemIndex: position < 0 ? null : position,
        machine: readField(machine, path),
        value: readField(record, path, itemPaths),
        author: c.author,
        reason: c.reason,
        at: c.createdAt,
      };
    }),
  };
}

/** Every stored letter as exports write it (corrected), ordered by sha256: for `imr export`. */
export async function loadExportRecords(store: Store): Promise<ExportRecord[]> {
  const [records, corrections] = await Promise.all([store.listRecords(), store.listAllCorrections()]);
  const bySha = new Map<string, Correction[]>();
  for (const c of corrections) {
    const list = bySha.get(c.sha256);
    if (list) list.push(c);
    else bySha.set(c.sha256, [c]);
  }
  return records.map((r) => exportRecordOf(r, bySha.get(r.sha256) ?? []));
}

/**
 * (Re)writes a letter's per-letter export (`exportDir/records/<sha256>.json`) from its corrected record,
 * and says which terminal status the letter should have (the caller sets it when that is its job).
 * Null when the letter has no record.
 */
export async function exportLetter(
  store: Store,
  exportDir: string,
  sha256: string,
): Promise<{ path: string; status: DocStatus; record: ExportRecord } | null> {
  const [machine, corrections, review] = await Promise.all([
    store.getRecord(sha256),
    store.listCorrections(sha256),
    store.getReview(sha256),
  ]);
  if (!machine) return null;
  const record = exportRecordOf(machine, corrections);
  const path = await writeRecordFile(record, exportDir);
  return { path, status: docStatusFor(machine, review), record };
}

/**
 * Writes a letter's export and gives the document the terminal status it calls for: the export stage
 * and `imr reprocess`. Null when the letter has no record.
 */
export async function exportAndSettle(
  store: Store,
  exportDir: string,
  sha256: string,
): Promise<{ path: string; status: DocStatus; record: ExportRecord } | null> {
  const exported = await exportLetter(store, exportDir, sha256);
  if (exported) await store.setStatus(sha256, exported.status);
  return exported;
}
