/* The writer: one thread owns the store's write connection. Requests queue
 * jobs; the writer takes every job queued so far, runs each as a unit of
 * one group commit (a failing job is undone alone) and resumes their
 * connections once the group is durable — concurrent requests share one
 * fsync. The stage hook runs inside the group and writes MQL and stage
 * alerts to the outbox in the same transaction. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/workflow.h"
#include "server/crypto.h"
#include "server/internal.h"

void ls__job_free(ls__job *j) {
  if (!j) return;
  free(j->lines);
  free(j->lens);
  free(j->index);
  ls_buf_free(&j->rejected);
  ls_buf_free(&j->owned);
  free(j->who);
  free(j);
}

void ls__writer_submit(ls_server *s, ls__job *j) {
  pthread_mutex_lock(&s->wmu);
  j->next = NULL;
  if (s->queue_tail) s->queue_tail->next = j;
  else s->queue = j;
  s->queue_tail = j;
  pthread_cond_signal(&s->wcv);
  pthread_mutex_unlock(&s->wmu);
}

/* ---- alerts ---- */

/* Why the person is hot (ls_why): the top rules of the 30 days up to the
 * change, read from its ledger once per change, whichever alerts use it. */
typedef struct why_hot {
  bool done;
  ls_why_item v[LS_WHY_MAX];
  size_t n;
} why_hot;

static int why_get(ls_store *st, const ls_store_stage_info *in, why_hot *w) {
  if (w->done) return LS_OK;
  ls_why acc;
  ls_why_init(&acc, ls_store_model(st), in->change->time);
  /* a model change re-scored the history: older versions' rows would count twice */
  acc.version = ls_store_model_version(st);
  int rc = ls_store_person_ledger(st, in->row, ls_why_add_row, &acc);
  if (!rc) {
    w->n = ls_why_top(&acc, w->v, LS_WHY_MAX);
    w->done = true;
  }
  ls_why_free(&acc);
  return rc;
}

/* ,"reasons":[…] (when `reasons`) and ,"why_hot":{"en":TEXT,"ja":TEXT}
 * (when `text`). */
static int put_why(ls_store *st, const ls_store_stage_info *in, why_hot *w, bool reasons,
                   bool text, ls_buf *b) {
  const ls_model *m = ls_store_model(st);
  int rc = why_get(st, in, w);
  if (!rc && reasons) rc = ls_buf_append(b, ",\"reasons\":", 11);
  if (!rc && reasons) rc = ls__json_why_reasons(b, m, w->v, w->n);
  if (rc || !text) return rc;
  ls_buf t = {0};
  rc = ls_buf_append(b, ",\"why_hot\":{\"en\":", 17);
  if (!rc) rc = ls_why_text(m, w->v, w->n, "en", &t);
  if (!rc) rc = ls__json_str(b, t.p, t.len);
  t.len = 0;
  if (!rc) rc = ls_buf_append(b, ",\"ja\":", 6);
  if (!rc) rc = ls_why_text(m, w->v, w->n, "ja", &t);
  if (!rc) rc = ls__json_str(b, t.p, t.len);
  ls_buf_free(&t);
  return rc ? rc : ls_buf_append(b, "}", 1);
}

/* A delivery's id: the same change of the same person, to the same hook,
 * gives the same id (step: a task's index, -1 for none), so that re-folds
 * and retried requests add nothing. */
static void delivery_id(const char *kind, int64_t hook, const char *time,
                        const ls_stage_change *c, long step, char did[65]) {
  char basis[512];
  int bn = snprintf(basis, sizeof basis, "%s|%" PRId64 "|%s|%.*s|%u", kind, hook, time,
                    (int)c->event_id.n, c->event_id.p, (unsigned)c->to);
  if (step >= 0 && bn >= 0 && bn < (int)sizeof basis)
    bn += snprintf(basis + bn, sizeof basis - (size_t)bn, "|%ld", step);
  unsigned char dig[32];
  ls__sha256(basis, (size_t)(bn < (int)sizeof basis ? bn : (int)sizeof basis - 1), dig);
  ls__hex(dig, 16, did);
}

