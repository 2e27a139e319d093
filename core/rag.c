/*
 * rag.c: RAG primitives, pure C (no Lua; the binding is lrag.c).  The rules and their
 * boundaries are documented in rag.h; this file only implements them.
 *
 * Design decisions:
 * - One comparison helper family (at_least / at_most / same_key) carries the floating-point
 *   slack, so every boundary in the file is robust to noise in the same way.
 * - Ratings take the target apart from the rule, so the hot path (pmf_rag_rate_many) rates
 *   ~800,000 values against per-value targets with one rule and no allocation.
 * - Benchmarking sorts the present values once by value (qsort into the caller's scratch),
 *   which gives the median directly, then walks them in order of merit: backwards for up,
 *   forwards for down, and outwards from the band's midpoint for a band (a two-pointer
 *   merge, so a band needs no second sort).  Ties are found against the first value of the
 *   run, which yields standard competition ranking (1-2-2-4).
 * - No state, no allocation: everything is reentrant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "rag.h"

static const char *const status_names[PMF_RAG_NSTATUS] = {
    "red", "amber", "green", "blue", "no_data", "data_only", "error"
};
static const char *const status_symbols[PMF_RAG_NSTATUS] = {
    "R", "A", "G", "B", "-", "DO", "ERR"
};
static const char *const polarity_names[PMF_RAG_NPOLARITY] = { "up", "down", "band" };
static const char *const dot_names[] = { NULL, "better", "worse", "same" };

/* ---------------------------------------------------------------- names */

const char *pmf_rag_status_name(pmf_rag_status s) {
    return (unsigned)s < PMF_RAG_NSTATUS ? status_names[s] : NULL;
}

const char *pmf_rag_status_symbol(pmf_rag_status s) {
    return (unsigned)s < PMF_RAG_NSTATUS ? status_symbols[s] : NULL;
}

int pmf_rag_status_parse(const char *name) {
    int i;
    if (name == NULL) return -1;
    for (i = 0; i < PMF_RAG_NSTATUS; i++)
        if (strcmp(name, status_names[i]) == 0) return i;
    return -1;
}

const char *pmf_rag_polarity_name(pmf_rag_polarity p) {
    return (unsigned)p < PMF_RAG_NPOLARITY ? polarity_names[p] : NULL;
}

int pmf_rag_polarity_parse(const char *name) {
    int i;
    if (name == NULL) return -1;
    for (i = 0; i < PMF_RAG_NPOLARITY; i++)
        if (strcmp(name, polarity_names[i]) == 0) return i;
    return -1;
}

const char *pmf_rag_dot_name(pmf_rag_trend d) {
    return (unsigned)d <= PMF_RAG_DOT_SAME ? dot_names[d] : NULL;
}

/* ---------------------------------------------------------------- comparisons */

/* The slack allowed around boundary b: 1e-9 * max(1, |b|). */
static inline double slack(double b) {
    double a = fabs(b);
    return PMF_RAG_EPS * (a > 1.0 ? a : 1.0);
}

/* v >= b, or v below b by no more than the slack.  The first test keeps infinities exact
 * (inf - slack(inf) is NaN). */
static inline int at_least(double v, double b) {
    return v >= b || v >= b - slack(b);
}

static inline int at_most(double v, double b) {
    return v <= b || v <= b + slack(b);
}

/* Two ranking keys equal within the slack; `ref` widens the scale (a band's midpoint,
 * since keys there are distances from it). */
static inline int same_key(double a, double b, double ref) {
    double s = fabs(a), t = fabs(b), r = fabs(ref);
    if (a == b) return 1;
    if (t > s) s = t;
    if (r > s) s = r;
    if (s < 1.0) s = 1.0;
    return isfinite(s) && fabs(a - b) <= PMF_RAG_EPS * s;      /* inf vs finite: never */
}

/* ---------------------------------------------------------------- margins and rules */

/* Read "2", "2.5", " 10 %": a finite number, optionally followed by '%'.  strtod skips the
 * leading spaces; the C locale is assumed (Lua's own tonumber makes the same assumption). */
int pmf_rag_margin_parse(const char *text, pmf_rag_margin *out) {
    char *end;
    double x;
    int pct = 0;
    if (text == NULL) return -1;
    x = strtod(text, &end);
    if (end == text || !isfinite(x)) return -1;
    while (isspace((unsigned char)*end)) end++;
    if (*end == '%') {
        pct = 1;
        end++;
        while (isspace((unsigned char)*end)) end++;
    }
    if (*end != '\0') return -1;
    out->amount = x;
    out->pct = pct;
    return 0;
}

double pmf_rag_margin_resolve(pmf_rag_margin m, double ref) {
    if (isnan(m.amount)) return 0.0;
    return m.pct ? m.amount / 100.0 * fabs(ref) : m.amount;
}

