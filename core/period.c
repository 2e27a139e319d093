/*
 * core/period.c: periods (spans of months), their labels in three dialects, and the England
 * and Wales working-day calendar.  Pure C: no Lua, no allocation, no state.
 *
 * Design decisions (see period.h for the label grammar):
 * - A period is (start month index, length in months); everything else is derived.  The
 *   kind only decides how a period prints, so two periods are equal when their spans are.
 * - Labels are parsed by hand from a lower-cased copy of at most 63 characters: the grammar
 *   is small, the error messages can then say exactly what was wrong, and the fuzz target
 *   (tests/fuzz/fuzz_period.c) holds the parser to "print what you parsed, parse it back,
 *   get the same period" for every year start.
 * - The parser keeps the kind a label was written as ("AY 2024/25" stays academic even in a
 *   September framework); DHIS2 ids and ISO intervals, which say nothing about the
 *   framework's words, take the natural kind from pmf_period_infer_kind().
 * - DHIS2 ids follow DHIS2 itself: financial November ids name the year they end in
 *   (2024Nov = Nov 2023 - Oct 2024, 2024NovS1 = Nov 2023 - Apr 2024), the others the year
 *   they start in.  Bi-months print as DHIS2's 202301B; 2023BiM1 is read too.
 * - Bank holidays are computed from the rules, not listed: the pattern in force since 1978
 *   (New Year's Day from 1974, early May from 1978), the moved and extra days of 1995,
 *   2002, 2012, 2020 and 2022, and the one-off days (1977, 1981, 1999, 2011, 2022, 2023).
 *   Years before 1971 get the modern pattern, which is not what they had.
 */
#include "period.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MIN_INDEX ((int32_t)PMF_PERIOD_MIN_YEAR * 12)
#define MAX_INDEX ((int32_t)PMF_PERIOD_MAX_YEAR * 12 + 11)
#define LABEL_IN_MAX 64     /* longest label the parser reads, NUL included */
#define SHORT_RANGE_MAX 20  /* "2021-23": a two-digit second year is at most 20 years on */

static const char *const kind_names[PMF_PERIOD_NKINDS] = {
    "month", "fy", "fq", "fh", "cy", "cq", "ay", "range", "span"
};

static int32_t posmod(int32_t a, int32_t m) {
    int32_t r = a % m;
    return r < 0 ? r + m : r;
}

static int span_in_range(int64_t start, int64_t len) {
    return len >= 1 && start >= MIN_INDEX && start + len - 1 <= MAX_INDEX;
}

