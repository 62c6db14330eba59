import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { PrettyOptions } from 'pino-pretty';

export type Logger = pino.Logger;

/** `auto`: readable lines when the log stream is a terminal, JSON lines otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Where logs go: stderr, or (tests) any stream; `isTTY` is what `auto` looks at. */
export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  /** pino level (the config's `logLevel`, LOG_LEVEL); default `info`. */
  level?: string | undefined;
  /** The config's `logFormat` (IMR_LOG_FORMAT); default `auto`. */
  format?: LogFormat | undefined;
  /** Default: process.stderr. */
  stream?: LogStream;
}

const require = createRequire(import.meta.url);

/**
 * Readable lines through pino-pretty, formatted in this thread and written as they come (no transport
 * thread: a line logged just before the process dies by a signal is not lost). Loaded only here, so a
 * command that never logs to a terminal never loads it.
 */
function prettyStream(stream: LogStream): pino.DestinationStream {
  const { prettyFactory } = require('pino-pretty') as {
    prettyFactory: (options: PrettyOptions) => (line: string) => string;
  };
  const format = prettyFactory({
    colorize: stream.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return { write: (line: string) => void stream.write(format(line)) };
}

/**
 * Structured logs on stderr: pretty on a terminal, JSON lines otherwise (or as `format` forces). Letter
 * text never goes into a log: ids, codes, counts only.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const { level = 'info', format = 'auto', stream = process.stderr } = options;
  const pretty = format === 'pretty' || (format === 'auto' && stream.isTTY === true);
  const destination: pino.DestinationStream = pretty
    ? prettyStream(stream)
    : stream === process.stderr
      ? pino.destination(2)
      : { write: (line: string) => void stream.write(line) };
  return pino({ name, level, base: { pid: process.pid } }, destination);
}

/** A logger that drops everything: for tests and library callers that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
