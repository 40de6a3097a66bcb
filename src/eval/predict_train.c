/* The predictive score's learning (leadscore/predict.h): ridge logistic
 * regression by Newton's method on standardized features. */
#include "leadscore/predict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

ls_pred_train_opts ls_pred_train_defaults(void) {
  return (ls_pred_train_opts){1e-3, 50};
}

void ls_pred_weights_free(ls_pred_weights *w) {
  if (!w) return;
  for (size_t j = 0; w->name && j < w->n; j++) free(w->name[j]);
  free(w->name);
  free(w->mean);
  free(w->scale);
  free(w->weight);
  memset(w, 0, sizeof *w);
}

/* ---- training rows ---- */

struct ls_pred_data {
  size_t d, n, rows_cap, y_cap;
  uint64_t pos;
  size_t *start; /* [n + 1]: row i's nonzeros are [start[i], start[i + 1]) */
  uint8_t *y;
  uint32_t *col;
  float *val;
  size_t nnz, col_cap; /* val has col's capacity */
};

int ls_pred_data_new(size_t d, ls_pred_data **out) {
  *out = NULL;
  ls_pred_data *data = calloc(1, sizeof *data);
  if (!data || ls__grow((void **)&data->start, &data->rows_cap, 1, sizeof *data->start)) {
    free(data);
    return LS_ENOMEM;
  }
  data->d = d;
  *out = data;
  return LS_OK;
}

void ls_pred_data_destroy(ls_pred_data *data) {
  if (!data) return;
  free(data->start);
  free(data->y);
  free(data->col);
  free(data->val);
  free(data);
}

size_t ls_pred_data_rows(const ls_pred_data *data) { return data->n; }
uint64_t ls_pred_data_positives(const ls_pred_data *data) { return data->pos; }
bool ls_pred_data_label(const ls_pred_data *data, size_t i) { return data->y[i] != 0; }

/* Room for one more row of up to `nz` nonzeros. */
static int reserve(ls_pred_data *data, size_t nz) {
  if (ls__grow((void **)&data->start, &data->rows_cap, data->n + 2, sizeof *data->start) ||
      ls__grow((void **)&data->y, &data->y_cap, data->n + 1, sizeof *data->y))
    return LS_ENOMEM;
  size_t vcap = data->col_cap;
  if (ls__grow((void **)&data->col, &data->col_cap, data->nnz + nz, sizeof *data->col) ||
      ls__grow((void **)&data->val, &vcap, data->col_cap, sizeof *data->val))
    return LS_ENOMEM;
  return LS_OK;
}

int ls_pred_data_add(ls_pred_data *data, const float *x, bool label) {
  size_t nz = 0;
  for (size_t j = 0; j < data->d; j++) nz += x[j] != 0;
  if (reserve(data, nz)) return LS_ENOMEM;
  for (size_t j = 0; j < data->d; j++)
    if (x[j] != 0) {
      data->col[data->nnz] = (uint32_t)j;
      data->val[data->nnz++] = x[j];
    }
  data->y[data->n++] = label;
  data->start[data->n] = data->nnz;
  data->pos += label;
  return LS_OK;
}

int ls_pred_data_append(ls_pred_data *dst, const ls_pred_data *src) {
  if (dst->d != src->d) return LS_EINVAL;
  for (size_t i = 0; i < src->n; i++) {
    size_t a = src->start[i], b = src->start[i + 1];
    if (reserve(dst, b - a)) return LS_ENOMEM;
    memcpy(dst->col + dst->nnz, src->col + a, (b - a) * sizeof *dst->col);
    memcpy(dst->val + dst->nnz, src->val + a, (b - a) * sizeof *dst->val);
    dst->nnz += b - a;
    dst->y[dst->n++] = src->y[i];
    dst->start[dst->n] = dst->nnz;
  }
  dst->pos += src->pos;
  return LS_OK;
}

/* ---- Newton's method ----
 * In standardized coordinates z_j = (x_j - mean_j) / sd_j the rows are
 * dense, but x is sparse: every sum over z is taken over x's nonzeros and
 * corrected for the centering, so a step costs the nonzeros squared, not
 * the columns squared. beta[0] is the intercept, beta[1..a] the active
 * columns' weights (position q of the active columns is data column col[q]). */

typedef struct fit {
  const ls_pred_data *data;
  size_t a;          /* active (varying) columns */
  int32_t *act;      /* [d]: position among the active (1-based), 0 when constant */
  double *mean, *sd; /* [d] */
  double lambda;
  double *coef;      /* [d]: beta_j / sd_j (0 when inactive) */
  size_t *cnt;       /* [d]: nonzeros per column */
  double *mu, *sig;  /* [a + 1]: mean and sd by active position */
  double *g, *G, *U, *delta, *trial; /* [a + 1] each */
  double *h, *l;     /* [(a + 1)^2]: the Hessian (upper triangle), its factor */
  size_t *nzq;       /* per row scratch: active positions of the nonzeros */
  double *nzv;
} fit;

