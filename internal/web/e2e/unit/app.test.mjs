// Unit tests of the UI's pure functions, run with `node --test` (no
// browser needed). TestNodeUnit in this folder's Go package runs them.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { sha256, hmacSHA256, hex, amzDate } from '../../static/js/sigv4.js';
import * as money from '../../static/js/money.js';
import { resolveRange, readState, writeState, tabulate, csv } from '../../static/js/explorer.js';
import { toExpression, fromExpression, describe } from '../../static/js/filters.js';
import { niceTicks } from '../../static/js/chart.js';
import { status, currentPeriod } from '../../static/js/budgets.js';
import { describeThreshold, describeDefinition, dryRunNote } from '../../static/js/actions.js';

const utc = (s) => new Date(`${s}T00:00:00Z`);
const ymd = (d) => d.toISOString().slice(0, 10);

test('sha256 and hmac match node:crypto', () => {
  for (const n of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1000]) {
    const s = 'é'.repeat(n) + 'x'.repeat(n % 7);
    assert.equal(hex(sha256(s)), crypto.createHash('sha256').update(s).digest('hex'), `sha256 of ${n}`);
    const key = 'k'.repeat(n);
    assert.equal(hex(hmacSHA256(key, s)), crypto.createHmac('sha256', key).update(s).digest('hex'), `hmac key ${n}`);
  }
  assert.equal(amzDate(new Date('2025-03-10T05:06:07.891Z')), '20250310T050607Z');
});

test('money parses, adds and prints exactly', () => {
  const cases = [
    ['0', '0', '$0.00'], ['12.5', '12.5', '$12.50'], ['-0.005', '-0.005', '-$0.01'], ['0.004999', '0.004999', '$0.00'],
    ['1234567.891', '1234567.891', '$1,234,567.89'], ['1E-10', '0.0000000001', '$0.00'], ['3e2', '300', '$300.00'],
    ['0.00000000005', '0.0000000001', '$0.00'], ['-1234.565', '-1234.565', '-$1,234.57'],
  ];
  for (const [in_, plain, usd] of cases) {
    const v = money.parse(in_);
    assert.equal(money.plain(v), plain, `plain ${in_}`);
    assert.equal(money.format(v, 'USD'), usd, `format ${in_}`);
  }
  assert.equal(money.plain(money.sum(['0.1', '0.2', '0.3'].map(money.parse))), '0.6');
  assert.equal(money.format(money.parse('12.345'), 'Hrs'), '12.35 Hrs');
  assert.equal(money.format(money.parse('2'), 'N/A'), '2.00');
  assert.throws(() => money.parse('12abc'));
  assert.equal(money.compact(1234, 'USD'), '$1.2k');
  assert.equal(money.compact(-25000, 'USD'), '-$25k');
  assert.equal(money.compact(0, 'USD'), '$0');
});

test('resolveRange turns presets into [start, end) days', () => {
  const today = new Date('2025-03-10T05:00:00Z');
  const cases = [
    ['this-month', '2025-03-01', '2025-03-11'], ['last-month', '2025-02-01', '2025-03-01'],
    ['last-3-months', '2025-01-01', '2025-03-11'], ['last-6-months', '2024-10-01', '2025-03-11'],
    ['last-12-months', '2024-04-01', '2025-03-11'], ['year-to-date', '2025-01-01', '2025-03-11'],
    ['last-7-days', '2025-03-04', '2025-03-11'], ['last-30-days', '2025-02-09', '2025-03-11'],
  ];
  for (const [range, s, e] of cases) {
    const [start, end] = resolveRange(range, today);
    assert.deepEqual([ymd(start), ymd(end)], [s, e], range);
  }
  assert.deepEqual(resolveRange('custom', today, '2024-12-05', '2025-01-07').map(ymd), ['2024-12-05', '2025-01-07']);
  assert.deepEqual(resolveRange('custom', today, '2025-01-07', '2025-01-01').map(ymd), ['2025-01-07', '2025-01-08'],
    'an end before the start gives one day');
});

