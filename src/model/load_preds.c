/* Predicates: the `if:` lists of rules and event transitions.
 *
 *   if:
 *     - {prop: url, path_prefix: /pricing}
 *     - {attr: country, in: [JP, US], not: true}
 *
 * Each predicate reads one field (prop or attr) and applies exactly one test.
 * Identical predicates (same field, test, arguments and `not`) are stored
 * once in m->preds, so each gets one bit per event. */
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

typedef struct op_def {
  const char *name;
  uint8_t op;
  uint8_t cmp;
} op_def;

static const op_def op_defs[] = {
    {"equals", LS__P_EQUALS, 0},
    {"in", LS__P_IN, 0},
    {"contains_ci", LS__P_CONTAINS_CI, 0},
    {"prefix", LS__P_PREFIX, 0},
    {"path_prefix", LS__P_PATH_PREFIX, 0},
    {"gt", LS__P_NUM_CMP, LS__GT},
    {"gte", LS__P_NUM_CMP, LS__GE},
    {"lt", LS__P_NUM_CMP, LS__LT},
    {"lte", LS__P_NUM_CMP, LS__LE},
    {"eq", LS__P_NUM_CMP, LS__EQ},
    {"ne", LS__P_NUM_CMP, LS__NE},
    {"present", LS__P_PRESENT, 0},
};
#define NOPS (sizeof op_defs / sizeof op_defs[0])
#define OP_LIST                                                            \
  "equals, in, contains_ci, prefix, path_prefix, gt, gte, lt, lte, eq, ne, " \
  "present"

typedef struct pred_tmp {
  const ls__ynode *src_key, *src_val;
  const ls__ynode *op_key, *op_val;
  const op_def *def;
  bool negate;
} pred_tmp;

static int pred_src(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                    void *obj) {
  pred_tmp *t = obj;
  if (t->src_key)
    return ls__lerr(c, k, "a predicate reads one field: prop or attr, not "
                    "both");
  t->src_key = k;
  t->src_val = v;
  return LS_OK;
}

static int pred_not(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                    void *obj) {
  (void)k;
  return ls__want_bool(c, v, "not", &((pred_tmp *)obj)->negate);
}

static int pred_op(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  pred_tmp *t = obj;
  const op_def *d = NULL;
  for (size_t i = 0; i < NOPS; i++)
    if (strlen(op_defs[i].name) == k->len &&
        !memcmp(op_defs[i].name, ls__y_text(c, k), k->len))
      d = &op_defs[i];
  if (t->op_key)
    return ls__lerr(c, k, "a predicate has exactly one test, but this one "
                    "has both %s and %s (write two predicates in the if: "
                    "list)", t->def->name, d ? d->name : "?");
  t->op_key = k;
  t->op_val = v;
  t->def = d;
  return LS_OK;
}

static const ls__key pred_keys[] = {
    {"prop", pred_src, 0},        {"attr", pred_src, 0},
    {"equals", pred_op, 0},       {"in", pred_op, 0},
    {"contains_ci", pred_op, 0},  {"prefix", pred_op, 0},
    {"path_prefix", pred_op, 0},  {"gt", pred_op, 0},
    {"gte", pred_op, 0},          {"lt", pred_op, 0},
    {"lte", pred_op, 0},          {"eq", pred_op, 0},
    {"ne", pred_op, 0},           {"present", pred_op, 0},
    {"not", pred_not, 0},
};

static void pred_free(ls__pred *p) {
  for (size_t i = 0; i < p->nstrs; i++) free(p->strs[i]);
  free(p->strs);
  free(p->lens);
}

static bool pred_same(const ls__pred *a, const ls__pred *b) {
  if (a->src != b->src || a->op != b->op || a->cmp != b->cmp ||
      a->negate != b->negate || a->key != b->key || a->nstrs != b->nstrs ||
      !(a->num == b->num))
    return false;
  for (size_t i = 0; i < a->nstrs; i++)
    if (a->lens[i] != b->lens[i] ||
        memcmp(a->strs[i], b->strs[i], a->lens[i]) != 0)
      return false;
  return true;
}

