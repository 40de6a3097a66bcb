/* ls_model_load: YAML text → node tree (libyaml events) → compiled model.
 *
 * The tree is built with libyaml's event API so that anchors, aliases and
 * tags can be rejected where they are written. Nodes live in one array and
 * scalar text in one pool per load. The sections are then compiled in a
 * fixed order (scores before rules, stages before transitions, transitions
 * before cadences, whose choices may test their routes, ...) whatever their
 * order in the document; event types are numbered in that compile order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "load_internal.h"

/* ---- tree building ---- */

typedef struct open_node {
  uint32_t node; /* index of the open map / sequence */
  uint32_t last; /* its last child so far, or LS__YNONE */
} open_node;

typedef struct tree_state {
  open_node *stack;
  size_t depth, cap;
} tree_state;

/* Line and column (1-based, counting UTF-8 characters) of byte `off`. */
static void offset_to_lc(const char *text, size_t len, size_t off,
                         unsigned *line, unsigned *col) {
  unsigned l = 1, c = 1;
  if (off > len) off = len;
  for (size_t i = 0; i < off; i++) {
    if (text[i] == '\n') {
      l++;
      c = 1;
    } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
      c++;
    }
  }
  *line = l;
  *col = c;
}

static int yaml_error(ls__lctx *c, const yaml_parser_t *p, const char *text,
                      size_t len) {
  const char *problem = p->problem ? p->problem : "invalid YAML";
  if (p->error == YAML_MEMORY_ERROR) return ls__oom(c);
  if (p->error == YAML_READER_ERROR) {
    unsigned line, col;
    offset_to_lc(text, len, p->problem_offset, &line, &col);
    return ls__lerr_at(c, line, col,
                       "invalid text: %s (a model is UTF-8 text without "
                       "control characters)", problem);
  }
  unsigned line = (unsigned)p->problem_mark.line + 1;
  unsigned col = (unsigned)p->problem_mark.column + 1;
  if (p->context)
    return ls__lerr_at(c, line, col,
                       "YAML syntax error: %s (%s at line %u, column %u)",
                       problem, p->context,
                       (unsigned)p->context_mark.line + 1,
                       (unsigned)p->context_mark.column + 1);
  return ls__lerr_at(c, line, col, "YAML syntax error: %s", problem);
}

/* Adds a node and links it under the innermost open collection. */
static int add_node(ls__lctx *c, tree_state *t, uint8_t kind, uint8_t style,
                    const yaml_event_t *ev, const char *text, size_t len,
                    uint32_t *idx) {
  if (c->nnodes >= UINT32_MAX - 1)
    return ls__lerr_at(c, 1, 1, "the model is too large");
  if (ls__grow((void **)&c->nodes, &c->nodes_cap, c->nnodes + 1,
                sizeof *c->nodes))
    return ls__oom(c);
  uint32_t i = (uint32_t)c->nnodes++;
  ls__ynode *n = &c->nodes[i];
  n->kind = kind;
  n->style = style;
  n->line = (unsigned)ev->start_mark.line + 1;
  n->col = (unsigned)ev->start_mark.column + 1;
  n->first = n->next = LS__YNONE;
  n->count = 0;
  n->off = c->pool_len;
  n->len = len;
  if (kind == LS__Y_SCALAR) {
    if (len > SIZE_MAX - 1 - c->pool_len ||
        ls__grow((void **)&c->pool, &c->pool_cap, c->pool_len + len + 1, 1))
      return ls__oom(c);
    if (len) memcpy(c->pool + c->pool_len, text, len);
    c->pool[c->pool_len + len] = 0;
    c->pool_len += len + 1;
  }
  if (t->depth) {
    open_node *o = &t->stack[t->depth - 1];
    if (o->last == LS__YNONE)
      c->nodes[o->node].first = i;
    else
      c->nodes[o->last].next = i;
    o->last = i;
    c->nodes[o->node].count++;
  }
  *idx = i;
  return LS_OK;
}

