/* Loader utilities: diagnostics, growth, the key-table walker, scalars
 * (strings, booleans, integers, numbers, durations, names). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

/* ---- diagnostics ---- */

static int verr(ls__lctx *c, unsigned line, unsigned col, const char *fmt,
                va_list ap) {
  ls_diag *d = c->diag;
  if (!d) return LS_EMODEL;
  d->line = line;
  d->col = col;
  size_t n = (size_t)snprintf(d->msg, sizeof d->msg, "%s", c->prefix);
  if (n >= sizeof d->msg) n = sizeof d->msg - 1;
  vsnprintf(d->msg + n, sizeof d->msg - n, fmt, ap);
  return LS_EMODEL;
}

int ls__lerr(ls__lctx *c, const ls__ynode *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = verr(c, n ? n->line : 0, n ? n->col : 0, fmt, ap);
  va_end(ap);
  return r;
}

int ls__lerr_at(ls__lctx *c, unsigned line, unsigned col, const char *fmt,
                ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = verr(c, line, col, fmt, ap);
  va_end(ap);
  return r;
}

int ls__oom(ls__lctx *c) {
  if (c->diag) {
    c->diag->line = 0;
    c->diag->col = 0;
    snprintf(c->diag->msg, sizeof c->diag->msg, "out of memory");
  }
  return LS_ENOMEM;
}

void ls__set_prefix(ls__lctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->prefix, sizeof c->prefix, fmt, ap);
  va_end(ap);
}

char *ls__show(char *buf, size_t size, const char *s, size_t n) {
  size_t limit = size < 45 ? size - 5 : 40, o = 0, i = 0;
  for (; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    size_t w = (ch < 0x20 || ch == 0x7f) ? 4 : (ch == '"' || ch == '\\') ? 2 : 1;
    if (o + w > limit) break;
    if (w == 4) {
      snprintf(buf + o, 5, "\\x%02x", ch);
    } else {
      if (w == 2) buf[o++] = '\\';
      buf[o] = (char)ch;
    }
    o += w == 2 ? 1 : w;
  }
  if (i < n) {
    /* stopped inside a UTF-8 sequence: drop its first bytes too */
    if (((unsigned char)s[i] & 0xC0) == 0x80) {
      while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80) o--;
      if (o > 0 && (unsigned char)buf[o - 1] >= 0xC0) o--;
    }
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o] = 0;
  return buf;
}

const char *ls__what(const ls__lctx *c, const ls__ynode *n, char *buf,
                     size_t size) {
  if (n->kind == LS__Y_MAP) return "a mapping";
  if (n->kind == LS__Y_SEQ) return "a list";
  if (ls__is_null(c, n)) return "nothing";
  char tmp[64];
  snprintf(buf, size, "\"%s\"", ls__show(tmp, sizeof tmp, ls__y_text(c, n),
                                         n->len));
  return buf;
}

/* ---- strings and lists ---- */

char *ls__strndup(const char *s, size_t n) {
  char *r = malloc(n + 1);
  if (!r) return NULL;
  if (n) memcpy(r, s, n);
  r[n] = 0;
  return r;
}

bool ls__plist_add(ls__plist *l, uint32_t v) {
  if (ls__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v)) return false;
  l->v[l->n++] = v;
  return true;
}

/* ---- mappings ---- */

static bool text_is(const ls__lctx *c, const ls__ynode *n, const char *s) {
  size_t len = strlen(s);
  return n->kind == LS__Y_SCALAR && n->len == len &&
         memcmp(ls__y_text(c, n), s, len) == 0;
}

