/* leadscore — scoring models: load, inspect, evaluate per-event predicates.
 * Pure: the loader parses a buffer; reading the file is the caller's job. */
#ifndef LEADSCORE_MODEL_H
#define LEADSCORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/error.h"
#include "leadscore/event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ls_model ls_model;

/* Parses and compiles a YAML model from `text[0..len)` (borrowed).
 * On success returns LS_OK and stores a new model in *out (free with
 * ls_model_destroy). On failure returns LS_EMODEL (or LS_ENOMEM) and fills
 * *diag with the 1-based line/column and a message saying what was expected;
 * unknown keys are errors. */
int ls_model_load(const char *text, size_t len, ls_model **out, ls_diag *diag);

/* Frees a model. destroy(NULL) is a no-op. */
void ls_model_destroy(ls_model *m);

/* The schema of props/attrs members the model reads, for ls_event_parser_new.
 * Borrowed from the model; valid for the model's lifetime. */
const ls_event_schema *ls_model_schema(const ls_model *m);

/* Number of 64-bit words per event that ls_model_eval_preds fills (>= 1):
 * the predicate bits, then one category hash per category family. */
size_t ls_model_pred_words(const ls_model *m);

/* Category scores. A score declared with `by: PROP` is a family: its rules
 * give points to the category the event's props[PROP] names. Categories are
 * known by a 64-bit hash of their name (ls_model_category_hash, FNV-1a,
 * never 0); callers that show names keep hash -> name (ls_names). */
size_t ls_model_nfamilies(const ls_model *m);
/* The score of family f. */
size_t ls_model_family_score(const ls_model *m, size_t f);
/* The family of score i, or -1 for a plain score. */
int32_t ls_model_score_family(const ls_model *m, size_t score);
uint64_t ls_model_category_hash(const char *p, size_t n);
/* The name of the category of family f that `ev` carries (borrowed from
 * ev), or an empty slice when it carries none. */
ls_slice ls_model_event_category(const ls_model *m, const ls_event_fields *ev, size_t f);

/* Classifies a parsed event for the fold: its type index (0 when the model
 * does not name the type) and its predicate bits (`bits` has
 * ls_model_pred_words() words; every predicate that an event of its type
 * can use — in a rule, a sequence step, an event transition, a fit rule —
 * gets its bit set when it holds; the others stay 0). Borrows everything;
 * allocates nothing. */
uint16_t ls_model_type_index(const ls_model *m, ls_slice type);
void ls_model_eval_preds(const ls_model *m, const ls_event_fields *ev,
                         uint64_t *bits);

/* Introspection used by the CLI and exports. Strings are borrowed. */
const char *ls_model_name(const ls_model *m);
size_t ls_model_nscores(const ls_model *m);
const char *ls_model_score_name(const ls_model *m, size_t i);
/* True when score i is computed by a formula (no rules, no ledger rows). */
bool ls_model_score_is_formula(const ls_model *m, size_t i);
size_t ls_model_nroutes(const ls_model *m);
const char *ls_model_route_name(const ls_model *m, size_t i);
size_t ls_model_ngrades(const ls_model *m);
const char *ls_model_grade_name(const ls_model *m, size_t i);
/* The matrix's name (the export column), or NULL when the model has none. */
const char *ls_model_matrix_name(const ls_model *m);
size_t ls_model_nstages(const ls_model *m);
const char *ls_model_stage_name(const ls_model *m, size_t i);
/* Whether every entry into stage i is an MQL (`mql: true`). */
bool ls_model_stage_mql(const ls_model *m, size_t i);
size_t ls_model_nrules(const ls_model *m);
size_t ls_model_nfits(const ls_model *m);
/* The points of event rule i per firing (0 for a fit rule). */
int64_t ls_model_rule_points(const ls_model *m, size_t i);
/* Rules 0 .. nrules-1 are the event rules; fit rule f is rule nrules + f
 * (ledgers name both kinds by that index). */
const char *ls_model_rule_id(const ls_model *m, size_t i);
/* The index of the rule (or fit rule, after the rules) with id `id`, as
 * ledger rows name it; -1 when the model has none. A scan of the rules. */
int32_t ls_model_rule_find(const ls_model *m, const char *id);
bool ls_model_rule_is_fit(const ls_model *m, size_t i);
/* The rule's label in `lang` ("en", "ja"), falling back to English and then
 * to the rule id. */
const char *ls_model_rule_label(const ls_model *m, size_t i, const char *lang);

/* Why a rule gave fewer points than it says (ls_ledger_entry.capped). */
typedef enum ls_cap {
  LS_CAP_NONE = 0,
  LS_CAP_RULE = 1, /* the rule's own cap: cap.points per cap.per (0 given) */
  LS_CAP_MAX = 2,  /* the score's max */
  LS_CAP_MIN = 3,  /* the score's min */
  LS_CAP_GROUP = 4 /* the cap of the rule's group (0 given) */
} ls_cap;

/* Writes why rule `rule` was capped (`capped`: an ls_cap), e.g. "capped:
 * at most 10 points per 30d" or "capped: activity max 100", into buf (cut
 * to cap - 1 bytes, NUL-terminated); returns the full length (0 for
 * LS_CAP_NONE or an unknown rule). */
