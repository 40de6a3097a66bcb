#include "server/body.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/error.h"

static int push(ls__body *b, const char *p, size_t n, size_t max) {
  if (b->n >= max) return LS_ERANGE;
  if (ls__grow((void **)&b->items, &b->cap, b->n + 1, sizeof *b->items)) return LS_ENOMEM;
  b->items[b->n++] = (ls_slice){p, n};
  return LS_OK;
}

static int fail(ls__body *b, size_t off, const char *why) {
  b->err_off = off;
  b->err = why;
  return LS_EINVAL;
}

static bool ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The end of the value starting at i (at depth 0 after it): the index of
 * the ',' or ']' that follows it, or n. Strings are skipped with their
 * escapes; brackets must nest. */
static int value_end(ls__body *b, const char *p, size_t n, size_t i, size_t *end) {
  char stack[LS__BODY_MAX_DEPTH];
  size_t depth = 0;
  for (; i < n; i++) {
    char c = p[i];
    if (c == '"') {
      size_t q = i;
      for (i++; i < n && p[i] != '"'; i++)
        if (p[i] == '\\') i++;
      if (i >= n) return fail(b, q, "unterminated string");
    } else if (c == '{' || c == '[') {
      if (depth == LS__BODY_MAX_DEPTH) return fail(b, i, "nested deeper than 512 levels");
      stack[depth++] = c == '{' ? '}' : ']';
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        if (c == ']') break;
        return fail(b, i, "unexpected '}'");
      }
      if (stack[--depth] != c) return fail(b, i, "mismatched bracket");
    } else if (c == ',' && depth == 0) {
      break;
    }
  }
  if (depth) return fail(b, n, "unexpected end of body");
  *end = i;
  return LS_OK;
}

static int split_array(ls__body *b, const char *p, size_t n, size_t max) {
  size_t i = 0;
  while (i < n && ws(p[i])) i++;
  if (i == n || p[i] != '[') return fail(b, i, "expected a JSON array of events ('[')");
  i++;
  while (i < n && ws(p[i])) i++;
  if (i < n && p[i] == ']') {
    i++;
  } else {
    for (;;) {
      while (i < n && ws(p[i])) i++;
      if (i == n) return fail(b, i, "unexpected end of body");
      if (p[i] == ',' || p[i] == ']') return fail(b, i, "expected a value");
      size_t end = 0;
      int rc = value_end(b, p, n, i, &end);
      if (rc) return rc;
      size_t last = end;
      while (last > i && ws(p[last - 1])) last--;
      if ((rc = push(b, p + i, last - i, max))) return rc;
      if (end == n) return fail(b, n, "unexpected end of body (no ']')");
      i = end + 1;
      if (p[end] == ']') break;
    }
  }
  while (i < n && ws(p[i])) i++;
  return i == n ? LS_OK : fail(b, i, "data after the array");
}

static int split_lines(ls__body *b, const char *p, size_t n, size_t max) {
  size_t i = 0;
  while (i < n) {
    const char *nl = memchr(p + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - p) : n;
    /* every line keeps its place (blank ones too): indexes are line - 1 */
    int rc = push(b, p + i, end - i, (size_t)-1); /* bounded by the body's size */
    if (rc) return rc;
    i = end + 1;
  }
  /* a trailing LF does not make an extra line; blank lines do not count */
  size_t real = 0;
  for (size_t k = 0; k < b->n; k++) {
    size_t j = 0;
    while (j < b->items[k].n && ws(b->items[k].p[j])) j++;
    real += j < b->items[k].n;
  }
  return real > max ? LS_ERANGE : LS_OK;
}

int ls__body_split(ls__body *b, const char *p, size_t n, bool array, size_t max_items) {
  return array ? split_array(b, p, n, max_items) : split_lines(b, p, n, max_items);
}

void ls__body_free(ls__body *b) {
  if (!b) return;
  free(b->items);
  b->items = NULL;
  b->n = b->cap = 0;
}
