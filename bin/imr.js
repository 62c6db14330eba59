#!/usr/bin/env node
// The `imr` command: loads the TypeScript sources through tsx so the source is the single truth.
// Long-running processes (start, worker) live in workers/; everything else in src/cli.
import { register } from 'tsx/esm/api';

register();
const [command, ...rest] = process.argv.slice(2);
if (command === 'start' || command === 'worker') {
  const { runStart } = await import('../workers/cli.ts');
  process.exitCode = await runStart(rest, command === 'worker');
} else {
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
