/* Tests for ls_time_parse / ls_time_format (spec §9 "Time").
 * Expected instants are worked out by hand:
 *   1970-01-01 .. 2026-01-01 = 56 * 365 + 14 leap days = 20454 days
 *     -> 2026-01-01T00:00:00Z = 20454 * 86400 = 1767225600
 *   2000-01-01T00:00:00Z = 10957 days = 946684800
 *   0000-01-01 .. 1970-01-01 = 719528 days -> -62167219200
 *   9999-12-31T23:59:59Z = 253402300799
 *   1900-01-01T00:00:00Z = -2208988800 (the NTP era offset)
 *   1600-01-01: 370 * 365 + 90 leap days = 135140 days -> -11676096000 */
#include "leadscore/error.h"
#include "leadscore/time.h"

#include "ls_test.h"

static int parse(const char *s, ls_time *t) {
  return ls_time_parse(s, strlen(s), t);
}

/* Parses s (must succeed) and checks the instant. */
static void check_ok(const char *s, int64_t sec, int32_t nsec, int line) {
  ls_time t = {0, 0};
  int rc = parse(s, &t);
  if (rc != LS_OK || t.sec != sec || t.nsec != nsec) {
    ls_t_fail++;
    fprintf(stderr, "test_time.c:%d: parse(\"%s\") = %d, %" PRId64 ".%09d; "
                    "expected %" PRId64 ".%09d\n",
            line, s, rc, t.sec, (int)t.nsec, sec, (int)nsec);
  } else {
    ls_t_pass++;
  }
}
#define OK(s, sec, nsec) check_ok(s, sec, nsec, __LINE__)

static void check_bad(const char *s, int line) {
  ls_time t;
  if (parse(s, &t) != LS_EPARSE) {
    ls_t_fail++;
    fprintf(stderr, "test_time.c:%d: parse(\"%s\") accepted\n", line, s);
  } else {
    ls_t_pass++;
  }
}
#define BAD(s) check_bad(s, __LINE__)

static const char *fmt(int64_t sec, int32_t nsec, char *buf) {
  ls_time t;
  t.sec = sec;
  t.nsec = nsec;
  size_t n = ls_time_format(t, buf);
  CHECK(n == strlen(buf));
  CHECK(n < LS_TIME_FMT_MAX);
  return buf;
}

static void test_valid(void) {
  OK("1970-01-01T00:00:00Z", 0, 0);
  OK("2026-01-01T00:00:00Z", 1767225600, 0);
  /* + Jan 31 + Feb 28 days, + 9:15 */
  OK("2026-03-01T09:15:00Z", 1767225600 + 59 * 86400 + 9 * 3600 + 15 * 60, 0);
  OK("2026-03-01t09:15:00z", 1767225600 + 59 * 86400 + 33300, 0);
  OK("2026-02-11T10:04:00Z", 1770804240, 0); /* 1767225600 + 41 d + 36240 */
  OK("1969-12-31T23:59:59Z", -1, 0);
  OK("2000-01-01T00:00:00Z", 946684800, 0);
  OK("0000-01-01T00:00:00Z", -62167219200, 0);
  OK("9999-12-31T23:59:59Z", 253402300799, 0);
  OK("2026-12-31T23:59:59Z", 1767225600 + 365 * 86400 - 1, 0);
}

static void test_leap(void) {
  OK("2000-02-29T00:00:00Z", 946684800 + 59 * 86400, 0); /* by 400: leap */
  OK("2024-02-29T12:00:00Z", 1704067200 + 59 * 86400 + 43200, 0);
  /* year 0000 is divisible by 400: leap; Feb 29 is day 59 of the year */
  OK("0000-02-29T00:00:00Z", -62167219200 + 59 * 86400, 0);
  OK("0000-03-01T00:00:00Z", -62167219200 + 60 * 86400, 0);
  OK("0004-02-29T00:00:00Z", -62167219200 + (366 + 3 * 365 + 59) * 86400LL, 0);
  OK("1600-02-29T00:00:00Z", -11676096000 + 59 * 86400, 0);
  BAD("1900-02-29T00:00:00Z"); /* by 100, not by 400 */
  BAD("2100-02-29T00:00:00Z");
  BAD("2023-02-29T00:00:00Z");
  BAD("0100-02-29T00:00:00Z");
  BAD("2024-02-30T00:00:00Z");
  OK("1900-02-28T00:00:00Z", -2208988800 + 58 * 86400, 0);
  OK("1900-03-01T00:00:00Z", -2208988800 + 59 * 86400, 0);
}

static void test_calendar(void) {
  BAD("2026-04-31T00:00:00Z");
  BAD("2026-06-31T00:00:00Z");
  BAD("2026-09-31T00:00:00Z");
  BAD("2026-11-31T00:00:00Z");
  OK("2026-01-31T00:00:00Z", 1767225600 + 30 * 86400, 0);
  BAD("2026-01-32T00:00:00Z");
  BAD("2026-00-10T00:00:00Z");
  BAD("2026-13-01T00:00:00Z");
  BAD("2026-03-00T00:00:00Z");
  BAD("2026-03-01T24:00:00Z"); /* hour 24 */
  BAD("2026-03-01T23:60:00Z");
  BAD("2026-03-01T23:59:60Z"); /* leap second: rejected */
  BAD("2016-12-31T23:59:60Z");
}

