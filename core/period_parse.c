/*
 * core/period_parse.c: the label grammar (see period.h): years, financial and academic
 * years, quarters and halves, ranges and months, each read by the declared year type.
 * DHIS2 ids and ISO 8601 intervals are period_dhis2.c; publishers' forms (words, dates,
 * flags, descriptions) and the entry points are period_read.c.
 *
 * Design decisions:
 * - Labels are parsed by hand from a lower-cased copy (with the original beside it for
 *   messages): the grammar is small, the error messages can then say exactly what was
 *   wrong, and the fuzz target (tests/fuzz/fuzz_period.c) holds the parser to "print what
 *   you parsed, parse it back under its kind's year type, get the same period" for every
 *   year start.
 * - A label whose meaning depends on the year type is read by the declared one; where no
 *   type is declared and two readings are plausible ("2011-12", "Q2 2026") it is an error
 *   naming both (pp_ambiguous), never a guess.
 * - The parser keeps the kind a label was written as ("AY 2024/25" stays academic even in a
 *   September framework); DHIS2 ids and ISO intervals, which say nothing about the
 *   framework's words, take the natural kind from pmf_period_infer_kind().
 */
#include "period_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const mon3[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static int say(parser *P, const char *sep, const char *fmt, va_list ap) {
    if (P->err && P->errlen > 0) {
        char why[PMF_PERIOD_ERR_MAX];
        vsnprintf(why, sizeof why, fmt, ap);
        snprintf(P->err, P->errlen, "period \"%s\"%s%s", P->shown, sep, why);
    }
    return -1;
}

int pp_fail(parser *P, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say(P, ": ", fmt, ap);
    va_end(ap);
    return -1;
}

int pp_ambiguous(parser *P, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    say(P, " is ambiguous: ", fmt, ap);
    va_end(ap);
    return -1;
}

static int peek(const parser *P, size_t ahead) {
    size_t k;
    for (k = 0; k < ahead; k++)
        if (P->s[P->i + k] == '\0') return '\0';
    return (unsigned char)P->s[P->i + ahead];
}

int pp_ndigits(const parser *P) {
    int k = 0;
    while (pp_digit((unsigned char)P->s[P->i + (size_t)k])) k++;
    return k;
}

/* Reads k digits (the caller has checked they are there). */
int pp_take_num(parser *P, int k) {
    int v = 0;
    while (k-- > 0) v = v * 10 + (P->s[P->i++] - '0');
    return v;
}

int pp_skip_ws(parser *P) {
    int k = 0;
    while (pp_space((unsigned char)P->s[P->i])) P->i++, k++;
    return k;
}

int pp_eat(parser *P, const char *w) {
    size_t k = strlen(w);
    if (strncmp(P->s + P->i, w, k) != 0) return 0;
    P->i += k;
    return 1;
}

/* The unread rest of the label as given, printable, for "unexpected ..." messages. */
const char *pp_rest(parser *P) {
    size_t k;
    const char *src = P->orig + P->i;
    for (k = 0; k + 1 < sizeof P->tail && src[k] != '\0'; k++) {
        unsigned char ch = (unsigned char)src[k];
        P->tail[k] = ch < 0x20 || ch >= 0x7f || ch == '"' ? '?' : (char)ch;
    }
    P->tail[k] = '\0';
    return P->tail;
}

int pp_at_end(parser *P) {
    pp_skip_ws(P);
    if (P->s[P->i] == '\0') return 0;
    return pp_fail(P, "unexpected \"%s\" after the period", pp_rest(P));
}

/* Reads a four-digit year. */
static int take_year(parser *P, int *y, const char *what) {
    if (pp_ndigits(P) != 4) return pp_fail(P, "expected %s", what);
    *y = pp_take_num(P, 4);
    return 0;
}

/* The first year after y (or y itself when `same` is allowed) ending in the two digits yy. */
static int later_year(int y, int yy, int same) {
    int y2 = y - y % 100 + yy;
    if (y2 < y || (!same && y2 == y)) y2 += 100;
    return y2;
}

