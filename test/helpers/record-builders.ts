import { type Citation, type Item, LetterRecord } from '../../schemas/letter.js';

/** Hand-made records for the analyst and CLI tests, whose numbers are worked out by hand beside them. */

/** A citation as [source, sections]. */
export type Cite = [source: string, sections?: string];

export function guideline(cites: Cite[] | null) {
  if (cites === null) return null;
  const citations: Citation[] = cites.map(([source, sections]) => ({
    source,
    sections: sections ?? null,
    pages: null,
  }));
  return { citations, raw: cites.map(([s]) => s).join('; ') };
}

export function item(
  description: string,
  decision: Item['decision'],
  ca: Cite[] | null,
  mx: Cite[] | null,
): Item {
  return {
    description,
    quantity: null,
    decision,
    originalRequest: null,
    authorizedPortion: null,
    raw: description,
    claimsAdministratorGuideline: guideline(ca),
    maximusGuideline: guideline(mx),
    rationale: null,
    rationaleConclusion: null,
  };
}

export interface LetterFacts {
  file: string;
  caseNumber: string;
  parserVersion: string;
  dates: { decision: string; received: string; injury: string };
  specialty: string | null;
  patient: { age: number; sex: 'male' | 'female' };
  items: Item[];
}

/** An `ok` text-layer record with the given facts; its sha256 is `key` repeated. */
export function letterRecord(key: string, facts: LetterFacts): LetterRecord {
  return LetterRecord.parse({
    file: facts.file,
    sha256: key.repeat(64),
    status: 'ok',
    error: null,
    textSource: 'text-layer',
    layout: 'fdl-2016',
    parserVersion: facts.parserVersion,
    pages: [{ page: 1, source: 'text-layer', chars: 3000 }],
    caseNumber: facts.caseNumber,
    decisionDate: facts.dates.decision,
    dateAssigned: facts.dates.received,
    applicationReceived: facts.dates.received,
    priority: 'Standard',
    injuryDate: facts.dates.injury,
    urDate: null,
    reviewer: { licensure: ['California'], specialty: facts.specialty },
    patient: facts.patient,
    items: facts.items,
    mismatches: [],
    provenance: {},
  });
}