static int alert(ls_store *st, const ls_store_stage_info *in, const char *kind,
                 const ls_store_hook *h, why_hot *why) {
  const ls_model *m = ls_store_model(st);
  const ls_stage_change *c = in->change;
  char tbuf[LS_TIME_FMT_MAX], did[65];
  ls_time_format(c->time, tbuf);
  delivery_id(kind, h->id, tbuf, c, -1, did);
  ls_buf b = {0};
  int rc = ls_buf_appendf(&b, "{\"type\":\"%s\",\"delivery_id\":\"%s\",\"occurred_at\":\"%s\","
                              "\"lead_id\":", kind, did, tbuf);
  if (!rc) rc = ls__json_str(&b, in->lead_id.p, in->lead_id.n);
  if (!rc) rc = ls_buf_append(&b, ",\"from\":", 8);
  if (!rc) rc = ls__json_cstr(&b, ls_model_stage_name(m, c->from));
  if (!rc) rc = ls_buf_append(&b, ",\"to\":", 6);
  if (!rc) rc = ls__json_cstr(&b, ls_model_stage_name(m, c->to));
  if (!rc) rc = ls_buf_appendf(&b, ",\"mql\":%s,\"route\":", c->mql ? "true" : "false");
  if (!rc) rc = c->route >= 0 ? ls__json_cstr(&b, ls_model_route_name(m, (size_t)c->route))
                              : ls_buf_append(&b, "null", 4);
  if (!rc) rc = ls_buf_append(&b, ",\"event_id\":", 12);
  if (!rc) rc = ls__json_str(&b, c->event_id.p, c->event_id.n);
  if (!rc) rc = ls_buf_append(&b, ",\"person\":", 10);
  if (!rc) rc = ls__person_json(m, in->state, NULL, &b);
  /* every change has its reasons; an MQL also says why it is hot, as text */
  if (!rc) rc = put_why(st, in, why, true, c->mql, &b);
  if (!rc) rc = ls_buf_append(&b, "}", 1);
  ls_store_delivery d = {0, h->id, did, kind, in->lead_id, {b.p, b.len}, LS_DELIVERY_PENDING,
                         0, ls__now_ms(), ls__now_ms(), NULL};
  if (!rc) rc = ls_store_outbox_add(st, &d);
  ls_buf_free(&b);
  return rc;
}

static int64_t time_ms(ls_time t) { return t.sec * 1000 + t.nsec / 1000000; }

/* The follow-up tasks of the stage entered (its cadence), one delivery each,
 * due when the task is. */
