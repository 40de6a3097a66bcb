/* The rewind cache: for persons folded recently, the state before the
 * events of the last batch that touched them (the base) and the events
 * folded onto it since (the tail). An event that arrives late — before the
 * person's last event, but after the base — is then folded by going back
 * to the base and folding the tail and the new events in order, from
 * memory, instead of re-folding the whole history read from the store.
 *
 * Concurrent producers make late events common: four clients sending
 * batches of a time-ordered stream commit them slightly out of order, and
 * a person with events in neighbouring batches needed a full re-fold each
 * time (a fifth of the server's writer time, docs/benchmarks.md).
 *
 * It is exact because the fold is a function of the ordered events: the
 * base is what folding the events up to it gave, and the ledger rows after
 * it are exactly those the tail produced (they are deleted and written
 * again). It is only used when the stored row is the one the entry was
 * made for (ledger row count, last event), no decay was applied by
 * `advance` since, and the person was not merged; the store empties it
 * whenever a unit of work rolls back, the model changes or another
 * connection wrote. Bounded: direct-mapped by person id, a tail of at most
 * LS__RW_TAIL events and LS__RW_BYTES bytes. */
#ifndef LEADSCORE_STORE_REWIND_H
#define LEADSCORE_STORE_REWIND_H

#include <stdbool.h>
#include <stdint.h>

#include "leadscore/export.h"
#include "leadscore/time.h"

enum { LS__RW_SLOTS = 16384, LS__RW_TAIL = 64, LS__RW_BYTES = 32768 };

/* A base and its tail: being captured on a person of the batch, or kept in
 * the cache. Buffers are owned and reused. */
typedef struct ls__rw_base {
  unsigned char *state; /* the model's state size */
  ls_buf last_id, lead_id;
  ls_time last_time;
  int64_t ledger_n; /* the person's ledger row count (ledger_n) at the base */
  uint8_t lead_kind;
  bool fresh; /* the base is the initial state (no event before it) */
  /* the tail in fold order: per event its time, id and line (see rewind.c) */
  ls_buf tail;
  uint32_t ntail;
} ls__rw_base;

typedef struct ls__rw_ent {
  int64_t person; /* 0: empty */
  /* the stored row the entry was made for */
  int64_t ledger_n;
  ls_time last_time;
  ls__rw_base b; /* b.last_id of the base; stamp_id the row's */
  ls_buf stamp_id;
} ls__rw_ent;

typedef struct ls__rewind {
  ls__rw_ent *v; /* LS__RW_SLOTS of them, made on first use */
} ls__rewind;

/* One event of a tail. */
typedef struct ls__rw_event {
  ls_time time;
  ls_slice id, line;
} ls__rw_event;

/* The entry of `person`, when it is there and made for a stored row with
 * (ledger_n, last_time, last_id); else NULL. */
const ls__rw_ent *ls__rw_find(const ls__rewind *r, int64_t person, int64_t ledger_n,
                              ls_time last_time, ls_slice last_id);
/* Reads the tail event at *off (advancing it). */
ls__rw_event ls__rw_tail_at(const ls__rw_base *b, size_t *off);
/* Adds an event to a tail; false when the tail would be too long. */
bool ls__rw_tail_add(ls__rw_base *b, ls_time t, ls_slice id, ls_slice line);
/* Makes `b` (swapped in: b gets the old entry's buffers) the entry of
 * person for the stored row (ledger_n, last_time, last_id). */
int ls__rw_put(ls__rewind *r, int64_t person, int64_t ledger_n, ls_time last_time,
               ls_slice last_id, ls__rw_base *b);
/* Forgets the entry of `person`, if any. */
void ls__rw_drop(ls__rewind *r, int64_t person);
void ls__rw_clear(ls__rewind *r);
void ls__rw_base_free(ls__rw_base *b);
void ls__rw_free(ls__rewind *r);

#endif
