import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What a command writes to: injected so commands are testable without a child process. */
export interface Cli {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** The environment `loadConfig` reads. */
  env: Record<string, string | undefined>;
}

/** A wrong command line: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(message);
  }
}

/** node:util parseArgs with positionals, its errors turned into usage errors that show `help`. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  help: string,
  options: O,
) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), help);
  }
}
