/* Writes over HTTP: POST /v1/events, POST /v1/leads/{id}/events (sales
 * events) and DELETE /v1/leads/{id}. The body is checked here, on the
 * HTTP threads (a body that is not JSON is refused whole, with where);
 * the events go to the writer, and the connection waits, suspended, until
 * the group they are in is durable. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "leadscore/workflow.h"
#include "server/internal.h"

/* "application/json" (an array), JSON Lines, or neither (415). */
static int body_kind(const char *ctype) {
  if (!ctype) return -1;
  size_t n = strcspn(ctype, "; ");
  if (n == 16 && !strncasecmp(ctype, "application/json", 16)) return 1;
  static const char *const lines[] = {"application/x-ndjson", "application/jsonl",
                                      "application/x-jsonlines", "application/jsonlines"};
  for (size_t i = 0; i < 4; i++)
    if (strlen(lines[i]) == n && !strncasecmp(ctype, lines[i], n)) return 0;
  return -1;
}

static bool blank(ls_slice l) {
  for (size_t i = 0; i < l.n; i++)
    if (l.p[i] != ' ' && l.p[i] != '\t' && l.p[i] != '\r' && l.p[i] != '\n') return false;
  return true;
}

/* 1-based line and column of byte off in p. */
static void where(const char *p, size_t off, size_t *line, size_t *col) {
  *line = 1;
  size_t start = 0;
  for (size_t i = 0; i < off; i++)
    if (p[i] == '\n') (*line)++, start = i + 1;
  *col = off - start + 1;
}

/* Splits and checks the body into a job; on a bad body responds and
 * returns NULL with *answered set. */
static ls__job *make_job(struct MHD_Connection *c, ls__req *r, const char *ctype,
                         enum MHD_Result *answered) {
  ls_server *s = r->srv;
  int kind = body_kind(ctype);
  if (kind < 0) {
    *answered = ls__error(c, r, 415, "Content-Type must be application/json (an array of "
                                     "events) or application/x-ndjson (JSON Lines), not \"%s\"",
                          ctype ? ctype : "");
    return NULL;
  }
  ls__body b = {0};
  size_t skip = r->body.len >= 3 && !memcmp(r->body.p, "\xEF\xBB\xBF", 3) ? 3 : 0; /* a BOM */
  int rc = ls__body_split(&b, r->body.p ? r->body.p + skip : "", r->body.len - skip, kind == 1,
                          s->cfg.max_events);
  if (rc == LS_ERANGE) {
    ls__body_free(&b);
    *answered = ls__error(c, r, 413, "more than %zu events in one request", s->cfg.max_events);
    return NULL;
  }
  if (rc) {
    size_t line, col;
    b.err_off += skip;
    where(r->body.p ? r->body.p : "", b.err_off, &line, &col);
    *answered = rc == LS_EINVAL
                    ? ls__error(c, r, 400, "invalid JSON at byte %zu (line %zu, column %zu): %s",
                                b.err_off, line, col, b.err)
                    : ls__error(c, r, 500, "%s", ls_strerror(rc));
    ls__body_free(&b);
    return NULL;
  }
  ls__job *j = calloc(1, sizeof *j);
  if (j && b.n) {
    j->lines = malloc(b.n * sizeof *j->lines);
    j->lens = malloc(b.n * sizeof *j->lens);
    j->index = malloc(b.n * sizeof *j->index);
  }
  if (!j || (b.n && (!j->lines || !j->lens || !j->index))) {
    ls__job_free(j);
    ls__body_free(&b);
    *answered = ls__error(c, r, 500, "out of memory");
    return NULL;
  }
  /* JSON is checked here, the events themselves by the store */
  ls_event_schema none = {NULL, 0, NULL, 0};
  ls_event_parser *ep = ls_event_parser_new(&none);
  for (size_t i = 0; i < b.n && ep; i++) {
    if (blank(b.items[i])) continue;
    ls_event_fields f;
    if (ls_event_parse(ep, b.items[i].p, b.items[i].n, &f) == LS_LINE_REJECT) {
      const char *why = ls_event_parser_reason(ep);
      const char *colp = strstr(why, "at column ");
      if (colp && (!strncmp(why, "invalid JSON", 12) || !strncmp(why, "invalid UTF-8", 13))) {
        size_t off = (size_t)(b.items[i].p - r->body.p) + strtoull(colp + 10, NULL, 10) - 1;
        size_t line, col;
        where(r->body.p, off, &line, &col);
        *answered = ls__error(c, r, 400, "invalid JSON at byte %zu (line %zu, column %zu): %s",
                              off, line, col, why);
        ls_event_parser_destroy(ep);
        ls__job_free(j);
        ls__body_free(&b);
        return NULL;
      }
    }
    j->lines[j->n] = b.items[i].p;
    j->lens[j->n] = b.items[i].n;
    j->index[j->n++] = i;
  }
  bool oom = !ep;
  ls_event_parser_destroy(ep);
  ls__body_free(&b);
  if (oom) {
    ls__job_free(j);
    *answered = ls__error(c, r, 500, "out of memory");
    return NULL;
  }
  j->kind = LS__J_INGEST;
  j->conn = c;
  return j;
}

