#ifndef LEADSCORE_CLI_RUN_H
#define LEADSCORE_CLI_RUN_H

#include "cli/opts.h"

typedef struct ls_cli_result {
  ls_model *model;
  ls_replay *replay;
  ls_input_stats input;
  double ingest_s, finish_s; /* wall time of the two phases */
} ls_cli_result;

/* Loads the model, ingests the files and finishes the replay (printing the
 * summary unless --quiet). Returns an LS_EXIT_* code; free *res in any case
 * with ls_cli_result_free. */
int ls_cli_run(const ls_opts *o, char **files, int nfiles, ls_cli_result *res);
void ls_cli_result_free(ls_cli_result *res);

#endif
