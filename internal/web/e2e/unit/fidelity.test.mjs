// Unit tests of the UI points of issue 12: one budget rule for the Budgets
// page and the Cost Explorer badge, the y axis, x-axis labels, and the
// average per period.
import test from 'node:test';
import assert from 'node:assert/strict';
import { periodsElapsed } from '../../static/js/explorer.js';
import { niceTicks, labelStep } from '../../static/js/chart.js';
import { summarize, headline } from '../../static/js/budgets.js';

const budget = (limit, actual, forecast) => ({ BudgetLimit: { Amount: limit, Unit: 'USD' },
  CalculatedSpend: { ActualSpend: { Amount: actual, Unit: 'USD' }, ForecastedSpend: { Amount: forecast, Unit: 'USD' } } });

test('the badge and the Budgets page count a forecast alarm the same way', () => {
  const budgets = [budget('100', '20', '50'), budget('100', '30', '140'), budget('100', '10', '60')];
  const notes = [[{ NotificationState: 'OK' }], [{ NotificationType: 'FORECASTED', NotificationState: 'ALARM' }], null];
  const s = summarize(budgets, notes);
  assert.equal(s.alarms, 1);
  assert.equal(s.forecast, 1);
  assert.equal(s.over, 0);
  assert.equal(headline(s), '1 of 3 budgets in alarm');
  assert.equal(headline(summarize([budget('100', '20', '50')], [[]])), 'The budget is on track');
  assert.equal(headline(summarize(budgets.slice(1, 2), [[]])), '1 of 1 budgets forecast over their limit');
  assert.equal(headline(summarize([budget('10', '20', '50'), budget('100', '1', '2')], [[], []])), '1 of 2 budgets over their limit');
});

test('the y axis stays at zero when nothing is (visibly) negative', () => {
  assert.equal(niceTicks(-1e-9, 2400)[0], 0);
  assert.equal(niceTicks(-0.5, 2400)[0], 0);
  assert.ok(niceTicks(-300, 2400)[0] < 0, 'a real credit still shows below zero');
  assert.deepEqual(niceTicks(0, 0), [0, 1]);
});

test('x-axis labels are spaced so that they do not overlap', () => {
  const hours = Array.from({ length: 48 }, (_, i) => `Oct 05 ${String(i % 24).padStart(2, '0')}:00`);
  const band = 912 / hours.length;
  const step = labelStep(hours, band);
  assert.ok(step * band >= 12 * 7.5, `labels ${step * band} units apart`);
  assert.equal(labelStep(['Oct 2018', 'Nov 2018', 'Dec 2018'], 912 / 3), 1);
});

test('a month two days old is not a whole month in the average', () => {
  const now = new Date(Date.UTC(2026, 11, 2, 15));
  const months = [{ start: '2026-10-01', end: '2026-11-01' }, { start: '2026-11-01', end: '2026-12-01' },
    { start: '2026-12-01', end: '2027-01-01' }];
  assert.ok(Math.abs(periodsElapsed(months, 'MONTHLY', now) - (2 + 2 / 31)) < 1e-9);
  const days = [{ start: '2026-12-01', end: '2026-12-02' }, { start: '2026-12-02', end: '2026-12-03' }, { start: '2026-12-03', end: '2026-12-04' }];
  assert.equal(periodsElapsed(days, 'DAILY', now), 2);
  assert.equal(periodsElapsed([{ start: '2026-09-15', end: '2026-10-01' }], 'MONTHLY', now), 16 / 30);
});
