/* The inside-sales workflow over HTTP (leadscore/workflow.h): GET /v1/tasks,
 * POST /v1/tasks/{id}/done, the checklist and the owner of a lead, and the
 * SLA and reason reports. Workflow writes are small and rare: they run on
 * a read connection, outside its read transaction, beside the writer. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/workflow.h"
#include "server/internal.h"

static const char *arg(struct MHD_Connection *c, const char *name) {
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* When a record is made: the wall clock, or with --clock event the store's
 * clock (the latest event time), like everything else in that mode. */
static int64_t now_ms(ls__req *r, ls_store *st) {
  ls_time t;
  if (r->srv->cfg.event_clock && ls_store_clock(st, &t)) return t.sec * 1000 + t.nsec / 1000000;
  return ls__now_ms();
}

/* ---- tasks ---- */

typedef struct tasks_ctx {
  ls_buf *b; /* each task's JSON, one after the other */
  ls_wf_filter f;
  ls_time clock;
  /* per task: where its JSON ends in b and its person's index in leads */
  size_t *end, *who, n, cap, wcap;
  ls_buf leads; /* the persons' lead ids, NUL-terminated, in order */
  size_t nleads, last; /* last: where the latest one starts */
} tasks_ctx;

static int task_json(ls_buf *b, const ls_wf_task *t) {
  char entered[LS_TIME_FMT_MAX], due[LS_TIME_FMT_MAX];
  ls_time_format(t->entered, entered);
  ls_time_format(t->due, due);
  int rc = ls_buf_appendf(b, "{\"id\":\"%s\",\"lead_id\":", t->id);
  if (!rc) rc = ls__json_str(b, t->lead.p, t->lead.n);
  if (!rc) rc = ls_buf_append(b, ",\"stage\":", 9);
  if (!rc) rc = ls__json_cstr(b, t->stage);
  if (!rc) rc = ls_buf_append(b, ",\"cadence\":", 11);
  if (!rc) rc = ls__json_cstr(b, t->cadence);
  if (!rc) rc = ls_buf_appendf(b, ",\"entered_at\":\"%s\",\"day\":%d,\"due_at\":\"%s\",\"task\":",
                               entered, (int)t->day, due);
  if (!rc) rc = ls__json_cstr(b, t->task);
  if (!rc) rc = ls_buf_append(b, ",\"channel\":", 11);
  if (!rc) rc = ls__json_cstr(b, t->channel);
  if (!rc) rc = ls_buf_append(b, ",\"note\":", 8);
  if (!rc) rc = t->note ? ls__json_cstr(b, t->note) : ls_buf_append(b, "null", 4);
  if (!rc) rc = ls_buf_append(b, ",\"template\":", 12);
  if (!rc) rc = t->template_ ? ls__json_cstr(b, t->template_) : ls_buf_append(b, "null", 4);
  if (!rc) rc = ls_buf_append(b, ",\"owner\":", 9);
  if (!rc) rc = t->owner ? ls__json_cstr(b, t->owner) : ls_buf_append(b, "null", 4);
  if (!rc) rc = ls_buf_appendf(b, ",\"status\":\"%s\"", t->status);
  if (!rc && t->outcome) {
    char at[LS_TIME_FMT_MAX];
    ls_time_format((ls_time){t->done_ms / 1000, (int32_t)(t->done_ms % 1000) * 1000000}, at);
    rc = ls_buf_append(b, ",\"outcome\":", 11);
    if (!rc) rc = ls__json_cstr(b, t->outcome);
    if (!rc) rc = ls_buf_append(b, ",\"outcome_note\":", 16);
    if (!rc) rc = ls__json_cstr(b, t->outcome_note);
    if (!rc) rc = ls_buf_append(b, ",\"done_by\":", 11);
    if (!rc) rc = ls__json_cstr(b, t->done_by);
    if (!rc) rc = ls_buf_appendf(b, ",\"done_at\":\"%s\"", at);
  }
  return rc ? rc : ls_buf_append(b, "}", 1);
}

