// #/leads?stage=&min_score=&max_score=&score=&grade=&cell=&category=&owner=&sort=
// — the persons, 50 a page, filtered and sorted by the server over the whole
// list (GET /v1/leads keeps an index: a page costs the same at 1 M persons).
// Next pushes the page's next_cursor on a stack, Previous pops it. Sorting a
// column navigates with sort= (the lead id, a score or the last activity;
// the default is the first score, highest first). "Download CSV" fetches the
// leads CSV of the same filters with the key and saves it.
import { knownOwners, leadsCsv, listLeads, modelStages } from '../api.js';
import { datalist, errorBox, h, tableWrap, time } from '../dom.js';
import { formatNumber, formatTime, t } from '../i18n.js';
import { href, leadHref, navigate } from '../router.js';

const PAGE_SIZE = 50;
const FILTERS = ['stage', 'min_score', 'max_score', 'score', 'grade', 'cell', 'category', 'owner'];
const DEFAULT_SORT = '-score';

// Kept across renders (a language switch, coming back from a lead page).
const paging = { key: null, cursors: [null], index: 0 };
let stagesPromise = null;
let ownersPromise = null;
// what the model has, seen in rows: the filters and columns to offer
const seen = { grades: false, cells: false, categories: false };

function filtersOf(query) {
  const f = {};
  for (const name of FILTERS) {
    const v = query.get(name);
    if (v) f[name] = v;
  }
  return f;
}

/** {key: 'lead_id'|'score'|'updated', desc} of the sort= parameter. */
function parseSort(s) {
  const desc = s.startsWith('-');
  return { key: desc ? s.slice(1) : s, desc };
}

/** The table's columns; `sort` (the API's sort key) on the ones the server sorts. */
function columns(persons, filters) {
  const scoreNames = [...new Set(persons.flatMap((p) => Object.keys(p.scores ?? {})))];
  if (scoreNames.length === 0) scoreNames.push(filters.score ?? 'score');
  const cols = [{
    id: 'lead', label: t('col.lead'), sort: 'lead_id',
    cell: (p) => h('a', { href: leadHref(p.lead_id) }, p.lead_id),
  }];
  for (const name of scoreNames) {
    cols.push({
      id: `score:${name}`, numeric: true, sort: 'score', score: scoreNames.length > 1 ? name : null,
      label: scoreNames.length === 1 ? t('col.score') : name,
      cell: (p) => (p.scores?.[name] === undefined ? '' : formatNumber(p.scores[name])),
    });
  }
  cols.push({ id: 'stage', label: t('col.stage'), cell: (p) => h('span', { class: `stage stage-${p.stage}` }, p.stage) });
  if (seen.grades) cols.push({ id: 'grade', label: t('col.grade'), cell: (p) => Object.values(p.grades ?? {}).join(' · ') });
  if (seen.cells) cols.push({ id: 'cell', label: t('col.cell'), cell: (p) => p.cell ?? '' });
  if (seen.categories) cols.push({ id: 'category', label: t('col.category'), cell: (p) => p.top_category ?? '' });
  cols.push({ id: 'owner', label: t('col.owner'), cell: (p) => p.owner ?? '' });
  cols.push({ id: 'updated', label: t('col.updated'), sort: 'updated', cell: (p) => time(p.updated_at, formatTime) });
  cols.push({ id: 'last_mql', label: t('col.lastMql'), cell: (p) => time(p.last_mql_at, formatTime) });
  return cols;
}

/** Is column c the one the list is sorted by? */
function sortedBy(c, sort, filters, firstScore) {
  if (c.sort !== sort.key) return false;
  if (c.sort !== 'score' || !c.score) return true;
  return c.score === (filters.score ?? firstScore);
}

