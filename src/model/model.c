/* ls_model_destroy, introspection getters and the human summary. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

void ls_model_destroy(ls_model *m) {
  if (!m) return;
  free(m->name);
  free(m->description);
  if (m->types)
    for (size_t i = 1; i <= m->ntypes; i++) free(m->types[i]);
  free(m->types);
  for (size_t i = 0; i < m->nprops; i++) free((char *)m->prop_keys[i].p);
  free(m->prop_keys);
  for (size_t i = 0; i < m->nattrs; i++) free((char *)m->attr_keys[i].p);
  free(m->attr_keys);
  for (size_t i = 0; i < m->npreds; i++) {
    for (size_t j = 0; j < m->preds[i].nstrs; j++) free(m->preds[i].strs[j]);
    free(m->preds[i].strs);
    free(m->preds[i].lens);
    free(m->preds[i].lower);
  }
  free(m->preds);
  for (size_t i = 0; i < m->nscores; i++) {
    free(m->scores[i].name);
    free(m->scores[i].bands);
  }
  free(m->scores);
  free(m->fam_score);
  for (size_t i = 0; i < m->ngrades; i++) {
    for (size_t b = 0; b < m->grades[i].nbands; b++) free(m->grades[i].bands[b].label);
    free(m->grades[i].bands);
    free(m->grades[i].name);
  }
  free(m->grades);
  free(m->matrix_name);
  for (size_t i = 0; i < m->nrules; i++) {
    free(m->rules[i].id);
    free(m->rules[i].label_en);
    free(m->rules[i].label_ja);
    free(m->rules[i].types);
    free(m->rules[i].preds);
    free(m->rules[i].in_stages);
    for (size_t k = 0; k < m->rules[i].nsteps; k++) free(m->rules[i].steps[k].preds);
    free(m->rules[i].steps);
  }
  free(m->rules);
  for (size_t i = 0; i < m->nfits; i++) {
    free(m->fits[i].id);
    free(m->fits[i].label_en);
    free(m->fits[i].label_ja);
    free(m->fits[i].rows);
  }
  free(m->fits);
  for (size_t i = 0; i < m->ngroups; i++) free(m->groups[i].name);
  free(m->groups);
  for (size_t i = 0; i < m->nroutes; i++) free(m->routes[i]);
  free(m->routes);
  free(m->exprs);
  for (size_t i = 0; i < m->nstages; i++) {
    free(m->stages[i].name);
    free(m->stages[i].choices);
  }
  free(m->stages);
  for (size_t i = 0; i < m->ntrans; i++) free(m->trans[i].preds);
  free(m->trans);
  for (size_t i = 0; i < m->ncadences; i++) {
    for (size_t j = 0; j < m->cadences[i].nsteps; j++) {
      free(m->cadences[i].steps[j].task);
      free(m->cadences[i].steps[j].note);
      free(m->cadences[i].steps[j].template_);
    }
    free(m->cadences[i].steps);
    free(m->cadences[i].name);
  }
  free(m->cadences);
  for (size_t i = 0; i < m->nteams; i++) {
    for (size_t j = 0; j < m->teams[i].nmembers; j++) free(m->teams[i].members[j]);
    free(m->teams[i].members);
    free(m->teams[i].name);
  }
  free(m->teams);
  for (size_t i = 0; i < m->nowners; i++) {
    for (size_t j = 0; j < m->owners[i].nconds; j++) {
      ls__acond *a = &m->owners[i].conds[j];
      for (size_t k = 0; k < a->p.nstrs; k++) free(a->p.strs[k]);
      free(a->p.strs);
      free(a->p.lens);
      free(a->attr);
    }
    free(m->owners[i].conds);
    free(m->owners[i].owner);
  }
  free(m->owners);
  for (size_t i = 0; i < m->ncriteria; i++) {
    free(m->criteria[i].name);
    free(m->criteria[i].label_en);
    free(m->criteria[i].label_ja);
  }
  free(m->criteria);
  for (size_t k = 0; k < 2; k++) {
    for (size_t i = 0; i < m->nreasons[k]; i++) free(m->reasons[k][i]);
    free(m->reasons[k]);
  }
  for (size_t i = 0; i < m->ntargets; i++) {
    free(m->targets[i].id);
    free(m->targets[i].label_en);
    free(m->targets[i].label_ja);
    free(m->targets[i].default_en);
    free(m->targets[i].default_ja);
  }
  free(m->targets);
  /* derived by ls__model_finalize */
  free(m->type_rules);
  free(m->type_rule_off);
  free(m->type_preds);
  free(m->type_pred_off);
  free(m->controlled);
  free(m->type_slot);
  free(m->attr_seen_slot);
  free(m->attr_value_pred);
  free(m->type_hash);
  free(m);
}