static enum MHD_Result submit(struct MHD_Connection *c, ls__req *r, ls__job *j) {
  r->job = j;
  MHD_suspend_connection(c);
  ls__writer_submit(r->srv, j);
  return MHD_YES;
}

static const char *content_type(struct MHD_Connection *c) {
  return MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
}

enum MHD_Result ls__route_events(struct MHD_Connection *c, ls__req *r, const char *id) {
  (void)id;
  const char *ctype = content_type(c);
  enum MHD_Result answered = MHD_NO;
  ls__job *j = make_job(c, r, ctype, &answered);
  return j ? submit(c, r, j) : answered;
}

/* The person's lead id, as an identity member to add to events without one. */
static int identity_member(ls_server *s, const char *who, ls_buf *member, char **lead) {
  ls_store *st = ls__reader_get(s);
  if (!st) return LS_EIO;
  int64_t p = 0;
  int rc = ls_store_find(st, (ls_slice){who, strlen(who)}, &p);
  ls_buf id = {0};
  unsigned char *state = NULL;
  if (!rc && !(state = malloc(ls_fold_state_size(ls_store_model(st))))) rc = LS_ENOMEM;
  if (!rc) rc = ls_store_person_state(st, p, NULL, state, &id);
  ls__reader_put(s, st);
  free(state);
  if (!rc) {
    const char *key = "lead";
    size_t skip = 0;
    if (id.len > 6 && !memcmp(id.p, "email:", 6)) key = "email", skip = 6;
    else if (id.len > 5 && !memcmp(id.p, "anon:", 5)) key = "anonymous_id", skip = 5;
    rc = ls_buf_appendf(member, "\"%s\":", key);
    if (!rc) rc = ls__json_str(member, id.p + skip, id.len - skip);
    if (!rc) rc = ls_buf_append(member, ",", 1);
    if (!rc && !(*lead = strndup(id.p, id.len))) rc = LS_ENOMEM;
  }
  ls_buf_free(&id);
  return rc;
}

