// The `imr` command: one table of commands, each module imported only when its command runs, so that
// `imr --help` or `imr status` never loads pdf.js, OCR or DuckDB. It sits at the top of the layers (it
// starts the long-running processes of workers/ as well as the one-shot commands of src/cli).
import { type Cli, UsageError } from '../src/cli/cli.js';

type Run = (argv: string[], cli: Cli) => Promise<number>;

interface Command {
  summary: string;
  /** Imports the command's module; each command parses its own options and prints its own --help. */
  load(): Promise<Run>;
}

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'run the pipeline: inbox watcher, queue workers, web server (imr start --help)',
    load: async () => {
      const { runStart } = await import('./start.js');
      return (argv) => runStart(argv, false);
    },
  },
  worker: {
    summary: 'run queue workers only (to add machines)',
    load: async () => {
      const { runStart } = await import('./start.js');
      return (argv) => runStart(argv, true);
    },
  },
  extract: {
    summary: 'extract letters (PDF files or folders) to JSON Lines records',
    load: async () => (await import('../src/cli/extract.js')).runExtract,
  },
  ingest: {
    summary: 'put files into the pipeline and wait until each is done',
    load: async () => (await import('../src/cli/ingest.js')).runIngest,
  },
  status: {
    summary: 'documents by state, and the queues',
    load: async () => (await import('../src/cli/status.js')).runStatus,
  },
  files: {
    summary: 'every file taken in, newest first, with its state (failed: code and message)',
    load: async () => (await import('../src/cli/files.js')).runFiles,
  },
  retry: {
    summary: 'run failed documents again from their stored bytes',
    load: async () => (await import('../src/cli/retry.js')).runRetry,
  },
  export: {
    summary: 'write letters.jsonl, items.csv, items.parquet from the database',
    load: async () => (await import('../src/cli/export.js')).runExport,
  },
  reprocess: {
    summary: 'parse again from stored page text (no OCR), e.g. after a parser upgrade',
    load: async () => (await import('../src/cli/reprocess.js')).runReprocess,
  },
  gold: {
    summary: 'the gold set of QA-approved letters: export PDF + label pairs, score parser versions',
    load: async () => (await import('../src/cli/gold.js')).runGold,
  },
  query: {
    summary: 'read-only SQL over the analyst views (letters, items, citations, mismatches)',
    load: async () => (await import('../src/cli/query.js')).runQueryCommand,
  },
  report: {
    summary: 'standard IMR reports: uphold rates by quarter, specialty, category, guideline, ...',
    load: async () => (await import('../src/cli/report.js')).runReportCommand,
  },
  users: {
    summary: 'people of the web server, each with a token: add NAME --role reviewer|analyst, list, remove',
    load: async () => (await import('../src/cli/users.js')).runUsers,
  },
  synth: {
    summary: 'generate synthetic letters (PDF + label JSON) with known truth',
    load: async () => (await import('../src/cli/synth.js')).runSynth,
  },
  typeset: {
    summary: 'typeset a plain-text letter into a PDF',
    load: async () => (await import('../src/cli/synth.js')).runTypeset,
  },
};

export const MAIN_HELP = `imr: IMR Final Determination Letters (PDF) to structured, validated records

Usage: imr <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run "imr <command> --help" for a command's options.`;

const processCli = (): Cli => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Runs one command line; resolves to the exit status. Errors end as a message and status 1 or 2. */
export async function imr(argv: string[], cli: Cli = processCli()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    cli.stdout.write(`${MAIN_HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    cli.stderr.write(`imr: unknown command "${name}"\n\n${MAIN_HELP}\n`);
    return 2;
  }
  try {
    const run = await command.load();
    return await run(rest, cli);
  } catch (err) {
    if (err instanceof UsageError) {
      cli.stderr.write(`imr ${name}: ${err.message}\n\n${err.help}\n`);
      return 2;
    }
    // Loaded already by any command that read its configuration; not before, to keep `imr --help` light.
    const { ConfigError } = await import('../src/config.js');
    if (err instanceof ConfigError) {
      cli.stderr.write(`imr ${name}: ${err.message}\n`);
      return 2;
    }
    cli.stderr.write(`imr ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
