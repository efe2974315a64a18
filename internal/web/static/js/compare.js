// The "compare two months" page: GetCostAndUsageComparisons by group, with
// the difference, and GetCostComparisonDrivers for the group picked in the
// table. The view lives in the URL (/compare?baseline=2025-01&comparison=
// 2025-02&metric=UnblendedCost&group=SERVICE&selected=...), so it can be
// shared.
import { h, replace, notice, addMonths, monthStart, ymd, parseYMD } from './dom.js';
import * as money from './money.js';
import { DIMENSIONS, METRICS, dimensionLabel, metricLabel } from './dims.js';

const GROUPS = ['SERVICE', 'LINKED_ACCOUNT', 'REGION', 'USAGE_TYPE', 'RECORD_TYPE', 'PURCHASE_TYPE', 'INSTANCE_TYPE', 'OPERATION'];

/** DRIVER_NAMES says what each driver type of GetCostComparisonDrivers means. */
export const DRIVER_NAMES = {
  USAGE_CHANGE: 'Usage change',
  RATE_CHANGE: 'Rate change',
  RESERVATION_USAGE: 'Reserved Instance coverage',
  SAVINGS_PLAN_USAGE: 'Savings Plans coverage',
  CREDIT: 'Credits',
  REFUND: 'Refunds',
  TAX: 'Tax',
  BUNDLED_DISCOUNT: 'Bundled discount',
  RECURRING_RESERVATION_FEE: 'Reservation recurring fee',
  UPFRONT_RESERVATION_FEE: 'Reservation upfront fee',
  SUPPORT_FEE: 'Support fee',
  SAVINGS_PLAN_RECURRING_FEE: 'Savings Plans recurring fee',
  COMMITMENT: 'Commitment purchase',
  OUT_OF_CYCLE_CHARGE: 'Out-of-cycle charge',
  RI_VOLUME_DISCOUNT: 'RI volume discount',
  OTHER: 'Other',
};

const month = (d) => ymd(d).slice(0, 7);

/** readState reads the view from a query string; months default to the two before today's. */
export function readState(search, today) {
  const q = new URLSearchParams(search);
  const last = addMonths(monthStart(today), -1);
  const ok = (m) => /^\d{4}-\d\d$/.test(m || '');
  return {
    baseline: ok(q.get('baseline')) ? q.get('baseline') : month(addMonths(last, -1)),
    comparison: ok(q.get('comparison')) ? q.get('comparison') : month(last),
    metric: METRICS.some(([k]) => k === q.get('metric')) ? q.get('metric') : 'UnblendedCost',
    group: q.get('group') || 'SERVICE',
    selected: q.get('selected') || '',
  };
}

/** writeState is the query string of a view. */
export function writeState(st) {
  const q = new URLSearchParams({ baseline: st.baseline, comparison: st.comparison, metric: st.metric, group: st.group });
  if (st.selected) q.set('selected', st.selected);
  return '?' + q.toString();
}

/** interval is the DateInterval of a whole month "2025-01". */
export function interval(m) {
  const start = parseYMD(`${m}-01`);
  return { Start: ymd(start), End: ymd(addMonths(start, 1)) };
}

/** groupKey reads the value of a comparison's selector. */
function groupKey(sel) {
  const leaf = sel && (sel.Dimensions || sel.Tags || sel.CostCategories);
  return leaf ? leaf.Values[0] : '';
}

function amounts(m) {
  return { base: money.parse(m.BaselineTimePeriodAmount), comp: money.parse(m.ComparisonTimePeriodAmount),
    diff: money.parse(m.Difference), unit: m.Unit };
}

function pct(a) {
  if (a.base === 0n) return a.comp === 0n ? '0%' : 'new';
  const p = (money.toNumber(a.diff) / Math.abs(money.toNumber(a.base))) * 100;
  return `${p > 0 ? '+' : ''}${p.toFixed(1)}%`;
}

function signed(v, unit) {
  const s = money.format(v, unit);
  return v > 0n ? '+' + s : s;
}

