/* GET /v1/funnel (persons per stage now, entries per week, conversions,
 * median days, the model's targets against them) and GET
 * /v1/reports/month (the monthly review: leadscore report as JSON). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include "server/internal.h"

static const char *arg(struct MHD_Connection *c, const char *k) {
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

static ls_time at_of(void *ud, ls_store *st) { return ls__read_time(ud, st); }

/* "YYYY-MM" -> year, month; false when it is not one. */
static bool month_parse(const char *s, int *y, int *mo) {
  char tail;
  return s && strlen(s) == 7 && s[4] == '-' && sscanf(s, "%4d-%2d%c", y, mo, &tail) == 2 &&
         *y >= 1 && *mo >= 1 && *mo <= 12;
}

static ls_time month_start(int y, int mo) {
  char b[32];
  if (mo > 12) y++, mo = 1;
  snprintf(b, sizeof b, "%04d-%02d-01T00:00:00Z", y, mo);
  ls_time t = {0, 0};
  ls_time_parse(b, strlen(b), &t);
  return t;
}

/* "YYYY-MM-DD" (a day's start, UTC) */
static bool day_parse(const char *s, ls_time *t) {
  char b[32];
  if (!s || strlen(s) != 10) return false;
  snprintf(b, sizeof b, "%sT00:00:00Z", s);
  return ls_time_parse(b, strlen(b), t) == LS_OK;
}

static int put_time(ls_buf *b, const char *key, ls_time t) {
  char ts[LS_TIME_FMT_MAX];
  return ls_buf_appendf(b, "\"%s\":\"%.*s\"", key, (int)ls_time_format(t, ts), ts);
}

static int put_num(ls_buf *b, double v) {
  return isfinite(v) ? ls_buf_appendf(b, "%.10g", v) : ls_buf_append(b, "null", 4);
}

static int put_stage(ls_buf *b, const ls_model *m, int32_t s) {
  return s >= 0 ? ls__json_cstr(b, ls_model_stage_name(m, (size_t)s)) : ls_buf_append(b, "null", 4);
}

static const char *const kinds[] = {"mqls", "entries", "conversion", "median_days"};

/* "id":…,"kind":…,"label":…,"label_ja":…,"at_most":…,"stage":…,"from":…,"to":…,"target":… */
static int target_members(ls_buf *b, const ls_model *m, size_t i) {
  const ls_target *t = ls_model_target(m, i);
  int rc = ls_buf_append(b, "\"id\":", 5);
  if (!rc) rc = ls__json_cstr(b, t->id);
  if (!rc) rc = ls_buf_appendf(b, ",\"kind\":\"%s\",\"label\":", kinds[t->kind & 3]);
  if (!rc) rc = ls__json_cstr(b, ls_model_target_label(m, i, "en"));
  if (!rc) rc = ls_buf_append(b, ",\"label_ja\":", 12);
  if (!rc) rc = ls__json_cstr(b, ls_model_target_label(m, i, "ja"));
  if (!rc) rc = ls_buf_appendf(b, ",\"at_most\":%s,\"stage\":", t->at_most ? "true" : "false");
  if (!rc) rc = put_stage(b, m, t->stage);
  if (!rc) rc = ls_buf_append(b, ",\"from\":", 8);
  if (!rc) rc = put_stage(b, m, t->from);
  if (!rc) rc = ls_buf_append(b, ",\"to\":", 6);
  if (!rc) rc = put_stage(b, m, t->to);
  if (!rc) rc = ls_buf_append(b, ",\"target\":", 10);
  return rc ? rc : put_num(b, t->value);
}

int ls__json_targets(ls_buf *b, const ls_model *m) {
  int rc = ls_buf_append(b, "[", 1);
  for (size_t i = 0; !rc && i < ls_model_ntargets(m); i++) {
    if (i) rc = ls_buf_append(b, ",", 1);
    if (!rc) rc = ls_buf_append(b, "{", 1);
    if (!rc) rc = target_members(b, m, i);
    if (!rc) rc = ls_buf_append(b, "}", 1);
  }
  return rc ? rc : ls_buf_append(b, "]", 1);
}

/* One KPI: the target's members, then goal/value/has/progress/met, and
 * prev_value when prev is given. */
