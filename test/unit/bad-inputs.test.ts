import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInflate, inflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFStream,
  PDFString,
} from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { getDocument, type PDFDocumentProxy } from '../../src/pipeline/extract/pdfjs.js';
import { generateLetter, generateLetterPdf } from '../../src/synth/index.js';
import {
  type BadInput,
  type BadInputKind,
  BOMB_INFLATED_BYTES,
  corruptXrefPdf,
  decompressionBombPdf,
  dropThenRemove,
  ENCRYPTED_SENTENCE,
  fsOddities,
  ITEMS_HEADING,
  itemsCutOffPdf,
  makeBadPdfs,
  OWNER_PASSWORD,
  truncatedPdf,
  USER_PASSWORD,
  writeSlowly,
} from '../helpers/bad-inputs.js';

const inputs = await makeBadPdfs();

function input(kind: BadInputKind): BadInput {
  const found = inputs.find((i) => i.kind === kind);
  if (!found) throw new Error(`no bad input of kind ${kind}`);
  return found;
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** Opens with the options the pipeline uses for text (pdf-document.ts), and always destroys the task. */
async function withDoc<T>(
  bytes: Uint8Array,
  use: (doc: PDFDocumentProxy) => Promise<T>,
  password?: string,
): Promise<T> {
  const task = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
    ...(password === undefined ? {} : { password }),
  });
  try {
    return await use(await task.promise);
  } finally {
    await task.destroy();
  }
}

async function pageText(doc: PDFDocumentProxy, n: number): Promise<string> {
  const content = await (await doc.getPage(n)).getTextContent();
  return content.items.map((i) => ('str' in i ? i.str : '')).join(' ');
}

async function allText(bytes: Uint8Array, password?: string): Promise<string> {
  return withDoc(
    bytes,
    async (doc) => {
      const pages: string[] = [];
      for (let n = 1; n <= doc.numPages; n++) pages.push(await pageText(doc, n));
      return pages.join('\n');
    },
    password,
  );
}

/** The raw (still compressed) content stream of page 1, read by pdf-lib rather than pdf.js. */
async function firstContentStream(bytes: Uint8Array): Promise<PDFRawStream> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const contents = doc.getPage(0).node.Contents();
  if (!(contents instanceof PDFRawStream)) throw new Error('page 1 has no single raw content stream');
  return contents;
}

/** In-use entries of the last classic xref table, parsed without pdf.js or pdf-lib. */
function xrefEntries(text: string): { num: number; offset: number }[] {
  const starts = [...text.matchAll(/(?:^|[\r\n])xref\r?\n/g)];
  const start = starts[starts.length - 1];
  if (!start) throw new Error('no xref table');
  const from = start.index + start[0].length;
  const lines = text
    .slice(from, text.indexOf('trailer', from))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const out: { num: number; offset: number }[] = [];
  let num = 0;
  for (const line of lines) {
    const parts = line.split(/\s+/);
    if (parts.length === 2) {
      num = Number(parts[0]);
      continue;
    }
    if (parts[2] === 'n') out.push({ num, offset: Number(parts[0]) });
    num++;
  }
  return out;
}

function startxref(text: string): number {
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
  if (!m) throw new Error('no startxref');
  return Number(m[1]);
}

/** Counts inflated bytes without holding them: the bomb's 1 GiB never sits in memory. */
async function inflatedSize(data: Uint8Array): Promise<number> {
  let total = 0;
  await pipeline(
    Readable.from([Buffer.from(data)]),
    createInflate({ chunkSize: 1024 * 1024 }),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        total += chunk.byteLength;
        done();
      },
    }),
  );
  return total;
}

