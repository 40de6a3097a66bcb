/* Reads of one person over HTTP: GET /v1/leads/{id} and
 * GET /v1/leads/{id}/ledger, on a read connection of the pool (the list,
 * GET /v1/leads, is routes_list.c). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server/crypto.h"
#include "core/grow.h"
#include "leadscore/workflow.h"
#include "server/internal.h"

/* Scores, grades, cell, categories, stage and MQLs of a state, as members of
 * a JSON object (the caller writes the braces around). */
int ls__person_members(const ls_model *m, const void *state, const ls_names *names,
                       ls_buf *b) {
  int rc = ls_buf_append(b, "\"stage\":", 8);
  if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, ls_fold_stage(m, state)));
  if (!rc) rc = ls_buf_append(b, ",\"scores\":{", 11);
  for (size_t i = 0; i < ls_model_nscores(m) && !rc; i++) {
    if (i) rc = ls_buf_append(b, ",", 1);
    if (!rc) rc = ls__json_cstr(b, ls_model_score_name(m, i));
    if (!rc) rc = ls_buf_appendf(b, ":%" PRId64, ls_fold_score(m, state, i));
  }
  if (!rc) rc = ls_buf_append(b, "}", 1);
  if (!rc && ls_model_ngrades(m)) {
    rc = ls_buf_append(b, ",\"grades\":{", 11);
    for (size_t g = 0; g < ls_model_ngrades(m) && !rc; g++) {
      if (g) rc = ls_buf_append(b, ",", 1);
      if (!rc) rc = ls__json_cstr(b, ls_model_grade_name(m, g));
      if (!rc) rc = ls_buf_append(b, ":", 1);
      if (!rc) rc = ls__json_cstr(b, ls_fold_grade(m, state, g));
    }
    if (!rc) rc = ls_buf_append(b, "}", 1);
  }
  char cell[40];
  if (!rc && ls_fold_cell(m, state, cell, sizeof cell)) {
    rc = ls_buf_append(b, ",\"cell\":", 8);
    if (!rc) rc = ls__json_cstr(b, cell);
  }
  ls_category top;
  if (!rc && ls_model_nfamilies(m)) {
    rc = ls_buf_append(b, ",\"top_category\":", 16);
    ls_buf t = {0};
    if (!rc && ls_fold_top_category(m, state, &top) &&
        !(rc = ls_category_text(m, names, top.score, top.hash, &t)))
      rc = ls__json_str(b, t.p, t.len);
    else if (!rc)
      rc = ls_buf_append(b, "null", 4);
    ls_buf_free(&t);
  }
  ls_time t;
  char ts[LS_TIME_FMT_MAX];
  if (!rc) rc = ls_buf_appendf(b, ",\"mql_count\":%" PRIu32 ",\"last_mql_at\":",
                               ls_fold_mql_count(m, state));
  if (!rc) rc = ls_fold_last_mql(m, state, &t)
                    ? ls_buf_appendf(b, "\"%.*s\"", (int)ls_time_format(t, ts), ts)
                    : ls_buf_append(b, "null", 4);
  if (!rc && ls_fold_stage_since(m, state, &t))
    rc = ls_buf_appendf(b, ",\"stage_since\":\"%.*s\"", (int)ls_time_format(t, ts), ts);
  if (!rc && ls_fold_last_activity(m, state, &t))
    rc = ls_buf_appendf(b, ",\"updated_at\":\"%.*s\"", (int)ls_time_format(t, ts), ts);
  return rc;
}

int ls__person_json(const ls_model *m, const void *state, const ls_names *names, ls_buf *b) {
  int rc = ls_buf_append(b, "{", 1);
  if (!rc) rc = ls__person_members(m, state, names, b);
  return rc ? rc : ls_buf_append(b, "}", 1);
}

/* ---- one person ---- */

