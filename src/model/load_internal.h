/* The model loader's internals, shared by load*.c and expr.c.
 *
 * Loading happens in two steps:
 *   1. load.c runs libyaml's event parser over the buffer and builds a small
 *      node tree (ls__ynode, one array per load; scalar text in one pool).
 *      Anchors, aliases, tags and multi-document streams are rejected there.
 *   2. The sections are compiled from the tree into the ls_model, each by a
 *      table of key handlers (ls__key, walked by ls__walk_map): unknown and
 *      duplicate keys are reported by the walker, so adding a key to a section
 *      is adding one row and one handler.
 *
 * Every error goes through ls__lerr*(), which fills the caller's ls_diag with
 * the 1-based line/column and returns LS_EMODEL; allocation failures return
 * LS_ENOMEM (see ls__oom). Nothing here does I/O. */
#ifndef LEADSCORE_MODEL_LOAD_INTERNAL_H
#define LEADSCORE_MODEL_LOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/grow.h"
#include "ir.h"

/* ---- the node tree ---- */

#define LS__YNONE UINT32_MAX

typedef enum ls__ykind { LS__Y_SCALAR, LS__Y_MAP, LS__Y_SEQ } ls__ykind;

typedef enum ls__ystyle {
  LS__YS_PLAIN,  /* plain scalar: the only style for numbers and booleans */
  LS__YS_SQUOTE, /* 'single' */
  LS__YS_DQUOTE, /* "double" */
  LS__YS_BLOCK,  /* | or > */
  LS__YS_FLOW,   /* {…} or […] (collections) */
  LS__YS_BLOCKC  /* block collection */
} ls__ystyle;

typedef struct ls__ynode {
  uint8_t kind;   /* ls__ykind */
  uint8_t style;  /* ls__ystyle */
  unsigned line;  /* 1-based, of the node's first character */
  unsigned col;
  uint32_t first; /* first child, or LS__YNONE (maps: key, value, key, ...) */
  uint32_t next;  /* next sibling, or LS__YNONE */
  uint32_t count; /* children (maps: 2 per pair) */
  size_t off;     /* scalars: text at pool + off, NUL-terminated */
  size_t len;     /* scalars: length (the text may contain NUL bytes) */
} ls__ynode;

/* A growable list of predicate indices (an `if:` list before the predicate
 * words are known). */
typedef struct ls__plist {
  uint32_t *v;
  size_t n, cap;
} ls__plist;

/* Top-level sections, in the order they are compiled. */
enum {
  LS__SEC_LEADSCORE,
  LS__SEC_NAME,
  LS__SEC_DESCRIPTION,
  LS__SEC_SCORES,
  LS__SEC_VISITS,
  LS__SEC_RULES,
  LS__SEC_STAGES,
  LS__SEC_CADENCES,
  LS__SEC_ARMING,
  LS__SEC_TRANSITIONS,
  LS__SEC_GRADES,
  LS__SEC_MATRIX,
  LS__SEC_FIT,
  LS__SEC_GROUPS,
  LS__SEC_OWNERS,
  LS__SEC_HANDOFF,
  LS__SEC_REASONS,
  LS__SEC_TARGETS,
  LS__SEC_COUNT
};

/* Everything one load needs; owned by ls_model_load, freed by it. */
typedef struct ls__lctx {
  ls_model *m; /* being built; freed with ls_model_destroy on failure */
  ls_diag *diag;

  ls__ynode *nodes; /* the tree; nodes[0] is the root */
  size_t nnodes, nodes_cap;
  char *pool; /* scalar text */
  size_t pool_len, pool_cap;

  char prefix[96]; /* prepended to messages, e.g. `rule "page": ` */

  /* capacities of the model arrays that grow while compiling */
  size_t types_cap, props_cap, attrs_cap, preds_cap, exprs_cap;

  const ls__ynode *sec[LS__SEC_COUNT]; /* value node per section, or NULL */

  ls__plist *rule_preds;  /* [m->nrules] */
  ls__plist *trans_preds; /* [m->ntrans] */
  const ls__ynode **rule_recent_rule;  /* [m->nrules]: recent.rule value */
  const ls__ynode **rule_in_stages;    /* [m->nrules]: in_stages value */
  ls__plist *step_preds; /* sequence steps' if: lists (ls__seqstep.plist) */
  size_t nstep_preds, step_preds_cap;
  const ls__ynode **stage_cadence;     /* [m->nstages]: cadence: value */
} ls__lctx;

/* ---- tree access ---- */

static inline const ls__ynode *ls__y_at(const ls__lctx *c, uint32_t i) {
  return i == LS__YNONE ? NULL : &c->nodes[i];
}
static inline const ls__ynode *ls__y_first(const ls__lctx *c,
                                           const ls__ynode *n) {
  return ls__y_at(c, n->first);
}
static inline const ls__ynode *ls__y_next(const ls__lctx *c,
                                          const ls__ynode *n) {
  return ls__y_at(c, n->next);
}
/* The text of a scalar (NUL-terminated; see len for embedded NULs). */
static inline const char *ls__y_text(const ls__lctx *c, const ls__ynode *n) {
  return c->pool + n->off;
}

