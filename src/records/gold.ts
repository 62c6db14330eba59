import { type Label, type LabelGuideline, Label as LabelSchema } from '../../schemas/label.js';
import type { Guideline, LetterRecord } from '../../schemas/letter.js';
import { scoreRecords, totals } from '../bench/score.js';

function labelGuideline(g: Guideline | null): LabelGuideline | null {
  if (!g) return null;
  // The development set's top-level source/sections/pages are its first citation's.
  const first = g.citations[0];
  return {
    source: first?.source ?? null,
    sections: first?.sections ?? null,
    pages: first?.pages ?? null,
    citations: g.citations.map((c) => ({ source: c.source, sections: c.sections, pages: c.pages })),
    raw: g.raw,
  };
}

/**
 * A ground-truth label (the development set's format, `schemas/label.ts`) from a record: for the gold
 * set, from an approved letter's corrected record. Every header field goes into `extra`, so all are scored.
 */
export function labelFromRecord(record: LetterRecord, notes: string[] = []): Label {
  return LabelSchema.parse({
    caseNumber: record.caseNumber,
    reviewer: { licensure: record.reviewer.licensure, specialty: record.reviewer.specialty },
    patient: { age: record.patient.age, sex: record.patient.sex },
    injuryDate: record.injuryDate,
    urDate: record.urDate,
    items: record.items.map((item) => ({
      description: item.description,
      quantity: item.quantity,
      decision: item.decision,
      originalRequest: item.originalRequest,
      authorizedPortion: item.authorizedPortion,
      raw: item.raw,
      claimsAdministratorGuideline: labelGuideline(item.claimsAdministratorGuideline),
      maximusGuideline: labelGuideline(item.maximusGuideline),
    })),
    extra: {
      dateAssigned: record.dateAssigned,
      decisionDate: record.decisionDate,
      applicationReceived: record.applicationReceived,
      priority: record.priority,
    },
    ...(notes.length > 0 ? { _notes: notes } : {}),
  });
}

/** Field accuracy of machine records against truth records, with the scorer `bench:accuracy` uses. */
export function scoreAgainst(pairs: readonly { truth: LetterRecord; machine: LetterRecord }[]): {
  fields: number;
  correct: number;
  accuracy: number;
} {
  const score = scoreRecords(
    pairs.map((p) => ({ file: p.truth.file, label: labelFromRecord(p.truth), record: p.machine })),
  );
  const t = totals(score);
  return { fields: t.total, correct: t.correct, accuracy: t.total === 0 ? 1 : t.accuracy };
}
