/* leadscore report: the text and CSV renderings of the monthly review
 * (month_report.h). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cli/month_report.h"

#define W(w) ls_month_word_in(v->lang, (w))

static const char *stage(const ls_month_view *v, size_t x) {
  return ls_model_stage_name(v->m, x);
}

/* ---- text ---- */

/* The columns a terminal gives s: East Asian wide characters take two
 * (Japanese labels line up with English ones). */
static size_t width(const char *s) {
  size_t w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    unsigned cp = *p;
    int n = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
    if (n == 3 && p[1] && p[2]) cp = (cp & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    bool wide = n == 4 || (n == 3 && ((cp >= 0x1100 && cp <= 0x115F) ||
                                      (cp >= 0x2E80 && cp <= 0xA4CF) ||
                                      (cp >= 0xAC00 && cp <= 0xD7A3) ||
                                      (cp >= 0xF900 && cp <= 0xFAFF) ||
                                      (cp >= 0xFE30 && cp <= 0xFE4F) ||
                                      (cp >= 0xFF00 && cp <= 0xFF60) ||
                                      (cp >= 0xFFE0 && cp <= 0xFFE6)));
    w += wide ? 2 : 1;
    for (int k = 0; k < n && *p; k++) p++;
  }
  return w;
}

/* A cell of w columns after two spaces (one for the first cell), padded
 * on the right (left: true) or the left. */
static void cell(FILE *out, const char *s, size_t w, bool left) {
  size_t n = width(s), pad = n < w ? w - n : 0;
  if (!left) fprintf(out, "%*s", (int)pad, "");
  fputs(s, out);
  if (left) fprintf(out, "%*s", (int)pad, "");
}

static void c_u(FILE *out, uint64_t x, size_t w) {
  char b[24];
  snprintf(b, sizeof b, " %" PRIu64, x);
  cell(out, b, w + 1, false);
}

static void c_s(FILE *out, const char *s, size_t w) {
  fputc(' ', out);
  cell(out, s, w, false);
}

static void text_head(const ls_month_view *v, FILE *out) {
  const ls_month_report *r = v->r;
  char mon[16], pmon[16], t[LS_TIME_FMT_MAX];
  ls_month_name(r, false, mon);
  ls_month_name(r, true, pmon);
  fprintf(out, "%s %s (UTC)\n", W(W_TITLE), mon);
  fprintf(out, "%s %s, %s %s (version %" PRId64 "), ", W(W_STORE), v->db, W(W_MODEL),
          ls_model_name(v->m), v->model_version);
  if (r->has_clock) {
    ls_time_format(r->clock, t);
    fprintf(out, "%s %s\n", W(W_CLOCK), t);
  } else {
    fprintf(out, "%s\n", W(W_NO_CLOCK));
  }
  ls_time_format(r->end, t);
  fprintf(out, "%s (%s); %s %s\n", W(r->current ? W_CURRENT : W_AT_END), t, W(W_PREV_MONTH),
          pmon);
}

static void text_kpis(const ls_month_view *v, FILE *out) {
  ls_month_kpi k[LS_MONTH_KPI_MAX];
  char names[512], pmon[16];
  size_t n = ls_month_kpis(v, k, names, sizeof names);
  ls_month_name(v->r, true, pmon);
  fprintf(out, "\n%s\n", W(W_KPIS));
  if (!v->r->ntargets) fprintf(out, "  %s\n", W(W_NO_TARGETS));
  fputs("  ", out);
  cell(out, W(W_KPI), 30, true);
  c_s(out, W(W_VALUE), 9), c_s(out, W(W_GOAL), 10), c_s(out, W(W_PROGRESS), 9);
  c_s(out, W(W_MET), 5), c_s(out, pmon, 9), c_s(out, W(W_CHANGE), 9);
  fputc('\n', out);
  for (size_t i = 0; i < n; i++) {
    char val[32], goal[40] = "-", prog[32] = "-", prev[32], chg[32];
    ls_month_fmt(k[i].kind, k[i].cur.value, val, sizeof val);
    ls_month_fmt(k[i].kind, k[i].prev.value, prev, sizeof prev);
    ls_month_fmt_change(k[i].kind, k[i].cur.value, k[i].prev.value, chg, sizeof chg);
    if (k[i].has_goal) {
      char g[32];
      ls_month_fmt(k[i].kind, k[i].cur.goal, g, sizeof g);
      snprintf(goal, sizeof goal, "%s%s", k[i].at_most ? "<= " : "", g);
      if (!isnan(k[i].cur.progress)) snprintf(prog, sizeof prog, "%.1f%%", 100 * k[i].cur.progress);
    }
    fputs("  ", out);
    cell(out, k[i].label, 30, true);
    c_s(out, val, 9), c_s(out, goal, 10), c_s(out, prog, 9);
    c_s(out, k[i].has_goal && k[i].cur.has ? W(k[i].cur.met ? W_YES : W_NO) : "-", 5);
    c_s(out, prev, 9), c_s(out, chg, 9);
    fputc('\n', out);
  }
}

