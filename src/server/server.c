/* The HTTP front: libmicrohttpd's thread pool reads requests, checks keys
 * and dispatches; writes go to the writer thread (the connection is
 * suspended until its group commits), reads to a pool of read connections.
 * One JSON log line per request, written when the response is done. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/internal.h"

int64_t ls__now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int64_t ls__now_ms(void) { return ls__now_us() / 1000; }

void ls_server_config_init(ls_server_config *c) {
  memset(c, 0, sizeof *c);
  c->host = "127.0.0.1";
  c->port = 8080;
  c->body_limit = (size_t)16 << 20;
  c->max_events = 10000;
  c->threads = 4;
  c->max_connections = 256;
  c->timeout_s = 30;
  c->hook_max_attempts = 8;
  c->hook_backoff_ms = 500;
  c->hook_backoff_max_ms = 300000;
  c->hook_timeout_ms = 5000;
  c->log = stderr;
}

/* ---- responses ---- */

enum MHD_Result ls__respond(struct MHD_Connection *c, ls__req *r, unsigned status,
                            const char *type, ls_buf *body) {
  return ls__respond_h(c, r, status, type, body, NULL, NULL);
}

enum MHD_Result ls__respond_json(struct MHD_Connection *c, ls__req *r, int rc, ls_buf *body) {
  if (!rc) return ls__respond(c, r, 200, "application/json", body);
  ls_buf_free(body);
  return ls__error(c, r, 500, "%s", ls_strerror(rc));
}

enum MHD_Result ls__respond_h(struct MHD_Connection *c, ls__req *r, unsigned status,
                              const char *type, ls_buf *body, const char *hname,
                              const char *hvalue) {
  struct MHD_Response *res =
      MHD_create_response_from_buffer(body->len, body->p, MHD_RESPMEM_MUST_FREE);
  if (!res) {
    ls_buf_free(body);
    return MHD_NO;
  }
  body->p = NULL; /* MHD frees it */
  body->len = body->cap = 0;
  MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  if (hname) MHD_add_response_header(res, hname, hvalue);
  r->status = status;
  enum MHD_Result ok = MHD_queue_response(c, status, res);
  MHD_destroy_response(res);
  return ok;
}

enum MHD_Result ls__error(struct MHD_Connection *c, ls__req *r, unsigned status,
                          const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ls_buf b = {0};
  int rc = ls_buf_appendf(&b, "{\"error\":{\"status\":%u,\"message\":", status);
  if (!rc) rc = ls__json_cstr(&b, msg);
  if (!rc) rc = ls_buf_append(&b, "}}\n", 3);
  if (rc) {
    ls_buf_free(&b);
    return MHD_NO;
  }
  return ls__respond(c, r, status, "application/json", &b);
}

/* ---- read connections ---- */

ls_store *ls__reader_get(ls_server *s) {
  pthread_mutex_lock(&s->rmu);
  ls__reader *r = s->readers;
  if (r) s->readers = r->next;
  pthread_mutex_unlock(&s->rmu);
  ls_store *st = NULL;
  if (r) {
    st = r->s;
    free(r);
  } else {
    ls_diag d = {0};
    if (ls_store_open(&ls_store_sqlite, s->cfg.db, &st, &d)) return NULL;
  }
  if (ls_store_refresh(st) || ls_store_read_begin(st)) {
    ls_store_close(st);
    return NULL;
  }
  return st;
}

void ls__reader_put(ls_server *s, ls_store *st) {
  if (ls_store_read_end(st)) { /* a connection in a strange state is not reused */
    ls_store_close(st);
    return;
  }
  ls__reader *r = malloc(sizeof *r);
  if (!r) {
    ls_store_close(st);
    return;
  }
  r->s = st;
  pthread_mutex_lock(&s->rmu);
  r->next = s->readers;
  s->readers = r;
  pthread_mutex_unlock(&s->rmu);
}

/* ---- routing ---- */

static enum MHD_Result need(struct MHD_Connection *c, ls__req *r, int scopes, unsigned want) {
  static const char *const names[] = {"", "ingest", "read", "", "sales", "", "", "", "admin"};
  if (scopes < 0)
    return ls__error(c, r, 401, "a valid API key is required (Authorization: Bearer KEY)");
  return ls__error(c, r, 403, "the key \"%s\" lacks the scope \"%s\"", r->key_name,
                   want < 9 ? names[want] : "?");
}

static enum MHD_Result healthz(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  ls_buf b = {0};
  if (ls_buf_append(&b, "{\"status\":\"ok\"}\n", 16)) return MHD_NO;
  return ls__respond(c, r, 200, "application/json", &b);
}

