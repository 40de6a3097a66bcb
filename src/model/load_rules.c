/* Sections `scores`, `visits` and `rules`. */
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

static bool same(const char *a, const char *b, size_t blen) {
  return strlen(a) == blen && memcmp(a, b, blen) == 0;
}

int ls__find_score(const ls_model *m, const char *name, size_t len) {
  for (size_t i = 0; i < m->nscores; i++)
    if (m->scores[i].name && same(m->scores[i].name, name, len)) return (int)i;
  return -1;
}

/* ---- scores ---- */

typedef struct score_tmp {
  ls__score *s;
  size_t index;
  const ls__ynode *formula;  /* formula: value */
  const ls__ynode *stateful; /* the first of initial, decay, max, min */
  const ls__ynode *window;   /* the window key */
  const ls__ynode *by, *keep, *initial; /* those keys */
} score_tmp;

static int band_at_least(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                         void *obj) {
  (void)k;
  return ls__want_int(c, v, "at_least", -LS__MAX_POINTS, LS__MAX_POINTS,
                      &((ls__band *)obj)->at_least);
}

static int band_points(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  (void)k;
  return ls__want_int(c, v, "points", -LS__MAX_POINTS, LS__MAX_POINTS,
                      &((ls__band *)obj)->points);
}

static const ls__key band_keys[] = {
    {"at_least", band_at_least, LS__KEY_REQUIRED},
    {"points", band_points, LS__KEY_REQUIRED},
};

static int cmp_band(const void *a, const void *b) {
  int64_t x = ((const ls__band *)a)->at_least;
  int64_t y = ((const ls__band *)b)->at_least;
  return x < y ? 1 : x > y ? -1 : 0;
}

static int decay_every(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  (void)k;
  return ls__want_duration(c, v, "every", &((score_tmp *)obj)->s->decay_every);
}

static int decay_bands(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  (void)k;
  ls__score *s = ((score_tmp *)obj)->s;
  int r = ls__want_seq(c, v, "decay bands ({at_least: N, points: N})");
  if (r) return r;
  if (v->count == 0)
    return ls__lerr(c, v, "bands needs at least one {at_least: N, points: N}");
  s->bands = calloc(v->count, sizeof *s->bands);
  if (!s->bands) return ls__oom(c);
  for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e)) {
    ls__band *b = &s->bands[s->nbands];
    if ((r = ls__walk_map(c, e, "decay band", band_keys, 2, b))) return r;
    for (size_t i = 0; i < s->nbands; i++)
      if (s->bands[i].at_least == b->at_least)
        return ls__lerr(c, e, "two decay bands have at_least %lld; each band "
                        "needs its own threshold", (long long)b->at_least);
    s->nbands++;
  }
  qsort(s->bands, s->nbands, sizeof *s->bands, cmp_band);
  return LS_OK;
}

static int decay_floor(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  (void)k;
  ls__score *s = ((score_tmp *)obj)->s;
  s->has_floor = true;
  return ls__want_int(c, v, "floor", -LS__MAX_POINTS, LS__MAX_POINTS,
                      &s->floor);
}

static int decay_half_life(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  ls__score *s = ((score_tmp *)obj)->s;
  s->half_life = true;
  return ls__want_duration(c, v, "half_life", &s->decay_every);
}

static const ls__key decay_keys[] = {
    {"every", decay_every, 0},
    {"bands", decay_bands, 0},
    {"half_life", decay_half_life, 0},
    {"floor", decay_floor, 0},
};

bool ls__reserved_word(const char *name) {
  static const char *const reserved[] = {"and", "or", "not", "identified", "in", "stage",
                                         "route"};
  for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    if (!strcmp(name, reserved[i])) return true;
  return false;
}

static int score_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                      void *obj) {
  (void)k;
  score_tmp *t = obj;
  int r = ls__want_ident(c, v, "score name", &t->s->name);
  if (r) return r;
  if (ls__reserved_word(t->s->name))
    return ls__lerr(c, v, "\"%s\" is a reserved word in conditions and "
                    "cannot name a score", t->s->name);
  for (size_t i = 0; i < t->index; i++)
    if (!strcmp(c->m->scores[i].name, t->s->name))
      return ls__lerr(c, v, "two scores are named \"%s\"", t->s->name);
  return LS_OK;
}

