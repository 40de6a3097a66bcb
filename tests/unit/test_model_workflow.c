/* The inside-sales workflow keys (issue 6): stage SLAs, cadence channels,
 * templates and choices, owners, the hand-off checklist and reasons, read
 * back through the public API from the reference model and smaller ones; a
 * cadence choice picked in a fold. The bad models are in test_model_load.c.
 * Run from the repository root (the reference model is read by path). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/event.h"
#include "leadscore/fold.h"
#include "leadscore/model.h"
#include "ls_test.h"
#include "ls_test_model.h"

static ls_model *load_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(2);
  }
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return ls_test_model(buf, n);
}

static ls_time at(const char *s) {
  ls_time t = {0, 0};
  if (ls_time_parse(s, strlen(s), &t)) {
    fprintf(stderr, "bad test time %s\n", s);
    exit(2);
  }
  return t;
}

static void check_time(ls_time t, const char *want) {
  char buf[LS_TIME_FMT_MAX];
  ls_time_format(t, buf);
  CHECK_STR(buf, want);
}

/* ---- the reference model ---- */

static void test_reference(void) {
  ls_model *m = load_file("examples/models/buying-cycle.yaml");
  /* the workflow adds nothing to what events are read for */
  CHECK_INT(ls_model_schema(m)->nattrs, 1);

  /* sla: 21d on hot only */
  CHECK_INT(ls_model_stage_sla(m, 2), 21 * 86400);
  CHECK_INT(ls_model_stage_sla(m, 0), 0);
  CHECK_INT(ls_model_stage_sla(m, 3), 0);
  CHECK_INT(ls_model_stage_sla(m, 99), 0);

  /* the spec §7 cadence entered at 2026-03-02T10:00:00Z */
  CHECK_INT(ls_model_ncadences(m), 1);
  CHECK_STR(ls_model_cadence_name(m, 0), "inside-sales");
  CHECK(ls_model_cadence_name(m, 1) == NULL);
  CHECK_INT(ls_model_cadence_find(m, "inside-sales"), 0);
  CHECK_INT(ls_model_cadence_find(m, "outside-sales"), -1);
  ls_task t[16];
  ls_time entered = at("2026-03-02T10:00:00Z");
  CHECK_INT(ls_model_cadence_steps(m, 0, entered, t, 16), 8);
  static const struct {
    int day;
    const char *due, *task, *channel;
  } want[] = {
      {1, "2026-03-02T10:00:00Z", "call", "call"},
      {1, "2026-03-02T10:00:00Z", "email", "email"},
      {2, "2026-03-03T10:00:00Z", "call", "call"},
      {2, "2026-03-03T10:00:00Z", "email", "email"},
      {5, "2026-03-06T10:00:00Z", "email", "email"},
      {9, "2026-03-10T10:00:00Z", "call", "call"},
      {16, "2026-03-17T10:00:00Z", "email", "email"},
      {21, "2026-03-22T10:00:00Z", "disposition", "task"},
  };
  for (size_t i = 0; i < 8; i++) {
    CHECK_INT(t[i].day, want[i].day);
    check_time(t[i].due, want[i].due);
    CHECK_STR(t[i].task, want[i].task);
    CHECK_STR(t[i].channel, want[i].channel);
    CHECK_INT(t[i].step, i);
  }
  CHECK_STR(t[0].template_, "Ask what brought them to us");
  CHECK(t[1].template_ == NULL);
  CHECK(t[0].note == NULL);
  CHECK_STR(t[4].note, "offer content");
  /* the stage's cadence, as before; a short buffer gets the first steps */
  ls_task u[2];
  CHECK_INT(ls_model_cadence_tasks(m, 2, entered, u, 2), 8);
  CHECK_INT(u[1].day, 1);
  CHECK_STR(u[1].channel, "email");
  CHECK_INT(u[1].step, 1);
  CHECK_INT(ls_model_cadence_tasks(m, 3, entered, u, 2), 0);
  CHECK_INT(ls_model_cadence_steps(m, -1, entered, u, 2), 0);
  CHECK_INT(ls_model_cadence_steps(m, 1, entered, u, 2), 0);

  /* owners */
  CHECK_INT(ls_model_nteams(m), 2);
  CHECK_STR(ls_model_team_name(m, 0), "enterprise");
  CHECK_STR(ls_model_team_name(m, 1), "inside");
  CHECK(ls_model_team_name(m, 2) == NULL);
  CHECK_INT(ls_model_team_size(m, 0), 2);
  CHECK_INT(ls_model_team_size(m, 1), 3);
  CHECK_INT(ls_model_team_size(m, 2), 0);
  CHECK_STR(ls_model_team_member(m, 1, 0), "tanaka");
  CHECK_STR(ls_model_team_member(m, 1, 2), "ito");
  CHECK(ls_model_team_member(m, 1, 3) == NULL);

  /* the hand-off: opportunity, 3 of the 5 criteria, `need` required */
  CHECK_INT(ls_model_handoff_stage(m), 3);
  CHECK_INT(ls_model_handoff_min(m), 3);
  CHECK_INT(ls_model_ncriteria(m), 5);
  static const char *const names[] = {"compelling_event", "need", "current_tools", "timing",
                                      "company"};
  for (size_t i = 0; i < 5; i++) {
    CHECK_STR(ls_model_criterion_name(m, i), names[i]);
    CHECK_INT(ls_model_criterion_required(m, i), i == 1);
  }
  CHECK_STR(ls_model_criterion_label(m, 1, "en"), "Problem or need");
  CHECK_STR(ls_model_criterion_label(m, 1, "ja"), "課題・ニーズ");
  CHECK_STR(ls_model_criterion_label(m, 4, "ja"), "企業情報（売上・規模・資金）");
  CHECK_STR(ls_model_criterion_label(m, 2, "fr"), "Tools used today");
  CHECK(ls_model_criterion_name(m, 5) == NULL);
  CHECK(!ls_model_criterion_required(m, 5));

  /* reasons */
  CHECK_INT(ls_model_nreasons(m, "recycle"), 4);
  CHECK_INT(ls_model_nreasons(m, "disqualify"), 4);
  CHECK_STR(ls_model_reason(m, "recycle", 0), "no_budget");
  CHECK_STR(ls_model_reason(m, "recycle", 3), "chose_competitor");
  CHECK_STR(ls_model_reason(m, "disqualify", 2), "student");
  CHECK(ls_model_reason(m, "disqualify", 4) == NULL);
  CHECK_INT(ls_model_nreasons(m, "lost"), 0);
  CHECK(ls_model_reason(m, "lost", 0) == NULL);

  char *sum = ls_model_summary(m);
  CHECK(sum && strstr(sum, "hot (mql, cadence inside-sales, sla 21d)"));
  CHECK(sum && strstr(sum, "  if attr employees gte 1000: team enterprise\n"));
  CHECK(sum && strstr(sum, "  otherwise: team inside\n"));
  CHECK(sum && strstr(sum, "hand-off to opportunity: at least 3 of 5 criteria: "
                           "compelling_event, need (required), "));
  CHECK(sum && strstr(sum, "reasons to disqualify: no_fit, competitor, student, spam\n"));
  free(sum);
  ls_model_destroy(m);
}

