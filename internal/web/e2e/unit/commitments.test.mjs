// Unit tests of the Commitments page's pure functions.
import test from 'node:test';
import assert from 'node:assert/strict';
import { attr, pct, perHour, expiring } from '../../static/js/commitments.js';

test('attr reads RI and Savings Plans attributes whatever their case', () => {
  assert.equal(attr({ endDateTime: '2026-05-01T00:00:00Z' }, 'EndDateTime'), '2026-05-01T00:00:00Z');
  assert.equal(attr({ EndDateTime: 'x' }, 'endDateTime'), 'x');
  assert.equal(attr(undefined, 'endDateTime'), undefined);
});

test('pct and perHour print API strings', () => {
  assert.equal(pct('87.456'), '87.5%');
  assert.equal(pct(undefined), '—');
  assert.equal(perHour('1.074'), '$1.074/h');
  assert.equal(perHour('0.5'), '$0.500/h');
  assert.equal(perHour(''), '—');
});

test('expiring keeps what ends within the window, soonest first', () => {
  const today = new Date('2026-03-01T10:00:00Z');
  const got = expiring([
    { kind: 'Savings Plan', id: 'b', end: '2026-05-20T00:00:00Z' },
    { kind: 'Reserved Instance', id: 'a', end: '2026-03-05T00:00:00Z' },
    { kind: 'Reserved Instance', id: 'gone', end: '2026-02-01T00:00:00Z' },
    { kind: 'Reserved Instance', id: 'later', end: '2027-01-01T00:00:00Z' },
    { kind: 'Savings Plan', id: 'unknown' },
  ], today, 90);
  assert.deepEqual(got.map((x) => [x.id, x.daysLeft]), [['a', 4], ['b', 80]]);
});
