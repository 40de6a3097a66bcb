/* The weights file (leadscore/predict.h): ls_pred_weights as YAML text and
 * back. Pure: text in, text out.
 *
 * The writer prints every double with %.17g so that strtod reads back the
 * same bits. The reader walks libyaml's events directly rather than building
 * a tree: the file is one mapping and one list of small mappings, so the
 * current event is all the state it needs. Anchors, aliases and tags are
 * rejected where they are written, like the model loader does. */
#include "leadscore/predict.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/grow.h"
#include "core/utf8.h"

/* ---- writing ---- */

/* Appends s[0..n) as a YAML double-quoted scalar. Escaped: what libyaml
 * would not give back byte for byte — the quote, the backslash, C0 and C1
 * controls, DEL, the characters it folds as line breaks (U+0085, U+2028,
 * U+2029) and those its reader refuses or may eat (U+FEFF, U+FFFE, U+FFFF).
 * Bytes that are not UTF-8 go out as they are: libyaml then refuses the
 * file, which is better than reading back other bytes. */
static int put_quoted(ls_buf *b, const char *s, size_t n) {
  static const char raw[] = "\"\\\n\t\r", esc[] = "\"\\ntr";
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  int rc = ls_buf_append(b, "\"", 1);
  while (!rc && p < end) {
    size_t k = 1;
    unsigned c = *p;
    if (c >= 0x80) {
      if (!(k = ls__utf8_seq(p, end))) {
        rc = ls_buf_append(b, (const char *)p++, 1); /* not UTF-8: as it is */
        continue;
      }
      c = p[0] & (0x7Fu >> k);
      for (size_t i = 1; i < k; i++) c = c << 6 | (p[i] & 0x3Fu);
    }
    const char *q = c && c < 0x80 ? strchr(raw, (int)c) : NULL;
    if (q) rc = ls_buf_appendf(b, "\\%c", esc[q - raw]);
    else if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
      rc = ls_buf_appendf(b, "\\x%02X", c);
    else if (c == 0x2028 || c == 0x2029 || c == 0xFEFF || c == 0xFFFE || c == 0xFFFF)
      rc = ls_buf_appendf(b, "\\u%04X", c);
    else rc = ls_buf_append(b, (const char *)p, k);
    p += k;
  }
  return rc ? rc : ls_buf_append(b, "\"", 1);
}

