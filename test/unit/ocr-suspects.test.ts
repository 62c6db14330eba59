import { describe, expect, it } from 'vitest';
import type { Mismatch } from '../../schemas/letter.js';
import type { TextDocument } from '../../schemas/text.js';
import { parseLetter } from '../../src/pipeline/parse/parse-letter.js';
import { recordFromText } from '../../src/pipeline/process-letter.js';
import {
  OCR_SUSPECT,
  ocrSuspectFindings,
  ocrSuspects,
  ocrVocabulary,
  type SuspectRule,
  sectionFindings,
  sourceFindings,
  tokenFindings,
} from '../../src/pipeline/validate/ocr-suspects.js';
import { withoutCorrectedDoubts } from '../../src/pipeline/validate/reading-doubts.js';
import { generateLetter, LAYOUTS } from '../../src/synth/index.js';
import { docFromText } from '../helpers/letter-text.js';

const vocabulary = ocrVocabulary();
const rules = (text: string, confidence = 0.95): SuspectRule[] =>
  tokenFindings({ text, confidence }, vocabulary).map((f) => f.rule);

// Off: they give the letter warnings of its own (see validate.test.ts).
const QUIET = {
  'injury-date-mismatch': false,
  'specialty-typo': false,
  'specialty-wrap': false,
  'decision-own-line': false,
} as const;

function letterText(seed: number): string {
  return generateLetter(seed, { layout: 'fdl-2016', items: 3, features: QUIET }).text;
}

/** The first item line ("<item>: Upheld") with its item text replaced. */
function withFirstItem(text: string, item: string): string {
  const out = text.replace(/^.+(?=: (?:Upheld|Overturned)$)/m, item);
  expect(out).not.toBe(text);
  return out;
}

/** The first Claims Administrator guideline paragraph replaced. */
function withFirstGuideline(text: string, paragraph: string): string {
  const out = text.replace(
    /Claims Administrator guideline:[\s\S]*?(?=\nMAXIMUS guideline:|\n\n)/,
    `Claims Administrator guideline: ${paragraph}`,
  );
  expect(out).not.toBe(text);
  return out;
}

/** An OCR document of the text, every word read with `confidence`, then `edit`ed. */
function ocrDoc(text: string, confidence = 0.95, edit?: (doc: TextDocument) => void): TextDocument {
  const doc = docFromText(text, { source: 'ocr', confidence });
  edit?.(doc);
  return doc;
}

/** Sets the confidence of the OCR segments holding `word` (each cell is one segment in docFromText). */
function lowerConfidence(doc: TextDocument, word: string, confidence: number): void {
  let found = false;
  for (const page of doc.pages)
    for (const line of page.lines)
      for (const seg of line.segments)
        if (page.text.slice(seg.start, seg.end).includes(word)) {
          seg.confidence = confidence;
          found = true;
        }
  expect(found, `"${word}" should be on a page`).toBe(true);
}

function suspects(doc: TextDocument): Mismatch[] {
  const p = parseLetter(doc);
  return ocrSuspects(p.fields, p.provenance, doc);
}

