import { isKnownWord, ocrVocabulary } from '../vocabulary/vocabulary.js';

/** A vocabulary word, or a plural or possessive of one ("studies", "neuropathies", "braces"). */
function known(word: string): boolean {
  return isKnownWord(word, ocrVocabulary());
}

let byLength: Map<number, string[]> | null = null;

/** The vocabulary by word length, for comparing a word only with words of about its length. */
function wordsOfLength(length: number): readonly string[] {
  if (!byLength) {
    byLength = new Map();
    for (const w of ocrVocabulary()) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);
  }
  return byLength.get(length) ?? [];
}

/** Edit distance (letters lost, added or changed) of a and b, or max + 1 once it must exceed max. */
function distanceWithin(a: string, b: string, max: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The one known word nearest to `word` (one edit; two for a word of eight letters or more, ending in the
 * same letter: a plural or another ending is no misread), else null.
 */
export function nearestKnown(word: string): string | null {
  const max = word.length >= 8 ? 2 : 1;
  let best = max + 1;
  let found: string[] = [];
  for (let len = word.length - max; len <= word.length + max; len++) {
    for (const w of wordsOfLength(len)) {
      if (max === 2 && w.at(-1) !== word.at(-1) && distanceWithin(word, w, 1) > 1) continue;
      const d = distanceWithin(word, w, Math.min(max, best));
      if (d < best) [best, found] = [d, [w]];
      else if (d === best && d <= max) found.push(w);
    }
  }
  return found.length === 1 ? found[0]! : null;
}

function withCaseOf(model: string, word: string): string {
  if (model === model.toUpperCase()) return word.toUpperCase();
  if (model[0] === model[0]!.toUpperCase()) return word[0]!.toUpperCase() + word.slice(1);
  return word;
}

/**
 * Guideline names and sections read by OCR, with each misread word ("Citatron", "Guidehnes",
 * "sterordal") put back to the one word of the letters' vocabulary it is near. Only words of five letters or
 * more that the vocabulary does not know are touched, and only when exactly one known word is that near.
 */
export function correctOcrWords(text: string): string {
  return text.replace(/\S+/g, (chunk) => {
    // A URL or a path ("www.slideshare.net/...", "Knee/DME") is left as read: it is no word of the letters.
    if (/\w[/.:]\w/.test(chunk)) return chunk;
    return chunk.replace(/[A-Za-z]{5,}/g, (word) => {
      const lower = word.toLowerCase();
      if (known(lower)) return word;
      const near = nearestKnown(lower);
      return near ? withCaseOf(word, near) : word;
    });
  });
}
