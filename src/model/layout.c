/* ls__model_finalize: derives from a parsed model what the fold needs at
 * run time — per-type rule lists, the person-state slot layout, the type
 * lookup table — and checks the cross-references a loader cannot check
 * while it walks the document. */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "model/ir.h"

static int fail(ls_diag *d, unsigned line, const char *msg, const char *name) {
  if (d) {
    d->line = line;
    d->col = 0;
    snprintf(d->msg, sizeof d->msg, msg, name ? name : "");
  }
  return LS_EMODEL;
}

/* Appends an internal "non-empty string" predicate on attr `key` (or
 * returns the index of one the loader already made). */
static int string_pred(ls_model *m, uint32_t key, int32_t *out) {
  for (size_t i = 0; i < m->npreds; i++) {
    const ls__pred *p = &m->preds[i];
    if (p->src == LS__SRC_ATTR && p->op == LS__P_STRING && p->key == key &&
        !p->negate) {
      *out = (int32_t)i;
      return LS_OK;
    }
  }
  ls__pred *np = realloc(m->preds, (m->npreds + 1) * sizeof *np);
  if (!np) return LS_ENOMEM;
  m->preds = np;
  memset(&np[m->npreds], 0, sizeof *np);
  np[m->npreds].src = LS__SRC_ATTR;
  np[m->npreds].op = LS__P_STRING;
  np[m->npreds].key = key;
  *out = (int32_t)m->npreds++;
  return LS_OK;
}

/* Predicate sets are masks of pred_words words; appending predicates may
 * add a word, so every set is widened to the new width. */
static int widen(ls__predset *set, size_t old_w, size_t new_w) {
  if (!*set || old_w == new_w) return LS_OK;
  uint64_t *n = calloc(new_w, sizeof *n);
  if (!n) return LS_ENOMEM;
  memcpy(n, *set, old_w * sizeof *n);
  free(*set);
  *set = n;
  return LS_OK;
}

static int build_type_hash(ls_model *m) {
  size_t cap = 8;
  while (cap < (m->ntypes + 1) * 2) cap <<= 1;
  m->type_hash = calloc(cap, sizeof *m->type_hash);
  if (!m->type_hash) return LS_ENOMEM;
  m->type_hash_mask = (uint32_t)(cap - 1);
  for (size_t t = 1; t <= m->ntypes; t++) {
    size_t i = ls_hash_bytes(m->types[t], strlen(m->types[t])) & m->type_hash_mask;
    while (m->type_hash[i]) i = (i + 1) & m->type_hash_mask;
    m->type_hash[i] = (uint32_t)t;
  }
  return LS_OK;
}

static bool rule_has_type(const ls__rule *r, size_t t) {
  if (r->ntypes == 0) return true;
  for (size_t i = 0; i < r->ntypes; i++)
    if (r->types[i] == t) return true;
  return false;
}

static int build_type_rules(ls_model *m) {
  size_t nt = m->ntypes + 1, total = 0;
  m->type_rule_off = calloc(nt + 1, sizeof *m->type_rule_off);
  if (!m->type_rule_off) return LS_ENOMEM;
  for (size_t t = 0; t < nt; t++) {
    m->type_rule_off[t] = (uint32_t)total;
    for (size_t r = 0; r < m->nrules; r++)
      if (rule_has_type(&m->rules[r], t) && (t > 0 || m->rules[r].ntypes == 0))
        total++;
  }
  m->type_rule_off[nt] = (uint32_t)total;
  m->type_rules = malloc((total ? total : 1) * sizeof *m->type_rules);
  if (!m->type_rules) return LS_ENOMEM;
  size_t k = 0;
  for (size_t t = 0; t < nt; t++)
    for (size_t r = 0; r < m->nrules; r++)
      if (rule_has_type(&m->rules[r], t) && (t > 0 || m->rules[r].ntypes == 0))
        m->type_rules[k++] = (uint32_t)r;
  return LS_OK;
}

