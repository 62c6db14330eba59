import type { Citation } from '../../../schemas/letter.js';
import { correctOcrWords } from './ocr-lexicon.js';

// OCR reads "(s):" as "s):", "{s)", "(s]", "(s);" or "(s) :": the label is matched loosely. It also
// reads a comma as a full stop and back: either separates a name from its label or the next guideline.
// A fax turns "(s):" into "gs);", "(sy:" or "(s)'": up to four marks between the word and its colon.
const SECTION = String.raw`Section\s*[^\s:;,.]{0,4}\s*[:;\u2019'"]`;
const PAGE = String.raw`Page\s*[^\s:;,.]{0,4}\s*[:;\u2019'"]`;
/** What may follow a guideline's name: its sections, its pages, the next guideline, or the end. */
const AFTER_NAME = String.raw`(?:\s*[,.]\s*${SECTION}|[,.]?\s*${PAGE}|\s*[,.]\s*and\s|\s*[,.;]?\s*$)`;
const NAME_WITH_YEAR = new RegExp(String.raw`^(.*?\b(?:19|20)\d{2})(?=${AFTER_NAME})`, 'i');
/** ", and " that starts the next guideline: a name ending in a year, without a sections label in it. */
const NEXT_GUIDELINE = new RegExp(
  String.raw`\s*[,.]\s*and\s+(?=(?:(?!${SECTION}|${PAGE}).)*?\b(?:19|20)\d{2}${AFTER_NAME})`,
  'i',
);
const INLINE_PAGES = /,?\s+pages?\s+(\d+(?:\s*-\s*\d+)?(?:\s*(?:,|and)\s*\d+(?:\s*-\s*\d+)?)*)$/i;

function clean(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function stripPeriod(text: string): string {
  return text.replace(/\s*\.\s*$/, '');
}

/** A value's trailing separator (a full stop, or what OCR made of one) is not part of it. */
function stripSeparator(text: string): string {
  return text.replace(/\s*[.,;:]\s*$/, '');
}

/** One citation: "<source>, Section(s): <sections>" or "<source> Page(s): <pages>", or an inline "page N". */
export function parseCitation(text: string): Citation {
  let source = clean(text);
  let sections: string | null = null;
  let pages: string | null = null;
  const page = source.match(new RegExp(String.raw`^(.*?)(?:\s*,)?\s*${PAGE}\s*(.*)$`, 'i'));
  if (page) {
    source = clean(page[1]!);
    pages = stripSeparator(clean(page[2]!)) || null;
  }
  const section = source.match(new RegExp(String.raw`^(.*?)\s*[,.]?\s*${SECTION}\s*(.*)$`, 'i'));
  if (section) {
    source = clean(section[1]!);
    sections = stripSeparator(clean(section[2]!)) || null;
  }
  if (pages === null) {
    const inline = source.match(INLINE_PAGES);
    if (inline) {
      pages = inline[1]!.replace(/\s+/g, '');
      source = source.slice(0, inline.index).trim();
    }
  }
  source = stripSeparator(source);
  return { source: source || null, sections, pages };
}

/**
 * An MTUS sentence may list several guidelines joined by ", and " — and a guideline's own name may contain
 * ", and " ("Forearm, Wrist, and Hand Complaints 2004"). A guideline name ends with its year, so the
 * sentence is split only at an ", and " that is followed by such a name.
 */
export function splitMtusSentence(sentence: string): Citation[] {
  const out: Citation[] = [];
  let rest = clean(sentence);
  while (rest !== '') {
    const name = rest.match(NAME_WITH_YEAR);
    if (!name) {
      out.push(parseCitation(rest));
      break;
    }
    const afterName = rest.slice(name[1]!.length);
    const next = afterName.match(NEXT_GUIDELINE);
    const own = next ? afterName.slice(0, next.index) : afterName;
    out.push(parseCitation(name[1]! + own));
    if (!next) break;
    rest = afterName.slice(next.index! + next[0].length);
  }
  return out;
}

/**
 * Inside one "Decision based on" sentence a full stop followed by more words is, on a scan, a comma the
 * OCR misread (names, sections and chapters are joined by commas; a sentence ends only at the next
 * "Decision based on"). A stop glued to what follows ("www.x", "9792.20", "C.C.R. 9792") stays.
 */
/** A guideline document's title: a full stop before one ends a title in a list of them ("... Therapy. ODG"). */
const TITLE_AHEAD = String.raw`(?!Official\s+Disability|ODG\b|ACOEM\b|(?:Non-?\s*)?MTUS\b|UpToDate\b|American\s+College)`;

function ocrCommas(chunk: string): string {
  return (
    chunk
      // After a word, a number or a bracket; not after an initial ("Harris J. Occupational").
      .replace(new RegExp(String.raw`([A-Za-z]{2}|[0-9)])\s*\.\s+${TITLE_AHEAD}(?=[A-Za-z(])`, 'g'), '$1, ')
      // Before a section number too ("Function. 3.3.9"), after a word (not an initial: "C.C.R. 9792").
      .replace(/([a-z]{2}|\))\s*\.\s+(?=\d)/g, '$1, ')
      // A doubled bracket ("((ODG)") is a speck beside one.
      .replace(/([()])\1+/g, '$1')
      // A date's slash read as a colon ("updated 11:23/16").
      .replace(/\b(\d{1,2})[:;](\d{1,2}\/\d{2,4})\b/g, '$1/$2')
  );
}

export const NO_CITATION = /did\s*not\s*cite\s*any\s*(?:medical\s*)?evidence/i;
const DECISION_BASED_ON = /Decision\s*based\s*on\s*/gi;

/**
 * All citations of a guideline paragraph: one per "Decision based on ..." sentence, MTUS sentences split
 * per guideline. A Non-MTUS sentence runs to the next "Decision based on" (it may hold periods itself).
 * Returns null when the paragraph has neither citations nor a "did not cite" statement.
 */
export function parseCitations(raw: string, options: { ocr?: boolean } = {}): Citation[] | null {
  const starts: { at: number; body: number }[] = [];
  for (const m of raw.matchAll(DECISION_BASED_ON)) starts.push({ at: m.index, body: m.index + m[0].length });
  if (starts.length === 0) return NO_CITATION.test(raw) ? [] : null;
  const out: Citation[] = [];
  starts.forEach((start, i) => {
    let chunk = stripPeriod(raw.slice(start.body, starts[i + 1]?.at ?? raw.length).trim());
    if (options.ocr) chunk = correctOcrWords(ocrCommas(chunk));
    if (chunk === '') return;
    if (/^Non-?\s*MTUS/i.test(chunk)) out.push(parseNonMtus(chunk));
    else out.push(...splitMtusSentence(chunk));
  });
  return out;
}

function parseNonMtus(chunk: string): Citation {
  // Only an explicit label splits a Non-MTUS citation; its free text (ODG chapters, URLs) stays whole.
  if (new RegExp(`${SECTION}|${PAGE}`, 'i').test(chunk)) return parseCitation(chunk);
  return { source: stripSeparator(clean(chunk)), sections: null, pages: null };
}