const ls_event_schema *ls_model_schema(const ls_model *m) { return &m->schema; }

size_t ls_model_pred_words(const ls_model *m) {
  return (m->pred_words ? m->pred_words : 1) + m->nfams;
}

size_t ls_model_nfamilies(const ls_model *m) { return m->nfams; }

size_t ls_model_family_score(const ls_model *m, size_t f) {
  return f < m->nfams ? m->fam_score[f] : SIZE_MAX;
}

int32_t ls_model_score_family(const ls_model *m, size_t score) {
  return score < m->nscores ? m->scores[score].fam : -1;
}

/* FNV-1a, 64 bits: fixed forever, since hashes are kept in stored states
 * and in the store's categories table. 0 means "no category". */
uint64_t ls_model_category_hash(const char *p, size_t n) {
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * UINT64_C(0x100000001b3);
  return h ? h : 1;
}

ls_slice ls_model_event_category(const ls_model *m, const ls_event_fields *ev, size_t f) {
  ls_slice none = {NULL, 0};
  if (f >= m->nfams || !ev->props) return none;
  const ls_jvalue *v = &ev->props[m->scores[m->fam_score[f]].by];
  return v->kind == LS_J_STRING && v->s.n ? v->s : none;
}

const char *ls_model_name(const ls_model *m) { return m->name; }
size_t ls_model_nscores(const ls_model *m) { return m->nscores; }

const char *ls_model_score_name(const ls_model *m, size_t i) {
  return i < m->nscores ? m->scores[i].name : NULL;
}

bool ls_model_score_is_formula(const ls_model *m, size_t i) {
  return i < m->nscores && m->scores[i].formula >= 0;
}
size_t ls_model_ngrades(const ls_model *m) { return m->ngrades; }
size_t ls_model_nroutes(const ls_model *m) { return m->nroutes; }
const char *ls_model_route_name(const ls_model *m, size_t i) {
  return i < m->nroutes ? m->routes[i] : NULL;
}
const char *ls_model_grade_name(const ls_model *m, size_t i) {
  return i < m->ngrades ? m->grades[i].name : NULL;
}
const char *ls_model_matrix_name(const ls_model *m) { return m->matrix_name; }

size_t ls_model_nstages(const ls_model *m) { return m->nstages; }

const char *ls_model_stage_name(const ls_model *m, size_t i) {
  return i < m->nstages ? m->stages[i].name : NULL;
}

bool ls_model_stage_mql(const ls_model *m, size_t i) { return i < m->nstages && m->stages[i].mql; }

size_t ls_model_nrules(const ls_model *m) { return m->nrules; }
size_t ls_model_nfits(const ls_model *m) { return m->nfits; }
int64_t ls_model_rule_points(const ls_model *m, size_t i) {
  return i < m->nrules ? m->rules[i].points : 0;
}

const char *ls_model_rule_id(const ls_model *m, size_t i) {
  if (i < m->nrules) return m->rules[i].id;
  return i - m->nrules < m->nfits ? m->fits[i - m->nrules].id : NULL;
}

int32_t ls_model_rule_find(const ls_model *m, const char *id) {
  for (size_t i = 0; i < m->nrules + m->nfits; i++)
    if (!strcmp(ls_model_rule_id(m, i), id)) return (int32_t)i;
  return -1;
}

