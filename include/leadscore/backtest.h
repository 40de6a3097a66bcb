/* leadscore — model evaluation: a candidate model replayed over history,
 * measured against the outcomes the history itself records (issue 7).
 * Pure: the caller replays (ls_replay) and reads the sales outcomes; this
 * walks each person's fold once and counts.
 *
 * Outcomes do not depend on the model: a person *reaches opportunity* at
 * its first `sales_disposition` with outcome `opportunity` or, if earlier,
 * its first `opportunity_closed` (a closed deal was an opportunity), and is
 * *won* at its first `opportunity_closed` with outcome `won` — whatever
 * stage the candidate model had it in. */
#ifndef LEADSCORE_BACKTEST_H
#define LEADSCORE_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "leadscore/export.h"
#include "leadscore/model.h"
#include "leadscore/predict.h"
#include "leadscore/replay.h"
#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- outcomes, read from the events ---- */

typedef enum ls_bt_kind {
  LS_BT_OPPORTUNITY = 1, /* sales_disposition, outcome opportunity */
  LS_BT_NURTURE = 2,     /* sales_disposition, outcome nurture */
  LS_BT_DISQUALIFIED = 3,
  LS_BT_WON = 4,  /* opportunity_closed, outcome won */
  LS_BT_LOST = 5  /* opportunity_closed, outcome lost */
} ls_bt_kind;

/* Classifies a parsed event: its ls_bt_kind, or 0 when it is not a sales
 * outcome. `outcome` is the event's props.outcome (empty when absent). */
int ls_bt_classify(ls_slice type, ls_slice outcome);

/* A person's outcomes (times valid when the flag is set). */
typedef struct ls_bt_person {
  bool opp, won;
  ls_time opp_at, won_at;
} ls_bt_person;

/* Folds one outcome event into a person's outcomes (keeps the earliest). */
void ls_bt_person_add(ls_bt_person *p, int kind, ls_time at);

/* ---- the evaluation ---- */

enum { LS_BT_SWEEP_MAX = 64, LS_BT_DECILES = 10, LS_BT_ROC = 101 };

typedef struct ls_bt_config {
  ls_time from, to;   /* the window [from, to): MQLs, outcomes, weeks */
  int64_t horizon;    /* seconds: an MQL converts when the outcome follows within it */
  ls_time cutoff;     /* ranking: scores at the cutoff, outcomes in (cutoff, cutoff + horizon] */
  size_t score;       /* the score ranked and swept (index in the model) */
  double target_per_week; /* the recommended threshold's MQL volume; 0: the best F1 */
  int64_t sweep_from, sweep_step; /* thresholds sweep_from + k * sweep_step */
  size_t sweep_n;                 /* how many (≤ LS_BT_SWEEP_MAX) */
} ls_bt_config;

/* A rate with its count: k of n. */
typedef struct ls_bt_rate {
  uint64_t k, n;
} ls_bt_rate;

typedef struct ls_bt_sweep_row {
  int64_t threshold;
  uint64_t mqls;      /* persons whose score first reached it, identified, in the window */
  ls_bt_rate precision; /* of those, reached opportunity within the horizon after */
  ls_bt_rate recall;    /* of persons reaching opportunity in the window, reached it before */
  double f1;
} ls_bt_sweep_row;

typedef struct ls_bt_decile {
  uint64_t n, positives;
  int64_t min_score, max_score;
  double lift; /* rate of the decile / rate of all (0 when no positives) */
} ls_bt_decile;

/* A label (a stage, a grade, a cell) and a count. */
typedef struct ls_bt_count {
  char label[32];
  uint64_t n;
} ls_bt_count;

/* What one model did. Every array is owned (ls_bt_result_free). */
typedef struct ls_bt_result {
  size_t nweeks;       /* weeks of the window, the first starting at `from` */
  uint64_t *mql_week;  /* MQLs (entries into an MQL stage) per week */
  size_t nstages;
  uint64_t *stage_week; /* entries per stage per week: [stage * nweeks + week] */
  ls_bt_count *by_grade, *by_cell; /* MQLs by the grade / cell at the MQL */
  size_t ngrade, ncell;
  uint64_t mqls, mql_persons;  /* in the window: MQLs, persons with one */
  ls_bt_rate precision_opp, precision_won; /* of MQL persons (first MQL in the window) */
  ls_bt_rate recall_opp, recall_won; /* of persons reaching it in the window: MQL before */
  double median_days_to_opp;  /* MQL → opportunity, over the converted (n = precision_opp.k) */
  /* ranking at the cutoff */
  uint64_t rank_n, rank_pos;
  double auc; /* NAN when either class is empty */
  ls_bt_decile decile[LS_BT_DECILES];
  /* the ROC curve: (false, true positive rate) after the top j % by score,
   * j = 0..100 (nroc = 0 when the AUC is NAN) */
  double roc_fpr[LS_BT_ROC], roc_tpr[LS_BT_ROC];
  size_t nroc;
  /* threshold sweep */
  ls_bt_sweep_row sweep[LS_BT_SWEEP_MAX];
  size_t nsweep;
  int64_t recommended; /* a threshold of the sweep */
  bool has_recommended;
  /* inflation: points given by rules (positive rows of the ranked score) */
  int32_t top_rule; /* the rule that gave the most points, -1 when none */
  double top_rule_share; /* its share of all points given */
  uint64_t inflated, inflation_base; /* persons ≥ 80 % from ≤ 1-point rules, of persons with ≥ 10 points */
  /* per person, in lead_id order: for comparing two models */
  size_t npersons;
  uint16_t *stage; /* final stage */
  uint8_t *mql;    /* MQL in the window */
} ls_bt_result;

