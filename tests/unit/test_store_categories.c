/* Category names in the store: written with the events that bring them,
 * undone with them, resolved in the export and in the ledger, and a store
 * of schema 2 brought up to date when opened. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leadscore/store.h"

#include "ls_test.h"

static const char model[] =
    "leadscore: 1\n"
    "name: cats\n"
    "scores: [{name: product, by: product, keep: 2}]\n"
    "rules: [{id: view, on: view, points: 5}]\n"
    "stages: [{name: prospect, initial: true}]\n";

static char dir[] = "/tmp/ls-test-cats-XXXXXX";
static char path[256];

#define EV(id, day, who, product)                                               \
  "{\"id\":\"" id "\",\"type\":\"view\",\"time\":\"2026-03-0" day "T10:00:00Z\"," \
  "\"lead\":\"" who "\",\"props\":{\"product\":\"" product "\"}}"

static int ingest(ls_store *s, const char *line) {
  const char *lines[1] = {line};
  size_t lens[1] = {strlen(line)};
  ls_store_stats st = {0};
  return ls_store_ingest(s, "t", 1, lines, lens, 1, &st);
}

static const char *leads(ls_store *s) {
  static char out[4096];
  ls_buf b = {0};
  out[0] = '\0';
  if (ls_store_export_leads(s, NULL, &b) == LS_OK && b.len < sizeof out) {
    memcpy(out, b.p, b.len);
    out[b.len] = '\0';
  }
  ls_buf_free(&b);
  return out;
}

static size_t count_names(ls_store *s) {
  ls_names *n = NULL;
  if (ls_store_categories(s, &n)) return SIZE_MAX;
  size_t c = ls_names_count(n);
  ls_names_destroy(n);
  return c;
}

typedef struct seen {
  char cats[256];
} seen;
static int on_row(void *ud, const ls_store_ledger *e) {
  seen *x = ud;
  size_t l = strlen(x->cats);
  snprintf(x->cats + l, sizeof x->cats - l, "%c:%.*s ", e->kind, (int)e->category_name.n,
           e->category_name.p);
  return 0;
}

static int on_ident(void *ud, ls_slice v) {
  (void)ud;
  (void)v;
  return 0;
}
static int on_attr(void *ud, const char *k, ls_slice v) {
  (void)ud;
  (void)k;
  (void)v;
  return 0;
}

static void test_names_follow_events(void) {
  ls_diag d = {0};
  ls_store *s = NULL;
  CHECK_INT(ls_store_init(&ls_store_sqlite, path, model, sizeof model - 1, &d), LS_OK);
  CHECK_INT(ls_store_open(&ls_store_sqlite, path, &s, &d), LS_OK);
  if (!s) return;
  /* a group undone takes its names along; the same name later is stored */
  CHECK_INT(ls_store_group_begin(s), LS_OK);
  CHECK_INT(ingest(s, EV("e1", "1", "L1", "crm")), LS_OK);
  ls_store_group_rollback(s);
  CHECK_INT(count_names(s), 0);
  CHECK_INT(ingest(s, EV("e1", "1", "L1", "crm")), LS_OK);
  CHECK_INT(ingest(s, EV("e2", "2", "L1", "erp")), LS_OK);
  CHECK_INT(ingest(s, EV("e3", "3", "L1", "erp")), LS_OK);
  CHECK_INT(count_names(s), 2);
  CHECK_STR(leads(s), "lead_id,product,top_category,stage,mql_count,last_mql_at\n"
                      "L1,10,product:erp,prospect,0,\n");
  /* a late event re-folds from the history; keep 2 drops crm (5) for hr */
  CHECK_INT(ingest(s, EV("e4", "4", "L1", "hr")), LS_OK);
  CHECK_INT(ingest(s, EV("e0", "1", "L1", "crm")), LS_OK);
  CHECK_STR(leads(s), "lead_id,product,top_category,stage,mql_count,last_mql_at\n"
                      "L1,10,product:erp,prospect,0,\n");
  int64_t p = 0;
  CHECK_INT(ls_store_find(s, (ls_slice){"L1", 2}, &p), LS_OK);
  seen x = {""};
  ls_store_show_sink sink = {&x, on_ident, on_attr, on_row};
  unsigned char state[1024];
  ls_buf lead = {0};
  CHECK_INT(ls_store_show(s, p, &sink, state, &lead), LS_OK);
  CHECK_STR(x.cats, "p:crm p:crm p:erp p:erp e:crm p:hr ");
  ls_buf_free(&lead);
  ls_store_close(s);
}

/* Turns the store back into schema 2: no ledger.category, no categories,
 * and nothing of schema 4 (ledger.cadence, the workflow's tables). */
static void downgrade(void) {
  sqlite3 *h = NULL;
  CHECK_INT(sqlite3_open(path, &h), SQLITE_OK);
  CHECK_INT(sqlite3_exec(h,
                         "ALTER TABLE ledger DROP COLUMN cadence; DROP TABLE owners;"
                         "DROP TABLE team_turns; DROP TABLE task_log; DROP TABLE checklist;"
                         "ALTER TABLE ledger DROP COLUMN category; DROP TABLE categories;"
                         "UPDATE meta SET value = '2' WHERE key = 'schema_version';",
                         NULL, NULL, NULL),
            SQLITE_OK);
  sqlite3_close(h);
}

static void test_migrate(void) {
  downgrade();
  ls_diag d = {0};
  ls_store *s = NULL;
  CHECK_INT(ls_store_open(&ls_store_sqlite, path, &s, &d), LS_OK);
  if (!s) {
    fprintf(stderr, "open: %s\n", d.msg);
    return;
  }
  /* the names went with the old schema: the export shows the hash until an
   * event names the category again */
  CHECK_INT(count_names(s), 0);
  const char *out = leads(s);
  CHECK(strstr(out, "L1,10,product:#") != NULL);
  CHECK_INT(ingest(s, EV("e5", "5", "L1", "erp")), LS_OK);
  CHECK_STR(leads(s), "lead_id,product,top_category,stage,mql_count,last_mql_at\n"
                      "L1,15,product:erp,prospect,0,\n");
  ls_store_close(s);
  /* opened again: schema 3 now, nothing to do */
  CHECK_INT(ls_store_open(&ls_store_sqlite, path, &s, &d), LS_OK);
  CHECK_INT(count_names(s), 1);
  ls_store_close(s);
}

int main(void) {
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(path, sizeof path, "%s/s.db", dir);
  test_names_follow_events();
  test_migrate();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return ls_test_done();
}
