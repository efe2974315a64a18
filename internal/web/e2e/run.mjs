// Drives Tally's web UI in headless Chromium with playwright-core and
// reports what each page shows. The Go test that starts it (package e2e,
// called from cmd/tally's TestBrowser) decides what the numbers must be,
// from the API through the Go SDK; this script only uses the pages as a
// person would and reads them back.
//
// usage: node run.mjs config.json
//   config: {baseURL, chromium, artifacts, out, scenarios: [{name, params}]}
//   writes {<name>: {...what the page showed, consoleErrors, error?}} to out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const base = cfg.baseURL.replace(/\/$/, '');
const TIMEOUT = 20000;

async function ready(page) {
  await page.waitForSelector('main[data-ready=true]', { timeout: TIMEOUT });
}

async function shot(page, name) {
  fs.mkdirSync(cfg.artifacts, { recursive: true });
  await page.screenshot({ path: path.join(cfg.artifacts, `${name}.png`), fullPage: true });
}

function readCostTable(page) {
  return page.evaluate(() => {
    const t = document.querySelector('[data-testid=cost-table]');
    const total = document.querySelector('[data-testid=total]');
    const row = (tr) => ({
      key: tr.dataset.key,
      label: tr.querySelector('th').textContent.trim(),
      amounts: [...tr.querySelectorAll('td')].map((td) => td.dataset.amount),
      texts: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
    });
    return {
      headers: t ? [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()) : [],
      rows: t ? [...t.querySelectorAll('tbody tr')].map(row) : [],
      foot: t && t.querySelector('tfoot tr') ? row(t.querySelector('tfoot tr')) : null,
      total: total ? total.dataset.amount : null,
      totalText: total ? total.textContent.trim() : null,
      error: document.querySelector('.chart-box .notice-error')?.textContent.trim() || null,
      url: location.pathname + location.search,
    };
  });
}