/* A model without the workflow keys answers "none" everywhere. */
static void test_none(void) {
  static const char y[] = "leadscore: 1\nname: bare\nscores: [{name: s}]\n"
                          "stages: [{name: a, initial: true}]\n";
  ls_model *m = ls_test_model(y, sizeof y - 1);
  CHECK_INT(ls_model_stage_sla(m, 0), 0);
  CHECK_INT(ls_model_ncadences(m), 0);
  CHECK_INT(ls_model_nteams(m), 0);
  CHECK_INT(ls_model_ncriteria(m), 0);
  CHECK_INT(ls_model_handoff_stage(m), -1);
  CHECK_INT(ls_model_handoff_min(m), 0);
  CHECK_INT(ls_model_nreasons(m, "recycle"), 0);
  int32_t team = 7;
  const char *owner = "x";
  CHECK(!ls_model_owner_for(m, NULL, NULL, &team, &owner));
  CHECK_INT(team, -1);
  CHECK(owner == NULL);
  ls_model_destroy(m);
}

/* ---- owners ---- */

typedef struct attrs {
  const char *kv[8]; /* name, value, name, value, ..., NULL */
} attrs;

static const char *get_attr(void *ud, const char *name) {
  const attrs *a = ud;
  for (size_t i = 0; i + 1 < 8 && a->kv[i]; i += 2)
    if (!strcmp(a->kv[i], name)) return a->kv[i + 1];
  return NULL;
}

