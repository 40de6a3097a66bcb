/* leadscore — the slow paths of the JSON lexer: escapes and numbers. */
#include "json_scan.h"

#include <stdlib.h>
#include <string.h>

static int ls__hex4(const unsigned char *p) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = p[i];
    int d;
    if (c >= '0' && c <= '9') {
      d = (int)(c - '0');
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      d = (int)((c | 0x20) - 'a' + 10);
    } else {
      return -1;
    }
    v = v << 4 | d;
  }
  return v;
}

static char *ls__put_utf8(char *d, unsigned long cp) {
  if (cp < 0x80) {
    *d++ = (char)cp;
  } else if (cp < 0x800) {
    *d++ = (char)(0xC0 | cp >> 6);
    *d++ = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *d++ = (char)(0xE0 | cp >> 12);
    *d++ = (char)(0x80 | (cp >> 6 & 0x3F));
    *d++ = (char)(0x80 | (cp & 0x3F));
  } else {
    *d++ = (char)(0xF0 | cp >> 18);
    *d++ = (char)(0x80 | (cp >> 12 & 0x3F));
    *d++ = (char)(0x80 | (cp >> 6 & 0x3F));
    *d++ = (char)(0x80 | (cp & 0x3F));
  }
  return d;
}

static const unsigned char *ls__fail(ls__scan *sc, ls__jerr e,
                                     const unsigned char *at) {
  sc->err = e;
  sc->errpos = at;
  return NULL;
}

/* Decodes the string whose content starts at s into sc->buf; p is the first
 * backslash or control character ([s, p) is plain, valid text).
 *
 * A \u escape of a UTF-16 surrogate must be a high surrogate (D800..DBFF)
 * immediately followed by a \u escape of a low one (DC00..DFFF); the pair is
 * one code point. An unpaired surrogate escape is rejected: RFC 8259 §8.2
 * leaves its meaning open, and the decoded string could not be represented
 * in UTF-8, which every string of an event must be (spec §9: a line is read
 * as UTF-8, keys are compared after decoding). */
const unsigned char *ls__scan_string_slow(ls__scan *sc,
                                          const unsigned char *s,
                                          const unsigned char *p) {
  const unsigned char *end = sc->end;
  char *d0, *d;

  if (*p < 0x20) return ls__fail(sc, LS__JE_CTRL, p);
  if (!sc->reserved) {
    if (sc->cap < sc->need) {
      size_t cap = sc->cap ? sc->cap : 256;
      char *nb;
      while (cap < sc->need) cap = cap > SIZE_MAX / 2 ? sc->need : cap * 2;
      nb = (char *)realloc(sc->buf, cap);
      if (nb == NULL) return ls__fail(sc, LS__JE_NOMEM, p);
      sc->buf = nb;
      sc->cap = cap;
    }
    sc->reserved = 1;
  }
  d0 = d = sc->buf + sc->top;
  memcpy(d, s, (size_t)(p - s));
  d += p - s;

  for (;;) {
    const unsigned char *run = p;
    unsigned c;
    p = ls__str_skip(p, end);
    memcpy(d, run, (size_t)(p - run));
    d += p - run;
    if (p == end) return ls__fail(sc, LS__JE_UNTERMINATED, s - 1);
    c = *p;
    if (c == '"') break;
    if (c >= 0x80) {
      size_t k = ls__utf8_seq(p, end);
      if (k == 0) return ls__fail(sc, LS__JE_UTF8, p);
      memcpy(d, p, k);
      d += k;
      p += k;
      continue;
    }
    if (c < 0x20) return ls__fail(sc, LS__JE_CTRL, p);
    /* c == '\\' */
    if (end - p < 2) return ls__fail(sc, LS__JE_UNTERMINATED, s - 1);
    switch (p[1]) {
      case '"': *d++ = '"'; break;
      case '\\': *d++ = '\\'; break;
      case '/': *d++ = '/'; break;
      case 'b': *d++ = '\b'; break;
      case 'f': *d++ = '\f'; break;
      case 'n': *d++ = '\n'; break;
      case 'r': *d++ = '\r'; break;
      case 't': *d++ = '\t'; break;
      case 'u': {
        int hi, lo = 0;
        unsigned long cp;
        if (end - p < 6 || (hi = ls__hex4(p + 2)) < 0)
          return ls__fail(sc, LS__JE_UESCAPE, p);
        cp = (unsigned long)hi;
        if (hi >= 0xDC00 && hi <= 0xDFFF) return ls__fail(sc, LS__JE_SURROGATE, p);
        if (hi >= 0xD800 && hi <= 0xDBFF) {
          if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
              (lo = ls__hex4(p + 8)) < 0xDC00 || lo > 0xDFFF)
            return ls__fail(sc, LS__JE_SURROGATE, p);
          cp = 0x10000 + ((unsigned long)(hi - 0xD800) << 10) +
               (unsigned long)(lo - 0xDC00);
          p += 6;
        }
        d = ls__put_utf8(d, cp);
        p += 4; /* the 4 hex digits; the 2 of "\u" below */
        break;
      }
      default: return ls__fail(sc, LS__JE_ESCAPE, p);
    }
    p += 2;
  }
  sc->res_p = d0;
  sc->res_n = (size_t)(d - d0);
  sc->top += sc->res_n;
  return p + 1;
}

