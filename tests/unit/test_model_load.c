/* The model loader: the reference model's IR field by field, smaller models
 * for the language's other forms, and every bad model under
 * tests/models/bad/ with its exact line:col and message.
 * Run from the repository root (the files are opened by relative path). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* opendir */
#endif
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ls_test.h"
#include "model/ir.h"

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n == cap) buf = realloc(buf, cap *= 2);
    size_t r = fread(buf + n, 1, cap - n, f);
    if (r == 0) break;
    n += r;
  }
  fclose(f);
  *len = n;
  return buf;
}

static ls_model *load_str(const char *text, ls_diag *d) {
  ls_model *m = NULL;
  int r = ls_model_load(text, strlen(text), &m, d);
  if (r != LS_OK) {
    fprintf(stderr, "load: %u:%u: %s\n", d->line, d->col, d->msg);
    return NULL;
  }
  return m;
}

/* A tiny evaluator for compiled conditions. */
static int64_t eval(const ls_model *m, int32_t i, const int64_t *scores,
                    int identified) {
  const ls__expr *e = &m->exprs[i];
  int64_t a, b;
  switch (e->op) {
    case LS__X_INT: return e->k;
    case LS__X_SCORE: return scores[e->a];
    case LS__X_IDENTIFIED: return identified;
    case LS__X_NOT: return !eval(m, e->a, scores, identified);
    case LS__X_AND:
      return eval(m, e->a, scores, identified) && eval(m, e->b, scores, identified);
    case LS__X_OR:
      return eval(m, e->a, scores, identified) || eval(m, e->b, scores, identified);
    default:
      a = eval(m, e->a, scores, identified);
      b = eval(m, e->b, scores, identified);
      switch (e->cmp) {
        case LS__LT: return a < b;
        case LS__LE: return a <= b;
        case LS__GT: return a > b;
        case LS__GE: return a >= b;
        case LS__EQ: return a == b;
        default: return a != b;
      }
  }
}

static int rule_index(const ls_model *m, const char *id) {
  for (size_t i = 0; i < m->nrules; i++)
    if (!strcmp(m->rules[i].id, id)) return (int)i;
  return -1;
}

/* The single predicate of a predicate set, or -1 (none or several). */
static int only_pred(const ls_model *m, ls__predset set) {
  int found = -1;
  if (!set) return -1;
  for (size_t i = 0; i < m->npreds; i++)
    if (ls__bit(set, i)) {
      if (found >= 0) return -1;
      found = (int)i;
    }
  return found;
}

static void check_pred(const ls_model *m, ls__predset set, int src,
                       const char *key, int op, const char *arg, bool neg) {
  int i = only_pred(m, set);
  CHECK(i >= 0);
  if (i < 0) return;
  const ls__pred *p = &m->preds[i];
  CHECK_INT(p->src, src);
  CHECK_STR(src == LS__SRC_PROP ? m->prop_keys[p->key].p : m->attr_keys[p->key].p,
            key);
  CHECK_INT(p->op, op);
  CHECK_INT(p->negate, neg);
  CHECK_INT(p->nstrs, 1);
  if (p->nstrs == 1) {
    CHECK_STR(p->strs[0], arg);
    CHECK_INT(p->lens[0], strlen(arg));
  }
}

