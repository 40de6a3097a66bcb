/* The compiled model (internal). The YAML loader (load_*.c) fills the
 * "parsed" fields; ls__model_finalize() (layout.c) derives the rest; the fold
 * (src/engine/fold.c) only reads. Everything is owned by the ls_model and
 * freed by ls_model_destroy().
 *
 * Conventions: indices are 0-based; -1 means "none". Durations are whole
 * seconds. Event type index 0 means "a type the model does not name"; named
 * types are 1..ntypes (types[0] is unused, NULL). */
#ifndef LEADSCORE_MODEL_IR_H
#define LEADSCORE_MODEL_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/model.h"

/* ---- per-event predicates (stateless; evaluated once, at parse time) ---- */

typedef enum ls__pred_src { LS__SRC_PROP = 0, LS__SRC_ATTR = 1 } ls__pred_src;

typedef enum ls__pred_op {
  LS__P_EQUALS,      /* string value == strs[0] (byte for byte) */
  LS__P_IN,          /* string value equals one of strs[0..nstrs) */
  LS__P_CONTAINS_CI, /* string value contains strs[0], ASCII case folding */
  LS__P_PREFIX,      /* string value starts with strs[0] */
  LS__P_PATH_PREFIX, /* URL path (spec §9) of the string starts with strs[0] */
  LS__P_NUM_CMP,     /* JSON number value <cmp> num */
  LS__P_PRESENT,     /* a non-empty string, or any number or boolean */
  LS__P_STRING,      /* a non-empty string (internal: added by finalize for
                        `first_value`, whose spec says only such a string is a
                        value) */
  LS__P_HAS          /* the member is there, whatever its value, null
                        included (internal: an event that carries a fit
                        attribute) */
} ls__pred_op;

typedef enum ls__cmp {
  LS__LT, LS__LE, LS__GT, LS__GE, LS__EQ, LS__NE
} ls__cmp;

typedef struct ls__pred {
  uint8_t src;   /* ls__pred_src */
  uint8_t op;    /* ls__pred_op */
  uint8_t cmp;   /* ls__cmp, for LS__P_NUM_CMP */
  bool negate;   /* `not:` — the bit is set when the test does NOT hold */
  uint32_t key;  /* index into prop_keys or attr_keys (by src) */
  char **strs;   /* NUL-terminated copies; lengths in lens */
  char *lower;   /* contains_ci: strs[0] folded to ASCII lower case */
  size_t *lens;
  size_t nstrs;
  double num;
  unsigned line; /* where it was written, for messages */
} ls__pred;

/* A set of predicates that must all hold: a mask of `pred_words` words. NULL
 * when the set is empty (always true). */
typedef uint64_t *ls__predset;

/* ---- scores and decay ---- */

typedef struct ls__band {
  int64_t at_least; /* applies when score >= at_least (first match wins) */
  int64_t points;   /* added to the score (negative to decay) */
} ls__band;

typedef struct ls__score {
  char *name;
  int64_t initial;
  int64_t decay_every; /* seconds of inactivity per step; 0 = no decay */
  bool half_life;      /* a step halves the score (toward zero) instead of
                          applying bands; decay_every is the half-life */
  ls__band *bands;     /* ordered by at_least, descending */
  size_t nbands;
  bool has_floor;
  int64_t floor;       /* a step never takes the score below this; a score
                          already at or below it is left alone */
  bool has_max, has_min; /* bounds on every change (rules and decay) */
  int64_t max, min;
  int32_t formula; /* expr root of a formula score (computed from others;
                      no rules, no decay), or -1 */
  /* a sliding window: only points given in the last win_n steps of
   * win_step seconds (steps counted from the Unix epoch) count; 0: none */
  int64_t win_step;
  int32_t win_n;
  int32_t slot_win; /* islots: win_n buckets (step j at j % win_n), then
                       the newest step + 1 (0: none yet) */
  /* a category family (`by:`): a rule's points go to the category that
   * the event's props[by] names (a non-empty string; without one the rule
   * does not apply); the score's value is its top category's points */
  int32_t by;       /* prop key index, or -1: a plain score */
  int32_t keep;     /* categories kept per person */
  int32_t fam;      /* the event's category is word pred_words + fam */
  int32_t slot_cat; /* islots: keep (hash, points) pairs in the order the
                       categories were first given points; hash 0: free */
  unsigned line;
} ls__score;

