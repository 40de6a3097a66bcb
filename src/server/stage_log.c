/* The server's stage changes in memory (see stage_log.h). */
#define _POSIX_C_SOURCE 200809L
#include "server/stage_log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "server/pending.h"

struct ls__slog {
  pthread_mutex_t mu;
  bool built;
  int64_t version;       /* the model version it was built under */
  ls_funnel_change *v;   /* sorted (ls_funnel_sort) */
  size_t n, cap;
  ls_funnel_change *w;   /* the next v, merged: swapped with it */
  size_t wcap;
  ls_funnel_change *add; /* the dirty persons' rows, read again */
  size_t nadd, addcap;
  ls__pending dirty;     /* persons the writer changed */
};

ls__slog *ls__slog_new(void) {
  ls__slog *x = calloc(1, sizeof *x);
  if (x && pthread_mutex_init(&x->mu, NULL)) {
    free(x);
    return NULL;
  }
  return x;
}

void ls__slog_destroy(ls__slog *x) {
  if (!x) return;
  free(x->v);
  free(x->w);
  free(x->add);
  ls__pending_free(&x->dirty);
  pthread_mutex_destroy(&x->mu);
  free(x);
}

void ls__slog_dirty(ls__slog *x, const int64_t *persons, size_t n) {
  if (!n) return;
  pthread_mutex_lock(&x->mu);
  ls__pending_add(&x->dirty, persons, n);
  pthread_mutex_unlock(&x->mu);
}

void ls__slog_invalidate(ls__slog *x) {
  pthread_mutex_lock(&x->mu);
  x->dirty.invalid = true;
  pthread_mutex_unlock(&x->mu);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int cmp_change(const void *a, const void *b) { return ls_funnel_change_cmp(a, b); }

static int build(ls__slog *x, ls_store *st) {
  free(x->v);
  x->v = NULL;
  x->n = x->cap = 0;
  x->built = false;
  int rc = ls_store_stage_changes(st, NULL, &x->v, &x->n);
  if (rc) return rc;
  x->cap = x->n;
  ls_funnel_sort(x->v, x->n);
  x->version = ls_store_model_version(st);
  x->built = true;
  x->dirty.invalid = false;
  return LS_OK;
}

/* The rows of the persons in d[0..nd) (sorted, unique) read again and
 * merged with the others' rows into a new sorted array. */
static int reread(ls__slog *x, ls_store *st, const int64_t *d, size_t nd) {
  x->nadd = 0;
  int rc = LS_OK;
  for (size_t i = 0; !rc && i < nd; i++)
    rc = ls_store_person_stage_changes(st, d[i], &x->add, &x->nadd, &x->addcap);
  if (rc) return rc;
  if (x->nadd > 1) qsort(x->add, x->nadd, sizeof *x->add, cmp_change);
  if (ls__grow((void **)&x->w, &x->wcap, x->n + x->nadd, sizeof *x->w)) return LS_ENOMEM;
  size_t o = 0, a = 0, k = 0;
  for (size_t i = 0; i < x->n; i++) {
    const ls_funnel_change *c = &x->v[i];
    while (k < nd && d[k] < c->person) k++;
    if (k < nd && d[k] == c->person) continue; /* read again: in add */
    while (a < x->nadd && ls_funnel_change_cmp(&x->add[a], c) < 0) x->w[o++] = x->add[a++];
    x->w[o++] = *c;
  }
  while (a < x->nadd) x->w[o++] = x->add[a++];
  ls_funnel_change *t = x->v;
  size_t tc = x->cap;
  x->v = x->w, x->cap = x->wcap, x->n = o;
  x->w = t, x->wcap = tc;
  return LS_OK;
}

/* Brings the copy up to date with st; under the mutex. */
static int catch_up(ls__slog *x, ls_store *st) {
  int64_t *d = NULL;
  size_t nd = 0;
  int rc = ls__pending_take(&x->dirty, st, &d, &nd);
  if (!rc && (!x->built || x->dirty.invalid || x->version != ls_store_model_version(st))) {
    rc = build(x, st);
    nd = 0; /* the build read them */
  }
  if (!rc && nd) {
    qsort(d, nd, sizeof *d, cmp_i64);
    size_t u = 0;
    for (size_t i = 0; i < nd; i++)
      if (!u || d[u - 1] != d[i]) d[u++] = d[i];
    rc = reread(x, st, d, u);
  }
  if (rc) x->dirty.invalid = true;
  free(d);
  return rc;
}

int ls__slog_funnel(ls__slog *x, ls_store *st, ls_time from, ls_time to, const uint64_t *now,
                    ls_funnel *out) {
  pthread_mutex_lock(&x->mu);
  int rc = catch_up(x, st);
  if (!rc) rc = ls_funnel_compute(ls_store_model(st), from, to, x->v, x->n, now, out);
  pthread_mutex_unlock(&x->mu);
  return rc;
}
