/* leadscore backtest: the text and JSON renderings (backtest_report.h). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "cli/backtest_report.h"
#include "cli/cli.h"
#include "leadscore/error.h"

double ls_bt_ratio(ls_bt_rate x) { return x.n ? (double)x.k / (double)x.n : NAN; }
bool ls_bt_small(ls_bt_rate x) { return x.n < LS_BT_MIN_N; }

double ls_bt_per_week(uint64_t n, size_t nweeks) {
  return (double)n / (double)(nweeks ? nweeks : 1);
}

/* ---- text ---- */

/* "12.5% (5/40)", with " !" when n is too small; into buf. */
static const char *rate(ls_bt_rate x, char *buf, size_t cap) {
  if (!x.n) snprintf(buf, cap, "- (0/0) !");
  else
    snprintf(buf, cap, ls_bt_ratio(x) > 0 && ls_bt_ratio(x) < 0.01 ? "%.3f%% (%" PRIu64 "/%" PRIu64 ")%s"
                                                                  : "%.1f%% (%" PRIu64 "/%" PRIu64 ")%s",
             100 * ls_bt_ratio(x), x.k, x.n, ls_bt_small(x) ? " !" : "");
  return buf;
}

static const char *num(double v, const char *fmt, char *buf, size_t cap) {
  if (isnan(v)) snprintf(buf, cap, "-");
  else snprintf(buf, cap, fmt, v);
  return buf;
}

/* One row of the side-by-side table: a label, then one cell per model. */
typedef void (*cell_fn)(const ls_bt_model_report *m, const ls_bt_report *r, char *buf, size_t cap);

static void row(FILE *out, const ls_bt_report *r, const char *label, cell_fn fn) {
  fprintf(out, "%-34s", label);
  for (size_t i = 0; i < r->nmodels; i++) {
    char buf[96];
    fn(&r->models[i], r, buf, sizeof buf);
    fprintf(out, "  %-26s", buf);
  }
  fputc('\n', out);
}

#define CELL(name, body)                                                                      \
  static void name(const ls_bt_model_report *m, const ls_bt_report *r, char *buf, size_t cap) { \
    (void)r;                                                                                  \
    const ls_bt_result *x = m->res;                                                           \
    (void)x;                                                                                  \
    body;                                                                                     \
  }

CELL(c_mqls, snprintf(buf, cap, "%" PRIu64, x->mqls))
CELL(c_persons, snprintf(buf, cap, "%" PRIu64, x->mql_persons))
CELL(c_week, snprintf(buf, cap, "%.1f", ls_bt_per_week(x->mqls, x->nweeks)))
CELL(c_popp, rate(x->precision_opp, buf, cap))
CELL(c_pwon, rate(x->precision_won, buf, cap))
CELL(c_ropp, rate(x->recall_opp, buf, cap))
CELL(c_rwon, rate(x->recall_won, buf, cap))
CELL(c_days, {
  char v[32];
  snprintf(buf, cap, "%s (n=%" PRIu64 ")", num(x->median_days_to_opp, "%.1f", v, sizeof v),
           x->precision_opp.k);
})
CELL(c_auc, {
  char v[32];
  snprintf(buf, cap, "%s (n=%" PRIu64 ", %" PRIu64 " pos)%s", num(x->auc, "%.3f", v, sizeof v),
           x->rank_n, x->rank_pos, x->rank_pos < LS_BT_MIN_N ? " !" : "");
})
CELL(c_pauc, {
  char v[32];
  snprintf(buf, cap, "%s", num(m->predictive_auc, "%.3f", v, sizeof v));
})
CELL(c_rec, {
  if (!x->has_recommended) snprintf(buf, cap, "-");
  else snprintf(buf, cap, "%" PRId64, x->recommended);
})
CELL(c_top, {
  if (x->top_rule < 0) snprintf(buf, cap, "-");
  else snprintf(buf, cap, "%s %.0f%%", ls_model_rule_id(m->m, (size_t)x->top_rule),
                100 * x->top_rule_share);
})
CELL(c_infl, rate((ls_bt_rate){x->inflated, x->inflation_base}, buf, cap))

