/**
 * A one-line progress report for long commands and benches, on a terminal only: label, done/total,
 * percent, rate and time left, redrawn in place. Writes nothing when the stream is not a TTY, so CI
 * logs, pipes and JSON output stay as they are.
 */
export interface Progress {
  /** `n` (default 1) more items done. */
  tick(n?: number): void;
  /** Sets the total, for a caller that learns it late (0: unknown, no percent or time left). */
  total(n: number): void;
  /** Writes the final line and a newline; later calls do nothing. */
  done(): void;
  /**
   * Erases the line so the caller can print to the same terminal; the next tick or total draws it again
   * at once. Call it before writing to a stdout that is the same terminal.
   */
  clear(): void;
}

export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ProgressOptions {
  /** Default: process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds, monotonic. Default: performance.now. */
  now?: () => number;
  /** Least time between two redraws. Default: 200 ms. */
  intervalMs?: number;
}

/** The rate is taken over about this much recent time, so a slow start does not skew the time left. */
const RATE_WINDOW_MS = 30_000;
const CLEAR_LINE = '\r\x1b[2K';

/** `42s`, `1m 05s`, `2h 03m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Items per second: two decimals below 1, one below 10, none above. */
export function formatRate(perSecond: number): string {
  const digits = perSecond < 1 ? 2 : perSecond < 10 ? 1 : 0;
  return `${perSecond.toFixed(digits)}/s`;
}

const SILENT: Progress = { tick() {}, total() {}, done() {}, clear() {} };

export function createProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (stream.isTTY !== true) return SILENT;
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 200;

  const start = now();
  let count = 0;
  let expected = Math.max(0, total);
  let finished = false;
  let shown = false;
  let lastDraw = start;
  // (time, count) at the first tick and at draws; samples[0], the base of the rate, is the newest one at
  // least RATE_WINDOW_MS old (the first tick until then). The time before the first tick (start-up, a
  // model loading) is left out of the rate, or the first time left would be wildly long.
  const samples: { t: number; count: number }[] = [{ t: start, count: 0 }];
  let ticked = false;

  const line = (t: number, final: boolean): string => {
    const parts = [label, expected > 0 ? `${count}/${expected}` : `${count}`];
    if (expected > 0) parts.push(`${Math.min(100, Math.floor((100 * count) / expected))}%`);
    // The final line gives the overall rate; the others the recent one.
    const from = final ? { t: start, count: 0 } : samples[0]!;
    const perMs = t > from.t ? (count - from.count) / (t - from.t) : 0;
    parts.push(perMs > 0 ? formatRate(perMs * 1000) : '-/s');
    if (final) parts.push(`in ${formatDuration(t - start)}`);
    else if (expected > 0 && count < expected)
      parts.push(`ETA ${perMs > 0 ? formatDuration((expected - count) / perMs) : '--'}`);
    const text = parts.join('  ');
    // One column short of the width: writing the last column wraps on some terminals, and `\r` would
    // then return to the wrong line.
    const width = Math.max(1, (stream.columns && stream.columns > 0 ? stream.columns : 80) - 1);
    return text.length > width ? text.slice(0, width) : text;
  };

  let lastText = '';
  const draw = (t: number) => {
    while (samples.length > 1 && samples[1]!.t <= t - RATE_WINDOW_MS) samples.shift();
    const text = line(t, false);
    if (!shown || text !== lastText) stream.write(`${CLEAR_LINE}${text}`);
    lastText = text;
    samples.push({ t, count });
    shown = true;
    lastDraw = t;
  };
  const maybeDraw = (t: number) => {
    if (!shown || t - lastDraw >= intervalMs) draw(t);
  };

  draw(start);
  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      const t = now();
      if (!ticked && count > 0) {
        ticked = true;
        samples.splice(0, samples.length, { t, count });
      }
      maybeDraw(t);
    },
    total(n) {
      if (finished) return;
      expected = Math.max(0, n);
      maybeDraw(now());
    },
    done() {
      if (finished) return;
      finished = true;
      stream.write(`${CLEAR_LINE}${line(now(), true)}\n`);
    },
    clear() {
      if (finished || !shown) return;
      stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
