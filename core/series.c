/*
 * core/series.c: metric time series (see series.h).  No SQL here (store_read.c reads) and
 * no rules of its own (reader.c combines): this file shapes reads into values, matrices and
 * whole-table totals.  The arithmetic that needs no store (block starts, the trend line) is
 * core/series_math.c.
 *
 * Design decisions:
 * - The matrix reads, per area, only the windows its periods need (pmf_read_window),
 *   merged when they overlap or nearly touch (a gap of a few months costs less to read than
 *   a second seek), and evaluates each period on the window that holds it.
 * - The cache (pmf_series_cache) is a table per metric keyed by area id.  Rating one period
 *   at a time touches every comparator's series once per call, a few figures each: the cost
 *   is memory round trips, not arithmetic.  So a whole series of one figure a month (the
 *   common case) is kept in its metric's tiles (TILE_W series side by side, month by
 *   month), where one quarter of 32 comparators is three short runs of memory rather than
 *   32 series' scattered cache lines and pages; a matrix call reads a tile series after
 *   series from the first level caches.  Other series keep a sorted array each, whose
 *   first figure is found by guessing its index from the month.  The matrix prefetches a
 *   few areas ahead.  On tests/bench/bench_public.lua the 33 one-quarter calls went from
 *   1.33-1.43x the matrix's time to 1.04-1.09x (median of seven alternated pairs) with
 *   tiles of 32; tiles of 8, 16 and 64 were within the noise of it.  Building tiles costs
 *   both paths ~5-7% more instructions than copying each series whole; the memory saved
 *   pays for it.
 * - A series read a second time beyond its cached months is being walked (a report
 *   period after period): the rest of it in that direction is read in one range scan, so a
 *   walk costs two statements per series, not one per call (READ_ALL_BEFORE/AFTER).
 * - The KPI engine's Reader asks for values only (pmf_series_values_only): figures'
 *   numerators and denominators are read for `ratio` metrics only; each column costs every
 *   row read.  Each metric's cached figures remember what was read with them.
 * - With the cache on, the metric rules looked up are kept too, and dropped with the figures
 *   when the store's data changes (a report asks for the same few metrics thousands of
 *   times; each lookup is a query).  A matrix call holds one read transaction for its stamp
 *   check and all its reads (pmf_figures_hold): a statement on its own opens and closes one
 *   each time, a good part of the cost of a short range scan.  A caller making many calls
 *   (one rating call: a metric lookup and a matrix or two per KPI) holds once around them
 *   all (pmf_series_hold): one transaction and one stamp check for the lot.
 * - Whole-table aggregation streams the table in key order (pmf_figures_scan_all, asking
 *   numerator and denominator only of ratio metrics: a column costs every row) and combines
 *   each series' blocks with pmf_read_value, like every other caller, each block given only
 *   the figures that can count for it (not the series' whole history).
 */
#include "series.h"
#include "store_read.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The cached figures of one main series (metric, area): every figure starting in
 * [lo, hi], sorted; in obs[0..n) or, for a tiled series (col >= 0), in its metric's tiles. */
typedef struct cached {
    int64_t area;                 /* < 0: an empty slot */
    int32_t lo, hi;
    int32_t first;                /* obs[0].start (when n > 0): where the figures begin */
    int32_t col;                  /* >= 0: its column in the metric's tiles (obs NULL) */
    pmf_obs *obs;
    size_t n, cap;
} cached;

/* Tiles: the whole series of a metric that hold one figure a month (every figure one month
 * long, none twice), TILE_W series side by side, month by month: row r of a tile is month
 * m0 + r, one entry per series (an absent figure: len 0).  A call rating one quarter reads
 * three rows of each tile, one short run of memory for TILE_W comparators, where each
 * series apart would be a few scattered cache lines and a page of its own; a matrix call
 * reads a tile whole, series after series, from the first level caches. */
