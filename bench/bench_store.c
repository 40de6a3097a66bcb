/* Latency of a single-event update of the store: one open store, events
 * given one at a time to ls_store_ingest inside group commits of G events
 * (ls_store_group_begin/commit, as the server does with concurrent
 * requests; G = 1 is `leadscore ingest --batch 1` in a process that keeps
 * the store open).
 *
 *   cmake --build build --target bench_store
 *   build/bench/bench_store --db STORE [-n 200] [--warmup 20] [--seed 1]
 *                           [--late] [--group G]
 *
 * STORE must hold persons (e.g. bench/data/p100k.jsonl ingested) and is
 * modified: every run adds warmup + n events (ids "bench-<seed>-<k>"; run
 * it on a copy). The events are page views of the pricing page for existing
 * persons, picked (seeded) among all stored identities (lead ids, e-mails,
 * anonymous ids), at the store clock + 1 day + k seconds: after everything
 * the person has seen, so each is folded incrementally onto the stored state
 * (decay steps since the person's last event, points, stage checks, ledger
 * rows). --late puts them at 2026-01-01T00:00:00Z + k seconds instead,
 * before most persons' history: each update is then a re-fold of the
 * person from its stored events.
 *
 * Prints the median, p90, p99, min and max of the time spent in
 * ls_store_ingest (the update: read the person, fold, write events, ledger
 * and person rows), then the median time of a group's commit (the sync to
 * disk that makes the group durable), then the mean durable cost per event:
 * (all updates + all commits) / n. Microseconds. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leadscore/store.h"

typedef struct ident {
  int kind;
  char *value;
} ident;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) { /* xorshift64 */
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Every identity of the store (read with SQLite directly, before the store
 * is opened). */
static ident *load_identities(const char *path, size_t *n) {
  sqlite3 *h = NULL;
  sqlite3_stmt *q = NULL;
  ident *v = NULL;
  size_t cap = 0;
  *n = 0;
  if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(h, "SELECT kind, value FROM identities ORDER BY kind, value", -1, &q,
                         NULL) != SQLITE_OK) {
    fprintf(stderr, "bench_store: %s: %s\n", path, h ? sqlite3_errmsg(h) : "no memory");
    sqlite3_close(h);
    return NULL;
  }
  while (sqlite3_step(q) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 4096;
      ident *nv = realloc(v, cap * sizeof *nv);
      if (!nv) break;
      v = nv;
    }
    int len = sqlite3_column_bytes(q, 1);
    char *s = malloc((size_t)len + 1);
    if (!s) break;
    memcpy(s, sqlite3_column_blob(q, 1), (size_t)len);
    s[len] = '\0';
    v[*n].kind = sqlite3_column_int(q, 0);
    v[*n].value = s;
    (*n)++;
  }
  sqlite3_finalize(q);
  sqlite3_close(h);
  return v;
}

/* A JSON string body: the identities of the generator need no escaping,
 * but be safe. */
static size_t json_str(char *out, size_t cap, const char *s) {
  size_t k = 0;
  for (; *s && k + 7 < cap; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      out[k++] = '\\';
      out[k++] = (char)c;
    } else if (c < 0x20) {
      k += (size_t)snprintf(out + k, cap - k, "\\u%04x", c);
    } else {
      out[k++] = (char)c;
    }
  }
  out[k] = '\0';
  return k;
}

