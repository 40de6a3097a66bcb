// Bar and line charts for the funnel, the monthly review and the rescore
// preview: categories along x (weeks, stages), one or more series (stages,
// before/after) stacked, grouped or as lines. SVG drawn at the container's
// width and redrawn when it changes (like chart.js); each bar or point has a
// <title>, the chart a <title> and <desc>, and chartBlock() adds a legend
// and the same numbers as a table. Colours come from classes in style.css
// (series-0 … series-7, before, after): the CSP refuses style attributes.
import { niceTicks } from './chart.js';
import { h, tableWrap } from './dom.js';
import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const label = (spec, i) => spec.categories[i].long ?? spec.categories[i].label;

/**
 * spec: {id, title, desc, categories: [{label, long?}], series: [{name, cls, values}],
 * mode: 'stack' | 'group' | 'line', number: (v) => text, height?}
 */
function draw(spec, width) {
  const w = Math.max(240, Math.round(width));
  const n = Math.max(1, spec.categories.length);
  const M = { top: 12, right: 12, bottom: 26, left: 44 };
  const band = (w - M.left - M.right) / n;
  // a few categories whose names do not fit side by side (stages on a phone): slanted names
  const longest = Math.max(...spec.categories.map((c) => String(c.label).length), 1);
  const labelWidth = longest * 6.5 + 8;
  const slant = n <= 16 && labelWidth > band;
  if (slant) M.bottom = Math.min(96, 16 + labelWidth * 0.7);
  const H = (spec.height ?? 240) + (M.bottom - 26);
  const iw = w - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const value = (se, i) => Math.max(0, Number(se.values[i]) || 0);
  const tops = spec.categories.map((_, i) => (spec.mode === 'stack'
    ? spec.series.reduce((a, se) => a + value(se, i), 0)
    : Math.max(0, ...spec.series.map((se) => value(se, i)))));
  const max = Math.max(1, ...tops);
  const ticks = niceTicks(0, max, 4).filter((v) => Number.isInteger(v));
  // the axis ends on a tick at or above the highest bar
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  while (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  const top = ticks[ticks.length - 1];
  const Y = (v) => M.top + ih - (v / top) * ih;

  const svg = s('svg', {
    class: `chart bars bars-${spec.mode}`, width: w, height: H, viewBox: `0 0 ${w} ${H}`,
    role: 'img', 'aria-labelledby': `${spec.id}-title ${spec.id}-desc`,
  });
  svg.append(s('title', { id: `${spec.id}-title` }, spec.title), s('desc', { id: `${spec.id}-desc` }, spec.desc ?? ''));

  const grid = s('g', { class: 'chart-grid' });
  for (const v of ticks) {
    grid.append(s('line', { x1: M.left, x2: M.left + iw, y1: Y(v), y2: Y(v) }));
    grid.append(s('text', { x: M.left - 6, y: Y(v), class: 'chart-ylabel', 'dominant-baseline': 'middle', 'text-anchor': 'end' }, spec.number(v)));
  }
  // x labels: every category (slanted if need be), or every k-th one so that they do not overlap
  const every = slant ? 1 : Math.max(1, Math.ceil(Math.max(40, labelWidth) / band));
  spec.categories.forEach((c, i) => {
    if (i % every) return;
    const x = M.left + (i + 0.5) * band;
    grid.append(slant
      ? s('text', { x, y: M.top + ih + 14, class: 'chart-xlabel', 'text-anchor': 'end', transform: `rotate(-40 ${x.toFixed(1)} ${M.top + ih + 14})` }, c.label)
      : s('text', { x, y: H - 8, class: 'chart-xlabel', 'text-anchor': 'middle' }, c.label));
  });
  grid.append(s('line', { class: 'chart-axis', x1: M.left, x2: M.left + iw, y1: M.top + ih, y2: M.top + ih }));
  svg.append(grid);

  const marks = s('g', { class: 'chart-marks' });
  if (spec.mode === 'line') {
    for (const se of spec.series) {
      const pts = spec.categories.map((_, i) => [M.left + (i + 0.5) * band, Y(value(se, i))]);
      const g = s('g', { class: `series ${se.cls}` });
      g.append(s('path', { class: 'chart-series-line', d: pts.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('') }));
      pts.forEach(([x, y], i) => {
        const dot = s('circle', { class: 'chart-series-dot', cx: x.toFixed(1), cy: y.toFixed(1), r: n > 40 ? 2 : 3 });
        dot.append(s('title', {}, `${label(spec, i)} · ${se.name}: ${spec.number(se.values[i] ?? 0)}`));
        g.append(dot);
      });
      marks.append(g);
    }
  } else {
    spec.categories.forEach((_, i) => {
      const x0 = M.left + i * band;
      if (spec.mode === 'stack') {
        const bw = Math.max(1, Math.min(band * 0.7, 56));
        let acc = 0;
        for (const se of spec.series) {
          const v = value(se, i);
          if (!v) continue;
          const r = s('rect', {
            class: `bar ${se.cls}`, x: (x0 + (band - bw) / 2).toFixed(1), width: bw.toFixed(1),
            y: Y(acc + v).toFixed(1), height: Math.max(0.5, Y(acc) - Y(acc + v)).toFixed(1),
          });
          r.append(s('title', {}, `${label(spec, i)} · ${se.name}: ${spec.number(v)}`));
          marks.append(r);
          acc += v;
        }
      } else {
        const bw = Math.max(1, Math.min(band * 0.8 / spec.series.length, 40));
        const inner = bw * spec.series.length;
        spec.series.forEach((se, j) => {
          const v = value(se, i);
          const r = s('rect', {
            class: `bar ${se.cls}`, x: (x0 + (band - inner) / 2 + j * bw).toFixed(1), width: Math.max(1, bw - (bw > 4 ? 1 : 0)).toFixed(1),
            y: Y(v).toFixed(1), height: Math.max(v ? 0.5 : 0, Y(0) - Y(v)).toFixed(1),
          });
          r.append(s('title', {}, `${label(spec, i)} · ${se.name}: ${spec.number(se.values[i] ?? 0)}`));
          marks.append(r);
        });
      }
    });
  }
  svg.append(marks);
  return svg;
}

/** Draws the chart into `container`, redrawn when its width changes; returns the stop function. */
export function mountBars(container, spec) {
  let lastWidth = 0;
  const render = () => {
    const width = container.clientWidth;
    if (!width || Math.abs(width - lastWidth) < 2) return;
    lastWidth = width;
    container.replaceChildren(draw(spec, width));
  };
  render();
  const ro = new ResizeObserver(render);
  ro.observe(container);
  return () => ro.disconnect();
}

/** The series' names with their colour (and line style) swatches. */
export function legend(series, mode) {
  return h('ul', { class: `legend legend-${mode}`, 'aria-hidden': 'true' },
    series.map((se) => h('li', {}, h('span', { class: `swatch ${se.cls}` }), se.name)));
}

/** The chart's numbers as a table: a row per category, a column per series (and a total for a stack). */
export function dataTable(spec, { categoryHeader, id }) {
  const total = spec.mode === 'stack' && spec.series.length > 1;
  return h('table', { class: 'data chart-data', id },
    h('caption', { class: 'visually-hidden' }, spec.title),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, categoryHeader),
      spec.series.map((se) => h('th', { scope: 'col', class: 'num' }, se.name)),
      total ? h('th', { scope: 'col', class: 'num' }, t('chart.total')) : null)),
    h('tbody', {}, spec.categories.map((c, i) => h('tr', {},
      h('th', { scope: 'row' }, c.long ?? c.label),
      spec.series.map((se) => h('td', { class: 'num' }, spec.number(se.values[i] ?? 0))),
      total ? h('td', { class: 'num' }, spec.number(spec.series.reduce((a, se) => a + (Number(se.values[i]) || 0), 0))) : null))));
}

/**
 * A chart, its legend and its table (in a <details>, closed): the elements,
 * and the cleanup pushed on `cleanups`.
 */
export function chartBlock(spec, cleanups, { categoryHeader, tableId } = {}) {
  const box = h('div', { class: 'chart-box chart-box-bars', id: `${spec.id}-box` });
  // drawn by the ResizeObserver once the box is in the document and has a width
  cleanups.push(mountBars(box, spec));
  return [
    box,
    legend(spec.series, spec.mode),
    h('details', { class: 'chart-table' },
      h('summary', {}, t('chart.showTable')),
      tableWrap(dataTable(spec, { categoryHeader, id: tableId }), spec.title)),
  ];
}