#define TILE_W 32
#define TILE_W0 4                 /* a tile's first width, doubled as series come: a metric of
                                   * a few series (a council's own) wastes little room */
typedef struct tile {
    int32_t m0, m1;               /* months held (rows m1 - m0 + 1); no data: m1 < m0 */
    size_t w;                     /* entries a row (TILE_W0 .. TILE_W) */
    unsigned char *data;          /* rows x w entries of esz bytes */
} tile;

/* An entry of a tile; with numerators and denominators (ratio metrics), tent_parts. */
typedef struct tent {
    double value;
    int64_t rec;
    uint32_t flags;
    int32_t len;                  /* 1, or 0: no figure for the month */
} tent;
typedef struct tent_parts {
    tent t;
    double numerator, denominator;
} tent_parts;

/* The rows a tile holds (0 before its first series). */
static size_t tile_rows(const tile *tl) {
    return tl->m1 < tl->m0 ? 0 : (size_t)((int64_t)tl->m1 - tl->m0 + 1);
}

/* The size of a tile entry for figures read with `want` (PMF_FIG_* bits). */
static size_t entry_size(int want) {
    return want & PMF_FIG_PARTS ? sizeof(tent_parts) : sizeof(tent);
}

/* One metric's cached series: open addressing on the area id (identity hash, linear
 * probing), so the areas of a matrix call, whose ids are mostly consecutive, sit side by
 * side in memory. */
typedef struct mcache {
    int64_t metric;
    int want;                     /* PMF_FIG_* bits its figures were read with */
    cached *tab;
    size_t cap, n;
    tile *tiles;                  /* column c is in tiles[c / TILE_W] */
    size_t ntiles, captiles, ncols, esz;    /* esz: sizeof (tent) or sizeof (tent_parts), by want */
} mcache;

/* A metric's id and read rule by code, as pmf_store_metric_rule gave them (found: 1 or 0). */
typedef struct crule {
    char *code;
    int64_t id;
    pmf_read_rule rule;
    int found;
} crule;

struct pmf_series {
    pmf_store *store;
    int64_t cutoff_ms;            /* the view's date: metric rules are those in force then */
    pmf_figures *fig;
    const char *error;
    mcache *mets;                 /* NULL: no cache */
    size_t nmets, capmets, figures, max_figures;
    int64_t stamp[2];
    int values_only;              /* pmf_series_values_only */
    crule *rules;                 /* with the cache: metric rules looked up, until a write */
    size_t nrules, caprules;
    int held;                     /* pmf_series_hold depth: checked and holding when > 0 */
    int64_t generation;           /* + 1 each time the data may have changed (cache_check) */
    pmf_obs *scratch;             /* a tiled series' figures, as read_main returns them */
    size_t capscratch;
};

pmf_series *pmf_series_open(pmf_store *s, int64_t cutoff_ms) {
    pmf_series *x = calloc(1, sizeof *x);
    if (!x) return NULL;
    x->store = s;
    x->cutoff_ms = cutoff_ms;
    if (!(x->fig = pmf_figures_open(s, cutoff_ms))) {
        free(x);
        return NULL;
    }
    return x;
}

/* Empty a metric's table of series (keeping its slots); the figures and tile entries it
 * held. */
static size_t mcache_empty(mcache *mc) {
    size_t held = 0;
    for (size_t t = 0; t < mc->ntiles; t++) held += tile_rows(&mc->tiles[t]) * mc->tiles[t].w;
    for (size_t i = 0; i < mc->cap; i++) {
        if (mc->tab[i].area >= 0 && mc->tab[i].col < 0) held += mc->tab[i].n;
        free(mc->tab[i].obs);
        memset(&mc->tab[i], 0, sizeof mc->tab[i]);
        mc->tab[i].area = -1;
    }
    mc->n = 0;
    for (size_t t = 0; t < mc->ntiles; t++) free(mc->tiles[t].data);
    free(mc->tiles);
    mc->tiles = NULL;
    mc->ntiles = mc->captiles = mc->ncols = 0;
    return held;
}

static void cache_clear(pmf_series *x) {
    for (size_t m = 0; m < x->nmets; m++) mcache_empty(&x->mets[m]);
    x->figures = 0;
}

static void rules_clear(pmf_series *x) {
    for (size_t i = 0; i < x->nrules; i++) free(x->rules[i].code);
    x->nrules = 0;
}

void pmf_series_close(pmf_series *x) {
    if (!x) return;
    cache_clear(x);
    rules_clear(x);
    free(x->rules);
    for (size_t m = 0; m < x->nmets; m++) free(x->mets[m].tab);
    free(x->mets);
    free(x->scratch);
    pmf_figures_close(x->fig);
    free(x);
}

void pmf_series_values_only(pmf_series *x) { x->values_only = 1; }

int pmf_series_cache(pmf_series *x, size_t max_figures) {
    if (x->mets) return 0;
    x->capmets = 16;
    if (!(x->mets = calloc(x->capmets, sizeof *x->mets))) return -1;
    x->max_figures = max_figures;
    return pmf_figures_stamp(x->fig, x->stamp);
}

/* Drop the cache when the store's data may have changed. */
static int cache_check(pmf_series *x) {
    int64_t now[2];
    if (!x->mets) return 0;
    if (pmf_figures_stamp(x->fig, now) != 0) return -1;
    if (now[0] != x->stamp[0] || now[1] != x->stamp[1]) {
        if (pmf_figures_refresh(x->fig) != 0) return -1;     /* new batches become visible */
        cache_clear(x);
        rules_clear(x);                   /* a metric may have been (re)defined */
        x->generation++;
        x->stamp[0] = now[0];
        x->stamp[1] = now[1];
    }
    return 0;
}

int pmf_series_hold(pmf_series *x) {
    x->error = NULL;
    if (x->held > 0) {
        x->held++;
        return 0;
    }
    pmf_figures_hold(x->fig);
    if (cache_check(x) != 0) {
        pmf_figures_release(x->fig);
        return -1;
    }
    x->held = 1;
    return 0;
}

int64_t pmf_series_generation(const pmf_series *x) { return x->generation; }

void pmf_series_release(pmf_series *x) {
    if (x->held > 0 && --x->held == 0) pmf_figures_release(x->fig);
}

/* The metric's table of series (made on first use), its figures read with `want`;
 * NULL when out of memory.  A table read with less than `want` is emptied first (a metric's
 * rule decides `want`, and a rule changes only with the store's data, which drops the
 * cache: this is a guard, not a path). */
static mcache *metric_cache(pmf_series *x, int64_t metric, int want) {
    for (size_t m = 0; m < x->nmets; m++)
        if (x->mets[m].metric == metric) {
            mcache *mc = &x->mets[m];
            if ((mc->want & want) != want) {
                x->figures -= mcache_empty(mc);
                mc->want = want;
                mc->esz = entry_size(want);
            }
            return mc;
        }
    if (x->nmets == x->capmets) {
        mcache *nm = realloc(x->mets, x->capmets * 2 * sizeof *nm);
        if (!nm) return NULL;
        x->mets = nm;
        x->capmets *= 2;
    }
    mcache *mc = &x->mets[x->nmets];
    memset(mc, 0, sizeof *mc);
    mc->metric = metric;
    mc->want = want;
    mc->esz = entry_size(want);
    mc->cap = 512;
    if (!(mc->tab = malloc(mc->cap * sizeof *mc->tab))) return NULL;
    for (size_t i = 0; i < mc->cap; i++) {
        memset(&mc->tab[i], 0, sizeof mc->tab[i]);
        mc->tab[i].area = -1;
    }
    x->nmets++;
    return mc;
}

static size_t slot_of(const mcache *mc, int64_t area) {
    size_t i = (size_t)area & (mc->cap - 1);
    while (mc->tab[i].area >= 0 && mc->tab[i].area != area) i = (i + 1) & (mc->cap - 1);
    return i;
}

static int cache_grow(mcache *mc) {
    cached *old = mc->tab;
    size_t oldcap = mc->cap;
    cached *nt = malloc(oldcap * 2 * sizeof *nt);
    if (!nt) return -1;
    mc->tab = nt;
    mc->cap = oldcap * 2;
    for (size_t i = 0; i < mc->cap; i++) {
        memset(&nt[i], 0, sizeof nt[i]);
        nt[i].area = -1;
    }
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].area >= 0) mc->tab[slot_of(mc, old[i].area)] = old[i];
    free(old);
    return 0;
}

