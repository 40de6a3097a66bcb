/* Sections `grades` (bands mapping a score to a letter or a level) and
 * `matrix` (a cell per person from two grades, e.g. B3). */
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

#define MAX_BANDS 64
#define MAX_LABEL 16

/* A name of the condition language that is free: not a score, a grade, the
 * matrix, or a reserved word. */
static int free_name(ls__lctx *c, const ls__ynode *v, const char *name, size_t upto) {
  const ls_model *m = c->m;
  if (ls__reserved_word(name))
    return ls__lerr(c, v, "\"%s\" is a reserved word in conditions", name);
  if (ls__find_score(m, name, strlen(name)) >= 0)
    return ls__lerr(c, v, "\"%s\" already names a score", name);
  for (size_t i = 0; i < upto; i++)
    if (!strcmp(m->grades[i].name, name))
      return ls__lerr(c, v, "two grades are named \"%s\"", name);
  return LS_OK;
}

typedef struct grade_tmp {
  ls__grade *g;
  size_t index;
  const ls__ynode *score;
} grade_tmp;

typedef struct band_tmp {
  ls__gband *b;
  const ls__ynode *label;
} band_tmp;

static int gb_at_least(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  ls__gband *b = ((band_tmp *)obj)->b;
  b->has_at_least = true;
  return ls__want_int(c, v, "at_least", -LS__MAX_POINTS, LS__MAX_POINTS, &b->at_least);
}

static int gb_label(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  band_tmp *t = obj;
  int r = ls__want_str(c, v, "label", false, &t->b->label);
  if (r) return r;
  size_t n = strlen(t->b->label);
  bool ok = n <= MAX_LABEL && t->b->label[0] != '+' && t->b->label[0] != '-';
  for (size_t i = 0; i < n && ok; i++) {
    char ch = t->b->label[i];
    ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '+' || ch == '-';
  }
  if (!ok)
    return ls__lerr(c, v, "a band label is 1 to %d letters, digits, _, + or -, not "
                    "starting with + or - (A, 3, hot+), got \"%s\"", MAX_LABEL, t->b->label);
  t->label = v;
  return LS_OK;
}

static const ls__key gband_keys[] = {
    {"at_least", gb_at_least, 0},
    {"label", gb_label, LS__KEY_REQUIRED},
};

static int cmp_gband(const void *a, const void *b) {
  const ls__gband *x = a, *y = b;
  if (x->has_at_least != y->has_at_least) return x->has_at_least ? -1 : 1;
  return x->at_least < y->at_least ? 1 : x->at_least > y->at_least ? -1 : 0;
}

static int grade_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  grade_tmp *t = obj;
  int r = ls__want_ident(c, v, "grade name", &t->g->name);
  return r ? r : free_name(c, v, t->g->name, t->index);
}

static int grade_score(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  const char *s = NULL;
  int r = ls__want_text(c, v, "score", &s);
  if (r) return r;
  int i = ls__find_score(c->m, s, v->len);
  if (i < 0) return ls__lerr(c, v, "unknown score \"%s\"", s);
  ((grade_tmp *)obj)->g->score = (uint32_t)i;
  return LS_OK;
}

static int grade_bands(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  ls__grade *g = ((grade_tmp *)obj)->g;
  int r = ls__want_seq(c, v, "bands ({at_least: N, label: A}, ..., {label: D})");
  if (r) return r;
  if (v->count == 0 || v->count > MAX_BANDS)
    return ls__lerr(c, v, "a grade needs 1 to %d bands", MAX_BANDS);
  if (!(g->bands = calloc(v->count, sizeof *g->bands))) return ls__oom(c);
  const ls__ynode *catch_all = NULL;
  for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e)) {
    band_tmp t = {&g->bands[g->nbands], NULL};
    g->nbands++; /* counted first: its label is freed with the model on error */
    if ((r = ls__walk_map(c, e, "grade band", gband_keys, 2, &t))) return r;
    for (size_t i = 0; i + 1 < g->nbands; i++) {
      if (!strcmp(g->bands[i].label, t.b->label))
        return ls__lerr(c, t.label, "two bands are labelled \"%s\"", t.b->label);
      if (t.b->has_at_least && g->bands[i].has_at_least && g->bands[i].at_least == t.b->at_least)
        return ls__lerr(c, e, "two bands have at_least %lld", (long long)t.b->at_least);
    }
    if (!t.b->has_at_least) {
      if (catch_all)
        return ls__lerr(c, e, "only one band can leave out at_least (the lowest)");
      catch_all = e;
    }
  }
  if (!catch_all)
    return ls__lerr(c, v, "one band needs no at_least: the label of every score below "
                    "the others (e.g. {label: D})");
  qsort(g->bands, g->nbands, sizeof *g->bands, cmp_gband);
  return LS_OK;
}

static const ls__key grade_keys[] = {
    {"name", grade_name, LS__KEY_REQUIRED},
    {"score", grade_score, LS__KEY_REQUIRED},
    {"bands", grade_bands, LS__KEY_REQUIRED},
};

int ls__load_grades(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "grades ({name: NAME, score: SCORE, bands: [...]})");
  if (r) return r;
  if (n->count == 0) return LS_OK;
  if (!(m->grades = calloc(n->count, sizeof *m->grades))) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e; e = ls__y_next(c, e), i++) {
    grade_tmp t = {&m->grades[i], i, NULL};
    t.g->line = e->line;
    m->ngrades = i + 1; /* freed with the model even when incomplete */
    ls__set_prefix(c, "grade %zu: ", i + 1);
    if ((r = ls__walk_map(c, e, "grade", grade_keys, 3, &t))) return r;
  }
  ls__set_prefix(c, "%s", "");
  return LS_OK;
}

/* ---- matrix ---- */

static int find_grade(ls__lctx *c, const ls__ynode *v, const char *what, int32_t *out) {
  const char *s = NULL;
  int r = ls__want_text(c, v, what, &s);
  if (r) return r;
  for (size_t i = 0; i < c->m->ngrades; i++)
    if (strlen(c->m->grades[i].name) == v->len && !memcmp(c->m->grades[i].name, s, v->len)) {
      *out = (int32_t)i;
      return LS_OK;
    }
  return ls__lerr(c, v, "%s: unknown grade \"%s\"%s", what, s,
                  c->m->ngrades ? "" : " (the model has no grades: section)");
}

static int mx_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  (void)obj;
  int r = ls__want_ident(c, v, "matrix name", &c->m->matrix_name);
  return r ? r : free_name(c, v, c->m->matrix_name, c->m->ngrades);
}
static int mx_rows(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  (void)obj;
  return find_grade(c, v, "rows", &c->m->matrix_rows);
}
static int mx_cols(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  *(const ls__ynode **)obj = v;
  return find_grade(c, v, "columns", &c->m->matrix_cols);
}

static const ls__key matrix_keys[] = {
    {"name", mx_name, LS__KEY_REQUIRED},
    {"rows", mx_rows, LS__KEY_REQUIRED},
    {"columns", mx_cols, LS__KEY_REQUIRED},
};

int ls__load_matrix(ls__lctx *c, const ls__ynode *n) {
  const ls__ynode *cols = NULL;
  ls__set_prefix(c, "%s", "matrix: ");
  int r = ls__walk_map(c, n, "matrix ({name: cell, rows: GRADE, columns: GRADE})", matrix_keys,
                       3, &cols);
  if (!r && c->m->matrix_rows == c->m->matrix_cols)
    r = ls__lerr(c, cols, "rows and columns must be two different grades");
  ls__set_prefix(c, "%s", "");
  return r;
}
