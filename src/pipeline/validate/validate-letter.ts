import { z } from 'zod';
import {
  Decision,
  IsoDate,
  type Item,
  LetterFields,
  type Mismatch,
  type Provenance,
} from '../../../schemas/letter.js';
import type { LetterEvidence } from '../parse/evidence.js';
import { parseItemText } from '../parse/item-text.js';
import { matchSpecialties } from './specialties.js';
import { matchState } from './us-states.js';

export interface ValidateOptions {
  /** Fields read with a lower confidence than this are flagged for QA. */
  minConfidence: number;
  /** ISO date after which a date is "in the future"; the day of validation when unset. */
  today?: string;
}

export const DEFAULT_VALIDATE_OPTIONS: ValidateOptions = { minConfidence: 0.6 };

/**
 * Limits from the IMR process (Labor Code 4610.5/4610.6): IMR began in 2013, an application is due within
 * 30 days of the UR decision, a standard review within 30 days of assignment. The limits are well above
 * those, so that a late letter passes and a date read from the wrong place does not.
 */
export const DATE_LIMITS = {
  imrStart: '2013-01-01',
  /** An injury before this is implausible; before `oldInjury` it is only unusual (lifetime medical awards). */
  earliestInjury: '1960-01-01',
  oldInjury: '1990-01-01',
  maxAssignedToDecisionDays: 60,
  maxUrToApplicationDays: 120,
  maxApplicationToAssignedDays: 180,
  /** A summary date this close to the header's is the letter's own slip (so is one whole years off). */
  summarySlipDays: 21,
} as const;

const DATE_ORDER = ['injuryDate', 'urDate', 'applicationReceived', 'dateAssigned', 'decisionDate'] as const;
type DateKey = (typeof DATE_ORDER)[number];

/** What every record must have before it can be trusted at all (rule: required fields). */
const RequiredFields = z.object({
  caseNumber: z.string().trim().min(1),
  decisionDate: IsoDate,
  items: z.array(z.object({ description: z.string().trim().min(1), decision: Decision })).min(1),
});

type Add = (field: string, code: string, severity: Mismatch['severity'], message: string) => void;