static void test_owner_for(void) {
  static const char y[] =
      "leadscore: 1\n"
      "name: owners\n"
      "scores: [{name: s}]\n"
      "stages: [{name: a, initial: true}]\n"
      "owners:\n"
      "  teams:\n"
      "    - {name: east, members: [sato, suzuki, takahashi]}\n"
      "    - {name: west, members: [tanaka]}\n"
      "  rules:\n"
      "    - {if: [{attr: country, equals: JP}, {attr: employees, gte: 1000}], team: east}\n"
      "    - {if: [{attr: industry, in: [software, saas]}], owner: yamada}\n"
      "    - {if: [{attr: employees, lt: 10}, {attr: partner, present: true, not: true}],\n"
      "       owner: self-serve@example.com}\n"
      "    - {team: west}\n";
  ls_model *m = ls_test_model(y, sizeof y - 1);
  CHECK_INT(ls_model_nteams(m), 2);
  CHECK_INT(ls_model_team_size(m, 0), 3);
  CHECK_STR(ls_model_team_member(m, 0, 1), "suzuki");
  /* owner conditions are not event predicates: nothing more is extracted */
  CHECK_INT(ls_model_schema(m)->nattrs, 0);
  static const struct {
    attrs a;
    int team;
    const char *owner;
  } cases[] = {
      {{{"country", "JP", "employees", "1500", NULL}}, 0, NULL},
      {{{"country", "JP", "employees", "1000", NULL}}, 0, NULL}, /* gte: the bound */
      {{{"country", "JP", "employees", "1e3", NULL}}, 0, NULL},  /* a number */
      {{{"country", "JP", "employees", "999.5", NULL}}, 1, NULL},
      {{{"country", "JP", "employees", "many", NULL}}, 1, NULL}, /* not a number */
      {{{"country", "JP", "employees", " 2000", NULL}}, 1, NULL},
      {{{"country", "JP", NULL}}, 1, NULL},                      /* missing */
      {{{"country", "jp", "employees", "5000", NULL}}, 1, NULL}, /* equals: bytes */
      {{{"country", "JP", "employees", "5000", "industry", "saas", NULL}}, 0, NULL}, /* first */
      {{{"country", "US", "employees", "5000", "industry", "saas", NULL}}, -1, "yamada"},
      {{{"industry", "software", NULL}}, -1, "yamada"},
      {{{"industry", "Software", NULL}}, 1, NULL},
      {{{"employees", "3", NULL}}, -1, "self-serve@example.com"}, /* not: on a missing attr */
      {{{"employees", "3", "partner", "acme", NULL}}, 1, NULL},
      {{{"employees", "3", "partner", "", NULL}}, -1, "self-serve@example.com"}, /* empty */
      {{{NULL}}, 1, NULL},                                       /* the default */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int32_t team = 99;
    const char *owner = "?";
    bool ok = ls_model_owner_for(m, get_attr, (void *)&cases[i].a, &team, &owner);
    CHECK(ok);
    CHECK_INT(team, cases[i].team);
    if (cases[i].owner) CHECK_STR(owner, cases[i].owner);
    else CHECK(owner == NULL);
    if (team != cases[i].team) fprintf(stderr, "  (case %zu)\n", i);
  }
  ls_model_destroy(m);

  /* without a default rule, a person no rule holds for has no owner */
  static const char y2[] =
      "leadscore: 1\nname: o2\nscores: [{name: s}]\nstages: [{name: a, initial: true}]\n"
      "owners:\n"
      "  rules: [{if: [{attr: country, in: [JP, KR]}], owner: sato}]\n";
  m = ls_test_model(y2, sizeof y2 - 1);
  CHECK_INT(ls_model_nteams(m), 0);
  attrs jp = {{"country", "KR", NULL}}, us = {{"country", "US", NULL}}, none = {{NULL}};
  int32_t team = 5;
  const char *owner = NULL;
  CHECK(ls_model_owner_for(m, get_attr, &jp, &team, &owner));
  CHECK_INT(team, -1);
  CHECK_STR(owner, "sato");
  CHECK(!ls_model_owner_for(m, get_attr, &us, &team, &owner));
  CHECK_INT(team, -1);
  CHECK(owner == NULL);
  CHECK(!ls_model_owner_for(m, get_attr, &none, &team, &owner));
  CHECK(ls_model_owner_for(m, get_attr, &jp, NULL, NULL)); /* outputs are optional */
  ls_model_destroy(m);
}

