/* Folding into stored persons: the batch's person cache, incremental folds
 * with their ledger rows, re-folds from the stored history, and the person
 * id rule of spec §2 applied event by event. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "store/store_internal.h"

int ls__bytes_set(ls__bytes *b, const char *p, size_t n) {
  if (ls__grow((void **)&b->p, &b->cap, n ? n : 1, 1)) return LS_ENOMEM;
  if (n) memcpy(b->p, p, n);
  b->len = n;
  return LS_OK;
}

/* ---- the batch's person cache ---- */

static size_t hslot(const ls__touched *t, int64_t id) {
  uint64_t h = (uint64_t)id * 0x9e3779b97f4a7c15ull;
  size_t j = (size_t)(h >> 20) & t->mask;
  while (t->slot[j] && t->v[t->slot[j] - 1]->id != id) j = (j + 1) & t->mask;
  return j;
}

static int rehash(ls__touched *t, size_t cap) {
  size_t *ns = calloc(cap, sizeof *ns);
  if (!ns) return LS_ENOMEM;
  free(t->slot);
  t->slot = ns;
  t->mask = cap - 1;
  for (size_t i = 0; i < t->n; i++) t->slot[hslot(t, t->v[i]->id)] = i + 1;
  return LS_OK;
}

int ls__touched_get(ls_store *s, int64_t id, bool fresh, ls__tp **out) {
  ls__touched *t = &s->t;
  if (!t->slot && rehash(t, 1024)) return LS_ENOMEM;
  size_t j = hslot(t, id);
  if (t->slot[j] && !t->v[t->slot[j] - 1]->dropped) {
    *out = t->v[t->slot[j] - 1];
    return LS_OK;
  }
  if (t->slot[j]) return LS_EINVAL; /* ids are never reused (AUTOINCREMENT) */
  if ((t->n + 1) * 2 > t->mask + 1) {
    if (rehash(t, (t->mask + 1) * 2)) return LS_ENOMEM;
    j = hslot(t, id);
  }
  if (ls__grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v)) return LS_ENOMEM;
  ls__tp *p = t->v[t->n];
  if (!p) { /* entries and their buffers are kept for the next batches */
    p = t->v[t->n] = calloc(1, sizeof *p);
    if (!p || !(p->state = malloc(s->ssize))) return LS_ENOMEM;
  }
  p->id = id;
  p->idx = (uint32_t)t->n;
  p->fresh = fresh;
  p->refold = p->dropped = p->refolding = p->has_new = false;
  p->rewinding = p->cap_on = p->cap_bad = p->missing = false;
  p->last_id.len = p->lead_id.len = 0;
  memset(&p->row, 0, sizeof p->row);
  p->events_at.len = p->ledger_at.len = 0;
  p->row.events_at = &p->events_at;
  p->row.ledger_at = &p->ledger_at;
  p->row.id = id;
  p->row.lead_kind = 3; /* no identity chosen yet */
  p->row.state = p->state;
  p->row.state_len = s->ssize;
  int rc = LS_OK;
  if (fresh) {
    ls_fold_init(s->model, p->state);
  } else {
    p->row.id = 0; /* the driver sets it when the row exists */
    rc = s->drv->person_get(s->db, id, &p->row);
    if (rc == LS_ENOTFOUND) { /* a person row without a folded state, or none */
      p->missing = p->row.id != id;
      p->row.id = id;
      p->refold = true;
      rc = LS_OK;
    }
    if (!rc) rc = ls__bytes_set(&p->last_id, p->row.last_event.p, p->row.last_event.n);
    if (!rc) rc = ls__bytes_set(&p->lead_id, p->row.lead_id.p, p->row.lead_id.n);
  }
  if (rc) return rc;
  t->slot[j] = ++t->n;
  *out = p;
  return LS_OK;
}

void ls__touched_drop(ls__tp *from, const ls__tp *into) {
  from->dropped = true;
  from->into = into->idx;
}

void ls__touched_clear(ls__touched *t) {
  t->n = 0;
  if (t->slot) memset(t->slot, 0, (t->mask + 1) * sizeof *t->slot);
}

void ls__touched_free(ls__touched *t) {
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->v || !t->v[i]) continue;
    free(t->v[i]->state);
    free(t->v[i]->last_id.p);
    free(t->v[i]->lead_id.p);
    ls_buf_free(&t->v[i]->events_at);
    ls_buf_free(&t->v[i]->ledger_at);
    ls__rw_base_free(&t->v[i]->cap);
    free(t->v[i]);
  }
  free(t->v);
  free(t->slot);
}

