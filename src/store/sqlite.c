/* The SQLite driver of the store (docs/storage.md has the schema). WAL with
 * synchronous=FULL: a committed batch survives a crash or power loss.
 * Statements are prepared once per connection. */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/store.h"
#include "store/extent.h"
#include "store/sqlite_db.h"

#define SCHEMA_VERSION "6"

/* Events and ledger rows are appended (rowid order); a person's rows are
 * found through the extents kept in its row, not through an index on
 * `person`: an index costs a random B-tree insert per row, about a third of
 * the ingest time (docs/storage.md). An extent covers only live rows of its
 * person (see ledger_clear), so a rowid that SQLite hands out again after a
 * delete is never in someone's extent. */
/* The inside-sales workflow's records (sqlite_workflow.c), keyed by the
 * person's lead id when they were made (found again through any of the
 * person's identities: a lead id is one of them, and identities only
 * gather on merges). */
#define WORKFLOW_TABLES                                                              \
  "CREATE TABLE owners(lead BLOB PRIMARY KEY, owner TEXT NOT NULL, team TEXT,"       \
  "  how TEXT NOT NULL, by TEXT, at_ms INTEGER NOT NULL) WITHOUT ROWID;"            \
  "CREATE TABLE team_turns(team TEXT PRIMARY KEY, turns INTEGER NOT NULL) WITHOUT ROWID;" \
  "CREATE TABLE task_log(task TEXT PRIMARY KEY, lead BLOB NOT NULL, outcome TEXT NOT NULL," \
  "  note TEXT, by TEXT, owner TEXT, at_ms INTEGER NOT NULL) WITHOUT ROWID;"         \
  "CREATE TABLE checklist(lead BLOB NOT NULL, criterion TEXT NOT NULL, note TEXT,"   \
  "  by TEXT, at_ms INTEGER NOT NULL, PRIMARY KEY(lead, criterion)) WITHOUT ROWID;"

/* The funnel reads the stage rows of a model version since a time. A
 * partial index: ingest pays for it only on stage rows (one or two per
 * person), not on the points rows written per event; covering: the funnel
 * of an old month reads every change since, and a lookup into the table
 * per row made that five times slower. */
#define LEDGER_STAGE_INDEX                                                      \
  "CREATE INDEX IF NOT EXISTS ledger_stage ON ledger(model_version, time, person, n,"  \
  "  from_stage, to_stage, mql, kind) WHERE kind = 's';"
/* One person's stage rows: the server's funnel keeps every stage change in
 * memory and re-reads only the persons a write touched. Partial too. */
#define LEDGER_STAGE_PERSON_INDEX                                                     \
  "CREATE INDEX IF NOT EXISTS ledger_stage_person ON ledger(person, n) WHERE kind = 's';"