const char *ls_model_rule_label(const ls_model *m, size_t i, const char *lang) {
  const char *id, *en, *ja;
  if (i < m->nrules) {
    id = m->rules[i].id, en = m->rules[i].label_en, ja = m->rules[i].label_ja;
  } else if (i - m->nrules < m->nfits) {
    const ls__fit *f = &m->fits[i - m->nrules];
    id = f->id, en = f->label_en, ja = f->label_ja;
  } else {
    return NULL;
  }
  if (lang && !strcmp(lang, "ja") && ja) return ja;
  return en ? en : id;
}

bool ls_model_rule_is_fit(const ls_model *m, size_t i) {
  return i >= m->nrules && i - m->nrules < m->nfits;
}

/* ---- targets ---- */

size_t ls_model_ntargets(const ls_model *m) { return m->ntargets; }

const ls_target *ls_model_target(const ls_model *m, size_t i) {
  return i < m->ntargets ? &m->targets[i].pub : NULL;
}

const char *ls_model_target_label(const ls_model *m, size_t i, const char *lang) {
  if (i >= m->ntargets) return NULL;
  const ls__target *t = &m->targets[i];
  bool ja = lang && !strcmp(lang, "ja");
  if (ja && t->label_ja) return t->label_ja;
  if (t->label_en) return t->label_en;
  return ja ? t->default_ja : t->default_en;
}

/* ---- summary ---- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(sbuf *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (w < 0) {
      b->oom = true;
      return;
    }
    if ((size_t)w < b->cap - b->n) {
      b->n += (size_t)w;
      return;
    }
    size_t nc = b->cap * 2 + (size_t)w + 1;
    char *q = realloc(b->p, nc);
    if (!q) {
      b->oom = true;
      return;
    }
    b->p = q;
    b->cap = nc;
  }
}

/* A quoted string with control bytes, quotes and backslashes escaped. */
static void put_quoted(sbuf *b, const char *s, size_t n) {
  put(b, "\"");
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '"' || ch == '\\') put(b, "\\%c", ch);
    else if (ch < 0x20 || ch == 0x7f) put(b, "\\x%02x", ch);
    else put(b, "%c", ch);
  }
  put(b, "\"");
}

static void put_duration(sbuf *b, int64_t s) {
  if (s % 86400 == 0) put(b, "%" PRId64 "d", s / 86400);
  else if (s % 3600 == 0) put(b, "%" PRId64 "h", s / 3600);
  else if (s % 60 == 0) put(b, "%" PRId64 "m", s / 60);
  else put(b, "%" PRId64 "s", s);
}

static const char *const cmp_text[] = {"<", "<=", ">", ">=", "==", "!="};
static const char *const cmp_word[] = {"lt", "lte", "gt", "gte", "eq", "ne"};

/* p's test on the field `key` (of props or attrs by p->src). */
static void put_test(sbuf *b, const ls__pred *p, const char *key) {
  put(b, "%s%s %s ", p->negate ? "not " : "",
      p->src == LS__SRC_PROP ? "prop" : "attr", key);
  switch (p->op) {
    case LS__P_EQUALS: put(b, "equals "); break;
    case LS__P_IN: put(b, "in ["); break;
    case LS__P_CONTAINS_CI: put(b, "contains_ci "); break;
    case LS__P_PREFIX: put(b, "prefix "); break;
    case LS__P_PATH_PREFIX: put(b, "path_prefix "); break;
    case LS__P_NUM_CMP: put(b, "%s %.17g", cmp_word[p->cmp % 6], p->num); break;
    case LS__P_PRESENT: put(b, "present"); break;
    default: put(b, "is a non-empty string"); break;
  }
  for (size_t i = 0; i < p->nstrs; i++) {
    if (i) put(b, ", ");
    put_quoted(b, p->strs[i], p->lens[i]);
  }
  if (p->op == LS__P_IN) put(b, "]");
}

