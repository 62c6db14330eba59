// node bin/run.js scripts/make-samples.ts [--out samples]
// node bin/run.js scripts/make-samples.ts --count N [--seed S] --out DIR
//
// Without --count: writes the committed sample set (synthetic letters named for what they exercise,
// each PDF with its label JSON beside it, plus README.md). With --count: N random letters (seeds S..S+N-1,
// mostly fdl-2016) with labels and a manifest.json, for benchmarks.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  FEATURES,
  type Feature,
  type GenerateOptions,
  generateLetter,
  generateLetterPdf,
} from '../src/synth/index.js';
import { DEFAULT_SCAN, SCAN_PROFILES, type ScanOptions, scanPdf } from '../src/synth/scan.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
  },
});

const MAX_PDF_BYTES = 30 * 1024;

interface SampleSpec {
  name: string;
  /** What the letter is for, in the README. */
  about: string;
  /** First seed tried; the script takes the first seed from here whose letter has every `expect` feature. */
  seed: number;
  opts: GenerateOptions;
  expect: Feature[];
}

const on = (...fs: Feature[]): Partial<Record<Feature, boolean>> =>
  Object.fromEntries(fs.map((f) => [f, true]));

const SAMPLES: SampleSpec[] = [
  {
    name: 'fdl-2016-single-item',
    about: 'The plain 2016-17 letter: header table, one disputed item, one MTUS citation with Section(s).',
    seed: 101,
    opts: {
      layout: 'fdl-2016',
      items: 1,
      features: on('worker-this-is', 'date-dash4', 'licensure-1', 'mtus-section'),
    },
    expect: [
      'single-item',
      'worker-this-is',
      'date-dash4',
      'licensure-1',
      'mtus-section',
      'rationale-not-necessary',
    ],
  },
  {
    name: 'fdl-2016-modified-requests',
    about:
      'The three modified-request wordings (remaining portion "... is:", the same without "is", and "The Claims Administrator authorized Y, leaving the original request IMR eligible"), items over three lines, a decision word alone on the next line, mixed outcomes.',
    seed: 202,
    opts: {
      layout: 'fdl-2016',
      items: 5,
      features: on(
        'modified-remaining-is',
        'modified-remaining',
        'modified-authorized',
        'decision-own-line',
        'mixed-outcomes',
        'worker-case-involves',
        'date-slash',
        'licensure-3',
        'licensure-comma-nospace',
      ),
    },
    expect: [
      'modified-remaining-is',
      'modified-remaining',
      'modified-authorized',
      'decision-own-line',
      'item-wrap-3',
      'mixed-outcomes',
      'hash-quantity',
      'worker-case-involves',
      'date-slash',
      'licensure-3',
      'licensure-comma-nospace',
    ],
  },
  {
    name: 'fdl-2016-guideline-citations',
    about:
      'Guideline paragraphs: several MTUS guidelines joined by ", and " with "Forearm, Wrist, and Hand Complaints 2004" after the first, a guideline without a section, a second "Decision based on Non-MTUS Citation" sentence (ODG, UpToDate, a URL broken across lines after hyphens), the "based their decision on recommendation(s) outside of the MTUS Guidelines" preambles, "did not cite any medical evidence", rationales ending otherwise; a specialty that wraps onto a second line.',
    seed: 303,
    opts: {
      layout: 'fdl-2016',
      items: 7,
      features: on(
        'mtus-multi',
        'forearm-wrist-hand-joined',
        'mtus-no-section',
        'non-mtus-sentence',
        'uptodate',
        'url-broken',
        'preamble-ca',
        'preamble-er',
        'no-citation-ca',
        'no-citation-er',
        'rationale-other',
        'specialty-wrap',
        'worker-applicant',
        'date-long',
      ),
    },
    expect: [
      'mtus-multi',
      'forearm-wrist-hand-joined',
      'mtus-no-section',
      'mtus-section',
      'non-mtus-sentence',
      'odg',
      'uptodate',
      'url-broken',
      'preamble-ca',
      'preamble-er',
      'no-citation-ca',
      'no-citation-er',
      'rationale-other',
      'specialty-wrap',
      'worker-applicant',
      'date-long',
    ],
  },
  {
    name: 'fdl-2016-item-text',
    about:
      'Item text: colons inside items (such as "Associated surgical service: ..."), a trailing QTY: N, #N quantities, prose counts that are not quantities (such as "2 times a week for 6 weeks", "times 12", "quantity six"), items over two lines, no blank line between some paragraphs; a worker described without an age, a date written "10/10/ 2016", and a case-summary injury date that disagrees with the header (the label follows the header).',
    seed: 404,
    opts: {
      layout: 'fdl-2016',
      items: 6,
      features: on(
        'colon-in-item',
        'qty-suffix',
        'hash-quantity',
        'prose-count',
        'tight-spacing',
        'rationale-necessary',
        'worker-sex-only',
        'date-slash-space',
        'injury-date-mismatch',
        'licensure-2',
        'licensure-comma-space',
      ),
    },
    expect: [
      'colon-in-item',
      'qty-suffix',
      'hash-quantity',
      'prose-count',
      'item-wrap-2',
      'tight-spacing',
      'rationale-necessary',
      'worker-sex-only',
      'no-age',
      'date-slash-space',
      'injury-date-mismatch',
      'licensure-2',
      'licensure-comma-space',
    ],
  },
  {
    name: 'fdl-2016-21-items',
    about: 'The largest letter: 21 disputed items over many pages, mixed outcomes.',
    seed: 505,
    opts: { layout: 'fdl-2016', items: 21, features: on('mixed-outcomes', 'worker-age-first', 'date-dash2') },
    expect: ['max-items', 'many-items', 'mixed-outcomes', 'worker-age-first', 'date-dash2'],
  },
  {
    name: 'fdl-2016-unstated-worker',
    about:
      'A case summary that states neither age nor sex (label: null, null), an Expedited priority, a specialty with a typo kept as written.',
    seed: 606,
    opts: {
      layout: 'fdl-2016',
      items: 2,
      features: on('worker-unstated', 'priority-expedited', 'specialty-typo'),
    },
    expect: ['worker-unstated', 'no-age', 'priority-expedited', 'specialty-typo'],
  },
  {
    name: 'fdl-2016-all-overturned',
    about:
      'Every item overturned (rationales ending "is medically necessary"); the worker introduced "According to the medical records available for review, ...".',
    seed: 650,
    opts: { layout: 'fdl-2016', items: 3, features: on('worker-according', 'all-overturned') },
    expect: ['worker-according', 'all-overturned', 'rationale-necessary'],
  },
  {
    name: 'fdl-2015-page-citations',
    about:
      'The 2015 wording: citations like "Decision based on MTUS Chronic Pain Treatment Guidelines Lidoderm Page(s): 56-57." (no comma before Page(s); the label has source "MTUS Chronic Pain Treatment Guidelines Lidoderm", pages "56-57"), items with a trailing QTY: N, rationales ending "the request IS (NOT) medically necessary".',
    seed: 707,
    opts: {
      layout: 'fdl-2015',
      items: 3,
      features: on('qty-suffix', 'worker-injured-worker', 'date-long', 'mixed-outcomes'),
    },
    expect: ['layout-fdl-2015', 'page-citation', 'qty-suffix', 'worker-injured-worker', 'mixed-outcomes'],
  },
  {
    name: 'fdl-2015-industrial-date',
    about:
      'A second 2015 letter: one item, a worker "with an industrial injury date of ...", an overturned item.',
    seed: 808,
    opts: {
      layout: 'fdl-2015',
      items: 1,
      features: on('worker-industrial-date', 'rationale-necessary', 'date-dash4'),
    },
    expect: ['layout-fdl-2015', 'single-item', 'worker-industrial-date', 'rationale-necessary'],
  },
  {
    name: 'notice-2013-header-fields',
    about:
      'The 2013 "Notice of Independent Medical Review Determination": "Label: value" header lines with Date of Injury and Priority, numbered "has determined the request for ... is (not) medically necessary and appropriate" decisions, some with "notmedically" glued as in the text layers of that era, credentials in prose ("Board Certified in X and is licensed to practice in Y and Z"), citations "based its decision on the <guideline>, <section>, page(s) N".',
    seed: 909,
    opts: {
      layout: 'notice-2013',
      items: 3,
      features: {
        ...on('glued-words', 'licensure-2', 'mixed-outcomes'),
        'notice-no-header-injury': false,
        'notice-no-priority': false,
      },
    },
    expect: ['layout-notice-2013', 'glued-words', 'licensure-and', 'mixed-outcomes', 'notice-citation'],
  },
  {
    name: 'notice-2013-summary-dates',
    about:
      'A 2013 notice without Date of Injury and Priority in the header: the injury date comes from the quoted case summary, priority is null.',
    seed: 1001,
    opts: {
      layout: 'notice-2013',
      items: 2,
      features: on('notice-no-header-injury', 'notice-no-priority', 'hash-quantity'),
    },
    expect: ['layout-notice-2013', 'notice-no-header-injury', 'notice-no-priority', 'hash-quantity'],
  },
];

