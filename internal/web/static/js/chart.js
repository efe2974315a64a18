// Hand-drawn SVG charts: stacked bars (negative amounts stack below zero,
// as credits do) or lines, with optional overlay lines (a budget limit) and
// a tooltip that lists every value of the hovered period.
import { h } from './dom.js';
import { compact } from './money.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** PALETTE colours series in order; the last colour is for "Others". */
export const PALETTE = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16',
  '#f97316', '#6366f1', '#9ca3af'];

/**
 * niceTicks returns about n round tick values covering [lo, hi]. A negative
 * lo too small to draw (float residue of credits that cancel, under 0.1% of
 * hi) does not pull the axis below zero.
 */
export function niceTicks(lo, hi, n = 5) {
  if (lo < 0 && hi > 0 && -lo < hi * 1e-3) lo = 0;
  if (lo === hi) {
    if (hi === 0) return [0, 1];
    lo = Math.min(0, lo);
    hi = Math.max(0, hi);
  }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => st >= raw) || 10 * mag;
  const first = Math.floor(lo / step) * step;
  const ticks = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/**
 * chart draws labels (one per period) against series ({name, color,
 * values: number[]}) as stacked bars (mode "bar") or lines (mode "line"),
 * plus overlay lines ({name, color, values, dashed}). format(value) prints
 * a value for the tooltip; unit labels the axis.
 */
