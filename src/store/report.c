/* The monthly review (ls_store_month_report): the month's funnel and the
 * previous month's, the KPIs of the model's targets on both, the biggest
 * movers of the first score and the follow-up SLAs, assembled as a struct
 * so that every front end (the CLI's text, CSV and HTML; the HTTP API)
 * shows the same numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/fold.h"
#include "store/store_internal.h"
#include "store/workflow_internal.h"

/* The first instant of month y-m (m may be 0 or 13: the year rolls). */
static int month_start(int y, int m, ls_time *out) {
  if (m < 1) m += 12, y--;
  if (m > 12) m -= 12, y++;
  if (y < 0 || y > 9999) return LS_EINVAL;
  char b[32];
  snprintf(b, sizeof b, "%04d-%02d-01T00:00:00Z", y, m);
  return ls_time_parse(b, strlen(b), out) ? LS_EINVAL : LS_OK;
}

static ls_time minus_1ns(ls_time t) {
  return t.nsec ? (ls_time){t.sec, t.nsec - 1} : (ls_time){t.sec - 1, 999999999};
}

void ls_month_report_free(ls_month_report *r) {
  if (!r) return;
  ls_funnel_free(&r->cur);
  ls_funnel_free(&r->prev);
  free(r->kpi_cur);
  free(r->kpi_prev);
  for (size_t i = 0; i < r->nup; i++) free(r->up[i].lead_id);
  for (size_t i = 0; i < r->ndown; i++) free(r->down[i].lead_id);
  free(r->up);
  free(r->down);
  for (size_t i = 0; i < r->nsla; i++) free((void *)r->sla[i].owner);
  free(r->sla);
  memset(r, 0, sizeof *r);
}

/* ---- movers ---- */

typedef struct cand {
  size_t i; /* in the end replay: lead id order */
  int64_t start, end;
  uint16_t stage;
  bool is_new;
} cand;

static int cmp_up(const void *pa, const void *pb) {
  const cand *a = pa, *b = pb;
  int64_t da = a->end - a->start, db = b->end - b->start;
  if (da != db) return da > db ? -1 : 1;
  return (a->i > b->i) - (a->i < b->i);
}

static int cmp_down(const void *pa, const void *pb) {
  const cand *a = pa, *b = pb;
  int64_t da = a->end - a->start, db = b->end - b->start;
  if (da != db) return da < db ? -1 : 1;
  return (a->i > b->i) - (a->i < b->i);
}

static int cmp_lead(ls_slice a, ls_slice b) {
  size_t n = a.n < b.n ? a.n : b.n;
  int d = n ? memcmp(a.p, b.p, n) : 0;
  return d ? d : (a.n > b.n) - (a.n < b.n);
}

/* The first k candidates (sorted by cmp) as movers. */
static int take(const ls_replay *end, cand *c, size_t n, int (*cmp)(const void *, const void *),
                ls_mover **out, size_t *nout) {
  if (!n) return LS_OK;
  qsort(c, n, sizeof *c, cmp);
  size_t k = n < LS_MOVERS_MAX ? n : LS_MOVERS_MAX;
  if (!(*out = calloc(k, sizeof **out))) return LS_ENOMEM;
  for (size_t j = 0; j < k; j++) {
    ls_slice id = ls_replay_person(end, c[j].i).lead_id;
    char *s = malloc(id.n + 1);
    if (!s) return LS_ENOMEM;
    if (id.n) memcpy(s, id.p, id.n);
    s[id.n] = '\0';
    (*out)[j] = (ls_mover){s, c[j].start, c[j].end, c[j].stage, c[j].is_new};
    *nout = j + 1;
  }
  return LS_OK;
}

/* Persons per stage of a replay into now[nstages]. */
static void stage_counts(const ls_model *m, const ls_replay *r, uint64_t *now) {
  for (size_t i = 0, n = ls_replay_npersons(r); i < n; i++)
    now[ls_fold_stage(m, ls_replay_person(r, i).state)]++;
}

