/* ls_replay, ingest side: de-duplication by event id (the first valid line
 * of an id wins, spec §1, §9) and identity interning, in input order. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "engine/replay_internal.h"

int ls__arena_put(ls__arena *a, const char *p, size_t n, uint32_t *off) {
  if (a->len + n > UINT32_MAX) return LS_ERANGE;
  if (ls__grow((void **)&a->p, &a->cap, a->len + n, 1)) return LS_ENOMEM;
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
  if (ls_model_nfamilies(m) && !(r->cats = ls_names_new())) {
    free(r);
    return NULL;
  }
  return r;
}

void ls_replay_destroy(ls_replay *r) {
  if (!r) return;
  ls_names_destroy(r->cats);
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
  free(r->pid_ident);
  free(r->order);
  free(r->rank);
  free(r);
}

void ls_replay_on_duplicate(ls_replay *r,
                            void (*fn)(void *ud, size_t index, ls_slice id,
                                       bool conflict),
                            void *ud) {
  r->dup_hook = fn;
  r->dup_ud = ud;
}

/* ---- open-addressing tables ---- */

#define PREFETCH 8 /* events ahead whose table slots are prefetched */

static int table_init(ls__table *t, size_t cap) {
  t->slot = calloc(cap, sizeof *t->slot);
  if (!t->slot) return LS_ENOMEM;
  t->mask = cap - 1;
  return LS_OK;
}

/* A slot's position is its tag (the high 32 bits of the hash) masked, so
 * growing never re-reads or re-hashes the records. */
static inline size_t pos(const ls__table *t, uint32_t tag) { return tag & t->mask; }

static int table_resize(ls__table *t, size_t cap) {
  ls__table nt;
  if (table_init(&nt, cap)) return LS_ENOMEM;
  for (size_t i = 0; t->slot && i <= t->mask; i++) {
    if (!t->slot[i].idx1) continue;
    size_t j = pos(&nt, t->slot[i].tag);
    while (nt.slot[j].idx1) j = (j + 1) & nt.mask;
    nt.slot[j] = t->slot[i];
  }
  free(t->slot);
  *t = nt;
  return LS_OK;
}

/* Keeps the load factor at or below 1/2 for `count` + 1 elements. */
static int table_grow(ls__table *t, size_t count) {
  size_t cap = t->slot ? t->mask + 1 : 0;
  if ((count + 1) * 2 <= cap) return LS_OK;
  size_t nc = cap ? cap : 1 << 12;
  while ((count + 1) * 2 > nc) nc *= 2;
  if (nc > ((size_t)1 << 32)) return LS_ERANGE; /* positions are 32-bit tags */
  return table_resize(t, nc);
}

static int reserve_events(ls_replay *r, size_t cap);

void ls_replay_ids_unique(ls_replay *r) {
  if (r && !r->n) r->ids_unique = true;
}

int ls_replay_reserve(ls_replay *r, size_t events) {
  int rc = r->ids_unique ? LS_OK : table_grow(&r->dedup, events);
  if (!rc) rc = table_grow(&r->itab, events / 4);
  /* Growing multi-hundred-MiB arrays by realloc means mremap, whose TLB
   * shoot-downs stall the parser threads: size them once instead. */
  if (!rc && events > r->cap) rc = reserve_events(r, events);
  return rc;
}

/* ---- identities ---- */

static uint32_t ident_find_slot(const ls_replay *r, int kind, const char *p,
                                size_t n, uint64_t h, size_t *slot) {
  if (!r->itab.slot) return LS__NONE;
  uint32_t tag = (uint32_t)(h >> 32);
  size_t j = pos(&r->itab, tag);
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
  int rc = table_grow(&r->itab, r->nident);
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
  return reserve_events(r, r->cap ? r->cap * 2 : 1 << 14);
}

static int reserve_events(ls_replay *r, size_t cap) {
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
  uint32_t tag = (uint32_t)(h >> 32);
  size_t j = pos(&r->dedup, tag);
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

const ls_names *ls_replay_categories(const ls_replay *r) { return r->cats; }

int ls_replay_add_batch(ls_replay *r, const ls_batch *b) {
  if (r->linked) return LS_EINVAL;
  for (size_t i = 0; r->cats && b->cats && i < ls_names_count(b->cats); i++) {
    uint64_t h;
    size_t n;
    const char *name = ls_names_at(b->cats, i, &h, &n);
    int rc = ls_names_put(r->cats, h, name, n, NULL);
    if (rc) return rc;
  }
  for (size_t i = 0; i < b->n; i++) {
    const ls__bev *be = &b->ev[i];
    const char *id = b->bytes + be->id_off;
    int rc = r->ids_unique ? LS_OK : table_grow(&r->dedup, r->n);
    if (rc) return rc;
    if (i + PREFETCH < b->n) { /* the tables are far bigger than the caches */
      const ls__bev *ahead = &b->ev[i + PREFETCH];
      if (!r->ids_unique)
        __builtin_prefetch(&r->dedup.slot[pos(&r->dedup, (uint32_t)(ahead->id_hash >> 32))]);
      for (int k = 0; k < 3; k++)
        if (ahead->ident_len[k] && r->itab.slot)
          __builtin_prefetch(&r->itab.slot[pos(&r->itab, (uint32_t)(ahead->ident_hash[k] >> 32))]);
    }
    bool found = false;
    size_t slot = r->ids_unique ? 0 : dedup_probe(r, id, be->id_len, be->id_hash, &found);
    if (found) {
      uint32_t first = r->dedup.slot[slot].idx1 - 1;
      bool conflict = r->chash[first] != be->content_hash;
      r->st.duplicates++;
      r->st.conflicts += conflict;
      if (r->dup_hook) r->dup_hook(r->dup_ud, i, (ls_slice){id, be->id_len}, conflict);
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
    if (!r->ids_unique) {
      r->dedup.slot[slot].idx1 = (uint32_t)r->n + 1;
      r->dedup.slot[slot].tag = (uint32_t)(be->id_hash >> 32);
    }
    if (!r->have_max || ls_time_cmp(be->time, r->max_time) > 0) {
      r->max_time = be->time;
      r->have_max = true;
    }
    r->n++;
  }
  return LS_OK;
}
