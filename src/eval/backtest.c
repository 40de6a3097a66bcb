/* The backtest (leadscore/backtest.h): one walk over each person's fold,
 * counting as it goes; nothing per event is allocated. */
#include "leadscore/backtest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "engine/replay_internal.h" /* ls__sort_u32 */

#define WEEK ((int64_t)7 * 86400)

/* ---- outcomes ---- */

static bool is(ls_slice s, const char *lit) {
  size_t n = strlen(lit);
  return s.n == n && memcmp(s.p, lit, n) == 0;
}

int ls_bt_classify(ls_slice type, ls_slice outcome) {
  if (is(type, "sales_disposition")) {
    if (is(outcome, "opportunity")) return LS_BT_OPPORTUNITY;
    if (is(outcome, "nurture")) return LS_BT_NURTURE;
    if (is(outcome, "disqualified")) return LS_BT_DISQUALIFIED;
  } else if (is(type, "opportunity_closed")) {
    if (is(outcome, "won")) return LS_BT_WON;
    if (is(outcome, "lost")) return LS_BT_LOST;
  }
  return 0;
}

static void earliest(bool *has, ls_time *at, ls_time t) {
  if (!*has || ls_time_cmp(t, *at) < 0) *at = t;
  *has = true;
}

void ls_bt_person_add(ls_bt_person *p, int kind, ls_time at) {
  /* a closed deal, won or lost, was an opportunity */
  if (kind == LS_BT_OPPORTUNITY || kind == LS_BT_WON || kind == LS_BT_LOST)
    earliest(&p->opp, &p->opp_at, at);
  if (kind == LS_BT_WON) earliest(&p->won, &p->won_at, at);
}

/* ---- small helpers ---- */

size_t ls_bt_weeks(ls_time from, ls_time to) {
  int64_t span = to.sec - from.sec;
  if (span <= 0) return 1;
  return (size_t)((span + WEEK - 1) / WEEK);
}

static bool in_window(const ls_bt_config *c, ls_time t) {
  return ls_time_cmp(t, c->from) >= 0 && ls_time_cmp(t, c->to) < 0;
}

/* t ≤ x ≤ t + horizon */
static bool within(ls_time t, int64_t horizon, ls_time x) {
  return ls_time_cmp(x, t) >= 0 && ls_time_cmp(x, ls_time_add(t, horizon)) <= 0;
}

static int count_label(ls_bt_count **v, size_t *n, const char *label, uint64_t by) {
  for (size_t i = 0; i < *n; i++)
    if (!strcmp((*v)[i].label, label)) return (*v)[i].n += by, LS_OK;
  size_t cap = *n; /* grown one at a time: a handful of labels */
  if (ls__grow((void **)v, &cap, *n + 1, sizeof **v)) return LS_ENOMEM;
  snprintf((*v)[*n].label, sizeof (*v)[*n].label, "%s", label);
  (*v)[(*n)++].n = by;
  return LS_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* ---- AUC and deciles ---- */

static int by_score(const void *ctx, uint32_t x, uint32_t y) { /* ascending */
  const int64_t *score = ctx;
  return (score[x] > score[y]) - (score[x] < score[y]);
}

static int by_f64(const void *ctx, uint32_t x, uint32_t y) {
  const double *score = ctx;
  return (score[x] > score[y]) - (score[x] < score[y]);
}

/* idx: the indices 0..n-1 by ascending score (stable: ties by index);
 * tmp: n more. */
static void sort_by_score(const int64_t *score, uint32_t *idx, uint32_t *tmp, size_t n) {
  for (size_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
  ls__sort_u32(idx, tmp, n, by_score, score);
}

/* Mann–Whitney over indices sorted by `cmp`: the positives' rank sum,
 * tied scores sharing their mean rank. */
static double auc_sorted(const uint32_t *idx, size_t n, const uint8_t *label,
                         int (*cmp)(const void *, uint32_t, uint32_t), const void *score) {
  uint64_t pos = 0;
  for (size_t i = 0; i < n; i++) pos += label[i] != 0;
  uint64_t neg = n - pos;
  if (!pos || !neg) return NAN;
  double rank_sum = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && cmp(score, idx[j], idx[i]) == 0) j++;
    double mean = (double)(i + 1 + j) / 2.0; /* ranks i+1 .. j */
    for (size_t k = i; k < j; k++)
      if (label[idx[k]]) rank_sum += mean;
    i = j;
  }
  return (rank_sum - (double)pos * (double)(pos + 1) / 2.0) / ((double)pos * (double)neg);
}

