/* Sections `owners`, `handoff`, `reasons` and `targets`: the inside-sales
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

/* ---- targets ----
 *
 *   targets:                  # per calendar month
 *     - {kpi: mqls, at_least: 200, label: {en: MQLs, ja: MQL数}}
 *     - {kpi: entries, stage: customer, at_least: 10}
 *     - {kpi: conversion, from: hot, to: opportunity, at_least: 20%}
 *     - {kpi: median_days, stage: hot, at_most: 7d}
 *
 * The funnel and the monthly review compare against them; the fold does
 * not read them. */

static const char *const kpi_names[] = {
    [LS_KPI_MQLS] = "mqls", [LS_KPI_ENTRIES] = "entries",
    [LS_KPI_CONVERSION] = "conversion", [LS_KPI_MEDIAN_DAYS] = "median_days"};
static const char *const kpi_article[] = {
    [LS_KPI_MQLS] = "an", [LS_KPI_ENTRIES] = "an", [LS_KPI_CONVERSION] = "a",
    [LS_KPI_MEDIAN_DAYS] = "a"};

#define LS__MAX_TARGET_COUNT INT64_C(1000000000)

typedef struct target_tmp {
  ls__target *t;
  const ls__ynode *kpi, *stage, *from, *to, *least, *most; /* values */
  const ls__ynode *k_stage, *k_from, *k_to, *k_least, *k_most; /* their keys */
} target_tmp;

static int target_keep(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  target_tmp *t = obj;
  const char *name = ls__y_text(c, k);
  if (!strcmp(name, "kpi")) {
    t->kpi = v;
  } else if (!strcmp(name, "stage")) {
    t->stage = v, t->k_stage = k;
  } else if (!strcmp(name, "from")) {
    t->from = v, t->k_from = k;
  } else if (!strcmp(name, "to")) {
    t->to = v, t->k_to = k;
  } else if (!strcmp(name, "at_least")) {
    t->least = v, t->k_least = k;
  } else {
    t->most = v, t->k_most = k;
  }
  return LS_OK;
}

static int target_label(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  ls__target *t = ((target_tmp *)obj)->t;
  return ls__load_label(c, k, v, &t->label_en, &t->label_ja);
}

static const ls__key target_keys[] = {
    {"kpi", target_keep, LS__KEY_REQUIRED},
    {"stage", target_keep, 0},
    {"from", target_keep, 0},
    {"to", target_keep, 0},
    {"at_least", target_keep, 0},
    {"at_most", target_keep, 0},
    {"label", target_label, 0},
};

/* `N%` with N digits, optionally `.digits` (no sign, no exponent, no leading
 * zeros), as the share N / 100: the decimal point moved two places, read
 * once, so that 12.5% is exactly the double 0.125 and 33.3% the double
 * nearest to 0.333. */
static bool parse_percent(const char *s, size_t n, double *out) {
  char buf[48];
  if (n < 2 || n - 1 > 40 || s[n - 1] != '%') return false;
  size_t i = 0, ndig = 0;
  while (i < n - 1 && s[i] >= '0' && s[i] <= '9') i++, ndig++;
  if (!ndig || (s[0] == '0' && ndig > 1)) return false;
  if (i < n - 1 && s[i] == '.') {
    size_t d = ++i;
    while (i < n - 1 && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d) return false;
  }
  if (i != n - 1) return false;
  memcpy(buf, s, n - 1);
  memcpy(buf + n - 1, "e-2", 4);
  *out = strtod(buf, NULL);
  return true;
}

/* A plain number (what a conversion must not be written as). */
static bool looks_numeric(const char *s, size_t n) {
  if (!n || !strchr("0123456789+-.", s[0]) || memchr(s, 0, n)) return false;
  char *end = NULL;
  (void)strtod(s, &end);
  return end == s + n;
}