static void days(double d, char *buf, size_t cap) {
  if (isnan(d)) snprintf(buf, cap, "-");
  else snprintf(buf, cap, "%.1f", d);
}

static void text_funnel(const ls_month_view *v, FILE *out) {
  const ls_funnel *c = &v->r->cur, *p = &v->r->prev;
  char pmon[16];
  ls_month_name(v->r, true, pmon);
  fprintf(out, "\n%s\n  ", W(W_FUNNEL));
  cell(out, W(W_STAGE), 16, true);
  c_s(out, W(W_ENTRIES), 8), c_s(out, pmon, 8), c_s(out, W(W_NOW), 8), c_s(out, pmon, 8);
  c_s(out, W(W_LEFT), 7), c_s(out, W(W_MEDIAN_DAYS), 12), c_s(out, pmon, 8);
  fputc('\n', out);
  for (size_t x = 0; x < c->nstages; x++) {
    char md[16], pmd[16];
    days(c->median_days[x], md, sizeof md);
    days(p->median_days[x], pmd, sizeof pmd);
    fputs("  ", out);
    cell(out, stage(v, x), 16, true);
    c_u(out, c->entries[x], 8), c_u(out, p->entries[x], 8), c_u(out, c->now[x], 8);
    c_u(out, p->now[x], 8), c_u(out, c->left[x], 7), c_s(out, md, 12), c_s(out, pmd, 8);
    fputc('\n', out);
  }
  fputs("  ", out);
  cell(out, W(W_MQLS), 16, true);
  c_u(out, c->mqls, 8), c_u(out, p->mqls, 8);
  fputc('\n', out);
}

static void text_conversion(const ls_month_view *v, FILE *out) {
  const ls_funnel *c = &v->r->cur, *p = &v->r->prev;
  size_t ns = c->nstages, rows = 0;
  char pmon[16];
  ls_month_name(v->r, true, pmon);
  fprintf(out, "\n%s\n  %s\n", W(W_CONVERSION), W(W_CONVERSION_NOTE));
  for (size_t x = 0; x < ns; x++)
    for (size_t y = 0; y < ns; y++) {
      uint64_t k = c->reached[x * ns + y], pk = p->reached[x * ns + y];
      if (!k && !pk) continue;
      char pair[96], rate[64], prate[64], a[16], b[16];
      snprintf(pair, sizeof pair, "%s → %s", stage(v, x), stage(v, y));
      ls_month_fmt(LS_KPI_CONVERSION, ls_funnel_rate(c, x, y), a, sizeof a);
      ls_month_fmt(LS_KPI_CONVERSION, ls_funnel_rate(p, x, y), b, sizeof b);
      snprintf(rate, sizeof rate, "%s (%" PRIu64 "/%" PRIu64 ")", a, k, c->entries[x]);
      snprintf(prate, sizeof prate, "%s (%" PRIu64 "/%" PRIu64 ")", b, pk, p->entries[x]);
      fputs("  ", out);
      cell(out, pair, 30, true);
      c_s(out, rate, 16), fprintf(out, "   %s ", pmon), cell(out, prate, 16, false);
      fputc('\n', out);
      rows++;
    }
  if (!rows) fprintf(out, "  (%s)\n", W(W_NONE));
}

