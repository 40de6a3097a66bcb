/* leadscore — the inside-sales workflow on a store (issue 6): follow-up
 * tasks with ids, owners, task outcomes, the hand-off checklist and its
 * gate, SLA and reason reports.
 *
 * Workflow records are not scoring events: they never change a score, a
 * stage or a ledger. Tasks are not stored: they are derived from the
 * ledger's stage rows (each entry into a stage that started a cadence) and
 * the model's cadence, so re-folds and merges can never leave a stale task;
 * what is stored is what people did — a task's outcome, a person's owner,
 * a checklist criterion — keyed by the person's lead id at the time and
 * found again through any of the person's identities.
 *
 * Strings passed to callbacks are valid during the call. */
#ifndef LEADSCORE_WORKFLOW_H
#define LEADSCORE_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "leadscore/error.h"
#include "leadscore/event.h"
#include "leadscore/export.h"
#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ls_store ls_store;

/* ---- the driver's part (see ls_store_driver.workflow) ---- */

typedef struct ls_wf_record {
  ls_slice lead;        /* the lead id when it was made */
  const char *key;      /* owners: the owner; task_log: the task id; checklist: the criterion */
  const char *value;    /* owners: the team; task_log: the outcome; checklist: NULL */
  const char *note;     /* owners: how ("rule", "hand"); task_log, checklist: the note */
  const char *by;       /* who (may be NULL) */
  const char *owner;    /* task_log: the task's owner then */
  int64_t at_ms;
} ls_wf_record;

typedef enum ls_wf_table { LS_WF_OWNERS, LS_WF_TASK_LOG, LS_WF_CHECKLIST } ls_wf_table;

typedef struct ls_workflow_driver {
  /* Inserts a record; replace: overwrite one with the same key (owners:
   * the lead; checklist: lead and criterion), else LS_EEXIST for it
   * (task_log: a task is done once). */
  int (*put)(void *db, ls_wf_table t, const ls_wf_record *r, bool replace);
  /* Calls fn for the records of `lead` (task_log and owners: lead.p NULL
   * means all; key non-NULL: only that task id). */
  int (*scan)(void *db, ls_wf_table t, ls_slice lead, const char *key,
              int (*fn)(void *ud, const ls_wf_record *r), void *ud);
  /* The team's next turn (0, 1, ...), advanced by one. */
  int (*team_turn)(void *db, const char *team, int64_t *turn);
} ls_workflow_driver;

/* ---- tasks ---- */

typedef struct ls_wf_task {
  const char *id;      /* "t" and 16 hex digits: the entry's event, stage, step */
  ls_slice lead;       /* the person's lead id now */
  const char *stage;   /* the stage whose entry started the cadence */
  const char *cadence;
  ls_time entered, due;
  int32_t day;
  const char *task, *channel, *note, *template_;
  const char *owner;   /* the person's owner now (NULL: none) */
  /* "open", "overdue" (open after its due time at the clock), "done",
   * "cancelled" (the person left the stage first) */
  const char *status;
  ls_time left_at;     /* cancelled: when the person left */
  /* done: the outcome, its note, who and when */
  const char *outcome, *outcome_note, *done_by;
  int64_t done_ms;
} ls_wf_task;

/* Every task of `person` (0: of everyone), in (lead id, entry, step)
 * order, as of the store's clock. */
int ls_store_tasks(ls_store *s, int64_t person, int (*fn)(void *ud, const ls_wf_task *t),
                   void *ud);

/* A task's id: "t" and 16 hex digits of a hash of the event that entered
 * the stage, the stage, the entry time and the step (NUL-terminated). */
void ls_wf_task_id(ls_slice event_id, const char *stage, ls_time at, uint32_t step,
                   char out[18]);

/* A listing's filter: status "open"/"overdue"/"done"/"cancelled"/"all"
 * (NULL: open and overdue), owner (NULL: any), due "today" (on the UTC day
 * of `clock`, NULL: no clock) or "overdue" (NULL: any). */
typedef struct ls_wf_filter {
  const char *status, *owner, *due;
  const ls_time *clock;
} ls_wf_filter;
bool ls_wf_task_matches(const ls_wf_task *t, const ls_wf_filter *f);

/* The outcomes a task may be closed with. */
extern const char *const ls_task_outcomes[];

/* Closes task `id` with `outcome` (one of ls_task_outcomes) and a note (may
 * be NULL), by `by` at at_ms. LS_ENOTFOUND: no such task; LS_EEXIST: done
 * already; LS_EINVAL: an unknown outcome or a cancelled task (diag says
 * which). */
