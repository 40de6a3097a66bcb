/* The store's side of the service (leadscore serve): hooks into ingest and
 * the service's records, passed through to the driver. */
#include "store/store_internal.h"

void ls_store_set_stage_hook(ls_store *s, ls_store_stage_fn fn, void *ud) {
  s->stage_hook = fn;
  s->stage_ud = ud;
}

void ls_store_set_person_hook(ls_store *s, void (*fn)(void *ud, int64_t person), void *ud) {
  s->person_hook = fn;
  s->person_ud = ud;
}

void ls_store_set_line_hook(ls_store *s,
                            void (*fn)(void *ud, size_t index, int outcome, const char *why),
                            void *ud) {
  s->line_hook = fn;
  s->line_ud = ud;
}

int ls_store_person_ledger(ls_store *s, const ls_store_person *p,
                           int (*fn)(void *ud, ls_slice lead_id, const ls_store_ledger *e),
                           void *ud) {
  return s->drv->ledger_scan(s->db, p, fn, ud);
}

int ls_store_key_add(ls_store *s, ls_store_key *k) { return s->drv->key_put(s->db, k); }

int ls_store_key_scan(ls_store *s, int (*fn)(void *ud, const ls_store_key *k), void *ud) {
  return s->drv->key_scan(s->db, fn, ud);
}

int ls_store_key_revoke(ls_store *s, const char *name, int64_t at_ms) {
  return s->drv->key_revoke(s->db, name, at_ms);
}

int ls_store_hook_add(ls_store *s, ls_store_hook *h) { return s->drv->hook_put(s->db, h); }

int ls_store_hook_scan(ls_store *s, int (*fn)(void *ud, const ls_store_hook *h), void *ud) {
  return s->drv->hook_scan(s->db, fn, ud);
}

int ls_store_hook_delete(ls_store *s, int64_t id) { return s->drv->hook_delete(s->db, id); }

int ls_store_outbox_add(ls_store *s, const ls_store_delivery *d) {
  return s->drv->outbox_add(s->db, d);
}

int ls_store_outbox_due(ls_store *s, int64_t now_ms, size_t max,
                        int (*fn)(void *ud, const ls_store_delivery *d), void *ud) {
  return s->drv->outbox_due(s->db, now_ms, max, fn, ud);
}

int ls_store_outbox_set(ls_store *s, int64_t id, int status, int attempts, int64_t next_ms,
                        const char *last_error) {
  return s->drv->outbox_set(s->db, id, status, attempts, next_ms, last_error);
}

int ls_store_outbox_scan(ls_store *s, const int *status,
                         int (*fn)(void *ud, const ls_store_delivery *d), void *ud) {
  return s->drv->outbox_scan(s->db, status, fn, ud);
}

int ls_store_stage_counts(ls_store *s, int (*fn)(void *ud, const char *stage, int64_t n),
                          void *ud) {
  return s->drv->stage_counts(s->db, fn, ud);
}

int ls_store_read_begin(ls_store *s) { return s->drv->read_begin(s->db); }
int ls_store_read_end(ls_store *s) { return s->drv->read_end(s->db); }

int ls_store_set_deferred_sync(ls_store *s, bool on) { return s->drv->deferred_sync(s->db, on); }
int ls_store_sync(ls_store *s) { return s->drv->sync(s->db); }

int ls_store_outbox_cancel(ls_store *s, ls_slice person, const char *kind) {
  return s->drv->outbox_cancel(s->db, person, kind);
}