double ls_bt_auc(const int64_t *score, const uint8_t *label, size_t n, uint32_t *tmp) {
  sort_by_score(score, tmp, tmp + n, n);
  return auc_sorted(tmp, n, label, by_score, score);
}

double ls_bt_auc_f64(const double *score, const uint8_t *label, size_t n, uint32_t *tmp) {
  for (size_t i = 0; i < n; i++) tmp[i] = (uint32_t)i;
  ls__sort_u32(tmp, tmp + n, n, by_f64, score);
  return auc_sorted(tmp, n, label, by_f64, score);
}

/* Deciles from the top score down: decile d holds ranks [d n/10, (d+1) n/10). */
static void deciles(const int64_t *score, const uint8_t *label, size_t n, uint32_t *tmp,
                    uint64_t pos, ls_bt_decile *out) {
  sort_by_score(score, tmp, tmp + n, n);
  double base = n ? (double)pos / (double)n : 0;
  for (size_t d = 0; d < LS_BT_DECILES; d++) {
    size_t lo = d * n / LS_BT_DECILES, hi = (d + 1) * n / LS_BT_DECILES;
    ls_bt_decile *x = &out[d];
    memset(x, 0, sizeof *x);
    for (size_t k = lo; k < hi; k++) {
      uint32_t i = tmp[n - 1 - k]; /* descending */
      if (k == lo) x->max_score = score[i];
      x->min_score = score[i];
      x->n++;
      x->positives += label[i] != 0;
    }
    x->lift = x->n && base > 0 ? ((double)x->positives / (double)x->n) / base : 0;
  }
}

/* The ROC curve at every percent of the ranking, top scores first. */
static void roc(const int64_t *score, const uint8_t *label, size_t n, uint32_t *tmp,
                uint64_t pos, ls_bt_result *out) {
  uint64_t neg = n - pos;
  if (!pos || !neg) return;
  sort_by_score(score, tmp, tmp + n, n);
  uint64_t tp = 0, fp = 0;
  size_t k = 0;
  for (size_t j = 0; j < LS_BT_ROC; j++) {
    size_t upto = (j * n + LS_BT_ROC - 2) / (LS_BT_ROC - 1); /* ceil(j n / 100) */
    for (; k < upto && k < n; k++) {
      if (label[tmp[n - 1 - k]]) tp++;
      else fp++;
    }
    out->roc_fpr[j] = (double)fp / (double)neg;
    out->roc_tpr[j] = (double)tp / (double)pos;
  }
  out->nroc = LS_BT_ROC;
}

/* ---- the walk ---- */

typedef struct walk {
  const ls_model *m;
  const ls_bt_config *c;
  ls_bt_result *res; /* the part's: stage and mql indexed from lo */
  size_t lo;
  int rc;
  /* the current person */
  const ls_bt_person *o;
  bool mql_now;                 /* the event being folded made an MQL */
  bool any_mql, win_mql;        /* an MQL ever; one in the window */
  ls_time first_mql, first_win_mql;
  bool cut_done, cut_known;     /* scored at the cutoff; existed and identified then */
  int64_t cut_score;
  size_t crossed;               /* sweep levels reached so far */
  ls_time cross[LS_BT_SWEEP_MAX];
  int64_t pts, low_pts;         /* points given; by rules of ≤ 1 point per firing */
  /* everyone */
  void *tmp_state;
  int64_t *rule_pts;
  size_t nrules;
  int64_t *rank_score;
  uint8_t *rank_label;
  size_t nrank;
  double *days;
  size_t ndays, days_cap;
  uint64_t sweep_mql[LS_BT_SWEEP_MAX], sweep_tp[LS_BT_SWEEP_MAX], sweep_rec[LS_BT_SWEEP_MAX];
  uint64_t opp_in_window;
} walk;

