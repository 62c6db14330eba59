import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Label } from '../schemas/label.js';
import { getDocument } from '../src/pipeline/extract/pdfjs.js';
import { withHeldoutItems } from '../src/synth/content.js';
import { HELDOUT_ITEMS } from '../src/synth/heldout-items.js';
import {
  FEATURES,
  type Feature,
  type GeneratedLetter,
  generateLetter,
  generateLetterPdf,
  LAYOUTS,
  layoutBlocks,
  textToBlocks,
  textWidth,
  typesetBlocks,
  typesetText,
  undoubleSpace,
  winAnsiSafe,
} from '../src/synth/index.js';

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
const letters: GeneratedLetter[] = SEEDS.map((s) => generateLetter(s));

interface PdfItem {
  str: string;
  x: number;
  y: number;
  font: string;
}

async function pdfItems(pdf: Uint8Array): Promise<{ pages: PdfItem[][]; fonts: Map<string, string> }> {
  const doc = await getDocument({ data: pdf.slice(), verbosity: 0, isEvalSupported: false }).promise;
  const pages: PdfItem[][] = [];
  const fonts = new Map<string, string>();
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    const tc = await page.getTextContent();
    const items: PdfItem[] = [];
    for (const it of tc.items) {
      if (!('str' in it)) continue;
      items.push({
        str: it.str,
        x: it.transform[4] as number,
        y: it.transform[5] as number,
        font: it.fontName,
      });
    }
    await page.getOperatorList();
    for (const id of new Set(items.map((i) => i.font))) {
      const obj: unknown = page.commonObjs.has(id) ? page.commonObjs.get(id) : null;
      const name = obj && typeof obj === 'object' && 'name' in obj ? String(obj.name) : id;
      fonts.set(id, name);
    }
    pages.push(items);
  }
  await doc.destroy();
  return { pages, fonts };
}

/** The letter text as one string: wrapped lines joined, a line-end hyphen inside a token kept. */
function flat(text: string): string {
  return text
    .replace(/\f/g, '')
    .replace(/(?<=\S)-\n(?=\S)/g, '-')
    .replace(/\s+/g, ' ');
}

describe('determinism', () => {
  it('gives the same label, blocks and text for the same seed and options', () => {
    for (const seed of [1, 42, 777]) {
      const a = generateLetter(seed);
      const b = generateLetter(seed);
      expect(b.label).toEqual(a.label);
      expect(b.blocks).toEqual(a.blocks);
      expect(Buffer.from(b.text).equals(Buffer.from(a.text))).toBe(true);
      const c = generateLetter(seed, { layout: 'notice-2013', items: 3 });
      expect(generateLetter(seed, { layout: 'notice-2013', items: 3 }).text).toBe(c.text);
    }
  });

  it('gives byte-identical PDFs for the same seed', async () => {
    const a = await generateLetterPdf(9, { layout: 'fdl-2016', items: 4 });
    const b = await generateLetterPdf(9, { layout: 'fdl-2016', items: 4 });
    expect(Buffer.from(a.pdf).equals(Buffer.from(b.pdf))).toBe(true);
  });

  it('gives different letters for different seeds', () => {
    expect(new Set(letters.map((l) => l.label.caseNumber)).size).toBeGreaterThan(195);
  });
});

