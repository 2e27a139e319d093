/*
 * engine.c: the KPI engine's kernels, pure C over SQLite and rag.c (the rules are in
 * engine.h; the binding is lengine.c).
 *
 * Design decisions:
 * - A fetch reads each observation row once and keeps, per (row, key), only the version in
 *   force (latest visible batch by (recorded_ms, id)); months go to a per-area month table
 *   and rows whose span is a grid column to an exact-span table.  Columns are then filled
 *   from the exact span, else from the months.  Version order is compared explicitly, so
 *   the rows need no ORDER BY and back-dated batches (recorded_ms earlier than a lower id's)
 *   are right.
 * - Borrowing (engine.h) costs only metrics aggregated by last or mean: their scan reaches
 *   PMF_ENGINE_LOOKBACK months further back, and each row is offered to every column's two
 *   candidates (the best containing span, the best earlier span), kept like the version in
 *   force, so the result does not depend on row order either.
 * - Few areas: one indexed range scan per area (metric, area, breakdown, start).  Many
 *   areas: one scan of the metric, rows mapped to grid rows through an id -> row table.
 * - Kernels work column by column so that each column is a contiguous run for rag.c's
 *   _many functions; no allocation anywhere (the caller owns all memory).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine.h"

/* The version in force of one key so far. */
typedef struct slot {
    double v, num, den;
    int64_t ms, batch;
    unsigned char flags, has;
} slot;

/* A candidate to borrow from: the version in force of the preferred span so far. */
typedef struct cand {
    slot s;
    int32_t start, len;
} cand;

/* A column's span with its index, sorted by (start, len) for lookup. */
typedef struct keyed_span {
    int32_t start, len;
    size_t col;
} keyed_span;

typedef struct fetch_ctx {
    size_t na, np, nm;
    int32_t m0;                 /* first month of the month table */
    int32_t *row_of;            /* area id -> row, -1 if not in the grid */
    slot *month;                /* na * nm, row-major */
    slot *exact;                /* na * np, column-major like the grid */
    keyed_span *keys;           /* np, sorted */
    const pmf_engine_batches *b;
    const pmf_engine_span *spans;
    int borrow;                 /* a level (last, mean): may borrow (engine.h) */
    cand *contain, *carry;      /* na * np each, column-major; NULL unless borrow */
    unsigned char *inside;      /* na * np: a figure lies within the column */
} fetch_ctx;

static void span_range(const pmf_engine_span *spans, size_t np, int32_t *m0, int32_t *m1) {
    size_t j;
    *m0 = np ? spans[0].start : 0;
    *m1 = *m0;
    for (j = 0; j < np; j++) {
        if (spans[j].start < *m0) *m0 = spans[j].start;
        if (spans[j].start + spans[j].len > *m1) *m1 = spans[j].start + spans[j].len;
    }
}

#define ALIGN8(x) (((x) + 7) & ~(size_t)7)

static int borrows(pmf_engine_agg agg) {
    return agg == PMF_ENGINE_LAST || agg == PMF_ENGINE_MEAN;
}

size_t pmf_engine_fetch_scratch(size_t na, const pmf_engine_span *spans, size_t np,
                                int64_t max_area_id, pmf_engine_agg agg) {
    int32_t m0, m1;
    size_t size;
    span_range(spans, np, &m0, &m1);
    size = ALIGN8((size_t)(max_area_id + 1) * sizeof(int32_t)) +
           na * (size_t)(m1 - m0) * sizeof(slot) + na * np * sizeof(slot) +
           ALIGN8(np * sizeof(keyed_span));
    if (borrows(agg)) size += 2 * na * np * sizeof(cand) + na * np;
    return size;
}

static int key_cmp(const keyed_span *a, int32_t start, int32_t len) {
    if (a->start != start) return a->start < start ? -1 : 1;
    if (a->len != len) return a->len < len ? -1 : 1;
    return 0;
}

/* Insertion sort: the columns are few and usually already in order. */
static void sort_keys(keyed_span *k, size_t n) {
    size_t i, j;
    for (i = 1; i < n; i++) {
        keyed_span x = k[i];
        for (j = i; j > 0 && key_cmp(&k[j - 1], x.start, x.len) > 0; j--) k[j] = k[j - 1];
        k[j] = x;
    }
}

