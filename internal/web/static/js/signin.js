// The sign-in page: an access key and secret from the server's credentials
// file. They stay in this tab's sessionStorage and sign every request; the
// account then sees exactly what the API shows those credentials.
import { h, replace, notice } from './dom.js';

/** render draws the page into main. */
export function render(app, main) {
  const next = new URLSearchParams(location.search).get('next') || '/explorer';
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/explorer';
  if (app.testMode) {
    replace(main, h('div', { className: 'signin' }, h('h1', {}, 'No sign-in needed'),
      notice('info', 'This server runs without a credentials file, so it accepts only the built-in test key ',
        h('code', {}, 'test'), ' and listens on loopback only. The pages sign every request with it; it sees every account.'),
      h('p', {}, h('a', { href: safeNext, 'data-link': '' }, 'Continue'))));
    main.dataset.ready = 'true';
    return;
  }
  const key = h('input', { name: 'accessKeyId', autocomplete: 'username', required: true, spellcheck: false,
    'data-testid': 'access-key' });
  const secret = h('input', { name: 'secret', type: 'password', autocomplete: 'current-password', required: true,
    'data-testid': 'secret-key' });
  const msg = h('div');
  const button = h('button', { type: 'submit', className: 'btn btn-primary', 'data-testid': 'sign-in' }, 'Sign in');
  const form = h('form', { className: 'panel signin', onsubmit: async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    replace(msg);
    try {
      await app.signIn(key.value.trim(), secret.value);
      app.navigate(safeNext, { replace: true });
    } catch (e) {
      replace(msg, notice('error', e.auth || e.status === 403 ? 'The server does not accept this access key and secret.' : e.message));
      button.disabled = false;
    }
  } },
  h('h1', {}, 'Sign in to Tally'),
  h('p', { className: 'muted' }, 'Use an access key and secret from the server\'s credentials file — the same ones you give the AWS CLI.'),
  h('label', { className: 'field' }, h('span', {}, 'Access key ID'), key),
  h('label', { className: 'field' }, h('span', {}, 'Secret access key'), secret),
  msg, button);
  replace(main, form);
  main.dataset.ready = 'true';
  key.focus();
}