/*
 * Reads the second year of "YYYY/YY", "YYYY/YYYY" and the like after the separator: two
 * digits name the first later year ending in them (2099/00 is 2099-2100), four are a year.
 */
static int take_second_year(parser *P, int y, int *y2) {
    int nd = pp_ndigits(P);
    if (nd == 2) {
        *y2 = later_year(y, pp_take_num(P, 2), 0);
        return 0;
    }
    if (nd == 4) {
        *y2 = pp_take_num(P, 4);
        return 0;
    }
    return pp_fail(P, "expected a second year after %d", y);
}

/* A number after Q, H, S or BiM (so "Q12" is reported as such, not as "Q1" + junk). */
int pp_take_index(parser *P, int max, const char *letter, int *n) {
    int nd = pp_ndigits(P);
    int v = nd > 0 && nd <= 3 ? pp_take_num(P, nd) : -1;
    if (v < 1 || v > max) {
        const char *what = *letter == 'Q' ? "quarter" : *letter == 'H' ? "half" :
                           *letter == 'S' ? "six-month period" : "bi-month";
        return pp_fail(P, "a %s is %s1 to %s%d", what, letter, letter, max);
    }
    *n = v;
    return 0;
}

static int consecutive(parser *P, int y, int y2, const char *what) {
    if (y2 == y + 1) return 0;
    return pp_fail(P, "%s runs over two consecutive years, e.g. %d/%02d", what, y, (y + 1) % 100);
}

static int fy_needs_two_years(parser *P) {
    return pp_fail(P, "a year starting in January is the calendar year: write e.g. 2025, 2025 Q1");
}

static int not_calendar(parser *P, int y) {
    return pp_fail(P, "%d/%02d names a financial or academic year, but the year type declared "
                      "is calendar", y, (y + 1) % 100);
}

/* "(Q1)", "(Q1 to Q4)" after a financial label: 1 if there and consistent with quarters
 * qa..qb, 0 if absent, -1 (with the message) if it says otherwise. */
static int quarter_note(parser *P, int qa, int qb) {
    int a, b;
    pp_skip_ws(P);
    if (P->s[P->i] != '(') return 0;
    size_t save = P->i++;
    pp_skip_ws(P);
    if (!pp_eat(P, "q") || pp_take_index(P, 4, "Q", &a)) { P->i = save; return 0; }
    b = a;
    pp_skip_ws(P);
    if (pp_eat(P, "to")) {
        pp_skip_ws(P);
        if (!pp_eat(P, "q") || pp_take_index(P, 4, "Q", &b)) return pp_fail(P, "expected (Q1 to Q4)");
        pp_skip_ws(P);
    }
    if (!pp_eat(P, ")")) return pp_fail(P, "expected \")\" after the quarter note");
    if (a != qa || b != qb) {
        if (qa == qb) return pp_fail(P, "the note says Q%d%s but the label is Q%d", a, a == b ? "" : " to Q..", qa);
        return pp_fail(P, "the note says Q%d to Q%d but the label is the whole year (Q1 to Q4)", a, b);
    }
    return 1;
}

/* After a financial or academic year (or its quarter) in *out: " - 2024/25 Q2" or
 * "-15/16" makes it a span through that later year (quarter); nothing leaves *out. */
