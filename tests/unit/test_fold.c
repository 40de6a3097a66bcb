/* The fold, rule by rule, with hand-computed expectations (spec §3–§7). */
#include <stdlib.h>
#include <string.h>

#include "leadscore/event.h"
#include "leadscore/fold.h"
#include "leadscore/model.h"
#include "ls_test.h"
#include "ls_test_model.h"

/* A small model with one rule kind per event type, so each test can aim at
 * exactly one mechanism. */
static const char model_yaml[] =
    "leadscore: 1\n"
    "name: t\n"
    "visits: {on: page_view, gap: 30m}\n"
    "scores:\n"
    "  - name: score\n"
    "    decay:\n"
    "      every: 30d\n"
    "      bands: [{at_least: 30, points: -15}, {at_least: 1, points: -5}]\n"
    "      floor: 0\n"
    "rules:\n"
    "  - {id: page, on: page_view, points: 1}\n"
    "  - {id: deep, on: page_view, visit_page: 8, points: 7}\n"
    "  - id: repeat\n"
    "    on: page_view\n"
    "    visit_start: true\n"
    "    recent: {visit_start: true, within: 7d}\n"
    "    once_per: 7d\n"
    "    points: 8\n"
    "  - {id: p40, on: p40, points: 40}\n"
    "  - {id: p30, on: p30, points: 30}\n"
    "  - {id: p3, on: p3, points: 3}\n"
    "  - {id: m9, on: m9, points: -9}\n"
    "  - {id: p29, on: p29, points: 29}\n"
    "  - {id: visit_once, on: ping, once_per: visit, points: 2}\n"
    "  - {id: person_once, on: ping, once_per: person, points: 100}\n"
    "  - {id: after_demo, on: trial, recent: {on: demo, within: 1d}, points: 10}\n"
    "  - {id: demo, on: demo, points: 0}\n"
    "  - {id: after_p3, on: p3, recent: {rule: p3, within: 1h}, points: 50}\n"
    "  - id: src\n"
    "    first_value: source\n"
    "    if: [{attr: source, equals: web_inquiry}]\n"
    "    points: 7\n"
    "stages:\n"
    "  - {name: anonymous, initial: true}\n"
    "  - {name: prospect}\n"
    "  - {name: hot, mql: true, cadence: c}\n"
    "  - {name: opportunity}\n"
    "arming: {initially: true, rearm_when: score < 65}\n"
    "transitions:\n"
    "  - {from: anonymous, to: prospect, when: identified, arms: true}\n"
    "  - {from: prospect, to: hot, when: score >= 65, requires_armed: true}\n"
    "  - from: hot\n"
    "    to: prospect\n"
    "    on: sales\n"
    "    if: [{prop: outcome, equals: nurture}]\n"
    "    disarms: true\n"
    "  - {from: hot, to: opportunity, on: sales, if: [{prop: outcome, equals: opportunity}]}\n"
    "cadences:\n"
    "  - name: c\n"
    "    steps: [{day: 1, task: call}, {day: 21, task: disposition}]\n";

static ls_model *M;
static ls_event_parser *P;
static unsigned char state[4096];
static uint64_t bits[8];
static int seq;

/* Ledger and stage observers. */
static int64_t ledger_sum, last_points;
static int ledger_n, stage_n, rejected_n, last_capped, capped_n;
static void on_ledger(void *ud, const ls_ledger_entry *e) {
  (void)ud;
  ledger_sum += e->points;
  ledger_n++;
  last_points = e->points;
  last_capped = e->capped;
  capped_n += e->capped != LS_CAP_NONE;
}
static void on_stage(void *ud, const ls_stage_change *c) {
  (void)ud;
  (void)c;
  stage_n++;
}
static void on_rej(void *ud, const ls_fold_event *e, uint16_t s) {
  (void)ud;
  (void)e;
  (void)s;
  rejected_n++;
}
static ls_fold_sink sink = {NULL, on_ledger, on_stage, on_rej};

static void reset(void) {
  ls_fold_init(M, state);
  ledger_sum = last_points = 0;
  ledger_n = stage_n = rejected_n = last_capped = capped_n = 0;
}

/* Folds one event given as the inside of a JSON object (id is generated;
 * identity defaults to an anonymous id). Returns ls_fold_apply's result. */
static bool ev(const char *type, const char *time, const char *extra) {
  char line[1024];
  snprintf(line, sizeof line,
           "{\"id\":\"e%06d\",\"type\":\"%s\",\"time\":\"%s\"%s%s}", seq++, type,
           time, strstr(extra, "\"lead\"") || strstr(extra, "\"email\"") ? "" :
           ",\"anonymous_id\":\"a1\"", extra);
  ls_event_fields f;
  if (ls_event_parse(P, line, strlen(line), &f) != LS_LINE_EVENT) {
    fprintf(stderr, "bad test line %s: %s\n", line, ls_event_parser_reason(P));
    exit(2);
  }
  memset(bits, 0, sizeof bits);
  ls_model_eval_preds(M, &f, bits);
  ls_fold_event fe = {f.time, f.id, ls_model_type_index(M, f.type),
                      f.lead.n > 0 || f.email.n > 0, bits};
  return ls_fold_apply(M, state, &fe, &sink);
}

