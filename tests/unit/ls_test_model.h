/* Tests that fold: a model from YAML text, or the program stops (exit 2)
 * naming the line and column — a broken fixture is not a failed check. */
#ifndef LS_TEST_MODEL_H
#define LS_TEST_MODEL_H

#include <stdio.h>
#include <stdlib.h>

#include "leadscore/model.h"

static inline ls_model *ls_test_model(const char *yaml, size_t len) {
  ls_model *m = NULL;
  ls_diag d = {0};
  if (ls_model_load(yaml, len, &m, &d)) {
    fprintf(stderr, "model: %u:%u: %s\n", d.line, d.col, d.msg);
    exit(2);
  }
  return m;
}

/* The reference model's text (examples/models/buying-cycle.yaml, read
 * from the source tree: ctest runs there), in a static buffer; NULL when it
 * cannot be read. */
static inline char *ls_test_reference_text(size_t *len) {
  FILE *f = fopen("examples/models/buying-cycle.yaml", "rb");
  if (!f) return NULL;
  static char buf[1 << 16];
  *len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return buf;
}

#endif