static void test_syntax(void) {
  BAD("");
  BAD("2026-03-01");
  BAD("2026-03-01T09:15:00");   /* no zone */
  BAD("2026-03-01 09:15:00Z");  /* space separator */
  BAD("2026-03-01_09:15:00Z");
  BAD("2026-3-01T09:15:00Z");
  BAD("2026-03-1T09:15:00Z");
  BAD("26-03-01T09:15:00Z");
  BAD("+2026-03-01T09:15:00Z");
  BAD("-2026-03-01T09:15:00Z");
  BAD("12026-03-01T09:15:00Z");
  BAD("2026-03-01T9:15:00Z");
  BAD("2026-03-01T09:15Z");
  BAD("2026-03-01T09:15:00.Z"); /* a fraction needs a digit */
  BAD("2026-03-01T09:15:00,5Z");
  BAD("2026-03-01T09:15:00Zx");
  BAD("2026-03-01T09:15:00ZZ");
  BAD("2026-03-01T09:15:00Z ");
  BAD(" 2026-03-01T09:15:00Z");
  BAD("2026-03-01T09:15:00+0900");
  BAD("2026-03-01T09:15:00+09");
  BAD("2026-03-01T09:15:00+09:000");
  BAD("2026-03-01T09:15:00+24:00");
  BAD("2026-03-01T09:15:00+09:60");
  BAD("2026-03-01T09:15:00+-9:00");
  BAD("2026-03-01T09:15:00 +09:00");
  BAD("2026-03-01T09:15:00UTC");
  BAD("2026-03-01T09:15:0aZ");
  BAD("2026-03-01T09:15: 0Z");
  BAD("2026/03/01T09:15:00Z");
  BAD("2026-03-01T09-15-00Z");
  BAD("2026-03-01T09:15:00.5");
  BAD("2026-03-01T09:15:00.5.5Z");
  /* an embedded NUL is not a digit or a zone */
  {
    ls_time t;
    CHECK_INT(ls_time_parse("2026-03-01T09:15:00Z\0", 21, &t), LS_EPARSE);
    CHECK_INT(ls_time_parse("2026-03-01T09:15:00\0Z", 21, &t), LS_EPARSE);
    /* the length bounds the text: a valid prefix is not enough */
    CHECK_INT(ls_time_parse("2026-03-01T09:15:00Z", 19, &t), LS_EPARSE);
    CHECK_INT(ls_time_parse("2026-03-01T09:15:00ZZZ", 20, &t), LS_OK);
    /* a failed parse leaves *out alone */
    t.sec = 42;
    t.nsec = 7;
    CHECK_INT(ls_time_parse("2026-02-30T00:00:00Z", 20, &t), LS_EPARSE);
    CHECK_INT(t.sec, 42);
    CHECK_INT(t.nsec, 7);
    CHECK_INT(ls_time_parse(NULL, 0, &t), LS_EPARSE);
  }
}

static void test_offsets(void) {
  /* 00:30 at +01:00 is 23:30 UTC the day (and year) before */
  OK("2026-01-01T00:30:00+01:00", 1767225600 - 1800, 0);
  OK("2025-12-31T23:30:00-01:00", 1767225600 + 1800, 0);
  OK("2026-03-01T09:15:00+09:00", 1767225600 + 59 * 86400 + 15 * 60, 0);
  OK("2026-03-01T00:00:00+23:59", 1767225600 + 59 * 86400 - 86340, 0);
  OK("2026-02-28T23:59:00-23:59", 1767225600 + 58 * 86400 + 86340 + 86340, 0);
  OK("2026-03-01T09:15:00-00:00", 1767225600 + 59 * 86400 + 33300, 0);
  OK("2026-03-01T09:15:00+00:00", 1767225600 + 59 * 86400 + 33300, 0);
  /* leaving 0000..9999 through the offset is fine */
  OK("0000-01-01T00:00:00+00:01", -62167219200 - 60, 0);
  OK("9999-12-31T23:59:00-01:00", 253402300740 + 3600, 0);
}

static void test_fraction(void) {
  OK("2026-02-11T10:04:00.5Z", 1770804240, 500000000);
  OK("2026-02-11T10:04:00.000000001Z", 1770804240, 1);
  OK("2026-02-11T10:04:00.123456789Z", 1770804240, 123456789);
  OK("2026-02-11T10:04:00.1234567891Z", 1770804240, 123456789);
  /* digits past the ninth are ignored, not rounded */
  OK("2026-02-11T10:04:00.9999999999999999999999Z", 1770804240, 999999999);
  OK("2026-02-11T10:04:00.0000000009Z", 1770804240, 0);
  OK("2026-02-11T10:04:00.0Z", 1770804240, 0);
  OK("2026-02-11T10:04:00.120+09:00", 1770804240 - 32400, 120000000);
  OK("1969-12-31T23:59:59.5Z", -1, 500000000);
}

