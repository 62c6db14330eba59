import { access } from 'node:fs/promises';
import { loadConfig } from '../config.js';
import { writeGoldSet } from '../review/gold-export.js';
import { createStore } from '../store/create-store.js';
import { describeStoreUrl, parseStoreUrl } from '../store/url.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';

export const GOLD_HELP = `imr gold export <dir> [--db URL]
imr gold scores [--json] [--db URL]

The gold set: letters QA approved, their corrected records taken as the truth.

  export <dir>   writes each approved letter as NAME.pdf (its stored bytes) + NAME.json (a label in the
                 development set's format, made from the corrected record), NAME = case number + the
                 start of the sha256. Pairs written before for letters no longer approved are removed.
                 Score any parser version against it: npm run bench:accuracy -- <dir>
  scores         field accuracy of each parser version's machine records against the gold set (the
                 records replaced by a re-parse are kept per version), with bench:accuracy's scorer

Options:
  --db URL        a SQLite file or postgres:// URL (default: DATABASE_URL, else data/imr.sqlite)
  --json          scores as JSON
  -h, --help      this help`;

export async function runGold(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, GOLD_HELP, {
    db: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${GOLD_HELP}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action !== 'export' && action !== 'scores')
    throw new UsageError('give export <dir> or scores', GOLD_HELP);
  if (action === 'export' && rest.length !== 1)
    throw new UsageError('gold export takes one folder', GOLD_HELP);
  if (action === 'scores' && rest.length > 0)
    throw new UsageError(`unexpected argument "${rest[0]}"`, GOLD_HELP);
  const url = values.db ?? loadConfig(cli.env).databaseUrl;
  let target: ReturnType<typeof parseStoreUrl>;
  try {
    target = parseStoreUrl(url);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), GOLD_HELP);
  }
  // Reading only: a mistyped path must not leave an empty database behind.
  if (target.dialect === 'sqlite' && target.path !== ':memory:') {
    const exists = await access(target.path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      cli.stderr.write(`imr gold: no database at ${target.path} (give --db or set DATABASE_URL)\n`);
      return 1;
    }
  }
  const store = createStore(url);
  try {
    await store.migrate();
    if (action === 'export') {
      const dir = rest[0] as string;
      const { pairs, removed } = await writeGoldSet(store, dir);
      cli.stderr.write(
        `imr gold export: ${pairs.length} approved letter(s) from ${describeStoreUrl(url)} -> ${dir}${removed.length > 0 ? ` (${removed.length} stale file(s) removed)` : ''}\n`,
      );
      return 0;
    }
    const scores = await store.goldScores();
    if (values.json) {
      cli.stdout.write(`${JSON.stringify(scores)}\n`);
      return 0;
    }
    if (scores.length === 0) {
      cli.stdout.write('no approved letters yet: the gold set is empty\n');
      return 0;
    }
    cli.stdout.write('parser version      letters   fields  correct  accuracy\n');
    for (const s of scores) {
      cli.stdout.write(
        `${s.parserVersion.padEnd(18)}${String(s.letters).padStart(9)}${String(s.fields).padStart(9)}${String(s.correct).padStart(9)}  ${(100 * s.accuracy).toFixed(2).padStart(7)}%\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
