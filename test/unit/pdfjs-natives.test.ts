import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

describe('loading pdf.js', () => {
  it('leaves JSON and Array.prototype.push native after a document has been read', () => {
    // A plain Node process, as the workers run (vitest's module runner would hide the polyfills).
    const out = execFileSync(process.execPath, ['bin/run.js', 'test/helpers/natives-probe.ts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ pages: 9, stringify: true, parse: true, push: true });
  });
});
