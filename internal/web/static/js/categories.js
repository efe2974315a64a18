// The cost categories page: the definitions the signed-in account owns, an
// editor of their rules (REGULAR rules with dimension, tag and cost
// category conditions, INHERITED_VALUE rules), default value and split
// charge rules, and the split charges of a month. As in AWS, a split shows
// only here: Cost Explorer and Budgets show the costs before the split.
import { h, replace, notice, dateTime, addMonths, monthStart, ymd, debounce } from './dom.js';
import * as money from './money.js';

/** RULE_DIMENSIONS are the dimensions a cost category rule may read. */
export const RULE_DIMENSIONS = [
  ['LINKED_ACCOUNT', 'Linked account'],
  ['LINKED_ACCOUNT_NAME', 'Linked account name'],
  ['SERVICE_CODE', 'Service code'],
  ['REGION', 'Region'],
  ['USAGE_TYPE', 'Usage type'],
  ['RECORD_TYPE', 'Charge type'],
];

/** OPS are a condition's comparisons and the MatchOptions they send. */
export const OPS = [
  ['is', 'is', null],
  ['is-not', 'is not', null],
  ['starts-with', 'starts with', 'STARTS_WITH'],
  ['ends-with', 'ends with', 'ENDS_WITH'],
  ['contains', 'contains', 'CONTAINS'],
  ['absent', 'is absent', 'ABSENT'],
];

const KINDS = [['Dimensions', 'Dimension'], ['Tags', 'Tag'], ['CostCategories', 'Cost category']];

/** splitValues reads a comma-separated list, trimmed, without empties. */
export function splitValues(s) {
  return String(s || '').split(',').map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * toRuleExpression turns a rule's conditions ({join: 'And'|'Or', conds:
 * [{kind, key, op, values}]}) into a Cost Explorer Expression. "is not" is
 * a Not around the equality; "absent" takes no values.
 */
export function toRuleExpression(state) {
  const leaves = state.conds.map((c) => {
    const [, , option] = OPS.find(([k]) => k === c.op) || OPS[0];
    const body = { Key: c.key };
    if (c.op !== 'absent') body.Values = splitValues(c.values);
    if (option) body.MatchOptions = [option];
    const leaf = { [c.kind]: body };
    return c.op === 'is-not' ? { Not: leaf } : leaf;
  });
  if (leaves.length === 1) return leaves[0];
  return { [state.join === 'Or' ? 'Or' : 'And']: leaves };
}

/**
 * fromRuleExpression reads an Expression back into conditions, or returns
 * null when it does not fit them (deeper nesting, several options), so that
 * the editor shows it as JSON instead.
 */
export function fromRuleExpression(expr) {
  if (!expr) return null;
  const join = expr.And ? 'And' : expr.Or ? 'Or' : 'And';
  const parts = expr.And || expr.Or || [expr];
  const conds = [];
  for (const p of parts) {
    const neg = !!p.Not;
    const leaf = neg ? p.Not : p;
    const kinds = Object.keys(leaf).filter((k) => leaf[k] !== undefined && leaf[k] !== null);
    if (kinds.length !== 1 || !KINDS.some(([k]) => k === kinds[0])) return null;
    const body = leaf[kinds[0]];
    const opts = (body.MatchOptions || []).filter((o) => o !== 'EQUALS');
    if (opts.length > 1 || (neg && opts.length > 0)) return null;
    const op = neg ? 'is-not' : opts.length === 0 ? 'is' : (OPS.find(([, , o]) => o === opts[0]) || [null])[0];
    if (!op) return null;
    conds.push({ kind: kinds[0], key: body.Key || '', op, values: (body.Values || []).join(', ') });
  }
  return conds.length > 0 ? { join, conds } : null;
}

/** splitRows turns the split-charges view into table rows, each value's change included. */
export function splitRows(view) {
  return (view.values || []).map((v) => ({ value: v.value, before: money.parse(v.before), after: money.parse(v.after),
    change: money.parse(v.after) - money.parse(v.before) }));
}