static void or_set(uint64_t *need, ls__predset set, size_t words) {
  for (size_t w = 0; set && w < words; w++) need[w] |= set[w];
}

/* The predicates an event of each type needs (type_preds): those of its
 * rules, sequence steps and event transitions, plus the fit and first_value
 * ones that every event needs. A model with many rules on many types then
 * evaluates, per event, only what its type can use. */
static int build_type_preds(ls_model *m) {
  size_t nt = m->ntypes + 1, words = m->pred_words;
  uint64_t *need = calloc(nt * words, sizeof *need), *all = calloc(words, sizeof *all);
  m->type_pred_off = calloc(nt + 1, sizeof *m->type_pred_off);
  if (!need || !all || !m->type_pred_off) {
    free(need);
    free(all);
    return LS_ENOMEM;
  }
  for (size_t f = 0; f < m->nfits; f++) {
    all[m->fits[f].has_pred >> 6] |= UINT64_C(1) << (m->fits[f].has_pred & 63);
    for (size_t k = 0; k < m->fits[f].nrows; k++)
      all[m->fits[f].rows[k].pred >> 6] |= UINT64_C(1) << (m->fits[f].rows[k].pred & 63);
  }
  for (size_t a = 0; a < m->nattrs; a++)
    if (m->attr_value_pred[a] >= 0)
      all[m->attr_value_pred[a] >> 6] |= UINT64_C(1) << (m->attr_value_pred[a] & 63);
  size_t total = 0;
  for (size_t t = 0; t < nt; t++) {
    uint64_t *n = need + t * words;
    or_set(n, all, words);
    for (uint32_t k = m->type_rule_off[t]; k < m->type_rule_off[t + 1]; k++) {
      const ls__rule *r = &m->rules[m->type_rules[k]];
      or_set(n, r->preds, words);
      for (size_t s = 0; s < r->nsteps; s++) or_set(n, r->steps[s].preds, words);
    }
    for (size_t i = 0; i < m->ntrans; i++)
      if (m->trans[i].on_type == (int32_t)t) or_set(n, m->trans[i].preds, words);
    for (size_t i = 0; i < m->npreds; i++) total += (n[i >> 6] >> (i & 63)) & 1;
  }
  m->type_preds = malloc((total ? total : 1) * sizeof *m->type_preds);
  if (m->type_preds) {
    size_t k = 0;
    for (size_t t = 0; t < nt; t++) {
      m->type_pred_off[t] = (uint32_t)k;
      for (size_t i = 0; i < m->npreds; i++)
        if ((need[t * words + (i >> 6)] >> (i & 63)) & 1) m->type_preds[k++] = (uint32_t)i;
    }
    m->type_pred_off[nt] = (uint32_t)k;
  }
  free(need);
  free(all);
  return m->type_preds ? LS_OK : LS_ENOMEM;
}

