/* The `targets:` section (docs/model-language.md, "Targets"): every KPI form
 * read back through the public API with its exact value, id and labels; the
 * summary; and every error with its exact line:col and message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/model.h"
#include "ls_test.h"
#include "ls_test_model.h"

/* Stages 0..3: prospect, hot, opportunity, customer. */
#define HEAD                                 \
  "leadscore: 1\n"                           \
  "name: t\n"                                \
  "scores: [{name: s}]\n"                    \
  "stages:\n"                                \
  "  - {name: prospect, initial: true}\n"    \
  "  - {name: hot, mql: true}\n"             \
  "  - {name: opportunity}\n"                \
  "  - {name: customer}\n"
/* HEAD is 8 lines: the first line after it is line 9. */

static void test_forms(void) {
  static const char y[] = HEAD
      "targets:                       # per calendar month\n"
      "  - {kpi: mqls, at_least: 200, label: {en: \"MQLs\", ja: \"MQL数\"}}\n"
      "  - {kpi: entries, stage: customer, at_least: 10, label: {en: \"Deals won\", ja: \"受注件数\"}}\n"
      "  - {kpi: conversion, from: hot, to: opportunity, at_least: 20%}\n"
      "  - {kpi: median_days, stage: hot, at_most: 7d}\n"
      "  - {kpi: conversion, from: opportunity, to: customer, at_most: 12.5%, label: Win rate}\n"
      "  - {kpi: median_days, stage: opportunity, at_least: 36h, label: {ja: 商談期間}}\n"
      "  - kpi: entries\n"
      "    stage: hot\n"
      "    at_most: 0\n"
      "  - {kpi: conversion, from: prospect, to: hot, at_least: \"100%\"}\n"
      "  - {kpi: conversion, from: hot, to: customer, at_least: 0%}\n"
      "  - {kpi: conversion, from: customer, to: hot, at_least: 33.3%}\n";
  ls_model *m = ls_test_model(y, sizeof y - 1);
  CHECK_INT(ls_model_ntargets(m), 10);
  static const struct {
    int kind, stage, from, to;
    bool at_most;
    double value;
    const char *id, *en, *ja;
  } want[] = {
      {LS_KPI_MQLS, -1, -1, -1, false, 200, "mqls", "MQLs", "MQL数"},
      {LS_KPI_ENTRIES, 3, -1, -1, false, 10, "entries:customer", "Deals won", "受注件数"},
      {LS_KPI_CONVERSION, -1, 1, 2, false, 0.2, "conversion:hot:opportunity",
       "hot → opportunity", "hot → opportunity 転換率"},
      {LS_KPI_MEDIAN_DAYS, 1, -1, -1, true, 7, "median_days:hot", "Median days in hot",
       "hot の滞留日数（中央値）"},
      {LS_KPI_CONVERSION, -1, 2, 3, true, 0.125, "conversion:opportunity:customer", "Win rate",
       "Win rate"}, /* a plain-string label is English, and ja falls back to it */
      {LS_KPI_MEDIAN_DAYS, 2, -1, -1, false, 1.5, "median_days:opportunity",
       "Median days in opportunity", "商談期間"}, /* ja only: en gets the default */
      {LS_KPI_ENTRIES, 1, -1, -1, true, 0, "entries:hot", "Entries into hot", "hotへの移行数"},
      {LS_KPI_CONVERSION, -1, 0, 1, false, 1, "conversion:prospect:hot", "prospect → hot",
       "prospect → hot 転換率"},
      {LS_KPI_CONVERSION, -1, 1, 3, false, 0, "conversion:hot:customer", "hot → customer",
       "hot → customer 転換率"},
      {LS_KPI_CONVERSION, -1, 3, 1, false, 0.333, "conversion:customer:hot", "customer → hot",
       "customer → hot 転換率"},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const ls_target *t = ls_model_target(m, i);
    CHECK(t != NULL);
    if (!t) continue;
    CHECK_INT(t->kind, want[i].kind);
    CHECK_INT(t->stage, want[i].stage);
    CHECK_INT(t->from, want[i].from);
    CHECK_INT(t->to, want[i].to);
    CHECK_INT(t->at_most, want[i].at_most);
    CHECK(t->value == want[i].value); /* exact: 20% is the double 0.2 */
    if (t->value != want[i].value) fprintf(stderr, "  target %zu: %.17g\n", i, t->value);
    CHECK_STR(t->id, want[i].id);
    CHECK_STR(ls_model_target_label(m, i, "en"), want[i].en);
    CHECK_STR(ls_model_target_label(m, i, "ja"), want[i].ja);
    CHECK_STR(ls_model_target_label(m, i, "fr"), want[i].en); /* other languages: English */
    CHECK_STR(ls_model_target_label(m, i, NULL), want[i].en);
  }
  CHECK(ls_model_target(m, 10) == NULL);
  CHECK(ls_model_target_label(m, 10, "en") == NULL);
  CHECK(ls_model_target(m, (size_t)-1) == NULL);

  char *sum = ls_model_summary(m);
  CHECK(sum && strstr(sum, "targets (10, per calendar month):\n"
                           "  mqls: at least 200\n"
                           "  entries:customer: at least 10\n"
                           "  conversion:hot:opportunity: at least 20%\n"
                           "  median_days:hot: at most 7 days\n"
                           "  conversion:opportunity:customer: at most 12.5%\n"
                           "  median_days:opportunity: at least 1.5 days\n"
                           "  entries:hot: at most 0\n"
                           "  conversion:prospect:hot: at least 100%\n"
                           "  conversion:hot:customer: at least 0%\n"
                           "  conversion:customer:hot: at least 33.3%\n"));
  if (sum && !strstr(sum, "targets (10")) fprintf(stderr, "%s", sum);
  free(sum);
  ls_model_destroy(m);
}

