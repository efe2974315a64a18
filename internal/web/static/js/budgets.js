// The Budgets page: each budget's actual and forecast spend against its
// limit, its alert state and history; create, edit and delete budgets;
// manage their notifications and subscribers. Everything goes through the
// AWS Budgets API under the signed-in account.
import { h, replace, notice, ymd, addDays, addMonths, monthStart, parseYMD } from './dom.js';
import { DIMENSIONS } from './dims.js';
import { filterEditor, toExpression, fromExpression, describe } from './filters.js';
import { chart, legend } from './chart.js';
import * as money from './money.js';
import { drawActions } from './actions.js';

const TIME_UNITS = [['MONTHLY', 'Monthly'], ['QUARTERLY', 'Quarterly'], ['ANNUALLY', 'Annually'], ['DAILY', 'Daily']];
const COST_METRICS = [['UnblendedCost', 'Unblended cost'], ['AmortizedCost', 'Amortized cost'], ['BlendedCost', 'Blended cost']];
// Budgets filter on the dimensions of its own enum; these are the common ones.
const BUDGET_DIMENSIONS = DIMENSIONS.filter(([k]) => ['SERVICE', 'LINKED_ACCOUNT', 'REGION', 'USAGE_TYPE', 'USAGE_TYPE_GROUP',
  'INSTANCE_TYPE', 'INSTANCE_TYPE_FAMILY', 'OPERATION', 'PURCHASE_TYPE', 'RECORD_TYPE', 'AZ', 'PLATFORM', 'OPERATING_SYSTEM',
  'TENANCY', 'DATABASE_ENGINE', 'LEGAL_ENTITY_NAME', 'BILLING_ENTITY', 'INVOICING_ENTITY'].includes(k));

/** currentPeriod returns [start, end) of the budget period containing today. */
export function currentPeriod(timeUnit, today) {
  const t = parseYMD(ymd(today));
  const ms = monthStart(t);
  switch (timeUnit) {
    case 'DAILY': return [t, addDays(t, 1)];
    case 'QUARTERLY': {
      const q = addMonths(ms, -(t.getUTCMonth() % 3));
      return [q, addMonths(q, 3)];
    }
    case 'ANNUALLY': return [new Date(Date.UTC(t.getUTCFullYear(), 0, 1)), new Date(Date.UTC(t.getUTCFullYear() + 1, 0, 1))];
    default: return [ms, addMonths(ms, 1)];
  }
}

/** status classifies a budget: over (actual > limit), forecast (forecast > limit) or ok. */
export function status(b) {
  if (!b.BudgetLimit || !b.CalculatedSpend) return { state: 'unknown', pct: 0, fpct: 0 };
  const limit = money.parse(b.BudgetLimit.Amount);
  const actual = money.parse(b.CalculatedSpend.ActualSpend?.Amount);
  const forecast = b.CalculatedSpend.ForecastedSpend ? money.parse(b.CalculatedSpend.ForecastedSpend.Amount) : null;
  const pct = limit > 0n ? money.toNumber(actual) / money.toNumber(limit) * 100 : 0;
  const fpct = limit > 0n && forecast !== null ? money.toNumber(forecast) / money.toNumber(limit) * 100 : null;
  const state = actual > limit ? 'over' : forecast !== null && forecast > limit ? 'forecast' : 'ok';
  return { state, pct, fpct, limit, actual, forecast };
}

/**
 * summarize is the one rule the Budgets page and the Cost Explorer badge
 * share: a budget is in alarm when one of its notifications is in ALARM,
 * over when its actual spend exceeds the limit, forecast when its forecast
 * does; each budget counts once, in the first of these that holds.
 */
export function summarize(budgets, notes) {
  const rows = budgets.map((b, i) => ({ b, st: status(b), notes: notes[i] }));
  const inAlarm = (r) => (r.notes || []).some((n) => n.NotificationState === 'ALARM');
  return {
    rows,
    total: rows.length,
    alarms: rows.filter(inAlarm).length,
    over: rows.filter((r) => r.st.state === 'over').length,
    forecast: rows.filter((r) => r.st.state === 'forecast').length,
    attention: rows.filter((r) => inAlarm(r) || r.st.state === 'over' || r.st.state === 'forecast').length,
  };
}

