/* leadscore report: the monthly review of a store (docs/funnel.md) — the
 * month's funnel against the previous month's and the model's targets,
 * the biggest movers and the follow-up SLAs — as text, CSV or HTML. The
 * numbers come from ls_store_month_report; this file parses the options
 * and holds what the three renderings share. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/month_report.h"

static const char usage[] =
    "usage: leadscore report --db FILE --month YYYY-MM [--format text|csv|html]\n"
    "                        [--lang en|ja] [--out FILE]\n"
    "\n"
    "The monthly review of a store, for one calendar month (UTC): the funnel\n"
    "(entries per stage, MQLs, conversions, median days in a stage, entries per\n"
    "week) against the previous month and the model's `targets:`, persons per\n"
    "stage at the month's end, the 10 persons whose first score rose and fell the\n"
    "most over the month, and the follow-up SLAs of the tasks due in the month.\n"
    "\n"
    "  --db FILE        the store\n"
    "  --month YYYY-MM  the month, e.g. 2026-02\n"
    "  --format F       text (default), csv (one block per section, first column\n"
    "                   `section`) or html (one self-contained page)\n"
    "  --lang L         labels in en (default) or ja\n"
    "  --out FILE       write there instead of standard output\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 3 the store cannot be opened or read or\n"
    "the output written, 4 internal error.\n";

/* ---- what the renderings share ---- */

static const char *const WORDS[W_N][2] = {
    [W_TITLE] = {"Monthly review", "月次レビュー"},
    [W_KPIS] = {"KPIs", "KPI"},
    [W_NO_TARGETS] = {"The model declares no targets (`targets:`): the usual measures, "
                      "without goals.",
                      "モデルに目標（targets:）がありません。目標なしの基本指標："},
    [W_KPI] = {"KPI", "KPI"},
    [W_VALUE] = {"value", "実績"},
    [W_GOAL] = {"goal", "目標"},
    [W_PROGRESS] = {"progress", "達成率"},
    [W_MET] = {"met", "達成"},
    [W_PREV] = {"previous", "前月"},
    [W_CHANGE] = {"change", "前月比"},
    [W_YES] = {"yes", "達成"},
    [W_NO] = {"no", "未達"},
    [W_FUNNEL] = {"Funnel", "ファネル"},
    [W_STAGE] = {"stage", "ステージ"},
    [W_ENTRIES] = {"entries", "流入"},
    [W_NOW] = {"persons", "人数"},
    [W_LEFT] = {"left", "移行済"},
    [W_MEDIAN_DAYS] = {"median days", "滞留日数（中央値）"},
    [W_MQLS] = {"MQLs", "MQL数"},
    [W_CONVERSION] = {"Conversion", "転換率"},
    [W_CONVERSION_NOTE] = {"Of the month's entries into a stage, the share that went on to "
                           "another stage (up to the clock) before entering the first again.",
                           "当月に各ステージへ流入したうち、再流入する前に（現時点までに）"
                           "別のステージへ進んだ割合。"},
    [W_NONE] = {"none", "なし"},
    [W_WEEKLY] = {"Entries per week", "週次の流入"},
    [W_WEEK] = {"week", "週"},
    [W_WEEKLY_NOTE] = {"ISO weeks from Monday 00:00 UTC; the first and last weeks count the "
                       "month's days only.",
                       "ISO週（月曜0時 UTC 始まり）。最初と最後の週は当月の日のみ。"},
    [W_MOVERS] = {"Biggest movers", "スコア変動の大きいリード"},
    [W_MOVERS_NOTE] = {"The first score from the month's start to its end; a person new in the "
                       "month starts from the initial score.",
                       "第1スコアの月初から月末への変化。当月の新規は初期スコアから。"},
    [W_UP] = {"rose", "上昇"},
    [W_DOWN] = {"fell", "下降"},
    [W_LEAD] = {"lead", "リード"},
    [W_START] = {"start", "月初"},
    [W_END] = {"end", "月末"},
    [W_NEW] = {"new", "新規"},
    [W_SLA] = {"Follow-up SLA", "フォローアップSLA"},
    [W_SLA_NOTE] = {"Tasks due in the month; on time % is of those done. Stage breaches: "
                    "stage time limits (`sla:`) whose deadline fell in the month.",
                    "当月が期限のタスク。期限内率は完了分に対する割合。ステージ超過："
                    "ステージの期限（sla:）が当月に来たもの。"},
    [W_OWNER] = {"owner", "担当"},
    [W_DUE] = {"due", "期限到来"},
    [W_ON_TIME] = {"on time", "期限内"},
    [W_LATE] = {"late", "遅延"},
    [W_OVERDUE] = {"overdue now", "現在期限切れ"},
    [W_ON_TIME_SHARE] = {"on time %", "期限内率"},
    [W_BREACHES] = {"stage breaches", "ステージ超過"},
    [W_TOTAL] = {"total", "合計"},
    [W_NO_OWNER] = {"(none)", "（なし）"},
    [W_DELTA] = {"change", "変化"},
    [W_PERSONS] = {"persons", "人数"},
    [W_AT_END] = {"persons per stage at the month's end", "ステージ別人数は月末時点"},
    [W_CURRENT] = {"the month is not over: persons per stage now",
                   "当月は未終了：ステージ別人数は現在値"},
    [W_OVER] = {"over", "終了"},
    [W_PREV_MONTH] = {"previous month", "前月"},
    [W_STORE] = {"store", "ストア"},
    [W_MODEL] = {"model", "モデル"},
    [W_CLOCK] = {"clock", "時刻"},
    [W_NO_CLOCK] = {"the store is empty", "ストアは空です"},
};

