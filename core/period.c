/*
 * core/period.c: periods (spans of months): kinds, construction, properties, printing in
 * three dialects (canonical, DHIS2, ISO 8601) and arithmetic.  Pure C: no Lua, no
 * allocation, no state.  Reading labels is core/period_parse.c (the grammar) and
 * core/period_read.c (publishers' forms, year types, flags); dates and the working-day
 * calendar are core/calendar.c.
 *
 * Design decisions (see period.h for the label grammar):
 * - A period is (start month index, length in months); everything else is derived.  The
 *   kind only decides how a period prints, so two periods are equal when their spans are.
 * - DHIS2 ids follow DHIS2 itself: financial November ids name the year they end in
 *   (2024Nov = Nov 2023 - Oct 2024, 2024NovS1 = Nov 2023 - Apr 2024), the others the year
 *   they start in.  Bi-months print as DHIS2's 202301B.
 */
#include "period.h"
#include "period_internal.h"

#include <stdio.h>
#include <string.h>


static const char *const kind_names[PMF_PERIOD_NKINDS] = {
    "month", "fy", "fq", "fh", "cy", "cq", "ay", "range", "span"
};

static int32_t posmod(int32_t a, int32_t m) {
    int32_t r = a % m;
    return r < 0 ? r + m : r;
}



/* Months from the start of the financial year to the period's start, 0-11. */
static int32_t fin_offset(int32_t start, int ys) {
    return posmod(start - (ys - 1), 12);
}

/* ---- kinds and construction ---- */

const char *pmf_period_kind_name(int kind) {
    return kind >= 0 && kind < PMF_PERIOD_NKINDS ? kind_names[kind] : NULL;
}

int pmf_period_kind_from_name(const char *name) {
    for (int k = 0; name && k < PMF_PERIOD_NKINDS; k++)
        if (strcmp(name, kind_names[k]) == 0) return k;
    return -1;
}

/*
 * Whether (start, len) has the shape `kind` needs under year start ys.  A financial
 * quarter or half must also lie in a financial year that starts in a four-digit year, or
 * its label ("999/00 Q4") could not be read back.
 */
static int kind_fits(int kind, int32_t start, int32_t len, int ys) {
    int mon = (int)(start % 12) + 1;
    int32_t off = fin_offset(start, ys);
    int fin_ok = start - off >= MIN_INDEX;
    switch (kind) {
    case PMF_PERIOD_MONTH: return len == 1;
    case PMF_PERIOD_FY:    return len == 12 && off == 0;
    case PMF_PERIOD_FQ:    return len == 3 && off % 3 == 0 && fin_ok;
    case PMF_PERIOD_FH:    return len == 6 && off % 6 == 0 && fin_ok;
    case PMF_PERIOD_CY:    return len == 12 && mon == 1;
    case PMF_PERIOD_CQ:    return len == 3 && (mon - 1) % 3 == 0;
    case PMF_PERIOD_AY:    return len == 12 && mon == 9;
    case PMF_PERIOD_RANGE: return len >= 36 && len % 12 == 0 && mon == 1;
    case PMF_PERIOD_SPAN:  return len >= 1;
    default:               return 0;
    }
}

/*
 * The natural kind of a span under a year start, for periods that come without a label
 * (the store, DHIS2, ISO).  The framework's own financial kinds win; then calendar year,
 * academic year, calendar quarter and range; anything else is a generic span.
 */
int pmf_period_infer_kind(int32_t start, int32_t len, int year_start) {
    static const int order[] = {
        PMF_PERIOD_MONTH, PMF_PERIOD_FQ, PMF_PERIOD_FH, PMF_PERIOD_FY, PMF_PERIOD_CY,
        PMF_PERIOD_AY, PMF_PERIOD_CQ, PMF_PERIOD_RANGE
    };
    year_start = norm_year_start(year_start);
    if (start < 0 || year_start < 1 || year_start > 12) return PMF_PERIOD_SPAN;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (kind_fits(order[i], start, len, year_start)) return order[i];
    return PMF_PERIOD_SPAN;
}

int pmf_period_make(int32_t start, int32_t len, int year_start, pmf_period *out) {
    year_start = norm_year_start(year_start);
    if (year_start < 1 || year_start > 12 || !span_in_range(start, len)) return -1;
    out->start = start;
    out->len = len;
    out->kind = (uint8_t)pmf_period_infer_kind(start, len, year_start);
    out->year_start = (uint8_t)year_start;
    return 0;
}

int pmf_period_month(int year, int month, int year_start, pmf_period *out) {
    if (month < 1 || month > 12 || year < PMF_PERIOD_MIN_YEAR || year > PMF_PERIOD_MAX_YEAR)
        return -1;
    return pmf_period_make((int32_t)year * 12 + month - 1, 1, year_start, out);
}