/* ---- ledger rows ---- */

typedef struct sink_ctx {
  ls_store *s;
  ls__tp *p;
  int rc;
} sink_ctx;

static void put_row(sink_ctx *c, ls_store_ledger *e) {
  if (c->rc) return;
  e->n = c->p->row.ledger_n++;
  e->model_version = c->s->model_version;
  c->rc = c->s->drv->ledger_add(c->s->db, &c->p->row, e);
}

static void on_ledger(void *ud, const ls_ledger_entry *l) {
  sink_ctx *c = ud;
  ls_store_ledger e = {0};
  /* 'c': the rule's cap gave nothing; 'b': the score's min/max cut it */
  e.kind = l->rule < 0 && l->window                             ? 'w'
           : l->rule < 0 && l->evicted                          ? 'e'
           : l->rule < 0                                        ? 'd'
           : ls_model_rule_is_fit(c->s->model, (size_t)l->rule) ? 'f'
           : l->capped == LS_CAP_RULE                           ? 'c'
           : l->capped                                          ? 'b'
                                                                : 'p';
  e.time = l->time;
  e.rule = l->rule < 0 ? NULL : ls_model_rule_id(c->s->model, (size_t)l->rule);
  e.points = l->points;
  e.after = l->after;
  e.event_id = l->event_id;
  e.category = l->category;
  put_row(c, &e);
}

/* A re-fold reports again the stage changes before this batch's first
 * event: those were reported (alerted, given an owner) before. */
static bool replayed(const ls__tp *p, ls_time t) {
  return p->refolding && (!p->has_new || ls_time_cmp(t, p->first_new) < 0);
}

static void on_stage(void *ud, const ls_stage_change *sc) {
  sink_ctx *c = ud;
  ls_store_ledger e = {0};
  e.kind = 's';
  e.time = sc->time;
  e.from_stage = ls_model_stage_name(c->s->model, sc->from);
  e.to_stage = ls_model_stage_name(c->s->model, sc->to);
  e.mql = sc->mql;
  e.event_id = sc->event_id;
  e.rule = sc->route >= 0 ? ls_model_route_name(c->s->model, (size_t)sc->route) : NULL;
  e.cadence = sc->cadence >= 0 ? ls_model_cadence_name(c->s->model, (size_t)sc->cadence) : NULL;
  put_row(c, &e);
  ls_store *s = c->s;
  /* a new MQL gets an owner at the end of the ingest */
  const ls__tp *p = c->p;
  if (sc->mql && !replayed(p, sc->time) && !c->rc) {
    if (ls__grow((void **)&s->mqls, &s->mql_cap, s->nmql + 1, sizeof *s->mqls)) c->rc = LS_ENOMEM;
    else s->mqls[s->nmql++] = (ls__mql){sc->time, p->id};
  }
  if (!s->stage_hook || c->rc) return;
  if (ls__grow((void **)&s->chg, &s->chg_cap, s->nchg + 1, sizeof *s->chg)) c->rc = LS_ENOMEM;
  else s->chg[s->nchg++] = *sc;
}

/* Spec §2 event by event: the first lead; else the first e-mail; else the
 * first anonymous id (events come in (time, id) order). */
static int choose_id(ls__tp *p, const ls_slice ids[3]) {
  static const char *const prefix[3] = {"", "email:", "anon:"};
  for (int k = 0; k < 3 && k < p->row.lead_kind; k++) {
    if (!ids[k].n) continue;
    size_t pl = strlen(prefix[k]);
    if (ls__bytes_set(&p->lead_id, prefix[k], pl)) return LS_ENOMEM;
    if (ls__grow((void **)&p->lead_id.p, &p->lead_id.cap, pl + ids[k].n, 1)) return LS_ENOMEM;
    memcpy(p->lead_id.p + pl, ids[k].p, ids[k].n);
    p->lead_id.len = pl + ids[k].n;
    p->row.lead_kind = (uint8_t)k;
    break;
  }
  return LS_OK;
}

int ls__store_fold_one(ls_store *s, ls__tp *p, const ls_slice ids[3],
                       const ls_fold_event *fe) {
  sink_ctx c = {s, p, LS_OK};
  s->nchg = 0;
  ls_fold_sink sink = {&c, on_ledger, on_stage, NULL};
  ls_fold_apply(s->model, p->state, fe, &sink);
  if (c.rc) return c.rc;
  p->fresh = false;
  p->row.last_time = fe->time;
  if (ls__bytes_set(&p->last_id, fe->id.p, fe->id.n)) return LS_ENOMEM;
  int rc = ids && p->row.lead_kind > 0 ? choose_id(p, ids) : LS_OK;
  /* after the event, so that the hook sees the lead id it gave */
  for (size_t i = 0; i < s->nchg && !rc; i++) {
    /* a re-fold reports again the changes before this batch's first event */
    ls_store_stage_info info = {p->id, {p->lead_id.p ? p->lead_id.p : "", p->lead_id.len},
                                p->state, &s->chg[i], &p->row, replayed(p, s->chg[i].time)};
    rc = s->stage_hook(s->stage_ud, s, &info);
  }
  return rc;
}

