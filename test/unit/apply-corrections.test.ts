import { describe, expect, it } from 'vitest';
import { type Item, LetterRecord } from '../../schemas/letter.js';
import type { Correction } from '../../schemas/review.js';
import { recordToCsvRows } from '../../src/pipeline/export/index.js';
import {
  applyCorrections,
  correct,
  normalizeValue,
  readField,
  sameFieldValue,
} from '../../src/records/apply-corrections.js';
import { CORRECTION_DISAGREES, docStatusFor } from '../../src/records/document-status.js';
import { ReviewInputError } from '../../src/records/errors.js';
import { labelFromRecord, scoreAgainst } from '../../src/records/gold.js';
import { exportRecordOf } from '../../src/review/export.js';
import { findDisagreements, flagDisagreements } from '../../src/review/reprocess.js';

function item(n: number, over: Partial<Item> = {}): Item {
  return {
    description: `Treatment ${n} #${n * 10}`,
    quantity: n * 10,
    decision: 'upheld',
    originalRequest: null,
    authorizedPortion: null,
    raw: `Treatment ${n} #${n * 10}`,
    claimsAdministratorGuideline: {
      citations: [{ source: `MTUS Guide ${n}`, sections: 'Section A', pages: null }],
      raw: `Decision based on MTUS Guide ${n}, Section(s): Section A.`,
    },
    maximusGuideline: null,
    rationale: 'The request is not medically necessary.',
    rationaleConclusion: 'not_medically_necessary',
    ...over,
  };
}

const prov = (page: number) => ({ page, start: 0, end: 5, confidence: 1 });

const MACHINE: LetterRecord = LetterRecord.parse({
  file: 'letter.pdf',
  sha256: 'a'.repeat(64),
  status: 'needs_review',
  error: null,
  textSource: 'text-layer',
  layout: 'fdl-2016',
  parserVersion: '1.0.0',
  pages: [{ page: 1, source: 'text-layer', chars: 100 }],
  caseNumber: 'CM16-0000001',
  decisionDate: '2016-12-20',
  dateAssigned: '2016-12-01',
  applicationReceived: '2016-11-30',
  priority: 'Standard',
  injuryDate: '2015-01-02',
  urDate: '2016-11-01',
  reviewer: { licensure: ['California'], specialty: 'Orthopedic Surgery' },
  patient: { age: 40, sex: 'male' },
  items: [item(1), item(2), item(3)],
  mismatches: [
    { field: 'items.1.decision', code: 'rationale_contradicts_decision', severity: 'error', message: 'x' },
    { field: 'items.2.quantity', code: 'odd_quantity', severity: 'warning', message: 'y' },
    { field: 'caseNumber', code: 'missing_field', severity: 'info', message: 'z' },
  ],
  provenance: { caseNumber: prov(1), 'items.1.decision': prov(2), 'items.2.quantity': prov(3) },
});

let nextId = 1;
function c(field: string, value: unknown, machineValue: unknown = null): Correction {
  return {
    id: nextId++,
    sha256: MACHINE.sha256,
    field,
    machineValue,
    value,
    reason: null,
    author: 'qa',
    createdAt: '2024-01-01T00:00:00.000Z',
    parserVersion: '1.0.0',
  };
}

const machineJson = JSON.stringify(MACHINE);
const unchanged = () => expect(JSON.stringify(MACHINE)).toBe(machineJson);

