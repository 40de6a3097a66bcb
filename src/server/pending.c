/* The persons waiting to be read again (see pending.h). */
#include "server/pending.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

void ls__pending_add(ls__pending *p, const int64_t *persons, size_t n) {
  if (!n) return;
  if (ls__grow((void **)&p->v, &p->cap, p->n + n, sizeof *p->v)) {
    p->invalid = true; /* cannot remember them: start over */
    return;
  }
  memcpy(p->v + p->n, persons, n * sizeof *persons);
  p->n += n;
}

int ls__pending_take(ls__pending *p, ls_store *st, int64_t **out, size_t *n) {
  *out = NULL;
  *n = p->n;
  if (!p->n) return LS_OK;
  if (!(*out = malloc(p->n * sizeof **out))) return LS_ENOMEM;
  memcpy(*out, p->v, p->n * sizeof **out);
  p->n = 0;
  int rc = ls_store_read_end(st);
  if (!rc) rc = ls_store_refresh(st);
  return rc ? rc : ls_store_read_begin(st);
}

void ls__pending_free(ls__pending *p) {
  free(p->v);
  memset(p, 0, sizeof *p);
}
