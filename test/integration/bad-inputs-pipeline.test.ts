import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../schemas/config.js';
import { TERMINAL_STATUSES } from '../../schemas/document.js';
import { silentLogger } from '../../src/logger.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { type Pipeline, startPipeline } from '../../workers/main.js';
import { dropThenRemove, fsOddities, makeBadPdfs, textPdf, writeSlowly } from '../helpers/bad-inputs.js';
import { createTestEnv, filesIn, type TestEnv, waitFor } from '../helpers/pipeline-env.js';

let env: TestEnv | null = null;
let pipeline: Pipeline | null = null;

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = null;
  await env?.cleanup();
  env = null;
});

/**
 * What each bad input ends as, with the default limits. The README's table of bad inputs says the same:
 * keep them together. `null` code: not failed (the stated status).
 */
const EXPECTED: Record<string, { status: string; code: string | null }> = {
  'empty.pdf': { status: 'failed', code: 'empty_file' },
  'notes.pdf': { status: 'failed', code: 'not_pdf' },
  'truncated.pdf': { status: 'failed', code: 'truncated_pdf' },
  // pdf.js rebuilds a broken cross-reference table by scanning the file: the letter reads normally.
  'corrupt-xref.pdf': { status: 'done', code: null },
  'encrypted-user-password.pdf': { status: 'failed', code: 'encrypted' },
  // Opens without a password; readable, but it is not an IMR letter.
  'encrypted-empty-password.pdf': { status: 'failed', code: 'unknown_layout' },
  // JavaScript is never run (pdf.js without eval); the text is not an IMR letter.
  'javascript.pdf': { status: 'failed', code: 'unknown_layout' },
  'thousand-pages.pdf': { status: 'failed', code: 'too_large' },
  // Its text layer is read (no pixels needed): not an IMR letter.
  'huge-page.pdf': { status: 'failed', code: 'unknown_layout' },
  // A huge page with no text must be rendered for OCR: over the pixel limit.
  'huge-blank-page.pdf': { status: 'failed', code: 'page_too_large' },
  // Its streams would inflate past the limit: stopped before pdf.js holds them in memory.
  'decompression-bomb.pdf': { status: 'failed', code: 'memory_limit' },
  'noise-image.pdf': { status: 'failed', code: 'no_text' },
  'non-imr.pdf': { status: 'failed', code: 'unknown_layout' },
  // The letter's header is there, its items are not: a person must look.
  'items-cut-off.pdf': { status: 'needs_review', code: null },
};

