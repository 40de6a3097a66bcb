/* The inside-sales workflow API: stage SLAs, cadences and their tasks,
 * owners, the hand-off checklist and reasons. Read-only views of the
 * model; nothing here changes a fold. */
#include <string.h>

#include "ir.h"
#include "leadscore/fold.h"

int64_t ls_model_stage_sla(const ls_model *m, size_t stage) {
  return stage < m->nstages ? m->stages[stage].sla : 0;
}

/* ---- cadences ---- */

static const char *const channel_names[] = {[LS__CH_CALL] = "call", [LS__CH_EMAIL] = "email",
                                            [LS__CH_TASK] = "task"};

size_t ls_model_ncadences(const ls_model *m) { return m->ncadences; }

const char *ls_model_cadence_name(const ls_model *m, size_t i) {
  return i < m->ncadences ? m->cadences[i].name : NULL;
}

int32_t ls_model_cadence_find(const ls_model *m, const char *name) {
  for (size_t i = 0; name && i < m->ncadences; i++)
    if (!strcmp(m->cadences[i].name, name)) return (int32_t)i;
  return -1;
}

size_t ls_model_cadence_steps(const ls_model *m, int32_t cadence, ls_time entered,
                              ls_task *out, size_t cap) {
  if (cadence < 0 || (size_t)cadence >= m->ncadences) return 0;
  const ls__cadence *c = &m->cadences[cadence];
  for (size_t i = 0; i < c->nsteps && i < cap; i++) {
    const ls__step *s = &c->steps[i];
    out[i].day = s->day;
    out[i].due = ls_time_add(entered, (int64_t)(s->day - 1) * 86400);
    out[i].task = s->task;
    out[i].note = s->note;
    out[i].channel = channel_names[s->channel];
    out[i].template_ = s->template_;
    out[i].step = (uint32_t)i;
  }
  return c->nsteps;
}

size_t ls_model_cadence_tasks(const ls_model *m, uint16_t stage, ls_time entered,
                              ls_task *out, size_t cap) {
  if (stage >= m->nstages) return 0;
  return ls_model_cadence_steps(m, m->stages[stage].cadence, entered, out, cap);
}

/* ---- owners ---- */

size_t ls_model_nteams(const ls_model *m) { return m->nteams; }

const char *ls_model_team_name(const ls_model *m, size_t team) {
  return team < m->nteams ? m->teams[team].name : NULL;
}

size_t ls_model_team_size(const ls_model *m, size_t team) {
  return team < m->nteams ? m->teams[team].nmembers : 0;
}

const char *ls_model_team_member(const ls_model *m, size_t team, size_t i) {
  if (team >= m->nteams || i >= m->teams[team].nmembers) return NULL;
  return m->teams[team].members[i];
}

bool ls_model_owner_for(const ls_model *m, const char *(*attr)(void *ud, const char *name),
                        void *ud, int32_t *team, const char **owner) {
  if (team) *team = -1;
  if (owner) *owner = NULL;
  for (size_t i = 0; i < m->nowners; i++) {
    const ls__owner *o = &m->owners[i];
    bool holds = true;
    for (size_t k = 0; k < o->nconds && holds; k++)
      holds = ls__pred_test_text(&o->conds[k].p, attr ? attr(ud, o->conds[k].attr) : NULL);
    if (!holds) continue;
    if (team) *team = o->team;
    if (owner) *owner = o->owner;
    return true;
  }
  return false;
}

/* ---- the hand-off checklist ---- */

size_t ls_model_ncriteria(const ls_model *m) { return m->ncriteria; }

const char *ls_model_criterion_name(const ls_model *m, size_t i) {
  return i < m->ncriteria ? m->criteria[i].name : NULL;
}

const char *ls_model_criterion_label(const ls_model *m, size_t i, const char *lang) {
  if (i >= m->ncriteria) return NULL;
  const ls__criterion *k = &m->criteria[i];
  if (lang && !strcmp(lang, "ja") && k->label_ja) return k->label_ja;
  return k->label_en ? k->label_en : k->name;
}

bool ls_model_criterion_required(const ls_model *m, size_t i) {
  return i < m->ncriteria && m->criteria[i].required;
}

int32_t ls_model_handoff_stage(const ls_model *m) { return m->handoff_stage; }

size_t ls_model_handoff_min(const ls_model *m) { return m->handoff_min; }

/* ---- reasons ---- */

static int reason_kind(const char *kind) {
  if (!kind) return -1;
  if (!strcmp(kind, "recycle")) return 0;
  return !strcmp(kind, "disqualify") ? 1 : -1;
}

size_t ls_model_nreasons(const ls_model *m, const char *kind) {
  int k = reason_kind(kind);
  return k < 0 ? 0 : m->nreasons[k];
}

const char *ls_model_reason(const ls_model *m, const char *kind, size_t i) {
  int k = reason_kind(kind);
  return k < 0 || i >= m->nreasons[k] ? NULL : m->reasons[k][i];
}