describe('tokens: numbers and words as OCR misreads them', () => {
  it.each([
    ['Smg', 'digit_letters'],
    ['1Omg', 'digit_letters'],
    ['l0mg', 'digit_letters'],
    ['SS0mg,', 'digit_letters'],
    ['lO%', 'digit_letters'],
    ['#6O', 'digit_letters'],
    ['#l20', 'digit_letters'],
    ['2O16', 'digit_letters'],
    ['l2/3l/2016', 'digit_letters'],
    ['0xycodone', 'letter_digits'],
    ['Tramad0l', 'letter_digits'],
    ['1umbar', 'letter_digits'],
    ['medica1', 'letter_digits'],
    ['|', 'stray_mark'],
    ['Section{s):', 'stray_mark'],
    ['((or', 'stray_mark'],
    ['MRl', 'odd_case'],
    ['https:/www.cms.gov/downloads/R148CIM.pdf', 'malformed_address'],
    ['hitps://medicalinsider.example.com/a-b', 'malformed_address'],
  ] as const)('%s: %s', (token, rule) => {
    expect(rules(token)).toContain(rule);
  });

  it.each([
    '5mg',
    '10/325mg',
    '7.5/325mg',
    '#60',
    '#60,',
    'x6',
    'QTY:',
    'L4-5',
    'L5-S1',
    'S1',
    'B12',
    'q4h',
    '1st',
    '6th',
    '7-10',
    '1-2',
    '3.3.7.2',
    '4/10',
    '12/13/2016',
    '5%',
    '2004,',
    'EMG/NCV',
    'PT/OT',
    "MRI's",
    'Pre-op',
    '(ESIs)',
    'NSAIDs',
    'Cyclobenzaprine',
    'Lidoderm',
    'https://www.cms.gov/Regulations-and-Guidance/R148CIM.pdf',
    '-',
    '&',
    '3D',
    'x1',
    'C5-6',
    'T12',
    'q12hrs',
    '1x/week',
    '(ESWT))',
  ])('%s: nothing', (token) => {
    expect(rules(token)).toEqual([]);
  });

  it('an unknown word one confusion from a known one, when OCR doubted it (capitals: always)', () => {
    expect(rules('Hospltal', 0.9)).toEqual(['near_known']);
    expect(rules('Guidehnes', 0.9)).toEqual(['near_known']);
    expect(rules('Adminstrator', 0.9)).toEqual(['near_known']);
    expect(rules('Hospltal', 0.97)).toEqual([]);
    expect(rules('MRL', 0.97)).toEqual(['near_known']);
    expect(rules('EMG/NCY', 0.97)).toEqual(['near_known']);
    expect(rules('EMG/NCYV', 0.97)).toEqual(['near_known']);
    // Unknown abbreviations that are no confusion of a known one.
    expect(rules('TPII', 0.8)).toEqual([]);
    expect(rules('ESWT', 0.8)).toEqual([]);
  });

  it('an unknown word read with low confidence; a known one only when OCR nearly gave up', () => {
    expect(rules('Citauon', 0.3)).toEqual(['unknown_word']);
    expect(rules('Citauon', 0.8)).toEqual([]);
    expect(rules('Hospital', 0.5)).toEqual([]);
    expect(rules('Hospital', 0.1)).toEqual(['low_word_confidence']);
    // Addresses are unknown words: only a very low confidence counts.
    expect(rules('https://www.example.org/guidance', 0.5)).toEqual([]);
    expect(rules('https://www.example.org/guidance', 0.1)).toEqual(['low_word_confidence']);
  });
});

describe('citations: what a guideline source and its sections look like', () => {
  const sourceRules = (s: string) => sourceFindings(s).map((f) => f.rule);
  it.each([
    ['MTUS Independent Medical Examinations and Consultations page l37', 'page_in_source'],
    ['MTUS Independent Medical Examinations and Consultations paqe 137', 'page_in_source'],
    ['MTUS Independent Medical Examinations and Consultations page 1 37', 'page_in_source'],
    ['MTUS Independent Medical Examinations and Consultations 137', 'number_in_source'],
    ['Non-MTUS Citation Official Disability Guidelines (ODG), Low Back Chapter,', 'source_punctuation'],
    ['MTUS Acupuncture Treatment 2007.', 'source_punctuation'],
    ['MTUS Forearm, Wrist. and Hand Complaints 2004', 'mtus_period'],
    ['Non-MTUS Citation Official Disability Guidelines. 2016, Web Version', 'inner_period'],
    [
      'MTUS Neck and Upper Back Complaints 2004. Section(s): Special Studies. and Forearm, Wrist, and Hand Complaints 2004',
      'merged_citation',
    ],
    ['MTUS Chronic Pain Medical Treatment 2016, Section(s) Cyclobenzaprine (Flexeril)', 'merged_citation'],
  ] as const)('%s: %s', (source, rule) => {
    expect(sourceRules(source)).toContain(rule);
  });

  it.each([
    'MTUS Low Back Complaints 2004',
    'Forearm, Wrist, and Hand Complaints 2004',
    'Chronic Pain Medical Treatment Guidelines 8 C.C.R. 9792.20 - 9792.26',
    "Non-MTUS Citation Green's Operative Hand Surgery, 6th ed Chapter 17",
    'Non-MTUS Citation Official Disability Guidelines, Elbow Procedure Summary Online Version (updated 11/23/16): Magnetic Resonance Imaging',
    'Non-MTUS Citation Official Disability Guidelines (ODG) Low Back, Physical Therapy. Official Disability Guidelines (ODG) Physical Therapy Guidelines',
    'Non-MTUS Citation Official Disability Guidelines, 2016, Web Version, Criteria for skilled nursing facility',
    'MTUS Chronic Pain Medical Treatment Guidelines',
    // Written so by the letters (a clean "page N" the parser moves into pages).
    'Non-MTUS Citation ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Shoulder Disorders, pg. 64',
    'Non-MTUS Citation Harris J. Occupational medicine practice guidelines, 2nd edition (2004) p 301',
    'MTUS Independent Medical Examinations and Consultations page 137',
    'Chronic Pain Medical Treatment Guidelines 8 C.C.R. § 9792.20 - 9792.26',
    'Non-MTUS Citation American Psychiatric Association, ICD-10',
    'Non-MTUS Citation ODG Pain, Chapter 7',
  ])('%s: nothing', (source) => {
    expect(sourceRules(source)).toEqual([]);
  });

  it('sections: another citation inside them, or a period for a comma', () => {
    const sectionRules = (s: string) => sectionFindings(s).map((f) => f.rule);
    expect(
      sectionRules(
        'Special Studies. and Forearm. Wrist. and Hand Complaints 2004, Section(s). Special Studies',
      ),
    ).toContain('merged_citation');
    expect(sectionRules('Special Studies. and Physical Methods')).toEqual(['inner_period']);
    expect(sectionRules('3.3.7 Opioids for Chronic Pain and Chronic Opioid Treatment: Monitoring')).toEqual(
      [],
    );
    expect(sectionRules('NSAIDs (non-steroidal anti-inflammatory drugs)')).toEqual([]);
    expect(sectionRules('326')).toEqual([]);
  });
});