static void put_pred(sbuf *b, const ls_model *m, const ls__pred *p) {
  put_test(b, p, p->src == LS__SRC_PROP ? m->prop_keys[p->key].p : m->attr_keys[p->key].p);
}

static void put_predset(sbuf *b, const ls_model *m, ls__predset set) {
  bool first = true;
  if (!set) return;
  for (size_t i = 0; i < m->npreds; i++)
    if (ls__bit(set, i)) {
      put(b, first ? " if " : " and ");
      put_pred(b, m, &m->preds[i]);
      first = false;
    }
}

static int xprec(const ls__expr *e) {
  switch (e->op) {
    case LS__X_OR: return 1;
    case LS__X_AND: return 2;
    case LS__X_NOT: return 3;
    case LS__X_CMP: case LS__X_STAGE_EQ: case LS__X_GRADE_EQ: case LS__X_ROUTE_EQ: return 4;
    case LS__X_ADD: case LS__X_SUB: return 5;
    case LS__X_MUL: return 6;
    default: return 7;
  }
}

static void put_expr(sbuf *b, const ls_model *m, int32_t i, int min) {
  if (i < 0 || (size_t)i >= m->nexprs) {
    put(b, "?");
    return;
  }
  const ls__expr *e = &m->exprs[i];
  int p = xprec(e);
  if (p < min) put(b, "(");
  switch (e->op) {
    case LS__X_INT: put(b, "%" PRId64, e->k); break;
    case LS__X_SCORE:
      put(b, "%s", (size_t)e->a < m->nscores ? m->scores[e->a].name : "?");
      break;
    case LS__X_IDENTIFIED: put(b, "identified"); break;
    case LS__X_CMP:
      put_expr(b, m, e->a, 5);
      put(b, " %s ", cmp_text[e->cmp % 6]);
      put_expr(b, m, e->b, 5);
      break;
    case LS__X_ADD: case LS__X_SUB: case LS__X_MUL:
      put_expr(b, m, e->a, p);
      put(b, e->op == LS__X_ADD ? " + " : e->op == LS__X_SUB ? " - " : " * ");
      put_expr(b, m, e->b, p + 1);
      break;
    case LS__X_STAGE_EQ:
      put(b, "stage == %s", (size_t)e->k < m->nstages ? m->stages[e->k].name : "?");
      break;
    case LS__X_GRADE_EQ:
      put(b, "%s == %s", m->grades[e->a].name, m->grades[e->a].bands[e->k].label);
      break;
    case LS__X_ROUTE_EQ:
      put(b, "route == %s", (size_t)e->k < m->nroutes ? m->routes[e->k] : "?");
      break;
    case LS__X_NOT:
      put(b, "not ");
      put_expr(b, m, e->a, 3);
      break;
    default:
      put_expr(b, m, e->a, p);
      put(b, e->op == LS__X_AND ? " and " : " or ");
      put_expr(b, m, e->b, p + 1);
      break;
  }
  if (p < min) put(b, ")");
}

