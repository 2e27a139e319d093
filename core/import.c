/*
 * core/import.c: validated, streaming, bitemporal import of observations.
 *
 * Owns: an import's life (pmf_import_begin: the transaction, the batch, the prepared
 * statements, the sign-off locks and the duplicate check's table; pmf_import_finish: the
 * audit row, commit or roll back; pmf_import_free), and the design of the whole importer,
 * below.  Its stages are one file each (core/import_internal.h lists them): reading
 * long- and wide-form CSV or XLSX (import_read.c), checking each row (metric, area, period,
 * numbers, flags, sign-off locks, duplicates) and comparing it with the figure known now,
 * writing new versions in one batch (import_row.c, import_fields.c), the errors
 * (import_msg.c); all in one transaction per file.
 *
 * Design decisions:
 *
 * - All or nothing.  One transaction per file (BEGIN IMMEDIATE, or a savepoint when the
 *   caller already holds a transaction).  Good rows are written even after a bad one, so
 *   that duplicates and later errors are still found, and the whole file is rolled back at
 *   the end if anything was wrong: the store is left exactly as it was, batch row included.
 *
 * - No per-row allocation.  Fields are bound to the prepared INSERT straight from the CSV
 *   reader's buffers (SQLITE_STATIC: they live until the next row).  Metric and area codes
 *   and period labels are cached in small open-addressing hash tables, one entry per
 *   distinct string (capped, so a file of garbage codes cannot grow them without bound).
 *
 * - Bitemporal comparison.  The figure a row is compared with is the latest version of its
 *   key (metric, area, breakdown, start, len) as known now: the versions are one range scan
 *   of the observation table's primary key, and the latest is picked in C by the batch's
 *   rank (recorded_ms, id) from a batch view loaded once.  A metric with no observations at
 *   all before this import (asked once per metric) skips the lookup entirely: that is the
 *   common first load, and it runs at the speed of the INSERT alone.
 *
 * - Duplicates within the file, with memory flat in the file's size.  For a metric on the
 *   fast path every row is written into the new batch, so a second row with the same key
 *   violates the primary key (metric, area, breakdown, start, len, batch): SQLite tells us.
 *   For a metric with earlier data, an unchanged row is not written, so every key of such a
 *   metric is also recorded in a TEMP table (on disk, in SQLite's temp store, behind its own
 *   small page cache) whose primary key does the same.  Memory stays flat however many
 *   distinct keys there are; the cost is one extra B-tree insert per row, only for metrics
 *   that already had data.  The earlier line of a duplicate is not known, so the message
 *   names the key instead.
 *
 * - Text.  Every field is checked as UTF-8 without NUL before anything else (a NUL used to
 *   make "sex=F\0" display as "sex=F" and never be found).  Breakdowns go through the one
 *   normaliser (core/breakdown.h); the spelling a normalised breakdown takes is this
 *   import's first for the metric, else the store's, else its own, cached per (metric,
 *   breakdown) so the store is asked once per distinct breakdown of a metric.
 *
 * - Errors.  Each message is built whole (no fixed buffer: a list of unknown columns or a
 *   long value is never cut) and only max_errors are kept; unknown codes and bad period
 *   labels are cached only up to UNKNOWN_MAX, so a refused file of 2M distinct unknown codes
 *   takes the memory of a good one.  A message names the column by number and name
 *   ("NAME:LINE:COLNO: column 'c': ...") and shows the input as given (\xNN for control
 *   characters and bytes that are not UTF-8; past SHOWN_MAX bytes it says how long it was).
 *
 * - Partial imports on purpose (opts.skip_bad, `--skip-bad`).  Each row (a CSV line, or one
 *   pmf_import_row) runs inside a savepoint; a row with any error is rolled back to it alone
 *   (a wide line's good cells with its bad one), its counts restored, and handed to
 *   opts.reject with its fields as given and its messages whole (the reason), which
 *   is then not kept as an error of the file.  Errors about the file (its header, a store
 *   failure) still refuse it whole.  A duplicate key refuses the later row: the earlier one
 *   is already in the batch.  The duplicate check's TEMP table is made before the first
 *   savepoint, so that no rollback drops it.
 *
 * - One row path.  CSV (core/csv.h) and XLSX sheets (core/xlsx_read.h) are both a `source`
 *   (next row, its fields, its line) fed to import_rows; an XLSX row's cells are handed on as
 *   fields, so a workbook gets exactly the checks a CSV file gets.
 *
 * - Recipes (core/recipe.h) are a narrow hook: with one, the header is bound by the recipe
 *   and each row is rewritten by it into long-form figures (columns mapped, constants,
 *   measure map, markers, value transforms, area names, skip rules), each then checked by
 *   imp_process() like any other; what the recipe skips is counted in the summary's `skipped`.
 *   A row function's limit reached (pmf_recipe_cell -2) stops the import like a store error.
 *
 * - Periods are read by pmf_period_parse_typed under the figure's year type (a recipe's
 *   measure, else the import's: --period-type), cached per (label, year type); an ambiguous
 *   label with no year type declared is an error naming both readings, and a label's
 *   "(prov)" makes the figure provisional, "(Rev)" revised (PMF_FLAG_REVISED); "(OT)" and
 *   "(Final)" mark a final figure (no flag; with a `provisional` flag, an error).
 *
 * - Sign-off.  The locked spans (framework, start, len, latest event 'signoff') of every
 *   metric are loaded once at the start; a row overlapping one is an error.
 *
 * Error contract: every row error is recorded ("NAME:LINE:COLNO: column 'c': message"), the first
 * max_errors messages kept and all counted; store failures (busy, I/O) are recorded too and
 * stop the import.  Nothing here raises or exits.
 */