static int ls__isdigit(unsigned c) { return c - '0' < 10u; }

/* Canonical form of a JSON number for hashing: the sign, the significant
 * digits (no leading or trailing zeros, no point) and the power of ten of
 * the last significant digit; zero (any sign, any exponent) is one value.
 * Two numbers with the same decimal value hash alike however they are
 * written. An exponent of 18 or more digits (after leading zeros) does not
 * fit the arithmetic; such a number hashes its exponent digits as text, so
 * only equal values written with such absurd exponents in different ways
 * hash apart. */
const unsigned char *ls__scan_number(ls__scan *sc, const unsigned char *p,
                                     uint64_t *h) {
  const unsigned char *end = sc->end, *start = p;
  const unsigned char *i0, *i1, *f0 = NULL, *f1 = NULL, *e0 = NULL, *e1 = NULL;
  const unsigned char *first = NULL, *last = NULL, *q;
  int neg = 0, eneg = 0;
  uint64_t hv, ndig = 0;
  int64_t elast;

  if (*p == '-') {
    neg = 1;
    p++;
  }
  i0 = p;
  if (p == end || !ls__isdigit(*p)) return ls__fail(sc, LS__JE_NUMBER, start);
  if (*p == '0') {
    p++;
  } else {
    while (p < end && ls__isdigit(*p)) p++;
  }
  i1 = p;
  if (p < end && *p == '.') {
    f0 = ++p;
    while (p < end && ls__isdigit(*p)) p++;
    if (p == f0) return ls__fail(sc, LS__JE_NUMBER, start);
    f1 = p;
  }
  if (p < end && (*p | 0x20) == 'e') {
    p++;
    if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
    e0 = p;
    while (p < end && ls__isdigit(*p)) p++;
    if (p == e0) return ls__fail(sc, LS__JE_NUMBER, start);
    e1 = p;
  }
  if (p < end && (ls__isdigit(*p) || *p == '.' || (*p | 0x20) == 'e' ||
                  *p == '+' || *p == '-'))
    return ls__fail(sc, LS__JE_NUMBER, start);

  /* Significant digits: from the first to the last non-zero digit. */
  for (q = i0; q < i1; q++)
    if (*q != '0') {
      if (!first) first = q;
      last = q;
    }
  for (q = f0; q && q < f1; q++)
    if (*q != '0') {
      if (!first) first = q;
      last = q;
    }
  if (!first) {
    *h = LS__H_ZERO;
    return p;
  }

  hv = LS__SEED_NUM ^ (uint64_t)neg;
  for (q = first; q <= last; q++) {
    if (*q == '.') continue;
    hv = (hv + *q) * LS__K0;
    ndig++;
  }
  hv = ls__fmix64(hv ^ ndig * LS__K1);

  /* Power of ten of the last significant digit, before the exponent. */
  if (last < i1) {
    elast = (int64_t)(i1 - last - 1);
  } else {
    elast = -(int64_t)(last - f0 + 1);
  }
  if (e0) {
    int64_t ev = 0;
    while (e0 < e1 && *e0 == '0') e0++;
    if (e1 - e0 <= 17) {
      while (e0 < e1) ev = ev * 10 + (*e0++ - '0');
      elast += eneg ? -ev : ev;
    } else {
      hv = ls__hash(e0, (size_t)(e1 - e0), hv ^ (uint64_t)eneg);
    }
  }
  *h = ls__fmix64(hv + (uint64_t)elast * LS__K2);
  return p;
}
