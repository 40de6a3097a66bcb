/* leadscore — the predictive score (issue 7): the chance that a person
 * reaches opportunity within a horizon, learned from the history by
 * logistic regression over features of the person's fold under a model.
 * Pure: no I/O, no clock; the weights file is text in, text out.
 *
 * The features of a person at a time T (every one computed from the events
 * at or before T only; ls_pred_feature_name spells them):
 *   rule:ID@30d     log(1 + firings of event rule ID in (T - 30 days, T])
 *   rule:ID@all     log(1 + firings of event rule ID up to T)
 *   fit:ID=ROW      1 when fit rule ID's value is row ROW of its table
 *   score:NAME      the score at T, decayed up to T
 *   stage:NAME      1 when the person is in stage NAME (not the first stage)
 *   mqls            MQLs so far
 *   events@30d      log(1 + events in (T - 30 days, T])
 *   days_since_last log(1 + days since the latest event)
 *   days_since_first log(1 + days since the first event)
 * A firing is a ledger row of the rule, capped or not: a cap stops points,
 * not evidence. Counts are log-damped so a newsletter fan's hundred opens
 * do not swamp the fit. */
#ifndef LEADSCORE_PREDICT_H
#define LEADSCORE_PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/error.h"
#include "leadscore/export.h"
#include "leadscore/model.h"
#include "leadscore/replay.h"
#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- features ---- */

enum { LS_PRED_MAX_AT = 4 }; /* snapshot times per walk */

/* The feature set of a model. */
typedef struct ls_pred_features ls_pred_features;

/* Returns new features of `m` (borrowed for their life) in *out; LS_OK or
 * LS_ENOMEM. */
int ls_pred_features_new(const ls_model *m, ls_pred_features **out);
void ls_pred_features_destroy(ls_pred_features *f); /* NULL is a no-op */
size_t ls_pred_nfeatures(const ls_pred_features *f);
const char *ls_pred_feature_name(const ls_pred_features *f, size_t j); /* borrowed */
/* The index of the feature named name[0..len), -1 when none. */
long ls_pred_feature_find(const ls_pred_features *f, const char *name, size_t len);

/* Per-thread scratch for ls_pred_extract (a fold state and counters). */
typedef struct ls_pred_walk ls_pred_walk;
int ls_pred_walk_new(const ls_pred_features *f, ls_pred_walk **out); /* borrows f */
void ls_pred_walk_destroy(ls_pred_walk *w); /* NULL is a no-op */

/* Re-folds person i of a finished replay (borrowed; its model must be the
 * features') and writes its features at each time at[0..nat) (ascending,
 * nat ≤ LS_PRED_MAX_AT) into x[k * d .. k * d + d) (d = ls_pred_nfeatures);
 * known[k] says whether the person was identified at at[k]. Walks of one
 * replay may run concurrently, each with its own scratch. LS_OK or
 * LS_EINVAL. */
int ls_pred_extract(ls_pred_walk *w, const ls_replay *r, size_t i, const ls_time *at,
                    size_t nat, float *x, bool *known);

/* ---- the learned weights ---- */

/* A logistic model over standardized features:
 *   p = 1 / (1 + exp(-(intercept + sum_j weight[j] * (x[j] - mean[j]) / scale[j])))
 * Features are listed by falling |weight| (a weight is per standard
 * deviation, so they compare). Every array is owned (ls_pred_weights_free). */
typedef struct ls_pred_weights {
  size_t n;
  char **name;
  double *mean, *scale, *weight;
  double intercept;
  /* where it came from (written to the file, informative) */
  char model[64];      /* the model's name */
  ls_time trained_at;  /* the snapshot the features were taken at */
  int64_t horizon;     /* seconds: the label is "opportunity within it" */
  uint64_t examples, positives;
  double lambda;       /* the ridge penalty */
  unsigned iterations; /* Newton steps taken */
} ls_pred_weights;

void ls_pred_weights_free(ls_pred_weights *w); /* NULL is a no-op; zeroes it */

typedef struct ls_pred_train_opts {
  double lambda;      /* ridge penalty on the standardized weights (not the intercept) */
  unsigned max_iter;  /* Newton steps at most */
} ls_pred_train_opts;

/* The default: lambda 1e-3, 50 steps. */
ls_pred_train_opts ls_pred_train_defaults(void);

/* Training rows: features with a 0/1 label, kept sparse (a person fires
 * few of the rules). */
typedef struct ls_pred_data ls_pred_data;
int ls_pred_data_new(size_t d, ls_pred_data **out); /* d columns */
void ls_pred_data_destroy(ls_pred_data *data);      /* NULL is a no-op */
/* Copies the row x[0..d) (borrowed) with its label. LS_OK or LS_ENOMEM. */
int ls_pred_data_add(ls_pred_data *data, const float *x, bool label);
/* Appends src's rows after dst's (the parts of a walk, in order). */
int ls_pred_data_append(ls_pred_data *dst, const ls_pred_data *src);
size_t ls_pred_data_rows(const ls_pred_data *data);
uint64_t ls_pred_data_positives(const ls_pred_data *data);
bool ls_pred_data_label(const ls_pred_data *data, size_t i);

/* Fits the weights to the rows by Newton's method on the mean log-loss
 * plus lambda/2 |w|^2 (deterministic: one thread, a fixed order). names[j]
 * (borrowed, copied) names column j. A column that does not vary gets
 * weight 0. Fills *out (owned by the caller; the provenance fields are the
 * caller's to set). LS_OK, LS_EINVAL (no rows, or one class only) or
 * LS_ENOMEM. */
int ls_pred_train(const ls_pred_data *data, const char *const *names,
                  const ls_pred_train_opts *o, ls_pred_weights *out);

/* Maps the weights' features onto a feature set: idx[j] is the column in
 * f of w->name[j]. LS_OK, or LS_EINVAL with *bad = the first unknown j. */
int ls_pred_bind(const ls_pred_features *f, const ls_pred_weights *w, size_t *idx, size_t *bad);

/* The log-odds and the probability for a row x of f's columns (idx from
 * ls_pred_bind; NULL when x is in the weights' own order). */
double ls_pred_logit(const ls_pred_weights *w, const size_t *idx, const float *x);
double ls_pred_prob(const ls_pred_weights *w, const size_t *idx, const float *x);
/* The log-odds of every row of data (columns as bound by idx) into out.
 * LS_OK or LS_ENOMEM. */
int ls_pred_data_logits(const ls_pred_data *data, const ls_pred_weights *w,
                         const size_t *idx, double *out);

/* ---- the weights file (YAML; docs/backtest.md, "The weights file") ---- */

/* Appends the weights as a readable YAML document to *out, features in the
 * weights' order, each with its weight, odds ratio per standard deviation,
 * mean and scale. LS_OK or LS_ENOMEM. */
int ls_pred_weights_write(const ls_pred_weights *w, ls_buf *out);

/* Parses a weights file (text borrowed) into *out (owned by the caller on
 * LS_OK). A malformed file gives LS_EMODEL with the place (1-based line
 * and column) and the reason in *diag (may be NULL); LS_ENOMEM. */
int ls_pred_weights_parse(const char *text, size_t len, ls_pred_weights *out, ls_diag *diag);

#ifdef __cplusplus
}
#endif
#endif
