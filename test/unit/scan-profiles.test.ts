import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, rgb } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/cli.js';
import { runSynth } from '../../src/cli/synth.js';
import { getDocument, ImageKind, OPS } from '../../src/pipeline/extract/pdfjs.js';
import { type Bitmap, G4_CODE_TABLES } from '../../src/synth/ccitt-g4.js';
import { generateLetterPdf } from '../../src/synth/index.js';
import { Rng } from '../../src/synth/rng.js';
import {
  addBwPage,
  DEFAULT_SCAN,
  SCAN_PROFILE_NAMES,
  SCAN_PROFILES,
  type ScanOptions,
  scanPdf,
  scanProfile,
} from '../../src/synth/scan.js';
import { sink } from '../helpers/cli.js';

const root = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const WASM_URL = `${join(dirname(require.resolve('pdfjs-dist/package.json')), 'wasm')}/`;

/**
 * pdf.js has two CCITT decoders: a WebAssembly one (used when it is given `wasmUrl`) and the JavaScript
 * one it falls back to (what the pipeline uses: it passes no `wasmUrl`). Every stream must pass both.
 * pdf.js keeps the WebAssembly binary for the process once loaded, so the JavaScript reads say `useWasm:
 * false` rather than only leaving out `wasmUrl`.
 */
type Decoder = 'js' | 'wasm';
const DECODERS: readonly Decoder[] = ['js', 'wasm'];

// What pdf.js says on the way to its JavaScript decoder: anything else it warns about is a failure.
const JS_FALLBACK = /Falling back to JS CCITTFax decoder/;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function bitmap(width: number, height: number, black: (x: number, y: number) => boolean): Bitmap {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (black(x, y)) data[y * width + x] = 1;
  }
  return { width, height, data };
}

/** One bitmap per page, as a G4 image drawn at one point per pixel. */
async function g4Pdf(images: readonly Bitmap[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (const image of images) addBwPage(doc, image, image.width, image.height);
  return doc.save();
}

interface DecodedImage {
  width: number;
  height: number;
  kind: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** pdf.js's decoded pixels back to a bitmap (1 = black). */
function toBitmap(image: DecodedImage): Bitmap {
  const { width, height, kind, data } = image;
  const out = new Uint8Array(width * height);
  if (kind === ImageKind.GRAYSCALE_1BPP) {
    // Packed, rows padded to whole bytes, 1 = white (DeviceGray).
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (((data[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1) === 0) out[y * width + x] = 1;
      }
    }
  } else {
    const channels = kind === ImageKind.RGBA_32BPP ? 4 : 3;
    for (let p = 0; p < out.length; p++) if (data[p * channels]! < 128) out[p] = 1;
  }
  return { width, height, data: out };
}

interface ReadBack {
  /** The images each page paints, decoded. */
  pages: Bitmap[][];
  /** Text items over all pages. */
  textItems: number;
  /** pdf.js warnings beyond the expected ones. */
  warnings: string[];
}

/** Reads every page's painted images (and text) back with pdf.js, failing on any unexpected warning. */
async function readBack(pdf: Uint8Array, decoder: Decoder): Promise<ReadBack> {
  const messages: string[] = [];
  const spy = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    messages.push(args.map(String).join(' '));
  });
  try {
    const doc = await getDocument({
      data: pdf.slice(),
      verbosity: 1,
      isEvalSupported: false,
      ...(decoder === 'wasm' ? { wasmUrl: WASM_URL } : { useWasm: false }),
    }).promise;
    const pages: Bitmap[][] = [];
    let textItems = 0;
    try {
      for (let n = 1; n <= doc.numPages; n++) {
        const page = await doc.getPage(n);
        textItems += (await page.getTextContent()).items.length;
        const ops = await page.getOperatorList();
        const images: Bitmap[] = [];
        for (let i = 0; i < ops.fnArray.length; i++) {
          if (ops.fnArray[i] !== OPS.paintImageXObject) continue;
          const id = String((ops.argsArray[i] as unknown[])[0]);
          const image = await new Promise<DecodedImage>((resolve) => page.objs.get(id, resolve));
          images.push(toBitmap(image));
        }
        pages.push(images);
      }
    } finally {
      await doc.destroy();
    }
    // The JavaScript reads must have gone through the fallback; the WebAssembly ones must not have.
    expect(messages.some((m) => JS_FALLBACK.test(m))).toBe(decoder === 'js');
    const warnings = messages.filter((m) => !JS_FALLBACK.test(m));
    return { pages, textItems, warnings };
  } finally {
    spy.mockRestore();
  }
}