typedef struct one_ctx {
  const ls_model *m;
  bool ledger;     /* the ledger route: every row; else stage rows and why */
  ls_why_pass why; /* why hot, from the same pass over the ledger */
  ls_buf ids, attrs, stages, ledger_rows;
  int64_t last_n;  /* the ledger's last row */
} one_ctx;

static int on_ident(void *ud, ls_slice v) {
  one_ctx *o = ud;
  if (o->ids.len) ls_buf_append(&o->ids, ",", 1);
  return ls__json_str(&o->ids, v.p, v.n);
}

static int on_attr(void *ud, const char *key, ls_slice v) {
  one_ctx *o = ud;
  if (o->attrs.len) ls_buf_append(&o->attrs, ",", 1);
  int rc = ls__json_cstr(&o->attrs, key);
  if (!rc) rc = ls_buf_append(&o->attrs, ":", 1);
  return rc ? rc : ls__json_str(&o->attrs, v.p, v.n);
}

static int ledger_row(one_ctx *o, const ls_store_ledger *e, bool pending);

static int on_ledger(void *ud, const ls_store_ledger *e) {
  one_ctx *o = ud;
  if (e->n > o->last_n) o->last_n = e->n;
  if (!o->ledger) {
    int rc = ls_why_pass_row(&o->why, (ls_slice){0}, e);
    if (rc || e->kind != 's') return rc;
  }
  char ts[LS_TIME_FMT_MAX];
  size_t tn = ls_time_format(e->time, ts);
  if (e->kind == 's') {
    ls_buf *b = &o->stages;
    int rc = ls_buf_appendf(b, "%s{\"time\":\"%.*s\",\"from\":", b->len ? "," : "", (int)tn, ts);
    if (!rc) rc = ls__json_cstr(b, e->from_stage);
    if (!rc) rc = ls_buf_append(b, ",\"to\":", 6);
    if (!rc) rc = ls__json_cstr(b, e->to_stage);
    if (!rc) rc = ls_buf_appendf(b, ",\"mql\":%s,\"route\":", e->mql ? "true" : "false");
    if (!rc) rc = e->rule ? ls__json_cstr(b, e->rule) : ls_buf_append(b, "null", 4);
    if (!rc) rc = ls_buf_append(b, ",\"event_id\":", 12);
    if (!rc) rc = ls__json_str(b, e->event_id.p, e->event_id.n);
    return rc ? rc : ls_buf_append(b, "}", 1);
  }
  return ledger_row(o, e, false);
}

/* A row of GET …/ledger; pending: a step due by the read time that the
 * store has not written yet (leadscore advance writes it). */
static int ledger_row(one_ctx *o, const ls_store_ledger *e, bool pending) {
  char ts[LS_TIME_FMT_MAX];
  size_t tn = ls_time_format(e->time, ts);
  static const char kinds[] = "pcbfdwe";
  static const char *const names[] = {"points", "capped", "bounded", "fit", "decay", "window",
                                      "evicted"};
  const char *k = strchr(kinds, e->kind);
  ls_buf *b = &o->ledger_rows;
  int rc = ls_buf_appendf(b, "%s{\"n\":%" PRId64 ",\"time\":\"%.*s\",\"kind\":\"%s\",\"rule\":",
                          b->len ? "," : "", e->n, (int)tn, ts, k ? names[k - kinds] : "?");
  if (!rc) rc = e->rule ? ls__json_cstr(b, e->rule) : ls_buf_append(b, "null", 4);
  if (!rc && e->rule) {
    int32_t ri = ls_model_rule_find(o->m, e->rule);
    if (ri >= 0) { /* (a rule of an earlier model has no label here) */
      rc = ls_buf_append(b, ",\"label\":", 9);
      if (!rc) rc = ls__json_cstr(b, ls_model_rule_label(o->m, (size_t)ri, "en"));
      if (!rc) rc = ls_buf_append(b, ",\"label_ja\":", 12);
      if (!rc) rc = ls__json_cstr(b, ls_model_rule_label(o->m, (size_t)ri, "ja"));
    }
  }
  if (!rc) rc = ls_buf_appendf(b, ",\"points\":%" PRId64 ",\"after\":%" PRId64 ",\"event_id\":",
                               e->points, e->after);
  if (!rc) rc = e->event_id.n ? ls__json_str(b, e->event_id.p, e->event_id.n)
                              : ls_buf_append(b, "null", 4);
  if (!rc && e->category_name.n) {
    rc = ls_buf_append(b, ",\"category\":", 12);
    if (!rc) rc = ls__json_str(b, e->category_name.p, e->category_name.n);
  }
  if (!rc && pending) rc = ls_buf_append(b, ",\"pending\":true", 15);
  return rc ? rc : ls_buf_append(b, "}", 1);
}

