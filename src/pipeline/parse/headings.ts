import type { DocLine } from './doc-lines.js';

/** Upper-case letters only: headings compare without spacing, punctuation or case. */
export function letterKey(text: string): string {
  return text.toUpperCase().replace(/[^A-Z]/g, '');
}

/** Levenshtein distance, bounded: returns max+1 as soon as it cannot be <= max. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Whether a line is the given heading, allowing a few misread letters (OCR) per heading. */
export function isHeading(line: DocLine, heading: string): boolean {
  const want = letterKey(heading);
  const got = letterKey(line.text);
  if (got.length === 0) return false;
  const max = Math.floor(want.length / 10);
  return editDistance(got, want, max) <= max;
}

/** Index of the first line at or after `from` that is the heading, or -1. */
export function findHeading(lines: DocLine[], heading: string, from = 0): number {
  for (let i = from; i < lines.length; i++) {
    if (isHeading(lines[i]!, heading)) return i;
  }
  return -1;
}