int pmf_period_check(pmf_period p) {
    if (p.year_start < 1 || p.year_start > 12 || p.kind >= PMF_PERIOD_NKINDS) return -1;
    if (!span_in_range(p.start, p.len)) return -1;
    return kind_fits(p.kind, p.start, p.len, p.year_start) ? 0 : -1;
}


/* ---- properties ---- */

static int fin_year(pmf_period p) {
    return (int)((p.start - fin_offset(p.start, p.year_start)) / 12);
}

int pmf_period_year(pmf_period p) {
    switch (p.kind) {
    case PMF_PERIOD_FY: case PMF_PERIOD_FQ: case PMF_PERIOD_FH: return fin_year(p);
    default: return (int)(p.start / 12);
    }
}

int pmf_period_quarter(pmf_period p) {
    if (p.kind == PMF_PERIOD_FQ) return (int)(fin_offset(p.start, p.year_start) / 3) + 1;
    if (p.kind == PMF_PERIOD_CQ) return (int)(p.start % 12) / 3 + 1;
    return 0;
}

int pmf_period_half(pmf_period p) {
    return p.kind == PMF_PERIOD_FH ? (int)(fin_offset(p.start, p.year_start) / 6) + 1 : 0;
}

pmf_date pmf_period_start_date(pmf_period p) {
    pmf_date d = { (int)(p.start / 12), (int)(p.start % 12) + 1, 1 };
    return d;
}

pmf_date pmf_period_end_date(pmf_period p) {
    int32_t last = p.start + p.len - 1;
    pmf_date d = { (int)(last / 12), (int)(last % 12) + 1, 0 };
    d.d = pmf_days_in_month(d.y, d.m);
    return d;
}

/* ---- printing ---- */

/*
 * The canonical label (see period.h).  Returns what snprintf returns, or -1 for a period
 * that fails pmf_period_check().  PMF_PERIOD_LABEL_MAX bytes always suffice.
 */
int pmf_period_format(pmf_period p, char *buf, size_t n) {
    if (pmf_period_check(p) != 0) return -1;
    int y = (int)(p.start / 12), m = (int)(p.start % 12) + 1;
    int fy = fin_year(p), jan = p.year_start == 1;
    int32_t last = p.start + p.len - 1;
    int ly = (int)(last / 12), lm = (int)(last % 12) + 1;
    switch (p.kind) {
    case PMF_PERIOD_MONTH:
        return snprintf(buf, n, "%04d-%02d", y, m);
    case PMF_PERIOD_FY:
        return jan ? snprintf(buf, n, "%d", fy) : snprintf(buf, n, "%d/%02d", fy, (fy + 1) % 100);
    case PMF_PERIOD_FQ:
        return jan ? snprintf(buf, n, "%d Q%d", fy, pmf_period_quarter(p))
                   : snprintf(buf, n, "%d/%02d Q%d", fy, (fy + 1) % 100, pmf_period_quarter(p));
    case PMF_PERIOD_FH:
        return jan ? snprintf(buf, n, "%d H%d", fy, pmf_period_half(p))
                   : snprintf(buf, n, "%d/%02d H%d", fy, (fy + 1) % 100, pmf_period_half(p));
    case PMF_PERIOD_CY:
        return snprintf(buf, n, "%d", y);
    case PMF_PERIOD_CQ:
        return snprintf(buf, n, "%d Q%d", y, pmf_period_quarter(p));
    case PMF_PERIOD_AY:
        return snprintf(buf, n, "AY %d/%02d", y, (y + 1) % 100);
    case PMF_PERIOD_RANGE:
        /* Two digits only where they read back as this range and not as a month. */
        if (ly - y <= SHORT_RANGE_MAX && (ly % 100 == 0 || ly % 100 > 12))
            return snprintf(buf, n, "%d-%02d", y, ly % 100);
        return snprintf(buf, n, "%d-%d", y, ly);
    default:
        return snprintf(buf, n, "%04d-%02d..%04d-%02d", y, m, ly, lm);
    }
}

/*
 * The DHIS2 period id for the span, whatever its kind: yyyyMM, yyyyMMB, yyyyQn, yyyyNovQn,
 * yyyySn, yyyyAprilSn, yyyyNovSn, yyyy, yyyyApril, yyyyJuly, yyyySep, yyyyOct, yyyyNov.
 * Returns -1 where DHIS2 has no period type for the span (or the period is invalid).
 */