/* Matches the persons of the two replays by lead id (both are in lead id
 * order); a person absent at the start starts from the initial score. */
static int movers(const ls_model *m, const ls_replay *a, const ls_replay *b,
                  ls_month_report *r) {
  if (!ls_model_nscores(m)) return LS_OK;
  size_t na = ls_replay_npersons(a), nb = ls_replay_npersons(b), nc = 0;
  void *fresh = malloc(ls_fold_state_size(m));
  cand *c = malloc((nb ? nb : 1) * sizeof *c);
  int rc = fresh && c ? LS_OK : LS_ENOMEM;
  if (!rc) {
    ls_fold_init(m, fresh);
    int64_t initial = ls_fold_score(m, fresh, 0);
    for (size_t i = 0, j = 0; j < nb; j++) {
      ls_person_row pb = ls_replay_person(b, j);
      int d = 1;
      while (i < na && (d = cmp_lead(ls_replay_person(a, i).lead_id, pb.lead_id)) < 0) i++;
      bool found = i < na && d == 0;
      int64_t start = found ? ls_fold_score(m, ls_replay_person(a, i).state, 0) : initial;
      int64_t end = ls_fold_score(m, pb.state, 0);
      if (end != start) c[nc++] = (cand){j, start, end, ls_fold_stage(m, pb.state), !found};
    }
    /* the rises first, then the falls, each from its own end of the order */
    size_t nup = 0;
    for (size_t k = 0; k < nc; k++)
      if (c[k].end > c[k].start) {
        cand t = c[nup];
        c[nup++] = c[k];
        c[k] = t;
      }
    rc = take(b, c, nup, cmp_up, &r->up, &r->nup);
    if (!rc) rc = take(b, c + nup, nc - nup, cmp_down, &r->down, &r->ndown);
  }
  free(fresh);
  free(c);
  return rc;
}

/* ---- SLAs ---- */

typedef struct sla_ctx {
  ls_month_report *r;
  size_t cap;
} sla_ctx;

static int on_sla(void *ud, const ls_wf_sla *x) {
  sla_ctx *c = ud;
  ls_month_report *r = c->r;
  if (ls__grow((void **)&r->sla, &c->cap, r->nsla + 1, sizeof *r->sla)) return LS_ENOMEM;
  size_t len = strlen(x->owner);
  char *o = malloc(len + 1);
  if (!o) return LS_ENOMEM;
  memcpy(o, x->owner, len + 1);
  r->sla[r->nsla] = *x;
  r->sla[r->nsla++].owner = o;
  ls_wf_sla *t = &r->sla_total;
  t->due += x->due;
  t->on_time += x->on_time;
  t->late += x->late;
  t->overdue_now += x->overdue_now;
  t->first_touches += x->first_touches;
  t->stage_breaches += x->stage_breaches;
  return LS_OK;
}

/* ---- the report ---- */

/* The stage MQLs entered most often among the changes, else "hot". */
static int32_t mql_stage(const ls_model *m, const ls_funnel_change *v, size_t n) {
  size_t ns = ls_model_nstages(m), best = ns;
  uint64_t *k = calloc(ns ? ns : 1, sizeof *k);
  if (k) {
    for (size_t i = 0; i < n; i++)
      if (v[i].mql && ++k[v[i].to] > (best < ns ? k[best] : 0)) best = v[i].to;
    free(k);
  }
  if (best == ns) best = ls__wf_stage(m, "hot");
  return best < ns ? (int32_t)best : -1;
}

typedef struct now_ctx {
  const ls_model *m;
  uint64_t *now;
} now_ctx;

static int on_now(void *ud, const char *stage, int64_t n) {
  now_ctx *c = ud;
  size_t x = ls__wf_stage(c->m, stage);
  if (x < ls_model_nstages(c->m) && n > 0) c->now[x] += (uint64_t)n;
  return LS_OK;
}

