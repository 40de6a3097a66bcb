// Small DOM helpers: build elements without innerHTML (no markup from data),
// and show API errors. Styles come from classes only: the server's
// Content-Security-Policy (default-src 'self') refuses style attributes.
import { t } from './i18n.js';

/**
 * h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, [more])
 * Attributes whose value is false/null/undefined are left out; true gives an
 * empty attribute; on* functions become listeners.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value' || name === 'checked' || name === 'disabled') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Text with `code` spans. */
export function rich(text) {
  return text.split('`').map((part, i) => (i % 2 ? h('code', {}, part) : part));
}

/** An error from the API (status and message) or any other error, as an alert. */
export function errorBox(err) {
  let text;
  if (err?.name === 'ApiError') {
    text = err.status === 0
      ? t('error.network', { message: err.message })
      : t('error.http', { status: err.status, message: err.message });
  } else {
    text = String(err?.message ?? err);
  }
  return h('div', { class: 'alert alert-error', role: 'alert' }, text);
}

/** A table in a wrapper that scrolls sideways on a narrow screen. */
export function tableWrap(table, label, extraClass = '') {
  return h('div', { class: `table-wrap ${extraClass}`.trim(), role: 'region', 'aria-label': label, tabindex: '0' }, table);
}

/** A card: <section id=ID> headed by <h2 id=ID-title>. */
export function section(title, id, ...children) {
  return h('section', { class: 'card', id, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), ...children);
}

/** A <time> element with the ISO value in datetime and title. */
export function time(iso, format) {
  if (!iso) return '';
  return h('time', { datetime: iso, title: iso }, format(iso));
}

/** A <datalist> of suggestions. */
export function datalist(id, values) {
  return h('datalist', { id }, values.map((v) => h('option', { value: v })));
}