static enum MHD_Result metrics(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  ls_buf b = {0};
  int rc = ls__metrics_render(&r->srv->metrics, st, &b);
  ls__reader_put(r->srv, st);
  if (rc) {
    ls_buf_free(&b);
    return ls__error(c, r, 500, "metrics: %s", ls_strerror(rc));
  }
  return ls__respond(c, r, 200, "text/plain; version=0.0.4", &b);
}

/* The routes: docs/openapi.yaml describes exactly these (tests/server
 * checks it through `leadscore serve --routes`). {id} is one path segment. */
static const ls__route routes[] = {
    {"GET", "/healthz", LS__R_OTHER, 0, healthz},
    {"GET", "/metrics", LS__R_OTHER, 0, metrics},
    {"POST", "/v1/events", LS__R_EVENTS, LS__SC_INGEST, ls__route_events},
    {"GET", "/v1/leads", LS__R_LEADS, LS__SC_READ, ls__route_leads},
    {"GET", "/v1/leads/{id}", LS__R_LEAD, LS__SC_READ, ls__route_lead},
    {"DELETE", "/v1/leads/{id}", LS__R_ERASE, LS__SC_ADMIN, ls__route_erase},
    {"GET", "/v1/leads/{id}/ledger", LS__R_LEDGER, LS__SC_READ, ls__route_ledger},
    {"POST", "/v1/leads/{id}/events", LS__R_SALES, LS__SC_SALES, ls__route_sales},
    {"GET", "/v1/leads/{id}/checklist", LS__R_WORKFLOW, LS__SC_READ, ls__route_checklist},
    {"POST", "/v1/leads/{id}/checklist", LS__R_WORKFLOW, LS__SC_SALES, ls__route_checklist_set},
    {"GET", "/v1/leads/{id}/owner", LS__R_WORKFLOW, LS__SC_READ, ls__route_owner},
    {"PUT", "/v1/leads/{id}/owner", LS__R_WORKFLOW, LS__SC_SALES, ls__route_owner_set},
    {"GET", "/v1/tasks", LS__R_WORKFLOW, LS__SC_READ, ls__route_tasks},
    {"POST", "/v1/tasks/{id}/done", LS__R_WORKFLOW, LS__SC_SALES, ls__route_task_done},
    {"GET", "/v1/owners", LS__R_WORKFLOW, LS__SC_READ, ls__route_owners},
    {"GET", "/v1/reports/{id}", LS__R_WORKFLOW, LS__SC_READ, ls__route_report},
    {"GET", "/v1/funnel", LS__R_OTHER, LS__SC_READ, ls__route_funnel},
    {"GET", "/v1/model", LS__R_OTHER, LS__SC_READ, ls__route_model},
    {"GET", "/v1/models", LS__R_OTHER, LS__SC_READ, ls__route_models},
    {"POST", "/v1/models/preview", LS__R_OTHER, LS__SC_ADMIN, ls__route_preview},
    {"GET", "/v1/models/{id}", LS__R_OTHER, LS__SC_READ, ls__route_models},
    {"GET", "/v1/webhooks", LS__R_HOOKS, LS__SC_ADMIN, ls__route_hooks_list},
    {"POST", "/v1/webhooks", LS__R_HOOKS, LS__SC_ADMIN, ls__route_hooks_add},
    {"GET", "/v1/webhooks/deliveries", LS__R_HOOKS, LS__SC_ADMIN, ls__route_deliveries},
    {"DELETE", "/v1/webhooks/{id}", LS__R_HOOKS, LS__SC_ADMIN, ls__route_hooks_delete},
};
#define NROUTES (sizeof routes / sizeof routes[0])

const ls__route *ls__routes(size_t *n) {
  *n = NROUTES;
  return routes;
}

void ls_server_each_route(void (*fn)(void *ud, const char *method, const char *path,
                                     const char *scope),
                          void *ud) {
  for (size_t i = 0; i < NROUTES; i++) {
    unsigned sc = routes[i].scope;
    fn(ud, routes[i].method, routes[i].path,
       sc == LS__SC_INGEST ? "ingest" : sc == LS__SC_READ ? "read" : sc == LS__SC_SALES ? "sales"
       : sc == LS__SC_ADMIN ? "admin" : "");
  }
}

/* Does url match pattern? The {id} segment goes to id (decoded by MHD). */
static bool match(const char *pattern, const char *url, char *id, size_t cap) {
  const char *p = pattern, *u = url;
  while (*p && *u) {
    if (!strncmp(p, "{id}", 4)) {
      size_t n = strcspn(u, "/");
      if (n == 0 || n >= cap) return false;
      memcpy(id, u, n);
      id[n] = '\0';
      u += n;
      p += 4;
    } else if (*p++ != *u++) {
      return false;
    }
  }
  return !*p && !*u;
}

