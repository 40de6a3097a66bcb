/* leadscore backtest --format html: one self-contained HTML5 page (inline
 * CSS and SVG, no script, no external request of any kind) with the
 * summary, the charts and the tables of a backtest of candidate models.
 * Every text that comes from data is escaped; every rate shows its count
 * and a warning when it rests on fewer than LS_BT_MIN_N cases. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/backtest_report.h"
#include "leadscore/error.h"
#include "leadscore/time.h"

static const char *const PALETTE[] = {"#2563eb", "#d97706", "#059669",
                                      "#dc2626", "#7c3aed", "#0891b2"};
static const int64_t WEEK_S = (int64_t)7 * 86400;
static const size_t WEEKS_SHOWN = 26, WEEKS_EDGE = 4; /* stage tables */

static const char CSS[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f6f7f9;color:#1f2933;font:15px/1.45 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
    "main{max-width:1100px;margin:0 auto;padding:16px 20px 40px}p{margin:.4em 0}\n"
    "h1{font-size:1.7em;margin:.3em 0 .4em}h3{font-size:1.05em;margin:1.3em 0 .4em}\n"
    "h2{font-size:1.3em;margin:1.8em 0 .6em;padding-bottom:.2em;border-bottom:1px solid #d9dde3}\n"
    "h4{font-size:.95em;margin:.8em 0 .3em}.lead{color:#52606d;margin-top:0}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}\n"
    "dl.meta dt{color:#52606d}dl.meta dd{margin:0}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4em 0 1em}\n"
    "table{border-collapse:collapse;background:#fff;font-size:.9em}\n"
    "th,td{border:1px solid #d9dde3;padding:4px 9px;text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}\nth:first-child,td:first-child{text-align:left}\n"
    "thead th{background:#eef1f4;font-weight:600;vertical-align:bottom}\n"
    "thead th.model{white-space:normal;overflow-wrap:anywhere;min-width:10em;text-align:left}\n"
    "tbody th{font-weight:normal;text-align:left;background:#fafbfc}\n"
    "tr.rec td{background:#fff4cc;font-weight:600}.n,.muted{color:#6b7785}\n"
    ".badge{font-size:.75em;background:#b7791f;color:#fff;border-radius:3px;padding:0 4px;"
    "margin-left:6px}\n.warn{color:#b45309;cursor:help;margin-left:3px}\n"
    "code{font-size:.92em;background:#eef1f4;padding:0 3px;border-radius:3px}\n"
    "td:first-child{white-space:normal}td code{overflow-wrap:anywhere}\n"
    "figure{margin:.5em 0 1em;background:#fff;border:1px solid #d9dde3;border-radius:4px;"
    "padding:10px}\nfigcaption{font-weight:600;margin-bottom:4px}\n"
    "svg{display:block;width:100%;height:auto}\n"
    "svg text{font:11px system-ui,-apple-system,\"Segoe "
    "UI\",Roboto,Arial,sans-serif;fill:#52606d}\n"
    ".legend{list-style:none;padding:0;margin:6px 0 0;display:flex;flex-wrap:wrap;gap:4px 18px;"
    "font-size:.88em}\n.sw{display:inline-block;width:12px;height:12px;border-radius:2px;"
    "margin-right:6px;vertical-align:-1px}\n"
    ".grid{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\n"
    ".grid>figure,.grid>div{flex:1 1 320px;min-width:0}\nfooter{margin-top:2.5em;"
    "padding-top:.8em;border-top:1px solid #d9dde3;color:#52606d;font-size:.88em}\n";

static const char *colour(size_t i) { return PALETTE[i % (sizeof PALETTE / sizeof PALETTE[0])]; }

/* ---- text ---- */

/* Writes s[0..cap) up to its NUL, HTML-escaped. */
static void esc_n(FILE *out, const char *s, size_t cap) {
  if (!s) return;
  for (size_t i = 0; i < cap && s[i]; i++) {
    switch (s[i]) {
      case '&': fputs("&amp;", out); break;
      case '<': fputs("&lt;", out); break;
      case '>': fputs("&gt;", out); break;
      case '"': fputs("&quot;", out); break;
      case '\'': fputs("&#39;", out); break;
      default: fputc(s[i], out);
    }
  }
}

static void esc(FILE *out, const char *s) { esc_n(out, s, SIZE_MAX); }

static void warn(FILE *out) {
  fprintf(out,
          "<span class=\"warn\" title=\"n &lt; %d: too few cases to mean much\">&#9888;</span>",
          (int)LS_BT_MIN_N);
}

/* v with `decimals` and then `unit`, or "—" when v is NAN. */
static void num(FILE *out, double v, int decimals, const char *unit) {
  if (isfinite(v))
    fprintf(out, "%.*f%s", decimals, v, unit);
  else
    fputs("&mdash;", out);
}

/* "12.5 % (5/40)", a warning when n is small, "—" for no cases. */
static void rate(FILE *out, ls_bt_rate x) {
  double v = 100.0 * ls_bt_ratio(x); /* below 1 %: enough digits not to print 0.0 */
  num(out, v, v > 0 && v < 1 ? 3 : 1, "&nbsp;%");
  fprintf(out, " <span class=\"n\">(%" PRIu64 "/%" PRIu64 ")</span>", x.k, x.n);
  if (ls_bt_small(x)) warn(out);
}

static const char *date_of(ls_time t, char *buf) { /* the date part only */
  ls_time_format(t, buf);
  char *T = strchr(buf, 'T');
  if (T) *T = '\0';
  return buf;
}

static ls_time week_start(const ls_bt_config *c, size_t w) {
  return ls_time_add(c->from, (int64_t)w * WEEK_S);
}

/* A scrolling table with the header cells `head` ("<th>..</th>..."). */
static void table_open(FILE *out, const char *head) {
  fprintf(out, "<div class=\"scroll\"><table>\n<thead><tr>%s</tr></thead>\n<tbody>\n", head);
}

static void table_close(FILE *out) { fputs("</tbody></table></div>\n", out); }

static void swatch(FILE *out, size_t i) {
  fprintf(out, "<span class=\"sw\" style=\"background:%s\"></span>", colour(i));
}

/* Model i's colour and path. */
static void model_name(FILE *out, const ls_bt_report *r, size_t i) {
  swatch(out, i);
  esc(out, r->models[i].path);
}

static void model_h3(FILE *out, const ls_bt_report *r, size_t i) {
  fputs("<h3>", out);
  model_name(out, r, i);
  fputs("</h3>\n", out);
}

/* The models with their colours; with_auc adds each model's AUC. */
static void legend(FILE *out, const ls_bt_report *r, bool with_auc) {
  fputs("<ul class=\"legend\">", out);
  for (size_t i = 0; i < r->nmodels; i++) {
    if (with_auc && r->models[i].res->nroc == 0) continue;
    fputs("<li>", out);
    model_name(out, r, i);
    if (with_auc) {
      fputs(" <span class=\"muted\">AUC ", out);
      num(out, r->models[i].res->auc, 3, "");
      fputs("</span>", out);
    }
    fputs("</li>", out);
  }
  fputs("</ul>\n", out);
}

/* ---- SVG ---- */

typedef struct plot {
  double x0, y0, x1, y1;         /* the plotting area: left, top, right, bottom */
  double xmin, xmax, ymin, ymax; /* the data it shows */
} plot;

static double px(const plot *p, double x) {
  if (!(p->xmax > p->xmin)) return (p->x0 + p->x1) / 2;
  return p->x0 + (x - p->xmin) * (p->x1 - p->x0) / (p->xmax - p->xmin);
}

static double py(const plot *p, double y) {
  if (!(p->ymax > p->ymin)) return p->y1;
  return p->y1 - (y - p->ymin) * (p->y1 - p->y0) / (p->ymax - p->ymin);
}

/* A round step (1, 2, 2.5, 5 × 10^k) giving about n ticks over span. */
static double nice_step(double span, int n) {
  double raw = span / n;
  if (!(raw > 0) || !isfinite(raw)) return 1;
  double p = pow(10, floor(log10(raw))), f = raw / p;
  f = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return f * p;
}

/* A y range 0..max rounded up to a step; counts get integer steps. */
static double y_top(double max, bool integer, double *step) {
  if (!(max > 0)) max = 1;
  double s = nice_step(max, 4);
  if (integer && s < 1) s = 1;
  *step = s;
  return ceil(max / s - 1e-9) * s;
}

static void svg_open(FILE *out, int w, int h, const char *label) {
  fprintf(out,
          "<svg viewBox=\"0 0 %d %d\" width=\"100%%\" preserveAspectRatio=\"xMidYMid meet\" "
          "role=\"img\" aria-label=\"%s\" style=\"max-width:%dpx\">\n",
          w, h, label, w);
}

/* A line segment, dashed when dash is not NULL. */
static void svg_seg(FILE *out, double x1, double y1, double x2, double y2, const char *stroke,
                    const char *dash) {
  fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"", x1, y1, x2,
          y2, stroke);
  if (dash) fprintf(out, " stroke-dasharray=\"%s\"", dash);
  fputs("/>", out);
}

