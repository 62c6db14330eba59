/** `fdl-2016`: the 2016-17 Final Determination Letters, citing MTUS guidelines with their Section(s). */
import type { Citation } from '../../../schemas/letter.js';
import type { ItemDraft, MtusRef } from '../content.js';
import type { Feature } from '../generate.js';
import type { SimpleDate } from '../rng.js';
import { FdlLetter } from './fdl.js';
import type { CitedSentence, GuidePlan } from './shared.js';

export class Fdl2016Letter extends FdlLetter {
  readonly layout = 'fdl-2016';
  // Its joins are commas, never "and".
  protected readonly omits: ReadonlySet<Feature> = new Set<Feature>(['licensure-and']);
  protected readonly opioidNote = true;

  protected override decisionDate(): SimpleDate {
    const rng = this.rng;
    const year = rng.pick([2016, 2017]);
    return year === 2017
      ? { y: 2017, m: rng.int(1, 6), d: rng.int(1, 28) }
      : { y: year, m: rng.int(2, 12), d: rng.int(1, 28) };
  }

  protected override citeMtus(plan: GuidePlan, d: ItemDraft): CitedSentence {
    const rng = this.rng;
    const features: Feature[] = [];
    const citations: Citation[] = [];
    const refs: MtusRef[] = plan.multi
      ? this.multiRefs(d)
      : [rng.chance(0.8) ? d.mtus[0]! : rng.pick(d.mtus)];
    const parts = refs.map((ref, i) => {
      const last = i === refs.length - 1;
      const withSection =
        ref.sections.length > 0 && (refs.length > 1 ? !last || rng.chance(0.7) : plan.section);
      const section = withSection ? rng.pick(ref.sections) : null;
      citations.push({ source: i === 0 ? `MTUS ${ref.name}` : ref.name, sections: section, pages: null });
      if (i > 0 && ref.name === 'Forearm, Wrist, and Hand Complaints 2004')
        features.push('forearm-wrist-hand-joined');
      features.push(section ? 'mtus-section' : 'mtus-no-section');
      return section ? `${ref.name}, Section(s): ${section}` : ref.name;
    });
    if (refs.length > 1) features.push('mtus-multi');
    return { text: `Decision based on MTUS ${parts.join(', and ')}.`, citations, features };
  }

  /** Two or three of the item's MTUS guidelines for one ", and " sentence. */
  private multiRefs(d: ItemDraft): MtusRef[] {
    return d.mtus.slice(0, this.rng.chance(0.5) && d.mtus.length >= 3 ? 3 : 2);
  }
}
