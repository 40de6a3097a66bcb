/* Per-event predicates: ls_model_eval_preds and the URL path of spec §9.
 * Runs once per event: no allocation, no locale-dependent string handling
 * except strtod (the C locale's decimal point is assumed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

ls_slice ls__url_path(ls_slice url) {
  const char *s = url.p;
  size_t n = url.n, start = 0, i = 0;
  ls_slice out = {s, 0};
  if (!s) return out;
  /* the first "://" */
  for (i = 0; i + 3 <= n; i++)
    if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') break;
  if (i + 3 <= n) {
    for (i += 3; i < n && s[i] != '/'; i++)
      if (s[i] == '?' || s[i] == '#') return out; /* query before any path */
    if (i == n) return out;                       /* no path at all */
    start = i;
  }
  for (i = start; i < n && s[i] != '?' && s[i] != '#'; i++) {
  }
  out.p = s + start;
  out.n = i - start;
  return out;
}

static inline unsigned char fold(unsigned char ch) {
  return (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch + 32) : ch;
}

static bool contains_ci(const char *h, size_t hn, const char *nd, size_t nn) {
  if (nn == 0) return true;
  if (nn > hn) return false;
  unsigned char first = fold((unsigned char)nd[0]);
  for (size_t i = 0; i + nn <= hn; i++) {
    if (fold((unsigned char)h[i]) != first) continue;
    size_t j = 1;
    while (j < nn && fold((unsigned char)h[i + j]) == fold((unsigned char)nd[j]))
      j++;
    if (j == nn) return true;
  }
  return false;
}

/* nd in h, byte for byte: memchr for the first byte (short URLs and
 * needles: cheaper than memmem's set-up). */
static bool find(const char *h, size_t hn, const char *nd, size_t nn) {
  if (nn == 0) return true;
  for (const char *s = h, *end = h + hn; (size_t)(end - s) >= nn;) {
    const char *c = memchr(s, nd[0], (size_t)(end - s) - nn + 1);
    if (!c) return false;
    if (memcmp(c + 1, nd + 1, nn - 1) == 0) return true;
    s = c + 1;
  }
  return false;
}

static bool has_prefix(const char *s, size_t n, const char *p, size_t pn) {
  return n >= pn && (pn == 0 || memcmp(s, p, pn) == 0);
}

/* strtod on a JSON number that is too long for the small buffer: keeps 800
 * significant digits plus a sticky digit for the rest, which rounds exactly
 * as the full text would (binary64 needs at most 767 digits to decide). */
static double long_number(const char *s, size_t n) {
  char buf[900];
  size_t b = 0, i = 0, nd = 0;
  long long exp10 = 0, e = 0;
  bool started = false, sticky = false, eneg = false;
  if (i < n && s[i] == '-') buf[b++] = s[i++];
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    if (!started && s[i] == '0') continue;
    started = true;
    if (nd < 800) {
      buf[b++] = s[i];
      nd++;
    } else {
      exp10++;
      sticky |= s[i] != '0';
    }
  }
  if (i < n && s[i] == '.') {
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
      if (!started && s[i] == '0') {
        exp10--;
        continue;
      }
      started = true;
      if (nd < 800) {
        buf[b++] = s[i];
        nd++;
        exp10--;
      } else {
        sticky |= s[i] != '0';
      }
    }
  }
  if (nd == 0) return (b && buf[0] == '-') ? -0.0 : 0.0;
  if (sticky) {
    buf[b++] = '1';
    exp10--;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      if (e < 100000000) e = e * 10 + (s[i] - '0');
  }
  exp10 += eneg ? -e : e;
  if (exp10 > 100000000) exp10 = 100000000;
  if (exp10 < -100000000) exp10 = -100000000;
  snprintf(buf + b, sizeof buf - b, "e%lld", exp10);
  return strtod(buf, NULL);
}

static double number(ls_slice v) {
  char buf[128];
  if (v.n >= sizeof buf) return long_number(v.p, v.n);
  memcpy(buf, v.p, v.n);
  buf[v.n] = 0;
  return strtod(buf, NULL);
}

static bool compare(double a, uint8_t cmp, double b) {
  switch (cmp) {
    case LS__LT: return a < b;
    case LS__LE: return a <= b;
    case LS__GT: return a > b;
    case LS__GE: return a >= b;
    case LS__EQ: return a == b;
    default: return a != b; /* LS__NE */
  }
}

/* URL paths and lower-cased copies of the captured props, computed at most
 * once per event (a model usually has several path_prefix or contains_ci
 * rules on the same `url`). */
typedef struct path_memo {
  uint32_t done;  /* bit k: paths[k] is valid (prop keys 0..31) */
  uint32_t lowed; /* bit k: lower[k] is valid */
  ls_slice paths[32];
  ls_slice lower[32];
  size_t used;
  char buf[2048]; /* lower[] copies; a value that does not fit is folded per test */
} path_memo;

/* v folded to ASCII lower case, once per event and key; NULL when it does
 * not fit the memo. */
