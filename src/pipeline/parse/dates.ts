import { fixDigits } from './loose.js';

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Any date as letters write it: 10-14-2016, 10-13-16, 10/18/2016, "10/10/ 2016", October 20, 2016. */
export const DATE_PATTERN =
  /\b(?:(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})(?!\d)|(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))/i;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function iso(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2100) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

function expandYear(y: string): number {
  const n = Number(y);
  if (y.length === 4) return n;
  // Two-digit years in these letters are recent: 00-49 -> 2000s.
  return n < 50 ? 2000 + n : 1900 + n;
}

export interface FoundDate {
  iso: string;
  index: number;
  length: number;
}

/** The first date in `text` at or after `from`, as ISO, with where it stands. */
export function findDate(text: string, from = 0): FoundDate | null {
  const re = new RegExp(DATE_PATTERN.source, 'gi');
  re.lastIndex = from;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let value: string | null;
    if (m[1] !== undefined) {
      value = iso(expandYear(m[3]!), Number(m[1]), Number(m[2]));
    } else {
      const month = MONTHS.findIndex((name) => name.startsWith(m![4]!.toLowerCase().slice(0, 3))) + 1;
      value = iso(Number(m[6]), month, Number(m[5]));
    }
    if (value) return { iso: value, index: m.index, length: m[0].length };
  }
  return null;
}

/** The date a whole value holds ("12/05/2016"), or null when it is not one date. */
export function parseDate(text: string): string | null {
  const exact = wholeDate(text);
  if (exact) return exact;
  // OCR: letters for digits ("O1/O4/2017") and spaces inside numbers ("12/0 6/2016").
  const fixed = fixDigits(text);
  return (
    wholeDate(fixed) ??
    wholeDate(fixed.replace(/(?<=[\d/-])\s+(?=[\d/-])/g, '')) ??
    wholeDate(slashesRead(fixed.trim()))
  );
}

/**
 * A header date's slashes read as digits ("0212012017" for 02/20/2017): ten characters of the form
 * mm/dd/yyyy whose third and sixth are what a thin slash becomes (1, 7, l, I, |).
 */
function slashesRead(text: string): string {
  const m = /^(\d{2})[17lI|](\d{2})[17lI|](\d{4})$/.exec(text);
  return m ? `${m[1]}/${m[2]}/${m[3]}` : text;
}

function wholeDate(text: string): string | null {
  const found = findDate(text);
  if (!found) return null;
  const rest = (text.slice(0, found.index) + text.slice(found.index + found.length)).replace(/[\s.,|_]/g, '');
  return rest === '' ? found.iso : null;
}
