/* leadscore — the event-line parser's lifetime and cold paths: the schema
 * table, reasons, the sort-based duplicate check of big objects, e-mail
 * normalization. The scanner itself is in event_parse.c. */
#include <stdarg.h>
#include <stdio.h> /* vsnprintf only: formats reasons, no I/O */
#include <stdlib.h>
#include <string.h>

#include "leadscore/error.h"
#include "leadscore/event.h"

#include "event_internal.h"
#include "utf8.h"

/* ---- parser lifetime ---- */

static int ls__stab_init(ls__stab *t, const ls_slice *keys, size_t n,
                         int slot0, int *next_slot) {
  size_t cap = 4;
  while (cap < 2 * n) cap *= 2;
  t->e = (ls__skey *)malloc(cap * sizeof *t->e);
  if (t->e == NULL) return LS_ENOMEM;
  t->mask = cap - 1;
  for (size_t i = 0; i < cap; i++) t->e[i].slot = -1;
  for (size_t k = 0; k < n; k++) {
    uint64_t h = ls__hash_raw(keys[k].p, keys[k].n, LS__SEED_STR);
    size_t i = ls__hash_index(h, t->mask);
    int slot = slot0 + (int)k;
    next_slot[slot] = -1;
    for (;; i = (i + 1) & t->mask) {
      ls__skey *e = &t->e[i];
      if (e->slot < 0) {
        e->h = h;
        e->p = keys[k].p;
        e->n = keys[k].n;
        e->slot = slot;
        break;
      }
      if (e->h == h && e->n == keys[k].n && ls__eq(e->p, keys[k].p, e->n)) {
        /* The same key twice in the schema: both slots get the value. */
        int s = e->slot;
        while (next_slot[s] >= 0) s = next_slot[s];
        next_slot[s] = slot;
        break;
      }
    }
  }
  return LS_OK;
}

ls_event_parser *ls_event_parser_new(const ls_event_schema *schema) {
  ls_event_parser *P = (ls_event_parser *)calloc(1, sizeof *P);
  size_t np = schema ? schema->nprops : 0, na = schema ? schema->nattrs : 0;
  if (P == NULL) return NULL;
  if (np + na > (size_t)(1u << 30)) goto fail; /* slots are ints */
  P->nprops = np;
  P->nattrs = na;
  P->vals = (ls_jvalue *)calloc(np + na + 1, sizeof *P->vals);
  P->next_slot = (int *)calloc(np + na + 1, sizeof *P->next_slot);
  P->captured = (int *)calloc(np + na + 1, sizeof *P->captured);
  P->frames_cap = 16;
  P->frames = (ls__frame *)malloc(P->frames_cap * sizeof *P->frames);
  P->keys_cap = 64;
  P->keys = (ls__key *)malloc(P->keys_cap * sizeof *P->keys);
  if (!P->vals || !P->next_slot || !P->captured || !P->frames || !P->keys)
    goto fail;
  {
    static const char *const top[LS__F_NTOP] = {
        "id", "type", "time", "lead", "email", "anonymous_id", "props", "attrs"};
    for (int i = 0; i < LS__F_NTOP; i++)
      P->top_kh[i] = ls__hash_raw(top[i], strlen(top[i]), LS__SEED_STR);
  }
  if (ls__stab_init(&P->tab[0], np ? schema->prop_keys : NULL, np, 0,
                    P->next_slot) != LS_OK ||
      ls__stab_init(&P->tab[1], na ? schema->attr_keys : NULL, na, (int)np,
                    P->next_slot) != LS_OK)
    goto fail;
  return P;
fail:
  ls_event_parser_destroy(P);
  return NULL;
}

void ls_event_parser_destroy(ls_event_parser *P) {
  if (P == NULL) return;
  free(P->tab[0].e);
  free(P->tab[1].e);
  free(P->next_slot);
  free(P->captured);
  free(P->vals);
  free(P->sc.buf);
  free(P->keys);
  free(P->frames);
  free(P->email);
  free(P);
}

const char *ls_event_parser_reason(const ls_event_parser *P) {
  return P->reason;
}



/* ---- reasons ---- */

ls_line_result ls__reject(ls_event_parser *P, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(P->reason, sizeof P->reason, fmt, ap);
  va_end(ap);
  return LS_LINE_REJECT;
}

/* Writes s as a quoted, escaped, NUL-terminated string of at most
 * LS__QUOTED_MAX bytes (NUL included) into dst: at most LS__QUOTE_MAX bytes
 * of s, cut on a character boundary and then marked with "...". Control
 * characters, '"' and '\\' are escaped as in JSON so the reason stays one
 * printable line. */
