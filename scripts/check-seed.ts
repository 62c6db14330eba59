// node bin/run.js scripts/check-seed.ts <seed-letter.txt>
// Typesets the 2015 seed letter (text only) into a PDF with the generator's typesetter, extracts it, and
// checks the fields the extraction issue names. Exit 1 on any difference.
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { processPdf } from '../src/pipeline/process-letter.js';
import { typesetText } from '../src/synth/typeset.js';

const path = process.argv[2];
if (!path) {
  console.error('usage: node bin/run.js scripts/check-seed.ts <seed-letter.txt>');
  process.exit(2);
}
const pdf = await typesetText(await readFile(path, 'utf8'));
const { record } = await processPdf(path, pdf);
const item = record.items[0];
const checks: [string, unknown, unknown][] = [
  ['status', record.status === 'failed' ? 'failed' : 'processed', 'processed'],
  ['layout', record.layout, 'fdl-2015'],
  ['reviewer.specialty', record.reviewer.specialty, 'Physical Medicine & Rehabilitation'],
  ['reviewer.licensure', record.reviewer.licensure, ['California']],
  ['injuryDate', record.injuryDate, '2000-10-05'],
  ['patient', record.patient, { age: 72, sex: 'male' }],
  ['items.length', record.items.length, 1],
  ['items.0.description', item?.description, 'Additional massage therapy once monthly, bilateral knees'],
  ['items.0.quantity', item?.quantity, 6],
  ['items.0.decision', item?.decision, 'upheld'],
  [
    'items.0.claimsAdministratorGuideline.pages',
    item?.claimsAdministratorGuideline?.citations.map((c) => c.pages),
    ['60'],
  ],
  ['items.0.maximusGuideline.pages', item?.maximusGuideline?.citations.map((c) => c.pages), ['60']],
];
let bad = 0;
for (const [name, got, want] of checks) {
  const ok = isDeepStrictEqual(got, want);
  if (!ok) bad++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name}: ${JSON.stringify(got)}${ok ? '' : ` (want ${JSON.stringify(want)})`}`,
  );
}
console.log(`seed check: ${checks.length - bad} passed, ${bad} failed`);
process.exit(bad === 0 ? 0 : 1);
