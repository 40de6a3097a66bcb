/* model diff: the current model's stored state against a replay of the
 * stored history under a candidate model, at the store clock. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "store/store_internal.h"

typedef struct prow {
  ls__bytes id;
  uint16_t stage;
  int64_t score;
  uint32_t mqls;
} prow;

typedef struct side {
  const ls_model *m;
  prow *v;
  size_t n, cap;
} side;

typedef struct week {
  int64_t monday; /* days since 1970-01-01 */
  uint64_t n[2];  /* MQLs before, after */
} week;

typedef struct weeks {
  week *v;
  size_t n, cap;
} weeks;

static int add_row(void *ud, const ls_person_row *r) {
  side *sd = ud;
  if (ls__grow((void **)&sd->v, &sd->cap, sd->n + 1, sizeof *sd->v)) return LS_ENOMEM;
  prow *p = &sd->v[sd->n++];
  memset(p, 0, sizeof *p);
  p->stage = ls_fold_stage(sd->m, r->state);
  p->score = ls_fold_score(sd->m, r->state, 0);
  p->mqls = ls_fold_mql_count(sd->m, r->state);
  return ls__bytes_set(&p->id, r->lead_id.p, r->lead_id.n);
}

/* Weeks start on Monday; 1970-01-01 was a Thursday. */
static int count_week(weeks *w, ls_time t, int side_i) {
  int64_t day = t.sec >= 0 ? t.sec / 86400 : -((-t.sec + 86399) / 86400);
  int64_t monday = day - (((day + 3) % 7) + 7) % 7;
  size_t i = 0;
  while (i < w->n && w->v[i].monday < monday) i++;
  if (i == w->n || w->v[i].monday != monday) {
    if (ls__grow((void **)&w->v, &w->cap, w->n + 1, sizeof *w->v)) return LS_ENOMEM;
    memmove(&w->v[i + 1], &w->v[i], (w->n - i) * sizeof *w->v);
    w->v[i] = (week){monday, {0, 0}};
    w->n++;
  }
  w->v[i].n[side_i]++;
  return LS_OK;
}

typedef struct mql_before {
  weeks *w;
  int64_t version;
} mql_before;

static int on_stored_row(void *ud, ls_slice lead, const ls_store_ledger *e) {
  (void)lead;
  mql_before *c = ud;
  if (e->kind != 's' || !e->mql || e->model_version != c->version) return LS_OK;
  return count_week(c->w, e->time, 0);
}

typedef struct mql_after {
  weeks *w;
  int rc;
} mql_after;

static void on_candidate_stage(void *ud, const ls_stage_change *c) {
  mql_after *a = ud;
  if (c->mql && !a->rc) a->rc = count_week(a->w, c->time, 1);
}

static int key_cmp(const prow *a, const prow *b) {
  size_t n = a->id.len < b->id.len ? a->id.len : b->id.len;
  int c = n ? memcmp(a->id.p, b->id.p, n) : 0;
  return c ? c : (a->id.len > b->id.len) - (a->id.len < b->id.len);
}

static int64_t band(int64_t score) { return score >= 0 ? score / 10 : -((-score + 9) / 10); }

