/* The predictive score's pure parts (src/eval/predict_*.c): the features
 * a fold gives at snapshot times, and the logistic regression on cases
 * whose answer is known in closed form. The command is tests/backtest.sh. */
#include <math.h>
#include <stdlib.h>

#include "leadscore/predict.h"
#include "ls_test.h"
#include "ls_test_model.h"

#define NEAR(a, b, eps) CHECK(fabs((a) - (b)) <= (eps))

/* rows of d floats with labels into new data */
static ls_pred_data *data_of(const float *x, const uint8_t *y, size_t n, size_t d) {
  ls_pred_data *data = NULL;
  CHECK_INT(ls_pred_data_new(d, &data), LS_OK);
  for (size_t i = 0; i < n; i++) CHECK_INT(ls_pred_data_add(data, x + i * d, y[i]), LS_OK);
  return data;
}

/* One binary feature: 1 of 4 positive at x = 0, 3 of 4 at x = 1. Without
 * a penalty the fit is the saturated model: p = 1/4 and 3/4, so the
 * log-odds are -ln 3 and ln 3. x has mean 1/2 and sd 1/2, so the weight per
 * standard deviation is ln 3 and the intercept (at the mean) 0. */
static void test_one_feature(void) {
  float x[8] = {0, 0, 0, 0, 1, 1, 1, 1};
  uint8_t y[8] = {1, 0, 0, 0, 1, 1, 1, 0};
  ls_pred_data *data = data_of(x, y, 8, 1);
  CHECK_INT(ls_pred_data_rows(data), 8);
  CHECK_INT(ls_pred_data_positives(data), 4);
  const char *names[1] = {"x"};
  ls_pred_train_opts o = {0, 50};
  ls_pred_weights w;
  CHECK_INT(ls_pred_train(data, names, &o, &w), LS_OK);
  CHECK_INT(w.n, 1);
  CHECK_STR(w.name[0], "x");
  NEAR(w.mean[0], 0.5, 1e-12);
  NEAR(w.scale[0], 0.5, 1e-12);
  NEAR(w.weight[0], log(3.0), 1e-9);
  NEAR(w.intercept, 0, 1e-9);
  CHECK_INT(w.examples, 8);
  CHECK_INT(w.positives, 4);
  CHECK(w.iterations >= 1 && w.iterations < 50);
  float one = 1, zero = 0;
  NEAR(ls_pred_prob(&w, NULL, &one), 0.75, 1e-9);
  NEAR(ls_pred_prob(&w, NULL, &zero), 0.25, 1e-9);
  /* a penalty pulls the weight towards 0, never past it */
  ls_pred_weights_free(&w);
  o.lambda = 0.1;
  CHECK_INT(ls_pred_train(data, names, &o, &w), LS_OK);
  CHECK(w.weight[0] > 0.1 && w.weight[0] < log(3.0) - 0.05);
  ls_pred_weights_free(&w);
  ls_pred_weights_free(&w); /* freeing twice: the first zeroed it */
  ls_pred_data_destroy(data);
}

/* Two binary features in a balanced design whose cell rates are exactly
 * additive in the log-odds: p(0,0) = 2/10, p(1,0) = p(0,1) = 5/10,
 * p(1,1) = 8/10, i.e. logit = -ln 4 + ln 4 x1 + ln 4 x2. Per standard
 * deviation (1/2) each weight is ln 2; the intercept at the means is 0.
 * A third column never varies: weight 0, listed last, scale 1. */