/* The limits: 32 targets load, 33 do not; `w` weeks are days * 7. */
static void test_limits(void) {
  char z[16384];
  size_t o = (size_t)snprintf(z, sizeof z,
                              "leadscore: 1\nname: t\nscores: [{name: s}]\nstages:\n"
                              "  - {name: s0, initial: true}\n");
  for (size_t s = 1; s < 40; s++)
    o += (size_t)snprintf(z + o, sizeof z - o, "  - {name: s%zu}\n", s);
  o += (size_t)snprintf(z + o, sizeof z - o, "targets:\n"); /* line 45 */
  for (size_t s = 0; s < 32; s++)
    o += (size_t)snprintf(z + o, sizeof z - o, "  - {kpi: entries, stage: s%zu, at_least: 1}\n", s);
  ls_model *m = ls_test_model(z, o);
  CHECK_INT(ls_model_ntargets(m), 32);
  CHECK_STR(ls_model_target(m, 31)->id, "entries:s31");
  CHECK_INT(ls_model_target(m, 31)->stage, 31);
  ls_model_destroy(m);
  /* one more is too many (the error is at the list: line 46, column 3) */
  o += (size_t)snprintf(z + o, sizeof z - o, "  - {kpi: entries, stage: s32, at_least: 1}\n");
  ls_diag d = {0};
  m = NULL;
  CHECK_INT(ls_model_load(z, o, &m, &d), LS_EMODEL);
  CHECK(m == NULL);
  CHECK_INT(d.line, 46);
  CHECK_INT(d.col, 3);
  CHECK_STR(d.msg, "targets: too many targets (33; at most 32)");

  /* 2w is 14 days; 36500d, the longest duration */
  static const char w[] = HEAD "targets:\n"
                               "  - {kpi: median_days, stage: hot, at_most: 2w}\n"
                               "  - {kpi: median_days, stage: customer, at_most: 36500d}\n"
                               "  - {kpi: median_days, stage: prospect, at_least: 90m}\n";
  m = ls_test_model(w, sizeof w - 1);
  CHECK(ls_model_target(m, 0)->value == 14);
  CHECK(ls_model_target(m, 1)->value == 36500);
  CHECK(ls_model_target(m, 2)->value == 90.0 * 60 / 86400);
  ls_model_destroy(m);
}

