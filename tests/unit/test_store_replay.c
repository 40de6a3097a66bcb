/* Replays of the stored events (src/store/replay_at.c): two as-of times
 * from one pass on two threads, and one, equal to the engine's replay of
 * the same lines in memory (which de-duplicates and parses on the
 * caller's thread). The history is big enough to go round the chunk ring
 * several times, with anonymous visitors identified later (merges), late
 * arrivals and events after every as-of time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "leadscore/replay.h"
#include "leadscore/store.h"
#include "ls_test.h"
#include "ls_test_model.h"
#include "store/store_internal.h"

enum { PERSONS = 400, PER = 60 }; /* 24 000 events: chunks of 4 096, a ring of 4 */

static char **lines;
static size_t *lens, nlines;

static void add(const char *s) {
  lines[nlines] = strdup(s);
  lens[nlines] = strlen(s);
  nlines++;
}

/* Person i: page views as an anonymous visitor from January, identified
 * (anon + lead on one event) in February or March, searches after; every
 * seventh person's events arrive in reverse order (late arrivals). */
static void history(void) {
  lines = calloc(PERSONS * PER, sizeof *lines);
  lens = calloc(PERSONS * PER, sizeof *lens);
  char buf[256];
  for (int i = 0; i < PERSONS; i++) {
    size_t first = nlines;
    for (int k = 0; k < PER; k++) {
      long t = 1767225600L + (long)(i % 97) * 3600 + (long)k * 2 * 86400 + (long)(k % 5) * 60;
      time_t tt = (time_t)t;
      struct tm tm;
      gmtime_r(&tt, &tm);
      char ts[32];
      strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
      if (k < PER / 3)
        snprintf(buf, sizeof buf,
                 "{\"id\":\"e%d.%d\",\"type\":\"page_view\",\"time\":\"%s\",\"anonymous_id\":\"c%d\","
                 "\"props\":{\"url\":\"/pricing\"}}",
                 i, k, ts, i);
      else if (k == PER / 3)
        snprintf(buf, sizeof buf,
                 "{\"id\":\"e%d.%d\",\"type\":\"form_submit\",\"time\":\"%s\",\"anonymous_id\":\"c%d\","
                 "\"lead\":\"L%d\"}",
                 i, k, ts, i, i);
      else
        snprintf(buf, sizeof buf,
                 "{\"id\":\"e%d.%d\",\"type\":\"search\",\"time\":\"%s\",\"lead\":\"L%d\","
                 "\"props\":{\"query\":\"%s\"}}",
                 i, k, ts, i, k % 3 ? "acme" : "other");
      add(buf);
    }
    if (i % 7 == 0)
      for (size_t a = first, b = nlines - 1; a < b; a++, b--) {
        char *t = lines[a];
        size_t n = lens[a];
        lines[a] = lines[b], lens[a] = lens[b];
        lines[b] = t, lens[b] = n;
      }
  }
}

/* The engine's replay of the lines, in memory. */
static ls_replay *in_memory(const ls_model *m, const ls_time *as_of) {
  ls_event_parser *p = ls_event_parser_new(ls_model_schema(m));
  ls_batch *b = ls_batch_new(m);
  ls_replay *r = ls_replay_new(m);
  size_t bad = 0;
  for (size_t i = 0; i < nlines; i++) {
    ls_event_fields f;
    bad += ls_event_parse(p, lines[i], lens[i], &f) != LS_LINE_EVENT || ls_batch_push(b, &f);
  }
  CHECK_INT(bad, 0);
  CHECK_INT(ls_replay_add_batch(r, b), LS_OK);
  CHECK_INT(ls_replay_finish(r, as_of), LS_OK);
  ls_batch_destroy(b);
  ls_event_parser_destroy(p);
  return r;
}