int ls_store_month_report(ls_store *s, int year, int month, ls_month_report *out) {
  if (!s || !out || month < 1 || month > 12 || year < 1 || year > 9999) return LS_EINVAL;
  memset(out, 0, sizeof *out);
  ls_month_report *r = out;
  const ls_model *m = s->model;
  size_t ns = ls_model_nstages(m);
  r->year = year;
  r->month = month;
  r->mql_stage = -1;
  int rc = month_start(year, month, &r->from);
  if (!rc) rc = month_start(year, month + 1, &r->to);
  if (!rc) rc = month_start(year, month - 1, &r->prev_from);
  if (rc) return rc;
  ls_time start = minus_1ns(r->from); /* the as-of includes events at it */
  r->end = minus_1ns(r->to);
  r->has_clock = ls_store_clock(s, &r->clock);
  r->current = !r->has_clock || ls_time_cmp(r->clock, r->end) < 0;
  /* nothing is known after the clock: a month not over ends there (a
   * month still to come starts there too) */
  if (r->has_clock && ls_time_cmp(r->clock, r->end) < 0) r->end = r->clock;
  if (r->has_clock && ls_time_cmp(r->clock, start) < 0) start = r->clock;

  uint64_t *now_prev = calloc(ns ? ns : 1, sizeof *now_prev);
  uint64_t *now_cur = calloc(ns ? ns : 1, sizeof *now_cur);
  ls_funnel_change *v = NULL;
  size_t n = 0;
  rc = now_prev && now_cur ? LS_OK : LS_ENOMEM;
  /* the changes of both months (and after: conversions and stays go on) */
  if (!rc) rc = ls_store_stage_changes(s, &r->prev_from, &v, &n);
  const ls_time *at[2] = {&start, &r->end};
  ls_replay *ends[2] = {NULL, NULL}; /* the month's start and end */
  if (!rc) rc = ls__store_replay_at(s, m, 2, at, ends); /* one pass, both ends */
  ls_replay *ra = ends[0], *rb = ends[1];
  if (!rc) {
    r->persons_start = ls_replay_npersons(ra);
    r->persons_end = ls_replay_npersons(rb);
    stage_counts(m, ra, now_prev);
    if (r->current) {
      now_ctx nc = {m, now_cur};
      rc = ls_store_stage_counts(s, on_now, &nc);
    } else {
      stage_counts(m, rb, now_cur);
    }
  }
  if (!rc) rc = ls_funnel_compute(m, r->from, r->to, v, n, now_cur, &r->cur);
  if (!rc) rc = ls_funnel_compute(m, r->prev_from, r->from, v, n, now_prev, &r->prev);
  if (!rc) {
    r->mql_stage = mql_stage(m, v, n);
    r->ntargets = ls_model_ntargets(m);
    if (r->ntargets) {
      r->kpi_cur = calloc(r->ntargets, sizeof *r->kpi_cur);
      r->kpi_prev = calloc(r->ntargets, sizeof *r->kpi_prev);
      if (!r->kpi_cur || !r->kpi_prev) rc = LS_ENOMEM;
    }
  }
  if (!rc && r->ntargets) {
    ls_funnel_kpis(m, &r->cur, r->kpi_cur);
    ls_funnel_kpis(m, &r->prev, r->kpi_prev);
  }
  if (!rc) rc = movers(m, ra, rb, r);
  if (!rc) {
    r->sla_total.owner = NULL;
    r->sla_total.median_first_touch_s = -1;
    sla_ctx sc = {r, 0};
    rc = ls_store_sla_range(s, &r->from, &r->to, on_sla, &sc);
  }
  ls_replay_destroy(ra);
  ls_replay_destroy(rb);
  free(v);
  free(now_prev);
  free(now_cur);
  if (rc) ls_month_report_free(r);
  return rc;
}
