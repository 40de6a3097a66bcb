/* A load generator for leadscore serve over loopback: plain HTTP/1.1 on
 * keep-alive sockets, one per client thread, no library in the way.
 *
 *   build/bench/bench_http ingest  --port P --file F [--clients 4] [--batch 500] [--key K]
 *   build/bench/bench_http get     --port P --ids F [--clients 4] [--seconds 5] [--key K]
 *   build/bench/bench_http webhook --port P [--rate 5000] [--seconds 5] [--key K]
 *
 * ingest: the lines of F cut into batches of `batch` consecutive lines,
 *   batch b going to client b mod C (a producer batching its stream, four
 *   producers), posted as JSON Lines bodies; prints events/s over the whole
 *   run and the latency of a request (p50, p99).
 * get: GET /v1/leads/{id} for the ids of F (one per line) in turn; req/s and
 *   latency.
 * webhook: subscribes a receiver of its own (127.0.0.1, any port) to mql
 *   alerts, then posts batches of 50 events at `rate` events/s for `seconds`;
 *   every 25th person crosses the MQL threshold of the reference model in
 *   its batch. For each alert: the time from the return of the ingest call
 *   that made it to its arrival at the receiver (p50, p99, max). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port = 8080, clients = 4, batch = 500, seconds = 5, rate = 5000;
static const char *key = NULL, *file = NULL;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
    perror("connect");
    exit(3);
  }
  return fd;
}

static void send_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) {
      perror("write");
      exit(3);
    }
    p += w, n -= (size_t)w;
  }
}

/* One request; returns the status. The response is read whole (by
 * Content-Length) into buf. */
static int request(int fd, const char *method, const char *path, const char *body, size_t n,
                   char *buf, size_t cap) {
  char head[512];
  int hn = snprintf(head, sizeof head,
                    "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                    "Content-Length: %zu\r\n%s%s%s\r\n",
                    method, path, n, key ? "Authorization: Bearer " : "", key ? key : "",
                    key ? "\r\n" : "");
  send_all(fd, head, (size_t)hn);
  if (n) send_all(fd, body, n);
  size_t got = 0;
  for (;;) {
    ssize_t r = read(fd, buf + got, cap - 1 - got);
    if (r <= 0) {
      fprintf(stderr, "bench_http: connection closed\n");
      exit(3);
    }
    got += (size_t)r;
    buf[got] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (!end) continue;
    const char *cl = strstr(buf, "Content-Length: ");
    if (!cl) cl = strstr(buf, "content-length: ");
    size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
    if (got >= want) break;
  }
  return atoi(buf + 9);
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, double *lat, size_t n) {
  qsort(lat, n, sizeof *lat, cmp);
  if (n)
    printf("%s latency ms: p50 %.2f  p99 %.2f  max %.2f  (n=%zu)\n", what, lat[n / 2] * 1e3,
           lat[(size_t)((double)n * 0.99)] * 1e3, lat[n - 1] * 1e3, n);
}

/* ---- ingest ---- */

typedef struct worker {
  char **bodies;
  size_t *lens, n, events;
  double *lat;
  char **ids;
  size_t nids, done;
  int id;
} worker;

static void *ingest_worker(void *arg) {
  worker *w = arg;
  int fd = dial();
  char *buf = malloc(1 << 16);
  for (size_t i = 0; i < w->n; i++) {
    double t0 = now_s();
    int st = request(fd, "POST", "/v1/events", w->bodies[i], w->lens[i], buf, 1 << 16);
    w->lat[i] = now_s() - t0;
    if (st != 200) {
      fprintf(stderr, "bench_http: POST answered %d: %.200s\n", st, buf);
      exit(1);
    }
  }
  close(fd);
  free(buf);
  return NULL;
}