static int on_task(void *ud, const ls_wf_task *t) {
  tasks_ctx *x = ud;
  if (!ls_wf_task_matches(t, &x->f)) return 0;
  /* tasks come grouped by person: a new person when the lead id changes */
  if (!x->nleads || strlen(x->leads.p + x->last) != t->lead.n ||
      memcmp(x->leads.p + x->last, t->lead.p, t->lead.n)) {
    if (memchr(t->lead.p, 0, t->lead.n)) return LS_EINVAL;
    x->last = x->leads.len;
    if (ls_buf_append(&x->leads, t->lead.p, t->lead.n) || ls_buf_append(&x->leads, "", 1))
      return LS_ENOMEM;
    x->nleads++;
  }
  if (ls__grow((void **)&x->end, &x->cap, x->n + 1, sizeof *x->end) ||
      ls__grow((void **)&x->who, &x->wcap, x->n + 1, sizeof *x->who))
    return LS_ENOMEM;
  int rc = task_json(x->b, t);
  x->end[x->n] = x->b->len;
  x->who[x->n++] = x->nleads - 1;
  return rc;
}

/* The answer: each task with why its person is hot, worked out after the
 * scan of the tasks (the store cannot be asked while it scans). */
static int answer(ls_store *st, tasks_ctx *x, ls_buf *out) {
  int rc = ls_buf_append(out, "{\"tasks\":[", 10);
  ls_buf en = {0}, ja = {0};
  const char *lead = x->leads.p;
  size_t at = 0, person = SIZE_MAX;
  for (size_t i = 0; i < x->n && !rc; i++) {
    if (x->who[i] != person) { /* the next person's why */
      if (person != SIZE_MAX) lead += strlen(lead) + 1;
      person = x->who[i];
      en.len = ja.len = 0;
      int64_t p = 0;
      ls_why_item v[LS_WHY_MAX];
      size_t n = 0;
      if (ls_store_find(st, (ls_slice){lead, strlen(lead)}, &p) == LS_OK &&
          !(rc = ls_store_why(st, p, v, LS_WHY_MAX, &n, NULL))) {
        rc = ls_why_text(ls_store_model(st), v, n, "en", &en);
        if (!rc) rc = ls_why_text(ls_store_model(st), v, n, "ja", &ja);
      }
    }
    if (!rc && i) rc = ls_buf_append(out, ",", 1);
    /* the task's object without its closing brace, then why_hot */
    if (!rc) rc = ls_buf_append(out, x->b->p + at, x->end[i] - 1 - at);
    if (!rc) rc = ls_buf_appendf(out, ",\"why_hot\":{\"en\":");
    if (!rc) rc = ls__json_str(out, en.p ? en.p : "", en.len);
    if (!rc) rc = ls_buf_append(out, ",\"ja\":", 6);
    if (!rc) rc = ls__json_str(out, ja.p ? ja.p : "", ja.len);
    if (!rc) rc = ls_buf_append(out, "}}", 2);
    at = x->end[i];
  }
  ls_buf_free(&en);
  ls_buf_free(&ja);
  return rc ? rc : ls_buf_append(out, "]}\n", 3);
}

enum MHD_Result ls__route_tasks(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  tasks_ctx x;
  memset(&x, 0, sizeof x);
  x.f = (ls_wf_filter){arg(c, "status"), arg(c, "owner"), arg(c, "due"), NULL};
  const char *lead = arg(c, "lead");
  if (x.f.due && strcmp(x.f.due, "today") && strcmp(x.f.due, "overdue"))
    return ls__error(c, r, 400, "due must be today or overdue");
  const char *want = x.f.status;
  if (want && strcmp(want, "open") && strcmp(want, "overdue") && strcmp(want, "done") &&
      strcmp(want, "cancelled") && strcmp(want, "all"))
    return ls__error(c, r, 400, "status must be open, overdue, done, cancelled or all");
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  ls_buf tasks = {0}, b = {0};
  int64_t p = 0;
  int rc = lead ? ls_store_find(st, (ls_slice){lead, strlen(lead)}, &p) : LS_OK;
  x.b = &tasks;
  if (ls_store_clock(st, &x.clock)) x.f.clock = &x.clock;
  if (!rc) rc = ls_store_tasks(st, p, on_task, &x);
  if (!rc) rc = answer(st, &x, &b);
  ls__reader_put(r->srv, st);
  ls_buf_free(&tasks);
  ls_buf_free(&x.leads);
  free(x.end);
  free(x.who);
  if (rc) ls_buf_free(&b);
  if (rc == LS_ENOTFOUND) return ls__error(c, r, 404, "no person has the identity \"%s\"", lead);
  if (rc) return ls__error(c, r, 500, "%s", ls_strerror(rc));
  return ls__respond(c, r, 200, "application/json", &b);
}

