/* leadscore backtest: what the command computed, and its three renderings
 * (a readable text report, JSON, a self-contained HTML page). */
#ifndef LEADSCORE_CLI_BACKTEST_REPORT_H
#define LEADSCORE_CLI_BACKTEST_REPORT_H

#include <stdio.h>

#include "leadscore/backtest.h"

/* Rates over fewer cases than this get a warning: they mean little. */
enum { LS_BT_MIN_N = 30, LS_BT_EXAMPLES = 5 };

typedef struct ls_bt_model_report {
  const char *path;       /* the model file, as given */
  const ls_model *m;      /* borrowed */
  const ls_bt_result *res; /* borrowed */
  double predictive_auc;  /* NAN when not computed */
} ls_bt_model_report;

/* One person of a difference, with its stage under each model. */
typedef struct ls_bt_example {
  char lead_id[64];
  char stage_a[32], stage_b[32];
} ls_bt_example;

/* Model 0 against model `b` (index in models), persons matched by lead id. */
typedef struct ls_bt_diff {
  size_t b;
  uint64_t compared;                 /* persons under both */
  uint64_t stage_differs;            /* final stage names differ */
  uint64_t mql_only_a, mql_only_b;   /* MQL in the window under one only */
  ls_bt_example stage_ex[LS_BT_EXAMPLES], only_a_ex[LS_BT_EXAMPLES], only_b_ex[LS_BT_EXAMPLES];
  size_t nstage_ex, nonly_a_ex, nonly_b_ex;
} ls_bt_diff;

typedef struct ls_bt_report {
  const ls_bt_config *c;
  const ls_bt_model_report *models;
  size_t nmodels;
  const ls_bt_diff *diffs; /* nmodels - 1 of them: model 0 against 1, 2, ... */
  uint64_t events, persons; /* of the history (model 0's replay) */
  uint64_t outcome_events;  /* sales outcome events read */
  /* the predictive score on model 0's features (NULL: not asked);
   * pred_status LS_OK, or LS_ENOTFOUND when there was nothing to learn */
  const ls_bt_pred *pred;
  int pred_status;
} ls_bt_report;

/* Each returns LS_OK or LS_EIO (a failed write). */
int ls_bt_write_text(const ls_bt_report *r, FILE *out);
int ls_bt_write_json(const ls_bt_report *r, FILE *out);
/* A page with inline SVG charts (MQLs per week, ROC-like lift, deciles,
 * threshold sweep) and the tables; no external requests. */
int ls_bt_write_html(const ls_bt_report *r, FILE *out);

/* The predictive score learned from model `m`'s replay `r` (borrowed)
 * and outcomes by the time split of `c` (walked on two threads); its
 * weights written to `weights_path` when not NULL. Fills *out and *status
 * (see ls_bt_report); returns an LS_EXIT_* code, with the error printed. */
int ls_bt_cli_predictive(const ls_replay *r, const ls_bt_person *outcomes,
                         const ls_bt_config *c, const char *weights_path, ls_bt_pred *out,
                         int *status);

/* "12.5% (5/40)"-style helpers shared by the renderings. */
double ls_bt_ratio(ls_bt_rate x); /* k / n, NAN when n is 0 */
bool ls_bt_small(ls_bt_rate x);   /* n < LS_BT_MIN_N */
double ls_bt_per_week(uint64_t n, size_t nweeks); /* n / nweeks (at least 1 week) */

#endif
