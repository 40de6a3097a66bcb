/* Tests for the store's in-memory parts: extents (src/store/extent.c), the
 * identity cache (src/store/idcache.c) and the rewind cache
 * (src/store/rewind.c). */
#include <stdlib.h>
#include <string.h>

#include "leadscore/error.h"
#include "store/extent.h"
#include "store/idcache.h"
#include "store/rewind.h"

#include "ls_test.h"

/* Decodes b into "first+count first+count ..." (at most 255 chars). */
#define S(x) ((ls_slice){x, sizeof x - 1})

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

/* Truncation: what a rewind does to a person's ledger rows. */
static void test_extent_truncate(void) {
  ls_buf a = {0};
  for (int64_t s = 5; s <= 7; s++) ls__ext_add(&a, s);
  for (int64_t s = 200; s <= 203; s++) ls__ext_add(&a, s);
  ls__ext_add(&a, 1000000);
  CHECK_INT(ls__ext_truncate(&a, 2000000), LS_OK); /* nothing after: unchanged */
  CHECK_STR(ranges(&a), "5+3 200+4 1000000+1");
  CHECK_INT(ls__ext_truncate(&a, 999999), LS_OK); /* a whole range */
  CHECK_STR(ranges(&a), "5+3 200+4");
  CHECK_INT(ls__ext_truncate(&a, 201), LS_OK); /* the end of one */
  CHECK_STR(ranges(&a), "5+3 200+2");
  CHECK_INT(ls__ext_add(&a, 202), LS_OK); /* and it grows again in place */
  CHECK_STR(ranges(&a), "5+3 200+3");
  CHECK_INT(ls__ext_truncate(&a, 100), LS_OK); /* between ranges */
  CHECK_STR(ranges(&a), "5+3");
  CHECK_INT(ls__ext_truncate(&a, 4), LS_OK); /* everything */
  CHECK_STR(ranges(&a), "");
  CHECK_INT((int)a.len, 0);
  ls_buf_free(&a);
}

static void test_rewind(void) {
  ls__rewind r = {0};
  ls__rw_base b = {0};
  ls_time t1 = {1000, 0}, t2 = {1000, 5};
  CHECK(ls__rw_find(&r, 7, 3, t1, S("e1")) == NULL); /* empty */
  CHECK(ls__rw_tail_add(&b, t1, S("e1"), S("{\"id\":\"e1\"}")));
  CHECK(ls__rw_tail_add(&b, t2, S("e2"), S("{}")));
  b.ledger_n = 2;
  CHECK_INT(ls__rw_put(&r, 7, 5, t2, S("e2"), &b), LS_OK);
  CHECK_INT((int)b.ntail, 0); /* b got the slot's old (empty) buffers */
  /* found only for the stored row it was made for */
  const ls__rw_ent *e = ls__rw_find(&r, 7, 5, t2, S("e2"));
  CHECK(e != NULL);
  CHECK(ls__rw_find(&r, 7, 6, t2, S("e2")) == NULL); /* rows added since */
  CHECK(ls__rw_find(&r, 7, 5, t1, S("e2")) == NULL); /* another last event */
  CHECK(ls__rw_find(&r, 7, 5, t2, S("e3")) == NULL);
  CHECK(ls__rw_find(&r, 8, 5, t2, S("e2")) == NULL); /* another person */
  if (e) { /* the tail reads back in order */
    size_t off = 0;
    ls__rw_event v = ls__rw_tail_at(&e->b, &off);
    CHECK(v.time.sec == 1000 && v.time.nsec == 0 && v.id.n == 2 && v.line.n == 11);
    v = ls__rw_tail_at(&e->b, &off);
    CHECK(v.time.nsec == 5 && v.id.n == 2 && v.line.n == 2 && off == e->b.tail.len);
    CHECK_INT((int)e->b.ledger_n, 2);
  }
  ls__rw_drop(&r, 7);
  CHECK(ls__rw_find(&r, 7, 5, t2, S("e2")) == NULL);
  /* a tail is bounded in events and bytes */
  int added = 0;
  while (ls__rw_tail_add(&b, t1, S("e"), S("{}")) && added < 1000) added++;
  CHECK_INT(added, LS__RW_TAIL);
  ls__rw_base_free(&b);
  char big[LS__RW_BYTES];
  memset(big, ' ', sizeof big);
  CHECK(!ls__rw_tail_add(&b, t1, S("e"), (ls_slice){big, sizeof big}));
  CHECK_INT(ls__rw_put(&r, 9, 1, t1, S("e"), &b), LS_OK);
  ls__rw_clear(&r);
  CHECK(ls__rw_find(&r, 9, 1, t1, S("e")) == NULL);
  ls__rw_base_free(&b);
  ls__rw_free(&r);
  ls__rw_free(&r); /* twice: a no-op */
}


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
  test_extent_truncate();
  test_idcache();
  test_rewind();
  return ls_test_done();
}