static void test_format(void) {
  char buf[LS_TIME_FMT_MAX];
  CHECK_STR(fmt(0, 0, buf), "1970-01-01T00:00:00Z");
  CHECK_STR(fmt(1770804240, 0, buf), "2026-02-11T10:04:00Z");
  CHECK_STR(fmt(1770804240, 500000000, buf), "2026-02-11T10:04:00.5Z");
  CHECK_STR(fmt(1770804240, 120000000, buf), "2026-02-11T10:04:00.12Z");
  CHECK_STR(fmt(1770804240, 1, buf), "2026-02-11T10:04:00.000000001Z");
  CHECK_STR(fmt(1770804240, 123456789, buf), "2026-02-11T10:04:00.123456789Z");
  CHECK_STR(fmt(-1, 0, buf), "1969-12-31T23:59:59Z");
  CHECK_STR(fmt(-1, 500000000, buf), "1969-12-31T23:59:59.5Z");
  CHECK_STR(fmt(-86400, 0, buf), "1969-12-31T00:00:00Z");
  CHECK_STR(fmt(-86401, 0, buf), "1969-12-30T23:59:59Z");
  CHECK_STR(fmt(951782400, 0, buf), "2000-02-29T00:00:00Z");
  CHECK_STR(fmt(-62167219200, 0, buf), "0000-01-01T00:00:00Z");
  CHECK_STR(fmt(-62167219200 + 59 * 86400, 0, buf), "0000-02-29T00:00:00Z");
  CHECK_STR(fmt(253402300799, 0, buf), "9999-12-31T23:59:59Z");
  /* outside 0000..9999: signed years */
  CHECK_STR(fmt(-62167219200 - 3600, 0, buf), "-0001-12-31T23:00:00Z");
  CHECK_STR(fmt(-62167219200 - 60, 0, buf), "-0001-12-31T23:59:00Z");
  CHECK_STR(fmt(253402300740 + 3600, 0, buf), "+10000-01-01T00:59:00Z");
  /* the extremes of int64 still fit the buffer */
  CHECK(ls_time_format((ls_time){INT64_MAX, 999999999}, buf) < LS_TIME_FMT_MAX);
  CHECK(buf[0] == '+');
  CHECK(ls_time_format((ls_time){INT64_MIN, 999999999}, buf) < LS_TIME_FMT_MAX);
  CHECK(buf[0] == '-');
}

static void test_round_trip(void) {
  static const char *const s[] = {
      "2026-02-11T10:04:00Z",       "2026-02-11T10:04:00.5Z",
      "0000-02-29T23:59:59.999999999Z", "9999-12-31T23:59:59Z",
      "1969-12-31T23:59:59.000000001Z", "1900-03-01T00:00:00Z",
      "2400-02-29T12:34:56.789Z",
  };
  for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
    ls_time t, u;
    char buf[LS_TIME_FMT_MAX];
    CHECK_INT(parse(s[i], &t), LS_OK);
    ls_time_format(t, buf);
    CHECK_STR(buf, s[i]);
    CHECK_INT(parse(buf, &u), LS_OK);
    CHECK_INT(ls_time_cmp(t, u), 0);
  }
  {
    /* an offset form comes back as UTC */
    ls_time t;
    char buf[LS_TIME_FMT_MAX];
    CHECK_INT(parse("2026-01-01T08:00:00.250+09:00", &t), LS_OK);
    ls_time_format(t, buf);
    CHECK_STR(buf, "2025-12-31T23:00:00.25Z");
  }
}

static void test_order(void) {
  ls_time a, b, c, d;
  CHECK_INT(parse("1969-12-31T23:59:59.5Z", &a), LS_OK);
  CHECK_INT(parse("1969-12-31T23:59:59.25Z", &b), LS_OK);
  CHECK_INT(parse("1970-01-01T00:00:00Z", &c), LS_OK);
  CHECK_INT(parse("1970-01-01T09:00:00+09:00", &d), LS_OK);
  CHECK(ls_time_cmp(b, a) < 0); /* -0.75 s before -0.5 s */
  CHECK(ls_time_cmp(a, c) < 0);
  CHECK(ls_time_cmp(c, a) > 0);
  CHECK_INT(ls_time_cmp(c, d), 0);
  CHECK_INT(ls_time_add(c, -1).sec, -1);
  /* nanosecond precision decides */
  CHECK_INT(parse("2026-03-01T09:15:00.000000001Z", &a), LS_OK);
  CHECK_INT(parse("2026-03-01T09:15:00Z", &b), LS_OK);
  CHECK(ls_time_cmp(b, a) < 0);
  CHECK_INT(parse("2026-03-01T09:15:00.0000000001Z", &a), LS_OK);
  CHECK_INT(ls_time_cmp(b, a), 0);
}

int main(void) {
  test_valid();
  test_leap();
  test_calendar();
  test_syntax();
  test_offsets();
  test_fraction();
  test_format();
  test_round_trip();
  test_order();
  return ls_test_done();
}
