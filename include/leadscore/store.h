/* leadscore — the durable store: incremental ingest into a system of record.
 *
 * The store keeps every accepted event (its raw line, so that any model can
 * re-derive everything), the identities, each person's fold state and
 * ledger, and every rejected line. Storage sits behind a driver descriptor
 * (ls_store_driver); SQLite is the first driver, PostgreSQL can follow
 * without touching the logic in src/store/store*.c.
 *
 * Invariant: after any sequence of ingests in any order, exporting the store
 * gives what `replay` of the same lines (first line received wins) gives. */
#ifndef LEADSCORE_STORE_H
#define LEADSCORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/error.h"
#include "leadscore/event.h"
#include "leadscore/export.h"
#include "leadscore/model.h"
#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A stored event, as drivers see it. Slices are borrowed. */
typedef struct ls_store_event {
  int64_t seq;    /* arrival order (assigned by the driver on put) */
  ls_slice id;
  int64_t person;
  ls_time time;
  ls_slice line;  /* the raw JSON line */
} ls_store_event;

/* A person row. `state` is ls_fold_state_size() bytes owned by the caller.
 * `events_at` and `ledger_at` are caller-owned buffers in which the driver
 * keeps where the person's events and ledger rows are (its own encoding;
 * the SQLite driver's is src/store/extent.h): person_get fills them,
 * event_put / ledger_add / person_merge extend them, person_put stores them.
 * The caller only keeps them with the row. */
typedef struct ls_store_person {
  int64_t id;
  ls_time last_time;  /* (time, id) of the last folded event */
  ls_slice last_event;
  bool has_advance;
  ls_time advanced_to; /* decay applied through this time, when has_advance */
  uint8_t lead_kind;   /* kind of the identity behind lead_id: 0 lead, 1 email, 2 anon */
  ls_slice lead_id;
  void *state;
  size_t state_len;
  int64_t ledger_n;    /* ledger rows so far */
  ls_buf *events_at, *ledger_at;
} ls_store_person;

/* One ledger row: a score change (rule >= 0, or -1 for decay) or a stage
 * change (kind 's'). */
typedef struct ls_store_ledger {
  int64_t n;
  char kind; /* 'p' points, 'c' capped by the rule's cap (0 points), 'b'
               * points cut by the score's min/max, 'f' a fit rule's re-roll
               * (points: the difference), 'd' decay, 'w' points leaving a
               * sliding window, 'e' a category dropped to make room for a
               * new one (the family keeps `keep`), 's' stage */
  ls_time time;
  const char *rule; /* rule id; NULL for decay rows; for stage rows the
                     * transition's route, or NULL */
  int64_t points, after;
  const char *from_stage, *to_stage; /* stage rows */
  bool mql;
  ls_slice event_id;
  int64_t model_version;
  /* a category score's row: its category (0: none) and, when read back,
   * the category's name */
  uint64_t category;
  ls_slice category_name;
  /* stage rows: the cadence the entry started (ls_stage_change.cadence's
   * name), or NULL */
  const char *cadence;
} ls_store_ledger;

/* The service's records (leadscore serve). Strings are borrowed: from the
 * caller for puts, valid during the callback for scans. Times are
 * milliseconds since the Unix epoch. */
typedef struct ls_store_key {
  int64_t id;
  const char *name;
  const char *scopes;   /* comma-separated: ingest, read, sales, admin */
  ls_slice hash;        /* SHA-256 of the key (the key itself is never stored) */
  int64_t created_ms;
  int64_t revoked_ms;   /* 0: active */
} ls_store_key;

typedef struct ls_store_hook {
  int64_t id;
  const char *url;
  const char *events; /* comma-separated: mql, stage_changed, task_due */
  const char *secret; /* signs deliveries, so it is kept as given */
  int64_t created_ms;
} ls_store_hook;

enum {
  LS_DELIVERY_PENDING = 0,
  LS_DELIVERY_DONE = 1,
  LS_DELIVERY_DEAD = 2,      /* gave up after the last attempt */
  LS_DELIVERY_CANCELLED = 3  /* no longer true before it was due (a task of a
                                stage the person has left) */
};

/* One webhook delivery in the outbox: written in the transaction of the
 * change it reports, so a committed change never loses its alert. */
typedef struct ls_store_delivery {
  int64_t id;
  int64_t hook;
  const char *delivery_id; /* unique per hook: re-folds do not duplicate */
  const char *kind;        /* mql, stage_changed, task_due */
  ls_slice person;         /* lead id: deliveries of a person go in order */
  ls_slice body;           /* the JSON body */
  int status;              /* LS_DELIVERY_* */
  int attempts;
  int64_t next_ms;         /* due at */
  int64_t created_ms;
  const char *last_error;  /* may be NULL */
} ls_store_delivery;

