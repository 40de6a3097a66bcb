#include "utf8.h"

#include "hash.h" /* ls__load64 */

const unsigned char *ls__utf8_find_invalid(const unsigned char *p,
                                           const unsigned char *end) {
  while (p < end) {
    size_t k;
    if ((size_t)(end - p) >= 8 &&
        (ls__load64(p) & UINT64_C(0x8080808080808080)) == 0) {
      p += 8;
      continue;
    }
    if (*p < 0x80) {
      p++;
      continue;
    }
    k = ls__utf8_seq(p, end);
    if (k == 0) return p;
    p += k;
  }
  return NULL;
}
