/* The store's read side: advance (decay up to a time), the leads export, and
 * verify (the stored state against a replay of the stored events). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "engine/replay_internal.h"
#include "leadscore/replay.h"
#include "leadscore/workflow.h"
#include "store/store_internal.h"

/* ---- advance ---- */

typedef struct adv_ctx {
  ls_store *s;
  ls_time to;
} adv_ctx;

static int advance_one(void *ud, int64_t id) {
  adv_ctx *c = ud;
  ls_store *s = c->s;
  ls__touched_clear(&s->t);
  ls__tp *p;
  int rc = ls__touched_get(s, id, false, &p);
  if (rc || p->refold) return rc; /* an empty person row: nothing to decay */
  if (ls_time_cmp(c->to, p->row.last_time) < 0) return LS_OK;
  rc = ls__store_advance_person(s, p, c->to); /* decay rows go to the ledger */
  if (!rc) rc = ls__store_put(s, p);
  return rc;
}

int ls_store_advance(ls_store *s, ls_time to) {
  int rc = ls__tx_begin(s);
  if (rc) return rc;
  adv_ctx c = {s, to};
  rc = s->drv->person_scan(s->db, advance_one, &c);
  ls__touched_clear(&s->t);
  bool had = s->has_clock;
  ls_time old = s->clock;
  if (!s->has_clock || ls_time_cmp(to, s->clock) > 0) {
    s->clock = to;
    s->has_clock = true;
  }
  char buf[LS_TIME_FMT_MAX];
  ls_time_format(s->clock, buf);
  if (!rc) rc = s->drv->meta_set(s->db, "clock", buf);
  if ((rc = ls__tx_end(s, rc))) {
    s->has_clock = had;
    s->clock = old;
  }
  return rc;
}

int ls_store_replay(ls_store *s, const ls_model *m, const ls_time *as_of, ls_replay **out) {
  return ls__store_replay(s, m, as_of, out);
}

typedef struct lines_ctx {
  int (*fn)(void *ud, ls_slice line);
  void *ud;
} lines_ctx;

static int on_line(void *ud, const ls_store_event *e) {
  lines_ctx *c = ud;
  return c->fn(c->ud, e->line);
}

int ls_store_event_lines(ls_store *s, int (*fn)(void *ud, ls_slice line), void *ud) {
  lines_ctx c = {fn, ud};
  return s->drv->event_scan(s->db, NULL, on_line, &c);
}

static int export_replay(ls_store *s, const ls_time *as_of, ls_buf *out) {
  ls_replay *r;
  int rc = ls__store_replay(s, s->model, as_of, &r);
  if (rc) return rc;
  rc = ls_export_leads_header(s->model, out);
  for (size_t i = 0; i < ls_replay_npersons(r) && !rc; i++) {
    ls_person_row row = ls_replay_person(r, i);
    rc = ls_export_leads_row(s->model, &row, out);
  }
  ls_replay_destroy(r);
  return rc;
}

/* ---- the leads export from stored states ---- */

typedef struct ex_row {
  size_t off, len; /* the lead_id within the names buffer */
  uint8_t kind;
  size_t state; /* offset of the advanced state copy */
} ex_row;

typedef struct ex_ctx {
  ls_store *s;
  ls_time as_of;
  ex_row *rows;
  size_t n, cap;
  ls__bytes names, states;
} ex_ctx;

static int ex_person(void *ud, int64_t id) {
  ex_ctx *c = ud;
  ls_store *s = c->s;
  ls__touched_clear(&s->t);
  ls__tp *p;
  int rc = ls__touched_get(s, id, false, &p);
  if (rc || p->refold) return rc;
  if (ls__grow((void **)&c->rows, &c->cap, c->n + 1, sizeof *c->rows) ||
      ls__grow((void **)&c->names.p, &c->names.cap, c->names.len + p->lead_id.len + 1, 1) ||
      ls__grow((void **)&c->states.p, &c->states.cap, c->states.len + s->ssize, 1))
    return LS_ENOMEM;
  ex_row *r = &c->rows[c->n++];
  r->off = c->names.len;
  r->len = p->lead_id.len;
  r->kind = p->row.lead_kind;
  if (p->lead_id.len) memcpy(c->names.p + c->names.len, p->lead_id.p, p->lead_id.len);
  c->names.len += p->lead_id.len;
  r->state = c->states.len;
  unsigned char *st = (unsigned char *)c->states.p + c->states.len;
  memcpy(st, p->state, s->ssize);
  c->states.len += s->ssize;
  ls_fold_advance(s->model, st, c->as_of, NULL);
  return LS_OK;
}

static int cmp_rows(const void *ctx, uint32_t i, uint32_t j) {
  const ex_ctx *e = ctx;
  const ex_row *x = &e->rows[i], *y = &e->rows[j];
  const char *nm = e->names.p;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = n ? memcmp(nm + x->off, nm + y->off, n) : 0;
  if (c) return c;
  if (x->len != y->len) return x->len < y->len ? -1 : 1;
  return (x->kind > y->kind) - (x->kind < y->kind);
}

