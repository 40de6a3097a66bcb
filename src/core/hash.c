#include "leadscore/event.h"

#include "hash.h"

uint64_t ls_hash_bytes(const void *p, size_t n) {
  /* n == 0 may come with p == NULL (an absent slice): ls__hash reads nothing
   * then. */
  return ls__hash(p, n, LS__K4);
}
