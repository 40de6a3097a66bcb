/* The per-person fold (spec §3–§7): one event at a time, in (time, id)
 * order, against a flat state block. Allocation-free and branch-light: the
 * model was compiled so that the hot path is a walk over the rules of the
 * event's type with predicate bits precomputed at parse time. */
#include <stdio.h>
#include <string.h>

#include "leadscore/fold.h"
#include "model/ir.h"

#define DORMANT INT64_MAX /* decay-step counter of a score at a fixed point */

/* The fixed head of a person's state; the model-sized arrays follow it:
 * int64 score[nscores], int64 dk[nscores] (decay steps taken since the last
 * activity), ls_time ts[ntslots], int64 is[nislots]. */
typedef struct ps {
  uint16_t stage;
  uint8_t armed;
  uint8_t identified;
  uint8_t has_activity;
  uint8_t in_visit; /* at least one visit event so far */
  uint8_t has_mql;
  uint8_t has_stage_since;
  uint32_t mql_count;
  uint32_t route; /* the route of the latest stage entry + 1; 0: none */
  int64_t nev;         /* applied events so far */
  int64_t visit_no;    /* visits started so far */
  int64_t visit_pages; /* visit events in the current visit */
  ls_time last_activity;
  ls_time last_visit_ev;
  ls_time visit_start; /* start of the current visit */
  ls_time last_mql;
  ls_time stage_since;
} ps;

static const ls_time NEVER = {INT64_MIN, 0};

static inline int64_t *scores_of(const ls_model *m, ps *s) {
  (void)m;
  return (int64_t *)(s + 1);
}
static inline int64_t *dk_of(const ls_model *m, ps *s) {
  return scores_of(m, s) + m->nscores;
}
static inline ls_time *ts_of(const ls_model *m, ps *s) {
  return (ls_time *)(dk_of(m, s) + m->nscores);
}
static inline int64_t *is_of(const ls_model *m, ps *s) {
  return (int64_t *)(ts_of(m, s) + m->ntslots);
}

static inline bool is_never(ls_time t) { return t.sec == INT64_MIN; }

/* Stores a time into the state member by member: a struct copy may carry
 * the source's padding bytes (stack garbage) into a block that is written
 * to disk as is. */
static inline void put_time(ls_time *dst, ls_time t) {
  dst->sec = t.sec;
  dst->nsec = t.nsec;
}

size_t ls_fold_state_size(const ls_model *m) {
  return sizeof(ps) + 2 * m->nscores * sizeof(int64_t) +
         m->ntslots * sizeof(ls_time) + m->nislots * sizeof(int64_t);
}

void ls_fold_init(const ls_model *m, void *state) {
  ps *s = state;
  memset(s, 0, ls_fold_state_size(m));
  s->stage = m->initial_stage;
  s->armed = m->initially_armed;
  int64_t *sc = scores_of(m, s);
  for (size_t i = 0; i < m->nscores; i++) sc[i] = m->scores[i].initial;
  ls_time *ts = ts_of(m, s);
  for (size_t i = 0; i < m->ntslots; i++) put_time(&ts[i], NEVER);
  /* cap rings start empty: NEVER everywhere, head 0 (memset) */
}

/* ---- expressions ---- */

static int64_t eval(const ls_model *m, ps *s, int32_t i);

/* A score's value: stored, or computed by its formula. */
static int64_t score_value(const ls_model *m, ps *s, size_t i) {
  int32_t f = m->scores[i].formula;
  return f >= 0 ? eval(m, s, f) : scores_of(m, s)[i];
}

static size_t grade_band(const ls_model *m, ps *s, size_t g) {
  const ls__grade *gr = &m->grades[g];
  int64_t v = score_value(m, s, gr->score);
  for (size_t b = 0; b < gr->nbands; b++)
    if (!gr->bands[b].has_at_least || v >= gr->bands[b].at_least) return b;
  return gr->nbands - 1;
}

/* Formula arithmetic saturates instead of overflowing. */
static int64_t arith(uint8_t op, int64_t a, int64_t b) {
  int64_t r;
  bool over = op == LS__X_ADD   ? __builtin_add_overflow(a, b, &r)
              : op == LS__X_SUB ? __builtin_sub_overflow(a, b, &r)
                                : __builtin_mul_overflow(a, b, &r);
  if (!over) return r;
  bool neg = op == LS__X_MUL ? (a < 0) != (b < 0) : op == LS__X_ADD ? a < 0 : a < b;
  return neg ? INT64_MIN : INT64_MAX;
}

