// Pieces shared by the funnel page and the monthly review: KPI values and
// cards, stage links (to the leads list filtered by the stage), the stage
// and conversion tables, persons per stage as a horizontal funnel, the
// entries-per-week chart, and month arithmetic.
import { getFunnel } from './api.js';
import { chartBlock } from './bars.js';
import { h, tableWrap } from './dom.js';
import { formatDays, formatDecimal, formatNumber, formatPercent, formatUtc, pick, t } from './i18n.js';
import { href } from './router.js';

const SVG = 'http://www.w3.org/2000/svg';

/** A KPI's value in its unit: a count, a share as a percentage, or days. '—' for none. */
export function formatKpi(kind, v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (kind === 'conversion') return formatPercent(v);
  if (kind === 'median_days') return formatDays(v);
  return formatDecimal(v, 1);
}

export const kpiLabel = (k) => pick(k.label, k.label_ja, k.id);

/** "≥ 200" or "≤ 7.0 days". */
export function bound(k, v) {
  return t(k.at_most ? 'kpi.atMost' : 'kpi.atLeast', { value: formatKpi(k.kind, v) });
}

/** The class of a stage's colour in charts: by its index in the model. */
export const stageClass = (i) => `series-${i % 8}`;

/** A link to the leads list filtered by this stage. */
export function stageLink(name, extra = {}) {
  return h('a', { href: href('/leads', { stage: name }), class: 'stage-link', dataset: { stage: name }, ...extra }, name);
}

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** A thin bar for a share in [0, 1] (drawn in SVG: widths as attributes, no style). */
export function meterBar(share, cls, { center = false } = {}) {
  const p = Math.max(0, Math.min(1, Number(share) || 0)) * 100;
  const bar = svg('svg', { class: `meter ${cls}`, width: '100%', height: '100%', 'aria-hidden': 'true', focusable: 'false' });
  bar.append(svg('rect', { class: 'meter-track', x: 0, y: 0, width: '100%', height: '100%', rx: 3 }));
  if (p > 0) bar.append(svg('rect', { class: 'meter-fill', x: `${center ? (100 - p) / 2 : 0}%`, y: 0, width: `${p}%`, height: '100%', rx: 3 }));
  return bar;
}

/** The KPI cards: value, target (and the goal for the period), a progress bar, met or not (in words and a sign). */
export function kpiCards(kpis, { period = true } = {}) {
  if (!kpis?.length) return h('p', { class: 'empty' }, t('kpi.empty'));
  return h('ul', { class: 'kpi-grid', id: 'kpi-cards' }, kpis.map((k) => {
    const state = !k.has ? 'none' : k.met ? 'met' : 'unmet';
    const scaled = period && k.goal !== null && k.goal !== undefined && k.target !== null && k.target !== undefined
      && Math.abs(k.goal - k.target) > 1e-9;
    const progress = k.progress === null || k.progress === undefined ? null : k.progress;
    return h('li', { class: `kpi-card kpi-${state}`, dataset: { kpi: k.id, kind: k.kind } },
      h('h3', { class: 'kpi-label' }, kpiLabel(k)),
      h('p', { class: 'kpi-value', dataset: { value: k.value ?? '' } }, k.has ? formatKpi(k.kind, k.value) : '—'),
      h('p', { class: 'kpi-target' },
        t(k.kind === 'mqls' || k.kind === 'entries' ? 'kpi.targetMonth' : 'kpi.target', { bound: bound(k, k.target) }),
        scaled ? h('span', { class: 'sub' }, t('kpi.goalPeriod', { bound: bound(k, k.goal) })) : null),
      h('div', { class: 'kpi-bar' }, meterBar(progress ?? 0, `kpi-meter kpi-meter-${state}`)),
      h('p', { class: 'kpi-progress', dataset: { progress: progress ?? '' } },
        progress === null ? t('kpi.noProgress') : t('kpi.progress', { pct: formatPercent(progress) })),
      h('p', { class: `kpi-status kpi-status-${state}` },
        h('span', { class: 'kpi-sign', 'aria-hidden': 'true' }, state === 'met' ? '✓' : state === 'unmet' ? '✗' : '–'),
        ' ', t(`kpi.${state}`)));
  }));
}

