/* Tests for "why hot" (src/store/why.c): a hand-computed ledger through the
 * accumulator and the text, and ls_store_why choosing its window on a real
 * store. The model is examples/models/buying-cycle.yaml. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leadscore/store.h"

#include "ls_test.h"
#include "ls_test_model.h"


static ls_time T(const char *s) {
  ls_time t = {0, 0};
  if (ls_time_parse(s, strlen(s), &t)) fprintf(stderr, "bad time %s\n", s);
  return t;
}

/* The text of items v[0..n) in lang, as a static string. */
static const char *text(const ls_model *m, const ls_why_item *v, size_t n, const char *lang) {
  static char out[1024];
  ls_buf b = {0};
  out[0] = '\0';
  if (ls_why_text(m, v, n, lang, &b) == LS_OK && b.len < sizeof out) {
    if (b.len) memcpy(out, b.p, b.len);
    out[b.len] = '\0';
  }
  ls_buf_free(&b);
  return out;
}

/* A stored row of model version 2 (the accumulator's), unless version says. */
static ls_store_ledger row(char kind, const char *t, const char *rule, int64_t points,
                           int64_t version) {
  ls_store_ledger e = {0};
  e.kind = kind;
  e.time = T(t);
  e.rule = rule;
  e.points = points;
  e.model_version = version;
  return e;
}

/* The worked example: at = 2026-03-31T00:00:00Z, so the window is
 * [2026-03-01T00:00:00Z, 2026-03-31T00:00:00Z], both ends included.
 *
 *   row                                      counts?  group
 *   02-28 23:59:59 brand_search p +15        no (before the window)
 *   03-01 00:00:00 brand_search p +15        yes      brand_search 1
 *   03-05          brand_search p +15        yes      brand_search 2
 *   03-06          brand_search p +15 (v1)   no (an earlier model version)
 *   03-06          brand_search p +15        yes      brand_search 3 = +45
 *   03-07          pricing p +5              yes      pricing 1
 *   03-08          pricing b +5 (cut, gave 5) yes     pricing 2 = +10
 *   03-09          pricing c 0 (capped)      no
 *   03-10          webinar_attend p +5       yes      webinar_attend 1 = +5
 *   03-11          decay d -15 (no rule)     no
 *   03-12          careers p -10             no (negative)
 *   03-13          old_rule p +20            no (the model has no such rule)
 *   03-14          stage s                   no
 *   03-15          webinar_register p +5     yes      webinar_register 1 = +5
 *   03-16 .. 03-20 email_open p +1 each (5)  yes      email_open 5 = +5
 *   03-21          demo p +5                 yes      demo 1 = +5
 *   03-31 00:00:00 page p +1                 yes      page 1 = +1
 *   03-31 00:00:01 page p +1                 no (after `at`)
 *
 * By points: brand_search 45, pricing 10, then four groups of 5 — by count
 * email_open (5) first, then one each in rule order: demo (rule 2),
 * webinar_register (3), webinar_attend (4) — then page 1. The top five stop
 * after webinar_register. */
