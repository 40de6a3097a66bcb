// #/review[?month=YYYY-MM] — the monthly review (GET /v1/reports/month; by
// default the previous calendar month): the KPIs this month against the
// previous month and the targets, the month's funnel, the persons whose
// score rose and fell the most, and the follow-up SLAs (overall and per
// owner). `leadscore report --month` prints the same review.
import { getMonthReport } from '../api.js';
import { errorBox, h, rich, section, tableWrap } from '../dom.js';
import { formatDecimal, formatMonth, formatNumber, formatPercent, formatPoints, t } from '../i18n.js';
import {
  addMonths, bound, conversionTable, formatKpi, isMonth, kpiLabel, meterBar, monthsBack, periodText,
  serverNow, stageTable,
} from '../funnelview.js';
import { href, leadHref, navigate } from '../router.js';

/** The change from the previous month: ▲/▼ and the difference in the KPI's unit. */
function change(k) {
  if (k.value === null || k.value === undefined || k.prev_value === null || k.prev_value === undefined) return h('span', { class: 'change' }, '—');
  const d = k.value - k.prev_value;
  const dir = Math.abs(d) < 1e-12 ? 'same' : d > 0 ? 'up' : 'down';
  // better: up for at_least, down for at_most
  const good = dir === 'same' ? '' : (dir === 'up') !== !!k.at_most ? 'good' : 'bad';
  const abs = Math.abs(d);
  const amount = k.kind === 'conversion'
    ? t('review.points', { n: formatDecimal(abs * 100, 1) })
    : k.kind === 'median_days' ? formatKpi('median_days', abs) : formatDecimal(abs, 1);
  const sign = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '＝';
  let rel = '';
  if (k.kind !== 'conversion' && dir !== 'same' && k.prev_value) rel = ` (${d > 0 ? '+' : '−'}${formatPercent(abs / Math.abs(k.prev_value))})`;
  return h('span', { class: `change change-${dir} ${good}`, dataset: { change: d } },
    h('span', { class: 'change-sign', 'aria-hidden': 'true' }, sign), ' ',
    h('span', { class: 'visually-hidden' }, `${t(`review.${dir}`)} `),
    dir === 'same' ? t('review.same') : `${amount}${rel}`);
}

function kpiTable(kpis) {
  if (!kpis?.length) return h('p', { class: 'empty' }, t('kpi.empty'));
  return tableWrap(h('table', { class: 'data kpi-table', id: 'review-kpis' },
    h('caption', { class: 'visually-hidden' }, t('review.kpis')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('review.kpi')),
      h('th', { scope: 'col', class: 'num' }, t('review.thisMonth')),
      h('th', { scope: 'col', class: 'num' }, t('review.prevMonth')),
      h('th', { scope: 'col' }, t('review.change')),
      h('th', { scope: 'col', class: 'num' }, t('review.target')),
      h('th', { scope: 'col' }, t('review.progress')),
      h('th', { scope: 'col' }, t('review.met')))),
    h('tbody', {}, kpis.map((k) => {
      const state = !k.has ? 'none' : k.met ? 'met' : 'unmet';
      const p = k.progress ?? null;
      return h('tr', { dataset: { kpi: k.id } },
        h('th', { scope: 'row' }, kpiLabel(k)),
        h('td', { class: 'num kpi-cur', dataset: { value: k.value ?? '' } }, k.has ? formatKpi(k.kind, k.value) : '—'),
        h('td', { class: 'num kpi-prev', dataset: { value: k.prev_value ?? '' } }, formatKpi(k.kind, k.prev_value)),
        h('td', {}, change(k)),
        h('td', { class: 'num' }, bound(k, k.target)),
        h('td', { class: 'progress-cell' }, h('span', { class: 'kpi-bar kpi-bar-inline' }, meterBar(p ?? 0, `kpi-meter kpi-meter-${state}`)),
          ' ', p === null ? '—' : formatPercent(p)),
        h('td', {}, h('span', { class: `kpi-status kpi-status-${state}` },
          h('span', { class: 'kpi-sign', 'aria-hidden': 'true' }, state === 'met' ? '✓' : state === 'unmet' ? '✗' : '–'),
          ' ', t(`kpi.${state}`))));
    }))), t('review.kpis'));
}

