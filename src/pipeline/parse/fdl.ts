import type { Guideline, Item, LetterFields } from '../../../schemas/letter.js';
import type { TextDocument } from '../../../schemas/text.js';
import { NO_CITATION, parseCitations } from './citations.js';
import { findDate, parseDate } from './dates.js';
import { type DocLine, docLines, isBlank, type Joined, joinLines, lineRun, slice } from './doc-lines.js';
import { countDecisionMarkers, countLabels, emptyEvidence, summaryDates } from './evidence.js';
import { type HeaderKey, readHeaderTable } from './header-table.js';
import { findHeading, isHeading } from './headings.js';
import { parseItemText, rationaleConclusion } from './item-text.js';
import {
  DECISION_WORD,
  decisionOf,
  fixDigits,
  fuzzyLabel,
  type LabelMatch,
  loose,
  looseLabel,
} from './loose.js';
import { findPerson, findSex, splitStates } from './people.js';
import { emptyFields, FieldTrace, type ParseResult } from './result.js';

export const FDL_HEADINGS = {
  how: 'HOW THE IMR FINAL DETERMINATION WAS MADE',
  summary: 'CLINICAL CASE SUMMARY',
  issues: 'IMR ISSUES, DECISIONS AND RATIONALES',
} as const;

// Labels are matched as OCR may read them (see loose.ts); the text layer reads them exactly.
const LICENSURE = new RegExp(String.raw`${loose('State(s) of Licensure')}\s*[:;]?\s*`, 'i');
const SPECIALTY = new RegExp(
  String.raw`${loose('Certification(s)')}\s*[/|l1I\\]?\s*${loose('Specialty')}\s*[:;]?\s*`,
  'i',
);
const CA_GUIDELINE = looseLabel('Claims Administrator guideline');
const MX_GUIDELINE = looseLabel('MAXIMUS guideline');
const RATIONALE = looseLabel('Decision rationale');
const BLOCK_MARKERS = [CA_GUIDELINE, MX_GUIDELINE, RATIONALE];
/** The decision marker at the end of an item: "<item>: Upheld", the word possibly alone on the next line. */
const DECISION_AT_END = new RegExp(String.raw`[:;]\s*${DECISION_WORD}\s*[.,]?\s*$`, 'i');
const DECISION_ALONE = new RegExp(String.raw`^\s*${DECISION_WORD}\s*[.,]?\s*$`, 'i');
const DECISION_IN_RUN = new RegExp(String.raw`\s*[:;]\s*${DECISION_WORD}\s*[.,]?\s*$`, 'i');

const HEADER_DATES: HeaderKey[] = [
  'dateAssigned',
  'decisionDate',
  'injuryDate',
  'urDate',
  'applicationReceived',
];

function isMarker(line: DocLine): boolean {
  return BLOCK_MARKERS.some((re) => re.test(line.text));
}

/** Lines [from, to) without leading and trailing paragraph breaks. */
function trimBlank(lines: DocLine[]): DocLine[] {
  let s = 0;
  let e = lines.length;
  while (s < e && isBlank(lines[s])) s++;
  while (e > s && isBlank(lines[e - 1])) e--;
  return lines.slice(s, e);
}

/** "CM16-O229336 " -> "CM16-0229336": digits fixed, spaces dropped. */
export function normaliseCaseNumber(text: string): string {
  const compact = text.replace(/\s+/g, '');
  const m = /^(C[MN])(.*)$/i.exec(compact);
  return m ? `CM${fixDigits(m[2]!).replace(/[^0-9-]/g, '')}` : compact;
}

/** Reads the header table; returns how many of its labels were found. */
function readHeader(lines: DocLine[], fields: LetterFields, trace: FieldTrace): number {
  const header = readHeaderTable(lines);
  const caseNumber = header.caseNumber;
  if (caseNumber) {
    fields.caseNumber = normaliseCaseNumber(caseNumber.text);
    trace.from('caseNumber', caseNumber.run);
  }
  if (header.priority) {
    fields.priority = header.priority.text;
    trace.from('priority', header.priority.run);
  }
  for (const key of HEADER_DATES) {
    const value = header[key];
    if (!value) continue;
    const iso = parseDate(value.text);
    if (iso) {
      fields[key] = iso;
      trace.from(key, value.run);
    } else {
      trace.doubt(key, 'unreadable_date', `"${value.text}" in the header is not a date`, 'error');
    }
  }
  return Object.keys(header).length;
}

