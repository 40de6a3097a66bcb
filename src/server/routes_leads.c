/* Reads over HTTP: GET /v1/leads (filters, cursor pages, JSON or the leads
 * CSV), GET /v1/leads/{id} and GET /v1/leads/{id}/ledger, each on a read
 * connection of the pool. */
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
static int person_members(const ls_model *m, const void *state, const ls_names *names,
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
  if (!rc) rc = person_members(m, state, names, b);
  return rc ? rc : ls_buf_append(b, "}", 1);
}

/* ---- query parameters ---- */

typedef struct query {
  const char *stage, *grade, *format, *cursor, *owner;
  bool has_min, has_max, has_updated, has_as_of;
  int64_t min, max;
  int score; /* the score min/max read; -2: named in score_name */
  char score_name[64];
  size_t limit;
  ls_time updated, as_of;
  char bad[256];
} query;

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value) {
  (void)kind;
  query *q = cls;
  const char *v = value ? value : "";
  char *end = NULL;
  if (q->bad[0]) return MHD_YES;
  if (!strcmp(key, "stage")) q->stage = v;
  else if (!strcmp(key, "grade")) q->grade = v;
  else if (!strcmp(key, "owner")) q->owner = v;
  else if (!strcmp(key, "format")) q->format = v;
  else if (!strcmp(key, "cursor")) q->cursor = v;
  else if (!strcmp(key, "score")) q->score = -2, snprintf(q->score_name, sizeof q->score_name, "%s", v);
  else if (!strcmp(key, "min_score") || !strcmp(key, "max_score")) {
    long long x = strtoll(v, &end, 10);
    if (!*v || *end) snprintf(q->bad, 100, "%s must be an integer, not \"%.40s\"", key, v);
    else if (key[1] == 'i') q->has_min = true, q->min = x;
    else q->has_max = true, q->max = x;
  } else if (!strcmp(key, "limit")) {
    unsigned long long x = strtoull(v, &end, 10);
    if (!*v || *end || x == 0 || x > 10000) snprintf(q->bad, 100, "limit must be 1 to 10000");
    else q->limit = (size_t)x;
  } else if (!strcmp(key, "updated_since") || !strcmp(key, "as_of")) {
    ls_time t;
    if (ls_time_parse(v, strlen(v), &t))
      snprintf(q->bad, 100, "%s: invalid time \"%.40s\" (RFC 3339)", key, v);
    else if (key[0] == 'u') q->has_updated = true, q->updated = t;
    else q->has_as_of = true, q->as_of = t;
  } else {
    snprintf(q->bad, sizeof q->bad, "unknown parameter \"%.40s\" (known: stage, min_score, max_score, "
                          "score, grade, owner, updated_since, as_of, cursor, limit, format)", key);
  }
  return MHD_YES;
}

typedef struct list_ctx {
  const ls_model *m;
  query *q;
  ls_buf *out;
  ls_buf cursor; /* the last lead id written */
  ls_buf after;  /* the request's cursor, decoded */
  size_t n;
  bool csv, more;
  /* owner=X: the lead ids of X's persons (NUL-terminated in owned; own:
   * their offsets while collecting, then sorted pointers in ownp) */
  ls_buf owned;
  size_t *own, nown, own_cap;
  const char **ownp;
} list_ctx;

static int on_owned(void *ud, ls_slice lead) {
  list_ctx *c = ud;
  if (memchr(lead.p, 0, lead.n)) return LS_OK;
  if (ls__grow((void **)&c->own, &c->own_cap, c->nown + 1, sizeof *c->own)) return LS_ENOMEM;
  c->own[c->nown++] = c->owned.len;
  int rc = ls_buf_append(&c->owned, lead.p, lead.n);
  return rc ? rc : ls_buf_append(&c->owned, "", 1);
}