/* Add figures obs[0..n) (all starting before e->lo when front, after e->hi otherwise). */
static int cache_add(pmf_series *x, cached *e, const pmf_obs *obs, size_t n, int front) {
    if (n == 0) return 0;
    if (e->n + n > e->cap) {
        size_t nc = e->cap ? e->cap : 16;
        while (nc < e->n + n) nc *= 2;
        pmf_obs *nb = realloc(e->obs, nc * sizeof *nb);
        if (!nb) return -1;
        e->obs = nb;
        e->cap = nc;
    }
    if (front) {
        memmove(e->obs + n, e->obs, e->n * sizeof *e->obs);
        memcpy(e->obs, obs, n * sizeof *obs);
    } else {
        memcpy(e->obs + e->n, obs, n * sizeof *obs);
    }
    e->n += n;
    e->first = e->obs[0].start;
    x->figures += n;
    return 0;
}

/* Whether a whole series obs[0..n) can be tiled: one figure a month, none twice, not so
 * sparse that most of its rows would be empty, and nothing a tile entry cannot hold. */
static int tile_fits(const mcache *mc, const pmf_obs *obs, size_t n) {
    if (n == 0 || (int64_t)obs[n - 1].start - obs[0].start + 1 > 2 * (int64_t)n + 12) return 0;
    for (size_t i = 0; i < n; i++) {
        if (obs[i].len != 1 || (i > 0 && obs[i].start <= obs[i - 1].start) ||
            obs[i].flags < 0 || obs[i].flags > (int64_t)UINT32_MAX)
            return 0;
        if (mc->esz == sizeof(tent) && !(isnan(obs[i].numerator) && isnan(obs[i].denominator)))
            return 0;                     /* parts a values-only entry has no room for */
    }
    return 1;
}

