/* The SQLite driver of the store (docs/storage.md has the schema). WAL with
 * synchronous=FULL: a committed batch survives a crash or power loss.
 * Statements are prepared once per connection. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/store.h"

#define SCHEMA_VERSION "1"

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE models(version INTEGER PRIMARY KEY, source TEXT NOT NULL);"
    "CREATE TABLE persons("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, lead_id BLOB, lead_kind INTEGER,"
    "  stage TEXT, score INTEGER, mql_count INTEGER, last_mql_at TEXT,"
    "  last_sec INTEGER, last_nsec INTEGER, last_event BLOB,"
    "  adv_sec INTEGER, adv_nsec INTEGER, ledger_n INTEGER NOT NULL DEFAULT 0,"
    "  state BLOB);"
    "CREATE TABLE identities(kind INTEGER NOT NULL, value BLOB NOT NULL,"
    "  person INTEGER NOT NULL, PRIMARY KEY(kind, value)) WITHOUT ROWID;"
    "CREATE INDEX identities_person ON identities(person);"
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,"
    "  person INTEGER NOT NULL, time_sec INTEGER NOT NULL,"
    "  time_nsec INTEGER NOT NULL, content_hash INTEGER NOT NULL,"
    "  line BLOB NOT NULL);"
    "CREATE INDEX events_person ON events(person, time_sec, time_nsec, id);"
    "CREATE TABLE ledger(person INTEGER NOT NULL, n INTEGER NOT NULL,"
    "  kind TEXT NOT NULL, time TEXT NOT NULL, rule TEXT, points INTEGER,"
    "  after INTEGER, from_stage TEXT, to_stage TEXT, mql INTEGER,"
    "  event_id BLOB, model_version INTEGER NOT NULL,"
    "  PRIMARY KEY(person, n)) WITHOUT ROWID;"
    "CREATE TABLE rejected(seq INTEGER PRIMARY KEY, source TEXT NOT NULL,"
    "  line INTEGER NOT NULL, reason TEXT NOT NULL, text BLOB NOT NULL,"
    "  UNIQUE(source, line, text));"
    "CREATE TABLE erasures(seq INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    "  events INTEGER NOT NULL);"
    "INSERT INTO meta VALUES('schema_version', '" SCHEMA_VERSION "');";

enum {
  S_META_GET, S_META_SET, S_MODEL_PUT, S_MODEL_GET, S_EV_FIND, S_EV_PUT,
  S_EV_SCAN_P, S_EV_SCAN_ALL, S_ID_FIND, S_ID_PUT, S_P_NEW, S_MV_ID, S_MV_EV,
  S_DEL_P, S_DEL_L, S_P_GET, S_P_PUT, S_P_SCAN, S_L_ADD, S_REJ, S_REJ_SCAN,
  S_L_SCAN_P, S_L_SCAN_ALL, S_ID_SCAN, S_ER_EV, S_ER_ID, S_ER_ADD, S_ER_CNT, S_DEL_LV, S_N
};

static const char *const sql[S_N] = {
    "SELECT value FROM meta WHERE key = ?1",
    "INSERT OR REPLACE INTO meta VALUES(?1, ?2)",
    "INSERT INTO models VALUES(?1, ?2)",
    "SELECT version, source FROM models ORDER BY version DESC LIMIT 1",
    "SELECT content_hash FROM events WHERE id = ?1",
    "INSERT INTO events(id, person, time_sec, time_nsec, content_hash, line) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "SELECT seq, id, person, time_sec, time_nsec, content_hash, line FROM events "
    "WHERE person = ?1 ORDER BY time_sec, time_nsec, id",
    "SELECT seq, id, person, time_sec, time_nsec, content_hash, line FROM events "
    "ORDER BY seq",
    "SELECT person FROM identities WHERE kind = ?1 AND value = ?2",
    "INSERT INTO identities VALUES(?1, ?2, ?3)",
    "INSERT INTO persons(id) VALUES(NULL)",
    "UPDATE identities SET person = ?1 WHERE person = ?2",
    "UPDATE events SET person = ?1 WHERE person = ?2",
    "DELETE FROM persons WHERE id = ?1",
    "DELETE FROM ledger WHERE person = ?1",
    "SELECT last_sec, last_nsec, last_event, adv_sec, adv_nsec, lead_kind, "
    "lead_id, state, ledger_n FROM persons WHERE id = ?1",
    "UPDATE persons SET last_sec = ?2, last_nsec = ?3, last_event = ?4, "
    "adv_sec = ?5, adv_nsec = ?6, lead_kind = ?7, lead_id = ?8, state = ?9, "
    "ledger_n = ?10, stage = ?11, score = ?12, mql_count = ?13, "
    "last_mql_at = ?14 WHERE id = ?1",
    "SELECT id FROM persons ORDER BY id",
    "INSERT INTO ledger VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    /* re-ingesting a file (after a crash) must not record its lines twice */
    "INSERT OR IGNORE INTO rejected(source, line, reason, text) VALUES(?1, ?2, ?3, ?4)",
    "SELECT source, line, reason, text FROM rejected ORDER BY seq",
    "SELECT p.lead_id, l.n, l.kind, l.time, l.rule, l.points, l.after, l.from_stage, "
    "l.to_stage, l.mql, l.event_id, l.model_version FROM ledger l JOIN persons p "
    "ON p.id = l.person WHERE l.person = ?1 ORDER BY l.n",
    "SELECT p.lead_id, l.n, l.kind, l.time, l.rule, l.points, l.after, l.from_stage, "
    "l.to_stage, l.mql, l.event_id, l.model_version FROM ledger l JOIN persons p "
    "ON p.id = l.person ORDER BY p.lead_id, l.person, l.n",
    "SELECT kind, value FROM identities WHERE person = ?1 ORDER BY kind, value",
    "DELETE FROM events WHERE person = ?1",
    "DELETE FROM identities WHERE person = ?1",
    "INSERT INTO erasures(at, events) VALUES(?1, ?2)",
    "SELECT count(*) FROM events WHERE person = ?1",
    "DELETE FROM ledger WHERE person = ?1 AND model_version = ?2"};