describe('letters: the fields read from OCR pages', () => {
  it('letters as generated, read by OCR with good confidence, raise no suspect about the reading', () => {
    // Left out: what the parser changed in a citation (its OCR repairs), which says nothing of the reading.
    const parserChanges = new Set(['replaced_word', 'repaired_word', 'repaired_separator']);
    for (const layout of LAYOUTS) {
      for (let seed = 1; seed <= 15; seed++) {
        const doc = ocrDoc(generateLetter(seed, { layout }).text);
        const p = parseLetter(doc);
        const found = ocrSuspectFindings(p.fields, p.provenance, doc)
          .map((f) => ({ ...f, findings: f.findings.filter((x) => !parserChanges.has(x.rule)) }))
          .filter((f) => f.findings.length > 0);
        expect(found, `${layout} seed ${seed}`).toEqual([]);
      }
    }
  });

  it('a strength with a letter for a digit sends the letter to review, flagged on its item', () => {
    const text = withFirstItem(letterText(3), 'Cyclobenzaprine Smg #60');
    const record = recordFromText('x.pdf', '0'.repeat(64), ocrDoc(text));
    expect(record.items[0]?.description).toBe('Cyclobenzaprine Smg #60');
    const flags = record.mismatches.filter((m) => m.code === OCR_SUSPECT);
    expect(flags).toEqual([
      expect.objectContaining({
        field: 'items.0.description',
        severity: 'error',
        message: expect.stringContaining('"Smg"'),
      }),
    ]);
    expect(record.status).toBe('needs_review');
  });

  it('never checks a text layer: the same characters are the letter own', () => {
    const text = withFirstItem(letterText(3), 'Cyclobenzaprine Smg #60');
    const record = recordFromText('x.pdf', '0'.repeat(64), docFromText(text));
    expect(record.mismatches.filter((m) => m.code === OCR_SUSPECT)).toEqual([]);
  });

  it('a page number glued onto a guideline source', () => {
    const text = withFirstGuideline(
      letterText(4),
      'Decision based on MTUS Independent Medical Examinations and Consultations page l37.',
    );
    const doc = ocrDoc(text);
    const p = parseLetter(doc);
    expect(p.fields.items[0]?.claimsAdministratorGuideline?.citations[0]?.source).toContain('page l37');
    expect(ocrSuspects(p.fields, p.provenance, doc)).toEqual([
      expect.objectContaining({ field: 'items.0.claimsAdministratorGuideline', severity: 'error' }),
    ]);
  });

  it('an unknown word OCR doubted, even on the next page of a guideline paragraph', () => {
    const text = withFirstGuideline(
      letterText(5),
      'Decision based on Non-MTUS Citation Official Disability Guidelines (ODG), Knee\n\fChapter: Vascutherrn cold therapy.',
    );
    const quiet = suspects(ocrDoc(text));
    expect(quiet).toEqual([]);
    const doubted = suspects(ocrDoc(text, 0.95, (doc) => lowerConfidence(doc, 'Vascutherrn', 0.5)));
    expect(doubted).toEqual([
      expect.objectContaining({
        field: 'items.0.claimsAdministratorGuideline',
        severity: 'error',
        message: expect.stringContaining('Vascutherrn'),
      }),
    ]);
  });

  it('a word or a separator the parser changed in a citation: a real word replaced is an error', () => {
    const text = withFirstGuideline(
      letterText(6),
      'Decision based on Non-MTUS Citation Official Disability Guidelines (ODG). Knee, Informed Consent.',
    );
    const doc = ocrDoc(text);
    const p = parseLetter(doc);
    const citation = p.fields.items[0]!.claimsAdministratorGuideline!.citations[0]!;
    // As a parser that repairs OCR could leave it: the stop made a comma, a right word made another.
    citation.source = 'Non-MTUS Citation Official Disability Guidelines (ODG), Knee, Informed Content';
    const found = ocrSuspectFindings(p.fields, p.provenance, doc).flatMap((f) =>
      f.findings.map((x) => x.rule),
    );
    expect(found.sort()).toEqual(['repaired_separator', 'replaced_word']);
    citation.source = 'Non-MTUS Citation Official Disability Guidelines (ODG). Knee, Informed Consent';
    expect(ocrSuspectFindings(p.fields, p.provenance, doc)).toEqual([]);
  });

  it('a known word read with very low confidence is a warning only', () => {
    const text = withFirstItem(letterText(6), 'Hospital bed rental');
    const ms = suspects(ocrDoc(text, 0.95, (doc) => lowerConfidence(doc, 'Hospital bed rental', 0.1)));
    expect(ms).toEqual([expect.objectContaining({ field: 'items.0.description', severity: 'warning' })]);
  });

  it('a header date whose digits the parser repaired is a warning', () => {
    // The year's 0 read as a letter O: "2O17".
    const text = letterText(9).replace(/(Decision Date:\s+\S*?2)0/, '$1O');
    expect(text).toMatch(/Decision Date:\s+\S*2O\d\d/);
    const record = recordFromText('x.pdf', '0'.repeat(64), ocrDoc(text));
    expect(record.decisionDate).not.toBeNull();
    expect(record.mismatches.filter((m) => m.code === OCR_SUSPECT)).toEqual([
      expect.objectContaining({ field: 'decisionDate', severity: 'warning' }),
    ]);
  });

  it('a word cut in two', () => {
    const text = withFirstItem(letterText(10), 'Tri gger point injection');
    expect(suspects(ocrDoc(text))).toEqual([
      expect.objectContaining({
        field: 'items.0.description',
        message: expect.stringContaining('"Tri gger"'),
      }),
    ]);
  });

  it('a strength read with low confidence is a warning', () => {
    const text = withFirstItem(letterText(11), 'Norco 10/323mg #38');
    const ms = suspects(ocrDoc(text, 0.95, (doc) => lowerConfidence(doc, 'Norco 10/323mg #38', 0.5)));
    expect(ms).toEqual([expect.objectContaining({ field: 'items.0.description', severity: 'warning' })]);
  });

  it('a state or specialty one slip from a known one, read with doubt', () => {
    const text = letterText(12)
      .replace(/State\(s\) of Licensure: .*/, 'State(s) of Licensure: Califurnia')
      .replace(/Certification\(s\)\/Specialty: .*/, 'Certification(s)/Specialty: Imernal Medicine');
    const doubted = suspects(
      ocrDoc(text, 0.95, (doc) => {
        lowerConfidence(doc, 'Califurnia', 0.8);
        lowerConfidence(doc, 'Imernal', 0.8);
      }),
    );
    expect(doubted.map((m) => [m.field, m.severity])).toEqual([
      ['reviewer.specialty', 'error'],
      ['reviewer.licensure', 'error'],
    ]);
    expect(suspects(ocrDoc(text, 0.97))).toEqual([]);
  });

  it('no sex after the age phrase, with a word there that does not read', () => {
    const text = letterText(13).replace(/(\d+[- ]year[- ]old) (male|female)/, '$1 inale');
    const ms = suspects(ocrDoc(text));
    expect(ms).toEqual([expect.objectContaining({ field: 'patient.sex', severity: 'error' })]);
  });

  it('a case number that does not read as CMyy-nnnnnnn', () => {
    const text = letterText(8).replace(/CM(\d\d)-(\d{7})/, 'CM$1-$2 7');
    const ms = suspects(ocrDoc(text));
    expect(ms).toEqual([expect.objectContaining({ field: 'caseNumber', severity: 'error' })]);
  });
});

describe('QA corrections: a corrected field keeps no doubt about its reading', () => {
  const m = (field: string, code = OCR_SUSPECT): Mismatch => ({
    field,
    code,
    severity: 'error',
    message: '',
  });
  it('drops reading doubts on corrected fields and under corrected items, keeps the rest', () => {
    const ms = [
      m('items.0.description'),
      m('items.0.description', 'low_confidence'),
      m('items.0.maximusGuideline'),
      m('items.0.description', 'quantity_mismatch'),
      m('items.1.description'),
      m('items.10.description'),
      m('caseNumber'),
    ];
    expect(withoutCorrectedDoubts(ms, ['items.0.description', 'items.1', 'caseNumber'])).toEqual([
      m('items.0.maximusGuideline'),
      m('items.0.description', 'quantity_mismatch'),
      m('items.10.description'),
    ]);
  });
});
