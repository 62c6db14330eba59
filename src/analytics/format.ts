import { csvField } from '../pipeline/export/csv.js';

export const OUTPUT_FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Table {
  columns: string[];
  rows: unknown[][];
}

const cell = (v: unknown): string | number | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'number'
      ? v
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

/**
 * RFC 4180 text for analysts (imr query/report --format csv, the API's CSV): cells that a spreadsheet
 * would run as formulas, column names included, are neutralised by `csvField`; numbers stay numbers.
 */
export function toCsvTable(table: Table): string {
  const lines = [table.columns.map(csvField).join(',')];
  for (const row of table.rows) lines.push(row.map((v) => csvField(cell(v))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One JSON object per row, as an array. */
export function toJsonTable(table: Table): string {
  const objects = table.rows.map((row) =>
    Object.fromEntries(table.columns.map((c, i) => [c, row[i] ?? null])),
  );
  return `${JSON.stringify(objects, null, 2)}\n`;
}

/** Aligned columns for a terminal; long cells are cut so a row stays on one line. */
export function toTextTable(table: Table, maxWidth = 60): string {
  const text = (v: unknown) => {
    const s = cell(v);
    const out =
      s === null
        ? ''
        : typeof s === 'number'
          ? Number.isInteger(s)
            ? String(s)
            : s.toFixed(4).replace(/0+$/, '')
          : s;
    return out.length > maxWidth ? `${out.slice(0, maxWidth - 1)}…` : out.replace(/\s+/g, ' ');
  };
  const cells = table.rows.map((r) => r.map(text));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(table.columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}

export function formatTable(table: Table, format: OutputFormat): string {
  if (format === 'csv') return toCsvTable(table);
  if (format === 'json') return toJsonTable(table);
  return toTextTable(table);
}
