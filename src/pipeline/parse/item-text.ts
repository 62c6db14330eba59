import nlp from 'compromise';
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

// The three wordings of a modified request (X original, Y authorized, Z the IMR-eligible remainder). OCR
// reads a full stop as a comma and back, so either closes a sentence here.
const MODIFIED_REMAINING =
  /^(.*?)\s+was\s+the\s+original\s+request\s*[.,]\s*(.*?)\s+(?:was|were)\s+authorized\s+by\s+the\s+Claims\s+Administrator\s*[.,]\s*The\s+remaining\s+IMR\s+eligible\s+portion\s+of\s+the\s+original\s+request\s*[,.]\s*(.*?)(?:\s+is)?\s*$/is;
const MODIFIED_LEAVING =
  /^(.*?)\s+was\s+the\s+original\s+request\s*[.,]\s*The\s+Claims\s+Administrator\s+authorized\s+(.*?)\s*[,.;]\s*leaving\s+the\s+original\s+request\s+IMR\s+eligible\s*[.,]\s*The\s+original\s+request\s*[,.]\s*(.*?)(?:\s+is)?\s*$/is;

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

/*
 * What a rationale concludes. The last sentence that states a conclusion is found with regexes (cheap, on
 * the whole paragraph); only the clause of that sentence carrying the predicate goes through compromise,
 * whose tags tell the clause's verb group from its subject (the item's own name, where a "not to exceed"
 * must not count) and from an earlier clause ("Although X was not documented the request is ...").
 */

// Conclusion predicates; group 1 is the word the clause's negation is read before. Tier 1 speaks of
// medical necessity; tier 2 ("The request cannot be recommended at this time.") only counts when a
// rationale has no tier 1, and only as its last judgement.
const MEDICALLY = String.raw`(?:m|rn)edicall?y\s*(?:nec?cess?ar[yv]|appropriate|reasonable|indicated|warranted|justified)`;
// `adjective`: the predicate can also stand before a noun ("medically necessary care"), which is no
// conclusion.
interface Pattern {
  re: RegExp;
  adjective: boolean;
}
const TIER_1: Pattern[] = [
  { re: new RegExp(String.raw`\b(${MEDICALLY})\b`, 'gid'), adjective: true },
  { re: /\b(?:is|are|was|were|be|been)\s+(?:not\s+)?((?:a\s+)?medical\s+necessity)\b/dgi, adjective: false },
  {
    re: /\bmedical\s+necessity\b[^.;]{0,80}?\b(?:has|have|had|was|were|is|are|be)\s+(?:[\w-]+\s+){0,3}?(established|demonstrated|substantiated|supported|shown|proven|met|documented)\b/dgi,
    adjective: false,
  },
  {
    re: /\b(?:establish|demonstrate|substantiate|support|show|prove)(?:s|es|ed|d|ing)?\s+(?:the\s+)?(medical\s+necessity)\b/dgi,
    adjective: false,
  },
  {
    re: /\brequest(?:s|ed)?\b[^.;:]{0,150}?\b(?:is|are|was|were|be|been|being)\s+(?:[\w-]+\s+){0,3}?((?<!medically\s*)necessary)\b/dgi,
    adjective: true,
  },
];
const TIER_2: Pattern[] = [
  {
    re: /\brequest(?:s|ed)?\b[^.;:]{0,150}?\b(?:is|are|was|were|be|been|being)\s+(?:[\w-]+\s+){0,3}?(recommended|warranted|indicated|supported|reasonable|appropriate|justified|certified|approved)\b/dgi,
    adjective: true,
  },
];

const JUDGEMENT =
  /\b(?:recommend|warrant|indicat|support|reasonabl|appropriat|justif|certif|approv|necessar)/i;

