import type { DashboardData, ItemFilter, RateRow } from '../analytics/explore.js';
import { filterQuery, MAX_CSV_LIMIT } from './analytics-params.js';
import { periods, type RateBar, rateBarChart, volumeRateChart } from './charts.js';
import { type Html, html, query } from './html.js';
import { layout, type PageMeta } from './pages.js';

export interface DashboardView {
  filter: ItemFilter;
  data: DashboardData;
  offset: number;
  pageSize: number;
}

/** At most this many specialty bars; the rest are summed into one. */
const MAX_SPECIALTIES = 12;

const words = (v: string) => v.replace(/_/g, ' ');
const pct = (upheld: number, items: number) => (items ? `${Math.round((upheld / items) * 100)}%` : '—');

function dashboardHref(filter: ItemFilter, change: Partial<Record<string, string>> = {}): string {
  return `/dashboard${query({ ...filterQuery(filter), ...change })}`;
}

function select(
  name: string,
  label: string,
  options: readonly string[],
  value: string | undefined,
  text: (v: string) => string = words,
): Html {
  // The chosen value stays listed even when no letter has it (yet).
  const all = value && !options.includes(value) ? [...options, value] : options;
  return html`<label>${label}<select name="${name}" id="f-${name}"><option value="">all</option>${all.map(
    (o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${text(o)}</option>`,
  )}</select></label>`;
}

function categoryBars(rows: readonly RateRow[], filter: ItemFilter): RateBar[] {
  return rows.map((r) => ({
    label: r.key === null ? 'uncategorised' : words(r.key),
    items: r.items,
    upheld: r.upheld,
    href: r.key === null ? null : dashboardHref(filter, { category: r.key }),
  }));
}

function specialtyBars(rows: readonly RateRow[], filter: ItemFilter): RateBar[] {
  const named = rows.filter((r) => r.key !== null);
  const shown = named.slice(0, MAX_SPECIALTIES);
  const rest = [...named.slice(MAX_SPECIALTIES), ...rows.filter((r) => r.key === null)];
  const bars: RateBar[] = shown.map((r) => ({
    label: r.key ?? '',
    items: r.items,
    upheld: r.upheld,
    href: dashboardHref(filter, { specialty: r.key ?? '' }),
  }));
  if (rest.length > 0) {
    const others = named.length - shown.length;
    const unnamed = rest.length > others;
    const label =
      others === 0
        ? 'not stated'
        : unnamed
          ? `${others} others, not stated`
          : `${others} other specialt${others === 1 ? 'y' : 'ies'}`;
    bars.push({
      label,
      items: rest.reduce((s, r) => s + r.items, 0),
      upheld: rest.reduce((s, r) => s + r.upheld, 0),
    });
  }
  return bars;
}

/** The canonical primary specialty, with the printed value under it when that reads otherwise. */
function specialtyCell(primary: string | null, printed: string | null): Html {
  const shown = primary ?? printed;
  if (shown === null) return html`<span class="muted">—</span>`;
  return html`${shown}${printed !== null && printed !== shown ? html`<div class="muted small printed-specialty">${printed}</div>` : ''}`;
}

function itemsTable(v: DashboardView): Html {
  const { columns, rows } = v.data.page;
  const col = (name: string) => columns.indexOf(name);
  const at = (row: unknown[], name: string): string | null => {
    const value = row[col(name)];
    return value === null || value === undefined ? null : String(value);
  };
  const dash = html`<span class="muted">—</span>`;
  const body = rows.map((row) => {
    const sha = at(row, 'sha256') ?? '';
    const decision = at(row, 'decision');
    const category = at(row, 'category');
    const sub = at(row, 'subcategory');
    const drug = at(row, 'drug');
    return html`<tr>
  <td class="mono nowrap">${at(row, 'decision_date') ?? dash}</td>
  <td class="mono nowrap"><a href="/review/${sha}">${at(row, 'case_number') ?? sha.slice(0, 12)}</a></td>
  <td>${specialtyCell(at(row, 'primary_specialty'), at(row, 'reviewer_specialty'))}</td>
  <td>${category ? words(category) : html`<span class="muted">uncategorised</span>`}${sub ? html`<div class="muted small">${words(sub)}</div>` : ''}</td>
  <td>${at(row, 'drug_class') ? words(at(row, 'drug_class') ?? '') : dash}</td>
  <td class="desc"><a href="/review/${sha}">${at(row, 'description') ?? ''}</a>${drug ? html`<div class="muted small">${drug}${at(row, 'strength') ? ` ${at(row, 'strength')}` : ''}</div>` : ''}</td>
  <td><span class="dec dec-${decision ?? 'none'}">${decision ?? '—'}</span></td>