describe('applyCorrections', () => {
  it('gives the machine record back without corrections', () => {
    expect(applyCorrections(MACHINE, [])).toBe(MACHINE);
  });

  it('applies letter fields, converting form input, and leaves the machine record alone', () => {
    const out = applyCorrections(MACHINE, [
      c('caseNumber', ' CM16-0000002 '),
      c('decisionDate', '12/21/2016'),
      c('reviewer.licensure', 'California, Nevada;Utah'),
      c('reviewer.specialty', ''),
      c('patient.age', '42'),
      c('patient.sex', 'F'),
      c('priority', null),
    ]);
    expect(out).toMatchObject({
      caseNumber: 'CM16-0000002',
      decisionDate: '2016-12-21',
      priority: null,
      reviewer: { licensure: ['California', 'Nevada', 'Utah'], specialty: null },
      patient: { age: 42, sex: 'female' },
    });
    expect(out.items).toEqual(MACHINE.items);
    expect(LetterRecord.parse(out)).toEqual(out);
    unchanged();
  });

  it('lets the latest correction of a field win, whatever order they come in', () => {
    const first = c('patient.age', 41);
    const second = c('patient.age', 43);
    expect(applyCorrections(MACHINE, [second, first]).patient.age).toBe(43);
    expect(applyCorrections(MACHINE, [first, second]).patient.age).toBe(43);
  });

  it('corrects item fields by machine index', () => {
    const out = applyCorrections(MACHINE, [
      c('items.1.decision', 'Overturned'),
      c('items.2.quantity', '12'),
      c('items.0.rationaleConclusion', 'medically necessary'),
      c('items.0.originalRequest', 'Treatment 1 #20'),
    ]);
    expect(out.items[1]?.decision).toBe('overturned');
    expect(out.items[2]?.quantity).toBe(12);
    expect(out.items[0]).toMatchObject({
      rationaleConclusion: 'medically_necessary',
      originalRequest: 'Treatment 1 #20',
    });
    expect(out.items[0]?.description).toBe(MACHINE.items[0]?.description);
  });

  it('removes an item without renumbering the others, and moves their mismatches and provenance', () => {
    const result = correct(MACHINE, [c('items.1', null), c('items.2.decision', 'overturned')]);
    expect(result.itemPaths).toEqual([0, 2]);
    expect(result.record.items.map((i) => i.description)).toEqual(['Treatment 1 #10', 'Treatment 3 #30']);
    // items.2 still means machine item 2, now at position 1.
    expect(result.record.items[1]?.decision).toBe('overturned');
    expect(result.record.mismatches.map((m) => m.field)).toEqual(['items.1.quantity', 'caseNumber']);
    expect(Object.keys(result.record.provenance).sort()).toEqual(['caseNumber', 'items.1.quantity']);
    expect(result.skipped).toEqual([]);
    unchanged();
  });

  it('adds items after the machine ones, in index order, with defaults for what QA left out', () => {
    const result = correct(MACHINE, [
      c('items.9', { description: 'Knee brace', decision: 'Overturned' }),
      c('items.3', { description: 'MRI lumbar spine', decision: 'upheld', quantity: '1' }),
      c('items.3.quantity', 2),
    ]);
    expect(result.itemPaths).toEqual([0, 1, 2, 3, 9]);
    expect(result.record.items[3]).toEqual({
      description: 'MRI lumbar spine',
      quantity: 2,
      decision: 'upheld',
      originalRequest: null,
      authorizedPortion: null,
      raw: 'MRI lumbar spine',
      claimsAdministratorGuideline: null,
      maximusGuideline: null,
      rationale: null,
      rationaleConclusion: null,
    });
    expect(result.record.items[4]).toMatchObject({ description: 'Knee brace', decision: 'overturned' });
    expect(result.record.mismatches).toEqual(MACHINE.mismatches);
  });

  it('replaces a machine item with a whole item, and a later whole item restores a removed one', () => {
    const replaced = applyCorrections(MACHINE, [c('items.0', { description: 'Other', decision: 'upheld' })]);
    expect(replaced.items[0]?.description).toBe('Other');
    expect(replaced.items).toHaveLength(3);
    const removed = c('items.2', null);
    const restored = c('items.2', item(3, { description: 'Treatment 3 (restored)' }));
    expect(applyCorrections(MACHINE, [removed, restored]).items[2]?.description).toBe(
      'Treatment 3 (restored)',
    );
  });

  it('skips corrections that cannot apply instead of throwing', () => {
    const removal = c('items.1', null);
    const orphan = c('items.1.decision', 'overturned');
    const badValue = c('patient.age', 'forty');
    const result = correct(MACHINE, [removal, orphan, badValue]);
    expect(result.skipped.map((s) => s.id)).toEqual([orphan.id, badValue.id]);
    expect(result.record.patient.age).toBe(40);
    expect(result.record.items).toHaveLength(2);
  });
});

