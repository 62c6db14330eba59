import { TERMINAL_STATUSES } from '../../schemas/document.js';
import { loadConfig } from '../config.js';
import { Queues, redisAnswers, redisConnection } from '../queue/queues.js';
import { type Cli, parseCommandLine } from './cli.js';
import { withStore } from './with-store.js';

export const STATUS_HELP = `imr status [--json]

Counts of documents by state (queued, extracting, extracted, parsed; done, needs_review, failed), the
failed ones by error code (gave_up: its jobs kept failing on transient errors for longer than
IMR_GIVE_UP_MS), from the database (DATABASE_URL, default data/imr.sqlite), and the queue counts when
Redis answers. "imr files --state failed" lists the failed files with their messages.`;

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
  const [documents, failures] = await withStore(cli, (store) =>
    Promise.all([store.counts(), store.intake.failureCounts()]),
  );
  let queues: Awaited<ReturnType<Queues['counts']>> | null = null;
  // Asked first, once: queues opened on a Redis that is not there retry and print every failure.
  if (await redisAnswers(config.redisUrl)) {
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
  }
  if (values.json) {
    cli.stdout.write(`${JSON.stringify({ documents, failures, queues })}\n`);
    return 0;
  }
  const total = Object.values(documents).reduce((a, b) => a + b, 0);
  cli.stdout.write(`documents: ${total}\n`);
  for (const [status, n] of Object.entries(documents)) {
    const terminal = TERMINAL_STATUSES.includes(status as never);
    cli.stdout.write(`  ${status.padEnd(14)}${String(n).padStart(6)}${terminal ? '' : '  (in progress)'}\n`);
    if (status !== 'failed') continue;
    for (const [code, k] of Object.entries(failures)) {
      cli.stdout.write(`    ${code.padEnd(16)}${String(k).padStart(4)}\n`);
    }
  }
  if (queues) {
    for (const [stage, c] of Object.entries(queues)) {
      cli.stdout.write(
        `queue ${stage.padEnd(8)} waiting ${c.waiting ?? 0}, backfill ${c.prioritized ?? 0}, active ${c.active ?? 0}, delayed ${c.delayed ?? 0}, failed ${c.failed ?? 0}\n`,
      );
    }
  } else {
    cli.stdout.write('queues: Redis does not answer\n');
  }
  return 0;
}