static int64_t score(void) { return ls_fold_score(M, state, 0); }
static const char *stage(void) { return ls_model_stage_name(M, ls_fold_stage(M, state)); }

static void advance(const char *t) {
  ls_time at;
  if (ls_time_parse(t, strlen(t), &at)) exit(2);
  ls_fold_advance(M, state, at, &sink);
}

static void test_visits(void) {
  reset();
  ev("page_view", "2026-03-01T10:00:00Z", "");
  ev("page_view", "2026-03-01T10:30:00Z", "");  /* +1800 s: same visit */
  ev("page_view", "2026-03-01T11:00:01Z", "");  /* +1801 s: new visit, repeat */
  CHECK_INT(score(), 1 + 1 + 1 + 8);
  ev("page_view", "2026-03-01T11:30:01.5Z", ""); /* +1800.5 s: new visit, but
                                                    repeat given 30 min ago */
  CHECK_INT(score(), 12);
  /* deep visit: 8th view of one visit, once */
  reset();
  for (int i = 0; i < 16; i++) {
    char t[40];
    snprintf(t, sizeof t, "2026-03-02T10:%02d:00Z", i);
    ev("page_view", t, "");
  }
  CHECK_INT(score(), 16 + 7);
  CHECK_INT(ledger_sum, 23);
  /* repeat_visits: another start exactly 7 d back counts; a third visit
   * inside the 7 d after the points does not. */
  reset();
  ev("page_view", "2026-03-01T00:00:00Z", "");
  ev("page_view", "2026-03-08T00:00:00Z", ""); /* start at exactly t - 7d */
  CHECK_INT(score(), 1 + 1 + 8);
  ev("page_view", "2026-03-10T00:00:00Z", ""); /* points 2 d ago: none */
  CHECK_INT(score(), 11);
  ev("page_view", "2026-03-15T00:00:00Z", ""); /* points exactly 7 d ago: ok */
  CHECK_INT(score(), 20);
  reset();
  ev("page_view", "2026-03-01T00:00:00Z", "");
  ev("page_view", "2026-03-08T00:00:00.000000001Z", ""); /* 7 d + 1 ns */
  CHECK_INT(score(), 2);
}

static void test_rule_kinds(void) {
  reset();
  ev("ping", "2026-03-01T10:00:00Z", "");
  ev("ping", "2026-03-01T10:01:00Z", "");
  CHECK_INT(score(), 2 + 100); /* per visit (visit 0) once; per person once */
  ev("page_view", "2026-03-01T10:02:00Z", "");
  ev("ping", "2026-03-01T10:03:00Z", ""); /* a new visit started: +2 again */
  CHECK_INT(score(), 102 + 1 + 2);
  ev("ping", "2026-03-01T10:04:00Z", "");
  CHECK_INT(score(), 105);

  reset(); /* recent: {on: demo, within: 1d} — [t - 1d, t) */
  ev("trial", "2026-03-01T00:00:00Z", "");
  CHECK_INT(score(), 0);
  ev("demo", "2026-03-01T00:00:00Z", "");
  ev("trial", "2026-03-02T00:00:00Z", ""); /* exactly 1 d after: counts */
  CHECK_INT(score(), 10);
  ev("trial", "2026-03-02T00:00:00.1Z", "");
  CHECK_INT(score(), 10);

  reset(); /* recent: {rule: p3} — a firing by the same event is not "another" */
  ev("p3", "2026-03-01T00:00:00Z", "");
  CHECK_INT(score(), 3);
  ev("p3", "2026-03-01T00:30:00Z", "");
  CHECK_INT(score(), 3 + 3 + 50);
  ev("p3", "2026-03-01T02:00:00Z", ""); /* previous p3 90 min ago */
  CHECK_INT(score(), 59);

  reset(); /* first_value: only the first source counts */
  ev("identify", "2026-03-01T00:00:00Z", ",\"attrs\":{\"source\":\"\"}");
  CHECK_INT(score(), 0);
  ev("identify", "2026-03-01T00:00:01Z", ",\"attrs\":{\"source\":null}");
  ev("identify", "2026-03-01T00:00:02Z", ",\"attrs\":{\"source\":\"web_inquiry\"}");
  CHECK_INT(score(), 7);
  ev("identify", "2026-03-01T00:00:03Z", ",\"attrs\":{\"source\":\"web_inquiry\"}");
  CHECK_INT(score(), 7);
  reset();
  ev("identify", "2026-03-01T00:00:00Z", ",\"attrs\":{\"source\":\"event\"}");
  ev("identify", "2026-03-01T00:00:01Z", ",\"attrs\":{\"source\":\"web_inquiry\"}");
  CHECK_INT(score(), 0);
}

