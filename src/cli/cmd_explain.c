/* leadscore explain: one person's identities, stage history, ledger and
 * follow-up tasks — *why* the score is what it is. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run.h"
#include "leadscore/export.h"
#include "leadscore/store.h"

static const char usage[] =
    "usage: leadscore explain --model FILE [--as-of T] [--format table|json]\n"
    "                         PERSON EVENTS...\n"
    "\n"
    "Replays the events and shows one person: identities, scores, why it is\n"
    "hot (the rules that gave the most points in the 30 days up to its latest\n"
    "MQL), stage history, every ledger entry (time, rule, points, score after,\n"
    "event) and the follow-up tasks. PERSON is any identity: a lead id (L42),\n"
    "an e-mail, an anonymous id, or a prefixed form (lead:L42, email:a@b.c,\n"
    "anon:c-1).\n"
    "\n"
    "Exit status: 0 ok, 1 no such person, 2 usage or model error, 3 I/O\n"
    "error, 4 internal error.\n";

typedef struct row {
  int kind; /* 0 ledger, 1 stage, 2 rejected */
  ls_ledger_entry l;
  ls_stage_change c;
  ls_time t;
  uint16_t stage;
  char *event; /* owned copy of the event id */
  size_t event_n;
} row;

typedef struct story {
  row *r;
  size_t n, cap;
  bool oom;
} story;

static row *push(story *s, ls_slice ev) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    row *nr = realloc(s->r, cap * sizeof *nr);
    if (!nr) {
      s->oom = true;
      return NULL;
    }
    s->r = nr;
    s->cap = cap;
  }
  row *r = &s->r[s->n];
  memset(r, 0, sizeof *r);
  r->event = malloc(ev.n + 1);
  if (!r->event) {
    s->oom = true;
    return NULL;
  }
  if (ev.n) memcpy(r->event, ev.p, ev.n);
  r->event[ev.n] = '\0';
  r->event_n = ev.n;
  s->n++;
  return r;
}

static void on_ledger(void *ud, const ls_ledger_entry *e) {
  row *r = push(ud, e->event_id);
  if (r) r->kind = 0, r->l = *e, r->t = e->time;
}
static void on_stage(void *ud, const ls_stage_change *c) {
  row *r = push(ud, c->event_id);
  if (r) r->kind = 1, r->c = *c, r->t = c->time;
}
static void on_rejected(void *ud, const ls_fold_event *ev, uint16_t stage) {
  row *r = push(ud, ev->id);
  if (r) r->kind = 2, r->t = ev->time, r->stage = stage;
}

typedef struct idlist {
  char **s;
  size_t n;
} idlist;

static void on_ident(void *ud, ls_slice id) {
  idlist *l = ud;
  char **ns = realloc(l->s, (l->n + 1) * sizeof *ns);
  if (!ns) return;
  l->s = ns;
  l->s[l->n] = malloc(id.n + 1);
  if (!l->s[l->n]) return;
  memcpy(l->s[l->n], id.p, id.n);
  l->s[l->n++][id.n] = '\0';
}

static const char *tstr(ls_time t, char *buf) {
  ls_time_format(t, buf);
  return buf;
}

/* The tasks of every cadence entry; a task is cancelled when the person left
 * the stage (tasks are never marked done in a replay). */
typedef void (*task_fn)(void *ud, const ls_task *t, uint16_t stage, ls_time entered,
                        bool cancelled, ls_time left);

static void each_task(const ls_model *m, const story *s, task_fn fn, void *ud) {
  for (size_t i = 0; i < s->n; i++) {
    if (s->r[i].kind != 1) continue;
    const ls_stage_change *c = &s->r[i].c;
    ls_task tasks[64];
    size_t nt = ls_model_cadence_tasks(m, c->to, c->time, tasks, 64);
    if (nt > 64) nt = 64;
    bool left = false;
    ls_time when = {0, 0};
    for (size_t j = i + 1; j < s->n && !left; j++)
      if (s->r[j].kind == 1 && s->r[j].c.from == c->to) left = true, when = s->r[j].c.time;
    for (size_t k = 0; k < nt; k++) fn(ud, &tasks[k], c->to, c->time, left, when);
  }
}