/* ---- cadence choices in a fold ---- */

static const char choice_yaml[] =
    "leadscore: 1\n"
    "name: choices\n"
    "scores: [{name: score}]\n"
    "grades:\n"
    "  - {name: grade, score: score, bands: [{at_least: 50, label: A}, {at_least: 20, label: B},"
    " {label: C}]}\n"
    "rules:\n"
    "  - {id: big, on: big, points: 60}\n"
    "  - {id: mid, on: mid, points: 25}\n"
    "  - {id: sig, on: signal, points: 0}\n"
    "stages:\n"
    "  - {name: prospect, initial: true}\n"
    "  - name: hot\n"
    "    sla: 2w\n"
    "    cadence:\n"
    "      - {when: \"grade in [A]\", use: enterprise}\n"
    "      - {when: \"route == senior\", use: senior-call}\n"
    "      - {when: grade == B, use: inside}\n"
    "  - {name: won, cadence: inside}\n"
    "  - name: lost\n"
    "    cadence: [{when: route != senior, use: inside}, {use: enterprise}]\n"
    "transitions:\n"
    "  - {from: prospect, to: hot, when: score >= 20}\n"
    "  - {from: prospect, to: hot, fired: sig, route: senior}\n"
    "  - {from: prospect, to: hot, on: push}\n"
    "  - {from: hot, to: won, on: close}\n"
    "  - {from: hot, to: lost, on: drop}\n"
    "  - {from: hot, to: lost, on: escalate, route: senior}\n"
    "cadences:\n"
    "  - {name: enterprise, steps: [{day: 1, task: call, channel: task}]}\n"
    "  - {name: senior-call, steps: [{day: 1, task: call}, {day: 3, task: email}]}\n"
    "  - {name: inside, steps: [{day: 2, task: email, template: \"Hello {name}\"}]}\n";

static ls_model *CM;
static ls_event_parser *CP;
static unsigned char cstate[4096];
static int cseq;
static int32_t seen_cadence[8];
static uint16_t seen_to[8];
static int nseen;

static void on_change(void *ud, const ls_stage_change *c) {
  (void)ud;
  if (nseen < 8) {
    seen_to[nseen] = c->to;
    seen_cadence[nseen] = c->cadence;
  }
  nseen++;
}

static void cev(const char *type, const char *time) {
  char line[256];
  uint64_t bits[4] = {0};
  snprintf(line, sizeof line, "{\"id\":\"c%04d\",\"type\":\"%s\",\"time\":\"%s\",\"lead\":\"L\"}",
           cseq++, type, time);
  ls_event_fields f;
  if (ls_event_parse(CP, line, strlen(line), &f) != LS_LINE_EVENT) exit(2);
  ls_model_eval_preds(CM, &f, bits);
  ls_fold_event fe = {f.time, f.id, ls_model_type_index(CM, f.type), true, bits};
  ls_fold_sink sink = {NULL, NULL, on_change, NULL};
  ls_fold_apply(CM, cstate, &fe, &sink);
}

static void person(void) {
  ls_fold_init(CM, cstate);
  nseen = 0;
}

