/* The store commands: init, ingest, advance, verify, export. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/opts.h"
#include "core/grow.h"
#include "leadscore/store.h"

static const char init_usage[] =
    "usage: leadscore init --db FILE --model MODEL\n"
    "\n"
    "Creates a store (one SQLite file) with MODEL as model version 1.\n"
    "Exit status: 0 ok, 2 usage or model error, 3 the file exists or cannot be written.\n";

static const char ingest_usage[] =
    "usage: leadscore ingest --db FILE [--batch N] [--quiet] EVENTS...\n"
    "\n"
    "Appends JSON Lines events (\"-\" or none: standard input) to the store and\n"
    "updates every affected person. Lines are committed in batches of N\n"
    "(default 100000); a batch reported on standard error as committed survives\n"
    "a crash or power loss. Events are idempotent by id: re-running an ingest\n"
    "after a crash is safe. Rejected lines are kept in the store (see\n"
    "`leadscore rejected`) and reported as FILE:LINE: reason.\n"
    "Exit status: 0 ok, 2 usage, 3 I/O or store error.\n";

static const char advance_usage[] =
    "usage: leadscore advance --db FILE [--to T]\n"
    "\n"
    "Applies decay steps up to T (default: now) to every person and moves the\n"
    "store clock to T.\n";

static const char verify_usage[] =
    "usage: leadscore verify --db FILE\n"
    "\n"
    "Replays every stored event and compares with the stored state at the\n"
    "store clock; prints each person that differs. Exit status: 0 clean,\n"
    "1 differences found, 3 store error.\n";

static const char export_usage[] =
    "usage: leadscore export --db FILE [--as-of T] [--out FILE] [--excel]\n"
    "                        leads|ledger|tasks\n"
    "\n"
    "  leads    the leads CSV of spec §8 (sorted by lead_id) at T (default: the\n"
    "           store clock), exactly as specified\n"
    "  ledger   every score change (rule, points, score after, event) and stage\n"
    "           change of every person, with the model version\n"
    "  tasks    every follow-up task: due time, status at the clock (open,\n"
    "           overdue, done, cancelled), its id, channel, owner and outcome\n"
    "\n"
    "Text cells of ledger and tasks that a spreadsheet would run as a formula\n"
    "(starting with = + - @ tab or CR, and not a plain number) get an\n"
    "apostrophe in front. --excel writes a UTF-8 byte-order mark first, so that\n"
    "Excel (Japanese too) opens the file without mojibake, and makes the\n"
    "lead_id cells of `leads` safe the same way.\n";

static const char rejected_usage[] =
    "usage: leadscore rejected --db FILE\n"
    "\n"
    "Lists every rejected input line kept by ingest: SOURCE:LINE: reason, then\n"
    "the line itself (indented).\n";

int ls_cmd_init(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, init_usage, LS_OPT_DB | LS_OPT_MODEL, &o);
  if (code >= 0) return code;
  size_t len;
  char *text = ls_cli_read_file(o.model, &len);
  if (!text) return LS_EXIT_IO;
  ls_diag d = {0};
  int rc = ls_store_init(&ls_store_sqlite, o.db, text, len, &d);
  free(text);
  if (rc == LS_EMODEL) {
    ls_cli_error("%s:%u:%u: %s", o.model, d.line, d.col, d.msg);
    return LS_EXIT_USAGE;
  }
  if (rc) {
    ls_cli_error("%s: %s", o.db, d.msg[0] ? d.msg : ls_strerror(rc));
    return LS_EXIT_IO;
  }
  return LS_EXIT_OK;
}

/* ---- ingest: whole lines in batches ---- */

typedef struct reader {
  FILE *f;
  char *buf;
  size_t len, cap, pos;
  bool eof, first;
} reader;

/* Next line (without LF) as an offset into r->buf, or false at the end.
 * Offsets, not pointers: the buffer may move while a batch is collected. */
