/* Internal: what the SQLite driver's files share of a connection. */
#ifndef LEADSCORE_STORE_SQLITE_DB_H
#define LEADSCORE_STORE_SQLITE_DB_H

#include <sqlite3.h>

#include "leadscore/store.h"
#include "leadscore/workflow.h"

struct ls__svc;

typedef struct ls__sqdb {
  sqlite3 *h;
  struct ls__svc *svc; /* the service's statements (sqlite_service.c), on first use */
  void *wf;            /* the workflow's statements (sqlite_workflow.c), on first use */
  void (*wf_close)(void *wf);
} ls__sqdb;

/* The workflow's records (sqlite_workflow.c). */
extern const ls_workflow_driver ls__sq_workflow;

/* Maps SQLite's result to ls_err (corruption and I/O are LS_EIO). */
int ls__sq_err(int rc);
void ls__svc_close(struct ls__svc *v); /* NULL is a no-op */

/* The service's records (see ls_store_driver). */
int ls__sq_key_put(void *db, ls_store_key *k);
int ls__sq_key_scan(void *db, int (*fn)(void *, const ls_store_key *), void *ud);
int ls__sq_key_revoke(void *db, const char *name, int64_t at_ms);
int ls__sq_hook_put(void *db, ls_store_hook *h);
int ls__sq_hook_scan(void *db, int (*fn)(void *, const ls_store_hook *), void *ud);
int ls__sq_hook_delete(void *db, int64_t id);
int ls__sq_outbox_add(void *db, const ls_store_delivery *d);
int ls__sq_outbox_due(void *db, int64_t now_ms, size_t max,
                      int (*fn)(void *, const ls_store_delivery *), void *ud);
int ls__sq_outbox_set(void *db, int64_t id, int status, int attempts, int64_t next_ms,
                      const char *last_error);
int ls__sq_outbox_scan(void *db, const int *status,
                       int (*fn)(void *, const ls_store_delivery *), void *ud);

int ls__sq_outbox_cancel(void *db, ls_slice person, const char *kind);
/* ls_store_driver.person_each (sqlite_scan.c). */
int ls__sq_person_each(void *db, size_t state_len,
                       int (*fn)(void *, const ls_store_person *), void *ud);
int ls__sq_model_scan(void *db, int (*fn)(void *, int64_t, const char *, size_t), void *ud);
int ls__sq_stage_counts(void *db, int (*fn)(void *, const char *, int64_t), void *ud);

#endif