static void test_worked_example(const ls_model *m) {
  ls_why w;
  ls_why_init(&w, m, T("2026-03-31T00:00:00Z"));
  w.version = 2;
  ls_store_ledger rows[] = {
      row('p', "2026-02-28T23:59:59Z", "brand_search", 15, 2),
      row('p', "2026-03-01T00:00:00Z", "brand_search", 15, 2),
      row('p', "2026-03-05T10:00:00Z", "brand_search", 15, 2),
      row('p', "2026-03-06T10:00:00Z", "brand_search", 15, 1),
      row('p', "2026-03-06T10:00:00Z", "brand_search", 15, 2),
      row('p', "2026-03-07T10:00:00Z", "pricing", 5, 2),
      row('b', "2026-03-08T10:00:00Z", "pricing", 5, 2),
      row('c', "2026-03-09T10:00:00Z", "pricing", 0, 2),
      row('p', "2026-03-10T10:00:00Z", "webinar_attend", 5, 2),
      row('d', "2026-03-11T10:00:00Z", NULL, -15, 2),
      row('p', "2026-03-12T10:00:00Z", "careers", -10, 2),
      row('p', "2026-03-13T10:00:00Z", "old_rule", 20, 2),
      row('s', "2026-03-14T10:00:00Z", NULL, 0, 2),
      row('p', "2026-03-15T10:00:00Z", "webinar_register", 5, 2),
      row('p', "2026-03-16T10:00:00Z", "email_open", 1, 2),
      row('p', "2026-03-17T10:00:00Z", "email_open", 1, 2),
      row('p', "2026-03-18T10:00:00Z", "email_open", 1, 2),
      row('p', "2026-03-19T10:00:00Z", "email_open", 1, 2),
      row('p', "2026-03-20T10:00:00Z", "email_open", 1, 2),
      row('p', "2026-03-21T10:00:00Z", "demo", 5, 2),
      row('p', "2026-03-31T00:00:00Z", "page", 1, 2),
      row('p', "2026-03-31T00:00:01Z", "page", 1, 2),
  };
  rows[12].mql = true;
  rows[12].from_stage = "prospect";
  rows[12].to_stage = "hot";
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
    CHECK_INT(ls_why_add_row(&w, (ls_slice){"L1", 2}, &rows[i]), LS_OK);
  CHECK_INT(w.n, 7); /* brand_search pricing webinar_attend webinar_register email_open demo page */

  ls_why_item v[8];
  size_t n = ls_why_top(&w, v, 8);
  CHECK_INT(n, 5);
  const char *want[5] = {"brand_search", "pricing", "email_open", "demo", "webinar_register"};
  const uint32_t count[5] = {3, 2, 5, 1, 1};
  const int64_t points[5] = {45, 10, 5, 5, 5};
  for (size_t i = 0; i < n && i < 5; i++) {
    CHECK_STR(ls_model_rule_id(m, (size_t)v[i].rule), want[i]);
    CHECK_INT(v[i].count, count[i]);
    CHECK_INT(v[i].points, points[i]);
  }
  CHECK_STR(text(m, v, n, "en"),
            "Searched for the brand 3× (+45), Viewed the pricing page 2× (+10), "
            "Opened an e-mail 5× (+5), Watched a demo (+5), Registered for a webinar (+5)");
  CHECK_STR(text(m, v, n, "ja"),
            "ブランド名で検索 3回 (+45)、料金ページを閲覧 2回 (+10)、メールを開封 5回 (+5)、"
            "デモを視聴 (+5)、ウェビナーに登録 (+5)");
  CHECK_STR(text(m, v, 0, "en"), "");
  /* a smaller cap keeps the first ones */
  ls_why_item two[2];
  CHECK_INT(ls_why_top(&w, two, 2), 2);
  CHECK_STR(text(m, two, 2, "en"),
            "Searched for the brand 3× (+45), Viewed the pricing page 2× (+10)");
  ls_why_free(&w);
  CHECK(w.v == NULL && w.n == 0);

  /* One pass (ls_why_pass), rows in reverse order: the window ends at the
   * latest MQL, 03-14T10:00 → [02-12T10:00, 03-14T10:00]: brand_search 4
   * (02-28, 03-01, 03-05, 03-06 v2; +60), pricing 2 (+10), webinar_attend
   * 1 (+5); nothing after the MQL. */
  ls_why_pass p;
  ls_why_pass_init(&p, m, 2);
  for (size_t i = sizeof rows / sizeof *rows; i-- > 0;)
    CHECK_INT(ls_why_pass_row(&p, (ls_slice){"L1", 2}, &rows[i]), LS_OK);
  ls_time end = {0};
  CHECK_INT(ls_why_pass_top(&p, v, 8, &n, &end), LS_OK);
  CHECK(ls_time_cmp(end, T("2026-03-14T10:00:00Z")) == 0);
  CHECK_STR(text(m, v, n, "en"),
            "Searched for the brand 4× (+60), Viewed the pricing page 2× (+10), "
            "Attended a webinar (+5)");
  ls_why_pass_free(&p);
  /* no MQL: the window ends at the latest row, 03-31T00:00:01, so the
   * search of 03-01T00:00:00 is one second too early */
  rows[12].mql = false;
  ls_why_pass_init(&p, m, 2);
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) ls_why_pass_row(&p, (ls_slice){"", 0}, &rows[i]);
  CHECK_INT(ls_why_pass_top(&p, v, 8, &n, &end), LS_OK);
  CHECK(ls_time_cmp(end, T("2026-03-31T00:00:01Z")) == 0);
  CHECK_STR(text(m, v, n, "en"),
            "Searched for the brand 2× (+30), Viewed the pricing page 2× (+10), "
            "Opened an e-mail 5× (+5), Watched a demo (+5), Registered for a webinar (+5)");
  ls_why_pass_free(&p);
  /* no rows: nothing, and the end is left alone */
  ls_why_pass_init(&p, m, 2);
  end = (ls_time){7, 0};
  CHECK_INT(ls_why_pass_top(&p, v, 8, &n, &end), LS_OK);
  CHECK_INT(n, 0);
  CHECK_INT(end.sec, 7);
  ls_why_pass_free(&p);
  rows[12].mql = true;

  /* version 0: rows of every version count (the v1 search too) */
  ls_why_init(&w, m, T("2026-03-31T00:00:00Z"));
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) ls_why_add_row(&w, (ls_slice){"", 0}, &rows[i]);
  n = ls_why_top(&w, v, 8);
  CHECK(n >= 1 && v[0].count == 4 && v[0].points == 60);
  ls_why_free(&w);
}

