// The app shell: the header (navigation, language, sign-out), sign-in, and
// the hash router that renders one page at a time into <main>.
import { clearKey, getKey, probe, setUnauthorizedHandler } from './api.js';
import { h, errorBox } from './dom.js';
import { initialLanguage, languageNames, languages, lang, onLanguageChange, setLanguage, t } from './i18n.js';
import { parseHash, onRouteChange } from './router.js';
import * as signin from './pages/signin.js';
import * as leads from './pages/leads.js';
import * as lead from './pages/lead.js';
import * as tasks from './pages/tasks.js';
import * as funnel from './pages/funnel.js';
import * as review from './pages/review.js';
import * as models from './pages/models.js';

const pages = { funnel, leads, lead, tasks, review, models };
const NAV = [['funnel', '#/funnel'], ['leads', '#/leads'], ['tasks', '#/tasks'], ['review', '#/review'], ['models', '#/models']];

const main = document.getElementById('main');
let auth = 'unknown'; // 'open' (the API needs no key), 'key', 'none' (sign in first)
let renderSeq = 0;
let lastPath = null;
let cleanup = null;
let signinMessage = '';

function renderHeader(route = parseHash()) {
  document.getElementById('skip-link').textContent = t('app.skip');
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav.label'));
  const current = route.name === 'lead' ? 'leads' : route.name;
  nav.replaceChildren(...(auth === 'none' ? [] : NAV.map(([name, href]) =>
    h('a', { href, 'aria-current': name === current ? 'page' : false }, t(`nav.${name}`)))));

  const sw = document.getElementById('lang-switch');
  sw.setAttribute('aria-label', t('lang.label'));
  if (!sw.children.length) {
    // made once, so that the pressed button keeps the focus across re-renders
    sw.append(...languages.map((code) => h('button', {
      type: 'button', lang: code, dataset: { lang: code },
      onclick: () => { if (code !== lang()) setLanguage(code); },
    }, languageNames[code])));
  }
  for (const b of sw.children) b.setAttribute('aria-pressed', b.dataset.lang === lang() ? 'true' : 'false');

  const out = document.getElementById('sign-out');
  out.textContent = t('signout');
  out.hidden = auth !== 'key';
}

function setFocus(el) {
  if (!el) return;
  el.focus({ preventScroll: false });
}

function showSignIn(message = signinMessage) {
  cleanup?.();
  cleanup = null;
  renderSeq++;
  lastPath = null;
  renderHeader();
  const view = h('div', { class: 'page' });
  const { title, focus } = signin.render(view, {
    message,
    onSignedIn: () => {
      auth = 'key';
      signinMessage = '';
      route({ focus: true });
    },
  });
  main.replaceChildren(view);
  document.title = `${title} · ${t('app.title')}`;
  setFocus(focus);
}

async function route({ focus = false } = {}) {
  const r = parseHash();
  if (auth === 'unknown') return; // start() routes once the sign-in check is done
  if (auth === 'none') { showSignIn(); return; }
  renderHeader(r);
  // the same page again (another period or month): the focus goes back to the control used, if it has an id
  const active = document.activeElement;
  const keepFocus = active?.id && main.contains(active) ? active.id : null;
  const seq = ++renderSeq;
  cleanup?.();
  cleanup = null;
  const view = h('div', { class: 'page' });
  if (auth === 'open') view.append(h('p', { class: 'alert alert-info' }, t('app.openApi')));
  const page = pages[r.name];
  main.setAttribute('aria-busy', 'true');
  let result = {};
  try {
    if (!page) {
      view.append(h('h1', { id: 'page-title', tabindex: '-1' }, t('app.notFound')),
        h('p', {}, h('a', { href: '#/leads' }, t('app.backToLeads'))));
      result = { title: t('app.notFound') };
    } else {
      result = (await page.render(view, { route: r, isCurrent: () => seq === renderSeq, rerender: route })) ?? {};
    }
  } catch (err) {
    if (err.name === 'AbortError') return;
    view.append(errorBox(err));
  }
  if (seq !== renderSeq) { result.cleanup?.(); return; }
  main.removeAttribute('aria-busy');
  main.replaceChildren(view);
  cleanup = result.cleanup ?? null;
  document.title = `${result.title ?? t('app.title')} · ${t('app.title')}`;
  if (focus || (lastPath !== null && lastPath !== r.path)) setFocus(view.querySelector('h1'));
  else if (keepFocus && lastPath === r.path) {
    const again = document.getElementById(keepFocus);
    if (again && view.contains(again)) again.focus();
  }
  lastPath = r.path;
}

async function start() {
  setLanguage(initialLanguage(), { persist: false });
  onLanguageChange(() => (auth === 'none' ? showSignIn() : route()));
  setUnauthorizedHandler(() => {
    clearKey();
    auth = 'none';
    signinMessage = t('signin.expired');
    showSignIn();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    clearKey();
    auth = 'none';
    signinMessage = '';
    showSignIn();
  });
  // The skip link moves the focus without touching the hash (the router's).
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
    main.scrollIntoView();
  });
  onRouteChange(() => route());
  renderHeader();
  main.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('app.loading')));

  try {
    await probe('');
    auth = 'open';
  } catch (err) {
    if (err.status !== 401 && err.status !== 403) {
      main.replaceChildren(errorBox(err));
      return;
    }
    auth = 'none';
    const key = getKey();
    if (key) {
      try {
        await probe(key);
        auth = 'key';
      } catch (err2) {
        clearKey();
        signinMessage = err2.status === 401 ? t('signin.expired') : '';
      }
    }
  }
  route();
}

start();
