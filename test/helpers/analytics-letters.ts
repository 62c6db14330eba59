import type { LetterRecord } from '../../schemas/letter.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { type ReportItemRow, reportRows } from '../../src/records/report-rows.js';
import type { Store } from '../../src/store/store.js';
import { generateLetterPdf, LAYOUTS } from '../../src/synth/index.js';

export interface StoredLetter {
  record: LetterRecord;
  pdf: Uint8Array;
}

/**
 * Synthetic letters read by the real extractor and parser: varied layouts, dates (2013-2017),
 * specialties, categories and decisions. Deterministic for the seeds.
 */
export async function makeLetters(seeds: readonly number[]): Promise<StoredLetter[]> {
  const out: StoredLetter[] = [];
  for (const seed of seeds) {
    const layout = LAYOUTS[seed % LAYOUTS.length]!;
    const { pdf } = await generateLetterPdf(seed, { layout, items: 2 + (seed % 4) });
    const { record } = await processPdf(`synthetic-${seed}.pdf`, pdf);
    out.push({ record, pdf });
  }
  return out;
}

/** Stores letters as the pipeline would (document, text-less record, status `done`). */
export async function storeLetters(store: Store, letters: readonly StoredLetter[]): Promise<void> {
  for (const { record, pdf } of letters) {
    await store.registerFile({ sha256: record.sha256, path: `/inbox/${record.file}`, bytes: pdf });
    await store.saveRecord(record);
    await store.setStatus(record.sha256, 'done');
  }
}

/** What the `items` view holds for these letters (no corrections), with each item's guideline families. */
export interface ExpectedItem extends ReportItemRow {
  decision_date: string | null;
  reviewer_specialty: string | null;
  primary_specialty: string | null;
  /** The letter's canonical specialties (`letter_specialties`), primary first. */
  specialties: string[];
  case_number: string | null;
  families: Set<string>;
}

export function expectedItems(letters: readonly StoredLetter[]): ExpectedItem[] {
  return letters.flatMap(({ record }) => {
    const rows = reportRows(record, { state: null, corrections: 0 });
    return rows.items.map((item) => ({
      ...item,
      decision_date: rows.letter.decision_date,
      reviewer_specialty: rows.letter.reviewer_specialty,
      primary_specialty: rows.letter.primary_specialty,
      specialties: rows.specialties.map((s) => s.specialty),
      case_number: rows.letter.case_number,
      families: new Set(rows.citations.filter((c) => c.item_idx === item.idx).map((c) => c.family)),
    }));
  });
}