static void text_header(const ls_bt_report *r, FILE *out) {
  char a[LS_TIME_FMT_MAX], b[LS_TIME_FMT_MAX], cut[LS_TIME_FMT_MAX];
  ls_time_format(r->c->from, a);
  ls_time_format(r->c->to, b);
  ls_time_format(r->c->cutoff, cut);
  fprintf(out, "leadscore backtest: %" PRIu64 " events, %" PRIu64 " persons, %" PRIu64
               " sales outcome events\n",
          r->events, r->persons, r->outcome_events);
  fprintf(out, "window %s .. %s (%zu weeks), horizon %" PRId64 "d, cutoff %s, score %s\n\n", a,
          b, r->models[0].res->nweeks, r->c->horizon / 86400, cut,
          ls_model_score_name(r->models[0].m, r->c->score));
  fprintf(out, "%-34s", "");
  for (size_t i = 0; i < r->nmodels; i++) fprintf(out, "  %-26.26s", r->models[i].path);
  fputc('\n', out);
}

static void text_sweep(const ls_bt_report *r, FILE *out) {
  for (size_t i = 0; i < r->nmodels; i++) {
    const ls_bt_result *x = r->models[i].res;
    fprintf(out, "\nthreshold sweep, %s (first reach of the score while identified):\n",
            r->models[i].path);
    fprintf(out, "%9s %8s %9s  %-24s %-24s %6s\n", "threshold", "MQLs", "MQLs/wk", "precision",
            "recall", "F1");
    for (size_t k = 0; k < x->nsweep; k++) {
      const ls_bt_sweep_row *s = &x->sweep[k];
      char p[64], rc[64];
      fprintf(out, "%9" PRId64 " %8" PRIu64 " %9.1f  %-24s %-24s %6.3f%s\n", s->threshold,
              s->mqls, ls_bt_per_week(s->mqls, x->nweeks), rate(s->precision, p, sizeof p),
              rate(s->recall, rc, sizeof rc), s->f1,
              x->has_recommended && s->threshold == x->recommended ? "  <- recommended" : "");
    }
  }
}

static void text_deciles(const ls_bt_report *r, FILE *out) {
  for (size_t i = 0; i < r->nmodels; i++) {
    const ls_bt_result *x = r->models[i].res;
    fprintf(out, "\nlift by decile at the cutoff, %s:\n%6s %8s %9s %15s %6s\n",
            r->models[i].path, "decile", "persons", "positive", "scores", "lift");
    for (size_t d = 0; d < LS_BT_DECILES; d++) {
      const ls_bt_decile *z = &x->decile[d];
      char range[40];
      snprintf(range, sizeof range, "%" PRId64 "..%" PRId64, z->min_score, z->max_score);
      fprintf(out, "%6zu %8" PRIu64 " %9" PRIu64 " %15s %6.2f\n", d + 1, z->n, z->positives,
              z->n ? range : "-", z->lift);
    }
  }
}

