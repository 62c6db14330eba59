import { describe, expect, it } from 'vitest';
import { parseCitations } from '../../src/pipeline/parse/citations.js';
import { parseDate } from '../../src/pipeline/parse/dates.js';
import type { DocLine } from '../../src/pipeline/parse/doc-lines.js';
import { readHeaderTable } from '../../src/pipeline/parse/header-table.js';
import { parseItemText } from '../../src/pipeline/parse/item-text.js';
import { correctOcrWords } from '../../src/pipeline/parse/ocr-lexicon.js';
import { splitStates } from '../../src/pipeline/parse/people.js';

const lines = (...texts: string[]): DocLine[] =>
  texts.map((text, index) => ({ index, page: 1, start: 0, text, ocr: true }));

describe('what a fax makes of a letter, read as the format says', () => {
  it('reads the header table through rules, brackets, quote marks and specks around labels and values', () => {
    const header = readHeaderTable(
      lines(
        '| Case Number:  | CM16-0229336  \u2018',
        '[Date Assigned:  12/05/2016 |  Date of Injury:  | 10/20/2016',
        '"Decision Date;  12/30/2016  UR Denial Date:  [10/28/2016]',
        'Priarity:  Standard.  Application  11/28/2016',
      ),
    );
    expect(header.caseNumber?.text).toBe('CM16-0229336');
    expect(header.dateAssigned?.text).toBe('12/05/2016');
    expect(header.injuryDate?.text).toBe('10/20/2016');
    expect(header.decisionDate?.text).toBe('12/30/2016');
    expect(header.urDate?.text).toBe('10/28/2016');
    expect(header.priority?.text).toBe('Standard');
    expect(header.applicationReceived?.text).toBe('11/28/2016');
    // The value's span points at the value itself, not at the junk around it.
    expect(header.caseNumber?.run.text).toBe('CM16-0229336');
  });

  it('reads a full stop inside a guideline sentence as the comma OCR misread, on scans only', () => {
    const raw =
      'Decision based on MTUS Neck and Upper Back Complaints 2004. Section{s): Special Studies. and Forearm. Wrist, and Hand Complaints 2004, Section(s)\u2019 Special Studies.';
    const want = [
      { source: 'MTUS Neck and Upper Back Complaints 2004', sections: 'Special Studies', pages: null },
      { source: 'Forearm, Wrist, and Hand Complaints 2004', sections: 'Special Studies', pages: null },
    ];
    expect(parseCitations(raw, { ocr: true })).toEqual(want);
    // A text layer's full stops are the letter's own.
    const text =
      'Decision based on Non-MTUS Citation ODG Low Back, Physical Therapy. ODG Physical Therapy Guidelines.';
    expect(parseCitations(text)?.[0]?.source).toBe(
      'Non-MTUS Citation ODG Low Back, Physical Therapy. ODG Physical Therapy Guidelines',
    );
    // On a scan too, a full stop before the next guideline document's title is the letter's own.
    expect(parseCitations(text, { ocr: true })?.[0]?.source).toBe(
      'Non-MTUS Citation ODG Low Back, Physical Therapy. ODG Physical Therapy Guidelines',
    );
    // An initial's full stop stays.
    expect(
      parseCitations(
        'Decision based on Non-MTUS Citation Harris J. Occupational Medicine Practice Guidelines.',
        {
          ocr: true,
        },
      )?.[0]?.source,
    ).toBe('Non-MTUS Citation Harris J. Occupational Medicine Practice Guidelines');
    // A trailing separator and a doubled bracket are specks.
    expect(
      parseCitations('Decision based on Non-MTUS Citation Official Disability Guidelines ((ODG), Shoulder,', {
        ocr: true,
      }),
    ).toEqual([
      {
        source: 'Non-MTUS Citation Official Disability Guidelines (ODG), Shoulder',
        sections: null,
        pages: null,
      },
    ]);
  });

  it('reads a full stop before a section number and a colon in a date as what OCR misread', () => {
    expect(
      parseCitations(
        'Decision based on MTUS Opioid Treatment 2016, Section(s): 3.3.7.2 Pain and Function. 3.3.9 Opioids. Decision based on Non-MTUS Citation ODG (updated 11:23/16): MRI, 8 C.C.R. 9792.20.',
        { ocr: true },
      ),
    ).toEqual([
      {
        source: 'MTUS Opioid Treatment 2016',
        sections: '3.3.7.2 Pain and Function, 3.3.9 Opioids',
        pages: null,
      },
      {
        source: 'Non-MTUS Citation ODG (updated 11/23/16): MRI, 8 C.C.R. 9792.20',
        sections: null,
        pages: null,
      },
    ]);
  });

  it('puts a misread word back to the one word of the vocabulary it is near, and leaves the rest', () => {
    expect(correctOcrWords('Non-MTUS Citatron Otficial Disability Guidehnes (ODG)')).toBe(
      'Non-MTUS Citation Official Disability Guidelines (ODG)',
    );
    expect(correctOcrWords('Chronic Opiowd Treatment')).toBe('Chronic Opioid Treatment');
    // Names the vocabulary does not know and nothing is near, URLs and short words stay as read.
    const kept = 'Lisfranc Kinesio Neuropathies hitps://www.cms.gov/Regulations R148CIM Pam';
    expect(correctOcrWords(kept)).toBe(kept);
  });

  it('reads a header date whose slashes OCR read as ones', () => {
    expect(parseDate('0212012017')).toBe('2017-02-20');
    expect(parseDate('12/05/2016')).toBe('2016-12-05');
    expect(parseDate('1234567890')).toBeNull();
  });

  it('splits states at a misread full stop, and keeps D.C. whole', () => {
    expect(splitStates('California. Oregon, Washington')).toEqual(['California', 'Oregon', 'Washington']);
    expect(splitStates('New York.California')).toEqual(['New York', 'California']);
    expect(splitStates('Washington D.C., Virginia')).toEqual(['Washington D.C.', 'Virginia']);
  });

  it('finds a modified request whose full stops OCR read as commas', () => {
    const raw =
      'Acute rehabilitation 7-10 days was the original request, The Claims Administrator authorized Skilled nursing facility for 7 days, leaving the original request IMR eligible, The original request, Acute rehabilitation 7-10 days is';
    const parts = parseItemText(raw);
    expect(raw.slice(parts.description.start, parts.description.end)).toBe('Acute rehabilitation 7-10 days');
    expect(
      parts.authorizedPortion && raw.slice(parts.authorizedPortion.start, parts.authorizedPortion.end),
    ).toBe('Skilled nursing facility for 7 days');
  });
});