/** render draws the page into main. */
export async function render(app, main) {
  const token = Symbol('compare-page');
  main.pageToken = token;
  const alive = () => main.pageToken === token;
  const st = readState(location.search, app.today());
  const go = (patch) => app.navigate('/compare' + writeState({ ...st, ...patch }), { replace: true });
  const monthInput = (id, value, label) => h('label', { className: 'field' }, h('span', {}, label),
    h('input', { type: 'month', value, 'data-testid': id, 'aria-label': label,
      onchange: (ev) => { if (ev.target.value) go({ [id === 'compare-baseline' ? 'baseline' : 'comparison']: ev.target.value, selected: '' }); } }));
  const select = (id, value, opts, onchange) => {
    const s = h('select', { 'data-testid': id, onchange: (ev) => onchange(ev.target.value) },
      opts.map(([v, l]) => h('option', { value: v }, l)));
    s.value = value;
    return s;
  };
  const tableBox = h('section', {}, h('div', { className: 'muted loading' }, 'Comparing…'));
  const driversBox = h('section', { className: 'drivers', 'data-testid': 'drivers-box' });
  replace(main,
    h('div', { className: 'page-head' }, h('h1', {}, 'Compare two months'),
      h('p', { className: 'muted' }, 'The change of each group between a baseline month and a comparison month, largest change first. Pick a group to see what drove its change: usage, rates, commitments, credits, refunds and fees.')),
    h('div', { className: 'controls' },
      monthInput('compare-baseline', st.baseline, 'Baseline month'),
      monthInput('compare-comparison', st.comparison, 'Comparison month'),
      h('label', { className: 'field' }, h('span', {}, 'Metric'), select('compare-metric', st.metric, METRICS, (v) => go({ metric: v, selected: '' }))),
      h('label', { className: 'field' }, h('span', {}, 'Group by'), select('compare-group', st.group,
        GROUPS.map((k) => [k, dimensionLabel(k)]).filter(([k]) => DIMENSIONS.some(([d]) => d === k)), (v) => go({ group: v, selected: '' })))),
    tableBox, driversBox);
  main.dataset.ready = 'false';
  const request = {
    BaselineTimePeriod: interval(st.baseline), ComparisonTimePeriod: interval(st.comparison), MetricForComparison: st.metric,
    GroupBy: [{ Type: 'DIMENSION', Key: st.group }],
  };
  let rows, total;
  try {
    const pages = [];
    let tok;
    do {
      const resp = await app.client.call('ce', 'GetCostAndUsageComparisons', tok ? { ...request, NextPageToken: tok } : request);
      pages.push(resp);
      tok = resp.NextPageToken;
    } while (tok && pages.length < 50);
    rows = pages.flatMap((p) => p.CostAndUsageComparisons || []).map((c) => ({ key: groupKey(c.CostAndUsageSelector), ...amounts(c.Metrics[st.metric]) }));
    total = amounts(pages[0].TotalCostAndUsage[st.metric]);
  } catch (e) {
    if (!alive()) return;
    replace(tableBox, notice('error', e.notImplemented ? 'This server does not compare months yet.' : `${e.type}: ${e.message}`));
    main.dataset.ready = 'true';
    return;
  }
  if (!alive()) return;
  const head = ['', `${st.baseline}`, `${st.comparison}`, 'Difference', 'Change'];
  replace(tableBox,
    h('div', { className: 'summary' },
      h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, `${metricLabel(st.metric)}, ${st.baseline}`),
        h('div', { className: 'stat-value', 'data-testid': 'total-baseline', 'data-amount': money.plain(total.base) }, money.format(total.base, total.unit))),
      h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, st.comparison),
        h('div', { className: 'stat-value', 'data-testid': 'total-comparison', 'data-amount': money.plain(total.comp) }, money.format(total.comp, total.unit))),
      h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, 'Difference'),
        h('div', { className: `stat-value ${total.diff > 0n ? 'up' : total.diff < 0n ? 'down' : ''}`, 'data-testid': 'total-difference',
          'data-amount': money.plain(total.diff) }, `${signed(total.diff, total.unit)} (${pct(total)})`))),
    rows.length === 0 ? notice('info', 'Neither month has cost or usage in your data.') : h('div', { className: 'table-box' }, h('div', { className: 'scroll' },
      h('table', { className: 'data compare', 'data-testid': 'compare-table' },
        h('thead', {}, h('tr', {}, head.map((t, i) => h('th', { className: i ? 'num' : 'sticky' }, i ? t : dimensionLabel(st.group))))),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-key': r.key, className: r.key === st.selected ? 'selected' : '', tabIndex: 0,
          title: 'Show the drivers of this change', onclick: () => go({ selected: r.key }),
          onkeydown: (ev) => { if (ev.key === 'Enter') go({ selected: r.key }); } },
        h('th', { className: 'sticky' }, r.key || '(none)'),
        h('td', { className: 'num', 'data-amount': money.plain(r.base) }, money.format(r.base, r.unit)),
        h('td', { className: 'num', 'data-amount': money.plain(r.comp) }, money.format(r.comp, r.unit)),
        h('td', { className: `num ${r.diff > 0n ? 'up' : r.diff < 0n ? 'down' : ''}`, 'data-amount': money.plain(r.diff) }, signed(r.diff, r.unit)),
        h('td', { className: 'num muted' }, pct(r))))),
        h('tfoot', {}, h('tr', {}, h('th', { className: 'sticky' }, 'Total'),
          h('td', { className: 'num', 'data-amount': money.plain(total.base) }, money.format(total.base, total.unit)),
          h('td', { className: 'num', 'data-amount': money.plain(total.comp) }, money.format(total.comp, total.unit)),
          h('td', { className: 'num', 'data-amount': money.plain(total.diff) }, signed(total.diff, total.unit)),
          h('td', { className: 'num' }, pct(total))))))));
  const picked = rows.find((r) => r.key === st.selected);
  if (!picked) {
    replace(driversBox, rows.length ? h('p', { className: 'muted' }, 'Pick a row to see the drivers of its change.') : null);
    main.dataset.ready = 'true';
    return;
  }
  replace(driversBox, h('h2', {}, `Drivers of ${picked.key}`), h('div', { className: 'muted loading' }, 'Finding drivers…'));
  let entries;
  try {
    entries = await app.client.all('ce', 'GetCostComparisonDrivers', {
      BaselineTimePeriod: request.BaselineTimePeriod, ComparisonTimePeriod: request.ComparisonTimePeriod, MetricForComparison: st.metric,
      GroupBy: request.GroupBy, Filter: { Dimensions: { Key: st.group, Values: [picked.key] } },
    }, 'CostComparisonDrivers', { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 500 });
  } catch (e) {
    if (!alive()) return;
    replace(driversBox, h('h2', {}, `Drivers of ${picked.key}`), notice('error', `${e.type}: ${e.message}`));
    main.dataset.ready = 'true';
    return;
  }
  if (!alive()) return;
  drawDrivers(driversBox, picked, entries, st);
  main.dataset.ready = 'true';
}

