/* Tests for the event-line parser (spec §1, §9). Columns in expected
 * reasons are 1-based byte columns, counted by hand on the literal. */
#include <stdlib.h>

#include "leadscore/event.h"
#include "leadscore/time.h"

#include "ls_test.h"

/* 2026-03-01T09:15:00Z: 2026-01-01 is 1767225600, + 59 days + 9:15. */
#define T0 INT64_C(1772356500)

#define BASE "\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\""
#define EV(rest) "{" BASE ",\"lead\":\"L1\"" rest "}"

static const ls_slice prop_keys[] = {
    {"url", 3}, {"referrer", 8}, {"n", 1},   {"t", 1},  {"f", 1},
    {"z", 1},   {"obj", 3},      {"arr", 3}, {"", 0},   {"url", 3},
};
enum { P_URL, P_REF, P_N, P_T, P_F, P_Z, P_OBJ, P_ARR, P_EMPTY, P_URL2, NP };
static const ls_slice attr_keys[] = {{"source", 6}, {"url", 3}, {"é", 2}};
enum { A_SOURCE, A_URL, A_E, NA };

static ls_event_parser *P;
static ls_event_fields ev;

static ls_line_result parse_n(const char *s, size_t n) {
  return ls_event_parse(P, s, n, &ev);
}

static void check_reject(const char *s, size_t n, const char *why, int line) {
  ls_line_result r = parse_n(s, n);
  const char *got = ls_event_parser_reason(P);
  if (r == LS_LINE_REJECT && strcmp(got, why) == 0) {
    ls_t_pass++;
  } else {
    ls_t_fail++;
    fprintf(stderr, "test_event_parse.c:%d: result %d reason \"%s\", "
                    "expected reject \"%s\"\n", line, (int)r, got, why);
  }
}
/* REJECT takes a string literal (embedded NULs allowed). */
#define REJECT(lit, why) check_reject(lit, sizeof(lit) - 1, why, __LINE__)

static int check_event(const char *s, size_t n, int line) {
  ls_line_result r = parse_n(s, n);
  if (r == LS_LINE_EVENT) {
    ls_t_pass++;
    return 1;
  }
  ls_t_fail++;
  fprintf(stderr, "test_event_parse.c:%d: result %d (%s), expected an event\n",
          line, (int)r, ls_event_parser_reason(P));
  return 0;
}
#define ACCEPT(lit) check_event(lit, sizeof(lit) - 1, __LINE__)
#define ACCEPT_S(str) check_event(str, strlen(str), __LINE__)

static uint64_t hash_of(const char *s, size_t n) {
  ls_line_result r = parse_n(s, n);
  CHECK_INT(r, LS_LINE_EVENT);
  return r == LS_LINE_EVENT ? ev.content_hash : 0;
}
#define H(lit) hash_of(lit, sizeof(lit) - 1)

static void test_typical(void) {
  static const char line[] =
      "{\"id\":\"e00000123\",\"type\":\"page_view\",\"time\":\"2026-03-01T09:15:"
      "00Z\",\"anonymous_id\":\"c-4f2a9e\",\"props\":{\"url\":\"https://"
      "acme.example/pricing?x=1\",\"referrer\":\"https://www.google.com/\"}}";
  if (!ACCEPT(line)) return;
  CHECK_SLICE(ev.id, "e00000123");
  CHECK_SLICE(ev.type, "page_view");
  CHECK_INT(ev.time.sec, T0);
  CHECK_INT(ev.time.nsec, 0);
  CHECK_SLICE(ev.anon, "c-4f2a9e");
  CHECK(ev.lead.p == NULL && ev.lead.n == 0);
  CHECK(ev.email.p == NULL && ev.email.n == 0);
  CHECK_INT(ev.props[P_URL].kind, LS_J_STRING);
  CHECK_SLICE(ev.props[P_URL].s, "https://acme.example/pricing?x=1");
  CHECK_INT(ev.props[P_URL2].kind, LS_J_STRING); /* the schema repeats "url" */
  CHECK_SLICE(ev.props[P_URL2].s, "https://acme.example/pricing?x=1");
  CHECK_INT(ev.props[P_REF].kind, LS_J_STRING);
  CHECK_SLICE(ev.props[P_REF].s, "https://www.google.com/");
  CHECK_INT(ev.props[P_N].kind, LS_J_ABSENT);
  CHECK(ev.props[P_N].s.p == NULL && ev.props[P_N].s.n == 0);
  for (int i = 0; i < NA; i++) CHECK_INT(ev.attrs[i].kind, LS_J_ABSENT);
  /* strings without escapes borrow from the line */
  CHECK(ev.id.p == line + 7);

  /* time with an offset and a fraction */
  if (ACCEPT("{\"id\":\"x\",\"type\":\"y\",\"time\":\"2026-03-01T18:15:00.25+09:00\","
             "\"email\":\"a@b\"}")) {
    CHECK_INT(ev.time.sec, T0);
    CHECK_INT(ev.time.nsec, 250000000);
  }
}

static void test_blank(void) {
  CHECK_INT(parse_n("", 0), LS_LINE_BLANK);
  CHECK_INT(parse_n(NULL, 0), LS_LINE_BLANK);
  CHECK_INT(parse_n("   ", 3), LS_LINE_BLANK);
  CHECK_INT(parse_n(" \t \r", 4), LS_LINE_BLANK);
  CHECK_INT(parse_n("\r", 1), LS_LINE_BLANK);
  CHECK_INT(parse_n("\r\r", 2), LS_LINE_BLANK);
  CHECK_INT(parse_n("\n", 1), LS_LINE_BLANK);
  /* only JSON white space is blank */
  REJECT("\f", "invalid JSON at column 1: expected a value");
  REJECT(" \v", "invalid JSON at column 2: expected a value");
  REJECT("\0", "invalid JSON at column 1: expected a value");
}