function leadsTable(persons, filters, sort) {
  const cols = columns(persons, filters);
  const firstScore = cols.find((c) => c.sort === 'score')?.score;
  const head = h('tr', {}, cols.map((c) => {
    if (!c.sort) return h('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.label);
    const on = sortedBy(c, sort, filters, firstScore);
    const state = on ? (sort.desc ? 'descending' : 'ascending') : 'none';
    // a click: the other direction of this column, or a new column (scores
    // and activity highest/latest first, lead ids A→Z)
    const desc = on ? !sort.desc : c.sort !== 'lead_id';
    const params = { ...filters, sort: `${desc ? '-' : ''}${c.sort}` };
    if (c.score) params.score = c.score;
    return h('th', { scope: 'col', 'aria-sort': state, class: c.numeric ? 'num' : null },
      h('a', {
        class: 'sort', href: href('/leads', params), dataset: { column: c.id },
        'aria-label': t('leads.sortBy', { column: c.label }),
      }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' },
        state === 'ascending' ? '▲' : state === 'descending' ? '▼' : '↕')));
  }));
  const body = persons.map((p) => h('tr', { dataset: { lead: p.lead_id, stage: p.stage } },
    cols.map((c, i) => (i === 0
      ? h('th', { scope: 'row' }, c.cell(p))
      : h('td', { class: c.numeric ? 'num' : null }, c.cell(p))))));
  return h('table', { class: 'data leads-table', id: 'leads-table' },
    h('caption', { class: 'visually-hidden' }, t('leads.title')),
    h('thead', {}, head),
    h('tbody', {}, body));
}