/** flatten lists every driver of the entries with its service and usage type, largest impact first. */
export function flatten(entries, metric) {
  const out = [];
  for (const e of entries) {
    const sel = {};
    for (const part of (e.CostSelector && e.CostSelector.And) || [e.CostSelector]) {
      if (part && part.Dimensions) sel[part.Dimensions.Key] = part.Dimensions.Values[0];
    }
    for (const d of e.CostDrivers || []) {
      const m = d.Metrics[metric];
      const usage = d.Metrics.UsageQuantity;
      out.push({ type: d.Type, name: d.Name, service: sel.SERVICE || '', usageType: sel.USAGE_TYPE || '', ...amounts(m),
        usage: usage ? amounts(usage) : null });
    }
  }
  const abs = (v) => (v < 0n ? -v : v);
  out.sort((a, b) => (abs(b.diff) > abs(a.diff) ? 1 : abs(b.diff) < abs(a.diff) ? -1 : 0));
  return out;
}

function drawDrivers(box, picked, entries, st) {
  const drivers = flatten(entries, st.metric);
  const added = money.sum(drivers.map((d) => d.diff));
  const byType = new Map();
  for (const d of drivers) byType.set(d.type, (byType.get(d.type) || 0n) + d.diff);
  const unit = picked.unit;
  replace(box,
    h('h2', {}, `Drivers of ${picked.key}`, ' ', h('span', { className: 'muted' }, `${st.baseline} → ${st.comparison}`)),
    h('p', { className: added === picked.diff ? 'muted' : 'error-text', 'data-testid': 'drivers-sum', 'data-amount': money.plain(added) },
      `${drivers.length} driver${drivers.length === 1 ? '' : 's'} add up to ${signed(added, unit)}`,
      added === picked.diff ? ', the whole difference.' : `, but the difference is ${signed(picked.diff, unit)}.`),
    h('div', { className: 'driver-types', 'data-testid': 'driver-types' }, [...byType.entries()].map(([t, v]) =>
      h('span', { className: `badge ${v > 0n ? 'badge-bad' : 'badge-ok'}`, 'data-type': t, 'data-amount': money.plain(v) },
        `${DRIVER_NAMES[t] || t} ${signed(v, unit)}`))),
    drivers.length === 0 ? notice('info', 'Nothing changed.') : h('div', { className: 'table-box' }, h('div', { className: 'scroll' },
      h('table', { className: 'data', 'data-testid': 'drivers-table' },
        h('thead', {}, h('tr', {}, ['Driver', 'Service', 'Usage type / charge', 'Usage', 'Impact'].map((t, i) =>
          h('th', { className: i >= 3 ? 'num' : '' }, t)))),
        h('tbody', {}, drivers.slice(0, 200).map((d) => h('tr', { 'data-type': d.type },
          h('td', { title: d.type }, DRIVER_NAMES[d.type] || d.type),
          h('td', { className: 'wrap' }, d.service),
          h('td', { className: 'wrap' }, d.name, d.name !== d.usageType && d.usageType && d.usageType !== 'NoUsageType' ? h('span', { className: 'muted' }, ` · ${d.usageType}`) : null),
          h('td', { className: 'num muted wrap' }, d.usage ? `${money.fixed(d.usage.base)} → ${money.fixed(d.usage.comp)} ${d.usage.unit !== 'N/A' ? d.usage.unit : ''}` : ''),
          h('td', { className: `num ${d.diff > 0n ? 'up' : d.diff < 0n ? 'down' : ''}`, 'data-amount': money.plain(d.diff) }, signed(d.diff, unit)))))))),
    drivers.length > 200 ? h('p', { className: 'muted' }, `The 200 largest of ${drivers.length} drivers are shown; the sum above counts them all.`) : null);
}