void pmf_rag_rule_init(pmf_rag_rule *rule, pmf_rag_polarity polarity) {
    rule->polarity = polarity;
    rule->tolerance.amount = 0.0;
    rule->tolerance.pct = 0;
    rule->blue.amount = NAN;
    rule->blue.pct = 0;
    rule->lo = NAN;
    rule->hi = NAN;
}

/* Messages begin with the field's name so that a binding can prefix "rule.". */
const char *pmf_rag_rule_check(const pmf_rag_rule *rule) {
    if ((unsigned)rule->polarity >= PMF_RAG_NPOLARITY)
        return "polarity must be \"up\", \"down\" or \"band\"";
    if (isnan(rule->tolerance.amount)) return "tolerance must be a number";
    if (rule->tolerance.amount < 0) return "tolerance must not be negative";
    if (!isnan(rule->blue.amount) && rule->blue.amount < 0) return "blue must not be negative";
    if (rule->polarity == PMF_RAG_BAND) {
        if (isnan(rule->lo) || isnan(rule->hi)) return "band needs lo and hi";
        if (rule->lo > rule->hi) return "band lo must not be above hi";
        if (!isnan(rule->blue.amount)) return "blue is not allowed with polarity \"band\"";
    }
    return NULL;
}

/* ---------------------------------------------------------------- rating */

static inline pmf_rag_status rate1(const pmf_rag_rule *r, double v, double t) {
    double lo, hi;
    if (isnan(v)) return PMF_RAG_NO_DATA;
    switch (r->polarity) {
    case PMF_RAG_UP:
        if (isnan(t)) return PMF_RAG_DATA_ONLY;
        if (!isnan(r->blue.amount) && at_least(v, t + pmf_rag_margin_resolve(r->blue, t)))
            return PMF_RAG_BLUE;
        if (at_least(v, t)) return PMF_RAG_GREEN;
        return at_least(v, t - pmf_rag_margin_resolve(r->tolerance, t))
               ? PMF_RAG_AMBER : PMF_RAG_RED;
    case PMF_RAG_DOWN:
        if (isnan(t)) return PMF_RAG_DATA_ONLY;
        if (!isnan(r->blue.amount) && at_most(v, t - pmf_rag_margin_resolve(r->blue, t)))
            return PMF_RAG_BLUE;
        if (at_most(v, t)) return PMF_RAG_GREEN;
        return at_most(v, t + pmf_rag_margin_resolve(r->tolerance, t))
               ? PMF_RAG_AMBER : PMF_RAG_RED;
    case PMF_RAG_BAND:
        lo = r->lo;
        hi = r->hi;
        if (isnan(lo) || isnan(hi)) return PMF_RAG_DATA_ONLY;
        if (!at_least(v, lo))
            return at_least(v, lo - pmf_rag_margin_resolve(r->tolerance, lo))
                   ? PMF_RAG_AMBER : PMF_RAG_RED;
        if (!at_most(v, hi))
            return at_most(v, hi + pmf_rag_margin_resolve(r->tolerance, hi))
                   ? PMF_RAG_AMBER : PMF_RAG_RED;
        return PMF_RAG_GREEN;
    default:
        return PMF_RAG_ERROR;
    }
}

pmf_rag_status pmf_rag_rate(const pmf_rag_rule *rule, double value, double target) {
    return rate1(rule, value, target);
}

void pmf_rag_rate_many(const pmf_rag_rule *rule, const double *value, const double *target,
                       size_t target_step, size_t n, pmf_rag_status *out) {
    size_t i;
    if (target_step == 0) {
        double t = *target;
        for (i = 0; i < n; i++) out[i] = rate1(rule, value[i], t);
    } else {
        for (i = 0; i < n; i++) out[i] = rate1(rule, value[i], target[i * target_step]);
    }
}

/* ---------------------------------------------------------------- direction of travel */

/* Distance from the band [lo, hi]: 0 inside. */
static inline double band_dist(double x, double lo, double hi) {
    return x < lo ? lo - x : x > hi ? x - hi : 0.0;
}

static inline pmf_rag_trend dot1(const pmf_rag_rule *r, double now, double before,
                                 pmf_rag_margin threshold) {
    double d, thr, s, t;
    if (isnan(now) || isnan(before)) return PMF_RAG_DOT_NONE;
    if (now == before) return PMF_RAG_DOT_SAME;         /* also equal infinities */
    switch (r->polarity) {
    case PMF_RAG_UP:   d = now - before; break;
    case PMF_RAG_DOWN: d = before - now; break;
    case PMF_RAG_BAND: d = band_dist(before, r->lo, r->hi) - band_dist(now, r->lo, r->hi); break;
    default:           return PMF_RAG_DOT_NONE;
    }
    if (isnan(d)) return PMF_RAG_DOT_NONE;              /* a band not set */
    thr = pmf_rag_margin_resolve(threshold, before);
    s = fabs(now);
    t = fabs(before);
    if (t > s) s = t;
    if (s < 1.0) s = 1.0;
    if (isfinite(s) && fabs(d) <= thr + PMF_RAG_EPS * s) return PMF_RAG_DOT_SAME;
    return d > 0 ? PMF_RAG_DOT_BETTER : PMF_RAG_DOT_WORSE;
}

