/* Sections `fit` and `groups`.
 *
 * `fit`: rules that give points for who a person is, as a level
 * function of the current value of one attribute.
 *
 *   fit:
 *     - id: industry
 *       score: fit
 *       attr: industry
 *       values:                       # the first matching row wins
 *         - {in: [software, saas], points: 20}
 *         - {equals: manufacturing, points: 10}
 *         - {points: 2}               # any other value (optional, last)
 */
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

typedef struct fit_tmp {
  ls__fit *f;
  size_t index;
  const ls__ynode *score, *attr, *values;
} fit_tmp;

static int fit_id(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  fit_tmp *t = obj;
  const ls_model *m = c->m;
  int r = ls__want_name(c, v, "fit rule id", &t->f->id);
  if (r) return r;
  for (size_t i = 0; i < m->nrules; i++)
    if (!strcmp(m->rules[i].id, t->f->id))
      return ls__lerr(c, v, "the rule at line %u has the id \"%s\" already", m->rules[i].line,
                      t->f->id);
  for (size_t i = 0; i < t->index; i++)
    if (!strcmp(m->fits[i].id, t->f->id))
      return ls__lerr(c, v, "two fit rules have the id \"%s\"", t->f->id);
  return LS_OK;
}

static int fit_label(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  fit_tmp *t = obj;
  return ls__load_label(c, k, v, &t->f->label_en, &t->f->label_ja);
}

/* score, attr and values are resolved after the walk (attr before rows). */
static int fit_keep(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)c;
  fit_tmp *t = obj;
  const char *name = ls__y_text(c, k);
  if (!strcmp(name, "score")) t->score = v;
  else if (!strcmp(name, "attr")) t->attr = v;
  else t->values = v;
  return LS_OK;
}

static const ls__key fit_keys[] = {
    {"id", fit_id, LS__KEY_REQUIRED},     {"label", fit_label, 0},
    {"score", fit_keep, 0},               {"attr", fit_keep, LS__KEY_REQUIRED},
    {"values", fit_keep, LS__KEY_REQUIRED},
};

static int fit_rows(ls__lctx *c, fit_tmp *t) {
  ls__fit *f = t->f;
  const ls__ynode *v = t->values;
  int r = ls__want_seq(c, v, "rows ({in: [a, b], points: N}, ..., {points: N})");
  if (r) return r;
  if (v->count == 0) return ls__lerr(c, v, "values needs at least one row");
  if (v->count > LS__MAX_ITEMS) return ls__lerr(c, v, "too many rows (at most %d)", LS__MAX_ITEMS);
  if (!(f->rows = calloc(v->count, sizeof *f->rows))) return ls__oom(c);
  for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e)) {
    ls__fitrow *row = &f->rows[f->nrows];
    if (f->nrows && f->rows[f->nrows - 1].pred < 0)
      return ls__lerr(c, e, "a row after the default row (the one without a test) "
                      "could never match; put the default row last");
    if ((r = ls__load_fit_row(c, e, f->attr, &row->pred, &row->points))) return r;
    f->nrows++;
  }
  /* the default row matches any value: the attr's `present` test */
  ls__fitrow *last = &f->rows[f->nrows - 1];
  if (last->pred < 0 && (r = ls__intern_attr_pred(c, v, LS__P_PRESENT, f->attr, &last->pred)))
    return r;
  return ls__intern_attr_pred(c, t->attr, LS__P_HAS, f->attr, &f->has_pred);
}

static int load_one(ls__lctx *c, const ls__ynode *e, size_t i) {
  ls_model *m = c->m;
  fit_tmp t = {&m->fits[i], i, NULL, NULL, NULL};
  t.f->line = e->line;
  int r = ls__walk_map(c, e, "fit rule", fit_keys, sizeof fit_keys / sizeof fit_keys[0], &t);
  if (r) return r;
  ls__set_prefix(c, "fit rule \"%s\": ", t.f->id);
  if (t.score) {
    const char *s = NULL;
    if ((r = ls__want_text(c, t.score, "score", &s))) return r;
    int k = ls__find_score(m, s, t.score->len);
    if (k < 0) return ls__lerr(c, t.score, "unknown score \"%s\"", s);
    if (m->scores[k].formula >= 0)
      return ls__lerr(c, t.score, "score \"%s\" is a formula: fit rules give points to the "
                      "scores it is computed from", s);
    t.f->score = (uint32_t)k;
  } else if (m->nscores > 1) {
    return ls__lerr(c, e, "the fit rule needs `score: NAME` because the model has %zu scores",
                    m->nscores);
  }
  if (m->scores[t.f->score].by >= 0)
    return ls__lerr(c, t.score ? t.score : e, "score \"%s\" is a category score (by:): "
                    "fit points are who the person is, not a category of events",
                    m->scores[t.f->score].name);
  if (m->scores[t.f->score].win_n)
    return ls__lerr(c, t.score ? t.score : e, "score \"%s\" has a window (activity over "
                    "time); fit points are who the person is: give them to another score",
                    m->scores[t.f->score].name);
  if ((r = ls__intern_key(c, t.attr, LS__SRC_ATTR, &t.f->attr))) return r;
  return fit_rows(c, &t);
}

