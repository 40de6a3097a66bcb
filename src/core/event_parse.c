/* leadscore — the event-line parser (spec §1, §9).
 *
 * One pass over the line, no DOM, no recursion: a hand-written state machine
 * (the labels `value`, `key`, `done`, `close_obj`, `close_arr` below) keeps
 * the open objects and arrays on an explicit stack, so nesting depth is
 * bounded only by memory. While scanning it
 *   - validates the JSON grammar (RFC 8259) and UTF-8 (inside strings; the
 *     grammar admits only ASCII elsewhere),
 *   - detects a key twice in any object, comparing decoded keys,
 *   - computes the content hash bottom-up (see ls__member_hash),
 *   - captures the top-level fields and the schema's props/attrs members.
 * All memory (decoded strings, the key stack, the frame stack) belongs to
 * the parser and only grows, so a warmed-up parser allocates nothing. */
#include "leadscore/event.h"

#include <string.h>

#include "leadscore/error.h"
#include "leadscore/time.h"

#include "event_internal.h"

/* ---- scanning helpers ---- */

static inline const unsigned char *ls__skip_ws(const unsigned char *p,
                                               const unsigned char *end) {
  while (p < end && *p <= ' ' &&
         (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

static inline int ls__top_field(const char *k, size_t n) {
  uint64_t w;
  switch (n) {
    case 2:
      return LS__W2(k[0], k[1]) == LS__W2('i', 'd') ? LS__F_ID : LS__F_NONE;
    case 4:
      w = ls__load32(k);
      if (w == LS__W4('t', 'y', 'p', 'e')) return LS__F_TYPE;
      if (w == LS__W4('t', 'i', 'm', 'e')) return LS__F_TIME;
      if (w == LS__W4('l', 'e', 'a', 'd')) return LS__F_LEAD;
      return LS__F_NONE;
    case 5:
      w = ls__load32(k);
      if (w == LS__W4('e', 'm', 'a', 'i') && k[4] == 'l') return LS__F_EMAIL;
      if (w == LS__W4('p', 'r', 'o', 'p') && k[4] == 's') return LS__F_PROPS;
      if (w == LS__W4('a', 't', 't', 'r') && k[4] == 's') return LS__F_ATTRS;
      return LS__F_NONE;
    case 12:
      return ls__load64(k) == LS__W8('a', 'n', 'o', 'n', 'y', 'm', 'o', 'u') &&
                     ls__load32(k + 8) == LS__W4('s', '_', 'i', 'd')
                 ? LS__F_ANON
                 : LS__F_NONE;
    default: return LS__F_NONE;
  }
}

static const unsigned char ls__top_len[LS__F_NTOP] = {2, 4, 4, 4, 5, 12, 5, 5};

/* Recognizes the quoted key of a top-level field at p (including both
 * quotes), without escapes: the field, or -1 (then the generic path decides,
 * with the same result). Needs 16 readable bytes. */
static inline int ls__top_key_fast(const unsigned char *p,
                                   const unsigned char *end) {
  const uint64_t m6 = UINT64_C(0xFFFFFFFFFFFF), m7 = UINT64_C(0xFFFFFFFFFFFFFF);
  uint64_t w;
  if (end - p < 16) return -1;
  w = ls__load64(p);
  switch (p[1]) {
    case 'i':
      return (w & 0xFFFFFFFF) == LS__W4('"', 'i', 'd', '"') ? LS__F_ID : -1;
    case 't':
      if ((w & m6) == (LS__W4('"', 't', 'y', 'p') | LS__W2('e', '"') << 32))
        return LS__F_TYPE;
      if ((w & m6) == (LS__W4('"', 't', 'i', 'm') | LS__W2('e', '"') << 32))
        return LS__F_TIME;
      return -1;
    case 'l':
      return (w & m6) == (LS__W4('"', 'l', 'e', 'a') | LS__W2('d', '"') << 32)
                 ? LS__F_LEAD
                 : -1;
    case 'e':
      return (w & m7) == (LS__W4('"', 'e', 'm', 'a') | LS__W4('i', 'l', '"', 0) << 32)
                 ? LS__F_EMAIL
                 : -1;
    case 'p':
      return (w & m7) == (LS__W4('"', 'p', 'r', 'o') | LS__W4('p', 's', '"', 0) << 32)
                 ? LS__F_PROPS
                 : -1;
    case 'a':
      if ((w & m7) == (LS__W4('"', 'a', 't', 't') | LS__W4('r', 's', '"', 0) << 32))
        return LS__F_ATTRS;
      if (w == LS__W8('"', 'a', 'n', 'o', 'n', 'y', 'm', 'o') &&
          ls__load64(p + 6) == LS__W8('m', 'o', 'u', 's', '_', 'i', 'd', '"'))
        return LS__F_ANON;
      return -1;
    default: return -1;
  }
}

/* Content hash: a string hashes its decoded bytes, a number its decimal
 * value, an array the ordered chain of its elements, an object the *sum* of
 * its member hashes (so member order does not matter, at any depth). For a
 * fixed key the member hash is a bijection of the value hash, and the sum a
 * bijection of each term, so changing one value always changes the sum. */
static inline uint64_t ls__member_hash(uint64_t kh, uint64_t vh) {
  return ls__fmix64((kh * LS__K2) ^ vh);
}

static inline uint64_t ls__object_hash(uint64_t acc, size_t n) {
  return ls__fmix64(acc ^ LS__SEED_OBJ ^ ((uint64_t)n * LS__K1));
}

static inline uint64_t ls__array_hash(uint64_t acc, size_t n) {
  return ls__fmix64(acc ^ LS__SEED_ARR ^ ((uint64_t)n * LS__K1));
}

static void ls__capture(ls_event_parser *P, int slot, ls_jkind k,
                        const char *vp, size_t vn) {
  for (; slot >= 0; slot = P->next_slot[slot]) {
    /* Listed once per line even when a duplicate key (an error found
     * later) fills it again, so `captured` cannot overflow. */
    if (P->vals[slot].kind == LS_J_ABSENT) P->captured[P->ncaptured++] = slot;
    P->vals[slot].kind = k;
    P->vals[slot].s.p = vp;
    P->vals[slot].s.n = vn;
  }
}

/* ---- the parser ---- */

ls_line_result ls_event_parse(ls_event_parser *P, const char *line, size_t len,
                              ls_event_fields *out) {
  static const char *const names[3] = {"id", "type", "time"};
  const unsigned char *b = (const unsigned char *)line, *p, *q, *end;
  ls__scan *sc = &P->sc;
  ls__frame *f, *frames = P->frames; /* locals: stay in registers */
  ls__key *keys = P->keys;
  size_t depth = 0, ktop = 0;
  /* The value just scanned, kept in scalars (not an ls_jvalue) so that it
   * can live in registers: a struct written piecewise through a pointer and
   * read back whole costs a store-forwarding stall per member. */
  ls_jkind vk = LS_J_ABSENT;
  const char *vp = NULL;
  size_t vn = 0;
  ls_jvalue fields[LS__F_NFIELDS];
  ls_slice ks, dup_key = {NULL, 0};
  uint64_t vh = 0;
  int has_dup = 0, i;
  char quoted[LS__QUOTED_MAX];

  P->reason[0] = '\0';
  if (len > 0 && b[len - 1] == '\r') len--;
  if (len == 0) return LS_LINE_BLANK; /* line may be NULL then */
  end = b + len;
  p = ls__skip_ws(b, end);
  if (p == end) return LS_LINE_BLANK;

  sc->end = end;
  sc->top = 0;
  sc->need = len;
  sc->reserved = 0;
  sc->err = LS__JE_NONE;
  for (i = 0; i < LS__F_NFIELDS; i++) fields[i].kind = LS_J_ABSENT;
  /* Clear what the previous line captured (cheaper than every slot). */
  while (P->ncaptured > 0) {
    ls_jvalue *e = &P->vals[P->captured[--P->ncaptured]];
    e->kind = LS_J_ABSENT;
    e->s.p = NULL;
    e->s.n = 0;
  }

value: /* p: the first byte of a value (white space skipped) */
  if (p == end) return ls__syntax(P, b, p, "unexpected end of line");
  if (*p == '"') goto string; /* the common case first */
  switch (*p) {
    case '{':
    case '[': {
      unsigned char role = LS__R_NONE;
      if (depth == 0) {
        role = LS__R_TOP;
      } else if (*p == '{' && frames[depth - 1].role == LS__R_TOP) {
        int s = frames[depth - 1].slot;
        role = s == LS__F_PROPS ? LS__R_PROPS
                                : s == LS__F_ATTRS ? LS__R_ATTRS : LS__R_NONE;
      }
      if (depth == P->frames_cap) {
        if (ls__grow((void **)&P->frames, &P->frames_cap, depth + 1, sizeof *P->frames) != LS_OK)
          return ls__reject(P, "out of memory");
        frames = P->frames;
      }
      f = &frames[depth++];
      f->acc = 0;
      f->filter = 0;
      f->start = (size_t)(p - b);
      f->key0 = ktop;
      f->n = 0;
      f->slot = LS__F_NONE;
      f->is_obj = *p == '{';
      f->role = f->is_obj ? role : LS__R_NONE;
      p = ls__skip_ws(p + 1, end);
      if (f->is_obj) {
        if (p < end && *p == '}') {
          p++;
          goto close_obj;
        }
        goto key;
      }
      if (p < end && *p == ']') {
        p++;
        goto close_arr;
      }
      goto value;
    }
    case '"':
    string:
      q = ls__scan_string(sc, p, end, &ks);
      if (q == NULL) return ls__lex_error(P, b);
      p = q;
      vk = LS_J_STRING;
      vp = ks.p;
      vn = ks.n;
      vh = ls__hash_raw(vp, vn, LS__SEED_STR);
      goto done;
    case 't':
      if (end - p >= 4 && ls__load32(p) == LS__W4('t', 'r', 'u', 'e')) {
        vk = LS_J_TRUE;
        vh = LS__H_TRUE;
        goto literal;
      }
      return ls__syntax(P, b, p, "invalid literal");
    case 'f':
      if (end - p >= 5 && ls__load32(p + 1) == LS__W4('a', 'l', 's', 'e')) {
        vk = LS_J_FALSE;
        vh = LS__H_FALSE;
        goto literal;
      }
      return ls__syntax(P, b, p, "invalid literal");
    case 'n':
      if (end - p >= 4 && ls__load32(p) == LS__W4('n', 'u', 'l', 'l')) {
        vk = LS_J_NULL;
        vh = LS__H_NULL;
        goto literal;
      }
      return ls__syntax(P, b, p, "invalid literal");
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      q = ls__scan_number(sc, p, &vh);
      if (q == NULL) return ls__lex_error(P, b);
      vk = LS_J_NUMBER;
      vp = (const char *)p;
      vn = (size_t)(q - p);
      p = q;
      goto done;
    default: return ls__syntax(P, b, p, "expected a value");
  }

literal:
  vp = (const char *)p;
  vn = vk == LS_J_FALSE ? 5 : 4;
  p += vn;
  goto done;

key: /* p: where a member's key must start (white space skipped) */
  if (p == end) return ls__syntax(P, b, p, "unexpected end of line");
  if (*p != '"') return ls__syntax(P, b, p, "expected a string key");
  {
    uint64_t kh, bit;
    int fld;
    f = &frames[depth - 1];
    if (f->role == LS__R_TOP && (fld = ls__top_key_fast(p, end)) >= 0) {
      /* A well-known top-level key, recognized in place. */
      ks.p = (const char *)p + 1;
      ks.n = ls__top_len[fld];
      p += ks.n + 2;
      f->slot = fld;
      kh = P->top_kh[fld];
    } else if ((q = ls__scan_string(sc, p, end, &ks)) == NULL) {
      return ls__lex_error(P, b);
    } else if ((p = q, f->role == LS__R_TOP) &&
               (f->slot = ls__top_field(ks.p, ks.n)) >= 0) {
      /* The top-level fields have their key hash ready. */
      kh = P->top_kh[f->slot];
    } else {
      kh = ls__hash_raw(ks.p, ks.n, LS__SEED_STR);
      if (f->role == LS__R_PROPS)
        f->slot = ls__stab_find(&P->tab[0], kh, ks.p, ks.n);
      else if (f->role == LS__R_ATTRS)
        f->slot = ls__stab_find(&P->tab[1], kh, ks.p, ks.n);
    }
    bit = UINT64_C(1) << (kh >> 58);
    /* The 64-bit filter of the keys so far spares the comparisons for
     * almost every new key of a small object. */
    if ((f->filter & bit) && !has_dup && ktop - f->key0 < LS__LINEAR_KEYS) {
      for (size_t k = f->key0; k < ktop; k++) {
        const ls__key *e = &keys[k];
        if (e->h == kh && e->n == ks.n && ls__eq(e->p, ks.p, ks.n)) {
          has_dup = 1;
          dup_key = ks;
          break;
        }
      }
    }
    if (ktop == P->keys_cap) {
      if (ls__grow((void **)&P->keys, &P->keys_cap, ktop + 1, sizeof *P->keys) != LS_OK)
        return ls__reject(P, "out of memory");
      keys = P->keys;
    }
    f->filter |= bit;
    keys[ktop].h = kh;
    keys[ktop].p = ks.p;
    keys[ktop].n = ks.n;
    ktop++;
  }
  if (p == end || *p != ':') {
    p = ls__skip_ws(p, end);
    if (p == end) return ls__syntax(P, b, p, "unexpected end of line");
    if (*p != ':') return ls__syntax(P, b, p, "expected ':'");
  }
  p = ls__skip_ws(p + 1, end);
  goto value;

done: /* a value ended at p; vk, vp, vn and vh describe it */
  if (depth == 0) goto finish;
  f = &frames[depth - 1];
  p = ls__skip_ws(p, end);
  if (f->is_obj) {
    f->acc += ls__member_hash(keys[ktop - 1].h, vh);
    f->n++;
    if (f->slot >= 0) {
      if (f->role == LS__R_TOP) {
        if (f->slot < LS__F_NFIELDS) {
          fields[f->slot].kind = vk;
          fields[f->slot].s.p = vp;
          fields[f->slot].s.n = vn;
        }
      } else if (f->role != LS__R_NONE) {
        ls__capture(P, f->slot, vk, vp, vn);
      }
    }
    if (p < end && *p == ',') {
      p = ls__skip_ws(p + 1, end);
      goto key;
    }
    if (p < end && *p == '}') {
      p++;
      goto close_obj;
    }
    return ls__syntax(P, b, p,
                      p == end ? "unexpected end of line" : "expected ',' or '}'");
  }
  f->acc = ls__fmix64(f->acc ^ vh) + LS__K0;
  f->n++;
  if (p < end && *p == ',') {
    p = ls__skip_ws(p + 1, end);
    goto value;
  }
  if (p < end && *p == ']') {
    p++;
    goto close_arr;
  }
  return ls__syntax(P, b, p,
                    p == end ? "unexpected end of line" : "expected ',' or ']'");

close_obj: /* p: just after the '}' of the innermost frame */
  f = &frames[depth - 1];
  if (!has_dup && f->n > LS__LINEAR_KEYS)
    has_dup = ls__find_dup_sorted(keys + f->key0, ktop - f->key0, &dup_key);
  ktop = f->key0;
  vh = ls__object_hash(f->acc, f->n);
  vk = LS_J_OBJECT;
  goto close;

close_arr:
  f = &frames[depth - 1];
  vh = ls__array_hash(f->acc, f->n);
  vk = LS_J_ARRAY;

close:
  vp = (const char *)b + f->start;
  vn = (size_t)(p - b) - f->start;
  depth--;
  goto done;

finish:
  p = ls__skip_ws(p, end);
  if (p != end) return ls__syntax(P, b, p, "unexpected text after the value");
  if (vk != LS_J_OBJECT) return ls__reject(P, "not a JSON object");
  if (has_dup) {
    ls__quote(quoted, dup_key);
    return ls__reject(P, "duplicate key %s", quoted);
  }

  for (i = 0; i < 3; i++) {
    if (fields[i].kind == LS_J_ABSENT)
      return ls__reject(P, "missing \"%s\"", names[i]);
    if (fields[i].kind != LS_J_STRING || fields[i].s.n == 0)
      return ls__reject(P, "\"%s\" is not a non-empty string", names[i]);
  }
  if (ls_time_parse(fields[LS__F_TIME].s.p, fields[LS__F_TIME].s.n,
                    &out->time) != LS_OK) {
    ls__quote(quoted, fields[LS__F_TIME].s);
    return ls__reject(P, "invalid time %s", quoted);
  }
  out->id = fields[LS__F_ID].s;
  out->type = fields[LS__F_TYPE].s;

  /* Identity fields: a non-empty string, else absent (spec §9). */
  out->lead.p = NULL;
  out->lead.n = 0;
  out->email = out->anon = out->lead;
  if (fields[LS__F_LEAD].kind == LS_J_STRING && fields[LS__F_LEAD].s.n > 0)
    out->lead = fields[LS__F_LEAD].s;
  if (fields[LS__F_ANON].kind == LS_J_STRING && fields[LS__F_ANON].s.n > 0)
    out->anon = fields[LS__F_ANON].s;
  if (fields[LS__F_EMAIL].kind == LS_J_STRING &&
      ls__normalize_email(P, fields[LS__F_EMAIL].s, &out->email) != LS_OK)
    return ls__reject(P, "out of memory");
  if (out->lead.n == 0 && out->email.n == 0 && out->anon.n == 0)
    return ls__reject(P, "no identity (lead, email or anonymous_id)");

  out->props = P->vals;
  out->attrs = P->vals + P->nprops;
  out->content_hash = vh;
  return LS_LINE_EVENT;
}
