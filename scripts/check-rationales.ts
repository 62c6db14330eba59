// node bin/run.js scripts/check-rationales.ts <dir>... [--verbose]
// Runs every PDF of the folders through extraction (text layer only, no OCR) and reports what the
// rationales conclude against the decisions: each `rationale_contradicts_decision` (a false alarm sends a
// sound letter to QA) and every other error-severity mismatch, with the sentence the conclusion was read
// from. Fails when any rationale contradicts its decision, or any letter has an error or fails.
// --verbose prints every item's reading, for a person to check that each conclusion is right.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Item } from '../schemas/letter.js';
import { loadConfig } from '../src/config.js';
import { createExtractRuntime } from '../src/pipeline/extract-options.js';
import { readConclusion } from '../src/pipeline/parse/item-text.js';
import { processPdf } from '../src/pipeline/process-letter.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { verbose: { type: 'boolean', default: false } },
});
if (positionals.length === 0) {
  console.error('usage: node bin/run.js scripts/check-rationales.ts <dir>... [--verbose]');
  process.exit(2);
}

const CONTRADICTS = 'rationale_contradicts_decision';
const clip = (s: string, n = 240) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function reading(item: Item): string {
  if (item.rationale === null) return 'no rationale';
  const { sentence } = readConclusion(item.rationale);
  const last =
    item.rationale
      .replace(/\s+/g, ' ')
      .trim()
      .split(/(?<=[.!?])\s+/)
      .at(-1) ?? '';
  return clip(sentence ?? `(no conclusion) last sentence: ${last}`);
}

const runtime = createExtractRuntime(loadConfig(process.env), 'never');
const counts = { letters: 0, failed: 0, items: 0, nullConclusions: 0, contradictions: 0, errors: 0 };
try {
  for (const dir of positionals) {
    const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.pdf')).sort();
    for (const f of files) {
      const file = join(dir, f);
      const { record } = await processPdf(f, new Uint8Array(await readFile(file)), runtime.options);
      counts.letters++;
      if (record.status === 'failed') {
        counts.failed++;
        console.log(`FAILED ${file}: ${record.error?.code} ${record.error?.message}`);
        continue;
      }
      counts.items += record.items.length;
      counts.nullConclusions += record.items.filter((i) => i.rationaleConclusion === null).length;
      if (values.verbose) {
        console.log(file);
        record.items.forEach((item, i) => {
          console.log(`  #${i} ${item.decision} -> ${item.rationaleConclusion ?? 'NONE'} | ${reading(item)}`);
        });
      }
      for (const m of record.mismatches.filter((x) => x.severity === 'error')) {
        counts.errors++;
        const index = /^items\.(\d+)/.exec(m.field)?.[1];
        const item = index === undefined ? undefined : record.items[Number(index)];
        if (m.code === CONTRADICTS) counts.contradictions++;
        const what = item ? `item ${index} (${item.decision}): ${reading(item)}` : m.message;
        console.log(
          `${m.code === CONTRADICTS ? 'CONTRADICTS' : 'error'} ${file} ${m.field} ${m.code}: ${what}`,
        );
      }
    }
  }
} finally {
  await runtime.close();
}
console.log(
  `${counts.letters} letters (${counts.failed} failed), ${counts.items} items, ${counts.nullConclusions} without a conclusion; ` +
    `${counts.contradictions} ${CONTRADICTS}, ${counts.errors} error mismatch(es) in all`,
);
// Clean text letters are read right: any error sends one to review for nothing (or a failed file).
process.exit(counts.contradictions === 0 && counts.errors === 0 && counts.failed === 0 ? 0 : 1);