/* Where month m of column c lies (m within the tile's rows). */
static inline unsigned char *tile_at(const mcache *mc, const tile *tl, int32_t m, size_t c) {
    return tl->data + ((size_t)((int64_t)m - tl->m0) * tl->w + c % TILE_W) * mc->esz;
}

/* Put the whole series obs[0..n) (tile_fits) in the next column of the metric's tiles.
 * A tile's rows are widened to hold it, unless that would leave most of them empty: then
 * it starts the next tile; its width doubles when it is full, up to TILE_W.  0, or -1 when
 * out of memory. */
static int tile_put(pmf_series *x, mcache *mc, cached *e, const pmf_obs *obs, size_t n) {
    int32_t lo = obs[0].start, hi = obs[n - 1].start;
    size_t c = mc->ncols;
    tile *tl = c / TILE_W < mc->ntiles ? &mc->tiles[c / TILE_W] : NULL;
    if (tl && tile_rows(tl) > 0) {
        int64_t m0 = lo < tl->m0 ? lo : tl->m0, m1 = hi > tl->m1 ? hi : tl->m1,
                had = (int64_t)tile_rows(tl), own = (int64_t)hi - lo + 1;
        if (m1 - m0 + 1 > 2 * (had > own ? had : own) + 12) {
            c = (c / TILE_W + 1) * TILE_W;    /* too far apart: a tile of its own */
            tl = NULL;
        }
    }
    if (!tl) {
        if (c / TILE_W >= mc->captiles) {
            size_t nc = mc->captiles ? mc->captiles * 2 : 16;
            tile *nt = realloc(mc->tiles, nc * sizeof *nt);
            if (!nt) return -1;
            mc->tiles = nt;
            mc->captiles = nc;
        }
        tl = &mc->tiles[c / TILE_W];
        tl->m0 = 0;
        tl->m1 = -1;
        tl->w = TILE_W0;
        tl->data = NULL;
        mc->ntiles = c / TILE_W + 1;
    }
    size_t at = c % TILE_W, w = tl->w;
    while (w <= at) w *= 2;
    int fresh = tile_rows(tl) == 0;
    if (fresh || lo < tl->m0 || hi > tl->m1 || w != tl->w) {
        /* a new layout: the columns already placed, [0, at), keep their entries and get
         * "no figure" in new rows; this column and those to come write every row of theirs
         * when placed */
        int32_t m0 = fresh || lo < tl->m0 ? lo : tl->m0, m1 = fresh || hi > tl->m1 ? hi : tl->m1;
        size_t rows = (size_t)((int64_t)m1 - m0 + 1), row = w * mc->esz;
        unsigned char *d = malloc(rows * row);
        if (!d) return -1;
        for (int64_t m = m0; m <= m1 && at > 0; m++) {
            unsigned char *to = d + (size_t)(m - m0) * row;
            if (m < tl->m0 || m > tl->m1) memset(to, 0, at * mc->esz);
            else memcpy(to, tl->data + (size_t)(m - tl->m0) * tl->w * mc->esz, at * mc->esz);
        }
        x->figures += rows * w - tile_rows(tl) * tl->w;
        free(tl->data);
        tl->data = d;
        tl->m0 = m0;
        tl->m1 = m1;
        tl->w = w;
    }
    size_t row = tl->w * mc->esz;
    /* every row of this column: its figure, or none */
    unsigned char *p = tl->data + at * mc->esz;
    size_t i = 0;
    for (int64_t m = tl->m0; m <= tl->m1; m++, p += row) {
        tent t = {0, 0, 0, 0};
        double num = NAN, den = NAN;
        if (i < n && obs[i].start == m) {
            t = (tent){obs[i].value, obs[i].rec, (uint32_t)obs[i].flags, 1};
            num = obs[i].numerator;
            den = obs[i].denominator;
            i++;
        }
        if (mc->esz == sizeof(tent_parts)) {
            tent_parts tp = {t, num, den};
            memcpy(p, &tp, sizeof tp);
        } else {
            memcpy(p, &t, sizeof t);
        }
    }
    e->col = (int32_t)c;
    e->first = lo;
    e->n = n;
    mc->ncols = c + 1;
    return 0;
}

