/* The funnel on a store: the ledger's stage rows of the current model
 * version, mapped to stage indexes, and persons per stage now
 * (leadscore/funnel.h does the counting). */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "store/store_internal.h"
#include "store/workflow_internal.h"

typedef struct chg_ctx {
  const ls_model *m;
  const ls_time *since;
  ls_funnel_change *v;
  size_t n, cap;
} chg_ctx;

static int on_change(void *ud, int64_t person, int64_t n, const char *time, const char *from,
                     const char *to, bool mql) {
  chg_ctx *c = ud;
  ls_time t;
  if (!time || ls_time_parse(time, strlen(time), &t)) return LS_EIO;
  /* the driver's bound is a second early (text order is not time order
   * within a second): the exact filter is here */
  if (c->since && ls_time_cmp(t, *c->since) < 0) return LS_OK;
  size_t ns = ls_model_nstages(c->m), x = ls__wf_stage(c->m, from), y = ls__wf_stage(c->m, to);
  if (x >= ns || y >= ns) return LS_EIO; /* rows of this version name its stages */
  if (ls__grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v)) return LS_ENOMEM;
  c->v[c->n++] = (ls_funnel_change){person, n, t, (uint16_t)x, (uint16_t)y, mql};
  return LS_OK;
}

int ls_store_stage_changes(ls_store *s, const ls_time *since, ls_funnel_change **out,
                           size_t *n) {
  if (!s || !out || !n) return LS_EINVAL;
  *out = NULL;
  *n = 0;
  char bound[LS_TIME_FMT_MAX];
  const char *text = NULL;
  if (since) {
    /* a whole second early: "…:59Z" sorts before every row of the next
     * second, fraction or not. A year outside 0000-9999 is printed with a
     * sign: no bound then, the filter does it all. */
    ls_time_format((ls_time){since->sec - 1, 0}, bound);
    if (bound[0] >= '0' && bound[0] <= '9') text = bound;
  }
  chg_ctx c = {s->model, since, NULL, 0, 0};
  int rc = s->drv->stage_changes(s->db, s->model_version, text, 0, on_change, &c);
  if (rc) {
    free(c.v);
    return rc;
  }
  if (!c.n) {
    free(c.v);
    c.v = NULL;
  }
  *out = c.v;
  *n = c.n;
  return LS_OK;
}

int ls_store_person_stage_changes(ls_store *s, int64_t person, ls_funnel_change **v, size_t *n,
                                  size_t *cap) {
  if (!s || !v || !n || !cap || person <= 0) return LS_EINVAL;
  chg_ctx c = {s->model, NULL, *v, *n, *cap};
  int rc = s->drv->stage_changes(s->db, s->model_version, NULL, person, on_change, &c);
  *v = c.v, *n = c.n, *cap = c.cap; /* what was read, even on an error: the caller frees */
  return rc;
}

typedef struct count_ctx {
  const ls_model *m;
  uint64_t *now;
} count_ctx;

static int on_count(void *ud, const char *stage, int64_t n) {
  count_ctx *c = ud;
  size_t x = ls__wf_stage(c->m, stage);
  /* a row no model version names now (none after a model change re-scores
   * everyone) has nowhere to go */
  if (x < ls_model_nstages(c->m) && n > 0) c->now[x] += (uint64_t)n;
  return LS_OK;
}

int ls_store_funnel(ls_store *s, ls_time from, ls_time to, ls_funnel *out) {
  if (!s || !out || ls_time_cmp(to, from) <= 0) return LS_EINVAL;
  memset(out, 0, sizeof *out);
  size_t ns = ls_model_nstages(s->model);
  uint64_t *now = calloc(ns ? ns : 1, sizeof *now);
  if (!now) return LS_ENOMEM;
  ls_funnel_change *v = NULL;
  size_t n = 0;
  count_ctx cc = {s->model, now};
  int rc = ls_store_stage_counts(s, on_count, &cc);
  if (!rc) rc = ls_store_stage_changes(s, &from, &v, &n);
  if (!rc) rc = ls_funnel_compute(s->model, from, to, v, n, now, out);
  free(v);
  free(now);
  return rc;
}
