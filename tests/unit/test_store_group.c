/* Tests for ls_store's group commit (a failing call undone alone, the
 * group durable only at commit) and for ingest's parse-ahead (a batch of
 * many chunks gives exactly what the same lines give one at a time). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leadscore/store.h"

#include "ls_test.h"
#include "ls_test_model.h"


static char dir[] = "/tmp/ls-test-group-XXXXXX";

/* A fresh store at dir/name, open. */
static ls_store *fresh(const ls_store_driver *drv, const char *name) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t len = 0;
  const char *m = ls_test_reference_text(&len);
  ls_diag d = {0};
  ls_store *s = NULL;
  if (!m || ls_store_init(drv, path, m, len, &d) || ls_store_open(drv, path, &s, &d)) {
    fprintf(stderr, "cannot create %s: %s\n", path, d.msg);
    return NULL;
  }
  return s;
}

static ls_store *reopen(const ls_store_driver *drv, ls_store *s, const char *name) {
  ls_store_close(s);
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ls_diag d = {0};
  return ls_store_open(drv, path, &s, &d) ? NULL : s;
}

static int ingest1(ls_store *s, const char *line, uint64_t at) {
  const char *lines[1] = {line};
  size_t lens[1] = {strlen(line)};
  ls_store_stats st = {0};
  return ls_store_ingest(s, "t", at, lines, lens, 1, &st);
}

/* The leads CSV without its header. */
static const char *leads(ls_store *s) {
  static char out[1 << 16];
  ls_buf b = {0};
  out[0] = '\0';
  if (ls_store_export_leads(s, NULL, &b) == LS_OK && b.len < sizeof out) {
    const char *nl = memchr(b.p, '\n', b.len);
    size_t off = nl ? (size_t)(nl + 1 - b.p) : b.len;
    memcpy(out, b.p + off, b.len - off);
    out[b.len - off] = '\0';
  }
  ls_buf_free(&b);
  return out;
}

#define EV(id, t, who) \
  "{\"id\":\"" id "\",\"type\":\"page_view\",\"time\":\"2026-03-0" t "T10:00:00Z\"," \
  "\"lead\":\"" who "\",\"props\":{\"url\":\"https://acme.example/pricing\"}}"

/* A driver whose event_put fails for the event id "boom". */
static ls_store_driver faulty;
static int faulty_put(void *db, ls_store_person *p, ls_store_event *e) {
  if (e->id.n == 4 && memcmp(e->id.p, "boom", 4) == 0) return LS_EIO;
  return ls_store_sqlite.event_put(db, p, e);
}

static void test_group(void) {
  faulty = ls_store_sqlite;
  faulty.event_put = faulty_put;
  ls_store *s = fresh(&faulty, "g.db");
  CHECK(s != NULL);
  if (!s) return;
  CHECK_INT(ls_store_group_commit(s), LS_EINVAL); /* no group open */

  /* A whole group undone. */
  CHECK_INT(ls_store_group_begin(s), LS_OK);
  CHECK_INT(ls_store_group_begin(s), LS_EINVAL); /* groups do not nest */
  CHECK_INT(ingest1(s, EV("a1", "1", "L1"), 1), LS_OK);
  CHECK_STR(leads(s), "L1,6,prospect,0,\n"); /* visible inside the group */
  size_t len = 0;
  const char *m = ls_test_reference_text(&len);
  ls_diag d = {0};
  CHECK_INT(ls_store_set_model(s, m, len, &d), LS_EINVAL);
  ls_store_group_rollback(s);
  CHECK_STR(leads(s), "");
  CHECK(!ls_store_clock(s, NULL)); /* the clock went back too */

  /* A failing call inside a group is undone alone; the rest commits. */
  CHECK_INT(ls_store_group_begin(s), LS_OK);
  CHECK_INT(ingest1(s, EV("a1", "1", "L1"), 1), LS_OK);
  CHECK_INT(ingest1(s, EV("boom", "2", "L2"), 2), LS_EIO);
  CHECK_INT(ingest1(s, EV("a3", "3", "L1"), 3), LS_OK);
  CHECK_INT(ls_store_group_commit(s), LS_OK);
  s = reopen(&faulty, s, "g.db");
  CHECK(s != NULL);
  if (!s) return;
  CHECK_STR(leads(s), "L1,20,prospect,0,\n"); /* = replay of a1, a3; L2 never existed */
  /* "boom" was not claimed: the same id can come again (and fail again) */
  CHECK_INT(ingest1(s, EV("boom", "2", "L2"), 2), LS_EIO);
  ls_time c;
  CHECK(ls_store_clock(s, &c));
  char buf[LS_TIME_FMT_MAX];
  ls_time_format(c, buf);
  CHECK_STR(buf, "2026-03-03T10:00:00Z");
  ls_store_close(s);
}

