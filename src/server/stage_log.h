/* leadscore — internal: the server's copy of every stage change of the
 * current model version, sorted as ls_funnel_compute walks them, so that
 * the funnel of any period costs one walk over memory instead of reading
 * every stage row since the period's start (at 1 M persons, 800 k rows of
 * an old month's funnel took the store half a second).
 *
 * Exact as of the writes it was told of: the writer's person hook hands
 * over the persons each group wrote (ls__slog_dirty), whose rows are read
 * again through the store's per-person stage index; a write by another
 * process or a model change starts it over. Built from one pass at the
 * first funnel. One mutex: funnels run one at a time. */
#ifndef LEADSCORE_SERVER_STAGE_LOG_H
#define LEADSCORE_SERVER_STAGE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "leadscore/store.h"

typedef struct ls__slog ls__slog;

/* Returns new (NULL when out of memory). */
ls__slog *ls__slog_new(void);
void ls__slog_destroy(ls__slog *x); /* NULL is a no-op */
/* The writer: persons it wrote in a committed group (borrowed), and "start
 * over": another process wrote the store. Thread-safe. */
void ls__slog_dirty(ls__slog *x, const int64_t *persons, size_t n);
void ls__slog_invalidate(ls__slog *x);

/* ls_funnel_compute of [from, to) over the changes on st (a read
 * connection inside ls_store_read_begin: its snapshot is renewed when
 * persons were written since), with `now` (borrowed, may be NULL). Fills
 * *out (ls_funnel_free). LS_OK, LS_EINVAL, LS_ENOMEM, a store error. */
int ls__slog_funnel(ls__slog *x, ls_store *st, ls_time from, ls_time to, const uint64_t *now,
                    ls_funnel *out);

#endif
