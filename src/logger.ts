import { pino } from 'pino';

export type Logger = pino.Logger;

/** Structured logs (JSON lines on stderr). Letter text never goes into a log: ids, codes, counts only. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination(2));
}

/** A logger that drops everything: for tests and library callers that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
