/* Sections `owners`, `handoff` and `reasons`: the inside-sales
 * workflow around the scores (docs/model-language.md, "Workflow").
 *
 *   owners:
 *     teams:
 *       - {name: east, members: [sato, suzuki]}
 *     rules:                  # the first rule whose conditions hold
 *       - {if: [{attr: country, equals: JP}], team: east}
 *       - {owner: yamada}     # no if: a default, last
 *   handoff:
 *     stage: opportunity
 *     min: 3
 *     criteria: [{name: need, required: true, label: {en: Need, ja: 課題}}]
 *   reasons:
 *     recycle: [no_budget, bad_timing]
 *     disqualify: [no_fit, spam]
 *
 * The fold reads none of it: owner rules are evaluated from the person's
 * attributes by ls_model_owner_for (workflow.c), so their conditions are
 * kept apart from the event predicates and add nothing to the schema. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

static bool same(const char *a, const char *b, size_t blen) {
  return strlen(a) == blen && memcmp(a, b, blen) == 0;
}

/* ---- owners: teams ---- */

typedef struct team_tmp {
  ls__team *t;
  size_t index;
} team_tmp;

static int team_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  team_tmp *t = obj;
  int r = ls__want_name(c, v, "team name", &t->t->name);
  for (size_t i = 0; !r && i < t->index; i++)
    if (!strcmp(c->m->teams[i].name, t->t->name))
      r = ls__lerr(c, v, "two teams are named \"%s\"", t->t->name);
  return r;
}

static int team_members(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  ls__team *t = ((team_tmp *)obj)->t;
  int r = ls__want_seq(c, v, "members (names)");
  if (r) return r;
  if (v->count == 0) return ls__lerr(c, v, "a team needs at least one member");
  if (!(t->members = calloc(v->count, sizeof *t->members))) return ls__oom(c);
  for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e)) {
    if ((r = ls__want_str(c, e, "member", false, &t->members[t->nmembers]))) return r;
    const char *name = t->members[t->nmembers++];
    for (size_t i = 0; i + 1 < t->nmembers; i++)
      if (!strcmp(t->members[i], name))
        return ls__lerr(c, e, "member \"%s\" is listed twice", name);
  }
  return LS_OK;
}

static const ls__key team_keys[] = {
    {"name", team_name, LS__KEY_REQUIRED},
    {"members", team_members, LS__KEY_REQUIRED},
};

static int load_teams(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "teams ({name: NAME, members: [...]})");
  if (r || n->count == 0) return r;
  if (!(m->teams = calloc(n->count, sizeof *m->teams))) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e && !r; e = ls__y_next(c, e), i++) {
    m->nteams = i + 1; /* freed with the model even when incomplete */
    team_tmp t = {&m->teams[i], i};
    t.t->line = e->line;
    ls__set_prefix(c, "owners: team %zu: ", i + 1);
    r = ls__walk_map(c, e, "team", team_keys, 2, &t);
  }
  return r;
}

/* ---- owners: rules ---- */

typedef struct orule_tmp {
  const ls__ynode *if_, *team, *owner, *owner_key;
} orule_tmp;

static int orule_keep(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  orule_tmp *t = obj;
  const char *name = ls__y_text(c, k);
  if (name[0] == 'i') {
    t->if_ = v;
  } else if (name[0] == 't') {
    t->team = v;
  } else {
    t->owner = v;
    t->owner_key = k;
  }
  return LS_OK;
}

static const ls__key orule_keys[] = {
    {"if", orule_keep, 0},
    {"team", orule_keep, 0},
    {"owner", orule_keep, 0},
};