/* Keep the row's version in s if it is later than the one held. */
static void offer(slot *s, double v, double num, double den, int64_t ms, int64_t batch,
                  unsigned char flags) {
    if (s->has && (s->ms > ms || (s->ms == ms && s->batch > batch))) return;
    s->v = v;
    s->num = num;
    s->den = den;
    s->ms = ms;
    s->batch = batch;
    s->flags = flags;
    s->has = 1;
}

/* Offer a row to a borrowing candidate: it replaces the one held when its span is preferred
 * (carry: the later end, then the shorter; else the shorter, then the later start), or it
 * is a later version of the same span. */
static void offer_cand(cand *k, int carry, int32_t start, int32_t len, double v, double num,
                       double den, int64_t ms, int64_t batch, unsigned char flags) {
    if (k->s.has && (k->start != start || k->len != len)) {
        int32_t end = start + len, kend = k->start + k->len;
        int better = carry ? (end > kend || (end == kend && len < k->len))
                           : (len < k->len || (len == k->len && start > k->start));
        if (!better) return;
        k->s.has = 0;
    }
    offer(&k->s, v, num, den, ms, batch, flags);
    k->start = start;
    k->len = len;
}

/* A level's row against every column: inside it, containing it, or before it (engine.h). */
static void take_level(fetch_ctx *c, size_t i, int32_t start, int32_t len, double v,
                       double num, double den, int64_t ms, int64_t batch, unsigned char flags) {
    int32_t end = start + len;
    size_t j;
    for (j = 0; j < c->np; j++) {
        int32_t cs = c->spans[j].start, ce = cs + c->spans[j].len;
        size_t at = j * c->na + i;
        if (start >= cs && end <= ce) {
            if (!isnan(v)) c->inside[at] = 1;
        } else if (start <= cs && end >= ce) {
            offer_cand(&c->contain[at], 0, start, len, v, num, den, ms, batch, flags);
        } else if (end <= cs && end > cs - PMF_ENGINE_CARRY_MONTHS) {
            offer_cand(&c->carry[at], 1, start, len, v, num, den, ms, batch, flags);
        }
    }
}

/* One observation row of grid row i. */
static void take_row(fetch_ctx *c, size_t i, sqlite3_stmt *st, int col0) {
    int32_t start = sqlite3_column_int(st, col0), len = sqlite3_column_int(st, col0 + 1);
    int64_t batch = sqlite3_column_int64(st, col0 + 2), ms;
    double v, num, den;
    unsigned char flags;
    size_t lo = 0, hi = c->np;
    if (batch < 0 || batch >= c->b->n || (ms = c->b->ms[batch]) < 0) return;
    v = sqlite3_column_type(st, col0 + 3) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col0 + 3);
    num = sqlite3_column_type(st, col0 + 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col0 + 4);
    den = sqlite3_column_type(st, col0 + 5) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col0 + 5);
    flags = (unsigned char)(sqlite3_column_int(st, col0 + 6) & 15);
    if (len == 1 && start >= c->m0 && (size_t)(start - c->m0) < c->nm)
        offer(&c->month[i * c->nm + (size_t)(start - c->m0)], v, num, den, ms, batch, flags);
    while (lo < hi) {                           /* first key >= (start, len) */
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(&c->keys[mid], start, len) < 0) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < c->np && key_cmp(&c->keys[lo], start, len) == 0; lo++)
        offer(&c->exact[c->keys[lo].col * c->na + i], v, num, den, ms, batch, flags);
    if (c->borrow) take_level(c, i, start, len, v, num, den, ms, batch, flags);
}

/* Cell `at` of a level with no figure within its column: the containing figure, else the
 * carried one (PMF_ENGINE_CARRIED); nothing when neither has a value. */
static void borrow(const fetch_ctx *c, size_t at, pmf_engine_grid *g) {
    const cand *k = &c->contain[at];
    unsigned char extra = 0;
    if (!k->s.has || isnan(k->s.v)) {
        k = &c->carry[at];
        extra = PMF_ENGINE_CARRIED;
    }
    if (!k->s.has || !isfinite(k->s.v)) return;
    g->value[at] = k->s.v;
    g->flags[at] = (unsigned char)(k->s.flags | extra);
    g->rec[at] = k->s.ms;
}