/* Adds one string argument (a copy of scalar `n`) to p. */
static int add_arg(ls__lctx *c, ls__pred *p, const ls__ynode *n,
                   const char *what, bool allow_empty) {
  const char *s = NULL;
  int r = ls__want_text(c, n, what, &s);
  if (r) return r;
  if (!allow_empty && n->len == 0)
    return ls__lerr(c, n, "%s needs a non-empty string", what);
  char **strs = realloc(p->strs, (p->nstrs + 1) * sizeof *strs);
  if (!strs) return ls__oom(c);
  p->strs = strs;
  size_t *lens = realloc(p->lens, (p->nstrs + 1) * sizeof *lens);
  if (!lens) return ls__oom(c);
  p->lens = lens;
  if (!(p->strs[p->nstrs] = ls__strndup(s, n->len))) return ls__oom(c);
  p->lens[p->nstrs++] = n->len;
  return LS_OK;
}

static int pred_args(ls__lctx *c, const pred_tmp *t, ls__pred *p) {
  const ls__ynode *v = t->op_val;
  const char *name = t->def->name;
  bool yes = false;
  int r;
  switch (t->def->op) {
    case LS__P_EQUALS:
      return add_arg(c, p, v, name, true);
    case LS__P_IN:
      if (v->kind != LS__Y_SEQ || v->count == 0)
        return ls__lerr(c, v, "in needs a non-empty list of strings, like "
                        "[a, b]");
      if (v->count > LS__MAX_ITEMS)
        return ls__lerr(c, v, "too many strings in `in` (at most %d)",
                        LS__MAX_ITEMS);
      for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e))
        if ((r = add_arg(c, p, e, "an item of in", true))) return r;
      return LS_OK;
    case LS__P_CONTAINS_CI:
    case LS__P_PREFIX:
    case LS__P_PATH_PREFIX:
      return add_arg(c, p, v, name, false);
    case LS__P_NUM_CMP:
      return ls__want_number(c, v, name, &p->num);
    default: /* LS__P_PRESENT */
      if ((r = ls__want_bool(c, v, "present", &yes))) return r;
      if (!yes)
        return ls__lerr(c, v, "present: false is not a test; write "
                        "`present: true, not: true` to test that a field "
                        "is absent");
      return LS_OK;
  }
}

/* Stores p (consumed) in m->preds unless an identical one is there; *out
 * is its index. */
static int intern_pred(ls__lctx *c, const ls__ynode *n, ls__pred *p, uint32_t *out) {
  ls_model *m = c->m;
  size_t i = 0;
  while (i < m->npreds && !pred_same(&m->preds[i], p)) i++;
  if (i < m->npreds) {
    pred_free(p);
  } else {
    if (m->npreds >= LS__MAX_ITEMS) {
      pred_free(p);
      return ls__lerr(c, n, "too many distinct predicates (at most %d)", LS__MAX_ITEMS);
    }
    if (ls__grow((void **)&m->preds, &c->preds_cap, m->npreds + 1, sizeof *m->preds)) {
      pred_free(p);
      return ls__oom(c);
    }
    m->preds[m->npreds++] = *p;
  }
  *out = (uint32_t)i;
  return LS_OK;
}

int ls__intern_attr_pred(ls__lctx *c, const ls__ynode *n, uint8_t op, uint32_t key,
                         int32_t *out) {
  ls__pred p = {0};
  p.src = LS__SRC_ATTR;
  p.op = op;
  p.key = key;
  p.line = n->line;
  uint32_t i;
  int r = intern_pred(c, n, &p, &i);
  *out = (int32_t)i;
  return r;
}

typedef struct row_tmp {
  pred_tmp t;
  int64_t *points;
} row_tmp;

static int row_op(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  row_tmp *t = obj;
  if (t->t.op_key)
    return ls__lerr(c, k, "a row has one test, but this one has both %s and %s (a range is "
                    "two rows: {gte: 1000, ...}, {gte: 100, ...})",
                    ls__y_text(c, t->t.op_key), ls__y_text(c, k));
  return pred_op(c, k, v, &t->t);
}
static int row_points(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_int(c, v, "points", -LS__MAX_POINTS, LS__MAX_POINTS, ((row_tmp *)obj)->points);
}

