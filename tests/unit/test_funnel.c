/* The funnel (src/eval/funnel.c): entries, MQLs, weeks, conversions,
 * velocity and the KPIs of a model's targets, on hand-computed cases. The
 * store side and the report are tests/report.sh.
 *
 * The store's side (ls_store_stage_changes, ls_store_funnel) is at the end:
 * stage rows around a bound, whose time text sorts differently from time
 * within a second.
 *
 * February 2026: the 1st is a Sunday, the 28th a Saturday; its ISO weeks
 * start on Jan 26, Feb 2, 9, 16 and 23. Stages: anonymous 0, prospect 1,
 * hot 2, opportunity 3, customer 4. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "leadscore/funnel.h"
#include "leadscore/store.h"
#include "ls_test.h"
#include "ls_test_model.h"

#define NEAR(a, b, eps) CHECK(fabs((a) - (b)) <= (eps))

enum { ANON, PROSPECT, HOT, OPP, CUSTOMER, NS };

static const char model_yaml[] =
    "leadscore: 1\n"
    "name: t\n"
    "scores:\n"
    "  - name: score\n"
    "rules:\n"
    "  - {id: page, on: page_view, points: 1}\n"
    "stages:\n"
    "  - {name: anonymous, initial: true}\n"
    "  - {name: prospect}\n"
    "  - {name: hot, mql: true}\n"
    "  - {name: opportunity}\n"
    "  - {name: customer}\n"
    "transitions:\n"
    "  - {from: anonymous, to: prospect, when: identified}\n"
    "  - {from: prospect, to: hot, when: score >= 20}\n"
    "  - {from: hot, to: opportunity, on: sales_disposition,"
    " if: [{prop: outcome, equals: opportunity}]}\n"
    "  - {from: hot, to: prospect, on: sales_disposition,"
    " if: [{prop: outcome, equals: nurture}]}\n"
    "  - {from: opportunity, to: customer, on: opportunity_closed,"
    " if: [{prop: outcome, equals: won}]}\n"
    "targets:\n"
    "  - {kpi: mqls, at_least: 200}\n"
    "  - {kpi: conversion, from: hot, to: opportunity, at_least: 20%}\n"
    "  - {kpi: entries, stage: customer, at_least: 10}\n"
    "  - {kpi: median_days, stage: hot, at_most: 7d}\n";

static ls_time at(const char *s) {
  ls_time t = {0, 0};
  CHECK_INT(ls_time_parse(s, strlen(s), &t), LS_OK);
  return t;
}

static ls_funnel_change ch(int64_t person, int64_t seq, const char *t, int from, int to,
                           bool mql) {
  return (ls_funnel_change){person, seq, at(t), (uint16_t)from, (uint16_t)to, mql};
}

#define FEB at("2026-02-01T00:00:00Z")
#define MAR at("2026-03-01T00:00:00Z")

/* A change exactly at `from` counts, exactly at `to` does not; weeks with
 * a partial first week (Sunday Feb 1 only) and last week (Feb 23-28). */
