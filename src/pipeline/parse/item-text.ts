import type { RationaleConclusion } from '../../../schemas/letter.js';
import { fixDigits } from './loose.js';

export interface Span {
  start: number;
  end: number;
}

export interface ItemText {
  description: Span;
  quantity: number | null;
  quantitySpan: Span | null;
  originalRequest: Span | null;
  authorizedPortion: Span | null;
}

// The three wordings of a modified request (X original, Y authorized, Z the IMR-eligible remainder).
const MODIFIED_REMAINING =
  /^(.*?)\s+was\s+the\s+original\s+request\.\s*(.*?)\s+(?:was|were)\s+authorized\s+by\s+the\s+Claims\s+Administrator\.\s*The\s+remaining\s+IMR\s+eligible\s+portion\s+of\s+the\s+original\s+request,\s*(.*?)(?:\s+is)?\s*$/is;
const MODIFIED_LEAVING =
  /^(.*?)\s+was\s+the\s+original\s+request\.\s*The\s+Claims\s+Administrator\s+authorized\s+(.*?),\s*leaving\s+the\s+original\s+request\s+IMR\s+eligible\.\s*The\s+original\s+request,\s*(.*?)(?:\s+is)?\s*$/is;

function spanOf(m: RegExpExecArray, group: number): Span {
  const text = m[group]!;
  const start = m.indices?.[group]?.[0] ?? m[0].indexOf(text);
  return { start, end: start + text.length };
}

/**
 * Splits an item's text (everything before ": Upheld") into its parts, as spans of that text so that
 * each part keeps its provenance. Quantity only from a trailing `QTY: N`, else from a `#N`.
 */
export function parseItemText(raw: string): ItemText {
  let description: Span = { start: 0, end: raw.length };
  let originalRequest: Span | null = null;
  let authorizedPortion: Span | null = null;
  const modified =
    new RegExp(MODIFIED_REMAINING.source, 'isd').exec(raw) ??
    new RegExp(MODIFIED_LEAVING.source, 'isd').exec(raw);
  if (modified) {
    originalRequest = spanOf(modified, 1);
    authorizedPortion = spanOf(modified, 2);
    description = spanOf(modified, 3);
  }
  let quantity: number | null = null;
  let quantitySpan: Span | null = null;
  const desc = raw.slice(description.start, description.end);
  // OCR reads QTY as OTY or 0TY, and digits as letters (O, l, S).
  const qty = /[\s,;]*\b[QO0]\s?T\s?Y\s*[:.;]?\s*([\dOlIS]*\d[\dOlIS]*)\s*[.,;:]?\s*$/i.exec(desc);
  if (qty) {
    quantity = Number(fixDigits(`0${qty[1]!}`));
    quantitySpan = { start: description.start + qty.index, end: description.end };
    description = { start: description.start, end: description.start + qty.index };
  } else {
    const hash = /#\s?(\d+)/.exec(desc);
    if (hash) {
      quantity = Number(hash[1]);
      quantitySpan = {
        start: description.start + hash.index,
        end: description.start + hash.index + hash[0].length,
      };
    }
  }
  return { description, quantity, quantitySpan, originalRequest, authorizedPortion };
}

// Where a rationale states its conclusion; `neg` is the group that negates it when present.
const CONCLUSIONS: { re: RegExp; negatedBefore: boolean }[] = [
  { re: /\b(not\s*|non-?\s*)?medically\s*(?:necessary|appropriate)/gi, negatedBefore: true },
  { re: /\b(?:is|are|be)\s+(not\s+)?(?:a\s+)?medical\s+necessity\b/gi, negatedBefore: false },
  {
    re: /\bmedical\s+necessity\b[^.;]{0,80}?\b(?:has|have|had|was|were|is|are)\s+(not\s+)?(?:been\s+)?(?:established|demonstrated|substantiated|supported)\b/gi,
    negatedBefore: false,
  },
  {
    re: /\brequest\s+(?:is|would\s+be)\s+(not\s+)?necessary\b/gi,
    negatedBefore: false,
  },
];
// "is not", "to not be", "cannot be considered", "does not appear", "has not been shown to be" ... but not
// a "not" inside the item's own text ("..., not to exceed 4 per day is medically necessary").
const NEGATION_BEFORE =
  /\b(?:not|cannot|can't|never|no\s+longer|neither|nor)\b(?:\s+(?:be|been|being|is|are|was|were|appear|appears|seem|seems|considered|deemed|established|shown|found|felt|judged|proven|viewed|regarded|determined|supported|recommended|indicated|warranted|reasonable|appropriate|and|or|as|to|currently|therefore|thus|at|this|time|yet))*\s*$|not$/i;

/** How a rationale ends: its last "(not) medically necessary" (or "a medical necessity") statement. */
export function rationaleConclusion(text: string): RationaleConclusion | null {
  let last: { index: number; negated: boolean } | null = null;
  for (const { re, negatedBefore } of CONCLUSIONS) {
    for (const m of text.matchAll(re)) {
      if (last && m.index < last.index) continue;
      let negated = m[1] !== undefined;
      if (!negated && negatedBefore) {
        const clause =
          text
            .slice(Math.max(0, m.index - 40), m.index)
            .split(/[.;,:]/)
            .at(-1) ?? '';
        negated = NEGATION_BEFORE.test(clause);
      }
      last = { index: m.index, negated };
    }
  }
  if (!last) return null;
  return last.negated ? 'not_medically_necessary' : 'medically_necessary';
}
