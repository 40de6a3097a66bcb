/* leadscore — the per-person fold: one person's events, in (time, id) order,
 * through a model, giving scores, stage, MQLs and a ledger. Pure.
 *
 * A person's state is a flat, pointer-free block of ls_fold_state_size()
 * bytes owned by the caller: it can be copied with memcpy and stored as is.
 * The fold allocates nothing. Usable in batch (init, then every event) and
 * incrementally (one more event whose (time, id) is after every event folded
 * so far; anything else needs a re-fold from init). */
#ifndef LEADSCORE_FOLD_H
#define LEADSCORE_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/event.h"
#include "leadscore/model.h"
#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the fold needs of an event (see ls_model_type_index and
 * ls_model_eval_preds for `type` and `pred`). Borrowed. */
typedef struct ls_fold_event {
  ls_time time;
  ls_slice id;
  uint16_t type;
  bool identifies;     /* carries a `lead` or an `email` */
  const uint64_t *pred; /* ls_model_pred_words(m) words */
} ls_fold_event;

/* One change of one score. rule is the rule index, or -1 for a decay step
 * (then event_id is empty). A capped rule is reported too, with the points
 * actually given (possibly 0) and `capped` saying why. */
typedef struct ls_ledger_entry {
  ls_time time;
  int32_t rule;
  uint32_t score;
  int64_t points; /* given */
  int64_t after;
  ls_slice event_id;
  uint8_t capped; /* ls_cap */
  /* a fit rule's re-roll (ls_model_rule_is_fit): the rows of its values
   * table before and after, -1 for no value */
  int32_t fit_from, fit_to;
  bool window; /* rule -1: points leaving a sliding window (else a decay step) */
  /* a category score's row: the category (ls_model_category_hash; 0 for
   * plain scores); `after` is then the category's points. A category
   * dropped to make room for a new one (the family keeps `keep`) is a row
   * with rule -1 and `evicted`. */
  uint64_t category;
  bool evicted;
} ls_ledger_entry;

typedef struct ls_stage_change {
  ls_time time;
  uint16_t from, to;
  bool mql; /* the entry into `to` is an MQL */
  ls_slice event_id;
  int32_t route; /* the transition's route (ls_model_route_name), or -1 */
  /* the cadence started by entering `to` (ls_model_cadence_name), chosen by
   * the stage's `cadence:` conditions on the state after the change; -1 */
  int32_t cadence;
} ls_stage_change;

/* Optional observer; any member may be NULL. Called synchronously. */
typedef struct ls_fold_sink {
  void *ud;
  void (*ledger)(void *ud, const ls_ledger_entry *e);
  void (*stage)(void *ud, const ls_stage_change *c);
  /* a controlled (sales) event that fit no transition from the stage */
  void (*rejected)(void *ud, const ls_fold_event *ev, uint16_t stage);
} ls_fold_sink;

/* Size in bytes of one person's state under `m`. */
size_t ls_fold_state_size(const ls_model *m);

/* Initializes `state` (ls_fold_state_size bytes) to the person before any
 * event: initial scores, initial stage. */
void ls_fold_init(const ls_model *m, void *state);

/* Folds one event: first the decay steps due strictly before it, then the
 * event. Returns true when the event was applied, false when it was a
 * rejected sales event (reported to sink->rejected; no state changes).
 * `sink` may be NULL. */
bool ls_fold_apply(const ls_model *m, void *state, const ls_fold_event *ev,
                   const ls_fold_sink *sink);

/* Applies the decay steps due at or before `to` (spec §5, §9: steps at
 * exactly the as-of time are applied). */
void ls_fold_advance(const ls_model *m, void *state, ls_time to,
                     const ls_fold_sink *sink);

/* The time of the person's next decay step or window expiry after what
 * was folded (advanced) so far: until then its scores cannot change without
 * an event. A step there may turn out to change nothing (a score at its
 * floor), so it is a time to look again, not a promise of change. False
 * when no step is pending. */
bool ls_fold_next_step(const ls_model *m, const void *state, ls_time *out);

/* Readers. */
int64_t ls_fold_score(const ls_model *m, const void *state, size_t score);
/* The label of grade g (ls_model_grade_name) for the person, e.g. "B". */
const char *ls_fold_grade(const ls_model *m, const void *state, size_t g);
/* Writes the person's matrix cell (row label then column label, e.g. "B3")
 * into buf (NUL-terminated, cut to cap - 1); returns its length, 0 when the
 * model has no matrix. */
size_t ls_fold_cell(const ls_model *m, const void *state, char *buf, size_t cap);
/* One category of a category score (see ls_model_family_score). */
typedef struct ls_category {
  uint32_t score;
  uint64_t hash; /* ls_model_category_hash of its name */
  int64_t points;
} ls_category;
/* Writes up to `cap` of the person's categories of `score` into out, in
 * the order they were first given points; returns how many it has. */
size_t ls_fold_categories(const ls_model *m, const void *state, size_t score,
                          ls_category *out, size_t cap);
/* The person's top category over every family: the most points; ties go
 * to the earlier family in the model, then to the category given points
 * first. False when the person has none. */
bool ls_fold_top_category(const ls_model *m, const void *state, ls_category *out);
uint16_t ls_fold_stage(const ls_model *m, const void *state);
/* Time of the person's latest applied event; false before any. */
bool ls_fold_last_activity(const ls_model *m, const void *state, ls_time *out);
uint32_t ls_fold_mql_count(const ls_model *m, const void *state);
/* Time of the latest MQL; false when there was none. */
bool ls_fold_last_mql(const ls_model *m, const void *state, ls_time *out);
bool ls_fold_identified(const ls_model *m, const void *state);
/* Time the current stage was entered; false while in the initial stage. */
/* The route of the person's latest stage entry ("" when its transition had
 * none), e.g. "senior" after a stage skip. */
const char *ls_fold_route(const ls_model *m, const void *state);
bool ls_fold_stage_since(const ls_model *m, const void *state, ls_time *out);

/* A follow-up task from the cadence of the stage entered at `entered`. */
typedef struct ls_task {
  int32_t day;
  ls_time due; /* entered + (day - 1) days */
  const char *task; /* borrowed from the model */
  const char *note; /* may be NULL */
  const char *channel;  /* "call", "email" or "task" */
  const char *template_; /* the step's text or content suggestion; may be NULL */
  uint32_t step;        /* its index in the cadence */
} ls_task;

/* Writes up to `cap` tasks of the stage's first (unconditional) cadence
 * into `out` and returns how many it has (0 when none). Kept for callers
 * without a stage change at hand; prefer ls_model_cadence_steps. */
size_t ls_model_cadence_tasks(const ls_model *m, uint16_t stage,
                              ls_time entered, ls_task *out, size_t cap);
/* The tasks of cadence `cadence` (ls_stage_change.cadence) entered at
 * `entered`, like ls_model_cadence_tasks; 0 for -1. */
size_t ls_model_cadence_steps(const ls_model *m, int32_t cadence, ls_time entered,
                              ls_task *out, size_t cap);
size_t ls_model_ncadences(const ls_model *m);
const char *ls_model_cadence_name(const ls_model *m, size_t i);
/* The index of cadence `name`, -1 when none. */
int32_t ls_model_cadence_find(const ls_model *m, const char *name);

#ifdef __cplusplus
}
#endif
#endif
