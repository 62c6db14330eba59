import { describe, expect, it } from 'vitest';
import type { LetterRecord } from '../../schemas/letter.js';
import type { Correction } from '../../schemas/review.js';
import { recordFromText } from '../../src/pipeline/process-letter.js';
import {
  CANONICAL_SPECIALTIES,
  canonicalSpecialties,
  matchSpecialties,
  reviewerSpecialties,
} from '../../src/pipeline/validate/specialties.js';
import { applyCorrections } from '../../src/records/apply-corrections.js';
import { parseRecordJson } from '../../src/records/codec.js';
import { reportRows } from '../../src/records/report-rows.js';
import { generateLetter } from '../../src/synth/index.js';
import { docFromText } from '../helpers/letter-text.js';

describe('canonical specialties', () => {
  it('folds spellings, "&", informal names and typos into one canonical name', () => {
    for (const printed of ['Orthopedic Surgery', 'Orthopaedic Surgery', 'Orthopedics', 'Orthopedic Surgry']) {
      expect(canonicalSpecialties(printed), printed).toEqual(['Orthopaedic Surgery']);
    }
    for (const printed of [
      'Physical Medicine & Rehabilitation',
      'Physical Medicine and Rehabilitation',
      'PM&R',
      'PM & R',
      'Physiatry',
    ]) {
      expect(canonicalSpecialties(printed), printed).toEqual(['Physical Medicine and Rehabilitation']);
    }
    expect(canonicalSpecialties('Family Practice')).toEqual(['Family Medicine']);
    expect(canonicalSpecialties('Pain Management')).toEqual(['Pain Medicine']);
    expect(canonicalSpecialties('Hospice & Palliative Medicine')).toEqual([
      'Hospice and Palliative Medicine',
    ]);
  });

  it('reads a near miss as the specialty it misses, with the existing typo flag', () => {
    expect(canonicalSpecialties('Orthopedic Surgery, Sports Medicinea')).toEqual([
      'Orthopaedic Surgery',
      'Sports Medicine',
    ]);
    const parts = matchSpecialties('Orthopedic Surgery, Sports Medicinea');
    expect(parts.map((p) => [p.text, p.match, p.typo])).toEqual([
      ['Orthopedic Surgery', 'Orthopaedic Surgery', false],
      ['Sports Medicinea', 'Sports Medicine', true],
    ]);
    // Too far from any name: no canonical name, and the validator's unknown_specialty.
    expect(canonicalSpecialties('Pcevcntlve Mcdlcine')).toEqual([]);
    expect(matchSpecialties('Pcevcntlve Mcdlcine')[0]?.match).toBeNull();
  });

  it('lists every certification of a multi-certification value, in printed order, each once', () => {
    expect(canonicalSpecialties('Preventive Medicine, Occupational Medicine, Medical Toxicology')).toEqual([
      'Preventive Medicine',
      'Occupational Medicine',
      'Medical Toxicology',
    ]);
    // A name holding a comma itself stays one name.
    expect(canonicalSpecialties('Internal Medicine, Endocrinology, Diabetes & Metabolism')).toEqual([
      'Internal Medicine',
      'Endocrinology, Diabetes and Metabolism',
    ]);
    expect(canonicalSpecialties('Orthopedic Surgery, Orthopaedic Surgery; Orthopedics')).toEqual([
      'Orthopaedic Surgery',
    ]);
    expect(canonicalSpecialties('Orthopedic Surgery - Spine')).toEqual(['Orthopaedic Surgery', 'Spine']);
    // A combined name stands for two certifications.
    expect(canonicalSpecialties('Psychiatry & Neurology')).toEqual(['Psychiatry', 'Neurology']);
    expect(canonicalSpecialties('Pulmonary and Critical Care Medicine')).toEqual([
      'Pulmonary Disease',
      'Critical Care Medicine',
    ]);
  });

  it('reads the prose forms: "Board Certified in X with a subspecialty in Y"', () => {
    expect(
      canonicalSpecialties(
        'Board Certified in Physical Medicine and Rehabilitation with a subspecialty in Pain Medicine',
      ),
    ).toEqual(['Physical Medicine and Rehabilitation', 'Pain Medicine']);
    expect(canonicalSpecialties('Diplomate of the American Board of Anesthesiology')).toEqual([
      'Anesthesiology',
    ]);
  });

  it('names the non-physician professions by their field', () => {
    expect(canonicalSpecialties('Chiropractor')).toEqual(['Chiropractic']);
    expect(canonicalSpecialties('Doctor of Chiropractic, Chiropractic Sports Medicine')).toEqual([
      'Chiropractic',
      'Chiropractic Sports Medicine',
    ]);
    expect(canonicalSpecialties('Psychologist')).toEqual(['Psychology']);
    expect(canonicalSpecialties('Clinical Psychologist, Neuropsychology')).toEqual([
      'Clinical Psychology',
      'Clinical Neuropsychology',
    ]);
    expect(canonicalSpecialties('Licensed Acupuncturist')).toEqual(['Acupuncture']);
    expect(canonicalSpecialties('Physical Therapist')).toEqual(['Physical Therapy']);
    expect(canonicalSpecialties('Podiatrist')).toEqual(['Podiatry']);
    expect(canonicalSpecialties('Pharmacist')).toEqual(['Pharmacy']);
    expect(canonicalSpecialties('Registered Nurse')).toEqual(['Nursing']);
  });

  it('keeps a part it cannot read out of the list, and a missing value empty', () => {
    expect(canonicalSpecialties('Internal Medicine, Xqzzy Wibble Studies')).toEqual(['Internal Medicine']);
    expect(reviewerSpecialties(null)).toEqual({ specialties: [], primarySpecialty: null });
    // A board named before the specialty it certified in: the specialty is the primary.
    expect(reviewerSpecialties('Preventive Medicine, Occupational Medicine')).toEqual({
      specialties: ['Preventive Medicine', 'Occupational Medicine'],
      primarySpecialty: 'Occupational Medicine',
    });
    expect(reviewerSpecialties('Preventive Medicine, Internal Medicine').primarySpecialty).toBe(
      'Preventive Medicine',
    );
    expect(reviewerSpecialties('')).toEqual({ specialties: [], primarySpecialty: null });
    expect(reviewerSpecialties('Family Practice, Sports Medicine')).toEqual({
      specialties: ['Family Medicine', 'Sports Medicine'],
      primarySpecialty: 'Family Medicine',
    });
  });

  it('has one canonical name per vocabulary row, each its own canonical form', () => {
    expect(CANONICAL_SPECIALTIES.length).toBeGreaterThan(150);
    for (const name of CANONICAL_SPECIALTIES) expect(canonicalSpecialties(name), name).toEqual([name]);
  });
});