/* Edit distance, capped: for "did you mean" hints. */
static size_t distance(const char *a, size_t na, const char *b, size_t nb) {
  size_t row[33];
  if (na > 32 || nb > 32) return 99;
  for (size_t j = 0; j <= nb; j++) row[j] = j;
  for (size_t i = 1; i <= na; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= nb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[nb];
}

static int unknown_key(ls__lctx *c, const ls__ynode *k, const char *what,
                       const ls__key *keys, size_t nkeys) {
  char list[160], shown[64], hint[64] = "";
  size_t o = 0, best = 3;
  list[0] = 0;
  for (size_t i = 0; i < nkeys; i++) {
    int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "",
                     keys[i].name);
    if (w < 0 || (size_t)w >= sizeof list - o) {
      memcpy(list + (o < sizeof list - 6 ? o : sizeof list - 6), ", ...", 6);
      break;
    }
    o += (size_t)w;
    size_t d = distance(ls__y_text(c, k), k->len, keys[i].name,
                        strlen(keys[i].name));
    if (d < best && d < strlen(keys[i].name)) {
      best = d;
      snprintf(hint, sizeof hint, "did you mean \"%s\"? ", keys[i].name);
    }
  }
  return ls__lerr(c, k, "unknown key \"%s\" in %s (%sexpected one of: %s)",
                  ls__show(shown, sizeof shown, ls__y_text(c, k), k->len), what,
                  hint, list);
}

int ls__walk_map(ls__lctx *c, const ls__ynode *map, const char *what,
                 const ls__key *keys, size_t nkeys, void *obj) {
  char buf[64];
  if (map->kind != LS__Y_MAP)
    return ls__lerr(c, map, "expected a mapping (key: value) for %s, got %s",
                    what, ls__what(c, map, buf, sizeof buf));
  const ls__ynode *seen[64] = {0};
  if (nkeys > 64) nkeys = 64;
  for (const ls__ynode *k = ls__y_first(c, map); k;) {
    const ls__ynode *v = ls__y_next(c, k);
    if (k->kind != LS__Y_SCALAR || k->style == LS__YS_BLOCK)
      return ls__lerr(c, k, "expected a plain key in %s, got %s", what,
                      ls__what(c, k, buf, sizeof buf));
    size_t i = 0;
    while (i < nkeys && !text_is(c, k, keys[i].name)) i++;
    if (i == nkeys) return unknown_key(c, k, what, keys, nkeys);
    if (seen[i])
      return ls__lerr(c, k, "duplicate key \"%s\" in %s (first at line %u)",
                      keys[i].name, what, seen[i]->line);
    seen[i] = k;
    int r = keys[i].fn(c, k, v, obj);
    if (r) return r;
    k = ls__y_next(c, v);
  }
  for (size_t i = 0; i < nkeys; i++)
    if ((keys[i].flags & LS__KEY_REQUIRED) && !seen[i])
      return ls__lerr(c, map, "%s is missing the required key \"%s\"", what,
                      keys[i].name);
  return LS_OK;
}

const ls__ynode *ls__map_get(const ls__lctx *c, const ls__ynode *map,
                             const char *key) {
  if (map->kind != LS__Y_MAP) return NULL;
  for (const ls__ynode *k = ls__y_first(c, map); k;) {
    const ls__ynode *v = ls__y_next(c, k);
    if (text_is(c, k, key)) return v;
    k = ls__y_next(c, v);
  }
  return NULL;
}

int ls__want_seq(ls__lctx *c, const ls__ynode *n, const char *what) {
  char buf[64];
  if (n->kind != LS__Y_SEQ)
    return ls__lerr(c, n, "expected a list of %s, got %s", what,
                    ls__what(c, n, buf, sizeof buf));
  if (n->count > LS__MAX_ITEMS)
    return ls__lerr(c, n, "too many %s (at most %d)", what, LS__MAX_ITEMS);
  return LS_OK;
}

/* ---- scalars ---- */