static enum MHD_Result dispatch(struct MHD_Connection *c, ls__req *r, const char *method,
                                const char *url) {
  char id[1024] = "";
  const ls__route *hit = NULL;
  bool path_known = false;
  for (size_t i = 0; i < NROUTES && !hit; i++) {
    if (!match(routes[i].path, url, id, sizeof id)) continue;
    path_known = true;
    if (!strcmp(routes[i].method, method)) hit = &routes[i];
  }
  if (!hit && (!strcmp(method, "GET") || !strcmp(method, "HEAD"))) {
    const ls__static_file *f = ls__static_find(&r->srv->web, url);
    if (f) return ls__static_serve(c, r, f);
    if (!strcmp(url, "/"))
      return ls__error(c, r, 404, "no dashboard here: build it (make web) and start "
                                  "leadscore serve with --web web/dist");
  }
  if (!hit) { /* the routes that share the path say which methods it takes */
    if (!path_known) return ls__error(c, r, 404, "no such route: %s", method);
    char allowed[64] = "";
    for (size_t i = 0; i < NROUTES; i++)
      if (match(routes[i].path, url, id, sizeof id))
        snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), "%s%s",
                 allowed[0] ? ", " : "", routes[i].method);
    return ls__error(c, r, 405, "use %s", allowed);
  }
  r->route = hit->metric;
  if (hit->scope) {
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    int scopes = ls__auth(r->srv, auth, r->key_name, sizeof r->key_name);
    if (scopes < 0 || (!((unsigned)scopes & hit->scope) && !((unsigned)scopes & LS__SC_ADMIN)))
      return need(c, r, scopes, hit->scope);
  }
  return hit->fn(c, r, id);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls) {
  (void)version;
  ls_server *s = cls;
  ls__req *r = *con_cls;
  if (!r) { /* the headers are in */
    if (!(r = calloc(1, sizeof *r))) return MHD_NO;
    r->srv = s;
    r->t0_us = ls__now_us();
    r->route = LS__R_OTHER;
    snprintf(r->method, sizeof r->method, "%s", method);
    *con_cls = r;
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (len && strtoull(len, NULL, 10) > s->cfg.body_limit) r->too_big = true;
    return MHD_YES;
  }
  if (*upload_size) { /* a piece of the body */
    if (!r->too_big && r->body.len + *upload_size > s->cfg.body_limit) {
      r->too_big = true;
      ls_buf_free(&r->body);
    }
    if (!r->too_big && ls_buf_append(&r->body, upload, *upload_size)) return MHD_NO;
    *upload_size = 0;
    return MHD_YES;
  }
  if (!r->counted) { /* a whole request: the drain at stop waits for it (one
                       still sending its body is only cut off) */
    r->counted = true;
    atomic_fetch_add(&s->active, 1);
  }
  if (r->job) return ls__route_job_done(c, r); /* resumed by the writer */
  if (r->too_big)
    return ls__error(c, r, 413, "the body is larger than %zu bytes", s->cfg.body_limit);
  return dispatch(c, r, method, url);
}

/* The route as a template: paths hold identities (PII) and are not logged. */
static const char *route_path(int route) {
  for (size_t i = 0; i < NROUTES; i++)
    if (routes[i].metric == route && route != LS__R_OTHER) return routes[i].path;
  return "other";
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode why) {
  (void)c;
  ls_server *s = cls;
  ls__req *r = *con_cls;
  if (!r) return;
  int64_t us = ls__now_us() - r->t0_us;
  if (!r->status) r->status = why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499;
  ls__metrics_request(&s->metrics, r->route, us, r->status);
  if (s->cfg.log) {
    char ts[32];
    time_t now = (time_t)(r->t0_us / 1000000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&s->logmu);
    fprintf(s->cfg.log,
            "{\"ts\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%u,\"us\":%lld,"
            "\"key\":\"%s\"}\n",
            ts, r->method, route_path(r->route), r->status, (long long)us, r->key_name);
    fflush(s->cfg.log);
    pthread_mutex_unlock(&s->logmu);
  }
  bool counted = r->counted;
  if (r->job) ls__job_free(r->job);
  ls_buf_free(&r->body);
  free(r);
  *con_cls = NULL;
  if (counted) atomic_fetch_sub(&s->active, 1);
}

/* ---- start / stop ---- */

