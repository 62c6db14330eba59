import type { Layout, LetterFields, Mismatch, Provenance } from '../../../schemas/letter.js';
import type { TextDocument } from '../../../schemas/text.js';
import { type Joined, provenanceOf } from './doc-lines.js';
import type { LetterEvidence } from './evidence.js';

export interface ParseResult {
  layout: Layout;
  fields: LetterFields;
  provenance: Record<string, Provenance>;
  mismatches: Mismatch[];
  /** What the text says apart from the fields, for the validator. */
  evidence: LetterEvidence;
}

/** Collects where each field came from, and the parser's own doubts, while a parser runs. */
export class FieldTrace {
  readonly provenance: Record<string, Provenance> = {};
  readonly mismatches: Mismatch[] = [];

  constructor(private readonly doc: TextDocument) {}

  /** Records that `field` was read from `run` (characters [start, end) of it when given). */
  from(field: string, run: Joined | undefined, start?: number, end?: number): void {
    if (!run || run.text === '') return;
    const p = provenanceOf(this.doc, run, start ?? 0, end ?? run.text.length);
    if (p) this.provenance[field] = p;
  }

  doubt(field: string, code: string, message: string, severity: Mismatch['severity'] = 'warning'): void {
    this.mismatches.push({ field, code, severity, message });
  }
}

export function emptyFields(): LetterFields {
  return {
    caseNumber: null,
    decisionDate: null,
    dateAssigned: null,
    applicationReceived: null,
    priority: null,
    injuryDate: null,
    urDate: null,
    reviewer: { licensure: [], specialty: null },
    patient: { age: null, sex: null },
    items: [],
  };
}
