/*
 * core/period_read.c: reading labels as publishers write them: the entry points
 * (pmf_period_parse, pmf_period_parse_typed), year types, flag suffixes, descriptions,
 * month names and dated snapshots.  The grammar of the labels themselves is
 * period_parse.c.  Pure C: no Lua, no allocation, no state.
 *
 * Design decisions:
 * - Flags are peeled off the end first ("2025 (prov)", "2024-25 (OT)", "2020 (Final)"), so
 *   every label form can carry one; they are returned beside the period, never folded into
 *   it.  A caller that cannot take them (info NULL: pmf_period_parse) gets an error rather
 *   than a period that silently lost "provisional".
 * - A dated snapshot ("30 June 2014", "2023-03-31") is a count on a day, not a flow over a
 *   span: it reads as the month holding the day, flagged PMF_LABEL_SNAPSHOT with the date
 *   kept, so a stock measure ("last" aggregation) finds it in every quarter and year that
 *   month ends.  An impossible date is an error naming it.
 * - Words ("April to June 2010 (Q1)") name their months exactly, so they read the same
 *   under every year type; a quarter note must agree with the months under the declared
 *   type (financial or calendar numbering; either when none is declared).
 * - Labels longer than PMF_PERIOD_INPUT_MAX - 1 characters are refused whole, and messages
 *   quote the label as given (case kept, nothing cut).
 */
#include "period_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const year_type_names[] = { "none", "financial", "academic", "calendar" };

const char *pmf_year_type_name(int t) {
    return t >= 0 && t <= PMF_YEAR_CALENDAR ? year_type_names[t] : NULL;
}

int pmf_year_type_from_name(const char *name) {
    for (int t = 0; name && t <= PMF_YEAR_CALENDAR; t++)
        if (strcmp(name, year_type_names[t]) == 0) return t;
    return -1;
}

int pmf_period_kind_year_type(int kind) {
    switch (kind) {
    case PMF_PERIOD_FY: case PMF_PERIOD_FQ: case PMF_PERIOD_FH: return PMF_YEAR_FINANCIAL;
    case PMF_PERIOD_AY: return PMF_YEAR_ACADEMIC;
    case PMF_PERIOD_MONTH: case PMF_PERIOD_CY: case PMF_PERIOD_CQ: case PMF_PERIOD_RANGE:
        return PMF_YEAR_CALENDAR;
    default: return PMF_YEAR_NONE;
    }
}

/* ---- month names ---- */

static const char *const month_full[12] = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december"
};

static const char *const month_title[12] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"
};

/* A month name or abbreviation (jan, sep, sept) at the cursor, ending at a non-letter:
 * 1-12, or 0 (cursor unmoved). */
static int take_month(parser *P) {
    size_t k = 0;
    while (pp_alpha((unsigned char)P->s[P->i + k])) k++;
    if (k < 3) return 0;
    for (int m = 0; m < 12; m++) {
        size_t full = strlen(month_full[m]);
        if ((k == full || k == 3 || (m == 8 && k == 4)) && k <= full
            && strncmp(P->s + P->i, month_full[m], k) == 0) {
            P->i += k;
            return m + 1;
        }
    }
    return 0;
}

/* ---- snapshots and words ---- */

int pp_snapshot(parser *P, pmf_date d, pmf_period *out) {
    if (!pmf_date_valid(d.y, d.m, d.d)) {
        if (d.m >= 1 && d.m <= 12 && d.y >= PMF_PERIOD_MIN_YEAR && d.y <= PMF_PERIOD_MAX_YEAR)
            return pp_fail(P, "%d %s %d is not a date: %s %d has %d days", d.d,
                           month_title[d.m - 1], d.y, month_title[d.m - 1], d.y,
                           pmf_days_in_month(d.y, d.m));
        return pp_fail(P, "not a date");
    }
    if (!P->flags_ok)
        return pp_fail(P, "a date is not a period: write %04d-%02d for the month", d.y, d.m);
    P->info.flags |= PMF_LABEL_SNAPSHOT;
    P->info.snapshot = d;
    *out = mkperiod((int64_t)d.y * 12 + d.m - 1, 1, PMF_PERIOD_MONTH, P->ys);
    return pp_at_end(P);
}

/* The quarter numbers months a..b (a span of 3 or 12) have under the year type:
 * financial (by the year start) and calendar. */
static void quarter_numbers(int64_t start, int64_t len, int ys, int *fq, int *cq) {
    int off = (int)(((start - (ys - 1)) % 12 + 12) % 12), mon = (int)(start % 12);
    *fq = len == 3 && off % 3 == 0 ? off / 3 + 1 : len == 12 && off == 0 ? 0 : -1;
    *cq = len == 3 && mon % 3 == 0 ? mon / 3 + 1 : len == 12 && mon == 0 ? 0 : -1;
}

