/* The condition language of `when:` and `rearm_when:`, and the integer
 * formulas of formula scores.
 *
 *   cond  := and ('or' and)*
 *   and   := not ('and' not)*
 *   not   := 'not' not | cmp
 *   cmp   := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *          | CATEGORY ('==' | '!=') LABEL
 *          | CATEGORY 'in' '[' LABEL (',' LABEL)* ']'
 *   sum   := term (('+' | '-') term)*
 *   term  := unary ('*' unary)*
 *   unary := '-' unary | value
 *   value := INTEGER | SCORE_NAME | 'identified' | '(' cond ')'
 *
 * CATEGORY is `stage` (LABEL: a stage name), a grade's name (LABEL: one
 * of its band labels), the matrix's (LABEL: a cell) or, in a cadence choice
 * only, `route` (LABEL: a transition's route). Values are integers (literals, scores, arithmetic)
 * or conditions (comparisons, category tests, `identified`, and/or/not);
 * comparisons and arithmetic take integers, and/or/not take conditions.
 * `not` applies to the comparison after it (`not score < 65` is
 * `not (score < 65)`), the only reading that type-checks. Compiled into
 * m->exprs (ls__expr nodes). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "load_internal.h"

#define MAX_DEPTH 64
#define MAX_NODES (1u << 20) /* in all conditions of a model */
#define MAX_EXPR_NODES 512   /* in one condition: bounds the tree depth */

typedef enum xtype { XT_INT, XT_BOOL } xtype;

typedef enum tkind {
  T_END, T_INT, T_NAME, T_LPAREN, T_RPAREN, T_CMP, T_AND, T_OR, T_NOT,
  T_IDENTIFIED, T_PLUS, T_MINUS, T_STAR, T_IN, T_LBRACK, T_RBRACK, T_COMMA, T_BAD
} tkind;

typedef struct token {
  tkind kind;
  size_t pos, len;
  uint8_t cmp;
  int64_t k;
  const char *bad; /* T_BAD: what is wrong */
} token;

typedef struct xp {
  ls__lctx *c;
  const ls__ynode *n;
  const char *s;
  size_t len, pos;
  int depth;
  size_t first_node; /* m->nexprs when this condition started */
  bool allow_categories; /* stage and grades (not in formulas) */
  bool allow_route;      /* `route` (cadence choices) */
  token tok; /* the current (peeked) token */
} xp;