// A sentence ends at . ! ? and a space (OCR may lower the next capital), except after a title or company
// abbreviation, "et al." or a dotted one ("e.g.", "b.i.d.").
const SENTENCE_END =
  /(?<!\b(?:Dr|Mr|Mrs|Ms|Inc|Co|Corp|Ltd|No|vs|St|Jr|Sr|approx|Fig|al|\w\.\w))[.!?]+["'’”)\]]*\s+(?=["'‘“([]?[A-Za-z0-9])/g;
// Where a sentence's clauses meet: compromise's own clause split is by these marks, done here on the
// text so that it is only tagged once and briefly.
const CLAUSE_END = /[,;:]\s+|\s[-–—]+\s|[()]/g;

const WHOLE_SENTENCE = /\b(?:that|which|whether|who|whom)\b|^\s*(?:no|neither|none|nothing|nor)\b/i;

interface Predicate {
  start: number;
  end: number;
  adjective: boolean;
}

/** Where the predicates of these patterns stand, the last first. */
function predicatesOf(text: string, patterns: Pattern[]): Predicate[] {
  const found: Predicate[] = [];
  for (const { re, adjective } of patterns) {
    for (const m of text.matchAll(re)) {
      const at = m.indices?.[1];
      if (at) found.push({ start: at[0], end: at[1], adjective });
    }
  }
  return found.sort((a, b) => b.start - a.start);
}

// A hedge: "(taper) if medically appropriate", "unless deemed medically necessary";
// "If improvement is documented, further visits may be medically necessary"; "would be medically
// necessary if ...".
const ELLIPTIC_CONDITION =
  /\b(?:if|unless|when|whenever|where|wherever|whether|until|once)\s+(?:(?:it|this|that|they|is|are|was|were|be|been|deemed|considered|determined|found|felt|clinically|otherwise|still|and|or)\s+){0,3}$/i;
const MODAL = /\b(?:may|might|could|would|can)\b/i;
const CONDITION_FIRST = /^\W*(?:if|unless|should|once|until|whether)\b/i;
const CONDITION_AFTER = /\b(?:if|unless|once|until|provided)\b/i;

// "medically necessary care": a lower-case word after the predicate that is none of what may follow a
// predicative one (a preposition, conjunction, determiner, verb or adverb: "at this time", "per MTUS",
// "and appropriate", "currently"), with no copula before it ("is (not) medically necessary secondary to").
const PREDICATIVE_NEXT =
  /^\s*(?:$|[^\sa-z]|\w+ly\b|(?:at|for|to|per|and|or|nor|but|so|as|in|on|under|over|based|because|since|with|without|given|if|unless|until|when|while|due|pursuant|according|by|from|via|secondary|pending|except|including|such|versus|vs|during|despite|upon|therefore|thus|hence|this|these|the|a|an|only|any|also|still|now|anymore|again|then|here|there|it|either|neither|whether|which|that|who|is|are|was|were|be|has|have|within|beyond|after|before|prior|following|through|throughout|regarding|considering|although|though|even|not)\b)/;
const COPULA_BEFORE =
  /\b(?:is|are|was|were|be|been|being|not|considered|deemed|found|seen|viewed|regarded|judged|felt|determined|shown|proven|established|remains?|seems?|appears?|becomes?|as)\s*$/i;

/** A hedge or a qualifier, not a conclusion. */
function notConcluding(predicate: Predicate, before: string, clause: string, after: string): boolean {
  if (predicate.adjective && !PREDICATIVE_NEXT.test(after) && !COPULA_BEFORE.test(before)) return true;
  if (ELLIPTIC_CONDITION.test(before)) return true;
  return MODAL.test(clause) && (CONDITION_FIRST.test(before) || CONDITION_AFTER.test(after));
}

function lastEndBefore(text: string, re: RegExp, before: number): number {
  let start = 0;
  for (const m of text.matchAll(re)) {
    const end = m.index + m[0].length;
    if (end > before) break;
    start = end;
  }
  return start;
}

// OCR and old text layers: a stray "|" ("medica|ly", "is | not"), "not-medically", "notmedically",
// "non-medically". The text is only read here, so lengths may change.
function normalize(text: string): string {
  return text
    .replace(/(?<=[a-z])\|(?=[a-z])/gi, 'l')
    .replace(/\|/g, ' ')
    .replace(
      /\b(?:not|non)[-\s]*(?=(?:(?:m|rn)edically?|medical|necessary|recommended|indicated|warranted|supported|appropriate|reasonable)\b)/gi,
      'not ',
    )
    .replace(/\s+/g, ' ');
}

/** A word of the clause as compromise tagged it. */
interface Word {
  norm: string;
  tags: ReadonlySet<string>;
  end: number;
  /** "The", "There", "In" capitalised: a sentence starts here whose full stop OCR lost. */
  opens: boolean;
  /** A comma, semicolon or colon after it. */
  pause: boolean;
}

const OPENER = ['Determiner', 'Pronoun', 'Conjunction', 'Preposition', 'Adverb', 'There'];

/** The words of the sentence (as compromise splits them) that holds offset `at`, and its index there. */
function wordsAt(text: string, at: number): { w: Word[]; p: number } {
  let offset = 0;
  for (const terms of nlp(text).docs) {
    const w: Word[] = [];
    let p = -1;
    for (const t of terms) {
      offset += t.pre.length;
      const tags = t.tags ?? new Set<string>();
      const end = offset + t.text.length;
      const opens = w.length > 0 && /^[A-Z][a-z]/.test(t.text) && OPENER.some((tag) => tags.has(tag));
      if (p < 0 && end > at) p = w.length;
      w.push({ norm: t.normal, tags, end, opens, pause: /[,;:]/.test(t.post) });
      offset = end + t.post.length;
    }
    if (p >= 0) return { w, p };
  }
  return { w: [], p: -1 };
}

const NEGATIVE = new Set([
  'no',
  'not',
  'never',
  'neither',
  'nor',
  'none',
  'nothing',
  'nobody',
  'lack',
  'lacks',
  'lacked',
  'lacking',
  'unable',
  'insufficient',
  'absence',
  'unclear',
  'uncertain',
]);
const FAIL = new Set(['fail', 'fails', 'failed', 'failing']);
// "no more than 4", "not to exceed 4": a limit on a quantity, not a negated statement.
const LIMIT = new Set(['more', 'less', 'fewer', 'greater', 'exceed', 'exceeding', 'over', 'above', 'beyond']);
const SUBJECT_NEGATIVE = new Set(['no', 'neither', 'none', 'nothing', 'nobody', 'nor', 'never']);
const COMPLEMENTIZER = new Set(['that', 'which', 'whether', 'who', 'whom']);
const COORDINATOR = new Set(['and', 'but', 'or', 'so', 'yet', 'then', 'therefore', 'thus', 'hence']);
const SUBORDINATOR = new Set([
  'although',
  'though',
  'while',
  'whereas',
  'because',
  'since',
  'as',
  'if',
  'unless',
  'when',
  'whenever',
  'once',
  'after',
  'before',
  'given',
  'despite',
  'considering',
  'until',
  'even',
]);
const BE = new Set(['is', 'are', 'was', 'were', 'be', 'been', 'being', 'am']);
// Verbs whose object can be a clause without "that": "has determined the request ... is not".
const TAKES_CLAUSE =
  /^(?:determine[ds]?|finds?|found|show[sn]?|showed|establish(?:es|ed)?|demonstrate[ds]?|indicate[ds]?|suggest(?:s|ed)?|believe[ds]?|feels?|felt|consider(?:s|ed)?|conclude[ds]?|agree[ds]?|thinks?|thought|says?|said|state[ds]?|reveal(?:s|ed)?|prove[ds]?|proven|confirm(?:s|ed)?|deem(?:s|ed)?|judge[ds]?|opine[ds]?)$/;

function isNegation(w: Word[], i: number): boolean {
  const word = w[i]!;
  const next = w[i + 1];
  if (FAIL.has(word.norm)) return next?.norm === 'to';
  if (!word.tags.has('Negative') && !NEGATIVE.has(word.norm)) {
    // "cannot" that compromise did not split into "can" + "not"
    return (word.norm === 'cannot' || word.norm === "can't") && !next?.tags.has('Negative');
  }
  const limited = next && (LIMIT.has(next.norm) || (next.norm === 'to' && w[i + 2]?.norm === 'exceed'));
  return !limited;
}

/** A verb with a tense of its own: not "to exceed", "being", nor "the provided records". */
function isTensed(w: Word[], i: number): boolean {
  const { tags } = w[i]!;
  if (!tags.has('Verb') || tags.has('Gerund')) return false;
  const prev = w[i - 1];
  if (!prev) return true;
  if (prev.norm === 'to') return false;
  const adjectival =
    (tags.has('PastTense') || tags.has('Participle')) &&
    (prev.tags.has('Determiner') || prev.tags.has('Adjective') || prev.tags.has('Preposition'));
  return !adjectival;
}

function isVerbChain(word: Word): boolean {
  const { tags } = word;
  return (
    tags.has('Verb') ||
    tags.has('Negative') ||
    tags.has('Adverb') ||
    word.norm === 'to' ||
    word.norm === 'not' ||
    word.norm === 'no'
  );
}

/** Does the clause of word `i` have a verb before it: "X was not documented and the request is"? */
function hasFiniteBefore(w: Word[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    if (isTensed(w, j)) return true;
    // "no evidence that [the request for MRI of neck and hand] is": the "and" joins nouns
    if (COMPLEMENTIZER.has(w[j]!.norm) || SUBORDINATOR.has(w[j]!.norm) || w[j]!.opens) return false;
  }
  return false;
}

function countNegations(w: Word[], from: number, to: number): number {
  let count = 0;
  let neither = false;
  for (let i = from; i < to; i++) {
    if (!isNegation(w, i)) continue;
    if (w[i]!.norm === 'nor' && neither) continue;
    if (w[i]!.norm === 'neither') neither = true;
    count++;
  }
  return count;
}

/**
 * How many negations govern the predicate at word `p`: those of its verb group and complements ("is not
 * seen as", "cannot be considered not", "is not supported by the records as being"), a negative subject
 * ("Neither ...", "No ..."), and those of a clause it is the object of ("There is no evidence that ...",
 * "does not show the request is ..."); not those inside the subject (the item's name) nor of a clause
 * before it joined by "and", "although", "given" ... 'no-verb' when the clause has no verb to read;
 * 'clipped' when `w` is the end of a clause (`clipped`) and the reading needs the words before it.
 */
function governingNegations(w: Word[], p: number, clipped: boolean): number | 'no-verb' | 'clipped' {
  let total = 0;
  let end = p;
  let bare = false;
  for (let depth = 0; depth < 4; depth++) {
    let v = end - 1;
    while (v >= 0 && !isTensed(w, v)) v--;
    if (v < 0) return clipped ? 'clipped' : depth === 0 ? 'no-verb' : total;
    let verbs = v;
    while (verbs > 0 && isVerbChain(w[verbs - 1]!)) verbs--;
    let subject = verbs;
    while (subject > 0 && !isTensed(w, subject - 1) && !w[subject]!.opens) {
      const norm = w[subject - 1]!.norm;
      if (COMPLEMENTIZER.has(norm) || SUBORDINATOR.has(norm)) break;
      if (COORDINATOR.has(norm) && hasFiniteBefore(w, subject - 1)) break;
      subject--;
    }
    const head = w[subject]!;
    if (clipped && subject === 0 && (depth > 0 || SUBJECT_NEGATIVE.has(head.norm))) return 'clipped';
    // A clause the predicate's clause was taken as the object of, that is really an adverbial clause.
    if (bare && SUBORDINATOR.has(head.norm)) break;
    total += countNegations(w, verbs, end);
    // "No ... were noted", "Neither X nor Y is": only a subject that starts a clause, not the object of
    // the verb before it ("there are no findings the request is", a lost full stop).
    const starts = (subject === 0 && !clipped) || head.opens || (subject > 0 && !isTensed(w, subject - 1));
    if (starts && subject < verbs && SUBJECT_NEGATIVE.has(head.norm) && isNegation(w, subject)) total++;
    if (head.opens) break;
    if (subject === 0) break;
    const link = w[subject - 1]!;
    if (COMPLEMENTIZER.has(link.norm)) {
      // "..., which is medically necessary" adds a statement of its own; "no documentation which would
      // demonstrate" (no comma) is the one the negation denies
      if (link.norm !== 'that' && w[subject - 2]?.pause) break;
      end = subject - 1;
      bare = false;
      continue;
    }
    if (!isTensed(w, subject - 1) || !TAKES_CLAUSE.test(link.norm)) break;
    // "was not documented the request is": passive, no clause object (a lost full stop, or a comma)
    let chain = subject - 1;
    let passive = false;
    for (; chain >= 0 && isVerbChain(w[chain]!); chain--) if (BE.has(w[chain]!.norm)) passive = true;
    if (passive) break;
    end = subject;
    bare = true;
  }
  return total;
}

// Fallback when compromise finds no verb in the clause: a negation right before the predicate.
const NEGATION_BEFORE =
  /\b(?:not|cannot|can't|never|no\s+longer|neither|nor|fail(?:s|ed)?\s+to)\b(?:\s+(?:be|been|being|is|are|was|were|appear|appears|seem|seems|considered|deemed|established|shown|found|felt|judged|proven|viewed|seen|regarded|determined|supported|recommended|indicated|warranted|reasonable|appropriate|and|or|as|to|currently|therefore|thus|at|this|time|yet))*\s*$/i;

export interface ConclusionReading {
  conclusion: RationaleConclusion | null;
  /** The sentence it was read from (whitespace collapsed), null when none states a conclusion. */
  sentence: string | null;
}

/** How a rationale ends: does its last conclusion about medical necessity hold or deny it? */
export function rationaleConclusion(text: string): RationaleConclusion | null {
  return readConclusion(text).conclusion;
}

/** `rationaleConclusion` with the sentence it comes from, for people checking it. */
export function readConclusion(text: string): ConclusionReading {
  const t = normalize(text);
  for (const tier of [TIER_1, TIER_2]) {
    for (const predicate of predicatesOf(t, tier)) {
      const sentence = lastEndBefore(t, SENTENCE_END, predicate.start);
      SENTENCE_END.lastIndex = predicate.end;
      const next = SENTENCE_END.exec(t);
      SENTENCE_END.lastIndex = 0;
      const sentenceEnd = next ? next.index + 1 : t.length;
      // "not recommended by ODG. However, an exception is warranted": a "recommended" or "supported" that
      // a later judgement follows is about the guidelines, not the verdict
      if (tier === TIER_2 && JUDGEMENT.test(t.slice(predicate.end))) break;
      const before = t.slice(sentence, predicate.start);
      let clause = sentence + lastEndBefore(before, CLAUSE_END, Number.MAX_SAFE_INTEGER);
      const after = t.slice(predicate.end, sentenceEnd);
      if (notConcluding(predicate, before, t.slice(clause, predicate.start), after)) continue;
      // A clause the conclusion can be the object of ("There is no evidence that the request for A, B,
      // and C is"), or a negative subject listing items ("No A, B, or C is"), may lie before a comma: read
      // the whole sentence then, the walk over its words tells where the conclusion's clause starts.
      if (WHOLE_SENTENCE.test(before)) clause = sentence;
      const negated = clauseNegated(t.slice(clause, predicate.end), predicate.start - clause);
      return {
        conclusion: negated ? 'not_medically_necessary' : 'medically_necessary',
        sentence: t.slice(sentence, sentenceEnd).trim(),
      };
    }
  }
  return { conclusion: null, sentence: null };
}

// Every word that can count as a negation above (compromise tags never, no, non, not and n't #Negative):
// a clause with none of them is not negated, and tagging it is skipped.
const NEGATION_CUE =
  /\b(?:not?|non|never|neither|nor|none|nothing|nobody|cannot|lack\w*|fail\w*|unable|insufficient|absence|unclear|uncertain)\b|n['’]t\b/i;
// Tagging costs ~0.03 ms a word and the item's name is most of a clause. When no word before the last
// TAIL ones can negate, only those are tagged ("spine is not"): every negation the reading counts is in
// them, and a reading that needs words before them ('clipped') is redone on the whole clause.
const TAIL = 4;
const WORD = /\S+/g;
// The concluding clause is often boilerplate ("the request is not medically necessary") or repeated for
// each item of a letter: remember the last few hundred readings.
const readings = new Map<string, boolean>();

function clauseNegated(clause: string, at: number): boolean {
  const before = clause.slice(0, at);
  if (!NEGATION_CUE.test(before)) return false;
  const starts = [...before.matchAll(WORD)].map((m) => m.index);
  const cut = starts.length > TAIL ? starts[starts.length - TAIL]! : 0;
  const tail = cut > 0 && !NEGATION_CUE.test(clause.slice(0, cut)) ? cut : 0;
  let key = `${at - tail}:${clause.slice(tail)}`;
  let known = readings.get(key);
  if (known !== undefined) return known;
  let n = read(clause.slice(tail), at - tail, tail > 0);
  if (n === 'clipped') {
    // the reading depends on the words before the tail: remember it for the whole clause only
    key = `${at}:${clause}`;
    known = readings.get(key);
    if (known !== undefined) return known;
    n = read(clause, at, false);
  }
  const negated = typeof n === 'number' ? n % 2 === 1 : NEGATION_BEFORE.test(before);
  if (readings.size >= 500) readings.clear();
  readings.set(key, negated);
  return negated;
}

function read(text: string, at: number, clipped: boolean): number | 'no-verb' | 'clipped' {
  const { w, p } = wordsAt(text, at);
  return p < 0 ? 'no-verb' : governingNegations(w, p, clipped);
}