/* The storage descriptor. Every function returns LS_OK or an ls_err; "find"
 * functions return LS_ENOTFOUND when there is no such row. `db` is the
 * driver's handle. */
typedef struct ls_store_driver {
  const char *name;
  /* Opens (create: creates the schema; fails if it exists). Fills *diag. */
  int (*open)(const char *path, bool create, void **db, ls_diag *diag);
  void (*close)(void *db); /* NULL is a no-op */
  int (*begin)(void *db);
  /* A read transaction: every read until read_end sees one snapshot, and
   * the locks are taken once, not per statement. */
  int (*read_begin)(void *db);
  int (*read_end)(void *db);
  /* on: commits return before the disk has them; sync() then makes every
   * commit so far durable. sync may run on another thread than the one
   * using the connection (it touches only the log file). */
  int (*deferred_sync)(void *db, bool on);
  int (*sync)(void *db);
  int (*commit)(void *db); /* durable on return */
  int (*rollback)(void *db);
  /* Nested units inside begin/commit: savepoint opens one, release keeps
   * its changes (durable only when the outer transaction commits),
   * rollback_to undoes them and closes it. */
  int (*savepoint)(void *db);
  int (*release)(void *db);
  int (*rollback_to)(void *db);
  /* A number that changes when another connection commits: what a process
   * cached about the store is stale when it changed. */
  int (*data_version)(void *db, uint64_t *version);
  /* Lets the write-ahead log grow to about `bytes` before it is copied
   * into the database (more: faster bulk writes, a bigger log and longer
   * pauses when it is copied). */
  int (*set_checkpoint)(void *db, int64_t bytes);
  /* Copies what the log holds into the database now, without waiting for
   * (or blocking) a writer on another connection: the server runs it off
   * its writer's thread, so that the writer's own checkpoints (at the
   * set_checkpoint size) find little left to copy. */
  int (*checkpoint)(void *db);
  int (*meta_get)(void *db, const char *key, char *buf, size_t cap);
  int (*meta_set)(void *db, const char *key, const char *value);
  int (*model_put)(void *db, int64_t version, const char *text, size_t len);
  /* The newest model: returns new *text (caller frees); text NULL: only
   * its version. */
  int (*model_get)(void *db, int64_t *version, char **text, size_t *len);
  /* Claims an event id: *dup false when it is new (it is then taken by
   * this transaction), true when stored before (*stored_hash is the content
   * hash that came with it). */
  int (*event_claim)(void *db, ls_slice id, uint64_t content_hash, bool *dup,
                     uint64_t *stored_hash);
  /* Stores a claimed event of person p (e->person is ignored) and records
   * it in p->events_at. */
  int (*event_put)(void *db, ls_store_person *p, ls_store_event *e);
  /* Events of p (NULL: of everyone) in arrival order; fn returning non-zero
   * stops the scan with that code. fn may call other driver functions. */
  int (*event_scan)(void *db, const ls_store_person *p,
                    int (*fn)(void *ud, const ls_store_event *e), void *ud);
  int (*ident_find)(void *db, int kind, ls_slice value, int64_t *person);
  int (*ident_put)(void *db, int kind, ls_slice value, int64_t person);
  int (*person_new)(void *db, int64_t *id);
  /* Moves identities and events of `from` to `into` (into->events_at grows);
   * deletes `from` and its ledger. */
  int (*person_merge)(void *db, ls_store_person *into, const ls_store_person *from);
  /* Fills p (state copied into p->state, which holds p->state_len bytes;
   * events_at and ledger_at replaced; slices valid until the next driver
   * call). LS_ENOTFOUND with p->id set: the row has no state of this size
   * (never folded, or another model's); with p->id untouched: no row. */
  int (*person_get)(void *db, int64_t id, ls_store_person *p);
  int (*person_put)(void *db, const ls_store_person *p, const char *stage,
                    int64_t score, int64_t mql_count, const char *last_mql_at);
  /* Every person id in ascending order. */
  int (*person_scan)(void *db, int (*fn)(void *ud, int64_t id), void *ud);
  /* Every person whose stored state holds state_len bytes, in id order, in
   * one pass: fn gets p with id, lead_kind, lead_id and state filled
   * (borrowed until fn returns; the extents are not read). For reads of
   * everyone at once (ls_store_person_each). */
  int (*person_each)(void *db, size_t state_len,
                     int (*fn)(void *ud, const ls_store_person *p), void *ud);
  /* Every model version, oldest first, with its text (borrowed). */
  int (*model_scan)(void *db, int (*fn)(void *ud, int64_t version, const char *text, size_t len),
                    void *ud);
  /* Deletes p's ledger rows of one model version (rows of older versions
   * stay readable after a model change); may rewrite p->ledger_at. */
  int (*ledger_clear)(void *db, ls_store_person *p, int64_t model_version);
  /* Deletes p's last `count` ledger rows (in p->ledger_at's order: the
   * rows added last) and drops them from p->ledger_at. */
  int (*ledger_truncate)(void *db, ls_store_person *p, int64_t count);
  /* The inside-sales workflow's records (leadscore/workflow.h); NULL when
   * the driver keeps none. */
  const struct ls_workflow_driver *workflow;
  /* Appends a ledger row of p and records it in p->ledger_at. */
  int (*ledger_add)(void *db, ls_store_person *p, const ls_store_ledger *e);
  int (*rejected_add)(void *db, const char *source, uint64_t line,
                      const char *reason, ls_slice text);
  /* Read side. Every scan calls fn per row, in a stable order. */
  int (*rejected_scan)(void *db,
                       int (*fn)(void *ud, const char *source, uint64_t line,
                                 const char *reason, ls_slice text),
                       void *ud);
  /* Ledger rows of p in order of n (NULL: of everyone, by lead_id, person
   * and n), with the person's lead_id. */
  int (*ledger_scan)(void *db, const ls_store_person *p,
                     int (*fn)(void *ud, ls_slice lead_id,
                               const ls_store_ledger *e),
                     void *ud);
  /* The stage rows (kind 's', of every model version) of everyone, like
   * ledger_scan(NULL) gives them but without the other rows: the workflow
   * reads only these, and they are a few per person. */
  int (*stage_scan)(void *db, int (*fn)(void *ud, ls_slice lead_id, const ls_store_ledger *e),
                    void *ud);
  /* Erasure: deletes p's events (and their ids), identities, ledger and
   * row, and records that an erasure happened (when, how many events) —
   * nothing personal. */
  int (*person_erase)(void *db, const ls_store_person *p, const char *at,
                      int64_t *events);
  /* Identities of a person. */
  int (*ident_scan)(void *db, int64_t person,
                    int (*fn)(void *ud, int kind, ls_slice value), void *ud);
  /* Category names (ls_model_category_hash -> name); put keeps the first. */
  int (*category_put)(void *db, uint64_t hash, ls_slice name);
  int (*category_scan)(void *db, int (*fn)(void *ud, uint64_t hash, ls_slice name), void *ud);

  /* The service's records. key_put and hook_put set the new row's id. */
  int (*key_put)(void *db, ls_store_key *k);
  int (*key_scan)(void *db, int (*fn)(void *ud, const ls_store_key *k), void *ud);
  /* Revokes the active key named `name` at `at_ms`; LS_ENOTFOUND if none. */
  int (*key_revoke)(void *db, const char *name, int64_t at_ms);
  int (*hook_put)(void *db, ls_store_hook *h);
  int (*hook_scan)(void *db, int (*fn)(void *ud, const ls_store_hook *h), void *ud);
  /* Deletes a subscription and its pending deliveries; LS_ENOTFOUND. */
  int (*hook_delete)(void *db, int64_t id);
  /* Adds a delivery unless the hook has one with its delivery_id. */
  int (*outbox_add)(void *db, const ls_store_delivery *d);
  /* Pending deliveries due at now_ms, oldest first, at most `max`, and
   * none of a (hook, person) that has an older one pending. */
  int (*outbox_due)(void *db, int64_t now_ms, size_t max,
                    int (*fn)(void *ud, const ls_store_delivery *d), void *ud);
  int (*outbox_set)(void *db, int64_t id, int status, int attempts, int64_t next_ms,
                    const char *last_error);
  /* Cancels the pending deliveries of `kind` for `person`. */
  int (*outbox_cancel)(void *db, ls_slice person, const char *kind);
  /* Every delivery (status NULL) or those of one status, by id. */
  int (*outbox_scan)(void *db, const int *status,
                     int (*fn)(void *ud, const ls_store_delivery *d), void *ud);
  /* Persons per stage (as of each person's last fold), by stage name. */
  int (*stage_counts)(void *db, int (*fn)(void *ud, const char *stage, int64_t n), void *ud);
  /* The ledger's stage rows (kind 's') of one model version whose time text
   * is >= since_text (NULL: all), in no particular order: fn(person, the
   * row's n, its time as stored, from, to, mql). Times are stored as RFC
   * 3339 text with the fraction only when non-zero, so text order is time
   * order only to the second: callers pass a bound a second early and
   * filter exactly after parsing. person non-zero: that person's rows only
   * (since_text is then ignored). */
  int (*stage_changes)(void *db, int64_t model_version, const char *since_text, int64_t person,
                       int (*fn)(void *ud, int64_t person, int64_t n, const char *time,
                                 const char *from, const char *to, bool mql),
                       void *ud);
} ls_store_driver;