test('the view round-trips through the URL', () => {
  const st = { range: 'custom', start: '2025-01-01', end: '2025-02-01', granularity: 'DAILY', metric: 'AmortizedCost',
    group: 'TAG:team', chart: 'line', filters: [{ op: 'exclude', type: 'DIMENSION', key: 'SERVICE', values: ['Tax', 'a&b=c'] }] };
  assert.deepEqual(readState('?' + writeState(st)), st);
  const def = readState('');
  assert.equal(def.range, 'last-6-months');
  assert.equal(def.group, 'DIMENSION:SERVICE');
  assert.deepEqual(readState('?filter=%5Bnot-json&granularity=WEEKLY').filters, []);
  assert.equal(readState('?granularity=WEEKLY').granularity, 'MONTHLY');
  assert.equal(readState('?group=').group, '', 'no grouping is kept');
});

test('tabulate merges pages, sorts by total and keeps exact sums', () => {
  const st = { metric: 'UnblendedCost', group: 'TAG:team' };
  const m = (a) => ({ UnblendedCost: { Amount: a, Unit: 'USD' } });
  const pages = [
    { ResultsByTime: [{ TimePeriod: { Start: '2025-01-01', End: '2025-02-01' }, Estimated: false, Total: {},
      Groups: [{ Keys: ['team$ml'], Metrics: m('0.1') }, { Keys: ['team$'], Metrics: m('5') }] }] },
    { ResultsByTime: [
      { TimePeriod: { Start: '2025-01-01', End: '2025-02-01' }, Total: {}, Groups: [{ Keys: ['team$sre'], Metrics: m('0.2') }] },
      { TimePeriod: { Start: '2025-02-01', End: '2025-03-01' }, Estimated: true, Total: {},
        Groups: [{ Keys: ['team$ml'], Metrics: m('0.2') }] }] },
  ];
  const t = tabulate(pages, st);
  assert.deepEqual(t.buckets.map((b) => [b.start, b.estimated]), [['2025-01-01', false], ['2025-02-01', true]]);
  assert.deepEqual(t.rows.map((r) => [r.label, r.amounts.map(money.plain), money.plain(r.total)]), [
    ['(no team tag)', ['5', '0'], '5'], ['ml', ['0.1', '0.2'], '0.3'], ['sre', ['0.2', '0'], '0.2']]);
  assert.equal(csv(t, st, 'Tag: team'), '"Tag: team","2025-01-01","2025-02-01","Total"\r\n"(no team tag)",5,0,5\r\n' +
    '"ml",0.1,0.2,0.3\r\n"sre",0.2,0,0.2\r\n"Total",5.3,0.2,5.5\r\n');
  const total = tabulate([{ ResultsByTime: [{ TimePeriod: { Start: '2025-01-01', End: '2025-02-01' }, Total: m('7.25'), Groups: [] }] }],
    { metric: 'UnblendedCost', group: '' });
  assert.deepEqual(total.rows.map((r) => money.plain(r.total)), ['7.25']);
  const acct = tabulate([{ DimensionValueAttributes: [{ Value: '123456789012', Attributes: { description: 'prod' } }],
    ResultsByTime: [{ TimePeriod: { Start: '2025-01-01', End: '2025-02-01' }, Groups: [{ Keys: ['123456789012'], Metrics: m('1') }] }] }],
  { metric: 'UnblendedCost', group: 'DIMENSION:LINKED_ACCOUNT' });
  assert.equal(acct.rows[0].label, '123456789012 (prod)');
});

