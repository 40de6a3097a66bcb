/* leadscore — instants in time (UTC, nanosecond precision). Pure. */
#ifndef LEADSCORE_TIME_H
#define LEADSCORE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An instant: seconds since 1970-01-01T00:00:00Z (may be negative: years
 * 0000..9999 are accepted) and nanoseconds in [0, 1e9). Two fields rather than
 * one int64 of nanoseconds because 10 000 years of nanoseconds do not fit. */
typedef struct ls_time {
  int64_t sec;
  int32_t nsec;
} ls_time;

#define LS_TIME_FMT_MAX 40 /* enough for any ls_time_format output + NUL */

/* Parses RFC 3339 as pinned down by spec §9:
 *   YYYY-MM-DD[Tt]hh:mm:ss[.fraction]([Zz]|[+-]hh:mm)
 * year 0000–9999 (proleptic Gregorian), real calendar dates only, hour 00–23,
 * minute 00–59, second 00–59 (60 rejected), offset hours 00–23 and minutes
 * 00–59, a fraction of 1+ digits of any length (digits past the 9th ignored:
 * truncated, not rounded). ASCII digits only, exact digit counts, no signs
 * or spaces. The whole of `s[0..len)` must match. Returns LS_OK and fills
 * *out, or LS_EPARSE (then *out is unchanged). Borrows `s`. */
int ls_time_parse(const char *s, size_t len, ls_time *out);

/* Writes `t` as RFC 3339 UTC with `Z`; the fraction only when non-zero and
 * without trailing zeros ("2026-02-11T10:04:00Z", "…:00.5Z"). Years outside
 * 0000–9999 (possible after applying an offset) are written with a sign and
 * at least four digits ("-0001-12-31T23:00:00Z", "+10000-01-01T00:59:00Z").
 * Any int64 `sec` is handled; an `nsec` outside [0, 1e9) is carried into
 * the seconds. `buf` must hold LS_TIME_FMT_MAX bytes; returns the length
 * written (NUL-terminated). */
size_t ls_time_format(ls_time t, char *buf);

/* Parses a duration like "90d", "12w", "36h", "30m", "1800s" or "600"
 * (seconds): digits, then an optional unit. Sets *seconds (saturating at
 * INT64_MAX) and returns true, or returns false. Borrows `s`. */
bool ls_duration_parse(const char *s, size_t n, int64_t *seconds);

/* <0, 0, >0 as a is before, equal to, after b. */
static inline int ls_time_cmp(ls_time a, ls_time b) {
  if (a.sec != b.sec) return a.sec < b.sec ? -1 : 1;
  if (a.nsec != b.nsec) return a.nsec < b.nsec ? -1 : 1;
  return 0;
}

static inline ls_time ls_time_add(ls_time t, int64_t seconds) {
  t.sec += seconds;
  return t;
}

#ifdef __cplusplus
}
#endif
#endif
