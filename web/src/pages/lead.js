// #/leads/<identity> — one person: scores, stage, why hot, identities,
// attributes, the score chart and the ledger, the hand-off checklist and
// the person's tasks. The identity may be any of the person's (lead id,
// e-mail, anonymous id): GET /v1/leads/{id} resolves it.
import { getChecklist, getLead, getLedger, listTasks, recordCriterion } from '../api.js';
import { chartData, mountScoreChart } from '../chart.js';
import { errorBox, h, rich, section, tableWrap, time } from '../dom.js';
import { formatNumber, formatPoints, formatTime, lang, pick, t } from '../i18n.js';
import { taskTable } from './tasks.js';

function dl(pairs) {
  return h('dl', { class: 'pairs' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

function ruleLabel(row) {
  const due = row.pending ? [' ', h('span', { class: 'kind-tag kind-pending', title: t('ledger.pendingHint') }, t('ledger.pending'))] : [];
  if (row.kind === 'decay') return [h('span', { class: 'kind-tag kind-decay' }, t('kind.decay')), ...due];
  const name = pick(row.label, row.label_ja, row.rule ?? '');
  const parts = [h('span', { title: row.rule ?? '' }, name || '—')];
  if (row.kind && row.kind !== 'points') parts.push(' ', h('span', { class: `kind-tag kind-${row.kind}` }, t(`kind.${row.kind}`)));
  if (row.category) parts.push(h('span', { class: 'sub' }, row.category));
  return [...parts, ...due];
}

function ledgerTable(rows) {
  return h('table', { class: 'data ledger-table', id: 'ledger-table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('ledger.time')),
      h('th', { scope: 'col' }, t('ledger.rule')),
      h('th', { scope: 'col', class: 'num' }, t('ledger.points')),
      h('th', { scope: 'col', class: 'num' }, t('ledger.after')),
      h('th', { scope: 'col' }, t('ledger.event')))),
    h('tbody', {}, rows.map((r) => h('tr', { class: [r.kind === 'decay' ? 'is-decay' : '', r.pending ? 'is-pending' : ''].join(' ').trim() || null, dataset: { kind: r.kind, pending: r.pending ? 'true' : null } },
      h('td', {}, time(r.time, formatTime)),
      h('td', {}, ruleLabel(r)),
      h('td', { class: `num points ${r.points < 0 ? 'neg' : r.points > 0 ? 'pos' : ''}`, dataset: { points: r.points } }, formatPoints(r.points)),
      h('td', { class: 'num', dataset: { after: r.after } }, formatNumber(r.after)),
      h('td', { class: 'mono' }, r.event_id ?? '—')))));
}

/** What the gate misses (the API's `missing` names every criterion not recorded), in the model's words. */
function missingLabels(criteria) {
  return criteria.filter((c) => !c.recorded)
    .map((c) => pick(c.label, c.label_ja, c.criterion) + (c.required ? ` (${t('lead.required')})` : ''))
    .join(t('list.sep'));
}

function checklistView(id, data, onChange) {
  const criteria = data.criteria ?? [];
  if (!criteria.length) return h('p', { class: 'empty' }, t('lead.checklistNone'));
  const errors = h('div', { class: 'checklist-errors' });
  const items = criteria.map((c) => {
    const cid = `crit-${c.criterion}`;
    const name = pick(c.label, c.label_ja, c.criterion);
    const note = h('input', { type: 'text', class: 'note', 'aria-label': t('lead.noteFor', { label: name }), placeholder: t('tasks.note') });
    const box = h('input', { type: 'checkbox', id: cid, checked: !!c.recorded, disabled: !!c.recorded, dataset: { criterion: c.criterion } });
    box.addEventListener('change', async () => {
      if (!box.checked) return;
      box.disabled = true;
      note.disabled = true;
      errors.replaceChildren();
      try {
        onChange(await recordCriterion(id, c.criterion, note.value.trim()), c.criterion);
      } catch (err) {
        box.checked = false;
        box.disabled = false;
        note.disabled = false;
        errors.replaceChildren(errorBox(err));
      }
    });
    return h('li', { class: `check-item${c.recorded ? ' recorded' : ''}` },
      h('div', { class: 'check-line' }, box, h('label', { for: cid }, name),
        c.required ? h('span', { class: 'badge' }, t('lead.required')) : null),
      c.recorded
        ? h('p', { class: 'sub' }, t('lead.recordedBy', { by: c.by ?? '?', at: formatTime(c.at) }), c.note ? ` — ${c.note}` : '')
        : note);
  });
  const g = data.gate;
  return [
    h('ul', { class: 'checklist', id: 'checklist' }, items),
    g ? h('p', { class: `gate ${g.open ? 'open' : 'closed'}` }, g.open
      ? t('lead.gateOpen', { stage: g.stage, min: g.min })
      : t('lead.gateClosed', { stage: g.stage, min: g.min, missing: missingLabels(criteria) || (g.missing ?? '') })) : null,
    h('p', { class: 'hint' }, t('lead.checklistNoUndo')),
    errors,
  ];
}

export async function render(view, ctx) {
  const id = ctx.route.id;
  const [person, ledgerRes, checklistRes, tasksRes] = await Promise.allSettled([
    getLead(id), getLedger(id), getChecklist(id), listTasks({ lead: id, status: 'all' }),
  ]);
  const back = h('p', { class: 'back' }, h('a', { href: '#/leads' }, `← ${t('app.backToLeads')}`));
  if (person.status === 'rejected') {
    view.append(back, h('h1', { id: 'page-title', tabindex: '-1' }, t('lead.title', { id })), errorBox(person.reason));
    return { title: id };
  }
  const p = person.value;
  const ledger = ledgerRes.status === 'fulfilled' ? ledgerRes.value.ledger ?? [] : [];
  const scoreNames = Object.keys(p.scores ?? {});
  const single = scoreNames.length === 1;
  const score = single ? p.scores[scoreNames[0]] : null;
  const lastAfter = ledger.length ? ledger[ledger.length - 1].after : 0;
  const sum = ledger.reduce((a, r) => a + (r.points ?? 0), 0);
  const cleanups = [];

  // summary
  const scoreBlock = single
    ? h('p', { class: 'score-big' }, h('span', { class: 'score-label' }, t('lead.score')),
      h('output', { id: 'lead-score', dataset: { score } }, formatNumber(score)))
    : h('div', { class: 'scores' }, scoreNames.map((n) => h('p', { class: 'score-big' },
      h('span', { class: 'score-label' }, n),
      h('output', { class: 'score-value', dataset: { score: p.scores[n], name: n } }, formatNumber(p.scores[n])))));
  // steps due by the read time that the store has not written yet: the API
  // gives them as pending rows, so the ledger still adds up to the score
  const due = ledger.filter((r) => r.pending).length;
  const pending = due
    ? h('p', { class: 'alert alert-info', id: 'pending-decay' }, rich(t('lead.pendingRows', { count: formatNumber(due) })))
    : null;
  const grades = Object.entries(p.grades ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const why = p.why_hot ? pick(p.why_hot.en, p.why_hot.ja, '') : '';

  const summary = h('section', { class: 'card summary', 'aria-labelledby': 'summary-title' },
    h('h2', { id: 'summary-title', class: 'visually-hidden' }, t('lead.summary')),
    h('div', { class: 'summary-grid' },
      scoreBlock,
      dl([
        [t('lead.stage'), h('span', { class: `stage stage-${p.stage}`, id: 'lead-stage' }, p.stage)],
        [t('lead.since'), time(p.stage_since, formatTime)],
        [t('lead.mqls'), formatNumber(p.mql_count ?? 0)],
        [t('lead.lastMql'), time(p.last_mql_at, formatTime)],
        [t('lead.updated'), time(p.updated_at, formatTime)],
        [t('lead.grades'), grades],
        [t('lead.cell'), p.cell],
      ])),
    pending,
    h('h3', {}, t('lead.whyHot')),
    h('p', { class: 'why-hot', id: 'why-hot', lang: lang() }, why || t('lead.whyHotNone')));

  // identities and attributes
  const attrs = Object.entries(p.attributes ?? {});
  const who = h('section', { class: 'card', 'aria-labelledby': 'who-title' },
    h('h2', { id: 'who-title' }, t('lead.identities')),
    h('ul', { class: 'identities' }, (p.identities ?? []).map((i) => h('li', { class: 'mono' }, i))),
    h('h3', {}, t('lead.attributes')),
    attrs.length ? dl(attrs) : h('p', { class: 'empty' }, t('lead.noAttributes')));

  // chart
  let chartBody;
  const data = single ? chartData(ledger, p.stage_history ?? []) : null;
  if (ledgerRes.status === 'rejected') chartBody = errorBox(ledgerRes.reason);
  else if (!single) chartBody = h('p', { class: 'empty' }, t('lead.chartMulti'));
  else if (!data) chartBody = h('p', { class: 'empty' }, t('lead.chartEmpty'));
  else {
    const box = h('div', { class: 'chart-box', id: 'score-chart' });
    const decays = ledger.filter((r) => r.kind === 'decay').length;
    cleanups.push(mountScoreChart(box, data, {
      lang: lang(),
      number: formatNumber,
      title: t('lead.chart'),
      desc: t('lead.chartDesc', { first: formatNumber(data.start), last: formatNumber(lastAfter), rows: ledger.length, decays }),
    }));
    chartBody = [box, h('ul', { class: 'legend', 'aria-hidden': 'true' },
      h('li', { class: 'legend-score' }, t('lead.legendScore')),
      h('li', { class: 'legend-decay' }, t('lead.legendDecay')),
      h('li', { class: 'legend-stage' }, t('lead.legendStage')))];
  }

  // ledger
  const ledgerBody = ledgerRes.status === 'rejected'
    ? errorBox(ledgerRes.reason)
    : [h('p', { class: 'hint', id: 'ledger-sum', dataset: { sum } }, t('lead.ledgerCount', { count: ledger.length, sum: formatNumber(sum) })),
      tableWrap(ledgerTable(ledger), t('lead.ledger'), 'ledger-wrap')];

  // checklist: re-drawn from the POST's answer
  const checklistBox = h('div', { id: 'checklist-box' });
  const drawChecklist = (res, focusCriterion) => {
    checklistBox.replaceChildren(...[checklistView(id, res, drawChecklist)].flat().filter(Boolean));
    if (focusCriterion) checklistBox.querySelector(`input[data-criterion="${CSS.escape(focusCriterion)}"]`)?.focus();
  };
  if (checklistRes.status === 'fulfilled') drawChecklist(checklistRes.value);
  else checklistBox.append(errorBox(checklistRes.reason));

  // tasks
  const tasks = tasksRes.status === 'fulfilled' ? tasksRes.value.tasks ?? [] : [];
  const tasksBody = tasksRes.status === 'rejected'
    ? errorBox(tasksRes.reason)
    : tasks.length
      ? tableWrap(taskTable(tasks, { byLead: false, onDone: () => ctx.rerender({ focus: true }) }), t('lead.tasks'))
      : h('p', { class: 'empty' }, t('lead.tasksNone'));

  view.append(
    back,
    h('h1', { id: 'page-title', tabindex: '-1', class: 'mono-title' }, p.lead_id),
    h('div', { class: 'lead-grid' },
      summary,
      who),
    section(t('lead.chart'), 'chart-section', chartBody),
    section(t('lead.tasks'), 'tasks-section', tasksBody),
    section(t('lead.checklist'), 'checklist-section', checklistBox),
    section(t('lead.ledger'), 'ledger-section', ledgerBody));
  return { title: p.lead_id, cleanup: () => cleanups.forEach((f) => f()) };
}
