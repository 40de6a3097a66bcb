/* leadscore backtest: candidate models replayed over the same history,
 * measured against the sales outcomes the history records, side by side. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/backtest_report.h"
#include "cli/run.h"
#include "core/grow.h"
#include "leadscore/event.h"
#include "leadscore/store.h"

static const char usage[] =
    "usage: leadscore backtest --model FILE [--model FILE ...] [--from T] [--to T]\n"
    "                          [--horizon D] [--cutoff T] [--score NAME]\n"
    "                          [--target-mql-per-week N] [--sweep FROM:STEP:COUNT]\n"
    "                          [--format text|json] [--html FILE] [--out FILE]\n"
    "                          [--predictive [--weights FILE]] (EVENTS... | --db FILE)\n"
    "\n"
    "Replays the event files under each model and measures it against the sales\n"
    "outcomes in the same history (sales_disposition opportunity, opportunity_closed\n"
    "won/lost), whatever stage the model had the person in: MQLs per week and per\n"
    "stage, grade and cell; precision and recall of MQLs for opportunity and won\n"
    "within the horizon; ROC AUC and lift by decile of the score at the cutoff;\n"
    "a threshold sweep with a recommended threshold; inflation diagnostics; and\n"
    "the persons whose stage or MQL differs from the first model's.\n"
    "\n"
    "  --model FILE      a candidate model (YAML); give two or more to compare\n"
    "  --from T, --to T  the window [T1, T2) (default: the history's first event,\n"
    "                    just after its last)\n"
    "  --horizon D       how soon after an MQL an outcome counts (default 90d;\n"
    "                    units s, m, h, d, w)\n"
    "  --cutoff T        when scores are ranked (default: --to minus the horizon,\n"
    "                    or the middle of the window when that is before --from)\n"
    "  --score NAME      the score ranked and swept (default: the model's first)\n"
    "  --target-mql-per-week N\n"
    "                    recommend the highest threshold giving at least N MQLs a\n"
    "                    week (default: the threshold with the best F1)\n"
    "  --sweep FROM:STEP:COUNT\n"
    "                    the thresholds swept (default 10:5:40, at most 64)\n"
    "  --format F        text (default) or json, on standard output or --out\n"
    "  --html FILE       also write a self-contained HTML report with charts\n"
    "  --out FILE        write the text or JSON there instead of standard output\n"
    "  --db FILE         use a store's history instead of event files\n"
    "  --predictive      also learn a predictive score (logistic regression on the\n"
    "                    first model's rule counts, fit, scores, stage and recency)\n"
    "                    from persons at the cutoff minus the horizon and outcomes\n"
    "                    up to the cutoff, and report its AUC at the cutoff and its\n"
    "                    top features\n"
    "  --weights FILE    write the learned weights there (YAML), for\n"
    "                    leadscore replay --predictive FILE\n"
    "\n"
    "Rates come with their counts; those over fewer than 30 cases are marked.\n"
    "Exit status: 0 ok, 2 usage or model error, 3 I/O error, 4 internal error.\n";

typedef struct bt_opts {
  const char *models[16];
  int nmodels;
  bool has_from, has_to, has_cutoff;
  ls_time from, to, cutoff;
  int64_t horizon;
  const char *score, *format, *html, *out, *db, *weights;
  bool predictive;
  double target;
  int64_t sweep_from, sweep_step;
  long sweep_n;
  int first_file;
} bt_opts;

static int parse_opts(int argc, char **argv, bt_opts *o) {
  memset(o, 0, sizeof *o);
  o->horizon = 90 * 86400;
  o->sweep_from = 10, o->sweep_step = 5, o->sweep_n = 40;
  o->format = "text";
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage, stdout);
      return LS_EXIT_OK;
    }
    if (a[0] != '-' || !strcmp(a, "-")) break;
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (!strcmp(a, "--predictive")) {
      o->predictive = true;
      continue;
    }
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      ls_cli_error("%s needs a value (see leadscore backtest --help)", a);
      return LS_EXIT_USAGE;
    }
    i++;
    bool ok = true;
    if (!strcmp(a, "--model")) {
      if (o->nmodels == (int)(sizeof o->models / sizeof *o->models)) {
        ls_cli_error("at most 16 models");
        return LS_EXIT_USAGE;
      }
      o->models[o->nmodels++] = v;
    } else if (!strcmp(a, "--from")) {
      ok = o->has_from = ls_cli_parse_time(a, v, &o->from);
    } else if (!strcmp(a, "--to")) {
      ok = o->has_to = ls_cli_parse_time(a, v, &o->to);
    } else if (!strcmp(a, "--cutoff")) {
      ok = o->has_cutoff = ls_cli_parse_time(a, v, &o->cutoff);
    } else if (!strcmp(a, "--horizon")) {
      if (!ls_duration_parse(v, strlen(v), &o->horizon) || o->horizon <= 0) {
        ls_cli_error("--horizon: expected a duration like 90d, 12w or 36h, got \"%s\"", v);
        ok = false;
      }
    } else if (!strcmp(a, "--score")) {
      o->score = v;
    } else if (!strcmp(a, "--target-mql-per-week")) {
      char *end;
      o->target = strtod(v, &end);
      if (*end || !(o->target > 0) || !isfinite(o->target)) {
        ls_cli_error("--target-mql-per-week: expected a positive number, got \"%s\"", v);
        ok = false;
      }
    } else if (!strcmp(a, "--sweep")) {
      long long f, s;
      long n;
      int used = 0;
      if (sscanf(v, "%lld:%lld:%ld%n", &f, &s, &n, &used) != 3 || v[used] || s <= 0 || n < 1 ||
          n > LS_BT_SWEEP_MAX) {
        ls_cli_error("--sweep: expected FROM:STEP:COUNT (STEP > 0, COUNT 1..%d), got \"%s\"",
                     LS_BT_SWEEP_MAX, v);
        ok = false;
      } else {
        o->sweep_from = f, o->sweep_step = s, o->sweep_n = n;
      }
    } else if (!strcmp(a, "--format")) {
      o->format = v;
      if (strcmp(v, "text") && strcmp(v, "json")) {
        ls_cli_error("--format must be text or json, not \"%s\"", v);
        ok = false;
      }
    } else if (!strcmp(a, "--html")) {
      o->html = v;
    } else if (!strcmp(a, "--out")) {
      o->out = v;
    } else if (!strcmp(a, "--db")) {
      o->db = v;
    } else if (!strcmp(a, "--weights")) {
      o->weights = v;
    } else {
      ls_cli_error("unknown option %s (see leadscore backtest --help)", a);
      return LS_EXIT_USAGE;
    }
    if (!ok) return LS_EXIT_USAGE;
  }
  o->first_file = i;
  if (!o->nmodels) {
    ls_cli_error("backtest needs --model FILE (see leadscore backtest --help)");
    return LS_EXIT_USAGE;
  }
  if (o->weights && !o->predictive) {
    ls_cli_error("--weights FILE needs --predictive");
    return LS_EXIT_USAGE;
  }
  if (o->db && i < argc) {
    ls_cli_error("give event files or --db FILE, not both");
    return LS_EXIT_USAGE;
  }
  if (!o->db && i >= argc) {
    ls_cli_error("backtest needs event files or --db FILE (standard input cannot be read twice)");
    return LS_EXIT_USAGE;
  }
  for (int k = i; k < argc; k++)
    if (!strcmp(argv[k], "-")) {
      ls_cli_error("backtest reads its event files twice: give files, not \"-\"");
      return LS_EXIT_USAGE;
    }
  return -1;
}

/* ---- the outcomes of the history ---- */

