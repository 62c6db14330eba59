/**
 * A small typesetter on pdf-lib that lays text out the way the MAXIMUS IMR letters do: US Letter,
 * 1in margins, Times 12pt body text with 13.8pt leading, bold centered headings, a two-column
 * Helvetica header table, ragged-right paragraphs wrapped on spaces (a token wider than the line
 * is broken after a hyphen, as long URLs are in the real letters).
 *
 * Layout is synchronous (`layoutBlocks`, standard-font metrics only) so the generator can know
 * the wrapped lines; `typesetBlocks` draws a layout into a PDF.
 */
import { PDFDocument, rgb, StandardFontEmbedder, StandardFonts } from 'pdf-lib';

export type FontKey = 'roman' | 'bold' | 'sans' | 'sansBold';

/** One field of the two-column header table; a `\n` in `label` puts the rest on the line below. */
export interface HeaderField {
  label: string;
  value: string;
}

export interface HeaderRow {
  left?: HeaderField;
  right?: HeaderField;
}

/** A piece of text at a fixed x on a line of its own (e.g. the 2013 notices' "Label: value" lines). */
export interface RowCell {
  x: number;
  text: string;
  bold?: boolean;
}

export type Block =
  /** The header table of the final determination letters. */
  | { kind: 'header'; rows: HeaderRow[] }
  /** Times-Bold 12pt, centered. */
  | { kind: 'heading'; text: string; tight?: boolean }
  /**
   * Times-Roman 12pt (Times-Bold if `bold`), word-wrapped; `\n` forces a line break. `lead` is set in
   * bold before `text` (the item line, "Claims Administrator guideline:", "Decision rationale:").
   * A blank line separates it from a preceding paragraph unless `tight`.
   */
  | { kind: 'para'; text: string; bold?: boolean; lead?: string; tight?: boolean }
  /** One line of cells at fixed x positions, Times-Roman 12pt. */
  | { kind: 'row'; cells: RowCell[]; tight?: boolean }
  /** One empty line. */
  | { kind: 'blank' };

export interface Fragment {
  x: number;
  y: number;
  text: string;
  font: FontKey;
  size: number;
}

export interface LaidOutLine {
  /** 0-based page index. */
  page: number;
  /** Baseline, PDF user space (origin bottom-left). */
  y: number;
  fragments: Fragment[];
  /** Index of the block this line belongs to. */
  block: number;
}

export interface PageLayout {
  pageCount: number;
  lines: LaidOutLine[];
}

export interface TypesetOptions {
  title?: string;
  subject?: string;
  author?: string;
  keywords?: string[];
  /** Written as both creation and modification date, so the same input gives the same bytes. */
  date?: Date;
}

export const PAGE_WIDTH = 612;
export const PAGE_HEIGHT = 792;
export const LEFT = 72;
export const TEXT_WIDTH = 468;
/** Lines are filled to a little less than the text width: pdf.js measures Times slightly wider. */
const WRAP_WIDTH = 465;
export const BOTTOM = 72;
export const BODY_SIZE = 12;
export const HEADER_SIZE = 11;
export const LINE_HEIGHT = 13.8;
/** First baseline of a page (top margin 72pt minus the ascent of 12pt Times). */
const TOP_BASELINE = 709.2;
/** First header row on page 1, and header geometry, as measured on the real letters. */
const HEADER_TOP = 688.7;
const HEADER_ROW = 13.1;
const HEADER_SUBLINE = 12.7;
const HEADER_LEFT_VALUE_X = 179.4;
const HEADER_RIGHT_LABEL_X = 329;
const HEADER_RIGHT_VALUE_X = 426.9;
/** Extra space above a heading after text (34.8pt baseline to baseline) and below it (20.4pt). */
const HEADING_GAP_BEFORE = 21;
const HEADING_GAP_AFTER_HEADER = 14.2;
const HEADING_GAP_AFTER = 6.6;

