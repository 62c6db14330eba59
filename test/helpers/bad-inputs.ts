/**
 * A catalog of bad inputs for the inbox, generated at test time (no committed binaries): files that are
 * not PDFs, broken PDFs, hostile PDFs and PDFs that are not IMR letters, plus file-system oddities
 * (odd names, symlinks, directories, temp files, slow and vanishing writes). Everything is
 * deterministic; the whole set builds in about a second and no file exceeds ~1.1 MB.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateRawSync, deflateSync, constants as zlibConstants } from 'node:zlib';
import { PDFDocument } from 'pdf-lib';
import { generateLetter, generateLetterPdf, Rng, typesetBlocks } from '../../src/synth/index.js';

export type BadInputKind =
  | 'empty'
  | 'text-named-pdf'
  | 'truncated'
  | 'corrupt-xref'
  | 'encrypted-user-password'
  | 'encrypted-empty-password'
  | 'javascript'
  | 'thousand-pages'
  | 'huge-page'
  | 'decompression-bomb'
  | 'noise-image'
  | 'non-imr'
  | 'items-cut-off';

export interface BadInput {
  /** File name to use in the inbox. */
  name: string;
  kind: BadInputKind;
  bytes: Uint8Array;
  /** What the file is, for test messages. */
  description: string;
}

/** The user password of `encryptedUserPasswordPdf`. */
export const USER_PASSWORD = 'letmein';
/** The owner password of both encrypted PDFs. */
export const OWNER_PASSWORD = 'owner-secret-2016';
/** The page text of both encrypted PDFs. */
export const ENCRYPTED_SENTENCE =
  'Thank you for your letter of March 3, 2016 regarding the request for physical therapy.';
/** The inflated size of the default decompression bomb's content stream: 1 GiB. */
export const BOMB_INFLATED_BYTES = 1024 * 1024 * 1024;
/** The heading the synthetic FDL letters put above the disputed items and their decisions. */
export const ITEMS_HEADING = 'IMR ISSUES, DECISIONS AND RATIONALES';
/** The synthetic letter used wherever a good letter is broken. */
const LETTER_SEED = 7;

// --- A minimal PDF writer: enough object model for hand-made files, and for encrypting them. ---

export class PdfName {
  constructor(readonly name: string) {}
}
export class PdfRef {
  constructor(readonly num: number) {}
}
export class PdfString {
  constructor(readonly bytes: Uint8Array) {}
}
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly data: Uint8Array,
  ) {}
}
export type PdfValue = number | boolean | PdfName | PdfRef | PdfString | PdfValue[] | PdfDict;
export interface PdfDict {
  [key: string]: PdfValue;
}

const name = (s: string): PdfName => new PdfName(s);
const str = (s: string): PdfString => new PdfString(Buffer.from(s, 'latin1'));

/** Encrypts the strings and streams of one object (PDF 1.7 Algorithm 1); identity when unencrypted. */
type Cipher = (bytes: Uint8Array) => Uint8Array;

