/* The identity cache: (kind, value) → person for identities seen by this
 * process, so that an event of a known person costs no identity lookup in
 * the store. Bounded: when full it starts over. Merged persons are
 * forwarded to the person they went into (person ids are never reused).
 * It only ever holds committed or current-transaction facts: the store
 * clears it when a transaction rolls back and on erasure. */
#ifndef LEADSCORE_STORE_IDCACHE_H
#define LEADSCORE_STORE_IDCACHE_H

#include <stdint.h>

#include "leadscore/event.h"
#include "leadscore/export.h"

typedef struct ls__idc_slot {
  uint64_t hash;
  int64_t person; /* 0: empty */
  uint32_t off, len; /* the value in `keys` */
  uint8_t kind;
} ls__idc_slot;

typedef struct ls__idcache {
  ls__idc_slot *slot;
  size_t mask, n;
  ls_buf keys;
  int64_t *fwd; /* (from, into) pairs of merges, open addressing on from */
  size_t fwd_mask, nfwd;
} ls__idcache;

/* The person of (kind, v), or 0 when not cached. */
int64_t ls__idc_get(ls__idcache *c, int kind, ls_slice v);
/* Records (kind, v) → person; LS_OK or LS_ENOMEM (the cache stays usable). */
int ls__idc_put(ls__idcache *c, int kind, ls_slice v, int64_t person);
/* Records that `from` was merged into `into` (never fails: without memory
 * it empties the cache). */
int ls__idc_merged(ls__idcache *c, int64_t from, int64_t into);
void ls__idc_clear(ls__idcache *c);
void ls__idc_free(ls__idcache *c);

#endif