function expectSameBitmap(actual: Bitmap | undefined, expected: Bitmap, what: string): void {
  expect(actual, `${what}: no image painted`).toBeDefined();
  if (!actual) return;
  expect([actual.width, actual.height], `${what}: size`).toEqual([expected.width, expected.height]);
  for (let p = 0; p < expected.data.length; p++) {
    if ((actual.data[p] === 0) !== (expected.data[p] === 0)) {
      const x = p % expected.width;
      const y = Math.floor(p / expected.width);
      expect.fail(
        `${what}: pixel (${x}, ${y}) is ${actual.data[p] ? 'black' : 'white'}, expected the opposite`,
      );
    }
  }
}

const inkFraction = (image: Bitmap) => image.data.reduce((n, v) => n + (v ? 1 : 0), 0) / image.data.length;

describe('CCITT G4 code tables', () => {
  it('have one code per run length, prefix-free for each colour', () => {
    const t = G4_CODE_TABLES;
    expect([t.whiteTerminating.length, t.blackTerminating.length]).toEqual([64, 64]);
    expect([t.whiteMakeup.length, t.blackMakeup.length, t.extendedMakeup.length]).toEqual([27, 27, 13]);
    for (const codes of [
      [...t.whiteTerminating, ...t.whiteMakeup, ...t.extendedMakeup],
      [...t.blackTerminating, ...t.blackMakeup, ...t.extendedMakeup],
    ]) {
      for (const c of codes) expect(c).toMatch(/^[01]{2,13}$/);
      const sorted = [...codes].sort();
      for (let i = 1; i < sorted.length; i++) {
        expect(sorted[i]!.startsWith(sorted[i - 1]!), `${sorted[i - 1]} is a prefix of ${sorted[i]}`).toBe(
          false,
        );
      }
    }
  });
});

