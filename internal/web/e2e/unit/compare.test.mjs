// Unit tests of the Compare page's pure functions (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as money from '../../static/js/money.js';
import { readState, writeState, interval, flatten } from '../../static/js/compare.js';

const utc = (s) => new Date(`${s}T00:00:00Z`);

test('compare state: defaults to the two months before today, round-trips through the URL', () => {
  const st = readState('', utc('2025-03-10'));
  assert.deepEqual(st, { baseline: '2025-01', comparison: '2025-02', metric: 'UnblendedCost', group: 'SERVICE', selected: '' });
  const jan = readState('', utc('2025-01-31'));
  assert.equal(jan.baseline, '2024-11');
  assert.equal(jan.comparison, '2024-12');
  const back = readState(writeState({ ...st, group: 'LINKED_ACCOUNT', selected: 'a b&c' }), utc('2025-03-10'));
  assert.equal(back.selected, 'a b&c');
  assert.equal(back.group, 'LINKED_ACCOUNT');
  assert.equal(readState('?baseline=2025-13x&metric=Nope', utc('2025-03-10')).baseline, '2025-01');
  assert.equal(readState('?metric=Nope', utc('2025-03-10')).metric, 'UnblendedCost');
});

test('compare interval is one whole month', () => {
  assert.deepEqual(interval('2024-12'), { Start: '2024-12-01', End: '2025-01-01' });
  assert.deepEqual(interval('2024-02'), { Start: '2024-02-01', End: '2024-03-01' });
});

test('drivers flatten with their service and usage type, largest first, summing exactly', () => {
  const m = (b, c) => ({ UnblendedCost: { BaselineTimePeriodAmount: b, ComparisonTimePeriodAmount: c,
    Difference: String(money.plain(money.parse(c) - money.parse(b))), Unit: 'USD' } });
  const sel = (svc, ut) => ({ And: [{ Dimensions: { Key: 'SERVICE', Values: [svc] } }, { Dimensions: { Key: 'USAGE_TYPE', Values: [ut] } }] });
  const entries = [
    { CostSelector: sel('EC2', 'BoxUsage'), CostDrivers: [
      { Type: 'USAGE_CHANGE', Name: 'BoxUsage', Metrics: { ...m('10', '10.3333333333'), UsageQuantity: { BaselineTimePeriodAmount: '3', ComparisonTimePeriodAmount: '3.1', Difference: '0.1', Unit: 'Hrs' } } },
      { Type: 'RATE_CHANGE', Name: 'BoxUsage', Metrics: m('10.3333333333', '20') }] },
    { CostSelector: sel('S3', 'Storage'), CostDrivers: [{ Type: 'CREDIT', Name: 'Credit', Metrics: m('-1', '-6') }] },
  ];
  const out = flatten(entries, 'UnblendedCost');
  assert.deepEqual(out.map((d) => [d.type, d.service, d.usageType]), [['RATE_CHANGE', 'EC2', 'BoxUsage'], ['CREDIT', 'S3', 'Storage'], ['USAGE_CHANGE', 'EC2', 'BoxUsage']]);
  assert.equal(money.plain(money.sum(out.map((d) => d.diff))), '5');
  assert.equal(out[2].usage.unit, 'Hrs');
});
