// Tally's web UI: boots the app, keeps the session and routes between pages.
import { h, replace, notice } from './dom.js';
import { Client } from './api.js';
import * as explorer from './explorer.js';
import * as budgets from './budgets.js';
import * as tags from './tags.js';
import * as categories from './categories.js';
import * as data from './data.js';
import * as commitments from './commitments.js';
import * as compare from './compare.js';
import * as signin from './signin.js';

const PAGES = { explorer, budgets, commitments, tags, categories, data, signin, compare };
const TITLES = { explorer: 'Cost Explorer', budgets: 'Budgets', commitments: 'Commitments', tags: 'Cost allocation tags', categories: 'Cost categories', data: 'Data', signin: 'Sign in', compare: 'Compare months' };
const SESSION_KEY = 'tally.credentials';

const body = document.body;
const loaded = Date.now();
// offsetOf is how far a clock the server sent is from the browser's.
const offsetOf = (v) => {
  const t = Date.parse(v);
  return Number.isNaN(t) ? 0 : t - loaded;
};
const businessOffset = offsetOf(body.dataset.now);
const wallOffset = offsetOf(body.dataset.clock);

/** app is what every page gets: the signed client, the clock and navigation. */
const app = {
  testMode: body.dataset.testMode === 'true',
  version: body.dataset.version,
  profile: body.dataset.profile,
  // now is the server's wall clock, which dates signatures; today is its
  // business clock, against which relative ranges resolve (they differ
  // when the server runs under a test clock).
  now: () => new Date(Date.now() + wallOffset),
  today: () => new Date(Date.now() + businessOffset),
  client: null,
  whoami: null,
  navigate(url, { replace: rep = false } = {}) {
    if (rep) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    route();
  },
  /** account returns {accountId, accessKeyId, all} of the signed-in key. */
  account() {
    app.whoami ||= app.client.get('/ui/api/whoami').catch((e) => {
      app.whoami = null;
      throw e;
    });
    return app.whoami;
  },
  /** signIn keeps credentials for this browser tab once the server accepts them. */
  async signIn(accessKeyId, secret) {
    const client = new Client({ accessKeyId, secret, now: app.now });
    const who = await client.get('/ui/api/whoami');
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ accessKeyId, secret }));
    app.client = client;
    app.whoami = Promise.resolve(who);
    return who;
  },
  signOut() {
    sessionStorage.removeItem(SESSION_KEY);
    app.client = null;
    app.whoami = null;
    app.navigate('/signin');
  },
};

function restoreSession() {
  try {
    const c = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    if (c && c.accessKeyId && c.secret) app.client = new Client({ ...c, now: app.now });
  } catch { /* ignore a damaged session */ }
  if (!app.client && app.testMode) {
    // Test mode: the server accepts only the built-in key, on loopback.
    app.client = new Client({ accessKeyId: 'test', secret: 'test', now: app.now });
  }
}

function pageOf(path) {
  const name = path.replace(/^\/+|\/+$/g, '') || 'explorer';
  return PAGES[name] ? name : 'explorer';
}

async function drawWho() {
  const who = document.getElementById('who');
  if (!app.client) {
    replace(who, h('a', { href: '/signin', 'data-link': '' }, 'Sign in'));
    return;
  }
  try {
    const acct = await app.account();
    replace(who,
      h('span', { className: 'who-account', 'data-testid': 'who', title: `Access key ${acct.accessKeyId}` },
        `Account ${acct.accountId}`),
      app.testMode ? h('span', { className: 'badge badge-info', title: 'No credentials file: the built-in test key sees every account' }, 'test mode') : null,
      !app.testMode ? h('button', { type: 'button', className: 'btn btn-small', 'data-testid': 'sign-out', onclick: () => app.signOut() }, 'Sign out') : null);
  } catch (e) {
    if (e.auth && !app.testMode) app.signOut();
    else replace(who, h('span', { className: 'error-text' }, e.message));
  }
}

function route() {
  const main = document.getElementById('main');
  let name = pageOf(location.pathname);
  if (!app.client && name !== 'signin') {
    history.replaceState(null, '', `/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
    name = 'signin';
  }
  document.title = `${TITLES[name]} · Tally`;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.page === name);
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  main.dataset.page = name;
  drawWho();
  try {
    PAGES[name].render(app, main);
  } catch (e) {
    replace(main, notice('error', `This page failed to draw: ${e.message}`));
    main.dataset.ready = 'true';
  }
}

document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-link], #nav a, a.brand');
  if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  ev.preventDefault();
  app.navigate(url.pathname + url.search);
});
window.addEventListener('popstate', route);

const foot = document.getElementById('foot');
if (foot) foot.textContent = `Tally ${app.version || ''} · profile ${app.profile || 'aws'} · all numbers computed from your own billing data`;
restoreSession();
route();
