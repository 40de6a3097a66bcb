/* Per-event predicates (ls_model_eval_preds) and the URL path (spec §9). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ls_test.h"
#include "model/ir.h"

static const char *path_of(const char *url, char *buf) {
  ls_slice p = ls__url_path((ls_slice){url, strlen(url)});
  memcpy(buf, p.p ? p.p : "", p.n);
  buf[p.n] = 0;
  return buf;
}

static void test_url_path(void) {
  char b[256];
  /* spec §4, §9 */
  CHECK_STR(path_of("https://acme.example/pricing?x=1", b), "/pricing");
  CHECK_STR(path_of("/pricing/enterprise", b), "/pricing/enterprise");
  CHECK_STR(path_of("https://acme.example?x=/pricing", b), "");
  CHECK_STR(path_of("https://acme.example", b), "");
  CHECK_STR(path_of("https://acme.example#/pricing", b), "");
  CHECK_STR(path_of("/pricingx", b), "/pricingx");
  /* `#` ends the path; so does the first of `?`/`#` */
  CHECK_STR(path_of("/pricing#plans", b), "/pricing");
  CHECK_STR(path_of("https://acme.example/pricing#x?y", b), "/pricing");
  CHECK_STR(path_of("https://acme.example/a?b#c", b), "/a");
  CHECK_STR(path_of("https://acme.example/#pricing", b), "/");
  /* no "://": the text before ? or # */
  CHECK_STR(path_of("pricing", b), "pricing");
  CHECK_STR(path_of("?x=/pricing", b), "");
  CHECK_STR(path_of("#/pricing", b), "");
  CHECK_STR(path_of("", b), "");
  CHECK_STR(path_of("mailto:a@b", b), "mailto:a@b");
  /* the first "://" counts; nothing is decoded or case-folded */
  CHECK_STR(path_of("http://a/b://c/d", b), "/b://c/d");
  CHECK_STR(path_of("HTTPS://ACME.EXAMPLE/Pricing%20x", b), "/Pricing%20x");
  CHECK_STR(path_of("://x/y", b), "/y");
  CHECK_STR(path_of("https:/acme.example/pricing", b), "https:/acme.example/pricing");
  ls_slice none = ls__url_path((ls_slice){NULL, 0});
  CHECK_INT(none.n, 0);
}

/* ---- evaluation ---- */

static const char *model_text =
    "leadscore: 1\n"
    "name: preds\n"
    "scores: [{name: s}]\n"
    "stages: [{name: a, initial: true}]\n"
    "rules:\n"
    "  - {id: pricing, points: 1, if: [{prop: url, path_prefix: /pricing}]}\n"
    "  - {id: acme, points: 1, if: [{prop: query, contains_ci: acme}]}\n"
    "  - {id: acme_up, points: 1, if: [{prop: query, contains_ci: ACME}]}\n"
    "  - {id: umlaut, points: 1, if: [{prop: query, contains_ci: \"\xc3\x84" "b\"}]}\n"
    "  - {id: equals, points: 1, if: [{prop: query, equals: acme}]}\n"
    "  - {id: not_equals, points: 1, if: [{prop: query, equals: acme, not: true}]}\n"
    "  - {id: in, points: 1, if: [{prop: query, in: [a, b, \"\"]}]}\n"
    "  - {id: prefix, points: 1, if: [{prop: query, prefix: ac}]}\n"
    "  - {id: gt, points: 1, if: [{prop: n, gt: 10}]}\n"
    "  - {id: gte, points: 1, if: [{prop: n, gte: 10}]}\n"
    "  - {id: lt, points: 1, if: [{prop: n, lt: -0.5}]}\n"
    "  - {id: lte, points: 1, if: [{prop: n, lte: 10}]}\n"
    "  - {id: eq, points: 1, if: [{prop: n, eq: 10}]}\n"
    "  - {id: ne, points: 1, if: [{prop: n, ne: 10}]}\n"
    "  - {id: not_gt, points: 1, if: [{prop: n, gt: 10, not: true}]}\n"
    "  - {id: present, points: 1, if: [{prop: n, present: true}]}\n"
    "  - {id: absent, points: 1, if: [{prop: n, present: true, not: true}]}\n"
    "  - {id: n_is_5, points: 1, if: [{prop: n, equals: \"5\"}]}\n"
    "  - {id: n_is_true, points: 1, if: [{prop: n, equals: \"true\"}]}\n"
    "  - {id: source, points: 1, if: [{attr: source, equals: web}]}\n"
    "  - {id: nul, points: 1, if: [{prop: query, equals: \"a\\0b\"}]}\n";