static void put_rule(sbuf *b, const ls_model *m, const ls__rule *r) {
  put(b, "  %s: %+" PRId64, r->id, r->points);
  if (m->nscores > 1) put(b, " to %s", m->scores[r->score].name);
  if (r->nsteps) {
    put(b, " on the sequence");
    for (size_t k = 0; k < r->nsteps; k++) {
      put(b, "%s%s", k ? " then " : " ", m->types[r->steps[k].type]);
      put_predset(b, m, r->steps[k].preds);
    }
    put(b, " within ");
    put_duration(b, r->seq_within);
  } else if (r->ntypes == 0) {
    put(b, " on any event");
  }
  for (size_t i = 0; i < r->ntypes && !r->nsteps; i++)
    put(b, "%s%s", i ? ", " : " on ", m->types[r->types[i]]);
  put_predset(b, m, r->preds);
  if (r->visit_page > 0) put(b, "; visit page %" PRId32, r->visit_page);
  if (r->visit_start >= 0)
    put(b, "; %s a visit", r->visit_start ? "starts" : "does not start");
  if (r->recent_kind == LS__RECENT_VISIT_START)
    put(b, "; another visit started within ");
  else if (r->recent_kind == LS__RECENT_TYPE)
    put(b, "; a %s event within ", m->types[r->recent_arg]);
  else if (r->recent_kind == LS__RECENT_RULE)
    put(b, "; rule %s fired within ", m->rules[r->recent_arg].id);
  if (r->recent_kind != LS__RECENT_NONE) put_duration(b, r->recent_within);
  if (r->first_value >= 0)
    put(b, "; first value of attr %s", m->attr_keys[r->first_value].p);
  if (r->once == LS__ONCE_PER_PERIOD) {
    put(b, "; once per ");
    put_duration(b, r->once_period);
  } else if (r->once == LS__ONCE_PER_VISIT) {
    put(b, "; once per visit");
  } else if (r->once == LS__ONCE_PER_PERSON) {
    put(b, "; once per person");
  }
  if (r->in_stages) {
    const char *sep = "; only in ";
    for (size_t i = 0; i < m->nstages; i++)
      if ((r->in_stages[i >> 6] >> (i & 63)) & 1) {
        put(b, "%s%s", sep, m->stages[i].name);
        sep = ", ";
      }
  }
  if (r->cap_k > 0) {
    put(b, "; at most %" PRId64 " points per ", r->cap.points);
    put_duration(b, r->cap.per);
  }
  if (r->group >= 0) {
    const ls__group *g = &m->groups[r->group];
    put(b, "; group %s: at most %" PRId64 " points per ", g->name, g->cap.points);
    put_duration(b, g->cap.per);
  }
  put(b, "\n");
}

static void put_scores(sbuf *b, const ls_model *m) {
  put(b, "scores (%zu):\n", m->nscores);
  for (size_t i = 0; i < m->nscores; i++) {
    const ls__score *s = &m->scores[i];
    if (s->formula >= 0) {
      put(b, "  %s = ", s->name);
      put_expr(b, m, s->formula, 0);
      put(b, "\n");
      continue;
    }
    if (s->by >= 0)
      put(b, "  %s: one per props.%s (the top %d kept), each from 0", s->name,
          m->prop_keys[s->by].p, s->keep);
    else
      put(b, "  %s: initial %" PRId64, s->name, s->initial);
    if (s->half_life) {
      put(b, "; halved every ");
      put_duration(b, s->decay_every);
      put(b, " without activity (toward zero)");
      if (s->has_floor) put(b, "; floor %" PRId64, s->floor);
    } else if (s->decay_every > 0) {
      put(b, "; decay every ");
      put_duration(b, s->decay_every);
      put(b, " without activity:");
      for (size_t j = 0; j < s->nbands; j++)
        put(b, "%s %s >= %" PRId64 ": %+" PRId64, j ? "," : "", s->name,
            s->bands[j].at_least, s->bands[j].points);
      if (s->has_floor) put(b, "; floor %" PRId64, s->floor);
    }
    if (s->win_n) {
      put(b, "; counts the last ");
      put_duration(b, s->win_step * s->win_n);
      put(b, " in steps of ");
      put_duration(b, s->win_step);
    }
    if (s->has_min) put(b, "; min %" PRId64, s->min);
    if (s->has_max) put(b, "; max %" PRId64, s->max);
    put(b, "\n");
  }
}

static void put_fits(sbuf *b, const ls_model *m) {
  if (!m->nfits) return;
  put(b, "fit rules (%zu):\n", m->nfits);
  for (size_t i = 0; i < m->nfits; i++) {
    const ls__fit *f = &m->fits[i];
    put(b, "  %s: re-rolled from attr %s", f->id, m->attr_keys[f->attr].p);
    if (m->nscores > 1) put(b, " to %s", m->scores[f->score].name);
    for (size_t k = 0; k < f->nrows; k++) {
      put(b, "%s", k ? "; " : ": ");
      if (k + 1 == f->nrows && m->preds[f->rows[k].pred].op == LS__P_PRESENT) put(b, "any other value");
      else put_pred(b, m, &m->preds[f->rows[k].pred]);
      put(b, " %+" PRId64, f->rows[k].points);
    }
    put(b, "\n");
  }
}

