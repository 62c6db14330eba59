import type { Guideline } from '../../../schemas/letter.js';
import { canonicalSpecialties, headerColumns } from './columns.js';
import type { ExportRecord } from './record.js';

/** The columns of `items.csv` / `items.parquet`: one row per item, the letter's fields repeated. */
export const ITEM_COLUMNS = [
  'sha256',
  'file',
  'status',
  'case_number',
  'decision_date',
  'date_assigned',
  'application_received',
  'priority',
  'injury_date',
  'ur_date',
  'licensure',
  'specialty',
  'primary_specialty',
  'specialties',
  'patient_age',
  'patient_sex',
  'layout',
  'parser_version',
  'item_index',
  'description',
  'quantity',
  'decision',
  'original_request',
  'authorized_portion',
  'claims_administrator_citations',
  'maximus_citations',
  'rationale_conclusion',
  'corrected_fields',
] as const;
export type ItemColumn = (typeof ITEM_COLUMNS)[number];

/** Columns holding integers (typed INTEGER in Parquet); every other column is text. */
export const INTEGER_COLUMNS: ReadonlySet<ItemColumn> = new Set(['patient_age', 'item_index', 'quantity']);

/**
 * One export row; null is an empty cell. `item_index` is 0-based, as in field paths (`items.0.decision`).
 * `corrected_fields` names the row's values QA corrected ("caseNumber; item.decision"; `item` for an
 * item QA added or replaced); the machine values are in letters.jsonl.
 */
export type ItemRow = Record<ItemColumn, string | number | null>;

function citationSources(guideline: Guideline | null): string | null {
  if (!guideline) return null;
  return guideline.citations
    .map((c) => c.source)
    .filter((s): s is string => s !== null && s !== '')
    .join(' | ');
}

function correctedFields(record: ExportRecord, itemIndex: number | null): string | null {
  const names: string[] = [];
  for (const c of record.corrections ?? []) {
    if (!c.field.startsWith('items.')) names.push(c.field);
    else if (itemIndex !== null && c.itemIndex === itemIndex) {
      const part = c.field.split('.')[2];
      names.push(part === undefined ? 'item' : `item.${part}`);
    }
  }
  return names.length === 0 ? null : names.join('; ');
}

/**
 * The canonical specialties beside the printed one: the first, and all of them joined by "; " (a
 * canonical name may hold a comma: "Endocrinology, Diabetes and Metabolism").
 */
function specialtyCells(record: ExportRecord) {
  const c = canonicalSpecialties(record);
  return {
    primary_specialty: c.primarySpecialty,
    specialties: c.specialties.length > 0 ? c.specialties.join('; ') : null,
  };
}

/** A letter's rows: one per item, or one with empty item columns for a letter without items. */
export function recordToCsvRows(record: ExportRecord): ItemRow[] {
  const letter = {
    sha256: record.sha256,
    file: record.file,
    status: record.status,
    ...headerColumns(record),
    licensure: record.reviewer.licensure.join('; '),
    specialty: record.reviewer.specialty,
    ...specialtyCells(record),
    patient_age: record.patient.age,
    patient_sex: record.patient.sex,
    layout: record.layout,
    parser_version: record.parserVersion,
  };
  if (record.items.length === 0) {
    return [
      {
        ...letter,
        item_index: null,
        description: null,
        quantity: null,
        decision: null,
        original_request: null,
        authorized_portion: null,
        claims_administrator_citations: null,
        maximus_citations: null,
        rationale_conclusion: null,
        corrected_fields: correctedFields(record, null),
      },
    ];
  }
  return record.items.map((item, index) => ({
    ...letter,
    item_index: index,
    description: item.description,
    quantity: item.quantity,
    decision: item.decision,
    original_request: item.originalRequest,
    authorized_portion: item.authorizedPortion,
    claims_administrator_citations: citationSources(item.claimsAdministratorGuideline),
    maximus_citations: citationSources(item.maximusGuideline),
    rationale_conclusion: item.rationaleConclusion,
    corrected_fields: correctedFields(record, index),
  }));
}

/** What a spreadsheet runs as a formula when a cell starts with it (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text that is one plain decimal number ("-5", "+1.5", "2.5e-3"): a spreadsheet reads it as that number,
 * never as a formula, and the stores give some numbers as text (PostgreSQL numeric, DuckDB decimals), so a
 * negative rate must stay a number. Anything more ("-1+2", "-2+3+cmd|...") is neutralised.
 */
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * One RFC 4180 field: quoted (quotes doubled) when it holds a comma, a quote, CR or LF. Text that a
 * spreadsheet would run as a formula (it starts with =, +, -, @, tab or CR) is prefixed with a single
 * quote and quoted, so it shows as text: letters are outside input (an item may read `=HYPERLINK(...)`).
 * A number, or text that is a plain number, stays as it is.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) {
    return `"'${text.replaceAll('"', '""')}"`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 text: a header line, then the rows, every line ended by CRLF; formulas neutralised (csvField). */
export function rowsToCsv(rows: readonly ItemRow[]): string {
  const lines = [
    ITEM_COLUMNS.join(','),
    ...rows.map((row) => ITEM_COLUMNS.map((c) => csvField(row[c])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** `items.csv` for these records. */
export function toCsv(records: readonly ExportRecord[]): string {
  return rowsToCsv(records.flatMap(recordToCsvRows));
}
