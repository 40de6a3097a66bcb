/* Internal layout of ls_batch, shared by batch.c (fill, any thread) and
 * replay.c (consume, one thread). */
#ifndef LEADSCORE_ENGINE_BATCH_H
#define LEADSCORE_ENGINE_BATCH_H

#include <stdint.h>

#include "leadscore/names.h"
#include "leadscore/replay.h"

enum { LS__ID_LEAD = 0, LS__ID_EMAIL = 1, LS__ID_ANON = 2 };

/* One classified event; strings live in the batch's byte arena. */
typedef struct ls__bev {
  ls_time time;
  uint64_t content_hash;
  uint64_t id_hash;
  uint64_t ident_hash[3];
  uint32_t id_off, id_len;
  uint32_t ident_off[3], ident_len[3]; /* len 0 = absent */
  uint16_t type;
} ls__bev;

struct ls_batch {
  const ls_model *m;
  size_t words; /* predicate words per event */
  ls__bev *ev;
  uint64_t *pred; /* n * words */
  size_t n, cap;
  char *bytes;
  size_t blen, bcap;
  ls_names *cats; /* category names seen (models with category scores) */
};

/* Hash of an identity: its kind is part of the key ("lead:x" != "anon:x"). */
static inline uint64_t ls__ident_hash(int kind, const char *p, size_t n) {
  return ls_hash_bytes(p, n) ^ (0x9e3779b97f4a7c15ull * (uint64_t)(kind + 1));
}

#endif