static int task_alerts(ls_store *st, const ls_store_stage_info *in, const ls_store_hook *h,
                       why_hot *why) {
  const ls_model *m = ls_store_model(st);
  const ls_stage_change *c = in->change;
  ls_task t[64];
  size_t n = ls_model_cadence_steps(m, c->cadence, c->time, t, 64);
  int rc = LS_OK;
  for (size_t i = 0; i < n && i < 64 && !rc; i++) {
    char entered[LS_TIME_FMT_MAX], due[LS_TIME_FMT_MAX], did[65];
    ls_time_format(c->time, entered);
    ls_time_format(t[i].due, due);
    delivery_id("task_due", h->id, entered, c, (long)i, did);
    ls_buf b = {0};
    rc = ls_buf_appendf(&b, "{\"type\":\"task_due\",\"delivery_id\":\"%s\",\"lead_id\":", did);
    if (!rc) rc = ls__json_str(&b, in->lead_id.p, in->lead_id.n);
    if (!rc) rc = ls_buf_append(&b, ",\"stage\":", 9);
    if (!rc) rc = ls__json_cstr(&b, ls_model_stage_name(m, c->to));
    if (!rc) rc = ls_buf_appendf(&b, ",\"entered_at\":\"%s\",\"day\":%d,\"due_at\":\"%s\","
                                     "\"task\":", entered, (int)t[i].day, due);
    if (!rc) rc = ls__json_cstr(&b, t[i].task);
    if (!rc) rc = ls_buf_append(&b, ",\"note\":", 8);
    if (!rc) rc = t[i].note ? ls__json_cstr(&b, t[i].note) : ls_buf_append(&b, "null", 4);
    /* the id of GET /v1/tasks and POST /v1/tasks/{id}/done */
    char tid[18];
    ls_wf_task_id(c->event_id, ls_model_stage_name(m, c->to), c->time, t[i].step, tid);
    if (!rc) rc = ls_buf_appendf(&b, ",\"task_id\":\"%s\",\"channel\":\"%s\",\"template\":", tid,
                                 t[i].channel);
    if (!rc) rc = t[i].template_ ? ls__json_cstr(&b, t[i].template_) : ls_buf_append(&b, "null", 4);
    if (!rc) rc = ls_buf_append(&b, ",\"person\":", 10);
    if (!rc) rc = ls__person_json(m, in->state, NULL, &b);
    if (!rc && c->mql) rc = put_why(st, in, why, false, true, &b); /* whom to call, and why */
    if (!rc) rc = ls_buf_append(&b, "}", 1);
    ls_store_delivery d = {0, h->id, did, "task_due", in->lead_id, {b.p, b.len},
                           LS_DELIVERY_PENDING, 0, time_ms(t[i].due), ls__now_ms(), NULL};
    if (!rc) rc = ls_store_outbox_add(st, &d);
    ls_buf_free(&b);
  }
  return rc;
}

/* The stage's time limit (`sla:`): a delivery due at entry + sla, cancelled
 * when the person leaves the stage first. */
static int sla_alert(ls_store *st, const ls_store_stage_info *in, const ls_store_hook *h) {
  const ls_model *m = ls_store_model(st);
  const ls_stage_change *c = in->change;
  int64_t sla = ls_model_stage_sla(m, c->to);
  if (sla <= 0) return LS_OK;
  ls_time deadline = ls_time_add(c->time, sla);
  char entered[LS_TIME_FMT_MAX], dl[LS_TIME_FMT_MAX], did[65];
  ls_time_format(c->time, entered);
  ls_time_format(deadline, dl);
  delivery_id("sla_breached", h->id, entered, c, -1, did);
  ls_buf b = {0};
  int rc = ls_buf_appendf(&b, "{\"type\":\"sla_breached\",\"delivery_id\":\"%s\",\"lead_id\":",
                          did);
  if (!rc) rc = ls__json_str(&b, in->lead_id.p, in->lead_id.n);
  if (!rc) rc = ls_buf_append(&b, ",\"stage\":", 9);
  if (!rc) rc = ls__json_cstr(&b, ls_model_stage_name(m, c->to));
  if (!rc) rc = ls_buf_appendf(&b, ",\"entered_at\":\"%s\",\"sla_s\":%" PRId64
                                   ",\"deadline\":\"%s\",\"person\":", entered, sla, dl);
  if (!rc) rc = ls__person_json(m, in->state, NULL, &b);
  if (!rc) rc = ls_buf_append(&b, "}", 1);
  ls_store_delivery d = {0, h->id, did, "sla_breached", in->lead_id, {b.p, b.len},
                         LS_DELIVERY_PENDING, 0, time_ms(deadline), ls__now_ms(), NULL};
  if (!rc) rc = ls_store_outbox_add(st, &d);
  ls_buf_free(&b);
  return rc;
}