/* Horizontal grid lines labelled every `step`, the frame, and an axis
 * title above the plot. */
static void svg_yaxis(FILE *out, const plot *p, double step, int dec, const char *title) {
  for (double v = p->ymin; v <= p->ymax + step * 1e-6; v += step) {
    double y = py(p, v);
    svg_seg(out, p->x0, y, p->x1, y, "#e4e7eb", NULL);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.*f</text>\n", p->x0 - 6, y + 4,
            dec, v);
  }
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", p->x0, p->y0 - 8, title);
  fprintf(out,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
          "stroke=\"#9aa5b1\"/>\n",
          p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
}

/* Tick labels under the plot every `step`, and a title below them. */
static void svg_xaxis(FILE *out, const plot *p, double step, int dec, const char *title) {
  double first = ceil(p->xmin / step - 1e-9) * step;
  for (double v = first; v <= p->xmax + step * 1e-6; v += step) {
    double x = px(p, v);
    svg_seg(out, x, p->y1, x, p->y1 + 4, "#9aa5b1", NULL);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.*f</text>\n", x, p->y1 + 16,
            dec, v);
  }
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
          (p->x0 + p->x1) / 2, p->y1 + 32, title);
}

/* The start of model m's polyline; model 0 is wider, to show under the
 * others where they coincide. */