static void test_boundaries(ls_model *m) {
  ls_funnel_change v[] = {
      ch(1, 0, "2026-02-01T00:00:00Z", PROSPECT, HOT, true),
      ch(2, 0, "2026-03-01T00:00:00Z", PROSPECT, HOT, true),
      ch(3, 0, "2026-01-31T23:59:59.999999999Z", PROSPECT, HOT, true),
      ch(4, 0, "2026-02-28T23:59:59.5Z", PROSPECT, HOT, true),
      ch(5, 0, "2026-02-10T12:00:00Z", ANON, PROSPECT, false),
  };
  uint64_t now[NS] = {7, 6, 5, 4, 3};
  ls_funnel f;
  CHECK_INT(ls_funnel_compute(m, FEB, MAR, v, 5, now, &f), LS_OK);
  CHECK_INT(f.nstages, NS);
  CHECK_INT(f.entries[HOT], 2);
  CHECK_INT(f.entries[PROSPECT], 1);
  CHECK_INT(f.entries[ANON], 0);
  CHECK_INT(f.mqls, 2);
  CHECK_INT(f.now[ANON], 7);
  CHECK_INT(f.now[CUSTOMER], 3);
  CHECK_INT(f.nweeks, 5);
  CHECK(ls_time_cmp(f.week[0], at("2026-01-26T00:00:00Z")) == 0);
  CHECK(ls_time_cmp(f.week[4], at("2026-02-23T00:00:00Z")) == 0);
  CHECK_INT(f.weekly[0 * NS + HOT], 1);
  CHECK_INT(f.weekly[4 * NS + HOT], 1);
  CHECK_INT(f.weekly[2 * NS + PROSPECT], 1);
  uint64_t sum = 0;
  for (size_t i = 0; i < f.nweeks * NS; i++) sum += f.weekly[i];
  CHECK_INT(sum, 3);
  /* nobody left hot: no median, no conversion yet */
  CHECK_INT(f.left[HOT], 0);
  CHECK(isnan(f.median_days[HOT]));
  CHECK(ls_funnel_rate(&f, HOT, OPP) == 0.0);
  CHECK(isnan(ls_funnel_rate(&f, OPP, CUSTOMER))); /* no entries */
  CHECK(isnan(ls_funnel_rate(&f, NS, HOT)));

  ls_kpi k[4];
  CHECK_INT(ls_model_ntargets(m), 4);
  ls_funnel_kpis(m, &f, k);
  CHECK(k[3].target == 3 && !k[3].has && isnan(k[3].value) && isnan(k[3].progress) && !k[3].met);
  CHECK(k[1].has && k[1].value == 0.0 && k[1].progress == 0.0 && !k[1].met);
  ls_funnel_free(&f);

  /* a 14-day period from Wednesday Feb 4: weeks of Feb 2, 9 and 16 */
  CHECK_INT(ls_funnel_compute(m, at("2026-02-04T00:00:00Z"), at("2026-02-18T00:00:00Z"), v, 5,
                              NULL, &f),
            LS_OK);
  CHECK_INT(f.nweeks, 3);
  CHECK(ls_time_cmp(f.week[0], at("2026-02-02T00:00:00Z")) == 0);
  CHECK_INT(f.entries[PROSPECT], 1);
  CHECK_INT(f.entries[HOT], 0);
  CHECK_INT(f.now[HOT], 0);
  CHECK_INT(f.weekly[1 * NS + PROSPECT], 1);
  ls_funnel_free(&f);

  /* a period of one instant and one Monday: one week */
  CHECK_INT(ls_funnel_compute(m, at("2026-02-02T00:00:00Z"), at("2026-02-02T00:00:00.000000001Z"),
                              NULL, 0, NULL, &f),
            LS_OK);
  CHECK_INT(f.nweeks, 1);
  ls_funnel_free(&f);
}

/* Several changes of one person at one instant, given out of order: seq
 * orders them (prospect was entered, then left at once for hot). */
static void test_same_instant(ls_model *m) {
  ls_funnel_change v[] = {
      ch(7, 4, "2026-02-05T10:00:00Z", PROSPECT, HOT, true),
      ch(7, 3, "2026-02-05T10:00:00Z", ANON, PROSPECT, false),
  };
  ls_funnel f;
  CHECK_INT(ls_funnel_compute(m, FEB, MAR, v, 2, NULL, &f), LS_OK);
  CHECK_INT(f.entries[PROSPECT], 1);
  CHECK_INT(f.entries[HOT], 1);
  CHECK_INT(f.mqls, 1);
  CHECK_INT(f.reached[PROSPECT * NS + HOT], 1);
  CHECK_INT(f.reached[HOT * NS + PROSPECT], 0);
  CHECK_INT(f.left[PROSPECT], 1);
  CHECK(f.median_days[PROSPECT] == 0.0);
  CHECK_INT(f.left[HOT], 0);
  ls_funnel_free(&f);
}

/* A: prospect Feb 2, hot Feb 3, opportunity Feb 6.
 * B: prospect Feb 2, hot Feb 4, back to prospect Feb 8, hot Feb 20,
 *    opportunity Mar 5 (after the period: counts for reached and stays).
 * C: prospect Feb 10 00:00, hot Feb 10 12:00. */
static const ls_funnel_change *journeys(size_t *n) {
  static ls_funnel_change v[11];
  size_t k = 0;
  v[k++] = ch(10, 1, "2026-02-02T00:00:00Z", ANON, PROSPECT, false);
  v[k++] = ch(10, 2, "2026-02-03T00:00:00Z", PROSPECT, HOT, true);
  v[k++] = ch(10, 3, "2026-02-06T00:00:00Z", HOT, OPP, false);
  v[k++] = ch(11, 1, "2026-02-02T00:00:00Z", ANON, PROSPECT, false);
  v[k++] = ch(11, 2, "2026-02-04T00:00:00Z", PROSPECT, HOT, true);
  v[k++] = ch(11, 3, "2026-02-08T00:00:00Z", HOT, PROSPECT, false);
  v[k++] = ch(11, 4, "2026-02-20T00:00:00Z", PROSPECT, HOT, true);
  v[k++] = ch(11, 5, "2026-03-05T00:00:00Z", HOT, OPP, false);
  v[k++] = ch(12, 1, "2026-02-10T00:00:00Z", ANON, PROSPECT, false);
  v[k++] = ch(12, 2, "2026-02-10T12:00:00Z", PROSPECT, HOT, true);
  *n = k;
  return v;
}

