import { ConfigError } from '../config.js';
import { type Cli, UsageError } from './cli.js';
import { EXPORT_HELP, runExport } from './export.js';
import { EXTRACT_HELP, runExtract } from './extract.js';
import { GOLD_HELP, runGold } from './gold.js';
import { INGEST_HELP, REPROCESS_HELP, runIngest, runReprocess, runStatus, STATUS_HELP } from './pipeline.js';
import { QUERY_HELP, runQueryCommand } from './query.js';
import { REPORT_HELP, runReportCommand } from './report.js';
import { runSynth, runTypeset, SYNTH_HELP, TYPESET_HELP } from './synth.js';

interface Command {
  summary: string;
  help: string;
  run: (argv: string[], cli: Cli) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  extract: {
    summary: 'extract letters (PDF files or folders) to JSON Lines records',
    help: EXTRACT_HELP,
    run: runExtract,
  },
  ingest: {
    summary: 'put files into the pipeline and wait until each is done',
    help: INGEST_HELP,
    run: runIngest,
  },
  status: { summary: 'documents by state, and the queues', help: STATUS_HELP, run: runStatus },
  export: {
    summary: 'write letters.jsonl, items.csv, items.parquet from the database',
    help: EXPORT_HELP,
    run: runExport,
  },
  reprocess: {
    summary: 'parse again from stored page text (no OCR), e.g. after a parser upgrade',
    help: REPROCESS_HELP,
    run: runReprocess,
  },
  gold: {
    summary: 'the gold set of QA-approved letters: export PDF + label pairs, score parser versions',
    help: GOLD_HELP,
    run: runGold,
  },
  query: {
    summary: 'read-only SQL over the analyst views (letters, items, citations, mismatches)',
    help: QUERY_HELP,
    run: runQueryCommand,
  },
  report: {
    summary: 'standard IMR reports: uphold rates by quarter, specialty, category, guideline, ...',
    help: REPORT_HELP,
    run: runReportCommand,
  },
  synth: {
    summary: 'generate synthetic letters (PDF + label JSON) with known truth',
    help: SYNTH_HELP,
    run: runSynth,
  },
  typeset: { summary: 'typeset a plain-text letter into a PDF', help: TYPESET_HELP, run: runTypeset },
};

export const MAIN_HELP = `imr: IMR Final Determination Letters (PDF) to structured, validated records

Usage: imr <command> [options]

Commands:
  start     run the pipeline: inbox watcher, queue workers, web server (imr start --help)
  worker    run queue workers only (to add machines)
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Run "imr <command> --help" for a command's options.`;

export async function main(
  argv: string[],
  cli: Cli = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    cli.stdout.write(`${MAIN_HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    cli.stderr.write(`imr: unknown command "${name}"\n\n${MAIN_HELP}\n`);
    return 2;
  }
  try {
    return await command.run(rest, cli);
  } catch (err) {
    if (err instanceof ConfigError) {
      cli.stderr.write(`imr ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      cli.stderr.write(`imr ${name}: ${err.message}\n\n${err.help}\n`);
      return 2;
    }
    cli.stderr.write(`imr ${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