static int report(ls_store *s, const ls_model *cand, const side *b, const side *a,
                  const weeks *w, ls_buf *out, uint64_t *changed, const ls_diff_sink *sink) {
  char t[LS_TIME_FMT_MAX];
  ls_time_format(s->clock, t);
  int rc = ls_buf_appendf(out, "model diff at %s: stored model v%" PRId64 " -> candidate \"%s\"\n\n", t,
                s->model_version, ls_model_name(cand));
  rc = rc ? rc : ls_buf_appendf(out, "%-18s %10s %10s\n", "persons per stage", "before", "after");
  for (size_t st = 0; st < ls_model_nstages(s->model) && !rc; st++) {
    uint64_t nb = 0, na = 0;
    for (size_t i = 0; i < b->n; i++) nb += b->v[i].stage == st;
    for (size_t i = 0; i < a->n; i++)
      na += strcmp(ls_model_stage_name(cand, a->v[i].stage), ls_model_stage_name(s->model, st)) == 0;
    rc = ls_buf_appendf(out, "  %-16s %10" PRIu64 " %10" PRIu64 "\n", ls_model_stage_name(s->model, st), nb, na);
    if (!rc && sink && sink->stage) rc = sink->stage(sink->ud, ls_model_stage_name(s->model, st), nb, na);
  }
  uint64_t n_stage = 0, n_band = 0, n_mql = 0, shown = 0;
  ls_buf rows = {0};
  for (size_t i = 0, j = 0; !rc && (i < b->n || j < a->n);) {
    int k = i >= b->n ? 1 : j >= a->n ? -1 : key_cmp(&b->v[i], &a->v[j]);
    const prow *x = k <= 0 ? &b->v[i] : NULL, *y = k >= 0 ? &a->v[j] : NULL;
    i += k <= 0;
    j += k >= 0;
    const char *sx = x ? ls_model_stage_name(s->model, x->stage) : "-";
    const char *sy = y ? ls_model_stage_name(cand, y->stage) : "-";
    bool ds = strcmp(sx, sy) != 0, db = !x || !y || band(x->score) != band(y->score);
    bool dm = !x || !y || (x->mqls > 0) != (y->mqls > 0);
    if (!ds && !db && !dm) continue;
    (*changed)++;
    n_stage += ds, n_band += db, n_mql += dm;
    if (shown++ < 50) {
      const prow *z = x ? x : y;
      rc = ls_buf_appendf(&rows, "  %-24.*s %-12s -> %-12s %6" PRId64 " -> %-6" PRId64 " %s -> %s\n",
                (int)z->id.len, z->id.p, sx, sy, x ? x->score : 0, y ? y->score : 0,
                x && x->mqls ? "MQL" : "no", y && y->mqls ? "MQL" : "no");
    }
  }
  if (!rc)
    rc = ls_buf_appendf(out, "\npersons that would change: %" PRIu64 " (stage %" PRIu64 ", score band %" PRIu64
                   ", MQL status %" PRIu64 ")\n", *changed, n_stage, n_band, n_mql);
  if (!rc && shown)
    rc = ls_buf_appendf(out, "  %-24s %-28s %-16s %s\n", "lead_id", "stage", "score", "MQL");
  if (!rc && rows.len) rc = ls_buf_append(out, rows.p, rows.len);
  if (!rc && shown > 50) rc = ls_buf_appendf(out, "  ... and %" PRIu64 " more\n", shown - 50);
  ls_buf_free(&rows);
  if (!rc) rc = ls_buf_appendf(out, "\n%-20s %8s %8s\n", "MQLs per week of", "before", "after");
  for (size_t i = 0; i < w->n && !rc; i++) {
    ls_time_format((ls_time){w->v[i].monday * 86400, 0}, t);
    rc = ls_buf_appendf(out, "  %.10s %16" PRIu64 " %8" PRIu64 "\n", t, w->v[i].n[0], w->v[i].n[1]);
    if (!rc && sink && sink->week)
      rc = sink->week(sink->ud, (ls_time){w->v[i].monday * 86400, 0}, w->v[i].n[0], w->v[i].n[1]);
  }
  return rc;
}

int ls_store_model_diff(ls_store *s, const ls_model *cand, ls_buf *out, uint64_t *changed) {
  return ls_store_model_diff_to(s, cand, out, changed, NULL);
}

int ls_store_model_diff_to(ls_store *s, const ls_model *cand, ls_buf *out, uint64_t *changed,
                           const ls_diff_sink *sink) {
  *changed = 0;
  side b = {s->model, NULL, 0, 0}, a = {cand, NULL, 0, 0};
  weeks w = {NULL, 0, 0};
  ls_replay *r = NULL;
  int rc = ls_store_leads(s, NULL, add_row, &b);
  mql_before mb = {&w, s->model_version};
  if (!rc) rc = s->drv->stage_scan(s->db, on_stored_row, &mb);
  if (!rc && s->has_clock) rc = ls__store_replay(s, cand, &s->clock, &r);
  mql_after ma = {&w, LS_OK};
  ls_fold_sink fs = {&ma, NULL, on_candidate_stage, NULL};
  for (size_t i = 0; r && !rc && i < ls_replay_npersons(r); i++) {
    ls_person_row row = ls_replay_person(r, i);
    rc = add_row(&a, &row);
    if (!rc) rc = ls_replay_explain(r, i, &fs);
    if (!rc) rc = ma.rc;
  }
  if (!rc) rc = report(s, cand, &b, &a, &w, out, changed, sink);
  ls_replay_destroy(r);
  for (size_t i = 0; i < b.n; i++) free(b.v[i].id.p);
  for (size_t i = 0; i < a.n; i++) free(a.v[i].id.p);
  free(b.v);
  free(a.v);
  free(w.v);
  return rc;
}
