/* Category scores (a score family keyed by an event property), with
 * hand-computed expectations: points per category, the family's value (its
 * top category), eviction when the family is full, decay per category,
 * bounds per category, caps across categories, and the name table. */
#include <stdlib.h>
#include <string.h>

#include "leadscore/event.h"
#include "leadscore/export.h"
#include "leadscore/fold.h"
#include "leadscore/model.h"
#include "leadscore/names.h"
#include "ls_test.h"
#include "ls_test_model.h"

static const char model_yaml[] =
    "leadscore: 1\n"
    "name: cats\n"
    "scores:\n"
    "  - name: product\n"
    "    by: product\n"
    "    keep: 3\n"
    "    max: 50\n"
    "    decay: {half_life: 10d}\n"
    "  - name: total\n"
    "    formula: product * 2\n"
    "grades:\n"
    "  - {name: interest, score: product, bands: [{at_least: 40, label: high}, {label: low}]}\n"
    "rules:\n"
    "  - {id: view, on: view, score: product, points: 5, cap: {points: 10, per: 1d}}\n"
    "  - {id: demo, on: demo, score: product, points: 30}\n"
    "  - {id: drop, on: drop, score: product, points: -8}\n"
    "stages: [{name: prospect, initial: true}, {name: hot, mql: true}]\n"
    "transitions: [{from: prospect, to: hot, when: product >= 40}]\n";

static ls_model *M;
static ls_event_parser *P;
static unsigned char state[4096];
static uint64_t bits[8];
static int seq;
static ls_names *names;

/* The ledger rows of the last event. */
static ls_ledger_entry rows[8];
static int nrows;
static void on_ledger(void *ud, const ls_ledger_entry *e) {
  (void)ud;
  if (nrows < 8) rows[nrows++] = *e;
}
static ls_fold_sink sink = {NULL, on_ledger, NULL, NULL};

/* Folds one event of `type` at `time` with props `props` (JSON members). */
static void ev(const char *type, const char *time, const char *props) {
  char line[512];
  snprintf(line, sizeof line,
           "{\"id\":\"e%03d\",\"type\":\"%s\",\"time\":\"%s\",\"email\":\"a@b.c\","
           "\"props\":{%s}}", seq++, type, time, props);
  ls_event_fields f;
  if (ls_event_parse(P, line, strlen(line), &f) != LS_LINE_EVENT) exit(2);
  memset(bits, 0, sizeof bits);
  ls_model_eval_preds(M, &f, bits);
  if (ls_batch_note_categories(M, &f, bits, names)) exit(2);
  ls_fold_event fe = {f.time, f.id, ls_model_type_index(M, f.type), true, bits};
  nrows = 0;
  ls_fold_apply(M, state, &fe, &sink);
}

static int64_t points_of(const char *name) {
  ls_category c[8];
  size_t n = ls_fold_categories(M, state, 0, c, 8);
  uint64_t h = ls_model_category_hash(name, strlen(name));
  for (size_t k = 0; k < n; k++)
    if (c[k].hash == h) return c[k].points;
  return -999; /* not kept */
}

static const char *top(void) {
  static char buf[64];
  ls_category t;
  if (!ls_fold_top_category(M, state, &t)) return "";
  ls_buf b = {0};
  ls_category_text(M, names, t.score, t.hash, &b);
  snprintf(buf, sizeof buf, "%.*s", (int)b.len, b.p);
  ls_buf_free(&b);
  return buf;
}

static void test_points_and_top(void) {
  CHECK_INT(ls_model_nfamilies(M), 1);
  CHECK_INT(ls_model_family_score(M, 0), 0);
  CHECK_INT(ls_model_score_family(M, 1), -1);
  CHECK_INT(ls_model_pred_words(M), 2); /* the bits, then the category */
  CHECK_INT(ls_model_rule_find(M, "demo"), 1);
  CHECK_INT(ls_model_rule_find(M, "nope"), -1);
  ls_fold_init(M, state);
  CHECK_STR(top(), "");
  CHECK_INT(ls_fold_score(M, state, 0), 0);
  ev("view", "2026-03-01T10:00:00Z", "\"product\":\"crm\"");
  CHECK_INT(points_of("crm"), 5);
  CHECK_INT(nrows, 1);
  CHECK(rows[0].category == ls_model_category_hash("crm", 3));
  CHECK_INT(rows[0].after, 5);
  ev("view", "2026-03-01T11:00:00Z", "\"product\":\"erp\"");
  CHECK_INT(points_of("erp"), 5);
  CHECK_STR(top(), "product:crm"); /* a tie: the category given points first */
  /* the rule's cap counts grants to every category: 10 per day given */
  ev("view", "2026-03-01T12:00:00Z", "\"product\":\"erp\"");
  CHECK_INT(points_of("erp"), 5);
  CHECK_INT(rows[0].capped, LS_CAP_RULE);
  CHECK_INT(rows[0].points, 0);
  CHECK_INT(rows[0].after, 5);
  /* an event without a category (or with an empty one) gives nothing */
  ev("demo", "2026-03-02T10:00:00Z", "");
  ev("demo", "2026-03-02T10:00:01Z", "\"product\":\"\"");
  ev("demo", "2026-03-02T10:00:02Z", "\"product\":7");
  CHECK_INT(nrows, 0);
  ev("demo", "2026-03-02T11:00:00Z", "\"product\":\"erp\"");
  CHECK_INT(points_of("erp"), 35);
  CHECK_INT(ls_fold_score(M, state, 0), 35); /* the family: its top */
  CHECK_INT(ls_fold_score(M, state, 1), 70); /* a formula reads it */
  CHECK_STR(top(), "product:erp");
  CHECK_STR(ls_fold_grade(M, state, 0), "low");
  CHECK_INT(ls_fold_stage(M, state), 0);
  /* max 50 per category: 35 + 30 is cut to 50 */
  ev("demo", "2026-03-02T12:00:00Z", "\"product\":\"erp\"");
  CHECK_INT(points_of("erp"), 50);
  CHECK_INT(rows[0].points, 15);
  CHECK_INT(rows[0].capped, LS_CAP_MAX);
  CHECK_INT(ls_fold_stage(M, state), 1); /* product >= 40: hot */
  CHECK_STR(ls_fold_grade(M, state, 0), "high");
}