static int norm_year_start(int ys) {
    return ys == 0 ? PMF_PERIOD_DEFAULT_YEAR_START : ys;
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

/* A period from 64-bit arithmetic; a span beyond int32 gets len 0, which nothing accepts. */
static pmf_period mkperiod(int64_t start, int64_t len, int kind, int ys) {
    pmf_period p;
    int wide = start < INT32_MIN || start > INT32_MAX || len < 0 || len > INT32_MAX;
    p.start = wide ? 0 : (int32_t)start;
    p.len = wide ? 0 : (int32_t)len;
    p.kind = (uint8_t)kind;
    p.year_start = (uint8_t)ys;
    return p;
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

/* ---- parsing ---- */

typedef struct parser {
    const char *s;          /* the label, trimmed and lower-cased */
    size_t i;               /* cursor */
    int ys;
    int infer;              /* a DHIS2 or ISO form: the kind comes from the span */
    char *err;
    size_t errlen;
    char shown[56];         /* the label as given, quoted in messages */
    char tail[24];          /* the unread rest, quoted in messages */
} parser;

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return c >= 'a' && c <= 'z'; }
static int is_space(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int fail(parser *P, const char *fmt, ...) {
    if (P->err && P->errlen > 0) {
        char why[96];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        snprintf(P->err, P->errlen, "period \"%s\": %s", P->shown, why);
    }
    return -1;
}

static int peek(const parser *P, size_t ahead) {
    size_t k;
    for (k = 0; k < ahead; k++)
        if (P->s[P->i + k] == '\0') return '\0';
    return (unsigned char)P->s[P->i + ahead];
}

static int ndigits(const parser *P) {
    int k = 0;
    while (is_digit((unsigned char)P->s[P->i + (size_t)k])) k++;
    return k;
}

/* Reads k digits (the caller has checked they are there). */
static int take_num(parser *P, int k) {
    int v = 0;
    while (k-- > 0) v = v * 10 + (P->s[P->i++] - '0');
    return v;
}

static int skip_ws(parser *P) {
    int k = 0;
    while (is_space((unsigned char)P->s[P->i])) P->i++, k++;
    return k;
}

static int eat(parser *P, const char *w) {
    size_t k = strlen(w);
    if (strncmp(P->s + P->i, w, k) != 0) return 0;
    P->i += k;
    return 1;
}

/* Copies text into dst (of size n) with anything unprintable or a quote shown as '?'. */
static void printable(char *dst, size_t n, const char *src) {
    size_t k;
    for (k = 0; k + 1 < n && src[k] != '\0'; k++) {
        unsigned char ch = (unsigned char)src[k];
        dst[k] = ch < 0x20 || ch >= 0x7f || ch == '"' ? '?' : (char)ch;
    }
    dst[k] = '\0';
}

/* The unread rest of the label, printable, for "unexpected ..." messages. */
static const char *rest(parser *P) {
    printable(P->tail, sizeof P->tail, P->s + P->i);
    return P->tail;
}

static int at_end(parser *P) {
    if (P->s[P->i] == '\0') return 0;
    return fail(P, "unexpected \"%s\" after the period", rest(P));
}

/* Reads a four-digit year. */
static int take_year(parser *P, int *y, const char *what) {
    if (ndigits(P) != 4) return fail(P, "expected %s", what);
    *y = take_num(P, 4);
    return 0;
}

/*
 * Reads the second year of "YYYY/YY", "YYYY/YYYY" and the like after the separator: two
 * digits name the first later year ending in them (2099/00 is 2099-2100), four are a year.
 */
static int take_second_year(parser *P, int y, int *y2) {
    int nd = ndigits(P);
    if (nd == 2) {
        int yy = take_num(P, 2);
        *y2 = y - y % 100 + yy;
        if (*y2 <= y) *y2 += 100;
        return 0;
    }
    if (nd == 4) {
        *y2 = take_num(P, 4);
        return 0;
    }
    return fail(P, "expected a second year after %d", y);
}

/* A number after Q, H, S or BiM (so "Q12" is reported as such, not as "Q1" + junk). */
static int take_index(parser *P, int max, const char *letter, int *n) {
    int nd = ndigits(P);
    int v = nd > 0 && nd <= 3 ? take_num(P, nd) : -1;
    if (v < 1 || v > max) {
        const char *what = *letter == 'Q' ? "quarter" : *letter == 'H' ? "half" :
                           *letter == 'S' ? "six-month period" : "bi-month";
        return fail(P, "a %s is %s1 to %s%d", what, letter, letter, max);
    }
    *n = v;
    return 0;
}

static int fy_needs_two_years(parser *P) {
    return fail(P, "a year starting in January is the calendar year: write e.g. 2025, 2025 Q1");
}

/* After a financial year: nothing, or " Qn" / " Hn". */
static int fy_suffix(parser *P, int y, pmf_period *out) {
    int64_t fstart = (int64_t)y * 12 + P->ys - 1;
    int n;
    if (P->ys == 1) return fy_needs_two_years(P);
    skip_ws(P);
    if (P->s[P->i] == 'q') {
        P->i++;
        if (take_index(P, 4, "Q", &n)) return -1;
        *out = mkperiod(fstart + 3 * (n - 1), 3, PMF_PERIOD_FQ, P->ys);
    } else if (P->s[P->i] == 'h') {
        P->i++;
        if (take_index(P, 2, "H", &n)) return -1;
        *out = mkperiod(fstart + 6 * (n - 1), 6, PMF_PERIOD_FH, P->ys);
    } else {
        *out = mkperiod(fstart, 12, PMF_PERIOD_FY, P->ys);
    }
    return at_end(P);
}

/* Two years after "YYYY-": consecutive is a financial year, three or more a range. */
static int fy_or_range(parser *P, int y, int y2, pmf_period *out) {
    if (y2 == y + 1) return fy_suffix(P, y, out);
    if (y2 <= y) return fail(P, "the second year must come after %d", y);
    *out = mkperiod((int64_t)y * 12, (int64_t)(y2 - y + 1) * 12, PMF_PERIOD_RANGE, P->ys);
    return at_end(P);
}

static int consecutive(parser *P, int y, int y2, const char *what) {
    if (y2 == y + 1) return 0;
    return fail(P, "%s runs over two consecutive years, e.g. %d/%02d", what, y, (y + 1) % 100);
}

/* A calendar quarter or half of year y, in the framework's kind for it. */
static int calendar_part(parser *P, int y, int letter, int n, pmf_period *out) {
    int64_t s = (int64_t)y * 12;
    if (letter == 'q')
        *out = mkperiod(s + 3 * (n - 1), 3, P->ys == 1 ? PMF_PERIOD_FQ : PMF_PERIOD_CQ, P->ys);
    else
        *out = mkperiod(s + 6 * (n - 1), 6, P->ys == 1 ? PMF_PERIOD_FH : PMF_PERIOD_SPAN, P->ys);
    return 0;
}

/* "Q2 2025/26", "Q3 2025", "H1 2025/26", "Q2 FY2025/26". */
static int parse_prefixed(parser *P, pmf_period *out) {
    int letter = P->s[P->i++], n, y, y2;
    if (take_index(P, letter == 'q' ? 4 : 2, letter == 'q' ? "Q" : "H", &n)) return -1;
    if (!skip_ws(P)) return fail(P, "expected a space and a year after %c%d", letter - 32, n);
    if (eat(P, "fy")) skip_ws(P);
    if (take_year(P, &y, "a year like 2025/26 or 2025")) return -1;
    if (P->s[P->i] == '/' || P->s[P->i] == '-') {
        P->i++;
        if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "a financial year")) return -1;
        if (P->ys == 1) return fy_needs_two_years(P);
        int64_t fstart = (int64_t)y * 12 + P->ys - 1;
        if (letter == 'q') *out = mkperiod(fstart + 3 * (n - 1), 3, PMF_PERIOD_FQ, P->ys);
        else *out = mkperiod(fstart + 6 * (n - 1), 6, PMF_PERIOD_FH, P->ys);
    } else {
        calendar_part(P, y, letter, n, out);
    }
    return at_end(P);
}

