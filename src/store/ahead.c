/* Parse-ahead for ingest (see ahead.h). Parsing and classifying is about a
 * tenth of a durable ingest; on a second core it overlaps the writes. */
#include "store/ahead.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

static void free_chunks(ls__ahead *a) {
  for (size_t i = 0; i < a->cap; i++) {
    ls_batch_destroy(a->c[i].b);
    free(a->c[i].res);
    free(a->c[i].why);
    free(a->c[i].text);
  }
  free(a->c);
  a->c = NULL;
  a->cap = a->nc = 0;
}

void ls__ahead_free(ls__ahead *a) {
  ls__ahead_finish(a);
  free_chunks(a);
  ls_event_parser_destroy(a->parser);
  a->parser = NULL;
}

int ls__ahead_set_model(ls__ahead *a, const ls_model *m) {
  ls__ahead_free(a);
  a->m = m;
  a->parser = ls_event_parser_new(ls_model_schema(m));
  return a->parser ? LS_OK : LS_ENOMEM;
}

static int reason(ls__achunk *c, size_t j, const char *why) {
  size_t n = strlen(why) + 1;
  if (ls__grow((void **)&c->text, &c->text_cap, c->text_len + n, 1)) return LS_ENOMEM;
  memcpy(c->text + c->text_len, why, n);
  c->why[j] = (uint32_t)c->text_len;
  c->text_len += n;
  return LS_OK;
}

static void parse_chunk(ls__ahead *a, size_t k) {
  ls__achunk *c = &a->c[k];
  size_t from = k * LS__AHEAD_CHUNK, to = from + LS__AHEAD_CHUNK;
  if (to > a->n) to = a->n;
  ls_batch_clear(c->b);
  c->text_len = 0;
  c->err = LS_OK;
  for (size_t i = from; i < to && !c->err; i++) {
    ls_event_fields f;
    ls_line_result r = ls_event_parse(a->parser, a->lines[i], a->lens[i], &f);
    c->res[i - from] = (uint8_t)r;
    if (r == LS_LINE_EVENT) c->err = ls_batch_push(c->b, &f);
    else if (r == LS_LINE_REJECT) c->err = reason(c, i - from, ls_event_parser_reason(a->parser));
  }
}

static void *worker(void *arg) {
  ls__ahead *a = arg;
  size_t nc = a->nc;
  for (size_t k = 0; k < nc; k++) {
    parse_chunk(a, k);
    pthread_mutex_lock(&a->mu);
    a->ready = k + 1;
    bool stop = a->stop;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    if (stop) break;
  }
  return NULL;
}

int ls__ahead_start(ls__ahead *a, const char *const *lines, const size_t *lens, size_t n) {
  ls__ahead_finish(a);
  if (!a->parser) return LS_ENOMEM; /* ls__ahead_set_model failed */
  size_t nc = (n + LS__AHEAD_CHUNK - 1) / LS__AHEAD_CHUNK;
  if (nc > a->cap) {
    ls__achunk *c = realloc(a->c, nc * sizeof *c);
    if (!c) return LS_ENOMEM;
    memset(c + a->cap, 0, (nc - a->cap) * sizeof *c);
    a->c = c;
    for (; a->cap < nc; a->cap++) {
      ls__achunk *x = &c[a->cap];
      x->b = ls_batch_new(a->m);
      x->res = malloc(LS__AHEAD_CHUNK);
      x->why = malloc(LS__AHEAD_CHUNK * sizeof *x->why);
      if (!x->b || !x->res || !x->why) {
        a->cap++; /* freed with the others */
        return LS_ENOMEM;
      }
    }
  }
  a->lines = lines;
  a->lens = lens;
  a->n = n;
  a->nc = nc;
  a->ready = 0;
  a->stop = false;
  if (nc > 1 && pthread_mutex_init(&a->mu, NULL) == 0) {
    if (pthread_cond_init(&a->cv, NULL) == 0) {
      if (pthread_create(&a->th, NULL, worker, a) == 0) {
        a->running = true;
        return LS_OK;
      }
      pthread_cond_destroy(&a->cv);
    }
    pthread_mutex_destroy(&a->mu);
  }
  for (size_t k = 0; k < nc; k++) parse_chunk(a, k); /* one chunk, or no thread */
  a->ready = nc;
  return LS_OK;
}

const ls__achunk *ls__ahead_chunk(ls__ahead *a, size_t k) {
  if (a->running) {
    pthread_mutex_lock(&a->mu);
    while (a->ready <= k) pthread_cond_wait(&a->cv, &a->mu);
    pthread_mutex_unlock(&a->mu);
  }
  return &a->c[k];
}

void ls__ahead_finish(ls__ahead *a) {
  if (!a->running) return;
  pthread_mutex_lock(&a->mu);
  a->stop = true;
  pthread_mutex_unlock(&a->mu);
  pthread_join(a->th, NULL);
  pthread_cond_destroy(&a->cv);
  pthread_mutex_destroy(&a->mu);
  a->running = false;
}