describe('CCITT G4 encoder round trip through pdf.js', () => {
  const rng = new Rng(2024);

  /** Runs whose edges drift a few pixels from row to row, appearing and vanishing: vertical and pass modes. */
  function drifting(width: number, height: number): Bitmap {
    const data = new Uint8Array(width * height);
    let edges = [10, 40, 41, 90, 200, 260].filter((e) => e < width);
    for (let y = 0; y < height; y++) {
      edges = edges.map((e) => Math.max(0, Math.min(width, e + rng.int(-4, 4))));
      if (rng.chance(0.1)) edges.push(rng.int(0, width), rng.int(0, width));
      if (rng.chance(0.1) && edges.length > 2) edges.splice(rng.int(0, edges.length - 2), 2);
      edges = [...new Set(edges)].sort((a, b) => a - b);
      let black = false;
      let e = 0;
      for (let x = 0; x < width; x++) {
        while (e < edges.length && edges[e] === x) {
          black = !black;
          e++;
        }
        if (black) data[y * width + x] = 1;
      }
    }
    return { width, height, data };
  }

  // Row i: white r, black (2701 - r), white 1, with r stepping by 7 so that each row is coded in
  // horizontal mode: every white run 0-2700 and black run 1-2701 (all terminating, make-up and
  // extended make-up codes, 2560 + rest).
  const everyRun = (() => {
    const width = 2702;
    const height = 2701;
    const data = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      const r = (y * 7) % 2701;
      data.fill(1, y * width + r, y * width + 2701);
    }
    return { width, height, data };
  })();

  // Runs beyond 2560: several 2560 make-up codes in one run.
  const longRuns = [
    () => false,
    () => true,
    (x: number) => x >= 2560,
    (x: number) => x < 2561,
    (x: number) => x >= 5119,
    (x: number) => x < 5120 && x > 1,
    (x: number) => x === 2600,
    (x: number) => x < 1792 || x >= 3584,
  ];

  const cases: [string, Bitmap][] = [
    ['random 30% black, 203 px wide', bitmap(203, 61, () => rng.chance(0.3))],
    ['random 3% black, 1001 px wide', bitmap(1001, 40, () => rng.chance(0.03))],
    ['drifting runs, 517 px wide', drifting(517, 300)],
    ['all white', bitmap(100, 10, () => false)],
    ['all black', bitmap(100, 10, () => true)],
    ['one white pixel', bitmap(1, 1, () => false)],
    ['one black pixel', bitmap(1, 1, () => true)],
    ['a black last column, 13 px wide', bitmap(13, 9, (x) => x === 12)],
    ['vertical stripes 1 px', bitmap(99, 20, (x) => x % 2 === 0)],
    ['vertical stripes of widths 1-10', bitmap(155, 12, (x) => Math.floor(Math.sqrt(2 * x)) % 2 === 1)],
    [
      'slanted stripes, slopes -3 to 3',
      bitmap(301, 140, (x, y) => (x + 600 - (Math.floor(y / 20) - 3) * y) % 23 < 6),
    ],
    ['long runs over 2560, 5200 px wide', bitmap(5200, longRuns.length, (x, y) => longRuns[y]!(x))],
    ['every run length 0-2701', everyRun],
  ];

  for (const decoder of DECODERS) {
    it(`decodes pixel-exact with pdf.js's ${decoder === 'js' ? 'JavaScript' : 'WebAssembly'} decoder`, async () => {
      const read = await readBack(await g4Pdf(cases.map(([, image]) => image)), decoder);
      expect(read.warnings).toEqual([]);
      cases.forEach(([what, image], i) => {
        expect(read.pages[i], what).toHaveLength(1);
        expectSameBitmap(read.pages[i]?.[0], image, what);
      });
    });
  }

  it('fails loudly on a stream pdf.js cannot decode (the check above would catch a bad encoder)', async () => {
    const image = cases[0]![1];
    const bytes = await g4Pdf([image]);
    // Flip bits inside the image stream: the decoded pixels must differ (or the image be missing).
    const doc = await PDFDocument.load(bytes);
    const stream = [...doc.context.enumerateIndirectObjects()]
      .map(([, o]) => o)
      .find((o): o is PDFRawStream => o instanceof PDFRawStream && o.dict.has(PDFName.of('DecodeParms')));
    expect(stream).toBeDefined();
    const contents = stream!.getContents();
    for (let i = 8; i < contents.length; i += 7) contents[i] = contents[i]! ^ 0xa5;
    const read = await readBack(await doc.save(), 'js');
    const decoded = read.pages[0]?.[0];
    const same = !!decoded && decoded.data.every((v, p) => (v === 0) === (image.data[p] === 0));
    expect(same).toBe(false);
  });
});

const SAMPLE = join(root, 'samples/fdl-2016-single-item.pdf');
// The sample and DEFAULT_SCAN's output for it, taken before the fax and copier profiles were added.
const SAMPLE_SHA256 = '6d1eb72c48d6ba3b89a6acfedc1e076ce98958316feee18ae13231651f8e5bf6';
const GREY_SHA256 = 'eacf89b059d16a3cb78dfb820124938b50983e0af39a8f7993f2f51329264ab8';
const GREY_SEED_7_SHA256 = 'b15846fb9ed099d882e9d8720e250c1039fe0426b34961b84bdddf71cdd96efd';

