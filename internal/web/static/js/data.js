// The Data page: what the server has ingested — each source's billing
// periods, final or estimated, their line counts and last ingest — and how
// recent ingests went, and the sources `tally serve --watch` polls.
import { h, replace, notice, dateTime } from './dom.js';

const FORMATS = { cur: 'CUR', cur2: 'CUR 2.0', focus: 'FOCUS', csv: 'CSV', parquet: 'Parquet', gzip: 'gzip', zip: 'zip' };

/** formatName shows an ingest format such as cur2-parquet as "CUR 2.0 · Parquet". */
function formatName(f) {
  if (!f) return '—';
  return f.split('-').map((p) => FORMATS[p] || p).join(' · ');
}

function count(n) {
  return Number(n || 0).toLocaleString('en');
}

/** render draws the page into main. */
export async function render(app, main) {
  replace(main, h('div', { className: 'page-head' }, h('h1', {}, 'Data')), h('div', { className: 'muted loading' }, 'Loading…'));
  main.dataset.ready = 'false';
  let d;
  try {
    d = await app.client.get('/ui/api/data');
  } catch (e) {
    replace(main, h('h1', {}, 'Data'), notice('error', `Cannot read what the server holds: ${e.message}`));
    main.dataset.ready = 'true';
    return;
  }
  const bySource = new Map();
  for (const p of d.periods) {
    if (!bySource.has(p.source)) bySource.set(p.source, []);
    bySource.get(p.source).push(p);
  }
  const final = d.periods.filter((p) => p.final).length;
  const rows = d.periods.reduce((a, p) => a + (p.rows || 0), 0);
  const last = d.periods.map((p) => p.ingestedAt).sort().pop();
  const failed = d.ingests.filter((i) => i.error).length;

  replace(main,
    h('div', { className: 'page-head' }, h('h1', {}, 'Data'),
      h('p', { className: 'muted' }, 'Billing exports the server has ingested. Each billing period of a source is replaced whole when it is ingested again; a period is final once its invoice is issued, and results that touch a period that is not final are marked estimated.')),
    h('div', { className: 'summary' },
      stat('Sources', bySource.size, 'sources'),
      stat('Billing periods', d.periods.length, 'periods'),
      stat('Final / estimated', `${final} / ${d.periods.length - final}`, 'final'),
      stat('Line items', count(rows), 'rows'),
      stat('Last ingest', last ? dateTime(last) : '—', 'last-ingest'),
      failed ? h('span', { className: 'badge badge-bad', 'data-testid': 'failed-ingests' }, `${failed} failed ingest${failed > 1 ? 's' : ''}`) : null),
    d.limited ? notice('info', 'Some periods belong to sources paid by other accounts: you see their month and state, not their detail.') : null,
    !d.periodsAvailable ? notice('warn', 'This server does not report its stored periods.') : null,
    d.periods.length === 0 ? notice('info', 'Nothing has been ingested yet. Load billing exports with ', h('code', {}, 'tally ingest <files or folders>'),
      ' (CUR, CUR 2.0 or FOCUS; CSV, gzip or Parquet) while the server runs.') : null,
    [...bySource.entries()].map(([source, periods]) => h('section', { className: 'source', 'data-source': source },
      h('h2', {}, source, ' ', h('span', { className: 'muted' }, formatName(periods[0].format))),
      h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'periods-table' },
        h('thead', {}, h('tr', {}, ['Month', 'State', 'Invoice', 'Line items', 'Files', 'Currency', 'Last ingest'].map((t, i) =>
          h('th', { className: i === 3 || i === 4 ? 'num' : '' }, t)))),
        h('tbody', {}, periods.map((p) => h('tr', { 'data-month': p.month },
          h('td', {}, p.month),
          h('td', {}, h('span', { className: `badge ${p.final ? 'badge-ok' : 'badge-warn'}` }, p.final ? 'Final' : 'Estimated')),
          h('td', {}, p.invoiceId || '—'),
          h('td', { className: 'num', 'data-rows': p.detail ? p.rows : '' }, p.detail ? count(p.rows) : '—'),
          h('td', { className: 'num', title: (p.files || []).join('\n') }, p.detail ? (p.files || []).length : '—'),
          h('td', {}, p.currency || '—'),
          h('td', {}, dateTime(p.ingestedAt))))))))),
    (d.watches || []).length ? watchesSection(d.watches) : null,
    h('section', {},
      h('h2', {}, 'Recent ingests'),
      h('p', { className: 'muted small' }, 'Kept in memory since the server started.'),
      d.ingests.length === 0 ? h('p', { className: 'muted', 'data-testid': 'no-ingests' }, last
        ? `No ingest through this server since it started; the stored periods were last ingested on ${dateTime(last)}.`
        : 'No ingest through this server since it started.') :
        h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'ingests-table' },
          h('thead', {}, h('tr', {}, ['Finished', 'Result', 'Periods', 'Line items', 'Files or message'].map((t, i) =>
            h('th', { className: i === 3 ? 'num' : '' }, t)))),
          h('tbody', {}, d.ingests.map((i) => h('tr', { className: i.error ? 'failed' : '' },
            h('td', {}, dateTime(i.at)),
            h('td', {}, h('span', { className: `badge ${i.error ? 'badge-bad' : 'badge-ok'}` }, i.error ? 'Failed' : 'OK')),
            h('td', { className: 'wrap' }, i.periods.length ? summarizePeriods(i.periods) : '—'),
            h('td', { className: 'num' }, i.error ? '—' : count(i.rows)),
            h('td', { className: `wrap ${i.error ? 'error-text' : 'muted'}` }, i.error || i.paths.join(', ')))))))));
  main.dataset.ready = 'true';
}