/* ---- grades and the matrix ---- */

typedef struct ls__gband {
  bool has_at_least; /* false: the catch-all (lowest) band */
  int64_t at_least;
  char *label;
} ls__gband;

/* A grade: bands mapping a score to a label; band 0 is the best. */
typedef struct ls__grade {
  char *name;
  uint32_t score;
  ls__gband *bands; /* descending at_least; the catch-all last */
  size_t nbands;
  unsigned line;
} ls__grade;

/* ---- rules ---- */

typedef enum ls__once {
  LS__ONCE_NONE = 0,
  LS__ONCE_PER_PERIOD, /* no firing in (t - once_period, t] */
  LS__ONCE_PER_VISIT,
  LS__ONCE_PER_PERSON
} ls__once;

typedef enum ls__recent_kind {
  LS__RECENT_NONE = 0,
  LS__RECENT_VISIT_START, /* another visit started in [t - within, t) */
  LS__RECENT_TYPE,        /* another accepted event of type `arg` */
  LS__RECENT_RULE         /* rule `arg` fired (gave points) */
} ls__recent_kind;

/* A cap: at most `points` in any window (t - per, t]. */
typedef struct ls__capdef {
  int64_t points, per;
} ls__capdef;

/* One step of a sequence rule: an event of `type` whose predicates hold. */
typedef struct ls__seqstep {
  uint16_t type;
  ls__predset preds;
  uint32_t plist; /* loader only: its predicate list */
} ls__seqstep;

typedef struct ls__rule {
  char *id;
  char *label_en; /* may be NULL */
  char *label_ja; /* may be NULL */
  unsigned line;
  uint32_t score;   /* index into scores */
  int64_t points;

  /* which events: types[0..ntypes) (type indices >= 1), or any when 0 */
  uint16_t *types;
  size_t ntypes;
  ls__predset preds; /* the `if:` predicates, all must hold */
  uint32_t pw_lo, pw_hi; /* the words [lo, hi) of preds that are not 0 */

  /* stateful conditions, evaluated on the state before the event */
  int32_t visit_page;  /* > 0: the event is the Nth visit event of its visit */
  int8_t visit_start;  /* -1 don't care, 1 must start a visit, 0 must not */
  uint8_t recent_kind; /* ls__recent_kind */
  int32_t recent_arg;  /* type index or rule index */
  int64_t recent_within;
  int32_t first_value; /* >= 0: attr key index; the event is the first that
                          gives the person a non-empty string value of it */
  uint8_t once;        /* ls__once */
  int64_t once_period;
  /* cap: at most cap_points from this rule in any (t - cap_per, t]; a
   * firing gives all its points or none, so at most cap_k = cap_points /
   * points firings give points in a window: the state keeps their times */
  ls__capdef cap;
  int32_t cap_k; /* 0: no cap */
  int32_t group; /* index into groups (a shared cap), or -1 */
  int32_t trigger; /* 0..63 when a transition has fired: this rule, or -1 */
  /* sequence: the rule fires on the event that completes steps[0..nsteps)
   * in order, all within seq_within of the first step's event */
  ls__seqstep *steps;
  size_t nsteps; /* 0: not a sequence rule */
  int64_t seq_within;
  int32_t slot_seq; /* nsteps - 1 tslots: start of the latest chain that
                       has completed steps 0..k */
  uint64_t *in_stages; /* stage bitset: the rule applies only while the
                          person is in one of them (before the event); NULL:
                          in any stage */

  /* state layout (set by ls__model_finalize) */
  int32_t slot_last_fired; /* tslot: time this rule last fired, or -1 */
  int32_t slot_once;       /* islot: visit number / fired flag, or -1 */
  /* Rules read by another rule's `recent: {rule: …}` also keep the firing
   * before the last one and the event ordinal of the last, so that a firing
   * by the current event is not "another" one (conditions read the state
   * before the event, whatever the order rules are evaluated in). */
  int32_t slot_prev_fired; /* tslot, or -1 */
  int32_t slot_fired_ord;  /* islot, or -1 */
  int32_t slot_cap_ring;   /* cap_k tslots: times of the latest grants */
  int32_t slot_cap_head;   /* islot: the ring's oldest entry */
} ls__rule;

