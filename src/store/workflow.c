/* The inside-sales workflow on a store (see leadscore/workflow.h): tasks
 * derived from the ledger's stage rows, owners, task outcomes, the hand-off
 * checklist. Reports are in workflow_report.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/hash.h"
#include "leadscore/workflow.h"
#include "store/store_internal.h"
#include "store/workflow_internal.h"

const char *const ls_task_outcomes[] = {"reached",       "no_answer", "left_message", "sent",
                                        "meeting_set",   "not_interested", "wrong_contact",
                                        "skipped",       NULL};

static const ls_workflow_driver *wf(ls_store *s) { return s->drv->workflow; }

/* ---- a person's identities (records are keyed by a lead id) ---- */

static int on_ident(void *ud, int kind, ls_slice v) {
  static const char *const prefix[3] = {"", "email:", "anon:"};
  ls__wf_ids *ids = ud;
  if (ids->n == LS__WF_MAX_IDS) return LS_OK; /* a person with that many: the first ones */
  ids->at[ids->n] = ids->buf.len;
  int rc = ls_buf_append(&ids->buf, prefix[kind % 3], strlen(prefix[kind % 3]));
  if (!rc) rc = ls_buf_append(&ids->buf, v.p, v.n);
  if (!rc) {
    ids->len[ids->n] = ids->buf.len - ids->at[ids->n];
    ids->n++;
  }
  return rc;
}

int ls__wf_ids_of(ls_store *s, int64_t person, ls__wf_ids *ids) {
  ids->n = 0;
  ids->buf.len = 0;
  return s->drv->ident_scan(s->db, person, on_ident, ids);
}

ls_slice ls__wf_id(const ls__wf_ids *ids, size_t i) {
  return (ls_slice){ids->buf.p + ids->at[i], ids->len[i]};
}

int ls__wf_scan_person(ls_store *s, const ls__wf_ids *ids, ls_wf_table t, const char *key,
                       int (*fn)(void *ud, const ls_wf_record *r), void *ud) {
  int rc = LS_OK;
  for (size_t i = 0; i < ids->n && !rc; i++)
    rc = wf(s)->scan(s->db, t, ls__wf_id(ids, i), key, fn, ud);
  return rc;
}

size_t ls__wf_stage(const ls_model *m, const char *name) {
  size_t i = 0, n = ls_model_nstages(m);
  while (i < n && (!name || strcmp(ls_model_stage_name(m, i), name))) i++;
  return i;
}

const char *ls__wf_reason_kind(const ls_model *m, size_t from, size_t to) {
  if (to >= ls_model_nstages(m)) return NULL;
  if (!strcmp(ls_model_stage_name(m, to), "disqualified")) return "disqualify";
  return to < from ? "recycle" : NULL;
}

/* ---- owners ---- */

typedef struct first_rec {
  ls_buf *a, *b;
  bool found;
  int64_t at_ms;
} first_rec;

/* The latest record: a person may have owner records under several of
 * its lead ids (given as anon:…, set by hand once it was L…). */
static int take_first(void *ud, const ls_wf_record *r) {
  first_rec *f = ud;
  if (f->found && r->at_ms < f->at_ms) return LS_OK;
  f->found = true;
  f->at_ms = r->at_ms;
  f->a->len = f->b->len = 0;
  int rc = ls_buf_append(f->a, r->key, strlen(r->key));
  if (!rc && r->value) rc = ls_buf_append(f->b, r->value, strlen(r->value));
  return rc;
}

/* The latest value of each attribute `show` knows, for owner rules. */
typedef struct attrs {
  char key[16][16];
  char *val[16];
  size_t n;
} attrs;

static int at_attr(void *ud, const char *key, ls_slice v) {
  attrs *a = ud;
  if (a->n == 16) return LS_OK;
  snprintf(a->key[a->n], sizeof a->key[a->n], "%s", key);
  if (!(a->val[a->n] = malloc(v.n + 1))) return LS_ENOMEM;
  memcpy(a->val[a->n], v.p, v.n);
  a->val[a->n++][v.n] = '\0';
  return LS_OK;
}
static const char *attr_of(void *ud, const char *name) {
  attrs *a = ud;
  for (size_t i = 0; i < a->n; i++)
    if (!strcmp(a->key[i], name)) return a->val[i];
  return NULL;
}

/* Gives the person an owner by the model's rules; LS_ENOTFOUND when none
 * holds. */
