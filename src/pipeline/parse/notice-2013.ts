import type { Citation, Guideline, Item, LetterFields } from '../../../schemas/letter.js';
import type { TextDocument } from '../../../schemas/text.js';
import { NO_CITATION } from './citations.js';
import { findDate, parseDate } from './dates.js';
import { docLines, isBlank, type Joined, joinLines, slice } from './doc-lines.js';
import { emptyEvidence, summaryDates } from './evidence.js';
import { readCaseSummary } from './fdl.js';
import { readHeaderTable } from './header-table.js';
import { findHeading } from './headings.js';
import { parseItemText, rationaleConclusion } from './item-text.js';
import { splitStates } from './people.js';
import { emptyFields, FieldTrace, type ParseResult } from './result.js';

export const NOTICE_MARKERS = [
  /Notice\s*of\s*Independent\s*Medical\s*Review\s*Determination/i,
  /has\s*determined\s*the\s*request\s*for\b/i,
];

const DECISION_HEADING = 'INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE';
// Text layers of that era glue words ("notmedically"), so spaces are optional between fixed words.
const DETERMINED =
  /(\d{1,2})\s*\)\s*MAXIMUS\s*Federal\s*Services,?\s*Inc\.?\s*has\s*determined\s*the\s*request\s*for\s*(.+?)\s*is\s*(not\s*)?medically\s*necessary\s*and\s*appropriate\s*\./gis;
const REGARDING = /(\d{1,2})\s*\)\s*Regarding\s*the\s*request\s*for\s*/gi;
const CA_USED = /Medical\s*Treatment\s*Guideline\s*\(s\)\s*Used\s*by\s*the\s*Claims\s*Administrator\s*:\s*/i;
const ER_USED = /Medical\s*Treatment\s*Guideline\s*\(s\)\s*Used\s*by\s*the\s*Expert\s*Reviewer\s*:\s*/i;
const RATIONALE_USED = /Rationale\s*Used\s*by\s*the\s*Expert\s*Reviewer\s*:\s*/i;
const QUALIFICATIONS_HEADING = /Medical\s*Qualifications\s*of\s*the\s*Expert\s*Reviewer/i;
/** A numbered determination, however it ends: the item parser needs the full fixed sentence. */
const DETERMINATION_MARKER = /(\d{1,2})\s*\)\s*MAXIMUS\s*Federal\s*Services,?\s*Inc\.?\s*has\s*determined/gi;
const QUALIFICATIONS =
  /Board\s*Certified\s*in\s*(.+?)\s*and\s*is\s*licensed\s*to\s*practice\s*in\s*(.+?)\s*\./i;

const PROSE_DATES: { key: 'applicationReceived' | 'urDate' | 'dateAssigned'; re: RegExp }[] = [
  {
    key: 'applicationReceived',
    re: /application\s*for\s*Independent\s*Medical\s*Review\s*was\s*filed\s*on\s*/i,
  },
  { key: 'urDate', re: /Utilization\s*Review\s*(?:Denial|determination)\s*dated\s*/i },
  { key: 'dateAssigned', re: /Notice\s*of\s*Assignment\b.{0,80}?\bon\s*/i },
];

/** "...based its decision on the MTUS Chronic Pain Medical Treatment Guidelines, Functional restoration, pages 30-32." */
export function parseNoticeCitations(raw: string): Citation[] {
  const out: Citation[] = [];
  const re =
    /based\s*(?:its|his\/her|his|her|their)\s*decision\s*on\s*(?:the\s*)?(.+?)(?:\.\s+(?=[A-Z])|\.?\s*$)/g;
  for (const m of raw.matchAll(re)) {
    const parts = m[1]!
      .split(/\s*,\s*/)
      .filter(
        (p) => p !== '' && !/^which\s+(?:is|are)\s+(?:not\s+)?(?:a\s+)?part\s+of\s+the\s+MTUS/i.test(p),
      );
    const source = parts.shift() ?? null;
    let pages: string | null = null;
    const sections: string[] = [];
    for (const p of parts) {
      const page = /^pages?\s+(.+)$/i.exec(p);
      if (page) pages = page[1]!.replace(/\s+/g, '');
      else sections.push(p);
    }
    out.push({ source, sections: sections.length > 0 ? sections.join(', ') : null, pages });
  }
  return out;
}

function between(text: string, start: RegExp, ends: RegExp[]): { from: number; to: number } | null {
  const m = start.exec(text);
  if (!m) return null;
  const from = m.index + m[0].length;
  let to = text.length;
  for (const end of ends) {
    const e = new RegExp(end.source, end.flags.replace('g', '')).exec(text.slice(from));
    if (e) to = Math.min(to, from + e.index);
  }
  return { from, to };
}