static int64_t eval(const ls_model *m, ps *s, int32_t i) {
  const ls__expr *x = &m->exprs[i];
  switch (x->op) {
    case LS__X_INT: return x->k;
    case LS__X_SCORE: return score_value(m, s, (size_t)x->a);
    case LS__X_ADD:
    case LS__X_SUB:
    case LS__X_MUL: return arith(x->op, eval(m, s, x->a), eval(m, s, x->b));
    case LS__X_STAGE_EQ: return s->stage == x->k;
    case LS__X_GRADE_EQ: return (int64_t)grade_band(m, s, (size_t)x->a) == x->k;
    case LS__X_ROUTE_EQ: return s->route == x->k + 1;
    case LS__X_IDENTIFIED: return s->identified;
    case LS__X_AND: return eval(m, s, x->a) && eval(m, s, x->b);
    case LS__X_OR: return eval(m, s, x->a) || eval(m, s, x->b);
    case LS__X_NOT: return !eval(m, s, x->a);
    case LS__X_CMP: {
      int64_t a = eval(m, s, x->a), b = eval(m, s, x->b);
      switch (x->cmp) {
        case LS__LT: return a < b;
        case LS__LE: return a <= b;
        case LS__GT: return a > b;
        case LS__GE: return a >= b;
        case LS__EQ: return a == b;
        default: return a != b;
      }
    }
    default: return 0;
  }
}

static void rearm(const ls_model *m, ps *s) {
  if (!s->armed && m->rearm_when >= 0 && eval(m, s, m->rearm_when))
    s->armed = 1;
}

/* ---- decay (spec §5) ---- */

/* v + d kept within the score's min..max (v is always within them). */
static int64_t bounded(const ls__score *sc, int64_t v, int64_t d) {
  int64_t n = v + d;
  if (sc->has_max && n > sc->max) n = sc->max;
  if (sc->has_min && n < sc->min) n = sc->min;
  return n;
}

static int64_t decay_step(const ls__score *sc, int64_t v) {
  if (sc->has_floor && v <= sc->floor) return v;
  if (sc->half_life) { /* C division truncates toward zero: 75 -> 37, -5 -> -2 */
    int64_t n = bounded(sc, v, v / 2 - v);
    return sc->has_floor && n < sc->floor ? sc->floor : n;
  }
  for (size_t b = 0; b < sc->nbands; b++) {
    if (v >= sc->bands[b].at_least) {
      int64_t n = bounded(sc, v, sc->bands[b].points);
      if (sc->has_floor && n < sc->floor) n = sc->floor;
      return n;
    }
  }
  return v;
}

/* ---- sliding windows ---- */

/* Where step j of score sc is kept in its ring of buckets. */
static inline size_t win_slot(const ls__score *sc, int64_t j) {
  return (size_t)(((j % sc->win_n) + sc->win_n) % sc->win_n);
}

/* The step of time t (floor division: steps before 1970 are negative). */
static int64_t win_index(const ls__score *sc, ls_time t) {
  int64_t q = t.sec / sc->win_step;
  return (t.sec % sc->win_step < 0) ? q - 1 : q;
}

/* When the oldest non-empty bucket of score i leaves the window; false
 * when every bucket is empty. */
static bool win_next(const ls_model *m, ps *s, size_t i, int64_t *step, ls_time *at) {
  const ls__score *sc = &m->scores[i];
  int64_t *b = is_of(m, s) + sc->slot_win, newest = b[sc->win_n] - 1;
  if (b[sc->win_n] == 0) return false;
  for (int64_t j = newest - sc->win_n + 1; j <= newest; j++) {
    if (b[win_slot(sc, j)]) {
      *step = j;
      *at = (ls_time){(j + sc->win_n) * sc->win_step, 0};
      return true;
    }
  }
  return false;
}

/* Takes bucket `step` of score i out of the score (a ledger row at `at`). */
static void win_expire(const ls_model *m, ps *s, size_t i, int64_t step, ls_time at,
                       const ls_fold_sink *sink) {
  const ls__score *sc = &m->scores[i];
  int64_t *b = is_of(m, s) + sc->slot_win, *v = &scores_of(m, s)[i];
  size_t k = win_slot(sc, step);
  int64_t gone = b[k];
  *v -= gone;
  b[k] = 0;
  if (sink && sink->ledger) {
    ls_ledger_entry e = {at, -1, (uint32_t)i, -gone, *v, {NULL, 0}, LS_CAP_NONE, -1, -1, true, 0, false};
    sink->ledger(sink->ud, &e);
  }
  rearm(m, s);
}

