/*
 * core/reader.c: the read contract (reader.h) as code: the value of a period from the
 * figures in force under a metric's rule.  Pure C: no SQL (the store reads, store_read.c),
 * no Lua (lseries.c and lengine.c bind it).
 *
 * Design decisions:
 * - One function for every caller.  pmf.series.value, the KPI engine's grids and the
 *   whole-table aggregation all end here, so there is nothing to keep in step.
 * - The rule is a parameter (a pure function of figures + rule): the reader does not care
 *   where metric definitions live or which version of them is in force.
 * - Figures come sorted by (start, len): exact spans are a binary search, the greedy cover
 *   one pass; `last` and carry look at every figure of the window (a few dozen at most).
 */
#include "reader.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const agg_names[] = {"sum", "mean", "last", "min", "max", "ratio"};
static const char *const ref_names[] = {"end", "mid-year", "start"};

const char *pmf_agg_name(int agg) {
    return agg >= 0 && agg < PMF_AGG_NKINDS ? agg_names[agg] : NULL;
}

int pmf_agg_from_name(const char *name) {
    for (int i = 0; name && i < PMF_AGG_NKINDS; i++)
        if (strcmp(name, agg_names[i]) == 0) return i;
    return -1;
}

const char *pmf_ref_name(int ref) {
    return ref >= 0 && ref < PMF_REF_NKINDS ? ref_names[ref] : NULL;
}

int pmf_ref_from_name(const char *name) {
    if (!name || !*name) return PMF_REF_END;
    for (int i = 0; i < PMF_REF_NKINDS; i++)
        if (strcmp(name, ref_names[i]) == 0) return i;
    if (strcmp(name, "mid") == 0 || strcmp(name, "middle") == 0) return PMF_REF_MID;
    return -1;
}

int pmf_carry_from_text(const char *text) {
    if (!text || !*text) return 0;
    char *end;
    long n = strtol(text, &end, 10);
    if (end == text || n < 0 || n > 1200) return -1;
    while (isspace((unsigned char)*end)) end++;
    if (*end == '\0' || strcmp(end, "months") == 0 || strcmp(end, "month") == 0) return (int)n;
    if (strcmp(end, "years") == 0 || strcmp(end, "year") == 0) return (int)n * 12;
    return -1;
}

const char *pmf_read_status_message(int status) {
    switch (status) {
    case PMF_READ_OK: return "ok";
    case PMF_READ_NODATA: return "no data for the period";
    case PMF_READ_NORATIO: return "ratio unavailable: a figure has no numerator or denominator";
    case PMF_READ_ZERODEN: return "ratio unavailable: the denominators sum to zero";
    default: return "unknown status";
    }
}

int32_t pmf_read_refmonth(int32_t start, int32_t len, int reference) {
    switch (reference) {
    case PMF_REF_MID: return start + (len > 1 ? len / 2 - 1 : 0);
    case PMF_REF_START: return start;
    default: return start + len - 1;
    }
}

void pmf_read_window(const pmf_read_rule *rule, int32_t start, int32_t len, int32_t *from,
                     int32_t *to) {
    int32_t back = rule->agg == PMF_AGG_LAST ? PMF_READ_LOOKBACK : 0;
    if (rule->carry > 0) back = PMF_READ_LOOKBACK + rule->carry;
    *from = start - back;
    *to = start + len - 1;
}

/* Index of the first figure starting at or after month m. */
static size_t lower_bound(const pmf_obs *obs, size_t n, int32_t m) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (obs[mid].start < m) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* The result of one whole figure (exact span, a snapshot, a carried figure). */
static void take_one(pmf_agg_result *r, const pmf_obs *o, int32_t months) {
    r->value = o->value;
    r->numerator = o->numerator;
    r->denominator = o->denominator;
    r->nfig = 1;
    r->months = months;
    r->flags = o->flags;
    r->rec = o->rec;
    r->from_start = o->start;
    r->from_len = o->len;
    r->status = isfinite(o->value) ? PMF_READ_OK : PMF_READ_NODATA;
    if (r->status != PMF_READ_OK) r->value = NAN;
}

/* Is figure a preferred to b, both anchored at month am / bm: later anchor, then shorter,
 * then later start. */
static int preferred(const pmf_obs *a, int32_t am, const pmf_obs *b, int32_t bm) {
    if (!b) return 1;
    if (am != bm) return am > bm;
    if (a->len != b->len) return a->len < b->len;
    return a->start > b->start;
}

