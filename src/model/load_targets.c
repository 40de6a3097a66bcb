/* Section `targets`: KGI/KPI targets per calendar month that the funnel
 * and the monthly review measure (docs/model-language.md, "Targets").
 *
 *   targets:
 *     - {kpi: mqls, at_least: 200}
 *     - {kpi: conversion, from: hot, to: opportunity, at_least: 20%}
 *
 * Like the workflow sections, nothing here changes a fold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

static bool same(const char *a, const char *b, size_t blen) {
  return strlen(a) == blen && memcmp(a, b, blen) == 0;
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