static int on_stage(void *ud, ls_store *st, const ls_store_stage_info *in) {
  ls_server *s = ud;
  if (in->replayed) return LS_OK; /* folded and alerted before */
  if (in->change->mql) atomic_fetch_add(&s->metrics.mqls, 1);
  int rc = LS_OK;
  bool tasks = false, slas = false;
  for (size_t i = 0; i < s->hooks.n; i++) {
    tasks |= ls__hook_wants(&s->hooks.v[i], "task_due");
    slas |= ls__hook_wants(&s->hooks.v[i], "sla_breached");
  }
  /* leaving a stage cancels the tasks of its cadence not yet sent, and its
   * time limit */
  if (tasks) rc = ls_store_outbox_cancel(st, in->lead_id, "task_due");
  if (slas && !rc) rc = ls_store_outbox_cancel(st, in->lead_id, "sla_breached");
  why_hot why = {0};
  for (size_t i = 0; i < s->hooks.n && !rc; i++) {
    const ls_store_hook *h = &s->hooks.v[i];
    if (ls__hook_wants(h, "task_due")) rc = task_alerts(st, in, h, &why);
    if (!rc && ls__hook_wants(h, "sla_breached")) rc = sla_alert(st, in, h);
    if (!rc && in->change->mql && ls__hook_wants(h, "mql")) rc = alert(st, in, "mql", h, &why);
    if (!rc && ls__hook_wants(h, "stage_changed"))
      rc = alert(st, in, "stage_changed", h, &why);
    if (!rc) s->wkick = true;
  }
  return rc;
}

/* ---- jobs ---- */

/* Lines of one or more ingest jobs given to the store in one call: which
 * job and which of its lines each is. */
typedef struct merged {
  ls__job **job;
  size_t *line;
  const char **lines;
  size_t *lens, n;
} merged;

static void on_line(void *ud, size_t index, int outcome, const char *why) {
  merged *m = ud;
  ls__job *j = m->job[index];
  if (outcome == LS_LINE_ACCEPTED) j->st.accepted++;
  else if (outcome == LS_LINE_DUPLICATE) j->st.duplicates++;
  if (outcome != LS_LINE_REJECTED) return;
  j->st.rejected++;
  size_t at = j->index ? j->index[m->line[index]] : m->line[index];
  if (j->rejected.len) ls_buf_append(&j->rejected, ",", 1);
  ls_buf_appendf(&j->rejected, "{\"index\":%zu,\"reason\":", at);
  ls__json_cstr(&j->rejected, why);
  ls_buf_append(&j->rejected, "}", 1);
}

static void reset_counts(ls__job *j) {
  memset(&j->st, 0, sizeof j->st);
  j->rejected.len = 0;
}

/* Ingests the lines of `jobs` (n of them) in one store call; LS_OK or why
 * not (then nothing of them is stored and their counts are reset). */
static int ingest(ls_server *s, ls__job **jobs, size_t n) {
  merged m = {0};
  size_t total = 0;
  for (size_t k = 0; k < n; k++) total += jobs[k]->n;
  m.job = malloc((total + 1) * sizeof *m.job);
  m.line = malloc((total + 1) * sizeof *m.line);
  m.lines = malloc((total + 1) * sizeof *m.lines);
  m.lens = malloc((total + 1) * sizeof *m.lens);
  int rc = m.job && m.line && m.lines && m.lens ? LS_OK : LS_ENOMEM;
  for (size_t k = 0; k < n && !rc; k++)
    for (size_t i = 0; i < jobs[k]->n; i++, m.n++) {
      m.job[m.n] = jobs[k];
      m.line[m.n] = i;
      m.lines[m.n] = jobs[k]->lines[i];
      m.lens[m.n] = jobs[k]->lens[i];
    }
  char source[64];
  snprintf(source, sizeof source, "http:%" PRId64 ":%" PRIu64, ls__now_ms(),
           (uint64_t)atomic_fetch_add(&s->seq, 1));
  ls_store_stats st = {0};
  ls_store_set_line_hook(s->ws, on_line, &m);
  if (!rc) rc = ls_store_ingest(s->ws, source, 1, m.lines, m.lens, m.n, &st);
  ls_store_set_line_hook(s->ws, NULL, NULL);
  if (rc)
    for (size_t k = 0; k < n; k++) reset_counts(jobs[k]);
  else { /* counted even if the group fails later: work done, not events kept */
    atomic_fetch_add(&s->metrics.incremental, st.incremental);
    atomic_fetch_add(&s->metrics.refolded, st.refolded);
    atomic_fetch_add(&s->metrics.rewound, st.rewound);
  }
  free(m.job);
  free(m.line);
  free(m.lines);
  free(m.lens);
  return rc;
}