static int assign(ls_store *s, int64_t person, ls_slice lead, int64_t now_ms, ls_buf *owner,
                  ls_buf *team) {
  attrs a = {0};
  ls_store_show_sink sink = {&a, NULL, at_attr, NULL};
  unsigned char *state = malloc(ls_fold_state_size(s->model));
  ls_buf lid = {0};
  int rc = state ? ls_store_show(s, person, &sink, state, &lid) : LS_ENOMEM;
  int32_t t = -1;
  const char *named = NULL;
  if (!rc && !ls_model_owner_for(s->model, attr_of, &a, &t, &named)) rc = LS_ENOTFOUND;
  char who[256] = "";
  if (!rc && named) {
    snprintf(who, sizeof who, "%s", named);
  } else if (!rc) {
    int64_t turn = 0;
    const char *tn = ls_model_team_name(s->model, (size_t)t);
    rc = wf(s)->team_turn(s->db, tn, &turn);
    size_t n = ls_model_team_size(s->model, (size_t)t);
    if (!rc) snprintf(who, sizeof who, "%s", ls_model_team_member(s->model, (size_t)t,
                                                                   (size_t)(turn % (int64_t)n)));
  }
  const char *tn = !rc && t >= 0 ? ls_model_team_name(s->model, (size_t)t) : NULL;
  ls_wf_record r = {lead, who, tn, "rule", NULL, NULL, now_ms};
  if (!rc) rc = wf(s)->put(s->db, LS_WF_OWNERS, &r, true);
  if (!rc) {
    owner->len = team->len = 0;
    rc = ls_buf_append(owner, who, strlen(who));
    if (!rc && tn) rc = ls_buf_append(team, tn, strlen(tn));
  }
  for (size_t i = 0; i < a.n; i++) free(a.val[i]);
  free(state);
  ls_buf_free(&lid);
  return rc;
}

int ls__wf_owner_find(ls_store *s, const ls__wf_ids *ids, ls_buf *owner, ls_buf *team,
                      bool *found) {
  first_rec f = {owner, team, false, 0};
  int rc = ls__wf_scan_person(s, ids, LS_WF_OWNERS, NULL, take_first, &f);
  *found = f.found;
  return rc;
}

int ls_store_owner(ls_store *s, int64_t person, int64_t now_ms, ls_buf *owner, ls_buf *team) {
  if (!wf(s)) return LS_EINVAL;
  ls__wf_ids ids = {0};
  bool found = false;
  int rc = ls__wf_ids_of(s, person, &ids);
  if (!rc) rc = ls__wf_owner_find(s, &ids, owner, team, &found);
  if (!rc && !found) {
    ls_buf lead = {0};
    unsigned char *state = malloc(ls_fold_state_size(s->model));
    rc = state ? ls_store_person_state(s, person, NULL, state, &lead) : LS_ENOMEM;
    /* only persons handed to sales get one */
    if (!rc && ls_fold_mql_count(s->model, state) == 0) rc = LS_ENOTFOUND;
    if (!rc && !(rc = ls__tx_begin(s)))
      rc = ls__tx_end(s, assign(s, person, (ls_slice){lead.p, lead.len}, now_ms, owner, team));
    free(state);
    ls_buf_free(&lead);
  }
  ls_buf_free(&ids.buf);
  return rc;
}

int ls_store_owner_recorded(ls_store *s, int64_t person, ls_buf *owner, ls_buf *team) {
  if (!wf(s)) return LS_EINVAL;
  ls__wf_ids ids = {0};
  bool found = false;
  int rc = ls__wf_ids_of(s, person, &ids);
  if (!rc) rc = ls__wf_owner_find(s, &ids, owner, team, &found);
  ls_buf_free(&ids.buf);
  return rc ? rc : found ? LS_OK : LS_ENOTFOUND;
}

typedef struct owned {
  ls_buf leads; /* lead ids of the records naming the owner, NUL-terminated */
  const char *owner;
} owned;

static int on_owned(void *ud, const ls_wf_record *r) {
  owned *o = ud;
  if (strcmp(r->key, o->owner) || memchr(r->lead.p, 0, r->lead.n)) return LS_OK;
  int rc = ls_buf_append(&o->leads, r->lead.p, r->lead.n);
  return rc ? rc : ls_buf_append(&o->leads, "", 1);
}