/**
 * A list read by OCR ("Physical Medicine & Rehabilitation. Pain Management"): a full stop between two
 * entries is a comma misread, as a list of specialties has no sentences.
 */
function ocrListCommas(text: string): string {
  return text.replace(/(\w)\s*\.\s+(?=[A-Z])/g, '$1, ');
}

/** A credentials label anywhere in the line (the exact form), else at its start as a scan misread it. */
function credentialLabel(text: string, exact: RegExp, phrase: string): LabelMatch | null {
  const m = exact.exec(text);
  return m ? { index: m.index, end: m.index + m[0].length } : fuzzyLabel(text, phrase);
}

/** Reads licensure and specialty; returns the labels not found. */
function readCredentials(lines: DocLine[], fields: LetterFields, trace: FieldTrace): string[] {
  let licensure = false;
  let specialty = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lic = credentialLabel(line.text, LICENSURE, 'State(s) of Licensure');
    if (lic) {
      licensure = true;
      const run = lineRun(line, lic.end);
      fields.reviewer.licensure = splitStates(run.text);
      trace.from('reviewer.licensure', run);
    }
    const spec = credentialLabel(line.text, SPECIALTY, 'Certification(s)/Specialty');
    if (spec) {
      specialty = true;
      // The specialty may wrap onto following lines, up to a paragraph break or the next heading.
      const parts = [line];
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!;
        if (
          isBlank(next) ||
          Object.values(FDL_HEADINGS).some((h) => isHeading(next, h)) ||
          credentialLabel(next.text, LICENSURE, 'State(s) of Licensure')
        )
          break;
        parts.push(next);
      }
      const run = slice(joinLines(parts, spec.end), 0, Number.MAX_SAFE_INTEGER);
      fields.reviewer.specialty = (run.ocr ? ocrListCommas(run.text) : run.text) || null;
      trace.from('reviewer.specialty', run);
    }
  }
  return [
    ...(licensure ? [] : ['State(s) of Licensure']),
    ...(specialty ? [] : ['Certification(s)/Specialty']),
  ];
}

const INJURY_IN_PROSE =
  /\b(?:date\s+of\s+injury|injury\s+date|injured|sustained\s+(?:an?\s+)?(?:[\w-]+\s+){0,3}injury|occupational\s+claim|(?:industrial|work)[\w\s-]{0,20}?injury)\b/gi;

/** The worker's description and injury date from a case summary. */
export function readCaseSummary(
  summary: Joined,
  fields: LetterFields,
  trace: FieldTrace,
  fallbackInjury: boolean,
): void {
  const person = findPerson(summary.text);
  if (person) {
    fields.patient.age = person.age;
    trace.from('patient.age', summary, person.index, person.index + person.length);
    if (person.sex) {
      fields.patient.sex = person.sex;
      trace.from('patient.sex', summary, person.index, person.index + person.length);
    }
  }
  if (!fields.patient.sex) {
    const sex = findSex(summary.text.slice(0, 400));
    if (sex) {
      fields.patient.sex = sex.sex;
      trace.from('patient.sex', summary, sex.index, sex.index + sex.length);
    }
  }
  // The header wins; the summary's date is used when the header has none (older wordings, typeset text).
  // A summary that disagrees with the header is the validator's business (it sees the summary's dates).
  if (!fallbackInjury || fields.injuryDate) return;
  const re = new RegExp(INJURY_IN_PROSE.source, 'gi');
  for (let m = re.exec(summary.text); m; m = re.exec(summary.text)) {
    const after = m.index + m[0].length;
    const date = findDate(summary.text, after);
    // The date must follow in the same clause: "injury on 10-14-2016", "injury date of October 5, 2000".
    if (!date || !/^[^.;]{0,45}$/.test(summary.text.slice(after, date.index))) continue;
    fields.injuryDate = date.iso;
    trace.from('injuryDate', summary, date.index, date.index + date.length);
    break;
  }
}

function readGuideline(lines: DocLine[], marker: RegExp): { guideline: Guideline; run: Joined } | null {
  const first = lines[0];
  if (!first) return null;
  const m = marker.exec(first.text);
  if (!m) return null;
  const run = slice(joinLines(lines, m.index + m[0].length), 0, Number.MAX_SAFE_INTEGER);
  const citations = parseCitations(run.text, { ocr: run.ocr === true }) ?? [];
  return { guideline: { citations, raw: run.text }, run };
}

