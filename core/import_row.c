/*
 * core/import_row.c: one figure checked and written, and a row as a unit.
 *
 * Owns: imp_process (every check of one long-form figure: text, metric, area, period,
 * flags, numbers, breakdown, sign-off locks; then the comparison with the figure known now
 * and the write into the batch, duplicates found by the database), the breakdown keys a
 * metric may have (pmf_import_declare_keys), pmf_import_row (the JSON path), and a row as
 * a unit under --skip-bad (a savepoint per row: refused alone, its counts restored, handed
 * to opts.reject).  See core/import.c for the design.
 */
#include "import_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bind_opt(sqlite3_stmt *st, int i, double v, int null) {
    if (null) sqlite3_bind_null(st, i); else sqlite3_bind_double(st, i, v);
}

static int same_num(sqlite3_stmt *st, int col, double v, int null) {
    if (sqlite3_column_type(st, col) == SQLITE_NULL) return null;
    return !null && sqlite3_column_double(st, col) == v;
}

/* Check and store one figure.  colno: each long-form column's number (1-based; NULL for a
 * JSON item); pp: the period when already known (wide form), else parsed from f[PERIOD];
 * valcol, valcolno: the value column's name and number for messages.  0 good, -1 bad. */
int imp_process(pmf_import *im, long line, const pmf_csv_field *f, const int *colno,
                const pmf_period *pp, const char *valcol, int valcolno) {
    static const pmf_csv_field none = {"", 0};
    char err[PMF_PERIOD_ERR_MAX];
    int bad = 0;
#define COLNO(k) (colno ? colno[k] : 0)
    im->sum.rows++;
    if (imp_check_text(im, line, f, colno, valcolno, valcol) != 0) return -1;
    const pmf_csv_field *mf = f[PMF_IMPORT_METRIC].s ? &f[PMF_IMPORT_METRIC] : &none;
    const pmf_csv_field *af = f[PMF_IMPORT_AREA].s ? &f[PMF_IMPORT_AREA] : &none;
    entry *me = NULL;
    int64_t metric = -1, area = -1;
    if (im->row_bad & (1u << PMF_IMPORT_METRIC)) {
        bad = 1;   /* the recipe reported it */
    } else if (imp_is_blank(mf)) {
        imp_failf(im, line, COLNO(PMF_IMPORT_METRIC), NULL, "%s '%s' is empty", imp_colword(im),
                  imp_colname_at(im, COLNO(PMF_IMPORT_METRIC), "metric"));
        bad = 1;
    } else if ((metric = imp_code_id(im, &im->metrics, mf, 1, &me)) == -2) {
        return imp_fatal(im, "(out of memory)");
    } else if (metric < 0) {
        imp_failf(im, line, COLNO(PMF_IMPORT_METRIC), "metric", "unknown metric '%s'", imp_shown(im, mf));
        bad = 1;
    }
    if (im->row_bad & (1u << PMF_IMPORT_AREA)) {
        bad = 1;
    } else if (imp_is_blank(af)) {
        imp_failf(im, line, COLNO(PMF_IMPORT_AREA), NULL, "%s '%s' is empty", imp_colword(im),
                  imp_colname_at(im, COLNO(PMF_IMPORT_AREA), "area"));
        bad = 1;
    } else if ((area = imp_code_id(im, &im->areas, af, 0, NULL)) == -2) {
        return imp_fatal(im, "(out of memory)");
    } else if (area < 0) {
        imp_failf(im, line, COLNO(PMF_IMPORT_AREA), "area", "unknown area '%s'", imp_shown(im, af));
        bad = 1;
    }

    pmf_period p = {0, 0, 0, 0};
    unsigned lflags = 0;
    if (pp) p = *pp;
    else if (!f[PMF_IMPORT_PERIOD].s || imp_is_blank(&f[PMF_IMPORT_PERIOD])) {
        imp_failf(im, line, COLNO(PMF_IMPORT_PERIOD), NULL, "%s '%s' is empty", imp_colword(im),
                  imp_colname_at(im, COLNO(PMF_IMPORT_PERIOD), "period"));
        bad = 1;
    } else if (imp_period_of(im, &f[PMF_IMPORT_PERIOD], &p, &lflags, err, sizeof err) != 0) {
        /* period.c quotes at most 52 bytes of the label ('period "LABEL": why', the label
         * without quotes): quote it whole here, as given */
        const char *q = strncmp(err, "period \"", 8) == 0 ? strchr(err + 8, '"') : NULL;
        if (q && q[1] == ':' && q[2] == ' ')
            imp_failf(im, line, COLNO(PMF_IMPORT_PERIOD), "period", "period \"%s\": %s",
                      imp_shown(im, &f[PMF_IMPORT_PERIOD]), q + 3);
        else
            imp_failf(im, line, COLNO(PMF_IMPORT_PERIOD), "period", "%s", err);
        bad = 1;
    }

    int flags = 0;
    if (f[PMF_IMPORT_FLAG].s) {
        size_t at = 0, n = 0;
        flags = pmf_import_parse_flags(f[PMF_IMPORT_FLAG].s, f[PMF_IMPORT_FLAG].len, &at, &n);
        if (flags < 0) {
            pmf_csv_field w = {f[PMF_IMPORT_FLAG].s + at, n};
            imp_failf(im, line, COLNO(PMF_IMPORT_FLAG), "flag", "unknown flag '%s' (" PMF_FLAG_WORDS ")",
                      imp_shown(im, &w));
            flags = 0;
            bad = 1;
        }
    }
    /* the label's suffix: "2025 (prov)" provisional, "2025 (Rev)" revised; "(OT)" (outturn)
     * and "(Final)" say the figure is final, which an unflagged figure is: no flag, and a
     * flag column calling it provisional contradicts the label */
    if (lflags & PMF_LABEL_PROVISIONAL) flags |= PMF_FLAG_PROVISIONAL;
    if (lflags & PMF_LABEL_REVISED) flags |= PMF_FLAG_REVISED;
    if ((lflags & (PMF_LABEL_OUTTURN | PMF_LABEL_FINAL)) && (flags & PMF_FLAG_PROVISIONAL)) {
        imp_failf(im, line, COLNO(PMF_IMPORT_FLAG), "flag", "'provisional', but the period label "
                  "'%s' says the figure is final", imp_shown(im, &f[PMF_IMPORT_PERIOD]));
        bad = 1;
    }
    double value = 0, num = 0, den = 0;
    int vnull = 1, nnull = 1, dnull = 1;
    if (im->row_bad & (1u << PMF_IMPORT_VALUE)) {
        bad = 1;
    } else if (!f[PMF_IMPORT_VALUE].s) {
        imp_failf(im, line, 0, NULL, "%s '%s' is missing", imp_colword(im), valcol);
        bad = 1;
    } else if (im->row_value) {
        value = *im->row_value;
        vnull = 0;
    } else if (imp_number(im, line, valcolno, valcol, &f[PMF_IMPORT_VALUE], &value, &vnull) != 0) {
        bad = 1;
    } else if (vnull && !(flags & PMF_FLAG_SUPPRESSED)) {
        imp_failf(im, line, valcolno, NULL, "%s '%s' is empty (only a figure flagged 'suppressed' "
                  "may have no value)", imp_colword(im), valcol);
        bad = 1;
    }
    if (imp_number(im, line, COLNO(PMF_IMPORT_NUMERATOR), "numerator", &f[PMF_IMPORT_NUMERATOR],
               &num, &nnull) != 0)
        bad = 1;
    if (imp_number(im, line, COLNO(PMF_IMPORT_DENOMINATOR), "denominator",
               &f[PMF_IMPORT_DENOMINATOR], &den, &dnull) != 0)
        bad = 1;
    im->bd.len = 0;
    if (f[PMF_IMPORT_BREAKDOWN].s && metric >= 0 &&
        imp_breakdown_of(im, line, COLNO(PMF_IMPORT_BREAKDOWN), &f[PMF_IMPORT_BREAKDOWN], metric,
                         area, me, mf) != 0)
        bad = 1;
    if (bad || im->fatal) return -1;
#undef COLNO

    /* sign-off locks of the metric */
    int lo = 0, hi = 0;
    if (me) { lo = me->lock_lo; hi = me->lock_hi; }
    else {   /* the cache is full: find them the slow way */
        while (lo < im->nlocks && im->locks[lo].metric < metric) lo++;
        for (hi = lo; hi < im->nlocks && im->locks[hi].metric == metric; hi++) {}
    }
    for (int i = lo; i < hi; i++) {
        const lock *l = &im->locks[i];
        if (p.start < l->start + l->len && l->start < p.start + p.len) {
            char plabel[PMF_PERIOD_LABEL_MAX], llabel[PMF_PERIOD_LABEL_MAX];
            pmf_period lp;
            if (pmf_period_make(l->start, l->len, l->year_start, &lp) != 0 ||
                pmf_period_format(lp, llabel, sizeof llabel) < 0)
                snprintf(llabel, sizeof llabel, "months %d+%d", (int)l->start, (int)l->len);
            if (pmf_period_format(p, plabel, sizeof plabel) < 0) plabel[0] = '\0';
            imp_failf(im, line, 0, NULL, "metric %s period %s is signed off by framework %s (%s): "
                      "reopen it first", imp_shown(im, mf), plabel, l->framework, llabel);
            return -1;
        }
    }

    const pmf_csv_field bdf = {im->bd.len ? im->bd.s : "", im->bd.len};
    const pmf_csv_field *bd = &bdf;
    int has_obs = imp_had_data(im, me, metric);
    if (has_obs < 0) return -1;

    int revised = 0;
    if (has_obs) {
        if (imp_seen_prepare(im) != 0) return -1;
        sqlite3_stmt *st = im->seen;
        sqlite3_bind_int64(st, 1, metric);
        sqlite3_bind_int64(st, 2, area);
        sqlite3_bind_text(st, 3, bd->s, (int)bd->len, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, p.start);
        sqlite3_bind_int(st, 5, p.len);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) goto duplicate;
        if (rc != SQLITE_DONE) return imp_fatal(im, "checking duplicates");

        st = im->cur;
        sqlite3_bind_int64(st, 1, metric);
        sqlite3_bind_int64(st, 2, area);
        sqlite3_bind_text(st, 3, bd->s, (int)bd->len, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, p.start);
        sqlite3_bind_int(st, 5, p.len);
        int64_t best = 0, found = 0, same = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t b = sqlite3_column_int64(st, 0);
            int64_t rank = b > 0 && b < im->view.nbatch ? im->view.rank[b] : 0;
            if (!found || rank > best) {
                found = 1;
                best = rank;
                same = same_num(st, 1, value, vnull) && same_num(st, 2, num, nnull) &&
                       same_num(st, 3, den, dnull) && sqlite3_column_int(st, 4) == flags;
            }
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) return imp_fatal(im, "reading the current figure");
        if (found && same) {
            im->sum.unchanged++;
            return 0;
        }
        revised = (int)found;
    }

    sqlite3_stmt *st = im->ins;
    const char *src = f[PMF_IMPORT_SOURCE].s && f[PMF_IMPORT_SOURCE].len ? f[PMF_IMPORT_SOURCE].s
                                                                        : im->o.source;
    sqlite3_bind_int64(st, 1, metric);
    sqlite3_bind_int64(st, 2, area);
    sqlite3_bind_text(st, 3, bd->s, (int)bd->len, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, p.start);
    sqlite3_bind_int(st, 5, p.len);
    bind_opt(st, 7, value, vnull);
    bind_opt(st, 8, num, nnull);
    bind_opt(st, 9, den, dnull);
    sqlite3_bind_int(st, 10, flags);
    if (src) sqlite3_bind_text(st, 11, src, -1, SQLITE_STATIC); else sqlite3_bind_null(st, 11);
    pmf_store_own_write(im->store, 1);       /* the triggers are off: the importer packs */
    int rc = sqlite3_step(st);
    pmf_store_own_write(im->store, 0);
    sqlite3_reset(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) goto duplicate;
    if (rc != SQLITE_DONE) return imp_fatal(im, "writing an observation");
    if (pmf_packlog_add(im->packlog, metric, area, bd->s, bd->len, p.start, p.len,
                        vnull ? NAN : value, nnull ? NAN : num, dnull ? NAN : den, flags) != 0)
        return imp_fatal(im, "(out of memory)");
    if (revised) im->sum.revised++; else im->sum.added++;
    return imp_pack_boundary(im);