/* "(Q1)" / "(Q1 to Q4)" after words: must agree with the months (0 = the whole year). */
static int words_note(parser *P, int64_t start, int64_t len) {
    int a, b, fq, cq;
    pp_skip_ws(P);
    if (P->s[P->i] != '(') return 0;
    P->i++;
    pp_skip_ws(P);
    if (!pp_eat(P, "q") || pp_ndigits(P) != 1) return pp_fail(P, "expected (Q1) or (Q1 to Q4)");
    a = b = pp_take_num(P, 1);
    pp_skip_ws(P);
    if (pp_eat(P, "to")) {
        pp_skip_ws(P);
        if (!pp_eat(P, "q") || pp_ndigits(P) != 1) return pp_fail(P, "expected (Q1 to Q4)");
        b = pp_take_num(P, 1);
        pp_skip_ws(P);
    }
    if (!pp_eat(P, ")")) return pp_fail(P, "expected \")\" after the quarter note");
    int said = a == 1 && b == 4 ? 0 : a == b ? a : -2;
    quarter_numbers(start, len, P->ys, &fq, &cq);
    int ok = P->yt == PMF_YEAR_FINANCIAL ? said == fq : P->yt == PMF_YEAR_CALENDAR ? said == cq
           : said == fq || said == cq;
    if (!ok) return pp_fail(P, "the quarter note does not match the months named");
    return 0;
}

/*
 * "April to June 2010 (Q1)", "April 2022 to March 2023 (Q1 to Q4)", "June 2014", and the
 * snapshot dates "30 June 2014", "31st Jan 2023".  The cursor is at a month name or a day.
 */
int pp_words(parser *P, pmf_period *out) {
    int m1, m2, y1 = 0, y2;
    if (pp_digit((unsigned char)P->s[P->i])) {          /* a day: a snapshot */
        pmf_date d = {0, 0, 0};
        int nd = pp_ndigits(P);
        if (nd > 2) return pp_fail(P, "expected a day before the month");
        d.d = pp_take_num(P, nd);
        if (!pp_eat(P, "st") && !pp_eat(P, "nd") && !pp_eat(P, "rd")) pp_eat(P, "th");
        pp_skip_ws(P);
        if (!(d.m = take_month(P))) return pp_fail(P, "expected a month name after the day");
        pp_skip_ws(P);
        if (pp_ndigits(P) != 4) return pp_fail(P, "expected a four-digit year after the month");
        d.y = pp_take_num(P, 4);
        return pp_snapshot(P, d, out);
    }
    if (!(m1 = take_month(P)))
        return pp_fail(P, "expected a label like 2025/26, 2025/26 Q2, 2025-09, 2025 or June 2025");
    pp_skip_ws(P);
    if (pp_ndigits(P) == 4) {
        y1 = pp_take_num(P, 4);
        pp_skip_ws(P);
    }
    if (!pp_eat(P, "to")) {
        if (!y1) return pp_fail(P, "expected a year after the month");
        int64_t s = (int64_t)y1 * 12 + m1 - 1;
        *out = mkperiod(s, 1, PMF_PERIOD_MONTH, P->ys);
        return pp_at_end(P);
    }
    pp_skip_ws(P);
    if (!(m2 = take_month(P))) return pp_fail(P, "expected a month name after \"to\"");
    pp_skip_ws(P);
    if (pp_ndigits(P) != 4) return pp_fail(P, "expected a four-digit year after the month");
    y2 = pp_take_num(P, 4);
    if (!y1) {
        if (m1 > m2)
            return pp_fail(P, "the months run over a year end: write both years (e.g. %s %d to "
                              "%s %d)", month_title[m1 - 1], y2 - 1, month_title[m2 - 1], y2);
        y1 = y2;
    }
    int64_t s = (int64_t)y1 * 12 + m1 - 1, e = (int64_t)y2 * 12 + m2 - 1;
    if (e < s) return pp_fail(P, "the span ends before it starts");
    *out = mkperiod(s, e - s + 1, PMF_PERIOD_SPAN, P->ys);
    P->infer = 1;
    if (words_note(P, s, e - s + 1) < 0) return -1;
    return pp_at_end(P);
}

/* ---- flags and descriptions ---- */

static const struct { const char *word; unsigned flag; } suffix_flags[] = {
    { "prov", PMF_LABEL_PROVISIONAL }, { "p", PMF_LABEL_PROVISIONAL },
    { "provisional", PMF_LABEL_PROVISIONAL }, { "rev", PMF_LABEL_REVISED },
    { "r", PMF_LABEL_REVISED }, { "revised", PMF_LABEL_REVISED },
    { "ot", PMF_LABEL_OUTTURN }, { "outturn", PMF_LABEL_OUTTURN },
    { "final", PMF_LABEL_FINAL },
};