static void text_stages(const ls_bt_report *r, FILE *out) {
  for (size_t i = 0; i < r->nmodels; i++) {
    const ls_bt_result *x = r->models[i].res;
    fprintf(out, "\nentries per stage in the window, %s:", r->models[i].path);
    for (size_t s = 0; s < x->nstages; s++) {
      uint64_t n = 0;
      for (size_t w = 0; w < x->nweeks; w++) n += x->stage_week[s * x->nweeks + w];
      fprintf(out, " %s %" PRIu64 "%s", ls_model_stage_name(r->models[i].m, s), n,
              s + 1 < x->nstages ? "," : "\n");
    }
    fprintf(out, "MQLs per week:");
    for (size_t w = 0; w < x->nweeks; w++) fprintf(out, " %" PRIu64, x->mql_week[w]);
    fputc('\n', out);
    for (size_t g = 0; g < x->ngrade; g++)
      fprintf(out, "%s %s %" PRIu64 "%s", g ? "" : "MQLs by grade:", x->by_grade[g].label,
              x->by_grade[g].n, g + 1 < x->ngrade ? "," : "\n");
    for (size_t g = 0; g < x->ncell; g++)
      fprintf(out, "%s %s %" PRIu64 "%s", g ? "" : "MQLs by cell:", x->by_cell[g].label,
              x->by_cell[g].n, g + 1 < x->ncell ? "," : "\n");
  }
}

static void text_diffs(const ls_bt_report *r, FILE *out) {
  for (size_t k = 0; k + 1 < r->nmodels; k++) {
    const ls_bt_diff *d = &r->diffs[k];
    fprintf(out, "\n%s against %s: %" PRIu64 " persons compared; final stage differs for %" PRIu64
                 ", MQL only under the first %" PRIu64 ", only under the second %" PRIu64 "\n",
            r->models[0].path, r->models[d->b].path, d->compared, d->stage_differs, d->mql_only_a,
            d->mql_only_b);
    const struct {
      const char *what;
      const ls_bt_example *v;
      size_t n;
    } ex[3] = {{"stage differs", d->stage_ex, d->nstage_ex},
               {"MQL under the first only", d->only_a_ex, d->nonly_a_ex},
               {"MQL under the second only", d->only_b_ex, d->nonly_b_ex}};
    for (size_t e = 0; e < 3; e++)
      for (size_t i = 0; i < ex[e].n; i++)
        fprintf(out, "  %-26s %-20s %s -> %s\n", i ? "" : ex[e].what, ex[e].v[i].lead_id,
                ex[e].v[i].stage_a, ex[e].v[i].stage_b);
  }
}

enum { TOP_FEATURES = 10 };

static void text_predictive(const ls_bt_report *r, FILE *out) {
  const ls_bt_pred *p = r->pred;
  if (!p) return;
  char at[LS_TIME_FMT_MAX], v[32];
  ls_time_format(p->train_at, at);
  fprintf(out, "\npredictive score: logistic regression on the features of %s, by a time split\n",
          r->models[0].path);
  fprintf(out, "  training: %" PRIu64 " persons identified at %s (the cutoff minus the horizon), "
               "%" PRIu64 " of them reached opportunity by the cutoff%s\n",
          p->train.n, at, p->train.k, p->train.k < LS_BT_MIN_N ? " !" : "");
  if (r->pred_status) {
    fprintf(out, "  not trained: the training persons hold %s; a longer history or a later "
                 "--cutoff gives it something to learn\n",
            p->train.n ? "one outcome only" : "no one");
    return;
  }
  char rule[32];
  fprintf(out, "  evaluation: %" PRIu64 " persons at the cutoff, %" PRIu64
               " reached opportunity within the horizon: ROC AUC %s%s (the rule score's %s)\n",
          p->eval.n, p->eval.k, num(p->auc, "%.3f", v, sizeof v),
          p->eval.k < LS_BT_MIN_N ? " !" : "", num(r->models[0].res->auc, "%.3f", rule, sizeof rule));
  fprintf(out, "  %u Newton steps, ridge %g; top features (weight per standard deviation, odds "
               "ratio):\n",
          p->w.iterations, p->w.lambda);
  for (size_t j = 0; j < p->w.n && j < TOP_FEATURES; j++)
    fprintf(out, "    %+8.3f  x%-7.2f %s\n", p->w.weight[j], exp(p->w.weight[j]), p->w.name[j]);
}

