/*
 * core/import.c: validated, streaming, bitemporal import of observations.
 *
 * Owns: reading long- and wide-form CSV through core/csv.h, checking each row (metric, area,
 * period, numbers, flags, sign-off locks, duplicates), comparing it with the figure known now
 * and writing new versions in one batch, all in one transaction per file.
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
 *   opts.reject with its fields as given and its first message whole (the reason), which
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
 *   process() like any other; what the recipe skips is counted in the summary's `skipped`.
 *   A row function's limit reached (pmf_recipe_cell -2) stops the import like a store error.
 *
 * - Periods are read by pmf_period_parse_typed under the figure's year type (a recipe's
 *   measure, else the import's: --period-type), cached per (label, year type); an ambiguous
 *   label with no year type declared is an error naming both readings, and a label's
 *   "(prov)" makes the figure provisional.
 *
 * - Sign-off.  The locked spans (framework, start, len, latest event 'signoff') of every
 *   metric are loaded once at the start; a row overlapping one is an error.
 *
 * Error contract: every row error is recorded ("NAME:LINE:COLNO: column 'c': message"), the first
 * max_errors messages kept and all counted; store failures (busy, I/O) are recorded too and
 * stop the import.  Nothing here raises or exits.
 */
#include "import.h"
#include "breakdown.h"
#include "period.h"
#include "recipe.h"
#include "xlsx_read.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TABLE_MAX (1u << 20)      /* most entries cached per table */
#define UNKNOWN_MAX 4096          /* most unknown codes or bad labels cached per table */
#define SHOWN_MAX 1000            /* longest input shown in a message, in bytes */
#define NSHOWN 3                  /* inputs one message can show */
#define PROGRESS_ROWS 65536       /* rows between progress calls */

static const char *const colnames[PMF_IMPORT_NCOLS] = {
    "metric", "area", "period", "value", "breakdown", "numerator", "denominator", "flag",
    "source",
};

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
    strbuf rowmsg;           /* skip_bad: the row's first error (its reason) */
    sqlite3_stmt *sp_begin, *sp_undo, *sp_end;   /* skip_bad: the per-row savepoint */
    strbuf shown[NSHOWN];    /* inputs as shown in messages */
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
    strbuf pkey;             /* a period label's cache key (label + year type) */
    pmf_csv_field *xf;       /* an XLSX row as fields */
    size_t xcap;
};

/* ---------------------------------------------------------------------------------------
 * Messages.
 * ------------------------------------------------------------------------------------- */

/* Make room for n more bytes (and a NUL).  0, or -1 out of memory. */
static int sb_room(strbuf *b, size_t n) {
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) return -1;
    b->s = s;
    b->cap = cap;
    return 0;
}

