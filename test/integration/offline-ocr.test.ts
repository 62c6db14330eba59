import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// OCR must work with no network at all: the model comes from npm, nothing is fetched at run time.
// `unshare -n` runs the command in a new network namespace with no interface but a down loopback.
const root = join(import.meta.dirname, '..', '..');
const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

describe.skipIf(!canUnshare)('OCR without a network', () => {
  it('extracts the scanned sample in a namespace with no network', () => {
    const run = spawnSync(
      'unshare',
      ['-n', process.execPath, 'bin/imr.js', 'extract', 'samples/scanned-fdl-2016-single-item.pdf'],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const record = JSON.parse(run.stdout);
    expect(record.textSource).toBe('ocr');
    expect(record.status).toBe('ok');
    expect(record.items.length).toBe(1);
  });
});
