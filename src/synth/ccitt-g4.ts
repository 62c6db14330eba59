/**
 * CCITT Group 4 (ITU-T T.6) encoder for 1-bit images: the compression of office scans and faxes, read by
 * PDF viewers through /Filter /CCITTFaxDecode with /K -1 (no byte alignment per row, /BlackIs1 false).
 */

/** A 1-bit image: one byte per pixel, row by row; 0 is white, any other value black. */
export interface Bitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

// Codes from T.4 tables 2 and 3 (shared by T.6), written as bit strings so they can be checked by eye.
// biome-ignore format: eight codes a row, as in the standard's tables
const WHITE_TERMINATING = [
  '00110101', '000111', '0111', '1000', '1011', '1100', '1110', '1111',
  '10011', '10100', '00111', '01000', '001000', '000011', '110100', '110101',
  '101010', '101011', '0100111', '0001100', '0001000', '0010111', '0000011', '0000100',
  '0101000', '0101011', '0010011', '0100100', '0011000', '00000010', '00000011', '00011010',
  '00011011', '00010010', '00010011', '00010100', '00010101', '00010110', '00010111', '00101000',
  '00101001', '00101010', '00101011', '00101100', '00101101', '00000100', '00000101', '00001010',
  '00001011', '01010010', '01010011', '01010100', '01010101', '00100100', '00100101', '01011000',
  '01011001', '01011010', '01011011', '01001010', '01001011', '00110010', '00110011', '00110100',
];

/** Runs 64, 128, ... 1728. */
// biome-ignore format: eight codes a row, as in the standard's tables
const WHITE_MAKEUP = [
  '11011', '10010', '010111', '0110111', '00110110', '00110111', '01100100', '01100101',
  '01101000', '01100111', '011001100', '011001101', '011010010', '011010011', '011010100', '011010101',
  '011010110', '011010111', '011011000', '011011001', '011011010', '011011011', '010011000', '010011001',
  '010011010', '011000', '010011011',
];

// biome-ignore format: eight codes a row, as in the standard's tables
const BLACK_TERMINATING = [
  '0000110111', '010', '11', '10', '011', '0011', '0010', '00011',
  '000101', '000100', '0000100', '0000101', '0000111', '00000100', '00000111', '000011000',
  '0000010111', '0000011000', '0000001000', '00001100111', '00001101000', '00001101100', '00000110111', '00000101000',
  '00000010111', '00000011000', '000011001010', '000011001011', '000011001100', '000011001101', '000001101000', '000001101001',
  '000001101010', '000001101011', '000011010010', '000011010011', '000011010100', '000011010101', '000011010110', '000011010111',
  '000001101100', '000001101101', '000011011010', '000011011011', '000001010100', '000001010101', '000001010110', '000001010111',
  '000001100100', '000001100101', '000001010010', '000001010011', '000000100100', '000000110111', '000000111000', '000000100111',
  '000000101000', '000001011000', '000001011001', '000000101011', '000000101100', '000001011010', '000001100110', '000001100111',
];

/** Runs 64, 128, ... 1728. */
// biome-ignore format: eight codes a row, as in the standard's tables
const BLACK_MAKEUP = [
  '0000001111', '000011001000', '000011001001', '000001011011', '000000110011', '000000110100', '000000110101', '0000001101100',
  '0000001101101', '0000001001010', '0000001001011', '0000001001100', '0000001001101', '0000001110010', '0000001110011', '0000001110100',
  '0000001110101', '0000001110110', '0000001110111', '0000001010010', '0000001010011', '0000001010100', '0000001010101', '0000001011010',
  '0000001011011', '0000001100100', '0000001100101',
];

/** Runs 1792, 1856, ... 2560, the same for both colours (pages wider than a fax line). */
// biome-ignore format: eight codes a row, as in the standard's tables
const EXTENDED_MAKEUP = [
  '00000001000', '00000001100', '00000001101', '000000010010', '000000010011', '000000010100', '000000010101',
  '000000010110', '000000010111', '000000011100', '000000011101', '000000011110', '000000011111',
];

/** Exported for tests: the code tables as written, in run-length order. */
export const G4_CODE_TABLES = {
  whiteTerminating: WHITE_TERMINATING,
  whiteMakeup: WHITE_MAKEUP,
  blackTerminating: BLACK_TERMINATING,
  blackMakeup: BLACK_MAKEUP,
  extendedMakeup: EXTENDED_MAKEUP,
} as const;

interface CodeTable {
  bits: Uint16Array;
  lengths: Uint8Array;
}

function table(codes: readonly string[]): CodeTable {
  return {
    bits: Uint16Array.from(codes, (c) => Number.parseInt(c, 2)),
    lengths: Uint8Array.from(codes, (c) => c.length),
  };
}

/** Index 0 white, 1 black. */
const TERMINATING = [table(WHITE_TERMINATING), table(BLACK_TERMINATING)] as const;
const MAKEUP = [table(WHITE_MAKEUP), table(BLACK_MAKEUP)] as const;
const EXTENDED = table(EXTENDED_MAKEUP);

