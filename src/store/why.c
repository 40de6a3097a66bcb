/* Why hot: the rules that gave a person the most points in the 30 days up
 * to its latest MQL, in the model's words. The accumulator and the text are
 * pure; ls_store_why reads one person's ledger. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "store/store_internal.h"

void ls_why_init(ls_why *w, const ls_model *m, ls_time at) {
  *w = (ls_why){.m = m, .to = at, .from = ls_time_add(at, -(int64_t)LS_WHY_DAYS * 86400)};
}

void ls_why_free(ls_why *w) {
  free(w->v);
  w->v = NULL;
  w->n = w->cap = 0;
}

int ls_why_add(ls_why *w, int32_t rule, ls_time t, int64_t points) {
  /* a capped row gave 0, a fit re-roll or a negative rule may take points:
   * only what pushed the person up explains why it is hot */
  if (rule < 0 || points <= 0 || ls_time_cmp(t, w->from) < 0 || ls_time_cmp(t, w->to) > 0)
    return LS_OK;
  size_t k = 0;
  while (k < w->n && w->v[k].rule != rule) k++;
  if (k == w->n) {
    if (ls__grow((void **)&w->v, &w->cap, w->n + 1, sizeof *w->v)) return LS_ENOMEM;
    w->v[w->n++] = (ls_why_item){rule, 0, 0};
  }
  w->v[k].count++;
  w->v[k].points += points;
  return LS_OK;
}

int ls_why_add_row(void *ud, ls_slice lead_id, const ls_store_ledger *e) {
  (void)lead_id;
  ls_why *w = ud;
  if (e->kind == 's' || !e->rule || (w->version && e->model_version != w->version))
    return LS_OK;
  /* a rule of an earlier model version that the model no longer has: -1 */
  return ls_why_add(w, ls_model_rule_find(w->m, e->rule), e->time, e->points);
}

static int by_weight(const void *a, const void *b) {
  const ls_why_item *x = a, *y = b;
  if (x->points != y->points) return x->points > y->points ? -1 : 1;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return (x->rule > y->rule) - (x->rule < y->rule);
}

size_t ls_why_top(ls_why *w, ls_why_item *out, size_t cap) {
  if (w->n > 1) qsort(w->v, w->n, sizeof *w->v, by_weight);
  size_t n = w->n < cap ? w->n : cap;
  if (n > LS_WHY_MAX) n = LS_WHY_MAX;
  if (n) memcpy(out, w->v, n * sizeof *out);
  return n;
}

int ls_why_text(const ls_model *m, const ls_why_item *v, size_t n, const char *lang,
                ls_buf *out) {
  if (!lang) lang = "en";
  bool ja = strcmp(lang, "ja") == 0;
  int rc = LS_OK;
  for (size_t i = 0; i < n && !rc; i++) {
    const char *label = ls_model_rule_label(m, (size_t)v[i].rule, lang);
    if (i) rc = ja ? ls_buf_append(out, "、", strlen("、")) : ls_buf_append(out, ", ", 2);
    if (!rc) rc = ls_buf_append(out, label, strlen(label));
    if (!rc && v[i].count > 1)
      rc = ls_buf_appendf(out, ja ? " %" PRIu32 "回" : " %" PRIu32 "×", v[i].count);
    if (!rc) rc = ls_buf_appendf(out, " (+%" PRId64 ")", v[i].points);
  }
  return rc;
}

/* ---- one pass ---- */

void ls_why_pass_init(ls_why_pass *p, const ls_model *m, int64_t version) {
  *p = (ls_why_pass){.m = m, .version = version};
}

void ls_why_pass_free(ls_why_pass *p) {
  free(p->v);
  p->v = NULL;
  p->n = p->cap = 0;
}

int ls_why_pass_row(void *ud, ls_slice lead_id, const ls_store_ledger *e) {
  (void)lead_id;
  ls_why_pass *p = ud;
  /* other versions: the history is re-scored under this one */
  if (p->version && e->model_version != p->version) return LS_OK;
  if (!p->any || ls_time_cmp(e->time, p->last) > 0) p->last = e->time;
  p->any = true;
  if (e->kind == 's') {
    if (e->mql && (!p->mql || ls_time_cmp(e->time, p->last_mql) >= 0)) {
      p->last_mql = e->time;
      p->mql = true;
    }
    return LS_OK;
  }
  if (!e->rule || e->points <= 0) return LS_OK; /* never counts (ls_why_add) */
  /* a rule of an earlier model version that the model no longer has: -1 */
  int32_t rule = ls_model_rule_find(p->m, e->rule);
  if (rule < 0) return LS_OK;
  if (ls__grow((void **)&p->v, &p->cap, p->n + 1, sizeof *p->v)) return LS_ENOMEM;
  p->v[p->n++] = (ls_why_row){rule, e->time, e->points};
  return LS_OK;
}

int ls_why_pass_top(ls_why_pass *p, ls_why_item *out, size_t cap, size_t *n, ls_time *at) {
  ls_why w;
  ls_why_init(&w, p->m, p->mql ? p->last_mql : p->last);
  int rc = LS_OK;
  for (size_t i = 0; i < p->n && !rc; i++) rc = ls_why_add(&w, p->v[i].rule, p->v[i].t, p->v[i].points);
  *n = rc ? 0 : ls_why_top(&w, out, cap);
  if (!rc && p->any && at) *at = w.to;
  ls_why_free(&w);
  return rc;
}

/* ---- the store ---- */

int ls_store_why(ls_store *s, int64_t person, ls_why_item *out, size_t cap, size_t *n,
                 ls_time *at) {
  *n = 0;
  ls__touched_clear(&s->t);
  ls__tp *p;
  int rc = ls__touched_get(s, person, false, &p);
  ls_why_pass w;
  ls_why_pass_init(&w, s->model, s->model_version);
  if (!rc) rc = s->drv->ledger_scan(s->db, &p->row, ls_why_pass_row, &w);
  if (!rc) rc = ls_why_pass_top(&w, out, cap, n, at);
  ls_why_pass_free(&w);
  ls__touched_clear(&s->t);
  return rc;
}