const char *ls_month_word_in(const char *lang, ls_month_word w) {
  return WORDS[w][lang && !strcmp(lang, "ja") ? 1 : 0];
}

void ls_month_name(const ls_month_report *r, bool prev, char buf[16]) {
  int y = r->year, m = r->month;
  if (prev && --m < 1) m = 12, y--;
  snprintf(buf, 16, "%04d-%02d", y, m);
}

void ls_month_fmt(int kind, double v, char *buf, size_t cap) {
  if (isnan(v)) snprintf(buf, cap, "-");
  else if (kind == LS_KPI_CONVERSION) snprintf(buf, cap, "%.1f%%", 100 * v);
  else if (kind == LS_KPI_MEDIAN_DAYS) snprintf(buf, cap, "%.1f d", v);
  else if (v == floor(v)) snprintf(buf, cap, "%.0f", v);
  else snprintf(buf, cap, "%.1f", v);
}

void ls_month_fmt_change(int kind, double cur, double prev, char *buf, size_t cap) {
  double d = cur - prev;
  if (isnan(d)) snprintf(buf, cap, "-");
  else if (kind == LS_KPI_CONVERSION) snprintf(buf, cap, "%+.1f pt", 100 * d);
  else if (kind == LS_KPI_MEDIAN_DAYS) snprintf(buf, cap, "%+.1f d", d);
  else snprintf(buf, cap, "%+.0f", d);
}

static ls_kpi measured(double v) { return (ls_kpi){0, !isnan(v), v, NAN, NAN, false}; }

size_t ls_month_kpis(const ls_month_view *v, ls_month_kpi *rows, char *buf, size_t cap) {
  const ls_month_report *r = v->r;
  size_t n = 0;
  for (size_t i = 0; i < r->ntargets && n < LS_MONTH_KPI_MAX; i++) {
    const ls_target *t = ls_model_target(v->m, i);
    rows[n++] = (ls_month_kpi){t->id, ls_model_target_label(v->m, i, v->lang), t->kind, true,
                               t->at_most, r->kpi_cur[i], r->kpi_prev[i]};
  }
  if (r->ntargets) return n;
  /* the defaults, labelled like the model's default target labels */
  bool ja = v->lang && !strcmp(v->lang, "ja");
  rows[n++] = (ls_month_kpi){"mqls", ls_month_word_in(v->lang, W_MQLS), LS_KPI_MQLS, false,
                             false, measured((double)r->cur.mqls),
                             measured((double)r->prev.mqls)};
  size_t x = (size_t)r->mql_stage, ns = r->cur.nstages, used = 0;
  if (r->mql_stage < 0 || cap < 4) return n;
  const char *sx = ls_model_stage_name(v->m, x);
  if (x + 1 < ns) {
    const char *sy = ls_model_stage_name(v->m, x + 1);
    int k = snprintf(buf, cap, "conversion:%s:%s", sx, sy) + 1;
    int l = snprintf(buf + k, cap - (size_t)k, ja ? "%s → %s 転換率" : "%s → %s", sx, sy) + 1;
    rows[n++] = (ls_month_kpi){buf, buf + k, LS_KPI_CONVERSION, false, false,
                               measured(ls_funnel_rate(&r->cur, x, x + 1)),
                               measured(ls_funnel_rate(&r->prev, x, x + 1))};
    used = (size_t)(k + l);
  }
  char *b = buf + used;
  size_t left = cap - used;
  int k = snprintf(b, left, "median_days:%s", sx) + 1;
  snprintf(b + k, left - (size_t)k, ja ? "%s の滞留日数（中央値）" : "Median days in %s", sx);
  rows[n++] = (ls_month_kpi){b, b + k, LS_KPI_MEDIAN_DAYS, false, true,
                             measured(r->cur.median_days[x]), measured(r->prev.median_days[x])};
  return n;
}

