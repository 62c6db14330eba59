import { spawnSync } from 'node:child_process';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/pipeline-env.js';
import { envOf, type ImrProcess, startImr } from '../helpers/processes.js';

let env: TestEnv | null = null;
let proc: ImrProcess | null = null;

afterEach(async () => {
  await proc?.kill9();
  proc = null;
  await env?.cleanup();
  env = null;
});

/** The pid of a process that has exited: what a kill -9 leaves in a temporary's name. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
}

describe('imr start: start-up sweep and an honest exit status', { timeout: 120_000 }, () => {
  it("sweeps a killed writer's temporaries at start, and dies by SIGTERM after its graceful stop", async () => {
    env = await createTestEnv('sqlite');
    const records = join(env.config.exportDir, 'records');
    await mkdir(records, { recursive: true });
    const stale = `${'a'.repeat(64)}.json.tmp-${deadPid()}-1`;
    await writeFile(join(records, stale), '{"half": ');
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    await utimes(join(records, stale), hourAgo, hourAgo);
    await writeFile(join(records, 'kept.json'), '{}');

    proc = startImr('start', envOf(env.config));
    await proc.waitForLog(/running\. Ctrl-C to stop/, 60_000);
    expect(await readdir(records)).toEqual(['kept.json']);
    expect(
      proc.lines.some((l) => /removed stale temporary export files/.test(l) && /"files":1/.test(l)),
    ).toBe(true);

    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      proc?.child.once('exit', (code, signal) => resolve([code, signal])),
    );
    proc.child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    const stopping = proc.lines.findIndex((l) => /shutting down/.test(l));
    const stopped = proc.lines.findIndex((l) => /stopped gracefully/.test(l));
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(stopped).toBeGreaterThan(stopping);
  });
});
