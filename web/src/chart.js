// The score-over-time chart of a lead page: an SVG step line built from the
// ledger (each row moves the score to its `after` at its time), decay rows
// marked distinctly, stage changes (from the lead's stage_history) as
// vertical lines with the new stage's name. Drawn at the container's width
// and redrawn when it changes; presentation comes from classes in style.css.

const SVG = 'http://www.w3.org/2000/svg';
const HEIGHT = 280;
const M = { top: 34, right: 16, bottom: 30, left: 46 };
const DAY = 86400000;

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** About `count` round steps covering [lo, hi]. */
export function niceTicks(lo, hi, count) {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw) ?? 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

/**
 * At most about `count` dates in [t0, t1] at UTC midnights: every 1, 2, 7 or
 * 14 days, or the first of every 1, 2, 3, 6 or 12 months.
 */
function timeTicks(t0, t1, count) {
  const spanDays = (t1 - t0) / DAY;
  const days = [1, 2, 7, 14].find((d) => spanDays / d <= count);
  const ticks = [];
  if (days) {
    for (let v = Math.ceil(t0 / DAY) * DAY; v <= t1; v += days * DAY) ticks.push(v);
    return { ticks, monthly: false };
  }
  const months = [1, 2, 3, 6, 12].find((m) => spanDays / (30.4 * m) <= count) ?? 24;
  const d = new Date(t0);
  const y = d.getUTCFullYear();
  let m = Math.ceil((d.getUTCMonth() + (d.getUTCDate() > 1 || d.getUTCHours() > 0 ? 1 : 0)) / months) * months;
  for (let v = Date.UTC(y, m, 1); v <= t1; m += months, v = Date.UTC(y, m, 1)) ticks.push(v);
  return { ticks, monthly: true };
}

/**
 * The chart's data: the step points and decay steps from the ledger rows,
 * the stage changes, and the domains.
 */
export function chartData(ledger, stageHistory = []) {
  const rows = ledger.filter((r) => r.time && Number.isFinite(r.after));
  if (rows.length === 0) return null;
  const start = rows[0].after - (rows[0].points ?? 0);
  const steps = rows.map((r, i) => ({
    t: Date.parse(r.time),
    from: i === 0 ? start : rows[i - 1].after,
    to: r.after,
    decay: r.kind === 'decay',
  }));
  const stages = stageHistory
    .filter((c) => c.time)
    .map((c) => ({ t: Date.parse(c.time), to: c.to, mql: !!c.mql }));
  const times = [...steps.map((p) => p.t), ...stages.map((c) => c.t)];
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (t1 - t0 < DAY) { t0 -= DAY / 2; t1 += DAY / 2; }
  const pad = (t1 - t0) * 0.02;
  const values = [start, ...steps.map((p) => p.to)];
  return {
    steps,
    stages,
    start,
    x: [t0 - pad, t1 + pad],
    y: [Math.min(0, ...values), Math.max(1, ...values)],
  };
}

function draw(data, width, text) {
  const w = Math.max(280, Math.round(width));
  const iw = w - M.left - M.right;
  const ih = HEIGHT - M.top - M.bottom;
  const [x0, x1] = data.x;
  const yTicks = niceTicks(data.y[0], data.y[1], 5);
  const y0 = Math.min(data.y[0], yTicks[0]);
  const y1 = Math.max(data.y[1], yTicks[yTicks.length - 1]);
  const X = (t) => M.left + ((t - x0) / (x1 - x0)) * iw;
  const Y = (v) => M.top + ih - ((v - y0) / (y1 - y0 || 1)) * ih;

  const svg = s('svg', {
    class: 'chart', width: w, height: HEIGHT, viewBox: `0 0 ${w} ${HEIGHT}`,
    role: 'img', 'aria-labelledby': 'chart-title chart-desc',
  });
  svg.append(s('title', { id: 'chart-title' }, text.title), s('desc', { id: 'chart-desc' }, text.desc));

  // grid and axes
  const grid = s('g', { class: 'chart-grid' });
  for (const v of yTicks) {
    grid.append(s('line', { x1: M.left, x2: M.left + iw, y1: Y(v), y2: Y(v) }));
    grid.append(s('text', { x: M.left - 6, y: Y(v), class: 'chart-ylabel', 'dominant-baseline': 'middle', 'text-anchor': 'end' }, text.number(v)));
  }
  const { ticks: xTicks, monthly } = timeTicks(x0, x1, Math.max(2, Math.floor(iw / 60)));
  // the year on the first tick and on each January
  const fmt = (opts) => new Intl.DateTimeFormat(text.lang, { ...opts, timeZone: 'UTC' });
  const short = fmt(monthly ? { month: 'short' } : { month: 'short', day: 'numeric' });
  const long = fmt(monthly ? { year: 'numeric', month: 'short' } : { year: 'numeric', month: 'short', day: 'numeric' });
  xTicks.forEach((tk, i) => {
    const d = new Date(tk);
    const withYear = i === 0 || (d.getUTCMonth() === 0 && (monthly || d.getUTCDate() <= 14));
    grid.append(s('text', { x: X(tk), y: HEIGHT - 8, class: 'chart-xlabel', 'text-anchor': 'middle' },
      (withYear ? long : short).format(d)));
  });
  grid.append(s('line', { class: 'chart-axis', x1: M.left, x2: M.left + iw, y1: M.top + ih, y2: M.top + ih }));
  svg.append(grid);

  // stage changes: vertical lines, names staggered on two rows
  const stageG = s('g', { class: 'chart-stages' });
  data.stages.forEach((c, i) => {
    const x = X(c.t);
    stageG.append(s('line', { class: 'chart-stage', x1: x, x2: x, y1: M.top - 4, y2: M.top + ih }));
    const anchor = x > M.left + iw - 60 ? 'end' : 'start';
    stageG.append(s('text', {
      class: `chart-stage-label${c.mql ? ' mql' : ''}`, x: anchor === 'end' ? x - 3 : x + 3,
      y: i % 2 ? 24 : 12, 'text-anchor': anchor,
    }, `→ ${c.to}`));
  });
  svg.append(stageG);

  // the step line
  let d = `M${X(data.steps[0].t)},${Y(data.start)}`;
  for (const p of data.steps) d += `H${X(p.t)}V${Y(p.to)}`;
  svg.append(s('path', { class: 'chart-line', d }));

  // decay steps on top, each with a marker at its foot
  const decayG = s('g', { class: 'chart-decays' });
  for (const p of data.steps.filter((q) => q.decay)) {
    const x = X(p.t);
    decayG.append(s('line', { class: 'chart-decay', x1: x, x2: x, y1: Y(p.from), y2: Y(p.to) }));
    const yy = Y(p.to);
    decayG.append(s('path', { class: 'chart-decay-mark', d: `M${x - 4},${yy - 3}L${x + 4},${yy - 3}L${x},${yy + 4}Z` }));
  }
  svg.append(decayG);

  // the last value
  const last = data.steps[data.steps.length - 1];
  svg.append(s('circle', { class: 'chart-end', cx: X(last.t), cy: Y(last.to), r: 3.5 }));
  return svg;
}

/**
 * Draws the chart into `container` (replacing its content) and redraws it
 * when the container's width changes. Returns a function that stops that.
 */
export function mountScoreChart(container, data, text) {
  let lastWidth = 0;
  const render = () => {
    const width = container.clientWidth;
    if (!width || Math.abs(width - lastWidth) < 2) return;
    lastWidth = width;
    container.replaceChildren(draw(data, width, text));
  };
  render();
  const ro = new ResizeObserver(render);
  ro.observe(container);
  return () => ro.disconnect();
}
