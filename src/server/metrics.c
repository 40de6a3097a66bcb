/* Prometheus text exposition (version 0.0.4): counters and request latency
 * histograms kept in atomics, persons per stage read at scrape time. */
#include <inttypes.h>
#include <string.h>

#include "server/internal.h"

const char *const ls__route_names[LS__R_N] = {"events", "leads",    "lead",     "ledger", "sales",
                                              "erase",  "webhooks", "workflow", "other"};

/* Upper bounds of the latency buckets, in microseconds. */
static const int64_t bucket_us[LS__NBUCKETS] = {250,   500,    1000,   2500,   5000,
                                                10000, 25000,  50000,  100000, 250000,
                                                500000, 1000000, 2500000, 10000000};

void ls__metrics_request(ls__metrics *m, int route, int64_t us, unsigned status) {
  size_t b = 0;
  while (b < LS__NBUCKETS && us > bucket_us[b]) b++;
  atomic_fetch_add(&m->req[route][b], 1);
  atomic_fetch_add(&m->req_us[route], (uint_fast64_t)(us > 0 ? us : 0));
  if (status >= 100 && status < 600) atomic_fetch_add(&m->status[status / 100], 1);
}

static int counter(ls_buf *b, const char *name, const char *help, const char *labels,
                   uint64_t v) {
  return ls_buf_appendf(b, "# HELP %s %s\n# TYPE %s counter\n%s%s %" PRIu64 "\n", name, help,
                        name, name, labels, v);
}

static int on_stage(void *ud, const char *stage, int64_t n) {
  ls_buf *b = ud;
  int rc = ls_buf_append(b, "leadscore_persons{stage=", 24);
  if (!rc) rc = ls__json_cstr(b, stage); /* a quoted label value: same escapes */
  return rc ? rc : ls_buf_appendf(b, "} %" PRId64 "\n", n);
}

int ls__metrics_render(ls__metrics *m, ls_store *s, ls_buf *b) {
  int rc = counter(b, "leadscore_events_ingested_total", "Events accepted and stored.", "",
                   atomic_load(&m->ingested));
  if (!rc) rc = counter(b, "leadscore_events_rejected_total", "Event lines rejected.", "",
                        atomic_load(&m->rejected));
  if (!rc) rc = counter(b, "leadscore_events_duplicate_total",
                        "Events already stored (by id).", "", atomic_load(&m->duplicates));
  if (!rc) rc = counter(b, "leadscore_mqls_total", "MQL stage entries folded by this server.",
                        "", atomic_load(&m->mqls));
  if (!rc) rc = counter(b, "leadscore_commit_groups_total",
                        "Group commits of the writer (concurrent requests share one).", "",
                        atomic_load(&m->groups));
  if (!rc) rc = counter(b, "leadscore_events_folded_total",
                        "Events folded onto a person's stored state.", "",
                        atomic_load(&m->incremental));
  if (!rc) rc = counter(b, "leadscore_persons_refolded_total",
                        "Persons re-folded from their history (late events, merges).", "",
                        atomic_load(&m->refolded));
  if (!rc) rc = counter(b, "leadscore_persons_rewound_total",
                        "Persons re-folded from their last batch, kept in memory (late events).",
                        "", atomic_load(&m->rewound));
  if (!rc)
    rc = ls_buf_appendf(b,
                        "# HELP leadscore_webhook_deliveries_total Webhook delivery attempts "
                        "by outcome.\n# TYPE leadscore_webhook_deliveries_total counter\n"
                        "leadscore_webhook_deliveries_total{outcome=\"delivered\"} %" PRIu64 "\n"
                        "leadscore_webhook_deliveries_total{outcome=\"failed\"} %" PRIu64 "\n"
                        "leadscore_webhook_deliveries_total{outcome=\"dead\"} %" PRIu64 "\n",
                        (uint64_t)atomic_load(&m->delivered), (uint64_t)atomic_load(&m->failed),
                        (uint64_t)atomic_load(&m->dead));
  if (!rc)
    rc = ls_buf_appendf(b, "# HELP leadscore_http_responses_total HTTP responses by class.\n"
                           "# TYPE leadscore_http_responses_total counter\n");
  for (int k = 1; k < 6 && !rc; k++)
    rc = ls_buf_appendf(b, "leadscore_http_responses_total{code=\"%dxx\"} %" PRIu64 "\n", k,
                        (uint64_t)atomic_load(&m->status[k]));
  if (!rc)
    rc = ls_buf_appendf(b, "# HELP leadscore_http_request_duration_seconds Request latency.\n"
                           "# TYPE leadscore_http_request_duration_seconds histogram\n");
  for (int r = 0; r < LS__R_N && !rc; r++) {
    uint64_t cum = 0;
    for (int k = 0; k <= LS__NBUCKETS && !rc; k++) {
      cum += atomic_load(&m->req[r][k]);
      if (k < LS__NBUCKETS)
        rc = ls_buf_appendf(b,
                            "leadscore_http_request_duration_seconds_bucket{route=\"%s\","
                            "le=\"%g\"} %" PRIu64 "\n",
                            ls__route_names[r], (double)bucket_us[k] / 1e6, cum);
      else
        rc = ls_buf_appendf(b,
                            "leadscore_http_request_duration_seconds_bucket{route=\"%s\","
                            "le=\"+Inf\"} %" PRIu64 "\n"
                            "leadscore_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                            "leadscore_http_request_duration_seconds_count{route=\"%s\"} %" PRIu64
                            "\n",
                            ls__route_names[r], cum, ls__route_names[r],
                            (double)atomic_load(&m->req_us[r]) / 1e6, ls__route_names[r], cum);
    }
  }
  if (!rc)
    rc = ls_buf_appendf(b, "# HELP leadscore_persons Persons per stage (as of their last "
                           "fold).\n# TYPE leadscore_persons gauge\n");
  if (!rc) rc = ls_store_stage_counts(s, on_stage, b);
  return rc;
}