/* A tiled series' figures starting in [from, to], laid out as the reader gives them (in the
 * handle's scratch, valid until the next read); NULL when out of memory. */
static const pmf_obs *tile_read(pmf_series *x, const mcache *mc, const cached *e,
                                int32_t from, int32_t to, size_t *n) {
    const tile *tl = &mc->tiles[(size_t)e->col / TILE_W];
    int32_t a = from > tl->m0 ? from : tl->m0, b = to < tl->m1 ? to : tl->m1;
    size_t k = 0;
    *n = 0;
    if (a > b) return x->scratch ? x->scratch : (const pmf_obs *)x;
    size_t rows = (size_t)((int64_t)b - a + 1);
    if (rows > x->capscratch) {
        size_t nc = x->capscratch ? x->capscratch : 64;
        while (nc < rows) nc *= 2;
        pmf_obs *ns = realloc(x->scratch, nc * sizeof *ns);
        if (!ns) {
            x->error = "out of memory";
            return NULL;
        }
        x->scratch = ns;
        x->capscratch = nc;
    }
    const unsigned char *p = tile_at(mc, tl, a, (size_t)e->col);
    size_t step = tl->w * mc->esz;
    int parts = mc->esz == sizeof(tent_parts);
    for (int64_t m = a; m <= b; m++, p += step) {
        tent_parts tp;
        if (parts) memcpy(&tp, p, sizeof tp);
        else memcpy(&tp.t, p, sizeof tp.t);
        if (!tp.t.len) continue;
        pmf_obs *o = &x->scratch[k++];
        o->start = (int32_t)m;
        o->len = 1;
        o->value = tp.t.value;
        o->numerator = parts ? tp.numerator : NAN;
        o->denominator = parts ? tp.denominator : NAN;
        o->flags = tp.t.flags;
        o->rec = tp.t.rec;
    }
    *n = k;
    return x->scratch;
}

/* Index of the first figure starting at or after month m.  Figures are mostly one a
 * month, so m - obs[0].start is a guess that is right or close: a few steps from it touch
 * one or two cache lines where a binary search over a long history would miss on each
 * probe.  Far off, a binary search. */
static size_t first_from(const pmf_obs *obs, size_t n, int32_t m) {
    if (n == 0 || obs[0].start >= m) return 0;
    size_t g = (size_t)((int64_t)m - obs[0].start);
    if (g > n) g = n;
    for (int step = 0; step < 4; step++) {
        if (g > 0 && obs[g - 1].start >= m) g--;
        else if (g < n && obs[g].start < m) g++;
        else return g;
    }
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (obs[mid].start < m) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* A series read a second time beyond what is cached is being walked through (a report
 * period after period): the rest of it in the direction of travel is read in one range
 * scan, so a walk costs two statements per series (the first window, then the rest) rather
 * than one per call; each statement's seek costs as much as some dozens of rows.  Over a
 * walk every row is read once; a call that is not part of a walk reads only its windows. */
#define READ_ALL_BEFORE INT32_MIN
#define READ_ALL_AFTER INT32_MAX

/* A hint to fetch memory that will be read soon (no effect where the compiler has none). */
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#define AHEAD 24          /* areas: how far ahead a matrix call prefetches the cache (8 before:
                           * one-quarter calls ran 0.28-0.40 s against 0.26-0.29 s with 24,
                           * alternated on a quiet machine; the matrix the same) */

/* Ask for the memory read_main will touch for `area` at month `from`: its slot now, its
 * figures once the slot (prefetched AHEAD / 2 areas earlier) is at hand.  A matrix call
 * walks thousands of series scattered over the heap: without this each costs a few
 * memory round trips one after another. */
