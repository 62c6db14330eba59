import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../schemas/config.js';
import { analyticsEngineOf } from '../analytics/engine.js';
import { exportParquetByYear, type ParquetYearsExport } from '../analytics/parquet-years.js';
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

/** What `--format` takes: the collection files, and the Parquet datasets by decision year. */
const FORMATS = [...EXPORT_FORMATS, 'parquet-years'] as const;
type CliFormat = (typeof FORMATS)[number];

export const EXPORT_HELP = `imr export [--format jsonl|csv|parquet|parquet-years]... [--out DIR] [--db URL]

Writes every letter stored in the database to collection files in DIR:
  letters.jsonl   one LetterRecord per line (as "imr extract" prints them)
  items.csv       one row per item, the letter's fields repeated (RFC 4180; a letter without items
                  has one row with empty item columns)
  items.parquet   the same rows as items.csv (integers typed)
  parquet/        with --format parquet-years (never by default): the views letters, items and
                  citations as Parquet datasets partitioned by decision year, e.g.
                  parquet/items/decision_year=2016/data_0.parquet ("unknown" without a date);
                  written by DuckDB from the analytics copy, streamed: the size for millions of items
Values are the corrected ones: QA corrections applied over the machine values. A corrected letter's
JSON line also has "corrections" (field, machine value, corrected value, author, reason, time), and the
item rows name the corrected values in "corrected_fields".
Each file is written beside its final name and renamed into place, so readers never see a part.

Options:
  --format F      jsonl, csv, parquet or parquet-years; repeat it or give a comma list (default:
                  jsonl, csv and parquet)
  --out DIR       folder to write to (default: IMR_EXPORT_DIR, else data/exports)
  --db URL        a SQLite file or postgres:// URL (default: DATABASE_URL, else data/imr.sqlite)
  -h, --help      this help`;

function parseFormats(values: string[] | undefined): CliFormat[] {
  if (!values || values.length === 0) return [...EXPORT_FORMATS];
  const names = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  if (names.length === 0) throw new UsageError('--format needs a value', EXPORT_HELP);
  for (const name of names) {
    if (!(FORMATS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown format "${name}": use ${FORMATS.join(', ')}`, EXPORT_HELP);
    }
  }
  return FORMATS.filter((f) => names.includes(f));
}

/**
 * The datasets by decision year, from the deployment's analytics copy of this store (or, with
 * IMR_ANALYTICS=store, a copy made for the export and removed after).
 */
async function parquetYears(url: string, config: Config, out: string): Promise<ParquetYearsExport> {
  const copy = analyticsEngineOf({ ...config, databaseUrl: url }).analyticsCopy;
  if (copy) return exportParquetByYear(url, copy, out);
  const scratch = await mkdtemp(join(tmpdir(), 'imr-export-'));
  try {
    return await exportParquetByYear(url, join(scratch, 'copy.duckdb'), out);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
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
    const files = formats.filter((f): f is ExportFormat => f !== 'parquet-years');
    // The records are loaded only for the collection files (the datasets stream from the copy).
    const records = files.length > 0 ? await loadExportRecords(store) : [];
    const written: WrittenExport[] = [];
    for (const format of files) {
      written.push(...(await writeExports(records, out, [format])));
      progress.tick();
    }
    const years = formats.includes('parquet-years')
      ? await parquetYears(url, config, out).finally(() => progress.tick())
      : null;
    progress.done();
    if (files.length > 0) {
      cli.stderr.write(`imr export: ${records.length} letter(s) from ${describeStoreUrl(url)}\n`);
    }
    for (const w of written) {
      cli.stderr.write(`  ${w.path} (${w.rows} ${w.format === 'jsonl' ? 'letter' : 'item row'}(s))\n`);
    }
    if (years) {
      cli.stderr.write(`imr export: Parquet by decision year from ${describeStoreUrl(url)}\n`);
      for (const d of years.datasets) {
        cli.stderr.write(`  ${join(years.path, d.name)}/ (${d.rows} row(s), ${d.years} year(s))\n`);
      }
    }
    return 0;
  } finally {
    progress.done();
    await store.close();
  }
}