static int kpi_json(ls_buf *b, const ls_model *m, const ls_kpi *k, const ls_kpi *prev) {
  int rc = ls_buf_append(b, "{", 1);
  if (!rc) rc = target_members(b, m, k->target);
  if (!rc) rc = ls_buf_append(b, ",\"goal\":", 8);
  if (!rc) rc = put_num(b, k->goal);
  if (!rc) rc = ls_buf_append(b, ",\"value\":", 9);
  if (!rc) rc = put_num(b, k->has ? k->value : NAN);
  if (!rc && prev) rc = ls_buf_append(b, ",\"prev_value\":", 14);
  if (!rc && prev) rc = put_num(b, prev->has ? prev->value : NAN);
  if (!rc) rc = ls_buf_appendf(b, ",\"has\":%s,\"progress\":", k->has ? "true" : "false");
  if (!rc) rc = put_num(b, k->progress);
  if (!rc) rc = ls_buf_appendf(b, ",\"met\":%s}", k->met ? "true" : "false");
  return rc;
}

/* A funnel as JSON (the object /v1/funnel answers, kpis included). */
static int funnel_json(ls_buf *b, const ls_model *m, const ls_funnel *f, const ls_kpi *k,
                       const char *month) {
  size_t ns = f->nstages;
  int rc = ls_buf_append(b, "{", 1);
  if (!rc) rc = put_time(b, "from", f->from);
  if (!rc) rc = ls_buf_append(b, ",", 1);
  if (!rc) rc = put_time(b, "to", f->to);
  if (!rc) rc = month ? ls_buf_appendf(b, ",\"month\":\"%s\"", month)
                      : ls_buf_append(b, ",\"month\":null", 13);
  if (!rc) rc = ls_buf_append(b, ",\"stages\":[", 11);
  for (size_t s = 0; !rc && s < ns; s++) {
    rc = ls_buf_appendf(b, "%s{\"name\":", s ? "," : "");
    if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, s));
    if (!rc) rc = ls_buf_appendf(b, ",\"mql\":%s,\"now\":%" PRIu64 ",\"entries\":%" PRIu64
                                 ",\"left\":%" PRIu64 ",\"median_days\":",
                                 ls_model_stage_mql(m, s) ? "true" : "false", f->now[s],
                                 f->entries[s], f->left[s]);
    if (!rc) rc = put_num(b, f->median_days[s]);
    if (!rc) rc = ls_buf_append(b, "}", 1);
  }
  if (!rc) rc = ls_buf_appendf(b, "],\"mqls\":%" PRIu64 ",\"weeks\":[", f->mqls);
  for (size_t w = 0; !rc && w < f->nweeks; w++) {
    rc = ls_buf_append(b, w ? ",{" : "{", w ? 2 : 1);
    if (!rc) rc = put_time(b, "start", f->week[w]);
    if (!rc) rc = ls_buf_append(b, ",\"entries\":{", 12);
    for (size_t s = 0; !rc && s < ns; s++) {
      if (s) rc = ls_buf_append(b, ",", 1);
      if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, s));
      if (!rc) rc = ls_buf_appendf(b, ":%" PRIu64, f->weekly[w * ns + s]);
    }
    if (!rc) rc = ls_buf_append(b, "}}", 2);
  }
  if (!rc) rc = ls_buf_append(b, "],\"conversions\":[", 17);
  bool first = true;
  for (size_t x = 0; !rc && x < ns; x++)
    for (size_t y = 0; !rc && y < ns; y++) {
      if (x == y || !f->reached[x * ns + y]) continue;
      rc = ls_buf_append(b, first ? "{\"from\":" : ",{\"from\":", first ? 8 : 9);
      first = false;
      if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, x));
      if (!rc) rc = ls_buf_append(b, ",\"to\":", 6);
      if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, y));
      if (!rc) rc = ls_buf_appendf(b, ",\"entries\":%" PRIu64 ",\"reached\":%" PRIu64 ",\"rate\":",
                                   f->entries[x], f->reached[x * ns + y]);
      if (!rc) rc = put_num(b, ls_funnel_rate(f, x, y));
      if (!rc) rc = ls_buf_append(b, "}", 1);
    }
  if (!rc) rc = ls_buf_append(b, "],\"kpis\":[", 10);
  for (size_t i = 0; !rc && i < ls_model_ntargets(m); i++) {
    if (i) rc = ls_buf_append(b, ",", 1);
    if (!rc) rc = kpi_json(b, m, &k[i], NULL);
  }
  return rc ? rc : ls_buf_append(b, "]}", 2);
}

/* The period of ?month= / ?from=&to= (default: the calendar month of the
 * read time: what happened in it so far); a 400 message in bad. */
