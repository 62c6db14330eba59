import { type DocLine, type Joined, lineRun } from './doc-lines.js';
import { fuzzyLabel, loose } from './loose.js';

export type HeaderKey =
  | 'caseNumber'
  | 'dateAssigned'
  | 'decisionDate'
  | 'priority'
  | 'injuryDate'
  | 'urDate'
  | 'applicationReceived';

interface LabelRule {
  key: HeaderKey | null;
  /** Matches the label at the start of a cell; group 0 is the label with its colon. */
  re: RegExp;
  /** The label as printed, for a cell a scan misread beyond `re` (see fuzzyLabel). */
  phrase: string;
}

/**
 * What a scan's table rules, shading dots and specks become in OCR text around a cell: bars, brackets,
 * quote marks, stray punctuation. A label or value may be wrapped in any of it.
 */
const JUNK = String.raw`[\s|\[\](){}'"\u2018\u2019\u201c\u201d.,:;~_=!*\u2014\u2013-]`;
/** The colon after a label, as OCR may read it (or lose it). */
const COLON = String.raw`\s*[:;]?`;

// Order matters: longer labels first. `null` keys are label fragments that carry no value of their own.
const rule = (body: string) => new RegExp(`^${JUNK}*(?:${body})${COLON}`, 'i');
const label = (phrase: string) => rule(loose(phrase));
const LABELS: LabelRule[] = [
  { key: 'caseNumber', re: rule(String.raw`(?:IMR\s+)?${loose('Case Number')}`), phrase: 'Case Number' },
  { key: 'dateAssigned', re: label('Date Assigned'), phrase: 'Date Assigned' },
  { key: 'decisionDate', re: rule(`${loose('Decision Date')}|${loose('Dated')}`), phrase: 'Decision Date' },
  { key: 'priority', re: label('Priority'), phrase: 'Priority' },
  { key: 'injuryDate', re: label('Date of Injury'), phrase: 'Date of Injury' },
  { key: 'urDate', re: label('UR Denial Date'), phrase: 'UR Denial Date' },
  {
    key: 'applicationReceived',
    re: rule(`${loose('Application')}(?:\\s*${loose('Received')})?`),
    phrase: 'Application',
  },
  { key: 'applicationReceived', re: label('Received'), phrase: 'Received' },
  {
    key: null,
    re: rule(String.raw`Claims?\s*Number|Employee(?:\s*Name)?|Provider(?:\s*Name)?`),
    phrase: 'Claims Number',
  },
];

/** The label a cell starts with, and where it ends: as printed or loosely read, else misread (fuzzy). */
function labelOf(text: string): { rule: LabelRule; end: number } | null {
  for (const r of LABELS) {
    const m = r.re.exec(text);
    if (m) return { rule: r, end: m[0].length };
  }
  // Short phrases ("Received", "Priority") get one edit at most: they cannot turn into one another.
  for (const r of LABELS) {
    const m = fuzzyLabel(text, r.phrase);
    if (m) return { rule: r, end: m.end };
  }
  return null;
}

/** A cell's value without the junk around it; '' when it is junk alone. */
function trimJunk(text: string): { text: string; offset: number } {
  const lead = text.match(new RegExp(`^${JUNK}*`))![0].length;
  const body = text.slice(lead).replace(new RegExp(`${JUNK}+$`), (tail) =>
    // A value's own closing bracket stays ("Standard (expedited)").
    tail.startsWith(')') ? ')' : '',
  );
  return { text: body, offset: lead };
}

interface Cell {
  line: number;
  from: number;
  to: number;
  text: string;
}

/** Splits a line into cells at wide gaps (two or more spaces, as the line builder keeps column breaks). */
function cells(line: DocLine): Cell[] {
  const out: Cell[] = [];
  const re = /\S+(?: \S+)*/g;
  for (let m = re.exec(line.text); m; m = re.exec(line.text)) {
    out.push({ line: line.index, from: m.index, to: m.index + m[0].length, text: m[0] });
  }
  return out;
}

export interface HeaderValue {
  text: string;
  run: Joined;
}

/**
 * Pairs the header table's labels with their values by position: a value is the cell right of its label on
 * the same line, or the rest of the label's own cell when the gap was too small to split (OCR).
 * Labels split over two lines ("Application" / "Received:") pair on the line holding the value.
 */
export function readHeaderTable(lines: DocLine[]): Partial<Record<HeaderKey, HeaderValue>> {
  const out: Partial<Record<HeaderKey, HeaderValue>> = {};
  for (const line of lines) {
    const row = cells(line);
    for (let i = 0; i < row.length; i++) {
      const cell = row[i]!;
      const found = labelOf(cell.text);
      if (!found) continue;
      const { rule, end: labelLength } = found;
      if (rule.key === null || out[rule.key]) continue;
      const rest = trimJunk(cell.text.slice(labelLength));
      if (rest.text !== '' && !LABELS.some((r) => r.re.test(rest.text))) {
        const from = cell.from + labelLength + rest.offset;
        out[rule.key] = { text: rest.text, run: lineRun(line, from, from + rest.text.length) };
        continue;
      }
      // The value is the next cell that is more than a table rule or specks.
      let j = i + 1;
      while (row[j] && trimJunk(row[j]!.text).text === '') j++;
      const next = row[j];
      if (next && !LABELS.some((r) => r.re.test(next.text))) {
        const value = trimJunk(next.text);
        const from = next.from + value.offset;
        out[rule.key] = { text: value.text, run: lineRun(line, from, from + value.text.length) };
        i = j;
      }
    }
  }
  return out;
}