int ls_store_owned_by(ls_store *s, const char *owner, int (*fn)(void *ud, ls_slice lead),
                      void *ud) {
  if (!wf(s)) return LS_EINVAL;
  owned o = {{NULL, 0, 0}, owner};
  ls_buf now = {0}, team = {0}, lead = {0};
  ls__wf_ids ids = {0};
  unsigned char *state = malloc(ls_fold_state_size(s->model));
  int rc = state ? wf(s)->scan(s->db, LS_WF_OWNERS, (ls_slice){NULL, 0}, NULL, on_owned, &o)
                 : LS_ENOMEM;
  /* each record's person, if the owner is still its latest */
  for (size_t at = 0; !rc && at < o.leads.len; at += strlen(o.leads.p + at) + 1) {
    int64_t p = 0;
    bool found = false;
    const char *l = o.leads.p + at;
    if (ls_store_find(s, (ls_slice){l, strlen(l)}, &p)) continue; /* erased */
    rc = ls__wf_ids_of(s, p, &ids);
    if (!rc) rc = ls__wf_owner_find(s, &ids, &now, &team, &found);
    if (rc || !found || now.len != strlen(owner) || memcmp(now.p, owner, now.len)) continue;
    lead.len = 0;
    rc = ls_store_person_state(s, p, NULL, state, &lead);
    if (!rc) rc = fn(ud, (ls_slice){lead.p, lead.len});
  }
  free(state);
  ls_buf_free(&o.leads);
  ls_buf_free(&now);
  ls_buf_free(&team);
  ls_buf_free(&lead);
  ls_buf_free(&ids.buf);
  return rc;
}

/* ---- owner names: "owner\0team\0" pairs, sorted, once each ---- */

static int pair_add(ls_buf *b, const char *owner, const char *team) {
  int rc = ls_buf_append(b, owner, strlen(owner) + 1);
  return rc ? rc : ls_buf_append(b, team ? team : "", strlen(team ? team : "") + 1);
}

static int on_owner_rec(void *ud, const ls_wf_record *r) {
  return r->key && r->key[0] ? pair_add(ud, r->key, r->value) : LS_OK;
}

static int pair_cmp(const void *a, const void *b) {
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  int c = strcmp(x, y);
  return c ? c : strcmp(x + strlen(x) + 1, y + strlen(y) + 1);
}

int ls_store_owner_names(ls_store *s,
                         int (*fn)(void *ud, const char *owner, const char *team), void *ud) {
  if (!wf(s) || !fn) return LS_EINVAL;
  ls_buf b = {0};
  int rc = wf(s)->scan(s->db, LS_WF_OWNERS, (ls_slice){NULL, 0}, NULL, on_owner_rec, &b);
  for (size_t t = 0; !rc && t < ls_model_nteams(s->model); t++)
    for (size_t i = 0; !rc && i < ls_model_team_size(s->model, t); i++)
      rc = pair_add(&b, ls_model_team_member(s->model, t, i), ls_model_team_name(s->model, t));
  size_t n = 0, cap = 0;
  const char **v = NULL;
  for (size_t at = 0; !rc && at < b.len; n++) {
    if (ls__grow((void **)&v, &cap, n + 1, sizeof *v)) rc = LS_ENOMEM;
    else v[n] = b.p + at;
    at += strlen(b.p + at) + 1;
    at += strlen(b.p + at) + 1;
  }
  if (!rc && n) qsort(v, n, sizeof *v, pair_cmp);
  for (size_t i = 0; !rc && i < n; i++)
    if (!i || pair_cmp(&v[i - 1], &v[i]))
      rc = fn(ud, v[i], v[i] + strlen(v[i]) + 1);
  free(v);
  ls_buf_free(&b);
  return rc;
}

int ls_store_owner_set(ls_store *s, int64_t person, const char *owner, const char *by,
                       int64_t at_ms) {
  if (!wf(s)) return LS_EINVAL;
  ls_buf lead = {0};
  unsigned char *state = malloc(ls_fold_state_size(s->model));
  int rc = state ? ls_store_person_state(s, person, NULL, state, &lead) : LS_ENOMEM;
  ls_wf_record r = {{lead.p, lead.len}, owner, NULL, "hand", by, NULL, at_ms};
  if (!rc && !(rc = ls__tx_begin(s)))
    rc = ls__tx_end(s, wf(s)->put(s->db, LS_WF_OWNERS, &r, true));
  free(state);
  ls_buf_free(&lead);
  return rc;
}

/* New MQLs of an ingest get their owner in its transaction: persons are
 * given in the order their MQLs were folded. */
static int cmp_mql(const void *a, const void *b) {
  const ls__mql *x = a, *y = b;
  int c = ls_time_cmp(x->time, y->time);
  return c ? c : (x->person > y->person) - (x->person < y->person);
}

