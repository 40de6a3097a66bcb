// #/leads?stage=&min_score=&max_score=&grade=&owner= — the persons, 50 a
// page in the API's order (lead id), with the API's cursor: Next pushes the
// page's next_cursor on a stack, Previous pops it. Sorting a column sorts
// the page on screen only (the API cannot sort). "Download CSV" fetches the
// leads CSV of the same filters with the key and saves it.
import { knownOwners, leadsCsv, listLeads, modelStages } from '../api.js';
import { datalist, errorBox, h, tableWrap, time } from '../dom.js';
import { formatNumber, formatTime, t } from '../i18n.js';
import { href, leadHref, navigate } from '../router.js';

const PAGE_SIZE = 50;
const FILTERS = ['stage', 'min_score', 'max_score', 'grade', 'owner'];

// Kept across renders (a language switch, coming back from a lead page).
const paging = { key: null, cursors: [null], index: 0 };
const sort = { column: null, dir: 'ascending' };
let stagesPromise = null;
let ownersPromise = null;
let modelHasGrades = false; // seen a person with grades

function filtersOf(query) {
  const f = {};
  for (const name of FILTERS) {
    const v = query.get(name);
    if (v) f[name] = v;
  }
  return f;
}

/** The table's columns for these persons. */
function columns(persons, filters) {
  const scoreNames = [...new Set(persons.flatMap((p) => Object.keys(p.scores ?? {})))];
  if (scoreNames.length === 0) scoreNames.push('score');
  const cols = [{
    id: 'lead', label: t('col.lead'), value: (p) => p.lead_id,
    cell: (p) => h('a', { href: leadHref(p.lead_id) }, p.lead_id),
  }];
  for (const name of scoreNames) {
    cols.push({
      id: `score:${name}`, numeric: true,
      label: scoreNames.length === 1 ? t('col.score') : name,
      value: (p) => p.scores?.[name] ?? null,
      cell: (p) => (p.scores?.[name] === undefined ? '' : formatNumber(p.scores[name])),
    });
  }
  cols.push({ id: 'stage', label: t('col.stage'), value: (p) => p.stage, cell: (p) => h('span', { class: `stage stage-${p.stage}` }, p.stage) });
  if (modelHasGrades) {
    cols.push({
      id: 'grade', label: t('col.grade'),
      value: (p) => Object.values(p.grades ?? {})[0] ?? null,
      cell: (p) => Object.values(p.grades ?? {}).join(' · '),
    });
  }
  // GET /v1/leads does not give owners; when the list is filtered by owner, it is that one.
  if (filters.owner || persons.some((p) => p.owner)) {
    cols.push({ id: 'owner', label: t('col.owner'), value: (p) => p.owner ?? filters.owner ?? null, cell: (p) => p.owner ?? filters.owner ?? '' });
  }
  cols.push({
    id: 'last_mql', label: t('col.lastMql'), value: (p) => p.last_mql_at,
    cell: (p) => time(p.last_mql_at, formatTime),
  });
  return cols;
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // empty last
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function sorted(persons, cols) {
  const col = cols.find((c) => c.id === sort.column);
  if (!col) return persons;
  const dir = sort.dir === 'ascending' ? 1 : -1;
  return [...persons].sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    if (va === null || va === undefined || vb === null || vb === undefined) return compare(va, vb);
    return dir * compare(va, vb);
  });
}

function leadsTable(persons, filters, onSort) {
  const cols = columns(persons, filters);
  const head = h('tr', {}, cols.map((c) => {
    const state = sort.column === c.id ? sort.dir : 'none';
    return h('th', { scope: 'col', 'aria-sort': state, class: c.numeric ? 'num' : null },
      h('button', {
        type: 'button', class: 'sort', dataset: { column: c.id },
        'aria-label': t('leads.sortBy', { column: c.label }),
        onclick: () => onSort(c.id),
      }, c.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' },
        state === 'ascending' ? '▲' : state === 'descending' ? '▼' : '↕')));
  }));
  const body = sorted(persons, cols).map((p) => h('tr', { dataset: { lead: p.lead_id, stage: p.stage } },
    cols.map((c, i) => (i === 0
      ? h('th', { scope: 'row' }, c.cell(p))
      : h('td', { class: c.numeric ? 'num' : null }, c.cell(p))))));
  return h('table', { class: 'data leads-table', id: 'leads-table' },
    h('caption', { class: 'visually-hidden' }, t('leads.title')),
    h('thead', {}, head),
    h('tbody', {}, body));
}