/* "AY 2024/25", "AY2024-25": September to August. */
static int parse_academic(parser *P, pmf_period *out) {
    int y, y2;
    skip_ws(P);
    if (take_year(P, &y, "a year after AY, e.g. AY 2024/25")) return -1;
    if (P->s[P->i] != '/' && P->s[P->i] != '-')
        return fail(P, "an academic year is written AY %d/%02d", y, (y + 1) % 100);
    P->i++;
    if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "an academic year")) return -1;
    *out = mkperiod((int64_t)y * 12 + 8, 12, PMF_PERIOD_AY, P->ys);
    return at_end(P);
}

/* "FY2025/26", "FY 2025-26", with an optional quarter or half. */
static int parse_fy_prefixed(parser *P, pmf_period *out) {
    int y, y2;
    skip_ws(P);
    if (take_year(P, &y, "a financial year after FY, e.g. FY2025/26")) return -1;
    if (P->s[P->i] != '/' && P->s[P->i] != '-')
        return fail(P, "a financial year is written FY%d/%02d", y, (y + 1) % 100);
    P->i++;
    if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "a financial year")) return -1;
    return fy_suffix(P, y, out);
}

/* A strict YYYY-MM-DD at the cursor. */
static int take_date(parser *P, pmf_date *d) {
    const char *s = P->s + P->i;
    for (int k = 0; k < 10; k++)
        if (k == 4 || k == 7 ? s[k] != '-' : !is_digit((unsigned char)s[k]))
            return fail(P, "expected a date YYYY-MM-DD");
    d->y = take_num(P, 4); P->i++;
    d->m = take_num(P, 2); P->i++;
    d->d = take_num(P, 2);
    if (!pmf_date_valid(d->y, d->m, d->d))
        return fail(P, "%04d-%02d-%02d is not a date", d->y, d->m, d->d);
    return 0;
}

