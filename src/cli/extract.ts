import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LetterRecord } from '../../schemas/letter.js';
import { loadConfig } from '../config.js';
import { sha256 } from '../hash.js';
import type { ExtractOptions, OcrMode } from '../pipeline/extract/extract-text.js';
import { createExtractRuntime } from '../pipeline/extract-options.js';
import { PARSER_VERSION } from '../pipeline/parse/parse-letter.js';
import { emptyFields } from '../pipeline/parse/result.js';
import { processPdf } from '../pipeline/process-letter.js';

const OCR_MODES: OcrMode[] = ['auto', 'always', 'never'];

import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { createProgress } from './progress.js';

export const EXTRACT_HELP = `imr extract <pdf-or-dir>... [--out FILE] [--ocr auto|always|never]

Extracts IMR determination letters to JSON Lines: one record per input file, in input order.
A directory is searched recursively for *.pdf files; a file named explicitly is read whatever its name.

Options:
  --out FILE      write the records to FILE (written to FILE.tmp, then renamed) instead of stdout
  --pretty        indent each record (not JSON Lines; for reading)
  --ocr MODE      auto (default): OCR the pages without a usable text layer; always; never
                  (also IMR_OCR; IMR_OCR_WORKERS, IMR_OCR_DPI, IMR_OCR_TIMEOUT_MS)
Limits per file (README, Configuration): IMR_MAX_PAGES, IMR_MAX_PIXELS, IMR_MAX_INFLATED_MB,
IMR_PAGE_TIME_MS, IMR_MEMORY_MB; PDFs are read in threads under them (IMR_PDF_THREADS=off: not).
  -h, --help      this help

Each record has: file, sha256, status (ok | needs_review | failed), error {code, message} | null,
textSource, layout, parserVersion, the letter fields, items, mismatches and provenance.
Exit code: 0 when every file was processed (some may need review), 1 when any file failed, 2 on a usage error.`;

/** Expands arguments into files: directories recursively (*.pdf, sorted), files as given. */
export async function collectInputs(args: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const st = await lstat(arg).catch(() => null);
    if (st?.isDirectory()) {
      const entries = await readdir(arg, { recursive: true, withFileTypes: true });
      const pdfs = entries
        .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.pdf') && !e.name.startsWith('.'))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      out.push(...pdfs);
    } else {
      out.push(arg);
    }
  }
  return out;
}

function unreadable(file: string, code: 'not_found' | 'not_a_file', message: string): LetterRecord {
  return {
    file,
    sha256: sha256(new Uint8Array()),
    status: 'failed',
    error: { code, message },
    textSource: null,
    layout: null,
    parserVersion: PARSER_VERSION,
    pages: [],
    ...emptyFields(),
    mismatches: [],
    provenance: {},
  };
}

export async function extractFile(file: string, options: ExtractOptions): Promise<LetterRecord> {
  const st = await lstat(file).catch(() => null);
  if (!st) return unreadable(file, 'not_found', 'no such file');
  if (!st.isFile()) return unreadable(file, 'not_a_file', 'not a regular file');
  const bytes = new Uint8Array(await readFile(file));
  return (await processPdf(file, bytes, options)).record;
}

export async function runExtract(argv: string[], cli: Cli): Promise<number> {
  const parsed = parseCommandLine(argv, EXTRACT_HELP, {
    out: { type: 'string' },
    pretty: { type: 'boolean' },
    ocr: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed.values.help) {
    cli.stdout.write(`${EXTRACT_HELP}\n`);
    return 0;
  }
  if (parsed.positionals.length === 0)
    throw new UsageError('give at least one PDF or directory', EXTRACT_HELP);
  const files = await collectInputs(parsed.positionals);
  if (files.length === 0)
    throw new UsageError(`no PDF files found in ${parsed.positionals.join(', ')}`, EXTRACT_HELP);

  const mode = parsed.values.ocr;
  if (mode !== undefined && !OCR_MODES.includes(mode as OcrMode)) {
    throw new UsageError(`--ocr is one of ${OCR_MODES.join(', ')}`, EXTRACT_HELP);
  }
  const config = loadConfig(cli.env);
  const runtime = createExtractRuntime(config, (mode as OcrMode | undefined) ?? config.ocr.mode);
  try {
    return await writeRecords(files, parsed.values.out, parsed.values.pretty ?? false, runtime.options, cli);
  } finally {
    await runtime.close();
  }
}

async function writeRecords(
  files: string[],
  out: string | undefined,
  pretty: boolean,
  options: ExtractOptions,
  cli: Cli,
): Promise<number> {
  const tmp = out ? `${out}.tmp` : null;
  if (out) await mkdir(dirname(out), { recursive: true });
  const file$ = tmp ? createWriteStream(tmp) : null;
  const sink: NodeJS.WritableStream = file$ ?? cli.stdout;
  const counts = { ok: 0, needs_review: 0, failed: 0 };
  // On stderr, and only when it is a terminal; a single file gets none (nothing to count).
  const progress =
    files.length > 1 ? createProgress('imr extract', files.length, { stream: cli.stderr }) : null;
  // Records printed to the same terminal must not land on the progress line.
  const sharesTerminal = sink === cli.stdout && (cli.stdout as { isTTY?: boolean }).isTTY === true;
  try {
    for (const file of files) {
      const record = await extractFile(file, options);
      counts[record.status]++;
      if (sharesTerminal) progress?.clear();
      sink.write(`${JSON.stringify(record, null, pretty ? 2 : undefined)}\n`);
      progress?.tick();
    }
  } finally {
    progress?.done();
  }
  if (file$ && tmp && out) {
    await new Promise<void>((resolve, reject) => {
      file$.on('error', reject);
      file$.end(() => resolve());
    });
    await rename(tmp, out);
  }
  cli.stderr.write(
    `imr extract: ${files.length} file(s): ${counts.ok} ok, ${counts.needs_review} needs review, ${counts.failed} failed${out ? ` -> ${out}` : ''}\n`,
  );
  return counts.failed > 0 ? 1 : 0;
}