static void test_evict_and_decay(void) {
  /* crm 5, erp 50; a third and a fourth category: keep 3 drops the one
   * with the fewest points (the oldest of equals) */
  ev("drop", "2026-03-03T10:00:00Z", "\"product\":\"hr\""); /* hr -8 */
  CHECK_INT(points_of("hr"), -8);
  CHECK_INT(ls_fold_score(M, state, 0), 50);
  ev("view", "2026-03-03T11:00:00Z", "\"product\":\"bi\"");
  CHECK_INT(nrows, 2);
  CHECK(rows[0].evicted && rows[0].rule == -1);
  CHECK(rows[0].category == ls_model_category_hash("hr", 2));
  CHECK_INT(rows[0].points, 8);
  CHECK_INT(rows[0].after, 0);
  CHECK_INT(points_of("hr"), -999);
  CHECK_INT(points_of("bi"), 5);
  ls_category c[8];
  CHECK_INT(ls_fold_categories(M, state, 0, c, 8), 3);
  CHECK(c[0].hash == ls_model_category_hash("crm", 3)); /* first given first */
  CHECK(c[2].hash == ls_model_category_hash("bi", 2));
  ev("view", "2026-03-03T12:00:00Z", "\"product\":\"hr\""); /* crm (5, oldest) goes */
  CHECK_INT(points_of("crm"), -999);
  CHECK_INT(points_of("hr"), 5);
  /* half-life 10d after the last activity (03-03 12:00): every category
   * halves, toward zero: erp 50 -> 25, bi 5 -> 2, hr 5 -> 2 */
  ls_time t;
  ls_time_parse("2026-03-13T12:00:00Z", 20, &t);
  nrows = 0;
  ls_fold_advance(M, state, t, &sink);
  CHECK_INT(nrows, 3);
  CHECK_INT(points_of("erp"), 25);
  CHECK_INT(points_of("bi"), 2);
  CHECK_INT(ls_fold_score(M, state, 0), 25);
  CHECK(rows[0].rule == -1 && !rows[0].evicted && rows[0].category != 0);
  /* down to 0 everywhere, then a fixed point: no more rows */
  ls_time_parse("2027-03-13T12:00:00Z", 20, &t);
  ls_fold_advance(M, state, t, &sink);
  CHECK_INT(ls_fold_score(M, state, 0), 0);
  nrows = 0;
  ls_time_parse("2028-03-13T12:00:00Z", 20, &t);
  ls_fold_advance(M, state, t, &sink);
  CHECK_INT(nrows, 0);
  CHECK_STR(top(), "product:erp"); /* all 0: the first kept */
}

static void test_names(void) {
  ls_names *t = ls_names_new();
  bool added = false;
  CHECK_INT(ls_names_put(t, 42, "crm", 3, &added), LS_OK);
  CHECK(added);
  CHECK_INT(ls_names_put(t, 42, "other", 5, &added), LS_OK); /* keeps the first */
  CHECK(!added);
  size_t n = 0;
  const char *s = ls_names_get(t, 42, &n);
  CHECK(s && n == 3 && !memcmp(s, "crm", 3));
  CHECK(ls_names_get(t, 43, &n) == NULL && n == 0);
  char name[16];
  for (uint64_t h = 1000; h < 3000; h++) { /* grows through several rehashes */
    snprintf(name, sizeof name, "n%llu", (unsigned long long)h);
    if (ls_names_put(t, h, name, strlen(name), NULL)) CHECK(0);
  }
  CHECK_INT(ls_names_count(t), 2001);
  s = ls_names_get(t, 2999, &n);
  CHECK(s && n == 5 && !memcmp(s, "n2999", 5));
  uint64_t h;
  s = ls_names_at(t, 0, &h, &n);
  CHECK(h == 42 && n == 3);
  ls_names_clear(t);
  CHECK_INT(ls_names_count(t), 0);
  CHECK(ls_names_get(t, 42, &n) == NULL);
  ls_names_destroy(t);
  ls_names_destroy(NULL);
  /* an unknown hash is written as #hex */
  ls_buf b = {0};
  CHECK_INT(ls_category_text(M, NULL, 0, 0xabc, &b), LS_OK);
  CHECK(b.len == 25 && !memcmp(b.p, "product:#0000000000000abc", 25));
  ls_buf_free(&b);
  CHECK(ls_model_category_hash("", 0) != 0);
  /* FNV-1a 64 of "a" (the published test vector): stored hashes stay valid */
  CHECK(ls_model_category_hash("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
}

int main(void) {
  M = ls_test_model(model_yaml, sizeof model_yaml - 1);
  if (ls_fold_state_size(M) > sizeof state) return 2;
  P = ls_event_parser_new(ls_model_schema(M));
  names = ls_names_new();
  test_points_and_top();
  test_evict_and_decay();
  test_names();
  ls_names_destroy(names);
  ls_event_parser_destroy(P);
  ls_model_destroy(M);
  return ls_test_done();
}
