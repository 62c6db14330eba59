import type { Label, LabelGuideline } from '../../schemas/label.js';
import type { Citation, LetterRecord } from '../../schemas/letter.js';

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
}

export interface Score {
  fields: FieldScore[];
  misses: Miss[];
  decisions: { correct: number; total: number };
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

/** The (field, expected, actual) triples a letter is scored on: one per header field, one per item part. */
export function comparisons(label: Label, record: LetterRecord): [string, unknown, unknown][] {
  const out: [string, unknown, unknown][] = [
    ['caseNumber', label.caseNumber, record.caseNumber],
    ['injuryDate', label.injuryDate, record.injuryDate],
    ['urDate', label.urDate, record.urDate],
    ['reviewer.licensure', label.reviewer.licensure, record.reviewer.licensure],
    ['reviewer.specialty', label.reviewer.specialty, record.reviewer.specialty],
    ['patient.age', label.patient.age, record.patient.age],
    ['patient.sex', label.patient.sex, record.patient.sex],
    ['items.count', label.items.length, record.items.length],
  ];
  for (const key of ['dateAssigned', 'decisionDate', 'applicationReceived', 'priority'] as const) {
    if (label.extra && key in label.extra) out.push([key, label.extra[key] ?? null, record[key]]);
  }
  label.items.forEach((want, i) => {
    const got = record.items[i];
    out.push(
      ['item.description', want.description, got?.description],
      ['item.quantity', want.quantity, got?.quantity],
      ['item.decision', want.decision, got?.decision],
      ['item.originalRequest', want.originalRequest, got?.originalRequest],
      ['item.authorizedPortion', want.authorizedPortion, got?.authorizedPortion],
      [
        'item.claimsAdministratorGuideline',
        citations(want.claimsAdministratorGuideline),
        citations(got?.claimsAdministratorGuideline),
      ],
      ['item.maximusGuideline', citations(want.maximusGuideline), citations(got?.maximusGuideline)],
    );
  });
  return out;
}

/** Scores records against labels: per-field accuracy, decision accuracy and every miss. */
export function scoreRecords(pairs: { file: string; label: Label; record: LetterRecord }[]): Score {
  const byField = new Map<string, FieldScore>();
  const misses: Miss[] = [];
  const decisions = { correct: 0, total: 0 };
  for (const { file, label, record } of pairs) {
    comparisons(label, record).forEach(([field, expected, actual], n) => {
      const s = byField.get(field) ?? { field, correct: 0, total: 0 };
      byField.set(field, s);
      s.total++;
      const ok = same(expected, actual);
      if (ok) s.correct++;
      else
        misses.push({
          file,
          field: field.startsWith('item.') ? `${field}#${n}` : field,
          expected,
          actual: actual ?? null,
        });
      if (field === 'item.decision') {
        decisions.total++;
        if (ok) decisions.correct++;
      }
    });
  }
  return { fields: [...byField.values()], misses, decisions };
}

export function totals(score: Score): { correct: number; total: number; accuracy: number } {
  const correct = score.fields.reduce((a, f) => a + f.correct, 0);
  const total = score.fields.reduce((a, f) => a + f.total, 0);
  return { correct, total, accuracy: total === 0 ? 0 : correct / total };
}
