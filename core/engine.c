/*
 * engine.c: the KPI engine's kernels, pure C over rag.c (the rules are in engine.h; the
 * binding is lengine.c).  No SQL and no reading rules here: values arrive from the one
 * reader (reader.h) through pmf_engine_fill.
 *
 * Design decisions:
 * - Kernels work column by column so that each column is a contiguous run for rag.c's
 *   _many functions; no allocation anywhere (the caller owns all memory).
 * - Ratings read g->rated (the published figure), never g->value, so rounding is decided
 *   once (pmf_engine_publish) for RAG, direction of travel and benchmarks alike.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

void pmf_engine_fill_at(pmf_engine_grid *g, const pmf_agg_result *res, const size_t *rows,
                        size_t nrows, const size_t *cols, size_t ncols) {
    for (size_t c = 0; c < ncols; c++) {
        size_t base = (cols ? cols[c] : c) * g->na;
        for (size_t k = 0; k < nrows; k++) {
            const pmf_agg_result *r = &res[k * ncols + c];
            size_t at = base + (rows ? rows[k] : k);
            /* a figure or NaN: an aggregate that overflowed is no figure either */
            g->value[at] = r->status == PMF_READ_OK && isfinite(r->value) ? r->value : NAN;
            g->flags[at] = (uint16_t)(r->flags & 0xffff);
            g->rec[at] = r->rec;
            g->src[at].start = r->from_start;
            g->src[at].len = r->from_len;
        }
    }
}

void pmf_engine_fill(pmf_engine_grid *g, const pmf_agg_result *res) {
    pmf_engine_fill_at(g, res, NULL, g->na, NULL, g->np);
}

/* v rounded to d decimals, p = 10^d (a column's cells share it: pow is dearer than the
 * rounding). */
static double round_to(double v, int d, double p) {
    double x, f;
    char buf[400];
    if (!isfinite(v) || d < 0) return v;
    x = v * p;
    f = x - floor(x);
    if (!isfinite(x) || fabs(x) > 1e15 || fabs(f - 0.5) < 1e-6) {
        /* near a half-way case (or huge): decide on the exact value as printf does */
        snprintf(buf, sizeof buf, "%.*f", d, v);
        return strtod(buf, NULL);
    }
    return round(x) / p;
}

double pmf_engine_round(double v, int d) {
    if (d > 15) d = 15;
    return round_to(v, d, d >= 0 ? pow(10.0, d) : 1.0);
}

void pmf_engine_publish(pmf_engine_grid *g, int decimals, const size_t *cols, size_t ncols) {
    size_t k, i, na = g->na;
    int d = decimals > 15 ? 15 : decimals;
    double p = d >= 0 ? pow(10.0, d) : 1.0;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        for (i = base; i < base + na; i++) g->rated[i] = round_to(g->value[i], d, p);
    }
}

/* ---------------------------------------------------------------- kernels */

void pmf_engine_combine(pmf_engine_op op, double scale, const pmf_engine_grid *a,
                        const pmf_engine_grid *b, pmf_engine_grid *out, const size_t *cols,
                        size_t ncols) {
    size_t k, i, na = out->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        for (i = base; i < base + na; i++) {
            double x = a->value[i], r;
            uint16_t f = a->flags[i];
            int64_t rec = a->rec[i];
            switch (op) {
            case PMF_ENGINE_DIV:
                r = b->value[i] == 0 ? NAN : scale * x / b->value[i];
                break;
            case PMF_ENGINE_SUB:
                r = x - b->value[i];
                break;
            default:
                r = x;
                break;
            }
            out->src[i] = a->src[i];
            if (op != PMF_ENGINE_COPY) {
                f |= b->flags[i];
                if (b->rec[i] > rec) rec = b->rec[i];
                if (!(a->flags[i] & PMF_FLAG_CARRIED) && (b->flags[i] & PMF_FLAG_CARRIED))
                    out->src[i] = b->src[i];
            }
            out->value[i] = isfinite(r) ? r : NAN;
            out->flags[i] = f;
            out->rec[i] = rec;
        }
    }
}

void pmf_engine_suppress(const pmf_engine_grid *in, double below, pmf_engine_grid *out,
                         const size_t *cols, size_t ncols) {
    size_t k, i, na = out->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        for (i = base; i < base + na; i++)
            if (in->value[i] < below) {
                out->value[i] = NAN;
                out->flags[i] |= PMF_FLAG_WITHHELD;
            }
    }
}

void pmf_engine_rate(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *cols,
                     size_t ncols) {
    size_t k, na = g->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        pmf_rag_rate_many(rule, g->rated + base, g->target + base, 1, na, g->status + base);
    }
}

