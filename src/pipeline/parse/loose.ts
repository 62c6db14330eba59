/** Letters OCR reads as two ("rn" for m, "vv" for w). */
const SPLITS: Record<string, string> = { m: 'rn', w: 'vv' };

/** Characters OCR confuses on these letters, each with what it may have been read as. */
const CONFUSIONS: Record<string, string> = {
  l: 'l1I|',
  i: 'il1|!',
  o: 'o0',
  s: 's5',
  e: 'ec',
  c: 'ce',
  n: 'nmu',
  m: 'mn',
  w: 'w',
  u: 'uvn',
  v: 'vuy',
  g: 'gq',
  q: 'qgO0',
};

function escapeChar(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A regular-expression source that matches `phrase` as OCR may have read it: letters may be any of their
 * usual confusions (l/1/I, O/0, S/5 ...), spaces may be missing or doubled, brackets may be lost.
 * Use with the `i` flag.
 */
export function loose(phrase: string): string {
  let out = '';
  for (const ch of phrase) {
    if (/\s/.test(ch)) out += String.raw`\s*`;
    else if (ch === '(' || ch === ')') out += `${escapeChar(ch)}?`;
    else {
      const alts = CONFUSIONS[ch.toLowerCase()];
      const one = alts ? `[${escapeChar(alts)}${escapeChar(ch)}]` : escapeChar(ch);
      const split = SPLITS[ch.toLowerCase()];
      out += split ? `(?:${one}|${split})` : one;
    }
  }
  return out;
}

/** A label at the start of a line, with its colon (OCR: a semicolon), and the space after it. */
export function looseLabel(phrase: string): RegExp {
  return new RegExp(String.raw`^\s*${loose(phrase)}\s*[:;]\s*`, 'i');
}

/** The decision words as OCR reads them ("Uphe1d", "0verturned"). */
export const DECISION_WORD = `(${loose('Upheld')}|${loose('Overturned')})`;

/** Reads a matched decision word: anything starting with U is "upheld". */
export function decisionOf(word: string): 'upheld' | 'overturned' {
  return /^[uv]/i.test(word.trim()) ? 'upheld' : 'overturned';
}

/** Digits as OCR misreads them inside numbers: O/o -> 0, l/I/| -> 1, S -> 5, B -> 8. */
export function fixDigits(text: string): string {
  return text.replace(/[OoIl|SB]/g, (ch, i: number) => {
    const near = `${text[i - 1] ?? ''}${text[i + 1] ?? ''}`;
    if (!/[0-9/-]/.test(near)) return ch;
    return { O: '0', o: '0', I: '1', l: '1', '|': '1', S: '5', B: '8' }[ch as 'O'] ?? ch;
  });
}

/** Where a label was found: the text from `index` up to `end` (after its colon and spaces). */
export interface LabelMatch {
  index: number;
  end: number;
}

/**
 * Finds `phrase` at the start of `text` (after specks and table rules) as a scan may have read it: its
 * letters compared ignoring case, punctuation and spaces, with up to one misread, lost or extra letter in
 * five ("Prionty": "ri" read as "n" is two) ("Certification((s)/Speciaity", "Certificauon(s) Specialty", "State(s) ot Licensure"). A label is a
 * fixed phrase of the format, so the edit budget cannot turn one label into another.
 */
export function fuzzyLabel(text: string, phrase: string): LabelMatch | null {
  const want = phrase.toLowerCase().replace(/[^a-z]/g, '');
  const budget = Math.round(want.length / 5);
  // The letters of the line's head, with where each stands.
  const at: number[] = [];
  let got = '';
  for (let i = 0; i < text.length && got.length < want.length + budget; i++) {
    const ch = text[i]!;
    if (/[A-Za-z]/.test(ch)) {
      got += ch.toLowerCase();
      at.push(i);
    } else if (/[0-9]/.test(ch) && got.length === 0) return null;
  }
  if (got.length === 0 || !/^[\s|[\](){}'"._~\-=!*:;,\u2018\u2019\u201c\u201d]*[A-Za-z]/.test(text))
    return null;
  // Edit distance of the whole phrase against each prefix of the line's letters: the best prefix ends it.
  let prev = Array.from({ length: got.length + 1 }, (_, j) => j);
  for (let i = 1; i <= want.length; i++) {
    const row = [i];
    for (let j = 1; j <= got.length; j++) {
      const cost = want[i - 1] === got[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  let best = -1;
  for (let j = 1; j <= got.length; j++) if (best < 0 || prev[j]! < prev[best]!) best = j;
  if (best < 0 || prev[best]! > budget) return null;
  // The label ends after its last letter, a closing bracket, its colon (or what OCR made of it) and spaces.
  const tail = /^[)\]}]*\s*[:;]?\s*/.exec(text.slice(at[best - 1]! + 1))![0];
  return { index: 0, end: at[best - 1]! + 1 + tail.length };
}
