/* Sections `stages`, `cadences`, `arming` and `transitions`.
 *
 * A stage's `cadence:` is a cadence name or a list of choices
 *
 *   cadence:
 *     - {when: "grade in [A]", use: enterprise}
 *     - {when: "route == senior", use: senior-call}
 *     - {use: field-sales}
 *
 * compiled after the transitions, whose routes the choices may test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_internal.h"

static bool same(const char *a, const char *b, size_t blen) {
  return strlen(a) == blen && memcmp(a, b, blen) == 0;
}

/* "a, b, c" (shortened with ", ..." when long) for messages. */
static void name_list(char *buf, size_t size, const char *const *names,
                      size_t stride, size_t n) {
  size_t o = 0;
  buf[0] = 0;
  for (size_t i = 0; i < n; i++) {
    const char *s = *(const char *const *)((const char *)names + i * stride);
    int w = snprintf(buf + o, size - o, "%s%s", i ? ", " : "", s);
    if (w < 0 || (size_t)w >= size - o) {
      memcpy(buf + (o + 6 < size ? o : size - 6), ", ...", 6);
      return;
    }
    o += (size_t)w;
  }
}

static void set_prefix_from(ls__lctx *c, const ls__ynode *map,
                            const char *what, size_t index) {
  char buf[64];
  const ls__ynode *name = ls__map_get(c, map, "name");
  if (name && name->kind == LS__Y_SCALAR && name->len > 0)
    ls__set_prefix(c, "%s \"%s\": ", what,
                   ls__show(buf, sizeof buf, ls__y_text(c, name), name->len));
  else
    ls__set_prefix(c, "%s %zu: ", what, index + 1);
}

/* ---- stages ---- */

typedef struct stage_tmp {
  ls__stage *s;
  size_t index;
  const ls__ynode *initial; /* the `initial: true` key, if any */
} stage_tmp;

static int stage_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                      void *obj) {
  (void)k;
  stage_tmp *t = obj;
  int r = ls__want_name(c, v, "stage name", &t->s->name);
  if (r) return r;
  for (size_t i = 0; i < t->index; i++)
    if (!strcmp(c->m->stages[i].name, t->s->name))
      return ls__lerr(c, v, "two stages are named \"%s\"", t->s->name);
  return LS_OK;
}

static int stage_initial(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                         void *obj) {
  stage_tmp *t = obj;
  bool b = false;
  int r = ls__want_bool(c, v, "initial", &b);
  if (!r && b) t->initial = k;
  return r;
}

static int stage_mql(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                     void *obj) {
  (void)k;
  return ls__want_bool(c, v, "mql", &((stage_tmp *)obj)->s->mql);
}

static int stage_cadence(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                         void *obj) {
  (void)k;
  char buf[64];
  const char *s = NULL;
  c->stage_cadence[((stage_tmp *)obj)->index] = v; /* resolved after transitions */
  if (v->kind == LS__Y_SEQ) return LS_OK;
  if (v->kind == LS__Y_MAP)
    return ls__lerr(c, v, "expected a cadence name or a list of choices "
                    "({when: CONDITION, use: CADENCE}) for cadence, got %s",
                    ls__what(c, v, buf, sizeof buf));
  return ls__want_text(c, v, "cadence", &s);
}

static int stage_sla(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_duration(c, v, "sla", &((stage_tmp *)obj)->s->sla);
}

static const ls__key stage_keys[] = {
    {"name", stage_name, LS__KEY_REQUIRED},
    {"initial", stage_initial, 0},
    {"mql", stage_mql, 0},
    {"cadence", stage_cadence, 0},
    {"sla", stage_sla, 0},
};

int ls__load_stages(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "stages ({name: NAME, ...})");
  if (r) return r;
  if (n->count == 0)
    return ls__lerr(c, n, "the model needs at least one stage");
  m->stages = calloc(n->count, sizeof *m->stages);
  c->stage_cadence = calloc(n->count, sizeof *c->stage_cadence);
  if (!m->stages || !c->stage_cadence) return ls__oom(c);
  m->nstages = n->count;
  const ls__ynode *initial = NULL;
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e; e = ls__y_next(c, e), i++) {
    stage_tmp t = {&m->stages[i], i, NULL};
    t.s->line = e->line;
    t.s->cadence = -1;
    set_prefix_from(c, e, "stage", i);
    if ((r = ls__walk_map(c, e, "stage", stage_keys,
                          sizeof stage_keys / sizeof stage_keys[0], &t)))
      return r;
    if (t.initial) {
      if (initial)
        return ls__lerr(c, t.initial, "a second initial stage (stage \"%s\" "
                        "is initial too); exactly one stage has initial: "
                        "true", m->stages[m->initial_stage].name);
      initial = t.initial;
      m->initial_stage = (uint16_t)i;
    }
  }
  ls__set_prefix(c, "%s", "");
  if (!initial)
    return ls__lerr(c, n, "no stage has initial: true (exactly one stage is "
                    "where every person starts)");
  return LS_OK;
}

