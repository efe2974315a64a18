// Unit tests of the cost categories page's pure functions and of cost
// category filters, run with `node --test` by TestNodeUnit.
import test from 'node:test';
import assert from 'node:assert/strict';
import { toRuleExpression, fromRuleExpression, splitValues, splitRows } from '../../static/js/categories.js';
import { toExpression, fromExpression, describe } from '../../static/js/filters.js';
import { readState, writeState, tabulate } from '../../static/js/explorer.js';

test('rule conditions round-trip through expressions', () => {
  const cases = [
    [{ join: 'And', conds: [{ kind: 'Dimensions', key: 'LINKED_ACCOUNT', op: 'is', values: '111, 222' }] },
      { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['111', '222'] } }],
    [{ join: 'Or', conds: [{ kind: 'Tags', key: 'Team', op: 'is-not', values: 'a' }, { kind: 'Dimensions', key: 'USAGE_TYPE', op: 'starts-with', values: 'USE1-' }] },
      { Or: [{ Not: { Tags: { Key: 'Team', Values: ['a'] } } }, { Dimensions: { Key: 'USAGE_TYPE', Values: ['USE1-'], MatchOptions: ['STARTS_WITH'] } }] }],
    [{ join: 'And', conds: [{ kind: 'CostCategories', key: 'Env', op: 'absent', values: '' }, { kind: 'Tags', key: 'Project', op: 'contains', values: 'x' }] },
      { And: [{ CostCategories: { Key: 'Env', MatchOptions: ['ABSENT'] } }, { Tags: { Key: 'Project', Values: ['x'], MatchOptions: ['CONTAINS'] } }] }],
  ];
  for (const [state, expr] of cases) {
    assert.deepEqual(toRuleExpression(state), expr);
    const back = fromRuleExpression(expr);
    assert.deepEqual(toRuleExpression(back), expr);
  }
});

test('expressions the rows cannot show are left to JSON', () => {
  assert.equal(fromRuleExpression({ And: [{ Or: [{ Tags: { Key: 'a', Values: ['1'] } }] }] }), null);
  assert.equal(fromRuleExpression({ Not: { Dimensions: { Key: 'REGION', Values: ['x'], MatchOptions: ['STARTS_WITH'] } } }), null);
  assert.equal(fromRuleExpression(undefined), null);
});

test('values and split rows', () => {
  assert.deepEqual(splitValues(' a, ,b ,c'), ['a', 'b', 'c']);
  const rows = splitRows({ values: [{ value: 'Shared', before: '10.00', after: '0.00' }, { value: 'A', before: '1.5', after: '11.5' }] });
  assert.deepEqual(rows.map((r) => [r.value, r.change]), [['Shared', -100000000000n], ['A', 100000000000n]]);
});

test('cost category filters and groups', () => {
  const filters = [{ op: 'exclude', type: 'COST_CATEGORY', key: 'Teams', values: ['Shared', ''] }];
  const expr = toExpression(filters);
  assert.deepEqual(expr, { Not: { CostCategories: { Key: 'Teams', Values: ['Shared', ''] } } });
  assert.deepEqual(fromExpression(expr), filters);
  assert.equal(describe(filters[0]), 'Cost category Teams is none of Shared, (no value)');
  const st = readState(writeState({ ...readState(''), group: 'COST_CATEGORY:Teams', filters }));
  assert.equal(st.group, 'COST_CATEGORY:Teams');
  assert.deepEqual(st.filters, filters);
  const table = tabulate([{ ResultsByTime: [{ TimePeriod: { Start: '2025-01-01', End: '2025-02-01' }, Groups: [
    { Keys: ['Teams$Platform'], Metrics: { UnblendedCost: { Amount: '2', Unit: 'USD' } } },
    { Keys: ['Teams$'], Metrics: { UnblendedCost: { Amount: '1', Unit: 'USD' } } }] }] }], { ...st, metric: 'UnblendedCost' });
  assert.deepEqual(table.rows.map((r) => r.label), ['Platform', '(no Teams value)']);
});

test('canonical query strings are sorted and RFC 3986-encoded', async () => {
  const { canonicalQuery } = await import('../../static/js/api.js');
  assert.equal(canonicalQuery('month=2025-02&arn=arn:aws:ce::1:costcategory/x'), 'arn=arn%3Aaws%3Ace%3A%3A1%3Acostcategory%2Fx&month=2025-02');
  assert.equal(canonicalQuery("b=it's (a)*&a=1 2"), 'a=1%202&b=it%27s%20%28a%29%2A');
  assert.equal(canonicalQuery(''), '');
});
