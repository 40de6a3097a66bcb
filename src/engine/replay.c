/* ls_replay, ingest side: de-duplication by event id (the first valid line
 * of an id wins, spec §1, §9) and identity interning, in input order. */
#include <stdlib.h>
#include <string.h>

#include "engine/replay_internal.h"

int ls__arena_put(ls__arena *a, const char *p, size_t n, uint32_t *off) {
  if (a->len + n > UINT32_MAX) return LS_ERANGE;
  if (a->len + n > a->cap) {
    size_t cap = a->cap ? a->cap : 1 << 16;
    while (cap < a->len + n) cap *= 2;
    char *np = realloc(a->p, cap);
    if (!np) return LS_ENOMEM;
    a->p = np;
    a->cap = cap;
  }
  if (n) memcpy(a->p + a->len, p, n);
  *off = (uint32_t)a->len;
  a->len += n;
  return LS_OK;
}

ls_replay *ls_replay_new(const ls_model *m) {
  ls_replay *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->m = m;
  r->words = ls_model_pred_words(m);
  return r;
}

void ls_replay_destroy(ls_replay *r) {
  if (!r) return;
  free(r->ev);
  free(r->chash);
  free(r->pred);
  free(r->ids.p);
  free(r->dedup.slot);
  free(r->ident);
  free(r->istr.p);
  free(r->itab.slot);
  free(r->parent);
  free(r->root_person);
  free(r->perm);
  free(r->poff);
  free(r->states);
  free(r->pid.p);
  free(r->pid_off);
  free(r->pid_len);
  free(r->pid_kind);
  free(r->order);
  free(r->rank);
  free(r);
}

void ls_replay_on_duplicate(ls_replay *r,
                            void (*fn)(void *ud, size_t index, bool conflict),
                            void *ud) {
  r->dup_hook = fn;
  r->dup_ud = ud;
}

/* ---- open-addressing tables ---- */

static int table_init(ls__table *t, size_t cap) {
  t->slot = calloc(cap, sizeof *t->slot);
  if (!t->slot) return LS_ENOMEM;
  t->mask = cap - 1;
  return LS_OK;
}

/* Grows `t` to twice its size when `count` passes half of it; `hash_of`
 * gives the hash of element i. */
static int table_grow(ls__table *t, size_t count,
                      uint64_t (*hash_of)(const ls_replay *, uint32_t),
                      const ls_replay *r) {
  if (!t->slot) return table_init(t, 1 << 12);
  if ((count + 1) * 2 <= t->mask + 1) return LS_OK;
  ls__table nt;
  if (table_init(&nt, (t->mask + 1) * 2)) return LS_ENOMEM;
  for (size_t i = 0; i <= t->mask; i++) {
    if (!t->slot[i].idx1) continue;
    uint64_t h = hash_of(r, t->slot[i].idx1 - 1);
    size_t j = h & nt.mask;
    while (nt.slot[j].idx1) j = (j + 1) & nt.mask;
    nt.slot[j] = t->slot[i];
  }
  free(t->slot);
  *t = nt;
  return LS_OK;
}

static uint64_t event_hash(const ls_replay *r, uint32_t i) {
  return ls_hash_bytes(r->ids.p + r->ev[i].id_off, r->ev[i].id_len);
}

static uint64_t ident_hash(const ls_replay *r, uint32_t i) {
  const ls__ident *d = &r->ident[i];
  return ls__ident_hash(d->kind, r->istr.p + d->off, d->len);
}

/* ---- identities ---- */

static uint32_t ident_find_slot(const ls_replay *r, int kind, const char *p,
                                size_t n, uint64_t h, size_t *slot) {
  if (!r->itab.slot) return LS__NONE;
  size_t j = h & r->itab.mask;
  uint32_t tag = (uint32_t)(h >> 32);
  for (;;) {
    const ls__slot *s = &r->itab.slot[j];
    if (!s->idx1) break;
    if (s->tag == tag) {
      const ls__ident *d = &r->ident[s->idx1 - 1];
      if (d->kind == kind && d->len == n && memcmp(r->istr.p + d->off, p, n) == 0)
        return s->idx1 - 1;
    }
    j = (j + 1) & r->itab.mask;
  }
  if (slot) *slot = j;
  return LS__NONE;
}

uint32_t ls__ident_lookup(const ls_replay *r, int kind, const char *p, size_t n) {
  return ident_find_slot(r, kind, p, n, ls__ident_hash(kind, p, n), NULL);
}

