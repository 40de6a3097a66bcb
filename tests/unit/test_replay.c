/* The replay: de-duplication, identity linking, person ids, as-of, and
 * properties on generated data (shuffle invariance, the ledger sums to the
 * score, split-and-linked identities equal one identity). */
#include <stdlib.h>
#include <string.h>

#include "leadscore/export.h"
#include "leadscore/replay.h"
#include "ls_test.h"

static ls_model *M;

/* Replays `lines` (NUL-separated list in an array) and returns the leads CSV
 * (caller frees); *st gets the stats. */
static char *run(const char *const *lines, size_t n, const char *as_of,
                 ls_replay_stats *st, ls_replay **keep) {
  ls_event_parser *p = ls_event_parser_new(ls_model_schema(M));
  ls_batch *b = ls_batch_new(M);
  ls_replay *r = ls_replay_new(M);
  for (size_t i = 0; i < n; i++) {
    ls_event_fields f;
    if (ls_event_parse(p, lines[i], strlen(lines[i]), &f) == LS_LINE_EVENT)
      ls_batch_push(b, &f);
    if (ls_batch_count(b) == 7) { /* odd batch size: batch borders must not matter */
      ls_replay_add_batch(r, b);
      ls_batch_clear(b);
    }
  }
  ls_replay_add_batch(r, b);
  ls_time t;
  if (as_of) ls_time_parse(as_of, strlen(as_of), &t);
  ls_replay_finish(r, as_of ? &t : NULL);
  if (st) *st = ls_replay_get_stats(r);
  ls_buf out = {0};
  ls_export_leads_header(M, &out);
  for (size_t i = 0; i < ls_replay_npersons(r); i++) {
    ls_person_row row = ls_replay_person(r, i);
    ls_export_leads_row(M, &row, &out);
  }
  ls_buf_append(&out, "", 1);
  if (keep) *keep = r;
  else ls_replay_destroy(r);
  ls_batch_destroy(b);
  ls_event_parser_destroy(p);
  return out.p;
}

static void test_identity_and_dedup(void) {
  static const char *const lines[] = {
      /* anon c1 browses, then identifies by e-mail; L9 is linked through the
       * e-mail later; the person id is the earliest lead id */
      "{\"id\":\"a1\",\"type\":\"page_view\",\"time\":\"2026-03-01T10:00:00Z\",\"anonymous_id\":\"c1\"}",
      "{\"id\":\"a2\",\"type\":\"identify\",\"time\":\"2026-03-01T10:05:00Z\",\"anonymous_id\":\"c1\",\"email\":\"Ann@X.example\"}",
      "{\"id\":\"a3\",\"type\":\"demo_view\",\"time\":\"2026-03-02T10:00:00Z\",\"lead\":\"L9\",\"email\":\" ann@x.EXAMPLE\"}",
      "{\"id\":\"a4\",\"type\":\"demo_view\",\"time\":\"2026-03-02T09:00:00Z\",\"lead\":\"L2\",\"email\":\"ann@x.example\"}",
      /* a duplicate (same content) and a conflict (other content): both ignored */
      "{\"type\":\"demo_view\",\"id\":\"a3\",\"time\":\"2026-03-02T10:00:00Z\",\"lead\":\"L9\",\"email\":\" ann@x.EXAMPLE\"}",
      "{\"id\":\"a3\",\"type\":\"webinar_attend\",\"time\":\"2026-03-02T10:00:00Z\",\"lead\":\"L9\"}",
      /* an anonymous-only person and an e-mail-only person */
      "{\"id\":\"b1\",\"type\":\"page_view\",\"time\":\"2026-03-01T00:00:00Z\",\"anonymous_id\":\"zz\"}",
      "{\"id\":\"c1\",\"type\":\"email_open\",\"time\":\"2026-03-01T00:00:00Z\",\"email\":\"bob@y.example\"}",
      /* after the as-of: ignored, but its id is claimed and it links nothing */
      "{\"id\":\"d1\",\"type\":\"demo_view\",\"time\":\"2026-08-01T00:00:00Z\",\"anonymous_id\":\"zz\",\"lead\":\"L1\"}",
      "{\"id\":\"d1\",\"type\":\"demo_view\",\"time\":\"2026-03-01T00:00:00Z\",\"anonymous_id\":\"zz\",\"lead\":\"L1\"}",
  };
  ls_replay_stats st;
  ls_replay *r;
  char *csv = run(lines, sizeof lines / sizeof *lines, "2026-07-01T00:00:00Z", &st, &r);
  CHECK_STR(csv,
            "lead_id,score,stage,mql_count,last_mql_at\n"
            "L2,0,prospect,0,\n"
            "anon:zz,0,anonymous,0,\n"
            "email:bob@y.example,0,prospect,0,\n");
  /* L2 (earliest lead by time): page 1 + demo 5 + demo 5 = 11; last
   * activity Mar 2 10:00, steps Apr 1 (-5) 6, May 1 (-5) 1, May 31 (-1) 0.
   * The second a3 line differs only in member order: a duplicate, not a
   * conflict. */
  CHECK_INT(st.events, 7);
  CHECK_INT(st.duplicates, 3);
  CHECK_INT(st.conflicts, 2);
  CHECK_INT(st.late, 1);
  CHECK_INT(st.persons, 3);
  CHECK_INT(ls_replay_find(r, (ls_slice){"L9", 2}), 0);
  CHECK_INT(ls_replay_find(r, (ls_slice){"c1", 2}), 0);
  CHECK_INT(ls_replay_find(r, (ls_slice){"email: ANN@x.example", 20}), 0);
  CHECK_INT(ls_replay_find(r, (ls_slice){"anon:zz", 7}), 1);
  CHECK_INT(ls_replay_find(r, (ls_slice){"L1", 2}), -1);
  ls_replay_destroy(r);
  free(csv);
}