static void on_stage(void *ud, const ls_stage_change *ch) {
  walk *w = ud;
  ls_bt_result *res = w->res;
  if (in_window(w->c, ch->time)) {
    size_t wk = (size_t)((ch->time.sec - w->c->from.sec) / WEEK);
    if (wk < res->nweeks && ch->to < res->nstages) res->stage_week[ch->to * res->nweeks + wk]++;
    if (ch->mql && wk < res->nweeks) res->mql_week[wk]++;
  }
  if (!ch->mql) return;
  if (!w->any_mql) w->first_mql = ch->time;
  w->any_mql = true;
  if (in_window(w->c, ch->time)) {
    res->mqls++;
    w->mql_now = true; /* its grade and cell: after the event */
    if (!w->win_mql) w->first_win_mql = ch->time;
    w->win_mql = true;
  }
}

static void on_ledger(void *ud, const ls_ledger_entry *e) {
  walk *w = ud;
  if (e->rule < 0 || e->points <= 0 || e->category) return;
  bool formula = ls_model_score_is_formula(w->m, w->c->score);
  if (!formula && e->score != w->c->score) return;
  if ((size_t)e->rule < w->nrules) w->rule_pts[e->rule] += e->points;
  w->pts += e->points;
  if (!ls_model_rule_is_fit(w->m, (size_t)e->rule) &&
      ls_model_rule_points(w->m, (size_t)e->rule) <= 1)
    w->low_pts += e->points;
}

static void before(void *ud, const ls_fold_event *ev, const void *state) {
  walk *w = ud;
  if (w->cut_done || (ev && ls_time_cmp(ev->time, w->c->cutoff) <= 0)) return;
  /* the first event after the cutoff (or the end): the state at the cutoff,
   * decayed up to it, on a copy */
  w->cut_done = true;
  if (!ls_fold_identified(w->m, state)) return;
  memcpy(w->tmp_state, state, ls_fold_state_size(w->m));
  ls_fold_advance(w->m, w->tmp_state, w->c->cutoff, NULL);
  w->cut_known = true;
  w->cut_score = ls_fold_score(w->m, w->tmp_state, w->c->score);
}

static void after(void *ud, const ls_fold_event *ev, const void *state) {
  walk *w = ud;
  const ls_model *m = w->m;
  if (w->mql_now && !w->rc) {
    w->mql_now = false;
    if (ls_model_ngrades(m)) w->rc = count_label(&w->res->by_grade, &w->res->ngrade,
                                                  ls_fold_grade(m, state, 0), 1);
    char cell[32];
    if (!w->rc && ls_fold_cell(m, state, cell, sizeof cell))
      w->rc = count_label(&w->res->by_cell, &w->res->ncell, cell, 1);
  }
  if (!ls_fold_identified(m, state)) return;
  int64_t v = ls_fold_score(m, state, w->c->score);
  while (w->crossed < w->c->sweep_n &&
         v >= w->c->sweep_from + (int64_t)w->crossed * w->c->sweep_step)
    w->cross[w->crossed++] = ev->time;
}

/* A person's walk is over: its rows in the totals. */
static int person_done(walk *w, size_t i) {
  const ls_bt_config *c = w->c;
  const ls_bt_person *o = w->o;
  ls_bt_result *res = w->res;
  res->mql[i - w->lo] = w->win_mql;
  if (w->win_mql) {
    res->mql_persons++;
    ls_time t = w->first_win_mql;
    res->precision_opp.n++;
    res->precision_won.n++;
    if (o->opp && within(t, c->horizon, o->opp_at)) {
      res->precision_opp.k++;
      if (ls__grow((void **)&w->days, &w->days_cap, w->ndays + 1, sizeof *w->days)) return LS_ENOMEM;
      w->days[w->ndays++] = (double)(o->opp_at.sec - t.sec) / 86400.0;
    }
    if (o->won && within(t, c->horizon, o->won_at)) res->precision_won.k++;
  }
  /* recall: an MQL at or before the outcome */
  if (o->opp && in_window(c, o->opp_at)) {
    res->recall_opp.n++;
    if (w->any_mql && ls_time_cmp(w->first_mql, o->opp_at) <= 0) res->recall_opp.k++;
    for (size_t k = 0; k < w->crossed; k++)
      if (ls_time_cmp(w->cross[k], o->opp_at) <= 0) w->sweep_rec[k]++;
  }
  if (o->won && in_window(c, o->won_at)) {
    res->recall_won.n++;
    if (w->any_mql && ls_time_cmp(w->first_mql, o->won_at) <= 0) res->recall_won.k++;
  }
  for (size_t k = 0; k < w->crossed; k++) {
    if (!in_window(c, w->cross[k])) continue;
    w->sweep_mql[k]++;
    if (o->opp && within(w->cross[k], c->horizon, o->opp_at)) w->sweep_tp[k]++;
  }
  /* ranking: identified at the cutoff, not yet an opportunity */
  if (w->cut_known && !(o->opp && ls_time_cmp(o->opp_at, c->cutoff) <= 0)) {
    w->rank_score[w->nrank] = w->cut_score;
    w->rank_label[w->nrank++] =
        o->opp && ls_time_cmp(o->opp_at, ls_time_add(c->cutoff, c->horizon)) <= 0;
  }
  if (w->pts >= 10) {
    res->inflation_base++;
    if (w->low_pts * 5 >= w->pts * 4) res->inflated++;
  }
  return LS_OK;
}

