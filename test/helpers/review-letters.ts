import { type GenerateOptions, generateLetter, layoutBlocks } from '../../src/synth/index.js';
import { renderLayout } from '../../src/synth/typeset.js';

export interface CraftedLetter {
  pdf: Uint8Array;
  caseNumber: string | null;
  /** The true decision date (what the header should have said). */
  decisionDate: string;
  /** What the header says instead. */
  printed: string;
}

/**
 * A synthetic letter that ends `needs_review`: its header's decision date is a day that does not exist
 * (a typo of the kind QA fixes), so the parser reports `unreadable_date` and `missing_field` errors.
 */
export async function letterWithBadDecisionDate(
  seed: number,
  opts: GenerateOptions = { layout: 'fdl-2016', items: 2 },
): Promise<CraftedLetter> {
  const letter = generateLetter(seed, opts);
  const printed = '01/37/2017';
  let found = false;
  for (const block of letter.blocks) {
    if (block.kind !== 'header') continue;
    for (const row of block.rows) {
      if (row.left?.label === 'Decision Date:') {
        row.left.value = printed;
        found = true;
      }
    }
  }
  if (!found) throw new Error(`seed ${seed}: no Decision Date in the header`);
  const decisionDate = letter.label.extra?.decisionDate;
  if (typeof decisionDate !== 'string') throw new Error(`seed ${seed}: the label has no decision date`);
  const pdf = await renderLayout(layoutBlocks(letter.blocks), { title: 'IMR determination (synthetic)' });
  return { pdf, caseNumber: letter.label.caseNumber ?? null, decisionDate, printed };
}

/** Markup a hostile or broken letter might carry; `window.__pwned` is set if it ever runs. */
export const MARKUP = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

/** A needs-review letter whose reviewer specialty is `MARKUP` followed by a real specialty. */
export async function letterWithMarkup(seed: number): Promise<CraftedLetter> {
  const base = await letterWithBadDecisionDate(seed);
  const letter = generateLetter(seed, { layout: 'fdl-2016', items: 2 });
  let found = false;
  for (const block of letter.blocks) {
    if (block.kind === 'header') {
      for (const row of block.rows) if (row.left?.label === 'Decision Date:') row.left.value = base.printed;
    }
    if (block.kind === 'para' && block.text.includes('Certification(s)/Specialty: ')) {
      block.text = block.text.replace(
        /Certification\(s\)\/Specialty: .*/,
        `Certification(s)/Specialty: ${MARKUP} Surgery`,
      );
      found = true;
    }
  }
  if (!found) throw new Error(`seed ${seed}: no specialty line`);
  const pdf = await renderLayout(layoutBlocks(letter.blocks), { title: 'IMR determination (synthetic)' });
  return { ...base, pdf };
}