static void cache_prefetch(const mcache *mc, int64_t area, int32_t from, int32_t to,
                           int deep) {
    if (!deep) {
        PREFETCH(&mc->tab[(size_t)area & (mc->cap - 1)]);
        return;
    }
    const cached *e = &mc->tab[slot_of(mc, area)];
    if (e->area != area || e->n == 0) return;
    if (e->col >= 0) {                    /* its entries, a row apart */
        const tile *tl = &mc->tiles[(size_t)e->col / TILE_W];
        int32_t a = from > tl->m0 ? from : tl->m0, b = to < tl->m1 ? to : tl->m1;
        if (b - a > 15) b = a + 15;
        for (int32_t m = a; m <= b; m++) PREFETCH(tile_at(mc, tl, m, (size_t)e->col));
        return;
    }
    size_t g = from > e->first ? (size_t)(from - e->first) : 0, h;
    if (g >= e->n) g = e->n - 1;
    h = to >= from ? g + (size_t)(to - from) + 1 : g + 1;      /* one figure a month */
    if (h > e->n) h = e->n;
    if (h > g + 16) h = g + 16;           /* a long `last` window: its first lines */
    PREFETCH(e->obs);
    for (const char *p = (const char *)&e->obs[g]; p < (const char *)&e->obs[h]; p += 64)
        PREFETCH(p);
}

/* The figures of (metric, area, "") starting in [from, to]: through the cache when on. */
static const pmf_obs *read_main(pmf_series *x, mcache *mc, int64_t area, int32_t from,
                                int32_t to, size_t *n) {
    int64_t metric = mc->metric;
    if (x->figures > x->max_figures) cache_clear(x);
    if ((mc->n + 1) * 10 > mc->cap * 7 && cache_grow(mc) != 0) {
        x->error = "out of memory";
        return NULL;
    }
    cached *e = &mc->tab[slot_of(mc, area)];
    const pmf_obs *got;
    size_t k;
    if (e->area < 0) {
        int32_t lo = from, hi = to;       /* a packed series is read whole at once */
        if (!(got = pmf_figures_read_wide(x->fig, metric, area, "", &lo, &hi, mc->want, &k)))
            return NULL;
        e->area = area;
        e->lo = lo;
        e->hi = hi;
        e->col = -1;
        mc->n++;
        if (lo == INT32_MIN && hi == INT32_MAX && tile_fits(mc, got, k)) {
            if (tile_put(x, mc, e, got, k) != 0) goto oom;
        } else if (cache_add(x, e, got, k, 0) != 0) {
            goto oom;
        }
    } else if (e->col < 0) {
        /* a series read a second time is being walked through: read the rest of it in
         * the direction of travel (and tile it, once whole, if it can be) */
        int grew = 0;
        if (from < e->lo) {
            int32_t lo = READ_ALL_BEFORE;
            if (!(got = pmf_figures_read(x->fig, metric, area, "", lo, e->lo - 1, mc->want,
                                         &k)))
                return NULL;
            if (cache_add(x, e, got, k, 1) != 0) goto oom;
            e->lo = lo;
            grew = 1;
        }
        if (to > e->hi) {
            int32_t hi = READ_ALL_AFTER;
            if (!(got = pmf_figures_read(x->fig, metric, area, "", e->hi + 1, hi, mc->want,
                                         &k)))
                return NULL;
            if (cache_add(x, e, got, k, 0) != 0) goto oom;
            e->hi = hi;
            grew = 1;
        }
        if (grew && e->lo == INT32_MIN && e->hi == INT32_MAX && tile_fits(mc, e->obs, e->n)) {
            pmf_obs *obs = e->obs;        /* walked whole: tiled from now on */
            x->figures -= e->n;
            if (tile_put(x, mc, e, obs, e->n) != 0) goto oom;
            free(obs);
            e->obs = NULL;
            e->cap = 0;
        }
    }
    if (e->col >= 0) return tile_read(x, mc, e, from, to, n);
    size_t a = first_from(e->obs, e->n, from), b = first_from(e->obs, e->n, to + 1);
    *n = b - a;
    return e->n ? e->obs + a : (const pmf_obs *)e;
oom:
    x->error = "out of memory";
    return NULL;
}

const char *pmf_series_error(const pmf_series *x) {
    return x->error ? x->error : pmf_figures_error(x->fig);
}

/* Remember a rule looked up (a failure to remember costs only a later lookup). */
static void rules_add(pmf_series *x, const char *code, int64_t id, const pmf_read_rule *rule,
                      int found) {
    if (x->nrules == x->caprules) {
        size_t nc = x->caprules ? x->caprules * 2 : 32;
        crule *nr = realloc(x->rules, nc * sizeof *nr);
        if (!nr) return;
        x->rules = nr;
        x->caprules = nc;
    }
    crule *r = &x->rules[x->nrules];
    size_t len = strlen(code) + 1;
    if (!(r->code = malloc(len))) return;
    memcpy(r->code, code, len);
    r->id = id;
    r->rule = *rule;
    r->found = found;
    x->nrules++;
}