function moversTable(rows, dir) {
  if (!rows?.length) return h('p', { class: 'empty' }, t('review.noMovers'));
  return tableWrap(h('table', { class: 'data movers-table', id: `movers-${dir}` },
    h('caption', { class: 'visually-hidden' }, t(`review.movers.${dir}`)),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('col.lead')),
      h('th', { scope: 'col', class: 'num' }, t('review.start')),
      h('th', { scope: 'col', class: 'num' }, t('review.end')),
      h('th', { scope: 'col', class: 'num' }, t('review.delta')),
      h('th', { scope: 'col' }, t('col.stage')))),
    h('tbody', {}, rows.map((m) => h('tr', { dataset: { lead: m.lead_id } },
      h('th', { scope: 'row' }, h('a', { href: leadHref(m.lead_id), class: 'mono' }, m.lead_id),
        m.new ? h('span', { class: 'badge badge-new' }, t('review.new')) : null),
      h('td', { class: 'num' }, formatNumber(m.start)),
      h('td', { class: 'num' }, formatNumber(m.end)),
      h('td', { class: `num points ${m.end - m.start > 0 ? 'pos' : m.end - m.start < 0 ? 'neg' : ''}`, dataset: { delta: m.end - m.start } }, formatPoints(m.end - m.start)),
      h('td', {}, m.stage ? h('span', { class: `stage stage-${m.stage}` }, m.stage) : '—'))))), t(`review.movers.${dir}`));
}

function slaView(sla) {
  if (!sla) return h('p', { class: 'empty' }, t('review.noSla'));
  // of the tasks done (on time or late): none done, no share
  const share = (x) => ((x.on_time ?? 0) + (x.late ?? 0) === 0 || x.share_on_time === null || x.share_on_time === undefined
    ? '—' : formatPercent(x.share_on_time));
  const pairs = [
    [t('review.due'), formatNumber(sla.due ?? 0)],
    [t('review.onTime'), formatNumber(sla.on_time ?? 0)],
    [t('review.late'), formatNumber(sla.late ?? 0)],
    [t('review.overdueNow'), formatNumber(sla.overdue_now ?? 0)],
    [t('review.shareOnTime'), share(sla)],
    [t('review.stageBreaches'), formatNumber(sla.stage_breaches ?? 0)],
  ];
  const owners = sla.owners ?? [];
  return [
    h('dl', { class: 'pairs sla-pairs', id: 'sla-overall' }, pairs.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    h('h3', {}, t('review.perOwner')),
    owners.length ? tableWrap(h('table', { class: 'data sla-table', id: 'sla-owners' },
      h('caption', { class: 'visually-hidden' }, t('review.perOwner')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('col.owner')),
        h('th', { scope: 'col', class: 'num' }, t('review.due')),
        h('th', { scope: 'col', class: 'num' }, t('review.onTime')),
        h('th', { scope: 'col', class: 'num' }, t('review.late')),
        h('th', { scope: 'col', class: 'num' }, t('review.overdueNow')),
        h('th', { scope: 'col', class: 'num' }, t('review.shareOnTime')),
        h('th', { scope: 'col', class: 'num' }, t('review.stageBreaches')))),
      h('tbody', {}, owners.map((o) => h('tr', { dataset: { owner: o.owner ?? '' } },
        h('th', { scope: 'row' }, o.owner ? h('a', { href: href('/tasks', { owner: o.owner }) }, o.owner) : t('review.noOwner')),
        h('td', { class: 'num' }, formatNumber(o.due ?? 0)),
        h('td', { class: 'num' }, formatNumber(o.on_time ?? 0)),
        h('td', { class: 'num' }, formatNumber(o.late ?? 0)),
        h('td', { class: 'num' }, formatNumber(o.overdue_now ?? 0)),
        h('td', { class: 'num' }, share(o)),
        h('td', { class: 'num' }, o.stage_breaches === undefined ? '—' : formatNumber(o.stage_breaches)))))), t('review.perOwner'))
      : h('p', { class: 'empty' }, t('review.noOwners')),
    h('p', { class: 'hint' }, rich(t('review.slaNote'))),
  ];
}