/* Step 3 of the contract: the figures within the period, combined by the rule. */
static void combine_within(const pmf_obs *obs, size_t n, int agg, int32_t start, int32_t len,
                           pmf_agg_result *r) {
    int64_t end = (int64_t)start + len, m = start;
    double acc = 0, num = 0, den = 0, scale = NAN;
    int32_t first = 0, last = 0;
    for (size_t i = lower_bound(obs, n, start); i < n && obs[i].start < end;) {
        int32_t s = obs[i].start;
        size_t best = n;
        for (; i < n && obs[i].start == s; i++)
            if (s >= m && (int64_t)s + obs[i].len <= end) best = i;     /* longest fitting */
        if (best == n) continue;
        const pmf_obs *o = &obs[best];
        double v = o->value;
        if (r->nfig == 0) {
            first = s;
            acc = agg == PMF_AGG_MEAN ? v * o->len : v;
        } else {
            switch (agg) {
            case PMF_AGG_SUM: acc += v; break;
            case PMF_AGG_MEAN: acc += v * o->len; break;
            case PMF_AGG_MIN: if (v < acc) acc = v; break;
            case PMF_AGG_MAX: if (v > acc) acc = v; break;
            default: break;
            }
        }
        num += o->numerator;          /* NaN stays NaN: one missing part spoils the sum */
        den += o->denominator;
        if (isnan(scale) && o->numerator != 0 && o->denominator != 0 && isfinite(v) &&
            v != 0 && isfinite(o->numerator) && isfinite(o->denominator))
            scale = v * o->denominator / o->numerator;
        r->nfig++;
        r->months += o->len;
        r->flags |= o->flags;
        if (o->rec > r->rec) r->rec = o->rec;
        last = s + o->len;
        m = last;
    }
    if (r->nfig == 0) return;
    r->numerator = num;
    r->denominator = den;
    r->from_start = first;
    r->from_len = last - first;
    r->status = PMF_READ_OK;
    if (agg == PMF_AGG_MEAN) {
        acc /= r->months;
    } else if (agg == PMF_AGG_RATIO) {
        if (isnan(num) || isnan(den)) r->status = PMF_READ_NORATIO;
        else if (den == 0) r->status = PMF_READ_ZERODEN;
        else acc = (isnan(scale) ? 1.0 : scale) * num / den;
    }
    if (r->status == PMF_READ_OK && !isfinite(acc)) r->status = PMF_READ_NODATA;
    r->value = r->status == PMF_READ_OK ? acc : NAN;
}

void pmf_read_value(const pmf_obs *obs, size_t n, const pmf_read_rule *rule, int32_t start,
                    int32_t len, pmf_agg_result *out) {
    int64_t end = (int64_t)start + len;
    int last = rule->agg == PMF_AGG_LAST;
    memset(out, 0, sizeof *out);
    out->value = out->numerator = out->denominator = NAN;
    out->expected = len;
    out->status = PMF_READ_NODATA;

    /* 1. exact span */
    for (size_t j = lower_bound(obs, n, start); j < n && obs[j].start == start; j++)
        if (obs[j].len == len) {
            take_one(out, &obs[j], len);
            out->exact = 1;
            return;
        }
    if (last) {
        /* 2. the snapshot whose reference month lies within the period */
        const pmf_obs *k = NULL;
        int32_t km = 0;
        for (size_t i = 0; i < n && obs[i].start < end; i++) {
            int32_t rm = pmf_read_refmonth(obs[i].start, obs[i].len, rule->reference);
            if (rm >= start && rm < end && isfinite(obs[i].value) && preferred(&obs[i], rm, k, km)) {
                k = &obs[i];
                km = rm;
            }
        }
        if (k) take_one(out, k, len);
    } else {
        /* 3. the figures within the period */
        combine_within(obs, n, rule->agg, start, len, out);
    }
    if (out->status == PMF_READ_OK) {
        if (out->months < out->expected) out->flags |= PMF_FLAG_INCOMPLETE;
        return;
    }
    if (out->nfig > 0 || rule->carry <= 0) return;      /* found, but unusable: no carry */

    /* 5. carry, where the rule asks */
    const pmf_obs *k = NULL;
    int32_t km = 0;
    for (size_t i = 0; i < n && obs[i].start < start; i++) {
        int32_t am = last ? pmf_read_refmonth(obs[i].start, obs[i].len, rule->reference)
                          : obs[i].start + obs[i].len - 1;
        if (am < start && am >= start - rule->carry && isfinite(obs[i].value) &&
            preferred(&obs[i], am, k, km)) {
            k = &obs[i];
            km = am;
        }
    }
    if (!k) return;
    take_one(out, k, 0);
    out->carried = 1;
    out->flags |= PMF_FLAG_CARRIED;
}