static int score_initial(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                         void *obj) {
  if (!((score_tmp *)obj)->stateful) ((score_tmp *)obj)->stateful = k;
  ((score_tmp *)obj)->initial = k;
  return ls__want_int(c, v, "initial", -LS__MAX_POINTS, LS__MAX_POINTS,
                      &((score_tmp *)obj)->s->initial);
}

static int score_decay(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  if (!((score_tmp *)obj)->stateful) ((score_tmp *)obj)->stateful = k;
  (void)k;
  int r = ls__walk_map(c, v, "decay", decay_keys, sizeof decay_keys / sizeof decay_keys[0], obj);
  if (r) return r;
  /* banded steps (every + bands) or halving (half_life), not both */
  const ls__ynode *every = ls__map_get(c, v, "every"), *bands = ls__map_get(c, v, "bands");
  const ls__ynode *half = ls__map_get(c, v, "half_life");
  if (half && (every || bands))
    return ls__lerr(c, every ? every : bands, "half_life decays on its own clock; it takes no "
                    "every: or bands:");
  if (!half && !every)
    return ls__lerr(c, v, "decay is missing the required key \"every\" (or use half_life: D)");
  if (!half && !bands)
    return ls__lerr(c, v, "decay is missing the required key \"bands\"");
  return LS_OK;
}

static int score_max(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  if (!((score_tmp *)obj)->stateful) ((score_tmp *)obj)->stateful = k;
  (void)k;
  ls__score *s = ((score_tmp *)obj)->s;
  s->has_max = true;
  return ls__want_int(c, v, "max", -LS__MAX_POINTS, LS__MAX_POINTS, &s->max);
}

static int score_min(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  if (!((score_tmp *)obj)->stateful) ((score_tmp *)obj)->stateful = k;
  (void)k;
  ls__score *s = ((score_tmp *)obj)->s;
  s->has_min = true;
  return ls__want_int(c, v, "min", -LS__MAX_POINTS, LS__MAX_POINTS, &s->min);
}

static int score_formula(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)c;
  (void)k;
  ((score_tmp *)obj)->formula = v; /* compiled once every score is named */
  return LS_OK;
}

static int win_length(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_duration(c, v, "length", (int64_t *)obj);
}
static int win_step(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_duration(c, v, "step", (int64_t *)obj + 1);
}
static const ls__key window_keys[] = {
    {"length", win_length, LS__KEY_REQUIRED},
    {"step", win_step, LS__KEY_REQUIRED},
};

static int score_window(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  score_tmp *t = obj;
  if (!t->stateful) t->stateful = k;
  int64_t ls[2] = {0, 0};
  int r = ls__walk_map(c, v, "window ({length: 90d, step: 1d})", window_keys, 2, ls);
  if (r) return r;
  if (ls[0] % ls[1] || ls[0] / ls[1] > 64)
    return ls__lerr(c, v, "the window's length must be 1 to 64 steps (a multiple of step)");
  t->s->win_step = ls[1];
  t->s->win_n = (int32_t)(ls[0] / ls[1]);
  t->window = k;
  return LS_OK;
}

static int score_by(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  score_tmp *t = obj;
  t->by = k;
  uint32_t key = 0;
  int r = ls__intern_key(c, v, LS__SRC_PROP, &key);
  t->s->by = (int32_t)key;
  return r;
}

static int score_keep(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  score_tmp *t = obj;
  t->keep = k;
  int64_t n = 0;
  int r = ls__want_int(c, v, "keep", 1, LS__MAX_KEEP, &n);
  t->s->keep = (int32_t)n;
  return r;
}

/* A category family: what a plain score has that a family cannot. */
static int family_check(ls__lctx *c, const score_tmp *t) {
  if (!t->by) {
    if (t->keep) return ls__lerr(c, t->keep, "keep: is for category scores (by: PROP)");
    return LS_OK;
  }
  if (t->formula)
    return ls__lerr(c, t->by, "a formula score cannot be a category score (by:)");
  if (t->window)
    return ls__lerr(c, t->window, "a category score cannot have a window (yet): "
                    "use decay");
  if (t->initial)
    return ls__lerr(c, t->initial, "a category score has no initial: each "
                    "category starts at 0");
  return LS_OK;
}