/* The largest unit that says it exactly. */
static int put_horizon(ls_buf *b, int64_t s) {
  static const struct { int64_t sec; char unit; } units[] = {
      {86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
  size_t i = 0;
  while (s % units[i].sec) i++;
  return ls_buf_appendf(b, "horizon: %" PRId64 "%c\n", s / units[i].sec, units[i].unit);
}

static int put_feature(ls_buf *b, const ls_pred_weights *w, size_t j) {
  int rc = ls_buf_append(b, "  - name: ", 10);
  if (!rc) rc = put_quoted(b, w->name[j], strlen(w->name[j]));
  if (!rc)
    rc = ls_buf_appendf(b, "\n    weight: %.17g\n    odds_per_sd: %.17g\n"
                        "    mean: %.17g\n    scale: %.17g\n",
                        w->weight[j], exp(w->weight[j]), w->mean[j], w->scale[j]);
  return rc;
}

static const char header[] =
    "# leadscore predictive weights: the chance of reaching opportunity within the horizon\n"
    "# p = 1 / (1 + exp(-(intercept + sum of weight * (x - mean) / scale)))\n"
    "# features by falling |weight|; a weight is per standard deviation of the feature\n"
    "leadscore_weights: 1\nmodel: ";

int ls_pred_weights_write(const ls_pred_weights *w, ls_buf *out) {
  char t[LS_TIME_FMT_MAX];
  size_t len0 = out->len;
  ls_time_format(w->trained_at, t);
  int rc = ls_buf_append(out, header, sizeof header - 1);
  if (!rc) rc = put_quoted(out, w->model, strnlen(w->model, sizeof w->model));
  if (!rc) rc = ls_buf_appendf(out, "\ntrained_at: %s\n", t);
  /* no horizon (0) is left out: the reader wants a positive one */
  if (!rc && w->horizon > 0) rc = put_horizon(out, w->horizon);
  if (!rc)
    rc = ls_buf_appendf(out, "examples: %" PRIu64 "\npositives: %" PRIu64
                        "\nlambda: %.17g\niterations: %u\nintercept: %.17g\n"
                        "features:%s\n", w->examples, w->positives, w->lambda,
                        w->iterations, w->intercept, w->n ? "" : " []");
  for (size_t j = 0; !rc && j < w->n; j++) rc = put_feature(out, w, j);
  if (rc) out->len = len0; /* all or nothing */
  return rc;
}

/* ---- reading: events and diagnostics ---- */

typedef struct reader {
  yaml_parser_t yp;
  yaml_event_t ev; /* the current event */
  bool live;       /* ev is to be deleted */
  const char *text;
  size_t len;
  ls_diag *diag;
  ls_pred_weights *w;
  size_t cap[4]; /* of name, weight, mean, scale */
} reader;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(reader *r, size_t line, size_t col, const char *fmt, ...) {
  if (!r->diag) return LS_EMODEL;
  va_list ap;
  va_start(ap, fmt);
  r->diag->line = (unsigned)line;
  r->diag->col = (unsigned)col;
  vsnprintf(r->diag->msg, sizeof r->diag->msg, fmt, ap);
  va_end(ap);
  return LS_EMODEL;
}

#define AT(m) (m).line + 1, (m).column + 1 /* a yaml_mark_t, 1-based */

static int oom(reader *r) {
  if (r->diag) *r->diag = (ls_diag){0, 0, "out of memory"};
  return LS_ENOMEM;
}

/* About 40 bytes of s[0..n) for a message (buf: 48 bytes): controls,
 * quote and backslash escaped, cut at a character boundary with "...". */
static const char *show(char *buf, const char *s, size_t n) {
  size_t o = 0, i = 0;
  for (; i < n && o < 40; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7F) {
      o += (size_t)snprintf(buf + o, 5, "\\x%02x", c);
      continue;
    }
    if (c == '"' || c == '\\') buf[o++] = '\\';
    buf[o++] = (char)c;
  }
  if (i < n) {
    while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80) o--;
    if (o > 0 && (unsigned char)buf[o - 1] >= 0xC0) o--; /* a cut lead byte */
    memcpy(buf + o, "...", 3);
    o += 3;
  }
  buf[o] = 0;
  return buf;
}

static const char *show_c(char *buf, const yaml_char_t *s) {
  return show(buf, (const char *)s, strlen((const char *)s));
}

static bool is_scalar(const reader *r) { return r->ev.type == YAML_SCALAR_EVENT; }
static const char *scalar(const reader *r) { return (const char *)r->ev.data.scalar.value; }
static size_t scalar_len(const reader *r) { return r->ev.data.scalar.length; }
static bool is_plain(const reader *r) { return r->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE; }

/* What the current event is, for "got ..." (buf: 64 bytes). */
static const char *what(const reader *r, char *buf) {
  char tmp[48];
  if (r->ev.type == YAML_MAPPING_START_EVENT) return "a mapping";
  if (r->ev.type == YAML_SEQUENCE_START_EVENT) return "a list";
  if (!is_scalar(r) || (is_plain(r) && scalar_len(r) == 0)) return "nothing";
  snprintf(buf, 64, "%s\"%s\"", is_plain(r) ? "" : "the quoted string ",
           show(tmp, scalar(r), scalar_len(r)));
  return buf;
}

/* Line and column (1-based, counting UTF-8 characters) of byte `off`. */
static void offset_to_lc(const char *text, size_t len, size_t off, size_t *line, size_t *col) {
  *line = *col = 1;
  for (size_t i = 0; i < off && i < len; i++)
    if (text[i] == '\n') *col = 1, ++*line;
    else *col += ((unsigned char)text[i] & 0xC0) != 0x80;
}

static int syntax_error(reader *r) {
  const yaml_parser_t *p = &r->yp;
  const char *problem = p->problem ? p->problem : "invalid YAML";
  size_t line, col;
  if (p->error == YAML_MEMORY_ERROR) return oom(r);
  if (p->error == YAML_READER_ERROR) {
    offset_to_lc(r->text, r->len, p->problem_offset, &line, &col);
    return fail(r, line, col, "invalid text: %s (a weights file is UTF-8 text "
                "without control characters)", problem);
  }
  if (p->context)
    return fail(r, AT(p->problem_mark), "YAML syntax error: %s (%s at line %zu, column %zu)",
                problem, p->context, AT(p->context_mark));
  return fail(r, AT(p->problem_mark), "YAML syntax error: %s", problem);
}