pmf_rag_trend pmf_rag_dot(const pmf_rag_rule *rule, double now, double before,
                          pmf_rag_margin threshold) {
    return dot1(rule, now, before, threshold);
}

void pmf_rag_dot_many(const pmf_rag_rule *rule, const double *now, const double *before,
                      size_t n, pmf_rag_margin threshold, pmf_rag_trend *out) {
    size_t i;
    for (i = 0; i < n; i++) out[i] = dot1(rule, now[i], before[i], threshold);
}

/* ---------------------------------------------------------------- benchmarking */

int pmf_rag_quartile(int rank, size_t n) {
    size_t q;
    if (rank < 1 || n == 0) return 0;
    q = 4 * ((size_t)rank - 1) / n + 1;
    return q > 4 ? 4 : (int)q;
}

/* The ranking key of a value: smaller is better. */
static inline double merit_key(const pmf_rag_rule *r, double v, double mid) {
    switch (r->polarity) {
    case PMF_RAG_UP:   return -v;
    case PMF_RAG_DOWN: return v;
    default:           return fabs(v - mid);
    }
}

static double band_mid(const pmf_rag_rule *r) {
    return r->polarity == PMF_RAG_BAND ? r->lo + (r->hi - r->lo) / 2 : 0.0;
}

/* Order slots by value, then by index so that the order is total and deterministic. */
static int slot_cmp(const void *a, const void *b) {
    const pmf_rag_slot *x = a, *y = b;
    if (x->value < y->value) return -1;
    if (x->value > y->value) return 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Gather the present values into scratch, sorted; return their number. */
static size_t gather(const double *values, size_t count, pmf_rag_slot *scratch) {
    size_t i, n = 0;
    for (i = 0; i < count; i++) {
        if (isnan(values[i])) continue;
        scratch[n].value = values[i];
        scratch[n].index = i;
        n++;
    }
    qsort(scratch, n, sizeof *scratch, slot_cmp);
    return n;
}

/* Rank the sorted slots s[0..n) in order of merit (see the file comment). */
static void assign_ranks(const pmf_rag_rule *r, const pmf_rag_slot *s, size_t n,
                         int *rank, int *quartile) {
    double mid = band_mid(r), lead = 0.0;
    size_t pos, left = 0, right = 0, k = 0;
    int lead_rank = 0;
    if (r->polarity == PMF_RAG_BAND) {          /* s[left-1] is below mid, s[right] not */
        while (right < n && s[right].value < mid) right++;
        left = right;
    }
    for (pos = 1; pos <= n; pos++) {
        double key;
        switch (r->polarity) {
        case PMF_RAG_UP:   k = n - pos; break;
        case PMF_RAG_DOWN: k = pos - 1; break;
        default:
            if (right >= n || (left > 0 && mid - s[left - 1].value <= s[right].value - mid))
                k = --left;
            else
                k = right++;
            break;
        }
        key = merit_key(r, s[k].value, mid);
        if (pos == 1 || !same_key(key, lead, mid)) {
            lead = key;
            lead_rank = (int)pos;
        }
        if (rank) rank[s[k].index] = lead_rank;
        if (quartile) quartile[s[k].index] = pmf_rag_quartile(lead_rank, n);
    }
}

pmf_rag_bench pmf_rag_benchmark(const pmf_rag_rule *rule, const double *values, size_t count,
                                pmf_rag_slot *scratch, int *rank, int *quartile) {
    pmf_rag_bench b;
    size_t i, n;
    double sum = 0.0;
    if (rank) memset(rank, 0, count * sizeof *rank);
    if (quartile) memset(quartile, 0, count * sizeof *quartile);
    n = gather(values, count, scratch);
    b.n = n;
    if (n == 0) {
        b.median = b.mean = NAN;
        return b;
    }
    for (i = 0; i < n; i++) sum += scratch[i].value;
    b.mean = sum / (double)n;
    b.median = n % 2 ? scratch[n / 2].value
                     : (scratch[n / 2 - 1].value + scratch[n / 2].value) / 2;
    if (rank || quartile) assign_ranks(rule, scratch, n, rank, quartile);
    return b;
}

int pmf_rag_rank_of(const pmf_rag_rule *rule, double value, const double *values, size_t count,
                    size_t *n) {
    double mid = band_mid(rule), key = merit_key(rule, value, mid);
    size_t i, present = 0, better = 0;
    for (i = 0; i < count; i++) {
        double k;
        if (isnan(values[i])) continue;
        present++;
        k = merit_key(rule, values[i], mid);
        if (k < key && !same_key(k, key, mid)) better++;
    }
    if (n) *n = present;
    if (isnan(value) || present == 0) return 0;
    return (int)(better + 1);
}