typedef struct db {
  sqlite3 *h;
  sqlite3_stmt *st[S_N];
  /* person_get's blobs, copied so that its statement can be reset at once:
   * an open read statement would pin the WAL and stop checkpoints. */
  char *blob[2];
  size_t blob_cap[2];
} db;

/* A copy of column i in d->blob[k], valid until the next person_get. */
static int keep_blob(db *d, int k, sqlite3_stmt *s, int i, ls_slice *out) {
  size_t n = (size_t)sqlite3_column_bytes(s, i);
  if (n + 1 > d->blob_cap[k]) {
    char *nb = realloc(d->blob[k], n + 1);
    if (!nb) return LS_ENOMEM;
    d->blob[k] = nb;
    d->blob_cap[k] = n + 1;
  }
  if (n) memcpy(d->blob[k], sqlite3_column_blob(s, i), n);
  *out = (ls_slice){d->blob[k], n};
  return LS_OK;
}

/* Maps SQLite's result to ls_err (corruption and I/O are LS_EIO). */
static int err(int rc) {
  switch (rc) {
    case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW: return LS_OK;
    case SQLITE_NOMEM: return LS_ENOMEM;
    case SQLITE_CONSTRAINT: return LS_EINVAL;
    default: return LS_EIO;
  }
}

static sqlite3_stmt *stmt(db *d, int i) {
  sqlite3_stmt *s = d->st[i];
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return s;
}

static int step_done(sqlite3_stmt *s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? LS_OK : err(rc);
}

static void blob(sqlite3_stmt *s, int i, ls_slice v) {
  if (v.p) sqlite3_bind_blob64(s, i, v.n ? v.p : "", v.n, SQLITE_STATIC);
  else sqlite3_bind_null(s, i);
}