/* Same persons, lead ids and states. */
static void same(const ls_model *m, const ls_replay *a, const ls_replay *b, const char *what) {
  size_t n = ls_replay_npersons(a), ss = ls_fold_state_size(m);
  CHECK(n == ls_replay_npersons(b));
  if (n != ls_replay_npersons(b)) {
    fprintf(stderr, "  %s: %zu vs %zu persons\n", what, n, ls_replay_npersons(b));
    return;
  }
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    ls_person_row x = ls_replay_person(a, i), y = ls_replay_person(b, i);
    bad += x.lead_id.n != y.lead_id.n || memcmp(x.lead_id.p, y.lead_id.p, x.lead_id.n) ||
           memcmp(x.state, y.state, ss);
  }
  CHECK(bad == 0);
  if (bad) fprintf(stderr, "  %s: %zu persons differ\n", what, bad);
}

static ls_time at(const char *s) {
  ls_time t = {0, 0};
  CHECK_INT(ls_time_parse(s, strlen(s), &t), LS_OK);
  return t;
}

int main(void) {
  size_t len = 0;
  const char *text = ls_test_reference_text(&len);
  CHECK(text != NULL);
  if (!text) return ls_test_done();
  history();
  char dir[] = "/tmp/ls-test-replay-XXXXXX", path[64];
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(path, sizeof path, "%s/s.db", dir);
  ls_diag d = {0};
  ls_store *s = NULL;
  CHECK_INT(ls_store_init(&ls_store_sqlite, path, text, len, &d), LS_OK);
  CHECK_INT(ls_store_open(&ls_store_sqlite, path, &s, &d), LS_OK);
  if (!s) return ls_test_done();
  ls_store_stats st = {0};
  CHECK_INT(ls_store_ingest(s, "t", 1, (const char *const *)lines, lens, nlines, &st), LS_OK);
  CHECK_INT(st.accepted, PERSONS * PER);
  const ls_model *m = ls_store_model(s);

  /* before any identification, mid-history, and after the last event */
  ls_time t1 = at("2026-02-01T00:00:00Z"), t2 = at("2026-03-15T12:00:00Z"),
          t3 = at("2027-01-01T00:00:00Z");
  const ls_time *pairs[][2] = {{&t1, &t2}, {&t2, &t3}, {&t2, &t2}, {&t3, &t1}, {&t1, NULL}};
  const char *names[] = {"Feb 1 and Mar 15", "Mar 15 and 2027", "Mar 15 twice",
                         "2027 and Feb 1", "Feb 1 and the last event"};
  for (size_t k = 0; k < sizeof pairs / sizeof *pairs; k++) {
    ls_replay *two[2] = {NULL, NULL};
    CHECK_INT(ls__store_replay_at(s, m, 2, pairs[k], two), LS_OK);
    for (size_t i = 0; i < 2; i++) {
      ls_replay *one = NULL, *mem = in_memory(m, pairs[k][i]);
      CHECK_INT(ls_store_replay(s, m, pairs[k][i], &one), LS_OK);
      if (two[i] && one) same(m, two[i], one, names[k]);
      if (two[i]) same(m, two[i], mem, names[k]);
      ls_replay_destroy(one);
      ls_replay_destroy(mem);
    }
    ls_replay_destroy(two[0]);
    ls_replay_destroy(two[1]);
  }
  /* the anonymous visitors are persons of their own before they are identified */
  ls_replay *r = NULL;
  CHECK_INT(ls_store_replay(s, m, &t1, &r), LS_OK);
  CHECK_INT(ls_replay_npersons(r), PERSONS);
  CHECK(r && ls_replay_get_stats(r).duplicates == 0);
  ls_replay_destroy(r);
  const ls_time *bad[3] = {&t1, &t2, &t3};
  ls_replay *out[3];
  CHECK_INT(ls__store_replay_at(s, m, 3, bad, out), LS_EINVAL);
  CHECK_INT(ls__store_replay_at(s, m, 0, bad, out), LS_EINVAL);

  ls_store_close(s);
  static const char *const tails[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    char f[96];
    snprintf(f, sizeof f, "%s%s", path, tails[i]);
    unlink(f);
  }
  rmdir(dir);
  for (size_t i = 0; i < nlines; i++) free(lines[i]);
  free(lines);
  free(lens);
  return ls_test_done();
}
