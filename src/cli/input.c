/* The input pipeline: files → chunks of whole lines → parser threads →
 * batches, consumed in input order by the calling thread (which
 * de-duplicates and links while the workers parse the next chunks).
 *
 * Nothing is locked or allocated per event: a lock is taken per chunk
 * (~1 MiB), and every chunk slot keeps its buffers for reuse. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/grow.h"
#include "leadscore/event.h"

#define NSLOTS 6
#define CHUNK (1u << 20)

enum { FREE_, PARSING, READY };

typedef struct reject {
  uint32_t line; /* relative to the chunk, 0-based */
  uint32_t off;  /* reason in the slot's text buffer */
} reject;

typedef struct slot {
  int state;
  int file;
  bool file_start; /* the chunk starts its file (strip a BOM) */
  char *buf;
  size_t len, cap;
  uint32_t nlines;
  ls_batch *batch;
  uint32_t *ev_line; /* batch event -> relative line */
  size_t ev_cap;
  reject *rej;
  size_t nrej, rej_cap;
  char *text;
  size_t text_len, text_cap;
  int err; /* LS_* from parsing */
} slot;

typedef struct pipeline {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  const ls_model *m;
  char **files;
  int nfiles;
  /* reader (under mu) */
  int fi, fd;
  bool file_fresh;
  char *carry;
  size_t carry_len, carry_cap;
  bool exhausted;
  bool tty; /* stderr is a terminal: show progress */
  int io_err_file; /* file index of a read error, or -1 */
  int io_errno;
  uint64_t filled; /* chunks handed to workers */
  uint64_t bytes;
  slot slots[NSLOTS];
} pipeline;

static int open_file(pipeline *pl) {
  const char *path = pl->files[pl->fi];
  pl->fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY);
  pl->file_fresh = true;
  if (pl->fd < 0) {
    pl->io_err_file = pl->fi;
    pl->io_errno = errno;
    return -1;
  }
  return 0;
}

static void close_file(pipeline *pl) {
  if (pl->fd > 0) close(pl->fd);
  pl->fd = -1;
}

/* Fills `s` with the next run of whole lines (under pl->mu). Returns false
 * when the input is exhausted. A file's last line needs no LF. */
static bool fill(pipeline *pl, slot *s) {
  for (;;) {
    if (pl->exhausted) return false;
    if (pl->fd < 0 && open_file(pl) < 0) {
      pl->exhausted = true;
      return false;
    }
    s->file = pl->fi;
    s->file_start = pl->file_fresh;
    s->len = 0;
    if (ls__grow((void **)&s->buf, &s->cap, pl->carry_len + CHUNK, 1)) goto nomem;
    if (pl->carry_len) memcpy(s->buf, pl->carry, pl->carry_len);
    s->len = pl->carry_len;
    pl->carry_len = 0;
    size_t scanned = 0;
    for (;;) {
      if (ls__grow((void **)&s->buf, &s->cap, s->len + CHUNK, 1)) goto nomem;
      ssize_t n = read(pl->fd, s->buf + s->len, CHUNK);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        pl->io_err_file = pl->fi;
        pl->io_errno = errno;
        pl->exhausted = true;
        return false;
      }
      if (n == 0) { /* end of this file */
        close_file(pl);
        pl->fi++;
        if (pl->fi >= pl->nfiles) pl->exhausted = true;
        if (s->len > 0) {
          pl->file_fresh = false;
          return true;
        }
        break; /* empty remainder: try the next file */
      }
      pl->bytes += (uint64_t)n;
      s->len += (size_t)n;
      /* Keep the last partial line for the next chunk. */
      char *nl = NULL;
      for (size_t i = s->len; i > scanned; i--)
        if (s->buf[i - 1] == '\n') {
          nl = s->buf + i - 1;
          break;
        }
      if (nl) {
        size_t keep = (size_t)(s->buf + s->len - (nl + 1));
        if (ls__grow((void **)&pl->carry, &pl->carry_cap, keep, 1)) goto nomem;
        if (keep) memcpy(pl->carry, nl + 1, keep);
        pl->carry_len = keep;
        s->len -= keep;
        s->file_start = pl->file_fresh;
        pl->file_fresh = false;
        return true;
      }
      scanned = s->len;
    }
  }
nomem:
  s->err = LS_ENOMEM;
  s->len = 0;
  return true;
}

