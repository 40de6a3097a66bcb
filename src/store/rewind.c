/* The rewind cache (see rewind.h). A tail event is stored as its time
 * (int64 seconds, int32 nanoseconds), the lengths of its id and line
 * (uint32 each), then the id's and the line's bytes. */
#include "store/rewind.h"

#include <stdlib.h>
#include <string.h>

#include "leadscore/error.h"

enum { HEAD = 8 + 4 + 4 + 4 };

static size_t slot(int64_t person) {
  return (size_t)(((uint64_t)person * 0x9e3779b97f4a7c15ull) >> 40) & (LS__RW_SLOTS - 1);
}

static bool same(ls_slice a, const ls_buf *b) {
  return a.n == b->len && (!a.n || memcmp(a.p, b->p, a.n) == 0);
}

const ls__rw_ent *ls__rw_find(const ls__rewind *r, int64_t person, int64_t ledger_n,
                              ls_time last_time, ls_slice last_id) {
  if (!r->v) return NULL;
  const ls__rw_ent *e = &r->v[slot(person)];
  if (e->person != person || e->ledger_n != ledger_n || ls_time_cmp(e->last_time, last_time) ||
      !same(last_id, &e->stamp_id))
    return NULL;
  return e;
}

ls__rw_event ls__rw_tail_at(const ls__rw_base *b, size_t *off) {
  const char *p = b->tail.p + *off;
  ls__rw_event e;
  uint32_t nsec, idn, linen;
  memcpy(&e.time.sec, p, 8);
  memcpy(&nsec, p + 8, 4);
  memcpy(&idn, p + 12, 4);
  memcpy(&linen, p + 16, 4);
  e.time.nsec = (int32_t)nsec;
  e.id = (ls_slice){p + HEAD, idn};
  e.line = (ls_slice){p + HEAD + idn, linen};
  *off += HEAD + idn + linen;
  return e;
}

bool ls__rw_tail_add(ls__rw_base *b, ls_time t, ls_slice id, ls_slice line) {
  size_t need = HEAD + id.n + line.n;
  if (b->ntail >= LS__RW_TAIL || b->tail.len + need > LS__RW_BYTES) return false;
  char head[HEAD];
  uint32_t nsec = (uint32_t)t.nsec, idn = (uint32_t)id.n, linen = (uint32_t)line.n;
  memcpy(head, &t.sec, 8);
  memcpy(head + 8, &nsec, 4);
  memcpy(head + 12, &idn, 4);
  memcpy(head + 16, &linen, 4);
  if (ls_buf_append(&b->tail, head, HEAD) || ls_buf_append(&b->tail, id.p, id.n) ||
      ls_buf_append(&b->tail, line.p, line.n))
    return false;
  b->ntail++;
  return true;
}

int ls__rw_put(ls__rewind *r, int64_t person, int64_t ledger_n, ls_time last_time,
               ls_slice last_id, ls__rw_base *b) {
  if (!r->v && !(r->v = calloc(LS__RW_SLOTS, sizeof *r->v))) return LS_ENOMEM;
  ls__rw_ent *e = &r->v[slot(person)];
  e->person = 0;
  e->stamp_id.len = 0;
  if (last_id.n && ls_buf_append(&e->stamp_id, last_id.p, last_id.n)) return LS_ENOMEM;
  ls__rw_base t = e->b;
  e->b = *b;
  *b = t;
  e->person = person;
  e->ledger_n = ledger_n;
  e->last_time = last_time;
  return LS_OK;
}

void ls__rw_drop(ls__rewind *r, int64_t person) {
  if (r->v && r->v[slot(person)].person == person) r->v[slot(person)].person = 0;
}

void ls__rw_clear(ls__rewind *r) {
  if (!r->v) return;
  for (size_t i = 0; i < LS__RW_SLOTS; i++) r->v[i].person = 0;
}

void ls__rw_base_free(ls__rw_base *b) {
  free(b->state);
  ls_buf_free(&b->last_id);
  ls_buf_free(&b->lead_id);
  ls_buf_free(&b->tail);
  memset(b, 0, sizeof *b);
}

void ls__rw_free(ls__rewind *r) {
  if (!r->v) return;
  for (size_t i = 0; i < LS__RW_SLOTS; i++) {
    ls__rw_base_free(&r->v[i].b);
    ls_buf_free(&r->v[i].stamp_id);
  }
  free(r->v);
  r->v = NULL;
}
