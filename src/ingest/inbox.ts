import { type FSWatcher, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Logger } from '../logger.js';

export interface InboxOptions {
  dir: string;
  stableMs: number;
  pollMs: number;
  mode: 'watch' | 'poll';
}

/** Names that are never letters: hidden files and the temporary files of editors, browsers and copiers. */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.startsWith('~$') ||
    /\.(?:tmp|temp|part|partial|crdownload|download|swp|swx)$/i.test(name) ||
    name.endsWith('~') ||
    /\.error\.json$/i.test(name)
  );
}

/** Files taken in at once by one scan. */
const INGEST_LANES = 8;

interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
}

/**
 * Watches a folder (recursively) and reports each regular file once, after its size and mtime have held
 * still for `stableMs`, so a file still being written is read only when complete. Symlinks, directories,
 * hidden and temporary files are ignored. In poll mode only the periodic scan runs (network shares).
 */
export class InboxWatcher {
  private readonly seen = new Map<string, Seen>();
  private readonly reported = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  /** One non-recursive watcher per folder: Node 20's recursive mode re-reads the tree on every event. */
  private readonly watchers = new Map<string, FSWatcher>();
  private scanning: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly options: InboxOptions,
    private readonly onStable: (path: string) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.options.mode === 'watch') this.watchDir(this.options.dir);
    const tick = () => {
      if (this.stopped) return;
      void this.scan().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
      });
    };
    tick();
  }

  /** Change events only hasten the next scan (debounced): a burst of copies costs one scan, not one each. */
  private hasten(): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.scan();
    }, 50);
  }

  private watchDir(dir: string): void {
    if (this.stopped || this.watchers.has(dir)) return;
    try {
      const watcher = watch(dir, () => this.hasten());
      watcher.on('error', (err) => {
        this.logger.warn({ err: err.message }, 'inbox watch error; polling continues');
        watcher.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, watcher);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'inbox change events unavailable; polling only');
    }
  }

  /** Forget a path once it has left the inbox, so a new file under the same name is read again. */
  forget(path: string): void {
    this.reported.delete(path);
    this.seen.delete(path);
  }

  /**
   * Look at a path again although it was taken in: its file changed after a failed read (see settleFiles).
   * It is taken in again once it holds still, as any file.
   */
  takeAgain(path: string): void {
    this.reported.delete(path);
  }

  /** One scan; concurrent calls share it. */
  scan(): Promise<void> {
    this.scanning ??= this.scanOnce().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const entries = await readdir(this.options.dir, { recursive: true, withFileTypes: true }).catch(() => []);
    const now = Date.now();
    const present = new Set<string>();
    const ready: string[] = [];
    const candidates: string[] = [];
    const folders = new Set([this.options.dir]);
    for (const entry of entries) {
      const path = join(entry.parentPath, entry.name);
      const rel = relative(this.options.dir, path);
      if (rel.split(/[\\/]/).some(isIgnoredName)) continue;
      if (entry.isDirectory()) folders.add(path);
      if (!entry.isFile()) continue; // directories (even one named x.pdf), symlinks, sockets, fifos
      present.add(path);
      // Already taken in: it stays until it is settled (then forgotten), so no need to look again.
      if (!this.reported.has(path)) candidates.push(path);
    }
    if (this.options.mode === 'watch') {
      for (const dir of folders) this.watchDir(dir);
      for (const [dir, watcher] of this.watchers) {
        if (folders.has(dir)) continue;
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    // All at once: one stat at a time waits behind every CPU-bound job of a busy process.
    const stats = await Promise.all(candidates.map((path) => lstat(path).catch(() => null)));
    if (this.stopped) return;
    let waiting = false;
    candidates.forEach((path, i) => {
      const st = stats[i];
      if (!st?.isFile()) return;
      const prev = this.seen.get(path);
      if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
        this.seen.set(path, { size: st.size, mtimeMs: st.mtimeMs, since: now });
        if (this.options.stableMs > 0) {
          waiting = true;
          return;
        }
      }
      const since = this.seen.get(path)!.since;
      if (now - since < this.options.stableMs) {
        waiting = true;
        return;
      }
      this.reported.set(path, `${st.size}:${st.mtimeMs}`);
      ready.push(path);
    });
    // A file waiting to hold still is looked at again once it may have, not only at the next poll.
    if (waiting && !this.stopped) {
      clearTimeout(this.recheck);
      this.recheck = setTimeout(() => void this.scan(), this.options.stableMs + 10);
    }
    await this.ingestAll(ready);
    for (const path of this.seen.keys()) if (!present.has(path)) this.seen.delete(path);
  }

  /**
   * Takes the stable files in, several at a time: each one waits on disk, the database and Redis, and in a
   * process that also runs CPU-bound workers one file at a time left the inbox the bottleneck.
   */
  private async ingestAll(paths: string[]): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < paths.length && !this.stopped) {
        const path = paths[next++]!;
        try {
          await this.onStable(path);
        } catch (err) {
          // Not reported: the next scan tries again.
          this.reported.delete(path);
          this.logger.error(
            { file: basename(path), err: (err as Error).message },
            'could not ingest; will retry',
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(INGEST_LANES, paths.length) }, lane));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.soon);
    clearTimeout(this.recheck);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.scanning;
  }
}
