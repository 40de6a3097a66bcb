/* leadscore — RFC 3339 instants as pinned down by spec §9. Pure. */
#include "leadscore/time.h"

#include "leadscore/error.h"

#define LS__DAY 86400

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
 * The year is shifted to start on March 1 so that the leap day is the last
 * day of the (shifted) year; then a 400-year era has a fixed 146097 days and
 * the day of the era is a closed formula. Valid for any y representable here
 * (floor division handles y < 0). */
static int64_t ls__days_from_civil(int64_t y, int m, int d) {
  int64_t era, yoe, doy, doe;
  int mp;
  if (m <= 2) y -= 1;                        /* Jan, Feb belong to the year before */
  era = (y >= 0 ? y : y - 399) / 400;        /* floor(y / 400) */
  yoe = y - era * 400;                       /* [0, 399] */
  mp = m > 2 ? m - 3 : m + 9;                /* March = 0 .. February = 11 */
  doy = (153 * mp + 2) / 5 + (d - 1);        /* [0, 365]: month lengths 31,30,31,30,31 repeat */
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
  return era * 146097 + doe - 719468;        /* 719468 = days from 0000-03-01 to 1970-01-01 */
}

/* The inverse of ls__days_from_civil. */
static void ls__civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  int64_t era, doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;                                        /* [0, 146096] */
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* [0, 399] */
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                 /* [0, 365] */
  mp = (5 * doy + 2) / 153;                                      /* [0, 11] */
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int ls__is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int ls__days_in_month(int y, int m) {
  static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
  return m == 2 && ls__is_leap(y) ? 29 : dim[m - 1];
}

/* The value of the ASCII digit at s[i]; > 9 when it is no digit. */
#define LS__D(s, i) ((unsigned)(unsigned char)(s)[i] - '0')

int ls_time_parse(const char *s, size_t len, ls_time *out) {
  unsigned bad, year, mon, day, hh, mm, ss, oh = 0, om = 0;
  int sign = 0;
  int32_t nsec = 0;
  size_t i;

  /* "YYYY-MM-DDThh:mm:ssZ" is the shortest form. The fixed part is checked
   * without early exits: this runs once per event. */
  if (s == NULL || len < 20) return LS_EPARSE;
  bad = (s[4] != '-') | (s[7] != '-') | ((s[10] | 0x20) != 't') |
        (s[13] != ':') | (s[16] != ':');
  bad |= (LS__D(s, 0) > 9) | (LS__D(s, 1) > 9) | (LS__D(s, 2) > 9) |
         (LS__D(s, 3) > 9) | (LS__D(s, 5) > 9) | (LS__D(s, 6) > 9) |
         (LS__D(s, 8) > 9) | (LS__D(s, 9) > 9) | (LS__D(s, 11) > 9) |
         (LS__D(s, 12) > 9) | (LS__D(s, 14) > 9) | (LS__D(s, 15) > 9) |
         (LS__D(s, 17) > 9) | (LS__D(s, 18) > 9);
  if (bad) return LS_EPARSE;
  year = LS__D(s, 0) * 1000 + LS__D(s, 1) * 100 + LS__D(s, 2) * 10 + LS__D(s, 3);
  mon = LS__D(s, 5) * 10 + LS__D(s, 6);
  day = LS__D(s, 8) * 10 + LS__D(s, 9);
  hh = LS__D(s, 11) * 10 + LS__D(s, 12);
  mm = LS__D(s, 14) * 10 + LS__D(s, 15);
  ss = LS__D(s, 17) * 10 + LS__D(s, 18);
  if (mon - 1 > 11 || day - 1 > 30 || hh > 23 || mm > 59 || ss > 59 ||
      (day > 28 && (int)day > ls__days_in_month((int)year, (int)mon)))
    return LS_EPARSE;

  i = 19;
  if (s[i] == '.') {
    size_t first = ++i;
    int32_t scale = 100000000;
    while (i < len && LS__D(s, i) <= 9) {
      /* Digits past the ninth are ignored (truncation, not rounding). */
      nsec += (int32_t)LS__D(s, i) * scale;
      scale /= 10;
      i++;
    }
    if (i == first) return LS_EPARSE; /* "." needs at least one digit */
  }

  if (i >= len) return LS_EPARSE;
  if ((s[i] | 0x20) == 'z') {
    if (i + 1 != len) return LS_EPARSE;
  } else if (s[i] == '+' || s[i] == '-') {
    if (len - i != 6 || s[i + 3] != ':' || LS__D(s, i + 1) > 9 ||
        LS__D(s, i + 2) > 9 || LS__D(s, i + 4) > 9 || LS__D(s, i + 5) > 9)
      return LS_EPARSE;
    sign = s[i] == '+' ? 1 : -1;
    oh = LS__D(s, i + 1) * 10 + LS__D(s, i + 2);
    om = LS__D(s, i + 4) * 10 + LS__D(s, i + 5);
    if (oh > 23 || om > 59) return LS_EPARSE;
  } else {
    return LS_EPARSE;
  }

  /* Local time minus the offset is UTC. */
  out->sec = ls__days_from_civil((int64_t)year, (int)mon, (int)day) * LS__DAY +
             (int64_t)(hh * 3600 + mm * 60 + ss) -
             (int64_t)sign * (int64_t)(oh * 3600 + om * 60);
  out->nsec = nsec;
  return LS_OK;
}

