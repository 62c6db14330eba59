import { access } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type WrittenExport,
  writeExports,
} from '../pipeline/export/index.js';
import { loadExportRecords } from '../review/export.js';
import { createStore } from '../store/create-store.js';
import { describeStoreUrl, parseStoreUrl } from '../store/url.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { createProgress } from './progress.js';

export const EXPORT_HELP = `imr export [--format jsonl|csv|parquet]... [--out DIR] [--db URL]

Writes every letter stored in the database to collection files in DIR:
  letters.jsonl   one LetterRecord per line (as "imr extract" prints them)
  items.csv       one row per item, the letter's fields repeated (RFC 4180; a letter without items
                  has one row with empty item columns)
  items.parquet   the same rows as items.csv (integers typed)
Values are the corrected ones: QA corrections applied over the machine values. A corrected letter's
JSON line also has "corrections" (field, machine value, corrected value, author, reason, time), and the
item rows name the corrected values in "corrected_fields".
Each file is written beside its final name and renamed into place, so readers never see a part.

Options:
  --format F      jsonl, csv or parquet; repeat it or give a comma list (default: all three)
  --out DIR       folder to write to (default: IMR_EXPORT_DIR, else data/exports)
  --db URL        a SQLite file or postgres:// URL (default: DATABASE_URL, else data/imr.sqlite)
  -h, --help      this help`;

function parseFormats(values: string[] | undefined): ExportFormat[] {
  if (!values || values.length === 0) return [...EXPORT_FORMATS];
  const names = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  if (names.length === 0) throw new UsageError('--format needs a value', EXPORT_HELP);
  for (const name of names) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown format "${name}": use ${EXPORT_FORMATS.join(', ')}`, EXPORT_HELP);
    }
  }
  return EXPORT_FORMATS.filter((f) => names.includes(f));
}

export async function runExport(argv: string[], cli: Cli): Promise<number> {
  const parsed = parseCommandLine(argv, EXPORT_HELP, {
    format: { type: 'string', multiple: true },
    out: { type: 'string' },
    db: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (parsed.values.help) {
    cli.stdout.write(`${EXPORT_HELP}\n`);
    return 0;
  }
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`, EXPORT_HELP);
  }
  const formats = parseFormats(parsed.values.format);
  const config = loadConfig(cli.env);
  const url = parsed.values.db ?? config.databaseUrl;
  const out = parsed.values.out ?? config.exportDir;

  let target: ReturnType<typeof parseStoreUrl>;
  try {
    target = parseStoreUrl(url);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), EXPORT_HELP);
  }
  if (target.dialect === 'sqlite' && target.path !== ':memory:') {
    const exists = await access(target.path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      cli.stderr.write(`imr export: no database at ${target.path} (give --db or set DATABASE_URL)\n`);
      return 1;
    }
  }

  const store = createStore(url);
  // Ticks per file written: the exporters build each file whole, with no per-letter step to count.
  const progress = createProgress('imr export', formats.length, { stream: cli.stderr });
  try {
    await store.migrate();
    const records = await loadExportRecords(store);
    const written: WrittenExport[] = [];
    for (const format of formats) {
      written.push(...(await writeExports(records, out, [format])));
      progress.tick();
    }
    progress.done();
    cli.stderr.write(`imr export: ${records.length} letter(s) from ${describeStoreUrl(url)}\n`);
    for (const w of written) {
      cli.stderr.write(`  ${w.path} (${w.rows} ${w.format === 'jsonl' ? 'letter' : 'item row'}(s))\n`);
    }
    return 0;
  } finally {
    progress.done();
    await store.close();
  }
}