describe('normalizeValue', () => {
  it('converts form input to the record types', () => {
    expect(normalizeValue('injuryDate', '1-2-2015')).toBe('2015-01-02');
    expect(normalizeValue('injuryDate', '')).toBeNull();
    expect(normalizeValue('reviewer.licensure', [' Texas ', ''])).toEqual(['Texas']);
    expect(normalizeValue('reviewer.licensure', null)).toEqual([]);
    expect(normalizeValue('items.0.quantity', '')).toBeNull();
    expect(normalizeValue('items.0.quantity', 7)).toBe(7);
    expect(normalizeValue('caseNumber', 12)).toBe('12');
    expect(normalizeValue('items.4', null)).toBeNull();
  });

  it.each([
    ['decisionDate', '2016-02-30'],
    ['decisionDate', 'yesterday'],
    ['patient.age', -1],
    ['patient.age', '4.5'],
    ['patient.sex', 'other'],
    ['items.0.quantity', 'abc'],
    ['items.0.decision', 'maybe'],
    ['items.0.decision', null],
    ['items.0.description', '  '],
    ['items.3', { description: 'no decision' }],
    ['items.0.raw', 'x'],
    ['letter', 'x'],
    ['items.0.rationaleConclusion', 'probably'],
    ['reviewer.licensure', 42],
  ])('refuses %s = %j', (field, value) => {
    expect(() => normalizeValue(field, value)).toThrow(ReviewInputError);
  });
});

describe('readField', () => {
  it('reads machine values by path, null for a missing item', () => {
    expect(readField(MACHINE, 'reviewer.licensure')).toEqual(['California']);
    expect(readField(MACHINE, 'items.2.quantity')).toBe(30);
    expect(readField(MACHINE, 'items.1')).toEqual(MACHINE.items[1]);
    expect(readField(MACHINE, 'items.5')).toBeNull();
    expect(readField(MACHINE, 'items.5.decision')).toBeNull();
  });

  it('reads a corrected record by items.N index through its item paths', () => {
    const { record, itemPaths } = correct(MACHINE, [c('items.0', null)]);
    expect(readField(record, 'items.2.quantity', itemPaths)).toBe(30);
    expect(readField(record, 'items.0.quantity', itemPaths)).toBeNull();
  });
});

describe('reprocess disagreements', () => {
  const fix = c('items.2.quantity', 12, 30);
  it('flags a correction only when the new reading is neither the old machine value nor the corrected one', () => {
    expect(findDisagreements(MACHINE, [fix])).toEqual([]); // reads 30, as when corrected
    const agrees = { ...MACHINE, items: [item(1), item(2), item(3, { quantity: 12 })] };
    expect(findDisagreements(agrees, [fix])).toEqual([]);
    const differs = {
      ...MACHINE,
      parserVersion: '2.0.0',
      items: [item(1), item(2), item(3, { quantity: 31 })],
    };
    const found = findDisagreements(differs, [fix]);
    expect(found).toEqual([
      { correctionId: fix.id, field: 'items.2.quantity', machineValue: 30, value: 12, newValue: 31 },
    ]);
    const flagged = flagDisagreements(differs, found);
    expect(flagged.mismatches.at(-1)).toMatchObject({
      field: 'items.2.quantity',
      code: CORRECTION_DISAGREES,
      severity: 'warning',
    });
    expect(flagged.mismatches.at(-1)?.message).toContain('2.0.0');
  });

  it('checks only the latest correction of a field, and compares items as values', () => {
    const old = c('caseNumber', 'CM16-0000005', 'CM16-0000001');
    const latest = c('caseNumber', 'CM16-0000009', 'CM16-0000001');
    expect(findDisagreements({ ...MACHINE, caseNumber: 'CM16-0000005' }, [old, latest])).toHaveLength(1);
    const removal = c('items.1', null, JSON.parse(JSON.stringify(MACHINE.items[1])));
    expect(findDisagreements(MACHINE, [removal])).toEqual([]);
    expect(findDisagreements({ ...MACHINE, items: MACHINE.items.slice(0, 1) }, [removal])).toEqual([]);
    expect(sameFieldValue({ a: 1, b: 'x  y' }, { b: 'x y', a: 1 })).toBe(true);
  });

  it('routes a disagreeing letter to review unless QA approved it', () => {
    const ok = { ...MACHINE, status: 'ok' as const };
    const flagged = flagDisagreements(ok, [
      { correctionId: 1, field: 'caseNumber', machineValue: 'a', value: 'b', newValue: 'c' },
    ]);
    expect(docStatusFor(ok, null)).toBe('done');
    expect(docStatusFor(flagged, null)).toBe('needs_review');
    expect(docStatusFor(MACHINE, null)).toBe('needs_review');
    const review = { sha256: MACHINE.sha256, author: 'qa', reason: null, updatedAt: 'now' };
    expect(docStatusFor(MACHINE, { ...review, state: 'approved' })).toBe('done');
    expect(docStatusFor(MACHINE, { ...review, state: 'rejected' })).toBe('needs_review');
    expect(docStatusFor({ ...MACHINE, status: 'failed' }, { ...review, state: 'approved' })).toBe('failed');
  });
});

