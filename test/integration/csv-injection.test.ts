import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LetterRecord } from '../../schemas/letter.js';
import { analyticsEngineOf } from '../../src/analytics/engine.js';
import { processPdf } from '../../src/pipeline/process-letter.js';
import { Queues, redisConnection } from '../../src/queue/queues.js';
import { createApp } from '../../src/server/app.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { generateLetter, layoutBlocks } from '../../src/synth/index.js';
import { renderLayout } from '../../src/synth/typeset.js';
import { storeLetters } from '../helpers/analytics-letters.js';
import { csvObjects } from '../helpers/csv.js';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { storeEnv } from '../helpers/processes.js';
import { runImr } from '../helpers/run-imr.js';

const FORMULA = '=HYPERLINK("http://x","y")';

/** A synthetic letter whose first item's description (its item line and rationale) begins with FORMULA. */
async function formulaLetter(): Promise<{ record: LetterRecord; pdf: Uint8Array }> {
  const letter = generateLetter(7, { layout: 'fdl-2016', items: 2 });
  const description = letter.label.items?.[0]?.description;
  if (!description) throw new Error('seed 7 should have an item');
  for (const block of letter.blocks) {
    if (block.kind !== 'para') continue;
    if (block.lead?.includes(description))
      block.lead = block.lead.replace(description, `${FORMULA} ${description}`);
  }
  const pdf = await renderLayout(layoutBlocks(letter.blocks), { title: 'IMR determination (synthetic)' });
  const { record } = await processPdf('formula.pdf', pdf);
  return { record, pdf };
}

describe('CSV formula injection, end to end', () => {
  let env: TestEnv;
  let store: Store;
  let record: LetterRecord;
  let connection: ReturnType<typeof redisConnection>;
  let queues: Queues;

  beforeAll(async () => {
    env = await createTestEnv('sqlite');
    const letter = await formulaLetter();
    record = letter.record;
    store = createStore(env.config.databaseUrl);
    await store.migrate();
    await storeLetters(store, [letter]);
    connection = redisConnection(env.config.redisUrl);
    queues = new Queues(connection, env.config.queuePrefix);
  });

  afterAll(async () => {
    await queues?.close();
    connection?.disconnect();
    await store?.close();
    await env?.cleanup();
  });

  it('reads the letter with the formula as the item text', () => {
    expect(record.items[0]?.description.startsWith(FORMULA)).toBe(true);
  });

  it('imr export writes items.csv with the cell neutralised (a leading quote), numbers as numbers', async () => {
    const out = join(env.root, 'export-out');
    const run = await runImr(['export', '--format', 'csv', '--out', out], storeEnv(env.config));
    expect(run.code, run.stderr).toBe(0);
    const text = await readFile(join(out, 'items.csv'), 'utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")`);
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const rows = csvObjects(text);
    expect(rows[0]?.description).toBe(`'${record.items[0]?.description}`);
    expect(rows[0]?.item_index).toBe('0');
    expect(rows[0]?.patient_age).toBe(String(record.patient.age));
  });

  it("the API's CSV (the dashboard's download) and imr query --format csv neutralise it too", async () => {
    const app = createApp({
      store,
      queues,
      databaseUrl: env.config.databaseUrl,
      analytics: analyticsEngineOf(env.config),
    });
    const res = await app.request('http://127.0.0.1/api/items?format=csv');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    const rows = csvObjects(text);
    const first = rows.find((r) => r.idx === '0');
    expect(first?.description).toBe(`'${record.items[0]?.description}`);

    const query = await runImr(
      ['query', 'select description, -1 as minus_one from items order by idx', '--format', 'csv'],
      { ...storeEnv(env.config), IMR_ANALYTICS_COPY: env.config.analytics.copyPath ?? '' },
    );
    expect(query.code, query.stderr).toBe(0);
    expect(csvObjects(query.stdout)[0]).toEqual({
      description: `'${record.items[0]?.description}`,
      minus_one: '-1',
    });
  });
});
