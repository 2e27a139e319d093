/*
 * core/calendar.c: dates, day numbers, the England and Wales working-day calendar, and the
 * store's instants (as-of parsing, now, formatting): calendar.h.  Pure C: no Lua, no
 * allocation, no state; the engine's one copy of calendar arithmetic (periods, the store and
 * the xlsx reader's serial dates all use it).
 *
 * Day numbers use Howard Hinnant's days_from_civil / civil_from_days (exact for every
 * proleptic Gregorian date, no tables, no loops); weekdays and day steps go through them.
 *
 * Bank holidays are computed from the rules, not listed: the pattern in force since 1978
 * (New Year's Day from 1974, early May from 1978), the moved and extra days of 1995, 2002,
 * 2012, 2020 and 2022, and the one-off days (1977, 1981, 1999, 2011, 2022, 2023).  Years
 * before 1971 get the modern pattern, which is not what they had.
 */
#include "calendar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* ---- dates ---- */

static int is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int pmf_days_in_month(int y, int m) {
    static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m < 1 || m > 12) return 0;
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int pmf_date_valid(int y, int m, int d) {
    return y >= PMF_PERIOD_MIN_YEAR && y <= PMF_PERIOD_MAX_YEAR && m >= 1 && m <= 12
        && d >= 1 && d <= pmf_days_in_month(y, m);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
int64_t pmf_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void pmf_civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int pmf_date_weekday(pmf_date d) {
    int64_t w = (pmf_days_from_civil(d.y, d.m, d.d) + 3) % 7;   /* 1970-01-01: a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

int pmf_date_compare(pmf_date a, pmf_date b) {
    if (a.y != b.y) return a.y < b.y ? -1 : 1;
    if (a.m != b.m) return a.m < b.m ? -1 : 1;
    if (a.d != b.d) return a.d < b.d ? -1 : 1;
    return 0;
}

int pmf_date_parse(const char *s, pmf_date *out) {
    int v[3] = { 0, 0, 0 }, f = 0;
    if (s == NULL || strlen(s) != 10) return -1;
    for (int k = 0; k < 10; k++) {
        if (k == 4 || k == 7) {
            if (s[k] != '-') return -1;
            f++;
        } else if (is_digit((unsigned char)s[k])) {
            v[f] = v[f] * 10 + (s[k] - '0');
        } else {
            return -1;
        }
    }
    if (!pmf_date_valid(v[0], v[1], v[2])) return -1;
    out->y = v[0], out->m = v[1], out->d = v[2];
    return 0;
}

int pmf_date_format(pmf_date d, char *buf, size_t n) {
    if (!pmf_date_valid(d.y, d.m, d.d)) return -1;
    return snprintf(buf, n, "%04d-%02d-%02d", d.y, d.m, d.d);
}

static pmf_date add_days(pmf_date d, int step) {
    int64_t y;
    pmf_civil_from_days(pmf_days_from_civil(d.y, d.m, d.d) + step, &y, &d.m, &d.d);
    d.y = (int)y;
    return d;
}

int pmf_date_today(pmf_date *out) {
    const char *env = getenv("PMF_TODAY");
    if (env != NULL && *env != '\0') return pmf_date_parse(env, out);
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    out->y = tm.tm_year + 1900, out->m = tm.tm_mon + 1, out->d = tm.tm_mday;
    return 0;
}

/* ---- the England and Wales bank holidays ---- */

/* Easter Sunday by the Gregorian computus (the anonymous algorithm in Meeus's form). */
int pmf_easter_sunday(int year, pmf_date *out) {
    if (year < 1583 || year > PMF_PERIOD_MAX_YEAR) return -1;
    int a = year % 19, b = year / 100, c = year % 100;
    int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    out->y = year;
    out->m = (h + l - 7 * m + 114) / 31;
    out->d = (h + l - 7 * m + 114) % 31 + 1;
    return 0;
}

static const struct { int16_t y; int8_t m, d; } one_off_days[] = {
    { 1977, 6, 7 },     /* Silver Jubilee */
    { 1981, 7, 29 },    /* wedding of the Prince of Wales */
    { 1999, 12, 31 },   /* millennium */
    { 2002, 6, 3 },     /* Golden Jubilee */
    { 2011, 4, 29 },    /* royal wedding */
    { 2012, 6, 5 },     /* Diamond Jubilee */
    { 2022, 6, 3 },     /* Platinum Jubilee */
    { 2022, 9, 19 },    /* state funeral of Queen Elizabeth II */
    { 2023, 5, 8 },     /* coronation of King Charles III */
};

static pmf_date ymd(int y, int m, int d) {
    pmf_date r = { y, m, d };
    return r;
}

static int in_list(const pmf_date *list, int n, pmf_date d) {
    for (int k = 0; k < n; k++)
        if (pmf_date_compare(list[k], d) == 0) return 1;
    return 0;
}

/*
 * The year's bank holidays in date order.  Writes at most max dates and returns how many
 * there are (which may be more than max), or -1 for a year out of range.
 */
int pmf_bank_holidays(int year, pmf_date *out, int max) {
    pmf_date h[PMF_BANK_HOLIDAYS_MAX], fixed[3], easter;
    int n = 0, nfixed = 0;
    if (year < PMF_PERIOD_MIN_YEAR || year > PMF_PERIOD_MAX_YEAR
        || pmf_easter_sunday(year, &easter) != 0)
        return -1;
    h[n++] = add_days(add_days(easter, -1), -1);            /* Good Friday */
    h[n++] = add_days(easter, 1);                           /* Easter Monday */
    if (year >= 1978) {                                     /* early May: first Monday */
        int day = 1 + (7 - pmf_date_weekday(ymd(year, 5, 1))) % 7;
        h[n++] = year == 1995 || year == 2020 ? ymd(year, 5, 8) : ymd(year, 5, day);
    }
    if (year == 2002 || year == 2012) h[n++] = ymd(year, 6, 4);     /* spring, moved */
    else if (year == 2022) h[n++] = ymd(year, 6, 2);
    else h[n++] = ymd(year, 5, 31 - pmf_date_weekday(ymd(year, 5, 31)));
    h[n++] = ymd(year, 8, 31 - pmf_date_weekday(ymd(year, 8, 31)));  /* summer */
    for (size_t k = 0; k < sizeof one_off_days / sizeof one_off_days[0]; k++)
        if (one_off_days[k].y == year)
            h[n++] = ymd(year, one_off_days[k].m, one_off_days[k].d);
    /* New Year's, Christmas and Boxing Day: at a weekend, the next free weekday instead. */
    if (year >= 1974) fixed[nfixed++] = ymd(year, 1, 1);
    fixed[nfixed++] = ymd(year, 12, 25);
    fixed[nfixed++] = ymd(year, 12, 26);
    for (int k = 0; k < nfixed; k++)
        if (pmf_date_weekday(fixed[k]) < 5) h[n++] = fixed[k];
    for (int k = 0; k < nfixed; k++) {
        pmf_date d = fixed[k];
        if (pmf_date_weekday(d) < 5) continue;
        while (pmf_date_weekday(d) >= 5 || in_list(h, n, d)) d = add_days(d, 1);
        h[n++] = d;
    }
    for (int k = 1; k < n; k++)                             /* insertion sort */
        for (int j = k; j > 0 && pmf_date_compare(h[j - 1], h[j]) > 0; j--) {
            pmf_date t = h[j];
            h[j] = h[j - 1];
            h[j - 1] = t;
        }
    for (int k = 0; k < n && k < max; k++) out[k] = h[k];
    return n;
}

int pmf_is_bank_holiday(int y, int m, int d) {
    pmf_date h[PMF_BANK_HOLIDAYS_MAX];
    if (!pmf_date_valid(y, m, d)) return 0;
    int n = pmf_bank_holidays(y, h, PMF_BANK_HOLIDAYS_MAX);
    return n > 0 && in_list(h, n, ymd(y, m, d));
}

int pmf_is_working_day(int y, int m, int d) {
    if (!pmf_date_valid(y, m, d)) return 0;
    return pmf_date_weekday(ymd(y, m, d)) < 5 && !pmf_is_bank_holiday(y, m, d);
}

/*
 * The n-th working day after `from` (before it for negative n); n = 0 gives `from` itself,
 * working day or not.  -1 for an invalid date or a result outside the supported years.
 * The year's holidays are computed once per year crossed, so long runs stay cheap.
 */
int pmf_add_working_days(pmf_date from, int n, pmf_date *out) {
    pmf_date h[PMF_BANK_HOLIDAYS_MAX], d = from;
    int nh = 0, hy = 0, step = n < 0 ? -1 : 1;
    if (!pmf_date_valid(from.y, from.m, from.d)) return -1;
    while (n != 0) {
        d = add_days(d, step);
        if (!pmf_date_valid(d.y, d.m, d.d)) return -1;
        if (d.y != hy) {
            hy = d.y;
            nh = pmf_bank_holidays(hy, h, PMF_BANK_HOLIDAYS_MAX);
        }
        if (pmf_date_weekday(d) < 5 && !in_list(h, nh, d)) n -= step;
    }
    *out = d;
    return 0;
}

/* ---- instants (the store's timestamps) ---- */

/* Parse "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z]" (UTC) into *ms;
 * *prec_ms is the length of the last unit given (a day, a minute, a second, a millisecond). */
int pmf_iso_parse(const char *s, int64_t *ms, int64_t *prec_ms) {
    int y, mo, d, h = 0, mi = 0, n = 0;
    double sec = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
    if (d < 1 || d > pmf_days_in_month(y, mo)) return -1;
    const char *p = s + 10;
    *prec_ms = 86400000;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5) return -1;
        if (h > 23 || mi > 59) return -1;
        p += 1 + k;
        *prec_ms = 60000;
        if (*p == ':') {
            char *end;
            errno = 0;
            sec = strtod(p + 1, &end);
            if (end == p + 1 || sec < 0 || sec >= 61) return -1;
            *prec_ms = strchr(p + 1, '.') && strchr(p + 1, '.') < end ? 1 : 1000;
            p = end;
        }
        if (*p == 'Z') p++;
    }
    if (*p) return -1;
    *ms = pmf_days_from_civil(y, mo, d) * 86400000 +
          (int64_t)h * 3600000 + (int64_t)mi * 60000 + (int64_t)(sec * 1000 + 0.5);
    return 0;
}

int pmf_asof_parse(const char *s, int64_t *cutoff_ms) {
    int64_t ms, prec;
    if (!s || pmf_iso_parse(s, &ms, &prec) != 0) return -1;
    *cutoff_ms = ms + prec - 1;
    return 0;
}

int64_t pmf_now_ms(void) {
    const char *fixed = getenv("PMF_NOW");
    int64_t ms, prec;
    if (fixed && *fixed && pmf_iso_parse(fixed, &ms, &prec) == 0) return ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pmf_format_ms(int64_t ms, char *buf, size_t n) {
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    int m, d;
    pmf_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d, (int)(rem / 3600000),
             (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}