/* The in-memory form (explain's ledger): rule indexes; ties broken the
 * same way whatever order the rows come in. */
static void test_indexes(const ls_model *m) {
  int32_t attend = ls_model_rule_find(m, "webinar_attend");
  int32_t reg = ls_model_rule_find(m, "webinar_register");
  int32_t search = ls_model_rule_find(m, "brand_search");
  CHECK(attend > reg && reg >= 0 && search >= 0);
  ls_why w;
  ls_why_init(&w, m, T("2026-05-01T00:00:00Z"));
  CHECK_INT(ls_why_add(&w, attend, T("2026-04-20T00:00:00Z"), 5), LS_OK);
  CHECK_INT(ls_why_add(&w, reg, T("2026-04-21T00:00:00Z"), 5), LS_OK);
  CHECK_INT(ls_why_add(&w, -1, T("2026-04-22T00:00:00Z"), 5), LS_OK);     /* decay */
  CHECK_INT(ls_why_add(&w, search, T("2026-04-22T00:00:00Z"), 0), LS_OK); /* capped */
  CHECK_INT(ls_why_add(&w, search, T("2026-03-01T00:00:00Z"), 15), LS_OK); /* too old */
  CHECK_INT(w.n, 2);
  ls_why_item v[5];
  size_t n = ls_why_top(&w, v, 5);
  CHECK_INT(n, 2);
  CHECK_STR(text(m, v, n, "en"), "Registered for a webinar (+5), Attended a webinar (+5)");
  CHECK_STR(text(m, v, n, "ja"), "ウェビナーに登録 (+5)、ウェビナーに参加 (+5)");
  ls_why_free(&w);
}

static char dir[] = "/tmp/ls-test-why-XXXXXX";

static int ingest(ls_store *s, const char *const *lines, size_t n) {
  size_t lens[16];
  for (size_t i = 0; i < n && i < 16; i++) lens[i] = strlen(lines[i]);
  ls_store_stats st = {0};
  return ls_store_ingest(s, "t", 1, lines, lens, n, &st);
}

#define SEARCH(id, t, who) \
  "{\"id\":\"" id "\",\"type\":\"search\",\"time\":\"" t "\",\"lead\":\"" who "\"," \
  "\"props\":{\"query\":\"acme\"}}"