static int check_refs(ls_model *m, ls_diag *d) {
  if (m->nstages == 0) return fail(d, 0, "the model has no stages%s", NULL);
  if (m->initial_stage >= m->nstages)
    return fail(d, 0, "the model has no initial stage%s", NULL);
  for (size_t i = 0; i < m->nrules; i++) {
    const ls__rule *r = &m->rules[i];
    if (r->score >= m->nscores)
      return fail(d, r->line, "rule \"%s\" refers to an unknown score", r->id);
    if ((r->visit_page > 0 || r->visit_start >= 0 ||
         r->recent_kind == LS__RECENT_VISIT_START ||
         r->once == LS__ONCE_PER_VISIT) &&
        m->visit_type == 0)
      return fail(d, r->line,
                  "rule \"%s\" uses visits, but the model has no `visits:` "
                  "section", r->id);
    if (r->recent_kind == LS__RECENT_RULE &&
        (r->recent_arg < 0 || (size_t)r->recent_arg >= m->nrules))
      return fail(d, r->line, "rule \"%s\": `recent` names an unknown rule", r->id);
    if (r->recent_kind == LS__RECENT_TYPE &&
        (r->recent_arg < 1 || (size_t)r->recent_arg > m->ntypes))
      return fail(d, r->line, "rule \"%s\": `recent` names an unknown type", r->id);
    if (r->first_value >= 0 && (size_t)r->first_value >= m->nattrs)
      return fail(d, r->line, "rule \"%s\": unknown first_value attribute", r->id);
  }
  for (size_t i = 0; i < m->ntrans; i++) {
    const ls__transition *t = &m->trans[i];
    if (t->from >= m->nstages || t->to >= m->nstages)
      return fail(d, t->line, "transition names an unknown stage%s", NULL);
    if (t->on_type < 0 && t->fired < 0 && (t->when < 0 || (size_t)t->when >= m->nexprs))
      return fail(d, t->line, "transition needs `on:`, `when:` or `fired:`%s", NULL);
  }
  for (size_t i = 0; i < m->nscores; i++)
    for (size_t b = 1; b < m->scores[i].nbands; b++)
      if (m->scores[i].bands[b].at_least >= m->scores[i].bands[b - 1].at_least)
        return fail(d, m->scores[i].line,
                    "score \"%s\": decay bands must be in descending at_least "
                    "order", m->scores[i].name);
  return LS_OK;
}

static int layout_slots(ls_model *m) {
  size_t nt = m->ntypes + 1;
  m->controlled = calloc(nt, sizeof *m->controlled);
  m->type_slot = malloc(nt * sizeof *m->type_slot);
  m->attr_seen_slot = malloc((m->nattrs ? m->nattrs : 1) * sizeof *m->attr_seen_slot);
  m->attr_value_pred = malloc((m->nattrs ? m->nattrs : 1) * sizeof *m->attr_value_pred);
  if (!m->controlled || !m->type_slot || !m->attr_seen_slot || !m->attr_value_pred)
    return LS_ENOMEM;
  for (size_t t = 0; t < nt; t++) m->type_slot[t] = -1;
  for (size_t a = 0; a < m->nattrs; a++) m->attr_seen_slot[a] = m->attr_value_pred[a] = -1;
  for (size_t i = 0; i < m->ntrans; i++)
    if (m->trans[i].on_type > 0) m->controlled[m->trans[i].on_type] = true;

  uint32_t ts = 0, is = 0;
  for (size_t i = 0; i < m->nrules; i++) {
    ls__rule *r = &m->rules[i];
    r->slot_last_fired = r->slot_once = r->slot_prev_fired = r->slot_fired_ord = -1;
    r->slot_cap_ring = r->slot_cap_head = -1;
  }
  for (size_t i = 0; i < m->nrules; i++) {
    ls__rule *r = &m->rules[i];
    if (r->once == LS__ONCE_PER_PERIOD && r->slot_last_fired < 0)
      r->slot_last_fired = (int32_t)ts++;
    if (r->once == LS__ONCE_PER_VISIT || r->once == LS__ONCE_PER_PERSON)
      r->slot_once = (int32_t)is++;
    if (r->recent_kind == LS__RECENT_RULE) {
      ls__rule *o = &m->rules[r->recent_arg];
      if (o->slot_last_fired < 0) o->slot_last_fired = (int32_t)ts++;
      if (o->slot_prev_fired < 0) {
        o->slot_prev_fired = (int32_t)ts++;
        o->slot_fired_ord = (int32_t)is++;
      }
    }
    if (r->nsteps) {
      r->slot_seq = (int32_t)ts;
      ts += (uint32_t)(r->nsteps - 1);
    }
    if (r->cap_k > 0) {
      r->slot_cap_ring = (int32_t)ts;
      ts += (uint32_t)r->cap_k;
      r->slot_cap_head = (int32_t)is++;
    }
    if (r->recent_kind == LS__RECENT_TYPE && m->type_slot[r->recent_arg] < 0)
      m->type_slot[r->recent_arg] = (int32_t)ts++;
    if (r->first_value >= 0 && m->attr_seen_slot[r->first_value] < 0) {
      m->attr_seen_slot[r->first_value] = (int32_t)is++;
      int rc = string_pred(m, (uint32_t)r->first_value,
                           &m->attr_value_pred[r->first_value]);
      if (rc) return rc;
    }
  }
  for (size_t i = 0; i < m->nscores; i++)
    if (m->scores[i].win_n) {
      m->scores[i].slot_win = (int32_t)is;
      is += (uint32_t)m->scores[i].win_n + 1;
    }
  for (size_t i = 0; i < m->nscores; i++)
    if (m->scores[i].by >= 0) { /* keep (hash, points) pairs */
      m->scores[i].slot_cat = (int32_t)is;
      is += 2 * (uint32_t)m->scores[i].keep;
    }
  for (size_t g = 0; g < m->ngroups; g++) { /* k times; k points and the head */
    m->groups[g].slot_times = (int32_t)ts;
    ts += (uint32_t)m->groups[g].k;
    m->groups[g].slot_points = (int32_t)is;
    is += (uint32_t)m->groups[g].k + 1;
  }
  for (size_t f = 0; f < m->nfits; f++) { /* the row, then the points it gave */
    m->fits[f].slot = (int32_t)is;
    is += 2;
  }
  m->ntslots = ts;
  m->nislots = is;
  return LS_OK;
}