/* ---- groups: a cap shared by several rules ---- */

/* At most cap_points from the group's rules together in any (t - cap_per,
 * t]; a firing gives all or nothing, so at most k = cap_points / (the
 * smallest points of its rules) grants fit in a window: the state keeps
 * their times and points in a ring. */
typedef struct ls__group {
  char *name;
  ls__capdef cap;
  int32_t k;
  int32_t slot_times;  /* k tslots */
  int32_t slot_points; /* k islots, then the ring's head */
  unsigned line;
} ls__group;

/* ---- fit rules: level functions of current attributes ---- */

typedef struct ls__fitrow {
  int32_t pred;   /* the row's test; the default row: the attr's present pred */
  int64_t points;
} ls__fitrow;

/* A fit rule gives the points of the first row that the person's current
 * value of `attr` matches (the value of the latest event that carries the
 * attr; null or "" clears it). When the row changes, the score changes by
 * the difference: a re-roll, never an accrual. */
typedef struct ls__fit {
  char *id;
  char *label_en, *label_ja;
  uint32_t score;
  uint32_t attr;
  int32_t has_pred; /* LS__P_HAS on attr */
  ls__fitrow *rows;
  size_t nrows;
  int32_t slot;     /* islots: current row + 1 (0: no value or no row),
                       then the points that row gave (after bounds) */
  unsigned line;
} ls__fit;

/* ---- expressions (`when:` of transitions, `rearm_when:`) ---- */

typedef enum ls__xop {
  LS__X_INT,        /* k */
  LS__X_SCORE,      /* the value of score `a` */
  LS__X_IDENTIFIED, /* 1 when the person is identified, else 0 */
  LS__X_CMP,        /* node a <cmp> node b */
  LS__X_AND,        /* node a && node b */
  LS__X_OR,
  LS__X_NOT,        /* !node a */
  LS__X_ADD,        /* node a + node b (saturating) */
  LS__X_SUB,        /* node a - node b */
  LS__X_MUL,        /* node a * node b */
  LS__X_STAGE_EQ,   /* the person is in stage k */
  LS__X_GRADE_EQ,   /* grade a of the person is band k */
  LS__X_ROUTE_EQ    /* the route of the latest stage entry is route k
                       (cadence choices only) */
} ls__xop;

typedef struct ls__expr {
  uint8_t op;  /* ls__xop */
  uint8_t cmp; /* ls__cmp for LS__X_CMP */
  int32_t a, b;
  int64_t k;
} ls__expr;

/* ---- stages, transitions, cadences ---- */

/* One choice of a stage's `cadence:`: on an entry, the first choice whose
 * `when` holds on the state right after the change is started. */
typedef struct ls__choice {
  int32_t when;    /* expr root, or -1: always */
  int32_t cadence; /* index into cadences */
  unsigned line;
} ls__choice;

typedef struct ls__stage {
  char *name;
  bool mql;        /* every entry is an MQL: counted, timestamped, alerted */
  int32_t cadence; /* the first choice without `when` (the cadence of
                      ls_model_cadence_tasks), or -1 */
  ls__choice *choices; /* `cadence:` in order; a plain name is one choice */
  size_t nchoices;
  int64_t sla;     /* seconds a person may stay (`sla:`); 0: none */
  unsigned line;
} ls__stage;

