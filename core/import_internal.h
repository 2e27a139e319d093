/*
 * core/import_internal.h: what the importer's pieces share (not a public header).
 *
 * The importer (core/import.h) is one object, struct pmf_import, in stages, one file each:
 *   import.c         begin (transaction, batch, statements, sign-off locks), finish, free
 *   import_read.c    the header and the row sources (CSV, XLSX, a recipe's rows)
 *   import_row.c     one figure checked and written; a row as a unit (--skip-bad)
 *   import_fields.c  the caches and the readers of one field (codes, periods, breakdowns,
 *                    numbers, flags, text)
 *   import_msg.c     the error collector (messages built whole, capped) and input as shown
 * The design decisions are at the top of core/import.c.  Every function here is the
 * importer's own (prefix imp_); nothing here raises or exits.
 */
#ifndef PMF_IMPORT_INTERNAL_H
#define PMF_IMPORT_INTERNAL_H

#include "import.h"
#include "period.h"
#include "recipe.h"
#include "store_area.h"
#include "store_pack.h"

#include <stdint.h>

#define TABLE_MAX (1u << 20)      /* most entries cached per table */
#define UNKNOWN_MAX 4096          /* most unknown codes or bad labels cached per table */
#define SHOWN_MAX 1000            /* longest input shown in a message, in bytes */
#define NSHOWN 3                  /* inputs one message can show */
#define PROGRESS_ROWS 65536       /* rows between progress calls */

/* The long-form columns' names, by PMF_IMPORT_* (import.c). */
extern const char *const imp_colnames[PMF_IMPORT_NCOLS];

/* A cached string: a metric or area code (id, or -1 unknown), a period label, or a
 * breakdown of a metric ("<metric id>:<normalised, ASCII lower-cased>"). */
typedef struct {
    char *key;
    char *text;              /* metric: ",k1,k2," its declared breakdown keys (or NULL);
                                breakdown: the spelling used in this import */
    size_t len;
    uint64_t hash;
    int64_t id;
    int has_obs;             /* metric: -1 not asked yet, 0 no data before this import, 1 */
    int lock_lo, lock_hi;    /* metric: its locks are locks[lock_lo .. lock_hi) */
    int ok;                  /* period: parsed */
    unsigned label_flags;    /* period: the label's PMF_LABEL_* flags */
    pmf_period period;
} entry;

typedef struct {
    entry *e;
    size_t cap, n;           /* cap a power of two (or 0) */
    size_t nunknown;         /* entries for unknown codes or bad labels (capped) */
} table;

/* A growable byte buffer, freed by its owner (nothing here raises). */
typedef struct {
    char *s;
    size_t len, cap;
} strbuf;

typedef struct {
    int64_t metric;
    int32_t start, len;
    int year_start;
    char *framework;
} lock;

struct pmf_import {
    pmf_store *store;
    sqlite3 *db;
    char *name;
    pmf_import_opts o;
    int savepoint;           /* inside the caller's transaction */
    int finished, fatal;
    int64_t batch;
    pmf_batch_view view;
    sqlite3_stmt *ins, *cur, *any, *seen;
    table metrics, areas, periods, breakdowns;
    strbuf bd, bdkey;        /* the row's normalised breakdown and its cache key */
    int in_row;              /* skip_bad: inside a row that may be refused alone */
    strbuf rowmsg;           /* skip_bad: the row's errors, "; " between (its reason) */
    int rownmsgs;            /* skip_bad: the row's errors so far */
    sqlite3_stmt *sp_begin, *sp_undo, *sp_end;   /* skip_bad: the per-row savepoint */
    pmf_packlog *packlog;    /* the rows written, merged into their packs (store_pack.h) */
    size_t packmark;         /* skip_bad: the log as the row began */
    int triggers_off;        /* this import holds the store's triggers off */
    strbuf shown[NSHOWN];    /* inputs as shown in messages */
    strbuf colbuf;           /* a file's column name as a message names it */
    lock *locks;
    int nlocks;
    pmf_import_summary sum;
    char **msgs;
    int nmsgs;
    /* the CSV header: per column, a long-form column (0..NCOLS-1), or -1 a period (wide) */
    int *colmap;
    pmf_period *colperiod;
    char **colname;
    size_t ncols;
    int colno[PMF_IMPORT_NCOLS];   /* each long-form column's number (1-based; 0 absent) */
    pmf_recipe *recipe;      /* the file is read through a recipe (or NULL) */
    pmf_areas *arearef;      /* the recipe's area names */
    int row_year_type;       /* the figure's year type (a recipe's measure), else o.year_type */
    const double *row_value; /* the figure's value as the recipe read it (or NULL) */
    unsigned row_bad;        /* fields (1 << PMF_IMPORT_*) the recipe found bad: reported */
    strbuf pkey;             /* a period label's cache key (label + year type) */
    pmf_csv_field *xf;       /* an XLSX row as fields */
    size_t xcap;
};

