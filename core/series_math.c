/*
 * core/series_math.c: the arithmetic of series.h that needs no store and no handle: where
 * the block of months holding a month starts (pmf_series_block_start, the alignment
 * whole-table aggregation and the Lua bindings share), and the least-squares trend line
 * through a series' points (pmf_series_trend).
 *
 * Design decisions:
 * - Blocks whose length divides 12 (quarters, half-years, years) start on the year start;
 *   any other length is counted from month 0, so its blocks do not depend on the year.
 * - A missing point (NaN in x or y) is skipped, never read as a zero: the trend is through
 *   the figures there are, and n says how many.
 */
#include "series.h"

#include <math.h>
#include <string.h>

static int32_t posmod(int32_t a, int32_t m) {
    int32_t r = a % m;
    return r < 0 ? r + m : r;
}

int32_t pmf_series_block_start(int32_t m, int32_t len, int year_start) {
    if (len <= 1) return m;
    if (12 % len == 0) return m - posmod(m - (year_start - 1), len);
    return m - posmod(m, len);
}

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