static void test_reached_and_medians(ls_model *m) {
  size_t n;
  const ls_funnel_change *v = journeys(&n);
  ls_funnel f;
  CHECK_INT(ls_funnel_compute(m, FEB, MAR, v, n, NULL, &f), LS_OK);
  CHECK_INT(f.entries[PROSPECT], 4);
  CHECK_INT(f.entries[HOT], 4);
  CHECK_INT(f.entries[OPP], 1); /* B's is in March */
  CHECK_INT(f.mqls, 4);
  /* every prospect entry reached hot; A directly and B's second entry
   * (through hot, in March) reached opportunity, B's first stopped at its
   * re-entry into prospect */
  CHECK_INT(f.reached[PROSPECT * NS + HOT], 4);
  CHECK_INT(f.reached[PROSPECT * NS + OPP], 2);
  /* hot -> opportunity: A, B's second; not B's first (hot again first) */
  CHECK_INT(f.reached[HOT * NS + OPP], 2);
  CHECK_INT(f.reached[HOT * NS + PROSPECT], 1);
  CHECK_INT(f.reached[HOT * NS + HOT], 0);
  NEAR(ls_funnel_rate(&f, HOT, OPP), 0.5, 1e-12);
  NEAR(ls_funnel_rate(&f, PROSPECT, OPP), 0.5, 1e-12);
  /* hot stays 3, 4 and 13 days (C has not left): odd, 4 */
  CHECK_INT(f.left[HOT], 3);
  NEAR(f.median_days[HOT], 4.0, 1e-12);
  /* prospect stays 1, 2, 12 and 0.5 days: even, (1 + 2) / 2 */
  CHECK_INT(f.left[PROSPECT], 4);
  NEAR(f.median_days[PROSPECT], 1.5, 1e-12);
  CHECK(isnan(f.median_days[ANON]) && isnan(f.median_days[CUSTOMER]));

  /* the KPIs of a whole month: the targets as they are */
  ls_kpi k[4];
  ls_funnel_kpis(m, &f, k);
  CHECK(k[0].has && k[0].value == 4.0 && k[0].goal == 200.0 && !k[0].met);
  NEAR(k[0].progress, 0.02, 1e-12);
  CHECK(k[1].has && k[1].met);
  NEAR(k[1].value, 0.5, 1e-12);
  NEAR(k[1].goal, 0.2, 1e-12);
  NEAR(k[1].progress, 2.5, 1e-12);
  CHECK(k[2].has && k[2].value == 0.0 && k[2].goal == 10.0 && k[2].progress == 0.0 && !k[2].met);
  /* at_most: goal / value */
  CHECK(k[3].has && k[3].value == 4.0 && k[3].goal == 7.0 && k[3].met);
  NEAR(k[3].progress, 1.75, 1e-12);
  ls_funnel_free(&f);

  /* 14 days: counts scaled by 14 / 30.4375; shares and days are not */
  CHECK_INT(ls_funnel_compute(m, at("2026-02-04T00:00:00Z"), at("2026-02-18T00:00:00Z"), v, n,
                              NULL, &f),
            LS_OK);
  CHECK_INT(f.mqls, 2); /* B's at Feb 4 00:00 exactly, C's */
  ls_funnel_kpis(m, &f, k);
  NEAR(k[0].goal, 200.0 * 14 / 30.4375, 1e-9);
  NEAR(k[2].goal, 10.0 * 14 / 30.4375, 1e-9);
  NEAR(k[0].progress, 2.0 / (200.0 * 14 / 30.4375), 1e-12);
  NEAR(k[1].goal, 0.2, 1e-12);
  NEAR(k[3].goal, 7.0, 1e-12);
  /* hot entries: B Feb 4 (left after 4 days), C (not left) */
  CHECK(k[3].has && k[3].value == 4.0);
  ls_funnel_free(&f);

  /* January 2026 is a whole month too; the goal is not scaled */
  CHECK_INT(ls_funnel_compute(m, at("2026-01-01T00:00:00Z"), FEB, v, n, NULL, &f), LS_OK);
  ls_funnel_kpis(m, &f, k);
  CHECK(k[0].goal == 200.0 && k[0].value == 0.0);
  CHECK(!k[1].has && isnan(k[1].progress)); /* no hot entries in January */
  ls_funnel_free(&f);
  /* a month and a second is not */
  CHECK_INT(ls_funnel_compute(m, FEB, at("2026-03-01T00:00:01Z"), v, n, NULL, &f), LS_OK);
  ls_funnel_kpis(m, &f, k);
  NEAR(k[0].goal, 200.0 * (28 * 86400.0 + 1) / (30.4375 * 86400), 1e-9);
  ls_funnel_free(&f);
}