function dayNumber(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

function isCalendarDate(iso: string): boolean {
  const t = Date.parse(`${iso}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === iso;
}

/** Two dates written alike but for one of year, month or day: a typo in the letter, not another date. */
function differsInOnePart(a: string, b: string): boolean {
  const pa = a.split('-');
  const pb = b.split('-');
  return pa.filter((p, i) => p !== pb[i]).length === 1;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function isMissing(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** Rule: required fields. Returns the paths reported, so that later rules skip them. */
function requiredRules(fields: LetterFields, add: Add): Set<string> {
  const reported = new Set<string>();
  const required = RequiredFields.safeParse(fields);
  if (!required.success) {
    for (const issue of required.error.issues) {
      // A value that is there but malformed is the schema rule's to report.
      if (!isMissing(valueAt(fields, issue.path))) continue;
      const path = issue.path.join('.');
      reported.add(path);
      if (path === 'items') add('items', 'no_items', 'error', 'no disputed item with a decision was found');
      else add(path, 'missing_field', 'error', `${path} was not found`);
    }
  }
  const parsed = LetterFields.safeParse(fields);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.') || 'letter';
      if (!reported.has(path)) add(path, 'schema_invalid', 'error', issue.message);
    }
  }
  // Not every letter states these; a record without them is still usable.
  for (const key of ['injuryDate', 'urDate'] as const) {
    if (!fields[key]) add(key, 'missing_field', 'warning', `${key} was not found`);
  }
  for (const key of ['dateAssigned', 'applicationReceived', 'priority'] as const) {
    if (!fields[key]) add(key, 'missing_field', 'info', `${key} was not found`);
  }
  return reported;
}

function caseNumberRules(fields: LetterFields, add: Add): void {
  const caseNumber = fields.caseNumber;
  if (!caseNumber) return;
  const m = /^CM(\d{2})-\d{5,8}$/.exec(caseNumber);
  if (!m) {
    add('caseNumber', 'unusual_case_number', 'warning', `"${caseNumber}" is not of the form CMyy-nnnnnnn`);
    return;
  }
  // CMyy is the year the case was opened: between the application and the decision.
  const year = 2000 + Number(m[1]);
  const received = fields.applicationReceived ?? fields.dateAssigned;
  const decided = fields.decisionDate;
  if (
    (received && year < Number(received.slice(0, 4)) - 1) ||
    (decided && year > Number(decided.slice(0, 4)))
  ) {
    add(
      'caseNumber',
      'case_year_mismatch',
      'warning',
      `case year ${year} does not fit application ${received ?? '?'} / decision ${decided ?? '?'}`,
    );
  }
}

/** Rule: dates implausible (future, before IMR or injury plausibility), out of order, or too far apart. */
function dateRules(fields: LetterFields, today: string, add: Add): void {
  const usable = new Set<DateKey>();
  for (const key of DATE_ORDER) {
    const value = fields[key];
    if (!value) continue;
    if (!IsoDate.safeParse(value).success) continue; // schema rule reports it
    if (!isCalendarDate(value)) {
      add(key, 'implausible_date', 'error', `${key} ${value} is not a calendar date`);
    } else if (value > today) {
      add(key, 'implausible_date', 'error', `${key} ${value} is in the future`);
    } else if (key === 'injuryDate' && value < DATE_LIMITS.earliestInjury) {
      add(key, 'implausible_date', 'error', `injury date ${value} is implausibly early`);
    } else if (key !== 'injuryDate' && value < DATE_LIMITS.imrStart) {
      add(key, 'implausible_date', 'error', `${key} ${value} is before IMR began (2013)`);
    } else {
      if (key === 'injuryDate' && value < DATE_LIMITS.oldInjury) {
        add(key, 'old_injury_date', 'warning', `injury date ${value} is unusually early`);
      }
      usable.add(key);
    }
  }

  // Injury <= UR denial <= application received <= assigned <= decision. The date out of order with most
  // others is the one named; a tie names the later field.
  const pairs: [DateKey, DateKey][] = [];
  const present = DATE_ORDER.filter((k) => usable.has(k));
  present.forEach((a, i) => {
    for (const b of present.slice(i + 1)) if (fields[a]! > fields[b]!) pairs.push([a, b]);
  });
  const count = (k: DateKey) => pairs.filter((p) => p.includes(k)).length;
  const blamed = new Map<DateKey, string[]>();
  for (const [a, b] of pairs) {
    const field = count(a) > count(b) ? a : b;
    const other = field === a ? b : a;
    const relation = field === a ? 'after' : 'before';
    blamed.set(field, [...(blamed.get(field) ?? []), `${relation} ${other} ${fields[other]}`]);
  }
  for (const [field, what] of blamed) {
    add(field, 'date_order', 'error', `${field} ${fields[field]} is ${what.join(', ')}`);
  }

  const gap = (from: DateKey, to: DateKey): number | null =>
    usable.has(from) && usable.has(to) ? dayNumber(fields[to]!) - dayNumber(fields[from]!) : null;
  const decided = gap('dateAssigned', 'decisionDate');
  if (decided !== null && decided > DATE_LIMITS.maxAssignedToDecisionDays) {
    add(
      'decisionDate',
      'implausible_interval',
      'error',
      `decided ${decided} days after assignment (${fields.dateAssigned}); reviews are due within 30 days`,
    );
  }
  const applied = gap('urDate', 'applicationReceived');
  if (applied !== null && applied > DATE_LIMITS.maxUrToApplicationDays) {
    add(
      'urDate',
      'implausible_interval',
      'error',
      `application received ${applied} days after the UR denial; it is due within 30 days`,
    );
  }
  const assigned = gap('applicationReceived', 'dateAssigned');
  if (assigned !== null && assigned > DATE_LIMITS.maxApplicationToAssignedDays) {
    add('dateAssigned', 'implausible_interval', 'warning', `assigned ${assigned} days after the application`);
  }
}

/** Rule: a header date that the case summary states otherwise. */
function summaryRules(fields: LetterFields, evidence: LetterEvidence, add: Add): void {
  for (const key of ['injuryDate', 'urDate'] as const) {
    const header = fields[key];
    const stated = evidence.summaryDates[key];
    if (!header || !isCalendarDate(header) || stated.length === 0 || stated.includes(header)) continue;
    // Real letters disagree by a few days, a mistyped year or a mistyped part (the label follows the
    // header): a warning. A wholly different date is what a value read from the wrong place looks like.
    const slip = stated.some((s) => {
      const days = Math.abs(dayNumber(s) - dayNumber(header));
      const offYears = Math.abs(days - 365.25 * Math.round(days / 365.25));
      return days <= DATE_LIMITS.summarySlipDays || offYears <= 3 || differsInOnePart(s, header);
    });
    add(
      key,
      slip ? 'summary_date_differs' : 'summary_date_conflict',
      slip ? 'warning' : 'error',
      `the header says ${header}, the case summary ${stated.join(', ')}`,
    );
  }
}

function patientRules(fields: LetterFields, add: Add): void {
  const age = fields.patient.age;
  if (age !== null && (age < 14 || age > 100)) {
    add('patient.age', 'implausible_age', 'error', `age ${age} is outside 14-100`);
  }
}

/** Rules: licensure must be US states/territories; the specialty must be a recognised certification. */
function reviewerRules(fields: LetterFields, add: Add): void {
  const { licensure, specialty } = fields.reviewer;
  if (licensure.length === 0) add('reviewer.licensure', 'missing_field', 'warning', 'no state of licensure');
  for (const state of licensure) {
    const m = matchState(state);
    if (m.kind === 'unknown') {
      add('reviewer.licensure', 'unknown_state', 'error', `"${state}" is not a US state or territory`);
    } else if (m.kind === 'typo') {
      add('reviewer.licensure', 'state_typo', 'warning', `"${state}" read as ${m.name}`);
    }
  }
  if (!specialty) {
    add('reviewer.specialty', 'missing_field', 'warning', 'no certification/specialty');
    return;
  }
  for (const part of matchSpecialties(specialty)) {
    if (part.match === null) {
      add('reviewer.specialty', 'unknown_specialty', 'error', `"${part.text}" is not a recognised specialty`);
    } else if (part.typo) {
      add('reviewer.specialty', 'specialty_typo', 'warning', `"${part.text}" read as "${part.match}"`);
    }
  }
}

// Counts in prose ("x12", "times 6", "12 sessions"): not quantities, but they should not contradict one.
const PROSE_COUNTS = [
  /\b(?:x|times)\s*(\d{1,3})\b(?!\s*(?:refills?|months?|weeks?|days?|per\b|a\s+(?:day|week)|daily|weekly|\/|-))/gi,
  /\b(\d{1,3})\s+(?:sessions?|visits?|treatments?)\b/gi,
];

function quantityRules(item: Item, path: string, add: Add): void {
  // The quantity is what the item text says: a trailing QTY: N, else a #N (see parseItemText).
  const stated = parseItemText(item.raw).quantity;
  if (item.quantity !== stated) {
    if (stated === null) {
      add(
        `${path}.quantity`,
        'quantity_not_in_text',
        'error',
        `quantity ${item.quantity} is not in the item text`,
      );
    } else if (item.quantity === null) {
      add(`${path}.quantity`, 'quantity_missing', 'error', `the item text gives the quantity ${stated}`);
    } else {
      add(
        `${path}.quantity`,
        'quantity_mismatch',
        'error',
        `quantity ${item.quantity} but the item text says ${stated}`,
      );
    }
    return;
  }
  if (item.quantity === null) return;
  for (const re of PROSE_COUNTS) {
    for (const m of item.description.matchAll(re)) {
      if (Number(m[1]) !== item.quantity) {
        add(
          `${path}.quantity`,
          'quantity_text_differs',
          'warning',
          `quantity ${item.quantity} but the item text says "${m[0]}"`,
        );
      }
    }
  }
  const original = item.originalRequest ? /#\s?(\d+)/.exec(item.originalRequest) : null;
  if (original && item.quantity > Number(original[1])) {
    add(
      `${path}.quantity`,
      'quantity_exceeds_original',
      'warning',
      `quantity ${item.quantity} is more than the original request's #${original[1]}`,
    );
  }
}