typedef struct fixture {
  ls_model *m;
  ls_jvalue props[8], attrs[8];
  uint64_t bits[4];
} fixture;

static size_t key_index(const ls_slice *keys, size_t n, const char *k) {
  for (size_t i = 0; i < n; i++)
    if (keys[i].n == strlen(k) && !memcmp(keys[i].p, k, keys[i].n)) return i;
  fprintf(stderr, "no key %s\n", k);
  abort();
}

static void set(fixture *f, int src, const char *key, ls_jkind kind,
                const char *text) {
  const ls_event_schema *s = ls_model_schema(f->m);
  ls_jvalue *v = src == LS__SRC_PROP
                     ? &f->props[key_index(s->prop_keys, s->nprops, key)]
                     : &f->attrs[key_index(s->attr_keys, s->nattrs, key)];
  v->kind = kind;
  v->s.p = text;
  v->s.n = text ? strlen(text) : 0;
}

static void clear(fixture *f) {
  memset(f->props, 0, sizeof f->props);
  memset(f->attrs, 0, sizeof f->attrs);
}

/* Evaluates the current event; returns whether rule `id`'s set holds. */
static bool holds(fixture *f, const char *id) {
  ls_event_fields ev;
  memset(&ev, 0, sizeof ev);
  ev.props = f->props;
  ev.attrs = f->attrs;
  memset(f->bits, 0xff, sizeof f->bits); /* must be cleared by eval */
  ls_model_eval_preds(f->m, &ev, f->bits);
  for (size_t i = 0; i < f->m->nrules; i++)
    if (!strcmp(f->m->rules[i].id, id))
      return ls__predset_holds(f->m, f->m->rules[i].preds, f->bits);
  fprintf(stderr, "no rule %s\n", id);
  abort();
}

