/**
 * Synthetic IMR letters with exact ground-truth labels, deterministic from a seed.
 *
 * Three layouts: `fdl-2016` (the 2016-17 Final Determination Letters), `fdl-2015` (the same frame
 * with the 2015 citation wording, `Page(s): 60`, `QTY: 6`) and `notice-2013` (the older "Notice of
 * Independent Medical Review Determination"). The label follows the conventions of the shared
 * development set (`imr-letters/README.md`) and is validated with `Label.parse`.
 */
import { Label, type LabelGuideline, type LabelItem } from '../../schemas/label.js';
import type { Citation, Layout } from '../../schemas/letter.js';
import {
  type Category,
  CONCLUSIONS_NOT,
  GENERIC_AGAINST,
  GENERIC_SUPPORT,
  HOW_MADE_BOILERPLATE,
  type ItemContext,
  type ItemDraft,
  LONG_SPECIALTIES,
  MECHANISMS,
  type MtusRef,
  makeColonItem,
  makeItem,
  makeModified,
  makeMultiRegionItem,
  NOTICE_SPECIALTIES,
  OCCUPATIONS,
  OPIOID_NOTE,
  OTHER_ENDINGS_OVERTURNED,
  OTHER_ENDINGS_UPHELD,
  PRIOR_TREATMENTS,
  REGIONS,
  type Region,
  SPECIALTIES,
  STATES,
  TYPO_SPECIALTIES,
} from './content.js';
import {
  addDays,
  type DateStyle,
  formatDate,
  headerDate,
  isoDate,
  MONTHS,
  Rng,
  type SimpleDate,
} from './rng.js';
import { type Block, layoutBlocks, layoutText, type PageLayout } from './typeset.js';

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

type GuideMode = 'mtus' | 'preamble' | 'none';
type NonMtusKind = 'odg' | 'uptodate' | 'url' | 'other';

interface GuidePlan {
  mode: GuideMode;
  multi: boolean;
  section: boolean;
  nonMtus: NonMtusKind | null;
}

type Ending = 'standard' | 'other';
type ItemKind =
  | 'plain'
  | 'modified-remaining-is'
  | 'modified-remaining'
  | 'modified-authorized'
  | 'colon'
  | 'qty'
  | 'hash'
  | 'prose'
  | 'multi';

interface ItemPlan {
  kind: ItemKind;
  decision: 'upheld' | 'overturned';
  ownLine: boolean;
  ca: Partial<GuidePlan>;
  er: Partial<GuidePlan>;
  ending: Ending | null;
  tight: boolean;
}

interface BuiltGuideline {
  text: string;
  label: LabelGuideline;
  features: Feature[];
}

const ITEM_KIND_FEATURES: Partial<Record<Feature, ItemKind>> = {
  'modified-remaining-is': 'modified-remaining-is',
  'modified-remaining': 'modified-remaining',
  'modified-authorized': 'modified-authorized',
  'colon-in-item': 'colon',
  'qty-suffix': 'qty',
  'hash-quantity': 'hash',
  'prose-count': 'prose',
  'item-wrap-3': 'modified-remaining-is',
  'mtus-multi': 'multi',
  'forearm-wrist-hand-joined': 'multi',
};

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

function guideline(label: Omit<LabelGuideline, 'source' | 'sections' | 'pages'>): LabelGuideline {
  const first = label.citations[0];
  return {
    source: first?.source ?? null,
    sections: first?.sections ?? null,
    pages: first?.pages ?? null,
    citations: label.citations,
    raw: collapse(label.raw),
  };
}

class LetterBuilder {
  readonly rng: Rng;
  readonly layout: LetterLayout;
  readonly opts: GenerateOptions;
  readonly features = new Set<Feature>();
  readonly notes: string[] = [];

  constructor(
    readonly seed: number,
    opts: GenerateOptions,
  ) {
    this.opts = opts;
    this.rng = new Rng(seed);
    this.layout = opts.layout ?? this.rng.weighted(LAYOUTS, [76, 12, 12]);
  }

  /** Forced value of a feature, or a random draw with probability p. */
  want(f: Feature, p: number): boolean {
    const forced = this.opts.features?.[f];
    if (forced !== undefined) return forced;
    return this.rng.chance(p);
  }

  /** A random draw for a feature that may occur on any item (forced ones are placed by planItems). */
  maybe(f: Feature, p: number): boolean {
    return this.allowed(f) && this.rng.chance(p);
  }

  forced(f: Feature): boolean {
    return this.opts.features?.[f] === true;
  }

  allowed(f: Feature): boolean {
    return this.opts.features?.[f] !== false;
  }

  // ---------------------------------------------------------------- dates and people

  dates() {
    const rng = this.rng;
    const year =
      this.layout === 'notice-2013' ? 2013 : this.layout === 'fdl-2015' ? 2015 : rng.pick([2016, 2017]);
    const decision: SimpleDate =
      this.layout === 'notice-2013'
        ? { y: 2013, m: rng.int(7, 12), d: rng.int(1, 28) }
        : year === 2017
          ? { y: 2017, m: rng.int(1, 6), d: rng.int(1, 28) }
          : { y: year, m: rng.int(2, 12), d: rng.int(1, 28) };
    const assigned = addDays(decision, -rng.int(18, 40));
    const received = addDays(assigned, -rng.int(2, 9));
    const ur = addDays(received, -rng.int(1, 30));
    const recent = rng.chance(0.7);
    const injury = recent
      ? addDays(ur, -rng.int(20, 120))
      : { y: ur.y - rng.int(1, 15), m: rng.int(1, 12), d: rng.int(1, 28) };
    return { decision, assigned, received, ur, injury };
  }

  caseNumber(assigned: SimpleDate): string {
    const yy = String(assigned.y % 100).padStart(2, '0');
    // 08xxxxx-09xxxxx: beyond the yearly volume of real case numbers, so clearly synthetic.
    return `CM${yy}-0${this.rng.int(800000, 999999)}`;
  }