static int run_ingest(void) {
  FILE *f = fopen(file, "rb");
  if (!f) return perror(file), 3;
  worker *w = calloc((size_t)clients, sizeof *w);
  char **cur = calloc((size_t)clients, sizeof *cur);
  size_t *cn = calloc((size_t)clients, sizeof *cn), *ccap = calloc((size_t)clients, sizeof *ccap);
  size_t *count = calloc((size_t)clients, sizeof *count), total = 0, k = 0;
  char *line = NULL;
  size_t lcap = 0;
  ssize_t len;
  while ((len = getline(&line, &lcap, f)) > 0) { /* batch b to client b mod C */
    int c = (int)((k++ / (size_t)batch) % (size_t)clients);
    if (cn[c] + (size_t)len + 1 > ccap[c]) {
      ccap[c] = (cn[c] + (size_t)len + 1) * 2;
      cur[c] = realloc(cur[c], ccap[c]);
    }
    memcpy(cur[c] + cn[c], line, (size_t)len);
    cn[c] += (size_t)len;
    total++;
    if (++count[c] == (size_t)batch) {
      worker *x = &w[c];
      x->bodies = realloc(x->bodies, (x->n + 1) * sizeof *x->bodies);
      x->lens = realloc(x->lens, (x->n + 1) * sizeof *x->lens);
      x->bodies[x->n] = cur[c];
      x->lens[x->n++] = cn[c];
      cur[c] = NULL, cn[c] = ccap[c] = 0, count[c] = 0;
    }
  }
  for (int c = 0; c < clients; c++)
    if (count[c]) {
      worker *x = &w[c];
      x->bodies = realloc(x->bodies, (x->n + 1) * sizeof *x->bodies);
      x->lens = realloc(x->lens, (x->n + 1) * sizeof *x->lens);
      x->bodies[x->n] = cur[c];
      x->lens[x->n++] = cn[c];
    }
  fclose(f);
  free(line);
  pthread_t th[64];
  size_t nlat = 0;
  for (int c = 0; c < clients; c++) w[c].lat = calloc(w[c].n + 1, sizeof(double)), nlat += w[c].n;
  double t0 = now_s();
  for (int c = 0; c < clients; c++) pthread_create(&th[c], NULL, ingest_worker, &w[c]);
  for (int c = 0; c < clients; c++) pthread_join(th[c], NULL);
  double dt = now_s() - t0;
  printf("ingest: %zu lines in %.2f s = %.0f events/s (%d clients, batches of %d)\n", total, dt,
         (double)total / dt, clients, batch);
  double *lat = malloc((nlat + 1) * sizeof *lat);
  size_t m = 0;
  for (int c = 0; c < clients; c++)
    for (size_t i = 0; i < w[c].n; i++) lat[m++] = w[c].lat[i];
  report("request", lat, m);
  return 0;
}

/* ---- get ---- */

static volatile int stop_flag;

static void *get_worker(void *arg) {
  worker *w = arg;
  int fd = dial();
  char *buf = malloc(1 << 20), path[512];
  size_t cap = 1 << 20, i = (size_t)w->id * 7919;
  while (!stop_flag) {
    snprintf(path, sizeof path, "/v1/leads/%s", w->ids[i++ % w->nids]);
    double t0 = now_s();
    int st = request(fd, "GET", path, "", 0, buf, cap);
    if (w->done < 2000000) w->lat[w->done] = now_s() - t0;
    if (st != 200) {
      fprintf(stderr, "bench_http: GET %s answered %d\n", path, st);
      exit(1);
    }
    w->done++;
  }
  close(fd);
  free(buf);
  return NULL;
}

static int run_get(void) {
  FILE *f = fopen(file, "rb");
  if (!f) return perror(file), 3;
  char **ids = NULL, *line = NULL;
  size_t n = 0, lcap = 0;
  ssize_t len;
  while ((len = getline(&line, &lcap, f)) > 0) {
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    ids = realloc(ids, (n + 1) * sizeof *ids);
    ids[n++] = strdup(line);
  }
  fclose(f);
  worker w[64] = {0};
  pthread_t th[64];
  for (int c = 0; c < clients; c++) {
    w[c].ids = ids, w[c].nids = n, w[c].id = c;
    w[c].lat = malloc(2000000 * sizeof(double));
    pthread_create(&th[c], NULL, get_worker, &w[c]);
  }
  double t0 = now_s();
  struct timespec d = {seconds, 0};
  nanosleep(&d, NULL);
  stop_flag = 1;
  size_t total = 0;
  for (int c = 0; c < clients; c++) pthread_join(th[c], NULL), total += w[c].done;
  double dt = now_s() - t0;
  printf("get: %zu requests in %.2f s = %.0f req/s (%d clients)\n", total, dt,
         (double)total / dt, clients);
  double *lat = malloc((total + 1) * sizeof *lat);
  size_t m = 0;
  for (int c = 0; c < clients; c++)
    for (size_t i = 0; i < w[c].done && i < 2000000; i++) lat[m++] = w[c].lat[i];
  report("request", lat, m);
  return 0;
}

/* ---- webhook latency ---- */

#define MAXA 100000
static double returned_at[MAXA], arrived_at[MAXA]; /* by person number */
static int rfd;

/* The receiver: reads requests, notes the person of each alert, answers 200. */
static void *receiver(void *arg) {
  (void)arg;
  char *buf = malloc(1 << 16);
  for (;;) {
    int c = accept(rfd, NULL, NULL);
    if (c < 0) break;
    size_t got = 0;
    for (;;) {
      ssize_t r = read(c, buf + got, (1 << 16) - 1 - got);
      if (r <= 0) break;
      got += (size_t)r;
      buf[got] = '\0';
      char *end = strstr(buf, "\r\n\r\n");
      if (!end) continue;
      const char *cl = strcasestr(buf, "Content-Length: ");
      size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
      if (got < want) continue;
      double t = now_s();
      const char *p = strstr(end, "\"lead_id\":\"W");
      if (p) {
        long k = strtol(p + 12, NULL, 10);
        if (k >= 0 && k < MAXA && !arrived_at[k]) arrived_at[k] = t;
      }
      const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
      send_all(c, ok, sizeof ok - 1);
      memmove(buf, buf + want, got - want);
      got -= want;
    }
    close(c);
  }
  free(buf);
  return NULL;
}