static void test_additive(void) {
  float x[40 * 3];
  uint8_t y[40];
  static const int pos[4] = {2, 5, 5, 8}; /* cells (0,0) (1,0) (0,1) (1,1) */
  for (int i = 0; i < 40; i++) {
    int cell = i / 10;
    x[i * 3 + 0] = 7;            /* constant */
    x[i * 3 + 1] = (float)(cell & 1);
    x[i * 3 + 2] = (float)(cell >> 1);
    y[i] = (uint8_t)(i % 10 < pos[cell]);
  }
  ls_pred_data *data = data_of(x, y, 40, 3);
  const char *names[3] = {"const", "x1", "x2"};
  ls_pred_train_opts o = {0, 50};
  ls_pred_weights w;
  CHECK_INT(ls_pred_train(data, names, &o, &w), LS_OK);
  CHECK_INT(w.n, 3);
  CHECK_STR(w.name[2], "const");
  NEAR(w.weight[2], 0, 0);
  NEAR(w.scale[2], 1, 0);
  NEAR(w.mean[2], 7, 1e-9);
  CHECK_STR(w.name[0], "x1"); /* equal weights: column order */
  CHECK_STR(w.name[1], "x2");
  NEAR(w.weight[0], log(2.0), 1e-8);
  NEAR(w.weight[1], log(2.0), 1e-8);
  NEAR(w.intercept, 0, 1e-8);
  /* the weights' order differs from the columns': bind by name */
  float row[3] = {7, 1, 1};
  size_t idx[3] = {1, 2, 0};
  NEAR(ls_pred_prob(&w, idx, row), 0.8, 1e-8);
  double logit[40];
  CHECK_INT(ls_pred_data_logits(data, &w, idx, logit), LS_OK);
  NEAR(logit[0], -log(4.0), 1e-8);
  NEAR(logit[10], 0, 1e-8);
  NEAR(logit[39], log(4.0), 1e-8);
  for (int i = 0; i < 40; i++) NEAR(logit[i], ls_pred_logit(&w, idx, x + i * 3), 1e-9);
  ls_pred_weights_free(&w);

  /* appending parts gives the same rows */
  ls_pred_data *a = data_of(x, y, 25, 3), *b = data_of(x + 25 * 3, y + 25, 15, 3);
  CHECK_INT(ls_pred_data_append(a, b), LS_OK);
  CHECK_INT(ls_pred_data_rows(a), 40);
  CHECK_INT(ls_pred_data_positives(a), 20);
  CHECK(ls_pred_data_label(a, 39) == ls_pred_data_label(data, 39));
  double logit2[40];
  CHECK_INT(ls_pred_train(a, names, &o, &w), LS_OK);
  CHECK_INT(ls_pred_data_logits(a, &w, idx, logit2), LS_OK);
  CHECK(!memcmp(logit, logit2, sizeof logit)); /* deterministic */
  ls_pred_weights_free(&w);
  ls_pred_data_destroy(a);
  ls_pred_data_destroy(b);
  ls_pred_data_destroy(data);
}

static void test_refusals(void) {
  float x[2] = {0, 1};
  uint8_t none[2] = {0, 0};
  ls_pred_data *data = data_of(x, none, 2, 1);
  const char *names[1] = {"x"};
  ls_pred_weights w;
  CHECK_INT(ls_pred_train(data, names, NULL, &w), LS_EINVAL); /* one class only */
  CHECK_INT(w.n, 0);
  ls_pred_data_destroy(data);
  CHECK_INT(ls_pred_data_new(1, &data), LS_OK);
  CHECK_INT(ls_pred_train(data, names, NULL, &w), LS_EINVAL); /* no rows */
  ls_pred_data_destroy(data);
  ls_pred_data_destroy(NULL);
  ls_pred_weights_free(NULL);
  ls_pred_features_destroy(NULL);
  ls_pred_walk_destroy(NULL);
}

/* ---- features over a fold ---- */

static const char model_yaml[] =
    "leadscore: 1\n"
    "name: t\n"
    "scores:\n"
    "  - name: score\n"
    "    decay: {every: 30d, bands: [{at_least: 1, points: -5}], floor: 0}\n"
    "  - name: fit\n"
    "rules:\n"
    "  - {id: page, on: page_view, score: score, points: 1}\n"
    "  - {id: demo, on: demo_view, score: score, points: 10, cap: {points: 10, per: 30d}}\n"
    "fit:\n"
    "  - id: size\n"
    "    score: fit\n"
    "    attr: employees\n"
    "    values:\n"
    "      - {gte: 100, points: 20}\n"
    "      - {gte: 10, points: 10}\n"
    "stages:\n"
    "  - {name: anonymous, initial: true}\n"
    "  - {name: prospect}\n"
    "  - {name: hot, mql: true}\n"
    "transitions:\n"
    "  - {from: anonymous, to: prospect, when: identified}\n"
    "  - {from: prospect, to: hot, when: score >= 20}\n";

static ls_replay *replay_of(const ls_model *m, const char *const *lines, size_t n) {
  ls_event_parser *p = ls_event_parser_new(ls_model_schema(m));
  ls_batch *b = ls_batch_new(m);
  ls_replay *r = ls_replay_new(m);
  for (size_t i = 0; i < n; i++) {
    ls_event_fields f;
    CHECK_INT(ls_event_parse(p, lines[i], strlen(lines[i]), &f), LS_LINE_EVENT);
    ls_batch_push(b, &f);
  }
  ls_replay_add_batch(r, b);
  CHECK_INT(ls_replay_finish(r, NULL), LS_OK);
  ls_batch_destroy(b);
  ls_event_parser_destroy(p);
  return r;
}

static ls_time at(const char *s) {
  ls_time t;
  CHECK_INT(ls_time_parse(s, strlen(s), &t), LS_OK);
  return t;
}