static void polyline_open(FILE *out, size_t m, const char *dash) {
  fprintf(out,
          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-linejoin=\"round\"",
          colour(m), m ? "2" : "3.5");
  if (dash) fprintf(out, " stroke-dasharray=\"%s\"", dash);
  fputs(" points=\"", out);
}

/* Model m's polyline through (xs[i], ys[i]), dashed when dash is not NULL. */
static void svg_line(FILE *out, const plot *p, const double *xs, const double *ys, size_t n,
                     size_t m, const char *dash) {
  polyline_open(out, m, dash);
  for (size_t i = 0; i < n; i++)
    fprintf(out, "%s%.1f,%.1f", i ? " " : "", px(p, xs[i]), py(p, ys[i]));
  fputs("\"/>\n", out);
}

/* ---- sections ---- */

/* Every model i of the report `r`, and its result. */
#define EACH for (size_t i = 0; i < r->nmodels; i++)
#define RES (r->models[i].res)

static void section_head(FILE *out, const ls_bt_report *r) {
  const ls_bt_config *c = r->c;
  char a[LS_TIME_FMT_MAX], b[LS_TIME_FMT_MAX];
  const ls_model *m0 = r->nmodels ? r->models[0].m : NULL;
  const char *score =
      m0 && c->score < ls_model_nscores(m0) ? ls_model_score_name(m0, c->score) : NULL;
  fputs(
      "<h1>leadscore backtest</h1>\n<p class=\"lead\">A backtest replays history under candidate "
      "scoring models before anyone switches to one.</p>\n<dl class=\"meta\">\n",
      out);
  ls_time_format(c->from, a);
  ls_time_format(c->to, b);
  fprintf(out, "<dt>Window</dt><dd>%s &rarr; %s</dd>\n", a, b);
  fprintf(out, "<dt>Horizon</dt><dd>%" PRId64 " days</dd>\n", c->horizon / 86400);
  ls_time_format(c->cutoff, a);
  fprintf(out, "<dt>Cutoff</dt><dd>%s</dd>\n<dt>Ranked score</dt><dd>", a);
  if (score)
    esc(out, score);
  else
    fputs("&mdash;", out);
  fprintf(out,
          "</dd>\n<dt>History</dt><dd>%" PRIu64 " events, %" PRIu64 " persons, %" PRIu64
          " outcome events</dd>\n</dl>\n",
          r->events, r->persons, r->outcome_events);
}

/* The rows of the summary, in order. */
enum { S_MQLS, S_PERSONS, S_WEEK, S_P_OPP, S_P_WON, S_R_OPP, S_R_WON };
enum { S_MEDIAN = S_R_WON + 1, S_AUC, S_PRED, S_REC, S_TOP, S_INFL, S_ROWS };
static const char *const SUMMARY_ROWS[S_ROWS] = {
    "MQLs in the window",    "Persons with an MQL",
    "MQLs / week",           "Precision &rarr; opportunity",
    "Precision &rarr; won",  "Recall of opportunities",
    "Recall of wins",        "Median days MQL &rarr; opportunity",
    "AUC at the cutoff",     "Predictive AUC",
    "Recommended threshold", "Top rule (share of points)",
    "Inflated persons"};