/* Moves to the next event; anchors, aliases and tags are errors. */
static int next(reader *r) {
  char buf[48];
  if (r->live) yaml_event_delete(&r->ev);
  r->live = false;
  if (!yaml_parser_parse(&r->yp, &r->ev)) return syntax_error(r);
  r->live = true;
  const yaml_event_t *e = &r->ev;
  const yaml_char_t *anchor = NULL, *tag = NULL;
  if (e->type == YAML_ALIAS_EVENT)
    return fail(r, AT(e->start_mark), "YAML aliases (*%s) are not supported; write the value out",
                show_c(buf, e->data.alias.anchor));
  if (e->type == YAML_SCALAR_EVENT) anchor = e->data.scalar.anchor, tag = e->data.scalar.tag;
  if (e->type == YAML_SEQUENCE_START_EVENT)
    anchor = e->data.sequence_start.anchor, tag = e->data.sequence_start.tag;
  if (e->type == YAML_MAPPING_START_EVENT)
    anchor = e->data.mapping_start.anchor, tag = e->data.mapping_start.tag;
  if (anchor)
    return fail(r, AT(e->start_mark), "YAML anchors (&%s) are not supported; write the value out",
                show_c(buf, anchor));
  if (tag)
    return fail(r, AT(e->start_mark), "YAML tags (%s) are not supported; remove the tag",
                show_c(buf, tag));
  return LS_OK;
}

/* ---- reading: values ---- */

/* Unless ok: "PATH: expected EXPECTED, got WHAT", at the current event. */
static int expect(reader *r, bool ok, const char *path, const char *expected) {
  char buf[64];
  if (ok) return LS_OK;
  return fail(r, AT(r->ev.start_mark), "%s: expected %s, got %s", path, expected, what(r, buf));
}

enum { ANY, NONNEG, POS }; /* the range a number must be in */

/* A plain scalar strtod reads whole, finite and in range. */
static int want_number(reader *r, const char *path, int range, double *out) {
  static const char *const expected[] = {"a finite number", "a number >= 0", "a positive number"};
  const char *s = scalar(r);
  size_t n = scalar_len(r);
  char *end = NULL;
  bool ok = is_scalar(r) && is_plain(r) && n > 0 &&
            strspn(s, "0123456789+-.eE") == n; /* no hex, inf, nan or spaces */
  double v = ok ? strtod(s, &end) : 0;
  ok = ok && end == s + n && isfinite(v) && (range == ANY || v >= 0) && (range != POS || v > 0);
  *out = v;
  return expect(r, ok, path, expected[range]);
}

/* A plain decimal integer in [0, max]: digits only, no sign. */
static int want_uint(reader *r, const char *path, uint64_t max, uint64_t *out) {
  char expected[48];
  const char *s = scalar(r);
  size_t n = scalar_len(r);
  bool ok = is_scalar(r) && is_plain(r) && n > 0;
  *out = 0;
  for (size_t i = 0; ok && i < n; i++) {
    unsigned d = (unsigned)(s[i] - '0');
    ok = d <= 9 && *out <= (max - d) / 10;
    *out = *out * 10 + d;
  }
  snprintf(expected, sizeof expected, "a whole number from 0 to %" PRIu64, max);
  return expect(r, ok, path, expected);
}

/* Text without NUL bytes of at most max bytes; a plain empty scalar is
 * YAML's null, not a string. */
static int want_text(reader *r, const char *path, size_t max, bool empty_ok) {
  size_t n = scalar_len(r);
  int rc = expect(r, is_scalar(r) && (n || (empty_ok && !is_plain(r))), path,
                  empty_ok ? "a string" : "a non-empty string");
  if (!rc && n > max)
    return fail(r, AT(r->ev.start_mark), "%s: expected at most %zu bytes, got %zu", path, max, n);
  if (!rc && memchr(scalar(r), 0, n))
    return fail(r, AT(r->ev.start_mark), "%s: must not contain a NUL character", path);
  return rc;
}

/* ---- reading: mappings ---- */

/* A mapping's keys; value() reads keys[key]'s value (of feature j). */
typedef struct mapspec {
  const char *const *keys;
  size_t nkeys;
  unsigned required; /* bit k: keys[k] must be there */
  const char *needs; /* for "missing key" */
  int (*value)(reader *r, size_t key, const char *path, size_t j);
} mapspec;

