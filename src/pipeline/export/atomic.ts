import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

/**
 * A temporary name made by `tempPathFor` (`NAME.tmp-<pid>-<n>`), or by another writer of the export
 * folder in the same form with a hex tail (`.parquet.tmp-<pid>-<hex>`): group 1 is the writer's pid.
 */
export const TEMP_NAME = /\.tmp-(\d+)-[0-9a-f]+$/;

/**
 * A temporary name beside `path` (same folder, so the final rename is atomic): `NAME.tmp-<pid>-<n>`,
 * unique per process and per call, so concurrent writers of one file never share a temporary.
 */
export function tempPathFor(path: string): string {
  sequence += 1;
  return join(dirname(path), `${basename(path)}.tmp-${process.pid}-${sequence}`);
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Produces `path` atomically: `produce` writes the temporary file it is given, which is flushed to disk
 * (unless `durable: false`) and renamed over `path`. Readers see the old file or the new one, never a part; on failure the temporary
 * is removed and `path` is untouched.
 */
export async function replaceAtomically(
  path: string,
  produce: (tmp: string) => Promise<void>,
  { durable = true }: { durable?: boolean } = {},
): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await produce(tmp);
    if (durable) await fsyncFile(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Writes `data` to `path` atomically (see `replaceAtomically`). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { durable?: boolean } = {},
): Promise<void> {
  await replaceAtomically(
    path,
    async (tmp) => {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    },
    options,
  );
}