extern const ls_store_driver ls_store_sqlite; /* the embedded default */

typedef struct ls_store ls_store;

/* Creates a store at `path` with `model_text` as model version 1. */
int ls_store_init(const ls_store_driver *drv, const char *path,
                  const char *model_text, size_t len, ls_diag *diag);

/* Opens an existing store; returns new *out (close with ls_store_close). */
int ls_store_open(const ls_store_driver *drv, const char *path,
                  ls_store **out, ls_diag *diag);
void ls_store_close(ls_store *s); /* NULL is a no-op */

const ls_model *ls_store_model(const ls_store *s);
/* Tunes the write-ahead log for the batch sizes to come (see
 * ls_store_driver.set_checkpoint); the default suits small batches. */
int ls_store_set_checkpoint(ls_store *s, int64_t bytes);
/* A passive checkpoint on this connection (ls_store_driver.checkpoint):
 * for a connection other than the writer's, on another thread. */
int ls_store_checkpoint(ls_store *s);

/* The store's clock: the latest event time or advance target (false when
 * the store is empty). */
bool ls_store_clock(const ls_store *s, ls_time *out);

typedef struct ls_store_stats {
  uint64_t lines, accepted, rejected, duplicates, conflicts;
  uint64_t incremental; /* events folded onto a stored state */
  uint64_t refolded;    /* persons re-folded from their history */
  uint64_t rewound;     /* persons re-folded from their last batch, in memory */
} ls_store_stats;