static bool period(struct MHD_Connection *c, ls_time at, ls_time *from, ls_time *to,
                   char *month, char *bad) {
  const char *ms = arg(c, "month"), *fs = arg(c, "from"), *ts = arg(c, "to");
  int y, mo;
  month[0] = 0;
  if (ms && (fs || ts)) return snprintf(bad, 128, "give month or from/to, not both"), false;
  if (ms) {
    if (!month_parse(ms, &y, &mo)) return snprintf(bad, 128, "month: YYYY-MM, not \"%.20s\"", ms), false;
    *from = month_start(y, mo), *to = month_start(y, mo + 1);
    snprintf(month, 32, "%04d-%02d", y, mo);
    return true;
  }
  if (fs || ts) {
    if (!day_parse(fs, from) || !day_parse(ts, to))
      return snprintf(bad, 128, "from and to: YYYY-MM-DD, both"), false;
    *to = ls_time_add(*to, 86400); /* to: the last day, included */
    if (ls_time_cmp(*to, *from) <= 0) return snprintf(bad, 128, "to is before from"), false;
    return true;
  }
  char t[LS_TIME_FMT_MAX]; /* this calendar month, so far */
  ls_time_format(at, t);
  sscanf(t, "%4d-%2d", &y, &mo);
  *from = month_start(y, mo), *to = month_start(y, mo + 1);
  snprintf(month, 32, "%04d-%02d", y, mo);
  return true;
}

enum MHD_Result ls__route_funnel(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  const ls_model *m = ls_store_model(st);
  size_t ns = ls_model_nstages(m);
  uint64_t *now = calloc(ns ? ns : 1, sizeof *now);
  ls_time at = {0, 0}, from, to;
  char month[32], bad[128] = "";
  /* persons per stage from the leads index (a GROUP BY over every person
   * row would cost a pass over the store) */
  int rc = now ? ls__lindex_stage_counts(r->srv->lindex, st, at_of, r->srv, now, ns, &at)
               : LS_ENOMEM;
  bool ok = !rc && period(c, at, &from, &to, month, bad);
  ls_funnel f;
  memset(&f, 0, sizeof f);
  ls_kpi *k = NULL;
  ls_buf b = {0};
  if (ok) rc = ls__slog_funnel(r->srv->slog, st, from, to, now, &f);
  size_t nt = ls_model_ntargets(m);
  if (ok && !rc && !(k = calloc(nt ? nt : 1, sizeof *k))) rc = LS_ENOMEM;
  if (ok && !rc) {
    ls_funnel_kpis(m, &f, k);
    rc = funnel_json(&b, m, &f, k, month[0] && !arg(c, "from") ? month : NULL);
    if (!rc) b.len--; /* the closing brace: the read time goes in too */
    if (!rc) rc = ls_buf_append(&b, ",", 1);
    if (!rc) rc = put_time(&b, "as_of", at);
    if (!rc) rc = ls_buf_append(&b, "}", 1);
  }
  if (ok && !rc) rc = ls_buf_append(&b, "\n", 1);
  ls__reader_put(r->srv, st);
  free(now);
  free(k);
  ls_funnel_free(&f);
  if (!rc && !ok) return ls__error(c, r, 400, "%s", bad);
  return ls__respond_json(c, r, rc, &b);
}

/* ---- the monthly review ---- */

static int sla_members(ls_buf *b, const ls_wf_sla *s) {
  double share = s->due ? (double)s->on_time / (double)s->due : NAN;
  int rc = ls_buf_appendf(b, "\"due\":%" PRIu64 ",\"on_time\":%" PRIu64 ",\"late\":%" PRIu64
                          ",\"overdue_now\":%" PRIu64 ",\"stage_breaches\":%" PRIu64
                          ",\"share_on_time\":",
                          s->due, s->on_time, s->late, s->overdue_now, s->stage_breaches);
  return rc ? rc : put_num(b, share);
}

static int movers_json(ls_buf *b, const ls_model *m, const ls_mover *v, size_t n) {
  int rc = ls_buf_append(b, "[", 1);
  for (size_t i = 0; !rc && i < n; i++) {
    rc = ls_buf_append(b, i ? ",{\"lead_id\":" : "{\"lead_id\":", i ? 12 : 11);
    if (!rc) rc = ls__json_cstr(b, v[i].lead_id);
    if (!rc) rc = ls_buf_appendf(b, ",\"start\":%" PRId64 ",\"end\":%" PRId64 ",\"new\":%s,\"stage\":",
                                 v[i].start, v[i].end, v[i].is_new ? "true" : "false");
    if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, v[i].stage));
    if (!rc) rc = ls_buf_append(b, "}", 1);
  }
  return rc ? rc : ls_buf_append(b, "]", 1);
}

