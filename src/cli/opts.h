#ifndef LEADSCORE_CLI_OPTS_H
#define LEADSCORE_CLI_OPTS_H

#include "cli/cli.h"

enum {
  LS_OPT_MODEL = 1u << 0,
  LS_OPT_AS_OF = 1u << 1,
  LS_OPT_OUT = 1u << 2,
  LS_OPT_FORMAT = 1u << 3,
  LS_OPT_STRICT = 1u << 4,
  LS_OPT_QUIET = 1u << 5,
  LS_OPT_HELP = 1u << 6,
  LS_OPT_DB = 1u << 7,
  LS_OPT_TO = 1u << 8,
  LS_OPT_BATCH = 1u << 9,
  LS_OPT_EXCEL = 1u << 10,
  LS_OPT_QUERY = 1u << 11, /* --stage, --min-score, --sort, --limit */
  LS_OPT_REPORT = 1u << 12,
  LS_OPT_PREDICTIVE = 1u << 13 /* --predictive FILE */
};

typedef struct ls_opts {
  const char *model, *out, *format, *db;
  bool has_to;
  ls_time to;
  long batch;
  bool has_as_of;
  ls_time as_of;
  bool strict, quiet, excel;
  bool silent_lines; /* not an option: the input's lines were reported before */
  const char *stage, *sort;
  const char *report; /* replay --report: "inflation" */
  const char *predictive; /* replay --predictive: a weights file */
  bool has_min_score;
  long long min_score;
  long limit;
  int first_arg; /* index of the first positional argument */
} ls_opts;

/* Parses the options in `allowed` (plus --help, which prints `usage` on
 * stdout). Returns -1 to go on, or the exit code to stop with. */
int ls_cli_opts(int argc, char **argv, const char *usage, unsigned allowed,
                ls_opts *o);

#endif
