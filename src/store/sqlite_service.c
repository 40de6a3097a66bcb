/* The service's records in SQLite: API keys, webhook subscriptions and the
 * outbox of deliveries. The tables are created on first use (a store made
 * before the service gets them the first time the service touches it), and
 * the statements are prepared then, once per connection. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_db.h"

static const char tables[] =
    "CREATE TABLE IF NOT EXISTS api_keys(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    "  scopes TEXT NOT NULL, hash BLOB NOT NULL UNIQUE, created_ms INTEGER NOT NULL,"
    "  revoked_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS webhooks(id INTEGER PRIMARY KEY, url TEXT NOT NULL,"
    "  events TEXT NOT NULL, secret TEXT NOT NULL, created_ms INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY, hook INTEGER NOT NULL,"
    "  delivery_id TEXT NOT NULL, kind TEXT NOT NULL, person BLOB NOT NULL,"
    "  body BLOB NOT NULL, status INTEGER NOT NULL, attempts INTEGER NOT NULL,"
    "  next_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL, last_error TEXT,"
    "  UNIQUE(hook, delivery_id));"
    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(status, hook, person, id);"
    /* a stage change cancels that person's pending tasks */
    "CREATE INDEX IF NOT EXISTS outbox_person ON outbox(person, status);";

enum {
  Q_KEY_PUT, Q_KEY_SCAN, Q_KEY_REVOKE, Q_HOOK_PUT, Q_HOOK_SCAN, Q_HOOK_DEL, Q_HOOK_DEL_OUT,
  Q_OUT_ADD, Q_OUT_DUE, Q_OUT_SET, Q_OUT_SCAN, Q_OUT_SCAN_ST, Q_STAGES, Q_OUT_CANCEL, Q_N
};

static const char *const sql[Q_N] = {
    "INSERT INTO api_keys(name, scopes, hash, created_ms) VALUES(?1, ?2, ?3, ?4)",
    "SELECT id, name, scopes, hash, created_ms, coalesce(revoked_ms, 0) FROM api_keys "
    "ORDER BY id",
    "UPDATE api_keys SET revoked_ms = ?2 WHERE name = ?1 AND revoked_ms IS NULL",
    "INSERT INTO webhooks(url, events, secret, created_ms) VALUES(?1, ?2, ?3, ?4)",
    "SELECT id, url, events, secret, created_ms FROM webhooks ORDER BY id",
    "DELETE FROM webhooks WHERE id = ?1",
    "DELETE FROM outbox WHERE hook = ?1 AND status = 0",
    "INSERT OR IGNORE INTO outbox(hook, delivery_id, kind, person, body, status, attempts,"
    "  next_ms, created_ms) VALUES(?1, ?2, ?3, ?4, ?5, 0, 0, ?6, ?7)",
    "SELECT o.id, o.hook, o.delivery_id, o.kind, o.person, o.body, o.status, o.attempts,"
    "  o.next_ms, o.created_ms, o.last_error FROM outbox o"
    /* alerts of a person in order; scheduled ones (tasks, time limits: due
       later) in their own line, so that a task due tomorrow does not hold
       up today's alert */
    " WHERE o.status = 0 AND o.next_ms <= ?1 AND NOT EXISTS (SELECT 1 FROM outbox e"
    "  WHERE e.status = 0 AND e.hook = o.hook AND e.person = o.person AND e.id < o.id"
    "  AND (e.kind IN ('task_due', 'sla_breached')) = (o.kind IN ('task_due', 'sla_breached')))"
    " ORDER BY o.id LIMIT ?2",
    "UPDATE outbox SET status = ?2, attempts = ?3, next_ms = ?4, last_error = ?5 WHERE id = ?1",
    "SELECT id, hook, delivery_id, kind, person, body, status, attempts, next_ms, created_ms,"
    "  last_error FROM outbox ORDER BY id",
    "SELECT id, hook, delivery_id, kind, person, body, status, attempts, next_ms, created_ms,"
    "  last_error FROM outbox WHERE status = ?1 ORDER BY id",
    "SELECT stage, count(*) FROM persons WHERE stage IS NOT NULL GROUP BY stage ORDER BY stage",
    "UPDATE outbox SET status = 3 WHERE status = 0 AND person = ?1 AND kind = ?2"};

struct ls__svc {
  sqlite3_stmt *st[Q_N];
};

