// The leadscore HTTP API (docs/openapi.yaml), same origin. Every call sends
// the API key as `Authorization: Bearer KEY` when there is one. A response
// that is not 2xx becomes an ApiError with the status and the message of the
// API's JSON error body ({"error": {"status": 400, "message": "…"}}).

const KEY_STORAGE = 'leadscore.apiKey';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status; // 0: the server could not be reached
  }
}

export function getKey() {
  try { return sessionStorage.getItem(KEY_STORAGE) || ''; } catch { return ''; }
}

export function setKey(key) {
  try { sessionStorage.setItem(KEY_STORAGE, key); } catch { /* ignore */ }
}

export function clearKey() {
  try { sessionStorage.removeItem(KEY_STORAGE); } catch { /* ignore */ }
}

// Called with the error when the API refuses the key (401) after sign-in.
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

async function request(path, { method = 'GET', body, raw, contentType, key = getKey(), signal, quiet = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw !== undefined) headers['Content-Type'] = contentType ?? 'text/plain';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, e.message);
  }
  if (!res.ok) {
    let message = res.statusText || 'error';
    try {
      const data = await res.json();
      if (data?.error?.message) message = data.error.message;
    } catch { /* not JSON */ }
    const err = new ApiError(res.status, message);
    if (res.status === 401 && key && !quiet) onUnauthorized(err);
    throw err;
  }
  return res;
}

async function json(path, opts) {
  return (await request(path, opts)).json();
}

const enc = encodeURIComponent;

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Whether the API answers with this key ('' = none): resolves, or throws ApiError. */
export function probe(key) {
  return json(`/v1/leads${query({ limit: 1 })}`, { key, quiet: true });
}

/** A page of persons: {leads, next_cursor}. filters: stage, min_score, max_score, grade, owner. */
export function listLeads(filters, { cursor, limit = 50, signal } = {}) {
  return json(`/v1/leads${query({ ...filters, cursor, limit })}`, { signal });
}

/** The leads CSV of the filters, every row (no limit), as a Blob. */
export async function leadsCsv(filters) {
  const res = await request(`/v1/leads${query({ ...filters, format: 'csv' })}`);
  return res.blob();
}

export const getLead = (id, opts) => json(`/v1/leads/${enc(id)}`, opts);
export const getLedger = (id, opts) => json(`/v1/leads/${enc(id)}/ledger`, opts);
export const getChecklist = (id, opts) => json(`/v1/leads/${enc(id)}/checklist`, opts);

export function recordCriterion(id, criterion, note) {
  const body = { criterion };
  if (note) body.note = note;
  return json(`/v1/leads/${enc(id)}/checklist`, { method: 'POST', body });
}

/** Tasks: params owner, due (today|overdue), lead, status (open|overdue|done|cancelled|all). */
export function listTasks(params, opts) {
  return json(`/v1/tasks${query(params)}`, opts);
}

export function completeTask(id, outcome, note) {
  const body = { outcome };
  if (note) body.note = note;
  return json(`/v1/tasks/${enc(id)}/done`, { method: 'POST', body });
}

/** The outcomes POST /v1/tasks/{id}/done accepts (docs/openapi.yaml). */
export const OUTCOMES = ['reached', 'no_answer', 'left_message', 'sent', 'meeting_set',
  'not_interested', 'wrong_contact', 'skipped'];

/**
 * The funnel of a period: GET /v1/funnel with {month: 'YYYY-MM'} or
 * {from: 'YYYY-MM-DD', to: 'YYYY-MM-DD'}, or nothing (the calendar month of
 * the server's read time, up to the read time).
 */
export function getFunnel(period = {}, opts) {
  return json(`/v1/funnel${query(period)}`, opts);
}

/** The monthly review of a month ('YYYY-MM'; none: the previous calendar month). */
export function getMonthReport(month, opts) {
  return json(`/v1/reports/month${query({ month })}`, opts);
}

/** The current model: version, name, stages, scores, rules and targets (with labels). */
export const getModel = (opts) => json('/v1/model', opts);

/** The model's versions: {current, versions: [{version}]}. */
export const listModels = (opts) => json('/v1/models', opts);

/** One version's YAML: {version, source}. */
export const getModelVersion = (version, opts) => json(`/v1/models/${enc(version)}`, opts);

/**
 * What a candidate model (YAML text) would change if the store were
 * rescored with it (admin scope): {changed, report, stages, weeks}.
 */
export function previewModel(yaml, opts) {
  return json('/v1/models/preview', { ...opts, method: 'POST', raw: yaml, contentType: 'application/yaml' });
}

let modelPromise = null;
/** The current model, fetched once per page load (null when the API cannot give it). */
export function cachedModel() {
  modelPromise ??= getModel().catch(() => {
    modelPromise = null; // try again next time
    return null;
  });
  return modelPromise;
}

/** The model's stage names in model order ([] when the model cannot be read). */
export async function modelStages() {
  const model = await cachedModel();
  return (model?.stages ?? []).map((st) => st.name);
}

/**
 * The owners a list can be filtered by, for suggestions (GET /v1/owners:
 * recorded owners and the model's team members). [] if it fails.
 */
export async function knownOwners() {
  try {
    const body = await json('/v1/owners');
    return (body.owners ?? []).map((o) => o.owner).filter(Boolean);
  } catch {
    return [];
  }
}
