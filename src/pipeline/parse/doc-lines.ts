import type { Provenance } from '../../../schemas/letter.js';
import type { TextDocument, TextPage } from '../../../schemas/text.js';
import { boxOfSpan, confidenceOfSpan } from '../extract/lines.js';

/** One physical line of the document, in reading order across pages; `text` is '' for a paragraph break. */
export interface DocLine {
  index: number;
  page: number;
  /** Offset of the line in its page's text. */
  start: number;
  text: string;
  /** Read by OCR (a scanned page): its punctuation and letters may be misread. */
  ocr: boolean;
}

/**
 * Text assembled from document lines (wrapped lines joined), with, for every character, where it came
 * from: `pages[i]`/`offsets[i]`, or -1 for a joining space the parser inserted.
 */
export interface Joined {
  text: string;
  pages: number[];
  offsets: number[];
  /** Some of it was read by OCR. */
  ocr?: boolean;
}

export function docLines(doc: TextDocument): DocLine[] {
  const out: DocLine[] = [];
  for (const page of doc.pages) {
    let offset = 0;
    for (const text of page.text.split('\n')) {
      out.push({ index: out.length, page: page.page, start: offset, text, ocr: page.source === 'ocr' });
      offset += text.length + 1;
    }
  }
  return out;
}

export function isBlank(line: DocLine | undefined): boolean {
  return line !== undefined && line.text.trim() === '';
}

export function emptyJoined(): Joined {
  return { text: '', pages: [], offsets: [] };
}

function append(out: Joined, line: DocLine, from: number, to: number): void {
  if (line.ocr && to > from) out.ocr = true;
  for (let i = from; i < to; i++) {
    out.text += line.text[i];
    out.pages.push(line.page);
    out.offsets.push(line.start + i);
  }
}

function appendSpace(out: Joined): void {
  out.text += ' ';
  out.pages.push(-1);
  out.offsets.push(-1);
}

/**
 * Joins lines into one run of text: a line break becomes one space, except after a hyphen glued to a
 * word ("10-30-" + "2016", "skilled-" + "nursing"), where the hyphen is kept and no space is added.
 * Runs of white space collapse to one space. `firstFrom` skips the start of the first line.
 */
export function joinLines(lines: DocLine[], firstFrom = 0): Joined {
  const out = emptyJoined();
  lines.forEach((line, n) => {
    const from = n === 0 ? firstFrom : 0;
    const text = line.text;
    let i = from;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    let end = text.length;
    while (end > i && /\s/.test(text[end - 1]!)) end--;
    if (i >= end) return;
    if (out.text.length > 0 && !/[A-Za-z0-9)]-$/.test(out.text)) appendSpace(out);
    // Collapse inner white space while copying.
    let j = i;
    while (j < end) {
      if (/\s/.test(text[j]!)) {
        appendSpace(out);
        while (j < end && /\s/.test(text[j]!)) j++;
      } else {
        append(out, line, j, j + 1);
        j++;
      }
    }
  });
  return out;
}

/** A slice of a joined run, trimmed, keeping the character map. */
export function slice(joined: Joined, start: number, end: number): Joined {
  let s = Math.max(0, start);
  let e = Math.min(joined.text.length, end);
  while (s < e && /\s/.test(joined.text[s]!)) s++;
  while (e > s && /\s/.test(joined.text[e - 1]!)) e--;
  return {
    text: joined.text.slice(s, e),
    pages: joined.pages.slice(s, e),
    offsets: joined.offsets.slice(s, e),
    ...(joined.ocr ? { ocr: true } : {}),
  };
}

/** Where a joined run came from: the page of its first character, and the span on that page. */
export function provenanceOf(
  doc: TextDocument,
  joined: Joined,
  start = 0,
  end = joined.text.length,
): Provenance | undefined {
  let page = -1;
  let first = -1;
  let last = -1;
  for (let i = start; i < end; i++) {
    const p = joined.pages[i]!;
    if (p < 0) continue;
    if (page < 0) page = p;
    if (p !== page) break;
    if (first < 0) first = joined.offsets[i]!;
    last = joined.offsets[i]! + 1;
  }
  if (page < 0) return undefined;
  const textPage: TextPage | undefined = doc.pages.find((p) => p.page === page);
  if (!textPage) return undefined;
  const box = boxOfSpan(textPage, first, last);
  return {
    page,
    start: first,
    end: last,
    ...(box ? { box } : {}),
    confidence: confidenceOfSpan(textPage, first, last),
  };
}

/** A run holding one line's characters [from, to), trimmed. */
export function lineRun(line: DocLine, from = 0, to = line.text.length): Joined {
  const out = emptyJoined();
  append(out, line, from, to);
  return slice(out, 0, out.text.length);
}