/** render draws the page into main. */
export async function render(app, main) {
  const token = Symbol('categories-page');
  main.pageToken = token;
  const alive = () => main.pageToken === token;
  const listBox = h('section', {}, h('div', { className: 'muted loading' }, 'Loading cost categories…'));
  const editorBox = h('section');
  const previewBox = h('section', { 'data-testid': 'split-preview' });
  replace(main,
    h('div', { className: 'page-head' }, h('h1', {}, 'Cost categories'),
      h('p', { className: 'muted' }, 'A cost category maps costs to values by rules, evaluated in order: the first rule that matches gives the value, ' +
        'otherwise the default value. Cost Explorer and Budgets group and filter by it from its effective month on. ' +
        'Split charge rules share the costs of some values among others; as in AWS they show only on this page, never in Cost Explorer or Budgets.')),
    listBox, editorBox, previewBox);
  main.dataset.ready = 'false';
  await drawList();
  main.dataset.ready = 'true';

  function months() {
    const ms = monthStart(app.today());
    const out = [];
    for (let i = 0; i <= 12; i++) out.push(addMonths(ms, -i));
    return out;
  }
  const monthLabel = (m) => m.toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });

  async function drawList(message) {
    let defs;
    try {
      defs = await app.client.all('ce', 'ListCostCategoryDefinitions', { MaxResults: 100 }, 'CostCategoryReferences');
    } catch (e) {
      if (!alive()) return;
      replace(listBox, e.notImplemented ? notice('warn', 'Cost categories are not available on this server (', h('code', {}, e.type), ').')
        : notice('error', `${e.type}: ${e.message}`));
      return;
    }
    if (!alive()) return;
    defs.sort((a, b) => a.Name.localeCompare(b.Name));
    replace(listBox,
      message || null,
      h('div', { className: 'controls' },
        h('button', { type: 'button', className: 'btn btn-primary', 'data-testid': 'new-category', onclick: () => edit(null) }, 'New cost category')),
      defs.length === 0 ? notice('info', 'No cost categories yet. Create one to group costs by team, product or environment.') :
        h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'categories-table' },
          h('thead', {}, h('tr', {}, ['Name', 'Rules', 'Default value', 'Effective from', 'Values', 'Status', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, defs.map((d) => h('tr', { 'data-name': d.Name, 'data-arn': d.CostCategoryArn },
            h('td', {}, h('strong', {}, d.Name)),
            h('td', { className: 'num' }, String(d.NumberOfRules ?? '')),
            h('td', {}, d.DefaultValue || '—'),
            h('td', {}, dateTime(d.EffectiveStart)),
            h('td', { className: 'small' }, (d.Values || []).length > 4 ? `${d.Values.slice(0, 4).join(', ')} +${d.Values.length - 4}` : (d.Values || []).join(', ') || '—'),
            h('td', {}, (d.ProcessingStatus || []).map((s) => h('span', { className: `badge ${s.Status === 'APPLIED' ? 'badge-ok' : 'badge-warn'}` }, s.Status))),
            h('td', { className: 'row nowrap' },
              h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'edit-category', onclick: () => edit(d.CostCategoryArn) }, 'Edit'),
              h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'preview-category', onclick: () => preview(d.CostCategoryArn) }, 'Split charges'),
              h('button', { type: 'button', className: 'btn btn-small btn-danger', 'data-testid': 'delete-category', onclick: () => remove(d) }, 'Delete'))))))));
  }

  async function remove(d) {
    if (!window.confirm(`Delete the cost category ${d.Name}? Its values disappear from Cost Explorer and Budgets.`)) return;
    try {
      await app.client.call('ce', 'DeleteCostCategoryDefinition', { CostCategoryArn: d.CostCategoryArn });
    } catch (e) {
      await drawList(notice('error', `${e.type}: ${e.message}`));
      return;
    }
    replace(editorBox);
    replace(previewBox);
    await drawList(notice('info', `Deleted ${d.Name}.`));
  }

  async function edit(arn) {
    let def = { Name: '', Rules: [{ Type: 'REGULAR', Value: '', Rule: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [] } } }], SplitChargeRules: [] };
    if (arn) {
      try {
        def = (await app.client.call('ce', 'DescribeCostCategoryDefinition', { CostCategoryArn: arn })).CostCategory;
      } catch (e) {
        replace(editorBox, notice('error', `${e.type}: ${e.message}`));
        return;
      }
    }
    drawEditor(arn, def);
  }

  function drawEditor(arn, def) {
    const st = {
      name: def.Name || '',
      defaultValue: def.DefaultValue || '',
      rules: (def.Rules || []).map((r) => ruleState(r)),
      splits: (def.SplitChargeRules || []).map((s) => ({ source: s.Source, targets: (s.Targets || []).join(', '), method: s.Method,
        percents: ((s.Parameters || []).find((p) => p.Type === 'ALLOCATION_PERCENTAGES')?.Values || []).join(', ') })),
    };
    const ms = months();
    const from = h('select', { 'aria-label': 'Effective from', 'data-testid': 'category-from' },
      ms.map((m) => h('option', { value: `${ymd(m)}T00:00:00Z` }, monthLabel(m))));
    const message = h('div');
    const rulesBox = h('div', { 'data-testid': 'category-rules' });
    const splitsBox = h('div', { 'data-testid': 'category-splits' });
    const name = h('input', { value: st.name, disabled: !!arn, 'aria-label': 'Name', 'data-testid': 'category-name', maxLength: 50,
      oninput: (ev) => { st.name = ev.target.value; } });
    const dflt = h('input', { value: st.defaultValue, 'aria-label': 'Default value', 'data-testid': 'category-default', placeholder: 'none',
      oninput: (ev) => { st.defaultValue = ev.target.value; } });
    const save = h('button', { type: 'button', className: 'btn btn-primary', 'data-testid': 'category-save', onclick: () => submit() },
      arn ? 'Save changes' : 'Create cost category');
    replace(editorBox, h('div', { className: 'panel', 'data-testid': 'category-editor' },
      h('h2', {}, arn ? `Edit ${def.Name}` : 'New cost category'),
      h('div', { className: 'form-grid' },
        h('label', { className: 'control' }, h('span', { className: 'control-label' }, 'Name'), name),
        h('label', { className: 'control' }, h('span', { className: 'control-label' }, arn ? 'New rules apply from' : 'Effective from'), from),
        h('label', { className: 'control' }, h('span', { className: 'control-label' }, 'Default value'), dflt)),
      h('h3', {}, 'Rules'),
      h('p', { className: 'muted small' }, 'In order: the first rule that matches a cost gives its value.'),
      rulesBox,
      h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'add-rule',
        onclick: () => { st.rules.push(ruleState({ Type: 'REGULAR', Value: '', Rule: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [] } } })); drawRules(); } }, '+ Rule'),
      h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'add-inherited-rule',
        onclick: () => { st.rules.push(ruleState({ Type: 'INHERITED_VALUE', InheritedValue: { DimensionName: 'TAG', DimensionKey: '' } })); drawRules(); } }, '+ Inherited value rule'),
      h('h3', {}, 'Split charge rules'),
      h('p', { className: 'muted small' }, 'Share the costs of a source value among target values: proportionally to their costs, evenly, or by fixed percentages.'),
      splitsBox,
      h('div', { className: 'row' },
        h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'add-split',
          onclick: () => { st.splits.push({ source: '', targets: '', method: 'PROPORTIONAL', percents: '' }); drawSplits(true); } }, '+ Split charge rule'),
        arn ? h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'preview-split',
          onclick: () => previewDraft() }, 'Preview the split') : null,
        arn ? h('span', { className: 'muted small' }, 'The preview below follows your split charge rules as you edit them, before you save; the other rules as saved.')
          : h('span', { className: 'muted small' }, 'Create the category to preview its split.')),
      message,
      h('div', { className: 'row' }, h('span', { className: 'spacer' }),
        h('button', { type: 'button', className: 'btn', onclick: () => replace(editorBox) }, 'Cancel'), save)));
    drawRules();
    drawSplits();
    if (arn) preview(arn);
    editorBox.scrollIntoView?.({ block: 'start' });

    function ruleState(r) {
      if (r.Type === 'INHERITED_VALUE') {
        return { type: 'INHERITED_VALUE', dim: r.InheritedValue?.DimensionName || 'TAG', key: r.InheritedValue?.DimensionKey || '' };
      }
      const conds = fromRuleExpression(r.Rule);
      return { type: 'REGULAR', value: r.Value || '', expr: conds || { join: 'And', conds: [] }, json: conds ? null : JSON.stringify(r.Rule, null, 2) };
    }

    function drawRules() {
      replace(rulesBox, st.rules.length === 0 ? h('p', { className: 'muted' }, 'No rules: every cost gets the default value.') : null,
        st.rules.map((r, i) => {
          const move = (d) => { const j = i + d; if (j < 0 || j >= st.rules.length) return; [st.rules[i], st.rules[j]] = [st.rules[j], st.rules[i]]; drawRules(); };
          const head = h('div', { className: 'row' }, h('strong', {}, `${i + 1}.`),
            r.type === 'INHERITED_VALUE' ? h('span', {}, 'Value inherited from') : h('span', {}, 'Value'),
            r.type === 'INHERITED_VALUE'
              ? [(() => {
                const sel = h('select', { 'aria-label': 'Inherit from', 'data-testid': 'rule-inherit',
                  onchange: (ev) => { r.dim = ev.target.value; drawRules(); } },
                h('option', { value: 'TAG' }, 'a tag'), h('option', { value: 'LINKED_ACCOUNT_NAME' }, 'the linked account name'));
                sel.value = r.dim;
                return sel;
              })(), r.dim === 'TAG' ? h('input', { value: r.key, placeholder: 'tag key', 'aria-label': 'Tag key', 'data-testid': 'rule-inherit-key',
                oninput: (ev) => { r.key = ev.target.value; } }) : null]
              : h('input', { value: r.value, placeholder: 'value', 'aria-label': `Value of rule ${i + 1}`, 'data-testid': 'rule-value',
                oninput: (ev) => { r.value = ev.target.value; } }),
            h('span', { className: 'spacer' }),
            h('button', { type: 'button', className: 'btn btn-small', 'aria-label': 'Move up', disabled: i === 0, onclick: () => move(-1) }, '↑'),
            h('button', { type: 'button', className: 'btn btn-small', 'aria-label': 'Move down', disabled: i === st.rules.length - 1, onclick: () => move(1) }, '↓'),
            h('button', { type: 'button', className: 'btn btn-small btn-danger', 'aria-label': `Remove rule ${i + 1}`,
              onclick: () => { st.rules.splice(i, 1); drawRules(); } }, '×'));
          return h('div', { className: 'panel rule', 'data-testid': 'rule', 'data-type': r.type }, head,
            r.type === 'REGULAR' ? conditions(r) : null);
        }));
    }

    function conditions(r) {
      if (r.json !== null) {
        return h('div', {}, h('p', { className: 'muted small' }, 'This rule nests And, Or and Not beyond what the condition rows show; edit it as a Cost Explorer expression:'),
          h('textarea', { rows: 6, className: 'json', 'aria-label': 'Rule expression (JSON)', 'data-testid': 'rule-json', value: r.json,
            oninput: (ev) => { r.json = ev.target.value; } }));
      }
      const join = h('select', { 'aria-label': 'Combine conditions', 'data-testid': 'rule-join', onchange: (ev) => { r.expr.join = ev.target.value; } },
        h('option', { value: 'And' }, 'when all of'), h('option', { value: 'Or' }, 'when any of'));
      join.value = r.expr.join;
      return h('div', { className: 'conditions' },
        h('div', { className: 'row' }, join,
          h('span', { className: 'spacer' }),
          h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'rule-as-json',
            onclick: () => { r.json = JSON.stringify(toRuleExpression(r.expr), null, 2); drawRules(); } }, 'Edit as JSON')),
        r.expr.conds.map((c, j) => {
          const kind = h('select', { 'aria-label': 'Condition on', 'data-testid': 'cond-kind',
            onchange: (ev) => { c.kind = ev.target.value; c.key = c.kind === 'Dimensions' ? 'LINKED_ACCOUNT' : ''; drawRules(); } },
          KINDS.map(([k, l]) => h('option', { value: k }, l)));
          kind.value = c.kind;
          let key;
          if (c.kind === 'Dimensions') {
            key = h('select', { 'aria-label': 'Dimension', 'data-testid': 'cond-key', onchange: (ev) => { c.key = ev.target.value; } },
              RULE_DIMENSIONS.map(([k, l]) => h('option', { value: k }, l)));
            key.value = c.key;
          } else {
            key = h('input', { value: c.key, placeholder: c.kind === 'Tags' ? 'tag key' : 'category name', 'aria-label': 'Key', 'data-testid': 'cond-key',
              oninput: (ev) => { c.key = ev.target.value; } });
          }
          const op = h('select', { 'aria-label': 'Comparison', 'data-testid': 'cond-op', onchange: (ev) => { c.op = ev.target.value; drawRules(); } },
            OPS.filter(([k]) => k !== 'absent' || c.kind !== 'Dimensions').map(([k, l]) => h('option', { value: k }, l)));
          op.value = c.op;
          return h('div', { className: 'row cond', 'data-testid': 'cond' }, kind, key, op,
            c.op === 'absent' ? null : h('input', { value: c.values, placeholder: 'values, comma-separated', className: 'wide',
              'aria-label': 'Values', 'data-testid': 'cond-values', oninput: (ev) => { c.values = ev.target.value; } }),
            h('button', { type: 'button', className: 'btn btn-small', 'aria-label': 'Remove condition',
              onclick: () => { r.expr.conds.splice(j, 1); drawRules(); } }, '×'));
        }),
        h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'add-cond',
          onclick: () => { r.expr.conds.push({ kind: 'Dimensions', key: 'LINKED_ACCOUNT', op: 'is', values: '' }); drawRules(); } }, '+ Condition'));
    }

    const livePreview = debounce(() => { if (arn) previewDraft(); }, 500);
    function previewDraft() {
      preview(arn, previewBox.dataset.month, draftSplits());
    }
    function draftSplits() {
      return st.splits.map((s) => {
        const out = { Source: s.source.trim(), Targets: splitValues(s.targets), Method: s.method };
        if (s.method === 'FIXED') out.Parameters = [{ Type: 'ALLOCATION_PERCENTAGES', Values: splitValues(s.percents) }];
        return out;
      });
    }

    // drawSplits draws the split charge rules; changed says the user
    // changed them, which refreshes the preview.
    function drawSplits(changed) {
      if (changed) livePreview();
      replace(splitsBox, st.splits.map((s, i) => {
        const method = h('select', { 'aria-label': 'Method', 'data-testid': 'split-method', onchange: (ev) => { s.method = ev.target.value; drawSplits(true); } },
          [['PROPORTIONAL', 'Proportional to their costs'], ['EVEN', 'Evenly'], ['FIXED', 'Fixed percentages']].map(([v, l]) => h('option', { value: v }, l)));
        method.value = s.method;
        return h('div', { className: 'row panel', 'data-testid': 'split' },
          h('span', {}, 'Share'),
          h('input', { value: s.source, placeholder: 'source value', 'aria-label': 'Source value', 'data-testid': 'split-source', oninput: (ev) => { s.source = ev.target.value; livePreview(); } }),
          h('span', {}, 'among'),
          h('input', { value: s.targets, placeholder: 'target values, comma-separated', className: 'wide', 'aria-label': 'Target values',
            'data-testid': 'split-targets', oninput: (ev) => { s.targets = ev.target.value; livePreview(); } }),
          method,
          s.method === 'FIXED' ? h('input', { value: s.percents, placeholder: 'percentages, in target order', 'aria-label': 'Percentages',
            'data-testid': 'split-percents', oninput: (ev) => { s.percents = ev.target.value; livePreview(); } }) : null,
          h('button', { type: 'button', className: 'btn btn-small btn-danger', 'aria-label': `Remove split charge rule ${i + 1}`,
            onclick: () => { st.splits.splice(i, 1); drawSplits(true); } }, '×'));
      }));
    }

    function definition() {
      const rules = st.rules.map((r, i) => {
        if (r.type === 'INHERITED_VALUE') {
          return { Type: 'INHERITED_VALUE', InheritedValue: r.dim === 'TAG' ? { DimensionName: 'TAG', DimensionKey: r.key.trim() } : { DimensionName: r.dim } };
        }
        let rule;
        if (r.json !== null) {
          try {
            rule = JSON.parse(r.json);
          } catch (e) {
            throw new Error(`rule ${i + 1}: the expression is not JSON: ${e.message}`);
          }
        } else {
          if (r.expr.conds.length === 0) throw new Error(`rule ${i + 1}: add a condition`);
          rule = toRuleExpression(r.expr);
        }
        return { Type: 'REGULAR', Value: r.value.trim(), Rule: rule };
      });
      const splits = draftSplits();
      const body = { RuleVersion: 'CostCategoryExpression.v1', Rules: rules, EffectiveStart: from.value };
      if (st.defaultValue.trim()) body.DefaultValue = st.defaultValue.trim();
      if (splits.length) body.SplitChargeRules = splits;
      return body;
    }

    async function submit() {
      let body;
      try {
        body = definition();
      } catch (e) {
        replace(message, notice('error', e.message));
        return;
      }
      save.disabled = true;
      let saved = arn;
      try {
        if (arn) {
          await app.client.call('ce', 'UpdateCostCategoryDefinition', { CostCategoryArn: arn, ...body });
        } else {
          saved = (await app.client.call('ce', 'CreateCostCategoryDefinition', { Name: st.name.trim(), ...body })).CostCategoryArn;
        }
      } catch (e) {
        save.disabled = false;
        replace(message, notice('error', h('strong', {}, `${e.type}: `), e.message));
        return;
      }
      replace(editorBox);
      await drawList(notice('info', `${arn ? 'Saved' : 'Created'} ${st.name || def.Name}.`));
      await preview(saved);
    }
  }

  // preview shows the split of the saved category arn in month, or with
  // draft split charge rules (not saved yet) in place of its own.
  async function preview(arn, month, draft) {
    const ms = months();
    const chosen = month || ymd(ms[1]).slice(0, 7);
    previewBox.dataset.month = chosen;
    const sel = h('select', { 'aria-label': 'Month', 'data-testid': 'split-month', onchange: (ev) => preview(arn, ev.target.value, draft) },
      ms.map((m) => h('option', { value: ymd(m).slice(0, 7) }, monthLabel(m))));
    sel.value = chosen;
    const head = (title) => h('div', { className: 'table-head' }, h('h2', {}, title), h('span', { className: 'spacer' }),
      h('label', { className: 'control' }, h('span', { className: 'control-label' }, 'Month'), sel));
    const seq = (previewBox.seq = (previewBox.seq || 0) + 1);
    if (!previewBox.firstChild) replace(previewBox, head('Split charges'), h('div', { className: 'muted loading' }, 'Computing the split…'));
    previewBox.dataset.ready = 'false';
    previewBox.dataset.draft = draft ? 'true' : 'false';
    let view;
    try {
      const rules = draft ? `&rules=${encodeURIComponent(JSON.stringify(draft))}` : '';
      view = await app.client.get(`/ui/api/split-charges?arn=${encodeURIComponent(arn)}&month=${chosen}${rules}`);
    } catch (e) {
      if (!alive() || seq !== previewBox.seq) return;
      replace(previewBox, head('Split charges'), notice('error', `${e.type}: ${e.message}`));
      previewBox.dataset.ready = 'true';
      return;
    }
    if (!alive() || seq !== previewBox.seq) return;
    const fmt = (v) => money.format(v, view.unit || 'USD');
    const rows = splitRows(view);
    const label = (v) => (v === '' ? '(uncategorised)' : v);
    replace(previewBox, head(`${draft ? 'Preview: ' : ''}Split charges of ${view.name}, ${monthLabel(new Date(`${chosen}-01T00:00:00Z`))}`),
      draft ? notice('info', 'With the split charge rules being edited, not saved yet.') : null,
      h('p', { className: 'muted small' }, `${view.metric}, rounded to the cent. A Tally-only view: Cost Explorer and Budgets show the costs before the split, as AWS does.`),
      rows.length === 0 ? notice('info', 'No costs in this month.') :
        h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'split-values' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Value'), ['Before the split', 'Split', 'After the split'].map((t) => h('th', { className: 'num' }, t)))),
          h('tbody', {}, rows.map((r) => h('tr', { 'data-value': r.value },
            h('th', { scope: 'row' }, label(r.value)),
            h('td', { className: 'num', 'data-amount': money.plain(r.before) }, fmt(r.before)),
            h('td', { className: `num ${r.change < 0n ? 'neg' : ''}`, 'data-amount': money.plain(r.change) }, r.change === 0n ? '—' : (r.change > 0n ? '+' : '') + fmt(r.change)),
            h('td', { className: 'num strong', 'data-amount': money.plain(r.after) }, fmt(r.after))))),
          h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'Total'),
            h('td', { className: 'num', 'data-amount': money.plain(money.sum(rows.map((r) => r.before))) }, fmt(money.sum(rows.map((r) => r.before)))),
            h('td', { className: 'num' }, ''),
            h('td', { className: 'num strong', 'data-amount': money.plain(money.sum(rows.map((r) => r.after))) }, fmt(money.sum(rows.map((r) => r.after)))))))),
      (view.allocations || []).length === 0 ? null : [h('h3', {}, 'Allocations'),
        h('table', { className: 'data', 'data-testid': 'split-allocations' },
          h('thead', {}, h('tr', {}, ['From', 'To', 'Method', 'Amount'].map((t) => h('th', {}, t)))),
          h('tbody', {}, view.allocations.map((a) => h('tr', {},
            h('td', {}, label(a.source)), h('td', {}, label(a.target)), h('td', {}, a.method),
            h('td', { className: 'num', 'data-amount': money.plain(money.parse(a.amount)) }, fmt(money.parse(a.amount)))))))]);
    previewBox.dataset.ready = 'true';
  }
}
