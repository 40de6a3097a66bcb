/* leadscore — command-line entry point: dispatches to subcommands. */
#include <string.h>

#include "cli/cli.h"

#define LS_VERSION "0.1.0"

static const char usage[] =
    "usage: leadscore COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Lead scoring and lead lifecycle: who is ready for sales, and why.\n"
    "\n"
    "Commands:\n"
    "  replay        score event files with a model; print the leads CSV\n"
    "  explain       show one person's identities, stages, ledger and tasks\n"
    "  check-model   validate a model file and summarize it\n"
    "  backtest      replay history under candidate models; compare them on\n"
    "                conversion, ranking and MQL volume; recommend a threshold\n"
    "\n"
    "The store (one SQLite file):\n"
    "  init          create a store with a model\n"
    "  ingest        append events durably, updating persons incrementally\n"
    "  advance       apply decay up to a time\n"
    "  verify        check the stored state against a replay of the stored events\n"
    "  export        write the leads, ledger or tasks CSV\n"
    "  rejected      list the rejected input lines kept by ingest\n"
    "  leads         list persons: filter by stage and score, sort, limit\n"
    "  show          one person: identities, attributes, stages, ledger\n"
    "  forget        erase a person (GDPR); keeps only a record of the erasure\n"
    "  model         model versions: `model diff` previews, `model set` re-scores\n"
    "  report        the monthly review: funnel, KPIs against the model's targets,\n"
    "                biggest movers, follow-up SLAs (text, CSV or HTML)\n"
    "\n"
    "The service:\n"
    "  serve         HTTP ingest, the lead API, webhooks, metrics (docs/openapi.yaml)\n"
    "  keys          API keys: create, list, revoke\n"
    "  webhooks      webhook subscriptions: add, list, remove, status\n"
    "\n"
    "Inside sales (docs/workflow.md):\n"
    "  tasks         follow-up tasks from the cadences, by owner and due time\n"
    "  task done     close a task with an outcome\n"
    "  owner         a person's owner: by the model's rules, or set by hand\n"
    "  checklist     the hand-off checklist of a person\n"
    "  disposition   record a sales disposition (checked against the checklist)\n"
    "  sla           on-time rates, overdue tasks, time to first touch per owner\n"
    "  reasons       recycling and disqualification reasons, counted\n"
    "\n"
    "Run `leadscore COMMAND --help` for a command's options.\n"
    "\n"
    "Exit status: 0 ok; 1 the data said no (rejected lines with --strict, no\n"
    "such person); 2 usage error or invalid model; 3 I/O error; 4 internal\n"
    "error (e.g. out of memory).\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return LS_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage, stdout);
    return LS_EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0) {
    puts("leadscore " LS_VERSION);
    return LS_EXIT_OK;
  }
  if (strcmp(cmd, "replay") == 0) return ls_cmd_replay(argc - 1, argv + 1);
  if (strcmp(cmd, "explain") == 0) return ls_cmd_explain(argc - 1, argv + 1);
  if (strcmp(cmd, "backtest") == 0) return ls_cmd_backtest(argc - 1, argv + 1);
  if (strcmp(cmd, "report") == 0) return ls_cmd_report(argc - 1, argv + 1);
  if (strcmp(cmd, "check-model") == 0) return ls_cmd_check_model(argc - 1, argv + 1);
  if (strcmp(cmd, "init") == 0) return ls_cmd_init(argc - 1, argv + 1);
  if (strcmp(cmd, "ingest") == 0) return ls_cmd_ingest(argc - 1, argv + 1);
  if (strcmp(cmd, "advance") == 0) return ls_cmd_advance(argc - 1, argv + 1);
  if (strcmp(cmd, "verify") == 0) return ls_cmd_verify(argc - 1, argv + 1);
  if (strcmp(cmd, "export") == 0) return ls_cmd_export(argc - 1, argv + 1);
  if (strcmp(cmd, "rejected") == 0) return ls_cmd_rejected(argc - 1, argv + 1);
  if (strcmp(cmd, "leads") == 0) return ls_cmd_leads(argc - 1, argv + 1);
  if (strcmp(cmd, "show") == 0) return ls_cmd_show(argc - 1, argv + 1);
  if (strcmp(cmd, "forget") == 0) return ls_cmd_forget(argc - 1, argv + 1);
  if (strcmp(cmd, "model") == 0) return ls_cmd_model(argc - 1, argv + 1);
  if (strcmp(cmd, "serve") == 0) return ls_cmd_serve(argc - 1, argv + 1);
  if (strcmp(cmd, "keys") == 0) return ls_cmd_keys(argc - 1, argv + 1);
  if (strcmp(cmd, "webhooks") == 0) return ls_cmd_webhooks(argc - 1, argv + 1);
  static const char *const workflow[] = {"tasks", "task", "owner", "checklist", "disposition",
                                         "sla", "reasons", NULL};
  for (int i = 0; workflow[i]; i++)
    if (strcmp(cmd, workflow[i]) == 0) return ls_cmd_workflow(cmd, argc - 1, argv + 1);
  ls_cli_error("unknown command \"%s\" (see leadscore --help)", cmd);
  return LS_EXIT_USAGE;
}
