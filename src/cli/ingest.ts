import { BACKFILL_PRIORITY } from '../../schemas/document.js';
import { loadConfig } from '../config.js';
import { ingestFile } from '../ingest/ingest.js';
import { createLogger, silentLogger } from '../logger.js';
import { Queues, redisConnection } from '../queue/queues.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { collectInputs } from './extract.js';
import { createProgress } from './progress.js';
import { withStore } from './with-store.js';

export const INGEST_HELP = `imr ingest <file-or-dir>... [--backfill] [--no-wait]

Puts files into the pipeline without a watcher: their bytes go into the database, the first stage is
queued, and a progress line (on a terminal) runs until every file of the batch is done, needs review or
failed. Workers must run somewhere (npm start, or imr worker). Files already known (same bytes) are
linked, not redone.

  --backfill   queue the batch behind every inbox drop (years of letters never hold up today's mail);
               the backfill folder (IMR_BACKFILL, default backfill/) does the same for dropped files
  --no-wait    return once the files are queued

Exit 0 when all ended done or needs_review, 1 when any failed or no worker took the jobs.`;

export async function runIngest(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, INGEST_HELP, {
    'no-wait': { type: 'boolean' },
    backfill: { type: 'boolean' },
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
  // Only when a level is asked for: log lines would break the progress line.
  const logger = config.logLevel
    ? createLogger('imr-ingest', { level: config.logLevel, format: config.logFormat })
    : silentLogger();
  try {
    return await withStore(cli, async (store) => {
      const shas = new Set<string>();
      const priority = values.backfill ? BACKFILL_PRIORITY : 0;
      const queued = createProgress('imr ingest: queueing', files.length, { stream: cli.stderr });
      for (const file of files) {
        const deps = { store, queues, logger, maxFileMb: config.limits.maxFileMb };
        const result = await ingestFile(file, deps, { priority });
        if (result.kind !== 'vanished') shas.add(result.sha256);
        queued.tick();
      }
      queued.done();
      cli.stderr.write(
        `imr ingest: ${files.length} file(s), ${shas.size} distinct document(s) queued${values.backfill ? ' as a backfill' : ''}\n`,
      );
      if (values['no-wait']) return 0;
      const progress = createProgress('imr ingest', shas.size, { stream: cli.stderr });
      let lastDone = 0;
      let lastChange = Date.now();
      const count = { done: 0, needs_review: 0, failed: 0 };
      const pending = new Set(shas);
      for (;;) {
        // Only unfinished documents are looked at again: a batch of thousands costs its remainder.
        for (const sha of [...pending]) {
          const d = await store.getDocument(sha);
          if (d && d.status in count) {
            count[d.status as keyof typeof count]++;
            pending.delete(sha);
          }
        }
        const finished = count.done + count.needs_review + count.failed;
        progress.tick(finished - lastDone);
        if (finished === shas.size) {
          progress.done();
          cli.stderr.write(
            `imr ingest: ${finished}/${shas.size} finished: done ${count.done}, needs review ${count.needs_review}, failed ${count.failed}\n`,
          );
          return count.failed > 0 ? 1 : 0;
        }
        if (finished !== lastDone) {
          lastDone = finished;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > 15_000) {
          const workers = await queues.queue('extract').getWorkersCount();
          if (workers === 0) {
            progress.done();
            cli.stderr.write(
              'imr ingest: no worker is running; the files stay queued. Start one: npm start, or imr worker\n',
            );
            return 1;
          }
          lastChange = Date.now();
        }
        await new Promise((r) => setTimeout(r, pending.size > 500 ? 2000 : 250));
      }
    });
  } finally {
    await queues.close();
    connection.disconnect();
  }
}
