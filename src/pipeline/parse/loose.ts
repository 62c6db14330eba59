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
  n: 'nm',
  m: 'mn',
  w: 'w',
  u: 'uv',
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
