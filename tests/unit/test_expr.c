/* The condition language (`when:`, `rearm_when:`): parsing, precedence,
 * types and error columns. Conditions are compiled through a small model
 * with scores `a` and `b`; a tiny evaluator runs the compiled tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ls_test.h"
#include "model/ir.h"

#define HEAD                                                        \
  "leadscore: 1\n"                                                  \
  "name: x\n"                                                       \
  "scores: [{name: a}, {name: b}]\n"                                \
  "stages: [{name: s, initial: true}]\n"                            \
  "arming:\n"                                                       \
  "  rearm_when: " /* line 6, the condition starts at column 15 */

static int64_t eval(const ls_model *m, int32_t i, int64_t a, int64_t b,
                    int ident) {
  const ls__expr *e = &m->exprs[i];
  switch (e->op) {
    case LS__X_INT: return e->k;
    case LS__X_SCORE: return e->a == 0 ? a : b;
    case LS__X_IDENTIFIED: return ident;
    case LS__X_NOT: return !eval(m, e->a, a, b, ident);
    case LS__X_AND: return eval(m, e->a, a, b, ident) && eval(m, e->b, a, b, ident);
    case LS__X_OR: return eval(m, e->a, a, b, ident) || eval(m, e->b, a, b, ident);
    case LS__X_ADD: return eval(m, e->a, a, b, ident) + eval(m, e->b, a, b, ident);
    case LS__X_SUB: return eval(m, e->a, a, b, ident) - eval(m, e->b, a, b, ident);
    case LS__X_MUL: return eval(m, e->a, a, b, ident) * eval(m, e->b, a, b, ident);
    case LS__X_STAGE_EQ: return e->k == 0; /* the test person is in stage s */
    default: {
      int64_t x = eval(m, e->a, a, b, ident), y = eval(m, e->b, a, b, ident);
      switch (e->cmp) {
        case LS__LT: return x < y;
        case LS__LE: return x <= y;
        case LS__GT: return x > y;
        case LS__GE: return x >= y;
        case LS__EQ: return x == y;
        default: return x != y;
      }
    }
  }
}

static ls_model *compile(const char *cond, ls_diag *d) {
  char text[4096];
  snprintf(text, sizeof text, "%s%s\n", HEAD, cond);
  ls_model *m = NULL;
  if (ls_model_load(text, strlen(text), &m, d) != LS_OK) return NULL;
  return m;
}

/* A reference for each condition below, as C. */
typedef int64_t (*ref_fn)(int64_t a, int64_t b, int ident);
static int64_t r1(int64_t a, int64_t b, int i) { (void)b; (void)i; return a < 65; }
static int64_t r2(int64_t a, int64_t b, int i) { (void)i; return a >= 10 && b <= -3; }
static int64_t r3(int64_t a, int64_t b, int i) { return a == 1 || (b != 2 && i); }
static int64_t r4(int64_t a, int64_t b, int i) { return (a == 1 || b != 2) && i; }
static int64_t r5(int64_t a, int64_t b, int i) { (void)b; return !(a > 0) || !i; }
static int64_t r6(int64_t a, int64_t b, int i) { (void)i; return !!(a >= b); }
static int64_t r7(int64_t a, int64_t b, int i) { return !(a < 5 && (b > 5 || i)); }
static int64_t r8(int64_t a, int64_t b, int i) { (void)a; (void)b; return i; }
static int64_t r9(int64_t a, int64_t b, int i) { (void)b; return (!i) && a > -5; }
static int64_t r10(int64_t a, int64_t b, int i) { return a > 1 || b > 1 || i; }
static int64_t r11(int64_t a, int64_t b, int i) { (void)a; (void)b; (void)i; return 3 < 4; }
static int64_t r12(int64_t a, int64_t b, int i) { (void)i; return a + 2 * b >= 10; }
static int64_t r13(int64_t a, int64_t b, int i) { (void)i; return a - b - 1 < -a * b; }
static int64_t r14(int64_t a, int64_t b, int i) { (void)i; return -(a + b) * 2 > -5; }
static int64_t r15(int64_t a, int64_t b, int i) { (void)a; (void)b; return i; }
static int64_t r16(int64_t a, int64_t b, int i) { (void)a; (void)b; return !i; }

