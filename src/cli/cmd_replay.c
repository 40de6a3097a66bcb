/* leadscore replay: events in, the leads CSV (spec §8) out. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include "cli/opts.h"
#include "cli/run.h"
#include "leadscore/export.h"

static const char usage[] =
    "usage: leadscore replay --model FILE [--as-of T] [--out FILE] [--strict]\n"
    "                        [--quiet] [--report inflation] [--predictive FILE]\n"
    "                        EVENTS...\n"
    "\n"
    "Replays JSON Lines event files (\"-\" or none: standard input) through the\n"
    "model and writes the leads CSV (lead_id,score,stage,mql_count,last_mql_at),\n"
    "sorted by lead_id, to standard output or --out FILE.\n"
    "\n"
    "  --model FILE   the scoring model (YAML)\n"
    "  --as-of T      RFC 3339 time to score at (default: the latest event time);\n"
    "                 later events are ignored, decay steps up to T are applied\n"
    "  --out FILE     write the CSV to FILE instead of standard output\n"
    "  --strict       exit 1 when any input line was rejected\n"
    "  --quiet, -q    no summary line on standard error\n"
    "  --report inflation\n"
    "                 instead of the leads, list the persons whose points on a\n"
    "                 score come for 80 % or more from one rule of at most 1\n"
    "                 point per event, 10 points or more of them\n"
    "                 (lead_id,score,rule,points,share)\n"
    "  --predictive FILE\n"
    "                 add a p_opportunity column: each identified person's\n"
    "                 chance of reaching opportunity within the horizon, by\n"
    "                 the weights in FILE (leadscore backtest --predictive\n"
    "                 --weights FILE); empty for anonymous persons\n"
    "\n"
    "Rejected lines are reported on standard error as FILE:LINE: reason; the\n"
    "rest of the input is still processed.\n"
    "Exit status: 0 ok, 1 rejected lines with --strict, 2 usage or model error,\n"
    "3 I/O error, 4 internal error.\n";

typedef struct fold_job {
  ls_replay *r;
  size_t lo, hi;
  ls_replay_stats st;
  int rc;
} fold_job;

static void *fold_thread(void *arg) {
  fold_job *j = arg;
  j->rc = ls_replay_fold_range(j->r, j->lo, j->hi, &j->st);
  return NULL;
}

/* Links, then folds the two halves of the persons on two threads. */
static int finish_parallel(ls_replay *r, const ls_time *as_of) {
  int rc = ls_replay_link(r, as_of);
  if (rc) return rc;
  size_t np = ls_replay_npersons(r);
  fold_job jobs[2] = {{r, 0, np / 2, {0}, 0}, {r, np / 2, np, {0}, 0}};
  ls_cli_two_halves(np, fold_thread, &jobs[0], &jobs[1]);
  if (jobs[0].rc) return jobs[0].rc;
  if (jobs[1].rc) return jobs[1].rc;
  const ls_replay_stats *parts[2] = {&jobs[0].st, &jobs[1].st};
  return ls_replay_finalize(r, parts, 2);
}

int ls_cli_run(const ls_opts *o, char **files, int nfiles, ls_cli_result *res) {
  memset(res, 0, sizeof *res);
  int code = LS_EXIT_OK;
  res->model = ls_cli_load_model(o->model, &code);
  if (!res->model) return code;
  res->replay = ls_replay_new(res->model);
  if (!res->replay) return LS_EXIT_INTERNAL;
  /* Size the tables from the input (~120 bytes a line) so they never rehash. */
  uint64_t bytes = 0;
  for (int i = 0; i < nfiles; i++) {
    struct stat sb;
    if (strcmp(files[i], "-") != 0 && stat(files[i], &sb) == 0 && S_ISREG(sb.st_mode))
      bytes += (uint64_t)sb.st_size;
  }
  if (bytes && ls_replay_reserve(res->replay, (size_t)(bytes / 120)) == LS_ENOMEM)
    return LS_EXIT_INTERNAL;
  double t0 = ls_cli_now();
  code = ls_cli_ingest(res->model, res->replay, files, nfiles, o->silent_lines, &res->input);
  if (code) return code;
  double t1 = ls_cli_now();
  int rc = finish_parallel(res->replay, o->has_as_of ? &o->as_of : NULL);
  res->ingest_s = t1 - t0;
  res->finish_s = ls_cli_now() - t1;
  if (rc) {
    ls_cli_error("%s", ls_strerror(rc));
    return LS_EXIT_INTERNAL;
  }
  if (!o->quiet) {
    ls_replay_stats s = ls_replay_get_stats(res->replay);
    char asof[LS_TIME_FMT_MAX] = "none"; /* no events and no --as-of */
    if (s.events || o->has_as_of) ls_time_format(ls_replay_as_of(res->replay), asof);
    fprintf(stderr,
            "leadscore: %" PRIu64 " lines, %" PRIu64 " events, %" PRIu64
            " rejected, %" PRIu64 " duplicates (%" PRIu64 " conflicts), %" PRIu64
            " after as-of, %" PRIu64 " rejected sales events, %" PRIu64
            " persons, %" PRIu64 " MQLs; as of %s (read+parse %.3f s, "
            "link+fold %.3f s)\n",
            res->input.lines, s.events, res->input.rejected, s.duplicates,
            s.conflicts, s.late, s.rejected_sales, s.persons, s.mqls, asof,
            res->ingest_s, res->finish_s);
  }
  if (o->strict && res->input.rejected) return LS_EXIT_DATA;
  return LS_EXIT_OK;
}

