/**
 * What every layout shares: the draws that do not depend on the page (dates, people, items, guideline
 * plans, rationale bodies) and the label. A layout subclass supplies the wording and the pages through the
 * abstract hooks. Every draw comes from one seeded Rng, so the order of the draws (shared and hooks alike)
 * is part of the output: moving one changes every letter.
 */
import { Label, type LabelGuideline, type LabelItem } from '../../../schemas/label.js';
import type { Citation } from '../../../schemas/letter.js';
import {
  type Category,
  GENERIC_AGAINST,
  GENERIC_SUPPORT,
  type ItemContext,
  type ItemDraft,
  MECHANISMS,
  makeColonItem,
  makeItem,
  makeModified,
  makeMultiRegionItem,
  OCCUPATIONS,
  REGIONS,
  type Region,
  STATES,
} from '../content.js';
import type { Feature, GenerateOptions, LetterLayout } from '../generate.js';
import { addDays, type DateStyle, formatDate, isoDate, type Rng, type SimpleDate } from '../rng.js';
import { type Block, layoutBlocks, layoutText, type PageLayout } from '../typeset.js';

export type Who = 'ca' | 'er';
export type Sex = 'male' | 'female';
type GuideMode = 'mtus' | 'preamble' | 'none';
export type NonMtusKind = 'odg' | 'uptodate' | 'url' | 'other';

export interface GuidePlan {
  mode: GuideMode;
  multi: boolean;
  section: boolean;
  nonMtus: NonMtusKind | null;
}

export type Ending = 'standard' | 'other';
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

const MODIFIED_KINDS = ['modified-remaining-is', 'modified-remaining', 'modified-authorized'] as const;

export interface ItemPlan {
  kind: ItemKind;
  decision: 'upheld' | 'overturned';
  ownLine: boolean;
  ca: Partial<GuidePlan>;
  er: Partial<GuidePlan>;
  ending: Ending | null;
  tight: boolean;
}

export interface BuiltGuideline {
  text: string;
  label: LabelGuideline;
  features: Feature[];
}

/** A citation sentence with the label citations and features it carries. */
export interface CitedSentence {
  text: string;
  citations: Citation[];
  features: Feature[];
}

/** One disputed item as drawn, ready for a layout to set. */
export interface ItemOut {
  rawText: string;
  description: string;
  ca: BuiltGuideline;
  er: BuiltGuideline;
  rationale: string;
  plan: ItemPlan;
}

export interface LetterDates {
  decision: SimpleDate;
  assigned: SimpleDate;
  received: SimpleDate;
  ur: SimpleDate;
  injury: SimpleDate;
}

export interface WorkerSentence {
  text: string;
  age: number | null;
  sex: Sex | null;
  style: Feature;
}

/** Everything the shared draws settled, for a layout's pages. */
export interface LetterFacts {
  outs: ItemOut[];
  dates: LetterDates;
  caseNumber: string;
  priority: string;
  lic: { text: string; list: string[] };
  specialty: string;
  age: number;
  sex: Sex;
  worker: WorkerSentence;
  /** The injury date the case summary gives (the header's unless `injury-date-mismatch`). */
  summaryInjury: SimpleDate;
  dateStyle: DateStyle;
  mechanism: string;
  regions: Region[];
  sides: string[];
}