void ls__svc_close(struct ls__svc *v) {
  if (!v) return;
  for (int i = 0; i < Q_N; i++) sqlite3_finalize(v->st[i]);
  free(v);
}

/* Statement i, ready to bind; the tables made and statements prepared on
 * the connection's first call. */
static int q(void *db, int i, sqlite3_stmt **out) {
  ls__sqdb *d = db;
  if (!d->svc) {
    struct ls__svc *v = calloc(1, sizeof *v);
    if (!v) return LS_ENOMEM;
    int rc = sqlite3_exec(d->h, tables, NULL, NULL, NULL);
    for (int k = 0; k < Q_N && rc == SQLITE_OK; k++)
      rc = sqlite3_prepare_v3(d->h, sql[k], -1, SQLITE_PREPARE_PERSISTENT, &v->st[k], NULL);
    if (rc != SQLITE_OK) {
      ls__svc_close(v);
      return ls__sq_err(rc);
    }
    d->svc = v;
  }
  *out = d->svc->st[i];
  sqlite3_reset(*out);
  sqlite3_clear_bindings(*out);
  return LS_OK;
}

static int done(sqlite3_stmt *s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? LS_OK : ls__sq_err(rc);
}

static const char *text(sqlite3_stmt *s, int i) {
  return (const char *)sqlite3_column_text(s, i);
}

static ls_slice bytes(sqlite3_stmt *s, int i) {
  const void *p = sqlite3_column_blob(s, i);
  return (ls_slice){p ? p : "", (size_t)sqlite3_column_bytes(s, i)};
}

/* Steps through the rows, calling row(s, fn, ud) until it returns non-zero. */
#define EACH_ROW(s, call)                                             \
  do {                                                                \
    int rc_, out_ = LS_OK;                                            \
    while ((rc_ = sqlite3_step(s)) == SQLITE_ROW && !(out_ = (call))) \
      ;                                                               \
    sqlite3_reset(s);                                                 \
    if (out_) return out_;                                            \
    return rc_ == SQLITE_DONE || rc_ == SQLITE_ROW ? LS_OK : ls__sq_err(rc_); \
  } while (0)

int ls__sq_key_put(void *db, ls_store_key *k) {
  sqlite3_stmt *s;
  int rc = q(db, Q_KEY_PUT, &s);
  if (rc) return rc;
  sqlite3_bind_text(s, 1, k->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, k->scopes, -1, SQLITE_STATIC);
  sqlite3_bind_blob64(s, 3, k->hash.p, k->hash.n, SQLITE_STATIC);
  sqlite3_bind_int64(s, 4, k->created_ms);
  if ((rc = done(s))) return rc;
  k->id = sqlite3_last_insert_rowid(((ls__sqdb *)db)->h);
  return LS_OK;
}

static int key_row(sqlite3_stmt *s, int (*fn)(void *, const ls_store_key *), void *ud) {
  ls_store_key k = {sqlite3_column_int64(s, 0), text(s, 1), text(s, 2), bytes(s, 3),
                    sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5)};
  return fn(ud, &k);
}

int ls__sq_key_scan(void *db, int (*fn)(void *, const ls_store_key *), void *ud) {
  sqlite3_stmt *s;
  int rc = q(db, Q_KEY_SCAN, &s);
  if (rc) return rc;
  EACH_ROW(s, key_row(s, fn, ud));
}

int ls__sq_key_revoke(void *db, const char *name, int64_t at_ms) {
  sqlite3_stmt *s;
  int rc = q(db, Q_KEY_REVOKE, &s);
  if (rc) return rc;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, at_ms);
  if ((rc = done(s))) return rc;
  return sqlite3_changes(((ls__sqdb *)db)->h) ? LS_OK : LS_ENOTFOUND;
}

int ls__sq_hook_put(void *db, ls_store_hook *h) {
  sqlite3_stmt *s;
  int rc = q(db, Q_HOOK_PUT, &s);
  if (rc) return rc;
  sqlite3_bind_text(s, 1, h->url, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, h->events, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, h->secret, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 4, h->created_ms);
  if ((rc = done(s))) return rc;
  h->id = sqlite3_last_insert_rowid(((ls__sqdb *)db)->h);
  return LS_OK;
}

