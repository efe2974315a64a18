// The Commitments page: how the Reserved Instances and Savings Plans in the
// bill are used and how much usage they cover, month by month and one by one;
// those that expire soon; and what to buy next, with its estimated savings.
// Every figure comes from the Cost Explorer API (GetReservationUtilization,
// GetReservationCoverage, GetSavingsPlansUtilization(Details),
// GetSavingsPlansCoverage and the purchase recommendations): a section whose
// operation the server does not answer says so and the others still draw.
import { h, replace, notice, ymd, addMonths, addDays, monthStart } from './dom.js';
import { chart, legend, PALETTE } from './chart.js';
import * as money from './money.js';

const COMPUTE = 'Amazon Elastic Compute Cloud - Compute';
const EXPIRY_DAYS = 90;
const DEFAULTS = { lookback: 'THIRTY_DAYS', term: 'ONE_YEAR', payment: 'PARTIAL_UPFRONT', scope: 'PAYER' };
const LOOKBACKS = [['SEVEN_DAYS', '7 days'], ['THIRTY_DAYS', '30 days'], ['SIXTY_DAYS', '60 days']];
const TERMS = [['ONE_YEAR', '1 year'], ['THREE_YEARS', '3 years']];
const PAYMENTS = [['NO_UPFRONT', 'No upfront'], ['PARTIAL_UPFRONT', 'Partial upfront'], ['ALL_UPFRONT', 'All upfront']];
const SCOPES = [['PAYER', 'Whole organisation'], ['LINKED', 'Per account']];

/** attr reads an attribute whatever its case (AWS spells RI and SP ones differently). */
export function attr(attrs, name) {
  if (!attrs) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(attrs)) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** pct prints a percentage string from the API ("87.5" → "87.5%"); "—" when absent. */
export function pct(v) {
  if (v === undefined || v === null || v === '') return '—';
  const n = Number(v);
  return Number.isFinite(n) ? `${n.toFixed(1)}%` : '—';
}

/** usd prints an API amount as dollars; "—" when absent. */
function usd(v) {
  return v === undefined || v === null || v === '' ? '—' : money.format(money.parse(String(v)), 'USD');
}

/** perHour prints an hourly commitment to the thousandth, as AWS sells them: "$1.074/h". */
export function perHour(v) {
  const n = Number(v);
  return v === undefined || v === null || v === '' || !Number.isFinite(n) ? '—' : `$${n.toFixed(3)}/h`;
}

/**
 * expiring lists the commitments (from RI groups and SP details) whose end
 * is within days of today, soonest first: {kind, id, end, daysLeft}.
 */
export function expiring(items, today, days = EXPIRY_DAYS) {
  const out = [];
  for (const it of items) {
    const end = Date.parse(it.end || '');
    if (Number.isNaN(end)) continue;
    const left = Math.ceil((end - today.getTime()) / 86400000);
    if (left >= 0 && left <= days) out.push({ ...it, daysLeft: left });
  }
  return out.sort((a, b) => a.daysLeft - b.daysLeft || a.id.localeCompare(b.id));
}

