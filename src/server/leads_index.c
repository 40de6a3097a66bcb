/* The server's leads index (see leads_index.h). */
#define _POSIX_C_SOURCE 200809L
#include "server/leads_index.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "engine/replay_internal.h" /* ls__sort_u32 */
#include "leadscore/fold.h"

#define NONE_SEC INT64_MAX

typedef struct ent {
  int64_t person;
  size_t lead_off;
  uint32_t lead_len;
  uint16_t stage;
  uint8_t grade, cell; /* interned labels; 0: none */
  bool live;
  bool has_cat;
  uint64_t cat;        /* top category's hash */
  ls_time next;        /* next decay/window step; sec NONE_SEC: none */
  ls_time updated;     /* last activity; sec INT64_MIN: none */
} ent;

struct ls__lindex {
  pthread_mutex_t mu;
  bool built;
  int64_t version;  /* the model version it was built under */
  size_t nscores;
  ls_time at_max;   /* the latest read time an entry was computed at */
  ent *v;
  size_t n, cap;
  int64_t *sc;      /* [n * nscores] */
  size_t sc_cap;
  char *arena;      /* lead ids */
  size_t arena_len, arena_cap, arena_dead;
  int32_t *pos;     /* person id -> index in v, -1: none */
  size_t npos;
  char *labels[2][255]; /* interned grade (0) and cell (1) labels, 1-based */
  size_t nlabels[2];
  ls__pending dirty; /* persons the writer changed */
  unsigned char *scratch; /* one state, aligned */
  size_t ssize;
};

ls__lindex *ls__lindex_new(void) {
  ls__lindex *x = calloc(1, sizeof *x);
  if (x && pthread_mutex_init(&x->mu, NULL)) {
    free(x);
    return NULL;
  }
  return x;
}

static void clear(ls__lindex *x) {
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < x->nlabels[k]; i++) free(x->labels[k][i]);
  x->nlabels[0] = x->nlabels[1] = 0;
  x->n = x->arena_len = x->arena_dead = 0;
  for (size_t i = 0; i < x->npos; i++) x->pos[i] = -1;
  x->built = false;
}

void ls__lindex_destroy(ls__lindex *x) {
  if (!x) return;
  clear(x);
  free(x->v);
  free(x->sc);
  free(x->arena);
  free(x->pos);
  ls__pending_free(&x->dirty);
  free(x->scratch);
  pthread_mutex_destroy(&x->mu);
  free(x);
}

void ls__lindex_dirty(ls__lindex *x, const int64_t *persons, size_t n) {
  if (!n) return;
  pthread_mutex_lock(&x->mu);
  ls__pending_add(&x->dirty, persons, n);
  pthread_mutex_unlock(&x->mu);
}

void ls__lindex_invalidate(ls__lindex *x) {
  pthread_mutex_lock(&x->mu);
  x->dirty.invalid = true;
  pthread_mutex_unlock(&x->mu);
}

void ls__lpage_free(ls__lpage *p) {
  if (!p) return;
  free(p->persons);
  p->persons = NULL;
  p->n = 0;
}

/* ---- entries ---- */

/* The interned label's number (1-based), 0 for none; 0 also when the table
 * is full (then the filter cannot tell it apart: 254 labels are plenty). */
static uint8_t intern(ls__lindex *x, int k, const char *s) {
  if (!s || !*s) return 0;
  for (size_t i = 0; i < x->nlabels[k]; i++)
    if (!strcmp(x->labels[k][i], s)) return (uint8_t)(i + 1);
  if (x->nlabels[k] == 254) return 0;
  char *c = strdup(s);
  if (!c) return 0;
  x->labels[k][x->nlabels[k]++] = c;
  return (uint8_t)x->nlabels[k];
}

static int lead_put(ls__lindex *x, ent *e, ls_slice lead) {
  if (e->live && e->lead_len == lead.n && !memcmp(x->arena + e->lead_off, lead.p, lead.n))
    return LS_OK;
  if (e->live) x->arena_dead += e->lead_len;
  if (ls__grow((void **)&x->arena, &x->arena_cap, x->arena_len + lead.n + 1, 1)) return LS_ENOMEM;
  if (lead.n) memcpy(x->arena + x->arena_len, lead.p, lead.n);
  e->lead_off = x->arena_len;
  e->lead_len = (uint32_t)lead.n;
  x->arena_len += lead.n;
  return LS_OK;
}