static bool is_alpha(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}
static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* Reads the token at x->pos into x->tok (does not consume it). */
static void lex(xp *x) {
  const char *s = x->s;
  size_t i = x->pos;
  while (i < x->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
                        s[i] == '\r'))
    i++;
  token t = {T_BAD, i, 1, 0, 0, NULL};
  if (i == x->len) {
    t.kind = T_END;
    t.len = 0;
  } else if (is_digit(s[i])) {
    size_t j = i;
    uint64_t v = 0;
    bool big = false;
    for (; j < x->len && is_digit(s[j]); j++) {
      if (v > UINT64_C(100000000000000000)) big = true;
      else v = v * 10 + (uint64_t)(s[j] - '0');
    }
    t.len = j - i;
    if (j < x->len && is_alpha(s[j])) {
      t.bad = "a number followed by letters";
      while (j < x->len && (is_alpha(s[j]) || is_digit(s[j]))) j++;
      t.len = j - i;
    } else if (big) {
      t.bad = "an integer too large";
    } else {
      t.kind = T_INT;
      t.k = (int64_t)v;
    }
  } else if (is_alpha(s[i])) {
    size_t j = i;
    while (j < x->len && (is_alpha(s[j]) || is_digit(s[j]))) j++;
    t.len = j - i;
    t.kind = T_NAME;
    if (t.len == 3 && !memcmp(s + i, "and", 3)) t.kind = T_AND;
    if (t.len == 2 && !memcmp(s + i, "or", 2)) t.kind = T_OR;
    if (t.len == 3 && !memcmp(s + i, "not", 3)) t.kind = T_NOT;
    if (t.len == 10 && !memcmp(s + i, "identified", 10)) t.kind = T_IDENTIFIED;
    if (t.len == 2 && !memcmp(s + i, "in", 2)) t.kind = T_IN;
  } else {
    char a = s[i], b = i + 1 < x->len ? s[i + 1] : 0;
    t.kind = T_CMP;
    if (a == '<' && b == '=') t.cmp = LS__LE, t.len = 2;
    else if (a == '>' && b == '=') t.cmp = LS__GE, t.len = 2;
    else if (a == '=' && b == '=') t.cmp = LS__EQ, t.len = 2;
    else if (a == '!' && b == '=') t.cmp = LS__NE, t.len = 2;
    else if (a == '<') t.cmp = LS__LT;
    else if (a == '>') t.cmp = LS__GT;
    else {
      t.kind = T_BAD;
      if (a == '(') t.kind = T_LPAREN;
      else if (a == ')') t.kind = T_RPAREN;
      else if (a == '+') t.kind = T_PLUS;
      else if (a == '-') t.kind = T_MINUS;
      else if (a == '*') t.kind = T_STAR;
      else if (a == '[') t.kind = T_LBRACK;
      else if (a == ']') t.kind = T_RBRACK;
      else if (a == ',') t.kind = T_COMMA;
      else if (a == '=') t.bad = "`=` (write == to compare)";
      else if (a == '!') t.bad = "`!` (write not)";
      else if (a == '&') t.bad = "`&` (write and)", t.len = b == '&' ? 2 : 1;
      else if (a == '|') t.bad = "`|` (write or)", t.len = b == '|' ? 2 : 1;
      else {
        t.bad = "an unexpected character";
        if ((unsigned char)a >= 0xC0) /* the whole UTF-8 character */
          while (i + t.len < x->len &&
                 ((unsigned char)s[i + t.len] & 0xC0) == 0x80)
            t.len++;
      }
    }
  }
  x->tok = t;
}

static void advance(xp *x) {
  x->pos = x->tok.pos + x->tok.len;
  lex(x);
}

/* Reports an error at byte `pos` of the expression: the scalar's position
 * plus the characters before `pos` (and the opening quote). */
static int xerr(xp *x, size_t pos, const char *fmt, ...) LS__PRINTF(3, 4);
static int xerr(xp *x, size_t pos, const char *fmt, ...) {
  const ls__ynode *n = x->n;
  unsigned col = n->col;
  if (n->style == LS__YS_SQUOTE || n->style == LS__YS_DQUOTE) col++;
  if (n->style != LS__YS_BLOCK)
    for (size_t i = 0; i < pos && i < x->len; i++)
      if (((unsigned char)x->s[i] & 0xC0) != 0x80) col++;
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ls__lerr_at(x->c, n->line, col, "%s", msg);
}

/* The current token's text, for messages. */
static const char *tok_text(xp *x, char *buf, size_t size) {
  if (x->tok.kind == T_END) return "the end";
  char tmp[48];
  snprintf(buf, size, "\"%s\"",
           ls__show(tmp, sizeof tmp, x->s + x->tok.pos, x->tok.len));
  return buf;
}

static int node(xp *x, uint8_t op, uint8_t cmp, int32_t a, int32_t b,
                int64_t k, int32_t *out) {
  ls_model *m = x->c->m;
  if (m->nexprs >= MAX_NODES || m->nexprs - x->first_node >= MAX_EXPR_NODES)
    return xerr(x, x->tok.pos, "the condition is too long (at most %u "
                "operators and values)", MAX_EXPR_NODES);
  if (ls__grow((void **)&m->exprs, &x->c->exprs_cap, m->nexprs + 1,
                sizeof *m->exprs))
    return ls__oom(x->c);
  ls__expr *e = &m->exprs[m->nexprs];
  e->op = op;
  e->cmp = cmp;
  e->a = a;
  e->b = b;
  e->k = k;
  *out = (int32_t)m->nexprs++;
  return LS_OK;
}

static int parse_or(xp *x, int32_t *out, xtype *ty);