/* With the cache on, a rule looked up is kept until the store's data changes (a report
 * asks for the same few metrics thousands of times; each lookup is a query). */
int pmf_series_metric(pmf_series *x, const char *code, int64_t *id, pmf_read_rule *rule) {
    x->error = NULL;
    if (x->mets) {
        if (!x->held && cache_check(x) != 0) return -1;
        for (size_t i = 0; i < x->nrules; i++)
            if (strcmp(x->rules[i].code, code) == 0) {
                *id = x->rules[i].id;
                *rule = x->rules[i].rule;
                return x->rules[i].found;
            }
    }
    int rc = pmf_store_metric_rule(x->store, code, x->cutoff_ms, id, rule);
    if (rc < 0 && sqlite3_errcode(pmf_store_db(x->store)) == SQLITE_OK)
        x->error = "the metric's reference or carry does not parse";
    if (rc >= 0 && x->mets) rules_add(x, code, *id, rule, rc);
    return rc;
}

const pmf_obs *pmf_series_fetch(pmf_series *x, int64_t metric, int64_t area,
                                const char *breakdown, int32_t from, int32_t to, size_t *n) {
    x->error = NULL;
    return pmf_figures_read(x->fig, metric, area, breakdown, from, to,
                            PMF_FIG_PARTS | PMF_FIG_FLAGS, n);
}

int pmf_series_value(pmf_series *x, int64_t metric, const pmf_read_rule *rule, int64_t area,
                     const char *breakdown, int32_t start, int32_t len, pmf_agg_result *out) {
    int32_t from, to;
    size_t n;
    pmf_read_window(rule, start, len, &from, &to);
    const pmf_obs *obs = pmf_series_fetch(x, metric, area, breakdown, from, to, &n);
    if (!obs) return -1;
    pmf_read_value(obs, n, rule, start, len, out);
    return 0;
}

/* A read window and the periods evaluated on it. */
typedef struct window {
    int32_t from, to;
} window;

#define MERGE_GAP 4     /* months: windows closer than this are read as one */