static int check_props(ls__lctx *c, const yaml_event_t *ev,
                       const yaml_char_t *anchor, const yaml_char_t *tag) {
  char buf[64];
  unsigned line = (unsigned)ev->start_mark.line + 1;
  unsigned col = (unsigned)ev->start_mark.column + 1;
  if (anchor)
    return ls__lerr_at(c, line, col,
                       "YAML anchors (&%s) are not supported; write the "
                       "value out", ls__show(buf, sizeof buf,
                                             (const char *)anchor,
                                             strlen((const char *)anchor)));
  if (tag)
    return ls__lerr_at(c, line, col,
                       "YAML tags (%s) are not supported; remove the tag",
                       ls__show(buf, sizeof buf, (const char *)tag,
                                strlen((const char *)tag)));
  return LS_OK;
}

static uint8_t scalar_style(yaml_scalar_style_t s) {
  switch (s) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return LS__YS_SQUOTE;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return LS__YS_DQUOTE;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE: return LS__YS_BLOCK;
    default: return LS__YS_PLAIN;
  }
}

/* Handles one event; *done is set at the end of the stream. */
static int on_event(ls__lctx *c, tree_state *t, const yaml_event_t *ev,
                    int *docs, bool *done) {
  char buf[64];
  uint32_t idx;
  int r;
  unsigned line = (unsigned)ev->start_mark.line + 1;
  unsigned col = (unsigned)ev->start_mark.column + 1;
  switch (ev->type) {
    case YAML_STREAM_END_EVENT:
      *done = true;
      return LS_OK;
    case YAML_DOCUMENT_START_EVENT:
      if (++*docs > 1)
        return ls__lerr_at(c, line, col,
                           "a second YAML document; a model file holds "
                           "exactly one document");
      return LS_OK;
    case YAML_ALIAS_EVENT:
      return ls__lerr_at(
          c, line, col,
          "YAML aliases (*%s) are not supported; write the value out",
          ls__show(buf, sizeof buf, (const char *)ev->data.alias.anchor,
                   strlen((const char *)ev->data.alias.anchor)));
    case YAML_SCALAR_EVENT:
      r = check_props(c, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
      if (r) return r;
      return add_node(c, t, LS__Y_SCALAR, scalar_style(ev->data.scalar.style),
                      ev, (const char *)ev->data.scalar.value,
                      ev->data.scalar.length, &idx);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
      bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
      r = seq ? check_props(c, ev, ev->data.sequence_start.anchor,
                            ev->data.sequence_start.tag)
              : check_props(c, ev, ev->data.mapping_start.anchor,
                            ev->data.mapping_start.tag);
      if (r) return r;
      bool flow = seq ? ev->data.sequence_start.style ==
                            YAML_FLOW_SEQUENCE_STYLE
                      : ev->data.mapping_start.style ==
                            YAML_FLOW_MAPPING_STYLE;
      r = add_node(c, t, seq ? LS__Y_SEQ : LS__Y_MAP,
                   flow ? LS__YS_FLOW : LS__YS_BLOCKC, ev, NULL, 0, &idx);
      if (r) return r;
      if (ls__grow((void **)&t->stack, &t->cap, t->depth + 1,
                    sizeof *t->stack))
        return ls__oom(c);
      t->stack[t->depth].node = idx;
      t->stack[t->depth].last = LS__YNONE;
      t->depth++;
      return LS_OK;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      if (t->depth) t->depth--;
      return LS_OK;
    default:
      return LS_OK;
  }
}

static int build_tree(ls__lctx *c, const char *text, size_t len) {
  yaml_parser_t p;
  tree_state t = {0};
  int docs = 0, r = LS_OK;
  bool done = false;
  if (!yaml_parser_initialize(&p)) return ls__oom(c);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  while (!done && !r) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) {
      r = yaml_error(c, &p, text, len);
      break;
    }
    r = on_event(c, &t, &ev, &docs, &done);
    yaml_event_delete(&ev);
  }
  yaml_parser_delete(&p);
  free(t.stack);
  if (!r && c->nnodes == 0)
    r = ls__lerr_at(c, 1, 1, "the model is empty (expected a mapping "
                    "starting with `leadscore: 1`)");
  return r;
}

/* ---- top level ---- */

