/* The backtest's predictive score (leadscore/backtest.h): one walk per
 * person gives its training row and its evaluation row; the outcome that
 * labels each is chosen here, so that this file is where the time split
 * holds. */
#include "leadscore/backtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* an opportunity in (after, until] */
static bool opp_in(const ls_bt_person *o, ls_time after, ls_time until) {
  return o->opp && ls_time_cmp(o->opp_at, after) > 0 && ls_time_cmp(o->opp_at, until) <= 0;
}

static bool opp_by(const ls_bt_person *o, ls_time t) {
  return o->opp && ls_time_cmp(o->opp_at, t) <= 0;
}

int ls_bt_pred_collect(const ls_replay *r, const ls_pred_features *f,
                       const ls_bt_person *outcomes, const ls_bt_config *c, size_t lo,
                       size_t hi, ls_pred_data *train, ls_pred_data *eval) {
  if (lo > hi || hi > ls_replay_npersons(r) || c->horizon <= 0) return LS_EINVAL;
  size_t d = ls_pred_nfeatures(f);
  ls_time at[2] = {ls_time_add(c->cutoff, -c->horizon), c->cutoff};
  ls_time end = ls_time_add(c->cutoff, c->horizon);
  float *x = malloc(2 * (d ? d : 1) * sizeof *x);
  ls_pred_walk *w = NULL;
  int rc = x ? ls_pred_walk_new(f, &w) : LS_ENOMEM;
  for (size_t i = lo; i < hi && !rc; i++) {
    const ls_bt_person *o = &outcomes[i];
    if (opp_by(o, at[0])) continue; /* an opportunity already: in neither */
    bool known[2];
    rc = ls_pred_extract(w, r, i, at, 2, x, known);
    /* the training label ends at the cutoff: nothing later is seen */
    if (!rc && known[0]) rc = ls_pred_data_add(train, x, opp_in(o, at[0], at[1]));
    if (!rc && known[1] && !opp_by(o, at[1])) rc = ls_pred_data_add(eval, x + d, opp_in(o, at[1], end));
  }
  ls_pred_walk_destroy(w);
  free(x);
  return rc;
}

int ls_bt_pred_fit(const ls_pred_features *f, const ls_bt_config *c, const ls_pred_data *train,
                   const ls_pred_data *eval, const ls_pred_train_opts *o, ls_bt_pred *out) {
  memset(out, 0, sizeof *out);
  out->auc = NAN;
  out->train_at = ls_time_add(c->cutoff, -c->horizon);
  out->train = (ls_bt_rate){ls_pred_data_positives(train), ls_pred_data_rows(train)};
  out->eval = (ls_bt_rate){ls_pred_data_positives(eval), ls_pred_data_rows(eval)};
  if (!out->train.k || out->train.k == out->train.n) return LS_ENOTFOUND;
  size_t d = ls_pred_nfeatures(f), n = ls_pred_data_rows(eval);
  const char **names = malloc((d ? d : 1) * sizeof *names);
  if (!names) return LS_ENOMEM;
  for (size_t j = 0; j < d; j++) names[j] = ls_pred_feature_name(f, j);
  int rc = ls_pred_train(train, names, o, &out->w);
  free(names);
  if (rc) return rc == LS_EINVAL ? LS_ENOTFOUND : rc;
  out->w.trained_at = out->train_at;
  out->w.horizon = c->horizon;
  size_t *idx = malloc((d ? d : 1) * sizeof *idx);
  double *logit = malloc((n ? n : 1) * sizeof *logit);
  uint8_t *label = malloc(n ? n : 1);
  uint32_t *tmp = malloc(2 * (n ? n : 1) * sizeof *tmp);
  rc = idx && logit && label && tmp ? ls_pred_bind(f, &out->w, idx, NULL) : LS_ENOMEM;
  if (!rc) rc = ls_pred_data_logits(eval, &out->w, idx, logit);
  if (!rc) {
    for (size_t i = 0; i < n; i++) label[i] = ls_pred_data_label(eval, i);
    out->auc = ls_bt_auc_f64(logit, label, n, tmp);
  }
  free(idx), free(logit), free(label), free(tmp);
  if (rc) ls_bt_pred_free(out);
  return rc;
}

void ls_bt_pred_free(ls_bt_pred *p) {
  if (!p) return;
  ls_pred_weights_free(&p->w);
}
