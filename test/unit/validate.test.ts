import { describe, expect, it } from 'vitest';
import type { LetterFields, Mismatch } from '../../schemas/letter.js';
import { parseLetter } from '../../src/pipeline/parse/parse-letter.js';
import type { ParseResult } from '../../src/pipeline/parse/result.js';
import { type ValidateOptions, validateLetter } from '../../src/pipeline/validate/validate-letter.js';
import {
  type Feature,
  type GeneratedLetter,
  generateLetter,
  LAYOUTS,
  type LetterLayout,
} from '../../src/synth/index.js';
import { docFromText } from '../helpers/letter-text.js';

// Every rule has a letter that trips it and one that does not. Letters are synthetic (src/synth), edited
// as text where the rule reads the text, or as fields where it checks fields against each other.
const OPTIONS: ValidateOptions = { minConfidence: 0.6, today: '2025-06-30' };
// Off unless a test asks: they give the letter warnings of its own.
const QUIET: Partial<Record<Feature, boolean>> = {
  'injury-date-mismatch': false,
  'specialty-typo': false,
  'specialty-wrap': false,
  'decision-own-line': false,
};

function letter(
  seed: number,
  layout: LetterLayout = 'fdl-2016',
  features: Partial<Record<Feature, boolean>> = {},
  items = 3,
): GeneratedLetter {
  return generateLetter(seed, { layout, items, features: { ...QUIET, ...features } });
}

function parse(text: string, opts: Parameters<typeof docFromText>[1] = {}): ParseResult {
  return parseLetter(docFromText(text, opts));
}

function validate(p: ParseResult, edit?: (f: LetterFields) => void): Mismatch[] {
  const fields = structuredClone(p.fields);
  edit?.(fields);
  return validateLetter(fields, p.provenance, p.evidence, OPTIONS);
}

const errors = (ms: Mismatch[]) =>
  ms.filter((m) => m.severity === 'error').map((m) => `${m.field} ${m.code}`);
const warnings = (ms: Mismatch[]) =>
  ms.filter((m) => m.severity === 'warning').map((m) => `${m.field} ${m.code}`);

/** Blanks a header cell in place, so that the other columns keep their positions. */
function blank(text: string, re: RegExp): string {
  const out = text.replace(re, (m) => ' '.repeat(m.length));
  expect(out).not.toBe(text);
  return out;
}

function replaceOnce(text: string, re: RegExp, by: string | ((m: string, ...g: string[]) => string)): string {
  expect(re.test(text), `${re} should match`).toBe(true);
  return typeof by === 'string' ? text.replace(re, by) : text.replace(re, by);
}

/** The case summary of an fdl letter, to edit apart from the header and the items. */
function editSummary(text: string, edit: (summary: string) => string): string {
  const start = text.indexOf('CLINICAL CASE SUMMARY');
  const end = text.indexOf('IMR ISSUES, DECISIONS AND RATIONALES');
  expect(start).toBeGreaterThan(0);
  const summary = text.slice(start, end);
  const edited = edit(summary);
  expect(edited).not.toBe(summary);
  return text.slice(0, start) + edited + text.slice(end);
}

const slash = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;

describe('letters as generated raise no error', () => {
  it.each(LAYOUTS)('%s, 25 seeds with any features', (layout) => {
    for (let seed = 1; seed <= 25; seed++) {
      const l = generateLetter(seed, { layout });
      expect(errors(validate(parse(l.text))), `${layout} seed ${seed}`).toEqual([]);
    }
  });
});

