import { findDate } from './dates.js';
import { DECISION_WORD } from './loose.js';

/**
 * What the letter text itself says, read apart from the fields: the validator checks the extracted
 * fields against it (item count against decision markers, header dates against the case summary, a
 * layout whose usual sections are missing).
 */
export interface LetterEvidence {
  /** Decision markers in the decisions section: "<item>: Upheld" (fdl), numbered determinations (2013). */
  decisionMarkers: number;
  /** Rationale paragraphs: "Decision rationale:" (fdl), "Rationale Used by the Expert Reviewer:" (2013). */
  rationaleMarkers: number;
  /** Dates the case summary states for the injury and for the UR decision, ISO, in letter order. */
  summaryDates: { injuryDate: string[]; urDate: string[] };
  /** Headings or labels every letter of the detected layout has, not found in this one. */
  missingSections: string[];
  /** Where the parser had to fall back on a guess. */
  fallbacks: string[];
}

export function emptyEvidence(): LetterEvidence {
  return {
    decisionMarkers: 0,
    rationaleMarkers: 0,
    summaryDates: { injuryDate: [], urDate: [] },
    missingSections: [],
    fallbacks: [],
  };
}

/** "<item>: Upheld" anywhere in the text, the word possibly on a later line (OCR spellings allowed). */
export function countDecisionMarkers(text: string): number {
  return [...text.matchAll(new RegExp(String.raw`[:;]\s*${DECISION_WORD}\b`, 'gi'))].length;
}

/** Lines that start with a label, e.g. "Decision rationale:". */
export function countLabels(lines: readonly string[], label: RegExp): number {
  return lines.filter((l) => label.test(l)).length;
}

// Phrases that introduce the date of injury ("sustained an industrial injury on", "occupational claim
// from", "date of Injury of"); "injured worker" alone names the person, not the event.
const INJURY_PHRASE =
  /\b(?:dates?\s+of\s+(?:injury|loss)|injury\s+dates?|DOI|(?:sustained|suffered|reported|incurred|had)\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}injur(?:y|ies)|(?:industrial|occupational|work|specific)(?:[\s-]+[\w-]+){0,2}?[\s-]+injur(?:y|ies)|occupational\s+claim|(?:was|were|got)\s+injured|injured\s+(?:on|while|when)|cumulative\s+trauma|continuous\s+trauma)\b/gi;
/** Between two dates of one statement: "from X to Y", "X and Y", "X, Y". */
const DATE_JOIN = /^\s*(?:,|-|–|to|through|thru|and|or|&|,\s*and)\s*$/i;

/** Dates the summary gives for the injury: the first date in the clause after each injury phrase. */
export function statedInjuryDates(summary: string): string[] {
  const out: string[] = [];
  for (const m of summary.matchAll(INJURY_PHRASE)) {
    let at = m.index + m[0].length;
    let date = findDate(summary, at);
    if (!date || !/^[^.;]{0,45}$/.test(summary.slice(at, date.index))) continue;
    while (date) {
      out.push(date.iso);
      at = date.index + date.length;
      const next = findDate(summary, at);
      if (!next || !DATE_JOIN.test(summary.slice(at, next.index))) break;
      date = next;
    }
  }
  return [...new Set(out)];
}

// A sentence about the utilization review decision the IMR disputes.
const UR_MENTION =
  /\butili[sz]ation\s*review|\bUR\b|\bnon-?\s*certif|\bnoncertif|\bdenial\b|\b(?:was|were|been|previously)\s+(?:\w+\s+){0,2}denied\b|\bdenied\s+by\b|\b(?:prior|previous|original)\s+(?:\w+\s+)?determination|\bdetermination\s+letter|\bpreviously\s+deemed/i;

/** Sentences of prose; a period inside a date ("Oct. 5") or a number does not end one. */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s*(?=[A-Z][a-z]|[A-Z]{2,}\b|")/);
}

/** Dates stated in the summary's sentences about the UR decision. */
export function statedUrDates(summary: string): string[] {
  const out: string[] = [];
  for (const sentence of sentences(summary)) {
    if (!UR_MENTION.test(sentence)) continue;
    for (let d = findDate(sentence); d; d = findDate(sentence, d.index + d.length)) out.push(d.iso);
  }
  return [...new Set(out)];
}

export function summaryDates(summary: string): LetterEvidence['summaryDates'] {
  return { injuryDate: statedInjuryDates(summary), urDate: statedUrDates(summary) };
}