/* Reports the current token, which lex() found invalid (`=`, `&&`, ...). */
static int bad_token(xp *x) {
  char buf[64], tmp[48];
  snprintf(buf, sizeof buf, "\"%s\"",
           ls__show(tmp, sizeof tmp, x->s + x->tok.pos, x->tok.len));
  return xerr(x, x->tok.pos, "%s is %s in the condition", buf, x->tok.bad);
}

static int parse_value(xp *x, int32_t *out, xtype *ty) {
  char buf[64];
  token t = x->tok;
  switch (t.kind) {
    case T_INT:
      advance(x);
      *ty = XT_INT;
      return node(x, LS__X_INT, 0, -1, -1, t.k, out);
    case T_IDENTIFIED:
      advance(x);
      *ty = XT_BOOL;
      return node(x, LS__X_IDENTIFIED, 0, -1, -1, 0, out);
    case T_NAME: {
      int s = ls__find_score(x->c->m, x->s + t.pos, t.len);
      if (s < 0 && t.len == 5 && !memcmp(x->s + t.pos, "route", 5))
        return xerr(x, t.pos, "route can only be tested in a stage's cadence "
                    "choice (cadence: [{when: ..., use: ...}])");
      if (s < 0) {
        char tmp[48];
        snprintf(buf, sizeof buf, "\"%s\"",
                 ls__show(tmp, sizeof tmp, x->s + t.pos, t.len));
        return xerr(x, t.pos, "unknown name %s in the condition (expected "
                    "a score name, identified, and, or, not)", buf);
      }
      advance(x);
      *ty = XT_INT;
      return node(x, LS__X_SCORE, 0, s, -1, 0, out);
    }
    case T_LPAREN: {
      if (++x->depth > MAX_DEPTH)
        return xerr(x, t.pos, "the condition is nested too deeply");
      advance(x);
      int r = parse_or(x, out, ty);
      if (r) return r;
      if (x->tok.kind != T_RPAREN)
        return xerr(x, x->tok.pos, "expected `)` to close the `(`, got %s",
                    tok_text(x, buf, sizeof buf));
      x->depth--;
      advance(x);
      return LS_OK;
    }
    case T_BAD:
      if (t.bad) return bad_token(x);
      /* fallthrough */
    default:
      return xerr(x, t.pos, "expected a score name, an integer, identified, "
                  "not or `(`, got %s", tok_text(x, buf, sizeof buf));
  }
}

static int parse_unary(xp *x, int32_t *out, xtype *ty) {
  if (x->tok.kind != T_MINUS) return parse_value(x, out, ty);
  size_t pos = x->tok.pos;
  if (++x->depth > MAX_DEPTH) return xerr(x, pos, "the condition is nested too deeply");
  advance(x);
  int32_t a;
  int r = parse_unary(x, &a, ty);
  if (r) return r;
  x->depth--;
  if (*ty != XT_INT) return xerr(x, pos, "`-` needs a number, but this is a condition");
  ls__expr *e = &x->c->m->exprs[a];
  if (e->op == LS__X_INT) { /* a literal: -5 */
    e->k = -e->k;
    *out = a;
    return LS_OK;
  }
  int32_t zero;
  if ((r = node(x, LS__X_INT, 0, -1, -1, 0, &zero))) return r;
  return node(x, LS__X_SUB, 0, zero, a, 0, out);
}

/* Left-associative chains of arithmetic operators over integers. */
static int parse_arith(xp *x, bool sum, int32_t *out, xtype *ty) {
  size_t pos = x->tok.pos;
  int r = sum ? parse_arith(x, false, out, ty) : parse_unary(x, out, ty);
  if (r) return r;
  for (;;) {
    tkind k = x->tok.kind;
    if (sum ? k != T_PLUS && k != T_MINUS : k != T_STAR) return LS_OK;
    const char *name = k == T_PLUS ? "+" : k == T_MINUS ? "-" : "*";
    if (*ty != XT_INT)
      return xerr(x, pos, "`%s` needs numbers, but this is a condition", name);
    advance(x);
    pos = x->tok.pos;
    int32_t b;
    if ((r = sum ? parse_arith(x, false, &b, ty) : parse_unary(x, &b, ty))) return r;
    if (*ty != XT_INT)
      return xerr(x, pos, "`%s` needs numbers, but this is a condition", name);
    uint8_t op = k == T_PLUS ? LS__X_ADD : k == T_MINUS ? LS__X_SUB : LS__X_MUL;
    if ((r = node(x, op, 0, *out, b, 0, out))) return r;
  }
}

