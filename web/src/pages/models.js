// #/models — the current model (GET /v1/model: stages, targets and rules
// with their labels in the current language), its versions (GET /v1/models,
// a version's YAML from GET /v1/models/{version}) and the rescore preview:
// POST /v1/models/preview with a candidate model's YAML (admin scope) shows
// how many persons would change, persons per stage and MQLs per week before
// and after, and the server's text report. Nothing is changed by a preview.
// Below, backtest reports: a `leadscore backtest --format json` file read in
// the browser and drawn as figures and charts per model (btview.js).
import { getModel, getModelVersion, listModels, previewModel } from '../api.js';
import { chartBlock } from '../bars.js';
import { errorBox, h, rich, section, tableWrap } from '../dom.js';
import { formatNumber, formatUtc, pick, t } from '../i18n.js';
import { bound, kpiLabel } from '../funnelview.js';
import { MAX_BYTES, ReportError, parseReport, reportErrorText, reportView } from '../btview.js';

// kept across renders (a language switch): the candidate text and the last answer
const state = { yaml: '', result: null, error: null };
// the backtest report read from a file (its name, the checked report, or the error)
const bt = { name: '', report: null, error: null };

function stagesTable(model) {
  return tableWrap(h('table', { class: 'data', id: 'model-stages' },
    h('caption', { class: 'visually-hidden' }, t('models.stages')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('col.stage')),
      h('th', { scope: 'col' }, t('models.mql')),
      h('th', { scope: 'col', class: 'num' }, t('models.sla')))),
    h('tbody', {}, (model.stages ?? []).map((st) => h('tr', { dataset: { stage: st.name } },
      h('th', { scope: 'row' }, h('span', { class: `stage stage-${st.name}` }, st.name)),
      h('td', {}, st.mql ? t('models.yes') : ''),
      h('td', { class: 'num' }, st.sla_days === null || st.sla_days === undefined ? '—' : t('models.days', { n: formatNumber(st.sla_days) })))))),
  t('models.stages'));
}

function targetScope(k) {
  if (k.kind === 'conversion' && k.from && k.to) return `${k.from} → ${k.to}`;
  return k.stage ?? '';
}

function targetsTable(model) {
  const targets = model.targets ?? [];
  if (!targets.length) return h('p', { class: 'empty' }, t('models.noTargets'));
  return tableWrap(h('table', { class: 'data', id: 'model-targets' },
    h('caption', { class: 'visually-hidden' }, t('models.targets')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('models.target')),
      h('th', { scope: 'col' }, t('models.kind')),
      h('th', { scope: 'col' }, t('models.scope')),
      h('th', { scope: 'col', class: 'num' }, t('models.perMonth')))),
    h('tbody', {}, targets.map((k) => h('tr', { dataset: { target: k.id } },
      h('th', { scope: 'row' }, kpiLabel(k)),
      h('td', {}, t(`kpi.kind.${k.kind}`)),
      h('td', {}, targetScope(k)),
      h('td', { class: 'num', dataset: { target: k.value ?? k.target ?? '' } }, bound(k, k.value ?? k.target)))))), // `value` in the contract, `target` in the funnel's KPIs
  t('models.targets'));
}

function rulesTable(model) {
  const rules = model.rules ?? [];
  if (!rules.length) return h('p', { class: 'empty' }, t('models.noRules'));
  return tableWrap(h('table', { class: 'data', id: 'model-rules' },
    h('caption', { class: 'visually-hidden' }, t('models.rules')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('models.rule')),
      h('th', { scope: 'col' }, t('models.ruleId')))),
    h('tbody', {}, rules.map((r) => h('tr', { dataset: { rule: r.id } },
      h('td', {}, pick(r.label, r.label_ja, r.id)),
      h('td', { class: 'mono' }, r.id))))),
  t('models.rules'));
}