static void top_rule(FILE *out, const ls_model *m, const ls_bt_result *res) {
  if (res->top_rule < 0 || !m) {
    fputs("&mdash;", out);
    return;
  }
  const char *id = ls_model_rule_id(m, (size_t)res->top_rule);
  const char *label = ls_model_rule_label(m, (size_t)res->top_rule, "en");
  fputs("<code>", out);
  esc(out, id);
  fputs("</code>", out);
  if (label && (!id || strcmp(label, id) != 0)) {
    fputc(' ', out);
    esc(out, label);
  }
  fprintf(out, " <span class=\"n\">%.1f&nbsp;%%</span>", 100.0 * res->top_rule_share);
}

/* Model i's value in summary row `row`. */
static void summary_cell(FILE *out, const ls_bt_report *r, size_t i, int row) {
  const ls_bt_result *res = RES;
  switch (row) {
    case S_MQLS: fprintf(out, "%" PRIu64, res->mqls); break;
    case S_PERSONS: fprintf(out, "%" PRIu64, res->mql_persons); break;
    case S_WEEK: num(out, ls_bt_per_week(res->mqls, res->nweeks), 1, ""); break;
    case S_P_OPP: rate(out, res->precision_opp); break;
    case S_P_WON: rate(out, res->precision_won); break;
    case S_R_OPP: rate(out, res->recall_opp); break;
    case S_R_WON: rate(out, res->recall_won); break;
    case S_MEDIAN:
      num(out, res->median_days_to_opp, 1, "");
      fprintf(out, " <span class=\"n\">(n = %" PRIu64 ")</span>", res->precision_opp.k);
      if (res->precision_opp.k < LS_BT_MIN_N) warn(out);
      break;
    case S_AUC:
      num(out, res->auc, 3, "");
      fprintf(out, " <span class=\"n\">(n = %" PRIu64 ", %" PRIu64 " positive)</span>", res->rank_n,
              res->rank_pos);
      if (res->rank_pos < LS_BT_MIN_N) warn(out);
      break;
    case S_PRED: num(out, r->models[i].predictive_auc, 3, ""); break;
    case S_REC:
      if (!res->has_recommended)
        fputs("&mdash;", out);
      else if (r->c->target_per_week > 0)
        fprintf(out, "%" PRId64 " <span class=\"muted\">(for %g MQLs/week)</span>",
                res->recommended, r->c->target_per_week);
      else
        fprintf(out, "%" PRId64 " <span class=\"muted\">(best F1)</span>", res->recommended);
      break;
    case S_TOP: top_rule(out, r->models[i].m, res); break;
    default: rate(out, (ls_bt_rate){res->inflated, res->inflation_base}); break;
  }
}

static void section_summary(FILE *out, const ls_bt_report *r) {
  bool any_pred = false;
  EACH any_pred |= !isnan(r->models[i].predictive_auc);
  fputs(
      "<h2 id=\"summary\">Summary</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>Metric</th>",
      out);
  EACH {
    fputs("<th class=\"model\" scope=\"col\">", out);
    model_name(out, r, i);
    fputs("</th>", out);
  }
  fputs("</tr></thead>\n<tbody>\n", out);
  for (int row = 0; row < S_ROWS; row++) {
    if (row == S_PRED && !any_pred) continue;
    fprintf(out, "<tr><th scope=\"row\">%s</th>", SUMMARY_ROWS[row]);
    EACH {
      fputs("<td>", out);
      summary_cell(out, r, i, row);
      fputs("</td>", out);
    }
    fputs("</tr>\n", out);
  }
  table_close(out);
}

static void chart_weeks(FILE *out, const ls_bt_report *r) {
  size_t nw = 0;
  double max = 0, step;
  EACH {
    if (RES->nweeks > nw) nw = RES->nweeks;
    for (size_t w = 0; w < RES->nweeks; w++) max = fmax(max, (double)RES->mql_week[w]);
  }
  plot p = {56, 22, 760, 214, 0, nw > 1 ? (double)(nw - 1) : 0, 0, 0};
  p.ymax = y_top(max, true, &step);
  fputs("<h2 id=\"weeks\">MQLs per week</h2>\n<figure>\n", out);
  svg_open(out, 800, 260, "MQLs per week for each model");
  svg_yaxis(out, &p, step, step < 1 ? 1 : 0, "MQLs");
  size_t every = nw > 6 ? (nw + 5) / 6 : 1;
  for (size_t w = 0; w < nw; w += every) {
    char d[LS_TIME_FMT_MAX];
    double x = px(&p, (double)w);
    svg_seg(out, x, p.y1, x, p.y1 + 4, "#9aa5b1", NULL);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x, p.y1 + 16,
            date_of(week_start(r->c, w), d));
  }
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">week starting</text>\n",
          (p.x0 + p.x1) / 2, p.y1 + 34);
  EACH {
    fprintf(out, "<g><title>");
    esc(out, r->models[i].path);
    fputs("</title>\n", out);
    polyline_open(out, i, NULL);
    for (size_t w = 0; w < RES->nweeks; w++)
      fprintf(out, "%s%.1f,%.1f", w ? " " : "", px(&p, (double)w),
              py(&p, (double)RES->mql_week[w]));
    fputs("\"/>\n", out);
    for (size_t w = 0; nw <= 60 && w < RES->nweeks; w++)
      fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"/>", px(&p, (double)w),
              py(&p, (double)RES->mql_week[w]), i ? "2.5" : "3.5", colour(i));
    fputs("</g>\n", out);
  }
  fputs("</svg>\n", out);
  legend(out, r, false);
  fputs("</figure>\n", out);
}

