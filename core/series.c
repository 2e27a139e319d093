/*
 * core/series.c: metric time series (see series.h for the rules).
 *
 * Design decisions:
 *
 * - One range scan on the observation table's primary key per (metric, area, breakdown):
 *   rows arrive ordered by (start, len, batch), so all versions of one figure are adjacent
 *   and the one in force is picked in C while streaming.  Visibility at the cutoff comes
 *   either from a join to `batch` (single series: no set-up cost) or from the batch view
 *   loaded once (bulk reads: an array lookup per row instead of a b-tree search).  Both
 *   order versions by (recorded_ms, batch id), so they agree.
 *
 * - Combining is separate from reading (pmf_series_combine works on any sorted array of
 *   figures), so the single value, the matrix and the whole-table aggregation share one
 *   implementation of the rules.
 *
 * - Memory: the handle owns one figure buffer that grows by doubling and is reused; nothing
 *   is allocated per row.
 */
#include "series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct pmf_series {
    pmf_store *store;
    int64_t cutoff_ms;
    sqlite3_stmt *fetch;          /* joined to batch, or plain when the view is loaded */
    pmf_batch_view view;          /* rank == NULL unless bulk */
    pmf_obs *buf;
    size_t n, cap;
};

static const char *const agg_names[] = {"sum", "mean", "last", "min", "max", "ratio"};

const char *pmf_agg_name(int agg) {
    return agg >= 0 && agg < PMF_AGG_NKINDS ? agg_names[agg] : NULL;
}

int pmf_agg_from_name(const char *name) {
    for (int i = 0; name && i < PMF_AGG_NKINDS; i++)
        if (strcmp(name, agg_names[i]) == 0) return i;
    return -1;
}

const char *pmf_series_status_message(int status) {
    switch (status) {
    case PMF_SERIES_OK: return "ok";
    case PMF_SERIES_NODATA: return "no data for the period";
    case PMF_SERIES_NORATIO:
        return "ratio unavailable: a figure has no numerator or denominator";
    case PMF_SERIES_ZERODEN: return "ratio unavailable: the denominators sum to zero";
    default: return "unknown status";
    }
}

static int32_t posmod(int32_t a, int32_t m) {
    int32_t r = a % m;
    return r < 0 ? r + m : r;
}

int32_t pmf_series_block_start(int32_t m, int32_t len, int year_start) {
    if (len <= 1) return m;
    if (12 % len == 0) return m - posmod(m - (year_start - 1), len);
    return m - posmod(m, len);
}

/* ---------------------------------------------------------------------------------------
 * Combining.
 * ------------------------------------------------------------------------------------- */

/* Index of the first figure starting at or after month m. */
static size_t lower_bound(const pmf_obs *obs, size_t n, int32_t m) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (obs[mid].start < m) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* Fold one figure into the running result. */
static void fold(pmf_agg_result *r, const pmf_obs *o, int agg, double *wsum) {
    double v = o->value;
    if (r->nfig == 0) {
        r->value = agg == PMF_AGG_MEAN ? v * o->len : v;
        r->numerator = o->numerator;
        r->denominator = o->denominator;
    } else {
        switch (agg) {
        case PMF_AGG_SUM: r->value += v; break;
        case PMF_AGG_MEAN: r->value += v * o->len; break;
        case PMF_AGG_LAST: r->value = v; break;     /* figures come in order of start */
        case PMF_AGG_MIN: if (v < r->value) r->value = v; break;
        case PMF_AGG_MAX: if (v > r->value) r->value = v; break;
        default: break;
        }
        r->numerator += o->numerator;           /* NaN stays NaN: one missing spoils it */
        r->denominator += o->denominator;
    }
    *wsum += o->len;
    r->nfig++;
    r->months += o->len;
    r->flags |= o->flags;
}