static const ls__key score_keys[] = {
    {"name", score_name, LS__KEY_REQUIRED},
    {"formula", score_formula, 0},
    {"initial", score_initial, 0},
    {"decay", score_decay, 0},
    {"max", score_max, 0},
    {"min", score_min, 0},
    {"window", score_window, 0},
    {"by", score_by, 0},
    {"keep", score_keep, 0},
};

/* Bounds that every value of the score must respect, its initial included. */
static int score_check(ls__lctx *c, const ls__ynode *n, const ls__score *s) {
  if (s->has_max && s->has_min && s->min > s->max)
    return ls__lerr(c, n, "min (%lld) is above max (%lld)", (long long)s->min,
                    (long long)s->max);
  if ((s->has_max && s->initial > s->max) || (s->has_min && s->initial < s->min))
    return ls__lerr(c, n, "initial (%lld) is outside min..max", (long long)s->initial);
  return LS_OK;
}

/* Compiles score i's formula: it may use plain scores and the formula
 * scores declared before it (so formulas never go round in a cycle). */
static int compile_formula(ls__lctx *c, size_t i, const ls__ynode *const *formulas) {
  ls_model *m = c->m;
  const ls__ynode *v = formulas[i];
  ls__set_prefix(c, "score \"%s\": ", m->scores[i].name);
  size_t first = m->nexprs;
  int r = ls__formula_compile(c, v, "formula", &m->scores[i].formula);
  for (size_t k = first; k < m->nexprs && !r; k++) {
    const ls__expr *x = &m->exprs[k];
    if (x->op != LS__X_SCORE) continue;
    size_t j = (size_t)x->a;
    if (j == i || (j > i && formulas[j]))
      r = ls__lerr(c, v, "the formula uses score \"%s\", %s", m->scores[j].name,
                   j == i ? "itself" : "a formula score declared after it (declare it first)");
  }
  return r;
}

int ls__load_scores(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "scores ({name: NAME, ...})");
  if (r) return r;
  if (n->count == 0)
    return ls__lerr(c, n, "the model needs at least one score "
                    "(- name: score)");
  if (!(m->scores = calloc(n->count, sizeof *m->scores))) return ls__oom(c);
  m->nscores = n->count;
  const ls__ynode **formulas = calloc(n->count, sizeof *formulas);
  if (!formulas) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e; e = ls__y_next(c, e), i++) {
    score_tmp t = {&m->scores[i], i, NULL, NULL, NULL, NULL, NULL, NULL};
    t.s->formula = -1;
    t.s->by = t.s->fam = -1;
    t.s->keep = LS__DEFAULT_KEEP;
    t.s->line = e->line;
    const ls__ynode *name = ls__map_get(c, e, "name");
    char buf[64];
    if (name && name->kind == LS__Y_SCALAR && name->len > 0)
      ls__set_prefix(c, "score \"%s\": ", ls__show(buf, sizeof buf,
                                                    ls__y_text(c, name),
                                                    name->len));
    else
      ls__set_prefix(c, "score %zu: ", i + 1);
    r = ls__walk_map(c, e, "score", score_keys,
                     sizeof score_keys / sizeof score_keys[0], &t);
    if (!r) r = score_check(c, e, t.s);
    if (!r) r = family_check(c, &t);
    if (!r && t.window && (t.s->decay_every || t.s->has_min))
      r = ls__lerr(c, t.window, "a window is how the score forgets: it takes no decay and "
                   "no min");
    if (!r && t.formula && t.stateful)
      r = ls__lerr(c, t.stateful, "a formula score is computed from other scores; it "
                   "has no %s (give them to the scores it uses)", ls__y_text(c, t.stateful));
    formulas[i] = t.formula;
    if (r) {
      free(formulas);
      return r;
    }
  }
  for (i = 0; i < m->nscores && !r; i++)
    if (formulas[i]) r = compile_formula(c, i, formulas);
  free(formulas);
  for (i = 0; i < m->nscores && !r; i++)
    if (m->scores[i].by >= 0) m->nfams++;
  if (!r && m->nfams && !(m->fam_score = malloc(m->nfams * sizeof *m->fam_score)))
    r = ls__oom(c);
  for (size_t f = 0, j = 0; !r && j < m->nscores; j++)
    if (m->scores[j].by >= 0) {
      m->scores[j].fam = (int32_t)f;
      m->fam_score[f++] = (uint32_t)j;
    }
  ls__set_prefix(c, "%s", "");
  return r;
}