static void chart_roc(FILE *out, const ls_bt_report *r) {
  bool any = false;
  EACH any |= RES->nroc > 0;
  fputs("<h2 id=\"roc\">ROC at the cutoff</h2>\n", out);
  if (!any) {
    fputs(
        "<p class=\"muted\">No curve: the ranking population has no positives or no negatives "
        "under any model.</p>\n",
        out);
    return;
  }
  plot p = {52, 24, 328, 300, 0, 1, 0, 1};
  fputs("<figure style=\"max-width:420px\">\n", out);
  svg_open(out, 340, 340, "ROC curve at the cutoff for each model");
  svg_yaxis(out, &p, 0.2, 1, "true positive rate");
  svg_xaxis(out, &p, 0.2, 1, "false positive rate");
  svg_seg(out, p.x0, p.y1, p.x1, p.y0, "#9aa5b1", "4 4"); /* chance */
  EACH if (RES->nroc > 0) {
    size_t n = RES->nroc < LS_BT_ROC ? RES->nroc : LS_BT_ROC;
    svg_line(out, &p, RES->roc_fpr, RES->roc_tpr, n, i, NULL);
  }
  fputs("</svg>\n", out);
  legend(out, r, true);
  fputs("</figure>\n", out);
}

static void chart_lift(FILE *out, const ls_bt_report *r) {
  double max = 1, step;
  EACH for (int d = 0; d < LS_BT_DECILES; d++) max = fmax(max, RES->decile[d].lift);
  plot p = {56, 22, 784, 214, 0, LS_BT_DECILES, 0, 0};
  p.ymax = y_top(max, false, &step);
  fputs(
      "<h2 id=\"lift\">Lift by decile</h2>\n<p>Persons ranked by score at the cutoff, best first; "
      "lift is the decile&rsquo;s rate of reaching opportunity over the overall "
      "rate.</p>\n<figure>\n",
      out);
  svg_open(out, 800, 260, "Lift by decile for each model");
  svg_yaxis(out, &p, step, step < 1 ? 1 : 0, "lift");
  double gw = (p.x1 - p.x0) / LS_BT_DECILES, bw = r->nmodels ? gw * 0.8 / (double)r->nmodels : 0;
  for (int d = 0; d < LS_BT_DECILES; d++) {
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d%s</text>\n",
            p.x0 + (d + 0.5) * gw, p.y1 + 16, d + 1, d == 0 ? " (top)" : "");
    EACH {
      double v = fmax(RES->decile[d].lift, 0), y = py(&p, v);
      fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
              p.x0 + d * gw + gw * 0.1 + (double)i * bw, y, bw, p.y1 - y, colour(i));
      esc(out, r->models[i].path);
      fprintf(out, ": decile %d, lift %.2f</title></rect>\n", d + 1, RES->decile[d].lift);
    }
  }
  svg_seg(out, p.x0, py(&p, 1), p.x1, py(&p, 1), "#1f2933", "5 4"); /* no lift */
  fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">decile</text>\n</svg>\n",
          (p.x0 + p.x1) / 2, p.y1 + 34);
  legend(out, r, false);
  fputs("</figure>\n", out);
  EACH {
    model_h3(out, r, i);
    table_open(out,
               "<th>Decile</th><th>n</th><th>Positives</th><th>Rate</th><th>Score range</th>"
               "<th>Lift</th>");
    for (int d = 0; d < LS_BT_DECILES; d++) {
      const ls_bt_decile *x = &RES->decile[d];
      fprintf(out, "<tr><td>%d</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>", d + 1, x->n,
              x->positives);
      rate(out, (ls_bt_rate){x->positives, x->n});
      if (x->n)
        fprintf(out, "</td><td>%" PRId64 " .. %" PRId64 "</td><td>", x->min_score, x->max_score);
      else
        fputs("</td><td>&mdash;</td><td>", out);
      num(out, x->lift, 2, "");
      fputs("</td></tr>\n", out);
    }
    table_close(out);
  }
}