/* ---- a person's history ---- */

static int cmp_time_id(ls_time ta, ls_slice a, ls_time tb, ls_slice b) {
  int c = ls_time_cmp(ta, tb);
  if (c) return c;
  size_t n = a.n < b.n ? a.n : b.n;
  c = memcmp(a.p, b.p, n);
  return c ? c : (a.n > b.n) - (a.n < b.n);
}

static int cmp_pending(const void *a, const void *b) {
  const ls__pending *x = a, *y = b;
  if (x->tp != y->tp) return x->tp < y->tp ? -1 : 1;
  return cmp_time_id(x->time, x->id, y->time, y->id);
}

/* Collects a stored event into s->hist; s->hv[i].line is the offset of its
 * line there and tp its length (ids are offsets until hist stops moving). */
static int collect(void *ud, const ls_store_event *e) {
  ls_store *s = ud;
  if (ls__grow((void **)&s->hv, &s->hcap, s->hn + 1, sizeof *s->hv)) return LS_ENOMEM;
  size_t at = s->hist.len;
  if (at + e->line.n + e->id.n > UINT32_MAX) return LS_ERANGE;
  if (ls_buf_append(&s->hist, e->line.p, e->line.n) ||
      ls_buf_append(&s->hist, e->id.p, e->id.n))
    return LS_ENOMEM;
  s->hv[s->hn++] = (ls__pending){.tp = (uint32_t)e->line.n, .line = (uint32_t)at,
                                 .time = e->time, .id = {NULL, e->id.n}};
  return LS_OK;
}

static int cmp_hist(const void *a, const void *b) {
  const ls__pending *x = a, *y = b;
  return cmp_time_id(x->time, x->id, y->time, y->id);
}

int ls__store_history(ls_store *s, const ls__tp *p, int (*fn)(void *ud, ls_slice line),
                      void *ud) {
  s->hist.len = 0;
  s->hn = 0;
  int rc = s->drv->event_scan(s->db, &p->row, collect, s);
  if (rc) return rc;
  for (size_t i = 0; i < s->hn; i++)
    s->hv[i].id.p = s->hist.p + s->hv[i].line + s->hv[i].tp;
  if (s->hn) qsort(s->hv, s->hn, sizeof *s->hv, cmp_hist);
  for (size_t i = 0; i < s->hn && !rc; i++)
    rc = fn(ud, (ls_slice){s->hist.p + s->hv[i].line, s->hv[i].tp});
  return rc;
}

/* ---- the rewind cache (rewind.h) ---- */

/* Starts capturing p's base: its state now, before the batch's earliest
 * event is folded; the events folded from here on are its tail. */
static int cap_begin(ls_store *s, ls__tp *p) {
  ls__rw_base *b = &p->cap;
  p->cap_on = true;
  b->ledger_n = p->row.ledger_n; /* rows from here on are the tail's */
  /* decay applied by `advance` is in the state but not in the events */
  p->cap_bad = p->row.has_advance;
  if (p->cap_bad) return LS_OK;
  if (!b->state && !(b->state = malloc(s->ssize))) return LS_ENOMEM;
  memcpy(b->state, p->state, s->ssize);
  b->last_time = p->row.last_time;
  b->last_id.len = b->lead_id.len = b->tail.len = 0;
  b->ntail = 0;
  b->lead_kind = p->row.lead_kind;
  b->fresh = p->fresh;
  if (ls_buf_append(&b->last_id, p->last_id.p, p->last_id.len) ||
      ls_buf_append(&b->lead_id, p->lead_id.p, p->lead_id.len))
    return LS_ENOMEM;
  return LS_OK;
}

static void cap_add(ls__tp *p, ls_time t, ls_slice id, ls_slice line) {
  if (p->cap_on && !p->cap_bad && !ls__rw_tail_add(&p->cap, t, id, line)) p->cap_bad = true;
}

/* Keeps p's capture in the cache (after p's row is written), or forgets
 * what the cache had for p. */