static int report_json(ls_buf *b, const ls_model *m, const ls_month_report *r) {
  char mo[32], pm[32];
  snprintf(mo, sizeof mo, "%04d-%02d", r->year % 10000, r->month % 100);
  snprintf(pm, sizeof pm, "%04d-%02d", (r->month == 1 ? r->year - 1 : r->year) % 10000,
           r->month == 1 ? 12 : r->month - 1);
  int rc = ls_buf_appendf(b, "{\"month\":\"%s\",\"current\":%s,\"cur\":", mo,
                          r->current ? "true" : "false");
  if (!rc) rc = funnel_json(b, m, &r->cur, r->kpi_cur, mo);
  if (!rc) rc = ls_buf_append(b, ",\"prev\":", 8);
  if (!rc) rc = funnel_json(b, m, &r->prev, r->kpi_prev, pm);
  if (!rc) rc = ls_buf_append(b, ",\"kpis\":[", 9);
  for (size_t i = 0; !rc && i < r->ntargets; i++) {
    if (i) rc = ls_buf_append(b, ",", 1);
    if (!rc) rc = kpi_json(b, m, &r->kpi_cur[i], &r->kpi_prev[i]);
  }
  if (!rc) rc = ls_buf_appendf(b, "],\"persons_start\":%" PRIu64 ",\"persons_end\":%" PRIu64
                               ",\"movers\":{\"up\":", r->persons_start, r->persons_end);
  if (!rc) rc = movers_json(b, m, r->up, r->nup);
  if (!rc) rc = ls_buf_append(b, ",\"down\":", 8);
  if (!rc) rc = movers_json(b, m, r->down, r->ndown);
  if (!rc) rc = ls_buf_append(b, "},\"sla\":{", 9);
  if (!rc) rc = sla_members(b, &r->sla_total);
  if (!rc) rc = ls_buf_append(b, ",\"owners\":[", 11);
  for (size_t i = 0; !rc && i < r->nsla; i++) {
    rc = ls_buf_append(b, i ? ",{\"owner\":" : "{\"owner\":", i ? 10 : 9);
    if (!rc) rc = ls__json_cstr(b, r->sla[i].owner);
    if (!rc) rc = ls_buf_append(b, ",", 1);
    if (!rc) rc = sla_members(b, &r->sla[i]);
    if (!rc) rc = ls_buf_append(b, "}", 1);
  }
  return rc ? rc : ls_buf_append(b, "]}}\n", 4);
}

/* The review of y-mo as JSON into *b: from the server's last answers when
 * nothing was written since, else computed (one at a time) and kept. The
 * count of writes is read before the store: a write during the
 * computation leaves an entry that the next asker does not take. */
static int month_cached(ls_server *srv, ls_store *st, int y, int mo, ls_buf *b) {
  const size_t nc = sizeof srv->months / sizeof *srv->months;
  pthread_mutex_lock(&srv->mmu);
  uint64_t w = atomic_load(&srv->writes);
  for (size_t i = 0; i < nc; i++) {
    struct ls__month_cached *e = &srv->months[i];
    if (e->json.len && e->y == y && e->mo == mo && e->writes == w) {
      int rc = ls_buf_append(b, e->json.p, e->json.len);
      pthread_mutex_unlock(&srv->mmu);
      return rc;
    }
  }
  ls_month_report rep;
  memset(&rep, 0, sizeof rep);
  int rc = ls_store_month_report(st, y, mo, &rep);
  if (!rc) rc = report_json(b, ls_store_model(st), &rep);
  ls_month_report_free(&rep);
#ifdef __GLIBC__
  malloc_trim(0); /* the replays' gigabytes at a million persons: give them back */
#endif
  struct ls__month_cached *e = &srv->months[srv->nextmonth++ % nc];
  e->json.len = 0;
  if (!rc && !ls_buf_append(&e->json, b->p, b->len)) {
    e->y = y;
    e->mo = mo;
    e->writes = w;
  } else {
    e->json.len = 0;
  }
  pthread_mutex_unlock(&srv->mmu);
  return rc;
}

enum MHD_Result ls__route_month(struct MHD_Connection *c, ls__req *r) {
  const char *ms = arg(c, "month");
  int y = 0, mo = 0;
  if (ms && !month_parse(ms, &y, &mo))
    return ls__error(c, r, 400, "month: YYYY-MM, not \"%.20s\"", ms);
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  if (!ms) { /* the month before the read time's */
    char t[LS_TIME_FMT_MAX];
    ls_time_format(ls__read_time(r->srv, st), t);
    sscanf(t, "%4d-%2d", &y, &mo);
    if (--mo == 0) mo = 12, y--;
  }
  ls_buf b = {0};
  int rc = month_cached(r->srv, st, y, mo, &b);
  ls__reader_put(r->srv, st);
  if (rc) {
    ls_buf_free(&b);
    return rc == LS_EINVAL ? ls__error(c, r, 400, "month: out of range")
                           : ls__error(c, r, 500, "%s", ls_strerror(rc));
  }
  return ls__respond(c, r, 200, "application/json", &b);
}
