// Behaviour of the imr-pipeline pages (served as a file: the CSP allows no inline script).
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const page = document.body.dataset.page;
  const csrf = $('meta[name="csrf-token"]')?.content ?? '';

  // --- reviewer name: remembered in localStorage and a cookie (the server falls back to the cookie) ---
  const authorInput = $('#author');
  const AUTHOR_KEY = 'imr.author';
  const saveAuthor = (name) => {
    localStorage.setItem(AUTHOR_KEY, name);
    // biome-ignore lint/suspicious/noDocumentCookie: a plain cookie is all this needs
    document.cookie = `imr_author=${encodeURIComponent(name)}; path=/; max-age=31536000; samesite=strict`;
  };
  // Read-only when signed in: the server names the author, the box only shows who that is.
  if (authorInput && !authorInput.readOnly) {
    authorInput.value = localStorage.getItem(AUTHOR_KEY) ?? '';
    authorInput.addEventListener('input', () => {
      saveAuthor(authorInput.value.trim());
      authorInput.classList.remove('missing');
    });
  }
  const author = () => authorInput?.value.trim() ?? '';

  // --- toast and help ---
  const toast = $('#toast');
  let toastTimer;
  const say = (message, isError = false) => {
    if (!toast) return;
    toast.textContent = message;
    toast.classList.toggle('error', isError);
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      toast.hidden = true;
    }, 4000);
  };
  const help = $('#help');
  const toggleHelp = (show = help?.hidden) => {
    if (help) help.hidden = !show;
  };
  $('#help-btn')?.addEventListener('click', () => toggleHelp(true));
  help?.addEventListener('click', (e) => {
    if (e.target === help || e.target.closest('[data-close]')) toggleHelp(false);
  });

  const typing = (el) =>
    el instanceof HTMLElement &&
    (el.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName));

  // --- posting forms as JSON, with the CSRF token ---
  async function post(form) {
    if (!author()) {
      authorInput?.classList.add('missing');
      authorInput?.focus();
      say('Type your name in the Reviewer box first.', true);
      return null;
    }
    const body = { author: author() };
    for (const [k, v] of new FormData(form)) {
      if (k !== '_csrf' && k !== 'author') body[k] = v;
    }
    const res = await fetch(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      say(data.error ?? `The server answered ${res.status}.`, true);
      return null;
    }
    return data;
  }

  const scrollKey = () => `imr.scroll.${location.pathname}`;
  const reloadKeepingPlace = () => {
    sessionStorage.setItem(
      scrollKey(),
      JSON.stringify({ pages: $('#pages')?.scrollTop ?? 0, form: $('#form-pane')?.scrollTop ?? 0 }),
    );
    location.reload();
  };

  if (page === 'queue') initQueue();
  if (page === 'review') initReview();

  function initQueue() {
    const rows = $$('tr.qrow');
    let current = -1;
    const choose = (i) => {
      if (rows.length === 0) return;
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows.forEach((r, j) => {
        r.classList.toggle('selected', j === current);
      });
      rows[current].scrollIntoView({ block: 'nearest' });
    };
    for (const row of rows) {
      row.addEventListener('click', (e) => {
        if (!e.target.closest('a')) location.href = row.dataset.href;
      });
    }
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (e.key === '?') toggleHelp();
      else if (e.key === 'Escape') toggleHelp(false);
      else if (e.key === 'j') choose(current + 1);
      else if (e.key === 'k') choose(current - 1);
      else if ((e.key === 'Enter' || e.key === 'o' || e.key === 'n') && rows.length > 0) {
        location.href = rows[Math.max(current, 0)].dataset.href;
      } else return;
      e.preventDefault();
    });
  }

  function initReview() {
    const data = JSON.parse($('#review-data')?.textContent ?? '{}');
    const pagesPane = $('#pages');
    const formPane = $('#form-pane');

    // Provenance boxes are in PDF points (top-left origin): placed as percentages of the page.
    for (const fig of $$('figure.page')) {
      const w = Number(fig.dataset.width);
      const h = Number(fig.dataset.height);
      for (const box of $$('.box', fig)) {
        const [x0, y0, x1, y1] = box.dataset.box.split(',').map(Number);
        const pad = 1.5;
        box.style.left = `${((x0 - pad) / w) * 100}%`;
        box.style.top = `${((y0 - pad) / h) * 100}%`;
        box.style.width = `${((x1 - x0 + 2 * pad) / w) * 100}%`;
        box.style.height = `${((y1 - y0 + 2 * pad) / h) * 100}%`;
      }
    }

    const saved = sessionStorage.getItem(scrollKey());
    if (saved) {
      sessionStorage.removeItem(scrollKey());
      const { pages: p, form: f } = JSON.parse(saved);
      const restore = () => {
        if (pagesPane) pagesPane.scrollTop = p;
        if (formPane) formPane.scrollTop = f;
      };
      restore();
      window.addEventListener('load', restore, { once: true });
    }

    const fieldRows = $$('form.field');
    let selected = null;
    const esc = (s) => (window.CSS?.escape ? CSS.escape(s) : s.replace(/"/g, '\\"'));

    /** Highlights a field's box (scrolled into view) and its row. */
    function select(path, { scrollPage = true, scrollForm = false } = {}) {
      selected = path;
      for (const b of $$('.box.active')) b.classList.remove('active');
      for (const r of $$('form.field.selected')) r.classList.remove('selected');
      const boxes = $$(`.box[data-field="${esc(path)}"]`);
      for (const b of boxes) b.classList.add('active');
      pagesPane?.classList.toggle('focusing', boxes.length > 0);
      if (boxes[0] && scrollPage) boxes[0].scrollIntoView({ block: 'center', behavior: 'smooth' });
      const row = $(`form.field[data-field="${esc(path)}"]`);
      row?.classList.add('selected');
      if (row && scrollForm) row.scrollIntoView({ block: 'center', behavior: 'smooth' });
      return { boxes, row };
    }
    function clearSelection() {
      selected = null;
      for (const b of $$('.box.active')) b.classList.remove('active');
      for (const r of $$('form.field.selected')) r.classList.remove('selected');
      pagesPane?.classList.remove('focusing');
    }

    // Click a box: its field is selected and focused.
    pagesPane?.addEventListener('click', (e) => {
      const box = e.target.closest('.box');
      if (!box) return;
      const path = box.dataset.field;
      const { row } = select(path, { scrollPage: false, scrollForm: true });
      const input = row ? $('.value', row) : $(`.locate[data-field="${esc(path)}"]`);
      input?.focus({ preventScroll: true });
      if (!row && input) input.scrollIntoView({ block: 'center', behavior: 'smooth' });
    });

    // Focus or click a field: its box is highlighted and scrolled into view.
    formPane?.addEventListener('focusin', (e) => {
      const row = e.target.closest('form.field');
      if (row && row.dataset.field !== selected) select(row.dataset.field);
    });
    formPane?.addEventListener('click', (e) => {
      const locate = e.target.closest('.locate');
      if (locate) {
        select(locate.dataset.field);
        return;
      }
      const row = e.target.closest('form.field');
      if (row && !e.target.closest('input, select, button')) select(row.dataset.field);
    });

    // Edits: a changed value shows the reason box and Save.
    for (const row of fieldRows) {
      const input = $('.value', row);
      const save = $('.save', row);
      const sync = () => {
        const dirty = input.value !== row.dataset.initial;
        row.classList.toggle('dirty', dirty);
        if (save) save.hidden = !dirty;
      };
      input?.addEventListener('input', sync);
      input?.addEventListener('change', sync);
      input?.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
          input.value = row.dataset.initial;
          sync();
          input.blur();
        }
      });
      $('.cancel', row)?.addEventListener('click', () => {
        input.value = row.dataset.initial;
        sync();
      });
    }

    // Every form on the page posts as JSON.
    document.addEventListener('submit', async (e) => {
      const form = e.target;
      if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
      e.preventDefault();
      const buttons = $$('button', form);
      for (const b of buttons) b.disabled = true;
      try {
        const result = await post(form);
        if (!result) return;
        if (result.next) location.href = result.next;
        else reloadKeepingPlace();
      } catch {
        say('Could not reach the server.', true);
      } finally {
        for (const b of buttons) b.disabled = false;
      }
    });

    const go = (href) => {
      if (href) location.href = href;
    };
    const move = (step) => {
      if (fieldRows.length === 0) return;
      const at = fieldRows.findIndex((r) => r.dataset.field === selected);
      const next =
        at < 0
          ? step > 0
            ? 0
            : fieldRows.length - 1
          : Math.max(0, Math.min(fieldRows.length - 1, at + step));
      select(fieldRows[next].dataset.field, { scrollForm: true });
    };

    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (typing(e.target)) {
        if (e.key === 'Escape') e.target.blur();
        return;
      }
      switch (e.key) {
        case 'a':
          if (!$('#approve')?.disabled) $('#approve-form')?.requestSubmit();
          break;
        case 'r':
          $('#reject-reason')?.focus();
          break;
        case 'n':
          go(data.next);
          break;
        case 'p':
          go(data.prev);
          break;
        case 'u':
          go(data.queue);
          break;
        case 'j':
          move(1);
          break;
        case 'k':
          move(-1);
          break;
        case 'e':
        case 'Enter': {
          const row = selected && $(`form.field[data-field="${esc(selected)}"]`);
          if (!row) return;
          $('.value', row)?.focus();
          break;
        }
        case '?':
          toggleHelp();
          break;
        case 'Escape':
          if (help && !help.hidden) toggleHelp(false);
          else clearSelection();
          break;
        default:
          return;
      }
      e.preventDefault();
    });
  }

  // Help and Escape on pages without their own key handling.
  if (page !== 'queue' && page !== 'review') {
    document.addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (e.key === '?') toggleHelp();
      else if (e.key === 'Escape') toggleHelp(false);
    });
  }
})();
