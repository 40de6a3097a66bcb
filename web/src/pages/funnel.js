// #/funnel[?month=YYYY-MM | ?from=YYYY-MM-DD&to=YYYY-MM-DD | ?weeks=12] —
// the landing page: GET /v1/funnel for the period (by default the calendar
// month of the server's read time, up to it), the KPI cards against the
// model's targets, persons per stage now (each stage a link to its leads),
// entries per stage per week, conversions and median days per stage.
import { getFunnel } from '../api.js';
import { errorBox, h, section, tableWrap } from '../dom.js';
import { formatMonth, formatNumber, t } from '../i18n.js';
import {
  addMonths, conversionTable, funnelBars, isDate, isMonth, kpiCards, monthsBack, periodText,
  serverNow, stageTable, weeklyChart,
} from '../funnelview.js';
import { href, navigate } from '../router.js';

const DAY = 86400000;

/** The API's period parameters for the route, and which quick choice it is. */
function periodOf(query, now) {
  const month = query.get('month');
  if (isMonth(month)) return { params: { month }, choice: 'month' };
  const from = query.get('from');
  const to = query.get('to');
  if (isDate(from) && isDate(to)) return { params: { from, to }, choice: 'range' };
  if (query.get('weeks') === '12' && now) return { params: twelveWeeks(now.lastDay), choice: 'weeks' };
  return { params: {}, choice: 'current' };
}

/** The 12 weeks (84 days) up to the server's day, that day included (`to` is a last day). */
function twelveWeeks(lastDay) {
  const end = Date.parse(`${lastDay}T00:00:00Z`);
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(end - 83 * DAY), to: lastDay };
}

function periodPicker(choice, funnel, params, now) {
  const current = now?.month ?? null;
  const months = current ? monthsBack(current, 24) : [];
  if (params.month && !months.includes(params.month)) months.unshift(params.month);
  const quick = [
    ['current', href('/funnel'), t('funnel.thisMonth')],
    current ? ['prev', href('/funnel', { month: addMonths(current, -1) }), t('funnel.prevMonth')] : null,
    ['weeks', href('/funnel', { weeks: 12 }), t('funnel.twelveWeeks')],
  ].filter(Boolean);
  const isCurrent = (id) => id === choice || (id === 'prev' && choice === 'month' && current && params.month === addMonths(current, -1));

  const monthSelect = h('select', { id: 'p-month', name: 'month' },
    months.map((m) => h('option', { value: m, selected: m === (params.month ?? current) }, formatMonth(m))));
  const monthForm = h('form', { class: 'period-form', id: 'period-month' },
    h('div', { class: 'field' }, h('label', { for: 'p-month' }, t('funnel.month')), monthSelect),
    h('button', { type: 'submit', id: 'p-month-show' }, t('funnel.show')));
  monthForm.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(href('/funnel', { month: monthSelect.value }));
  });

  const fromDay = params.from ?? funnel?.from?.slice(0, 10) ?? '';
  const toDay = params.to ?? (funnel ? new Date(Date.parse(funnel.to) - 1).toISOString().slice(0, 10) : '');
  const fromInput = h('input', { type: 'date', id: 'p-from', name: 'from', required: true, value: fromDay });
  const toInput = h('input', { type: 'date', id: 'p-to', name: 'to', required: true, value: toDay });
  const rangeError = h('p', { class: 'field-error', id: 'p-range-error', role: 'alert' });
  const rangeForm = h('form', { class: 'period-form', id: 'period-range' },
    h('div', { class: 'field' }, h('label', { for: 'p-from' }, t('funnel.from')), fromInput),
    h('div', { class: 'field' }, h('label', { for: 'p-to' }, t('funnel.to')), toInput),
    h('button', { type: 'submit', id: 'p-range-show' }, t('funnel.show')),
    rangeError);
  rangeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!isDate(fromInput.value) || !isDate(toInput.value) || toInput.value < fromInput.value) {
      rangeError.textContent = t('funnel.badRange');
      return;
    }
    navigate(href('/funnel', { from: fromInput.value, to: toInput.value }));
  });

  return h('section', { class: 'card period-card', 'aria-labelledby': 'period-title' },
    h('h2', { id: 'period-title', class: 'visually-hidden' }, t('funnel.period')),
    h('nav', { class: 'quick', 'aria-label': t('funnel.quick') },
      quick.map(([id, link, text]) => h('a', {
        href: link, id: `quick-${id}`, class: 'quick-link', dataset: { period: id }, 'aria-current': isCurrent(id) ? 'true' : false,
      }, text))),
    h('div', { class: 'period-forms' }, monthForm, rangeForm));
}

export async function render(view, ctx) {
  const cleanups = [];
  const q = ctx.route.query;
  const isDefault = !isMonth(q.get('month')) && !(isDate(q.get('from')) && isDate(q.get('to'))) && q.get('weeks') !== '12';
  let now = null;
  let period = periodOf(q, null);
  let funnel = null;
  let error = null;
  try {
    if (isDefault) {
      funnel = await getFunnel({});
      now = await serverNow({ known: funnel });
    } else {
      // the server's month and day (once a session) give the 12 weeks and the months to pick from
      now = await serverNow();
      period = periodOf(q, now);
      funnel = await getFunnel(period.params);
    }
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    error = err;
  }
  if (!ctx.isCurrent()) return {};

  const title = h('h1', { id: 'page-title', tabindex: '-1' }, t('funnel.title'));
  view.append(title);
  if (funnel) {
    view.append(h('p', { class: 'period-line', id: 'period-text' },
      h('span', { class: 'period-label' }, t(`funnel.choice.${period.choice}`, { month: funnel.month ? formatMonth(funnel.month) : '' })),
      ' ', h('span', { class: 'period-range' }, periodText(funnel))));
  }
  view.append(periodPicker(period.choice, funnel, period.params, now));
  if (error) {
    view.append(errorBox(error));
    return { title: t('funnel.title') };
  }

  view.append(
    section(t('funnel.kpis'), 'kpi-section',
      h('p', { class: 'hint', id: 'mql-count' }, t('funnel.mqls', { count: formatNumber(funnel.mqls ?? 0) })),
      kpiCards(funnel.kpis),
      h('p', { class: 'hint' }, t('funnel.kpiNote'))),
    h('div', { class: 'funnel-grid' },
      section(t('funnel.now'), 'now-section',
        funnelBars(funnel.stages ?? []),
        h('p', { class: 'hint' }, t('funnel.nowHint'))),
      section(t('funnel.conversions'), 'conversion-section',
        conversionTable(funnel.conversions),
        h('p', { class: 'hint' }, t('funnel.conversionNote')))),
    section(t('funnel.weekly'), 'weekly-section', weeklyChart(funnel, cleanups),
      h('p', { class: 'hint' }, t('funnel.weeklyNote'))),
    section(t('funnel.stages'), 'stages-section',
      tableWrap(stageTable(funnel), t('funnel.stages')),
      h('p', { class: 'hint' }, t('funnel.medianNote'))));
  return { title: t('funnel.title'), cleanup: () => cleanups.forEach((f) => f()) };
}
