import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Label } from '../../schemas/label.js';
import { TextDocument } from '../../schemas/text.js';
import { scoreRecords } from '../../src/bench/score.js';
import { extractText } from '../../src/pipeline/extract/extract-text.js';
import { recordFromText } from '../../src/pipeline/process-letter.js';

// Stage-by-stage goldens over committed samples: PDF -> stored page text (extract), stored page text ->
// record (parse + validate, no pdf.js). Refresh with UPDATE_GOLDENS=1 after an intended change, and read
// the diff: each golden also has a semantic check, so a blind refresh cannot bless a regression.
const SAMPLES = [
  'fdl-2016-modified-requests',
  'fdl-2016-guideline-citations',
  'fdl-2015-page-citations',
  'notice-2013-header-fields',
];
const update = process.env.UPDATE_GOLDENS === '1';
const here = import.meta.dirname;
const samples = join(here, '..', '..', 'samples');

async function golden<T>(file: string, actual: T): Promise<T> {
  const path = join(here, file);
  if (update || !existsSync(path)) await writeFile(path, `${JSON.stringify(actual, null, 1)}\n`);
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe.each(SAMPLES)('%s', (name) => {
  it('extract: the PDF gives the stored page text', async () => {
    const label = Label.parse(JSON.parse(await readFile(join(samples, `${name}.json`), 'utf8')));
    const doc = await extractText(new Uint8Array(await readFile(join(samples, `${name}.pdf`))));
    expect(doc).toEqual(await golden(`${name}.text.json`, doc));
    const all = doc.pages.map((p) => p.text).join('\n');
    expect(all).toContain(label.caseNumber!);
  });

  it('parse: the stored page text gives the stored record, and it matches the label', async () => {
    const label = Label.parse(JSON.parse(await readFile(join(samples, `${name}.json`), 'utf8')));
    const text = TextDocument.parse(JSON.parse(await readFile(join(here, `${name}.text.json`), 'utf8')));
    const record = recordFromText(`${name}.pdf`, '0'.repeat(64), text);
    expect(record).toEqual(await golden(`${name}.record.json`, record));
    expect(scoreRecords([{ file: name, label, record }]).misses).toEqual([]);
  });
});