static const char *join(char *buf, size_t size, const mapspec *m) {
  size_t o = 0;
  buf[0] = 0;
  for (size_t k = 0; k < m->nkeys && o < size; k++)
    o += (size_t)snprintf(buf + o, size - o, "%s%s", k ? ", " : "", m->keys[k]);
  return buf;
}

/* Reads the key the current event holds into *key; unknown and repeated
 * keys are errors. `where` is "" (the top level) or "features[J]". */
static int read_key(reader *r, const mapspec *m, const char *where, unsigned *seen, size_t *key) {
  char buf[64], keys[160];
  const char *in = *where ? " in " : "";
  if (r->ev.type != YAML_SCALAR_EVENT)
    return fail(r, AT(r->ev.start_mark), "expected a key%s%s (%s), got %s", in, where,
                join(keys, sizeof keys, m), what(r, buf));
  for (size_t k = 0; k < m->nkeys; k++) {
    if (strlen(m->keys[k]) != scalar_len(r) || memcmp(m->keys[k], scalar(r), scalar_len(r)))
      continue;
    if (*seen & 1u << k)
      return fail(r, AT(r->ev.start_mark), "duplicate key \"%s\"%s%s (expected %s, each once)",
                  m->keys[k], in, where, join(keys, sizeof keys, m));
    *seen |= 1u << k;
    *key = k;
    return LS_OK;
  }
  return fail(r, AT(r->ev.start_mark), "unknown key %s%s%s (expected %s)", what(r, buf), in,
              where, join(keys, sizeof keys, m));
}

/* Reads a mapping whose start is the current event, up to its end. */
static int read_map(reader *r, const mapspec *m, const char *where, size_t j) {
  char buf[64], path[80];
  yaml_mark_t at = r->ev.start_mark;
  unsigned seen = 0;
  size_t key = 0;
  int rc;
  if (r->ev.type != YAML_MAPPING_START_EVENT)
    return fail(r, AT(at), "%s%sexpected a mapping (%s), got %s", where, *where ? ": " : "",
                m->needs, what(r, buf));
  while (!(rc = next(r)) && r->ev.type != YAML_MAPPING_END_EVENT) {
    if ((rc = read_key(r, m, where, &seen, &key)) || (rc = next(r))) return rc;
    snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", m->keys[key]);
    if ((rc = m->value(r, key, path, j))) return rc;
  }
  for (size_t k = 0; !rc && k < m->nkeys; k++)
    if ((m->required & ~seen) & 1u << k)
      rc = fail(r, AT(at), "%s%smissing key \"%s\" (%s)", where, *where ? ": " : "", m->keys[k],
                m->needs);
  return rc;
}

static const char *const feature_keys[] = {"name", "weight", "odds_per_sd", "mean", "scale"};

static int feature_name(reader *r, const char *path, size_t j) {
  char buf[64];
  ls_pred_weights *w = r->w;
  int rc = want_text(r, path, SIZE_MAX - 1, false);
  for (size_t i = 0; !rc && i < j; i++) /* quadratic, but n is a few hundred */
    if (strlen(w->name[i]) == scalar_len(r) && !memcmp(w->name[i], scalar(r), scalar_len(r)))
      return fail(r, AT(r->ev.start_mark), "%s: duplicate feature \"%s\" (also features[%zu])",
                  path, show(buf, scalar(r), scalar_len(r)), i);
  if (!rc && !(w->name[j] = strndup(scalar(r), scalar_len(r)))) return oom(r);
  return rc;
}

static int feature_value(reader *r, size_t key, const char *path, size_t j) {
  switch (key) {
    case 0: return feature_name(r, path, j);
    case 1: return want_number(r, path, ANY, &r->w->weight[j]);
    case 2: /* exp(weight), informative: any scalar, even an overflowed "inf" */
      return expect(r, is_scalar(r), path, "a number");
    case 3: return want_number(r, path, ANY, &r->w->mean[j]);
    default: return want_number(r, path, POS, &r->w->scale[j]);
  }
}

static const mapspec feature_map = {feature_keys, 5, 0x1B,
                                    "a feature needs name, weight, mean and scale", feature_value};

/* Makes room for feature n and counts it (its name stays NULL until read,
 * which ls_pred_weights_free copes with). */