/* log(1 + e^eta) without overflow */
static double softplus(double eta) {
  return eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta));
}

static double row_eta(const fit *F, size_t i, double c) {
  const ls_pred_data *D = F->data;
  double eta = c;
  for (size_t k = D->start[i]; k < D->start[i + 1]; k++) eta += F->coef[D->col[k]] * D->val[k];
  return eta;
}

/* coef for beta; returns the constant term of the log-odds */
static double prepare(fit *F, const double *beta) {
  double c = beta[0];
  for (size_t j = 0; j < F->data->d; j++) {
    F->coef[j] = F->act[j] ? beta[F->act[j]] / F->sd[j] : 0;
    c -= F->coef[j] * F->mean[j];
  }
  return c;
}

/* The penalized mean log-loss. */
static double loss(fit *F, const double *beta) {
  const ls_pred_data *D = F->data;
  double c = prepare(F, beta), sum = 0, pen = 0;
  for (size_t i = 0; i < D->n; i++) {
    double eta = row_eta(F, i, c);
    sum += softplus(eta) - (D->y[i] ? eta : 0);
  }
  for (size_t q = 1; q <= F->a; q++) pen += beta[q] * beta[q];
  return sum / (double)D->n + F->lambda / 2 * pen;
}

/* The gradient g and the Hessian h (upper triangle) at beta. */
static void derivatives(fit *F, const double *beta) {
  const ls_pred_data *D = F->data;
  size_t a = F->a, a1 = a + 1;
  double c = prepare(F, beta);
  /* raw sums: R = sum r, W = sum w, G = sum r x, U = sum w x, h = sum w x x' */
  double R = 0, W = 0;
  memset(F->G, 0, a1 * sizeof *F->G);
  memset(F->U, 0, a1 * sizeof *F->U);
  memset(F->h, 0, a1 * a1 * sizeof *F->h);
  for (size_t i = 0; i < D->n; i++) {
    double eta = row_eta(F, i, c);
    double p = 1 / (1 + exp(-eta)), r = p - (D->y[i] ? 1 : 0), w = p * (1 - p);
    R += r, W += w;
    size_t m = 0;
    for (size_t k = D->start[i]; k < D->start[i + 1]; k++) {
      int32_t q = F->act[D->col[k]];
      if (!q) continue;
      F->nzq[m] = (size_t)q;
      F->nzv[m++] = D->val[k];
      F->G[q] += r * D->val[k];
      F->U[q] += w * D->val[k];
    }
    for (size_t s = 0; s < m; s++) { /* columns ascend within a row: t ≥ s is q_t ≥ q_s */
      double ws = w * F->nzv[s];
      double *row = F->h + F->nzq[s] * a1;
      for (size_t t = s; t < m; t++) row[F->nzq[t]] += ws * F->nzv[t];
    }
  }
  /* centre and scale */
  double n = (double)D->n;
  const double *mu = F->mu, *sd = F->sig;
  F->g[0] = R / n;
  F->h[0] = W / n;
  for (size_t q = 1; q <= a; q++) {
    F->g[q] = (F->G[q] - mu[q] * R) / (sd[q] * n) + F->lambda * beta[q];
    F->h[q] = (F->U[q] - mu[q] * W) / (sd[q] * n);
    for (size_t t = q; t <= a; t++) {
      double v = F->h[q * a1 + t] - mu[q] * F->U[t] - mu[t] * F->U[q] + mu[q] * mu[t] * W;
      F->h[q * a1 + t] = v / (sd[q] * sd[t] * n) + (q == t ? F->lambda : 0);
    }
  }
}

