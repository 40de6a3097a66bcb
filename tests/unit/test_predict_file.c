/* The weights file (src/eval/predict_file.c): the writer's exact text, a
 * bit-exact round trip of every field, and each kind of bad file with its
 * line:col and message. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/predict.h"
#include "ls_test.h"

/* Weights with n features named names[] and the given numbers (copied). */
static void make(ls_pred_weights *w, size_t n, const char *const *names, const double *weight,
                 const double *mean, const double *scale) {
  memset(w, 0, sizeof *w);
  w->n = n;
  w->name = calloc(n + 1, sizeof *w->name);
  w->weight = calloc(n + 1, sizeof *w->weight);
  w->mean = calloc(n + 1, sizeof *w->mean);
  w->scale = calloc(n + 1, sizeof *w->scale);
  for (size_t j = 0; j < n; j++) {
    w->name[j] = strdup(names[j]);
    w->weight[j] = weight[j];
    w->mean[j] = mean[j];
    w->scale[j] = scale[j];
  }
}

static bool same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every field of a and b, doubles bit for bit. */
static void check_same(const ls_pred_weights *a, const ls_pred_weights *b) {
  CHECK_INT(a->n, b->n);
  for (size_t j = 0; j < a->n && j < b->n; j++) {
    CHECK_STR(a->name[j], b->name[j]);
    CHECK(same_double(a->weight[j], b->weight[j]));
    CHECK(same_double(a->mean[j], b->mean[j]));
    CHECK(same_double(a->scale[j], b->scale[j]));
  }
  CHECK(same_double(a->intercept, b->intercept));
  CHECK(same_double(a->lambda, b->lambda));
  CHECK_STR(a->model, b->model);
  CHECK_INT(a->trained_at.sec, b->trained_at.sec);
  CHECK_INT(a->trained_at.nsec, b->trained_at.nsec);
  CHECK_INT(a->horizon, b->horizon);
  CHECK(a->examples == b->examples);
  CHECK(a->positives == b->positives);
  CHECK_INT(a->iterations, b->iterations);
}

/* write → parse → compare */
static void round_trip(const ls_pred_weights *w) {
  ls_buf b = {0};
  ls_pred_weights back;
  ls_diag d;
  CHECK_INT(ls_pred_weights_write(w, &b), LS_OK);
  int rc = ls_pred_weights_parse(b.p, b.len, &back, &d);
  CHECK_INT(rc, LS_OK);
  if (rc) fprintf(stderr, "%u:%u: %s\n%.*s", d.line, d.col, d.msg, (int)b.len, b.p);
  else check_same(w, &back);
  ls_pred_weights_free(&back);
  ls_buf_free(&b);
}

static const char exact[] =
    "# leadscore predictive weights: the chance of reaching opportunity within the horizon\n"
    "# p = 1 / (1 + exp(-(intercept + sum of weight * (x - mean) / scale)))\n"
    "# features by falling |weight|; a weight is per standard deviation of the feature\n"
    "leadscore_weights: 1\n"
    "model: \"buying-cycle\"\n"
    "trained_at: 2026-07-04T23:58:41Z\n"
    "horizon: 90d\n"
    "examples: 100\n"
    "positives: 7\n"
    "lambda: 0.001\n"
    "iterations: 8\n"
    "intercept: -2.5\n"
    "features:\n"
    "  - name: \"rule:pricing@30d\"\n"
    "    weight: 0.5\n"
    "    odds_per_sd: 1.6487212707001282\n"
    "    mean: 0.25\n"
    "    scale: 2\n"
    "  - name: \"say \\\"hi\\\"\\\\\"\n"
    "    weight: -0.125\n"
    "    odds_per_sd: 0.88249690258459546\n"
    "    mean: 0.10000000000000001\n"
    "    scale: 1.5\n";

static void test_exact_text(void) {
  static const char *const names[] = {"rule:pricing@30d", "say \"hi\"\\"};
  static const double weight[] = {0.5, -0.125}, mean[] = {0.25, 0.1}, scale[] = {2, 1.5};
  ls_pred_weights w;
  make(&w, 2, names, weight, mean, scale);
  strcpy(w.model, "buying-cycle");
  w.trained_at = (ls_time){1783209521, 0};
  w.horizon = 90 * 86400;
  w.examples = 100;
  w.positives = 7;
  w.lambda = 0.001;
  w.iterations = 8;
  w.intercept = -2.5;
  ls_buf b = {0};
  CHECK_INT(ls_buf_append(&b, "x", 1), LS_OK); /* appends after what is there */
  CHECK_INT(ls_pred_weights_write(&w, &b), LS_OK);
  CHECK_INT(ls_buf_append(&b, "", 1), LS_OK);
  CHECK_STR(b.p + 1, exact);
  round_trip(&w);
  ls_buf_free(&b);
  ls_pred_weights_free(&w);
  CHECK(w.name == NULL && w.n == 0);
}

