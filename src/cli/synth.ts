import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateLetterPdf, LAYOUTS, type LetterLayout, typesetText } from '../synth/index.js';
import { type ScanOptions, scanPdf, scanProfile } from '../synth/scan.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';

export const SYNTH_HELP = `imr synth --out DIR [--count N] [--seed S] [--layout fdl-2016|fdl-2015|notice-2013]
          [--scan grey|fax|copier-bw]

Writes N synthetic IMR letters with known truth: DIR/synth-<seed>.pdf and DIR/synth-<seed>.json (the label,
in the format of the development set). The same seed always gives the same letter (and the same scan).

Options:
  --out DIR       where to write (created if missing)
  --count N       how many letters (default 10)
  --seed S        first seed (default 1); letter i uses seed S + i
  --layout L      one layout for all; default: a mix (mostly fdl-2016)
  --scan P        write a scanned copy (image only, no text layer) instead of the typeset PDF:
                  grey (200 DPI grey JPEG), fax (204 x 196 DPI 1-bit CCITT G4, skewed, squeezed, specks)
                  or copier-bw (300 DPI 1-bit CCITT G4, skewed); the label is the same
  -h, --help      this help`;

export const TYPESET_HELP = `imr typeset <letter.txt> --out FILE.pdf

Typesets a plain-text letter (one source line per line; double-spaced copies are undone; ALL-CAPS headings
centred and bold) into a PDF, e.g. to run a letter known only as text through "imr extract".`;

async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}

function wholeNumber(value: string | undefined, name: string, fallback: number, help: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} takes a whole number, not "${value}"`, help);
  return n;
}

export async function runSynth(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, SYNTH_HELP, {
    out: { type: 'string' },
    count: { type: 'string' },
    seed: { type: 'string' },
    layout: { type: 'string' },
    scan: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${SYNTH_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, SYNTH_HELP);
  if (!values.out) throw new UsageError('--out DIR is required', SYNTH_HELP);
  const count = wholeNumber(values.count, 'count', 10, SYNTH_HELP);
  const seed = wholeNumber(values.seed, 'seed', 1, SYNTH_HELP);
  const layout = values.layout as LetterLayout | undefined;
  if (layout !== undefined && !LAYOUTS.includes(layout)) {
    throw new UsageError(`--layout is one of ${LAYOUTS.join(', ')}`, SYNTH_HELP);
  }
  let scan: ScanOptions | undefined;
  if (values.scan !== undefined) {
    try {
      scan = scanProfile(values.scan);
    } catch (err) {
      // scanProfile's message names the valid profiles.
      throw new UsageError(`--scan: ${err instanceof Error ? err.message : String(err)}`, SYNTH_HELP);
    }
  }
  for (let i = 0; i < count; i++) {
    const s = seed + i;
    const { label, pdf } = await generateLetterPdf(s, layout ? { layout } : {});
    // The letter's seed also seeds its scan: the same command gives the same bytes.
    const out = scan ? await scanPdf(pdf, { ...scan, seed: s }) : pdf;
    await writeAtomic(join(values.out, `synth-${s}.pdf`), out);
    await writeAtomic(join(values.out, `synth-${s}.json`), `${JSON.stringify(label, null, 2)}\n`);
  }
  const what = values.scan ? `scanned (${values.scan}) letter(s)` : 'letter(s)';
  cli.stderr.write(`imr synth: ${count} ${what} with labels -> ${values.out}\n`);
  return 0;
}

export async function runTypeset(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, TYPESET_HELP, {
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${TYPESET_HELP}\n`);
    return 0;
  }
  const [input, ...extra] = positionals;
  if (!input || extra.length > 0) throw new UsageError('give exactly one text file', TYPESET_HELP);
  if (!values.out) throw new UsageError('--out FILE.pdf is required', TYPESET_HELP);
  const text = await readFile(input, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${input}: ${err.code ?? err.message}`, TYPESET_HELP);
  });
  await writeAtomic(values.out, await typesetText(text));
  cli.stderr.write(`imr typeset: ${input} -> ${values.out}\n`);
  return 0;
}
