import { TERMINAL_STATUSES } from '../../schemas/document.js';
import { loadConfig } from '../config.js';
import { ingestFile } from '../ingest/ingest.js';
import { createLogger, silentLogger } from '../logger.js';
import { PARSER_VERSION } from '../pipeline/parse/parse-letter.js';
import { recordFromText } from '../pipeline/process-letter.js';
import { Queues, redisConnection } from '../queue/queues.js';
import { exportLetter } from '../review/export.js';
import { saveReparsedRecord } from '../review/reprocess.js';
import { createStore } from '../store/create-store.js';
import type { Store } from '../store/store.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { collectInputs } from './extract.js';

export const STATUS_HELP = `imr status [--json]

Counts of documents by state (queued, extracting, extracted, parsed; done, needs_review, failed), from the
database (DATABASE_URL, default data/imr.sqlite), and the queue counts when Redis answers.`;

export const INGEST_HELP = `imr ingest <file-or-dir>... [--no-wait]

Puts files into the pipeline without a watcher: their bytes go into the database, the first stage is
queued, and a progress bar runs until every file of the batch is done, needs review or failed. Workers must
run somewhere (npm start, or imr worker). Files already known (same bytes) are linked, not redone.
Exit 0 when all ended done or needs_review, 1 when any failed or no worker took the jobs.`;

export const REPROCESS_HELP = `imr reprocess (--all | <sha256>...)

Parses letters again from their stored page text (no PDF reading, no OCR), e.g. after a parser upgrade,
and writes their records and per-letter exports (corrections applied) again. QA corrections are kept:
they live beside the machine values. A field whose new reading is neither the value QA corrected nor the
corrected value gets a "correction_disagrees" warning and an audit row; an approved letter with such a
change goes back to the review queue. A record replaced by another parser version is kept for
"imr gold scores".`;

async function withStore<T>(cli: Cli, use: (store: Store) => Promise<T>): Promise<T> {
  const store = createStore(loadConfig(cli.env).databaseUrl);
  try {
    await store.migrate();
    return await use(store);
  } finally {
    await store.close();
  }
}

export async function runStatus(argv: string[], cli: Cli): Promise<number> {
  const { values } = parseCommandLine(argv, STATUS_HELP, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${STATUS_HELP}\n`);
    return 0;
  }
  const config = loadConfig(cli.env);
  const documents = await withStore(cli, (store) => store.counts());
  let queues: Awaited<ReturnType<Queues['counts']>> | null = null;
  const connection = redisConnection(config.redisUrl);
  connection.on('error', () => undefined);
  try {
    const q = new Queues(connection, config.queuePrefix);
    queues = await Promise.race([
      q.counts(),
      new Promise<null>((r) => setTimeout(() => r(null), 2000).unref()),
    ]);
    await q.close();
  } finally {
    connection.disconnect();
  }
  if (values.json) {
    cli.stdout.write(`${JSON.stringify({ documents, queues })}\n`);
    return 0;
  }
  const total = Object.values(documents).reduce((a, b) => a + b, 0);
  cli.stdout.write(`documents: ${total}\n`);
  for (const [status, n] of Object.entries(documents)) {
    const terminal = TERMINAL_STATUSES.includes(status as never);
    cli.stdout.write(`  ${status.padEnd(14)}${String(n).padStart(6)}${terminal ? '' : '  (in progress)'}\n`);
  }
  if (queues) {
    for (const [stage, c] of Object.entries(queues)) {
      cli.stdout.write(
        `queue ${stage.padEnd(8)} waiting ${c.waiting ?? 0}, active ${c.active ?? 0}, delayed ${c.delayed ?? 0}, failed ${c.failed ?? 0}\n`,
      );
    }
  } else {
    cli.stdout.write('queues: Redis does not answer\n');
  }
  return 0;
}

function bar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((width * done) / total);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export async function runIngest(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, INGEST_HELP, {
    'no-wait': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${INGEST_HELP}\n`);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one file or directory', INGEST_HELP);
  const files = await collectInputs(positionals);
  if (files.length === 0) throw new UsageError(`no PDF files in ${positionals.join(', ')}`, INGEST_HELP);
  const config = loadConfig(cli.env);
  const connection = redisConnection(config.redisUrl);
  const queues = new Queues(connection, config.queuePrefix);
  const logger = cli.env.LOG_LEVEL ? createLogger('imr-ingest') : silentLogger();
  try {
    return await withStore(cli, async (store) => {
      const shas = new Set<string>();
      for (const file of files) {
        const result = await ingestFile(file, { store, queues, logger });
        if (result.kind !== 'vanished') shas.add(result.sha256);
      }
      cli.stderr.write(`imr ingest: ${files.length} file(s), ${shas.size} distinct document(s) queued\n`);
      if (values['no-wait']) return 0;
      let lastDone = -1;
      let lastChange = Date.now();
      for (;;) {
        const docs = await Promise.all([...shas].map((s) => store.getDocument(s)));
        const count = { done: 0, needs_review: 0, failed: 0 };
        for (const d of docs) if (d && d.status in count) count[d.status as keyof typeof count]++;
        const finished = count.done + count.needs_review + count.failed;
        cli.stderr.write(
          `\r${bar(finished, shas.size)} ${finished}/${shas.size}  done ${count.done}  needs review ${count.needs_review}  failed ${count.failed} `,
        );
        if (finished === shas.size) {
          cli.stderr.write('\n');
          return count.failed > 0 ? 1 : 0;
        }
        if (finished !== lastDone) {
          lastDone = finished;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > 15_000) {
          const workers = await queues.queue('extract').getWorkersCount();
          if (workers === 0) {
            cli.stderr.write(
              '\nimr ingest: no worker is running; the files stay queued. Start one: npm start, or imr worker\n',
            );
            return 1;
          }
          lastChange = Date.now();
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    });
  } finally {
    await queues.close();
    connection.disconnect();
  }
}

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
    for (const sha256 of shas) {
      const [doc, text, before] = await Promise.all([
        store.getDocument(sha256),
        store.getText(sha256),
        store.getRecord(sha256),
      ]);
      if (!doc || !text) {
        counts.skipped++;
        continue;
      }
      const saved = await saveReparsedRecord(store, recordFromText(doc.fileName, sha256, text), before);
      const record = saved.record;
      counts.disputed += saved.disagreements.length;
      if (saved.reopened) counts.reopened++;
      if (record.status !== 'failed') {
        const exported = await exportLetter(store, config.exportDir, sha256);
        if (exported) await store.setStatus(sha256, exported.status);
      }
      counts.reparsed++;
      const strip = (r: typeof record | null) => (r ? JSON.stringify({ ...r, parserVersion: '' }) : '');
      if (strip(before) !== strip(record)) counts.changed++;
    }
    cli.stderr.write(
      `imr reprocess: ${counts.reparsed} letter(s) parsed again with parser ${PARSER_VERSION} from stored text (${counts.changed} changed, ${counts.skipped} without stored text; ${counts.disputed} correction(s) newly disputed, ${counts.reopened} approved letter(s) reopened)\n`,
    );
    return 0;
  });
}