static void db_close(void *h) {
  db *d = h;
  if (!d) return;
  for (int i = 0; i < S_N; i++) sqlite3_finalize(d->st[i]);
  sqlite3_close(d->h);
  free(d->blob[0]);
  free(d->blob[1]);
  free(d);
}

static int db_open(const char *path, bool create, void **out, ls_diag *diag) {
  db *d = calloc(1, sizeof *d);
  if (!d) return LS_ENOMEM;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &d->h, flags, NULL);
  const char *what = "cannot open the store";
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(d->h, 5000);
    rc = sqlite3_exec(d->h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536;",
                      NULL, NULL, NULL);
    what = "not a leadscore store (or it is damaged)";
  }
  if (rc == SQLITE_OK && create) {
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(d->h, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);
    if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0) {
      rc = SQLITE_ERROR;
      what = "a store already exists there";
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK) rc = sqlite3_exec(d->h, schema, NULL, NULL, NULL);
  }
  for (int i = 0; i < S_N && rc == SQLITE_OK; i++)
    rc = sqlite3_prepare_v3(d->h, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL);
  if (rc == SQLITE_OK && !create) { /* a file of ours, of our schema version */
    char v[16] = "";
    sqlite3_stmt *s = stmt(d, S_META_GET);
    sqlite3_bind_text(s, 1, "schema_version", -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) snprintf(v, sizeof v, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    rc = strcmp(v, SCHEMA_VERSION) == 0 ? SQLITE_OK : SQLITE_CORRUPT;
  }
  if (rc != SQLITE_OK) {
    if (diag) snprintf(diag->msg, sizeof diag->msg, "%s (%s)", what,
                       d->h ? sqlite3_errmsg(d->h) : "no memory");
    db_close(d);
    return rc == SQLITE_NOMEM ? LS_ENOMEM : LS_EIO;
  }
  *out = d;
  return LS_OK;
}

static int db_exec(void *h, const char *s) {
  return err(sqlite3_exec(((db *)h)->h, s, NULL, NULL, NULL));
}
static int db_begin(void *h) { return db_exec(h, "BEGIN IMMEDIATE"); }
static int db_commit(void *h) { return db_exec(h, "COMMIT"); }
static int db_rollback(void *h) { return db_exec(h, "ROLLBACK"); }

static int meta_get(void *h, const char *key, char *buf, size_t cap) {
  sqlite3_stmt *s = stmt(h, S_META_GET);
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(s, 0));
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? LS_OK : rc == SQLITE_DONE ? LS_ENOTFOUND : err(rc);
}

static int meta_set(void *h, const char *key, const char *value) {
  sqlite3_stmt *s = stmt(h, S_META_SET);
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  return step_done(s);
}

static int model_put(void *h, int64_t version, const char *text, size_t len) {
  sqlite3_stmt *s = stmt(h, S_MODEL_PUT);
  sqlite3_bind_int64(s, 1, version);
  sqlite3_bind_text64(s, 2, text, len, SQLITE_STATIC, SQLITE_UTF8);
  return step_done(s);
}

static int model_get(void *h, int64_t *version, char **text, size_t *len) {
  sqlite3_stmt *s = stmt(h, S_MODEL_GET);
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW) {
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? LS_ENOTFOUND : err(rc);
  }
  *version = sqlite3_column_int64(s, 0);
  size_t n = (size_t)sqlite3_column_bytes(s, 1);
  *text = malloc(n + 1);
  if (*text) {
    memcpy(*text, sqlite3_column_text(s, 1), n);
    (*text)[n] = '\0';
    *len = n;
  }
  sqlite3_reset(s);
  return *text ? LS_OK : LS_ENOMEM;
}