/* The rest of an ISO 8601 interval after its start date: "/P1Y6M" or "/2016-03-31". */
static int parse_iso(parser *P, pmf_date from, pmf_period *out) {
    int64_t start = (int64_t)from.y * 12 + from.m - 1, len = 0;
    if (P->s[P->i] != '/')
        return fail(P, "a date is not a period: write %04d-%02d for the month", from.y, from.m);
    P->i++;
    if (from.d != 1) return fail(P, "an interval must start on the 1st of a month");
    if (P->s[P->i] == 'p') {
        int parts = 0, last_unit = 0;
        P->i++;
        while (P->s[P->i] != '\0') {
            int nd = ndigits(P);
            if (nd < 1 || nd > 5) return fail(P, "expected a duration like P1Y, P3M or P1Y6M");
            int v = take_num(P, nd), unit = P->s[P->i];
            if (unit == 'y' && last_unit == 0) len += (int64_t)v * 12;
            else if (unit == 'm' && last_unit != 'm') len += v;
            else if (unit == 'd' || unit == 'w' || unit == 't')
                return fail(P, "a duration must be whole months or years");
            else return fail(P, "expected a duration like P1Y, P3M or P1Y6M");
            last_unit = unit;
            P->i++;
            parts++;
        }
        if (!parts) return fail(P, "expected a duration like P1Y, P3M or P1Y6M");
        if (len < 1) return fail(P, "a duration must be at least one month");
    } else {
        pmf_date to;
        if (take_date(P, &to)) return -1;
        if (to.d != pmf_days_in_month(to.y, to.m))
            return fail(P, "an interval must end on the last day of a month");
        len = (int64_t)to.y * 12 + to.m - 1 - start + 1;
        if (len < 1) return fail(P, "the interval ends before it starts");
    }
    P->infer = 1;
    *out = mkperiod(start, len, PMF_PERIOD_SPAN, P->ys);
    return at_end(P);
}

/* "YYYY-MM" seen; an optional "..YYYY-MM" makes it a span. */
static int parse_month_or_span(parser *P, int y, int m, pmf_period *out) {
    int64_t s = (int64_t)y * 12 + m - 1;
    size_t save = P->i;
    skip_ws(P);
    if (!eat(P, "..")) {
        P->i = save;
        *out = mkperiod(s, 1, PMF_PERIOD_MONTH, P->ys);
        return at_end(P);
    }
    skip_ws(P);
    int y2, m2;
    if (ndigits(P) != 4 || peek(P, 4) != '-' || !is_digit(peek(P, 5)) || !is_digit(peek(P, 6)))
        return fail(P, "expected a month YYYY-MM after \"..\"");
    y2 = take_num(P, 4); P->i++;
    m2 = take_num(P, 2);
    if (m2 < 1 || m2 > 12) return fail(P, "month %02d is not 01 to 12", m2);
    int64_t e = (int64_t)y2 * 12 + m2 - 1;
    if (e < s) return fail(P, "the span ends before it starts");
    *out = mkperiod(s, e - s + 1, PMF_PERIOD_SPAN, P->ys);
    return at_end(P);
}