interface ItemSpan {
  /** First line of the item text. */
  start: number;
  /** Line holding the decision word. */
  decisionLine: number;
  /** Last line holding item text (the decision line unless the word stands alone). */
  textEnd: number;
  guessed: boolean;
}

/** Finds the items of the decisions section by their decision markers, and where each item's text starts. */
function findItems(lines: DocLine[], from: number, to: number): ItemSpan[] {
  const spans: ItemSpan[] = [];
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    let textEnd = -1;
    if (DECISION_AT_END.test(line.text) && !isMarker(line)) textEnd = i;
    else if (DECISION_ALONE.test(line.text)) {
      let p = i - 1;
      while (p >= from && isBlank(lines[p])) p--;
      if (p >= from && /[:;]\s*$/.test(lines[p]!.text) && !isMarker(lines[p]!)) textEnd = p;
    }
    if (textEnd < 0) continue;
    // Walk back to the paragraph break that starts the item.
    let start = textEnd;
    let guessed = false;
    const floor = spans.at(-1)?.decisionLine ?? from - 1;
    while (start - 1 > floor && !isBlank(lines[start - 1])) {
      if (isMarker(lines[start - 1]!)) {
        guessed = true;
        break;
      }
      start--;
    }
    if (guessed) {
      // No paragraph break after the previous block: the item starts after its last full sentence.
      let s = textEnd;
      while (s - 1 >= start && !/[.!?)]\s*$/.test(lines[s - 1]!.text)) s--;
      start = s;
    }
    spans.push({ start, decisionLine: i, textEnd, guessed });
  }
  return spans;
}

function readItem(
  lines: DocLine[],
  span: ItemSpan,
  blockEnd: number,
  index: number,
  trace: FieldTrace,
): Item {
  const path = `items.${index}`;
  const itemRun = joinLines(lines.slice(span.start, span.decisionLine + 1));
  const decision = DECISION_IN_RUN.exec(itemRun.text);
  const rawEnd = decision ? decision.index : itemRun.text.length;
  const raw = slice(itemRun, 0, rawEnd);
  const word = decisionOf(decision?.[1] ?? 'upheld');
  if (decision) trace.from(`${path}.decision`, itemRun, decision.index, itemRun.text.length);
  if (span.guessed) {
    trace.doubt(
      `${path}.description`,
      'item_boundary_guess',
      'no paragraph break before the item: its start is a guess',
    );
  }
  trace.from(`${path}.raw`, raw);
  const parts = parseItemText(raw.text);
  const description = slice(raw, parts.description.start, parts.description.end);
  trace.from(`${path}.description`, description);
  if (parts.quantitySpan)
    trace.from(`${path}.quantity`, raw, parts.quantitySpan.start, parts.quantitySpan.end);
  const part = (s: typeof parts.originalRequest, key: string): string | null => {
    if (!s) return null;
    const run = slice(raw, s.start, s.end);
    trace.from(`${path}.${key}`, run);
    return run.text;
  };
  const originalRequest = part(parts.originalRequest, 'originalRequest');
  const authorizedPortion = part(parts.authorizedPortion, 'authorizedPortion');

  // The blocks after the item: each runs to the next marker; guidelines also stop at a paragraph break.
  const block = lines.slice(span.decisionLine + 1, blockEnd);
  const markerAt = (re: RegExp) => block.findIndex((l) => re.test(l.text));
  const paragraph = (at: number, stopAtBlank: boolean): DocLine[] => {
    if (at < 0) return [];
    const out = [block[at]!];
    for (let k = at + 1; k < block.length; k++) {
      const l = block[k]!;
      if (isMarker(l) || (stopAtBlank && isBlank(l))) break;
      out.push(l);
    }
    return trimBlank(out);
  };
  const guideline = (re: RegExp, key: string): Guideline | null => {
    const found = readGuideline(paragraph(markerAt(re), true), re);
    if (!found) {
      trace.doubt(`${path}.${key}`, 'missing_guideline', `no "${key}" paragraph after item ${index + 1}`);
      return null;
    }
    trace.from(`${path}.${key}`, found.run);
    if (found.guideline.citations.length === 0 && !NO_CITATION.test(found.guideline.raw)) {
      trace.doubt(
        `${path}.${key}`,
        'citation_unparsed',
        'the guideline paragraph names no citation the parser knows',
      );
    }
    return found.guideline;
  };
  const claimsAdministratorGuideline = guideline(CA_GUIDELINE, 'claimsAdministratorGuideline');
  const maximusGuideline = guideline(MX_GUIDELINE, 'maximusGuideline');
  const rationaleLines = paragraph(markerAt(RATIONALE), false);
  let rationale: string | null = null;
  if (rationaleLines.length > 0) {
    const m = RATIONALE.exec(rationaleLines[0]!.text)!;
    const run = slice(joinLines(rationaleLines, m.index + m[0].length), 0, Number.MAX_SAFE_INTEGER);
    rationale = run.text;
    trace.from(`${path}.rationale`, run);
  }
  return {
    description: description.text,
    quantity: parts.quantity,
    decision: word,
    originalRequest,
    authorizedPortion,
    raw: raw.text,
    claimsAdministratorGuideline,
    maximusGuideline,
    rationale,
    rationaleConclusion: rationale ? rationaleConclusion(rationale) : null,
  };
}