static void test_decay(void) {
  reset(); /* 40 at Feb 1: Mar 3 25, Apr 2 20, May 2 15, Jun 1 10, Jul 1 5 */
  ev("p40", "2026-02-01T00:00:00Z", "");
  advance("2026-07-01T00:00:00Z");
  CHECK_INT(score(), 5);
  CHECK_INT(ledger_sum, 5);
  advance("2026-09-01T00:00:00Z"); /* Jul 31 0, then nothing below the floor */
  CHECK_INT(score(), 0);

  reset(); /* an event exactly at +30 d cancels the step */
  ev("p40", "2026-02-01T12:00:00Z", "");
  ev("page_view", "2026-03-03T12:00:00Z", "");
  CHECK_INT(score(), 41);
  ev("page_view", "2026-03-03T12:00:00.000000001Z", "");
  CHECK_INT(score(), 42);

  reset(); /* bands: exactly 30 -> 15; 29 -> 24; -9 stays */
  ev("p30", "2026-01-01T00:00:00Z", "");
  advance("2026-01-31T00:00:00Z");
  CHECK_INT(score(), 15);
  reset();
  ev("p29", "2026-01-01T00:00:00Z", "");
  advance("2026-01-31T00:00:00Z");
  CHECK_INT(score(), 24);
  advance("2026-01-30T23:59:59Z"); /* going back does nothing */
  CHECK_INT(score(), 24);
  reset();
  ev("m9", "2026-01-01T00:00:00Z", "");
  advance("2027-01-01T00:00:00Z");
  CHECK_INT(score(), -9);
  CHECK_INT(ledger_n, 1);

  reset(); /* a rejected sales event at d neither is activity nor cancels */
  ev("p40", "2026-02-01T00:00:00Z", "");
  CHECK(!ev("sales", "2026-03-03T00:00:00Z", ",\"props\":{\"outcome\":\"nurture\"}"));
  CHECK_INT(rejected_n, 1);
  advance("2026-03-03T00:00:00Z");
  CHECK_INT(score(), 25);
}

static void test_stages_and_arming(void) {
  reset(); /* anonymous 70, identify -> prospect -> hot on one event */
  ev("p40", "2026-03-01T00:00:00Z", "");
  ev("p30", "2026-03-01T00:00:01Z", "");
  CHECK_STR(stage(), "anonymous");
  ev("identify", "2026-03-01T00:00:02Z", ",\"email\":\" A@B.example \"");
  CHECK_STR(stage(), "hot");
  CHECK_INT(ls_fold_mql_count(M, state), 1);
  CHECK(ls_fold_identified(M, state));
  ls_time t;
  CHECK(ls_fold_last_mql(M, state, &t));
  char buf[LS_TIME_FMT_MAX];
  ls_time_format(t, buf);
  CHECK_STR(buf, "2026-03-01T00:00:02Z");
  CHECK_INT(stage_n, 2);

  /* nurture at 70: disarmed; more points give no MQL */
  CHECK(ev("sales", "2026-03-02T00:00:00Z", ",\"lead\":\"L1\",\"props\":{\"outcome\":\"nurture\"}"));
  CHECK_STR(stage(), "prospect");
  ev("p3", "2026-03-02T01:00:00Z", ",\"lead\":\"L1\"");
  CHECK_INT(score(), 73);
  CHECK_STR(stage(), "prospect");
  /* -9 -> 64 re-arms; +3 -> 67 is a second MQL */
  ev("m9", "2026-03-02T02:00:00Z", ",\"lead\":\"L1\"");
  ev("p3", "2026-03-02T03:00:00Z", ",\"lead\":\"L1\"");
  CHECK_INT(score(), 67);
  CHECK_STR(stage(), "hot");
  CHECK_INT(ls_fold_mql_count(M, state), 2);
  /* unknown outcome and wrong stage are rejected */
  CHECK(!ev("sales", "2026-03-03T00:00:00Z", ",\"lead\":\"L1\",\"props\":{\"outcome\":\"won\"}"));
  CHECK(!ev("sales", "2026-03-03T00:00:01Z", ",\"lead\":\"L1\""));
  CHECK(ev("sales", "2026-03-03T00:00:02Z", ",\"lead\":\"L1\",\"props\":{\"outcome\":\"opportunity\"}"));
  CHECK_STR(stage(), "opportunity");
  CHECK(!ev("sales", "2026-03-03T00:00:03Z", ",\"lead\":\"L1\",\"props\":{\"outcome\":\"nurture\"}"));
  CHECK_INT(rejected_n, 3);

  reset(); /* a decay step re-arms a disarmed prospect */
  ev("identify", "2026-03-01T00:00:00Z", ",\"lead\":\"L2\"");
  ev("p40", "2026-03-01T00:00:01Z", ",\"lead\":\"L2\"");
  ev("p40", "2026-03-01T00:00:02Z", ",\"lead\":\"L2\"");
  CHECK_STR(stage(), "hot");
  ev("sales", "2026-03-02T00:00:00Z", ",\"lead\":\"L2\",\"props\":{\"outcome\":\"nurture\"}");
  CHECK_INT(score(), 80);
  /* steps Apr 1 (80 -> 65, still not < 65) and May 1 00:00 (-> 50, re-arms) */
  ev("p3", "2026-05-01T00:00:01Z", ",\"lead\":\"L2\"");
  CHECK_INT(score(), 53);
  CHECK_STR(stage(), "prospect");
  ev("p30", "2026-05-01T00:00:02Z", ",\"lead\":\"L2\"");
  CHECK_STR(stage(), "hot");
  CHECK_INT(ls_fold_mql_count(M, state), 2);
}