describe('rule 1: required fields', () => {
  const l = letter(101);

  it('a letter with its case number, decision date, items and decisions passes', () => {
    expect(errors(validate(parse(l.text)))).toEqual([]);
  });

  it('flags a missing case number and decision date as errors', () => {
    const noCase = parse(blank(l.text, /Case Number:\s+CM\d{2}-\d+/));
    expect(errors(validate(noCase))).toContain('caseNumber missing_field');
    const noDate = parse(blank(l.text, /Decision Date:\s+\d{2}\/\d{2}\/\d{4}/));
    expect(errors(validate(noDate))).toContain('decisionDate missing_field');
  });

  it('flags a letter without items, and an item without its decision', () => {
    const p = parse(l.text);
    expect(errors(validate(p, (f) => (f.items = [])))).toContain('items no_items');
    const noDecision = validate(p, (f) => {
      (f.items[1] as { decision: unknown }).decision = null;
    });
    expect(errors(noDecision)).toContain('items.1.decision missing_field');
  });

  it('only warns about a missing injury or UR date', () => {
    const p = parse(l.text);
    const ms = validate(p, (f) => {
      f.urDate = null;
    });
    expect(errors(ms)).toEqual([]);
    expect(warnings(ms)).toContain('urDate missing_field');
  });

  it('warns about a case number not of the form CMyy-nnnnnnn, or of a year that does not fit the dates', () => {
    const p = parse(l.text);
    expect(warnings(validate(p)).filter((w) => w.startsWith('caseNumber'))).toEqual([]);
    expect(warnings(validate(p, (f) => (f.caseNumber = 'XX-12')))).toContain(
      'caseNumber unusual_case_number',
    );
    expect(warnings(validate(p, (f) => (f.caseNumber = 'CM29-0001234')))).toContain(
      'caseNumber case_year_mismatch',
    );
  });

  it('reports a malformed value as a schema error', () => {
    const ms = validate(parse(l.text), (f) => {
      f.decisionDate = 'yesterday';
    });
    expect(errors(ms)).toContain('decisionDate schema_invalid');
  });
});

describe('rule 2: dates out of order or implausible, age', () => {
  const l = letter(102, 'fdl-2016', { 'worker-injured-worker': true });
  const p = parse(l.text);

  it('a letter with dates in order and a plausible age passes', () => {
    expect(validate(p).filter((m) => /date|age|interval/.test(m.code))).toEqual([]);
  });

  it('flags a header decision date before the assignment, naming the decision date', () => {
    const decided = l.label.extra!.decisionDate!;
    const earlier = `${slash(decided).slice(0, 6)}${Number(decided.slice(0, 4)) - 1}`;
    const text = replaceOnce(
      l.text,
      /(Decision Date:\s+)\d{2}\/\d{2}\/\d{4}/,
      (_m, label) => `${label}${earlier}`,
    );
    expect(errors(validate(parse(text)))).toContain('decisionDate date_order');
  });

  it('flags an injury after the UR denial', () => {
    const ms = validate(p, (f) => {
      f.injuryDate = f.decisionDate;
    });
    expect(errors(ms)).toContain('injuryDate date_order');
  });

  it('flags dates in the future, before IMR began, or an injury before 1960; an injury before 1990 warns', () => {
    expect(errors(validate(p, (f) => (f.decisionDate = '2031-01-02')))).toContain(
      'decisionDate implausible_date',
    );
    expect(errors(validate(p, (f) => (f.decisionDate = '1989-12-31')))).toContain(
      'decisionDate implausible_date',
    );
    expect(errors(validate(p, (f) => (f.injuryDate = '1950-06-01')))).toContain(
      'injuryDate implausible_date',
    );
    const old = validate(p, (f) => (f.injuryDate = '1985-06-01'));
    expect(errors(old)).not.toContain('injuryDate implausible_date');
    expect(warnings(old)).toContain('injuryDate old_injury_date');
  });

  it('flags a decision long after the assignment, and an application long after the UR denial', () => {
    const late = validate(p, (f) => {
      f.decisionDate = new Date(Date.parse(f.dateAssigned!) + 90 * 86_400_000).toISOString().slice(0, 10);
    });
    expect(errors(late)).toContain('decisionDate implausible_interval');
    const stale = validate(p, (f) => {
      f.urDate = new Date(Date.parse(f.applicationReceived!) - 200 * 86_400_000).toISOString().slice(0, 10);
    });
    expect(errors(stale)).toContain('urDate implausible_interval');
  });

  it('flags an age outside 14-100 read from the summary', () => {
    const text = replaceOnce(l.text, /is a \d+ year old/, 'is a 12 year old');
    expect(errors(validate(parse(text)))).toContain('patient.age implausible_age');
    expect(errors(validate(p, (f) => (f.patient.age = 101)))).toContain('patient.age implausible_age');
  });
});

