#!/usr/bin/env node
// The `imr` command: loads the TypeScript CLI through tsx so the source is the single truth.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
