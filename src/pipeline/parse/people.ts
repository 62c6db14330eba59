import nlp from 'compromise';

/** A number written in digits or words ("39", "forty-two", "seventy two"); null when it is neither. */
export function toNumber(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const values = nlp(t).numbers().get() as unknown[];
  const first = values[0];
  return typeof first === 'number' && Number.isInteger(first) ? first : null;
}

const NUMBER_WORD = String.raw`(?:\d{1,3}|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|one|two|three|four|five|six|seven|eight|nine|hundred))`;
const AGE = new RegExp(
  String.raw`\b(${NUMBER_WORD})[\s-]*(?:years?|yrs?\.?|y\/o)[\s-]*(?:old|of\s+age)?\b`,
  'i',
);
const SEX_WORDS: Record<string, 'male' | 'female'> = {
  male: 'male',
  man: 'male',
  gentleman: 'male',
  female: 'female',
  woman: 'female',
  lady: 'female',
};
const SEX_AFTER =
  /^[\s,-]*(?:(?:injured|industrially|industrial|now|white|hispanic|black|asian|right|left|hand|dominant|-|\s)+\s+)?(male|female|man|woman|gentleman|lady)\b/i;
const SEX_BEFORE = /\b(male|female|man|woman|gentleman|lady)\s*,?\s*(?:aged?|of)?\s*$/i;

export interface Person {
  age: number | null;
  sex: 'male' | 'female' | null;
  /** Span in the searched text of the phrase that gave them. */
  index: number;
  length: number;
}

/**
 * The worker as the case summary describes them: "a 40 year old male", "a now 39-year-old male",
 * "The 58 year old female injured worker", "44 year-old female", "a forty-two-year-old woman".
 */
export function findPerson(text: string): Person | null {
  const re = new RegExp(AGE.source, 'gi');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const age = toNumber(m[1]!.replace(/-/g, ' '));
    if (age === null || age < 10 || age > 110) continue;
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 40).match(SEX_AFTER);
    const before = text.slice(Math.max(0, m.index - 20), m.index).match(SEX_BEFORE);
    const word = (after?.[1] ?? before?.[1])?.toLowerCase();
    const length = m[0].length + (after ? after[0].length : 0);
    return { age, sex: word ? (SEX_WORDS[word] ?? null) : null, index: m.index, length };
  }
  return null;
}

/** The worker's sex when no age phrase names it: the first "male"/"female" noun phrase. */
export function findSex(text: string): { sex: 'male' | 'female'; index: number; length: number } | null {
  const m = text.match(/\b(?:a|an|the)\s+(?:\w+\s+){0,2}?(male|female)\b/i);
  if (!m || m.index === undefined) return null;
  return { sex: m[1]!.toLowerCase() as 'male' | 'female', index: m.index, length: m[0].length };
}

/** "California,Washington" / "Ohio, West Virginia, California" / "California and Nevada" -> states. */
export function splitStates(text: string): string[] {
  return (
    text
      .replace(/\.$/, '')
      // A full stop before a name is a comma misread ("California. Oregon", "New York.California");
      // "D.C." keeps its stops.
      .split(/\s*,\s*(?:[Aa]nd\s+)?|\s*\.\s*(?=[A-Z][a-z])|\s+[Aa]nd\s+/)
      .map((s) => s.trim())
      .filter((s) => s !== '')
  );
}