#include "import_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const imp_colnames[PMF_IMPORT_NCOLS] = {
    "metric", "area", "period", "value", "breakdown", "numerator", "denominator", "flag",
    "source",
};

/* ---------------------------------------------------------------------------------------
 * Begin: transaction, batch, statements, locks.
 * ------------------------------------------------------------------------------------- */

int imp_prep(pmf_import *im, const char *sql, sqlite3_stmt **st) {
    return sqlite3_prepare_v3(im->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

/* Load the locked spans of every metric, ordered by metric. */
static int load_locks(pmf_import *im) {
    sqlite3_stmt *st;
    if (imp_prep(im, "SELECT fm.metric, s.start, s.len, f.year_start, s.framework"
                 "  FROM signoff s JOIN framework_metric fm ON fm.framework = s.framework"
                 "  JOIN framework f ON f.id = s.framework"
                 " WHERE s.event = 'signoff' AND s.id = (SELECT max(t.id) FROM signoff t"
                 "   WHERE t.framework = s.framework AND t.start = s.start AND t.len = s.len)"
                 " ORDER BY fm.metric, s.start", &st) != SQLITE_OK)
        return -1;
    int cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (im->nlocks == cap) {
            cap = cap ? cap * 2 : 16;
            lock *l = realloc(im->locks, (size_t)cap * sizeof *l);
            if (!l) break;
            im->locks = l;
        }
        lock *l = &im->locks[im->nlocks];
        l->metric = sqlite3_column_int64(st, 0);
        l->start = (int32_t)sqlite3_column_int(st, 1);
        l->len = (int32_t)sqlite3_column_int(st, 2);
        l->year_start = sqlite3_column_int(st, 3);
        l->framework = strdup((const char *)sqlite3_column_text(st, 4));
        if (!l->framework) break;
        im->nlocks++;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

pmf_import *pmf_import_begin(pmf_store *s, const char *name, const pmf_import_opts *o,
                             char *err, size_t errlen) {
    pmf_import *im = calloc(1, sizeof *im);
    if (!im || !(im->name = strdup(name ? name : "<input>"))) {
        free(im);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    im->store = s;
    im->db = pmf_store_db(s);
    if (o) im->o = *o;
    if (im->o.year_start < 1 || im->o.year_start > 12) im->o.year_start = PMF_PERIOD_DEFAULT_YEAR_START;
    if (im->o.max_errors <= 0) im->o.max_errors = PMF_IMPORT_MAX_ERRORS;
    im->o.by = im->o.at = im->o.source = NULL;   /* not kept beyond this call... */
    if (o && o->source && !(im->o.source = strdup(o->source))) goto nomem;
    im->msgs = calloc((size_t)im->o.max_errors, sizeof *im->msgs);
    if (!im->msgs) goto nomem;
    im->batch = -1;
    im->sum.batch = -1;

    im->savepoint = !sqlite3_get_autocommit(im->db);
    int rc = im->savepoint ? sqlite3_exec(im->db, "SAVEPOINT pmf_import", NULL, NULL, NULL)
                           : pmf_store_begin(s);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot start the import: %s", im->name, sqlite3_errmsg(im->db));
        im->finished = 1;
        pmf_import_free(im);
        return NULL;
    }
    /* Packed series (store_pack.h): this import keeps its series' packs itself, so the
     * per-row triggers are off for its life, on this connection only. */
    if (pmf_store_triggers_off(s) != 0) {
        snprintf(err, errlen, "%s: cannot start the import: %s", im->name, sqlite3_errmsg(im->db));
        pmf_import_free(im);
        return NULL;
    }
    im->triggers_off = 1;
    pmf_store_own_write(s, 1);
    rc = imp_prep(im, "INSERT INTO observation(metric, area, breakdown, start, len, batch, value,"
                  " numerator, denominator, flags, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                  " ?8, ?9, ?10, ?11)", &im->ins);
    pmf_store_own_write(s, 0);
    if (rc != SQLITE_OK ||
        pmf_batch_view_load(s, INT64_MAX, &im->view) != 0 || load_locks(im) != 0 ||
        imp_prep(im, "SELECT batch, value, numerator, denominator, flags FROM observation"
                 " WHERE metric = ?1 AND area = ?2 AND breakdown = ?3 AND start = ?4"
                 " AND len = ?5", &im->cur) != SQLITE_OK ||
        imp_prep(im, "SELECT 1 FROM observation WHERE metric = ?1 LIMIT 1", &im->any) != SQLITE_OK ||
        (im->batch = pmf_store_new_batch(s, "import", o ? o->by : NULL, o ? o->at : NULL,
                                         im->name, NULL)) < 0 ||
        !(im->packlog = pmf_packlog_new(s, im->batch))) {
        snprintf(err, errlen, "%s: cannot start the import: %s", im->name, sqlite3_errmsg(im->db));
        pmf_import_free(im);
        return NULL;
    }
    sqlite3_bind_int64(im->ins, 6, im->batch);
    return im;
nomem:
    snprintf(err, errlen, "out of memory");
    im->finished = 1;
    pmf_import_free(im);
    return NULL;
}

/* The temporary table of keys seen for metrics that had data before (see the top). */
int imp_seen_prepare(pmf_import *im) {
    if (im->seen) return 0;
    if (sqlite3_exec(im->db,
            "CREATE TEMP TABLE IF NOT EXISTS pmf_import_seen(metric INTEGER, area INTEGER,"
            " breakdown TEXT, start INTEGER, len INTEGER,"
            " PRIMARY KEY (metric, area, breakdown, start, len)) WITHOUT ROWID;"
            "DELETE FROM temp.pmf_import_seen;", NULL, NULL, NULL) != SQLITE_OK ||
        imp_prep(im, "INSERT INTO temp.pmf_import_seen VALUES (?1, ?2, ?3, ?4, ?5)", &im->seen)
            != SQLITE_OK)
        return imp_fatal(im, "preparing the duplicate check");
    return 0;
}
/* Merge the log into the packs; a failure names the log's own reason (memory or the store). */
static int pack_flush(pmf_import *im) {
    if (pmf_packlog_flush(im->packlog) == 0) return 0;
    imp_failf(im, 0, 0, NULL, "store error packing the series written: %s",
              pmf_packlog_error(im->packlog));
    im->fatal = 1;
    return -1;
}

int imp_pack_boundary(pmf_import *im) {
    if (im->in_row || !pmf_packlog_full(im->packlog)) return 0;
    return pack_flush(im);
}

/* ---------------------------------------------------------------------------------------
 * Finish.
 * ------------------------------------------------------------------------------------- */

static int end_tx(pmf_import *im, int commit) {
    const char *sql = commit ? (im->savepoint ? "RELEASE pmf_import" : "COMMIT")
                             : (im->savepoint ? "ROLLBACK TO pmf_import; RELEASE pmf_import"
                                              : "ROLLBACK");
    return sqlite3_exec(im->db, sql, NULL, NULL, NULL);
}

int pmf_import_finish(pmf_import *im, pmf_import_summary *out) {
    if (im->finished) {
        if (out) *out = im->sum;
        return -1;
    }
    im->finished = 1;
    int commit = im->sum.errors == 0 && !im->o.dry_run;
    if (commit) {
        sqlite3_stmt *st;
        strbuf detail = {NULL, 0, 0};   /* whole, however long the file's name */
        if (imp_sb_printf(&detail, "%s: %lld rows, %lld new, %lld revised, %lld unchanged",
                      im->name, (long long)im->sum.rows, (long long)im->sum.added,
                      (long long)im->sum.revised, (long long)im->sum.unchanged) != 0 ||
            (im->sum.refused && imp_sb_printf(&detail, ", %lld refused (--skip-bad)",
                                          (long long)im->sum.refused) != 0)) {
            imp_fatal(im, "(out of memory)");
            commit = 0;
        } else if (imp_prep(im, "INSERT INTO audit(batch, what, detail) VALUES (?1, 'import', ?2)", &st)
                != SQLITE_OK) {
            imp_fatal(im, "writing the audit trail");
            commit = 0;
        } else {
            sqlite3_bind_int64(st, 1, im->batch);
            sqlite3_bind_text(st, 2, detail.s, (int)detail.len, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) {
                imp_fatal(im, "writing the audit trail");
                commit = 0;
            }
            sqlite3_finalize(st);
        }
        imp_sb_free(&detail);
    }
    /* the series written, packed (their packs must hold these rows: a failure is the
     * import's); then any a writer without the importer left dirty, which is no part of this
     * import: a failure there leaves them listed, read from their rows (store_pack.h) */
    if (commit && pack_flush(im) != 0) commit = 0;
    if (commit) pmf_store_repack(im->store);
    if (commit && end_tx(im, 1) != SQLITE_OK) {
        imp_fatal(im, "committing");
        commit = 0;
    }
    if (!commit) end_tx(im, 0);
    if (im->triggers_off) {
        im->triggers_off = 0;
        pmf_store_triggers_on(im->store);
    }
    sqlite3_finalize(im->sp_begin);
    sqlite3_finalize(im->sp_undo);
    sqlite3_finalize(im->sp_end);
    im->sp_begin = im->sp_undo = im->sp_end = NULL;
    if (im->seen) {
        sqlite3_finalize(im->seen);
        im->seen = NULL;
        sqlite3_exec(im->db, "DROP TABLE IF EXISTS temp.pmf_import_seen", NULL, NULL, NULL);
    }
    im->sum.batch = commit ? im->batch : -1;
    if (out) *out = im->sum;
    return commit || (im->o.dry_run && im->sum.errors == 0) ? 0 : -1;
}
void pmf_import_free(pmf_import *im) {
    if (!im) return;
    if (!im->finished) {
        im->finished = 1;
        end_tx(im, 0);
    }
    if (im->triggers_off) pmf_store_triggers_on(im->store);
    pmf_packlog_free(im->packlog);
    sqlite3_finalize(im->ins);
    sqlite3_finalize(im->cur);
    sqlite3_finalize(im->any);
    sqlite3_finalize(im->sp_begin);
    sqlite3_finalize(im->sp_undo);
    sqlite3_finalize(im->sp_end);
    if (im->seen) {
        sqlite3_finalize(im->seen);
        sqlite3_exec(im->db, "DROP TABLE IF EXISTS temp.pmf_import_seen", NULL, NULL, NULL);
    }
    pmf_batch_view_free(&im->view);
    imp_table_free(&im->metrics);
    imp_table_free(&im->areas);
    imp_table_free(&im->periods);
    imp_table_free(&im->breakdowns);
    imp_sb_free(&im->bd);
    imp_sb_free(&im->bdkey);
    imp_sb_free(&im->pkey);
    imp_sb_free(&im->rowmsg);
    free(im->xf);
    pmf_areas_free(im->arearef);
    for (int i = 0; i < NSHOWN; i++) imp_sb_free(&im->shown[i]);
    imp_sb_free(&im->colbuf);
    for (int i = 0; i < im->nlocks; i++) free(im->locks[i].framework);
    free(im->locks);
    for (int i = 0; i < im->nmsgs; i++) free(im->msgs[i]);
    free(im->msgs);
    for (size_t i = 0; i < im->ncols && im->colname; i++) free(im->colname[i]);
    free(im->colname);
    free(im->colmap);
    free(im->colperiod);
    free((char *)im->o.source);
    free(im->name);
    free(im);
}