static int add_reject(slot *s, uint32_t line, const char *reason) {
  size_t n = strlen(reason) + 1;
  if (ls__grow((void **)&s->rej, &s->rej_cap, s->nrej + 1, sizeof *s->rej) ||
      ls__grow((void **)&s->text, &s->text_cap, s->text_len + n, 1))
    return LS_ENOMEM;
  memcpy(s->text + s->text_len, reason, n);
  s->rej[s->nrej].line = line;
  s->rej[s->nrej].off = (uint32_t)s->text_len;
  s->nrej++;
  s->text_len += n;
  return LS_OK;
}

static void parse(ls_event_parser *p, slot *s) {
  ls_batch_clear(s->batch);
  s->nrej = s->text_len = 0;
  s->nlines = 0;
  const char *c = s->buf, *end = s->buf + s->len;
  if (s->file_start && s->len >= 3 && memcmp(c, "\xEF\xBB\xBF", 3) == 0) c += 3;
  uint32_t line = 0;
  while (c < end && !s->err) {
    const char *nl = memchr(c, '\n', (size_t)(end - c));
    const char *le = nl ? nl : end;
    ls_event_fields f;
    ls_line_result res = ls_event_parse(p, c, (size_t)(le - c), &f);
    if (res == LS_LINE_EVENT) {
      size_t k = ls_batch_count(s->batch);
      if (ls__grow((void **)&s->ev_line, &s->ev_cap, k + 1, sizeof *s->ev_line))
        s->err = LS_ENOMEM;
      else {
        s->ev_line[k] = line;
        int rc = ls_batch_push(s->batch, &f);
        if (rc) s->err = rc;
      }
    } else if (res == LS_LINE_REJECT) {
      if (add_reject(s, line, ls_event_parser_reason(p))) s->err = LS_ENOMEM;
    }
    line++;
    c = nl ? nl + 1 : end;
  }
  s->nlines = line;
}

static void *worker(void *arg) {
  pipeline *pl = arg;
  ls_event_parser *p = ls_event_parser_new(ls_model_schema(pl->m));
  pthread_mutex_lock(&pl->mu);
  for (;;) {
    /* The next slot to fill moves whenever another worker fills one, so
     * look it up again after every wake-up. */
    slot *s = &pl->slots[pl->filled % NSLOTS];
    while (!pl->exhausted && s->state != FREE_) {
      pthread_cond_wait(&pl->cv, &pl->mu);
      s = &pl->slots[pl->filled % NSLOTS];
    }
    if (!fill(pl, s)) break;
    pl->filled++;
    s->state = PARSING;
    pthread_mutex_unlock(&pl->mu);
    if (p) parse(p, s);
    else s->err = LS_ENOMEM;
    pthread_mutex_lock(&pl->mu);
    s->state = READY;
    pthread_cond_broadcast(&pl->cv);
  }
  pthread_cond_broadcast(&pl->cv);
  pthread_mutex_unlock(&pl->mu);
  ls_event_parser_destroy(p);
  return NULL;
}

typedef struct progress_line progress_line;
static void progress_clear(progress_line *pg);

typedef struct dup_ctx {
  const slot *s;
  const char *file;
  uint64_t line0;
  progress_line *pg;
} dup_ctx;

static void on_dup(void *ud, size_t index, ls_slice id, bool conflict) {
  const dup_ctx *d = ud;
  if (conflict) progress_clear(d->pg);
  if (conflict)
    ls_cli_warn("%s:%llu: event id \"%.*s\" seen before with different "
                "content (the first line wins)", d->file,
                (unsigned long long)(d->line0 + d->s->ev_line[index] + 1),
                id.n > 64 ? 64 : (int)id.n, id.p);
}

double ls_cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A progress line for long runs, only when stderr is a terminal. */
/* A progress line for long runs, only when stderr is a terminal; erased
 * before any other message so that messages never run into it. */
typedef struct progress_line {
  bool tty, shown;
  double t0, last;
} progress_line;

static void progress(progress_line *pg, uint64_t bytes, uint64_t lines) {
  double t = ls_cli_now();
  if (!pg->tty || t - pg->t0 < 2.0 || t - pg->last < 0.5) return;
  pg->last = t;
  pg->shown = true;
  fprintf(stderr, "\rleadscore: %.0f MB read, %llu lines, %.1f s", (double)bytes / 1e6,
          (unsigned long long)lines, t - pg->t0);
}

