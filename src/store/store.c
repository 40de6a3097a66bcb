/* The store's logic, over any ls_store_driver: ingest (incremental fold when
 * an event comes after everything a person has seen, re-fold from the stored
 * history otherwise), advance, export, verify. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "leadscore/fold.h"
#include "leadscore/replay.h"
#include "store/store_internal.h"
#include "store/workflow_internal.h"

/* ---- transactions and groups ---- */

int ls__tx_begin(ls_store *s) {
  if (!s->group) return s->drv->begin(s->db);
  if (s->group_bare) return s->group_rc; /* a failed unit ends the group's work */
  return s->drv->savepoint(s->db);
}

void ls__store_forget_caches(ls_store *s) {
  ls__idc_clear(&s->idc);
  ls__rw_clear(&s->rw);
}

int ls__tx_end(ls_store *s, int rc) {
  const ls_store_driver *d = s->drv;
  if (!rc && !(s->group && s->group_bare)) rc = s->group ? d->release(s->db) : d->commit(s->db);
  if (rc) {
    if (!s->group) d->rollback(s->db);
    else if (!s->group_bare) d->rollback_to(s->db);
    else if (!s->group_rc) s->group_rc = rc; /* undone with the whole group */
    ls__store_forget_caches(s); /* they may hold facts of the undone unit */
  }
  return rc;
}

static int group_begin(ls_store *s, bool bare) {
  if (s->group) return LS_EINVAL;
  int rc = s->drv->begin(s->db);
  if (rc) return rc;
  s->group = true;
  s->group_bare = bare;
  s->group_rc = LS_OK;
  s->group_had_clock = s->has_clock;
  s->group_clock = s->clock;
  return LS_OK;
}

int ls_store_group_begin(ls_store *s) { return group_begin(s, false); }

int ls_store_group_begin_optimistic(ls_store *s) { return group_begin(s, true); }

int ls_store_group_status(const ls_store *s) { return s->group ? s->group_rc : LS_OK; }

void ls_store_group_rollback(ls_store *s) {
  if (!s->group) return;
  s->drv->rollback(s->db);
  ls__store_forget_caches(s);
  s->has_clock = s->group_had_clock;
  s->clock = s->group_clock;
  s->group = false;
}

int ls_store_group_commit(ls_store *s) {
  if (!s->group) return LS_EINVAL;
  int rc = s->group_rc; /* a failed unit's half-done work is never committed */
  if (!rc) rc = s->drv->commit(s->db);
  if (rc) ls_store_group_rollback(s);
  s->group = false;
  return rc;
}

/* ---- open / close ---- */

/* Makes `m` (consumed) the store's model in memory. */
static int use_model(ls_store *s, ls_model *m) {
  ls_event_parser *p = ls_event_parser_new(ls_model_schema(m));
  uint64_t *bits = calloc(ls_model_pred_words(m), sizeof *bits);
  if (!p || !bits) {
    ls_event_parser_destroy(p);
    free(bits);
    ls_model_destroy(m);
    return LS_ENOMEM;
  }
  ls_event_parser_destroy(s->parser);
  ls_model_destroy(s->model);
  free(s->bits);
  ls__touched_free(&s->t); /* its state buffers have the old model's size */
  memset(&s->t, 0, sizeof s->t);
  ls__rw_free(&s->rw); /* so have the rewind cache's, and its ledger rows */
  s->model = m;
  s->parser = p;
  s->bits = bits;
  s->words = ls_model_pred_words(m);
  s->ssize = ls_fold_state_size(m);
  return ls__ahead_set_model(&s->ahead, m);
}

static int load_model(ls_store *s, ls_diag *diag) {
  char *text = NULL;
  size_t len = 0;
  int rc = s->drv->model_get(s->db, &s->model_version, &text, &len);
  if (rc) {
    snprintf(diag->msg, sizeof diag->msg, "the store has no model (%s)", ls_strerror(rc));
    return rc == LS_ENOTFOUND ? LS_EIO : rc;
  }
  ls_model *m = NULL;
  rc = ls_model_load(text, len, &m, diag);
  free(text);
  return rc ? rc : use_model(s, m);
}

int64_t ls_store_model_version(const ls_store *s) { return s->model_version; }