static void finish_sweep(walk *w) {
  const ls_bt_config *c = w->c;
  ls_bt_result *res = w->res;
  double weeks = (double)res->nweeks;
  res->nsweep = c->sweep_n;
  double best = -1;
  for (size_t k = 0; k < c->sweep_n; k++) {
    ls_bt_sweep_row *s = &res->sweep[k];
    s->threshold = c->sweep_from + (int64_t)k * c->sweep_step;
    s->mqls = w->sweep_mql[k];
    s->precision = (ls_bt_rate){w->sweep_tp[k], w->sweep_mql[k]};
    s->recall = (ls_bt_rate){w->sweep_rec[k], w->opp_in_window};
    double p = s->precision.n ? (double)s->precision.k / (double)s->precision.n : 0;
    double r = s->recall.n ? (double)s->recall.k / (double)s->recall.n : 0;
    s->f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
    if (c->target_per_week > 0) {
      /* the highest threshold that still gives the target volume */
      if ((double)s->mqls / weeks >= c->target_per_week) {
        res->recommended = s->threshold;
        res->has_recommended = true;
      }
    } else if (s->f1 > 0 && s->f1 >= best) { /* ties: the higher threshold */
      best = s->f1;
      res->recommended = s->threshold;
      res->has_recommended = true;
    }
  }
  if (c->target_per_week > 0 && !res->has_recommended && c->sweep_n) {
    res->recommended = c->sweep_from; /* even the lowest gives less: the lowest */
    res->has_recommended = true;
  }
}

static int check_config(const ls_replay *r, const ls_bt_config *c) {
  const ls_model *m = ls_replay_model(r);
  if (!m || c->score >= ls_model_nscores(m) || c->horizon <= 0) return LS_EINVAL;
  if (ls_time_cmp(c->from, c->to) >= 0 || c->sweep_n > LS_BT_SWEEP_MAX) return LS_EINVAL;
  if (c->sweep_n && c->sweep_step <= 0) return LS_EINVAL;
  return LS_OK;
}

struct ls_bt_part {
  walk w;
  ls_bt_result res; /* counts of persons [lo, hi) */
  size_t hi;
};

void ls_bt_part_destroy(ls_bt_part *p) {
  if (!p) return;
  free(p->w.tmp_state);
  free(p->w.rule_pts);
  free(p->w.rank_score);
  free(p->w.rank_label);
  free(p->w.days);
  ls_bt_result_free(&p->res);
  free(p);
}

static int part_walk(ls_bt_part *part, const ls_replay *r, const ls_bt_person *outcomes) {
  walk *w = &part->w;
  const ls_model *m = w->m;
  void *state = malloc(ls_fold_state_size(m));
  int rc = state ? LS_OK : LS_ENOMEM;
  ls_fold_sink sink = {w, on_ledger, on_stage, NULL};
  ls_replay_walker walker = {w, &sink, before, after};
  for (size_t i = w->lo; i < part->hi && !rc; i++) {
    w->o = &outcomes[i];
    w->opp_in_window += w->o->opp && in_window(w->c, w->o->opp_at);
    w->mql_now = w->any_mql = w->win_mql = w->cut_done = w->cut_known = false;
    w->crossed = 0;
    w->pts = w->low_pts = 0;
    rc = ls_replay_walk(r, i, state, &walker);
    if (!rc) rc = w->rc;
    if (!rc) {
      part->res.stage[i - w->lo] = ls_fold_stage(m, state);
      rc = person_done(w, i);
    }
  }
  free(state);
  return rc;
}

