/* leadscore — the service: HTTP ingest and the lead API on top of a store
 * (leadscore serve). Threads: the HTTP server's pool (libmicrohttpd), one
 * writer that owns the store's write connection and commits concurrent
 * requests together, one webhook deliverer; reads use a pool of read
 * connections. */
#ifndef LEADSCORE_SERVER_H
#define LEADSCORE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "leadscore/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ls_server_config {
  const char *db;           /* the store (borrowed) */
  const char *host;         /* listen address, default "127.0.0.1" */
  uint16_t port;            /* 0: any free port (see ls_server_port) */
  bool event_clock;         /* --clock event: the clock is the latest event
                               time; else (wall) reads are as of now */
  size_t body_limit;        /* bytes, default 16 MiB */
  size_t max_events;        /* per request, default 10 000 */
  unsigned threads;         /* HTTP worker threads, default 4 */
  unsigned max_connections; /* default 256 */
  unsigned timeout_s;       /* idle connection timeout, default 30 */
  int hook_max_attempts;    /* deliveries: then dead, default 8 */
  int64_t hook_backoff_ms;  /* first retry delay, doubled each time (with
                               jitter), default 500 */
  int64_t hook_backoff_max_ms; /* default 300 000 */
  int64_t hook_timeout_ms;  /* per attempt, default 5 000 */
  FILE *log;                /* one JSON line per request; NULL: none */
  const char *web_root;     /* the built dashboard (web/dist), served at /
                               and /assets/; NULL: none */
} ls_server_config;

/* Fills c with the defaults. */
void ls_server_config_init(ls_server_config *c);

typedef struct ls_server ls_server;

/* Opens the store and starts listening; returns new *out. Fails (with
 * diag->msg) on a bad store, an address in use, or a non-loopback address
 * while the store has no API key. */
int ls_server_start(const ls_server_config *c, ls_server **out, ls_diag *diag);
/* The port listened on (the one chosen when config.port was 0). */
uint16_t ls_server_port(const ls_server *s);
/* True when the store had no API key at start on a loopback address: the
 * API is open until a key is created (development). */
bool ls_server_open_access(const ls_server *s);
/* Stops accepting, lets in-flight requests finish (their commits
 * included), stops the threads and frees everything. NULL is a no-op. */
void ls_server_stop(ls_server *s);

/* Calls fn for every route the server answers: method, path template
 * ("/v1/leads/{id}") and the scope it needs ("" for none). */
void ls_server_each_route(void (*fn)(void *ud, const char *method, const char *path,
                                     const char *scope),
                          void *ud);

/* ---- administration (the keys and webhooks commands use these) ---- */

struct ls_store;

/* Creates an API key named `name` with `scopes` ("ingest,read,sales,admin",
 * any non-empty subset; admin implies every scope) and writes it to key
 * (`cap` >= 53 bytes): it is shown once, only its SHA-256 is stored.
 * LS_EINVAL with why for a bad name or scope. */
int ls_server_key_create(struct ls_store *s, const char *name, const char *scopes, char *key,
                         size_t cap, char *why, size_t why_cap);

/* Subscribes `url` (http:// or https://) to `events` ("mql,stage_changed,
 * task_due", any non-empty subset) signed with `secret` (>= 16 bytes); sets
 * *id. LS_EINVAL with why for bad arguments. */
int ls_server_hook_add(struct ls_store *s, const char *url, const char *events,
                       const char *secret, int64_t *id, char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