/** render draws the page into main. */
export async function render(app, main) {
  const token = Symbol('commitments-page');
  main.pageToken = token;
  const alive = () => main.pageToken === token;
  const params = new URLSearchParams(location.search);
  const st = Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k, params.get(k) || v]));
  const today = app.today();
  // AWS takes periods that end by today (exclusive end).
  const end = ymd(today);
  const start = ymd(monthStart(addMonths(today, -11)));
  const recent = { Start: ymd(addDays(today, -30)), End: ymd(today) };

  const overTime = h('section', { 'data-testid': 'over-time' }, h('h2', {}, 'Utilisation and coverage by month'), loading());
  const perCommitment = h('section', { 'data-testid': 'per-commitment' }, h('h2', {}, 'Each commitment, last 30 days'), loading());
  const soon = h('section', { 'data-testid': 'expiring' }, h('h2', {}, `Expiring within ${EXPIRY_DAYS} days`), loading());
  const recos = h('section', { 'data-testid': 'recommendations' }, h('h2', {}, 'Recommendations'));
  replace(main,
    h('div', { className: 'page-head' }, h('h1', {}, 'Commitments'),
      h('p', { className: 'muted' }, 'Reserved Instances and Savings Plans as the bill shows them: how much of what you committed to is used, how much of your usage they cover, which end soon, and what to buy next. Recommendations are priced with the rates in your own bill.')),
    recos, overTime, perCommitment, soon);
  main.dataset.ready = 'false';

  const settle = (p) => p.then((r) => ({ ok: r }), (e) => ({ err: e }));
  const call = (op, input) => settle(app.client.call('ce', op, input));
  // all reads every page of a listing into {[key]: list}.
  const all = (op, input, key, tokens) => settle(app.client.all('ce', op, input, key, tokens).then((list) => ({ [key]: list })));
  const pageTokens = { inToken: 'NextPageToken', outToken: 'NextPageToken' };
  const [riUtil, riCov, spUtil, spCov, riGroups, spDetails] = await Promise.all([
    all('GetReservationUtilization', { TimePeriod: { Start: start, End: end }, Granularity: 'MONTHLY' }, 'UtilizationsByTime', pageTokens),
    all('GetReservationCoverage', { TimePeriod: { Start: start, End: end }, Granularity: 'MONTHLY' }, 'CoveragesByTime', pageTokens),
    call('GetSavingsPlansUtilization', { TimePeriod: { Start: start, End: end }, Granularity: 'MONTHLY' }),
    all('GetSavingsPlansCoverage', { TimePeriod: { Start: start, End: end }, Granularity: 'MONTHLY' }, 'SavingsPlansCoverages'),
    all('GetReservationUtilization', { TimePeriod: recent, GroupBy: [{ Type: 'DIMENSION', Key: 'SUBSCRIPTION_ID' }] }, 'UtilizationsByTime', pageTokens),
    all('GetSavingsPlansUtilizationDetails', { TimePeriod: recent }, 'SavingsPlansUtilizationDetails'),
    drawRecommendations(),
  ]);
  if (!alive()) return;
  drawOverTime();
  const items = drawPerCommitment();
  drawExpiring(items);
  main.dataset.ready = 'true';

  function drawOverTime() {
    const months = [];
    for (let m = monthStart(addMonths(today, -11)); ymd(m) < end; m = addMonths(m, 1)) months.push(ymd(m));
    const series = [];
    const missing = [];
    const add = (name, res, rows, value) => {
      if (res.err) {
        missing.push(`${name}: ${res.err.message}`);
        return;
      }
      const byMonth = new Map(rows(res.ok).map((r) => [r.TimePeriod.Start.slice(0, 10), value(r)]));
      series.push({ name, color: PALETTE[series.length], values: months.map((m) => Number(byMonth.get(m) ?? 0)) });
    };
    add('RI utilisation', riUtil, (r) => r.UtilizationsByTime || [], (r) => r.Total?.UtilizationPercentage);
    add('RI coverage', riCov, (r) => r.CoveragesByTime || [], (r) => r.Total?.CoverageHours?.CoverageHoursPercentage);
    add('SP utilisation', spUtil, (r) => r.SavingsPlansUtilizationsByTime || [], (r) => r.Utilization?.UtilizationPercentage);
    add('SP coverage', spCov, (r) => r.SavingsPlansCoverages || [], (r) => r.Coverage?.CoveragePercentage);
    replace(overTime, h('h2', {}, 'Utilisation and coverage by month'),
      series.length ? [chart({ labels: months.map((m) => m.slice(0, 7)), series, mode: 'line', unit: '%', height: 240,
        format: (v) => `${v.toFixed(1)}%`, title: 'Utilisation and coverage by month' }), legend(series)] : null,
      missing.length ? notice('warn', 'This server does not answer: ', missing.map((m) => h('div', {}, m))) : null);
  }

  function drawPerCommitment() {
    const items = [];
    const parts = [h('h2', {}, 'Each commitment, last 30 days')];
    if (riGroups.err) parts.push(notice('warn', `Reserved Instances: ${riGroups.err.message}`));
    else {
      const groups = (riGroups.ok.UtilizationsByTime || []).flatMap((u) => u.Groups || []);
      for (const g of groups) items.push({ kind: 'Reserved Instance', id: g.Value, end: attr(g.Attributes, 'endDateTime') });
      parts.push(h('h3', {}, 'Reserved Instances'), groups.length ? table('ri-table',
        ['Subscription', 'Instance', 'Count', 'Utilisation', 'Unused hours', 'Net savings', 'Ends'],
        groups.map((g) => [g.Value, `${attr(g.Attributes, 'instanceType') || ''} ${attr(g.Attributes, 'region') || ''}`.trim(),
          attr(g.Attributes, 'numberOfInstances') || '—', pct(g.Utilization?.UtilizationPercentage), g.Utilization?.UnusedHours ?? '—',
          usd(g.Utilization?.NetRISavings), (attr(g.Attributes, 'endDateTime') || '—').slice(0, 10)]), [2, 3, 4, 5])
        : h('p', { className: 'muted' }, 'No Reserved Instance was active.'));
    }
    if (spDetails.err) parts.push(notice('warn', `Savings Plans: ${spDetails.err.message}`));
    else {
      const list = spDetails.ok.SavingsPlansUtilizationDetails || [];
      for (const d of list) items.push({ kind: 'Savings Plan', id: d.SavingsPlanArn.split('/').pop(), end: attr(d.Attributes, 'EndDateTime') });
      parts.push(h('h3', {}, 'Savings Plans'), list.length ? table('sp-table',
        ['Savings Plan', 'Type', 'Commitment', 'Utilisation', 'Net savings', 'Ends'],
        list.map((d) => [d.SavingsPlanArn.split('/').pop(), attr(d.Attributes, 'SavingsPlansType') || '—',
          usd(d.Utilization?.TotalCommitment), pct(d.Utilization?.UtilizationPercentage), usd(d.Savings?.NetSavings),
          (attr(d.Attributes, 'EndDateTime') || '—').slice(0, 10)]), [2, 3, 4])
        : h('p', { className: 'muted' }, 'No Savings Plan was active.'));
    }
    replace(perCommitment, parts);
    return items;
  }

  function drawExpiring(items) {
    const list = expiring(items, today);
    replace(soon, h('h2', {}, `Expiring within ${EXPIRY_DAYS} days`),
      riGroups.err && spDetails.err ? h('p', { className: 'muted' }, 'Unknown: the server does not report commitments.')
        : list.length ? table('expiring-table', ['Commitment', 'Kind', 'Ends', 'Days left'],
          list.map((x) => [x.id, x.kind, x.end.slice(0, 10), String(x.daysLeft)]), [3])
          : h('p', { className: 'muted' }, 'Nothing expires in that time.'));
  }

  async function drawRecommendations() {
    const select = (label, key, options) => h('label', { className: 'control' }, h('span', { className: 'control-label' }, label),
      h('select', { 'data-testid': `reco-${key}`, onchange: (ev) => update({ [key]: ev.target.value }) },
        options.map(([v, l]) => h('option', { value: v, selected: v === st[key] }, l))));
    const body = h('div', {}, loading());
    replace(recos, h('h2', {}, 'Recommendations'),
      h('div', { className: 'controls' }, select('Look-back', 'lookback', LOOKBACKS), select('Term', 'term', TERMS),
        select('Payment', 'payment', PAYMENTS), select('Scope', 'scope', SCOPES)), body);
    const [sp, ri] = await Promise.all([
      call('GetSavingsPlansPurchaseRecommendation', { SavingsPlansType: 'COMPUTE_SP', TermInYears: st.term, PaymentOption: st.payment,
        LookbackPeriodInDays: st.lookback, AccountScope: st.scope }),
      call('GetReservationPurchaseRecommendation', { Service: COMPUTE, TermInYears: st.term, PaymentOption: st.payment,
        LookbackPeriodInDays: st.lookback, AccountScope: st.scope }),
    ]);
    if (!alive()) return;
    replace(body, spSection(sp), riSection(ri));
  }

  function update(change) {
    Object.assign(st, change);
    const q = new URLSearchParams(Object.entries(st).filter(([k, v]) => DEFAULTS[k] !== v));
    history.replaceState(null, '', `/commitments${q.size ? `?${q}` : ''}`);
    main.dataset.ready = 'false';
    drawRecommendations().then(() => { if (alive()) main.dataset.ready = 'true'; });
  }
}

