/**
 * `fdl-2015`: the Final Determination Letter frame with the 2015 citation wording (`Page(s): 60`, one
 * guideline per sentence, no Section(s)).
 */
import type { ItemDraft } from '../content.js';
import type { Feature } from '../generate.js';
import type { SimpleDate } from '../rng.js';
import { FdlLetter } from './fdl.js';
import type { CitedSentence, GuidePlan } from './shared.js';

export class Fdl2015Letter extends FdlLetter {
  readonly layout = 'fdl-2015';
  protected readonly omits: ReadonlySet<Feature> = new Set<Feature>([
    'licensure-and',
    'mtus-multi',
    'forearm-wrist-hand-joined',
    'mtus-section',
    'mtus-no-section',
  ]);
  protected readonly opioidNote = false;

  protected override decisionDate(): SimpleDate {
    const rng = this.rng;
    return { y: 2015, m: rng.int(2, 12), d: rng.int(1, 28) };
  }

  protected override citeMtus(_plan: GuidePlan, d: ItemDraft): CitedSentence {
    const ref = d.legacy;
    const pages = ref.pages;
    return {
      text: `Decision based on MTUS ${ref.name}${pages ? ` Page(s): ${pages}` : ''}.`,
      citations: [{ source: `MTUS ${ref.name}`, sections: null, pages }],
      features: pages ? ['page-citation'] : [],
    };
  }

  protected override necessity(lead: string, description: string, up: boolean): string {
    // Half the 2015 letters end in capitals without restating the item.
    if (this.rng.chance(0.5)) return `${lead}, the request ${up ? 'IS NOT' : 'IS'} medically necessary.`;
    return super.necessity(lead, description, up);
  }
}
