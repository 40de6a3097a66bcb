/* The inside-sales workflow on the command line: tasks, task done, owner,
 * checklist, disposition, sla, reasons (leadscore/workflow.h). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "leadscore/store.h"
#include "leadscore/workflow.h"

static const char usage[] =
    "usage: leadscore tasks --db FILE [--owner NAME] [--due today|overdue] [--lead ID] [--all]\n"
    "       leadscore task done ID --db FILE --outcome OUTCOME [--note TEXT] [--by NAME]\n"
    "       leadscore owner --db FILE PERSON [--set NAME] [--by NAME]\n"
    "       leadscore checklist --db FILE PERSON [--set CRITERION] [--note TEXT] [--by NAME]\n"
    "       leadscore disposition --db FILE PERSON --outcome OUTCOME [--reason R] [--at T]\n"
    "       leadscore sla --db FILE [--since T]\n"
    "       leadscore reasons --db FILE\n"
    "\n"
    "The inside-sales workflow (docs/workflow.md). Tasks come from the model's\n"
    "cadences: every entry into a stage with a cadence gives its steps, due on\n"
    "day N at entry + (N - 1) days, cancelled when the person leaves the stage.\n"
    "`tasks` lists open and overdue ones (--all: done and cancelled too) as of\n"
    "the store's clock, with their owner; --due today: due on the clock's UTC\n"
    "day. `task done` closes one with an outcome (reached, no_answer,\n"
    "left_message, sent, meeting_set, not_interested, wrong_contact, skipped).\n"
    "`owner` prints a person's owner (a person with an MQL gets one from the\n"
    "model's owner rules) or sets it by hand. `checklist` prints the hand-off\n"
    "criteria or records one. `disposition` records a sales disposition\n"
    "(opportunity, nurture, disqualified) as a sales_disposition event: refused\n"
    "when the hand-off checklist does not allow the stage it leads to, or when\n"
    "the model lists reasons and --reason is not one. `sla` reports per owner:\n"
    "tasks due since T, done on time or late, overdue now, the median time\n"
    "from entry to the first task done, and stage time limits breached.\n"
    "`reasons` counts recycling and disqualification reasons.\n"
    "PERSON is any identity (lead id, e-mail, anonymous id).\n"
    "Exit status: 0 ok, 1 refused or not found, 2 usage, 3 I/O.\n";

typedef struct args {
  const char *db, *owner, *due, *lead, *outcome, *note, *by, *set, *reason, *at, *since;
  const char *pos[2];
  int npos;
  bool all;
} args;

static int parse(int argc, char **argv, int from, args *a) {
  memset(a, 0, sizeof *a);
  const ls_cli_named named[] = {
      {"--db", &a->db},     {"--owner", &a->owner},   {"--due", &a->due},
      {"--lead", &a->lead}, {"--outcome", &a->outcome}, {"--note", &a->note},
      {"--by", &a->by},     {"--set", &a->set},       {"--reason", &a->reason},
      {"--at", &a->at},     {"--since", &a->since}};
  const ls_cli_flag flags[] = {{"--all", &a->all}};
  return ls_cli_named_opts(argc, argv, from, usage, named, sizeof named / sizeof *named, flags, 1,
                           a->pos, 2, &a->npos, &a->db);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fmt_ms(int64_t ms, char *buf) {
  ls_time_format((ls_time){ms / 1000, (int32_t)(ms % 1000) * 1000000}, buf);
}

/* A person by identity; prints why not. */
static int person_of(ls_store *s, const char *cmd, const char *id, int64_t *p) {
  int rc = ls_store_find(s, (ls_slice){id, strlen(id)}, p);
  if (rc == LS_ENOTFOUND) ls_cli_error("%s: no person with identity \"%s\"", cmd, id);
  else if (rc) ls_cli_error("%s: %s", cmd, ls_strerror(rc));
  return rc == LS_ENOTFOUND ? LS_EXIT_DATA : rc ? LS_EXIT_IO : LS_EXIT_OK;
}

/* ---- tasks ---- */

typedef struct list_ctx {
  ls_wf_filter f;
  ls_time clock;
  size_t n;
} list_ctx;

