/* leadscore — a table of names by 64-bit hash: how the category names of
 * category scores (ls_model_category_hash) are shown. Pure; not
 * thread-safe (one owner at a time). */
#ifndef LEADSCORE_NAMES_H
#define LEADSCORE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ls_names ls_names;

/* Returns a new, empty table, or NULL when out of memory. */
ls_names *ls_names_new(void);
/* Frees the table. destroy(NULL) is a no-op. */
void ls_names_destroy(ls_names *t);
/* Forgets every name; keeps the memory. */
void ls_names_clear(ls_names *t);
size_t ls_names_count(const ls_names *t);

/* Records a copy of the n bytes at p as the name of `hash`; a hash that has
 * a name keeps it. *added (may be NULL) says whether it was new. Returns
 * LS_OK or LS_ENOMEM. */
int ls_names_put(ls_names *t, uint64_t hash, const char *p, size_t n, bool *added);
/* The name of `hash` (borrowed until the next put, clear or destroy; not
 * NUL-terminated), or NULL with *n = 0 when the table has none. */
const char *ls_names_get(const ls_names *t, uint64_t hash, size_t *n);
/* The i-th name recorded (0 <= i < count), in recording order. */
const char *ls_names_at(const ls_names *t, size_t i, uint64_t *hash, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