/* ---- diagnostics (load_util.c) ---- */

#if defined(__GNUC__) || defined(__clang__)
#define LS__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define LS__PRINTF(f, a)
/* Sections `owners`, `handoff` (after stages) and `reasons`
 * (load_workflow.c). */
int ls__load_owners(ls__lctx *c, const ls__ynode *n);
int ls__load_handoff(ls__lctx *c, const ls__ynode *n);
int ls__load_reasons(ls__lctx *c, const ls__ynode *n);

#endif

/* Sets the diag at node `n` (or at line/col) to prefix + message; returns
 * LS_EMODEL. */
int ls__lerr(ls__lctx *c, const ls__ynode *n, const char *fmt, ...)
    LS__PRINTF(3, 4);
int ls__lerr_at(ls__lctx *c, unsigned line, unsigned col, const char *fmt,
                ...) LS__PRINTF(4, 5);
/* Sets the diag to "out of memory" and returns LS_ENOMEM. */
int ls__oom(ls__lctx *c);
/* Sets c->prefix (printf-style); "" clears it. */
void ls__set_prefix(ls__lctx *c, const char *fmt, ...) LS__PRINTF(2, 3);
/* Writes s[0..n) for a message into buf (size >= 8): at most ~40 bytes,
 * control bytes escaped, `...` when cut. Returns buf. */
char *ls__show(char *buf, size_t size, const char *s, size_t n);
/* A short description of what a node is ("a mapping", "a list", "null",
 * "the string \"x\"", ...) for "expected X, got Y" messages. */
const char *ls__what(const ls__lctx *c, const ls__ynode *n, char *buf,
                     size_t size);

/* ---- growth: ls__grow (core/grow.h) ---- */

/* A new NUL-terminated copy of s[0..n), or NULL when out of memory. */
char *ls__strndup(const char *s, size_t n);
/* Appends v to the list; false when out of memory. */
bool ls__plist_add(ls__plist *l, uint32_t v);

#define LS__KEY_REQUIRED 1u

typedef int (*ls__key_fn)(ls__lctx *c, const ls__ynode *key,
                          const ls__ynode *val, void *obj);

typedef struct ls__key {
  const char *name;
  ls__key_fn fn;
  unsigned flags; /* LS__KEY_REQUIRED */
} ls__key;

/* Checks that `map` is a mapping (`what` names it in messages, e.g. "rule")
 * and calls the handler of every key in document order. Unknown keys,
 * duplicate keys, non-scalar keys and missing required keys are errors.
 * At most 64 keys per table. */
int ls__walk_map(ls__lctx *c, const ls__ynode *map, const char *what,
                 const ls__key *keys, size_t nkeys, void *obj);
/* The value of `key` in mapping `map`, or NULL (no checks). */
const ls__ynode *ls__map_get(const ls__lctx *c, const ls__ynode *map,
                             const char *key);
/* Checks that `n` is a sequence ("expected a list of WHAT"). */
int ls__want_seq(ls__lctx *c, const ls__ynode *n, const char *what);

/* ---- scalars (load_util.c) ---- */

bool ls__is_null(const ls__lctx *c, const ls__ynode *n);
/* A string (any scalar style except null); *out is a new copy. Strings
 * containing NUL bytes are rejected unless allow_nul. Empty strings are
 * rejected unless allow_empty. */
int ls__want_str(ls__lctx *c, const ls__ynode *n, const char *what,
                 bool allow_empty, char **out);
/* Borrowing variant: checks the same and returns the pool text. */
int ls__want_text(ls__lctx *c, const ls__ynode *n, const char *what,
                  const char **out);
int ls__want_bool(ls__lctx *c, const ls__ynode *n, const char *what,
                  bool *out);
/* A plain integer in [lo, hi]. */
int ls__want_int(ls__lctx *c, const ls__ynode *n, const char *what,
                 int64_t lo, int64_t hi, int64_t *out);
/* A plain finite number (JSON number syntax). */
int ls__want_number(ls__lctx *c, const ls__ynode *n, const char *what,
                    double *out);
/* A duration (`30m`, `7d`, `1800s`, `1800`) > 0, in seconds. */
int ls__want_duration(ls__lctx *c, const ls__ynode *n, const char *what,
                      int64_t *out);

/* Names: identifiers [a-z_][a-z0-9_]* (scores), or names
 * [A-Za-z0-9_][A-Za-z0-9_.-]* (rule ids, stages, cadences). */
/* Index of the stage named by scalar v ("WHAT: unknown stage ..."). */
int ls__find_stage(ls__lctx *c, const ls__ynode *v, const char *what, uint16_t *out);
/* Resolves every rule's in_stages once the stages are known. */
int ls__resolve_rule_stages(ls__lctx *c);

