import type { IntakeFile } from '../../schemas/document.js';
import { IntakeState } from '../../schemas/document.js';
import { type Cli, parseCommandLine, UsageError } from './cli.js';
import { withStore } from './with-store.js';

export const FILES_HELP = `imr files [--state S] [--limit N] [--json]

Every file taken in (the inbox, the backfill folder, imr ingest), newest first: name, size, when, state,
the error code and message of a failed one, and where it is now. States: ${IntakeState.options.join(', ')}
(a duplicate is known bytes under another name, linked to the first file, not processed again).
  --state S   only files in this state
  --limit N   at most N files (default 1000)
  --json      one JSON object per line (sha256, name, path, size, ingestedAt, state, status, errorCode,
              errorMessage, duplicateOf, settledTo)
"imr retry <sha256>" or "imr retry --failed" runs failed ones again.`;

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function line(f: IntakeFile): string {
  const state =
    f.state === 'duplicate'
      ? `duplicate of ${f.duplicateOf ?? '?'}`
      : f.state === 'failed'
        ? `failed ${f.errorCode ?? ''}`
        : f.state;
  const head = `${f.ingestedAt}  ${f.sha256.slice(0, 12)}  ${sizeOf(f.size).padStart(9)}  ${state.padEnd(22)}  ${f.name}`;
  return f.state === 'failed' && f.errorMessage ? `${head}\n    ${f.errorMessage}` : head;
}

export async function runFiles(argv: string[], cli: Cli): Promise<number> {
  const { values } = parseCommandLine(argv, FILES_HELP, {
    state: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    cli.stdout.write(`${FILES_HELP}\n`);
    return 0;
  }
  const state = values.state === undefined ? undefined : IntakeState.safeParse(values.state);
  if (state && !state.success) throw new UsageError(`unknown state "${values.state}"`, FILES_HELP);
  const limit = values.limit === undefined ? 1000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit takes a positive whole number', FILES_HELP);
  const files = await withStore(cli, (store) =>
    store.intake.list({ ...(state?.success ? { state: state.data } : {}), limit }),
  );
  if (values.json) {
    for (const f of files) cli.stdout.write(`${JSON.stringify(f)}\n`);
    return 0;
  }
  if (files.length === 0) {
    cli.stdout.write(state?.success ? `no files in state ${state.data}\n` : 'no files taken in yet\n');
    return 0;
  }
  for (const f of files) cli.stdout.write(`${line(f)}\n`);
  return 0;
}
