import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LetterRecord } from '../../schemas/letter.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { imr } from '../../workers/imr.js';
import { encryptedPdf, notALetterPdf, truncated } from '../helpers/bad-pdfs.js';
import { sink } from '../helpers/cli.js';

async function run(argv: string[]) {
  const out = sink();
  const err = sink();
  const code = await imr(argv, { stdout: out.stream, stderr: err.stream, env: { IMR_OCR_NICE: '0' } });
  return { code, stdout: out.text(), stderr: err.text() };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imr-extract-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imr extract', () => {
  it('gives each bad input its own failed code, exits 1, and still extracts the good files', async () => {
    const inbox = join(dir, 'mixed');
    await mkdir(inbox);
    const good1 = await generateLetterPdf(101);
    const good2 = await generateLetterPdf(202);
    await writeFile(join(inbox, 'a-good.pdf'), good1.pdf);
    await writeFile(join(inbox, 'b-notes.pdf'), 'These are meeting notes, not a PDF.\n');
    await writeFile(join(inbox, 'c-empty.pdf'), '');
    await writeFile(join(inbox, 'd-truncated.pdf'), truncated(good2.pdf));
    await writeFile(join(inbox, 'e-encrypted.pdf'), await encryptedPdf());
    await writeFile(join(inbox, 'f-report.pdf'), await notALetterPdf());
    await writeFile(join(inbox, 'g-good.pdf'), good2.pdf);

    const { code, stdout, stderr } = await run(['extract', inbox]);
    expect(code).toBe(1);
    const records = stdout
      .trim()
      .split('\n')
      .map((l) => LetterRecord.parse(JSON.parse(l)));
    const byName: Record<string, LetterRecord> = Object.fromEntries(
      records.map((r) => [r.file.split('/').at(-1) ?? r.file, r]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'a-good.pdf',
      'b-notes.pdf',
      'c-empty.pdf',
      'd-truncated.pdf',
      'e-encrypted.pdf',
      'f-report.pdf',
      'g-good.pdf',
    ]);
    const codes = {
      'b-notes.pdf': 'not_pdf',
      'c-empty.pdf': 'empty_file',
      'd-truncated.pdf': 'truncated_pdf',
      'e-encrypted.pdf': 'encrypted',
      'f-report.pdf': 'unknown_layout',
    };
    for (const [name, want] of Object.entries(codes)) {
      expect(byName[name]?.status, name).toBe('failed');
      expect(byName[name]?.error?.code, name).toBe(want);
    }
    expect(new Set(Object.values(codes)).size).toBe(5);
    for (const [name, truth] of [
      ['a-good.pdf', good1.label],
      ['g-good.pdf', good2.label],
    ] as const) {
      const r = byName[name]!;
      expect(r.status).not.toBe('failed');
      expect(r.caseNumber).toBe(truth.caseNumber);
      expect(r.items.map((i) => i.decision)).toEqual(truth.items.map((i) => i.decision));
    }
    expect(stderr).toMatch(/7 file\(s\): .* 5 failed/);
  });

  it('writes to --out atomically and exits 0 when nothing failed', async () => {
    const inbox = join(dir, 'good');
    await mkdir(inbox);
    await writeFile(join(inbox, 'one.pdf'), (await generateLetterPdf(7)).pdf);
    const out = join(dir, 'out', 'records.jsonl');
    const { code } = await run(['extract', inbox, '--out', out]);
    expect(code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(LetterRecord.parse(JSON.parse(lines[0]!)).status).not.toBe('failed');
  });

  it('reports a missing path as a failed record, and a bad command line as a usage error', async () => {
    const missing = await run(['extract', join(dir, 'nope.pdf')]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('not_found');
    expect((await run(['extract'])).code).toBe(2);
    expect((await run(['extract', '--bogus', dir])).code).toBe(2);
    expect((await run(['no-such-command'])).code).toBe(2);
    const help = await run(['extract', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('imr extract <pdf-or-dir>');
  });
});
