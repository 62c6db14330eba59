import type { LetterRecord, Mismatch } from '../../schemas/letter.js';
import type { Correction } from '../../schemas/review.js';
import { recordFromText } from '../pipeline/process-letter.js';
import {
  effectiveCorrections,
  type ParsedPath,
  parsePath,
  readField,
  sameFieldValue,
} from '../records/apply-corrections.js';
import { CORRECTION_DISAGREES } from '../records/document-status.js';
import type { CorrectionDisagreement, Store } from '../store/store.js';

const brief = (v: unknown) => {
  const text = JSON.stringify(v ?? null);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * The corrections a new machine record disagrees with: the field's new machine value is neither the
 * machine value the correction was made against nor the corrected value (the parser changed its reading,
 * and not to what QA said). Only the latest correction of each field counts.
 */
export function findDisagreements(
  record: LetterRecord,
  corrections: readonly Correction[],
): CorrectionDisagreement[] {
  if (record.status === 'failed') return [];
  const out: CorrectionDisagreement[] = [];
  for (const c of effectiveCorrections(corrections)) {
    let path: ParsedPath;
    try {
      path = parsePath(c.field);
    } catch {
      continue;
    }
    const newValue = readField(record, path);
    if (sameFieldValue(newValue, c.machineValue) || sameFieldValue(newValue, c.value)) continue;
    out.push({ correctionId: c.id, field: c.field, machineValue: c.machineValue, value: c.value, newValue });
  }
  return out;
}

/** The record with a warning mismatch `correction_disagrees` on each disagreeing field. */
export function flagDisagreements(
  record: LetterRecord,
  disagreements: readonly CorrectionDisagreement[],
): LetterRecord {
  if (disagreements.length === 0) return record;
  const flags: Mismatch[] = disagreements.map((d) => ({
    field: d.field,
    code: CORRECTION_DISAGREES,
    severity: 'warning',
    message: `parser ${record.parserVersion} reads ${brief(d.newValue)}; QA corrected ${brief(d.machineValue)} to ${brief(d.value)} (correction ${d.correctionId})`,
  }));
  return { ...record, mismatches: [...record.mismatches, ...flags] };
}

/**
 * Saves a re-parsed machine record (reprocess, the parse stage): corrections are kept as they are; the
 * fields whose correction the new parser disagrees with get a `correction_disagrees` warning, and those
 * whose reading changed since `previous` (the record being replaced) an audit row each; an approved
 * letter with such a change is reopened. The same disagreement found again (a second reprocess) is
 * still flagged but not audited again, so a letter QA approved since stays approved.
 */
export async function saveReparsedRecord(
  store: Store,
  record: LetterRecord,
  previous: LetterRecord | null,
): Promise<{ record: LetterRecord; disagreements: CorrectionDisagreement[]; reopened: boolean }> {
  const corrections = record.status === 'failed' ? [] : await store.listCorrections(record.sha256);
  const found = findDisagreements(record, corrections);
  const flagged = flagDisagreements(record, found);
  await store.saveRecord(flagged);
  const changed = found.filter(
    (d) =>
      !previous || previous.status === 'failed' || !sameFieldValue(readField(previous, d.field), d.newValue),
  );
  const { reopened } = await store.recordDisagreements({
    sha256: record.sha256,
    parserVersion: record.parserVersion,
    disagreements: changed,
  });
  return { record: flagged, disagreements: changed, reopened };
}

/**
 * Parses a stored document again from its page text (never the PDF, never OCR) and saves the record as
 * `saveReparsedRecord` does: the one re-parse path of the parse stage and `imr reprocess`. Null when the
 * document or its page text is not stored.
 */
export async function reparseStored(
  store: Store,
  sha256: string,
): Promise<{
  previous: LetterRecord | null;
  record: LetterRecord;
  disagreements: CorrectionDisagreement[];
  reopened: boolean;
} | null> {
  const [doc, text, previous] = await Promise.all([
    store.getDocument(sha256),
    store.getText(sha256),
    store.getRecord(sha256),
  ]);
  if (!doc || !text) return null;
  const saved = await saveReparsedRecord(store, recordFromText(doc.fileName, sha256, text), previous);
  return { previous, ...saved };
}
