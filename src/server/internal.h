/* leadscore — internal: what the server's files share. */
#ifndef LEADSCORE_SERVER_INTERNAL_H
#define LEADSCORE_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "leadscore/export.h"
#include "leadscore/server.h"
#include "leadscore/store.h"
#include "server/body.h"
#include "server/leads_index.h"
#include "server/stage_log.h"
#include "server/json.h"

/* ---- metrics (metrics.c): atomics, no lock per request ---- */

enum { LS__R_EVENTS, LS__R_LEADS, LS__R_LEAD, LS__R_LEDGER, LS__R_SALES, LS__R_ERASE,
       LS__R_HOOKS, LS__R_WORKFLOW, LS__R_OTHER, LS__R_N };
#define LS__NBUCKETS 14

typedef struct ls__metrics {
  atomic_uint_fast64_t ingested, rejected, duplicates, mqls;
  atomic_uint_fast64_t delivered, failed, dead;
  /* the writer's work: commit groups, events folded onto the stored state,
   * persons re-folded from their history (late events, merges) or from
   * their last batch in memory (store/rewind.h) */
  atomic_uint_fast64_t groups, incremental, refolded, rewound;
  atomic_uint_fast64_t req[LS__R_N][LS__NBUCKETS + 1]; /* per bucket; last: +Inf */
  atomic_uint_fast64_t req_us[LS__R_N];                /* sum of durations */
  atomic_uint_fast64_t status[6];                      /* 1xx .. 5xx by first digit */
} ls__metrics;

void ls__metrics_request(ls__metrics *m, int route, int64_t us, unsigned status);
/* Appends the Prometheus text exposition; `s` (a read connection) gives the
 * persons per stage. */
int ls__metrics_render(ls__metrics *m, ls_store *s, ls_buf *out);
extern const char *const ls__route_names[LS__R_N];

/* ---- API keys (auth.c) ---- */

enum { LS__SC_INGEST = 1, LS__SC_READ = 2, LS__SC_SALES = 4, LS__SC_ADMIN = 8 };

typedef struct ls__keyent {
  unsigned char hash[32];
  char name[64];
  unsigned scopes;
} ls__keyent;

typedef struct ls__keys {
  pthread_rwlock_t mu;
  ls__keyent *v; /* active keys */
  size_t n;
  int64_t loaded_ms; /* 0: never */
} ls__keys;

/* Parses "ingest,read" into LS__SC_* bits; false on an unknown scope. */
bool ls__scopes_parse(const char *text, unsigned *out);

/* ---- the server ---- */

typedef struct ls__reader {
  ls_store *s;
  struct ls__reader *next;
} ls__reader;

struct ls__job;

/* Webhook subscriptions copied out of the store (hooks.c). Zero it first. */
typedef struct ls__hooks {
  ls_store_hook *v; /* strings owned */
  size_t n;
} ls__hooks;
int ls__hooks_load(ls_store *st, ls__hooks *hv); /* replaces what hv held */
void ls__hooks_free(ls__hooks *hv);
const ls_store_hook *ls__hooks_find(const ls__hooks *hv, int64_t id);
/* Is the subscription to `kind` (mql, stage_changed, task_due)? */
bool ls__hook_wants(const ls_store_hook *h, const char *kind);

/* A group the writer committed, waiting for the disk (the syncer). */
typedef struct ls__group {
  struct ls__job *jobs;
  int rc;
  bool kick; /* it added webhook deliveries */
  struct ls__group *next;
} ls__group;

/* The dashboard's files (static.c). */
typedef struct ls__static_file {
  char *url; /* "/" or "/assets/NAME" */
  const char *type;
  char *data;
  size_t len;
} ls__static_file;
typedef struct ls__static {
  ls__static_file *files;
  size_t n, cap, bytes;
} ls__static;
/* Reads root/index.html and root/assets/NAME (flat names with a known
 * type); LS_OK, LS_EIO with diag->msg, LS_ENOMEM. */
int ls__static_load(ls__static *st, const char *root, ls_diag *d);
void ls__static_free(ls__static *st);
const ls__static_file *ls__static_find(const ls__static *st, const char *url);

