import type { DocumentRow } from '../../schemas/document.js';
import type { LetterRecord, Mismatch } from '../../schemas/letter.js';
import type { AuditEntry, QueueRow, Review } from '../../schemas/review.js';
import type { TextDocument } from '../../schemas/text.js';
import type { UserRole } from '../../schemas/user.js';
import type { GoldScore } from '../store/store.js';
import { Html, html, jsonForScript, query } from './html.js';
import { REVIEW_DPI } from './page-images.js';
import { type FieldRow, formatValue, type ItemView, type LetterView } from './review-model.js';
import { CSRF_FIELD, SIGN_OUT_PATH } from './security.js';

export interface PageMeta {
  title: string;
  csrfToken: string;
  /** `data-page` of <body>: which behaviour the script attaches. */
  kind: 'home' | 'queue' | 'review' | 'gold' | 'dashboard' | 'files';
  /** Highlighted link of the top bar. */
  nav?: 'review' | 'gold' | 'dashboard' | 'files';
  /** Who is signed in (a server with users); null or absent: the typed Reviewer box of a single user. */
  user?: { name: string; role: UserRole } | null;
}

/** The top bar's right side: the signed-in person (read-only, with sign-out), or the Reviewer box. */
function who(meta: PageMeta): Html | string {
  if (meta.user) {
    return html`<label class="who">${meta.user.role === 'reviewer' ? 'Reviewer' : 'Analyst'} <input id="author" name="author" value="${meta.user.name}" readonly title="signed in"></label>
  <form class="inline signout" method="post" action="${SIGN_OUT_PATH}"><input type="hidden" name="${CSRF_FIELD}" value="${meta.csrfToken}"><button type="submit" class="subtle" id="signout">Sign out</button></form>`;
  }
  // The dashboard has no forms: nothing to sign with a name there.
  if (meta.kind === 'dashboard') return '';
  return html`<label class="who">Reviewer <input id="author" name="author" autocomplete="name" placeholder="your name" maxlength="80"></label>`;
}

/** A crosshair: "show this field on the page" (inline SVG; fonts on a server may lack the glyph). */
const LOCATE_ICON = new Html(
  '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.6"><circle cx="8" cy="8" r="4.5"/><path d="M8 0.5v3M8 12.5v3M0.5 8h3M12.5 8h3"/></svg>',
);

const SHORTCUTS: readonly [string, string][] = [
  ['a', 'approve this letter'],
  ['r', 'reject (type a reason)'],
  ['n / p', 'next / previous letter in the queue'],
  ['j / k', 'next / previous field (shows it on the page)'],
  ['e', 'edit the selected field'],
  ['u', 'back to the queue'],
  ['Esc', 'leave a field, close this list'],
  ['?', 'show these shortcuts'],
];

export function layout(meta: PageMeta, body: Html): string {
  const navLink = (href: string, name: PageMeta['nav'], text: string) =>
    html`<a href="${href}"${meta.nav === name ? html` aria-current="page"` : ''}>${text}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${meta.csrfToken}">
<title>${meta.title} · imr-pipeline</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/review.js" defer></script>
</head>
<body data-page="${meta.kind}">
<header class="topbar">
  <a class="brand" href="/">imr<span>·</span>pipeline</a>
  <nav>${navLink('/files', 'files', 'Files')}${navLink('/review', 'review', 'Review queue')}${navLink('/gold', 'gold', 'Gold accuracy')}${navLink('/dashboard', 'dashboard', 'Dashboard')}<a href="/queues">Queues</a></nav>
  <div class="spacer"></div>
  ${who(meta)}
  <button type="button" class="help-btn" id="help-btn" title="Keyboard shortcuts (?)">?</button>
</header>
${body}
<div class="overlay" id="help" hidden>
  <div class="dialog" role="dialog" aria-labelledby="help-title">
    <h2 id="help-title">Keyboard shortcuts</h2>
    <p class="muted">Not while typing in a field.</p>
    <dl class="keys">${SHORTCUTS.map(([k, d]) => html`<dt><kbd>${k}</kbd></dt><dd>${d}</dd>`)}</dl>
    <button type="button" data-close>Close</button>
  </div>
</div>
<div class="toast" id="toast" role="status" hidden></div>
</body>
</html>
`.value;
}

function severityBadge(severity: Mismatch['severity'] | null): Html {
  if (!severity) return html`<span class="sev sev-none">none</span>`;
  return html`<span class="sev sev-${severity}">${severity}</span>`;
}

function reviewHref(sha256: string, code: string | undefined): string {
  return `/review/${sha256}${query({ code })}`;
}