typedef struct ls__transition {
  uint16_t from, to;
  int32_t on_type;     /* >= 1: triggered by an event of this type (a
                          "controlled" type); -1: condition transition */
  ls__predset preds;   /* for event transitions: the `if:` predicates */
  int32_t when;        /* condition transitions: expr root index */
  int32_t fired;       /* -1, or a rule: taken when that rule fires on the
                          event (a stage skip on a strong signal) */
  int32_t route;       /* -1, or the route (index into routes) that tags
                          the entry */
  bool requires_armed; /* fires only while the person is armed */
  bool arms, disarms;  /* effect on the arming flag */
  unsigned line;
} ls__transition;

typedef enum ls__channel { LS__CH_CALL, LS__CH_EMAIL, LS__CH_TASK } ls__channel;

typedef struct ls__step {
  int32_t day;  /* due at entry + (day - 1) days */
  uint8_t channel; /* ls__channel: `channel:`, else from the task's name */
  char *task;   /* call, email, disposition, ... */
  char *note;   /* may be NULL */
  char *template_; /* may be NULL */
} ls__step;

typedef struct ls__cadence {
  char *name;
  uint16_t stage; /* the first stage whose `cadence:` names it */
  ls__step *steps;
  size_t nsteps;
  unsigned line;
} ls__cadence;

/* ---- the inside-sales workflow (read by the API, never by the fold) ---- */

/* A condition of an owner rule: a predicate on the attribute named `attr`
 * (p.key is unused: owners are evaluated from a callback, not an event). */
typedef struct ls__acond {
  char *attr;
  ls__pred p;
} ls__acond;

typedef struct ls__team {
  char *name;
  char **members; /* at least one */
  size_t nmembers;
  unsigned line;
} ls__team;

/* An owner rule: when every condition holds, the person goes to `team`
 * (index into teams) or to the named `owner` — exactly one of them. */
typedef struct ls__owner {
  ls__acond *conds; /* none: always holds (a default) */
  size_t nconds;
  int32_t team;     /* or -1 */
  char *owner;      /* or NULL */
  unsigned line;
} ls__owner;

typedef struct ls__criterion {
  char *name;
  char *label_en, *label_ja; /* may be NULL */
  bool required;
  unsigned line;
} ls__criterion;

/* A KGI/KPI target (`targets:`), read by the funnel and the monthly review,
 * never by the fold. `pub` is what ls_model_target returns; pub.id is `id`. */
typedef struct ls__target {
  ls_target pub;
  char *id;                      /* "mqls", "entries:customer", ... */
  char *label_en, *label_ja;     /* label:, may be NULL */
  char *default_en, *default_ja; /* built from the KPI and its stages */
  unsigned line;
} ls__target;

/* ---- the model ---- */

struct ls_model {
  char *name;
  char *description; /* may be NULL */

  char **types; /* [1..ntypes], types[0] == NULL */
  size_t ntypes;

  ls_slice *prop_keys; /* each .p is an owned NUL-terminated copy */
  size_t nprops;
  ls_slice *attr_keys;
  size_t nattrs;
  ls_event_schema schema; /* points at prop_keys / attr_keys */

  ls__pred *preds;
  size_t npreds;
  size_t pred_words; /* max(1, ceil(npreds / 64)); an event's words are
                        these, then one category hash per family */

  int32_t visit_type; /* type index of visit events; 0 = no visits */
  int64_t visit_gap;  /* a gap > visit_gap seconds starts a new visit */

  ls__score *scores;
  size_t nscores;
  uint32_t *fam_score; /* [nfams]: the score of each category family */
  size_t nfams;

  ls__grade *grades;
  size_t ngrades;
  /* the matrix: a cell per person, the row grade's label then the column
   * grade's (B3); -1 without one */
  char *matrix_name;
  int32_t matrix_rows, matrix_cols;

  ls__rule *rules;
  size_t nrules;