function serialize(v: PdfValue, cipher: Cipher | null): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/\.?0+$/, '');
  if (typeof v === 'boolean') return String(v);
  if (v instanceof PdfName) return `/${v.name}`;
  if (v instanceof PdfRef) return `${v.num} 0 R`;
  if (v instanceof PdfString) {
    const bytes = cipher ? cipher(v.bytes) : v.bytes;
    // Printable ASCII stays a readable literal string (the /JS source); anything else goes hex.
    if (bytes.every((b) => b >= 0x20 && b < 0x7f)) {
      return `(${Buffer.from(bytes)
        .toString('latin1')
        .replace(/[\\()]/g, '\\$&')})`;
    }
    return `<${Buffer.from(bytes).toString('hex')}>`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => serialize(x, cipher)).join(' ')}]`;
  return `<< ${Object.entries(v)
    .map(([k, x]) => `/${k} ${serialize(x, cipher)}`)
    .join(' ')} >>`;
}

export interface Encryption {
  userPassword: string;
  ownerPassword: string;
}

/** Collects numbered objects and writes a classic (xref table) PDF, optionally RC4-encrypted. */
export class PdfBuilder {
  private readonly objects: (PdfValue | PdfStream | undefined)[] = [];

  reserve(): PdfRef {
    this.objects.push(undefined);
    return new PdfRef(this.objects.length);
  }

  set(ref: PdfRef, value: PdfValue | PdfStream): PdfRef {
    this.objects[ref.num - 1] = value;
    return ref;
  }

  add(value: PdfValue | PdfStream): PdfRef {
    return this.set(this.reserve(), value);
  }

  build(root: PdfRef, opts: { info?: PdfDict; encrypt?: Encryption } = {}): Uint8Array {
    const info = opts.info ? this.add(opts.info) : null;
    const id = md5(Buffer.from(`imr-pipeline bad input ${this.objects.length}`));
    const security = opts.encrypt ? standardSecurity(opts.encrypt, id) : null;
    const encryptRef = security ? this.add(security.dict) : null;

    // Binary comment line: tells transfer tools the file is binary.
    const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
    let offset = parts[0]!.byteLength;
    const offsets: number[] = [];
    const push = (b: Buffer) => {
      parts.push(b);
      offset += b.byteLength;
    };
    this.objects.forEach((obj, i) => {
      const num = i + 1;
      if (obj === undefined) throw new Error(`PDF object ${num} was reserved but never set`);
      offsets.push(offset);
      // The Encrypt dictionary itself is never encrypted.
      const cipher = security && num !== encryptRef?.num ? security.cipherFor(num) : null;
      if (obj instanceof PdfStream) {
        const data = cipher ? cipher(obj.data) : obj.data;
        const dict = serialize({ ...obj.dict, Length: data.byteLength }, cipher);
        push(Buffer.from(`${num} 0 obj\n${dict}\nstream\n`, 'latin1'));
        push(Buffer.from(data));
        push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
      } else {
        push(Buffer.from(`${num} 0 obj\n${serialize(obj, cipher)}\nendobj\n`, 'latin1'));
      }
    });
    const xrefAt = offset;
    const size = this.objects.length + 1;
    const rows = offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
    const trailer: PdfDict = {
      Size: size,
      Root: root,
      ID: [new PdfString(id), new PdfString(id)],
      ...(info ? { Info: info } : {}),
      ...(encryptRef ? { Encrypt: encryptRef } : {}),
    };
    push(
      Buffer.from(
        `xref\n0 ${size}\n0000000000 65535 f \n${rows}trailer\n${serialize(trailer, null)}\nstartxref\n${xrefAt}\n%%EOF\n`,
        'latin1',
      ),
    );
    return new Uint8Array(Buffer.concat(parts));
  }
}

// --- The standard security handler, V=2 R=3 (128-bit RC4): PDF 1.7 Algorithms 1, 2, 3 and 5. ---

const PASSWORD_PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
const KEY_BYTES = 16;
/** All permissions (the low two bits must be 0). */
const PERMISSIONS = -4;

function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** RC4, written out: OpenSSL 3 builds may not offer it through node:crypto. */
export function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

function padPassword(password: string): Buffer {
  const pw = Buffer.from(password, 'latin1').subarray(0, 32);
  return Buffer.concat([pw, PASSWORD_PAD.subarray(0, 32 - pw.length)]);
}

/** Revision 3's 20 RC4 passes, the i-th with every key byte XORed with i. */
function rc4Rounds(key: Uint8Array, data: Uint8Array): Uint8Array {
  let out = data;
  for (let i = 0; i < 20; i++)
    out = rc4(
      key.map((b) => b ^ i),
      out,
    );
  return out;
}

/** Revision 3 rehashes 50 times. */
function md5Rounds(hash: Buffer): Buffer {
  let h = hash;
  for (let i = 0; i < 50; i++) h = md5(h.subarray(0, KEY_BYTES));
  return h.subarray(0, KEY_BYTES);
}

function standardSecurity(
  { userPassword, ownerPassword }: Encryption,
  id: Buffer,
): { dict: PdfDict; cipherFor: (num: number) => Cipher } {
  // Algorithm 3: /O is the padded user password under a key from the owner password.
  const ownerKey = md5Rounds(md5(padPassword(ownerPassword || userPassword)));
  const o = rc4Rounds(ownerKey, padPassword(userPassword));
  // Algorithm 2: the file key.
  const p = Buffer.alloc(4);
  p.writeInt32LE(PERMISSIONS);
  const key = md5Rounds(md5(padPassword(userPassword), o, p, id));
  // Algorithm 5: /U, 16 bytes that matter plus 16 of padding.
  const u = Buffer.concat([rc4Rounds(key, md5(PASSWORD_PAD, id)), Buffer.alloc(16)]);
  const dict: PdfDict = {
    Filter: name('Standard'),
    V: 2,
    R: 3,
    Length: 128,
    P: PERMISSIONS,
    O: new PdfString(o),
    U: new PdfString(u),
  };
  // Algorithm 1: a key per object, from the file key, object number and generation (0).
  const cipherFor = (num: number): Cipher => {
    const objKey = md5(key, Buffer.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, 0, 0])).subarray(
      0,
      Math.min(KEY_BYTES + 5, 16),
    );
    return (bytes) => rc4(objKey, bytes);
  };
  return { dict, cipherFor };
}

// --- Small pieces shared by the hand-made PDFs. ---

const LETTER_BOX = [0, 0, 612, 792];
const helvetica = (): PdfDict => ({
  Type: name('Font'),
  Subtype: name('Type1'),
  BaseFont: name('Helvetica'),
  Encoding: name('WinAnsiEncoding'),
});

function escapeText(s: string): string {
  return s.replace(/[\\()]/g, '\\$&');
}

/** A content stream that sets `lines` in Helvetica from (x, y) downwards. */
export function textStream(lines: string[], { x = 72, y = 720, size = 11, leading = 14 } = {}): PdfStream {
  const body = lines.map((l) => `(${escapeText(l)}) Tj T*`).join('\n');
  return new PdfStream(
    {},
    Buffer.from(`BT\n/F1 ${size} Tf ${leading} TL ${x} ${y} Td\n${body}\nET\n`, 'latin1'),
  );
}

export interface TextPdfOptions {
  mediaBox?: number[];
  encrypt?: Encryption;
  /** Extra catalog entries (e.g. /OpenAction, /Names). */
  catalog?: PdfDict;
  title?: string;
  size?: number;
  y?: number;
}

/** The page tree of a one-page document (Pages, then its one Page): returns the Pages object. */
function addOnePage(b: PdfBuilder, mediaBox: number[], resources: PdfDict, contents: PdfRef): PdfRef {
  const pages = b.reserve();
  const page = b.add({
    Type: name('Page'),
    Parent: pages,
    MediaBox: mediaBox,
    Resources: resources,
    Contents: contents,
  });
  b.set(pages, { Type: name('Pages'), Kids: [page], Count: 1 });
  return pages;
}

/** A one-page PDF of text lines, written by the minimal writer. */
export function textPdf(lines: string[], opts: TextPdfOptions = {}): Uint8Array {
  const b = new PdfBuilder();
  const font = b.add(helvetica());
  const content = b.add(textStream(lines, { size: opts.size ?? 11, y: opts.y ?? 720 }));
  const pages = addOnePage(b, opts.mediaBox ?? LETTER_BOX, { Font: { F1: font } }, content);
  const root = b.add({ Type: name('Catalog'), Pages: pages, ...opts.catalog });
  return b.build(root, {
    info: { Title: str(opts.title ?? 'Document'), Producer: str('imr-pipeline test/helpers/bad-inputs') },
    ...(opts.encrypt ? { encrypt: opts.encrypt } : {}),
  });
}

// --- Transforms of a good PDF. ---

/** The first `fraction` of a file, as one cut off in transfer. */
export function truncateBytes(pdf: Uint8Array, fraction: number): Uint8Array {
  return pdf.slice(0, Math.floor(pdf.byteLength * fraction));
}

/** Digits of the same length as `digits`, never equal to them. */
function garbageDigits(rng: Rng, digits: string): string {
  for (;;) {
    const out = Array.from({ length: digits.length }, () => String(rng.int(0, 9))).join('');
    if (out !== digits) return out;
  }
}

/**
 * Overwrites every in-use offset of the (classic) xref table and the `startxref` value with garbage
 * digits of the same length: same size, still `%PDF-` ... `%%EOF`, but no offset points at its object.
 */
export function corruptXref(pdf: Uint8Array, seed = 1): Uint8Array {
  const text = Buffer.from(pdf).toString('latin1');
  const rng = new Rng(seed);
  const xrefAt = text.lastIndexOf('\nxref');
  const trailerAt = text.indexOf('trailer', xrefAt);
  if (xrefAt < 0 || trailerAt < 0) throw new Error('corruptXref needs a classic xref table');
  const table = text
    .slice(xrefAt, trailerAt)
    .replace(/(\d{10})( \d{5} n)/g, (_m, off: string, rest: string) => garbageDigits(rng, off) + rest);
  const tail = text
    .slice(trailerAt)
    .replace(/(startxref\s+)(\d+)/, (_m, kw: string, off: string) => kw + garbageDigits(rng, off));
  return new Uint8Array(Buffer.from(text.slice(0, xrefAt) + table + tail, 'latin1'));
}

// --- The bad inputs, one generator each. ---

/** A 0-byte file named like a PDF: an upload that failed before any data arrived. */
export function emptyPdf(): BadInput {
  return { name: 'empty.pdf', kind: 'empty', bytes: new Uint8Array(0), description: '0 bytes' };
}

/** A plain text file (meeting notes) saved with a .pdf extension. */
export function textNamedPdf(): BadInput {
  const text = [
    'Notes from the claims meeting, 12 April 2016',
    '',
    '- Follow up with the adjuster about the pending authorizations.',
    '- Scan the remaining letters and drop them in the shared inbox.',
    '',
  ].join('\n');
  return {
    name: 'notes.pdf',
    kind: 'text-named-pdf',
    bytes: new Uint8Array(Buffer.from(text, 'utf8')),
    description: 'a plain text file with a .pdf extension',
  };
}

/** A good synthetic letter cut to its first 40%: starts with %PDF-, has no %%EOF and no xref. */
export async function truncatedPdf(seed = LETTER_SEED): Promise<BadInput> {
  const { pdf } = await generateLetterPdf(seed, { layout: 'fdl-2016' });
  return {
    name: 'truncated.pdf',
    kind: 'truncated',
    bytes: truncateBytes(pdf, 0.4),
    description: 'the first 40% of a good letter PDF',
  };
}

/** A good synthetic letter, re-saved with a classic xref table, whose xref offsets and startxref are garbage. */
export async function corruptXrefPdf(seed = LETTER_SEED): Promise<BadInput> {
  const { pdf } = await generateLetterPdf(seed, { layout: 'fdl-2016' });
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const classic = await doc.save({ useObjectStreams: false });
  return {
    name: 'corrupt-xref.pdf',
    kind: 'corrupt-xref',
    bytes: corruptXref(classic, seed),
    description: 'a letter PDF whose xref offsets and startxref are garbage digits',
  };
}

/** RC4-128 encrypted, with a user password (`USER_PASSWORD`): unreadable without it. */
export function encryptedUserPasswordPdf(): BadInput {
  return {
    name: 'encrypted-user-password.pdf',
    kind: 'encrypted-user-password',
    bytes: textPdf([ENCRYPTED_SENTENCE], {
      encrypt: { userPassword: USER_PASSWORD, ownerPassword: OWNER_PASSWORD },
      title: 'Confidential correspondence',
    }),
    description: `RC4-128 encrypted with user password "${USER_PASSWORD}"`,
  };
}

/** RC4-128 encrypted with an empty user password (only an owner password): opens without asking. */
export function encryptedEmptyPasswordPdf(): BadInput {
  return {
    name: 'encrypted-empty-password.pdf',
    kind: 'encrypted-empty-password',
    bytes: textPdf([ENCRYPTED_SENTENCE], {
      encrypt: { userPassword: '', ownerPassword: OWNER_PASSWORD },
      title: 'Correspondence',
    }),
    description: 'RC4-128 encrypted with an empty user password and an owner password',
  };
}

/** A text page with a JavaScript OpenAction (`app.alert('x')`) and a /Names /JavaScript tree. */
export function javascriptPdf(): BadInput {
  const b = new PdfBuilder();
  const font = b.add(helvetica());
  const content = b.add(textStream(['This document runs a script when it is opened.']));
  const pages = addOnePage(b, LETTER_BOX, { Font: { F1: font } }, content);
  const named = b.add({ S: name('JavaScript'), JS: str("app.alert('from the names tree')") });
  const root = b.add({
    Type: name('Catalog'),
    Pages: pages,
    OpenAction: { S: name('JavaScript'), JS: str("app.alert('x')") },
    Names: { JavaScript: { Names: [str('init'), named] } },
  });
  return {
    name: 'javascript.pdf',
    kind: 'javascript',
    bytes: b.build(root),
    description: 'a text page with a JavaScript OpenAction and a /Names /JavaScript tree',
  };
}

/** `pages` pages sharing one font and one text stream, plus a tiny "Page n of N" stream each. */
export function thousandPagesPdf(pages = 1000): BadInput {
  const b = new PdfBuilder();
  const font = b.add(helvetica());
  const shared = b.add(textStream(['This page is part of a very long document.']));
  const parent = b.reserve();
  const kids: PdfRef[] = [];
  for (let n = 1; n <= pages; n++) {
    const own = b.add(textStream([`Page ${n} of ${pages}`], { y: 700 }));
    kids.push(b.add({ Type: name('Page'), Parent: parent, Contents: [shared, own] }));
  }
  // Inherited by every page: one copy of the box and the font.
  b.set(parent, {
    Type: name('Pages'),
    Kids: kids,
    Count: pages,
    MediaBox: LETTER_BOX,
    Resources: { Font: { F1: font } },
  });
  const root = b.add({ Type: name('Catalog'), Pages: parent });
  return {
    name: 'thousand-pages.pdf',
    kind: 'thousand-pages',
    bytes: b.build(root),
    description: `${pages} pages with a little text each`,
  };
}

/** One page of 200 x 200 inches (14400 x 14400 pt), the largest PDF 1.7 allows, with a little text. */
export function hugePagePdf(): BadInput {
  return {
    name: 'huge-page.pdf',
    kind: 'huge-page',
    bytes: textPdf(['This page is 200 inches square.'], {
      mediaBox: [0, 0, 14400, 14400],
      size: 48,
      y: 14300,
      title: 'Huge page',
    }),
    description: 'one 14400 x 14400 pt page',
  };
}

const MIB = 1024 * 1024;
const ADLER_MOD = 65521n;

/** Adler-32 of `data` appended to the state (a, b). */
function adlerUpdate(a: bigint, b: bigint, data: Uint8Array): [bigint, bigint] {
  let [x, y] = [a, b];
  for (const byte of data) {
    x = (x + BigInt(byte)) % ADLER_MOD;
    y = (y + x) % ADLER_MOD;
  }
  return [x, y];
}

/** Adler-32 after appending `n` copies of byte `c`, in closed form (n can be 2^30). */
function adlerRun(a: bigint, b: bigint, n: bigint, c: bigint): [bigint, bigint] {
  return [(a + n * c) % ADLER_MOD, (b + n * a + (c * n * (n + 1n)) / 2n) % ADLER_MOD];
}

/**
 * A zlib stream of `prefix` then `fillBytes` spaces, built without inflating or deflating the whole:
 * a full flush ends each deflate segment on a byte boundary with no back-references across it, so one
 * compressed 1 MiB segment can be repeated; the Adler-32 trailer is computed in closed form.
 */
export function deflateWithSpaces(prefix: Uint8Array, fillBytes: number): Buffer {
  const segment = (data: Uint8Array) =>
    deflateRawSync(data, { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const parts: Buffer[] = [Buffer.from([0x78, 0xda]), segment(prefix)];
  const whole = Math.floor(fillBytes / MIB);
  if (whole > 0) {
    const chunk = segment(Buffer.alloc(MIB, 0x20));
    for (let i = 0; i < whole; i++) parts.push(chunk);
  }
  if (fillBytes % MIB > 0) parts.push(segment(Buffer.alloc(fillBytes % MIB, 0x20)));
  // An empty final block closes the deflate data.
  parts.push(deflateRawSync(Buffer.alloc(0)));
  const [a, b] = adlerRun(...adlerUpdate(1n, 0n, prefix), BigInt(fillBytes), 0x20n);
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(Number((b << 16n) | a));
  parts.push(adler);
  return Buffer.concat(parts);
}

/**
 * A one-page PDF whose FlateDecode content stream (a line of text, then spaces) inflates to
 * `inflatedBytes` (1 GiB by default, from about 1 MB). Never give the default to pdf.js in a test.
 */
export function decompressionBombPdf(inflatedBytes = BOMB_INFLATED_BYTES): BadInput {
  const prefix = Buffer.from('BT /F1 12 Tf 72 720 Td (Nothing to see here.) Tj ET\n', 'latin1');
  const b = new PdfBuilder();
  const font = b.add(helvetica());
  const content = b.add(
    new PdfStream(
      { Filter: name('FlateDecode') },
      deflateWithSpaces(prefix, Math.max(0, inflatedBytes - prefix.byteLength)),
    ),
  );
  const pages = addOnePage(b, LETTER_BOX, { Font: { F1: font } }, content);
  const root = b.add({ Type: name('Catalog'), Pages: pages });
  return {
    name: 'decompression-bomb.pdf',
    kind: 'decompression-bomb',
    bytes: b.build(root),
    description: `a content stream that inflates to ${inflatedBytes} bytes`,
  };
}

/**
 * The bomb's content stream deflated once more, under `/Filter [/FlateDecode /FlateDecode]`: a file of
 * a few KB (so small that one layer of deflate could not reach any limit) whose page inflates to
 * `inflatedBytes` in the second layer. Not in `makeBadPdfs` (the pipeline tests count those).
 */
export function chainedFlateBombPdf(inflatedBytes = 64 * MIB): BadInput {
  const prefix = Buffer.from('BT /F1 12 Tf 72 720 Td (Nothing to see here.) Tj ET\n', 'latin1');
  const inner = deflateWithSpaces(prefix, Math.max(0, inflatedBytes - prefix.byteLength));
  const b = new PdfBuilder();
  const font = b.add(helvetica());
  const content = b.add(
    new PdfStream({ Filter: [name('FlateDecode'), name('FlateDecode')] }, deflateSync(inner, { level: 9 })),
  );
  const pages = addOnePage(b, LETTER_BOX, { Font: { F1: font } }, content);
  const root = b.add({ Type: name('Catalog'), Pages: pages });
  return {
    name: 'chained-flate-bomb.pdf',
    kind: 'decompression-bomb',
    bytes: b.build(root),
    description: `a content stream deflated twice that inflates to ${inflatedBytes} bytes`,
  };
}

/** One page that is only an 800 x 1000 image of random gray noise, drawn full page: no text at all. */
export function noiseImagePdf(seed = 1): BadInput {
  const [width, height] = [800, 1000];
  const rng = new Rng(seed);
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(rng.next() * 256);
  const b = new PdfBuilder();
  const image = b.add(
    new PdfStream(
      {
        Type: name('XObject'),
        Subtype: name('Image'),
        Width: width,
        Height: height,
        ColorSpace: name('DeviceGray'),
        BitsPerComponent: 8,
        Filter: name('FlateDecode'),
      },
      deflateSync(pixels),
    ),
  );
  const content = b.add(new PdfStream({}, Buffer.from('q 612 0 0 792 0 0 cm /Im1 Do Q\n', 'latin1')));
  const pages = addOnePage(b, LETTER_BOX, { XObject: { Im1: image } }, content);
  const root = b.add({ Type: name('Catalog'), Pages: pages });
  return {
    name: 'noise-image.pdf',
    kind: 'noise-image',
    bytes: b.build(root),
    description: 'one page holding only an image of gray noise',
  };
}

/** An ordinary business letter with an invoice: many English words, nothing of an IMR letter. */
export function nonImrPdf(): BadInput {
  const lines = [
    'Harborview Office Supply Company',
    '1420 Market Street, Suite 300, Sacramento, CA 95814',
    '',
    'April 18, 2016',
    '',
    'Ms. Janet Alvarez',
    'Facilities Manager, Redwood Logistics',
    '88 Industrial Parkway, Stockton, CA 95206',
    '',
    'Dear Ms. Alvarez,',
    '',
    'Thank you for your recent order. We are pleased to confirm that all items were shipped on',
    'Monday by ground freight and should arrive at your loading dock within three business days.',
    'Please review the invoice below and let us know if any quantity or price looks incorrect.',
    '',
    'Invoice Number: HV-20931          Customer Account: 55172',
    'Copy paper, letter size, 10 cartons .......................... $412.50',
    'Black toner cartridges, 6 units .............................. $534.00',
    'Ergonomic office chairs, 4 units ............................. $1,196.00',
    'Shipping and handling ........................................ $85.00',
    'Total due within 30 days ..................................... $2,227.50',
    '',
    'Payment may be made by check or bank transfer. A late fee of one and a half percent per',
    'month applies to balances older than thirty days. We appreciate your business and look',
    'forward to serving your team again this summer.',
    '',
    'Sincerely,',
    '',
    'Robert Chen',
    'Accounts Receivable',
  ];
  return {
    name: 'non-imr.pdf',
    kind: 'non-imr',
    bytes: textPdf(lines, { title: 'Invoice HV-20931' }),
    description: 'a business letter with an invoice, not an IMR letter',
  };
}

/**
 * A synthetic FDL letter typeset only up to (not including) the items heading: the header, the
 * "how it was made" text and the case summary are there, the disputed items and decisions are not.
 */
export async function itemsCutOffPdf(seed = LETTER_SEED): Promise<BadInput> {
  const letter = generateLetter(seed, { layout: 'fdl-2016' });
  const cut = letter.blocks.findIndex((b) => b.kind === 'heading' && b.text === ITEMS_HEADING);
  if (cut < 0) throw new Error(`synthetic letter ${seed} has no "${ITEMS_HEADING}" heading`);
  const bytes = await typesetBlocks(letter.blocks.slice(0, cut), {
    title: `IMR determination ${letter.label.caseNumber ?? ''} (synthetic, items cut off)`,
  });
  return {
    name: 'items-cut-off.pdf',
    kind: 'items-cut-off',
    bytes,
    description: 'an IMR letter whose items and decisions section is missing',
  };
}

/** Every bad input, one of each kind, in a fixed order. */
export async function makeBadPdfs(): Promise<BadInput[]> {
  return [
    emptyPdf(),
    textNamedPdf(),
    await truncatedPdf(),
    await corruptXrefPdf(),
    encryptedUserPasswordPdf(),
    encryptedEmptyPasswordPdf(),
    javascriptPdf(),
    thousandPagesPdf(),
    hugePagePdf(),
    decompressionBombPdf(),
    noiseImagePdf(),
    nonImrPdf(),
    await itemsCutOffPdf(),
  ];
}

// --- File-system oddities for an inbox. ---

export type FsOddityKind =
  /** `my letter 1.pdf`: a good letter whose name has spaces. */
  | 'name-with-spaces'
  /** `lettre-é-日本.pdf` (NFC): a good letter with an accented letter and CJK characters in its name. */
  | 'unicode-name'
  /** `-dash.pdf`: a good letter whose name looks like a command-line option. */
  | 'leading-dash'
  /** `link.pdf`: a symlink to a good letter outside the inbox. */
  | 'symlink-outside'
  /** `x.pdf`: an empty directory named like a PDF. */
  | 'directory-named-pdf'
  /** `.hidden.pdf`: a hidden file holding a good letter. */
  | 'hidden-file'
  /** `~$tmp.pdf`: an Office lock/temp file name holding a good letter. */
  | 'office-temp-file'
  /** `part.pdf.crdownload`: a browser download in progress (the first half of a letter). */
  | 'partial-download';

export interface FsOddity {
  /** Entry name inside the inbox. */
  name: string;
  kind: FsOddityKind;
  /** Absolute path inside the inbox. */
  path: string;
  description: string;
}

/**
 * Creates the oddities in `dir` (which must exist): good letters under awkward names, a symlink to a
 * good letter outside the inbox (in `outsideDir`, a new temp folder by default), a directory named
 * like a PDF, and hidden, office-temp and partial-download files holding good letter bytes (so an
 * inbox that fails to skip them is caught ingesting them).
 */
export async function fsOddities(dir: string, goodPdf: Uint8Array, outsideDir?: string): Promise<FsOddity[]> {
  const outside = outsideDir ?? (await mkdtemp(join(tmpdir(), 'imr-outside-')));
  const target = join(outside, 'outside-letter.pdf');
  await writeFile(target, goodPdf);
  const made: FsOddity[] = [];
  const file = async (entry: string, kind: FsOddityKind, description: string, bytes = goodPdf) => {
    const path = join(dir, entry);
    await writeFile(path, bytes);
    made.push({ name: entry, kind, path, description });
  };
  await file('my letter 1.pdf', 'name-with-spaces', 'a good letter whose name has spaces');
  await file(
    'lettre-\u00e9-\u65e5\u672c.pdf'.normalize('NFC'),
    'unicode-name',
    'a good letter with a unicode name',
  );
  await file('-dash.pdf', 'leading-dash', 'a good letter whose name starts with a dash');
  await file('.hidden.pdf', 'hidden-file', 'a hidden file holding a good letter');
  await file('~$tmp.pdf', 'office-temp-file', 'an Office temp file name holding a good letter');
  await file(
    'part.pdf.crdownload',
    'partial-download',
    'a partial browser download (half a letter)',
    truncateBytes(goodPdf, 0.5),
  );
  const link = join(dir, 'link.pdf');
  await symlink(target, link);
  made.push({
    name: 'link.pdf',
    kind: 'symlink-outside',
    path: link,
    description: `a symlink to ${target}, outside the inbox`,
  });
  const folder = join(dir, 'x.pdf');
  await mkdir(folder);
  made.push({
    name: 'x.pdf',
    kind: 'directory-named-pdf',
    path: folder,
    description: 'a directory named x.pdf',
  });
  return made;
}

/**
 * Writes `bytes` to `path` in `chunks` appends spread over about `totalMs`, as a slow copy over a
 * network share does: the file exists, growing, well before it is complete.
 */
export async function writeSlowly(
  path: string,
  bytes: Uint8Array,
  chunks: number,
  totalMs: number,
): Promise<void> {
  const n = Math.max(1, Math.floor(chunks));
  const size = Math.ceil(bytes.byteLength / n);
  const handle = await open(path, 'w');
  try {
    for (let i = 0; i < n; i++) {
      if (i > 0) await sleep(totalMs / n);
      await handle.write(bytes.subarray(i * size, (i + 1) * size));
      // Flush each chunk so watchers see the size change now.
      await handle.datasync();
    }
  } finally {
    await handle.close();
  }
}

/** Writes a file and deletes it `afterMs` later, as a user who drops a file in and takes it back. */
export async function dropThenRemove(path: string, bytes: Uint8Array, afterMs: number): Promise<void> {
  await writeFile(path, bytes);
  await sleep(afterMs);
  await rm(path, { force: true });
}