/* Column j of row i from the months within its span. */
static void aggregate(const fetch_ctx *c, pmf_engine_agg agg, size_t i, pmf_engine_span sp,
                      double *value, unsigned char *flags, int64_t *rec) {
    const slot *m = c->month + i * c->nm + (size_t)(sp.start - c->m0);
    double acc = 0, num = 0, den = 0, scale = NAN;
    int32_t k, present = 0, ratio_parts = 0;
    unsigned char f = 0;
    int64_t r = 0;
    for (k = 0; k < sp.len; k++) {
        double v = m[k].v;
        if (!m[k].has || isnan(v)) continue;
        f |= m[k].flags;
        if (m[k].ms > r) r = m[k].ms;
        switch (agg) {
        case PMF_ENGINE_SUM:
        case PMF_ENGINE_MEAN: acc += v; break;
        case PMF_ENGINE_LAST: acc = v; break;
        case PMF_ENGINE_MIN:  if (present == 0 || v < acc) acc = v; break;
        case PMF_ENGINE_MAX:  if (present == 0 || v > acc) acc = v; break;
        default:
            if (!isnan(m[k].num) && !isnan(m[k].den)) {
                num += m[k].num;
                den += m[k].den;
                ratio_parts++;
                if (isnan(scale) && m[k].num != 0 && m[k].den != 0)
                    scale = v * m[k].den / m[k].num;
            }
            break;
        }
        present++;
    }
    if (present < sp.len) f |= PMF_ENGINE_INCOMPLETE;
    *flags = f;
    *rec = r;
    if (present == 0) {
        *value = NAN;
        return;
    }
    switch (agg) {
    case PMF_ENGINE_MEAN: acc /= present; break;
    case PMF_ENGINE_RATIO:
        if (ratio_parts == 0 || den == 0) acc = NAN;
        else acc = (isnan(scale) ? 1.0 : scale) * num / den;
        break;
    default: break;
    }
    *value = isfinite(acc) ? acc : NAN;
}

int pmf_engine_fetch(sqlite3 *db, int64_t metric, pmf_engine_agg agg, const int64_t *area_id,
                     int64_t max_area_id, const pmf_engine_span *spans,
                     const pmf_engine_batches *b, void *scratch, pmf_engine_grid *g) {
    static const char *const by_area =
        "SELECT start, len, batch, value, numerator, denominator, flags FROM observation"
        " WHERE metric = ?1 AND area = ?2 AND breakdown = '' AND start >= ?3 AND start < ?4";
    static const char *const by_metric =
        "SELECT area, start, len, batch, value, numerator, denominator, flags FROM observation"
        " WHERE metric = ?1 AND breakdown = '' AND start >= ?3 AND start < ?4";
    fetch_ctx c;
    sqlite3_stmt *st = NULL;
    unsigned char *p = scratch;
    int32_t m1;
    size_t i, j, nid = (size_t)(max_area_id + 1);
    int rc, scan_all = g->na > 16;

    c.na = g->na;
    c.np = g->np;
    c.b = b;
    span_range(spans, c.np, &c.m0, &m1);
    c.nm = (size_t)(m1 - c.m0);
    c.row_of = (int32_t *)(void *)p;
    p += ALIGN8(nid * sizeof(int32_t));
    c.month = (slot *)(void *)p;
    p += c.na * c.nm * sizeof(slot);
    c.exact = (slot *)(void *)p;
    p += c.na * c.np * sizeof(slot);
    c.keys = (keyed_span *)(void *)p;
    p += ALIGN8(c.np * sizeof(keyed_span));
    c.spans = spans;
    c.borrow = borrows(agg);
    c.contain = c.carry = NULL;
    c.inside = NULL;
    if (c.borrow) {
        c.contain = (cand *)(void *)p;
        p += c.na * c.np * sizeof(cand);
        c.carry = (cand *)(void *)p;
        p += c.na * c.np * sizeof(cand);
        c.inside = p;
        memset(c.contain, 0, 2 * c.na * c.np * sizeof(cand) + c.na * c.np);
    }
    memset(c.month, 0, c.na * c.nm * sizeof(slot));
    memset(c.exact, 0, c.na * c.np * sizeof(slot));
    for (i = 0; i < nid; i++) c.row_of[i] = -1;
    for (i = 0; i < c.na; i++)
        if (area_id[i] >= 0 && area_id[i] <= max_area_id) c.row_of[area_id[i]] = (int32_t)i;
    for (j = 0; j < c.np; j++) {
        c.keys[j].start = spans[j].start;
        c.keys[j].len = spans[j].len;
        c.keys[j].col = j;
    }
    sort_keys(c.keys, c.np);

    rc = sqlite3_prepare_v2(db, scan_all ? by_metric : by_area, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, metric);
    sqlite3_bind_int(st, 3, c.borrow ? c.m0 - PMF_ENGINE_LOOKBACK : c.m0);
    sqlite3_bind_int(st, 4, m1);
    if (scan_all) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t a = sqlite3_column_int64(st, 0);
            if (a >= 0 && a <= max_area_id && c.row_of[a] >= 0)
                take_row(&c, (size_t)c.row_of[a], st, 1);
        }
    } else {
        rc = SQLITE_DONE;
        for (i = 0; i < c.na && rc == SQLITE_DONE; i++) {
            if (area_id[i] < 0) continue;
            sqlite3_bind_int64(st, 2, area_id[i]);
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) take_row(&c, i, st, 0);
            sqlite3_reset(st);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return rc;

    for (j = 0; j < c.np; j++) {
        for (i = 0; i < c.na; i++) {
            size_t at = j * c.na + i;
            const slot *e = &c.exact[at];
            if (e->has) {
                g->value[at] = isfinite(e->v) ? e->v : NAN;
                g->flags[at] = e->flags;
                g->rec[at] = e->ms;
            } else {
                aggregate(&c, agg, i, spans[j], &g->value[at], &g->flags[at], &g->rec[at]);
                if (c.borrow && !c.inside[at]) borrow(&c, at, g);
            }
        }
    }
    return SQLITE_OK;
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
            unsigned char f = a->flags[i];
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
            if (op != PMF_ENGINE_COPY) {
                f |= b->flags[i];
                if (b->rec[i] > rec) rec = b->rec[i];
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
                out->flags[i] |= PMF_ENGINE_SUPPRESSED;
            }
    }
}