static int cmp_owned(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_owned(const list_ctx *c, ls_slice lead) {
  size_t lo = 0, hi = c->nown;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *l = c->ownp[mid];
    size_t n = strlen(l), k = n < lead.n ? n : lead.n;
    int d = memcmp(l, lead.p, k);
    if (!d) d = (n > lead.n) - (n < lead.n);
    if (!d) return true;
    if (d < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

static bool keep(list_ctx *c, const ls_person_row *row) {
  const ls_model *m = c->m;
  query *q = c->q;
  if (c->after.p) { /* only lead ids after the cursor's, in byte order */
    size_t cn = c->after.len, n = row->lead_id.n < cn ? row->lead_id.n : cn;
    int cmp = n ? memcmp(row->lead_id.p, c->after.p, n) : 0;
    if (cmp < 0 || (cmp == 0 && row->lead_id.n <= cn)) return false;
  }
  if (q->stage && strcmp(q->stage, ls_model_stage_name(m, ls_fold_stage(m, row->state))))
    return false;
  int64_t v = ls_fold_score(m, row->state, (size_t)q->score);
  if ((q->has_min && v < q->min) || (q->has_max && v > q->max)) return false;
  if (q->grade && strcmp(q->grade, ls_fold_grade(m, row->state, 0))) return false;
  if (q->owner && !is_owned(c, row->lead_id)) return false;
  ls_time t;
  if (q->has_updated &&
      (!ls_fold_last_activity(m, row->state, &t) || ls_time_cmp(t, q->updated) < 0))
    return false;
  return true;
}

#define LS__STOP 1 /* not an error: the page is full */

static int on_person(void *ud, const ls_person_row *row) {
  list_ctx *c = ud;
  if (!keep(c, row)) return 0;
  if (c->n == c->q->limit) {
    c->more = true;
    return LS__STOP;
  }
  int rc;
  if (c->csv) {
    rc = ls_export_leads_row(c->m, row, c->out);
  } else {
    const char *open = c->n ? ",{\"lead_id\":" : "{\"lead_id\":";
    rc = ls_buf_append(c->out, open, strlen(open));
    if (!rc) rc = ls__json_str(c->out, row->lead_id.p, row->lead_id.n);
    if (!rc) rc = ls_buf_append(c->out, ",", 1);
    if (!rc) rc = person_members(c->m, row->state, row->categories, c->out);
    if (!rc) rc = ls_buf_append(c->out, "}", 1);
  }
  c->cursor.len = 0;
  if (!rc) rc = ls_buf_append(&c->cursor, row->lead_id.p, row->lead_id.n);
  c->n++;
  return rc;
}

/* The time reads are as of: --clock event, the store clock; wall, now
 * (never before the clock). */
static ls_time read_time(ls_server *s, ls_store *st) {
  ls_time clock = {0, 0};
  bool has = ls_store_clock(st, &clock);
  if (s->cfg.event_clock) return clock;
  ls_time now = {ls__now_ms() / 1000, (int32_t)(ls__now_ms() % 1000) * 1000000};
  return has && ls_time_cmp(clock, now) > 0 ? clock : now;
}

enum MHD_Result ls__route_leads(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  query q = {0};
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_arg, &q);
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  const ls_model *m = ls_store_model(st);
  if (q.score == -2) { /* score=NAME */
    const char *name = q.score_name;
    q.score = -1;
    for (size_t i = 0; i < ls_model_nscores(m); i++)
      if (!strcmp(ls_model_score_name(m, i), name)) q.score = (int)i;
    if (q.score < 0) snprintf(q.bad, 100, "score: the model has no score \"%.40s\"", name);
  }
  bool csv = q.format && !strcmp(q.format, "csv");
  if (!q.bad[0] && q.format && !csv && strcmp(q.format, "json"))
    snprintf(q.bad, 100, "format must be json or csv");
  if (!q.bad[0] && q.grade && !ls_model_ngrades(m))
    snprintf(q.bad, 100, "grade: the model has no grades");
  if (!q.bad[0] && q.cursor && strspn(q.cursor, "0123456789abcdef") != strlen(q.cursor))
    snprintf(q.bad, 100, "cursor: not a cursor this server gave");
  ls_time clock;
  if (!q.bad[0] && q.has_as_of && ls_store_clock(st, &clock) && ls_time_cmp(q.as_of, clock) < 0)
    snprintf(q.bad, 100, "as_of is before the store's clock: use leadscore export --as-of");
  if (q.bad[0]) {
    ls__reader_put(r->srv, st);
    return ls__error(c, r, 400, "%s", q.bad);
  }
  if (q.score < 0) q.score = 0;
  if (!q.limit) q.limit = csv ? SIZE_MAX : 100;
  ls_time at = q.has_as_of ? q.as_of : read_time(r->srv, st);
  ls_buf out = {0};
  list_ctx lc;
  memset(&lc, 0, sizeof lc);
  lc.m = m;
  lc.q = &q;
  lc.out = &out;
  lc.csv = csv;
  for (size_t i = 0; q.cursor && q.cursor[i] && q.cursor[i + 1]; i += 2) {
    unsigned x = 0;
    sscanf(q.cursor + i, "%2x", &x);
    char ch = (char)x;
    if (ls_buf_append(&lc.after, &ch, 1)) break;
  }
  if (q.cursor && !lc.after.p) ls_buf_append(&lc.after, "", 0); /* an empty cursor */
  int rc = q.owner ? ls_store_owned_by(st, q.owner, on_owned, &lc) : LS_OK;
  if (!rc && lc.nown) { /* sorted, for a binary search per person */
    if (!(lc.ownp = malloc(lc.nown * sizeof *lc.ownp))) rc = LS_ENOMEM;
    for (size_t i = 0; !rc && i < lc.nown; i++) lc.ownp[i] = lc.owned.p + lc.own[i];
    if (!rc) qsort(lc.ownp, lc.nown, sizeof *lc.ownp, cmp_owned);
  }
  if (!rc) rc = csv ? ls_export_leads_header(m, &out) : ls_buf_append(&out, "{\"leads\":[", 10);
  if (!rc) rc = ls_store_leads(st, &at, on_person, &lc);
  ls__reader_put(r->srv, st);
  if (rc == LS__STOP) rc = LS_OK;
  if (!rc && !csv) {
    rc = ls_buf_append(&out, "],\"next_cursor\":", 16);
    if (!rc && lc.more) {
      char *hex = malloc(2 * lc.cursor.len + 1);
      if (!hex) rc = LS_ENOMEM;
      else {
        ls__hex((const unsigned char *)lc.cursor.p, lc.cursor.len, hex);
        rc = ls_buf_appendf(&out, "\"%s\"", hex);
        free(hex);
      }
    } else if (!rc) {
      rc = ls_buf_append(&out, "null", 4);
    }
    if (!rc) rc = ls_buf_append(&out, "}\n", 2);
  }
  char *next = NULL; /* a CSV page says where the next starts in a header */
  if (!rc && csv && lc.more && (next = malloc(2 * lc.cursor.len + 1)))
    ls__hex((const unsigned char *)lc.cursor.p, lc.cursor.len, next);
  ls_buf_free(&lc.cursor);
  ls_buf_free(&lc.after);
  ls_buf_free(&lc.owned);
  free(lc.own);
  free(lc.ownp);
  if (rc) {
    ls_buf_free(&out);
    free(next);
    return ls__error(c, r, 500, "%s", ls_strerror(rc));
  }
  if (next) {
    enum MHD_Result ok = ls__respond_h(c, r, 200, "text/csv; charset=utf-8", &out,
                                       "X-Next-Cursor", next);
    free(next);
    return ok;
  }
  return ls__respond(c, r, 200, csv ? "text/csv; charset=utf-8" : "application/json", &out);
}

/* ---- one person ---- */

typedef struct one_ctx {
  const ls_model *m;
  bool ledger;     /* the ledger route: every row; else stage rows and why */
  ls_why_pass why; /* why hot, from the same pass over the ledger */
  ls_buf ids, attrs, stages, ledger_rows;
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

static int on_ledger(void *ud, const ls_store_ledger *e) {
  one_ctx *o = ud;
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
  return rc ? rc : ls_buf_append(b, "}", 1);
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
  ls_time at = read_time(r->srv, st);
  rc = state ? ls_store_show(st, p, &sink, state, &lead) : LS_ENOMEM;
  ls_time clock;
  if (!rc && (!ls_store_clock(st, &clock) || ls_time_cmp(at, clock) != 0)) {
    lead.len = 0; /* as of the read time (wall clock: decayed to now), not the clock */
    rc = ls_store_person_state(st, p, &at, state, &lead);
  }
  if (!rc) rc = ls_store_categories(st, &names);
  if (!rc) rc = ls_buf_append(&out, "{\"lead_id\":", 11);
  if (!rc) rc = ls__json_str(&out, lead.p, lead.len);
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
    if (!rc) rc = person_members(m, state, names, &out);
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