int ls_bt_part_run(const ls_replay *r, const ls_bt_person *outcomes, const ls_bt_config *c,
                   size_t lo, size_t hi, ls_bt_part **out) {
  *out = NULL;
  int rc = check_config(r, c);
  if (rc) return rc;
  if (lo > hi || hi > ls_replay_npersons(r)) return LS_EINVAL;
  const ls_model *m = ls_replay_model(r);
  ls_bt_part *p = calloc(1, sizeof *p);
  if (!p) return LS_ENOMEM;
  p->hi = hi;
  p->w = (walk){.m = m, .c = c, .res = &p->res, .lo = lo,
                .nrules = ls_model_nrules(m) + ls_model_nfits(m)};
  ls_bt_result *res = &p->res;
  res->nweeks = ls_bt_weeks(c->from, c->to);
  res->nstages = ls_model_nstages(m);
  size_t cap = hi - lo ? hi - lo : 1;
  p->w.tmp_state = malloc(ls_fold_state_size(m));
  p->w.rule_pts = calloc(p->w.nrules ? p->w.nrules : 1, sizeof *p->w.rule_pts);
  p->w.rank_score = malloc(cap * sizeof *p->w.rank_score);
  p->w.rank_label = malloc(cap);
  res->mql_week = calloc(res->nweeks, sizeof *res->mql_week);
  res->stage_week = calloc(res->nweeks * (res->nstages ? res->nstages : 1), sizeof *res->stage_week);
  res->stage = malloc(cap * sizeof *res->stage);
  res->mql = malloc(cap);
  if (!p->w.tmp_state || !p->w.rule_pts || !p->w.rank_score || !p->w.rank_label ||
      !res->mql_week || !res->stage_week || !res->stage || !res->mql)
    rc = LS_ENOMEM;
  if (!rc) rc = part_walk(p, r, outcomes);
  if (rc) {
    ls_bt_part_destroy(p);
    return rc;
  }
  *out = p;
  return LS_OK;
}

static void add_rate(ls_bt_rate *a, ls_bt_rate b) {
  a->k += b.k;
  a->n += b.n;
}

/* Adds part p's counts into out and into the merged walk m. */
static int merge(ls_bt_result *out, walk *m, const ls_bt_part *p) {
  const ls_bt_result *x = &p->res;
  const walk *w = &p->w;
  for (size_t k = 0; k < out->nweeks; k++) out->mql_week[k] += x->mql_week[k];
  for (size_t k = 0; k < out->nweeks * out->nstages; k++) out->stage_week[k] += x->stage_week[k];
  for (size_t g = 0; g < x->ngrade; g++)
    if (count_label(&out->by_grade, &out->ngrade, x->by_grade[g].label, x->by_grade[g].n))
      return LS_ENOMEM;
  for (size_t g = 0; g < x->ncell; g++)
    if (count_label(&out->by_cell, &out->ncell, x->by_cell[g].label, x->by_cell[g].n))
      return LS_ENOMEM;
  out->mqls += x->mqls;
  out->mql_persons += x->mql_persons;
  add_rate(&out->precision_opp, x->precision_opp);
  add_rate(&out->precision_won, x->precision_won);
  add_rate(&out->recall_opp, x->recall_opp);
  add_rate(&out->recall_won, x->recall_won);
  out->inflated += x->inflated;
  out->inflation_base += x->inflation_base;
  size_t n = p->hi - w->lo;
  if (n) {
    memcpy(out->stage + w->lo, x->stage, n * sizeof *x->stage);
    memcpy(out->mql + w->lo, x->mql, n);
  }
  for (size_t k = 0; k < m->nrules; k++) m->rule_pts[k] += w->rule_pts[k];
  for (size_t k = 0; k < LS_BT_SWEEP_MAX; k++) {
    m->sweep_mql[k] += w->sweep_mql[k];
    m->sweep_tp[k] += w->sweep_tp[k];
    m->sweep_rec[k] += w->sweep_rec[k];
  }
  m->opp_in_window += w->opp_in_window;
  if (w->nrank) {
    memcpy(m->rank_score + m->nrank, w->rank_score, w->nrank * sizeof *w->rank_score);
    memcpy(m->rank_label + m->nrank, w->rank_label, w->nrank);
    m->nrank += w->nrank;
  }
  if (ls__grow((void **)&m->days, &m->days_cap, m->ndays + w->ndays, sizeof *m->days))
    return LS_ENOMEM;
  if (w->ndays) memcpy(m->days + m->ndays, w->days, w->ndays * sizeof *w->days);
  m->ndays += w->ndays;
  return LS_OK;
}