static void test_eval(void) {
  static const struct {
    const char *cond;
    ref_fn ref;
    int nodes; /* nodes the condition compiles to */
  } cases[] = {
      {"a < 65", r1, 3},
      {"a >= 10 and b <= -3", r2, 7},
      {"a == 1 or b != 2 and identified", r3, 9},   /* and binds tighter */
      {"(a == 1 or b != 2) and identified", r4, 9},
      {"not a > 0 or not identified", r5, 7},       /* not (a > 0) */
      {"not not (a>=b)", r6, 5},
      {"not (a < 5 and (b > 5 or identified))", r7, 10},
      {"identified", r8, 1},
      {"'not identified and a > -5'", r9, 6},
      {"\"a > 1 or b > 1 or identified\"", r10, 9},
      {"3 < 4", r11, 3},
      {"a + 2 * b >= 10", r12, 7},      /* * binds tighter than + */
      {"a - b - 1 < -a * b", r13, 11},  /* left-associative; unary minus */
      {"-(a + b) * 2 > -5", r14, 9},    /* -x is 0 - x; -5 a literal */
      {"stage == s and identified", r15, 3},
      {"stage != s or stage in [s] and not identified", r16, 7},
  };
  static const int64_t vals[] = {-10, -5, -3, 0, 1, 2, 4, 5, 6, 10, 64, 65, 66};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    ls_diag d;
    ls_model *m = compile(cases[c].cond, &d);
    CHECK(m != NULL);
    if (!m) {
      fprintf(stderr, "%s: %u:%u: %s\n", cases[c].cond, d.line, d.col, d.msg);
      continue;
    }
    CHECK_INT(m->nexprs, cases[c].nodes);
    CHECK(m->rearm_when >= 0);
    int bad = 0;
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
      for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++)
        for (int id = 0; id < 2; id++)
          if (eval(m, m->rearm_when, vals[i], vals[j], id) !=
              cases[c].ref(vals[i], vals[j], id))
            bad++;
    CHECK_INT(bad, 0);
    if (bad) fprintf(stderr, "  condition %s\n", cases[c].cond);
    ls_model_destroy(m);
  }

  /* the tree shape of one condition */
  ls_diag d;
  ls_model *m = compile("a >= -7 or identified", &d);
  CHECK(m != NULL);
  if (m) {
    const ls__expr *root = &m->exprs[m->rearm_when];
    CHECK_INT(root->op, LS__X_OR);
    const ls__expr *cmp = &m->exprs[root->a];
    CHECK_INT(cmp->op, LS__X_CMP);
    CHECK_INT(cmp->cmp, LS__GE);
    CHECK_INT(m->exprs[cmp->a].op, LS__X_SCORE);
    CHECK_INT(m->exprs[cmp->a].a, 0);
    CHECK_INT(m->exprs[cmp->b].op, LS__X_INT);
    CHECK_INT(m->exprs[cmp->b].k, -7);
    CHECK_INT(m->exprs[root->b].op, LS__X_IDENTIFIED);
    char *s = ls_model_summary(m);
    CHECK(s && strstr(s, "re-armed when a >= -7 or identified\n"));
    free(s);
    ls_model_destroy(m);
  }
  /* the summary prints what re-reads to the same tree */
  m = compile("not (a < 5 and (b > 5 or identified)) or a == 1 and (b == 2 or b == 3)", &d);
  CHECK(m != NULL);
  if (m) {
    char *s = ls_model_summary(m);
    CHECK(s && strstr(s, "re-armed when not (a < 5 and (b > 5 or identified)) "
                         "or a == 1 and (b == 2 or b == 3)\n"));
    free(s);
    ls_model_destroy(m);
  }
  m = compile("(a + b) * (2 - b) >= a - (b - 1) and stage in [s]", &d);
  CHECK(m != NULL);
  if (m) {
    char *s = ls_model_summary(m);
    CHECK(s && strstr(s, "re-armed when (a + b) * (2 - b) >= a - (b - 1) and stage == s\n"));
    if (s && !strstr(s, "(a + b) * (2 - b) >= a - (b - 1)")) fprintf(stderr, "%s", s);
    free(s);
    ls_model_destroy(m);
  }
}