/* Models without `targets:` have none. */
static void test_none(void) {
  static const char y[] = HEAD;
  ls_model *m = ls_test_model(y, sizeof y - 1);
  CHECK_INT(ls_model_ntargets(m), 0);
  CHECK(ls_model_target(m, 0) == NULL);
  CHECK(ls_model_target_label(m, 0, "en") == NULL);
  char *sum = ls_model_summary(m);
  CHECK(sum && !strstr(sum, "targets"));
  free(sum);
  ls_model_destroy(m);

  size_t len = 0;
  const char *ref = ls_test_reference_text(&len);
  CHECK(ref != NULL);
  if (ref) { /* the reference model carries the example targets */
    m = ls_test_model(ref, len);
    CHECK_INT(ls_model_ntargets(m), 4);
    ls_model_destroy(m);
  }
}

/* ---- errors ---- */

static const struct bad {
  const char *targets; /* the text after HEAD; its first line is line 9 */
  unsigned line, col;
  const char *msg; /* the whole message */
} bad[] = {
    /* the section */
    {"targets: []\n", 9, 10, "targets: the list is empty (leave targets: out for no targets)"},
    {"targets: {kpi: mqls}\n", 9, 10,
     "targets: expected a list of targets ({kpi: KPI, at_least: VALUE} or {kpi: KPI, "
     "at_most: VALUE}), got a mapping"},
    {"targets:\n", 9, 9,
     "targets: expected a list of targets ({kpi: KPI, at_least: VALUE} or {kpi: KPI, "
     "at_most: VALUE}), got nothing"},
    {"targets: [mqls]\n", 9, 11,
     "targets: target 1: expected a mapping (key: value) for target, got \"mqls\""},
    /* keys */
    {"targets:\n  - {kpi: mqls, at_least: 1, stges: hot}\n", 10, 30,
     "targets: target 1: unknown key \"stges\" in target (did you mean \"stage\"? expected one "
     "of: kpi, stage, from, to, at_least, at_most, label)"},
    {"targets:\n  - {kpi: mqls, at_least: 1, kpi: mqls}\n", 10, 30,
     "targets: target 1: duplicate key \"kpi\" in target (first at line 10)"},
    {"targets:\n  - {at_least: 1}\n", 10, 5,
     "targets: target 1: target is missing the required key \"kpi\""},
    {"targets:\n  - {kpi: mql, at_least: 1}\n", 10, 11,
     "targets: target 1: unknown kpi \"mql\" (expected one of: mqls, entries, conversion, "
     "median_days)"},
    {"targets:\n  - {kpi: [mqls], at_least: 1}\n", 10, 11,
     "targets: target 1: expected a string for kpi, got a list"},
    {"targets:\n  - {kpi: mqls, at_least: 1, label: {en: MQLs, de: MQLs}}\n", 10, 48,
     "targets: target 1: unknown key \"de\" in label (expected one of: en, ja)"},
    /* stages */
    {"targets:\n  - {kpi: mqls, stage: hot, at_least: 1}\n", 10, 17,
     "targets: target 1: an mqls target takes no stage: (it counts the entries that were "
     "MQLs, into any stage)"},
    {"targets:\n  - {kpi: mqls, at_least: 1, to: hot}\n", 10, 30,
     "targets: target 1: an mqls target takes no to: (it counts the entries that were "
     "MQLs, into any stage)"},
    {"targets:\n  - {kpi: entries, at_least: 1}\n", 10, 5,
     "targets: target 1: an entries target needs stage: STAGE"},
    {"targets:\n  - {kpi: median_days, at_most: 7d}\n", 10, 5,
     "targets: target 1: a median_days target needs stage: STAGE"},
    {"targets:\n  - {kpi: entries, stage: hot, from: prospect, at_least: 1}\n", 10, 32,
     "targets: target 1: an entries target takes stage:, not from:"},
    {"targets:\n  - {kpi: median_days, stage: hot, to: customer, at_most: 7d}\n", 10, 36,
     "targets: target 1: a median_days target takes stage:, not to:"},
    {"targets:\n  - {kpi: conversion, stage: hot, to: customer, at_least: 10%}\n", 10, 23,
     "targets: target 1: a conversion target takes from: and to:, not stage:"},
    {"targets:\n  - {kpi: conversion, from: hot, at_least: 10%}\n", 10, 5,
     "targets: target 1: a conversion target needs from: STAGE and to: STAGE"},
    {"targets:\n  - {kpi: conversion, to: hot, at_least: 10%}\n", 10, 5,
     "targets: target 1: a conversion target needs from: STAGE and to: STAGE"},
    {"targets:\n  - {kpi: entries, stage: won, at_least: 1}\n", 10, 27,
     "targets: target 1: stage: unknown stage \"won\" (stages: prospect, hot, opportunity, "
     "customer)"},
    {"targets:\n  - {kpi: conversion, from: hot, to: opp, at_least: 1%}\n", 10, 38,
     "targets: target 1: to: unknown stage \"opp\" (stages: prospect, hot, opportunity, "
     "customer)"},
    {"targets:\n  - {kpi: conversion, from: hot, to: hot, at_least: 1%}\n", 10, 38,
     "targets: target 1: a conversion goes from one stage to another (from and to are both "
     "\"hot\")"},
    /* bounds */
    {"targets:\n  - {kpi: mqls}\n", 10, 5,
     "targets: target 1: a target needs at_least: VALUE or at_most: VALUE"},
    {"targets:\n  - {kpi: mqls, at_most: 5, at_least: 1}\n", 10, 29,
     "targets: target 1: a target has either at_least: or at_most:, not both"},
    {"targets:\n  - {kpi: mqls, at_least: -1}\n", 10, 27,
     "targets: target 1: at_least must be between 0 and 1000000000, got \"-1\""},
    {"targets:\n  - {kpi: mqls, at_least: 1.5}\n", 10, 27,
     "targets: target 1: expected an integer like 5 or -10 for at_least, got \"1.5\""},
    {"targets:\n  - {kpi: entries, stage: hot, at_most: \"10\"}\n", 10, 41,
     "targets: target 1: expected an integer for at_most, got the quoted string \"10\""},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_least: 0.2}\n", 10, 58,
     "targets: target 1: write a conversion target as a percentage, e.g. 20% (got \"0.2\")"},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_least: 20}\n", 10, 58,
     "targets: target 1: write a conversion target as a percentage, e.g. 20% (got \"20\")"},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_least: 120%}\n", 10, 58,
     "targets: target 1: a conversion is at most 100%, got \"120%\""},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_least: -5%}\n", 10, 58,
     "targets: target 1: expected a percentage like 20% or 12.5% for at_least, got \"-5%\""},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_most: 20 %}\n", 10, 57,
     "targets: target 1: expected a percentage like 20% or 12.5% for at_most, got \"20 %\""},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_most: 5.%}\n", 10, 57,
     "targets: target 1: expected a percentage like 20% or 12.5% for at_most, got \"5.%\""},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_most: 05%}\n", 10, 57,
     "targets: target 1: expected a percentage like 20% or 12.5% for at_most, got \"05%\""},
    {"targets:\n  - {kpi: conversion, from: hot, to: customer, at_most: ~}\n", 10, 57,
     "targets: target 1: expected a string for at_most, got nothing"},
    {"targets:\n  - {kpi: median_days, stage: hot, at_most: 7}\n", 10, 45,
     "targets: target 1: write a median as a duration with its unit, e.g. 7d or 36h (a plain "
     "number would be seconds), got \"7\""},
    {"targets:\n  - {kpi: median_days, stage: hot, at_most: 7 days}\n", 10, 45,
     "targets: target 1: expected a duration like 30m, 7d, 1800s for at_most, got \"7 days\""},
    {"targets:\n  - {kpi: median_days, stage: hot, at_most: 0d}\n", 10, 45,
     "targets: target 1: at_most must be longer than 0 seconds"},
    {"targets:\n  - {kpi: median_days, stage: hot, at_most: 20%}\n", 10, 45,
     "targets: target 1: expected a duration like 30m, 7d, 1800s for at_most, got \"20%\""},
    /* the same KPI twice (whatever the bound), in the second */
    {"targets:\n"
     "  - {kpi: entries, stage: customer, at_least: 10}\n"
     "  - {kpi: mqls, at_least: 10}\n"
     "  - {kpi: entries, stage: customer, at_most: 50}\n",
     12, 5,
     "targets: target 3: the KPI \"entries:customer\" already has a target (target 1, line "
     "10); a KPI has one target"},
    {"targets:\n"
     "  - {kpi: conversion, from: hot, to: customer, at_least: 10%}\n"
     "  - kpi: conversion\n"
     "    from: hot\n"
     "    to: customer\n"
     "    at_least: 20%\n",
     11, 5,
     "targets: target 2: the KPI \"conversion:hot:customer\" already has a target (target 1, "
     "line 10); a KPI has one target"},
    {"targets:\n  - {kpi: mqls, at_least: 10}\n  - {kpi: mqls, at_least: 10}\n", 11, 5,
     "targets: target 2: the KPI \"mqls\" already has a target (target 1, line 10); a KPI has "
     "one target"},
    /* the reverse conversion is another KPI: no error (checked below) */
};