/** fetchNotifications lists each budget's notifications (null where the call failed). */
export function fetchNotifications(app, accountId, budgets) {
  return Promise.all(budgets.map((b) => app.client.all('budgets', 'DescribeNotificationsForBudget',
    { AccountId: accountId, BudgetName: b.BudgetName, MaxResults: 100 }, 'Notifications').catch(() => null)));
}

/** headline says in a few words what summarize found. */
export function headline(s) {
  if (s.total === 0) return '';
  if (s.alarms > 0) return s.total === 1 ? 'The budget is in alarm' : `${s.alarms} of ${s.total} budgets in alarm`;
  if (s.over > 0) return `${s.over} of ${s.total} budgets over their limit`;
  if (s.forecast > 0) return `${s.forecast} of ${s.total} budgets forecast over their limit`;
  return s.total === 1 ? 'The budget is on track' : `All ${s.total} budgets on track`;
}

function describeNotification(n) {
  const what = n.NotificationType === 'FORECASTED' ? 'Forecasted' : 'Actual';
  const op = { GREATER_THAN: '>', LESS_THAN: '<', EQUAL_TO: '=' }[n.ComparisonOperator] || n.ComparisonOperator;
  const thr = n.ThresholdType === 'ABSOLUTE_VALUE' ? `${n.Threshold}` : `${n.Threshold}% of the limit`;
  return `${what} ${op} ${thr}`;
}

function budgetFilters(b) {
  if (b.FilterExpression) {
    const f = fromExpression(b.FilterExpression);
    return f === null ? [JSON.stringify(b.FilterExpression)] : f.map(describe);
  }
  return Object.entries(b.CostFilters || {}).map(([k, v]) => `${k} is ${v.length > 1 ? 'one of ' : ''}${v.join(', ')}`);
}