static int continuation(parser *P, int y, int academic, int quarter, pmf_period *out) {
    size_t save = P->i;
    int z, z2, n = 0;
    pp_skip_ws(P);
    if (P->s[P->i] != '-') {
        P->i = save;
        return 0;
    }
    P->i++;
    pp_skip_ws(P);
    int nd = pp_ndigits(P);
    if (nd != 2 && nd != 4) return pp_fail(P, "expected a year like 2024/25 after \"-\"");
    z = nd == 4 ? pp_take_num(P, 4) : later_year(y, pp_take_num(P, 2), 1);
    if (P->s[P->i] != '/' && P->s[P->i] != '-') return pp_fail(P, "expected a year like 2024/25 after \"-\"");
    P->i++;
    if (take_second_year(P, z, &z2) || consecutive(P, z, z2, academic ? "an academic year" : "a financial year"))
        return -1;
    if (quarter) {
        pp_skip_ws(P);
        if (!pp_eat(P, "q") || pp_take_index(P, 4, "Q", &n))
            return pp_fail(P, "a span of quarters ends in a quarter, e.g. %d/%02d Q2", z, z2 % 100);
    }
    int64_t zs = academic ? (int64_t)z * 12 + 8 : fy_start_of(z, P->ys);
    int64_t end = quarter ? zs + 3 * n : zs + 12;
    if (end <= out->start + out->len) return pp_fail(P, "the span ends before it starts");
    *out = mkperiod(out->start, end - out->start, PMF_PERIOD_SPAN, P->ys);
    return 0;
}

/* After a financial year y/y+1: nothing, " Qn" / " Hn", a quarter note, a continuation. */
static int fy_suffix(parser *P, int y, pmf_period *out) {
    int64_t fstart = fy_start_of(y, P->ys);
    int n, qa = 1, qb = 4, quarter = 0;
    if (P->ys == 1) return fy_needs_two_years(P);
    pp_skip_ws(P);
    if (P->s[P->i] == 'q' && pp_digit(peek(P, 1))) {
        P->i++;
        if (pp_take_index(P, 4, "Q", &n)) return -1;
        *out = mkperiod(fstart + 3 * (n - 1), 3, PMF_PERIOD_FQ, P->ys);
        qa = qb = n;
        quarter = 1;
    } else if (P->s[P->i] == 'h' && pp_digit(peek(P, 1))) {
        P->i++;
        if (pp_take_index(P, 2, "H", &n)) return -1;
        *out = mkperiod(fstart + 6 * (n - 1), 6, PMF_PERIOD_FH, P->ys);
        qa = 3 * n - 2, qb = 3 * n;
    } else {
        *out = mkperiod(fstart, 12, PMF_PERIOD_FY, P->ys);
    }
    if (quarter_note(P, qa, qb) < 0 || continuation(P, y, 0, quarter, out) < 0) return -1;
    return pp_at_end(P);
}

/* Two consecutive years y, y+1 ("2023/24", "2023-24", "2023 to 2024"), by the year type. */
static int two_years(parser *P, int y, pmf_period *out) {
    switch (P->yt) {
    case PMF_YEAR_CALENDAR:
        return not_calendar(P, y);
    case PMF_YEAR_ACADEMIC:
        *out = mkperiod((int64_t)y * 12 + 8, 12, PMF_PERIOD_AY, P->ys);
        pp_skip_ws(P);
        if (P->s[P->i] == 'q' || P->s[P->i] == 'h')
            return pp_fail(P, "an academic year has no quarters or halves here (the year type "
                              "declared is academic)");
        if (continuation(P, y, 1, 0, out) < 0) return -1;
        return pp_at_end(P);
    default:
        return fy_suffix(P, y, out);
    }
}

/* Three or more years y..y2 ("2021-23", "2014 - 16"): calendar years, or the financial or
 * academic years ending in them. */
static int years_range(parser *P, int y, int y2, pmf_period *out) {
    int64_t len = (int64_t)(y2 - y + 1) * 12;
    if (P->yt == PMF_YEAR_FINANCIAL) {
        *out = mkperiod(fy_ending_in(y, P->ys), len, PMF_PERIOD_SPAN, P->ys);
        P->infer = 1;
    } else if (P->yt == PMF_YEAR_ACADEMIC) {
        *out = mkperiod(ay_ending_in(y), len, PMF_PERIOD_SPAN, P->ys);
        P->infer = 1;
    } else {
        *out = mkperiod((int64_t)y * 12, len, PMF_PERIOD_RANGE, P->ys);
    }
    return pp_at_end(P);
}

