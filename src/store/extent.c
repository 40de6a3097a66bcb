/* Extents (see extent.h). */
#include "store/extent.h"

#include <string.h>

#include "leadscore/error.h"

static size_t put_u(unsigned char *o, uint64_t v) {
  size_t n = 0;
  do {
    unsigned char c = v & 0x7f;
    v >>= 7;
    o[n++] = c | (v ? 0x80 : 0);
  } while (v);
  return n;
}

static bool get_u(const unsigned char *p, size_t len, size_t *off, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned s = 0; *off < len && s < 64; s += 7) {
    unsigned char c = p[(*off)++];
    x |= (uint64_t)(c & 0x7f) << s;
    if (!(c & 0x80)) {
      *v = x;
      return true;
    }
  }
  return false;
}

/* Start of the number that ends at `end` (exclusive). */
static size_t back(const unsigned char *p, size_t end) {
  size_t i = end - 1;
  while (i > 0 && (p[i - 1] & 0x80)) i--;
  return i;
}

int ls__ext_add(ls_buf *b, int64_t seq) {
  unsigned char tmp[20];
  const unsigned char *p = (const unsigned char *)b->p;
  if (b->len >= 2) { /* extend the last range when seq follows it */
    size_t c0 = back(p, b->len), f0 = back(p, c0), o = f0;
    uint64_t first, count;
    if (get_u(p, b->len, &o, &first) && get_u(p, b->len, &o, &count) &&
        first + count == (uint64_t)seq) {
      b->len = c0;
      return ls_buf_append(b, (const char *)tmp, put_u(tmp, count + 1));
    }
  }
  size_t n = put_u(tmp, (uint64_t)seq);
  n += put_u(tmp + n, 1);
  return ls_buf_append(b, (const char *)tmp, n);
}

bool ls__ext_next(const char *p, size_t len, size_t *off, int64_t *first, int64_t *count,
                  bool *bad) {
  if (*off >= len) return false;
  uint64_t f, c;
  const unsigned char *u = (const unsigned char *)p;
  if (!get_u(u, len, off, &f) || !get_u(u, len, off, &c) || f > INT64_MAX || c > INT64_MAX) {
    *bad = true;
    return false;
  }
  *first = (int64_t)f;
  *count = (int64_t)c;
  return true;
}

int ls__ext_truncate(ls_buf *b, int64_t keep) {
  size_t off = 0, end = 0; /* end: where the kept ranges end */
  int64_t first, count;
  bool bad = false;
  while (ls__ext_next(b->p, b->len, &off, &first, &count, &bad)) {
    if (first > keep) break;
    if (first + count - 1 > keep) { /* cut this range and stop */
      unsigned char tmp[20];
      size_t n = put_u(tmp, (uint64_t)first);
      n += put_u(tmp + n, (uint64_t)(keep - first + 1));
      b->len = end;
      return ls_buf_append(b, (const char *)tmp, n);
    }
    end = off;
  }
  b->len = end;
  return LS_OK;
}