static bool next_line(reader *r, size_t *off, size_t *n) {
  for (;;) {
    char *nl = r->pos < r->len ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
    if (nl || (r->eof && r->pos < r->len)) {
      size_t end = nl ? (size_t)(nl - r->buf) : r->len;
      *off = r->pos;
      *n = end - r->pos;
      r->pos = nl ? end + 1 : end;
      if (r->first && *n >= 3 && memcmp(r->buf + *off, "\xEF\xBB\xBF", 3) == 0)
        *off += 3, *n -= 3;
      r->first = false;
      return true;
    }
    if (r->eof) return false;
    if (ls__grow((void **)&r->buf, &r->cap, r->len + (1 << 20), 1)) return false;
    size_t got = fread(r->buf + r->len, 1, r->cap - r->len, r->f);
    r->len += got;
    if (got == 0) r->eof = true;
  }
}

/* Drops the consumed prefix of the buffer (only when no slice is live). */
static void compact(reader *r) {
  if (!r->buf) return;
  memmove(r->buf, r->buf + r->pos, r->len - r->pos);
  r->len -= r->pos;
  r->pos = 0;
}

static int ingest_file(ls_store *s, const char *db, const char *path, long batch,
                       bool quiet, ls_store_stats *st) {
  reader r = {0};
  r.first = true;
  r.f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  const char *name = r.f == stdin ? "<stdin>" : path;
  if (!r.f) {
    ls_cli_error("cannot open %s: %s", path, strerror(errno));
    return LS_EXIT_IO;
  }
  const char **lines = malloc((size_t)batch * sizeof *lines);
  size_t *lens = malloc((size_t)batch * sizeof *lens);
  size_t *offs = malloc((size_t)batch * sizeof *offs);
  int code = lines && lens && offs ? LS_EXIT_OK : LS_EXIT_INTERNAL;
  uint64_t lineno = 1;
  while (code == LS_EXIT_OK) {
    compact(&r);
    size_t n = 0;
    while (n < (size_t)batch && next_line(&r, &offs[n], &lens[n])) n++;
    if (n == 0) break;
    for (size_t i = 0; i < n; i++) lines[i] = r.buf + offs[i];
    ls_store_stats before = *st;
    int rc = ls_store_ingest(s, name, lineno, lines, lens, n, st);
    if (rc) {
      ls_cli_error("%s: lines %s:%" PRIu64 "-%" PRIu64 " not stored (%s; the store is "
                   "unchanged by this batch)", db, name, lineno, lineno + n - 1,
                   rc == LS_EIO ? "the store cannot be written or is damaged" : ls_strerror(rc));
      code = rc == LS_ENOMEM ? LS_EXIT_INTERNAL : LS_EXIT_IO;
      break;
    }
    if (!quiet)
      fprintf(stderr, "leadscore: %s:%" PRIu64 "-%" PRIu64 ": committed: %" PRIu64
              " accepted, %" PRIu64 " duplicates, %" PRIu64 " rejected\n", name, lineno,
              lineno + n - 1, st->accepted - before.accepted,
              st->duplicates - before.duplicates, st->rejected - before.rejected);
    lineno += n;
  }
  if (ferror(r.f)) {
    ls_cli_error("cannot read %s", path);
    code = LS_EXIT_IO;
  }
  if (r.f != stdin) fclose(r.f);
  free(r.buf);
  free(lines);
  free(lens);
  free(offs);
  return code;
}

