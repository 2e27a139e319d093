/*
 * core/import_read.c: the importer's input: the header, then every row of a source.
 *
 * Owns: reading the header (long form or wide form, decided by it: each column a long-form
 * field or a period label; unknown and missing columns listed whole), the one row path
 * (import_rows) that CSV (core/csv.h) and XLSX sheets (core/xlsx_read.h) are both fed to as
 * a `source`, and a recipe's part in it (core/recipe.h binds the header and rewrites each
 * row into long-form figures; what it skips is counted).  Each figure goes on to
 * imp_process (import_row.c).  See core/import.c for the design.
 */
#include "import_internal.h"
#include "breakdown.h"
#include "xlsx_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t pmf_import_ncols(const pmf_import *im) { return im->ncols; }
const char *pmf_import_colname(const pmf_import *im, size_t i) {
    return i < im->ncols && im->colname ? im->colname[i] : NULL;
}

/* ---------------------------------------------------------------------------------------
 * CSV: the header, then the rows.
 * ------------------------------------------------------------------------------------- */

static int col_of(const pmf_csv_field *f, const char **name, size_t *len) {
    size_t a = 0, b = f->len;
    while (a < b && (f->s[a] == ' ' || f->s[a] == '\t')) a++;
    while (b > a && (f->s[b - 1] == ' ' || f->s[b - 1] == '\t')) b--;
    *name = f->s + a;
    *len = b - a;
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++)
        if (strlen(imp_colnames[k]) == b - a && strncasecmp(imp_colnames[k], f->s + a, b - a) == 0)
            return k;
    return -1;
}

/* Read the header into colmap/colperiod/colname.  0 ok, -1 the file cannot be read. */
static int header(pmf_import *im, const pmf_csv_field *f, size_t n, long line) {
    pmf_period_opts po = {im->o.year_start, im->o.year_type};
    im->ncols = n;
    im->colmap = calloc(n, sizeof *im->colmap);
    im->colperiod = calloc(n, sizeof *im->colperiod);
    im->colname = calloc(n, sizeof *im->colname);
    if (!im->colmap || !im->colperiod || !im->colname) return imp_fatal(im, "(out of memory)");
    int seen[PMF_IMPORT_NCOLS] = {0}, longform = 0, nperiods = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name, *why;
        size_t len, at = pmf_text_check(f[i].s, f[i].len, &why);
        if (at != f[i].len) {
            imp_failf(im, line, (int)i + 1, NULL, "column name '%s' contains %s (byte %zu)",
                      imp_shown(im, &f[i]), why, at + 1);
            bad = 1;
        }
        int k = col_of(&f[i], &name, &len);
        if (k >= 0 && !im->colno[k]) im->colno[k] = (int)i + 1;
        im->colmap[i] = k;
        if (!(im->colname[i] = malloc(len + 1))) return imp_fatal(im, "(out of memory)");
        memcpy(im->colname[i], name, len);
        im->colname[i][len] = '\0';
        if (k == PMF_IMPORT_PERIOD || k == PMF_IMPORT_VALUE) longform = 1;
        if (k < 0 && len &&
            pmf_period_parse_typed(im->colname[i], &po, &im->colperiod[i], NULL, NULL, 0) == 0)
            nperiods++;
    }
    int wide = im->o.layout == PMF_IMPORT_WIDE ||
               (im->o.layout == PMF_IMPORT_AUTO && !longform && nperiods > 0);
    strbuf unknown = {NULL, 0, 0};   /* every unknown column, listed whole */
    int nunknown = 0;
    for (size_t i = 0; i < n; i++) {
        int k = im->colmap[i], no = (int)i + 1;
        if (k >= 0) {
            if (seen[k]++) {
                imp_failf(im, line, no, NULL, "column '%s' appears twice", imp_colnames[k]);
                bad = 1;
            }
            if (wide && (k == PMF_IMPORT_PERIOD || k == PMF_IMPORT_VALUE ||
                         k == PMF_IMPORT_NUMERATOR || k == PMF_IMPORT_DENOMINATOR)) {
                imp_failf(im, line, no, NULL, "column '%s' cannot be used in wide form (one column "
                          "per period)", imp_colnames[k]);
                bad = 1;
            }
        } else if (wide) {
            char err[PMF_PERIOD_ERR_MAX];
            if (pmf_period_parse_typed(im->colname[i], &po, &im->colperiod[i], NULL, err,
                                       sizeof err) != 0) {
                imp_failf(im, line, no, NULL, "column '%s' is neither a key column (metric, area, "
                          "breakdown, flag, source) nor a period label",
                          imp_shown_k(im, 0, im->colname[i], strlen(im->colname[i])));
                bad = 1;
            }
        } else {
            if (imp_sb_printf(&unknown, "%s'%s' (column %d)", nunknown ? ", " : "",
                          imp_shown(im, &f[i]), no) != 0) {
                imp_sb_free(&unknown);
                return imp_fatal(im, "(out of memory)");
            }
            nunknown++;
        }
    }
    if (nunknown) {
        imp_failf(im, line, 0, NULL, "unknown column%s %s (expected metric, area, period, value and "
                  "optionally breakdown, numerator, denominator, flag, source)",
                  nunknown > 1 ? "s" : "", unknown.s);
        bad = 1;
    }
    imp_sb_free(&unknown);
    char missing[128] = "";   /* at most the four required names */
    int nmissing = 0;
    for (int k = 0; k <= (wide ? PMF_IMPORT_AREA : PMF_IMPORT_VALUE); k++)
        if (!seen[k]) {
            size_t u = strlen(missing);
            snprintf(missing + u, sizeof missing - u, "%s'%s'", u ? ", " : "", imp_colnames[k]);
            nmissing++;
        }
    if (nmissing) {
        imp_failf(im, line, 0, NULL, "missing column%s %s", nmissing > 1 ? "s" : "", missing);
        bad = 1;
    }
    if (wide) for (size_t i = 0; i < n; i++) if (im->colmap[i] < 0) im->colmap[i] = -1;
    im->o.layout = wide ? PMF_IMPORT_WIDE : PMF_IMPORT_LONG;
    return bad ? -1 : 0;
}

