import { analyticsEngineOf } from '../analytics/engine.js';
import { formatTable, OUTPUT_FORMATS, type OutputFormat } from '../analytics/format.js';
import { QueryError } from '../analytics/query.js';
import { REPORT_NAMES, REPORTS, runReport } from '../analytics/reports.js';
import { loadConfig } from '../config.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';

export const REPORT_HELP = `imr report <name> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format table|csv|json]
           [--each-specialty]

The standard IMR reports over the analyst views (corrected values), for letters decided between --from
and --to (inclusive). Rates come with their counts. Reports:
${REPORT_NAMES.map((n) => `  ${n.padEnd(19)}${REPORTS[n]?.summary ?? ''}`).join('\n')}

by-specialty groups by the reviewer's canonical primary specialty (the first one the letter names, typos
and spellings folded: "Family Practice" is Family Medicine); --each-specialty counts a letter's items
under each of its canonical specialties instead, so the groups add up to more than the items.`;

export async function runReportCommand(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, REPORT_HELP, {
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string', default: 'table' },
    'each-specialty': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${REPORT_HELP}\n`);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new UsageError('give one report name', REPORT_HELP);
  if (!REPORTS[name]) throw new UsageError(`no report "${name}"`, REPORT_HELP);
  const format = values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format))
    throw new UsageError(`unknown format "${values.format}"`, REPORT_HELP);
  if (values['each-specialty'] && name !== 'by-specialty') {
    throw new UsageError('--each-specialty is an option of by-specialty', REPORT_HELP);
  }
  for (const d of [values.from, values.to]) {
    if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) {
      throw new UsageError(`"${d}" is not a date (YYYY-MM-DD)`, REPORT_HELP);
    }
  }
  try {
    const config = loadConfig(cli.env);
    const table = await runReport(
      config.databaseUrl,
      name,
      { from: values.from ?? null, to: values.to ?? null, eachSpecialty: values['each-specialty'] === true },
      undefined,
      analyticsEngineOf(config),
    );
    cli.stdout.write(formatTable(table, format));
    return 0;
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    cli.stderr.write(`imr report: ${err.message}\n`);
    return 1;
  }
}