describe('the bad-input catalog', () => {
  it('has one input of each kind, under distinct .pdf names, none over 5 MB', () => {
    expect(inputs.map((i) => i.kind).sort()).toEqual(
      [
        'corrupt-xref',
        'decompression-bomb',
        'empty',
        'encrypted-empty-password',
        'encrypted-user-password',
        'huge-page',
        'items-cut-off',
        'javascript',
        'noise-image',
        'non-imr',
        'text-named-pdf',
        'thousand-pages',
        'truncated',
      ].sort(),
    );
    const names = inputs.map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
    for (const i of inputs) {
      expect(i.name, i.kind).toMatch(/^[\w.-]+\.pdf$/);
      expect(i.bytes.byteLength, i.kind).toBeLessThan(5 * 1024 * 1024);
      const isPdf = i.kind !== 'empty' && i.kind !== 'text-named-pdf';
      expect(latin1(i.bytes.subarray(0, 5)) === '%PDF-', i.kind).toBe(isPdf);
    }
  });

  it('empty: 0 bytes named empty.pdf', () => {
    expect(input('empty')).toMatchObject({ name: 'empty.pdf' });
    expect(input('empty').bytes.byteLength).toBe(0);
  });

  it('text-named-pdf: a UTF-8 text file named notes.pdf that pdf.js refuses', async () => {
    const { name, bytes } = input('text-named-pdf');
    expect(name).toBe('notes.pdf');
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    expect(text).toMatch(/^Notes from the claims meeting/);
    expect(text).not.toContain('%PDF');
    await expect(withDoc(bytes, async () => undefined)).rejects.toMatchObject({
      name: 'InvalidPDFException',
    });
  });

  it('truncated: exactly the first 40% of a good letter, with no %%EOF', async () => {
    const { pdf } = await generateLetterPdf(11, { layout: 'fdl-2016' });
    const { bytes } = await truncatedPdf(11);
    expect(bytes.byteLength).toBe(Math.floor(pdf.byteLength * 0.4));
    expect(Buffer.from(bytes).equals(Buffer.from(pdf.subarray(0, bytes.byteLength)))).toBe(true);
    expect(latin1(bytes)).not.toContain('%%EOF');
    expect(latin1(input('truncated').bytes)).not.toContain('%%EOF');
  });

  it('corrupt-xref: a good letter whose xref offsets and startxref alone are garbage', async () => {
    const seed = 5;
    const good = await generateLetterPdf(seed, { layout: 'fdl-2016' });
    const classic = latin1(
      await (await PDFDocument.load(good.pdf, { updateMetadata: false })).save({ useObjectStreams: false }),
    );
    const badBytes = (await corruptXrefPdf(seed)).bytes;
    const bad = latin1(badBytes);
    expect(bad.length).toBe(classic.length);
    expect(bad.startsWith('%PDF-')).toBe(true);
    expect(bad.trimEnd().endsWith('%%EOF')).toBe(true);

    // The untouched original: every offset points at its object, startxref at the table.
    const goodEntries = xrefEntries(classic);
    expect(goodEntries.length).toBeGreaterThan(10);
    for (const { num, offset } of goodEntries) expect(classic.startsWith(`${num} 0 obj`, offset)).toBe(true);
    expect(classic.startsWith('xref', startxref(classic))).toBe(true);

    // The corrupt copy: the same entries, none pointing at its object; only digits of the table changed.
    const badEntries = xrefEntries(bad);
    expect(badEntries.map((e) => e.num)).toEqual(goodEntries.map((e) => e.num));
    for (const { num, offset } of badEntries) expect(bad.startsWith(`${num} 0 obj`, offset)).toBe(false);
    expect(bad.startsWith('xref', startxref(bad))).toBe(false);
    const tableAt = classic.lastIndexOf('\nxref');
    for (let i = 0; i < bad.length; i++) {
      if (bad[i] === classic[i]) continue;
      expect(i).toBeGreaterThan(tableAt);
      expect(bad[i]).toMatch(/\d/);
    }

    // Nothing else is broken: pdf.js rebuilds a lost xref by scanning, and reads every page.
    const pages = await withDoc(badBytes, async (doc) => doc.numPages);
    expect(pages).toBe(await withDoc(good.pdf, async (doc) => doc.numPages));
  });

  it('encrypted-user-password: RC4-128, refused without the password, readable with it', async () => {
    const { bytes } = input('encrypted-user-password');
    const raw = latin1(bytes);
    expect(raw).toMatch(/\/Encrypt \d+ 0 R/);
    expect(raw).toMatch(/\/Filter \/Standard \/V 2 \/R 3 \/Length 128/);
    expect(raw).not.toContain('physical therapy');
    await expect(PDFDocument.load(bytes)).rejects.toThrow(/encrypted/i);
    await expect(withDoc(bytes, async () => undefined)).rejects.toMatchObject({
      name: 'PasswordException',
      code: 1, // NEED_PASSWORD
    });
    await expect(withDoc(bytes, async () => undefined, 'wrong')).rejects.toMatchObject({
      name: 'PasswordException',
      code: 2, // INCORRECT_PASSWORD
    });
    expect(await allText(bytes, USER_PASSWORD)).toBe(ENCRYPTED_SENTENCE);
    // The owner password opens it too (Algorithm 7), which proves /O was computed right.
    expect(await allText(bytes, OWNER_PASSWORD)).toBe(ENCRYPTED_SENTENCE);
  });

  it('encrypted-empty-password: RC4-128, opens without asking and its text extracts', async () => {
    const { bytes } = input('encrypted-empty-password');
    const raw = latin1(bytes);
    expect(raw).toMatch(/\/Encrypt \d+ 0 R/);
    expect(raw).not.toContain('physical therapy');
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true });
    expect(doc.isEncrypted).toBe(true);
    expect(await allText(bytes)).toBe(ENCRYPTED_SENTENCE);
    expect(await allText(bytes, OWNER_PASSWORD)).toBe(ENCRYPTED_SENTENCE);
  });

  it('javascript: an OpenAction JavaScript action and a /Names /JavaScript tree, on a text page', async () => {
    const { bytes } = input('javascript');
    expect(latin1(bytes)).toContain("/OpenAction << /S /JavaScript /JS (app.alert\\('x'\\)) >>");
    const doc = await PDFDocument.load(bytes);
    const action = doc.catalog.lookup(PDFName.of('OpenAction'), PDFDict);
    expect(action.lookup(PDFName.of('S'), PDFName)).toBe(PDFName.of('JavaScript'));
    expect(action.lookup(PDFName.of('JS'), PDFString).decodeText()).toBe("app.alert('x')");
    const tree = doc.catalog
      .lookup(PDFName.of('Names'), PDFDict)
      .lookup(PDFName.of('JavaScript'), PDFDict)
      .lookup(PDFName.of('Names'), PDFArray);
    expect(tree.size()).toBe(2);
    const actions = await withDoc(bytes, async (d) => d.getJSActions());
    expect(actions).toMatchObject({
      OpenAction: ["app.alert('x')"],
      init: [expect.stringContaining('app.alert')],
    });
    expect(await allText(bytes)).toContain('runs a script');
  });

  it('thousand-pages: 1000 pages with text, in a small file', async () => {
    const { bytes } = input('thousand-pages');
    expect(bytes.byteLength).toBeLessThan(512 * 1024);
    const [count, first, last] = await withDoc(bytes, async (doc) =>
      Promise.all([doc.numPages, pageText(doc, 1), pageText(doc, 1000)]),
    );
    expect(count).toBe(1000);
    expect(first).toContain('Page 1 of 1000');
    expect(last).toContain('Page 1000 of 1000');
  });

  it('huge-page: one page 14400 points (200 inches) square, with text', async () => {
    const [width, height, text] = await withDoc(input('huge-page').bytes, async (doc) => {
      const page = await doc.getPage(1);
      const { width, height } = page.getViewport({ scale: 1 });
      return [width, height, await pageText(doc, 1)] as const;
    });
    expect([width, height]).toEqual([14400, 14400]);
    expect(text).toContain('200 inches');
  });

  it('decompression-bomb: about 1 MB that inflates to 1 GiB', async () => {
    const { bytes } = input('decompression-bomb');
    expect(bytes.byteLength).toBeLessThan(2 * 1024 * 1024);
    const stream = await firstContentStream(bytes);
    expect(stream.dict.lookup(PDFName.of('Filter'), PDFName)).toBe(PDFName.of('FlateDecode'));
    expect(stream.dict.lookup(PDFName.of('Length'), PDFNumber).asNumber()).toBe(stream.contents.byteLength);
    expect(() => inflateSync(stream.contents, { maxOutputLength: 64 * 1024 * 1024 })).toThrow(RangeError);
    expect(await inflatedSize(stream.contents)).toBe(BOMB_INFLATED_BYTES);
  });

  it('decompression-bomb, small variant: a valid page that inflates to the size asked for', async () => {
    const size = 4 * 1024 * 1024 + 17;
    const { bytes } = decompressionBombPdf(size);
    // inflateSync also checks the Adler-32 trailer.
    const inflated = inflateSync((await firstContentStream(bytes)).contents);
    expect(inflated.byteLength).toBe(size);
    const text = inflated.toString('latin1');
    expect(text).toMatch(/^BT .* Tj ET\n {100}/);
    expect(text.trimEnd().endsWith('ET')).toBe(true);
    expect(await allText(bytes)).toBe('Nothing to see here.');
  });

  it('noise-image: no text, only an 800x1000 gray image of noise', async () => {
    const { bytes } = input('noise-image');
    expect(await allText(bytes)).toBe('');
    const doc = await PDFDocument.load(bytes);
    const image = doc
      .getPage(0)
      .node.Resources()
      ?.lookup(PDFName.of('XObject'), PDFDict)
      .lookup(PDFName.of('Im1'), PDFStream);
    if (!(image instanceof PDFRawStream)) throw new Error('no image Im1');
    const num = (key: string) => image.dict.lookup(PDFName.of(key), PDFNumber).asNumber();
    expect([num('Width'), num('Height'), num('BitsPerComponent')]).toEqual([800, 1000, 8]);
    expect(image.dict.lookup(PDFName.of('ColorSpace'), PDFName)).toBe(PDFName.of('DeviceGray'));
    const pixels = inflateSync(image.contents);
    expect(pixels.byteLength).toBe(800 * 1000);
    // Noise: every gray level occurs, and the mean is mid-gray.
    expect(new Set(pixels).size).toBe(256);
    const mean = pixels.reduce((s, p) => s + p, 0) / pixels.byteLength;
    expect(mean).toBeGreaterThan(120);
    expect(mean).toBeLessThan(135);
  });

  it('non-imr: a wordy business letter with nothing of an IMR letter', async () => {
    const text = await allText(input('non-imr').bytes);
    expect(text.match(/[A-Za-z]{3,}/g)?.length).toBeGreaterThan(100);
    expect(text).toContain('Invoice Number');
    expect(text).not.toMatch(/independent medical review|case number|IMR|MAXIMUS|CM\d{2}-\d{7}/i);
  });

  it('items-cut-off: an IMR letter header and summary without the items section', async () => {
    expect(generateLetter(7, { layout: 'fdl-2016' }).text).toContain(ITEMS_HEADING);
    const text = await allText(input('items-cut-off').bytes);
    expect(text).toMatch(/Case Number:\s+CM\d{2}-\d{7}/);
    expect(text).toContain('HOW THE IMR FINAL DETERMINATION WAS MADE');
    expect(text).toContain('Independent Medical Review');
    expect(text).toContain('CLINICAL CASE SUMMARY');
    expect(text).not.toContain('IMR ISSUES');
    expect(text).not.toMatch(/Upheld|Overturned|Decision rationale|MAXIMUS guideline/);
    const other = await allText((await itemsCutOffPdf(12)).bytes);
    expect(other).toContain('CLINICAL CASE SUMMARY');
    expect(other).not.toContain('IMR ISSUES');
  });
});

