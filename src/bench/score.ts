import type { Label, LabelGuideline } from '../../schemas/label.js';
import type { Citation, LetterRecord, Mismatch } from '../../schemas/letter.js';

export interface FieldScore {
  field: string;
  correct: number;
  total: number;
}

export interface Miss {
  file: string;
  field: string;
  expected: unknown;
  actual: unknown;
  /** The record path this field is read from (`caseNumber`, `items.2.description`, `items` for the count). */
  path: string;
  /** Whether a mismatch (error or warning) on that field or its item points QA at it. */
  flagged: boolean;
}

/** A mismatch raised on a field that was read right, of the kinds `falseAlarmCodes` names. */
export interface FalseAlarm {
  file: string;
  field: string;
  code: string;
  /** The worst severity among that field's mismatches of those codes. */
  severity: Mismatch['severity'];
  message: string;
}

export interface FlagScore {
  /** Fields read wrong (the misses). */
  wrong: number;
  /** Of those, the ones a mismatch points at. */
  flagged: number;
  /** flagged / wrong; 1 when nothing is wrong. */
  recall: number;
  /** Mismatch codes counted as false alarms when they flag no miss. */
  falseAlarmCodes: string[];
  /** Field paths carrying a mismatch of those codes while every field it could flag is right. */
  falseAlarms: FalseAlarm[];
  /** Field paths carrying a mismatch of those codes (right or wrong), for a rate. */
  suspectFields: number;
  /** Letters with every field right, and those of them whose status is needs_review anyway. */
  cleanLetters: number;
  cleanSentToReview: string[];
}

export interface Score {
  fields: FieldScore[];
  misses: Miss[];
  decisions: { correct: number; total: number };
  flags: FlagScore;
}

function norm(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ').trim();
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  }
  return v ?? null;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function citations(g: LabelGuideline | { citations: Citation[] } | null | undefined): Citation[] | null {
  if (!g) return null;
  return g.citations.map((c) => ({ source: c.source, sections: c.sections, pages: c.pages }));
}

/** One compared field: its score name, its record path, the label's value and the record's. */
export interface Comparison {
  field: string;
  path: string;
  expected: unknown;
  actual: unknown;
}

const ITEM_PARTS = [
  'description',
  'quantity',
  'decision',
  'originalRequest',
  'authorizedPortion',
  'claimsAdministratorGuideline',
  'maximusGuideline',
] as const;

/** What a letter is scored on: one comparison per header field, one per item part. */
export function comparisonsOf(label: Label, record: LetterRecord): Comparison[] {
  const head = (field: string, expected: unknown, actual: unknown): Comparison => ({
    field,
    path: field,
    expected,
    actual,
  });
  const out: Comparison[] = [
    head('caseNumber', label.caseNumber, record.caseNumber),
    head('injuryDate', label.injuryDate, record.injuryDate),
    head('urDate', label.urDate, record.urDate),
    head('reviewer.licensure', label.reviewer.licensure, record.reviewer.licensure),
    head('reviewer.specialty', label.reviewer.specialty, record.reviewer.specialty),
    head('patient.age', label.patient.age, record.patient.age),
    head('patient.sex', label.patient.sex, record.patient.sex),
    { field: 'items.count', path: 'items', expected: label.items.length, actual: record.items.length },
  ];
  for (const key of ['dateAssigned', 'decisionDate', 'applicationReceived', 'priority'] as const) {
    if (label.extra && key in label.extra) out.push(head(key, label.extra[key] ?? null, record[key]));
  }
  label.items.forEach((want, i) => {
    const got = record.items[i];
    for (const part of ITEM_PARTS) {
      const guideline = part === 'claimsAdministratorGuideline' || part === 'maximusGuideline';
      out.push({
        field: `item.${part}`,
        path: `items.${i}.${part}`,
        expected: guideline ? citations(want[part]) : want[part],
        actual: guideline ? citations(got?.[part]) : got?.[part],
      });
    }
  });
  return out;
}

/** The (field, expected, actual) triples a letter is scored on: one per header field, one per item part. */
export function comparisons(label: Label, record: LetterRecord): [string, unknown, unknown][] {
  return comparisonsOf(label, record).map((c) => [c.field, c.expected, c.actual]);
}

