/* The leads CSV of spec §8 (and §9 "CSV"). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/export.h"

int ls_buf_append(ls_buf *b, const char *p, size_t n) {
  if (ls__grow((void **)&b->p, &b->cap, b->len + n, 1)) return LS_ENOMEM;
  if (n) memcpy(b->p + b->len, p, n);
  b->len += n;
  return LS_OK;
}

int ls_buf_appendf(ls_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return LS_EINVAL;
  if (ls__grow((void **)&b->p, &b->cap, b->len + (size_t)n + 1, 1)) return LS_ENOMEM;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return LS_OK;
}

void ls_buf_free(ls_buf *b) {
  if (!b) return;
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

int ls_csv_field(ls_buf *b, const char *p, size_t n) {
  bool quote = false;
  for (size_t i = 0; i < n && !quote; i++)
    quote = p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n';
  if (!quote) return ls_buf_append(b, p, n);
  int rc = ls_buf_append(b, "\"", 1);
  for (size_t i = 0; i < n && !rc; i++) {
    const char *q = memchr(p + i, '"', n - i);
    size_t run = q ? (size_t)(q - (p + i)) + 1 : n - i;
    rc = ls_buf_append(b, p + i, run);
    if (!rc && q) rc = ls_buf_append(b, "\"", 1); /* double the quote */
    i += run - 1;
  }
  return rc ? rc : ls_buf_append(b, "\"", 1);
}

static bool plain_number(const char *p, size_t n) {
  size_t i = n && p[0] == '-';
  if (i == n) return false;
  for (; i < n; i++)
    if (p[i] < '0' || p[i] > '9') return false;
  return true;
}

int ls_csv_safe_field(ls_buf *b, const char *p, size_t n) {
  if (n && strchr("=+-@\t\r", p[0]) && p[0] && !plain_number(p, n)) {
    /* quote the whole cell, apostrophe included, when it needs quotes */
    ls_buf tmp = {0};
    int rc = ls_buf_append(&tmp, "'", 1);
    if (!rc) rc = ls_buf_append(&tmp, p, n);
    if (!rc) rc = ls_csv_field(b, tmp.p, tmp.len);
    ls_buf_free(&tmp);
    return rc;
  }
  return ls_csv_field(b, p, n);
}

static int put_str(ls_buf *b, const char *s) { return ls_buf_append(b, s, strlen(s)); }

int ls_export_leads_header(const ls_model *m, ls_buf *b) {
  int rc = put_str(b, "lead_id");
  for (size_t i = 0; i < ls_model_nscores(m) && !rc; i++) {
    rc = put_str(b, ",");
    if (!rc) rc = ls_csv_field(b, ls_model_score_name(m, i), strlen(ls_model_score_name(m, i)));
  }
  for (size_t g = 0; g < ls_model_ngrades(m) && !rc; g++) {
    rc = put_str(b, ",");
    if (!rc) rc = put_str(b, ls_model_grade_name(m, g));
  }
  if (!rc && ls_model_matrix_name(m)) {
    rc = put_str(b, ",");
    if (!rc) rc = put_str(b, ls_model_matrix_name(m));
  }
  if (!rc && ls_model_nfamilies(m)) rc = put_str(b, ",top_category");
  if (!rc) rc = put_str(b, ",stage,mql_count,last_mql_at");
  if (!rc && ls_model_nroutes(m)) rc = put_str(b, ",route");
  return rc ? rc : put_str(b, "\n");
}

int ls_category_text(const ls_model *m, const ls_names *names, size_t score, uint64_t hash,
                      ls_buf *out) {
  size_t n = 0;
  const char *name = ls_names_get(names, hash, &n);
  int rc = ls_buf_appendf(out, "%s:", ls_model_score_name(m, score));
  if (rc) return rc;
  if (name) return ls_buf_append(out, name, n);
  return ls_buf_appendf(out, "#%016" PRIx64, hash); /* a name the caller lacks */
}

/* The top category as FAMILY:NAME, a CSV field; empty without one. */
static int put_category(const ls_model *m, const ls_person_row *row, ls_buf *b) {
  ls_category top;
  if (!ls_fold_top_category(m, row->state, &top)) return LS_OK;
  ls_buf t = {0};
  int rc = ls_category_text(m, row->categories, top.score, top.hash, &t);
  if (!rc) rc = ls_csv_field(b, t.p, t.len);
  ls_buf_free(&t);
  return rc;
}

int ls_export_leads_row(const ls_model *m, const ls_person_row *row, ls_buf *b) {
  char num[32];
  int rc = ls_csv_field(b, row->lead_id.p, row->lead_id.n);
  for (size_t i = 0; i < ls_model_nscores(m) && !rc; i++) {
    int k = snprintf(num, sizeof num, ",%" PRId64, ls_fold_score(m, row->state, i));
    rc = ls_buf_append(b, num, (size_t)k);
  }
  for (size_t g = 0; g < ls_model_ngrades(m) && !rc; g++) {
    rc = put_str(b, ",");
    if (!rc) rc = put_str(b, ls_fold_grade(m, row->state, g)); /* [A-Za-z0-9_+-] */
  }
  char cell[40];
  if (!rc && ls_model_matrix_name(m)) {
    rc = put_str(b, ",");
    if (!rc) rc = ls_buf_append(b, cell, ls_fold_cell(m, row->state, cell, sizeof cell));
  }
  if (!rc && ls_model_nfamilies(m)) {
    rc = put_str(b, ",");
    if (!rc) rc = put_category(m, row, b);
  }
  const char *stage = ls_model_stage_name(m, ls_fold_stage(m, row->state));
  if (!rc) rc = put_str(b, ",");
  if (!rc) rc = ls_csv_field(b, stage, strlen(stage));
  int k = snprintf(num, sizeof num, ",%" PRIu32 ",", ls_fold_mql_count(m, row->state));
  if (!rc) rc = ls_buf_append(b, num, (size_t)k);
  ls_time t;
  if (!rc && ls_fold_last_mql(m, row->state, &t)) {
    char ts[LS_TIME_FMT_MAX];
    rc = ls_buf_append(b, ts, ls_time_format(t, ts));
  }
  if (!rc && ls_model_nroutes(m)) { /* route names are model names: no quoting */
    rc = put_str(b, ",");
    if (!rc) rc = put_str(b, ls_fold_route(m, row->state));
  }
  return rc ? rc : put_str(b, "\n");
}