function spSection(res) {
  const head = h('h3', {}, 'Compute Savings Plan');
  if (res.err) return [head, notice('warn', `${res.err.type}: ${res.err.message}`)];
  const rec = res.ok.SavingsPlansPurchaseRecommendation || {};
  const sum = rec.SavingsPlansPurchaseRecommendationSummary;
  const details = rec.SavingsPlansPurchaseRecommendationDetails || [];
  return [head,
    sum ? h('div', { className: 'summary' },
      stat('Hourly commitment', perHour(sum.HourlyCommitmentToPurchase), 'sp-commitment'),
      stat('Estimated monthly savings', usd(sum.EstimatedMonthlySavingsAmount), 'sp-monthly-savings'),
      stat('Savings', pct(sum.EstimatedSavingsPercentage), 'sp-savings-pct'),
      stat('Return on investment', pct(sum.EstimatedROI), 'sp-roi')) : null,
    details.length ? table('sp-reco', ['Account', 'Hourly commitment', 'Monthly savings', 'Savings', 'ROI', 'Utilisation', 'Upfront'],
      details.map((d) => [d.AccountId || 'All accounts', perHour(d.HourlyCommitmentToPurchase), usd(d.EstimatedMonthlySavingsAmount),
        pct(d.EstimatedSavingsPercentage), pct(d.EstimatedROI), pct(d.EstimatedAverageUtilization), usd(d.UpfrontCost)]), [1, 2, 3, 4, 5, 6])
      : h('p', { className: 'muted', 'data-testid': 'sp-none' }, 'No Savings Plan to buy with these settings.'),
    note(res.ok.Metadata?.AdditionalMetadata, 'sp-note')];
}