duplicate: {
        char plabel[PMF_PERIOD_LABEL_MAX];
        if (pmf_period_format(p, plabel, sizeof plabel) < 0) plabel[0] = '\0';
        const char *ms = imp_shown_k(im, 1, mf->s, mf->len), *as = imp_shown_k(im, 2, af->s, af->len);
        const char *which = im->o.skip_bad ? " (this later row is refused; the first is kept)" : "";
        if (bd->len)
            imp_failf(im, line, 0, NULL, "duplicate figure: metric %s, area %s, breakdown '%s', "
                      "period %s appears more than once in the file%s", ms, as, imp_shown(im, bd), plabel,
                      which);
        else
            imp_failf(im, line, 0, NULL, "duplicate figure: metric %s, area %s, period %s appears "
                      "more than once in the file%s", ms, as, plabel, which);
        return -1;
    }
}

int pmf_import_declare_keys(pmf_import *im, const char *metric, const char *keys) {
    pmf_csv_field f = {metric, strlen(metric)};
    entry *e = NULL;
    if (imp_code_id(im, &im->metrics, &f, 1, &e) < 0 || !e) return -1;
    size_t old = e->text ? strlen(e->text) : 1, n = strlen(keys);
    char *t = realloc(e->text, old + n + 2);
    if (!t) return -1;
    if (!e->text) t[0] = ',';
    memcpy(t + old, keys, n);
    t[old + n] = ',';
    t[old + n + 1] = '\0';
    e->text = t;
    return 0;
}

