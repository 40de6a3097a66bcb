/* Internal: what workflow.c and workflow_report.c share, and the ingest's
 * hook for new MQLs. */
#ifndef LEADSCORE_STORE_WORKFLOW_INTERNAL_H
#define LEADSCORE_STORE_WORKFLOW_INTERNAL_H

#include "leadscore/model.h"
#include "leadscore/workflow.h"

typedef struct ls_store ls_store;

/* The index of stage `name` in the model (ls_model_nstages when none). */
size_t ls__wf_stage(const ls_model *m, const char *name);
/* What a change from stage `from` to `to` is for reasons: "recycle" (back
 * to an earlier stage, model order), "disqualify" (into `disqualified`) or
 * NULL. */
const char *ls__wf_reason_kind(const ls_model *m, size_t from, size_t to);

/* A person's identities as lead ids ("L1", "email:a@x", "anon:c1"). */
enum { LS__WF_MAX_IDS = 64 };
typedef struct ls__wf_ids {
  ls_buf buf;
  size_t at[LS__WF_MAX_IDS], len[LS__WF_MAX_IDS];
  size_t n;
} ls__wf_ids;

int ls__wf_ids_of(ls_store *s, int64_t person, ls__wf_ids *ids);
ls_slice ls__wf_id(const ls__wf_ids *ids, size_t i);
/* Calls fn for the person's records in table t (key: one key only). */
int ls__wf_scan_person(ls_store *s, const ls__wf_ids *ids, ls_wf_table t, const char *key,
                       int (*fn)(void *ud, const ls_wf_record *r), void *ud);
/* The person's owner and team, if it has one (*found). */
int ls__wf_owner_find(ls_store *s, const ls__wf_ids *ids, ls_buf *owner, ls_buf *team,
                      bool *found);
/* Gives each person of `mqls` (the MQLs an ingest just folded; sorted
 * here by time, then person, so that the order does not depend on how the
 * store folded them) an owner by the model's rules unless it has one;
 * inside the ingest's transaction. */
struct ls__mql;
/* Everyone's tasks like ls_store_tasks(s, 0, …), but only of the stage
 * entries that have a task due in [since, until) or a stage time limit
 * ending in it (both NULL: every entry) — what the SLA of a window needs. */
int ls__store_tasks_in(ls_store *s, const ls_time *since, const ls_time *until,
                       int (*fn)(void *ud, const ls_wf_task *t), void *ud);
int ls__wf_assign_new(ls_store *s, struct ls__mql *mqls, size_t n, int64_t now_ms);

#endif