/* Expires what leaves score i's window at or before t (an event at the
 * very boundary comes after the expiry: its step reuses the bucket). */
static void win_catch_up(const ls_model *m, ps *s, size_t i, ls_time t,
                         const ls_fold_sink *sink) {
  int64_t step;
  ls_time at;
  while (win_next(m, s, i, &step, &at) && ls_time_cmp(at, t) <= 0)
    win_expire(m, s, i, step, at, sink);
}

/* Records `pts` given at t in score i's window (after win_catch_up). */
static void win_add(const ls_model *m, ps *s, size_t i, ls_time t, int64_t pts) {
  const ls__score *sc = &m->scores[i];
  int64_t *b = is_of(m, s) + sc->slot_win, j = win_index(sc, t);
  if (b[sc->win_n] != 0 && j > b[sc->win_n] - 1) /* steps skipped since: empty */
    for (int64_t x = b[sc->win_n], c = 0; x <= j && c < sc->win_n; x++, c++)
      b[win_slot(sc, x)] = 0;
  if (b[sc->win_n] == 0 || j > b[sc->win_n] - 1) b[sc->win_n] = j + 1;
  b[win_slot(sc, j)] += pts;
}

/* ---- category families ---- */

/* A family's categories: keep (hash, points) pairs, the used ones first, in
 * the order they were first given points. */
static inline int64_t *cats_of(const ls_model *m, ps *s, const ls__score *so) {
  return is_of(m, s) + so->slot_cat;
}

static int32_t cat_used(const ls__score *so, const int64_t *c) {
  int32_t k = 0;
  while (k < so->keep && c[2 * k]) k++;
  return k;
}

/* The family's value: its top category's points (0 without one). */
static void cat_settle(const ls_model *m, ps *s, size_t i) {
  const ls__score *so = &m->scores[i];
  const int64_t *c = cats_of(m, s, so);
  int64_t top = 0;
  for (int32_t k = 0; k < so->keep && c[2 * k]; k++)
    if (k == 0 || c[2 * k + 1] > top) top = c[2 * k + 1];
  scores_of(m, s)[i] = top;
}

/* The index of category h of score i, made room for when new: a full
 * family drops its category with the fewest points (the oldest of equals),
 * with a ledger row. */
static int32_t cat_slot(const ls_model *m, ps *s, size_t i, uint64_t h, const ls_fold_event *ev,
                        const ls_fold_sink *sink) {
  const ls__score *so = &m->scores[i];
  int64_t *c = cats_of(m, s, so);
  int32_t n = cat_used(so, c);
  for (int32_t k = 0; k < n; k++)
    if ((uint64_t)c[2 * k] == h) return k;
  if (n == so->keep) {
    int32_t low = 0;
    for (int32_t k = 1; k < n; k++)
      if (c[2 * k + 1] < c[2 * low + 1]) low = k;
    if (sink && sink->ledger) {
      ls_ledger_entry e = {ev->time, -1, (uint32_t)i, -c[2 * low + 1], 0, ev->id, LS_CAP_NONE,
                           -1, -1, false, (uint64_t)c[2 * low], true};
      sink->ledger(sink->ud, &e);
    }
    memmove(c + 2 * low, c + 2 * low + 2, (size_t)(n - low - 1) * 2 * sizeof *c);
    n--;
  }
  c[2 * n] = (int64_t)h;
  c[2 * n + 1] = 0;
  return n;
}

/* One decay step of every category of family i; false when none moved. */
static bool cat_decay(const ls_model *m, ps *s, size_t i, ls_time at, const ls_fold_sink *sink) {
  const ls__score *so = &m->scores[i];
  int64_t *c = cats_of(m, s, so);
  bool moved = false;
  for (int32_t k = 0; k < so->keep && c[2 * k]; k++) {
    int64_t old = c[2 * k + 1], nv = decay_step(so, old);
    if (nv == old) continue;
    moved = true;
    c[2 * k + 1] = nv;
    if (sink && sink->ledger) {
      ls_ledger_entry e = {at, -1, (uint32_t)i, nv - old, nv, {NULL, 0}, LS_CAP_NONE, -1, -1,
                           false, (uint64_t)c[2 * k], false};
      sink->ledger(sink->ud, &e);
    }
  }
  if (moved) cat_settle(m, s, i);
  return moved;
}

/* The earliest step due (a decay step or points leaving a window), in
 * time order across scores: its score, time and, for a window, its bucket.
 * False when no score has one. */
typedef struct step_at {
  size_t score;
  ls_time at;
  int64_t wstep;
  bool window;
} step_at;