/* Names that need escapes, awkward doubles, extreme integers. */
static void test_round_trip(void) {
  static const char *const names[] = {
      "a\"b", "c\\d", "line\nbreak", "スコア", "tab\there", "\x01\x1f\x7f",
      "nel\xc2\x85 ls\xe2\x80\xa8 bom\xef\xbb\xbf c1\xc2\x80", "  spaced  ", "# not a comment",
      "emoji \xf0\x9f\x98\x80", "'single'", "- dash", ": colon"};
  size_t n = sizeof names / sizeof names[0];
  double weight[13], mean[13], scale[13];
  const double odd[] = {0.1, -0.0, 1e-310, DBL_MAX, -DBL_MIN, 1.0 / 3, -2.5e-7, 123456789.125};
  for (size_t j = 0; j < n; j++) {
    weight[j] = odd[j % 8] * (j % 2 ? -1 : 1);
    mean[j] = odd[(j + 3) % 8];
    scale[j] = fabs(odd[(j + 5) % 8]);
    if (scale[j] == 0) scale[j] = 5e-324; /* the least positive double */
  }
  ls_pred_weights w;
  make(&w, n, names, weight, mean, scale);
  strcpy(w.model, "m \"q\" \\ \n スコア");
  w.trained_at = (ls_time){-62135596800 + 1, 123456789}; /* 0001-01-01T00:00:01.123456789Z */
  w.horizon = 3601;
  w.examples = UINT64_MAX;
  w.positives = 0;
  w.lambda = 0.0;
  w.iterations = UINT_MAX;
  w.intercept = -4.5e-300;
  round_trip(&w);

  /* every horizon unit */
  const int64_t horizons[] = {1, 60, 3600, 86400, 7 * 86400, 36 * 3600, 1800, 61, INT64_MAX};
  for (size_t i = 0; i < sizeof horizons / sizeof horizons[0]; i++) {
    w.horizon = horizons[i];
    round_trip(&w);
  }
  ls_buf b = {0};
  w.horizon = 36 * 3600;
  CHECK_INT(ls_pred_weights_write(&w, &b), LS_OK);
  CHECK_INT(ls_buf_append(&b, "", 1), LS_OK);
  CHECK(strstr(b.p, "\nhorizon: 36h\n") != NULL);
  CHECK(strstr(b.p, "\"nel\\x85 ls\\u2028 bom\\uFEFF c1\\x80\"") != NULL);
  CHECK(strstr(b.p, "\"\\x01\\x1F\\x7F\"") != NULL);
  CHECK(strstr(b.p, "\"line\\nbreak\"") != NULL);
  CHECK(strstr(b.p, "\"tab\\there\"") != NULL);
  CHECK(strstr(b.p, "\"スコア\"") != NULL);
  ls_buf_free(&b);
  w.horizon = 0; /* unknown: left out */
  CHECK_INT(ls_pred_weights_write(&w, &b), LS_OK);
  CHECK_INT(ls_buf_append(&b, "", 1), LS_OK);
  CHECK(strstr(b.p, "\nhorizon:") == NULL);
  round_trip(&w);
  ls_buf_free(&b);
  ls_pred_weights_free(&w);
}

static void test_empty_features(void) {
  ls_pred_weights w, back;
  ls_diag d;
  make(&w, 0, NULL, NULL, NULL, NULL);
  w.intercept = 1.25;
  w.horizon = 86400;
  ls_buf b = {0};
  CHECK_INT(ls_pred_weights_write(&w, &b), LS_OK);
  CHECK_INT(ls_buf_append(&b, "", 1), LS_OK);
  CHECK(strstr(b.p, "\nintercept: 1.25\nfeatures: []\n") != NULL);
  CHECK(b.len > 14 && strcmp(b.p + b.len - 14, "features: []\n") == 0);
  CHECK_INT(ls_pred_weights_parse(b.p, b.len - 1, &back, &d), LS_OK);
  CHECK_INT(back.n, 0);
  CHECK(same_double(back.intercept, 1.25));
  CHECK_INT(back.horizon, 86400);
  ls_pred_weights_free(&back);
  ls_buf_free(&b);
  ls_pred_weights_free(&w);
}

