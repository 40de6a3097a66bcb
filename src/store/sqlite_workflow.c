/* The workflow's records in SQLite (tables in sqlite.c's schema 4:
 * owners, team_turns, task_log, checklist). Statements are prepared on
 * first use, once per connection, like the service's. */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_db.h"

enum {
  W_OWN_PUT, W_OWN_ADD, W_OWN_SCAN, W_TASK_ADD, W_TASK_SCAN, W_TASK_ONE, W_TASK_ALL,
  W_CHK_PUT, W_CHK_ADD, W_CHK_SCAN, W_TURN, W_TURN_GET, W_OWN_ALL, W_N
};

static const char *const sql[W_N] = {
    "INSERT OR REPLACE INTO owners VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT INTO owners VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    "SELECT lead, owner, team, how, by, at_ms FROM owners WHERE lead = ?1",
    "INSERT INTO task_log VALUES(?2, ?1, ?3, ?4, ?5, ?6, ?7)",
    "SELECT lead, task, outcome, note, by, owner, at_ms FROM task_log WHERE lead = ?1 "
    "ORDER BY at_ms, task",
    "SELECT lead, task, outcome, note, by, owner, at_ms FROM task_log WHERE task = ?1",
    "SELECT lead, task, outcome, note, by, owner, at_ms FROM task_log ORDER BY at_ms, task",
    "INSERT OR REPLACE INTO checklist VALUES(?1, ?2, ?4, ?5, ?6)",
    "INSERT INTO checklist VALUES(?1, ?2, ?4, ?5, ?6)",
    "SELECT lead, criterion, NULL, note, by, NULL, at_ms FROM checklist WHERE lead = ?1 "
    "ORDER BY criterion",
    "INSERT INTO team_turns VALUES(?1, 1) ON CONFLICT(team) DO UPDATE SET turns = turns + 1",
    "SELECT turns - 1 FROM team_turns WHERE team = ?1",
    "SELECT lead, owner, team, how, by, at_ms FROM owners ORDER BY lead"};

typedef struct wfst {
  sqlite3_stmt *st[W_N];
} wfst;

static void wf_close(void *p) {
  wfst *w = p;
  if (!w) return;
  for (int i = 0; i < W_N; i++) sqlite3_finalize(w->st[i]);
  free(w);
}

static int get(void *h, int i, sqlite3_stmt **out) {
  ls__sqdb *d = h;
  if (!d->wf) {
    wfst *w = calloc(1, sizeof *w);
    if (!w) return LS_ENOMEM;
    for (int k = 0; k < W_N; k++) {
      int rc = sqlite3_prepare_v3(d->h, sql[k], -1, SQLITE_PREPARE_PERSISTENT, &w->st[k], NULL);
      if (rc != SQLITE_OK) {
        wf_close(w);
        return ls__sq_err(rc);
      }
    }
    d->wf = w;
    d->wf_close = wf_close;
  }
  *out = ((wfst *)d->wf)->st[i];
  sqlite3_reset(*out);
  sqlite3_clear_bindings(*out);
  return LS_OK;
}

static void text(sqlite3_stmt *s, int i, const char *v) {
  if (v) sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Parameters: ?1 lead, ?2 key, ?3 value, ?4 note, ?5 by, then task_log:
 * ?6 owner, ?7 at_ms; the others: ?6 at_ms (a statement ignores what it
 * does not name). */
static int put(void *db, ls_wf_table t, const ls_wf_record *r, bool replace) {
  static const int which[3][2] = {{W_OWN_ADD, W_OWN_PUT}, {W_TASK_ADD, W_TASK_ADD},
                                  {W_CHK_ADD, W_CHK_PUT}};
  sqlite3_stmt *s;
  int rc = get(db, which[t][replace], &s);
  if (rc) return rc;
  sqlite3_bind_blob64(s, 1, r->lead.n ? r->lead.p : "", r->lead.n, SQLITE_STATIC);
  text(s, 2, r->key);
  text(s, 3, r->value);
  text(s, 4, t == LS_WF_OWNERS && !r->note ? "rule" : r->note);
  text(s, 5, r->by);
  if (t == LS_WF_TASK_LOG) {
    text(s, 6, r->owner);
    sqlite3_bind_int64(s, 7, r->at_ms);
  } else {
    sqlite3_bind_int64(s, 6, r->at_ms);
  }
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_CONSTRAINT) return LS_EEXIST;
  return rc == SQLITE_DONE ? LS_OK : ls__sq_err(rc);
}

static int scan(void *db, ls_wf_table t, ls_slice lead, const char *key,
                int (*fn)(void *ud, const ls_wf_record *r), void *ud) {
  int q = t == LS_WF_OWNERS      ? (lead.p ? W_OWN_SCAN : W_OWN_ALL)
          : t == LS_WF_CHECKLIST ? W_CHK_SCAN
          : key                  ? W_TASK_ONE
          : lead.p               ? W_TASK_SCAN
                                 : W_TASK_ALL;
  sqlite3_stmt *s;
  int rc = get(db, q, &s);
  if (rc) return rc;
  if (q == W_TASK_ONE) sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  else if (q != W_TASK_ALL && q != W_OWN_ALL) sqlite3_bind_blob64(s, 1, lead.n ? lead.p : "", lead.n, SQLITE_STATIC);
  int out = LS_OK;
  while (!out && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    ls_wf_record r = {{(const char *)sqlite3_column_blob(s, 0),
                       (size_t)sqlite3_column_bytes(s, 0)},
                      (const char *)sqlite3_column_text(s, 1),
                      (const char *)sqlite3_column_text(s, 2),
                      (const char *)sqlite3_column_text(s, 3),
                      (const char *)sqlite3_column_text(s, 4),
                      (const char *)sqlite3_column_text(s, 5),
                      sqlite3_column_int64(s, 6)};
    if (!r.lead.p) r.lead.p = "";
    if (t == LS_WF_OWNERS) { /* owner, team, how, by, at_ms */
      r.value = (const char *)sqlite3_column_text(s, 2);
      r.note = (const char *)sqlite3_column_text(s, 3);
      r.by = (const char *)sqlite3_column_text(s, 4);
      r.owner = NULL;
      r.at_ms = sqlite3_column_int64(s, 5);
    }
    if (key && t != LS_WF_TASK_LOG && strcmp(r.key ? r.key : "", key)) continue;
    out = fn(ud, &r);
  }
  sqlite3_reset(s);
  return out ? out : rc == SQLITE_DONE || rc == SQLITE_ROW ? LS_OK : ls__sq_err(rc);
}

static int team_turn(void *db, const char *team, int64_t *turn) {
  sqlite3_stmt *s;
  int rc = get(db, W_TURN, &s);
  if (rc) return rc;
  text(s, 1, team);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return ls__sq_err(rc);
  if ((rc = get(db, W_TURN_GET, &s))) return rc;
  text(s, 1, team);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) *turn = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  return rc == SQLITE_ROW ? LS_OK : ls__sq_err(rc);
}

const ls_workflow_driver ls__sq_workflow = {put, scan, team_turn};
