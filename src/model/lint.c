/* ls_model_lint: warnings about models that load but probably do not do
 * what their author meant — inflation risks, thresholds that cannot be
 * reached, rules that can never match, rules that count the same event
 * twice. Pure: messages go to the caller's function. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/ir.h"

typedef struct lint {
  const ls_model *m;
  void (*fn)(void *ud, unsigned line, const char *msg);
  void *ud;
  size_t n;
} lint;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void warn(lint *l, unsigned line, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  l->fn(l->ud, line, msg);
  l->n++;
}

/* A rule whose firing depends only on the event (no visit, recent,
 * first_value, once, cap, sequence or stage conditions). */
static bool stateless(const ls__rule *r) {
  return r->visit_page <= 0 && r->visit_start < 0 && r->recent_kind == LS__RECENT_NONE &&
         r->first_value < 0 && r->once == LS__ONCE_NONE && !r->cap_k && r->group < 0 &&
         !r->nsteps &&
         !r->in_stages;
}

static void inflation(lint *l) {
  const ls_model *m = l->m;
  for (size_t i = 0; i < m->nrules; i++) {
    const ls__rule *r = &m->rules[i];
    const ls__score *s = &m->scores[r->score];
    if (r->points <= 0 || r->cap_k || r->group >= 0 || r->once == LS__ONCE_PER_PERSON ||
        s->decay_every || s->win_n ||
        s->has_max)
      continue;
    warn(l, r->line, "rule \"%s\": %+" PRId64 " to %s with no cap, and %s has no decay and no "
         "max: a person who repeats it gains without limit (add cap: {points: N, per: D}, "
         "or decay or max to %s)", r->id, r->points, s->name, s->name, s->name);
  }
}

/* The most a score can reach, or INT64_MAX when unbounded. */
static int64_t upper(const ls_model *m, size_t si) {
  const ls__score *s = &m->scores[si];
  if (s->formula >= 0) return INT64_MAX; /* not analysed */
  if (s->has_max) return s->max;
  int64_t ub = s->initial > 0 ? s->initial : 0;
  for (size_t i = 0; i < m->nrules; i++) {
    const ls__rule *r = &m->rules[i];
    if (r->score != si || r->points <= 0) continue;
    if (r->once != LS__ONCE_PER_PERSON) return INT64_MAX;
    ub += r->points;
  }
  for (size_t f = 0; f < m->nfits; f++) {
    if (m->fits[f].score != si) continue;
    int64_t best = 0;
    for (size_t k = 0; k < m->fits[f].nrows; k++)
      if (m->fits[f].rows[k].points > best) best = m->fits[f].rows[k].points;
    ub += best;
  }
  return ub;
}

static void thresholds(lint *l, const ls__transition *t, int32_t x) {
  const ls_model *m = l->m;
  const ls__expr *e = &m->exprs[x];
  if (e->op == LS__X_AND || e->op == LS__X_OR || e->op == LS__X_NOT) {
    thresholds(l, t, e->a);
    if (e->op != LS__X_NOT) thresholds(l, t, e->b);
    return;
  }
  if (e->op != LS__X_CMP) return;
  const ls__expr *a = &m->exprs[e->a], *b = &m->exprs[e->b];
  uint8_t cmp = e->cmp;
  if (a->op == LS__X_INT && b->op == LS__X_SCORE) { /* k <= s is s >= k */
    const ls__expr *tmp = a;
    a = b;
    b = tmp;
    cmp = cmp == LS__LE ? LS__GE : cmp == LS__LT ? LS__GT : cmp;
  }
  if (a->op != LS__X_SCORE || b->op != LS__X_INT || (cmp != LS__GE && cmp != LS__GT)) return;
  int64_t ub = upper(m, (size_t)a->a);
  if (ub == INT64_MAX || (cmp == LS__GE ? b->k <= ub : b->k < ub)) return;
  warn(l, t->line, "transition %s -> %s: %s %s %" PRId64 " can never hold: %s is at most %" PRId64,
       m->stages[t->from].name, m->stages[t->to].name, m->scores[a->a].name,
       cmp == LS__GE ? ">=" : ">", b->k, m->scores[a->a].name, ub);
}

static bool in_list(const ls__pred *p, const char *s, size_t n) {
  for (size_t i = 0; i < p->nstrs; i++)
    if (p->lens[i] == n && !memcmp(p->strs[i], s, n)) return true;
  return false;
}