/* ---- visits ---- */

static int visits_on(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                     void *obj) {
  (void)k;
  (void)obj;
  uint16_t t = 0;
  int r = ls__intern_type(c, v, &t);
  c->m->visit_type = t;
  return r;
}

static int visits_gap(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                      void *obj) {
  (void)k;
  (void)obj;
  return ls__want_duration(c, v, "gap", &c->m->visit_gap);
}

static const ls__key visits_keys[] = {
    {"on", visits_on, LS__KEY_REQUIRED},
    {"gap", visits_gap, LS__KEY_REQUIRED},
};

int ls__load_visits(ls__lctx *c, const ls__ynode *n) {
  return ls__walk_map(c, n, "visits", visits_keys, 2, NULL);
}

/* ---- rules ---- */

typedef struct rule_tmp {
  ls__rule *r;
  size_t index;
  const ls__ynode *score;   /* score: value */
  const ls__ynode *on;      /* on: value */
  const ls__ynode *visit_only; /* visit_page / visit_start key */
  const ls__ynode *needs_visits; /* first key that needs a visits section */
  const ls__ynode *cap;          /* the cap key */
  const ls__ynode *sequence, *within; /* the sequence and within keys */
} rule_tmp;

static void needs_visits(rule_tmp *t, const ls__ynode *k) {
  if (!t->needs_visits) t->needs_visits = k;
}

static int rule_id(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  (void)k;
  rule_tmp *t = obj;
  int r = ls__want_name(c, v, "rule id", &t->r->id);
  if (r) return r;
  for (size_t i = 0; i < t->index; i++)
    if (!strcmp(c->m->rules[i].id, t->r->id))
      return ls__lerr(c, v, "two rules have the id \"%s\" (the other is at "
                      "line %u)", t->r->id, c->m->rules[i].line);
  return LS_OK;
}

typedef struct labels {
  char **en, **ja;
} labels;

static int label_en(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                    void *obj) {
  (void)k;
  return ls__want_str(c, v, "label en", false, ((labels *)obj)->en);
}

static int label_ja(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                    void *obj) {
  (void)k;
  return ls__want_str(c, v, "label ja", false, ((labels *)obj)->ja);
}

static const ls__key label_keys[] = {
    {"en", label_en, 0},
    {"ja", label_ja, 0},
};

int ls__load_label(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, char **en, char **ja) {
  labels l = {en, ja};
  if (v->kind == LS__Y_MAP) return ls__walk_map(c, v, "label", label_keys, 2, &l);
  return label_en(c, k, v, &l);
}

static int rule_label(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                      void *obj) {
  rule_tmp *t = obj;
  return ls__load_label(c, k, v, &t->r->label_en, &t->r->label_ja);
}

static int rule_on(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  (void)k;
  rule_tmp *t = obj;
  ls__rule *r = t->r;
  t->on = v;
  size_t n = v->kind == LS__Y_SEQ ? v->count : 1;
  if (v->kind == LS__Y_SEQ && n == 0)
    return ls__lerr(c, v, "on needs at least one event type (leave `on:` out "
                    "to match every type)");
  if (n > LS__MAX_ITEMS)
    return ls__lerr(c, v, "too many event types (at most %d)", LS__MAX_ITEMS);
  if (!(r->types = calloc(n, sizeof *r->types))) return ls__oom(c);
  const ls__ynode *e = v->kind == LS__Y_SEQ ? ls__y_first(c, v) : v;
  for (; e; e = v->kind == LS__Y_SEQ ? ls__y_next(c, e) : NULL) {
    uint16_t ty;
    int rc = ls__intern_type(c, e, &ty);
    if (rc) return rc;
    for (size_t i = 0; i < r->ntypes; i++)
      if (r->types[i] == ty)
        return ls__lerr(c, e, "event type \"%s\" is listed twice",
                        c->m->types[ty]);
    r->types[r->ntypes++] = ty;
  }
  return LS_OK;
}

