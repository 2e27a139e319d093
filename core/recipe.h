/*
 * core/recipe.h: an import recipe compiled into C, applied on the importer's row path.
 *
 * A recipe (lua/pmf/recipe.lua reads and checks the declarative file, core/recipe_lua.c
 * builds this struct once) describes a publisher's file: which header columns are which
 * long-form field, constants, columns ignored, the measure map (publisher's measure name or
 * code -> metric id, with a year type per measure), missing-value markers and what each
 * means, value transforms, the file's year type, how areas are named and which kinds of
 * area are skipped, and rows to skip.  Pure C over import.h's fields and store_area.h; no
 * Lua.  The importer (core/import_read.c) calls it through three hooks: pmf_recipe_header once,
 * pmf_recipe_skip_row per row, pmf_recipe_cell per figure of the row.
 *
 * A recipe holds its binding to one file's header and its counts, so one recipe serves one
 * import at a time.  Nothing here allocates per row: the area and measure lookups are hash
 * tables filled once per distinct text.
 */
#ifndef PMF_RECIPE_H
#define PMF_RECIPE_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "import.h"
#include "store_area.h"

typedef struct pmf_recipe pmf_recipe;

/* What a missing-value marker means. */
enum { PMF_MARK_MISSING = 1, PMF_MARK_SUPPRESSED, PMF_MARK_NA };
/* Value transforms (bits). */
enum { PMF_TX_THOUSANDS = 1, PMF_TX_PERCENT = 2, PMF_TX_POUND = 4 };
/* Layouts: long (one figure per row), or wide (each column not otherwise named is a period,
 * or a measure looked up in the measure map). */
enum { PMF_RECIPE_LONG = 0, PMF_RECIPE_WIDE_PERIODS, PMF_RECIPE_WIDE_MEASURES };
/* Why a figure or row was skipped (counts). */
enum { PMF_SKIP_RULE = 0, PMF_SKIP_MISSING, PMF_SKIP_NA, PMF_SKIP_AREA_KIND, PMF_SKIP_MEASURE,
       PMF_SKIP_ROW_FN, PMF_SKIP_NREASONS };

pmf_recipe *pmf_recipe_new(const char *name);   /* name: the recipe file, for messages */
void pmf_recipe_free(pmf_recipe *r);            /* NULL-safe */

/* Building (each 0, or -1 out of memory). field is a PMF_IMPORT_* column. */
int pmf_recipe_map(pmf_recipe *r, const char *column, int field);
int pmf_recipe_ignore(pmf_recipe *r, const char *column);   /* "*": every other column */
int pmf_recipe_const(pmf_recipe *r, int field, const char *value);
/* text -> metric (and a breakdown, or NULL, e.g. "sex=female"; and a year type, or 0). */
int pmf_recipe_measure(pmf_recipe *r, const char *text, const char *metric, const char *breakdown,
                       int year_type);
/* The measure is the metric column's text joined with this column's by " | " (repeatable;
 * a blank column adds nothing). */
int pmf_recipe_measure_also(pmf_recipe *r, const char *column);
void pmf_recipe_unmapped_skip(pmf_recipe *r, int skip);     /* unmapped measures: skip, or error */
int pmf_recipe_marker(pmf_recipe *r, const char *text, int meaning);
void pmf_recipe_value(pmf_recipe *r, unsigned transforms, double scale);
void pmf_recipe_layout(pmf_recipe *r, int layout);
void pmf_recipe_year_type(pmf_recipe *r, int year_type);     /* a pmf_year_type */
/* The period label is this template with "{}" replaced by the period column's text, e.g.
 * "30 June {}" for a mid-year figure labelled by its year. */