/* y and a later y2 after "-", " - " or "to". */
static int year_pair(parser *P, int y, int y2, pmf_period *out) {
    if (y2 == y + 1) return two_years(P, y, out);
    if (y2 <= y) return pp_fail(P, "the second year must come after %d", y);
    return years_range(P, y, y2, out);
}

/* A bare year: the calendar year, or the financial or academic year ending in it. */
static int bare_year(parser *P, int y, pmf_period *out) {
    if (P->yt == PMF_YEAR_FINANCIAL)
        *out = mkperiod(fy_ending_in(y, P->ys), 12, PMF_PERIOD_FY, P->ys);
    else if (P->yt == PMF_YEAR_ACADEMIC)
        *out = mkperiod(ay_ending_in(y), 12, PMF_PERIOD_AY, P->ys);
    else
        *out = mkperiod((int64_t)y * 12, 12, P->ys == 1 ? PMF_PERIOD_FY : PMF_PERIOD_CY, P->ys);
    return pp_at_end(P);
}

/* Quarter or half n of the single year y ("2026 Q2", "Q2 2026"), by the year type. */
static int one_year_part(parser *P, int y, int letter, int n, int prefixed, pmf_period *out) {
    int64_t s = (int64_t)y * 12;
    int L = letter == 'q' ? 'Q' : 'H', size = letter == 'q' ? 3 : 6;
    if (P->yt == PMF_YEAR_ACADEMIC)
        return pp_fail(P, "an academic year has no quarters or halves here (the year type "
                          "declared is academic)");
    if (P->ys != 1 && (P->yt == PMF_YEAR_FINANCIAL || (P->yt == PMF_YEAR_NONE && prefixed))) {
        int64_t a = fy_start_of(y - 1, P->ys) + (int64_t)size * (n - 1), b = a + 12;
        char ra[32], rb[32];
        snprintf(ra, sizeof ra, "%s-%s %d", mon3[a % 12], mon3[(a + size - 1) % 12], (int)((a + size - 1) / 12));
        snprintf(rb, sizeof rb, "%s-%s %d", mon3[b % 12], mon3[(b + size - 1) % 12], (int)((b + size - 1) / 12));
        if (P->yt == PMF_YEAR_FINANCIAL)
            return pp_ambiguous(P, "with financial years it is %d/%02d %c%d (%s) or %d/%02d %c%d "
                                   "(%s); write the financial year", y - 1, y % 100, L, n, ra,
                                y, (y + 1) % 100, L, n, rb);
        return pp_ambiguous(P, "calendar %s %d %c%d (%s-%s %d) or a financial %s (%d/%02d %c%d "
                               "or %d/%02d %c%d); declare the year type",
                            letter == 'q' ? "quarter" : "half", y, L, n, mon3[(size * (n - 1)) % 12],
                            mon3[(size * n - 1) % 12], y, letter == 'q' ? "quarter" : "half",
                            y - 1, y % 100, L, n, y, (y + 1) % 100, L, n);
    }
    if (letter == 'q')
        *out = mkperiod(s + 3 * (n - 1), 3, P->ys == 1 ? PMF_PERIOD_FQ : PMF_PERIOD_CQ, P->ys);
    else
        *out = mkperiod(s + 6 * (n - 1), 6, P->ys == 1 ? PMF_PERIOD_FH : PMF_PERIOD_SPAN, P->ys);
    return pp_at_end(P);
}

