import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_NAME } from './atomic.js';

export interface SweepOptions {
  /**
   * A temporary younger than this is kept even when its pid is not alive here: the folder may be shared
   * by processes on other machines, whose pids mean nothing on this one.
   */
  minAgeMs?: number;
  /** Whether a process is alive on this machine (replaceable in tests). */
  isAlive?: (pid: number) => boolean;
  now?: number;
}

/** Ten minutes: no atomic write of an export takes that long, and clocks of machines agree that well. */
export const SWEEP_MIN_AGE_MS = 10 * 60_000;

/** Signal 0 asks the kernel whether the pid exists; EPERM means it does (another user's process). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporaries of atomic writes (`NAME.tmp-<pid>-<n>`) that a killed process left in the export
 * folder and its `records/`: those whose writer is not alive on this machine and that are older than
 * `minAgeMs`. Several worker processes share the folder, so a live writer's temporary is never touched.
 * Returns the paths removed; a folder that does not exist is nothing to sweep.
 */
export async function sweepTempFiles(exportDir: string, options: SweepOptions = {}): Promise<string[]> {
  const { minAgeMs = SWEEP_MIN_AGE_MS, isAlive = processAlive, now = Date.now() } = options;
  const removed: string[] = [];
  for (const dir of [exportDir, join(exportDir, 'records')]) {
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
      throw err;
    });
    for (const name of names) {
      const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
      if (!Number.isSafeInteger(pid) || pid <= 0 || isAlive(pid)) continue;
      const path = join(dir, name);
      const info = await stat(path).catch(() => null);
      // Gone meanwhile (its writer renamed it), or too young to be sure its writer is gone.
      if (!info || now - info.mtimeMs < minAgeMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}