static int find_team(ls__lctx *c, const ls__ynode *v, int32_t *out) {
  const ls_model *m = c->m;
  char list[120], buf[64];
  const char *s = NULL;
  int r = ls__want_text(c, v, "team", &s);
  if (r) return r;
  for (size_t i = 0; i < m->nteams; i++)
    if (same(m->teams[i].name, s, v->len)) {
      *out = (int32_t)i;
      return LS_OK;
    }
  size_t o = 0;
  list[0] = 0;
  for (size_t i = 0; i < m->nteams; i++) { /* cut with ", ..." when long */
    int w = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", m->teams[i].name);
    if (w < 0 || (size_t)w >= sizeof list - o) {
      memcpy(list + (o + 6 < sizeof list ? o : sizeof list - 6), ", ...", 6);
      break;
    }
    o += (size_t)w;
  }
  return ls__lerr(c, v, "unknown team %s (%s%s)", ls__what(c, v, buf, sizeof buf),
                  m->nteams ? "teams: " : "the model declares no teams", list);
}

static int load_orule(ls__lctx *c, const ls__ynode *e, ls__owner *o) {
  orule_tmp t = {0};
  int r = ls__walk_map(c, e, "owner rule", orule_keys, 3, &t);
  if (r) return r;
  if (t.team && t.owner)
    return ls__lerr(c, t.owner_key, "an owner rule gives either team: or owner:, not both");
  if (!t.team && !t.owner)
    return ls__lerr(c, e, "an owner rule needs team: TEAM or owner: NAME");
  if (t.team && (r = find_team(c, t.team, &o->team))) return r;
  if (t.owner && (r = ls__want_str(c, t.owner, "owner", false, &o->owner))) return r;
  if (!t.if_) return LS_OK;
  if ((r = ls__want_seq(c, t.if_, "conditions ({attr: KEY, equals: VALUE})"))) return r;
  if (t.if_->count == 0)
    return ls__lerr(c, t.if_, "if needs at least one condition (leave if: out for "
                    "the default rule)");
  if (!(o->conds = calloc(t.if_->count, sizeof *o->conds))) return ls__oom(c);
  for (const ls__ynode *x = ls__y_first(c, t.if_); x; x = ls__y_next(c, x))
    if ((r = ls__load_attr_cond(c, x, &o->conds[o->nconds++]))) return r;
  return LS_OK;
}

static int load_orules(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "owner rules ({if: [...], team: TEAM} or {owner: NAME})");
  if (r || n->count == 0) return r;
  if (!(m->owners = calloc(n->count, sizeof *m->owners))) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e && !r; e = ls__y_next(c, e), i++) {
    ls__set_prefix(c, "owners: rule %zu: ", i + 1);
    if (i && m->owners[i - 1].nconds == 0)
      return ls__lerr(c, e, "a rule after the default rule (the one without if:) "
                      "could never match; put the default rule last");
    m->nowners = i + 1;
    m->owners[i].team = -1;
    m->owners[i].line = e->line;
    r = load_orule(c, e, &m->owners[i]);
  }
  return r;
}

typedef struct owners_tmp {
  const ls__ynode *teams, *rules;
} owners_tmp;

static int owners_keep(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  owners_tmp *t = obj;
  if (ls__y_text(c, k)[0] == 't') t->teams = v;
  else t->rules = v;
  return LS_OK;
}

static const ls__key owners_keys[] = {
    {"teams", owners_keep, 0},
    {"rules", owners_keep, 0},
};

int ls__load_owners(ls__lctx *c, const ls__ynode *n) {
  owners_tmp t = {0};
  ls__set_prefix(c, "owners: ");
  int r = ls__walk_map(c, n, "owners", owners_keys, 2, &t);
  if (!r && t.teams) r = load_teams(c, t.teams); /* before the rules that name them */
  if (!r && t.rules) r = load_orules(c, t.rules);
  if (!r) ls__set_prefix(c, "%s", "");
  return r;
}

/* ---- handoff ---- */

typedef struct crit_tmp {
  ls__criterion *k;
  size_t index;
} crit_tmp;

static int crit_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  crit_tmp *t = obj;
  int r = ls__want_name(c, v, "criterion name", &t->k->name);
  for (size_t i = 0; !r && i < t->index; i++)
    if (!strcmp(c->m->criteria[i].name, t->k->name))
      r = ls__lerr(c, v, "two criteria are named \"%s\"", t->k->name);
  return r;
}

