import { ErrorCode } from '../../schemas/letter.js';
import { loadConfig } from '../config.js';
import { retryDocuments } from '../ingest/retry.js';
import { createLogger, silentLogger } from '../logger.js';
import { Queues, redisAnswers, redisConnection } from '../queue/queues.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { withStore } from './with-store.js';

export const RETRY_HELP = `imr retry (<sha256>... | --failed [--code C])

Runs failed documents again from their stored bytes, through the queues (the workers of "imr start" or
"imr worker" take them): each keeps its sha256; its failed record and error are cleared and it is
queued afresh. --failed retries every failed document, --code only those failed with that code (e.g.
gave_up after a long outage). A retried file already in quarantine stays there until the new result is in,
then moves by it: to the archive when done or needing review; failed again, it stays in quarantine with a
new .error.json. A file refused on its size (too_large by IMR_MAX_FILE_MB) has no stored bytes: raise the
limit and drop it again. Exit 1 when any could not be retried. Needs Redis (REDIS_URL).`;

const WHY = {
  not_found: 'no such document',
  not_failed: 'not failed',
  no_bytes: 'no stored bytes (refused on its size): drop the file again',
} as const;

export async function runRetry(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, RETRY_HELP, {
    failed: { type: 'boolean' },
    code: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${RETRY_HELP}\n`);
    return 0;
  }
  if ((values.failed ?? false) === positionals.length > 0) {
    throw new UsageError('give sha256 ids or --failed (not both)', RETRY_HELP);
  }
  if (values.code !== undefined && !values.failed)
    throw new UsageError('--code goes with --failed', RETRY_HELP);
  if (values.code !== undefined && !ErrorCode.safeParse(values.code).success) {
    throw new UsageError(`unknown error code "${values.code}"`, RETRY_HELP);
  }
  const bad = positionals.find((p) => !/^[0-9a-f]{64}$/.test(p));
  if (bad) throw new UsageError(`not a sha256: ${bad}`, RETRY_HELP);
  const config = loadConfig(cli.env);
  // Asked first, once: a queue on a Redis that is not there retries and prints every failure.
  if (!(await redisAnswers(config.redisUrl))) {
    cli.stderr.write(`imr retry: no Redis answers at ${config.redisUrl}: nothing retried\n`);
    return 1;
  }
  const connection = redisConnection(config.redisUrl);
  const queues = new Queues(connection, config.queuePrefix);
  // Quiet unless LOG_LEVEL asks (its report is the lines below), as imr ingest.
  const logger = config.logLevel
    ? createLogger('imr-retry', { level: config.logLevel, format: config.logFormat })
    : silentLogger();
  try {
    return await withStore(cli, async (store) => {
      const shas = values.failed ? await store.intake.failedSha256s(values.code) : positionals;
      const outcomes = await retryDocuments({ store, queues, logger }, shas);
      let refused = 0;
      for (const [sha, outcome] of outcomes) {
        if (outcome === 'retried') cli.stdout.write(`retried ${sha}\n`);
        else {
          refused++;
          cli.stderr.write(`imr retry: ${sha}: ${WHY[outcome]}\n`);
        }
      }
      cli.stderr.write(
        `imr retry: ${outcomes.size - refused} document(s) queued again, ${refused} refused\n`,
      );
      return refused > 0 ? 1 : 0;
    });
  } finally {
    await queues.close();
    connection.disconnect();
  }
}