describe('rule 3: a decision contradicting its rationale', () => {
  const l = letter(103, 'fdl-2016', { 'rationale-other': false }, 1);

  it('a rationale that concludes as the decision passes', () => {
    expect(errors(validate(parse(l.text)))).toEqual([]);
  });

  it('flags a rationale whose conclusion says the opposite', () => {
    const upheld = l.label.items[0]!.decision === 'upheld';
    const text = upheld
      ? replaceOnce(l.text, /is not medically necessary\.\s*$/, 'is medically necessary.')
      : replaceOnce(l.text, /is medically necessary\.\s*$/, 'is not medically necessary.');
    expect(errors(validate(parse(text)))).toContain('items.0.decision rationale_contradicts_decision');
  });

  it('flags a decision swapped after parsing', () => {
    const ms = validate(parse(l.text), (f) => {
      f.items[0]!.decision = f.items[0]!.decision === 'upheld' ? 'overturned' : 'upheld';
    });
    expect(errors(ms)).toContain('items.0.decision rationale_contradicts_decision');
  });
});

describe('rule 4: items against the decision markers in the text', () => {
  const l = letter(104, 'fdl-2016', {}, 4);

  it('as many items as markers passes', () => {
    const p = parse(l.text);
    expect(p.evidence.decisionMarkers).toBe(4);
    expect(errors(validate(p))).toEqual([]);
  });

  it('flags a marker the item parser did not take', () => {
    const text = replaceOnce(l.text, /:\s*(Upheld|Overturned)\n/, ': $1 (see the rationale)\n');
    const p = parse(text);
    expect(p.fields.items).toHaveLength(3);
    expect(errors(validate(p))).toContain('items item_count_mismatch');
  });

  it('flags an item dropped after parsing', () => {
    expect(errors(validate(parse(l.text), (f) => f.items.splice(2, 1)))).toContain(
      'items item_count_mismatch',
    );
  });

  it('counts the numbered determinations of a 2013 notice', () => {
    const notice = letter(104, 'notice-2013', {}, 3);
    const p = parse(notice.text);
    expect(p.evidence.decisionMarkers).toBe(3);
    expect(errors(validate(p))).toEqual([]);
    expect(errors(validate(p, (f) => f.items.pop()))).toContain('items item_count_mismatch');
  });
});

describe('rule 5: header dates against the case summary', () => {
  const l = letter(105, 'fdl-2016', { 'worker-injured-worker': true, 'date-slash': true });
  const injury = slash(l.label.injuryDate!);
  const ur = slash(l.label.urDate!);

  it('a summary that states the header dates passes', () => {
    const p = parse(l.text);
    expect(p.evidence.summaryDates.injuryDate).toEqual([l.label.injuryDate]);
    expect(p.evidence.summaryDates.urDate).toContain(l.label.urDate);
    expect(validate(p).filter((m) => m.code.startsWith('summary_'))).toEqual([]);
  });

  it('flags a wholly different injury date in the summary as an error', () => {
    const text = editSummary(l.text, (s) => s.replace(injury, '03/17/2009'));
    expect(errors(validate(parse(text)))).toContain('injuryDate summary_date_conflict');
  });

  it('only warns when the summary is a few days or a mistyped year off (the letter slipped)', () => {
    const day = Number(injury.slice(3, 5));
    const near = `${injury.slice(0, 3)}${String(day > 20 ? day - 2 : day + 2).padStart(2, '0')}${injury.slice(5)}`;
    const slipped = validate(parse(editSummary(l.text, (s) => s.replace(injury, near))));
    expect(errors(slipped)).toEqual([]);
    expect(warnings(slipped)).toContain('injuryDate summary_date_differs');
    const year = `${injury.slice(0, 6)}${Number(injury.slice(6)) - 1}`;
    const typo = validate(parse(editSummary(l.text, (s) => s.replace(injury, year))));
    expect(errors(typo)).toEqual([]);
    expect(warnings(typo)).toContain('injuryDate summary_date_differs');
  });

  it('flags a header UR date the summary does not state', () => {
    const ms = validate(parse(l.text), (f) => {
      f.urDate = new Date(Date.parse(f.urDate!) - 45 * 86_400_000).toISOString().slice(0, 10);
    });
    expect(errors(ms)).toContain('urDate summary_date_conflict');
    expect(ur).toMatch(/\d{2}\/\d{2}\/\d{4}/);
  });
});