static void print_task_table(void *ud, const ls_task *t, uint16_t stage, ls_time entered,
                             bool cancelled, ls_time left) {
  (void)stage;
  (void)entered;
  char a[LS_TIME_FMT_MAX], b[LS_TIME_FMT_MAX];
  if (cancelled)
    fprintf(ud, "  %-4d %-24s %-12s cancelled %-24s %s\n", t->day, tstr(t->due, a),
            t->task, tstr(left, b), t->note ? t->note : "");
  else
    fprintf(ud, "  %-4d %-24s %-12s open      %-24s %s\n", t->day, tstr(t->due, a),
            t->task, "", t->note ? t->note : "");
}

/* Why hot (ls_why) from the replayed ledger, as the store answers it: the 30
 * days up to the latest MQL, or up to the last row of a person never MQL. */
static size_t why_hot(const ls_model *m, const story *s, ls_why_item *v) {
  bool any = false, mql = false;
  ls_time last = {0, 0}, last_mql = {0, 0};
  for (size_t i = 0; i < s->n; i++) {
    const row *r = &s->r[i];
    if (r->kind == 2) continue; /* a rejected sales event: no ledger row */
    if (!any || ls_time_cmp(r->t, last) > 0) last = r->t;
    any = true;
    if (r->kind == 1 && r->c.mql && (!mql || ls_time_cmp(r->t, last_mql) >= 0))
      last_mql = r->t, mql = true;
  }
  ls_why w;
  ls_why_init(&w, m, mql ? last_mql : last);
  int rc = LS_OK;
  for (size_t i = 0; i < s->n && !rc; i++)
    if (s->r[i].kind == 0) rc = ls_why_add(&w, s->r[i].l.rule, s->r[i].t, s->r[i].l.points);
  size_t n = rc ? 0 : ls_why_top(&w, v, LS_WHY_MAX);
  ls_why_free(&w);
  return n;
}

static void print_why(const ls_model *m, const ls_why_item *v, size_t n, FILE *out) {
  ls_buf en = {0}, ja = {0};
  if (n && !ls_why_text(m, v, n, "en", &en) && !ls_why_text(m, v, n, "ja", &ja))
    fprintf(out, "why hot: %.*s\n    (ja) %.*s\n", (int)en.len, en.p, (int)ja.len, ja.p);
  ls_buf_free(&en);
  ls_buf_free(&ja);
}

static void print_table(const ls_model *m, const ls_replay *rp, size_t p,
                        const idlist *ids, const story *s, FILE *out) {
  ls_person_row pr = ls_replay_person(rp, p);
  char a[LS_TIME_FMT_MAX], b[LS_TIME_FMT_MAX];
  fprintf(out, "person      %.*s\n", (int)pr.lead_id.n, pr.lead_id.p);
  fputs("identities ", out);
  for (size_t i = 0; i < ids->n; i++) fprintf(out, "%s%s", i ? ", " : " ", ids->s[i]);
  fprintf(out, "\nas of       %s\n", tstr(ls_replay_as_of(rp), a));
  ls_time since;
  uint16_t st = ls_fold_stage(m, pr.state);
  if (ls_fold_stage_since(m, pr.state, &since))
    fprintf(out, "stage       %s since %s\n", ls_model_stage_name(m, st), tstr(since, a));
  else
    fprintf(out, "stage       %s\n", ls_model_stage_name(m, st));
  ls_cli_print_scores(out, m, pr.state, pr.categories);
  ls_time lm;
  if (ls_fold_last_mql(m, pr.state, &lm))
    fprintf(out, "MQLs        %" PRIu32 ", last %s\n", ls_fold_mql_count(m, pr.state),
            tstr(lm, b));
  else
    fputs("MQLs        0\n", out);
  ls_why_item why[LS_WHY_MAX];
  print_why(m, why, why_hot(m, s, why), out);

  fputs("\nstage history\n  time                     from          to            event\n", out);
  for (size_t i = 0; i < s->n; i++) {
    const row *r = &s->r[i];
    if (r->kind != 1) continue;
    char to[160];
    snprintf(to, sizeof to, "%s%s", ls_model_stage_name(m, r->c.to), r->c.mql ? " (MQL)" : "");
    if (r->c.route >= 0)
      snprintf(to + strlen(to), sizeof to - strlen(to), " [%s]",
               ls_model_route_name(m, (size_t)r->c.route));
    fprintf(out, "  %-24s %-13s %-13s %s\n", tstr(r->t, a),
            ls_model_stage_name(m, r->c.from), to, r->event);
  }
  fputs("\nledger\n  time                     rule                    points    score  event\n", out);
  for (size_t i = 0; i < s->n; i++) {
    const row *r = &s->r[i];
    if (r->kind != 0) continue;
    const char *rule = r->l.rule >= 0 ? ls_model_rule_id(m, (size_t)r->l.rule)
                       : r->l.window ? "(window)" : r->l.evicted ? "(evicted)" : "(decay)";
    char pts[32];
    snprintf(pts, sizeof pts, "%+" PRId64, r->l.points);
    fprintf(out, "  %-24s %-23s %6s %8" PRId64 "  %s", tstr(r->t, a), rule, pts, r->l.after,
            r->event);
    char why[128];
    if (r->l.category) {
      ls_cli_category(ls_replay_categories(rp), r->l.category, why, sizeof why);
      fprintf(out, " [%s:%s]", ls_model_score_name(m, r->l.score), why);
    } else if (ls_model_nscores(m) > 1) {
      fprintf(out, " [%s]", ls_model_score_name(m, r->l.score));
    }
    if (r->l.rule >= 0 && ls_model_rule_is_fit(m, (size_t)r->l.rule)) {
      char from[96], to[96];
      ls_model_fit_row_text(m, (size_t)r->l.rule, r->l.fit_from, from, sizeof from);
      ls_model_fit_row_text(m, (size_t)r->l.rule, r->l.fit_to, to, sizeof to);
      fprintf(out, " (re-roll: %s -> %s)", from, to);
    }
    if (r->l.capped && ls_model_cap_reason(m, (size_t)r->l.rule, r->l.capped, why, sizeof why))
      fprintf(out, " (%s)", why);
    fputc('\n', out);
  }
  bool any = false;
  for (size_t i = 0; i < s->n; i++) {
    const row *r = &s->r[i];
    if (r->kind != 2) continue;
    if (!any) fputs("\nrejected sales events (did not fit the stage)\n", out);
    any = true;
    fprintf(out, "  %-24s %-13s %s\n", tstr(r->t, a), ls_model_stage_name(m, r->stage), r->event);
  }
  fputs("\ntasks\n  day  due                      task         status    cancelled at             note\n", out);
  each_task(m, s, print_task_table, out);
}