int ls_bt_write_text(const ls_bt_report *r, FILE *out) {
  text_header(r, out);
  row(out, r, "MQLs in the window", c_mqls);
  row(out, r, "persons with an MQL", c_persons);
  row(out, r, "MQLs per week", c_week);
  row(out, r, "precision: opportunity in horizon", c_popp);
  row(out, r, "precision: won in horizon", c_pwon);
  row(out, r, "recall: opportunities MQL before", c_ropp);
  row(out, r, "recall: wins MQL before", c_rwon);
  row(out, r, "median days MQL -> opportunity", c_days);
  row(out, r, "ROC AUC at the cutoff", c_auc);
  bool pred = false;
  for (size_t i = 0; i < r->nmodels; i++) pred |= !isnan(r->models[i].predictive_auc);
  if (pred) row(out, r, "predictive AUC", c_pauc);
  row(out, r, r->c->target_per_week > 0 ? "threshold for the target volume" : "threshold, best F1",
      c_rec);
  row(out, r, "rule giving the most points", c_top);
  row(out, r, "persons >= 80% from <= 1-pt rules", c_infl);
  text_stages(r, out);
  text_deciles(r, out);
  text_sweep(r, out);
  text_diffs(r, out);
  text_predictive(r, out);
  fprintf(out, "\n! marks a rate over fewer than %d cases: too few to mean much.\n", LS_BT_MIN_N);
  return ferror(out) ? LS_EIO : LS_OK;
}

/* ---- JSON ---- */

static void jnum(FILE *out, double v, const char *fmt) {
  if (isnan(v) || isinf(v)) fputs("null", out);
  else fprintf(out, fmt, v);
}

/* ,"key":{"k":…,"n":…,"rate":…,"small_n":…} */
static void jrate(FILE *out, const char *key, ls_bt_rate x) {
  fprintf(out, ",\"%s\":{\"k\":%" PRIu64 ",\"n\":%" PRIu64 ",\"rate\":", key, x.k, x.n);
  jnum(out, ls_bt_ratio(x), "%.6g");
  fprintf(out, ",\"small_n\":%s}", ls_bt_small(x) ? "true" : "false");
}

static void jcounts(FILE *out, const char *key, const ls_bt_count *v, size_t n) {
  fprintf(out, ",\"%s\":{", key);
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(',', out);
    ls_cli_json_str(out, v[i].label, strlen(v[i].label));
    fprintf(out, ":%" PRIu64, v[i].n);
  }
  fputc('}', out);
}