static int rule_if(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  (void)k;
  return ls__load_if(c, v, &c->rule_preds[((rule_tmp *)obj)->index]);
}

static int rule_points(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  (void)k;
  return ls__want_int(c, v, "points", -LS__MAX_POINTS, LS__MAX_POINTS,
                      &((rule_tmp *)obj)->r->points);
}

static int rule_score(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                      void *obj) {
  (void)k;
  const char *s = NULL;
  ((rule_tmp *)obj)->score = v;
  return ls__want_text(c, v, "score", &s);
}

static int rule_visit_page(ls__lctx *c, const ls__ynode *k,
                           const ls__ynode *v, void *obj) {
  rule_tmp *t = obj;
  int64_t n = 0;
  int r = ls__want_int(c, v, "visit_page", 1, 1000000, &n);
  t->r->visit_page = (int32_t)n;
  t->visit_only = k;
  needs_visits(t, k);
  return r;
}

static int rule_visit_start(ls__lctx *c, const ls__ynode *k,
                            const ls__ynode *v, void *obj) {
  rule_tmp *t = obj;
  bool b = false;
  int r = ls__want_bool(c, v, "visit_start", &b);
  t->r->visit_start = b ? 1 : 0;
  if (!t->visit_only) t->visit_only = k;
  needs_visits(t, k);
  return r;
}

/* recent: {visit_start: true | on: TYPE | rule: ID, within: DUR} */
static int recent_kind(ls__lctx *c, const ls__ynode *k, rule_tmp *t,
                       uint8_t kind) {
  if (t->r->recent_kind != LS__RECENT_NONE)
    return ls__lerr(c, k, "recent looks back for one thing: visit_start, on "
                    "or rule, not two");
  t->r->recent_kind = kind;
  return LS_OK;
}

static int recent_visit_start(ls__lctx *c, const ls__ynode *k,
                              const ls__ynode *v, void *obj) {
  rule_tmp *t = obj;
  bool b = false;
  int r = recent_kind(c, k, t, LS__RECENT_VISIT_START);
  if (!r) r = ls__want_bool(c, v, "visit_start", &b);
  if (!r && !b)
    return ls__lerr(c, v, "recent: {visit_start: false} means nothing; write "
                    "visit_start: true or leave it out");
  needs_visits(t, k);
  return r;
}

static int recent_on(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                     void *obj) {
  rule_tmp *t = obj;
  uint16_t ty = 0;
  int r = recent_kind(c, k, t, LS__RECENT_TYPE);
  if (!r) r = ls__intern_type(c, v, &ty);
  t->r->recent_arg = ty;
  return r;
}

static int recent_rule(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  rule_tmp *t = obj;
  const char *s = NULL;
  int r = recent_kind(c, k, t, LS__RECENT_RULE);
  if (!r) r = ls__want_text(c, v, "rule", &s);
  c->rule_recent_rule[t->index] = v; /* resolved once every rule is read */
  return r;
}

static int recent_within(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                         void *obj) {
  (void)k;
  return ls__want_duration(c, v, "within", &((rule_tmp *)obj)->r->recent_within);
}

static const ls__key recent_keys[] = {
    {"visit_start", recent_visit_start, 0},
    {"on", recent_on, 0},
    {"rule", recent_rule, 0},
    {"within", recent_within, LS__KEY_REQUIRED},
};

static int rule_recent(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                       void *obj) {
  (void)k;
  rule_tmp *t = obj;
  int r = ls__walk_map(c, v, "recent", recent_keys, 4, t);
  if (!r && t->r->recent_kind == LS__RECENT_NONE)
    return ls__lerr(c, v, "recent needs what to look back for: visit_start: "
                    "true, on: TYPE or rule: RULE_ID");
  return r;
}