/* A row source: CSV or an XLSX sheet, one row path. */
typedef struct {
    int (*next)(void *ud);                       /* 1 a row, 0 the end, -1 an error */
    const pmf_csv_field *(*fields)(void *ud, size_t *n, long *line);
    const char *(*error)(void *ud);
    int64_t (*done)(void *ud), (*total)(void *ud);
    void *ud;
} source;

/* The header through the recipe: its columns kept for the rejects file. */
static int recipe_header(pmf_import *im, const pmf_csv_field *f, size_t n, long line) {
    size_t errlen = 2048;
    char *err = malloc(errlen);
    if (!err) return imp_fatal(im, "(out of memory)");
    int rc = pmf_recipe_header(im->recipe, f, n, err, errlen);
    if (rc != 0) imp_failf(im, line, 0, NULL, "%s", err);
    free(err);
    im->ncols = n;
    if (!(im->colname = calloc(n ? n : 1, sizeof *im->colname))) return imp_fatal(im, "(out of memory)");
    for (size_t i = 0; i < n; i++) {
        if (!(im->colname[i] = malloc(f[i].len + 1))) return imp_fatal(im, "(out of memory)");
        memcpy(im->colname[i], f[i].s, f[i].len);
        im->colname[i][f[i].len] = '\0';
    }
    return rc;
}

