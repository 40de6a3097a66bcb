// Backtest reports on the models page: the JSON that `leadscore backtest
// --format json` writes (src/cli/backtest_text.c, ls_bt_write_json; the
// figures are explained in docs/backtest.md), read from a file the user
// picks (nothing is uploaded), checked field by field, and shown per model:
// headline figures side by side, MQLs per week, lift by decile, precision
// and recall by threshold, and what differs between the first model and
// each other one (with links to the example leads). Every chart is drawn by
// bars.js (a <title> and <desc>, a <title> per point or bar) and has its
// numbers as a table too.
import { legend, mountBars } from './bars.js';
import { h, rich, tableWrap } from './dom.js';
import { formatDays, formatDecimal, formatNumber, formatPercent, formatUtc, t } from './i18n.js';
import { leadHref } from './router.js';

const WEEK = 7 * 86400000;
/** A report is a few hundred kB at most (the rows per week, the sweep): refuse anything far bigger. */
export const MAX_BYTES = 20 * 1024 * 1024;

/** A report that cannot be shown: a message key and its parameters (rendered in the current language). */
export class ReportError extends Error {
  constructor(key, params = {}) {
    super(key);
    this.name = 'ReportError';
    this.key = key;
    this.params = params;
  }
}

// ---- validation ----