typedef struct jctx {
  FILE *out;
  const ls_model *m;
  bool first;
} jctx;

static void jstr(FILE *out, const char *s) { ls_cli_json_str(out, s, strlen(s)); }

static void print_task_json(void *ud, const ls_task *t, uint16_t stage, ls_time entered,
                            bool cancelled, ls_time left) {
  jctx *j = ud;
  char a[LS_TIME_FMT_MAX];
  fprintf(j->out, "%s{\"stage\":", j->first ? "" : ",");
  j->first = false;
  jstr(j->out, ls_model_stage_name(j->m, stage));
  fprintf(j->out, ",\"entered\":\"%s\",\"day\":%d", tstr(entered, a), t->day);
  fprintf(j->out, ",\"due\":\"%s\",\"task\":", tstr(t->due, a));
  jstr(j->out, t->task);
  fputs(",\"note\":", j->out);
  if (t->note) jstr(j->out, t->note);
  else fputs("null", j->out);
  fprintf(j->out, ",\"status\":\"%s\"", cancelled ? "cancelled" : "open");
  if (cancelled) fprintf(j->out, ",\"cancelled_at\":\"%s\"", tstr(left, a));
  fputc('}', j->out);
}

/* ,"why_hot":{"en":TEXT,"ja":TEXT,"reasons":[…]}, as GET /v1/leads/{id}. */
static void print_why_json(const ls_model *m, const story *s, FILE *out) {
  ls_why_item v[LS_WHY_MAX];
  size_t n = why_hot(m, s, v);
  ls_buf en = {0}, ja = {0};
  ls_why_text(m, v, n, "en", &en);
  ls_why_text(m, v, n, "ja", &ja);
  fputs(",\"why_hot\":{\"en\":", out);
  ls_cli_json_str(out, en.p ? en.p : "", en.len);
  fputs(",\"ja\":", out);
  ls_cli_json_str(out, ja.p ? ja.p : "", ja.len);
  fputs(",\"reasons\":[", out);
  for (size_t i = 0; i < n; i++) {
    size_t r = (size_t)v[i].rule;
    fputs(i ? ",{\"rule\":" : "{\"rule\":", out);
    jstr(out, ls_model_rule_id(m, r));
    fputs(",\"label\":", out);
    jstr(out, ls_model_rule_label(m, r, "en"));
    fputs(",\"label_ja\":", out);
    jstr(out, ls_model_rule_label(m, r, "ja"));
    fprintf(out, ",\"count\":%" PRIu32 ",\"points\":%" PRId64 "}", v[i].count, v[i].points);
  }
  fputs("]}", out);
  ls_buf_free(&en);
  ls_buf_free(&ja);
}

