/** A small deterministic PRNG (mulberry32) with the helpers the generator needs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    // Mix the seed once so that nearby seeds start far apart.
    this.state = (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Pick with weights (same length as items). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i] ?? 0;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** `n` distinct items (fewer if the list is shorter). */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, n);
  }

  /** A child generator, so that adding draws in one part does not shift another part. */
  fork(salt: number): Rng {
    return new Rng((Math.floor(this.next() * 0x7fffffff) ^ Math.imul(salt, 0x27d4eb2d)) >>> 0);
  }
}

export interface SimpleDate {
  y: number;
  m: number;
  d: number;
}

export function toUtc(date: SimpleDate): Date {
  return new Date(Date.UTC(date.y, date.m - 1, date.d));
}

export function fromUtc(date: Date): SimpleDate {
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() };
}

export function addDays(date: SimpleDate, days: number): SimpleDate {
  return fromUtc(new Date(toUtc(date).getTime() + days * 86_400_000));
}

export function compareDates(a: SimpleDate, b: SimpleDate): number {
  return toUtc(a).getTime() - toUtc(b).getTime();
}

const pad = (n: number) => String(n).padStart(2, '0');

export function isoDate(date: SimpleDate): string {
  return `${date.y}-${pad(date.m)}-${pad(date.d)}`;
}

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** Ways the case summaries write a date. */
export type DateStyle = 'dash4' | 'dash2' | 'slash' | 'slash-space' | 'long' | 'numeric-short';

/**
 * - `dash4` 10-14-2016 (month/day sometimes unpadded: 11-4-2016)
 * - `dash2` 10-13-16
 * - `slash` 10/18/2016
 * - `slash-space` "10/10/ 2016" (a stray space, as in some scanned summaries)
 * - `long` October 20, 2016
 * - `numeric-short` 9/26/2013 (the 2013 notices)
 */
export function formatDate(date: SimpleDate, style: DateStyle, padded = true): string {
  const mm = padded ? pad(date.m) : String(date.m);
  const dd = padded ? pad(date.d) : String(date.d);
  switch (style) {
    case 'dash4':
      return `${mm}-${dd}-${date.y}`;
    case 'dash2':
      return `${mm}-${dd}-${pad(date.y % 100)}`;
    case 'slash':
      return `${pad(date.m)}/${pad(date.d)}/${date.y}`;
    case 'slash-space':
      return `${pad(date.m)}/${pad(date.d)}/ ${date.y}`;
    case 'long':
      return `${MONTHS[date.m - 1]} ${date.d}, ${date.y}`;
    case 'numeric-short':
      return `${date.m}/${date.d}/${date.y}`;
  }
}

/** The header tables' MM/DD/YYYY. */
export function headerDate(date: SimpleDate): string {
  return `${pad(date.m)}/${pad(date.d)}/${date.y}`;
}
