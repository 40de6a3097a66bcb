/* A stable merge sort of uint32 indices with a context comparator (qsort_r
 * is not in C11). Insertion sort for short runs: most persons have a few
 * dozen events. */
#include <string.h>

#include "engine/replay_internal.h"

#define RUN 16

static void insertion(uint32_t *a, size_t n,
                      int (*cmp)(const void *, uint32_t, uint32_t),
                      const void *ctx) {
  for (size_t i = 1; i < n; i++) {
    uint32_t x = a[i];
    size_t j = i;
    while (j > 0 && cmp(ctx, a[j - 1], x) > 0) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = x;
  }
}

void ls__sort_u32(uint32_t *a, uint32_t *tmp, size_t n,
                  int (*cmp)(const void *ctx, uint32_t x, uint32_t y),
                  const void *ctx) {
  for (size_t i = 0; i < n; i += RUN)
    insertion(a + i, n - i < RUN ? n - i : RUN, cmp, ctx);
  uint32_t *src = a, *dst = tmp;
  for (size_t w = RUN; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    uint32_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}
