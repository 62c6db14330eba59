import { describe, expect, it } from 'vitest';
import { parseItemText, rationaleConclusion } from '../../src/pipeline/parse/item-text.js';

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
});
