/* Queries on the store: leads (filter, sort, limit; table, CSV or JSON) and
 * show (one person: identities, attributes, scores, stages, ledger, tasks). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/opts.h"
#include "core/grow.h"
#include "leadscore/store.h"
#include "leadscore/workflow.h"

static const char leads_usage[] =
    "usage: leadscore leads --db FILE [--stage S] [--min-score N] [--sort score|lead_id]\n"
    "                       [--limit N] [--as-of T] [--format table|csv|json]\n"
    "\n"
    "Lists persons at T (default: the store clock), filtered by stage and\n"
    "minimum score, sorted by lead_id (default) or by score (highest first).\n";

static const char show_usage[] =
    "usage: leadscore show --db FILE PERSON\n"
    "\n"
    "Shows one person (any identity: lead id, e-mail, anonymous id, or a\n"
    "lead:/email:/anon: form): identities, attributes, scores, stage, why it is\n"
    "hot (the rules that gave the most points in the 30 days up to its latest\n"
    "MQL), the stage history and the ledger, at the store clock.\n";

typedef struct lrow {
  ls_buf id;
  int64_t score;
  uint16_t stage;
  uint32_t mqls;
  bool has_mql;
  ls_time last_mql;
} lrow;

typedef struct lctx {
  const ls_opts *o;
  const ls_model *m;
  lrow *v;
  size_t n, cap;
  int stage; /* -1 = any */
} lctx;

static int collect(void *ud, const ls_person_row *r) {
  lctx *c = ud;
  int64_t score = ls_fold_score(c->m, r->state, 0);
  uint16_t st = ls_fold_stage(c->m, r->state);
  if (c->stage >= 0 && st != c->stage) return LS_OK;
  if (c->o->has_min_score && score < c->o->min_score) return LS_OK;
  if (ls__grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v)) return LS_ENOMEM;
  lrow *l = &c->v[c->n++];
  memset(l, 0, sizeof *l);
  l->score = score;
  l->stage = st;
  l->mqls = ls_fold_mql_count(c->m, r->state);
  l->has_mql = ls_fold_last_mql(c->m, r->state, &l->last_mql);
  return ls_buf_append(&l->id, r->lead_id.p, r->lead_id.n);
}

static int by_score(const void *a, const void *b) {
  const lrow *x = a, *y = b;
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  size_t n = x->id.len < y->id.len ? x->id.len : y->id.len;
  int c = n ? memcmp(x->id.p, y->id.p, n) : 0;
  return c ? c : (x->id.len > y->id.len) - (x->id.len < y->id.len);
}

int ls_cmd_leads(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, leads_usage,
                         LS_OPT_DB | LS_OPT_QUERY | LS_OPT_AS_OF | LS_OPT_FORMAT, &o);
  if (code >= 0) return code;
  code = LS_EXIT_OK;
  const char *fmt = o.format ? o.format : "table";
  if (strcmp(fmt, "table") && strcmp(fmt, "csv") && strcmp(fmt, "json")) {
    ls_cli_error("leads: --format must be table, csv or json");
    return LS_EXIT_USAGE;
  }
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  const ls_model *m = ls_store_model(s);
  lctx c = {&o, m, NULL, 0, 0, -1};
  if (o.stage) {
    for (size_t i = 0; i < ls_model_nstages(m); i++)
      if (strcmp(ls_model_stage_name(m, i), o.stage) == 0) c.stage = (int)i;
    if (c.stage < 0) {
      ls_cli_error("leads: --stage: the model has no stage \"%s\"", o.stage);
      ls_store_close(s);
      return LS_EXIT_USAGE;
    }
  }
  int rc = ls_store_leads(s, o.has_as_of ? &o.as_of : NULL, collect, &c);
  if (rc) {
    ls_cli_error("%s: %s", o.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  } else {
    if (o.sort && strcmp(o.sort, "score") == 0) qsort(c.v, c.n, sizeof *c.v, by_score);
    size_t n = o.limit && (size_t)o.limit < c.n ? (size_t)o.limit : c.n;
    bool json = strcmp(fmt, "json") == 0, csv = strcmp(fmt, "csv") == 0;
    if (json) fputc('[', stdout);
    else if (csv) printf("lead_id,score,stage,mql_count,last_mql_at\n");
    else printf("%-28s %8s  %-13s %4s  %s\n", "lead_id", "score", "stage", "MQLs", "last MQL");
    for (size_t i = 0; i < n; i++) {
      const lrow *l = &c.v[i];
      char t[LS_TIME_FMT_MAX] = "";
      if (l->has_mql) ls_time_format(l->last_mql, t);
      const char *st = ls_model_stage_name(m, l->stage);
      if (json) {
        printf("%s{\"lead_id\":", i ? "," : "");
        ls_cli_json_str(stdout, l->id.p, l->id.len);
        printf(",\"score\":%" PRId64 ",\"stage\":\"%s\",\"mql_count\":%" PRIu32
               ",\"last_mql_at\":%s%s%s}", l->score, st, l->mqls, l->has_mql ? "\"" : "",
               l->has_mql ? t : "null", l->has_mql ? "\"" : "");
      } else if (csv) {
        ls_buf b = {0};
        ls_csv_safe_field(&b, l->id.p, l->id.len);
        printf("%.*s,%" PRId64 ",%s,%" PRIu32 ",%s\n", (int)b.len, b.p, l->score, st, l->mqls, t);
        ls_buf_free(&b);
      } else {
        printf("%-28.*s %8" PRId64 "  %-13s %4" PRIu32 "  %s\n", (int)l->id.len, l->id.p,
               l->score, st, l->mqls, t);
      }
    }
    if (json) printf("]\n");
  }
  for (size_t i = 0; i < c.n; i++) ls_buf_free(&c.v[i].id);
  free(c.v);
  ls_store_close(s);
  return code ? code : (fflush(stdout) ? LS_EXIT_IO : LS_EXIT_OK);
}