/* A category (stage, a grade, the matrix or the route) named by the
 * current token: *grade is the grade index, -1 for stage, -2 for the
 * matrix, -3 for the route; false when the name is not a category. */
static bool category(xp *x, int32_t *grade) {
  const ls_model *m = x->c->m;
  const char *s = x->s + x->tok.pos;
  size_t n = x->tok.len;
  if (x->tok.kind != T_NAME) return false;
  if (n == 5 && !memcmp(s, "stage", 5) && m->nstages > 0) {
    *grade = -1;
    return true;
  }
  if (n == 5 && !memcmp(s, "route", 5) && x->allow_route) {
    *grade = -3;
    return true;
  }
  for (size_t g = 0; g < m->ngrades; g++)
    if (strlen(m->grades[g].name) == n && !memcmp(m->grades[g].name, s, n)) {
      *grade = (int32_t)g;
      return true;
    }
  if (m->matrix_name && strlen(m->matrix_name) == n && !memcmp(m->matrix_name, s, n)) {
    *grade = -2;
    return true;
  }
  return false;
}

/* Band of grade g labelled s[0..n), or -1. */
static int band_of(const ls__grade *g, const char *s, size_t n) {
  for (size_t i = 0; i < g->nbands; i++)
    if (strlen(g->bands[i].label) == n && !memcmp(g->bands[i].label, s, n)) return (int)i;
  return -1;
}

/* A matrix cell label (row label then column label) as two grade tests. */
static int cell_label(xp *x, int32_t *out) {
  const ls_model *m = x->c->m;
  const ls__grade *rows = &m->grades[m->matrix_rows], *cols = &m->grades[m->matrix_cols];
  token t = x->tok;
  const char *s = x->s + t.pos;
  int fr = -1, fc = -1, found = 0;
  for (size_t k = 1; k < t.len && (t.kind == T_NAME || t.kind == T_INT); k++) {
    int r = band_of(rows, s, k), c = band_of(cols, s + k, t.len - k);
    if (r >= 0 && c >= 0) fr = r, fc = c, found++;
  }
  char buf[64], tmp[48];
  snprintf(buf, sizeof buf, "\"%s\"", ls__show(tmp, sizeof tmp, s, t.len));
  if (t.kind == T_END) snprintf(buf, sizeof buf, "the end");
  if (found != 1)
    return xerr(x, t.pos, "%s is %s", buf, found ? "ambiguous: the row and column labels "
                "can split it two ways" : "not a cell of the matrix (a row label, then a column label)");
  advance(x);
  int32_t a, b;
  int r = node(x, LS__X_GRADE_EQ, 0, m->matrix_rows, -1, fr, &a);
  if (!r) r = node(x, LS__X_GRADE_EQ, 0, m->matrix_cols, -1, fc, &b);
  return r ? r : node(x, LS__X_AND, 0, a, b, 0, out);
}