static void text_weekly(const ls_month_view *v, FILE *out) {
  const ls_funnel *c = &v->r->cur;
  fprintf(out, "\n%s\n  %s\n  ", W(W_WEEKLY), W(W_WEEKLY_NOTE));
  cell(out, W(W_WEEK), 10, true);
  for (size_t x = 0; x < c->nstages; x++) c_s(out, stage(v, x), 12);
  fputc('\n', out);
  for (size_t w = 0; w < c->nweeks; w++) {
    char t[LS_TIME_FMT_MAX];
    ls_time_format(c->week[w], t);
    t[10] = '\0';
    fprintf(out, "  %-10s", t);
    for (size_t x = 0; x < c->nstages; x++) c_u(out, c->weekly[w * c->nstages + x], 12);
    fputc('\n', out);
  }
}

static void text_movers(const ls_month_view *v, FILE *out) {
  const ls_month_report *r = v->r;
  fprintf(out, "\n%s (%s)\n  %s\n", W(W_MOVERS),
          ls_model_nscores(v->m) ? ls_model_score_name(v->m, 0) : "-", W(W_MOVERS_NOTE));
  for (int dir = 0; dir < 2; dir++) {
    const ls_mover *mv = dir ? r->down : r->up;
    size_t n = dir ? r->ndown : r->nup;
    fprintf(out, "  %s:%s\n", W(dir ? W_DOWN : W_UP), n ? "" : " -");
    if (!n) continue;
    fputs("  ", out);
    cell(out, "#", 3, false);
    c_s(out, W(W_START), 7), c_s(out, W(W_END), 7), c_s(out, W(W_DELTA), 7);
    fputs("  ", out);
    cell(out, W(W_STAGE), 20, true);
    fprintf(out, "%s\n", W(W_LEAD));
    for (size_t i = 0; i < n; i++) {
      char st[64];
      snprintf(st, sizeof st, "%s%s%s%s", stage(v, mv[i].stage), mv[i].is_new ? " (" : "",
               mv[i].is_new ? W(W_NEW) : "", mv[i].is_new ? ")" : "");
      fprintf(out, "  %3zu %7" PRId64 " %7" PRId64 " %+7" PRId64 "  ", i + 1, mv[i].start,
              mv[i].end, mv[i].end - mv[i].start);
      cell(out, st, 20, true);
      fprintf(out, "%s\n", mv[i].lead_id);
    }
  }
}

static void share(const ls_wf_sla *s, char *buf, size_t cap) {
  if (s->on_time + s->late)
    snprintf(buf, cap, "%.1f%%", 100.0 * (double)s->on_time / (double)(s->on_time + s->late));
  else
    snprintf(buf, cap, "-");
}

static void text_sla_row(const ls_month_view *v, FILE *out, const char *owner,
                         const ls_wf_sla *s) {
  char sh[16];
  share(s, sh, sizeof sh);
  fputs("  ", out);
  cell(out, owner[0] ? owner : W(W_NO_OWNER), 16, true);
  c_u(out, s->due, 8), c_u(out, s->on_time, 8), c_u(out, s->late, 6);
  c_u(out, s->overdue_now, 12), c_s(out, sh, 10), c_u(out, s->stage_breaches, 14);
  fputc('\n', out);
}

static void text_sla(const ls_month_view *v, FILE *out) {
  const ls_month_report *r = v->r;
  fprintf(out, "\n%s\n  %s\n  ", W(W_SLA), W(W_SLA_NOTE));
  cell(out, W(W_OWNER), 16, true);
  c_s(out, W(W_DUE), 8), c_s(out, W(W_ON_TIME), 8), c_s(out, W(W_LATE), 6);
  c_s(out, W(W_OVERDUE), 12), c_s(out, W(W_ON_TIME_SHARE), 10), c_s(out, W(W_BREACHES), 14);
  fputc('\n', out);
  for (size_t i = 0; i < r->nsla; i++) text_sla_row(v, out, r->sla[i].owner, &r->sla[i]);
  text_sla_row(v, out, W(W_TOTAL), &r->sla_total);
}

int ls_month_write_text(const ls_month_view *v, FILE *out) {
  text_head(v, out);
  text_kpis(v, out);
  text_funnel(v, out);
  text_conversion(v, out);
  text_weekly(v, out);
  text_movers(v, out);
  text_sla(v, out);
  return ferror(out) ? LS_EIO : LS_OK;
}

