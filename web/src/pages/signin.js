// The sign-in form: an API key with the read scope, checked against the API
// (GET /v1/leads?limit=1) before it is kept in sessionStorage.
import { ApiError, probe, setKey } from '../api.js';
import { h, errorBox, rich } from '../dom.js';
import { t } from '../i18n.js';

/** message: an error shown above the form (e.g. the key expired). */
export function render(view, { onSignedIn, message }) {
  const errors = h('div', { id: 'signin-errors' }, message ? h('div', { class: 'alert alert-error', role: 'alert' }, message) : null);
  const input = h('input', {
    id: 'api-key', name: 'key', type: 'password', required: true, autocomplete: 'off',
    spellcheck: 'false', 'aria-describedby': 'signin-intro',
  });
  const button = h('button', { type: 'submit', class: 'button-primary' }, t('signin.submit'));

  const form = h('form', { class: 'signin-form', novalidate: true, onsubmit: submit },
    h('label', { for: 'api-key' }, t('signin.key')),
    input,
    button);

  async function submit(e) {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) { input.focus(); return; }
    button.disabled = true;
    errors.replaceChildren();
    try {
      await probe(key);
      setKey(key);
      onSignedIn();
    } catch (err) {
      const box = errorBox(err);
      if (err instanceof ApiError && err.status === 403) box.append(h('br'), t('signin.noRead'));
      errors.replaceChildren(box);
      button.disabled = false;
      input.select();
    }
  }

  view.append(
    h('section', { class: 'card signin', 'aria-labelledby': 'page-title' },
      h('h1', { id: 'page-title', tabindex: '-1' }, t('signin.title')),
      h('p', { id: 'signin-intro' }, rich(t('signin.intro'))),
      errors,
      form));
  return { title: t('signin.title'), focus: input };
}