/* ---- cadences ---- */

static int step_day(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                    void *obj) {
  (void)k;
  int64_t d = 0;
  int r = ls__want_int(c, v, "day", 1, 36500, &d);
  ((ls__step *)obj)->day = (int32_t)d;
  return r;
}

static int step_task(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                     void *obj) {
  (void)k;
  return ls__want_str(c, v, "task", false, &((ls__step *)obj)->task);
}

static int step_note(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                     void *obj) {
  (void)k;
  return ls__want_str(c, v, "note", false, &((ls__step *)obj)->note);
}

static const char *const channels[] = {[LS__CH_CALL] = "call", [LS__CH_EMAIL] = "email",
                                       [LS__CH_TASK] = "task"};

static int step_channel(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  char buf[64];
  const char *s = NULL;
  int r = ls__want_text(c, v, "channel", &s);
  for (uint8_t i = 0; !r && i < 3; i++)
    if (same(channels[i], s, v->len)) {
      ((ls__step *)obj)->channel = i;
      return LS_OK;
    }
  return r ? r : ls__lerr(c, v, "channel must be call, email or task, got %s",
                          ls__what(c, v, buf, sizeof buf));
}

static int step_template(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_str(c, v, "template", false, &((ls__step *)obj)->template_);
}

static const ls__key step_keys[] = {
    {"day", step_day, LS__KEY_REQUIRED},
    {"task", step_task, LS__KEY_REQUIRED},
    {"note", step_note, 0},
    {"channel", step_channel, 0},
    {"template", step_template, 0},
};

typedef struct cadence_tmp {
  ls__cadence *cd;
  size_t index;
} cadence_tmp;

static int cadence_name(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                        void *obj) {
  (void)k;
  cadence_tmp *t = obj;
  int r = ls__want_name(c, v, "cadence name", &t->cd->name);
  if (r) return r;
  for (size_t i = 0; i < t->index; i++)
    if (!strcmp(c->m->cadences[i].name, t->cd->name))
      return ls__lerr(c, v, "two cadences are named \"%s\"", t->cd->name);
  return LS_OK;
}

static int cadence_steps(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                         void *obj) {
  (void)k;
  ls__cadence *cd = ((cadence_tmp *)obj)->cd;
  int r = ls__want_seq(c, v, "steps ({day: N, task: TASK})");
  if (r) return r;
  if (v->count == 0)
    return ls__lerr(c, v, "a cadence needs at least one step");
  if (!(cd->steps = calloc(v->count, sizeof *cd->steps))) return ls__oom(c);
  for (const ls__ynode *e = ls__y_first(c, v); e; e = ls__y_next(c, e)) {
    ls__step *s = &cd->steps[cd->nsteps++];
    s->channel = UINT8_MAX;
    if ((r = ls__walk_map(c, e, "step", step_keys,
                          sizeof step_keys / sizeof step_keys[0], s)))
      return r;
    if (s->channel == UINT8_MAX) /* a call is made by phone, an email sent */
      s->channel = !strcmp(s->task, "call")    ? LS__CH_CALL
                   : !strcmp(s->task, "email") ? LS__CH_EMAIL
                                               : LS__CH_TASK;
    if (cd->nsteps > 1 && s->day < s[-1].day)
      return ls__lerr(c, e, "step on day %d comes after a step on day %d; "
                      "list the steps in day order", (int)s->day,
                      (int)s[-1].day);
  }
  return LS_OK;
}

static const ls__key cadence_keys[] = {
    {"name", cadence_name, LS__KEY_REQUIRED},
    {"steps", cadence_steps, LS__KEY_REQUIRED},
};

/* ---- a stage's cadence choices ---- */

typedef struct choice_tmp {
  const ls__ynode *when, *use;
} choice_tmp;

