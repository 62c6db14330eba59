// node bin/run.js scripts/check-categories.ts <dir>... [--max 0.05] [--list] [--keep]
// Runs every PDF of the given folders (the real letters: ../shared/imr-letters/labeled and unlabeled,
// read in place) through extraction into a temporary SQLite store, then prints the `uncategorised`
// report, the share of items no category rule matched, and a category / drug class breakdown; --list
// prints every item with its category, for spot-checking the rules by reading. Exits 1 when the
// uncategorised share is --max or more.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { toTextTable } from '../src/analytics/format.js';
import { runQuery } from '../src/analytics/query.js';
import { runReport } from '../src/analytics/reports.js';
import { loadConfig } from '../src/config.js';
import { createExtractRuntime } from '../src/pipeline/extract-options.js';
import { processPdf } from '../src/pipeline/process-letter.js';
import { createStore } from '../src/store/create-store.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    max: { type: 'string', default: '0.05' },
    list: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const max = Number(values.max);
if (positionals.length === 0 || !Number.isFinite(max)) {
  console.error('usage: node bin/run.js scripts/check-categories.ts <dir>... [--max 0.05] [--list] [--keep]');
  process.exit(2);
}

const work = await mkdtemp(join(tmpdir(), 'imr-check-categories-'));
const url = join(work, 'imr.sqlite');
const store = createStore(url);
await store.migrate();
const runtime = createExtractRuntime(loadConfig(process.env));
let letters = 0;
let failed = 0;
try {
  for (const dir of positionals) {
    const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.pdf')).sort();
    for (const f of files) {
      const bytes = new Uint8Array(await readFile(join(dir, f)));
      const { record, text } = await processPdf(f, bytes, runtime.options);
      await store.registerFile({ sha256: record.sha256, path: join(dir, f), bytes });
      if (text) await store.saveText(record.sha256, text);
      await store.saveRecord(record);
      letters++;
      if (record.status === 'failed') {
        failed++;
        console.log(`FAILED ${f}: ${record.error?.code} ${record.error?.message}`);
      }
    }
  }
} finally {
  await runtime.close();
  await store.close();
}

const count = async (sql: string) => Number((await runQuery(url, sql)).rows[0]?.[0] ?? 0);
const items = await count('select count(*) from items');
const uncategorised = await count('select count(*) from items where category is null');
const share = items === 0 ? 0 : uncategorised / items;

if (values.list) {
  console.log('\nevery item with its category:');
  const list = await runQuery(
    url,
    `select file, idx, category, coalesce(subcategory, drug_class) as kind, drug, category_rule as rule, description
     from items order by category nulls first, kind, description`,
    { timeoutMs: 30_000, maxRows: 100_000 },
  );
  console.log(toTextTable(list, 90));
}
console.log('\ncategory / drug class breakdown:');
console.log(
  toTextTable(
    await runQuery(
      url,
      `select category, coalesce(subcategory, drug_class) as kind, count(*) as items,
         sum(case when decision = 'upheld' then 1 else 0 end) as upheld
       from items group by 1, 2 order by 3 desc, 1, 2`,
    ),
  ),
);
console.log('uncategorised report:');
console.log(toTextTable(await runReport(url, 'uncategorised'), 100));
console.log(
  `${letters} letters (${failed} failed), ${items} items, ${uncategorised} uncategorised: ${(share * 100).toFixed(1)}% (max ${(max * 100).toFixed(1)}%)`,
);
if (values.keep) console.log(`database kept: ${url}`);
else await rm(work, { recursive: true, force: true });
process.exit(share < max ? 0 : 1);