enum MHD_Result ls__route_sales(struct MHD_Connection *c, ls__req *r, const char *who) {
  const char *ctype = content_type(c);
  ls_buf member = {0};
  char *lead = NULL;
  int rc = identity_member(r->srv, who, &member, &lead);
  if (rc) {
    ls_buf_free(&member);
    return rc == LS_ENOTFOUND ? ls__error(c, r, 404, "no person has the identity \"%s\"", who)
                              : ls__error(c, r, 503, "the store cannot be read");
  }
  enum MHD_Result answered = MHD_NO;
  ls__job *j = make_job(c, r, ctype, &answered);
  if (!j) {
    ls_buf_free(&member);
    free(lead);
    return answered;
  }
  /* events that name nobody are the person's: its identity goes in front
   * (into a copy kept in the job) */
  ls_buf owned = {0};
  size_t *at = calloc(j->n ? j->n : 1, sizeof *at);
  ls_event_schema none = {NULL, 0, NULL, 0};
  ls_event_parser *ep = ls_event_parser_new(&none);
  rc = at && ep ? LS_OK : LS_ENOMEM;
  for (size_t i = 0; i < j->n && !rc; i++) {
    ls_event_fields f;
    at[i] = SIZE_MAX;
    if (ls_event_parse(ep, j->lines[i], j->lens[i], &f) != LS_LINE_REJECT ||
        strcmp(ls_event_parser_reason(ep), "no identity (lead, email or anonymous_id)"))
      continue;
    const char *brace = memchr(j->lines[i], '{', j->lens[i]);
    if (!brace) continue;
    size_t pre = (size_t)(brace - j->lines[i]) + 1;
    at[i] = owned.len;
    rc = ls_buf_append(&owned, j->lines[i], pre);
    if (!rc) rc = ls_buf_append(&owned, member.p, member.len);
    if (!rc) rc = ls_buf_append(&owned, j->lines[i] + pre, j->lens[i] - pre);
    if (!rc) j->lens[i] += member.len;
  }
  for (size_t i = 0; i < j->n && !rc; i++) /* owned has stopped moving */
    if (at[i] != SIZE_MAX) j->lines[i] = owned.p + at[i];
  ls_event_parser_destroy(ep);
  free(at);
  ls_buf_free(&member);
  if (rc) {
    ls_buf_free(&owned);
    ls__job_free(j);
    free(lead);
    return ls__error(c, r, 500, "out of memory");
  }
  j->owned = owned;
  j->who = lead;
  j->want_stage = true;
  /* the hand-off gate and the reasons, before anything is stored */
  ls_store *st = ls__reader_get(r->srv);
  int64_t p = 0;
  ls_diag d = {0};
  rc = st ? ls_store_find(st, (ls_slice){lead, strlen(lead)}, &p) : LS_EIO;
  for (size_t i = 0; i < j->n && !rc; i++) rc = ls_store_sales_check(st, p, j->lines[i], j->lens[i], &d);
  if (st) ls__reader_put(r->srv, st);
  if (rc) {
    ls__job_free(j);
    return rc == LS_EINVAL ? ls__error(c, r, 409, "refused: %s", d.msg)
                           : ls__error(c, r, 503, "the store cannot be read");
  }
  return submit(c, r, j);
}

enum MHD_Result ls__route_erase(struct MHD_Connection *c, ls__req *r, const char *who) {
  ls__job *j = calloc(1, sizeof *j);
  if (!j || !(j->who = strdup(who))) {
    free(j);
    return ls__error(c, r, 500, "out of memory");
  }
  j->kind = LS__J_FORGET;
  j->conn = c;
  return submit(c, r, j);
}

enum MHD_Result ls__route_job_done(struct MHD_Connection *c, ls__req *r) {
  ls__job *j = r->job;
  if (j->kind == LS__J_FORGET) {
    if (j->rc == LS_ENOTFOUND)
      return ls__error(c, r, 404, "no person has the identity \"%s\"", j->who);
    if (j->rc) return ls__error(c, r, 500, "erasure failed: %s", ls_strerror(j->rc));
    ls_buf b = {0};
    if (ls_buf_appendf(&b, "{\"erased\":true,\"events\":%" PRId64 "}\n", j->erased_events))
      return MHD_NO;
    return ls__respond(c, r, 200, "application/json", &b);
  }
  if (j->rc) return ls__error(c, r, 500, "the events were not stored: %s", ls_strerror(j->rc));
  ls_buf b = {0};
  int rc = ls_buf_appendf(&b, "{\"accepted\":%" PRIu64 ",\"duplicates\":%" PRIu64
                              ",\"rejected\":[", j->st.accepted, j->st.duplicates);
  if (!rc && j->rejected.len) rc = ls_buf_append(&b, j->rejected.p, j->rejected.len);
  if (!rc) rc = ls_buf_append(&b, "]", 1);
  if (!rc && j->want_stage) {
    rc = ls_buf_append(&b, ",\"lead_id\":", 11);
    if (!rc) rc = ls__json_cstr(&b, j->lead);
    if (!rc) rc = ls_buf_append(&b, ",\"stage\":", 9);
    if (!rc) rc = ls__json_cstr(&b, j->stage);
  }
  if (!rc) rc = ls_buf_append(&b, "}\n", 2);
  if (rc) {
    ls_buf_free(&b);
    return MHD_NO;
  }
  return ls__respond(c, r, 200, "application/json", &b);
}