const FONT_NAMES: Record<FontKey, StandardFonts> = {
  roman: StandardFonts.TimesRoman,
  bold: StandardFonts.TimesRomanBold,
  sans: StandardFonts.Helvetica,
  sansBold: StandardFonts.HelveticaBold,
};

const metrics = new Map<FontKey, StandardFontEmbedder>();
function embedder(font: FontKey): StandardFontEmbedder {
  let e = metrics.get(font);
  if (!e) {
    // pdf-lib's StandardFonts values are the FontNames of @pdf-lib/standard-fonts.
    e = StandardFontEmbedder.for(
      FONT_NAMES[font] as unknown as Parameters<typeof StandardFontEmbedder.for>[0],
    );
    metrics.set(font, e);
  }
  return e;
}

/** Width in points of `text` in a standard font. */
export function textWidth(text: string, font: FontKey = 'roman', size = BODY_SIZE): number {
  return embedder(font).widthOfTextAtSize(text, size);
}

const REPLACEMENTS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2033': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2012': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2212': '-',
  '\u00a0': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
  '\u2026': '...',
  '\u2022': '*',
  '\t': ' ',
};

/**
 * Make text drawable with the standard fonts' WinAnsi encoding: typographic quotes and dashes
 * become ASCII, odd spaces become spaces, control characters other than '\n' are dropped, anything
 * else that cannot be encoded becomes '?'.
 */