/* A lead id spelled like another person's e-mail id: the two rows tie on
 * lead_id and must come out in the same order whatever the input order. */
static void test_lead_id_tie(void) {
  static const char *const a[] = {
      "{\"id\":\"1\",\"type\":\"demo_view\",\"time\":\"2026-03-01T00:00:00Z\",\"email\":\"q@x\"}",
      "{\"id\":\"2\",\"type\":\"page_view\",\"time\":\"2026-03-01T00:00:00Z\",\"lead\":\"email:q@x\"}"};
  const char *const b[] = {a[1], a[0]};
  char *x = run(a, 2, NULL, NULL, NULL), *y = run(b, 2, NULL, NULL, NULL);
  CHECK_STR(x, "lead_id,score,stage,mql_count,last_mql_at\n"
               "email:q@x,1,prospect,0,\n"
               "email:q@x,5,prospect,0,\n");
  CHECK_STR(y, x);
  free(x);
  free(y);
}

/* ---- generated data ---- */

static uint64_t rng = 42;
static uint64_t next(void) {
  rng += 0x9e3779b97f4a7c15ull;
  uint64_t z = rng;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

typedef struct gen {
  char **lines;
  size_t n, cap;
} gen;

static void add(gen *g, const char *s) {
  if (g->n == g->cap) {
    g->cap = g->cap ? g->cap * 2 : 256;
    g->lines = realloc(g->lines, g->cap * sizeof *g->lines);
  }
  g->lines[g->n++] = strdup(s);
}

/* Persons with events of every reference type; identity per event from
 * `mode`: 0 = always lead, 1 = lead or e-mail (split), linked by one
 * identify event carrying both. */
static void generate(gen *g, int persons, int mode, uint64_t seed) {
  static const char *const types[] = {
      "page_view", "page_view", "page_view", "email_open", "demo_view",
      "webinar_register", "webinar_attend", "content_download", "search",
      "sales_disposition", "opportunity_closed", "form_submit"};
  static const char *const extra[] = {
      "", ",\"props\":{\"url\":\"https://acme.example/pricing?x=1\"}",
      ",\"props\":{\"url\":\"/careers/dev\"}", "", "", "", "",
      ",\"props\":{\"content_type\":\"thought_leadership\"}",
      ",\"props\":{\"query\":\"ACME cloud\"}",
      ",\"props\":{\"outcome\":\"nurture\"}", ",\"props\":{\"outcome\":\"lost\"}",
      ",\"attrs\":{\"source\":\"web_inquiry\"}"};
  rng = seed;
  char line[512];
  int id = 0;
  for (int p = 0; p < persons; p++) {
    int nev = 5 + (int)(next() % 40);
    long t = 1767225600L + (long)(next() % 86400) * 30; /* from 2026-01-01 */
    snprintf(line, sizeof line,
             "{\"id\":\"x%05d\",\"type\":\"identify\",\"time\":\"2026-01-01T00:00:00Z\","
             "\"lead\":\"L%d\",\"email\":\"p%d@x.example\"}",
             id++, p, p);
    add(g, line);
    for (int k = 0; k < nev; k++) {
      uint64_t r = next();
      t += (long)(r % 4 == 0 ? r % 3000000 : r % 2400); /* visits and idle gaps */
      int ty = (int)(next() % 12);
      const char *ex = extra[ty];
      if (ty == 9 && next() % 2) ex = ",\"props\":{\"outcome\":\"opportunity\"}";
      char ident[64];
      bool use_email = next() % 2; /* drawn in both modes: same sequence */
      if (mode == 1 && use_email)
        snprintf(ident, sizeof ident, "\"email\":\"p%d@x.example\"", p);
      else
        snprintf(ident, sizeof ident, "\"lead\":\"L%d\"", p);
      long day = t / 86400, sec = t % 86400;
      /* civil date from days since 1970 (all in 2026–2027 here) */
      int y = 1970;
      for (;;) {
        int len = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
        if (day < len) break;
        day -= len;
        y++;
      }
      static const int ml[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
      int mo = 0;
      for (; mo < 12; mo++) {
        int len = ml[mo] + (mo == 1 && y % 4 == 0);
        if (day < len) break;
        day -= len;
      }
      snprintf(line, sizeof line,
               "{\"id\":\"x%05d\",\"type\":\"%s\",\"time\":\"%04d-%02d-%02dT%02ld:%02ld:%02ldZ\",%s%s}",
               id++, types[ty], y, mo + 1, (int)day + 1, sec / 3600, sec / 60 % 60, sec % 60,
               ident, ex);
      add(g, line);
      if (next() % 50 == 0) add(g, line); /* an exact duplicate */
    }
  }
}

static void gen_free(gen *g) {
  for (size_t i = 0; i < g->n; i++) free(g->lines[i]);
  free(g->lines);
}

static int64_t sum;
static void on_ledger(void *ud, const ls_ledger_entry *e) {
  (void)ud;
  sum += e->points;
}

static void test_properties(void) {
  gen a = {0}, s = {0};
  generate(&a, 300, 0, 7);
  generate(&s, 300, 1, 7);
  ls_replay *r;
  char *base = run((const char *const *)a.lines, a.n, "2027-06-01T00:00:00Z", NULL, &r);
  /* the ledger sums to the score, for every person */
  size_t bad = 0;
  for (size_t i = 0; i < ls_replay_npersons(r); i++) {
    sum = 0;
    ls_fold_sink sink = {NULL, on_ledger, NULL, NULL};
    ls_replay_explain(r, i, &sink);
    ls_person_row row = ls_replay_person(r, i);
    if (sum != ls_fold_score(M, row.state, 0)) bad++;
  }
  CHECK_INT(bad, 0);
  CHECK_INT(ls_replay_npersons(r), 300);
  ls_replay_destroy(r);
  /* shuffled input gives the same export */
  for (size_t i = a.n - 1; i > 0; i--) {
    size_t j = next() % (i + 1);
    char *t = a.lines[i];
    a.lines[i] = a.lines[j];
    a.lines[j] = t;
  }
  char *shuf = run((const char *const *)a.lines, a.n, "2027-06-01T00:00:00Z", NULL, NULL);
  CHECK(strcmp(base, shuf) == 0);
  /* identities split over lead and e-mail, linked once, give the same */
  char *split = run((const char *const *)s.lines, s.n, "2027-06-01T00:00:00Z", NULL, NULL);
  CHECK(strcmp(base, split) == 0);
  CHECK(strlen(base) > 300 * 10);
  free(base);
  free(shuf);
  free(split);
  gen_free(&a);
  gen_free(&s);
}

int main(void) {
  size_t len = 0;
  FILE *f = fopen("examples/models/buying-cycle.yaml", "rb");
  if (!f) return 2;
  static char text[1 << 16];
  len = fread(text, 1, sizeof text, f);
  fclose(f);
  ls_diag d = {0};
  if (ls_model_load(text, len, &M, &d)) {
    fprintf(stderr, "model: %u:%u: %s\n", d.line, d.col, d.msg);
    return 2;
  }
  test_identity_and_dedup();
  test_lead_id_tie();
  test_properties();
  ls_model_destroy(M);
  return ls_test_done();
}