static int choice_keep(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  choice_tmp *t = obj;
  if (ls__y_text(c, k)[0] == 'w') t->when = v;
  else t->use = v;
  return LS_OK;
}

static const ls__key choice_keys[] = {
    {"when", choice_keep, 0},
    {"use", choice_keep, LS__KEY_REQUIRED},
};

/* The index of the cadence named by scalar v ("unknown cadence ..."). */
static int find_cadence(ls__lctx *c, const ls__ynode *v, int32_t *out) {
  ls_model *m = c->m;
  char list[120], buf[64];
  const char *s = NULL;
  int r = ls__want_text(c, v, "cadence", &s);
  if (r) return r;
  for (size_t j = 0; j < m->ncadences; j++)
    if (same(m->cadences[j].name, s, v->len)) {
      *out = (int32_t)j;
      return LS_OK;
    }
  name_list(list, sizeof list,
            m->ncadences ? (const char *const *)&m->cadences[0].name : NULL,
            sizeof *m->cadences, m->ncadences);
  return ls__lerr(c, v, "unknown cadence %s (%s%s)", ls__what(c, v, buf, sizeof buf),
                  m->ncadences ? "cadences: " : "the model has no `cadences:` section",
                  list);
}

/* Compiles stage i's `cadence:`: a name (one choice that always holds) or
 * a list of {when, use} choices where only the last may leave out when. */
static int link_stage(ls__lctx *c, size_t i) {
  ls__stage *st = &c->m->stages[i];
  const ls__ynode *v = c->stage_cadence[i];
  bool list = v->kind == LS__Y_SEQ;
  if (list && v->count == 0)
    return ls__lerr(c, v, "cadence needs at least one choice ({when: CONDITION, "
                    "use: CADENCE}); leave cadence: out for no cadence");
  if (!(st->choices = calloc(list ? v->count : 1, sizeof *st->choices))) return ls__oom(c);
  const ls__ynode *e = list ? ls__y_first(c, v) : v;
  for (; e; e = list ? ls__y_next(c, e) : NULL) {
    ls__choice *ch = &st->choices[st->nchoices++];
    choice_tmp t = {NULL, list ? NULL : e};
    ch->when = -1;
    ch->line = e->line;
    int r = list ? ls__walk_map(c, e, "cadence choice", choice_keys, 2, &t) : LS_OK;
    if (!r) r = find_cadence(c, t.use, &ch->cadence);
    if (!r && t.when) r = ls__choice_compile(c, t.when, "when", &ch->when);
    if (r) return r;
    if (list && !t.when && ls__y_next(c, e))
      return ls__lerr(c, e, "only the last choice may leave out when: (a choice "
                      "without it always holds: the ones after it could never "
                      "be started)");
    if (!t.when) st->cadence = ch->cadence;
  }
  return LS_OK;
}

/* Links every stage's `cadence:` to its cadences; a cadence may serve
 * several stages, but one that no stage names is an error. */
static int link_cadences(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  for (size_t i = 0; i < m->nstages; i++) {
    if (!c->stage_cadence[i]) continue;
    ls__set_prefix(c, "stage \"%s\": ", m->stages[i].name);
    int r = link_stage(c, i);
    if (r) return r;
  }
  ls__set_prefix(c, "%s", "");
  size_t j = 0;
  for (const ls__ynode *e = n ? ls__y_first(c, n) : NULL; e;
       e = ls__y_next(c, e), j++) {
    bool used = false;
    for (size_t s = m->nstages; s-- > 0;) /* the first stage last: cadence.stage */
      for (size_t k = 0; k < m->stages[s].nchoices; k++)
        if (m->stages[s].choices[k].cadence == (int32_t)j) {
          used = true;
          m->cadences[j].stage = (uint16_t)s;
        }
    if (!used)
      return ls__lerr(c, ls__map_get(c, e, "name"), "cadence \"%s\" is not "
                      "used by any stage (name it in a stage's cadence:)",
                      m->cadences[j].name);
  }
  return LS_OK;
}

int ls__load_cadences(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  if (n) {
    int r = ls__want_seq(c, n, "cadences ({name: NAME, steps: [...]})");
    if (r) return r;
    if (n->count && !(m->cadences = calloc(n->count, sizeof *m->cadences)))
      return ls__oom(c);
    m->ncadences = n->count;
    size_t i = 0;
    for (const ls__ynode *e = ls__y_first(c, n); e; e = ls__y_next(c, e), i++) {
      cadence_tmp t = {&m->cadences[i], i};
      t.cd->line = e->line;
      set_prefix_from(c, e, "cadence", i);
      if ((r = ls__walk_map(c, e, "cadence", cadence_keys, 2, &t))) return r;
    }
    ls__set_prefix(c, "%s", "");
  }
  return link_cadences(c, n);
}

