/* The webhook subscriptions as the writer and the deliverer hold them: a
 * copy read from the store once per group (writer) or per round (deliverer),
 * so that no store statement stays open while they are used. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "server/internal.h"

static int on_hook(void *ud, const ls_store_hook *h) {
  ls__hooks *hv = ud;
  ls_store_hook *v = realloc(hv->v, (hv->n + 1) * sizeof *v);
  if (!v) return LS_ENOMEM;
  hv->v = v;
  ls_store_hook *mine = &v[hv->n];
  *mine = *h;
  mine->url = strdup(h->url);
  mine->events = strdup(h->events);
  mine->secret = strdup(h->secret);
  hv->n++; /* counted even when a copy failed: ls__hooks_free frees what is there */
  return mine->url && mine->events && mine->secret ? LS_OK : LS_ENOMEM;
}

int ls__hooks_load(ls_store *st, ls__hooks *hv) {
  ls__hooks_free(hv);
  return ls_store_hook_scan(st, on_hook, hv);
}

void ls__hooks_free(ls__hooks *hv) {
  for (size_t i = 0; i < hv->n; i++) {
    free((char *)hv->v[i].url);
    free((char *)hv->v[i].events);
    free((char *)hv->v[i].secret);
  }
  free(hv->v);
  hv->v = NULL;
  hv->n = 0;
}

const ls_store_hook *ls__hooks_find(const ls__hooks *hv, int64_t id) {
  for (size_t i = 0; i < hv->n; i++)
    if (hv->v[i].id == id) return &hv->v[i];
  return NULL;
}

bool ls__hook_wants(const ls_store_hook *h, const char *kind) {
  size_t n = strlen(kind);
  for (const char *p = h->events; *p;) {
    const char *e = strchr(p, ',');
    size_t k = e ? (size_t)(e - p) : strlen(p);
    if (k == n && !strncmp(p, kind, n)) return true;
    p += k + (e != NULL);
  }
  return false;
}
