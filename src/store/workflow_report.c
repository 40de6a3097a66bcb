/* Workflow reports: SLAs per owner and counts of recycling and
 * disqualification reasons (see leadscore/workflow.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "store/store_internal.h"
#include "store/workflow_internal.h"

/* ---- SLAs ---- */

typedef struct owner_acc {
  char name[128];
  ls_wf_sla r;
  int64_t *touch; /* seconds from entry to first task done, per entry */
  size_t nt, tcap;
} owner_acc;

typedef struct sla_ctx {
  ls_store *s;
  const ls_time *since, *until;
  owner_acc *o;
  size_t n, cap;
  /* the stage entry being read (tasks come grouped by entry) */
  char entry[512];
  owner_acc *cur;
  bool skip;          /* the entry is outside the window */
  int64_t first_done; /* ms; -1: none yet */
  ls_time entered;
} sla_ctx;

static owner_acc *acc_of(sla_ctx *c, const char *owner) {
  for (size_t i = 0; i < c->n; i++)
    if (!strcmp(c->o[i].name, owner)) return &c->o[i];
  if (ls__grow((void **)&c->o, &c->cap, c->n + 1, sizeof *c->o)) return NULL;
  owner_acc *a = &c->o[c->n++];
  memset(a, 0, sizeof *a);
  snprintf(a->name, sizeof a->name, "%s", owner);
  return a;
}

static int64_t ms_of(ls_time t) { return t.sec * 1000 + t.nsec / 1000000; }

static int end_entry(sla_ctx *c) {
  owner_acc *a = c->cur;
  if (!a || c->first_done < 0) return LS_OK;
  if (ls__grow((void **)&a->touch, &a->tcap, a->nt + 1, sizeof *a->touch)) return LS_ENOMEM;
  a->touch[a->nt++] = (c->first_done - ms_of(c->entered)) / 1000;
  return LS_OK;
}

static int on_task(void *ud, const ls_wf_task *t) {
  sla_ctx *c = ud;
  const ls_model *m = c->s->model;
  char key[512];
  snprintf(key, sizeof key, "%.*s|%s|%lld.%09d", (int)t->lead.n, t->lead.p, t->stage,
           (long long)t->entered.sec, (int)t->entered.nsec);
  if (strcmp(key, c->entry)) { /* a new stage entry */
    int rc = end_entry(c);
    if (rc) return rc;
    snprintf(c->entry, sizeof c->entry, "%s", key);
    c->cur = NULL;
    c->first_done = -1;
    c->entered = t->entered;
    /* since alone: entries whose first task is due in the window; with an
     * end: every task due in the window counts, whenever its entry was */
    c->skip = !c->until && c->since && ls_time_cmp(t->entered, *c->since) < 0 &&
              ls_time_cmp(t->due, *c->since) < 0;
    /* the stage's own limit: still in it at entry + sla, or left later */
    size_t st = ls__wf_stage(m, t->stage);
    int64_t sla = st < ls_model_nstages(m) ? ls_model_stage_sla(m, st) : 0;
    bool breach = false;
    if (sla > 0) {
      ls_time deadline = ls_time_add(t->entered, sla);
      /* left_at is set for every task of an entry that was left (a done
       * task is not "cancelled"), and zero for one still in the stage */
      bool left = !strcmp(t->status, "cancelled") ||
                  ((t->left_at.sec || t->left_at.nsec) && ls_time_cmp(t->left_at, t->entered) >= 0);
      breach = left ? ls_time_cmp(t->left_at, deadline) >= 0
                    : c->s->has_clock && ls_time_cmp(c->s->clock, deadline) >= 0;
      /* a window with an end counts a breach where it happened, at the
       * deadline: an entry late in one month breaches in the next */
      if (c->until)
        breach = breach && (!c->since || ls_time_cmp(deadline, *c->since) >= 0) &&
                 ls_time_cmp(deadline, *c->until) < 0;
      else
        breach = breach && !c->skip;
    }
    /* with an end, an owner's row is made by its first task or breach in
     * the window, so that owners with nothing in it do not show */
    if ((!c->skip && !c->until) || breach)
      if (!(c->cur = acc_of(c, t->owner ? t->owner : ""))) return LS_ENOMEM;
    if (breach) c->cur->r.stage_breaches++;
  }
  if (c->skip || (c->since && ls_time_cmp(t->due, *c->since) < 0) ||
      (c->until && ls_time_cmp(t->due, *c->until) >= 0))
    return LS_OK;
  if (!strcmp(t->status, "cancelled")) return LS_OK;
  if (!c->cur && !(c->cur = acc_of(c, t->owner ? t->owner : ""))) return LS_ENOMEM;
  owner_acc *a = c->cur;
  a->r.due++;
  if (!strcmp(t->status, "overdue")) a->r.overdue_now++;
  if (!strcmp(t->status, "done")) {
    if (t->done_ms <= ms_of(t->due)) a->r.on_time++;
    else a->r.late++;
    if (c->first_done < 0 || t->done_ms < c->first_done) c->first_done = t->done_ms;
  }
  return LS_OK;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int cmp_owner(const void *a, const void *b) {
  return strcmp(((const owner_acc *)a)->name, ((const owner_acc *)b)->name);
}

int ls_store_sla(ls_store *s, const ls_time *since, int (*fn)(void *ud, const ls_wf_sla *r),
                 void *ud) {
  return ls_store_sla_range(s, since, NULL, fn, ud);
}

int ls_store_sla_range(ls_store *s, const ls_time *since, const ls_time *until,
                       int (*fn)(void *ud, const ls_wf_sla *r), void *ud) {
  sla_ctx c = {s, since, until, NULL, 0, 0, "", NULL, false, -1, {0, 0}};
  /* a window with both ends reads only the entries that can count in it */
  int rc = ls__store_tasks_in(s, since, until, on_task, &c);
  if (!rc) rc = end_entry(&c);
  if (c.n) qsort(c.o, c.n, sizeof *c.o, cmp_owner);
  for (size_t i = 0; i < c.n && !rc; i++) {
    owner_acc *a = &c.o[i];
    a->r.owner = a->name;
    a->r.first_touches = a->nt;
    if (a->nt) { /* the median; of an even count, the lower middle */
      qsort(a->touch, a->nt, sizeof *a->touch, cmp_i64);
      a->r.median_first_touch_s = a->touch[(a->nt - 1) / 2];
    }
    rc = fn(ud, &a->r);
  }
  for (size_t i = 0; i < c.n; i++) free(c.o[i].touch);
  free(c.o);
  return rc;
}

/* ---- reasons ---- */

typedef struct rid {
  size_t at;       /* the event id's offset in ids while collecting */
  const char *id;  /* then the id itself (ids no longer moves) */
  uint8_t kind;    /* 0 recycle, 1 disqualify */
} rid;

typedef struct reason_ctx {
  ls_store *s;
  ls_buf ids; /* event ids, NUL-terminated one after the other */
  rid *v;
  size_t n, cap;
  ls_event_parser *p;
  /* (kind, reason) counts */
  struct rcount {
    uint8_t kind;
    char reason[64];
    uint64_t n;
  } *r;
  size_t nr, rcap;
} reason_ctx;

static int on_row(void *ud, ls_slice lead, const ls_store_ledger *e) {
  (void)lead;
  reason_ctx *c = ud;
  const ls_model *m = c->s->model;
  if (e->kind != 's' || e->model_version != c->s->model_version || !e->event_id.n ||
      memchr(e->event_id.p, 0, e->event_id.n))
    return LS_OK;
  const char *k = ls__wf_reason_kind(m, ls__wf_stage(m, e->from_stage), ls__wf_stage(m, e->to_stage));
  if (!k) return LS_OK;
  int kind = k[0] == 'd';
  if (ls__grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v)) return LS_ENOMEM;
  c->v[c->n++] = (rid){c->ids.len, NULL, (uint8_t)kind};
  if (ls_buf_append(&c->ids, e->event_id.p, e->event_id.n) || ls_buf_append(&c->ids, "", 1))
    return LS_ENOMEM;
  return LS_OK;
}