/* Ingests one batch of lines (`lines[i]` of `lens[i]` bytes, numbered from
 * `first_line` in `source`) in one transaction: accepted events, identities,
 * person states, ledgers and rejected lines commit together and are durable
 * when this returns LS_OK. Adds to *st. */
int ls_store_ingest(ls_store *s, const char *source, uint64_t first_line,
                    const char *const *lines, const size_t *lens, size_t n,
                    ls_store_stats *st);

/* Group commit: between group_begin and group_commit every store call
 * (ingest, advance, forget, ...) runs as a nested unit of one transaction.
 * A call that fails is undone alone and the group goes on; nothing is
 * durable until ls_store_group_commit returns LS_OK, and one sync to disk
 * then covers every call of the group (the server answers a group of
 * requests together). ls_store_set_model is refused (LS_EINVAL) inside a
 * group. ls_store_group_rollback undoes the whole group. */
int ls_store_group_begin(ls_store *s);
int ls_store_group_commit(ls_store *s);
void ls_store_group_rollback(ls_store *s);
/* An optimistic group: the calls run without nested units, so the pages
 * they change are not copied aside first (a savepoint's price, a fifth of
 * a busy server's writer). The first call that fails leaves its work half
 * done and fails the group: ls_store_group_status then returns its error,
 * every later call returns it too, and ls_store_group_commit refuses
 * (undoes the group, returns it). The caller rolls back and runs the
 * calls again in an ordinary group. For calls that almost never fail. */
int ls_store_group_begin_optimistic(ls_store *s);
/* LS_OK, or the error of the first failed call of an optimistic group. */
int ls_store_group_status(const ls_store *s);

/* ---- the service (leadscore serve) ---- */

/* Catches up with what other connections committed (the clock, a new
 * model): a long-lived connection calls it before each unit of work. Cheap
 * when nothing changed. */
int ls_store_refresh(ls_store *s);
/* The driver's data version as this connection last saw it (at a refresh
 * or a write): it changes only when another connection committed, so a
 * writer that finds it changed knows someone else wrote the store. */
uint64_t ls_store_data_version(const ls_store *s);
/* Deferred sync, for a writer that overlaps its syncs with its next work:
 * with it on, ls_store_ingest and ls_store_group_commit return before their
 * changes are durable, and ls_store_sync makes every commit so far durable
 * (acknowledge only after it). ls_store_sync may be called from another
 * thread while this one goes on using the store. */
int ls_store_set_deferred_sync(ls_store *s, bool on);
int ls_store_sync(ls_store *s);

