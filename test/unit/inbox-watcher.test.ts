import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InboxWatcher } from '../../src/ingest/inbox.js';
import { silentLogger } from '../../src/logger.js';

const watchers: InboxWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
});

async function watched(mode: 'watch' | 'poll', pollMs: number) {
  const dir = await mkdtemp(join(tmpdir(), 'imr-inbox-'));
  const seen: string[] = [];
  const watcher = new InboxWatcher(
    { dir, stableMs: 100, pollMs, mode },
    async (p) => void seen.push(p),
    silentLogger(),
  );
  watchers.push(watcher);
  watcher.start();
  return { dir, seen };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('InboxWatcher', () => {
  it('sees a file in a folder created after start from change events alone (no poll for a minute)', async () => {
    const { dir, seen } = await watched('watch', 60_000);
    await new Promise((r) => setTimeout(r, 100));
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    await new Promise((r) => setTimeout(r, 200)); // the scan that the folder's event triggers watches it
    await writeFile(join(dir, 'a', 'b', 'letter.pdf'), '%PDF-1.4');
    expect(await until(() => seen.length === 1, 3000)).toBe(true);
    expect(seen).toEqual([join(dir, 'a', 'b', 'letter.pdf')]);
    await rm(dir, { recursive: true, force: true });
  });

  it('reports each regular file once, and ignores hidden, temporary, symlinked and directory entries', async () => {
    const { dir, seen } = await watched('poll', 50);
    await writeFile(join(dir, 'one.pdf'), '%PDF-1.4');
    await writeFile(join(dir, '.hidden.pdf'), '%PDF-1.4');
    await writeFile(join(dir, 'copy.pdf.part'), '%PDF-1.4');
    await mkdir(join(dir, 'x.pdf'));
    await symlink(join(dir, 'one.pdf'), join(dir, 'link.pdf'));
    expect(await until(() => seen.length >= 1, 3000)).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).toEqual([join(dir, 'one.pdf')]);
    await rm(dir, { recursive: true, force: true });
  });
});