/* The person's lead id and stage after the job (sales events, forget). */
static void person_after(ls_server *s, ls__job *j) {
  int64_t p = 0;
  if (!j->who || ls_store_find(s->ws, (ls_slice){j->who, strlen(j->who)}, &p)) return;
  const ls_model *m = ls_store_model(s->ws);
  unsigned char *state = malloc(ls_fold_state_size(m));
  ls_buf lead = {0};
  if (state && ls_store_person_state(s->ws, p, NULL, state, &lead) == LS_OK) {
    snprintf(j->stage, sizeof j->stage, "%s", ls_model_stage_name(m, ls_fold_stage(m, state)));
    snprintf(j->lead, sizeof j->lead, "%.*s", (int)lead.len, lead.p);
  }
  ls_buf_free(&lead);
  free(state);
}

static void run(ls_server *s, ls__job *j) {
  if (j->kind == LS__J_FORGET) {
    int64_t p = 0;
    j->rc = ls_store_find(s->ws, (ls_slice){j->who, strlen(j->who)}, &p);
    ls_time now = {ls__now_ms() / 1000, 0};
    if (!j->rc) j->rc = ls_store_forget(s->ws, p, now, &j->erased_events);
    return;
  }
  j->rc = ingest(s, &j, 1);
  if (!j->rc && j->want_stage) person_after(s, j);
}

/* The plain ingest jobs of a group go to the store in one call: persons
 * that several requests touch are read and written once. If that call
 * fails, each job is tried alone so that only a failing one fails. */
static void run_all(ls_server *s, ls__job *jobs) {
  ls__job *plain[256];
  size_t n = 0;
  for (ls__job *j = jobs; j && n < 256; j = j->next)
    if (j->kind == LS__J_INGEST && !j->want_stage) plain[n++] = j;
  bool merged = n > 1 && ingest(s, plain, n) == LS_OK;
  for (ls__job *j = jobs; j; j = j->next) {
    bool done = false;
    for (size_t k = 0; merged && k < n && !done; k++) done = plain[k] == j;
    if (!done) run(s, j);
  }
}

/* A job as it was queued: no results yet. */
static void job_reset(ls__job *j) {
  reset_counts(j);
  j->rc = LS_OK;
  j->erased_events = 0;
  j->stage[0] = j->lead[0] = '\0';
}

/* Runs the jobs as one group, optimistically (no savepoint per call: they
 * almost never fail); if one failed, undoes the group and runs it again
 * with each call undone alone, so that only the failing one fails. Returns
 * the commit's error (the group is then undone). */
static int run_group(ls_server *s, ls__job *jobs) {
  int rc = ls_store_group_begin_optimistic(s->ws);
  if (rc) return rc;
  atomic_fetch_add(&s->metrics.groups, 1);
  run_all(s, jobs);
  if (!ls_store_group_status(s->ws)) return ls_store_group_commit(s->ws);
  ls_store_group_rollback(s->ws);
  s->wkick = false;
  for (ls__job *j = jobs; j; j = j->next) job_reset(j);
  if ((rc = ls_store_group_begin(s->ws))) return rc;
  run_all(s, jobs);
  return ls_store_group_commit(s->ws);
}