static void test_trailing_cr(void) {
  uint64_t h = H(EV(""));
  CHECK_INT(H(EV("") "\r"), h);
  CHECK_INT(H(EV("") "\r\r"), h); /* the inner CR is JSON white space */
  CHECK_INT(H("\r\n\t " EV("") " \r"), h);
  CHECK_INT(parse_n(EV("") "\r", sizeof(EV("")) - 1 + 1), LS_LINE_EVENT);
}

static void test_not_object(void) {
  REJECT("[]", "not a JSON object");
  REJECT("[1,{\"a\":2}]", "not a JSON object");
  REJECT("1", "not a JSON object");
  REJECT("-0.5e3", "not a JSON object");
  REJECT("\"x\"", "not a JSON object");
  REJECT(" null ", "not a JSON object");
  REJECT("true", "not a JSON object");
  /* invalid JSON is reported as such even when it is no object either */
  REJECT("[1,2", "invalid JSON at column 5: unexpected end of line");
  REJECT("nul", "invalid JSON at column 1: invalid literal");
  REJECT("hello", "invalid JSON at column 1: expected a value");
  /* a byte-order mark is the reader's business (start of file only) */
  REJECT("\xef\xbb\xbf{}", "invalid JSON at column 1: expected a value");
}

static void test_syntax_columns(void) {
  REJECT("{\"id\" \"x\"}", "invalid JSON at column 7: expected ':'");
  REJECT("{\"a\"}", "invalid JSON at column 5: expected ':'");
  REJECT("  {\"a\" 1}", "invalid JSON at column 8: expected ':'");
  REJECT("{\"a\":}", "invalid JSON at column 6: expected a value");
  REJECT("{\"a\":1,}", "invalid JSON at column 8: expected a string key");
  REJECT("{,}", "invalid JSON at column 2: expected a string key");
  REJECT("{a:1}", "invalid JSON at column 2: expected a string key");
  REJECT("{'a':1}", "invalid JSON at column 2: expected a string key");
  REJECT("{1:1}", "invalid JSON at column 2: expected a string key");
  REJECT("{\"a\":1", "invalid JSON at column 7: unexpected end of line");
  REJECT("{", "invalid JSON at column 2: unexpected end of line");
  REJECT("{\"a\"", "invalid JSON at column 5: unexpected end of line");
  REJECT("{\"a\":", "invalid JSON at column 6: unexpected end of line");
  REJECT("{\"a\":1,", "invalid JSON at column 8: unexpected end of line");
  REJECT("{\"a\":[1,2}", "invalid JSON at column 10: expected ',' or ']'");
  REJECT("{\"a\":[}", "invalid JSON at column 7: expected a value");
  REJECT("{\"a\":[1,]}", "invalid JSON at column 9: expected a value");
  REJECT("{\"a\":1 2}", "invalid JSON at column 8: expected ',' or '}'");
  REJECT("{\"a\":1]", "invalid JSON at column 7: expected ',' or '}'");
  REJECT("{\"a\":1,,}", "invalid JSON at column 8: expected a string key");
  REJECT("{\"a\":tru}", "invalid JSON at column 6: invalid literal");
  REJECT("{\"a\":nul", "invalid JSON at column 6: invalid literal");
  REJECT("{\"a\":True}", "invalid JSON at column 6: expected a value");
  REJECT("{\"a\":truex}", "invalid JSON at column 10: expected ',' or '}'");
  REJECT("{\"a\":1} x", "invalid JSON at column 9: unexpected text after the value");
  REJECT("{}{}", "invalid JSON at column 3: unexpected text after the value");
  REJECT("{\"a\":1}\0", "invalid JSON at column 8: unexpected text after the value");
  REJECT("{\"a\":1}\r\r\0\r", "invalid JSON at column 10: unexpected text after the value");
  /* strings */
  REJECT("{\"a\":\"x}", "invalid JSON at column 6: unterminated string");
  REJECT("{\"a\":\"\\", "invalid JSON at column 6: unterminated string");
  REJECT("{\"a\":\"\\\"}", "invalid JSON at column 6: unterminated string");
  REJECT("{\"a\":\"\\x\"}", "invalid JSON at column 7: invalid escape");
  REJECT("{\"a\":\"\\a\"}", "invalid JSON at column 7: invalid escape");
  REJECT("{\"a\":\"\\U0041\"}", "invalid JSON at column 7: invalid escape");
  REJECT("{\"a\":\"\\'\"}", "invalid JSON at column 7: invalid escape");
  REJECT("{\"a\":\"\\u12\"}", "invalid JSON at column 7: invalid \\u escape");
  REJECT("{\"a\":\"\\u12G4\"}", "invalid JSON at column 7: invalid \\u escape");
  REJECT("{\"a\":\"\\u", "invalid JSON at column 7: invalid \\u escape");
  REJECT("{\"a\":\"x\ty\"}", "invalid JSON at column 8: control character in string");
  REJECT("{\"a\":\"\x1f\"}", "invalid JSON at column 7: control character in string");
  REJECT("{\"a\0\":1}", "invalid JSON at column 4: control character in string");
  REJECT("{\"a\":\"\\n\n\"}", "invalid JSON at column 9: control character in string");
  REJECT("{\"a\":\"\x7f\"}", "missing \"id\""); /* DEL is not a control char for JSON */
  /* numbers */
  REJECT("{\"a\":01}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":-01}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":-}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":-a}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":1.}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":1.e5}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":1e}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":1.5e+}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":1.2.3}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":1e5e5}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":1-2}", "invalid JSON at column 6: invalid number");
  REJECT("{\"a\":.5}", "invalid JSON at column 6: expected a value");
  REJECT("{\"a\":+1}", "invalid JSON at column 6: expected a value");
  REJECT("{\"a\":0x1}", "invalid JSON at column 7: expected ',' or '}'");
  REJECT("{\"a\":NaN}", "invalid JSON at column 6: expected a value");
  REJECT("{\"a\":Infinity}", "invalid JSON at column 6: expected a value");
  REJECT("{\"a\":1", "invalid JSON at column 7: unexpected end of line");
  /* valid numbers of any magnitude (then the event lacks an id) */
  REJECT("{\"a\":[0,-0,0.0,-0.0e-0,1E400,-123456789012345678901234567890.5e-99999999999999999999999]}",
         "missing \"id\"");
  /* comments, trailing commas, single quotes are not JSON */
  REJECT("{\"a\":1 /* c */}", "invalid JSON at column 8: expected ',' or '}'");
}