int ls__model_finalize(ls_model *m, ls_diag *diag) {
  int rc = check_refs(m, diag);
  if (rc) return rc;
  for (size_t i = 0; i < m->npreds; i++) { /* folded needles for memmem */
    ls__pred *p = &m->preds[i];
    if (p->op != LS__P_CONTAINS_CI || p->lower) continue;
    if (!(p->lower = malloc(p->lens[0] + 1))) return LS_ENOMEM;
    for (size_t k = 0; k <= p->lens[0]; k++) {
      unsigned char ch = (unsigned char)p->strs[0][k];
      p->lower[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
  }
  size_t old_w = m->pred_words ? m->pred_words : 1;
  if ((rc = layout_slots(m))) return rc;
  size_t new_w = (m->npreds + 63) / 64;
  if (new_w == 0) new_w = 1;
  if (new_w != old_w) {
    for (size_t i = 0; i < m->nrules; i++)
      if ((rc = widen(&m->rules[i].preds, old_w, new_w))) return rc;
    for (size_t i = 0; i < m->ntrans; i++)
      if ((rc = widen(&m->trans[i].preds, old_w, new_w))) return rc;
    for (size_t i = 0; i < m->nrules; i++)
      for (size_t s = 0; s < m->rules[i].nsteps; s++)
        if ((rc = widen(&m->rules[i].steps[s].preds, old_w, new_w))) return rc;
  }
  m->pred_words = new_w;
  for (size_t i = 0; i < m->nrules; i++) {
    ls__rule *r = &m->rules[i];
    r->pw_lo = r->pw_hi = 0;
    for (size_t w = 0; r->preds && w < new_w; w++)
      if (r->preds[w]) {
        if (r->pw_hi == 0) r->pw_lo = (uint32_t)w;
        r->pw_hi = (uint32_t)w + 1;
      }
  }
  m->schema.prop_keys = m->prop_keys;
  m->schema.nprops = m->nprops;
  m->schema.attr_keys = m->attr_keys;
  m->schema.nattrs = m->nattrs;
  if ((rc = build_type_hash(m))) return rc;
  if ((rc = build_type_rules(m))) return rc;
  return build_type_preds(m);
}

uint16_t ls_model_type_index(const ls_model *m, ls_slice type) {
  if (!m->type_hash) return 0;
  size_t i = ls_hash_bytes(type.p, type.n) & m->type_hash_mask;
  for (;;) {
    uint32_t t = m->type_hash[i];
    if (!t) return 0;
    const char *name = m->types[t];
    if (strlen(name) == type.n && memcmp(name, type.p, type.n) == 0)
      return (uint16_t)t;
    i = (i + 1) & m->type_hash_mask;
  }
}