static void test_cadence(void) {
  ls_task tasks[8];
  ls_time h;
  ls_time_parse("2026-02-11T10:04:00Z", 20, &h);
  size_t n = ls_model_cadence_tasks(M, 2, h, tasks, 8);
  CHECK_INT(n, 2);
  char buf[LS_TIME_FMT_MAX];
  ls_time_format(tasks[1].due, buf);
  CHECK_STR(buf, "2026-03-03T10:04:00Z"); /* day 21 = h + 20 d */
  CHECK_STR(tasks[1].task, "disposition");
  CHECK_INT(ls_model_cadence_tasks(M, 1, h, tasks, 8), 0);
}

/* Caps per rule over a rolling window, and a score's min/max. */
static const char caps_yaml[] =
    "leadscore: 1\n"
    "name: caps\n"
    "scores:\n"
    "  - name: activity\n"
    "    max: 40\n"
    "    min: -5\n"
    "    decay: {every: 30d, bands: [{at_least: -100, points: -20}]}\n"
    "rules:\n"
    "  - {id: news, on: email_open, points: 2, cap: {points: 6, per: 7d}}\n"
    "  - {id: seminar, on: seminar, points: 30}\n"
    "  - {id: unsub, on: unsubscribe, points: -50}\n"
    "stages: [{name: prospect, initial: true}]\n";

/* Swaps in another model for one test (restore with pop_model). */
static ls_model *saved_m;
static ls_event_parser *saved_p;
static void push_model(const char *yaml) {
  saved_m = M;
  saved_p = P;
  M = ls_test_model(yaml, strlen(yaml));
  P = ls_event_parser_new(ls_model_schema(M));
  if (ls_fold_state_size(M) > sizeof state) exit(2);
}
static void pop_model(void) {
  ls_event_parser_destroy(P);
  ls_model_destroy(M);
  M = saved_m;
  P = saved_p;
}

static void test_caps(void) {
  push_model(caps_yaml);

  reset();
  /* 6 points per 7 days at 2 a firing: the 4th open inside a window gives 0 */
  ev("email_open", "2026-03-01T00:00:00Z", "");
  ev("email_open", "2026-03-02T00:00:00Z", "");
  ev("email_open", "2026-03-03T00:00:00Z", "");
  CHECK_INT(score(), 6);
  CHECK_INT(capped_n, 0);
  ev("email_open", "2026-03-07T23:59:59Z", "");
  CHECK_INT(score(), 6);
  CHECK_INT(last_points, 0);
  CHECK_INT(last_capped, LS_CAP_RULE);
  CHECK_INT(ledger_n, 4); /* the capped firing is in the ledger, with 0 */
  /* (t - 7d, t]: the grant of 03-01 00:00 is out at exactly 03-08 00:00 */
  ev("email_open", "2026-03-08T00:00:00Z", "");
  CHECK_INT(score(), 8);
  CHECK_INT(last_capped, LS_CAP_NONE);
  ev("email_open", "2026-03-08T12:00:00Z", ""); /* 03-02, 03-03, 03-08 in */
  CHECK_INT(score(), 8);
  CHECK_INT(last_capped, LS_CAP_RULE);
  ev("email_open", "2026-03-09T00:00:00Z", ""); /* 03-02 left: one free */
  CHECK_INT(score(), 10);
  /* max: a seminar (30) on 10 reaches max exactly (not capped); another
   * one gives 0 */
  ev("seminar", "2026-03-09T01:00:00Z", "");
  CHECK_INT(score(), 40);
  CHECK_INT(last_points, 30);
  CHECK_INT(last_capped, LS_CAP_NONE);
  ev("seminar", "2026-03-09T02:00:00Z", "");
  CHECK_INT(score(), 40);
  CHECK_INT(last_points, 0);
  CHECK_INT(last_capped, LS_CAP_MAX);
  /* min: -50 from 40 stops at -5 (-45 given) */
  ev("unsubscribe", "2026-03-09T03:00:00Z", "");
  CHECK_INT(score(), -5);
  CHECK_INT(last_points, -45);
  CHECK_INT(last_capped, LS_CAP_MIN);
  CHECK_INT(ledger_sum, 40 - 45 - 0);
  /* decay respects min too: -20 per step stops at -5, i.e. nothing */
  ev("seminar", "2026-03-10T00:00:00Z", "");
  CHECK_INT(score(), 25);
  advance("2026-04-09T00:00:00Z"); /* one step: 25 - 20 */
  CHECK_INT(score(), 5);
  advance("2026-05-09T00:00:00Z"); /* second step: 5 - 20, cut at -5 */
  CHECK_INT(score(), -5);
  advance("2026-12-31T00:00:00Z");
  CHECK_INT(score(), -5);

  char why[128];
  CHECK(ls_model_cap_reason(M, 0, LS_CAP_RULE, why, sizeof why) > 0);
  CHECK_STR(why, "capped: at most 6 points per 7d");
  ls_model_cap_reason(M, 1, LS_CAP_MAX, why, sizeof why);
  CHECK_STR(why, "capped: activity max 40");
  ls_model_cap_reason(M, 2, LS_CAP_MIN, why, sizeof why);
  CHECK_STR(why, "capped: activity min -5");
  CHECK_INT(ls_model_cap_reason(M, 1, LS_CAP_NONE, why, sizeof why), 0);
  CHECK_STR(why, "");
  pop_model();
}