static int run_webhook(void) {
  rfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  if (bind(rfd, (struct sockaddr *)&a, sizeof a) || listen(rfd, 64) ||
      getsockname(rfd, (struct sockaddr *)&a, &al))
    return perror("receiver"), 3;
  pthread_t rt;
  pthread_create(&rt, NULL, receiver, NULL);
  int fd = dial();
  char *buf = malloc(1 << 16), body[512];
  snprintf(body, sizeof body, "{\"url\":\"http://127.0.0.1:%u/hook\",\"events\":[\"mql\"],"
                              "\"secret\":\"bench-secret-0123456789\"}", ntohs(a.sin_port));
  /* the subscription is JSON, not JSON Lines: a raw request */
  char head[512];
  int hn = snprintf(head, sizeof head,
                    "POST /v1/webhooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\n%s%s%s\r\n", strlen(body),
                    key ? "Authorization: Bearer " : "", key ? key : "", key ? "\r\n" : "");
  send_all(fd, head, (size_t)hn);
  send_all(fd, body, strlen(body));
  ssize_t r = read(fd, buf, 4096);
  if (r <= 0 || atoi(buf + 9) != 201) return fprintf(stderr, "subscribe failed\n"), 1;
  /* batches of 50 events: person W<k> gets one page view, except every
   * 25th, which gets 5 brand searches (75 points: hot at the 5th) */
  int per_batch = 50, nb = rate * seconds / per_batch, person = 0, mqls = 0;
  double gap = (double)per_batch / rate, t0 = now_s();
  char *lines = malloc(1 << 16);
  for (int b = 0; b < nb && person < MAXA - 50; b++) {
    size_t n = 0;
    int first = person;
    for (int e = 0; e < per_batch;) {
      if (person % 25 == 0 && e + 5 > per_batch) break; /* its 5 searches go in one batch */
      int k = person++;
      int hot = k % 25 == 0, count = hot ? 5 : 1;
      for (int j = 0; j < count; j++, e++)
        n += (size_t)snprintf(lines + n, (1 << 16) - n,
                              "{\"id\":\"w%d-%d\",\"type\":\"%s\",\"time\":\"2026-03-01T00:00:%02dZ\","
                              "\"lead\":\"W%d\",\"props\":{\"query\":\"acme\",\"url\":\"/\"}}\n",
                              k, j, hot ? "search" : "page_view", j, k);
      mqls += hot;
    }
    double due = t0 + b * gap;
    while (now_s() < due) {
      struct timespec s = {0, 200000};
      nanosleep(&s, NULL);
    }
    int st = request(fd, "POST", "/v1/events", lines, n, buf, 1 << 16);
    double t = now_s();
    if (st != 200) return fprintf(stderr, "POST answered %d\n", st), 1;
    for (int k = first; k < person; k++) returned_at[k] = t;
  }
  double wait_until = now_s() + 5;
  int got = 0;
  while (now_s() < wait_until) {
    got = 0;
    for (int k = 0; k < person; k++) got += arrived_at[k] > 0;
    if (got >= mqls) break;
    struct timespec s = {0, 10000000};
    nanosleep(&s, NULL);
  }
  double *lat = malloc((size_t)(mqls + 1) * sizeof *lat);
  size_t m = 0;
  for (int k = 0; k < person; k++)
    if (arrived_at[k] > 0) lat[m++] = arrived_at[k] - returned_at[k];
  printf("webhook: %d events/s for %d s, %d MQLs, %d alerts arrived\n", rate, seconds, mqls, got);
  report("alert after the ingest call returned,", lat, m);
  return got == mqls ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_http ingest|get|webhook --port P ... (see the source)\n");
    return 2;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    const char *o = argv[i], *v = argv[i + 1];
    if (!strcmp(o, "--port")) port = atoi(v);
    else if (!strcmp(o, "--clients")) clients = atoi(v);
    else if (!strcmp(o, "--batch")) batch = atoi(v);
    else if (!strcmp(o, "--seconds")) seconds = atoi(v);
    else if (!strcmp(o, "--rate")) rate = atoi(v);
    else if (!strcmp(o, "--key")) key = v;
    else if (!strcmp(o, "--file") || !strcmp(o, "--ids")) file = v;
    else return fprintf(stderr, "bench_http: unknown option %s\n", o), 2;
  }
  if (clients < 1 || clients > 64) clients = 4;
  if (!strcmp(argv[1], "ingest") && file) return run_ingest();
  if (!strcmp(argv[1], "get") && file) return run_get();
  if (!strcmp(argv[1], "webhook")) return run_webhook();
  fprintf(stderr, "bench_http: bad arguments\n");
  return 2;
}