/* l = the Cholesky factor (lower) of h + jitter I (h: its upper triangle). */
static bool cholesky(const double *h, double jitter, double *l, size_t n) {
  for (size_t j = 0; j < n; j++) {
    double s = h[j * n + j] + jitter;
    for (size_t k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    if (!(s > 0)) return false;
    l[j * n + j] = sqrt(s);
    for (size_t i = j + 1; i < n; i++) {
      double t = h[j * n + i];
      for (size_t k = 0; k < j; k++) t -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = t / l[j * n + j];
    }
  }
  return true;
}

/* x = h^-1 g, adding to h's diagonal until it factors (collinear columns
 * without a penalty). */
static bool solve(const double *h, const double *g, double *l, double *x, size_t n) {
  double scale = 0, jitter = 0;
  for (size_t i = 0; i < n; i++) scale += fabs(h[i * n + i]);
  scale = scale > 0 ? scale / (double)n : 1;
  for (int attempt = 0; attempt < 16; attempt++) {
    if (cholesky(h, jitter, l, n)) {
      for (size_t i = 0; i < n; i++) { /* L y = g */
        double s = g[i];
        for (size_t k = 0; k < i; k++) s -= l[i * n + k] * x[k];
        x[i] = s / l[i * n + i];
      }
      for (size_t i = n; i-- > 0;) { /* L' x = y */
        double s = x[i];
        for (size_t k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
        x[i] = s / l[i * n + i];
      }
      return true;
    }
    jitter = jitter ? jitter * 10 : 1e-12 * scale;
  }
  return false;
}

/* Means and standard deviations (two passes over the nonzeros; the zeros
 * of a column count too), and which columns vary. */
static void moments(fit *F) {
  const ls_pred_data *D = F->data;
  size_t d = D->d, *nz = F->cnt;
  memset(F->mean, 0, d * sizeof *F->mean);
  memset(F->sd, 0, d * sizeof *F->sd);
  memset(nz, 0, d * sizeof *nz);
  for (size_t k = 0; k < D->nnz; k++) F->mean[D->col[k]] += D->val[k], nz[D->col[k]]++;
  for (size_t j = 0; j < d; j++) F->mean[j] /= (double)D->n;
  for (size_t k = 0; k < D->nnz; k++) {
    double e = D->val[k] - F->mean[D->col[k]];
    F->sd[D->col[k]] += e * e;
  }
  F->a = 0;
  for (size_t j = 0; j < d; j++) {
    double var = (F->sd[j] + (double)(D->n - nz[j]) * F->mean[j] * F->mean[j]) / (double)D->n;
    F->sd[j] = sqrt(var);
    bool varies = F->sd[j] > 1e-9 * (1 + fabs(F->mean[j]));
    F->act[j] = varies ? (int32_t)++F->a : 0;
    if (!varies) F->sd[j] = 1;
  }
}

typedef struct ranked {
  double key;
  size_t j;
} ranked;

static int by_weight(const void *x, const void *y) { /* falling |weight|, then column */
  const ranked *a = x, *b = y;
  if (a->key != b->key) return a->key < b->key ? 1 : -1;
  return (a->j > b->j) - (a->j < b->j);
}

/* The weights of beta, features by falling |weight|. */
static int conclude(const fit *F, const double *beta, const char *const *names,
                    ls_pred_weights *out) {
  size_t d = F->data->d;
  ranked *order = malloc((d ? d : 1) * sizeof *order);
  out->name = calloc(d ? d : 1, sizeof *out->name);
  out->mean = malloc((d ? d : 1) * sizeof *out->mean);
  out->scale = malloc((d ? d : 1) * sizeof *out->scale);
  out->weight = malloc((d ? d : 1) * sizeof *out->weight);
  int rc = order && out->name && out->mean && out->scale && out->weight ? LS_OK : LS_ENOMEM;
  for (size_t j = 0; j < d && !rc; j++)
    order[j] = (ranked){F->act[j] ? fabs(beta[F->act[j]]) : 0, j};
  if (!rc) qsort(order, d, sizeof *order, by_weight);
  for (size_t k = 0; k < d && !rc; k++) {
    size_t j = order[k].j;
    out->name[k] = strdup(names[j]);
    if (!out->name[k]) rc = LS_ENOMEM;
    out->n = k + 1;
    out->mean[k] = F->mean[j];
    out->scale[k] = F->sd[j];
    out->weight[k] = F->act[j] ? beta[F->act[j]] : 0;
  }
  out->intercept = beta[0];
  free(order);
  return rc;
}

static void fit_free(fit *F, double *beta) {
  free(F->act), free(F->mean), free(F->sd), free(F->coef), free(F->cnt), free(F->nzq);
  free(F->nzv), free(F->mu), free(F->sig), free(F->g), free(F->G), free(F->U);
  free(F->delta), free(F->trial), free(F->h), free(F->l), free(beta);
}

/* The per-column arrays, the moments, then the per-active ones (and beta,
 * a1 of them, owned by the caller). */
static int fit_alloc(fit *F, double **beta) {
  size_t d = F->data->d ? F->data->d : 1;
  F->act = calloc(d, sizeof *F->act);
  F->mean = malloc(d * sizeof *F->mean);
  F->sd = malloc(d * sizeof *F->sd);
  F->coef = malloc(d * sizeof *F->coef);
  F->cnt = malloc(d * sizeof *F->cnt);
  F->nzq = malloc(d * sizeof *F->nzq);
  F->nzv = malloc(d * sizeof *F->nzv);
  if (!F->act || !F->mean || !F->sd || !F->coef || !F->cnt || !F->nzq || !F->nzv)
    return LS_ENOMEM;
  moments(F);
  size_t a1 = F->a + 1;
  double **v[] = {&F->mu, &F->sig, &F->g, &F->G, &F->U, &F->delta, &F->trial, beta};
  for (size_t k = 0; k < sizeof v / sizeof *v; k++)
    if (!(*v[k] = calloc(a1, sizeof **v[k]))) return LS_ENOMEM;
  if (!(F->h = malloc(a1 * a1 * sizeof *F->h)) || !(F->l = malloc(a1 * a1 * sizeof *F->l)))
    return LS_ENOMEM;
  for (size_t j = 0; j < F->data->d; j++)
    if (F->act[j]) F->mu[F->act[j]] = F->mean[j], F->sig[F->act[j]] = F->sd[j];
  return LS_OK;
}

/* Newton steps from the base rate until converged or max_iter; returns
 * the steps taken. */
static unsigned newton(fit *F, double *beta, unsigned max_iter) {
  const ls_pred_data *D = F->data;
  size_t a1 = F->a + 1;
  unsigned steps = 0;
  beta[0] = log((double)D->pos / (double)(D->n - D->pos));
  double f = loss(F, beta);
  while (steps < max_iter) {
    derivatives(F, beta);
    if (!solve(F->h, F->g, F->l, F->delta, a1)) break;
    double dec = 0; /* the Newton decrement, squared */
    for (size_t q = 0; q < a1; q++) dec += F->g[q] * F->delta[q];
    if (!(dec > 1e-18)) break; /* converged */
    double t = 1, fn = f;
    for (; t > 1e-10; t /= 2) { /* backtracking (Armijo) */
      for (size_t q = 0; q < a1; q++) F->trial[q] = beta[q] - t * F->delta[q];
      fn = loss(F, F->trial);
      if (fn <= f - 1e-4 * t * dec) break;
    }
    if (!(fn < f)) break; /* rounding: no step improves */
    memcpy(beta, F->trial, a1 * sizeof *beta);
    f = fn;
    steps++;
  }
  return steps;
}

int ls_pred_train(const ls_pred_data *D, const char *const *names,
                  const ls_pred_train_opts *o, ls_pred_weights *out) {
  memset(out, 0, sizeof *out);
  ls_pred_train_opts def = ls_pred_train_defaults();
  if (!o) o = &def;
  if (!D->n || !D->pos || D->pos == D->n || !(o->lambda >= 0)) return LS_EINVAL;
  fit F = {.data = D, .lambda = o->lambda};
  double *beta = NULL;
  int rc = fit_alloc(&F, &beta);
  unsigned steps = rc ? 0 : newton(&F, beta, o->max_iter);
  if (!rc) rc = conclude(&F, beta, names, out);
  fit_free(&F, beta);
  if (rc) {
    ls_pred_weights_free(out);
    return rc;
  }
  out->lambda = o->lambda;
  out->iterations = steps;
  out->examples = D->n;
  out->positives = D->pos;
  return LS_OK;
}

/* ---- scoring ---- */

int ls_pred_bind(const ls_pred_features *f, const ls_pred_weights *w, size_t *idx, size_t *bad) {
  for (size_t j = 0; j < w->n; j++) {
    long c = ls_pred_feature_find(f, w->name[j], strlen(w->name[j]));
    if (c < 0) {
      if (bad) *bad = j;
      return LS_EINVAL;
    }
    idx[j] = (size_t)c;
  }
  return LS_OK;
}

double ls_pred_logit(const ls_pred_weights *w, const size_t *idx, const float *x) {
  double eta = w->intercept;
  for (size_t j = 0; j < w->n; j++)
    eta += w->weight[j] * ((double)x[idx ? idx[j] : j] - w->mean[j]) / w->scale[j];
  return eta;
}

double ls_pred_prob(const ls_pred_weights *w, const size_t *idx, const float *x) {
  return 1 / (1 + exp(-ls_pred_logit(w, idx, x)));
}

int ls_pred_data_logits(const ls_pred_data *D, const ls_pred_weights *w, const size_t *idx,
                        double *out) {
  double *coef = calloc(D->d ? D->d : 1, sizeof *coef), c = w->intercept;
  if (!coef) return LS_ENOMEM;
  for (size_t j = 0; j < w->n; j++) {
    size_t col = idx ? idx[j] : j;
    if (col >= D->d) continue;
    coef[col] += w->weight[j] / w->scale[j];
    c -= w->weight[j] * w->mean[j] / w->scale[j];
  }
  for (size_t i = 0; i < D->n; i++) {
    double eta = c;
    for (size_t k = D->start[i]; k < D->start[i + 1]; k++) eta += coef[D->col[k]] * D->val[k];
    out[i] = eta;
  }
  free(coef);
  return LS_OK;
}