static int print_task(void *ud, const ls_wf_task *t) {
  list_ctx *c = ud;
  if (!ls_wf_task_matches(t, &c->f)) return 0;
  char due[LS_TIME_FMT_MAX];
  ls_time_format(t->due, due);
  if (!c->n++) printf("%-17s %-20s %-24s %-8s %-11s %-7s %s\n", "task", "due", "lead", "channel",
                      "task", "status", "owner");
  printf("%-17s %-20s %-24.*s %-8s %-11s %-7s %s", t->id, due, (int)t->lead.n, t->lead.p,
         t->channel, t->task, t->status, t->owner ? t->owner : "-");
  if (t->outcome) printf("  [%s%s%s]", t->outcome, t->outcome_note[0] ? ": " : "",
                         t->outcome_note);
  if (t->note) printf("  (%s)", t->note);
  putchar('\n');
  return 0;
}

static int cmd_tasks(ls_store *s, const args *a) {
  if (a->due && strcmp(a->due, "today") && strcmp(a->due, "overdue")) {
    ls_cli_error("tasks: --due is today or overdue");
    return LS_EXIT_USAGE;
  }
  int64_t p = 0;
  int code = a->lead ? person_of(s, "tasks", a->lead, &p) : LS_EXIT_OK;
  if (code) return code;
  list_ctx c = {{a->all ? "all" : NULL, a->owner, a->due, NULL}, {0, 0}, 0};
  if (ls_store_clock(s, &c.clock)) c.f.clock = &c.clock;
  int rc = ls_store_tasks(s, p, print_task, &c);
  if (rc) ls_cli_error("tasks: %s", ls_strerror(rc));
  return rc ? LS_EXIT_IO : LS_EXIT_OK;
}

static int cmd_task_done(ls_store *s, const args *a) {
  if (a->npos != 2 || strcmp(a->pos[0], "done") || !a->outcome) {
    ls_cli_error("task: usage: leadscore task done ID --db FILE --outcome OUTCOME");
    return LS_EXIT_USAGE;
  }
  ls_diag d = {0};
  int rc = ls_store_task_done(s, a->pos[1], a->outcome, a->note, a->by, now_ms(), &d);
  if (rc == LS_EINVAL && !strncmp(d.msg, "unknown outcome", 15)) {
    ls_cli_error("task done: %s", d.msg);
    return LS_EXIT_USAGE;
  }
  if (rc == LS_ENOTFOUND || rc == LS_EEXIST || rc == LS_EINVAL) {
    ls_cli_error("task done: %s", d.msg);
    return LS_EXIT_DATA;
  }
  if (rc) {
    ls_cli_error("task done: %s", ls_strerror(rc));
    return LS_EXIT_IO;
  }
  printf("task %s: %s\n", a->pos[1], a->outcome);
  return LS_EXIT_OK;
}

/* ---- owner, checklist ---- */

static int cmd_owner(ls_store *s, const args *a) {
  int64_t p = 0;
  if (a->npos != 1) {
    ls_cli_error("owner: one PERSON is required (see --help)");
    return LS_EXIT_USAGE;
  }
  int code = person_of(s, "owner", a->pos[0], &p);
  if (code) return code;
  int rc = a->set ? ls_store_owner_set(s, p, a->set, a->by, now_ms()) : LS_OK;
  ls_buf owner = {0}, team = {0};
  if (!rc) rc = ls_store_owner(s, p, now_ms(), &owner, &team);
  if (!rc && team.len) printf("%.*s (team %.*s)\n", (int)owner.len, owner.p, (int)team.len, team.p);
  else if (!rc) printf("%.*s\n", (int)owner.len, owner.p);
  ls_buf_free(&owner);
  ls_buf_free(&team);
  if (rc == LS_ENOTFOUND) {
    ls_cli_error("owner: %s has no owner (no MQL yet, or no owner rule holds)", a->pos[0]);
    return LS_EXIT_DATA;
  }
  if (rc) ls_cli_error("owner: %s", ls_strerror(rc));
  return rc ? LS_EXIT_IO : LS_EXIT_OK;
}

typedef struct check_print {
  const ls_model *m;
} check_print;