/* ---- arming ---- */

static int arming_initially(ls__lctx *c, const ls__ynode *k,
                            const ls__ynode *v, void *obj) {
  (void)k;
  (void)obj;
  return ls__want_bool(c, v, "initially", &c->m->initially_armed);
}

static int arming_rearm(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                        void *obj) {
  (void)k;
  (void)obj;
  return ls__expr_compile(c, v, "rearm_when", &c->m->rearm_when);
}

static const ls__key arming_keys[] = {
    {"initially", arming_initially, 0},
    {"rearm_when", arming_rearm, 0},
};

int ls__load_arming(ls__lctx *c, const ls__ynode *n) {
  ls__set_prefix(c, "arming: ");
  int r = ls__walk_map(c, n, "arming", arming_keys, 2, NULL);
  if (!r) ls__set_prefix(c, "%s", "");
  return r;
}

/* ---- transitions ---- */

typedef struct trans_tmp {
  ls__transition *t;
  const ls__ynode *from, *to, *on, *if_, *if_key, *when, *when_key, *fired, *fired_key;
} trans_tmp;

static int tr_from(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  (void)c;
  (void)k;
  ((trans_tmp *)obj)->from = v;
  return LS_OK;
}

static int tr_to(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                 void *obj) {
  (void)c;
  (void)k;
  ((trans_tmp *)obj)->to = v;
  return LS_OK;
}

static int tr_on(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                 void *obj) {
  (void)c;
  (void)k;
  ((trans_tmp *)obj)->on = v;
  return LS_OK;
}

static int tr_if(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                 void *obj) {
  (void)c;
  ((trans_tmp *)obj)->if_ = v;
  ((trans_tmp *)obj)->if_key = k;
  return LS_OK;
}

static int tr_when(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  (void)c;
  ((trans_tmp *)obj)->when = v;
  ((trans_tmp *)obj)->when_key = k;
  return LS_OK;
}

static int tr_requires_armed(ls__lctx *c, const ls__ynode *k,
                             const ls__ynode *v, void *obj) {
  (void)k;
  return ls__want_bool(c, v, "requires_armed",
                       &((trans_tmp *)obj)->t->requires_armed);
}

static int tr_arms(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                   void *obj) {
  (void)k;
  return ls__want_bool(c, v, "arms", &((trans_tmp *)obj)->t->arms);
}

static int tr_disarms(ls__lctx *c, const ls__ynode *k, const ls__ynode *v,
                      void *obj) {
  (void)k;
  return ls__want_bool(c, v, "disarms", &((trans_tmp *)obj)->t->disarms);
}

static int tr_fired(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)c;
  ((trans_tmp *)obj)->fired = v;
  ((trans_tmp *)obj)->fired_key = k;
  return LS_OK;
}

static int tr_route(ls__lctx *c, const ls__ynode *k, const ls__ynode *v, void *obj) {
  (void)k;
  ls_model *m = c->m;
  char *name = NULL;
  int r = ls__want_name(c, v, "route", &name);
  if (r) return r;
  size_t i = 0;
  while (i < m->nroutes && strcmp(m->routes[i], name)) i++;
  if (i < m->nroutes) {
    free(name);
  } else {
    char **nr = realloc(m->routes, (m->nroutes + 1) * sizeof *nr);
    if (!nr) {
      free(name);
      return ls__oom(c);
    }
    m->routes = nr;
    m->routes[m->nroutes++] = name;
  }
  ((trans_tmp *)obj)->t->route = (int32_t)i;
  return LS_OK;
}

static const ls__key trans_keys[] = {
    {"from", tr_from, LS__KEY_REQUIRED},
    {"to", tr_to, LS__KEY_REQUIRED},
    {"on", tr_on, 0},
    {"if", tr_if, 0},
    {"when", tr_when, 0},
    {"requires_armed", tr_requires_armed, 0},
    {"arms", tr_arms, 0},
    {"disarms", tr_disarms, 0},
    {"fired", tr_fired, 0},
    {"route", tr_route, 0},
};