void pmf_engine_rate(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *cols,
                     size_t ncols) {
    size_t k, na = g->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        pmf_rag_rate_many(rule, g->value + base, g->target + base, 1, na, g->status + base);
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
        pmf_rag_dot_many(rule, g->value + base, g->value + before[k] * na, na, threshold,
                         out + base);
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

static pmf_engine_stat summarise(pmf_rag_bench b, const pmf_rag_slot *sorted) {
    pmf_engine_stat st;
    st.n = b.n;
    st.median = b.median;
    st.mean = b.mean;
    st.q1 = percentile(sorted, b.n, 0.25);
    st.q3 = percentile(sorted, b.n, 0.75);
    return st;
}

void pmf_engine_benchmark(const pmf_rag_rule *rule, pmf_engine_grid *g, const size_t *rows,
                          size_t nrows, const size_t *cols, size_t ncols, pmf_engine_stat *stat,
                          pmf_rag_slot *slots, double *vals, int *rank) {
    size_t k, i, m, na = g->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        pmf_rag_bench b;
        for (m = 0; m < nrows; m++) vals[m] = g->value[base + rows[m]];
        b = pmf_rag_benchmark(rule, vals, nrows, slots, rank, NULL);
        stat[cols[k]] = summarise(b, slots);
        for (i = 0; i < na; i++) {
            g->rank[base + i] = -1;             /* not a member yet */
            g->quartile[base + i] = 0;
        }
        for (m = 0; m < nrows; m++) {
            g->rank[base + rows[m]] = rank[m];
            g->quartile[base + rows[m]] = pmf_rag_quartile(rank[m], b.n);
        }
        for (i = 0; i < na; i++) {
            if (g->rank[base + i] >= 0) continue;
            g->rank[base + i] = pmf_rag_rank_of(rule, g->value[base + i], vals, nrows, NULL);
            g->quartile[base + i] = pmf_rag_quartile(g->rank[base + i], b.n);
        }
    }
}

pmf_engine_stat pmf_engine_stats(const pmf_engine_grid *g, const size_t *rows, size_t nrows,
                                 size_t col, pmf_rag_slot *slots, double *vals) {
    pmf_rag_rule up;
    size_t m, base = col * g->na;
    pmf_rag_rule_init(&up, PMF_RAG_UP);
    for (m = 0; m < nrows; m++) vals[m] = g->value[base + rows[m]];
    return summarise(pmf_rag_benchmark(&up, vals, nrows, slots, NULL, NULL), slots);
}

void pmf_engine_late(pmf_engine_grid *g, const size_t *cols, const int64_t *deadline_ms,
                     size_t ncols) {
    size_t k, i, na = g->na;
    for (k = 0; k < ncols; k++) {
        size_t base = cols[k] * na;
        for (i = base; i < base + na; i++)
            if (g->rec[i] > deadline_ms[k]) g->flags[i] |= PMF_ENGINE_LATE;
    }
}
