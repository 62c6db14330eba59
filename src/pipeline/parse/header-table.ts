import { type DocLine, type Joined, lineRun } from './doc-lines.js';
import { loose } from './loose.js';

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
}

// Order matters: longer labels first. `null` keys are label fragments that carry no value of their own.
const label = (phrase: string) => new RegExp(String.raw`^${loose(phrase)}\s*[:;]?`, 'i');
const LABELS: LabelRule[] = [
  { key: 'caseNumber', re: new RegExp(String.raw`^(?:IMR\s+)?${loose('Case Number')}\s*[:;]?`, 'i') },
  { key: 'dateAssigned', re: label('Date Assigned') },
  {
    key: 'decisionDate',
    re: new RegExp(String.raw`^(?:${loose('Decision Date')}|${loose('Dated')})\s*[:;]?`, 'i'),
  },
  { key: 'priority', re: label('Priority') },
  { key: 'injuryDate', re: label('Date of Injury') },
  { key: 'urDate', re: label('UR Denial Date') },
  {
    key: 'applicationReceived',
    re: new RegExp(String.raw`^${loose('Application')}(?:\s*${loose('Received')})?\s*[:;]?`, 'i'),
  },
  { key: 'applicationReceived', re: label('Received') },
  { key: null, re: /^(?:Claims?\s*Number|Employee(?:\s*Name)?|Provider(?:\s*Name)?)\s*[:;]?/i },
];

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
      const rule = LABELS.find((r) => r.re.test(cell.text));
      if (!rule || rule.key === null || out[rule.key]) continue;
      const labelLength = cell.text.match(rule.re)![0].length;
      const rest = cell.text.slice(labelLength).trim();
      if (rest !== '' && !LABELS.some((r) => r.re.test(rest))) {
        const from = cell.from + cell.text.indexOf(rest, labelLength);
        out[rule.key] = { text: rest, run: lineRun(line, from, from + rest.length) };
        continue;
      }
      const next = row[i + 1];
      if (next && !LABELS.some((r) => r.re.test(next.text))) {
        out[rule.key] = { text: next.text, run: lineRun(line, next.from, next.to) };
        i++;
      }
    }
  }
  return out;
}