static const char schema[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE models(version INTEGER PRIMARY KEY, source TEXT NOT NULL);"
    "CREATE TABLE persons("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, lead_id BLOB, lead_kind INTEGER,"
    "  stage TEXT, score INTEGER, mql_count INTEGER, last_mql_at TEXT,"
    "  last_sec INTEGER, last_nsec INTEGER, last_event BLOB,"
    "  adv_sec INTEGER, adv_nsec INTEGER, ledger_n INTEGER NOT NULL DEFAULT 0,"
    "  events_at BLOB, ledger_at BLOB, state BLOB);"
    "CREATE TABLE identities(kind INTEGER NOT NULL, value BLOB NOT NULL,"
    "  person INTEGER NOT NULL, PRIMARY KEY(kind, value)) WITHOUT ROWID;"
    "CREATE INDEX identities_person ON identities(person);"
    "CREATE TABLE event_ids(id BLOB PRIMARY KEY, content_hash INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    "CREATE TABLE events(seq INTEGER PRIMARY KEY, id BLOB NOT NULL,"
    "  person INTEGER NOT NULL, time_sec INTEGER NOT NULL,"
    "  time_nsec INTEGER NOT NULL, line BLOB NOT NULL);"
    "CREATE TABLE ledger(seq INTEGER PRIMARY KEY, person INTEGER NOT NULL,"
    "  n INTEGER NOT NULL, kind TEXT NOT NULL, time TEXT NOT NULL, rule TEXT,"
    "  points INTEGER, after INTEGER, from_stage TEXT, to_stage TEXT,"
    "  mql INTEGER, event_id BLOB, model_version INTEGER NOT NULL, category INTEGER,"
    "  cadence TEXT);"
    "CREATE TABLE categories(hash INTEGER PRIMARY KEY, name BLOB NOT NULL);"
    LEDGER_STAGE_INDEX
    LEDGER_STAGE_PERSON_INDEX
    WORKFLOW_TABLES
    "CREATE TABLE rejected(seq INTEGER PRIMARY KEY, source TEXT NOT NULL,"
    "  line INTEGER NOT NULL, reason TEXT NOT NULL, text BLOB NOT NULL,"
    "  UNIQUE(source, line, text));"
    "CREATE TABLE erasures(seq INTEGER PRIMARY KEY, at TEXT NOT NULL,"
    "  events INTEGER NOT NULL);"
    "INSERT INTO meta VALUES('schema_version', '" SCHEMA_VERSION "');";

enum {
  S_META_GET, S_META_SET, S_MODEL_PUT, S_MODEL_GET, S_EV_CLAIM, S_EV_HASH, S_EV_PUT,
  S_EV_SCAN_R, S_EV_SCAN_ALL, S_ID_FIND, S_ID_PUT, S_P_NEW, S_MV_ID, S_MV_EV,
  S_DEL_P, S_DEL_LR, S_P_GET, S_P_PUT, S_P_SCAN, S_L_ADD, S_REJ, S_REJ_SCAN,
  S_L_SCAN_R, S_L_SCAN_ALL, S_ID_SCAN, S_ER_IDS, S_ER_EV, S_ER_ID, S_ER_ADD, S_DEL_LVR,
  S_L_SEQ_R, S_DATA_VERSION, S_CAT_PUT, S_CAT_SCAN, S_STAGE_CHG, S_STAGE_CHG_P, S_L_SCAN_S, S_N
};

static const char *const sql[S_N] = {
    "SELECT value FROM meta WHERE key = ?1",
    "INSERT OR REPLACE INTO meta VALUES(?1, ?2)",
    "INSERT INTO models VALUES(?1, ?2)",
    "SELECT version, source FROM models ORDER BY version DESC LIMIT 1",
    "INSERT OR IGNORE INTO event_ids VALUES(?1, ?2)",
    "SELECT content_hash FROM event_ids WHERE id = ?1",
    "INSERT INTO events(id, person, time_sec, time_nsec, line) VALUES(?1, ?2, ?3, ?4, ?5)",
    "SELECT seq, id, person, time_sec, time_nsec, line FROM events "
    "WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
    "SELECT seq, id, person, time_sec, time_nsec, line FROM events ORDER BY seq",
    "SELECT person FROM identities WHERE kind = ?1 AND value = ?2",
    "INSERT INTO identities VALUES(?1, ?2, ?3)",
    "INSERT INTO persons(id) VALUES(NULL)",
    "UPDATE identities SET person = ?1 WHERE person = ?2",
    "UPDATE events SET person = ?1 WHERE seq BETWEEN ?2 AND ?3",
    "DELETE FROM persons WHERE id = ?1",
    "DELETE FROM ledger WHERE seq BETWEEN ?2 AND ?3 AND person = ?1",
    "SELECT last_sec, last_nsec, last_event, adv_sec, adv_nsec, lead_kind, "
    "lead_id, state, ledger_n, events_at, ledger_at FROM persons WHERE id = ?1",
    "UPDATE persons SET last_sec = ?2, last_nsec = ?3, last_event = ?4, "
    "adv_sec = ?5, adv_nsec = ?6, lead_kind = ?7, lead_id = ?8, state = ?9, "
    "ledger_n = ?10, stage = ?11, score = ?12, mql_count = ?13, "
    "last_mql_at = ?14, events_at = ?15, ledger_at = ?16 WHERE id = ?1",
    "SELECT id FROM persons ORDER BY id",
    "INSERT INTO ledger(person, n, kind, time, rule, points, after, from_stage, to_stage, "
    "mql, event_id, model_version, category, cadence) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    /* re-ingesting a file (after a crash) must not record its lines twice */
    "INSERT OR IGNORE INTO rejected(source, line, reason, text) VALUES(?1, ?2, ?3, ?4)",
    "SELECT source, line, reason, text FROM rejected ORDER BY seq",
    "SELECT n, kind, time, rule, points, after, from_stage, to_stage, mql, event_id, "
    "model_version, NULL, category, c.name, cadence FROM ledger LEFT JOIN categories c "
    "ON c.hash = category WHERE seq BETWEEN ?2 AND ?3 AND person = ?1 ORDER BY seq",
    "SELECT n, kind, time, rule, points, after, from_stage, to_stage, mql, event_id, "
    "model_version, p.lead_id, category, c.name, l.cadence FROM ledger l JOIN persons p "
    "ON p.id = l.person LEFT JOIN categories c ON c.hash = l.category "
    "ORDER BY p.lead_id, l.person, l.n",
    "SELECT kind, value FROM identities WHERE person = ?1 ORDER BY kind, value",
    "DELETE FROM event_ids WHERE id IN (SELECT id FROM events WHERE seq BETWEEN ?1 AND ?2)",
    "DELETE FROM events WHERE seq BETWEEN ?1 AND ?2",
    "DELETE FROM identities WHERE person = ?1",
    "INSERT INTO erasures(at, events) VALUES(?1, ?2)",
    "DELETE FROM ledger WHERE seq BETWEEN ?2 AND ?3 AND person = ?1 AND model_version = ?4",
    "SELECT seq FROM ledger WHERE seq BETWEEN ?2 AND ?3 AND person = ?1 ORDER BY seq",
    "PRAGMA data_version",
    "INSERT OR IGNORE INTO categories VALUES(?1, ?2)",
    "SELECT hash, name FROM categories ORDER BY rowid",
    /* `kind = 's'` spelled out: the planner uses a partial index only then */
    "SELECT person, n, time, from_stage, to_stage, mql FROM ledger "
    "WHERE kind = 's' AND model_version = ?1 AND time >= ?2",
    /* named: without statistics the planner takes ledger_stage (a scan of
     * the version's rows) for its equality on model_version */
    "SELECT person, n, time, from_stage, to_stage, mql FROM ledger INDEXED BY "
    "ledger_stage_person WHERE kind = 's' AND person = ?3 AND model_version = ?1",
    /* the columns of S_L_SCAN_ALL; through the partial index, so that the
     * sort is of the stage rows only, not of every points row */
    "SELECT n, kind, time, rule, points, after, from_stage, to_stage, mql, event_id, "
    "model_version, p.lead_id, category, NULL, l.cadence FROM ledger l INDEXED BY "
    "ledger_stage_person JOIN persons p ON p.id = l.person WHERE l.kind = 's' "
    "ORDER BY p.lead_id, l.person, l.n"};

/* Schema 2 -> 3: category scores (ledger.category, the categories table). */
#define MIGRATE_2                                                             \
  "ALTER TABLE ledger ADD COLUMN category INTEGER;"                           \
  "CREATE TABLE categories(hash INTEGER PRIMARY KEY, name BLOB NOT NULL);"
/* Schema 3 -> 4: the workflow (ledger.cadence, the workflow's tables). */
#define MIGRATE_3 "ALTER TABLE ledger ADD COLUMN cadence TEXT;" WORKFLOW_TABLES
/* Schema 4 -> 5: the stage rows' index (built once, on the first open). */
#define MIGRATE_4 LEDGER_STAGE_INDEX
/* Schema 5 -> 6: one person's stage rows' index (built once). */
#define MIGRATE_5 LEDGER_STAGE_PERSON_INDEX
#define MIGRATED "UPDATE meta SET value = '6' WHERE key = 'schema_version'; COMMIT;"
static const char migrate_2[] = "BEGIN IMMEDIATE;" MIGRATE_2 MIGRATE_3 MIGRATE_4 MIGRATE_5 MIGRATED;
static const char migrate_3[] = "BEGIN IMMEDIATE;" MIGRATE_3 MIGRATE_4 MIGRATE_5 MIGRATED;
static const char migrate_4[] = "BEGIN IMMEDIATE;" MIGRATE_4 MIGRATE_5 MIGRATED;
static const char migrate_5[] = "BEGIN IMMEDIATE;" MIGRATE_5 MIGRATED;

typedef struct db {
  ls__sqdb base; /* first: sqlite_service.c sees a db as an ls__sqdb */
  sqlite3_stmt *st[S_N];
  /* person_get's blobs, copied so that its statement can be reset at once:
   * an open read statement would pin the WAL and stop checkpoints. */
  char *wal;     /* the write-ahead log's path, for sync */
  int wal_fd;    /* opened by the first sync, -1 before */
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

int ls__sq_err(int rc) { return err(rc); }

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
  ls__svc_close(d->base.svc);
  if (d->base.wf_close) d->base.wf_close(d->base.wf);
  sqlite3_close(d->base.h);
  free(d->blob[0]);
  free(d->blob[1]);
  free(d->wal);
  if (d->wal_fd >= 0) close(d->wal_fd);
  free(d);
}

/* Before SQLite's first use: no memory statistics, whose global mutex every
 * allocation of every connection would take (the server's threads each have
 * their own connection). */
static void configure(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

static int db_open(const char *path, bool create, void **out, ls_diag *diag) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, configure);
  db *d = calloc(1, sizeof *d);
  if (!d) return LS_ENOMEM;
  /* NOMUTEX: a store is used by one thread at a time; no lock per call. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  d->wal_fd = -1;
  if (!(d->wal = malloc(strlen(path) + 5))) {
    free(d);
    return LS_ENOMEM;
  }
  snprintf(d->wal, strlen(path) + 5, "%s-wal", path);
  int rc = sqlite3_open_v2(path, &d->base.h, flags, NULL);
  const char *what = "cannot open the store";
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(d->base.h, 5000);
    /* 16 KiB pages: rows are appended in bulk, and larger pages mean fewer
     * B-tree splits and WAL frames per batch (ingest ~15% faster than with
     * 4 KiB; docs/benchmarks.md). Only a new file takes it; WAL fixes it. */
    if (create) rc = sqlite3_exec(d->base.h, "PRAGMA page_size=8192;", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(d->base.h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536;"
                            /* savepoint journals in memory, not a temp file
                             * created per nested unit of a group */
                            "PRAGMA temp_store=MEMORY;"
                            "PRAGMA journal_size_limit=67108864;"
                            /* reads of up to 1 GiB of the file without a copy: the
                             * store is read-only mapped; a single-event update
                             * costs about a quarter less */
                            "PRAGMA mmap_size=1073741824;",
                      NULL, NULL, NULL);
    what = "not a leadscore store (or it is damaged)";
  }
  if (rc == SQLITE_OK && create) {
    sqlite3_stmt *q = NULL;
    rc = sqlite3_prepare_v2(d->base.h, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);
    if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) > 0) {
      rc = SQLITE_ERROR;
      what = "a store already exists there";
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_OK) rc = sqlite3_exec(d->base.h, schema, NULL, NULL, NULL);
  }
  if (rc == SQLITE_OK && !create) { /* an older schema of ours: bring it up to date */
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(d->base.h, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &q,
                           NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 1 &&
        strchr("2345", sqlite3_column_text(q, 0)[0])) {
      const char *up = sqlite3_column_text(q, 0)[0] == '2'   ? migrate_2
                       : sqlite3_column_text(q, 0)[0] == '3' ? migrate_3
                       : sqlite3_column_text(q, 0)[0] == '4' ? migrate_4
                                                             : migrate_5;
      sqlite3_finalize(q);
      q = NULL;
      rc = sqlite3_exec(d->base.h, up, NULL, NULL, NULL);
      if (rc != SQLITE_OK) sqlite3_exec(d->base.h, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(q);
  }
  for (int i = 0; i < S_N && rc == SQLITE_OK; i++)
    rc = sqlite3_prepare_v3(d->base.h, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL);
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
                       d->base.h ? sqlite3_errmsg(d->base.h) : "no memory");
    db_close(d);
    return rc == SQLITE_NOMEM ? LS_ENOMEM : LS_EIO;
  }
  *out = d;
  return LS_OK;
}

