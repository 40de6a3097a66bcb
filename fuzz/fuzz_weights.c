/* libFuzzer target: the weights file reader on arbitrary bytes.
 *
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DLS_FUZZ=ON && \
 *     cmake --build build-fuzz --target fuzz_weights
 *   mkdir -p /tmp/wcorpus && ./build-fuzz/fuzz/fuzz_weights -dict=fuzz/weights.dict \
 *     /tmp/wcorpus fuzz/corpus/weights
 *
 * Weights that parse are written back and parsed again: the second reading
 * must give the same features, names and bits (the writer's %.17g and its
 * escapes are what make the file lossless). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/predict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const double *a, const double *b) {
  if (memcmp(a, b, sizeof *a)) abort();
}

static void check_same(const ls_pred_weights *a, const ls_pred_weights *b) {
  if (a->n != b->n) abort();
  for (size_t j = 0; j < a->n; j++) {
    if (strcmp(a->name[j], b->name[j])) abort();
    same(&a->weight[j], &b->weight[j]);
    same(&a->mean[j], &b->mean[j]);
    same(&a->scale[j], &b->scale[j]);
  }
  same(&a->intercept, &b->intercept);
  same(&a->lambda, &b->lambda);
  if (strcmp(a->model, b->model) || ls_time_cmp(a->trained_at, b->trained_at) ||
      a->horizon != b->horizon || a->examples != b->examples ||
      a->positives != b->positives || a->iterations != b->iterations)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ls_pred_weights w, back;
  ls_diag d;
  int rc = ls_pred_weights_parse((const char *)data, size, &w, &d);
  if (rc != LS_OK) {
    /* the message is always terminated, and nothing is left behind */
    if (!memchr(d.msg, 0, sizeof d.msg) || w.n || w.name) abort();
    ls_pred_weights_free(&w);
    return 0;
  }
  ls_buf b = {0};
  if (ls_pred_weights_write(&w, &b) == LS_OK) {
    if (ls_pred_weights_parse(b.p, b.len, &back, &d) != LS_OK) abort();
    check_same(&w, &back);
    ls_pred_weights_free(&back);
  }
  ls_buf_free(&b);
  ls_pred_weights_free(&w);
  return 0;
}
