/* Whole-table reads, prepared per call (they run rarely): every person in
 * one statement — the server's leads index is built from one pass over the
 * table instead of a lookup per person — and every model version. */
#include <string.h>

#include "store/sqlite_db.h"

int ls__sq_person_each(void *db, size_t state_len,
                       int (*fn)(void *, const ls_store_person *), void *ud) {
  ls__sqdb *d = db;
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->h,
                              "SELECT id, lead_kind, lead_id, state FROM persons "
                              "WHERE length(state) = ?1 ORDER BY id",
                              -1, &s, NULL);
  if (rc != SQLITE_OK) return ls__sq_err(rc);
  sqlite3_bind_int64(s, 1, (sqlite3_int64)state_len);
  int out = LS_OK;
  while (!out && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    ls_store_person p;
    memset(&p, 0, sizeof p);
    p.id = sqlite3_column_int64(s, 0);
    p.lead_kind = (uint8_t)sqlite3_column_int(s, 1);
    const void *lead = sqlite3_column_blob(s, 2);
    p.lead_id = (ls_slice){lead ? lead : "", (size_t)sqlite3_column_bytes(s, 2)};
    p.state = (void *)sqlite3_column_blob(s, 3);
    p.state_len = state_len;
    out = fn(ud, &p);
  }
  if (!out && rc != SQLITE_ROW && rc != SQLITE_DONE) out = ls__sq_err(rc);
  sqlite3_finalize(s);
  return out;
}

int ls__sq_model_scan(void *db, int (*fn)(void *, int64_t, const char *, size_t), void *ud) {
  ls__sqdb *d = db;
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(d->h, "SELECT version, source FROM models ORDER BY version", -1, &s,
                              NULL);
  if (rc != SQLITE_OK) return ls__sq_err(rc);
  int out = LS_OK;
  while (!out && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *text = (const char *)sqlite3_column_text(s, 1);
    out = fn(ud, sqlite3_column_int64(s, 0), text ? text : "", (size_t)sqlite3_column_bytes(s, 1));
  }
  if (!out && rc != SQLITE_ROW && rc != SQLITE_DONE) out = ls__sq_err(rc);
  sqlite3_finalize(s);
  return out;
}