export function chart({ labels, series, overlays = [], mode = 'bar', unit = 'USD', format = String, height = 320,
  title = 'chart' }) {
  const W = 1000;
  const H = height;
  const m = { l: 72, r: 16, t: 14, b: 44 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const n = labels.length;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    if (mode === 'bar') {
      let pos = 0;
      let neg = 0;
      for (const se of series) {
        const v = se.values[i] || 0;
        if (v >= 0) pos += v; else neg += v;
      }
      hi = Math.max(hi, pos);
      lo = Math.min(lo, neg);
    } else {
      for (const se of series) {
        hi = Math.max(hi, se.values[i] || 0);
        lo = Math.min(lo, se.values[i] || 0);
      }
    }
    for (const o of overlays) {
      hi = Math.max(hi, o.values[i] || 0);
      lo = Math.min(lo, o.values[i] || 0);
    }
  }
  const ticks = niceTicks(lo, hi);
  const y0 = ticks[0];
  const y1 = ticks[ticks.length - 1];
  const y = (v) => m.t + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
  const band = pw / Math.max(n, 1);
  const xMid = (i) => m.l + band * i + band / 2;

  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart-svg' });
  const grid = s('g', { class: 'grid' });
  for (const t of ticks) {
    grid.append(s('line', { x1: m.l, x2: W - m.r, y1: y(t), y2: y(t), class: t === 0 ? 'zero' : '' }));
    grid.append(s('text', { x: m.l - 8, y: y(t) + 4, 'text-anchor': 'end', class: 'axis' }, compact(t, unit)));
  }
  svg.append(grid);
  const every = labelStep(labels, band);
  for (let i = 0; i < n; i += every) {
    svg.append(s('text', { x: xMid(i), y: H - m.b + 18, 'text-anchor': 'middle', class: 'axis' }, labels[i]));
  }

  const plot = s('g', { class: 'plot' });
  if (mode === 'bar') {
    const bw = Math.max(2, Math.min(band * 0.68, 120));
    for (let i = 0; i < n; i++) {
      let pos = 0;
      let neg = 0;
      for (const se of series) {
        const v = se.values[i] || 0;
        if (!v) continue;
        const from = v >= 0 ? pos : neg;
        const to = from + v;
        if (v >= 0) pos = to; else neg = to;
        plot.append(s('rect', { x: xMid(i) - bw / 2, width: bw, y: Math.min(y(from), y(to)),
          height: Math.max(0.5, Math.abs(y(from) - y(to))), fill: se.color, 'data-series': se.name, 'data-index': i }));
      }
    }
  } else {
    for (const se of series) drawLine(plot, se, n, xMid, y, false);
  }
  for (const o of overlays) drawLine(plot, o, n, xMid, y, o.dashed);
  svg.append(plot);

  const cursor = s('rect', { class: 'cursor', y: m.t, height: ph, width: band, x: -band, visibility: 'hidden' });
  svg.insertBefore(cursor, plot);
  const tip = h('div', { className: 'tooltip', hidden: true, role: 'tooltip' });
  const wrap = h('div', { className: 'chart' }, svg, tip);
  const hits = s('g', { class: 'hits' });
  for (let i = 0; i < n; i++) {
    const r = s('rect', { x: m.l + band * i, y: m.t, width: band, height: ph, fill: 'transparent', 'data-index': i,
      class: 'hit' });
    r.addEventListener('mouseenter', (ev) => show(i, ev));
    r.addEventListener('mousemove', (ev) => place(ev));
    hits.append(r);
  }
  svg.append(hits);
  svg.addEventListener('mouseleave', () => {
    tip.hidden = true;
    cursor.setAttribute('visibility', 'hidden');
  });

  function show(i, ev) {
    cursor.setAttribute('x', m.l + band * i);
    cursor.setAttribute('visibility', 'visible');
    const rows = [...series, ...overlays]
      .map((se) => ({ se, v: se.values[i] || 0 }))
      .filter((r) => r.v !== 0 || overlays.includes(r.se));
    rows.sort((a, b) => (overlays.includes(a.se) - overlays.includes(b.se)) || b.v - a.v);
    const total = series.reduce((acc, se) => acc + (se.values[i] || 0), 0);
    tip.replaceChildren(...[
      h('div', { className: 'tip-title' }, labels[i]),
      ...rows.slice(0, 14).map((r) => h('div', { className: 'tip-row' },
        h('span', { className: 'swatch', style: { background: r.se.color } }),
        h('span', { className: 'tip-name' }, r.se.name),
        h('span', { className: 'tip-value' }, format(r.v, r.se)))),
      rows.length > 14 ? h('div', { className: 'tip-more' }, `and ${rows.length - 14} more`) : null,
      series.length > 1 ? h('div', { className: 'tip-row tip-total' }, h('span', { className: 'tip-name' }, 'Total'),
        h('span', { className: 'tip-value' }, format(total))) : null,
    ].filter(Boolean));
    tip.hidden = false;
    tip.dataset.index = i;
    place(ev);
  }

  function place(ev) {
    const box = wrap.getBoundingClientRect();
    const x = ev.clientX - box.left;
    const left = x + 16 + tip.offsetWidth > box.width ? x - 16 - tip.offsetWidth : x + 16;
    tip.style.left = `${Math.max(0, left)}px`;
    tip.style.top = `${Math.max(0, ev.clientY - box.top - 20)}px`;
  }

  return wrap;
}

/**
 * labelStep returns how many periods apart x-axis labels must be so that
 * they do not overlap: the longest label's width (about 7.5 units a
 * character at the axis font size) plus a gap, against the band per period.
 */
export function labelStep(labels, band) {
  const longest = labels.reduce((m, l) => Math.max(m, String(l).length), 0);
  const need = longest * 7.5 + 16;
  return Math.max(1, Math.ceil(need / Math.max(band, 1)));
}

function drawLine(g, se, n, xMid, y, dashed) {
  const pts = [];
  for (let i = 0; i < n; i++) pts.push(`${xMid(i)},${y(se.values[i] || 0)}`);
  g.append(s('polyline', { points: pts.join(' '), fill: 'none', stroke: se.color, 'stroke-width': 2.5,
    'stroke-dasharray': dashed ? '8 6' : undefined, 'data-series': se.name }));
  if (n <= 62) {
    for (let i = 0; i < n; i++) {
      g.append(s('circle', { cx: xMid(i), cy: y(se.values[i] || 0), r: 3.5, fill: se.color, 'data-series': se.name,
        'data-index': i }));
    }
  }
}

/** legend lists series names with their colours. */
export function legend(series) {
  return h('ul', { className: 'legend' }, series.map((se) => h('li', {},
    h('span', { className: 'swatch', style: { background: se.color } }), se.name)));
}