test('filters become expressions and back', () => {
  const fs = [
    { op: 'include', type: 'DIMENSION', key: 'SERVICE', values: ['A', 'B'] },
    { op: 'exclude', type: 'TAG', key: 'team', values: [''] },
  ];
  const e = toExpression(fs);
  assert.deepEqual(e, { And: [{ Dimensions: { Key: 'SERVICE', Values: ['A', 'B'] } }, { Not: { Tags: { Key: 'team', Values: [''] } } }] });
  assert.deepEqual(fromExpression(e), fs);
  assert.deepEqual(toExpression([fs[0]]), { Dimensions: { Key: 'SERVICE', Values: ['A', 'B'] } });
  assert.equal(toExpression([]), undefined);
  assert.equal(fromExpression({ Or: [] }), null);
  assert.equal(describe(fs[0]), 'Service is one of A, B');
  assert.equal(describe(fs[1]), 'Tag team is not (no tag)');
});

test('niceTicks covers the range with round steps', () => {
  assert.deepEqual(niceTicks(0, 9170), [0, 2000, 4000, 6000, 8000, 10000]);
  assert.deepEqual(niceTicks(-30, 100), [-50, 0, 50, 100]);
  assert.deepEqual(niceTicks(0, 0), [0, 1]);
});

test('budget status and period', () => {
  const b = (actual, forecast, limit) => ({ BudgetLimit: { Amount: limit, Unit: 'USD' },
    CalculatedSpend: { ActualSpend: { Amount: actual, Unit: 'USD' }, ForecastedSpend: forecast && { Amount: forecast, Unit: 'USD' } } });
  assert.equal(status(b('120', '130', '100')).state, 'over');
  assert.equal(status(b('50', '130', '100')).state, 'forecast');
  assert.equal(status(b('50', '90', '100')).state, 'ok');
  assert.equal(status(b('100', null, '100')).state, 'ok');
  assert.equal(Math.round(status(b('50', '90', '200')).pct), 25);
  const today = utc('2025-05-20');
  assert.deepEqual(currentPeriod('MONTHLY', today).map(ymd), ['2025-05-01', '2025-06-01']);
  assert.deepEqual(currentPeriod('QUARTERLY', today).map(ymd), ['2025-04-01', '2025-07-01']);
  assert.deepEqual(currentPeriod('ANNUALLY', today).map(ymd), ['2025-01-01', '2026-01-01']);
  assert.deepEqual(currentPeriod('DAILY', today).map(ymd), ['2025-05-20', '2025-05-21']);
});

test('budget actions are described as the page lists them', () => {
  const iam = { NotificationType: 'ACTUAL', ActionType: 'APPLY_IAM_POLICY', ActionThreshold: { ActionThresholdValue: 80, ActionThresholdType: 'PERCENTAGE' },
    Definition: { IamActionDefinition: { PolicyArn: 'arn:aws:iam::aws:policy/AWSDenyAll', Roles: ['A', 'B'], Users: ['u'] } } };
  assert.equal(describeThreshold(iam), 'Actual > 80% of the limit');
  assert.equal(describeDefinition(iam), 'Attach arn:aws:iam::aws:policy/AWSDenyAll to roles A, B; user u');
  const ssm = { NotificationType: 'FORECASTED', ActionThreshold: { ActionThresholdValue: 1500, ActionThresholdType: 'ABSOLUTE_VALUE' },
    Definition: { SsmActionDefinition: { ActionSubType: 'STOP_RDS_INSTANCES', Region: 'eu-west-1', InstanceIds: ['db-1'] } } };
  assert.equal(describeThreshold(ssm, 'EUR'), 'Forecasted > 1500 EUR');
  assert.equal(describeDefinition(ssm), 'Stop RDS db-1 in eu-west-1');
  assert.equal(describeDefinition({ Definition: { ScpActionDefinition: { PolicyId: 'p-1', TargetIds: ['ou-1'] } } }), 'Attach SCP p-1 to ou-1');
  const ev = (t, m) => ({ Timestamp: t, ActionHistoryDetails: { Message: m } });
  assert.equal(dryRunNote([ev(1, 'action created'), ev(3, 'DRY RUN: would detach'), ev(2, 'DRY RUN: would attach'), ev(4, 'reset')]),
    'DRY RUN: would detach');
  assert.equal(dryRunNote([ev(1, 'action created')]), '');
  assert.equal(dryRunNote(null), '');
});