/* A DHIS2 suffix made of letters (and a number) glued to the year: 2023April, 2023NovS1. */
static int parse_dhis2_word(parser *P, int y, pmf_period *out) {
    char w[8];
    size_t k = 0;
    int n = 0, has_n;
    int64_t s = -1, len = 0;
    while (is_alpha((unsigned char)P->s[P->i])) {
        if (k + 1 < sizeof w) w[k] = P->s[P->i];
        k++;
        P->i++;
    }
    if (k >= sizeof w) return fail(P, "unknown period suffix after %d", y);
    w[k] = '\0';
    has_n = ndigits(P) > 0;
    if (w[k - 1] == 'w' && has_n) return fail(P, "weeks are not supported: a period is whole months");
    if (has_n) {
        const char *letter = w[k - 1] == 'm' ? "BiM" : w[k - 1] == 'q' ? "Q" : "S";
        int max = w[k - 1] == 'm' ? 6 : w[k - 1] == 'q' ? 4 : 2;
        if (strcmp(w, "q") && strcmp(w, "s") && strcmp(w, "aprils") && strcmp(w, "novs")
            && strcmp(w, "novq") && strcmp(w, "bim"))
            return fail(P, "unknown period suffix \"%s\" after %d", w, y);
        if (take_index(P, max, letter, &n)) return -1;
    }
    int64_t Y = (int64_t)y * 12;
    if (!has_n && !strcmp(w, "april")) s = Y + 3, len = 12;
    else if (!has_n && !strcmp(w, "july")) s = Y + 6, len = 12;
    else if (!has_n && !strcmp(w, "sep")) s = Y + 8, len = 12;
    else if (!has_n && !strcmp(w, "oct")) s = Y + 9, len = 12;
    else if (!has_n && !strcmp(w, "nov")) s = Y - 2, len = 12;            /* ends in y */
    else if (has_n && !strcmp(w, "q")) s = Y + 3 * (n - 1), len = 3;
    else if (has_n && !strcmp(w, "s")) s = Y + 6 * (n - 1), len = 6;
    else if (has_n && !strcmp(w, "aprils")) s = Y + 3 + 6 * (n - 1), len = 6;
    else if (has_n && !strcmp(w, "novs")) s = Y - 2 + 6 * (n - 1), len = 6;
    else if (has_n && !strcmp(w, "novq")) s = Y - 2 + 3 * (n - 1), len = 3;
    else if (has_n && !strcmp(w, "bim")) s = Y + 2 * (n - 1), len = 2;
    else return fail(P, "unknown period suffix \"%s\" after %d", w, y);
    P->infer = 1;
    *out = mkperiod(s, len, PMF_PERIOD_SPAN, P->ys);
    return at_end(P);
}

/* Everything that starts with a four-digit year. */
static int parse_from_year(parser *P, pmf_period *out) {
    int y = take_num(P, 4), c = P->s[P->i], y2, n;
    if (c == '\0') {
        *out = mkperiod((int64_t)y * 12, 12, P->ys == 1 ? PMF_PERIOD_FY : PMF_PERIOD_CY, P->ys);
        return 0;
    }
    if (c == '/') {
        P->i++;
        if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "a financial year")) return -1;
        return fy_suffix(P, y, out);
    }
    if (c == '-') {
        int nd;
        P->i++;
        nd = ndigits(P);
        if (nd == 4) {
            y2 = take_num(P, 4);
            return fy_or_range(P, y, y2, out);
        }
        if (nd != 2) return fail(P, "expected a month (%d-09) or a second year (%d-%02d)", y, y, (y + 1) % 100);
        if (P->s[P->i + 2] == '-') {            /* an ISO date: read it again whole */
            pmf_date d;
            P->i -= 5;
            if (take_date(P, &d)) return -1;
            return parse_iso(P, d, out);
        }
        n = take_num(P, 2);
        if (n >= 1 && n <= 12) return parse_month_or_span(P, y, n, out);
        y2 = y - y % 100 + n;
        if (y2 <= y) y2 += 100;
        if (y2 - y > SHORT_RANGE_MAX)
            return fail(P, "month %02d is not 01 to 12 (a range is written like 2021-23)", n);
        return fy_or_range(P, y, y2, out);
    }
    if (is_space(c)) {
        skip_ws(P);
        int letter = P->s[P->i];
        if (letter != 'q' && letter != 'h')
            return fail(P, "expected Q1-Q4 or H1-H2 after %d", y);
        P->i++;
        if (take_index(P, letter == 'q' ? 4 : 2, letter == 'q' ? "Q" : "H", &n)) return -1;
        calendar_part(P, y, letter, n, out);
        return at_end(P);
    }
    if (is_alpha(c)) return parse_dhis2_word(P, y, out);
    return fail(P, "unexpected \"%s\" after %d", rest(P), y);
}