int ls_store_task_done(ls_store *s, const char *id, const char *outcome, const char *note,
                       const char *by, int64_t at_ms, ls_diag *diag);

/* ---- owners ---- */

/* The person's owner (and team, empty when none) into `owner`/`team`;
 * a person with an MQL and no owner yet gets one now from the model's
 * owner rules (a team's members take turns, in the order persons are first
 * asked for), kept from then on. LS_ENOTFOUND: no owner and no rule. */
int ls_store_owner(ls_store *s, int64_t person, int64_t now_ms, ls_buf *owner, ls_buf *team);
/* The owner recorded so far, without assigning one (a read: for lists);
 * LS_ENOTFOUND when none is recorded. */
int ls_store_owner_recorded(ls_store *s, int64_t person, ls_buf *owner, ls_buf *team);
/* Calls fn with the lead id (now) of every person whose owner is
 * `owner`, in no particular order. */
int ls_store_owned_by(ls_store *s, const char *owner, int (*fn)(void *ud, ls_slice lead),
                      void *ud);
/* The owners a list may be filtered by: every owner recorded (by a rule
 * or by hand, whether still current or not) and every member of the
 * model's teams, each once with its team ("" when none), sorted by owner
 * then team. fn's strings are borrowed until it returns; non-zero stops. */
int ls_store_owner_names(ls_store *s,
                         int (*fn)(void *ud, const char *owner, const char *team), void *ud);
/* Sets the owner by hand. */
int ls_store_owner_set(ls_store *s, int64_t person, const char *owner, const char *by,
                       int64_t at_ms);

/* ---- the hand-off checklist ---- */

/* Records criterion `name` for the person (again: replaces the note).
 * LS_EINVAL: the model has no such criterion (diag lists them). */
int ls_store_checklist_set(ls_store *s, int64_t person, const char *name, const char *note,
                           const char *by, int64_t at_ms, ls_diag *diag);
/* Calls fn for each criterion of the model, in model order, with its
 * record (NULL when not recorded). */
int ls_store_checklist(ls_store *s, int64_t person,
                       int (*fn)(void *ud, size_t criterion, const ls_wf_record *r), void *ud);
/* The gate before `stage`: LS_OK when the person may enter it (or the
 * model gates another stage or none); else LS_EINVAL with diag naming what
 * is missing ("hand-off checklist: 2 of 3 criteria recorded; missing: need
 * (required), timing, company"). */
int ls_store_handoff_check(ls_store *s, int64_t person, const char *stage, ls_diag *diag);

/* A sales event (a JSON line) for `person`, before it is ingested: LS_OK,
 * or LS_EINVAL with diag saying why it is refused — it would move the
 * person into the stage the hand-off checklist guards without the
 * checklist (ls_store_handoff_check), or recycle or disqualify the person
 * without one of the model's reasons in props.reason. Bulk ingest is not
 * checked: history is history. */
int ls_store_sales_check(ls_store *s, int64_t person, const char *line, size_t n,
                         ls_diag *diag);

/* ---- reports ---- */

typedef struct ls_wf_sla {
  const char *owner;         /* "" for tasks of persons without an owner */
  uint64_t due;              /* tasks due in the window (not cancelled) */
  uint64_t on_time, late;    /* done by their due time / after it */
  uint64_t overdue_now;      /* open past their due time at the clock */
  uint64_t first_touches;    /* stage entries with a task done */
  int64_t median_first_touch_s; /* entry to the first task done */
  uint64_t stage_breaches;   /* persons past their stage's `sla:` */
} ls_wf_sla;

/* Per owner (in name order), tasks due since `since` (NULL: all). */
int ls_store_sla(ls_store *s, const ls_time *since, int (*fn)(void *ud, const ls_wf_sla *r),
                 void *ud);
/* The same for tasks due in [since, until) (either NULL: unbounded), e.g.
 * one month. With `until`, stage breaches are counted by their deadline
 * (entry + the stage's `sla`) in [since, until), where they happened;
 * without it, as ls_store_sla counts them (entries in the window). An
 * owner appears when it has a task due or a breach in the window. */
int ls_store_sla_range(ls_store *s, const ls_time *since, const ls_time *until,
                       int (*fn)(void *ud, const ls_wf_sla *r), void *ud);

/* Counts of recycling (`recycle`: nurture, lost) and disqualification
 * (`disqualify`) transitions per `props.reason` of the event that caused
 * them ("" for none), in (kind, reason) order. */
int ls_store_reasons(ls_store *s,
                     int (*fn)(void *ud, const char *kind, const char *reason, uint64_t n),
                     void *ud);

#ifdef __cplusplus
}
#endif
#endif
