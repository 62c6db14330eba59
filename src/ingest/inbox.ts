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
  private watcher: FSWatcher | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly options: InboxOptions,
    private readonly onStable: (path: string) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.options.mode === 'watch') {
      try {
        // Change events only hasten the next scan (debounced): a burst of copies costs one scan, not one each.
        this.watcher = watch(this.options.dir, { recursive: true }, () => {
          this.soon ??= setTimeout(() => {
            this.soon = undefined;
            void this.scan();
          }, 50);
        });
        this.watcher.on('error', (err) =>
          this.logger.warn({ err: err.message }, 'inbox watch error; polling continues'),
        );
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'inbox change events unavailable; polling only');
      }
    }
    const tick = () => {
      if (this.stopped) return;
      void this.scan().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
      });
    };
    tick();
  }

  /** Forget a path once it has left the inbox, so a new file under the same name is read again. */
  forget(path: string): void {
    this.reported.delete(path);
    this.seen.delete(path);
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
    for (const entry of entries) {
      if (this.stopped) return;
      const path = join(entry.parentPath, entry.name);
      const rel = relative(this.options.dir, path);
      if (rel.split(/[\\/]/).some(isIgnoredName)) continue;
      if (!entry.isFile()) continue; // directories (even one named x.pdf), symlinks, sockets, fifos
      present.add(path);
      // Already taken in: it stays until it is settled (then forgotten), so no need to look again.
      if (this.reported.has(path)) continue;
      const st = await lstat(path).catch(() => null);
      if (!st?.isFile()) continue;
      const key = `${st.size}:${st.mtimeMs}`;
      const prev = this.seen.get(path);
      if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
        this.seen.set(path, { size: st.size, mtimeMs: st.mtimeMs, since: now });
        if (this.options.stableMs > 0) continue;
      }
      const since = this.seen.get(path)!.since;
      if (now - since < this.options.stableMs) continue;
      this.reported.set(path, key);
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
    for (const path of this.seen.keys()) if (!present.has(path)) this.seen.delete(path);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.soon);
    this.watcher?.close();
    await this.scanning;
  }
}
