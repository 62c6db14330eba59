/**
 * The Final Determination Letter frame that `fdl-2016` and `fdl-2015` share: header table, "HOW THE IMR
 * FINAL DETERMINATION WAS MADE", the clinical case summary, and per item a bold item line with its
 * decision word, the two guideline paragraphs and the rationale. The eras differ in the MTUS citation
 * sentence and a few wordings (the subclasses).
 */
import type { Citation } from '../../../schemas/letter.js';
import {
  CONCLUSIONS_NOT,
  HOW_MADE_BOILERPLATE,
  type ItemDraft,
  LONG_SPECIALTIES,
  MECHANISMS,
  OPIOID_NOTE,
  OTHER_ENDINGS_OVERTURNED,
  OTHER_ENDINGS_UPHELD,
  PRIOR_TREATMENTS,
  type Region,
  SPECIALTIES,
  TYPO_SPECIALTIES,
} from '../content.js';
import type { Feature } from '../generate.js';
import { addDays, type DateStyle, headerDate, isoDate, type SimpleDate } from '../rng.js';
import { type Block, layoutBlocks } from '../typeset.js';
import {
  ACTOR,
  type BuiltGuideline,
  type CitedSentence,
  type Ending,
  type GuidePlan,
  guideline,
  LetterBuilder,
  type LetterFacts,
  type LetterPages,
  listJoin,
  type NonMtusKind,
  type Who,
} from './shared.js';

export abstract class FdlLetter extends LetterBuilder {
  /** Whether an upheld opioid rationale with an "other" ending adds the weaning note. */
  protected abstract readonly opioidNote: boolean;
  /** The "Decision based on MTUS ..." sentence. */
  protected abstract citeMtus(plan: GuidePlan, d: ItemDraft): CitedSentence;

  /** The standard closing sentence of a rationale. */
  protected necessity(lead: string, description: string, up: boolean): string {
    return `${lead}, the request for ${description} is ${up ? 'not ' : ''}medically necessary.`;
  }

  protected override joinLicensure(ordered: string[]): string {
    let sep = this.rng.chance(0.6) ? ', ' : ',';
    if (this.forced('licensure-comma-nospace')) sep = ',';
    if (this.forced('licensure-comma-space')) sep = ', ';
    if (ordered.length > 1)
      this.features.add(sep === ',' ? 'licensure-comma-nospace' : 'licensure-comma-space');
    return ordered.join(sep);
  }

  protected override specialty(): string {
    const rng = this.rng;
    if (this.want('specialty-wrap', 0.12)) return rng.pick(LONG_SPECIALTIES);
    if (this.want('specialty-typo', 0.04)) {
      this.features.add('specialty-typo');
      return rng.pick(TYPO_SPECIALTIES);
    }
    return rng.pick(SPECIALTIES);
  }

  protected override summaryDateStyle(): DateStyle {
    const styles: DateStyle[] = ['dash4', 'dash2', 'slash', 'slash-space', 'long'];
    const forced = styles.find((s) => this.forced(`date-${s}` as Feature));
    return forced ?? this.rng.weighted(styles, [40, 12, 25, 5, 18]);
  }

  protected override progressDateStyle(): DateStyle {
    return this.rng.pick<DateStyle>(['slash', 'dash4', 'long']);
  }

  protected override citeGuideline(who: Who, plan: GuidePlan, d: ItemDraft): BuiltGuideline {
    const features: Feature[] = [];
    const citations: Citation[] = [];
    const sentences: string[] = [];
    if (plan.mode === 'preamble') {
      sentences.push(
        `The ${ACTOR[who]} based their decision on recommendation(s) outside of the MTUS Guidelines.`,
      );
      features.push(who === 'ca' ? 'preamble-ca' : 'preamble-er');
    } else {
      const mtus = this.citeMtus(plan, d);
      sentences.push(mtus.text);
      citations.push(...mtus.citations);
      features.push(...mtus.features);
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

  private nonMtusText(d: ItemDraft, kind: NonMtusKind): string {
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

  protected override conclusion(
    d: ItemDraft,
    description: string,
    up: boolean,
    ending: Ending,
  ): { sentences: string[]; feature: Feature } {
    const rng = this.rng;
    if (ending === 'other') {
      const sentences = [rng.pick(up ? OTHER_ENDINGS_UPHELD : OTHER_ENDINGS_OVERTURNED)];
      if (up && d.category === 'opioid' && this.opioidNote) sentences.push(OPIOID_NOTE);
      return { sentences, feature: 'rationale-other' };
    }
    const lead = rng.pick(CONCLUSIONS_NOT);
    return {
      sentences: [this.necessity(lead, description, up)],
      feature: up ? 'rationale-not-necessary' : 'rationale-necessary',
    };
  }

  protected override pages(f: LetterFacts): LetterPages {
    const rng = this.rng;
    const { dates } = f;
    this.features.add(f.worker.style);
    const blocks: Block[] = [];
    const itemBlocks: number[] = [];
    const guideBlocks: number[] = [];
    blocks.push({
      kind: 'header',
      rows: [
        { left: { label: 'Case Number:', value: f.caseNumber } },
        {
          left: { label: 'Date Assigned:', value: headerDate(dates.assigned) },
          right: { label: 'Date of Injury:', value: headerDate(dates.injury) },
        },
        {
          left: { label: 'Decision Date:', value: headerDate(dates.decision) },
          right: { label: 'UR Denial Date:', value: headerDate(dates.ur) },
        },
        {
          left: { label: 'Priority:', value: f.priority },
          right: { label: 'Application\nReceived:', value: headerDate(dates.received) },
        },
      ],
    });
    blocks.push({ kind: 'heading', text: 'HOW THE IMR FINAL DETERMINATION WAS MADE' });
    blocks.push({ kind: 'para', text: HOW_MADE_BOILERPLATE });
    const specialtyBlock = blocks.length;
    blocks.push({
      kind: 'para',
      text: `The Expert Reviewer has the following credentials:\nState(s) of Licensure: ${f.lic.text}\nCertification(s)/Specialty: ${f.specialty}`,
    });
    blocks.push({ kind: 'heading', text: 'CLINICAL CASE SUMMARY' });
    blocks.push({
      kind: 'para',
      text: 'The expert reviewer developed the following clinical case summary based on a review of the case file, including all medical records:',
    });
    for (const p of this.summaryParagraphs(
      f.worker.text,
      dates,
      f.outs.map((o) => o.description),
      f.regions,
      f.sides,
      f.dateStyle,
    )) {
      blocks.push({ kind: 'para', text: p });
    }
    blocks.push({ kind: 'heading', text: 'IMR ISSUES, DECISIONS AND RATIONALES' });
    blocks.push({
      kind: 'para',
      text: 'The Final Determination was based on decisions for the disputed items/services set forth below:',
    });
    for (const o of f.outs) {
      const decisionWord = o.plan.decision === 'upheld' ? 'Upheld' : 'Overturned';
      itemBlocks.push(blocks.length);
      blocks.push({
        kind: 'para',
        lead: `${o.rawText}:`,
        text: o.plan.ownLine ? `\n${decisionWord}` : decisionWord,
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
    return {
      blocks,
      itemBlocks,
      guideBlocks,
      patient: { age: f.worker.age, sex: f.worker.sex },
      injuryDate: isoDate(dates.injury),
      priority: f.priority,
    };
  }

  private summaryParagraphs(
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
}