static int print_check(void *ud, size_t i, const ls_wf_record *r) {
  check_print *c = ud;
  const char *name = ls_model_criterion_name(c->m, i);
  char at[LS_TIME_FMT_MAX] = "";
  if (r) fmt_ms(r->at_ms, at);
  printf("[%c] %-18s %s%s", r ? 'x' : ' ', name, ls_model_criterion_label(c->m, i, "en"),
         ls_model_criterion_required(c->m, i) ? " (required)" : "");
  if (r) printf("  — %s%s%s%s%s", at, r->by && r->by[0] ? " by " : "", r->by ? r->by : "",
                r->note && r->note[0] ? ": " : "", r->note ? r->note : "");
  putchar('\n');
  return 0;
}

static int cmd_checklist(ls_store *s, const args *a) {
  int64_t p = 0;
  if (a->npos != 1) {
    ls_cli_error("checklist: one PERSON is required (see --help)");
    return LS_EXIT_USAGE;
  }
  int code = person_of(s, "checklist", a->pos[0], &p);
  if (code) return code;
  ls_diag d = {0};
  int rc = a->set ? ls_store_checklist_set(s, p, a->set, a->note, a->by, now_ms(), &d) : LS_OK;
  if (rc == LS_EINVAL) {
    ls_cli_error("checklist: %s", d.msg);
    return LS_EXIT_USAGE;
  }
  check_print c = {ls_store_model(s)};
  if (!rc) rc = ls_store_checklist(s, p, print_check, &c);
  if (rc) ls_cli_error("checklist: %s", ls_strerror(rc));
  return rc ? LS_EXIT_IO : LS_EXIT_OK;
}

/* ---- disposition ---- */

static void json_str(ls_buf *b, const char *s, size_t n) {
  ls_buf_append(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '"' || ch == '\\') {
      char e[2] = {'\\', (char)ch};
      ls_buf_append(b, e, 2);
    } else if (ch < 0x20) {
      ls_buf_appendf(b, "\\u%04x", ch);
    } else {
      ls_buf_append(b, (const char *)&ch, 1);
    }
  }
  ls_buf_append(b, "\"", 1);
}

static int cmd_disposition(ls_store *s, const args *a) {
  int64_t p = 0;
  if (a->npos != 1 || !a->outcome) {
    ls_cli_error("disposition: PERSON and --outcome are required (see --help)");
    return LS_EXIT_USAGE;
  }
  int code = person_of(s, "disposition", a->pos[0], &p);
  if (code) return code;
  ls_time at;
  if (a->at) {
    if (!ls_cli_parse_time("--at", a->at, &at)) return LS_EXIT_USAGE;
  } else {
    int64_t ms = now_ms();
    at = (ls_time){ms / 1000, (int32_t)(ms % 1000) * 1000000};
  }
  /* the event names the person by its lead id */
  ls_buf lead = {0}, line = {0};
  unsigned char *state = malloc(ls_fold_state_size(ls_store_model(s)));
  int rc = state ? ls_store_person_state(s, p, NULL, state, &lead) : LS_ENOMEM;
  char t[LS_TIME_FMT_MAX];
  ls_time_format(at, t);
  if (!rc) {
    const char *field = "lead";
    size_t skip = 0;
    if (lead.len > 6 && !memcmp(lead.p, "email:", 6)) field = "email", skip = 6;
    else if (lead.len > 5 && !memcmp(lead.p, "anon:", 5)) field = "anonymous_id", skip = 5;
    ls_buf_appendf(&line, "{\"id\":\"disposition-%" PRId64 "-%" PRId64 "\",\"type\":"
                          "\"sales_disposition\",\"time\":\"%s\",\"%s\":", p, now_ms(), t, field);
    json_str(&line, lead.p + skip, lead.len - skip);
    ls_buf_appendf(&line, ",\"props\":{\"outcome\":");
    json_str(&line, a->outcome, strlen(a->outcome));
    if (a->reason) {
      ls_buf_append(&line, ",\"reason\":", 10);
      json_str(&line, a->reason, strlen(a->reason));
    }
    ls_buf_append(&line, "}}", 2);
  }
  ls_diag d = {0};
  if (!rc) rc = ls_store_sales_check(s, p, line.p, line.len, &d);
  if (rc == LS_EINVAL) {
    ls_cli_error("disposition refused: %s", d.msg);
    code = LS_EXIT_DATA;
  } else if (!rc) {
    const char *lines[1] = {line.p};
    size_t lens[1] = {line.len};
    ls_store_stats st = {0};
    rc = ls_store_ingest(s, "disposition", 1, lines, lens, 1, &st);
    if (!rc && st.rejected) { /* cannot happen: the line is made here */
      ls_cli_error("disposition: the event was rejected (see leadscore rejected)");
      code = LS_EXIT_INTERNAL;
    }
  }
  if (rc && rc != LS_EINVAL) {
    ls_cli_error("disposition: %s", ls_strerror(rc));
    code = LS_EXIT_IO;
  }
  if (!code) {
    memset(state, 0, ls_fold_state_size(ls_store_model(s)));
    lead.len = 0;
    if (!ls_store_person_state(s, p, NULL, state, &lead))
      printf("%.*s: %s\n", (int)lead.len, lead.p,
             ls_model_stage_name(ls_store_model(s), ls_fold_stage(ls_store_model(s), state)));
  }
  free(state);
  ls_buf_free(&lead);
  ls_buf_free(&line);
  return code;
}