int ls__want_ident(ls__lctx *c, const ls__ynode *n, const char *what,
                   char **out);
int ls__want_name(ls__lctx *c, const ls__ynode *n, const char *what,
                  char **out);

#define LS__MAX_POINTS INT64_C(1000000000) /* |points|, initial, bands */
#define LS__MAX_CAP_K 64 /* cap.points / points: firings kept per rule */
#define LS__MAX_KEEP 64     /* categories kept per person and family */
#define LS__DEFAULT_KEEP 8
#define LS__MAX_DURATION (INT64_C(36500) * 86400) /* 100 years */
#define LS__MAX_ITEMS 65535                       /* per list, types, preds */
#define LS__MAX_TARGETS 32                        /* `targets:` */

/* ---- interning (load_util.c) ---- */

/* The type index (>= 1) of event type named by scalar `n`, adding it to
 * m->types the first time. */
int ls__intern_type(ls__lctx *c, const ls__ynode *n, uint16_t *out);
/* The index of props/attrs key named by scalar `n` (src: ls__pred_src). */
int ls__intern_key(ls__lctx *c, const ls__ynode *n, int src, uint32_t *out);

/* ---- sections ---- */

/* load_preds.c: an `if:` list (a sequence of predicate maps) into *out. */
int ls__load_if(ls__lctx *c, const ls__ynode *seq, ls__plist *out);
/* A fit-table row `{TEST: ARG, points: N}` testing attr `key`: interns the
 * test's predicate into *pred (-1 for a row without a test, the default). */
int ls__load_fit_row(ls__lctx *c, const ls__ynode *n, uint32_t key, int32_t *pred,
                     int64_t *points);
/* An owner rule's condition: a predicate map that reads `attr:` (not
 * interned: owners are not evaluated on events). On failure *out may hold
 * a partial predicate, freed with the model. */
int ls__load_attr_cond(ls__lctx *c, const ls__ynode *n, ls__acond *out);
/* Interns an argument-less predicate (op) on attr key; *out its index. */
int ls__intern_attr_pred(ls__lctx *c, const ls__ynode *n, uint8_t op, uint32_t key,
                         int32_t *out);
/* and, or, not, identified, in, stage, route: words of the condition language
 * that cannot name a score, a grade or the matrix (load_rules.c). */
bool ls__reserved_word(const char *name);
/* A cap `{points: N, per: DURATION}` (load_rules.c). */
int ls__load_cap(ls__lctx *c, const ls__ynode *v, ls__capdef *out);
/* A label: `{en: TEXT, ja: TEXT}` or a plain string (= en). */
int ls__load_label(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, char **en, char **ja);
/* Section `groups` (load_fit.c), after `rules`. */
int ls__load_groups(ls__lctx *c, const ls__ynode *n);
/* Section `fit` (load_fit.c), after `rules`. */
int ls__load_fit(ls__lctx *c, const ls__ynode *n);

/* load_rules.c */
int ls__load_scores(ls__lctx *c, const ls__ynode *n);
int ls__load_visits(ls__lctx *c, const ls__ynode *n);
int ls__load_rules(ls__lctx *c, const ls__ynode *n);
int ls__find_score(const ls_model *m, const char *name, size_t len);

/* load_stages.c */
int ls__load_stages(ls__lctx *c, const ls__ynode *n);
/* after transitions: a cadence choice's `when:` may test a route */
int ls__load_cadences(ls__lctx *c, const ls__ynode *n);
int ls__load_arming(ls__lctx *c, const ls__ynode *n);
int ls__load_transitions(ls__lctx *c, const ls__ynode *n);

/* expr.c: compiles the condition in scalar `n` into m->exprs and stores its
 * root index. The expression must be a condition (boolean). */
int ls__expr_compile(ls__lctx *c, const ls__ynode *n, const char *what,
                     int32_t *root);
/* A condition of a stage's cadence choice: a condition that may also test
 * `route == NAME` (the route of the change that entered the stage). */
int ls__choice_compile(ls__lctx *c, const ls__ynode *n, const char *what, int32_t *root);
/* An integer formula over scores (formula scores): + - * and parentheses. */
int ls__formula_compile(ls__lctx *c, const ls__ynode *n, const char *what, int32_t *root);
/* Sections `grades` and `matrix` (load_grades.c), after `scores`. */
int ls__load_grades(ls__lctx *c, const ls__ynode *n);
int ls__load_matrix(ls__lctx *c, const ls__ynode *n);

/* Sections `owners`, `handoff`, `reasons` and `targets` (load_workflow.c);
 * `handoff` and `targets` after the stages they name. */
int ls__load_owners(ls__lctx *c, const ls__ynode *n);
int ls__load_handoff(ls__lctx *c, const ls__ynode *n);
int ls__load_reasons(ls__lctx *c, const ls__ynode *n);
int ls__load_targets(ls__lctx *c, const ls__ynode *n);

#endif