/* The members of a small request object (outcome, note, by, criterion,
 * owner); unknown members are refused. */
typedef struct body {
  char *v[5];
  char bad[120];
} body;
static const char *const members[5] = {"outcome", "note", "by", "criterion", "owner"};

static int on_member(void *ud, const char *key, const char *v, size_t n) {
  body *b = ud;
  for (int i = 0; i < 5; i++)
    if (!strcmp(key, members[i])) {
      free(b->v[i]);
      b->v[i] = strndup(v, n);
      return b->v[i] ? 0 : LS_ENOMEM;
    }
  if (!b->bad[0]) snprintf(b->bad, sizeof b->bad, "unknown member \"%.40s\"", key);
  return 0;
}

static void body_free(body *b) {
  for (int i = 0; i < 5; i++) free(b->v[i]);
}

/* Parses r's body; answers 400 itself (then *out is set). */
static bool read_body(struct MHD_Connection *c, ls__req *r, body *b, enum MHD_Result *out) {
  memset(b, 0, sizeof *b);
  const char *err = NULL;
  int rc = ls__json_object(r->body.p ? r->body.p : "", r->body.len, on_member, b, &err);
  if (rc == LS_EINVAL) *out = ls__error(c, r, 400, "invalid body: %s", err);
  else if (rc) *out = ls__error(c, r, 500, "%s", ls_strerror(rc));
  else if (b->bad[0]) *out = ls__error(c, r, 400, "%s", b->bad);
  else return true;
  body_free(b);
  return false;
}

/* Runs a workflow write on a read connection: out of its read
 * transaction, and back in. */
static ls_store *write_begin(ls__req *r) {
  ls_store *st = ls__reader_get(r->srv);
  if (st && ls_store_read_end(st)) {
    ls__reader_put(r->srv, st);
    return NULL;
  }
  return st;
}
static void write_end(ls__req *r, ls_store *st) {
  ls_store_read_begin(st);
  ls__reader_put(r->srv, st);
}

static const char *by_of(const body *b, const ls__req *r) {
  return b->v[2] ? b->v[2] : r->key_name[0] ? r->key_name : NULL;
}

enum MHD_Result ls__route_task_done(struct MHD_Connection *c, ls__req *r, const char *id) {
  body b;
  enum MHD_Result out;
  if (!read_body(c, r, &b, &out)) return out;
  if (!b.v[0]) {
    body_free(&b);
    return ls__error(c, r, 400, "outcome is required");
  }
  ls_store *st = write_begin(r);
  if (!st) {
    body_free(&b);
    return ls__error(c, r, 503, "the store cannot be written");
  }
  ls_diag d = {0};
  int rc = ls_store_task_done(st, id, b.v[0], b.v[1], by_of(&b, r), now_ms(r, st), &d);
  write_end(r, st);
  if (rc == LS_EINVAL && !strncmp(d.msg, "unknown outcome", 15)) out = ls__error(c, r, 400, "%s", d.msg);
  else if (rc == LS_ENOTFOUND) out = ls__error(c, r, 404, "%s", d.msg);
  else if (rc == LS_EEXIST || rc == LS_EINVAL) out = ls__error(c, r, 409, "%s", d.msg);
  else if (rc) out = ls__error(c, r, 500, "%s", ls_strerror(rc));
  else {
    ls_buf o = {0};
    rc = ls_buf_appendf(&o, "{\"id\":\"%s\",\"status\":\"done\",\"outcome\":", id);
    if (!rc) rc = ls__json_cstr(&o, b.v[0]);
    if (!rc) rc = ls_buf_append(&o, "}\n", 2);
    out = rc ? ls__error(c, r, 500, "out of memory") : ls__respond(c, r, 200, "application/json", &o);
  }
  body_free(&b);
  return out;
}