/** Persons per stage now, as centred bars (a funnel), each stage a link to its leads. */
export function funnelBars(stages) {
  const max = Math.max(1, ...stages.map((st) => st.now ?? 0));
  return h('ol', { class: 'funnel', id: 'funnel-bars', 'aria-label': t('funnel.now') }, stages.map((st, i) => h('li', { class: 'funnel-row', dataset: { stage: st.name } },
    h('span', { class: 'funnel-name' }, stageLink(st.name, {
      'aria-label': t('funnel.stageLink', { stage: st.name, count: formatNumber(st.now ?? 0) }),
    }), st.mql ? h('span', { class: 'badge badge-mql' }, 'MQL') : null),
    h('span', { class: 'funnel-bar' }, meterBar((st.now ?? 0) / max, `funnel-meter ${stageClass(i)}`, { center: true })),
    h('span', { class: 'funnel-count num', dataset: { now: st.now ?? 0 } }, formatNumber(st.now ?? 0)))));
}

/**
 * Stages: persons now (or at the period's end), entries, left, median days;
 * with `prev`, the previous period's entries and median days alongside.
 */
export function stageTable(funnel, { prev, nowHeader = t('funnel.colNow'), id = 'stage-table' } = {}) {
  const prevBy = new Map((prev?.stages ?? []).map((st) => [st.name, st]));
  const days = (v) => (v === null || v === undefined ? '—' : formatDays(v));
  return h('table', { class: 'data stage-table', id },
    h('caption', { class: 'visually-hidden' }, t('funnel.stages')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('col.stage')),
      h('th', { scope: 'col', class: 'num' }, nowHeader),
      h('th', { scope: 'col', class: 'num' }, t('funnel.colEntries')),
      prev ? h('th', { scope: 'col', class: 'num' }, t('review.prevCol', { what: t('funnel.colEntries') })) : null,
      h('th', { scope: 'col', class: 'num' }, t('funnel.colLeft')),
      h('th', { scope: 'col', class: 'num' }, t('funnel.colMedian')),
      prev ? h('th', { scope: 'col', class: 'num' }, t('review.prevCol', { what: t('funnel.colMedian') })) : null)),
    h('tbody', {}, funnel.stages.map((st) => h('tr', { dataset: { stage: st.name } },
      h('th', { scope: 'row' }, stageLink(st.name), st.mql ? h('span', { class: 'badge badge-mql' }, 'MQL') : null),
      h('td', { class: 'num' }, formatNumber(st.now ?? 0)),
      h('td', { class: 'num', dataset: { entries: st.entries } }, formatNumber(st.entries ?? 0)),
      prev ? h('td', { class: 'num' }, formatNumber(prevBy.get(st.name)?.entries ?? 0)) : null,
      h('td', { class: 'num' }, formatNumber(st.left ?? 0)),
      h('td', { class: 'num', dataset: { median: st.median_days ?? '' } }, days(st.median_days)),
      prev ? h('td', { class: 'num' }, days(prevBy.get(st.name)?.median_days)) : null))));
}

/** Conversions: from → to, entries, reached, rate. */
export function conversionTable(conversions, { id = 'conversion-table' } = {}) {
  if (!conversions?.length) return h('p', { class: 'empty' }, t('funnel.noConversions'));
  return tableWrap(h('table', { class: 'data conversion-table', id },
    h('caption', { class: 'visually-hidden' }, t('funnel.conversions')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('funnel.colConversion')),
      h('th', { scope: 'col', class: 'num' }, t('funnel.colEntries')),
      h('th', { scope: 'col', class: 'num' }, t('funnel.colReached')),
      h('th', { scope: 'col', class: 'num' }, t('funnel.colRate')))),
    h('tbody', {}, conversions.map((c) => h('tr', { dataset: { from: c.from, to: c.to } },
      h('th', { scope: 'row' }, h('span', { class: `stage stage-${c.from}` }, c.from),
        h('span', { 'aria-hidden': 'true' }, ' → '), h('span', { class: 'visually-hidden' }, ` ${t('funnel.toStage')} `),
        h('span', { class: `stage stage-${c.to}` }, c.to)),
      h('td', { class: 'num' }, formatNumber(c.entries ?? 0)),
      h('td', { class: 'num' }, formatNumber(c.reached ?? 0)),
      h('td', { class: 'num', dataset: { rate: c.rate ?? '' } }, c.rate === null || c.rate === undefined ? '—' : formatPercent(c.rate)))))),
  t('funnel.conversions'));
}