/* ---- the steps due between the stored state and the read time ---- */

typedef struct pending_ctx {
  one_ctx *o;
  const ls_names *names;
  ls_buf cat;
  int rc;
} pending_ctx;

static void on_pending(void *ud, const ls_ledger_entry *e) {
  pending_ctx *c = ud;
  if (c->rc) return;
  ls_store_ledger row = {.n = ++c->o->last_n, .time = e->time, .points = e->points,
                         .after = e->after, .category = e->category};
  row.kind = e->evicted ? 'e' : e->window ? 'w' : 'd';
  if (e->rule >= 0) row.rule = ls_model_rule_id(c->o->m, (size_t)e->rule), row.kind = 'p';
  c->cat.len = 0;
  if (e->category) {
    c->rc = ls_category_text(c->o->m, c->names, e->score, e->category, &c->cat);
    row.category_name = (ls_slice){c->cat.p, c->cat.len};
  }
  if (!c->rc) c->rc = ledger_row(c->o, &row, true);
}

static void on_pending_stage(void *ud, const ls_stage_change *s) {
  (void)s;
  ((pending_ctx *)ud)->o->last_n++; /* a stage row takes its place in the ledger too */
}

static int pending_rows(one_ctx *o, ls_store *st, int64_t person, const ls_names *names,
                        ls_time at, void *state) {
  ls_buf lead = {0};
  pending_ctx c = {o, names, {0}, LS_OK};
  int rc = ls_store_person_stored(st, person, state, &lead);
  if (!rc) {
    ls_fold_sink sink = {&c, on_pending, on_pending_stage, NULL};
    ls_fold_advance(o->m, state, at, &sink);
    rc = c.rc;
  }
  ls_buf_free(&lead);
  ls_buf_free(&c.cat);
  return rc;
}

/* ,"why_hot":{"en":TEXT,"ja":TEXT,"reasons":[…]} from the pass over the
 * person's ledger (= ls_store_why: show gives the model version's rows). */
static int put_why_hot(const ls_model *m, ls_why_pass *why, ls_buf *b) {
  ls_why_item v[LS_WHY_MAX];
  size_t n = 0;
  ls_buf t = {0};
  int rc = ls_why_pass_top(why, v, LS_WHY_MAX, &n, NULL);
  if (!rc) rc = ls_buf_append(b, ",\"why_hot\":{\"en\":", 17);
  if (!rc) rc = ls_why_text(m, v, n, "en", &t);
  if (!rc) rc = ls__json_str(b, t.p, t.len);
  t.len = 0;
  if (!rc) rc = ls_buf_append(b, ",\"ja\":", 6);
  if (!rc) rc = ls_why_text(m, v, n, "ja", &t);
  if (!rc) rc = ls__json_str(b, t.p, t.len);
  ls_buf_free(&t);
  if (!rc) rc = ls_buf_append(b, ",\"reasons\":", 11);
  if (!rc) rc = ls__json_why_reasons(b, m, v, n);
  return rc ? rc : ls_buf_append(b, "}", 1);
}