const FLAG_SEVERITIES: ReadonlySet<Mismatch['severity']> = new Set(['error', 'warning']);

/**
 * Whether mismatch field `field` points at the compared field at record path `path`: the field itself
 * or anything under it; for an item's part, the whole item or any of its parts (a doubt about an item
 * sends QA to the whole item); for the item count, `items` or any item. An item the record lacks is
 * pointed at by `items` (a count doubt). `letter` points at nothing.
 */
export function flags(field: string, path: string, record: Pick<LetterRecord, 'items'>): boolean {
  if (field === 'letter') return false;
  const under = (p: string) => field === p || field.startsWith(`${p}.`);
  if (path === 'items') return under('items');
  const item = /^items\.(\d+)\./.exec(path);
  if (item) {
    const index = Number(item[1]);
    return under(`items.${index}`) || (index >= record.items.length && field === 'items');
  }
  return under(path);
}

/** Codes of the OCR-suspect kind: what `falseAlarms` counts by default. */
export const DEFAULT_FALSE_ALARM_CODES = ['ocr_suspect'];

/**
 * Scores records against labels: per-field accuracy, decision accuracy, every miss, and flag recall (the
 * share of misses a mismatch points QA at) with the false alarms of `falseAlarmCodes`.
 */
export function scoreRecords(
  pairs: { file: string; label: Label; record: LetterRecord }[],
  falseAlarmCodes: readonly string[] = DEFAULT_FALSE_ALARM_CODES,
): Score {
  const byField = new Map<string, FieldScore>();
  const misses: Miss[] = [];
  const decisions = { correct: 0, total: 0 };
  const falseAlarms: FalseAlarm[] = [];
  const codes = new Set(falseAlarmCodes);
  let suspectFields = 0;
  let cleanLetters = 0;
  const cleanSentToReview: string[] = [];
  for (const { file, label, record } of pairs) {
    const shown = record.mismatches.filter((m) => FLAG_SEVERITIES.has(m.severity));
    const letterMisses: Miss[] = [];
    comparisonsOf(label, record).forEach(({ field, path, expected, actual }, n) => {
      const s = byField.get(field) ?? { field, correct: 0, total: 0 };
      byField.set(field, s);
      s.total++;
      const ok = same(expected, actual);
      if (ok) s.correct++;
      else
        letterMisses.push({
          file,
          field: field.startsWith('item.') ? `${field}#${n}` : field,
          expected,
          actual: actual ?? null,
          path,
          flagged: shown.some((m) => flags(m.field, path, record)),
        });
      if (field === 'item.decision') {
        decisions.total++;
        if (ok) decisions.correct++;
      }
    });
    misses.push(...letterMisses);
    if (letterMisses.length === 0 && record.status !== 'failed') {
      cleanLetters++;
      if (record.status === 'needs_review') cleanSentToReview.push(file);
    }
    // One false alarm per field path: several suspect words in one field are one thing for QA to check.
    const suspects = new Map<string, Mismatch>();
    for (const m of shown) {
      const seen = suspects.get(m.field);
      if (codes.has(m.code) && (!seen || (seen.severity !== 'error' && m.severity === 'error'))) {
        suspects.set(m.field, m);
      }
    }
    suspectFields += suspects.size;
    for (const [field, m] of suspects) {
      if (letterMisses.some((miss) => flags(field, miss.path, record))) continue;
      falseAlarms.push({ file, field, code: m.code, severity: m.severity, message: m.message });
    }
  }
  const flagged = misses.filter((m) => m.flagged).length;
  return {
    fields: [...byField.values()],
    misses,
    decisions,
    flags: {
      wrong: misses.length,
      flagged,
      recall: misses.length === 0 ? 1 : flagged / misses.length,
      falseAlarmCodes: [...codes],
      falseAlarms,
      suspectFields,
      cleanLetters,
      cleanSentToReview,
    },
  };
}

export function totals(score: Score): { correct: number; total: number; accuracy: number } {
  const correct = score.fields.reduce((a, f) => a + f.correct, 0);
  const total = score.fields.reduce((a, f) => a + f.total, 0);
  return { correct, total, accuracy: total === 0 ? 0 : correct / total };
}
