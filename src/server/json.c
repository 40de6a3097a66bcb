/* JSON for the service: escaping strings into responses, and reading the
 * few small request objects that are not events (a webhook subscription):
 * flat objects of strings and arrays of strings, strictly. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/error.h"
#include "server/json.h"

int ls__json_str(ls_buf *b, const char *p, size_t n) {
  int rc = ls_buf_append(b, "\"", 1);
  size_t run = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0x20 && c != '"' && c != '\\') {
      run++;
      continue;
    }
    if (run) rc = ls_buf_append(b, p + i - run, run);
    run = 0;
    char esc[8];
    if (c == '"' || c == '\\') snprintf(esc, sizeof esc, "\\%c", c);
    else if (c == '\n') snprintf(esc, sizeof esc, "\\n");
    else if (c == '\t') snprintf(esc, sizeof esc, "\\t");
    else if (c == '\r') snprintf(esc, sizeof esc, "\\r");
    else snprintf(esc, sizeof esc, "\\u%04x", c);
    if (!rc) rc = ls_buf_append(b, esc, strlen(esc));
  }
  if (!rc && run) rc = ls_buf_append(b, p + n - run, run);
  return rc ? rc : ls_buf_append(b, "\"", 1);
}

int ls__json_cstr(ls_buf *b, const char *s) { return ls__json_str(b, s, s ? strlen(s) : 0); }

typedef struct jr {
  const char *p, *end;
  const char *err;
  char *tmp; /* the current string, decoded */
  size_t cap;
} jr;

static void ws(jr *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string at r->p into r->tmp (NUL-terminated; \u0000 is refused);
 * returns its length or -1. Only ASCII escapes and BMP \u are decoded. */
static long str(jr *r) {
  if (r->p >= r->end || *r->p != '"') return r->err = "expected a string", -1;
  r->p++;
  size_t n = 0;
  for (;;) {
    if (r->p >= r->end) return r->err = "unterminated string", -1;
    unsigned char c = (unsigned char)*r->p++;
    if (c == '"') break;
    if (c < 0x20) return r->err = "control character in a string", -1;
    if (n + 4 >= r->cap) { /* room for the longest decoded escape (3) and the NUL */
      size_t cap = 2 * r->cap > 64 ? 2 * r->cap : 64;
      char *t = realloc(r->tmp, cap);
      if (!t) return r->err = "out of memory", -1;
      r->tmp = t;
      r->cap = cap;
    }
    if (c != '\\') {
      r->tmp[n++] = (char)c;
      continue;
    }
    if (r->p >= r->end) return r->err = "unterminated string", -1;
    char e = *r->p++;
    char simple = e == '"' || e == '\\' || e == '/' ? e : e == 'b' ? '\b' : e == 'f' ? '\f'
                  : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : 0;
    if (e == 'u') {
      if (r->end - r->p < 4) return r->err = "bad \\u escape", -1;
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int h = hexval(r->p[k]);
        if (h < 0) return r->err = "bad \\u escape", -1;
        v = v * 16 + h;
      }
      r->p += 4;
      if (v == 0 || (v >= 0xD800 && v <= 0xDFFF)) return r->err = "unsupported \\u escape", -1;
      if (v < 0x80) r->tmp[n++] = (char)v;
      else if (v < 0x800) r->tmp[n++] = (char)(0xC0 | v >> 6), r->tmp[n++] = (char)(0x80 | (v & 63));
      else
        r->tmp[n++] = (char)(0xE0 | v >> 12), r->tmp[n++] = (char)(0x80 | ((v >> 6) & 63)),
        r->tmp[n++] = (char)(0x80 | (v & 63));
    } else if (simple) {
      r->tmp[n++] = simple;
    } else {
      return r->err = "bad escape", -1;
    }
  }
  if (n + 1 > r->cap) {
    char *t = realloc(r->tmp, n + 1);
    if (!t) return r->err = "out of memory", -1;
    r->tmp = t;
    r->cap = n + 1;
  }
  r->tmp[n] = '\0';
  return (long)n;
}

int ls__json_object(const char *p, size_t n,
                    int (*fn)(void *ud, const char *key, const char *val, size_t len), void *ud,
                    const char **err) {
  jr r = {p, p + n, NULL, NULL, 0};
  char key[64];
  int rc = LS_OK;
  ws(&r);
  if (r.p >= r.end || *r.p++ != '{') {
    *err = "expected a JSON object";
    return LS_EINVAL;
  }
  ws(&r);
  bool first = true;
  while (!rc && !r.err) {
    ws(&r);
    if (r.p < r.end && *r.p == '}' && first) {
      r.p++;
      break;
    }
    long kn = str(&r);
    if (kn < 0) break;
    if ((size_t)kn >= sizeof key) {
      r.err = "unknown member";
      break;
    }
    memcpy(key, r.tmp, (size_t)kn + 1);
    ws(&r);
    if (r.p >= r.end || *r.p++ != ':') {
      r.err = "expected ':'";
      break;
    }
    ws(&r);
    if (r.p < r.end && *r.p == '[') {
      r.p++;
      ws(&r);
      bool efirst = true;
      while (!r.err && !rc) {
        ws(&r);
        if (r.p < r.end && *r.p == ']' && efirst) break;
        long vn = str(&r);
        if (vn < 0) break;
        rc = fn(ud, key, r.tmp, (size_t)vn);
        ws(&r);
        if (r.p < r.end && *r.p == ',') {
          r.p++;
          efirst = false;
          continue;
        }
        if (r.p < r.end && *r.p == ']') break;
        r.err = "expected ',' or ']'";
      }
      if (r.err || rc) break;
      r.p++;
    } else {
      long vn = str(&r);
      if (vn < 0) break;
      rc = fn(ud, key, r.tmp, (size_t)vn);
    }
    ws(&r);
    first = false;
    if (r.p < r.end && *r.p == ',') {
      r.p++;
      continue;
    }
    if (r.p < r.end && *r.p == '}') {
      r.p++;
      break;
    }
    r.err = "expected ',' or '}'";
  }
  ws(&r);
  if (!r.err && !rc && r.p != r.end) r.err = "data after the object";
  free(r.tmp);
  if (r.err) {
    *err = r.err;
    return LS_EINVAL;
  }
  return rc;
}

int ls__json_why_reasons(ls_buf *b, const ls_model *m, const ls_why_item *v, size_t n) {
  int rc = ls_buf_append(b, "[", 1);
  for (size_t i = 0; i < n && !rc; i++) {
    size_t r = (size_t)v[i].rule;
    rc = ls_buf_append(b, i ? ",{\"rule\":" : "{\"rule\":", i ? 9 : 8);
    if (!rc) rc = ls__json_cstr(b, ls_model_rule_id(m, r));
    if (!rc) rc = ls_buf_append(b, ",\"label\":", 9);
    if (!rc) rc = ls__json_cstr(b, ls_model_rule_label(m, r, "en"));
    if (!rc) rc = ls_buf_append(b, ",\"label_ja\":", 12);
    if (!rc) rc = ls__json_cstr(b, ls_model_rule_label(m, r, "ja"));
    if (!rc) rc = ls_buf_appendf(b, ",\"count\":%" PRIu32 ",\"points\":%" PRId64 "}", v[i].count,
                                 v[i].points);
  }
  return rc ? rc : ls_buf_append(b, "]", 1);
}
