import { type Html, html } from './html.js';

/**
 * Charts as inline SVG, drawn on the server: no script, and every label goes through `html` (escaped).
 * Colours come from app.css classes (the CSP allows no inline style).
 */

export interface RateBar {
  label: string;
  items: number;
  upheld: number;
  /** Where a click on the bar goes (the dashboard narrowed to it); none for a group without a value. */
  href?: string | null;
}

export interface PeriodPoint {
  label: string;
  items: number;
  upheld: number;
}

const pct = (n: number) => `${Math.round(n * 100)}%`;
const rateOf = (b: { items: number; upheld: number }) => (b.items > 0 ? b.upheld / b.items : 0);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** 1, 2 or 5 times a power of ten, at least `n`: a round step for an axis. */
export function niceCeil(n: number): number {
  if (n <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/** Cut at a word boundary where there is one near the end. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;&]+$/, '')}…`;
}

/**
 * Horizontal bars: the uphold rate of each group (length, 0-100%), its name above the bar and its rate
 * and number of items at the right, so long specialty names need no cutting in the middle.
 */
export function rateBarChart(id: string, title: string, bars: readonly RateBar[]): Html {
  const width = 560;
  if (bars.length === 0) {
    return html`<svg class="chart-svg" id="${id}" viewBox="0 0 ${width} 60" role="img" aria-label="${title}: no items"><text class="empty-note" x="${width / 2}" y="34" text-anchor="middle">No items match these filters.</text></svg>`;
  }
  const rowH = 34;
  const top = 18;
  const height = top + bars.length * rowH;
  const axis = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      html`<text class="tick" x="${t * width}" y="11" text-anchor="${t === 0 ? 'start' : t === 1 ? 'end' : 'middle'}">${pct(t)}</text>`,
  );
  const rows = bars.map((b, i) => {
    const y = top + i * rowH;
    const rate = rateOf(b);
    const tip = `${b.label}: ${pct(rate)} upheld (${b.upheld} of ${plural(b.items, 'item')})`;
    const notches = [0.25, 0.5, 0.75].map(
      (t) => html`<line class="notch" x1="${t * width}" x2="${t * width}" y1="${y + 17}" y2="${y + 29}"/>`,
    );
    // The hit area covers the whole row, gaps included: all of it is the link.
    const body = html`<title>${tip}</title>
<rect class="hit" x="0" y="${y}" width="${width}" height="${rowH}"/>
<text class="label" x="0" y="${y + 12}">${clip(b.label, 64)}</text>
<text class="value" x="${width}" y="${y + 12}" text-anchor="end">${pct(rate)} <tspan class="count">· ${plural(b.items, 'item')}</tspan></text>
<rect class="track" x="0" y="${y + 17}" width="${width}" height="12" rx="2"/>
<rect class="bar" x="0" y="${y + 17}" width="${(rate * width).toFixed(1)}" height="12" rx="2"/>
${notches}`;
    return b.href
      ? html`<a class="row" href="${b.href}" data-label="${b.label}" data-items="${b.items}">${body}</a>`
      : html`<g class="row" data-label="${b.label}" data-items="${b.items}">${body}</g>`;
  });
  return html`<svg class="chart-svg" id="${id}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">${axis}${rows}</svg>`;
}

/** Volume (bars, left axis) and uphold rate (line, right axis, 0-100%) per period. */
export function volumeRateChart(id: string, title: string, points: readonly PeriodPoint[]): Html {
  if (points.length === 0) {
    return html`<svg class="chart-svg" id="${id}" viewBox="0 0 1080 60" role="img" aria-label="${title}: no dated items"><text class="empty-note" x="540" y="34" text-anchor="middle">No dated items match these filters.</text></svg>`;
  }
  const width = 1080;
  const height = 260;
  const left = 48;
  const right = 48;
  const top = 16;
  const bottom = 44;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  // Four equal steps of a round, whole size, so every tick of the items axis is a whole number.
  const maxItems = 4 * Math.max(1, niceCeil(Math.max(...points.map((p) => p.items)) / 4));
  const slot = plotW / points.length;
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const yItems = (n: number) => top + plotH - (n / maxItems) * plotH;
  const yRate = (r: number) => top + plotH - r * plotH;
  const xMid = (i: number) => left + slot * i + slot / 2;
  // At most ~18 labels under the axis, whatever the number of periods.
  const every = Math.ceil(points.length / 18);

  const grid = [0, 0.25, 0.5, 0.75, 1].map(
    (t) => html`<line class="grid-line" x1="${left}" x2="${width - right}" y1="${yRate(t)}" y2="${yRate(t)}"/>
<text class="tick" x="${left - 6}" y="${yRate(t) + 4}" text-anchor="end">${Math.round(t * maxItems)}</text>
<text class="tick rate-tick" x="${width - right + 6}" y="${yRate(t) + 4}">${pct(t)}</text>`,
  );
  const bars = points.map((p, i) => {
    const y = yItems(p.items);
    const tip = `${p.label}: ${plural(p.items, 'item')}${p.items ? `, ${pct(rateOf(p))} upheld` : ''}`;
    return html`<g class="period" data-label="${p.label}" data-items="${p.items}"><title>${tip}</title>
<rect class="vol" x="${(xMid(i) - barW / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${(top + plotH - y).toFixed(1)}"/>
${i % every === 0 ? html`<text class="tick" x="${xMid(i).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${p.label}</text>` : ''}</g>`;
  });
  // The line breaks over periods without items (no rate there).
  let d = '';
  let pen = false;
  const dots: Html[] = [];
  points.forEach((p, i) => {
    if (p.items === 0) {
      pen = false;
      return;
    }
    const x = xMid(i).toFixed(1);
    const y = yRate(rateOf(p)).toFixed(1);
    d += `${pen ? 'L' : 'M'}${x} ${y} `;
    pen = true;
    dots.push(
      html`<circle class="rate-dot" cx="${x}" cy="${y}" r="3"><title>${p.label}: ${pct(rateOf(p))} upheld</title></circle>`,
    );
  });
  const legendY = height - 10;
  return html`<svg class="chart-svg" id="${id}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">
${grid}
<line class="axis" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"/>
${bars}
<path class="rate-line" d="${d.trim()}"/>
${dots}
<g class="legend"><rect class="vol" x="${left}" y="${legendY - 9}" width="12" height="10"/><text x="${left + 18}" y="${legendY}">items (left axis)</text>
<line class="rate-line" x1="${left + 140}" x2="${left + 162}" y1="${legendY - 4}" y2="${legendY - 4}"/><circle class="rate-dot" cx="${left + 151}" cy="${legendY - 4}" r="3"/><text x="${left + 170}" y="${legendY}">uphold rate (right axis)</text></g>
</svg>`;
}

/** Month rows (YYYY-MM) as consecutive periods, gaps filled: months for up to 24, else quarters. */
export function periods(months: readonly { key: string | null; items: number; upheld: number }[]): {
  unit: 'month' | 'quarter';
  points: PeriodPoint[];
} {
  const known = months.filter((m): m is { key: string; items: number; upheld: number } =>
    /^\d{4}-\d{2}$/.test(m.key ?? ''),
  );
  if (known.length === 0) return { unit: 'month', points: [] };
  const index = (key: string) => Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7)) - 1;
  const first = Math.min(...known.map((m) => index(m.key)));
  const last = Math.max(...known.map((m) => index(m.key)));
  const unit = last - first < 24 ? 'month' : 'quarter';
  const keyOf = (i: number) => {
    const year = Math.floor(i / 12);
    const month = (i % 12) + 1;
    return unit === 'month'
      ? `${year}-${String(month).padStart(2, '0')}`
      : `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
  };
  const points = new Map<string, PeriodPoint>();
  for (let i = first; i <= last; i++) {
    const label = keyOf(i);
    if (!points.has(label)) points.set(label, { label, items: 0, upheld: 0 });
  }
  for (const m of known) {
    const p = points.get(keyOf(index(m.key)))!;
    p.items += m.items;
    p.upheld += m.upheld;
  }
  return { unit, points: [...points.values()] };
}
