import type { Citation, Guideline, LetterFields, Mismatch, Provenance } from '../../../schemas/letter.js';
import type { TextDocument, TextPage } from '../../../schemas/text.js';
import { citationFamily } from '../../categories/guidelines.js';
import { isKnownWord, ocrVocabulary } from '../vocabulary/vocabulary.js';
import { OCR_SUSPECT } from './reading-doubts.js';
import { matchSpecialties } from './specialties.js';
import { matchState } from './us-states.js';

/**
 * OCR-suspect rules: a field read from an OCR page whose value shows a sign of a misread (letters among
 * the digits of a strength or count, digits inside a word, a word one usual OCR confusion away from a
 * known word, an unknown word read with low confidence, a word cut in two, stray marks, a page number or
 * another citation inside a guideline's source). Text-layer pages are never checked: their characters
 * are the letter's own. Rules are for kinds of misread, measured on grey and fax scans of real letters.
 */

export { OCR_SUSPECT };

export interface OcrSuspectOptions {
  /** An unknown word one OCR confusion away from a known one, read below this confidence, is doubtful. */
  nearWordConfidence: number;
  /** Any other unknown word read below this confidence is doubtful. */
  unknownWordConfidence: number;
  /** Any word read below this confidence is doubtful, known or not. */
  anyWordConfidence: number;
  /**
   * A strength or count in an item's text read below this confidence is doubtful: a misread digit
   * ("10/323mg", "#38") has no shape to give it away, and it changes what was requested.
   */
  itemNumberConfidence: number;
}

export const DEFAULT_OCR_SUSPECT_OPTIONS: OcrSuspectOptions = {
  nearWordConfidence: 0.95,
  unknownWordConfidence: 0.6,
  anyWordConfidence: 0.3,
  itemNumberConfidence: 0.7,
};

type Severity = Mismatch['severity'];

/** The kinds of sign a rule finds; each has one severity (see `RULE_SEVERITY`). */
export type SuspectRule =
  | 'stray_mark'
  | 'digit_letters'
  | 'letter_digits'
  | 'malformed_address'
  | 'address_space'
  | 'page_in_source'
  | 'number_in_source'
  | 'source_punctuation'
  | 'merged_citation'
  | 'mtus_period'
  | 'case_number_form'
  | 'unknown_word'
  | 'near_known'
  | 'split_word'
  | 'odd_case'
  | 'low_number_confidence'
  | 'low_word_confidence'
  | 'inner_period'
  | 'repaired_digits'
  | 'repaired_separator'
  | 'repaired_word'
  | 'replaced_word';

/**
 * `error` sends the letter to QA. It is for values that are malformed as stored (letters in a number, a
 * digit in a word, marks no letter holds, a citation that swallowed its neighbour), and for unknown words
 * that OCR doubted or that undo to a known word by one usual confusion: measured on scans of real letters,
 * nearly all of those were misreads (47 of 47 near-known words), and a wrong value would otherwise leave
 * as `ok`. `warning` is for doubts that are as often about a right value: a real word or a number read
 * with low confidence, a date or case number digit the parser repaired. `info` only notes where the
 * parser repaired the reading of a citation (an unknown word made a known one, a full stop made a comma):
 * most of those repairs were right, too many to show as doubts. A known word it replaced is an error.
 */
export const RULE_SEVERITY: Record<SuspectRule, Severity> = {
  stray_mark: 'error',
  digit_letters: 'error',
  letter_digits: 'error',
  malformed_address: 'error',
  address_space: 'error',
  page_in_source: 'error',
  number_in_source: 'error',
  source_punctuation: 'error',
  merged_citation: 'error',
  mtus_period: 'error',
  case_number_form: 'error',
  unknown_word: 'error',
  near_known: 'error',
  split_word: 'error',
  odd_case: 'error',
  low_number_confidence: 'warning',
  low_word_confidence: 'warning',
  inner_period: 'error',
  repaired_digits: 'warning',
  repaired_separator: 'info',
  repaired_word: 'info',
  replaced_word: 'error',
};

export interface Finding {
  rule: SuspectRule;
  why: string;
}

const finding = (rule: SuspectRule, why: string): Finding => ({ rule, why });

/** A whitespace-delimited token of a field's text, with the lowest OCR confidence of its characters. */
export interface Token {
  text: string;
  /** 1 when no OCR word could be tied to it. */
  confidence: number;
}

