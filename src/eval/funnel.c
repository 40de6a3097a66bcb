/* The funnel (leadscore/funnel.h): entries, conversions and velocity over a
 * period from a list of stage changes. One sort of a copy of the changes
 * (none when they come sorted), then one walk per person; nothing is
 * allocated per change. */
#include "leadscore/funnel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY ((int64_t)86400)
#define WEEK (7 * DAY)
#define MEAN_MONTH_S (30.4375 * 86400.0) /* 365.25 / 12 days */

/* ---- time ---- */

static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The Monday 00:00 UTC on or before second `sec` (1970-01-01 was a
 * Thursday: day 0 is weekday 3 counting from Monday). */
static int64_t monday_of(int64_t sec) {
  int64_t day = floor_div(sec, DAY);
  int64_t dow = day - floor_div(day + 3, 7) * 7 + 3; /* (day + 3) mod 7, floored */
  return (day - dow) * DAY;
}

static double days_between(ls_time a, ls_time b) {
  return ((double)(b.sec - a.sec) + (double)(b.nsec - a.nsec) / 1e9) / 86400.0;
}

/* Is [from, to) exactly one calendar month (UTC)? Civil dates through the
 * RFC 3339 text: time.c keeps its calendar arithmetic to itself. */
static bool whole_month(ls_time from, ls_time to) {
  char a[LS_TIME_FMT_MAX], b[LS_TIME_FMT_MAX];
  int y, mo;
  if (from.nsec != 0 || ls_time_format(from, a) != 20 ||
      strcmp(a + 7, "-01T00:00:00Z") != 0 || sscanf(a, "%4d-%2d", &y, &mo) != 2)
    return false;
  if (++mo > 12) mo = 1, y++;
  if (y > 9999) return false;
  snprintf(b, sizeof b, "%04d-%02d-01T00:00:00Z", y, mo);
  ls_time next;
  return ls_time_parse(b, strlen(b), &next) == LS_OK && ls_time_cmp(to, next) == 0;
}

/* ---- the computation ---- */