/* One small sweep chart: MQLs/week (which 0), or precision and recall (1). */
static void sweep_chart(FILE *out, const ls_bt_report *r, int which, double tmin, double tmax) {
  double max = 0, step = 0.2, xs[LS_BT_SWEEP_MAX], ys[LS_BT_SWEEP_MAX];
  EACH for (size_t k = 0; k < RES->nsweep && k < LS_BT_SWEEP_MAX; k++) {
    max = fmax(max, ls_bt_per_week(RES->sweep[k].mqls, RES->nweeks));
  }
  plot p = {52, 22, 464, 196, tmin, tmax, 0, 1};
  if (which == 0) p.ymax = y_top(max, false, &step);
  fputs("<figure>\n", out);
  fprintf(out, "<figcaption>%s</figcaption>\n",
          which ? "Precision (solid) and recall (dashed)" : "MQLs per week");
  svg_open(out, 480, 240,
           which ? "Precision and recall by threshold" : "MQLs per week by threshold");
  svg_yaxis(out, &p, step, which ? 1 : step < 1 ? 1 : 0, which ? "rate" : "MQLs/week");
  double xstep = nice_step(tmax - tmin, 5);
  svg_xaxis(out, &p, xstep < 1 ? 1 : xstep, 0, "threshold");
  EACH {
    size_t n = RES->nsweep < LS_BT_SWEEP_MAX ? RES->nsweep : LS_BT_SWEEP_MAX;
    for (int line = 0; line < (which ? 2 : 1); line++) {
      for (size_t k = 0; k < n; k++) {
        const ls_bt_sweep_row *s = &RES->sweep[k];
        double v = which == 0 ? ls_bt_per_week(s->mqls, RES->nweeks)
                              : ls_bt_ratio(line ? s->recall : s->precision);
        xs[k] = (double)s->threshold;
        ys[k] = isnan(v) ? 0 : v;
      }
      svg_line(out, &p, xs, ys, n, i, line ? "5 4" : NULL);
      for (size_t k = 0; k < n; k++) /* the recommended threshold, over the line */
        if (RES->has_recommended && RES->sweep[k].threshold == RES->recommended)
          fprintf(out,
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#fff\" stroke=\"%s\" "
                  "stroke-width=\"2\"/>\n",
                  px(&p, xs[k]), py(&p, ys[k]), colour(i));
    }
  }
  fputs("</svg>\n</figure>\n", out);
}

static void section_sweep(FILE *out, const ls_bt_report *r) {
  double tmin = INFINITY, tmax = -INFINITY;
  EACH for (size_t k = 0; k < RES->nsweep && k < LS_BT_SWEEP_MAX; k++) {
    tmin = fmin(tmin, (double)RES->sweep[k].threshold);
    tmax = fmax(tmax, (double)RES->sweep[k].threshold);
  }
  fputs("<h2 id=\"sweep\">Threshold sweep</h2>\n", out);
  if (tmin > tmax) {
    fputs("<p class=\"muted\">No thresholds were swept.</p>\n", out);
    return;
  }
  fputs("<p>Circles mark the recommended threshold of each model.</p>\n<div class=\"grid\">\n",
        out);
  sweep_chart(out, r, 0, tmin, tmax);
  sweep_chart(out, r, 1, tmin, tmax);
  fputs("</div>\n", out);
  legend(out, r, false);
  EACH {
    model_h3(out, r, i);
    table_open(out,
               "<th>Threshold</th><th>MQLs</th><th>MQLs/week</th><th>Precision</th><th>Recall</th>"
               "<th>F1</th>");
    for (size_t k = 0; k < RES->nsweep && k < LS_BT_SWEEP_MAX; k++) {
      const ls_bt_sweep_row *s = &RES->sweep[k];
      bool rec = RES->has_recommended && s->threshold == RES->recommended;
      fprintf(out, "<tr%s><td>%" PRId64 "%s</td><td>%" PRIu64 "</td><td>",
              rec ? " class=\"rec\"" : "", s->threshold,
              rec ? "<span class=\"badge\">recommended</span>" : "", s->mqls);
      num(out, ls_bt_per_week(s->mqls, RES->nweeks), 1, "");
      fputs("</td><td>", out);
      rate(out, s->precision);
      fputs("</td><td>", out);
      rate(out, s->recall);
      fputs("</td><td>", out);
      num(out, s->f1, 3, "");
      fputs("</td></tr>\n", out);
    }
    table_close(out);
  }
}

