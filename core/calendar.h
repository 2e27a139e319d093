/*
 * core/calendar.h: dates, times and the England and Wales working-day calendar
 * (core/calendar.c).  Pure C: no Lua, no allocation, no state; the one place the engine
 * does calendar arithmetic (periods, the store's timestamps and the xlsx reader's serial
 * dates all come here).
 *
 * - A date is (y, m, d) in the proleptic Gregorian calendar; pmf_date_valid accepts years
 *   PMF_PERIOD_MIN_YEAR to PMF_PERIOD_MAX_YEAR, the four-digit years every label uses.
 * - A day number is days since 1970-01-01 (negative before); an instant is milliseconds
 *   since 1970-01-01T00:00:00Z.  Instants are UTC throughout: the store never reads the
 *   local time zone.  Only pmf_date_today reads the local date.
 * - Bank holidays are computed from the rules, not listed (see calendar.c).
 * Functions returning int return 0 on success and -1 on failure unless they say otherwise.
 */
#ifndef PMF_CALENDAR_H
#define PMF_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#define PMF_PERIOD_MIN_YEAR 1000
#define PMF_PERIOD_MAX_YEAR 9999
#define PMF_BANK_HOLIDAYS_MAX 16            /* most bank holidays in any one year */

typedef struct pmf_date {
    int y, m, d;
} pmf_date;

/* ---- dates ---- */
int pmf_date_valid(int y, int m, int d);                /* 1 or 0 */
int pmf_days_in_month(int y, int m);                    /* any year; 0 for a bad month */
int pmf_date_weekday(pmf_date d);                       /* 0 = Monday .. 6 = Sunday */
int pmf_date_parse(const char *s, pmf_date *out);       /* exactly YYYY-MM-DD */
int pmf_date_format(pmf_date d, char *buf, size_t n);   /* YYYY-MM-DD; snprintf's result */
int pmf_date_compare(pmf_date a, pmf_date b);           /* -1, 0, 1 */
/* Today: $PMF_TODAY when set (-1 if it is not a YYYY-MM-DD date), else the local date. */
int pmf_date_today(pmf_date *out);

/* Day numbers (days since 1970-01-01) of any proleptic Gregorian date, and back. */
int64_t pmf_days_from_civil(int64_t y, int m, int d);
void pmf_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* ---- the England and Wales working-day calendar ---- */
int pmf_easter_sunday(int year, pmf_date *out);
int pmf_bank_holidays(int year, pmf_date *out, int max);   /* in date order; returns the
                                                         count, which may exceed max */
int pmf_is_bank_holiday(int y, int m, int d);           /* 1 or 0 */
int pmf_is_working_day(int y, int m, int d);            /* 1 or 0 (0 for a bad date) */
int pmf_add_working_days(pmf_date from, int n, pmf_date *out);  /* n < 0 counts back;
                                                                   n = 0 gives from */

/* ---- instants (the store's timestamps) ---- */

/* Parse "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z]" (UTC) into ms since the epoch, and into
 * *prec_ms the length of the last unit given (a day, a minute, a second, a millisecond). */
int pmf_iso_parse(const char *s, int64_t *ms, int64_t *prec_ms);

/* Parse an as-of argument ("2025-10-15", "2025-10-15T12:30", "2025-10-15 12:30:05") into a
 * cutoff in milliseconds since the epoch: a date means the end of that day (UTC), a time
 * that second's end.  Returns 0 on success, -1 if it does not parse. */
int pmf_asof_parse(const char *s, int64_t *cutoff_ms);

/* Now as milliseconds since the epoch, honouring $PMF_NOW (an ISO date-time) so that tests
 * and demos can be reproducible. */
int64_t pmf_now_ms(void);
/* Format epoch ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 25 bytes). */
void pmf_format_ms(int64_t ms, char *buf, size_t n);

#endif
