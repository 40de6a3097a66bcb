/* leadscore report --format html: the monthly review as one self-contained
 * HTML5 page (inline CSS, no script, no external request of any kind), a
 * table per section, progress as bars of inline widths. Every text that
 * comes from data is escaped; UTF-8 throughout, `lang` from --lang. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cli/month_report.h"

#define W(w) ls_month_word_in(v->lang, (w))

static const char CSS[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:#f6f7f9;color:#1f2933;font:15px/1.45 system-ui,-apple-system,"
    "\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"Hiragino Sans\",\"Noto Sans JP\",sans-serif}\n"
    "main{max-width:1100px;margin:0 auto;padding:16px 20px 40px}p{margin:.4em 0}\n"
    "h1{font-size:1.7em;margin:.3em 0 .4em}h3{font-size:1.05em;margin:1.1em 0 .4em}\n"
    "h2{font-size:1.3em;margin:1.8em 0 .6em;padding-bottom:.2em;border-bottom:1px solid #d9dde3}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}\n"
    "dl.meta dt{color:#52606d}dl.meta dd{margin:0}.note,.muted{color:#52606d;font-size:.9em}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4em 0 1em}\n"
    "table{border-collapse:collapse;background:#fff;font-size:.9em}\n"
    "th,td{border:1px solid #d9dde3;padding:4px 9px;text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}\nth:first-child,td:first-child{text-align:left}\n"
    "thead th{background:#eef1f4;font-weight:600;vertical-align:bottom}\n"
    "td.lead{text-align:left;white-space:normal;overflow-wrap:anywhere}\n"
    ".bar{display:inline-block;width:110px;height:10px;background:#e4e7eb;border-radius:5px;"
    "overflow:hidden;vertical-align:middle;margin-right:6px}\n"
    ".bar span{display:block;height:100%;background:#d97706}.bar span.met{background:#059669}\n"
    ".yes{color:#047857;font-weight:600}.no{color:#b45309}\n"
    "footer{margin-top:2.5em;padding-top:.8em;border-top:1px solid #d9dde3;color:#52606d;"
    "font-size:.88em}\n";

static void esc(FILE *out, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '&': fputs("&amp;", out); break;
      case '<': fputs("&lt;", out); break;
      case '>': fputs("&gt;", out); break;
      case '"': fputs("&quot;", out); break;
      case '\'': fputs("&#39;", out); break;
      default: fputc(*s, out);
    }
  }
}

static const char *stage(const ls_month_view *v, size_t x) {
  return ls_model_stage_name(v->m, x);
}

/* <th>s escaped</th> for each of the words */
static void heads(FILE *out, const char *const *h, size_t n) {
  fputs("<div class=\"scroll\"><table>\n<thead><tr>", out);
  for (size_t i = 0; i < n; i++) {
    fputs("<th>", out);
    esc(out, h[i]);
    fputs("</th>", out);
  }
  fputs("</tr></thead>\n<tbody>\n", out);
}

static void table_close(FILE *out) { fputs("</tbody></table></div>\n", out); }

static void td(FILE *out, const char *s) {
  fputs("<td>", out);
  esc(out, s);
  fputs("</td>", out);
}

static void td_u(FILE *out, uint64_t x) { fprintf(out, "<td>%" PRIu64 "</td>", x); }

static void section(FILE *out, const char *title, const char *note) {
  fputs("<section>\n<h2>", out);
  esc(out, title);
  fputs("</h2>\n", out);
  if (note) {
    fputs("<p class=\"note\">", out);
    esc(out, note);
    fputs("</p>\n", out);
  }
}

static void head(const ls_month_view *v, FILE *out) {
  const ls_month_report *r = v->r;
  char mon[16], pmon[16], t[LS_TIME_FMT_MAX];
  ls_month_name(r, false, mon);
  ls_month_name(r, true, pmon);
  fprintf(out, "<h1>%s %s <span class=\"muted\">(UTC)</span></h1>\n<dl class=\"meta\">\n",
          W(W_TITLE), mon);
  fprintf(out, "<dt>%s</dt><dd>", W(W_STORE));
  esc(out, v->db);
  fprintf(out, "</dd>\n<dt>%s</dt><dd>", W(W_MODEL));
  esc(out, ls_model_name(v->m));
  fprintf(out, " (version %" PRId64 ")</dd>\n", v->model_version);
  if (r->has_clock) ls_time_format(r->clock, t);
  fprintf(out, "<dt>%s</dt><dd>%s</dd>\n", W(W_CLOCK), r->has_clock ? t : W(W_NO_CLOCK));
  ls_time_format(r->end, t);
  fprintf(out, "<dt>%s</dt><dd>%s: %s</dd>\n", W(W_PERSONS),
          W(r->current ? W_CURRENT : W_AT_END), t);
  fprintf(out, "<dt>%s</dt><dd>%s</dd>\n</dl>\n", W(W_PREV_MONTH), pmon);
}