/* An optimistic group: calls run without savepoints; the first failure
 * fails the group (later calls too), and commit undoes all of it. The
 * caller's retry as an ordinary group then keeps the good calls. */
static void test_optimistic(void) {
  ls_store *s = fresh(&faulty, "o.db");
  CHECK(s != NULL);
  if (!s) return;
  CHECK_INT(ls_store_group_status(s), LS_OK); /* no group */

  /* No failure: an ordinary commit. */
  CHECK_INT(ls_store_group_begin_optimistic(s), LS_OK);
  CHECK_INT(ls_store_group_begin(s), LS_EINVAL);
  CHECK_INT(ingest1(s, EV("a1", "1", "L1"), 1), LS_OK);
  CHECK_INT(ls_store_group_status(s), LS_OK);
  CHECK_INT(ls_store_group_commit(s), LS_OK);
  CHECK_STR(leads(s), "L1,6,prospect,0,\n");

  /* A failure: the group is failed, a good call after it fails too, the
   * commit refuses and undoes the calls before the failure as well. */
  CHECK_INT(ls_store_group_begin_optimistic(s), LS_OK);
  CHECK_INT(ingest1(s, EV("a2", "2", "L1"), 2), LS_OK);
  CHECK_STR(leads(s), "L1,20,prospect,0,\n");
  CHECK_INT(ingest1(s, EV("boom", "2", "L2"), 2), LS_EIO);
  CHECK_INT(ls_store_group_status(s), LS_EIO);
  CHECK_INT(ingest1(s, EV("a3", "3", "L1"), 3), LS_EIO);
  CHECK_INT(ls_store_group_commit(s), LS_EIO);
  CHECK_INT(ls_store_group_status(s), LS_OK);
  CHECK_STR(leads(s), "L1,6,prospect,0,\n");
  ls_time c;
  CHECK(ls_store_clock(s, &c));
  char buf[LS_TIME_FMT_MAX];
  ls_time_format(c, buf);
  CHECK_STR(buf, "2026-03-01T10:00:00Z"); /* the clock went back too */

  /* The same after an explicit rollback, then the retry the server does. */
  CHECK_INT(ls_store_group_begin_optimistic(s), LS_OK);
  CHECK_INT(ingest1(s, EV("a2", "2", "L1"), 2), LS_OK);
  CHECK_INT(ingest1(s, EV("boom", "2", "L2"), 2), LS_EIO);
  ls_store_group_rollback(s);
  CHECK_INT(ls_store_group_begin(s), LS_OK);
  CHECK_INT(ingest1(s, EV("a2", "2", "L1"), 2), LS_OK);
  CHECK_INT(ingest1(s, EV("boom", "2", "L2"), 2), LS_EIO);
  CHECK_INT(ingest1(s, EV("a3", "3", "L1"), 3), LS_OK);
  CHECK_INT(ls_store_group_commit(s), LS_OK);
  s = reopen(&faulty, s, "o.db");
  CHECK(s != NULL);
  if (!s) return;
  CHECK_STR(leads(s), "L1,26,prospect,0,\n"); /* a1, a2, a3 */
  ls_store_close(s);
}