static int target_value(ls__lctx *c, const ls__ynode *v, const char *what, ls_target *t) {
  char buf[64];
  const char *s = NULL;
  int r;
  switch (t->kind) {
    case LS_KPI_MQLS:
    case LS_KPI_ENTRIES: {
      int64_t n;
      if ((r = ls__want_int(c, v, what, 0, LS__MAX_TARGET_COUNT, &n))) return r;
      t->value = (double)n;
      return LS_OK;
    }
    case LS_KPI_CONVERSION:
      if ((r = ls__want_text(c, v, what, &s))) return r;
      if (looks_numeric(s, v->len))
        return ls__lerr(c, v, "write a conversion target as a percentage, e.g. 20%% (got %s)",
                        ls__what(c, v, buf, sizeof buf));
      if (!parse_percent(s, v->len, &t->value))
        return ls__lerr(c, v, "expected a percentage like 20%% or 12.5%% for %s, got %s", what,
                        ls__what(c, v, buf, sizeof buf));
      if (t->value > 1)
        return ls__lerr(c, v, "a conversion is at most 100%%, got %s",
                        ls__what(c, v, buf, sizeof buf));
      return LS_OK;
    default: { /* LS_KPI_MEDIAN_DAYS */
      int64_t secs;
      /* a duration without a unit is seconds elsewhere: `at_most: 7` is
       * surely not 7 seconds, so a unit is required here */
      if (v->kind == LS__Y_SCALAR && v->len &&
          strspn(ls__y_text(c, v), "0123456789") == v->len)
        return ls__lerr(c, v, "write a median as a duration with its unit, e.g. 7d or 36h "
                        "(a plain number would be seconds), got %s",
                        ls__what(c, v, buf, sizeof buf));
      if ((r = ls__want_duration(c, v, what, &secs))) return r;
      t->value = (double)secs / 86400.0;
      return LS_OK;
    }
  }
}

/* Checks which of stage:/from:/to: the KPI takes and resolves them. */
static int target_stages(ls__lctx *c, const ls__ynode *e, target_tmp *x) {
  ls_target *t = &x->t->pub;
  const char *a = kpi_article[t->kind], *kpi = kpi_names[t->kind];
  uint16_t s;
  int r;
  if (t->kind == LS_KPI_MQLS) {
    const ls__ynode *k = x->k_stage ? x->k_stage : x->k_from ? x->k_from : x->k_to;
    if (k)
      return ls__lerr(c, k, "an mqls target takes no %s: (it counts the entries that were "
                      "MQLs, into any stage)", ls__y_text(c, k));
    return LS_OK;
  }
  if (t->kind == LS_KPI_CONVERSION) {
    if (x->k_stage)
      return ls__lerr(c, x->k_stage, "a conversion target takes from: and to:, not stage:");
    if (!x->from || !x->to)
      return ls__lerr(c, e, "a conversion target needs from: STAGE and to: STAGE");
    if ((r = ls__find_stage(c, x->from, "from", &s))) return r;
    t->from = s;
    if ((r = ls__find_stage(c, x->to, "to", &s))) return r;
    t->to = s;
    if (t->from == t->to)
      return ls__lerr(c, x->to, "a conversion goes from one stage to another (from and to "
                      "are both \"%s\")", c->m->stages[s].name);
    return LS_OK;
  }
  const ls__ynode *k = x->k_from ? x->k_from : x->k_to;
  if (k)
    return ls__lerr(c, k, "%s %s target takes stage:, not %s:", a, kpi, ls__y_text(c, k));
  if (!x->stage) return ls__lerr(c, e, "%s %s target needs stage: STAGE", a, kpi);
  if ((r = ls__find_stage(c, x->stage, "stage", &s))) return r;
  t->stage = s;
  return LS_OK;
}

