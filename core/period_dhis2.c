/*
 * core/period_dhis2.c: the machine dialects of period labels: DHIS2 period ids (202309,
 * 202301B, 2023BiM1, 2023Q2, 2024NovQ1, 2023S1, 2004AprilS1, 2024NovS1, 2023April, 2023July,
 * 2023Sep, 2023Oct, 2024Nov) and ISO 8601 intervals (2015-04-01/P1Y, 2015-04-01/2016-03-31),
 * called from the grammar in period_parse.c.
 *
 * Design decisions: DHIS2 ids follow DHIS2 itself (the financial November ids name the year
 * they end in, the others the year they start in); neither dialect says anything about the
 * framework's words, so their periods take the natural kind (P->infer).  A lone ISO date is a
 * dated snapshot where the caller takes flags (period_read.c), else an error.
 */
#include "period_internal.h"

#include <string.h>

/* A strict YYYY-MM-DD at the cursor. */
int pp_take_date(parser *P, pmf_date *d) {
    const char *s = P->s + P->i;
    for (int k = 0; k < 10; k++)
        if (k == 4 || k == 7 ? s[k] != '-' : !pp_digit((unsigned char)s[k]))
            return pp_fail(P, "expected a date YYYY-MM-DD");
    d->y = pp_take_num(P, 4); P->i++;
    d->m = pp_take_num(P, 2); P->i++;
    d->d = pp_take_num(P, 2);
    if (!pmf_date_valid(d->y, d->m, d->d))
        return pp_fail(P, "%04d-%02d-%02d is not a date", d->y, d->m, d->d);
    return 0;
}
/* The rest of an ISO 8601 interval after its start date: "/P1Y6M" or "/2016-03-31". */
int pp_iso_interval(parser *P, pmf_date from, pmf_period *out) {
    int64_t start = (int64_t)from.y * 12 + from.m - 1, len = 0;
    if (P->s[P->i] != '/') {
        if (P->flags_ok && P->s[P->i] == '\0') return pp_snapshot(P, from, out);
        return pp_fail(P, "a date is not a period: write %04d-%02d for the month", from.y, from.m);
    }
    P->i++;
    if (from.d != 1) return pp_fail(P, "an interval must start on the 1st of a month");
    if (P->s[P->i] == 'p') {
        int parts = 0, last_unit = 0;
        P->i++;
        while (P->s[P->i] != '\0') {
            int nd = pp_ndigits(P);
            if (nd < 1 || nd > 5) return pp_fail(P, "expected a duration like P1Y, P3M or P1Y6M");
            int v = pp_take_num(P, nd), unit = P->s[P->i];
            if (unit == 'y' && last_unit == 0) len += (int64_t)v * 12;
            else if (unit == 'm' && last_unit != 'm') len += v;
            else if (unit == 'd' || unit == 'w' || unit == 't')
                return pp_fail(P, "a duration must be whole months or years");
            else return pp_fail(P, "expected a duration like P1Y, P3M or P1Y6M");
            last_unit = unit;
            P->i++;
            parts++;
        }
        if (!parts) return pp_fail(P, "expected a duration like P1Y, P3M or P1Y6M");
        if (len < 1) return pp_fail(P, "a duration must be at least one month");
    } else {
        pmf_date to;
        if (pp_take_date(P, &to)) return -1;
        if (to.d != pmf_days_in_month(to.y, to.m))
            return pp_fail(P, "an interval must end on the last day of a month");
        len = (int64_t)to.y * 12 + to.m - 1 - start + 1;
        if (len < 1) return pp_fail(P, "the interval ends before it starts");
    }
    P->infer = 1;
    *out = mkperiod(start, len, PMF_PERIOD_SPAN, P->ys);
    return pp_at_end(P);
}
/* A DHIS2 suffix made of letters (and a number) glued to the year: 2023April, 2023NovS1. */
int pp_dhis2_word(parser *P, int y, pmf_period *out) {
    char w[8], ws[8];          /* the suffix lower-cased, and as given (for messages) */
    size_t k = 0;
    int n = 0, has_n;
    int64_t s = -1, len = 0;
    while (pp_alpha((unsigned char)P->s[P->i])) {
        if (k + 1 < sizeof w) w[k] = P->s[P->i], ws[k] = P->orig[P->i];
        k++;
        P->i++;
    }
    if (k >= sizeof w) return pp_fail(P, "unknown period suffix after %d", y);
    w[k] = ws[k] = '\0';
    has_n = pp_ndigits(P) > 0;
    if (w[k - 1] == 'w' && has_n) return pp_fail(P, "weeks are not supported: a period is whole months");
    if (has_n) {
        const char *letter = w[k - 1] == 'm' ? "BiM" : w[k - 1] == 'q' ? "Q" : "S";
        int max = w[k - 1] == 'm' ? 6 : w[k - 1] == 'q' ? 4 : 2;
        if (strcmp(w, "q") && strcmp(w, "s") && strcmp(w, "aprils") && strcmp(w, "novs")
            && strcmp(w, "novq") && strcmp(w, "bim"))
            return pp_fail(P, "unknown period suffix \"%s\" after %d", ws, y);
        if (pp_take_index(P, max, letter, &n)) return -1;
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
    else return pp_fail(P, "unknown period suffix \"%s\" after %d", ws, y);
    P->infer = 1;
    *out = mkperiod(s, len, PMF_PERIOD_SPAN, P->ys);
    return pp_at_end(P);
}
/* Six digits: DHIS2 month 202309, or bi-month 202301B. */
int pp_yyyymm(parser *P, pmf_period *out) {
    int y = pp_take_num(P, 4), m = pp_take_num(P, 2);
    if (m < 1 || m > 12) return pp_fail(P, "month %02d is not 01 to 12", m);
    int64_t s = (int64_t)y * 12 + m - 1;
    if (P->s[P->i] == 'b') {
        P->i++;
        if (m % 2 == 0) return pp_fail(P, "a DHIS2 bi-month starts in an odd month");
        P->infer = 1;
        *out = mkperiod(s, 2, PMF_PERIOD_SPAN, P->ys);
    } else {
        *out = mkperiod(s, 1, PMF_PERIOD_MONTH, P->ys);
    }
    return pp_at_end(P);
}

