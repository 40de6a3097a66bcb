// Hash routes: #/leads[?filters], #/leads/<url-encoded identity>, #/tasks[?owner=…].

/** The current route: {name, id?, query, path}. */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/leads';
  const [pathPart, queryPart = ''] = raw.split('?');
  const segments = pathPart.split('/').filter(Boolean);
  const query = new URLSearchParams(queryPart);
  if (segments.length === 0) return { name: 'leads', query, path: '/leads' };
  if (segments[0] === 'leads' && segments.length === 1) return { name: 'leads', query, path: '/leads' };
  if (segments[0] === 'leads' && segments.length === 2) {
    let id;
    try { id = decodeURIComponent(segments[1]); } catch { id = segments[1]; }
    return { name: 'lead', id, query, path: pathPart };
  }
  if (segments[0] === 'tasks' && segments.length === 1) return { name: 'tasks', query, path: '/tasks' };
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
