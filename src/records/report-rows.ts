import type { LetterRecord } from '../../schemas/letter.js';
import { categorizeItem, citationFamily } from '../categories/index.js';
import { canonicalSpecialties, headerColumns } from '../pipeline/export/columns.js';

/**
 * The analyst-facing rows of one letter, from its corrected record: what the views `letters`, `items` and
 * `citations` show. Rebuilt whenever the machine record, a correction or the review state changes.
 */
export interface ReportLetterRow {
  sha256: string;
  file: string;
  status: string;
  review_state: string;
  corrections: number;
  case_number: string | null;
  decision_date: string | null;
  date_assigned: string | null;
  application_received: string | null;
  priority: string | null;
  injury_date: string | null;
  ur_date: string | null;
  reviewer_licensure: string | null;
  /** As printed. */
  reviewer_specialty: string | null;
  /** The first canonical specialty (specialties.ts), or null. */
  primary_specialty: string | null;
  patient_age: number | null;
  patient_sex: string | null;
  layout: string | null;
  parser_version: string;
  text_source: string | null;
  items: number;
  upheld: number;
  overturned: number;
}

export interface ReportItemRow {
  sha256: string;
  idx: number;
  description: string;
  quantity: number | null;
  decision: string;
  original_request: string | null;
  authorized_portion: string | null;
  category: string | null;
  subcategory: string | null;
  drug_class: string | null;
  drug: string | null;
  strength: string | null;
  count: number | null;
  category_rule: string | null;
}

export interface ReportCitationRow {
  sha256: string;
  item_idx: number;
  party: string;
  idx: number;
  source: string | null;
  sections: string | null;
  pages: string | null;
  family: string;
  chapter: string | null;
  /**
   * 1 for the first citation of its item and party with this family and chapter, else 0: an item citing
   * one chapter twice counts once in `by-guideline`, decided here once rather than by every report.
   */
  first_of_family: number;
}

/** One canonical specialty of a letter's reviewer (position 0 is the primary one). */
export interface ReportSpecialtyRow {
  sha256: string;
  position: number;
  specialty: string;
}

export interface ReportRows {
  letter: ReportLetterRow;
  items: ReportItemRow[];
  citations: ReportCitationRow[];
  specialties: ReportSpecialtyRow[];
}

export function reportRows(
  record: LetterRecord,
  review: { state: string | null; corrections: number },
): ReportRows {
  const items: ReportItemRow[] = [];
  const citations: ReportCitationRow[] = [];
  record.items.forEach((item, idx) => {
    const c = categorizeItem(item.description, item.quantity);
    items.push({
      sha256: record.sha256,
      idx,
      description: item.description,
      quantity: item.quantity,
      decision: item.decision,
      original_request: item.originalRequest,
      authorized_portion: item.authorizedPortion,
      category: c.category,
      subcategory: c.subcategory,
      drug_class: c.drugClass,
      drug: c.drug,
      strength: c.strength,
      count: c.count,
      category_rule: c.rule,
    });
    const parties = [
      ['claims_administrator', item.claimsAdministratorGuideline],
      ['maximus', item.maximusGuideline],
    ] as const;
    for (const [party, guideline] of parties) {
      const list = guideline?.citations ?? [];
      const seen = new Set<string>();
      // "did not cite any medical evidence" (or nothing read) counts as family "none", so it shows in reports.
      if (list.length === 0) {
        citations.push({
          sha256: record.sha256,
          item_idx: idx,
          party,
          idx: 0,
          source: null,
          sections: null,
          pages: null,
          family: 'none',
          chapter: null,
          first_of_family: 1,
        });
      }
      list.forEach((cit, i) => {
        const f = citationFamily(cit.source);
        const key = `${f.family}\u0000${f.chapter ?? ''}`;
        const first = !seen.has(key);
        seen.add(key);
        citations.push({
          sha256: record.sha256,
          item_idx: idx,
          party,
          idx: i,
          source: cit.source,
          sections: cit.sections,
          pages: cit.pages,
          family: f.family,
          chapter: f.chapter,
          first_of_family: first ? 1 : 0,
        });
      });
    }
  });
  const upheld = record.items.filter((i) => i.decision === 'upheld').length;
  const canonical = canonicalSpecialties(record);
  return {
    letter: {
      sha256: record.sha256,
      file: record.file,
      status: record.status,
      review_state: review.state ?? 'pending',
      corrections: review.corrections,
      ...headerColumns(record),
      reviewer_licensure: record.reviewer.licensure.length > 0 ? record.reviewer.licensure.join(', ') : null,
      reviewer_specialty: record.reviewer.specialty,
      primary_specialty: canonical.primarySpecialty,
      patient_age: record.patient.age,
      patient_sex: record.patient.sex,
      layout: record.layout,
      parser_version: record.parserVersion,
      text_source: record.textSource,
      items: record.items.length,
      upheld,
      overturned: record.items.length - upheld,
    },
    items,
    citations,
    specialties: canonical.specialties.map((specialty, position) => ({
      sha256: record.sha256,
      position,
      specialty,
    })),
  };
}

/**
 * The analyst views over the report tables; one definition for every engine (standard SQL). `{s}` is the
 * schema of the tables ("main." for SQLite's temporary views, which would otherwise see themselves).
 * `letter_specialties` has a row per canonical specialty of a letter, in printed order, to count a letter
 * under each of its specialties.
 */
export const VIEW_SQL: Record<
  'letters' | 'items' | 'citations' | 'mismatches' | 'letter_specialties',
  string
> = {
  letters: 'select * from {s}report_letters',
  items:
    'select i.sha256, i.idx, i.description, i.quantity, i.decision, i.original_request, i.authorized_portion, ' +
    'i.category, i.subcategory, i.drug_class, i.drug, i.strength, i.count, i.category_rule, ' +
    'l.case_number, l.decision_date, l.date_assigned, l.application_received, l.injury_date, l.ur_date, ' +
    'l.reviewer_specialty, l.primary_specialty, l.reviewer_licensure, l.patient_age, l.patient_sex, ' +
    'l.status, l.review_state, l.file ' +
    'from {s}report_items i join {s}report_letters l on l.sha256 = i.sha256',
  citations:
    'select c.sha256, c.item_idx, c.party, c.idx, c.source, c.sections, c.pages, c.family, c.chapter, ' +
    'c.first_of_family, ' +
    'i.decision, i.category, i.drug_class, l.decision_date, l.reviewer_specialty, l.primary_specialty, ' +
    'l.case_number ' +
    'from {s}report_citations c join {s}report_items i on i.sha256 = c.sha256 and i.idx = c.item_idx ' +
    'join {s}report_letters l on l.sha256 = c.sha256',
  mismatches:
    'select m.sha256, m.field, m.code, m.severity, m.message, l.decision_date, l.case_number ' +
    'from {s}mismatches m join {s}report_letters l on l.sha256 = m.sha256',
  letter_specialties: 'select sha256, position, specialty from {s}report_letter_specialties',
};

export function viewSql(name: keyof typeof VIEW_SQL, schema: string): string {
  return VIEW_SQL[name].replaceAll('{s}', schema);
}
