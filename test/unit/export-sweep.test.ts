import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMP_NAME, tempPathFor } from '../../src/pipeline/export/atomic.js';
import { processAlive, SWEEP_MIN_AGE_MS, sweepTempFiles } from '../../src/pipeline/export/sweep.js';

/** The pid of a process that has exited (and been reaped): no process has it now. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

let dir: string;
let live: ReturnType<typeof spawn>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imr-sweep-'));
  live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
});

afterAll(async () => {
  live.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function touch(path: string, ageMs: number): Promise<void> {
  await writeFile(path, 'partial');
  const t = (Date.now() - ageMs) / 1000;
  await utimes(path, t, t);
}

describe('sweepTempFiles', () => {
  it('the temporaries atomic writes make match the pattern the sweep looks for', () => {
    expect(TEMP_NAME.exec(tempPathFor('/x/records/abc.json'))?.[1]).toBe(String(process.pid));
    expect(TEMP_NAME.exec('.parquet.tmp-123-9f3ac2de')?.[1]).toBe('123');
    expect(TEMP_NAME.test('items.csv')).toBe(false);
  });

  it('tells live pids from dead ones', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(live.pid ?? 0)).toBe(true);
    expect(processAlive(deadPid())).toBe(false);
  });

  it("removes a dead process's old temporaries in the folder and records/, nothing else", async () => {
    const root = join(dir, 'exports');
    const records = join(root, 'records');
    await mkdir(records, { recursive: true });
    const dead = deadPid();
    const old = SWEEP_MIN_AGE_MS + 60_000;
    await touch(join(records, `a.json.tmp-${dead}-1`), old); // killed -9 mid-write: swept
    await touch(join(root, `items.csv.tmp-${dead}-7`), old); // swept
    await mkdir(join(root, `.parquet.tmp-${dead}-0badcafe`)); // a half-built Parquet folder: swept
    await touch(join(root, `.parquet.tmp-${dead}-0badcafe`, 'part.parquet'), old);
    await utimes(
      join(root, `.parquet.tmp-${dead}-0badcafe`),
      (Date.now() - old) / 1000,
      (Date.now() - old) / 1000,
    );
    await touch(join(records, `b.json.tmp-${dead}-2`), 1000); // too young: another machine's may share the pid
    await touch(join(records, `c.json.tmp-${live.pid}-3`), old); // a live process is still writing it
    await touch(join(records, `d.json.tmp-${process.pid}-4`), old); // this process's own
    await touch(join(records, 'e.json'), old); // a record
    await touch(join(records, 'f.json.tmp'), old); // not ours

    const removed = await sweepTempFiles(root);
    expect(removed.map((p) => p.slice(root.length + 1)).sort()).toEqual([
      `.parquet.tmp-${dead}-0badcafe`,
      `items.csv.tmp-${dead}-7`,
      `records/a.json.tmp-${dead}-1`,
    ]);
    expect((await readdir(records)).sort()).toEqual([
      `b.json.tmp-${dead}-2`,
      `c.json.tmp-${live.pid}-3`,
      `d.json.tmp-${process.pid}-4`,
      'e.json',
      'f.json.tmp',
    ]);
    expect(await readdir(root)).toEqual(['records']);
    // With no age threshold, the young one of a dead pid goes too; live writers' stay.
    expect((await sweepTempFiles(root, { minAgeMs: 0 })).map((p) => p.slice(records.length + 1))).toEqual([
      `b.json.tmp-${dead}-2`,
    ]);
  });

  it('a missing export folder is nothing to sweep', async () => {
    expect(await sweepTempFiles(join(dir, 'nowhere'))).toEqual([]);
  });
});