/* Any key order, optional keys missing, odds_per_sd ignored, flow style. */
static void test_reader_forms(void) {
  static const char text[] =
      "features: [{scale: 1e0, mean: -0, odds_per_sd: whatever, weight: .5, name: x},\n"
      "           {name: 'y', weight: +2, mean: 1., scale: 3}]\n"
      "intercept: 0\n"
      "leadscore_weights: 1\n";
  ls_pred_weights w;
  ls_diag d;
  CHECK_INT(ls_pred_weights_parse(text, strlen(text), &w, &d), LS_OK);
  CHECK_INT(w.n, 2);
  if (w.n == 2) {
    CHECK_STR(w.name[0], "x");
    CHECK_STR(w.name[1], "y");
    CHECK(w.weight[0] == 0.5 && w.weight[1] == 2 && w.mean[1] == 1 && w.scale[1] == 3);
    CHECK(same_double(w.mean[0], -0.0));
  }
  CHECK_STR(w.model, "");
  CHECK_INT(w.horizon, 0);
  CHECK_INT(w.trained_at.sec, 0);
  CHECK(w.examples == 0 && w.iterations == 0 && w.lambda == 0);
  ls_pred_weights_free(&w);
}

/* ---- bad files ---- */

static const char base_head[] = "leadscore_weights: 1\nintercept: -1\nfeatures:\n";
static const char feat_a[] = "  - name: \"a\"\n    weight: 0.5\n    mean: 0\n    scale: 1\n";

static void bad(int line, const char *text, unsigned eline, unsigned ecol, const char *want) {
  ls_pred_weights w;
  ls_diag d;
  memset(&w, 0xAB, sizeof w);
  int rc = ls_pred_weights_parse(text, strlen(text), &w, &d);
  CHECK_INT(rc, LS_EMODEL);
  CHECK(w.n == 0 && w.name == NULL && w.weight == NULL && w.model[0] == 0); /* holds nothing */
  bool ok = d.line == eline && d.col == ecol && strstr(d.msg, want) != NULL;
  CHECK(ok);
  if (!ok)
    fprintf(stderr, "  (test line %d) got %u:%u: %s\n  expected %u:%u: ...%s...\n", line, d.line,
            d.col, d.msg, eline, ecol, want);
  CHECK_INT(ls_pred_weights_parse(text, strlen(text), &w, NULL), LS_EMODEL); /* no diag */
}

#define BAD(text, l, c, want) bad(__LINE__, text, l, c, want)

