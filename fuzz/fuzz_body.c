/* libFuzzer harness for the request bodies of leadscore serve: splitting a
 * POST /v1/events body (as a JSON array and as JSON Lines) and reading a
 * webhook subscription object. Checks that items lie inside the body and
 * that nothing crashes, leaks or reads out of bounds.
 *
 *   build-fuzz/fuzz/fuzz_body -dict=fuzz/body.dict fuzz/corpus/body */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leadscore/error.h"
#include "server/body.h"
#include "server/json.h"

static int on_member(void *ud, const char *key, const char *val, size_t len) {
  (void)val;
  size_t *n = ud;
  *n += strlen(key) + len;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data;
  for (int array = 0; array < 2; array++) {
    ls__body b = {0};
    int rc = ls__body_split(&b, p, size, array, 1000);
    if (rc == LS_OK)
      for (size_t i = 0; i < b.n; i++)
        if (b.items[i].p < p || b.items[i].p + b.items[i].n > p + size) abort();
    if (rc == LS_EINVAL && (b.err_off > size || !b.err)) abort();
    ls__body_free(&b);
  }
  size_t total = 0;
  const char *err = NULL;
  if (ls__json_object(p, size, on_member, &total, &err) == LS_EINVAL && !err) abort();
  ls_buf out = {0};
  if (ls__json_str(&out, p, size) == LS_OK && (out.len < size + 2 || out.p[0] != '"')) abort();
  ls_buf_free(&out);
  return 0;
}
