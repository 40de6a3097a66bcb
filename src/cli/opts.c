/* Option parsing shared by the subcommands (getopt_long). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"

int ls_cli_opts(int argc, char **argv, const char *usage, unsigned allowed,
                ls_opts *o) {
  static const struct option all[] = {
      {"model", required_argument, NULL, 'm'},
      {"as-of", required_argument, NULL, 'a'},
      {"out", required_argument, NULL, 'o'},
      {"format", required_argument, NULL, 'f'},
      {"strict", no_argument, NULL, 's'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {"db", required_argument, NULL, 'd'},
      {"to", required_argument, NULL, 't'},
      {"batch", required_argument, NULL, 'b'},
      {"excel", no_argument, NULL, 'x'},
      {"stage", required_argument, NULL, 'S'},
      {"min-score", required_argument, NULL, 'M'},
      {"sort", required_argument, NULL, 'O'},
      {"limit", required_argument, NULL, 'L'},
      {"report", required_argument, NULL, 'R'},
      {"predictive", required_argument, NULL, 'P'},
      {NULL, 0, NULL, 0}};
  static const unsigned bit[] = {LS_OPT_MODEL, LS_OPT_AS_OF, LS_OPT_OUT,
                                 LS_OPT_FORMAT, LS_OPT_STRICT, LS_OPT_QUIET,
                                 LS_OPT_HELP, LS_OPT_DB, LS_OPT_TO, LS_OPT_BATCH,
                                 LS_OPT_EXCEL, LS_OPT_QUERY, LS_OPT_QUERY,
                                 LS_OPT_QUERY, LS_OPT_QUERY, LS_OPT_REPORT,
                                 LS_OPT_PREDICTIVE};
  enum { NOPTS = sizeof bit / sizeof *bit };
  struct option longopts[NOPTS + 1];
  size_t n = 0;
  for (size_t i = 0; all[i].name; i++)
    if (allowed & bit[i] || bit[i] == LS_OPT_HELP) longopts[n++] = all[i];
  longopts[n] = all[NOPTS];
  memset(o, 0, sizeof *o);
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
    switch (c) {
      case 'm': o->model = optarg; break;
      case 'o': o->out = optarg; break;
      case 'f': o->format = optarg; break;
      case 's': o->strict = true; break;
      case 'q': o->quiet = true; break;
      case 'h': fputs(usage, stdout); return LS_EXIT_OK;
      case 'a':
        if (!ls_cli_parse_time("--as-of", optarg, &o->as_of)) return LS_EXIT_USAGE;
        o->has_as_of = true;
        break;
      case 'd': o->db = optarg; break;
      case 'x': o->excel = true; break;
      case 'R':
        if (strcmp(optarg, "inflation")) {
          ls_cli_error("%s: --report takes inflation, got \"%s\"", argv[0], optarg);
          return LS_EXIT_USAGE;
        }
        o->report = optarg;
        break;
      case 'P': o->predictive = optarg; break;
      case 'S': o->stage = optarg; break;
      case 'O':
        if (strcmp(optarg, "score") && strcmp(optarg, "lead_id")) {
          ls_cli_error("--sort: expected score or lead_id, not \"%s\"", optarg);
          return LS_EXIT_USAGE;
        }
        o->sort = optarg;
        break;
      case 'M':
      case 'L': {
        char *end;
        long long v = strtoll(optarg, &end, 10);
        if (*end || !*optarg || (c == 'L' && (v < 0 || v > 100000000))) {
          ls_cli_error("%s: expected %s, not \"%s\"", c == 'L' ? "--limit" : "--min-score",
                       c == 'L' ? "a count" : "an integer", optarg);
          return LS_EXIT_USAGE;
        }
        if (c == 'L') o->limit = (long)v;
        else o->min_score = v, o->has_min_score = true;
        break;
      }
      case 't':
        if (!ls_cli_parse_time("--to", optarg, &o->to)) return LS_EXIT_USAGE;
        o->has_to = true;
        break;
      case 'b': {
        char *end;
        o->batch = strtol(optarg, &end, 10);
        if (*end || o->batch < 1 || o->batch > 1000000) {
          ls_cli_error("--batch: expected a number of lines from 1 to 1000000, not \"%s\"", optarg);
          return LS_EXIT_USAGE;
        }
        break;
      }
      default:
        if (optopt) ls_cli_error("%s: unknown option -%c (see --help)", argv[0], optopt);
        else ls_cli_error("%s: unknown or incomplete option %s (see --help)", argv[0],
                          argv[optind - 1]);
        return LS_EXIT_USAGE;
    }
  }
  if ((allowed & LS_OPT_DB) && !o->db) {
    ls_cli_error("%s: --db FILE is required (see --help)", argv[0]);
    return LS_EXIT_USAGE;
  }
  if ((allowed & LS_OPT_MODEL) && !o->model) {
    ls_cli_error("%s: --model FILE is required (see --help)", argv[0]);
    return LS_EXIT_USAGE;
  }
  o->first_arg = optind;
  return -1;
}