/* A label/count table (MQLs by grade or by cell) with each share of the MQLs. */
static void count_table(FILE *out, const char *what, const ls_bt_count *x, size_t n,
                        uint64_t total) {
  char head[96];
  snprintf(head, sizeof head, "<th>%s</th><th>MQLs</th><th>Share of MQLs</th>", what);
  fprintf(out, "<div><h4>MQLs by %s</h4>\n", what);
  table_open(out, head);
  for (size_t k = 0; k < n; k++) {
    fputs("<tr><td>", out);
    esc_n(out, x[k].label, sizeof x[k].label);
    fprintf(out, "</td><td>%" PRIu64 "</td><td>", x[k].n);
    num(out, total ? 100.0 * (double)x[k].n / (double)total : NAN, 1, "&nbsp;%");
    fputs("</td></tr>\n", out);
  }
  table_close(out);
  fputs("</div>\n", out);
}

static void section_stages(FILE *out, const ls_bt_report *r) {
  fputs("<h2 id=\"stages\">Stages</h2>\n<p>Entries into each stage per week.</p>\n", out);
  EACH {
    const ls_model *m = r->models[i].m;
    size_t nw = RES->nweeks, ns = RES->nstages;
    bool cut = nw > WEEKS_SHOWN;
    model_h3(out, r, i);
    if (ns && nw && RES->stage_week) {
      if (cut)
        fprintf(out,
                "<p class=\"muted\">The first and last %zu of %zu weeks; the total covers all of "
                "them.</p>\n",
                WEEKS_EDGE, nw);
      fputs("<div class=\"scroll\"><table>\n<thead><tr><th>Stage</th>", out);
      for (size_t w = 0; w < nw; w++) {
        char d[LS_TIME_FMT_MAX];
        if (cut && w == WEEKS_EDGE) fputs("<th>&hellip;</th>", out);
        if (cut && w >= WEEKS_EDGE && w < nw - WEEKS_EDGE) continue;
        fprintf(out, "<th>%s</th>", date_of(week_start(r->c, w), d));
      }
      fputs("<th>Total</th></tr></thead>\n<tbody>\n", out);
      for (size_t s = 0; s < ns; s++) {
        const char *name = m && s < ls_model_nstages(m) ? ls_model_stage_name(m, s) : NULL;
        uint64_t total = 0;
        fputs("<tr><th scope=\"row\">", out);
        if (name)
          esc(out, name);
        else
          fprintf(out, "stage %zu", s);
        fputs("</th>", out);
        for (size_t w = 0; w < nw; w++) {
          uint64_t v = RES->stage_week[s * nw + w];
          total += v;
          if (cut && w == WEEKS_EDGE) fputs("<td>&hellip;</td>", out);
          if (cut && w >= WEEKS_EDGE && w < nw - WEEKS_EDGE) continue;
          fprintf(out, v ? "<td>%" PRIu64 "</td>" : "<td class=\"muted\">%" PRIu64 "</td>", v);
        }
        fprintf(out, "<td><strong>%" PRIu64 "</strong></td></tr>\n", total);
      }
      table_close(out);
    }
    if ((RES->ngrade && RES->by_grade) || (RES->ncell && RES->by_cell)) {
      fputs("<div class=\"grid\">\n", out);
      if (RES->ngrade && RES->by_grade)
        count_table(out, "grade", RES->by_grade, RES->ngrade, RES->mqls);
      if (RES->ncell && RES->by_cell) count_table(out, "cell", RES->by_cell, RES->ncell, RES->mqls);
      fputs("</div>\n", out);
    }
  }
}

static void examples(FILE *out, const char *title, const ls_bt_example *x, size_t n) {
  if (n > LS_BT_EXAMPLES) n = LS_BT_EXAMPLES;
  if (!n) return;
  fprintf(out, "<div><h4>%s</h4>\n", title);
  table_open(out, "<th>Lead</th><th>Stage under A</th><th>Stage under B</th>");
  for (size_t k = 0; k < n; k++) {
    fputs("<tr><td><code>", out);
    esc_n(out, x[k].lead_id, sizeof x[k].lead_id);
    fputs("</code></td><td>", out);
    esc_n(out, x[k].stage_a, sizeof x[k].stage_a);
    fputs("</td><td>", out);
    esc_n(out, x[k].stage_b, sizeof x[k].stage_b);
    fputs("</td></tr>\n", out);
  }
  table_close(out);
  fputs("</div>\n", out);
}

