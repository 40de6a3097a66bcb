/* leadscore — internal: strict UTF-8 (RFC 3629) validation. */
#ifndef LS_CORE_UTF8_H
#define LS_CORE_UTF8_H

#include <stddef.h>

/* Length (2..4) of the valid multi-byte sequence starting at p (p < end,
 * *p >= 0x80), or 0 when it is invalid: a stray continuation byte, an
 * overlong form (C0, C1, E0 80..9F, F0 80..8F), a UTF-16 surrogate
 * (ED A0..BF), a code point above U+10FFFF (F4 90.., F5..FF), or a sequence
 * cut short by `end`. */
static inline size_t ls__utf8_seq(const unsigned char *p,
                                  const unsigned char *end) {
  size_t avail = (size_t)(end - p);
  unsigned c = p[0];
  unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  if (c < 0xC2) return 0;
  if (c < 0xE0) {
    return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
  }
  if (c < 0xF0) {
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (avail < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return 0;
    return 3;
  }
  if (c > 0xF4) return 0;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (avail < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 ||
      (p[3] & 0xC0) != 0x80)
    return 0;
  return 4;
}

/* Returns the first byte of the first invalid sequence in [p, end), or NULL
 * when the whole range is valid UTF-8. Skips ASCII 8 bytes at a time. */
const unsigned char *ls__utf8_find_invalid(const unsigned char *p,
                                           const unsigned char *end);

#endif