size_t ls_model_cap_reason(const ls_model *m, size_t rule, int capped, char *buf,
                           size_t cap);

/* Describes row `row` of fit rule `rule` (its test, e.g. `attr industry in
 * ["software", "saas"]`; "any other value"; "no value" for -1) into buf like
 * ls_model_cap_reason. */
size_t ls_model_fit_row_text(const ls_model *m, size_t rule, int32_t row, char *buf,
                             size_t cap);
/* The rows of fit rule `rule`'s values table (0 for an event rule). */
size_t ls_model_fit_nrows(const ls_model *m, size_t rule);

/* Lints a loaded model: calls fn(ud, line, message) for each warning —
 * positive rules that can inflate a score without limit (no cap, no decay,
 * no max), condition thresholds a score can never reach, rules whose tests
 * contradict each other, stateless rules that count the same events twice
 * — and returns their number. */
size_t ls_model_lint(const ls_model *m, void (*fn)(void *ud, unsigned line, const char *msg),
                     void *ud);

/* ---- the inside-sales workflow (docs/model-language.md, "Workflow") ----
 * Not part of scoring: nothing here changes a fold. */

/* The stage's time limit in seconds (`sla: 21d` on a stage): a person still
 * in the stage that long after entering it breaches it. 0 when none. */
int64_t ls_model_stage_sla(const ls_model *m, size_t stage);

/* Owners (`owners:`): teams of members, and rules that give a person a
 * team or a named owner from its attributes. */
size_t ls_model_nteams(const ls_model *m);
const char *ls_model_team_name(const ls_model *m, size_t team);
size_t ls_model_team_size(const ls_model *m, size_t team);
const char *ls_model_team_member(const ls_model *m, size_t team, size_t i);
/* The first owner rule (in model order) whose conditions all hold, where
 * attr(ud, name) gives the person's value of attribute `name` (NULL when it
 * has none; a number is compared as a number when the condition's operand
 * is one). Sets *team to the rule's team index (or -1) and *owner to its
 * named owner (or NULL); returns false when no rule holds (the model has no
 * `owners:` or no default rule). */
bool ls_model_owner_for(const ls_model *m, const char *(*attr)(void *ud, const char *name),
                        void *ud, int32_t *team, const char **owner);

/* The hand-off checklist (`handoff:`): criteria recorded per person, and the
 * gate on entering the stage it guards. */
size_t ls_model_ncriteria(const ls_model *m);
const char *ls_model_criterion_name(const ls_model *m, size_t i);
/* The criterion's label in `lang` ("en", "ja"), falling back to English and
 * then to its name. */
const char *ls_model_criterion_label(const ls_model *m, size_t i, const char *lang);
bool ls_model_criterion_required(const ls_model *m, size_t i);
/* The stage the gate guards (-1: no `handoff:`) and how many criteria it
 * needs at least. */
int32_t ls_model_handoff_stage(const ls_model *m);
size_t ls_model_handoff_min(const ls_model *m);

/* Reasons (`reasons:`): the fixed lists a recycling (`recycle`) or a
 * disqualification (`disqualify`) must name one of. kind is "recycle" or
 * "disqualify"; 0 reasons when the model has none (then any reason or none
 * is accepted). */
size_t ls_model_nreasons(const ls_model *m, const char *kind);
const char *ls_model_reason(const ls_model *m, const char *kind, size_t i);

/* ---- targets (`targets:`, docs/model-language.md "Targets") ----
 * KGI/KPI targets per calendar month; nothing here changes a fold. The
 * funnel (funnel.h) measures them. */
enum { LS_KPI_MQLS = 0, LS_KPI_ENTRIES = 1, LS_KPI_CONVERSION = 2, LS_KPI_MEDIAN_DAYS = 3 };
typedef struct ls_target {
  int kind;          /* LS_KPI_* */
  int32_t stage;     /* entries, median_days: the stage index; else -1 */
  int32_t from, to;  /* conversion: stage indexes; else -1 */
  bool at_most;      /* false: at_least */
  double value;      /* a count per month, a share in [0, 1], or days */
  const char *id;    /* "mqls", "entries:customer", "conversion:hot:opportunity",
                        "median_days:hot"; unique within the model */
} ls_target;
/* The targets in model order (at most 32; 0 without `targets:`). Borrowed
 * from the model, like every string the target points to. */
size_t ls_model_ntargets(const ls_model *m);
const ls_target *ls_model_target(const ls_model *m, size_t i);  /* NULL when i is out of range */
/* The target's label in `lang` ("en", "ja"): its label:, falling back to English, then to a
 * default: en "MQLs", "Entries into customer", "hot → opportunity", "Median days in hot";
 * ja "MQL数", "customerへの移行数", "hot → opportunity 転換率", "hot の滞留日数（中央値）".
 * NULL when i is out of range. */
const char *ls_model_target_label(const ls_model *m, size_t i, const char *lang);

/* Returns a new NUL-terminated human summary (scores, rules, stages,
 * transitions, cadences, the workflow, targets); the caller frees it. NULL
 * when out of memory. */
char *ls_model_summary(const ls_model *m);

#ifdef __cplusplus
}
#endif
#endif