void pmf_series_combine(const pmf_obs *obs, size_t n, int agg, int32_t start, int32_t len,
                        pmf_agg_result *out) {
    int64_t end = (int64_t)start + len;
    double wsum = 0;
    memset(out, 0, sizeof *out);
    out->value = out->numerator = out->denominator = NAN;
    out->expected = len;
    out->status = PMF_SERIES_NODATA;
    size_t i = lower_bound(obs, n, start);
    /* A figure with exactly the period's span wins. */
    for (size_t j = i; j < n && obs[j].start == start; j++)
        if (obs[j].len == len) {
            fold(out, &obs[j], agg == PMF_AGG_MEAN ? PMF_AGG_SUM : agg, &wsum);
            out->exact = 1;
            out->status = PMF_SERIES_OK;
            return;
        }
    /* Otherwise cover the period greedily with the longest figure starting at each month. */
    int64_t m = start;
    while (i < n && obs[i].start < end) {
        int32_t s = obs[i].start;
        size_t best = n;
        for (; i < n && obs[i].start == s; i++)
            if (s >= m && (int64_t)s + obs[i].len <= end) best = i;   /* longest fitting */
        if (best == n) continue;
        fold(out, &obs[best], agg, &wsum);
        m = (int64_t)s + obs[best].len;
    }
    if (out->nfig == 0) return;
    out->status = PMF_SERIES_OK;
    if (agg == PMF_AGG_MEAN) {
        out->value /= wsum;
    } else if (agg == PMF_AGG_RATIO) {
        if (isnan(out->numerator) || isnan(out->denominator)) {
            out->status = PMF_SERIES_NORATIO;
            out->value = NAN;
        } else if (out->denominator == 0) {
            out->status = PMF_SERIES_ZERODEN;
            out->value = NAN;
        } else {
            out->value = out->numerator / out->denominator;
        }
    }
}

void pmf_series_borrow(const pmf_obs *obs, size_t n, int agg, int32_t start, int32_t len,
                       pmf_agg_result *out) {
    int64_t end = (int64_t)start + len;
    const pmf_obs *in = NULL, *car = NULL;
    if (out->status != PMF_SERIES_NODATA || (agg != PMF_AGG_LAST && agg != PMF_AGG_MEAN))
        return;
    for (size_t i = 0; i < n; i++) {
        const pmf_obs *o = &obs[i];
        int64_t oe = (int64_t)o->start + o->len;
        if (o->start >= start && oe <= end) return;     /* within: not a case for borrowing */
        if (o->start <= start && oe >= end) {
            if (!in || o->len < in->len || (o->len == in->len && o->start > in->start)) in = o;
        } else if (oe <= start && oe > (int64_t)start - PMF_SERIES_CARRY_MONTHS) {
            int64_t ce = car ? (int64_t)car->start + car->len : 0;
            if (!car || oe > ce || (oe == ce && o->len < car->len)) car = o;
        }
    }
    const pmf_obs *k = in ? in : car;
    if (!k) return;
    out->value = k->value;
    out->numerator = k->numerator;
    out->denominator = k->denominator;
    out->nfig = 1;
    out->months = in ? len : 0;
    out->status = PMF_SERIES_OK;
    out->borrowed = in ? PMF_SERIES_CONTAINING : PMF_SERIES_CARRIED;
    out->flags = k->flags | (in ? 0 : PMF_SERIES_FLAG_CARRIED);
}

/* ---------------------------------------------------------------------------------------
 * Reading.
 * ------------------------------------------------------------------------------------- */

static const char fetch_joined_sql[] =
    "SELECT o.start, o.len, o.value, o.numerator, o.denominator, o.flags, "
    "       b.recorded_ms, o.batch "
    "  FROM observation o JOIN batch b ON b.id = o.batch "
    " WHERE o.metric = ?1 AND o.area = ?2 AND o.breakdown = ?3 "
    "   AND o.start >= ?4 AND o.start <= ?5 AND b.recorded_ms <= ?6 "
    " ORDER BY o.start, o.len";

static const char fetch_plain_sql[] =
    "SELECT start, len, value, numerator, denominator, flags, 0, batch "
    "  FROM observation "
    " WHERE metric = ?1 AND area = ?2 AND breakdown = ?3 AND start >= ?4 AND start <= ?5 "
    " ORDER BY start, len";

pmf_series *pmf_series_open(pmf_store *s, int64_t cutoff_ms, int bulk) {
    pmf_series *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->store = s;
    x->cutoff_ms = cutoff_ms;
    sqlite3 *db = pmf_store_db(s);
    if ((bulk && pmf_batch_view_load(s, cutoff_ms, &x->view) != 0) ||
        sqlite3_prepare_v2(db, bulk ? fetch_plain_sql : fetch_joined_sql, -1, &x->fetch,
                           NULL) != SQLITE_OK) {
        pmf_series_close(x);
        return NULL;
    }
    return x;
}

void pmf_series_close(pmf_series *x) {
    if (!x) return;
    sqlite3_finalize(x->fetch);
    pmf_batch_view_free(&x->view);
    free(x->buf);
    free(x);
}