int ls__wf_assign_new(ls_store *s, ls__mql *mqls, size_t n, int64_t now_ms) {
  if (!wf(s) || !n) return LS_OK;
  qsort(mqls, n, sizeof *mqls, cmp_mql);
  ls__wf_ids ids = {0};
  ls_buf owner = {0}, team = {0}, lead = {0};
  unsigned char *state = malloc(ls_fold_state_size(s->model));
  int rc = state ? LS_OK : LS_ENOMEM;
  for (size_t i = 0; i < n && !rc; i++) {
    bool found = false; /* a person with two MQLs has its owner at the second */
    rc = ls__wf_ids_of(s, mqls[i].person, &ids);
    if (!rc && !ids.n) continue; /* erased since */
    if (!rc) rc = ls__wf_owner_find(s, &ids, &owner, &team, &found);
    lead.len = 0;
    if (!rc && !found) rc = ls_store_person_state(s, mqls[i].person, NULL, state, &lead);
    if (!rc && !found) {
      rc = assign(s, mqls[i].person, (ls_slice){lead.p, lead.len}, now_ms, &owner, &team);
      if (rc == LS_ENOTFOUND) rc = LS_OK; /* no rule holds: no owner */
    }
  }
  free(state);
  ls_buf_free(&ids.buf);
  ls_buf_free(&owner);
  ls_buf_free(&team);
  ls_buf_free(&lead);
  return rc;
}

/* ---- tasks ---- */

void ls_wf_task_id(ls_slice event_id, const char *stage, ls_time at, uint32_t step,
                   char out[18]) {
  char basis[512];
  int n = snprintf(basis, sizeof basis, "%.*s|%s|%" PRId64 ".%09d|%u", (int)event_id.n,
                   event_id.p, stage, at.sec, (int)at.nsec, (unsigned)step);
  uint64_t h = ls__hash(basis, (size_t)(n < (int)sizeof basis ? n : (int)sizeof basis - 1),
                        0x6c73776b666c6f77ull);
  snprintf(out, 18, "t%016" PRIx64, h);
}

/* An entry into a stage that started a cadence (model indexes; the event
 * that caused it in task_ctx.events). */
typedef struct entry {
  ls_time at, left_at;
  bool left;
  size_t stage;
  int32_t cadence;
  size_t event_at, event_n;
} entry;

typedef struct task_ctx {
  ls_store *s;
  int (*fn)(void *ud, const ls_wf_task *t);
  void *ud;
  ls__bytes lead;
  entry *e;
  size_t n, cap;
  ls_buf events; /* the entries' event ids, one after the other */
  ls__wf_ids ids;
  ls_buf owner, team, done;
  const ls_time *since, *until; /* ls__store_tasks_in: the window, else NULL */
} task_ctx;

typedef struct done_rec {
  ls_wf_record r;
  ls_buf *b;
  bool found;
} done_rec;

static int on_done(void *ud, const ls_wf_record *r) {
  done_rec *d = ud;
  d->found = true;
  d->b->len = 0;
  /* outcome \0 note \0 by \0 */
  const char *parts[3] = {r->value, r->note ? r->note : "", r->by ? r->by : ""};
  for (int i = 0; i < 3; i++)
    if (ls_buf_append(d->b, parts[i], strlen(parts[i]) + 1)) return LS_ENOMEM;
  d->r = *r;
  return LS_OK;
}

static bool in_window(const task_ctx *c, ls_time t) {
  return ls_time_cmp(t, *c->since) >= 0 && ls_time_cmp(t, *c->until) < 0;
}

/* With a window: whether the entry has a task due in it, or its stage's
 * time limit (`sla:`) ends in it; an entry with neither cannot count in
 * the window's SLA, so its tasks are not looked up. */
static bool entry_wanted(const task_ctx *c, const entry *en, const ls_task *t, size_t nt) {
  if (!c->since) return true;
  for (size_t k = 0; k < nt; k++)
    if (in_window(c, t[k].due)) return true;
  int64_t sla = ls_model_stage_sla(c->s->model, en->stage);
  return sla > 0 && in_window(c, ls_time_add(en->at, sla));
}