/* Rules that apply only in some stages: the stage before the event. */
static void test_stage_scoped(void) {
  push_model("leadscore: 1\n"
             "name: scoped\n"
             "scores: [{name: score}]\n"
             "rules:\n"
             "  - {id: page, on: page_view, points: 1, in_stages: [prospect, hot]}\n"
             "  - {id: upsell, on: page_view, points: 10, in_stages: customer}\n"
             "  - {id: won, on: won, points: 5, in_stages: [customer]}\n"
             "stages: [{name: prospect, initial: true}, {name: hot}, {name: customer}]\n"
             "transitions:\n"
             "  - {from: prospect, to: customer, on: won}\n");
  reset();
  ev("page_view", "2026-03-01T00:00:00Z", "");
  CHECK_INT(score(), 1);
  ev("won", "2026-03-02T00:00:00Z", ""); /* still a prospect before it: no +5 */
  CHECK_INT(score(), 1);
  CHECK_STR(stage(), "customer");
  ev("page_view", "2026-03-03T00:00:00Z", "");
  CHECK_INT(score(), 11);
  pop_model();
}

/* Formula scores, grades, the matrix, and conditions over them. */
static void test_grades(void) {
  push_model("leadscore: 1\n"
             "name: fe\n"
             "scores:\n"
             "  - {name: fit}\n"
             "  - {name: activity}\n"
             "  - {name: lead, formula: \"fit + 2 * activity - 10\"}\n"
             "grades:\n"
             "  - {name: grade, score: fit, bands: [{label: D}, {at_least: 60, label: A},"
             " {at_least: 30, label: B}]}\n"
             "  - {name: level, score: lead, bands: [{at_least: 100, label: \"2\"}, {label: \"1\"}]}\n"
             "matrix: {name: cell, rows: grade, columns: level}\n"
             "rules:\n"
             "  - {id: title, on: identify, points: 30, score: fit}\n"
             "  - {id: page, on: page_view, points: 20, score: activity}\n"
             "stages: [{name: prospect, initial: true}, {name: hot, mql: true}]\n"
             "transitions:\n"
             "  - {from: prospect, to: hot, when: \"cell in [A2, B2] and lead >= 110\"}\n");
  char cell[16];
  reset();
  CHECK_INT(ls_fold_score(M, state, 2), -10); /* 0 + 0 - 10 */
  CHECK_STR(ls_fold_grade(M, state, 0), "D");
  CHECK_STR(ls_fold_grade(M, state, 1), "1");
  CHECK_INT(ls_fold_cell(M, state, cell, sizeof cell), 2);
  CHECK_STR(cell, "D1");
  ev("identify", "2026-03-01T00:00:00Z", ""); /* fit 30: B */
  ev("page_view", "2026-03-01T00:01:00Z", ""); /* activity 20: lead 30 + 40 - 10 = 60 */
  CHECK_INT(ls_fold_score(M, state, 2), 60);
  CHECK_STR(ls_fold_grade(M, state, 0), "B");
  ls_fold_cell(M, state, cell, sizeof cell);
  CHECK_STR(cell, "B1");
  ev("page_view", "2026-03-01T00:02:00Z", ""); /* activity 40: lead 100: B2, < 110 */
  ls_fold_cell(M, state, cell, sizeof cell);
  CHECK_STR(cell, "B2");
  CHECK_STR(stage(), "prospect");
  ev("page_view", "2026-03-01T00:03:00Z", ""); /* activity 60: lead 140 */
  CHECK_INT(ls_fold_score(M, state, 2), 140);
  CHECK_STR(stage(), "hot");
  CHECK_INT(ledger_n, 4); /* formula scores have no ledger rows */
  pop_model();
}

/* Fit rules: re-rolled from the current attribute value, never accrued. */
static int32_t last_from, last_to;
static void on_fit_ledger(void *ud, const ls_ledger_entry *e) {
  on_ledger(ud, e);
  last_from = e->fit_from;
  last_to = e->fit_to;
}

static bool fit_ev(const char *time, const char *attrs) {
  char extra[256];
  snprintf(extra, sizeof extra, ",\"lead\":\"L1\",\"attrs\":{%s}", attrs);
  return ev("identify", time, extra);
}

