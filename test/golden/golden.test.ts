import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Label } from '../../schemas/label.js';
import { TextDocument } from '../../schemas/text.js';
import { scoreRecords } from '../../src/bench/score.js';
import { extractText } from '../../src/pipeline/extract/extract-text.js';
import { recordFromText } from '../../src/pipeline/process-letter.js';

// Stage-by-stage goldens over committed samples: PDF -> stored page text (extract), stored page text ->
// record (parse + validate, no pdf.js). Refresh with UPDATE_GOLDENS=1 after an intended change, and read
// the diff: each golden also has a semantic check, so a blind refresh cannot bless a regression.
// A missing golden fails (it is never written silently); UPDATE_GOLDENS=1 writes missing and existing ones.
const SAMPLES = [
  'fdl-2016-modified-requests',
  'fdl-2016-guideline-citations',
  'fdl-2015-page-citations',
  'notice-2013-header-fields',
];
const update = process.env.UPDATE_GOLDENS === '1';
const here = import.meta.dirname;
const samples = join(here, '..', '..', 'samples');

/** A golden's text; a missing one fails (a silently written golden would pass whatever it holds). */
async function readGolden(file: string): Promise<string> {
  const path = join(here, file);
  if (!existsSync(path)) {
    throw new Error(
      `golden file ${relative(process.cwd(), path)} is missing: create it with ` +
        `UPDATE_GOLDENS=1 npx vitest run test/golden/golden.test.ts, then read it before committing`,
    );
  }
  return readFile(path, 'utf8');
}

/** The stored golden (UPDATE_GOLDENS=1: `actual` written first, over any existing one). */
async function golden<T>(file: string, actual: T): Promise<T> {
  if (update) await writeFile(join(here, file), `${JSON.stringify(actual, null, 1)}\n`);
  return JSON.parse(await readGolden(file)) as T;
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
    const text = TextDocument.parse(JSON.parse(await readGolden(`${name}.text.json`)));
    const record = recordFromText(`${name}.pdf`, '0'.repeat(64), text);
    expect(record).toEqual(await golden(`${name}.record.json`, record));
    expect(scoreRecords([{ file: name, label, record }]).misses).toEqual([]);
  });
});