static int intern(ls_replay *r, int kind, const char *p, size_t n, uint64_t h,
                  uint32_t *out) {
  int rc = table_grow(&r->itab, r->nident, ident_hash, r);
  if (rc) return rc;
  size_t slot = 0;
  uint32_t i = ident_find_slot(r, kind, p, n, h, &slot);
  if (i != LS__NONE) {
    *out = i;
    return LS_OK;
  }
  if (r->nident == r->icap) {
    size_t cap = r->icap ? r->icap * 2 : 1024;
    ls__ident *ni = realloc(r->ident, cap * sizeof *ni);
    if (!ni) return LS_ENOMEM;
    r->ident = ni;
    r->icap = cap;
  }
  if (r->nident >= UINT32_MAX - 1) return LS_ERANGE;
  ls__ident *d = &r->ident[r->nident];
  if ((rc = ls__arena_put(&r->istr, p, n, &d->off))) return rc;
  d->len = (uint32_t)n;
  d->kind = (uint8_t)kind;
  r->itab.slot[slot].idx1 = (uint32_t)r->nident + 1;
  r->itab.slot[slot].tag = (uint32_t)(h >> 32);
  *out = (uint32_t)r->nident++;
  return LS_OK;
}

/* ---- events ---- */

static int reserve(ls_replay *r) {
  if (r->n < r->cap) return LS_OK;
  size_t cap = r->cap ? r->cap * 2 : 1 << 14;
  if (cap > UINT32_MAX - 1) return LS_ERANGE;
  ls__ev *ev = realloc(r->ev, cap * sizeof *ev);
  if (!ev) return LS_ENOMEM;
  r->ev = ev;
  uint64_t *ch = realloc(r->chash, cap * sizeof *ch);
  if (!ch) return LS_ENOMEM;
  r->chash = ch;
  uint64_t *pr = realloc(r->pred, cap * r->words * sizeof *pr);
  if (!pr) return LS_ENOMEM;
  r->pred = pr;
  r->cap = cap;
  return LS_OK;
}

/* Returns the slot where the id is (*found = true) or would go. */
static size_t dedup_probe(const ls_replay *r, const char *id, size_t n,
                          uint64_t h, bool *found) {
  size_t j = h & r->dedup.mask;
  uint32_t tag = (uint32_t)(h >> 32);
  for (;;) {
    const ls__slot *s = &r->dedup.slot[j];
    if (!s->idx1) break;
    if (s->tag == tag) {
      const ls__ev *e = &r->ev[s->idx1 - 1];
      if (e->id_len == n && memcmp(r->ids.p + e->id_off, id, n) == 0) {
        *found = true;
        return j;
      }
    }
    j = (j + 1) & r->dedup.mask;
  }
  *found = false;
  return j;
}

int ls_replay_add_batch(ls_replay *r, const ls_batch *b) {
  if (r->finished) return LS_EINVAL;
  for (size_t i = 0; i < b->n; i++) {
    const ls__bev *be = &b->ev[i];
    const char *id = b->bytes + be->id_off;
    int rc = table_grow(&r->dedup, r->n, event_hash, r);
    if (rc) return rc;
    bool found;
    size_t slot = dedup_probe(r, id, be->id_len, be->id_hash, &found);
    if (found) {
      uint32_t first = r->dedup.slot[slot].idx1 - 1;
      bool conflict = r->chash[first] != be->content_hash;
      r->st.duplicates++;
      r->st.conflicts += conflict;
      if (r->dup_hook) r->dup_hook(r->dup_ud, i, conflict);
      continue;
    }
    if ((rc = reserve(r))) return rc;
    ls__ev *e = &r->ev[r->n];
    e->time = be->time;
    e->type = be->type;
    e->id_len = be->id_len;
    if ((rc = ls__arena_put(&r->ids, id, be->id_len, &e->id_off))) return rc;
    for (int k = 0; k < 3; k++) {
      e->ident[k] = LS__NONE;
      if (!be->ident_len[k]) continue;
      rc = intern(r, k, b->bytes + be->ident_off[k], be->ident_len[k],
                  be->ident_hash[k], &e->ident[k]);
      if (rc) return rc;
    }
    e->identifies = be->ident_len[LS__ID_LEAD] || be->ident_len[LS__ID_EMAIL];
    r->chash[r->n] = be->content_hash;
    memcpy(r->pred + r->n * r->words, b->pred + i * b->words,
           r->words * sizeof *r->pred);
    r->dedup.slot[slot].idx1 = (uint32_t)r->n + 1;
    r->dedup.slot[slot].tag = (uint32_t)(be->id_hash >> 32);
    if (!r->have_max || ls_time_cmp(be->time, r->max_time) > 0) {
      r->max_time = be->time;
      r->have_max = true;
    }
    r->n++;
  }
  return LS_OK;
}
