import { describe, expect, it } from 'vitest';
import { periods, rateBarChart, volumeRateChart } from '../../src/server/charts.js';

describe('dashboard charts', () => {
  it('turns month rows into consecutive months, or quarters over two years', () => {
    const short = periods([
      { key: '2016-01', items: 2, upheld: 1 },
      { key: '2016-04', items: 1, upheld: 1 },
      { key: null, items: 5, upheld: 5 },
    ]);
    expect(short.unit).toBe('month');
    expect(short.points.map((p) => [p.label, p.items])).toEqual([
      ['2016-01', 2],
      ['2016-02', 0],
      ['2016-03', 0],
      ['2016-04', 1],
    ]);
    const long = periods([
      { key: '2014-02', items: 2, upheld: 1 },
      { key: '2014-03', items: 3, upheld: 0 },
      { key: '2016-11', items: 1, upheld: 1 },
    ]);
    expect(long.unit).toBe('quarter');
    expect(long.points[0]).toEqual({ label: '2014-Q1', items: 5, upheld: 1 });
    expect(long.points.at(-1)).toEqual({ label: '2016-Q4', items: 1, upheld: 1 });
    expect(long.points).toHaveLength(12);
    expect(periods([]).points).toEqual([]);
  });

  it('escapes labels and draws one bar per group with its rate and count', () => {
    const svg = rateBarChart('c', 'Title "x"', [
      { label: '<b>Surgery</b> & co', items: 4, upheld: 3, href: '/dashboard?specialty=a&b=1' },
      { label: 'uncategorised', items: 1, upheld: 0 },
    ]).value;
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;Surgery&lt;/b&gt; &amp; co');
    expect(svg).toContain('href="/dashboard?specialty=a&amp;b=1"');
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(svg).toContain('75% <tspan class="count">· 4 items</tspan>');
    expect(svg).toContain('0% <tspan class="count">· 1 item</tspan>');
  });

  it('breaks the rate line over periods without items', () => {
    const svg = volumeRateChart('t', 'T', [
      { label: 'a', items: 2, upheld: 1 },
      { label: 'b', items: 0, upheld: 0 },
      { label: 'c', items: 4, upheld: 4 },
    ]).value;
    const d = /<path class="rate-line" d="([^"]*)"/.exec(svg)?.[1] ?? '';
    expect(d.match(/M/g)).toHaveLength(2);
    expect(svg.match(/<rect class="vol"/g)).toHaveLength(4); // three periods and the legend
  });
});