/* Answers the requests of a group once it is durable (or failed). */
static void finish(ls_server *s, ls__group *g) {
  for (ls__job *j = g->jobs, *next; j; j = next) {
    next = j->next;
    if (g->rc && !j->rc) j->rc = g->rc; /* not durable: the whole group failed */
    if (!j->rc) {
      atomic_fetch_add(&s->metrics.ingested, j->st.accepted);
      atomic_fetch_add(&s->metrics.rejected, j->st.rejected);
      atomic_fetch_add(&s->metrics.duplicates, j->st.duplicates);
    }
    pthread_mutex_lock(&s->wmu);
    j->complete = true;
    pthread_mutex_unlock(&s->wmu);
    MHD_resume_connection(j->conn);
  }
  if (!g->rc && g->kick) ls__deliver_kick(s);
}

/* The persons a group writes, for the leads index (after the commit). */
static void on_person_written(void *ud, int64_t person) {
  ls_server *s = ud;
  if (ls__grow((void **)&s->wdirty, &s->wdirty_cap, s->nwdirty + 1, sizeof *s->wdirty)) {
    s->nwdirty = 0; /* cannot keep them: the index starts over */
    ls__lindex_invalidate(s->lindex);
    ls__slog_invalidate(s->slog);
    return;
  }
  s->wdirty[s->nwdirty++] = person;
}

static void *writer(void *arg) {
  ls_server *s = arg;
  (void)ls_store_refresh(s->ws); /* the version as of now: 0 (never looked) would
                                    read as another process's write at the first tick */
  uint64_t seen = ls_store_data_version(s->ws);
  for (;;) {
    pthread_mutex_lock(&s->wmu);
    while (!s->queue && !s->stopping) {
      /* idle: look every second whether another process wrote the store,
       * so that the leads index does not go on answering from before it */
      struct timespec t;
      clock_gettime(CLOCK_REALTIME, &t);
      t.tv_sec += 1;
      if (pthread_cond_timedwait(&s->wcv, &s->wmu, &t) != ETIMEDOUT) continue;
      pthread_mutex_unlock(&s->wmu);
      if (!ls_store_refresh(s->ws) && ls_store_data_version(s->ws) != seen) {
        seen = ls_store_data_version(s->ws);
        atomic_fetch_add(&s->writes, 1);
        ls__lindex_invalidate(s->lindex);
        ls__slog_invalidate(s->slog);
      }
      pthread_mutex_lock(&s->wmu);
    }
    ls__job *jobs = s->queue;
    s->queue = s->queue_tail = NULL;
    bool stop = s->stopping && !jobs;
    pthread_mutex_unlock(&s->wmu);
    if (stop) break;
    int rc = ls_store_refresh(s->ws);
    if (!rc) rc = ls__hooks_load(s->ws, &s->hooks);
    s->wkick = false;
    if (!rc) rc = run_group(s, jobs); /* written, not yet on disk */
    atomic_fetch_add(&s->writes, 1);
    if (ls_store_data_version(s->ws) != seen) { /* another process wrote the store */
      seen = ls_store_data_version(s->ws);
      ls__lindex_invalidate(s->lindex);
      ls__slog_invalidate(s->slog);
    }
    ls__lindex_dirty(s->lindex, s->wdirty, s->nwdirty); /* committed (or undone: harmless) */
    ls__slog_dirty(s->slog, s->wdirty, s->nwdirty);
    s->nwdirty = 0;
    ls__group *g = malloc(sizeof *g);
    if (!g) { /* cannot hand it over: wait for the disk here */
      ls__group here = {jobs, rc ? rc : ls_store_sync(s->ws), s->wkick, NULL};
      finish(s, &here);
      continue;
    }
    *g = (ls__group){jobs, rc, s->wkick, NULL};
    pthread_mutex_lock(&s->smu);
    if (s->sq_tail) s->sq_tail->next = g;
    else s->sq = g;
    s->sq_tail = g;
    pthread_cond_signal(&s->scv);
    pthread_mutex_unlock(&s->smu);
  }
  return NULL;
}