/* ---- reports ---- */

static int print_sla(void *ud, const ls_wf_sla *r) {
  size_t *n = ud;
  if (!(*n)++)
    printf("%-16s %6s %8s %6s %8s %12s %19s %15s\n", "owner", "due", "on_time", "late",
           "on_time%", "overdue_now", "median_first_touch", "stage_breaches");
  char touch[32] = "-", rate[16] = "-";
  if (r->first_touches)
    snprintf(touch, sizeof touch, "%" PRId64 "h%02" PRId64 "m", r->median_first_touch_s / 3600,
             r->median_first_touch_s % 3600 / 60);
  if (r->on_time + r->late)
    snprintf(rate, sizeof rate, "%.0f%%", 100.0 * (double)r->on_time / (double)(r->on_time + r->late));
  printf("%-16s %6" PRIu64 " %8" PRIu64 " %6" PRIu64 " %8s %12" PRIu64 " %19s %15" PRIu64 "\n",
         r->owner[0] ? r->owner : "(none)", r->due, r->on_time, r->late, rate, r->overdue_now,
         touch, r->stage_breaches);
  return 0;
}

static int print_reason(void *ud, const char *kind, const char *reason, uint64_t n) {
  (void)ud;
  printf("%-11s %-24s %" PRIu64 "\n", kind, reason[0] ? reason : "(none)", n);
  return 0;
}

int ls_cmd_workflow(const char *cmd, int argc, char **argv) {
  args a;
  int code = parse(argc, argv, 1, &a);
  if (code >= 0) return code;
  ls_time since;
  if (a.since && !ls_cli_parse_time("--since", a.since, &since)) return LS_EXIT_USAGE;
  code = LS_EXIT_OK;
  ls_store *s = ls_cli_open_store(a.db, &code);
  if (!s) return code;
  int rc = LS_OK;
  if (!strcmp(cmd, "tasks")) code = cmd_tasks(s, &a);
  else if (!strcmp(cmd, "task")) code = cmd_task_done(s, &a);
  else if (!strcmp(cmd, "owner")) code = cmd_owner(s, &a);
  else if (!strcmp(cmd, "checklist")) code = cmd_checklist(s, &a);
  else if (!strcmp(cmd, "disposition")) code = cmd_disposition(s, &a);
  else if (!strcmp(cmd, "sla")) {
    size_t n = 0;
    rc = ls_store_sla(s, a.since ? &since : NULL, print_sla, &n);
  } else if (!strcmp(cmd, "reasons")) {
    rc = ls_store_reasons(s, print_reason, NULL);
  }
  if (rc) {
    ls_cli_error("%s: %s", cmd, ls_strerror(rc));
    code = LS_EXIT_IO;
  }
  ls_store_close(s);
  return code;
}