static bool next_step(const ls_model *m, ps *s, step_at *out) {
  if (!s->has_activity) return false;
  int64_t *dk = dk_of(m, s);
  bool any = false;
  for (size_t i = 0; i < m->nscores; i++) {
    int64_t st = 0;
    ls_time d;
    bool w = m->scores[i].win_n != 0;
    if (w) { /* points leaving a window */
      if (!win_next(m, s, i, &st, &d)) continue;
    } else {
      if (!m->scores[i].decay_every || dk[i] == DORMANT) continue;
      d = ls_time_add(s->last_activity, (dk[i] + 1) * m->scores[i].decay_every);
    }
    if (!any || ls_time_cmp(d, out->at) < 0) *out = (step_at){i, d, st, w}, any = true;
  }
  return any;
}

/* Applies, in time order across scores, every decay step due before `limit`
 * (and at it when `inclusive`). A step at d is due only while nothing was
 * applied in (last_activity, d]: the callers guarantee that by applying the
 * steps before each event and resetting the counters after it. */
static void decay_until(const ls_model *m, ps *s, ls_time limit,
                        bool inclusive, const ls_fold_sink *sink) {
  int64_t *sc = scores_of(m, s), *dk = dk_of(m, s);
  step_at n;
  while (next_step(m, s, &n)) {
    int c = ls_time_cmp(n.at, limit);
    if (c > 0 || (c == 0 && !inclusive)) return;
    size_t best = n.score;
    ls_time bd = n.at;
    if (n.window) {
      win_expire(m, s, best, n.wstep, bd, sink);
      continue;
    }
    if (m->scores[best].by >= 0) {
      if (cat_decay(m, s, best, bd, sink)) {
        dk[best]++;
        rearm(m, s);
      } else {
        dk[best] = DORMANT;
      }
      continue;
    }
    int64_t old = sc[best], nv = decay_step(&m->scores[best], old);
    if (nv == old) { /* a fixed point: every later step is a no-op too */
      dk[best] = DORMANT;
      continue;
    }
    dk[best]++;
    sc[best] = nv;
    if (sink && sink->ledger) {
      ls_ledger_entry e = {bd, -1, (uint32_t)best, nv - old, nv, {NULL, 0}, LS_CAP_NONE, -1, -1,
                           false, 0, false};
      sink->ledger(sink->ud, &e);
    }
    rearm(m, s);
  }
}

/* ---- stages (spec §6) ---- */

/* The cadence that entering `stage` starts: its first choice whose `when`
 * holds on the state right after the change, or -1. Only reads the state. */
static int32_t cadence_of(const ls_model *m, ps *s, uint16_t stage) {
  const ls__stage *st = &m->stages[stage];
  for (size_t i = 0; i < st->nchoices; i++)
    if (st->choices[i].when < 0 || eval(m, s, st->choices[i].when))
      return st->choices[i].cadence;
  return -1;
}

static void enter(const ls_model *m, ps *s, const ls__transition *t,
                  const ls_fold_event *ev, const ls_fold_sink *sink) {
  uint16_t from = s->stage;
  s->stage = t->to;
  put_time(&s->stage_since, ev->time);
  s->has_stage_since = 1;
  bool mql = m->stages[t->to].mql;
  if (mql) {
    s->mql_count++;
    put_time(&s->last_mql, ev->time);
    s->has_mql = 1;
  }
  if (t->arms) s->armed = 1;
  if (t->disarms) s->armed = 0;
  s->route = (uint32_t)(t->route + 1);
  if (sink && sink->stage) {
    ls_stage_change c = {ev->time, from, t->to, mql, ev->id, t->route,
                         cadence_of(m, s, t->to)};
    sink->stage(sink->ud, &c);
  }
}

static const ls__transition *event_transition(const ls_model *m, const ps *s,
                                              const ls_fold_event *ev) {
  for (size_t i = 0; i < m->ntrans; i++) {
    const ls__transition *t = &m->trans[i];
    if (t->on_type == ev->type && t->from == s->stage &&
        ls__predset_holds(m, t->preds, ev->pred) &&
        (!t->requires_armed || s->armed))
      return t;
  }
  return NULL;
}

/* Condition transitions after an applied event, until none fires; the bound
 * stops a model whose conditions chase each other round a cycle. */