static int rescore_one(void *ud, int64_t id) {
  ls_store *s = ud;
  ls__touched_clear(&s->t);
  ls__tp *p;
  int rc = ls__touched_get(s, id, false, &p);
  if (rc) return rc;
  p->refold = true;
  ls_store_stats st = {0};
  return ls__store_flush(s, &st);
}

int ls_store_set_model(ls_store *s, const char *text, size_t len, ls_diag *diag) {
  ls_model *m = NULL;
  int rc = ls_model_load(text, len, &m, diag);
  if (rc) return rc;
  int64_t old_version = s->model_version;
  if (s->group) rc = LS_EINVAL; /* the model in memory could not be undone */
  if (rc || (rc = s->drv->begin(s->db))) {
    ls_model_destroy(m);
    return rc;
  }
  if ((rc = use_model(s, m))) {
    s->drv->rollback(s->db);
    return rc;
  }
  s->model_version = old_version + 1;
  rc = s->drv->model_put(s->db, s->model_version, text, len);
  if (!rc) rc = s->drv->person_scan(s->db, rescore_one, s);
  ls__touched_clear(&s->t);
  if (!rc) rc = s->drv->commit(s->db);
  if (rc) { /* back to the stored model */
    s->drv->rollback(s->db);
    ls_diag d = {0};
    if (load_model(s, &d) == LS_OK) s->model_version = old_version;
  }
  return rc;
}

int ls_store_init(const ls_store_driver *drv, const char *path, const char *text,
                  size_t len, ls_diag *diag) {
  ls_model *m = NULL;
  int rc = ls_model_load(text, len, &m, diag); /* never store a bad model */
  ls_model_destroy(m);
  if (rc) return rc;
  void *db = NULL;
  if ((rc = drv->open(path, true, &db, diag))) return rc;
  rc = drv->begin(db);
  if (!rc) rc = drv->model_put(db, 1, text, len);
  if (!rc) rc = drv->commit(db);
  drv->close(db);
  return rc;
}

int ls_store_open(const ls_store_driver *drv, const char *path, ls_store **out,
                  ls_diag *diag) {
  ls_store *s = calloc(1, sizeof *s);
  if (!s) return LS_ENOMEM;
  s->drv = drv;
  int rc = drv->open(path, false, &s->db, diag);
  if (!rc) rc = load_model(s, diag);
  char buf[64];
  if (!rc && drv->meta_get(s->db, "clock", buf, sizeof buf) == LS_OK)
    s->has_clock = ls_time_parse(buf, strlen(buf), &s->clock) == LS_OK;
  if (rc) {
    ls_store_close(s);
    return rc;
  }
  *out = s;
  return LS_OK;
}

int ls_store_refresh(ls_store *s) {
  uint64_t v = 0;
  int rc = s->drv->data_version(s->db, &v);
  if (rc || v == s->data_version) return rc;
  s->data_version = v;
  ls__store_forget_caches(s);
  char buf[64];
  if (s->drv->meta_get(s->db, "clock", buf, sizeof buf) == LS_OK)
    s->has_clock = ls_time_parse(buf, strlen(buf), &s->clock) == LS_OK;
  int64_t version = 0;
  if ((rc = s->drv->model_get(s->db, &version, NULL, NULL))) return rc;
  if (version == s->model_version) return LS_OK;
  ls_diag d = {0};
  return load_model(s, &d); /* `model set` ran in another process */
}

uint64_t ls_store_data_version(const ls_store *s) { return s->data_version; }

void ls_store_close(ls_store *s) {
  if (!s) return;
  if (s->db) s->drv->close(s->db);
  ls_event_parser_destroy(s->parser);
  ls_model_destroy(s->model);
  free(s->bits);
  ls__touched_free(&s->t);
  free(s->pend);
  free(s->hv);
  ls__ahead_free(&s->ahead);
  ls__idc_free(&s->idc);
  ls__rw_free(&s->rw);
  ls_buf_free(&s->hist);
  ls_event_parser_destroy(s->show_parser);
  free(s->chg);
  free(s->mqls);
  free(s);
}

const ls_model *ls_store_model(const ls_store *s) { return s->model; }

int ls_store_set_checkpoint(ls_store *s, int64_t bytes) {
  return bytes > 0 ? s->drv->set_checkpoint(s->db, bytes) : LS_EINVAL;
}

int ls_store_checkpoint(ls_store *s) { return s->drv->checkpoint(s->db); }