  ls__fit *fits; /* in ledgers, fit rule f is rule nrules + f */
  size_t nfits;

  ls__group *groups;
  size_t ngroups;

  ls__expr *exprs;
  size_t nexprs;

  ls__stage *stages;
  size_t nstages;
  uint16_t initial_stage;

  ls__transition *trans;
  size_t ntrans;
  char **routes; /* the route names of transitions, first use first */
  size_t nroutes;

  bool initially_armed;
  int32_t rearm_when; /* expr root, or -1: never re-armed by condition */

  ls__cadence *cadences;
  size_t ncadences;

  ls__team *teams;
  size_t nteams;
  ls__owner *owners;
  size_t nowners;
  ls__criterion *criteria;
  size_t ncriteria;
  int32_t handoff_stage; /* the stage `handoff:` gates, or -1 */
  size_t handoff_min;
  char **reasons[2]; /* `reasons:` recycle, disqualify */
  size_t nreasons[2];
  ls__target *targets; /* `targets:` */
  size_t ntargets;

  /* ---- derived by ls__model_finalize ---- */
  uint32_t *type_rules;     /* rules for type t: type_rules[type_rule_off[t] ..
                               type_rule_off[t+1]); t = 0..ntypes; rules with
                               no types are in every list */
  uint32_t *type_rule_off;  /* [ntypes + 2] */
  uint32_t *type_preds;     /* predicates an event of type t needs:
                               type_preds[type_pred_off[t] .. [t+1]) */
  uint32_t *type_pred_off;  /* [ntypes + 2] */
  bool *controlled;         /* [ntypes + 1]: type triggers a transition */
  int32_t *type_slot;       /* [ntypes + 1]: tslot of "last event of this
                               type" when some rule needs it, else -1 */
  int32_t *attr_seen_slot;  /* [nattrs]: islot flag for first_value, or -1 */
  int32_t *attr_value_pred; /* [nattrs]: LS__P_STRING pred index, or -1 */
  uint32_t ntslots;         /* ls_time slots per person */
  uint32_t nislots;         /* int64 slots per person */
  uint32_t *type_hash;      /* open-addressing table for type lookup */
  uint32_t type_hash_mask;
};

/* Derives the fields after the "derived" line from the parsed ones and checks
 * cross-references. Returns LS_OK, LS_ENOMEM, or LS_EMODEL with *diag set. */
int ls__model_finalize(ls_model *m, ls_diag *diag);

/* Tests `m->preds[i]` bit in an event's predicate words. */
static inline bool ls__bit(const uint64_t *bits, size_t i) {
  return (bits[i >> 6] >> (i & 63)) & 1u;
}

/* ls__predset_holds for a rule: only the words its predicates are in. */
static inline bool ls__rule_preds_hold(const struct ls__rule *r, const uint64_t *bits) {
  for (uint32_t w = r->pw_lo; w < r->pw_hi; w++)
    if ((bits[w] & r->preds[w]) != r->preds[w]) return false;
  return true;
}

/* True when every predicate of `set` is set in `bits`. */
static inline bool ls__predset_holds(const ls_model *m, ls__predset set,
                                     const uint64_t *bits) {
  if (!set) return true;
  for (size_t w = 0; w < m->pred_words; w++)
    if ((bits[w] & set[w]) != set[w]) return false;
  return true;
}

/* ls_model_eval_preds for an event whose type index `type` the caller has
 * already looked up. */
void ls__eval_preds_typed(const ls_model *m, const ls_event_fields *ev, uint16_t type,
                          uint64_t *bits);

/* Does predicate p hold for the text value s (NULL: no value)? A numeric
 * test reads s as a number; text that is not one never satisfies it. For
 * owner rules, whose attributes come as strings. */
bool ls__pred_test_text(const ls__pred *p, const char *s);

/* URL path of `url` per spec §9 (a borrowed sub-slice; may be empty). */
ls_slice ls__url_path(ls_slice url);

#endif
