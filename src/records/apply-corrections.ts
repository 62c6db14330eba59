import { z } from 'zod';
import {
  Decision,
  Guideline,
  type Item,
  LetterRecord,
  type Mismatch,
  type Provenance,
  RationaleConclusion,
  Sex,
} from '../../schemas/letter.js';
import { type Correction, FieldPath } from '../../schemas/review.js';
import { withoutCorrectedDoubts } from '../pipeline/validate/reading-doubts.js';
import { reviewerSpecialties } from '../pipeline/validate/specialties.js';
import { ReviewInputError } from './errors.js';

/**
 * QA corrections over a machine record, as pure functions: what a field path means, what values it takes
 * (form input converted to the record's types), and the corrected record. Item paths use the machine
 * record's indices (`items.N`), added items the indices after them, so removing an item never renumbers
 * another and a correction keeps meaning the item it was made on.
 */

export const LETTER_FIELDS = [
  'caseNumber',
  'decisionDate',
  'dateAssigned',
  'applicationReceived',
  'priority',
  'injuryDate',
  'urDate',
  'reviewer.licensure',
  'reviewer.specialty',
  'patient.age',
  'patient.sex',
] as const;
export type LetterField = (typeof LETTER_FIELDS)[number];

export const ITEM_FIELDS = [
  'description',
  'quantity',
  'decision',
  'originalRequest',
  'authorizedPortion',
  'rationaleConclusion',
] as const;
export type ItemField = (typeof ITEM_FIELDS)[number];

export type ParsedPath =
  | { kind: 'letter'; field: LetterField }
  | { kind: 'item'; index: number }
  | { kind: 'itemField'; index: number; field: ItemField };

const DATE_FIELDS: ReadonlySet<string> = new Set([
  'decisionDate',
  'dateAssigned',
  'applicationReceived',
  'injuryDate',
  'urDate',
]);

/** A field path (`Mismatch.field` syntax) taken apart; throws `ReviewInputError` for any other text. */
export function parsePath(path: string): ParsedPath {
  if (!FieldPath.safeParse(path).success) throw new ReviewInputError(`"${path}" is not a correctable field`);
  const item = /^items\.(\d+)(?:\.(\w+))?$/.exec(path);
  if (!item) return { kind: 'letter', field: path as LetterField };
  const index = Number(item[1]);
  return item[2] === undefined
    ? { kind: 'item', index }
    : { kind: 'itemField', index, field: item[2] as ItemField };
}

const bad = (path: string, why: string): never => {
  throw new ReviewInputError(`${path}: ${why}`);
};

/** Text or null; form input is trimmed and an empty string clears the field. */
function text(path: string, value: unknown, required = false): string | null {
  if (value === null || value === undefined) return required ? bad(path, 'a value is required') : null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return bad(path, 'expected text');
  const trimmed = value.trim();
  if (trimmed === '') return required ? bad(path, 'a value is required') : null;
  return trimmed;
}

function validDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** ISO `YYYY-MM-DD`, or the letters' own `M/D/YYYY` / `M-D-YYYY`, as an ISO date. */
function isoDate(path: string, value: unknown): string | null {
  const t = text(path, value);
  if (t === null) return null;
  let y: number;
  let m: number;
  let d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  const us = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(t);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (us) [y, m, d] = [Number(us[3]), Number(us[1]), Number(us[2])];
  else return bad(path, `"${t}" is not a date (YYYY-MM-DD)`);
  if (!validDate(y, m, d)) return bad(path, `"${t}" is not a calendar date`);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function wholeNumber(path: string, value: unknown, max: number): number | null {
  if (value === null || value === undefined) return null;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const t = value.trim();
    if (t === '') return null;
    if (!/^\d+$/.test(t)) return bad(path, `"${t}" is not a whole number`);
    n = Number(t);
  } else return bad(path, 'expected a whole number');
  if (!Number.isInteger(n) || n < 0 || n > max) {
    return bad(
      path,
      max < Number.MAX_SAFE_INTEGER ? `${n} is not a whole number 0-${max}` : `${n} is not a whole number`,
    );
  }
  return n;
}

/** A list of states: an array, or text split on commas and semicolons. */
function licensure(path: string, value: unknown): string[] {
  if (value === null || value === undefined) return [];
  const parts =
    typeof value === 'string'
      ? value.split(/[,;]/)
      : Array.isArray(value)
        ? value
        : bad(path, 'expected a list');
  return parts
    .map((p) => (typeof p === 'string' ? p.trim() : bad(path, 'expected text')))
    .filter((p) => p !== '');
}

function sex(path: string, value: unknown): 'male' | 'female' | null {
  const t = text(path, value)?.toLowerCase() ?? null;
  if (t === null) return null;
  if (t === 'm') return 'male';
  if (t === 'f') return 'female';
  const parsed = Sex.safeParse(t);
  return parsed.success ? parsed.data : bad(path, `"${t}" is not male or female`);
}