function monthPicker(month, now) {
  const latest = now?.month ?? month;
  const months = latest ? monthsBack(latest, 24) : [];
  if (month && !months.includes(month)) months.unshift(month);
  const select = h('select', { id: 'r-month', name: 'month' },
    months.map((m) => h('option', { value: m, selected: m === month }, formatMonth(m))));
  const form = h('form', { class: 'period-form', id: 'review-month' },
    h('div', { class: 'field' }, h('label', { for: 'r-month' }, t('funnel.month')), select),
    h('button', { type: 'submit', id: 'r-month-show' }, t('funnel.show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(href('/review', { month: select.value }));
  });
  const prev = month ? addMonths(month, -1) : null;
  const next = month ? addMonths(month, 1) : null;
  return h('div', { class: 'card period-card review-picker' },
    h('nav', { class: 'quick', 'aria-label': t('review.months') },
      prev ? h('a', { href: href('/review', { month: prev }), id: 'review-prev', class: 'quick-link', rel: 'prev' }, `← ${formatMonth(prev)}`) : null,
      next && (!latest || next <= latest) ? h('a', { href: href('/review', { month: next }), id: 'review-next', class: 'quick-link', rel: 'next' }, `${formatMonth(next)} →`) : null),
    h('div', { class: 'period-forms' }, form));
}

export async function render(view, ctx) {
  const asked = ctx.route.query.get('month');
  const month = isMonth(asked) ? asked : undefined;
  const [report, nowRes] = await Promise.allSettled([getMonthReport(month), serverNow()]);
  if (!ctx.isCurrent()) return {};
  const now = nowRes.status === 'fulfilled' ? nowRes.value : null;
  const r = report.status === 'fulfilled' ? report.value : null;
  const shown = r?.month ?? month;

  view.append(h('h1', { id: 'page-title', tabindex: '-1' },
    shown ? t('review.titleOf', { month: formatMonth(shown) }) : t('review.title')));
  view.append(monthPicker(shown, now));
  view.append(h('p', { class: 'hint cli-hint' }, rich(t('review.cli', { month: shown ?? 'YYYY-MM' }))));
  if (!r) {
    view.append(errorBox(report.reason));
    return { title: t('review.title') };
  }
  const cur = r.cur ?? {};
  const prev = r.prev ?? {};
  const prevName = prev.month ? formatMonth(prev.month) : t('review.prevMonth');
  view.append(
    section(t('review.kpis'), 'review-kpi-section', kpiTable(r.kpis),
      h('p', { class: 'hint' }, t('review.kpiNote'))),
    section(t('review.funnel'), 'review-funnel-section',
      cur.from ? h('p', { class: 'hint' }, periodText(cur)) : null,
      h('p', { id: 'review-mqls' }, t('review.mqls', {
        count: formatNumber(cur.mqls ?? 0), prev: formatNumber(prev.mqls ?? 0), month: prevName,
      })),
      r.persons_start !== undefined && r.persons_end !== undefined
        ? h('p', { id: 'review-persons' }, t(r.current ? 'review.personsNow' : 'review.persons', {
          start: formatNumber(r.persons_start), end: formatNumber(r.persons_end),
        }))
        : null,
      cur.stages ? tableWrap(stageTable(cur, {
        prev, nowHeader: t(r.current ? 'funnel.colNow' : 'review.colEnd'), id: 'review-stages',
      }), t('funnel.stages')) : null,
      h('h3', {}, t('funnel.conversions')),
      conversionTable(cur.conversions, { id: 'review-conversions' })),
    h('div', { class: 'movers-grid' },
      section(t('review.movers.up'), 'movers-up-section', moversTable(r.movers?.up, 'up')),
      section(t('review.movers.down'), 'movers-down-section', moversTable(r.movers?.down, 'down'))),
    h('p', { class: 'hint movers-note' }, t('review.moversNote')),
    section(t('review.sla'), 'sla-section', slaView(r.sla)));
  return { title: shown ? t('review.titleOf', { month: formatMonth(shown) }) : t('review.title') };
}