/** A layout's pages, and the label fields whose source differs by layout. */
export interface LetterPages {
  blocks: Block[];
  /** Indexes of the blocks that state an item, and of those that cite a guideline (for layout features). */
  itemBlocks: number[];
  guideBlocks: number[];
  patient: { age: number | null; sex: Sex | null };
  injuryDate: string | null;
  priority: string | null;
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

export const ACTOR: Record<Who, string> = { ca: 'Claims Administrator', er: 'Expert Reviewer' };

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

export function guideline(label: Omit<LabelGuideline, 'source' | 'sections' | 'pages'>): LabelGuideline {
  const first = label.citations[0];
  return {
    source: first?.source ?? null,
    sections: first?.sections ?? null,
    pages: first?.pages ?? null,
    citations: label.citations,
    raw: collapse(label.raw),
  };
}

export function listJoin(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export abstract class LetterBuilder {
  abstract readonly layout: LetterLayout;
  /**
   * Features this layout has no wording for: the shared draws never place them, forced or at random
   * (options that force them are ignored).
   */
  protected abstract readonly omits: ReadonlySet<Feature>;
  readonly features = new Set<Feature>();
  protected readonly notes: string[] = [];
  /** Year of the UR denial, for dates written inside items. */
  private year = 2016;

  constructor(
    private readonly seed: number,
    protected readonly rng: Rng,
    protected readonly opts: GenerateOptions,
  ) {}

  // ---------------------------------------------------------------- layout hooks

  protected abstract decisionDate(): SimpleDate;
  /** The states of licensure as the letter writes them; adds the join's feature. */
  protected abstract joinLicensure(ordered: string[]): string;
  protected abstract specialty(): string;
  /** How the case summary writes dates. */
  protected abstract summaryDateStyle(): DateStyle;
  /** How a rationale writes the date of the progress report it quotes. */
  protected abstract progressDateStyle(): DateStyle;
  /** A guideline paragraph for a plan that cites something (`none` is the same in every layout). */
  protected abstract citeGuideline(who: Who, plan: GuidePlan, d: ItemDraft): BuiltGuideline;
  /** The rationale's closing sentence(s) and the feature they exercise. */
  protected abstract conclusion(
    d: ItemDraft,
    description: string,
    up: boolean,
    ending: Ending,
  ): { sentences: string[]; feature: Feature };
  protected abstract pages(facts: LetterFacts): LetterPages;

  /** Draws for quirks of the text layer, before the items whose wording they change; none by default. */
  protected drawTextLayer(): void {}

  /** The item as this layout writes it; as drawn by default. */
  protected adaptItem(d: ItemDraft): ItemDraft {
    return d;
  }

  // ---------------------------------------------------------------- options

  /** Forced value of a feature, or a random draw with probability p. */
  protected want(f: Feature, p: number): boolean {
    const forced = this.opts.features?.[f];
    if (forced !== undefined) return forced;
    return this.rng.chance(p);
  }

  /** A random draw for a feature that may occur on any item (forced ones are placed by planItems). */
  protected maybe(f: Feature, p: number): boolean {
    return this.supports(f) && this.allowed(f) && this.rng.chance(p);
  }

  protected forced(f: Feature): boolean {
    return this.opts.features?.[f] === true;
  }

  protected allowed(f: Feature): boolean {
    return this.opts.features?.[f] !== false;
  }

  protected supports(f: Feature): boolean {
    return !this.omits.has(f);
  }

  // ---------------------------------------------------------------- dates and people

  private dates(): LetterDates {
    const rng = this.rng;
    const decision = this.decisionDate();
    const assigned = addDays(decision, -rng.int(18, 40));
    const received = addDays(assigned, -rng.int(2, 9));
    const ur = addDays(received, -rng.int(1, 30));
    const recent = rng.chance(0.7);
    const injury = recent
      ? addDays(ur, -rng.int(20, 120))
      : { y: ur.y - rng.int(1, 15), m: rng.int(1, 12), d: rng.int(1, 28) };
    return { decision, assigned, received, ur, injury };
  }

  private caseNumber(assigned: SimpleDate): string {
    const yy = String(assigned.y % 100).padStart(2, '0');
    // 08xxxxx-09xxxxx: beyond the yearly volume of real case numbers, so clearly synthetic.
    return `CM${yy}-0${this.rng.int(800000, 999999)}`;
  }

  private licensure(): { text: string; list: string[] } {
    const rng = this.rng;
    let n = rng.weighted([1, 2, 3], [55, 30, 15]);
    if (this.forced('licensure-1')) n = 1;
    if (this.forced('licensure-2')) n = 2;
    if (this.forced('licensure-3')) n = 3;
    if (n === 1 && (this.forced('licensure-comma-space') || this.forced('licensure-comma-nospace'))) n = 2;
    if (n === 1 && this.supports('licensure-and') && this.forced('licensure-and')) n = 2;
    const list =
      rng.chance(0.7) || n === 1
        ? ['California', ...rng.sample(STATES.slice(1), n - 1)]
        : rng.sample(STATES, n);
    const ordered = rng.chance(0.5) ? list : rng.shuffle(list);
    this.features.add(n === 1 ? 'licensure-1' : n === 2 ? 'licensure-2' : 'licensure-3');
    return { text: this.joinLicensure(ordered), list: ordered };
  }

  /** The date in the given style; dashed dates are sometimes unpadded. */
  protected fmt(date: SimpleDate, style: DateStyle): string {
    return formatDate(date, style, style === 'dash4' || style === 'dash2' ? this.rng.chance(0.7) : true);
  }

  // ---------------------------------------------------------------- items

  private planItems(count: number): ItemPlan[] {
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
    if (this.maybe('decision-own-line', 0.04)) rng.pick(plans).ownLine = true;
    const forced = (Object.keys(this.opts.features ?? {}) as Feature[]).filter(
      (f) => this.forced(f) && this.supports(f),
    );
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
        const p = slot((q) => q.kind === 'plain' && (kind !== 'multi' || q.er.mode === undefined));
        if (!p) continue;
        p.kind = kind;
        if (kind === 'multi') p.er = { mode: 'mtus', multi: true, section: true };
        continue;
      }
      switch (f) {
        case 'decision-own-line': {
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
          const p = slot((q) => q[party].mode === undefined);
          if (p) p[party] = { mode: preamble ? 'preamble' : 'none' };
          break;
        }
        case 'mtus-section':
        case 'mtus-no-section': {
          const p = slot((q) => q.ca.mode === undefined);
          if (p) p.ca = { mode: 'mtus', multi: false, section: f === 'mtus-section' };
          break;
        }
        case 'non-mtus-sentence':
        case 'odg':
        case 'uptodate':
        case 'url-broken': {
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

  private itemContext(region: Region, side: string): ItemContext {
    const part = region.sided ? `${side} ${region.part}` : region.part;
    return { rng: this.rng, region, part, side, era: this.layout, year: this.year };
  }

  private makeDraft(
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
    if (kind === 'plain' && this.maybe('mtus-multi', 0.04)) kind = 'multi';
    if (kind === 'plain' && MODIFIED_KINDS.every((k) => this.supports(k)) && rng.chance(0.1)) {
      kind = rng.weighted<ItemKind>(MODIFIED_KINDS, [55, 15, 30]);
      if (!this.allowed(kind as Feature)) kind = 'plain';
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
      const draw = () =>
        makeItem(
          ctx,
          kind === 'hash'
            ? rng.pick<Category>(['opioid', 'medication'])
            : kind === 'prose'
              ? 'therapy'
              : undefined,
        );
      d = draw();
      for (let i = 0; i < 30; i++) {
        const bad =
          (kind === 'hash' && d.hashQty === null) ||
          (kind === 'prose' && !d.prose) ||
          (kind === 'qty' && (d.colon || (d.category !== 'medication' && d.category !== 'opioid'))) ||
          (!this.allowed('colon-in-item') && d.colon) ||
          (!this.supports('qty-suffix') && d.qtySuffix !== null);
        if (!bad) break;
        d = draw();
      }
    }
    if (kind === 'qty' && d.qtySuffix === null) {
      // Turn a count into a trailing QTY: N.
      const n = d.hashQty ?? rng.pick([6, 8, 12, 30, 60]);
      d = { ...d, text: d.text.replace(/\s*#\d+/, '').replace(/,\s*$/, ''), hashQty: null, qtySuffix: n };
    }
    d = this.adaptItem(d);
    const rawText = d.qtySuffix !== null ? `${d.text} QTY: ${d.qtySuffix}` : d.text;
    return { draft: d, kind, original: null, authorized: null, rawText, description: d.text };
  }

  // ---------------------------------------------------------------- guidelines

  private resolvePlan(who: Who, partial: Partial<GuidePlan>, d: ItemDraft): GuidePlan {
    const rng = this.rng;
    const preambleF: Feature = who === 'ca' ? 'preamble-ca' : 'preamble-er';
    const noneF: Feature = who === 'ca' ? 'no-citation-ca' : 'no-citation-er';
    let mode = partial.mode;
    if (mode === undefined) {
      const pNone = d.category === 'periop' ? 0.2 : 0.05;
      const pPre = !this.supports(preambleF)
        ? 0
        : d.category === 'periop' || d.mtus.length === 0
          ? 0.35
          : 0.1;
      const r = rng.next();
      mode = r < pNone ? 'none' : r < pNone + pPre ? 'preamble' : 'mtus';
      if (mode === 'none' && !this.allowed(noneF)) mode = 'mtus';
      if (mode === 'preamble' && !this.allowed(preambleF)) mode = 'mtus';
    }
    if (mode === 'mtus' && d.mtus.length === 0 && this.supports(preambleF)) mode = 'preamble';
    const multi =
      this.supports('mtus-multi') &&
      mode === 'mtus' &&
      d.mtus.length >= 2 &&
      (partial.multi ?? (rng.chance(0.15) && this.allowed('mtus-multi')));
    const section = partial.section ?? rng.chance(0.75);
    let nonMtus: NonMtusKind | null = partial.nonMtus ?? null;
    if (partial.nonMtus === undefined) {
      if (mode === 'preamble') nonMtus = this.nonMtusKind(d);
      else if (
        mode === 'mtus' &&
        this.supports('non-mtus-sentence') &&
        rng.chance(who === 'ca' ? 0.45 : 0.18)
      )
        nonMtus = this.nonMtusKind(d);
    }
    return { mode, multi, section, nonMtus };
  }

  private nonMtusKind(d: ItemDraft): NonMtusKind {
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

  private buildGuideline(who: Who, plan: GuidePlan, d: ItemDraft): BuiltGuideline {
    if (plan.mode === 'none') {
      const text = `The ${ACTOR[who]} did not cite any medical evidence for its decision.`;
      return {
        text,
        label: guideline({ citations: [], raw: text }),
        features: [who === 'ca' ? 'no-citation-ca' : 'no-citation-er'],
      };
    }
    return this.citeGuideline(who, plan, d);
  }

  // ---------------------------------------------------------------- rationales

  private rationale(
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
    const close = this.conclusion(d, description, up, ending);
    return { text: [...sentences, ...close.sentences].join(' '), ending: close.feature };
  }

  // ---------------------------------------------------------------- case summary

  private workerSentence(
    age: number,
    sex: Sex,
    dateText: string,
    mechanism: string,
    complaint: string,
  ): WorkerSentence {
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

  // ---------------------------------------------------------------- the letter

  build(): { label: Label; blocks: Block[]; text: string } {
    const rng = this.rng;
    this.features.add(`layout-${this.layout}` as Feature);

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
    const sex: Sex = rng.chance(0.5) ? 'male' : 'female';
    const mechanism = rng.pick(MECHANISMS);
    const regions = rng.sample(REGIONS, rng.chance(0.35) ? 2 : 1);
    const sides = regions.map(() => rng.pick(['right', 'left']));
    const complaint = regions[0]!.complaint;
    const dateStyle = this.summaryDateStyle();
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
    this.drawTextLayer();

    // Items.
    const plans = this.planItems(count);
    const items: LabelItem[] = [];
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
        dateText: this.fmt(progress, this.progressDateStyle()),
        complaint: ctx.region.complaint,
      });
      this.features.add(rat.ending);
      items.push({
        description: collapse(description),
        quantity,
        decision: plan.decision,
        originalRequest: made.original ? collapse(made.original) : null,
        authorizedPortion: made.authorized ? collapse(made.authorized) : null,
        raw: collapse(rawText),
        claimsAdministratorGuideline: ca.label,
        maximusGuideline: er.label,
      });
      outs.push({ rawText, description, ca, er, rationale: rat.text, plan });
    }
    const decisions = new Set(items.map((it) => it.decision));
    if (decisions.size > 1) this.features.add('mixed-outcomes');
    if (count >= 2 && !decisions.has('upheld')) this.features.add('all-overturned');
    if (count === 1) this.features.add('single-item');
    if (count >= 10) this.features.add('many-items');
    if (count === 21) this.features.add('max-items');

    // Case summary.
    const worker = this.workerSentence(age, sex, this.fmt(summaryInjury, dateStyle), mechanism, complaint);
    this.features.add(`date-${dateStyle}` as Feature);
    if (worker.age === null) this.features.add('no-age');

    const out = this.pages({
      outs,
      dates,
      caseNumber,
      priority,
      lic,
      specialty,
      age,
      sex,
      worker,
      summaryInjury,
      dateStyle,
      mechanism,
      regions,
      sides,
    });
    const pageLayout = layoutBlocks(out.blocks);
    this.layoutFeatures(pageLayout, out.itemBlocks, out.guideBlocks);

    const label = Label.parse({
      caseNumber,
      reviewer: { licensure: lic.list, specialty },
      patient: out.patient,
      injuryDate: out.injuryDate,
      urDate: isoDate(dates.ur),
      items,
      extra: {
        dateAssigned: isoDate(dates.assigned),
        decisionDate: isoDate(dates.decision),
        applicationReceived: isoDate(dates.received),
        priority: out.priority,
      },
      _notes: [
        `Synthetic letter (imr-pipeline src/synth), layout ${this.layout}, seed ${this.seed}.`,
        ...this.notes,
      ],
    });
    return { label, blocks: out.blocks, text: layoutText(pageLayout) };
  }

  /** Features only the typeset lines show: wrapped items, a decision word on its own line, broken URLs. */
  private layoutFeatures(layout: PageLayout, itemBlocks: number[], guideBlocks: number[]): void {
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
        this.supports('decision-own-line') &&
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
}