describe('held-out item names', () => {
  const names = new Set(HELDOUT_ITEMS.map((h) => h.text));
  const drawn = (l: GeneratedLetter) =>
    l.label.items.filter(
      (i) => names.has(i.description.replace(/\s*#\d+/, '').trim()) || names.has(i.description),
    );

  it('are drawn only inside withHeldoutItems, leaving every seed as it was outside it', () => {
    for (const l of letters.slice(0, 50)) expect(drawn(l), `seed ${l.seed}`).toEqual([]);
    const inside = withHeldoutItems(0.3, () => generateLetter(42));
    expect(generateLetter(42).text).toBe(letters[41]!.text);
    expect(withHeldoutItems(0.3, () => generateLetter(42)).text).toBe(inside.text);
  });

  it('make up about the share asked of the items, labelled with their description and count', () => {
    const made = SEEDS.slice(0, 80).map((s) => withHeldoutItems(0.3, () => generateLetter(s)));
    const all = made.flatMap((l) => l.label.items).length;
    const held = made.flatMap(drawn);
    expect(held.length / all).toBeGreaterThan(0.15);
    expect(held.length / all).toBeLessThan(0.45);
    for (const item of held) {
      const hash = /#(\d+)/.exec(item.description);
      if (hash && !/QTY:/.test(item.raw)) expect(item.quantity, item.description).toBe(Number(hash[1]));
    }
    for (const l of made) expect(() => Label.parse(l.label)).not.toThrow();
  });
});

describe('labels', () => {
  it('validate against the Label schema', () => {
    for (const l of letters) expect(() => Label.parse(l.label)).not.toThrow();
  });

  it('follow the label conventions', () => {
    for (const { label, seed } of letters) {
      const where = `seed ${seed}`;
      expect(label.items.length, where).toBeGreaterThanOrEqual(1);
      expect(label.items.length, where).toBeLessThanOrEqual(21);
      expect(label.caseNumber, where).toMatch(/^CM\d{2}-\d{7}$/);
      expect(label.extra?.decisionDate, where).toBeTruthy();
      for (const item of label.items) {
        const qty = /\sQTY: (\d+)$/.exec(item.raw);
        if (qty) {
          expect(item.quantity, where).toBe(Number(qty[1]));
          expect(item.raw.startsWith(item.description), where).toBe(true);
          expect(item.description, where).not.toMatch(/QTY:/);
        } else {
          const hash = /#(\d+)/.exec(item.description);
          expect(item.quantity, `${where} ${item.description}`).toBe(hash ? Number(hash[1]) : null);
        }
        expect(item.description, where).toBe(item.description.replace(/\s+/g, ' ').trim());
        if (item.originalRequest !== null) {
          expect(item.raw, where).toContain(`${item.originalRequest} was the original request.`);
          expect(item.authorizedPortion, where).not.toBeNull();
          expect(item.raw, where).toContain(item.authorizedPortion!);
        }
        for (const g of [item.claimsAdministratorGuideline, item.maximusGuideline]) {
          if (!g) continue;
          const first = g.citations[0];
          expect(g.source, where).toBe(first?.source ?? null);
          expect(g.sections, where).toBe(first?.sections ?? null);
          expect(g.pages, where).toBe(first?.pages ?? null);
          if (/did not cite any medical evidence/.test(g.raw)) expect(g.citations, where).toEqual([]);
          for (const c of g.citations) {
            expect(c.source, where).not.toMatch(/^Decision based on|[.,]$/);
          }
        }
      }
    }
  });

  it('match the letter text', () => {
    for (const { label, text, layout, seed } of letters) {
      const t = flat(text);
      const where = `seed ${seed} (${layout})`;
      expect(t, where).toContain(label.caseNumber!);
      expect(t, where).toContain(label.reviewer.specialty!);
      for (const state of label.reviewer.licensure) expect(t, where).toContain(state);
      for (const item of label.items) {
        const word = item.decision === 'upheld' ? 'Upheld' : 'Overturned';
        if (layout === 'notice-2013') {
          expect(t, where).toContain(`has determined the request for ${item.description} is`);
        } else {
          expect(t, where).toContain(`${item.raw}: ${word}`);
        }
        for (const g of [item.claimsAdministratorGuideline, item.maximusGuideline]) {
          if (g) expect(t, `${where}: ${g.raw}`).toContain(g.raw);
        }
      }
    }
  });

  it('put the header values in the label (the header wins over the case summary)', () => {
    const l = generateLetter(11, { layout: 'fdl-2016', features: { 'injury-date-mismatch': true } });
    const [y, m, d] = l.label.injuryDate!.split('-');
    expect(l.text).toMatch(new RegExp(`Date of Injury:\\s+${m}/${d}/${y}`));
    expect(l.features).toContain('injury-date-mismatch');
    expect(l.label._notes?.join(' ')).toMatch(/label follows the header/);
  });
});

describe('features', () => {
  it('appear across seeds 1..200', () => {
    const seen = new Set<Feature>(letters.flatMap((l) => l.features));
    expect(FEATURES.filter((f) => !seen.has(f))).toEqual([]);
  });

  it('cover all three layouts, mostly fdl-2016', () => {
    const counts = Object.fromEntries(LAYOUTS.map((l) => [l, letters.filter((x) => x.layout === l).length]));
    expect(counts['fdl-2016']).toBeGreaterThan(100);
    expect(counts['fdl-2015']).toBeGreaterThan(5);
    expect(counts['notice-2013']).toBeGreaterThan(5);
  });

  it('can be asked for by option', () => {
    const asks: Feature[] = [
      'modified-remaining-is',
      'modified-remaining',
      'modified-authorized',
      'decision-own-line',
      'colon-in-item',
      'qty-suffix',
      'preamble-er',
      'no-citation-ca',
      'url-broken',
      'uptodate',
      'mtus-multi',
      'forearm-wrist-hand-joined',
      'rationale-other',
      'specialty-wrap',
      'no-age',
    ];
    for (const f of asks) {
      const got = [1, 2, 3, 4, 5].some((seed) =>
        generateLetter(seed, { layout: 'fdl-2016', items: 4, features: { [f]: true } }).features.includes(f),
      );
      expect(got, f).toBe(true);
    }
    expect(generateLetter(3, { items: 21 }).label.items).toHaveLength(21);
    expect(
      generateLetter(3, { layout: 'fdl-2016', features: { 'single-item': true } }).label.items,
    ).toHaveLength(1);
  });

  it('writes the three modified-request wordings as the conventions describe', () => {
    const l = generateLetter(5, {
      layout: 'fdl-2016',
      items: 3,
      features: { 'modified-remaining-is': true, 'modified-remaining': true, 'modified-authorized': true },
    });
    const mods = l.label.items.filter((i) => i.originalRequest !== null);
    expect(mods).toHaveLength(3);
    const withIs = mods.find(
      (i) => i.raw.includes('The remaining IMR eligible portion') && i.raw.endsWith(' is'),
    );
    const withoutIs = mods.find(
      (i) => i.raw.includes('The remaining IMR eligible portion') && !i.raw.endsWith(' is'),
    );
    const authorized = mods.find((i) => i.raw.includes('leaving the original request IMR eligible'));
    expect(withIs?.raw.endsWith(`original request, ${withIs.description} is`)).toBe(true);
    expect(withoutIs?.raw.endsWith(`original request, ${withoutIs.description}`)).toBe(true);
    expect(authorized?.description).toBe(authorized?.originalRequest);
    expect(authorized?.raw).toContain(
      `The Claims Administrator authorized ${authorized?.authorizedPortion}, leaving`,
    );
  });

  it('labels 2015 citations with Page(s) and 2013 notice citations', () => {
    const old = letters.filter((l) => l.features.includes('page-citation'))[0]!;
    const cites = old.label.items.flatMap((i) => [
      ...(i.claimsAdministratorGuideline?.citations ?? []),
      ...(i.maximusGuideline?.citations ?? []),
    ]);
    const paged = cites.find((c) => c.pages !== null)!;
    expect(paged.sections).toBeNull();
    expect(flat(old.text)).toContain(`Decision based on ${paged.source} Page(s): ${paged.pages}.`);

    const notice = generateLetter(21, { layout: 'notice-2013', items: 2 });
    expect(notice.text).toContain('Notice of Independent Medical Review Determination');
    const g = notice.label.items[0]!.maximusGuideline!;
    if (g.citations.length > 0) {
      expect(flat(notice.text)).toContain(`based his/her decision on the ${g.source}`);
      expect(g.source).not.toContain(',');
    }
    expect(notice.label.extra?.dateAssigned).toBeTruthy();
  });
});

describe('PDF', () => {
  const cases: [string, number, Parameters<typeof generateLetterPdf>[1]][] = [
    ['fdl-2016', 12, { layout: 'fdl-2016', items: 5 }],
    ['fdl-2016 21 items', 13, { layout: 'fdl-2016', items: 21 }],
    ['fdl-2015', 14, { layout: 'fdl-2015', items: 2 }],
    ['notice-2013', 15, { layout: 'notice-2013', items: 3 }],
  ];
  for (const [name, seed, opts] of cases) {
    it(`opens in pdf.js with the case number, decision words and header labels (${name})`, async () => {
      const { label, pdf } = await generateLetterPdf(seed, opts);
      expect(pdf.byteLength).toBeLessThan(30 * 1024);
      const { pages, fonts } = await pdfItems(pdf);
      const all = pages.flat();
      const joined = all.map((i) => i.str).join(' ');
      expect(joined).toContain(label.caseNumber!);
      if (opts?.layout === 'notice-2013') {
        const verdicts = joined.match(/is (not ?)?medically necessary and appropriate/g) ?? [];
        expect(verdicts.length).toBeGreaterThanOrEqual(label.items.length);
        expect(all.some((i) => i.str.startsWith('IMR Case Number:'))).toBe(true);
        return;
      }
      const words = all.filter((i) => i.str === 'Upheld' || i.str === 'Overturned').map((i) => i.str);
      expect(words).toEqual(label.items.map((i) => (i.decision === 'upheld' ? 'Upheld' : 'Overturned')));
      const first = pages[0]!;
      for (const l of [
        'Case Number:',
        'Date Assigned:',
        'Decision Date:',
        'Priority:',
        'Date of Injury:',
        'UR Denial Date:',
        'Application',
        'Received:',
      ]) {
        expect(
          first.some((i) => i.str === l),
          l,
        ).toBe(true);
      }
      const caseItem = first.find((i) => i.str === label.caseNumber)!;
      expect(caseItem.x).toBeCloseTo(179.4, 0);
      const injury = first.find((i) => i.str === 'Date of Injury:')!;
      expect(injury.x).toBeCloseTo(329, 0);
      // The item lines are set in Times-Bold, the decision word in Times-Roman.
      const word = all.find((i) => i.str === 'Upheld' || i.str === 'Overturned')!;
      expect(fonts.get(word.font)).toMatch(/Times-Roman|Times_Roman|TimesRoman/i);
      const heading = all.find((i) => i.str === 'IMR ISSUES, DECISIONS AND RATIONALES')!;
      expect(fonts.get(heading.font)).toMatch(/Bold/i);
      for (const it of all) expect(it.x).toBeGreaterThanOrEqual(71.9);
    });
  }
});

describe('typesetter', () => {
  /** Rebuild a paragraph from its lines: a line ending in a hyphen continues the token. */
  const rebuild = (lines: string[]) =>
    lines.reduce((acc, l, i) => (i === 0 ? l : acc.endsWith('-') ? acc + l : `${acc} ${l}`), '');
  const lineTexts = (layout: ReturnType<typeof layoutBlocks>) =>
    layout.lines.map((l) => l.fragments.map((f) => f.text).join(' '));
  const lineWidths = (layout: ReturnType<typeof layoutBlocks>) =>
    layout.lines.map((l) => {
      const last = l.fragments[l.fragments.length - 1]!;
      return last.x + textWidth(last.text, last.font) - 72;
    });

  it('wraps within the text width and breaks a long URL only after a hyphen', () => {
    const url =
      'https://www.example.org/clinical-guidance/physical-therapy-for-the-lumbar-spine-recommendations-for-injured-workers-2016-update';
    const text = `Decision based on Non-MTUS Citation ${url}, ${url}.`;
    const layout = layoutBlocks([{ kind: 'para', lead: 'MAXIMUS guideline:', text }]);
    const lines = lineTexts(layout);
    expect(lines.length).toBeGreaterThan(2);
    expect(rebuild(lines)).toBe(`MAXIMUS guideline: ${text}`);
    for (const w of lineWidths(layout)) expect(w).toBeLessThanOrEqual(468);
    // The URL is broken after hyphens only: every line that continues a URL follows a line ending in '-'.
    for (const [i, l] of lines.entries()) {
      if (i > 0 && !lines[i - 1]!.endsWith('-'))
        expect(l.startsWith('https') || !l.startsWith('/')).toBe(true);
    }
  });

  it('never breaks inside an ordinary word and keeps every line inside the margins', async () => {
    const words = 'The injured worker reported persistent pain with prolonged standing and walking'.split(
      ' ',
    );
    const text = Array.from({ length: 120 }, (_, i) => words[i % words.length]).join(' ');
    const layout = layoutBlocks([{ kind: 'para', text }]);
    expect(lineTexts(layout).join(' ')).toBe(text);
    for (const w of lineWidths(layout)) expect(w).toBeLessThanOrEqual(468);
    const { pages } = await pdfItems(await typesetBlocks([{ kind: 'para', text }]));
    for (const it of pages.flat()) expect(it.x).toBeGreaterThanOrEqual(71.9);
  });

  it('starts a new page before a line would go below the bottom margin', () => {
    const text = Array.from({ length: 2000 }, () => 'word').join(' ');
    const layout = layoutBlocks([{ kind: 'para', text }]);
    expect(layout.pageCount).toBeGreaterThan(1);
    for (const l of layout.lines) expect(l.y).toBeGreaterThanOrEqual(72);
  });

  it('replaces characters the standard fonts cannot encode', () => {
    expect(winAnsiSafe('\u201cOK\u201d \u2013 it\u2019s\u00a0fine \u2014 \u2192')).toBe(
      '"OK" - it\'s fine - ?',
    );
  });

  it('un-double-spaces a plain-text letter and recognises headings and item lines', async () => {
    const src = [
      ' IMR ISSUES, DECISIONS AND RATIONALES ',
      '',
      'The Final Determination was based on decisions for the disputed items/services set forth below: ',
      '',
      ' ',
      '',
      'Home exercise kit QTY: 1:  Upheld ',
      '',
      'Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines ',
      '',
      'Exercise Page(s): 46. ',
      '',
    ].join('\n');
    expect(undoubleSpace(src)).toEqual([
      'IMR ISSUES, DECISIONS AND RATIONALES',
      'The Final Determination was based on decisions for the disputed items/services set forth below:',
      '',
      'Home exercise kit QTY: 1:  Upheld',
      'Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines',
      'Exercise Page(s): 46.',
    ]);
    const blocks = textToBlocks(src);
    expect(blocks[0]).toMatchObject({ kind: 'heading' });
    expect(blocks.find((b) => b.kind === 'para' && b.lead === 'Home exercise kit QTY: 1:')).toMatchObject({
      text: 'Upheld',
    });
    const { pages, fonts } = await pdfItems(await typesetText(src));
    const items = pages.flat();
    const heading = items.find((i) => i.str === 'IMR ISSUES, DECISIONS AND RATIONALES')!;
    expect(fonts.get(heading.font)).toMatch(/Bold/i);
    expect(items.some((i) => i.str === 'Exercise Page(s): 46.')).toBe(true);
  });
});

describe('committed samples', () => {
  const dir = fileURLToPath(new URL('../samples', import.meta.url));
  const pdfs = readdirSync(dir).filter((f) => f.endsWith('.pdf'));

  it('cover all three layouts, each PDF small and with a valid label beside it', () => {
    expect(pdfs.length).toBeGreaterThanOrEqual(8);
    for (const layout of LAYOUTS) expect(pdfs.some((f) => f.startsWith(layout))).toBe(true);
    for (const f of pdfs) {
      // Typeset letters stay tiny; the scanned and fax copies are page images.
      const limit = /^(?:scanned|fax)-/.test(f) ? 1024 * 1024 : 30 * 1024;
      expect(statSync(join(dir, f)).size, f).toBeLessThan(limit);
      const label = JSON.parse(readFileSync(join(dir, f.replace(/\.pdf$/, '.json')), 'utf8'));
      expect(() => Label.parse(label), f).not.toThrow();
    }
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const f of pdfs) expect(readme).toContain(f);
    expect(readme).toMatch(/synthetic/i);
  });
});