int ls_funnel_change_cmp(const ls_funnel_change *a, const ls_funnel_change *b) {
  if (a->person != b->person) return a->person < b->person ? -1 : 1;
  int c = ls_time_cmp(a->time, b->time);
  if (c) return c;
  return (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_change(const void *pa, const void *pb) { return ls_funnel_change_cmp(pa, pb); }

void ls_funnel_sort(ls_funnel_change *v, size_t n) {
  if (n > 1) qsort(v, n, sizeof *v, cmp_change);
}

static bool is_sorted(const ls_funnel_change *v, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (ls_funnel_change_cmp(&v[i - 1], &v[i]) > 0) return false;
  return true;
}

typedef struct stay {
  uint16_t stage;
  double days;
} stay;

static int cmp_stay(const void *pa, const void *pb) {
  const stay *a = pa, *b = pb;
  if (a->stage != b->stage) return a->stage < b->stage ? -1 : 1;
  return (a->days > b->days) - (a->days < b->days);
}

/* calloc of a * b elements of `size` bytes, NULL on overflow */
static void *alloc(size_t a, size_t b, size_t size) {
  if (b && a > SIZE_MAX / b) return NULL;
  size_t n = a * b;
  return calloc(n ? n : 1, size);
}

void ls_funnel_free(ls_funnel *f) {
  if (!f) return;
  free(f->now);
  free(f->entries);
  free(f->week);
  free(f->weekly);
  free(f->reached);
  free(f->left);
  free(f->median_days);
  memset(f, 0, sizeof *f);
}

static bool in_period(ls_time t, ls_time from, ls_time to) {
  return ls_time_cmp(t, from) >= 0 && ls_time_cmp(t, to) < 0;
}

/* One person's changes c[0..k), sorted: the entries in the period, what
 * each reached before the next entry into the same stage, and how long it
 * stayed. seen[] holds a stamp per stage, so that a stage reached twice
 * after one entry counts once; *stamp goes up per entry. */
static void walk_person(ls_funnel *f, const ls_funnel_change *c, size_t k, size_t *seen,
                        size_t *stamp, stay *stays, size_t *nstays) {
  size_t ns = f->nstages;
  for (size_t i = 0; i < k; i++) {
    if (!in_period(c[i].time, f->from, f->to)) continue;
    size_t x = c[i].to;
    f->entries[x]++;
    if (c[i].mql) f->mqls++;
    size_t w = (size_t)((monday_of(c[i].time.sec) - f->week[0].sec) / WEEK);
    f->weekly[w * ns + x]++;
    if (i + 1 < k) { /* the next change leaves x */
      f->left[x]++;
      stays[(*nstays)++] = (stay){(uint16_t)x, days_between(c[i].time, c[i + 1].time)};
    }
    ++*stamp;
    for (size_t j = i + 1; j < k && c[j].to != x; j++) {
      if (seen[c[j].to] == *stamp) continue;
      seen[c[j].to] = *stamp;
      f->reached[x * ns + c[j].to]++;
    }
  }
}

static void medians(ls_funnel *f, stay *stays, size_t n) {
  for (size_t x = 0; x < f->nstages; x++) f->median_days[x] = NAN;
  if (n) qsort(stays, n, sizeof *stays, cmp_stay);
  for (size_t lo = 0, hi; lo < n; lo = hi) {
    for (hi = lo; hi < n && stays[hi].stage == stays[lo].stage; hi++) {
    }
    size_t m = hi - lo, mid = lo + m / 2;
    f->median_days[stays[lo].stage] =
        m % 2 ? stays[mid].days : (stays[mid - 1].days + stays[mid].days) / 2;
  }
}

int ls_funnel_compute(const ls_model *m, ls_time from, ls_time to,
                      const ls_funnel_change *changes, size_t n, const uint64_t *now,
                      ls_funnel *out) {
  if (!m || !out || (n && !changes) || ls_time_cmp(to, from) <= 0) return LS_EINVAL;
  memset(out, 0, sizeof *out);
  size_t ns = ls_model_nstages(m);
  for (size_t i = 0; i < n; i++)
    if (changes[i].from >= ns || changes[i].to >= ns) return LS_EINVAL;

  ls_funnel *f = out;
  f->from = from;
  f->to = to;
  f->nstages = ns;
  /* the weeks that overlap [from, to): from from's Monday to the Monday of
   * the last instant before `to` */
  int64_t first = monday_of(from.sec), last = monday_of(to.nsec ? to.sec : to.sec - 1);
  f->nweeks = (size_t)((last - first) / WEEK) + 1;
  f->now = alloc(ns, 1, sizeof *f->now);
  f->entries = alloc(ns, 1, sizeof *f->entries);
  f->week = alloc(f->nweeks, 1, sizeof *f->week);
  f->weekly = alloc(f->nweeks, ns, sizeof *f->weekly);
  f->reached = alloc(ns, ns, sizeof *f->reached);
  f->left = alloc(ns, 1, sizeof *f->left);
  f->median_days = alloc(ns, 1, sizeof *f->median_days);
  bool sorted = is_sorted(changes, n);
  ls_funnel_change *v = sorted ? NULL : alloc(n, 1, sizeof *v);
  size_t *seen = alloc(ns, 1, sizeof *seen);
  stay *stays = alloc(n, 1, sizeof *stays);
  if (!f->now || !f->entries || !f->week || !f->weekly || !f->reached || !f->left ||
      !f->median_days || (!sorted && !v) || !seen || !stays) {
    free(v);
    free(seen);
    free(stays);
    ls_funnel_free(f);
    return LS_ENOMEM;
  }
  if (now) memcpy(f->now, now, ns * sizeof *f->now);
  for (size_t w = 0; w < f->nweeks; w++) f->week[w] = (ls_time){first + (int64_t)w * WEEK, 0};

  if (!sorted) {
    memcpy(v, changes, n * sizeof *v);
    ls_funnel_sort(v, n);
  }
  const ls_funnel_change *c = sorted ? changes : v;
  size_t stamp = 0, nstays = 0;
  for (size_t lo = 0, hi; lo < n; lo = hi) {
    for (hi = lo; hi < n && c[hi].person == c[lo].person; hi++) {
    }
    walk_person(f, c + lo, hi - lo, seen, &stamp, stays, &nstays);
  }
  medians(f, stays, nstays);
  free(v);
  free(seen);
  free(stays);
  return LS_OK;
}

double ls_funnel_rate(const ls_funnel *f, size_t x, size_t y) {
  if (!f || x >= f->nstages || y >= f->nstages || !f->entries[x]) return NAN;
  return (double)f->reached[x * f->nstages + y] / (double)f->entries[x];
}

/* ---- KPIs ---- */

void ls_funnel_kpis(const ls_model *m, const ls_funnel *f, ls_kpi *out) {
  size_t nt = ls_model_ntargets(m), ns = f->nstages;
  /* a count target is per calendar month */
  double scale = whole_month(f->from, f->to)
                     ? 1.0
                     : ((double)(f->to.sec - f->from.sec) +
                        (double)(f->to.nsec - f->from.nsec) / 1e9) / MEAN_MONTH_S;
  for (size_t i = 0; i < nt; i++) {
    const ls_target *t = ls_model_target(m, i);
    ls_kpi *k = &out[i];
    *k = (ls_kpi){i, false, NAN, t->value, NAN, false};
    size_t st = t->stage >= 0 ? (size_t)t->stage : ns;
    switch (t->kind) {
      case LS_KPI_MQLS:
        k->has = true;
        k->value = (double)f->mqls;
        k->goal = t->value * scale;
        break;
      case LS_KPI_ENTRIES:
        k->has = st < ns;
        if (k->has) k->value = (double)f->entries[st];
        k->goal = t->value * scale;
        break;
      case LS_KPI_CONVERSION:
        if (t->from >= 0 && t->to >= 0) k->value = ls_funnel_rate(f, (size_t)t->from, (size_t)t->to);
        k->has = !isnan(k->value);
        break;
      case LS_KPI_MEDIAN_DAYS:
        k->has = st < ns && f->left[st] > 0;
        if (k->has) k->value = f->median_days[st];
        break;
      default:
        break;
    }
    if (!k->has) {
      k->value = NAN;
      continue;
    }
    double q = t->at_most ? k->goal / k->value : k->value / k->goal;
    k->progress = isfinite(q) ? q : NAN;
    k->met = t->at_most ? k->value <= k->goal : k->value >= k->goal;
  }
}