int pmf_recipe_period_template(pmf_recipe *r, const char *tmpl);
/* A declared fix-up: the period label `from` (as given, trimmed) is read as `to`. */
int pmf_recipe_period_fix(pmf_recipe *r, const char *from, const char *to);
void pmf_recipe_area_by(pmf_recipe *r, int by);              /* a pmf_area_by; -1 codes as given */
int pmf_recipe_skip_area_kind(pmf_recipe *r, const char *kind);   /* "region", "country" ... */
/* Skip rows whose column equals value (prefix: starts with it); counted under the rule. */
int pmf_recipe_skip(pmf_recipe *r, const char *column, const char *value, int prefix);

/* Does the recipe resolve area names (the importer then hands it the areas, and the year
 * start its period labels are read with: a name two codes carried in turn, such as
 * Buckinghamshire, is resolved as at the row's period)? */
int pmf_recipe_needs_areas(const pmf_recipe *r);
void pmf_recipe_set_areas(pmf_recipe *r, const pmf_areas *a, int year_start);

/* Bind the file's header (resetting the counts).  0, or -1 with a message in err naming the
 * recipe and the column. */
int pmf_recipe_header(pmf_recipe *r, const pmf_csv_field *f, size_t n, char *err, size_t errlen);
/* Each field's column number in the bound header (1-based; 0 a constant or absent). */
void pmf_recipe_colnos(const pmf_recipe *r, int *colno);
/* Figures per row (1 for long layouts; the period or measure columns for wide ones). */
int pmf_recipe_ncells(const pmf_recipe *r);
/* 1 when the row is skipped by a rule (counted), else 0. */
int pmf_recipe_skip_row(pmf_recipe *r, const pmf_csv_field *row, size_t n);

typedef struct {
    int colno;               /* the column a message names (1-based), 0 the row */
    const char *colname;     /* its name (the value column's for a figure) */
    int year_type;           /* the figure's year type (measure's, else the recipe's) */
    int hdrfield;            /* wide layouts: the field the cell's header cell gives (the
                                period or the metric: its column is colno), else -1 */
    int has_value;           /* the value transforms read the figure: its number is value */
    double value;            /* (the importer then does not read the value's text again) */
    /* Fields the recipe could not read (each bad field of a row is reported, not only the
     * first): per PMF_IMPORT_* field its message (NULL: fine; "": not to be read, nothing
     * to report), living until the next call; the importer reports them and does not read
     * those fields again.  Set on 1 only. */
    const char *ferr[PMF_IMPORT_NCOLS];
} pmf_recipe_cell_info;

/* Figure i of a row into f (PMF_IMPORT_NCOLS fields; texts live until the next call):
 * 1 ready (perhaps with fields the recipe could not read: info->ferr), 0 skipped
 * (counted), -1 an error in err about column info->colno (the row function's), -2 the row
 * function stopped the import (err says why). */
int pmf_recipe_cell(pmf_recipe *r, const pmf_csv_field *row, size_t n, int i,
                    pmf_csv_field *f, pmf_recipe_cell_info *info, char *err, size_t errlen);

/* The recipe's optional row function (core/recipe_lua.c runs the Lua one), a hook called
 * with the header's column names (trimmed) when it is bound (0, or -1 with a message in err), and with each figure
 * after the declarative mapping (f in-out: what it returns is the figure): 1 keep, 0 skip
 * (counted under PMF_SKIP_ROW_FN), -1 refuse the figure (message in err), -2 stop the whole
 * import (message in err: a limit reached). */
typedef struct {
    int (*header)(void *ud, const char *const *names, size_t n, char *err, size_t errlen);
    int (*row)(void *ud, const pmf_csv_field *row, size_t n, pmf_csv_field *f, char *err,
               size_t errlen);
    void *ud;
} pmf_recipe_rowfn;
void pmf_recipe_set_rowfn(pmf_recipe *r, const pmf_recipe_rowfn *fn);   /* NULL: none */

/* Counts since the header: skipped figures or rows per PMF_SKIP_* reason. */
int64_t pmf_recipe_skipped(const pmf_recipe *r, int reason);

#endif
