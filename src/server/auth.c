/* API keys: a request's key is hashed (SHA-256) and looked up among the
 * active keys, which are re-read from the store at most once a second, so
 * that a key created or revoked from the command line takes effect within
 * a second without a lock on the store per request. */
#include <stdlib.h>
#include <string.h>

#include "server/crypto.h"
#include "server/internal.h"

bool ls__scopes_parse(const char *text, unsigned *out) {
  static const char *const names[] = {"ingest", "read", "sales", "admin"};
  *out = 0;
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    bool known = false;
    for (unsigned i = 0; i < 4; i++)
      if (strlen(names[i]) == n && !strncmp(p, names[i], n)) *out |= 1u << i, known = true;
    if (!known) return false;
    p += n + (e != NULL);
  }
  return *out != 0;
}

typedef struct load_ctx {
  ls__keyent *v;
  size_t n, cap;
  int rc;
} load_ctx;

static int on_key(void *ud, const ls_store_key *k) {
  load_ctx *c = ud;
  unsigned sc = 0;
  if (k->revoked_ms || k->hash.n != 32 || !ls__scopes_parse(k->scopes, &sc)) return 0;
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 8;
    ls__keyent *v = realloc(c->v, cap * sizeof *v);
    if (!v) return LS_ENOMEM;
    c->v = v;
    c->cap = cap;
  }
  ls__keyent *e = &c->v[c->n++];
  memcpy(e->hash, k->hash.p, 32);
  snprintf(e->name, sizeof e->name, "%s", k->name);
  e->scopes = sc;
  return 0;
}

/* Re-reads the keys when they are older than a second (or never read). */
static int reload(ls_server *s, bool force) {
  int64_t now = ls__now_ms();
  if (!force && s->keys.loaded_ms && now - s->keys.loaded_ms < 1000) return LS_OK;
  ls_store *st = ls__reader_get(s);
  if (!st) return LS_EIO;
  load_ctx c = {NULL, 0, 0, LS_OK};
  int rc = ls_store_key_scan(st, on_key, &c);
  ls__reader_put(s, st);
  if (rc) {
    free(c.v);
    return rc;
  }
  free(s->keys.v);
  s->keys.v = c.v;
  s->keys.n = c.n;
  s->keys.loaded_ms = now;
  return LS_OK;
}

int ls__keys_count(ls_server *s) {
  pthread_rwlock_wrlock(&s->keys.mu);
  int rc = reload(s, true);
  int n = rc ? -1 : (int)s->keys.n;
  pthread_rwlock_unlock(&s->keys.mu);
  return n;
}

int ls__auth(ls_server *s, const char *header, char *name, size_t cap) {
  name[0] = '\0';
  const char *key = NULL;
  if (header && !strncmp(header, "Bearer ", 7)) key = header + 7;
  unsigned char h[32];
  if (key) ls__sha256(key, strlen(key), h);
  /* readers share the lock; the once-a-second re-read takes it alone */
  pthread_rwlock_rdlock(&s->keys.mu);
  if (ls__now_ms() - s->keys.loaded_ms >= 1000) {
    pthread_rwlock_unlock(&s->keys.mu);
    pthread_rwlock_wrlock(&s->keys.mu);
    reload(s, false);
    pthread_rwlock_unlock(&s->keys.mu);
    pthread_rwlock_rdlock(&s->keys.mu);
  }
  int scopes = -1;
  for (size_t i = 0; key && i < s->keys.n; i++)
    if (ls__same(s->keys.v[i].hash, h, 32)) {
      scopes = (int)s->keys.v[i].scopes;
      snprintf(name, cap, "%s", s->keys.v[i].name);
    }
  bool open = s->keys.n == 0 && s->auth_open;
  pthread_rwlock_unlock(&s->keys.mu);
  if (scopes < 0 && open) { /* loopback, no key at all: development mode */
    snprintf(name, cap, "%s", "(open)");
    return LS__SC_ADMIN;
  }
  return scopes;
}

void ls__keys_free(ls__keys *k) {
  free(k->v);
  k->v = NULL;
  k->n = 0;
}
