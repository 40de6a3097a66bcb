/* The predictive score's features (leadscore/predict.h): named columns
 * over a model, and one walk of a person's fold that takes them at a few
 * snapshot times. Nothing is allocated per person or per event. */
#include "leadscore/predict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

#define DAY ((int64_t)86400)
#define WINDOW (30 * DAY)

struct ls_pred_features {
  const ls_model *m;
  size_t nrules, nfits, nscores, nstages;
  /* column layout: rule@30d [nrules], rule@all [nrules], fit rows, scores,
   * stages 1.., then the four person columns */
  size_t c_all, c_fit, c_score, c_stage, c_person, d;
  size_t *fit_col; /* [nfits]: the first column of fit rule f's rows */
  char *pool;      /* the names, NUL-separated */
  size_t pool_len, pool_cap;
  size_t *name_off; /* [d] */
};

enum { P_MQLS, P_EVENTS30, P_SINCE_LAST, P_SINCE_FIRST, P_COUNT };
static const char *const person_names[P_COUNT] = {"mqls", "events@30d", "days_since_last",
                                                 "days_since_first"};

/* Appends the name a b c (b may be any text: a rule id, a score name). */
static int add_name(ls_pred_features *f, size_t *col, const char *a, const char *b,
                    const char *c) {
  size_t na = strlen(a), nb = strlen(b), nc = strlen(c), len = na + nb + nc;
  if (ls__grow((void **)&f->pool, &f->pool_cap, f->pool_len + len + 1, 1)) return LS_ENOMEM;
  char *p = f->pool + f->pool_len;
  memcpy(p, a, na);
  memcpy(p + na, b, nb);
  memcpy(p + na + nb, c, nc + 1);
  f->name_off[(*col)++] = f->pool_len;
  f->pool_len += len + 1;
  return LS_OK;
}

int ls_pred_features_new(const ls_model *m, ls_pred_features **out) {
  *out = NULL;
  ls_pred_features *f = calloc(1, sizeof *f);
  if (!f) return LS_ENOMEM;
  f->m = m;
  f->nrules = ls_model_nrules(m);
  f->nfits = ls_model_nfits(m);
  f->nscores = ls_model_nscores(m);
  f->nstages = ls_model_nstages(m);
  size_t fitrows = 0;
  for (size_t k = 0; k < f->nfits; k++) fitrows += ls_model_fit_nrows(m, f->nrules + k);
  f->c_all = f->nrules;
  f->c_fit = 2 * f->nrules;
  f->c_score = f->c_fit + fitrows;
  f->c_stage = f->c_score + f->nscores;
  f->c_person = f->c_stage + (f->nstages ? f->nstages - 1 : 0);
  f->d = f->c_person + P_COUNT;
  f->fit_col = calloc(f->nfits ? f->nfits : 1, sizeof *f->fit_col);
  f->name_off = calloc(f->d, sizeof *f->name_off);
  int rc = f->fit_col && f->name_off ? LS_OK : LS_ENOMEM;
  size_t col = 0;
  for (size_t r = 0; r < f->nrules && !rc; r++)
    rc = add_name(f, &col, "rule:", ls_model_rule_id(m, r), "@30d");
  for (size_t r = 0; r < f->nrules && !rc; r++)
    rc = add_name(f, &col, "rule:", ls_model_rule_id(m, r), "@all");
  for (size_t k = 0; k < f->nfits && !rc; k++) {
    f->fit_col[k] = col;
    size_t rows = ls_model_fit_nrows(m, f->nrules + k);
    for (size_t row = 0; row < rows && !rc; row++) {
      char num[24];
      snprintf(num, sizeof num, "=%zu", row);
      rc = add_name(f, &col, "fit:", ls_model_rule_id(m, f->nrules + k), num);
    }
  }
  for (size_t s = 0; s < f->nscores && !rc; s++)
    rc = add_name(f, &col, "score:", ls_model_score_name(m, s), "");
  for (size_t s = 1; s < f->nstages && !rc; s++)
    rc = add_name(f, &col, "stage:", ls_model_stage_name(m, s), "");
  for (size_t k = 0; k < P_COUNT && !rc; k++) rc = add_name(f, &col, "", person_names[k], "");
  if (rc) {
    ls_pred_features_destroy(f);
    return rc;
  }
  *out = f;
  return LS_OK;
}

void ls_pred_features_destroy(ls_pred_features *f) {
  if (!f) return;
  free(f->fit_col);
  free(f->name_off);
  free(f->pool);
  free(f);
}

size_t ls_pred_nfeatures(const ls_pred_features *f) { return f->d; }

const char *ls_pred_feature_name(const ls_pred_features *f, size_t j) {
  return j < f->d ? f->pool + f->name_off[j] : NULL;
}

long ls_pred_feature_find(const ls_pred_features *f, const char *name, size_t len) {
  for (size_t j = 0; j < f->d; j++) {
    const char *s = f->pool + f->name_off[j];
    if (strlen(s) == len && !memcmp(s, name, len)) return (long)j;
  }
  return -1;
}

/* ---- the walk ---- */

struct ls_pred_walk {
  const ls_pred_features *f;
  void *state, *tmp;
  uint32_t *c30, *call; /* [LS_PRED_MAX_AT * nrules]: firings per snapshot */
  int32_t *fit_row;     /* [nfits]: the current row (-1: no value) */
  uint32_t ev30[LS_PRED_MAX_AT];
  bool has_first;
  ls_time first;
  /* the current call */
  const ls_time *at;
  ls_time lo30[LS_PRED_MAX_AT];
  size_t nat, next;
  float *x;
  bool *known;
};

