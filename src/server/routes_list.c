/* GET /v1/leads: filters, sorting and cursor pages over the leads index
 * (leads_index.h), as JSON or the leads CSV; with as_of, a scan of the
 * store at that time (lead id order only). */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/workflow.h"
#include "server/crypto.h"
#include "server/internal.h"

ls_time ls__read_time(ls_server *s, ls_store *st) {
  ls_time clock = {0, 0};
  bool has = ls_store_clock(st, &clock);
  if (s->cfg.event_clock) return clock;
  int64_t ms = ls__now_ms();
  ls_time now = {ms / 1000, (int32_t)(ms % 1000) * 1000000};
  return has && ls_time_cmp(clock, now) > 0 ? clock : now;
}

static ls_time at_of(void *ud, ls_store *st) { return ls__read_time(ud, st); }

/* ---- query parameters ---- */

typedef struct query {
  const char *stage, *grade, *cell, *category, *format, *cursor, *owner, *sort;
  bool has_min, has_max, has_updated, has_as_of;
  int64_t min, max;
  int score; /* the score min/max and sort read; -2: named in score_name */
  char score_name[64];
  size_t limit;
  ls_time updated, as_of;
  char bad[256];
} query;

static enum MHD_Result on_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                              const char *value) {
  (void)kind;
  query *q = cls;
  const char *v = value ? value : "";
  char *end = NULL;
  if (q->bad[0]) return MHD_YES;
  if (!strcmp(key, "stage")) q->stage = v;
  else if (!strcmp(key, "grade")) q->grade = v;
  else if (!strcmp(key, "cell")) q->cell = v;
  else if (!strcmp(key, "category")) q->category = v;
  else if (!strcmp(key, "owner")) q->owner = v;
  else if (!strcmp(key, "format")) q->format = v;
  else if (!strcmp(key, "cursor")) q->cursor = v;
  else if (!strcmp(key, "sort")) q->sort = v;
  else if (!strcmp(key, "score")) q->score = -2, snprintf(q->score_name, sizeof q->score_name, "%s", v);
  else if (!strcmp(key, "min_score") || !strcmp(key, "max_score")) {
    long long x = strtoll(v, &end, 10);
    if (!*v || *end) snprintf(q->bad, 100, "%s must be an integer, not \"%.40s\"", key, v);
    else if (key[1] == 'i') q->has_min = true, q->min = x;
    else q->has_max = true, q->max = x;
  } else if (!strcmp(key, "limit")) {
    unsigned long long x = strtoull(v, &end, 10);
    if (!*v || *end || x == 0 || x > 10000) snprintf(q->bad, 100, "limit must be 1 to 10000");
    else q->limit = (size_t)x;
  } else if (!strcmp(key, "updated_since") || !strcmp(key, "as_of")) {
    ls_time t;
    if (ls_time_parse(v, strlen(v), &t))
      snprintf(q->bad, 100, "%s: invalid time \"%.40s\" (RFC 3339)", key, v);
    else if (key[0] == 'u') q->has_updated = true, q->updated = t;
    else q->has_as_of = true, q->as_of = t;
  } else {
    snprintf(q->bad, sizeof q->bad,
             "unknown parameter \"%.40s\" (known: stage, min_score, max_score, score, grade, "
             "cell, category, owner, updated_since, as_of, sort, cursor, limit, format)",
             key);
  }
  return MHD_YES;
}

/* ---- owner=: the lead ids of the owner's persons, sorted ---- */

typedef struct owned {
  ls_buf text; /* NUL-terminated lead ids */
  size_t *off, n, cap;
  const char **v;
} owned;