static void test_reference(void) {
  size_t len;
  char *text = read_file("examples/models/buying-cycle.yaml", &len);
  CHECK(text != NULL);
  if (!text) return;
  ls_model *m = NULL;
  ls_diag d;
  int r = ls_model_load(text, len, &m, &d);
  CHECK_INT(r, LS_OK);
  if (r) {
    fprintf(stderr, "%u:%u: %s\n", d.line, d.col, d.msg);
    free(text);
    return;
  }
  CHECK_STR(ls_model_name(m), "buying-cycle");
  CHECK(m->description == NULL);

  /* types, numbered in compile order: visits, rules, transitions */
  static const char *const types[] = {
      NULL, "page_view", "email_open", "demo_view", "webinar_register",
      "webinar_attend", "content_download", "search", "sales_disposition",
      "opportunity_closed"};
  CHECK_INT(m->ntypes, 9);
  CHECK(m->types[0] == NULL);
  for (size_t t = 1; t <= 9 && t <= m->ntypes; t++) CHECK_STR(m->types[t], types[t]);
  CHECK_INT(ls_model_type_index(m, (ls_slice){"search", 6}), 7);
  CHECK_INT(ls_model_type_index(m, (ls_slice){"identify", 8}), 0);

  /* visits: page_view, 30 min */
  CHECK_INT(m->visit_type, 1);
  CHECK_INT(m->visit_gap, 1800);

  /* keys: each once, schema pointing at them */
  CHECK_INT(m->nprops, 4);
  CHECK_SLICE(m->prop_keys[0], "content_type");
  CHECK_SLICE(m->prop_keys[1], "query");
  CHECK_SLICE(m->prop_keys[2], "url");
  CHECK_SLICE(m->prop_keys[3], "outcome");
  CHECK_INT(m->nattrs, 1);
  CHECK_SLICE(m->attr_keys[0], "source");
  const ls_event_schema *sc = ls_model_schema(m);
  CHECK(sc->prop_keys == m->prop_keys && sc->nprops == 4);
  CHECK(sc->attr_keys == m->attr_keys && sc->nattrs == 1);
  CHECK_INT(m->prop_keys[2].p[3], 0); /* NUL-terminated copies */

  /* 11 predicates written in the model (finalize may add internal ones) */
  CHECK(m->npreds >= 11);
  CHECK_INT(ls_model_pred_words(m), 1);

  /* score and decay */
  CHECK_INT(ls_model_nscores(m), 1);
  CHECK_STR(ls_model_score_name(m, 0), "score");
  const ls__score *s = &m->scores[0];
  CHECK_INT(s->initial, 0);
  CHECK_INT(s->decay_every, 30 * 86400);
  CHECK_INT(s->nbands, 2);
  CHECK_INT(s->bands[0].at_least, 30);
  CHECK_INT(s->bands[0].points, -15);
  CHECK_INT(s->bands[1].at_least, 1);
  CHECK_INT(s->bands[1].points, -5);
  CHECK(s->has_floor);
  CHECK_INT(s->floor, 0);

  /* rules */
  CHECK_INT(ls_model_nrules(m), 13);
  static const struct {
    const char *id;
    int points;
    int type; /* 0 = any */
  } rules[] = {
      {"page", 1, 1},           {"email_open", 1, 2},
      {"demo", 5, 3},           {"webinar_register", 5, 4},
      {"webinar_attend", 5, 5}, {"thought_leadership", 5, 6},
      {"deep_visit", 7, 1},     {"repeat_visits", 8, 1},
      {"brand_search", 15, 7},  {"pricing", 5, 1},
      {"careers", -10, 1},      {"source_inquiry", 7, 0},
      {"source_thought_leader", -5, 0},
  };
  for (size_t i = 0; i < 13 && i < m->nrules; i++) {
    const ls__rule *ru = &m->rules[i];
    CHECK_STR(ru->id, rules[i].id);
    CHECK_STR(ls_model_rule_id(m, i), rules[i].id);
    CHECK_INT(ru->points, rules[i].points);
    CHECK_INT(ru->score, 0);
    CHECK_INT(ru->ntypes, rules[i].type ? 1 : 0);
    if (rules[i].type && ru->ntypes == 1) CHECK_INT(ru->types[0], rules[i].type);
    CHECK(ru->label_en != NULL && ru->label_ja != NULL);
  }
  CHECK_STR(ls_model_rule_label(m, 0, "en"), "Viewed a page");
  CHECK_STR(ls_model_rule_label(m, 0, "ja"), "ページを閲覧");
  CHECK_STR(ls_model_rule_label(m, 0, "fr"), "Viewed a page");
  CHECK_INT(m->rules[0].line, 21); /* the line of `- id: page` */

  const ls__rule *page = &m->rules[0];
  CHECK(page->preds == NULL);
  CHECK_INT(page->visit_page, 0);
  CHECK_INT(page->visit_start, -1);
  CHECK_INT(page->recent_kind, LS__RECENT_NONE);
  CHECK_INT(page->first_value, -1);
  CHECK_INT(page->once, LS__ONCE_NONE);

  check_pred(m, m->rules[5].preds, LS__SRC_PROP, "content_type", LS__P_EQUALS,
             "thought_leadership", false);

  const ls__rule *deep = &m->rules[6];
  CHECK_INT(deep->visit_page, 8);
  CHECK_INT(deep->visit_start, -1);
  CHECK_INT(deep->once, LS__ONCE_NONE);

  const ls__rule *rep = &m->rules[7];
  CHECK_INT(rep->visit_start, 1);
  CHECK_INT(rep->recent_kind, LS__RECENT_VISIT_START);
  CHECK_INT(rep->recent_within, 7 * 86400);
  CHECK_INT(rep->once, LS__ONCE_PER_PERIOD);
  CHECK_INT(rep->once_period, 604800);
  CHECK(rep->preds == NULL);

  check_pred(m, m->rules[8].preds, LS__SRC_PROP, "query", LS__P_CONTAINS_CI,
             "acme", false);
  check_pred(m, m->rules[9].preds, LS__SRC_PROP, "url", LS__P_PATH_PREFIX,
             "/pricing", false);
  check_pred(m, m->rules[10].preds, LS__SRC_PROP, "url", LS__P_PATH_PREFIX,
             "/careers", false);
  check_pred(m, m->rules[11].preds, LS__SRC_ATTR, "source", LS__P_EQUALS,
             "web_inquiry", false);
  check_pred(m, m->rules[12].preds, LS__SRC_ATTR, "source", LS__P_EQUALS,
             "thought_leader", false);
  CHECK_INT(m->rules[11].first_value, 0);
  CHECK_INT(m->rules[12].first_value, 0);
  CHECK(only_pred(m, m->rules[9].preds) != only_pred(m, m->rules[10].preds));

  /* stages */
  static const char *const stages[] = {"anonymous", "prospect",    "hot",
                                       "opportunity", "customer", "disqualified"};
  CHECK_INT(ls_model_nstages(m), 6);
  for (size_t i = 0; i < 6 && i < m->nstages; i++) {
    CHECK_STR(ls_model_stage_name(m, i), stages[i]);
    CHECK_INT(m->stages[i].mql, i == 2);
    CHECK_INT(m->stages[i].cadence, i == 2 ? 0 : -1);
  }
  CHECK_INT(m->initial_stage, 0);

  /* arming */
  CHECK(m->initially_armed);
  CHECK(m->rearm_when >= 0);
  int64_t sc64[1];
  sc64[0] = 64;
  CHECK_INT(eval(m, m->rearm_when, sc64, 1), 1);
  sc64[0] = 65;
  CHECK_INT(eval(m, m->rearm_when, sc64, 1), 0);

  /* transitions */
  CHECK_INT(m->ntrans, 7);
  static const struct {
    int from, to, on;
    const char *outcome;
    bool req, arms, disarms;
  } tr[] = {
      {0, 1, -1, NULL, false, true, false},
      {1, 2, -1, NULL, true, false, false},
      {2, 3, 8, "opportunity", false, false, false},
      {2, 1, 8, "nurture", false, false, true},
      {2, 5, 8, "disqualified", false, false, false},
      {3, 4, 9, "won", false, false, false},
      {3, 1, 9, "lost", false, false, true},
  };
  for (size_t i = 0; i < 7 && i < m->ntrans; i++) {
    const ls__transition *t = &m->trans[i];
    CHECK_INT(t->from, tr[i].from);
    CHECK_INT(t->to, tr[i].to);
    CHECK_INT(t->on_type, tr[i].on);
    CHECK_INT(t->requires_armed, tr[i].req);
    CHECK_INT(t->arms, tr[i].arms);
    CHECK_INT(t->disarms, tr[i].disarms);
    if (tr[i].outcome) {
      CHECK_INT(t->when, -1);
      check_pred(m, t->preds, LS__SRC_PROP, "outcome", LS__P_EQUALS,
                 tr[i].outcome, false);
    } else {
      CHECK(t->preds == NULL);
      CHECK(t->when >= 0);
    }
  }
  /* anonymous -> prospect when identified */
  sc64[0] = 0;
  CHECK_INT(eval(m, m->trans[0].when, sc64, 1), 1);
  CHECK_INT(eval(m, m->trans[0].when, sc64, 0), 0);
  CHECK_INT(m->exprs[m->trans[0].when].op, LS__X_IDENTIFIED);
  /* prospect -> hot when score >= 65 */
  const ls__expr *ge = &m->exprs[m->trans[1].when];
  CHECK_INT(ge->op, LS__X_CMP);
  CHECK_INT(ge->cmp, LS__GE);
  CHECK_INT(m->exprs[ge->a].op, LS__X_SCORE);
  CHECK_INT(m->exprs[ge->a].a, 0);
  CHECK_INT(m->exprs[ge->b].op, LS__X_INT);
  CHECK_INT(m->exprs[ge->b].k, 65);
  sc64[0] = 65;
  CHECK_INT(eval(m, m->trans[1].when, sc64, 1), 1);
  sc64[0] = 64;
  CHECK_INT(eval(m, m->trans[1].when, sc64, 1), 0);
  /* the same outcome predicate text on two types is one predicate */
  CHECK(only_pred(m, m->trans[2].preds) != only_pred(m, m->trans[3].preds));

  /* cadence */
  CHECK_INT(m->ncadences, 1);
  const ls__cadence *cd = &m->cadences[0];
  CHECK_STR(cd->name, "inside-sales");
  CHECK_INT(cd->stage, 2);
  static const struct {
    int day;
    const char *task, *note;
  } steps[] = {{1, "call", NULL},  {1, "email", NULL},
               {2, "call", NULL},  {2, "email", NULL},
               {5, "email", "offer content"},
               {9, "call", NULL},  {16, "email", NULL},
               {21, "disposition",
                "opportunity, active prospect (nurture) or disqualified"}};
  CHECK_INT(cd->nsteps, 8);
  for (size_t i = 0; i < 8 && i < cd->nsteps; i++) {
    CHECK_INT(cd->steps[i].day, steps[i].day);
    CHECK_STR(cd->steps[i].task, steps[i].task);
    if (steps[i].note)
      CHECK_STR(cd->steps[i].note, steps[i].note);
    else
      CHECK(cd->steps[i].note == NULL);
  }

  /* the summary names everything */
  char *sum = ls_model_summary(m);
  CHECK(sum != NULL);
  if (sum) {
    CHECK(strstr(sum, "model buying-cycle") != NULL);
    CHECK(strstr(sum, "decay every 30d") != NULL);
    CHECK(strstr(sum, "score >= 30: -15, score >= 1: -5; floor 0") != NULL);
    CHECK(strstr(sum, "  repeat_visits: +8 on page_view; starts a visit; "
                      "another visit started within 7d; once per 7d\n") != NULL);
    CHECK(strstr(sum, "  pricing: +5 on page_view if prop url path_prefix "
                      "\"/pricing\"\n") != NULL);
    CHECK(strstr(sum, "  careers: -10 on page_view") != NULL);
    CHECK(strstr(sum, "hot (mql, cadence inside-sales, sla 21d)") != NULL);
    CHECK(strstr(sum, "re-armed when score < 65") != NULL);
    CHECK(strstr(sum, "  prospect -> hot when score >= 65; requires armed\n") != NULL);
    CHECK(strstr(sum, "day 21 disposition") != NULL);
    free(sum);
  }
  ls_model_destroy(m);

  /* every prefix of the file either loads or fails with a located error */
  int located = 1;
  for (size_t n = 0; n < len; n += 7) {
    ls_model *p = NULL;
    r = ls_model_load(text, n, &p, &d);
    if (r == LS_OK) {
      ls_model_destroy(p);
    } else if (r != LS_EMODEL || d.line == 0 || d.msg[0] == 0) {
      fprintf(stderr, "prefix %zu: %d %u:%u %s\n", n, r, d.line, d.col, d.msg);
      located = 0;
    }
  }
  CHECK(located);
  free(text);
}

