import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers of the README's architecture note, read from the imports: each folder imports only from
 * folders below it. Static and dynamic imports both count (a lazy import is still a dependency).
 */
const ROOT = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every relative import of a file, resolved to a path from the root (`src/store/url.js`). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(ROOT, file, '..', s)));
}

/** Folder -> folders it must never import. */
const FORBIDDEN: Record<string, string[]> = {
  schemas: ['src', 'workers'],
  'src/pipeline': [
    'src/records',
    'src/store',
    'src/review',
    'src/analytics',
    'src/server',
    'src/cli',
    'src/queue',
    'src/ingest',
    'src/synth',
    'workers',
  ],
  'src/categories': [
    'src/records',
    'src/store',
    'src/review',
    'src/analytics',
    'src/server',
    'src/cli',
    'workers',
  ],
  'src/records': [
    'src/store',
    'src/review',
    'src/analytics',
    'src/server',
    'src/cli',
    'src/synth',
    'workers',
  ],
  'src/store': ['src/review', 'src/analytics', 'src/server', 'src/cli', 'src/synth', 'workers'],
  'src/review': ['src/analytics', 'src/server', 'src/cli', 'src/synth', 'workers'],
  'src/analytics': ['src/review', 'src/server', 'src/cli', 'src/synth', 'workers'],
  'src/ingest': ['src/pipeline', 'src/server', 'src/cli', 'src/synth', 'workers'],
  'src/server': ['src/cli', 'src/synth', 'workers'],
  'src/cli': ['src/server', 'workers'],
};

describe('layers', () => {
  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${folder} imports none of ${forbidden.join(', ')}`, () => {
      const faults = sources(folder).flatMap((file) =>
        importsOf(file)
          .filter((target) => forbidden.some((f) => target === f || target.startsWith(`${f}/`)))
          .map((target) => `${file} -> ${target}`),
      );
      expect(faults).toEqual([]);
    });
  }

  it('schemas depend on zod alone', () => {
    const packages = sources('schemas').flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/from\s*'([^.'][^']*)'/g)].map((m) => m[1]),
    );
    expect([...new Set(packages)]).toEqual(['zod']);
  });

  it('`imr --help` loads no package (each command is imported when it runs)', () => {
    // A module hook that names every package module the process resolves.
    const dir = mkdtempSync(join(tmpdir(), 'imr-layers-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/node_modules/')) process.stderr.write('MODULE ' + r.url + '\\n');
  return r;
}
`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
    try {
      const run = spawnSync(
        process.execPath,
        ['--import', join(dir, 'register.mjs'), join(ROOT, 'bin/imr.js'), '--help'],
        {
          encoding: 'utf8',
        },
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Usage: imr <command>');
      expect(run.stderr.split('\n').filter((l) => l.startsWith('MODULE '))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