int pmf_series_metric(pmf_series *x, const char *code, int64_t *id, int *agg) {
    /* The rule in force at the series' cutoff (metric definitions are versioned: store.h). */
    pmf_metric_def d;
    int found = pmf_store_metric_def(x->store, code, 0, x->cutoff_ms, &d);
    if (found == 1) {
        *id = d.id;
        *agg = pmf_agg_from_name(d.aggregation);
        if (*agg < 0) *agg = PMF_AGG_SUM;
    }
    pmf_metric_def_free(&d);
    return found;
}

static double column_double(sqlite3_stmt *st, int i) {
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Append the version in force of one span, unless it withdraws the figure. */
static int emit(pmf_obs **buf, size_t *n, size_t *cap, const pmf_obs *o) {
    pmf_obs f = *o;
    if (isnan(f.value)) {
        if (isnan(f.numerator) || isnan(f.denominator) || f.denominator == 0) return 0;
        f.value = f.numerator / f.denominator;
    }
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        pmf_obs *nb = realloc(*buf, nc * sizeof *nb);
        if (!nb) return -1;
        *buf = nb;
        *cap = nc;
    }
    (*buf)[(*n)++] = f;
    return 0;
}

/* The visibility key of a row: (rank, 0) from the view, (recorded_ms, batch) from the join;
 * a row not visible at the cutoff gets 0. */
static int row_key(const pmf_series *x, sqlite3_stmt *st, int64_t *k1, int64_t *k2) {
    int64_t batch = sqlite3_column_int64(st, 7);
    if (x->view.rank) {
        *k1 = batch > 0 && batch < x->view.nbatch ? x->view.rank[batch] : 0;
        *k2 = 0;
        return *k1 > 0;
    }
    *k1 = sqlite3_column_int64(st, 6);
    *k2 = batch;
    return 1;
}

/* The figures starting in [from, to]; those ending after `to` too when overhang is set. */
static const pmf_obs *fetch_figures(pmf_series *x, int64_t metric, int64_t area,
                                    const char *breakdown, int32_t from, int32_t to,
                                    int overhang, size_t *n) {
    sqlite3_stmt *st = x->fetch;
    *n = 0;
    x->n = 0;
    sqlite3_bind_int64(st, 1, metric);
    sqlite3_bind_int64(st, 2, area);
    sqlite3_bind_text(st, 3, breakdown ? breakdown : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, from);
    sqlite3_bind_int(st, 5, to);
    if (!x->view.rank) sqlite3_bind_int64(st, 6, x->cutoff_ms);
    pmf_obs cur = {0};
    int64_t ck1 = 0, ck2 = 0, k1, k2;
    int have = 0, rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t s = sqlite3_column_int(st, 0), len = sqlite3_column_int(st, 1);
        if (len < 1 || (!overhang && (int64_t)s + len - 1 > to) || !row_key(x, st, &k1, &k2))
            continue;
        if (have && cur.start == s && cur.len == len &&
            (k1 < ck1 || (k1 == ck1 && k2 <= ck2)))
            continue;                                   /* an older version */
        if (have && (cur.start != s || cur.len != len) &&
            emit(&x->buf, &x->n, &x->cap, &cur) != 0) {
            err = 1;
            break;
        }
        cur.start = s;
        cur.len = len;
        cur.value = column_double(st, 2);
        cur.numerator = column_double(st, 3);
        cur.denominator = column_double(st, 4);
        cur.flags = sqlite3_column_int64(st, 5);
        ck1 = k1;
        ck2 = k2;
        have = 1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (err || (rc != SQLITE_DONE && rc != SQLITE_ROW) ||
        (have && emit(&x->buf, &x->n, &x->cap, &cur) != 0)) {
        x->n = 0;
        return NULL;
    }
    *n = x->n;
    return x->buf ? x->buf : (const pmf_obs *)&x->n;   /* never NULL on success */
}

const pmf_obs *pmf_series_fetch(pmf_series *x, int64_t metric, int64_t area,
                                const char *breakdown, int32_t from, int32_t to, size_t *n) {
    return fetch_figures(x, metric, area, breakdown, from, to, 0, n);
}

static int is_level(int agg) {
    return agg == PMF_AGG_LAST || agg == PMF_AGG_MEAN;
}

