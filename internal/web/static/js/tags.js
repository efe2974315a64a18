// The cost allocation tags page: every tag key with its status, type and
// dates; activate or deactivate a selection; start a backfill and watch it.
import { h, replace, notice, dateTime, addMonths, monthStart, ymd } from './dom.js';

/** render draws the page into main. */
export async function render(app, main) {
  const token = Symbol('tags-page');
  main.pageToken = token;
  const alive = () => main.pageToken === token;
  const listBox = h('section', {}, h('div', { className: 'muted loading' }, 'Loading tags…'));
  const backfillBox = h('section', { className: 'backfill' });
  replace(main,
    h('div', { className: 'page-head' }, h('h1', {}, 'Cost allocation tags'),
      h('p', { className: 'muted' }, 'A tag\'s values show in Cost Explorer and Budgets only for billing months in which its key is active. Activating or deactivating a key applies from the current month on; a backfill applies every key\'s current status to earlier months too.')),
    listBox, backfillBox);
  main.dataset.ready = 'false';
  const filter = { search: '', status: '', type: '' };
  let selected = new Set();
  let tags;
  try {
    tags = await loadTags();
  } catch (e) {
    if (!alive()) return;
    await unavailable(app, listBox, e);
    replace(backfillBox);
    main.dataset.ready = 'true';
    return;
  }
  if (!alive()) return;
  drawList();
  await drawBackfill();
  main.dataset.ready = 'true';

  function loadTags() {
    return app.client.all('ce', 'ListCostAllocationTags', { MaxResults: 1000 }, 'CostAllocationTags');
  }

  function drawList(message, focusSearch) {
    const shown = tags.filter((t) => (!filter.status || t.Status === filter.status) && (!filter.type || t.Type === filter.type) &&
      (!filter.search || t.TagKey.toLowerCase().includes(filter.search.toLowerCase())));
    selected = new Set([...selected].filter((k) => tags.some((t) => t.TagKey === k)));
    const active = tags.filter((t) => t.Status === 'Active').length;
    const act = async (status) => {
      const keys = [...selected];
      const errors = [];
      try {
        for (let i = 0; i < keys.length; i += 20) {
          const resp = await app.client.call('ce', 'UpdateCostAllocationTagsStatus', {
            CostAllocationTagsStatus: keys.slice(i, i + 20).map((k) => ({ TagKey: k, Status: status })) });
          errors.push(...(resp.Errors || []));
        }
        tags = await loadTags();
      } catch (e) {
        drawList(notice('error', `${e.type}: ${e.message}`));
        return;
      }
      selected = new Set();
      drawList(errors.length ? notice('error', errors.map((er) => h('div', {}, `${er.TagKey}: ${er.Code} ${er.Message || ''}`)))
        : notice('info', `${status === 'Active' ? 'Activated' : 'Deactivated'} ${keys.length} tag key${keys.length > 1 ? 's' : ''}. Earlier months keep their status until a backfill.`));
      drawBackfill();
    };
    const selectSel = (label, key, opts) => {
      const sel = h('select', { 'aria-label': label, 'data-testid': `tag-filter-${key}`,
        onchange: (ev) => { filter[key] = ev.target.value; drawList(); } }, opts.map(([v, l]) => h('option', { value: v }, l)));
      sel.value = filter[key];
      return sel;
    };
    const search = h('input', { type: 'search', placeholder: 'Search tag keys', value: filter.search, 'aria-label': 'Search tag keys',
      oninput: (ev) => { filter.search = ev.target.value; drawList(undefined, true); } });
    const all = h('input', { type: 'checkbox', 'aria-label': 'Select all shown', checked: shown.length > 0 && shown.every((t) => selected.has(t.TagKey)),
      onchange: (ev) => { for (const t of shown) { if (ev.target.checked) selected.add(t.TagKey); else selected.delete(t.TagKey); } drawList(); } });
    replace(listBox,
      h('div', { className: 'summary' },
        h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, 'Tag keys'), h('div', { className: 'stat-value', 'data-testid': 'tag-count' }, String(tags.length))),
        h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, 'Active'), h('div', { className: 'stat-value', 'data-testid': 'tag-active' }, String(active))),
        h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, 'Inactive'), h('div', { className: 'stat-value' }, String(tags.length - active)))),
      message || null,
      h('div', { className: 'controls' }, search,
        selectSel('Status', 'status', [['', 'Any status'], ['Active', 'Active'], ['Inactive', 'Inactive']]),
        selectSel('Type', 'type', [['', 'Any type'], ['UserDefined', 'User-defined'], ['AWSGenerated', 'AWS-generated']]),
        h('span', { className: 'spacer' }),
        h('span', { className: 'muted' }, `${selected.size} selected`),
        h('button', { type: 'button', className: 'btn btn-primary', disabled: selected.size === 0, 'data-testid': 'activate',
          onclick: () => act('Active') }, 'Activate'),
        h('button', { type: 'button', className: 'btn', disabled: selected.size === 0, 'data-testid': 'deactivate',
          onclick: () => act('Inactive') }, 'Deactivate')),
      tags.length === 0 ? notice('info', 'No tag keys yet: they appear when billing data with tags is ingested.') :
        h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'tags-table' },
          h('thead', {}, h('tr', {}, h('th', {}, all), ['Tag key', 'Type', 'Status', 'Last updated', 'Last used'].map((t) => h('th', {}, t)))),
          h('tbody', {}, shown.map((t) => h('tr', { 'data-key': t.TagKey },
            h('td', {}, h('input', { type: 'checkbox', 'aria-label': `Select ${t.TagKey}`, checked: selected.has(t.TagKey),
              onchange: (ev) => { if (ev.target.checked) selected.add(t.TagKey); else selected.delete(t.TagKey); drawList(); } })),
            h('td', {}, h('code', {}, t.TagKey)),
            h('td', {}, t.Type === 'AWSGenerated' ? 'AWS-generated' : 'User-defined'),
            h('td', { 'data-status': t.Status }, h('span', { className: `badge ${t.Status === 'Active' ? 'badge-ok' : 'badge-muted'}` }, t.Status)),
            h('td', {}, dateTime(t.LastUpdatedDate)),
            h('td', {}, dateTime(t.LastUsedDate))))))));
    if (focusSearch) {
      search.focus();
      search.setSelectionRange(search.value.length, search.value.length);
    }
  }

  async function drawBackfill(message) {
    let history;
    try {
      history = await app.client.all('ce', 'ListCostAllocationTagBackfillHistory', { MaxResults: 1000 }, 'BackfillRequests');
    } catch (e) {
      if (!alive()) return;
      replace(backfillBox, h('h2', {}, 'Backfill'), e.notImplemented
        ? notice('warn', 'Backfills are not available on this server yet (', h('code', {}, e.type), '): ', e.message)
        : notice('error', `${e.type}: ${e.message}`));
      return;
    }
    if (!alive()) return;
    history.sort((a, b) => String(b.RequestedAt || '').localeCompare(String(a.RequestedAt || '')));
    const ms = monthStart(app.today());
    const months = [];
    for (let i = 0; i <= 12; i++) months.push(addMonths(ms, -i));
    const from = h('select', { 'aria-label': 'Backfill from', 'data-testid': 'backfill-from' },
      months.map((m) => h('option', { value: `${ymd(m)}T00:00:00Z` }, m.toLocaleString('en', { month: 'long', year: 'numeric', timeZone: 'UTC' }))));
    from.value = `${ymd(months[Math.min(12, months.length - 1)])}T00:00:00Z`;
    const processing = history.some((r) => r.BackfillStatus === 'PROCESSING');
    const start = h('button', { type: 'button', className: 'btn btn-primary', disabled: processing, 'data-testid': 'start-backfill',
      onclick: async () => {
        start.disabled = true;
        try {
          const resp = await app.client.call('ce', 'StartCostAllocationTagBackfill', { BackfillFrom: from.value });
          const r = resp.BackfillRequest || {};
          drawBackfill(notice('info', `Backfill from ${dateTime(r.BackfillFrom)}: ${r.BackfillStatus || 'requested'}.`));
        } catch (e) {
          drawBackfill(notice('error', `${e.type}: ${e.message}`));
        }
      } }, 'Start backfill');
    replace(backfillBox,
      h('h2', {}, 'Backfill'),
      h('p', { className: 'muted' }, 'Apply the current status of every tag key to all billing months from the chosen month on.'),
      message || null,
      h('div', { className: 'controls' }, h('label', { className: 'control' }, h('span', { className: 'control-label' }, 'From'), from), start,
        processing ? h('span', { className: 'badge badge-warn' }, 'A backfill is running') : null),
      h('h3', {}, 'History'),
      history.length === 0 ? h('p', { className: 'muted' }, 'No backfill yet.') :
        h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'backfill-table' },
          h('thead', {}, h('tr', {}, ['Requested', 'From', 'Status', 'Completed', 'Last updated'].map((t) => h('th', {}, t)))),
          h('tbody', {}, history.map((r) => h('tr', {},
            h('td', {}, dateTime(r.RequestedAt)),
            h('td', {}, dateTime(r.BackfillFrom)),
            h('td', { 'data-status': r.BackfillStatus }, h('span', { className: `badge ${r.BackfillStatus === 'SUCCEEDED' ? 'badge-ok' : r.BackfillStatus === 'FAILED' ? 'badge-bad' : 'badge-warn'}` }, r.BackfillStatus)),
            h('td', {}, dateTime(r.CompletedAt)),
            h('td', {}, dateTime(r.LastUpdatedAt))))))));
    if (processing) {
      setTimeout(() => { if (alive()) drawBackfill(); }, 2000);
    }
  }
}