void ls__quote(char *dst, ls_slice s) {
  static const char hex[] = "0123456789abcdef";
  char *d = dst, *lim = dst + LS__QUOTED_MAX - 5; /* room for ...", NUL */
  size_t i = 0;
  *d++ = '"';
  while (i < s.n) {
    unsigned char c = (unsigned char)s.p[i];
    size_t k = 1, w;
    if (c >= 0x80)
      while (i + k < s.n && ((unsigned char)s.p[i + k] & 0xC0) == 0x80) k++;
    w = c < 0x20 || c == 0x7F ? 6 : c == '"' || c == '\\' ? 2 : k;
    if (i + k > LS__QUOTE_MAX || d + w > lim) break;
    if (w == 6) {
      memcpy(d, "\\u00", 4);
      d[4] = hex[c >> 4];
      d[5] = hex[c & 15];
    } else if (w == 2 && k == 1) {
      d[0] = '\\';
      d[1] = (char)c;
    } else {
      memcpy(d, s.p + i, k);
    }
    d += w;
    i += k;
  }
  if (i < s.n) {
    memcpy(d, "...", 3);
    d += 3;
  }
  *d++ = '"';
  *d = '\0';
}

/* A grammar error at `at`. The line is read as UTF-8 before it is read as
 * JSON, so invalid UTF-8 anywhere wins; everything before `at` has been
 * validated already (strings as they were scanned, and the grammar admits
 * only ASCII outside strings). */
ls_line_result ls__syntax(ls_event_parser *P, const unsigned char *b,
                                 const unsigned char *at, const char *what) {
  const unsigned char *bad = ls__utf8_find_invalid(at, P->sc.end);
  if (bad)
    return ls__reject(P, "invalid UTF-8 at column %zu", (size_t)(bad - b) + 1);
  return ls__reject(P, "invalid JSON at column %zu: %s", (size_t)(at - b) + 1,
                    what);
}

ls_line_result ls__lex_error(ls_event_parser *P,
                                    const unsigned char *b) {
  const unsigned char *at = P->sc.errpos;
  switch (P->sc.err) {
    case LS__JE_UTF8:
      return ls__reject(P, "invalid UTF-8 at column %zu", (size_t)(at - b) + 1);
    case LS__JE_UNTERMINATED: return ls__syntax(P, b, at, "unterminated string");
    case LS__JE_CTRL:
      return ls__syntax(P, b, at, "control character in string");
    case LS__JE_ESCAPE: return ls__syntax(P, b, at, "invalid escape");
    case LS__JE_UESCAPE: return ls__syntax(P, b, at, "invalid \\u escape");
    case LS__JE_SURROGATE:
      return ls__syntax(P, b, at, "unpaired surrogate in \\u escape");
    case LS__JE_NUMBER: return ls__syntax(P, b, at, "invalid number");
    case LS__JE_NOMEM:
    case LS__JE_NONE: break;
  }
  return ls__reject(P, "out of memory");
}

/* ---- big objects ---- */

static void ls__sift_down(ls__key *a, size_t i, size_t n) {
  ls__key t = a[i];
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && a[c + 1].h > a[c].h) c++;
    if (a[c].h <= t.h) break;
    a[i] = a[c];
    i = c;
  }
  a[i] = t;
}

/* Sorts a[0..n) by hash (heapsort: in place, no allocation, no recursion)
 * and looks for two equal keys. Returns 1 and sets *dup if there are. */
int ls__find_dup_sorted(ls__key *a, size_t n, ls_slice *dup) {
  size_t i, j, x, y;
  for (i = n / 2; i-- > 0;) ls__sift_down(a, i, n);
  for (i = n; i-- > 1;) {
    ls__key t = a[0];
    a[0] = a[i];
    a[i] = t;
    ls__sift_down(a, 0, i);
  }
  for (i = 0; i < n; i = j) {
    for (j = i + 1; j < n && a[j].h == a[i].h; j++) {
    }
    for (x = i; x < j; x++)
      for (y = x + 1; y < j; y++)
        if (a[x].n == a[y].n && ls__eq(a[x].p, a[y].p, a[x].n)) {
          dup->p = a[y].p;
          dup->n = a[y].n;
          return 1;
        }
  }
  return 0;
}

/* ---- e-mail ---- */

static int ls__is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

/* Trims and lower-cases the e-mail (spec §9); borrows it when it needs no
 * change. Returns LS_OK or LS_ENOMEM. */
int ls__normalize_email(ls_event_parser *P, ls_slice s, ls_slice *out) {
  const char *p = s.p, *e = s.p + s.n;
  int upper = 0;
  while (p < e && ls__is_space((unsigned char)*p)) p++;
  while (e > p && ls__is_space((unsigned char)e[-1])) e--;
  out->p = NULL;
  out->n = 0;
  if (p == e) return LS_OK;
  for (const char *q = p; q < e; q++) upper |= *q >= 'A' && *q <= 'Z';
  if (!upper) {
    out->p = p;
    out->n = (size_t)(e - p);
    return LS_OK;
  }
  if (ls__grow((void **)&P->email, &P->email_cap, (size_t)(e - p), 1) != LS_OK)
    return LS_ENOMEM;
  for (size_t i = 0; i < (size_t)(e - p); i++) {
    char c = p[i];
    P->email[i] = c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
  }
  out->p = P->email;
  out->n = (size_t)(e - p);
  return LS_OK;
}