int pmf_series_value(pmf_series *x, int64_t metric, int agg, int64_t area,
                     const char *breakdown, int32_t start, int32_t len, pmf_agg_result *out) {
    size_t n;
    int level = is_level(agg);
    const pmf_obs *obs = fetch_figures(x, metric, area, breakdown,
                                       level ? start - PMF_SERIES_LOOKBACK : start,
                                       start + len - 1, level, &n);
    if (!obs) return -1;
    pmf_series_combine(obs, n, agg, start, len, out);
    pmf_series_borrow(obs, n, agg, start, len, out);
    return 0;
}

int pmf_series_matrix(pmf_series *x, int64_t metric, int agg, const int64_t *areas,
                      size_t nareas, const char *breakdown, const pmf_period *periods,
                      size_t nperiods, pmf_agg_result *out) {
    if (nperiods == 0) return 0;
    int32_t lo = periods[0].start, hi = periods[0].start + periods[0].len - 1;
    for (size_t p = 1; p < nperiods; p++) {
        if (periods[p].start < lo) lo = periods[p].start;
        if (periods[p].start + periods[p].len - 1 > hi) hi = periods[p].start + periods[p].len - 1;
    }
    int level = is_level(agg);
    if (level) lo -= PMF_SERIES_LOOKBACK;
    for (size_t a = 0; a < nareas; a++) {
        size_t n;
        const pmf_obs *obs = fetch_figures(x, metric, areas[a], breakdown, lo, hi, level, &n);
        if (!obs) return -1;
        for (size_t p = 0; p < nperiods; p++) {
            pmf_series_combine(obs, n, agg, periods[p].start, periods[p].len,
                               &out[a * nperiods + p]);
            pmf_series_borrow(obs, n, agg, periods[p].start, periods[p].len,
                              &out[a * nperiods + p]);
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Whole-table aggregation.
 * ------------------------------------------------------------------------------------- */

/* Streaming state of pmf_series_aggregate_all. */
typedef struct {
    int32_t len;
    int year_start;
    int agg;
    int32_t block;                /* first month of the block being filled; -1: none */
    pmf_series_totals *t;
} agg_state;

static void flush_block(pmf_series *x, agg_state *a) {
    if (a->block >= 0 && x->n > 0) {
        pmf_agg_result r;
        pmf_series_combine(x->buf, x->n, a->agg, a->block, a->len, &r);
        a->t->cells++;
        if (r.months == r.expected) a->t->complete++;
        if (r.status == PMF_SERIES_OK) a->t->checksum += r.value;
    }
    x->n = 0;
    a->block = -1;
}

/* Route a figure in force into its block, flushing the previous block when it changes. */
static int take(pmf_series *x, agg_state *a, const pmf_obs *o) {
    int32_t b = pmf_series_block_start(o->start, a->len, a->year_start);
    if ((int64_t)o->start + o->len > (int64_t)b + a->len) return 0;    /* straddles */
    if (b != a->block) {
        flush_block(x, a);
        a->block = b;
    }
    return emit(&x->buf, &x->n, &x->cap, o);
}

int pmf_series_aggregate_all(pmf_series *x, int32_t len, int year_start,
                             pmf_series_totals *out) {
    memset(out, 0, sizeof *out);
    if (len < 1 || year_start < 1 || year_start > 12) return -1;
    sqlite3 *db = pmf_store_db(x->store);
    pmf_batch_view tmp = {0, NULL};
    const pmf_batch_view *view = &x->view;
    int *aggs = NULL;
    int64_t naggs = 0;
    sqlite3_stmt *st = NULL;
    char *bd = NULL;              /* the current series' breakdown (grown, rarely) */
    size_t bdcap = 0;
    int rc = -1;
    if (!view->rank) {
        if (pmf_batch_view_load(x->store, x->cutoff_ms, &tmp) != 0) goto done;
        view = &tmp;
    }
    /* Each metric's rule, by id. */
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM metric", -1, &st, NULL) ||
        sqlite3_step(st) != SQLITE_ROW)
        goto done;
    naggs = sqlite3_column_int64(st, 0) + 1;
    sqlite3_finalize(st);
    st = NULL;
    if (!(aggs = calloc((size_t)naggs, sizeof *aggs))) goto done;
    for (int64_t id = 1; id < naggs; id++) {   /* the rule in force at the cutoff (store.h) */
        pmf_metric_def d;
        int found = pmf_store_metric_def(x->store, NULL, id, x->cutoff_ms, &d);
        if (found < 0) goto done;
        int agg = found ? pmf_agg_from_name(d.aggregation) : -1;
        aggs[id] = agg < 0 ? PMF_AGG_SUM : agg;
        pmf_metric_def_free(&d);
    }
    if (sqlite3_prepare_v2(db,
            "SELECT metric, area, breakdown, start, len, batch, value, numerator, denominator "
            "  FROM observation ORDER BY metric, area, breakdown, start, len",
            -1, &st, NULL) != SQLITE_OK)
        goto done;

    agg_state a = {len, year_start, PMF_AGG_SUM, -1, out};
    int64_t metric = -1, area = -1, crank = 0;
    int bdlen = -1;
    pmf_obs cur = {0};
    int have = 0, step;
    x->n = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        out->rows++;
        int64_t m = sqlite3_column_int64(st, 0), ar = sqlite3_column_int64(st, 1);
        const unsigned char *b = sqlite3_column_text(st, 2);
        int blen = sqlite3_column_bytes(st, 2);
        int32_t s = sqlite3_column_int(st, 3), l = sqlite3_column_int(st, 4);
        int64_t batch = sqlite3_column_int64(st, 5);
        int64_t r = batch > 0 && batch < view->nbatch ? view->rank[batch] : 0;
        if (r == 0 || l < 1) continue;
        if (m != metric || ar != area || blen != bdlen || (blen && memcmp(b, bd, (size_t)blen))) {
            /* a new series: finish the last one */
            if (have && take(x, &a, &cur) != 0) goto done;
            flush_block(x, &a);
            have = 0;
            metric = m;
            area = ar;
            a.agg = m >= 0 && m < naggs ? aggs[m] : PMF_AGG_SUM;
            if ((size_t)blen + 1 > bdcap) {
                char *nb = realloc(bd, (size_t)blen + 64);
                if (!nb) goto done;
                bd = nb;
                bdcap = (size_t)blen + 64;
            }
            if (blen) memcpy(bd, b, (size_t)blen);
            bdlen = blen;
        } else if (have && cur.start == s && cur.len == l) {
            if (r <= crank) continue;     /* an older version of the same figure */
        } else if (have && take(x, &a, &cur) != 0) {
            goto done;
        }
        cur.start = s;
        cur.len = l;
        cur.value = column_double(st, 6);
        if (a.agg == PMF_AGG_RATIO) {     /* the only rule that needs them here */
            cur.numerator = column_double(st, 7);
            cur.denominator = column_double(st, 8);
        } else {
            cur.numerator = cur.denominator = NAN;
        }
        cur.flags = 0;                    /* totals do not report flags */
        crank = r;
        have = 1;
    }
    if (step != SQLITE_DONE) goto done;
    if (have && take(x, &a, &cur) != 0) goto done;
    flush_block(x, &a);
    rc = 0;
done:
    sqlite3_finalize(st);
    free(bd);
    free(aggs);
    pmf_batch_view_free(&tmp);
    x->n = 0;
    return rc;
}

int pmf_series_raw_scan(pmf_store *s, int64_t *rows, double *checksum) {
    sqlite3_stmt *st;
    *rows = 0;
    *checksum = 0;
    if (sqlite3_prepare_v2(pmf_store_db(s), "SELECT metric, area, start, value FROM observation",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc;
    int64_t keys = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        keys += sqlite3_column_int64(st, 0) + sqlite3_column_int64(st, 1) +
                sqlite3_column_int(st, 2);
        *checksum += sqlite3_column_double(st, 3);
        (*rows)++;
    }
    sqlite3_finalize(st);
    (void)keys;
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------
 * Trend.
 * ------------------------------------------------------------------------------------- */

int pmf_series_trend(const double *x, const double *y, size_t n, pmf_trend *out) {
    double sx = 0, sy = 0;
    size_t k = 0;
    memset(out, 0, sizeof *out);
    out->slope = out->intercept = out->r2 = NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i]) && !isnan(x[i])) {
            sx += x[i];
            sy += y[i];
            k++;
        }
    out->n = k;
    if (k < 2) return -1;
    double mx = sx / (double)k, my = sy / (double)k, sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(y[i]) && !isnan(x[i])) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
    if (sxx == 0) return -1;
    out->slope = sxy / sxx;
    out->intercept = my - out->slope * mx;
    out->r2 = syy == 0 ? 1.0 : sxy * sxy / (sxx * syy);
    return 0;
}