/* One row through the recipe: each of its figures rewritten, then checked as any other. */
static void recipe_row(pmf_import *im, long line, const pmf_csv_field *row, size_t nf) {
    pmf_recipe *r = im->recipe;
    int64_t skipped0 = 0;
    for (int k = 0; k < PMF_SKIP_NREASONS; k++) skipped0 += pmf_recipe_skipped(r, k);
    if (!pmf_recipe_skip_row(r, row, nf)) {
        pmf_csv_field f[PMF_IMPORT_NCOLS];
        char err[2048];
        int colno[PMF_IMPORT_NCOLS];
        pmf_recipe_colnos(r, colno);
        int n = pmf_recipe_ncells(r);
        for (int i = 0; i < n && !im->fatal; i++) {
            pmf_recipe_cell_info ci;
            int rc = pmf_recipe_cell(r, row, nf, i, f, &ci, err, sizeof err);
            if (rc == -2) {   /* the row function reached a limit: the import stops */
                im->in_row = 0;   /* a file error, not the row's reason (--skip-bad) */
                imp_failf(im, line, 0, NULL, "%s", err);
                im->fatal = 1;
            } else if (rc < 0) {
                im->sum.rows++;
                imp_failf(im, line, ci.colno, ci.colname, "%s", err);
            } else if (rc > 0) {
                int cn[PMF_IMPORT_NCOLS];   /* a wide cell: its header cell's column */
                memcpy(cn, colno, sizeof cn);
                if (ci.hdrfield >= 0) cn[ci.hdrfield] = ci.colno;
                im->row_bad = 0;   /* each field the recipe could not read, reported */
                for (int k = 0; k < PMF_IMPORT_NCOLS; k++) {
                    if (!ci.ferr[k]) continue;
                    im->row_bad |= 1u << k;
                    if (!*ci.ferr[k]) continue;
                    if (k == PMF_IMPORT_VALUE) imp_failf(im, line, ci.colno, ci.colname, "%s", ci.ferr[k]);
                    else imp_failf(im, line, cn[k], imp_colnames[k], "%s", ci.ferr[k]);
                }
                im->row_year_type = ci.year_type;
                im->row_value = ci.has_value ? &ci.value : NULL;
                imp_process(im, line, f, cn, NULL, ci.colname ? ci.colname : "value", ci.colno);
                im->row_year_type = 0;
                im->row_value = NULL;
                im->row_bad = 0;
            }
        }
    }
    int64_t skipped = 0;
    for (int k = 0; k < PMF_SKIP_NREASONS; k++) skipped += pmf_recipe_skipped(r, k);
    im->sum.skipped += skipped - skipped0;
}

static int import_rows(pmf_import *im, const source *src) {
    if (im->finished || im->fatal) return -1;
    int64_t before = im->sum.errors;
    int rc = src->next(src->ud);
    if (rc == 0) {
        imp_failf(im, 0, 0, NULL, "the file is empty (a header row is needed: metric,area,period,value)");
        return -1;
    }
    if (rc < 0) {
        imp_failf(im, -1, 0, NULL, "%s", src->error(src->ud));   /* names the file */
        return -1;
    }
    size_t hn;
    long hline;
    const pmf_csv_field *hf = src->fields(src->ud, &hn, &hline);
    if ((im->recipe ? recipe_header(im, hf, hn, hline) : header(im, hf, hn, hline)) != 0) return -1;
    pmf_csv_field f[PMF_IMPORT_NCOLS];
    int64_t n = 0;
    while (!im->fatal && (rc = src->next(src->ud)) == 1) {
        size_t nf;
        long line;
        const pmf_csv_field *row = src->fields(src->ud, &nf, &line);
        if (++n % PROGRESS_ROWS == 0 && im->o.progress)
            im->o.progress(im->o.progress_ud, src->done(src->ud), src->total(src->ud));
        pmf_import_summary before = im->sum;
        if (imp_row_begin(im) != 0) break;
        if (im->recipe) {
            recipe_row(im, line, row, nf);
        } else if (nf != im->ncols) {
            im->sum.rows++;
            imp_failf(im, line, 0, NULL, "%zu field%s where the header has %zu", nf,
                      nf == 1 ? "" : "s", im->ncols);
        } else {
            memset(f, 0, sizeof f);
            int wide = im->o.layout == PMF_IMPORT_WIDE;
            for (size_t i = 0; i < nf; i++)
                if (im->colmap[i] >= 0) f[im->colmap[i]] = row[i];
            if (!wide) {
                imp_process(im, line, f, im->colno, NULL, "value", im->colno[PMF_IMPORT_VALUE]);
            } else {
                for (size_t i = 0; i < nf && !im->fatal; i++) {
                    if (im->colmap[i] >= 0 || imp_is_blank(&row[i])) continue;
                    f[PMF_IMPORT_VALUE] = row[i];
                    imp_process(im, line, f, im->colno, &im->colperiod[i], im->colname[i], (int)i + 1);
                }
            }
        }
        imp_row_end(im, &before, line, row, nf);
    }
    if (rc < 0) imp_failf(im, -1, 0, NULL, "%s", src->error(src->ud));
    if (im->o.progress) im->o.progress(im->o.progress_ud, src->done(src->ud), src->total(src->ud));
    return im->sum.errors > before ? -1 : 0;
}