int ls_pred_walk_new(const ls_pred_features *f, ls_pred_walk **out) {
  *out = NULL;
  ls_pred_walk *w = calloc(1, sizeof *w);
  if (!w) return LS_ENOMEM;
  size_t n = LS_PRED_MAX_AT * (f->nrules ? f->nrules : 1);
  w->f = f;
  w->state = malloc(ls_fold_state_size(f->m));
  w->tmp = malloc(ls_fold_state_size(f->m));
  w->c30 = calloc(n, sizeof *w->c30);
  w->call = calloc(n, sizeof *w->call);
  w->fit_row = calloc(f->nfits ? f->nfits : 1, sizeof *w->fit_row);
  if (!w->state || !w->tmp || !w->c30 || !w->call || !w->fit_row) {
    ls_pred_walk_destroy(w);
    return LS_ENOMEM;
  }
  *out = w;
  return LS_OK;
}

void ls_pred_walk_destroy(ls_pred_walk *w) {
  if (!w) return;
  free(w->state);
  free(w->tmp);
  free(w->c30);
  free(w->call);
  free(w->fit_row);
  free(w);
}

static float days(ls_time from, ls_time to) {
  double d = (double)(to.sec - from.sec) / (double)DAY;
  return (float)log1p(d > 0 ? d : 0);
}

/* Snapshot k: the state decayed up to at[k] (on a copy), with the counts
 * of the events before it. */
static void snapshot(ls_pred_walk *w, size_t k, const void *state) {
  const ls_pred_features *f = w->f;
  const ls_model *m = f->m;
  float *x = w->x + k * f->d;
  ls_time at = w->at[k];
  memset(x, 0, f->d * sizeof *x);
  w->known[k] = ls_fold_identified(m, state);
  memcpy(w->tmp, state, ls_fold_state_size(m));
  ls_fold_advance(m, w->tmp, at, NULL);
  const uint32_t *c30 = w->c30 + k * f->nrules, *call = w->call + k * f->nrules;
  for (size_t r = 0; r < f->nrules; r++) {
    x[r] = (float)log1p((double)c30[r]);
    x[f->c_all + r] = (float)log1p((double)call[r]);
  }
  for (size_t q = 0; q < f->nfits; q++) {
    int32_t row = w->fit_row[q];
    if (row >= 0 && (size_t)row < ls_model_fit_nrows(m, f->nrules + q))
      x[f->fit_col[q] + (size_t)row] = 1;
  }
  for (size_t s = 0; s < f->nscores; s++) x[f->c_score + s] = (float)ls_fold_score(m, w->tmp, s);
  uint16_t stage = ls_fold_stage(m, w->tmp);
  if (stage >= 1 && stage < f->nstages) x[f->c_stage + stage - 1] = 1;
  float *p = x + f->c_person;
  p[P_MQLS] = (float)ls_fold_mql_count(m, w->tmp);
  p[P_EVENTS30] = (float)log1p((double)w->ev30[k]);
  ls_time last;
  if (ls_fold_last_activity(m, w->tmp, &last)) p[P_SINCE_LAST] = days(last, at);
  if (w->has_first) p[P_SINCE_FIRST] = days(w->first, at);
}

static void before(void *ud, const ls_fold_event *ev, const void *state) {
  ls_pred_walk *w = ud;
  while (w->next < w->nat && (!ev || ls_time_cmp(ev->time, w->at[w->next]) > 0))
    snapshot(w, w->next++, state);
}

/* Snapshots still to take are at or after the event: it counts for them. */
static void after(void *ud, const ls_fold_event *ev, const void *state) {
  (void)state;
  ls_pred_walk *w = ud;
  if (!w->has_first) w->first = ev->time, w->has_first = true;
  for (size_t k = w->next; k < w->nat; k++) w->ev30[k] += ls_time_cmp(ev->time, w->lo30[k]) > 0;
}

static void on_ledger(void *ud, const ls_ledger_entry *e) {
  ls_pred_walk *w = ud;
  const ls_pred_features *f = w->f;
  if (e->rule < 0) return;
  size_t r = (size_t)e->rule;
  if (r >= f->nrules) {
    if (r - f->nrules < f->nfits) w->fit_row[r - f->nrules] = e->fit_to;
    return;
  }
  for (size_t k = w->next; k < w->nat; k++) {
    w->call[k * f->nrules + r]++;
    w->c30[k * f->nrules + r] += ls_time_cmp(e->time, w->lo30[k]) > 0;
  }
}

int ls_pred_extract(ls_pred_walk *w, const ls_replay *r, size_t i, const ls_time *at,
                    size_t nat, float *x, bool *known) {
  const ls_pred_features *f = w->f;
  if (ls_replay_model(r) != f->m || nat > LS_PRED_MAX_AT) return LS_EINVAL;
  for (size_t k = 1; k < nat; k++)
    if (ls_time_cmp(at[k - 1], at[k]) > 0) return LS_EINVAL;
  w->at = at, w->nat = nat, w->next = 0, w->x = x, w->known = known;
  w->has_first = false;
  for (size_t k = 0; k < nat; k++) {
    w->lo30[k] = ls_time_add(at[k], -WINDOW);
    w->ev30[k] = 0;
  }
  memset(w->c30, 0, nat * f->nrules * sizeof *w->c30);
  memset(w->call, 0, nat * f->nrules * sizeof *w->call);
  for (size_t q = 0; q < f->nfits; q++) w->fit_row[q] = -1;
  ls_fold_sink sink = {w, on_ledger, NULL, NULL};
  ls_replay_walker walker = {w, &sink, before, after};
  return ls_replay_walk(r, i, w->state, &walker);
}
