/* leadscore — internal: the 64-bit byte-string hash and its mixing helpers.
 *
 * Inline because the event-line scanner hashes every key and string on the
 * hot path and a call per string is measurable at ~140-byte lines.
 * Not a cryptographic hash: it must be fast and spread non-adversarial
 * inputs well. Values are stable across platforms (words are read as
 * little-endian), but nothing should persist them. */
#ifndef LS_CORE_HASH_H
#define LS_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LS__K0 UINT64_C(0x9E3779B97F4A7C15) /* 2^64 / golden ratio */
#define LS__K1 UINT64_C(0xC2B2AE3D27D4EB4F)
#define LS__K2 UINT64_C(0x165667B19E3779F9)
#define LS__K3 UINT64_C(0xD6E8FEB86659FD93)
#define LS__K4 UINT64_C(0xA0761D6478BD642F)

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LS__LITTLE_ENDIAN 1
#else
#define LS__LITTLE_ENDIAN 0
#endif

/* For the few hot-path helpers a compiler might judge too big to inline. */
#if defined(__GNUC__)
#define LS__HOT_INLINE static inline __attribute__((always_inline))
#else
#define LS__HOT_INLINE static inline
#endif

static inline uint64_t ls__load64(const void *p) {
#if LS__LITTLE_ENDIAN
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
#else
  const unsigned char *b = (const unsigned char *)p;
  return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
         (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 |
         (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
#endif
}

static inline uint64_t ls__load32(const void *p) {
#if LS__LITTLE_ENDIAN
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
#else
  const unsigned char *b = (const unsigned char *)p;
  return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
         (uint64_t)b[3] << 24;
#endif
}

static inline uint64_t ls__rotl64(uint64_t x, unsigned r) {
  return (x << r) | (x >> (64 - r));
}

/* A bijective finalizer: every input bit affects every output bit. */
static inline uint64_t ls__fmix64(uint64_t x) {
  x ^= x >> 32;
  x *= LS__K3;
  x ^= x >> 29;
  x *= LS__K1;
  x ^= x >> 32;
  return x;
}

/* The unfinalized hash of n bytes at `data` with `seed`: good high bits and
 * a good spread once mixed further (the event scanner folds it into member
 * hashes with ls__fmix64; tables index it with ls__hash_index). Inputs of up
 * to 16 bytes (most keys and ids) take one branch and two loads; longer
 * inputs run two independent multiply-rotate lanes over 16-byte blocks so
 * that the dependency chains overlap, then fold the last (overlapping) 16
 * bytes in. For a fixed length and seed, a change confined to one 8-byte
 * word always changes the result (every step is a bijection of that word). */
static inline uint64_t ls__hash_raw(const void *data, size_t n, uint64_t seed) {
  const unsigned char *p = (const unsigned char *)data;
  uint64_t h = seed ^ ((uint64_t)n * LS__K0);
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 8) {
      a = ls__load64(p);
      b = ls__load64(p + n - 8);
    } else if (n >= 4) {
      a = ls__load32(p);
      b = ls__load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t)p[0] << 16 | (uint64_t)p[n >> 1] << 8 | (uint64_t)p[n - 1];
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    uint64_t v1 = h ^ LS__K1, v2 = h ^ LS__K2;
    size_t i = 0;
    for (; n - i > 16; i += 16) {
      v1 = ls__rotl64(v1 ^ (ls__load64(p + i) * LS__K2), 31) * LS__K0;
      v2 = ls__rotl64(v2 ^ (ls__load64(p + i + 8) * LS__K1), 27) * LS__K3;
    }
    h = v1 ^ ls__rotl64(v2, 32);
    a = ls__load64(p + n - 16);
    b = ls__load64(p + n - 8);
  }
  h = (h ^ a ^ LS__K4) * LS__K1;
  return (ls__rotl64(h, 29) ^ b) * LS__K2;
}

/* The finished hash: ls__hash_raw through the finalizer. */
static inline uint64_t ls__hash(const void *data, size_t n, uint64_t seed) {
  return ls__fmix64(ls__hash_raw(data, n, seed));
}

/* A table index from a raw hash (its low bits alone are weaker). */
static inline size_t ls__hash_index(uint64_t h, size_t mask) {
  return (size_t)(h ^ (h >> 32)) & mask;
}

/* Byte equality of two n-byte strings; short ones without a call. */
static inline int ls__eq(const void *x, const void *y, size_t n) {
  const unsigned char *p = (const unsigned char *)x, *q = (const unsigned char *)y;
  if (n >= 8 && n <= 16)
    return ls__load64(p) == ls__load64(q) &&
           ls__load64(p + n - 8) == ls__load64(q + n - 8);
  if (n >= 4 && n < 8)
    return ls__load32(p) == ls__load32(q) &&
           ls__load32(p + n - 4) == ls__load32(q + n - 4);
  if (n < 4) {
    for (size_t i = 0; i < n; i++)
      if (p[i] != q[i]) return 0;
    return 1;
  }
  return memcmp(p, q, n) == 0;
}

#endif