static int flush_person(task_ctx *c) {
  ls_store *s = c->s;
  const ls_model *m = s->model;
  int rc = LS_OK;
  bool have_owner = false;
  size_t kept = 0;
  for (size_t i = 0; i < c->n; i++) {
    ls_task t[64];
    size_t nt = ls_model_cadence_steps(m, c->e[i].cadence, c->e[i].at, t, 64);
    if (entry_wanted(c, &c->e[i], t, nt < 64 ? nt : 64)) c->e[kept++] = c->e[i];
  }
  c->n = kept;
  if (c->n) { /* the person's owner, found through its lead id */
    int64_t person = 0;
    c->owner.len = 0;
    if (ls_store_find(s, (ls_slice){c->lead.p, c->lead.len}, &person) == LS_OK &&
        !(rc = ls__wf_ids_of(s, person, &c->ids)))
      rc = ls__wf_owner_find(s, &c->ids, &c->owner, &c->team, &have_owner);
  }
  for (size_t i = 0; i < c->n && !rc; i++) {
    const entry *en = &c->e[i];
    const char *stage = ls_model_stage_name(m, en->stage);
    ls_task t[64];
    size_t nt = ls_model_cadence_steps(m, en->cadence, en->at, t, 64);
    for (size_t k = 0; k < nt && k < 64 && !rc; k++) {
      char id[18];
      ls_wf_task_id((ls_slice){c->events.p + en->event_at, en->event_n}, stage, en->at,
                    t[k].step, id);
      done_rec d = {{{NULL, 0}, NULL, NULL, NULL, NULL, NULL, 0}, &c->done, false};
      rc = wf(s)->scan(s->db, LS_WF_TASK_LOG, (ls_slice){NULL, 0}, id, on_done, &d);
      if (rc) break;
      ls_buf_append(&c->owner, "", 1); /* NUL-terminate */
      c->owner.len--;
      ls_wf_task w = {id, {c->lead.p, c->lead.len}, stage,
                      ls_model_cadence_name(m, (size_t)en->cadence), en->at, t[k].due,
                      t[k].day, t[k].task, t[k].channel, t[k].note, t[k].template_,
                      have_owner ? c->owner.p : NULL, NULL, en->left_at,
                      NULL, NULL, NULL, 0};
      if (d.found) {
        const char *o = c->done.p;
        w.status = "done";
        w.outcome = o;
        w.outcome_note = o + strlen(o) + 1;
        w.done_by = w.outcome_note + strlen(w.outcome_note) + 1;
        w.done_ms = d.r.at_ms;
      } else {
        w.status = en->left ? "cancelled"
                   : s->has_clock && ls_time_cmp(t[k].due, s->clock) < 0 ? "overdue" : "open";
      }
      rc = c->fn(c->ud, &w);
    }
  }
  c->n = 0;
  c->events.len = 0;
  return rc;
}

static int task_row(void *ud, ls_slice lead, const ls_store_ledger *e) {
  task_ctx *c = ud;
  int rc = LS_OK;
  if (lead.n != c->lead.len || memcmp(lead.p, c->lead.p, lead.n)) {
    rc = flush_person(c);
    if (!rc) rc = ls__bytes_set(&c->lead, lead.p, lead.n);
  }
  if (rc || e->kind != 's' || e->model_version != c->s->model_version) return rc;
  const ls_model *m = c->s->model;
  size_t from = ls__wf_stage(m, e->from_stage);
  for (size_t i = 0; i < c->n; i++)
    if (!c->e[i].left && c->e[i].stage == from) c->e[i].left = true, c->e[i].left_at = e->time;
  int32_t cad = e->cadence ? ls_model_cadence_find(m, e->cadence) : -1;
  size_t to = ls__wf_stage(m, e->to_stage);
  if (cad < 0 || to == ls_model_nstages(m)) return LS_OK;
  if (ls__grow((void **)&c->e, &c->cap, c->n + 1, sizeof *c->e)) return LS_ENOMEM;
  c->e[c->n++] = (entry){e->time, {0, 0}, false, to, cad, c->events.len, e->event_id.n};
  return ls_buf_append(&c->events, e->event_id.p, e->event_id.n);
}

static int tasks(ls_store *s, int64_t person, const ls_time *since, const ls_time *until,
                 int (*fn)(void *ud, const ls_wf_task *t), void *ud) {
  if (!wf(s)) return LS_EINVAL;
  /* tasks come from the current model's cadences only */
  if (!ls_model_ncadences(s->model)) return LS_OK;
  task_ctx c;
  memset(&c, 0, sizeof c);
  c.s = s;
  c.fn = fn;
  c.ud = ud;
  c.since = since;
  c.until = until;
  int rc = LS_OK;
  if (person) {
    ls__tp *p;
    ls__touched_clear(&s->t);
    rc = ls__touched_get(s, person, false, &p);
    if (!rc) rc = ls__bytes_set(&c.lead, p->lead_id.p ? p->lead_id.p : "", p->lead_id.len);
    if (!rc) rc = s->drv->ledger_scan(s->db, &p->row, task_row, &c);
    ls__touched_clear(&s->t);
  } else {
    rc = s->drv->stage_scan(s->db, task_row, &c);
  }
  if (!rc) rc = flush_person(&c);
  free(c.e);
  free(c.lead.p);
  ls_buf_free(&c.events);
  ls_buf_free(&c.ids.buf);
  ls_buf_free(&c.owner);
  ls_buf_free(&c.team);
  ls_buf_free(&c.done);
  return rc;
}