static void test_forms(void) {
  ls_diag d;
  /* two scores: score: is required; on: lists; once_per forms; plain label;
   * recent on/rule; identical predicates share a bit; keys interned once */
  const char *text =
      "leadscore: 1\n"
      "name: forms\n"
      "description: \"Two scores\"\n"
      "visits: {on: view, gap: 1h}\n"
      "scores:\n"
      "  - {name: eng, initial: 3}\n"
      "  - {name: fit, initial: -2}\n"
      "rules:\n"
      "  - {id: a, label: Plain label, on: [open, click], score: eng, points: 2, once_per: person}\n"
      "  - {id: b, on: click, score: fit, points: 3, recent: {on: demo, within: 2w},\n"
      "     if: [{prop: url, prefix: /x}, {attr: country, in: [JP, US]}]}\n"
      "  - {id: c, on: view, score: eng, points: 1, once_per: visit,\n"
      "     recent: {rule: b, within: 90}, if: [{prop: url, prefix: /x}]}\n"
      "  - {id: d, score: fit, points: -1, if: [{prop: n, gte: 1.5, not: true}, {prop: url, present: true}]}\n"
      "stages: [{name: s1, initial: true}, {name: s2}]\n"
      "arming: {initially: false}\n"
      "transitions: [{from: s1, to: s2, on: ok}]\n";
  ls_model *m = load_str(text, &d);
  CHECK(m != NULL);
  if (!m) return;
  CHECK_STR(m->description, "Two scores");
  CHECK_INT(m->ntypes, 5); /* view, open, click, demo, ok */
  CHECK_STR(m->types[5], "ok");
  CHECK_INT(m->visit_gap, 3600);
  CHECK_INT(m->scores[0].initial, 3);
  CHECK_INT(m->scores[1].initial, -2);
  CHECK_INT(m->scores[0].decay_every, 0);
  int a = rule_index(m, "a"), b = rule_index(m, "b"), c = rule_index(m, "c"),
      dd = rule_index(m, "d");
  CHECK(a == 0 && b == 1 && c == 2 && dd == 3);
  CHECK_STR(ls_model_rule_label(m, 0, "ja"), "Plain label");
  CHECK_STR(ls_model_rule_label(m, 1, "ja"), "b");
  CHECK_INT(m->rules[0].ntypes, 2);
  CHECK_INT(m->rules[0].types[0], 2);
  CHECK_INT(m->rules[0].types[1], 3);
  CHECK_INT(m->rules[0].once, LS__ONCE_PER_PERSON);
  CHECK_INT(m->rules[1].score, 1);
  CHECK_INT(m->rules[1].recent_kind, LS__RECENT_TYPE);
  CHECK_INT(m->rules[1].recent_arg, 4);
  CHECK_INT(m->rules[1].recent_within, 14 * 86400);
  CHECK_INT(m->rules[2].once, LS__ONCE_PER_VISIT);
  CHECK_INT(m->rules[2].recent_kind, LS__RECENT_RULE);
  CHECK_INT(m->rules[2].recent_arg, 1);
  CHECK_INT(m->rules[2].recent_within, 90);
  CHECK_INT(m->nprops, 2); /* url, n */
  CHECK_INT(m->nattrs, 1); /* country */
  /* {prop: url, prefix: /x} written twice: one predicate, in both sets */
  int px = only_pred(m, m->rules[2].preds);
  CHECK(px >= 0);
  if (px >= 0) CHECK(ls__bit(m->rules[1].preds, (size_t)px));
  const ls__pred *in = NULL, *gte = NULL;
  for (size_t i = 0; i < m->npreds; i++) {
    if (m->preds[i].op == LS__P_IN) in = &m->preds[i];
    if (m->preds[i].op == LS__P_NUM_CMP) gte = &m->preds[i];
  }
  CHECK(in && in->nstrs == 2 && !strcmp(in->strs[1], "US"));
  CHECK(gte && gte->cmp == LS__GE && gte->num == 1.5 && gte->negate);
  CHECK(!m->initially_armed);
  CHECK_INT(m->rearm_when, -1);
  CHECK_INT(m->ncadences, 0);
  char *sum = ls_model_summary(m);
  CHECK(sum && strstr(sum, "  a: +2 to eng on open, click; once per person\n"));
  CHECK(sum && strstr(sum, "not prop n gte 1.5 and prop url present"));
  free(sum);
  ls_model_destroy(m);

  /* sections in any order; durations in every unit; null-free defaults */
  text = "stages: [{name: only, initial: true}]\n"
         "scores: [{name: s, decay: {every: 3600s, bands: [{at_least: 1, points: -1}, {at_least: 10, points: -2}]}}]\n"
         "name: order\n"
         "leadscore: 1\n"
         "rules:\n"
         "  - {id: w, on: e, points: 1, once_per: 2w}\n"
         "  - {id: m, on: e, points: 1, once_per: 5m}\n"
         "  - {id: h, on: e, points: 1, once_per: 3h}\n"
         "  - {id: s, on: e, points: 1, once_per: 42}\n";
  m = load_str(text, &d);
  CHECK(m != NULL);
  if (!m) return;
  CHECK_INT(m->scores[0].decay_every, 3600);
  CHECK_INT(m->scores[0].bands[0].at_least, 10); /* sorted descending */
  CHECK_INT(m->scores[0].bands[1].at_least, 1);
  CHECK(!m->scores[0].has_floor);
  CHECK_INT(m->rules[0].once_period, 1209600);
  CHECK_INT(m->rules[1].once_period, 300);
  CHECK_INT(m->rules[2].once_period, 10800);
  CHECK_INT(m->rules[3].once_period, 42);
  CHECK_INT(m->ntrans, 0);
  CHECK(m->initially_armed);
  ls_model_destroy(m);

  /* null arguments */
  ls_model_destroy(NULL);
  ls_model *out = (ls_model *)&d;
  CHECK_INT(ls_model_load("", 0, &out, &d), LS_EMODEL);
  CHECK(out == NULL);
  CHECK_INT(d.line, 1);
  CHECK(strstr(d.msg, "empty") != NULL);
  CHECK_INT(ls_model_load(NULL, 0, &out, NULL), LS_EMODEL);
  CHECK_INT(ls_model_load("x", 1, NULL, &d), LS_EINVAL);
}