static void put_grades(sbuf *b, const ls_model *m) {
  if (!m->ngrades) return;
  put(b, "grades (%zu):\n", m->ngrades);
  for (size_t i = 0; i < m->ngrades; i++) {
    const ls__grade *g = &m->grades[i];
    put(b, "  %s of %s:", g->name, m->scores[g->score].name);
    for (size_t j = 0; j < g->nbands; j++) {
      if (g->bands[j].has_at_least)
        put(b, "%s %s >= %" PRId64, j ? "," : "", g->bands[j].label, g->bands[j].at_least);
      else
        put(b, "%s %s below", j ? "," : "", g->bands[j].label);
    }
    put(b, "\n");
  }
  if (m->matrix_name)
    put(b, "matrix %s: %s (rows) x %s (columns)\n", m->matrix_name,
        m->grades[m->matrix_rows].name, m->grades[m->matrix_cols].name);
}

/* A stage's `cadence:`: one name, or its choices in order. */
static void put_choices(sbuf *b, const ls_model *m, const ls__stage *s) {
  if (s->nchoices == 1 && s->choices[0].when < 0) {
    put(b, "cadence %s", m->cadences[s->cadence].name);
    return;
  }
  put(b, "cadence");
  for (size_t i = 0; i < s->nchoices; i++) {
    const ls__choice *c = &s->choices[i];
    put(b, "%s %s", i ? ", else" : "", m->cadences[c->cadence].name);
    if (c->when >= 0) {
      put(b, " if ");
      put_expr(b, m, c->when, 0);
    }
  }
}

static void put_stages(sbuf *b, const ls_model *m) {
  put(b, "stages (%zu):\n", m->nstages);
  for (size_t i = 0; i < m->nstages; i++) {
    const ls__stage *s = &m->stages[i];
    const char *sep = "";
    bool init = i == m->initial_stage;
    bool open = init || s->mql || s->nchoices || s->sla;
    put(b, "  %s%s", s->name, open ? " (" : "");
    if (init) put(b, "initial"), sep = ", ";
    if (s->mql) put(b, "%smql", sep), sep = ", ";
    if (s->nchoices) {
      put(b, "%s", sep);
      put_choices(b, m, s);
      sep = ", ";
    }
    if (s->sla) {
      put(b, "%ssla ", sep);
      put_duration(b, s->sla);
    }
    put(b, "%s\n", open ? ")" : "");
  }
  put(b, "arming: initially %s", m->initially_armed ? "armed" : "disarmed");
  if (m->rearm_when >= 0) {
    put(b, "; re-armed when ");
    put_expr(b, m, m->rearm_when, 0);
  }
  put(b, "\n");
}

static void put_transitions(sbuf *b, const ls_model *m) {
  put(b, "transitions (%zu):\n", m->ntrans);
  for (size_t i = 0; i < m->ntrans; i++) {
    const ls__transition *t = &m->trans[i];
    put(b, "  %s -> %s", m->stages[t->from].name, m->stages[t->to].name);
    if (t->on_type > 0) {
      put(b, " on %s", m->types[t->on_type]);
      put_predset(b, m, t->preds);
    } else if (t->fired >= 0) {
      put(b, " when rule %s fires", m->rules[t->fired].id);
    } else {
      put(b, " when ");
      put_expr(b, m, t->when, 0);
    }
    if (t->requires_armed) put(b, "; requires armed");
    if (t->arms) put(b, "; arms");
    if (t->disarms) put(b, "; disarms");
    if (t->route >= 0) put(b, "; route %s", m->routes[t->route]);
    put(b, "\n");
  }
}

