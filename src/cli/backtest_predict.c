/* leadscore backtest --predictive: the time split's rows collected on two
 * threads (each half of the persons into its own data, appended in order
 * so the result does not depend on the threads), the fit, the weights
 * file. */
#include <errno.h>
#include <string.h>

#include "cli/backtest_report.h"
#include "cli/cli.h"

typedef struct collect_job {
  const ls_replay *r;
  const ls_pred_features *f;
  const ls_bt_person *o;
  const ls_bt_config *c;
  size_t lo, hi;
  ls_pred_data *train, *eval;
  int rc;
} collect_job;

static void *collect_thread(void *arg) {
  collect_job *j = arg;
  j->rc = ls_bt_pred_collect(j->r, j->f, j->o, j->c, j->lo, j->hi, j->train, j->eval);
  return NULL;
}

static int write_weights(const char *path, const ls_pred_weights *w) {
  ls_buf b = {0};
  int rc = ls_pred_weights_write(w, &b);
  FILE *f = rc ? NULL : fopen(path, "wb");
  if (!rc && (!f || fwrite(b.p, 1, b.len, f) != b.len)) rc = LS_EIO;
  if (f && fclose(f) != 0) rc = LS_EIO;
  ls_buf_free(&b);
  if (rc == LS_EIO) ls_cli_error("cannot write %s: %s", path, strerror(errno));
  else if (rc) ls_cli_error("%s", ls_strerror(rc));
  return rc == LS_EIO ? LS_EXIT_IO : rc ? LS_EXIT_INTERNAL : LS_EXIT_OK;
}

int ls_bt_cli_predictive(const ls_replay *r, const ls_bt_person *outcomes,
                         const ls_bt_config *c, const char *weights_path, ls_bt_pred *out,
                         int *status) {
  memset(out, 0, sizeof *out);
  *status = LS_ENOTFOUND;
  const ls_model *m = ls_replay_model(r);
  size_t np = ls_replay_npersons(r);
  ls_pred_features *f = NULL;
  int rc = ls_pred_features_new(m, &f);
  size_t d = f ? ls_pred_nfeatures(f) : 0;
  collect_job jobs[2] = {{r, f, outcomes, c, 0, np / 2, NULL, NULL, 0},
                         {r, f, outcomes, c, np / 2, np, NULL, NULL, 0}};
  for (int k = 0; k < 2 && !rc; k++) {
    rc = ls_pred_data_new(d, &jobs[k].train);
    if (!rc) rc = ls_pred_data_new(d, &jobs[k].eval);
  }
  if (!rc) {
    ls_cli_two_halves(np, collect_thread, &jobs[0], &jobs[1]);
    rc = jobs[0].rc ? jobs[0].rc : jobs[1].rc;
  }
  if (!rc) rc = ls_pred_data_append(jobs[0].train, jobs[1].train);
  if (!rc) rc = ls_pred_data_append(jobs[0].eval, jobs[1].eval);
  ls_pred_data_destroy(jobs[1].train); /* its rows are in the first half's now */
  ls_pred_data_destroy(jobs[1].eval);
  if (!rc) {
    ls_pred_train_opts o = ls_pred_train_defaults();
    rc = ls_bt_pred_fit(f, c, jobs[0].train, jobs[0].eval, &o, out);
    *status = rc == LS_ENOTFOUND ? LS_ENOTFOUND : LS_OK;
    if (rc == LS_ENOTFOUND) rc = LS_OK;
  }
  ls_pred_data_destroy(jobs[0].train);
  ls_pred_data_destroy(jobs[0].eval);
  ls_pred_features_destroy(f);
  if (rc) {
    ls_cli_error("the predictive score: %s", ls_strerror(rc));
    return LS_EXIT_INTERNAL;
  }
  if (*status) return LS_EXIT_OK;
  snprintf(out->w.model, sizeof out->w.model, "%s", ls_model_name(m));
  return weights_path ? write_weights(weights_path, &out->w) : LS_EXIT_OK;
}
