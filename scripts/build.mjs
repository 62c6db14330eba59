#!/usr/bin/env node
// Compiles schemas/, src/ and workers/ to dist/ (what bin/imr.js runs) and copies the files tsc does not
// emit. Plain JavaScript, so it runs from `prepare` before anything is built. `--clean` starts afresh.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
if (process.argv.includes('--clean')) rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
  cwd: root,
});
// Served by the web server from beside its compiled module.
cpSync(join(root, 'src/server/assets'), join(dist, 'src/server/assets'), { recursive: true });
