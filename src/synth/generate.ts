/**
 * Synthetic IMR letters with exact ground-truth labels, deterministic from a seed.
 *
 * Three layouts: `fdl-2016` (the 2016-17 Final Determination Letters), `fdl-2015` (the same frame
 * with the 2015 citation wording, `Page(s): 60`, `QTY: 6`) and `notice-2013` (the older "Notice of
 * Independent Medical Review Determination"). The label follows the conventions of the shared
 * development set (`imr-letters/README.md`) and is validated with `Label.parse`.
 *
 * Each layout is a builder in `layouts/` on the draws all layouts share (`layouts/shared.ts`); this module
 * holds the public types and picks the builder.
 */
import type { Label } from '../../schemas/label.js';
import type { Layout } from '../../schemas/letter.js';
import { Fdl2015Letter } from './layouts/fdl-2015.js';
import { Fdl2016Letter } from './layouts/fdl-2016.js';
import { Notice2013Letter } from './layouts/notice-2013.js';
import type { LetterBuilder } from './layouts/shared.js';
import { Rng } from './rng.js';
import type { Block } from './typeset.js';

export type LetterLayout = Layout;
export const LAYOUTS: readonly LetterLayout[] = ['fdl-2016', 'fdl-2015', 'notice-2013'];

/** Everything the generator can vary; `GeneratedLetter.features` lists the ones a letter exercises. */
export const FEATURES = [
  // letter
  'layout-fdl-2016',
  'layout-fdl-2015',
  'layout-notice-2013',
  'single-item',
  'many-items',
  'max-items',
  'mixed-outcomes',
  'all-overturned',
  'priority-expedited',
  'specialty-wrap',
  'specialty-typo',
  'licensure-1',
  'licensure-2',
  'licensure-3',
  'licensure-comma-space',
  'licensure-comma-nospace',
  'licensure-and',
  'worker-injured-worker',
  'worker-case-involves',
  'worker-applicant',
  'worker-age-first',
  'worker-this-is',
  'worker-industrial-date',
  'worker-according',
  'worker-sex-only',
  'worker-unstated',
  'worker-patient-quote',
  'no-age',
  'date-dash4',
  'date-dash2',
  'date-slash',
  'date-slash-space',
  'date-long',
  'date-numeric-short',
  'injury-date-mismatch',
  'notice-no-header-injury',
  'notice-no-priority',
  'glued-words',
  'tight-spacing',
  // items
  'item-wrap-2',
  'item-wrap-3',
  'decision-own-line',
  'colon-in-item',
  'qty-suffix',
  'hash-quantity',
  'prose-count',
  'modified-remaining-is',
  'modified-remaining',
  'modified-authorized',
  // guidelines
  'mtus-section',
  'mtus-no-section',
  'mtus-multi',
  'forearm-wrist-hand-joined',
  'non-mtus-sentence',
  'odg',
  'uptodate',
  'url-broken',
  'preamble-ca',
  'preamble-er',
  'no-citation-ca',
  'no-citation-er',
  'page-citation',
  'notice-citation',
  // rationales
  'rationale-not-necessary',
  'rationale-necessary',
  'rationale-other',
] as const;
export type Feature = (typeof FEATURES)[number];

export interface GenerateOptions {
  layout?: LetterLayout;
  /** Number of disputed items, 1-21. */
  items?: number;
  /**
   * `true` asks for a feature at least once (where the layout allows it), `false` rules it out where
   * that is a simple choice; unset features are drawn at random.
   */
  features?: Partial<Record<Feature, boolean>>;
}

export interface GeneratedLetter {
  seed: number;
  layout: LetterLayout;
  label: Label;
  blocks: Block[];
  /** The typeset letter as plain text (wrapped lines, pages separated by form feeds). */
  text: string;
  /** Features this letter exercises, as checked on the generated structure and layout. */
  features: Feature[];
}

const BUILDERS: Record<LetterLayout, new (seed: number, rng: Rng, opts: GenerateOptions) => LetterBuilder> = {
  'fdl-2016': Fdl2016Letter,
  'fdl-2015': Fdl2015Letter,
  'notice-2013': Notice2013Letter,
};

/** Generate one synthetic letter, deterministic from `seed` and `opts`. */
export function generateLetter(seed: number, opts: GenerateOptions = {}): GeneratedLetter {
  const rng = new Rng(seed);
  const layout = opts.layout ?? rng.weighted(LAYOUTS, [76, 12, 12]);
  const builder = new BUILDERS[layout](seed, rng, opts);
  const { label, blocks, text } = builder.build();
  return { seed, layout, label, blocks, text, features: FEATURES.filter((f) => builder.features.has(f)) };
}
