// The cost anomalies page: what Tally's anomaly detection found (see
// internal/anomaly) for the caller's monitors, on a timeline and in a list
// with each anomaly's impact and root causes, and the YES / NO / PLANNED
// feedback that GetAnomalies and the alerts read back.
import { h, replace, notice, ymd, addDays } from './dom.js';

const usd = (n) => (n < 0 ? '-$' : '$') + Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const FEEDBACK = [['YES', 'Anomaly'], ['NO', 'Not an anomaly'], ['PLANNED_ACTIVITY', 'Planned']];

/** render draws the page into main. */
export async function render(app, main) {
  const token = Symbol('anomalies-page');
  main.pageToken = token;
  const alive = () => main.pageToken === token;
  const params = new URLSearchParams(location.search);
  const state = { monitor: params.get('monitor') || '', min: params.get('min') ?? '100', days: Number(params.get('days') || 90) };
  const box = h('section', {}, h('div', { className: 'muted loading' }, 'Loading anomalies…'));
  replace(main,
    h('div', { className: 'page-head' }, h('h1', {}, 'Cost anomalies'),
      h('p', { className: 'muted' }, 'Spend that departs from each monitored series\' own weekly pattern, found after every ingest. The impact is actual less expected spend; the root causes split it by service, account, Region and usage type.')),
    box);
  main.dataset.ready = 'false';
  let monitors;
  try {
    monitors = await app.client.all('ce', 'GetAnomalyMonitors', {}, 'AnomalyMonitors', { inToken: 'NextPageToken', outToken: 'NextPageToken' });
  } catch (e) {
    replace(box, notice('error', `${e.type}: ${e.message}`));
    main.dataset.ready = 'true';
    return;
  }
  if (!alive()) return;
  await draw();

  async function draw(message) {
    main.dataset.ready = 'false';
    if (monitors.length === 0) {
      replace(box, message || null, notice('info', 'No anomaly monitor yet. An AWS services monitor watches the spend of every service.'),
        h('button', { type: 'button', className: 'btn btn-primary', 'data-testid': 'create-service-monitor', onclick: createServiceMonitor },
          'Create an AWS services monitor'));
      main.dataset.ready = 'true';
      return;
    }
    const end = app.today();
    const start = addDays(end, -state.days);
    const input = { DateInterval: { StartDate: ymd(start), EndDate: ymd(end) }, MaxResults: 100 };
    if (state.monitor) input.MonitorArn = state.monitor;
    if (state.min !== '' && Number(state.min) > 0) input.TotalImpact = { NumericOperator: 'GREATER_THAN_OR_EQUAL', StartValue: Number(state.min) };
    let list;
    try {
      list = await app.client.all('ce', 'GetAnomalies', input, 'Anomalies', { inToken: 'NextPageToken', outToken: 'NextPageToken' });
    } catch (e) {
      if (!alive()) return;
      replace(box, notice('error', `${e.type}: ${e.message}`));
      main.dataset.ready = 'true';
      return;
    }
    if (!alive()) return;
    list.sort((a, b) => (b.AnomalyStartDate || '').localeCompare(a.AnomalyStartDate || '') || b.Impact.TotalImpact - a.Impact.TotalImpact);
    const names = Object.fromEntries(monitors.map((m) => [m.MonitorArn, m.MonitorName]));
    const total = list.reduce((s, a) => s + (a.Impact.TotalImpact || 0), 0);
    replace(box,
      h('div', { className: 'summary' },
        h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, 'Anomalies'), h('div', { className: 'stat-value', 'data-testid': 'anomaly-count' }, String(list.length))),
        h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, 'Total impact'), h('div', { className: 'stat-value', 'data-testid': 'anomaly-impact' }, usd(total))),
        h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, 'Monitors'), h('div', { className: 'stat-value' }, String(monitors.length)))),
      message || null,
      controls(),
      timeline(list, start, end),
      list.length === 0 ? notice('info', 'No anomaly in this range at this impact.') : table(list, names));
    main.dataset.ready = 'true';
  }

  function controls() {
    const sel = h('select', { 'aria-label': 'Monitor', 'data-testid': 'anomaly-monitor', onchange: (ev) => { state.monitor = ev.target.value; update(); } },
      h('option', { value: '' }, 'All monitors'), monitors.map((m) => h('option', { value: m.MonitorArn }, m.MonitorName)));
    sel.value = state.monitor;
    const min = h('input', { type: 'number', min: '0', step: '10', value: state.min, 'aria-label': 'Minimum total impact in USD', 'data-testid': 'anomaly-min',
      onchange: (ev) => { state.min = ev.target.value; update(); } });
    const days = h('select', { 'aria-label': 'Range', onchange: (ev) => { state.days = Number(ev.target.value); update(); } },
      [[30, 'Last 30 days'], [90, 'Last 90 days'], [365, 'Last 12 months']].map(([v, l]) => h('option', { value: String(v) }, l)));
    days.value = String(state.days);
    return h('div', { className: 'controls' }, sel, h('label', {}, 'Impact at least $', min), days);
  }

  function update() {
    const q = new URLSearchParams();
    if (state.monitor) q.set('monitor', state.monitor);
    q.set('min', state.min);
    q.set('days', String(state.days));
    history.replaceState(null, '', `/anomalies?${q}`);
    draw();
  }

  async function createServiceMonitor() {
    try {
      await app.client.call('ce', 'CreateAnomalyMonitor', { AnomalyMonitor: { MonitorName: 'AWS services', MonitorType: 'DIMENSIONAL', MonitorDimension: 'SERVICE' } });
      monitors = await app.client.all('ce', 'GetAnomalyMonitors', {}, 'AnomalyMonitors', { inToken: 'NextPageToken', outToken: 'NextPageToken' });
      draw(notice('info', 'Created the AWS services monitor; it has looked at the whole history.'));
    } catch (e) {
      draw(notice('error', `${e.type}: ${e.message}`));
    }
  }

  async function feedback(a, value) {
    try {
      await app.client.call('ce', 'ProvideAnomalyFeedback', { AnomalyId: a.AnomalyId, Feedback: value });
      draw(notice('info', value === 'NO'
        ? `Marked "not an anomaly": alerts on ${a.DimensionValue} now need more than twice this impact.`
        : 'Feedback saved.'));
    } catch (e) {
      draw(notice('error', `${e.type}: ${e.message}`));
    }
  }

  function table(list, names) {
    const rows = [];
    for (const a of list) {
      const im = a.Impact;
      const causes = h('tr', { className: 'causes', hidden: true },
        h('td', { colSpan: 7 }, rootCauses(a)));
      const toggle = h('button', { type: 'button', className: 'btn btn-small', 'aria-expanded': 'false',
        onclick: () => { causes.hidden = !causes.hidden; toggle.setAttribute('aria-expanded', String(!causes.hidden)); } }, 'Root causes');
      rows.push(h('tr', { 'data-testid': 'anomaly-row', 'data-id': a.AnomalyId },
        h('th', {}, h('div', {}, a.DimensionValue), h('div', { className: 'muted small' }, names[a.MonitorArn] || a.MonitorArn)),
        h('td', {}, a.AnomalyStartDate === a.AnomalyEndDate ? a.AnomalyStartDate : `${a.AnomalyStartDate} – ${a.AnomalyEndDate}`),
        h('td', { className: 'num', 'data-testid': 'anomaly-total-impact', 'data-amount': String(im.TotalImpact) }, usd(im.TotalImpact),
          im.TotalImpactPercentage !== undefined ? h('div', { className: 'muted small' }, `+${im.TotalImpactPercentage.toFixed(0)}%`) : h('div', { className: 'muted small' }, 'new spend')),
        h('td', { className: 'num' }, usd(im.TotalActualSpend ?? 0), h('div', { className: 'muted small' }, `expected ${usd(im.TotalExpectedSpend ?? 0)}`)),
        h('td', { className: 'num' }, (a.AnomalyScore.MaxScore ?? 0).toFixed(1)),
        h('td', {}, h('div', { className: 'feedback', role: 'group', 'aria-label': 'Feedback' },
          FEEDBACK.map(([v, label]) => h('button', { type: 'button', className: `btn btn-small${a.Feedback === v ? ' btn-primary' : ''}`,
            'aria-pressed': String(a.Feedback === v), 'data-testid': `feedback-${v}`, onclick: () => feedback(a, v) }, label)))),
        h('td', {}, toggle)));
      rows.push(causes);
    }
    return h('table', { className: 'data', 'data-testid': 'anomaly-table' },
      h('thead', {}, h('tr', {}, ['Series', 'Days', 'Total impact', 'Actual', 'Max score', 'Feedback', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows));
  }

  function rootCauses(a) {
    if (!a.RootCauses || a.RootCauses.length === 0) return h('div', { className: 'muted' }, 'No single line explains it.');
    return h('table', { className: 'data compact', 'data-testid': 'root-causes' },
      h('thead', {}, h('tr', {}, ['Service', 'Account', 'Region', 'Usage type', 'Contribution'].map((c) => h('th', {}, c)))),
      h('tbody', {}, a.RootCauses.map((rc) => h('tr', {},
        h('td', {}, rc.Service || ''), h('td', {}, rc.LinkedAccountName ? `${rc.LinkedAccountName} (${rc.LinkedAccount})` : rc.LinkedAccount || ''),
        h('td', {}, rc.Region || ''), h('td', {}, rc.UsageType || ''),
        h('td', { className: 'num' }, usd(rc.Impact?.Contribution ?? 0))))));
  }
}

/** timeline draws each anomaly as a bar from its first to its last day, its height the impact. */
function timeline(list, start, end) {
  const W = 900, H = 120, pad = 24;
  const span = Math.max(1, (end - start) / 86400000);
  const x = (d) => pad + ((new Date(`${d}T00:00:00Z`) - start) / 86400000 / span) * (W - 2 * pad);
  const maxImpact = Math.max(1, ...list.map((a) => a.Impact.TotalImpact || 0));
  const ns = 'http://www.w3.org/2000/svg';
  const el = (tag, attrs, text) => {
    const e = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text) e.textContent = text;
    return e;
  };
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Anomalies over time', 'data-testid': 'anomaly-timeline', class: 'timeline' });
  svg.append(el('line', { x1: pad, x2: W - pad, y1: H - pad, y2: H - pad, stroke: '#999' }));
  for (const [d, anchor] of [[start, 'start'], [end, 'end']]) {
    svg.append(el('text', { x: anchor === 'start' ? pad : W - pad, y: H - 6, 'text-anchor': anchor, 'font-size': 11, fill: '#666' }, ymd(d)));
  }
  for (const a of list) {
    const x0 = Math.max(pad, x(a.AnomalyStartDate));
    const x1 = Math.min(W - pad, x(a.AnomalyEndDate) + (W - 2 * pad) / span);
    const hgt = Math.max(3, ((a.Impact.TotalImpact || 0) / maxImpact) * (H - 2 * pad));
    const r = el('rect', { x: x0, y: H - pad - hgt, width: Math.max(3, x1 - x0), height: hgt, fill: a.Feedback === 'NO' ? '#bbb' : '#d9534f', opacity: 0.8 });
    r.append(el('title', {}, `${a.DimensionValue}: ${a.AnomalyStartDate} – ${a.AnomalyEndDate}, ${usd(a.Impact.TotalImpact)}`));
    svg.append(r);
  }
  return h('figure', { className: 'chart' }, svg);
}
