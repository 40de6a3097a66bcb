/* Tests for the store's in-memory parts: extents (src/store/extent.c) and
 * the identity cache (src/store/idcache.c). */
#include <stdlib.h>

#include "leadscore/error.h"
#include "store/extent.h"
#include "store/idcache.h"

#include "ls_test.h"

/* Decodes b into "first+count first+count ..." (at most 255 chars). */
static const char *ranges(const ls_buf *b) {
  static char out[256];
  size_t off = 0, o = 0;
  int64_t first, count;
  bool bad = false;
  out[0] = '\0';
  while (ls__ext_next(b->p, b->len, &off, &first, &count, &bad) && o < 200)
    o += (size_t)snprintf(out + o, sizeof out - o, "%s%lld+%lld", o ? " " : "",
                          (long long)first, (long long)count);
  return bad ? "BAD" : out;
}

static void test_extent(void) {
  ls_buf a = {0}, b = {0};
  CHECK_STR(ranges(&a), "");
  for (int64_t s = 5; s <= 7; s++) CHECK_INT(ls__ext_add(&a, s), LS_OK);
  CHECK_STR(ranges(&a), "5+3"); /* consecutive seqs: one range */
  CHECK_INT(ls__ext_add(&a, 200), LS_OK);
  CHECK_INT(ls__ext_add(&a, 201), LS_OK);
  CHECK_STR(ranges(&a), "5+3 200+2");
  /* counts and seqs past one LEB128 byte, extended in place */
  CHECK_INT(ls__ext_add(&a, 1000000), LS_OK);
  for (int64_t s = 1000001; s < 1000300; s++) ls__ext_add(&a, s);
  CHECK_STR(ranges(&a), "5+3 200+2 1000000+300");
  CHECK_INT(ls__ext_add(&a, INT64_MAX - 1), LS_OK);
  CHECK_INT(ls__ext_add(&a, INT64_MAX), LS_OK);
  CHECK_STR(ranges(&a), "5+3 200+2 1000000+300 9223372036854775806+2");
  /* concatenation is the union (a merge appends one person's to another's) */
  ls__ext_add(&b, 9);
  ls_buf_append(&b, a.p, a.len);
  CHECK_STR(ranges(&b), "9+1 5+3 200+2 1000000+300 9223372036854775806+2");
  /* a cut-off extent is reported, not read past */
  b.len -= 1;
  CHECK_STR(ranges(&b), "BAD");
  ls_buf_free(&a);
  ls_buf_free(&b);
}

#define S(x) ((ls_slice){x, sizeof x - 1})

static void test_idcache(void) {
  ls__idcache c = {0};
  CHECK_INT(ls__idc_get(&c, 1, S("a@x.example")), 0); /* empty: nothing */
  CHECK_INT(ls__idc_put(&c, 1, S("a@x.example"), 7), LS_OK);
  CHECK_INT(ls__idc_put(&c, 2, S("a@x.example"), 8), LS_OK); /* same value, other kind */
  CHECK_INT(ls__idc_get(&c, 1, S("a@x.example")), 7);
  CHECK_INT(ls__idc_get(&c, 2, S("a@x.example")), 8);
  CHECK_INT(ls__idc_get(&c, 0, S("a@x.example")), 0);
  CHECK_INT(ls__idc_get(&c, 1, S("a@x.exampl")), 0);
  /* merges forward, in chains: 8 into 7, then 7 into 3 */
  ls__idc_merged(&c, 8, 7);
  CHECK_INT(ls__idc_get(&c, 2, S("a@x.example")), 7);
  ls__idc_merged(&c, 7, 3);
  CHECK_INT(ls__idc_get(&c, 1, S("a@x.example")), 3);
  CHECK_INT(ls__idc_get(&c, 2, S("a@x.example")), 3);
  /* many entries: growth keeps every one */
  char key[32];
  int ok = 1;
  for (int i = 0; i < 20000; i++) {
    int n = snprintf(key, sizeof key, "c-%d", i);
    ok &= ls__idc_put(&c, 2, (ls_slice){key, (size_t)n}, 100 + i) == LS_OK;
  }
  for (int i = 0; i < 20000; i++) {
    int n = snprintf(key, sizeof key, "c-%d", i);
    ok &= ls__idc_get(&c, 2, (ls_slice){key, (size_t)n}) == 100 + i;
  }
  CHECK(ok);
  CHECK_INT(ls__idc_get(&c, 1, S("a@x.example")), 3);
  ls__idc_clear(&c); /* a rollback: nothing is known any more */
  CHECK_INT(ls__idc_get(&c, 1, S("a@x.example")), 0);
  CHECK_INT(ls__idc_get(&c, 2, S("c-5")), 0);
  CHECK_INT(ls__idc_put(&c, 1, S("a@x.example"), 9), LS_OK);
  CHECK_INT(ls__idc_get(&c, 1, S("a@x.example")), 9); /* no stale forward */
  ls__idc_free(&c);
  ls__idc_free(&c); /* freeing twice is harmless */
}

int main(void) {
  test_extent();
  test_idcache();
  return ls_test_done();
}
