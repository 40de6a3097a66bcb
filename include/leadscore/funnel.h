/* leadscore — the funnel: persons per stage, entries, conversions and
 * velocity over a period, and the KPIs of the model's `targets:` against
 * what happened (docs/funnel.md).
 *
 * Pure: no I/O, no clock. The stage changes come from the store
 * (ls_store_stage_changes) or from an in-memory replay; the caller gives
 * persons per stage now.
 *
 * Definitions (all times UTC; a period is [from, to)):
 * - an entry into stage X is a stage change whose `to` is X;
 * - entries[X]: entries into X in the period; mqls: entries in the period
 *   that were MQLs;
 * - weekly[w][X]: entries into X in ISO week w (Monday 00:00 UTC), for the
 *   weeks that overlap the period (a partial first or last week counts only
 *   the part inside the period);
 * - reached[X][Y]: of the entries into X in the period, those after which
 *   the person entered Y (at any later change, up to the last change given)
 *   before entering X again; the conversion X → Y is reached / entries;
 * - median_days[X]: of the entries into X in the period that have left X
 *   since (at the person's next change), the median of (left − entered) in
 *   days (the mean of the middle two for an even count); NAN when none left;
 * - a count target (`mqls`, `entries`) is per calendar month: for a period
 *   that is a whole calendar month it is the target; for any other period it
 *   is scaled by the period's length over 30.4375 days (the mean month). */
#ifndef LEADSCORE_FUNNEL_H
#define LEADSCORE_FUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/model.h"
#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One stage change. `seq` orders the changes of a person made at the same
 * instant (one event may cause several): the ledger row's n. */
typedef struct ls_funnel_change {
  int64_t person;
  int64_t seq;
  ls_time time;
  uint16_t from, to; /* stage indexes in the model */
  bool mql;
} ls_funnel_change;

typedef struct ls_funnel {
  ls_time from, to;       /* the period */
  size_t nstages;         /* ls_model_nstages */
  uint64_t *now;          /* [nstages] persons per stage now (as given) */
  uint64_t *entries;      /* [nstages] */
  uint64_t mqls;
  size_t nweeks;
  ls_time *week;          /* [nweeks] each week's Monday 00:00 UTC */
  uint64_t *weekly;       /* [nweeks * nstages]: weekly[w * nstages + X] */
  uint64_t *reached;      /* [nstages * nstages]: reached[X * nstages + Y] */
  uint64_t *left;         /* [nstages] entries in the period that left since */
  double *median_days;    /* [nstages], NAN when left[X] is 0 */
} ls_funnel;

/* Computes the funnel of [from, to) under m from `changes` (borrowed; any
 * order; changes before `from` are ignored, changes after `to` count only
 * for `reached` and `median_days`) and `now` (borrowed: [nstages] persons
 * per stage, or NULL for zeros). Fills *out (free with ls_funnel_free).
 * LS_EINVAL when to <= from or a change names a stage m does not have;
 * LS_ENOMEM. Changes already in ls_funnel_sort's order are read in place
 * (a copy kept sorted saves a sort per call); others are copied and sorted. */
int ls_funnel_compute(const ls_model *m, ls_time from, ls_time to,
                      const ls_funnel_change *changes, size_t n, const uint64_t *now,
                      ls_funnel *out);
void ls_funnel_free(ls_funnel *f); /* NULL and a zeroed funnel are no-ops */
/* Sorts changes by person, then time, then seq: the order
 * ls_funnel_compute walks them in. */
void ls_funnel_sort(ls_funnel_change *v, size_t n);
/* -1, 0 or 1 as a comes before, with or after b in that order. */
int ls_funnel_change_cmp(const ls_funnel_change *a, const ls_funnel_change *b);

/* The conversion X → Y of f as a share in [0, 1]; NAN when entries[X] is 0. */
double ls_funnel_rate(const ls_funnel *f, size_t x, size_t y);

/* One KPI: a target of the model (ls_model_target) measured on a funnel. */
typedef struct ls_kpi {
  size_t target;     /* index in the model's targets */
  bool has;          /* false: nothing to measure (no entries, none left) */
  double value;      /* a count, a share in [0, 1], or days */
  double goal;       /* the target, scaled to the period for counts */
  double progress;   /* value / goal (at_least) or goal / value (at_most);
                        NAN when !has or the quotient is undefined */
  bool met;
} ls_kpi;

/* Measures every target of m on f into out[0 .. ls_model_ntargets(m)).
 * out holds ls_model_ntargets(m) items. */
void ls_funnel_kpis(const ls_model *m, const ls_funnel *f, ls_kpi *out);

#ifdef __cplusplus
}
#endif
#endif