function filterForm(filters, sortParam, stages) {
  const stageOptions = [...new Set([...stages, filters.stage].filter(Boolean))];
  const field = (name, label, input) => h('div', { class: `field field-${name}` },
    h('label', { for: `f-${name}` }, label), input);
  const text = (name, size, extra = {}) => h('input', { id: `f-${name}`, name, type: 'text', size, value: filters[name] ?? '', autocomplete: 'off', ...extra });
  const form = h('form', { class: 'filters', id: 'filters', 'aria-label': t('leads.filters') },
    field('stage', t('leads.stage'), h('select', { id: 'f-stage', name: 'stage' },
      h('option', { value: '' }, t('leads.anyStage')),
      stageOptions.map((s) => h('option', { value: s, selected: s === filters.stage }, s)))),
    field('min_score', t('leads.minScore'), h('input', { id: 'f-min_score', name: 'min_score', type: 'number', step: '1', inputmode: 'numeric', value: filters.min_score ?? '' })),
    field('max_score', t('leads.maxScore'), h('input', { id: 'f-max_score', name: 'max_score', type: 'number', step: '1', inputmode: 'numeric', value: filters.max_score ?? '' })),
    (seen.grades || filters.grade) ? field('grade', t('leads.grade'), text('grade', '4')) : null,
    (seen.cells || filters.cell) ? field('cell', t('leads.cell'), text('cell', '4')) : null,
    (seen.categories || filters.category) ? field('category', t('leads.category'), text('category', '10')) : null,
    field('owner', t('leads.owner'), [text('owner', '10', { list: 'owners-list' }), datalist('owners-list', [])]),
    h('div', { class: 'field-actions' },
      h('button', { type: 'submit', class: 'button-primary' }, t('leads.apply')),
      h('a', { href: '#/leads', class: 'button-link' }, t('leads.reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const name of FILTERS) {
      const v = String(data.get(name) ?? filters[name] ?? '').trim();
      if (v) next[name] = v;
    }
    if (sortParam) next.sort = sortParam;
    navigate(href('/leads', next));
  });
  // suggestions when they come: the list does not wait for them
  ownersPromise.then((owners) => {
    form.querySelector('#owners-list')?.replaceChildren(...datalist('owners-list', owners).childNodes);
  });
  return form;
}

function searchForm() {
  const input = h('input', { id: 'search', name: 'q', type: 'search', required: true, placeholder: t('leads.searchHint'), 'aria-describedby': 'search-hint', autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'search', role: 'search', id: 'search-form' },
    h('label', { for: 'search' }, t('leads.search')),
    h('div', { class: 'inline' }, input, h('button', { type: 'submit' }, t('leads.open'))),
    h('p', { id: 'search-hint', class: 'hint' }, t('leads.searchHint')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (q) navigate(leadHref(q)); // GET /v1/leads/{id} takes any identity
  });
  return form;
}

function downloadButton(params, status) {
  const button = h('button', { type: 'button', id: 'download-csv' }, t('leads.download'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.replaceChildren(t('leads.downloading'));
    try {
      const blob = await leadsCsv(params);
      const name = `leads${params.stage ? `-${params.stage}` : ''}.csv`;
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      status.replaceChildren(t('leads.downloaded', { name }));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** Notes what the model has from a page's rows; true when that is news. */
function see(persons) {
  const before = JSON.stringify(seen);
  for (const p of persons) {
    if (Object.keys(p.grades ?? {}).length) seen.grades = true;
    if (p.cell) seen.cells = true;
    if ('top_category' in p) seen.categories = true;
  }
  return JSON.stringify(seen) !== before;
}

export async function render(view, ctx) {
  const filters = filtersOf(ctx.route.query);
  const sortParam = ctx.route.query.get('sort') ?? '';
  const sort = parseSort(sortParam || DEFAULT_SORT);
  const params = { ...filters, sort: sortParam || DEFAULT_SORT };
  const key = JSON.stringify(params);
  if (paging.key !== key) Object.assign(paging, { key, cursors: [null], index: 0 });
  stagesPromise ??= modelStages();
  ownersPromise ??= knownOwners();

  const results = h('div', { id: 'leads-results' });
  const status = h('p', { class: 'status', role: 'status', id: 'leads-status' });
  const dlStatus = h('div', { class: 'status', role: 'status', id: 'download-status' });
  const prev = h('button', { type: 'button', id: 'prev-page' }, t('leads.prev'));
  const next = h('button', { type: 'button', id: 'next-page' }, t('leads.next'));
  const pageLabel = h('span', { class: 'page-number', id: 'page-number' });
  let filterSlot = h('div');
  let stages = [];

  async function load(index, focusAfter) {
    prev.disabled = true;
    next.disabled = true;
    results.setAttribute('aria-busy', 'true');
    try {
      const page = await listLeads(params, { cursor: paging.cursors[index] ?? undefined, limit: PAGE_SIZE });
      if (!ctx.isCurrent()) return;
      paging.index = index;
      paging.cursors.length = index + 1;
      if (page.next_cursor) paging.cursors.push(page.next_cursor);
      const persons = page.leads ?? [];
      if (see(persons) && filterSlot.isConnected) filterSlot.replaceWith(filterSlot = filterForm(filters, sortParam, stages));
      results.replaceChildren(persons.length
        ? tableWrap(leadsTable(persons, filters, sort), t('leads.title'))
        : h('p', { class: 'empty' }, t('leads.none')));
      const pages = Math.max(1, Math.ceil((page.total ?? persons.length) / PAGE_SIZE));
      pageLabel.textContent = t('leads.pageOf', { n: formatNumber(index + 1), pages: formatNumber(pages) });
      status.textContent = t('leads.total', { total: formatNumber(page.total ?? persons.length) });
      prev.disabled = index === 0;
      next.disabled = !page.next_cursor;
      if (focusAfter) (focusAfter.disabled ? results.querySelector('a') ?? pageLabel : focusAfter).focus();
    } catch (err) {
      if (!ctx.isCurrent()) return;
      results.replaceChildren(errorBox(err));
      status.textContent = '';
      prev.disabled = paging.index === 0;
    } finally {
      results.removeAttribute('aria-busy');
    }
  }

  prev.addEventListener('click', () => load(paging.index - 1, prev));
  next.addEventListener('click', () => load(paging.index + 1, next));

  [stages] = await Promise.all([stagesPromise, load(paging.index)]);
  filterSlot = filterForm(filters, sortParam, stages);

  view.append(
    h('h1', { id: 'page-title', tabindex: '-1' }, t('leads.title')),
    h('div', { class: 'toolbar' },
      h('section', { class: 'card filters-card', 'aria-label': t('leads.filters') }, filterSlot),
      h('section', { class: 'card search-card', 'aria-label': t('leads.search') }, searchForm())),
    h('div', { class: 'list-bar' },
      status,
      h('div', { class: 'list-actions' }, downloadButton(params, dlStatus))),
    dlStatus,
    results,
    h('p', { class: 'hint' }, t('leads.sortNote')),
    h('nav', { class: 'pager', 'aria-label': t('leads.pages') }, prev, pageLabel, next));
  return { title: t('leads.title') };
}
