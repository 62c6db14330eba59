import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package's folder (the one with package.json), whether this module runs from src/ or from dist/. */
export function packageRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