static int csv_next(void *ud) { return pmf_csv_next(ud); }
static const pmf_csv_field *csv_fields(void *ud, size_t *n, long *line) {
    *n = pmf_csv_nfields(ud);
    *line = pmf_csv_line(ud);
    return pmf_csv_fields(ud);
}
static const char *csv_error(void *ud) { return pmf_csv_error(ud); }
static int64_t csv_done(void *ud) { return pmf_csv_bytes_read(ud); }
static int64_t csv_total(void *ud) { return pmf_csv_bytes_total(ud); }

int pmf_import_csv(pmf_import *im, pmf_csv *c) {
    source src = {csv_next, csv_fields, csv_error, csv_done, csv_total, c};
    return import_rows(im, &src);
}

/* XLSX: the row's cells as fields (in a buffer grown only for a wider row than before). */
typedef struct { pmf_import *im; pmf_xlsx *x; } xsrc;
static int xlsx_next(void *ud) { return pmf_xlsx_next(((xsrc *)ud)->x); }
static const pmf_csv_field *xlsx_fields(void *ud, size_t *n, long *line) {
    xsrc *xs = ud;
    pmf_import *im = xs->im;
    size_t nf = pmf_xlsx_nfields(xs->x);
    const pmf_xlsx_cell *c = pmf_xlsx_cells(xs->x);
    if (nf > im->xcap) {
        pmf_csv_field *f = realloc(im->xf, nf * sizeof *f);
        if (!f) { imp_fatal(im, "(out of memory)"); nf = im->xcap; }
        else { im->xf = f; im->xcap = nf; }
    }
    for (size_t i = 0; i < nf; i++) im->xf[i] = (pmf_csv_field){c[i].s, c[i].len};
    *n = nf;
    *line = pmf_xlsx_row(xs->x);
    return im->xf;
}
static const char *xlsx_error(void *ud) { return pmf_xlsx_error(((xsrc *)ud)->x); }
static int64_t xlsx_none(void *ud) { (void)ud; return -1; }

int pmf_import_xlsx(pmf_import *im, pmf_xlsx *x) {
    xsrc xs = {im, x};
    source src = {xlsx_next, xlsx_fields, xlsx_error, xlsx_none, xlsx_none, &xs};
    return import_rows(im, &src);
}

int pmf_import_use_recipe(pmf_import *im, pmf_recipe *r) {
    im->recipe = r;
    if (!pmf_recipe_needs_areas(r)) return 0;
    char err[512];
    if (!im->arearef && !(im->arearef = pmf_areas_load(im->store, err, sizeof err))) {
        imp_failf(im, 0, 0, NULL, "cannot load the areas: %s", err);
        im->fatal = 1;
        return -1;
    }
    pmf_recipe_set_areas(r, im->arearef, im->o.year_start);
    return 0;
}