int ls_store_tasks(ls_store *s, int64_t person, int (*fn)(void *ud, const ls_wf_task *t),
                   void *ud) {
  return tasks(s, person, NULL, NULL, fn, ud);
}

int ls__store_tasks_in(ls_store *s, const ls_time *since, const ls_time *until,
                       int (*fn)(void *ud, const ls_wf_task *t), void *ud) {
  return since && until ? tasks(s, 0, since, until, fn, ud) : tasks(s, 0, NULL, NULL, fn, ud);
}

bool ls_wf_task_matches(const ls_wf_task *t, const ls_wf_filter *f) {
  bool live = !strcmp(t->status, "open") || !strcmp(t->status, "overdue");
  if (f->status ? strcmp(f->status, "all") && strcmp(f->status, t->status) : !live) return false;
  if (f->owner && (!t->owner || strcmp(f->owner, t->owner))) return false;
  if (f->due && !strcmp(f->due, "overdue") && strcmp(t->status, "overdue")) return false;
  if (f->due && !strcmp(f->due, "today") &&
      (!f->clock || t->due.sec / 86400 != f->clock->sec / 86400))
    return false;
  return true;
}

typedef struct find_task {
  const char *id;
  ls_buf lead, owner;
  bool found, cancelled;
} find_task;

static int on_task(void *ud, const ls_wf_task *t) {
  find_task *f = ud;
  if (f->found || strcmp(t->id, f->id)) return LS_OK;
  f->found = true;
  f->cancelled = !strcmp(t->status, "cancelled");
  int rc = ls_buf_append(&f->lead, t->lead.p, t->lead.n);
  if (!rc && t->owner) rc = ls_buf_append(&f->owner, t->owner, strlen(t->owner) + 1);
  return rc;
}

int ls_store_task_done(ls_store *s, const char *id, const char *outcome, const char *note,
                       const char *by, int64_t at_ms, ls_diag *diag) {
  if (!wf(s)) return LS_EINVAL;
  size_t k = 0;
  while (ls_task_outcomes[k] && strcmp(ls_task_outcomes[k], outcome)) k++;
  if (!ls_task_outcomes[k]) {
    int n = snprintf(diag->msg, sizeof diag->msg, "unknown outcome \"%s\" (outcomes:", outcome);
    for (k = 0; ls_task_outcomes[k] && n > 0 && (size_t)n < sizeof diag->msg; k++)
      n += snprintf(diag->msg + n, sizeof diag->msg - (size_t)n, " %s", ls_task_outcomes[k]);
    if (n > 0 && (size_t)n < sizeof diag->msg - 1) snprintf(diag->msg + n, sizeof diag->msg - (size_t)n, ")");
    return LS_EINVAL;
  }
  find_task f = {id, {NULL, 0, 0}, {NULL, 0, 0}, false, false};
  int rc = ls_store_tasks(s, 0, on_task, &f);
  if (!rc && !f.found) {
    snprintf(diag->msg, sizeof diag->msg, "no task %s", id);
    rc = LS_ENOTFOUND;
  }
  if (!rc && f.cancelled) {
    snprintf(diag->msg, sizeof diag->msg, "task %s was cancelled: the person left the stage",
             id);
    rc = LS_EINVAL;
  }
  ls_wf_record r = {{f.lead.p, f.lead.len}, id, outcome, note, by,
                    f.owner.len ? f.owner.p : NULL, at_ms};
  if (!rc && !(rc = ls__tx_begin(s))) {
    rc = ls__tx_end(s, wf(s)->put(s->db, LS_WF_TASK_LOG, &r, false));
    if (rc == LS_EEXIST) snprintf(diag->msg, sizeof diag->msg, "task %s is done already", id);
  }
  ls_buf_free(&f.lead);
  ls_buf_free(&f.owner);
  return rc;
}

/* ---- the hand-off checklist ---- */

