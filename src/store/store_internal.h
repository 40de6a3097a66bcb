/* Internal state of ls_store shared by store.c (open, ingest), fold.c
 * (folding into stored persons) and export.c (advance, export, verify). */
#ifndef LEADSCORE_STORE_INTERNAL_H
#define LEADSCORE_STORE_INTERNAL_H

#include "leadscore/fold.h"
#include "leadscore/replay.h"
#include "leadscore/store.h"
#include "engine/batch.h"
#include "store/ahead.h"
#include "store/idcache.h"
#include "store/rewind.h"

/* An owned, growable byte string. */
typedef struct ls__bytes {
  char *p;
  size_t len, cap;
} ls__bytes;

/* A person touched by the current batch: loaded once, written once. */
typedef struct ls__tp {
  int64_t id;
  uint32_t idx; /* its place in ls__touched.v */
  bool fresh;  /* created by this batch: no stored row yet */
  bool refold; /* re-fold from the stored history at flush */
  bool missing; /* no person row (merged away, erased): reads say LS_ENOTFOUND */
  bool dropped; /* merged into another person */
  uint32_t into; /* when dropped: the ls__tp.idx it went into */
  bool refolding; /* being re-folded from its history now */
  bool has_new;   /* has events in this batch, the earliest at first_new */
  ls_time first_new;
  ls_slice first_new_id;
  /* rewinding: re-folding from the rewind cache's base; the tail's next
   * event at rw_off, rw_left of them to go */
  bool rewinding;
  size_t rw_off;
  uint32_t rw_left;
  const ls__rw_ent *rw;
  /* the base being captured for the rewind cache (cap_on), or why not */
  bool cap_on, cap_bad;
  ls__rw_base cap;
  ls_store_person row;
  ls_buf events_at, ledger_at; /* the row's, see ls_store_person */
  ls__bytes last_id, lead_id;
  unsigned char *state;
} ls__tp;

typedef struct ls__touched {
  ls__tp **v; /* owned; reused across batches */
  size_t n, cap;
  size_t *slot; /* open addressing: index + 1 */
  size_t mask;
} ls__touched;

/* An accepted event of the batch, folded at flush in (person, time, id)
 * order: events that arrive shuffled within a batch need no re-fold. */
typedef struct ls__pending {
  uint32_t tp;   /* ls__tp.idx */
  uint32_t line; /* index into the batch's lines */
  ls_time time;
  ls_slice id;
  const uint64_t *bits; /* its predicate bits (in the parse-ahead chunk) */
  const ls__bev *ev;    /* the event in that chunk, and the chunk's bytes */
  const char *bytes;
  uint16_t type;
  bool identifies;
} ls__pending;

/* An MQL folded by an ingest: its person gets an owner at the end. */
typedef struct ls__mql {
  ls_time time;
  int64_t person;
} ls__mql;

struct ls_store {
  const ls_store_driver *drv;
  void *db;
  ls_model *model;
  int64_t model_version;
  ls_event_parser *parser;
  size_t words, ssize;
  uint64_t *bits;
  bool has_clock;
  ls_time clock;
  bool group;          /* inside ls_store_group_begin/commit */
  bool group_bare;     /* optimistic: units without savepoints */
  int group_rc;        /* optimistic: the first failing unit's error */
  bool group_had_clock; /* the clock when the group began */
  ls_time group_clock;
  ls__touched t;
  ls__ahead ahead;   /* this batch's lines, parsed and classified */
  ls__pending *pend; /* its accepted events (ids and bits in `ahead`) */
  size_t npend, pend_cap;
  const char *const *lines; /* this batch's lines (borrowed) */
  const size_t *lens;
  ls__idcache idc;
  ls__rewind rw; /* see rewind.h */
  uint64_t data_version; /* the driver's, when idc was last known good */
  ls_store_stage_fn stage_hook; /* see ls_store_set_stage_hook */
  void (*person_hook)(void *ud, int64_t person); /* ls_store_set_person_hook */
  void *person_ud;
  void *stage_ud;
  ls__mql *mqls; /* the MQLs this ingest folded (not replays of earlier ones) */
  size_t nmql, mql_cap;
  ls_stage_change *chg; /* one event's stage changes, for the hook */
  size_t nchg, chg_cap;
  void (*line_hook)(void *ud, size_t index, int outcome, const char *why);
  void *line_ud;
  ls_buf hist; /* a person's history while it is re-folded or shown */
  ls_event_parser *show_parser; /* ls_store_show's (attributes), made on first use */
  ls__pending *hv;
  size_t hn, hcap;
};

/* Empties what this connection remembers of the stored state (identities,
 * the rewind cache): after a rollback, an erasure, a model change or
 * another connection's commit. */
void ls__store_forget_caches(ls_store *s);

/* One unit of work: its own transaction, or a savepoint inside a group
 * (nothing in an optimistic group). tx_end commits (releases) when rc is
 * LS_OK, else undoes the unit (in an optimistic group: marks the group
 * failed) and drops the caches; returns rc or the commit's error. */
int ls__tx_begin(ls_store *s);
int ls__tx_end(ls_store *s, int rc);

int ls__bytes_set(ls__bytes *b, const char *p, size_t n);


/* The person `id` of this batch, loading it unless `fresh`. */
int ls__touched_get(ls_store *s, int64_t id, bool fresh, ls__tp **out);
/* Marks `from` as merged into `into` (both of this batch). */
void ls__touched_drop(ls__tp *from, const ls__tp *into);
void ls__touched_clear(ls__touched *t);
void ls__touched_free(ls__touched *t);

/* Calls fn with each stored event of p in (time, id) order. */
int ls__store_history(ls_store *s, const ls__tp *p, int (*fn)(void *ud, ls_slice line),
                      void *ud);
/* Parses a stored line and classifies it (bits in s->bits). */
int ls__store_classify(ls_store *s, ls_slice line, ls_event_fields *f, ls_fold_event *fe);
/* Folds one event onto p, appending ledger rows. ids (the event's lead,
 * e-mail and anonymous id, for the person id of spec §2) may be NULL when p
 * already has a lead id. */
int ls__store_fold_one(ls_store *s, ls__tp *p, const ls_slice ids[3],
                       const ls_fold_event *fe);
/* Is (t, id) strictly after p's last event and its last advance? */
bool ls__store_appends(const ls__tp *p, ls_time t, ls_slice id);
/* Folds the batch's pending events, re-folds what needs it and writes every
 * touched person. */
int ls__store_flush(ls_store *s, ls_store_stats *st);
/* Applies decay up to `to` to p, appending ledger rows. */
int ls__store_advance_person(ls_store *s, ls__tp *p, ls_time to);
/* n (1 or 2) replays under m at as_of[i] (NULL: the latest event) from
 * one pass over the stored events; new out[i] on success. */
int ls__store_replay_at(ls_store *s, const ls_model *m, size_t n, const ls_time *const *as_of,
                        ls_replay **out);
/* A replay under `m` of every stored event (arrival order) at `as_of`. */
int ls__store_replay(ls_store *s, const ls_model *m, const ls_time *as_of,
                     ls_replay **out);
/* Writes p's row (state, summary columns). */
int ls__store_put(ls_store *s, ls__tp *p);

#endif
