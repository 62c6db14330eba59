import { describe, expect, it } from 'vitest';
import type { Label, LabelItem } from '../../schemas/label.js';
import type { Item, LetterRecord, Mismatch } from '../../schemas/letter.js';
import { flags, scoreRecords } from '../../src/bench/score.js';

// Hand-built labels and records: what counts as a wrong field, and which mismatches point QA at it.

const CITATION = { source: 'MTUS Low Back Complaints 2004', sections: 'Special Studies', pages: null };

function labelItem(description: string, quantity: number | null = null): LabelItem {
  const guideline = { ...CITATION, citations: [CITATION], raw: `Decision based on ${CITATION.source}` };
  return {
    description,
    quantity,
    decision: 'upheld',
    originalRequest: null,
    authorizedPortion: null,
    raw: description,
    claimsAdministratorGuideline: guideline,
    maximusGuideline: guideline,
  };
}

function label(items: LabelItem[]): Label {
  return {
    caseNumber: 'CM16-0000001',
    reviewer: { licensure: ['California'], specialty: 'Family Practice' },
    patient: { age: 40, sex: 'male' },
    injuryDate: '2015-03-02',
    urDate: '2016-10-01',
    items,
    extra: {
      dateAssigned: '2016-11-01',
      decisionDate: '2016-11-20',
      applicationReceived: '2016-10-20',
      priority: 'Standard',
    },
  };
}

function recordItem(want: LabelItem): Item {
  const guideline = { citations: [CITATION], raw: `Decision based on ${CITATION.source}` };
  return {
    description: want.description,
    quantity: want.quantity,
    decision: want.decision,
    originalRequest: want.originalRequest,
    authorizedPortion: want.authorizedPortion,
    raw: want.raw,
    claimsAdministratorGuideline: guideline,
    maximusGuideline: guideline,
    rationale: 'not medically necessary',
    rationaleConclusion: 'not_medically_necessary',
  };
}

/** The record a perfect reading of `l` gives, then edited; status follows the mismatches. */
function record(l: Label, mismatches: Mismatch[] = [], edit?: (r: LetterRecord) => void): LetterRecord {
  const r: LetterRecord = {
    file: 'x.pdf',
    sha256: '0'.repeat(64),
    status: 'ok',
    error: null,
    textSource: 'ocr',
    layout: 'fdl-2016',
    parserVersion: 'test',
    pages: [{ page: 1, source: 'ocr', chars: 100 }],
    caseNumber: l.caseNumber,
    decisionDate: l.extra?.decisionDate ?? null,
    dateAssigned: l.extra?.dateAssigned ?? null,
    applicationReceived: l.extra?.applicationReceived ?? null,
    priority: l.extra?.priority ?? null,
    injuryDate: l.injuryDate,
    urDate: l.urDate,
    reviewer: structuredClone(l.reviewer),
    patient: structuredClone(l.patient),
    items: l.items.map(recordItem),
    mismatches,
    provenance: {},
  };
  edit?.(r);
  r.status = r.mismatches.some((m) => m.severity === 'error') ? 'needs_review' : 'ok';
  return r;
}

const mm = (field: string, code = 'ocr_suspect', severity: Mismatch['severity'] = 'error'): Mismatch => ({
  field,
  code,
  severity,
  message: 'test',
});

describe('flags: which mismatch field points at which compared field', () => {
  const r = { items: [recordItem(labelItem('a')), recordItem(labelItem('b'))] };
  it('a header field: itself or below it, never the letter', () => {
    expect(flags('caseNumber', 'caseNumber', r)).toBe(true);
    expect(flags('reviewer.licensure', 'reviewer.licensure', r)).toBe(true);
    expect(flags('reviewer.specialty', 'reviewer.licensure', r)).toBe(false);
    expect(flags('decisionDate', 'caseNumber', r)).toBe(false);
    expect(flags('letter', 'caseNumber', r)).toBe(false);
  });
  it('an item part: the item or any part of it, not another item', () => {
    expect(flags('items.1.description', 'items.1.description', r)).toBe(true);
    expect(flags('items.1', 'items.1.quantity', r)).toBe(true);
    expect(flags('items.1.rationale', 'items.1.maximusGuideline', r)).toBe(true);
    expect(flags('items.10.description', 'items.1.description', r)).toBe(false);
    expect(flags('items.0.description', 'items.1.description', r)).toBe(false);
    // A count doubt points at items only when the record lacks that item.
    expect(flags('items', 'items.1.description', r)).toBe(false);
    expect(flags('items', 'items.2.description', r)).toBe(true);
  });
  it('the item count: items or any item', () => {
    expect(flags('items', 'items', r)).toBe(true);
    expect(flags('items.0.decision', 'items', r)).toBe(true);
    expect(flags('letter', 'items', r)).toBe(false);
  });
});