static void test_eval(void) {
  fixture f;
  ls_diag d;
  memset(&f, 0, sizeof f);
  int r = ls_model_load(model_text, strlen(model_text), &f.m, &d);
  CHECK_INT(r, LS_OK);
  if (r) {
    fprintf(stderr, "%u:%u: %s\n", d.line, d.col, d.msg);
    return;
  }
  CHECK_INT(ls_model_pred_words(f.m), 1);
  CHECK_INT(ls_model_schema(f.m)->nprops, 3);

  /* path_prefix: only the path counts; a plain byte prefix */
  static const struct {
    const char *url;
    bool match;
  } urls[] = {
      {"https://acme.example/pricing?x=1", true},
      {"/pricing/enterprise", true},
      {"https://acme.example?x=/pricing", false},
      {"https://acme.example", false},
      {"/pricingx", true},
      {"/pricing#plans", true},
      {"/pric#ing", false},
      {"/Pricing", false},
      {"pricing", false},
      {"https://acme.example/careers?next=/pricing", false},
  };
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    clear(&f);
    set(&f, LS__SRC_PROP, "url", LS_J_STRING, urls[i].url);
    bool got = holds(&f, "pricing");
    CHECK(got == urls[i].match);
    if (got != urls[i].match) fprintf(stderr, "  url %s\n", urls[i].url);
  }
  clear(&f);
  set(&f, LS__SRC_PROP, "url", LS_J_NUMBER, "1");
  CHECK(!holds(&f, "pricing"));
  clear(&f);
  CHECK(!holds(&f, "pricing"));

  /* contains_ci: ASCII folding only, both sides */
  static const struct {
    const char *q;
    bool acme, umlaut;
  } qs[] = {
      {"ACME", true, false},
      {"AcMe cloud", true, false},
      {"the acme", true, false},
      {"acm e", false, false},
      {"\xef\xbd\x81\xef\xbd\x83\xef\xbd\x8d\xef\xbd\x85", false, false}, /* ａｃｍｅ */
      {"x\xc3\x84" "B", false, true}, /* ÄB: B folds, Ä is the same bytes */
      {"x\xc3\xa4" "b", false, false}, /* äb: non-ASCII letters not folded */
      {"", false, false},
  };
  for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
    clear(&f);
    set(&f, LS__SRC_PROP, "query", LS_J_STRING, qs[i].q);
    CHECK(holds(&f, "acme") == qs[i].acme);
    CHECK(holds(&f, "acme_up") == qs[i].acme);
    CHECK(holds(&f, "umlaut") == qs[i].umlaut);
  }

  /* equals, in, prefix, not */
  clear(&f);
  set(&f, LS__SRC_PROP, "query", LS_J_STRING, "acme");
  CHECK(holds(&f, "equals"));
  CHECK(!holds(&f, "not_equals"));
  CHECK(holds(&f, "prefix"));
  CHECK(!holds(&f, "in"));
  set(&f, LS__SRC_PROP, "query", LS_J_STRING, "ACME");
  CHECK(!holds(&f, "equals"));
  CHECK(holds(&f, "not_equals"));
  CHECK(!holds(&f, "prefix"));
  set(&f, LS__SRC_PROP, "query", LS_J_STRING, "b");
  CHECK(holds(&f, "in"));
  set(&f, LS__SRC_PROP, "query", LS_J_STRING, "");
  CHECK(holds(&f, "in")); /* "" is in the list */
  CHECK(holds(&f, "not_equals"));
  set(&f, LS__SRC_PROP, "query", LS_J_STRING, "a\0b"); /* strlen: "a" */
  CHECK(holds(&f, "in"));
  CHECK(!holds(&f, "nul"));
  f.props[key_index(ls_model_schema(f.m)->prop_keys, 3, "query")].s.n = 3;
  CHECK(holds(&f, "nul")); /* "a\0b" (3 bytes) */
  CHECK(!holds(&f, "in"));
  /* absent: no string test holds; `not` inverts that too */
  clear(&f);
  CHECK(!holds(&f, "equals"));
  CHECK(holds(&f, "not_equals"));

  /* non-strings never match string tests */
  static const struct {
    ls_jkind kind;
    const char *text;
  } non[] = {{LS_J_NUMBER, "5"},     {LS_J_TRUE, "true"}, {LS_J_FALSE, "false"},
             {LS_J_NULL, "null"},    {LS_J_OBJECT, "{}"}, {LS_J_ARRAY, "[\"acme\"]"}};
  for (size_t i = 0; i < sizeof non / sizeof non[0]; i++) {
    clear(&f);
    set(&f, LS__SRC_PROP, "n", non[i].kind, non[i].text);
    CHECK(!holds(&f, "n_is_5"));
    CHECK(!holds(&f, "n_is_true"));
    set(&f, LS__SRC_PROP, "query", non[i].kind, non[i].text);
    CHECK(!holds(&f, "equals"));
    CHECK(!holds(&f, "acme"));
    CHECK(!holds(&f, "prefix"));
    CHECK(!holds(&f, "in"));
    CHECK(holds(&f, "not_equals"));
  }
  clear(&f);
  set(&f, LS__SRC_PROP, "n", LS_J_STRING, "5");
  CHECK(holds(&f, "n_is_5"));

  /* numeric compares read JSON numbers only */
  static const struct {
    const char *num;
    bool gt, gte, lt, lte, eq, ne;
  } nums[] = {
      {"12", true, true, false, false, false, true},
      {"10", false, true, false, true, true, false},
      {"10.0", false, true, false, true, true, false},
      {"1e1", false, true, false, true, true, false},
      {"1.0E+1", false, true, false, true, true, false},
      {"9.999", false, false, false, true, false, true},
      {"-0.5", false, false, false, true, false, true},
      {"-0.50001", false, false, true, true, false, true},
      {"-1e400", false, false, true, true, false, true},
      {"1e400", true, true, false, false, false, true},
  };
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    clear(&f);
    set(&f, LS__SRC_PROP, "n", LS_J_NUMBER, nums[i].num);
    bool ok = holds(&f, "gt") == nums[i].gt && holds(&f, "gte") == nums[i].gte &&
              holds(&f, "lt") == nums[i].lt && holds(&f, "lte") == nums[i].lte &&
              holds(&f, "eq") == nums[i].eq && holds(&f, "ne") == nums[i].ne &&
              holds(&f, "not_gt") == !nums[i].gt && holds(&f, "present");
    CHECK(ok);
    if (!ok) fprintf(stderr, "  number %s\n", nums[i].num);
  }
  /* numbers longer than any buffer */
  char big[1200], tiny[1200], many[1200];
  big[0] = '1';
  memset(big + 1, '0', 1000);
  big[1001] = 0; /* 1e1000 */
  memcpy(tiny, "0.", 2);
  memset(tiny + 2, '0', 1000);
  memcpy(tiny + 1002, "11", 3); /* 1.1e-1002 */
  memcpy(many, "10.", 3);
  memset(many + 3, '0', 1100);
  memcpy(many + 1103, "1", 2); /* just above 10 */
  clear(&f);
  set(&f, LS__SRC_PROP, "n", LS_J_NUMBER, big);
  CHECK(holds(&f, "gt"));
  set(&f, LS__SRC_PROP, "n", LS_J_NUMBER, tiny);
  CHECK(holds(&f, "lte") && !holds(&f, "lt") && !holds(&f, "gt"));
  set(&f, LS__SRC_PROP, "n", LS_J_NUMBER, many);
  CHECK(holds(&f, "gte") && holds(&f, "eq")); /* rounds to 10.0 */
  /* strings are not numbers */
  clear(&f);
  set(&f, LS__SRC_PROP, "n", LS_J_STRING, "12");
  CHECK(!holds(&f, "gt"));
  CHECK(holds(&f, "not_gt"));
  CHECK(!holds(&f, "ne"));

  /* present */
  static const struct {
    ls_jkind kind;
    const char *text;
    bool present;
  } pres[] = {{LS_J_STRING, "x", true},  {LS_J_STRING, "", false},
              {LS_J_NUMBER, "0", true},  {LS_J_TRUE, "true", true},
              {LS_J_FALSE, "false", true}, {LS_J_NULL, "null", false},
              {LS_J_OBJECT, "{}", false}, {LS_J_ARRAY, "[]", false},
              {LS_J_ABSENT, NULL, false}};
  for (size_t i = 0; i < sizeof pres / sizeof pres[0]; i++) {
    clear(&f);
    set(&f, LS__SRC_PROP, "n", pres[i].kind, pres[i].text);
    CHECK(holds(&f, "present") == pres[i].present);
    CHECK(holds(&f, "absent") == !pres[i].present);
  }

  /* attrs are read from ev->attrs */
  clear(&f);
  set(&f, LS__SRC_ATTR, "source", LS_J_STRING, "web");
  CHECK(holds(&f, "source"));
  set(&f, LS__SRC_PROP, "query", LS_J_STRING, "web");
  set(&f, LS__SRC_ATTR, "source", LS_J_STRING, "Web");
  CHECK(!holds(&f, "source"));
  ls_model_destroy(f.m);
}