static const char *const sec_names[LS__SEC_COUNT] = {
    [LS__SEC_LEADSCORE] = "leadscore", [LS__SEC_NAME] = "name",
    [LS__SEC_DESCRIPTION] = "description", [LS__SEC_SCORES] = "scores",
    [LS__SEC_VISITS] = "visits", [LS__SEC_RULES] = "rules",
    [LS__SEC_STAGES] = "stages", [LS__SEC_CADENCES] = "cadences",
    [LS__SEC_ARMING] = "arming", [LS__SEC_TRANSITIONS] = "transitions",
    [LS__SEC_GRADES] = "grades", [LS__SEC_MATRIX] = "matrix", [LS__SEC_FIT] = "fit", [LS__SEC_GROUPS] = "groups",
    [LS__SEC_OWNERS] = "owners", [LS__SEC_HANDOFF] = "handoff",
    [LS__SEC_REASONS] = "reasons", [LS__SEC_TARGETS] = "targets",
};

static int top_key(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  (void)obj;
  for (size_t i = 0; i < LS__SEC_COUNT; i++)
    if (strlen(sec_names[i]) == k->len &&
        !memcmp(sec_names[i], ls__y_text(c, k), k->len))
      c->sec[i] = v;
  return LS_OK;
}

/* In the order shown in "expected one of" messages. Sections a later
 * language version adds are new rows. */
static const ls__key top_keys[] = {
    {"leadscore", top_key, LS__KEY_REQUIRED},
    {"name", top_key, LS__KEY_REQUIRED},
    {"description", top_key, 0},
    {"visits", top_key, 0},
    {"scores", top_key, LS__KEY_REQUIRED},
    {"grades", top_key, 0},
    {"matrix", top_key, 0},
    {"rules", top_key, 0},
    {"fit", top_key, 0},
    {"groups", top_key, 0},
    {"stages", top_key, LS__KEY_REQUIRED},
    {"arming", top_key, 0},
    {"transitions", top_key, 0},
    {"cadences", top_key, 0},
    {"owners", top_key, 0},
    {"handoff", top_key, 0},
    {"reasons", top_key, 0},
    {"targets", top_key, 0},
};

static int check_version(ls__lctx *c, const ls__ynode *root) {
  char buf[64];
  if (root->kind != LS__Y_MAP)
    return ls__lerr(c, root, "expected a mapping at the top level (starting "
                    "with `leadscore: 1`), got %s",
                    ls__what(c, root, buf, sizeof buf));
  const ls__ynode *v = ls__map_get(c, root, "leadscore");
  if (!v)
    return ls__lerr(c, root, "missing `leadscore: 1` (the model language "
                    "version) at the top level");
  int64_t version;
  int r = ls__want_int(c, v, "leadscore (the language version)", 0,
                       INT32_MAX, &version);
  if (r) return r;
  if (version != 1)
    return ls__lerr(c, v, "unsupported model language version %lld (this "
                    "leadscore reads version 1)", (long long)version);
  return LS_OK;
}

static int build_set(ls__lctx *c, const ls__plist *l, ls__predset *out) {
  *out = NULL;
  if (!l || l->n == 0) return LS_OK;
  uint64_t *s = calloc(c->m->pred_words, sizeof *s);
  if (!s) return ls__oom(c);
  for (size_t i = 0; i < l->n; i++) s[l->v[i] >> 6] |= UINT64_C(1) << (l->v[i] & 63);
  *out = s;
  return LS_OK;
}

