/* Creating API keys and webhook subscriptions, for the command line and
 * the API alike. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "server/crypto.h"
#include "server/internal.h"

static bool name_ok(const char *n) {
  size_t len = strlen(n);
  if (!len || len > 63) return false;
  for (const char *p = n; *p; p++)
    if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
        !strchr("-_.", *p))
      return false;
  return true;
}

int ls_server_key_create(ls_store *s, const char *name, const char *scopes, char *key,
                         size_t cap, char *why, size_t why_cap) {
  unsigned sc = 0;
  if (!name_ok(name)) {
    snprintf(why, why_cap, "--name: 1 to 63 letters, digits, '-', '_' or '.', not \"%s\"", name);
    return LS_EINVAL;
  }
  if (!ls__scopes_parse(scopes, &sc)) {
    snprintf(why, why_cap, "--scope: a comma-separated list of ingest, read, sales, admin, "
                           "not \"%s\"", scopes);
    return LS_EINVAL;
  }
  if (cap < 53) return LS_EINVAL;
  unsigned char raw[24];
  int rc = ls__random(raw, sizeof raw);
  if (rc) return rc;
  memcpy(key, "lsk_", 4);
  ls__hex(raw, sizeof raw, key + 4);
  unsigned char h[32];
  ls__sha256(key, strlen(key), h);
  ls_store_key k = {0, name, scopes, {(const char *)h, 32}, ls__now_ms(), 0};
  return ls_store_key_add(s, &k);
}

static bool events_ok(const char *e) {
  static const char *const kinds[] = {"mql", "stage_changed", "task_due", "sla_breached"};
  if (!*e) return false;
  for (const char *p = e; *p;) {
    const char *c = strchr(p, ',');
    size_t n = c ? (size_t)(c - p) : strlen(p);
    bool known = false;
    for (size_t i = 0; i < 4; i++) known |= strlen(kinds[i]) == n && !strncmp(kinds[i], p, n);
    if (!known) return false;
    p += n + (c != NULL);
  }
  return true;
}

int ls_server_hook_add(ls_store *s, const char *url, const char *events, const char *secret,
                       int64_t *id, char *why, size_t why_cap) {
  if (!ls__hook_url_ok(url)) {
    snprintf(why, why_cap, "--url: an http:// or https:// URL is required, not \"%s\"", url);
    return LS_EINVAL;
  }
  if (!events_ok(events)) {
    snprintf(why, why_cap, "--events: a comma-separated list of mql, stage_changed, "
                           "task_due, sla_breached, not \"%s\"", events);
    return LS_EINVAL;
  }
  if (strlen(secret) < 16) {
    snprintf(why, why_cap, "--secret: at least 16 characters (it signs the deliveries)");
    return LS_EINVAL;
  }
  ls_store_hook h = {0, url, events, secret, ls__now_ms()};
  int rc = ls_store_hook_add(s, &h);
  if (!rc) *id = h.id;
  return rc;
}