/* ---- CSV ---- */

/* Blocks of rows, one per section: a header row whose first cell is
 * "section", then rows whose first cell is the section's name; a blank
 * line between blocks. Text cells are formula-safe (ls_csv_safe_field). */
typedef struct csv {
  ls_buf b;
  int rc;
} csv;

static void put(csv *c, const char *s, size_t n) {
  if (!c->rc) c->rc = ls_buf_append(&c->b, s, n);
}
static void row(csv *c, const char *section) { put(c, section, strlen(section)); }
static void end(csv *c) { put(c, "\n", 1); }
static void text(csv *c, const char *s) {
  put(c, ",", 1);
  if (!c->rc && s) c->rc = ls_csv_safe_field(&c->b, s, strlen(s));
}
/* numbers as they are: no quoting, no apostrophe ("-6.5" is a number) */
static void num(csv *c, double x) {
  char buf[40] = ",";
  if (!isnan(x)) snprintf(buf, sizeof buf, ",%.6g", x);
  put(c, buf, strlen(buf));
}
static void u64(csv *c, uint64_t x) {
  char buf[24];
  put(c, buf, (size_t)snprintf(buf, sizeof buf, ",%" PRIu64, x));
}
static void i64(csv *c, int64_t x) {
  char buf[24];
  put(c, buf, (size_t)snprintf(buf, sizeof buf, ",%" PRId64, x));
}
static void header(csv *c, const char *cols) {
  if (c->b.len) end(c); /* the blank line between blocks */
  put(c, "section,", 8);
  put(c, cols, strlen(cols));
  end(c);
}

static void csv_meta(const ls_month_view *v, csv *c) {
  const ls_month_report *r = v->r;
  char t[LS_TIME_FMT_MAX], mon[16];
  header(c, "key,value");
  ls_month_name(r, false, mon);
  row(c, "meta"), text(c, "month"), text(c, mon), end(c);
  ls_month_name(r, true, mon);
  row(c, "meta"), text(c, "previous_month"), text(c, mon), end(c);
  ls_time_format(r->from, t);
  row(c, "meta"), text(c, "from"), text(c, t), end(c);
  ls_time_format(r->to, t);
  row(c, "meta"), text(c, "to"), text(c, t), end(c);
  if (r->has_clock) ls_time_format(r->clock, t);
  row(c, "meta"), text(c, "clock"), text(c, r->has_clock ? t : ""), end(c);
  ls_time_format(r->end, t);
  row(c, "meta"), text(c, "persons_at"), text(c, t), end(c);
  row(c, "meta"), text(c, "month_over"), text(c, r->current ? "false" : "true"), end(c);
  row(c, "meta"), text(c, "model"), text(c, ls_model_name(v->m)), end(c);
  row(c, "meta"), text(c, "model_version"), i64(c, v->model_version), end(c);
  row(c, "meta"), text(c, "mqls"), u64(c, r->cur.mqls), end(c);
  row(c, "meta"), text(c, "previous_mqls"), u64(c, r->prev.mqls), end(c);
  row(c, "meta"), text(c, "persons_start"), u64(c, r->persons_start), end(c);
  row(c, "meta"), text(c, "persons_end"), u64(c, r->persons_end), end(c);
}

static void csv_kpis(const ls_month_view *v, csv *c) {
  ls_month_kpi k[LS_MONTH_KPI_MAX];
  char names[512];
  size_t n = ls_month_kpis(v, k, names, sizeof names);
  static const char *const kinds[] = {"mqls", "entries", "conversion", "median_days"};
  header(c, "key,label,kind,direction,value,goal,progress,met,previous,change");
  for (size_t i = 0; i < n; i++) {
    row(c, "kpi"), text(c, k[i].key), text(c, k[i].label);
    text(c, k[i].kind >= 0 && k[i].kind < 4 ? kinds[k[i].kind] : "");
    text(c, !k[i].has_goal ? "" : k[i].at_most ? "at_most" : "at_least");
    num(c, k[i].cur.value), num(c, k[i].cur.goal), num(c, k[i].cur.progress);
    text(c, !k[i].has_goal || !k[i].cur.has ? "" : k[i].cur.met ? "true" : "false");
    num(c, k[i].prev.value), num(c, k[i].cur.value - k[i].prev.value);
    end(c);
  }
}