static int event_find(void *h, ls_slice id, uint64_t *hash) {
  sqlite3_stmt *s = stmt(h, S_EV_FIND);
  blob(s, 1, id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *hash = (uint64_t)sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? LS_OK : rc == SQLITE_DONE ? LS_ENOTFOUND : err(rc);
}

static int event_put(void *h, ls_store_event *e) {
  db *d = h;
  sqlite3_stmt *s = stmt(d, S_EV_PUT);
  blob(s, 1, e->id);
  sqlite3_bind_int64(s, 2, e->person);
  sqlite3_bind_int64(s, 3, e->time.sec);
  sqlite3_bind_int(s, 4, e->time.nsec);
  sqlite3_bind_int64(s, 5, (int64_t)e->content_hash);
  blob(s, 6, e->line);
  int rc = step_done(s);
  e->seq = sqlite3_last_insert_rowid(d->h);
  return rc;
}

static ls_slice col_blob(sqlite3_stmt *s, int i) {
  ls_slice v = {(const char *)sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i)};
  if (!v.p) v.p = "";
  return v;
}

static int event_scan(void *h, int64_t person, int (*fn)(void *, const ls_store_event *),
                      void *ud) {
  /* A scan of everything gets its own statement so that fn may use the
   * driver (the per-person statement must not be re-entered). */
  sqlite3_stmt *s = stmt(h, person < 0 ? S_EV_SCAN_ALL : S_EV_SCAN_P);
  if (person >= 0) sqlite3_bind_int64(s, 1, person);
  int rc, out = LS_OK;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ls_store_event e = {sqlite3_column_int64(s, 0), col_blob(s, 1), sqlite3_column_int64(s, 2),
                        {sqlite3_column_int64(s, 3), sqlite3_column_int(s, 4)},
                        (uint64_t)sqlite3_column_int64(s, 5), col_blob(s, 6)};
    if ((out = fn(ud, &e))) break;
  }
  sqlite3_reset(s);
  return out ? out : (rc == SQLITE_DONE ? LS_OK : err(rc));
}

static int ident_find(void *h, int kind, ls_slice v, int64_t *person) {
  sqlite3_stmt *s = stmt(h, S_ID_FIND);
  sqlite3_bind_int(s, 1, kind);
  blob(s, 2, v);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *person = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? LS_OK : rc == SQLITE_DONE ? LS_ENOTFOUND : err(rc);
}

static int ident_put(void *h, int kind, ls_slice v, int64_t person) {
  sqlite3_stmt *s = stmt(h, S_ID_PUT);
  sqlite3_bind_int(s, 1, kind);
  blob(s, 2, v);
  sqlite3_bind_int64(s, 3, person);
  return step_done(s);
}

static int person_new(void *h, int64_t *id) {
  db *d = h;
  int rc = step_done(stmt(d, S_P_NEW));
  *id = sqlite3_last_insert_rowid(d->h);
  return rc;
}

static int person_merge(void *h, int64_t into, int64_t from) {
  int rc = LS_OK;
  const int moves[2] = {S_MV_ID, S_MV_EV};
  for (int i = 0; i < 2 && !rc; i++) {
    sqlite3_stmt *s = stmt(h, moves[i]);
    sqlite3_bind_int64(s, 1, into);
    sqlite3_bind_int64(s, 2, from);
    rc = step_done(s);
  }
  const int dels[2] = {S_DEL_P, S_DEL_L};
  for (int i = 0; i < 2 && !rc; i++) {
    sqlite3_stmt *s = stmt(h, dels[i]);
    sqlite3_bind_int64(s, 1, from);
    rc = step_done(s);
  }
  return rc;
}

static int person_get(void *h, int64_t id, ls_store_person *p) {
  db *d = h;
  sqlite3_stmt *s = stmt(d, S_P_GET);
  sqlite3_bind_int64(s, 1, id);
  int rc = sqlite3_step(s);
  if (rc != SQLITE_ROW) {
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? LS_ENOTFOUND : err(rc);
  }
  p->id = id;
  p->last_time = (ls_time){sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1)};
  p->has_advance = sqlite3_column_type(s, 3) != SQLITE_NULL;
  p->advanced_to = (ls_time){sqlite3_column_int64(s, 3), sqlite3_column_int(s, 4)};
  p->lead_kind = (uint8_t)sqlite3_column_int(s, 5);
  p->ledger_n = sqlite3_column_int64(s, 8);
  int out = keep_blob(d, 0, s, 2, &p->last_event);
  if (!out) out = keep_blob(d, 1, s, 6, &p->lead_id);
  /* A state of another size (a person never folded, or a model change):
   * everything else is filled; the caller re-folds. */
  size_t n = (size_t)sqlite3_column_bytes(s, 7);
  if (!out && n != p->state_len) out = LS_ENOTFOUND;
  if (!out) memcpy(p->state, sqlite3_column_blob(s, 7), n);
  sqlite3_reset(s);
  return out;
}