typedef struct row_out {
  ls_buf *out;
  const ls_model *m;
} row_out;

static int write_row(void *ud, const ls_person_row *row) {
  row_out *o = ud;
  return ls_export_leads_row(o->m, row, o->out);
}

int ls_store_leads(ls_store *s, const ls_time *as_of,
                   int (*fn)(void *ud, const ls_person_row *row), void *ud) {
  ls_time at = as_of ? *as_of : s->clock;
  if (!s->has_clock) return LS_OK;
  if (ls_time_cmp(at, s->clock) < 0) { /* the past: replay the stored events */
    ls_replay *r = NULL;
    int rc = ls__store_replay(s, s->model, &at, &r);
    for (size_t i = 0; !rc && i < ls_replay_npersons(r); i++) {
      ls_person_row row = ls_replay_person(r, i);
      rc = fn(ud, &row);
    }
    if (r) ls_replay_destroy(r);
    return rc;
  }
  ex_ctx c = {s, at, NULL, 0, 0, {0}, {0}};
  ls_names *names = NULL;
  int rc = ls_store_categories(s, &names);
  if (!rc) rc = s->drv->person_scan(s->db, ex_person, &c);
  ls__touched_clear(&s->t);
  uint32_t *order = malloc((c.n ? c.n : 1) * sizeof *order);
  uint32_t *tmp = malloc((c.n ? c.n : 1) * sizeof *tmp);
  if (!rc && (!order || !tmp)) rc = LS_ENOMEM;
  if (!rc) {
    for (size_t i = 0; i < c.n; i++) order[i] = (uint32_t)i;
    ls__sort_u32(order, tmp, c.n, cmp_rows, &c); /* lead_id bytes, then kind */
  }
  for (size_t i = 0; i < c.n && !rc; i++) {
    const ex_row *r = &c.rows[order[i]];
    ls_person_row row = {{c.names.p + r->off, r->len}, c.states.p + r->state, names};
    rc = fn(ud, &row);
  }
  free(order);
  free(tmp);
  ls_names_destroy(names);
  free(c.rows);
  free(c.names.p);
  free(c.states.p);
  return rc;
}

int ls_store_export_leads(ls_store *s, const ls_time *as_of, ls_buf *out) {
  int rc = ls_export_leads_header(s->model, out);
  row_out o = {out, s->model};
  return rc ? rc : ls_store_leads(s, as_of, write_row, &o);
}

/* ---- verify ---- */

/* Splits `b` into lines; returns the count and fills starts. */
static size_t lines_of(const ls_buf *b, const char ***out) {
  size_t n = 0;
  for (size_t i = 0; i < b->len; i++) n += b->p[i] == '\n';
  const char **v = malloc((n + 1) * sizeof *v);
  if (!v) return (size_t)-1;
  size_t k = 0;
  if (b->len) v[k++] = b->p;
  for (size_t i = 0; i + 1 < b->len; i++)
    if (b->p[i] == '\n') v[k++] = b->p + i + 1;
  *out = v;
  return k;
}

static size_t line_len(const char *p) { return (size_t)(strchr(p, '\n') - p) + 1; }

/* The lead_id field of a CSV row, raw (quotes included). */
static ls_slice key_of(const char *p) {
  size_t i = 0;
  if (p[0] == '"') {
    for (i = 1; p[i] && !(p[i] == '"' && p[i + 1] != '"'); i += p[i] == '"' ? 2 : 1) {}
    i++;
  } else {
    while (p[i] && p[i] != ',' && p[i] != '\n') i++;
  }
  return (ls_slice){p, i};
}

static int key_cmp(ls_slice a, ls_slice b) {
  size_t n = a.n < b.n ? a.n : b.n;
  int c = memcmp(a.p, b.p, n);
  return c ? c : (a.n > b.n) - (a.n < b.n);
}

int ls_store_verify(ls_store *s, ls_buf *report, uint64_t *diffs) {
  ls_buf a = {0}, b = {0};
  *diffs = 0;
  const ls_time *at = s->has_clock ? &s->clock : NULL;
  int rc = export_replay(s, at, &a);
  if (!rc) rc = ls_store_export_leads(s, at, &b);
  const char **la = NULL, **lb = NULL;
  size_t na = 0, nb = 0;
  if (!rc) {
    ls_buf_append(&a, "", 1); /* NUL-terminate for strchr */
    ls_buf_append(&b, "", 1);
    a.len--, b.len--;
    na = lines_of(&a, &la);
    nb = lines_of(&b, &lb);
    if (na == (size_t)-1 || nb == (size_t)-1) rc = LS_ENOMEM;
  }
  /* Both exports are sorted by lead_id: a merge walk on it finds persons
   * that differ or exist on one side only. */
  for (size_t i = 0, j = 0; !rc && (i < na || j < nb);) {
    size_t li = i < na ? line_len(la[i]) : 0, lj = j < nb ? line_len(lb[j]) : 0;
    if (i < na && j < nb && li == lj && memcmp(la[i], lb[j], li) == 0) {
      i++, j++;
      continue;
    }
    (*diffs)++;
    int k = i >= na ? 1 : j >= nb ? -1 : key_cmp(key_of(la[i]), key_of(lb[j]));
    if (k <= 0) {
      ls_buf_append(report, "replay: ", 8);
      ls_buf_append(report, la[i], li);
      i++;
    }
    if (k >= 0) {
      ls_buf_append(report, "store:  ", 8);
      ls_buf_append(report, lb[j], lj);
      j++;
    }
  }
  free(la);
  free(lb);
  ls_buf_free(&a);
  ls_buf_free(&b);
  return rc;
}