static void progress_clear(progress_line *pg) {
  if (pg->shown) fputs("\r\033[K", stderr);
  pg->shown = false;
}

int ls_cli_ingest(const ls_model *m, ls_replay *r, char **files, int nfiles, bool silent,
                  ls_input_stats *st) {
  static char *stdin_only[] = {"-"};
  if (nfiles == 0) {
    files = stdin_only;
    nfiles = 1;
  }
  pipeline pl;
  memset(&pl, 0, sizeof pl);
  pthread_mutex_init(&pl.mu, NULL);
  pthread_cond_init(&pl.cv, NULL);
  pl.m = m;
  pl.files = files;
  pl.nfiles = nfiles;
  pl.fd = -1;
  pl.io_err_file = -1;
  pl.tty = isatty(2);
  int code = LS_EXIT_OK;
  for (int i = 0; i < NSLOTS; i++)
    if (!(pl.slots[i].batch = ls_batch_new(m))) code = LS_EXIT_INTERNAL;

  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  int nworkers = ncpu > 1 ? (ncpu > 4 ? 4 : (int)ncpu) : 1;
  pthread_t th[4];
  int started = 0;
  if (code == LS_EXIT_OK)
    for (; started < nworkers; started++)
      if (pthread_create(&th[started], NULL, worker, &pl)) break;
  if (started == 0) code = LS_EXIT_INTERNAL;

  uint64_t *line_base = calloc((size_t)nfiles, sizeof *line_base);
  if (!line_base) code = LS_EXIT_INTERNAL;
  progress_line pg = {pl.tty, false, ls_cli_now(), 0};
  for (uint64_t k = 0; code == LS_EXIT_OK; k++) {
    slot *s = &pl.slots[k % NSLOTS];
    pthread_mutex_lock(&pl.mu);
    while (s->state != READY && !(pl.exhausted && k >= pl.filled))
      pthread_cond_wait(&pl.cv, &pl.mu);
    bool end = s->state != READY;
    pthread_mutex_unlock(&pl.mu);
    if (end) break;
    if (s->err) {
      ls_cli_error("%s: %s", files[s->file], ls_strerror(s->err));
      code = LS_EXIT_INTERNAL;
    } else {
      const char *name = strcmp(files[s->file], "-") == 0 ? "<stdin>" : files[s->file];
      uint64_t line0 = line_base[s->file];
      if (s->nrej && !silent) progress_clear(&pg);
      for (size_t i = 0; i < s->nrej && !silent; i++)
        fprintf(stderr, "%s:%llu: %s\n", name,
                (unsigned long long)(line0 + s->rej[i].line + 1),
                s->text + s->rej[i].off);
      st->rejected += s->nrej;
      st->lines += s->nlines;
      dup_ctx d = {s, name, line0, &pg};
      ls_replay_on_duplicate(r, silent ? NULL : on_dup, &d);
      int rc = ls_replay_add_batch(r, s->batch);
      ls_replay_on_duplicate(r, NULL, NULL);
      if (rc) {
        ls_cli_error("%s: %s", name, ls_strerror(rc));
        code = LS_EXIT_INTERNAL;
      }
      line_base[s->file] += s->nlines;
      progress(&pg, pl.bytes, st->lines);
    }
    pthread_mutex_lock(&pl.mu);
    s->state = FREE_;
    pthread_cond_broadcast(&pl.cv);
    pthread_mutex_unlock(&pl.mu);
  }
  progress_clear(&pg);
  if (code != LS_EXIT_OK) { /* stop the workers after their current chunk */
    pthread_mutex_lock(&pl.mu);
    pl.exhausted = true;
    pthread_cond_broadcast(&pl.cv);
    pthread_mutex_unlock(&pl.mu);
  }
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  if (code == LS_EXIT_OK && pl.io_err_file >= 0) {
    ls_cli_error("cannot read %s: %s", files[pl.io_err_file], strerror(pl.io_errno));
    code = LS_EXIT_IO;
  }
  close_file(&pl);
  st->bytes = pl.bytes;
  for (int i = 0; i < NSLOTS; i++) {
    slot *s = &pl.slots[i];
    free(s->buf);
    ls_batch_destroy(s->batch);
    free(s->ev_line);
    free(s->rej);
    free(s->text);
  }
  free(pl.carry);
  free(line_base);
  pthread_cond_destroy(&pl.cv);
  pthread_mutex_destroy(&pl.mu);
  return code;
}
