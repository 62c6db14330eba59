import { describe, expect, it } from 'vitest';
import { toCsvTable } from '../../src/analytics/format.js';
import { csvField, ITEM_COLUMNS, type ItemRow, rowsToCsv } from '../../src/pipeline/export/csv.js';
import { parseCsv } from '../helpers/csv.js';

const HYPERLINK = '=HYPERLINK("http://x","y")';

describe('csvField: formula injection (OWASP)', () => {
  it.each([
    ['=', HYPERLINK, `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+', '+1+cmd', `"'+1+cmd"`],
    ['-', "-2+3+cmd|' /C calc'!A0", `"'-2+3+cmd|' /C calc'!A0"`],
    ['@', '@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['tab', '\t=1+1', `"'\t=1+1"`],
    ['CR', '\r=1+1', `"'\r=1+1"`],
    ['a bare sign', '-', `"'-"`],
  ])('prefixes a cell starting with %s with a single quote, quoted', (_, value, want) => {
    expect(csvField(value)).toBe(want);
  });

  it('keeps numbers numbers: JS numbers, and text that is a plain number', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField(-1e-7)).toBe('-1e-7');
    for (const text of ['-5', '+1.5', '-.5', '2.5e-3', '-3.', '12']) expect(csvField(text)).toBe(text);
  });

  it('leaves ordinary text alone, and a sign inside the text', () => {
    expect(csvField('Norco 10/325mg #60')).toBe('Norco 10/325mg #60');
    expect(csvField('Knee brace - left')).toBe('Knee brace - left');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField(' =1+1')).toBe(' =1+1');
    expect(csvField(null)).toBe('');
  });
});

describe('the writers neutralise formulas', () => {
  it('items.csv (rowsToCsv): the description cell reads back as text with a leading quote', () => {
    const row = Object.fromEntries(ITEM_COLUMNS.map((c) => [c, null])) as ItemRow;
    row.description = HYPERLINK;
    row.quantity = 60;
    row.patient_age = 44;
    row.corrected_fields = '@item.decision';
    const text = rowsToCsv([row]);
    expect(text).toContain(`,"'=HYPERLINK(""http://x"",""y"")",60,`);
    const [header, cells] = parseCsv(text);
    const at = (c: string) => cells?.[header?.indexOf(c) ?? -1];
    expect(at('description')).toBe(`'${HYPERLINK}`);
    expect(at('quantity')).toBe('60');
    expect(at('patient_age')).toBe('44');
    expect(at('corrected_fields')).toBe("'@item.decision");
  });

  it('analyst CSV (toCsvTable): values and column names; numbers, numeric text and bigints stay numbers', () => {
    const text = toCsvTable({
      columns: ['description', 'rate', 'n', '=cmd'],
      rows: [
        [HYPERLINK, -0.25, 3, '+SUM(1)'],
        ['Norco', '-0.5', 7n, { a: 1 }],
      ],
    });
    expect(parseCsv(text)).toEqual([
      ['description', 'rate', 'n', "'=cmd"],
      [`'${HYPERLINK}`, '-0.25', '3', "'+SUM(1)"],
      ['Norco', '-0.5', '7', '{"a":1}'],
    ]);
  });
});