static void print_json(const ls_model *m, const ls_replay *rp, size_t p, const idlist *ids,
                       const story *s, FILE *out) {
  ls_person_row pr = ls_replay_person(rp, p);
  char a[LS_TIME_FMT_MAX];
  fputs("{\"person\":", out);
  ls_cli_json_str(out, pr.lead_id.p, pr.lead_id.n);
  fputs(",\"identities\":[", out);
  for (size_t i = 0; i < ids->n; i++) {
    if (i) fputc(',', out);
    jstr(out, ids->s[i]);
  }
  fprintf(out, "],\"as_of\":\"%s\",\"stage\":", tstr(ls_replay_as_of(rp), a));
  jstr(out, ls_model_stage_name(m, ls_fold_stage(m, pr.state)));
  fputs(",\"scores\":{", out);
  for (size_t i = 0; i < ls_model_nscores(m); i++) {
    if (i) fputc(',', out);
    jstr(out, ls_model_score_name(m, i));
    fprintf(out, ":%" PRId64, ls_fold_score(m, pr.state, i));
  }
  fputs("},\"grades\":{", out);
  for (size_t g = 0; g < ls_model_ngrades(m); g++) {
    if (g) fputc(',', out);
    jstr(out, ls_model_grade_name(m, g));
    fputc(':', out);
    jstr(out, ls_fold_grade(m, pr.state, g));
  }
  fputc('}', out);
  if (ls_model_nfamilies(m)) {
    fputs(",\"categories\":{", out);
    for (size_t f = 0; f < ls_model_nfamilies(m); f++) {
      size_t sc = ls_model_family_score(m, f);
      ls_category c[64];
      size_t n = ls_fold_categories(m, pr.state, sc, c, 64);
      fprintf(out, "%s", f ? "," : "");
      jstr(out, ls_model_score_name(m, sc));
      fputs(":[", out);
      for (size_t k = 0; k < n && k < 64; k++) {
        char name[256];
        ls_cli_category(pr.categories, c[k].hash, name, sizeof name);
        fputs(k ? ",{\"name\":" : "{\"name\":", out);
        jstr(out, name);
        fprintf(out, ",\"points\":%" PRId64 "}", c[k].points);
      }
      fputc(']', out);
    }
    fputs("},\"top_category\":", out);
    ls_category top;
    ls_buf t = {0};
    if (ls_fold_top_category(m, pr.state, &top) &&
        !ls_category_text(m, pr.categories, top.score, top.hash, &t))
      ls_cli_json_str(out, t.p, t.len);
    else
      fputs("null", out);
    ls_buf_free(&t);
  }
  char cell[40];
  if (ls_fold_cell(m, pr.state, cell, sizeof cell)) {
    fputs(",\"cell\":", out);
    jstr(out, cell);
  }
  ls_time lm;
  fprintf(out, ",\"mql_count\":%" PRIu32 ",\"last_mql_at\":", ls_fold_mql_count(m, pr.state));
  if (ls_fold_last_mql(m, pr.state, &lm)) fprintf(out, "\"%s\"", tstr(lm, a));
  else fputs("null", out);
  print_why_json(m, s, out);
  fputs(",\"stages\":[", out);
  bool first = true;
  for (size_t i = 0; i < s->n; i++) {
    const row *r = &s->r[i];
    if (r->kind != 1) continue;
    fprintf(out, "%s{\"time\":\"%s\",\"from\":", first ? "" : ",", tstr(r->t, a));
    first = false;
    jstr(out, ls_model_stage_name(m, r->c.from));
    fputs(",\"to\":", out);
    jstr(out, ls_model_stage_name(m, r->c.to));
    fprintf(out, ",\"mql\":%s,\"event\":", r->c.mql ? "true" : "false");
    ls_cli_json_str(out, r->event, r->event_n);
    fputc('}', out);
  }
  fputs("],\"ledger\":[", out);
  first = true;
  for (size_t i = 0; i < s->n; i++) {
    const row *r = &s->r[i];
    if (r->kind != 0) continue;
    fprintf(out, "%s{\"time\":\"%s\",\"rule\":", first ? "" : ",", tstr(r->t, a));
    first = false;
    if (r->l.rule < 0)
      fprintf(out, "null,\"label\":\"%s\"",
              r->l.window ? "window" : r->l.evicted ? "evicted" : "decay");
    else {
      jstr(out, ls_model_rule_id(m, (size_t)r->l.rule));
      fputs(",\"label\":", out);
      jstr(out, ls_model_rule_label(m, (size_t)r->l.rule, "en"));
    }
    fputs(",\"score\":", out);
    jstr(out, ls_model_score_name(m, r->l.score));
    char why[128];
    if (r->l.category) {
      ls_cli_category(ls_replay_categories(rp), r->l.category, why, sizeof why);
      fputs(",\"category\":", out);
      jstr(out, why);
    }
    fprintf(out, ",\"points\":%" PRId64 ",\"after\":%" PRId64 ",\"event\":", r->l.points,
            r->l.after);
    if (r->l.rule < 0 && !r->l.evicted) fputs("null", out);
    else ls_cli_json_str(out, r->event, r->event_n);
    if (r->l.rule >= 0 && ls_model_rule_is_fit(m, (size_t)r->l.rule)) {
      ls_model_fit_row_text(m, (size_t)r->l.rule, r->l.fit_from, why, sizeof why);
      fputs(",\"reroll_from\":", out);
      jstr(out, why);
      ls_model_fit_row_text(m, (size_t)r->l.rule, r->l.fit_to, why, sizeof why);
      fputs(",\"reroll_to\":", out);
      jstr(out, why);
    }
    if (r->l.capped && ls_model_cap_reason(m, (size_t)r->l.rule, r->l.capped, why, sizeof why)) {
      fputs(",\"capped\":", out);
      jstr(out, why);
    }
    fputc('}', out);
  }
  fputs("],\"rejected\":[", out);
  first = true;
  for (size_t i = 0; i < s->n; i++) {
    const row *r = &s->r[i];
    if (r->kind != 2) continue;
    fprintf(out, "%s{\"time\":\"%s\",\"stage\":", first ? "" : ",", tstr(r->t, a));
    first = false;
    jstr(out, ls_model_stage_name(m, r->stage));
    fputs(",\"event\":", out);
    ls_cli_json_str(out, r->event, r->event_n);
    fputc('}', out);
  }
  fputs("],\"tasks\":[", out);
  jctx j = {out, m, true};
  each_task(m, s, print_task_json, &j);
  fputs("]}\n", out);
}