/* Evaluates a finished replay (borrowed) against outcomes[i] of person i in
 * lead_id order (borrowed; npersons of them). Fills *out (owned by the
 * caller afterwards). LS_OK, LS_EINVAL (not finished, bad config) or
 * LS_ENOMEM. */
int ls_bt_run(const ls_replay *r, const ls_bt_person *outcomes, const ls_bt_config *c,
              ls_bt_result *out);
void ls_bt_result_free(ls_bt_result *res); /* NULL is a no-op */

/* The same in parts, so that a caller can walk on several threads: each
 * part walks persons [lo, hi) (returns new *out; parts may run
 * concurrently on one replay), then ls_bt_finish adds up parts that cover
 * every person exactly once. ls_bt_run is one part and the finish. */
typedef struct ls_bt_part ls_bt_part;
int ls_bt_part_run(const ls_replay *r, const ls_bt_person *outcomes, const ls_bt_config *c,
                   size_t lo, size_t hi, ls_bt_part **out);
int ls_bt_finish(const ls_replay *r, const ls_bt_config *c, ls_bt_part *const *parts,
                 size_t nparts, ls_bt_result *out);
void ls_bt_part_destroy(ls_bt_part *p); /* NULL is a no-op */

/* Weeks of [from, to): ceil((to - from) / 7 days), at least 1. */
size_t ls_bt_weeks(ls_time from, ls_time to);

/* The ROC AUC of scores against labels (n of them): the probability that a
 * positive scores above a negative, ties counting half; NAN when either
 * class is empty. `tmp` holds 2 n indices. Exposed for tests. */
double ls_bt_auc(const int64_t *score, const uint8_t *label, size_t n, uint32_t *tmp);

/* The same for real-valued scores (a predictive score's log-odds). */
double ls_bt_auc_f64(const double *score, const uint8_t *label, size_t n, uint32_t *tmp);

/* ---- the predictive score, by a time split (predict.h) ----
 * Training rows are taken at cutoff - horizon from the persons identified
 * then and not yet an opportunity, labelled by an opportunity in (cutoff -
 * horizon, cutoff]; evaluation rows at the cutoff from the persons the rule
 * models are ranked on, labelled by an opportunity in (cutoff, cutoff +
 * horizon]. Features see only events up to their snapshot, and training
 * labels only outcomes up to the cutoff. (Identities are linked as the
 * whole history links them, for the rule models' ranking as well.) */

/* Collects the rows of persons [lo, hi) of a finished replay of f's model
 * into train and eval (borrowed, appended to). Ranges may be collected
 * concurrently into separate data. LS_OK, LS_EINVAL or LS_ENOMEM. */
int ls_bt_pred_collect(const ls_replay *r, const ls_pred_features *f,
                       const ls_bt_person *outcomes, const ls_bt_config *c, size_t lo,
                       size_t hi, ls_pred_data *train, ls_pred_data *eval);

typedef struct ls_bt_pred {
  ls_pred_weights w;        /* the learned weights (owned; n = 0 when not trained) */
  ls_time train_at;         /* cutoff - horizon */
  ls_bt_rate train, eval;   /* positives (k) of rows (n) */
  double auc;               /* on the evaluation rows; NAN when not defined */
} ls_bt_pred;

/* Trains on `train` and measures the AUC on `eval` (both borrowed). LS_OK,
 * LS_ENOTFOUND when the training rows hold only one class (nothing to
 * learn; out has the counts), LS_ENOMEM. */
int ls_bt_pred_fit(const ls_pred_features *f, const ls_bt_config *c, const ls_pred_data *train,
                   const ls_pred_data *eval, const ls_pred_train_opts *o, ls_bt_pred *out);
void ls_bt_pred_free(ls_bt_pred *p); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif
#endif
