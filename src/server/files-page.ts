import type { IntakeFile, IntakeState } from '../../schemas/document.js';
import { html, query } from './html.js';
import { layout, type PageMeta } from './pages.js';
import { CSRF_FIELD } from './security.js';

/** The states as intake staff read them, in the order a file goes through them. */
export const STATE_LABELS: Record<IntakeState, string> = {
  queued: 'queued',
  extracting: 'extracting',
  done: 'done',
  needs_review: 'needs review',
  failed: 'failed',
  duplicate: 'duplicate',
};

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Where the file is now, relative to nothing: the folder's last part and the name are what staff know. */
function whereOf(f: IntakeFile): string {
  if (f.settledTo === null) return 'intake folder';
  if (f.settledTo === 'missing') return 'missing (moved or removed by hand)';
  return f.settledTo;
}

export function filesPage(
  meta: PageMeta,
  files: readonly IntakeFile[],
  state: IntakeState | undefined,
  retried: IntakeFile | null,
): string {
  const chips = (Object.keys(STATE_LABELS) as IntakeState[]).map(
    (s) =>
      html`<a class="chip${s === state ? ' active' : ''}" href="/files${query({ state: s })}" data-state-filter="${s}">${STATE_LABELS[s]}</a>`,
  );
  const rows = files.map((f) => {
    const link =
      f.status === 'done' || f.status === 'needs_review'
        ? html`<a class="button" href="/review/${f.sha256}">${f.status === 'needs_review' ? 'Review' : 'Record'}</a>`
        : '';
    const retry =
      f.state === 'failed'
        ? html`<form method="post" action="/files/${f.sha256}/retry" class="inline"><input type="hidden" name="${CSRF_FIELD}" value="${meta.csrfToken}"><input type="hidden" name="state" value="${state ?? ''}"><button type="submit" class="primary">Retry</button></form>`
        : '';
    const stateCell =
      f.state === 'duplicate'
        ? html`duplicate of <b>${f.duplicateOf}</b> <span class="muted">(${f.status.replace('_', ' ')})</span>`
        : STATE_LABELS[f.state];
    return html`<tr class="file-row" data-sha="${f.sha256}" data-state="${f.state}">
  <td class="mono">${f.ingestedAt.replace('T', ' ').slice(0, 19)}</td>
  <td class="file">${f.name}<div class="muted mono">${f.sha256.slice(0, 12)}</div></td>
  <td class="num">${sizeOf(f.size)}</td>
  <td class="state">${stateCell}</td>
  <td class="error">${f.state === 'failed' ? html`<code class="code">${f.errorCode}</code> <span class="message">${f.errorMessage}</span>` : ''}</td>
  <td class="muted">${whereOf(f)}</td>
  <td>${link}${retry}</td>
</tr>`;
  });
  return layout(
    meta,
    html`<main class="narrow wide">
  <div class="page-head">
    <h1>Files</h1>
    <p class="muted">Every file taken in, newest first${state ? html`, in state <b>${STATE_LABELS[state]}</b>` : ''}: ${files.length} shown.</p>
  </div>
  ${retried ? html`<p class="notice" id="retried" role="status">Retrying <b>${retried.name}</b>: it is queued again from its stored bytes.</p>` : ''}
  <nav class="chips" aria-label="Filter by state"><a class="chip${state ? '' : ' active'}" href="/files" data-state-filter="">all</a>${chips}</nav>
  ${
    files.length === 0
      ? html`<div class="empty"><h2>No files</h2><p class="muted">Nothing taken in${state ? ' in this state' : ''} yet.</p></div>`
      : html`<table class="grid files"><thead><tr><th>taken in (UTC)</th><th>file</th><th class="num">size</th><th>state</th><th>error</th><th>where</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
  }
</main>`,
  );
}