void ls_cli_result_free(ls_cli_result *res) {
  ls_replay_destroy(res->replay);
  ls_model_destroy(res->model);
}

/* Replaces the line's newline at the end of b with ",p\n" (p empty when NAN). */
static int add_prob(ls_buf *b, double p) {
  b->len--;
  return isnan(p) ? ls_buf_append(b, ",\n", 2) : ls_buf_appendf(b, ",%.6f\n", p);
}

/* The leads CSV; with p (not NULL), a p_opportunity column. */
static int write_leads(const ls_cli_result *res, const double *p, FILE *out) {
  ls_buf b = {0};
  int rc = ls_export_leads_header(res->model, &b);
  if (!rc && p) {
    b.len--;
    rc = ls_buf_append(&b, ",p_opportunity\n", 15);
  }
  size_t n = ls_replay_npersons(res->replay);
  for (size_t i = 0; i < n && !rc; i++) {
    ls_person_row row = ls_replay_person(res->replay, i);
    rc = ls_export_leads_row(res->model, &row, &b);
    if (!rc && p) rc = add_prob(&b, p[i]);
    if (!rc && b.len >= (1u << 20)) {
      if (fwrite(b.p, 1, b.len, out) != b.len) rc = LS_EIO;
      b.len = 0;
    }
  }
  if (!rc && b.len && fwrite(b.p, 1, b.len, out) != b.len) rc = LS_EIO;
  ls_buf_free(&b);
  return rc;
}

int ls_cmd_replay(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, usage,
                         LS_OPT_MODEL | LS_OPT_AS_OF | LS_OPT_OUT | LS_OPT_STRICT |
                             LS_OPT_QUIET | LS_OPT_REPORT | LS_OPT_PREDICTIVE, &o);
  if (code >= 0) return code;
  if (o.report && o.predictive) {
    ls_cli_error("replay: --report and --predictive do not go together");
    return LS_EXIT_USAGE;
  }
  ls_cli_predictor pred = {0};
  if (o.predictive) { /* a bad weights file is refused before the replay; its features
                        are bound again to the replay's model (ls_cli_predictor_rebind) */
    ls_model *m = ls_cli_load_model(o.model, &code);
    code = m ? ls_cli_load_weights(o.predictive, m, &pred) : code;
    ls_model_destroy(m);
    if (code) return code;
  }
  ls_cli_result res;
  double *p = NULL;
  code = ls_cli_run(&o, argv + o.first_arg, argc - o.first_arg, &res);
  if ((code == LS_EXIT_OK || code == LS_EXIT_DATA) && o.predictive) {
    int pc = ls_cli_predictor_rebind(&pred, res.model);
    if (!pc && !(p = ls_cli_predict(&pred, res.replay))) {
      ls_cli_error("out of memory");
      pc = LS_EXIT_INTERNAL;
    }
    if (pc) code = pc;
  }
  if (code == LS_EXIT_OK || code == LS_EXIT_DATA) {
    FILE *out = o.out ? fopen(o.out, "wb") : stdout;
    if (!out) {
      ls_cli_error("cannot write %s: %s", o.out, strerror(errno));
      code = LS_EXIT_IO;
    } else {
      int rc = o.report ? ls_cli_report_inflation(res.model, res.replay, out)
                        : write_leads(&res, p, out);
      if (rc == LS_ENOMEM) {
        ls_cli_error("out of memory");
        code = LS_EXIT_INTERNAL;
      }
      bool bad = rc == LS_EIO || fflush(out) != 0;
      if (out != stdout && fclose(out) != 0) bad = true;
      if (bad) {
        ls_cli_error("cannot write %s", o.out ? o.out : "standard output");
        code = LS_EXIT_IO;
      }
    }
  }
  free(p);
  ls_cli_predictor_free(&pred);
  ls_cli_result_free(&res);
  return code;
}