/** Entries per stage per week: a stacked bar chart, its legend and its table. */
export function weeklyChart(funnel, cleanups, { id = 'weekly-chart' } = {}) {
  const weeks = funnel.weeks ?? [];
  const stageIndex = new Map(funnel.stages.map((st, i) => [st.name, i]));
  const names = funnel.stages.map((st) => st.name)
    .filter((name) => weeks.some((w) => (w.entries?.[name] ?? 0) > 0));
  if (!weeks.length || !names.length) return h('p', { class: 'empty' }, t('funnel.noEntries'));
  const total = weeks.reduce((a, w) => a + names.reduce((b, n) => b + (w.entries?.[n] ?? 0), 0), 0);
  const spec = {
    id,
    mode: 'stack',
    title: t('funnel.weekly'),
    desc: t('funnel.weeklyDesc', { weeks: weeks.length, total: formatNumber(total) }),
    categories: weeks.map((w) => ({ label: formatUtc(w.start, { short: true }), long: t('funnel.weekOf', { date: formatUtc(w.start) }) })),
    series: names.map((name) => ({ name, cls: stageClass(stageIndex.get(name)), values: weeks.map((w) => w.entries?.[name] ?? 0) })),
    number: formatNumber,
  };
  return chartBlock(spec, cleanups, { categoryHeader: t('funnel.week'), tableId: `${id}-table` });
}

/**
 * The period of a funnel answer, [from, to): "Dec 1, 2026 – Dec 31, 2026 (UTC)"
 * when `to` is a midnight (its day before is the last day), else up to the
 * time: "Mar 1, 2026 – Mar 18, 2026, 10:00 AM (UTC)".
 */
export function periodText(f) {
  const midnight = (iso) => /T00:00:00(\.0+)?Z$/.test(iso);
  const from = formatUtc(f.from, { withTime: !midnight(f.from) });
  const to = midnight(f.to)
    ? formatUtc(new Date(Date.parse(f.to) - 86400000))
    : formatUtc(f.to, { withTime: true });
  const range = t('funnel.periodRange', { from, to });
  // read before the period's end (this month): say when
  if (f.as_of && Date.parse(f.as_of) < Date.parse(f.to)) return `${range}${t('funnel.asOf', { time: formatUtc(f.as_of, { withTime: true }) })}`;
  return range;
}

/** 'YYYY-MM' of an ISO time (UTC). */
export const monthOf = (iso) => String(iso).slice(0, 7);

/** The month `delta` months from 'YYYY-MM'. */
export function addMonths(ym, delta) {
  const [y, m] = ym.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The `n` months up to and including 'YYYY-MM', latest first. */
export function monthsBack(ym, n) {
  return Array.from({ length: n }, (_, i) => addMonths(ym, -i));
}

export const isMonth = (s) => /^\d{4}-(0[1-9]|1[0-2])$/.test(s ?? '');
export const isDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s ?? '') && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

let readNow = null;
/**
 * Where the server's clock is, from its default funnel (the calendar month of
 * its read time): {month: 'YYYY-MM', lastDay: 'YYYY-MM-DD'}, lastDay being the
 * read time's day (`as_of`; else the period's last day). Fetched once;
 * `known` is a default funnel answer already at hand.
 */
export async function serverNow({ known } = {}) {
  const of = (f) => {
    // the period's last day, or the read time's (`as_of`) if earlier
    const end = Math.min(Date.parse(f.to) - 1, Date.parse(f.as_of ?? f.to));
    return { month: f.month ?? monthOf(f.as_of ?? f.from), lastDay: new Date(end).toISOString().slice(0, 10) };
  };
  if (known) readNow = of(known);
  if (!readNow) readNow = of(await getFunnel());
  return readNow;
}