static void test_errors(void) {
  char t[1024];
  BAD("", 1, 1, "the weights file is empty");
  BAD("# only a comment\n\n", 1, 1, "the weights file is empty");
  snprintf(t, sizeof t, "%s  - name: \"a\"\n    wieght: 0.5\n    mean: 0\n    scale: 1\n", base_head);
  BAD(t, 5, 5, "unknown key \"wieght\" in features[0] (expected name, weight, odds_per_sd, mean, scale)");
  snprintf(t, sizeof t, "%s%s    mean: 1\n", base_head, feat_a);
  BAD(t, 8, 5, "duplicate key \"mean\" in features[0] (expected name, weight, odds_per_sd, mean, scale");
  snprintf(t, sizeof t, "leadscore_weights: 1\nlambda: 0\nintercept: 1\nlambda: 0\nfeatures: []\n");
  BAD(t, 4, 1, "duplicate key \"lambda\" (expected leadscore_weights, model");
  BAD("leadscore_weights: 1\nintercep: 1\n", 2, 1, "unknown key \"intercep\" (expected leadscore_weights, model, trained_at");
  snprintf(t, sizeof t, "# c\nleadscore_weights: 1\nfeatures:\n%s", feat_a);
  BAD(t, 2, 1, "missing key \"intercept\"");
  snprintf(t, sizeof t, "%s  - name: \"a\"\n    weight: 0.5\n    mean: 0\n    scale: 0\n", base_head);
  BAD(t, 7, 12, "features[0].scale: expected a positive number, got \"0\"");
  snprintf(t, sizeof t, "%s%s  - name: b\n    weight: abc\n    mean: 0\n    scale: 1\n", base_head, feat_a);
  BAD(t, 9, 13, "features[1].weight: expected a finite number, got \"abc\"");
  snprintf(t, sizeof t, "%s%s  - {name: b, weight: 1, mean: 0}\n", base_head, feat_a);
  BAD(t, 8, 5, "features[1]: missing key \"scale\" (a feature needs name, weight, mean and scale)");
  BAD("leadscore_weights: 2\nintercept: 0\nfeatures: []\n", 1, 20,
      "unsupported weights file version 2 (this leadscore reads 1)");
  BAD("leadscore_weights: \"1\"\n", 1, 20, "expected the version number 1, got the quoted string \"1\"");
  snprintf(t, sizeof t, "%s%s%s", base_head, feat_a, feat_a);
  BAD(t, 8, 11, "features[1].name: duplicate feature \"a\" (also features[0])");
  BAD("leadscore_weights: 1\nintercept: 0\nfeatures: [{name: a, weight: 1\n", 4, 1,
      "YAML syntax error: did not find expected ',' or '}'");
  BAD("leadscore_weights: 1\nintercept: \"abc\n", 3, 1, "YAML syntax error: found unexpected end of stream");
  BAD("leadscore_weights: 1\nintercept: *x\nfeatures: []\n", 2, 12, "YAML aliases (*x) are not supported");
  BAD("leadscore_weights: &v 1\n", 1, 20, "YAML anchors (&v) are not supported");
  BAD("leadscore_weights: 1\nintercept: !!float 1\n", 2, 12, "YAML tags (tag:yaml.org,2002:float) are not supported");
  BAD("leadscore_weights: 1\nintercept: 0\nfeatures: []\n---\nx: 1\n", 4, 1, "a second YAML document");
  BAD("- 1\n", 1, 1, "expected a mapping (a weights file needs leadscore_weights: 1, intercept and features), got a list");
  BAD("leadscore_weights: 1\nintercept: 0\nfeatures: {}\n", 3, 11, "features: expected a list of features");
  BAD("leadscore_weights: 1\nintercept: 0\nfeatures: [1]\n", 3, 12, "features[0]: expected a mapping");
  /* numbers */
  BAD("leadscore_weights: 1\nintercept: 1e999\n", 2, 12, "intercept: expected a finite number, got \"1e999\"");
  BAD("leadscore_weights: 1\nintercept: nan\n", 2, 12, "intercept: expected a finite number, got \"nan\"");
  BAD("leadscore_weights: 1\nintercept: .inf\n", 2, 12, "expected a finite number");
  BAD("leadscore_weights: 1\nintercept: 0x10\n", 2, 12, "expected a finite number");
  BAD("leadscore_weights: 1\nintercept: 1.5x\n", 2, 12, "expected a finite number");
  BAD("leadscore_weights: 1\nintercept:\n", 2, 11, "expected a finite number, got nothing");
  BAD("leadscore_weights: 1\nintercept: \"1\"\n", 2, 12, "got the quoted string \"1\"");
  BAD("leadscore_weights: 1\nlambda: -0.5\n", 2, 9, "lambda: expected a number >= 0, got \"-0.5\"");
  BAD("leadscore_weights: 1\nexamples: -1\n", 2, 11, "examples: expected a whole number from 0 to");
  BAD("leadscore_weights: 1\npositives: 18446744073709551616\n", 2, 12, "positives: expected a whole number");
  BAD("leadscore_weights: 1\niterations: 4294967296\n", 2, 13, "iterations: expected a whole number from 0 to 4294967295");
  BAD("leadscore_weights: 1\nexamples: 1.0\n", 2, 11, "examples: expected a whole number");
  /* text, time, duration */
  BAD("leadscore_weights: 1\nmodel: \"0123456789012345678901234567890123456789012345678901234567890123\"\n",
      2, 8, "model: expected at most 63 bytes, got 64");
  BAD("leadscore_weights: 1\nmodel: [a]\n", 2, 8, "model: expected a string, got a list");
  BAD("leadscore_weights: 1\nmodel: \"a\\0b\"\n", 2, 8, "model: must not contain a NUL character");
  snprintf(t, sizeof t, "%s  - {name: \"\", weight: 1, mean: 0, scale: 1}\n", base_head);
  BAD(t, 4, 12, "features[0].name: expected a non-empty string, got the quoted string \"\"");
  BAD("leadscore_weights: 1\ntrained_at: 2026-02-30T00:00:00Z\n", 2, 13,
      "trained_at: expected an RFC 3339 time like 2026-07-04T23:58:41Z, got \"2026-02-30T00:00:00Z\"");
  BAD("leadscore_weights: 1\nhorizon: 0d\n", 2, 10, "horizon: expected a positive duration like 90d");
  BAD("leadscore_weights: 1\nhorizon: 3y\n", 2, 10, "horizon: expected a positive duration");
  snprintf(t, sizeof t, "%s  - {name: a, weight: 1, mean: 0, scale: 1, odds_per_sd: {x: 1}}\n", base_head);
  BAD(t, 4, 58, "features[0].odds_per_sd: expected a number, got a mapping");
  /* invalid UTF-8 is a reader error, placed by its byte offset */
  BAD("leadscore_weights: 1\nmodel: \"\xff\"\n", 2, 9, "invalid text");
  /* a long key is cut short in the message */
  BAD("leadscore_weights: 1\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: 1\n", 2, 1,
      "unknown key \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
}

int main(void) {
  test_exact_text();
  test_round_trip();
  test_empty_features();
  test_reader_forms();
  test_errors();
  return ls_test_done();
}