// Characters OCR puts where a digit belongs (and the reverse): O/o 0, l/I/i/|/! 1, Z/z 2, S/s 5, B 8.
const DIGIT_LOOKALIKE = 'OoIli|!ZzSsB';
const LOOKS_DIGIT = `[0-9${DIGIT_LOOKALIKE.replace('|', '\\|')}]`;
const STRENGTH_UNIT = /^(.*?)(mg|mcg|ml|mls|meq|gm|g|cc|units?|iu|%)$/i;
/** Units whose number part may be all look-alike letters ("Smg"): no English word ends so. */
const LETTER_ONLY_UNITS = /^(?:mg|mcg|ml|mls|meq|%)$/i;
/** Suffixes legitimately glued to a number: ordinals, units, "x" for times, "yo" for years old. */
const NUMBER_SUFFIX =
  /^(?:st|nd|rd|th|mg|mcg|ml|mls|cc|mm|cm|kg|lb|lbs|hr|hrs|h|x|mo|mos|yo|d|am|pm|iu|meq|gm|g|s|sec|min|wk|wks)$/i;
/** Dosing intervals ("q4h", "q12hrs") and lab names ("A1c") that mix letters and digits. */
const LETTER_DIGIT_WORDS = /^(?:q\d{1,2}(?:h|hr|hrs)?|a1c|h2o|co2|o2|b\d{1,2}|d\d)$/i;
/** Characters a letter's item or citation never holds; OCR makes them of specks, rules and broken letters. */
const RARE_CHARS = /[|~^{}<>\\`¢£¥€®©«»¬¦°•¤¨¯´·¸¹²³¼½¾¿×÷\u201a\u201e\u2039\u203a]/;
/** A lone punctuation mark standing between spaces, which typed text does not have. */
const LONE_MARK = /^[,.;:'"`_=*+|~^\\]$/;
const URL_LIKE = /^(?:[a-z]{3,6}:\/|www\.)|\.(?:com|org|gov|net|edu|pdf|html?|aspx?|php)\b|\/\/|\w\/\w+\/\w/i;
/** An address whose scheme, slashes or host start are not what anyone types, or with quotes inside. */
function malformedUrl(core: string): boolean {
  const scheme = /^([a-z]+)(:?\/+|:)/i.exec(core);
  if (scheme && !/^(?:https?|ftp)$/i.test(scheme[1]!)) return true;
  if (scheme && !/^[a-z]+:\/\/[^/]/i.test(core)) return true;
  return /^w{1,2}\.|^w{4,}\.|['"\u2018\u2019\u201c\u201d,;]/i.test(core);
}

function isYear(n: string): boolean {
  return /^(?:19|20)\d{2}$/.test(n);
}

// Letters (and letter groups) OCR reads for one another, both ways: strokes (i l 1 t f j), rounds
// (o 0 c e a q), broken or merged glyphs (m rn in, w vv, d cl, h li, u ii).
const CONFUSED_PAIRS: readonly [string, string][] = [
  ['i', 'l'],
  ['i', '1'],
  ['l', '1'],
  ['i', 'j'],
  ['i', 't'],
  ['l', 't'],
  ['f', 't'],
  ['o', '0'],
  ['o', 'c'],
  ['o', 'a'],
  ['o', 'e'],
  ['o', 'q'],
  ['o', 'd'],
  ['c', 'e'],
  ['s', '5'],
  ['b', '8'],
  ['b', 'h'],
  ['z', '2'],
  ['g', '6'],
  ['g', 'q'],
  ['g', 'y'],
  ['u', 'v'],
  ['v', 'y'],
  ['u', 'n'],
  ['n', 'h'],
  ['n', 'r'],
  ['m', 'rn'],
  ['m', 'nn'],
  ['m', 'in'],
  ['w', 'vv'],
  ['d', 'cl'],
  ['h', 'li'],
  ['u', 'ii'],
];
const CONFUSED: readonly [string, string][] = CONFUSED_PAIRS.flatMap(([a, b]) => [
  [a, b],
  [b, a],
]);
const PARTNERS = new Map<string, Set<string>>();
for (const [a, b] of CONFUSED) {
  if (a.length === 1 && b.length === 1) PARTNERS.set(a, (PARTNERS.get(a) ?? new Set()).add(b));
}

/**
 * The known word an unknown one becomes when one of OCR's usual confusions is undone ("MRL" -> "mri",
 * "ESTs" -> "esis", "Guidehnes" -> "guidelines"), a glyph read twice is dropped ("NCYV" -> "ncv"), or in
 * a long word any one slip is undone ("Adminstrator"); null when none is.
 */
export function nearKnown(word: string, vocabulary: ReadonlySet<string>): string | null {
  const w = word.toLowerCase();
  if (w.length < 3) return null;
  const hit = (candidate: string) => candidate.length >= 3 && isKnownWord(candidate, vocabulary);
  for (let i = 0; i < w.length; i++) {
    for (const [from, to] of CONFUSED) {
      if (/\d/.test(to) || !w.startsWith(from, i)) continue;
      const candidate = w.slice(0, i) + to + w.slice(i + from.length);
      if (hit(candidate)) return candidate;
    }
  }
  for (let i = 0; i < w.length; i++) {
    const next = w[i + 1];
    if (next === undefined || !PARTNERS.get(w[i]!)?.has(next)) continue;
    for (const candidate of [w.slice(0, i) + w.slice(i + 1), w.slice(0, i + 1) + w.slice(i + 2)]) {
      if (hit(candidate)) return candidate;
    }
  }
  if (w.length >= 6) {
    for (let i = 0; i <= w.length; i++) {
      if (i < w.length && hit(w.slice(0, i) + w.slice(i + 1))) return w.slice(0, i) + w.slice(i + 1);
      for (const ch of 'abcdefghijklmnopqrstuvwxyz') {
        const inserted = w.slice(0, i) + ch + w.slice(i);
        if (hit(inserted)) return inserted;
        const replaced = i < w.length ? w.slice(0, i) + ch + w.slice(i + 1) : '';
        if (replaced && replaced !== w && hit(replaced)) return replaced;
      }
    }
  }
  return null;
}

/** Mixed case inside a word ("MRl", "lumBar"), a sign of l/I, c/C or s/S read for one another. */
function oddCase(word: string): boolean {
  if (/[a-z][A-Z]/.test(word)) return true;
  // Capitals then small letters other than a plural "s": "MRl", "EMGl", "CTs" is fine.
  return /^[A-Z]{2,}[a-z]+$/.test(word) && !/^[A-Z]{2,}s$/.test(word);
}

/** The number part of a strength or count holds look-alike letters: "Smg", "1Omg", "l0mg", "#6O". */
function digitLetters(core: string): string | null {
  const hash = /^#\s?(.+)$/.exec(core);
  if (hash) {
    const n = hash[1]!;
    if (new RegExp(`^${LOOKS_DIGIT}+$`).test(n) && /[^0-9]/.test(n)) return 'letters in a count';
    return null;
  }
  const unit = STRENGTH_UNIT.exec(core);
  if (unit) {
    const n = unit[1]!;
    const numberish = new RegExp(`^${LOOKS_DIGIT}(?:${LOOKS_DIGIT}|[.,/-])*$`).test(n);
    if (numberish && /[^0-9.,/-]/.test(n)) {
      const hasDigit = /\d/.test(n);
      if (hasDigit || LETTER_ONLY_UNITS.test(unit[2]!)) return 'letters in a strength';
    }
    return null;
  }
  // A plain number with look-alike letters among its digits: "1O", "2O16", "l2/3l/2016". A capital
  // letter before digits is a code (spinal level S1, vitamin B12), so capitals count only after a digit.
  if (
    new RegExp(`^${LOOKS_DIGIT}+(?:[.,/:-]${LOOKS_DIGIT}+)*$`).test(core) &&
    /\d/.test(core) &&
    (/[oli|!sz]/.test(core) || /[0-9.,/:-][OIZSB]/.test(core))
  ) {
    return 'letters among digits';
  }
  return null;
}

/** Digits where letters belong: "Tramad0l", "0xycodone", "1umbar", "medica1". */
function lettersDigits(core: string): string | null {
  for (const part of core.split(/[-/]/)) {
    const p = part.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
    if (p === '' || LETTER_DIGIT_WORDS.test(p)) continue;
    if (/[A-Za-z][0-9]+[a-z]/.test(p) && /[a-z]/.test(p)) return 'a digit inside a word';
    const lead = /^[0-9]+([a-z]+)$/.exec(p);
    if (lead && lead[1]!.length >= 3 && !NUMBER_SUFFIX.test(lead[1]!)) return 'a digit inside a word';
    if (/[a-z]{2,}[0-9]+$/.test(p)) return 'a digit inside a word';
  }
  return null;
}

/** What is wrong with one token, if anything. */
export function tokenFindings(
  token: Token,
  vocabulary: ReadonlySet<string>,
  options: OcrSuspectOptions = DEFAULT_OCR_SUSPECT_OPTIONS,
): Finding[] {
  const out: Finding[] = [];
  const text = token.text;
  if (LONE_MARK.test(text)) return [finding('stray_mark', `a stray "${text}"`)];
  if (RARE_CHARS.test(text)) out.push(finding('stray_mark', `a stray symbol in "${text}"`));
  // A bracket read twice: typed text nests brackets only to close them ("(ESWT))").
  else if (/\(\(|\[\[/.test(text)) out.push(finding('stray_mark', `a doubled bracket in "${text}"`));
  // Brackets and sentence punctuation around a token are the letter's; what is inside is the reading.
  const core = text.replace(/^[("'\u201c[]+|[)"'\u201d\].,;:!?]+$/g, '');
  if (core === '') return out;
  // Numbers first: a date with letters in it ("l2/3l/2016") has slashes like an address.
  const digitLetter = digitLetters(core);
  if (digitLetter) out.push(finding('digit_letters', `${digitLetter}: "${core}"`));
  else if (URL_LIKE.test(core)) {
    if (malformedUrl(core)) out.push(finding('malformed_address', `a malformed address "${core}"`));
    // Addresses are unknown words by nature and read with lower confidence: only a very low one counts.
    if (token.confidence < options.anyWordConfidence) {
      out.push(
        finding('low_word_confidence', `"${core}" read with confidence ${token.confidence.toFixed(2)}`),
      );
    }
    return out;
  }
  const letterDigit = digitLetter ? null : lettersDigits(core);
  if (letterDigit) out.push(finding('letter_digits', `${letterDigit}: "${core}"`));
  const words = core.match(/[A-Za-z]+(?:['\u2019][a-z]+)?/g) ?? [];
  const unknown = words.filter((w) => !isKnownWord(w, vocabulary));
  if (!digitLetter && !letterDigit && unknown.length > 0) {
    const near = unknown.map((w) => [w, nearKnown(w, vocabulary)] as const).find(([, k]) => k !== null);
    const conf = token.confidence.toFixed(2);
    if (unknown.some(oddCase)) out.push(finding('odd_case', `an unknown word in odd case: "${core}"`));
    // A capitals abbreviation one confusion from a known one ("MRL", "NCY") is read so even with confidence.
    else if (near && (token.confidence < options.nearWordConfidence || /^[A-Z]{2,}s?$/.test(near[0]))) {
      out.push(finding('near_known', `"${near[0]}" (confidence ${conf}) looks like "${near[1]}" misread`));
    } else if (token.confidence < options.unknownWordConfidence) {
      out.push(finding('unknown_word', `an unknown word read with confidence ${conf}: "${core}"`));
    }
  }
  if (out.length === 0 && /[A-Za-z0-9]/.test(core) && token.confidence < options.anyWordConfidence) {
    out.push(finding('low_word_confidence', `"${core}" read with confidence ${token.confidence.toFixed(2)}`));
  }
  return out;
}

// A page reference at the end of a source: "page 137", "pg. 12", "p 301", and OCR's "paqe 137". The parser
// moves a clean "page N" into `pages`, and "pg. 607" / "p 301" are how some sources are written; what it
// leaves is a misread one: look-alike letters or a space in the number, or "page" itself misspelt.
const PAGE_AT_END = new RegExp(
  String.raw`(?:^|[\s,(])(p|pp|pg|pgs|p[a-z]{1,2}e|pages?|p[a-z]{1,2}es)\s*\(?s?\)?\s*[.:;]?\s*(${LOOKS_DIGIT}{1,4}(?:\s?${LOOKS_DIGIT}{1,3})?(?:\s*[-–]\s*${LOOKS_DIGIT}{1,4})?)\s*[.)]?$`,
  'i',
);

function misreadPage(source: string): boolean {
  const m = PAGE_AT_END.exec(source);
  if (!m) return false;
  const word = m[1]!.toLowerCase();
  const number = m[2]!;
  if (!/\d/.test(number)) return false;
  return /[^\d\s–-]|\d\s\d/.test(number) || (/^p[a-z]{1,2}es?$/.test(word) && !/^pages?$/.test(word));
}

// A chapter, section, edition ... number, a decimal (a regulation) or a date part: not a stray page.
const NUMBER_OWNER =
  /(?:chapter|chap|ch|section|sec|§|volume|vol|edition|ed|table|figure|fig|part|appendix|step|phase|level|grade|type|stage|class|version|v|no|number|#|c\.c\.r\.|ccr)\.?\s*$/i;
// Wording that starts a citation or labels its parts: inside a source or sections, the parser could not
// see it for a misread ("Section{s):", "Section(s) Cyclobenzaprine", "Decisi0n based on").
const LEFTOVER_LABEL =
  /\bdecision\s*based\s*on\b|\b(?:section|page)\s*[({[]\s*s\s*[)}\]]?|\b(?:section|page)s?\s*[)}\]]\s*[:;.,]?/i;
const YEAR = /(?<![\d/.-])(?:19|20)\d{2}(?![\d/-])/g;
// A period inside a phrase, before a small letter or a digit: OCR's reading of a comma (abbreviations
// such as "ed." or "e.g." aside).
const ABBREVIATION =
  /(?:^|[\s(])(?:ed|eds|vol|no|p|pp|pg|ch|chap|sec|fig|dr|st|vs|etc|approx|e\.g|i\.e|inc|co|jr|sr|(?:[a-z]\.)*[a-z])$/i;
function innerPeriod(text: string): boolean {
  for (const m of text.matchAll(/\.\s+[a-z0-9]/g)) {
    if (!ABBREVIATION.test(text.slice(0, m.index))) return true;
  }
  return false;
}

/** Signs in a citation's sections (or pages) that they hold more than their own text. */
export function sectionFindings(sections: string): Finding[] {
  const out: Finding[] = [];
  if (LEFTOVER_LABEL.test(sections)) {
    out.push(finding('merged_citation', `the sections hold another citation's wording: "${sections}"`));
  } else if ((sections.match(YEAR) ?? []).length > 0) {
    out.push(finding('merged_citation', `a guideline year inside the sections: "${sections}"`));
  }
  if (innerPeriod(sections)) out.push(finding('inner_period', `a period inside "${sections}"`));
  return out;
}

/** Signs that a citation's source holds more than the guideline's name. */
export function sourceFindings(source: string): Finding[] {
  const out: Finding[] = [];
  const s = source.trim();
  if (/[.,;:]$/.test(s)) {
    out.push(
      finding('source_punctuation', `the source ends in "${s.at(-1)}": the text after it was misread`),
    );
  }
  if ((s.match(YEAR) ?? []).length > 1) {
    out.push(finding('merged_citation', `two guideline years in one source: "${s}"`));
  }
  if (citationFamily(s).family === 'mtus' && /\.(?!\d)/.test(s.replace(/\.$/, ''))) {
    // MTUS guideline names hold no period: one is a misread comma, the name is not as written.
    out.push(finding('mtus_period', `a period inside the MTUS source "${s}"`));
  } else if (innerPeriod(s)) out.push(finding('inner_period', `a period inside "${s}"`));
  if (misreadPage(s)) out.push(finding('page_in_source', `a misread page reference in the source "${s}"`));
  else if (!PAGE_AT_END.test(s)) {
    const trailing = /(?:^|[^\d./-])(\d{1,3})\s*[.)]?$/.exec(s);
    if (trailing && !isYear(trailing[1]!) && !NUMBER_OWNER.test(s.slice(0, trailing.index + 1))) {
      out.push(finding('number_in_source', `a number that is not a year at the end of the source "${s}"`));
    }
  }
  if (LEFTOVER_LABEL.test(s)) {
    out.push(finding('merged_citation', `the source holds another citation's wording: "${s}"`));
  }
  return out;
}

// -- Tying a field's text to the OCR words it was read from -------------------------------------------

interface Word {
  start: number;
  end: number;
  confidence: number;
}

interface PageWords {
  page: TextPage;
  /** Segments sorted by start. */
  words: Word[];
}

class OcrIndex {
  private readonly pages = new Map<number, PageWords>();
  readonly order: number[];

  constructor(private readonly doc: TextDocument) {
    this.order = doc.pages.map((p) => p.page);
  }

  get(page: number): PageWords | undefined {
    let found = this.pages.get(page);
    if (found) return found;
    const p = this.doc.pages.find((x) => x.page === page);
    if (!p) return undefined;
    const words = p.lines.flatMap((l) => l.segments).sort((a, b) => a.start - b.start);
    found = { page: p, words };
    this.pages.set(page, found);
    return found;
  }

  /** The confidence of the word holding character `at` of a page (1 for a text layer or a gap). */
  confidenceAt(pw: PageWords, at: number): number {
    if (pw.page.source !== 'ocr') return 1;
    let lo = 0;
    let hi = pw.words.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const w = pw.words[mid]!;
      if (at < w.start) hi = mid - 1;
      else if (at >= w.end) lo = mid + 1;
      else return w.confidence;
    }
    return 1;
  }

  /**
   * For each character of `text` (a field read from the run that starts at `p`), the confidence of the
   * OCR word it came from: the parser joins lines with single spaces, so the non-space characters of the
   * text follow those of the pages from `p.start` on, across page ends. Null when they do not.
   */
  charConfidences(p: Provenance, text: string): number[] | null {
    let pageAt = this.order.indexOf(p.page);
    let pw = this.get(p.page);
    if (!pw || pageAt < 0) return null;
    let off = p.start;
    const out: number[] = [];
    for (const ch of text) {
      if (/\s/.test(ch)) {
        out.push(1);
        continue;
      }
      for (;;) {
        while (off < pw.page.text.length && /\s/.test(pw.page.text[off]!)) off++;
        if (off < pw.page.text.length) break;
        pageAt++;
        const next = this.order[pageAt];
        pw = next === undefined ? undefined : this.get(next);
        if (!pw) return null;
        off = 0;
      }
      if (!sameMark(pw.page.text[off]!, ch)) return null;
      out.push(this.confidenceAt(pw, off));
      off++;
    }
    return out;
  }

  /** Whether the page a field's run starts on was read by OCR. */
  isOcr(p: Provenance): boolean {
    return this.get(p.page)?.page.source === 'ocr';
  }

  /** Up to `n` tokens of the page right after a field's span, up to the end of its clause. */
  tokensAfter(p: Provenance, n: number): Token[] {
    const pw = this.get(p.page);
    if (!pw) return [];
    const rest = /^[^.;:\n]*/.exec(pw.page.text.slice(p.end, p.end + 80))?.[0] ?? '';
    return tokensOf(rest, (i) => this.confidenceAt(pw, p.end + i)).slice(0, n);
  }

  /** The text of a field's span on its page. */
  spanText(p: Provenance): string {
    return this.get(p.page)?.page.text.slice(p.start, p.end) ?? '';
  }

  /** The lowest word confidence of characters [from, to) of a field's span. */
  spanConfidence(p: Provenance, from: number, to: number): number {
    const pw = this.get(p.page);
    if (!pw) return 1;
    let c = 1;
    for (let i = p.start + from; i < p.start + to; i++) c = Math.min(c, this.confidenceAt(pw, i));
    return c;
  }

  /** The tokens of a page span, each with its word confidence. */
  spanTokens(p: Provenance): Token[] {
    const pw = this.get(p.page);
    if (!pw) return [];
    const text = pw.page.text.slice(p.start, p.end);
    return tokensOf(text, (i) => this.confidenceAt(pw, p.start + i));
  }
}

/** The same character, or two of the separators a parser may put for one another (an OCR period repaired). */
function sameMark(a: string, b: string): boolean {
  return a === b || (/[.,;:]/.test(a) && /[.,;:]/.test(b));
}

function minConfidence(tokens: readonly Token[]): number {
  return Math.min(1, ...tokens.map((t) => t.confidence));
}

function tokensOf(text: string, confidenceAt: (i: number) => number): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    let confidence = 1;
    for (let i = m.index; i < m.index + m[0].length; i++) confidence = Math.min(confidence, confidenceAt(i));
    out.push({ text: m[0], confidence });
  }
  return out;
}

// -- The vocabulary ------------------------------------------------------------------------------------

export { isKnownWord, ocrVocabulary };

// -- Fields --------------------------------------------------------------------------------------------

/** A piece of an address that is not its start: what follows a space OCR put inside an address. */
const ADDRESS_PIECE =
  /^(?![a-z]{3,6}:\/|www\.)[\w.~%-]*(?:\/[\w.~%-]*)+$|^[\w~%-]+\.(?:pdf|html?|aspx?|php)$/i;

function textFindings(tokens: readonly Token[], vocabulary: ReadonlySet<string>, options: OcrSuspectOptions) {
  const out = tokens.flatMap((t) => tokenFindings(t, vocabulary, options));
  const bare = (t: Token | undefined) => t?.text.replace(/^[("']+|[)"'.,;:]+$/g, '') ?? '';
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    // A word OCR cut in two ("Tri gger"): the halves joined are a word, and one of them alone is not.
    const [a, b] = [bare(prev), bare(t)];
    if (
      /^[A-Za-z]+$/.test(a) &&
      /^[a-z]+$/.test(b) &&
      !(isKnownWord(a, vocabulary) && isKnownWord(b, vocabulary)) &&
      isKnownWord(a + b, vocabulary)
    ) {
      out.push(finding('split_word', `"${a} ${b}" looks like "${a}${b}" cut in two`));
    }
    if (
      prev &&
      URL_LIKE.test(prev.text) &&
      !/[,;]$/.test(prev.text) &&
      ADDRESS_PIECE.test(t.text.replace(/[.,;)]+$/, ''))
    ) {
      out.push(finding('address_space', `a space inside an address: "${prev.text} ${t.text}"`));
    }
  });
  return out;
}

/** Tokens of a text field read from the run at `p`, with the confidences of the words they came from. */
function fieldTokens(index: OcrIndex, p: Provenance, text: string): Token[] {
  const conf = index.charConfidences(p, text);
  if (conf) return tokensOf(text, (i) => conf[i] ?? 1);
  // The value is not the run as read (the parser changed it): tie it word by word to the span read.
  const read = index.spanText(p);
  const readWords = wordsAt(read);
  const words = wordsAt(text);
  const at = alignWords(readWords, words, 0);
  const charConf = new Array<number>(text.length).fill(1);
  if (at !== null) {
    words.forEach((w, k) => {
      const r = readWords[at + k]!;
      const c = index.spanConfidence(p, r.start, r.end);
      for (let i = w.start; i < w.end; i++) charConf[i] = c;
    });
  }
  return tokensOf(text, (i) => charConf[i] ?? 1);
}

function citationParts(c: Citation): { text: string; source: boolean }[] {
  return [
    ...(c.source ? [{ text: c.source, source: true }] : []),
    ...(c.sections ? [{ text: c.sections, source: false }] : []),
    ...(c.pages ? [{ text: c.pages, source: false }] : []),
  ];
}

interface WordAt {
  text: string;
  start: number;
  end: number;
}

function wordsAt(text: string): WordAt[] {
  return [...text.matchAll(/[A-Za-z0-9]+/g)].map((m) => ({
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/**
 * Where a citation part's words stand among the paragraph's (as read): the first offset at or after
 * `from` where at least half of them are the same words in the same order. The parser may have changed
 * separators and words on the way (an OCR repair); those are the differences.
 */
function alignWords(raw: readonly WordAt[], part: readonly WordAt[], from: number): number | null {
  const same = (a: WordAt, b: WordAt) => a.text.toLowerCase() === b.text.toLowerCase();
  let best: { at: number; hits: number } | null = null;
  for (let at = from; at + part.length <= raw.length; at++) {
    const hits = part.filter((w, k) => same(w, raw[at + k]!)).length;
    if (hits * 2 >= part.length && (!best || hits > best.hits)) best = { at, hits };
    if (best && best.hits === part.length) break;
  }
  return best?.at ?? null;
}

function guidelineFindings(
  index: OcrIndex,
  p: Provenance,
  g: Guideline,
  vocabulary: ReadonlySet<string>,
  options: OcrSuspectOptions,
): Finding[] {
  const conf = index.charConfidences(p, g.raw);
  const rawWords = wordsAt(g.raw);
  const span = (a: number, b: number) => Math.min(1, ...(conf?.slice(a, b) ?? []));
  const out: Finding[] = [];
  let from = 0;
  for (const c of g.citations) {
    for (const part of citationParts(c)) {
      // Citations are pieces of the paragraph, in order: tie each word to the word it was read from, for
      // its confidence and for what the parser changed in it.
      const words = wordsAt(part.text);
      const at = words.length > 0 ? alignWords(rawWords, words, from) : null;
      const charConf = new Array<number>(part.text.length).fill(1);
      if (at !== null) {
        from = at + words.length;
        words.forEach((w, k) => {
          const r = rawWords[at + k]!;
          for (let i = w.start; i < w.end; i++) charConf[i] = span(r.start, r.end);
          if (w.text.toLowerCase() !== r.text.toLowerCase()) {
            // The parser put another word for the one read: if that one was a word, the reading is lost.
            const rule =
              isKnownWord(r.text, vocabulary) && /[A-Za-z]{2}/.test(r.text)
                ? 'replaced_word'
                : 'repaired_word';
            out.push(finding(rule, `read "${r.text}", the parser made it "${w.text}"`));
          }
          const next = words[k + 1];
          const rawNext = rawWords[at + k + 1];
          if (next && rawNext && part.text.slice(w.end, next.start).includes(',')) {
            const gap = g.raw.slice(r.end, rawNext.start);
            if (gap.includes('.') && !gap.includes(',')) {
              const c = span(r.end, rawNext.start);
              out.push(
                finding(
                  'repaired_separator',
                  `a full stop (confidence ${c.toFixed(2)}) made a comma in "${part.text}"`,
                ),
              );
            }
          }
        });
      }
      const tokens = tokensOf(part.text, (i) => charConf[i] ?? 1);
      out.push(...textFindings(tokens, vocabulary, options));
      out.push(...(part.source ? sourceFindings(part.text) : sectionFindings(part.text)));
    }
  }
  return out;
}

const CASE_NUMBER = /^CM\d{2}-\d{7}$/;

/** A field read from OCR and what its value shows. */
export interface FieldSuspects {
  field: string;
  findings: Finding[];
}

/** Every field of a parsed letter read from an OCR page whose value shows a sign of a misread. */
export function ocrSuspectFindings(
  fields: LetterFields,
  provenance: Record<string, Provenance>,
  doc: TextDocument,
  options: OcrSuspectOptions = DEFAULT_OCR_SUSPECT_OPTIONS,
): FieldSuspects[] {
  if (!doc.pages.some((p) => p.source === 'ocr')) return [];
  const index = new OcrIndex(doc);
  const vocabulary = ocrVocabulary();
  const checks: FieldSuspects[] = [];
  const ocr = (field: string): Provenance | null => {
    const p = provenance[field];
    return p && index.isOcr(p) ? p : null;
  };

  const caseP = ocr('caseNumber');
  if (caseP && fields.caseNumber) {
    const raw = index
      .spanTokens(caseP)
      .map((t) => t.text)
      .join('');
    const findings: Finding[] = [];
    if (!CASE_NUMBER.test(fields.caseNumber)) {
      findings.push(finding('case_number_form', `"${raw}" does not read as CMyy-nnnnnnn`));
    } else if (/[^0-9-]/.test(raw.replace(/^C[MN]/i, ''))) {
      findings.push(finding('repaired_digits', `"${raw}" needed its digits repaired`));
    }
    checks.push({ field: 'caseNumber', findings });
  }
  for (const key of [
    'dateAssigned',
    'decisionDate',
    'applicationReceived',
    'injuryDate',
    'urDate',
  ] as const) {
    const p = ocr(key);
    if (!p || !fields[key]) continue;
    const raw = index
      .spanTokens(p)
      .map((t) => t.text)
      .join(' ');
    // Digits read as letters and repaired: the repair guesses, and a guessed digit moves the date.
    if (/\d[A-Za-z|]|[A-Za-z|]\d/.test(raw) && !/[A-Za-z]{3}/.test(raw)) {
      checks.push({
        field: key,
        findings: [finding('repaired_digits', `"${raw}" needed its digits repaired`)],
      });
    }
  }
  for (const key of ['priority', 'reviewer.specialty'] as const) {
    const p = ocr(key);
    const value = key === 'priority' ? fields.priority : fields.reviewer.specialty;
    if (!p || !value) continue;
    const tokens = fieldTokens(index, p, value);
    const findings = textFindings(tokens, vocabulary, options);
    // The validator warns of a near miss (a letter's own typo happens); read by OCR with doubt, it is
    // far more likely a misread.
    if (key === 'reviewer.specialty' && minConfidence(tokens) < options.nearWordConfidence) {
      for (const part of matchSpecialties(value)) {
        if (part.typo)
          findings.push(finding('near_known', `"${part.text}" looks like "${part.match}" misread`));
      }
    }
    checks.push({ field: key, findings });
  }
  const licensure = ocr('reviewer.licensure');
  if (licensure && minConfidence(index.spanTokens(licensure)) < options.nearWordConfidence) {
    const findings: Finding[] = [];
    for (const state of fields.reviewer.licensure) {
      const m = matchState(state);
      if (m.kind === 'typo')
        findings.push(finding('near_known', `"${state}" looks like "${m.name}" misread`));
    }
    checks.push({ field: 'reviewer.licensure', findings });
  }

  // No sex after an age phrase: the words that follow it may be "male" misread ("inale", "okl male").
  const age = ocr('patient.age');
  if (age && fields.patient.sex === null) {
    const after = index.tokensAfter(age, 3);
    const odd = after.find(
      (t) => /[A-Za-z]/.test(t.text) && !isKnownWord(t.text.replace(/[^A-Za-z]/g, ''), vocabulary),
    );
    if (odd) {
      checks.push({
        field: 'patient.sex',
        findings: [finding('near_known', `no sex after the age; "${odd.text}" there may be misread`)],
      });
    }
  }

  fields.items.forEach((item, i) => {
    const path = `items.${i}`;
    for (const key of ['description', 'originalRequest', 'authorizedPortion'] as const) {
      const p = ocr(`${path}.${key}`);
      const value = item[key];
      if (!p || !value) continue;
      const tokens = fieldTokens(index, p, value);
      const findings = textFindings(tokens, vocabulary, options);
      for (const t of tokens) {
        if (/\d/.test(t.text) && t.confidence < options.itemNumberConfidence) {
          const why = `"${t.text}" read with confidence ${t.confidence.toFixed(2)}`;
          findings.push(finding('low_number_confidence', why));
        }
      }
      checks.push({ field: `${path}.${key}`, findings });
    }
    for (const key of ['claimsAdministratorGuideline', 'maximusGuideline'] as const) {
      const p = ocr(`${path}.${key}`);
      const g = item[key];
      if (!p || !g) continue;
      checks.push({ field: `${path}.${key}`, findings: guidelineFindings(index, p, g, vocabulary, options) });
    }
  });

  return checks.filter((c) => c.findings.length > 0);
}

/**
 * The OCR-suspect mismatches of a parsed letter: one per field whose value, read from an OCR page, shows
 * a sign of a misread, with the worst severity of its findings (see `RULE_SEVERITY`). Never throws.
 */
export function ocrSuspects(
  fields: LetterFields,
  provenance: Record<string, Provenance>,
  doc: TextDocument,
  options: OcrSuspectOptions = DEFAULT_OCR_SUSPECT_OPTIONS,
): Mismatch[] {
  let found: FieldSuspects[];
  try {
    found = ocrSuspectFindings(fields, provenance, doc, options);
  } catch (err) {
    // A doubt about the reading must never fail a letter that parsed: say the check could not run.
    const why = err instanceof Error ? err.message : String(err);
    return [{ field: 'letter', code: OCR_SUSPECT, severity: 'warning', message: `not checked: ${why}` }];
  }
  return found.map(({ field, findings }) => {
    const severities = new Set(findings.map((f) => RULE_SEVERITY[f.rule]));
    const severity: Severity = severities.has('error')
      ? 'error'
      : severities.has('warning')
        ? 'warning'
        : 'info';
    const reasons = [
      ...new Set(findings.filter((f) => RULE_SEVERITY[f.rule] === severity).map((f) => f.why)),
    ];
    const more = reasons.length > 3 ? ` (+${reasons.length - 3} more)` : '';
    return {
      field,
      code: OCR_SUSPECT,
      severity,
      message: `possible OCR misread: ${reasons.slice(0, 3).join('; ')}${more}`,
    };
  });
}
