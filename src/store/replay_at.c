/* Replaying the stored events (ls__store_replay_at): one or two replays —
 * the monthly review wants the month's start and end — from one pass over
 * the events table, on two threads. The caller's thread reads the rows
 * (the driver is not shared) and copies each line into a chunk; a helper
 * parses the chunks in order, feeds the last replay and hands the parsed
 * events of the first back to the reader, so that each thread has half of
 * the work. A chunk is handed over with one lock, never one per event. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/replay.h"
#include "store/store_internal.h"

enum { RING = 4, CHUNK = 4096 };
enum { FREE, FILLED, PARSED };

typedef struct rline {
  size_t off, len;
  ls_time time;
} rline;

typedef struct chunk {
  int state;
  ls_buf text; /* the lines, one after the other */
  rline *v;
  size_t n, cap;
  ls_batch *b0; /* with two replays: the first one's events, added by the reader */
} chunk;

typedef struct rpipe {
  size_t n; /* replays */
  const ls_time *as_of[2]; /* NULL: no bound */
  ls_replay *r[2];
  ls_batch *b; /* the helper's, for replay n - 1 */
  ls_event_parser *p; /* the helper's */
  chunk c[RING];
  size_t fill, drain; /* chunks handed to the helper; chunks added back */
  bool done;          /* the reader has handed over its last chunk */
  int rc;             /* the first error of either thread */
  pthread_mutex_t mu;
  pthread_cond_t cv;
} rpipe;

static bool wants(const rpipe *q, size_t i, ls_time t) {
  return !q->as_of[i] || ls_time_cmp(t, *q->as_of[i]) <= 0;
}

static void fail(rpipe *q, int rc) {
  pthread_mutex_lock(&q->mu);
  if (!q->rc) q->rc = rc;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

/* The helper: parses chunk k into its batch (and the chunk's batch). */
static int parse_chunk(rpipe *q, chunk *c) {
  size_t last = q->n - 1;
  for (size_t i = 0; i < c->n; i++) {
    const rline *l = &c->v[i];
    ls_event_fields f;
    if (ls_event_parse(q->p, c->text.p + l->off, l->len, &f) != LS_LINE_EVENT) return LS_EIO;
    int rc = wants(q, last, l->time) ? ls_batch_push(q->b, &f) : LS_OK;
    if (!rc && last && wants(q, 0, l->time)) rc = ls_batch_push(c->b0, &f);
    if (rc) return rc;
  }
  int rc = ls_replay_add_batch(q->r[last], q->b);
  ls_batch_clear(q->b);
  return rc;
}

static void *helper(void *ud) {
  rpipe *q = ud;
  int rc = LS_OK;
  for (size_t k = 0; !rc; k++) {
    chunk *c = &q->c[k % RING];
    pthread_mutex_lock(&q->mu);
    while (!q->rc && c->state != FILLED && !(q->done && k >= q->fill))
      pthread_cond_wait(&q->cv, &q->mu);
    bool stop = q->rc || c->state != FILLED;
    pthread_mutex_unlock(&q->mu);
    if (stop) break;
    if ((rc = parse_chunk(q, c))) break;
    pthread_mutex_lock(&q->mu);
    c->state = PARSED;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
  }
  pthread_mutex_lock(&q->mu);
  bool ok = !rc && !q->rc;
  pthread_mutex_unlock(&q->mu);
  /* every chunk is in: fold while the reader folds the other replay */
  if (ok) rc = ls_replay_finish(q->r[q->n - 1], q->as_of[q->n - 1]);
  if (rc) fail(q, rc);
  return NULL;
}

/* The reader: waits for the oldest chunk out, adds its first-replay events
 * and frees it. Called with the lock held; returns with it held. */
static int take_back(rpipe *q) {
  chunk *c = &q->c[q->drain % RING];
  while (!q->rc && c->state != PARSED) pthread_cond_wait(&q->cv, &q->mu);
  if (q->rc) return q->rc;
  pthread_mutex_unlock(&q->mu);
  int rc = q->n > 1 ? ls_replay_add_batch(q->r[0], c->b0) : LS_OK;
  if (c->b0) ls_batch_clear(c->b0);
  c->text.len = 0;
  c->n = 0;
  pthread_mutex_lock(&q->mu);
  if (rc && !q->rc) q->rc = rc;
  c->state = FREE;
  q->drain++;
  pthread_cond_broadcast(&q->cv);
  return q->rc;
}

/* Hands the chunk being filled to the helper; `last`: no more follow. */
static int hand_over(rpipe *q, bool last) {
  pthread_mutex_lock(&q->mu);
  chunk *c = &q->c[q->fill % RING];
  if (c->n) {
    c->state = FILLED;
    q->fill++;
  }
  q->done = last;
  pthread_cond_broadcast(&q->cv);
  int rc = q->rc;
  /* the next chunk to fill must be free; at the end, every chunk back */
  while (!rc && (last ? q->drain < q->fill : q->fill - q->drain >= RING)) rc = take_back(q);
  pthread_mutex_unlock(&q->mu);
  return rc;
}

static int on_event(void *ud, const ls_store_event *e) {
  rpipe *q = ud;
  if (!wants(q, 0, e->time) && !wants(q, q->n - 1, e->time)) return LS_OK; /* never parsed */
  chunk *c = &q->c[q->fill % RING];
  if (ls__grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v)) return LS_ENOMEM;
  c->v[c->n++] = (rline){c->text.len, e->line.n, e->time};
  if (e->line.n && ls_buf_append(&c->text, e->line.p, e->line.n)) return LS_ENOMEM;
  return c->n == CHUNK ? hand_over(q, false) : LS_OK;
}

