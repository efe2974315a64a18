// The Cost Explorer page: a period, a granularity, a metric, a group-by and
// filters, drawn as a stacked bar (or line) chart over a table with totals.
// The whole view lives in the URL, so a link shares it.
import { h, replace, notice, ymd, parseYMD, addDays, addMonths, monthStart } from './dom.js';
import { DIMENSIONS, METRICS, dimensionLabel, metricLabel } from './dims.js';
import { filterEditor, toExpression, valueLabel } from './filters.js';
import { chart, legend, PALETTE } from './chart.js';
import * as money from './money.js';
import { summarize, fetchNotifications, headline } from './budgets.js';

/** PRESETS are the relative date ranges, resolved against the server's today. */
export const PRESETS = [
  ['this-month', 'This month to date'],
  ['last-month', 'Last month'],
  ['last-3-months', 'Last 3 months'],
  ['last-6-months', 'Last 6 months'],
  ['last-12-months', 'Last 12 months'],
  ['year-to-date', 'Year to date'],
  ['last-7-days', 'Last 7 days'],
  ['last-30-days', 'Last 30 days'],
  ['custom', 'Custom range'],
];

const DEFAULTS = { range: 'last-6-months', granularity: 'MONTHLY', metric: 'UnblendedCost', group: 'DIMENSION:SERVICE',
  chart: 'bar' };

/**
 * resolveRange turns a preset into [start, end) days (end exclusive, as the
 * API takes it). "Last N months" are N calendar months, this one included.
 */
export function resolveRange(range, today, start, end) {
  const t = parseYMD(ymd(today));
  const tomorrow = addDays(t, 1);
  const ms = monthStart(t);
  const months = /^last-(\d+)-months$/.exec(range);
  switch (true) {
    case range === 'this-month': return [ms, tomorrow];
    case range === 'last-month': return [addMonths(ms, -1), ms];
    case !!months: return [addMonths(ms, 1 - Number(months[1])), tomorrow];
    case range === 'year-to-date': return [new Date(Date.UTC(t.getUTCFullYear(), 0, 1)), tomorrow];
    case range === 'last-7-days': return [addDays(t, -6), tomorrow];
    case range === 'last-30-days': return [addDays(t, -29), tomorrow];
  }
  const s = /^\d{4}-\d{2}-\d{2}$/.test(start || '') ? parseYMD(start) : addMonths(ms, -5);
  const e = /^\d{4}-\d{2}-\d{2}$/.test(end || '') ? parseYMD(end) : tomorrow;
  return e > s ? [s, e] : [s, addDays(s, 1)];
}

/** readState reads the view from a query string. */
export function readState(search) {
  const p = new URLSearchParams(search);
  let filters = [];
  try {
    const raw = JSON.parse(p.get('filter') || '[]');
    filters = raw.filter((f) => Array.isArray(f) && f.length === 4).map(([op, type, key, values]) => ({
      op: op === 'exclude' ? 'exclude' : 'include', type: ['TAG', 'COST_CATEGORY'].includes(type) ? type : 'DIMENSION', key: String(key),
      values: (Array.isArray(values) ? values : []).map(String) }));
  } catch { /* a mangled filter parameter is dropped */ }
  const pick = (name, allowed) => {
    const v = p.get(name);
    return v && (!allowed || allowed.includes(v)) ? v : DEFAULTS[name];
  };
  return {
    range: pick('range', PRESETS.map(([k]) => k)),
    start: p.get('start') || '',
    end: p.get('end') || '',
    granularity: pick('granularity', ['DAILY', 'MONTHLY', 'HOURLY']),
    metric: pick('metric', METRICS.map(([k]) => k)),
    group: p.get('group') ?? DEFAULTS.group,
    chart: pick('chart', ['bar', 'line']),
    filters,
  };
}

/** writeState renders the view as a query string. */
export function writeState(st) {
  const p = new URLSearchParams();
  p.set('range', st.range);
  if (st.range === 'custom') {
    p.set('start', st.start);
    p.set('end', st.end);
  }
  p.set('granularity', st.granularity);
  p.set('metric', st.metric);
  p.set('group', st.group);
  p.set('chart', st.chart);
  if (st.filters.length) p.set('filter', JSON.stringify(st.filters.map((f) => [f.op, f.type, f.key, f.values])));
  return p.toString();
}

