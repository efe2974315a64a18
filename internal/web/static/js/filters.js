// The filter editor: a row of chips ("Service is Amazon EC2") and a panel to
// add or change one, choosing a dimension or tag, include or exclude, and
// values from those that have cost in the chosen period.
import { h, replace, debounce } from './dom.js';
import { DIMENSIONS, dimensionLabel } from './dims.js';

/**
 * A filter is {op: "include"|"exclude", type: "DIMENSION"|"TAG"|"COST_CATEGORY", key, values}.
 * toExpression turns filters into a Cost Explorer (or Budgets) Expression:
 * the filters are ANDed, an exclusion is a Not.
 */
export function toExpression(filters) {
  const parts = filters.filter((f) => f.values.length > 0).map((f) => {
    const member = { TAG: 'Tags', COST_CATEGORY: 'CostCategories' }[f.type] || 'Dimensions';
    const leaf = { [member]: { Key: f.key, Values: f.values } };
    return f.op === 'exclude' ? { Not: leaf } : leaf;
  });
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { And: parts };
}

/**
 * fromExpression reads back an Expression made of ANDed (possibly negated)
 * Dimensions and Tags leaves; it returns null for anything else.
 */
export function fromExpression(expr) {
  if (!expr) return [];
  const leaves = expr.And ? expr.And : [expr];
  const out = [];
  for (const e of leaves) {
    const neg = !!e.Not;
    const leaf = neg ? e.Not : e;
    const keys = Object.keys(leaf).filter((k) => leaf[k] !== undefined && leaf[k] !== null);
    if (keys.length !== 1 || !['Dimensions', 'Tags', 'CostCategories'].includes(keys[0])) return null;
    const v = leaf[keys[0]];
    if (v.MatchOptions && v.MatchOptions.some((o) => o !== 'EQUALS')) return null;
    out.push({ op: neg ? 'exclude' : 'include', type: { Tags: 'TAG', CostCategories: 'COST_CATEGORY' }[keys[0]] || 'DIMENSION', key: v.Key,
      values: v.Values || [] });
  }
  return out;
}

/** valueLabel shows a filter or group value ("" is an untagged line). */
export function valueLabel(type, value) {
  if (type === 'TAG' && value === '') return '(no tag)';
  if (type === 'COST_CATEGORY' && value === '') return '(no value)';
  return value;
}

/** describe phrases a filter for its chip. */
export function describe(f) {
  const what = f.type === 'TAG' ? `Tag ${f.key}` : f.type === 'COST_CATEGORY' ? `Cost category ${f.key}` : dimensionLabel(f.key);
  const verb = f.op === 'exclude' ? (f.values.length > 1 ? 'is none of' : 'is not') : (f.values.length > 1 ? 'is one of' : 'is');
  const vals = f.values.map((v) => valueLabel(f.type, v));
  const shown = vals.length > 2 ? `${vals.slice(0, 2).join(', ')} +${vals.length - 2}` : vals.join(', ');
  return `${what} ${verb} ${shown}`;
}

/**
 * filterEditor returns the editor element.
 * @param {object} o
 * @param {Array} o.filters the current filters (not modified)
 * @param {(filters: Array) => void} o.onChange called with the new list
 * @param {() => Promise<string[]>} o.tagKeys loads the tag keys
 * @param {() => Promise<string[]>} [o.categoryNames] loads the cost category names
 * @param {(type, key, search) => Promise<{value, label}[]>} o.values loads values
 * @param {Array} [o.dimensions] [key, label] pairs offered
 * @param {boolean} [o.allowExclude]
 */