static int on_owned(void *ud, ls_slice lead) {
  owned *o = ud;
  if (memchr(lead.p, 0, lead.n)) return LS_OK;
  if (ls__grow((void **)&o->off, &o->cap, o->n + 1, sizeof *o->off)) return LS_ENOMEM;
  o->off[o->n++] = o->text.len;
  int rc = ls_buf_append(&o->text, lead.p, lead.n);
  return rc ? rc : ls_buf_append(&o->text, "", 1);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int owned_load(ls_store *st, const char *owner, owned *o) {
  int rc = ls_store_owned_by(st, owner, on_owned, o);
  if (!rc && o->n && !(o->v = malloc(o->n * sizeof *o->v))) rc = LS_ENOMEM;
  for (size_t i = 0; !rc && i < o->n; i++) o->v[i] = o->text.p + o->off[i];
  if (!rc && o->n) qsort(o->v, o->n, sizeof *o->v, cmp_str);
  return rc;
}

static void owned_free(owned *o) {
  ls_buf_free(&o->text);
  free(o->off);
  free(o->v);
}

static bool is_owned(void *ud, ls_slice lead) {
  const owned *o = ud;
  size_t lo = 0, hi = o->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2, n = strlen(o->v[mid]), k = n < lead.n ? n : lead.n;
    int d = k ? memcmp(o->v[mid], lead.p, k) : 0;
    if (!d) d = (n > lead.n) - (n < lead.n);
    if (!d) return true;
    if (d < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/* ---- cursors: hex of "SORT|KEY|KEY2|PERSON|LEAD" ---- */

static const char *const sorts[] = {"lead_id", "score", "updated"};

static int cursor_put(ls_buf *out, const ls__lquery *lq, const ls__lpage *pg, ls_slice lead) {
  ls_buf t = {0};
  int rc = ls_buf_appendf(&t, "%s%s|%" PRId64 "|%" PRId32 "|%" PRId64 "|", lq->desc ? "-" : "",
                          sorts[lq->sort], pg->last_key, pg->last_key2,
                          pg->persons[pg->n - 1]);
  if (!rc) rc = ls_buf_append(&t, lead.p, lead.n);
  char *hex = rc ? NULL : malloc(2 * t.len + 1);
  if (!rc && !hex) rc = LS_ENOMEM;
  if (!rc) {
    ls__hex((const unsigned char *)t.p, t.len, hex);
    rc = ls_buf_appendf(out, "%s", hex);
  }
  free(hex);
  ls_buf_free(&t);
  return rc;
}

/* Decodes q->cursor into lq (whose sort is set); false when it is not one
 * this server gave for that sort. `raw` keeps the decoded bytes. */
static bool cursor_get(const char *cursor, ls__lquery *lq, ls_buf *raw) {
  size_t n = strlen(cursor);
  if (n % 2 || strspn(cursor, "0123456789abcdef") != n) return false;
  for (size_t i = 0; i < n; i += 2) {
    unsigned x = 0;
    sscanf(cursor + i, "%2x", &x);
    char ch = (char)x;
    if (ls_buf_append(raw, &ch, 1)) return false;
  }
  if (ls_buf_append(raw, "", 1)) return false; /* NUL for the number parsing */
  raw->len--;
  char want[16];
  snprintf(want, sizeof want, "%s%s|", lq->desc ? "-" : "", sorts[lq->sort]);
  size_t wn = strlen(want);
  if (raw->len < wn || memcmp(raw->p, want, wn)) return false;
  char *p = raw->p + wn, *end;
  long long k = strtoll(p, &end, 10);
  if (end == p || *end != '|') return false;
  long k2 = strtol(p = end + 1, &end, 10);
  if (end == p || *end != '|') return false;
  long long person = strtoll(p = end + 1, &end, 10);
  if (end == p || *end != '|') return false;
  lq->has_after = true;
  lq->after_key = k;
  lq->after_key2 = (int32_t)k2;
  lq->after_person = person;
  lq->after_lead = (ls_slice){end + 1, (size_t)(raw->p + raw->len - (end + 1))};
  return true;
}

/* sort=lead_id|score|updated, '-' first for descending; default lead_id. */
static bool sort_get(const char *s, ls__lquery *lq) {
  if (!s) return true;
  lq->desc = *s == '-';
  if (lq->desc) s++;
  for (int i = 0; i < 3; i++)
    if (!strcmp(s, sorts[i])) return lq->sort = i, true;
  return false;
}

/* ---- the answer ---- */

typedef struct page_out {
  ls_store *st;
  const ls_model *m;
  ls_names *names;
  ls_buf *out;
  bool csv;
  unsigned char *state;
  ls_buf lead, owner, team;
} page_out;

static int row_out(page_out *o, int64_t person, ls_time at, size_t i) {
  o->lead.len = o->owner.len = o->team.len = 0;
  int rc = ls_store_person_state(o->st, person, &at, o->state, &o->lead);
  if (rc) return rc;
  ls_slice lead = {o->lead.p ? o->lead.p : "", o->lead.len};
  if (o->csv) {
    ls_person_row row = {lead, o->state, o->names};
    return ls_export_leads_row(o->m, &row, o->out);
  }
  rc = ls_buf_append(o->out, i ? ",{\"lead_id\":" : "{\"lead_id\":", i ? 12 : 11);
  if (!rc) rc = ls__json_str(o->out, lead.p, lead.n);
  if (!rc) rc = ls_buf_append(o->out, ",", 1);
  if (!rc) rc = ls__person_members(o->m, o->state, o->names, o->out);
  /* (not ls_store_owner: a read does not assign one) */
  int orc = rc ? rc : ls_store_owner_recorded(o->st, person, &o->owner, &o->team);
  if (!rc && orc && orc != LS_ENOTFOUND) rc = orc;
  if (!rc) rc = ls_buf_append(o->out, ",\"owner\":", 9);
  if (!rc) rc = !orc && o->owner.len ? ls__json_str(o->out, o->owner.p, o->owner.len)
                                     : ls_buf_append(o->out, "null", 4);
  return rc ? rc : ls_buf_append(o->out, "}", 1);
}

/* as_of: the store's scan at that time, lead id order, cursor = hex lead */
typedef struct scan_ctx {
  const ls_model *m;
  query *q;
  owned *own;
  page_out *o;
  ls_buf after;
  bool has_after, more;
  size_t n;
  ls_buf last;
} scan_ctx;

#define LS__STOP 1 /* not an error: the page is full */

static int on_scanned(void *ud, const ls_person_row *row) {
  scan_ctx *c = ud;
  const ls_model *m = c->m;
  query *q = c->q;
  if (c->has_after) {
    size_t cn = c->after.len, n = row->lead_id.n < cn ? row->lead_id.n : cn;
    int cmp = n ? memcmp(row->lead_id.p, c->after.p, n) : 0;
    if (cmp < 0 || (cmp == 0 && row->lead_id.n <= cn)) return 0;
  }
  if (q->stage && strcmp(q->stage, ls_model_stage_name(m, ls_fold_stage(m, row->state))))
    return 0;
  int64_t v = ls_fold_score(m, row->state, (size_t)q->score);
  if ((q->has_min && v < q->min) || (q->has_max && v > q->max)) return 0;
  if (q->grade && strcmp(q->grade, ls_fold_grade(m, row->state, 0))) return 0;
  if (q->owner && !is_owned(c->own, row->lead_id)) return 0;
  ls_time t;
  if (q->has_updated &&
      (!ls_fold_last_activity(m, row->state, &t) || ls_time_cmp(t, q->updated) < 0))
    return 0;
  if (c->n == q->limit) return c->more = true, LS__STOP;
  int rc;
  if (c->o->csv) {
    rc = ls_export_leads_row(m, row, c->o->out);
  } else {
    rc = ls_buf_append(c->o->out, c->n ? ",{\"lead_id\":" : "{\"lead_id\":", c->n ? 12 : 11);
    if (!rc) rc = ls__json_str(c->o->out, row->lead_id.p, row->lead_id.n);
    if (!rc) rc = ls_buf_append(c->o->out, ",", 1);
    if (!rc) rc = ls__person_members(m, row->state, row->categories, c->o->out);
    if (!rc) rc = ls_buf_append(c->o->out, "}", 1);
  }
  c->last.len = 0;
  if (!rc) rc = ls_buf_append(&c->last, row->lead_id.p, row->lead_id.n);
  c->n++;
  return rc;
}

static int list_as_of(ls_store *st, query *q, owned *own, page_out *o, char **next) {
  scan_ctx c = {o->m, q, own, o, {0}, false, false, 0, {0}};
  int rc = LS_OK;
  if (q->cursor) { /* the hex of the last lead id */
    size_t n = strlen(q->cursor);
    if (n % 2 || strspn(q->cursor, "0123456789abcdef") != n) rc = LS_EINVAL;
    for (size_t i = 0; !rc && i < n; i += 2) {
      unsigned x = 0;
      sscanf(q->cursor + i, "%2x", &x);
      char ch = (char)x;
      rc = ls_buf_append(&c.after, &ch, 1);
    }
    c.has_after = true;
  }
  if (!rc) rc = ls_store_leads(st, &q->as_of, on_scanned, &c);
  if (rc == LS__STOP) rc = LS_OK;
  if (!rc && c.more && !(*next = malloc(2 * c.last.len + 1))) rc = LS_ENOMEM;
  if (!rc && c.more) ls__hex((const unsigned char *)c.last.p, c.last.len, *next);
  ls_buf_free(&c.after);
  ls_buf_free(&c.last);
  return rc;
}

/* Validates q against the model; fills lq. */
static void check(query *q, const ls_model *m, ls_store *st, ls__lquery *lq, bool csv) {
  if (q->score == -2) { /* score=NAME */
    q->score = -1;
    for (size_t i = 0; i < ls_model_nscores(m); i++)
      if (!strcmp(ls_model_score_name(m, i), q->score_name)) q->score = (int)i;
    if (q->score < 0)
      snprintf(q->bad, 100, "score: the model has no score \"%.40s\"", q->score_name);
  }
  if (!q->bad[0] && q->format && !csv && strcmp(q->format, "json"))
    snprintf(q->bad, 100, "format must be json or csv");
  if (!q->bad[0] && q->grade && !ls_model_ngrades(m))
    snprintf(q->bad, 100, "grade: the model has no grades");
  if (!q->bad[0] && !sort_get(q->sort, lq))
    snprintf(q->bad, 100, "sort must be lead_id, score or updated (- first: descending)");
  if (!q->bad[0] && q->has_as_of && (q->sort || q->cell || q->category))
    snprintf(q->bad, 100, "as_of reads the store in lead id order: no sort, cell or category");
  ls_time clock;
  if (!q->bad[0] && q->has_as_of && ls_store_clock(st, &clock) &&
      ls_time_cmp(q->as_of, clock) < 0)
    snprintf(q->bad, 100, "as_of is before the store's clock: use leadscore export --as-of");
  if (q->score < 0) q->score = 0;
  if (!q->limit) q->limit = csv ? SIZE_MAX : 100;
  lq->stage = q->stage, lq->grade = q->grade, lq->cell = q->cell, lq->category = q->category;
  lq->score = (size_t)q->score;
  lq->has_min = q->has_min, lq->min = q->min;
  lq->has_max = q->has_max, lq->max = q->max;
  lq->has_updated = q->has_updated, lq->updated = q->updated;
  lq->limit = q->limit;
}

enum MHD_Result ls__route_leads(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  query q = {0};
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, on_arg, &q);
  ls_store *st = ls__reader_get(r->srv);
  if (!st) return ls__error(c, r, 503, "the store cannot be read");
  const ls_model *m = ls_store_model(st);
  bool csv = q.format && !strcmp(q.format, "csv");
  ls__lquery lq;
  memset(&lq, 0, sizeof lq);
  check(&q, m, st, &lq, csv);
  ls_buf raw = {0};
  if (!q.bad[0] && q.cursor && !q.has_as_of && !cursor_get(q.cursor, &lq, &raw))
    snprintf(q.bad, 100, "cursor: not a cursor this server gave for this sort");
  if (q.bad[0]) {
    ls__reader_put(r->srv, st);
    ls_buf_free(&raw);
    return ls__error(c, r, 400, "%s", q.bad);
  }
  owned own = {0};
  ls_buf out = {0};
  page_out o = {st, m, NULL, &out, csv, malloc(ls_fold_state_size(m)), {0}, {0}, {0}};
  int rc = o.state ? LS_OK : LS_ENOMEM;
  if (!rc) rc = ls_store_categories(st, &o.names);
  if (!rc && q.owner) rc = owned_load(st, q.owner, &own);
  lq.lead_ok = q.owner ? is_owned : NULL;
  lq.lead_ud = &own;
  if (!rc) rc = csv ? ls_export_leads_header(m, &out) : ls_buf_append(&out, "{\"leads\":[", 10);
  char *next = NULL;
  ls__lpage pg = {0};
  const char *bad = NULL;
  if (!rc && q.has_as_of) rc = list_as_of(st, &q, &own, &o, &next);
  else if (!rc) rc = ls__lindex_query(r->srv->lindex, st, at_of, r->srv, &lq, &pg, &bad);
  for (size_t i = 0; !rc && i < pg.n; i++) rc = row_out(&o, pg.persons[i], pg.at, i);
  if (!rc && pg.more) { /* the next page starts after the last row */
    ls_buf nb = {0};
    rc = cursor_put(&nb, &lq, &pg, (ls_slice){o.lead.p ? o.lead.p : "", o.lead.len});
    next = rc ? NULL : nb.p;
    if (rc) ls_buf_free(&nb);
  }
  if (!rc && !csv) {
    rc = ls_buf_append(&out, "],\"next_cursor\":", 16);
    if (!rc) rc = next ? ls_buf_appendf(&out, "\"%s\"", next) : ls_buf_append(&out, "null", 4);
    if (!rc && !q.has_as_of) rc = ls_buf_appendf(&out, ",\"total\":%" PRIu64, pg.total);
    if (!rc) rc = ls_buf_append(&out, "}\n", 2);
  }
  ls__reader_put(r->srv, st);
  ls__lpage_free(&pg);
  ls_names_destroy(o.names);
  free(o.state);
  ls_buf_free(&o.lead);
  ls_buf_free(&o.owner);
  ls_buf_free(&o.team);
  ls_buf_free(&raw);
  owned_free(&own);
  if (rc) {
    ls_buf_free(&out);
    free(next);
    if (rc == LS_EINVAL && q.has_as_of) return ls__error(c, r, 400, "cursor: not a cursor this server gave");
    return ls__error(c, r, 500, "%s", bad ? bad : ls_strerror(rc));
  }
  enum MHD_Result ok =
      csv && next ? ls__respond_h(c, r, 200, "text/csv; charset=utf-8", &out, "X-Next-Cursor", next)
                  : ls__respond(c, r, 200, csv ? "text/csv; charset=utf-8" : "application/json",
                                &out);
  free(next);
  return ok;
}