int ls_cmd_ingest(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, ingest_usage, LS_OPT_DB | LS_OPT_BATCH | LS_OPT_QUIET, &o);
  if (code >= 0) return code;
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  ls_store_stats st = {0};
  long batch = o.batch ? o.batch : 100000;
  /* The log may hold about two batches (~1 KB of pages per line) before it
   * is copied into the database: big batches write hot pages once. */
  ls_store_set_checkpoint(s, batch < 8192 ? 16 << 20 : (int64_t)batch * 2048);
  static char *stdin_only[] = {"-"};
  char **files = o.first_arg < argc ? argv + o.first_arg : stdin_only;
  int nfiles = o.first_arg < argc ? argc - o.first_arg : 1;
  code = LS_EXIT_OK;
  for (int i = 0; i < nfiles && code == LS_EXIT_OK; i++)
    code = ingest_file(s, o.db, files[i], batch, o.quiet, &st);
  fprintf(stderr, "leadscore: %" PRIu64 " lines, %" PRIu64 " accepted, %" PRIu64
          " duplicates (%" PRIu64 " conflicts), %" PRIu64 " rejected; %" PRIu64
          " folded incrementally, %" PRIu64 " persons re-folded (%" PRIu64
          " from the last batch in memory)\n", st.lines, st.accepted,
          st.duplicates, st.conflicts, st.rejected, st.incremental, st.refolded + st.rewound,
          st.rewound);
  ls_store_close(s);
  return code;
}

int ls_cmd_advance(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, advance_usage, LS_OPT_DB | LS_OPT_TO, &o);
  if (code >= 0) return code;
  ls_time to = o.to;
  if (!o.has_to) { /* the CLI reads the clock; the store never does */
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    to = (ls_time){(int64_t)ts.tv_sec, (int32_t)ts.tv_nsec};
  }
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  int rc = ls_store_advance(s, to);
  if (rc) ls_cli_error("%s: %s", o.db, ls_strerror(rc));
  ls_store_close(s);
  return rc ? LS_EXIT_IO : LS_EXIT_OK;
}

int ls_cmd_verify(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, verify_usage, LS_OPT_DB, &o);
  if (code >= 0) return code;
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  ls_buf report = {0};
  uint64_t diffs = 0;
  int rc = ls_store_verify(s, &report, &diffs);
  if (rc) {
    ls_cli_error("%s: %s", o.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  } else {
    if (report.len) fwrite(report.p, 1, report.len, stdout);
    printf("%" PRIu64 " persons differ\n", diffs);
    code = diffs ? LS_EXIT_DATA : LS_EXIT_OK;
  }
  ls_buf_free(&report);
  ls_store_close(s);
  return code;
}

/* --excel on the leads export: the first cell (lead_id) of each row made safe
 * against formula injection like the other exports' text cells. */
static int excel_safe_leads(ls_buf *b, size_t start) {
  ls_buf out = {0};
  int rc = ls_buf_append(&out, b->p, start);
  size_t i = start;
  while (!rc && i < b->len) {
    const char *nl = memchr(b->p + i, '\n', b->len - i);
    size_t end = nl ? (size_t)(nl - b->p) + 1 : b->len;
    char c = b->p[i];
    if (i > start && c && strchr("=+-@\t\r", c)) rc = ls_buf_append(&out, "'", 1);
    if (!rc) rc = ls_buf_append(&out, b->p + i, end - i);
    i = end;
  }
  if (rc) {
    ls_buf_free(&out);
    return rc;
  }
  ls_buf_free(b);
  *b = out;
  return LS_OK;
}

static int print_rejected(void *ud, const char *source, uint64_t line, const char *reason,
                          ls_slice text) {
  (void)ud;
  printf("%s:%" PRIu64 ": %s\n    %.*s\n", source, line, reason, (int)text.n, text.p);
  return LS_OK;
}

int ls_cmd_rejected(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, rejected_usage, LS_OPT_DB, &o);
  if (code >= 0) return code;
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  int rc = ls_store_rejected(s, print_rejected, NULL);
  if (rc) ls_cli_error("%s: %s", o.db, ls_strerror(rc));
  ls_store_close(s);
  return rc ? LS_EXIT_IO : (fflush(stdout) ? LS_EXIT_IO : LS_EXIT_OK);
}