/* Lines across several parse-ahead chunks: events of 300 persons in
 * shuffled order, with blank and rejected lines in between. */
static char **make_lines(size_t n) {
  char **v = calloc(n, sizeof *v);
  for (size_t i = 0; v && i < n; i++) {
    v[i] = malloc(256);
    if (!v[i]) return v;
    unsigned k = (unsigned)((i * 7919u) % n);
    if (i % 97 == 5) snprintf(v[i], 256, "   ");
    else if (i % 89 == 3) snprintf(v[i], 256, "{\"id\":\"x%zu\",\"type\":\"page_view\"}", i);
    else
      snprintf(v[i], 256,
               "{\"id\":\"e%zu\",\"type\":\"%s\",\"time\":\"2026-03-%02uT%02u:%02u:00Z\","
               "\"email\":\"p%u@example.com\",\"props\":{\"url\":\"/pricing\"}}",
               i, k % 3 ? "page_view" : "seminar_registered", 1 + k % 28, k % 24, k % 60,
               k % 300);
  }
  return v;
}

typedef struct rej_acc {
  char text[1 << 15];
  size_t len;
} rej_acc;

static int on_rej(void *ud, const char *source, uint64_t line, const char *reason, ls_slice t) {
  rej_acc *a = ud;
  (void)t;
  if (a->len + 300 < sizeof a->text)
    a->len += (size_t)snprintf(a->text + a->len, sizeof a->text - a->len, "%s:%llu %s\n",
                               source, (unsigned long long)line, reason);
  return 0;
}

static void test_ahead(void) {
  enum { N = 5000 }; /* three chunks of lines and a partial one */
  char **v = make_lines(N);
  size_t *lens = malloc(N * sizeof *lens);
  CHECK(v != NULL && lens != NULL);
  if (!v || !lens) return;
  for (size_t i = 0; i < N; i++) lens[i] = v[i] ? strlen(v[i]) : 0;
  ls_store *a = fresh(&ls_store_sqlite, "a.db"), *b = fresh(&ls_store_sqlite, "b.db");
  CHECK(a && b);
  if (!a || !b) return;
  ls_store_stats sa = {0}, sb = {0};
  CHECK_INT(ls_store_ingest(a, "t", 1, (const char *const *)v, lens, N, &sa), LS_OK);
  for (size_t i = 0; i < N; i++)
    CHECK_INT(ls_store_ingest(b, "t", 1 + i, (const char *const *)&v[i], &lens[i], 1, &sb),
              LS_OK);
  CHECK_INT(sa.lines, N);
  CHECK_INT(sa.accepted, sb.accepted);
  CHECK_INT(sa.rejected, sb.rejected);
  CHECK(sa.rejected > 50);
  CHECK(sa.accepted > 4800);
  char *la = strdup(leads(a));
  CHECK(la && strlen(la) > 1000);
  CHECK_STR(la, leads(b));
  static rej_acc ra, rb;
  CHECK_INT(ls_store_rejected(a, on_rej, &ra), LS_OK);
  CHECK_INT(ls_store_rejected(b, on_rej, &rb), LS_OK);
  CHECK(ra.len > 0);
  CHECK_STR(ra.text, rb.text);
  CHECK(strstr(ra.text, "t:4 missing \"time\"") != NULL); /* i = 3: line 4 */
  ls_buf rep = {0};
  uint64_t diffs = 1;
  CHECK_INT(ls_store_verify(a, &rep, &diffs), LS_OK);
  CHECK_INT(diffs, 0);
  ls_buf_free(&rep);
  free(la);
  ls_store_close(a);
  ls_store_close(b);
  for (size_t i = 0; i < N; i++) free(v[i]);
  free(v);
  free(lens);
}

int main(void) {
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_group();
  test_optimistic();
  test_ahead();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return ls_test_done();
}
