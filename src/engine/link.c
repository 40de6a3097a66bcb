/* ls_replay, finish side (spec §2, §9 "Linking"): persons are formed from
 * every accepted event up to the as-of time, then each person's whole
 * history is folded from scratch in (time, id) order — a merge re-folds, it
 * never adds two scores. */
#include <stdlib.h>
#include <string.h>

#include "engine/replay_internal.h"

uint32_t ls__uf_find(const uint32_t *parent, uint32_t x) {
  while (parent[x] != x) x = parent[x];
  return x;
}

static uint32_t find_halving(uint32_t *parent, uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/* The smaller index becomes the root: deterministic whatever the order. */
static void unite(uint32_t *parent, uint32_t a, uint32_t b) {
  a = find_halving(parent, a);
  b = find_halving(parent, b);
  if (a < b) parent[b] = a;
  else if (b < a) parent[a] = b;
}

static uint32_t first_ident(const ls__ev *e) {
  for (int k = 0; k < 3; k++)
    if (e->ident[k] != LS__NONE) return e->ident[k];
  return LS__NONE;
}

static int cmp_event(const void *ctx, uint32_t x, uint32_t y) {
  const ls_replay *r = ctx;
  const ls__ev *a = &r->ev[x], *b = &r->ev[y];
  int c = ls_time_cmp(a->time, b->time);
  if (c) return c;
  size_t n = a->id_len < b->id_len ? a->id_len : b->id_len;
  c = memcmp(r->ids.p + a->id_off, r->ids.p + b->id_off, n);
  if (c) return c;
  return (a->id_len > b->id_len) - (a->id_len < b->id_len);
}

static int cmp_pid(const void *ctx, uint32_t x, uint32_t y) {
  const ls_replay *r = ctx;
  size_t nx = r->pid_len[x], ny = r->pid_len[y], n = nx < ny ? nx : ny;
  int c = memcmp(r->pid.p + r->pid_off[x], r->pid.p + r->pid_off[y], n);
  if (c) return c;
  if (nx != ny) return nx < ny ? -1 : 1;
  /* Equal strings: a lead id spelled "email:x" and the e-mail x. The kind
   * decides (lead, then email, then anon) — never the input order. */
  return (r->pid_kind[x] > r->pid_kind[y]) - (r->pid_kind[x] < r->pid_kind[y]);
}

static bool late(const ls_replay *r, const ls__ev *e) {
  return ls_time_cmp(e->time, r->as_of) > 0;
}

/* Forms persons and groups their events: perm/poff. */
static int group(ls_replay *r) {
  size_t ni = r->nident ? r->nident : 1;
  r->parent = malloc(ni * sizeof *r->parent);
  r->root_person = malloc(ni * sizeof *r->root_person);
  if (!r->parent || !r->root_person) return LS_ENOMEM;
  for (size_t i = 0; i < r->nident; i++) {
    r->parent[i] = (uint32_t)i;
    r->root_person[i] = LS__NONE;
  }
  for (size_t i = 0; i < r->n; i++) {
    const ls__ev *e = &r->ev[i];
    if (late(r, e)) continue;
    uint32_t a = first_ident(e);
    for (int k = 0; k < 3; k++)
      if (e->ident[k] != LS__NONE && e->ident[k] != a) unite(r->parent, a, e->ident[k]);
  }
  /* Persons are numbered by their first event in input order; perm is
   * filled by a counting sort on the person. */
  uint32_t *ev_person = malloc((r->n ? r->n : 1) * sizeof *ev_person);
  if (!ev_person) return LS_ENOMEM;
  size_t np = 0;
  for (size_t i = 0; i < r->n; i++) {
    const ls__ev *e = &r->ev[i];
    if (late(r, e)) {
      ev_person[i] = LS__NONE;
      r->st.late++;
      continue;
    }
    uint32_t root = find_halving(r->parent, first_ident(e));
    if (r->root_person[root] == LS__NONE) r->root_person[root] = (uint32_t)np++;
    ev_person[i] = r->root_person[root];
  }
  r->np = np;
  r->poff = calloc(np + 1, sizeof *r->poff);
  r->perm = malloc((r->n ? r->n : 1) * sizeof *r->perm);
  if (!r->poff || !r->perm) {
    free(ev_person);
    return LS_ENOMEM;
  }
  for (size_t i = 0; i < r->n; i++)
    if (ev_person[i] != LS__NONE) r->poff[ev_person[i] + 1]++;
  for (size_t p = 0; p < np; p++) r->poff[p + 1] += r->poff[p];
  uint32_t *fill = ev_person; /* reused as the write cursor per person */
  r->maxlen = 0;
  for (size_t p = 0; p < np; p++) {
    size_t len = r->poff[p + 1] - r->poff[p];
    if (len > r->maxlen) r->maxlen = len;
  }
  uint32_t *cursor = malloc((np ? np : 1) * sizeof *cursor);
  if (!cursor) {
    free(ev_person);
    return LS_ENOMEM;
  }
  memcpy(cursor, r->poff, np * sizeof *cursor);
  for (size_t i = 0; i < r->n; i++)
    if (fill[i] != LS__NONE) r->perm[cursor[fill[i]]++] = (uint32_t)i;
  free(cursor);
  free(ev_person);
  return LS_OK;
}

/* Person id (spec §2): the earliest lead id; else email:<earliest e-mail>;
 * else anon:<earliest anonymous id>; "earliest" by (time, id). Chosen over
 * the sorted events; spelled out later, single-threaded. */
static void choose_person_id(ls_replay *r, size_t p) {
  uint32_t best[3] = {LS__NONE, LS__NONE, LS__NONE};
  for (uint32_t k = r->poff[p]; k < r->poff[p + 1]; k++) {
    const ls__ev *e = &r->ev[r->perm[k]];
    for (int t = 0; t < 3; t++)
      if (best[t] == LS__NONE && e->ident[t] != LS__NONE) best[t] = e->ident[t];
    if (best[0] != LS__NONE) break;
  }
  int t = best[0] != LS__NONE ? 0 : best[1] != LS__NONE ? 1 : 2;
  r->pid_ident[p] = best[t];
  r->pid_kind[p] = (uint8_t)t;
}

static int spell_person_id(ls_replay *r, size_t p) {
  static const char *const prefix[3] = {"", "email:", "anon:"};
  int t = r->pid_kind[p];
  const ls__ident *d = &r->ident[r->pid_ident[p]];
  size_t plen = strlen(prefix[t]);
  uint32_t off, off2;
  int rc = ls__arena_put(&r->pid, prefix[t], plen, &off);
  if (!rc) rc = ls__arena_put(&r->pid, r->istr.p + d->off, d->len, &off2);
  if (rc) return rc;
  r->pid_off[p] = off;
  r->pid_len[p] = (uint32_t)(plen + d->len);
  return LS_OK;
}

/* Folds person p from init to the as-of time; `w` (may be NULL) sees the
 * state along the way. */
static void fold_person(const ls_replay *r, size_t p, void *state, const ls_fold_sink *sink,
                        const ls_replay_walker *w, uint64_t *rejected) {
  ls_fold_init(r->m, state);
  for (uint32_t k = r->poff[p]; k < r->poff[p + 1]; k++) {
    if (k + 4 < r->n) { /* events of a person are scattered over the input */
      __builtin_prefetch(&r->ev[r->perm[k + 4]]);
      __builtin_prefetch(&r->pred[(size_t)r->perm[k + 4] * r->words]);
    }
    uint32_t i = r->perm[k];
    const ls__ev *e = &r->ev[i];
    ls_fold_event fe = {e->time, {r->ids.p + e->id_off, e->id_len}, e->type,
                        e->identifies, r->pred + (size_t)i * r->words};
    if (w && w->before) w->before(w->ud, &fe, state);
    if (!ls_fold_apply(r->m, state, &fe, sink)) (*rejected)++;
    if (w && w->after) w->after(w->ud, &fe, state);
  }
  if (w && w->before) w->before(w->ud, NULL, state);
  ls_fold_advance(r->m, state, r->as_of, sink);
}

int ls_replay_link(ls_replay *r, const ls_time *as_of) {
  if (r->finished || r->linked) return LS_EINVAL;
  r->linked = true;
  r->as_of = as_of ? *as_of : (r->have_max ? r->max_time : (ls_time){0, 0});
  r->st.events = r->n;
  int rc = group(r);
  if (rc) return rc;
  size_t np = r->np ? r->np : 1;
  r->ssize = ls_fold_state_size(r->m);
  r->states = malloc(np * r->ssize);
  r->pid_ident = malloc(np * sizeof *r->pid_ident);
  r->pid_kind = malloc(np * sizeof *r->pid_kind);
  if (!r->states || !r->pid_ident || !r->pid_kind) return LS_ENOMEM;
  return LS_OK;
}

int ls_replay_fold_range(ls_replay *r, size_t lo, size_t hi,
                         ls_replay_stats *st) {
  if (!r->linked || r->finished || lo > hi || hi > r->np) return LS_EINVAL;
  uint32_t *tmp = malloc((r->maxlen ? r->maxlen : 1) * sizeof *tmp);
  if (!tmp) return LS_ENOMEM;
  ls_replay *w = r; /* writes only to persons [lo, hi) */
  for (size_t p = lo; p < hi; p++) {
    ls__sort_u32(w->perm + r->poff[p], tmp, r->poff[p + 1] - r->poff[p], cmp_event, r);
    void *s = w->states + p * r->ssize;
    fold_person(r, p, s, NULL, NULL, &st->rejected_sales);
    st->mqls += ls_fold_mql_count(r->m, s);
    choose_person_id(w, p);
  }
  free(tmp);
  return LS_OK;
}

int ls_replay_finalize(ls_replay *r, const ls_replay_stats *const *parts,
                       size_t nparts) {
  if (!r->linked || r->finished) return LS_EINVAL;
  r->finished = true;
  for (size_t i = 0; i < nparts; i++) {
    r->st.rejected_sales += parts[i]->rejected_sales;
    r->st.mqls += parts[i]->mqls;
  }
  size_t np = r->np ? r->np : 1;
  r->pid_off = malloc(np * sizeof *r->pid_off);
  r->pid_len = malloc(np * sizeof *r->pid_len);
  r->order = malloc(np * sizeof *r->order);
  r->rank = malloc(np * sizeof *r->rank);
  uint32_t *tmp = malloc(np * sizeof *tmp);
  int rc = LS_OK;
  if (!r->pid_off || !r->pid_len || !r->order || !r->rank || !tmp) rc = LS_ENOMEM;
  for (size_t p = 0; p < r->np && !rc; p++) {
    rc = spell_person_id(r, p);
    r->order[p] = (uint32_t)p;
  }
  if (!rc) {
    ls__sort_u32(r->order, tmp, r->np, cmp_pid, r);
    for (size_t i = 0; i < r->np; i++) r->rank[r->order[i]] = (uint32_t)i;
    r->st.persons = r->np;
  }
  free(tmp);
  return rc;
}

int ls_replay_finish(ls_replay *r, const ls_time *as_of) {
  ls_replay_stats part = {0};
  const ls_replay_stats *parts[1] = {&part};
  int rc = ls_replay_link(r, as_of);
  if (!rc) rc = ls_replay_fold_range(r, 0, r->np, &part);
  if (!rc) rc = ls_replay_finalize(r, parts, 1);
  return rc;
}

const ls_model *ls_replay_model(const ls_replay *r) { return r ? r->m : NULL; }

bool ls_replay_time_span(const ls_replay *r, ls_time *first, ls_time *last) {
  if (!r->n) return false;
  ls_time lo = r->ev[0].time, hi = lo;
  for (size_t i = 1; i < r->n; i++) {
    if (ls_time_cmp(r->ev[i].time, lo) < 0) lo = r->ev[i].time;
    if (ls_time_cmp(r->ev[i].time, hi) > 0) hi = r->ev[i].time;
  }
  if (first) *first = lo;
  if (last) *last = hi;
  return true;
}
ls_replay_stats ls_replay_get_stats(const ls_replay *r) { return r->st; }
ls_time ls_replay_as_of(const ls_replay *r) { return r->as_of; }
size_t ls_replay_npersons(const ls_replay *r) { return r->np; }

ls_person_row ls_replay_person(const ls_replay *r, size_t i) {
  uint32_t p = r->order[i];
  ls_person_row row = {{r->pid.p + r->pid_off[p], r->pid_len[p]},
                       r->states + (size_t)p * r->ssize, r->cats};
  return row;
}

static long person_of_ident(const ls_replay *r, uint32_t id) {
  if (id == LS__NONE) return -1;
  uint32_t p = r->root_person[ls__uf_find(r->parent, id)];
  return p == LS__NONE ? -1 : (long)r->rank[p];
}

static bool has_prefix(ls_slice s, const char *pre, ls_slice *rest) {
  size_t n = strlen(pre);
  if (s.n < n || memcmp(s.p, pre, n) != 0) return false;
  rest->p = s.p + n;
  rest->n = s.n - n;
  return true;
}

/* E-mail normalization of spec §9, into `buf` (at least s.n bytes). */
static size_t norm_email(ls_slice s, char *buf) {
  size_t a = 0, b = s.n;
  while (a < b && strchr(" \t\n\r\f\v", s.p[a]) && s.p[a]) a++;
  while (b > a && strchr(" \t\n\r\f\v", s.p[b - 1]) && s.p[b - 1]) b--;
  for (size_t i = a; i < b; i++) {
    char c = s.p[i];
    buf[i - a] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
  }
  return b - a;
}

static long find_email(const ls_replay *r, ls_slice s) {
  char *buf = malloc(s.n ? s.n : 1);
  if (!buf) return -1;
  size_t n = norm_email(s, buf);
  long p = n ? person_of_ident(r, ls__ident_lookup(r, LS__ID_EMAIL, buf, n)) : -1;
  free(buf);
  return p;
}

long ls_replay_find(const ls_replay *r, ls_slice id) {
  if (!r->finished) return -1;
  ls_slice rest;
  if (has_prefix(id, "lead:", &rest))
    return person_of_ident(r, ls__ident_lookup(r, LS__ID_LEAD, rest.p, rest.n));
  if (has_prefix(id, "email:", &rest)) return find_email(r, rest);
  if (has_prefix(id, "anon:", &rest))
    return person_of_ident(r, ls__ident_lookup(r, LS__ID_ANON, rest.p, rest.n));
  long p = person_of_ident(r, ls__ident_lookup(r, LS__ID_LEAD, id.p, id.n));
  if (p < 0) p = find_email(r, id);
  if (p < 0) p = person_of_ident(r, ls__ident_lookup(r, LS__ID_ANON, id.p, id.n));
  return p;
}

int ls_replay_explain(const ls_replay *r, size_t i, const ls_fold_sink *sink) {
  if (!r->finished || i >= r->np) return LS_EINVAL;
  void *state = malloc(r->ssize);
  if (!state) return LS_ENOMEM;
  uint64_t rejected = 0;
  fold_person(r, r->order[i], state, sink, NULL, &rejected);
  free(state);
  return LS_OK;
}

int ls_replay_walk(const ls_replay *r, size_t i, void *state, const ls_replay_walker *w) {
  if (!r->finished || i >= r->np) return LS_EINVAL;
  uint64_t rejected = 0;
  fold_person(r, r->order[i], state, w->sink, w, &rejected);
  return LS_OK;
}

void ls_replay_identities(const ls_replay *r, size_t i,
                          void (*fn)(void *ud, ls_slice identity), void *ud) {
  static const char *const prefix[3] = {"lead:", "email:", "anon:"};
  if (!r->finished || i >= r->np) return;
  uint32_t p = r->order[i];
  for (size_t k = 0; k < r->nident; k++) {
    if (r->root_person[ls__uf_find(r->parent, (uint32_t)k)] != p) continue;
    const ls__ident *d = &r->ident[k];
    size_t pl = strlen(prefix[d->kind]);
    char *buf = malloc(pl + d->len + 1);
    if (!buf) return;
    memcpy(buf, prefix[d->kind], pl);
    memcpy(buf + pl, r->istr.p + d->off, d->len);
    fn(ud, (ls_slice){buf, pl + d->len});
    free(buf);
  }
}