/* import_msg.c: a growable byte buffer (0, or -1 out of memory), and the error collector. */
int imp_sb_room(strbuf *b, size_t n);
int imp_sb_add(strbuf *b, const char *s, size_t n);
int imp_sb_printf(strbuf *b, const char *fmt, ...);
void imp_sb_free(strbuf *b);
/* Record one error ("NAME:LINE:COLNO: column 'col': message"; see import_msg.c). */
void imp_failf(pmf_import *im, long line, int colno, const char *col, const char *fmt, ...);
const char *imp_colword(const pmf_import *im);   /* "column", or "field" for JSON items */
/* The name a message gives column colno (1-based): the file's own header cell, trimmed
 * (however the recipe or --map reads it), else `field` (JSON items, constants). */
const char *imp_colname_at(pmf_import *im, int colno, const char *field);
/* Input as a message shows it, in im->shown[k] until the next call with that k. */
const char *imp_shown_k(pmf_import *im, int k, const char *s, size_t len);
const char *imp_shown(pmf_import *im, const pmf_csv_field *f);
int imp_fatal(pmf_import *im, const char *what);   /* a store failure: recorded, stops; -1 */

/* import_fields.c: the caches and one field each. */
void imp_table_free(table *t);
int64_t imp_code_id(pmf_import *im, table *t, const pmf_csv_field *f, int metric, entry **out);
int imp_period_of(pmf_import *im, const pmf_csv_field *f, pmf_period *p, unsigned *lflags,
                  char *err, size_t errlen);
int imp_is_blank(const pmf_csv_field *f);
int imp_number(pmf_import *im, long line, int colno, const char *col, const pmf_csv_field *f,
               double *v, int *null);
int imp_check_text(pmf_import *im, long line, const pmf_csv_field *f, const int *colno,
                   int valcolno, const char *valcol);
int imp_had_data(pmf_import *im, entry *me, int64_t metric);
int imp_breakdown_of(pmf_import *im, long line, int colno, const pmf_csv_field *f,
                     int64_t metric, int64_t area, entry *me, const pmf_csv_field *mf);

/* import_row.c: one figure; a row as a unit (skip_bad). */
int imp_process(pmf_import *im, long line, const pmf_csv_field *f, const int *colno,
                const pmf_period *pp, const char *valcol, int valcolno);
int imp_row_begin(pmf_import *im);
int imp_row_end(pmf_import *im, const pmf_import_summary *before, long line,
                const pmf_csv_field *row, size_t n);

/* import.c: statements and the duplicate check's table. */
int imp_prep(pmf_import *im, const char *sql, sqlite3_stmt **st);
int imp_seen_prepare(pmf_import *im);
/* At a row boundary (outside a --skip-bad row): merge the rows logged so far into their
 * packs when the log is full.  0, or -1 after a fatal store error. */
int imp_pack_boundary(pmf_import *im);

#endif