/** bucketLabel names a period for the chart and the table header. */
function bucketLabel(start, granularity) {
  const d = new Date(start.length === 10 ? `${start}T00:00:00Z` : start);
  const mon = d.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
  if (granularity === 'MONTHLY') return `${mon} ${d.getUTCFullYear()}`;
  if (granularity === 'DAILY') return `${mon} ${String(d.getUTCDate()).padStart(2, '0')}`;
  return `${mon} ${String(d.getUTCDate()).padStart(2, '0')} ${String(d.getUTCHours()).padStart(2, '0')}:00`;
}

/**
 * periodsElapsed counts a range's buckets in units of the granularity, a
 * bucket cut short by the range or not over yet counting for the part that
 * has passed (today counts whole): two days into a 31-day month are 2/31 of
 * a month, so "average per month" does not take them for a whole month.
 */
export function periodsElapsed(buckets, granularity, now) {
  const cap = granularity === 'HOURLY' ? Math.ceil(now.getTime() / 3600000) * 3600000
    : Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  let n = 0;
  for (const b of buckets) {
    const start = Date.parse(b.start);
    const end = Math.min(Date.parse(b.end), cap);
    if (!(end > start)) continue;
    let unit = granularity === 'DAILY' ? 86400000 : 3600000;
    if (granularity === 'MONTHLY') {
      const d = new Date(start);
      unit = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
    n += (end - start) / unit;
  }
  return n;
}

/**
 * tabulate turns GetCostAndUsage pages into rows of exact amounts per
 * period: {buckets, rows: [{key, label, amounts: BigInt[], total}], unit}.
 */
export function tabulate(pages, st) {
  const byStart = new Map();
  const attrs = new Map();
  for (const page of pages) {
    for (const a of page.DimensionValueAttributes || []) attrs.set(a.Value, a.Attributes || {});
    for (const r of page.ResultsByTime || []) {
      const b = byStart.get(r.TimePeriod.Start) || { start: r.TimePeriod.Start, end: r.TimePeriod.End, estimated: false,
        groups: [], total: null };
      b.estimated = b.estimated || !!r.Estimated;
      b.groups.push(...(r.Groups || []));
      if (r.Total && r.Total[st.metric]) b.total = r.Total[st.metric];
      byStart.set(r.TimePeriod.Start, b);
    }
  }
  const buckets = [...byStart.values()].sort((a, b) => (a.start < b.start ? -1 : 1));
  const [gtype, ...gk] = st.group ? st.group.split(':') : [''];
  const gkey = gk.join(':');
  const rows = new Map();
  let unit = '';
  const row = (key, label) => {
    if (!rows.has(key)) rows.set(key, { key, label, amounts: buckets.map(() => 0n) });
    return rows.get(key);
  };
  buckets.forEach((b, i) => {
    if (!st.group) {
      const m = b.total || { Amount: '0', Unit: '' };
      unit = unit || m.Unit;
      row('Total', metricLabel(st.metric)).amounts[i] += money.parse(m.Amount);
      return;
    }
    for (const g of b.groups) {
      const m = g.Metrics[st.metric];
      if (!m) continue;
      unit = unit || m.Unit;
      const key = g.Keys[0];
      let label = key;
      if (gtype === 'TAG') {
        const v = key.slice(key.indexOf('$') + 1);
        label = v === '' ? `(no ${gkey} tag)` : v;
      } else if (gtype === 'COST_CATEGORY') {
        const v = key.startsWith(`${gkey}$`) ? key.slice(gkey.length + 1) : key;
        label = v === '' ? `(no ${gkey} value)` : v;
      } else if (gtype === 'DIMENSION' && attrs.get(key)?.description) {
        label = `${key} (${attrs.get(key).description})`;
      }
      row(key, label).amounts[i] += money.parse(m.Amount);
    }
  });
  const list = [...rows.values()].map((r) => ({ ...r, total: money.sum(r.amounts) }));
  list.sort((a, b) => (b.total > a.total ? 1 : b.total < a.total ? -1 : a.label.localeCompare(b.label)));
  return { buckets, rows: list, unit: unit === 'N/A' ? '' : unit || 'USD', rawUnit: unit };
}

/** csv renders the table as CSV with exact amounts. */
export function csv(table, st, groupHeader) {
  const q = (v) => `"${String(v).replace(/"/g, '""')}"`;
  const lines = [[groupHeader, ...table.buckets.map((b) => b.start), 'Total'].map(q).join(',')];
  for (const r of table.rows) lines.push([q(r.label), ...r.amounts.map(money.plain), money.plain(r.total)].join(','));
  if (st.group) {
    const cols = table.buckets.map((_, i) => money.sum(table.rows.map((r) => r.amounts[i])));
    lines.push([q('Total'), ...cols.map(money.plain), money.plain(money.sum(cols))].join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** render draws the page into main. */
export function render(app, main) {
  const st = readState(location.search);
  const [start, end] = resolveRange(st.range, app.today(), st.start, st.end);
  const apiStart = ymd(start);
  const apiEnd = ymd(end);
  const period = st.granularity === 'HOURLY'
    ? { Start: `${apiStart}T00:00:00Z`, End: `${apiEnd}T00:00:00Z` } : { Start: apiStart, End: apiEnd };

  // Hourly data reaches back 14 days (under the aws profile), so switching
  // to it narrows a longer range to the last 7 days.
  const hourlyRange = (g) => (g === 'HOURLY' && end - start > 14 * 86400000 ? { granularity: g, range: 'last-7-days' } : { granularity: g });
  const commit = (patch) => {
    const next = { ...st, ...patch };
    if (patch.range && patch.range !== 'custom') {
      next.start = '';
      next.end = '';
    }
    if (patch.range === 'custom' && !st.start) {
      next.start = apiStart;
      next.end = apiEnd;
    }
    app.navigate(`/explorer?${writeState(next)}`);
  };

  const select = (label, testid, value, options, onchange) => h('label', { className: 'control' },
    h('span', { className: 'control-label' }, label),
    (() => {
      const sel = h('select', { 'data-testid': testid, onchange: (ev) => onchange(ev.target.value) },
        options.map(([v, l]) => (Array.isArray(l) ? h('optgroup', { label: v }, l.map(([v2, l2]) => h('option', { value: v2 }, l2)))
          : h('option', { value: v }, l))));
      sel.value = value;
      return sel;
    })());

  const groupSel = select('Group by', 'group-by', st.group, [
    ['', 'No grouping'],
    ['Dimensions', DIMENSIONS.map(([k, l]) => [`DIMENSION:${k}`, l])],
  ], (v) => commit({ group: v }));
  const groupSelect = groupSel.querySelector('select');
  const tagOptions = h('optgroup', { label: 'Tags' });
  groupSelect.append(tagOptions);
  if (st.group.startsWith('TAG:')) {
    tagOptions.append(h('option', { value: st.group }, `Tag: ${st.group.slice(4)}`));
    groupSelect.value = st.group;
  }
  const categoryOptions = h('optgroup', { label: 'Cost categories' });
  groupSelect.append(categoryOptions);
  if (st.group.startsWith('COST_CATEGORY:')) {
    categoryOptions.append(h('option', { value: st.group }, `Cost category: ${st.group.slice('COST_CATEGORY:'.length)}`));
    groupSelect.value = st.group;
  }

  const inclusiveEnd = ymd(addDays(end, -1));
  const custom = h('span', { className: 'custom-range', hidden: st.range !== 'custom' },
    h('input', { type: 'date', value: apiStart, 'aria-label': 'Start date', 'data-testid': 'start-date',
      onchange: (ev) => ev.target.value && commit({ range: 'custom', start: ev.target.value, end: apiEnd }) }),
    '–',
    h('input', { type: 'date', value: inclusiveEnd, 'aria-label': 'End date (inclusive)', 'data-testid': 'end-date',
      onchange: (ev) => ev.target.value && commit({ range: 'custom', start: apiStart, end: ymd(addDays(parseYMD(ev.target.value), 1)) }) }));

  const controls = h('div', { className: 'controls' },
    select('Date range', 'range', st.range, PRESETS, (v) => commit({ range: v })),
    custom,
    h('span', { className: 'range-text', 'data-testid': 'range-text' }, `${apiStart} to ${inclusiveEnd}`),
    h('div', { className: 'seg', role: 'group', 'aria-label': 'Granularity' },
      ['DAILY', 'MONTHLY', 'HOURLY'].map((g) => h('button', { type: 'button', className: st.granularity === g ? 'on' : '',
        'aria-pressed': String(st.granularity === g), 'data-testid': `granularity-${g.toLowerCase()}`,
        onclick: () => commit(hourlyRange(g)) }, g[0] + g.slice(1).toLowerCase()))),
    select('Metric', 'metric', st.metric, METRICS, (v) => commit({ metric: v })),
    groupSel,
    h('div', { className: 'seg', role: 'group', 'aria-label': 'Chart style' },
      [['bar', 'Bars'], ['line', 'Lines']].map(([c, l]) => h('button', { type: 'button', className: st.chart === c ? 'on' : '',
        'aria-pressed': String(st.chart === c), 'data-testid': `chart-${c}`, onclick: () => commit({ chart: c }) }, l))),
  );

  const filters = filterEditor({
    filters: st.filters,
    onChange: (f) => commit({ filters: f }),
    tagKeys: () => tagKeys(),
    categoryNames: () => categoryNames(),
    values: async (type, key, search) => {
      if (type === 'COST_CATEGORY') {
        const vals = await app.client.all('ce', 'GetCostCategories', { TimePeriod: { Start: apiStart, End: apiEnd }, CostCategoryName: key,
          ...(search ? { SearchString: search } : {}) }, 'CostCategoryValues', { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
        return vals.map((v) => ({ value: v, label: valueLabel('COST_CATEGORY', v) }));
      }
      if (type === 'TAG') {
        const tags = await app.client.all('ce', 'GetTags', { TimePeriod: { Start: apiStart, End: apiEnd }, TagKey: key,
          ...(search ? { SearchString: search } : {}) }, 'Tags', { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
        return tags.map((v) => ({ value: v, label: valueLabel('TAG', v) }));
      }
      const vals = await app.client.all('ce', 'GetDimensionValues', { TimePeriod: { Start: apiStart, End: apiEnd },
        Dimension: key, Context: 'COST_AND_USAGE', ...(search ? { SearchString: search } : {}) }, 'DimensionValues',
      { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
      return vals.map((v) => ({ value: v.Value,
        label: v.Attributes?.description ? `${v.Value} (${v.Attributes.description})` : v.Value }));
    },
  });

  let categoryNamesPromise;
  function categoryNames() {
    categoryNamesPromise ||= app.client.all('ce', 'GetCostCategories', { TimePeriod: { Start: apiStart, End: apiEnd } }, 'CostCategoryNames',
      { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
    return categoryNamesPromise;
  }
  categoryNames().then((names) => {
    for (const n of names) {
      if (`COST_CATEGORY:${n}` !== st.group) categoryOptions.append(h('option', { value: `COST_CATEGORY:${n}` }, `Cost category: ${n}`));
    }
    groupSelect.value = st.group;
  }).catch(() => {});

  let tagKeysPromise;
  function tagKeys() {
    tagKeysPromise ||= app.client.all('ce', 'GetTags', { TimePeriod: { Start: apiStart, End: apiEnd } }, 'Tags',
      { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
    return tagKeysPromise;
  }
  const quick = h('div', { className: 'quick', 'data-testid': 'quick-views' });
  const drawQuick = (keys) => {
    const view = (label, patch) => {
      const next = { ...DEFAULTS, start: '', end: '', filters: [], ...patch };
      return h('a', { href: `/explorer?${writeState(next)}`, 'data-link': '', className: 'quick-link' }, label);
    };
    const team = keys.find((k) => /team/i.test(k));
    replace(quick, h('span', { className: 'filters-label' }, 'Quick views'),
      view('This month by service', { range: 'this-month' }),
      view('Last month by account', { range: 'last-month', group: 'DIMENSION:LINKED_ACCOUNT' }),
      team ? view(`EC2 last month by ${team}`, { range: 'last-month', group: `TAG:${team}`,
        filters: [{ op: 'include', type: 'DIMENSION', key: 'SERVICE', values: ['Amazon Elastic Compute Cloud - Compute'] }] }) : null,
      keys.filter((k) => k !== team).slice(0, 3).map((k) => view(`Last month by ${k}`, { range: 'last-month', group: `TAG:${k}` })),
      view('Daily, last 30 days', { range: 'last-30-days', granularity: 'DAILY' }));
  };
  drawQuick([]);
  tagKeys().then((keys) => {
    drawQuick(keys);
    for (const k of keys) {
      if (`TAG:${k}` !== st.group) tagOptions.append(h('option', { value: `TAG:${k}` }, `Tag: ${k}`));
    }
    groupSelect.value = st.group;
  }).catch(() => {});

  const summary = h('div', { className: 'summary', 'data-testid': 'summary' });
  const chartBox = h('div', { className: 'chart-box', 'data-testid': 'chart' }, h('div', { className: 'muted loading' }, 'Loading costs…'));
  const tableBox = h('div', { className: 'table-box' });
  const budgetsBox = h('div', { className: 'budget-strip' });
  replace(main,
    h('div', { className: 'page-head' }, h('h1', {}, 'Cost Explorer'), budgetsBox),
    quick, controls, filters, summary, chartBox, tableBox);
  main.dataset.ready = 'false';

  budgetStrip(app, budgetsBox);
  load().finally(() => { main.dataset.ready = 'true'; });

  async function load() {
    const input = { TimePeriod: period, Granularity: st.granularity, Metrics: [st.metric] };
    if (st.group) {
      const [type, ...k] = st.group.split(':');
      input.GroupBy = [{ Type: type, Key: k.join(':') }];
    }
    const filter = toExpression(st.filters);
    if (filter) input.Filter = filter;
    let pages;
    try {
      pages = [];
      let token;
      do {
        const resp = await app.client.call('ce', 'GetCostAndUsage', token ? { ...input, NextPageToken: token } : input);
        pages.push(resp);
        token = resp.NextPageToken;
      } while (token && pages.length < 200);
    } catch (e) {
      replace(chartBox, notice('error', h('strong', {}, `${e.type}: `), e.message));
      replace(tableBox);
      return;
    }
    const table = tabulate(pages, st);
    draw(table);
    if (table.rows.every((r) => r.total === 0n)) dataHint();
  }

  function draw(table) {
    const groupHeader = !st.group ? 'Metric' : st.group.startsWith('TAG:') ? `Tag: ${st.group.slice(4)}`
      : st.group.startsWith('COST_CATEGORY:') ? `Cost category: ${st.group.slice('COST_CATEGORY:'.length)}`
      : dimensionLabel(st.group.slice('DIMENSION:'.length));
    const fmt = (v) => money.format(v, table.unit);
    const labels = table.buckets.map((b) => bucketLabel(b.start, st.granularity));
    const total = money.sum(table.rows.map((r) => r.total));
    const estimated = table.buckets.some((b) => b.estimated);
    const periods = periodsElapsed(table.buckets, st.granularity, app.today());
    const average = periods > 0 ? total * 1000000000n / BigInt(Math.max(1, Math.round(periods * 1e9))) : null;
    const unitName = st.granularity === 'MONTHLY' ? 'month' : st.granularity === 'DAILY' ? 'day' : 'hour';
    replace(summary,
      h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, `Total ${metricLabel(st.metric).toLowerCase()}`),
        h('div', { className: 'stat-value', 'data-testid': 'total', 'data-amount': money.plain(total) }, fmt(total))),
      h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, `Average per ${unitName}`),
        h('div', { className: 'stat-value', 'data-testid': 'average', 'data-amount': average === null ? '' : money.plain(average),
          title: `${periods.toFixed(2)} ${unitName}s have passed in this range` },
          average === null ? '—' : fmt(average))),
      h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, st.group ? `${groupHeader} values` : 'Periods'),
        h('div', { className: 'stat-value' }, String(st.group ? table.rows.length : table.buckets.length))),
      estimated ? h('div', { className: 'badge badge-warn', title: 'Some of these periods are not final: their invoice is not issued yet' },
        'Includes estimated costs') : null);

    // The chart shows the nine largest groups and the rest as "Others".
    const top = table.rows.slice(0, table.rows.length > 10 ? 9 : 10);
    const series = top.map((r, i) => ({ name: r.label, color: PALETTE[i], values: r.amounts.map(money.toNumber) }));
    if (table.rows.length > 10) {
      const rest = table.rows.slice(9);
      series.push({ name: `Others (${rest.length})`, color: PALETTE[10],
        values: table.buckets.map((_, i) => money.toNumber(money.sum(rest.map((r) => r.amounts[i])))) });
    }
    replace(chartBox,
      chart({ labels, series, mode: st.chart, unit: table.unit, title: `${metricLabel(st.metric)} by ${groupHeader}`,
        format: (v) => money.format(money.parse(v.toFixed(10)), table.unit) }),
      legend(series));

    const colTotals = table.buckets.map((_, i) => money.sum(table.rows.map((r) => r.amounts[i])));
    const cell = (v, cls) => h('td', { className: `num ${cls || ''}`, 'data-amount': money.plain(v) }, fmt(v));
    const download = h('button', { type: 'button', className: 'btn', 'data-testid': 'download-csv', onclick: () => {
      const blob = new Blob([csv(table, st, groupHeader)], { type: 'text/csv' });
      const a = h('a', { href: URL.createObjectURL(blob), download: `tally-${st.metric}-${apiStart}-to-${apiEnd}.csv` });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } }, 'Download CSV');
    replace(tableBox,
      h('div', { className: 'table-head' }, h('h2', {}, `${metricLabel(st.metric)} by ${groupHeader[0].toLowerCase()}${groupHeader.slice(1)}`),
        h('span', { className: 'spacer' }), download),
      table.rows.length === 0 ? notice('info', 'No costs in this period with these filters.') :
        h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'cost-table' },
          h('thead', {}, h('tr', {}, h('th', { className: 'sticky' }, groupHeader),
            table.buckets.map((b, i) => h('th', { className: 'num', title: `${b.start} to ${b.end}${b.estimated ? ' (estimated)' : ''}` },
              labels[i], b.estimated ? h('sup', { className: 'est' }, '*') : null)),
            h('th', { className: 'num' }, 'Total'))),
          h('tbody', {}, table.rows.map((r, ri) => h('tr', { 'data-key': r.key },
            h('th', { className: 'sticky', scope: 'row' },
              ri < series.length && !(table.rows.length > 10 && ri >= 9) ? h('span', { className: 'swatch', style: { background: PALETTE[ri] } }) : null,
              r.label),
            r.amounts.map((a) => cell(a)), cell(r.total, 'strong')))),
          st.group ? h('tfoot', {}, h('tr', { 'data-key': '__total' }, h('th', { className: 'sticky', scope: 'row' }, 'Total'),
            colTotals.map((a) => cell(a)), cell(money.sum(colTotals), 'strong'))) : null)),
      estimated ? h('p', { className: 'muted small' }, '* Estimated: the billing period is not final yet.') : null);
  }

  async function dataHint() {
    try {
      const data = await app.client.get('/ui/api/data');
      const months = data.periods.map((p) => p.month).sort();
      if (months.length === 0) {
        chartBox.prepend(notice('info', 'No billing data has been ingested yet. Load exports with ',
          h('code', {}, 'tally ingest <files>'), ' — see the ', h('a', { href: '/data', 'data-link': '' }, 'Data'), ' page.'));
        return;
      }
      const first = months[0];
      const last = months[months.length - 1];
      const s = `${first}-01`;
      const e = ymd(addMonths(parseYMD(`${last}-01`), 1));
      if (s === apiStart && e === apiEnd) return;
      chartBox.prepend(notice('info', `No costs in this range. The stored billing data covers ${first} to ${last}. `,
        h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'show-data-range',
          onclick: () => commit({ range: 'custom', start: s, end: e }) }, 'Show that range')));
    } catch { /* the hint is optional */ }
  }
}

/**
 * budgetStrip summarises the account's budgets next to the page title, by
 * the rule of the Budgets page (summarize).
 */
async function budgetStrip(app, box) {
  try {
    const acct = await app.account();
    const resp = await app.client.call('budgets', 'DescribeBudgets', { AccountId: acct.accountId, MaxResults: 100 });
    const budgets = resp.Budgets || [];
    if (budgets.length === 0) return;
    const s = summarize(budgets, await fetchNotifications(app, acct.accountId, budgets));
    const cls = s.alarms || s.over ? 'badge-bad' : s.forecast ? 'badge-warn' : 'badge-ok';
    replace(box, h('a', { href: '/budgets', 'data-link': '', className: `badge ${cls}`, 'data-testid': 'budget-strip' }, headline(s)));
  } catch { /* Budgets may not be available: the strip stays empty */ }
}
