/*
 * core/csv.c: the streaming CSV reader (see csv.h for the dialect, the errors and the
 * lifetime of returned fields): the parser and the buffer it reads into.  Opening, closing
 * and the accessors are core/csv_open.c (the reader's state: csv_internal.h); csv.h's strict
 * number parsing is core/csv_number.c.
 *
 * Design:
 *   - One buffer holds the current row and the unread input.  Rows are parsed in place: field
 *     bytes are compacted towards the row's start (dropping quotes and doubled quotes) and each
 *     field is NUL-terminated where its separator was, so a field is a pointer into the
 *     buffer and fields lie back to back.  While parsing we keep only each field's length;
 *     the pointers are computed once the row is complete, so the buffer may move meanwhile.
 *   - The parser is a small state machine whose state survives a refill, so a field can
 *     straddle any number of chunks (the tests use 1-byte chunks) without re-parsing.  On a
 *     refill, the part of the row parsed so far is moved to the buffer's start; the buffer
 *     grows only if that part plus one chunk does not fit.
 *   - Unquoted and quoted runs are scanned with a table lookup over a sentinel LF stored just
 *     past the data, so the inner loops test one byte per step and no bounds.
 *   - Line and column numbers come from absolute byte offsets: base + i is the offset of
 *     buf[i] in the input, and linestart the offset where the current line began.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "csv_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parser states; each names what the next byte may be. */
enum {
    ST_ROW,       /* start of a row (blank lines are skipped here) */
    ST_BLANK_CR,  /* a CR at the start of a row: a blank CR LF line, if a LF follows */
    ST_FIELD,     /* start of a field after a separator */
    ST_UNQUOTED,  /* inside an unquoted field */
    ST_QUOTED,    /* inside a quoted field */
    ST_QUOTE,     /* just after a quote inside a quoted field: "" or the closing quote */
    ST_CR         /* a CR ended the last field: a LF must follow */
};

/* Bytes that stop a run of unquoted (1) and quoted (2) field data.  LF stops both: it is
 * also the sentinel stored at buf[end]. */
static const unsigned char stop[256] = {
    ['\n'] = 3, ['\r'] = 1, [','] = 1, ['"'] = 3
};

/* Stop the reader with a message, kept whole however long (the file's name can be); returns
 * -1 for the caller to pass on. */