/** The versions, each with a button that shows its YAML below it. */
function versionList(versions, current) {
  const list = [...(versions.versions ?? [])].sort((a, b) => b.version - a.version);
  if (!list.length) return h('p', { class: 'empty' }, t('models.noVersions'));
  return h('ul', { class: 'versions', id: 'model-versions' }, list.map((v) => {
    const id = `yaml-${v.version}`;
    const box = h('div', { id, class: 'version-yaml', hidden: true });
    const button = h('button', {
      type: 'button', class: 'show-yaml', 'aria-expanded': 'false', 'aria-controls': id, dataset: { version: v.version },
    }, t('models.showYaml'));
    let loaded = false;
    button.addEventListener('click', async () => {
      const open = button.getAttribute('aria-expanded') === 'true';
      button.setAttribute('aria-expanded', open ? 'false' : 'true');
      button.textContent = t(open ? 'models.showYaml' : 'models.hideYaml');
      box.hidden = open;
      if (open || loaded) return;
      box.replaceChildren(h('p', { class: 'loading', role: 'status' }, t('app.loading')));
      try {
        const res = await getModelVersion(v.version);
        loaded = true;
        box.replaceChildren(h('pre', { class: 'yaml', tabindex: '0', 'aria-label': t('models.yamlOf', { version: v.version }) }, res.source ?? ''));
      } catch (err) {
        box.replaceChildren(errorBox(err));
      }
    });
    return h('li', { class: 'version', dataset: { version: v.version } },
      h('div', { class: 'version-line' },
        h('span', { class: 'version-name' }, t('models.version', { n: v.version })),
        v.version === current ? h('span', { class: 'badge badge-current' }, t('models.current')) : null,
        button),
      box);
  }));
}

const WEEK = 7 * 86400000;

/** A week's Monday (ms, UTC) from 'YYYY-MM-DD' or an ISO week 'YYYY-Www'; NaN otherwise. */
function weekStart(w) {
  const iso = /^(\d{4})-W(\d{2})$/.exec(w ?? '');
  if (iso) {
    const jan4 = Date.UTC(Number(iso[1]), 0, 4);
    const monday1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86400000;
    return monday1 + (Number(iso[2]) - 1) * WEEK;
  }
  return /^\d{4}-\d{2}-\d{2}$/.test(w ?? '') ? Date.parse(`${w}T00:00:00Z`) : NaN;
}

/**
 * The preview's weeks (those with MQLs) on a continuous time line: the weeks
 * in between with zeros, each labelled by its Monday.
 */
function fillWeeks(weeks) {
  const starts = weeks.map((r) => weekStart(r.week));
  if (!weeks.length || starts.some((x) => Number.isNaN(x))) {
    return { rows: weeks, categories: weeks.map((r) => ({ label: r.week })) };
  }
  const by = new Map(starts.map((x, i) => [x, weeks[i]]));
  const first = Math.min(...starts);
  const last = Math.max(...starts);
  const rows = [];
  const categories = [];
  for (let x = first; x <= last && rows.length < 1000; x += WEEK) {
    const r = by.get(x);
    rows.push(r ?? { week: new Date(x).toISOString().slice(0, 10), before: 0, after: 0 });
    categories.push({ label: formatUtc(x, { short: true }), long: t('funnel.weekOf', { date: formatUtc(x) }) });
  }
  return { rows, categories };
}

function beforeAfter(id, title, desc, categories, rows, header, cleanups, mode) {
  const spec = {
    id, title, desc, mode,
    categories,
    series: [
      { name: t('models.before'), cls: 'before', values: rows.map((r) => r.before ?? 0) },
      { name: t('models.after'), cls: 'after', values: rows.map((r) => r.after ?? 0) },
    ],
    number: formatNumber,
  };
  return chartBlock(spec, cleanups, { categoryHeader: header, tableId: `${id}-table` });
}