static int cmp_rid(const void *a, const void *b) {
  return strcmp(((const rid *)a)->id, ((const rid *)b)->id);
}

static int count(reason_ctx *c, int kind, ls_slice reason) {
  char r[64];
  snprintf(r, sizeof r, "%.*s", (int)reason.n, reason.p);
  for (size_t i = 0; i < c->nr; i++)
    if (c->r[i].kind == kind && !strcmp(c->r[i].reason, r)) return c->r[i].n++, LS_OK;
  if (ls__grow((void **)&c->r, &c->rcap, c->nr + 1, sizeof *c->r)) return LS_ENOMEM;
  c->r[c->nr].kind = (uint8_t)kind;
  memcpy(c->r[c->nr].reason, r, sizeof r);
  c->r[c->nr++].n = 1;
  return LS_OK;
}

static int on_event(void *ud, const ls_store_event *e) {
  reason_ctx *c = ud;
  char key[256];
  if (e->id.n >= sizeof key || memchr(e->id.p, 0, e->id.n)) return LS_OK;
  memcpy(key, e->id.p, e->id.n);
  key[e->id.n] = '\0';
  size_t lo = 0, hi = c->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (strcmp(c->v[mid].id, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i < c->n && !strcmp(c->v[i].id, key); i++) {
    ls_event_fields f;
    if (ls_event_parse(c->p, e->line.p, e->line.n, &f) != LS_LINE_EVENT) return LS_EIO;
    ls_slice r = f.props[0].kind == LS_J_STRING ? f.props[0].s : (ls_slice){"", 0};
    int rc = count(c, c->v[i].kind, r);
    if (rc) return rc;
  }
  return LS_OK;
}

static int cmp_count(const void *a, const void *b) {
  const struct rcount *x = a, *y = b;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return strcmp(x->reason, y->reason);
}

int ls_store_reasons(ls_store *s,
                     int (*fn)(void *ud, const char *kind, const char *reason, uint64_t n),
                     void *ud) {
  static const ls_slice keys[] = {{"reason", 6}};
  static const ls_event_schema schema = {keys, 1, NULL, 0};
  static const char *const kinds[2] = {"recycle", "disqualify"};
  reason_ctx c = {0};
  c.s = s;
  if (!(c.p = ls_event_parser_new(&schema))) return LS_ENOMEM;
  int rc = s->drv->stage_scan(s->db, on_row, &c);
  if (!rc && c.n) { /* the events that caused them: one pass over the events */
    for (size_t i = 0; i < c.n; i++) c.v[i].id = c.ids.p + c.v[i].at;
    qsort(c.v, c.n, sizeof *c.v, cmp_rid);
    rc = s->drv->event_scan(s->db, NULL, on_event, &c);
  }
  if (c.nr) qsort(c.r, c.nr, sizeof *c.r, cmp_count);
  for (size_t i = 0; i < c.nr && !rc; i++) rc = fn(ud, kinds[c.r[i].kind], c.r[i].reason, c.r[i].n);
  ls_event_parser_destroy(c.p);
  ls_buf_free(&c.ids);
  free(c.v);
  free(c.r);
  return rc;
}
