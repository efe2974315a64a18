// Small DOM helpers: the app builds elements with h() rather than HTML
// strings, so no value from the API is ever parsed as markup.

/**
 * h creates an element. attrs may hold properties (className, value, ...),
 * "on<event>" handlers, "data-*"/"aria-*" attributes and "style" objects;
 * children are nodes, strings or arrays of them (null and false are skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'for' || k === 'role' || k === 'list') el.setAttribute(k, v === true ? '' : v);
    else if (k in el) el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** clear empties an element and appends children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** notice builds a message box: kind is info, warn or error. */
export function notice(kind, ...children) {
  return h('div', { className: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** ymd formats a Date as its UTC calendar day, 2024-01-31. */
export function ymd(d) {
  return d.toISOString().slice(0, 10);
}

/** parseYMD reads 2024-01-31 as midnight UTC. */
export function parseYMD(s) {
  return new Date(`${s.slice(0, 10)}T00:00:00Z`);
}

/** addDays, addMonths shift a UTC date. */
export function addDays(d, n) {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + n));
}
export function addMonths(d, n) {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1));
}

/** monthStart returns the first day of d's UTC month. */
export function monthStart(d) {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

/** dateTime shows a timestamp (Date, ISO string or epoch seconds) in UTC. */
export function dateTime(v) {
  if (v === undefined || v === null || v === '') return '—';
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
  if (isNaN(d)) return String(v);
  return d.toISOString().replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

/** debounce delays fn until calls stop for ms. */
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