typedef struct outcome {
  ls_time at;
  int kind;
  uint32_t off, len; /* the identity ("lead:…", "email:…", "anon:…") in text */
} outcome;

typedef struct outcomes {
  outcome *v;
  size_t n, cap;
  char *text;
  size_t text_len, text_cap;
} outcomes;

static int add_outcome(outcomes *o, const ls_event_fields *f, int kind) {
  const char *pre = f->lead.n ? "lead:" : f->email.n ? "email:" : "anon:";
  ls_slice id = f->lead.n ? f->lead : f->email.n ? f->email : f->anon;
  if (!id.n) return LS_OK; /* a sales event without anyone: nobody's outcome */
  size_t pn = strlen(pre), need = o->text_len + pn + id.n;
  if (ls__grow((void **)&o->text, &o->text_cap, need, 1) ||
      ls__grow((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v))
    return LS_ENOMEM;
  o->v[o->n++] = (outcome){f->time, kind, (uint32_t)o->text_len, (uint32_t)(pn + id.n)};
  memcpy(o->text + o->text_len, pre, pn);
  memcpy(o->text + o->text_len + pn, id.p, id.n);
  o->text_len = need;
  return LS_OK;
}

/* The lines of `p[0..n)` that mention a sales event type, parsed. */
static int scan(ls_event_parser *ep, const char *p, size_t n, outcomes *o) {
  static const char *const needles[2] = {"\"sales_disposition\"", "\"opportunity_closed\""};
  for (int k = 0; k < 2; k++) {
    size_t nl = strlen(needles[k]);
    const char *at = p, *end = p + n;
    while (at < end && (at = memmem(at, (size_t)(end - at), needles[k], nl))) {
      const char *b = at, *e = at;
      while (b > p && b[-1] != '\n') b--;
      while (e < end && *e != '\n') e++;
      ls_event_fields f;
      if (ls_event_parse(ep, b, (size_t)(e - b), &f) == LS_LINE_EVENT) {
        ls_slice outcome = f.props[0].kind == LS_J_STRING ? f.props[0].s : (ls_slice){"", 0};
        int kind = ls_bt_classify(f.type, outcome);
        if (kind && add_outcome(o, &f, kind)) return LS_ENOMEM;
      }
      at = e;
    }
  }
  return LS_OK;
}

static const ls_slice outcome_key[1] = {{"outcome", 7}};
static const ls_event_schema outcome_schema = {outcome_key, 1, NULL, 0};

typedef struct line_scan {
  ls_event_parser *ep;
  outcomes *o;
} line_scan;

static int on_stored_line(void *ud, ls_slice line) {
  line_scan *l = ud;
  return scan(l->ep, line.p, line.n, l->o);
}

/* The outcomes of a store's history; LS_EXIT_* */
static int read_stored_outcomes(ls_store *st, outcomes *o) {
  line_scan l = {ls_event_parser_new(&outcome_schema), o};
  int rc = l.ep ? ls_store_event_lines(st, on_stored_line, &l) : LS_ENOMEM;
  ls_event_parser_destroy(l.ep);
  if (rc) ls_cli_error("cannot read the store's events: %s", ls_strerror(rc));
  return rc == LS_ENOMEM ? LS_EXIT_INTERNAL : rc ? LS_EXIT_IO : LS_EXIT_OK;
}

static int read_outcomes(char **files, int nfiles, outcomes *o) {
  ls_event_parser *ep = ls_event_parser_new(&outcome_schema);
  if (!ep) return LS_EXIT_INTERNAL;
  int code = LS_EXIT_OK;
  for (int i = 0; i < nfiles && !code; i++) {
    int fd = open(files[i], O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
      ls_cli_error("cannot read %s: %s", files[i], strerror(errno));
      code = LS_EXIT_IO;
    } else if (sb.st_size > 0) {
      void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (map == MAP_FAILED) {
        ls_cli_error("cannot read %s: %s", files[i], strerror(errno));
        code = LS_EXIT_IO;
      } else {
        if (scan(ep, map, (size_t)sb.st_size, o)) code = LS_EXIT_INTERNAL;
        munmap(map, (size_t)sb.st_size);
      }
    }
    if (fd >= 0) close(fd);
  }
  ls_event_parser_destroy(ep);
  return code;
}

/* Each replay's persons (lead_id order) with their outcomes. */
static ls_bt_person *map_outcomes(const outcomes *o, const ls_replay *r) {
  size_t np = ls_replay_npersons(r);
  ls_bt_person *v = calloc(np ? np : 1, sizeof *v);
  for (size_t i = 0; v && i < o->n; i++) {
    long p = ls_replay_find(r, (ls_slice){o->text + o->v[i].off, o->v[i].len});
    if (p >= 0) ls_bt_person_add(&v[p], o->v[i].kind, o->v[i].at);
  }
  return v;
}

/* ---- comparing two models ---- */

static void example(ls_bt_example *v, size_t *n, ls_slice lead, const char *a, const char *b) {
  if (*n >= LS_BT_EXAMPLES) return;
  ls_bt_example *x = &v[(*n)++];
  snprintf(x->lead_id, sizeof x->lead_id, "%.*s", (int)lead.n, lead.p);
  snprintf(x->stage_a, sizeof x->stage_a, "%s", a);
  snprintf(x->stage_b, sizeof x->stage_b, "%s", b);
}

static int cmp_slice(ls_slice a, ls_slice b) {
  size_t n = a.n < b.n ? a.n : b.n;
  int d = n ? memcmp(a.p, b.p, n) : 0;
  return d ? d : (a.n > b.n) - (a.n < b.n);
}

static void diff(const ls_cli_result *ra, const ls_bt_result *a, const ls_cli_result *rb,
                 const ls_bt_result *b, ls_bt_diff *d) {
  size_t i = 0, j = 0, na = a->npersons, nb = b->npersons;
  while (i < na && j < nb) {
    ls_person_row pa = ls_replay_person(ra->replay, i), pb = ls_replay_person(rb->replay, j);
    int c = cmp_slice(pa.lead_id, pb.lead_id);
    if (c) {
      c < 0 ? i++ : j++;
      continue;
    }
    const char *sa = ls_model_stage_name(ra->model, a->stage[i]);
    const char *sb = ls_model_stage_name(rb->model, b->stage[j]);
    d->compared++;
    if (strcmp(sa, sb)) d->stage_differs++, example(d->stage_ex, &d->nstage_ex, pa.lead_id, sa, sb);
    if (a->mql[i] && !b->mql[j])
      d->mql_only_a++, example(d->only_a_ex, &d->nonly_a_ex, pa.lead_id, sa, sb);
    if (!a->mql[i] && b->mql[j])
      d->mql_only_b++, example(d->only_b_ex, &d->nonly_b_ex, pa.lead_id, sa, sb);
    i++, j++;
  }
}

/* ---- the command ---- */

/* Defaults of the window and the cutoff, from the first replay's history. */
static void window(const bt_opts *o, const ls_replay *r, ls_bt_config *c) {
  ls_time first = {0, 0}, last = ls_replay_as_of(r);
  ls_replay_time_span(r, &first, NULL);
  c->from = o->has_from ? o->from : first;
  c->to = o->has_to ? o->to : (ls_time){last.sec + 1, 0};
  if (o->has_cutoff) {
    c->cutoff = o->cutoff;
  } else {
    c->cutoff = ls_time_add(c->to, -o->horizon);
    if (ls_time_cmp(c->cutoff, c->from) < 0)
      c->cutoff = (ls_time){c->from.sec + (c->to.sec - c->from.sec) / 2, 0};
  }
}

static int write_reports(const bt_opts *o, const ls_bt_report *rep) {
  FILE *out = o->out ? fopen(o->out, "wb") : stdout;
  if (!out) {
    ls_cli_error("cannot write %s: %s", o->out, strerror(errno));
    return LS_EXIT_IO;
  }
  int rc = !strcmp(o->format, "json") ? ls_bt_write_json(rep, out) : ls_bt_write_text(rep, out);
  if (fflush(out) != 0) rc = LS_EIO;
  if (out != stdout && fclose(out) != 0) rc = LS_EIO;
  if (rc) {
    ls_cli_error("cannot write %s", o->out ? o->out : "standard output");
    return LS_EXIT_IO;
  }
  if (!o->html) return LS_EXIT_OK;
  FILE *h = fopen(o->html, "wb");
  rc = h ? ls_bt_write_html(rep, h) : LS_EIO;
  if (h && fclose(h) != 0) rc = LS_EIO;
  if (rc) {
    ls_cli_error("cannot write %s: %s", o->html, strerror(errno));
    return LS_EXIT_IO;
  }
  return LS_EXIT_OK;
}

typedef struct bt_job {
  const ls_replay *r;
  const ls_bt_person *o;
  const ls_bt_config *c;
  size_t lo, hi;
  ls_bt_part *part;
  int rc;
} bt_job;

static void *bt_thread(void *arg) {
  bt_job *j = arg;
  j->rc = ls_bt_part_run(j->r, j->o, j->c, j->lo, j->hi, &j->part);
  return NULL;
}

/* The walk over the persons in two halves on two threads, then the sums. */
static int evaluate(const ls_replay *r, const ls_bt_person *o, const ls_bt_config *c,
                    ls_bt_result *out) {
  size_t np = ls_replay_npersons(r);
  bt_job jobs[2] = {{r, o, c, 0, np / 2, NULL, 0}, {r, o, c, np / 2, np, NULL, 0}};
  ls_cli_two_halves(np, bt_thread, &jobs[0], &jobs[1]);
  int rc = jobs[0].rc ? jobs[0].rc : jobs[1].rc;
  ls_bt_part *parts[2] = {jobs[0].part, jobs[1].part};
  if (!rc) rc = ls_bt_finish(r, c, parts, 2, out);
  ls_bt_part_destroy(jobs[0].part);
  ls_bt_part_destroy(jobs[1].part);
  return rc;
}

/* A store's history replayed under a candidate model; LS_EXIT_* */
static int run_stored(ls_store *st, const char *path, ls_cli_result *res) {
  int code = LS_EXIT_OK;
  if (!(res->model = ls_cli_load_model(path, &code))) return code;
  int rc = ls_store_replay(st, res->model, NULL, &res->replay);
  if (rc) ls_cli_error("cannot replay the store's events: %s", ls_strerror(rc));
  return rc == LS_ENOMEM ? LS_EXIT_INTERNAL : rc ? LS_EXIT_IO : LS_EXIT_OK;
}

int ls_cmd_backtest(int argc, char **argv) {
  bt_opts o;
  int code = parse_opts(argc, argv, &o);
  if (code >= 0) return code;
  char **files = argv + o.first_file;
  int nfiles = argc - o.first_file;
  outcomes oc = {0};
  ls_cli_result runs[16];
  ls_bt_result res[16];
  ls_bt_person *per[16] = {0};
  ls_bt_model_report mr[16];
  ls_bt_diff diffs[16];
  memset(runs, 0, sizeof runs);
  memset(res, 0, sizeof res);
  memset(diffs, 0, sizeof diffs);
  ls_bt_config c = {.horizon = o.horizon, .target_per_week = o.target,
                    .sweep_from = o.sweep_from, .sweep_step = o.sweep_step,
                    .sweep_n = (size_t)o.sweep_n};
  ls_store *st = o.db ? ls_cli_open_store(o.db, &code) : NULL;
  if (o.db && st) {
    code = ls_store_read_begin(st) ? LS_EXIT_IO : read_stored_outcomes(st, &oc);
  } else if (!o.db) {
    code = read_outcomes(files, nfiles, &oc);
  }
  for (int k = 0; k < o.nmodels && !code; k++) {
    /* the files' rejected lines are reported once, with the first model */
    ls_opts ro = {.model = o.models[k], .quiet = true, .silent_lines = k > 0};
    code = st ? run_stored(st, o.models[k], &runs[k]) : ls_cli_run(&ro, files, nfiles, &runs[k]);
    if (code) break;
    if (k > 0 && runs[k].input.rejected != runs[0].input.rejected) /* a model's own attributes */
      ls_cli_warn("%s rejected %llu input lines, %s %llu (leadscore replay --model %s lists them)",
                  o.models[k], (unsigned long long)runs[k].input.rejected, o.models[0],
                  (unsigned long long)runs[0].input.rejected, o.models[k]);
    if (k == 0) window(&o, runs[0].replay, &c);
    c.score = 0;
    if (o.score) {
      size_t ns = ls_model_nscores(runs[k].model);
      while (c.score < ns && strcmp(ls_model_score_name(runs[k].model, c.score), o.score)) c.score++;
      if (c.score == ns) {
        ls_cli_error("%s: the model has no score \"%s\"", o.models[k], o.score);
        code = LS_EXIT_USAGE;
        break;
      }
    }
    if (!(per[k] = map_outcomes(&oc, runs[k].replay))) code = LS_EXIT_INTERNAL;
    int rc = code ? LS_OK : evaluate(runs[k].replay, per[k], &c, &res[k]);
    if (rc) {
      ls_cli_error("%s", rc == LS_EINVAL ? "the window is empty (--from must be before --to)"
                                         : ls_strerror(rc));
      code = rc == LS_EINVAL ? LS_EXIT_USAGE : LS_EXIT_INTERNAL;
    }
    mr[k] = (ls_bt_model_report){o.models[k], runs[k].model, &res[k], NAN};
  }
  ls_bt_pred pred = {0};
  int pred_status = LS_ENOTFOUND;
  if (!code && o.predictive) {
    code = ls_bt_cli_predictive(runs[0].replay, per[0], &c, o.weights, &pred, &pred_status);
    if (!pred_status) mr[0].predictive_auc = pred.auc;
  }
  if (!code) {
    for (int k = 1; k < o.nmodels; k++) {
      diffs[k - 1].b = (size_t)k;
      diff(&runs[0], &res[0], &runs[k], &res[k], &diffs[k - 1]);
    }
    ls_replay_stats st = ls_replay_get_stats(runs[0].replay);
    ls_bt_report rep = {&c, mr, (size_t)o.nmodels, diffs, st.events, st.persons, oc.n,
                        o.predictive ? &pred : NULL, pred_status};
    code = write_reports(&o, &rep);
  }
  for (int k = 0; k < o.nmodels; k++) {
    ls_bt_result_free(&res[k]);
    free(per[k]);
    ls_cli_result_free(&runs[k]);
  }
  ls_bt_pred_free(&pred);
  free(oc.v);
  free(oc.text);
  if (st) ls_store_read_end(st);
  ls_store_close(st);
  return code;
}