static void test_choices(void) {
  CM = ls_test_model(choice_yaml, sizeof choice_yaml - 1);
  CP = ls_event_parser_new(ls_model_schema(CM));
  if (ls_fold_state_size(CM) > sizeof cstate) exit(2);
  int32_t ent = ls_model_cadence_find(CM, "enterprise"),
          senior = ls_model_cadence_find(CM, "senior-call"),
          inside = ls_model_cadence_find(CM, "inside");
  CHECK(ent == 0 && senior == 1 && inside == 2);
  CHECK_INT(ls_model_stage_sla(CM, 1), 14 * 86400);

  person(); /* 60 points: grade A, the first choice */
  cev("big", "2026-03-02T10:00:00Z");
  CHECK_INT(nseen, 1);
  CHECK_INT(seen_to[0], 1);
  CHECK_INT(seen_cadence[0], ent);

  person(); /* 25 points: grade B, no route: the third */
  cev("mid", "2026-03-02T10:00:00Z");
  CHECK_INT(nseen, 1);
  CHECK_INT(seen_cadence[0], inside);
  cev("close", "2026-03-03T10:00:00Z"); /* a cadence shared by two stages */
  CHECK_INT(nseen, 2);
  CHECK_INT(seen_to[1], 2);
  CHECK_INT(seen_cadence[1], inside);

  person(); /* a stage skip with 0 points: grade C, route senior */
  cev("signal", "2026-03-02T10:00:00Z");
  CHECK_INT(nseen, 1);
  CHECK_STR(ls_fold_route(CM, cstate), "senior");
  CHECK_INT(seen_cadence[0], senior);
  cev("drop", "2026-03-05T10:00:00Z"); /* lost: the route of this entry is none */
  CHECK_INT(seen_to[1], 3);
  CHECK_INT(seen_cadence[1], inside);

  person(); /* pushed with 0 points and no route: no choice holds */
  cev("push", "2026-03-02T10:00:00Z");
  CHECK_INT(nseen, 1);
  CHECK_INT(seen_to[0], 1);
  CHECK_INT(seen_cadence[0], -1);

  person(); /* lost with the route senior: its last choice */
  cev("big", "2026-03-01T10:00:00Z");
  CHECK_INT(seen_cadence[0], ent);
  cev("escalate", "2026-03-02T10:00:00Z");
  CHECK_INT(nseen, 2);
  CHECK_INT(seen_to[1], 3);
  CHECK_INT(seen_cadence[1], ent);

  /* the tasks of a chosen cadence, with its channels and template */
  ls_task t[4];
  ls_time entered = at("2026-03-02T10:00:00Z");
  CHECK_INT(ls_model_cadence_steps(CM, senior, entered, t, 4), 2);
  CHECK_STR(t[1].channel, "email");
  check_time(t[1].due, "2026-03-04T10:00:00Z");
  CHECK_INT(ls_model_cadence_steps(CM, ent, entered, t, 4), 1);
  CHECK_STR(t[0].task, "call");
  CHECK_STR(t[0].channel, "task"); /* written, not from the task's name */
  CHECK_INT(ls_model_cadence_steps(CM, inside, entered, t, 4), 1);
  CHECK_STR(t[0].template_, "Hello {name}");
  check_time(t[0].due, "2026-03-03T10:00:00Z");
  /* ls_model_cadence_tasks: the stage's choice without when */
  CHECK_INT(ls_model_cadence_tasks(CM, 1, entered, t, 4), 0); /* every choice has one */
  CHECK_INT(ls_model_cadence_tasks(CM, 2, entered, t, 4), 1);
  CHECK_INT(ls_model_cadence_tasks(CM, 3, entered, t, 4), 1);
  CHECK_STR(t[0].channel, "task"); /* lost's last choice: enterprise */
  CHECK_STR(t[0].task, "call");

  char *sum = ls_model_summary(CM);
  CHECK(sum && strstr(sum, "hot (cadence enterprise if grade == A, else senior-call if "
                           "route == senior, else inside if grade == B, sla 14d)"));
  CHECK(sum && strstr(sum, "  inside (on entering hot, won, lost): day 2 email template "
                           "\"Hello {name}\"\n"));
  CHECK(sum && strstr(sum, "  enterprise (on entering hot, lost): day 1 call by task\n"));
  free(sum);
  ls_event_parser_destroy(CP);
  ls_model_destroy(CM);
}

int main(void) {
  test_reference();
  test_none();
  test_owner_for();
  test_choices();
  return ls_test_done();
}