int ls__store_replay_at(ls_store *s, const ls_model *m, size_t n, const ls_time *const *as_of,
                        ls_replay **out) {
  if (n < 1 || n > 2) return LS_EINVAL;
  rpipe q;
  memset(&q, 0, sizeof q);
  q.n = n;
  q.p = ls_event_parser_new(ls_model_schema(m));
  q.b = ls_batch_new(m);
  int rc = q.p && q.b ? LS_OK : LS_ENOMEM;
  for (size_t i = 0; i < n && !rc; i++) {
    q.as_of[i] = as_of[i];
    if (!(q.r[i] = ls_replay_new(m))) rc = LS_ENOMEM;
    else ls_replay_ids_unique(q.r[i]); /* the store took each id once */
  }
  for (size_t i = 0; i < RING && !rc && n > 1; i++)
    if (!(q.c[i].b0 = ls_batch_new(m))) rc = LS_ENOMEM;
  pthread_mutex_init(&q.mu, NULL);
  pthread_cond_init(&q.cv, NULL);
  pthread_t th;
  bool started = false;
  if (!rc) {
    started = !pthread_create(&th, NULL, helper, &q);
    if (!started) rc = LS_ENOMEM;
  }
  if (started) {
    rc = s->drv->event_scan(s->db, NULL, on_event, &q);
    if (!rc) rc = hand_over(&q, true);
    if (rc) fail(&q, rc);
    else if (n > 1) rc = ls_replay_finish(q.r[0], as_of[0]);
    if (rc) fail(&q, rc);
    pthread_join(th, NULL);
    rc = q.rc ? q.rc : rc;
  }
  pthread_mutex_destroy(&q.mu);
  pthread_cond_destroy(&q.cv);
  for (size_t i = 0; i < RING; i++) {
    ls_buf_free(&q.c[i].text);
    free(q.c[i].v);
    ls_batch_destroy(q.c[i].b0);
  }
  for (size_t i = 0; i < n; i++) {
    if (rc) ls_replay_destroy(q.r[i]);
    else out[i] = q.r[i];
  }
  ls_batch_destroy(q.b);
  ls_event_parser_destroy(q.p);
  return rc;
}

int ls__store_replay(ls_store *s, const ls_model *m, const ls_time *as_of, ls_replay **out) {
  return ls__store_replay_at(s, m, 1, &as_of, out);
}