/* ---- the command ---- */

typedef struct rep_opts {
  const char *db, *month, *format, *out, *lang;
  int year, mon;
} rep_opts;

/* YYYY-MM: four digits, a dash, two digits; month 01..12, from 0001-01 to
 * 9999-11 (the month after must be a time too) */
static bool parse_month(const char *s, int *y, int *m) {
  if (strlen(s) != 7 || s[4] != '-') return false;
  for (int i = 0; i < 7; i++)
    if (i != 4 && (s[i] < '0' || s[i] > '9')) return false;
  *y = atoi(s);
  *m = (s[5] - '0') * 10 + (s[6] - '0');
  return *y >= 1 && *m >= 1 && *m <= 12 && (*y < 9999 || *m < 12);
}

static int parse_opts(int argc, char **argv, rep_opts *o) {
  memset(o, 0, sizeof *o);
  o->format = "text";
  o->lang = "en";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage, stdout);
      return LS_EXIT_OK;
    }
    const char **slot = !strcmp(a, "--db")       ? &o->db
                        : !strcmp(a, "--month")  ? &o->month
                        : !strcmp(a, "--format") ? &o->format
                        : !strcmp(a, "--out")    ? &o->out
                        : !strcmp(a, "--lang")   ? &o->lang
                                                 : NULL;
    if (!slot) {
      ls_cli_error("report: unknown option or argument %s (see leadscore report --help)", a);
      return LS_EXIT_USAGE;
    }
    if (i + 1 >= argc) {
      ls_cli_error("report: %s needs a value (see leadscore report --help)", a);
      return LS_EXIT_USAGE;
    }
    *slot = argv[++i];
  }
  if (!o->db || !o->month) {
    ls_cli_error("report: %s is required (see leadscore report --help)",
                 !o->db ? "--db FILE" : "--month YYYY-MM");
    return LS_EXIT_USAGE;
  }
  if (!parse_month(o->month, &o->year, &o->mon)) {
    ls_cli_error("report: --month: expected a month as YYYY-MM (e.g. 2026-02), got \"%s\"",
                 o->month);
    return LS_EXIT_USAGE;
  }
  if (strcmp(o->format, "text") && strcmp(o->format, "csv") && strcmp(o->format, "html")) {
    ls_cli_error("report: --format must be text, csv or html, not \"%s\"", o->format);
    return LS_EXIT_USAGE;
  }
  if (strcmp(o->lang, "en") && strcmp(o->lang, "ja")) {
    ls_cli_error("report: --lang must be en or ja, not \"%s\"", o->lang);
    return LS_EXIT_USAGE;
  }
  return -1;
}

static int write_report(const rep_opts *o, const ls_month_view *v) {
  FILE *out = o->out ? fopen(o->out, "wb") : stdout;
  if (!out) {
    ls_cli_error("report: cannot write %s: %s", o->out, strerror(errno));
    return LS_EXIT_IO;
  }
  int rc = !strcmp(o->format, "csv")    ? ls_month_write_csv(v, out)
           : !strcmp(o->format, "html") ? ls_month_write_html(v, out)
                                        : ls_month_write_text(v, out);
  if (fflush(out) != 0) rc = LS_EIO;
  if (out != stdout && fclose(out) != 0) rc = LS_EIO;
  if (rc) {
    ls_cli_error("report: cannot write %s", o->out ? o->out : "standard output");
    return LS_EXIT_IO;
  }
  return LS_EXIT_OK;
}

int ls_cmd_report(int argc, char **argv) {
  rep_opts o;
  int code = parse_opts(argc, argv, &o);
  if (code >= 0) return code;
  code = LS_EXIT_OK;
  ls_store *s = ls_cli_open_store(o.db, &code);
  if (!s) return code;
  ls_month_report r;
  memset(&r, 0, sizeof r);
  /* one snapshot for every read of the report */
  int rc = ls_store_read_begin(s);
  if (!rc) {
    rc = ls_store_month_report(s, o.year, o.mon, &r);
    int end = ls_store_read_end(s);
    if (!rc) rc = end;
  }
  if (rc) {
    ls_cli_error("report: %s: %s", o.db, ls_strerror(rc));
    code = rc == LS_ENOMEM ? LS_EXIT_INTERNAL : LS_EXIT_IO;
  } else {
    ls_month_view v = {&r, ls_store_model(s), ls_store_model_version(s), o.db, o.lang};
    code = write_report(&o, &v);
  }
  ls_month_report_free(&r);
  ls_store_close(s);
  return code;
}