static enum MHD_Result lead(struct MHD_Connection *c, ls__req *r, const char *who,
                           bool ledger) {
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  const ls_model *m = ls_store_model(st);
  int64_t p = 0;
  int rc = ls_store_find(st, (ls_slice){who, strlen(who)}, &p);
  if (rc) {
    ls__reader_put(r->srv, st);
    return rc == LS_ENOTFOUND ? ls__error(c, r, 404, "no person has the identity \"%s\"", who)
                              : ls__error(c, r, 500, "%s", ls_strerror(rc));
  }
  one_ctx o = {.m = m, .ledger = ledger};
  ls_why_pass_init(&o.why, m, 0);
  ls_store_show_sink sink = {&o, ledger ? NULL : on_ident, ledger ? NULL : on_attr, on_ledger};
  unsigned char *state = malloc(ls_fold_state_size(m));
  ls_buf lead = {0}, out = {0};
  ls_names *names = NULL;
  ls_time at = ls__read_time(r->srv, st);
  rc = state ? ls_store_show(st, p, &sink, state, &lead) : LS_ENOMEM;
  ls_time clock;
  if (!rc && (!ls_store_clock(st, &clock) || ls_time_cmp(at, clock) != 0)) {
    lead.len = 0; /* as of the read time (wall clock: decayed to now), not the clock */
    rc = ls_store_person_state(st, p, &at, state, &lead);
  }
  if (!rc) rc = ls_store_categories(st, &names);
  if (!rc) rc = ls_buf_append(&out, "{\"lead_id\":", 11);
  if (!rc) rc = ls__json_str(&out, lead.p, lead.len);
  if (!rc && ledger) rc = pending_rows(&o, st, p, names, at, state); /* (state: scratch now) */
  if (!rc && ledger) {
    rc = ls_buf_append(&out, ",\"ledger\":[", 11);
    if (!rc && o.ledger_rows.len) rc = ls_buf_append(&out, o.ledger_rows.p, o.ledger_rows.len);
    if (!rc) rc = ls_buf_append(&out, "]}\n", 3);
  } else if (!rc) {
    rc = ls_buf_append(&out, ",\"identities\":[", 15);
    if (!rc && o.ids.len) rc = ls_buf_append(&out, o.ids.p, o.ids.len);
    if (!rc) rc = ls_buf_append(&out, "],\"attributes\":{", 16);
    if (!rc && o.attrs.len) rc = ls_buf_append(&out, o.attrs.p, o.attrs.len);
    if (!rc) rc = ls_buf_append(&out, "},", 2);
    if (!rc) rc = ls__person_members(m, state, names, &out);
    if (!rc) rc = ls_buf_append(&out, ",\"stage_history\":[", 18);
    if (!rc && o.stages.len) rc = ls_buf_append(&out, o.stages.p, o.stages.len);
    if (!rc) rc = ls_buf_append(&out, "]", 1);
    if (!rc) rc = put_why_hot(m, &o.why, &out);
    if (!rc) rc = ls_buf_append(&out, "}\n", 2);
  }
  ls__reader_put(r->srv, st); /* after the last use of its model */
  free(state);
  ls_names_destroy(names);
  ls_buf_free(&lead);
  ls_buf_free(&o.ids);
  ls_buf_free(&o.attrs);
  ls_buf_free(&o.stages);
  ls_buf_free(&o.ledger_rows);
  ls_why_pass_free(&o.why);
  if (rc) {
    ls_buf_free(&out);
    return ls__error(c, r, 500, "%s", ls_strerror(rc));
  }
  return ls__respond(c, r, 200, "application/json", &out);
}

enum MHD_Result ls__route_lead(struct MHD_Connection *c, ls__req *r, const char *who) {
  return lead(c, r, who, false);
}

enum MHD_Result ls__route_ledger(struct MHD_Connection *c, ls__req *r, const char *who) {
  return lead(c, r, who, true);
}
