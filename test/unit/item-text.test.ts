import { describe, expect, it } from 'vitest';
import { parseItemText, rationaleConclusion, readConclusion } from '../../src/pipeline/parse/item-text.js';

function parts(raw: string) {
  const p = parseItemText(raw);
  const cut = (s: { start: number; end: number } | null) => (s ? raw.slice(s.start, s.end) : null);
  return {
    description: cut(p.description),
    quantity: p.quantity,
    originalRequest: cut(p.originalRequest),
    authorizedPortion: cut(p.authorizedPortion),
  };
}

describe('parseItemText', () => {
  it('takes the quantity from a trailing QTY and removes it', () => {
    expect(parts('Home exercise kit, lumbar QTY: 2')).toMatchObject({
      description: 'Home exercise kit, lumbar',
      quantity: 2,
    });
  });

  it('takes the quantity from #N and keeps it', () => {
    expect(parts('Lidoderm 5% patch #30, day supply: 15')).toMatchObject({
      description: 'Lidoderm 5% patch #30, day supply: 15',
      quantity: 30,
    });
  });

  it('does not count prose numbers as quantities', () => {
    expect(parts('Chiropractic care two times a week for six weeks, 12 sessions').quantity).toBeNull();
  });

  it('reads the "remaining IMR eligible portion" wording, with and without "is"', () => {
    for (const tail of [' is', '']) {
      expect(
        parts(
          `Gabapentin 300mg #90 was the original request. Gabapentin 300mg #45 was authorized by the Claims Administrator. The remaining IMR eligible portion of the original request, Gabapentin 300mg #45${tail}`,
        ),
      ).toEqual({
        description: 'Gabapentin 300mg #45',
        quantity: 45,
        originalRequest: 'Gabapentin 300mg #90',
        authorizedPortion: 'Gabapentin 300mg #45',
      });
    }
  });

  it('reads the "leaving the original request IMR eligible" wording', () => {
    expect(
      parts(
        'Home health aide 8 hours daily was the original request. The Claims Administrator authorized an assessment visit, leaving the original request IMR eligible. The original request, Home health aide 8 hours daily is',
      ),
    ).toEqual({
      description: 'Home health aide 8 hours daily',
      quantity: null,
      originalRequest: 'Home health aide 8 hours daily',
      authorizedPortion: 'an assessment visit',
    });
  });
});

