/* Parse-ahead for ingest: a second thread parses and classifies a batch's
 * lines, chunk by chunk (ls_batch: ids, identities, type, predicate bits),
 * while the calling thread stores the chunks already parsed. One lock per
 * chunk of lines, none per event; a batch of one chunk is parsed inline. */
#ifndef LEADSCORE_STORE_AHEAD_H
#define LEADSCORE_STORE_AHEAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "leadscore/event.h"
#include "leadscore/model.h"
#include "leadscore/replay.h"

#define LS__AHEAD_CHUNK 2048 /* lines */

/* One parsed chunk; valid until the next ls__ahead_start. */
typedef struct ls__achunk {
  ls_batch *b;     /* the chunk's events, in line order */
  uint8_t *res;    /* per line: ls_line_result */
  uint32_t *why;   /* per rejected line: offset of its reason in text */
  char *text;
  size_t text_len, text_cap, res_cap;
  int err; /* LS_ENOMEM while parsing it */
} ls__achunk;

typedef struct ls__ahead {
  const ls_model *m; /* borrowed */
  ls_event_parser *parser; /* the worker's (one parser per thread) */
  ls__achunk *c;
  size_t nc, cap;
  const char *const *lines;
  const size_t *lens;
  size_t n;
  pthread_t th;
  bool running;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t ready; /* chunks parsed (under mu) */
  bool stop;    /* the caller gave up: stop after this chunk (under mu) */
} ls__ahead;

/* Makes m (borrowed) the model of the chunks to come; drops what was
 * parsed under the previous one. `a` starts zeroed. */
int ls__ahead_set_model(ls__ahead *a, const ls_model *m);
/* Frees everything; a zeroed `a` is fine. */
void ls__ahead_free(ls__ahead *a);
/* Starts parsing lines[0..n) (borrowed until ls__ahead_finish). */
int ls__ahead_start(ls__ahead *a, const char *const *lines, const size_t *lens, size_t n);
/* Waits for chunk k (lines k*CHUNK ...) and returns it. */
const ls__achunk *ls__ahead_chunk(ls__ahead *a, size_t k);
/* Stops the worker (when still running) and waits for it. */
void ls__ahead_finish(ls__ahead *a);

#endif
