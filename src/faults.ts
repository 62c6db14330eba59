import type { Logger } from './logger.js';

/**
 * Named points where a process can be made to stop dead, for the fault tests (IMR_FAULT_PAUSE): the test
 * waits for the log line, then kills the process with SIGKILL at exactly that point. Unset in production.
 */
export const FAULT_POINTS = [
  /** Watcher: the file's bytes are committed, its job not yet enqueued. */
  'after-register',
  /** Settle: the file is moved to archive/quarantine, the move not yet recorded. */
  'after-move',
  /** Worker: the letter's record and terminal status are committed, the job not yet acknowledged. */
  'after-commit',
  /** OCR worker: one page's text is committed, its job not yet acknowledged (the letter mid fan-out). */
  'after-page',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** Never returns when `point` is the configured pause point (the process waits to be killed). */
export async function faultPoint(
  point: FaultPoint,
  pauseAt: FaultPoint | undefined,
  logger: Logger,
): Promise<void> {
  if (pauseAt !== point) return;
  logger.warn({ fault: point }, `fault injection: paused at ${point}`);
  await new Promise<never>(() => undefined);
}