/* ---- a lead's checklist and owner ---- */

typedef struct check_ctx {
  const ls_model *m;
  ls_buf *b;
  size_t have;
} check_ctx;

static int on_check(void *ud, size_t i, const ls_wf_record *rec) {
  check_ctx *x = ud;
  ls_buf *b = x->b;
  int rc = ls_buf_append(b, i ? ",{\"criterion\":" : "{\"criterion\":", i ? 14 : 13);
  if (!rc) rc = ls__json_cstr(b, ls_model_criterion_name(x->m, i));
  if (!rc) rc = ls_buf_append(b, ",\"label\":", 9);
  if (!rc) rc = ls__json_cstr(b, ls_model_criterion_label(x->m, i, "en"));
  if (!rc) rc = ls_buf_append(b, ",\"label_ja\":", 12);
  if (!rc) rc = ls__json_cstr(b, ls_model_criterion_label(x->m, i, "ja"));
  if (!rc) rc = ls_buf_appendf(b, ",\"required\":%s,\"recorded\":%s",
                               ls_model_criterion_required(x->m, i) ? "true" : "false",
                               rec ? "true" : "false");
  if (!rc && rec) {
    char at[LS_TIME_FMT_MAX];
    ls_time_format((ls_time){rec->at_ms / 1000, (int32_t)(rec->at_ms % 1000) * 1000000}, at);
    x->have++;
    rc = ls_buf_append(b, ",\"note\":", 8);
    if (!rc) rc = ls__json_cstr(b, rec->note);
    if (!rc) rc = ls_buf_append(b, ",\"by\":", 6);
    if (!rc) rc = ls__json_cstr(b, rec->by);
    if (!rc) rc = ls_buf_appendf(b, ",\"at\":\"%s\"", at);
  }
  return rc ? rc : ls_buf_append(b, "}", 1);
}

static int checklist_json(ls_store *st, int64_t p, ls_buf *b) {
  const ls_model *m = ls_store_model(st);
  check_ctx x = {m, b, 0};
  int32_t gs = ls_model_handoff_stage(m);
  int rc = ls_buf_append(b, "{\"criteria\":[", 13);
  if (!rc) rc = ls_store_checklist(st, p, on_check, &x);
  if (!rc) rc = ls_buf_append(b, "],\"gate\":", 9);
  if (!rc && gs < 0) rc = ls_buf_append(b, "null", 4);
  else if (!rc) {
    ls_diag d = {0};
    int g = ls_store_handoff_check(st, p, ls_model_stage_name(m, (size_t)gs), &d);
    rc = g && g != LS_EINVAL ? g : LS_OK;
    if (!rc) rc = ls_buf_append(b, "{\"stage\":", 9);
    if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, (size_t)gs));
    if (!rc) rc = ls_buf_appendf(b, ",\"min\":%zu,\"open\":%s,\"missing\":",
                                 ls_model_handoff_min(m), g ? "false" : "true");
    if (!rc) rc = g ? ls__json_cstr(b, strstr(d.msg, "missing: ") ? strstr(d.msg, "missing: ") + 9 : d.msg)
                    : ls_buf_append(b, "null", 4);
    if (!rc) rc = ls_buf_append(b, "}", 1);
  }
  return rc ? rc : ls_buf_append(b, "}\n", 2);
}

/* Finds who; answers 404/503 itself. */
static ls_store *person(struct MHD_Connection *c, ls__req *r, const char *who, bool write,
                        int64_t *p, enum MHD_Result *out) {
  ls_store *st = write ? write_begin(r) : ls__reader_get(r->srv);
  if (!st) {
    *out = ls__error(c, r, 503, "the store cannot be read");
    return NULL;
  }
  int rc = ls_store_find(st, (ls_slice){who, strlen(who)}, p);
  if (!rc) return st;
  if (write) write_end(r, st);
  else ls__reader_put(r->srv, st);
  *out = rc == LS_ENOTFOUND ? ls__error(c, r, 404, "no person has the identity \"%s\"", who)
                            : ls__error(c, r, 500, "%s", ls_strerror(rc));
  return NULL;
}

