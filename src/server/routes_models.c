/* The model over HTTP, for the dashboard: GET /v1/model (stages, scores,
 * rule labels, targets), GET /v1/models and /v1/models/{version} (the
 * stored versions and their text), POST /v1/models/preview (what a
 * candidate model would change: ls_store_model_diff, changing nothing). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

static int model_json(ls_buf *b, const ls_model *m, int64_t version) {
  int rc = ls_buf_appendf(b, "{\"version\":%" PRId64 ",\"name\":", version);
  if (!rc) rc = ls__json_cstr(b, ls_model_name(m));
  if (!rc) rc = ls_buf_append(b, ",\"stages\":[", 11);
  for (size_t i = 0; !rc && i < ls_model_nstages(m); i++) {
    rc = ls_buf_appendf(b, "%s{\"name\":", i ? "," : "");
    if (!rc) rc = ls__json_cstr(b, ls_model_stage_name(m, i));
    int64_t sla = ls_model_stage_sla(m, i);
    if (!rc) rc = ls_buf_appendf(b, ",\"mql\":%s,\"sla_days\":", ls_model_stage_mql(m, i) ? "true" : "false");
    if (!rc) rc = sla ? ls_buf_appendf(b, "%.10g}", (double)sla / 86400) : ls_buf_append(b, "null}", 5);
  }
  if (!rc) rc = ls_buf_append(b, "],\"scores\":[", 12);
  for (size_t i = 0; !rc && i < ls_model_nscores(m); i++) {
    if (i) rc = ls_buf_append(b, ",", 1);
    if (!rc) rc = ls__json_cstr(b, ls_model_score_name(m, i));
  }
  if (!rc) rc = ls_buf_append(b, "],\"rules\":[", 11);
  for (size_t i = 0; !rc && i < ls_model_nrules(m); i++) {
    rc = ls_buf_appendf(b, "%s{\"id\":", i ? "," : "");
    if (!rc) rc = ls__json_cstr(b, ls_model_rule_id(m, i));
    if (!rc) rc = ls_buf_append(b, ",\"label\":", 9);
    if (!rc) rc = ls__json_cstr(b, ls_model_rule_label(m, i, "en"));
    if (!rc) rc = ls_buf_append(b, ",\"label_ja\":", 12);
    if (!rc) rc = ls__json_cstr(b, ls_model_rule_label(m, i, "ja"));
    if (!rc) rc = ls_buf_append(b, "}", 1);
  }
  if (!rc) rc = ls_buf_append(b, "],\"targets\":", 12);
  if (!rc) rc = ls__json_targets(b, m);
  return rc ? rc : ls_buf_append(b, "}\n", 2);
}

enum MHD_Result ls__route_model(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  ls_buf b = {0};
  int rc = model_json(&b, ls_store_model(st), ls_store_model_version(st));
  ls__reader_put(r->srv, st);
  return ls__respond_json(c, r, rc, &b);
}

typedef struct versions {
  ls_buf *b;
  int64_t want; /* 0: list them all; else: the text of this one */
  bool found;
} versions;

static int on_version(void *ud, int64_t version, const char *text, size_t len) {
  versions *v = ud;
  if (!v->want) return ls_buf_appendf(v->b, "%s{\"version\":%" PRId64 "}", v->b->len > 1 ? "," : "", version);
  if (version != v->want) return LS_OK;
  v->found = true;
  int rc = ls_buf_appendf(v->b, "{\"version\":%" PRId64 ",\"source\":", version);
  if (!rc) rc = ls__json_str(v->b, text, len);
  return rc ? rc : ls_buf_append(v->b, "}\n", 2);
}

enum MHD_Result ls__route_models(struct MHD_Connection *c, ls__req *r, const char *id) {
  char *end = NULL;
  long long want = *id ? strtoll(id, &end, 10) : 0;
  if (*id && (*end || want <= 0)) return ls__error(c, r, 404, "no model version \"%s\"", id);
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  ls_buf b = {0};
  versions v = {&b, want, false};
  int rc = want ? LS_OK : ls_buf_append(&b, "[", 1);
  if (!rc) rc = ls_store_models(st, on_version, &v);
  int64_t current = ls_store_model_version(st);
  ls__reader_put(r->srv, st);
  if (!rc && !want) {
    ls_buf out = {0};
    rc = ls_buf_appendf(&out, "{\"current\":%" PRId64 ",\"versions\":%.*s]}\n", current, (int)b.len, b.p);
    ls_buf_free(&b);
    b = out;
  }
  if (rc) {
    ls_buf_free(&b);
    return ls__error(c, r, 500, "%s", ls_strerror(rc));
  }
  if (want && !v.found) {
    ls_buf_free(&b);
    return ls__error(c, r, 404, "no model version %lld", want);
  }
  return ls__respond(c, r, 200, "application/json", &b);
}

/* ---- the rescore preview ---- */

typedef struct tables {
  ls_buf stages, weeks;
} tables;

static int on_stage(void *ud, const char *stage, uint64_t before, uint64_t after) {
  tables *t = ud;
  int rc = ls_buf_appendf(&t->stages, "%s{\"name\":", t->stages.len ? "," : "");
  if (!rc) rc = ls__json_cstr(&t->stages, stage);
  return rc ? rc : ls_buf_appendf(&t->stages, ",\"before\":%" PRIu64 ",\"after\":%" PRIu64 "}",
                                  before, after);
}

static int on_week(void *ud, ls_time monday, uint64_t before, uint64_t after) {
  tables *t = ud;
  char ts[LS_TIME_FMT_MAX];
  return ls_buf_appendf(&t->weeks, "%s{\"week\":\"%.10s\",\"before\":%" PRIu64 ",\"after\":%" PRIu64 "}",
                        t->weeks.len ? "," : "", (ls_time_format(monday, ts), ts), before, after);
}

enum MHD_Result ls__route_preview(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  if (r->too_big) return ls__error(c, r, 413, "the model is larger than the body limit");
  ls_model *cand = NULL;
  ls_diag d = {0};
  int rc = ls_model_load(r->body.p ? r->body.p : "", r->body.len, &cand, &d);
  if (rc) return ls__error(c, r, 400, "the candidate model: %u:%u: %s", d.line, d.col, d.msg);
  ls_store *st = ls__reader_get(r->srv);
  if (!st) {
    ls_model_destroy(cand);
    return ls__error(c, r, 503, "the store cannot be read");
  }
  ls_buf text = {0}, b = {0};
  tables t = {{0}, {0}};
  ls_diff_sink sink = {&t, on_stage, on_week};
  uint64_t changed = 0;
  rc = ls_store_model_diff_to(st, cand, &text, &changed, &sink);
  ls__reader_put(r->srv, st);
  ls_model_destroy(cand);
  if (!rc) rc = ls_buf_appendf(&b, "{\"changed\":%" PRIu64 ",\"report\":", changed);
  if (!rc) rc = ls__json_str(&b, text.p ? text.p : "", text.len);
  if (!rc) rc = ls_buf_appendf(&b, ",\"stages\":[%.*s],\"weeks\":[%.*s]}\n", (int)t.stages.len,
                               t.stages.p ? t.stages.p : "", (int)t.weeks.len,
                               t.weeks.p ? t.weeks.p : "");
  ls_buf_free(&text);
  ls_buf_free(&t.stages);
  ls_buf_free(&t.weeks);
  return ls__respond_json(c, r, rc, &b);
}
