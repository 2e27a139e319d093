/*
 * core/calendar.c: dates and the England and Wales working-day calendar (period.h's "dates"
 * section).  Pure C: no Lua, no allocation, no state.
 *
 * Bank holidays are computed from the rules, not listed: the pattern in force since 1978
 * (New Year's Day from 1974, early May from 1978), the moved and extra days of 1995, 2002,
 * 2012, 2020 and 2022, and the one-off days (1977, 1981, 1999, 2011, 2022, 2023).  Years
 * before 1971 get the modern pattern, which is not what they had.
 */
#include "period.h"

#include <stdio.h>
#include <string.h>

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

/* Days since 0001-01-01 in the proleptic Gregorian calendar (a Monday). */
static int64_t day_number(pmf_date d) {
    static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    int64_t py = d.y - 1;
    int64_t n = py * 365 + py / 4 - py / 100 + py / 400 + before[d.m - 1] + d.d - 1;
    return n + (d.m > 2 && is_leap(d.y));
}

int pmf_date_weekday(pmf_date d) {
    return (int)(day_number(d) % 7);
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
    d.d += step;
    if (d.d < 1) {
        if (--d.m < 1) d.m = 12, d.y--;
        d.d = pmf_days_in_month(d.y, d.m);
    } else if (d.d > pmf_days_in_month(d.y, d.m)) {
        d.d = 1;
        if (++d.m > 12) d.m = 1, d.y++;
    }
    return d;
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