/* Brackets a unit of reads (one snapshot, locks taken once): the server
 * answers each read request inside one. Not inside a write. */
int ls_store_read_begin(ls_store *s);
int ls_store_read_end(ls_store *s);

/* A stage change as the store folds it, with the person it happened to. */
typedef struct ls_store_stage_info {
  int64_t person;
  ls_slice lead_id;            /* the person's lead id after the event */
  const void *state;           /* the fold state after the event */
  const ls_stage_change *change;
  const ls_store_person *row;  /* for ls_store_person_ledger */
  /* reported again by a re-fold from the stored history: the change is
   * before every event of this call, so it was folded (and reported) before */
  bool replayed;
} ls_store_stage_info;
typedef int (*ls_store_stage_fn)(void *ud, ls_store *s, const ls_store_stage_info *info);

/* Calls fn for every stage change the store folds, inside the transaction
 * that writes it (so what fn writes, e.g. ls_store_outbox_add, commits or
 * is undone with it). A person re-folded from its history reports its
 * changes again (`replayed` says which are old), and a change moved by a
 * late event is reported anew: fn must be idempotent. fn returning non-zero fails the
 * call. NULL removes the hook. */
void ls_store_set_stage_hook(ls_store *s, ls_store_stage_fn fn, void *ud);
/* The ledger rows of a person (in a stage hook: `info->row`). */
int ls_store_person_ledger(ls_store *s, const ls_store_person *p,
                           int (*fn)(void *ud, ls_slice lead_id, const ls_store_ledger *e),
                           void *ud);
/* What became of one line of an ingest call. */
enum { LS_LINE_ACCEPTED = 0, LS_LINE_DUPLICATE = 1, LS_LINE_REJECTED = 2 };
/* Calls fn for every non-blank line of the ingest calls to come, with its
 * 0-based index in the call's lines, its outcome and, for a rejected line,
 * the reason (else NULL). The outcomes count only if the call succeeds.
 * NULL removes it. */
void ls_store_set_line_hook(ls_store *s,
                            void (*fn)(void *ud, size_t index, int outcome, const char *why),
                            void *ud);

/* API keys, webhook subscriptions and the outbox (see ls_store_driver). */
int ls_store_key_add(ls_store *s, ls_store_key *k);
int ls_store_key_scan(ls_store *s, int (*fn)(void *ud, const ls_store_key *k), void *ud);
int ls_store_key_revoke(ls_store *s, const char *name, int64_t at_ms);
int ls_store_hook_add(ls_store *s, ls_store_hook *h);
int ls_store_hook_scan(ls_store *s, int (*fn)(void *ud, const ls_store_hook *h), void *ud);
int ls_store_hook_delete(ls_store *s, int64_t id);
int ls_store_outbox_add(ls_store *s, const ls_store_delivery *d);
int ls_store_outbox_due(ls_store *s, int64_t now_ms, size_t max,
                        int (*fn)(void *ud, const ls_store_delivery *d), void *ud);
int ls_store_outbox_set(ls_store *s, int64_t id, int status, int attempts, int64_t next_ms,
                        const char *last_error);
int ls_store_outbox_cancel(ls_store *s, ls_slice person, const char *kind);
int ls_store_outbox_scan(ls_store *s, const int *status,
                         int (*fn)(void *ud, const ls_store_delivery *d), void *ud);
int ls_store_stage_counts(ls_store *s, int (*fn)(void *ud, const char *stage, int64_t n),
                          void *ud);

/* Applies decay up to `to` to every person (one transaction). */
int ls_store_advance(ls_store *s, ls_time to);

/* Every stored event's line, in arrival order (erased persons' are gone):
 * fn(ud, line) until it returns non-zero (returned). */
int ls_store_event_lines(ls_store *s, int (*fn)(void *ud, ls_slice line), void *ud);
/* Replays every stored event under `m` (borrowed: any model, e.g. a
 * candidate for a backtest), finished at `as_of` (NULL: the latest event).
 * Returns new in *out. */
int ls_store_replay(ls_store *s, const ls_model *m, const ls_time *as_of, ls_replay **out);

/* Appends the leads CSV (spec §8) at `as_of` (NULL: the store clock). An
 * as-of before the clock is answered by replaying the stored events. */
int ls_store_export_leads(ls_store *s, const ls_time *as_of, ls_buf *out);

/* Stores `text` as model version N+1 and re-scores every person from its
 * history under it, in one transaction. Ledger rows of earlier versions are
 * kept (each row names its version). An invalid model changes nothing and
 * fills *diag with its line and column. */
