/*
 * core/csv_internal.h: the CSV reader's state (struct pmf_csv), shared by its two files:
 * core/csv.c parses, core/csv_open.c opens, configures and closes.  Not part of csv.h:
 * callers see the reader only through its functions.
 */
#ifndef PMF_CSV_INTERNAL_H
#define PMF_CSV_INTERNAL_H

#include "csv.h"

#include <stdint.h>
#include <stdio.h>

/* Where the bytes come from (kind), and where the reader stands (status). */
enum { SRC_FD, SRC_FILE, SRC_MEM };
enum { RUN, DONE, FAILED };

struct pmf_csv {
    int kind, fd, own_fd;
    FILE *fp;
    const char *mem;
    size_t memlen, mempos;
    int eof;                  /* the source has no more bytes */
    int status;               /* RUN, DONE or FAILED */
    int bom_done;
    int state;
    char *buf;
    size_t cap, chunk, max_row;
    size_t rs, w, r, end;     /* row start, write, read and data end indices in buf */
    size_t fw;                /* index where the current field's output began */
    pmf_csv_field *fields;
    size_t nfields, fcap;
    long line, rowline;       /* line at buf[r]; line where the row began */
    long qline;               /* where the open quoted field began */
    int64_t qcol;
    int64_t base, linestart;  /* input offset of buf[0]; of the current line's start */
    int64_t nread, total;
    char *err;                /* the stopping error, whole (owned; "" before one) */
    char name[];
};

#endif