/* Peels "(prov)" and the like off the end of low[0..*n), recording their flags. */
static void peel_flags(parser *P, char *low, size_t *n) {
    for (;;) {
        size_t e = *n;
        while (e > 0 && pp_space((unsigned char)low[e - 1])) e--;
        if (e == 0 || low[e - 1] != ')') return;
        size_t b = e - 1;
        while (b > 0 && low[b - 1] != '(') b--;
        if (b == 0) return;
        size_t wlen = e - 1 - b;
        unsigned flag = 0;
        for (size_t k = 0; k < sizeof suffix_flags / sizeof suffix_flags[0]; k++)
            if (strlen(suffix_flags[k].word) == wlen && strncmp(low + b, suffix_flags[k].word, wlen) == 0)
                flag = suffix_flags[k].flag;
        if (!flag) return;
        P->info.flags |= flag;
        *n = b - 1;
        while (*n > 0 && pp_space((unsigned char)low[*n - 1])) (*n)--;
        low[*n] = '\0';
    }
}

/* A description before " - " with no digit in it: where the label proper starts, or 0. */
static size_t description_end(const char *low) {
    const char *dash = strstr(low, " - ");
    if (!dash) return 0;
    for (const char *p = low; p < dash; p++)
        if (pp_digit((unsigned char)*p)) return 0;
    return (size_t)(dash - low) + 3;
}

static const char *flag_name(unsigned flags) {
    return flags & PMF_LABEL_PROVISIONAL ? "provisional" : flags & PMF_LABEL_REVISED ? "revised"
         : flags & PMF_LABEL_OUTTURN ? "outturn" : "final";
}

int pmf_period_parse_typed(const char *s, const pmf_period_opts *opts, pmf_period *out,
                           pmf_period_info *info, char *err, size_t errlen) {
    static parser zero;
    char low[PMF_PERIOD_INPUT_MAX], orig[PMF_PERIOD_INPUT_MAX];
    parser P = zero;
    size_t a = 0, b, k;
    pmf_period p;
    int year_start = opts ? opts->year_start : 0;
    P.err = err;
    P.errlen = errlen;
    P.s = low;
    P.orig = orig;
    P.ys = norm_year_start(year_start);
    P.yt = opts ? opts->year_type : PMF_YEAR_NONE;
    P.flags_ok = info != NULL;
    if (err && errlen) err[0] = '\0';
    if (s == NULL) s = "";
    b = strlen(s);
    while (a < b && pp_space((unsigned char)s[a])) a++;
    while (b > a && pp_space((unsigned char)s[b - 1])) b--;
    k = b - a < sizeof P.shown - 4 ? b - a : sizeof P.shown - 4;
    for (size_t j = 0; j < k; j++) {
        unsigned char ch = (unsigned char)s[a + j];
        P.shown[j] = ch < 0x20 || ch == 0x7f || ch == '"' ? '?' : (char)ch;
    }
    P.shown[k] = '\0';
    if (k < b - a) strcpy(P.shown + k, "...");
    low[0] = orig[0] = '\0';
    if (P.ys < 1 || P.ys > 12) return pp_fail(&P, "year start %d is not 1 to 12", year_start);
    if (P.yt < PMF_YEAR_NONE || P.yt > PMF_YEAR_CALENDAR)
        return pp_fail(&P, "year type %d is not financial, academic or calendar", P.yt);
    if (b - a >= sizeof low) return pp_fail(&P, "label too long");
    for (k = 0; a + k < b; k++) {
        unsigned char ch = (unsigned char)s[a + k];
        orig[k] = (char)ch;
        low[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch == ';' ? ' ' : ch);
    }
    low[k] = orig[k] = '\0';
    peel_flags(&P, low, &k);
    P.i = description_end(low);
    while (pp_space((unsigned char)low[P.i])) P.i++;
    int c = (unsigned char)low[P.i];
    int words = pp_alpha(c) ? c != 'q' && c != 'h' && strncmp(low + P.i, "ay", 2) != 0
                                  && strncmp(low + P.i, "fy", 2) != 0
                            : pp_digit(c) && (pp_space((unsigned char)low[P.i + 1]) || pp_alpha((unsigned char)low[P.i + 1])
                                              || (pp_digit((unsigned char)low[P.i + 1])
                                                  && (pp_space((unsigned char)low[P.i + 2]) || pp_alpha((unsigned char)low[P.i + 2]))));
    if ((words ? pp_words(&P, &p) : pp_label(&P, &p)) != 0) return -1;
    if (!span_in_range(p.start, p.len))
        return pp_fail(&P, "years must be %d to %d", PMF_PERIOD_MIN_YEAR, PMF_PERIOD_MAX_YEAR);
    if (P.infer) p.kind = (uint8_t)pmf_period_infer_kind(p.start, p.len, P.ys);
    if (!info && (P.info.flags & ~PMF_LABEL_SNAPSHOT))
        return pp_fail(&P, "the suffix marks the figure %s: read it where flags are taken "
                           "(an import's period rules)", flag_name(P.info.flags));
    if (info) *info = P.info;
    *out = p;
    return 0;
}

int pmf_period_parse(const char *s, int year_start, pmf_period *out, char *err, size_t errlen) {
    pmf_period_opts o = { year_start, PMF_YEAR_NONE };
    return pmf_period_parse_typed(s, &o, out, NULL, err, errlen);
}