/* One label of category `grade` (-1: stage) as an equality node. */
static int category_label(xp *x, int32_t grade, int32_t *out) {
  const ls_model *m = x->c->m;
  if (grade == -2) return cell_label(x, out);
  char buf[64], tmp[48];
  token t = x->tok;
  const char *s = x->s + t.pos;
  if ((t.kind == T_NAME || t.kind == T_INT) && grade == -3) {
    for (size_t i = 0; i < m->nroutes; i++)
      if (strlen(m->routes[i]) == t.len && !memcmp(m->routes[i], s, t.len)) {
        advance(x);
        return node(x, LS__X_ROUTE_EQ, 0, -1, -1, (int64_t)i, out);
      }
  } else if (t.kind == T_NAME || t.kind == T_INT) {
    if (grade < 0) {
      for (size_t i = 0; i < m->nstages; i++)
        if (strlen(m->stages[i].name) == t.len && !memcmp(m->stages[i].name, s, t.len)) {
          advance(x);
          return node(x, LS__X_STAGE_EQ, 0, -1, -1, (int64_t)i, out);
        }
    } else {
      int b = band_of(&m->grades[grade], s, t.len);
      if (b >= 0) {
        advance(x);
        return node(x, LS__X_GRADE_EQ, 0, grade, -1, b, out);
      }
    }
  }
  snprintf(buf, sizeof buf, "\"%s\"", ls__show(tmp, sizeof tmp, s, t.len));
  if (t.kind == T_END) snprintf(buf, sizeof buf, "the end");
  return xerr(x, t.pos, "%s is not %s", buf,
              grade == -3 ? "a route (the route: of a transition)"
              : grade < 0 ? "a stage name" : "a label of this grade");
}

/* stage == hot, grade in [A, B], ... */
static int parse_category(xp *x, int32_t grade, int32_t *out) {
  char buf[64];
  advance(x);
  token op = x->tok;
  int r;
  if (op.kind == T_CMP && (op.cmp == LS__EQ || op.cmp == LS__NE)) {
    advance(x);
    if ((r = category_label(x, grade, out))) return r;
    return op.cmp == LS__NE ? node(x, LS__X_NOT, 0, *out, -1, 0, out) : LS_OK;
  }
  if (op.kind != T_IN)
    return xerr(x, op.pos, "expected ==, != or in after %s, got %s",
                grade == -1 ? "stage" : grade == -3 ? "route"
                : grade == -2 ? x->c->m->matrix_name : x->c->m->grades[grade].name,
                tok_text(x, buf, sizeof buf));
  advance(x);
  if (x->tok.kind != T_LBRACK)
    return xerr(x, x->tok.pos, "expected `[` to start the list after in, got %s",
                tok_text(x, buf, sizeof buf));
  advance(x);
  if ((r = category_label(x, grade, out))) return r;
  while (x->tok.kind == T_COMMA) {
    advance(x);
    int32_t b;
    if ((r = category_label(x, grade, &b)) || (r = node(x, LS__X_OR, 0, *out, b, 0, out)))
      return r;
  }
  if (x->tok.kind != T_RBRACK)
    return xerr(x, x->tok.pos, "expected `,` or `]` in the list, got %s",
                tok_text(x, buf, sizeof buf));
  advance(x);
  return LS_OK;
}

static const char *const type_msg[] = {
    "a number (compare it, e.g. score >= 65)",
    "a condition (and, or, not combine conditions; compare numbers)"};

static int parse_cmp(xp *x, int32_t *out, xtype *ty) {
  char buf[64];
  size_t lpos = x->tok.pos;
  int32_t a, grade;
  if (x->allow_categories && category(x, &grade)) {
    *ty = XT_BOOL;
    return parse_category(x, grade, out);
  }
  int r = parse_arith(x, true, &a, ty);
  if (r) return r;
  if (x->tok.kind == T_BAD && x->tok.bad) return bad_token(x);
  if (x->tok.kind != T_CMP) {
    *out = a;
    return LS_OK;
  }
  token op = x->tok;
  if (*ty != XT_INT)
    return xerr(x, lpos, "a comparison compares numbers, but its left side "
                "is %s", type_msg[1]);
  advance(x);
  size_t rpos = x->tok.pos;
  int32_t b;
  xtype bt;
  if ((r = parse_arith(x, true, &b, &bt))) return r;
  if (x->tok.kind == T_BAD && x->tok.bad) return bad_token(x);
  if (bt != XT_INT)
    return xerr(x, rpos, "a comparison compares numbers, but its right side "
                "is %s", type_msg[1]);
  if (x->tok.kind == T_CMP)
    return xerr(x, x->tok.pos, "comparisons cannot be chained (%s); join two "
                "comparisons with and", tok_text(x, buf, sizeof buf));
  *ty = XT_BOOL;
  return node(x, LS__X_CMP, op.cmp, a, b, 0, out);
}