export function winAnsiSafe(text: string): string {
  const enc = embedder('roman').encoding;
  let out = '';
  for (const ch of text) {
    const rep = REPLACEMENTS[ch];
    if (rep !== undefined) {
      out += rep;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 63;
    if (ch === '\n') out += ch;
    else if (cp >= 32) out += enc.canEncodeUnicodeCodePoint(cp) ? ch : '?';
  }
  return out;
}

interface Token {
  text: string;
  font: FontKey;
  /** A forced line break before this token. */
  breakBefore: boolean;
}

function tokenize(text: string, font: FontKey, breakFirst: boolean): Token[] {
  const tokens: Token[] = [];
  const lines = winAnsiSafe(text).split('\n');
  lines.forEach((line, i) => {
    let first = true;
    for (const word of line.split(' ')) {
      if (word === '') continue;
      tokens.push({ text: word, font, breakBefore: first && (i > 0 || breakFirst) });
      first = false;
    }
    // An empty line inside the text still forces a break (an empty line of its own).
    if (first && i > 0) tokens.push({ text: '', font, breakBefore: true });
  });
  return tokens;
}

/** The longest prefix of `word` ending in one of `seps` (tried in order) that fits in `room`; null if none. */
function breakPrefix(
  word: string,
  font: FontKey,
  room: number,
  seps: readonly string[] = ['-'],
): string | null {
  for (const sep of seps) {
    let best: string | null = null;
    for (let i = 0; i < word.length - 1; i++) {
      if (word[i] !== sep) continue;
      const prefix = word.slice(0, i + 1);
      if (textWidth(prefix, font) <= room) best = prefix;
      else break;
    }
    if (best) return best;
  }
  return null;
}

/** Last resort for a token with no usable hyphen: as many characters as fit. */
function hardPrefix(word: string, font: FontKey, room: number): string {
  let n = 1;
  while (n < word.length && textWidth(word.slice(0, n + 1), font) <= room) n++;
  return word.slice(0, n);
}

type LineTokens = Token[];

/** Greedy word wrap to `width`; never breaks inside a word except after a hyphen in an over-wide token. */
export function wrapTokens(tokens: Token[], width = WRAP_WIDTH): LineTokens[] {
  const lines: LineTokens[] = [];
  let cur: LineTokens = [];
  let curWidth = 0;
  const flush = () => {
    lines.push(cur);
    cur = [];
    curWidth = 0;
  };
  const add = (t: Token) => {
    const w = textWidth(t.text, t.font);
    curWidth += (cur.length > 0 ? textWidth(' ', t.font) : 0) + w;
    cur.push(t);
  };
  const queue = [...tokens];
  let started = false;
  while (queue.length > 0) {
    const t = queue.shift()!;
    if (t.breakBefore && started) flush();
    started = true;
    if (t.text === '') {
      continue;
    }
    const w = textWidth(t.text, t.font);
    const space = cur.length > 0 ? textWidth(' ', t.font) : 0;
    if (curWidth + space + w <= width) {
      add(t);
      continue;
    }
    if (w <= width) {
      flush();
      add(t);
      continue;
    }
    // Over-wide token: fill the current line up to a hyphen, then go on with the rest. If no hyphen
    // prefix fits there, start a new line (a '/' break, then a hard break, only when a hyphen cannot).
    let prefix = breakPrefix(t.text, t.font, width - curWidth - space);
    if (!prefix) {
      if (cur.length > 0) flush();
      prefix = breakPrefix(t.text, t.font, width, ['-', '/']) ?? hardPrefix(t.text, t.font, width);
    }
    add({ ...t, text: prefix });
    flush();
    queue.unshift({ ...t, text: t.text.slice(prefix.length), breakBefore: false });
  }
  if (cur.length > 0 || lines.length === 0) lines.push(cur);
  return lines;
}

/** Merge a wrapped line's tokens into fragments (one per run of the same font) at their x. */
function lineFragments(line: LineTokens, x0: number, y: number): Fragment[] {
  const frags: Fragment[] = [];
  let x = x0;
  let run: Fragment | null = null;
  for (const [i, t] of line.entries()) {
    x += i > 0 ? textWidth(' ', t.font) : 0;
    if (run && run.font === t.font) {
      run.text += ` ${t.text}`;
    } else {
      run = { x, y, text: t.text, font: t.font, size: BODY_SIZE };
      frags.push(run);
    }
    x += textWidth(t.text, t.font);
  }
  return frags;
}

/** Lay blocks out on pages (pure; standard-font metrics only). */
export function layoutBlocks(blocks: Block[]): PageLayout {
  const lines: LaidOutLine[] = [];
  let page = 0;
  let y = TOP_BASELINE;
  let atTop = true;
  let pendingGap = 0;
  let prev: Block['kind'] | 'start' = 'start';

  /** Reserve one line and return its page and baseline. */
  const place = (): { page: number; y: number } => {
    if (!atTop) y -= pendingGap;
    pendingGap = 0;
    if (y < BOTTOM) {
      page++;
      y = TOP_BASELINE;
    }
    const at = { page, y };
    y -= LINE_HEIGHT;
    atTop = false;
    return at;
  };

  blocks.forEach((block, index) => {
    switch (block.kind) {
      case 'header': {
        const top = atTop && page === 0 ? HEADER_TOP : y;
        let rowY = top;
        let lowest = top;
        for (const row of block.rows) {
          const frags: Fragment[] = [];
          const sub: Fragment[] = [];
          const cell = (f: HeaderField | undefined, labelX: number, valueX: number) => {
            if (!f) return;
            const [first, ...rest] = winAnsiSafe(f.label).split('\n');
            frags.push({ x: labelX, y: rowY, text: first ?? '', font: 'sans', size: HEADER_SIZE });
            if (f.value !== '') {
              frags.push({
                x: valueX,
                y: rowY,
                text: winAnsiSafe(f.value),
                font: 'sansBold',
                size: HEADER_SIZE,
              });
            }
            rest.forEach((r, k) => {
              const subY = rowY - HEADER_SUBLINE * (k + 1);
              sub.push({ x: labelX, y: subY, text: r, font: 'sans', size: HEADER_SIZE });
              lowest = Math.min(lowest, subY);
            });
          };
          cell(row.left, LEFT, HEADER_LEFT_VALUE_X);
          cell(row.right, HEADER_RIGHT_LABEL_X, HEADER_RIGHT_VALUE_X);
          lines.push({ page, y: rowY, fragments: frags, block: index });
          for (const s of sub) lines.push({ page, y: s.y, fragments: [s], block: index });
          lowest = Math.min(lowest, rowY);
          rowY -= HEADER_ROW;
        }
        y = lowest - LINE_HEIGHT;
        atTop = false;
        pendingGap = 0;
        break;
      }
      case 'heading': {
        if (!block.tight) pendingGap += prev === 'header' ? HEADING_GAP_AFTER_HEADER : HEADING_GAP_BEFORE;
        // Keep a heading with the line after it.
        if (!atTop && y - pendingGap - LINE_HEIGHT - HEADING_GAP_AFTER < BOTTOM) {
          page++;
          y = TOP_BASELINE;
          atTop = true;
          pendingGap = 0;
        }
        const text = winAnsiSafe(block.text);
        const at = place();
        const x = (PAGE_WIDTH - textWidth(text, 'bold')) / 2;
        lines.push({ ...at, fragments: [{ x, y: at.y, text, font: 'bold', size: BODY_SIZE }], block: index });
        pendingGap = HEADING_GAP_AFTER;
        break;
      }
      case 'para': {
        if (!block.tight && (prev === 'para' || prev === 'row')) pendingGap += LINE_HEIGHT;
        const bodyFont: FontKey = block.bold ? 'bold' : 'roman';
        const tokens: Token[] = [];
        if (block.lead) tokens.push(...tokenize(block.lead, 'bold', false));
        tokens.push(...tokenize(block.text, bodyFont, false));
        for (const wrapped of wrapTokens(tokens)) {
          const at = place();
          lines.push({ ...at, fragments: lineFragments(wrapped, LEFT, at.y), block: index });
        }
        break;
      }
      case 'row': {
        if (!block.tight && (prev === 'para' || prev === 'row')) pendingGap += LINE_HEIGHT;
        const at = place();
        const fragments = block.cells.map(
          (c): Fragment => ({
            x: c.x,
            y: at.y,
            text: winAnsiSafe(c.text),
            font: c.bold ? 'bold' : 'roman',
            size: BODY_SIZE,
          }),
        );
        lines.push({ ...at, fragments, block: index });
        break;
      }
      case 'blank': {
        if (!atTop) pendingGap += LINE_HEIGHT;
        break;
      }
    }
    prev = block.kind;
  });
  return { pageCount: page + 1, lines };
}

/** Plain text of a layout, roughly as `pdftotext -layout` shows it: pages separated by a form feed. */
export function layoutText(layout: PageLayout): string {
  const pages: string[][] = Array.from({ length: layout.pageCount }, () => []);
  let lastPage = -1;
  let lastY = 0;
  for (const line of layout.lines) {
    const out = pages[line.page]!;
    if (line.page === lastPage && lastY - line.y > LINE_HEIGHT * 1.5) out.push('');
    lastPage = line.page;
    lastY = line.y;
    let s = '';
    let end = LEFT;
    for (const f of [...line.fragments].sort((a, b) => a.x - b.x)) {
      if (f.text === '') continue;
      if (s === '') {
        s = ' '.repeat(Math.max(0, Math.round((f.x - LEFT) / 5.5)));
      } else if (f.x - end > 8) {
        s += ' '.repeat(Math.max(2, Math.round((f.x - LEFT) / 5.5) - s.length));
      } else {
        s += ' ';
      }
      s += f.text;
      end = f.x + textWidth(f.text, f.font, f.size);
    }
    out.push(s);
  }
  return `${pages.map((p) => p.join('\n')).join('\n\f')}\n`;
}

/** Draw a layout into a new PDF. */
export async function renderLayout(layout: PageLayout, opts: TypesetOptions = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const fonts = {
    roman: await doc.embedFont(FONT_NAMES.roman),
    bold: await doc.embedFont(FONT_NAMES.bold),
    sans: await doc.embedFont(FONT_NAMES.sans),
    sansBold: await doc.embedFont(FONT_NAMES.sansBold),
  };
  const pages = Array.from({ length: layout.pageCount }, () => doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]));
  const black = rgb(0, 0, 0);
  for (const line of layout.lines) {
    const page = pages[line.page]!;
    for (const f of line.fragments) {
      if (f.text === '') continue;
      page.drawText(f.text, { x: f.x, y: f.y, size: f.size, font: fonts[f.font], color: black });
    }
  }
  const date = opts.date ?? new Date(Date.UTC(2000, 0, 1));
  if (opts.title) doc.setTitle(opts.title);
  if (opts.subject) doc.setSubject(opts.subject);
  if (opts.author) doc.setAuthor(opts.author);
  if (opts.keywords) doc.setKeywords(opts.keywords);
  doc.setCreator('imr-pipeline synth');
  doc.setProducer('pdf-lib');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  return doc.save({ useObjectStreams: true });
}

