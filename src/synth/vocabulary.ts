import {
  HOW_MADE_BOILERPLATE,
  LONG_SPECIALTIES,
  MECHANISMS,
  makeItem,
  NOTICE_SPECIALTIES,
  OCCUPATIONS,
  PRIOR_TREATMENTS,
  REGIONS,
  SPECIALTIES,
  STATES,
  URLS,
} from './content.js';
import { Rng } from './rng.js';

function addWords(set: Set<string>, text: string): void {
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) set.add(w);
}

/**
 * The words the synthetic letters are made of (items drawn for every kind and region, guideline names and
 * sections, specialties, states, mechanisms), lower case and sorted: the source of the production
 * vocabulary file `src/pipeline/vocabulary/letter-words.ts`, which `npm run vocabulary` writes, so that the
 * pipeline never loads the generator.
 */
export function synthLetterWords(): string[] {
  const set = new Set<string>();
  const texts: string[] = [
    ...MECHANISMS,
    ...OCCUPATIONS,
    ...PRIOR_TREATMENTS,
    ...STATES,
    ...SPECIALTIES,
    ...LONG_SPECIALTIES,
    ...NOTICE_SPECIALTIES,
    ...URLS,
    HOW_MADE_BOILERPLATE,
  ];
  for (const r of REGIONS) {
    texts.push(r.part, r.complaint, r.mtus, r.odg, r.acoem.name, r.injection, r.uptodate);
    texts.push(...r.diagnoses, ...r.findings, ...r.surgery.flatMap((s) => [s.base, s.extra]));
  }
  const categories = ['opioid', 'medication', 'therapy', 'imaging', 'electro', 'injection'] as const;
  const more = ['surgery', 'periop', 'dme', 'psych', 'program'] as const;
  const rng = new Rng(20_170_101);
  for (const region of REGIONS) {
    for (const category of [...categories, ...more]) {
      for (let n = 0; n < 6; n++) {
        const side = rng.pick(['left', 'right', 'bilateral']);
        const part = region.sided ? `${side} ${region.part}` : region.part;
        const era = rng.pick(['fdl-2016', 'fdl-2015', 'notice-2013'] as const);
        const d = makeItem({ rng, region, part, side, era, year: 2016 }, category);
        texts.push(d.text, d.topic, ...d.nonMtus, d.legacy.name, d.notice.source, d.fallbackUptodate);
        texts.push(...d.mtus.flatMap((m) => [m.name, ...m.sections]), d.notice.sections ?? '');
      }
    }
  }
  for (const t of texts) addWords(set, t);
  return [...set].sort();
}

/** The vocabulary file's source text. */
export function letterWordsModule(words: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length + w.length + 1 > 110) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return `// Written by \`npm run vocabulary\` from the synthetic letters' content (src/synth/vocabulary.ts): do not edit.
// The words of the letters' items, guidelines, specialties and states, so that OCR checks know them
// without loading the generator.
const WORDS = \`
${lines.join('\n')}
\`;

export const LETTER_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\\s+/).filter((w) => w !== ''));
`;
}