static void csv_funnel(const ls_month_view *v, csv *c) {
  const ls_funnel *f = &v->r->cur, *p = &v->r->prev;
  size_t ns = f->nstages;
  header(c, "stage,entries,previous_entries,persons,previous_persons,left,median_days,"
            "previous_median_days");
  for (size_t x = 0; x < ns; x++) {
    row(c, "funnel"), text(c, stage(v, x)), u64(c, f->entries[x]), u64(c, p->entries[x]);
    u64(c, f->now[x]), u64(c, p->now[x]), u64(c, f->left[x]);
    num(c, f->median_days[x]), num(c, p->median_days[x]), end(c);
  }
  header(c, "from,to,reached,entries,rate,previous_reached,previous_entries,previous_rate");
  for (size_t x = 0; x < ns; x++)
    for (size_t y = 0; y < ns; y++) {
      if (!f->reached[x * ns + y] && !p->reached[x * ns + y]) continue;
      row(c, "conversion"), text(c, stage(v, x)), text(c, stage(v, y));
      u64(c, f->reached[x * ns + y]), u64(c, f->entries[x]), num(c, ls_funnel_rate(f, x, y));
      u64(c, p->reached[x * ns + y]), u64(c, p->entries[x]), num(c, ls_funnel_rate(p, x, y));
      end(c);
    }
  header(c, "week,stage,entries");
  for (size_t w = 0; w < f->nweeks; w++)
    for (size_t x = 0; x < ns; x++) {
      char t[LS_TIME_FMT_MAX];
      ls_time_format(f->week[w], t);
      t[10] = '\0';
      row(c, "weekly"), text(c, t), text(c, stage(v, x)), u64(c, f->weekly[w * ns + x]), end(c);
    }
}

static void csv_rest(const ls_month_view *v, csv *c) {
  const ls_month_report *r = v->r;
  header(c, "direction,rank,lead_id,start,end,change,stage,new");
  for (int dir = 0; dir < 2; dir++) {
    const ls_mover *mv = dir ? r->down : r->up;
    size_t n = dir ? r->ndown : r->nup;
    for (size_t i = 0; i < n; i++) {
      row(c, "movers"), text(c, dir ? "down" : "up"), u64(c, i + 1), text(c, mv[i].lead_id);
      i64(c, mv[i].start), i64(c, mv[i].end), i64(c, mv[i].end - mv[i].start);
      text(c, stage(v, mv[i].stage)), text(c, mv[i].is_new ? "true" : "false"), end(c);
    }
  }
  header(c, "scope,owner,due,on_time,late,overdue_now,on_time_share,first_touches,"
            "median_first_touch_s,stage_breaches");
  for (size_t i = 0; i <= r->nsla; i++) {
    const ls_wf_sla *s = i < r->nsla ? &r->sla[i] : &r->sla_total;
    row(c, "sla"), text(c, i < r->nsla ? "owner" : "total"), text(c, s->owner ? s->owner : "");
    u64(c, s->due), u64(c, s->on_time), u64(c, s->late), u64(c, s->overdue_now);
    num(c, s->on_time + s->late ? (double)s->on_time / (double)(s->on_time + s->late) : NAN);
    u64(c, s->first_touches);
    if (i < r->nsla && s->first_touches) i64(c, s->median_first_touch_s);
    else text(c, "");
    u64(c, s->stage_breaches), end(c);
  }
}

int ls_month_write_csv(const ls_month_view *v, FILE *out) {
  csv c = {{0}, LS_OK};
  csv_meta(v, &c);
  csv_kpis(v, &c);
  csv_funnel(v, &c);
  csv_rest(v, &c);
  int rc = c.rc;
  if (!rc && c.b.len && fwrite(c.b.p, 1, c.b.len, out) != c.b.len) rc = LS_EIO;
  ls_buf_free(&c.b);
  return rc ? rc : ferror(out) ? LS_EIO : LS_OK;
}