export function homePage(
  meta: PageMeta,
  counts: Record<string, number>,
  terminal: readonly string[],
  toReview: number,
): string {
  const rows = Object.entries(counts).map(
    ([status, n]) =>
      html`<tr><td>${status}${terminal.includes(status) ? '' : html` <span class="muted">(in progress)</span>`}</td><td class="num">${n}</td></tr>`,
  );
  return layout(
    meta,
    html`<main class="narrow">
  <h1>imr-pipeline</h1>
  <table class="grid"><thead><tr><th>status</th><th class="num">documents</th></tr></thead><tbody>${rows}</tbody></table>
  <p><a class="button primary" href="/review">Review queue (${toReview})</a> <a class="button" href="/gold">Gold accuracy</a> <a class="button" href="/dashboard">Dashboard</a> <a class="button" href="/queues">Queues</a> <a class="button" href="/api/status">/api/status</a></p>
</main>`,
  );
}

export function queuePage(
  meta: PageMeta,
  rows: readonly QueueRow[],
  codeCounts: Record<string, number>,
  code: string | undefined,
): string {
  const total = Object.values(codeCounts).length;
  const chips = Object.entries(codeCounts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(
      ([c, n]) =>
        html`<a class="chip${c === code ? ' active' : ''}" href="/review${query({ code: c })}"><code>${c}</code> <b>${n}</b></a>`,
    );
  const body = rows.map(
    (r, i) => html`<tr class="qrow" data-href="${reviewHref(r.sha256, code)}" tabindex="-1" data-index="${i}">
  <td>${severityBadge(r.worstSeverity)}</td>
  <td class="file"><a href="${reviewHref(r.sha256, code)}">${r.fileName}</a><div class="muted mono">${r.sha256.slice(0, 12)}</div></td>
  <td class="mono">${r.caseNumber ?? html`<span class="muted">—</span>`}</td>
  <td class="mono">${r.decisionDate ?? html`<span class="muted">—</span>`}</td>
  <td class="num">${r.errors}</td>
  <td class="num">${r.warnings}</td>
  <td class="num"><span class="conf${r.minConfidence < 0.6 ? ' low' : ''}">${Math.round(r.minConfidence * 100)}%</span></td>
  <td>${r.codes.map((c) => html`<a class="chip small" href="/review${query({ code: c })}"><code>${c}</code></a>`)}</td>
  <td class="num">${r.corrections || ''}</td>
</tr>`,
  );
  return layout(
    meta,
    html`<main class="narrow wide">
  <div class="page-head">
    <h1>Review queue</h1>
    <p class="muted">${rows.length} letter${rows.length === 1 ? '' : 's'} to review${code ? html` with <code>${code}</code>` : ''}, riskiest first.</p>
  </div>
  <nav class="chips" aria-label="Filter by mismatch code">
    <a class="chip${code ? '' : ' active'}" href="/review">all</a>${chips}
    ${total === 0 ? html`<span class="muted">no mismatch codes</span>` : ''}
  </nav>
  ${
    rows.length === 0
      ? html`<div class="empty"><h2>Nothing to review</h2><p class="muted">Every letter that needed a person has been approved or rejected.</p></div>`
      : html`<table class="grid queue" id="queue">
    <thead><tr><th>risk</th><th>file</th><th>case</th><th>decision date</th><th class="num">errors</th><th class="num">warnings</th><th class="num">min conf.</th><th>codes</th><th class="num">corr.</th></tr></thead>
    <tbody>${body}</tbody>
  </table>`
  }
</main>`,
  );
}

/** `resolved`: the field was corrected since, so these are what the machine value had. */
function mismatchList(ms: readonly Mismatch[], resolved = false): Html {
  if (ms.length === 0) return html``;
  return html`<ul class="mismatches${resolved ? ' resolved' : ''}"${resolved ? html` title="about the machine value, before the correction"` : ''}>${ms.map(
    (m) =>
      html`<li class="sev-${m.severity}"><span class="sev sev-${m.severity}">${m.severity}</span> <code>${m.code}</code> ${m.message}</li>`,
  )}</ul>`;
}

function control(row: FieldRow, id: string, disabled: boolean): Html {
  const value = formatValue(row.value);
  const common = html`id="${id}" name="value" class="value" data-field="${row.path}"${disabled ? html` disabled` : ''}`;
  if (row.spec.kind === 'enum') {
    const options = row.spec.required ? (row.spec.options ?? []) : ['', ...(row.spec.options ?? [])];
    return html`<select ${common}>${options.map(
      (o) =>
        html`<option value="${o}"${o === value ? html` selected` : ''}>${o === '' ? '—' : o.replace(/_/g, ' ')}</option>`,
    )}</select>`;
  }
  const placeholder =
    row.spec.kind === 'date'
      ? 'YYYY-MM-DD'
      : row.spec.kind === 'list'
        ? 'comma separated'
        : row.spec.kind === 'int'
          ? 'number'
          : '';
  return html`<input ${common} value="${value}" placeholder="${placeholder}" autocomplete="off"${row.spec.kind === 'int' ? html` inputmode="numeric"` : ''}>`;
}

function fieldRow(row: FieldRow, sha256: string, csrf: string, disabled: boolean): Html {
  const id = `v-${row.path.replace(/\./g, '-')}`;
  const severity = row.mismatches.some((m) => m.severity === 'error')
    ? 'error'
    : row.mismatches.some((m) => m.severity === 'warning')
      ? 'warning'
      : row.mismatches.length > 0
        ? 'info'
        : null;
  const classes = [
    'field',
    row.correction ? 'corrected' : '',
    severity ? `has-${severity}` : '',
    row.provenance?.box ? 'has-box' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const confidence = row.provenance && row.provenance.confidence < 1 ? row.provenance.confidence : null;
  return html`<form class="${classes}" method="post" action="/review/${sha256}/correct" data-field="${row.path}" data-initial="${formatValue(row.value)}">
  <input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="field" value="${row.path}"><input type="hidden" name="author" class="author-value">
  <label for="${id}">${row.spec.label}${confidence !== null ? html` <span class="conf${confidence < 0.6 ? ' low' : ''}" title="read with this confidence">${Math.round(confidence * 100)}%</span>` : ''}</label>
  <div class="control">
    ${control(row, id, disabled)}
    <button type="button" class="locate" data-field="${row.path}" title="${row.provenance?.box ? 'Show on the page' : 'Not located on the page'}" aria-label="Show on the page"${row.provenance?.box ? '' : html` disabled`}>${LOCATE_ICON}</button>
  </div>
  ${
    row.correction
      ? html`<div class="machine"><span class="tag">corrected</span> machine: <s>${row.added ? '(added item)' : formatValue(row.machine) || '(empty)'}</s> · ${row.correction.author}${row.correction.reason ? html`: “${row.correction.reason}”` : ''}</div>`
      : ''
  }
  ${mismatchList(row.mismatches, row.correction !== null)}
  <div class="save" hidden>
    <input name="reason" class="reason" placeholder="Reason for the correction" maxlength="2000" autocomplete="off">
    <button type="submit" class="primary">Save</button>
    <button type="button" class="cancel">Cancel</button>
  </div>
</form>`;
}

function itemCard(view: ItemView, sha256: string, csrf: string, disabled: boolean): Html {
  const removed = view.removedBy !== null;
  return html`<section class="item${removed ? ' removed' : ''}${view.added ? ' added' : ''}" id="item-${view.index}">
  <header class="item-head">
    <h3>Item ${view.index + 1}${view.added ? html` <span class="tag">added</span>` : ''}${removed ? html` <span class="tag tag-bad">removed</span>` : ''}</h3>
    <div class="sources">${view.sources.map((s) => html`<button type="button" class="locate src" data-field="${s.path}">${s.label}</button>`)}</div>
  </header>
  ${removed ? html`<p class="muted">Removed by ${view.removedBy?.author}${view.removedBy?.reason ? html`: “${view.removedBy.reason}”` : ''}.</p>` : ''}
  ${mismatchList(view.mismatches)}
  ${removed ? '' : view.fields.map((f) => fieldRow(f, sha256, csrf, disabled))}
  ${
    view.item.rationale
      ? html`<details class="rationale"><summary>Rationale text</summary><p>${view.item.rationale}</p></details>`
      : ''
  }
  ${
    removed || disabled
      ? ''
      : html`<form class="remove-item inline" method="post" action="/review/${sha256}/items/${view.index}/remove">
    <input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="author" class="author-value">
    <input name="reason" placeholder="Why remove it?" maxlength="2000" autocomplete="off" required>
    <button type="submit" class="danger subtle">Remove item</button>
  </form>`
  }
</section>`;
}

export interface ReviewPageData {
  document: DocumentRow;
  record: LetterRecord;
  text: TextDocument | null;
  view: LetterView;
  review: Review | null;
  audit: AuditEntry[];
  prev: string | null;
  next: string | null;
  code: string | undefined;
  position: { index: number; total: number } | null;
}

export function reviewPage(meta: PageMeta, d: ReviewPageData): string {
  const sha = d.record.sha256;
  const csrf = meta.csrfToken;
  const state = d.review?.state ?? 'pending';
  const closed = state !== 'pending';
  // Analysts read: no form of theirs would be accepted (403), so none is offered.
  const readOnly = meta.user?.role === 'analyst';
  const locked = closed || readOnly;
  const pageCount = Math.max(d.record.pages.length, d.text?.pages.length ?? 0, d.document.pages ?? 0);
  const sizes = new Map(d.text?.pages.map((p) => [p.page, p]) ?? []);
  const pages = Array.from({ length: pageCount }, (_, i) => {
    const n = i + 1;
    const size = sizes.get(n);
    const w = size?.width ?? 612;
    const h = size?.height ?? 792;
    const boxes = d.view.boxes.filter((b) => b.provenance.page === n);
    return html`<figure class="page" data-page="${n}" data-width="${w}" data-height="${h}">
  <img src="/review/${sha}/page/${n}" alt="Page ${n}" width="${Math.round((w * REVIEW_DPI) / 72)}" height="${Math.round((h * REVIEW_DPI) / 72)}" loading="${n <= 2 ? 'eager' : 'lazy'}">
  ${boxes.map(
    (b) =>
      html`<div class="box${b.severity ? ` sev-${b.severity}` : ''}" data-field="${b.path}" data-box="${b.provenance.box?.join(',')}" title="${b.label}"></div>`,
  )}
  <figcaption>page ${n} of ${pageCount}</figcaption>
</figure>`;
  });
  const queueHref = `/review${query({ code: d.code })}`;
  const stateBanner = closed
    ? html`<div class="banner state-${state}"><b>${state}</b> by ${d.review?.author ?? '?'}${d.review?.reason ? html`: “${d.review.reason}”` : ''} <span class="muted">${d.review?.updatedAt}</span>
      ${readOnly ? '' : html`<form class="reopen inline" method="post" action="/review/${sha}/reopen${query({ code: d.code })}"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="author" class="author-value"><button type="submit" class="subtle">Reopen</button></form>`}</div>`
    : '';
  const body = html`<main class="review-grid">
  <section class="pages-pane" id="pages" aria-label="Letter pages">
    ${pageCount === 0 ? html`<p class="muted">No pages to show.</p>` : pages}
  </section>
  <section class="form-pane" id="form-pane" aria-label="Extracted fields">
    <div class="letter-head">
      <div>
        <a class="back" href="${queueHref}">← queue${d.position ? html` <span class="muted">(${d.position.index + 1} of ${d.position.total})</span>` : ''}</a>
        <h1 title="${d.document.fileName}">${d.document.fileName}</h1>
        <div class="muted mono small">${d.record.layout ?? 'unknown layout'} · parser ${d.record.parserVersion} · ${d.record.textSource ?? ''} · <a href="/review/${sha}/pdf">PDF</a></div>
      </div>
      <nav class="pager">
        ${d.prev ? html`<a class="button" id="prev-letter" href="${reviewHref(d.prev, d.code)}" title="previous (p)">‹</a>` : html`<span class="button disabled">‹</span>`}
        ${d.next ? html`<a class="button" id="next-letter" href="${reviewHref(d.next, d.code)}" title="next (n)">›</a>` : html`<span class="button disabled">›</span>`}
      </nav>
    </div>
    ${stateBanner}
    ${
      readOnly
        ? html`<p class="muted" id="read-only">Read only: analysts see letters, reviewers correct and decide.</p>`
        : html`<div class="actions">
      <form class="approve" id="approve-form" method="post" action="/review/${sha}/approve${query({ code: d.code })}">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="author" class="author-value">
        <button type="submit" class="primary" id="approve"${closed ? html` disabled` : ''}>Approve <kbd>a</kbd></button>
      </form>
      <form class="reject" id="reject-form" method="post" action="/review/${sha}/reject${query({ code: d.code })}">
        <input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="author" class="author-value">
        <input name="reason" id="reject-reason" placeholder="Reason to reject" maxlength="2000" required autocomplete="off"${closed ? html` disabled` : ''}>
        <button type="submit" class="danger" id="reject"${closed ? html` disabled` : ''}>Reject <kbd>r</kbd></button>
      </form>
    </div>`
    }
    ${d.view.mismatches.length > 0 ? html`<section class="letter-issues"><h2>Letter</h2>${mismatchList(d.view.mismatches)}</section>` : ''}
    <section class="group">
      <h2>Fields</h2>
      ${d.view.fields.map((f) => fieldRow(f, sha, csrf, locked))}
    </section>
    <section class="group">
      <h2>Items <span class="muted">(${d.view.items.filter((i) => !i.removedBy).length})</span></h2>
      ${d.view.items.map((i) => itemCard(i, sha, csrf, locked))}
      ${
        locked
          ? ''
          : html`<details class="add-item-box"><summary>Add an item the parser missed</summary>
        <form class="add-item" id="add-item" method="post" action="/review/${sha}/items">
          <input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="author" class="author-value">
          <label>Description <input name="description" required maxlength="2000" autocomplete="off"></label>
          <label>Quantity <input name="quantity" inputmode="numeric" autocomplete="off"></label>
          <label>Decision <select name="decision"><option value="upheld">upheld</option><option value="overturned">overturned</option></select></label>
          <label class="wide">Reason <input name="reason" maxlength="2000" autocomplete="off" placeholder="Where it is in the letter"></label>
          <button type="submit" class="primary">Add item</button>
        </form>
      </details>`
      }
    </section>
    <section class="group history">
      <h2>History</h2>
      ${
        d.audit.length === 0
          ? html`<p class="muted">No review actions yet.</p>`
          : html`<ol>${d.audit.map(
              (a) =>
                html`<li><span class="muted mono">${a.createdAt}</span> <b>${a.action}</b> ${a.author ? html`by ${a.author}` : ''} ${describeDetail(a.detail)}</li>`,
            )}</ol>`
      }
    </section>
  </section>
</main>
<script type="application/json" id="review-data">${jsonForScript({
    sha256: sha,
    next: d.next ? reviewHref(d.next, d.code) : null,
    prev: d.prev ? reviewHref(d.prev, d.code) : null,
    queue: queueHref,
    state,
  })}</script>`;
  return layout(meta, body);
}

function describeDetail(detail: unknown): Html {
  if (!detail || typeof detail !== 'object') return html``;
  const d = detail as Record<string, unknown>;
  const parts: Html[] = [];
  if (typeof d.field === 'string') parts.push(html`<code>${d.field}</code>`);
  if ('value' in d) parts.push(html`→ <span class="mono">${formatValue(d.value) || '(empty)'}</span>`);
  if (typeof d.reason === 'string' && d.reason) parts.push(html`“${d.reason}”`);
  return html`${parts.map((p) => html`${p} `)}`;
}

export function goldPage(meta: PageMeta, scores: readonly GoldScore[]): string {
  const rows = scores.map(
    (s) => html`<tr>
  <td class="mono">${s.parserVersion}</td>
  <td class="num">${s.letters}</td>
  <td class="num">${s.fields}</td>
  <td class="num">${s.correct}</td>
  <td class="acc"><meter min="0" max="1" low="0.9" high="0.98" optimum="1" value="${s.accuracy}"></meter> <b>${(s.accuracy * 100).toFixed(1)}%</b></td>
</tr>`,
  );
  return layout(
    meta,
    html`<main class="narrow">
  <div class="page-head">
    <h1>Gold accuracy</h1>
    <p class="muted">Field accuracy of each parser version's machine values against the letters QA approved (their corrected records are the truth).</p>
  </div>
  ${
    scores.length === 0
      ? html`<div class="empty"><h2>No approved letters yet</h2><p class="muted">Approve letters in the <a href="/review">review queue</a> to build the gold set.</p></div>`
      : html`<table class="grid"><thead><tr><th>parser version</th><th class="num">letters</th><th class="num">fields</th><th class="num">correct</th><th>accuracy</th></tr></thead><tbody>${rows}</tbody></table>`
  }
</main>`,
  );
}

export function errorPage(meta: PageMeta, status: number, message: string): string {
  return layout(
    meta,
    html`<main class="narrow"><h1>${status}</h1><p>${message}</p><p><a href="/review">Review queue</a></p></main>`,
  );
}

/**
 * The answer to a request refused at the door (access token, host, CSRF): a bare page, without the
 * layout's navigation and reviewer box, since the caller is not let in; a 401 asks for the token.
 */
export function deniedPage(status: 401 | 403, message: string): string {
  const tokenForm =
    status === 401
      ? html`<form method="get" class="token-form"><label>Access token <input type="password" name="token" autocomplete="current-password" autofocus></label> <button>Open</button></form>`
      : '';
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status}</title><link rel="stylesheet" href="/static/app.css"></head><body class="narrow"><h1>${status}</h1><p>${message}</p>${tokenForm}</body></html>`
    .value;
}