bool ls__is_null(const ls__lctx *c, const ls__ynode *n) {
  if (n->kind != LS__Y_SCALAR || n->style != LS__YS_PLAIN) return false;
  const char *s = ls__y_text(c, n);
  return n->len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
         strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

int ls__want_text(ls__lctx *c, const ls__ynode *n, const char *what,
                  const char **out) {
  char buf[64];
  if (n->kind != LS__Y_SCALAR || ls__is_null(c, n))
    return ls__lerr(c, n, "expected a string for %s, got %s", what,
                    ls__what(c, n, buf, sizeof buf));
  *out = ls__y_text(c, n);
  return LS_OK;
}

int ls__want_str(ls__lctx *c, const ls__ynode *n, const char *what,
                 bool allow_empty, char **out) {
  const char *s = NULL;
  int r = ls__want_text(c, n, what, &s);
  if (r) return r;
  if (!allow_empty && n->len == 0)
    return ls__lerr(c, n, "%s must not be empty", what);
  if (memchr(s, 0, n->len))
    return ls__lerr(c, n, "%s must not contain a NUL character", what);
  *out = ls__strndup(s, n->len);
  return *out ? LS_OK : ls__oom(c);
}

static int want_plain(ls__lctx *c, const ls__ynode *n, const char *what,
                      const char *expected) {
  char buf[64];
  if (n->kind != LS__Y_SCALAR || ls__is_null(c, n))
    return ls__lerr(c, n, "expected %s for %s, got %s", expected, what,
                    ls__what(c, n, buf, sizeof buf));
  if (n->style != LS__YS_PLAIN)
    return ls__lerr(c, n, "expected %s for %s, got the quoted string %s",
                    expected, what, ls__what(c, n, buf, sizeof buf));
  return LS_OK;
}

int ls__want_bool(ls__lctx *c, const ls__ynode *n, const char *what,
                  bool *out) {
  char buf[64];
  int r = want_plain(c, n, what, "true or false");
  if (r) return r;
  const char *s = ls__y_text(c, n);
  if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
    *out = true;
  } else if (!strcmp(s, "false") || !strcmp(s, "False") ||
             !strcmp(s, "FALSE")) {
    *out = false;
  } else {
    return ls__lerr(c, n, "expected true or false for %s, got %s", what,
                    ls__what(c, n, buf, sizeof buf));
  }
  return LS_OK;
}

/* Parses [-]digits without leading zeros; false on syntax or overflow. */
static bool parse_int(const char *s, size_t n, int64_t *out) {
  size_t i = 0;
  bool neg = false;
  if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == n || (s[i] == '0' && n - i > 1)) return false;
  uint64_t v = 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (v > (uint64_t)INT64_MAX / 10) return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > (uint64_t)INT64_MAX) return false;
  *out = neg ? -(int64_t)v : (int64_t)v;
  return true;
}

int ls__want_int(ls__lctx *c, const ls__ynode *n, const char *what,
                 int64_t lo, int64_t hi, int64_t *out) {
  char buf[64];
  int r = want_plain(c, n, what, "an integer");
  if (r) return r;
  int64_t v;
  if (!parse_int(ls__y_text(c, n), n->len, &v))
    return ls__lerr(c, n, "expected an integer like 5 or -10 for %s, got %s",
                    what, ls__what(c, n, buf, sizeof buf));
  if (v < lo || v > hi)
    return ls__lerr(c, n, "%s must be between %lld and %lld, got %s", what,
                    (long long)lo, (long long)hi,
                    ls__what(c, n, buf, sizeof buf));
  *out = v;
  return LS_OK;
}

/* JSON number syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number_syntax(const char *s, size_t n) {
  size_t i = 0;
  if (i < n && s[i] == '-') i++;
  if (i == n) return false;
  if (s[i] == '0') {
    i++;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    size_t d = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return false;
  }
  return i == n;
}

int ls__want_number(ls__lctx *c, const ls__ynode *n, const char *what,
                    double *out) {
  char buf[64];
  int r = want_plain(c, n, what, "a number");
  if (r) return r;
  const char *s = ls__y_text(c, n);
  if (!json_number_syntax(s, n->len))
    return ls__lerr(c, n, "expected a number like 10, -2.5 or 1e6 for %s, "
                    "got %s", what, ls__what(c, n, buf, sizeof buf));
  double v = strtod(s, NULL);
  if (!isfinite(v))
    return ls__lerr(c, n, "the number for %s is out of range", what);
  *out = v;
  return LS_OK;
}

int ls__want_duration(ls__lctx *c, const ls__ynode *n, const char *what,
                      int64_t *out) {
  char buf[64];
  int64_t v;
  if (n->kind != LS__Y_SCALAR || ls__is_null(c, n) ||
      !ls_duration_parse(ls__y_text(c, n), n->len, &v))
    return ls__lerr(c, n,
                    "expected a duration like 30m, 7d, 1800s for %s, got %s",
                    what, ls__what(c, n, buf, sizeof buf));
  if (v <= 0)
    return ls__lerr(c, n, "%s must be longer than 0 seconds", what);
  if (v > LS__MAX_DURATION)
    return ls__lerr(c, n, "%s is too long (at most 36500d)", what);
  *out = v;
  return LS_OK;
}

static int want_named(ls__lctx *c, const ls__ynode *n, const char *what,
                      bool ident, char **out) {
  char buf[64];
  const char *s = NULL;
  int r = ls__want_text(c, n, what, &s);
  if (r) return r;
  bool ok = n->len > 0 && n->len <= 64;
  for (size_t i = 0; ok && i < n->len; i++) {
    char ch = s[i];
    bool lower = (ch >= 'a' && ch <= 'z') || ch == '_';
    bool digit = ch >= '0' && ch <= '9';
    if (ident)
      ok = lower || (i > 0 && digit);
    else
      ok = lower || digit || (ch >= 'A' && ch <= 'Z') ||
           (i > 0 && (ch == '-' || ch == '.'));
  }
  if (!ok)
    return ls__lerr(c, n, "%s is not a valid %s (expected %s, at most 64 "
                    "characters)", ls__what(c, n, buf, sizeof buf), what,
                    ident ? "lower-case letters, digits and _, not starting "
                            "with a digit"
                          : "letters, digits, _, - and ., starting with a "
                            "letter, digit or _");
  *out = ls__strndup(s, n->len);
  return *out ? LS_OK : ls__oom(c);
}

int ls__want_ident(ls__lctx *c, const ls__ynode *n, const char *what,
                   char **out) {
  return want_named(c, n, what, true, out);
}

int ls__want_name(ls__lctx *c, const ls__ynode *n, const char *what,
                  char **out) {
  return want_named(c, n, what, false, out);
}

/* ---- interning ---- */