const scenarios = {
  // commitments reads the Commitments page: the recommendations as the
  // page shows them for the default settings and after choosing another
  // look-back, and the other sections' state.
  // commitmentsUsage reads the utilisation chart, the per-commitment and
  // expiring tables and the notices of the Commitments page.
  async commitmentsUsage(page) {
    await page.goto(`${base}/commitments`);
    await ready(page);
    await shot(page, 'commitments-usage');
    return page.evaluate(() => {
      const cells = (id) => [...document.querySelectorAll(`[data-testid=${id}] tbody tr`)]
        .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()));
      const svg = document.querySelector('[data-testid=over-time] svg');
      return {
        series: [...document.querySelectorAll('[data-testid=over-time] .legend li')].map((li) => li.textContent.trim()),
        points: svg ? svg.querySelectorAll('circle[data-series]').length : 0,
        riRows: cells('ri-table'), spRows: cells('sp-table'), expiring: cells('expiring-table'),
        notices: [...document.querySelectorAll('.notice')].map((n) => n.textContent.trim()),
      };
    });
  },
  async commitments(page, p) {
    const read = () => page.evaluate(() => {
      const cells = (id) => [...document.querySelectorAll(`[data-testid=${id}] tbody tr`)]
        .map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()));
      const text = (id) => document.querySelector(`[data-testid=${id}]`)?.textContent.trim() ?? null;
      return {
        spRows: cells('sp-reco'), riRows: cells('ri-reco'),
        spCommitment: text('sp-commitment'), spMonthly: text('sp-monthly-savings'), riMonthly: text('ri-monthly-savings'),
        spNote: text('sp-note'), riNote: text('ri-note'), spNone: text('sp-none'), riNone: text('ri-none'),
        overTime: text('over-time'), perCommitment: text('per-commitment'), expiring: text('expiring'),
      };
    });
    await page.goto(`${base}${p.path || '/commitments'}`);
    await ready(page);
    const out = { first: await read() };
    await shot(page, 'commitments');
    if (p.lookback) {
      await page.selectOption('[data-testid=reco-lookback]', p.lookback);
      await page.waitForFunction(() => location.search.includes('lookback='), null, { timeout: TIMEOUT });
      await ready(page);
      out.second = await read();
      out.url = page.url();
    }
    return out;
  },
  // The default view, as a newcomer first sees it.
  async 'explorer-default'(page) {
    await page.goto(`${base}/explorer`);
    await ready(page);
    await shot(page, 'explorer-default');
    return { table: await readCostTable(page), title: await page.title() };
  },

  // "What did each team spend on EC2 last month?", answered with the controls.
  async 'explorer-controls'(page, p) {
    const out = {};
    await page.goto(`${base}/`);
    await ready(page);
    await page.selectOption('[data-testid=range]', 'last-month');
    await ready(page);
    await page.click('[data-testid=granularity-monthly]');
    await ready(page);
    await page.selectOption('[data-testid=group-by]', `TAG:${p.tagKey}`);
    await ready(page);
    await page.click('[data-testid=add-filter]');
    await page.selectOption('[data-testid=filter-key]', 'DIMENSION:SERVICE');
    await page.fill('[data-testid=filter-search]', p.serviceSearch);
    const box = page.locator(`[data-testid=filter-values] input[value="${p.service}"]`);
    await box.waitFor({ timeout: TIMEOUT });
    await box.check();
    await page.click('[data-testid=filter-apply]');
    await ready(page);
    out.chips = await page.locator('[data-testid=filter-chip]').allTextContents();
    out.table = await readCostTable(page);
    await shot(page, 'explorer-team-ec2');
    await page.hover('.chart-svg .hit[data-index="0"]');
    await page.waitForSelector('.tooltip:not([hidden])', { timeout: TIMEOUT });
    out.tooltip = await page.locator('.tooltip').innerText();
    await shot(page, 'explorer-tooltip');
    await page.click('[data-testid=chart-line]');
    await ready(page);
    out.lineSeries = await page.locator('.chart-svg polyline').count();
    out.lineURL = new URL(page.url()).search;
    await shot(page, 'explorer-team-ec2-lines');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: TIMEOUT }),
      page.click('[data-testid=download-csv]')]);
    out.csvName = download.suggestedFilename();
    out.csv = fs.readFileSync(await download.path(), 'utf8');
    await page.reload();
    await ready(page);
    out.reloaded = await readCostTable(page);
    await page.goBack();
    await ready(page);
    out.backURL = new URL(page.url()).search;
    return out;
  },

  // A view opened from a shared link.
  async 'explorer-url'(page, p) {
    await page.goto(`${base}${p.path}`);
    await ready(page);
    await shot(page, p.shot || 'explorer-url');
    return { table: await readCostTable(page) };
  },

  // A range without data offers the range the data covers.
  async 'explorer-empty'(page, p) {
    await page.goto(`${base}${p.path}`);
    await ready(page);
    await page.waitForSelector('[data-testid=show-data-range]', { timeout: TIMEOUT });
    const hint = await page.locator('.chart-box .notice-info').first().innerText();
    await shot(page, 'explorer-empty-range');
    await page.click('[data-testid=show-data-range]');
    await ready(page);
    return { hint, table: await readCostTable(page) };
  },

  async data(page) {
    await page.goto(`${base}/data`);
    await ready(page);
    await shot(page, 'data');
    return page.evaluate(() => ({
      periods: [...document.querySelectorAll('[data-testid=periods-table] tbody tr')].map((tr) => ({
        source: tr.closest('section').dataset.source,
        month: tr.dataset.month,
        state: tr.children[1].textContent.trim(),
        invoice: tr.children[2].textContent.trim(),
        rows: tr.children[3].dataset.rows,
      })),
      ingests: [...document.querySelectorAll('[data-testid=ingests-table] tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent.trim())),
      watches: [...document.querySelectorAll('[data-testid=watches-table] tbody tr')].map((tr) => ({
        source: tr.dataset.watch, outcome: tr.dataset.outcome, cells: [...tr.children].map((td) => td.textContent.trim()),
      })),
      stats: Object.fromEntries([...document.querySelectorAll('[data-testid^=stat-]')].map((e) => [e.dataset.testid, e.textContent.trim()])),
    }));
  },

  async budgets(page, p) {
    const out = {};
    await page.goto(`${base}/budgets`);
    await ready(page);
    await shot(page, 'budgets');
    const readCards = () => page.evaluate(() => [...document.querySelectorAll('article.budget')].map((a) => ({
      name: a.dataset.budget,
      state: a.querySelector('[data-testid=budget-state]').textContent.trim(),
      alarm: a.querySelector('[data-testid=budget-alarm]')?.textContent.trim() || '',
      actual: a.querySelector('[data-testid=budget-actual]').dataset.amount || '',
      forecast: a.querySelector('[data-testid=budget-forecast]').dataset.amount || '',
      limit: a.querySelector('[data-testid=budget-limit]').dataset.amount || '',
      actualText: a.querySelector('[data-testid=budget-actual]').textContent.trim(),
    })));
    out.unavailable = (await page.locator('.notice-warn').allTextContents()).join(' ');
    out.cards = await readCards();
    if (out.unavailable || !p.create) return out;
    // Create a budget with a filter through the form.
    await page.click('[data-testid=create-budget]');
    await page.fill('[data-testid=budget-name]', p.create.name);
    await page.fill('[data-testid=budget-amount]', p.create.amount);
    await page.click('[data-testid=budget-form] [data-testid=add-filter]');
    await page.fill('[data-testid=filter-search]', p.create.serviceSearch);
    const box = page.locator(`[data-testid=filter-values] input[value="${p.create.service}"]`);
    await box.waitFor({ timeout: TIMEOUT });
    await box.check();
    await page.click('[data-testid=filter-apply]');
    if (p.create.email) await page.fill('[data-testid=budget-alert-email]', p.create.email);
    await shot(page, 'budgets-create-form');
    await page.click('[data-testid=budget-save]');
    const card = page.locator(`article[data-budget="${p.create.name}"]`);
    await card.waitFor({ timeout: TIMEOUT });
    out.afterCreate = await readCards();
    await card.locator('[data-testid=budget-details]').click();
    await card.locator('.budget-details h3').first().waitFor({ timeout: TIMEOUT });
    await page.waitForFunction((n) => !document.querySelector(`article[data-budget="${n}"] .budget-details`).textContent.includes('Loading'),
      p.create.name, { timeout: TIMEOUT });
    await page.waitForTimeout(300);
    out.details = await card.locator('.budget-details').innerText();
    await shot(page, 'budgets-details');
    if (p.edit) {
      // Change the limit of an existing budget through the form.
      const target = page.locator(`article[data-budget="${p.edit.name}"]`);
      await target.locator('[data-testid=budget-edit]').click();
      await page.fill('[data-testid=budget-amount]', p.edit.amount);
      await page.click('[data-testid=budget-save]');
      await page.waitForSelector(`article[data-budget="${p.edit.name}"] [data-testid=budget-limit][data-amount="${p.edit.amount}"]`,
        { timeout: TIMEOUT });
      out.afterEdit = await readCards();
    }
    return out;
  },

  // A budget action made, approved, reversed and read back on the budget's details.
  async 'budget-actions'(page, p) {
    const out = {};
    await page.goto(`${base}/budgets`);
    await ready(page);
    const card = page.locator(`article[data-budget="${p.budget}"]`);
    await card.locator('[data-testid=budget-details]').click();
    const form = card.locator('[data-testid=add-action]');
    await form.waitFor({ timeout: TIMEOUT });
    await form.locator('[data-testid=action-targets]').fill(p.roles);
    await form.locator('[data-testid=action-threshold]').fill(p.threshold);
    await form.locator('[data-testid=action-approval]').selectOption(p.approval);
    await form.locator('[data-testid=action-email]').fill(p.email);
    await shot(page, 'budget-action-form');
    const row = card.locator('[data-testid=actions] tr[data-action]');
    const before = await row.count();
    await form.locator('[data-testid=action-create]').click();
    await row.nth(before).waitFor({ timeout: TIMEOUT });
    const readRows = () => card.locator('[data-testid=actions] tr[data-action]').evaluateAll((trs) => trs.map((tr) => ({
      id: tr.dataset.action, status: tr.dataset.status, cells: [...tr.children].slice(0, 4).map((td) => td.innerText.trim()),
      dryRun: tr.querySelector('[data-testid=action-dry-run-note]')?.textContent.trim() || '',
      buttons: [...tr.querySelectorAll('button')].map((b) => b.textContent.trim()),
    })));
    out.created = await readRows();
    out.notice = (await card.locator('[data-testid=budget-actions] .notice').allTextContents()).join(' ');
    const mine = out.created.find((r) => r.id !== p.deleteId);
    const id = mine.id;
    const waitStatus = (st) => page.waitForSelector(`article[data-budget="${p.budget}"] tr[data-action="${id}"][data-status="${st}"]`, { timeout: TIMEOUT });
    if (mine.status === 'PENDING') {
      await card.locator(`tr[data-action="${id}"] [data-testid=action-approve]`).click();
      await waitStatus('EXECUTION_SUCCESS');
    }
    out.approved = await readRows();
    await shot(page, 'budget-action-executed');
    await card.locator(`tr[data-action="${id}"] [data-testid=action-reverse]`).click();
    await waitStatus('REVERSE_SUCCESS');
    out.reversed = await readRows();
    await card.locator(`tr[data-action="${id}"] [data-testid=action-history-toggle]`).click();
    const hist = card.locator('tr.action-history:not([hidden]) [data-testid=action-history] tbody tr');
    await hist.first().waitFor({ timeout: TIMEOUT });
    out.history = await hist.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
    await card.locator('[data-testid=budget-actions]').scrollIntoViewIfNeeded();
    await shot(page, 'budget-action-history');
    // Send a test alert to the action's subscribers and the webhooks.
    await card.locator(`tr[data-action="${id}"] [data-testid=action-test-alert]`).click();
    await card.locator('[data-testid=budget-actions] .notice', { hasText: 'Test alert' }).waitFor({ timeout: TIMEOUT });
    out.testAlert = (await card.locator('[data-testid=budget-actions] .notice').allTextContents()).join(' ');
    await shot(page, 'budget-action-test-alert');
    // Change the threshold and the approval.
    if (p.newThreshold) {
      await card.locator(`tr[data-action="${id}"] [data-testid=action-edit-toggle]`).click();
      const edit = card.locator('tr.action-edit:not([hidden])');
      await edit.locator('[data-testid=action-edit-threshold]').fill(p.newThreshold);
      await edit.locator('[data-testid=action-edit-approval]').selectOption(p.newApproval);
      await edit.locator('[data-testid=action-edit-save]').click();
      await card.locator('[data-testid=budget-actions] .notice', { hasText: 'Updated action' }).waitFor({ timeout: TIMEOUT });
      out.edited = await readRows();
    }
    // Reset it, then delete it.
    if (p.reset) {
      await card.locator(`tr[data-action="${id}"] [data-testid=action-reset]`).click();
      await card.locator('[data-testid=budget-actions] .notice', { hasText: 'Reset action' }).waitFor({ timeout: TIMEOUT });
      out.reset = await readRows();
    }
    if (p.deleteId) {
      page.once('dialog', (d) => d.accept());
      await card.locator(`tr[data-action="${p.deleteId}"] [data-testid=action-delete]`).click();
      await card.locator('[data-testid=budget-actions] .notice', { hasText: 'Deleted action' }).waitFor({ timeout: TIMEOUT });
      out.deleted = await readRows();
      await shot(page, 'budget-action-deleted');
    }
    return out;
  },

  // A cost category defined on its page (rules with conditions, an
  // inherited value, a default and a split charge rule), its split charges
  // previewed, used to group and filter in the explorer, edited and deleted.
  async categories(page, p) {
    const out = {};
    page.on('dialog', (d) => d.accept());
    await page.goto(`${base}/categories`);
    await ready(page);
    await page.click('[data-testid=new-category]');
    const ed = page.locator('[data-testid=category-editor]');
    await ed.locator('[data-testid=category-name]').fill(p.name);
    await ed.locator('[data-testid=category-from]').selectOption(p.from);
    await ed.locator('[data-testid=category-default]').fill(p.default);
    for (const [i, r] of p.rules.entries()) {
      if (r.inheritTag) {
        await ed.locator('[data-testid=add-inherited-rule]').click();
        await ed.locator('[data-testid=rule]').nth(i).locator('[data-testid=rule-inherit-key]').fill(r.inheritTag);
        continue;
      }
      if (i > 0) await ed.locator('[data-testid=add-rule]').click();
      const rule = ed.locator('[data-testid=rule]').nth(i);
      await rule.locator('[data-testid=rule-value]').fill(r.value);
      if (r.join) await rule.locator('[data-testid=rule-join]').selectOption(r.join);
      for (const [j, c] of r.conds.entries()) {
        if (j > 0) await rule.locator('[data-testid=add-cond]').click();
        const cond = rule.locator('[data-testid=cond]').nth(j);
        await cond.locator('[data-testid=cond-kind]').selectOption(c.kind);
        const key = cond.locator('[data-testid=cond-key]');
        if (c.kind === 'Dimensions') await key.selectOption(c.key); else await key.fill(c.key);
        await cond.locator('[data-testid=cond-op]').selectOption(c.op);
        if (c.op !== 'absent') await cond.locator('[data-testid=cond-values]').fill(c.values);
      }
    }
    for (const [i, s] of p.splits.entries()) {
      await ed.locator('[data-testid=add-split]').click();
      const sp = ed.locator('[data-testid=split]').nth(i);
      await sp.locator('[data-testid=split-source]').fill(s.source);
      await sp.locator('[data-testid=split-targets]').fill(s.targets);
      await sp.locator('[data-testid=split-method]').selectOption(s.method);
    }
    await shot(page, 'category-editor');
    await ed.locator('[data-testid=category-save]').click();
    await page.waitForSelector('[data-testid=split-preview][data-ready=true]', { timeout: TIMEOUT });
    out.notice = (await page.locator('main .notice').allTextContents()).join(' ');
    const readSplit = () => page.evaluate(() => ({
      values: [...document.querySelectorAll('[data-testid=split-values] tbody tr')].map((tr) => ({ value: tr.dataset.value,
        amounts: [...tr.querySelectorAll('td')].map((td) => td.dataset.amount), texts: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()) })),
      allocations: [...document.querySelectorAll('[data-testid=split-allocations] tbody tr')].map((tr) => [...tr.children].map((td) => td.dataset.amount || td.textContent.trim())),
      error: document.querySelector('[data-testid=split-preview] .notice-error')?.textContent || '',
    }));
    out.split = await readSplit();
    out.list = await page.locator('[data-testid=categories-table] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(0, 5).map((td) => td.textContent.trim())));
    await page.locator('[data-testid=split-preview]').scrollIntoViewIfNeeded();
    await shot(page, 'category-split-preview');

    await page.goto(`${base}/explorer?range=custom&start=${p.month}-01&end=${p.monthEnd}&granularity=MONTHLY&metric=UnblendedCost&group=COST_CATEGORY%3A${encodeURIComponent(p.name)}&chart=bar`);
    await ready(page);
    out.groupOptions = await page.locator('[data-testid=group-by] option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v.startsWith('COST_CATEGORY:')));
    out.grouped = await readCostTable(page);
    await shot(page, 'explorer-by-category');
    await page.click('[data-testid=add-filter]');
    await page.selectOption('[data-testid=filter-key]', `COST_CATEGORY:${p.name}`);
    const box = page.locator(`[data-testid=filter-values] input[value="${p.filterValue}"]`);
    await box.waitFor({ timeout: TIMEOUT });
    await box.check();
    await page.click('[data-testid=filter-apply]');
    await ready(page);
    await page.waitForFunction(() => location.search.includes('filter='), null, { timeout: TIMEOUT });
    await ready(page);
    out.chips = await page.locator('[data-testid=filter-chip]').allTextContents();
    out.filtered = await readCostTable(page);
    await shot(page, 'explorer-filtered-by-category');

    await page.goto(`${base}/categories`);
    await ready(page);
    await page.click(`tr[data-name="${p.name}"] [data-testid=edit-category]`);
    await page.locator('[data-testid=category-editor] [data-testid=rule]').first().waitFor({ timeout: TIMEOUT });
    out.editRules = await page.locator('[data-testid=category-editor] [data-testid=rule]').evaluateAll((rs) => rs.map((r) =>
      r.querySelector('[data-testid=rule-value]')?.value ?? `inherit:${r.querySelector('[data-testid=rule-inherit-key]')?.value}`));
    // The split preview follows split charge rules being edited.
    await page.locator('[data-testid=category-editor] [data-testid=split-method]').first().selectOption('EVEN');
    await page.waitForSelector('[data-testid=split-preview][data-draft=true][data-ready=true]', { timeout: TIMEOUT });
    out.draftSplit = await readSplit();
    out.draftTitle = (await page.locator('[data-testid=split-preview] h2').textContent()).trim();
    await page.locator('[data-testid=split-preview]').scrollIntoViewIfNeeded();
    await shot(page, 'category-split-draft');
    await page.locator('[data-testid=category-default]').fill(p.newDefault);
    await page.click('[data-testid=category-save]');
    // The row is there before the save too: wait for it to show the new default.
    await page.locator(`tr[data-name="${p.name}"]`, { hasText: p.newDefault }).waitFor({ timeout: TIMEOUT });
    await page.waitForSelector('[data-testid=split-preview][data-ready=true]', { timeout: TIMEOUT });
    out.afterEdit = await page.locator(`tr[data-name="${p.name}"] td`).evaluateAll((tds) => tds.slice(0, 5).map((td) => td.textContent.trim()));
    await shot(page, 'category-edited');
    return out;
  },

  // A cost category deleted on its page (after the confirmation).
  async 'category-delete'(page, p) {
    page.on('dialog', (d) => d.accept());
    await page.goto(`${base}/categories`);
    await ready(page);
    await page.click(`tr[data-name="${p.name}"] [data-testid=delete-category]`);
    await page.waitForSelector(`tr[data-name="${p.name}"]`, { state: 'detached', timeout: TIMEOUT });
    await shot(page, 'category-deleted');
    return { notice: (await page.locator('main .notice').allTextContents()).join(' ') };
  },

  async anomalies(page, p) {
    const out = {};
    await page.goto(`${base}/anomalies?min=${p.min}&days=${p.days}`);
    await ready(page);
    const readRows = () => page.evaluate(() => [...document.querySelectorAll('[data-testid=anomaly-row]')].map((tr) => ({
      id: tr.dataset.id, series: tr.querySelector('th div').textContent.trim(),
      impact: tr.querySelector('[data-testid=anomaly-total-impact]').dataset.amount,
      pressed: [...tr.querySelectorAll('[aria-pressed=true]')].map((b) => b.dataset.testid) })));
    out.count = (await page.locator('[data-testid=anomaly-count]').textContent()).trim();
    out.bars = await page.locator('[data-testid=anomaly-timeline] rect').count();
    out.rows = await readRows();
    const first = page.locator('[data-testid=anomaly-row]').first();
    await first.getByRole('button', { name: 'Root causes' }).click();
    out.causes = await page.locator('[data-testid=root-causes] tbody tr').first().evaluate((tr) => [...tr.children].map((td) => td.textContent.trim()));
    await shot(page, 'anomalies');
    await first.locator('[data-testid=feedback-NO]').click();
    await page.waitForSelector('.notice-info', { timeout: TIMEOUT });
    await ready(page);
    out.notice = (await page.locator('.notice-info').first().textContent()).trim();
    out.after = await readRows();
    await shot(page, 'anomalies-feedback');
    return out;
  },

  async tags(page, p) {
    const out = {};
    await page.goto(`${base}/tags`);
    await ready(page);
    await shot(page, 'tags');
    const readRows = () => page.evaluate(() => [...document.querySelectorAll('[data-testid=tags-table] tbody tr')].map((tr) => ({
      key: tr.dataset.key, type: tr.children[2].textContent.trim(), status: tr.children[3].dataset.status })));
    out.unavailable = (await page.locator('.notice-warn').allTextContents()).join(' ');
    out.fallbackKeys = await page.locator('[data-testid=tag-keys-fallback] li').allTextContents();
    out.rows = await readRows();
    if (out.unavailable || !p.toggle) return out;
    await page.check(`[data-testid=tags-table] tr[data-key="${p.toggle}"] input[type=checkbox]`);
    await page.click('[data-testid=deactivate]');
    await page.waitForSelector(`tr[data-key="${p.toggle}"] td[data-status=Inactive]`, { timeout: TIMEOUT });
    out.afterToggle = await readRows();
    if (p.backfill) {
      await page.selectOption('[data-testid=backfill-from]', p.backfill);
      await page.click('[data-testid=start-backfill]');
      await page.waitForSelector('[data-testid=backfill-table] td[data-status=SUCCEEDED]', { timeout: TIMEOUT });
      out.backfills = await page.locator('[data-testid=backfill-table] td[data-status]').evaluateAll((tds) => tds.map((td) => td.dataset.status));
    }
    await shot(page, 'tags-after');
    return out;
  },

  // Sign-in with an access key against a server with a credentials file.
  async signin(page, p) {
    const out = {};
    await page.goto(`${base}/explorer?range=last-month&group=DIMENSION%3ALINKED_ACCOUNT`);
    await ready(page);
    out.redirectedTo = new URL(page.url()).pathname;
    await page.fill('[data-testid=access-key]', p.key);
    await page.fill('[data-testid=secret-key]', p.wrongSecret);
    await page.click('[data-testid=sign-in]');
    await page.waitForSelector('.notice-error', { timeout: TIMEOUT });
    out.wrong = await page.locator('.notice-error').innerText();
    await shot(page, 'signin-refused');
    await page.fill('[data-testid=secret-key]', p.secret);
    await page.click('[data-testid=sign-in]');
    await page.waitForSelector('main[data-page=explorer][data-ready=true]', { timeout: TIMEOUT });
    await page.waitForSelector('[data-testid=who]', { timeout: TIMEOUT });
    out.who = await page.locator('[data-testid=who]').innerText();
    out.table = await readCostTable(page);
    await shot(page, 'signin-explorer');
    await page.click('[data-testid=sign-out]');
    await page.waitForSelector('[data-testid=access-key]', { timeout: TIMEOUT });
    out.afterSignOut = new URL(page.url()).pathname;
    return out;
  },

  // "Why did our bill change?": two months side by side, then the drivers
  // of the group with the largest change.
  async compare(page, p) {
    const out = {};
    await page.goto(`${base}/compare`);
    await ready(page);
    await page.fill('[data-testid=compare-baseline]', p.baseline);
    await page.dispatchEvent('[data-testid=compare-baseline]', 'change');
    await ready(page);
    await page.fill('[data-testid=compare-comparison]', p.comparison);
    await page.dispatchEvent('[data-testid=compare-comparison]', 'change');
    await ready(page);
    await page.selectOption('[data-testid=compare-group]', p.group);
    await ready(page);
    out.rows = await page.evaluate(() => [...document.querySelectorAll('[data-testid=compare-table] tbody tr')].map((tr) => ({
      key: tr.dataset.key, amounts: [...tr.querySelectorAll('td[data-amount]')].map((td) => td.dataset.amount) })));
    out.total = await page.locator('[data-testid=total-difference]').getAttribute('data-amount');
    await page.click('[data-testid=compare-table] tbody tr:first-child');
    await page.waitForSelector('[data-testid=drivers-table], [data-testid=drivers-box] .notice', { timeout: TIMEOUT });
    await ready(page);
    out.selected = await page.locator('[data-testid=compare-table] tbody tr.selected').getAttribute('data-key');
    out.driversSum = await page.locator('[data-testid=drivers-sum]').getAttribute('data-amount');
    out.driversText = (await page.locator('[data-testid=drivers-sum]').textContent()).trim();
    out.types = await page.locator('[data-testid=driver-types] [data-type]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.dataset.type, e.dataset.amount])));
    out.url = await page.evaluate(() => location.pathname + location.search);
    await shot(page, 'compare-drivers');
    return out;
  },

  // The points a new user met (issue 12): hourly axis labels, the y axis,
  // the average per period, the budget badge against the Budgets page.
  async fidelity(page, p) {
    const out = {};
    await page.goto(`${base}${p.hourlyPath}`);
    await ready(page);
    await shot(page, 'explorer-hourly');
    Object.assign(out, await page.evaluate(() => {
      const texts = [...document.querySelectorAll('.chart-svg text.axis')];
      return {
        xLabels: texts.filter((t) => t.getAttribute('text-anchor') === 'middle').map((t) => {
          const b = t.getBBox();
          return [b.x, b.x + b.width];
        }),
        yTicks: texts.filter((t) => t.getAttribute('text-anchor') === 'end').map((t) => t.textContent),
      };
    }));
    await page.goto(`${base}${p.monthPath}`);
    await ready(page);
    const avg = page.locator('[data-testid=average]');
    out.average = await avg.getAttribute('data-amount');
    out.averageTitle = await avg.getAttribute('title');
    out.total = await page.locator('[data-testid=total]').getAttribute('data-amount');
    await page.waitForSelector('[data-testid=budget-strip]', { timeout: TIMEOUT });
    out.strip = (await page.locator('[data-testid=budget-strip]').textContent()).trim();
    await page.goto(`${base}/budgets`);
    await ready(page);
    await page.waitForSelector('[data-testid=budgets-alarms]', { timeout: TIMEOUT });
    out.budgetStats = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid^=budgets-]')]
      .filter((e) => e.classList.contains('stat-value')).map((e) => [e.dataset.testid, e.textContent.trim()])));
    return out;
  },
};

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: cfg.chromium,
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1360, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const results = {};
try {
  for (const sc of cfg.scenarios) {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (m) => {
      // Chromium logs every non-2xx fetch; the pages handle those themselves.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
    const started = Date.now();
    try {
      results[sc.name] = await scenarios[sc.name](page, sc.params || {});
    } catch (e) {
      results[sc.name] = { error: String(e.stack || e) };
      await shot(page, `FAILED-${sc.name}`).catch(() => {});
    }
    results[sc.name].consoleErrors = consoleErrors;
    results[sc.name].ms = Date.now() - started;
    await page.close();
  }
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
fs.writeFileSync(cfg.out, JSON.stringify(results, null, 2));