static void test_fit(void) {
  push_model("leadscore: 1\n"
             "name: fit\n"
             "scores: [{name: fit, max: 30}]\n"
             "fit:\n"
             "  - id: industry\n"
             "    attr: industry\n"
             "    values:\n"
             "      - {in: [software, saas], points: 20}\n"
             "      - {equals: manufacturing, points: 10}\n"
             "      - {points: 2}\n"
             "  - id: size\n"
             "    attr: employees\n"
             "    values: [{gte: 1000, points: 25}, {gte: 100, points: 15}]\n"
             "stages: [{name: prospect, initial: true}]\n");
  reset();
  /* the fit sink also records the rows */
  ls_fold_sink keep = sink;
  sink = (ls_fold_sink){NULL, on_fit_ledger, on_stage, on_rej};
  fit_ev("2026-03-01T00:00:00Z", "\"industry\":\"software\",\"employees\":500");
  CHECK_INT(score(), 30); /* 20, then 15 cut at max 30: size gave 10 */
  CHECK_INT(ledger_n, 2);
  CHECK_INT(last_points, 10);
  CHECK_INT(last_capped, LS_CAP_MAX);
  CHECK_INT(last_from, -1);
  CHECK_INT(last_to, 1); /* size: row 1 (gte 100) */
  fit_ev("2026-03-02T00:00:00Z", "\"industry\":\"software\",\"employees\":500");
  CHECK_INT(score(), 30); /* the same values again: nothing (no inflation) */
  CHECK_INT(ledger_n, 2);
  ev("page_view", "2026-03-03T00:00:00Z", ",\"lead\":\"L1\"");
  CHECK_INT(ledger_n, 2); /* no attrs: no re-roll */
  fit_ev("2026-03-04T00:00:00Z", "\"industry\":\"manufacturing\",\"employees\":2000");
  /* industry: 30 - 20 + 10 = 20; size: 20 - 10 + 25 = 35, cut at 30 */
  CHECK_INT(score(), 30);
  CHECK_INT(last_capped, LS_CAP_MAX);
  CHECK_INT(last_points, 10); /* the size row now gives 20 (was 10) */
  fit_ev("2026-03-05T00:00:00Z", "\"industry\":\"retail\",\"employees\":null");
  CHECK_INT(score(), 2); /* industry 10 -> 2 (-8): 22; size gave 20 -> none: 2 */
  CHECK_INT(last_points, -20);
  CHECK_INT(last_from, 0);
  CHECK_INT(last_to, -1);
  fit_ev("2026-03-06T00:00:00Z", "\"industry\":\"\"");
  CHECK_INT(score(), 0); /* "" clears: every fit point taken back exactly */
  char t[96];
  ls_model_fit_row_text(M, 0, 0, t, sizeof t); /* rule 0 is fit 0: no event rules */
  CHECK_STR(t, "attr industry in [\"software\", \"saas\"]");
  ls_model_fit_row_text(M, 0, 2, t, sizeof t);
  CHECK_STR(t, "any other value");
  ls_model_fit_row_text(M, 1, -1, t, sizeof t);
  CHECK_STR(t, "no value");
  CHECK(ls_model_rule_is_fit(M, 1));
  CHECK_STR(ls_model_rule_id(M, 1), "size");
  sink = keep;
  pop_model();
}

/* Sequence rules: steps in order, the whole within a window. */
static void test_sequence(void) {
  push_model("leadscore: 1\n"
             "name: seq\n"
             "scores: [{name: score}]\n"
             "rules:\n"
             "  - id: journey\n"
             "    sequence: [{on: a}, {on: b, if: [{prop: ok, equals: \"yes\"}]}, {on: c}]\n"
             "    within: 10d\n"
             "    points: 40\n"
             "    once_per: 30d\n"
             "  - id: twice\n"
             "    sequence: [{on: x}, {on: x}]\n"
             "    within: 1d\n"
             "    points: 1\n"
             "stages: [{name: prospect, initial: true}]\n");
  const char *ok = ",\"props\":{\"ok\":\"yes\"}";
  reset();
  ev("b", "2026-03-01T00:00:00Z", ok); /* b before any a: nothing */
  ev("a", "2026-03-02T00:00:00Z", "");
  ev("c", "2026-03-03T00:00:00Z", ""); /* c without b: nothing */
  ev("b", "2026-03-04T00:00:00Z", ",\"props\":{\"ok\":\"no\"}"); /* b whose if fails */
  CHECK_INT(score(), 0);
  ev("b", "2026-03-05T00:00:00Z", ok);
  ev("c", "2026-03-12T00:00:00Z", ""); /* exactly 10 d after a: fires */
  CHECK_INT(score(), 40);
  CHECK_INT(ledger_n, 1);
  /* a completed journey starts over; once_per 30d holds the next one back */
  ev("a", "2026-03-13T00:00:00Z", "");
  ev("b", "2026-03-14T00:00:00Z", ok);
  ev("c", "2026-03-15T00:00:00Z", "");
  CHECK_INT(score(), 40);
  /* too slow: 10 d + 1 s from a to c */
  reset();
  ev("a", "2026-03-01T00:00:00Z", "");
  ev("b", "2026-03-02T00:00:00Z", ok);
  ev("c", "2026-03-11T00:00:01Z", "");
  CHECK_INT(score(), 0);
  /* ... but a later a restarts the clock: the latest start is kept */
  reset();
  ev("a", "2026-03-01T00:00:00Z", "");
  ev("a", "2026-03-05T00:00:00Z", "");
  ev("b", "2026-03-06T00:00:00Z", ok);
  ev("c", "2026-03-14T00:00:00Z", ""); /* 13 d after the first a, 9 d after the second */
  CHECK_INT(score(), 40);
  /* one event is one step: x then x needs two events */
  reset();
  ev("x", "2026-03-01T00:00:00Z", "");
  CHECK_INT(score(), 0);
  ev("x", "2026-03-01T12:00:00Z", "");
  CHECK_INT(score(), 1);
  ev("x", "2026-03-01T13:00:00Z", ""); /* starts over: this x is a first step */
  CHECK_INT(score(), 1);
  ev("x", "2026-03-01T14:00:00Z", "");
  CHECK_INT(score(), 2);
  pop_model();
}