int ls_store_checklist_set(ls_store *s, int64_t person, const char *name, const char *note,
                           const char *by, int64_t at_ms, ls_diag *diag) {
  if (!wf(s)) return LS_EINVAL;
  const ls_model *m = s->model;
  size_t i = 0, n = ls_model_ncriteria(m);
  while (i < n && strcmp(ls_model_criterion_name(m, i), name)) i++;
  if (i == n) {
    int k = snprintf(diag->msg, sizeof diag->msg, "unknown criterion \"%s\" (%s", name,
                     n ? "criteria:" : "the model has no `handoff:`");
    for (size_t j = 0; j < n && k > 0 && (size_t)k < sizeof diag->msg; j++)
      k += snprintf(diag->msg + k, sizeof diag->msg - (size_t)k, " %s",
                    ls_model_criterion_name(m, j));
    if (k > 0 && (size_t)k < sizeof diag->msg - 1)
      snprintf(diag->msg + k, sizeof diag->msg - (size_t)k, ")");
    return LS_EINVAL;
  }
  ls_buf lead = {0};
  unsigned char *state = malloc(ls_fold_state_size(m));
  int rc = state ? ls_store_person_state(s, person, NULL, state, &lead) : LS_ENOMEM;
  ls_wf_record r = {{lead.p, lead.len}, name, NULL, note, by, NULL, at_ms};
  if (!rc && !(rc = ls__tx_begin(s)))
    rc = ls__tx_end(s, wf(s)->put(s->db, LS_WF_CHECKLIST, &r, true));
  free(state);
  ls_buf_free(&lead);
  return rc;
}

typedef struct check_ctx {
  const ls_model *m;
  ls_wf_record rec[64];
  ls_buf keep[64];
  bool have[64];
} check_ctx;

static int on_check(void *ud, const ls_wf_record *r) {
  check_ctx *c = ud;
  size_t n = ls_model_ncriteria(c->m);
  for (size_t i = 0; i < n && i < 64; i++) {
    if (strcmp(ls_model_criterion_name(c->m, i), r->key) || c->have[i]) continue;
    /* note \0 by \0: the record's strings outlive the scan */
    ls_buf *b = &c->keep[i];
    const char *note = r->note ? r->note : "", *by = r->by ? r->by : "";
    if (ls_buf_append(b, note, strlen(note) + 1) || ls_buf_append(b, by, strlen(by) + 1))
      return LS_ENOMEM;
    c->rec[i] = *r;
    c->rec[i].key = ls_model_criterion_name(c->m, i);
    c->have[i] = true;
  }
  return LS_OK;
}

int ls_store_checklist(ls_store *s, int64_t person,
                       int (*fn)(void *ud, size_t criterion, const ls_wf_record *r), void *ud) {
  if (!wf(s)) return LS_EINVAL;
  check_ctx *c = calloc(1, sizeof *c);
  ls__wf_ids ids = {0};
  if (!c) return LS_ENOMEM;
  c->m = s->model;
  int rc = ls__wf_ids_of(s, person, &ids);
  if (!rc) rc = ls__wf_scan_person(s, &ids, LS_WF_CHECKLIST, NULL, on_check, c);
  size_t n = ls_model_ncriteria(s->model);
  for (size_t i = 0; i < n && i < 64 && !rc; i++) {
    if (c->have[i]) {
      c->rec[i].note = c->keep[i].p;
      c->rec[i].by = c->keep[i].p + strlen(c->keep[i].p) + 1;
    }
    rc = fn(ud, i, c->have[i] ? &c->rec[i] : NULL);
  }
  for (size_t i = 0; i < 64; i++) ls_buf_free(&c->keep[i]);
  ls_buf_free(&ids.buf);
  free(c);
  return rc;
}

typedef struct gate_ctx {
  const ls_model *m;
  size_t have, need_min;
  char missing[160];
  size_t mlen;
  bool required_missing;
} gate_ctx;

static int on_gate(void *ud, size_t i, const ls_wf_record *r) {
  gate_ctx *g = ud;
  if (r) {
    g->have++;
    return LS_OK;
  }
  bool req = ls_model_criterion_required(g->m, i);
  g->required_missing |= req;
  int n = snprintf(g->missing + g->mlen, sizeof g->missing - g->mlen, "%s%s%s",
                   g->mlen ? ", " : "", ls_model_criterion_name(g->m, i),
                   req ? " (required)" : "");
  if (n > 0 && g->mlen + (size_t)n < sizeof g->missing) g->mlen += (size_t)n;
  return LS_OK;
}