/* ---- show ---- */

typedef struct show_out {
  ls_buf ids, attrs, stages, ledger;
} show_out;

static int on_identity(void *ud, ls_slice v) {
  show_out *o = ud;
  return ls_buf_appendf(&o->ids, "%s%.*s", o->ids.len ? ", " : "", (int)v.n, v.p);
}
static int on_attr(void *ud, const char *key, ls_slice v) {
  return ls_buf_appendf(&((show_out *)ud)->attrs, "  %-12s %.*s\n", key, (int)v.n, v.p);
}
static int on_row(void *ud, const ls_store_ledger *e) {
  show_out *o = ud;
  char t[LS_TIME_FMT_MAX];
  ls_time_format(e->time, t);
  if (e->kind == 's')
    return ls_buf_appendf(&o->stages, "  %-24s %-13s %-13s%s %.*s\n", t, e->from_stage, e->to_stage,
                e->mql ? " (MQL)" : "      ", (int)e->event_id.n, e->event_id.p);
  /* the cap itself is in that model version (models table) */
  const char *note = e->kind == 'c' ? " (capped by the rule's cap)"
                     : e->kind == 'b' ? " (cut by the score's min/max)"
                     : e->kind == 'f' ? " (fit re-roll)" : "";
  char cat[160] = "";
  if (e->category) {
    if (e->category_name.n)
      snprintf(cat, sizeof cat, " [%.*s]", (int)e->category_name.n, e->category_name.p);
    else
      snprintf(cat, sizeof cat, " [#%016" PRIx64 "]", e->category);
  }
  return ls_buf_appendf(&o->ledger, "  %-24s %-22s %+6" PRId64 " %8" PRId64 "  %-12.*s v%" PRId64 "%s%s\n",
              t, e->kind == 'd' ? "(decay)" : e->kind == 'w' ? "(window)"
                 : e->kind == 'e' ? "(evicted)" : e->rule,
              e->points, e->after,
              (int)e->event_id.n, e->event_id.p, e->model_version, cat, note);
}

static int print_task(void *ud, const ls_wf_task *t) {
  size_t *n = ud;
  char due[LS_TIME_FMT_MAX];
  ls_time_format(t->due, due);
  if (!(*n)++) printf("\ntasks (owner %s)\n", t->owner ? t->owner : "none");
  printf("  %s %s day %-3d %-24s %-12s %s", t->id, t->stage, t->day, due, t->task, t->status);
  if (t->outcome) {
    char at[LS_TIME_FMT_MAX];
    ls_time_format((ls_time){t->done_ms / 1000, (int32_t)(t->done_ms % 1000) * 1000000}, at);
    printf("  %s %s%s%s%s%s", at, t->outcome, t->done_by[0] ? " by " : "", t->done_by,
           t->outcome_note[0] ? ": " : "", t->outcome_note);
  } else if (t->note) {
    printf("  %s", t->note);
  }
  putchar('\n');
  return 0;
}

