/* libFuzzer harness for the event-line parser.
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *     src/core/[a-z_]*.c fuzz/fuzz_event_line.c -o /tmp/fuzz_event_line
 *   /tmp/fuzz_event_line -max_total_time=600 fuzz/corpus/event_line
 *
 * Parses the input as one line and checks invariants that must hold for
 * any input: the JSON-level verdict (blank, invalid UTF-8, invalid JSON, not
 * an object, duplicate key, valid) agrees with a naive recursive reference;
 * an accepted line is valid UTF-8 with the required fields; every borrowed
 * slice lies inside the line (or the parser's scratch); parsing is
 * deterministic and insensitive to surrounding white space and a trailing
 * CR; nothing leaks into the next line; a rejected line always has a short
 * reason. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/event.h"
#include "leadscore/time.h"

#define ASSERT(c) \
  do {            \
    if (!(c)) abort(); \
  } while (0)

static const ls_slice prop_keys[] = {
    {"url", 3}, {"referrer", 8}, {"query", 5}, {"content_type", 12},
    {"outcome", 7}, {"url", 3}, /* a repeated schema key fills both slots */
};
static const ls_slice attr_keys[] = {
    {"source", 6}, {"first_name", 10}, {"a", 1}, {"", 0},
};

/* Independent, byte-at-a-time UTF-8 check (RFC 3629 table 3-7). */
static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t k;
    unsigned long cp;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) { k = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { k = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { k = 3; cp = c & 0x07; }
    else return 0;
    if (n - i <= k) return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i + j] & 0x3F);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += k + 1;
  }
  return 1;
}

/* ---- a deliberately naive reference: recursive descent, decoded keys
 * copied and compared pairwise. Fuzz inputs are short, so recursion depth
 * and quadratic work are fine here (unlike in the parser). ---- */

typedef struct ref {
  const uint8_t *s;
  size_t n, i;
} ref;

typedef struct refstr {
  uint8_t *p;
  size_t n, cap;
} refstr;

static void ref_put(refstr *o, uint8_t c) {
  if (o->n == o->cap) {
    o->cap = o->cap ? 2 * o->cap : 16;
    o->p = (uint8_t *)realloc(o->p, o->cap);
    ASSERT(o->p != NULL);
  }
  o->p[o->n++] = c;
}

static void ref_ws(ref *r) {
  while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\t' ||
                         r->s[r->i] == '\n' || r->s[r->i] == '\r'))
    r->i++;
}

static int ref_hex(ref *r, unsigned *v) {
  *v = 0;
  for (int k = 0; k < 4; k++) {
    uint8_t c;
    if (r->i >= r->n) return 0;
    c = r->s[r->i++];
    if (c >= '0' && c <= '9') *v = *v * 16 + (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') *v = *v * 16 + (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') *v = *v * 16 + (unsigned)(c - 'A' + 10);
    else return 0;
  }
  return 1;
}

/* At '"'. Decodes into o (as UTF-8). The input is known valid UTF-8. */
static int ref_string(ref *r, refstr *o) {
  r->i++;
  for (;;) {
    uint8_t c;
    if (r->i >= r->n) return 0;
    c = r->s[r->i++];
    if (c == '"') return 1;
    if (c < 0x20) return 0;
    if (c != '\\') {
      ref_put(o, c);
      continue;
    }
    if (r->i >= r->n) return 0;
    c = r->s[r->i++];
    switch (c) {
      case '"': case '\\': case '/': ref_put(o, c); break;
      case 'b': ref_put(o, 8); break;
      case 'f': ref_put(o, 12); break;
      case 'n': ref_put(o, 10); break;
      case 'r': ref_put(o, 13); break;
      case 't': ref_put(o, 9); break;
      case 'u': {
        unsigned cp, lo;
        if (!ref_hex(r, &cp)) return 0;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return 0;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (r->i + 2 > r->n || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u') return 0;
          r->i += 2;
          if (!ref_hex(r, &lo) || lo < 0xDC00 || lo > 0xDFFF) return 0;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp < 0x80) {
          ref_put(o, (uint8_t)cp);
        } else if (cp < 0x800) {
          ref_put(o, (uint8_t)(0xC0 | cp >> 6));
          ref_put(o, (uint8_t)(0x80 | (cp & 63)));
        } else if (cp < 0x10000) {
          ref_put(o, (uint8_t)(0xE0 | cp >> 12));
          ref_put(o, (uint8_t)(0x80 | (cp >> 6 & 63)));
          ref_put(o, (uint8_t)(0x80 | (cp & 63)));
        } else {
          ref_put(o, (uint8_t)(0xF0 | cp >> 18));
          ref_put(o, (uint8_t)(0x80 | (cp >> 12 & 63)));
          ref_put(o, (uint8_t)(0x80 | (cp >> 6 & 63)));
          ref_put(o, (uint8_t)(0x80 | (cp & 63)));
        }
        break;
      }
      default: return 0;
    }
  }
}