#define PAGE(id, t, who, url) \
  "{\"id\":\"" id "\",\"type\":\"page_view\",\"time\":\"" t "\",\"lead\":\"" who "\"," \
  "\"props\":{\"url\":\"" url "\"}}"

/* The store: the window ends at the latest MQL (not at the rows after it),
 * or, for a person never MQL, at its last row. */
static void test_store(void) {
  if (!mkdtemp(dir)) {
    CHECK(!"mkdtemp");
    return;
  }
  char path[256];
  snprintf(path, sizeof path, "%s/why.db", dir);
  size_t len = 0;
  const char *text_m = ls_test_reference_text(&len);
  ls_diag d = {0};
  ls_store *s = NULL;
  if (!text_m || ls_store_init(&ls_store_sqlite, path, text_m, len, &d) ||
      ls_store_open(&ls_store_sqlite, path, &s, &d)) {
    CHECK(!"store");
    return;
  }
  const ls_model *m = ls_store_model(s);
  /* L1: a pricing view in February (6, outside the window; a decay step
   * on 03-03 leaves 1), five searches on 03-10 (the fifth makes 76 >= 65:
   * MQL at 14:00), then a pricing view after the MQL, which does not count.
   * L2: two visits a day apart, never MQL (the second came back within a
   * week). */
  const char *lines[] = {
      PAGE("a", "2026-02-01T10:00:00Z", "L1", "/pricing"),
      SEARCH("b", "2026-03-10T10:00:00Z", "L1"),
      SEARCH("c", "2026-03-10T11:00:00Z", "L1"),
      SEARCH("d", "2026-03-10T12:00:00Z", "L1"),
      SEARCH("e", "2026-03-10T13:00:00Z", "L1"),
      SEARCH("f", "2026-03-10T14:00:00Z", "L1"),
      PAGE("g", "2026-03-11T10:00:00Z", "L1", "/pricing"),
      PAGE("h", "2026-03-01T10:00:00Z", "L2", "/"),
      PAGE("i", "2026-03-02T10:00:00Z", "L2", "/"),
  };
  CHECK_INT(ingest(s, lines, sizeof lines / sizeof *lines), LS_OK);
  int64_t p = 0;
  ls_why_item v[LS_WHY_MAX];
  size_t n = 99;
  ls_time at = {0, 0};
  CHECK_INT(ls_store_find(s, (ls_slice){"L1", 2}, &p), LS_OK);
  CHECK_INT(ls_store_why(s, p, v, LS_WHY_MAX, &n, &at), LS_OK);
  CHECK(ls_time_cmp(at, T("2026-03-10T14:00:00Z")) == 0);
  CHECK_STR(text(m, v, n, "en"), "Searched for the brand 5× (+75)");
  CHECK_INT(ls_store_find(s, (ls_slice){"L2", 2}, &p), LS_OK);
  CHECK_INT(ls_store_why(s, p, v, LS_WHY_MAX, &n, &at), LS_OK);
  CHECK(ls_time_cmp(at, T("2026-03-02T10:00:00Z")) == 0);
  CHECK_STR(text(m, v, n, "ja"), "1週間以内に再訪問 (+8)、ページを閲覧 2回 (+2)");
  ls_store_close(s);
  char f[300];
  const char *suffix[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(f, sizeof f, "%s%s", path, suffix[i]);
    unlink(f);
  }
  rmdir(dir);
}

int main(void) {
  size_t len = 0;
  const char *yaml = ls_test_reference_text(&len);
  ls_model *m = NULL;
  ls_diag d = {0};
  if (!yaml || ls_model_load(yaml, len, &m, &d)) {
    fprintf(stderr, "model: %u:%u: %s\n", d.line, d.col, d.msg);
    return 2;
  }
  test_worked_example(m);
  test_indexes(m);
  test_store();
  ls_model_destroy(m);
  return ls_test_done();
}