/** The Final Determination Letter (2014 onwards; 2016-17 `Section(s):` and 2015 `Page(s):` wordings). */
export function parseFinalDeterminationLetter(doc: TextDocument): ParseResult {
  const lines = docLines(doc);
  const trace = new FieldTrace(doc);
  const fields = emptyFields();
  const how = findHeading(lines, FDL_HEADINGS.how);
  const summaryAt = findHeading(lines, FDL_HEADINGS.summary, Math.max(0, how));
  const issues = findHeading(lines, FDL_HEADINGS.issues, Math.max(0, summaryAt));
  const firstHeading = [how, summaryAt, issues].filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? 0;

  const evidence = emptyEvidence();
  if (readHeader(lines.slice(0, firstHeading), fields, trace) === 0) {
    evidence.missingSections.push('header table (Case Number, Decision Date, ...)');
  }
  for (const [heading, at] of [
    [FDL_HEADINGS.how, how],
    [FDL_HEADINGS.summary, summaryAt],
    [FDL_HEADINGS.issues, issues],
  ] as const) {
    if (at < 0) evidence.missingSections.push(heading);
  }
  const labelsMissing = readCredentials(
    lines.slice(Math.max(0, how), summaryAt >= 0 ? summaryAt : issues >= 0 ? issues : lines.length),
    fields,
    trace,
  );
  evidence.missingSections.push(...labelsMissing);
  if (summaryAt >= 0) {
    const summaryLines = lines.slice(summaryAt + 1, issues >= 0 ? issues : lines.length);
    const summary = joinLines(summaryLines.filter((l) => !isBlank(l)));
    const headerInjury = fields.injuryDate;
    readCaseSummary(summary, fields, trace, true);
    evidence.summaryDates = summaryDates(summary.text);
    if (!headerInjury && fields.injuryDate) {
      evidence.fallbacks.push('injury date taken from the case summary: the header has none');
    }
  }

  // Items start after the section's fixed sentence ("... set forth below:").
  let from = issues >= 0 ? issues + 1 : 0;
  let setForth = false;
  for (let i = from; i < Math.min(lines.length, from + 4); i++) {
    if (/set\s*forth\s*below\s*[:;.,]?\s*$/i.test(lines[i]!.text)) {
      from = i + 1;
      setForth = true;
      break;
    }
  }
  if (issues >= 0 && !setForth) {
    evidence.fallbacks.push('no "set forth below" sentence: items searched from the section heading');
  }
  const decisionText = lines.slice(from).map((l) => l.text);
  evidence.decisionMarkers = countDecisionMarkers(decisionText.join('\n'));
  evidence.rationaleMarkers = countLabels(decisionText, RATIONALE);
  const spans = findItems(lines, from, lines.length);
  spans.forEach((span, n) => {
    const blockEnd = spans[n + 1]?.start ?? lines.length;
    fields.items.push(readItem(lines, span, blockEnd, n, trace));
  });
  const usesPages = fields.items.some((it) =>
    [it.claimsAdministratorGuideline, it.maximusGuideline].some((g) => g && /Page\s*\(s\)\s*:/i.test(g.raw)),
  );
  return {
    layout: usesPages ? 'fdl-2015' : 'fdl-2016',
    fields,
    provenance: trace.provenance,
    mismatches: trace.mismatches,
    evidence,
  };
}