/* The figures over every person, from the merged counts. */
static int conclude(ls_bt_result *out, walk *m) {
  finish_sweep(m);
  int64_t total = 0, top = 0;
  for (size_t k = 0; k < m->nrules; k++) {
    total += m->rule_pts[k];
    if (m->rule_pts[k] > top) top = m->rule_pts[k], out->top_rule = (int32_t)k;
  }
  out->top_rule_share = total > 0 ? (double)top / (double)total : 0;
  if (m->ndays) qsort(m->days, m->ndays, sizeof *m->days, cmp_double);
  out->median_days_to_opp = !m->ndays ? NAN
                            : m->ndays % 2 ? m->days[m->ndays / 2]
                                           : (m->days[m->ndays / 2 - 1] + m->days[m->ndays / 2]) / 2;
  uint32_t *tmp = malloc(2 * (m->nrank ? m->nrank : 1) * sizeof *tmp);
  if (!tmp) return LS_ENOMEM;
  out->rank_n = m->nrank;
  for (size_t k = 0; k < m->nrank; k++) out->rank_pos += m->rank_label[k];
  out->auc = ls_bt_auc(m->rank_score, m->rank_label, m->nrank, tmp);
  deciles(m->rank_score, m->rank_label, m->nrank, tmp, out->rank_pos, out->decile);
  roc(m->rank_score, m->rank_label, m->nrank, tmp, out->rank_pos, out);
  free(tmp);
  return LS_OK;
}

int ls_bt_finish(const ls_replay *r, const ls_bt_config *c, ls_bt_part *const *parts,
                 size_t nparts, ls_bt_result *out) {
  memset(out, 0, sizeof *out);
  int rc = check_config(r, c);
  if (rc) return rc;
  const ls_model *m = ls_replay_model(r);
  size_t np = ls_replay_npersons(r), cap = np ? np : 1, covered = 0;
  for (size_t i = 0; i < nparts; i++) covered += parts[i]->hi - parts[i]->w.lo;
  if (covered != np) return LS_EINVAL; /* the parts must cover every person once */
  out->nweeks = ls_bt_weeks(c->from, c->to);
  out->nstages = ls_model_nstages(m);
  out->npersons = np;
  out->top_rule = -1;
  out->auc = NAN;
  walk all = {.m = m, .c = c, .res = out, .nrules = ls_model_nrules(m) + ls_model_nfits(m)};
  all.rule_pts = calloc(all.nrules ? all.nrules : 1, sizeof *all.rule_pts);
  all.rank_score = malloc(cap * sizeof *all.rank_score);
  all.rank_label = malloc(cap);
  out->mql_week = calloc(out->nweeks, sizeof *out->mql_week);
  out->stage_week = calloc(out->nweeks * (out->nstages ? out->nstages : 1), sizeof *out->stage_week);
  out->stage = malloc(cap * sizeof *out->stage);
  out->mql = malloc(cap);
  if (!all.rule_pts || !all.rank_score || !all.rank_label || !out->mql_week ||
      !out->stage_week || !out->stage || !out->mql)
    rc = LS_ENOMEM;
  for (size_t i = 0; i < nparts && !rc; i++) rc = merge(out, &all, parts[i]);
  if (!rc) rc = conclude(out, &all);
  free(all.rule_pts);
  free(all.rank_score);
  free(all.rank_label);
  free(all.days);
  if (rc) ls_bt_result_free(out);
  return rc;
}

int ls_bt_run(const ls_replay *r, const ls_bt_person *outcomes, const ls_bt_config *c,
              ls_bt_result *out) {
  memset(out, 0, sizeof *out);
  ls_bt_part *p = NULL;
  int rc = ls_bt_part_run(r, outcomes, c, 0, ls_replay_npersons(r), &p);
  if (!rc) rc = ls_bt_finish(r, c, &p, 1, out);
  ls_bt_part_destroy(p);
  return rc;
}

void ls_bt_result_free(ls_bt_result *res) {
  if (!res) return;
  free(res->mql_week);
  free(res->stage_week);
  free(res->by_grade);
  free(res->by_cell);
  free(res->stage);
  free(res->mql);
  memset(res, 0, sizeof *res);
}
