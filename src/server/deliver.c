/* The webhook deliverer: one thread with its own store connection takes the
 * due deliveries from the outbox (oldest first, a person's in order), posts
 * each signed (libcurl), and records the outcome: delivered, or retried
 * later with exponential backoff and jitter, or dead after the configured
 * number of attempts. The writer wakes it when a commit added deliveries;
 * otherwise it looks every 250 ms, for retries that came due. */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/crypto.h"
#include "server/internal.h"

typedef struct item {
  int64_t id, hook;
  int attempts;
  char *delivery_id, *body;
  size_t body_n;
} item;

typedef struct batch {
  item v[64];
  size_t n;
} batch;

static int on_due(void *ud, const ls_store_delivery *d) {
  batch *b = ud;
  if (b->n == 64) return 0;
  item *it = &b->v[b->n];
  it->id = d->id;
  it->hook = d->hook;
  it->attempts = d->attempts;
  it->delivery_id = strdup(d->delivery_id);
  it->body = malloc(d->body.n + 1);
  if (!it->delivery_id || !it->body) {
    free(it->delivery_id);
    free(it->body);
    return LS_ENOMEM;
  }
  memcpy(it->body, d->body.p, d->body.n);
  it->body[d->body.n] = '\0';
  it->body_n = d->body.n;
  b->n++;
  return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return size * n;
}

/* Posts one delivery; 0 when the receiver answered 2xx, else why in err. */
static int post(ls_server *s, CURL *cu, const ls_store_hook *h, const item *it, char *err,
                size_t cap) {
  char ts[32], sig[80], hdr[3][160];
  snprintf(ts, sizeof ts, "%" PRId64, ls__now_ms() / 1000);
  /* the signed text: "<timestamp>.<body>" */
  size_t tn = strlen(ts);
  char *signed_text = malloc(tn + 1 + it->body_n);
  if (!signed_text) return snprintf(err, cap, "out of memory"), -1;
  memcpy(signed_text, ts, tn);
  signed_text[tn] = '.';
  memcpy(signed_text + tn + 1, it->body, it->body_n);
  unsigned char mac[32];
  ls__hmac_sha256(h->secret, strlen(h->secret), signed_text, tn + 1 + it->body_n, mac);
  free(signed_text);
  char hex[65];
  ls__hex(mac, 32, hex);
  snprintf(sig, sizeof sig, "v1=%s", hex);
  snprintf(hdr[0], sizeof hdr[0], "X-Leadscore-Delivery: %s", it->delivery_id);
  snprintf(hdr[1], sizeof hdr[1], "X-Leadscore-Timestamp: %s", ts);
  snprintf(hdr[2], sizeof hdr[2], "X-Leadscore-Signature: %s", sig);
  struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
  for (int i = 0; i < 3; i++) hl = curl_slist_append(hl, hdr[i]);
  curl_easy_setopt(cu, CURLOPT_URL, h->url);
  curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hl);
  curl_easy_setopt(cu, CURLOPT_POSTFIELDS, it->body);
  curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->body_n);
  curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, (long)s->cfg.hook_timeout_ms);
  curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(cu, CURLOPT_USERAGENT, "leadscore-webhooks/1");
  CURLcode cc = curl_easy_perform(cu);
  long code = 0;
  curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(hl);
  if (cc != CURLE_OK) return snprintf(err, cap, "%s", curl_easy_strerror(cc)), -1;
  if (code < 200 || code > 299) return snprintf(err, cap, "HTTP %ld", code), -1;
  return 0;
}

/* The delay before attempt k + 1: base * 2^(k-1), at most max, then a
 * random half of it dropped ("equal jitter") so that retries spread out. */
static int64_t backoff(const ls_server *s, int attempts) {
  int64_t d = s->cfg.hook_backoff_ms;
  for (int i = 1; i < attempts && d < s->cfg.hook_backoff_max_ms; i++) d *= 2;
  if (d > s->cfg.hook_backoff_max_ms) d = s->cfg.hook_backoff_max_ms;
  uint32_t rnd = 0;
  ls__random(&rnd, sizeof rnd);
  return d / 2 + (int64_t)((double)(d / 2) * (rnd / 4294967296.0));
}