int main(int argc, char **argv) {
  const char *db = NULL;
  int n = 200, warmup = 20, seed = 1, late = 0, group = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(argv[i], "-n") && i + 1 < argc) n = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--late")) late = 1;
    else if (!strcmp(argv[i], "--group") && i + 1 < argc) group = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_store --db STORE [-n N] [--warmup N] [--seed S] [--late] [--group G]\n");
      return 2;
    }
  }
  if (!db || n < 1 || warmup < 0 || group < 1) {
    fprintf(stderr, "usage: bench_store --db STORE [-n N] [--warmup N] [--seed S] [--late] [--group G]\n");
    return 2;
  }
  rng ^= (uint64_t)seed * 0x9e3779b97f4a7c15ull;

  size_t nid = 0;
  ident *ids = load_identities(db, &nid);
  if (!ids || nid == 0) {
    fprintf(stderr, "bench_store: %s: no identities (ingest events first)\n", db);
    return 1;
  }

  ls_store *s = NULL;
  ls_diag d = {0};
  int rc = ls_store_open(&ls_store_sqlite, db, &s, &d);
  if (rc) {
    fprintf(stderr, "bench_store: %s: %s\n", db, d.msg[0] ? d.msg : ls_strerror(rc));
    return 1;
  }
  ls_time base = {1767225600, 0}; /* 2026-01-01T00:00:00Z */
  if (!late) {
    if (!ls_store_clock(s, &base)) {
      fprintf(stderr, "bench_store: %s: the store is empty\n", db);
      return 1;
    }
    base = ls_time_add(base, 86400);
  }

  static const char *const key[3] = {"lead", "email", "anonymous_id"};
  double *dt = malloc((size_t)n * sizeof *dt);
  double *ct = malloc(((size_t)n / (size_t)group + 2) * sizeof *ct);
  double sum = 0;
  size_t nct = 0;
  ls_store_stats st = {0};
  char line[1024], val[512], when[LS_TIME_FMT_MAX];
  int total = warmup + n;
  for (int k = 0; k < total; k++) {
    const ident *who = &ids[next_rand() % nid];
    json_str(val, sizeof val, who->value);
    ls_time_format(ls_time_add(base, k), when);
    int len = snprintf(line, sizeof line,
                       "{\"id\":\"bench-%d-%d\",\"type\":\"page_view\",\"time\":\"%s\","
                       "\"%s\":\"%s\",\"props\":{\"url\":\"https://acme.example/pricing\"}}",
                       seed, k, when, key[who->kind < 3 ? who->kind : 2], val);
    const char *lines[1] = {line};
    size_t lens[1] = {(size_t)len};
    bool first = k < warmup ? k == 0 : (k - warmup) % group == 0;
    bool last = k + 1 == warmup || (k >= warmup && ((k - warmup) % group == group - 1 || k + 1 == total));
    if (first && (rc = ls_store_group_begin(s))) break;
    double t0 = now_us();
    rc = ls_store_ingest(s, "bench", (uint64_t)k + 1, lines, lens, 1, &st);
    double t1 = now_us();
    if (rc) break;
    if (last && (rc = ls_store_group_commit(s))) break;
    double t2 = now_us();
    if (k < warmup) continue;
    dt[k - warmup] = t1 - t0;
    if (last) ct[nct++] = t2 - t1;
    sum += t2 - t0;
  }
  if (rc) {
    fprintf(stderr, "bench_store: %s\n", ls_strerror(rc));
    return 1;
  }
  qsort(dt, (size_t)n, sizeof *dt, cmp_double);
  qsort(ct, nct, sizeof *ct, cmp_double);
  printf("bench_store: %s, %d %s single-event updates (after %d warm-up), groups of %d: "
         "median %.1f us, p90 %.1f us, p99 %.1f us, min %.1f us, max %.1f us; "
         "commit median %.1f us; durable %.1f us per event; "
         "%" PRIu64 " accepted, %" PRIu64 " duplicates, %" PRIu64 " folded incrementally, %" PRIu64
         " persons re-folded\n",
         db, n, late ? "late" : "incremental", warmup, group, dt[n / 2], dt[(size_t)(n * 0.9)],
         dt[(size_t)(n * 0.99) < (size_t)n ? (size_t)(n * 0.99) : (size_t)n - 1], dt[0],
         dt[n - 1], ct[nct / 2], sum / n, st.accepted, st.duplicates, st.incremental, st.refolded);
  ls_store_close(s);
  for (size_t i = 0; i < nid; i++) free(ids[i].value);
  free(ids);
  free(dt);
  free(ct);
  return 0;
}