static void settle(const ls_model *m, ps *s, const ls_fold_event *ev,
                   const ls_fold_sink *sink, uint64_t fired) {
  for (size_t guard = 0; guard <= m->ntrans; guard++) {
    rearm(m, s);
    const ls__transition *hit = NULL;
    /* a rule that fired on this event takes its transition first (a stage
     * skip); each firing moves the person once */
    for (size_t i = 0; i < m->ntrans && fired && !hit; i++) {
      const ls__transition *t = &m->trans[i];
      if (t->fired >= 0 && t->from == s->stage && (!t->requires_armed || s->armed) &&
          (fired >> m->rules[t->fired].trigger & 1)) {
        hit = t;
        fired &= ~(UINT64_C(1) << m->rules[t->fired].trigger);
      }
    }
    for (size_t i = 0; i < m->ntrans && !hit; i++) {
      const ls__transition *t = &m->trans[i];
      if (t->on_type < 0 && t->fired < 0 && t->from == s->stage &&
          (!t->requires_armed || s->armed) && eval(m, s, t->when))
        hit = t;
    }
    if (!hit) return;
    enter(m, s, hit, ev, sink);
  }
}

/* ---- rules (spec §4) ---- */

/* The last firing of rule `o` before the current event (see ir.h). */
static ls_time fired_before(const ls_model *m, ps *s, const ls__rule *o) {
  ls_time *ts = ts_of(m, s);
  if (is_of(m, s)[o->slot_fired_ord] == s->nev + 1) return ts[o->slot_prev_fired];
  return ts[o->slot_last_fired];
}

static bool within(ls_time last, ls_time t, int64_t d) {
  return !is_never(last) && ls_time_cmp(last, ls_time_add(t, -d)) >= 0;
}

typedef struct visit_facts {
  bool is_visit;
  bool is_start;
  int64_t page;   /* 1-based position in its visit */
  int64_t number; /* the visit the event belongs to (1-based; 0 = none) */
} visit_facts;

static bool rule_holds(const ls_model *m, ps *s, const ls__rule *r,
                       const ls_fold_event *ev, const visit_facts *v) {
  if (!ls__rule_preds_hold(r, ev->pred)) return false;
  const ls__score *so = &m->scores[r->score];
  if (so->by >= 0 && !ev->pred[m->pred_words + (size_t)so->fam]) return false;
  if (r->in_stages && !((r->in_stages[s->stage >> 6] >> (s->stage & 63)) & 1)) return false;
  if (r->visit_page > 0 && (!v->is_visit || v->page != r->visit_page))
    return false;
  if (r->visit_start >= 0 && (!v->is_visit || v->is_start != r->visit_start))
    return false;
  switch (r->recent_kind) {
    case LS__RECENT_VISIT_START:
      if (s->visit_no == 0 || !within(s->visit_start, ev->time, r->recent_within))
        return false;
      break;
    case LS__RECENT_TYPE:
      if (!within(ts_of(m, s)[m->type_slot[r->recent_arg]], ev->time,
                  r->recent_within))
        return false;
      break;
    case LS__RECENT_RULE:
      if (!within(fired_before(m, s, &m->rules[r->recent_arg]), ev->time,
                  r->recent_within))
        return false;
      break;
    default: break;
  }
  if (r->first_value >= 0 &&
      (is_of(m, s)[m->attr_seen_slot[r->first_value]] ||
       !ls__bit(ev->pred, (size_t)m->attr_value_pred[r->first_value])))
    return false;
  switch (r->once) {
    case LS__ONCE_PER_PERIOD: {
      ls_time last = ts_of(m, s)[r->slot_last_fired];
      if (!is_never(last) &&
          ls_time_cmp(last, ls_time_add(ev->time, -r->once_period)) > 0)
        return false;
      break;
    }
    case LS__ONCE_PER_VISIT:
      if (is_of(m, s)[r->slot_once] == v->number + 1) return false;
      break;
    case LS__ONCE_PER_PERSON:
      if (is_of(m, s)[r->slot_once]) return false;
      break;
    default: break;
  }
  return true;
}

/* Moves a sequence rule's chains on by the event; true when the event
 * completes the last step within `within` of its chain's first step. For
 * each step the state keeps the start of the latest chain that got that
 * far (the latest start leaves the most time); steps are looked at last
 * first, so one event is one step of a chain, never two. */
static bool sequence_done(const ls_model *m, ps *s, const ls__rule *r,
                          const ls_fold_event *ev) {
  ls_time *st = ts_of(m, s) + r->slot_seq;
  bool done = false;
  for (size_t k = r->nsteps; k-- > 0;) {
    const ls__seqstep *sp = &r->steps[k];
    if (sp->type != ev->type || !ls__predset_holds(m, sp->preds, ev->pred)) continue;
    ls_time start = k == 0 ? ev->time : st[k - 1];
    if (k > 0 && !within(start, ev->time, r->seq_within)) continue;
    if (k + 1 == r->nsteps) done = true;
    else if (is_never(st[k]) || ls_time_cmp(start, st[k]) > 0) put_time(&st[k], start);
  }
  return done;
}

