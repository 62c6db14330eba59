import { editDistance } from '../parse/headings.js';

/** The 50 states, DC and the inhabited territories: name, USPS code, and the older abbreviations. */
const JURISDICTIONS: [name: string, ...abbreviations: string[]][] = [
  ['Alabama', 'AL', 'Ala'],
  ['Alaska', 'AK'],
  ['Arizona', 'AZ', 'Ariz'],
  ['Arkansas', 'AR', 'Ark'],
  ['California', 'CA', 'Calif', 'Cal'],
  ['Colorado', 'CO', 'Colo'],
  ['Connecticut', 'CT', 'Conn'],
  ['Delaware', 'DE', 'Del'],
  ['Florida', 'FL', 'Fla'],
  ['Georgia', 'GA'],
  ['Hawaii', 'HI'],
  ['Idaho', 'ID'],
  ['Illinois', 'IL', 'Ill'],
  ['Indiana', 'IN', 'Ind'],
  ['Iowa', 'IA'],
  ['Kansas', 'KS', 'Kan', 'Kans'],
  ['Kentucky', 'KY'],
  ['Louisiana', 'LA'],
  ['Maine', 'ME'],
  ['Maryland', 'MD'],
  ['Massachusetts', 'MA', 'Mass'],
  ['Michigan', 'MI', 'Mich'],
  ['Minnesota', 'MN', 'Minn'],
  ['Mississippi', 'MS', 'Miss'],
  ['Missouri', 'MO'],
  ['Montana', 'MT', 'Mont'],
  ['Nebraska', 'NE', 'Neb', 'Nebr'],
  ['Nevada', 'NV', 'Nev'],
  ['New Hampshire', 'NH'],
  ['New Jersey', 'NJ'],
  ['New Mexico', 'NM'],
  ['New York', 'NY'],
  ['North Carolina', 'NC'],
  ['North Dakota', 'ND'],
  ['Ohio', 'OH'],
  ['Oklahoma', 'OK', 'Okla'],
  ['Oregon', 'OR', 'Ore', 'Oreg'],
  ['Pennsylvania', 'PA', 'Penn', 'Penna'],
  ['Rhode Island', 'RI'],
  ['South Carolina', 'SC'],
  ['South Dakota', 'SD'],
  ['Tennessee', 'TN', 'Tenn'],
  ['Texas', 'TX', 'Tex'],
  ['Utah', 'UT'],
  ['Vermont', 'VT'],
  ['Virginia', 'VA'],
  ['Washington', 'WA', 'Wash'],
  ['West Virginia', 'WV', 'W Va'],
  ['Wisconsin', 'WI', 'Wis', 'Wisc'],
  ['Wyoming', 'WY', 'Wyo'],
  ['District of Columbia', 'DC', 'Washington DC', 'Washington District of Columbia'],
  ['American Samoa', 'AS'],
  ['Guam', 'GU'],
  ['Northern Mariana Islands', 'MP', 'Commonwealth of the Northern Mariana Islands', 'CNMI'],
  ['Puerto Rico', 'PR', 'Commonwealth of Puerto Rico'],
  ['U.S. Virgin Islands', 'VI', 'Virgin Islands', 'United States Virgin Islands', 'USVI'],
];

function key(text: string): string {
  return text
    .toLowerCase()
    .replace(/^state\s+of\s+/, '')
    .replace(/[.]/g, '')
    .replace(/[^a-z]+/g, ' ')
    .trim();
}

const NAMES = new Map<string, string>();
for (const [name, ...abbreviations] of JURISDICTIONS) {
  for (const k of [name, ...abbreviations]) NAMES.set(key(k), name);
}
const FULL_NAMES = JURISDICTIONS.map(([name]) => [key(name), name] as const);

export type StateMatch =
  | { kind: 'exact'; name: string }
  | { kind: 'typo'; name: string }
  | { kind: 'unknown' };

/** Reads one "State(s) of Licensure" entry: a state, DC or territory, by name or abbreviation. */
export function matchState(text: string): StateMatch {
  const k = key(text);
  const exact = NAMES.get(k);
  if (exact) return { kind: 'exact', name: exact };
  // A misspelt name ("Califonria") is still that state; short strings are too ambiguous to guess.
  const max = k.length >= 10 ? 2 : k.length >= 5 ? 1 : 0;
  if (max > 0) {
    for (const [nameKey, name] of FULL_NAMES) {
      if (editDistance(k, nameKey, max) <= max) return { kind: 'typo', name };
    }
  }
  return { kind: 'unknown' };
}
