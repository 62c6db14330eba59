import { loadConfig } from '../config.js';
import { PARSER_VERSION } from '../pipeline/parse/parse-letter.js';
import { exportAndSettle } from '../review/export.js';
import { reparseStored } from '../review/reprocess.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { createProgress } from './progress.js';
import { withStore } from './with-store.js';

export const REPROCESS_HELP = `imr reprocess (--all | <sha256>...)

Parses letters again from their stored page text (no PDF reading, no OCR), e.g. after a parser upgrade,
and writes their records and per-letter exports (corrections applied) again. QA corrections are kept:
they live beside the machine values. A field whose new reading is neither the value QA corrected nor the
corrected value gets a "correction_disagrees" warning and an audit row; an approved letter with such a
change goes back to the review queue. A record replaced by another parser version is kept for
"imr gold scores".`;

export async function runReprocess(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, REPROCESS_HELP, {
    all: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${REPROCESS_HELP}\n`);
    return 0;
  }
  if (!values.all && positionals.length === 0)
    throw new UsageError('give --all or sha256 ids', REPROCESS_HELP);
  const config = loadConfig(cli.env);
  return withStore(cli, async (store) => {
    const shas = values.all ? (await store.listDocuments()).map((d) => d.sha256) : positionals;
    const counts = { reparsed: 0, changed: 0, skipped: 0, disputed: 0, reopened: 0 };
    const progress = createProgress('imr reprocess', shas.length, { stream: cli.stderr });
    for (const sha256 of shas) {
      const reparsed = await reparseStored(store, sha256);
      if (!reparsed) {
        counts.skipped++;
        progress.tick();
        continue;
      }
      const { previous, record } = reparsed;
      counts.disputed += reparsed.disagreements.length;
      if (reparsed.reopened) counts.reopened++;
      if (record.status !== 'failed') await exportAndSettle(store, config.exportDir, sha256);
      counts.reparsed++;
      const strip = (r: typeof record | null) => (r ? JSON.stringify({ ...r, parserVersion: '' }) : '');
      if (strip(previous) !== strip(record)) counts.changed++;
      progress.tick();
    }
    progress.done();
    cli.stderr.write(
      `imr reprocess: ${counts.reparsed} letter(s) parsed again with parser ${PARSER_VERSION} from stored text (${counts.changed} changed, ${counts.skipped} without stored text; ${counts.disputed} correction(s) newly disputed, ${counts.reopened} approved letter(s) reopened)\n`,
    );
    return 0;
  });
}