static const ls_slice *lowered(path_memo *pm, const ls__pred *p, const ls_jvalue *v) {
  if (p->src != LS__SRC_PROP || p->key >= 32) return NULL;
  if (!(pm->lowed >> p->key & 1)) {
    if (v->s.n > sizeof pm->buf - pm->used) return NULL;
    char *d = pm->buf + pm->used;
    for (size_t i = 0; i < v->s.n; i++) d[i] = (char)fold((unsigned char)v->s.p[i]);
    pm->lower[p->key] = (ls_slice){d, v->s.n};
    pm->used += v->s.n;
    pm->lowed |= UINT32_C(1) << p->key;
  }
  return &pm->lower[p->key];
}

static ls_slice url_path_of(path_memo *pm, const ls__pred *p, const ls_jvalue *v) {
  if (p->src != LS__SRC_PROP || p->key >= 32) return ls__url_path(v->s);
  if (!(pm->done >> p->key & 1)) {
    pm->paths[p->key] = ls__url_path(v->s);
    pm->done |= UINT32_C(1) << p->key;
  }
  return pm->paths[p->key];
}

/* Does the test of `p` hold for value `v` (before `not`)? */
static bool test(const ls__pred *p, const ls_jvalue *v, path_memo *pm) {
  if (p->op == LS__P_HAS) return v && v->kind != LS_J_ABSENT;
  if (!v) return false;
  if (v->kind == LS_J_STRING) {
    const char *s = v->s.p;
    size_t n = v->s.n;
    switch (p->op) {
      case LS__P_EQUALS:
        return n == p->lens[0] && (n == 0 || memcmp(s, p->strs[0], n) == 0);
      case LS__P_IN:
        for (size_t i = 0; i < p->nstrs; i++)
          if (n == p->lens[i] && (n == 0 || memcmp(s, p->strs[i], n) == 0))
            return true;
        return false;
      case LS__P_CONTAINS_CI: {
        const ls_slice *l = p->lower ? lowered(pm, p, v) : NULL;
        if (!l) return contains_ci(s, n, p->strs[0], p->lens[0]);
        return find(l->p, l->n, p->lower, p->lens[0]);
      }
      case LS__P_PREFIX:
        return has_prefix(s, n, p->strs[0], p->lens[0]);
      case LS__P_PATH_PREFIX: {
        ls_slice path = url_path_of(pm, p, v);
        return has_prefix(path.p, path.n, p->strs[0], p->lens[0]);
      }
      case LS__P_PRESENT:
      case LS__P_STRING:
        return n > 0;
      default:
        return false;
    }
  }
  if (v->kind == LS_J_NUMBER) {
    if (p->op == LS__P_NUM_CMP) return compare(number(v->s), p->cmp, p->num);
    return p->op == LS__P_PRESENT;
  }
  if (v->kind == LS_J_TRUE || v->kind == LS_J_FALSE)
    return p->op == LS__P_PRESENT;
  return false;
}

void ls_model_eval_preds(const ls_model *m, const ls_event_fields *ev,
                         uint64_t *bits) {
  ls__eval_preds_typed(m, ev, ls_model_type_index(m, ev->type), bits);
}

void ls__eval_preds_typed(const ls_model *m, const ls_event_fields *ev, uint16_t t,
                          uint64_t *bits) {
  memset(bits, 0, m->pred_words * sizeof *bits);
  path_memo pm;
  pm.done = pm.lowed = 0;
  pm.used = 0;
  /* only what the event's type can use (see build_type_preds) */
  for (uint32_t k = m->type_pred_off[t]; k < m->type_pred_off[t + 1]; k++) {
    size_t i = m->type_preds[k];
    const ls__pred *p = &m->preds[i];
    const ls_jvalue *vals = p->src == LS__SRC_PROP ? ev->props : ev->attrs;
    size_t nvals = p->src == LS__SRC_PROP ? m->nprops : m->nattrs;
    const ls_jvalue *v = vals && p->key < nvals ? &vals[p->key] : NULL;
    if (test(p, v, &pm) != p->negate) bits[i >> 6] |= UINT64_C(1) << (i & 63);
  }
  for (size_t f = 0; f < m->nfams; f++) { /* the categories, after the bits */
    ls_slice cat = ls_model_event_category(m, ev, f);
    bits[m->pred_words + f] = cat.n ? ls_model_category_hash(cat.p, cat.n) : 0;
  }
}

/* [+-]digits[.digits][e[+-]digits]: what an attribute "of a number" looks
 * like; strtod alone would also take "inf", "0x10" and leading spaces. */
static bool number_text(const char *s, size_t n) {
  size_t i = 0, d;
  if (i < n && (s[i] == '-' || s[i] == '+')) i++;
  for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
  }
  if (i == d) return false;
  if (i < n && s[i] == '.') {
    for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    }
    if (i == d) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    if (++i < n && (s[i] == '+' || s[i] == '-')) i++;
    for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    }
    if (i == d) return false;
  }
  return i == n;
}

bool ls__pred_test_text(const ls__pred *p, const char *s) {
  bool holds = false;
  if (s) {
    ls_jvalue v = {LS_J_STRING, {s, strlen(s)}};
    if (p->op == LS__P_NUM_CMP) {
      holds = number_text(v.s.p, v.s.n) && compare(number(v.s), p->cmp, p->num);
    } else {
      path_memo pm; /* only read for props (src) below key 32 */
      pm.done = pm.lowed = 0;
      pm.used = 0;
      ls__pred q = *p;
      q.src = LS__SRC_ATTR;
      holds = test(&q, &v, &pm);
    }
  }
  return holds != p->negate;
}
