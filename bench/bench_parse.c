/* Throughput of the event-line parser on typical lines.
 *
 *   gcc -std=c11 -O2 -Iinclude src/core/[a-z_]*.c bench/bench_parse.c -o /tmp/bench_parse
 *   /tmp/bench_parse [rounds]
 *
 * Builds 100 000 lines in memory (page views like the spec's example, a
 * shorter page view, and a mix with identify / search events carrying
 * e-mails, attrs, escapes and white space), then parses them
 * `rounds` times with one warmed-up parser and prints MB/s and lines/s of
 * the best and the median pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leadscore/event.h"

#define NLINES 100000

static double now(void) {
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Times `rounds` passes over the lines; reports the best and the median
 * pass (the machine may be shared: the best pass is the parser's speed). */
static void run(const char *name, char *buf, const size_t *off, size_t nlines,
                int rounds, ls_event_parser *p) {
  ls_event_fields ev;
  size_t bytes = off[nlines], events = 0;
  unsigned long long sink = 0;
  double *dt = malloc((size_t)rounds * sizeof *dt), best, med;
  for (size_t i = 0; i < nlines; i++) /* warm up: grow the scratch */
    ls_event_parse(p, buf + off[i], off[i + 1] - off[i] - 1, &ev);
  for (int r = 0; r < rounds; r++) {
    double t0 = now();
    for (size_t i = 0; i < nlines; i++) {
      if (ls_event_parse(p, buf + off[i], off[i + 1] - off[i] - 1, &ev) ==
          LS_LINE_EVENT) {
        events++;
        sink += ev.content_hash;
      }
    }
    dt[r] = now() - t0;
  }
  qsort(dt, (size_t)rounds, sizeof *dt, cmp_double);
  best = dt[0];
  med = dt[rounds / 2];
  printf("%-10s best %7.1f MB/s %9.0f lines/s | median %7.1f MB/s %9.0f lines/s"
         " (%.0f B/line, %zu events, sink %llx)\n",
         name, (double)bytes / best / 1e6, (double)nlines / best,
         (double)bytes / med / 1e6, (double)nlines / med,
         (double)bytes / (double)nlines, events, sink & 0xff);
  free(dt);
}

int main(int argc, char **argv) {
  static const ls_slice props[] = {{"url", 3}, {"referrer", 8}, {"query", 5},
                                   {"content_type", 12}, {"outcome", 7}};
  static const ls_slice attrs[] = {{"source", 6}, {"company", 7}};
  ls_event_schema schema = {props, 5, attrs, 2};
  ls_event_parser *p = ls_event_parser_new(&schema);
  int rounds = argc > 1 && atoi(argv[1]) > 0 ? atoi(argv[1]) : 20;
  size_t cap = (size_t)NLINES * 400, len = 0, *off;
  char *buf = malloc(cap), *mix = malloc(cap);
  off = malloc((NLINES + 1) * sizeof *off);
  if (!p || !buf || !mix || !off) return 1;

  /* 1. the spec's typical page view, ids and paths varied */
  for (size_t i = 0; i < NLINES; i++) {
    off[i] = len;
    len += (size_t)sprintf(buf + len,
        "{\"id\":\"e%08zu\",\"type\":\"page_view\",\"time\":\"2026-03-%02zuT%02zu:%02zu:00Z\","
        "\"anonymous_id\":\"c-%06zx\",\"props\":{\"url\":\"https://acme.example/%s?x=%zu\","
        "\"referrer\":\"https://www.google.com/\"}}\n",
        i, 1 + i % 28, i % 24, i % 60, i * 7919 % 0xffffff,
        i % 3 ? "pricing" : "blog/post", i % 10);
  }
  off[NLINES] = len;
  run("page_view", buf, off, NLINES, rounds, p);

  /* 2. a shorter page view (~140 bytes) */
  len = 0;
  for (size_t i = 0; i < NLINES; i++) {
    off[i] = len;
    len += (size_t)sprintf(buf + len,
        "{\"id\":\"e%08zu\",\"type\":\"page_view\",\"time\":\"2026-03-%02zuT%02zu:%02zu:00Z\","
        "\"anonymous_id\":\"c-%06zx\",\"props\":{\"url\":\"https://acme.example/pricing\"}}\n",
        i, 1 + i % 28, i % 24, i % 60, i * 7919 % 0xffffff);
  }
  off[NLINES] = len;
  run("short", buf, off, NLINES, rounds, p);

  /* 3. a mix: page views, identify with attrs, form posts with escapes */
  len = 0;
  for (size_t i = 0; i < NLINES; i++) {
    off[i] = len;
    switch (i % 4) {
      case 0:
      case 1:
        len += (size_t)sprintf(mix + len,
            "{\"id\":\"e%08zu\",\"type\":\"page_view\",\"time\":\"2026-03-01T09:15:%02zuZ\","
            "\"anonymous_id\":\"c-%06zx\",\"props\":{\"url\":\"/pricing/enterprise\"}}\n",
            i, i % 60, i);
        break;
      case 2:
        len += (size_t)sprintf(mix + len,
            "{\"id\":\"e%08zu\",\"type\":\"identify\",\"time\":\"2026-03-01T09:15:00.123+09:00\","
            "\"email\":\" Jane.Doe%zu@Example.com \",\"lead\":\"L%06zu\",\"attrs\":{\"first_name\":"
            "\"Jane\",\"source\":\"web_inquiry\",\"employees\":250,\"company\":\"Acme\"}}\n",
            i, i, i);
        break;
      default:
        len += (size_t)sprintf(mix + len,
            "{ \"id\": \"e%08zu\", \"type\": \"search\", \"time\": \"2026-03-01T09:15:00Z\", "
            "\"lead\": \"L%06zu\", \"props\": { \"query\": \"acme \\\"pricing\\\" \\u65e5\\u672c\", "
            "\"tags\": [1, 2.5, true, null] } }\n",
            i, i);
    }
  }
  off[NLINES] = len;
  run("mixed", mix, off, NLINES, rounds, p);

  ls_event_parser_destroy(p);
  free(buf);
  free(mix);
  free(off);
  return 0;
}