static int rule_first_value(ls__lctx *c, const ls__ynode *k,
                            const ls__ynode *v, void *obj) {
  (void)k;
  uint32_t key = 0;
  int r = ls__intern_key(c, v, LS__SRC_ATTR, &key);
  ((rule_tmp *)obj)->r->first_value = (int32_t)key;
  return r;
}

static int rule_once_per(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                         void *obj) {
  rule_tmp *t = obj;
  ls__rule *r = t->r;
  char buf[64];
  if (v->kind == LS__Y_SCALAR && v->style == LS__YS_PLAIN) {
    const char *s = ls__y_text(c, v);
    if (!strcmp(s, "visit")) {
      r->once = LS__ONCE_PER_VISIT;
      needs_visits(t, k);
      return LS_OK;
    }
    if (!strcmp(s, "person")) {
      r->once = LS__ONCE_PER_PERSON;
      return LS_OK;
    }
  }
  int64_t d = 0;
  if (v->kind != LS__Y_SCALAR || ls__is_null(c, v) ||
      !ls_duration_parse(ls__y_text(c, v), v->len, &d))
    return ls__lerr(c, v, "expected once_per: a duration like 7d or 12h, "
                    "visit, or person; got %s", ls__what(c, v, buf, sizeof buf));
  r->once = LS__ONCE_PER_PERIOD;
  return ls__want_duration(c, v, "once_per", &r->once_period);
}

static int cap_points(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_int(c, v, "cap points", 1, LS__MAX_POINTS, &((ls__capdef *)obj)->points);
}

static int cap_per(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_duration(c, v, "cap per", &((ls__capdef *)obj)->per);
}

static const ls__key cap_keys[] = {
    {"points", cap_points, LS__KEY_REQUIRED},
    {"per", cap_per, LS__KEY_REQUIRED},
};

int ls__load_cap(ls__lctx *c, const ls__ynode *v, ls__capdef *out) {
  return ls__walk_map(c, v, "cap ({points: N, per: DURATION})", cap_keys, 2, out);
}

static int rule_in_stages(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  rule_tmp *t = obj;
  if (v->kind == LS__Y_SCALAR) { /* one stage */
    c->rule_in_stages[t->index] = v;
    return LS_OK;
  }
  int r = ls__want_seq(c, v, "stage names for in_stages");
  if (r) return r;
  if (v->count == 0) return ls__lerr(c, v, "in_stages needs at least one stage");
  c->rule_in_stages[t->index] = v; /* resolved once the stages are read */
  return LS_OK;
}

int ls__resolve_rule_stages(ls__lctx *c) {
  ls_model *m = c->m;
  size_t words = (m->nstages + 63) / 64;
  for (size_t i = 0; i < m->nrules; i++) {
    const ls__ynode *v = c->rule_in_stages[i];
    if (!v) continue;
    ls__set_prefix(c, "rule \"%s\": ", m->rules[i].id);
    uint64_t *set = calloc(words, sizeof *set);
    if (!set) return ls__oom(c);
    m->rules[i].in_stages = set;
    const ls__ynode *e = v->kind == LS__Y_SCALAR ? v : ls__y_first(c, v);
    for (; e; e = v->kind == LS__Y_SCALAR ? NULL : ls__y_next(c, e)) {
      uint16_t st;
      int r = ls__find_stage(c, e, "in_stages", &st);
      if (r) return r;
      set[st >> 6] |= UINT64_C(1) << (st & 63);
    }
  }
  ls__set_prefix(c, "%s", "");
  return LS_OK;
}

typedef struct step_tmp {
  ls__seqstep *s;
  const ls__ynode *on;
} step_tmp;

static int step_on(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  ((step_tmp *)obj)->on = v;
  return ls__intern_type(c, v, &((step_tmp *)obj)->s->type);
}

static int step_if(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  step_tmp *t = obj;
  if (ls__grow((void **)&c->step_preds, &c->step_preds_cap, c->nstep_preds + 1,
               sizeof *c->step_preds))
    return ls__oom(c);
  memset(&c->step_preds[c->nstep_preds], 0, sizeof *c->step_preds);
  t->s->plist = (uint32_t)c->nstep_preds++;
  return ls__load_if(c, v, &c->step_preds[t->s->plist]);
}

