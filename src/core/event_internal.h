/* leadscore — internal: the event-line parser's state, shared by the hot
 * scanner (event_parse.c) and its cold helpers (event_parser.c). */
#ifndef LS_CORE_EVENT_INTERNAL_H
#define LS_CORE_EVENT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/grow.h"
#include "leadscore/event.h"

#include "hash.h"
#include "json_scan.h"

/* Objects with up to this many keys are checked for duplicates by comparing
 * each new key with the previous ones (hash first); bigger ones are also
 * checked when they close, by sorting their keys by hash: O(n log n). */
#define LS__LINEAR_KEYS 16
#define LS__QUOTE_MAX 64   /* bytes of a key or time quoted in a reason */
#define LS__QUOTED_MAX 160 /* their quoted form, NUL included */

/* Top-level members the parser extracts. */
enum {
  LS__F_ID,
  LS__F_TYPE,
  LS__F_TIME,
  LS__F_LEAD,
  LS__F_EMAIL,
  LS__F_ANON,
  LS__F_NFIELDS,
  LS__F_PROPS = LS__F_NFIELDS,
  LS__F_ATTRS,
  LS__F_NTOP,
  LS__F_NONE = -1
};

/* What the members of an open object mean. */
enum { LS__R_NONE, LS__R_TOP, LS__R_PROPS, LS__R_ATTRS };

typedef struct ls__key {
  uint64_t h;
  const char *p; /* decoded: borrowed from the line or from sc.buf */
  size_t n;
} ls__key;

typedef struct ls__frame {
  uint64_t acc;  /* object: sum of member hashes; array: running hash */
  uint64_t filter; /* object: bit (key hash >> 58) of each key so far */
  size_t start;  /* offset of the '{' or '[' (raw text of captured values) */
  size_t key0;   /* object: index of its first key on the key stack */
  size_t n;      /* members or elements so far */
  int slot;      /* object: meaning of the current member (LS__F_* or a schema slot) */
  unsigned char is_obj, role;
} ls__frame;

typedef struct ls__skey {
  uint64_t h;
  const char *p;
  size_t n;
  int slot; /* first slot with this key; -1 marks an empty entry */
} ls__skey;

typedef struct ls__stab { /* open addressing, linear probing */
  ls__skey *e;
  size_t mask;
} ls__stab;

struct ls_event_parser {
  ls__stab tab[2];   /* props keys, attrs keys */
  int *next_slot;    /* [nprops + nattrs]: next slot with the same key, or -1 */
  ls_jvalue *vals;   /* [nprops + nattrs]: props first, then attrs */
  int *captured;     /* [nprops + nattrs]: slots filled by the last line */
  size_t ncaptured;
  uint64_t top_kh[LS__F_NTOP]; /* key hashes of the top-level fields */
  size_t nprops, nattrs;
  ls__scan sc;       /* sc.buf: decoded strings */
  ls__key *keys;     /* keys of the open objects, innermost last */
  size_t keys_cap;
  ls__frame *frames; /* open objects and arrays, innermost last */
  size_t frames_cap;
  char *email; /* lower-cased e-mail when it had upper-case letters */
  size_t email_cap;
  char reason[256];
};

/* Little-endian word of up to 8 characters, for comparisons with
 * ls__load32 / ls__load64 (which read little-endian on every platform). */
#define LS__W2(a, b) ((uint64_t)(unsigned char)(a) | (uint64_t)(unsigned char)(b) << 8)
#define LS__W4(a, b, c, d) (LS__W2(a, b) | LS__W2(c, d) << 16)
#define LS__W8(a, b, c, d, e, f, g, h) (LS__W4(a, b, c, d) | LS__W4(e, f, g, h) << 32)

/* The schema slot of a props / attrs key (raw hash h), or -1. */
static inline int ls__stab_find(const ls__stab *t, uint64_t h, const char *p,
                                size_t n) {
  for (size_t i = ls__hash_index(h, t->mask);; i = (i + 1) & t->mask) {
    const ls__skey *e = &t->e[i];
    if (e->slot < 0) return -1;
    if (e->h == h && e->n == n && ls__eq(e->p, p, n)) return e->slot;
  }
}

/* Formats the reason (printf-style) and returns LS_LINE_REJECT. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
ls_line_result ls__reject(ls_event_parser *P, const char *fmt, ...);

/* Quotes s for a reason into dst[LS__QUOTED_MAX]. */
void ls__quote(char *dst, ls_slice s);

/* Rejects for a grammar error at `at` (b: the line), or for invalid UTF-8
 * at or after `at`, which takes precedence. */
ls_line_result ls__syntax(ls_event_parser *P, const unsigned char *b,
                          const unsigned char *at, const char *what);

/* Rejects for the lexer error in P->sc. */
ls_line_result ls__lex_error(ls_event_parser *P, const unsigned char *b);

/* Sorts a[0..n) by hash and looks for two equal keys: 1 and *dup, or 0. */
int ls__find_dup_sorted(ls__key *a, size_t n, ls_slice *dup);

/* Trims and lower-cases an e-mail (spec §9) into *out (absent when empty);
 * borrows s when nothing changes, else uses P->email. LS_OK or LS_ENOMEM. */
int ls__normalize_email(ls_event_parser *P, ls_slice s, ls_slice *out);

#endif