describe('scoreRecords: flag recall', () => {
  const l = label([labelItem('Cyclobenzaprine 5mg #60', 60), labelItem('MRI of the lumbar spine')]);

  it('a perfect record: nothing wrong, recall 1, a clean letter not sent to review', () => {
    const score = scoreRecords([{ file: 'a', label: l, record: record(l) }]);
    expect(score.misses).toEqual([]);
    expect(score.flags).toMatchObject({ wrong: 0, flagged: 0, recall: 1, cleanLetters: 1 });
    expect(score.flags.cleanSentToReview).toEqual([]);
    expect(score.flags.falseAlarms).toEqual([]);
  });

  it('counts each wrong field once, flagged by a mismatch on it or its item', () => {
    const r = record(l, [mm('items.0.description'), mm('letter', 'unknown_layout_variant')], (x) => {
      x.items[0]!.description = 'Cyclobenzaprine Smg #60';
      x.caseNumber = 'CM16-0000007';
      x.decisionDate = '2016-11-26';
    });
    const score = scoreRecords([{ file: 'a', label: l, record: r }]);
    const byPath = Object.fromEntries(score.misses.map((m) => [m.path, m.flagged]));
    expect(byPath).toEqual({
      caseNumber: false,
      decisionDate: false,
      'items.0.description': true,
    });
    expect(score.flags).toMatchObject({ wrong: 3, flagged: 1 });
    expect(score.flags.recall).toBeCloseTo(1 / 3);
  });

  it('an item-level mismatch flags every wrong part of that item; the letter flags nothing', () => {
    const r = record(
      l,
      [mm('items.1', 'item_boundary_guess', 'warning'), mm('letter', 'parser_fallback')],
      (x) => {
        x.items[1]!.description = 'MRl of the lumbar spine';
        x.items[1]!.maximusGuideline = null;
        x.items[0]!.quantity = 6;
      },
    );
    const score = scoreRecords([{ file: 'a', label: l, record: r }]);
    const byPath = Object.fromEntries(score.misses.map((m) => [m.path, m.flagged]));
    expect(byPath).toEqual({
      'items.0.quantity': false,
      'items.1.description': true,
      'items.1.maximusGuideline': true,
    });
  });

  it('info mismatches are not flags (they never show as a doubt)', () => {
    const r = record(l, [mm('dateAssigned', 'missing_field', 'info')], (x) => {
      x.dateAssigned = null;
    });
    const score = scoreRecords([{ file: 'a', label: l, record: r }]);
    expect(score.misses.map((m) => [m.path, m.flagged])).toEqual([['dateAssigned', false]]);
  });

  it('a missing item is flagged by a count mismatch; the count itself by any item mismatch', () => {
    const r = record(l, [mm('items', 'item_count_mismatch')], (x) => {
      x.items.pop();
    });
    const score = scoreRecords([{ file: 'a', label: l, record: r }]);
    expect(score.misses.every((m) => m.flagged)).toBe(true);
    expect(score.misses.map((m) => m.path)).toContain('items');
    expect(score.misses.map((m) => m.path)).toContain('items.1.description');

    const r2 = record(l, [mm('items.0.decision', 'rationale_contradicts_decision')], (x) => {
      x.items.push(recordItem(labelItem('Extra')));
    });
    const s2 = scoreRecords([{ file: 'b', label: l, record: r2 }]);
    expect(s2.misses).toMatchObject([{ path: 'items', flagged: true }]);
  });

  it('false alarms: suspect mismatches on fields read right, once per field; other codes do not count', () => {
    const r = record(
      l,
      [
        mm('items.1.description'),
        mm('items.1.description', 'ocr_suspect', 'warning'),
        mm('items.0.maximusGuideline'),
        mm('reviewer.specialty', 'specialty_typo', 'warning'),
      ],
      (x) => {
        x.items[0]!.quantity = 90;
      },
    );
    const score = scoreRecords([{ file: 'a', label: l, record: r }]);
    // items.0's suspect points at a wrong part of its item (the quantity): it is no false alarm.
    expect(score.flags.falseAlarms.map((a) => [a.field, a.severity])).toEqual([
      ['items.1.description', 'error'],
    ]);
    expect(score.flags.suspectFields).toBe(2);
    expect(score.flags.cleanLetters).toBe(0);
  });

  it('clean letters sent to review, over several letters', () => {
    const clean = record(l, [mm('items.1.description')]);
    const quiet = record(l);
    const wrong = record(l, [mm('caseNumber')], (x) => {
      x.caseNumber = 'CM16-000000l';
    });
    const score = scoreRecords([
      { file: 'clean', label: l, record: clean },
      { file: 'quiet', label: l, record: quiet },
      { file: 'wrong', label: l, record: wrong },
    ]);
    expect(score.flags.cleanLetters).toBe(2);
    expect(score.flags.cleanSentToReview).toEqual(['clean']);
    expect(score.flags).toMatchObject({ wrong: 1, flagged: 1, recall: 1 });
    expect(score.flags.falseAlarms).toEqual([
      {
        file: 'clean',
        field: 'items.1.description',
        code: 'ocr_suspect',
        severity: 'error',
        message: 'test',
      },
    ]);
  });

  it('counts the codes it is told as false alarms', () => {
    const r = record(l, [mm('items.1.description', 'low_confidence', 'warning')]);
    expect(scoreRecords([{ file: 'a', label: l, record: r }]).flags.falseAlarms).toEqual([]);
    expect(
      scoreRecords([{ file: 'a', label: l, record: r }], ['low_confidence']).flags.falseAlarms,
    ).toHaveLength(1);
  });
});