/* Half-life decay: halved toward zero per half-life without activity. */
static void test_half_life(void) {
  push_model("leadscore: 1\n"
             "name: hl\n"
             "scores: [{name: score, decay: {half_life: 30d}}]\n"
             "rules: [{id: p, on: p, points: 75}, {id: m, on: m, points: -80}]\n"
             "stages: [{name: prospect, initial: true}]\n");
  reset();
  ev("p", "2026-01-01T00:00:00Z", "");
  advance("2026-01-30T23:59:59Z");
  CHECK_INT(score(), 75);
  advance("2026-01-31T00:00:00Z"); /* 30 d: 75 / 2 = 37 (toward zero) */
  CHECK_INT(score(), 37);
  advance("2026-04-01T00:00:00Z"); /* 90 d: 18, 9 */
  CHECK_INT(score(), 9);
  CHECK_INT(ledger_sum, 75 - 38 - 19 - 9);
  ev("m", "2026-04-15T00:00:00Z", ""); /* decay first (04-30 is later): 9 - 80 = -71 */
  CHECK_INT(score(), -71);
  advance("2026-05-15T00:00:00Z"); /* -71 / 2 = -35 */
  CHECK_INT(score(), -35);
  advance("2027-12-31T00:00:00Z"); /* -17, -8, -4, -2, -1, 0, then nothing */
  CHECK_INT(score(), 0);
  pop_model();
}

/* A cap shared by a group of rules. */
static void test_group_cap(void) {
  push_model("leadscore: 1\n"
             "name: g\n"
             "scores: [{name: score}]\n"
             "rules:\n"
             "  - {id: open, on: open, points: 2, cap: {points: 4, per: 7d}}\n"
             "  - {id: click, on: click, points: 3}\n"
             "  - {id: other, on: other, points: 1}\n"
             "groups:\n"
             "  - {name: email, rules: [open, click], cap: {points: 7, per: 10d}}\n"
             "stages: [{name: prospect, initial: true}]\n");
  reset();
  ev("open", "2026-03-01T00:00:00Z", "");  /* 2 (group 2) */
  ev("click", "2026-03-02T00:00:00Z", ""); /* 3 (group 5) */
  ev("open", "2026-03-03T00:00:00Z", "");  /* 2 (group 7; open's own 4) */
  CHECK_INT(score(), 7);
  ev("other", "2026-03-03T01:00:00Z", ""); /* not in the group */
  CHECK_INT(score(), 8);
  ev("click", "2026-03-04T00:00:00Z", ""); /* group full: 0 */
  CHECK_INT(score(), 8);
  CHECK_INT(last_capped, LS_CAP_GROUP);
  /* 03-11 00:00: the 03-01 open (2) left the 10-day window: 5 + 2 fits, but
   * open's own cap (4 per 7 d: 03-03 is in) still allows one more */
  ev("open", "2026-03-11T00:00:00Z", "");
  CHECK_INT(score(), 10);
  /* the group then holds 03-02 click 3, 03-03 open 2, 03-11 open 2 = 7 */
  /* the rule's own cap would allow this one (03-03 is out of its 7 days),
   * the group's would not (7 + 2 > 7): capped by the group, and the rule's
   * ring is left as it was */
  ev("open", "2026-03-11T12:00:00Z", "");
  CHECK_INT(last_capped, LS_CAP_GROUP);
  CHECK_INT(score(), 10);
  ev("click", "2026-03-12T00:00:01Z", ""); /* 03-02 left: 2 + 2 + 3 = 7: fits */
  CHECK_INT(score(), 13);
  /* rule: only 03-11 in (03-06, 03-13]; group: 03-11 2 + 03-12 3 + 2 = 7 */
  ev("open", "2026-03-13T00:00:00Z", "");
  CHECK_INT(score(), 15);
  CHECK_INT(last_capped, LS_CAP_NONE);
  char why[128];
  ls_model_cap_reason(M, 1, LS_CAP_GROUP, why, sizeof why);
  CHECK_STR(why, "capped: group email at most 7 points per 10d");
  pop_model();
}