static void test_utf8(void) {
  REJECT("{\"a\":\"\xff\"}", "invalid UTF-8 at column 7");
  REJECT("{\"a\":\"\xc0\xaf\"}", "invalid UTF-8 at column 7");       /* overlong '/' */
  REJECT("{\"a\":\"\xc1\xbf\"}", "invalid UTF-8 at column 7");       /* overlong */
  REJECT("{\"a\":\"\xe0\x80\xaf\"}", "invalid UTF-8 at column 7");   /* overlong */
  REJECT("{\"a\":\"\xf0\x80\x80\xaf\"}", "invalid UTF-8 at column 7");
  REJECT("{\"a\":\"\xed\xa0\x80\"}", "invalid UTF-8 at column 7");   /* U+D800 */
  REJECT("{\"a\":\"\xed\xbf\xbf\"}", "invalid UTF-8 at column 7");   /* U+DFFF */
  REJECT("{\"a\":\"\xf4\x90\x80\x80\"}", "invalid UTF-8 at column 7"); /* > U+10FFFF */
  REJECT("{\"a\":\"\xf5\x80\x80\x80\"}", "invalid UTF-8 at column 7");
  REJECT("{\"a\":\"\xe6\x97\"}", "invalid UTF-8 at column 7");       /* truncated */
  REJECT("{\"a\":\"\xf0\x9f\x98\"}", "invalid UTF-8 at column 7");
  REJECT("{\"a\":\"\xe6\x97", "invalid UTF-8 at column 7");          /* cut by the end */
  REJECT("{\"a\":\"x\x80\"}", "invalid UTF-8 at column 8");          /* stray continuation */
  REJECT("{\"a\":\"01234567890123456789\xfe\"}", "invalid UTF-8 at column 27");
  REJECT("{\"a\":\"\\n\xff\"}", "invalid UTF-8 at column 9"); /* after an escape */
  REJECT("{\"\xff\":1}", "invalid UTF-8 at column 3");        /* in a key */
  REJECT("\xff", "invalid UTF-8 at column 1");
  /* outside strings, and after an earlier JSON error: UTF-8 comes first */
  REJECT("{\"a\":1}\xff", "invalid UTF-8 at column 8");
  REJECT("{\"a\":\xff}", "invalid UTF-8 at column 6");
  REJECT("{\"a\" 1,\"b\":\"\xff\"}", "invalid UTF-8 at column 13");
  REJECT("{\"a\":\"x\ty\xff\"}", "invalid UTF-8 at column 10");
  /* valid non-ASCII; valid UTF-8 outside a string is a JSON error */
  REJECT("{\"a\":\xc3\xa9}", "invalid JSON at column 6: expected a value");
  if (ACCEPT(EV(",\"anonymous_id\":\"日本語 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf \xc2\x80\"")))
    CHECK_SLICE(ev.anon, "日本語 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf \xc2\x80");
}