function riSection(res) {
  const head = h('h3', {}, 'EC2 Reserved Instances');
  if (res.err) return [head, notice('warn', `${res.err.type}: ${res.err.message}`)];
  const rec = (res.ok.Recommendations || [])[0];
  const details = rec?.RecommendationDetails || [];
  return [head,
    rec?.RecommendationSummary ? h('div', { className: 'summary' },
      stat('Estimated monthly savings', usd(rec.RecommendationSummary.TotalEstimatedMonthlySavingsAmount), 'ri-monthly-savings'),
      stat('Savings', pct(rec.RecommendationSummary.TotalEstimatedMonthlySavingsPercentage), 'ri-savings-pct')) : null,
    details.length ? table('ri-reco', ['Instance', 'Account', 'Buy', 'Monthly savings', 'Break-even (months)', 'Utilisation', 'Upfront', 'Monthly recurring'],
      details.map((d) => {
        const i = d.InstanceDetails?.EC2InstanceDetails || {};
        return [`${i.InstanceType} ${i.Platform} ${i.Region}`, d.AccountId || 'All accounts', d.RecommendedNumberOfInstancesToPurchase,
          usd(d.EstimatedMonthlySavingsAmount), d.EstimatedBreakEvenInMonths, pct(d.AverageUtilization), usd(d.UpfrontCost),
          usd(d.RecurringStandardMonthlyCost)];
      }), [2, 3, 4, 5, 6, 7])
      : h('p', { className: 'muted', 'data-testid': 'ri-none' }, 'No Reserved Instance to buy with these settings.'),
    note(res.ok.Metadata?.AdditionalMetadata, 'ri-note')];
}

function note(text, testid) {
  return text ? h('p', { className: 'muted small', 'data-testid': testid }, text) : null;
}

function stat(label, value, testid) {
  return h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, label),
    h('div', { className: 'stat-value', 'data-testid': testid }, value));
}

function table(testid, headers, rows, numeric = []) {
  return h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': testid },
    h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', { className: numeric.includes(i) ? 'num' : '' }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { className: numeric.includes(i) ? 'num' : '' }, c ?? '—')))))));
}

function loading() {
  return h('div', { className: 'muted loading' }, 'Loading…');
}