static const ls__key step_keys[] = {
    {"on", step_on, LS__KEY_REQUIRED},
    {"if", step_if, 0},
};

static int rule_sequence(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  rule_tmp *t = obj;
  ls__rule *r = t->r;
  t->sequence = k;
  int rc = ls__want_seq(c, v, "sequence steps ({on: TYPE, if: [...]})");
  if (rc) return rc;
  if (v->count < 2 || v->count > 16)
    return ls__lerr(c, v, "a sequence has 2 to 16 steps");
  /* an empty predicate list for steps without if: */
  if (ls__grow((void **)&c->step_preds, &c->step_preds_cap, c->nstep_preds + 1,
               sizeof *c->step_preds))
    return ls__oom(c);
  memset(&c->step_preds[c->nstep_preds], 0, sizeof *c->step_preds);
  uint32_t none = (uint32_t)c->nstep_preds++;
  if (!(r->steps = calloc(v->count, sizeof *r->steps))) return ls__oom(c);
  for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e)) {
    step_tmp st = {&r->steps[r->nsteps], NULL};
    st.s->plist = none;
    r->nsteps++;
    if ((rc = ls__walk_map(c, e, "sequence step", step_keys, 2, &st))) return rc;
  }
  return LS_OK;
}

static int rule_within(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  rule_tmp *t = obj;
  t->within = k;
  return ls__want_duration(c, v, "within", &t->r->seq_within);
}

static int rule_cap(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  rule_tmp *t = obj;
  t->cap = k;
  return ls__load_cap(c, v, &t->r->cap);
}

/* A later version adds here: category, stages (stage-scoped rules),
 * sequence conditions, ... */
static const ls__key rule_keys[] = {
    {"id", rule_id, LS__KEY_REQUIRED},
    {"label", rule_label, 0},
    {"on", rule_on, 0},
    {"if", rule_if, 0},
    {"points", rule_points, LS__KEY_REQUIRED},
    {"score", rule_score, 0},
    {"visit_page", rule_visit_page, 0},
    {"visit_start", rule_visit_start, 0},
    {"recent", rule_recent, 0},
    {"first_value", rule_first_value, 0},
    {"once_per", rule_once_per, 0},
    {"cap", rule_cap, 0},
    {"in_stages", rule_in_stages, 0},
    {"sequence", rule_sequence, 0},
    {"within", rule_within, 0},
};

/* Checks that need the whole rule. */
static int rule_check(ls__lctx *c, const ls__ynode *n, rule_tmp *t) {
  ls_model *m = c->m;
  ls__rule *r = t->r;
  if (t->score) {
    int s = ls__find_score(m, ls__y_text(c, t->score), t->score->len);
    if (s < 0) {
      char buf[64];
      return ls__lerr(c, t->score, "unknown score %s (scores: %s%s)",
                      ls__what(c, t->score, buf, sizeof buf),
                      m->scores[0].name, m->nscores > 1 ? ", ..." : "");
    }
    r->score = (uint32_t)s;
    if (m->scores[s].formula >= 0)
      return ls__lerr(c, t->score, "score \"%s\" is a formula: rules give points to the "
                      "scores it is computed from", m->scores[s].name);
  } else if (m->nscores > 1) {
    return ls__lerr(c, n, "the rule needs `score: NAME` because the model has "
                    "%zu scores", m->nscores);
  }
  if (t->sequence) {
    if (t->on || c->rule_preds[t->index].n)
      return ls__lerr(c, t->sequence, "a sequence rule has no on: or if: of its own (the "
                      "steps say which events; the last step's event fires it)");
    if (!t->within)
      return ls__lerr(c, t->sequence, "a sequence needs within: DURATION (the time from the "
                      "first step to the last)");
    /* the rule is looked at for the events of every step */
    if (!(r->types = calloc(r->nsteps, sizeof *r->types))) return ls__oom(c);
    for (size_t k = 0; k < r->nsteps; k++) {
      size_t j = 0;
      while (j < r->ntypes && r->types[j] != r->steps[k].type) j++;
      if (j == r->ntypes) r->types[r->ntypes++] = r->steps[k].type;
    }
  } else if (t->within) {
    return ls__lerr(c, t->within, "within: goes with sequence:");
  }
  if (t->cap) {
    if (r->points <= 0)
      return ls__lerr(c, t->cap, "cap applies to rules that give points (points > 0)");
    if (r->cap.points < r->points)
      return ls__lerr(c, t->cap, "cap points (%lld) are fewer than the rule's points (%lld): "
                      "it would never give any", (long long)r->cap.points, (long long)r->points);
    int64_t k = r->cap.points / r->points;
    if (k > LS__MAX_CAP_K)
      return ls__lerr(c, t->cap, "the cap allows %lld firings per period; at most %d can be "
                      "tracked (give more points per firing or lower the cap)",
                      (long long)k, LS__MAX_CAP_K);
    r->cap_k = (int32_t)k;
  }
  if (t->needs_visits && m->visit_type == 0)
    return ls__lerr(c, t->needs_visits, "%s needs a `visits:` section "
                    "(which events make up visits)",
                    ls__y_text(c, t->needs_visits));
  if (t->visit_only &&
      (r->ntypes != 1 || r->types[0] != (uint16_t)m->visit_type))
    return ls__lerr(c, t->visit_only, "%s only applies to visit events; the "
                    "rule needs `on: %s`", ls__y_text(c, t->visit_only),
                    m->types[m->visit_type]);
  return LS_OK;
}