static int fail(pmf_csv *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    free(c->err);
    c->err = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (c->err) {
        va_start(ap, fmt);
        vsnprintf(c->err, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    c->status = FAILED;
    c->nfields = 0;
    return -1;
}

/* The row size limit was passed (counting each field's bytes and its NUL). */
static int too_long(pmf_csv *c) {
    return fail(c, "%s:%ld: row longer than %zu bytes (an unterminated quote?)",
                c->name, c->rowline, c->max_row);
}

/* Read up to n bytes into dst: the count, 0 at end of input, -1 on a read error. */
static long src_read(pmf_csv *c, char *dst, size_t n) {
    size_t k;
    switch (c->kind) {
    case SRC_FD:
        for (;;) {
            ssize_t got = read(c->fd, dst, n);
            if (got >= 0) return (long)got;
            if (errno != EINTR)
                return fail(c, "%s: read error: %s", c->name, strerror(errno));
        }
    case SRC_FILE:
        k = fread(dst, 1, n, c->fp);
        if (k == 0 && ferror(c->fp))
            return fail(c, "%s: read error: %s", c->name, strerror(errno));
        return (long)k;
    default:
        k = c->memlen - c->mempos;
        if (k > n) k = n;
        if (k > 0) memcpy(dst, c->mem + c->mempos, k);
        c->mempos += k;
        return (long)k;
    }
}

/*
 * Bring in the next chunk.  First the row parsed so far, buf[rs..w), and any unparsed input,
 * buf[r..end), are moved to the buffer's start, dropping the gap between them; then the
 * buffer grows if one chunk does not fit after them (failing past the row size limit).
 * 0 on success (c->eof set at end of input), -1 on error.
 */
static int refill(pmf_csv *c) {
    size_t done = c->w - c->rs, rest = c->end - c->r, need;
    if (c->rs > 0 || c->r != c->w) {
        if (c->rs > 0 && done > 0) memmove(c->buf, c->buf + c->rs, done);
        if (rest > 0) memmove(c->buf + done, c->buf + c->r, rest);
        c->base += (int64_t)c->r - (int64_t)done;
        c->fw -= c->rs;
        c->rs = 0;
        c->w = c->r = done;
        c->end = done + rest;
    }
    need = c->end + c->chunk + 1;
    if (need > c->cap) {
        size_t cap = c->cap ? c->cap : c->chunk + 1;
        char *nb;
        if (done > c->max_row) return too_long(c);
        while (cap < need) cap *= 2;
        nb = realloc(c->buf, cap);
        if (nb == NULL) return fail(c, "%s: out of memory", c->name);
        c->buf = nb;
        c->cap = cap;
    }
    {
        long got = src_read(c, c->buf + c->end, c->chunk);
        if (got < 0) return -1;
        if (got == 0) c->eof = 1;
        c->end += (size_t)got;
        c->nread += got;
        c->buf[c->end] = '\n';   /* the sentinel */
    }
    return 0;
}

static int grow_fields(pmf_csv *c) {
    size_t n = c->fcap ? c->fcap * 2 : 16;
    pmf_csv_field *f = realloc(c->fields, n * sizeof *f);
    if (f == NULL) return fail(c, "%s: out of memory", c->name);
    c->fields = f;
    c->fcap = n;
    return 0;
}

/* The 1-based column of buf[i] in the current line. */
static int64_t col_of(const pmf_csv *c, size_t i) {
    return c->base + (int64_t)i - c->linestart + 1;
}

/* Describe byte ch for an error message. */
static const char *show(int ch, char *tmp) {
    if (ch >= 0x20 && ch < 0x7f) snprintf(tmp, 8, "'%c'", ch);
    else snprintf(tmp, 8, "0x%02X", ch & 0xff);
    return tmp;
}

/* The row is complete: check its size and store each field's pointer (fields lie back to
 * back from rs, each followed by its NUL).  1, or -1 past the row size limit. */
static int row_done(pmf_csv *c) {
    const char *s = c->buf + c->rs;
    size_t i;
    if (c->w - c->rs > c->max_row) return too_long(c);
    for (i = 0; i < c->nfields; i++) {
        c->fields[i].s = s;
        s += c->fields[i].len + 1;
    }
    return 1;
}

/* End the current field at w: record its length and NUL-terminate it. */
#define END_FIELD()                                                         \
    do {                                                                    \
        if (c->nfields == c->fcap && grow_fields(c) < 0) return -1;         \
        c->fields[c->nfields++].len = w - c->fw;                            \
        b[w++] = '\0';                                                      \
    } while (0)

#define NEWLINE() (c->line++, c->linestart = c->base + (int64_t)r)

/*
 * Run the state machine over buf[r..end).  1 when a row is complete, 0 when the input ran
 * out first (the state is saved for the next chunk), -1 on a syntax error.
 */
static int parse(pmf_csv *c) {
    char *b = c->buf;
    size_t r = c->r, w = c->w, end = c->end, p;
    int st = c->state, ch;
    char tmp[8];

    for (;;) {
        switch (st) {
        case ST_ROW:
            if (r == end) goto more;
            ch = (unsigned char)b[r];
            if (ch == '\n') {           /* a blank line */
                r++;
                NEWLINE();
                c->rs = w = r;
                continue;
            }
            if (ch == '\r') {
                r++;
                st = ST_BLANK_CR;
                continue;
            }
            c->rs = w = r;
            c->rowline = c->line;
            st = ST_FIELD;
            continue;

        case ST_BLANK_CR:
            if (r == end) goto more;
            if (b[r] != '\n') goto bare_cr;
            r++;
            NEWLINE();
            c->rs = w = r;
            st = ST_ROW;
            continue;

        case ST_FIELD:
            if (r == end) goto more;
            c->fw = w;
            if (b[r] == '"') {
                c->qline = c->line;
                c->qcol = col_of(c, r);
                r++;
                st = ST_QUOTED;
                continue;
            }
            st = ST_UNQUOTED;
            /* fall through */
        case ST_UNQUOTED:
            for (p = r; !(stop[(unsigned char)b[p]] & 1); p++) ;
            if (w != r) memmove(b + w, b + r, p - r);
            w += p - r;
            r = p;
            if (r == end) goto more;
            ch = (unsigned char)b[r++];
            if (ch == ',') {
                END_FIELD();
                st = ST_FIELD;
                continue;
            }
            if (ch == '\n') {
                END_FIELD();
                NEWLINE();
                goto row;
            }
            if (ch == '\r') {
                END_FIELD();
                st = ST_CR;
                continue;
            }
            r--;
            return fail(c, "%s:%ld:%lld: quote inside unquoted field %zu "
                        "(quote the whole field and double the quote)",
                        c->name, c->line, (long long)col_of(c, r), c->nfields + 1);

        case ST_QUOTED:
            for (p = r; !(stop[(unsigned char)b[p]] & 2); p++) ;
            if (w != r) memmove(b + w, b + r, p - r);
            w += p - r;
            r = p;
            if (r == end) goto more;
            if (b[r] == '\n') {
                b[w++] = '\n';
                r++;
                NEWLINE();
                continue;
            }
            r++;                        /* a quote: doubled or closing? */
            st = ST_QUOTE;
            continue;

        case ST_QUOTE:
            if (r == end) goto more;
            ch = (unsigned char)b[r];
            if (ch == '"') {
                b[w++] = '"';
                r++;
                st = ST_QUOTED;
                continue;
            }
            if (ch == ',' || ch == '\n' || ch == '\r') {
                r++;
                END_FIELD();
                if (ch == ',') st = ST_FIELD;
                else if (ch == '\r') st = ST_CR;
                else {
                    NEWLINE();
                    goto row;
                }
                continue;
            }
            return fail(c, "%s:%ld:%lld: unexpected %s after the closing quote of field %zu "
                        "(a quoted field must end at a comma or line end)",
                        c->name, c->line, (long long)col_of(c, r), show(ch, tmp),
                        c->nfields + 1);

        case ST_CR:
            if (r == end) goto more;
            if (b[r] != '\n') goto bare_cr;
            r++;
            NEWLINE();
            goto row;
        }
    }

bare_cr:
    return fail(c, "%s:%ld:%lld: carriage return not followed by a line feed "
                "(line ends must be LF or CR LF)",
                c->name, c->line, (long long)col_of(c, r - 1));
row:
    c->r = r;
    c->w = w;
    c->state = ST_ROW;
    return row_done(c);
more:
    c->r = r;
    c->w = w;
    c->state = st;
    return 0;
}

/* The input ended in state c->state: finish the last row, or report an open quote.
 * 1 a row is ready, 0 no more rows, -1 error. */
static int finish(pmf_csv *c) {
    char *b = c->buf;
    size_t w = c->w;
    switch (c->state) {
    case ST_ROW:
    case ST_BLANK_CR:
        c->status = DONE;
        c->nfields = 0;
        return 0;
    case ST_QUOTED:
        return fail(c, "%s:%ld:%lld: unterminated quoted field (opened here)",
                    c->name, c->qline, (long long)c->qcol);
    case ST_CR:
        break;
    default:                            /* ST_FIELD, ST_UNQUOTED, ST_QUOTE */
        if (c->state == ST_FIELD) c->fw = w;
        END_FIELD();
        c->w = w;
        break;
    }
    c->state = ST_ROW;
    return row_done(c);
}

int pmf_csv_next(pmf_csv *c) {
    if (c == NULL) return -1;
    if (c->status != RUN) return c->status == DONE ? 0 : -1;
    if (!c->bom_done) {
        while (c->end - c->r < 4 && !c->eof)
            if (refill(c) < 0) return -1;
        const unsigned char *u = (const unsigned char *)c->buf + c->r;
        size_t have = c->end - c->r;
        if (have >= 4 && ((u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF) ||
                          (u[0] == 0xFF && u[1] == 0xFE && u[2] == 0 && u[3] == 0)))
            return fail(c, "%s: the file is UTF-32; save it as UTF-8 (CSV UTF-8)", c->name);
        if ((have >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) ||
            (have >= 4 && ((u[0] && !u[1] && u[2] && !u[3]) || (!u[0] && u[1] && !u[2] && u[3]))))
            return fail(c, "%s: the file is UTF-16; save it as UTF-8 (CSV UTF-8)", c->name);
        if (c->end - c->r >= 3 && memcmp(c->buf + c->r, "\xEF\xBB\xBF", 3) == 0) {
            c->r += 3;
            c->rs = c->w = c->r;
            c->linestart = 3;
        }
        c->bom_done = 1;
    }
    c->rs = c->w = c->r;
    c->nfields = 0;
    for (;;) {
        int rc = parse(c);
        if (rc != 0) return rc;
        if (c->eof) return finish(c);
        if (refill(c) < 0) return -1;
    }
}