function resultView(res, cleanups) {
  const stages = res.stages ?? [];
  const { rows: weeks, categories: weekCats } = fillWeeks(res.weeks ?? []);
  const sum = (rows, k) => rows.reduce((a, r) => a + (r[k] ?? 0), 0);
  return [
    h('p', { class: 'changed', id: 'preview-changed', dataset: { changed: res.changed } },
      h('span', { class: 'changed-number' }, formatNumber(res.changed ?? 0)), ' ',
      h('span', {}, t('models.changed', { count: res.changed ?? 0 }))),
    h('h3', {}, t('models.stagesChart')),
    stages.length
      ? beforeAfter('preview-stages', t('models.stagesChart'),
        t('models.stagesDesc', { before: formatNumber(sum(stages, 'before')), after: formatNumber(sum(stages, 'after')) }),
        stages.map((r) => ({ label: r.name })), stages, t('col.stage'), cleanups, 'group')
      : h('p', { class: 'empty' }, t('models.noData')),
    h('h3', {}, t('models.weeksChart')),
    weeks.length
      ? beforeAfter('preview-weeks', t('models.weeksChart'),
        t('models.weeksDesc', { weeks: weeks.length, before: formatNumber(sum(weeks, 'before')), after: formatNumber(sum(weeks, 'after')) }),
        weekCats, weeks, t('models.week'), cleanups, weeks.length > 16 ? 'line' : 'group')
      : h('p', { class: 'empty' }, t('models.noData')),
    h('h3', {}, t('models.report')),
    h('pre', { class: 'report', id: 'preview-report', tabindex: '0', 'aria-label': t('models.report') }, res.report ?? ''),
  ];
}

function previewError(err) {
  const box = errorBox(err);
  box.id = 'preview-error';
  if (err?.status === 403) box.append(h('br'), t('models.noAdmin'));
  if (err?.status === 400) box.append(h('br'), t('models.invalid'));
  return box;
}

function previewForm(current, cleanups) {
  const output = h('div', { id: 'preview-result', 'aria-live': 'polite' });
  const resultCleanups = [];
  cleanups.push(() => resultCleanups.splice(0).forEach((f) => f()));
  const show = () => {
    resultCleanups.splice(0).forEach((f) => f());
    if (state.error) output.replaceChildren(previewError(state.error));
    else if (state.result) output.replaceChildren(...resultView(state.result, resultCleanups).flat());
    else output.replaceChildren();
  };
  const area = h('textarea', {
    id: 'candidate', name: 'yaml', rows: '14', spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': 'candidate-hint', class: 'yaml-input',
  });
  area.value = state.yaml;
  area.addEventListener('input', () => { state.yaml = area.value; });
  const run = h('button', { type: 'submit', class: 'button-primary', id: 'preview-run' }, t('models.preview'));
  const load = h('button', { type: 'button', id: 'preview-load' }, t('models.loadCurrent'));
  const status = h('p', { class: 'status', role: 'status', id: 'preview-status' });
  load.addEventListener('click', async () => {
    load.disabled = true;
    try {
      const res = await getModelVersion(current);
      area.value = state.yaml = res.source ?? '';
      area.focus();
      area.setSelectionRange(0, 0); // from its first line
      area.scrollTop = 0;
    } catch (err) {
      state.error = err;
      state.result = null;
      show();
    } finally {
      load.disabled = false;
    }
  });
  const form = h('form', { id: 'preview-form', class: 'preview-form' },
    h('label', { for: 'candidate' }, t('models.candidate')),
    h('p', { class: 'hint', id: 'candidate-hint' }, rich(t('models.candidateHint'))),
    area,
    h('div', { class: 'field-actions' }, run, current ? load : null),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!area.value.trim()) { area.focus(); return; }
    run.disabled = true;
    status.textContent = t('models.previewing');
    output.setAttribute('aria-busy', 'true');
    try {
      state.result = await previewModel(area.value);
      state.error = null;
      status.textContent = t('models.previewDone');
    } catch (err) {
      state.error = err;
      state.result = null;
      status.textContent = '';
    } finally {
      run.disabled = false;
      output.removeAttribute('aria-busy');
    }
    show();
  });
  show();
  return [form, output];
}

/**
 * Backtest reports: a JSON file written by `leadscore backtest --format json`,
 * read in the browser (chosen or dropped; nothing is sent anywhere), checked
 * and shown as figures, charts and tables (btview.js).
 */