/* Sorted input is walked in place, any other order is sorted first: the
 * same funnel either way. */
static void test_order(ls_model *m) {
  size_t n;
  const ls_funnel_change *v = journeys(&n);
  ls_funnel_change r[16];
  for (size_t i = 0; i < n; i++) r[i] = v[n - 1 - i];
  ls_funnel a, b;
  CHECK_INT(ls_funnel_compute(m, FEB, MAR, v, n, NULL, &a), LS_OK);
  CHECK_INT(ls_funnel_compute(m, FEB, MAR, r, n, NULL, &b), LS_OK);
  CHECK(ls_funnel_change_cmp(&r[0], &r[1]) > 0); /* the input stays as given */
  for (size_t x = 0; x < NS; x++) {
    CHECK(a.entries[x] == b.entries[x] && a.left[x] == b.left[x]);
    CHECK((isnan(a.median_days[x]) && isnan(b.median_days[x])) ||
          a.median_days[x] == b.median_days[x]);
    for (size_t y = 0; y < NS; y++) CHECK(a.reached[x * NS + y] == b.reached[x * NS + y]);
  }
  CHECK(a.mqls == b.mqls && a.nweeks == b.nweeks);
  ls_funnel_sort(r, n);
  for (size_t i = 0; i < n; i++) CHECK(ls_funnel_change_cmp(&r[i], &v[i]) == 0);
  ls_funnel_free(&a);
  ls_funnel_free(&b);
}

static void test_refusals(ls_model *m) {
  ls_funnel_change bad = ch(1, 0, "2026-02-02T00:00:00Z", PROSPECT, NS, false);
  ls_funnel f;
  CHECK_INT(ls_funnel_compute(m, FEB, MAR, &bad, 1, NULL, &f), LS_EINVAL);
  bad = ch(1, 0, "2026-02-02T00:00:00Z", 9, HOT, false);
  CHECK_INT(ls_funnel_compute(m, FEB, MAR, &bad, 1, NULL, &f), LS_EINVAL);
  CHECK_INT(ls_funnel_compute(m, MAR, FEB, NULL, 0, NULL, &f), LS_EINVAL);
  CHECK_INT(ls_funnel_compute(m, FEB, FEB, NULL, 0, NULL, &f), LS_EINVAL);
  ls_funnel_free(NULL);
  ls_funnel z = {0};
  ls_funnel_free(&z);
  CHECK(z.now == NULL);
}

/* Four persons identified (anonymous -> prospect) around Feb 1 00:00:00:
 * W at 23:59:58.9 and Z at 23:59:59 the day before (Z's text is the
 * driver's bound for a `since` of Feb 1: kept by the query, dropped by the
 * exact filter), X at 23:59:59.5 (its text "…59.5Z" sorts before "…59Z")
 * and Y at 00:00:00.25. */