static int sb_add(strbuf *b, const char *s, size_t n) {
    if (sb_room(b, n) != 0) return -1;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

/* Append printf-style text, whole. */
static int sb_printf(strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sb_room(b, (size_t)n) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

static void sb_free(strbuf *b) {
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* Record one error: "NAME:LINE:COLNO: column 'col': message" (or "NAME: item N: field 'col':
 * ..." for JSON items, "NAME: ..." for line 0, the message alone for line -1; ":COLNO" only when colno > 0, "column 'col': "
 * only when col).  Counted always, kept (whole, however long) up to max_errors: memory for
 * messages is flat in the number of errors. */
static void failf(pmf_import *im, long line, int colno, const char *col, const char *fmt, ...) {
    im->sum.errors++;
    int row = im->in_row && line > 0;   /* skip_bad: the row's reason, not a file error */
    if (row && im->rowmsg.len) return;
    if (!row && im->nmsgs >= im->o.max_errors) return;
    strbuf b = {NULL, 0, 0};
    int rc;
    if (line < 0) rc = 0;                      /* the message names the file itself */
    else if (line == 0) rc = sb_printf(&b, "%s: ", im->name);
    else if (im->o.items) rc = sb_printf(&b, "%s: item %ld: ", im->name, line);
    else if (colno > 0) rc = sb_printf(&b, "%s:%ld:%d: ", im->name, line, colno);
    else rc = sb_printf(&b, "%s:%ld: ", im->name, line);
    if (rc == 0 && col) rc = sb_printf(&b, "%s '%s': ", im->o.items ? "field" : "column", col);
    if (rc == 0) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || sb_room(&b, (size_t)n) != 0) rc = -1;
        else {
            va_start(ap, fmt);
            vsnprintf(b.s + b.len, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    if (rc == 0 && row) {
        if (sb_add(&im->rowmsg, b.s, strlen(b.s)) != 0) im->rowmsg.len = 0;
        free(b.s);
    } else if (rc == 0) im->msgs[im->nmsgs++] = b.s;
    else free(b.s);
}

static const char *colword(const pmf_import *im) { return im->o.items ? "field" : "column"; }

void pmf_import_fail(pmf_import *im, long line, const char *msg) {
    failf(im, line, 0, NULL, "%s", msg);
}

/* Input text as a message shows it: as given (case and spaces kept), with control
 * characters, NUL bytes and bytes that are not UTF-8 written \xNN, so that the message is
 * printable UTF-8.  Past SHOWN_MAX bytes it ends "... (N bytes)" at a character boundary,
 * saying so.  The result lives in im->shown[k] until the next call with the same k. */
static const char *shown_k(pmf_import *im, int k, const char *s, size_t len) {
    strbuf *b = &im->shown[k];
    b->len = 0;
    if (sb_room(b, 16) != 0) return "(out of memory)";
    b->s[0] = '\0';
    size_t i = 0;
    while (i < len) {
        if (i >= SHOWN_MAX) {
            sb_printf(b, "... (%zu bytes)", len);
            break;
        }
        const char *why;
        size_t win = len - i < SHOWN_MAX + 4 - i ? len - i : SHOWN_MAX + 4 - i;
        size_t ok = pmf_text_check(s + i, win, &why);
        size_t n = ok;       /* valid bytes from i; control characters among them escaped */
        for (size_t j = 0; j < n; j++) {
            unsigned char c = (unsigned char)s[i + j];
            if (c < 0x20 || c == 0x7f) {
                if (sb_add(b, s + i, j) != 0 || sb_printf(b, "\\x%02X", c) != 0)
                    return "(out of memory)";
                i += j + 1;
                n = (size_t)-1;
                break;
            }
        }
        if (n == (size_t)-1) continue;
        if (i + n > SHOWN_MAX && n) {   /* stop at a character boundary past the limit */
            size_t cut = SHOWN_MAX - i;
            while (cut < n && ((unsigned char)s[i + cut] & 0xC0) == 0x80) cut++;
            n = cut;
        }
        if (sb_add(b, s + i, n) != 0) return "(out of memory)";
        i += n;
        if (i < len && n == ok && i < SHOWN_MAX) {   /* a bad byte (not the window's end) */
            if (sb_printf(b, "\\x%02X", (unsigned char)s[i]) != 0) return "(out of memory)";
            i++;
        }
    }
    return b->s;
}

static const char *shown(pmf_import *im, const pmf_csv_field *f) {
    return shown_k(im, 0, f->s, f->len);
}

/* A store failure: recorded, and the import stops. */
static int fatal(pmf_import *im, const char *what) {
    failf(im, 0, 0, NULL, "store error %s: %s", what, sqlite3_errmsg(im->db));
    im->fatal = 1;
    return -1;
}

/* ---------------------------------------------------------------------------------------
 * The caches.
 * ------------------------------------------------------------------------------------- */

static uint64_t fnv1a(const char *s, size_t len) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The entry for s, or where it would go (key NULL); NULL if the table is empty. */
static entry *slot(table *t, const char *s, size_t len, uint64_t h) {
    if (!t->cap) return NULL;
    size_t i = (size_t)h & (t->cap - 1);
    for (;;) {
        entry *e = &t->e[i];
        if (!e->key || (e->hash == h && e->len == len && memcmp(e->key, s, len) == 0)) return e;
        i = (i + 1) & (t->cap - 1);
    }
}

static int grow(table *t) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    entry *e = calloc(cap, sizeof *e);
    if (!e) return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->e[i].key) continue;
        size_t j = (size_t)t->e[i].hash & (cap - 1);
        while (e[j].key) j = (j + 1) & (cap - 1);
        e[j] = t->e[i];
    }
    free(t->e);
    t->e = e;
    t->cap = cap;
    return 0;
}

/* The cached entry for s, or NULL. */
static entry *lookup(table *t, const char *s, size_t len) {
    entry *e = slot(t, s, len, fnv1a(s, len));
    return e && e->key ? e : NULL;
}

/* Add s (not there yet) and return its entry, zeroed but for the key; when the table is
 * full, or s is `unknown` and UNKNOWN_MAX unknown entries are cached already, *tmp is
 * zeroed and returned instead (not kept).  NULL only when out of memory.  Capping the
 * unknown entries keeps memory flat for a file of garbage codes. */
static entry *add(table *t, const char *s, size_t len, int unknown, entry *tmp) {
    uint64_t h = fnv1a(s, len);
    if (t->n >= TABLE_MAX || (unknown && t->nunknown >= UNKNOWN_MAX)) {
        memset(tmp, 0, sizeof *tmp);
        return tmp;
    }
    if ((t->n + 1) * 2 > t->cap && grow(t) != 0) return NULL;
    entry *e = slot(t, s, len, h);
    char *key = malloc(len + 1);
    if (!key) return NULL;
    memcpy(key, s, len);
    key[len] = '\0';
    memset(e, 0, sizeof *e);
    e->key = key;
    e->len = len;
    e->hash = h;
    t->n++;
    if (unknown) t->nunknown++;
    return e;
}

static void table_free(table *t) {
    for (size_t i = 0; i < t->cap; i++) {
        free(t->e[i].key);
        free(t->e[i].text);
    }
    free(t->e);
    t->e = NULL;
    t->cap = t->n = 0;
}

/* ---------------------------------------------------------------------------------------
 * Begin: transaction, batch, statements, locks.
 * ------------------------------------------------------------------------------------- */

static int prep(pmf_import *im, const char *sql, sqlite3_stmt **st) {
    return sqlite3_prepare_v3(im->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

/* Load the locked spans of every metric, ordered by metric. */
static int load_locks(pmf_import *im) {
    sqlite3_stmt *st;
    if (prep(im, "SELECT fm.metric, s.start, s.len, f.year_start, s.framework"
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
    if (pmf_batch_view_load(s, INT64_MAX, &im->view) != 0 || load_locks(im) != 0 ||
        prep(im, "INSERT INTO observation(metric, area, breakdown, start, len, batch, value,"
                 " numerator, denominator, flags, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                 " ?8, ?9, ?10, ?11)", &im->ins) != SQLITE_OK ||
        prep(im, "SELECT batch, value, numerator, denominator, flags FROM observation"
                 " WHERE metric = ?1 AND area = ?2 AND breakdown = ?3 AND start = ?4"
                 " AND len = ?5", &im->cur) != SQLITE_OK ||
        prep(im, "SELECT 1 FROM observation WHERE metric = ?1 LIMIT 1", &im->any) != SQLITE_OK ||
        (im->batch = pmf_store_new_batch(s, "import", o ? o->by : NULL, o ? o->at : NULL,
                                         im->name, NULL)) < 0) {
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
static int seen_prepare(pmf_import *im) {
    if (im->seen) return 0;
    if (sqlite3_exec(im->db,
            "CREATE TEMP TABLE IF NOT EXISTS pmf_import_seen(metric INTEGER, area INTEGER,"
            " breakdown TEXT, start INTEGER, len INTEGER,"
            " PRIMARY KEY (metric, area, breakdown, start, len)) WITHOUT ROWID;"
            "DELETE FROM temp.pmf_import_seen;", NULL, NULL, NULL) != SQLITE_OK ||
        prep(im, "INSERT INTO temp.pmf_import_seen VALUES (?1, ?2, ?3, ?4, ?5)", &im->seen)
            != SQLITE_OK)
        return fatal(im, "preparing the duplicate check");
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Rows.
 * ------------------------------------------------------------------------------------- */

int pmf_import_parse_flags(const char *s, size_t len, size_t *bad, size_t *badlen) {
    static const char *const words[] = {"provisional", "estimated", "proxy", "suppressed"};
    static const int bits[] = {PMF_FLAG_PROVISIONAL, PMF_FLAG_ESTIMATED, PMF_FLAG_PROXY,
                               PMF_FLAG_SUPPRESSED};
    int flags = 0;
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '|' && s[j] != ';') j++;
        size_t a = i, b = j;
        while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
        if (b > a) {
            int found = 0;
            for (int k = 0; k < 4 && !found; k++)
                if (strlen(words[k]) == b - a && strncasecmp(words[k], s + a, b - a) == 0) {
                    flags |= bits[k];
                    found = 1;
                }
            if (!found) {
                if (bad) *bad = a;
                if (badlen) *badlen = b - a;
                return -1;
            }
        }
        i = j + 1;
    }
    return flags;
}

/* A metric or area id through the cache; -1 unknown, -2 out of memory.  *out is the cache
 * entry, or NULL when it is not cached. */
static int64_t code_id(pmf_import *im, table *t, const pmf_csv_field *f, int metric, entry **out) {
    entry tmp, *e = lookup(t, f->s, f->len);
    if (!e) {
        int64_t id = metric ? pmf_store_metric_id(im->store, f->s) : pmf_store_area_id(im->store, f->s);
        if (strlen(f->s) != f->len) id = -1;   /* an embedded NUL is never a code */
        if (!(e = add(t, f->s, f->len, id < 0, &tmp))) return -2;
        e->id = id;
        e->has_obs = -1;
        if (metric && id >= 0) {
            int lo = 0;
            while (lo < im->nlocks && im->locks[lo].metric < id) lo++;
            int hi = lo;
            while (hi < im->nlocks && im->locks[hi].metric == id) hi++;
            e->lock_lo = lo;
            e->lock_hi = hi;
        }
    }
    if (out) *out = e == &tmp ? NULL : e;
    return e->id;
}

/* A period label through the cache, read under the figure's year type: 0, *p and the
 * label's flags in *lflags, or -1 (message in err). */
static int period_of(pmf_import *im, const pmf_csv_field *f, pmf_period *p, unsigned *lflags,
                     char *err, size_t errlen) {
    int yt = im->row_year_type ? im->row_year_type : im->o.year_type;
    pmf_period_opts po = {im->o.year_start, yt};
    const char *k = f->s;
    size_t klen = f->len;
    if (yt) {   /* the same label reads differently under another year type */
        im->pkey.len = 0;
        if (sb_add(&im->pkey, f->s, f->len) != 0 || sb_printf(&im->pkey, "\x01%d", yt) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        k = im->pkey.s;
        klen = im->pkey.len;
    }
    entry tmp, *e = lookup(&im->periods, k, klen);
    if (!e) {
        pmf_period q;
        pmf_period_info info = {0, {0, 0, 0}};
        int ok = strlen(f->s) == f->len &&
                 pmf_period_parse_typed(f->s, &po, &q, &info, NULL, 0) == 0;
        if (!(e = add(&im->periods, k, klen, !ok, &tmp))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        e->ok = ok;
        e->label_flags = info.flags;
        if (ok) e->period = q;
    }
    if (e->ok) { *p = e->period; *lflags = e->label_flags; return 0; }
    pmf_period_info info;
    pmf_period_parse_typed(f->s, &po, p, &info, err, errlen);
    return -1;
}

static int is_blank(const pmf_csv_field *f) {
    for (size_t i = 0; i < f->len; i++)
        if (f->s[i] != ' ' && f->s[i] != '\t') return 0;
    return 1;
}

/* A number column: 0 and *v (*null = 1 when empty), or -1 recorded. */
static int number(pmf_import *im, long line, int colno, const char *col, const pmf_csv_field *f,
                  double *v, int *null) {
    *null = 0;
    if (!f->s) { *null = 1; return 0; }
    switch (pmf_parse_number(f->s, f->len, v)) {
    case PMF_NUM_OK: return 0;
    case PMF_NUM_EMPTY: *null = 1; return 0;
    case PMF_NUM_RANGE:
        failf(im, line, colno, col, "'%s' is too large", shown(im, f));
        return -1;
    default:
        failf(im, line, colno, col, "'%s' is not a number", shown(im, f));
        return -1;
    }
}

static void bind_opt(sqlite3_stmt *st, int i, double v, int null) {
    if (null) sqlite3_bind_null(st, i); else sqlite3_bind_double(st, i, v);
}

static int same_num(sqlite3_stmt *st, int col, double v, int null) {
    if (sqlite3_column_type(st, col) == SQLITE_NULL) return null;
    return !null && sqlite3_column_double(st, col) == v;
}

/* Every text field is UTF-8 without NUL bytes: 0, or -1 with each bad one recorded. */
static int check_text(pmf_import *im, long line, const pmf_csv_field *f, const int *colno,
                      int valcolno, const char *valcol) {
    int bad = 0;
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++) {
        if (!f[k].s) continue;
        const char *why;
        size_t at = pmf_text_check(f[k].s, f[k].len, &why);
        if (at == f[k].len) continue;
        int value = k == PMF_IMPORT_VALUE;
        failf(im, line, value ? valcolno : colno ? colno[k] : 0,
              value ? valcol : colnames[k], "'%s' contains %s (byte %zu)", shown(im, &f[k]),
              why, at + 1);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* Did the metric have observations before this import?  1 (also when not cached), 0, or -1
 * fatal.  Asked once per metric. */
static int had_data(pmf_import *im, entry *me, int64_t metric) {
    if (!me) return 1;
    if (me->has_obs < 0) {
        sqlite3_bind_int64(im->any, 1, metric);
        int rc = sqlite3_step(im->any);
        sqlite3_reset(im->any);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fatal(im, "reading observations");
        me->has_obs = rc == SQLITE_ROW;
    }
    return me->has_obs;
}

/* The row's breakdown, normalised and spelt as first stored or seen (breakdown.h), in
 * im->bd; the metric's declared keys checked.  0, or -1 recorded (or fatal). */
static int breakdown_of(pmf_import *im, long line, int colno, const pmf_csv_field *f,
                        int64_t metric, int64_t area, entry *me, const pmf_csv_field *mf) {
    strbuf *b = &im->bd;
    b->len = 0;
    if (sb_room(b, f->len) != 0) return fatal(im, "(out of memory)");
    size_t at = 0;
    const char *why = "";
    if (pmf_breakdown_normalise(f->s, f->len, b->s, &b->len, &at, &why) != 0) {
        failf(im, line, colno, "breakdown", "'%s' %s", shown(im, f), why);
        return -1;
    }
    if (!b->len) return 0;
    if (me && me->text) {   /* the metric's breakdown keys are declared */
        size_t klen = (size_t)((char *)memchr(b->s, '=', b->len) - b->s);
        int found = 0;
        for (const char *k = me->text; k && k[1] && !found; k = strchr(k + 1, ','))
            found = strncmp(k + 1, b->s, klen) == 0 && k[1 + klen] == ',';
        if (!found) {
            char *list = me->text + 1;
            size_t n = strlen(list);
            failf(im, line, colno, "breakdown", "'%s': key '%.*s' is not declared for metric "
                  "%s (its frameworks declare %.*s)", shown(im, f), (int)klen, b->s,
                  shown_k(im, 1, mf->s, mf->len), (int)(n ? n - 1 : 0), list);
            return -1;
        }
    }
    /* the spelling: this import's first, else the store's, else this one */
    strbuf *key = &im->bdkey;
    key->len = 0;
    if (sb_printf(key, "%lld:", (long long)metric) != 0 || sb_add(key, b->s, b->len) != 0)
        return fatal(im, "(out of memory)");
    for (size_t i = 0; i < key->len; i++)
        if (key->s[i] >= 'A' && key->s[i] <= 'Z') key->s[i] = (char)(key->s[i] - 'A' + 'a');
    entry tmp, *e = lookup(&im->breakdowns, key->s, key->len);
    if (e) {
        memcpy(b->s, e->text, b->len);
        return 0;
    }
    int had = had_data(im, me, metric);   /* a metric new to the store has no spellings */
    if (had < 0) return -1;
    if (had && pmf_breakdown_metric_spelling(im->store, metric, area, b->s, b->len) < 0)
        return fatal(im, "reading breakdowns");
    if (!(e = add(&im->breakdowns, key->s, key->len, 0, &tmp))) return fatal(im, "(out of memory)");
    if (e != &tmp) {
        if (!(e->text = malloc(b->len + 1))) return fatal(im, "(out of memory)");
        memcpy(e->text, b->s, b->len + 1);
    }
    return 0;
}

/* Check and store one figure.  colno: each long-form column's number (1-based; NULL for a
 * JSON item); pp: the period when already known (wide form), else parsed from f[PERIOD];
 * valcol, valcolno: the value column's name and number for messages.  0 good, -1 bad. */
static int process(pmf_import *im, long line, const pmf_csv_field *f, const int *colno,
                   const pmf_period *pp, const char *valcol, int valcolno) {
    static const pmf_csv_field none = {"", 0};
    char err[PMF_PERIOD_ERR_MAX];
    int bad = 0;
#define COLNO(k) (colno ? colno[k] : 0)
    im->sum.rows++;
    if (check_text(im, line, f, colno, valcolno, valcol) != 0) return -1;
    const pmf_csv_field *mf = f[PMF_IMPORT_METRIC].s ? &f[PMF_IMPORT_METRIC] : &none;
    const pmf_csv_field *af = f[PMF_IMPORT_AREA].s ? &f[PMF_IMPORT_AREA] : &none;
    entry *me = NULL;
    int64_t metric = -1, area = -1;
    if (is_blank(mf)) {
        failf(im, line, COLNO(PMF_IMPORT_METRIC), NULL, "%s 'metric' is empty", colword(im));
        bad = 1;
    } else if ((metric = code_id(im, &im->metrics, mf, 1, &me)) == -2) {
        return fatal(im, "(out of memory)");
    } else if (metric < 0) {
        failf(im, line, COLNO(PMF_IMPORT_METRIC), "metric", "unknown metric '%s'", shown(im, mf));
        bad = 1;
    }
    if (is_blank(af)) {
        failf(im, line, COLNO(PMF_IMPORT_AREA), NULL, "%s 'area' is empty", colword(im));
        bad = 1;
    } else if ((area = code_id(im, &im->areas, af, 0, NULL)) == -2) {
        return fatal(im, "(out of memory)");
    } else if (area < 0) {
        failf(im, line, COLNO(PMF_IMPORT_AREA), "area", "unknown area '%s'", shown(im, af));
        bad = 1;
    }

    pmf_period p = {0, 0, 0, 0};
    unsigned lflags = 0;
    if (pp) p = *pp;
    else if (!f[PMF_IMPORT_PERIOD].s || is_blank(&f[PMF_IMPORT_PERIOD])) {
        failf(im, line, COLNO(PMF_IMPORT_PERIOD), NULL, "%s 'period' is empty", colword(im));
        bad = 1;
    } else if (period_of(im, &f[PMF_IMPORT_PERIOD], &p, &lflags, err, sizeof err) != 0) {
        /* period.c quotes at most 52 bytes of the label ('period "LABEL": why', the label
         * without quotes): quote it whole here, as given */
        const char *q = strncmp(err, "period \"", 8) == 0 ? strchr(err + 8, '"') : NULL;
        if (q && q[1] == ':' && q[2] == ' ')
            failf(im, line, COLNO(PMF_IMPORT_PERIOD), "period", "period \"%s\": %s",
                  shown(im, &f[PMF_IMPORT_PERIOD]), q + 3);
        else
            failf(im, line, COLNO(PMF_IMPORT_PERIOD), "period", "%s", err);
        bad = 1;
    }

    int flags = 0;
    if (f[PMF_IMPORT_FLAG].s) {
        size_t at = 0, n = 0;
        flags = pmf_import_parse_flags(f[PMF_IMPORT_FLAG].s, f[PMF_IMPORT_FLAG].len, &at, &n);
        if (flags < 0) {
            pmf_csv_field w = {f[PMF_IMPORT_FLAG].s + at, n};
            failf(im, line, COLNO(PMF_IMPORT_FLAG), "flag", "unknown flag '%s' (provisional, "
                  "estimated, proxy, suppressed)", shown(im, &w));
            flags = 0;
            bad = 1;
        }
    }
    if (lflags & PMF_LABEL_PROVISIONAL) flags |= PMF_FLAG_PROVISIONAL;   /* "2025 (prov)" */
    double value = 0, num = 0, den = 0;
    int vnull = 1, nnull = 1, dnull = 1;
    if (!f[PMF_IMPORT_VALUE].s) {
        failf(im, line, 0, NULL, "%s '%s' is missing", colword(im), valcol);
        bad = 1;
    } else if (number(im, line, valcolno, valcol, &f[PMF_IMPORT_VALUE], &value, &vnull) != 0) {
        bad = 1;
    } else if (vnull && !(flags & PMF_FLAG_SUPPRESSED)) {
        failf(im, line, valcolno, NULL, "%s '%s' is empty (only a figure flagged 'suppressed' "
              "may have no value)", colword(im), valcol);
        bad = 1;
    }
    if (number(im, line, COLNO(PMF_IMPORT_NUMERATOR), "numerator", &f[PMF_IMPORT_NUMERATOR],
               &num, &nnull) != 0)
        bad = 1;
    if (number(im, line, COLNO(PMF_IMPORT_DENOMINATOR), "denominator",
               &f[PMF_IMPORT_DENOMINATOR], &den, &dnull) != 0)
        bad = 1;
    im->bd.len = 0;
    if (f[PMF_IMPORT_BREAKDOWN].s && metric >= 0 &&
        breakdown_of(im, line, COLNO(PMF_IMPORT_BREAKDOWN), &f[PMF_IMPORT_BREAKDOWN], metric, area, me,
                     mf) != 0)
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
            failf(im, line, 0, NULL, "metric %s period %s is signed off by framework %s (%s): "
                  "reopen it first", shown(im, mf), plabel, l->framework, llabel);
            return -1;
        }
    }

    const pmf_csv_field bdf = {im->bd.len ? im->bd.s : "", im->bd.len};
    const pmf_csv_field *bd = &bdf;
    int has_obs = had_data(im, me, metric);
    if (has_obs < 0) return -1;

    int revised = 0;
    if (has_obs) {
        if (seen_prepare(im) != 0) return -1;
        sqlite3_stmt *st = im->seen;
        sqlite3_bind_int64(st, 1, metric);
        sqlite3_bind_int64(st, 2, area);
        sqlite3_bind_text(st, 3, bd->s, (int)bd->len, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, p.start);
        sqlite3_bind_int(st, 5, p.len);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) goto duplicate;
        if (rc != SQLITE_DONE) return fatal(im, "checking duplicates");

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
        if (rc != SQLITE_DONE) return fatal(im, "reading the current figure");
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
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) goto duplicate;
    if (rc != SQLITE_DONE) return fatal(im, "writing an observation");
    if (revised) im->sum.revised++; else im->sum.added++;
    return 0;

duplicate: {
        char plabel[PMF_PERIOD_LABEL_MAX];
        if (pmf_period_format(p, plabel, sizeof plabel) < 0) plabel[0] = '\0';
        const char *ms = shown_k(im, 1, mf->s, mf->len), *as = shown_k(im, 2, af->s, af->len);
        const char *which = im->o.skip_bad ? " (this later row is refused; the first is kept)" : "";
        if (bd->len)
            failf(im, line, 0, NULL, "duplicate figure: metric %s, area %s, breakdown '%s', "
                  "period %s appears more than once in the file%s", ms, as, shown(im, bd), plabel,
                  which);
        else
            failf(im, line, 0, NULL, "duplicate figure: metric %s, area %s, period %s appears "
                  "more than once in the file%s", ms, as, plabel, which);
        return -1;
    }
}

int pmf_import_declare_keys(pmf_import *im, const char *metric, const char *keys) {
    pmf_csv_field f = {metric, strlen(metric)};
    entry *e = NULL;
    if (code_id(im, &im->metrics, &f, 1, &e) < 0 || !e) return -1;
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
static int row_begin(pmf_import *im) {
    if (!im->o.skip_bad) return 0;
    /* The duplicate check's TEMP table is made first, outside any row: a refused row's
     * rollback must not drop it under its prepared statement. */
    if (!im->sp_begin && seen_prepare(im) != 0) return -1;
    if (!im->sp_begin && (prep(im, "SAVEPOINT pmf_row", &im->sp_begin) != SQLITE_OK ||
                          prep(im, "ROLLBACK TO pmf_row", &im->sp_undo) != SQLITE_OK ||
                          prep(im, "RELEASE pmf_row", &im->sp_end) != SQLITE_OK))
        return fatal(im, "starting a row");
    int rc = sqlite3_step(im->sp_begin);
    sqlite3_reset(im->sp_begin);
    if (rc != SQLITE_DONE) return fatal(im, "starting a row");
    im->in_row = 1;
    im->rowmsg.len = 0;
    return 0;
}

/* skip_bad: end a row begun with the counts in *before: kept, or (when it had errors)
 * undone, counted as refused and reported with its fields.  0 kept, -1 refused. */
static int row_end(pmf_import *im, const pmf_import_summary *before, long line,
                   const pmf_csv_field *row, size_t n) {
    if (!im->o.skip_bad) return 0;
    im->in_row = 0;
    int bad = im->sum.errors > before->errors && !im->fatal;
    if (bad) {
        int rc = sqlite3_step(im->sp_undo);
        sqlite3_reset(im->sp_undo);
        if (rc != SQLITE_DONE) return fatal(im, "undoing a refused row");
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
    if (rc != SQLITE_DONE) return fatal(im, "ending a row");
    if (bad && im->o.reject)
        im->o.reject(im->o.reject_ud, line, row, n, im->rowmsg.len ? im->rowmsg.s : "refused");
    return bad ? -1 : 0;
}

int pmf_import_row(pmf_import *im, long line, const pmf_csv_field *f) {
    if (im->finished || im->fatal) return -1;
    pmf_import_summary before = im->sum;
    if (row_begin(im) != 0) return -1;
    int rc = process(im, line, f, NULL, NULL, "value", 0);
    if (im->o.skip_bad) return row_end(im, &before, line, f, PMF_IMPORT_NCOLS);
    return rc;
}

const char *pmf_import_row_reason(const pmf_import *im) {
    return im->rowmsg.len ? im->rowmsg.s : NULL;
}

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
        if (strlen(colnames[k]) == b - a && strncasecmp(colnames[k], f->s + a, b - a) == 0)
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
    if (!im->colmap || !im->colperiod || !im->colname) return fatal(im, "(out of memory)");
    int seen[PMF_IMPORT_NCOLS] = {0}, longform = 0, nperiods = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name, *why;
        size_t len, at = pmf_text_check(f[i].s, f[i].len, &why);
        if (at != f[i].len) {
            failf(im, line, (int)i + 1, NULL, "column name '%s' contains %s (byte %zu)",
                  shown(im, &f[i]), why, at + 1);
            bad = 1;
        }
        int k = col_of(&f[i], &name, &len);
        if (k >= 0 && !im->colno[k]) im->colno[k] = (int)i + 1;
        im->colmap[i] = k;
        if (!(im->colname[i] = malloc(len + 1))) return fatal(im, "(out of memory)");
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
                failf(im, line, no, NULL, "column '%s' appears twice", colnames[k]);
                bad = 1;
            }
            if (wide && (k == PMF_IMPORT_PERIOD || k == PMF_IMPORT_VALUE ||
                         k == PMF_IMPORT_NUMERATOR || k == PMF_IMPORT_DENOMINATOR)) {
                failf(im, line, no, NULL, "column '%s' cannot be used in wide form (one column "
                      "per period)", colnames[k]);
                bad = 1;
            }
        } else if (wide) {
            char err[PMF_PERIOD_ERR_MAX];
            if (pmf_period_parse_typed(im->colname[i], &po, &im->colperiod[i], NULL, err,
                                       sizeof err) != 0) {
                failf(im, line, no, NULL, "column '%s' is neither a key column (metric, area, "
                      "breakdown, flag, source) nor a period label",
                      shown_k(im, 0, im->colname[i], strlen(im->colname[i])));
                bad = 1;
            }
        } else {
            if (sb_printf(&unknown, "%s'%s' (column %d)", nunknown ? ", " : "",
                          shown(im, &f[i]), no) != 0) {
                sb_free(&unknown);
                return fatal(im, "(out of memory)");
            }
            nunknown++;
        }
    }
    if (nunknown) {
        failf(im, line, 0, NULL, "unknown column%s %s (expected metric, area, period, value and "
              "optionally breakdown, numerator, denominator, flag, source)",
              nunknown > 1 ? "s" : "", unknown.s);
        bad = 1;
    }
    sb_free(&unknown);
    char missing[128] = "";   /* at most the four required names */
    int nmissing = 0;
    for (int k = 0; k <= (wide ? PMF_IMPORT_AREA : PMF_IMPORT_VALUE); k++)
        if (!seen[k]) {
            size_t u = strlen(missing);
            snprintf(missing + u, sizeof missing - u, "%s'%s'", u ? ", " : "", colnames[k]);
            nmissing++;
        }
    if (nmissing) {
        failf(im, line, 0, NULL, "missing column%s %s", nmissing > 1 ? "s" : "", missing);
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
    if (!err) return fatal(im, "(out of memory)");
    int rc = pmf_recipe_header(im->recipe, f, n, err, errlen);
    if (rc != 0) failf(im, line, 0, NULL, "%s", err);
    free(err);
    im->ncols = n;
    if (!(im->colname = calloc(n ? n : 1, sizeof *im->colname))) return fatal(im, "(out of memory)");
    for (size_t i = 0; i < n; i++) {
        if (!(im->colname[i] = malloc(f[i].len + 1))) return fatal(im, "(out of memory)");
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
                failf(im, line, 0, NULL, "%s", err);
                im->fatal = 1;
            } else if (rc < 0) {
                im->sum.rows++;
                failf(im, line, ci.colno, ci.colname, "%s", err);
            } else if (rc > 0) {
                im->row_year_type = ci.year_type;
                process(im, line, f, colno, NULL, ci.colname ? ci.colname : "value", ci.colno);
                im->row_year_type = 0;
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
        failf(im, 0, 0, NULL, "the file is empty (a header row is needed: metric,area,period,value)");
        return -1;
    }
    if (rc < 0) {
        failf(im, -1, 0, NULL, "%s", src->error(src->ud));   /* names the file */
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
        if (row_begin(im) != 0) break;
        if (im->recipe) {
            recipe_row(im, line, row, nf);
        } else if (nf != im->ncols) {
            im->sum.rows++;
            failf(im, line, 0, NULL, "%zu field%s where the header has %zu", nf,
                  nf == 1 ? "" : "s", im->ncols);
        } else {
            memset(f, 0, sizeof f);
            int wide = im->o.layout == PMF_IMPORT_WIDE;
            for (size_t i = 0; i < nf; i++)
                if (im->colmap[i] >= 0) f[im->colmap[i]] = row[i];
            if (!wide) {
                process(im, line, f, im->colno, NULL, "value", im->colno[PMF_IMPORT_VALUE]);
            } else {
                for (size_t i = 0; i < nf && !im->fatal; i++) {
                    if (im->colmap[i] >= 0 || is_blank(&row[i])) continue;
                    f[PMF_IMPORT_VALUE] = row[i];
                    process(im, line, f, im->colno, &im->colperiod[i], im->colname[i], (int)i + 1);
                }
            }
        }
        row_end(im, &before, line, row, nf);
    }
    if (rc < 0) failf(im, -1, 0, NULL, "%s", src->error(src->ud));
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
        if (!f) { fatal(im, "(out of memory)"); nf = im->xcap; }
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
        failf(im, 0, 0, NULL, "cannot load the areas: %s", err);
        im->fatal = 1;
        return -1;
    }
    pmf_recipe_set_areas(r, im->arearef);
    return 0;
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
        if (sb_printf(&detail, "%s: %lld rows, %lld new, %lld revised, %lld unchanged",
                      im->name, (long long)im->sum.rows, (long long)im->sum.added,
                      (long long)im->sum.revised, (long long)im->sum.unchanged) != 0 ||
            (im->sum.refused && sb_printf(&detail, ", %lld refused (--skip-bad)",
                                          (long long)im->sum.refused) != 0)) {
            fatal(im, "(out of memory)");
            commit = 0;
        } else if (prep(im, "INSERT INTO audit(batch, what, detail) VALUES (?1, 'import', ?2)", &st)
                != SQLITE_OK) {
            fatal(im, "writing the audit trail");
            commit = 0;
        } else {
            sqlite3_bind_int64(st, 1, im->batch);
            sqlite3_bind_text(st, 2, detail.s, (int)detail.len, SQLITE_STATIC);
            if (sqlite3_step(st) != SQLITE_DONE) {
                fatal(im, "writing the audit trail");
                commit = 0;
            }
            sqlite3_finalize(st);
        }
        sb_free(&detail);
    }
    if (commit && end_tx(im, 1) != SQLITE_OK) {
        fatal(im, "committing");
        commit = 0;
    }
    if (!commit) end_tx(im, 0);
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

int pmf_import_nmessages(const pmf_import *im) { return im->nmsgs; }
const char *pmf_import_message(const pmf_import *im, int i) {
    return i >= 0 && i < im->nmsgs ? im->msgs[i] : NULL;
}
int64_t pmf_import_nerrors(const pmf_import *im) { return im->sum.errors; }

void pmf_import_free(pmf_import *im) {
    if (!im) return;
    if (!im->finished) {
        im->finished = 1;
        end_tx(im, 0);
    }
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
    table_free(&im->metrics);
    table_free(&im->areas);
    table_free(&im->periods);
    table_free(&im->breakdowns);
    sb_free(&im->bd);
    sb_free(&im->bdkey);
    sb_free(&im->pkey);
    sb_free(&im->rowmsg);
    free(im->xf);
    pmf_areas_free(im->arearef);
    for (int i = 0; i < NSHOWN; i++) sb_free(&im->shown[i]);
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