int ls_store_set_model(ls_store *s, const char *text, size_t len, ls_diag *diag);
int64_t ls_store_model_version(const ls_store *s);

/* What a candidate model would change, before anything changes: persons
 * whose stage, score band (tens) or MQL status would differ, persons per
 * stage and MQLs per ISO week before and after. Appends a readable report
 * and sets *changed to the number of persons that would change. */
int ls_store_model_diff(ls_store *s, const ls_model *candidate, ls_buf *report,
                        uint64_t *changed);
/* The same, and the report's tables through `sink` (for a chart): persons
 * per stage (of the stored model's stages) and MQLs per ISO week (its
 * Monday), before and after. A callback returning non-zero stops with it. */
typedef struct ls_diff_sink {
  void *ud;
  int (*stage)(void *ud, const char *stage, uint64_t before, uint64_t after);
  int (*week)(void *ud, ls_time monday, uint64_t before, uint64_t after);
} ls_diff_sink;
int ls_store_model_diff_to(ls_store *s, const ls_model *candidate, ls_buf *report,
                           uint64_t *changed, const ls_diff_sink *sink);

/* Every stored model version, oldest first, with its text (borrowed until
 * fn returns). */
int ls_store_models(ls_store *s, int (*fn)(void *ud, int64_t version, const char *text,
                                           size_t len),
                    void *ud);

/* Calls fn for every person in lead_id order with its state at `as_of`
 * (NULL: the clock); fn returning non-zero stops with that code. */
int ls_store_leads(ls_store *s, const ls_time *as_of,
                   int (*fn)(void *ud, const ls_person_row *row), void *ud);

/* The names of the store's categories (see ls_model_category_hash), for
 * showing a category score: *out is new (destroy it with
 * ls_names_destroy), NULL for a model without category scores. */
int ls_store_categories(ls_store *s, ls_names **out);

/* Every person's state as stored — as of its last fold or advance: bring
 * it to a read time with ls_fold_advance — and lead id, in person id order,
 * in one pass (far cheaper than ls_store_person_state per person). The
 * slices are borrowed until fn returns; fn returning non-zero stops with
 * that code. */
int ls_store_person_each(ls_store *s,
                         int (*fn)(void *ud, int64_t person, ls_slice lead_id,
                                   const void *state),
                         void *ud);

/* Calls fn(ud, person) whenever this connection writes or deletes a
 * person's row (ingest, advance, a merge, an erasure, a model change),
 * inside the transaction: for a cache of persons kept beside the store,
 * which re-reads those persons once the transaction commits (a person that
 * no longer exists reads as LS_ENOTFOUND). fn must not call the store.
 * NULL removes it. */
void ls_store_set_person_hook(ls_store *s, void (*fn)(void *ud, int64_t person), void *ud);

/* The person holding `identity` (a lead id, an e-mail, an anonymous id, or
 * a lead:/email:/anon: form); LS_ENOTFOUND when none. */
int ls_store_find(ls_store *s, ls_slice identity, int64_t *person);

/* One person for `show`: identities (prefixed forms), the latest value of
 * each common attribute (first_name, last_name, company, title, industry,
 * country, employees, phone, source), the ledger, and the state at the
 * clock (`state` holds ls_fold_state_size() bytes). A NULL callback skips
 * its part (the owner rules read attributes only). */
typedef struct ls_store_show_sink {
  void *ud;
  int (*identity)(void *ud, ls_slice identity);
  int (*attribute)(void *ud, const char *key, ls_slice value);
  int (*ledger)(void *ud, const ls_store_ledger *e);
} ls_store_show_sink;
int ls_store_show(ls_store *s, int64_t person, const ls_store_show_sink *sink,
                  void *state, ls_buf *lead_id);

/* ---- why hot: what made a person hot, from its ledger ----
 * Rows that gave positive points (a rule's points, cut or not by the
 * score's min/max, or a fit re-roll that gave some) in the 30 days up to
 * `at` (both ends included), grouped by rule; not capped rows (0 points),
 * decay, windows or negative rules. ls_why_add/ls_why_top/ls_why_text are
 * pure (no I/O): they serve the store's ledger and an in-memory one. */
typedef struct ls_why_item {
  int32_t rule;   /* index in the model (ls_model_rule_id, ls_model_rule_label) */
  uint32_t count; /* rows */
  int64_t points; /* their points */
} ls_why_item;

enum { LS_WHY_DAYS = 30, LS_WHY_MAX = 5 };