int ls__load_fit(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "fit rules ({id: ID, attr: KEY, values: [...]})");
  if (r || n->count == 0) return r;
  if (!(m->fits = calloc(n->count, sizeof *m->fits))) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e && !r; e = ls__y_next(c, e), i++) {
    m->nfits = i + 1; /* freed with the model even when incomplete */
    m->fits[i].has_pred = -1;
    m->fits[i].slot = -1;
    ls__set_prefix(c, "fit rule %zu: ", i + 1);
    r = load_one(c, e, i);
  }
  ls__set_prefix(c, "%s", "");
  return r;
}

/* ---- groups: a cap shared by several rules ----
 *
 *   groups:
 *     - name: email
 *       rules: [newsletter_open, newsletter_click]
 *       cap: {points: 10, per: 30d}
 */

typedef struct group_tmp {
  ls__group *g;
  size_t index;
  const ls__ynode *rules;
} group_tmp;

static int group_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  group_tmp *t = obj;
  int r = ls__want_name(c, v, "group name", &t->g->name);
  for (size_t i = 0; !r && i < t->index; i++)
    if (!strcmp(c->m->groups[i].name, t->g->name))
      r = ls__lerr(c, v, "two groups are named \"%s\"", t->g->name);
  return r;
}

static int group_rules(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  int r = ls__want_seq(c, v, "rule ids");
  if (!r && v->count == 0) r = ls__lerr(c, v, "a group needs at least one rule");
  ((group_tmp *)obj)->rules = v;
  return r;
}

static int group_cap(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__load_cap(c, v, &((group_tmp *)obj)->g->cap);
}

static const ls__key group_keys[] = {
    {"name", group_name, LS__KEY_REQUIRED},
    {"rules", group_rules, LS__KEY_REQUIRED},
    {"cap", group_cap, LS__KEY_REQUIRED},
};

/* Puts the listed rules in group gi; k from the smallest of their points. */
static int group_members(ls__lctx *c, size_t gi, const ls__ynode *list) {
  ls_model *m = c->m;
  ls__group *g = &m->groups[gi];
  int64_t least = 0;
  for (const ls__ynode *e = ls__y_first(c, list); e; e = ls__y_next(c, e)) {
    const char *id = NULL;
    int r = ls__want_text(c, e, "rule id", &id);
    if (r) return r;
    size_t i = 0;
    while (i < m->nrules && strcmp(m->rules[i].id, id)) i++;
    if (i == m->nrules) return ls__lerr(c, e, "\"%s\" is not the id of a rule", id);
    ls__rule *rule = &m->rules[i];
    if (rule->group >= 0)
      return ls__lerr(c, e, "rule \"%s\" is in group \"%s\" already (a rule has one group)",
                      id, m->groups[rule->group].name);
    if (rule->points <= 0)
      return ls__lerr(c, e, "rule \"%s\" gives %lld points; a group caps rules that give "
                      "points", id, (long long)rule->points);
    rule->group = (int32_t)gi;
    if (!least || rule->points < least) least = rule->points;
  }
  if (g->cap.points < least)
    return ls__lerr(c, list, "the cap (%lld points) is below every rule's points: the group "
                    "could never give any", (long long)g->cap.points);
  int64_t k = g->cap.points / least;
  if (k > LS__MAX_CAP_K)
    return ls__lerr(c, list, "the cap allows %lld firings per period; at most %d can be "
                    "tracked (give more points per firing or lower the cap)", (long long)k,
                    LS__MAX_CAP_K);
  g->k = (int32_t)k;
  return LS_OK;
}

int ls__load_groups(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "groups ({name: NAME, rules: [...], cap: {...}})");
  if (r || n->count == 0) return r;
  if (!(m->groups = calloc(n->count, sizeof *m->groups))) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e && !r; e = ls__y_next(c, e), i++) {
    m->ngroups = i + 1;
    group_tmp t = {&m->groups[i], i, NULL};
    t.g->line = e->line;
    ls__set_prefix(c, "group %zu: ", i + 1);
    r = ls__walk_map(c, e, "group", group_keys, 3, &t);
    if (!r) {
      ls__set_prefix(c, "group \"%s\": ", t.g->name);
      r = group_members(c, i, t.rules);
    }
  }
  ls__set_prefix(c, "%s", "");
  return r;
}
