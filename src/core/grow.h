/* One growth policy for every dynamic array in the library. */
#ifndef LEADSCORE_CORE_GROW_H
#define LEADSCORE_CORE_GROW_H

#include <stddef.h>

/* Makes room for at least `need` elements of `elem` bytes in *p (capacity
 * *cap), doubling; new elements are zeroed. Returns LS_OK or LS_ENOMEM (then
 * *p and *cap are unchanged). */
int ls__grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
