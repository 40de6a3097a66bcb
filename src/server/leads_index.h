/* leadscore — internal: the server's leads index, a compact copy of what
 * GET /v1/leads filters and sorts on (stage, scores, grade, cell, top
 * category, last activity, lead id) for every person, so that a page of a
 * filtered, sorted list costs one pass over memory instead of reading and
 * decaying every person from the store.
 *
 * Exact at the read time: an entry holds a person's values at some time t
 * with the time of its next decay or window step (ls_fold_next_step); a
 * query at T >= t re-reads the entries whose step is due by T, and every
 * person the server's writer changed since (ls_store_set_person_hook).
 * Built from one pass over the store (ls_store_person_each) at the first
 * query, and again after a model change, a write by another process (the
 * writer sees it), or a read time before the last one. One mutex: queries
 * run one at a time; the writer only appends ids under it, per group. */
#ifndef LEADSCORE_SERVER_LEADS_INDEX_H
#define LEADSCORE_SERVER_LEADS_INDEX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "leadscore/store.h"
#include "server/pending.h"

typedef struct ls__lindex ls__lindex;

/* Returns new (NULL when out of memory). */
ls__lindex *ls__lindex_new(void);
void ls__lindex_destroy(ls__lindex *x); /* NULL is a no-op */
/* The writer: persons it wrote in a committed group (borrowed ids), and
 * "rebuild": another process wrote the store. Thread-safe. */
void ls__lindex_dirty(ls__lindex *x, const int64_t *persons, size_t n);
void ls__lindex_invalidate(ls__lindex *x);

enum { LS__SORT_LEAD = 0, LS__SORT_SCORE = 1, LS__SORT_UPDATED = 2 };

/* A query. Strings are borrowed. */
typedef struct ls__lquery {
  const char *stage, *grade, *cell, *category;
  size_t score; /* the score min/max and LS__SORT_SCORE read */
  bool has_min, has_max, has_updated;
  int64_t min, max;
  ls_time updated;
  /* owner=: keep only persons whose lead id this says yes to */
  bool (*lead_ok)(void *ud, ls_slice lead);
  void *lead_ud;
  int sort;  /* LS__SORT_* */
  bool desc; /* ties: lead id, then person, ascending */
  /* the cursor: rows after (key, lead, person) in the order */
  bool has_after;
  int64_t after_key;
  int32_t after_key2;
  ls_slice after_lead;
  int64_t after_person;
  size_t limit;
} ls__lquery;

/* A page: persons in order, with the sort key of the last (for the next
 * cursor). */
typedef struct ls__lpage {
  int64_t *persons; /* owned: free with ls__lpage_free */
  size_t n;
  bool more;       /* rows follow the page */
  uint64_t total;  /* rows that match the filters (the cursor aside) */
  int64_t last_key;
  int32_t last_key2;
  ls_time at;      /* the read time the page is exact at */
} ls__lpage;
void ls__lpage_free(ls__lpage *p);

/* Runs q on st (a read connection: its snapshot is renewed when persons
 * were written since it began) at the read time at_fn(ud, st) gives after
 * that renewal. LS_OK, LS_EINVAL (q names a stage or score the model does
 * not have: *bad says which), a store error. */
int ls__lindex_query(ls__lindex *x, ls_store *st, ls_time (*at_fn)(void *ud, ls_store *st),
                     void *at_ud, const ls__lquery *q, ls__lpage *out, const char **bad);

/* Persons per stage (counts[nstages], zeroed first) at the read time, which
 * goes to *at; the same catching up as a query. */
int ls__lindex_stage_counts(ls__lindex *x, ls_store *st,
                            ls_time (*at_fn)(void *ud, ls_store *st), void *at_ud,
                            uint64_t *counts, size_t nstages, ls_time *at);

#endif
