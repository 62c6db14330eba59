import { LetterRecord } from '../../schemas/letter.js';
import { reviewerSpecialties } from '../pipeline/validate/specialties.js';

/**
 * The record with `reviewer.specialties` and `reviewer.primarySpecialty`: records written before the
 * canonical names lack them, and get them derived from the printed specialty (as the pipeline would).
 */
export function withSpecialties(record: LetterRecord): LetterRecord {
  const r = record.reviewer;
  if (r.specialties !== undefined && r.primarySpecialty !== undefined) return record;
  return { ...record, reviewer: { ...r, ...reviewerSpecialties(r.specialty) } };
}

/** A stored record (`record_json`), checked against the schema so a bad row fails where it is read. */
export function parseRecordJson(json: string): LetterRecord {
  return withSpecialties(LetterRecord.parse(JSON.parse(json)));
}

/** A record kept by another program version: null when this version's schema no longer reads it. */
export function readOldRecordJson(json: string): LetterRecord | null {
  const parsed = LetterRecord.safeParse(JSON.parse(json));
  return parsed.success ? withSpecialties(parsed.data) : null;
}

/** A value as the store keeps it in a `*_json` column (undefined stored as null). */
export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

/** The value of a `*_json` column. */
export const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
