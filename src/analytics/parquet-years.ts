import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { openCopy, syncAnalyticsCopy } from './copy.js';

/** The views written, each a dataset of its own. */
const DATASETS = ['letters', 'items', 'citations'] as const;

export interface ParquetYearsExport {
  /** The folder holding one dataset per view: `<dir>/parquet/<view>/decision_year=YYYY/*.parquet`. */
  path: string;
  datasets: { name: (typeof DATASETS)[number]; rows: number; years: number }[];
}

const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The analyst views `letters`, `items` and `citations` (corrected values) as Parquet datasets partitioned
 * by decision year (hive style: `decision_year=2016/`; `unknown` when the letter has no decision date),
 * written by DuckDB from the analytics copy (brought up to date first), so a corpus of millions of items
 * is streamed rather than held in memory. The folder is written beside and swapped into place.
 */
export async function exportParquetByYear(
  storeUrl: string,
  copyPath: string,
  outDir: string,
): Promise<ParquetYearsExport> {
  await syncAnalyticsCopy(storeUrl, copyPath);
  await mkdir(outDir, { recursive: true });
  const path = join(outDir, 'parquet');
  const building = join(outDir, `.parquet.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const datasets: ParquetYearsExport['datasets'] = [];
  // Read-only: the copy is only read; COPY TO writes the files.
  const instance = await openCopy(copyPath, { access_mode: 'READ_ONLY' }, Date.now() + 60_000);
  try {
    const c = await instance.connect();
    try {
      await mkdir(building);
      for (const name of DATASETS) {
        // Made first: a view without rows still gives a (empty) dataset folder.
        await mkdir(join(building, name));
        const year = `coalesce(substr(decision_date, 1, 4), 'unknown')`;
        await c.run(
          `copy (select *, ${year} as decision_year from main.${name} order by decision_year, decision_date, sha256) ` +
            `to ${quoteLiteral(join(building, name))} (format parquet, partition_by (decision_year), compression zstd)`,
        );
        const [rows, years] = (
          await c.runAndReadAll(`select count(*), count(distinct ${year}) from main.${name}`)
        ).getRowsJS()[0] ?? [0, 0];
        datasets.push({ name, rows: Number(rows), years: Number(years) });
      }
    } finally {
      c.closeSync();
    }
  } catch (err) {
    await rm(building, { recursive: true, force: true });
    throw err;
  } finally {
    instance.closeSync();
  }
  // Swapped into place: readers see the old folder or the new one, never a part.
  const old = `${building}.old`;
  if (existsSync(path)) await rename(path, old);
  await rename(building, path);
  await rm(old, { recursive: true, force: true });
  return { path, datasets };
}