/** Typeset blocks into a US Letter PDF. */
export async function typesetBlocks(blocks: Block[], opts: TypesetOptions = {}): Promise<Uint8Array> {
  return renderLayout(layoutBlocks(blocks), opts);
}

const ITEM_LINE = /^(.*:)\s+(Upheld|Overturned)\s*$/;
const LEAD_LABELS = ['Claims Administrator guideline:', 'MAXIMUS guideline:', 'Decision rationale:'];

function isCapsHeading(line: string): boolean {
  return (
    /[A-Z]{2}/.test(line) && !/[a-z]/.test(line) && /^[A-Z0-9 ,.&()'/:-]+$/.test(line) && line.length >= 6
  );
}

/**
 * Undo double spacing: if most non-empty lines are followed by an empty line, single empty lines
 * are dropped, longer runs of empty lines and lines of only spaces become one paragraph break.
 * Returns trimmed lines with '' for paragraph breaks (runs collapsed).
 */
export function undoubleSpace(text: string): string[] {
  const raw = text.replace(/\r\n?/g, '\n').replace(/\f/g, '\n').split('\n');
  let nonEmpty = 0;
  let followed = 0;
  raw.forEach((l, i) => {
    if (l.trim() === '') return;
    nonEmpty++;
    if (raw[i + 1] === '') followed++;
  });
  const doubled = nonEmpty > 0 && followed / nonEmpty > 0.5;
  const out: string[] = [];
  const pushBreak = () => {
    if (out.length > 0 && out[out.length - 1] !== '') out.push('');
  };
  for (let i = 0; i < raw.length; i++) {
    const l = raw[i]!;
    if (l.trim() !== '') {
      out.push(l.trim());
      continue;
    }
    if (!doubled) {
      pushBreak();
      continue;
    }
    if (l !== '') {
      pushBreak(); // a line of only spaces: a paragraph break
      continue;
    }
    let run = 1;
    while (raw[i + run] === '') run++;
    if (run >= 2) pushBreak();
    i += run - 1;
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Blocks for a plain-text letter: one line per source line, headings and item lines recognised. */
export function textToBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  for (const line of undoubleSpace(text)) {
    if (line === '') {
      blocks.push({ kind: 'blank' });
      continue;
    }
    if (isCapsHeading(line)) {
      blocks.push({ kind: 'heading', text: line, tight: true });
      continue;
    }
    const item = ITEM_LINE.exec(line);
    if (item) {
      blocks.push({ kind: 'para', lead: item[1]!, text: item[2]!, tight: true });
      continue;
    }
    const label = LEAD_LABELS.find((l) => line.startsWith(l));
    if (label) {
      blocks.push({ kind: 'para', lead: label, text: line.slice(label.length).trim(), tight: true });
      continue;
    }
    blocks.push({ kind: 'para', text: line, tight: true });
  }
  return blocks;
}

/** Typeset a plain-text letter file (such as the 2015 seed letter). */
export async function typesetText(text: string, opts: TypesetOptions = {}): Promise<Uint8Array> {
  return typesetBlocks(textToBlocks(text), opts);
}