</tr>`;
  });
  const total = v.data.page.total;
  const first = total === 0 ? 0 : v.offset + 1;
  const last = Math.min(total, v.offset + rows.length);
  const offsetLink = (offset: number) =>
    dashboardHref(v.filter, { offset: offset > 0 ? String(offset) : undefined });
  const pager = html`<nav class="pager-line" aria-label="Pages of items">
  <span class="muted">${first}–${last} of ${total}</span>
  ${v.offset > 0 ? html`<a class="button" id="prev-page" href="${offsetLink(Math.max(0, v.offset - v.pageSize))}">‹ Previous</a>` : ''}
  ${last < total ? html`<a class="button" id="next-page" href="${offsetLink(v.offset + v.pageSize)}">Next ›</a>` : ''}
</nav>`;
  if (rows.length === 0) {
    return html`<div class="empty"><h2>No items</h2><p class="muted">No item matches these filters${v.offset > 0 ? ' on this page' : ''}.</p></div>`;
  }
  return html`<table class="grid items-table" id="items">
  <thead><tr><th>decision date</th><th>case</th><th>reviewer specialty</th><th>category</th><th>drug class</th><th>item</th><th>decision</th></tr></thead>
  <tbody>${body}</tbody>
</table>
${pager}`;
}

/** The analysts' dashboard: filters, three charts, the matching items and their CSV. */
export function dashboardPage(meta: PageMeta, v: DashboardView): string {
  const { data, filter } = v;
  const time = periods(data.byMonth);
  const csvHref = `/api/items${query({ ...filterQuery(filter), format: 'csv' })}`;
  // Each specialty: a letter's items count under every one of its specialties (bars add up to more).
  const specialtyTitle = filter.eachSpecialty
    ? 'Uphold rate by reviewer specialty (each of a letter’s)'
    : 'Uphold rate by primary reviewer specialty';
  const body = html`<main class="narrow wide dashboard">
  <div class="page-head">
    <h1>Dashboard</h1>
    <p class="muted" id="summary"><b>${data.items}</b> item${data.items === 1 ? '' : 's'} in <b>${data.letters}</b> letter${data.letters === 1 ? '' : 's'} · <b>${pct(data.upheld, data.items)}</b> upheld · corrected values, as QA left them</p>
  </div>
  <form class="filters" id="filters" method="get" action="/dashboard">
    <label>Decision from <input type="date" name="from" id="f-from" value="${filter.from ?? ''}"></label>
    <label>to <input type="date" name="to" id="f-to" value="${filter.to ?? ''}"></label>
    ${select('specialty', 'Reviewer specialty', data.options.specialties, filter.specialty, (s) => s)}
    <label class="check"><input type="checkbox" name="each_specialty" value="1" id="f-each-specialty"${filter.eachSpecialty ? html` checked` : ''}> each of a letter's specialties</label>
    ${select('category', 'Service category', data.options.categories, filter.category)}
    ${select('drug_class', 'Drug class', data.options.drugClasses, filter.drugClass)}
    ${select('decision', 'Decision', ['upheld', 'overturned'], filter.decision)}
    ${select('guideline', 'Guideline cited', data.options.guidelines, filter.guideline, (g) => (g === 'none' ? 'none cited' : g.toUpperCase()))}
    <label class="grow">Search <input type="search" name="q" id="f-q" value="${filter.q ?? ''}" placeholder="item, drug or case number" maxlength="200"></label>
    <div class="filter-buttons"><button type="submit" class="primary" id="apply">Apply</button><a class="button" href="/dashboard" id="reset">Reset</a></div>
  </form>
  <section class="charts">
    <figure class="chart">
      <figcaption><h2>Uphold rate by service category</h2></figcaption>
      ${rateBarChart('chart-category', 'Uphold rate by service category', categoryBars(data.byCategory, filter))}
    </figure>
    <figure class="chart">
      <figcaption><h2>${specialtyTitle}</h2></figcaption>
      ${rateBarChart('chart-specialty', specialtyTitle, specialtyBars(data.bySpecialty, filter))}
    </figure>
    <figure class="chart wide">
      <figcaption><h2>Volume and uphold rate by ${time.unit} of decision</h2></figcaption>
      ${volumeRateChart('chart-time', `Volume and uphold rate by ${time.unit}`, time.points)}
    </figure>
  </section>
  <section class="items-section">
    <div class="section-head">
      <h2>Items</h2>
      <a class="button" id="csv-link" href="${csvHref}" download="items.csv">Download CSV (${data.items > MAX_CSV_LIMIT ? `first ${MAX_CSV_LIMIT} of ${data.items}` : data.items} item${data.items === 1 ? '' : 's'})</a>
    </div>
    ${itemsTable(v)}
  </section>
</main>`;
  return layout(meta, body);
}