static void put_cadences(sbuf *b, const ls_model *m) {
  static const char *const channel[] = {"call", "email", "task"};
  put(b, "cadences (%zu):\n", m->ncadences);
  for (size_t i = 0; i < m->ncadences; i++) {
    const ls__cadence *c = &m->cadences[i];
    const char *sep = " (on entering ";
    put(b, "  %s", c->name);
    for (size_t s = 0; s < m->nstages; s++)
      for (size_t k = 0; k < m->stages[s].nchoices; k++)
        if (m->stages[s].choices[k].cadence == (int32_t)i) {
          put(b, "%s%s", sep, m->stages[s].name);
          sep = ", ";
          break;
        }
    put(b, "):");
    for (size_t j = 0; j < c->nsteps; j++) {
      const ls__step *st = &c->steps[j];
      put(b, "%s day %" PRId32 " %s", j ? ";" : "", st->day, st->task);
      /* the channel only when the task's name does not say it */
      uint8_t by = !strcmp(st->task, "call") ? 0 : !strcmp(st->task, "email") ? 1 : 2;
      if (st->channel != by) put(b, " by %s", channel[st->channel]);
      if (st->note) put(b, " (%s)", st->note);
      if (st->template_) {
        put(b, " template ");
        put_quoted(b, st->template_, strlen(st->template_));
      }
    }
    put(b, "\n");
  }
}

/* Owners, the hand-off checklist and reasons (only what the model has). */
static void put_workflow(sbuf *b, const ls_model *m) {
  if (m->nteams || m->nowners) put(b, "owners (%zu rules):\n", m->nowners);
  for (size_t i = 0; i < m->nteams; i++) {
    put(b, "  team %s:", m->teams[i].name);
    for (size_t j = 0; j < m->teams[i].nmembers; j++)
      put(b, "%s %s", j ? "," : "", m->teams[i].members[j]);
    put(b, "\n");
  }
  for (size_t i = 0; i < m->nowners; i++) {
    const ls__owner *o = &m->owners[i];
    put(b, "  ");
    for (size_t k = 0; k < o->nconds; k++) {
      put(b, k ? " and " : "if ");
      put_test(b, &o->conds[k].p, o->conds[k].attr);
    }
    put(b, "%s", o->nconds ? ": " : "otherwise: ");
    if (o->team >= 0) put(b, "team %s\n", m->teams[o->team].name);
    else put(b, "owner %s\n", o->owner);
  }
  if (m->handoff_stage >= 0) {
    put(b, "hand-off to %s: at least %zu of %zu criteria:", m->stages[m->handoff_stage].name,
        m->handoff_min, m->ncriteria);
    for (size_t i = 0; i < m->ncriteria; i++)
      put(b, "%s %s%s", i ? "," : "", m->criteria[i].name,
          m->criteria[i].required ? " (required)" : "");
    put(b, "\n");
  }
  static const char *const kinds[] = {"recycle", "disqualify"};
  for (size_t k = 0; k < 2; k++) {
    if (!m->nreasons[k]) continue;
    put(b, "reasons to %s:", kinds[k]);
    for (size_t i = 0; i < m->nreasons[k]; i++) put(b, "%s %s", i ? "," : "", m->reasons[k][i]);
    put(b, "\n");
  }
}

/* Targets, one line each: `  conversion:hot:opportunity: at least 20%`. */
static void put_targets(sbuf *b, const ls_model *m) {
  if (m->ntargets) put(b, "targets (%zu, per calendar month):\n", m->ntargets);
  for (size_t i = 0; i < m->ntargets; i++) {
    const ls_target *t = &m->targets[i].pub;
    put(b, "  %s: at %s ", t->id, t->at_most ? "most" : "least");
    if (t->kind == LS_KPI_CONVERSION) put(b, "%.10g%%\n", t->value * 100);
    else if (t->kind == LS_KPI_MEDIAN_DAYS) put(b, "%.10g days\n", t->value);
    else put(b, "%.0f\n", t->value);
  }
}