static void jmodel(FILE *out, const ls_bt_model_report *mr) {
  const ls_bt_result *x = mr->res;
  const ls_model *m = mr->m;
  fputs("{\"model\":", out);
  ls_cli_json_str(out, mr->path, strlen(mr->path));
  fprintf(out, ",\"mqls\":%" PRIu64 ",\"mql_persons\":%" PRIu64 ",\"mqls_per_week\":", x->mqls,
          x->mql_persons);
  jnum(out, ls_bt_per_week(x->mqls, x->nweeks), "%.6g");
  fputs(",\"mqls_by_week\":[", out);
  for (size_t w = 0; w < x->nweeks; w++) fprintf(out, "%s%" PRIu64, w ? "," : "", x->mql_week[w]);
  fputs("],\"stage_entries_by_week\":{", out);
  for (size_t s = 0; s < x->nstages; s++) {
    const char *name = ls_model_stage_name(m, s);
    fprintf(out, "%s", s ? "," : "");
    ls_cli_json_str(out, name, strlen(name));
    fputs(":[", out);
    for (size_t w = 0; w < x->nweeks; w++)
      fprintf(out, "%s%" PRIu64, w ? "," : "", x->stage_week[s * x->nweeks + w]);
    fputc(']', out);
  }
  fputc('}', out);
  jcounts(out, "mqls_by_grade", x->by_grade, x->ngrade);
  jcounts(out, "mqls_by_cell", x->by_cell, x->ncell);
  jrate(out, "precision_opportunity", x->precision_opp);
  jrate(out, "precision_won", x->precision_won);
  jrate(out, "recall_opportunity", x->recall_opp);
  jrate(out, "recall_won", x->recall_won);
  fputs(",\"median_days_to_opportunity\":", out);
  jnum(out, x->median_days_to_opp, "%.6g");
  fprintf(out, ",\"ranking\":{\"n\":%" PRIu64 ",\"positives\":%" PRIu64 ",\"auc\":", x->rank_n,
          x->rank_pos);
  jnum(out, x->auc, "%.6g");
  fputs(",\"predictive_auc\":", out);
  jnum(out, mr->predictive_auc, "%.6g");
  fputs(",\"deciles\":[", out);
  for (size_t d = 0; d < LS_BT_DECILES; d++) {
    const ls_bt_decile *z = &x->decile[d];
    fprintf(out, "%s{\"n\":%" PRIu64 ",\"positives\":%" PRIu64 ",\"min_score\":%" PRId64
                 ",\"max_score\":%" PRId64 ",\"lift\":",
            d ? "," : "", z->n, z->positives, z->min_score, z->max_score);
    jnum(out, z->lift, "%.6g");
    fputc('}', out);
  }
  fputs("],\"roc\":[", out);
  for (size_t j = 0; j < x->nroc; j++)
    fprintf(out, "%s[%.6g,%.6g]", j ? "," : "", x->roc_fpr[j], x->roc_tpr[j]);
  fputs("]},\"sweep\":[", out);
  for (size_t k = 0; k < x->nsweep; k++) {
    const ls_bt_sweep_row *s = &x->sweep[k];
    fprintf(out, "%s{\"threshold\":%" PRId64 ",\"mqls\":%" PRIu64 ",\"mqls_per_week\":",
            k ? "," : "", s->threshold, s->mqls);
    jnum(out, ls_bt_per_week(s->mqls, x->nweeks), "%.6g");
    jrate(out, "precision", s->precision);
    jrate(out, "recall", s->recall);
    fputs(",\"f1\":", out);
    jnum(out, s->f1, "%.6g");
    fputc('}', out);
  }
  fputs("],\"recommended_threshold\":", out);
  if (x->has_recommended) fprintf(out, "%" PRId64, x->recommended);
  else fputs("null", out);
  fputs(",\"inflation\":{\"top_rule\":", out);
  if (x->top_rule >= 0) {
    const char *id = ls_model_rule_id(m, (size_t)x->top_rule);
    ls_cli_json_str(out, id, strlen(id));
  } else {
    fputs("null", out);
  }
  fputs(",\"top_rule_share\":", out);
  jnum(out, x->top_rule_share, "%.6g");
  jrate(out, "low_point_persons", (ls_bt_rate){x->inflated, x->inflation_base});
  fputs("}}", out);
}

static void jexamples(FILE *out, const char *key, const ls_bt_example *v, size_t n) {
  fprintf(out, ",\"%s\":[", key);
  for (size_t i = 0; i < n; i++) {
    fputs(i ? ",{\"lead_id\":" : "{\"lead_id\":", out);
    ls_cli_json_str(out, v[i].lead_id, strlen(v[i].lead_id));
    fputs(",\"stage_a\":", out);
    ls_cli_json_str(out, v[i].stage_a, strlen(v[i].stage_a));
    fputs(",\"stage_b\":", out);
    ls_cli_json_str(out, v[i].stage_b, strlen(v[i].stage_b));
    fputc('}', out);
  }
  fputc(']', out);
}