describe('the record carries the canonical specialties', () => {
  const generated = generateLetter(3, {
    layout: 'fdl-2016',
    items: 2,
    features: { 'specialty-typo': false },
  });
  const machine = recordFromText('a.pdf', 'a'.repeat(64), docFromText(generated.text));

  it('beside the printed value, from the parsed field', () => {
    const printed = machine.reviewer.specialty;
    expect(printed).not.toBeNull();
    expect(machine.reviewer.specialties).toEqual(canonicalSpecialties(printed));
    expect(machine.reviewer.specialties?.length).toBeGreaterThan(0);
    expect(machine.reviewer.primarySpecialty).toBe(machine.reviewer.specialties?.[0]);
  });

  it('follows a QA correction of the printed value into the analyst rows', () => {
    const correction: Correction = {
      id: 1,
      sha256: machine.sha256,
      field: 'reviewer.specialty',
      machineValue: machine.reviewer.specialty,
      value: 'Orthopedic Surgery, Sports Medicinea',
      reason: null,
      author: 'qa',
      createdAt: '2025-01-01T00:00:00.000Z',
      parserVersion: machine.parserVersion,
    };
    const corrected = applyCorrections(machine, [correction]);
    expect(corrected.reviewer).toMatchObject({
      specialty: 'Orthopedic Surgery, Sports Medicinea',
      specialties: ['Orthopaedic Surgery', 'Sports Medicine'],
      primarySpecialty: 'Orthopaedic Surgery',
    });
    const rows = reportRows(corrected, { state: null, corrections: 1 });
    expect(rows.letter.primary_specialty).toBe('Orthopaedic Surgery');
    expect(rows.specialties.map((s) => [s.position, s.specialty])).toEqual([
      [0, 'Orthopaedic Surgery'],
      [1, 'Sports Medicine'],
    ]);
  });

  it('is derived on read for a record stored before the fields existed', () => {
    const old = structuredClone(machine) as LetterRecord;
    old.reviewer = { licensure: old.reviewer.licensure, specialty: 'Family Practice' };
    const read = parseRecordJson(JSON.stringify(old));
    expect(read.reviewer.specialties).toEqual(['Family Medicine']);
    expect(read.reviewer.primarySpecialty).toBe('Family Medicine');
    // The report rows derive them too, for a record that reaches them without the codec.
    expect(reportRows(old, { state: null, corrections: 0 }).letter.primary_specialty).toBe('Family Medicine');
  });
});