// Mode codes (T.4 table 4 / T.6 table 1).
const PASS = 0b0001;
const HORIZONTAL = 0b001;
/** Vertical mode codes for a1 - b1 = -3 ... 3. */
const VERTICAL_BITS = [0b0000010, 0b000010, 0b010, 0b1, 0b011, 0b000011, 0b0000011] as const;
const VERTICAL_LENGTHS = [7, 6, 3, 1, 3, 6, 7] as const;
const EOL = 0b000000000001;

class BitWriter {
  private buf = new Uint8Array(1 << 16);
  private pos = 0;
  private acc = 0;
  private count = 0;

  /** Appends the low `length` bits of `bits` (length <= 16), most significant first. */
  put(bits: number, length: number): void {
    this.acc = (this.acc << length) | bits;
    this.count += length;
    while (this.count >= 8) {
      this.count -= 8;
      if (this.pos === this.buf.length) this.grow();
      this.buf[this.pos++] = (this.acc >>> this.count) & 0xff;
    }
    // Keep only the pending bits so the accumulator never overflows.
    this.acc &= (1 << this.count) - 1;
  }

  /** Pads the last byte with zero bits. */
  finish(): Uint8Array {
    if (this.count > 0) this.put(0, 8 - this.count);
    return this.buf.slice(0, this.pos);
  }

  private grow(): void {
    const bigger = new Uint8Array(this.buf.length * 2);
    bigger.set(this.buf);
    this.buf = bigger;
  }
}

function putRun(out: BitWriter, run: number, color: 0 | 1): void {
  // T.4: runs of 2560 or more repeat the 2560 make-up code, then make-up + terminating for the rest.
  while (run >= 2560) {
    out.put(EXTENDED.bits[12]!, EXTENDED.lengths[12]!);
    run -= 2560;
  }
  if (run >= 1792) {
    const i = (run >> 6) - 28;
    out.put(EXTENDED.bits[i]!, EXTENDED.lengths[i]!);
    run &= 63;
  } else if (run >= 64) {
    const i = (run >> 6) - 1;
    out.put(MAKEUP[color].bits[i]!, MAKEUP[color].lengths[i]!);
    run &= 63;
  }
  out.put(TERMINATING[color].bits[run]!, TERMINATING[color].lengths[run]!);
}

/**
 * Positions where the colour changes along a row (the first from the imaginary white pixel before x = 0),
 * then `width` three times, so that lookups past the last change need no bounds checks. Even indices
 * are changes to black, odd ones changes to white. Returns how many real changes there are.
 */
function changes(data: Uint8Array, start: number, width: number, out: Int32Array): number {
  let n = 0;
  let color = 0;
  for (let x = 0; x < width; x++) {
    const c = data[start + x] === 0 ? 0 : 1;
    if (c !== color) {
      out[n++] = x;
      color = c;
    }
  }
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  return n;
}

/**
 * Encodes a bitmap as CCITT Group 4 (T.6 two-dimensional coding, every row referring to the one above; the
 * first to an imaginary white row), ending with EOFB and padded to a whole byte. For a PDF image:
 * /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns width /Rows height >> (BlackIs1 false).
 */
export function encodeG4(image: Bitmap): Uint8Array {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodeG4: bad size ${width} x ${height}`);
  }
  if (data.length < width * height) {
    throw new Error(`encodeG4: ${data.length} bytes for ${width} x ${height} pixels`);
  }
  const out = new BitWriter();
  let ref = new Int32Array(width + 3);
  let cur = new Int32Array(width + 3);
  // The imaginary white row above the first.
  ref.fill(width);

  for (let y = 0; y < height; y++) {
    changes(data, y * width, width, cur);
    let a0 = -1;
    // cur[ci] is a1, the first change right of a0; its parity is the colour of a0 (even: white).
    let ci = 0;
    // ref[ri] is the first change on the reference row right of a0.
    let ri = 0;
    while (a0 < width) {
      const a1 = cur[ci]!;
      while (ref[ri]! <= a0) ri++;
      // b1 changes to the colour opposite a0's: the same index parity as a1.
      const bi = (ri & 1) === (ci & 1) ? ri : ri + 1;
      const b1 = ref[bi]!;
      const b2 = ref[bi + 1]!;
      if (b2 < a1) {
        out.put(PASS, 4);
        a0 = b2;
        continue;
      }
      const d = a1 - b1;
      if (d >= -3 && d <= 3) {
        out.put(VERTICAL_BITS[d + 3]!, VERTICAL_LENGTHS[d + 3]!);
        a0 = a1;
        ci++;
        continue;
      }
      const a2 = cur[ci + 1]!;
      const color = (ci & 1) as 0 | 1;
      out.put(HORIZONTAL, 3);
      putRun(out, a1 - Math.max(a0, 0), color);
      putRun(out, a2 - a1, (color ^ 1) as 0 | 1);
      a0 = a2;
      ci += 2;
    }
    [ref, cur] = [cur, ref];
  }
  // EOFB (two EOLs): the end of the data, which decoders read ahead into while decoding the last row.
  out.put(EOL, 12);
  out.put(EOL, 12);
  return out.finish();
}
