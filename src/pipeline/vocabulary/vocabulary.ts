import nlp from 'compromise';
import { DRUG_NAMES } from '../../categories/drugs.js';
import { COMMON_WORDS } from './common-words.js';
import { LETTER_WORDS } from './letter-words.js';

let cache: ReadonlySet<string> | null = null;

/**
 * Every word the project knows a letter may hold, lower case: the shipped word list, the words of the
 * synthetic letters' content (generated file), the drug dictionary, and the English lexicon of the NLP
 * library the parser already uses. Built once (about 0.2 s).
 */
export function ocrVocabulary(): ReadonlySet<string> {
  if (cache) return cache;
  const set = new Set([...COMMON_WORDS, ...LETTER_WORDS]);
  const model = (nlp as unknown as { model: () => { one: { lexicon: Record<string, unknown> } } }).model();
  for (const w of Object.keys(model.one.lexicon)) if (/^[a-z]{4,}$/.test(w)) set.add(w);
  for (const [name] of DRUG_NAMES) for (const w of name.toLowerCase().match(/[a-z]+/g) ?? []) set.add(w);
  cache = set;
  return set;
}

/** Whether a word is known: lower-cased, with a plural or possessive ending dropped when the stem is. */
export function isKnownWord(word: string, vocabulary: ReadonlySet<string>): boolean {
  const w = word.toLowerCase().replace(/['\u2019]s$/, '');
  if (w.length <= 1 || vocabulary.has(w)) return true;
  if (w.endsWith('s') && vocabulary.has(w.slice(0, -1))) return true;
  if (w.endsWith('es') && vocabulary.has(w.slice(0, -2))) return true;
  if (w.endsWith('ies') && vocabulary.has(`${w.slice(0, -3)}y`)) return true;
  return false;
}
