/* CLI helpers: messages, whole-file reads, model loading, JSON strings. */
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "leadscore/store.h"

void ls_cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("leadscore: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void ls_cli_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("leadscore: warning: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void ls_cli_two_halves(size_t n, void *(*fn)(void *), void *a, void *b) {
  pthread_t th;
  bool threaded = n > 1000 && pthread_create(&th, NULL, fn, b) == 0;
  fn(a);
  if (threaded) pthread_join(th, NULL);
  else fn(b);
}

char *ls_cli_read_file(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    ls_cli_error("cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) break;
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  bool bad = !buf || ferror(f);
  if (f != stdin) fclose(f);
  if (bad) {
    ls_cli_error("cannot read %s", path);
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

ls_model *ls_cli_load_model(const char *path, int *exit_code) {
  size_t len;
  char *text = ls_cli_read_file(path, &len);
  if (!text) {
    *exit_code = LS_EXIT_IO;
    return NULL;
  }
  ls_model *m = NULL;
  ls_diag d = {0};
  int rc = ls_model_load(text, len, &m, &d);
  free(text);
  if (rc == LS_OK) return m;
  if (rc == LS_ENOMEM) {
    ls_cli_error("%s: out of memory", path);
    *exit_code = LS_EXIT_INTERNAL;
  } else {
    if (d.line && d.col) ls_cli_error("%s:%u:%u: %s", path, d.line, d.col, d.msg);
    else if (d.line) ls_cli_error("%s:%u: %s", path, d.line, d.msg);
    else ls_cli_error("%s: %s", path, d.msg);
    *exit_code = LS_EXIT_USAGE;
  }
  return NULL;
}

bool ls_cli_parse_time(const char *opt, const char *s, ls_time *out) {
  if (ls_time_parse(s, strlen(s), out) == LS_OK) return true;
  ls_cli_error("%s: invalid time \"%s\" (expected RFC 3339, e.g. "
               "2026-07-01T00:00:00Z)", opt, s);
  return false;
}

void ls_cli_json_str(FILE *out, const char *s, size_t n) {
  fputc('"', out);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
      case '"': fputs("\\\"", out); break;
      case '\\': fputs("\\\\", out); break;
      case '\n': fputs("\\n", out); break;
      case '\r': fputs("\\r", out); break;
      case '\t': fputs("\\t", out); break;
      default:
        if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
  }
  fputc('"', out);
}

void ls_cli_category(const ls_names *names, uint64_t hash, char *buf, size_t cap) {
  size_t n = 0;
  const char *name = ls_names_get(names, hash, &n);
  if (name) snprintf(buf, cap, "%.*s", (int)n, name);
  else snprintf(buf, cap, "#%016" PRIx64, hash);
}

void ls_cli_print_scores(FILE *out, const ls_model *m, const void *state, const ls_names *names) {
  for (size_t i = 0; i < ls_model_nscores(m); i++) {
    fprintf(out, "%-11s %" PRId64, ls_model_score_name(m, i), ls_fold_score(m, state, i));
    ls_category c[64];
    size_t n = ls_fold_categories(m, state, i, c, 64);
    for (size_t k = 0; k < n && k < 64; k++) { /* a family: its categories */
      char name[128];
      ls_cli_category(names, c[k].hash, name, sizeof name);
      fprintf(out, "%s%s %" PRId64 "%s", k ? ", " : " (", name, c[k].points, k + 1 == n ? ")" : "");
    }
    fputc('\n', out);
  }
  for (size_t g = 0; g < ls_model_ngrades(m); g++)
    fprintf(out, "%-11s %s\n", ls_model_grade_name(m, g), ls_fold_grade(m, state, g));
  char cell[40];
  if (ls_fold_cell(m, state, cell, sizeof cell))
    fprintf(out, "%-11s %s\n", ls_model_matrix_name(m), cell);
}

ls_store *ls_cli_open_store(const char *path, int *code) {
  ls_store *s = NULL;
  ls_diag d = {0};
  int rc = ls_store_open(&ls_store_sqlite, path, &s, &d);
  if (rc == LS_OK) return s;
  if (d.line) ls_cli_error("%s: stored model:%u:%u: %s", path, d.line, d.col, d.msg);
  else ls_cli_error("%s: %s", path, d.msg[0] ? d.msg : ls_strerror(rc));
  *code = rc == LS_ENOMEM ? LS_EXIT_INTERNAL : LS_EXIT_IO;
  return NULL;
}

int ls_cli_named_opts(int argc, char **argv, int from, const char *usage,
                      const ls_cli_named *named, size_t n, const ls_cli_flag *flags, size_t nf,
                      const char **pos, int maxpos, int *npos, const char *const *db) {
  *npos = 0;
  for (int i = from; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
      fputs(usage, stdout);
      return LS_EXIT_OK;
    }
    size_t k = 0, f = 0;
    while (k < n && strcmp(o, named[k].name)) k++;
    while (f < nf && strcmp(o, flags[f].name)) f++;
    if (f < nf) {
      *flags[f].on = true;
    } else if (k < n && i + 1 < argc) {
      *named[k].slot = argv[++i];
    } else if (k == n && o[0] != '-' && *npos < maxpos) {
      pos[(*npos)++] = o;
    } else {
      ls_cli_error("%s: %s: unknown option or missing value (see --help)", argv[0], o);
      return LS_EXIT_USAGE;
    }
  }
  if (!*db) {
    ls_cli_error("%s: --db FILE is required (see --help)", argv[0]);
    return LS_EXIT_USAGE;
  }
  return -1;
}