/* Writes v (>= 0) with at least `width` digits; returns the length. */
static size_t ls__put_uint(char *buf, uint64_t v, int width) {
  char tmp[24];
  size_t n = 0, i;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n < (size_t)width) tmp[n++] = '0';
  for (i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  return n;
}

size_t ls_time_format(ls_time t, char *buf) {
  int64_t sec = t.sec, days, y;
  int64_t nsec = t.nsec, sod;
  int m, d;
  size_t n = 0;

  /* Normalize an out-of-range nsec (a caller bug) instead of printing
   * garbage; saturate rather than overflow at the ends of int64. */
  if (nsec < 0 || nsec >= 1000000000) {
    int64_t carry = nsec / 1000000000 - (nsec % 1000000000 < 0);
    nsec -= carry * 1000000000;
    if (carry > 0 && sec > INT64_MAX - carry) {
      sec = INT64_MAX;
    } else if (carry < 0 && sec < INT64_MIN - carry) {
      sec = INT64_MIN;
    } else {
      sec += carry;
    }
  }

  days = sec / LS__DAY;
  sod = sec % LS__DAY;
  if (sod < 0) { /* floor, not truncation, for instants before 1970 */
    sod += LS__DAY;
    days -= 1;
  }
  ls__civil_from_days(days, &y, &m, &d);

  if (y < 0) {
    buf[n++] = '-';
    n += ls__put_uint(buf + n, (uint64_t)(-(y + 1)) + 1, 4);
  } else {
    if (y > 9999) buf[n++] = '+';
    n += ls__put_uint(buf + n, (uint64_t)y, 4);
  }
  buf[n++] = '-';
  n += ls__put_uint(buf + n, (uint64_t)m, 2);
  buf[n++] = '-';
  n += ls__put_uint(buf + n, (uint64_t)d, 2);
  buf[n++] = 'T';
  n += ls__put_uint(buf + n, (uint64_t)(sod / 3600), 2);
  buf[n++] = ':';
  n += ls__put_uint(buf + n, (uint64_t)(sod / 60 % 60), 2);
  buf[n++] = ':';
  n += ls__put_uint(buf + n, (uint64_t)(sod % 60), 2);
  if (nsec != 0) {
    int w = 9;
    while (nsec % 10 == 0) {
      nsec /= 10;
      w--;
    }
    buf[n++] = '.';
    n += ls__put_uint(buf + n, (uint64_t)nsec, w);
  }
  buf[n++] = 'Z';
  buf[n] = '\0';
  return n;
}

bool ls_duration_parse(const char *s, size_t n, int64_t *seconds) {
  int64_t unit = 1;
  if (n > 0) {
    switch (s[n - 1]) {
      case 's': unit = 1; n--; break;
      case 'm': unit = 60; n--; break;
      case 'h': unit = 3600; n--; break;
      case 'd': unit = 86400; n--; break;
      case 'w': unit = 604800; n--; break;
      default: break;
    }
  }
  if (n == 0) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    int d = s[i] - '0';
    v = v > (INT64_MAX - d) / 10 ? INT64_MAX : v * 10 + d;
  }
  *seconds = v > INT64_MAX / unit ? INT64_MAX : v * unit;
  return true;
}
