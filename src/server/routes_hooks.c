/* Webhook subscriptions over HTTP (admin): POST /v1/webhooks,
 * GET /v1/webhooks, DELETE /v1/webhooks/{id}, GET /v1/webhooks/deliveries. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

typedef struct sub {
  char *url, *secret;
  ls_buf events;
  char bad[160];
} sub;

static int on_member(void *ud, const char *key, const char *v, size_t n) {
  sub *s = ud;
  if (s->bad[0]) return 0;
  if (!strcmp(key, "url")) {
    free(s->url);
    s->url = strndup(v, n);
  } else if (!strcmp(key, "secret")) {
    free(s->secret);
    s->secret = strndup(v, n);
  } else if (!strcmp(key, "events")) {
    if (memchr(v, ',', n))
      snprintf(s->bad, sizeof s->bad, "events: one event name per array element");
    else if (ls_buf_appendf(&s->events, "%s%.*s", s->events.len ? "," : "", (int)n, v))
      return LS_ENOMEM;
  } else {
    snprintf(s->bad, sizeof s->bad, "unknown member \"%.40s\" (url, events, secret)", key);
  }
  return 0;
}

/* A URL the deliverer can post to. */
bool ls__hook_url_ok(const char *u) {
  if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)) return false;
  for (const char *p = u; *p; p++)
    if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) return false;
  return strlen(u) < 2048;
}

static int hook_json(ls_buf *b, const ls_store_hook *h) {
  int rc = ls_buf_appendf(b, "{\"id\":%" PRId64 ",\"url\":", h->id);
  if (!rc) rc = ls__json_cstr(b, h->url);
  if (!rc) rc = ls_buf_append(b, ",\"events\":[", 11);
  for (const char *p = h->events; *p && !rc;) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    rc = ls_buf_appendf(b, "%s\"%.*s\"", p == h->events ? "" : ",", (int)n, p);
    p += n + (e != NULL);
  }
  return rc ? rc : ls_buf_append(b, "]}", 2);
}

static enum MHD_Result add(struct MHD_Connection *c, ls__req *r) {
  sub s = {0};
  const char *err = NULL;
  int rc = ls__json_object(r->body.p ? r->body.p : "", r->body.len, on_member, &s, &err);
  enum MHD_Result out;
  if (rc == LS_EINVAL) {
    out = ls__error(c, r, 400, "invalid body: %s", err);
  } else if (rc || s.bad[0]) {
    out = rc ? ls__error(c, r, 500, "%s", ls_strerror(rc)) : ls__error(c, r, 400, "%s", s.bad);
  } else {
    ls_store *st = ls__reader_get(r->srv);
    ls_store_hook h = {0, s.url ? s.url : "", s.events.p ? s.events.p : "",
                       s.secret ? s.secret : "", 0};
    char why[256] = "";
    /* a write: outside the read connection's read transaction */
    rc = st ? ls_store_read_end(st) : LS_EIO;
    if (!rc) rc = ls_server_hook_add(st, h.url, h.events, h.secret, &h.id, why, sizeof why);
    if (st && ls_store_read_begin(st) && !rc) rc = LS_EIO;
    if (st) ls__reader_put(r->srv, st);
    if (rc == LS_EINVAL) { /* the command line's words, for the body's members */
      free(s.url);
      free(s.secret);
      ls_buf_free(&s.events);
      return ls__error(c, r, 400, "%s", why + (why[0] == '-' ? 2 : 0));
    }
    ls_buf b = {0};
    if (!rc) rc = hook_json(&b, &h);
    if (!rc) rc = ls_buf_append(&b, "\n", 1);
    out = rc ? ls__error(c, r, 500, "%s", ls_strerror(rc))
             : ls__respond(c, r, 201, "application/json", &b);
    ls_buf_free(&b);
  }
  free(s.url);
  free(s.secret);
  ls_buf_free(&s.events);
  return out;
}

static int on_hook(void *ud, const ls_store_hook *h) {
  ls_buf *b = ud;
  int rc = b->p[b->len - 1] != '[' ? ls_buf_append(b, ",", 1) : LS_OK; /* not the first */
  return rc ? rc : hook_json(b, h);
}