bool ls_store_clock(const ls_store *s, ls_time *out) {
  if (s->has_clock && out) *out = s->clock;
  return s->has_clock;
}

static int save_clock(ls_store *s) {
  char buf[LS_TIME_FMT_MAX];
  ls_time_format(s->clock, buf);
  return s->drv->meta_set(s->db, "clock", buf);
}

static void bump_clock(ls_store *s, ls_time t) {
  if (!s->has_clock || ls_time_cmp(t, s->clock) > 0) s->clock = t;
  s->has_clock = true;
}

/* ---- classifying a stored line again ---- */

static int name_put(void *ud, uint64_t hash, ls_slice name) {
  return ls_names_put(ud, hash, name.p, name.n, NULL);
}

int ls_store_categories(ls_store *s, ls_names **out) {
  *out = NULL;
  if (!ls_model_nfamilies(s->model)) return LS_OK;
  if (!(*out = ls_names_new())) return LS_ENOMEM;
  return s->drv->category_scan(s->db, name_put, *out);
}

int ls__store_classify(ls_store *s, ls_slice line, ls_event_fields *f, ls_fold_event *fe) {
  if (ls_event_parse(s->parser, line.p, line.n, f) != LS_LINE_EVENT) return LS_EIO;
  ls_model_eval_preds(s->model, f, s->bits);

  *fe = (ls_fold_event){f->time, f->id, ls_model_type_index(s->model, f->type),
                        f->lead.n > 0 || f->email.n > 0, s->bits};
  return LS_OK;
}

/* ---- ingest ---- */

bool ls__store_appends(const ls__tp *p, ls_time t, ls_slice id) {
  if (p->fresh) return true;
  int c = ls_time_cmp(t, p->row.last_time);
  if (c < 0) return false;
  if (c == 0) {
    size_t n = id.n < p->last_id.len ? id.n : p->last_id.len;
    int m = memcmp(id.p, p->last_id.p, n);
    if (m < 0 || (m == 0 && id.n <= p->last_id.len)) return false;
  }
  return !p->row.has_advance || ls_time_cmp(t, p->row.advanced_to) > 0;
}

/* Claims event k of chunk batch b (line i of the batch), resolves its
 * identities to one person (merging several into the smallest id) and
 * queues it for the flush. */
static int ingest_event(ls_store *s, size_t i, const ls_batch *b, size_t k,
                        ls_store_stats *st) {
  const ls_store_driver *d = s->drv;
  const ls__bev *e = &b->ev[k];
  const ls_slice id = {b->bytes + e->id_off, e->id_len};
  bool dup;
  uint64_t h;
  int rc = d->event_claim(s->db, id, e->content_hash, &dup, &h);
  if (rc) return rc;
  if (dup) {
    st->duplicates++;
    st->conflicts += h != e->content_hash;
    if (s->line_hook) s->line_hook(s->line_ud, i, LS_LINE_DUPLICATE, NULL);
    return LS_OK;
  }
  ls_slice ids[3];
  for (int j = 0; j < 3; j++)
    ids[j] = (ls_slice){e->ident_len[j] ? b->bytes + e->ident_off[j] : NULL, e->ident_len[j]};
  int64_t found[3] = {-1, -1, -1}, target = -1;
  for (int k = 0; k < 3; k++) {
    if (!ids[k].n) continue;
    int64_t c = ls__idc_get(&s->idc, k, ids[k]);
    if (c) {
      found[k] = c;
    } else {
      rc = d->ident_find(s->db, k, ids[k], &found[k]);
      if (rc == LS_ENOTFOUND) continue;
      if (rc || (rc = ls__idc_put(&s->idc, k, ids[k], found[k]))) return rc;
    }
    if (target < 0 || found[k] < target) target = found[k];
  }
  bool fresh = target < 0;
  if (fresh && (rc = d->person_new(s->db, &target))) return rc;
  ls__tp *p;
  if ((rc = ls__touched_get(s, target, fresh, &p))) return rc;
  for (int k = 0; k < 3; k++) {
    if (!ids[k].n) continue;
    if (found[k] < 0) {
      if ((rc = d->ident_put(s->db, k, ids[k], target)) ||
          (rc = ls__idc_put(&s->idc, k, ids[k], target)))
        return rc;
      continue;
    }
    bool seen = found[k] == target; /* or two identities of one other person */
    for (int j = 0; j < k; j++) seen |= found[j] == found[k];
    if (seen) continue;
    ls__tp *from;
    if ((rc = ls__touched_get(s, found[k], false, &from)) ||
        (rc = d->person_merge(s->db, &p->row, &from->row)))
      return rc;
    if (s->person_hook) s->person_hook(s->person_ud, from->id);
    ls__touched_drop(from, p);
    ls__idc_merged(&s->idc, from->id, p->id);
    p->refold = true;
  }
  /* The id and the predicate bits stay in the chunk (kept until the
   * batch ends) and are read at the flush. */
  if (ls__grow((void **)&s->pend, &s->pend_cap, s->npend + 1, sizeof *s->pend)) return LS_ENOMEM;
  s->pend[s->npend++] = (ls__pending){p->idx, (uint32_t)i, e->time, id,
                                      b->pred + k * b->words, e, b->bytes, e->type,
                                      ids[0].n > 0 || ids[1].n > 0};
  st->accepted++;
  if (s->line_hook) s->line_hook(s->line_ud, i, LS_LINE_ACCEPTED, NULL);
  bump_clock(s, e->time);
  return LS_OK;
}