describe('rule 6: licensure and specialty', () => {
  const l = letter(106, 'fdl-2016', { 'licensure-1': true });
  const withLicensure = (value: string) =>
    parse(replaceOnce(l.text, /(State\(s\) of Licensure: ).*/, (_m, label) => `${label}${value}`));
  const withSpecialty = (value: string) =>
    parse(replaceOnce(l.text, /(Certification\(s\)\/Specialty: ).*/, (_m, label) => `${label}${value}`));

  it('states, DC and territories by name or abbreviation pass', () => {
    for (const value of [
      'California',
      'Texas, New York',
      'Ohio,West Virginia,CA',
      'District of Columbia',
      'Puerto Rico',
    ]) {
      expect(
        validate(withLicensure(value)).filter((m) => m.field === 'reviewer.licensure'),
        value,
      ).toEqual([]);
    }
  });

  it('flags a licensure that is no US state, and warns about a misspelt one', () => {
    expect(errors(validate(withLicensure('Ontario')))).toContain('reviewer.licensure unknown_state');
    expect(errors(validate(withLicensure('California, Narnia')))).toContain(
      'reviewer.licensure unknown_state',
    );
    const typo = validate(withLicensure('Califronia'));
    expect(errors(typo)).toEqual([]);
    expect(warnings(typo)).toContain('reviewer.licensure state_typo');
  });

  it('recognised specialties pass, a misspelt one warns, a garbled one is an error', () => {
    for (const value of [
      'Physical Medicine & Rehabilitation, Pain Management',
      'Orthopaedic Surgery',
      'Preventive Medicine, Occupational Medicine, Public Health & General Preventive Medicine',
      'Internal Medicine, Endocrinology, Diabetes & Metabolism',
      'Psychiatry & Neurology',
    ]) {
      expect(
        validate(withSpecialty(value)).filter((m) => m.field === 'reviewer.specialty'),
        value,
      ).toEqual([]);
    }
    const typo = validate(withSpecialty('Family Practice, Sports Medicinea'));
    expect(errors(typo)).toEqual([]);
    expect(warnings(typo)).toContain('reviewer.specialty specialty_typo');
    expect(errors(validate(withSpecialty('Pcevcntlve Mcdlcine')))).toContain(
      'reviewer.specialty unknown_specialty',
    );
    expect(errors(validate(withSpecialty('Internal Medicine CLINICAL CASE SUMMARY')))).toContain(
      'reviewer.specialty unknown_specialty',
    );
  });
});

describe('rule 7: a citation without a source', () => {
  const p = parse(letter(107).text);

  it('citations that name their source pass', () => {
    expect(errors(validate(p))).toEqual([]);
  });

  it('flags a citation that names no source', () => {
    const ms = validate(p, (f) => {
      const g = f.items[0]!.maximusGuideline ?? f.items[0]!.claimsAdministratorGuideline;
      g!.citations.push({ source: null, sections: 'Opioids', pages: null });
      f.items[0]!.maximusGuideline = g;
    });
    expect(errors(ms)).toContain('items.0.maximusGuideline citation_without_source');
  });
});

