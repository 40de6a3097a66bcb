/* Looking one person up: by any identity, and everything `show` prints. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "store/store_internal.h"

static int find_kind(ls_store *s, int kind, ls_slice v, int64_t *person) {
  return v.n ? s->drv->ident_find(s->db, kind, v, person) : LS_ENOTFOUND;
}

/* E-mails are stored trimmed and lower-cased (spec §9). */
static int find_email(ls_store *s, ls_slice v, int64_t *person) {
  size_t a = 0, b = v.n;
  while (a < b && strchr(" \t\n\r\f\v", v.p[a]) && v.p[a]) a++;
  while (b > a && strchr(" \t\n\r\f\v", v.p[b - 1]) && v.p[b - 1]) b--;
  char *buf = malloc(b - a + 1);
  if (!buf) return LS_ENOMEM;
  for (size_t i = a; i < b; i++)
    buf[i - a] = (v.p[i] >= 'A' && v.p[i] <= 'Z') ? (char)(v.p[i] + 32) : v.p[i];
  int rc = find_kind(s, 1, (ls_slice){buf, b - a}, person);
  free(buf);
  return rc;
}

static bool strip(ls_slice v, const char *pre, ls_slice *rest) {
  size_t n = strlen(pre);
  if (v.n < n || memcmp(v.p, pre, n)) return false;
  *rest = (ls_slice){v.p + n, v.n - n};
  return true;
}

int ls_store_find(ls_store *s, ls_slice id, int64_t *person) {
  ls_slice rest;
  if (strip(id, "lead:", &rest)) return find_kind(s, 0, rest, person);
  if (strip(id, "email:", &rest)) return find_email(s, rest, person);
  if (strip(id, "anon:", &rest)) return find_kind(s, 2, rest, person);
  int rc = find_kind(s, 0, id, person);
  if (rc == LS_ENOTFOUND) rc = find_email(s, id, person);
  if (rc == LS_ENOTFOUND) rc = find_kind(s, 2, id, person);
  return rc;
}

/* ---- show ---- */

#define KEY(k) {k, sizeof k - 1}
/* the attributes `show` lists, as a parser schema (borrowed by the parser
 * for its lifetime; each .p is a NUL-terminated literal) */
static const ls_slice attr_slices[] = {
    KEY("first_name"), KEY("last_name"), KEY("company"),   KEY("title"), KEY("industry"),
    KEY("country"),    KEY("employees"), KEY("phone"),     KEY("source")};
#define NATTR (sizeof attr_slices / sizeof *attr_slices)
static const ls_event_schema attr_schema = {NULL, 0, attr_slices, NATTR};

typedef struct show_ctx {
  const ls_store_show_sink *sink;
  ls_event_parser *p;
  ls__bytes val[NATTR];
  int rc;
  int64_t version;
} show_ctx;

static int on_ident(void *ud, int kind, ls_slice v) {
  static const char *const prefix[3] = {"lead:", "email:", "anon:"};
  show_ctx *c = ud;
  ls__bytes b = {0};
  size_t pl = strlen(prefix[kind % 3]);
  int rc = ls__bytes_set(&b, prefix[kind % 3], pl);
  if (!rc) rc = ls__grow((void **)&b.p, &b.cap, pl + v.n, 1);
  if (!rc) {
    memcpy(b.p + pl, v.p, v.n);
    rc = c->sink->identity(c->sink->ud, (ls_slice){b.p, pl + v.n});
  }
  free(b.p);
  return rc;
}

/* The latest string value of each attribute, events in (time, id) order. */
static int on_event(void *ud, ls_slice line) {
  show_ctx *c = ud;
  ls_event_fields f;
  if (ls_event_parse(c->p, line.p, line.n, &f) != LS_LINE_EVENT) return LS_EIO;
  for (size_t i = 0; i < NATTR; i++)
    if (f.attrs[i].kind == LS_J_STRING || f.attrs[i].kind == LS_J_NUMBER)
      if (ls__bytes_set(&c->val[i], f.attrs[i].s.p, f.attrs[i].s.n)) return LS_ENOMEM;
  return LS_OK;
}

static int on_ledger(void *ud, ls_slice lead, const ls_store_ledger *e) {
  (void)lead;
  show_ctx *c = ud;
  if (e->model_version != c->version) return LS_OK; /* earlier models: export ledger */
  return c->sink->ledger(c->sink->ud, e);
}