/* The names of the categories a chunk's events carry (a name stays when
 * the events that brought it are erased: it names an interest, not a
 * person). */
static int put_categories(ls_store *s, const ls_batch *b) {
  const ls_names *names = b ? ls_batch_categories(b) : NULL;
  int rc = LS_OK;
  for (size_t i = 0; i < ls_names_count(names) && !rc; i++) {
    uint64_t h;
    size_t n;
    const char *name = ls_names_at(names, i, &h, &n);
    rc = s->drv->category_put(s->db, h, (ls_slice){name, n});
  }
  return rc;
}

int ls_store_ingest(ls_store *s, const char *source, uint64_t first_line,
                    const char *const *lines, const size_t *lens, size_t n,
                    ls_store_stats *st) {
  const ls_store_driver *d = s->drv;
  bool had_clock = s->has_clock;
  ls_time clock = s->clock;
  int rc = ls__tx_begin(s);
  if (rc) return rc;
  uint64_t v = 0;
  if ((rc = d->data_version(s->db, &v))) return ls__tx_end(s, rc);
  if (v != s->data_version) ls__store_forget_caches(s); /* another writer committed */
  s->data_version = v;
  ls__touched_clear(&s->t);
  s->npend = 0;
  s->nmql = 0;
  s->lines = lines;
  s->lens = lens;
  ls_store_stats total = *st; /* counted only if the batch commits */
  rc = ls__ahead_start(&s->ahead, lines, lens, n);
  for (size_t from = 0; from < n && !rc; from += LS__AHEAD_CHUNK) {
    const ls__achunk *c = ls__ahead_chunk(&s->ahead, from / LS__AHEAD_CHUNK);
    size_t to = n - from > LS__AHEAD_CHUNK ? from + LS__AHEAD_CHUNK : n, k = 0;
    rc = c->err;
    for (size_t i = from; i < to && !rc; i++) {
      uint8_t res = c->res[i - from];
      st->lines++;
      if (res == LS_LINE_EVENT) {
        rc = ingest_event(s, i, c->b, k++, st);
      } else if (res == LS_LINE_REJECT) {
        st->rejected++;
        if (s->line_hook) s->line_hook(s->line_ud, i, LS_LINE_REJECTED, c->text + c->why[i - from]);
        rc = d->rejected_add(s->db, source, first_line + i, c->text + c->why[i - from],
                             (ls_slice){lines[i], lens[i]});
      }
    }
    if (!rc) rc = put_categories(s, c->b);
  }
  ls__ahead_finish(&s->ahead);
  if (!rc) rc = ls__store_flush(s, st);
  if (!rc && s->nmql)
    rc = ls__wf_assign_new(s, s->mqls, s->nmql, s->clock.sec * 1000 + s->clock.nsec / 1000000);
  bool moved = s->has_clock && (!had_clock || ls_time_cmp(s->clock, clock) != 0);
  if (!rc && moved) rc = save_clock(s); /* one page less to write when it did not */
  if ((rc = ls__tx_end(s, rc))) {
    s->has_clock = had_clock;
    s->clock = clock;
    *st = total;
  }
  ls__touched_clear(&s->t);
  s->npend = 0;
  s->lines = NULL;
  s->lens = NULL;
  return rc;
}