int ls__intern_type(ls__lctx *c, const ls__ynode *n, uint16_t *out) {
  ls_model *m = c->m;
  const char *s = NULL;
  int r = ls__want_text(c, n, "an event type", &s);
  if (r) return r;
  if (n->len == 0 || memchr(s, 0, n->len))
    return ls__lerr(c, n, "an event type must be a non-empty string without "
                    "NUL characters");
  for (size_t i = 1; i <= m->ntypes; i++)
    if (strlen(m->types[i]) == n->len && !memcmp(m->types[i], s, n->len)) {
      *out = (uint16_t)i;
      return LS_OK;
    }
  if (m->ntypes >= LS__MAX_ITEMS)
    return ls__lerr(c, n, "too many event types (at most %d)", LS__MAX_ITEMS);
  if (ls__grow((void **)&m->types, &c->types_cap, m->ntypes + 2,
                sizeof *m->types))
    return ls__oom(c);
  char *copy = ls__strndup(s, n->len);
  if (!copy) return ls__oom(c);
  m->types[++m->ntypes] = copy;
  *out = (uint16_t)m->ntypes;
  return LS_OK;
}

int ls__intern_key(ls__lctx *c, const ls__ynode *n, int src, uint32_t *out) {
  ls_model *m = c->m;
  const char *what = src == LS__SRC_PROP ? "a prop key" : "an attr key";
  const char *s = NULL;
  int r = ls__want_text(c, n, what, &s);
  if (r) return r;
  if (n->len == 0 || memchr(s, 0, n->len))
    return ls__lerr(c, n, "%s must be a non-empty string without NUL "
                    "characters", what);
  ls_slice **keys = src == LS__SRC_PROP ? &m->prop_keys : &m->attr_keys;
  size_t *nk = src == LS__SRC_PROP ? &m->nprops : &m->nattrs;
  size_t *cap = src == LS__SRC_PROP ? &c->props_cap : &c->attrs_cap;
  for (size_t i = 0; i < *nk; i++)
    if ((*keys)[i].n == n->len && !memcmp((*keys)[i].p, s, n->len)) {
      *out = (uint32_t)i;
      return LS_OK;
    }
  if (*nk >= LS__MAX_ITEMS)
    return ls__lerr(c, n, "too many distinct keys (at most %d)",
                    LS__MAX_ITEMS);
  if (ls__grow((void **)keys, cap, *nk + 1, sizeof **keys)) return ls__oom(c);
  char *copy = ls__strndup(s, n->len);
  if (!copy) return ls__oom(c);
  (*keys)[*nk].p = copy;
  (*keys)[*nk].n = n->len;
  *out = (uint32_t)(*nk)++;
  return LS_OK;
}