static int add_feature(reader *r) {
  ls_pred_weights *w = r->w;
  size_t need = w->n + 1;
  if (ls__grow((void **)&w->name, &r->cap[0], need, sizeof *w->name) ||
      ls__grow((void **)&w->weight, &r->cap[1], need, sizeof *w->weight) ||
      ls__grow((void **)&w->mean, &r->cap[2], need, sizeof *w->mean) ||
      ls__grow((void **)&w->scale, &r->cap[3], need, sizeof *w->scale))
    return oom(r);
  w->n = need;
  return LS_OK;
}

static int read_features(reader *r) {
  char where[40];
  int rc = expect(r, r->ev.type == YAML_SEQUENCE_START_EVENT, "features",
                  "a list of features ([] for none)");
  if (rc) return rc;
  while (!(rc = next(r)) && r->ev.type != YAML_SEQUENCE_END_EVENT) {
    snprintf(where, sizeof where, "features[%zu]", r->w->n);
    if ((rc = add_feature(r)) || (rc = read_map(r, &feature_map, where, r->w->n - 1))) return rc;
  }
  return rc;
}

static const char *const top_keys[] = {"leadscore_weights", "model", "trained_at", "horizon",
                                       "examples", "positives", "lambda", "iterations",
                                       "intercept", "features"};

static int top_value(reader *r, size_t key, const char *path, size_t j) {
  ls_pred_weights *w = r->w;
  uint64_t v;
  int rc;
  (void)j;
  switch (key) {
    case 0:
      if ((rc = want_uint(r, path, UINT64_MAX, &v)))
        return expect(r, false, path, "the version number 1");
      if (v != 1)
        return fail(r, AT(r->ev.start_mark),
                    "unsupported weights file version %" PRIu64 " (this leadscore reads 1)", v);
      return LS_OK;
    case 1:
      if (!(rc = want_text(r, path, sizeof w->model - 1, true)))
        memcpy(w->model, scalar(r), scalar_len(r));
      return rc;
    case 2:
      return expect(r, is_scalar(r) && !ls_time_parse(scalar(r), scalar_len(r), &w->trained_at),
                    path, "an RFC 3339 time like 2026-07-04T23:58:41Z");
    case 3:
      return expect(r, is_scalar(r) && ls_duration_parse(scalar(r), scalar_len(r), &w->horizon) &&
                           w->horizon > 0,
                    path, "a positive duration like 90d, 36h, 30m or 1800s");
    case 4: return want_uint(r, path, UINT64_MAX, &w->examples);
    case 5: return want_uint(r, path, UINT64_MAX, &w->positives);
    case 6: return want_number(r, path, NONNEG, &w->lambda);
    case 7:
      rc = want_uint(r, path, UINT_MAX, &v);
      w->iterations = (unsigned)v;
      return rc;
    case 8: return want_number(r, path, ANY, &w->intercept);
    default: return read_features(r);
  }
}

static const mapspec top_map = {top_keys, 10, 0x301,
                                "a weights file needs leadscore_weights: 1, intercept and features",
                                top_value};

/* stream start, one document holding the mapping, stream end */
static int read_stream(reader *r) {
  int rc;
  if ((rc = next(r)) || (rc = next(r))) return rc; /* stream start, document start */
  if (r->ev.type == YAML_STREAM_END_EVENT) return fail(r, 1, 1, "the weights file is empty");
  if ((rc = next(r)) || (rc = read_map(r, &top_map, "", 0))) return rc;
  if ((rc = next(r)) || (rc = next(r))) return rc; /* document end, then */
  if (r->ev.type == YAML_DOCUMENT_START_EVENT)
    return fail(r, AT(r->ev.start_mark),
                "a second YAML document; a weights file holds exactly one");
  return LS_OK;
}

int ls_pred_weights_parse(const char *text, size_t len, ls_pred_weights *out, ls_diag *diag) {
  reader r = {.text = text, .len = len, .diag = diag, .w = out};
  memset(out, 0, sizeof *out);
  if (diag) memset(diag, 0, sizeof *diag);
  if (len == 0) return fail(&r, 1, 1, "the weights file is empty"); /* and text may be NULL */
  if (!yaml_parser_initialize(&r.yp)) return oom(&r);
  yaml_parser_set_input_string(&r.yp, (const unsigned char *)text, len);
  int rc = read_stream(&r);
  if (r.live) yaml_event_delete(&r.ev);
  yaml_parser_delete(&r.yp);
  if (rc) ls_pred_weights_free(out);
  return rc;
}