static void cap_keep(ls_store *s, ls__tp *p) {
  if (p->cap_on && !p->cap_bad && !p->dropped)
    ls__rw_put(&s->rw, p->id, p->row.ledger_n, p->row.last_time,
               (ls_slice){p->last_id.p, p->last_id.len}, &p->cap); /* no memory: not kept */
  else
    ls__rw_drop(&s->rw, p->id);
  p->cap_on = p->cap_bad = false;
}

/* Can the batch's events of p, the earliest (t, id), be folded by going
 * back to the cache's base? Then goes back: p's state and identity are the
 * base's, its ledger rows after the base are gone. */
static int rewind_begin(ls_store *s, ls__tp *p, ls_time t, ls_slice id, bool *ok) {
  const ls__rw_ent *r =
      ls__rw_find(&s->rw, p->id, p->row.ledger_n, p->row.last_time,
                  (ls_slice){p->last_id.p, p->last_id.len});
  *ok = r && !p->row.has_advance &&
        (r->b.fresh || cmp_time_id(t, id, r->b.last_time,
                                   (ls_slice){r->b.last_id.p, r->b.last_id.len}) > 0);
  if (!*ok) return LS_OK;
  int rc = s->drv->ledger_truncate(s->db, &p->row, p->row.ledger_n - r->b.ledger_n);
  if (rc) return rc;
  memcpy(p->state, r->b.state, s->ssize);
  p->row.last_time = r->b.last_time;
  p->row.lead_kind = r->b.lead_kind;
  p->fresh = r->b.fresh;
  if (ls__bytes_set(&p->last_id, r->b.last_id.p, r->b.last_id.len) ||
      ls__bytes_set(&p->lead_id, r->b.lead_id.p, r->b.lead_id.len))
    return LS_ENOMEM;
  p->rewinding = p->refolding = true; /* the stage hook: changes before the batch are replays */
  p->rw = r;
  p->rw_off = 0;
  p->rw_left = r->b.ntail;
  return LS_OK;
}

/* Folds the tail's events up to (t, id) (all of them when id.p is NULL). */
static int rewind_to(ls_store *s, ls__tp *p, ls_time t, ls_slice id) {
  while (p->rw_left) {
    size_t off = p->rw_off;
    ls__rw_event ev = ls__rw_tail_at(&p->rw->b, &off);
    if (id.p && cmp_time_id(ev.time, ev.id, t, id) > 0) break;
    p->rw_off = off;
    p->rw_left--;
    ls_event_fields f;
    ls_fold_event fe;
    int rc = ls__store_classify(s, ev.line, &f, &fe);
    const ls_slice ids[3] = {f.lead, f.email, f.anon};
    if (!rc) rc = ls__store_fold_one(s, p, ids, &fe);
    if (rc) return rc;
    cap_add(p, ev.time, ev.id, ev.line);
  }
  return LS_OK;
}

/* ---- re-fold ---- */

typedef struct refold_ctx {
  ls_store *s;
  ls__tp *p;
} refold_ctx;

static int refold_event(void *ud, ls_slice line) {
  refold_ctx *c = ud;
  ls_event_fields f;
  ls_fold_event fe;
  int rc = ls__store_classify(c->s, line, &f, &fe);
  /* a stored event re-read under a new model may name categories first */
  const ls_model *m = c->s->model;
  size_t nf = ls_model_nfamilies(m), w0 = ls_model_pred_words(m) - nf;
  for (size_t k = 0; k < nf && !rc; k++)
    if (fe.pred[w0 + k])
      rc = c->s->drv->category_put(c->s->db, fe.pred[w0 + k], ls_model_event_category(m, &f, k));
  const ls_slice ids[3] = {f.lead, f.email, f.anon};
  ls__tp *p = c->p;
  if (!rc && p->has_new && !p->cap_on &&
      cmp_time_id(fe.time, fe.id, p->first_new, p->first_new_id) >= 0)
    rc = cap_begin(c->s, p);
  if (!rc) rc = ls__store_fold_one(c->s, p, ids, &fe);
  if (!rc) cap_add(p, fe.time, fe.id, line);
  return rc;
}

static int refold(ls_store *s, ls__tp *p) {
  int rc = s->drv->ledger_clear(s->db, &p->row, s->model_version);
  if (rc) return rc;
  ls_fold_init(s->model, p->state);
  p->fresh = true; /* ledger_n goes on: row numbers are never reused */
  p->row.lead_kind = 3;
  p->row.has_advance = false; /* decay after the last event: at export */
  p->lead_id.len = p->last_id.len = 0;
  refold_ctx c = {s, p};
  p->refolding = true;
  rc = ls__store_history(s, p, refold_event, &c);
  p->refolding = false;
  return rc;
}