/* Fills entry i from `state` already advanced to `at`. */
static int fill(ls__lindex *x, const ls_model *m, size_t i, int64_t person, ls_slice lead,
                const void *state) {
  ent *e = &x->v[i];
  int rc = lead_put(x, e, lead);
  if (rc) return rc;
  e->person = person;
  e->live = true;
  e->stage = ls_fold_stage(m, state);
  e->grade = ls_model_ngrades(m) ? intern(x, 0, ls_fold_grade(m, state, 0)) : 0;
  char cell[40];
  e->cell = ls_fold_cell(m, state, cell, sizeof cell) ? intern(x, 1, cell) : 0;
  ls_category top;
  e->has_cat = ls_model_nfamilies(m) && ls_fold_top_category(m, state, &top);
  e->cat = e->has_cat ? top.hash : 0;
  if (!ls_fold_next_step(m, state, &e->next)) e->next = (ls_time){NONE_SEC, 0};
  if (!ls_fold_last_activity(m, state, &e->updated)) e->updated = (ls_time){INT64_MIN, 0};
  for (size_t k = 0; k < x->nscores; k++) x->sc[i * x->nscores + k] = ls_fold_score(m, state, k);
  return LS_OK;
}

/* The index of person's entry, a new one when it has none. */
static int slot_of(ls__lindex *x, int64_t person, size_t *out) {
  if (person < 0 || person > INT32_MAX) return LS_EINVAL;
  size_t id = (size_t)person;
  if (id >= x->npos) {
    size_t cap = x->npos, need = id + 1;
    if (ls__grow((void **)&x->pos, &cap, need, sizeof *x->pos)) return LS_ENOMEM;
    for (size_t k = x->npos; k < cap; k++) x->pos[k] = -1;
    x->npos = cap;
  }
  if (x->pos[id] >= 0) {
    *out = (size_t)x->pos[id];
    return LS_OK;
  }
  if (x->n >= INT32_MAX || ls__grow((void **)&x->v, &x->cap, x->n + 1, sizeof *x->v) ||
      ls__grow((void **)&x->sc, &x->sc_cap, (x->n + 1) * (x->nscores ? x->nscores : 1),
               sizeof *x->sc))
    return LS_ENOMEM;
  memset(&x->v[x->n], 0, sizeof *x->v);
  x->pos[id] = (int32_t)x->n;
  *out = x->n++;
  return LS_OK;
}

typedef struct build_ctx {
  ls__lindex *x;
  const ls_model *m;
  ls_time at;
} build_ctx;

static int on_person(void *ud, int64_t person, ls_slice lead, const void *state) {
  build_ctx *b = ud;
  ls__lindex *x = b->x;
  memcpy(x->scratch, state, x->ssize); /* aligned, and the stored copy stays as it is */
  ls_fold_advance(b->m, x->scratch, b->at, NULL);
  size_t i;
  int rc = slot_of(x, person, &i);
  return rc ? rc : fill(x, b->m, i, person, lead, x->scratch);
}

static int build(ls__lindex *x, ls_store *st, ls_time at) {
  const ls_model *m = ls_store_model(st);
  clear(x);
  x->dirty.n = 0;
  x->dirty.invalid = false;
  x->version = ls_store_model_version(st);
  x->nscores = ls_model_nscores(m);
  x->ssize = ls_fold_state_size(m);
  free(x->scratch);
  if (!(x->scratch = malloc(x->ssize ? x->ssize : 1))) return LS_ENOMEM;
  build_ctx b = {x, m, at};
  int rc = ls_store_person_each(st, on_person, &b);
  if (rc) {
    clear(x);
    return rc;
  }
  x->at_max = at;
  x->built = true;
  return LS_OK;
}

/* Re-reads one person at `at` (gone: its entry is dropped). */
static int reload(ls__lindex *x, ls_store *st, int64_t person, ls_time at, ls_buf *lead) {
  const ls_model *m = ls_store_model(st);
  lead->len = 0;
  int rc = ls_store_person_state(st, person, &at, x->scratch, lead);
  if (rc == LS_ENOTFOUND) {
    if (person >= 0 && (size_t)person < x->npos && x->pos[person] >= 0) {
      ent *e = &x->v[x->pos[person]];
      if (e->live) x->arena_dead += e->lead_len;
      e->live = false;
    }
    return LS_OK;
  }
  size_t i;
  if (!rc) rc = slot_of(x, person, &i);
  return rc ? rc : fill(x, m, i, person, (ls_slice){lead->p ? lead->p : "", lead->len}, x->scratch);
}

/* ---- the query ---- */