static void section_diffs(FILE *out, const ls_bt_report *r) {
  fputs("<h2 id=\"diffs\">Differences</h2>\n", out);
  if (r->nmodels < 2 || !r->diffs) {
    fputs("<p class=\"muted\">Only one model: nothing to compare.</p>\n", out);
    return;
  }
  for (size_t k = 0; k + 1 < r->nmodels; k++) {
    const ls_bt_diff *d = &r->diffs[k];
    size_t b = d->b < r->nmodels ? d->b : k + 1;
    fputs("<h3>A: ", out);
    model_name(out, r, 0);
    fputs(" <span class=\"muted\">vs</span> B: ", out);
    model_name(out, r, b);
    fputs("</h3>\n", out);
    table_open(out,
               "<th>Persons under both</th><th>Final stage differs</th><th>MQL only under A</th>"
               "<th>MQL only under B</th>");
    fprintf(out,
            "<tr><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64
            "</td></tr>\n",
            d->compared, d->stage_differs, d->mql_only_a, d->mql_only_b);
    table_close(out);
    fputs("<div class=\"grid\">\n", out);
    examples(out, "Final stage differs", d->stage_ex, d->nstage_ex);
    examples(out, "MQL only under A", d->only_a_ex, d->nonly_a_ex);
    examples(out, "MQL only under B", d->only_b_ex, d->nonly_b_ex);
    fputs("</div>\n", out);
  }
}
static void section_predictive(FILE *out, const ls_bt_report *r) {
  const ls_bt_pred *p = r->pred;
  if (!p) return;
  char at[LS_TIME_FMT_MAX];
  ls_time_format(p->train_at, at);
  fputs("<h2 id=\"predictive\">Predictive score</h2>\n<p>Logistic regression on the features of ",
        out);
  model_name(out, r, 0);
  fprintf(out, " (rule counts, fit, scores, stage, recency), learned from the persons identified at "
               "%s (the cutoff minus the horizon) and the opportunities up to the cutoff; "
               "evaluated at the cutoff on the persons the rule score is ranked on.</p>\n",
          at);
  table_open(out, "<th>Rows</th><th>Persons</th><th>Reached opportunity</th><th>ROC AUC</th>");
  fputs("<tr><td>Training</td>", out);
  fprintf(out, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>&mdash;</td></tr>\n", p->train.n,
          p->train.k);
  fprintf(out, "<tr><td>Evaluation</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>", p->eval.n,
          p->eval.k);
  num(out, p->auc, 3, "");
  fputs(" <span class=\"muted\">(rule score ", out);
  num(out, r->models[0].res->auc, 3, "");
  fputs(")</span></td></tr>\n", out);
  table_close(out);
  if (r->pred_status) {
    fputs("<p class=\"muted\">Not trained: the training persons hold one outcome only.</p>\n", out);
    return;
  }
  fputs("<h3>Top features</h3>\n", out);
  table_open(out, "<th>Feature</th><th>Weight per SD</th><th>Odds ratio per SD</th>");
  for (size_t j = 0; j < p->w.n && j < 10; j++) {
    fputs("<tr><td><code>", out);
    esc(out, p->w.name[j]);
    fprintf(out, "</code></td><td>%+.3f</td><td>%.2f</td></tr>\n", p->w.weight[j],
            exp(p->w.weight[j]));
  }
  table_close(out);
}
#undef EACH
#undef RES

int ls_bt_write_html(const ls_bt_report *r, FILE *out) {
  fprintf(out,
          "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>leadscore backtest</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n",
          CSS);
  section_head(out, r);
  if (r->nmodels) {
    section_summary(out, r);
    chart_weeks(out, r);
    chart_roc(out, r);
    chart_lift(out, r);
    section_sweep(out, r);
    section_stages(out, r);
    section_diffs(out, r);
    section_predictive(out, r);
  } else {
    fputs("<p class=\"muted\">No model was backtested.</p>\n", out);
  }
  fprintf(
      out,
      "<footer>\n<p>An MQL converts when the person reaches opportunity within the horizon after "
      "its first MQL in the window; recall is the share of persons reaching opportunity in the "
      "window who were MQL before; the ranking population is the persons identified at the "
      "cutoff and not yet opportunities; the label is reaching opportunity within the horizon "
      "after the cutoff; rates over fewer than %d cases are marked "
      "<span class=\"warn\">&#9888;</span>.</p>\n</footer>\n</main>\n</body>\n</html>\n",
      (int)LS_BT_MIN_N);
  return ferror(out) ? LS_EIO : LS_OK;
}
