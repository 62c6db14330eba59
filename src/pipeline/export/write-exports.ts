import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceAtomically, writeFileAtomic } from './atomic.js';
import { recordToCsvRows, rowsToCsv } from './csv.js';
import { toJsonl } from './jsonl.js';
import { writeParquet } from './parquet.js';
import type { ExportRecord } from './record.js';

export const EXPORT_FORMATS = ['jsonl', 'csv', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file each format is written to, inside the export folder. */
export const EXPORT_FILES: Record<ExportFormat, string> = {
  jsonl: 'letters.jsonl',
  csv: 'items.csv',
  parquet: 'items.parquet',
};

export interface WrittenExport {
  format: ExportFormat;
  path: string;
  /** Lines of letters.jsonl (letters), or item rows of items.csv / items.parquet. */
  rows: number;
}

/**
 * Writes the whole-collection exports to `dir` (created if needed): `letters.jsonl` (one record a line),
 * `items.csv` and `items.parquet` (one row per item). Each file is replaced atomically. Give corrected
 * records (`loadExportRecords` in `src/review/export.ts`) so the files carry what QA confirmed.
 */
export async function writeExports(
  records: readonly ExportRecord[],
  dir: string,
  formats: readonly ExportFormat[] = EXPORT_FORMATS,
): Promise<WrittenExport[]> {
  await mkdir(dir, { recursive: true });
  const wanted = EXPORT_FORMATS.filter((f) => formats.includes(f));
  const rows = wanted.some((f) => f !== 'jsonl') ? records.flatMap(recordToCsvRows) : [];
  const written: WrittenExport[] = [];
  for (const format of wanted) {
    const path = join(dir, EXPORT_FILES[format]);
    if (format === 'jsonl') {
      await writeFileAtomic(path, toJsonl(records));
      written.push({ format, path, rows: records.length });
    } else if (format === 'csv') {
      await writeFileAtomic(path, rowsToCsv(rows));
      written.push({ format, path, rows: rows.length });
    } else {
      await replaceAtomically(path, (tmp) => writeParquet(rows, tmp));
      written.push({ format, path, rows: rows.length });
    }
  }
  return written;
}

/** Folders of per-letter exports this process has made: one mkdir per folder, not one per letter. */
const recordFolders = new Set<string>();

/**
 * The per-letter export: `dir/records/<sha256>.json` (indented), replaced atomically; returns its path.
 * Written from the corrected record (`exportLetter` in `src/review/export.ts`).
 */
export async function writeRecordFile(record: ExportRecord, dir: string): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(record.sha256))
    throw new Error(`not a sha256: ${JSON.stringify(record.sha256)}`);
  const folder = join(dir, 'records');
  const path = join(folder, `${record.sha256}.json`);
  const data = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
  if (!recordFolders.has(folder)) {
    await mkdir(folder, { recursive: true });
    recordFolders.add(folder);
  }
  // Still atomic, but not flushed: the database is the source of truth and this file can be written
  // again from it (imr export, imr reprocess); an fsync per letter cost ~40 ms of each export job.
  try {
    await writeFileAtomic(path, data, { durable: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // The folder was removed since (by a person): made again.
    await mkdir(folder, { recursive: true });
    await writeFileAtomic(path, data, { durable: false });
  }
  return path;
}
