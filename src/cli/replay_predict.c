/* leadscore replay --predictive FILE: a weights file (from leadscore
 * backtest --weights) read, bound to the model's features by name, and
 * every identified person's chance of reaching opportunity within the
 * horizon at the as-of time. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "leadscore/predict.h"

/* The 1-based line of `"name"` in the weights file's text (0: not found). */
static unsigned line_of(const char *text, size_t len, const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i + n + 2 <= len; i++) {
    if (text[i] != '"' || memcmp(text + i + 1, name, n) || text[i + n + 1] != '"') continue;
    unsigned line = 1;
    for (size_t k = 0; k < i; k++) line += text[k] == '\n';
    return line;
  }
  return 0;
}

int ls_cli_load_weights(const char *path, const ls_model *m, ls_cli_predictor *p) {
  memset(p, 0, sizeof *p);
  size_t len;
  char *text = ls_cli_read_file(path, &len);
  if (!text) return LS_EXIT_IO;
  ls_diag d = {0};
  int rc = ls_pred_weights_parse(text, len, &p->w, &d);
  int code = LS_EXIT_OK;
  if (rc == LS_EMODEL) {
    ls_cli_error("%s:%u:%u: %s", path, d.line, d.col, d.msg);
    code = LS_EXIT_USAGE;
  } else if (rc) {
    code = LS_EXIT_INTERNAL;
  }
  if (!code && (rc = ls_pred_features_new(m, &p->f)) == LS_OK) {
    p->idx = malloc((p->w.n ? p->w.n : 1) * sizeof *p->idx);
    size_t bad = 0;
    rc = p->idx ? ls_pred_bind(p->f, &p->w, p->idx, &bad) : LS_ENOMEM;
    if (rc == LS_EINVAL) {
      char place[32] = ""; /* a name written with escapes is not found: no line then */
      unsigned line = line_of(text, len, p->w.name[bad]);
      if (line) snprintf(place, sizeof place, ":%u", line);
      ls_cli_error("%s%s: feature \"%s\" is not one of model %s's (the weights were learned "
                   "on model \"%s\"; see leadscore backtest --predictive)",
                   path, place, p->w.name[bad], ls_model_name(m), p->w.model);
      code = LS_EXIT_USAGE;
    }
  }
  if (!code && rc) code = LS_EXIT_INTERNAL;
  if (code == LS_EXIT_INTERNAL) ls_cli_error("%s: %s", path, ls_strerror(rc));
  if (!code && strcmp(p->w.model, ls_model_name(m)))
    ls_cli_warn("%s: the weights were learned on model \"%s\", not \"%s\"", path, p->w.model,
                ls_model_name(m));
  free(text);
  if (code) ls_cli_predictor_free(p);
  return code;
}

int ls_cli_predictor_rebind(ls_cli_predictor *p, const ls_model *m) {
  ls_pred_features_destroy(p->f);
  p->f = NULL;
  int rc = ls_pred_features_new(m, &p->f);
  if (!rc) rc = ls_pred_bind(p->f, &p->w, p->idx, NULL); /* the same model text: it binds */
  if (rc) ls_cli_error("%s", ls_strerror(rc));
  return rc ? LS_EXIT_INTERNAL : LS_EXIT_OK;
}

void ls_cli_predictor_free(ls_cli_predictor *p) {
  ls_pred_weights_free(&p->w);
  ls_pred_features_destroy(p->f);
  free(p->idx);
  memset(p, 0, sizeof *p);
}

typedef struct job {
  const ls_cli_predictor *p;
  const ls_replay *r;
  size_t lo, hi;
  double *out;
  int rc;
} job;

static void *run(void *arg) {
  job *j = arg;
  ls_time at = ls_replay_as_of(j->r);
  float *x = malloc((ls_pred_nfeatures(j->p->f) + 1) * sizeof *x);
  ls_pred_walk *w = NULL;
  j->rc = x ? ls_pred_walk_new(j->p->f, &w) : LS_ENOMEM;
  for (size_t i = j->lo; i < j->hi && !j->rc; i++) {
    bool known;
    j->rc = ls_pred_extract(w, j->r, i, &at, 1, x, &known);
    j->out[i] = known ? ls_pred_prob(&j->p->w, j->p->idx, x) : NAN;
  }
  ls_pred_walk_destroy(w);
  free(x);
  return NULL;
}

double *ls_cli_predict(const ls_cli_predictor *p, const ls_replay *r) {
  size_t np = ls_replay_npersons(r);
  double *out = malloc((np ? np : 1) * sizeof *out);
  if (!out) return NULL;
  job jobs[2] = {{p, r, 0, np / 2, out, 0}, {p, r, np / 2, np, out, 0}};
  ls_cli_two_halves(np, run, &jobs[0], &jobs[1]);
  if (jobs[0].rc || jobs[1].rc) {
    free(out);
    return NULL;
  }
  return out;
}