describe('inbox file-system oddities', () => {
  it('creates odd names, a symlink out of the inbox, a directory and temp files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'imr-bad-inputs-'));
    try {
      const inbox = join(root, 'inbox');
      const outside = join(root, 'outside');
      await Promise.all([mkdir(inbox), mkdir(outside)]);
      const good = (await generateLetterPdf(3, { layout: 'fdl-2016' })).pdf;
      const made = await fsOddities(inbox, good, outside);
      const names = [
        'my letter 1.pdf',
        'lettre-\u00e9-\u65e5\u672c.pdf',
        '-dash.pdf',
        'link.pdf',
        'x.pdf',
        '.hidden.pdf',
        '~$tmp.pdf',
        'part.pdf.crdownload',
      ];
      expect((await readdir(inbox)).sort()).toEqual([...names].sort());
      expect(made.map((m) => m.name).sort()).toEqual([...names].sort());
      for (const m of made) {
        const info = await lstat(m.path);
        if (m.kind === 'symlink-outside') {
          expect(info.isSymbolicLink()).toBe(true);
          expect((await readlink(m.path)).startsWith(outside)).toBe(true);
          expect((await readFile(m.path)).equals(good)).toBe(true);
        } else if (m.kind === 'directory-named-pdf') {
          expect(info.isDirectory()).toBe(true);
        } else if (m.kind === 'partial-download') {
          expect(info.size).toBe(Math.floor(good.byteLength / 2));
        } else {
          expect(info.isFile()).toBe(true);
          expect((await readFile(m.path)).equals(good), m.name).toBe(true);
        }
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('writeSlowly grows the file over time; dropThenRemove leaves nothing behind', async () => {
    const root = await mkdtemp(join(tmpdir(), 'imr-bad-inputs-'));
    try {
      const bytes = new Uint8Array(10_000).map((_, i) => i & 0xff);
      const path = join(root, 'slow.pdf');
      const started = Date.now();
      const writing = writeSlowly(path, bytes, 5, 400);
      await sleep(150);
      const partial = (await stat(path)).size;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(bytes.byteLength);
      await writing;
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect((await readFile(path)).equals(bytes)).toBe(true);

      const gone = join(root, 'gone.pdf');
      const dropping = dropThenRemove(gone, bytes, 200);
      await sleep(50);
      expect((await stat(gone)).size).toBe(bytes.byteLength);
      await dropping;
      await expect(stat(gone)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