/* Stage skips: a rule that fires moves the person, tagged with a route. */
static void test_stage_skip(void) {
  push_model("leadscore: 1\n"
             "name: skip\n"
             "scores: [{name: score}]\n"
             "rules:\n"
             "  - {id: page, on: page_view, points: 1}\n"
             "  - id: signal\n"
             "    sequence: [{on: demo_request}, {on: page_view, if: [{prop: url, prefix: /pricing}]}]\n"
             "    within: 1d\n"
             "    points: 0\n"
             "stages: [{name: prospect, initial: true}, {name: hot, mql: true}, {name: sales}]\n"
             "transitions:\n"
             "  - {from: prospect, to: hot, when: score >= 50}\n"
             "  - {from: prospect, to: hot, fired: signal, route: senior}\n"
             "  - {from: hot, to: sales, on: accepted}\n");
  reset();
  ev("demo_request", "2026-03-01T10:00:00Z", "");
  ev("page_view", "2026-03-02T10:00:01Z", ",\"props\":{\"url\":\"/pricing\"}"); /* 1 d + 1 s */
  CHECK_STR(stage(), "prospect");
  CHECK_STR(ls_fold_route(M, state), "");
  ev("demo_request", "2026-03-03T10:00:00Z", "");
  ev("page_view", "2026-03-03T18:00:00Z", ",\"props\":{\"url\":\"/pricing\"}");
  CHECK_STR(stage(), "hot"); /* with a score of 2: straight to sales' queue */
  CHECK_INT(score(), 2);
  CHECK_STR(ls_fold_route(M, state), "senior");
  CHECK_INT(ls_fold_mql_count(M, state), 1);
  ev("accepted", "2026-03-04T00:00:00Z", "");
  CHECK_STR(stage(), "sales");
  CHECK_STR(ls_fold_route(M, state), ""); /* the entry into sales had no route */
  pop_model();
}

/* Sliding windows: points count for `length`, to whole steps. */
static int window_rows;
static void on_window_ledger(void *ud, const ls_ledger_entry *e) {
  on_ledger(ud, e);
  window_rows += e->window;
}

static void test_window(void) {
  push_model("leadscore: 1\n"
             "name: win\n"
             "scores: [{name: eng, max: 25, window: {length: 3d, step: 1d}}]\n"
             "rules: [{id: p, on: p, points: 10}, {id: q, on: q, points: 1}]\n"
             "stages: [{name: prospect, initial: true}, {name: hot}]\n"
             "transitions: [{from: prospect, to: hot, when: eng >= 25}]\n");
  ls_fold_sink keep = sink;
  sink.ledger = on_window_ledger;
  window_rows = 0;
  reset();
  ev("p", "2026-03-01T10:00:00Z", ""); /* step 03-01: leaves at 03-04 00:00 */
  ev("p", "2026-03-02T23:00:00Z", ""); /* step 03-02: leaves at 03-05 00:00 */
  CHECK_INT(score(), 20);
  advance("2026-03-03T23:59:59Z");
  CHECK_INT(score(), 20);
  ev("q", "2026-03-04T00:00:00Z", ""); /* the 03-01 points left just before */
  CHECK_INT(score(), 11);
  CHECK_INT(window_rows, 1);
  ev("p", "2026-03-04T01:00:00Z", ""); /* 21 */
  ev("p", "2026-03-04T02:00:00Z", ""); /* 31, cut at max 25: 4 given, 4 kept in the step */
  CHECK_INT(score(), 25);
  CHECK_STR(stage(), "hot");
  advance("2026-03-05T00:00:00Z"); /* 03-02's 10 leave: 15 */
  CHECK_INT(score(), 15);
  advance("2026-03-07T00:00:00Z"); /* 03-04: 1 + 10 + 4 = 15 leave: 0 */
  CHECK_INT(score(), 0);
  CHECK_INT(ledger_sum, 0); /* everything given has left */
  CHECK_INT(window_rows, 3);
  /* a long pause: the ring is reused, nothing stale comes back */
  ev("q", "2026-06-01T12:00:00Z", "");
  CHECK_INT(score(), 1);
  advance("2026-06-04T00:00:00Z");
  CHECK_INT(score(), 0);
  sink = keep;
  pop_model();
}

int main(void) {
  M = ls_test_model(model_yaml, sizeof model_yaml - 1);
  if (ls_fold_state_size(M) > sizeof state) return 2;
  P = ls_event_parser_new(ls_model_schema(M));
  test_visits();
  test_rule_kinds();
  test_decay();
  test_stages_and_arming();
  test_cadence();
  test_caps();
  test_stage_scoped();
  test_grades();
  test_fit();
  test_sequence();
  test_half_life();
  test_group_cap();
  test_stage_skip();
  test_window();
  ls_event_parser_destroy(P);
  ls_model_destroy(M);
  return ls_test_done();
}