enum { CKPT_EVERY_MS = 100 };
#define CKPT_WRITER ((int64_t)64 << 20)

/* The syncer: makes the groups the writer committed durable — one flush
 * of the log for all that are waiting — and only then answers their
 * requests. The writer meanwhile works on the next group: the disk's time
 * and the store's work overlap instead of adding up. */
static void *syncer(void *arg) {
  ls_server *s = arg;
  for (;;) {
    pthread_mutex_lock(&s->smu);
    while (!s->sq && !s->sstop) pthread_cond_wait(&s->scv, &s->smu);
    ls__group *gs = s->sq;
    s->sq = s->sq_tail = NULL;
    bool stop = s->sstop && !gs;
    pthread_mutex_unlock(&s->smu);
    if (stop) break;
    bool any = false;
    for (ls__group *g = gs; g; g = g->next) any |= !g->rc;
    int rc = any ? ls_store_sync(s->ws) : LS_OK;
    for (ls__group *g = gs, *next; g; g = next) {
      next = g->next;
      if (!g->rc) g->rc = rc;
      finish(s, g);
      free(g);
    }
    /* Copy the log into the database here, between answers, so that the
     * writer's own checkpoints (a safety net at CKPT_WRITER bytes) find it
     * done: copying was a tenth of the writer's time. A failure only
     * leaves it to the writer. */
    int64_t now = ls__now_ms();
    if (s->cs && now - s->ckpt_ms >= CKPT_EVERY_MS) {
      ls_store_checkpoint(s->cs);
      s->ckpt_ms = now;
    }
  }
  return NULL;
}

static void stop_syncer(ls_server *s) {
  pthread_mutex_lock(&s->smu);
  s->sstop = true;
  pthread_cond_signal(&s->scv);
  pthread_mutex_unlock(&s->smu);
  pthread_join(s->sth, NULL);
  ls_store_close(s->cs);
  s->cs = NULL;
}

int ls__writer_start(ls_server *s, ls_diag *diag) {
  int rc = ls_store_open(&ls_store_sqlite, s->cfg.db, &s->ws, diag);
  if (rc) return rc;
  ls_store_set_stage_hook(s->ws, on_stage, s);
  ls_store_set_person_hook(s->ws, on_person_written, s);
  if ((rc = ls_store_set_deferred_sync(s->ws, true)) ||
      (rc = ls_store_set_checkpoint(s->ws, CKPT_WRITER)) ||
      (rc = ls_store_open(&ls_store_sqlite, s->cfg.db, &s->cs, diag))) {
    ls_store_close(s->cs);
    s->cs = NULL;
    ls_store_close(s->ws);
    s->ws = NULL;
    snprintf(diag->msg, sizeof diag->msg, "cannot set up the store for the writer");
    return rc;
  }
  if (pthread_create(&s->sth, NULL, syncer, s)) {
    ls_store_close(s->cs);
    s->cs = NULL;
    ls_store_close(s->ws);
    s->ws = NULL;
    snprintf(diag->msg, sizeof diag->msg, "cannot start the syncer thread");
    return LS_EIO;
  }
  if (pthread_create(&s->wth, NULL, writer, s)) {
    stop_syncer(s);
    ls_store_close(s->ws);
    s->ws = NULL;
    snprintf(diag->msg, sizeof diag->msg, "cannot start the writer thread");
    return LS_EIO;
  }
  return LS_OK;
}

void ls__writer_stop(ls_server *s) {
  if (!s->ws) return;
  pthread_mutex_lock(&s->wmu);
  s->stopping = true;
  pthread_cond_signal(&s->wcv);
  pthread_mutex_unlock(&s->wmu);
  pthread_join(s->wth, NULL);
  stop_syncer(s); /* after the writer: it answers the last groups */
  ls__hooks_free(&s->hooks);
  ls_store_close(s->ws);
  s->ws = NULL;
}