/** unavailable explains a failed tag listing and, when the server lacks tag management, lists the keys that have cost. */
async function unavailable(app, box, err) {
  if (!err.notImplemented) {
    replace(box, notice('error', `${err.type}: ${err.message}`));
    return;
  }
  const end = ymd(new Date(Date.UTC(app.today().getUTCFullYear(), app.today().getUTCMonth(), app.today().getUTCDate() + 1)));
  const start = ymd(addMonths(monthStart(app.today()), -12));
  let keys = [];
  try {
    keys = await app.client.all('ce', 'GetTags', { TimePeriod: { Start: start, End: end } }, 'Tags',
      { inToken: 'NextPageToken', outToken: 'NextPageToken', max: 5 });
  } catch { /* shown as none */ }
  replace(box,
    notice('warn', h('strong', {}, 'Tag management is not available on this server yet. '),
      'Activation, deactivation and backfill need ListCostAllocationTags, which answered ', h('code', {}, err.type), ': ', err.message),
    h('h2', {}, 'Tag keys with cost in the last 12 months'),
    keys.length === 0 ? h('p', { className: 'muted' }, 'None.') :
      h('ul', { className: 'tag-keys', 'data-testid': 'tag-keys-fallback' }, keys.map((k) => h('li', {}, h('code', {}, k)))));
}
