// Hash routes: #/funnel[?month=…|?from=…&to=…|?weeks=12] (the landing page),
// #/leads[?filters], #/leads/<url-encoded identity>, #/tasks[?owner=…],
// #/review[?month=YYYY-MM], #/models.

const PAGES = ['funnel', 'leads', 'tasks', 'review', 'models'];

/** The current route: {name, id?, query, path}. */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/funnel';
  const [pathPart, queryPart = ''] = raw.split('?');
  const segments = pathPart.split('/').filter(Boolean);
  const query = new URLSearchParams(queryPart);
  if (segments.length === 0) return { name: 'funnel', query, path: '/funnel' };
  if (segments.length === 1 && PAGES.includes(segments[0])) return { name: segments[0], query, path: `/${segments[0]}` };
  if (segments[0] === 'leads' && segments.length === 2) {
    let id;
    try { id = decodeURIComponent(segments[1]); } catch { id = segments[1]; }
    return { name: 'lead', id, query, path: pathPart };
  }
  return { name: 'notfound', query, path: pathPart };
}

export function leadHref(id) {
  return `#/leads/${encodeURIComponent(id)}`;
}

/** '#/path?query' from a path and an object of non-empty parameters. */
export function href(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function onRouteChange(fn) {
  window.addEventListener('hashchange', () => fn(parseHash()));
}