struct ls_server {
  ls_server_config cfg;
  ls__static web; /* empty without --web */
  struct MHD_Daemon *mhd;
  uint16_t port;
  ls__metrics metrics;
  ls__keys keys;
  bool auth_open; /* loopback without any key: no auth (logged at start) */
  atomic_uint_fast64_t seq; /* request numbers */
  atomic_int active;        /* whole requests in flight (drained at stop) */

  pthread_mutex_t rmu; /* the read connections */
  ls__reader *readers;
  ls__lindex *lindex;  /* GET /v1/leads (leads_index.h) */
  ls__slog *slog;      /* GET /v1/funnel (stage_log.h) */
  /* GET /v1/reports/month: the last answers, kept until anything is
   * written (a review replays the store: seconds at a million persons);
   * one is computed at a time, so that a second asker waits for it */
  atomic_uint_fast64_t writes; /* groups written, and other writers seen */
  pthread_mutex_t mmu;
  struct ls__month_cached {
    int y, mo;
    uint64_t writes;
    ls_buf json; /* empty: no entry */
  } months[4];
  size_t nextmonth;

  /* the writer (writer.c) */
  ls_store *ws;
  pthread_t wth;
  pthread_mutex_t wmu;
  pthread_cond_t wcv;
  struct ls__job *queue, *queue_tail;
  bool stopping;
  ls__hooks hooks;      /* the subscriptions, reloaded for every group */
  int64_t *wdirty;      /* persons this group wrote, for the leads index */
  size_t nwdirty, wdirty_cap;
  bool wkick;           /* this group added deliveries */

  /* the syncer (writer.c): flushes committed groups, then answers them */
  pthread_t sth;
  pthread_mutex_t smu;
  pthread_cond_t scv;
  ls__group *sq, *sq_tail;
  bool sstop;
  ls_store *cs;     /* its own connection, for checkpoints off the writer */
  int64_t ckpt_ms;  /* when it last ran one */

  /* the deliverer (deliver.c) */
  ls_store *ds;
  pthread_t dth;
  pthread_mutex_t dmu;
  pthread_cond_t dcv;
  bool kick;
  bool dstop;

  pthread_mutex_t logmu;
};

/* A request in flight. */
typedef struct ls__req {
  ls_server *srv;
  int64_t t0_us;
  char method[8];
  int route;
  unsigned status;
  ls_buf body;
  bool too_big;
  bool counted; /* complete, in s->active until done */
  char key_name[64];
  struct ls__job *job; /* while suspended for the writer */
} ls__req;

/* Work for the writer. */
enum { LS__J_INGEST, LS__J_FORGET };
typedef struct ls__job {
  int kind;
  struct MHD_Connection *conn;
  /* ingest: the lines and, for each, its index in the request */
  const char **lines;
  size_t *lens, *index;
  size_t n;
  ls_store_stats st;
  ls_buf rejected; /* JSON objects, comma-separated */
  bool want_stage; /* sales events: the person's stage after them */
  char *who;       /* forget / sales: the identity */
  ls_buf owned;    /* sales: lines with the person's identity added */
  /* results */
  int rc;
  int64_t erased_events;
  char stage[64];
  char lead[256];
  bool complete;
  struct ls__job *next;
} ls__job;

/* writer.c */
int ls__writer_start(ls_server *s, ls_diag *diag);
void ls__writer_stop(ls_server *s);
/* Queues j for the next group; the connection is resumed when it is done. */
void ls__writer_submit(ls_server *s, ls__job *j);
void ls__job_free(ls__job *j);

/* deliver.c */
int ls__deliver_start(ls_server *s, ls_diag *diag);
void ls__deliver_stop(ls_server *s);
void ls__deliver_kick(ls_server *s);

/* auth.c: the key's scopes, or -1 without a valid key (name: its name) */
int ls__auth(ls_server *s, const char *header, char *name, size_t cap);
void ls__keys_free(ls__keys *k);
int ls__keys_count(ls_server *s);

/* reads: a read connection, caught up with the writer */
ls_store *ls__reader_get(ls_server *s);
void ls__reader_put(ls_server *s, ls_store *st);