  licensure(): { text: string; list: string[] } {
    const rng = this.rng;
    let n = rng.weighted([1, 2, 3], [55, 30, 15]);
    if (this.forced('licensure-1')) n = 1;
    if (this.forced('licensure-2')) n = 2;
    if (this.forced('licensure-3')) n = 3;
    if (n === 1 && (this.forced('licensure-comma-space') || this.forced('licensure-comma-nospace'))) n = 2;
    if (this.layout === 'notice-2013' && n === 1 && this.forced('licensure-and')) n = 2;
    const list =
      rng.chance(0.7) || n === 1
        ? ['California', ...rng.sample(STATES.slice(1), n - 1)]
        : rng.sample(STATES, n);
    const ordered = rng.chance(0.5) ? list : rng.shuffle(list);
    this.features.add(n === 1 ? 'licensure-1' : n === 2 ? 'licensure-2' : 'licensure-3');
    if (this.layout === 'notice-2013') {
      if (n > 1) this.features.add('licensure-and');
      const text =
        n === 1 ? ordered[0]! : `${ordered.slice(0, -1).join(', ')} and ${ordered[ordered.length - 1]!}`;
      return { text, list: ordered };
    }
    let sep = rng.chance(0.6) ? ', ' : ',';
    if (this.forced('licensure-comma-nospace')) sep = ',';
    if (this.forced('licensure-comma-space')) sep = ', ';
    if (n > 1) this.features.add(sep === ',' ? 'licensure-comma-nospace' : 'licensure-comma-space');
    return { text: ordered.join(sep), list: ordered };
  }

  specialty(): string {
    const rng = this.rng;
    if (this.layout === 'notice-2013') return rng.pick(NOTICE_SPECIALTIES);
    if (this.want('specialty-wrap', 0.12)) return rng.pick(LONG_SPECIALTIES);
    if (this.want('specialty-typo', 0.04)) {
      this.features.add('specialty-typo');
      return rng.pick(TYPO_SPECIALTIES);
    }
    return rng.pick(SPECIALTIES);
  }

  // ---------------------------------------------------------------- items

  planItems(count: number): ItemPlan[] {
    const rng = this.rng;
    const overturnRate = this.forced('all-overturned') ? 1 : rng.pick([0, 0.15, 0.3, 0.5]);
    const plans: ItemPlan[] = Array.from({ length: count }, () => ({
      kind: 'plain' as ItemKind,
      decision: rng.chance(overturnRate) ? ('overturned' as const) : ('upheld' as const),
      ownLine: false,
      ca: {},
      er: {},
      ending: null,
      tight: false,
    }));
    if (this.forced('mixed-outcomes') && count >= 2) {
      plans[0]!.decision = 'upheld';
      plans[count - 1]!.decision = 'overturned';
    }
    if (this.opts.features?.['mixed-outcomes'] === false) for (const p of plans) p.decision = 'upheld';
    if (this.layout !== 'notice-2013' && this.maybe('decision-own-line', 0.04))
      rng.pick(plans).ownLine = true;
    const forced = (Object.keys(this.opts.features ?? {}) as Feature[]).filter((f) => this.forced(f));
    const notice = this.layout === 'notice-2013';
    let next = 0;
    const slot = (ok: (p: ItemPlan) => boolean): ItemPlan | null => {
      for (let k = 0; k < count; k++) {
        const p = plans[(next + k) % count]!;
        if (ok(p)) {
          next = (next + k + 1) % count;
          return p;
        }
      }
      return null;
    };
    for (const f of forced) {
      const kind = ITEM_KIND_FEATURES[f];
      if (kind) {
        if (notice && kind !== 'hash' && kind !== 'prose' && kind !== 'colon') continue;
        if (kind === 'multi' && this.layout !== 'fdl-2016') continue;
        const p = slot((q) => q.kind === 'plain' && (kind !== 'multi' || q.er.mode === undefined));
        if (!p) continue;
        p.kind = kind;
        if (kind === 'multi') p.er = { mode: 'mtus', multi: true, section: true };
        continue;
      }
      switch (f) {
        case 'decision-own-line': {
          if (notice) break;
          const p = slot((q) => !q.ownLine);
          if (p) p.ownLine = true;
          break;
        }
        case 'tight-spacing': {
          const p = slot((q) => !q.tight);
          if (p) p.tight = true;
          break;
        }
        case 'rationale-other':
        case 'rationale-not-necessary':
        case 'rationale-necessary': {
          const p = slot((q) => q.ending === null);
          if (!p) break;
          p.ending = f === 'rationale-other' ? 'other' : 'standard';
          if (f === 'rationale-necessary') p.decision = 'overturned';
          if (f === 'rationale-not-necessary') p.decision = 'upheld';
          break;
        }
        case 'preamble-ca':
        case 'no-citation-ca':
        case 'preamble-er':
        case 'no-citation-er': {
          const party = f.endsWith('-ca') ? 'ca' : 'er';
          const preamble = f.startsWith('preamble');
          if (notice && preamble) break;
          const p = slot((q) => q[party].mode === undefined);
          if (p) p[party] = { mode: preamble ? 'preamble' : 'none' };
          break;
        }
        case 'mtus-section':
        case 'mtus-no-section': {
          if (this.layout !== 'fdl-2016') break;
          const p = slot((q) => q.ca.mode === undefined);
          if (p) p.ca = { mode: 'mtus', multi: false, section: f === 'mtus-section' };
          break;
        }
        case 'non-mtus-sentence':
        case 'odg':
        case 'uptodate':
        case 'url-broken': {
          if (notice) break;
          const kind: NonMtusKind = f === 'uptodate' ? 'uptodate' : f === 'url-broken' ? 'url' : 'odg';
          const p = slot((q) => q.ca.mode === undefined || q.er.mode === undefined);
          if (!p) break;
          if (p.ca.mode === undefined) p.ca = { mode: 'mtus', nonMtus: kind };
          else p.er = { mode: f === 'non-mtus-sentence' ? 'mtus' : 'preamble', nonMtus: kind };
          break;
        }
        default:
          break;
      }
    }
    return plans;
  }

  itemContext(region: Region, side: string): ItemContext {
    const part = region.sided ? `${side} ${region.part}` : region.part;
    return { rng: this.rng, region, part, side, era: this.layout, year: this.year };
  }

