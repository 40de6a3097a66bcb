/* ls_model_lint: each kind of warning, with its line, and none where the
 * model is sound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/model.h"
#include "ls_test.h"

static char got[4096];
static size_t got_len;

static void on_warning(void *ud, unsigned line, const char *msg) {
  (void)ud;
  got_len += (size_t)snprintf(got + got_len, sizeof got - got_len, "%u: %s\n", line, msg);
}

/* Lints `yaml`; returns the number of warnings (text in `got`). */
static size_t lint(const char *yaml) {
  ls_model *m = NULL;
  ls_diag d = {0};
  got_len = 0;
  got[0] = '\0';
  if (ls_model_load(yaml, strlen(yaml), &m, &d)) {
    fprintf(stderr, "test model: %u:%u: %s\n", d.line, d.col, d.msg);
    return 999;
  }
  size_t n = ls_model_lint(m, on_warning, NULL);
  if (getenv("LINT_DEBUG")) fputs(got, stderr);
  ls_model_destroy(m);
  return n;
}

#define HEAD "leadscore: 1\nname: t\n"
#define STAGES "stages: [{name: a, initial: true}, {name: b}]\n"

int main(void) {
  /* inflation: +1 forever with no cap, decay or max */
  CHECK_INT(lint(HEAD "scores: [{name: s}]\n"
                      "rules:\n"
                      "  - {id: open, on: email_open, points: 1}\n" STAGES), 1);
  CHECK(strstr(got, "5: rule \"open\": +1 to s with no cap, and s has no decay and no max") != NULL);
  /* ... none with a cap, a decay, a max, or once per person */
  CHECK_INT(lint(HEAD "scores: [{name: s}, {name: d, decay: {half_life: 30d}}, {name: x, max: 9},"
                      " {name: w, window: {length: 7d, step: 1d}}]\n"
                      "rules:\n"
                      "  - {id: c, on: e, points: 1, score: s, cap: {points: 5, per: 30d}}\n"
                      "  - {id: o, on: f, points: 1, score: s, once_per: person}\n"
                      "  - {id: dd, on: e, points: 1, score: d}\n"
                      "  - {id: xx, on: e, points: 1, score: x}\n"
                      "  - {id: ww, on: e, points: 1, score: w}\n" STAGES), 0);
  CHECK_STR(got, "");

  /* thresholds: s reaches at most 20 (max) / 15 (once per person + fit) */
  CHECK_INT(lint(HEAD "scores: [{name: s, max: 20}, {name: t}]\n"
                      "rules:\n"
                      "  - {id: o, on: e, points: 10, score: t, once_per: person}\n"
                      "fit: [{id: f, score: t, attr: x, values: [{equals: y, points: 5}]}]\n"
                      "stages: [{name: a, initial: true}, {name: b}, {name: c}]\n"
                      "transitions:\n"
                      "  - {from: a, to: b, when: s >= 21 or 16 <= t}\n"
                      "  - {from: b, to: c, when: s >= 20 and t > 14}\n"), 2);
  CHECK(strstr(got, "9: transition a -> b: s >= 21 can never hold: s is at most 20") != NULL);
  CHECK(strstr(got, "9: transition a -> b: t >= 16 can never hold: t is at most 15") != NULL);

  /* never: contradictory tests on one field */
  CHECK_INT(lint(HEAD "scores: [{name: s, max: 9}]\n"
                      "rules:\n"
                      "  - id: r\n"
                      "    on: e\n"
                      "    points: 1\n"
                      "    if:\n"
                      "      - {prop: plan, equals: pro}\n"
                      "      - {prop: plan, in: [free, team]}\n"
                      "  - {id: q, on: e, points: 1, if: [{prop: n, gt: 10}, {prop: n, lte: 10}]}\n"
                      "  - {id: ok, on: e, points: 1, if: [{prop: n, gte: 10}, {prop: n, lte: 10}]}\n"
                      STAGES), 2);
  CHECK(strstr(got, "5: rule \"r\" can never match: its tests at lines 9 and 10") != NULL);
  CHECK(strstr(got, "11: rule \"q\" can never match") != NULL);

  /* overlaps: page counts every pricing view too */
  CHECK_INT(lint(HEAD "scores: [{name: s, max: 99}]\n"
                      "rules:\n"
                      "  - {id: page, on: page_view, points: 1}\n"
                      "  - {id: pricing, on: page_view, if: [{prop: url, prefix: /p}], points: 5}\n"
                      "  - {id: other, on: page_view, if: [{prop: url, prefix: /p}], points: 5, "
                      "score: s, in_stages: [b]}\n"
                      STAGES), 1);
  CHECK(strstr(got, "6: rules \"page\" and \"pricing\" both count every event that \"pricing\" "
                    "counts (+1 and +5)") != NULL);
  return ls_test_done();
}