int ls_store_handoff_check(ls_store *s, int64_t person, const char *stage, ls_diag *diag) {
  const ls_model *m = s->model;
  int32_t gs = ls_model_handoff_stage(m);
  if (gs < 0 || strcmp(ls_model_stage_name(m, (size_t)gs), stage)) return LS_OK;
  gate_ctx g = {m, 0, ls_model_handoff_min(m), "", 0, false};
  int rc = ls_store_checklist(s, person, on_gate, &g);
  if (rc) return rc;
  if (g.have >= g.need_min && !g.required_missing) return LS_OK;
  int n = snprintf(diag->msg, sizeof diag->msg,
           "hand-off checklist for %s: %zu of %zu criteria recorded, at least %zu needed%s; "
           "missing: %s",
           stage, g.have, ls_model_ncriteria(m), g.need_min,
           g.required_missing ? " and every required one" : "", g.missing);
  if (n >= (int)sizeof diag->msg) memcpy(diag->msg + sizeof diag->msg - 4, "...", 4);
  return LS_EINVAL;
}

/* ---- sales events: the gate and the reasons, before they are ingested ---- */

typedef struct sales_ctx {
  const ls_model *m;
  int32_t enters;   /* the last stage the event makes the person enter */
  int32_t from;
  bool rejected;    /* a sales event no transition of the stage takes */
} sales_ctx;

static void on_sales_stage(void *ud, const ls_stage_change *c) {
  sales_ctx *x = ud;
  if (x->enters < 0) x->from = c->from;
  x->enters = c->to;
}

static void on_sales_rejected(void *ud, const ls_fold_event *ev, uint16_t stage) {
  (void)ev, (void)stage;
  ((sales_ctx *)ud)->rejected = true;
}

int ls_store_sales_check(ls_store *s, int64_t person, const char *line, size_t n,
                         ls_diag *diag) {
  const ls_model *m = s->model;
  ls_event_fields f;
  ls_fold_event fe;
  unsigned char *state = malloc(ls_fold_state_size(m));
  ls_buf lead = {0};
  int rc = state ? ls_store_person_state(s, person, NULL, state, &lead) : LS_ENOMEM;
  if (!rc && ls__store_classify(s, (ls_slice){line, n}, &f, &fe)) { /* ingest rejects it */
    free(state);
    ls_buf_free(&lead);
    return LS_OK;
  }
  sales_ctx x = {m, -1, -1, false};
  uint16_t before = !rc ? ls_fold_stage(m, state) : 0;
  if (!rc) { /* the event on a copy of the person: which stage it leads to */
    ls_fold_sink sink = {&x, NULL, on_sales_stage, on_sales_rejected};
    ls_fold_apply(m, state, &fe, &sink);
  }
  if (!rc && x.rejected) { /* stored, it would change nothing: say so now */
    snprintf(diag->msg, sizeof diag->msg, "stage %s has no transition for this %.*s event "
             "(check props.outcome)", ls_model_stage_name(m, before), (int)f.type.n, f.type.p);
    rc = LS_EINVAL;
  }
  if (!rc && x.enters >= 0)
    rc = ls_store_handoff_check(s, person, ls_model_stage_name(m, (size_t)x.enters), diag);
  /* recycling or disqualifying: one of the model's reasons */
  const char *kind = !rc && x.enters >= 0
                         ? ls__wf_reason_kind(m, (size_t)x.from, (size_t)x.enters) : NULL;
  size_t nr = kind ? ls_model_nreasons(m, kind) : 0;
  if (!rc && nr) {
    static const ls_slice keys[] = {{"reason", 6}};
    static const ls_event_schema schema = {keys, 1, NULL, 0};
    ls_event_parser *p = ls_event_parser_new(&schema);
    ls_event_fields g;
    ls_slice r = {"", 0};
    if (!p) rc = LS_ENOMEM;
    else if (ls_event_parse(p, line, n, &g) == LS_LINE_EVENT && g.props[0].kind == LS_J_STRING)
      r = g.props[0].s;
    size_t i = 0;
    while (!rc && i < nr && (strlen(ls_model_reason(m, kind, i)) != r.n ||
                             memcmp(ls_model_reason(m, kind, i), r.p, r.n)))
      i++;
    if (!rc && i == nr) {
      int k = snprintf(diag->msg, sizeof diag->msg, "%s needs props.reason, one of:",
                       !strcmp(kind, "recycle") ? "recycling" : "a disqualification");
      for (i = 0; i < nr && k > 0 && (size_t)k < sizeof diag->msg; i++)
        k += snprintf(diag->msg + k, sizeof diag->msg - (size_t)k, " %s",
                      ls_model_reason(m, kind, i));
      rc = LS_EINVAL;
    }
    ls_event_parser_destroy(p);
  }
  free(state);
  ls_buf_free(&lead);
  return rc;
}
