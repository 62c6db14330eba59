import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../schemas/config.js';

/**
 * A transient fault that is not the file's: the per-letter export folder replaced by a plain file, so every
 * letter's export write fails (ENOTDIR/EEXIST) until `fixExports`.
 */
export async function breakExports(config: Config): Promise<void> {
  const records = join(config.exportDir, 'records');
  await rm(records, { recursive: true, force: true });
  await mkdir(config.exportDir, { recursive: true });
  await writeFile(records, 'not a folder');
}

export async function fixExports(config: Config): Promise<void> {
  const records = join(config.exportDir, 'records');
  await rm(records, { force: true });
  await mkdir(records, { recursive: true });
}
