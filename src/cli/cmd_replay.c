/* leadscore replay: events in, the leads CSV (spec §8) out. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "cli/opts.h"
#include "cli/run.h"
#include "leadscore/export.h"

static const char usage[] =
    "usage: leadscore replay --model FILE [--as-of T] [--out FILE] [--strict]\n"
    "                        [--quiet] EVENTS...\n"
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
    "\n"
    "Rejected lines are reported on standard error as FILE:LINE: reason; the\n"
    "rest of the input is still processed.\n"
    "Exit status: 0 ok, 1 rejected lines with --strict, 2 usage or model error,\n"
    "3 I/O error, 4 internal error.\n";

int ls_cli_run(const ls_opts *o, char **files, int nfiles, ls_cli_result *res) {
  memset(res, 0, sizeof *res);
  int code = LS_EXIT_OK;
  res->model = ls_cli_load_model(o->model, &code);
  if (!res->model) return code;
  res->replay = ls_replay_new(res->model);
  if (!res->replay) return LS_EXIT_INTERNAL;
  code = ls_cli_ingest(res->model, res->replay, files, nfiles, &res->input);
  if (code) return code;
  int rc = ls_replay_finish(res->replay, o->has_as_of ? &o->as_of : NULL);
  if (rc) {
    ls_cli_error("%s", ls_strerror(rc));
    return LS_EXIT_INTERNAL;
  }
  if (!o->quiet) {
    ls_replay_stats s = ls_replay_get_stats(res->replay);
    char asof[LS_TIME_FMT_MAX];
    ls_time_format(ls_replay_as_of(res->replay), asof);
    fprintf(stderr,
            "leadscore: %" PRIu64 " lines, %" PRIu64 " events, %" PRIu64
            " rejected, %" PRIu64 " duplicates (%" PRIu64 " conflicts), %" PRIu64
            " after as-of, %" PRIu64 " rejected sales events, %" PRIu64
            " persons, %" PRIu64 " MQLs; as of %s\n",
            res->input.lines, s.events, res->input.rejected, s.duplicates,
            s.conflicts, s.late, s.rejected_sales, s.persons, s.mqls, asof);
  }
  if (o->strict && res->input.rejected) return LS_EXIT_DATA;
  return LS_EXIT_OK;
}

void ls_cli_result_free(ls_cli_result *res) {
  ls_replay_destroy(res->replay);
  ls_model_destroy(res->model);
}

static int write_leads(const ls_cli_result *res, FILE *out) {
  ls_buf b = {0};
  int rc = ls_export_leads_header(res->model, &b);
  size_t n = ls_replay_npersons(res->replay);
  for (size_t i = 0; i < n && !rc; i++) {
    ls_person_row row = ls_replay_person(res->replay, i);
    rc = ls_export_leads_row(res->model, &row, &b);
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
                             LS_OPT_QUIET, &o);
  if (code >= 0) return code;
  ls_cli_result res;
  code = ls_cli_run(&o, argv + o.first_arg, argc - o.first_arg, &res);
  if (code == LS_EXIT_OK || code == LS_EXIT_DATA) {
    FILE *out = o.out ? fopen(o.out, "wb") : stdout;
    if (!out) {
      ls_cli_error("cannot write %s: %s", o.out, strerror(errno));
      code = LS_EXIT_IO;
    } else {
      int rc = write_leads(&res, out);
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
  ls_cli_result_free(&res);
  return code;
}