int ls__find_stage(ls__lctx *c, const ls__ynode *v, const char *what, uint16_t *out) {
  ls_model *m = c->m;
  const char *s = NULL;
  int r = ls__want_text(c, v, what, &s);
  if (r) return r;
  for (size_t i = 0; i < m->nstages; i++)
    if (same(m->stages[i].name, s, v->len)) {
      *out = (uint16_t)i;
      return LS_OK;
    }
  char list[120], buf[64];
  name_list(list, sizeof list, (const char *const *)&m->stages[0].name,
            sizeof *m->stages, m->nstages);
  return ls__lerr(c, v, "%s: unknown stage %s (stages: %s)", what,
                  ls__what(c, v, buf, sizeof buf), list);
}

static int load_transition(ls__lctx *c, const ls__ynode *e, size_t i) {
  ls_model *m = c->m;
  trans_tmp t = {0};
  t.t = &m->trans[i];
  t.t->line = e->line;
  t.t->on_type = -1;
  t.t->when = -1;
  t.t->fired = -1;
  t.t->route = -1;
  int r = ls__walk_map(c, e, "transition", trans_keys,
                       sizeof trans_keys / sizeof trans_keys[0], &t);
  if (!r) r = ls__find_stage(c, t.from, "from", &t.t->from);
  if (!r) r = ls__find_stage(c, t.to, "to", &t.t->to);
  if (r) return r;
  ls__set_prefix(c, "transition %s -> %s: ", m->stages[t.t->from].name,
                 m->stages[t.t->to].name);
  if (t.t->arms && t.t->disarms)
    return ls__lerr(c, e, "a transition cannot both arm and disarm");
  if (t.t->from == t.t->to)
    return ls__lerr(c, t.to, "a transition must lead to another stage");
  if (t.on && t.when)
    return ls__lerr(c, t.when_key, "a transition has either on: (an event "
                    "type) or when: (a condition), not both");
  if (t.fired && (t.on || t.when))
    return ls__lerr(c, t.fired_key, "a transition has one trigger: on:, when: or fired:");
  if (!t.on && !t.when && !t.fired)
    return ls__lerr(c, e, "a transition needs on: EVENT_TYPE, when: CONDITION or "
                    "fired: RULE");
  if (t.fired) {
    const char *id = NULL;
    if ((r = ls__want_text(c, t.fired, "fired", &id))) return r;
    size_t j = 0;
    while (j < m->nrules && strcmp(m->rules[j].id, id)) j++;
    if (j == m->nrules)
      return ls__lerr(c, t.fired, "fired: \"%s\" is not the id of a rule", id);
    t.t->fired = (int32_t)j;
    if (m->rules[j].trigger < 0) {
      int32_t n = 0;
      for (size_t k = 0; k < m->nrules; k++) n += m->rules[k].trigger >= 0;
      if (n >= 64)
        return ls__lerr(c, t.fired, "at most 64 rules can trigger transitions (fired:)");
      m->rules[j].trigger = n;
    }
    return t.if_ ? ls__lerr(c, t.if_key, "if: only goes with on: (an event transition)")
                 : LS_OK;
  }
  if (t.if_ && !t.on)
    return ls__lerr(c, t.if_key, "if: only goes with on: (an event "
                    "transition); write the condition in when:");
  if (t.on) {
    uint16_t ty;
    if ((r = ls__intern_type(c, t.on, &ty))) return r;
    t.t->on_type = ty;
    if (t.if_ && (r = ls__load_if(c, t.if_, &c->trans_preds[i]))) return r;
  } else {
    if ((r = ls__expr_compile(c, t.when, "when", &t.t->when))) return r;
  }
  return LS_OK;
}

int ls__load_transitions(ls__lctx *c, const ls__ynode *n) {
  ls_model *m = c->m;
  int r = ls__want_seq(c, n, "transitions ({from: STAGE, to: STAGE, ...})");
  if (r) return r;
  size_t cnt = n->count ? n->count : 1;
  m->trans = calloc(cnt, sizeof *m->trans);
  c->trans_preds = calloc(cnt, sizeof *c->trans_preds);
  if (!m->trans || !c->trans_preds) return ls__oom(c);
  m->ntrans = n->count;
  size_t i = 0;
  for (const ls__ynode *e = ls__y_first(c, n); e; e = ls__y_next(c, e), i++) {
    ls__set_prefix(c, "transition %zu: ", i + 1);
    if ((r = load_transition(c, e, i))) return r;
  }
  ls__set_prefix(c, "%s", "");
  return LS_OK;
}