/* Copies b's text into buf (cut to cap - 1, NUL-terminated), frees b and
 * returns the full length. */
static size_t copy_out(sbuf *b, char *buf, size_t cap) {
  size_t n = b->oom ? 0 : b->n;
  if (cap) {
    size_t k = n < cap ? n : cap - 1;
    if (k) memcpy(buf, b->p, k);
    buf[k] = '\0';
  }
  free(b->p);
  return n;
}

size_t ls_model_cap_reason(const ls_model *m, size_t rule, int capped, char *buf,
                           size_t cap) {
  sbuf b = {NULL, 0, 0, false};
  const ls__rule *r = rule < m->nrules ? &m->rules[rule] : NULL;
  const ls__score *sc = r ? &m->scores[r->score]
                      : ls_model_rule_is_fit(m, rule) ? &m->scores[m->fits[rule - m->nrules].score]
                                                      : NULL;
  if (r && capped == LS_CAP_RULE) {
    put(&b, "capped: at most %" PRId64 " points per ", r->cap.points);
    put_duration(&b, r->cap.per);
  } else if (r && capped == LS_CAP_GROUP && r->group >= 0) {
    const ls__group *g = &m->groups[r->group];
    put(&b, "capped: group %s at most %" PRId64 " points per ", g->name, g->cap.points);
    put_duration(&b, g->cap.per);
  } else if (sc && capped == LS_CAP_MAX) {
    put(&b, "capped: %s max %" PRId64, sc->name, sc->max);
  } else if (sc && capped == LS_CAP_MIN) {
    put(&b, "capped: %s min %" PRId64, sc->name, sc->min);
  }
  return copy_out(&b, buf, cap);
}

size_t ls_model_fit_nrows(const ls_model *m, size_t rule) {
  return ls_model_rule_is_fit(m, rule) ? m->fits[rule - m->nrules].nrows : 0;
}

size_t ls_model_fit_row_text(const ls_model *m, size_t rule, int32_t row, char *buf,
                             size_t cap) {
  sbuf b = {NULL, 0, 0, false};
  if (ls_model_rule_is_fit(m, rule)) {
    const ls__fit *f = &m->fits[rule - m->nrules];
    if (row < 0 || (size_t)row >= f->nrows) put(&b, "no value");
    else if (m->preds[f->rows[row].pred].op == LS__P_PRESENT && (size_t)row + 1 == f->nrows)
      put(&b, "any other value");
    else put_pred(&b, m, &m->preds[f->rows[row].pred]);
  }
  return copy_out(&b, buf, cap);
}

char *ls_model_summary(const ls_model *m) {
  sbuf b = {malloc(1024), 0, 1024, false};
  if (!b.p) return NULL;
  b.p[0] = 0;
  put(&b, "model %s (leadscore language 1)\n", m->name);
  if (m->description) { /* each line indented; trailing newlines dropped */
    const char *d = m->description;
    size_t n = strlen(d);
    while (n && (d[n - 1] == '\n' || d[n - 1] == ' ')) n--;
    for (size_t i = 0; i < n;) {
      size_t j = i;
      while (j < n && d[j] != '\n') j++;
      put(&b, "  %.*s\n", (int)(j - i), d + i);
      i = j + 1;
    }
  }
  if (m->visit_type > 0) {
    put(&b, "visits: %s events; a gap over ", m->types[m->visit_type]);
    put_duration(&b, m->visit_gap);
    put(&b, " starts a new visit\n");
  }
  put_scores(&b, m);
  put_grades(&b, m);
  put(&b, "rules (%zu):\n", m->nrules);
  for (size_t i = 0; i < m->nrules; i++) put_rule(&b, m, &m->rules[i]);
  put_fits(&b, m);
  put_stages(&b, m);
  put_transitions(&b, m);
  put_cadences(&b, m);
  put_workflow(&b, m);
  put_targets(&b, m);
  if (b.oom) {
    free(b.p);
    return NULL;
  }
  return b.p;
}