static int resolve_recent_rules(ls__lctx *c) {
  ls_model *m = c->m;
  for (size_t i = 0; i < m->nrules; i++) {
    const ls__ynode *v = c->rule_recent_rule[i];
    if (!v) continue;
    size_t j = 0;
    while (j < m->nrules && !same(m->rules[j].id, ls__y_text(c, v), v->len)) j++;
    if (j == m->nrules) {
      char buf[64];
      ls__set_prefix(c, "rule \"%s\": ", m->rules[i].id);
      return ls__lerr(c, v, "recent: rule %s is not the id of a rule",
                      ls__what(c, v, buf, sizeof buf));
    }
    m->rules[i].recent_arg = (int32_t)j;
  }
  return LS_OK;
}

int ls__load_rules(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "rules ({id: ID, points: N, ...})");
  if (r) return r;
  size_t cnt = n->count ? n->count : 1;
  m->rules = calloc(cnt, sizeof *m->rules);
  c->rule_preds = calloc(cnt, sizeof *c->rule_preds);
  c->rule_recent_rule = calloc(cnt, sizeof *c->rule_recent_rule);
  c->rule_in_stages = calloc(cnt, sizeof *c->rule_in_stages);
  if (!m->rules || !c->rule_preds || !c->rule_recent_rule || !c->rule_in_stages)
    return ls__oom(c);
  m->nrules = n->count;
  for (size_t i = 0; i < m->nrules; i++) {
    m->rules[i].group = -1;
    m->rules[i].trigger = -1;
    m->rules[i].visit_start = -1;
    m->rules[i].first_value = -1;
    m->rules[i].recent_arg = -1;
    m->rules[i].slot_last_fired = m->rules[i].slot_once = -1;
    m->rules[i].slot_prev_fired = m->rules[i].slot_fired_ord = -1;
  }
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e; e = ls__y_next(c, e), i++) {
    rule_tmp t = {&m->rules[i], i, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    t.r->line = e->line;
    const ls__ynode *id = ls__map_get(c, e, "id");
    char buf[64];
    if (id && id->kind == LS__Y_SCALAR && id->len > 0)
      ls__set_prefix(c, "rule \"%s\": ",
                     ls__show(buf, sizeof buf, ls__y_text(c, id), id->len));
    else
      ls__set_prefix(c, "rule %zu: ", i + 1);
    r = ls__walk_map(c, e, "rule", rule_keys,
                     sizeof rule_keys / sizeof rule_keys[0], &t);
    if (!r) r = rule_check(c, e, &t);
    if (r) return r;
  }
  ls__set_prefix(c, "%s", "");
  return resolve_recent_rules(c);
}