async function writeSample(dir: string, name: string, seed: number, opts: GenerateOptions, strict: boolean) {
  const { label, pdf, letter } = await generateLetterPdf(seed, opts);
  if (pdf.byteLength > MAX_PDF_BYTES) {
    const msg = `${name}: ${pdf.byteLength} bytes, over the ${MAX_PDF_BYTES} byte limit for committed samples`;
    if (strict) throw new Error(msg);
    console.warn(`warning: ${msg}`);
  }
  await writeFile(join(dir, `${name}.pdf`), pdf);
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(label, null, 2)}\n`);
  return { bytes: pdf.byteLength, letter };
}

async function makeSampleSet(dir: string) {
  await mkdir(dir, { recursive: true });
  const covered = new Set<Feature>();
  const rows: string[] = [];
  for (const spec of SAMPLES) {
    let seed = spec.seed;
    for (; seed < spec.seed + 2000; seed++) {
      const features = generateLetter(seed, spec.opts).features;
      if (spec.expect.every((f) => features.includes(f))) break;
    }
    if (seed === spec.seed + 2000)
      throw new Error(`${spec.name}: no seed from ${spec.seed} gives ${spec.expect.join(', ')}`);
    const { bytes, letter } = await writeSample(dir, spec.name, seed, spec.opts, true);
    for (const f of letter.features) covered.add(f);
    const opts = JSON.stringify({ ...spec.opts }).replace(/"/g, '');
    rows.push(
      `| \`${spec.name}.pdf\` | ${spec.about} | ${letter.label.items.length} | ${seed} | \`${opts}\` | ${letter.features.map((f) => `\`${f}\``).join(' ')} |`,
    );
    console.log(`${spec.name}.pdf  seed ${seed}  ${letter.label.items.length} items  ${bytes} bytes`);
  }
  // Scanned copies, so the quick start shows the OCR paths too (image-only PDFs, the source's label): a grey
  // scan, and a fax copy (what most offices send: 1-bit CCITT G4 at 204 x 196 dpi, read as stored).
  const copies: { name: string; source: string; options: ScanOptions; opts: string; about: string }[] = [
    {
      name: 'scanned-fdl-2016-single-item',
      source: 'fdl-2016-single-item',
      options: { ...DEFAULT_SCAN, noiseSigma: 6 },
      opts: 'DEFAULT_SCAN, noiseSigma 6',
      about:
        'A scanned copy of `fdl-2016-single-item.pdf` (`scanPdf` in `src/synth/scan.ts`: 200 DPI grey, turned up to 1 degree, light noise, JPEG 70, no text layer): read through OCR. Same label.',
    },
    {
      name: 'fax-fdl-2016-all-overturned',
      source: 'fdl-2016-all-overturned',
      options: { ...SCAN_PROFILES.fax, seed: 1 },
      opts: 'SCAN_PROFILES.fax',
      about:
        'A fax copy of `fdl-2016-all-overturned.pdf` (`SCAN_PROFILES.fax`: 1-bit CCITT G4 at 204 x 196 dpi, turned up to 2 degrees, squeezed 96-100%, specks): read as stored, specks removed, deskewed, through OCR. Same label.',
    },
  ];
  for (const copy of copies) {
    const bytes = await scanPdf(await readFile(join(dir, `${copy.source}.pdf`)), copy.options);
    const label = await readFile(join(dir, `${copy.source}.json`));
    await writeFile(join(dir, `${copy.name}.pdf`), bytes);
    await writeFile(join(dir, `${copy.name}.json`), label);
    const items = (JSON.parse(label.toString('utf8')) as { items: unknown[] }).items.length;
    rows.push(`| \`${copy.name}.pdf\` | ${copy.about} | ${items} | 1 | \`${copy.opts}\` | (as its source) |`);
    console.log(`${copy.name}.pdf  ${bytes.byteLength} bytes`);
  }
  const missing = FEATURES.filter((f) => !covered.has(f));
  const readme = [
    '# Sample letters (synthetic)',
    '',
    'Every file here is **synthetic**: generated by `scripts/make-samples.ts` with the letter generator in',
    '`src/synth/` (invented case numbers, people, clinical text, items and citations; no real letter is copied).',
    'Each `NAME.pdf` has its ground-truth label beside it as `NAME.json`, in the label format of the shared',
    'development set (`imr-letters/README.md`). Case numbers are in the 08xxxxx-09xxxxx range so they cannot be',
    'mistaken for real ones.',
    '',
    'Regenerate (deterministic: same script, same bytes):',
    '',
    '```',
    'node bin/run.js scripts/make-samples.ts --out samples',
    '```',
    '',
    'For benchmarks, `node bin/run.js scripts/make-samples.ts --count 200 --seed 1 --out data/synth` writes 200',
    'random letters (mostly fdl-2016) with labels and a `manifest.json` of the features each exercises.',
    '',
    '| file | exercises | items | seed | options | features (as checked on the generated letter) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    missing.length === 0
      ? 'Together the samples exercise every feature the generator knows (`FEATURES` in `src/synth/generate.ts`).'
      : `Features not in this set (reachable by seed/option, see the tests): ${missing.map((f) => `\`${f}\``).join(', ')}.`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'README.md'), readme);
  console.log(missing.length === 0 ? 'all features covered' : `not covered: ${missing.join(', ')}`);
}

async function makeRandomSet(dir: string, count: number, first: number) {
  await mkdir(dir, { recursive: true });
  const manifest: { file: string; seed: number; layout: string; items: number; features: Feature[] }[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const letter = generateLetter(seed);
    const name = `synth-${String(seed).padStart(6, '0')}-${letter.layout}`;
    await writeSample(dir, name, seed, {}, false);
    manifest.push({
      file: `${name}.pdf`,
      seed,
      layout: letter.layout,
      items: letter.label.items.length,
      features: letter.features,
    });
  }
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  const byLayout = manifest.reduce<Record<string, number>>((acc, m) => {
    acc[m.layout] = (acc[m.layout] ?? 0) + 1;
    return acc;
  }, {});
  console.log(`wrote ${count} letters to ${dir}: ${JSON.stringify(byLayout)}`);
}

if (values.count !== undefined) {
  const count = Number(values.count);
  const seed = Number(values.seed ?? 1);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    console.error('usage: make-samples.ts --count N [--seed S] --out DIR');
    process.exit(2);
  }
  if (!values.out) {
    console.error('--count needs --out DIR (the committed samples/ folder holds the named set)');
    process.exit(2);
  }
  await makeRandomSet(values.out, count, seed);
} else {
  await makeSampleSet(values.out ?? 'samples');
}