static int person_put(void *h, const ls_store_person *p, const char *stage, int64_t score,
                      int64_t mql_count, const char *last_mql_at) {
  sqlite3_stmt *s = stmt(h, S_P_PUT);
  sqlite3_bind_int64(s, 1, p->id);
  sqlite3_bind_int64(s, 2, p->last_time.sec);
  sqlite3_bind_int(s, 3, p->last_time.nsec);
  blob(s, 4, p->last_event);
  if (p->has_advance) {
    sqlite3_bind_int64(s, 5, p->advanced_to.sec);
    sqlite3_bind_int(s, 6, p->advanced_to.nsec);
  }
  sqlite3_bind_int(s, 7, p->lead_kind);
  blob(s, 8, p->lead_id);
  sqlite3_bind_blob64(s, 9, p->state, p->state_len, SQLITE_STATIC);
  sqlite3_bind_int64(s, 10, p->ledger_n);
  sqlite3_bind_text(s, 11, stage, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 12, score);
  sqlite3_bind_int64(s, 13, mql_count);
  if (last_mql_at) sqlite3_bind_text(s, 14, last_mql_at, -1, SQLITE_STATIC);
  return step_done(s);
}

static int person_scan(void *h, int (*fn)(void *, int64_t), void *ud) {
  /* Collect first: fn uses the driver's other statements. */
  sqlite3_stmt *s = stmt(h, S_P_SCAN);
  int64_t *ids = NULL;
  size_t n = 0, cap = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 1024;
      int64_t *ni = realloc(ids, cap * sizeof *ni);
      if (!ni) {
        free(ids);
        sqlite3_reset(s);
        return LS_ENOMEM;
      }
      ids = ni;
    }
    ids[n++] = sqlite3_column_int64(s, 0);
  }
  sqlite3_reset(s);
  int out = rc == SQLITE_DONE ? LS_OK : err(rc);
  for (size_t i = 0; i < n && !out; i++) out = fn(ud, ids[i]);
  free(ids);
  return out;
}

static int ledger_clear(void *h, int64_t person, int64_t version) {
  sqlite3_stmt *s = stmt(h, S_DEL_LV);
  sqlite3_bind_int64(s, 1, person);
  sqlite3_bind_int64(s, 2, version);
  return step_done(s);
}

static int ledger_add(void *h, int64_t person, const ls_store_ledger *e) {
  char t[LS_TIME_FMT_MAX], kind[2] = {e->kind, 0};
  ls_time_format(e->time, t);
  sqlite3_stmt *s = stmt(h, S_L_ADD);
  sqlite3_bind_int64(s, 1, person);
  sqlite3_bind_int64(s, 2, e->n);
  sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, t, -1, SQLITE_TRANSIENT);
  if (e->rule) sqlite3_bind_text(s, 5, e->rule, -1, SQLITE_STATIC);
  if (e->kind != 's') {
    sqlite3_bind_int64(s, 6, e->points);
    sqlite3_bind_int64(s, 7, e->after);
  } else {
    sqlite3_bind_text(s, 8, e->from_stage, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, e->to_stage, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 10, e->mql);
  }
  if (e->event_id.n) blob(s, 11, e->event_id);
  sqlite3_bind_int64(s, 12, e->model_version);
  return step_done(s);
}

static int rejected_add(void *h, const char *source, uint64_t line, const char *reason,
                        ls_slice text) {
  sqlite3_stmt *s = stmt(h, S_REJ);
  sqlite3_bind_text(s, 1, source, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, (int64_t)line);
  sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
  sqlite3_bind_blob64(s, 4, text.n ? text.p : "", text.n, SQLITE_STATIC);
  return step_done(s);
}