enum MHD_Result ls__route_checklist(struct MHD_Connection *c, ls__req *r, const char *who) {
  int64_t p = 0;
  enum MHD_Result out;
  ls_store *st = person(c, r, who, false, &p, &out);
  if (!st) return out;
  ls_buf b = {0};
  int rc = checklist_json(st, p, &b);
  ls__reader_put(r->srv, st);
  return ls__respond_json(c, r, rc, &b);
}

/* A write about one person: its body, with member `field` (`name`) given
 * (and not empty when `nonempty`), and the person on the writer. NULL with *out the answer
 * (the body freed) when not. */
static ls_store *person_body(struct MHD_Connection *c, ls__req *r, const char *who, size_t field,
                             const char *name, bool nonempty, body *bd, int64_t *p,
                             enum MHD_Result *out) {
  if (!read_body(c, r, bd, out)) return NULL;
  if (!bd->v[field] || (nonempty && !bd->v[field][0])) {
    body_free(bd);
    *out = ls__error(c, r, 400, "%s is required", name);
    return NULL;
  }
  ls_store *st = person(c, r, who, true, p, out);
  if (!st) body_free(bd);
  return st;
}

enum MHD_Result ls__route_checklist_set(struct MHD_Connection *c, ls__req *r, const char *who) {
  body bd;
  enum MHD_Result out;
  int64_t p = 0;
  ls_store *st = person_body(c, r, who, 3, "criterion", false, &bd, &p, &out);
  if (!st) return out;
  ls_diag d = {0};
  int rc = ls_store_checklist_set(st, p, bd.v[3], bd.v[1], by_of(&bd, r), now_ms(r, st), &d);
  ls_buf b = {0};
  if (!rc) rc = checklist_json(st, p, &b);
  write_end(r, st);
  body_free(&bd);
  if (rc) ls_buf_free(&b);
  if (rc == LS_EINVAL) return ls__error(c, r, 400, "%s", d.msg);
  if (rc) return ls__error(c, r, 500, "%s", ls_strerror(rc));
  return ls__respond(c, r, 200, "application/json", &b);
}

static enum MHD_Result owner_answer(struct MHD_Connection *c, ls__req *r, ls_store *st,
                                    int64_t p, bool write) {
  ls_buf owner = {0}, team = {0}, b = {0};
  int rc = ls_store_owner(st, p, now_ms(r, st), &owner, &team);
  if (write) write_end(r, st);
  else ls__reader_put(r->srv, st);
  enum MHD_Result out;
  if (rc == LS_ENOTFOUND) {
    out = ls__error(c, r, 404, "no owner: no MQL yet, or no owner rule holds");
  } else if (rc) {
    out = ls__error(c, r, 500, "%s", ls_strerror(rc));
  } else {
    rc = ls_buf_append(&b, "{\"owner\":", 9);
    if (!rc) rc = ls__json_str(&b, owner.p, owner.len);
    if (!rc) rc = ls_buf_append(&b, ",\"team\":", 8);
    if (!rc) rc = team.len ? ls__json_str(&b, team.p, team.len) : ls_buf_append(&b, "null", 4);
    if (!rc) rc = ls_buf_append(&b, "}\n", 2);
    out = rc ? ls__error(c, r, 500, "out of memory") : ls__respond(c, r, 200, "application/json", &b);
  }
  ls_buf_free(&owner);
  ls_buf_free(&team);
  return out;
}

enum MHD_Result ls__route_owner(struct MHD_Connection *c, ls__req *r, const char *who) {
  int64_t p = 0;
  enum MHD_Result out;
  /* a first look may assign the owner: a write */
  ls_store *st = person(c, r, who, true, &p, &out);
  return st ? owner_answer(c, r, st, p, true) : out;
}