/* A rule's grant (after the rule's and group's caps) to the event's
 * category of the rule's family. */
static void fire_category(const ls_model *m, ps *s, size_t ri, const ls_fold_event *ev,
                          int64_t give, uint8_t capped, const ls_fold_sink *sink) {
  size_t i = m->rules[ri].score;
  const ls__score *so = &m->scores[i];
  uint64_t h = ev->pred[m->pred_words + (size_t)so->fam];
  int64_t *c = cats_of(m, s, so), after = 0;
  if (give) {
    int32_t k = cat_slot(m, s, i, h, ev, sink);
    int64_t n = bounded(so, c[2 * k + 1], give);
    if (n - c[2 * k + 1] != give) capped = give > 0 ? LS_CAP_MAX : LS_CAP_MIN;
    give = n - c[2 * k + 1];
    after = c[2 * k + 1] = n;
    cat_settle(m, s, i);
  } else {
    for (int32_t k = 0; k < so->keep && c[2 * k]; k++)
      if ((uint64_t)c[2 * k] == h) after = c[2 * k + 1];
  }
  if (sink && sink->ledger) {
    ls_ledger_entry e = {ev->time, (int32_t)ri, (uint32_t)i, give, after, ev->id, capped,
                         -1, -1, false, h, false};
    sink->ledger(sink->ud, &e);
  }
}

static void fire(const ls_model *m, ps *s, const ls__rule *r, size_t ri,
                 const ls_fold_event *ev, const visit_facts *v,
                 const ls_fold_sink *sink) {
  int64_t *sc = scores_of(m, s), *is = is_of(m, s);
  ls_time *ts = ts_of(m, s);
  if (r->slot_last_fired >= 0) {
    if (r->slot_prev_fired >= 0) {
      put_time(&ts[r->slot_prev_fired], ts[r->slot_last_fired]);
      is[r->slot_fired_ord] = s->nev + 1;
    }
    put_time(&ts[r->slot_last_fired], ev->time);
  }
  if (r->once == LS__ONCE_PER_VISIT) is[r->slot_once] = v->number + 1;
  if (r->once == LS__ONCE_PER_PERSON) is[r->slot_once] = 1;
  if (r->points == 0) return;
  uint8_t capped = LS_CAP_NONE;
  int64_t give = r->points;
  /* Both caps are checked before either ring records the grant. The rule's
   * ring holds the times of its latest cap_k grants: its oldest inside
   * (t - per, t] means the window is full. The group's holds its latest
   * grants (time, points): those inside the window plus this firing must
   * stay within the group's cap. */
  const ls__group *g = r->group >= 0 ? &m->groups[r->group] : NULL;
  if (r->cap_k > 0) {
    ls_time oldest = ts[r->slot_cap_ring + is[r->slot_cap_head]];
    if (!is_never(oldest) && ls_time_cmp(oldest, ls_time_add(ev->time, -r->cap.per)) > 0)
      capped = LS_CAP_RULE;
  }
  if (!capped && g) {
    ls_time *gt = ts + g->slot_times, from = ls_time_add(ev->time, -g->cap.per);
    int64_t *gp = is + g->slot_points, sum = give;
    for (int32_t k = 0; k < g->k; k++)
      if (!is_never(gt[k]) && ls_time_cmp(gt[k], from) > 0) sum += gp[k];
    if (sum > g->cap.points) capped = LS_CAP_GROUP;
  }
  if (capped) {
    give = 0;
  } else {
    if (r->cap_k > 0) {
      int64_t *head = &is[r->slot_cap_head];
      put_time(&ts[r->slot_cap_ring + *head], ev->time);
      *head = (*head + 1) % r->cap_k;
    }
    if (g) {
      int64_t *head = &is[g->slot_points + g->k];
      put_time(&ts[g->slot_times + *head], ev->time);
      is[g->slot_points + *head] = give;
      *head = (*head + 1) % g->k;
    }
  }
  const ls__score *so = &m->scores[r->score];
  if (so->by >= 0) {
    fire_category(m, s, ri, ev, give, capped, sink);
    return;
  }
  if (so->win_n) win_catch_up(m, s, r->score, ev->time, sink);
  int64_t old = sc[r->score];
  if (give && (so->has_max || so->has_min)) {
    int64_t n = bounded(so, old, give);
    if (n - old != give) capped = give > 0 ? LS_CAP_MAX : LS_CAP_MIN;
    give = n - old;
  }
  if (so->win_n && give) win_add(m, s, r->score, ev->time, give);
  sc[r->score] = old + give;
  if (sink && sink->ledger) {
    ls_ledger_entry e = {ev->time, (int32_t)ri, r->score, give, sc[r->score], ev->id, capped,
                         -1, -1, false, 0, false};
    sink->ledger(sink->ud, &e);
  }
}