int ls_cmd_explain(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, usage,
                         LS_OPT_MODEL | LS_OPT_AS_OF | LS_OPT_FORMAT | LS_OPT_QUIET, &o);
  if (code >= 0) return code;
  const char *fmt = o.format ? o.format : "table";
  if (strcmp(fmt, "table") != 0 && strcmp(fmt, "json") != 0) {
    ls_cli_error("explain: --format must be table or json, not \"%s\"", fmt);
    return LS_EXIT_USAGE;
  }
  if (o.first_arg >= argc) {
    ls_cli_error("explain: PERSON is required (see --help)");
    return LS_EXIT_USAGE;
  }
  const char *who = argv[o.first_arg];
  o.quiet = true;
  ls_cli_result res;
  code = ls_cli_run(&o, argv + o.first_arg + 1, argc - o.first_arg - 1, &res);
  if (code == LS_EXIT_OK) {
    long p = ls_replay_find(res.replay, (ls_slice){who, strlen(who)});
    if (p < 0) {
      ls_cli_error("explain: no person has the identity \"%s\"", who);
      code = LS_EXIT_DATA;
    } else {
      story s = {0};
      ls_fold_sink sink = {&s, on_ledger, on_stage, on_rejected};
      idlist ids = {0};
      ls_replay_identities(res.replay, (size_t)p, on_ident, &ids);
      if (ls_replay_explain(res.replay, (size_t)p, &sink) || s.oom) {
        ls_cli_error("out of memory");
        code = LS_EXIT_INTERNAL;
      } else if (strcmp(fmt, "json") == 0) {
        print_json(res.model, res.replay, (size_t)p, &ids, &s, stdout);
      } else {
        print_table(res.model, res.replay, (size_t)p, &ids, &s, stdout);
      }
      for (size_t i = 0; i < s.n; i++) free(s.r[i].event);
      free(s.r);
      for (size_t i = 0; i < ids.n; i++) free(ids.s[i]);
      free(ids.s);
      if (fflush(stdout) != 0) code = LS_EXIT_IO;
    }
  }
  ls_cli_result_free(&res);
  return code;
}
