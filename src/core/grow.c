#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/error.h"

int ls__grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return LS_OK;
  size_t nc = *cap ? *cap : 8;
  while (nc < need) {
    if (nc > SIZE_MAX / 2) return LS_ENOMEM;
    nc *= 2;
  }
  if (nc > SIZE_MAX / elem) return LS_ENOMEM;
  void *q = realloc(*p, nc * elem);
  if (!q) return LS_ENOMEM;
  memset((char *)q + *cap * elem, 0, (nc - *cap) * elem);
  *p = q;
  *cap = nc;
  return LS_OK;
}