static void test_escapes(void) {
  if (ACCEPT(EV(",\"anonymous_id\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"")))
    CHECK_SLICE(ev.anon, "\"\\/\b\f\n\r\t");
  if (ACCEPT(EV(",\"anonymous_id\":\"caf\\u00e9 \\u00E9 \\u65e5 \\uFFFF\"")))
    CHECK_SLICE(ev.anon, "caf\xc3\xa9 \xc3\xa9 \xe6\x97\xa5 \xef\xbf\xbf");
  /* a surrogate pair is one code point: U+1F600 */
  if (ACCEPT(EV(",\"anonymous_id\":\"a\\ud83d\\ude00b\\uDBFF\\uDFFF\"")))
    CHECK_SLICE(ev.anon, "a\xf0\x9f\x98\x80" "b\xf4\x8f\xbf\xbf");
  /* unpaired surrogates cannot be UTF-8: rejected */
  REJECT("{\"a\":\"\\ud800\"}", "invalid JSON at column 7: unpaired surrogate in \\u escape");
  REJECT("{\"a\":\"x\\udc00\"}", "invalid JSON at column 8: unpaired surrogate in \\u escape");
  REJECT("{\"a\":\"\\ud800\\u0041\"}", "invalid JSON at column 7: unpaired surrogate in \\u escape");
  REJECT("{\"a\":\"\\ud800\\ud800\"}", "invalid JSON at column 7: unpaired surrogate in \\u escape");
  REJECT("{\"a\":\"\\udc00\\ud800\"}", "invalid JSON at column 7: unpaired surrogate in \\u escape");
  REJECT("{\"a\":\"\\ud800x\"}", "invalid JSON at column 7: unpaired surrogate in \\u escape");
  REJECT("{\"a\":\"\\ud800\\n\"}", "invalid JSON at column 7: unpaired surrogate in \\u escape");
  REJECT("{\"a\":\"\\ud800", "invalid JSON at column 7: unpaired surrogate in \\u escape");
  /* \u0000 is a valid, non-empty id */
  {
    static const char line[] =
        "{\"id\":\"\\u0000\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"a\\u0000b\"}";
    if (ACCEPT(line)) {
      CHECK_INT(ev.id.n, 1);
      CHECK_INT(ev.id.p[0], 0);
      CHECK_INT(ev.lead.n, 3);
      CHECK(memcmp(ev.lead.p, "a\0b", 3) == 0);
    }
  }
  /* escapes in the required fields are decoded before they are checked */
  if (ACCEPT("{\"\\u0069d\":\"\\u0065\\u0031\",\"type\":\"p\\u0061ge_view\","
             "\"time\":\"2026-03-01T09:15:00\\u005a\",\"lead\":\"L\"}")) {
    CHECK_SLICE(ev.id, "e1");
    CHECK_SLICE(ev.type, "page_view");
    CHECK_INT(ev.time.sec, T0);
  }
  /* many escaped strings in one line: all slices stay valid */
  if (ACCEPT("{\"id\":\"\\u0041\",\"type\":\"\\u0042\",\"time\":\"2026-03-01T09:15:00Z\","
             "\"x\":[\"\\n\",\"\\n\",{\"\\u0063\":\"\\t\"}],\"lead\":\"\\u0044\\u0045\","
             "\"anonymous_id\":\"\\/\"}")) {
    CHECK_SLICE(ev.id, "A");
    CHECK_SLICE(ev.type, "B");
    CHECK_SLICE(ev.lead, "DE");
    CHECK_SLICE(ev.anon, "/");
  }
}

static void test_duplicates(void) {
  REJECT("{\"id\":\"a\",\"id\":\"b\"}", "duplicate key \"id\"");
  REJECT("{\"id\":\"a\",\"id\":\"a\"}", "duplicate key \"id\"");
  REJECT("{\"id\":\"a\",\"\\u0069d\":\"b\"}", "duplicate key \"id\"");
  REJECT("{\"\\u0069\\u0064\":\"a\",\"i\\u0064\":\"b\"}", "duplicate key \"id\"");
  REJECT(EV(",\"props\":{\"url\":\"a\",\"url\":\"a\"}"), "duplicate key \"url\"");
  REJECT(EV(",\"x\":[1,[{\"k\":1,\"j\":{},\"k\":2}]]"), "duplicate key \"k\"");
  REJECT(EV(",\"x\":{\"a\":{\"b\":{\"c\":1,\"c\":1}}}"), "duplicate key \"c\"");
  REJECT(EV(",\"x\":{\"a\":{\"b\":1},\"a\":2}"), "duplicate key \"a\"");
  REJECT(EV(",\"\":1,\"\":2"), "duplicate key \"\"");
  REJECT(EV(",\"\\u0000\":1,\"\\u0000\":2"), "duplicate key \"\\u0000\"");
  REJECT("{\"a\":1,\"a\":2}", "duplicate key \"a\""); /* before the missing id */
  REJECT("{\"\xc3\xa9\":1,\"\\u00e9\":2}", "duplicate key \"\xc3\xa9\"");
  REJECT(EV(",\"lead\":\"L2\""), "duplicate key \"lead\"");
  /* a syntax error later in the line wins over a duplicate */
  REJECT("{\"a\":1,\"a\":2,}", "invalid JSON at column 14: expected a string key");
  /* not duplicates: different objects, nesting, case, decoded bytes */
  ACCEPT(EV(",\"x\":{\"k\":1},\"y\":{\"k\":1},\"z\":[{\"k\":1},{\"k\":1}]"));
  ACCEPT(EV(",\"k\":{\"k\":{\"k\":1}}"));
  ACCEPT(EV(",\"a\":1,\"A\":1,\"a \":1,\"\\u00e9\":1,\"e\\u0301\":1"));
  /* props keys are checked against each other, not against the schema */
  ACCEPT(EV(",\"props\":{\"url\":\"a\",\"obj\":{\"url\":\"b\"}}"));
}

/* {BASE, "lead", "k0":0, ..., "k<n-1>":n-1} with keys[a] renamed to keys[b] */
static char *big_object(int n, int a, int b) {
  size_t cap = (size_t)n * 24 + 256, len;
  char *s = (char *)malloc(cap);
  len = (size_t)snprintf(s, cap, "%s", EV(""));
  len--; /* drop the closing brace */
  for (int i = 0; i < n; i++)
    len += (size_t)snprintf(s + len, cap - len, ",\"k%d\":%d", i == a ? b : i, i);
  snprintf(s + len, cap - len, "}");
  return s;
}

static void test_many_keys(void) {
  char *s;
  s = big_object(5000, -1, -1);
  ACCEPT_S(s);
  free(s);
  s = big_object(5000, 4999, 2500); /* late duplicate of a middle key */
  CHECK_INT(parse_n(s, strlen(s)), LS_LINE_REJECT);
  CHECK_STR(ls_event_parser_reason(P), "duplicate key \"k2500\"");
  free(s);
  s = big_object(5000, 3, 4000); /* an early key repeated much later */
  CHECK_INT(parse_n(s, strlen(s)), LS_LINE_REJECT);
  CHECK_STR(ls_event_parser_reason(P), "duplicate key \"k4000\"");
  free(s);
  s = big_object(17, 16, 0); /* just past the linear threshold */
  CHECK_INT(parse_n(s, strlen(s)), LS_LINE_REJECT);
  CHECK_STR(ls_event_parser_reason(P), "duplicate key \"k0\"");
  free(s);
  s = big_object(12, 11, 0); /* the top object has 4 more keys */
  CHECK_INT(parse_n(s, strlen(s)), LS_LINE_REJECT);
  CHECK_STR(ls_event_parser_reason(P), "duplicate key \"k0\"");
  free(s);
  s = big_object(30, 29, -7); /* "k-7": no duplicate */
  ACCEPT_S(s);
  free(s);
}

static void test_deep(void) {
  const int n = 100000;
  size_t cap = (size_t)n * 6 + 256, len;
  char *s = (char *)malloc(cap);
  /* 100000 '[' inside an event */
  len = (size_t)snprintf(s, cap, "%s", EV(",\"x\":"));
  len--;
  for (int i = 0; i < n; i++) s[len++] = '[';
  for (int i = 0; i < n; i++) s[len++] = ']';
  s[len++] = '}';
  s[len] = '\0';
  if (ACCEPT_S(s)) CHECK_SLICE(ev.id, "e1");
  /* unclosed */
  len = (size_t)snprintf(s, cap, "%s", EV(",\"x\":"));
  len--;
  for (int i = 0; i < n; i++) s[len++] = '[';
  CHECK_INT(parse_n(s, len), LS_LINE_REJECT);
  /* 100000 nested objects, same key at every level */
  len = (size_t)snprintf(s, cap, "%s", EV(""));
  len--;
  for (int i = 0; i < n; i++) {
    memcpy(s + len, &",\"a\":{"[i > 0], 6 - (size_t)(i > 0));
    len += 6 - (i > 0);
  }
  for (int i = 0; i < n; i++) s[len++] = '}';
  s[len++] = '}';
  s[len] = '\0';
  ACCEPT_S(s);
  free(s);
}

static void test_deep_dup(void) {
  const int n = 100000;
  size_t cap = (size_t)n * 9 + 256, len;
  char *s = (char *)malloc(cap);
  len = (size_t)snprintf(s, cap, "%s", EV(""));
  len--;
  for (int i = 0; i < n; i++) {
    memcpy(s + len, &",\"a\":[{"[i > 0], 7 - (size_t)(i > 0));
    len += 7 - (i > 0);
  }
  memcpy(s + len, "\"b\":1,\"b\":2", 11);
  len += 11;
  for (int i = 0; i < n; i++) {
    memcpy(s + len, "}]", 2);
    len += 2;
  }
  s[len++] = '}';
  CHECK_INT(parse_n(s, len), LS_LINE_REJECT);
  CHECK_STR(ls_event_parser_reason(P), "duplicate key \"b\"");
  free(s);
}

static void test_required(void) {
  REJECT("{}", "missing \"id\"");
  REJECT("{\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}", "missing \"id\"");
  REJECT("{\"id\":\"e\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}", "missing \"type\"");
  REJECT("{\"id\":\"e\",\"type\":\"t\",\"lead\":\"L\"}", "missing \"time\"");
  REJECT("{\"id\":\"\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}",
         "\"id\" is not a non-empty string");
  REJECT("{\"id\":5,\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}",
         "\"id\" is not a non-empty string");
  REJECT("{\"id\":null,\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}",
         "\"id\" is not a non-empty string");
  REJECT("{\"id\":[\"e\"],\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}",
         "\"id\" is not a non-empty string");
  REJECT("{\"id\":\"e\",\"type\":{},\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}",
         "\"type\" is not a non-empty string");
  REJECT("{\"id\":\"e\",\"type\":\"t\",\"time\":1772356500,\"lead\":\"L\"}",
         "\"time\" is not a non-empty string");
  REJECT("{\"id\":\"e\",\"type\":\"t\",\"time\":\"\",\"lead\":\"L\"}",
         "\"time\" is not a non-empty string");
  REJECT("{\"id\":\"e\",\"type\":\"t\",\"time\":\"2026-02-29T09:15:00Z\",\"lead\":\"L\"}",
         "invalid time \"2026-02-29T09:15:00Z\"");
  REJECT("{\"id\":\"e\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:60Z\",\"lead\":\"L\"}",
         "invalid time \"2026-03-01T09:15:60Z\"");
  REJECT("{\"id\":\"e\",\"type\":\"t\",\"time\":\" 2026-03-01T09:15:00Z\",\"lead\":\"L\"}",
         "invalid time \" 2026-03-01T09:15:00Z\"");
  REJECT("{\"id\":\"e\",\"type\":\"t\",\"time\":\"now\\n\\\"x\\\"\",\"lead\":\"L\"}",
         "invalid time \"now\\u000a\\\"x\\\"\"");
  /* the missing field is named in the order id, type, time */
  REJECT("{\"time\":5,\"type\":5}", "missing \"id\"");
  REJECT("{\"time\":5,\"id\":\"e\",\"type\":5}", "\"type\" is not a non-empty string");
  /* names are case-sensitive */
  REJECT("{\"ID\":\"e\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}",
         "missing \"id\"");
}

static void test_identity(void) {
  REJECT("{" BASE "}", "no identity (lead, email or anonymous_id)");
  REJECT("{" BASE ",\"lead\":\"\",\"email\":\"\",\"anonymous_id\":\"\"}",
         "no identity (lead, email or anonymous_id)");
  REJECT("{" BASE ",\"lead\":123,\"email\":null,\"anonymous_id\":[\"a\"]}",
         "no identity (lead, email or anonymous_id)");
  REJECT("{" BASE ",\"lead\":{\"id\":\"L\"},\"email\":true}",
         "no identity (lead, email or anonymous_id)");
  REJECT("{" BASE ",\"email\":\" \\t\\n\\r\\f\\u000b \"}",
         "no identity (lead, email or anonymous_id)");
  REJECT("{" BASE ",\"Lead\":\"L\",\"anonymousId\":\"a\"}",
         "no identity (lead, email or anonymous_id)");

  if (ACCEPT("{" BASE ",\"lead\":5,\"anonymous_id\":\"a1\"}")) {
    CHECK(ev.lead.p == NULL && ev.lead.n == 0);
    CHECK_SLICE(ev.anon, "a1");
  }
  if (ACCEPT("{" BASE ",\"lead\":\" L 1 \",\"email\":\"\"}")) {
    CHECK_SLICE(ev.lead, " L 1 "); /* lead is used byte for byte */
    CHECK(ev.email.p == NULL && ev.email.n == 0);
  }
  /* email: trimmed of ASCII white space, ASCII letters lower-cased */
  if (ACCEPT("{" BASE ",\"email\":\" \\t Jane.Doe@Example.COM\\r\\n\"}"))
    CHECK_SLICE(ev.email, "jane.doe@example.com");
  if (ACCEPT("{" BASE ",\"email\":\"\\u000bA@B\\f\"}")) CHECK_SLICE(ev.email, "a@b");
  if (ACCEPT("{" BASE ",\"email\":\"\xc3\x89VE@X.COM\"}"))
    CHECK_SLICE(ev.email, "\xc3\x89ve@x.com"); /* no Unicode folding */
  if (ACCEPT("{" BASE ",\"email\":\"\xc2\xa0" "a@b\"}"))
    CHECK_SLICE(ev.email, "\xc2\xa0" "a@b"); /* NBSP is not ASCII white space */
  if (ACCEPT("{" BASE ",\"email\":\"a b@c\"}")) CHECK_SLICE(ev.email, "a b@c");
  {
    static const char line[] = "{" BASE ",\"email\":\" x@y.z\"}";
    if (ACCEPT(line)) {
      CHECK_SLICE(ev.email, "x@y.z");
      CHECK(ev.email.p == strstr(line, "x@y.z")); /* nothing to lower: borrowed */
    }
  }
  /* an email that is only white space is absent, the lead still counts */
  if (ACCEPT("{" BASE ",\"email\":\"  \",\"lead\":\"L9\"}")) {
    CHECK(ev.email.p == NULL && ev.email.n == 0);
    CHECK_SLICE(ev.lead, "L9");
  }
  if (ACCEPT("{" BASE ",\"lead\":\"L\",\"email\":\"A@B\",\"anonymous_id\":\"c\"}")) {
    CHECK_SLICE(ev.lead, "L");
    CHECK_SLICE(ev.email, "a@b");
    CHECK_SLICE(ev.anon, "c");
  }
}

static void test_props(void) {
  /* every kind; non-schema keys skipped; raw text for numbers and containers */
  static const char line[] = EV(
      ",\"props\":{\"url\":\"/pricing\\u002fx\",\"n\":-1.50e+3,\"t\":true,"
      "\"f\":false,\"z\":null,\"obj\":{ \"a\" : [1, 2] },\"arr\":[ ],"
      "\"other\":{\"url\":\"nested\"},\"\":\"empty key\"}");
  if (ACCEPT(line)) {
    CHECK_INT(ev.props[P_URL].kind, LS_J_STRING);
    CHECK_SLICE(ev.props[P_URL].s, "/pricing/x");
    CHECK_INT(ev.props[P_N].kind, LS_J_NUMBER);
    CHECK_SLICE(ev.props[P_N].s, "-1.50e+3");
    CHECK_INT(ev.props[P_T].kind, LS_J_TRUE);
    CHECK_INT(ev.props[P_F].kind, LS_J_FALSE);
    CHECK_INT(ev.props[P_Z].kind, LS_J_NULL);
    CHECK_INT(ev.props[P_OBJ].kind, LS_J_OBJECT);
    CHECK_SLICE(ev.props[P_OBJ].s, "{ \"a\" : [1, 2] }");
    CHECK_INT(ev.props[P_ARR].kind, LS_J_ARRAY);
    CHECK_SLICE(ev.props[P_ARR].s, "[ ]");
    CHECK_INT(ev.props[P_REF].kind, LS_J_ABSENT);
    CHECK_INT(ev.props[P_EMPTY].kind, LS_J_STRING);
    CHECK_SLICE(ev.props[P_EMPTY].s, "empty key");
    CHECK_INT(ev.props[P_URL2].kind, LS_J_STRING);
    CHECK_SLICE(ev.props[P_URL2].s, "/pricing/x");
    for (int i = 0; i < NA; i++) CHECK_INT(ev.attrs[i].kind, LS_J_ABSENT);
  }
  /* an empty string is a (present) string */
  if (ACCEPT(EV(",\"props\":{\"url\":\"\"}"))) {
    CHECK_INT(ev.props[P_URL].kind, LS_J_STRING);
    CHECK(ev.props[P_URL].s.p != NULL && ev.props[P_URL].s.n == 0);
  }
  /* props that is not an object: everything absent */
  static const char *const not_obj[] = {
      EV(",\"props\":\"url\""), EV(",\"props\":null"),
      EV(",\"props\":[{\"url\":\"x\"}]"), EV(",\"props\":1"),
  };
  for (size_t k = 0; k < sizeof not_obj / sizeof *not_obj; k++) {
    if (!ACCEPT_S(not_obj[k])) continue;
    for (int i = 0; i < NP; i++) CHECK_INT(ev.props[i].kind, LS_J_ABSENT);
  }
  /* values of an earlier line do not leak into the next one */
  ACCEPT(EV(",\"props\":{\"url\":\"a\"}"));
  if (ACCEPT(EV(""))) CHECK_INT(ev.props[P_URL].kind, LS_J_ABSENT);
  /* attrs are separate from props; only direct members of the top-level
   * props / attrs count; keys match after decoding */
  if (ACCEPT(EV(",\"attrs\":{\"source\":\"web_inquiry\",\"url\":1,\"\\u00e9\":\"x\"},"
                "\"url\":\"top\",\"x\":{\"props\":{\"url\":\"deep\"}}"))) {
    CHECK_INT(ev.props[P_URL].kind, LS_J_ABSENT);
    CHECK_INT(ev.attrs[A_SOURCE].kind, LS_J_STRING);
    CHECK_SLICE(ev.attrs[A_SOURCE].s, "web_inquiry");
    CHECK_INT(ev.attrs[A_URL].kind, LS_J_NUMBER);
    CHECK_SLICE(ev.attrs[A_URL].s, "1");
    CHECK_INT(ev.attrs[A_E].kind, LS_J_STRING);
    CHECK_SLICE(ev.attrs[A_E].s, "x");
  }
  if (ACCEPT(EV(",\"pr\\u006fps\":{\"\\u0075rl\":\"u\"}"))) {
    CHECK_INT(ev.props[P_URL].kind, LS_J_STRING);
    CHECK_SLICE(ev.props[P_URL].s, "u");
  }
  /* a captured key repeated many times (a duplicate found only when the
   * object closes) leaves nothing behind for the next line */
  {
    char line[2048];
    size_t len = (size_t)snprintf(line, sizeof line, "%s", EV(",\"props\":{"));
    len--;
    for (int k = 0; k < 40; k++)
      len += (size_t)snprintf(line + len, sizeof line - len, "%s\"url\":\"%d\",\"n\":%d",
                              k ? "," : "", k, k);
    len += (size_t)snprintf(line + len, sizeof line - len, "}}");
    CHECK_INT(parse_n(line, len), LS_LINE_REJECT);
    CHECK_STR(ls_event_parser_reason(P), "duplicate key \"url\"");
    if (ACCEPT(EV(",\"props\":{\"t\":true}"))) {
      CHECK_INT(ev.props[P_URL].kind, LS_J_ABSENT);
      CHECK_INT(ev.props[P_URL2].kind, LS_J_ABSENT);
      CHECK_INT(ev.props[P_N].kind, LS_J_ABSENT);
      CHECK_INT(ev.props[P_T].kind, LS_J_TRUE);
    }
  }
  /* invalid content in members nobody reads is still rejected */
  REJECT(EV(",\"props\":{\"other\":[1,]}"), "invalid JSON at column 85: expected a value");
}

static void test_content_hash(void) {
  uint64_t h = H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
                 "\"props\":{\"a\":1,\"b\":[1,\"x\",{\"c\":null,\"d\":true}]}}");
  /* member order (at any depth) and white space do not matter */
  CHECK(H("{ \"props\" : { \"b\" : [ 1 , \"x\" , { \"d\" : true , \"c\" : null } ] , \"a\" : 1 } ,"
          " \"lead\":\"L\", \"time\":\"2026-03-01T09:15:00Z\",\"type\":\"t\",\"id\":\"e1\" }") == h);
  /* escapes are decoded; numbers compare by value */
  CHECK(H("{\"id\":\"e\\u0031\",\"type\":\"\\u0074\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1.0,\"b\":[10e-1,\"\\u0078\",{\"c\":null,\"d\":true}]}}") == h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":0.1e1,\"b\":[1E0,\"x\",{\"c\":null,\"d\":true}]}}") == h);
  /* any change of a value changes it */
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":2,\"b\":[1,\"x\",{\"c\":null,\"d\":true}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":\"1\",\"b\":[1,\"x\",{\"c\":null,\"d\":true}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":[\"x\",1,{\"c\":null,\"d\":true}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":[1,\"x\",{\"c\":null,\"d\":false}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":[1,\"x\",{\"c\":null}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":[1,\"x\",{\"c\":null,\"d\":true}],\"e\":null}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":[1,\"x \",{\"c\":null,\"d\":true}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"A\":1,\"b\":[1,\"x\",{\"c\":null,\"d\":true}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00+00:00\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":[1,\"x\",{\"c\":null,\"d\":true}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":[[1],\"x\",{\"c\":null,\"d\":true}]}}") != h);
  CHECK(H("{\"id\":\"e1\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\","
          "\"props\":{\"a\":1,\"b\":{\"0\":1,\"1\":\"x\",\"2\":{\"c\":null,\"d\":true}}}}") != h);
  /* swapping two values between keys */
  CHECK(H(EV(",\"p\":1,\"q\":2")) != H(EV(",\"p\":2,\"q\":1")));
  CHECK(H(EV(",\"p\":{\"a\":1,\"b\":2}")) != H(EV(",\"p\":{\"a\":2,\"b\":1}")));
  /* a key moved into a nested object */
  CHECK(H(EV(",\"p\":{},\"a\":1")) != H(EV(",\"p\":{\"a\":1}")));
  /* numbers: value equality, -0 == 0, types kept apart */
  CHECK(H(EV(",\"n\":100")) == H(EV(",\"n\":1e2")));
  CHECK(H(EV(",\"n\":100")) == H(EV(",\"n\":1.00E+2")));
  CHECK(H(EV(",\"n\":100")) == H(EV(",\"n\":100000e-3")));
  CHECK(H(EV(",\"n\":0.0012")) == H(EV(",\"n\":12e-4")));
  CHECK(H(EV(",\"n\":0")) == H(EV(",\"n\":-0.0e7")));
  CHECK(H(EV(",\"n\":-5")) != H(EV(",\"n\":5")));
  CHECK(H(EV(",\"n\":12")) != H(EV(",\"n\":21")));
  CHECK(H(EV(",\"n\":12")) != H(EV(",\"n\":1.2")));
  CHECK(H(EV(",\"n\":12")) != H(EV(",\"n\":120")));
  CHECK(H(EV(",\"n\":101")) != H(EV(",\"n\":11")));
  CHECK(H(EV(",\"n\":1")) != H(EV(",\"n\":true")));
  CHECK(H(EV(",\"n\":0")) != H(EV(",\"n\":false")));
  CHECK(H(EV(",\"n\":0")) != H(EV(",\"n\":null")));
  CHECK(H(EV(",\"n\":null")) != H(EV("")));
  CHECK(H(EV(",\"n\":\"\"")) != H(EV(",\"n\":null")));
  CHECK(H(EV(",\"n\":[]")) != H(EV(",\"n\":{}")));
  CHECK(H(EV(",\"n\":[]")) != H(EV(",\"n\":[[]]")));
  CHECK(H(EV(",\"n\":[1,2]")) != H(EV(",\"n\":[2,1]")));
  CHECK(H(EV(",\"n\":\"ab\"")) != H(EV(",\"n\":\"ba\"")));
  CHECK(H(EV(",\"n\":\"01234567890123456789x\"")) != H(EV(",\"n\":\"01234567890123456789y\"")));
  CHECK(H(EV(",\"n\":\"01234567890123456789x\"")) ==
        H(EV(",\"n\":\"0123456789\\u00301234567\\u00389x\"")));
  /* the id is part of the content */
  CHECK(H("{\"id\":\"a\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}") !=
        H("{\"id\":\"b\",\"type\":\"t\",\"time\":\"2026-03-01T09:15:00Z\",\"lead\":\"L\"}"));
}

static void test_reason_length(void) {
  char *s = (char *)malloc(4096);
  size_t len = 0;
  const char *why;
  len += (size_t)sprintf(s, "{\"");
  for (int i = 0; i < 1000; i++) s[len++] = "abc\xc3\xa9"[i % 5];
  len += (size_t)sprintf(s + len, "\":1,\"");
  for (int i = 0; i < 1000; i++) s[len++] = "abc\xc3\xa9"[i % 5];
  len += (size_t)sprintf(s + len, "\":2}");
  CHECK_INT(parse_n(s, len), LS_LINE_REJECT);
  why = ls_event_parser_reason(P);
  CHECK(strlen(why) <= 200);
  CHECK(strncmp(why, "duplicate key \"abc\xc3\xa9" "abc", 23) == 0);
  CHECK(strcmp(why + strlen(why) - 4, "...\"") == 0);
  /* at most 64 bytes of the key, cut on a character boundary: 12 groups of
   * "abc\xc3\xa9" and "abc" (63 bytes); the next "\xc3\xa9" would pass 64 */
  CHECK_INT(strlen(why), strlen("duplicate key \"\"...") + 63);
  /* escapes count against the same bound */
  len = (size_t)sprintf(s, "{\"id\":\"e\",\"type\":\"t\",\"time\":\"");
  for (int i = 0; i < 300; i++) len += (size_t)sprintf(s + len, "\\u0001");
  len += (size_t)sprintf(s + len, "\",\"lead\":\"L\"}");
  CHECK_INT(parse_n(s, len), LS_LINE_REJECT);
  why = ls_event_parser_reason(P);
  CHECK(strlen(why) <= 200);
  CHECK(strncmp(why, "invalid time \"\\u0001\\u0001", 26) == 0);
  free(s);
}

static void test_long_line(void) {
  size_t n = (size_t)1 << 21, len;
  char *s = (char *)malloc(n + 256);
  len = (size_t)snprintf(s, n + 256, "%s", EV(",\"props\":{\"url\":\""));
  len -= 1; /* the closing brace EV added */
  for (size_t i = 0; i < n; i++) s[len++] = (char)('a' + i % 26);
  memcpy(s + len, "\\n\"}}", 5);
  len += 5;
  if (check_event(s, len, __LINE__)) {
    CHECK_INT(ev.props[P_URL].s.n, n + 1);
    CHECK(ev.props[P_URL].s.p[n] == '\n');
    CHECK(ev.props[P_URL].s.p[n - 1] == (char)('a' + (n - 1) % 26));
  }
  free(s);
}

static void test_hash_bytes(void) {
  CHECK(ls_hash_bytes("abc", 3) == ls_hash_bytes("abc", 3));
  CHECK(ls_hash_bytes("abc", 3) != ls_hash_bytes("abd", 3));
  CHECK(ls_hash_bytes("abc", 3) != ls_hash_bytes("abc", 2));
  CHECK(ls_hash_bytes("", 0) == ls_hash_bytes(NULL, 0));
  CHECK(ls_hash_bytes("\0", 1) != ls_hash_bytes("", 0));
  CHECK(ls_hash_bytes("\0", 1) != ls_hash_bytes("\0\0", 2));
  {
    /* every 1-bit change of a 40-byte input changes the hash */
    unsigned char buf[40];
    uint64_t h0;
    int all = 1;
    memset(buf, 'x', sizeof buf);
    h0 = ls_hash_bytes(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf * 8; i++) {
      buf[i / 8] ^= (unsigned char)(1u << (i % 8));
      all &= ls_hash_bytes(buf, sizeof buf) != h0;
      buf[i / 8] ^= (unsigned char)(1u << (i % 8));
    }
    CHECK(all);
  }
}

int main(void) {
  ls_event_schema schema = {prop_keys, NP, attr_keys, NA};
  P = ls_event_parser_new(&schema);
  CHECK(P != NULL);
  if (P == NULL) return ls_test_done();
  test_typical();
  test_blank();
  test_trailing_cr();
  test_not_object();
  test_syntax_columns();
  test_utf8();
  test_escapes();
  test_duplicates();
  test_many_keys();
  test_deep();
  test_deep_dup();
  test_required();
  test_identity();
  test_props();
  test_content_hash();
  test_reason_length();
  test_long_line();
  test_hash_bytes();
  ls_event_parser_destroy(P);
  ls_event_parser_destroy(NULL);
  {
    /* an empty schema works too */
    ls_event_schema none = {NULL, 0, NULL, 0};
    ls_event_parser *q = ls_event_parser_new(&none);
    ls_event_fields f;
    static const char line[] = EV(",\"props\":{\"url\":\"x\"}");
    CHECK(q != NULL);
    if (q) {
      CHECK_INT(ls_event_parse(q, line, sizeof line - 1, &f), LS_LINE_EVENT);
      ls_event_parser_destroy(q);
    }
  }
  return ls_test_done();
}