static int rejected_scan(void *h, int (*fn)(void *, const char *, uint64_t, const char *,
                                           ls_slice),
                         void *ud) {
  sqlite3_stmt *s = stmt(h, S_REJ_SCAN);
  int rc, out = LS_OK;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
         !(out = fn(ud, (const char *)sqlite3_column_text(s, 0),
                    (uint64_t)sqlite3_column_int64(s, 1),
                    (const char *)sqlite3_column_text(s, 2), col_blob(s, 3)))) {
  }
  sqlite3_reset(s);
  return out ? out : (rc == SQLITE_DONE || rc == SQLITE_ROW ? LS_OK : err(rc));
}

static int ledger_scan(void *h, int64_t person,
                       int (*fn)(void *, ls_slice, const ls_store_ledger *), void *ud) {
  sqlite3_stmt *s = stmt(h, person < 0 ? S_L_SCAN_ALL : S_L_SCAN_P);
  if (person >= 0) sqlite3_bind_int64(s, 1, person);
  int rc, out = LS_OK;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ls_store_ledger e = {0};
    e.n = sqlite3_column_int64(s, 1);
    e.kind = (char)sqlite3_column_text(s, 2)[0];
    const char *t = (const char *)sqlite3_column_text(s, 3);
    if (ls_time_parse(t, strlen(t), &e.time)) {
      out = LS_EIO;
      break;
    }
    e.rule = (const char *)sqlite3_column_text(s, 4);
    e.points = sqlite3_column_int64(s, 5);
    e.after = sqlite3_column_int64(s, 6);
    e.from_stage = (const char *)sqlite3_column_text(s, 7);
    e.to_stage = (const char *)sqlite3_column_text(s, 8);
    e.mql = sqlite3_column_int(s, 9);
    if (sqlite3_column_type(s, 10) != SQLITE_NULL) e.event_id = col_blob(s, 10);
    e.model_version = sqlite3_column_int64(s, 11);
    if ((out = fn(ud, col_blob(s, 0), &e))) break;
  }
  sqlite3_reset(s);
  return out ? out : (rc == SQLITE_DONE ? LS_OK : err(rc));
}

static int ident_scan(void *h, int64_t person, int (*fn)(void *, int, ls_slice), void *ud) {
  sqlite3_stmt *s = stmt(h, S_ID_SCAN);
  sqlite3_bind_int64(s, 1, person);
  int rc, out = LS_OK;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
         !(out = fn(ud, sqlite3_column_int(s, 0), col_blob(s, 1)))) {
  }
  sqlite3_reset(s);
  return out ? out : (rc == SQLITE_DONE || rc == SQLITE_ROW ? LS_OK : err(rc));
}

static int person_erase(void *h, int64_t person, const char *at, int64_t *events) {
  sqlite3_stmt *s = stmt(h, S_ER_CNT);
  sqlite3_bind_int64(s, 1, person);
  int rc = sqlite3_step(s);
  *events = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW) return err(rc);
  const int dels[4] = {S_ER_EV, S_ER_ID, S_DEL_L, S_DEL_P};
  int out = LS_OK;
  for (int i = 0; i < 4 && !out; i++) {
    s = stmt(h, dels[i]);
    sqlite3_bind_int64(s, 1, person);
    out = step_done(s);
  }
  if (out) return out;
  s = stmt(h, S_ER_ADD);
  sqlite3_bind_text(s, 1, at, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, *events);
  return step_done(s);
}

const ls_store_driver ls_store_sqlite = {
    "sqlite",     db_open,      db_close,    db_begin,   db_commit,    db_rollback,
    meta_get,     meta_set,     model_put,   model_get,  event_find,   event_put,
    event_scan,   ident_find,   ident_put,   person_new, person_merge, person_get,
    person_put,   person_scan,  ledger_clear, ledger_add, rejected_add,
    rejected_scan, ledger_scan, person_erase, ident_scan};
