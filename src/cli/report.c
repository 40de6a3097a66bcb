/* replay --report inflation: persons whose score comes mostly from one
 * small rule — the newsletter fan of the issue — found by re-folding each
 * person with a sink that sums the points each rule gave. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "leadscore/export.h"

typedef struct tally {
  const ls_model *m;
  int64_t *pts;   /* [nrules_all * nscores]: positive points per rule and score */
  int64_t *total; /* [nscores]: positive points per score */
  size_t nr, ns;
} tally;

static void on_ledger(void *ud, const ls_ledger_entry *e) {
  tally *t = ud;
  if (e->rule < 0 || e->points <= 0 || (size_t)e->rule >= t->nr) return;
  t->pts[(size_t)e->rule * t->ns + e->score] += e->points;
  t->total[e->score] += e->points;
}

/* The largest points of event rule r per firing (fit rules never count:
 * they are not events). */
static bool small_rule(const ls_model *m, size_t r) {
  return !ls_model_rule_is_fit(m, r) && ls_model_rule_points(m, r) <= 1;
}

int ls_cli_report_inflation(const ls_model *m, const ls_replay *r, FILE *out) {
  size_t nr = ls_model_nrules(m) + ls_model_nfits(m), ns = ls_model_nscores(m);
  tally t = {m, calloc(nr * ns + 1, sizeof(int64_t)), calloc(ns, sizeof(int64_t)), nr, ns};
  if (!t.pts || !t.total) {
    free(t.pts);
    free(t.total);
    return LS_ENOMEM;
  }
  ls_fold_sink sink = {&t, on_ledger, NULL, NULL};
  fputs("lead_id,score,rule,points,share\n", out);
  int rc = LS_OK;
  size_t n = ls_replay_npersons(r);
  for (size_t i = 0; i < n && !rc; i++) {
    memset(t.pts, 0, nr * ns * sizeof(int64_t));
    memset(t.total, 0, ns * sizeof(int64_t));
    if ((rc = ls_replay_explain(r, i, &sink))) break;
    for (size_t s = 0; s < ns; s++) {
      if (t.total[s] <= 0) continue;
      size_t best = 0;
      for (size_t k = 1; k < nr; k++)
        if (t.pts[k * ns + s] > t.pts[best * ns + s]) best = k;
      int64_t p = t.pts[best * ns + s];
      /* 80 % or more, from 10 firings up: one page view is not inflation */
      if (p < 10 || p * 5 < t.total[s] * 4 || !small_rule(m, best)) continue;
      ls_person_row row = ls_replay_person(r, i);
      ls_buf b = {0};
      rc = ls_csv_field(&b, row.lead_id.p, row.lead_id.n);
      if (!rc)
        rc = ls_buf_appendf(&b, ",%s,%s,%" PRId64 ",%.1f%%\n", ls_model_score_name(m, s),
                            ls_model_rule_id(m, best), p, 100.0 * (double)p / (double)t.total[s]);
      if (!rc && fwrite(b.p, 1, b.len, out) != b.len) rc = LS_EIO;
      ls_buf_free(&b);
    }
  }
  free(t.pts);
  free(t.total);
  return rc;
}