/* ---- rejected lines, ledger and tasks ---- */

int ls_store_rejected(ls_store *s,
                      int (*fn)(void *ud, const char *source, uint64_t line,
                                const char *reason, ls_slice text),
                      void *ud) {
  return s->drv->rejected_scan(s->db, fn, ud);
}

static int cell(ls_buf *b, const char *p, size_t n, bool last) {
  int rc = ls_csv_safe_field(b, p ? p : "", p ? n : 0);
  return rc ? rc : ls_buf_append(b, last ? "\n" : ",", 1);
}
static int cells(ls_buf *b, const char *s, bool last) {
  return cell(b, s, s ? strlen(s) : 0, last);
}
static int num(ls_buf *b, int64_t v, bool last) {
  char t[32];
  int k = snprintf(t, sizeof t, "%lld", (long long)v);
  return cell(b, t, (size_t)k, last);
}
static int when(ls_buf *b, ls_time t, bool last) {
  char s[LS_TIME_FMT_MAX];
  return cell(b, s, ls_time_format(t, s), last);
}

static int ledger_row(void *ud, ls_slice lead, const ls_store_ledger *e) {
  ls_buf *b = ud;
  const char *kind = e->kind == 'p'   ? "points"
                     : e->kind == 'c' ? "capped"
                     : e->kind == 'b' ? "bounded"
                     : e->kind == 'f' ? "fit"
                     : e->kind == 'd' ? "decay"
                     : e->kind == 'w' ? "window"
                     : e->kind == 'e' ? "evicted"
                                      : "stage";
  bool st = e->kind == 's';
  int rc = cell(b, lead.p, lead.n, false);
  if (!rc) rc = num(b, e->n, false);
  if (!rc) rc = when(b, e->time, false);
  if (!rc) rc = cells(b, kind, false);
  if (!rc) rc = cells(b, e->rule, false);
  if (!rc) rc = st ? cells(b, "", false) : num(b, e->points, false);
  if (!rc) rc = st ? cells(b, "", false) : num(b, e->after, false);
  if (!rc) rc = cells(b, st ? e->from_stage : "", false);
  if (!rc) rc = cells(b, st ? e->to_stage : "", false);
  if (!rc) rc = cells(b, st ? (e->mql ? "1" : "0") : "", false);
  if (!rc) rc = cell(b, e->event_id.p, e->event_id.n, false);
  if (!rc) rc = num(b, e->model_version, false);
  if (!rc) rc = cell(b, e->category_name.p, e->category_name.n, true);
  return rc;
}

/* Tasks: the workflow's (workflow.c derives them from the ledger), with
 * what was done. */
static int task_csv(void *ud, const ls_wf_task *t) {
  ls_buf *b = ud;
  bool cancelled = !strcmp(t->status, "cancelled");
  int rc = cell(b, t->lead.p, t->lead.n, false);
  if (!rc) rc = cells(b, t->stage, false);
  if (!rc) rc = when(b, t->entered, false);
  if (!rc) rc = num(b, t->day, false);
  if (!rc) rc = when(b, t->due, false);
  if (!rc) rc = cells(b, t->task, false);
  if (!rc) rc = cells(b, t->note, false);
  if (!rc) rc = cells(b, t->status, false);
  if (!rc) rc = cancelled ? when(b, t->left_at, false) : cells(b, "", false);
  if (!rc) rc = cells(b, t->id, false);
  if (!rc) rc = cells(b, t->channel, false);
  if (!rc) rc = cells(b, t->owner, false);
  if (!rc) rc = cells(b, t->outcome, true);
  return rc;
}

int ls_store_export_csv(ls_store *s, const char *what, ls_buf *out) {
  if (strcmp(what, "ledger") == 0) {
    static const char head[] = "lead_id,n,time,kind,rule,points,score_after,from_stage,"
                               "to_stage,mql,event_id,model_version,category\n";
    int rc = ls_buf_append(out, head, sizeof head - 1);
    return rc ? rc : s->drv->ledger_scan(s->db, NULL, ledger_row, out);
  }
  if (strcmp(what, "tasks") == 0) {
    static const char head[] = "lead_id,stage,entered_at,day,due_at,task,note,status,"
                               "cancelled_at,task_id,channel,owner,outcome\n";
    int rc = ls_buf_append(out, head, sizeof head - 1);
    return rc ? rc : ls_store_tasks(s, 0, task_csv, out);
  }
  return LS_EINVAL;
}