interface StoredImage {
  filter: string | undefined;
  bitsPerComponent: number | undefined;
  width: number | undefined;
  height: number | undefined;
  decodeParms: Record<string, string | number | boolean> | undefined;
}

/** Each page's XObjects as stored, and whether it has fonts. */
async function storedImages(
  pdf: Uint8Array,
): Promise<{ images: StoredImage[]; fonts: boolean; size: number[] }[]> {
  const doc = await PDFDocument.load(pdf);
  return doc.getPages().map((page) => {
    const resources = page.node.Resources();
    const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    const images = (xobjects?.keys() ?? []).map((key) => {
      const stream = xobjects?.lookup(key);
      if (!(stream instanceof PDFRawStream)) throw new Error(`XObject ${key.decodeText()} is not a stream`);
      const dict = stream.dict;
      const num = (name: string) => dict.lookupMaybe(PDFName.of(name), PDFNumber)?.asNumber();
      const parms = dict.lookupMaybe(PDFName.of('DecodeParms'), PDFDict);
      const decodeParms = parms
        ? Object.fromEntries(
            parms.keys().map((k) => {
              const v = parms.get(k);
              const value = v instanceof PDFNumber ? v.asNumber() : String(v);
              return [k.decodeText(), value];
            }),
          )
        : undefined;
      return {
        filter: dict.lookupMaybe(PDFName.of('Filter'), PDFName)?.decodeText(),
        bitsPerComponent: num('BitsPerComponent'),
        width: num('Width'),
        height: num('Height'),
        decodeParms,
      };
    });
    const fonts = (resources?.lookupMaybe(PDFName.of('Font'), PDFDict)?.keys().length ?? 0) > 0;
    return { images, fonts, size: [page.getWidth(), page.getHeight()] };
  });
}

