import { LetterRecord } from '../../schemas/letter.js';

/** A stored record (`record_json`), checked against the schema so a bad row fails where it is read. */
export function parseRecordJson(json: string): LetterRecord {
  return LetterRecord.parse(JSON.parse(json));
}

/** A record kept by another program version: null when this version's schema no longer reads it. */
export function readOldRecordJson(json: string): LetterRecord | null {
  const parsed = LetterRecord.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

/** A value as the store keeps it in a `*_json` column (undefined stored as null). */
export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

/** The value of a `*_json` column. */
export const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