  makeDraft(
    plan: ItemPlan,
    ctx: ItemContext,
  ): {
    draft: ItemDraft;
    kind: ItemKind;
    original: string | null;
    authorized: string | null;
    rawText: string;
    description: string;
  } {
    const rng = this.rng;
    let kind = plan.kind;
    const notice = this.layout === 'notice-2013';
    if (kind === 'plain' && this.layout === 'fdl-2016' && this.maybe('mtus-multi', 0.04)) kind = 'multi';
    if (kind === 'plain' && !notice) {
      const pMod = 0.1;
      if (rng.chance(pMod)) {
        kind = rng.weighted<ItemKind>(
          ['modified-remaining-is', 'modified-remaining', 'modified-authorized'],
          [55, 15, 30],
        );
        if (!this.allowed(kind as Feature)) kind = 'plain';
      }
    }
    if (kind.startsWith('modified')) {
      const m = makeModified(ctx, kind === 'modified-authorized' ? 'authorized' : 'remaining');
      const raw =
        kind === 'modified-authorized'
          ? `${m.original} was the original request. The Claims Administrator authorized ${m.authorized}, leaving the original request IMR eligible. The original request, ${m.original} is`
          : `${m.original} was the original request. ${m.authorized} was authorized by the Claims Administrator. The remaining IMR eligible portion of the original request, ${m.remaining}${kind === 'modified-remaining-is' ? ' is' : ''}`;
      return {
        draft: m.item,
        kind,
        original: m.original,
        authorized: m.authorized,
        rawText: raw,
        description: m.remaining ?? m.original,
      };
    }
    let d: ItemDraft;
    if (kind === 'colon') d = makeColonItem(ctx);
    else if (kind === 'multi') d = makeMultiRegionItem(ctx);
    else {
      d = makeItem(
        ctx,
        kind === 'hash'
          ? rng.pick<Category>(['opioid', 'medication'])
          : kind === 'prose'
            ? 'therapy'
            : undefined,
      );
      for (let i = 0; i < 30; i++) {
        const bad =
          (kind === 'hash' && d.hashQty === null) ||
          (kind === 'prose' && !d.prose) ||
          (kind === 'qty' && (d.colon || (d.category !== 'medication' && d.category !== 'opioid'))) ||
          (!this.allowed('colon-in-item') && d.colon) ||
          (notice && d.qtySuffix !== null);
        if (!bad) break;
        d = makeItem(
          ctx,
          kind === 'hash'
            ? rng.pick<Category>(['opioid', 'medication'])
            : kind === 'prose'
              ? 'therapy'
              : undefined,
        );
      }
    }
    if (kind === 'qty' && d.qtySuffix === null) {
      // Turn a count into a trailing QTY: N.
      const n = d.hashQty ?? rng.pick([6, 8, 12, 30, 60]);
      d = { ...d, text: d.text.replace(/\s*#\d+/, '').replace(/,\s*$/, ''), hashQty: null, qtySuffix: n };
    }
    if (notice && d.qtySuffix !== null) {
      d = { ...d, text: `${d.text} #${d.qtySuffix}`, hashQty: d.qtySuffix, qtySuffix: null };
    }
    if (notice) {
      // The 2013 notices write the item in running prose: "the request for a 28 day program".
      const lower =
        /^[A-Z][a-z]/.test(d.text) &&
        !/^(Norco|Percocet|Oxycodone|Tramadol|Gabapentin|Naproxen|Omeprazole|Cyclobenzaprine|Lidocaine|Duloxetine|Meloxicam|Hydrocodone|MRI|CT|EMG|NCV|NCS|TENS)/.test(
          d.text,
        );
      let text = lower ? d.text.charAt(0).toLowerCase() + d.text.slice(1) : d.text;
      if (rng.chance(0.35) && lower) text = `${/^[aeiou]/.test(text) ? 'an' : 'a'} ${text}`;
      d = { ...d, text: text.replace(/^retrospective: /i, 'retrospective ') };
      d = { ...d, colon: d.text.includes(':') };
    }
    const rawText = d.qtySuffix !== null ? `${d.text} QTY: ${d.qtySuffix}` : d.text;
    return { draft: d, kind, original: null, authorized: null, rawText, description: d.text };
  }

  // ---------------------------------------------------------------- guidelines

  resolvePlan(who: 'ca' | 'er', partial: Partial<GuidePlan>, d: ItemDraft): GuidePlan {
    const rng = this.rng;
    const notice = this.layout === 'notice-2013';
    const preambleF: Feature = who === 'ca' ? 'preamble-ca' : 'preamble-er';
    const noneF: Feature = who === 'ca' ? 'no-citation-ca' : 'no-citation-er';
    let mode = partial.mode;
    if (mode === undefined) {
      const pNone = d.category === 'periop' ? 0.2 : 0.05;
      const pPre = notice ? 0 : d.category === 'periop' || d.mtus.length === 0 ? 0.35 : 0.1;
      const r = rng.next();
      mode = r < pNone ? 'none' : r < pNone + pPre ? 'preamble' : 'mtus';
      if (mode === 'none' && !this.allowed(noneF)) mode = 'mtus';
      if (mode === 'preamble' && !this.allowed(preambleF)) mode = 'mtus';
    }
    if (mode === 'mtus' && d.mtus.length === 0) mode = notice ? 'mtus' : 'preamble';
    const multi =
      this.layout === 'fdl-2016' &&
      mode === 'mtus' &&
      d.mtus.length >= 2 &&
      (partial.multi ?? (rng.chance(0.15) && this.allowed('mtus-multi')));
    const section = partial.section ?? rng.chance(0.75);
    let nonMtus: NonMtusKind | null = partial.nonMtus ?? null;
    if (partial.nonMtus === undefined) {
      if (mode === 'preamble') nonMtus = this.nonMtusKind(d);
      else if (mode === 'mtus' && !notice && rng.chance(who === 'ca' ? 0.45 : 0.18))
        nonMtus = this.nonMtusKind(d);
    }
    return { mode, multi, section, nonMtus };
  }

  nonMtusKind(d: ItemDraft): NonMtusKind {
    const kinds = d.nonMtus.map(
      (t): NonMtusKind =>
        t.startsWith('UpToDate')
          ? 'uptodate'
          : t.includes('://')
            ? 'url'
            : /ODG|Official Disability/.test(t)
              ? 'odg'
              : 'other',
    );
    const kind = this.rng.pick(kinds.length > 0 ? kinds : (['odg'] as NonMtusKind[]));
    if (kind === 'url' && !this.allowed('url-broken')) return 'odg';
    return kind;
  }

  nonMtusText(d: ItemDraft, kind: NonMtusKind): string {
    const rng = this.rng;
    const pool = d.nonMtus.filter((t) =>
      kind === 'uptodate'
        ? t.startsWith('UpToDate')
        : kind === 'url'
          ? t.includes('://')
          : kind === 'odg'
            ? /ODG|Official Disability/.test(t)
            : !/ODG|Official Disability|UpToDate|:\/\//.test(t),
    );
    if (pool.length > 0) return rng.pick(pool);
    if (kind === 'uptodate') return d.fallbackUptodate;
    if (kind === 'url') {
      return rng.chance(0.3)
        ? `${d.fallbackUrl}, ${d.fallbackUrl.replace(/-update$/, '-summary-of-evidence')}`
        : `${rng.pick(['Other Medical Treatment Guidelines', 'Evidence summary'])} ${d.fallbackUrl}`;
    }
    return 'Official Disability Guidelines (ODG), Pain (Chronic) chapter';
  }

  buildGuideline(who: 'ca' | 'er', plan: GuidePlan, d: ItemDraft): BuiltGuideline {
    const rng = this.rng;
    const features: Feature[] = [];
    const actor = who === 'ca' ? 'Claims Administrator' : 'Expert Reviewer';
    if (plan.mode === 'none') {
      const text = `The ${actor} did not cite any medical evidence for its decision.`;
      features.push(who === 'ca' ? 'no-citation-ca' : 'no-citation-er');
      return { text, label: guideline({ citations: [], raw: text }), features };
    }
    if (this.layout === 'notice-2013') return this.buildNoticeGuideline(who, d);
    const citations: Citation[] = [];
    const sentences: string[] = [];
    if (plan.mode === 'preamble') {
      sentences.push(
        `The ${actor} based their decision on recommendation(s) outside of the MTUS Guidelines.`,
      );
      features.push(who === 'ca' ? 'preamble-ca' : 'preamble-er');
    } else if (this.layout === 'fdl-2015') {
      const ref = d.legacy;
      const pages = ref.pages;
      sentences.push(`Decision based on MTUS ${ref.name}${pages ? ` Page(s): ${pages}` : ''}.`);
      citations.push({ source: `MTUS ${ref.name}`, sections: null, pages });
      if (pages) features.push('page-citation');
    } else {
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
      sentences.push(`Decision based on MTUS ${parts.join(', and ')}.`);
    }
    if (plan.nonMtus) {
      const text = this.nonMtusText(d, plan.nonMtus);
      sentences.push(`Decision based on Non-MTUS Citation ${text}.`);
      citations.push({ source: `Non-MTUS Citation ${text}`, sections: null, pages: null });
      if (plan.mode === 'mtus') features.push('non-mtus-sentence');
      if (text.startsWith('UpToDate')) features.push('uptodate');
      if (/ODG|Official Disability/.test(text)) features.push('odg');
    }
    const text = sentences.join(' ');
    return { text, label: guideline({ citations, raw: text }), features };
  }

  /** Two or three of the item's MTUS guidelines for one ", and " sentence. */
  multiRefs(d: ItemDraft): MtusRef[] {
    return d.mtus.slice(0, this.rng.chance(0.5) && d.mtus.length >= 3 ? 3 : 2);
  }

  buildNoticeGuideline(who: 'ca' | 'er', d: ItemDraft): BuiltGuideline {
    const rng = this.rng;
    const ref = d.notice;
    const withSections = ref.sections !== null && (who === 'er' || rng.chance(0.4));
    const sections = withSections ? ref.sections : null;
    const pages = ref.pages;
    let text =
      who === 'ca'
        ? 'The Claims Administrator based its decision on the '
        : 'The Expert Reviewer based his/her decision on the ';
    text += ref.source;
    if (sections) text += `, ${sections}`;
    if (pages) text += `, ${/[-,]/.test(pages) ? rng.pick(['pages', 'page']) : 'page'} ${pages}`;
    if (who === 'ca' || !ref.partOfMtus || rng.chance(0.3))
      text += `, which is ${ref.partOfMtus ? '' : 'not '}part of the MTUS`;
    text += '.';
    const citations: Citation[] = [{ source: ref.source, sections, pages }];
    return { text, label: guideline({ citations, raw: text }), features: ['notice-citation'] };
  }

  // ---------------------------------------------------------------- rationales

  rationale(
    d: ItemDraft,
    description: string,
    decision: 'upheld' | 'overturned',
    ending: Ending,
    facts: { dateText: string; complaint: string },
  ): { text: string; ending: Feature } {
    const rng = this.rng;
    const up = decision === 'upheld';
    const sentences: string[] = [];
    if (d.guidance.length > 0) sentences.push(rng.pick(d.guidance));
    sentences.push(
      `According to the progress report dated ${facts.dateText}, the injured worker reported ${facts.complaint} rated ${rng.int(4, 9)}/10.`,
    );
    const own = up ? d.against : d.support;
    const generic = up ? GENERIC_AGAINST : GENERIC_SUPPORT;
    sentences.push(...rng.sample(own, Math.min(own.length, rng.int(1, 2))));
    sentences.push(...rng.sample(generic, rng.int(0, 2)));
    if (this.layout === 'notice-2013') {
      const necessary = up ? this.glue('not medically necessary', 0.5) : 'medically necessary';
      if (ending === 'other') {
        sentences.push(rng.pick(up ? OTHER_ENDINGS_UPHELD : OTHER_ENDINGS_OVERTURNED));
        return { text: sentences.join(' '), ending: 'rationale-other' };
      }
      sentences.push(`The request for ${description} is ${necessary} and appropriate.`);
      return { text: sentences.join(' '), ending: up ? 'rationale-not-necessary' : 'rationale-necessary' };
    }
    if (ending === 'other') {
      sentences.push(rng.pick(up ? OTHER_ENDINGS_UPHELD : OTHER_ENDINGS_OVERTURNED));
      if (up && d.category === 'opioid' && this.layout === 'fdl-2016') sentences.push(OPIOID_NOTE);
      return { text: sentences.join(' '), ending: 'rationale-other' };
    }
    const lead = rng.pick(CONCLUSIONS_NOT);
    if (this.layout === 'fdl-2015' && rng.chance(0.5)) {
      sentences.push(`${lead}, the request ${up ? 'IS NOT' : 'IS'} medically necessary.`);
    } else {
      sentences.push(`${lead}, the request for ${description} is ${up ? 'not ' : ''}medically necessary.`);
    }
    return { text: sentences.join(' '), ending: up ? 'rationale-not-necessary' : 'rationale-necessary' };
  }

  gluedWords = false;

  /** In a letter with a glued text layer, write "not medically" as "notmedically" with probability p. */
  glue(s: string, p: number): string {
    if (!this.gluedWords || !this.rng.chance(p)) return s;
    this.features.add('glued-words');
    return s.replace('not medically', 'notmedically');
  }

  /** Year of the UR denial, for dates written inside items. */
  year = 2016;

  // ---------------------------------------------------------------- case summary

  workerSentence(
    age: number,
    sex: 'male' | 'female',
    dateText: string,
    mechanism: string,
    complaint: string,
  ): { text: string; age: number | null; sex: 'male' | 'female' | null; style: Feature } {
    const rng = this.rng;
    const styles: Feature[] = [
      'worker-injured-worker',
      'worker-case-involves',
      'worker-applicant',
      'worker-age-first',
      'worker-this-is',
      'worker-industrial-date',
      'worker-according',
      'worker-sex-only',
      'worker-unstated',
    ];
    const forcedStyle = styles.find((s) => this.forced(s));
    let style = forcedStyle ?? rng.weighted(styles, [26, 16, 10, 7, 10, 7, 6, 5, 3]);
    const ageless = style === 'worker-sex-only' || style === 'worker-unstated';
    if (this.forced('no-age') && !ageless) style = 'worker-sex-only';
    if (!this.allowed('no-age') && ageless) style = 'worker-injured-worker';
    const noun = rng.chance(0.1) ? (sex === 'male' ? 'man' : 'woman') : sex;
    const comma = rng.chance(0.5) ? ',' : '';
    switch (style) {
      case 'worker-injured-worker':
        return {
          text: `The injured worker is a ${age} year old ${noun}${comma} who sustained an industrial injury on ${dateText}.`,
          age,
          sex,
          style,
        };
      case 'worker-case-involves':
        return {
          text: `This case involves a now ${age}-year-old ${noun} with a history of an occupational claim from ${dateText}. The mechanism of injury is detailed as ${mechanism}.`,
          age,
          sex,
          style,
        };
      case 'worker-applicant':
        return {
          text: `The applicant is a ${age}-year-old ${noun} who has filed a claim for ${complaint} reportedly associated with an industrial injury of ${dateText}.`,
          age,
          sex,
          style,
        };
      case 'worker-age-first':
        return {
          text: `The ${age} year old ${noun} injured worker suffered an industrial injury on ${dateText}.`,
          age,
          sex,
          style,
        };
      case 'worker-this-is':
        return {
          text: `This is a ${age} year old ${noun} with a date of injury on ${dateText}.`,
          age,
          sex,
          style,
        };
      case 'worker-industrial-date':
        return {
          text: `The injured worker is a ${age} year old ${noun} with an industrial injury date of ${dateText}.`,
          age,
          sex,
          style,
        };
      case 'worker-according':
        return {
          text: `According to the medical records available for review, the injured worker is a ${age} year old ${noun}${comma} who sustained an industrial injury on ${dateText}.`,
          age,
          sex,
          style,
        };
      case 'worker-sex-only':
        return {
          text: `The injured worker is a ${sex} ${rng.pick(OCCUPATIONS)} who sustained an industrial injury on ${dateText} due to ${mechanism}.`,
          age: null,
          sex,
          style,
        };
      default:
        return {
          text: `This injured worker sustained an industrial injury on ${dateText} while at work. The mechanism of injury was ${mechanism}.`,
          age: null,
          sex: null,
          style: 'worker-unstated',
        };
    }
  }

  dateStyle(): DateStyle {
    const styles: DateStyle[] = ['dash4', 'dash2', 'slash', 'slash-space', 'long'];
    const forced = styles.find((s) => this.forced(`date-${s}` as Feature));
    return forced ?? this.rng.weighted(styles, [40, 12, 25, 5, 18]);
  }

  fmt(date: SimpleDate, style: DateStyle): string {
    return formatDate(date, style, style === 'dash4' || style === 'dash2' ? this.rng.chance(0.7) : true);
  }

  // ---------------------------------------------------------------- the letter

  build(): GeneratedLetter {
    const rng = this.rng;
    const layout = this.layout;
    this.features.add(`layout-${layout}` as Feature);
    const notice = layout === 'notice-2013';

    let count =
      this.opts.items ??
      rng.weighted([1, 2, 3, 4, 5, 6, 8, 10, 13, 17, 21], [30, 18, 13, 9, 7, 6, 5, 4, 3, 2, 3]);
    if (this.forced('single-item')) count = 1;
    if (this.forced('max-items')) count = 21;
    if (this.forced('many-items') && count < 10) count = 12;
    if (this.forced('mixed-outcomes') && count < 2) count = 2;
    count = Math.max(1, Math.min(21, Math.round(count)));

    const dates = this.dates();
    this.year = dates.ur.y;
    const caseNumber = this.caseNumber(dates.assigned);
    const priority = this.want('priority-expedited', 0.04) ? 'Expedited' : 'Standard';
    if (priority === 'Expedited') this.features.add('priority-expedited');
    const lic = this.licensure();
    const specialty = this.specialty();
    const age = rng.int(19, 78);
    const sex = rng.chance(0.5) ? ('male' as const) : ('female' as const);
    const mechanism = rng.pick(MECHANISMS);
    const regions = rng.sample(REGIONS, rng.chance(0.35) ? 2 : 1);
    const sides = regions.map(() => rng.pick(['right', 'left']));
    const region = regions[0]!;
    const complaint = region.complaint;
    const dateStyle: DateStyle = notice ? 'numeric-short' : this.dateStyle();
    const mismatch = this.want('injury-date-mismatch', 0.08);
    const summaryInjury = mismatch
      ? rng.chance(0.5)
        ? addDays(dates.injury, -365)
        : addDays(dates.injury, rng.pick([-3, -1, 1, 2, 7]))
      : dates.injury;
    if (mismatch) {
      this.features.add('injury-date-mismatch');
      this.notes.push(
        `Case summary gives the injury date ${isoDate(summaryInjury)}; the label follows the header (${isoDate(dates.injury)}).`,
      );
    }
    if (notice) this.gluedWords = this.want('glued-words', 0.4);

    // Items.
    const plans = this.planItems(count);
    const items: LabelItem[] = [];
    interface ItemOut {
      rawText: string;
      decisionWord: string;
      ca: BuiltGuideline;
      er: BuiltGuideline;
      rationale: string;
      plan: ItemPlan;
      description: string;
      draft: ItemDraft;
    }
    const outs: ItemOut[] = [];
    const seen = new Set<string>();
    for (const [i, plan] of plans.entries()) {
      const r = i % regions.length;
      const ctx = this.itemContext(regions[r]!, sides[r]!);
      let made = this.makeDraft(plan, ctx);
      // Prefer items that do not repeat an earlier one's topic (real letters rarely do).
      for (let k = 0; k < 8 && (seen.has(made.description) || seen.has(made.draft.topic)); k++) {
        made = this.makeDraft(plan, ctx);
      }
      seen.add(made.description);
      seen.add(made.draft.topic);
      const { draft: d, rawText, description } = made;
      if (made.kind.startsWith('modified')) this.features.add(made.kind as Feature);
      if (made.kind === 'multi' && plan.er.mode === undefined) plan.er = { mode: 'mtus', multi: true };
      if (d.colon && rawText.includes(':')) this.features.add('colon-in-item');
      const quantity = d.qtySuffix ?? d.hashQty;
      if (d.qtySuffix !== null) this.features.add('qty-suffix');
      else if (d.hashQty !== null) this.features.add('hash-quantity');
      if (d.prose) this.features.add('prose-count');
      const caPlan = this.resolvePlan('ca', plan.ca, d);
      const erPlan = this.resolvePlan('er', plan.er, d);
      const ca = this.buildGuideline('ca', caPlan, d);
      const er = this.buildGuideline('er', erPlan, d);
      for (const f of [...ca.features, ...er.features]) this.features.add(f);
      const ending: Ending = plan.ending ?? (this.maybe('rationale-other', 0.1) ? 'other' : 'standard');
      const progress = addDays(dates.ur, -rng.int(5, 40));
      const rat = this.rationale(d, description, plan.decision, ending, {
        dateText: this.fmt(
          progress,
          notice ? 'numeric-short' : rng.pick<DateStyle>(['slash', 'dash4', 'long']),
        ),
        complaint: ctx.region.complaint,
      });
      this.features.add(rat.ending);
      items.push({
        description: collapse(description),
        quantity,
        decision: plan.decision,
        originalRequest: made.original ? collapse(made.original) : null,
        authorizedPortion: made.authorized ? collapse(made.authorized) : null,
        raw: collapse(notice ? description : rawText),
        claimsAdministratorGuideline: ca.label,
        maximusGuideline: er.label,
      });
      outs.push({
        rawText,
        decisionWord: plan.decision === 'upheld' ? 'Upheld' : 'Overturned',
        ca,
        er,
        rationale: rat.text,
        plan,
        description,
        draft: d,
      });
    }
    const decisions = new Set(items.map((it) => it.decision));
    if (decisions.size > 1) this.features.add('mixed-outcomes');
    if (count >= 2 && !decisions.has('upheld')) this.features.add('all-overturned');
    if (count === 1) this.features.add('single-item');
    if (count >= 10) this.features.add('many-items');
    if (count === 21) this.features.add('max-items');

    // Case summary.
    const worker = this.workerSentence(age, sex, this.fmt(summaryInjury, dateStyle), mechanism, complaint);
    if (!notice) {
      this.features.add(worker.style);
      this.features.add(`date-${dateStyle}` as Feature);
    }
    if (worker.age === null) this.features.add('no-age');
    if (notice) this.features.add('date-numeric-short');

    const blocks: Block[] = [];
    const itemBlocks: number[] = [];
    const guideBlocks: number[] = [];
    let patient = { age: worker.age, sex: worker.sex };
    let injuryDate: string | null = isoDate(dates.injury);
    let priorityOut: string | null = priority;

    if (notice) {
      const out = this.noticeBlocks({
        blocks,
        outs,
        dates,
        caseNumber,
        priority,
        lic,
        specialty,
        age,
        sex,
        summaryInjury,
        mechanism,
        regions,
        itemBlocks,
        guideBlocks,
      });
      patient = out.patient;
      injuryDate = out.injuryDate;
      priorityOut = out.priority;
    } else {
      blocks.push({
        kind: 'header',
        rows: [
          { left: { label: 'Case Number:', value: caseNumber } },
          {
            left: { label: 'Date Assigned:', value: headerDate(dates.assigned) },
            right: { label: 'Date of Injury:', value: headerDate(dates.injury) },
          },
          {
            left: { label: 'Decision Date:', value: headerDate(dates.decision) },
            right: { label: 'UR Denial Date:', value: headerDate(dates.ur) },
          },
          {
            left: { label: 'Priority:', value: priority },
            right: { label: 'Application\nReceived:', value: headerDate(dates.received) },
          },
        ],
      });
      blocks.push({ kind: 'heading', text: 'HOW THE IMR FINAL DETERMINATION WAS MADE' });
      blocks.push({ kind: 'para', text: HOW_MADE_BOILERPLATE });
      const specialtyBlock = blocks.length;
      blocks.push({
        kind: 'para',
        text: `The Expert Reviewer has the following credentials:\nState(s) of Licensure: ${lic.text}\nCertification(s)/Specialty: ${specialty}`,
      });
      blocks.push({ kind: 'heading', text: 'CLINICAL CASE SUMMARY' });
      blocks.push({
        kind: 'para',
        text: 'The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:',
      });
      for (const p of this.summaryParagraphs(
        worker.text,
        dates,
        outs.map((o) => o.description),
        regions,
        sides,
        dateStyle,
      )) {
        blocks.push({ kind: 'para', text: p });
      }
      blocks.push({ kind: 'heading', text: 'IMR ISSUES, DECISIONS AND RATIONALES' });
      blocks.push({
        kind: 'para',
        text: 'The Final Determination was based on decisions for the disputed items/services set forth below:',
      });
      for (const o of outs) {
        itemBlocks.push(blocks.length);
        blocks.push({
          kind: 'para',
          lead: `${o.rawText}:`,
          text: o.plan.ownLine ? `\n${o.decisionWord}` : o.decisionWord,
        });
        const tightCa = o.plan.tight || (this.allowed('tight-spacing') && rng.chance(0.03));
        const tightRat = o.plan.tight ? rng.chance(0.5) : this.allowed('tight-spacing') && rng.chance(0.03);
        if (tightCa || tightRat) this.features.add('tight-spacing');
        guideBlocks.push(blocks.length);
        blocks.push({
          kind: 'para',
          lead: 'Claims Administrator guideline:',
          text: o.ca.text,
          tight: tightCa,
        });
        guideBlocks.push(blocks.length);
        blocks.push({ kind: 'para', lead: 'MAXIMUS guideline:', text: o.er.text });
        blocks.push({ kind: 'para', lead: 'Decision rationale:', text: o.rationale, tight: tightRat });
        if (o.plan.ownLine) this.features.add('decision-own-line');
      }
      const lay = layoutBlocks(blocks);
      const specLines = lay.lines.filter((l) => l.block === specialtyBlock).length;
      if (specLines > 3) this.features.add('specialty-wrap');
    }

    const pageLayout = layoutBlocks(blocks);
    this.layoutFeatures(pageLayout, itemBlocks, guideBlocks);

    const label = Label.parse({
      caseNumber,
      reviewer: { licensure: lic.list, specialty },
      patient,
      injuryDate,
      urDate: isoDate(dates.ur),
      items,
      extra: {
        dateAssigned: isoDate(dates.assigned),
        decisionDate: isoDate(dates.decision),
        applicationReceived: isoDate(dates.received),
        priority: priorityOut,
      },
      _notes: [
        `Synthetic letter (imr-pipeline src/synth), layout ${layout}, seed ${this.seed}.`,
        ...this.notes,
      ],
    });
    return {
      seed: this.seed,
      layout,
      label,
      blocks,
      text: layoutText(pageLayout),
      features: FEATURES.filter((f) => this.features.has(f)),
    };
  }

  layoutFeatures(layout: PageLayout, itemBlocks: number[], guideBlocks: number[]): void {
    const byBlock = new Map<number, PageLayout['lines']>();
    for (const l of layout.lines) {
      const list = byBlock.get(l.block) ?? [];
      list.push(l);
      byBlock.set(l.block, list);
    }
    for (const b of itemBlocks) {
      const lines = byBlock.get(b) ?? [];
      const boldLines = lines.filter((l) => l.fragments.some((f) => f.font === 'bold')).length;
      if (boldLines === 2) this.features.add('item-wrap-2');
      if (boldLines >= 3) this.features.add('item-wrap-3');
      const last = lines[lines.length - 1];
      if (
        this.layout !== 'notice-2013' &&
        last &&
        last.fragments.length === 1 &&
        last.fragments[0]!.font === 'roman' &&
        lines.length > 1
      ) {
        this.features.add('decision-own-line');
      }
    }
    for (const b of guideBlocks) {
      const lines = byBlock.get(b) ?? [];
      if (!lines.some((l) => l.fragments.some((f) => f.text.includes('://')))) continue;
      for (const l of lines.slice(0, -1)) {
        const lastFrag = l.fragments[l.fragments.length - 1];
        if (lastFrag?.text.endsWith('-')) this.features.add('url-broken');
      }
    }
  }

  summaryParagraphs(
    workerText: string,
    dates: { ur: SimpleDate; injury: SimpleDate; received: SimpleDate },
    descriptions: string[],
    regions: Region[],
    sides: string[],
    style: DateStyle,
  ): string[] {
    const rng = this.rng;
    const parts = regions.map((r, i) => (r.sided ? `${sides[i]} ${r.part}` : r.part));
    const dx = regions.flatMap((r) => rng.sample(r.diagnoses, rng.int(1, 2)));
    const s: string[] = [workerText];
    if (!workerText.includes('mechanism') && rng.chance(0.5)) {
      s.push(`The injury occurred during ${rng.pick(MECHANISMS)}.`);
    }
    s.push(
      rng.pick([
        `The injured worker is undergoing treatment for ${listJoin(dx)}.`,
        `The current diagnoses are documented as ${listJoin(dx)}.`,
        `Diagnoses include ${listJoin(dx)}.`,
      ]),
    );
    s.push(`Treatment to date has included ${listJoin(rng.sample(PRIOR_TREATMENTS, rng.int(2, 4)))}.`);
    const visit = addDays(dates.ur, -rng.int(7, 30));
    s.push(
      `On ${this.fmt(visit, rng.chance(0.6) ? style : 'slash')}, the injured worker reported ${regions[0]!.complaint}, rated ${rng.int(5, 9)}/10 on the pain scale.`,
    );
    s.push(`Physical examination of the ${parts[0]} revealed ${rng.pick(regions[0]!.findings)}.`);
    if (regions[1]) s.push(`Examination of the ${parts[1]} showed ${rng.pick(regions[1].findings)}.`);
    if (rng.chance(0.5))
      s.push(
        `Work status was ${rng.pick(['temporarily totally disabled', 'modified duty with no lifting over 10 pounds', 'full duty', 'not documented'])}.`,
      );
    const plan = descriptions.slice(0, 3).map((d) => d.replace(/^[A-Z](?![A-Z/])/, (c) => c.toLowerCase()));
    s.push(`The treatment plan included ${listJoin(plan)}.`);
    const rfa = addDays(dates.ur, -rng.int(3, 14));
    if (rng.chance(0.6)) s.push(`A Request for Authorization dated ${this.fmt(rfa, 'slash')} was received.`);
    const urText = this.fmt(dates.ur, rng.chance(0.5) ? style : 'slash');
    s.push(
      rng.pick([
        `The original utilization review dated ${urText} non-certified the request${descriptions.length > 1 ? 's' : ''}.`,
        `On ${urText}, Utilization Review denied the requested treatment${descriptions.length > 1 ? 's' : ''}, noting that the guideline criteria were not met.`,
        `Utilization Review dated ${urText} modified or non-certified the requests under review.`,
      ]),
    );
    if (s.length > 7 && rng.chance(0.4)) {
      const cut = rng.int(3, s.length - 2);
      return [s.slice(0, cut).join(' '), s.slice(cut).join(' ')];
    }
    return [s.join(' ')];
  }

  noticeBlocks(a: {
    blocks: Block[];
    outs: {
      rawText: string;
      description: string;
      decisionWord: string;
      ca: BuiltGuideline;
      er: BuiltGuideline;
      rationale: string;
      plan: ItemPlan;
    }[];
    dates: {
      decision: SimpleDate;
      assigned: SimpleDate;
      received: SimpleDate;
      ur: SimpleDate;
      injury: SimpleDate;
    };
    caseNumber: string;
    priority: string;
    lic: { text: string; list: string[] };
    specialty: string;
    age: number;
    sex: 'male' | 'female';
    summaryInjury: SimpleDate;
    mechanism: string;
    regions: Region[];
    itemBlocks: number[];
    guideBlocks: number[];
  }): {
    patient: { age: number | null; sex: 'male' | 'female' | null };
    injuryDate: string | null;
    priority: string | null;
  } {
    const rng = this.rng;
    const { blocks, dates } = a;
    const d = (x: SimpleDate) => formatDate(x, 'numeric-short');
    const headerInjury = !this.want('notice-no-header-injury', 0.3);
    const headerPriority = !this.want('notice-no-priority', 0.3);
    if (!headerInjury) this.features.add('notice-no-header-injury');
    if (!headerPriority) this.features.add('notice-no-priority');
    if (!headerInjury && this.features.has('injury-date-mismatch')) {
      // Without a header date the label takes the case summary's: no disagreement to record.
      this.features.delete('injury-date-mismatch');
      this.notes.length = 0;
    }
    blocks.push({ kind: 'heading', text: 'MAXIMUS FEDERAL SERVICES, INC.' });
    blocks.push({ kind: 'heading', text: 'Notice of Independent Medical Review Determination', tight: true });
    blocks.push({ kind: 'para', text: `Dated: ${d(dates.decision)}` });
    const fields: string[] = [`IMR Case Number: ${a.caseNumber}`];
    if (headerInjury) fields.push(`Date of Injury: ${d(dates.injury)}`);
    fields.push(`Claims Number: ${rng.int(10, 99)}${rng.int(1000000, 9999999)}`);
    fields.push(`UR Denial Date: ${d(dates.ur)}`);
    if (headerPriority) fields.push(`Priority: ${a.priority}`);
    fields.push(`Application Received: ${d(dates.received)}`);
    const twoPerLine = rng.chance(0.6);
    let first = true;
    for (let i = 0; i < fields.length; i += twoPerLine ? 2 : 1) {
      const cells = [{ x: 72, text: fields[i]! }];
      if (twoPerLine && fields[i + 1]) cells.push({ x: 330, text: fields[i + 1]! });
      blocks.push({ kind: 'row', cells, tight: !first });
      first = false;
    }
    blocks.push({ kind: 'heading', text: 'INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE' });
    blocks.push({
      kind: 'para',
      text: `An application for Independent Medical Review was filed on ${d(dates.received)} disputing the Utilization Review Denial dated ${d(dates.ur)}. A Notice of Assignment and Request for Information was provided to the above parties on ${d(dates.assigned)}. A decision has been made for each of the treatment and/or services that were in dispute:`,
    });
    let glued = false;
    a.outs.forEach((o, i) => {
      a.itemBlocks.push(blocks.length);
      let verdict = 'is medically necessary';
      if (o.plan.decision === 'upheld') {
        verdict = this.glue('is not medically necessary', glued ? 0.5 : 1);
        glued ||= verdict.includes('notmedically');
      }
      blocks.push({
        kind: 'para',
        text: `${i + 1}) MAXIMUS Federal Services, Inc. has determined the request for ${o.description} ${verdict} and appropriate.`,
      });
    });
    blocks.push({ kind: 'para', text: 'Medical Qualifications of the Expert Reviewer:', bold: true });
    blocks.push({
      kind: 'para',
      tight: true,
      text: `The independent Medical Doctor who made the decision has no affiliation with the employer, employee, providers or the claims administrator. The physician reviewer is Board Certified in ${a.specialty} and is licensed to practice in ${a.lic.text}. He/she has been in active clinical practice for more than five years and is currently working at least 24 hours a week in active practice. The physician reviewer was selected because his/her clinical experience, education, background, and expertise are in the same or a similar specialty as the treatment under review, and he/she is familiar with the governing laws and regulations.`,
    });
    blocks.push({ kind: 'para', text: 'Case Summary:', bold: true });
    const urLong = `${MONTHS[dates.ur.m - 1]} ${dates.ur.d}, ${dates.ur.y}`;
    blocks.push({
      kind: 'para',
      tight: true,
      text: `Disclaimer: The following case summary was taken directly from the utilization review denial/modification dated ${urLong}.`,
    });
    const quote = this.noticeSummary(
      a.age,
      a.sex,
      d(a.summaryInjury),
      a.mechanism,
      a.regions,
      a.outs.map((o) => o.description),
    );
    blocks.push({ kind: 'para', text: `"${quote}"` });
    a.outs.forEach((o, i) => {
      blocks.push({
        kind: 'para',
        text: `${i + 1}) Regarding the request for ${o.description}:`,
        bold: true,
      });
      blocks.push({
        kind: 'para',
        text: 'Medical Treatment Guideline(s) Used by the Claims Administrator:',
        bold: true,
      });
      a.guideBlocks.push(blocks.length);
      blocks.push({ kind: 'para', text: o.ca.text, tight: true });
      blocks.push({
        kind: 'para',
        text: 'Medical Treatment Guideline(s) Used by the Expert Reviewer:',
        bold: true,
      });
      a.guideBlocks.push(blocks.length);
      blocks.push({ kind: 'para', text: o.er.text, tight: true });
      blocks.push({ kind: 'para', text: 'Rationale Used by the Expert Reviewer:', bold: true });
      blocks.push({ kind: 'para', text: o.rationale, tight: true });
    });
    blocks.push({ kind: 'para', text: 'Effect of the Decision:', bold: true });
    blocks.push({
      kind: 'para',
      tight: true,
      text: "This determination is the final determination of the Administrative Director of the Division of Workers' Compensation on the medical necessity of the treatment in dispute, and it is binding on all parties.",
    });
    return {
      patient: { age: a.age, sex: a.sex },
      injuryDate: isoDate(headerInjury ? dates.injury : a.summaryInjury),
      priority: headerPriority ? a.priority : null,
    };
  }

  noticeSummary(
    age: number,
    sex: 'male' | 'female',
    injuryText: string,
    mechanism: string,
    regions: Region[],
    descriptions: string[],
  ): string {
    const rng = this.rng;
    this.features.add('worker-patient-quote');
    const r = regions[0]!;
    const s = [
      `The patient is a ${age} year-old ${sex} with a date of Injury of ${injuryText}.`,
      `The mechanism of injury was ${mechanism}.`,
      `The patient has been treated for ${listJoin(rng.sample(r.diagnoses, 2))}.`,
      `Treatment has included ${listJoin(rng.sample(PRIOR_TREATMENTS, 3))}.`,
      `The most recent examination noted ${rng.pick(r.findings)}.`,
      `The provider has requested ${listJoin(descriptions.slice(0, 3))}.`,
    ];
    return s.join(' ');
  }
}

function listJoin(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Generate one synthetic letter, deterministic from `seed` and `opts`. */
export function generateLetter(seed: number, opts: GenerateOptions = {}): GeneratedLetter {
  return new LetterBuilder(seed, opts).build();
}