describe('exports and gold labels of a corrected record', () => {
  const corrections = [
    c('caseNumber', 'CM16-0000002', 'CM16-0000001'),
    c('items.0', null),
    c('items.2.decision', 'overturned'),
  ];

  it('exports the corrected values with the machine value beside each', () => {
    const out = exportRecordOf(MACHINE, corrections);
    expect(out.caseNumber).toBe('CM16-0000002');
    expect(out.corrections).toEqual([
      expect.objectContaining({
        field: 'caseNumber',
        itemIndex: null,
        machine: 'CM16-0000001',
        value: 'CM16-0000002',
      }),
      expect.objectContaining({ field: 'items.0', itemIndex: null, machine: MACHINE.items[0], value: null }),
      expect.objectContaining({
        field: 'items.2.decision',
        itemIndex: 1,
        machine: 'upheld',
        value: 'overturned',
      }),
    ]);
    expect(LetterRecord.parse(out)).toEqual(applyCorrections(MACHINE, corrections));
    const rows = recordToCsvRows(out);
    expect(rows.map((r) => [r.item_index, r.decision, r.corrected_fields])).toEqual([
      [0, 'upheld', 'caseNumber'],
      [1, 'overturned', 'caseNumber; item.decision'],
    ]);
    expect(exportRecordOf(MACHINE, [])).toBe(MACHINE);
    expect(recordToCsvRows(MACHINE).every((r) => r.corrected_fields === null)).toBe(true);
  });

  it('labels the corrected record so the bench scorer finds the machine record wrong where QA corrected it', () => {
    const truth = applyCorrections(MACHINE, [
      c('caseNumber', 'CM16-0000002'),
      c('items.2.decision', 'overturned'),
    ]);
    const label = labelFromRecord(truth, ['note']);
    expect(label.caseNumber).toBe('CM16-0000002');
    expect(label.extra).toEqual({
      dateAssigned: '2016-12-01',
      decisionDate: '2016-12-20',
      applicationReceived: '2016-11-30',
      priority: 'Standard',
    });
    expect(label.items[0]?.claimsAdministratorGuideline).toMatchObject({
      source: 'MTUS Guide 1',
      sections: 'Section A',
    });
    expect(label._notes).toEqual(['note']);
    const perfect = scoreAgainst([{ truth, machine: truth }]);
    expect(perfect.accuracy).toBe(1);
    const machine = scoreAgainst([{ truth, machine: MACHINE }]);
    expect(machine.fields).toBe(perfect.fields);
    expect(machine.correct).toBe(perfect.fields - 2);
  });
});