/* skip_bad: start a row that may be refused alone (a savepoint, so that a wide row's good
 * cells are undone with its bad one).  0, or -1 after a fatal store error. */
int imp_row_begin(pmf_import *im) {
    if (!im->o.skip_bad) return 0;
    /* The duplicate check's TEMP table is made first, outside any row: a refused row's
     * rollback must not drop it under its prepared statement. */
    if (!im->sp_begin && imp_seen_prepare(im) != 0) return -1;
    if (!im->sp_begin && (imp_prep(im, "SAVEPOINT pmf_row", &im->sp_begin) != SQLITE_OK ||
                          imp_prep(im, "ROLLBACK TO pmf_row", &im->sp_undo) != SQLITE_OK ||
                          imp_prep(im, "RELEASE pmf_row", &im->sp_end) != SQLITE_OK))
        return imp_fatal(im, "starting a row");
    int rc = sqlite3_step(im->sp_begin);
    sqlite3_reset(im->sp_begin);
    if (rc != SQLITE_DONE) return imp_fatal(im, "starting a row");
    im->in_row = 1;
    im->packmark = pmf_packlog_mark(im->packlog);
    im->rowmsg.len = 0;
    im->rownmsgs = 0;
    return 0;
}

/* skip_bad: end a row begun with the counts in *before: kept, or (when it had errors)
 * undone, counted as refused and reported with its fields.  0 kept, -1 refused. */
