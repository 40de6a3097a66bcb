/* leadscore report: the monthly review's renderings (text, CSV, HTML) of
 * one ls_month_report, and what they share: the KPI rows and the labels in
 * English or Japanese. */
#ifndef LEADSCORE_CLI_MONTH_REPORT_H
#define LEADSCORE_CLI_MONTH_REPORT_H

#include <stdio.h>

#include "leadscore/store.h"

typedef struct ls_month_view {
  const ls_month_report *r; /* borrowed */
  const ls_model *m;        /* the store's model */
  int64_t model_version;
  const char *db;           /* the store's path, as given */
  const char *lang;         /* "en" or "ja" */
} ls_month_view;

/* One KPI row: a target of the model, or without targets one of the
 * defaults (MQLs, the MQL stage -> the next stage, median days in the MQL
 * stage) with no goal. */
typedef struct ls_month_kpi {
  const char *key;   /* the target's id, or "mqls", "conversion", "median_days" */
  const char *label; /* in the view's language */
  int kind;          /* LS_KPI_* */
  bool has_goal, at_most;
  ls_kpi cur, prev;  /* for a default row: has, value; goal, progress NAN */
} ls_month_kpi;

enum { LS_MONTH_KPI_MAX = 40 };

/* The KPI rows of the view (at most LS_MONTH_KPI_MAX); labels of default
 * rows are written into `buf` (cap bytes). */
size_t ls_month_kpis(const ls_month_view *v, ls_month_kpi *rows, char *buf, size_t cap);

/* The words of the reports. */
typedef enum ls_month_word {
  W_TITLE, W_KPIS, W_NO_TARGETS, W_KPI, W_VALUE, W_GOAL, W_PROGRESS, W_MET, W_PREV, W_CHANGE,
  W_YES, W_NO, W_FUNNEL, W_STAGE, W_ENTRIES, W_NOW, W_LEFT, W_MEDIAN_DAYS, W_MQLS,
  W_CONVERSION, W_CONVERSION_NOTE, W_NONE, W_WEEKLY, W_WEEK, W_WEEKLY_NOTE, W_MOVERS,
  W_MOVERS_NOTE, W_UP, W_DOWN, W_LEAD, W_START, W_END, W_NEW, W_SLA, W_SLA_NOTE, W_OWNER,
  W_DUE, W_ON_TIME, W_LATE, W_OVERDUE, W_ON_TIME_SHARE, W_BREACHES, W_TOTAL, W_NO_OWNER,
  W_DELTA, W_PERSONS, W_AT_END, W_CURRENT, W_OVER, W_PREV_MONTH, W_STORE, W_MODEL, W_CLOCK, W_NO_CLOCK,
  W_N
} ls_month_word;
const char *ls_month_word_in(const char *lang, ls_month_word w);

/* "2026-02" of the report's month, or of the month before (prev). */
void ls_month_name(const ls_month_report *r, bool prev, char buf[16]);
/* A KPI value as shown: "12", "20.0%", "4.5 d"; "-" for NAN. */
void ls_month_fmt(int kind, double v, char *buf, size_t cap);
/* The change of a KPI value: "+2", "+5.0 pt", "-1.5 d"; "-" when either is NAN. */
void ls_month_fmt_change(int kind, double cur, double prev, char *buf, size_t cap);

/* Each returns LS_OK or LS_EIO (a failed write). */
int ls_month_write_text(const ls_month_view *v, FILE *out);
int ls_month_write_csv(const ls_month_view *v, FILE *out);
/* One self-contained page: inline CSS, no script, no external request. */
int ls_month_write_html(const ls_month_view *v, FILE *out);

#endif