export function filterEditor(o) {
  const dims = o.dimensions || DIMENSIONS;
  const allowExclude = o.allowExclude !== false;
  const root = h('div', { className: 'filters' });
  const chips = h('div', { className: 'chips' });
  const panelBox = h('div');
  root.append(chips, panelBox);
  drawChips();
  return root;

  function drawChips() {
    replace(chips,
      h('span', { className: 'filters-label' }, 'Filters'),
      o.filters.length === 0 ? h('span', { className: 'muted' }, 'none') : null,
      o.filters.map((f, i) => h('span', { className: `chip chip-${f.op}`, 'data-testid': 'filter-chip' },
        h('button', { type: 'button', className: 'chip-text', title: 'Change this filter', onclick: () => openPanel(i) }, describe(f)),
        h('button', { type: 'button', className: 'chip-x', 'aria-label': `Remove filter ${describe(f)}`,
          onclick: () => o.onChange(o.filters.filter((_, j) => j !== i)) }, '×'))),
      h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'add-filter', onclick: () => openPanel(-1) },
        '+ Add filter'),
    );
  }

  function openPanel(index) {
    const cur = index >= 0 ? o.filters[index] : { op: 'include', type: 'DIMENSION', key: 'SERVICE', values: [] };
    const state = { ...cur, values: [...cur.values] };
    const what = h('select', { 'aria-label': 'Filter on', 'data-testid': 'filter-key' },
      h('optgroup', { label: 'Dimensions' }, dims.map(([k, label]) => h('option', { value: `DIMENSION:${k}` }, label))),
      h('optgroup', { label: 'Tags', 'data-role': 'tag-keys' }),
      o.categoryNames ? h('optgroup', { label: 'Cost categories', 'data-role': 'category-names' }) : null);
    what.value = `${state.type}:${state.key}`;
    const tagGroup = what.querySelector('[data-role=tag-keys]');
    o.tagKeys().then((keys) => {
      for (const k of keys) tagGroup.append(h('option', { value: `TAG:${k}` }, `Tag: ${k}`));
      if (state.type === 'TAG') what.value = `TAG:${state.key}`;
      if (keys.length === 0) tagGroup.append(h('option', { disabled: true }, 'no active tags in this period'));
    }).catch(() => tagGroup.append(h('option', { disabled: true }, 'tags unavailable')));
    const catGroup = what.querySelector('[data-role=category-names]');
    if (catGroup) {
      o.categoryNames().then((names) => {
        for (const n of names) catGroup.append(h('option', { value: `COST_CATEGORY:${n}` }, `Cost category: ${n}`));
        if (state.type === 'COST_CATEGORY') what.value = `COST_CATEGORY:${state.key}`;
        if (names.length === 0) catGroup.append(h('option', { disabled: true }, 'no cost categories in this period'));
      }).catch(() => catGroup.append(h('option', { disabled: true }, 'cost categories unavailable')));
    }
    const opSel = h('select', { 'aria-label': 'Include or exclude', 'data-testid': 'filter-op', disabled: !allowExclude },
      h('option', { value: 'include' }, 'Include only'),
      h('option', { value: 'exclude' }, 'Exclude'));
    opSel.value = state.op;
    const search = h('input', { type: 'search', placeholder: 'Search values', 'aria-label': 'Search values',
      'data-testid': 'filter-search' });
    const list = h('div', { className: 'value-list', 'data-testid': 'filter-values' });
    const count = h('span', { className: 'muted' });
    const apply = h('button', { type: 'button', className: 'btn btn-primary', 'data-testid': 'filter-apply' }, 'Apply');
    const cancel = h('button', { type: 'button', className: 'btn' }, 'Cancel');
    const panel = h('div', { className: 'panel filter-panel', role: 'dialog', 'aria-label': 'Filter' },
      h('div', { className: 'row' }, h('label', {}, 'Filter on ', what), h('label', {}, opSel)),
      search, list, h('div', { className: 'row' }, count, h('span', { className: 'spacer' }), cancel, apply));
    replace(panelBox, panel);

    let loadSeq = 0;
    async function load() {
      const seq = ++loadSeq;
      replace(list, h('div', { className: 'muted' }, 'Loading values…'));
      try {
        const vals = await o.values(state.type, state.key, search.value.trim());
        if (seq !== loadSeq) return;
        const known = new Set(vals.map((v) => v.value));
        const extra = state.values.filter((v) => !known.has(v)).map((v) => ({ value: v, label: valueLabel(state.type, v) }));
        const all = [...extra, ...vals];
        replace(list, all.length === 0 ? h('div', { className: 'muted' }, 'No values with cost in this period') :
          all.map((v) => h('label', { className: 'value' },
            h('input', { type: 'checkbox', value: v.value, checked: state.values.includes(v.value),
              onchange: (ev) => {
                if (ev.target.checked) state.values.push(v.value);
                else state.values = state.values.filter((x) => x !== v.value);
                updateCount();
              } }),
            h('span', {}, v.label))));
      } catch (e) {
        if (seq === loadSeq) replace(list, h('div', { className: 'error-text' }, `Cannot load values: ${e.message}`));
      }
    }
    function updateCount() {
      count.textContent = `${state.values.length} selected`;
      apply.disabled = state.values.length === 0;
    }
    what.addEventListener('change', () => {
      const [type, ...rest] = what.value.split(':');
      state.type = type;
      state.key = rest.join(':');
      state.values = [];
      updateCount();
      load();
    });
    opSel.addEventListener('change', () => { state.op = opSel.value; });
    search.addEventListener('input', debounce(load, 250));
    cancel.addEventListener('click', () => replace(panelBox));
    apply.addEventListener('click', () => {
      const next = [...o.filters];
      if (index >= 0) next[index] = state; else next.push(state);
      replace(panelBox);
      o.onChange(next);
    });
    updateCount();
    load();
  }
}