static void test_errors(void) {
  static const struct {
    const char *cond;
    unsigned col;
    const char *msg;
  } cases[] = {
      {"a", 15, "rearm_when needs a condition, but this is a number"},
      {"65", 15, "rearm_when needs a condition, but this is a number"},
      {"(a)", 15, "rearm_when needs a condition"},
      {"a < ", 18, "expected a score name, an integer, identified, not or `(`, got the end"},
      {"a <", 18, "got the end"},
      {"c < 5", 15, "unknown name \"c\" in the condition"},
      {"a < 5 and score > 1", 25, "unknown name \"score\""},
      {"a = 5", 17, "\"=\" is `=` (write == to compare)"},
      {"a > 5 && b > 5", 21, "\"&&\" is `&` (write and)"},
      {"a > 5 || b > 5", 21, "\"||\" is `|` (write or)"},
      {"!identified", 15, "YAML tags (!identified) are not supported"},
      {"'!identified'", 16, "\"!\" is `!` (write not)"},
      {"a > 5 ; b", 21, "an unexpected character"},
      {"a < b < 5", 21, "comparisons cannot be chained"},
      {"identified < 5", 15, "its left side is a condition"},
      {"a < identified", 19, "its right side is a condition"},
      {"not a", 19, "not needs a condition, but this is a number"},
      {"a and identified", 15, "and combines conditions, but this is a number"},
      {"identified or b", 29, "or combines conditions, but this is a number"},
      {"(a < 5", 21, "expected `)` to close the `(`, got the end"},
      {"a < 5)", 20, "unexpected \")\" after the condition"},
      {"a < 5 identified", 21, "unexpected \"identified\" after the condition"},
      {"a < 12x", 19, "\"12x\" is a number followed by letters"},
      {"a < 99999999999999999999", 19, "is an integer too large"},
      {"a < 5 -", 22, "expected a score name, an integer, identified, not or `(`, got the end"},
      {"a + identified > 1", 19, "`+` needs numbers, but this is a condition"},
      {"-identified", 15, "`-` needs a number, but this is a condition"},
      {"stage == x", 24, "\"x\" is not a stage name"},
      {"stage in [s", 26, "expected `,` or `]` in the list, got the end"},
      {"stage in s", 24, "expected `[` to start the list after in"},
      {"stage < s", 21, "expected ==, != or in after stage"},
      {"stage", 20, "expected ==, != or in after stage, got the end"},
      {"\"a < 5 and  b\"", 27, "and combines conditions"}, /* quote + 11 */
      {"'a ≥ 5'", 18, "is an unexpected character"}, /* a UTF-8 character */
      {"[a < 5]", 15, "expected a condition like `score >= 65` for rearm_when, got a list"},
      {"", 0, "expected a condition like `score >= 65` for rearm_when, got nothing"},
      {"\"\"", 15, "expected a condition like `score >= 65` for rearm_when"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    ls_diag d;
    ls_model *m = compile(cases[c].cond, &d);
    CHECK(m == NULL);
    ls_model_destroy(m);
    unsigned col = cases[c].col;
    bool ok = d.line == 6 && (col == 0 || d.col == col) &&
              strstr(d.msg, cases[c].msg) != NULL;
    CHECK(ok);
    if (!ok)
      fprintf(stderr, "  %s: got %u:%u: %s\n  expected 6:%u: ...%s...\n",
              cases[c].cond, d.line, d.col, d.msg, col, cases[c].msg);
  }
  /* nesting: 64 levels are fine, 65 are not */
  char deep[400];
  memset(deep, '(', 64);
  memcpy(deep + 64, "identified", 10);
  memset(deep + 74, ')', 64);
  deep[138] = 0;
  ls_diag d;
  ls_model *m = compile(deep, &d);
  CHECK(m != NULL);
  ls_model_destroy(m);
  char nots[400] = "";
  for (int i = 0; i < 65; i++) strcat(nots, "not ");
  strcat(nots, "identified");
  m = compile(nots, &d);
  CHECK(m == NULL);
  CHECK_INT(d.col, 15 + 64 * 4);
  CHECK(strstr(d.msg, "nested too deeply") != NULL);
  /* a long chain is bounded too */
  char chain[8192] = "identified";
  for (int i = 0; i < 300; i++) strcat(chain, " or identified");
  m = compile(chain, &d);
  CHECK(m == NULL);
  CHECK(strstr(d.msg, "the condition is too long") != NULL);
  /* transition `when:` errors carry the transition */
  const char *text =
      "leadscore: 1\nname: x\nscores: [{name: a}]\n"
      "stages: [{name: s, initial: true}, {name: t}]\n"
      "transitions:\n  - {from: s, to: t, when: a >= 65 and}\n";
  m = NULL;
  CHECK_INT(ls_model_load(text, strlen(text), &m, &d), LS_EMODEL);
  CHECK_INT(d.line, 6);
  CHECK_INT(d.col, 39);
  CHECK(strstr(d.msg, "transition s -> t: expected a score name") == d.msg);
}

int main(void) {
  test_eval();
  test_errors();
  return ls_test_done();
}