/* More than 64 predicates: several words, bits in the right places. */
static void test_words(void) {
  char text[16384];
  size_t o = (size_t)snprintf(text, sizeof text,
                              "leadscore: 1\nname: words\nscores: [{name: s}]\n"
                              "stages: [{name: a, initial: true}]\nrules:\n");
  for (int i = 0; i < 130; i++)
    o += (size_t)snprintf(text + o, sizeof text - o,
                          "  - {id: r%d, points: 1, if: [{prop: k, equals: v%d}]}\n",
                          i, i);
  ls_model *m = NULL;
  ls_diag d;
  int r = ls_model_load(text, o, &m, &d);
  CHECK_INT(r, LS_OK);
  if (r) return;
  CHECK_INT(m->npreds, 130);
  CHECK_INT(ls_model_pred_words(m), 3);
  ls_jvalue props[1] = {{LS_J_STRING, {"v65", 3}}};
  ls_event_fields ev;
  memset(&ev, 0, sizeof ev);
  ev.props = props;
  uint64_t bits[3] = {~0ull, ~0ull, ~0ull};
  ls_model_eval_preds(m, &ev, bits);
  CHECK_INT(bits[0], 0);
  CHECK_INT(bits[1], 2); /* bit 65 */
  CHECK_INT(bits[2], 0);
  for (int i = 0; i < 130; i++)
    CHECK(ls__predset_holds(m, m->rules[i].preds, bits) == (i == 65));
  ls_model_destroy(m);
}

int main(void) {
  test_url_path();
  test_eval();
  test_words();
  return ls_test_done();
}
