/* Internal state of ls_replay, shared by replay.c (ingest: de-duplication
 * and identity interning, in input order) and link.c (finish: linking,
 * sorting and folding). */
#ifndef LEADSCORE_ENGINE_REPLAY_INTERNAL_H
#define LEADSCORE_ENGINE_REPLAY_INTERNAL_H

#include <stdint.h>

#include "engine/batch.h"
#include "leadscore/replay.h"

#define LS__NONE UINT32_MAX

/* An accepted event (the first valid line of its id). */
typedef struct ls__ev {
  ls_time time;
  uint32_t id_off, id_len; /* in ids */
  uint32_t ident[3];       /* identity index per kind, or LS__NONE */
  uint16_t type;
  uint8_t identifies;
} ls__ev;

typedef struct ls__ident {
  uint32_t off, len; /* in istr */
  uint8_t kind;      /* LS__ID_LEAD / EMAIL / ANON */
} ls__ident;

/* Open-addressing slot: index + 1 (0 = empty) and 32 bits of the hash, so
 * that most probes are decided without touching the record. */
typedef struct ls__slot {
  uint32_t idx1;
  uint32_t tag;
} ls__slot;

typedef struct ls__table {
  ls__slot *slot;
  size_t mask; /* capacity - 1; capacity is a power of two */
} ls__table;

/* A growable byte arena addressed by 32-bit offsets. */
typedef struct ls__arena {
  char *p;
  size_t len, cap;
} ls__arena;

struct ls_replay {
  const ls_model *m;
  size_t words;
  ls_names *cats; /* category names (models with category scores) */

  ls__ev *ev;
  uint64_t *chash; /* content hash per event */
  uint64_t *pred;  /* words per event */
  size_t n, cap;
  ls__arena ids;
  ls__table dedup;

  ls__ident *ident;
  size_t nident, icap;
  ls__arena istr;
  ls__table itab;

  bool have_max;
  ls_time max_time;
  ls_replay_stats st;
  void (*dup_hook)(void *ud, size_t index, ls_slice id, bool conflict);
  void *dup_ud;

  /* after link / finish */
  bool linked, finished;
  bool ids_unique; /* ls_replay_ids_unique: no id table */
  size_t maxlen;        /* most events of one person */
  uint32_t *pid_ident;  /* identity behind each person's lead_id */
  ls_time as_of;
  uint32_t *parent;     /* union-find over identities */
  uint32_t *root_person; /* person of a root identity, or LS__NONE */
  uint32_t *perm;       /* event indices grouped by person, (time, id) order */
  uint32_t *poff;       /* person p's events: perm[poff[p] .. poff[p + 1]) */
  size_t np;
  size_t ssize;         /* fold state size */
  unsigned char *states; /* np * ssize */
  ls__arena pid;        /* lead_id strings */
  uint32_t *pid_off, *pid_len;
  uint8_t *pid_kind;    /* identity kind behind the lead_id: breaks ties */
  uint32_t *order;      /* person indices in lead_id byte order */
  uint32_t *rank;       /* inverse of order */
};

int ls__arena_put(ls__arena *a, const char *p, size_t n, uint32_t *off);
uint32_t ls__uf_find(const uint32_t *parent, uint32_t x);
/* Looks up an identity; returns its index or LS__NONE. */
uint32_t ls__ident_lookup(const ls_replay *r, int kind, const char *p, size_t n);

/* Stable merge sort of `a[0..n)` with `tmp` of n elements; cmp(ctx, x, y). */
void ls__sort_u32(uint32_t *a, uint32_t *tmp, size_t n,
                  int (*cmp)(const void *ctx, uint32_t x, uint32_t y),
                  const void *ctx);

#endif
