// #/tasks[?owner=…] — the cadence tasks due today and overdue (GET /v1/tasks
// ?due=today / ?due=overdue, as of the store's clock), each with "Complete":
// a dialog asks for the outcome (and a note) and POSTs /v1/tasks/{id}/done.
// taskTable() is shared with the lead page.
import { OUTCOMES, completeTask, knownOwners, listTasks } from '../api.js';
import { datalist, errorBox, h, section, tableWrap, time } from '../dom.js';
import { formatTime, pick, t } from '../i18n.js';
import { href, leadHref, navigate } from '../router.js';

let flash = ''; // "task completed", shown once by the next render

const label = (prefix, value) => {
  const key = `${prefix}.${value}`;
  const s = t(key);
  return s === key ? value : s;
};

/** Asks for an outcome in a modal dialog; resolves true once the task is done. */
export function completeDialog(task) {
  return new Promise((resolve) => {
    const errors = h('div', { class: 'dialog-errors' });
    const submit = h('button', { type: 'submit', class: 'button-primary', id: 'complete-submit' }, t('tasks.complete'));
    const form = h('form', { method: 'dialog', class: 'complete-form' },
      h('h2', { id: 'complete-title' }, t('tasks.completeTitle')),
      h('p', { class: 'hint' }, t('tasks.completeOf', {
        task: label('channel', task.task), lead: task.lead_id, due: formatTime(task.due_at),
      })),
      h('fieldset', { class: 'outcomes' },
        h('legend', {}, t('tasks.outcome')),
        OUTCOMES.map((o, i) => h('label', { class: 'radio' },
          h('input', { type: 'radio', name: 'outcome', value: o, required: true, checked: i === 0 }),
          ' ', t(`outcome.${o}`)))),
      h('label', { for: 'complete-note' }, t('tasks.note')),
      h('textarea', { id: 'complete-note', name: 'note', rows: '2' }),
      errors,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', value: 'cancel', onclick: () => dialog.close() }, t('tasks.cancel')),
        submit));
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'complete-title', id: 'complete-dialog' }, form);
    let done = false;

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const outcome = data.get('outcome');
      submit.disabled = true;
      errors.replaceChildren();
      try {
        await completeTask(task.id, outcome, String(data.get('note') ?? '').trim());
        done = true;
        flash = t('tasks.completed', { id: task.id, outcome: t(`outcome.${outcome}`) });
        dialog.close();
      } catch (err) {
        errors.replaceChildren(errorBox(err));
        submit.disabled = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(done);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/**
 * A table of tasks; `onDone` runs after one is completed. With `byLead`, the
 * tasks are grouped by person (in the API's order), each group headed by
 * the lead, its owner and why it is hot.
 */
export function taskTable(tasks, { byLead = true, onDone }) {
  const cols = [
    [t('tasks.due'), (x) => h('span', {}, time(x.due_at, formatTime), h('span', { class: 'sub' }, t('tasks.day', { n: x.day })))],
    [t('tasks.task'), (x) => h('span', {}, label('channel', x.task), x.template ? h('span', { class: 'sub' }, x.template) : null, x.note ? h('span', { class: 'sub' }, x.note) : null)],
    [t('tasks.channel'), (x) => label('channel', x.channel)],
    !byLead && [t('col.owner'), (x) => x.owner ?? ''],
    [t('tasks.status'), (x) => h('span', { class: `status-tag status-${x.status}` }, label('status', x.status))],
    [t('tasks.outcome'), (x) => (x.outcome ? h('span', {}, label('outcome', x.outcome), x.outcome_note ? h('span', { class: 'sub' }, x.outcome_note) : null) : '')],
    [t('tasks.action'), (x) => ((x.status === 'open' || x.status === 'overdue')
      ? h('button', {
        type: 'button', class: 'complete', dataset: { task: x.id },
        'aria-label': `${t('tasks.complete')}: ${label('channel', x.task)}, ${x.lead_id}, ${formatTime(x.due_at)}`,
        onclick: async () => { if (await completeDialog(x)) onDone?.(); },
      }, t('tasks.complete'))
      : '')],
  ].filter(Boolean);
  const row = (x) => h('tr', { dataset: { task: x.id, status: x.status, lead: x.lead_id } },
    cols.map(([, cell]) => h('td', {}, cell(x))));

  const groups = [];
  for (const x of tasks) {
    const g = groups[groups.length - 1];
    if (byLead && g && g.lead === x.lead_id) g.tasks.push(x);
    else groups.push({ lead: x.lead_id, tasks: [x] });
  }
  const bodies = byLead
    ? groups.map((g) => {
      const x = g.tasks[0];
      const why = pick(x.why_hot?.en, x.why_hot?.ja, '');
      return h('tbody', {},
        h('tr', { class: 'group' }, h('th', { scope: 'colgroup', colspan: String(cols.length) },
          h('div', { class: 'group-inner' },
            h('a', { href: leadHref(x.lead_id) }, x.lead_id),
            x.owner ? h('span', { class: 'owner' }, ` · ${t('col.owner')}: ${x.owner}`) : null,
            why ? h('span', { class: 'why' }, `${t('tasks.whyHot')}: ${why}`) : null))),
        g.tasks.map(row));
    })
    : [h('tbody', {}, tasks.map(row))];
  return h('table', { class: 'data tasks-table' },
    h('thead', {}, h('tr', {}, cols.map(([name]) => h('th', { scope: 'col' }, name)))),
    bodies);
}

export function takeFlash() {
  const f = flash;
  flash = '';
  return f;
}

export async function render(view, ctx) {
  const owner = ctx.route.query.get('owner') ?? '';
  const params = owner ? { owner } : {};
  const [today, overdue, owners] = await Promise.allSettled([
    listTasks({ ...params, due: 'today' }),
    listTasks({ ...params, due: 'overdue' }),
    knownOwners(),
  ]);

  const ownerInput = h('input', { id: 't-owner', name: 'owner', type: 'text', value: owner, size: '12', list: 't-owners', autocomplete: 'off' });
  const form = h('form', { class: 'filters', id: 'task-filters' },
    h('div', { class: 'field' }, h('label', { for: 't-owner' }, t('tasks.owner')), ownerInput,
      datalist('t-owners', owners.value ?? [])),
    h('div', { class: 'field-actions' }, h('button', { type: 'submit', class: 'button-primary' }, t('tasks.apply'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(href('/tasks', { owner: ownerInput.value.trim() }));
  });

  const block = (id, title, res) => {
    const tasks = res.status === 'fulfilled' ? res.value.tasks ?? [] : [];
    return section(title, id,
      res.status === 'rejected'
        ? errorBox(res.reason)
        : tasks.length
          ? [h('p', { class: 'hint' }, t('tasks.count', { count: tasks.length })),
            tableWrap(taskTable(tasks, { onDone: () => ctx.rerender({ focus: true }) }), title)]
          : h('p', { class: 'empty' }, t('tasks.none')));
  };

  const message = takeFlash();
  const status = h('div', { class: 'status', role: 'status', id: 'tasks-status' });
  // filled once the live region is on the page, so that it is announced
  if (message) setTimeout(() => status.replaceChildren(h('p', { class: 'alert alert-ok' }, message)), 50);
  view.append(
    h('h1', { id: 'page-title', tabindex: '-1' }, t('tasks.title')),
    status,
    h('div', { class: 'card' }, form),
    block('tasks-today', t('tasks.today'), today),
    block('tasks-overdue', t('tasks.overdue'), overdue));
  return { title: t('tasks.title') };
}