function kindOf(v) {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/** `v` at `path` must be of `type` ('number' means finite); null passes when `nullable`. */
function need(v, path, type, nullable = false) {
  if (v === undefined) throw new ReportError('bt.missing', { field: path });
  if (v === null && nullable) return v;
  const ok = type === 'number' ? typeof v === 'number' && Number.isFinite(v)
    : type === 'object' ? kindOf(v) === 'object'
      : kindOf(v) === type;
  if (!ok) throw new ReportError('bt.wrongType', { field: path, type, nullable });
  return v;
}

function needRate(x, path) {
  need(x, path, 'object');
  need(x.k, `${path}.k`, 'number');
  need(x.n, `${path}.n`, 'number');
  need(x.rate, `${path}.rate`, 'number', true);
}

const RATES = ['precision_opportunity', 'precision_won', 'recall_opportunity', 'recall_won'];

/**
 * The report in `text` (the file `name`), checked: every field the page
 * shows is there with its type. Throws a ReportError naming the first field
 * that is missing or wrong.
 */
export function parseReport(text) {
  let r;
  try {
    r = JSON.parse(text);
  } catch (err) {
    throw new ReportError('bt.notJson', { message: err.message });
  }
  if (kindOf(r) !== 'object') throw new ReportError('bt.notObject', {});
  need(r.models, 'models', 'array');
  if (!r.models.length) throw new ReportError('bt.noModels', {});
  need(r.from, 'from', 'string');
  need(r.to, 'to', 'string');
  need(r.weeks, 'weeks', 'number');
  need(r.horizon_seconds, 'horizon_seconds', 'number');
  need(r.min_n, 'min_n', 'number');
  need(r.differences, 'differences', 'array');
  r.models.forEach((m, i) => {
    const p = `models[${i}]`;
    need(m, p, 'object');
    need(m.model, `${p}.model`, 'string');
    need(m.mqls, `${p}.mqls`, 'number');
    need(m.mqls_per_week, `${p}.mqls_per_week`, 'number');
    need(m.mqls_by_week, `${p}.mqls_by_week`, 'array');
    m.mqls_by_week.forEach((v, w) => need(v, `${p}.mqls_by_week[${w}]`, 'number'));
    for (const k of RATES) needRate(m[k], `${p}.${k}`);
    need(m.ranking, `${p}.ranking`, 'object');
    need(m.ranking.n, `${p}.ranking.n`, 'number');
    need(m.ranking.positives, `${p}.ranking.positives`, 'number');
    need(m.ranking.auc, `${p}.ranking.auc`, 'number', true);
    need(m.ranking.deciles, `${p}.ranking.deciles`, 'array');
    m.ranking.deciles.forEach((d, j) => {
      const q = `${p}.ranking.deciles[${j}]`;
      need(d, q, 'object');
      for (const k of ['n', 'positives', 'min_score', 'max_score']) need(d[k], `${q}.${k}`, 'number');
      need(d.lift, `${q}.lift`, 'number', true);
    });
    need(m.sweep, `${p}.sweep`, 'array');
    m.sweep.forEach((s, j) => {
      const q = `${p}.sweep[${j}]`;
      need(s, q, 'object');
      need(s.threshold, `${q}.threshold`, 'number');
      need(s.mqls, `${q}.mqls`, 'number');
      needRate(s.precision, `${q}.precision`);
      needRate(s.recall, `${q}.recall`);
      need(s.f1, `${q}.f1`, 'number', true);
    });
    need(m.recommended_threshold, `${p}.recommended_threshold`, 'number', true);
  });
  r.differences.forEach((d, i) => {
    const p = `differences[${i}]`;
    need(d, p, 'object');
    need(d.b, `${p}.b`, 'string');
    for (const k of ['compared', 'stage_differs', 'mql_only_a', 'mql_only_b']) need(d[k], `${p}.${k}`, 'number');
    for (const k of ['stage_examples', 'mql_only_a_examples', 'mql_only_b_examples']) {
      if (d[k] === undefined) d[k] = [];
      need(d[k], `${p}.${k}`, 'array');
      d[k].forEach((e, j) => {
        need(e, `${p}.${k}[${j}]`, 'object');
        need(e.lead_id, `${p}.${k}[${j}].lead_id`, 'string');
      });
    }
  });
  return r;
}

/** A ReportError (or any error) as a sentence in the current language. */
export function reportErrorText(err, file) {
  if (err?.name !== 'ReportError') return t('bt.readFailed', { file, message: String(err?.message ?? err) });
  const p = { file, ...err.params };
  if (err.key === 'bt.wrongType') {
    p.type = t(`bt.type.${err.params.type}`) + (err.params.nullable ? t('bt.orNull') : '');
  }
  return t(err.key, p);
}

// ---- formats ----

const letter = (i) => (i < 26 ? String.fromCharCode(65 + i) : `M${i + 1}`);
const baseName = (p) => String(p).split(/[\\/]/).pop() || String(p);
/** "A: buying-cycle.yaml" */
export const modelLabel = (r, i) => t('bt.modelLabel', { letter: letter(i), name: baseName(r.models[i].model) });
/** The colour (and line style) class of model i. */
const modelClass = (i) => `bt-m${i % 8}`;

/** A share as a percentage: one decimal, three below 1 % (as the text report does). */
export const pct = (share) => formatPercent(share, share > 0 && share < 0.01 ? 3 : 1);

const smallN = (x, minN) => (typeof x.small_n === 'boolean' ? x.small_n : x.n < minN);

function smallMark(minN) {
  const text = t('bt.small', { n: formatNumber(minN) });
  return h('span', { class: 'bt-small', title: text },
    h('span', { 'aria-hidden': 'true' }, '⚠'), h('span', { class: 'visually-hidden' }, text));
}

/** "27.6% (8/29) ⚠": the rate (— without cases), its counts, the mark of a small n. */
function rateCells(x, minN) {
  return [
    h('span', { class: 'bt-main' }, x.n && x.rate !== null ? pct(x.rate) : '—'),
    ' ',
    h('span', { class: 'bt-count' }, `(${formatNumber(x.k)}/${formatNumber(x.n)})`),
    smallN(x, minN) ? smallMark(minN) : null,
  ];
}

const horizonDays = (r) => r.horizon_seconds / 86400;

// ---- the parts ----

function metaLine(r) {
  const opt = (v) => (typeof v === 'number' ? formatNumber(v) : '—');
  return h('p', { class: 'bt-meta', id: 'bt-meta' }, rich(t('bt.meta', {
    from: formatUtc(r.from, { withTime: true }),
    to: formatUtc(r.to, { withTime: true }),
    weeks: formatNumber(r.weeks),
    days: formatDecimal(horizonDays(r), 1),
    cutoff: r.cutoff ? formatUtc(r.cutoff, { withTime: true }) : '—',
    score: r.score ?? '',
    events: opt(r.events),
    persons: opt(r.persons),
    outcomes: opt(r.outcome_events),
  })));
}

function figure(name, label, value, ...content) {
  return h('div', { class: 'bt-figure', dataset: { figure: name } },
    h('dt', {}, label),
    h('dd', { dataset: value }, ...content));
}

function rateFigure(name, label, x, minN) {
  return figure(name, label, { k: x.k, n: x.n, rate: x.rate ?? '' }, ...rateCells(x, minN));
}

/** One model's headline figures (a card). */
function modelCard(r, i) {
  const m = r.models[i];
  const days = formatDecimal(horizonDays(r), 1);
  const auc = m.ranking.auc;
  const rec = m.recommended_threshold;
  const target = typeof r.target_mqls_per_week === 'number' ? r.target_mqls_per_week : null;
  return h('li', { class: `bt-model ${modelClass(i)}`, dataset: { model: i } },
    h('h4', { class: 'bt-model-name' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), modelLabel(r, i)),
    h('p', { class: 'bt-path' }, m.model),
    h('dl', { class: 'bt-figures' },
      figure('mqls', t('bt.mqls'), { value: m.mqls },
        h('span', { class: 'bt-main' }, formatNumber(m.mqls)),
        typeof m.mql_persons === 'number' ? [' ', h('span', { class: 'bt-count' }, t('bt.persons', { n: formatNumber(m.mql_persons) }))] : null),
      figure('mqls_per_week', t('bt.perWeek'), { value: m.mqls_per_week },
        h('span', { class: 'bt-main' }, formatDecimal(m.mqls_per_week, 1))),
      rateFigure('precision_opportunity', t('bt.precisionOpp', { days }), m.precision_opportunity, r.min_n),
      rateFigure('precision_won', t('bt.precisionWon', { days }), m.precision_won, r.min_n),
      rateFigure('recall_opportunity', t('bt.recallOpp'), m.recall_opportunity, r.min_n),
      rateFigure('recall_won', t('bt.recallWon'), m.recall_won, r.min_n),
      typeof m.median_days_to_opportunity === 'number' || m.median_days_to_opportunity === null
        ? figure('median_days', t('bt.medianDays'), { value: m.median_days_to_opportunity ?? '' },
          h('span', { class: 'bt-main' }, m.median_days_to_opportunity === null ? '—' : formatDays(m.median_days_to_opportunity)))
        : null,
      figure('auc', t('bt.auc'), { value: auc ?? '', n: m.ranking.n, positives: m.ranking.positives },
        h('span', { class: 'bt-main' }, auc === null ? '—' : formatDecimal(auc, 3)), ' ',
        h('span', { class: 'bt-count' }, t('bt.aucCount', { n: formatNumber(m.ranking.n), pos: formatNumber(m.ranking.positives) })),
        m.ranking.positives < r.min_n ? smallMark(r.min_n) : null),
      typeof m.ranking.predictive_auc === 'number'
        ? figure('predictive_auc', t('bt.predictiveAuc'), { value: m.ranking.predictive_auc },
          h('span', { class: 'bt-main' }, formatDecimal(m.ranking.predictive_auc, 3)))
        : null,
      figure('recommended_threshold',
        target === null ? t('bt.recF1') : t('bt.recTarget', { n: formatDecimal(target, 1) }),
        { value: rec ?? '' },
        h('span', { class: 'bt-main' }, rec === null ? '—' : formatNumber(rec)))));
}

/** A chart (drawn once its box has a width), its legend and its table(s) in a closed <details>. */
function chartWithTable(spec, cleanups, ...tables) {
  const box = h('div', { class: 'chart-box chart-box-bars bt-chart-box', id: `${spec.id}-box` });
  cleanups.push(mountBars(box, spec));
  return [
    box,
    legend(spec.series, spec.mode),
    h('details', { class: 'chart-table' }, h('summary', {}, t('chart.showTable')), ...tables),
  ];
}

const th = (text, num = false) => h('th', { scope: 'col', class: num ? 'num' : null }, text);
const td = (content, attrs = {}) => h('td', { class: 'num', ...attrs }, content);

function totalsList(r, values) {
  return r.models.map((_, i) => `${modelLabel(r, i)} ${values(i)}`).join(t('list.sep'));
}

function weeksChart(r, cleanups) {
  const n = Math.max(0, ...r.models.map((m) => m.mqls_by_week.length));
  if (!n) return h('p', { class: 'empty' }, t('bt.noData'));
  const start = Date.parse(r.from);
  const categories = Array.from({ length: n }, (_, w) => {
    if (Number.isNaN(start)) return { label: String(w + 1) };
    const x = start + w * WEEK;
    return { label: formatUtc(x, { short: true }), long: t('bt.weekFrom', { date: formatUtc(x) }) };
  });
  const spec = {
    id: 'bt-weeks',
    title: t('bt.weeksChart'),
    desc: t('bt.weeksDesc', {
      weeks: formatNumber(n),
      totals: totalsList(r, (i) => formatNumber(r.models[i].mqls_by_week.reduce((a, v) => a + v, 0))),
    }),
    mode: n > 16 ? 'line' : 'group',
    categories,
    series: r.models.map((m, i) => ({ name: modelLabel(r, i), cls: modelClass(i), values: m.mqls_by_week })),
    number: formatNumber,
  };
  const table = h('table', { class: 'data chart-data', id: 'bt-weeks-table' },
    h('caption', { class: 'visually-hidden' }, spec.title),
    h('thead', {}, h('tr', {}, th(t('bt.week')), spec.series.map((se) => th(se.name, true)))),
    h('tbody', {}, categories.map((c, w) => h('tr', { dataset: { week: w } },
      h('th', { scope: 'row' }, c.long ?? c.label),
      r.models.map((m) => td(formatNumber(m.mqls_by_week[w] ?? 0), { dataset: { value: m.mqls_by_week[w] ?? 0 } }))))),
    h('tfoot', {}, h('tr', {},
      h('th', { scope: 'row' }, t('chart.total')),
      r.models.map((m) => td(formatNumber(m.mqls_by_week.reduce((a, v) => a + v, 0)))))));
  return chartWithTable(spec, cleanups, tableWrap(table, spec.title));
}

function liftChart(r, cleanups) {
  const n = Math.max(0, ...r.models.map((m) => m.ranking.deciles.length));
  if (!n) return h('p', { class: 'empty' }, t('bt.noData'));
  const categories = Array.from({ length: n }, (_, d) => ({ label: formatNumber(d + 1), long: t('bt.decileN', { n: formatNumber(d + 1) }) }));
  const lift = (v) => formatDecimal(v, 2);
  const spec = {
    id: 'bt-lift',
    title: t('bt.liftChart'),
    desc: t('bt.liftDesc', {
      top: totalsList(r, (i) => (r.models[i].ranking.deciles[0]?.lift === null || r.models[i].ranking.deciles[0] === undefined
        ? '—' : lift(r.models[i].ranking.deciles[0].lift))),
    }),
    mode: 'group',
    categories,
    series: r.models.map((m, i) => ({ name: modelLabel(r, i), cls: modelClass(i), values: categories.map((_, d) => m.ranking.deciles[d]?.lift ?? 0) })),
    number: lift,
  };
  const tables = r.models.map((m, i) => tableWrap(h('table', { class: 'data chart-data bt-lift-table', id: `bt-lift-table-${i}` },
    h('caption', {}, modelLabel(r, i)),
    h('thead', {}, h('tr', {}, th(t('bt.decile')), th(t('bt.decilePersons'), true), th(t('bt.decilePositives'), true),
      th(t('bt.decileScores'), true), th(t('bt.lift'), true))),
    h('tbody', {}, m.ranking.deciles.map((d, j) => h('tr', {},
      h('th', { scope: 'row' }, formatNumber(j + 1)),
      td(formatNumber(d.n)), td(formatNumber(d.positives)),
      td(d.n ? `${formatNumber(d.min_score)} – ${formatNumber(d.max_score)}` : '—'),
      td(d.lift === null ? '—' : lift(d.lift), { dataset: { lift: d.lift ?? '' } }))))), `${spec.title}: ${modelLabel(r, i)}`));
  return chartWithTable(spec, cleanups, ...tables);
}

/** The thresholds of every model's sweep, in order. */
function thresholds(r) {
  return [...new Set(r.models.flatMap((m) => m.sweep.map((s) => s.threshold)))].sort((a, b) => a - b);
}

function sweepSpec(r, id, key, which) {
  const ts = thresholds(r);
  return {
    id,
    title: t(`bt.${key}Chart`),
    desc: t(`bt.${key}Desc`, {
      days: formatDecimal(horizonDays(r), 1),
      rec: totalsList(r, (i) => (r.models[i].recommended_threshold === null ? '—' : formatNumber(r.models[i].recommended_threshold))),
    }),
    mode: 'line',
    categories: ts.map((x) => ({ label: formatNumber(x), long: t('bt.thresholdN', { n: formatNumber(x) }) })),
    // percentages, so that the axis has whole ticks (0 %, 20 %, …)
    series: r.models.map((m, i) => {
      const by = new Map(m.sweep.map((s) => [s.threshold, s[which]]));
      return { name: modelLabel(r, i), cls: modelClass(i), values: ts.map((x) => (by.get(x)?.rate ?? 0) * 100) };
    }),
    number: (v) => formatPercent(v / 100, Number.isInteger(v) ? 0 : 1),
  };
}

function sweepTables(r) {
  return r.models.map((m, i) => tableWrap(h('table', { class: 'data chart-data bt-sweep-table', id: `bt-sweep-table-${i}` },
    h('caption', {}, modelLabel(r, i)),
    h('thead', {}, h('tr', {}, th(t('bt.threshold')), th(t('bt.mqls'), true), th(t('bt.perWeek'), true),
      th(t('bt.precision'), true), th(t('bt.recall'), true), th('F1', true))),
    h('tbody', {}, m.sweep.map((s) => {
      const rec = s.threshold === m.recommended_threshold;
      return h('tr', { class: rec ? 'bt-rec' : null, dataset: { threshold: s.threshold } },
        h('th', { scope: 'row' }, formatNumber(s.threshold), rec ? h('span', { class: 'badge' }, t('bt.recommended')) : null),
        td(formatNumber(s.mqls)),
        td(typeof s.mqls_per_week === 'number' ? formatDecimal(s.mqls_per_week, 1) : '—'),
        td(rateCells(s.precision, r.min_n), { dataset: { rate: s.precision.rate ?? '' } }),
        td(rateCells(s.recall, r.min_n), { dataset: { rate: s.recall.rate ?? '' } }),
        td(s.f1 === null ? '—' : formatDecimal(s.f1, 3)));
    }))), `${t('bt.sweepTitle')}: ${modelLabel(r, i)}`));
}

function sweepCharts(r, cleanups) {
  if (!thresholds(r).length) return h('p', { class: 'empty' }, t('bt.noData'));
  const precision = sweepSpec(r, 'bt-precision', 'precision', 'precision');
  const recall = sweepSpec(r, 'bt-recall', 'recall', 'recall');
  const chart = (spec) => {
    const box = h('div', { class: 'chart-box chart-box-bars bt-chart-box', id: `${spec.id}-box` });
    cleanups.push(mountBars(box, spec));
    return h('figure', { class: 'bt-figure-chart' }, h('figcaption', {}, spec.title), box, legend(spec.series, spec.mode));
  };
  return [
    h('div', { class: 'bt-pair' }, chart(precision), chart(recall)),
    h('details', { class: 'chart-table' }, h('summary', {}, t('chart.showTable')), sweepTables(r)),
  ];
}

/** Model index of a difference's `b` (its path), else the k+1-th model. */
function diffModel(r, d, k) {
  const i = r.models.findIndex((m, j) => j > 0 && m.model === d.b);
  return i > 0 ? i : Math.min(k + 1, r.models.length - 1);
}

function examplesTable(r, id, title, list, b) {
  if (!list.length) return null;
  return h('div', { class: 'bt-example' },
    h('h5', {}, title),
    tableWrap(h('table', { class: 'data bt-examples-table', id },
      h('caption', { class: 'visually-hidden' }, title),
      h('thead', {}, h('tr', {}, th(t('col.lead')), th(t('bt.stageUnder', { model: letter(0) })), th(t('bt.stageUnder', { model: letter(b) })))),
      h('tbody', {}, list.map((e) => h('tr', { dataset: { lead: e.lead_id } },
        h('th', { scope: 'row' }, h('a', { href: leadHref(e.lead_id), class: 'mono' }, e.lead_id)),
        h('td', {}, e.stage_a ?? ''), h('td', {}, e.stage_b ?? ''))))), title));
}

function diffView(r, cleanups) {
  if (r.models.length < 2 || !r.differences.length) return h('p', { class: 'empty', id: 'bt-no-diff' }, t('bt.noDiff'));
  const comps = r.differences.map((d, k) => ({ d, b: diffModel(r, d, k) }));
  const kinds = [['stage_differs', 'bt.diffStage', 'bt.catStage'], ['mql_only_a', 'bt.diffOnlyA', 'bt.catOnlyA'], ['mql_only_b', 'bt.diffOnlyB', 'bt.catOnlyB']];
  const spec = {
    id: 'bt-diff',
    title: t('bt.diffChart'),
    desc: t('bt.diffDesc', {
      list: comps.map(({ d, b }) => t('bt.diffDescOne', {
        model: modelLabel(r, b), compared: formatNumber(d.compared), stage: formatNumber(d.stage_differs),
        a: formatNumber(d.mql_only_a), b: formatNumber(d.mql_only_b),
      })).join(t('list.sep')),
    }),
    mode: 'group',
    height: 180,
    categories: kinds.map(([, key, short]) => ({ label: t(short, { a: letter(0) }), long: t(key, { a: letter(0), b: t('bt.other') }) })),
    series: comps.map(({ d, b }) => ({ name: t('bt.versus', { a: letter(0), b: modelLabel(r, b) }), cls: modelClass(b), values: kinds.map(([k]) => d[k]) })),
    number: formatNumber,
  };
  const counts = tableWrap(h('table', { class: 'data chart-data', id: 'bt-diff-table' },
    h('caption', { class: 'visually-hidden' }, spec.title),
    h('thead', {}, h('tr', {}, th(t('bt.comparison')), th(t('bt.compared'), true),
      kinds.map(([, key]) => th(t(key, { a: letter(0), b: t('bt.other') }), true)))),
    h('tbody', {}, comps.map(({ d, b }) => h('tr', { dataset: { model: b } },
      h('th', { scope: 'row' }, t('bt.versus', { a: letter(0), b: modelLabel(r, b) })),
      td(formatNumber(d.compared), { dataset: { value: d.compared } }),
      kinds.map(([k]) => td(formatNumber(d[k]), { dataset: { [k.replace(/_(\w)/g, (_, c) => c.toUpperCase())]: d[k] } })))))), spec.title);
  return [
    comps.map(({ d, b }) => h('p', { class: 'bt-diff-counts', dataset: { model: b } }, t('bt.diffCounts', {
      model: modelLabel(r, b), compared: formatNumber(d.compared), stage: formatNumber(d.stage_differs),
      a: formatNumber(d.mql_only_a), b: formatNumber(d.mql_only_b), la: letter(0), lb: letter(b),
    }))),
    ...chartWithTable(spec, cleanups, counts),
    comps.map(({ d, b }, k) => h('div', { class: 'bt-diff', id: `bt-diff-${k}`, dataset: { model: b } },
      h('h4', {}, t('bt.examplesOf', { a: modelLabel(r, 0), b: modelLabel(r, b) })),
      (d.stage_examples.length + d.mql_only_a_examples.length + d.mql_only_b_examples.length)
        ? h('div', { class: 'bt-examples' },
          examplesTable(r, `bt-ex-stage-${k}`, t('bt.diffStage'), d.stage_examples, b),
          examplesTable(r, `bt-ex-a-${k}`, t('bt.diffOnlyA', { a: letter(0) }), d.mql_only_a_examples, b),
          examplesTable(r, `bt-ex-b-${k}`, t('bt.diffOnlyB', { b: letter(b) }), d.mql_only_b_examples, b))
        : h('p', { class: 'empty' }, t('bt.noExamples')))),
  ];
}

/** The whole report: its window, the models' figures side by side, the charts. */
export function reportView(r, cleanups) {
  return [
    metaLine(r),
    h('h3', {}, t('bt.headline')),
    h('ul', { class: 'bt-models', id: 'bt-models' }, r.models.map((_, i) => modelCard(r, i))),
    h('p', { class: 'hint bt-small-note' }, h('span', { 'aria-hidden': 'true' }, '⚠ '), t('bt.smallNote', { n: formatNumber(r.min_n) })),
    h('h3', {}, t('bt.weeksChart')),
    weeksChart(r, cleanups),
    h('h3', {}, t('bt.liftChart')),
    h('p', { class: 'hint' }, t('bt.liftNote')),
    liftChart(r, cleanups),
    h('h3', {}, t('bt.sweepTitle')),
    h('p', { class: 'hint' }, t('bt.sweepNote')),
    h('p', { class: 'bt-rec-line', id: 'bt-rec-line' }, t('bt.recLine', {
      list: totalsList(r, (i) => (r.models[i].recommended_threshold === null ? '—' : formatNumber(r.models[i].recommended_threshold))),
    })),
    sweepCharts(r, cleanups),
    h('h3', {}, t('bt.diffTitle')),
    diffView(r, cleanups),
  ].flat(Infinity);
}