static void kpis(const ls_month_view *v, FILE *out) {
  ls_month_kpi k[LS_MONTH_KPI_MAX];
  char names[512], pmon[16];
  size_t n = ls_month_kpis(v, k, names, sizeof names);
  ls_month_name(v->r, true, pmon);
  section(out, W(W_KPIS), v->r->ntargets ? NULL : W(W_NO_TARGETS));
  const char *h[] = {W(W_KPI), W(W_VALUE), W(W_GOAL), W(W_PROGRESS), W(W_MET), pmon, W(W_CHANGE)};
  heads(out, h, sizeof h / sizeof *h);
  for (size_t i = 0; i < n; i++) {
    char val[32], goal[40] = "-", prev[32], chg[32];
    ls_month_fmt(k[i].kind, k[i].cur.value, val, sizeof val);
    ls_month_fmt(k[i].kind, k[i].prev.value, prev, sizeof prev);
    ls_month_fmt_change(k[i].kind, k[i].cur.value, k[i].prev.value, chg, sizeof chg);
    fputs("<tr>", out);
    td(out, k[i].label);
    td(out, val);
    if (k[i].has_goal) {
      char g[32];
      ls_month_fmt(k[i].kind, k[i].cur.goal, g, sizeof g);
      snprintf(goal, sizeof goal, "%s%s", k[i].at_most ? "≤ " : "", g);
    }
    td(out, goal);
    double p = k[i].cur.progress;
    if (k[i].has_goal && !isnan(p))
      fprintf(out,
              "<td><span class=\"bar\"><span%s style=\"width:%.1f%%\"></span></span>%.1f%%</td>",
              k[i].cur.met ? " class=\"met\"" : "", p > 1 ? 100.0 : 100 * p, 100 * p);
    else
      fputs("<td>-</td>", out);
    if (k[i].has_goal && k[i].cur.has)
      fprintf(out, "<td class=\"%s\">%s</td>", k[i].cur.met ? "yes" : "no",
              W(k[i].cur.met ? W_YES : W_NO));
    else
      fputs("<td>-</td>", out);
    td(out, prev);
    td(out, chg);
    fputs("</tr>\n", out);
  }
  table_close(out);
  fputs("</section>\n", out);
}

static void md(FILE *out, double d) {
  if (isnan(d)) fputs("<td>-</td>", out);
  else fprintf(out, "<td>%.1f</td>", d);
}

static void funnel(const ls_month_view *v, FILE *out) {
  const ls_funnel *c = &v->r->cur, *p = &v->r->prev;
  size_t ns = c->nstages;
  char pmon[16], pe[48], pn[48], pm[48];
  ls_month_name(v->r, true, pmon);
  snprintf(pe, sizeof pe, "%s (%s)", W(W_ENTRIES), pmon);
  snprintf(pn, sizeof pn, "%s (%s)", W(W_NOW), pmon);
  snprintf(pm, sizeof pm, "%s (%s)", W(W_MEDIAN_DAYS), pmon);
  section(out, W(W_FUNNEL), NULL);
  const char *h[] = {W(W_STAGE), W(W_ENTRIES), pe, W(W_NOW), pn, W(W_LEFT), W(W_MEDIAN_DAYS), pm};
  heads(out, h, sizeof h / sizeof *h);
  for (size_t x = 0; x < ns; x++) {
    fputs("<tr>", out);
    td(out, stage(v, x));
    td_u(out, c->entries[x]);
    td_u(out, p->entries[x]);
    td_u(out, c->now[x]);
    td_u(out, p->now[x]);
    td_u(out, c->left[x]);
    md(out, c->median_days[x]);
    md(out, p->median_days[x]);
    fputs("</tr>\n", out);
  }
  fputs("<tr>", out);
  td(out, W(W_MQLS));
  td_u(out, c->mqls);
  td_u(out, p->mqls);
  fputs("<td></td><td></td><td></td><td></td><td></td></tr>\n", out);
  table_close(out);
  fputs("</section>\n", out);

  section(out, W(W_CONVERSION), W(W_CONVERSION_NOTE));
  const char *hc[] = {W(W_STAGE), W(W_CONVERSION), pmon};
  heads(out, hc, sizeof hc / sizeof *hc);
  for (size_t x = 0; x < ns; x++)
    for (size_t y = 0; y < ns; y++) {
      if (!c->reached[x * ns + y] && !p->reached[x * ns + y]) continue;
      char pair[96], a[16], b[16];
      snprintf(pair, sizeof pair, "%s → %s", stage(v, x), stage(v, y));
      ls_month_fmt(LS_KPI_CONVERSION, ls_funnel_rate(c, x, y), a, sizeof a);
      ls_month_fmt(LS_KPI_CONVERSION, ls_funnel_rate(p, x, y), b, sizeof b);
      fputs("<tr>", out);
      td(out, pair);
      fprintf(out, "<td>%s <span class=\"muted\">(%" PRIu64 "/%" PRIu64 ")</span></td>", a,
              c->reached[x * ns + y], c->entries[x]);
      fprintf(out, "<td>%s <span class=\"muted\">(%" PRIu64 "/%" PRIu64 ")</span></td>", b,
              p->reached[x * ns + y], p->entries[x]);
      fputs("</tr>\n", out);
    }
  table_close(out);
  fputs("</section>\n", out);

  section(out, W(W_WEEKLY), W(W_WEEKLY_NOTE));
  fputs("<div class=\"scroll\"><table>\n<thead><tr>", out);
  fprintf(out, "<th>%s</th>", W(W_WEEK));
  for (size_t x = 0; x < ns; x++) {
    fputs("<th>", out);
    esc(out, stage(v, x));
    fputs("</th>", out);
  }
  fputs("</tr></thead>\n<tbody>\n", out);
  for (size_t w = 0; w < c->nweeks; w++) {
    char t[LS_TIME_FMT_MAX];
    ls_time_format(c->week[w], t);
    t[10] = '\0';
    fprintf(out, "<tr><td>%s</td>", t);
    for (size_t x = 0; x < ns; x++) td_u(out, c->weekly[w * ns + x]);
    fputs("</tr>\n", out);
  }
  table_close(out);
  fputs("</section>\n", out);
}