function decision(path: string, value: unknown): Decision {
  const t = text(path, value, true)?.toLowerCase();
  const parsed = Decision.safeParse(t);
  return parsed.success ? parsed.data : bad(path, `"${t}" is not upheld or overturned`);
}

function conclusion(path: string, value: unknown): RationaleConclusion | null {
  const t = text(path, value)
    ?.toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (t === undefined || t === null) return null;
  const parsed = RationaleConclusion.safeParse(t);
  return parsed.success ? parsed.data : bad(path, `"${t}" is not a rationale conclusion`);
}

function itemFieldValue(path: string, field: ItemField, value: unknown): unknown {
  switch (field) {
    case 'description':
      return text(path, value, true);
    case 'quantity':
      return wholeNumber(path, value, Number.MAX_SAFE_INTEGER);
    case 'decision':
      return decision(path, value);
    case 'originalRequest':
    case 'authorizedPortion':
      return text(path, value);
    case 'rationaleConclusion':
      return conclusion(path, value);
  }
}

/** A whole item as QA enters one: description and decision; everything else optional. */
const ItemInput = z.looseObject({
  description: z.unknown(),
  decision: z.unknown(),
  quantity: z.unknown().optional(),
  originalRequest: z.unknown().optional(),
  authorizedPortion: z.unknown().optional(),
  rationaleConclusion: z.unknown().optional(),
  raw: z.string().optional(),
  claimsAdministratorGuideline: Guideline.nullable().optional(),
  maximusGuideline: Guideline.nullable().optional(),
  rationale: z.string().nullable().optional(),
});