static bool loopback(const char *host) {
  struct in_addr a4;
  struct in6_addr a6;
  if (!strcmp(host, "localhost")) return true;
  if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int ls_server_start(const ls_server_config *cfg, ls_server **out, ls_diag *diag) {
  ls_server *s = calloc(1, sizeof *s);
  if (!s) return LS_ENOMEM;
  s->cfg = *cfg;
  pthread_mutex_init(&s->rmu, NULL);
  pthread_mutex_init(&s->mmu, NULL);
  pthread_mutex_init(&s->logmu, NULL);
  pthread_rwlock_init(&s->keys.mu, NULL);
  pthread_mutex_init(&s->wmu, NULL);
  pthread_cond_init(&s->wcv, NULL);
  pthread_mutex_init(&s->dmu, NULL);
  pthread_mutex_init(&s->smu, NULL);
  pthread_cond_init(&s->scv, NULL);
  pthread_cond_init(&s->dcv, NULL);
  int rc = cfg->web_root ? ls__static_load(&s->web, cfg->web_root, diag) : LS_OK;
  if (!rc && !(s->lindex = ls__lindex_new())) rc = LS_ENOMEM;
  if (!rc && !(s->slog = ls__slog_new())) rc = LS_ENOMEM;
  if (!rc) rc = ls__writer_start(s, diag);
  if (rc) {
    ls__lindex_destroy(s->lindex);
    ls__slog_destroy(s->slog);
    ls__static_free(&s->web);
    free(s);
    return rc;
  }
  int nkeys = ls__keys_count(s);
  if (nkeys < 0) {
    snprintf(diag->msg, sizeof diag->msg, "cannot read the API keys of %s", cfg->db);
    ls_server_stop(s);
    return LS_EIO;
  }
  if (nkeys == 0 && !loopback(cfg->host)) {
    snprintf(diag->msg, sizeof diag->msg,
             "refusing to listen on %s without an API key: create one with "
             "leadscore keys create --db %s --scope ingest,read --name NAME", cfg->host, cfg->db);
    ls_server_stop(s);
    return LS_EINVAL;
  }
  s->auth_open = nkeys == 0;
  if ((rc = ls__deliver_start(s, diag))) {
    ls_server_stop(s);
    return rc;
  }
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
  const char *host = strcmp(cfg->host, "localhost") ? cfg->host : "127.0.0.1";
  bool v6 = strchr(host, ':') != NULL;
  if (v6 ? inet_pton(AF_INET6, host, &a6->sin6_addr) != 1
         : inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
    snprintf(diag->msg, sizeof diag->msg, "--listen: \"%s\" is not an IP address", cfg->host);
    ls_server_stop(s);
    return LS_EINVAL;
  }
  if (v6) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(cfg->port);
  } else {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(cfg->port);
  }
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_USE_EPOLL | (v6 ? MHD_USE_IPv6 : 0);
  s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->timeout_s,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_END);
  if (!s->mhd) {
    snprintf(diag->msg, sizeof diag->msg, "cannot listen on %s:%u (in use?)", cfg->host,
             (unsigned)cfg->port);
    ls_server_stop(s);
    return LS_EIO;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
  s->port = di ? di->port : cfg->port;
  *out = s;
  return LS_OK;
}

uint16_t ls_server_port(const ls_server *s) { return s->port; }
bool ls_server_open_access(const ls_server *s) { return s->auth_open; }

void ls_server_stop(ls_server *s) {
  if (!s) return;
  if (s->mhd) {
    /* no new connections; in-flight requests (and their commits) finish */
    MHD_socket fd = MHD_quiesce_daemon(s->mhd);
    for (int i = 0; i < 3000 && atomic_load(&s->active) > 0; i++) {
      struct timespec t = {0, 10 * 1000 * 1000};
      nanosleep(&t, NULL);
    }
    MHD_stop_daemon(s->mhd);
    /* closed only now: MHD's polling thread may still be taking the socket
     * out of its epoll set after quiesce, and aborts if it is gone */
    if (fd != MHD_INVALID_SOCKET) close(fd);
  }
  ls__deliver_stop(s);
  ls__writer_stop(s);
  while (s->readers) {
    ls__reader *r = s->readers;
    s->readers = r->next;
    ls_store_close(r->s);
    free(r);
  }
  ls__keys_free(&s->keys);
  ls__static_free(&s->web);
  ls__lindex_destroy(s->lindex);
  ls__slog_destroy(s->slog);
  free(s->wdirty);
  for (size_t i = 0; i < sizeof s->months / sizeof *s->months; i++) ls_buf_free(&s->months[i].json);
  pthread_mutex_destroy(&s->mmu);
  pthread_mutex_destroy(&s->rmu);
  pthread_mutex_destroy(&s->logmu);
  pthread_rwlock_destroy(&s->keys.mu);
  pthread_mutex_destroy(&s->wmu);
  pthread_cond_destroy(&s->wcv);
  pthread_mutex_destroy(&s->dmu);
  pthread_mutex_destroy(&s->smu);
  pthread_cond_destroy(&s->scv);
  pthread_cond_destroy(&s->dcv);
  free(s);
}