static const ls__key row_keys[] = {
    {"equals", row_op, 0},      {"in", row_op, 0},   {"contains_ci", row_op, 0},
    {"prefix", row_op, 0},      {"gt", row_op, 0},   {"gte", row_op, 0},
    {"lt", row_op, 0},          {"lte", row_op, 0},  {"eq", row_op, 0},
    {"ne", row_op, 0},          {"present", row_op, 0},
    {"points", row_points, LS__KEY_REQUIRED},
};

int ls__load_fit_row(ls__lctx *c, const ls__ynode *n, uint32_t key, int32_t *pred,
                     int64_t *points) {
  row_tmp t = {{0}, points};
  int r = ls__walk_map(c, n, "fit row", row_keys, sizeof row_keys / sizeof row_keys[0], &t);
  if (r) return r;
  *pred = -1;
  if (!t.t.op_key) return LS_OK; /* the default row */
  ls__pred p = {0};
  p.src = LS__SRC_ATTR;
  p.op = t.t.def->op;
  p.cmp = t.t.def->cmp;
  p.key = key;
  p.line = n->line;
  if ((r = pred_args(c, &t.t, &p))) {
    pred_free(&p);
    return r;
  }
  uint32_t i;
  r = intern_pred(c, n, &p, &i);
  *pred = (int32_t)i;
  return r;
}

/* Walks one predicate map into *t and the test (not its key) into *p. */
static int parse_pred(ls__lctx *c, const ls__ynode *n, pred_tmp *t, ls__pred *p) {
  int r = ls__walk_map(c, n, "predicate", pred_keys,
                       sizeof pred_keys / sizeof pred_keys[0], t);
  if (r) return r;
  if (!t->src_key)
    return ls__lerr(c, n, "a predicate needs the field it reads: prop: KEY "
                    "or attr: KEY");
  if (!t->op_key)
    return ls__lerr(c, n, "a predicate needs a test (one of: " OP_LIST ")");
  p->src = ls__y_text(c, t->src_key)[0] == 'p' ? LS__SRC_PROP : LS__SRC_ATTR;
  p->op = t->def->op;
  p->cmp = t->def->cmp;
  p->negate = t->negate;
  p->line = n->line;
  return LS_OK;
}

int ls__load_attr_cond(ls__lctx *c, const ls__ynode *n, ls__acond *out) {
  pred_tmp t = {0};
  int r = parse_pred(c, n, &t, &out->p);
  if (r) return r;
  if (out->p.src != LS__SRC_ATTR)
    return ls__lerr(c, t.src_key, "an owner rule reads the person's attributes: "
                    "write attr: KEY, not prop:");
  r = ls__want_str(c, t.src_val, "attr", false, &out->attr);
  return r ? r : pred_args(c, &t, &out->p);
}

/* Compiles one predicate map and adds its index to `out`. */
static int load_pred(ls__lctx *c, const ls__ynode *n, ls__plist *out) {
  pred_tmp t = {0};
  ls__pred p = {0};
  int r = parse_pred(c, n, &t, &p);
  if (r) return r;
  r = ls__intern_key(c, t.src_val, p.src, &p.key);
  if (!r) r = pred_args(c, &t, &p);
  if (r) {
    pred_free(&p);
    return r;
  }

  uint32_t i;
  if ((r = intern_pred(c, n, &p, &i))) return r;
  for (size_t j = 0; j < out->n; j++)
    if (out->v[j] == i) return LS_OK; /* written twice in one list */
  return ls__plist_add(out, (uint32_t)i) ? LS_OK : ls__oom(c);
}

int ls__load_if(ls__lctx *c, const ls__ynode *seq, ls__plist *out) {
  char buf[64];
  if (seq->kind != LS__Y_SEQ)
    return ls__lerr(c, seq, "expected a list of predicates for if (like "
                    "`- {prop: url, path_prefix: /pricing}`), got %s",
                    ls__what(c, seq, buf, sizeof buf));
  for (const ls__ynode *e = ls__y_first(c, seq); e; e = ls__y_next(c, e)) {
    int r = load_pred(c, e, out);
    if (r) return r;
  }
  return LS_OK;
}
