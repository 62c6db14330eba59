import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, formatRate, type ProgressStream } from '../../src/cli/progress.js';

/** A terminal that keeps every write, and a clock the test moves. */
function fakeTerminal(options: { isTTY?: boolean; columns?: number } = {}) {
  const writes: string[] = [];
  const stream = {
    isTTY: options.isTTY ?? true,
    columns: options.columns ?? 200,
    write(chunk: string) {
      writes.push(chunk);
      return true;
    },
  };
  let t = 1000;
  return {
    writes,
    stream: stream as unknown as ProgressStream,
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    /** The text of the last write, without the return and clear-line codes. */
    last: () => (writes.at(-1) ?? '').replace('\r\x1b[2K', ''),
  };
}

describe('createProgress', () => {
  it('writes nothing at all when the stream is not a terminal', () => {
    const term = fakeTerminal({ isTTY: false });
    const p = createProgress('extract', 3, { stream: term.stream, now: term.now });
    p.tick();
    term.advance(5000);
    p.total(4);
    p.tick(3);
    p.clear();
    p.done();
    expect(term.writes).toEqual([]);
  });

  it('draws at once, then at most once per interval, each draw returning to the line start', () => {
    const term = fakeTerminal();
    const p = createProgress('extract', 10, { stream: term.stream, now: term.now, intervalMs: 200 });
    expect(term.writes).toHaveLength(1);
    expect(term.last()).toBe('extract  0/10  0%  -/s  ETA --');
    term.advance(50);
    p.tick();
    term.advance(100);
    p.tick();
    expect(term.writes).toHaveLength(1);
    term.advance(50);
    p.tick();
    expect(term.writes).toHaveLength(2);
    expect(term.last()).toMatch(/^extract {2}3\/10 {2}30% /);
    for (const w of term.writes) {
      expect(w.startsWith('\r\x1b[2K')).toBe(true);
      expect(w).not.toContain('\n');
    }
  });

  it('shows the rate and the time left, from the first tick on (start-up left out)', () => {
    const term = fakeTerminal();
    const p = createProgress('letters', 100, { stream: term.stream, now: term.now });
    term.advance(30_000); // a model loading: not counted in the rate
    p.tick(4);
    expect(term.last()).toBe('letters  4/100  4%  -/s  ETA --');
    term.advance(2000);
    p.tick(4); // 2 per second, 92 left: 46 s
    expect(term.last()).toBe('letters  8/100  8%  2.0/s  ETA 46s');
    term.advance(8000);
    p.tick(1); // 5 in 10 s: 0.5 per second, 91 left
    expect(term.last()).toBe('letters  9/100  9%  0.50/s  ETA 3m 02s');
  });

  it('takes the rate over the recent past, not since the first tick', () => {
    const term = fakeTerminal();
    const p = createProgress('pages', 1000, { stream: term.stream, now: term.now });
    term.advance(1000);
    p.tick();
    // A slow minute, then 10 per second for 40 s.
    for (let i = 0; i < 6; i++) {
      term.advance(10_000);
      p.tick();
    }
    for (let i = 0; i < 40; i++) {
      term.advance(1000);
      p.tick(10);
    }
    // 593 left at 10 per second (since the first tick it would be about 4 per second: 2m 26s).
    expect(term.last()).toBe('pages  407/1000  40%  10/s  ETA 59s');
  });

  it('grows the total when the caller learns it late, and shows a bare count without one', () => {
    const term = fakeTerminal();
    const p = createProgress('rows', 0, { stream: term.stream, now: term.now });
    expect(term.last()).toBe('rows  0  -/s');
    term.advance(1000);
    p.tick(20);
    term.advance(1000);
    p.tick(10);
    expect(term.last()).toBe('rows  30  10/s');
    term.advance(1000);
    p.total(80);
    expect(term.last()).toBe('rows  30/80  37%  5.0/s  ETA 10s');
  });

  it('truncates the line to the terminal width (one column spare)', () => {
    const term = fakeTerminal({ columns: 20 });
    createProgress('a long label for a narrow terminal', 5, { stream: term.stream, now: term.now });
    expect(term.last()).toBe('a long label for a ');
    expect(term.last()).toHaveLength(19);
  });

  it('ends with the overall rate, the time taken and a newline, once', () => {
    const term = fakeTerminal();
    const p = createProgress('extract', 41, { stream: term.stream, now: term.now });
    for (let i = 0; i < 41; i++) {
      term.advance(4000);
      p.tick();
    }
    term.advance(1000);
    p.done();
    expect(term.writes.at(-1)).toBe('\r\x1b[2Kextract  41/41  100%  0.25/s  in 2m 45s\n');
    const count = term.writes.length;
    p.done();
    p.tick();
    p.total(50);
    p.clear();
    expect(term.writes).toHaveLength(count);
  });

  it('clears the line for other output and draws it again at the next tick', () => {
    const term = fakeTerminal();
    const p = createProgress('check', 3, { stream: term.stream, now: term.now });
    p.clear();
    expect(term.writes.at(-1)).toBe('\r\x1b[2K');
    p.clear(); // nothing on the line: nothing to erase
    expect(term.writes).toHaveLength(2);
    p.tick(); // within the interval, but the line is gone: drawn now
    expect(term.writes).toHaveLength(3);
    expect(term.last()).toMatch(/^check {2}1\/3 /);
  });
});

describe('formatDuration and formatRate', () => {
  it('reads as seconds, minutes and seconds, or hours and minutes', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42_400)).toBe('42s');
    expect(formatDuration(59_600)).toBe('1m 00s');
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3 * 3600_000 + 7 * 60_000)).toBe('3h 07m');
  });

  it('gives as many decimals as a rate of that size needs', () => {
    expect(formatRate(0.234)).toBe('0.23/s');
    expect(formatRate(3.26)).toBe('3.3/s');
    expect(formatRate(152.4)).toBe('152/s');
  });
});
