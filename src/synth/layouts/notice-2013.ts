/**
 * `notice-2013`: the older "Notice of Independent Medical Review Determination". Header fields in rows,
 * numbered verdict sentences, the case summary quoted from the UR denial, then per item its guideline
 * sentences ("based his/her decision on the ...") and rationale under bold captions. Items are written in
 * running prose; there are no preambles, non-MTUS sentences or modified requests.
 */
import type { Citation } from '../../../schemas/letter.js';
import {
  type ItemDraft,
  NOTICE_SPECIALTIES,
  OTHER_ENDINGS_OVERTURNED,
  OTHER_ENDINGS_UPHELD,
  PRIOR_TREATMENTS,
  type Region,
} from '../content.js';
import type { Feature } from '../generate.js';
import { type DateStyle, formatDate, isoDate, MONTHS, type SimpleDate } from '../rng.js';
import type { Block } from '../typeset.js';
import {
  type BuiltGuideline,
  type Ending,
  type GuidePlan,
  guideline,
  LetterBuilder,
  type LetterFacts,
  type LetterPages,
  listJoin,
  type Sex,
  type Who,
} from './shared.js';

export class Notice2013Letter extends LetterBuilder {
  readonly layout = 'notice-2013';
  protected readonly omits: ReadonlySet<Feature> = new Set<Feature>([
    'modified-remaining-is',
    'modified-remaining',
    'modified-authorized',
    'qty-suffix',
    'item-wrap-3',
    'mtus-multi',
    'forearm-wrist-hand-joined',
    'decision-own-line',
    'preamble-ca',
    'preamble-er',
    'mtus-section',
    'mtus-no-section',
    'non-mtus-sentence',
    'odg',
    'uptodate',
    'url-broken',
  ]);
  /** Whether this letter's text layer glues "not medically" into "notmedically". */
  private gluedWords = false;

  protected override decisionDate(): SimpleDate {
    const rng = this.rng;
    return { y: 2013, m: rng.int(7, 12), d: rng.int(1, 28) };
  }

  protected override joinLicensure(ordered: string[]): string {
    if (ordered.length > 1) this.features.add('licensure-and');
    return listJoin(ordered);
  }

  protected override specialty(): string {
    return this.rng.pick(NOTICE_SPECIALTIES);
  }

  protected override summaryDateStyle(): DateStyle {
    return 'numeric-short';
  }

  protected override progressDateStyle(): DateStyle {
    return 'numeric-short';
  }

  protected override drawTextLayer(): void {
    this.gluedWords = this.want('glued-words', 0.4);
  }

  /** In a letter with a glued text layer, write "not medically" as "notmedically" with probability p. */
  private glue(s: string, p: number): string {
    if (!this.gluedWords || !this.rng.chance(p)) return s;
    this.features.add('glued-words');
    return s.replace('not medically', 'notmedically');
  }

  protected override adaptItem(drawn: ItemDraft): ItemDraft {
    const rng = this.rng;
    let d = drawn;
    if (d.qtySuffix !== null) {
      d = { ...d, text: `${d.text} #${d.qtySuffix}`, hashQty: d.qtySuffix, qtySuffix: null };
    }
    // The 2013 notices write the item in running prose: "the request for a 28 day program".
    const lower =
      /^[A-Z][a-z]/.test(d.text) &&
      !/^(Norco|Percocet|Oxycodone|Tramadol|Gabapentin|Naproxen|Omeprazole|Cyclobenzaprine|Lidocaine|Duloxetine|Meloxicam|Hydrocodone|MRI|CT|EMG|NCV|NCS|TENS)/.test(
        d.text,
      );
    let text = lower ? d.text.charAt(0).toLowerCase() + d.text.slice(1) : d.text;
    if (rng.chance(0.35) && lower) text = `${/^[aeiou]/.test(text) ? 'an' : 'a'} ${text}`;
    text = text.replace(/^retrospective: /i, 'retrospective ');
    return { ...d, text, colon: text.includes(':') };
  }

  protected override citeGuideline(who: Who, _plan: GuidePlan, d: ItemDraft): BuiltGuideline {
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

  protected override conclusion(
    _d: ItemDraft,
    description: string,
    up: boolean,
    ending: Ending,
  ): { sentences: string[]; feature: Feature } {
    const rng = this.rng;
    // The glue draw comes before the ending is known, whichever ending it is (the seeded draw order).
    const necessary = up ? this.glue('not medically necessary', 0.5) : 'medically necessary';
    if (ending === 'other') {
      return {
        sentences: [rng.pick(up ? OTHER_ENDINGS_UPHELD : OTHER_ENDINGS_OVERTURNED)],
        feature: 'rationale-other',
      };
    }
    return {
      sentences: [`The request for ${description} is ${necessary} and appropriate.`],
      feature: up ? 'rationale-not-necessary' : 'rationale-necessary',
    };
  }

  protected override pages(f: LetterFacts): LetterPages {
    const rng = this.rng;
    const { dates } = f;
    const blocks: Block[] = [];
    const itemBlocks: number[] = [];
    const guideBlocks: number[] = [];
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
    const fields: string[] = [`IMR Case Number: ${f.caseNumber}`];
    if (headerInjury) fields.push(`Date of Injury: ${d(dates.injury)}`);
    fields.push(`Claims Number: ${rng.int(10, 99)}${rng.int(1000000, 9999999)}`);
    fields.push(`UR Denial Date: ${d(dates.ur)}`);
    if (headerPriority) fields.push(`Priority: ${f.priority}`);
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
    f.outs.forEach((o, i) => {
      itemBlocks.push(blocks.length);
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
      text: `The independent Medical Doctor who made the decision has no affiliation with the employer, employee, providers or the claims administrator. The physician reviewer is Board Certified in ${f.specialty} and is licensed to practice in ${f.lic.text}. He/she has been in active clinical practice for more than five years and is currently working at least 24 hours a week in active practice. The physician reviewer was selected because his/her clinical experience, education, background, and expertise are in the same or a similar specialty as the treatment under review, and he/she is familiar with the governing laws and regulations.`,
    });
    blocks.push({ kind: 'para', text: 'Case Summary:', bold: true });
    const urLong = `${MONTHS[dates.ur.m - 1]} ${dates.ur.d}, ${dates.ur.y}`;
    blocks.push({
      kind: 'para',
      tight: true,
      text: `Disclaimer: The following case summary was taken directly from the utilization review denial/modification dated ${urLong}.`,
    });
    const quote = this.summary(
      f.age,
      f.sex,
      d(f.summaryInjury),
      f.mechanism,
      f.regions,
      f.outs.map((o) => o.description),
    );
    blocks.push({ kind: 'para', text: `"${quote}"` });
    f.outs.forEach((o, i) => {
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
      guideBlocks.push(blocks.length);
      blocks.push({ kind: 'para', text: o.ca.text, tight: true });
      blocks.push({
        kind: 'para',
        text: 'Medical Treatment Guideline(s) Used by the Expert Reviewer:',
        bold: true,
      });
      guideBlocks.push(blocks.length);
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
      blocks,
      itemBlocks,
      guideBlocks,
      patient: { age: f.age, sex: f.sex },
      injuryDate: isoDate(headerInjury ? dates.injury : f.summaryInjury),
      priority: headerPriority ? f.priority : null,
    };
  }

  /** The case summary the notice quotes from the UR denial. */
  private summary(
    age: number,
    sex: Sex,
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
