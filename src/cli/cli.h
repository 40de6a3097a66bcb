/* Shared pieces of the leadscore command-line tool (not part of the
 * library). Messages follow `leadscore: error: …` on stderr. */
#ifndef LEADSCORE_CLI_H
#define LEADSCORE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "leadscore/model.h"
#include "leadscore/predict.h"
#include "leadscore/replay.h"

/* Exit codes (documented in README and --help). */
enum {
  LS_EXIT_OK = 0,
  LS_EXIT_DATA = 1,  /* rejected input lines with --strict; unknown person */
  LS_EXIT_USAGE = 2, /* bad command line or invalid model */
  LS_EXIT_IO = 3,    /* a file could not be read or written */
  LS_EXIT_INTERNAL = 4 /* out of memory or another internal failure */
};

void ls_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ls_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole file ("-" = stdin) into a new NUL-terminated buffer.
 * Returns NULL (and prints an error) on failure. */
char *ls_cli_read_file(const char *path, size_t *len);

/* Loads a model file; prints `leadscore: error: FILE:LINE:COL: msg` and
 * returns NULL on failure (*exit_code set). */
ls_model *ls_cli_load_model(const char *path, int *exit_code);

/* Parses an RFC 3339 time option; prints an error naming `opt` on failure. */
bool ls_cli_parse_time(const char *opt, const char *s, ls_time *out);

typedef struct ls_input_stats {
  uint64_t lines;
  uint64_t rejected;
  uint64_t bytes;
} ls_input_stats;

/* Reads, parses and de-duplicates every file into `r`, in order, with a pool
 * of parser threads; prints each rejected line as `FILE:LINE: reason` and
 * each conflicting duplicate as a warning (unless `silent`: the same files
 * were read and reported before). Returns an LS_EXIT_* code. */
int ls_cli_ingest(const ls_model *m, ls_replay *r, char **files, int nfiles, bool silent,
                  ls_input_stats *st);

/* Runs fn(a) on this thread and fn(b) on a second one, then joins; with
 * `n` (the persons split between a and b) too small to be worth a thread,
 * or no thread to be had, fn(b) runs here after fn(a). */
void ls_cli_two_halves(size_t n, void *(*fn)(void *), void *a, void *b);

/* Monotonic clock in seconds (for progress and phase timings). */
double ls_cli_now(void);

/* Writes s as a JSON string literal (with quotes). */
void ls_cli_json_str(FILE *out, const char *s, size_t n);
/* Prints a person's scores, then its grades and matrix cell, one per line
 * ("name        value"), for explain and show. */
/* Scores (a category score with its categories, named from `names`, which
 * may be NULL), grades and the matrix cell, one per line. */
void ls_cli_print_scores(FILE *out, const ls_model *m, const void *state, const ls_names *names);
/* A category's name from `names`, or #<hex> when unknown (cut to cap). */
void ls_cli_category(const ls_names *names, uint64_t hash, char *buf, size_t cap);
/* replay --report inflation: writes lead_id,score,rule,points,share for
 * every person whose positive points on a score come for 80 % or more from
 * one rule of at most 1 point per event (10 points or more from it). */
int ls_cli_report_inflation(const ls_model *m, const ls_replay *r, FILE *out);

/* replay --predictive FILE (replay_predict.c): learned weights bound to a
 * model's features. */
typedef struct ls_cli_predictor {
  ls_pred_weights w;
  ls_pred_features *f;
  size_t *idx; /* the column of each weight's feature */
} ls_cli_predictor;
/* Reads and binds a weights file; prints FILE:LINE:COL: why and returns an
 * LS_EXIT_* code. */
int ls_cli_load_weights(const char *path, const ls_model *m, ls_cli_predictor *p);
/* Binds loaded weights to another load of the same model text (the
 * replay's own), so that a bad weights file is refused before the replay. */
int ls_cli_predictor_rebind(ls_cli_predictor *p, const ls_model *m);
void ls_cli_predictor_free(ls_cli_predictor *p);
/* Each person's probability at the as-of time, in lead_id order (NAN for
 * a person not identified); returns new, NULL when out of memory. */
double *ls_cli_predict(const ls_cli_predictor *p, const ls_replay *r);

/* Subcommands: argv[0] is the subcommand name. */
/* Opens a store; prints why and sets *code (LS_EXIT_IO, or INTERNAL when
 * out of memory) on failure. */
struct ls_store;
struct ls_store *ls_cli_open_store(const char *path, int *code);

/* The options of the store's small commands (keys, webhooks, the
 * workflow): `--NAME VALUE` for each of names[i] (into *slots[i]), flags
 * (`--NAME`, into *flags[i]), up to maxpos positional words into pos (count
 * in *npos), from argv[from]; --help prints usage on stdout. --db is
 * required (its slot is db). Returns -1 to go on, or the exit code. */
typedef struct ls_cli_named {
  const char *name; /* "--db" */
  const char **slot;
} ls_cli_named;
typedef struct ls_cli_flag {
  const char *name;
  bool *on;
} ls_cli_flag;
int ls_cli_named_opts(int argc, char **argv, int from, const char *usage,
                      const ls_cli_named *named, size_t n, const ls_cli_flag *flags, size_t nf,
                      const char **pos, int maxpos, int *npos, const char *const *db);

int ls_cmd_replay(int argc, char **argv);
int ls_cmd_serve(int argc, char **argv);
int ls_cmd_keys(int argc, char **argv);
int ls_cmd_webhooks(int argc, char **argv);
/* tasks, task, owner, checklist, disposition, sla, reasons (cmd_workflow.c) */
int ls_cmd_workflow(const char *cmd, int argc, char **argv);
int ls_cmd_explain(int argc, char **argv);
int ls_cmd_backtest(int argc, char **argv);
/* report: the monthly review (cmd_report.c) */
int ls_cmd_report(int argc, char **argv);
int ls_cmd_check_model(int argc, char **argv);
int ls_cmd_init(int argc, char **argv);
int ls_cmd_ingest(int argc, char **argv);
int ls_cmd_advance(int argc, char **argv);
int ls_cmd_verify(int argc, char **argv);
int ls_cmd_export(int argc, char **argv);
int ls_cmd_rejected(int argc, char **argv);
int ls_cmd_leads(int argc, char **argv);
int ls_cmd_show(int argc, char **argv);
int ls_cmd_forget(int argc, char **argv);
int ls_cmd_model(int argc, char **argv);

#endif
