import { describe, expect, it } from 'vitest';
import { countDecisionMarkers, statedInjuryDates, statedUrDates } from '../../src/pipeline/parse/evidence.js';
import { rationaleConclusion } from '../../src/pipeline/parse/item-text.js';
import { matchSpecialties } from '../../src/pipeline/validate/specialties.js';
import { matchState } from '../../src/pipeline/validate/us-states.js';

// The text the validator checks fields against, in the wordings the README describes (written here, not
// copied from any letter).
describe('dates the case summary states', () => {
  it.each([
    [
      'The injured worker is a 51 year old female, who sustained an industrial injury on 3-14-2016.',
      ['2016-03-14'],
    ],
    [
      'This case involves a now 44-year-old man with a history of an occupational claim from 02/09/2015.',
      ['2015-02-09'],
    ],
    [
      'The applicant has a claim for neck pain associated with an industrial injury of May 2, 2014.',
      ['2014-05-02'],
    ],
    ['This is a 60 year old male with a date of injury on 7-1-15. He was seen on 8-2-2015.', ['2015-07-01']],
    [
      'The worker reports cumulative trauma from 01/01/2012 to 06/30/2016 at a warehouse.',
      ['2012-01-01', '2016-06-30'],
    ],
    ['The injured worker underwent surgery on 4-4-2016 and was seen on 5-5-2016.', []],
  ])('injury: %s', (text, want) => {
    expect(statedInjuryDates(text)).toEqual(want);
  });

  it.each([
    ['The original Utilization Review (UR) (11-02-2016) modified the request.', ['2016-11-02']],
    [
      'In a utilization review report dated January 5, 2017, the claims administrator denied a request.',
      ['2017-01-05'],
    ],
    ['On 12-9-16 the request was non-certified by utilization review.', ['2016-12-09']],
    ['The request had previously been denied on 10/21/2016.', ['2016-10-21']],
    ['A prior denial was made on 09/30/2016.', ['2016-09-30']],
    ['The injured worker denied numbness on 10/01/2016. She was seen on 10/02/2016.', []],
  ])('UR: %s', (text, want) => {
    expect(statedUrDates(text)).toEqual(want);
  });

  it('keeps a date of another sentence out of a UR sentence (no space after a period)', () => {
    const text =
      'He was hurt in an industrial injury of March 3, 2016.In a utilization review dated May 4, 2016, it was denied.';
    expect(statedUrDates(text)).toEqual(['2016-05-04']);
  });
});

describe('decision markers', () => {
  it('counts "<item>: Upheld" and a decision word alone on the next line, OCR spellings too', () => {
    const text = [
      'MRI of the lumbar spine: Upheld',
      '',
      'Claims Administrator guideline: Decision based on MTUS.',
      'Norco 10/325mg #60 day supply: 30:',
      'Overturned',
      'Physical therapy six visits; Uphe1d',
      'Decision rationale: the prior request was upheld on appeal.',
    ].join('\n');
    expect(countDecisionMarkers(text)).toBe(3);
  });
});

describe('rationale conclusions', () => {
  it.each([
    [
      'Therefore, the request for Norco #120, not to exceed 4 per day is medically necessary.',
      'medically_necessary',
    ],
    ['The request has not been shown to be medically necessary.', 'not_medically_necessary'],
    [
      'Additional therapy, as written above, is not a medical necessity at this time.',
      'not_medically_necessary',
    ],
    ['Medical necessity for the request has not been established.', 'not_medically_necessary'],
    ['As such, the request is not necessary.', 'not_medically_necessary'],
    ['The request is not supported as medically necessary.', 'not_medically_necessary'],
    ['A repeat study was necessary. The guidelines support the request.', null],
  ])('%s -> %s', (text, want) => {
    expect(rationaleConclusion(text)).toBe(want);
  });
});

describe('reviewer credentials', () => {
  it('recognises specialties as letters write them, and nothing else', () => {
    const read = (v: string) =>
      matchSpecialties(v).map((p) => (p.match === null ? null : p.typo ? `~${p.match}` : p.match));
    // Each part as its canonical name (ABMS spelling; informal names folded).
    expect(read('Physical Medicine & Rehabilitation, Pain Management')).toEqual([
      'Physical Medicine and Rehabilitation',
      'Pain Medicine',
    ]);
    expect(read('Anesthesiology, has a subspecialty in Pain Medicine')).toEqual([
      'Anesthesiology',
      'Pain Medicine',
    ]);
    expect(read('Endocrinology, Diabetes & Metabolism')).toEqual(['Endocrinology, Diabetes and Metabolism']);
    expect(read('Orthopaedic Surgery, Sports Medicinea')).toEqual([
      'Orthopaedic Surgery',
      '~Sports Medicine',
    ]);
    expect(read('Chiropractor')).toEqual(['Chiropractic']);
    expect(read('Orthopedic Surgery - Spine')).toEqual(['Orthopaedic Surgery', 'Spine']);
    expect(read('Pain Medicine (Anesthesiology)')).toEqual(['Pain Medicine', 'Anesthesiology']);
    expect(read('Physical Medicine and Rehabilitation and Pain Medicine')).toEqual([
      'Physical Medicine and Rehabilitation',
      'Pain Medicine',
    ]);
    expect(read('Medicine Surgery Practice')).toEqual([null]);
    expect(read('Astrology')).toEqual([null]);
  });

  it('recognises states, DC and territories by name and abbreviation', () => {
    expect(matchState('North Carolina')).toEqual({ kind: 'exact', name: 'North Carolina' });
    expect(matchState('N.Y.')).toEqual({ kind: 'exact', name: 'New York' });
    expect(matchState('D.C.')).toEqual({ kind: 'exact', name: 'District of Columbia' });
    expect(matchState('Guam')).toEqual({ kind: 'exact', name: 'Guam' });
    expect(matchState('Pennsylvnia')).toEqual({ kind: 'typo', name: 'Pennsylvania' });
    expect(matchState('British Columbia')).toEqual({ kind: 'unknown' });
    expect(matchState('Ohoi')).toEqual({ kind: 'unknown' });
  });
});
