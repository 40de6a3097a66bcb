/* leadscore — internal: the lexical layer of the event-line scanner
 * (strings and numbers). The common case — a string without escapes or
 * control characters, mostly ASCII — is inline and borrows from the line;
 * escapes, numbers and errors go to json_scan.c. */
#ifndef LS_CORE_JSON_SCAN_H
#define LS_CORE_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "leadscore/event.h"

#include "hash.h"
#include "utf8.h"

#if defined(__SSE2__) && defined(__GNUC__) && !defined(LS_NO_SSE2)
#include <emmintrin.h>
#define LS__USE_SSE2 1
#else
#define LS__USE_SSE2 0
#endif

typedef enum ls__jerr {
  LS__JE_NONE = 0,
  LS__JE_UTF8,         /* invalid UTF-8 (errpos: first byte of the sequence) */
  LS__JE_UNTERMINATED, /* errpos: the opening quote */
  LS__JE_CTRL,         /* raw control character in a string */
  LS__JE_ESCAPE,       /* unknown escape (errpos: the backslash) */
  LS__JE_UESCAPE,      /* \u not followed by 4 hex digits */
  LS__JE_SURROGATE,    /* unpaired surrogate \u escape */
  LS__JE_NUMBER,       /* errpos: the number's first byte */
  LS__JE_NOMEM
} ls__jerr;

/* Per-line scanning state. `buf` receives the decoded form of strings with
 * escapes. Decoding never makes a string longer, so once buf holds `need`
 * (the line length) bytes every string of the line fits and no pointer into
 * buf moves until the next line; the first escape of a line reserves that,
 * so lines without escapes never touch buf. */
typedef struct ls__scan {
  const unsigned char *end; /* end of the line */
  char *buf;                /* owned by the parser, survives lines */
  size_t cap;
  size_t top;  /* bytes of buf used by this line */
  size_t need; /* the line length */
  int reserved;
  ls__jerr err;
  const unsigned char *errpos;
  const char *res_p; /* the slow path's result (keeps callers' slices in registers) */
  size_t res_n;
} ls__scan;

/* Marks, with its high bit, every byte of w that is '"', '\\', < 0x20 or
 * >= 0x80. Borrows in the subtractions only run upward from a byte that is
 * itself marked, so the lowest marked byte is always exact. */
static inline uint64_t ls__str_special(uint64_t w) {
  const uint64_t ones = UINT64_C(0x0101010101010101);
  uint64_t q = w ^ (ones * '"');
  uint64_t b = w ^ (ones * '\\');
  uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) |
               ((w - ones * 0x20) & ~w) | w;
  return t & UINT64_C(0x8080808080808080);
}

static inline int ls__str_special_byte(unsigned c) {
  return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/* Advances p to the first special byte in [p, end), or to end: 16 bytes at
 * a time with SSE2 (baseline on x86-64), then 8 at a time with the SWAR
 * mask, then byte by byte. */
static inline const unsigned char *ls__str_skip(const unsigned char *p,
                                                const unsigned char *end) {
#if LS__USE_SSE2
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while ((size_t)(end - p) >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* signed compare: bytes >= 0x80 are negative, hence "< 0x20" too */
    __m128i m = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
        _mm_cmplt_epi8(x, space));
    unsigned bits = (unsigned)_mm_movemask_epi8(m);
    if (bits != 0) return p + __builtin_ctz(bits);
    p += 16;
  }
#endif
  while ((size_t)(end - p) >= 8) {
    uint64_t m = ls__str_special(ls__load64(p));
    if (m != 0) {
#if LS__LITTLE_ENDIAN && defined(__GNUC__)
      return p + (__builtin_ctzll(m) >> 3);
#else
      while (!ls__str_special_byte(*p)) p++;
      return p;
#endif
    }
    p += 8;
  }
  while (p < end && !ls__str_special_byte(*p)) p++;
  return p;
}

/* Decodes a string with escapes into sc->buf; the result goes to
 * sc->res_p / sc->res_n. See ls__scan_string. */
const unsigned char *ls__scan_string_slow(ls__scan *sc,
                                          const unsigned char *s,
                                          const unsigned char *p);

/* Scans a string whose opening quote is at q (end == sc->end, passed so it
 * stays in a register). Returns the position after
 * the closing quote and sets *out to the decoded content (borrowed from the
 * line when there is no escape, else from sc->buf); on error returns NULL
 * with sc->err / sc->errpos set. Validates UTF-8 on the way. */
LS__HOT_INLINE const unsigned char *ls__scan_string(ls__scan *sc,
                                                   const unsigned char *q,
                                                   const unsigned char *end,
                                                   ls_slice *out) {
  const unsigned char *s = q + 1, *p = s;
  for (;;) {
    p = ls__str_skip(p, end);
    if (p == end) {
      sc->err = LS__JE_UNTERMINATED;
      sc->errpos = q;
      return NULL;
    }
    if (*p == '"') {
      out->p = (const char *)s;
      out->n = (size_t)(p - s);
      return p + 1;
    }
    if (*p >= 0x80) {
      size_t k = ls__utf8_seq(p, end);
      if (k == 0) {
        sc->err = LS__JE_UTF8;
        sc->errpos = p;
        return NULL;
      }
      p += k;
      continue;
    }
    p = ls__scan_string_slow(sc, s, p); /* '\\' or a control char */
    out->p = sc->res_p;
    out->n = sc->res_n;
    return p;
  }
}

/* Scans a number starting at p (p < end, *p is '-' or a digit) per the JSON
 * grammar; also rejects a number directly followed by a digit, '.', 'e',
 * 'E', '+' or '-' ("01", "1.2.3") so the message names the number. Returns
 * the end of the number, or NULL with sc->err set. *h is a hash of the
 * number's exact decimal value (so 1, 1.0, 10e-1 and 0.1e1 hash alike, and
 * -0 like 0); see json_scan.c. */
const unsigned char *ls__scan_number(ls__scan *sc, const unsigned char *p,
                                     uint64_t *h);

/* Seeds that keep values of different JSON types apart in content hashes. */
#define LS__SEED_STR UINT64_C(0x243F6A8885A308D3)
#define LS__SEED_NUM UINT64_C(0x13198A2E03707344)
#define LS__H_TRUE UINT64_C(0xA4093822299F31D0)
#define LS__H_FALSE UINT64_C(0x082EFA98EC4E6C89)
#define LS__H_NULL UINT64_C(0x452821E638D01377)
#define LS__H_ZERO UINT64_C(0xBE5466CF34E90C6C)
#define LS__SEED_OBJ UINT64_C(0xC0AC29B7C97C50DD)
#define LS__SEED_ARR UINT64_C(0x3F84D5B5B5470917)

#endif