function itemRules(
  fields: LetterFields,
  evidence: LetterEvidence | null,
  reported: Set<string>,
  add: Add,
): void {
  fields.items.forEach((item, i) => {
    const path = `items.${i}`;
    if (reported.has(`${path}.decision`) || reported.has(path)) return;
    const expected = item.decision === 'upheld' ? 'not_medically_necessary' : 'medically_necessary';
    if (item.rationaleConclusion !== null && item.rationaleConclusion !== expected) {
      add(
        `${path}.decision`,
        'rationale_contradicts_decision',
        'error',
        `the decision is "${item.decision}" but the rationale concludes ${item.rationaleConclusion.replace(/_/g, ' ')}`,
      );
    }
    if (item.rationale === null)
      add(`${path}.rationale`, 'missing_field', 'warning', 'no decision rationale');
    for (const key of ['claimsAdministratorGuideline', 'maximusGuideline'] as const) {
      const citations = item[key]?.citations ?? [];
      const sourceless = citations.filter((c) => !c.source?.trim());
      if (sourceless.length > 0) {
        add(
          `${path}.${key}`,
          'citation_without_source',
          'error',
          `${sourceless.length} citation(s) name no source (${sourceless.map((c) => c.sections ?? c.pages ?? 'nothing').join('; ')})`,
        );
      }
    }
    quantityRules(item, path, add);
  });
  if (!evidence) return;
  if (fields.items.length > 0 && evidence.decisionMarkers !== fields.items.length) {
    add(
      'items',
      'item_count_mismatch',
      'error',
      `${fields.items.length} item(s) but ${evidence.decisionMarkers} decision marker(s) in the letter`,
    );
  }
  if (evidence.rationaleMarkers !== evidence.decisionMarkers) {
    add(
      'items',
      'section_count_mismatch',
      'warning',
      `${evidence.decisionMarkers} decision marker(s) but ${evidence.rationaleMarkers} rationale(s)`,
    );
  }
}