static int ref_digits(ref *r) {
  size_t i0 = r->i;
  while (r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9') r->i++;
  return r->i > i0;
}

static int ref_value(ref *r, int *dup) {
  uint8_t c;
  ref_ws(r);
  if (r->i >= r->n) return 0;
  c = r->s[r->i];
  if (c == '{') {
    refstr *keys = NULL;
    size_t nk = 0;
    int ok = 0;
    r->i++;
    ref_ws(r);
    if (r->i < r->n && r->s[r->i] == '}') {
      r->i++;
      return 1;
    }
    for (;;) {
      refstr k = {NULL, 0, 0};
      ref_ws(r);
      if (r->i >= r->n || r->s[r->i] != '"' || !ref_string(r, &k)) {
        free(k.p);
        break;
      }
      for (size_t j = 0; j < nk; j++)
        if (keys[j].n == k.n && (k.n == 0 || memcmp(keys[j].p, k.p, k.n) == 0)) *dup = 1;
      keys = (refstr *)realloc(keys, (nk + 1) * sizeof *keys);
      ASSERT(keys != NULL);
      keys[nk++] = k;
      ref_ws(r);
      if (r->i >= r->n || r->s[r->i] != ':') break;
      r->i++;
      if (!ref_value(r, dup)) break;
      ref_ws(r);
      if (r->i < r->n && r->s[r->i] == ',') {
        r->i++;
        continue;
      }
      if (r->i < r->n && r->s[r->i] == '}') {
        r->i++;
        ok = 1;
      }
      break;
    }
    for (size_t j = 0; j < nk; j++) free(keys[j].p);
    free(keys);
    return ok;
  }
  if (c == '[') {
    r->i++;
    ref_ws(r);
    if (r->i < r->n && r->s[r->i] == ']') {
      r->i++;
      return 1;
    }
    for (;;) {
      if (!ref_value(r, dup)) return 0;
      ref_ws(r);
      if (r->i < r->n && r->s[r->i] == ',') {
        r->i++;
        continue;
      }
      if (r->i < r->n && r->s[r->i] == ']') {
        r->i++;
        return 1;
      }
      return 0;
    }
  }
  if (c == '"') {
    refstr t = {NULL, 0, 0};
    int ok = ref_string(r, &t);
    free(t.p);
    return ok;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    if (c == '-') r->i++;
    if (r->i < r->n && r->s[r->i] == '0') {
      r->i++;
    } else if (!ref_digits(r)) {
      return 0;
    }
    if (r->i < r->n && r->s[r->i] == '.') {
      r->i++;
      if (!ref_digits(r)) return 0;
    }
    if (r->i < r->n && (r->s[r->i] == 'e' || r->s[r->i] == 'E')) {
      r->i++;
      if (r->i < r->n && (r->s[r->i] == '+' || r->s[r->i] == '-')) r->i++;
      if (!ref_digits(r)) return 0;
    }
    return 1;
  }
  if (r->n - r->i >= 4 && memcmp(r->s + r->i, "true", 4) == 0) { r->i += 4; return 1; }
  if (r->n - r->i >= 5 && memcmp(r->s + r->i, "false", 5) == 0) { r->i += 5; return 1; }
  if (r->n - r->i >= 4 && memcmp(r->s + r->i, "null", 4) == 0) { r->i += 4; return 1; }
  return 0;
}

enum { REF_BLANK, REF_BAD_UTF8, REF_BAD_JSON, REF_NOT_OBJECT, REF_DUP, REF_OK };

/* What the reference makes of a line (one trailing CR removed). */
static int ref_classify(const uint8_t *d, size_t n) {
  ref r;
  int dup = 0;
  if (n > 0 && d[n - 1] == '\r') n--;
  r.s = d;
  r.n = n;
  r.i = 0;
  ref_ws(&r);
  if (r.i == n) return REF_BLANK;
  if (!valid_utf8(d, n)) return REF_BAD_UTF8;
  if (!ref_value(&r, &dup)) return REF_BAD_JSON;
  ref_ws(&r);
  if (r.i != n) return REF_BAD_JSON;
  ref_ws(&r);
  r.i = 0;
  ref_ws(&r);
  if (d[r.i] != '{') return REF_NOT_OBJECT;
  return dup ? REF_DUP : REF_OK;
}

static int starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int inside(ls_slice s, const uint8_t *d, size_t n) {
  const char *b = (const char *)d;
  return s.p >= b && s.p + s.n <= b + n;
}

static void check_value(ls_jvalue v, const uint8_t *d, size_t n) {
  switch (v.kind) {
    case LS_J_ABSENT: ASSERT(v.s.p == NULL && v.s.n == 0); break;
    case LS_J_STRING: ASSERT(v.s.p != NULL); break;
    case LS_J_NUMBER:
      ASSERT(inside(v.s, d, n) && v.s.n > 0);
      ASSERT(v.s.p[0] == '-' || (v.s.p[0] >= '0' && v.s.p[0] <= '9'));
      break;
    case LS_J_TRUE: case LS_J_FALSE: case LS_J_NULL:
      ASSERT(inside(v.s, d, n));
      break;
    case LS_J_OBJECT:
      ASSERT(inside(v.s, d, n) && v.s.n >= 2 && v.s.p[0] == '{' &&
             v.s.p[v.s.n - 1] == '}');
      break;
    case LS_J_ARRAY:
      ASSERT(inside(v.s, d, n) && v.s.n >= 2 && v.s.p[0] == '[' &&
             v.s.p[v.s.n - 1] == ']');
      break;
    default: ASSERT(0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ls_event_schema schema = {prop_keys, sizeof prop_keys / sizeof *prop_keys,
                            attr_keys, sizeof attr_keys / sizeof *attr_keys};
  ls_event_parser *p = ls_event_parser_new(&schema);
  ls_event_fields ev, ev2;
  ls_line_result r, r2;
  uint8_t *wrapped;
  ASSERT(p != NULL);

  r = ls_event_parse(p, (const char *)data, size, &ev);
  /* Differential check of the JSON layer against the naive reference. */
  switch (ref_classify(data, size)) {
    case REF_BLANK: ASSERT(r == LS_LINE_BLANK); break;
    case REF_BAD_UTF8:
      ASSERT(r == LS_LINE_REJECT && starts(ls_event_parser_reason(p), "invalid UTF-8"));
      break;
    case REF_BAD_JSON:
      ASSERT(r == LS_LINE_REJECT && starts(ls_event_parser_reason(p), "invalid JSON"));
      break;
    case REF_NOT_OBJECT:
      ASSERT(r == LS_LINE_REJECT && strcmp(ls_event_parser_reason(p), "not a JSON object") == 0);
      break;
    case REF_DUP:
      ASSERT(r == LS_LINE_REJECT && starts(ls_event_parser_reason(p), "duplicate key"));
      break;
    default: /* a valid object: only the field rules may reject it */
      ASSERT(r == LS_LINE_EVENT ||
             (r == LS_LINE_REJECT &&
              (starts(ls_event_parser_reason(p), "missing \"") ||
               strstr(ls_event_parser_reason(p), "\" is not a non-empty string") ||
               starts(ls_event_parser_reason(p), "invalid time \"") ||
               starts(ls_event_parser_reason(p), "no identity"))));
  }
  if (r == LS_LINE_REJECT) {
    const char *why = ls_event_parser_reason(p);
    ASSERT(why[0] != '\0' && strlen(why) < 256);
  } else if (r == LS_LINE_BLANK) {
    for (size_t i = 0; i < size; i++)
      ASSERT(data[i] == ' ' || data[i] == '\t' || data[i] == '\n' ||
             data[i] == '\r');
  } else {
    char buf[LS_TIME_FMT_MAX];
    ls_time t;
    ASSERT(r == LS_LINE_EVENT);
    ASSERT(valid_utf8(data, size));
    ASSERT(ev.id.p && ev.id.n > 0 && ev.type.p && ev.type.n > 0);
    ASSERT(ev.lead.n > 0 || ev.email.n > 0 || ev.anon.n > 0);
    ASSERT((ev.lead.n == 0) == (ev.lead.p == NULL));
    ASSERT((ev.anon.n == 0) == (ev.anon.p == NULL));
    ASSERT((ev.email.n == 0) == (ev.email.p == NULL));
    for (size_t i = 0; i < ev.email.n; i++)
      ASSERT(!(ev.email.p[i] >= 'A' && ev.email.p[i] <= 'Z'));
    if (ev.email.n) {
      unsigned char c0 = (unsigned char)ev.email.p[0];
      unsigned char c1 = (unsigned char)ev.email.p[ev.email.n - 1];
      ASSERT(!strchr(" \t\n\r\f\v", c0) || c0 == 0);
      ASSERT(!strchr(" \t\n\r\f\v", c1) || c1 == 0);
    }
    ASSERT(ev.time.nsec >= 0 && ev.time.nsec < 1000000000);
    ASSERT(ls_time_format(ev.time, buf) < LS_TIME_FMT_MAX);
    if (buf[0] != '-' && buf[0] != '+') {
      ASSERT(ls_time_parse(buf, strlen(buf), &t) == 0);
      ASSERT(ls_time_cmp(t, ev.time) == 0);
    }
    for (size_t i = 0; i < schema.nprops; i++) check_value(ev.props[i], data, size);
    for (size_t i = 0; i < schema.nattrs; i++) check_value(ev.attrs[i], data, size);
    ASSERT(ev.props[0].kind == ev.props[5].kind);
  }

  /* White space around the line and a trailing CR change nothing. */
  wrapped = (uint8_t *)malloc(size + 4);
  ASSERT(wrapped != NULL);
  wrapped[0] = ' ';
  wrapped[1] = '\t';
  if (size) memcpy(wrapped + 2, data, size);
  wrapped[size + 2] = '\n';
  wrapped[size + 3] = '\r';
  r2 = ls_event_parse(p, (const char *)wrapped, size + 4, &ev2);
  /* The input may itself end in an unpaired CR, which the wrapper turns into
   * an inner one: same outcome either way, since CR is JSON white space. */
  ASSERT(r2 == r);
  if (r == LS_LINE_EVENT) {
    ASSERT(ev2.content_hash == ev.content_hash);
    ASSERT(ls_time_cmp(ev2.time, ev.time) == 0);
    ASSERT(ev2.id.n == ev.id.n);
  }
  free(wrapped);

  /* Nothing of this input leaks into the next line. */
  {
    static const char next[] =
        "{\"id\":\"x\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}";
    ASSERT(ls_event_parse(p, next, sizeof next - 1, &ev) == LS_LINE_EVENT);
    for (size_t i = 0; i < schema.nprops; i++) ASSERT(ev.props[i].kind == LS_J_ABSENT);
    for (size_t i = 0; i < schema.nattrs; i++) ASSERT(ev.attrs[i].kind == LS_J_ABSENT);
    ASSERT(ev.email.n == 0 && ev.anon.n == 0 && ev.lead.n == 1);
  }
  ls_event_parser_destroy(p);
  return 0;
}
