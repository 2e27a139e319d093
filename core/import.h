/*
 * core/import.h: validated, streaming, bitemporal import of observations (`pmf import`).
 *
 * Pure C over store.h, csv.h and period.h; no Lua (the binding is limport.c, the JSON path
 * and the CLI are Lua).  One import is one file: pmf_import_begin opens a transaction and a
 * batch, rows are fed either from a CSV reader (pmf_import_csv: long or wide form, the
 * header decides) or one at a time (pmf_import_row: the JSON path), and pmf_import_finish
 * commits, or rolls everything back (the batch row too) if any row was bad or this is a
 * dry run.  Every bad row is reported ("FILE:LINE:COLNO: column 'NAME': message", the
 * column's number and name; "FILE:LINE: message" for what is about the whole row), up to
 * max_errors messages, each kept whole, and counted beyond that.
 *
 * Text: every text field (metric, area, period, value, breakdown, numbers, flag, source, and
 * the header's names) must be UTF-8 without NUL bytes; breakdowns are normalised by
 * core/breakdown.h, and checked against the keys declared for their metric (see
 * pmf_import_declare_keys).  Input is shown in messages as given (control characters and
 * bytes that are not UTF-8 written \xNN).
 *
 * Memory is flat in the file's size: codes are cached in small hash tables (one entry per
 * distinct metric, area, period label and breakdown; unknown codes and bad labels only up to
 * a few thousand, so a file of garbage does not grow them), messages are capped, rows are bound straight from the CSV reader's
 * buffers, and duplicate keys within the file are found by the database (the new batch's
 * primary key, and a temporary table on disk for figures that are not written), not by an
 * in-memory set.
 */
#ifndef PMF_IMPORT_H
#define PMF_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "store.h"

#define PMF_IMPORT_MAX_ERRORS 20       /* default number of messages kept */

/* The long form's columns (header names, case-insensitive, any order). */
enum {
    PMF_IMPORT_METRIC = 0, PMF_IMPORT_AREA, PMF_IMPORT_PERIOD, PMF_IMPORT_VALUE,
    PMF_IMPORT_BREAKDOWN, PMF_IMPORT_NUMERATOR, PMF_IMPORT_DENOMINATOR, PMF_IMPORT_FLAG,
    PMF_IMPORT_SOURCE, PMF_IMPORT_NCOLS
};

/* The CSV layout: decided by the header (AUTO), or required. */
enum { PMF_IMPORT_AUTO = 0, PMF_IMPORT_LONG, PMF_IMPORT_WIDE };

typedef struct pmf_import pmf_import;

typedef struct {
    int year_start;          /* 1-12 for reading financial labels; 0 = April */
    int dry_run;             /* validate and count, then roll back */
    int max_errors;          /* messages kept (0 = PMF_IMPORT_MAX_ERRORS); all are counted */
    int layout;              /* PMF_IMPORT_AUTO, _LONG or _WIDE (CSV only) */
    int items;               /* rows are JSON items: "NAME: item N: field 'f'" in messages */
    const char *by, *at;     /* the batch's recorded_by and recorded_at (NULL: defaults) */
    const char *source;      /* the observations' source where a row gives none (or NULL) */
    /* Called about every 64k rows with bytes done and total (-1 unknown); may be NULL. */
    void (*progress)(void *ud, int64_t done, int64_t total);
    void *progress_ud;
    /* Partial import on purpose (`--skip-bad`): a bad row (a CSV line, or one
     * pmf_import_row) is refused alone, its writes undone, and reported to `reject` with
     * its fields as given and the reason (its errors, whole, "; " between); the other rows are
     * imported.  Errors about the file itself (its header, a store failure) still refuse
     * it whole.  The rows' messages are then not kept as errors. */
    int skip_bad;
    int year_type;           /* a pmf_year_type: how period labels are read (0: none declared) */
    void (*reject)(void *ud, long line, const pmf_csv_field *row, size_t n, const char *reason);
    void *reject_ud;
} pmf_import_opts;