/* Fit rules: an event that carries a fit attribute re-rolls the rule's
 * points from the row its new value matches (none: 0). What the rule gave
 * before is taken back and the new row's points given, each within the
 * score's bounds; the state keeps what was given, so that clearing every
 * attribute takes back exactly what the fit rules added. */
static void refit(const ls_model *m, ps *s, const ls_fold_event *ev, const ls_fold_sink *sink) {
  int64_t *sc = scores_of(m, s), *is = is_of(m, s);
  for (size_t f = 0; f < m->nfits; f++) {
    const ls__fit *fr = &m->fits[f];
    if (!ls__bit(ev->pred, (size_t)fr->has_pred)) continue;
    int64_t row = 0;
    for (size_t k = 0; k < fr->nrows && !row; k++)
      if (ls__bit(ev->pred, (size_t)fr->rows[k].pred)) row = (int64_t)k + 1;
    int64_t cur = is[fr->slot];
    if (row == cur) continue;
    int64_t now = row ? fr->rows[row - 1].points : 0;
    const ls__score *so = &m->scores[fr->score];
    int64_t old = sc[fr->score], base = bounded(so, old, -is[fr->slot + 1]);
    int64_t n = bounded(so, base, now);
    uint8_t capped = n - base == now ? LS_CAP_NONE : now > 0 ? LS_CAP_MAX : LS_CAP_MIN;
    sc[fr->score] = n;
    is[fr->slot] = row;
    is[fr->slot + 1] = n - base;
    if (sink && sink->ledger) {
      ls_ledger_entry e = {ev->time, (int32_t)(m->nrules + f), fr->score, n - old, n, ev->id,
                           capped, (int32_t)cur - 1, (int32_t)row - 1, false, 0, false};
      sink->ledger(sink->ud, &e);
    }
  }
}

bool ls_fold_apply(const ls_model *m, void *state, const ls_fold_event *ev,
                   const ls_fold_sink *sink) {
  ps *s = state;
  decay_until(m, s, ev->time, false, sink);

  /* A controlled (sales) event must fit a transition from the current stage;
   * otherwise it is rejected and changes nothing (spec §6). */
  const ls__transition *tr = NULL;
  if (m->controlled[ev->type]) {
    tr = event_transition(m, s, ev);
    if (!tr) {
      if (sink && sink->rejected) sink->rejected(sink->ud, ev, s->stage);
      return false;
    }
  }

  visit_facts v = {false, false, 0, s->visit_no};
  if (m->visit_type && ev->type == m->visit_type) {
    v.is_visit = true;
    v.is_start = !s->in_visit ||
                 ls_time_cmp(ev->time, ls_time_add(s->last_visit_ev, m->visit_gap)) > 0;
    v.page = v.is_start ? 1 : s->visit_pages + 1;
    v.number = v.is_start ? s->visit_no + 1 : s->visit_no;
  }

  /* Conditions read the state before the event; fire() writes only the
   * firing rule's own slots, which no other rule reads (see ir.h). */
  uint64_t fired = 0; /* rules that trigger transitions (fired:) and fired */
  uint32_t lo = m->type_rule_off[ev->type], hi = m->type_rule_off[ev->type + 1];
  for (uint32_t k = lo; k < hi; k++) {
    uint32_t ri = m->type_rules[k];
    const ls__rule *r = &m->rules[ri];
    if (r->nsteps && !sequence_done(m, s, r, ev)) continue;
    if (!rule_holds(m, s, r, ev, &v)) continue;
    fire(m, s, r, ri, ev, &v, sink);
    if (r->trigger >= 0) fired |= UINT64_C(1) << r->trigger;
    for (size_t k = 0; k + 1 < r->nsteps; k++) /* a completed journey starts over */
      put_time(&ts_of(m, s)[r->slot_seq + (int32_t)k], NEVER);
  }

  if (m->nfits) refit(m, s, ev, sink);

  /* Trackers, after every rule has read them. */
  if (m->type_slot[ev->type] >= 0) put_time(&ts_of(m, s)[m->type_slot[ev->type]], ev->time);
  for (size_t a = 0; a < m->nattrs; a++)
    if (m->attr_seen_slot[a] >= 0 && ls__bit(ev->pred, (size_t)m->attr_value_pred[a]))
      is_of(m, s)[m->attr_seen_slot[a]] = 1;
  if (v.is_visit) {
    if (v.is_start) {
      s->visit_no++;
      s->visit_pages = 0;
      put_time(&s->visit_start, ev->time);
    }
    s->visit_pages++;
    put_time(&s->last_visit_ev, ev->time);
    s->in_visit = 1;
  }
  s->nev++;
  put_time(&s->last_activity, ev->time);
  s->has_activity = 1;
  memset(dk_of(m, s), 0, m->nscores * sizeof(int64_t));
  if (ev->identifies) s->identified = 1;

  if (tr) enter(m, s, tr, ev, sink);
  settle(m, s, ev, sink, fired);
  return true;
}