static void movers(const ls_month_view *v, FILE *out) {
  const ls_month_report *r = v->r;
  section(out, W(W_MOVERS), W(W_MOVERS_NOTE));
  for (int dir = 0; dir < 2; dir++) {
    const ls_mover *mv = dir ? r->down : r->up;
    size_t n = dir ? r->ndown : r->nup;
    fprintf(out, "<h3>%s</h3>\n", W(dir ? W_DOWN : W_UP));
    if (!n) {
      fprintf(out, "<p class=\"muted\">%s</p>\n", W(W_NONE));
      continue;
    }
    const char *h[] = {"#", W(W_LEAD), W(W_START), W(W_END), W(W_DELTA), W(W_STAGE)};
    heads(out, h, sizeof h / sizeof *h);
    for (size_t i = 0; i < n; i++) {
      fprintf(out, "<tr><td>%zu</td><td class=\"lead\">", i + 1);
      esc(out, mv[i].lead_id);
      fprintf(out, "</td><td>%" PRId64 "%s%s%s</td><td>%" PRId64 "</td><td>%+" PRId64 "</td>",
              mv[i].start, mv[i].is_new ? " <span class=\"muted\">(" : "",
              mv[i].is_new ? W(W_NEW) : "", mv[i].is_new ? ")</span>" : "", mv[i].end,
              mv[i].end - mv[i].start);
      td(out, stage(v, mv[i].stage));
      fputs("</tr>\n", out);
    }
    table_close(out);
  }
  fputs("</section>\n", out);
}

static void sla_row(const ls_month_view *v, FILE *out, const char *owner, const ls_wf_sla *s,
                    bool total) {
  fputs(total ? "<tr style=\"font-weight:600\">" : "<tr>", out);
  td(out, owner[0] ? owner : W(W_NO_OWNER));
  td_u(out, s->due);
  td_u(out, s->on_time);
  td_u(out, s->late);
  td_u(out, s->overdue_now);
  if (s->on_time + s->late) {
    double p = (double)s->on_time / (double)(s->on_time + s->late);
    fprintf(out,
            "<td><span class=\"bar\"><span class=\"met\" style=\"width:%.1f%%\"></span></span>"
            "%.1f%%</td>",
            100 * p, 100 * p);
  } else {
    fputs("<td>-</td>", out);
  }
  td_u(out, s->stage_breaches);
  fputs("</tr>\n", out);
}

static void sla(const ls_month_view *v, FILE *out) {
  const ls_month_report *r = v->r;
  section(out, W(W_SLA), W(W_SLA_NOTE));
  const char *h[] = {W(W_OWNER),   W(W_DUE),          W(W_ON_TIME), W(W_LATE),
                     W(W_OVERDUE), W(W_ON_TIME_SHARE), W(W_BREACHES)};
  heads(out, h, sizeof h / sizeof *h);
  for (size_t i = 0; i < r->nsla; i++) sla_row(v, out, r->sla[i].owner, &r->sla[i], false);
  sla_row(v, out, W(W_TOTAL), &r->sla_total, true);
  table_close(out);
  fputs("</section>\n", out);
}

int ls_month_write_html(const ls_month_view *v, FILE *out) {
  char mon[16];
  ls_month_name(v->r, false, mon);
  fprintf(out,
          "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>%s %s</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n",
          v->lang && !strcmp(v->lang, "ja") ? "ja" : "en", W(W_TITLE), mon, CSS);
  head(v, out);
  kpis(v, out);
  funnel(v, out);
  movers(v, out);
  sla(v, out);
  fputs("<footer>\n<p>leadscore report — docs/funnel.md</p>\n</footer>\n</main>\n</body>\n"
        "</html>\n",
        out);
  return ferror(out) ? LS_EIO : LS_OK;
}