/* "Q2 2025/26", "Q3 2025", "H1 2025/26", "Q2 FY2025/26". */
static int parse_prefixed(parser *P, pmf_period *out) {
    int letter = P->s[P->i++], n, y = 0, y2;
    if (pp_take_index(P, letter == 'q' ? 4 : 2, letter == 'q' ? "Q" : "H", &n)) return -1;
    if (!pp_skip_ws(P)) return pp_fail(P, "expected a space and a year after %c%d", letter - 32, n);
    int fy = pp_eat(P, "fy");
    if (fy) pp_skip_ws(P);
    if (take_year(P, &y, "a year like 2025/26 or 2025")) return -1;
    if (P->s[P->i] != '/' && P->s[P->i] != '-') return one_year_part(P, y, letter, n, 1, out);
    P->i++;
    if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "a financial year")) return -1;
    if (!fy && P->yt == PMF_YEAR_CALENDAR) return not_calendar(P, y);
    if (!fy && P->yt == PMF_YEAR_ACADEMIC)
        return pp_fail(P, "an academic year has no quarters or halves here (the year type "
                          "declared is academic)");
    if (P->ys == 1) return fy_needs_two_years(P);
    int64_t fstart = fy_start_of(y, P->ys);
    if (letter == 'q') *out = mkperiod(fstart + 3 * (n - 1), 3, PMF_PERIOD_FQ, P->ys);
    else *out = mkperiod(fstart + 6 * (n - 1), 6, PMF_PERIOD_FH, P->ys);
    if (quarter_note(P, letter == 'q' ? n : 3 * n - 2, letter == 'q' ? n : 3 * n) < 0) return -1;
    return pp_at_end(P);
}

/* "AY 2024/25", "AY2024-25": September to August, whatever the year type. */
static int parse_academic(parser *P, pmf_period *out) {
    int y = 0, y2;
    pp_skip_ws(P);
    if (take_year(P, &y, "a year after AY, e.g. AY 2024/25")) return -1;
    if (P->s[P->i] != '/' && P->s[P->i] != '-')
        return pp_fail(P, "an academic year is written AY %d/%02d", y, (y + 1) % 100);
    P->i++;
    if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "an academic year")) return -1;
    *out = mkperiod((int64_t)y * 12 + 8, 12, PMF_PERIOD_AY, P->ys);
    return pp_at_end(P);
}

/* "FY2025/26", "FY 2025-26", with an optional quarter or half, whatever the year type. */
static int parse_fy_prefixed(parser *P, pmf_period *out) {
    int y = 0, y2;
    pp_skip_ws(P);
    if (take_year(P, &y, "a financial year after FY, e.g. FY2025/26")) return -1;
    if (P->s[P->i] != '/' && P->s[P->i] != '-')
        return pp_fail(P, "a financial year is written FY%d/%02d", y, (y + 1) % 100);
    P->i++;
    if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "a financial year")) return -1;
    return fy_suffix(P, y, out);
}

static int parse_month_or_span(parser *P, int y, int m, pmf_period *out) {
    int64_t s = (int64_t)y * 12 + m - 1;
    size_t save = P->i;
    pp_skip_ws(P);
    if (!pp_eat(P, "..")) {
        P->i = save;
        *out = mkperiod(s, 1, PMF_PERIOD_MONTH, P->ys);
        return pp_at_end(P);
    }
    pp_skip_ws(P);
    int y2, m2;
    if (pp_ndigits(P) != 4 || peek(P, 4) != '-' || !pp_digit(peek(P, 5)) || !pp_digit(peek(P, 6)))
        return pp_fail(P, "expected a month YYYY-MM after \"..\"");
    y2 = pp_take_num(P, 4); P->i++;
    m2 = pp_take_num(P, 2);
    if (m2 < 1 || m2 > 12) return pp_fail(P, "month %02d is not 01 to 12", m2);
    int64_t e = (int64_t)y2 * 12 + m2 - 1;
    if (e < s) return pp_fail(P, "the span ends before it starts");
    *out = mkperiod(s, e - s + 1, PMF_PERIOD_SPAN, P->ys);
    return pp_at_end(P);
}
/* "YYYY-NN" with NN 01-12 where NN is also the next year's last two digits ("2011-12"). */
static int month_or_year(parser *P, int y, int n, pmf_period *out) {
    size_t save = P->i;
    pp_skip_ws(P);
    int span = P->s[P->i] == '.' && P->s[P->i + 1] == '.';
    P->i = save;
    if (span || P->yt == PMF_YEAR_CALENDAR || (P->yt == PMF_YEAR_NONE && P->ys == 1))
        return parse_month_or_span(P, y, n, out);
    if (P->yt == PMF_YEAR_NONE) {
        static const char *const months[12] = {
            "January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"
        };
        return pp_ambiguous(P, "%s %d or financial year %d/%02d; declare the year type "
                               "(financial, academic or calendar)", months[n - 1], y, y, n);
    }
    return two_years(P, y, out);
}