int ls_cmd_export(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, export_usage,
                         LS_OPT_DB | LS_OPT_AS_OF | LS_OPT_OUT | LS_OPT_EXCEL, &o);
  if (code >= 0) return code;
  const char *what = argc - o.first_arg == 1 ? argv[o.first_arg] : "";
  bool leads = strcmp(what, "leads") == 0;
  if (!leads && strcmp(what, "ledger") != 0 && strcmp(what, "tasks") != 0) {
    ls_cli_error("export: expected leads, ledger or tasks (see --help)");
    return LS_EXIT_USAGE;
  }
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  ls_buf b = {0};
  int rc = o.excel ? ls_buf_append(&b, "\xEF\xBB\xBF", 3) : LS_OK;
  size_t start = b.len;
  if (!rc) rc = leads ? ls_store_export_leads(s, o.has_as_of ? &o.as_of : NULL, &b)
                      : ls_store_export_csv(s, what, &b);
  if (!rc && leads && o.excel) rc = excel_safe_leads(&b, start);
  code = LS_EXIT_OK;
  if (rc) {
    ls_cli_error("%s: %s", o.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  } else {
    FILE *out = o.out ? fopen(o.out, "wb") : stdout;
    bool bad = !out || fwrite(b.p, 1, b.len, out) != b.len || fflush(out) != 0;
    if (out && out != stdout && fclose(out) != 0) bad = true;
    if (bad) {
      ls_cli_error("cannot write %s", o.out ? o.out : "standard output");
      code = LS_EXIT_IO;
    }
  }
  ls_buf_free(&b);
  ls_store_close(s);
  return code;
}

static const char model_usage[] =
    "usage: leadscore model set --db FILE NEW.yaml\n"
    "       leadscore model diff --db FILE NEW.yaml\n"
    "\n"
    "  set    stores NEW.yaml as model version N+1 and re-scores every person\n"
    "         from its history (like replay); ledger rows of earlier versions\n"
    "         stay readable in `export ledger` (each row names its version)\n"
    "  diff   shows what NEW.yaml would change, before anything changes\n";

int ls_cmd_model(int argc, char **argv) {
  if (argc < 2 || (strcmp(argv[1], "set") && strcmp(argv[1], "diff"))) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
      fputs(model_usage, stdout);
      return LS_EXIT_OK;
    }
    ls_cli_error("model: expected `set` or `diff` (see --help)");
    return LS_EXIT_USAGE;
  }
  bool set = strcmp(argv[1], "set") == 0;
  ls_opts o;
  int code = ls_cli_opts(argc - 1, argv + 1, model_usage, LS_OPT_DB, &o);
  if (code >= 0) return code;
  if (argc - 1 - o.first_arg != 1) {
    ls_cli_error("model %s: expected one model FILE (see --help)", argv[1]);
    return LS_EXIT_USAGE;
  }
  const char *path = argv[1 + o.first_arg];
  size_t len;
  char *text = ls_cli_read_file(path, &len);
  if (!text) return LS_EXIT_IO;
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) {
    free(text);
    return code;
  }
  ls_diag d = {0};
  int rc;
  if (set) {
    rc = ls_store_set_model(s, text, len, &d);
    if (!rc)
      fprintf(stderr, "leadscore: model version %" PRId64 " stored; every person re-scored\n",
              ls_store_model_version(s));
  } else {
    ls_model *m = NULL;
    rc = ls_model_load(text, len, &m, &d);
    ls_buf report = {0};
    uint64_t changed = 0;
    if (!rc) rc = ls_store_model_diff(s, m, &report, &changed);
    if (!rc) fwrite(report.p, 1, report.len, stdout);
    ls_buf_free(&report);
    ls_model_destroy(m);
  }
  if (rc == LS_EMODEL) {
    ls_cli_error("%s:%u:%u: %s", path, d.line, d.col, d.msg);
    code = LS_EXIT_USAGE;
  } else if (rc) {
    ls_cli_error("%s: %s", o.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  } else {
    code = LS_EXIT_OK;
  }
  free(text);
  ls_store_close(s);
  return code;
}