int pmf_series_matrix(pmf_series *x, int64_t metric, const pmf_read_rule *rule,
                      const int64_t *areas, size_t nareas, const char *breakdown,
                      const pmf_period *periods, size_t nperiods, pmf_agg_result *out) {
    if (nperiods == 0 || nareas == 0) return 0;
    window *w = malloc(nperiods * sizeof *w);
    size_t *of = malloc(nperiods * sizeof *of), nw = 0;
    if (!w || !of) {
        free(w);
        free(of);
        x->error = "out of memory";
        return -1;
    }
    /* windows sorted by from (insertion: the periods are few), then merged */
    for (size_t p = 0; p < nperiods; p++) {
        window v;
        pmf_read_window(rule, periods[p].start, periods[p].len, &v.from, &v.to);
        size_t k = nw++;
        for (; k > 0 && w[k - 1].from > v.from; k--) w[k] = w[k - 1];
        w[k] = v;
    }
    size_t m = 0;
    for (size_t k = 1; k < nw; k++) {
        if (w[k].from <= w[m].to + MERGE_GAP) {
            if (w[k].to > w[m].to) w[m].to = w[k].to;
        } else {
            w[++m] = w[k];
        }
    }
    nw = m + 1;
    for (size_t p = 0; p < nperiods; p++) {
        int32_t from, to;
        pmf_read_window(rule, periods[p].start, periods[p].len, &from, &to);
        for (of[p] = 0; of[p] < nw && !(w[of[p]].from <= from && to <= w[of[p]].to); of[p]++) {}
    }
    int rc = 0, main = !breakdown || !*breakdown;
    int want = x->values_only && rule->agg != PMF_AGG_RATIO ? PMF_FIG_FLAGS
                                                             : PMF_FIG_FLAGS | PMF_FIG_PARTS;
    mcache *mc = NULL;
    x->error = NULL;
    if (!x->held) pmf_figures_hold(x->fig);   /* the check and the reads: one transaction */
    if (main && x->mets) {
        if (!x->held && cache_check(x) != 0) rc = -1;
        else if (!(mc = metric_cache(x, metric, want))) {
            x->error = "out of memory";
            rc = -1;
        }
    }
    for (size_t a = 0; a < nareas && rc == 0; a++) {
        if (mc && a + AHEAD < nareas) cache_prefetch(mc, areas[a + AHEAD], 0, 0, 0);
        if (mc && a + AHEAD / 2 < nareas)
            for (size_t k = 0; k < nw; k++) cache_prefetch(mc, areas[a + AHEAD / 2], w[k].from, w[k].to, 1);
        for (size_t k = 0; k < nw; k++) {
            size_t n;
            const pmf_obs *obs = mc ? read_main(x, mc, areas[a], w[k].from, w[k].to, &n)
                                      : pmf_figures_read(x->fig, metric, areas[a], breakdown,
                                                         w[k].from, w[k].to, want, &n);
            if (!obs) {
                rc = -1;
                break;
            }
            for (size_t p = 0; p < nperiods; p++)
                if (of[p] == k)
                    pmf_read_value(obs, n, rule, periods[p].start, periods[p].len,
                                   &out[a * nperiods + p]);
        }
    }
    if (!x->held) pmf_figures_release(x->fig);
    free(w);
    free(of);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Whole-table aggregation.
 * ------------------------------------------------------------------------------------- */

typedef struct agg_ctx {
    int32_t len;
    int year_start;
    const pmf_read_rule *rules;
    int64_t nrules;
    pmf_series_totals *t;
} agg_ctx;

static int aggregate_series(void *vctx, int64_t metric, int64_t area, const pmf_obs *obs,
                            size_t n) {
    agg_ctx *c = vctx;
    (void)area;
    if (n == 0) return 0;
    pmf_read_rule rule = {PMF_AGG_SUM, PMF_REF_END, 0};
    if (metric >= 0 && metric < c->nrules) rule = c->rules[metric];
    int32_t last = obs[0].start, maxlen = 1;
    for (size_t i = 0; i < n; i++) {
        if (obs[i].start + obs[i].len - 1 > last) last = obs[i].start + obs[i].len - 1;
        if (obs[i].len > maxlen) maxlen = obs[i].len;
    }
    /* Block b is read from the figures that can count for it (the result is the same as
     * from all of them, without walking a long history per block): a `last` reference or
     * a carry anchor lies within its figure's span, so a figure starting before
     * b - (maxlen - 1) - carry has neither in reach; none starting at b + len counts. */
    int64_t back = (int64_t)maxlen - 1 + rule.carry;
    size_t lo = 0, hi = 0;
    for (int32_t b = pmf_series_block_start(obs[0].start, c->len, c->year_start); b <= last;
         b += c->len) {
        pmf_agg_result r;
        while (lo < n && obs[lo].start < (int64_t)b - back) lo++;
        while (hi < n && obs[hi].start < (int64_t)b + c->len) hi++;
        pmf_read_value(obs + lo, hi - lo, &rule, b, c->len, &r);
        if (r.status == PMF_READ_NODATA && r.nfig == 0) continue;
        c->t->cells++;
        if (r.months == r.expected) c->t->complete++;
        if (r.status == PMF_READ_OK) c->t->checksum += r.value;
    }
    return 0;
}

int pmf_series_aggregate_all(pmf_series *x, int32_t len, int year_start,
                             pmf_series_totals *out) {
    memset(out, 0, sizeof *out);
    x->error = NULL;
    if (len < 1 || year_start < 1 || year_start > 12) {
        x->error = "bad block length or year start";
        return -1;
    }
    agg_ctx c = {len, year_start, NULL, 0, out};
    pmf_read_rule *rules;
    if (pmf_store_metric_rules(x->store, x->cutoff_ms, &rules, &c.nrules) != 0) {
        free(rules);
        return -1;
    }
    c.rules = rules;
    /* the totals use values only: numerator and denominator where the rule is ratio */
    unsigned char *want = calloc(c.nrules > 0 ? (size_t)c.nrules : 1, 1);
    if (!want) {
        free(rules);
        x->error = "out of memory";
        return -1;
    }
    for (int64_t m = 0; m < c.nrules; m++)
        want[m] = rules[m].agg == PMF_AGG_RATIO ? PMF_FIG_PARTS : 0;
    int rc = pmf_figures_scan_all(x->fig, want, c.nrules, aggregate_series, &c, &out->rows);
    free(want);
    free(rules);
    return rc == 0 ? 0 : -1;
}
