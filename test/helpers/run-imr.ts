import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
// The `imr` entry point (formerly `main` in src/cli/main.ts): the one place tests import it from here.
import { imr } from '../../workers/imr.js';
import { sink } from './cli.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ImrRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one `imr` command line in this process, with `env` as its whole environment. */
export async function runImr(argv: string[], env: Record<string, string | undefined>): Promise<ImrRun> {
  const out = sink();
  const err = sink();
  const code = await imr(argv, { stdout: out.stream, stderr: err.stream, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

/**
 * Runs `node bin/imr.js ...` as a separate process (the compiled program: test/global-setup.ts builds it)
 * with `env` (plus PATH and HOME) as its environment; killed after `timeoutMs`.
 */
export function spawnImr(
  argv: string[],
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<ImrRun & { signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/imr.js'), ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code: code ?? -1, signal, stdout, stderr }));
  });
}