describe('bad inputs among good files', () => {
  it('ends every file in one visible state with its code, keeps the originals, and processes the good ones', async () => {
    // The stable delay is well over the pauses of the slow writer below (1 s; it shares this busy process,
    // so its timers run late), as it must be in use.
    env = await createTestEnv('sqlite', { stableMs: 3000 });
    // Tighter OCR time than the default so that a page of noise cannot hold the test up for minutes.
    const config: Config = { ...env.config, ocr: { ...env.config.ocr, timeoutMs: 60_000 } };
    const inbox = config.inbox.dir;
    const bad = await makeBadPdfs();
    bad.push({
      name: 'huge-blank-page.pdf',
      kind: 'huge-page',
      bytes: textPdf([], { mediaBox: [0, 0, 14400, 14400] }),
      description: 'a 200 x 200 inch page with nothing on it',
    });
    const good = await Promise.all(
      [41, 42, 43].map((seed) => generateLetterPdf(seed, { layout: 'fdl-2016' })),
    );
    for (const b of bad) await writeFile(join(inbox, b.name), b.bytes);
    for (const [i, g] of good.entries()) await writeFile(join(inbox, `good-${i}.pdf`), g.pdf);
    // The same bytes as good-0 under another name: linked, not processed twice.
    await writeFile(join(inbox, 'good-0 (copy).pdf'), good[0]!.pdf);
    // Spaces, unicode, a leading dash (good letters), and things the inbox ignores.
    const oddities = await fsOddities(inbox, (await generateLetterPdf(44, { layout: 'fdl-2016' })).pdf);

    pipeline = await startPipeline(config, { workers: true, watcher: true, server: false }, silentLogger());
    const p = pipeline;
    // While it runs: a file still being written, and one removed before it could be read.
    const slow = (await generateLetterPdf(45, { layout: 'fdl-2016' })).pdf;
    const writing = writeSlowly(join(inbox, 'still-writing.pdf'), slow, 4, 3000);
    await dropThenRemove(join(inbox, 'gone.pdf'), (await generateLetterPdf(46)).pdf, 50);
    await writing;

    const named = oddities.filter((o) =>
      ['name-with-spaces', 'unicode-name', 'leading-dash'].includes(o.kind),
    );
    const expectedFiles = bad.length + good.length + 1 + named.length + 1; // + copy, + still-writing
    await waitFor(
      async () =>
        (await p.store.listFiles()).length >= expectedFiles &&
        (await p.store.listFiles({ unsettled: true })).length === 0,
      240_000,
      'every file settled',
    );

    const docs = await p.store.listDocuments();
    const files = await p.store.listFiles();
    expect(files).toHaveLength(expectedFiles);
    // The copy of good-0, and two of the three oddly named files (they carry the same letter).
    expect(files.filter((f) => f.duplicate)).toHaveLength(1 + named.length - 1);
    expect(docs).toHaveLength(expectedFiles - named.length);
    expect(docs.every((d) => TERMINAL_STATUSES.includes(d.status))).toBe(true);
    // The inbox never read a file that was removed first.
    expect(files.some((f) => f.path.endsWith('gone.pdf'))).toBe(false);

    const byName = new Map(docs.map((d) => [d.fileName, d]));
    const outcome = Object.fromEntries(
      Object.keys(EXPECTED).map((name) => {
        const d = byName.get(name);
        return [name, { status: d?.status ?? 'missing', code: d?.errorCode ?? null }];
      }),
    );
    expect(JSON.stringify(outcome, null, 1)).toBe(JSON.stringify(EXPECTED, null, 1));
    // Good letters (under any of their names: a copy may have been read first) are done and archived.
    const status = new Map(docs.map((d) => [d.sha256, d.status]));
    for (const name of [
      'good-0.pdf',
      'good-0 (copy).pdf',
      'good-1.pdf',
      'good-2.pdf',
      'still-writing.pdf',
      ...named.map((n) => n.name),
    ]) {
      const file = files.find((f) => f.path.endsWith(`/${name}`));
      expect(file && status.get(file.sha256), name).toBe('done');
      expect(file?.settledTo, name).toContain(config.inbox.archiveDir);
    }
    // The file written slowly was read once, complete.
    expect(docs.find((d) => d.bytes === slow.byteLength && d.status === 'done')).toBeDefined();

    // Every failed original is kept in quarantine, byte for byte, with its error file.
    const quarantined = await filesIn(config.inbox.quarantineDir);
    for (const [name, e] of Object.entries(EXPECTED)) {
      if (e.status !== 'failed') continue;
      expect(quarantined).toContain(name);
      const error = JSON.parse(
        await readFile(join(config.inbox.quarantineDir, `${name}.error.json`), 'utf8'),
      );
      expect(error).toMatchObject({ file: name, code: e.code });
      const original = bad.find((b) => b.name === name)!;
      expect((await stat(join(config.inbox.quarantineDir, name))).size).toBe(original.bytes.byteLength);
    }
    // What the inbox ignores is still there, untouched; nothing else is.
    const ignored = oddities.filter((o) => !named.includes(o));
    expect((await readdir(inbox)).sort()).toEqual(ignored.map((o) => o.name).sort());
    expect((await stat(join(inbox, 'x.pdf'))).isDirectory()).toBe(true);

    // The workers survived all of it: one more good letter goes through.
    await writeFile(join(inbox, 'after.pdf'), (await generateLetterPdf(47, { layout: 'fdl-2016' })).pdf);
    await waitFor(
      async () =>
        (await p.store.listDocuments()).some((d) => d.fileName === 'after.pdf' && d.status === 'done'),
      60_000,
      'a good letter after the bad ones',
    );
  });
});
