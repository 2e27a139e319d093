/*
 * core/csv_number.c: csv.h's strict, locale-independent number parsing (pmf_parse_number:
 * the grammar and results are in csv.h), for every figure the importer reads.
 *
 * Design: one pass validates the text and gathers up to 19 significant digits; the usual
 * figure (at most 15 digits, a power of ten within 22) is computed exactly from them, and
 * only the rest go through strtod, on a copy holding the locale's decimal point, so the
 * result is correctly rounded whatever the C locale.
 */
#include "csv.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_space(int ch) { return ch == ' ' || ch == '\t'; }
static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }

/* Exact powers of ten (all representable in a double). */
static const double pow10tab[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * Convert a validated number with strtod, correctly rounded, on a copy holding only the
 * sign, digits, the locale's decimal point and the exponent.  Slow path: for more than 15
 * significant digits or a large exponent.  Returns PMF_NUM_OK or PMF_NUM_RANGE.
 */
static int slow_number(const char *p, const char *e, double *out) {
    char small[128], *copy = small, *q, *stop_at;
    const char *dp = localeconv()->decimal_point;
    size_t dplen = strlen(dp), need = (size_t)(e - p) + dplen + 1;
    double v;
    int rc = PMF_NUM_OK;
    if (need > sizeof small && (copy = malloc(need)) == NULL) return PMF_NUM_BAD;
    for (q = copy; p < e; p++) {
        if (*p == ',') continue;
        if (*p == '.') {
            memcpy(q, dp, dplen);
            q += dplen;
        } else *q++ = *p;
    }
    *q = '\0';
    v = strtod(copy, &stop_at);
    if (stop_at != q) rc = PMF_NUM_BAD;
    else if (isinf(v)) rc = PMF_NUM_RANGE;
    else *out = v;
    if (copy != small) free(copy);
    return rc;
}

/*
 * Strict decimal parsing (grammar in csv.h).  One pass validates the text and gathers up to
 * 19 significant digits; when there are at most 15 and the power of ten is within 22, the
 * value is m * 10^k or m / 10^k with both operands exact, which IEEE arithmetic rounds
 * correctly, so no strtod is needed for the usual figures.
 */
int pmf_parse_number(const char *s, size_t len, double *out) {
    const char *p = s, *e = s + len, *start;
    uint64_t m = 0;
    int nd = 0, exp10 = 0, digits = 0, grouped = 0, neg = 0;
    long ex = 0;

    while (p < e && is_space((unsigned char)*p)) p++;
    while (e > p && is_space((unsigned char)e[-1])) e--;
    if (p == e) return PMF_NUM_EMPTY;
    start = p;
    if (*p == '+' || *p == '-') neg = *p++ == '-';

    for (; p < e && is_digit((unsigned char)*p); p++, digits++) {
        int d = *p - '0';
        if (m == 0 && d == 0) continue;
        if (nd < 19) {
            m = m * 10 + (uint64_t)d;
            nd++;
        } else exp10++;
    }
    if (p < e && *p == ',') {           /* thousands: 1,234,567 */
        const char *first = p - digits;
        if (digits < 1 || digits > 3 || *first == '0') return PMF_NUM_BAD;
        while (p < e && *p == ',') {
            int k;
            p++;
            for (k = 0; k < 3; k++, p++) {
                if (p == e || !is_digit((unsigned char)*p)) return PMF_NUM_BAD;
                if (nd < 19) {
                    m = m * 10 + (uint64_t)(*p - '0');
                    if (m) nd++;
                } else exp10++;
            }
        }
        if (p < e && is_digit((unsigned char)*p)) return PMF_NUM_BAD;
        grouped = 1;
    }
    if (p < e && *p == '.') {
        for (p++; p < e && is_digit((unsigned char)*p); p++, digits++) {
            int d = *p - '0';
            if (nd < 19) {
                if (m == 0 && d == 0) {
                    exp10--;
                    continue;
                }
                m = m * 10 + (uint64_t)d;
                nd++;
                exp10--;
            }
        }
    }
    if (digits == 0) return PMF_NUM_BAD;
    if (p < e && (*p == 'e' || *p == 'E')) {
        int eneg = 0, edigits = 0;
        if (grouped) return PMF_NUM_BAD;
        p++;
        if (p < e && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        for (; p < e && is_digit((unsigned char)*p); p++, edigits++)
            if (ex < 100000) ex = ex * 10 + (*p - '0');
        if (edigits == 0) return PMF_NUM_BAD;
        if (eneg) ex = -ex;
    }
    if (p != e) return PMF_NUM_BAD;

    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return PMF_NUM_OK;
    }
    ex += exp10;
    if (nd <= 15 && ex >= -22 && ex <= 22) {
        double v = (double)m;
        v = ex >= 0 ? v * pow10tab[ex] : v / pow10tab[-ex];
        *out = neg ? -v : v;
        return PMF_NUM_OK;
    }
    return slow_number(start, e, out);
}