describe('rule 8: quantity against the item text', () => {
  const l = letter(108, 'fdl-2016', { 'hash-quantity': true, 'qty-suffix': true }, 4);
  const p = parse(l.text);
  const withQuantity = p.fields.items.findIndex((it) => it.quantity !== null);
  const without = p.fields.items.findIndex((it) => it.quantity === null && !/#\s?\d|QTY/i.test(it.raw));

  it('quantities as the item text gives them pass', () => {
    expect(withQuantity).toBeGreaterThanOrEqual(0);
    expect(validate(p).filter((m) => m.code.startsWith('quantity'))).toEqual([]);
  });

  it('flags a quantity that differs from the QTY or #N of the item', () => {
    const ms = validate(p, (f) => {
      f.items[withQuantity]!.quantity! += 5;
    });
    expect(errors(ms)).toContain(`items.${withQuantity}.quantity quantity_mismatch`);
    const lost = validate(p, (f) => {
      f.items[withQuantity]!.quantity = null;
    });
    expect(errors(lost)).toContain(`items.${withQuantity}.quantity quantity_missing`);
  });

  it('flags a quantity the item text does not state', () => {
    expect(without).toBeGreaterThanOrEqual(0);
    const ms = validate(p, (f) => {
      f.items[without]!.quantity = 12;
    });
    expect(errors(ms)).toContain(`items.${without}.quantity quantity_not_in_text`);
  });

  it('warns when a count in the item prose contradicts the quantity', () => {
    const ms = validate(p, (f) => {
      const item = f.items[without]!;
      item.raw = `Physical therapy 12 sessions #6`;
      item.description = item.raw;
      item.quantity = 6;
    });
    expect(errors(ms)).toEqual([]);
    expect(warnings(ms)).toContain(`items.${without}.quantity quantity_text_differs`);
  });
});

describe('rule 9: low-confidence fields', () => {
  const l = letter(109);

  it('fields read with good confidence pass', () => {
    expect(
      validate(parse(l.text, { confidence: 0.95, source: 'ocr' })).filter((m) => m.code === 'low_confidence'),
    ).toEqual([]);
  });

  it('a doubtful case number or decision is an error, other doubtful fields warn', () => {
    const ms = validate(parse(l.text, { confidence: 0.3, source: 'ocr' }));
    expect(errors(ms)).toContain('caseNumber low_confidence');
    expect(errors(ms)).toContain('items.0.decision low_confidence');
    expect(warnings(ms)).toContain('injuryDate low_confidence');
  });
});

describe('rule 10: a layout variant the parser does not know', () => {
  const l = letter(110);

  it('a letter with every section of its layout passes', () => {
    const p = parse(l.text);
    expect(p.evidence.missingSections).toEqual([]);
    expect(p.evidence.fallbacks).toEqual([]);
    expect(validate(p).filter((m) => m.field === 'letter')).toEqual([]);
  });

  it('flags a letter of a known layout that lacks one of its sections', () => {
    const p = parse(replaceOnce(l.text, /^\s*CLINICAL CASE SUMMARY\s*$/m, ''));
    expect(p.evidence.missingSections).toEqual(['CLINICAL CASE SUMMARY']);
    expect(errors(validate(p))).toContain('letter unknown_layout_variant');
    const noLabel = parse(replaceOnce(l.text, /State\(s\) of Licensure: .*/, ''));
    expect(errors(validate(noLabel))).toContain('letter unknown_layout_variant');
  });

  it('flags a 2013 notice without its case summary', () => {
    const notice = letter(110, 'notice-2013');
    expect(errors(validate(parse(notice.text)))).toEqual([]);
    const p = parse(replaceOnce(notice.text, /Case Summary:/, 'Summary'));
    expect(errors(validate(p))).toContain('letter unknown_layout_variant');
  });

  it('warns when the parser fell back on a guess', () => {
    const p = parse(blank(l.text, /Date of Injury:\s+\d{2}\/\d{2}\/\d{4}/));
    expect(p.fields.injuryDate).toBe(l.label.injuryDate);
    const ms = validate(p);
    expect(errors(ms)).toEqual([]);
    expect(warnings(ms)).toContain('letter parser_fallback');
  });
});