/* responses (server.c) */
enum MHD_Result ls__respond(struct MHD_Connection *c, ls__req *r, unsigned status,
                            const char *type, ls_buf *body);
/* A JSON body built by a route: 200 with it when rc is LS_OK, else the body
 * is freed and the answer is 500 naming rc. Consumes body. */
enum MHD_Result ls__respond_json(struct MHD_Connection *c, ls__req *r, int rc, ls_buf *body);
/* ls__respond with one more header. */
enum MHD_Result ls__respond_h(struct MHD_Connection *c, ls__req *r, unsigned status,
                              const char *type, ls_buf *body, const char *hname,
                              const char *hvalue);
/* Answers a dashboard file (GET or HEAD), with the headers that keep the
 * page to its own origin. */
enum MHD_Result ls__static_serve(struct MHD_Connection *c, ls__req *r, const ls__static_file *f);
enum MHD_Result ls__error(struct MHD_Connection *c, ls__req *r, unsigned status,
                          const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int64_t ls__now_us(void);
int64_t ls__now_ms(void);


/* routes: fn(c, r, id) with id the {id} segment ("" without one) */
typedef enum MHD_Result (*ls__handler)(struct MHD_Connection *c, ls__req *r, const char *id);
typedef struct ls__route {
  const char *method, *path;
  int metric;     /* LS__R_* */
  unsigned scope; /* LS__SC_*, 0: no key needed */
  ls__handler fn;
} ls__route;
const ls__route *ls__routes(size_t *n);

enum MHD_Result ls__route_events(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_sales(struct MHD_Connection *c, ls__req *r, const char *who);
/* the inside-sales workflow (routes_tasks.c) */
enum MHD_Result ls__route_tasks(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_task_done(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_checklist(struct MHD_Connection *c, ls__req *r, const char *who);
enum MHD_Result ls__route_checklist_set(struct MHD_Connection *c, ls__req *r, const char *who);
enum MHD_Result ls__route_owner(struct MHD_Connection *c, ls__req *r, const char *who);
enum MHD_Result ls__route_owner_set(struct MHD_Connection *c, ls__req *r, const char *who);
enum MHD_Result ls__route_report(struct MHD_Connection *c, ls__req *r, const char *which);
enum MHD_Result ls__route_owners(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_erase(struct MHD_Connection *c, ls__req *r, const char *who);
enum MHD_Result ls__route_job_done(struct MHD_Connection *c, ls__req *r);
/* routes_funnel.c: GET /v1/funnel; the monthly review (GET /v1/reports/month) */
enum MHD_Result ls__route_funnel(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_month(struct MHD_Connection *c, ls__req *r);
/* routes_models.c: GET /v1/model, /v1/models[/{version}], POST /v1/models/preview */
enum MHD_Result ls__route_model(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_models(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_preview(struct MHD_Connection *c, ls__req *r, const char *id);
/* The model's targets as a JSON array. */
int ls__json_targets(ls_buf *b, const ls_model *m);
enum MHD_Result ls__route_leads(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_lead(struct MHD_Connection *c, ls__req *r, const char *who);
enum MHD_Result ls__route_ledger(struct MHD_Connection *c, ls__req *r, const char *who);
enum MHD_Result ls__route_hooks_list(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_hooks_add(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_hooks_delete(struct MHD_Connection *c, ls__req *r, const char *id);
enum MHD_Result ls__route_deliveries(struct MHD_Connection *c, ls__req *r, const char *id);
/* an http(s) URL of printable ASCII */
bool ls__hook_url_ok(const char *url);
/* the MQL alert's body parts (writer.c uses them) */
int ls__person_json(const ls_model *m, const void *state, const ls_names *names, ls_buf *b);
/* Its members (stage, scores, grades, cell, top_category, MQLs, times),
 * without the braces. */
int ls__person_members(const ls_model *m, const void *state, const ls_names *names, ls_buf *b);
/* The time reads are as of: with --clock event the store clock, else now
 * (never before the clock). */
ls_time ls__read_time(ls_server *s, ls_store *st);

#endif