void ls_fold_advance(const ls_model *m, void *state, ls_time to,
                     const ls_fold_sink *sink) {
  decay_until(m, state, to, true, sink);
}

bool ls_fold_next_step(const ls_model *m, const void *state, ls_time *out) {
  step_at n;
  if (!next_step(m, (ps *)state, &n)) return false;
  *out = n.at;
  return true;
}

int64_t ls_fold_score(const ls_model *m, const void *state, size_t i) {
  return score_value(m, (ps *)state, i);
}

const char *ls_fold_grade(const ls_model *m, const void *state, size_t g) {
  return g < m->ngrades ? m->grades[g].bands[grade_band(m, (ps *)state, g)].label : "";
}

size_t ls_fold_cell(const ls_model *m, const void *state, char *buf, size_t cap) {
  if (!m->matrix_name || !cap) return 0;
  int n = snprintf(buf, cap, "%s%s", ls_fold_grade(m, state, (size_t)m->matrix_rows),
                   ls_fold_grade(m, state, (size_t)m->matrix_cols));
  return n < 0 ? 0 : (size_t)n;
}

size_t ls_fold_categories(const ls_model *m, const void *state, size_t score,
                          ls_category *out, size_t cap) {
  if (score >= m->nscores || m->scores[score].by < 0) return 0;
  const ls__score *so = &m->scores[score];
  const int64_t *c = cats_of(m, (ps *)state, so);
  int32_t n = cat_used(so, c);
  for (int32_t k = 0; k < n && (size_t)k < cap; k++)
    out[k] = (ls_category){(uint32_t)score, (uint64_t)c[2 * k], c[2 * k + 1]};
  return (size_t)n;
}

bool ls_fold_top_category(const ls_model *m, const void *state, ls_category *out) {
  bool any = false;
  for (size_t f = 0; f < m->nfams; f++) {
    const ls__score *so = &m->scores[m->fam_score[f]];
    const int64_t *c = cats_of(m, (ps *)state, so);
    for (int32_t k = 0; k < so->keep && c[2 * k]; k++)
      if (!any || c[2 * k + 1] > out->points) {
        *out = (ls_category){m->fam_score[f], (uint64_t)c[2 * k], c[2 * k + 1]};
        any = true;
      }
  }
  return any;
}

uint16_t ls_fold_stage(const ls_model *m, const void *state) {
  (void)m;
  return ((const ps *)state)->stage;
}

bool ls_fold_last_activity(const ls_model *m, const void *state, ls_time *out) {
  (void)m;
  const ps *s = state;
  if (s->has_activity && out) *out = s->last_activity;
  return s->has_activity;
}

uint32_t ls_fold_mql_count(const ls_model *m, const void *state) {
  (void)m;
  return ((const ps *)state)->mql_count;
}

bool ls_fold_last_mql(const ls_model *m, const void *state, ls_time *out) {
  (void)m;
  const ps *s = state;
  if (s->has_mql && out) *out = s->last_mql;
  return s->has_mql;
}

bool ls_fold_identified(const ls_model *m, const void *state) {
  (void)m;
  return ((const ps *)state)->identified;
}

const char *ls_fold_route(const ls_model *m, const void *state) {
  uint32_t r = ((const ps *)state)->route;
  return r && r <= m->nroutes ? m->routes[r - 1] : "";
}

bool ls_fold_stage_since(const ls_model *m, const void *state, ls_time *out) {
  (void)m;
  const ps *s = state;
  if (s->has_stage_since && out) *out = s->stage_since;
  return s->has_stage_since;
}
