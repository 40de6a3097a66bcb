/* ls_batch: what the engine keeps of parsed events, classified against the
 * model (type index, predicate bits, hashes) on the parsing thread so that
 * the single-threaded part of the replay only de-duplicates and links. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "engine/batch.h"
#include "model/ir.h"

ls_batch *ls_batch_new(const ls_model *m) {
  ls_batch *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->m = m;
  b->words = ls_model_pred_words(m);
  if (m->nfams && !(b->cats = ls_names_new())) {
    free(b);
    return NULL;
  }
  return b;
}

void ls_batch_destroy(ls_batch *b) {
  if (!b) return;
  free(b->ev);
  free(b->pred);
  free(b->bytes);
  ls_names_destroy(b->cats);
  free(b);
}

void ls_batch_clear(ls_batch *b) {
  b->n = 0;
  b->blen = 0;
  if (b->cats) ls_names_clear(b->cats);
}

const ls_names *ls_batch_categories(const ls_batch *b) { return b->cats; }

int ls_batch_note_categories(const ls_model *m, const ls_event_fields *f, const uint64_t *bits,
                             ls_names *names) {
  for (size_t k = 0; k < m->nfams; k++) {
    if (!bits[m->pred_words + k]) continue;
    ls_slice v = ls_model_event_category(m, f, k);
    int rc = ls_names_put(names, bits[m->pred_words + k], v.p, v.n, NULL);
    if (rc) return rc;
  }
  return LS_OK;
}

size_t ls_batch_count(const ls_batch *b) { return b->n; }

static int reserve_events(ls_batch *b) {
  if (b->n < b->cap) return LS_OK;
  size_t cap = b->cap ? b->cap * 2 : 1024;
  ls__bev *ev = realloc(b->ev, cap * sizeof *ev);
  if (!ev) return LS_ENOMEM;
  b->ev = ev;
  uint64_t *pred = realloc(b->pred, cap * b->words * sizeof *pred);
  if (!pred) return LS_ENOMEM;
  b->pred = pred;
  b->cap = cap;
  return LS_OK;
}

static int put_bytes(ls_batch *b, ls_slice s, uint32_t *off) {
  if (b->blen + s.n > UINT32_MAX) return LS_ERANGE;
  if (ls__grow((void **)&b->bytes, &b->bcap, b->blen + s.n, 1)) return LS_ENOMEM;
  if (s.n) memcpy(b->bytes + b->blen, s.p, s.n);
  *off = (uint32_t)b->blen;
  b->blen += s.n;
  return LS_OK;
}

int ls_batch_push(ls_batch *b, const ls_event_fields *f) {
  int rc = reserve_events(b);
  if (rc) return rc;
  ls__bev *e = &b->ev[b->n];
  e->time = f->time;
  e->content_hash = f->content_hash;
  e->type = ls_model_type_index(b->m, f->type);
  if (f->id.n > UINT32_MAX) return LS_ERANGE;
  if ((rc = put_bytes(b, f->id, &e->id_off))) return rc;
  e->id_len = (uint32_t)f->id.n;
  e->id_hash = ls_hash_bytes(f->id.p, f->id.n);
  const ls_slice idents[3] = {f->lead, f->email, f->anon};
  for (int k = 0; k < 3; k++) {
    e->ident_len[k] = (uint32_t)idents[k].n;
    e->ident_off[k] = 0;
    e->ident_hash[k] = 0;
    if (!idents[k].n) continue;
    if (idents[k].n > UINT32_MAX) return LS_ERANGE;
    if ((rc = put_bytes(b, idents[k], &e->ident_off[k]))) return rc;
    e->ident_hash[k] = ls__ident_hash(k, idents[k].p, idents[k].n);
  }
  uint64_t *bits = b->pred + b->n * b->words;
  memset(bits, 0, b->words * sizeof *bits);
  ls__eval_preds_typed(b->m, f, e->type, bits);
  if (b->cats && (rc = ls_batch_note_categories(b->m, f, bits, b->cats))) return rc;
  b->n++;
  return LS_OK;
}
