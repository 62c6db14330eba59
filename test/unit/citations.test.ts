import { describe, expect, it } from 'vitest';
import { parseCitation, parseCitations, splitMtusSentence } from '../../src/pipeline/parse/citations.js';
import { parseNoticeCitations } from '../../src/pipeline/parse/notice-2013.js';

describe('parseCitations', () => {
  it('reads one MTUS guideline with its section', () => {
    expect(
      parseCitations('Decision based on MTUS Knee Complaints 2004, Section(s): Surgical Considerations.'),
    ).toEqual([{ source: 'MTUS Knee Complaints 2004', sections: 'Surgical Considerations', pages: null }]);
  });

  it('splits guidelines joined by ", and " but not a name that contains ", and "', () => {
    const raw =
      'Decision based on MTUS Shoulder Complaints 2004, Section(s): Initial Care, and Forearm, Wrist, and Hand Complaints 2004, and Knee Complaints 2004, Section(s): Summary, Activity Alteration.';
    expect(parseCitations(raw)).toEqual([
      { source: 'MTUS Shoulder Complaints 2004', sections: 'Initial Care', pages: null },
      { source: 'Forearm, Wrist, and Hand Complaints 2004', sections: null, pages: null },
      { source: 'Knee Complaints 2004', sections: 'Summary, Activity Alteration', pages: null },
    ]);
  });

  it('keeps a Non-MTUS sentence whole, periods and all, after a preamble', () => {
    const raw =
      'The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. Decision based on Non-MTUS Citation ODG Knee, Arthroscopy. ODG Knee, Meniscectomy.';
    expect(parseCitations(raw)).toEqual([
      {
        source: 'Non-MTUS Citation ODG Knee, Arthroscopy. ODG Knee, Meniscectomy',
        sections: null,
        pages: null,
      },
    ]);
  });

  it('reads an MTUS sentence followed by a Non-MTUS one', () => {
    const raw =
      'Decision based on MTUS Low Back Complaints 2004. Decision based on Non-MTUS Citation https://example.org/a-b-c.pdf.';
    expect(parseCitations(raw)).toEqual([
      { source: 'MTUS Low Back Complaints 2004', sections: null, pages: null },
      { source: 'Non-MTUS Citation https://example.org/a-b-c.pdf', sections: null, pages: null },
    ]);
  });

  it('gives no citations for "did not cite" and null for an unknown paragraph', () => {
    expect(
      parseCitations('The Claims Administrator did not cite any medical evidence for its decision.'),
    ).toEqual([]);
    expect(parseCitations('Something else entirely.')).toBeNull();
  });

  it('reads the 2015 wording with Page(s) and no comma', () => {
    expect(
      parseCitations('Decision based on MTUS Chronic Pain Treatment Guidelines Acupuncture Page(s): 12-13.'),
    ).toEqual([
      { source: 'MTUS Chronic Pain Treatment Guidelines Acupuncture', sections: null, pages: '12-13' },
    ]);
  });
});

describe('parseCitation', () => {
  it('reads an inline page number', () => {
    expect(parseCitation('MTUS Chronic Pain Medical Treatment Guidelines, page 79')).toEqual({
      source: 'MTUS Chronic Pain Medical Treatment Guidelines',
      sections: null,
      pages: '79',
    });
  });
});

describe('splitMtusSentence', () => {
  it('treats a sentence without a year as one citation', () => {
    expect(splitMtusSentence('MTUS Guidelines, Section(s): Opioids')).toEqual([
      { source: 'MTUS Guidelines', sections: 'Opioids', pages: null },
    ]);
  });
});

describe('parseNoticeCitations (2013)', () => {
  it('reads name, sections and pages from the prose sentence', () => {
    expect(
      parseNoticeCitations(
        'The Expert Reviewer based his/her decision on the MTUS Chronic Pain Medical Treatment Guidelines, Massage therapy, page 60.',
      ),
    ).toEqual([
      { source: 'MTUS Chronic Pain Medical Treatment Guidelines', sections: 'Massage therapy', pages: '60' },
    ]);
    expect(
      parseNoticeCitations(
        'The Claims Administrator based its decision on the ACOEM Guidelines, pages 301-303, which is part of the MTUS.',
      ),
    ).toEqual([{ source: 'ACOEM Guidelines', sections: null, pages: '301-303' }]);
  });
});
