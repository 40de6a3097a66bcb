/* libFuzzer target: the model loader on arbitrary bytes.
 *
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     fuzz/fuzz_model.c $(ls src/model/[a-z]*.c) src/core/error.c \
 *     src/core/hash.c -lyaml -o fuzz_model
 *   mkdir -p /tmp/corpus && ./fuzz_model -dict=fuzz/model.dict -max_len=8192 \
 *     /tmp/corpus fuzz/corpus/model
 *
 * A model that loads is also summarized and its predicates evaluated on a
 * fixed event, so that everything the loader builds gets read. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ls_model *m = NULL;
  ls_diag d;
  if (ls_model_load((const char *)data, size, &m, &d) != LS_OK) {
    /* the message is always terminated */
    if (strlen(d.msg) >= sizeof d.msg) abort();
    return 0;
  }
  char *s = ls_model_summary(m);
  free(s);

  const ls_event_schema *sc = ls_model_schema(m);
  static const ls_jvalue kinds[] = {
      {LS_J_STRING, {"https://Acme.example/pricing?x=/careers", 39}},
      {LS_J_NUMBER, {"12.5", 4}},
      {LS_J_STRING, {"/pricing#x", 10}},
      {LS_J_TRUE, {"true", 4}},
      {LS_J_STRING, {"", 0}},
      {LS_J_ABSENT, {NULL, 0}},
  };
  size_t nk = sizeof kinds / sizeof kinds[0];
  ls_jvalue *props = calloc(sc->nprops + 1, sizeof *props);
  ls_jvalue *attrs = calloc(sc->nattrs + 1, sizeof *attrs);
  uint64_t *bits = calloc(ls_model_pred_words(m), sizeof *bits);
  if (props && attrs && bits) {
    for (size_t round = 0; round < nk; round++) {
      for (size_t i = 0; i < sc->nprops; i++) props[i] = kinds[(i + round) % nk];
      for (size_t i = 0; i < sc->nattrs; i++) attrs[i] = kinds[(i + round + 1) % nk];
      ls_event_fields ev;
      memset(&ev, 0, sizeof ev);
      ev.props = props;
      ev.attrs = attrs;
      ls_model_eval_preds(m, &ev, bits);
    }
  }
  free(props);
  free(attrs);
  free(bits);
  for (size_t i = 0; i < ls_model_nrules(m); i++) {
    (void)ls_model_rule_label(m, i, "ja");
    (void)ls_model_rule_id(m, i);
  }
  ls_model_destroy(m);
  return 0;
}