static void test_store(void) {
  char dir[] = "/tmp/ls-test-funnel-XXXXXX", path[64];
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    CHECK(0);
    return;
  }
  snprintf(path, sizeof path, "%s/s.db", dir);
  ls_diag d = {0};
  ls_store *s = NULL;
  CHECK_INT(ls_store_init(&ls_store_sqlite, path, model_yaml, sizeof model_yaml - 1, &d), LS_OK);
  CHECK_INT(ls_store_open(&ls_store_sqlite, path, &s, &d), LS_OK);
  if (!s) return;
  static const char *const lines[] = {
      "{\"id\":\"w\",\"type\":\"page_view\",\"time\":\"2026-01-31T23:59:58.9Z\",\"lead\":\"W\"}",
      "{\"id\":\"z\",\"type\":\"page_view\",\"time\":\"2026-01-31T23:59:59Z\",\"lead\":\"Z\"}",
      "{\"id\":\"x\",\"type\":\"page_view\",\"time\":\"2026-01-31T23:59:59.5Z\",\"lead\":\"X\"}",
      "{\"id\":\"y\",\"type\":\"page_view\",\"time\":\"2026-02-01T00:00:00.25Z\",\"lead\":\"Y\"}"};
  size_t lens[4];
  for (size_t i = 0; i < 4; i++) lens[i] = strlen(lines[i]);
  ls_store_stats st = {0};
  CHECK_INT(ls_store_ingest(s, "t", 1, lines, lens, 4, &st), LS_OK);
  CHECK_INT(st.accepted, 4);

  ls_funnel_change *v = NULL;
  size_t n = 9;
  ls_time feb = FEB;
  CHECK_INT(ls_store_stage_changes(s, &feb, &v, &n), LS_OK);
  CHECK_INT(n, 1);
  if (n == 1) {
    CHECK(ls_time_cmp(v[0].time, at("2026-02-01T00:00:00.25Z")) == 0);
    CHECK(v[0].from == ANON && v[0].to == PROSPECT && !v[0].mql);
    CHECK(v[0].person > 0);
  }
  free(v);
  ls_time half = at("2026-01-31T23:59:59.5Z");
  CHECK_INT(ls_store_stage_changes(s, &half, &v, &n), LS_OK);
  CHECK_INT(n, 2);
  free(v);
  CHECK_INT(ls_store_stage_changes(s, NULL, &v, &n), LS_OK);
  CHECK_INT(n, 4);
  free(v);
  ls_time later = at("2026-03-01T00:00:00Z");
  CHECK_INT(ls_store_stage_changes(s, &later, &v, &n), LS_OK);
  CHECK(n == 0 && v == NULL);

  /* one person's rows, appended (the server's copy re-reads a person so) */
  int64_t y = 0;
  CHECK_INT(ls_store_find(s, (ls_slice){"Y", 1}, &y), LS_OK);
  size_t cap = 0;
  n = 0;
  CHECK_INT(ls_store_person_stage_changes(s, y, &v, &n, &cap), LS_OK);
  CHECK_INT(n, 1);
  CHECK_INT(ls_store_person_stage_changes(s, y, &v, &n, &cap), LS_OK);
  CHECK_INT(n, 2); /* appended */
  CHECK(cap >= 2 && v[1].person == y && v[1].to == PROSPECT &&
        ls_time_cmp(v[1].time, at("2026-02-01T00:00:00.25Z")) == 0);
  CHECK_INT(ls_store_person_stage_changes(s, y + 1000, &v, &n, &cap), LS_OK);
  CHECK_INT(n, 2); /* nobody: nothing */
  CHECK_INT(ls_store_person_stage_changes(s, 0, &v, &n, &cap), LS_EINVAL);
  free(v);

  ls_funnel f;
  CHECK_INT(ls_store_funnel(s, FEB, MAR, &f), LS_OK);
  CHECK_INT(f.entries[PROSPECT], 1);
  CHECK_INT(f.now[PROSPECT], 4);
  CHECK_INT(f.now[ANON], 0);
  CHECK_INT(f.weekly[0 * NS + PROSPECT], 1); /* Sunday Feb 1: the week of Jan 26 */
  ls_funnel_free(&f);
  CHECK_INT(ls_store_funnel(s, MAR, FEB, &f), LS_EINVAL);

  ls_month_report r;
  CHECK_INT(ls_store_month_report(s, 2026, 13, &r), LS_EINVAL);
  CHECK_INT(ls_store_month_report(s, 2026, 2, &r), LS_OK);
  CHECK_INT(r.cur.entries[PROSPECT], 1);
  CHECK_INT(r.prev.entries[PROSPECT], 3);
  CHECK_INT(r.persons_start, 3);
  CHECK_INT(r.persons_end, 4);
  CHECK(r.current); /* the clock is in February */
  CHECK(ls_time_cmp(r.end, r.clock) == 0);
  /* W, Z and X had their page (1 point) before the month: only Y moved */
  CHECK_INT(r.nup, 1);
  if (r.nup == 1) {
    CHECK_STR(r.up[0].lead_id, "Y");
    CHECK(r.up[0].start == 0 && r.up[0].end == 1 && r.up[0].is_new && r.up[0].stage == PROSPECT);
  }
  CHECK_INT(r.ndown, 0);
  CHECK_INT(r.ntargets, 4);
  ls_month_report_free(&r);
  ls_month_report_free(&r); /* zeroed: a no-op */
  ls_month_report_free(NULL);
  ls_store_close(s);

  char f2[80];
  static const char *const tails[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(f2, sizeof f2, "%s%s", path, tails[i]);
    unlink(f2);
  }
  rmdir(dir);
}

int main(void) {
  ls_model *m = ls_test_model(model_yaml, sizeof model_yaml - 1);
  test_boundaries(m);
  test_same_instant(m);
  test_reached_and_medians(m);
  test_order(m);
  test_refusals(m);
  test_store();
  ls_model_destroy(m);
  return ls_test_done();
}