describe('scan profiles', () => {
  let sample: Uint8Array;
  beforeAll(async () => {
    sample = new Uint8Array(await readFile(SAMPLE));
  });

  it('names three profiles; an unknown name throws naming them', () => {
    expect(SCAN_PROFILE_NAMES).toEqual(['grey', 'fax', 'copier-bw']);
    expect(Object.keys(SCAN_PROFILES).sort()).toEqual([...SCAN_PROFILE_NAMES].sort());
    expect(DEFAULT_SCAN).toBe(SCAN_PROFILES.grey);
    expect(scanProfile('fax')).toEqual(SCAN_PROFILES.fax);
    expect(scanProfile('fax')).not.toBe(SCAN_PROFILES.fax);
    expect(() => scanProfile('colour')).toThrow(/"colour".*grey, fax, copier-bw/);
  });

  it('keeps the grey profile byte for byte (DEFAULT_SCAN)', async () => {
    expect(sha256(sample), 'samples/fdl-2016-single-item.pdf changed: the hashes below need retaking').toBe(
      SAMPLE_SHA256,
    );
    expect(sha256(await scanPdf(sample))).toBe(GREY_SHA256);
    expect(sha256(await scanPdf(sample, { ...scanProfile('grey'), seed: 7 }))).toBe(GREY_SEED_7_SHA256);
  });

  // [name, options, image size, whether to scan again for determinism (the 200 dpi copier shares code)]
  const bwCases: [string, ScanOptions, [number, number], boolean][] = [
    ['fax', SCAN_PROFILES.fax, [1734, 2156], true],
    ['copier-bw', SCAN_PROFILES['copier-bw'], [2550, 3300], true],
    ['copier-bw at 200 dpi', { ...SCAN_PROFILES['copier-bw'], dpi: 200 }, [1700, 2200], false],
  ];

  for (const [name, profile, [width, height], again] of bwCases) {
    it(`${name}: deterministic, one 1-bit CCITT G4 image of ${width} x ${height} per page, no text`, async () => {
      const a = await scanPdf(sample, { ...profile, seed: 7 });
      if (again) {
        expect(sha256(await scanPdf(sample, { ...profile, seed: 7 }))).toBe(sha256(a));
        expect(sha256(await scanPdf(sample, { ...profile, seed: 8 }))).not.toBe(sha256(a));
      }

      const source = await PDFDocument.load(sample);
      const pages = await storedImages(a);
      expect(pages).toHaveLength(source.getPageCount());
      pages.forEach((page, i) => {
        const src = source.getPage(i);
        expect(page.size).toEqual([src.getWidth(), src.getHeight()]);
        expect(page.fonts).toBe(false);
        expect(page.images).toEqual([
          {
            filter: 'CCITTFaxDecode',
            bitsPerComponent: 1,
            width,
            height,
            decodeParms: { K: -1, Columns: width, Rows: height, BlackIs1: 'false' },
          },
        ]);
      });

      const js = await readBack(a, 'js');
      const wasm = await readBack(a, 'wasm');
      expect(js.warnings).toEqual([]);
      expect(wasm.warnings).toEqual([]);
      expect(js.textItems).toBe(0);
      js.pages.forEach((images, i) => {
        expect(images).toHaveLength(1);
        const image = images[0]!;
        expect([image.width, image.height]).toEqual([width, height]);
        // A page of text: some ink, mostly paper.
        const ink = inkFraction(image);
        expect(ink).toBeGreaterThan(0.005);
        expect(ink).toBeLessThan(0.15);
        // Two independent decoders agree on every pixel.
        expectSameBitmap(wasm.pages[i]?.[0], image, `page ${i + 1}, WebAssembly vs JavaScript decoder`);
      });
    });
  }

  describe('bw rendering', () => {
    /** A Letter page drawn by `draw`, scanned by the fax profile without skew, squeeze, specks or pinholes. */
    async function faxOf(
      draw: (page: ReturnType<PDFDocument['addPage']>) => void,
      extra: Partial<ScanOptions> = {},
    ) {
      const doc = await PDFDocument.create();
      draw(doc.addPage([612, 792]));
      const options: ScanOptions = {
        ...SCAN_PROFILES.fax,
        maxRotationDeg: 0,
        squeeze: [1, 1],
        speckle: 0,
        holes: 0,
        ...extra,
      };
      const read = await readBack(await scanPdf(await doc.save(), options), 'js');
      const image = read.pages[0]?.[0];
      if (!image) throw new Error('no image');
      return image;
    }

    const region = (image: Bitmap, x0: number, y0: number, x1: number, y1: number): Bitmap => {
      const width = x1 - x0;
      const height = y1 - y0;
      return bitmap(width, height, (x, y) => image.data[(y0 + y) * image.width + x0 + x] === 1);
    };

    it('squeezes the content down from the top, keeping the page size, white below', async () => {
      const image = await faxOf((page) => page.drawRectangle({ x: 0, y: 0, width: 612, height: 792 }), {
        squeeze: [0.9, 0.9],
      });
      expect([image.width, image.height]).toEqual([1734, 2156]);
      const inkOfRow = (y: number) => inkFraction(region(image, 0, y, image.width, y + 1));
      const edge = Math.round(0.9 * 2156);
      expect(inkOfRow(0)).toBe(1);
      expect(inkOfRow(edge - 3)).toBe(1);
      expect(inkOfRow(edge + 3)).toBe(0);
      expect(inkOfRow(2155)).toBe(0);
    });

    it('turns grey fills into dots, not solid black or white', async () => {
      const image = await faxOf((page) => {
        page.drawRectangle({ x: 72, y: 500, width: 200, height: 200, color: rgb(0.5, 0.5, 0.5) });
        page.drawRectangle({ x: 340, y: 500, width: 200, height: 200, color: rgb(0.85, 0.85, 0.85) });
      });
      // Inside the fills (points to pixels: 204 across, 196 down; y from the top).
      const px = (x: number) => Math.round((x * 204) / 72);
      const py = (y: number) => Math.round(((792 - y) * 196) / 72);
      const mid = region(image, px(92), py(680), px(252), py(520));
      const light = region(image, px(360), py(680), px(520), py(520));
      expect(inkFraction(mid)).toBeGreaterThan(0.35);
      expect(inkFraction(mid)).toBeLessThan(0.65);
      expect(inkFraction(light)).toBeGreaterThan(0.03);
      expect(inkFraction(light)).toBeLessThan(0.3);
      // Dots: every 8 x 8 cell of the mid grey holds both black and white.
      for (let y = 0; y + 8 <= mid.height; y += 8) {
        for (let x = 0; x + 8 <= mid.width; x += 8) {
          const ink = inkFraction(region(mid, x, y, x + 8, y + 8));
          expect(ink).toBeGreaterThan(0);
          expect(ink).toBeLessThan(1);
        }
      }
    });

    it('breaks hairlines up, keeps 1 pt rules whole', async () => {
      // Eight of each at different offsets to the pixel grid: how a thin rule comes out depends on it.
      const rules = [0.1, 0.25, 1].flatMap((thickness, i) =>
        Array.from({ length: 8 }, (_, k) => ({ thickness, y: 740 - i * 170 - k * 20.13 })),
      );
      const image = await faxOf((page) => {
        for (const { thickness, y } of rules)
          page.drawLine({ start: { x: 72, y }, end: { x: 540, y }, thickness });
      });
      /** Share of the columns along a rule that have any ink near it. */
      const covered = (y: number) => {
        const row = Math.round(((792 - y) * 196) / 72);
        const band = region(
          image,
          Math.round((80 * 204) / 72),
          row - 3,
          Math.round((530 * 204) / 72),
          row + 4,
        );
        let columns = 0;
        for (let x = 0; x < band.width; x++) {
          let ink = false;
          for (let yy = 0; yy < band.height; yy++) ink ||= band.data[yy * band.width + x] === 1;
          if (ink) columns++;
        }
        return columns / band.width;
      };
      const hairlines = rules.filter((r) => r.thickness < 1).map((r) => covered(r.y));
      const mean = hairlines.reduce((a, b) => a + b, 0) / hairlines.length;
      expect(mean).toBeLessThan(0.9);
      expect(hairlines.filter((c) => c < 0.95).length).toBeGreaterThan(hairlines.length / 2);
      for (const r of rules.filter((r) => r.thickness === 1)) expect(covered(r.y)).toBe(1);
    });
  });
});

describe('imr synth --scan', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imr-synth-scan-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cli = () => ({ stdout: sink().stream, stderr: sink().stream, env: {} });

  it('writes the scanned copy with the same label', async () => {
    const code = await runSynth(['--out', dir, '--count', '1', '--seed', '5', '--scan', 'fax'], cli());
    expect(code).toBe(0);
    const pdf = new Uint8Array(await readFile(join(dir, 'synth-5.pdf')));
    const label: unknown = JSON.parse(await readFile(join(dir, 'synth-5.json'), 'utf8'));
    const letter = await generateLetterPdf(5);
    expect(label).toEqual(JSON.parse(JSON.stringify(letter.label)));
    expect(sha256(pdf)).toBe(sha256(await scanPdf(letter.pdf, { ...SCAN_PROFILES.fax, seed: 5 })));
    const pages = await storedImages(pdf);
    expect(pages.every((p) => p.images.length === 1 && p.images[0]?.filter === 'CCITTFaxDecode')).toBe(true);
  });

  it('refuses an unknown profile, naming the valid ones', async () => {
    const err = await runSynth(['--out', dir, '--count', '1', '--scan', 'photo'], cli()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/"photo".*grey, fax, copier-bw/);
  });
});