/* An accumulator: ls_why_init, rows, ls_why_top, ls_why_free. */
typedef struct ls_why {
  const ls_model *m; /* borrowed */
  ls_time from, to;  /* the window */
  int64_t version;   /* ls_why_add_row: rows of this model version only (0: any) */
  ls_why_item *v;    /* owned: every group so far, in first-seen order */
  size_t n, cap;
} ls_why;

/* Starts an empty accumulator for the 30 days up to `at`. */
void ls_why_init(ls_why *w, const ls_model *m, ls_time at);
/* Adds one ledger row: `rule` an index in w->m (< 0: none, e.g. decay), its
 * time and the points given; a row that does not count is ignored. LS_OK
 * or LS_ENOMEM. */
int ls_why_add(ls_why *w, int32_t rule, ls_time t, int64_t points);
/* Adds one stored row, by its rule id (a rule w->m no longer has, a stage
 * row or a row of another version than w->version is ignored). Shaped as
 * an ls_store_person_ledger callback: ud is the ls_why. */
int ls_why_add_row(void *ud, ls_slice lead_id, const ls_store_ledger *e);
/* Writes the top groups (at most cap, and at most LS_WHY_MAX) into out:
 * points descending, then count descending, then rule order in the model.
 * Returns how many. Reorders w's groups. */
size_t ls_why_top(ls_why *w, ls_why_item *out, size_t cap);
void ls_why_free(ls_why *w); /* frees the groups; w can be inited again */

/* Why hot in one pass over a person's ledger, whatever reads it (the
 * window's end, its latest MQL, is known only at the end): ls_why_pass_init,
 * rows, ls_why_pass_top, ls_why_pass_free. Rows of other versions than
 * `version` (0: any) are ignored. */
typedef struct ls_why_row {
  int32_t rule;
  ls_time t;
  int64_t points;
} ls_why_row;
typedef struct ls_why_pass {
  const ls_model *m; /* borrowed */
  int64_t version;
  bool any, mql;       /* rows seen; an MQL among them */
  ls_time last, last_mql;
  ls_why_row *v;       /* owned: the rows that may count */
  size_t n, cap;
} ls_why_pass;
void ls_why_pass_init(ls_why_pass *p, const ls_model *m, int64_t version);
/* Shaped as an ls_store_person_ledger callback: ud is the ls_why_pass. */
int ls_why_pass_row(void *ud, ls_slice lead_id, const ls_store_ledger *e);
/* The top groups (ls_why_top) of the 30 days up to the latest MQL (no MQL:
 * the latest row); *at (may be NULL) is that end when there were rows. */
int ls_why_pass_top(ls_why_pass *p, ls_why_item *out, size_t cap, size_t *n, ls_time *at);
void ls_why_pass_free(ls_why_pass *p);

/* Why person `person` is hot: the top groups (ls_why_top) of its ledger
 * under the store's model, in the 30 days up to its latest MQL (a person
 * never MQL: up to its latest ledger row). Sets *n (0 when nothing counts)
 * and, when at is not NULL and the person has ledger rows, *at. Not for a
 * stage hook (there: ls_store_person_ledger with ls_why_add_row). */
int ls_store_why(ls_store *s, int64_t person, ls_why_item *out, size_t cap, size_t *n,
                 ls_time *at);

/* Appends the items as text in `lang` ("en", "ja"; others as "en" with
 * that language's labels), e.g. "Searched for the brand 3× (+45), Attended
 * a webinar (+5)" or "ブランド名で検索 3回 (+45)、ウェビナーに参加 (+5)";
 * nothing for n = 0. LS_OK or LS_ENOMEM. */
int ls_why_text(const ls_model *m, const ls_why_item *v, size_t n, const char *lang,
                ls_buf *out);

/* A person's state (ls_fold_state_size() bytes) at `at` (NULL: the clock;
 * never before the person's last fold) and lead id, without its history. */
int ls_store_person_state(ls_store *s, int64_t person, const ls_time *at, void *state,
                          ls_buf *lead_id);
/* The same as stored: as of the person's last fold or advance, which its
 * ledger ends at (ls_fold_advance with a sink then gives the decay and
 * window rows due since). */
int ls_store_person_stored(ls_store *s, int64_t person, void *state, ls_buf *lead_id);

/* Erases a person (GDPR right to erasure): events, identities, attributes,
 * ledger and tasks go; a record of the erasure (time `at`, event count)
 * stays. Later events for the same identities start a new person. */
int ls_store_forget(ls_store *s, int64_t person, ls_time at, int64_t *events);