function wholeItem(path: string, value: unknown): Item {
  const parsed = ItemInput.safeParse(value);
  if (!parsed.success) return bad(path, `not an item: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const v = parsed.data;
  const description = text(`${path}.description`, v.description, true) as string;
  return {
    description,
    quantity: wholeNumber(`${path}.quantity`, v.quantity, Number.MAX_SAFE_INTEGER),
    decision: decision(`${path}.decision`, v.decision),
    originalRequest: text(`${path}.originalRequest`, v.originalRequest),
    authorizedPortion: text(`${path}.authorizedPortion`, v.authorizedPortion),
    raw: v.raw ?? description,
    claimsAdministratorGuideline: v.claimsAdministratorGuideline ?? null,
    maximusGuideline: v.maximusGuideline ?? null,
    rationale: v.rationale ?? null,
    rationaleConclusion: conclusion(`${path}.rationaleConclusion`, v.rationaleConclusion),
  };
}

/**
 * The value a correction of `path` stores, converted from form input: dates to ISO (`M/D/YYYY` accepted),
 * `patient.age` and quantities to whole numbers, `reviewer.licensure` to a list (text split on commas),
 * sex and decisions lower-cased, empty text to null; `items.N` takes an item (description and decision
 * required) or null (remove). Throws `ReviewInputError` for a value the field cannot hold.
 */
export function normalizeValue(path: string | ParsedPath, value: unknown): unknown {
  const parsed = typeof path === 'string' ? parsePath(path) : path;
  const name = pathText(parsed);
  if (parsed.kind === 'item') return value === null || value === undefined ? null : wholeItem(name, value);
  if (parsed.kind === 'itemField') return itemFieldValue(name, parsed.field, value);
  const field = parsed.field;
  if (DATE_FIELDS.has(field)) return isoDate(name, value);
  if (field === 'reviewer.licensure') return licensure(name, value);
  if (field === 'patient.age') return wholeNumber(name, value, 150);
  if (field === 'patient.sex') return sex(name, value);
  return text(name, value);
}

export function pathText(path: ParsedPath): string {
  if (path.kind === 'letter') return path.field;
  return path.kind === 'item' ? `items.${path.index}` : `items.${path.index}.${path.field}`;
}

function letterValue(record: LetterRecord, field: LetterField): unknown {
  switch (field) {
    case 'reviewer.licensure':
      return record.reviewer.licensure;
    case 'reviewer.specialty':
      return record.reviewer.specialty;
    case 'patient.age':
      return record.patient.age;
    case 'patient.sex':
      return record.patient.sex;
    default:
      return record[field];
  }
}

/**
 * The value at `path` in `record` (null when the record has no such item). `itemPaths` maps a corrected
 * record's item positions to their `items.N` indices (see `correct`); without it positions are indices,
 * as in a machine record.
 */
export function readField(
  record: LetterRecord,
  path: string | ParsedPath,
  itemPaths?: readonly number[],
): unknown {
  const parsed = typeof path === 'string' ? parsePath(path) : path;
  if (parsed.kind === 'letter') return letterValue(record, parsed.field);
  const position = itemPaths ? itemPaths.indexOf(parsed.index) : parsed.index;
  const item = position < 0 ? undefined : record.items[position];
  if (!item) return null;
  return parsed.kind === 'item' ? item : item[parsed.field];
}

/** The latest correction of each field, oldest first (the order they apply in). */
export function effectiveCorrections(corrections: readonly Correction[]): Correction[] {
  const latest = new Map<string, Correction>();
  for (const c of [...corrections].sort((a, b) => a.id - b.id)) {
    latest.delete(c.field); // re-insert, so the map stays in the order of the latest corrections
    latest.set(c.field, c);
  }
  return [...latest.values()];
}

export interface CorrectedRecord {
  record: LetterRecord;
  /** For each item of `record`, its `items.N` index (a machine index, or an added item's). */
  itemPaths: number[];
  /** Effective corrections that were applied. */
  applied: Correction[];
  /** Effective corrections that could not be (an item no longer there, a value the field cannot hold). */
  skipped: Correction[];
}

function setLetterField(record: LetterRecord, field: LetterField, value: unknown): LetterRecord {
  switch (field) {
    case 'reviewer.licensure':
      return { ...record, reviewer: { ...record.reviewer, licensure: value as string[] } };
    case 'reviewer.specialty': {
      // The canonical names follow the corrected printed value, so reports group the corrected letter.
      const specialty = value as string | null;
      return { ...record, reviewer: { ...record.reviewer, specialty, ...reviewerSpecialties(specialty) } };
    }
    case 'patient.age':
      return { ...record, patient: { ...record.patient, age: value as number | null } };
    case 'patient.sex':
      return { ...record, patient: { ...record.patient, sex: value as 'male' | 'female' | null } };
    default:
      return { ...record, [field]: value };
  }
}

/** `items.N...` field names moved to the corrected positions; those of removed items dropped. */
function remapItemField(field: string, position: ReadonlyMap<number, number>): string | null {
  const m = /^items\.(\d+)(.*)$/.exec(field);
  if (!m) return field;
  const to = position.get(Number(m[1]));
  return to === undefined ? null : `items.${to}${m[2]}`;
}

/**
 * The machine record with its corrections applied, and how: the latest correction per field wins;
 * `items.N` with an item adds one (or replaces machine item N), with null removes one; item field
 * corrections address `items.N` indices. Items come in index order (machine items, then added ones);
 * mismatches and provenance of items follow them to their new positions. The result is validated by the
 * `LetterRecord` schema. Corrections that cannot apply are skipped and listed, never thrown.
 */
export function correct(machine: LetterRecord, corrections: readonly Correction[]): CorrectedRecord {
  const slots = new Map<number, Item | null>(machine.items.map((item, i) => [i, item]));
  let record: LetterRecord = machine;
  const applied: Correction[] = [];
  const skipped: Correction[] = [];
  for (const c of effectiveCorrections(corrections)) {
    let path: ParsedPath;
    let value: unknown;
    try {
      path = parsePath(c.field);
      value = normalizeValue(path, c.value);
    } catch {
      skipped.push(c);
      continue;
    }
    if (path.kind === 'letter') record = setLetterField(record, path.field, value);
    else if (path.kind === 'item') slots.set(path.index, value as Item | null);
    else {
      const item = slots.get(path.index);
      if (!item) {
        skipped.push(c);
        continue;
      }
      slots.set(path.index, { ...item, [path.field]: value });
    }
    applied.push(c);
  }
  const itemPaths = [...slots.entries()]
    .filter(([, item]) => item !== null)
    .map(([index]) => index)
    .sort((a, b) => a - b);
  const items = itemPaths.map((index) => slots.get(index) as Item);
  // A reading doubt (OCR suspect, low confidence) on a field QA corrected is settled by the correction.
  let mismatches = withoutCorrectedDoubts(
    machine.mismatches,
    applied.map((c) => c.field),
  );
  let provenance = machine.provenance;
  const moved =
    itemPaths.some((index, position) => index !== position) || itemPaths.length < machine.items.length;
  if (moved) {
    const position = new Map(itemPaths.map((index, i) => [index, i]));
    mismatches = mismatches.flatMap((m): Mismatch[] => {
      const field = remapItemField(m.field, position);
      return field === null ? [] : [{ ...m, field }];
    });
    const entries: [string, Provenance][] = [];
    for (const [key, p] of Object.entries(provenance)) {
      const field = remapItemField(key, position);
      if (field !== null) entries.push([field, p]);
    }
    provenance = Object.fromEntries(entries);
  }
  const result = LetterRecord.parse({ ...record, items, mismatches, provenance });
  return { record: result, itemPaths, applied, skipped };
}

/** The machine record with its corrections applied (see `correct`). */
export function applyCorrections(record: LetterRecord, corrections: readonly Correction[]): LetterRecord {
  if (corrections.length === 0) return record;
  return correct(record, corrections).record;
}

function canonical(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim();
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v ?? null;
}

/** Equal as field values: whitespace runs and key order do not count, undefined is null. */
export function sameFieldValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