/* ,"predictive":{…} (null when not asked) */
static void jpredictive(const ls_bt_report *r, FILE *out) {
  const ls_bt_pred *p = r->pred;
  fputs(",\"predictive\":", out);
  if (!p) {
    fputs("null", out);
    return;
  }
  char at[LS_TIME_FMT_MAX];
  ls_time_format(p->train_at, at);
  fprintf(out, "{\"trained\":%s,\"features_of\":", r->pred_status ? "false" : "true");
  ls_cli_json_str(out, r->models[0].path, strlen(r->models[0].path));
  fprintf(out, ",\"train_at\":\"%s\"", at);
  jrate(out, "train", p->train);
  jrate(out, "eval", p->eval);
  fputs(",\"auc\":", out);
  jnum(out, p->auc, "%.6g");
  fprintf(out, ",\"iterations\":%u,\"lambda\":", p->w.iterations);
  jnum(out, p->w.lambda, "%.6g");
  fputs(",\"intercept\":", out);
  jnum(out, p->w.intercept, "%.6g");
  fputs(",\"top_features\":[", out);
  for (size_t j = 0; j < p->w.n && j < TOP_FEATURES; j++) {
    fputs(j ? ",{\"name\":" : "{\"name\":", out);
    ls_cli_json_str(out, p->w.name[j], strlen(p->w.name[j]));
    fputs(",\"weight\":", out);
    jnum(out, p->w.weight[j], "%.6g");
    fputs(",\"odds_per_sd\":", out);
    jnum(out, exp(p->w.weight[j]), "%.6g");
    fputc('}', out);
  }
  fputs("]}", out);
}

int ls_bt_write_json(const ls_bt_report *r, FILE *out) {
  char a[LS_TIME_FMT_MAX], b[LS_TIME_FMT_MAX], cut[LS_TIME_FMT_MAX];
  ls_time_format(r->c->from, a);
  ls_time_format(r->c->to, b);
  ls_time_format(r->c->cutoff, cut);
  const char *score = ls_model_score_name(r->models[0].m, r->c->score);
  fprintf(out, "{\"from\":\"%s\",\"to\":\"%s\",\"weeks\":%zu,\"horizon_seconds\":%" PRId64
               ",\"cutoff\":\"%s\",\"score\":",
          a, b, r->models[0].res->nweeks, r->c->horizon, cut);
  ls_cli_json_str(out, score, strlen(score));
  fprintf(out, ",\"target_mqls_per_week\":");
  jnum(out, r->c->target_per_week > 0 ? r->c->target_per_week : NAN, "%.6g");
  fprintf(out, ",\"events\":%" PRIu64 ",\"persons\":%" PRIu64 ",\"outcome_events\":%" PRIu64
               ",\"min_n\":%d,\"models\":[",
          r->events, r->persons, r->outcome_events, LS_BT_MIN_N);
  for (size_t i = 0; i < r->nmodels; i++) {
    if (i) fputc(',', out);
    jmodel(out, &r->models[i]);
  }
  fputs("],\"differences\":[", out);
  for (size_t k = 0; k + 1 < r->nmodels; k++) {
    const ls_bt_diff *d = &r->diffs[k];
    fprintf(out, "%s{\"a\":", k ? "," : "");
    ls_cli_json_str(out, r->models[0].path, strlen(r->models[0].path));
    fputs(",\"b\":", out);
    ls_cli_json_str(out, r->models[d->b].path, strlen(r->models[d->b].path));
    fprintf(out, ",\"compared\":%" PRIu64 ",\"stage_differs\":%" PRIu64 ",\"mql_only_a\":%" PRIu64
                 ",\"mql_only_b\":%" PRIu64,
            d->compared, d->stage_differs, d->mql_only_a, d->mql_only_b);
    jexamples(out, "stage_examples", d->stage_ex, d->nstage_ex);
    jexamples(out, "mql_only_a_examples", d->only_a_ex, d->nonly_a_ex);
    jexamples(out, "mql_only_b_examples", d->only_b_ex, d->nonly_b_ex);
    fputc('}', out);
  }
  fputc(']', out);
  jpredictive(r, out);
  fputs("}\n", out);
  return ferror(out) ? LS_EIO : LS_OK;
}
