/* leadscore check-model: validate a model and summarize it. */
#include <stdlib.h>

#include "cli/opts.h"

static const char usage[] =
    "usage: leadscore check-model FILE\n"
    "\n"
    "Validates a model file and prints a summary of its scores, rules, stages,\n"
    "transitions and cadences. Errors name FILE:LINE:COL and what was expected.\n"
    "Warnings (FILE:LINE: warning: ...) on standard error point at what loads\n"
    "but is probably wrong: rules that can inflate a score without limit,\n"
    "thresholds that cannot be reached, rules that can never match, rules that\n"
    "count the same event twice.\n"
    "Exit status: 0 valid (warnings or not), 2 invalid model or usage error,\n"
    "3 I/O error.\n";

static void on_warning(void *ud, unsigned line, const char *msg) {
  fprintf(stderr, "%s:%u: warning: %s\n", (const char *)ud, line, msg);
}

int ls_cmd_check_model(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, usage, 0, &o);
  if (code >= 0) return code;
  if (argc - o.first_arg != 1) {
    ls_cli_error("check-model: expected exactly one FILE (see --help)");
    return LS_EXIT_USAGE;
  }
  const char *path = argv[o.first_arg];
  ls_model *m = ls_cli_load_model(path, &code);
  if (!m) return code;
  char *summary = ls_model_summary(m);
  if (!summary) {
    ls_model_destroy(m);
    ls_cli_error("out of memory");
    return LS_EXIT_INTERNAL;
  }
  size_t nw = ls_model_lint(m, on_warning, (void *)path);
  printf("%s: ok%s\n%s", path, nw ? " (with warnings)" : "", summary);
  free(summary);
  ls_model_destroy(m);
  return fflush(stdout) == 0 ? LS_EXIT_OK : LS_EXIT_IO;
}