/** render draws the page into main. */
export async function render(app, main) {
  const token = Symbol('budgets-page');
  main.pageToken = token;
  const alive = () => main.pageToken === token;
  main.dataset.ready = 'false';
  replace(main, h('div', { className: 'page-head' }, h('h1', {}, 'Budgets')), h('div', { className: 'muted loading' }, 'Loading budgets…'));
  let acct;
  try {
    acct = await app.account();
  } catch (e) {
    replace(main, h('h1', {}, 'Budgets'), notice('error', e.message));
    main.dataset.ready = 'true';
    return;
  }
  const accountId = acct.accountId;
  const formBox = h('div');
  const listBox = h('div');
  const head = h('div', { className: 'page-head' }, h('h1', {}, 'Budgets'),
    h('p', { className: 'muted' }, `Budgets of account ${accountId}. Actual spend is computed from the billing data for the current budget period; the forecast extends it to the period's end.`));
  const create = h('button', { type: 'button', className: 'btn btn-primary', 'data-testid': 'create-budget',
    onclick: () => openForm(null) }, '+ Create budget');
  replace(main, head, h('div', { className: 'controls' }, create), formBox, listBox);
  await refresh();
  main.dataset.ready = 'true';

  async function refresh(message) {
    let budgets;
    try {
      budgets = await app.client.all('budgets', 'DescribeBudgets', { AccountId: accountId, MaxResults: 100, ShowFilterExpression: true },
        'Budgets');
    } catch (e) {
      if (!alive()) return;
      create.disabled = e.notImplemented;
      replace(listBox, e.notImplemented
        ? notice('warn', h('strong', {}, 'Budgets are not available on this server yet. '), 'DescribeBudgets answered ',
          h('code', {}, e.type), ': ', sentence(e.message), ' The Cost Explorer page shows what was spent; budgets will appear here once the server supports them.')
        : notice('error', `${e.type}: ${e.message}`));
      return;
    }
    if (!alive()) return;
    const notes = await fetchNotifications(app, accountId, budgets);
    if (!alive()) return;
    const { rows, over, forecast: fore, alarms } = summarize(budgets, notes);
    replace(listBox,
      message || null,
      h('div', { className: 'summary' },
        stat('Budgets', budgets.length, 'count'),
        stat('Over their limit', over, 'over', over ? 'bad' : ''),
        stat('Forecast over their limit', fore, 'forecast', fore ? 'warn' : ''),
        stat('In alarm', alarms, 'alarms', alarms ? 'bad' : '')),
      budgets.length === 0 ? notice('info', 'No budgets yet. Create one to compare spend with a limit and be alerted before it is exceeded.') : null,
      h('div', { className: 'budget-list' }, rows.map((r) => card(r))));
  }

  function card({ b, st, notes }) {
    const unit = b.BudgetLimit?.Unit || 'USD';
    const fmt = (v) => (v === null || v === undefined ? '—' : money.format(v, unit));
    const [ps, pe] = currentPeriod(b.TimeUnit, app.today());
    const alarm = (notes || []).filter((n) => n.NotificationState === 'ALARM');
    const details = h('div', { className: 'budget-details', hidden: true });
    const badge = { over: ['badge-bad', 'Over budget'], forecast: ['badge-warn', 'Forecast over budget'], ok: ['badge-ok', 'On track'],
      unknown: ['badge-muted', 'No spend yet'] }[st.state];
    const width = Math.min(100, st.pct);
    const del = h('button', { type: 'button', className: 'btn btn-danger', onclick: async () => {
      if (del.dataset.confirm !== 'yes') {
        del.dataset.confirm = 'yes';
        del.textContent = 'Click again to delete';
        return;
      }
      try {
        await app.client.call('budgets', 'DeleteBudget', { AccountId: accountId, BudgetName: b.BudgetName });
        refresh(notice('info', `Deleted budget ${b.BudgetName}.`));
      } catch (e) {
        refresh(notice('error', `${e.type}: ${e.message}`));
      }
    } }, 'Delete');
    const el = h('article', { className: `budget budget-${st.state}`, 'data-budget': b.BudgetName },
      h('div', { className: 'budget-head' },
        h('h2', {}, b.BudgetName),
        h('span', { className: 'badge badge-muted' }, `${b.BudgetType} · ${b.TimeUnit.toLowerCase()}`),
        h('span', { className: `badge ${badge[0]}`, 'data-testid': 'budget-state' }, badge[1]),
        alarm.length ? h('span', { className: 'badge badge-bad', 'data-testid': 'budget-alarm', title: alarm.map(describeNotification).join('\n') },
          `ALARM: ${alarm.map(describeNotification).join('; ')}`) : null,
        notes && notes.length && !alarm.length ? h('span', { className: 'badge badge-ok' }, `${notes.length} alert${notes.length > 1 ? 's' : ''} OK`) : null,
        h('span', { className: 'spacer' }),
        h('button', { type: 'button', className: 'btn', 'data-testid': 'budget-details', onclick: () => toggle() }, 'Details'),
        h('button', { type: 'button', className: 'btn', 'data-testid': 'budget-edit', onclick: () => openForm(b) }, 'Edit'),
        del),
      h('div', { className: 'progress', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(st.pct),
        'aria-label': `${b.BudgetName}: ${Math.round(st.pct)}% of the limit spent` },
      h('div', { className: 'progress-bar', style: { width: `${width}%` } }),
      st.fpct !== null && st.fpct !== undefined ? h('div', { className: 'progress-forecast', style: { left: `${Math.min(100, st.fpct)}%` },
        title: `Forecast: ${Math.round(st.fpct)}% of the limit` }) : null),
      h('div', { className: 'budget-figures' },
        figure('Actual', fmt(st.actual), 'actual', st.actual, `${st.pct.toFixed(1)}% of the limit`),
        figure('Forecast', fmt(st.forecast), 'forecast', st.forecast, st.fpct !== null && st.fpct !== undefined ? `${st.fpct.toFixed(1)}% of the limit` : 'not available'),
        figure('Limit', fmt(st.limit), 'limit', st.limit, b.PlannedBudgetLimits ? 'planned limit of this period' : 'per period'),
        figure('Current period', `${ymd(ps)} to ${ymd(addDays(pe, -1))}`, 'period', null, budgetFilters(b).join(' · ') || 'all costs')),
      details);
    return el;

    async function toggle() {
      details.hidden = !details.hidden;
      if (!details.hidden) await drawDetails(b, details);
    }
  }

  async function drawDetails(b, box) {
    replace(box, h('div', { className: 'muted' }, 'Loading…'));
    const unit = b.BudgetLimit?.Unit || 'USD';
    const history = h('section', {}, h('h3', {}, 'History'));
    const alerts = h('section', {}, h('h3', {}, 'Alerts'));
    const actions = h('section', { 'data-testid': 'budget-actions' }, h('h3', {}, 'Actions'));
    replace(box, history, alerts, actions);
    try {
      const resp = await app.client.call('budgets', 'DescribeBudgetPerformanceHistory', { AccountId: accountId, BudgetName: b.BudgetName,
        MaxResults: 100 });
      const list = (resp.BudgetPerformanceHistory?.BudgetedAndActualAmountsList || [])
        .slice().sort((x, y) => Number(x.TimePeriod?.Start) - Number(y.TimePeriod?.Start));
      if (list.length === 0) {
        history.append(h('p', { className: 'muted' }, 'No history yet.'));
      } else {
        const label = (p) => {
          const d = new Date(Number(p.TimePeriod?.Start) * 1000);
          return b.TimeUnit === 'DAILY' ? ymd(d) : d.toLocaleString('en', { month: 'short', year: 'numeric', timeZone: 'UTC' });
        };
        const series = [{ name: 'Actual', color: '#2563eb', values: list.map((p) => money.toNumber(money.parse(p.ActualAmount?.Amount))) }];
        const overlays = [{ name: 'Budgeted', color: '#ef4444', dashed: true,
          values: list.map((p) => money.toNumber(money.parse(p.BudgetedAmount?.Amount))) }];
        history.append(chart({ labels: list.map(label), series, overlays, unit, height: 240, title: `${b.BudgetName} history`,
          format: (v) => money.format(money.parse(v.toFixed(10)), unit) }), legend([...series, ...overlays]),
        h('table', { className: 'data compact', 'data-testid': 'budget-history' },
          h('thead', {}, h('tr', {}, ['Period', 'Budgeted', 'Actual', ''].map((t) => h('th', { className: t && t !== 'Period' ? 'num' : '' }, t)))),
          h('tbody', {}, list.map((p) => {
            const act = money.parse(p.ActualAmount?.Amount);
            const bud = money.parse(p.BudgetedAmount?.Amount);
            return h('tr', {}, h('td', {}, label(p)), h('td', { className: 'num' }, money.format(bud, unit)),
              h('td', { className: 'num', 'data-amount': money.plain(act) }, money.format(act, unit)),
              h('td', {}, act > bud ? h('span', { className: 'badge badge-bad' }, 'over') : null));
          }))));
      }
    } catch (e) {
      history.append(e.notImplemented ? notice('warn', `History is not available on this server yet (${e.type}).`)
        : notice('error', `${e.type}: ${e.message}`));
    }
    await drawAlerts(b, alerts);
    await drawActions(app, accountId, b, actions);
  }

  async function drawAlerts(b, box) {
    replace(box, h('h3', {}, 'Alerts'));
    let notes;
    try {
      notes = await app.client.all('budgets', 'DescribeNotificationsForBudget', { AccountId: accountId, BudgetName: b.BudgetName,
        MaxResults: 100 }, 'Notifications');
    } catch (e) {
      box.append(notice(e.notImplemented ? 'warn' : 'error', `${e.type}: ${e.message}`));
      return;
    }
    const subs = await Promise.all(notes.map((n) => app.client.all('budgets', 'DescribeSubscribersForNotification',
      { AccountId: accountId, BudgetName: b.BudgetName, Notification: strip(n), MaxResults: 100 }, 'Subscribers').catch(() => [])));
    const redo = (msg) => drawAlerts(b, box).then(() => msg && box.prepend(msg));
    const act = async (op, input, done) => {
      try {
        await app.client.call('budgets', op, { AccountId: accountId, BudgetName: b.BudgetName, ...input });
        redo(notice('info', done));
      } catch (e) {
        redo(notice('error', `${e.type}: ${e.message}`));
      }
    };
    box.append(
      notes.length === 0 ? h('p', { className: 'muted' }, 'No alerts. Add one to hear when spend crosses a threshold.') :
        h('table', { className: 'data compact', 'data-testid': 'notifications' },
          h('thead', {}, h('tr', {}, ['When', 'State', 'Subscribers', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, notes.map((n, i) => h('tr', {},
            h('td', {}, describeNotification(n)),
            h('td', {}, h('span', { className: `badge ${n.NotificationState === 'ALARM' ? 'badge-bad' : 'badge-ok'}` }, n.NotificationState || 'OK')),
            h('td', {}, h('ul', { className: 'subs' }, subs[i].map((s) => h('li', {}, `${s.SubscriptionType.toLowerCase()}: ${s.Address} `,
              h('button', { type: 'button', className: 'chip-x', 'aria-label': `Remove subscriber ${s.Address}`,
                onclick: () => act('DeleteSubscriber', { Notification: strip(n), Subscriber: s }, `Removed ${s.Address}.`) }, '×')))),
            subscriberForm((s) => act('CreateSubscriber', { Notification: strip(n), Subscriber: s }, `Added ${s.Address}.`))),
            h('td', {}, h('button', { type: 'button', className: 'btn btn-small btn-danger',
              onclick: () => act('DeleteNotification', { Notification: strip(n) }, 'Deleted the alert.') }, 'Delete')))))),
      notificationForm((n, s) => act('CreateNotification', { Notification: n, Subscribers: [s] }, 'Added the alert.')));
  }

  function openForm(b) {
    replace(formBox, budgetForm(app, accountId, b, async (msg) => {
      replace(formBox);
      await refresh(msg);
    }, () => replace(formBox)));
    formBox.scrollIntoView({ block: 'nearest' });
  }
}

/** sentence ends a message with a full stop. */
function sentence(s) {
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** strip returns a notification as requests identify it: without its state. */
function strip(n) {
  const out = { NotificationType: n.NotificationType, ComparisonOperator: n.ComparisonOperator, Threshold: n.Threshold };
  if (n.ThresholdType) out.ThresholdType = n.ThresholdType;
  return out;
}

function stat(label, value, testid, tone) {
  return h('div', { className: `stat ${tone ? `stat-${tone}` : ''}` }, h('div', { className: 'stat-label' }, label),
    h('div', { className: 'stat-value', 'data-testid': `budgets-${testid}` }, String(value)));
}

function figure(label, text, testid, amount, sub) {
  return h('div', { className: 'figure' }, h('div', { className: 'stat-label' }, label),
    h('div', { className: 'figure-value', 'data-testid': `budget-${testid}`, 'data-amount': amount !== null && amount !== undefined ? money.plain(amount) : null }, text),
    sub ? h('div', { className: 'muted small' }, sub) : null);
}

function subscriberForm(onAdd) {
  const type = h('select', { 'aria-label': 'Subscriber type' }, h('option', { value: 'EMAIL' }, 'Email'), h('option', { value: 'SNS' }, 'SNS topic'));
  const addr = h('input', { placeholder: 'address', 'aria-label': 'Subscriber address', required: true });
  return h('form', { className: 'inline-form', onsubmit: (ev) => {
    ev.preventDefault();
    if (addr.value.trim()) onAdd({ SubscriptionType: type.value, Address: addr.value.trim() });
  } }, type, addr, h('button', { type: 'submit', className: 'btn btn-small' }, 'Add'));
}

function notificationForm(onAdd) {
  const type = h('select', { 'aria-label': 'Alert on' }, h('option', { value: 'ACTUAL' }, 'Actual spend'), h('option', { value: 'FORECASTED' }, 'Forecasted spend'));
  const op = h('select', { 'aria-label': 'Comparison' }, h('option', { value: 'GREATER_THAN' }, 'is greater than'),
    h('option', { value: 'LESS_THAN' }, 'is less than'), h('option', { value: 'EQUAL_TO' }, 'equals'));
  const thr = h('input', { type: 'number', min: '0', step: 'any', value: '80', 'aria-label': 'Threshold', className: 'narrow', required: true });
  const thrType = h('select', { 'aria-label': 'Threshold type' }, h('option', { value: 'PERCENTAGE' }, '% of the limit'),
    h('option', { value: 'ABSOLUTE_VALUE' }, 'in the budget\'s unit'));
  const subType = h('select', { 'aria-label': 'Subscriber type' }, h('option', { value: 'EMAIL' }, 'email'), h('option', { value: 'SNS' }, 'SNS topic'));
  const addr = h('input', { placeholder: 'team@example.com', 'aria-label': 'Notify address', required: true });
  return h('form', { className: 'inline-form panel', 'data-testid': 'add-notification', onsubmit: (ev) => {
    ev.preventDefault();
    onAdd({ NotificationType: type.value, ComparisonOperator: op.value, Threshold: Number(thr.value), ThresholdType: thrType.value },
      { SubscriptionType: subType.value, Address: addr.value.trim() });
  } }, h('strong', {}, 'New alert: '), type, op, thr, thrType, 'notify', subType, addr,
  h('button', { type: 'submit', className: 'btn btn-small btn-primary' }, 'Add alert'));
}

/**
 * budgetForm creates (b null) or edits a budget. New budgets and budgets
 * that already use FilterExpression are written with FilterExpression and
 * Metrics; a budget made elsewhere with CostFilters keeps them as they are.
 */
function budgetForm(app, accountId, b, done, cancel) {
  const editing = !!b;
  const legacy = editing && !b.FilterExpression && b.CostFilters && Object.keys(b.CostFilters).length > 0;
  let filters = editing ? fromExpression(b.FilterExpression) : [];
  const complex = filters === null;
  if (complex) filters = [];
  const name = h('input', { value: b?.BudgetName || '', required: true, maxLength: 100, disabled: editing, 'data-testid': 'budget-name',
    pattern: '[^:\\\\]+' });
  const type = h('select', { 'data-testid': 'budget-type', disabled: editing }, h('option', { value: 'COST' }, 'Cost'), h('option', { value: 'USAGE' }, 'Usage'));
  type.value = b?.BudgetType === 'USAGE' ? 'USAGE' : 'COST';
  const unitSel = h('select', { 'data-testid': 'budget-time-unit' }, TIME_UNITS.map(([v, l]) => h('option', { value: v }, l)));
  unitSel.value = b?.TimeUnit || 'MONTHLY';
  const amount = h('input', { type: 'number', min: '0', step: 'any', required: true, value: b?.BudgetLimit?.Amount || '', 'data-testid': 'budget-amount', className: 'amount' });
  const currency = h('input', { value: b?.BudgetLimit?.Unit || 'USD', required: true, className: 'narrow', 'data-testid': 'budget-unit' });
  const metric = h('select', { 'data-testid': 'budget-metric' }, COST_METRICS.map(([v, l]) => h('option', { value: v }, l)));
  metric.value = b?.Metrics?.[0] || (b?.CostTypes?.UseAmortized ? 'AmortizedCost' : b?.CostTypes?.UseBlended ? 'BlendedCost' : 'UnblendedCost');
  const alertPct = h('input', { type: 'number', min: '0', step: 'any', value: '80', className: 'narrow', 'aria-label': 'Alert threshold percent' });
  const alertAddr = h('input', { placeholder: 'team@example.com (optional)', 'aria-label': 'Alert email', 'data-testid': 'budget-alert-email' });
  const msg = h('div');
  const t = app.today();
  const filterBox = h('div');
  const drawFilters = () => replace(filterBox, legacy || complex
    ? notice('info', `This budget's filters were set through the API (${legacy ? 'CostFilters' : 'a FilterExpression this form cannot show'}); they are kept as they are: `,
      budgetFilters(b).join(' · '))
    : filterEditor({
      filters,
      dimensions: BUDGET_DIMENSIONS,
      onChange: (f) => { filters = f; drawFilters(); },
      tagKeys: () => app.client.all('ce', 'GetTags', { TimePeriod: lookback(t) }, 'Tags', { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 }),
      values: async (ftype, key, search) => {
        if (ftype === 'TAG') {
          const tags = await app.client.all('ce', 'GetTags', { TimePeriod: lookback(t), TagKey: key, ...(search ? { SearchString: search } : {}) },
            'Tags', { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
          return tags.map((v) => ({ value: v, label: v === '' ? '(no tag)' : v }));
        }
        const vals = await app.client.all('ce', 'GetDimensionValues', { TimePeriod: lookback(t), Dimension: key, Context: 'COST_AND_USAGE',
          ...(search ? { SearchString: search } : {}) }, 'DimensionValues', { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
        return vals.map((v) => ({ value: v.Value, label: v.Attributes?.description ? `${v.Value} (${v.Attributes.description})` : v.Value }));
      },
    }));
  drawFilters();
  const save = h('button', { type: 'submit', className: 'btn btn-primary', 'data-testid': 'budget-save' }, editing ? 'Save budget' : 'Create budget');
  const form = h('form', { className: 'panel budget-form', 'data-testid': 'budget-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const budget = {
      ...(editing ? withoutComputed(b) : {}),
      BudgetName: name.value.trim(),
      BudgetType: type.value,
      TimeUnit: unitSel.value,
      BudgetLimit: { Amount: String(amount.value), Unit: currency.value.trim() },
    };
    delete budget.PlannedBudgetLimits;
    if (!legacy && !complex) {
      delete budget.CostFilters;
      delete budget.CostTypes;
      delete budget.FilterExpression;
      delete budget.Metrics;
      const expr = toExpression(filters);
      const m = type.value === 'USAGE' ? 'UsageQuantity' : metric.value;
      if (expr) {
        budget.FilterExpression = expr;
        budget.Metrics = [m];
      } else if (m === 'AmortizedCost') {
        budget.CostTypes = { UseAmortized: true };
      } else if (m === 'BlendedCost') {
        budget.CostTypes = { UseBlended: true };
      }
    }
    save.disabled = true;
    try {
      if (editing) {
        await app.client.call('budgets', 'UpdateBudget', { AccountId: accountId, NewBudget: budget });
      } else {
        const input = { AccountId: accountId, Budget: budget };
        if (alertAddr.value.trim()) {
          input.NotificationsWithSubscribers = [{
            Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: Number(alertPct.value), ThresholdType: 'PERCENTAGE' },
            Subscribers: [{ SubscriptionType: 'EMAIL', Address: alertAddr.value.trim() }],
          }];
        }
        await app.client.call('budgets', 'CreateBudget', input);
      }
      done(notice('info', `${editing ? 'Saved' : 'Created'} budget ${budget.BudgetName}.`));
    } catch (e) {
      replace(msg, notice(e.notImplemented ? 'warn' : 'error', `${e.type}: ${e.message}`));
      save.disabled = false;
    }
  } },
  h('h2', {}, editing ? `Edit budget ${b.BudgetName}` : 'New budget'),
  h('div', { className: 'form-grid' },
    field('Name', name), field('Type', type), field('Period', unitSel),
    field('Limit per period', h('span', { className: 'row nowrap' }, amount, currency)),
    field('Cost metric', metric)),
  h('div', { className: 'field' }, h('span', {}, 'Only count costs matching'), filterBox),
  !editing ? h('div', { className: 'field' }, h('span', {}, 'Alert'),
    h('span', { className: 'row' }, 'Email when actual spend exceeds', alertPct, '% of the limit:', alertAddr)) : null,
  msg,
  h('div', { className: 'row' }, h('span', { className: 'spacer' }), h('button', { type: 'button', className: 'btn', onclick: cancel }, 'Cancel'), save));
  return form;
}

function field(label, control) {
  return h('label', { className: 'field' }, h('span', {}, label), control);
}

/** lookback is the period whose values the filter editor offers: the last three months. */
function lookback(today) {
  return { Start: ymd(addMonths(monthStart(today), -3)), End: ymd(addDays(parseYMD(ymd(today)), 1)) };
}

/** withoutComputed drops what UpdateBudget does not take back. */
function withoutComputed(b) {
  const c = { ...b };
  delete c.CalculatedSpend;
  delete c.LastUpdatedTime;
  delete c.HealthStatus;
  return c;
}