int ls__store_put(ls_store *s, ls__tp *p) {
  const ls_model *m = s->model;
  char mql[LS_TIME_FMT_MAX];
  ls_time t;
  bool has_mql = ls_fold_last_mql(m, p->state, &t);
  if (has_mql) ls_time_format(t, mql);
  p->row.last_event = (ls_slice){p->last_id.p ? p->last_id.p : "", p->last_id.len};
  p->row.lead_id = (ls_slice){p->lead_id.p ? p->lead_id.p : "", p->lead_id.len};
  if (s->person_hook) s->person_hook(s->person_ud, p->id);
  return s->drv->person_put(s->db, &p->row, ls_model_stage_name(m, ls_fold_stage(m, p->state)),
                            ls_fold_score(m, p->state, 0), ls_fold_mql_count(m, p->state),
                            has_mql ? mql : NULL);
}

/* Stores the batch's events, each person's in (time, id) order, and folds
 * them onto the stored state when the first comes after it; otherwise (or
 * after a merge) the person is re-folded from its history at flush. */
static int fold_pending(ls_store *s, ls_store_stats *st) {
  for (size_t i = 0; i < s->npend; i++) { /* events of merged persons go along */
    uint32_t k = s->pend[i].tp;
    while (s->t.v[k]->dropped) k = s->t.v[k]->into;
    s->pend[i].tp = k;
  }
  if (s->npend) qsort(s->pend, s->npend, sizeof *s->pend, cmp_pending);
  for (size_t i = 0; i < s->npend; i++) {
    const ls__pending *e = &s->pend[i];
    ls__tp *p = s->t.v[e->tp];
    ls_slice line = {s->lines[e->line], s->lens[e->line]};
    bool first = i == 0 || s->pend[i - 1].tp != e->tp;
    bool last = i + 1 == s->npend || s->pend[i + 1].tp != e->tp;
    int rc = LS_OK;
    if (first) { /* merged persons' events come along, sorted: the earliest */
      p->has_new = true;
      p->first_new = e->time;
      p->first_new_id = e->id;
      if (!p->refold && !ls__store_appends(p, e->time, e->id)) {
        bool ok = false;
        if ((rc = rewind_begin(s, p, e->time, e->id, &ok))) return rc;
        if (ok) st->rewound++;
        else p->refold = true;
      }
    }
    ls_store_event se = {0, e->id, p->id, e->time, line};
    if ((rc = s->drv->event_put(s->db, &p->row, &se))) return rc;
    if (p->refold) continue;
    if (p->rewinding && (rc = rewind_to(s, p, e->time, e->id))) return rc;
    if (first && (rc = cap_begin(s, p))) return rc;
    ls_fold_event fe = {e->time, e->id, e->type, e->identifies, e->bits};
    ls_slice ids[3];
    for (int k = 0; k < 3; k++)
      ids[k] = (ls_slice){e->ev->ident_len[k] ? e->bytes + e->ev->ident_off[k] : NULL,
                          e->ev->ident_len[k]};
    if ((rc = ls__store_fold_one(s, p, ids, &fe))) return rc;
    cap_add(p, e->time, e->id, line);
    st->incremental++;
    if (last && p->rewinding) {
      rc = rewind_to(s, p, e->time, (ls_slice){NULL, 0});
      p->rewinding = p->refolding = false;
      if (rc) return rc;
    }
  }
  s->npend = 0;
  return LS_OK;
}

int ls__store_flush(ls_store *s, ls_store_stats *st) {
  int frc = fold_pending(s, st);
  if (frc) return frc;
  for (size_t i = 0; i < s->t.n; i++) {
    ls__tp *p = s->t.v[i];
    if (p->dropped) {
      ls__rw_drop(&s->rw, p->id);
      continue;
    }
    int rc = LS_OK;
    if (p->refold) {
      rc = refold(s, p);
      st->refolded++;
    }
    if (!rc) rc = ls__store_put(s, p);
    if (rc) return rc;
    cap_keep(s, p);
  }
  return LS_OK;
}

int ls__store_advance_person(ls_store *s, ls__tp *p, ls_time to) {
  sink_ctx c = {s, p, LS_OK};
  ls_fold_sink sink = {&c, on_ledger, on_stage, NULL};
  ls_fold_advance(s->model, p->state, to, &sink);
  if (!p->row.has_advance || ls_time_cmp(to, p->row.advanced_to) > 0) {
    p->row.has_advance = true;
    p->row.advanced_to = to;
  }
  return c.rc;
}