/* Six digits: DHIS2 month 202309, or bi-month 202301B. */
static int parse_yyyymm(parser *P, pmf_period *out) {
    int y = take_num(P, 4), m = take_num(P, 2);
    if (m < 1 || m > 12) return fail(P, "month %02d is not 01 to 12", m);
    int64_t s = (int64_t)y * 12 + m - 1;
    if (P->s[P->i] == 'b') {
        P->i++;
        if (m % 2 == 0) return fail(P, "a DHIS2 bi-month starts in an odd month");
        P->infer = 1;
        *out = mkperiod(s, 2, PMF_PERIOD_SPAN, P->ys);
    } else {
        *out = mkperiod(s, 1, PMF_PERIOD_MONTH, P->ys);
    }
    return at_end(P);
}

static int parse_label(parser *P, pmf_period *out) {
    int c = P->s[0];
    if (c == '\0') return fail(P, "empty label");
    if (eat(P, "ay")) return parse_academic(P, out);
    if (eat(P, "fy")) return parse_fy_prefixed(P, out);
    if ((c == 'q' || c == 'h') && is_digit(peek(P, 1))) return parse_prefixed(P, out);
    switch (ndigits(P)) {
    case 4: return parse_from_year(P, out);
    case 6: return parse_yyyymm(P, out);
    case 8: return fail(P, "days are not supported: a period is whole months");
    default: return fail(P, "expected a label like 2025/26, 2025/26 Q2, 2025-09 or 2025");
    }
}

/*
 * Parses a label under a year start (1-12; 0 = April).  Returns 0 and fills *out, or -1
 * with a message naming what was wrong in err (if err is not NULL).
 */
int pmf_period_parse(const char *s, int year_start, pmf_period *out, char *err, size_t errlen) {
    char low[LABEL_IN_MAX];
    parser P;
    size_t a = 0, b, k;
    pmf_period p;
    memset(&P, 0, sizeof P);
    P.err = err;
    P.errlen = errlen;
    P.s = low;
    P.ys = norm_year_start(year_start);
    if (err && errlen) err[0] = '\0';
    if (s == NULL) s = "";
    b = strlen(s);
    while (a < b && is_space((unsigned char)s[a])) a++;
    while (b > a && is_space((unsigned char)s[b - 1])) b--;
    k = b - a < sizeof P.shown - 4 ? b - a : sizeof P.shown - 4;
    memcpy(P.shown, s + a, k);
    P.shown[k] = '\0';
    printable(P.shown, sizeof P.shown, P.shown);
    if (k < b - a) strcpy(P.shown + k, "...");
    low[0] = '\0';
    if (P.ys < 1 || P.ys > 12) return fail(&P, "year start %d is not 1 to 12", year_start);
    if (b - a >= sizeof low) return fail(&P, "label too long");
    for (k = 0; a + k < b; k++) {
        unsigned char ch = (unsigned char)s[a + k];
        low[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    low[k] = '\0';
    if (parse_label(&P, &p) != 0) return -1;
    if (!span_in_range(p.start, p.len))
        return fail(&P, "years must be %d to %d", PMF_PERIOD_MIN_YEAR, PMF_PERIOD_MAX_YEAR);
    if (P.infer) p.kind = (uint8_t)pmf_period_infer_kind(p.start, p.len, P.ys);
    *out = p;
    return 0;
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