static int compile(ls__lctx *c) {
  ls_model *m = c->m;
  const ls__ynode *root = &c->nodes[0];
  int r = check_version(c, root);
  if (r) return r;
  r = ls__walk_map(c, root, "the top level", top_keys,
                   sizeof top_keys / sizeof top_keys[0], NULL);
  if (r) return r;

  r = ls__want_str(c, c->sec[LS__SEC_NAME], "name", false, &m->name);
  if (!r && c->sec[LS__SEC_DESCRIPTION])
    r = ls__want_str(c, c->sec[LS__SEC_DESCRIPTION], "description", true,
                     &m->description);
  if (!r) r = ls__load_scores(c, c->sec[LS__SEC_SCORES]);
  if (!r && c->sec[LS__SEC_GRADES]) r = ls__load_grades(c, c->sec[LS__SEC_GRADES]);
  if (!r && c->sec[LS__SEC_MATRIX]) r = ls__load_matrix(c, c->sec[LS__SEC_MATRIX]);
  if (!r && c->sec[LS__SEC_VISITS]) r = ls__load_visits(c, c->sec[LS__SEC_VISITS]);
  if (!r && c->sec[LS__SEC_RULES]) r = ls__load_rules(c, c->sec[LS__SEC_RULES]);
  if (!r && c->sec[LS__SEC_FIT]) r = ls__load_fit(c, c->sec[LS__SEC_FIT]);
  if (!r && c->sec[LS__SEC_GROUPS]) r = ls__load_groups(c, c->sec[LS__SEC_GROUPS]);
  if (!r) r = ls__load_stages(c, c->sec[LS__SEC_STAGES]);
  if (!r) r = ls__resolve_rule_stages(c);
  if (!r && c->sec[LS__SEC_ARMING]) r = ls__load_arming(c, c->sec[LS__SEC_ARMING]);
  if (!r && c->sec[LS__SEC_TRANSITIONS])
    r = ls__load_transitions(c, c->sec[LS__SEC_TRANSITIONS]);
  if (!r) r = ls__load_cadences(c, c->sec[LS__SEC_CADENCES]);
  if (!r && c->sec[LS__SEC_OWNERS]) r = ls__load_owners(c, c->sec[LS__SEC_OWNERS]);
  if (!r && c->sec[LS__SEC_HANDOFF]) r = ls__load_handoff(c, c->sec[LS__SEC_HANDOFF]);
  if (!r && c->sec[LS__SEC_REASONS]) r = ls__load_reasons(c, c->sec[LS__SEC_REASONS]);
  if (!r && c->sec[LS__SEC_TARGETS]) r = ls__load_targets(c, c->sec[LS__SEC_TARGETS]);
  if (r) return r;
  ls__set_prefix(c, "%s", "");

  m->pred_words = m->npreds ? (m->npreds + 63) / 64 : 1;
  for (size_t i = 0; i < m->nrules && !r; i++)
    r = build_set(c, &c->rule_preds[i], &m->rules[i].preds);
  for (size_t i = 0; i < m->ntrans && !r; i++)
    r = build_set(c, &c->trans_preds[i], &m->trans[i].preds);
  for (size_t i = 0; i < m->nrules && !r; i++)
    for (size_t k = 0; k < m->rules[i].nsteps && !r; k++)
      r = build_set(c, &c->step_preds[m->rules[i].steps[k].plist], &m->rules[i].steps[k].preds);
  if (r) return r;
  m->schema.prop_keys = m->prop_keys;
  m->schema.nprops = m->nprops;
  m->schema.attr_keys = m->attr_keys;
  m->schema.nattrs = m->nattrs;
  return ls__model_finalize(m, c->diag);
}

static void ctx_free(ls__lctx *c) {
  ls_model *m = c->m;
  if (c->rule_preds)
    for (size_t i = 0; i < m->nrules; i++) free(c->rule_preds[i].v);
  if (c->trans_preds)
    for (size_t i = 0; i < m->ntrans; i++) free(c->trans_preds[i].v);
  free(c->rule_preds);
  free(c->trans_preds);
  free(c->rule_recent_rule);
  free(c->rule_in_stages);
  for (size_t i = 0; i < c->nstep_preds; i++) free(c->step_preds[i].v);
  free(c->step_preds);
  free(c->stage_cadence);
  free(c->nodes);
  free(c->pool);
}

int ls_model_load(const char *text, size_t len, ls_model **out,
                  ls_diag *diag) {
  ls_diag scratch;
  if (!diag) diag = &scratch;
  memset(diag, 0, sizeof *diag);
  if (!out || (!text && len)) return LS_EINVAL;
  *out = NULL;
  ls_model *m = calloc(1, sizeof *m);
  if (!m) {
    snprintf(diag->msg, sizeof diag->msg, "out of memory");
    return LS_ENOMEM;
  }
  m->initially_armed = true;
  m->rearm_when = -1;
  m->pred_words = 1;
  m->matrix_rows = m->matrix_cols = -1;
  m->handoff_stage = -1;
  ls__lctx c = {0};
  c.m = m;
  c.diag = diag;
  int r = build_tree(&c, text ? text : "", len);
  if (!r) r = compile(&c);
  ctx_free(&c);
  if (r) {
    if (r != LS_ENOMEM && r != LS_EMODEL) r = LS_EMODEL;
    ls_model_destroy(m);
    return r;
  }
  *out = m;
  return LS_OK;
}