static void deliver_batch(ls_server *s, CURL *cu, batch *b, const ls__hooks *hv) {
  for (size_t i = 0; i < b->n; i++) {
    item *it = &b->v[i];
    const ls_store_hook *h = ls__hooks_find(hv, it->hook);
    char err[256] = "";
    int attempts = it->attempts + 1;
    int ok = h ? post(s, cu, h, it, err, sizeof err) : (snprintf(err, sizeof err, "no webhook"), -1);
    int status = LS_DELIVERY_PENDING;
    int64_t next = ls__now_ms();
    if (ok == 0) {
      status = LS_DELIVERY_DONE;
      atomic_fetch_add(&s->metrics.delivered, 1);
    } else if (attempts >= s->cfg.hook_max_attempts || !h) {
      status = LS_DELIVERY_DEAD;
      atomic_fetch_add(&s->metrics.dead, 1);
    } else {
      next += backoff(s, attempts);
      atomic_fetch_add(&s->metrics.failed, 1);
    }
    ls_store_outbox_set(s->ds, it->id, status, attempts, next, ok ? err : NULL);
    free(it->delivery_id);
    free(it->body);
  }
  b->n = 0;
}

static void *deliverer(void *arg) {
  ls_server *s = arg;
  CURL *cu = curl_easy_init();
  batch *b = calloc(1, sizeof *b);
  for (;;) {
    pthread_mutex_lock(&s->dmu);
    bool stop = s->dstop;
    s->kick = false;
    pthread_mutex_unlock(&s->dmu);
    if (stop || !cu || !b) break;
    ls__hooks hv = {0};
    size_t got = 0;
    if (!ls_store_refresh(s->ds) && !ls__hooks_load(s->ds, &hv) &&
        !ls_store_outbox_due(s->ds, ls__now_ms(), 64, on_due, b)) {
      got = b->n;
      deliver_batch(s, cu, b, &hv);
    }
    for (size_t i = 0; i < b->n; i++) free(b->v[i].delivery_id), free(b->v[i].body);
    b->n = 0;
    ls__hooks_free(&hv);
    if (got == 64) continue; /* more are due */
    pthread_mutex_lock(&s->dmu);
    if (!s->kick && !s->dstop) {
      struct timespec t;
      clock_gettime(CLOCK_REALTIME, &t);
      t.tv_nsec += 250 * 1000000L;
      if (t.tv_nsec >= 1000000000L) t.tv_sec++, t.tv_nsec -= 1000000000L;
      pthread_cond_timedwait(&s->dcv, &s->dmu, &t);
    }
    pthread_mutex_unlock(&s->dmu);
  }
  free(b);
  if (cu) curl_easy_cleanup(cu);
  return NULL;
}

void ls__deliver_kick(ls_server *s) {
  pthread_mutex_lock(&s->dmu);
  s->kick = true;
  pthread_cond_signal(&s->dcv);
  pthread_mutex_unlock(&s->dmu);
}

int ls__deliver_start(ls_server *s, ls_diag *diag) {
  int rc = ls_store_open(&ls_store_sqlite, s->cfg.db, &s->ds, diag);
  if (rc) return rc;
  if (pthread_create(&s->dth, NULL, deliverer, s)) {
    ls_store_close(s->ds);
    s->ds = NULL;
    snprintf(diag->msg, sizeof diag->msg, "cannot start the webhook thread");
    return LS_EIO;
  }
  return LS_OK;
}

void ls__deliver_stop(ls_server *s) {
  if (!s->ds) return;
  pthread_mutex_lock(&s->dmu);
  s->dstop = true;
  pthread_cond_signal(&s->dcv);
  pthread_mutex_unlock(&s->dmu);
  pthread_join(s->dth, NULL);
  ls_store_close(s->ds);
  s->ds = NULL;
}