/* The id and the default labels, from the KPI and its stages. */
static int target_names(ls__lctx *c, ls__target *x) {
  const ls_target *t = &x->pub;
  char id[256], en[256], ja[256];
  const char *st = t->stage >= 0 ? c->m->stages[t->stage].name : "";
  const char *from = t->from >= 0 ? c->m->stages[t->from].name : "";
  const char *to = t->to >= 0 ? c->m->stages[t->to].name : "";
  switch (t->kind) {
    case LS_KPI_MQLS:
      snprintf(id, sizeof id, "mqls");
      snprintf(en, sizeof en, "MQLs");
      snprintf(ja, sizeof ja, "MQL数");
      break;
    case LS_KPI_ENTRIES:
      snprintf(id, sizeof id, "entries:%s", st);
      snprintf(en, sizeof en, "Entries into %s", st);
      snprintf(ja, sizeof ja, "%sへの移行数", st);
      break;
    case LS_KPI_CONVERSION:
      snprintf(id, sizeof id, "conversion:%s:%s", from, to);
      snprintf(en, sizeof en, "%s → %s", from, to);
      snprintf(ja, sizeof ja, "%s → %s 転換率", from, to);
      break;
    default:
      snprintf(id, sizeof id, "median_days:%s", st);
      snprintf(en, sizeof en, "Median days in %s", st);
      snprintf(ja, sizeof ja, "%s の滞留日数（中央値）", st);
      break;
  }
  if (!(x->id = ls__strndup(id, strlen(id))) ||
      !(x->default_en = ls__strndup(en, strlen(en))) ||
      !(x->default_ja = ls__strndup(ja, strlen(ja))))
    return ls__oom(c);
  x->pub.id = x->id;
  return LS_OK;
}

static int load_target(ls__lctx *c, const ls__ynode *e, size_t index) {
  char buf[64];
  ls__target *x = &c->m->targets[index];
  ls_target *t = &x->pub;
  target_tmp tmp = {0};
  tmp.t = x;
  const char *s = NULL;
  int r = ls__walk_map(c, e, "target", target_keys,
                       sizeof target_keys / sizeof target_keys[0], &tmp);
  if (!r) r = ls__want_text(c, tmp.kpi, "kpi", &s);
  if (r) return r;
  t->kind = -1;
  for (int k = 0; k < 4; k++)
    if (same(kpi_names[k], s, tmp.kpi->len)) t->kind = k;
  if (t->kind < 0)
    return ls__lerr(c, tmp.kpi, "unknown kpi %s (expected one of: mqls, entries, conversion, "
                    "median_days)", ls__what(c, tmp.kpi, buf, sizeof buf));
  if ((r = target_stages(c, e, &tmp))) return r;
  if (tmp.least && tmp.most) /* at the second of the two */
    return ls__lerr(c, tmp.k_least < tmp.k_most ? tmp.k_most : tmp.k_least,
                    "a target has either at_least: or at_most:, not both");
  if (!tmp.least && !tmp.most)
    return ls__lerr(c, e, "a target needs at_least: VALUE or at_most: VALUE");
  t->at_most = tmp.most != NULL;
  if ((r = target_value(c, t->at_most ? tmp.most : tmp.least,
                        t->at_most ? "at_most" : "at_least", t)))
    return r;
  if ((r = target_names(c, x))) return r;
  for (size_t i = 0; i < index; i++)
    if (!strcmp(c->m->targets[i].id, x->id))
      return ls__lerr(c, e, "the KPI \"%s\" already has a target (target %zu, line %u); "
                      "a KPI has one target", x->id, i + 1, c->m->targets[i].line);
  return LS_OK;
}

int ls__load_targets(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  ls__set_prefix(c, "targets: ");
  int r = ls__want_seq(c, n, "targets ({kpi: KPI, at_least: VALUE} or {kpi: KPI, at_most: "
                       "VALUE})");
  if (r) return r;
  if (n->count == 0)
    return ls__lerr(c, n, "the list is empty (leave targets: out for no targets)");
  if (n->count > LS__MAX_TARGETS)
    return ls__lerr(c, n, "too many targets (%u; at most %d)", (unsigned)n->count,
                    LS__MAX_TARGETS);
  if (!(m->targets = calloc(n->count, sizeof *m->targets))) return ls__oom(c);
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e && !r; e = ls__y_next(c, e), i++) {
    m->ntargets = i + 1; /* freed with the model even when incomplete */
    ls__target *x = &m->targets[i];
    x->line = e->line;
    x->pub.stage = x->pub.from = x->pub.to = -1;
    ls__set_prefix(c, "targets: target %zu: ", i + 1);
    r = load_target(c, e, i);
  }
  if (!r) ls__set_prefix(c, "%s", "");
  return r;
}
