import { analyticsEngineOf } from '../analytics/engine.js';
import { formatTable, OUTPUT_FORMATS, type OutputFormat } from '../analytics/format.js';
import { DEFAULT_QUERY_LIMITS, QueryError, runQuery } from '../analytics/query.js';
import { loadConfig } from '../config.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';

export const QUERY_HELP = `imr query "<SQL>" [--format table|csv|json] [--timeout-ms N] [--max-rows N]

Runs one read-only SQL statement (SELECT, WITH, VALUES, EXPLAIN) over the analyst views and prints the
rows. By default it runs on the analytics copy: a DuckDB file that follows the store (DATABASE_URL,
default data/imr.sqlite), brought up to date with the letters changed since the last query, so SQL is
DuckDB's (much as PostgreSQL's). IMR_ANALYTICS=store runs it on the store itself (SQLite opened
read-only, or a PostgreSQL READ ONLY transaction); IMR_ANALYTICS_COPY names the copy's file (default
beside a SQLite store). Writes (INSERT, UPDATE, DELETE, DROP, ATTACH, COPY, SET, ...) are refused, and on
the copy so is any file or extension. A query is stopped at the time limit (default
${DEFAULT_QUERY_LIMITS.timeoutMs} ms) and at most --max-rows rows are printed (default ${DEFAULT_QUERY_LIMITS.maxRows}).

Views (corrected values; the raw tables hold the machine values):
  letters     one row per letter: sha256, file, status, case_number, decision_date, date_assigned,
              application_received, injury_date, ur_date, priority, reviewer_licensure,
              reviewer_specialty (as printed), primary_specialty (canonical), patient_age, patient_sex,
              layout, parser_version, items, upheld,
              overturned, review_state, corrections (number of corrections)
  items       one row per item with its letter's fields: sha256, idx, description, quantity, decision,
              category, subcategory, drug_class, drug, strength, count, decision_date, primary_specialty, ...
  citations   one row per guideline citation: sha256, item_idx, party, source, sections, pages, family,
              chapter, decision
  mismatches  one row per validator finding: sha256, field, code, severity, message
  letter_specialties  one row per canonical specialty of a letter: sha256, position, specialty

Example: imr query "select category, count(*) n, avg(case when decision = 'upheld' then 1 else 0 end) uphold_rate from items group by 1"`;

export async function runQueryCommand(argv: string[], cli: Cli): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, QUERY_HELP, {
    format: { type: 'string', default: 'table' },
    'timeout-ms': { type: 'string' },
    'max-rows': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${QUERY_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one SQL statement, quoted', QUERY_HELP);
  const format = values.format as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`unknown format "${values.format}"`, QUERY_HELP);
  const number = (v: string | undefined, fallback: number, name: string) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`--${name} must be a positive integer`, QUERY_HELP);
    return n;
  };
  const limits = {
    timeoutMs: number(values['timeout-ms'], DEFAULT_QUERY_LIMITS.timeoutMs, 'timeout-ms'),
    maxRows: number(values['max-rows'], DEFAULT_QUERY_LIMITS.maxRows, 'max-rows'),
  };
  try {
    const config = loadConfig(cli.env);
    const engine = analyticsEngineOf(config);
    const result = await runQuery(config.databaseUrl, positionals[0]!, limits, [], engine);
    cli.stdout.write(formatTable(result, format));
    if (result.truncated) cli.stderr.write(`imr query: output cut at ${limits.maxRows} rows (--max-rows)\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof QueryError)) throw err;
    cli.stderr.write(`imr query: ${err.message}\n`);
    return err.code === 'invalid' || err.code === 'no_database' ? 1 : 3;
  }
}