int ls_cmd_show(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, show_usage, LS_OPT_DB, &o);
  if (code >= 0) return code;
  code = LS_EXIT_OK;
  if (argc - o.first_arg != 1) {
    ls_cli_error("show: expected one PERSON (see --help)");
    return LS_EXIT_USAGE;
  }
  const char *who = argv[o.first_arg];
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  const ls_model *m = ls_store_model(s);
  int64_t person;
  int rc = ls_store_find(s, (ls_slice){who, strlen(who)}, &person);
  void *state = malloc(ls_fold_state_size(m));
  ls_buf lead = {0};
  show_out out = {{0}, {0}, {0}, {0}};
  ls_store_show_sink sink = {&out, on_identity, on_attr, on_row};
  if (rc == LS_ENOTFOUND) {
    ls_cli_error("show: no person has the identity \"%s\"", who);
    code = LS_EXIT_DATA;
  } else if (!rc && !state) {
    rc = LS_ENOMEM;
  } else if (!rc) {
    rc = ls_store_show(s, person, &sink, state, &lead);
  }
  if (rc && rc != LS_ENOTFOUND) {
    ls_cli_error("%s: %s", o.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  } else if (!rc) {
    ls_time clock, since;
    char t[LS_TIME_FMT_MAX];
    printf("person      %.*s\n", (int)lead.len, lead.p);
    printf("identities  %.*s\n", (int)out.ids.len, out.ids.p);
    if (ls_store_clock(s, &clock)) {
      ls_time_format(clock, t);
      printf("as of       %s\n", t);
    }
    uint16_t st = ls_fold_stage(m, state);
    printf("stage       %s", ls_model_stage_name(m, st));
    if (ls_fold_stage_since(m, state, &since)) {
      ls_time_format(since, t);
      printf(" since %s", t);
    }
    printf("\n");
    ls_names *names = NULL;
    if (ls_store_categories(s, &names) == LS_OK) ls_cli_print_scores(stdout, m, state, names);
    ls_names_destroy(names);
    printf("MQLs        %" PRIu32 "\n", ls_fold_mql_count(m, state));
    ls_why_item why[LS_WHY_MAX];
    size_t nwhy = 0;
    ls_buf en = {0}, ja = {0};
    rc = ls_store_why(s, person, why, LS_WHY_MAX, &nwhy, NULL);
    if (!rc) rc = ls_why_text(m, why, nwhy, "en", &en);
    if (!rc) rc = ls_why_text(m, why, nwhy, "ja", &ja);
    if (rc) {
      ls_cli_error("%s: %s", o.db, ls_strerror(rc));
      code = LS_EXIT_IO;
    } else if (nwhy) {
      printf("why hot: %.*s\n    (ja) %.*s\n", (int)en.len, en.p, (int)ja.len, ja.p);
    }
    ls_buf_free(&en);
    ls_buf_free(&ja);
    printf("\nattributes\n%.*s", (int)out.attrs.len, out.attrs.p);
    printf("\nstage history\n%.*s", (int)out.stages.len, out.stages.p);
    printf("\nledger\n%.*s", (int)out.ledger.len, out.ledger.p);
    /* the workflow's timeline: every task of every stage entry, with what
     * was done (docs/workflow.md) */
    size_t nt = 0;
    if (!rc) rc = ls_store_tasks(s, person, print_task, &nt);
    if (fflush(stdout)) code = LS_EXIT_IO;
  }
  ls_buf_free(&out.ids);
  ls_buf_free(&out.attrs);
  ls_buf_free(&out.stages);
  ls_buf_free(&out.ledger);
  free(state);
  ls_buf_free(&lead);
  ls_store_close(s);
  return code;
}

static const char forget_usage[] =
    "usage: leadscore forget --db FILE PERSON\n"
    "\n"
    "Erases a person (GDPR right to erasure): its events, identities,\n"
    "attributes, ledger and tasks. Only a record that an erasure happened\n"
    "(when, how many events) is kept. Later events for the same identities\n"
    "start a new person.\n";

int ls_cmd_forget(int argc, char **argv) {
  ls_opts o;
  int code = ls_cli_opts(argc, argv, forget_usage, LS_OPT_DB, &o);
  if (code >= 0) return code;
  code = LS_EXIT_OK;
  if (argc - o.first_arg != 1) {
    ls_cli_error("forget: expected one PERSON (see --help)");
    return LS_EXIT_USAGE;
  }
  const char *who = argv[o.first_arg];
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  int64_t person, events = 0;
  int rc = ls_store_find(s, (ls_slice){who, strlen(who)}, &person);
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  if (!rc) rc = ls_store_forget(s, person, (ls_time){(int64_t)ts.tv_sec, 0}, &events);
  if (rc == LS_ENOTFOUND) {
    ls_cli_error("forget: no person has the identity \"%s\"", who);
    code = LS_EXIT_DATA;
  } else if (rc) {
    ls_cli_error("%s: %s", o.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  } else {
    fprintf(stderr, "leadscore: erased one person and %" PRId64 " events\n", events);
  }
  ls_store_close(s);
  return code;
}
