/* The identity cache (see idcache.h): open addressing over hashes, keys in
 * one arena; a second table forwards merged persons. */
#include "store/idcache.h"

#include <stdlib.h>
#include <string.h>

#define IDC_MAX_ENTRIES (1u << 20) /* with keys of ~30 bytes: ~70 MB */
#define IDC_MAX_KEYS (64u << 20)
#define IDC_MAX_FWD (1u << 16)

static uint64_t key_hash(int kind, ls_slice v) {
  return ls_hash_bytes(v.p, v.n) ^ ((uint64_t)(kind + 1) * 0x9e3779b97f4a7c15ull);
}

static size_t find(const ls__idc_slot *slot, size_t mask, const char *keys, uint64_t h,
                   int kind, ls_slice v) {
  size_t j = (size_t)h & mask;
  for (;; j = (j + 1) & mask) {
    const ls__idc_slot *s = &slot[j];
    if (!s->person) return j;
    if (s->hash == h && s->kind == kind && s->len == v.n &&
        memcmp(keys + s->off, v.p, v.n) == 0)
      return j;
  }
}

static size_t fwd_find(const ls__idcache *c, int64_t from) {
  size_t j = ((uint64_t)from * 0x9e3779b97f4a7c15ull >> 17) & c->fwd_mask;
  while (c->fwd[2 * j] && c->fwd[2 * j] != from) j = (j + 1) & c->fwd_mask;
  return j;
}

static int64_t forward(const ls__idcache *c, int64_t p) {
  if (!c->nfwd) return p;
  for (;;) {
    size_t j = fwd_find(c, p);
    if (!c->fwd[2 * j]) return p;
    p = c->fwd[2 * j + 1];
  }
}

int64_t ls__idc_get(ls__idcache *c, int kind, ls_slice v) {
  if (!c->slot) return 0;
  const ls__idc_slot *s = &c->slot[find(c->slot, c->mask, c->keys.p, key_hash(kind, v), kind, v)];
  return s->person ? forward(c, s->person) : 0;
}

void ls__idc_clear(ls__idcache *c) {
  if (c->slot) memset(c->slot, 0, (c->mask + 1) * sizeof *c->slot);
  if (c->fwd) memset(c->fwd, 0, 2 * (c->fwd_mask + 1) * sizeof *c->fwd);
  c->n = c->nfwd = 0;
  c->keys.len = 0;
}

/* Doubles the table (at most to twice IDC_MAX_ENTRIES slots). */
static int grow(ls__idcache *c) {
  size_t cap = c->slot ? 2 * (c->mask + 1) : 4096;
  ls__idc_slot *ns = calloc(cap, sizeof *ns);
  if (!ns) return LS_ENOMEM;
  for (size_t i = 0; c->slot && i <= c->mask; i++) {
    const ls__idc_slot *s = &c->slot[i];
    if (!s->person) continue;
    size_t j = (size_t)s->hash & (cap - 1);
    while (ns[j].person) j = (j + 1) & (cap - 1);
    ns[j] = *s;
  }
  free(c->slot);
  c->slot = ns;
  c->mask = cap - 1;
  return LS_OK;
}

int ls__idc_put(ls__idcache *c, int kind, ls_slice v, int64_t person) {
  if (c->n >= IDC_MAX_ENTRIES || c->keys.len + v.n > IDC_MAX_KEYS) ls__idc_clear(c);
  if ((!c->slot || 2 * (c->n + 1) > c->mask + 1) && grow(c)) return LS_ENOMEM;
  uint64_t h = key_hash(kind, v);
  ls__idc_slot *s = &c->slot[find(c->slot, c->mask, c->keys.p, h, kind, v)];
  if (s->person) {
    s->person = person;
    return LS_OK;
  }
  size_t off = c->keys.len;
  if (ls_buf_append(&c->keys, v.p, v.n)) return LS_ENOMEM;
  *s = (ls__idc_slot){h, person, (uint32_t)off, (uint32_t)v.n, (uint8_t)kind};
  c->n++;
  return LS_OK;
}

int ls__idc_merged(ls__idcache *c, int64_t from, int64_t into) {
  if (!c->fwd) {
    if (!(c->fwd = calloc(2 * 2u * IDC_MAX_FWD, sizeof *c->fwd))) {
      ls__idc_clear(c); /* nothing cached can be stale */
      return LS_OK;
    }
    c->fwd_mask = 2u * IDC_MAX_FWD - 1;
  }
  if (c->nfwd >= IDC_MAX_FWD) ls__idc_clear(c);
  size_t j = fwd_find(c, from);
  if (!c->fwd[2 * j]) c->nfwd++;
  c->fwd[2 * j] = from;
  c->fwd[2 * j + 1] = into;
  return LS_OK;
}

void ls__idc_free(ls__idcache *c) {
  free(c->slot);
  free(c->fwd);
  ls_buf_free(&c->keys);
  memset(c, 0, sizeof *c);
}