function filterForm(filters, stages, owners) {
  const stageOptions = [...new Set([...stages, filters.stage].filter(Boolean))];
  const field = (name, label, input) => h('div', { class: `field field-${name}` },
    h('label', { for: `f-${name}` }, label), input);
  const form = h('form', { class: 'filters', id: 'filters', 'aria-label': t('leads.filters') },
    field('stage', t('leads.stage'), h('select', { id: 'f-stage', name: 'stage' },
      h('option', { value: '' }, t('leads.anyStage')),
      stageOptions.map((s) => h('option', { value: s, selected: s === filters.stage }, s)))),
    field('min_score', t('leads.minScore'), h('input', { id: 'f-min_score', name: 'min_score', type: 'number', step: '1', inputmode: 'numeric', value: filters.min_score ?? '' })),
    field('max_score', t('leads.maxScore'), h('input', { id: 'f-max_score', name: 'max_score', type: 'number', step: '1', inputmode: 'numeric', value: filters.max_score ?? '' })),
    (modelHasGrades || filters.grade)
      ? field('grade', t('leads.grade'), h('input', { id: 'f-grade', name: 'grade', type: 'text', size: '4', value: filters.grade ?? '' }))
      : null,
    field('owner', t('leads.owner'), [h('input', { id: 'f-owner', name: 'owner', type: 'text', size: '10', list: 'owners-list', autocomplete: 'off', value: filters.owner ?? '' }),
      datalist('owners-list', owners)]),
    h('div', { class: 'field-actions' },
      h('button', { type: 'submit', class: 'button-primary' }, t('leads.apply')),
      h('a', { href: '#/leads', class: 'button-link' }, t('leads.reset'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const next = {};
    for (const name of FILTERS) {
      const v = String(data.get(name) ?? '').trim();
      if (v) next[name] = v;
    }
    navigate(href('/leads', next));
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

function downloadButton(filters, status) {
  const button = h('button', { type: 'button', id: 'download-csv' }, t('leads.download'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.replaceChildren(t('leads.downloading'));
    try {
      const blob = await leadsCsv(filters);
      const name = `leads${filters.stage ? `-${filters.stage}` : ''}.csv`;
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

export async function render(view, ctx) {
  const filters = filtersOf(ctx.route.query);
  const key = JSON.stringify(filters);
  if (paging.key !== key) Object.assign(paging, { key, cursors: [null], index: 0 });
  stagesPromise ??= modelStages();
  ownersPromise ??= knownOwners();

  const results = h('div', { id: 'leads-results' });
  const status = h('p', { class: 'status', role: 'status', id: 'leads-status' });
  const dlStatus = h('div', { class: 'status', role: 'status', id: 'download-status' });
  const prev = h('button', { type: 'button', id: 'prev-page' }, t('leads.prev'));
  const next = h('button', { type: 'button', id: 'next-page' }, t('leads.next'));
  const pageLabel = h('span', { class: 'page-number', id: 'page-number' });
  let persons = [];
  let filterSlot = h('div');
  let stages = [];
  let owners = [];

  function drawTable() {
    results.replaceChildren(persons.length
      ? tableWrap(leadsTable(persons, filters, (column) => {
        if (sort.column === column) sort.dir = sort.dir === 'ascending' ? 'descending' : 'ascending';
        else Object.assign(sort, { column, dir: 'ascending' });
        drawTable();
        results.querySelector(`button.sort[data-column="${CSS.escape(column)}"]`)?.focus();
      }), t('leads.title'))
      : h('p', { class: 'empty' }, t('leads.none')));
  }

  async function load(index, focusAfter) {
    prev.disabled = true;
    next.disabled = true;
    results.setAttribute('aria-busy', 'true');
    try {
      const page = await listLeads(filters, { cursor: paging.cursors[index] ?? undefined, limit: PAGE_SIZE });
      if (!ctx.isCurrent()) return;
      paging.index = index;
      paging.cursors.length = index + 1;
      if (page.next_cursor) paging.cursors.push(page.next_cursor);
      persons = page.leads ?? [];
      if (!modelHasGrades && persons.some((p) => Object.keys(p.grades ?? {}).length)) {
        modelHasGrades = true;
        filterSlot.replaceWith(filterSlot = filterForm(filters, stages, owners));
      }
      drawTable();
      pageLabel.textContent = t('leads.page', { n: index + 1 });
      status.textContent = t('leads.pageCount', { count: persons.length });
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

  [stages, owners] = await Promise.all([stagesPromise, ownersPromise, load(paging.index)]);
  filterSlot = filterForm(filters, stages, owners);

  view.append(
    h('h1', { id: 'page-title', tabindex: '-1' }, t('leads.title')),
    h('div', { class: 'toolbar' },
      h('section', { class: 'card filters-card', 'aria-label': t('leads.filters') }, filterSlot),
      h('section', { class: 'card search-card', 'aria-label': t('leads.search') }, searchForm())),
    h('div', { class: 'list-bar' },
      status,
      h('div', { class: 'list-actions' }, downloadButton(filters, dlStatus))),
    dlStatus,
    results,
    h('p', { class: 'hint' }, t('leads.sortNote')),
    h('nav', { class: 'pager', 'aria-label': t('leads.pages') }, prev, pageLabel, next));
  return { title: t('leads.title') };
}