/* ---- bad models ---- */

static const struct bad {
  const char *file;
  unsigned line, col;
  const char *msg;
} bad[] = {
    /* file, line, col, a substring of the message (hand-checked) */
    {"yaml-syntax.yaml", 5, 1,
     "YAML syntax error: did not find expected ',' or ']' (while parsing a "
     "flow sequence at line 4, column 9)"},
    {"unknown-top-key.yaml", 5, 1,
     "unknown key \"stagez\" in the top level (did you mean \"stages\"?"},
    {"unknown-rule-key.yaml", 8, 5,
     "unknown key \"pionts\" in rule (did you mean \"points\"? expected one "
     "of: id, label, on, if, points, score,"},
    {"duplicate-key.yaml", 8, 5,
     "duplicate key \"points\" in rule (first at line 7)"},
    {"anchor.yaml", 4, 9, "YAML anchors (&s) are not supported"},
    {"alias.yaml", 4, 14, "YAML aliases (*n) are not supported"},
    {"tag.yaml", 3, 7, "YAML tags (tag:yaml.org,2002:str) are not supported"},
    {"missing-version.yaml", 2, 1, "missing `leadscore: 1`"},
    {"version.yaml", 2, 12, "unsupported model language version 2"},
    {"bad-duration.yaml", 5, 30,
     "expected a duration like 30m, 7d, 1800s for gap, got \"30 minutes\""},
    {"zero-duration.yaml", 9, 41, "within must be longer than 0 seconds"},
    {"bad-integer.yaml", 6, 24,
     "rule \"page\": expected an integer like 5 or -10 for points, got "
     "\"five\""},
    {"quoted-integer.yaml", 6, 24,
     "expected an integer for points, got the quoted string \"5\""},
    {"bad-bool.yaml", 6, 24, "expected true or false for initial, got \"yes\""},
    {"duplicate-rule-id.yaml", 7, 10,
     "two rules have the id \"page\" (the other is at line 6)"},
    {"unknown-score.yaml", 6, 34, "unknown score \"scor\" (scores: score)"},
    {"missing-score.yaml", 6, 5,
     "rule \"page\": the rule needs `score: NAME` because the model has 2 "
     "scores"},
    {"bad-score-name.yaml", 4, 17, "\"Score-1\" is not a valid score name"},
    {"reserved-score-name.yaml", 4, 17,
     "\"identified\" is a reserved word in conditions"},
    {"band-tie.yaml", 10, 11, "two decay bands have at_least 10"},
    {"two-tests.yaml", 7, 34,
     "a predicate has exactly one test, but this one has both equals and "
     "prefix"},
    {"no-test.yaml", 7, 10, "a predicate needs a test (one of: equals, in,"},
    {"prop-and-attr.yaml", 7, 20,
     "a predicate reads one field: prop or attr, not both"},
    {"unknown-stage.yaml", 7, 19,
     "transition 1: to: unknown stage \"hott\" (stages: a, b)"},
    {"on-and-when.yaml", 7, 30,
     "transition a -> b: a transition has either on: (an event type) or "
     "when: (a condition), not both"},
    {"if-with-when.yaml", 10, 5, "if: only goes with on:"},
    {"no-trigger.yaml", 7, 5,
     "a transition needs on: EVENT_TYPE, when: CONDITION or fired: RULE"},
    {"same-stage.yaml", 7, 19, "a transition must lead to another stage"},
    {"arms-and-disarms.yaml", 7, 5, "a transition cannot both arm and disarm"},
    {"expr-syntax.yaml", 7, 35,
     "expected a score name, an integer, identified, not or `(`, got \">\""},
    {"expr-not-condition.yaml", 7, 28,
     "when needs a condition, but this is a number"},
    {"expr-unknown-name.yaml", 7, 15,
     "unknown name \"scor\" in the condition"},
    {"expr-chained.yaml", 7, 25, "comparisons cannot be chained"},
    {"expr-quoted.yaml", 7, 37, "\"=\" is `=` (write == to compare)"},
    {"expr-type.yaml", 7, 30, "and combines conditions, but this is a number"},
    {"expr-nested.yaml", 7, 79, "the condition is nested too deeply"},
    {"expr-unclosed.yaml", 7, 40,
     "expected `)` to close the `(`, got the end"},
    {"no-initial-stage.yaml", 5, 9, "no stage has initial: true"},
    {"two-initial-stages.yaml", 7, 15,
     "stage \"b\": a second initial stage (stage \"a\" is initial too)"},
    {"duplicate-stage.yaml", 7, 12, "two stages are named \"a\""},
    {"unknown-cadence.yaml", 6, 39,
     "stage \"a\": unknown cadence \"calls\" (cadences: call)"},
    {"unused-cadence.yaml", 7, 11,
     "cadence \"calls\" is not used by any stage"},
    {"step-day-zero.yaml", 10, 15, "day must be between 1 and 36500, got \"0\""},
    {"step-order.yaml", 11, 9,
     "step on day 2 comes after a step on day 5; list the steps in day order"},
    {"recent-unknown-rule.yaml", 7, 39,
     "rule \"b\": recent: rule \"c\" is not the id of a rule"},
    {"recent-two-kinds.yaml", 7, 52,
     "recent looks back for one thing: visit_start, on or rule, not two"},
    {"visit-page-no-visits.yaml", 6, 31,
     "visit_page needs a `visits:` section"},
    {"visit-page-wrong-type.yaml", 7, 28,
     "visit_page only applies to visit events; the rule needs `on: "
     "page_view`"},
    {"not-a-mapping.yaml", 2, 1,
     "expected a mapping at the top level (starting with `leadscore: 1`), "
     "got a list"},
    {"empty.yaml", 1, 1, "the model is empty"},
    {"two-documents.yaml", 6, 1, "a second YAML document"},
    {"invalid-utf8.yaml", 1, 31, "invalid text: invalid leading UTF-8 octet"},
    {"missing-points.yaml", 6, 5,
     "rule is missing the required key \"points\""},
    {"empty-in.yaml", 6, 32, "in needs a non-empty list of strings"},
    {"once-per-bad.yaml", 6, 34,
     "expected once_per: a duration like 7d or 12h, visit, or person; got "
     "\"week\""},
    {"label-lang.yaml", 6, 42,
     "unknown key \"fr\" in label (expected one of: en, ja)"},
    {"present-false.yaml", 6, 52, "present: false is not a test"},
    {"bad-number.yaml", 6, 43,
     "expected a number like 10, -2.5 or 1e6 for gt, got \"ten\""},
    {"non-scalar-key.yaml", 6, 6, "expected a plain key in rule, got a list"},
    {"rules-not-a-list.yaml", 5, 8, "expected a list of rules"},
    {"duplicate-type.yaml", 6, 31, "event type \"open\" is listed twice"},
    {"decay-no-every.yaml", 6, 12,
     "decay is missing the required key \"every\""},
    {"missing-stages.yaml", 2, 1,
     "the top level is missing the required key \"stages\""},
    {"null-name.yaml", 3, 6, "expected a string for name, got nothing"},
    {"points-range.yaml", 6, 21,
     "points must be between -1000000000 and 1000000000"},
    {"bad-type.yaml", 6, 17,
     "expected a string for an event type, got a mapping"},
    {"cap-too-small.yaml", 6, 31,
     "rule \"a\": cap points (3) are fewer than the rule's points (5): it would never give any"},
    {"cap-negative.yaml", 6, 32, "cap applies to rules that give points (points > 0)"},
    {"cap-too-many.yaml", 6, 31,
     "the cap allows 100 firings per period; at most 64 can be tracked"},
    {"cap-no-per.yaml", 6, 36, "is missing the required key \"per\""},
    {"min-above-max.yaml", 5, 5, "score \"score\": min (10) is above max (5)"},
    {"initial-above-max.yaml", 5, 5, "initial (50) is outside min..max"},
    {"in-stages-unknown.yaml", 6, 43,
     "rule \"a\": in_stages: unknown stage \"custmer\" (stages: customer)"},
    {"formula-self.yaml", 6, 27,
     "score \"lead\": the formula uses score \"lead\", itself"},
    {"formula-later.yaml", 5, 24,
     "score \"x\": the formula uses score \"y\", a formula score declared after "},
    {"formula-decay.yaml", 6, 36,
     "score \"lead\": a formula score is computed from other scores; it has no"},
    {"formula-condition.yaml", 6, 28,
     "score \"lead\": formula needs a number, but this is a condition (and, or"},
    {"rule-on-formula.yaml", 6, 38,
     "rule \"r\": score \"lead\" is a formula: rules give points to the scores i"},
    {"grade-no-catch-all.yaml", 6, 38,
     "grade 1: one band needs no at_least: the label of every score below th"},
    {"grade-label.yaml", 6, 61,
     "grade 1: a band label is 1 to 16 letters, digits, _, + or -, not start"},
    {"grade-name-taken.yaml", 6, 12,
     "grade 1: \"fit\" already names a score"},
    {"matrix-same-grade.yaml", 6, 44,
     "matrix: rows and columns must be two different grades"},
    {"cell-unknown.yaml", 9, 42,
     "transition s -> t: \"B1\" is not a cell of the matrix (a row label, then"},
    {"fit-id-taken.yaml", 6, 12,
     "fit rule 1: the rule at line 5 has the id \"size\" already"},
    {"fit-default-not-last.yaml", 6, 53,
     "fit rule \"ind\": a row after the default row (the one without a test) c"},
    {"fit-no-attr.yaml", 6, 5,
     "fit rule 1: fit rule is missing the required key \"attr\""},
    {"fit-row-two-tests.yaml", 6, 42,
     "fit rule \"ind\": a row has one test, but this one has both gte and lt ("},
    {"sequence-with-on.yaml", 6, 20,
     "rule \"j\": a sequence rule has no on: or if: of its own (the steps say "},
    {"sequence-no-within.yaml", 6, 13,
     "rule \"j\": a sequence needs within: DURATION (the time from the first s"},
    {"sequence-one-step.yaml", 6, 23,
     "rule \"j\": a sequence has 2 to 16 steps"},
    {"within-alone.yaml", 6, 20,
     "rule \"j\": within: goes with sequence:"},
    {"half-life-bands.yaml", 5, 50, "half_life decays on its own clock; it takes no every: or bands:"},
    {"group-unknown-rule.yaml", 6, 31,
     "group \"g\": \"b\" is not the id of a rule"},
    {"group-twice.yaml", 8, 23,
     "group \"h\": rule \"a\" is in group \"g\" already (a rule has one group)"},
    {"window-steps.yaml", 5, 25, "the window's length must be 1 to 64 steps (a multiple of step)"},
    {"window-decay.yaml", 5, 17, "a window is how the score forgets: it takes no decay and no min"},
    {"category-fit.yaml", 9, 12, "score \"product\" is a category score (by:): fit points are "
                                 "who the person is"},
    {"category-formula.yaml", 6, 31, "a formula score cannot be a category score (by:)"},
    {"category-initial.yaml", 5, 34, "a category score has no initial: each category starts at 0"},
    {"category-keep-alone.yaml", 5, 19, "keep: is for category scores (by: PROP)"},
    {"category-keep-range.yaml", 5, 40, "keep must be between 1 and 64, got \"65\""},
    {"category-window.yaml", 5, 34, "a category score cannot have a window (yet): use decay"},
    /* the inside-sales workflow */
    {"owner-unknown-team.yaml", 8, 18,
     "owners: rule 1: unknown team \"north\" (teams: east, west)"},
    {"owner-team-and-owner.yaml", 8, 59,
     "owners: rule 1: an owner rule gives either team: or owner:, not both"},
    {"owner-no-target.yaml", 8, 7,
     "owners: rule 1: an owner rule needs team: TEAM or owner: NAME"},
    {"owner-after-default.yaml", 9, 7,
     "owners: rule 2: a rule after the default rule (the one without if:) could never "
     "match; put the default rule last"},
    {"owner-prop.yaml", 7, 18,
     "owners: rule 1: an owner rule reads the person's attributes: write attr: KEY, not prop:"},
    {"team-no-members.yaml", 7, 33, "owners: team 1: a team needs at least one member"},
    {"team-duplicate.yaml", 9, 14, "owners: team 2: two teams are named \"east\""},
    {"team-member-twice.yaml", 7, 48, "owners: team 1: member \"sato\" is listed twice"},
    {"team-member-empty.yaml", 7, 40, "owners: team 1: member must not be empty"},
    {"cadence-choice-not-last.yaml", 8, 15,
     "stage \"b\": only the last choice may leave out when: (a choice without it always "
     "holds: the ones after it could never be started)"},
    {"cadence-choice-unknown.yaml", 8, 40,
     "stage \"b\": unknown cadence \"call\" (cadences: calls)"},
    {"cadence-choice-empty.yaml", 7, 24,
     "stage \"b\": cadence needs at least one choice ({when: CONDITION, use: CADENCE}); "
     "leave cadence: out for no cadence"},
    {"route-outside-choice.yaml", 7, 28,
     "transition a -> b: route can only be tested in a stage's cadence choice"},
    {"route-unknown.yaml", 8, 41,
     "stage \"b\": \"seniorr\" is not a route (the route: of a transition)"},
    {"channel-unknown.yaml", 8, 43,
     "cadence \"calls\": channel must be call, email or task, got \"sms\""},
    {"template-empty.yaml", 8, 44, "cadence \"calls\": template must not be empty"},
    {"sla-zero.yaml", 5, 53, "stage \"hot\": sla must be longer than 0 seconds"},
    {"handoff-unknown-stage.yaml", 7, 10,
     "handoff: stage: unknown stage \"oportunity\" (stages: a, opportunity)"},
    {"handoff-criterion-twice.yaml", 11, 14,
     "handoff: criterion 3: two criteria are named \"need\""},
    {"handoff-min-range.yaml", 8, 8,
     "handoff: min (3) is more than the 2 criteria: the hand-off could never happen"},
    {"handoff-no-criteria.yaml", 6, 41, "handoff: the hand-off needs at least one criterion"},
    {"handoff-label-lang.yaml", 8, 45,
     "handoff: criterion 1: unknown key \"de\" in label (expected one of: en, ja)"},
    {"reasons-unknown-kind.yaml", 8, 3,
     "reasons: unknown key \"lost\" in reasons (expected one of: recycle, disqualify)"},
    {"reasons-twice.yaml", 7, 30, "reasons: reason \"no_fit\" is listed twice in disqualify"},
    {"reasons-empty.yaml", 6, 20,
     "reasons: recycle needs at least one reason (leave it out to accept any)"},
};

