/* leadscore — batch replay: events in, persons out (spec §1, §2, §8, §9).
 * Pure: the caller reads files and hands over parsed events.
 *
 * Pipeline: parse (any thread, ls_batch) → ls_replay_add_batch (one thread,
 * in input order: de-duplicates by id, the first line received wins) →
 * ls_replay_finish (as-of, identity linking, (time, id) sort, fold) →
 * read persons in lead_id byte order. */
#ifndef LEADSCORE_REPLAY_H
#define LEADSCORE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/event.h"
#include "leadscore/fold.h"
#include "leadscore/model.h"
#include "leadscore/names.h"
#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A block of classified events produced by one thread. Not thread-safe;
 * one batch per thread. */
typedef struct ls_batch ls_batch;

/* Returns a new empty batch for `m` (borrowed for the batch's life), or
 * NULL when out of memory. */
ls_batch *ls_batch_new(const ls_model *m);
void ls_batch_destroy(ls_batch *b); /* NULL is a no-op */
void ls_batch_clear(ls_batch *b);   /* keeps its memory for reuse */
size_t ls_batch_count(const ls_batch *b);
/* Copies what the engine needs of `ev` (borrowed) into the batch. */
int ls_batch_push(ls_batch *b, const ls_event_fields *ev);
/* The category names of the batch's events (NULL for a model without
 * category scores). Borrowed; cleared with the batch. */
const ls_names *ls_batch_categories(const ls_batch *b);
/* Records in `names` the category names that `ev` carries; `bits` are its
 * words from ls_model_eval_preds. LS_OK or LS_ENOMEM. */
int ls_batch_note_categories(const ls_model *m, const ls_event_fields *ev, const uint64_t *bits,
                             ls_names *names);

typedef struct ls_replay ls_replay;

typedef struct ls_replay_stats {
  uint64_t events;     /* accepted (valid, first of their id) */
  uint64_t duplicates; /* valid lines whose id was already claimed */
  uint64_t conflicts;  /* duplicates whose content differs from the first */
  uint64_t late;       /* accepted events after the as-of time (ignored) */
  uint64_t rejected_sales; /* sales events that fit no transition */
  uint64_t persons;
  uint64_t mqls;
} ls_replay_stats;

ls_replay *ls_replay_new(const ls_model *m); /* borrows m; NULL on ENOMEM */
void ls_replay_destroy(ls_replay *r);        /* NULL is a no-op */

/* Optional: sizes the internal tables for about `events` events, so that
 * they do not grow (and rehash) while batches are added. */
int ls_replay_reserve(ls_replay *r, size_t events);

/* Optional, before the first batch: the caller vouches that no two events
 * it adds share an id (a store's events, de-duplicated at ingest), so the
 * replay keeps no id table and never reports a duplicate. */
void ls_replay_ids_unique(ls_replay *r);

/* Optional hook, called during ls_replay_add_batch for every duplicate line
 * with its index in the batch and whether its content differs from the
 * first line of that id (a conflict), so the caller can name FILE:LINE. */
void ls_replay_on_duplicate(ls_replay *r,
                            void (*fn)(void *ud, size_t index, ls_slice id,
                                       bool conflict),
                            void *ud);

/* Adds a batch's events in order (batches must be added in input order).
 * Copies; the batch may be cleared afterwards. */
int ls_replay_add_batch(ls_replay *r, const ls_batch *b);

/* Links identities, sorts and folds every person up to `as_of` (NULL: the
 * greatest time among accepted events). Call once, after the last batch. */
int ls_replay_finish(ls_replay *r, const ls_time *as_of);

/* The same in three steps, so that a caller can fold on several threads:
 * link once; fold disjoint person ranges [lo, hi) of [0, npersons) —
 * concurrently if it likes, each with its own zeroed stats — then finalize
 * once with every range's stats. ls_replay_npersons() is valid after link. */
int ls_replay_link(ls_replay *r, const ls_time *as_of);
int ls_replay_fold_range(ls_replay *r, size_t lo, size_t hi,
                         ls_replay_stats *st);
int ls_replay_finalize(ls_replay *r, const ls_replay_stats *const *parts,
                       size_t nparts);

/* The earliest and latest times of the accepted events (either pointer may
 * be NULL); false when there are none. Valid after link. */
bool ls_replay_time_span(const ls_replay *r, ls_time *first, ls_time *last);

/* The model the replay folds with (borrowed). */
const ls_model *ls_replay_model(const ls_replay *r);

/* Valid after finish. */
ls_replay_stats ls_replay_get_stats(const ls_replay *r);
ls_time ls_replay_as_of(const ls_replay *r);

/* One exported person (spec §8). Borrowed from the replay. */
typedef struct ls_person_row {
  ls_slice lead_id;     /* "L1", "email:x@y", "anon:c1" */
  const void *state;    /* fold state: read with ls_fold_* */
  const ls_names *categories; /* category names (NULL: none known) */
} ls_person_row;

size_t ls_replay_npersons(const ls_replay *r);
/* The names of every category the replay's events carry (see
 * ls_model_category_hash); NULL for a model without category scores. */
const ls_names *ls_replay_categories(const ls_replay *r);
/* The i-th person in lead_id byte order. */
ls_person_row ls_replay_person(const ls_replay *r, size_t i);

/* Finds the person holding `identity` (a lead id, an e-mail, an anonymous
 * id, or a prefixed "lead:", "email:", "anon:" form; e-mails are normalized)
 * and re-folds its history into `sink`. Returns the person index, or -1. */
long ls_replay_find(const ls_replay *r, ls_slice identity);
int ls_replay_explain(const ls_replay *r, size_t person,
                      const ls_fold_sink *sink);

/* Re-folds person i like ls_replay_explain, for analyses that need the
 * state along the way (backtests): before(ud, ev, state) runs before each
 * event and once more with ev NULL before the final advance to the as-of
 * time; after(ud, ev, state) after each event. `state` is the caller's
 * (ls_fold_state_size bytes, reused); sink and callbacks may be NULL. */
typedef struct ls_replay_walker {
  void *ud;
  const ls_fold_sink *sink;
  void (*before)(void *ud, const ls_fold_event *ev, const void *state);
  void (*after)(void *ud, const ls_fold_event *ev, const void *state);
} ls_replay_walker;
int ls_replay_walk(const ls_replay *r, size_t i, void *state, const ls_replay_walker *w);

/* The identities of person i, for explain: calls fn once per identity with
 * its prefixed form ("lead:L1", "email:…", "anon:…"). */
void ls_replay_identities(const ls_replay *r, size_t person,
                          void (*fn)(void *ud, ls_slice identity), void *ud);

#ifdef __cplusplus
}
#endif
#endif