static int on_delivery(void *ud, const ls_store_delivery *d) {
  ls_buf *b = ud;
  static const char *const st[] = {"pending", "delivered", "dead", "cancelled"};
  int rc = ls_buf_appendf(b, "%s{\"id\":%" PRId64 ",\"webhook\":%" PRId64
                             ",\"delivery_id\":\"%s\",\"kind\":\"%s\",\"lead_id\":",
                          b->p[b->len - 1] != '[' ? "," : "", d->id, d->hook, d->delivery_id,
                          d->kind);
  if (!rc) rc = ls__json_str(b, d->person.p, d->person.n);
  if (!rc) rc = ls_buf_appendf(b, ",\"status\":\"%s\",\"attempts\":%d,\"next_at_ms\":%" PRId64
                                  ",\"last_error\":",
                               d->status >= 0 && d->status < 4 ? st[d->status] : "?",
                               d->attempts, d->next_ms);
  if (!rc) rc = d->last_error ? ls__json_cstr(b, d->last_error) : ls_buf_append(b, "null", 4);
  return rc ? rc : ls_buf_append(b, "}", 1);
}

/* Runs list(st, &b) on a read connection and answers with b. */
static enum MHD_Result with_store(struct MHD_Connection *c, ls__req *r, const char *id,
                                  int (*fn)(ls_store *st, const char *arg, ls_buf *b),
                                  const char *arg) {
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  ls_buf b = {0};
  int rc = fn(st, arg, &b);
  ls__reader_put(r->srv, st);
  if (rc) ls_buf_free(&b);
  if (rc == LS_ENOTFOUND) return ls__error(c, r, 404, "no webhook %s", id);
  if (rc) return ls__error(c, r, 500, "%s", ls_strerror(rc));
  return ls__respond(c, r, 200, "application/json", &b);
}

static int list_hooks(ls_store *st, const char *arg, ls_buf *b) {
  (void)arg;
  int rc = ls_buf_append(b, "{\"webhooks\":[", 13);
  if (!rc) rc = ls_store_hook_scan(st, on_hook, b);
  return rc ? rc : ls_buf_append(b, "]}\n", 3);
}

static int list_deliveries(ls_store *st, const char *arg, ls_buf *b) {
  int status = arg ? (int)(arg[0] - '0') : -1;
  int rc = ls_buf_append(b, "{\"deliveries\":[", 15);
  if (!rc) rc = ls_store_outbox_scan(st, status >= 0 ? &status : NULL, on_delivery, b);
  return rc ? rc : ls_buf_append(b, "]}\n", 3);
}

static int delete_hook(ls_store *st, const char *arg, ls_buf *b) {
  int rc = ls_store_read_end(st); /* a write: outside the read transaction */
  if (!rc) rc = ls_store_hook_delete(st, strtoll(arg, NULL, 10));
  int rb = ls_store_read_begin(st);
  if (!rc) rc = rb;
  return rc ? rc : ls_buf_append(b, "{\"deleted\":true}\n", 17);
}

enum MHD_Result ls__route_hooks_list(struct MHD_Connection *c, ls__req *r, const char *id) {
  return with_store(c, r, id, list_hooks, NULL);
}

enum MHD_Result ls__route_hooks_add(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  return add(c, r);
}

enum MHD_Result ls__route_hooks_delete(struct MHD_Connection *c, ls__req *r, const char *id) {
  if (strspn(id, "0123456789") != strlen(id)) return ls__error(c, r, 404, "no webhook %s", id);
  return with_store(c, r, id, delete_hook, id);
}

enum MHD_Result ls__route_deliveries(struct MHD_Connection *c, ls__req *r, const char *id) {
  const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "status");
  const char *arg = NULL;
  if (q) {
    arg = !strcmp(q, "pending")     ? "0"
          : !strcmp(q, "delivered") ? "1"
          : !strcmp(q, "dead")      ? "2"
          : !strcmp(q, "cancelled") ? "3"
                                    : NULL;
    if (!arg) return ls__error(c, r, 400, "status must be pending, delivered, dead or cancelled");
  }
  return with_store(c, r, id, list_deliveries, arg);
}
