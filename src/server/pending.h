/* leadscore — internal: the persons the server's writer changed, waiting
 * for an in-memory copy of the store (the leads index, the stage log) to
 * read them again. The copy's mutex guards it. */
#ifndef LEADSCORE_SERVER_PENDING_H
#define LEADSCORE_SERVER_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/store.h"

typedef struct ls__pending {
  int64_t *v;
  size_t n, cap;
  bool invalid; /* start over: another process wrote, or ids were lost */
} ls__pending;

/* Adds persons (borrowed); out of memory sets invalid instead. */
void ls__pending_add(ls__pending *p, const int64_t *persons, size_t n);
/* Moves the ids to *out (new: free it; NULL when *n is 0) and, when there
 * are any, renews st's read snapshot so that it sees the commits they came
 * from. */
int ls__pending_take(ls__pending *p, ls_store *st, int64_t **out, size_t *n);
void ls__pending_free(ls__pending *p);

#endif