static int cmp_lead(const ls__lindex *x, const ent *e, ls_slice l, int64_t person) {
  size_t n = e->lead_len < l.n ? e->lead_len : l.n;
  int c = n ? memcmp(x->arena + e->lead_off, l.p, n) : 0;
  if (!c) c = (e->lead_len > l.n) - (e->lead_len < l.n);
  if (!c) c = (e->person > person) - (e->person < person);
  return c;
}

static void key_of(const ls__lindex *x, const ls__lquery *q, size_t i, int64_t *k, int32_t *k2) {
  const ent *e = &x->v[i];
  *k2 = 0;
  if (q->sort == LS__SORT_SCORE) *k = x->sc[i * x->nscores + q->score];
  else if (q->sort == LS__SORT_UPDATED) *k = e->updated.sec, *k2 = e->updated.nsec;
  else *k = 0;
}

/* < 0 when entry i comes before (key, key2, lead, person) in q's order. */
static int cmp_to(const ls__lindex *x, const ls__lquery *q, size_t i, int64_t k, int32_t k2,
                  ls_slice lead, int64_t person) {
  int64_t a;
  int32_t a2;
  key_of(x, q, i, &a, &a2);
  int c = (a > k) - (a < k);
  if (!c) c = (a2 > k2) - (a2 < k2);
  if (q->desc) c = -c;
  return c ? c : cmp_lead(x, &x->v[i], lead, person);
}

static int cmp_ent(const ls__lindex *x, const ls__lquery *q, size_t i, size_t j) {
  int64_t k;
  int32_t k2;
  key_of(x, q, j, &k, &k2);
  const ent *e = &x->v[j];
  return cmp_to(x, q, i, k, k2, (ls_slice){x->arena + e->lead_off, e->lead_len}, e->person);
}

static bool match(const ls__lindex *x, const ls__lquery *q, size_t i, const int32_t *want) {
  const ent *e = &x->v[i];
  if (!e->live) return false;
  if (want[0] >= 0 && e->stage != want[0]) return false;
  int64_t v = x->sc[i * x->nscores + q->score];
  if ((q->has_min && v < q->min) || (q->has_max && v > q->max)) return false;
  if (q->grade && (!e->grade || strcmp(x->labels[0][e->grade - 1], q->grade))) return false;
  if (q->cell && (!e->cell || strcmp(x->labels[1][e->cell - 1], q->cell))) return false;
  if (q->category &&
      (!e->has_cat || e->cat != ls_model_category_hash(q->category, strlen(q->category))))
    return false;
  if (q->has_updated && ls_time_cmp(e->updated, q->updated) < 0) return false;
  if (q->lead_ok && !q->lead_ok(q->lead_ud, (ls_slice){x->arena + e->lead_off, e->lead_len}))
    return false;
  return true;
}

/* A heap of the best `cap` rows so far, the worst on top. */
typedef struct heap {
  const ls__lindex *x;
  const ls__lquery *q;
  uint32_t *v;
  size_t n, cap;
} heap;

static void sift_down(heap *h, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, w = i;
    if (l < h->n && cmp_ent(h->x, h->q, h->v[l], h->v[w]) > 0) w = l;
    if (r < h->n && cmp_ent(h->x, h->q, h->v[r], h->v[w]) > 0) w = r;
    if (w == i) return;
    uint32_t t = h->v[i];
    h->v[i] = h->v[w], h->v[w] = t, i = w;
  }
}

static void heap_add(heap *h, uint32_t e) {
  if (h->n < h->cap) {
    size_t i = h->n++;
    h->v[i] = e;
    while (i && cmp_ent(h->x, h->q, h->v[i], h->v[(i - 1) / 2]) > 0) {
      size_t p = (i - 1) / 2;
      uint32_t t = h->v[i];
      h->v[i] = h->v[p], h->v[p] = t, i = p;
    }
  } else if (cmp_ent(h->x, h->q, e, h->v[0]) < 0) {
    h->v[0] = e;
    sift_down(h, 0);
  }
}

static int catch_up(ls__lindex *x, ls_store *st, ls_time (*at_fn)(void *, ls_store *),
                    void *at_ud, ls_time *at) {
  int64_t *dirty = NULL;
  size_t nd = 0;
  int rc = ls__pending_take(&x->dirty, st, &dirty, &nd);
  *at = at_fn(at_ud, st);
  if (!rc && (!x->built || x->dirty.invalid || x->version != ls_store_model_version(st) ||
              ls_time_cmp(*at, x->at_max) < 0 || x->arena_dead > x->arena_len / 2 + 4096)) {
    rc = build(x, st, *at);
    nd = 0; /* the build read them */
  }
  ls_buf lead = {0};
  for (size_t i = 0; !rc && i < nd; i++) rc = reload(x, st, dirty[i], *at, &lead);
  /* entries whose next step is due by the read time */
  for (size_t i = 0; !rc && i < x->n; i++)
    if (x->v[i].live && ls_time_cmp(x->v[i].next, *at) <= 0)
      rc = reload(x, st, x->v[i].person, *at, &lead);
  if (!rc && ls_time_cmp(*at, x->at_max) > 0) x->at_max = *at;
  if (rc) x->dirty.invalid = true;
  ls_buf_free(&lead);
  free(dirty);
  return rc;
}