const OUTCOMES = {
  ingested: ['badge-ok', (w) => `Ingested ${w.periods.length} period${w.periods.length === 1 ? '' : 's'}`],
  'nothing new': ['badge-muted', () => 'Nothing new'],
  failed: ['badge-bad', () => 'Failed'],
  'not polled': ['badge-muted', () => 'Not polled yet'],
};

/** watchesSection shows the sources `tally serve --watch` polls: last sync, its outcome and the next poll. */
function watchesSection(watches) {
  return h('section', { 'data-testid': 'watches' },
    h('h2', {}, 'Watched sources'),
    h('p', { className: 'muted small' }, 'Buckets and folders the server polls for new and restated exports; a delivery is ingested once its manifest and all its files are there.'),
    h('div', { className: 'scroll' }, h('table', { className: 'data', 'data-testid': 'watches-table' },
      h('thead', {}, h('tr', {}, ['Source', 'Last sync', 'Result', 'Last ingested', 'Line items', 'Next poll'].map((t, i) =>
        h('th', { className: i === 4 ? 'num' : '' }, t)))),
      h('tbody', {}, watches.map((w) => {
        const [badge, label] = OUTCOMES[w.outcome] || ['badge-muted', () => w.outcome];
        return h('tr', { 'data-watch': w.source, 'data-outcome': w.outcome, className: w.outcome === 'failed' ? 'failed' : '' },
          h('td', { className: 'wrap' }, h('code', {}, w.source)),
          h('td', {}, w.lastSync ? dateTime(w.lastSync) : '—'),
          h('td', { className: 'wrap' }, h('span', { className: `badge ${badge}` }, label(w)),
            w.outcome === 'failed' ? h('div', { className: 'error-text' }, w.error || 'See the server log.') : null,
            w.waiting ? h('div', { className: 'muted small' }, `${w.waiting} incomplete deliver${w.waiting === 1 ? 'y' : 'ies'} waiting for files`) : null),
          h('td', { className: 'wrap' }, w.lastIngest ? `${dateTime(w.lastIngest)}${w.periods.length ? `: ${summarizePeriods(w.periods)}` : ''}` : '—'),
          h('td', { className: 'num' }, w.lastIngest && w.rows ? count(w.rows) : '—'),
          h('td', {}, dateTime(w.nextPoll)));
      })))));
}

/** summarizePeriods shows "cur:1 2024-01", "cur:1 2024-02" as "cur:1: 2024-01 to 2024-02 (2 months)". */
export function summarizePeriods(periods) {
  const bySource = new Map();
  for (const p of periods) {
    const i = p.lastIndexOf(' ');
    const src = p.slice(0, i);
    if (!bySource.has(src)) bySource.set(src, []);
    bySource.get(src).push(p.slice(i + 1));
  }
  return [...bySource.entries()].map(([src, months]) => {
    months.sort();
    return months.length === 1 ? `${src}: ${months[0]}`
      : `${src}: ${months[0]} to ${months[months.length - 1]} (${months.length} months)`;
  }).join('; ');
}

function stat(label, value, testid) {
  return h('div', { className: 'stat' }, h('div', { className: 'stat-label' }, label),
    h('div', { className: 'stat-value', 'data-testid': `stat-${testid}` }, String(value)));
}