static void test_bad(void) {
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char y[4096];
    int n = snprintf(y, sizeof y, "%s%s", HEAD, bad[i].targets);
    ls_model *m = NULL;
    ls_diag d;
    int r = ls_model_load(y, (size_t)n, &m, &d);
    CHECK_INT(r, LS_EMODEL);
    CHECK(m == NULL);
    bool ok = d.line == bad[i].line && d.col == bad[i].col && !strcmp(d.msg, bad[i].msg);
    CHECK(ok);
    if (!ok)
      fprintf(stderr, "case %zu: got %u:%u: %s\n   expected %u:%u: %s\n", i, d.line, d.col,
              d.msg, bad[i].line, bad[i].col, bad[i].msg);
    ls_model_destroy(m);
  }
  /* `targets` is a top-level key like the others */
  static const char typo[] = HEAD "target:\n  - {kpi: mqls, at_least: 1}\n";
  ls_model *m = NULL;
  ls_diag d;
  CHECK_INT(ls_model_load(typo, sizeof typo - 1, &m, &d), LS_EMODEL);
  CHECK_INT(d.line, 9);
  CHECK_INT(d.col, 1);
  CHECK(strstr(d.msg, "unknown key \"target\" in the top level (did you mean \"targets\"?") ==
        d.msg);
  /* a conversion and its reverse are two KPIs */
  static const char rev[] = HEAD "targets:\n"
                                 "  - {kpi: conversion, from: hot, to: customer, at_least: 10%}\n"
                                 "  - {kpi: conversion, from: customer, to: hot, at_most: 5%}\n";
  m = ls_test_model(rev, sizeof rev - 1);
  CHECK_INT(ls_model_ntargets(m), 2);
  ls_model_destroy(m);
}

int main(void) {
  test_forms();
  test_limits();
  test_none();
  test_bad();
  return ls_test_done();
}