static void test_bad(void) {
  size_t nbad = sizeof bad / sizeof bad[0];
  for (size_t i = 0; i < nbad; i++) {
    char path[256];
    snprintf(path, sizeof path, "tests/models/bad/%s", bad[i].file);
    size_t len;
    char *text = read_file(path, &len);
    CHECK(text != NULL);
    if (!text) {
      fprintf(stderr, "cannot read %s\n", path);
      continue;
    }
    ls_model *m = NULL;
    ls_diag d;
    int r = ls_model_load(text, len, &m, &d);
    free(text);
    CHECK_INT(r, LS_EMODEL);
    CHECK(m == NULL);
    bool ok = d.line == bad[i].line && d.col == bad[i].col &&
              strstr(d.msg, bad[i].msg) != NULL;
    CHECK(ok);
    if (!ok)
      fprintf(stderr, "%s: got %u:%u: %s\n   expected %u:%u: ...%s...\n", path,
              d.line, d.col, d.msg, bad[i].line, bad[i].col, bad[i].msg);
    ls_model_destroy(m);
  }
  /* every fixture is in the table */
  DIR *dir = opendir("tests/models/bad");
  CHECK(dir != NULL);
  size_t files = 0;
  for (struct dirent *e; dir && (e = readdir(dir));) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 5, ".yaml")) continue;
    files++;
    size_t i = 0;
    while (i < nbad && strcmp(bad[i].file, e->d_name)) i++;
    CHECK(i < nbad);
    if (i == nbad) fprintf(stderr, "%s is not in the bad[] table\n", e->d_name);
  }
  if (dir) closedir(dir);
  CHECK_INT(files, nbad);
}

int main(void) {
  test_reference();
  test_forms();
  test_bad();
  return ls_test_done();
}
