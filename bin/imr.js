#!/usr/bin/env node
// The `imr` command runs the compiled JavaScript in dist/ (`npm run build`; `npm install` builds it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/workers/imr.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('imr: dist/ is missing: run "npm run build" (npm install runs it too)\n');
  process.exit(2);
}
// A reader that stops early (`imr query ... | head`) ends the output, not in a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { imr } = await import(entry.href);
process.exitCode = await imr(process.argv.slice(2));