int ls_store_show(ls_store *s, int64_t person, const ls_store_show_sink *sink, void *state,
                  ls_buf *lead_id) {
  /* one parser per store, kept: a server shows persons all day */
  if (!s->show_parser && !(s->show_parser = ls_event_parser_new(&attr_schema))) return LS_ENOMEM;
  show_ctx c = {sink, s->show_parser, {{0}}, LS_OK, s->model_version};
  ls__touched_clear(&s->t);
  ls__tp *p;
  int rc = ls__touched_get(s, person, false, &p);
  if (!rc && p->missing) rc = LS_ENOTFOUND; /* merged away or erased */
  if (!rc) {
    memcpy(state, p->state, s->ssize);
    if (s->has_clock) ls_fold_advance(s->model, state, s->clock, NULL);
    rc = ls_buf_append(lead_id, p->lead_id.p ? p->lead_id.p : "", p->lead_id.len);
  }
  if (!rc && sink->identity) rc = s->drv->ident_scan(s->db, person, on_ident, &c);
  if (!rc && sink->attribute) rc = ls__store_history(s, p, on_event, &c);
  for (size_t i = 0; i < NATTR && !rc && sink->attribute; i++)
    if (c.val[i].p) rc = sink->attribute(sink->ud, attr_slices[i].p, (ls_slice){c.val[i].p, c.val[i].len});
  if (!rc && sink->ledger) rc = s->drv->ledger_scan(s->db, &p->row, on_ledger, &c);
  ls__touched_clear(&s->t);
  for (size_t i = 0; i < NATTR; i++) free(c.val[i].p);
  return rc;
}

static int person_state(ls_store *s, int64_t person, bool advance, const ls_time *at,
                        void *state, ls_buf *lead_id) {
  ls__touched_clear(&s->t);
  ls__tp *p;
  int rc = ls__touched_get(s, person, false, &p);
  if (!rc && p->missing) rc = LS_ENOTFOUND; /* merged away or erased */
  if (!rc) {
    memcpy(state, p->state, s->ssize);
    ls_time to = at ? *at : s->clock;
    if (advance && (at || s->has_clock)) ls_fold_advance(s->model, state, to, NULL);
    rc = ls_buf_append(lead_id, p->lead_id.p ? p->lead_id.p : "", p->lead_id.len);
  }
  ls__touched_clear(&s->t);
  return rc;
}

int ls_store_person_state(ls_store *s, int64_t person, const ls_time *at, void *state,
                          ls_buf *lead_id) {
  return person_state(s, person, true, at, state, lead_id);
}

int ls_store_person_stored(ls_store *s, int64_t person, void *state, ls_buf *lead_id) {
  return person_state(s, person, false, NULL, state, lead_id);
}

int ls_store_forget(ls_store *s, int64_t person, ls_time at, int64_t *events) {
  char t[LS_TIME_FMT_MAX];
  ls_time_format(at, t);
  int rc = ls__tx_begin(s);
  ls__touched_clear(&s->t);
  ls__tp *p;
  if (!rc) rc = ls__touched_get(s, person, false, &p);
  if (!rc) rc = s->drv->person_erase(s->db, &p->row, t, events);
  if (!rc && s->person_hook) s->person_hook(s->person_ud, person);
  ls__store_forget_caches(s); /* its identities are gone */
  ls__touched_clear(&s->t);
  return ls__tx_end(s, rc);
}

typedef struct each_ctx {
  int (*fn)(void *ud, int64_t person, ls_slice lead_id, const void *state);
  void *ud;
} each_ctx;

static int on_each(void *ud, const ls_store_person *p) {
  each_ctx *c = ud;
  return c->fn(c->ud, p->id, p->lead_id, p->state);
}

int ls_store_person_each(ls_store *s,
                         int (*fn)(void *ud, int64_t person, ls_slice lead_id,
                                   const void *state),
                         void *ud) {
  each_ctx c = {fn, ud};
  return s->drv->person_each(s->db, s->ssize, on_each, &c);
}

int ls_store_models(ls_store *s, int (*fn)(void *ud, int64_t version, const char *text,
                                           size_t len),
                    void *ud) {
  return s->drv->model_scan(s->db, fn, ud);
}