describe('rationaleConclusion', () => {
  const NOT = 'not_medically_necessary';
  const IS = 'medically_necessary';

  it.each([
    ['Therefore, the request is not medically necessary.', 'not_medically_necessary'],
    ['As such, the request IS NOT medically necessary.', 'not_medically_necessary'],
    ['The request is determined to not be medically necessary.', 'not_medically_necessary'],
    ['the request cannot be considered medically necessary per the guidelines.', 'not_medically_necessary'],
    ['The request does not appear medically necessary.', 'not_medically_necessary'],
    ['is notmedically necessary and appropriate.', 'not_medically_necessary'],
    ['Although it was not tried before, the request is medically necessary.', 'medically_necessary'],
    ['The request is medically necessary.', 'medically_necessary'],
    ['The guidelines support the request.', null],
  ])('%s -> %s', (text, want) => {
    expect(rationaleConclusion(text)).toBe(want);
  });

  // The false alarms of a fixed word window, each with its positive twin.
  it.each([
    ['The request for Norco 10/325mg #60 is not seen as medically necessary.', NOT],
    ['The request for Norco 10/325mg #60 is seen as medically necessary.', IS],
    ['The request for Norco 10/325mg #60 is not-medically necessary.', NOT],
    ['The request for Norco 10/325mg #60 is medically necessary.', IS],
    ['The request is not supported by the provided records as being medically necessary.', NOT],
    ['The request is supported by the provided records as being medically necessary.', IS],
  ])('reads negation by clause, not by a word window: %s', (text, want) => {
    expect(rationaleConclusion(text)).toBe(want);
  });

  it('does not let a negation in an earlier clause flip the conclusion', () => {
    expect(
      rationaleConclusion('Although the MRI was not documented, the request is medically necessary.'),
    ).toBe(IS);
    expect(
      rationaleConclusion('Although the MRI was not documented the request is medically necessary.'),
    ).toBe(IS);
    expect(
      rationaleConclusion('The provider documented no side effects and the request is medically necessary.'),
    ).toBe(IS);
    expect(
      rationaleConclusion(
        'As the requested surgery is not medically necessary, the requested ancillary service is not medically necessary.',
      ),
    ).toBe(NOT);
  });

  it('does not count a "not" inside the item name', () => {
    expect(
      rationaleConclusion('The request for Norco 10/325mg, not to exceed 4 per day, is medically necessary.'),
    ).toBe(IS);
    expect(
      rationaleConclusion('The request for Norco 10/325mg not to exceed 4 per day is medically necessary.'),
    ).toBe(IS);
    expect(
      rationaleConclusion(
        'The request for Norco 10/325mg not to exceed 4 per day is not medically necessary.',
      ),
    ).toBe(NOT);
  });

  it('reads a negation that governs the clause the conclusion is part of', () => {
    expect(rationaleConclusion('There is no evidence that the request is medically necessary.')).toBe(NOT);
    expect(rationaleConclusion('The records do not show the request is medically necessary.')).toBe(NOT);
    expect(
      rationaleConclusion(
        'There is no evidence that the request for MRI, EMG, and NCV is medically necessary.',
      ),
    ).toBe(NOT);
    expect(
      rationaleConclusion('The documentation fails to establish the request as medically necessary.'),
    ).toBe(NOT);
    expect(rationaleConclusion('Neither the MRI nor the EMG is medically necessary.')).toBe(NOT);
    expect(rationaleConclusion('The request is no longer medically necessary.')).toBe(NOT);
    expect(
      rationaleConclusion(
        'The request for the lumbar MRI was determined by the reviewer to be not medically necessary.',
      ),
    ).toBe(NOT);
    expect(rationaleConclusion('The request is neither reasonable nor medically necessary.')).toBe(NOT);
  });

  it('reads a double negation as positive', () => {
    expect(rationaleConclusion('The request cannot be considered not medically necessary.')).toBe(IS);
  });

  it('takes "not recommended" / "recommended" endings when nothing speaks of medical necessity', () => {
    expect(rationaleConclusion('Therefore, the request for the TENS unit is not recommended.')).toBe(NOT);
    expect(rationaleConclusion('Therefore, the request for the TENS unit is recommended.')).toBe(IS);
    expect(rationaleConclusion('The request is not warranted at this time.')).toBe(NOT);
    // a medical-necessity statement wins over a later "recommended"
    expect(
      rationaleConclusion(
        'The request is medically necessary. Continued use is not recommended without re-evaluation.',
      ),
    ).toBe(IS);
  });

  it('reads the 2013 notice wording', () => {
    const decision = (verdict: string) =>
      `1) MAXIMUS Federal Services, Inc. has determined the request for Norco 10/325mg #120 ${verdict} medically necessary and appropriate.`;
    expect(rationaleConclusion(decision('is not'))).toBe(NOT);
    expect(rationaleConclusion(decision('is'))).toBe(IS);
    expect(rationaleConclusion(decision('is not').replace('not medically', 'notmedically'))).toBe(NOT);
  });

  it('reads "medical necessity has (not) been established"', () => {
    expect(
      rationaleConclusion('The guidelines were not met. Medical necessity has not been established.'),
    ).toBe(NOT);
    expect(rationaleConclusion('The guidelines were met. Medical necessity has been established.')).toBe(IS);
    expect(rationaleConclusion('Thus, physical therapy is not a medical necessity at this time.')).toBe(NOT);
  });

  it('takes the last sentence that concludes, past a closing sentence that does not', () => {
    const text =
      'The patient has no documented functional improvement. Given the above, the request for Ultram 50mg #30 is not medically necessary. ' +
      'This decision addresses the medical necessity of opioids as they have been prescribed to this patient. ' +
      'The treating physician and the patient are advised to consult the MTUS Opioids Treatment Guidelines ("Tapering opioids"), and if necessary, other relevant guidelines, regarding the most appropriate method for weaning.';
    expect(readConclusion(text)).toEqual({
      conclusion: NOT,
      sentence: 'Given the above, the request for Ultram 50mg #30 is not medically necessary.',
    });
  });

  it('passes over a hedge to the conclusion before it', () => {
    expect(
      rationaleConclusion(
        'Therefore, the request is not medically necessary. Weaning should be done gradually, if medically appropriate.',
      ),
    ).toBe(NOT);
    expect(
      rationaleConclusion(
        'The request is not medically necessary. If functional improvement is documented, continued use may be medically necessary.',
      ),
    ).toBe(NOT);
    expect(
      rationaleConclusion(
        'The request would be medically necessary if the patient had failed conservative care.',
      ),
    ).toBeNull();
  });

  it('does not take "medically necessary care" or an aside for a conclusion', () => {
    expect(
      rationaleConclusion(
        'The request is not medically necessary. The patient should continue medically necessary care with the primary physician.',
      ),
    ).toBe(NOT);
    expect(
      rationaleConclusion('The request is medically necessary secondary to the documented instability.'),
    ).toBe(IS);
    expect(rationaleConclusion('There is no reason to deny the request, which is medically necessary.')).toBe(
      IS,
    );
  });

  it('is null when the rationale states no conclusion', () => {
    expect(
      rationaleConclusion(
        'The MTUS does not recommend MRI of the hand except for suspected infections. The patient has not failed conservative care.',
      ),
    ).toBeNull();
    expect(readConclusion('No conclusion here.')).toEqual({ conclusion: null, sentence: null });
  });

  it('reads OCR noise: a stray bar, misspellings, lost capitals and full stops', () => {
    expect(rationaleConclusion('The requested | MRI is not | medically necessary.')).toBe(NOT);
    expect(rationaleConclusion('The requested MRI is medica|ly necessary.')).toBe(IS);
    expect(rationaleConclusion('The request is not rnedically necessarv.')).toBe(NOT);
    expect(
      rationaleConclusion(
        'there are no examination findings to indicate radiculopathy the current request is not medically necessary',
      ),
    ).toBe(NOT);
  });
});