static void test_features(void) {
  ls_model *m = ls_test_model(model_yaml, sizeof model_yaml - 1);
  ls_pred_features *f = NULL;
  CHECK_INT(ls_pred_features_new(m, &f), LS_OK);
  static const char *const want[] = {
      "rule:page@30d", "rule:demo@30d", "rule:page@all", "rule:demo@all", "fit:size=0",
      "fit:size=1", "score:score", "score:fit", "stage:prospect", "stage:hot", "mqls",
      "events@30d", "days_since_last", "days_since_first"};
  size_t d = sizeof want / sizeof *want;
  CHECK_INT(ls_pred_nfeatures(f), d);
  for (size_t j = 0; j < d; j++) {
    CHECK_STR(ls_pred_feature_name(f, j), want[j]);
    CHECK_INT(ls_pred_feature_find(f, want[j], strlen(want[j])), (long)j);
  }
  CHECK(ls_pred_feature_name(f, d) == NULL);
  CHECK_INT(ls_pred_feature_find(f, "rule:page", 9), -1);

  /* one person: anonymous pages in January, identified (50 employees) on
   * Feb 10, two demos Feb 11 and 12 (the second capped), a page Mar 20 */
  static const char *const lines[] = {
      "{\"id\":\"1\",\"type\":\"page_view\",\"time\":\"2026-01-05T00:00:00Z\",\"anonymous_id\":\"c\"}",
      "{\"id\":\"2\",\"type\":\"page_view\",\"time\":\"2026-01-06T00:00:00Z\",\"anonymous_id\":\"c\"}",
      ("{\"id\":\"3\",\"type\":\"form_submit\",\"time\":\"2026-02-10T00:00:00Z\",\"anonymous_id\":\"c\","
       "\"lead\":\"L1\",\"attrs\":{\"employees\":50}}"),
      "{\"id\":\"4\",\"type\":\"demo_view\",\"time\":\"2026-02-11T00:00:00Z\",\"lead\":\"L1\"}",
      "{\"id\":\"5\",\"type\":\"demo_view\",\"time\":\"2026-02-12T00:00:00Z\",\"lead\":\"L1\"}",
      "{\"id\":\"6\",\"type\":\"page_view\",\"time\":\"2026-03-20T00:00:00Z\",\"lead\":\"L1\"}",
  };
  ls_replay *r = replay_of(m, lines, sizeof lines / sizeof *lines);
  CHECK_INT(ls_replay_npersons(r), 1);
  ls_pred_walk *w = NULL;
  CHECK_INT(ls_pred_walk_new(f, &w), LS_OK);
  /* before any event; after identification; the day after the second
   * demo's 30-day window starts; the day the score decays */
  ls_time t[4] = {at("2026-01-01T00:00:00Z"), at("2026-02-10T00:00:00Z"),
                  at("2026-03-13T00:00:00Z"), at("2026-03-14T00:00:00Z")};
  float x[4 * 14];
  bool known[4];
  CHECK_INT(ls_pred_extract(w, r, 0, t, 4, x, known), LS_OK);
  CHECK(!known[0] && known[1] && known[2] && known[3]);
  for (size_t j = 0; j < d; j++) NEAR(x[j], 0, 0); /* nothing yet */
  float *x1 = x + d, *x2 = x + 2 * d, *x3 = x + 3 * d;
  NEAR(x1[0], 0, 0);                         /* pages in (Jan 11, Feb 10]: none */
  NEAR(x1[2], log1p(2), 1e-6);               /* pages ever: 2 */
  NEAR(x1[4], 0, 0); NEAR(x1[5], 1, 0);      /* 50 employees: the second row */
  NEAR(x1[6], 0, 0); /* 2 pages, then a decay step on Feb 5 (Jan 6 + 30d): -5, floor 0 */
  NEAR(x1[7], 10, 0);                        /* fit */
  NEAR(x1[8], 1, 0); NEAR(x1[9], 0, 0);      /* prospect */
  NEAR(x1[11], log1p(1), 1e-6);              /* events in (Jan 11, Feb 10]: the form */
  NEAR(x1[12], 0, 0);                        /* last activity: that day */
  NEAR(x1[13], log1p(36), 1e-6);             /* first event Jan 5: 36 days */
  /* Mar 13: the window (Feb 11, Mar 13] holds the second demo, which was
   * capped (0 points) but counts: a cap stops points, not evidence */
  NEAR(x2[1], log1p(1), 1e-6);
  NEAR(x2[3], log1p(2), 1e-6);
  NEAR(x2[0], 0, 0);
  NEAR(x2[6], 10, 0);
  NEAR(x2[8], 1, 0); NEAR(x2[9], 0, 0);      /* 10 points never reached hot (20) */
  NEAR(x2[11], log1p(1), 1e-6);
  NEAR(x2[12], log1p(29), 1e-6);
  NEAR(x2[10], 0, 0);
  /* Mar 14: 30 days without activity, a decay step at exactly T applies */
  NEAR(x3[6], 5, 0);
  NEAR(x3[1], 0, 0);
  NEAR(x3[12], log1p(30), 1e-6);
  /* snapshots must ascend */
  ls_time bad[2] = {t[1], t[0]};
  CHECK_INT(ls_pred_extract(w, r, 0, bad, 2, x, known), LS_EINVAL);
  ls_pred_walk_destroy(w);
  ls_replay_destroy(r);
  ls_pred_features_destroy(f);
  ls_model_destroy(m);
}

int main(void) {
  test_one_feature();
  test_additive();
  test_refusals();
  test_features();
  return ls_test_done();
}
