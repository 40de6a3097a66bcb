/* Names by hash: an open-addressing index over entries kept in recording
 * order, the bytes in one arena. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/error.h"
#include "leadscore/names.h"

typedef struct entry {
  uint64_t hash;
  size_t off, len;
} entry;

struct ls_names {
  entry *ents;
  size_t n, cap;
  uint32_t *index; /* entry + 1, 0 = free; size mask + 1 (a power of two) */
  size_t mask;
  char *bytes;
  size_t blen, bcap;
};

ls_names *ls_names_new(void) { return calloc(1, sizeof(ls_names)); }

void ls_names_destroy(ls_names *t) {
  if (!t) return;
  free(t->ents);
  free(t->index);
  free(t->bytes);
  free(t);
}

void ls_names_clear(ls_names *t) {
  t->n = t->blen = 0;
  if (t->index) memset(t->index, 0, (t->mask + 1) * sizeof *t->index);
}

size_t ls_names_count(const ls_names *t) { return t ? t->n : 0; }

static size_t slot_of(const ls_names *t, uint64_t hash) {
  size_t i = (size_t)(hash ^ (hash >> 29)) & t->mask;
  while (t->index[i] && t->ents[t->index[i] - 1].hash != hash) i = (i + 1) & t->mask;
  return i;
}

static int rehash(ls_names *t) {
  size_t size = t->index ? 2 * (t->mask + 1) : 64;
  uint32_t *idx = calloc(size, sizeof *idx);
  if (!idx) return LS_ENOMEM;
  free(t->index);
  t->index = idx;
  t->mask = size - 1;
  for (size_t e = 0; e < t->n; e++) t->index[slot_of(t, t->ents[e].hash)] = (uint32_t)e + 1;
  return LS_OK;
}

int ls_names_put(ls_names *t, uint64_t hash, const char *p, size_t n, bool *added) {
  if (added) *added = false;
  if (!t->index || 2 * (t->n + 1) > t->mask + 1) {
    if (t->n >= UINT32_MAX - 1) return LS_ENOMEM;
    int rc = rehash(t);
    if (rc) return rc;
  }
  size_t i = slot_of(t, hash);
  if (t->index[i]) return LS_OK;
  if (ls__grow((void **)&t->ents, &t->cap, t->n + 1, sizeof *t->ents) ||
      ls__grow((void **)&t->bytes, &t->bcap, t->blen + n + 1, 1))
    return LS_ENOMEM;
  if (n) memcpy(t->bytes + t->blen, p, n);
  t->ents[t->n] = (entry){hash, t->blen, n};
  t->blen += n;
  t->index[i] = (uint32_t)++t->n;
  if (added) *added = true;
  return LS_OK;
}

const char *ls_names_get(const ls_names *t, uint64_t hash, size_t *n) {
  *n = 0;
  if (!t || !t->index) return NULL;
  size_t i = slot_of(t, hash);
  if (!t->index[i]) return NULL;
  const entry *e = &t->ents[t->index[i] - 1];
  *n = e->len;
  return t->bytes + e->off;
}

const char *ls_names_at(const ls_names *t, size_t i, uint64_t *hash, size_t *n) {
  const entry *e = &t->ents[i];
  *hash = e->hash;
  *n = e->len;
  return t->bytes + e->off;
}