enum MHD_Result ls__route_owner_set(struct MHD_Connection *c, ls__req *r, const char *who) {
  body bd;
  enum MHD_Result out;
  int64_t p = 0;
  ls_store *st = person_body(c, r, who, 4, "owner", true, &bd, &p, &out);
  if (!st) return out;
  int rc = ls_store_owner_set(st, p, bd.v[4], by_of(&bd, r), now_ms(r, st));
  body_free(&bd);
  if (rc) {
    write_end(r, st);
    return ls__error(c, r, 500, "%s", ls_strerror(rc));
  }
  return owner_answer(c, r, st, p, true);
}

/* ---- reports ---- */

static int on_sla(void *ud, const ls_wf_sla *s) {
  ls_buf *b = ud;
  int rc = ls_buf_append(b, b->p[b->len - 1] == '[' ? "{\"owner\":" : ",{\"owner\":", b->p[b->len - 1] == '[' ? 9 : 10);
  if (!rc) rc = s->owner[0] ? ls__json_cstr(b, s->owner) : ls_buf_append(b, "null", 4);
  if (!rc)
    rc = ls_buf_appendf(b, ",\"due\":%" PRIu64 ",\"on_time\":%" PRIu64 ",\"late\":%" PRIu64
                           ",\"overdue_now\":%" PRIu64 ",\"first_touches\":%" PRIu64
                           ",\"median_first_touch_s\":%" PRId64 ",\"stage_breaches\":%" PRIu64 "}",
                        s->due, s->on_time, s->late, s->overdue_now, s->first_touches,
                        s->median_first_touch_s, s->stage_breaches);
  return rc;
}

static int on_reason(void *ud, const char *kind, const char *reason, uint64_t n) {
  ls_buf *b = ud;
  int rc = ls_buf_appendf(b, "%s{\"kind\":\"%s\",\"reason\":", b->p[b->len - 1] == '[' ? "" : ",",
                          kind);
  if (!rc) rc = reason[0] ? ls__json_cstr(b, reason) : ls_buf_append(b, "null", 4);
  return rc ? rc : ls_buf_appendf(b, ",\"count\":%" PRIu64 "}", n);
}

enum MHD_Result ls__route_report(struct MHD_Connection *c, ls__req *r, const char *which) {
  const char *since_s = arg(c, "since");
  ls_time since;
  if (since_s && ls_time_parse(since_s, strlen(since_s), &since))
    return ls__error(c, r, 400, "since: not an RFC 3339 time");
  if (!strcmp(which, "month")) return ls__route_month(c, r);
  bool sla = !strcmp(which, "sla");
  if (!sla && strcmp(which, "reasons"))
    return ls__error(c, r, 404, "no report %s (sla, reasons, month)", which);
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  ls_buf b = {0};
  int rc = ls_buf_appendf(&b, "{\"%s\":[", sla ? "owners" : "reasons");
  if (!rc) rc = sla ? ls_store_sla(st, since_s ? &since : NULL, on_sla, &b)
                    : ls_store_reasons(st, on_reason, &b);
  if (!rc) rc = ls_buf_append(&b, "]}\n", 3);
  ls__reader_put(r->srv, st);
  return ls__respond_json(c, r, rc, &b);
}

/* GET /v1/owners: the owners a list can be filtered by (the dashboard's
 * suggestions): recorded ones and the model's team members. */
static int on_owner_name(void *ud, const char *owner, const char *team) {
  ls_buf *b = ud;
  int rc = ls_buf_append(b, b->p[b->len - 1] == '[' ? "{\"owner\":" : ",{\"owner\":",
                         b->p[b->len - 1] == '[' ? 9 : 10);
  if (!rc) rc = ls__json_cstr(b, owner);
  if (!rc) rc = ls_buf_append(b, ",\"team\":", 8);
  if (!rc) rc = team[0] ? ls__json_cstr(b, team) : ls_buf_append(b, "null", 4);
  return rc ? rc : ls_buf_append(b, "}", 1);
}

enum MHD_Result ls__route_owners(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  ls_buf b = {0};
  int rc = ls_buf_append(&b, "{\"owners\":[", 11);
  if (!rc) rc = ls_store_owner_names(st, on_owner_name, &b);
  if (!rc) rc = ls_buf_append(&b, "]}\n", 3);
  ls__reader_put(r->srv, st);
  return ls__respond_json(c, r, rc, &b);
}