/** The 2013 "Notice of Independent Medical Review Determination". */
export function parseNotice2013(doc: TextDocument): ParseResult {
  const lines = docLines(doc);
  const trace = new FieldTrace(doc);
  const fields: LetterFields = emptyFields();
  const body = findHeading(lines, DECISION_HEADING);
  const headerEnd = body >= 0 ? body : Math.min(lines.length, 12);

  const header = readHeaderTable(lines.slice(0, headerEnd));
  if (header.caseNumber) {
    fields.caseNumber = header.caseNumber.text.replace(/\s+/g, '');
    trace.from('caseNumber', header.caseNumber.run);
  }
  if (header.priority) {
    fields.priority = header.priority.text;
    trace.from('priority', header.priority.run);
  }
  for (const key of [
    'decisionDate',
    'dateAssigned',
    'injuryDate',
    'urDate',
    'applicationReceived',
  ] as const) {
    const iso = header[key] ? parseDate(header[key].text) : null;
    if (iso && header[key]) {
      fields[key] = iso;
      trace.from(key, header[key].run);
    }
  }

  const all: Joined = joinLines(lines.filter((l) => !isBlank(l)));
  const text = all.text;
  for (const { key, re } of PROSE_DATES) {
    if (fields[key]) continue;
    const m = re.exec(text);
    const date = m ? findDate(text, m.index + m[0].length) : null;
    if (m && date && date.index <= m.index + m[0].length + 2) {
      fields[key] = date.iso;
      trace.from(key, all, date.index, date.index + date.length);
    }
  }

  const quals = QUALIFICATIONS.exec(text);
  if (quals) {
    const specStart = quals.index + quals[0].indexOf(quals[1]!);
    fields.reviewer.specialty = quals[1]!.replace(/\s+/g, ' ');
    trace.from('reviewer.specialty', all, specStart, specStart + quals[1]!.length);
    const statesStart = quals.index + quals[0].lastIndexOf(quals[2]!);
    fields.reviewer.licensure = splitStates(quals[2]!);
    trace.from('reviewer.licensure', all, statesStart, statesStart + quals[2]!.length);
  }

  const evidence = emptyEvidence();
  const expected: [string, boolean][] = [
    ['Notice of Independent Medical Review Determination', NOTICE_MARKERS[0]!.test(text)],
    [DECISION_HEADING, body >= 0],
    ['Medical Qualifications of the Expert Reviewer', QUALIFICATIONS_HEADING.test(text)],
  ];
  const summary = between(text, /Case\s*Summary\s*:\s*/i, [REGARDING]);
  expected.push(['Case Summary', summary !== null]);
  for (const [name, found] of expected) if (!found) evidence.missingSections.push(name);
  if (summary) {
    const run = slice(all, summary.from, summary.to);
    // Letters of this layout often give the injury date only in the quoted summary: no fallback.
    readCaseSummary(run, fields, trace, true);
    evidence.summaryDates = summaryDates(run.text);
  }
  evidence.decisionMarkers = new Set([...text.matchAll(DETERMINATION_MARKER)].map((m) => m[1])).size;
  evidence.rationaleMarkers = [...text.matchAll(new RegExp(RATIONALE_USED.source, 'gi'))].length;

  // The numbered decisions are listed twice (cover and body): the first occurrence of each number counts.
  const seen = new Set<string>();
  const regarding = [...text.matchAll(REGARDING)];
  for (const m of text.matchAll(DETERMINED)) {
    if (seen.has(m[1]!)) continue;
    seen.add(m[1]!);
    const n = fields.items.length;
    const path = `items.${n}`;
    const descStart = m.index + m[0].indexOf(m[2]!, m[0].search(/request\s*for/i));
    const raw = slice(all, descStart, descStart + m[2]!.length);
    const parts = parseItemText(raw.text);
    const description = slice(raw, parts.description.start, parts.description.end);
    trace.from(`${path}.description`, description);
    trace.from(`${path}.raw`, raw);
    trace.from(`${path}.decision`, all, m.index, m.index + m[0].length);
    if (parts.quantitySpan)
      trace.from(`${path}.quantity`, raw, parts.quantitySpan.start, parts.quantitySpan.end);

    const section = regarding.find((r) => r[1] === m[1]);
    let claimsAdministratorGuideline: Guideline | null = null;
    let maximusGuideline: Guideline | null = null;
    let rationale: string | null = null;
    if (section) {
      const sectionStart = section.index;
      const next = regarding.find((r) => r.index > sectionStart);
      const sectionText = text.slice(sectionStart, next ? next.index : text.length);
      const piece = (start: RegExp, ends: RegExp[], key: string): Joined | null => {
        const b = between(sectionText, start, ends);
        if (!b) return null;
        const run = slice(all, sectionStart + b.from, sectionStart + b.to);
        trace.from(`${path}.${key}`, run);
        return run;
      };
      const guideline = (run: Joined | null): Guideline | null =>
        run
          ? { citations: NO_CITATION.test(run.text) ? [] : parseNoticeCitations(run.text), raw: run.text }
          : null;
      claimsAdministratorGuideline = guideline(
        piece(CA_USED, [ER_USED, RATIONALE_USED], 'claimsAdministratorGuideline'),
      );
      maximusGuideline = guideline(piece(ER_USED, [RATIONALE_USED], 'maximusGuideline'));
      rationale = piece(RATIONALE_USED, [], 'rationale')?.text ?? null;
    }
    const item: Item = {
      description: description.text,
      quantity: parts.quantity,
      decision: m[3] ? 'upheld' : 'overturned',
      originalRequest: null,
      authorizedPortion: null,
      raw: raw.text,
      claimsAdministratorGuideline,
      maximusGuideline,
      rationale,
      rationaleConclusion: rationale ? rationaleConclusion(rationale) : null,
    };
    fields.items.push(item);
  }
  return {
    layout: 'notice-2013',
    fields,
    provenance: trace.provenance,
    mismatches: trace.mismatches,
    evidence,
  };
}
