// Small DOM and formatting helpers: no framework, no inline markup (the page's CSP allows no inline style or script).

/** h('tr', { class: 'x', onclick: fn, dataset: { id } }, child, [children], 'text') */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** Runs `task` now and `ms` after each run ends (never two at once) until the returned stop is called. */
export function every(ms, task) {
  let stopped = false;
  let timer;
  const tick = async () => {
    if (stopped) return;
    try {
      await task();
    } finally {
      if (!stopped) timer = setTimeout(tick, ms);
    }
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Keeps which `<details>` are open across a re-render, by their `data-key`. */
export function openKeys(root) {
  return new Set([...root.querySelectorAll('details[open][data-key]')].map((d) => d.dataset.key));
}

export const fmt = {
  number: (n, digits = 0) =>
    n === null || n === undefined || Number.isNaN(Number(n)) ? '–' : Number(n).toLocaleString('en', { maximumFractionDigits: digits }),
  percent: (n) => (n === null || n === undefined ? '–' : `${Number(n).toLocaleString('en', { maximumFractionDigits: 1 })} %`),
  duration(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
    return `${(ms / 3_600_000).toFixed(1)} h`;
  },
  seconds: (s) => (s === null || s === undefined ? '–' : fmt.duration(Number(s) * 1000)),
  time(iso) {
    if (!iso) return '–';
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().replace('T', ' ').slice(0, 19);
  },
  json: (value) => JSON.stringify(value, null, 2),
};

/** A table from column specs `{ label, value: (row) => node|string, class? }`. */
export function table(columns, rows, { empty = 'Nothing here.', rowAttrs } = {}) {
  if (rows.length === 0) return h('p', { class: 'muted empty', text: empty });
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { class: c.class, text: c.label })),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          rowAttrs?.(row) ?? {},
          columns.map((c) => h('td', { class: c.class }, c.value(row))),
        ),
      ),
    ),
  );
}

export function jsonBlock(label, value) {
  return h('div', { class: 'json' }, h('h4', { text: label }), h('pre', { text: fmt.json(value) }));
}

/** A progress bar with its figures, `done` of `total`. */
export function progressBar(done, total) {
  // No total (a store that cannot count ahead, EventStoreDB): an indeterminate bar and the count so far.
  if (total === null || total === undefined)
    return h('span', { class: 'progress' }, h('progress', {}), h('span', { text: `${fmt.number(done)} applied` }));
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0;
  return h(
    'span',
    { class: 'progress' },
    h('progress', { max: total > 0 ? total : 1, value: total > 0 ? done : 0 }),
    h('span', { text: `${fmt.number(done)} / ${fmt.number(total)} (${pct.toFixed(1)} %)` }),
  );
}

/**
 * A page's frame: title, tools, a status line (last refresh or the error of the last one) and a
 * body. `live(ms, load)` refreshes until the page is left; a failed refresh keeps what was shown.
 */
export function page(root, title, describe, ...tools) {
  const status = h('span', { class: 'status muted' });
  const error = h('div', { class: 'error', role: 'alert', hidden: true });
  const flash = h('div', { class: 'flash', role: 'status', hidden: true });
  const body = h('div', { class: 'body' });
  replace(
    root,
    h('div', { class: 'page-head' }, h('h1', { text: title }), h('div', { class: 'tools' }, tools), status),
    error,
    flash,
    body,
  );
  return {
    body,
    ok() {
      error.hidden = true;
      status.textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
    },
    fail(failure) {
      error.hidden = false;
      error.textContent = describe(failure);
      error.dataset.code = failure?.code ?? '';
    },
    flash(message, kind = 'ok') {
      flash.hidden = false;
      flash.className = `flash ${kind}`;
      flash.textContent = message;
    },
    live(ms, load) {
      return every(ms, async () => {
        try {
          await load();
          this.ok();
        } catch (failure) {
          this.fail(failure);
        }
      });
    },
  };
}