/** Rule: a detected layout missing its usual sections is a variant the parser does not know. */
function layoutRules(evidence: LetterEvidence, add: Add): void {
  if (evidence.missingSections.length > 0) {
    add(
      'letter',
      'unknown_layout_variant',
      'error',
      `the layout was recognised but lacks: ${evidence.missingSections.join('; ')}`,
    );
  }
  for (const fallback of evidence.fallbacks) add('letter', 'parser_fallback', 'warning', fallback);
}

function confidenceRules(provenance: Record<string, Provenance>, minConfidence: number, add: Add): void {
  for (const [field, p] of Object.entries(provenance)) {
    if (p.confidence < minConfidence) {
      // A doubtful decision or case number changes what the record means: that one needs a person.
      const key = field === 'caseNumber' || /^items\.\d+\.decision$/.test(field);
      add(
        field,
        'low_confidence',
        key ? 'error' : 'warning',
        `read with confidence ${p.confidence.toFixed(2)}`,
      );
    }
  }
}

/**
 * Validate stage: schema and cross-field rules over parsed fields, and checks of the fields against the
 * letter's own text (`evidence`, from the parser; null for a record edited without its text). Returns
 * mismatches only; a letter with any error-severity mismatch needs review.
 */
export function validateLetter(
  fields: LetterFields,
  provenance: Record<string, Provenance>,
  evidence: LetterEvidence | null,
  options: ValidateOptions = DEFAULT_VALIDATE_OPTIONS,
): Mismatch[] {
  const out: Mismatch[] = [];
  const add: Add = (field, code, severity, message) => out.push({ field, code, severity, message });
  const today = options.today ?? new Date().toISOString().slice(0, 10);

  const reported = requiredRules(fields, add);
  caseNumberRules(fields, add);
  dateRules(fields, today, add);
  patientRules(fields, add);
  reviewerRules(fields, add);
  itemRules(fields, evidence, reported, add);
  if (evidence) {
    summaryRules(fields, evidence, add);
    layoutRules(evidence, add);
  }
  confidenceRules(provenance, options.minConfidence, add);
  return out;
}