void pmf_engine_dot(const pmf_rag_rule *rule, pmf_rag_margin threshold, pmf_engine_grid *g,
                    const size_t *now, const size_t *before, size_t ncols, int year) {
    size_t k, i, na = g->na;
    pmf_rag_trend *out = year ? g->dot_year : g->dot_prev;
    for (k = 0; k < ncols; k++) {
        size_t base = now[k] * na;
        if (before[k] == SIZE_MAX) {
            for (i = 0; i < na; i++) out[base + i] = PMF_RAG_DOT_NONE;
            continue;
        }
        pmf_rag_dot_many(rule, g->rated + base, g->rated + before[k] * na, na, threshold,
                         out + base);
        for (i = 0; i < na; i++)            /* like with like: never a carried value */
            if ((g->flags[base + i] | g->flags[before[k] * na + i]) & PMF_FLAG_CARRIED)
                out[base + i] = PMF_RAG_DOT_NONE;
    }
}

/* The p-th fraction (0..1) of the sorted present values, linearly interpolated. */
static double percentile(const pmf_rag_slot *s, size_t n, double p) {
    double h, lo;
    size_t k;
    if (n == 0) return NAN;
    h = p * (double)(n - 1);
    lo = floor(h);
    k = (size_t)lo;
    if (k + 1 >= n) return s[n - 1].value;
    return s[k].value + (h - lo) * (s[k + 1].value - s[k].value);
}

static pmf_engine_stat summarise(pmf_rag_bench b, const pmf_rag_slot *sorted, size_t min_group) {
    pmf_engine_stat st;
    st.n = b.n;
    if (b.n < min_group || b.n == 0) {
        st.median = st.mean = st.q1 = st.q3 = NAN;
        return st;
    }
    st.median = b.median;
    st.mean = b.mean;
    st.q1 = percentile(sorted, b.n, 0.25);
    st.q3 = percentile(sorted, b.n, 0.75);
    return st;
}

/* The published figures of the group's members for one column: NaN where there is no
 * figure for the period (none, or a carried one). */
static void member_values(const pmf_engine_grid *g, size_t base, const size_t *rows,
                          size_t nrows, double *vals) {
    const double *v = g->rated ? g->rated : g->value;
    for (size_t m = 0; m < nrows; m++)
        vals[m] = g->flags[base + rows[m]] & PMF_FLAG_CARRIED ? NAN : v[base + rows[m]];
}

void pmf_engine_benchmark(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *rows,
                          size_t nrows, const size_t *cols, size_t ncols, size_t min_group,
                          pmf_engine_stat *stat, pmf_rag_slot *slots, double *vals, int *rank) {
    size_t k, i, m, na = g->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        pmf_rag_bench b;
        member_values(g, base, rows, nrows, vals);
        b = pmf_rag_benchmark(rule, vals, nrows, slots, rank, NULL);
        stat[cols[k]] = summarise(b, slots, min_group);
        for (i = 0; i < na; i++) {
            g->rank[base + i] = -1;             /* not a member yet */
            g->quartile[base + i] = 0;
        }
        if (b.n < min_group || b.n == 0) {      /* too few figures: nobody is ranked */
            for (i = 0; i < na; i++) g->rank[base + i] = 0;
            continue;
        }
        for (m = 0; m < nrows; m++) {
            g->rank[base + rows[m]] = rank[m];
            g->quartile[base + rows[m]] = pmf_rag_quartile(rank[m], b.n);
        }
        for (i = 0; i < na; i++) {
            if (g->rank[base + i] >= 0) continue;
            if (g->flags[base + i] & PMF_FLAG_CARRIED) {
                g->rank[base + i] = 0;
                continue;
            }
            g->rank[base + i] = pmf_rag_rank_of(rule, g->rated[base + i], vals, nrows, NULL);
            g->quartile[base + i] = pmf_rag_quartile(g->rank[base + i], b.n);
        }
    }
}

pmf_engine_stat pmf_engine_stats(const pmf_engine_grid *g, const size_t *rows, size_t nrows,
                                 size_t col, size_t min_group, pmf_rag_slot *slots,
                                 double *vals) {
    pmf_rag_rule up;
    pmf_rag_rule_init(&up, PMF_RAG_UP);
    member_values(g, col * g->na, rows, nrows, vals);
    return summarise(pmf_rag_benchmark(&up, vals, nrows, slots, NULL, NULL), slots, min_group);
}

void pmf_engine_late(pmf_engine_grid *g, const size_t *cols, const int64_t *deadline_ms,
                     size_t ncols) {
    size_t k, i, na = g->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        for (i = base; i < base + na; i++)
            if (g->rec[i] > deadline_ms[k]) g->flags[i] |= PMF_FLAG_LATE;
    }
}