int pmf_period_format_dhis2(pmf_period p, char *buf, size_t n) {
    if (pmf_period_check(p) != 0) return -1;
    int y = (int)(p.start / 12), m = (int)(p.start % 12) + 1;
    switch (p.len) {
    case 1:
        return snprintf(buf, n, "%04d%02d", y, m);
    case 2:
        return m % 2 == 1 ? snprintf(buf, n, "%04d%02dB", y, m) : -1;
    case 3:
        if ((m - 1) % 3 == 0) return snprintf(buf, n, "%dQ%d", y, (m - 1) / 3 + 1);
        if (m == 11) return snprintf(buf, n, "%dNovQ1", y + 1);
        if (m % 3 == 2) return snprintf(buf, n, "%dNovQ%d", y, (m + 1) / 3 + 1); /* Feb..Aug */
        return -1;
    case 6:
        switch (m) {
        case 1: case 7: return snprintf(buf, n, "%dS%d", y, m == 1 ? 1 : 2);
        case 4: case 10: return snprintf(buf, n, "%dAprilS%d", y, m == 4 ? 1 : 2);
        case 11: return snprintf(buf, n, "%dNovS1", y + 1);
        case 5: return snprintf(buf, n, "%dNovS2", y);
        default: return -1;
        }
    case 12:
        switch (m) {
        case 1: return snprintf(buf, n, "%d", y);
        case 4: return snprintf(buf, n, "%dApril", y);
        case 7: return snprintf(buf, n, "%dJuly", y);
        case 9: return snprintf(buf, n, "%dSep", y);
        case 10: return snprintf(buf, n, "%dOct", y);
        case 11: return snprintf(buf, n, "%dNov", y + 1);
        default: return -1;
        }
    default:
        return -1;
    }
}

/* The ISO 8601 interval start/duration: 2015-04-01/P1Y, 2015-07-01/P3M.  -1 if invalid. */
int pmf_period_format_iso(pmf_period p, char *buf, size_t n) {
    if (pmf_period_check(p) != 0) return -1;
    int y = (int)(p.start / 12), m = (int)(p.start % 12) + 1;
    if (p.len % 12 == 0) return snprintf(buf, n, "%04d-%02d-01/P%dY", y, m, (int)(p.len / 12));
    return snprintf(buf, n, "%04d-%02d-01/P%dM", y, m, (int)p.len);
}

/* ---- arithmetic ---- */

/* p moved by `months`, if the result is in range and still has p's kind (a financial
 * quarter of a year starting in 999 has none). */
static int move(pmf_period p, int64_t months, pmf_period *out) {
    pmf_period q = p;
    if (pmf_period_check(p) != 0 || !span_in_range((int64_t)p.start + months, p.len)) return -1;
    q.start = (int32_t)(p.start + months);
    if (pmf_period_check(q) != 0) return -1;
    *out = q;
    return 0;
}

int pmf_period_shift(pmf_period p, int32_t n, pmf_period *out) {
    return move(p, (int64_t)n * p.len, out);
}

int pmf_period_last_year(pmf_period p, pmf_period *out) {
    return move(p, -12, out);
}

int pmf_period_contains(pmf_period outer, pmf_period inner) {
    return inner.start >= outer.start
        && (int64_t)inner.start + inner.len <= (int64_t)outer.start + outer.len;
}

int pmf_period_nth_month(pmf_period p, int32_t i, pmf_period *out) {
    if (i < 0 || i >= p.len || !span_in_range((int64_t)p.start + i, 1)) return -1;
    *out = mkperiod((int64_t)p.start + i, 1, PMF_PERIOD_MONTH, p.year_start);
    return 0;
}

/* The block of `size` months, aligned to the year start, that holds all of p. */
static int fin_block_of(pmf_period p, int32_t size, int kind, pmf_period *out) {
    if (p.year_start < 1 || p.year_start > 12 || !span_in_range(p.start, p.len)) return -1;
    int32_t bstart = p.start - posmod(p.start - (p.year_start - 1), size);
    if ((int64_t)p.start + p.len > (int64_t)bstart + size || !span_in_range(bstart, size))
        return -1;
    pmf_period b = mkperiod(bstart, size, kind, p.year_start);
    if (pmf_period_check(b) != 0) return -1;       /* its financial year starts before 1000 */
    *out = b;
    return 0;
}

int pmf_period_quarter_of(pmf_period p, pmf_period *out) {
    return fin_block_of(p, 3, PMF_PERIOD_FQ, out);
}

int pmf_period_half_of(pmf_period p, pmf_period *out) {
    return fin_block_of(p, 6, PMF_PERIOD_FH, out);
}

int pmf_period_year_of(pmf_period p, pmf_period *out) {
    return fin_block_of(p, 12, PMF_PERIOD_FY, out);
}

int pmf_period_compare(pmf_period a, pmf_period b) {
    if (a.start != b.start) return a.start < b.start ? -1 : 1;
    if (a.len != b.len) return a.len < b.len ? -1 : 1;
    return 0;
}

/* The date n working days after the period's end date (n = 0: the end date itself). */
int pmf_period_deadline(pmf_period p, int n, pmf_date *out) {
    if (!span_in_range(p.start, p.len)) return -1;
    return pmf_add_working_days(pmf_period_end_date(p), n, out);
}

