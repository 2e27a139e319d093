/*
 * core/xlsx_internal.h: what the two halves of the xlsx reader share: the reader's struct
 * and a few helpers.  xlsx_read.c opens the workbook (package, relationships, names, shared
 * strings, styles); xlsx_sheet.c streams one sheet's rows.  Not for use outside them.
 */
#ifndef PMF_XLSX_INTERNAL_H
#define PMF_XLSX_INTERNAL_H

#include "xlsx_read.h"

#include <expat.h>
#include <zip.h>

#define CHUNK (64 * 1024)

typedef struct { char *s; size_t len, cap; } buf;

typedef struct { char *name, *part; int chart; } sheet_ref;
typedef struct { char *id, *part; int kind; } rel;
typedef struct { unsigned id; char *code; } numfmt;

enum { IN_NONE, IN_V, IN_T };   /* what character data is gathered into */

struct pmf_xlsx {
    char *name;
    zip_t *zip;
    char *err;                       /* NULL, or the first error (malloc'd) */
    sheet_ref *sheets;
    int nsheets, date1904;
    buf sst;                         /* shared strings, each NUL-terminated */
    size_t *sst_off, nsst, sst_cap;
    buf xf_date;                     /* per cell style: 0 not a date, 1 date, 2 time */
    /* only while opening: the relationships being read, their folder, the number formats */
    rel *rels;
    size_t nrels;
    const char *rels_base;
    numfmt *fmts;
    size_t nfmts;
    int in_xfs;
    /* the sheet being read */
    const char *sheet, *part;
    zip_file_t *zf;
    XML_Parser p;
    int state;                       /* 0 reading, 1 suspended on a row, 2 end, -1 error */
    int fed_last, skip_row, in_is;
    pmf_xlsx_range range;
    long row, prev_row;
    int col, in_data, in_rph, gather;
    char ctype;                      /* 'n' 's' 'b' 'e' 'i' (inline) 'f' (str) 'd' */
    unsigned style;
    int has_value;
    buf val, rowbuf;
    pmf_xlsx_cell *cells;
    size_t *offs;                    /* each cell's offset in rowbuf until the row ends */
    size_t ncells, cells_cap;
};

/* Append n bytes and keep the buffer NUL-terminated; -1 when out of memory. */
int pmf_xlsx_buf_add(buf *b, const char *s, size_t n);
/* Record the first error (formatted, never truncated), stop the parser running, return -1. */
int pmf_xlsx_fail(pmf_xlsx *x, const char *fmt, ...);
/* An element or attribute name without its prefix ("x:row" -> "row"). */
const char *pmf_xlsx_local(const char *name);
/* The value of the attribute with this local name, or NULL. */
const char *pmf_xlsx_attr(const char **atts, const char *want);
/* Close the sheet being read, if any (xlsx_sheet.c). */
void pmf_xlsx_end_sheet(pmf_xlsx *x);

#endif