static int crit_label(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  crit_tmp *t = obj;
  return ls__load_label(c, k, v, &t->k->label_en, &t->k->label_ja);
}

static int crit_required(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_bool(c, v, "required", &((crit_tmp *)obj)->k->required);
}

static const ls__key crit_keys[] = {
    {"name", crit_name, LS__KEY_REQUIRED},
    {"label", crit_label, 0},
    {"required", crit_required, 0},
};

static int load_criteria(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "criteria ({name: NAME, label: ..., required: BOOL})");
  if (r) return r;
  if (n->count == 0) return ls__lerr(c, n, "the hand-off needs at least one criterion");
  if (!(m->criteria = calloc(n->count, sizeof *m->criteria))) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e && !r; e = ls__y_next(c, e), i++) {
    m->ncriteria = i + 1;
    crit_tmp t = {&m->criteria[i], i};
    t.k->line = e->line;
    ls__set_prefix(c, "handoff: criterion %zu: ", i + 1);
    r = ls__walk_map(c, e, "criterion", crit_keys, 3, &t);
  }
  ls__set_prefix(c, "handoff: ");
  return r;
}

typedef struct handoff_tmp {
  const ls__ynode *stage, *min, *criteria;
} handoff_tmp;

static int handoff_keep(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  handoff_tmp *t = obj;
  const char *name = ls__y_text(c, k);
  if (name[0] == 's') t->stage = v;
  else if (name[0] == 'm') t->min = v;
  else t->criteria = v;
  return LS_OK;
}

static const ls__key handoff_keys[] = {
    {"stage", handoff_keep, LS__KEY_REQUIRED},
    {"min", handoff_keep, 0},
    {"criteria", handoff_keep, LS__KEY_REQUIRED},
};

int ls__load_handoff(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  handoff_tmp t = {0};
  uint16_t stage = 0;
  ls__set_prefix(c, "handoff: ");
  int r = ls__walk_map(c, n, "handoff", handoff_keys, 3, &t);
  if (!r) r = ls__find_stage(c, t.stage, "stage", &stage);
  if (!r) r = load_criteria(c, t.criteria);
  if (r) return r;
  m->handoff_stage = stage;
  m->handoff_min = m->ncriteria; /* without min: every criterion */
  if (t.min) {
    int64_t v;
    if ((r = ls__want_int(c, t.min, "min", 1, LS__MAX_ITEMS, &v))) return r;
    if ((size_t)v > m->ncriteria)
      return ls__lerr(c, t.min, "min (%lld) is more than the %zu criteria: the hand-off "
                      "could never happen", (long long)v, m->ncriteria);
    m->handoff_min = (size_t)v;
  }
  ls__set_prefix(c, "%s", "");
  return LS_OK;
}

/* ---- reasons ---- */

static int reason_list(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)obj;
  ls_model *m = c->m;
  const char *kind = ls__y_text(c, k);
  size_t which = kind[0] == 'r' ? 0 : 1;
  int r = ls__want_seq(c, v, "reasons (names)");
  if (r) return r;
  if (v->count == 0)
    return ls__lerr(c, v, "%s needs at least one reason (leave it out to accept any)", kind);
  char **list = calloc(v->count, sizeof *list);
  if (!list) return ls__oom(c);
  m->reasons[which] = list;
  for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e)) {
    if ((r = ls__want_name(c, e, "reason", &list[m->nreasons[which]]))) return r;
    const char *name = list[m->nreasons[which]++];
    for (size_t i = 0; i + 1 < m->nreasons[which]; i++)
      if (!strcmp(list[i], name))
        return ls__lerr(c, e, "reason \"%s\" is listed twice in %s", name, kind);
  }
  return LS_OK;
}

static const ls__key reason_keys[] = {
    {"recycle", reason_list, 0},
    {"disqualify", reason_list, 0},
};

int ls__load_reasons(ls__lctx *c, const ls__ynode *n) {
  ls__set_prefix(c, "reasons: ");
  int r = ls__walk_map(c, n, "reasons", reason_keys, 2, NULL);
  if (!r) ls__set_prefix(c, "%s", "");
  return r;
}
