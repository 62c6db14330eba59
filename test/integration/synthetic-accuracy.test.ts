import { describe, expect, it } from 'vitest';
import { scoreRecords, totals } from '../../src/bench/score.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { generateLetterPdf } from '../../src/synth/index.js';

// Letters with known truth from many seeds and all layouts: the parser must read every field.
const LAYOUTS = ['fdl-2016', 'fdl-2015', 'notice-2013'] as const;
const SEEDS = Array.from({ length: 24 }, (_, i) => 1000 + i * 7);

describe('extraction of generated letters', () => {
  for (const layout of LAYOUTS) {
    it(`reads every field of ${SEEDS.length} ${layout} letters`, async () => {
      const pairs = [];
      for (const seed of SEEDS) {
        const { label, pdf } = await generateLetterPdf(seed, { layout });
        const { record } = await processPdf(`${layout}-${seed}.pdf`, pdf);
        expect(record.status, `${layout} seed ${seed}: ${record.error?.message}`).not.toBe('failed');
        expect(record.layout).toBe(layout);
        pairs.push({ file: `${layout}-${seed}`, label, record });
      }
      const score = scoreRecords(pairs);
      expect(score.misses).toEqual([]);
      expect(totals(score).accuracy).toBe(1);
    });
  }
});

describe('provenance', () => {
  it('points every string field at the page text it was read from', async () => {
    const { pdf } = await generateLetterPdf(4242, { layout: 'fdl-2016' });
    const { record, text } = await processPdf('p.pdf', pdf);
    expect(text).not.toBeNull();
    const collapse = (s: string) => s.replace(/-\n/g, '-').replace(/\s+/g, ' ').trim();
    const checked: string[] = [];
    const values: Record<string, string | null | undefined> = {
      caseNumber: record.caseNumber,
      'reviewer.specialty': record.reviewer.specialty,
    };
    record.items.forEach((item, i) => {
      values[`items.${i}.description`] = item.description;
    });
    for (const [field, value] of Object.entries(values)) {
      const p = record.provenance[field];
      if (!value || !p) continue;
      const page = text!.pages.find((pg) => pg.page === p.page)!;
      const slice = collapse(page.text.slice(p.start, p.end));
      // A span that runs onto the next page is cut at the page end: it is then a prefix of the value.
      expect(value.startsWith(slice), `${field}: "${slice}" vs "${value}"`).toBe(true);
      expect(p.box).toBeDefined();
      expect(p.confidence).toBe(1);
      checked.push(field);
    }
    expect(checked.length).toBeGreaterThanOrEqual(3);
  });
});