/* Calls fn for every rejected line kept by ingest, in arrival order. */
int ls_store_rejected(ls_store *s,
                      int (*fn)(void *ud, const char *source, uint64_t line,
                                const char *reason, ls_slice text),
                      void *ud);

/* Appends the ledger (`what` = "ledger": every score and stage change) or
 * the follow-up tasks ("tasks": every cadence task with its due time and
 * status at the clock) as CSV. Text cells that a spreadsheet would run as a
 * formula (starting with = + - @ tab CR, and not a plain number) are
 * prefixed with an apostrophe. */
int ls_store_export_csv(ls_store *s, const char *what, ls_buf *out);

/* Replays every stored event in arrival order and compares with the stored
 * state at the store clock: appends one line per differing person to
 * `report` and sets *diffs. */
int ls_store_verify(ls_store *s, ls_buf *report, uint64_t *diffs);

/* ==== the funnel and the monthly review (docs/funnel.md) ====
 * Read-only. For one snapshot, bracket the calls with ls_store_read_begin
 * and ls_store_read_end. */
#include "leadscore/funnel.h"
#include "leadscore/workflow.h"

/* The stage changes of the current model version at or after `since`
 * (NULL: all), in no particular order, mapped to the model's stage
 * indexes (seq: the ledger row's n). *out is new (free it; NULL when *n is
 * 0). LS_EIO when a row names a stage the model does not have. */
int ls_store_stage_changes(ls_store *s, const ls_time *since, ls_funnel_change **out,
                           size_t *n);
/* Appends the stage changes of the current model version of one person to
 * *v (n used of cap; grown as needed: the caller frees it), in no
 * particular order. For keeping a copy of ls_store_stage_changes up to
 * date person by person. */
int ls_store_person_stage_changes(ls_store *s, int64_t person, ls_funnel_change **v, size_t *n,
                                  size_t *cap);

/* The funnel of [from, to) (ls_funnel_compute) from the store's stage
 * changes since `from`, with persons per stage now (ls_store_stage_counts:
 * as of each person's last fold). Free *out with ls_funnel_free. */
int ls_store_funnel(ls_store *s, ls_time from, ls_time to, ls_funnel *out);

/* A person whose first score moved over the month. */
typedef struct ls_mover {
  char *lead_id;       /* owned by the report */
  int64_t start, end;  /* the first score at the month's start and end */
  uint16_t stage;      /* at the end */
  bool is_new;         /* no events before the month: start is the initial score */
} ls_mover;

enum { LS_MOVERS_MAX = 10 };

/* The monthly review of calendar month year-month (UTC). */
typedef struct ls_month_report {
  int year, month;
  ls_time from, to;       /* the month, [from, to) */
  ls_time prev_from;      /* the previous month is [prev_from, from) */
  ls_time end;            /* the month's end state is read at this instant:
                             to - 1 ns, or the store's clock when earlier
                             (the start: from - 1 ns, or the clock) */
  bool current;           /* the month is not over at the store's clock: its
                             `now` is the store's persons per stage */
  bool has_clock;
  ls_time clock;          /* the store's clock, when has_clock */
  ls_funnel cur, prev;    /* cur.now: persons per stage at `end`; prev.now:
                             at the month's start */
  size_t ntargets;        /* ls_model_ntargets */
  ls_kpi *kpi_cur, *kpi_prev; /* [ntargets] */
  int32_t mql_stage;      /* the stage MQLs entered in the two months, else
                             a stage named "hot", else -1 */
  uint64_t persons_start, persons_end;
  /* the first score's biggest rises (up, largest first) and falls (down,
   * largest first), at most LS_MOVERS_MAX each; ties by lead id */
  ls_mover *up, *down;
  size_t nup, ndown;
  /* follow-up tasks due in the month and stage breaches whose deadline is
   * in it (ls_store_sla_range): per owner in name order (owner strings
   * owned by the report, "" for no owner) and summed (owner NULL; its
   * median_first_touch_s is not known: -1) */
  ls_wf_sla *sla;
  size_t nsla;
  ls_wf_sla sla_total;
} ls_month_report;

/* Assembles the review of one month: the funnels of the month and of the
 * one before, the KPIs of the model's targets on both, the movers (two
 * replays of the stored events: at the instant before the month and at
 * `end`) and the SLAs. LS_EINVAL for a month outside 1..12 or outside
 * 0001-01 .. 9999-11. Free *out with ls_month_report_free. */
int ls_store_month_report(ls_store *s, int year, int month, ls_month_report *out);
void ls_month_report_free(ls_month_report *r); /* NULL and a zeroed report: no-ops */

#ifdef __cplusplus
}
#endif
#endif