typedef struct sort_ctx {
  const ls__lindex *x;
  const ls__lquery *q;
} sort_ctx;

static int by_order(const void *ctx, uint32_t a, uint32_t b) {
  const sort_ctx *c = ctx;
  return cmp_ent(c->x, c->q, a, b);
}

/* The page's rows (a heap's worth) or every row (CSV of a whole filter) in
 * q's order, by the replay's stable merge sort. */
static int sort_rows(const ls__lindex *x, const ls__lquery *q, uint32_t *v, size_t n) {
  uint32_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
  if (!tmp) return LS_ENOMEM;
  sort_ctx c = {x, q};
  ls__sort_u32(v, tmp, n, by_order, &c);
  free(tmp);
  return LS_OK;
}

int ls__lindex_query(ls__lindex *x, ls_store *st, ls_time (*at_fn)(void *ud, ls_store *st),
                     void *at_ud, const ls__lquery *q, ls__lpage *out, const char **bad) {
  memset(out, 0, sizeof *out);
  *bad = NULL;
  const ls_model *m = ls_store_model(st);
  int32_t want[1] = {-1};
  if (q->stage) {
    for (size_t i = 0; i < ls_model_nstages(m); i++)
      if (!strcmp(ls_model_stage_name(m, i), q->stage)) want[0] = (int32_t)i;
    if (want[0] < 0) want[0] = INT32_MAX; /* a stage nobody is in */
  }
  if (q->score >= ls_model_nscores(m)) {
    *bad = "score";
    return LS_EINVAL;
  }
  pthread_mutex_lock(&x->mu);
  int rc = catch_up(x, st, at_fn, at_ud, &out->at);
  size_t cap = q->limit < SIZE_MAX ? q->limit + 1 : 0;
  heap h = {x, q, NULL, 0, 0};
  uint32_t *all = NULL;
  size_t nall = 0, acap = 0;
  if (!rc && cap) {
    h.cap = cap < x->n + 1 ? cap : x->n + 1;
    if (!(h.v = malloc(h.cap * sizeof *h.v))) rc = LS_ENOMEM;
  }
  for (size_t i = 0; !rc && i < x->n; i++) {
    if (!match(x, q, i, want)) continue;
    out->total++; /* the filter's rows, the cursor aside */
    if (q->has_after &&
        cmp_to(x, q, i, q->after_key, q->after_key2, q->after_lead, q->after_person) <= 0)
      continue;
    if (cap) heap_add(&h, (uint32_t)i);
    else if (ls__grow((void **)&all, &acap, nall + 1, sizeof *all)) rc = LS_ENOMEM;
    else all[nall++] = (uint32_t)i;
  }
  uint32_t *rows = cap ? h.v : all;
  size_t n = cap ? h.n : nall;
  if (!rc) rc = sort_rows(x, q, rows, n);
  if (!rc && cap && n == cap) out->more = true, n--;
  if (!rc && n && !(out->persons = malloc(n * sizeof *out->persons))) rc = LS_ENOMEM;
  for (size_t i = 0; !rc && i < n; i++) out->persons[i] = x->v[rows[i]].person;
  if (!rc && n) key_of(x, q, rows[n - 1], &out->last_key, &out->last_key2);
  out->n = rc ? 0 : n;
  pthread_mutex_unlock(&x->mu);
  free(h.v);
  free(all);
  if (rc) ls__lpage_free(out);
  return rc;
}

int ls__lindex_stage_counts(ls__lindex *x, ls_store *st,
                            ls_time (*at_fn)(void *ud, ls_store *st), void *at_ud,
                            uint64_t *counts, size_t nstages, ls_time *at) {
  memset(counts, 0, nstages * sizeof *counts);
  pthread_mutex_lock(&x->mu);
  int rc = catch_up(x, st, at_fn, at_ud, at);
  for (size_t i = 0; !rc && i < x->n; i++)
    if (x->v[i].live && x->v[i].stage < nstages) counts[x->v[i].stage]++;
  pthread_mutex_unlock(&x->mu);
  return rc;
}