/* Two predicates on one field that no value can satisfy together. */
static bool exclusive(const ls__pred *a, const ls__pred *b) {
  if (a->src != b->src || a->key != b->key || a->negate || b->negate) return false;
  bool as = a->op == LS__P_EQUALS || a->op == LS__P_IN, bs = b->op == LS__P_EQUALS || b->op == LS__P_IN;
  if (as && bs) {
    for (size_t i = 0; i < a->nstrs; i++)
      if (in_list(b, a->strs[i], a->lens[i])) return false;
    return true;
  }
  if ((as && b->op == LS__P_NUM_CMP) || (bs && a->op == LS__P_NUM_CMP))
    return true; /* a value is a string or a number, not both */
  if (a->op == LS__P_NUM_CMP && b->op == LS__P_NUM_CMP) {
    const ls__pred *lo = NULL, *hi = NULL; /* x > lo.num, x < hi.num */
    if ((a->cmp == LS__GT || a->cmp == LS__GE) && (b->cmp == LS__LT || b->cmp == LS__LE))
      lo = a, hi = b;
    if ((b->cmp == LS__GT || b->cmp == LS__GE) && (a->cmp == LS__LT || a->cmp == LS__LE))
      lo = b, hi = a;
    if (!lo) return false;
    bool closed = lo->cmp == LS__GE && hi->cmp == LS__LE;
    return closed ? lo->num > hi->num : lo->num >= hi->num;
  }
  return false;
}

static void never(lint *l) {
  const ls_model *m = l->m;
  for (size_t i = 0; i < m->nrules; i++) {
    const ls__rule *r = &m->rules[i];
    if (!r->preds) continue;
    for (size_t x = 0; x < m->npreds; x++) {
      if (!ls__bit(r->preds, x)) continue;
      for (size_t y = x + 1; y < m->npreds; y++)
        if (ls__bit(r->preds, y) && exclusive(&m->preds[x], &m->preds[y])) {
          warn(l, r->line, "rule \"%s\" can never match: its tests at lines %u and %u cannot "
               "both hold", r->id, m->preds[x].line, m->preds[y].line);
          x = y = m->npreds; /* once per rule */
        }
    }
  }
}

static bool types_overlap(const ls__rule *a, const ls__rule *b) {
  if (!a->ntypes || !b->ntypes) return true;
  for (size_t i = 0; i < a->ntypes; i++)
    for (size_t j = 0; j < b->ntypes; j++)
      if (a->types[i] == b->types[j]) return true;
  return false;
}

/* a's tests are a subset of b's (every event b counts, a counts too). */
static bool covers(const ls_model *m, const ls__rule *a, const ls__rule *b) {
  if (a->ntypes && (!b->ntypes || !types_overlap(a, b))) return false;
  for (size_t i = 0; i < b->ntypes && a->ntypes; i++) {
    bool found = false;
    for (size_t j = 0; j < a->ntypes && !found; j++) found = a->types[j] == b->types[i];
    if (!found) return false;
  }
  for (size_t w = 0; w < m->pred_words && a->preds; w++)
    if (a->preds[w] & ~(b->preds ? b->preds[w] : 0)) return false;
  return true;
}

static void overlaps(lint *l) {
  const ls_model *m = l->m;
  for (size_t i = 0; i < m->nrules; i++)
    for (size_t j = 0; j < m->nrules; j++) {
      const ls__rule *a = &m->rules[i], *b = &m->rules[j];
      if (i == j || a->score != b->score || a->points <= 0 || b->points <= 0 ||
          !stateless(a) || !stateless(b) || !covers(m, a, b))
        continue;
      if (covers(m, b, a) && j < i) continue; /* the same tests: say it once */
      warn(l, b->line, "rules \"%s\" and \"%s\" both count every event that \"%s\" counts "
           "(%+" PRId64 " and %+" PRId64 "); if \"%s\" should replace \"%s\", give \"%s\" the "
           "opposite test (not: true)", a->id, b->id, b->id, a->points, b->points, b->id, a->id,
           a->id);
    }
}

size_t ls_model_lint(const ls_model *m, void (*fn)(void *ud, unsigned line, const char *msg),
                     void *ud) {
  lint l = {m, fn, ud, 0};
  inflation(&l);
  for (size_t i = 0; i < m->ntrans; i++)
    if (m->trans[i].when >= 0) thresholds(&l, &m->trans[i], m->trans[i].when);
  never(&l);
  overlaps(&l);
  return l.n;
}