typedef struct {
    int64_t rows;            /* figures read (for wide form, non-empty cells) */
    int64_t added;           /* no figure yet for the key */
    int64_t revised;         /* a different figure: a new version written */
    int64_t unchanged;       /* the same figure as the current one: not written */
    int64_t batch;           /* the batch id (-1 after a rollback or dry run) */
    int64_t errors;          /* bad rows (all of them, not only the messages kept) */
    int64_t refused;         /* skip_bad: rows refused alone (and reported to `reject`) */
    int64_t skipped;         /* recipe: rows or figures skipped by a declared rule */
} pmf_import_summary;

/* Start importing into store s: BEGIN IMMEDIATE (a savepoint inside a transaction already
 * open), a batch of kind "import" with source `name`, and the caches.  `name` is the file
 * name used in messages.  NULL with a message in err on failure (a busy store). */
pmf_import *pmf_import_begin(pmf_store *s, const char *name, const pmf_import_opts *o,
                             char *err, size_t errlen);

/* Declare the breakdown keys a metric may have (its frameworks' KPIs declare them):
 * `keys` is a comma-separated list of lower-case keys ("sex,age_band").  A row of that
 * metric with a breakdown whose key is not among them is then an error.  Metrics never
 * declared accept any well-formed key.  Call before the rows; declaring a metric again adds
 * keys.  0, or -1 when the metric is unknown to the store (ignored) or out of memory. */
int pmf_import_declare_keys(pmf_import *im, const char *metric, const char *keys);

/* Import every row of an open CSV reader (the first row is the header).  Returns 0 when
 * every row was good so far, -1 when there were errors (see pmf_import_error) or a fatal
 * store error.  The reader is the caller's to close. */
int pmf_import_csv(pmf_import *im, pmf_csv *c);

/* Read the file through a recipe (core/recipe.h): its header is bound by the recipe and each
 * row rewritten by it into long-form figures before the usual checks.  Call before the
 * rows; the recipe stays the caller's and must outlive the import.  0, or -1 when the
 * recipe resolves area names and the store's areas cannot be loaded (recorded). */
struct pmf_recipe;
int pmf_import_use_recipe(pmf_import *im, struct pmf_recipe *r);

/* Import every row of an open XLSX sheet (core/xlsx_read.h), the first row the header: the
 * same row path as pmf_import_csv (lines are the sheet's row numbers). */
struct pmf_xlsx;
int pmf_import_xlsx(pmf_import *im, struct pmf_xlsx *x);

/* Import one long-form row: f[PMF_IMPORT_*], a field with s == NULL being absent.  `line`
 * is the line (or item number) named in messages.  0 good, -1 bad (recorded). */
int pmf_import_row(pmf_import *im, long line, const pmf_csv_field *f);

/* skip_bad: the reason the last row given to pmf_import_row was refused (or NULL). */
const char *pmf_import_row_reason(const pmf_import *im);

/* Record an error found outside the importer (e.g. a JSON item that is not an object):
 * "NAME: item N: msg" / "NAME:LINE: msg"; line 0 gives "NAME: msg". */
void pmf_import_fail(pmf_import *im, long line, const char *msg);

/* Commit (no errors and not a dry run) or roll back, fill *out, and keep the messages for
 * pmf_import_error.  Returns 0 when committed or a clean dry run, -1 otherwise.  The
 * importer is finished after this (later rows are refused); free it with pmf_import_free. */
int pmf_import_finish(pmf_import *im, pmf_import_summary *out);

/* The kept messages, 0 .. pmf_import_nmessages()-1, and the total count of errors. */
int pmf_import_nmessages(const pmf_import *im);
const char *pmf_import_message(const pmf_import *im, int i);
int64_t pmf_import_nerrors(const pmf_import *im);

/* Roll back if not finished, and free everything.  NULL-safe. */
void pmf_import_free(pmf_import *im);

/* The CSV header as read (trimmed names), for a rejects file: n columns, or 0 before it. */
size_t pmf_import_ncols(const pmf_import *im);
const char *pmf_import_colname(const pmf_import *im, size_t i);

/* Parse a flag list ("provisional|estimated", ';' also separates, case-insensitive, spaces
 * around words ignored) into PMF_FLAG_* bits.  -1 with the bad word's start in *bad. */
int pmf_import_parse_flags(const char *s, size_t len, size_t *bad, size_t *badlen);

#endif