static int db_exec(void *h, const char *s) {
  return err(sqlite3_exec(((db *)h)->base.h, s, NULL, NULL, NULL));
}
static int db_begin(void *h) { return db_exec(h, "BEGIN IMMEDIATE"); }
/* Deferred sync: commits write the log without waiting for the disk, and
 * sync() makes everything committed so far durable by flushing the log
 * file (fdatasync works on the file, whatever descriptor names it). */
static int db_deferred_sync(void *h, bool on) {
  return db_exec(h, on ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL");
}

static int db_sync(void *h) {
  db *d = h;
  if (d->wal_fd < 0 && (d->wal_fd = open(d->wal, O_RDONLY | O_CLOEXEC)) < 0) return LS_EIO;
  return fdatasync(d->wal_fd) ? LS_EIO : LS_OK;
}

static int db_read_begin(void *h) { return db_exec(h, "BEGIN"); }
static int db_read_end(void *h) { return db_exec(h, "COMMIT"); }
static int db_commit(void *h) { return db_exec(h, "COMMIT"); }
static int db_rollback(void *h) { return db_exec(h, "ROLLBACK"); }
static int db_savepoint(void *h) { return db_exec(h, "SAVEPOINT unit"); }
static int db_release(void *h) { return db_exec(h, "RELEASE unit"); }
static int db_rollback_to(void *h) { return db_exec(h, "ROLLBACK TO unit; RELEASE unit"); }

static int set_checkpoint(void *h, int64_t bytes) {
  sqlite3_stmt *q = NULL;
  int64_t page = 4096;
  if (sqlite3_prepare_v2(((db *)h)->base.h, "PRAGMA page_size", -1, &q, NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW)
    page = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  int64_t pages = bytes / (page > 0 ? page : 4096) + 1;
  sqlite3_wal_autocheckpoint(((db *)h)->base.h, pages > INT32_MAX ? INT32_MAX : (int)pages);
  return LS_OK;
}

static int checkpoint(void *h) {
  int rc = sqlite3_wal_checkpoint_v2(((db *)h)->base.h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return rc == SQLITE_BUSY ? LS_OK : err(rc); /* busy: another checkpoint runs; no harm */
}

static int data_version(void *h, uint64_t *v) {
  sqlite3_stmt *s = stmt(h, S_DATA_VERSION);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *v = (uint64_t)sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? LS_OK : err(rc);
}

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
  if (!text) { /* only the version: the text is not read */
    sqlite3_reset(s);
    return LS_OK;
  }
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

static int event_claim(void *h, ls_slice id, uint64_t hash, bool *dup, uint64_t *stored) {
  db *d = h;
  sqlite3_stmt *s = stmt(d, S_EV_CLAIM);
  blob(s, 1, id);
  sqlite3_bind_int64(s, 2, (int64_t)hash);
  int rc = step_done(s);
  if (rc) return rc;
  *dup = sqlite3_changes(d->base.h) == 0;
  if (!*dup) return LS_OK;
  s = stmt(d, S_EV_HASH);
  blob(s, 1, id);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *stored = (uint64_t)sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? LS_OK : err(rc);
}

static int event_put(void *h, ls_store_person *p, ls_store_event *e) {
  db *d = h;
  sqlite3_stmt *s = stmt(d, S_EV_PUT);
  blob(s, 1, e->id);
  sqlite3_bind_int64(s, 2, p->id);
  sqlite3_bind_int64(s, 3, e->time.sec);
  sqlite3_bind_int(s, 4, e->time.nsec);
  blob(s, 5, e->line);
  int rc = step_done(s);
  if (rc) return rc;
  e->seq = sqlite3_last_insert_rowid(d->base.h);
  e->person = p->id;
  return ls__ext_add(p->events_at, e->seq);
}

/* Walks the ranges of an extent: for (ext_it it = {ext}; ext_next(&it);). */
typedef struct ext_it {
  const ls_buf *ext;
  size_t off;
  int64_t first, count;
  bool bad; /* the extent is damaged */
} ext_it;

static bool ext_next(ext_it *it) {
  return ls__ext_next(it->ext->p, it->ext->len, &it->off, &it->first, &it->count, &it->bad);
}

/* Statement i bound to ?1 = x (when x >= 0), then the range's first and
 * last seq, then ?4 = y (when y >= 0). */
static sqlite3_stmt *range_stmt(db *d, int i, int64_t x, const ext_it *it, int64_t y) {
  sqlite3_stmt *s = stmt(d, i);
  int k = 1;
  if (x >= 0) sqlite3_bind_int64(s, k++, x);
  sqlite3_bind_int64(s, k++, it->first);
  sqlite3_bind_int64(s, k++, it->first + it->count - 1);
  if (y >= 0) sqlite3_bind_int64(s, k, y);
  return s;
}

/* Runs statement i (see range_stmt) once per range of `ext`. Adds the rows
 * changed to *changes (when not NULL). */
static int each_range(db *d, int i, const ls_buf *ext, int64_t x, int64_t y, int64_t *changes) {
  int rc = LS_OK;
  ext_it it = {ext, 0, 0, 0, false};
  while (!rc && ext_next(&it)) {
    rc = step_done(range_stmt(d, i, x, &it, y));
    if (changes) *changes += sqlite3_changes(d->base.h);
  }
  return rc ? rc : it.bad ? LS_EIO : LS_OK;
}

static ls_slice col_blob(sqlite3_stmt *s, int i) {
  ls_slice v = {(const char *)sqlite3_column_blob(s, i), (size_t)sqlite3_column_bytes(s, i)};
  if (!v.p) v.p = "";
  return v;
}

static int event_row(sqlite3_stmt *s, int (*fn)(void *, const ls_store_event *), void *ud) {
  ls_store_event e = {sqlite3_column_int64(s, 0), col_blob(s, 1), sqlite3_column_int64(s, 2),
                      {sqlite3_column_int64(s, 3), sqlite3_column_int(s, 4)}, col_blob(s, 5)};
  return fn(ud, &e);
}

/* Steps s to its end, calling row() per row. */
#define SCAN_ROWS(s, call)                                          \
  do {                                                              \
    int rc_;                                                        \
    while ((rc_ = sqlite3_step(s)) == SQLITE_ROW && !(out = (call))) { \
    }                                                               \
    sqlite3_reset(s);                                               \
    if (!out && rc_ != SQLITE_DONE && rc_ != SQLITE_ROW) out = err(rc_); \
  } while (0)

static int event_scan(void *h, const ls_store_person *p,
                      int (*fn)(void *, const ls_store_event *), void *ud) {
  /* Each scan has its own statement so that fn may use the driver. */
  db *d = h;
  int out = LS_OK;
  if (!p) {
    sqlite3_stmt *s = stmt(d, S_EV_SCAN_ALL);
    SCAN_ROWS(s, event_row(s, fn, ud));
    return out;
  }
  ext_it it = {p->events_at, 0, 0, 0, false};
  while (!out && ext_next(&it)) {
    sqlite3_stmt *s = range_stmt(d, S_EV_SCAN_R, -1, &it, -1);
    SCAN_ROWS(s, event_row(s, fn, ud));
  }
  return out ? out : it.bad ? LS_EIO : LS_OK;
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
  *id = sqlite3_last_insert_rowid(d->base.h);
  return rc;
}

static int person_merge(void *h, ls_store_person *into, const ls_store_person *from) {
  db *d = h;
  int rc = each_range(d, S_MV_EV, from->events_at, into->id, -1, NULL);
  if (!rc) rc = ls_buf_append(into->events_at, from->events_at->p, from->events_at->len);
  if (!rc) rc = each_range(d, S_DEL_LR, from->ledger_at, from->id, -1, NULL);
  if (!rc) {
    sqlite3_stmt *s = stmt(d, S_MV_ID);
    sqlite3_bind_int64(s, 1, into->id);
    sqlite3_bind_int64(s, 2, from->id);
    rc = step_done(s);
  }
  if (!rc) {
    sqlite3_stmt *s = stmt(d, S_DEL_P);
    sqlite3_bind_int64(s, 1, from->id);
    rc = step_done(s);
  }
  return rc;
}

/* Replaces b's bytes with column i. */
static int col_buf(sqlite3_stmt *s, int i, ls_buf *b) {
  b->len = 0;
  size_t n = (size_t)sqlite3_column_bytes(s, i);
  return n ? ls_buf_append(b, sqlite3_column_blob(s, i), n) : LS_OK;
}

static void bind_buf(sqlite3_stmt *s, int i, const ls_buf *b) {
  sqlite3_bind_blob64(s, i, b->len ? b->p : "", b->len, SQLITE_STATIC);
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
  if (!out) out = col_buf(s, 9, p->events_at);
  if (!out) out = col_buf(s, 10, p->ledger_at);
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
  bind_buf(s, 15, p->events_at);
  bind_buf(s, 16, p->ledger_at);
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

/* Deletes, then rebuilds the extent from the rows left (older versions):
 * it must not cover deleted rows, whose seqs SQLite may hand out again. */
static int ledger_clear(void *h, ls_store_person *p, int64_t version) {
  db *d = h;
  int rc = each_range(d, S_DEL_LVR, p->ledger_at, p->id, version, NULL);
  ls_buf left = {0};
  ext_it it = {p->ledger_at, 0, 0, 0, false};
  while (!rc && ext_next(&it)) {
    sqlite3_stmt *s = range_stmt(d, S_L_SEQ_R, p->id, &it, -1);
    int out = LS_OK;
    SCAN_ROWS(s, ls__ext_add(&left, sqlite3_column_int64(s, 0)));
    rc = out;
  }
  if (!rc && it.bad) rc = LS_EIO;
  if (!rc) {
    p->ledger_at->len = 0;
    rc = ls_buf_append(p->ledger_at, left.p ? left.p : "", left.len);
  }
  ls_buf_free(&left);
  return rc;
}

static int ledger_truncate(void *h, ls_store_person *p, int64_t count) {
  db *d = h;
  int64_t total = 0, from = 0, seen = 0;
  ext_it it = {p->ledger_at, 0, 0, 0, false};
  while (ext_next(&it)) total += it.count;
  if (it.bad) return LS_EIO;
  if (count <= 0) return LS_OK;
  if (count > total) return LS_EINVAL;
  it = (ext_it){p->ledger_at, 0, 0, 0, false};
  int rc = LS_OK;
  while (!rc && ext_next(&it)) {
    int64_t skip = total - count - seen; /* rows of this range that stay */
    seen += it.count;
    if (skip >= it.count) continue;
    if (skip > 0) {
      it.first += skip;
      it.count -= skip;
    }
    if (!from) from = it.first;
    rc = step_done(range_stmt(d, S_DEL_LR, p->id, &it, -1));
  }
  return rc ? rc : ls__ext_truncate(p->ledger_at, from - 1);
}

static int ledger_add(void *h, ls_store_person *p, const ls_store_ledger *e) {
  db *d = h;
  /* both live until the step below: bound without a copy */
  char t[LS_TIME_FMT_MAX], kind = e->kind;
  ls_time_format(e->time, t);
  sqlite3_stmt *s = stmt(d, S_L_ADD);
  sqlite3_bind_int64(s, 1, p->id);
  sqlite3_bind_int64(s, 2, e->n);
  sqlite3_bind_text(s, 3, &kind, 1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, t, -1, SQLITE_STATIC);
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
  if (e->category) sqlite3_bind_int64(s, 13, (int64_t)e->category);
  if (e->cadence) sqlite3_bind_text(s, 14, e->cadence, -1, SQLITE_STATIC);
  int rc = step_done(s);
  return rc ? rc : ls__ext_add(p->ledger_at, sqlite3_last_insert_rowid(d->base.h));
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

static int ledger_row(sqlite3_stmt *s, ls_slice lead,
                      int (*fn)(void *, ls_slice, const ls_store_ledger *), void *ud) {
  ls_store_ledger e = {0};
  e.n = sqlite3_column_int64(s, 0);
  e.kind = (char)sqlite3_column_text(s, 1)[0];
  const char *t = (const char *)sqlite3_column_text(s, 2);
  if (ls_time_parse(t, strlen(t), &e.time)) return LS_EIO;
  e.rule = (const char *)sqlite3_column_text(s, 3);
  e.points = sqlite3_column_int64(s, 4);
  e.after = sqlite3_column_int64(s, 5);
  e.from_stage = (const char *)sqlite3_column_text(s, 6);
  e.to_stage = (const char *)sqlite3_column_text(s, 7);
  e.mql = sqlite3_column_int(s, 8);
  if (sqlite3_column_type(s, 9) != SQLITE_NULL) e.event_id = col_blob(s, 9);
  e.model_version = sqlite3_column_int64(s, 10);
  e.category = (uint64_t)sqlite3_column_int64(s, 12);
  if (sqlite3_column_type(s, 13) != SQLITE_NULL) e.category_name = col_blob(s, 13);
  e.cadence = (const char *)sqlite3_column_text(s, 14);
  return fn(ud, lead.p ? lead : col_blob(s, 11), &e);
}

static int ledger_scan(void *h, const ls_store_person *p,
                       int (*fn)(void *, ls_slice, const ls_store_ledger *), void *ud) {
  db *d = h;
  int out = LS_OK;
  if (!p) {
    sqlite3_stmt *s = stmt(d, S_L_SCAN_ALL);
    SCAN_ROWS(s, ledger_row(s, (ls_slice){0}, fn, ud));
    return out;
  }
  ls_slice lead = {p->lead_id.p ? p->lead_id.p : "", p->lead_id.n};
  ext_it it = {p->ledger_at, 0, 0, 0, false};
  while (!out && ext_next(&it)) {
    sqlite3_stmt *s = range_stmt(d, S_L_SCAN_R, p->id, &it, -1);
    SCAN_ROWS(s, ledger_row(s, lead, fn, ud));
  }
  return out ? out : it.bad ? LS_EIO : LS_OK;
}

static int stage_scan(void *h, int (*fn)(void *, ls_slice, const ls_store_ledger *), void *ud) {
  sqlite3_stmt *s = stmt(h, S_L_SCAN_S);
  int out = LS_OK;
  SCAN_ROWS(s, ledger_row(s, (ls_slice){0}, fn, ud));
  return out;
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

static int category_put(void *h, uint64_t hash, ls_slice name) {
  sqlite3_stmt *s = stmt(h, S_CAT_PUT);
  sqlite3_bind_int64(s, 1, (int64_t)hash);
  blob(s, 2, name);
  return step_done(s);
}

static int category_scan(void *h, int (*fn)(void *, uint64_t, ls_slice), void *ud) {
  sqlite3_stmt *s = stmt(h, S_CAT_SCAN);
  int out = LS_OK;
  SCAN_ROWS(s, fn(ud, (uint64_t)sqlite3_column_int64(s, 0), col_blob(s, 1)));
  return out;
}

static int person_erase(void *h, const ls_store_person *p, const char *at, int64_t *events) {
  db *d = h;
  *events = 0;
  int rc = each_range(d, S_ER_IDS, p->events_at, -1, -1, NULL);
  if (!rc) rc = each_range(d, S_ER_EV, p->events_at, -1, -1, events);
  if (!rc) rc = each_range(d, S_DEL_LR, p->ledger_at, p->id, -1, NULL);
  const int dels[2] = {S_ER_ID, S_DEL_P};
  for (int i = 0; i < 2 && !rc; i++) {
    sqlite3_stmt *s = stmt(d, dels[i]);
    sqlite3_bind_int64(s, 1, p->id);
    rc = step_done(s);
  }
  if (rc) return rc;
  sqlite3_stmt *s = stmt(d, S_ER_ADD);
  sqlite3_bind_text(s, 1, at, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, *events);
  return step_done(s);
}

static int stage_changes(void *h, int64_t version, const char *since, int64_t person,
                         int (*fn)(void *, int64_t, int64_t, const char *, const char *,
                                   const char *, bool),
                         void *ud) {
  sqlite3_stmt *s = stmt(h, person ? S_STAGE_CHG_P : S_STAGE_CHG);
  sqlite3_bind_int64(s, 1, version);
  if (person) sqlite3_bind_int64(s, 3, person);
  else sqlite3_bind_text(s, 2, since ? since : "", -1, SQLITE_STATIC); /* "": every row */
  int out = LS_OK;
  SCAN_ROWS(s, fn(ud, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                  (const char *)sqlite3_column_text(s, 2), (const char *)sqlite3_column_text(s, 3),
                  (const char *)sqlite3_column_text(s, 4), sqlite3_column_int(s, 5) != 0));
  return out;
}

const ls_store_driver ls_store_sqlite = {
    .name = "sqlite",
    .open = db_open,
    .close = db_close,
    .begin = db_begin,
    .commit = db_commit,
    .savepoint = db_savepoint,
    .release = db_release,
    .rollback_to = db_rollback_to,
    .rollback = db_rollback,
    .read_begin = db_read_begin,
    .deferred_sync = db_deferred_sync,
    .sync = db_sync,
    .read_end = db_read_end,
    .data_version = data_version,
    .set_checkpoint = set_checkpoint,
    .checkpoint = checkpoint,
    .ledger_truncate = ledger_truncate,
    .workflow = &ls__sq_workflow,
    .meta_get = meta_get,
    .meta_set = meta_set,
    .model_put = model_put,
    .model_get = model_get,
    .event_claim = event_claim,
    .event_put = event_put,
    .event_scan = event_scan,
    .ident_find = ident_find,
    .ident_put = ident_put,
    .person_new = person_new,
    .person_merge = person_merge,
    .person_get = person_get,
    .person_put = person_put,
    .person_scan = person_scan,
    .person_each = ls__sq_person_each,
    .model_scan = ls__sq_model_scan,
    .ledger_clear = ledger_clear,
    .ledger_add = ledger_add,
    .rejected_add = rejected_add,
    .rejected_scan = rejected_scan,
    .ledger_scan = ledger_scan,
    .stage_scan = stage_scan,
    .person_erase = person_erase,
    .ident_scan = ident_scan,
    .category_put = category_put,
    .category_scan = category_scan,
    .key_put = ls__sq_key_put,
    .key_scan = ls__sq_key_scan,
    .key_revoke = ls__sq_key_revoke,
    .hook_put = ls__sq_hook_put,
    .hook_scan = ls__sq_hook_scan,
    .hook_delete = ls__sq_hook_delete,
    .outbox_add = ls__sq_outbox_add,
    .outbox_due = ls__sq_outbox_due,
    .outbox_set = ls__sq_outbox_set,
    .outbox_scan = ls__sq_outbox_scan,
    .outbox_cancel = ls__sq_outbox_cancel,
    .stage_counts = ls__sq_stage_counts,
    .stage_changes = stage_changes,
};
