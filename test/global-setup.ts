import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Tests that spawn `bin/imr.js` run the compiled program in dist/: build it first (incremental, a few
 * seconds when nothing changed), so they never run yesterday's JavaScript.
 */
export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}