static int parse_not(xp *x, int32_t *out, xtype *ty) {
  if (x->tok.kind != T_NOT) return parse_cmp(x, out, ty);
  if (++x->depth > MAX_DEPTH)
    return xerr(x, x->tok.pos, "the condition is nested too deeply");
  advance(x);
  size_t pos = x->tok.pos;
  int32_t a;
  int r = parse_not(x, &a, ty);
  if (r) return r;
  x->depth--;
  if (*ty != XT_BOOL)
    return xerr(x, pos, "not needs a condition, but this is %s", type_msg[0]);
  return node(x, LS__X_NOT, 0, a, -1, 0, out);
}

/* and-chains and or-chains: `sub` parses the operands. */
static int parse_chain(xp *x, tkind kw, uint8_t op,
                       int (*sub)(xp *, int32_t *, xtype *), int32_t *out,
                       xtype *ty) {
  size_t pos = x->tok.pos;
  int r = sub(x, out, ty);
  if (r) return r;
  while (x->tok.kind == kw) {
    const char *name = kw == T_AND ? "and" : "or";
    if (*ty != XT_BOOL)
      return xerr(x, pos, "%s combines conditions, but this is %s", name,
                  type_msg[0]);
    advance(x);
    pos = x->tok.pos;
    int32_t b;
    if ((r = sub(x, &b, ty))) return r;
    if (*ty != XT_BOOL)
      return xerr(x, pos, "%s combines conditions, but this is %s", name,
                  type_msg[0]);
    if ((r = node(x, op, 0, *out, b, 0, out))) return r;
  }
  return LS_OK;
}

static int parse_and(xp *x, int32_t *out, xtype *ty) {
  return parse_chain(x, T_AND, LS__X_AND, parse_not, out, ty);
}

static int parse_or(xp *x, int32_t *out, xtype *ty) {
  return parse_chain(x, T_OR, LS__X_OR, parse_and, out, ty);
}

static int compile(ls__lctx *c, const ls__ynode *n, const char *what, bool formula,
                   bool route, int32_t *root) {
  char buf[64];
  const char *example = formula ? "a formula like `fit + 2 * activity`"
                                : "a condition like `score >= 65`";
  if (n->kind != LS__Y_SCALAR || ls__is_null(c, n))
    return ls__lerr(c, n, "expected %s for %s, got %s", example, what,
                    ls__what(c, n, buf, sizeof buf));
  xp x = {c, n, ls__y_text(c, n), n->len, 0, 0, c->m->nexprs, !formula, route,
          {T_END, 0, 0, 0, 0, NULL}};
  lex(&x);
  if (x.tok.kind == T_END) return ls__lerr(c, n, "expected %s for %s", example, what);
  xtype ty;
  int r = parse_or(&x, root, &ty);
  if (r) return r;
  if (x.tok.kind != T_END)
    return xerr(&x, x.tok.pos, "unexpected %s after the %s (expected %s)",
                tok_text(&x, buf, sizeof buf), formula ? "formula" : "condition",
                formula ? "+, -, * or the end" : "and, or, or the end");
  if (formula && ty != XT_INT)
    return xerr(&x, 0, "%s needs a number, but this is %s", what, type_msg[1]);
  if (!formula && ty != XT_BOOL)
    return xerr(&x, 0, "%s needs a condition, but this is %s", what, type_msg[0]);
  return LS_OK;
}

int ls__expr_compile(ls__lctx *c, const ls__ynode *n, const char *what, int32_t *root) {
  return compile(c, n, what, false, false, root);
}

int ls__choice_compile(ls__lctx *c, const ls__ynode *n, const char *what, int32_t *root) {
  return compile(c, n, what, false, true, root);
}

int ls__formula_compile(ls__lctx *c, const ls__ynode *n, const char *what, int32_t *root) {
  return compile(c, n, what, true, false, root);
}