int imp_row_end(pmf_import *im, const pmf_import_summary *before, long line,
                const pmf_csv_field *row, size_t n) {
    if (!im->o.skip_bad) return 0;
    im->in_row = 0;
    int bad = im->sum.errors > before->errors && !im->fatal;
    if (bad) {
        int rc = sqlite3_step(im->sp_undo);
        sqlite3_reset(im->sp_undo);
        if (rc != SQLITE_DONE) return imp_fatal(im, "undoing a refused row");
        pmf_packlog_undo(im->packlog, im->packmark);
        int64_t rows = im->sum.rows;
        im->sum.added = before->added;
        im->sum.revised = before->revised;
        im->sum.unchanged = before->unchanged;
        im->sum.errors = before->errors;
        im->sum.rows = rows;
        im->sum.refused++;
    }
    int rc = sqlite3_step(im->sp_end);
    sqlite3_reset(im->sp_end);
    if (rc != SQLITE_DONE) return imp_fatal(im, "ending a row");
    if (imp_pack_boundary(im) != 0) return -1;
    if (bad && im->o.reject)
        im->o.reject(im->o.reject_ud, line, row, n, im->rowmsg.len ? im->rowmsg.s : "refused");
    return bad ? -1 : 0;
}

int pmf_import_row(pmf_import *im, long line, const pmf_csv_field *f) {
    if (im->finished || im->fatal) return -1;
    pmf_import_summary before = im->sum;
    if (imp_row_begin(im) != 0) return -1;
    int rc = imp_process(im, line, f, NULL, NULL, "value", 0);
    if (im->o.skip_bad) return imp_row_end(im, &before, line, f, PMF_IMPORT_NCOLS);
    return rc;
}

const char *pmf_import_row_reason(const pmf_import *im) {
    return im->rowmsg.len ? im->rowmsg.s : NULL;
}