function backtestSection(cleanups) {
  const output = h('div', { id: 'bt-result', 'aria-live': 'polite' });
  const resultCleanups = [];
  cleanups.push(() => resultCleanups.splice(0).forEach((f) => f()));
  const status = h('p', { class: 'status', role: 'status', id: 'bt-status' });
  const show = () => {
    resultCleanups.splice(0).forEach((f) => f());
    if (bt.error) {
      output.replaceChildren(h('div', { class: 'alert alert-error', role: 'alert', id: 'bt-error' }, rich(reportErrorText(bt.error, bt.name))));
    } else if (bt.report) {
      output.replaceChildren(...reportView(bt.report, resultCleanups));
    } else {
      output.replaceChildren();
    }
    status.textContent = bt.report ? t('bt.loaded', { file: bt.name, models: formatNumber(bt.report.models.length), weeks: formatNumber(bt.report.weeks) }) : '';
  };
  const input = h('input', { type: 'file', id: 'bt-file', name: 'report', accept: '.json,application/json', 'aria-describedby': 'bt-hint' });
  const load = async (file) => {
    if (!file) return;
    bt.name = file.name;
    status.textContent = t('bt.reading', { file: file.name });
    output.setAttribute('aria-busy', 'true');
    try {
      if (file.size > MAX_BYTES) {
        throw new ReportError('bt.tooBig', { mb: formatNumber(Math.ceil(file.size / 1048576)), max: formatNumber(MAX_BYTES / 1048576) });
      }
      bt.report = parseReport(await file.text());
      bt.error = null;
    } catch (err) {
      bt.report = null;
      bt.error = err;
    } finally {
      output.removeAttribute('aria-busy');
    }
    show();
  };
  input.addEventListener('change', () => load(input.files?.[0]));
  const drop = h('div', { class: 'bt-drop', id: 'bt-drop' },
    h('label', { for: 'bt-file' }, t('bt.file')),
    input,
    h('p', { class: 'hint' }, t('bt.drop')));
  drop.addEventListener('dragover', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    drop.classList.add('bt-drop-over');
  });
  drop.addEventListener('dragleave', (e) => {
    if (!drop.contains(e.relatedTarget)) drop.classList.remove('bt-drop-over');
  });
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('bt-drop-over');
    load(e.dataTransfer?.files?.[0]);
  });
  show();
  return [
    h('p', { class: 'hint bt-hint', id: 'bt-hint' }, rich(t('bt.hint'))),
    drop,
    status,
    output,
  ];
}

export async function render(view, ctx) {
  const cleanups = [];
  const [modelRes, versionsRes] = await Promise.allSettled([getModel(), listModels()]);
  if (!ctx.isCurrent()) return {};
  const model = modelRes.status === 'fulfilled' ? modelRes.value : null;
  const versions = versionsRes.status === 'fulfilled' ? versionsRes.value : null;
  const current = versions?.current ?? model?.version ?? null;

  view.append(h('h1', { id: 'page-title', tabindex: '-1' }, t('models.title')));
  view.append(
    h('div', { class: 'models-grid' },
      section(t('models.currentTitle'), 'model-section',
        model
          ? [h('p', { class: 'model-name', id: 'model-name' }, t('models.nameVersion', { name: model.name ?? '', n: model.version })),
            h('h3', {}, t('models.targets')), targetsTable(model),
            h('h3', {}, t('models.stages')), stagesTable(model),
            h('h3', {}, t('models.rules')), rulesTable(model)]
          : errorBox(modelRes.reason)),
      section(t('models.versions'), 'versions-section',
        versions ? versionList(versions, current) : errorBox(versionsRes.reason))),
    section(t('models.previewTitle'), 'preview-section', previewForm(current, cleanups)),
    section(t('bt.title'), 'bt-section', backtestSection(cleanups)));
  return { title: t('models.title'), cleanup: () => cleanups.forEach((f) => f()) };
}