static int hook_row(sqlite3_stmt *s, int (*fn)(void *, const ls_store_hook *), void *ud) {
  ls_store_hook h = {sqlite3_column_int64(s, 0), text(s, 1), text(s, 2), text(s, 3),
                     sqlite3_column_int64(s, 4)};
  return fn(ud, &h);
}

int ls__sq_hook_scan(void *db, int (*fn)(void *, const ls_store_hook *), void *ud) {
  sqlite3_stmt *s;
  int rc = q(db, Q_HOOK_SCAN, &s);
  if (rc) return rc;
  EACH_ROW(s, hook_row(s, fn, ud));
}

int ls__sq_hook_delete(void *db, int64_t id) {
  sqlite3_stmt *s;
  int rc = q(db, Q_HOOK_DEL, &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, id);
  if ((rc = done(s))) return rc;
  if (!sqlite3_changes(((ls__sqdb *)db)->h)) return LS_ENOTFOUND;
  if ((rc = q(db, Q_HOOK_DEL_OUT, &s))) return rc;
  sqlite3_bind_int64(s, 1, id);
  return done(s);
}

int ls__sq_outbox_add(void *db, const ls_store_delivery *d) {
  sqlite3_stmt *s;
  int rc = q(db, Q_OUT_ADD, &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, d->hook);
  sqlite3_bind_text(s, 2, d->delivery_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, d->kind, -1, SQLITE_STATIC);
  sqlite3_bind_blob64(s, 4, d->person.n ? d->person.p : "", d->person.n, SQLITE_STATIC);
  sqlite3_bind_blob64(s, 5, d->body.n ? d->body.p : "", d->body.n, SQLITE_STATIC);
  sqlite3_bind_int64(s, 6, d->next_ms);
  sqlite3_bind_int64(s, 7, d->created_ms);
  return done(s);
}

static int out_row(sqlite3_stmt *s, int (*fn)(void *, const ls_store_delivery *), void *ud) {
  ls_store_delivery d = {sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), text(s, 2),
                         text(s, 3), bytes(s, 4), bytes(s, 5), sqlite3_column_int(s, 6),
                         sqlite3_column_int(s, 7), sqlite3_column_int64(s, 8),
                         sqlite3_column_int64(s, 9), text(s, 10)};
  return fn(ud, &d);
}

int ls__sq_outbox_due(void *db, int64_t now_ms, size_t max,
                      int (*fn)(void *, const ls_store_delivery *), void *ud) {
  sqlite3_stmt *s;
  int rc = q(db, Q_OUT_DUE, &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, now_ms);
  sqlite3_bind_int64(s, 2, (int64_t)max);
  EACH_ROW(s, out_row(s, fn, ud));
}

int ls__sq_outbox_set(void *db, int64_t id, int status, int attempts, int64_t next_ms,
                      const char *last_error) {
  sqlite3_stmt *s;
  int rc = q(db, Q_OUT_SET, &s);
  if (rc) return rc;
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_int(s, 2, status);
  sqlite3_bind_int(s, 3, attempts);
  sqlite3_bind_int64(s, 4, next_ms);
  if (last_error) sqlite3_bind_text(s, 5, last_error, -1, SQLITE_STATIC);
  return done(s);
}

int ls__sq_outbox_scan(void *db, const int *status,
                       int (*fn)(void *, const ls_store_delivery *), void *ud) {
  sqlite3_stmt *s;
  int rc = q(db, status ? Q_OUT_SCAN_ST : Q_OUT_SCAN, &s);
  if (rc) return rc;
  if (status) sqlite3_bind_int(s, 1, *status);
  EACH_ROW(s, out_row(s, fn, ud));
}

static int stage_row(sqlite3_stmt *s, int (*fn)(void *, const char *, int64_t), void *ud) {
  return fn(ud, text(s, 0), sqlite3_column_int64(s, 1));
}

int ls__sq_stage_counts(void *db, int (*fn)(void *, const char *, int64_t), void *ud) {
  sqlite3_stmt *s;
  int rc = q(db, Q_STAGES, &s);
  if (rc) return rc;
  EACH_ROW(s, stage_row(s, fn, ud));
}

int ls__sq_outbox_cancel(void *db, ls_slice person, const char *kind) {
  sqlite3_stmt *s;
  int rc = q(db, Q_OUT_CANCEL, &s);
  if (rc) return rc;
  sqlite3_bind_blob64(s, 1, person.n ? person.p : "", person.n, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
  return done(s);
}
