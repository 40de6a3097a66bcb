/* Extents: where a person's rows are in an append-only table, as a list of
 * (first seq, count) ranges. The SQLite driver keeps one for the events and
 * one for the ledger in the person's row, so that appending an event costs
 * no random index insert (docs/storage.md, "Why extents").
 *
 * Encoding: unsigned LEB128 pairs, first then count. LEB128 can be read
 * backwards (a number ends at a byte < 0x80), so the last range is found
 * in O(1) and extended in place; two extents concatenated are an extent of
 * the union. */
#ifndef LEADSCORE_STORE_EXTENT_H
#define LEADSCORE_STORE_EXTENT_H

#include <stdbool.h>
#include <stdint.h>

#include "leadscore/export.h" /* ls_buf */

/* Adds row `seq` (greater than every seq already in b). */
int ls__ext_add(ls_buf *b, int64_t seq);

/* Drops every seq greater than `keep` from b (the ranges after it, and the
 * end of a range across it). */
int ls__ext_truncate(ls_buf *b, int64_t keep);

/* Reads the range at *off and advances it; false at the end or on a
 * malformed extent (then *bad is set). */
bool ls__ext_next(const char *p, size_t len, size_t *off, int64_t *first, int64_t *count,
                  bool *bad);

#endif