/* Everything that starts with a four-digit year. */
static int parse_from_year(parser *P, pmf_period *out) {
    int y = pp_take_num(P, 4), c = P->s[P->i], y2, n;
    if (c == '\0') return bare_year(P, y, out);
    if (c == '/') {
        P->i++;
        if (take_second_year(P, y, &y2) || consecutive(P, y, y2, "a financial year")) return -1;
        return two_years(P, y, out);
    }
    if (c == '-') {
        int nd;
        P->i++;
        nd = pp_ndigits(P);
        if (nd == 4) return year_pair(P, y, pp_take_num(P, 4), out);
        if (nd != 2) return pp_fail(P, "expected a month (%d-09) or a second year (%d-%02d)", y, y, (y + 1) % 100);
        if (P->s[P->i + 2] == '-') {            /* an ISO date: read it again whole */
            pmf_date d;
            P->i -= 5;
            if (pp_take_date(P, &d)) return -1;
            return pp_iso_interval(P, d, out);
        }
        n = pp_take_num(P, 2);
        if (n >= 1 && n <= 12) {
            if (later_year(y, n, 0) == y + 1) return month_or_year(P, y, n, out);
            return parse_month_or_span(P, y, n, out);
        }
        y2 = later_year(y, n, 0);
        if (y2 - y > SHORT_RANGE_MAX)
            return pp_fail(P, "month %02d is not 01 to 12 (a range is written like 2021-23)", n);
        return year_pair(P, y, y2, out);
    }
    if (pp_space(c)) {
        pp_skip_ws(P);
        int letter = P->s[P->i];
        if ((letter == 'q' || letter == 'h') && pp_digit(peek(P, 1))) {
            P->i++;
            if (pp_take_index(P, letter == 'q' ? 4 : 2, letter == 'q' ? "Q" : "H", &n)) return -1;
            return one_year_part(P, y, letter, n, 0, out);
        }
        if (letter == '-' || pp_eat(P, "to")) {
            if (letter == '-') P->i++;
            pp_skip_ws(P);
            int nd = pp_ndigits(P);
            if (nd == 4) return year_pair(P, y, pp_take_num(P, 4), out);
            if (nd == 2) return year_pair(P, y, later_year(y, pp_take_num(P, 2), 0), out);
            return pp_fail(P, "expected a second year after %d", y);
        }
        return pp_fail(P, "expected Q1-Q4 or H1-H2 (or \"- YY\", \"to YYYY\") after %d", y);
    }
    if (pp_alpha(c)) return pp_dhis2_word(P, y, out);
    return pp_fail(P, "unexpected \"%s\" after %d", pp_rest(P), y);
}

int pp_label(parser *P, pmf_period *out) {
    int c = P->s[P->i];
    if (c == '\0') return pp_fail(P, "empty label");
    if (pp_eat(P, "ay")) return parse_academic(P, out);
    if (pp_eat(P, "fy")) return parse_fy_prefixed(P, out);
    if ((c == 'q' || c == 'h') && pp_digit(peek(P, 1))) return parse_prefixed(P, out);
    switch (pp_ndigits(P)) {
    case 4: return parse_from_year(P, out);
    case 6: return pp_yyyymm(P, out);
    case 8: return pp_fail(P, "days are not supported: a period is whole months");
    default: return pp_fail(P, "expected a label like 2025/26, 2025/26 Q2, 2025-09 or 2025");
    }
}
