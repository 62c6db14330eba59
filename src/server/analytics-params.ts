import { z } from 'zod';
import { DrugClass, ServiceCategory } from '../../schemas/category.js';
import { Decision } from '../../schemas/letter.js';
import type { ItemFilter } from '../analytics/explore.js';

/** A page of JSON rows at most; a CSV download may hold up to the query row limit. */
export const MAX_JSON_LIMIT = 1000;
export const MAX_CSV_LIMIT = 10_000;
export const DEFAULT_JSON_LIMIT = 100;

/** An empty form field means "any": the dashboard's selects send `specialty=` for "all". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().startsWith(d);
  }, 'not a calendar date');

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

const filterShape = {
  from: optional(isoDate),
  to: optional(isoDate),
  // A canonical specialty (primary, or any of the letter's with each_specialty=1). Free text (bound,
  // never SQL): printable, one line, bounded.
  specialty: optional(
    z
      .string()
      .trim()
      .max(200)
      .regex(/^[^\p{Cc}]*$/u, 'no control characters'),
  ),
  each_specialty: optional(z.enum(['1'])),
  category: optional(ServiceCategory),
  drug_class: optional(DrugClass),
  decision: optional(Decision),
  guideline: optional(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'not a guideline family')),
  q: optional(
    z
      .string()
      .trim()
      .max(200)
      .regex(/^[^\p{Cc}]*$/u, 'no control characters'),
  ),
};

const fromBeforeTo = (v: { from?: string | undefined; to?: string | undefined }) =>
  !v.from || !v.to || v.from <= v.to;
const ORDER_MESSAGE = { message: '`from` is after `to`', path: ['from'] };

export const FORMATS = ['json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export const ListParams = z
  .object({
    ...filterShape,
    limit: optional(integer(1, MAX_CSV_LIMIT)),
    offset: optional(integer(0, 1_000_000_000)),
    format: optional(z.enum(FORMATS)),
  })
  .strict()
  .refine(fromBeforeTo, ORDER_MESSAGE);
export type ListParams = z.infer<typeof ListParams>;

export const DashboardParams = z
  .object({ ...filterShape, offset: optional(integer(0, 1_000_000_000)) })
  .strict()
  .refine(fromBeforeTo, ORDER_MESSAGE);
export type DashboardParams = z.infer<typeof DashboardParams>;

export const ReportParams = z
  .object({ from: filterShape.from, to: filterShape.to, format: optional(z.enum(FORMATS)) })
  .strict()
  .refine(fromBeforeTo, ORDER_MESSAGE);

/** The filter part of parsed parameters, in the names the analytics code uses. */
export function filterOf(p: ListParams | DashboardParams): ItemFilter {
  return {
    from: p.from,
    to: p.to,
    specialty: p.specialty || undefined,
    eachSpecialty: p.each_specialty === '1' || undefined,
    category: p.category,
    drugClass: p.drug_class,
    decision: p.decision,
    guideline: p.guideline,
    q: p.q || undefined,
  };
}

/** The filter as query parameters again (for links: CSV download, paging, chart bars). */
export function filterQuery(f: ItemFilter): Record<string, string | undefined> {
  return {
    from: f.from,
    to: f.to,
    specialty: f.specialty,
    each_specialty: f.eachSpecialty ? '1' : undefined,
    category: f.category,
    drug_class: f.drugClass,
    decision: f.decision,
    guideline: f.guideline,
    q: f.q,
  };
}
