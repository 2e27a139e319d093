/*
 * core/import_msg.c: the importer's error collector, and input as its messages show it.
 *
 * Owns: the growable byte buffer the importer's pieces build text in (strbuf: nothing here
 * raises, so it is freed by its owner), recording one error (imp_failf: counted always,
 * kept whole up to max_errors; under --skip-bad a row's errors, up to max_errors of them,
 * are its reason, not errors of the file), input shown as given (imp_shown_k: control characters and bytes that
 * are not UTF-8 written \xNN, cut past SHOWN_MAX bytes saying so), store failures
 * (imp_fatal), and the kept messages' accessors.  See core/import.c for the design.
 */
#include "import_internal.h"
#include "breakdown.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------
 * Messages.
 * ------------------------------------------------------------------------------------- */

/* Make room for n more bytes (and a NUL).  0, or -1 out of memory. */
int imp_sb_room(strbuf *b, size_t n) {
    if (b->len + n + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) return -1;
    b->s = s;
    b->cap = cap;
    return 0;
}

int imp_sb_add(strbuf *b, const char *s, size_t n) {
    if (imp_sb_room(b, n) != 0) return -1;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

/* Append printf-style text, whole. */
int imp_sb_printf(strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || imp_sb_room(b, (size_t)n) != 0) return -1;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void imp_sb_free(strbuf *b) {
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* Record one error: "NAME:LINE:COLNO: column 'col': message" (or "NAME: item N: field 'col':
 * ..." for JSON items, "NAME: ..." for line 0, the message alone for line -1; ":COLNO" only when colno > 0, "column 'col': "
 * only when col).  Counted always, kept (whole, however long) up to max_errors: memory for
 * messages is flat in the number of errors. */
void imp_failf(pmf_import *im, long line, int colno, const char *col, const char *fmt, ...) {
    im->sum.errors++;
    if (col) col = imp_colname_at(im, colno, col);   /* the file's own column, always */
    int row = im->in_row && line > 0;   /* skip_bad: the row's reason, not a file error */
    if (row && im->rownmsgs++ >= im->o.max_errors) return;   /* each bad field, up to the cap */
    if (!row && im->nmsgs >= im->o.max_errors) return;
    strbuf b = {NULL, 0, 0};
    int rc;
    if (line < 0) rc = 0;                      /* the message names the file itself */
    else if (line == 0) rc = imp_sb_printf(&b, "%s: ", im->name);
    else if (im->o.items) rc = imp_sb_printf(&b, "%s: item %ld: ", im->name, line);
    else if (colno > 0) rc = imp_sb_printf(&b, "%s:%ld:%d: ", im->name, line, colno);
    else rc = imp_sb_printf(&b, "%s:%ld: ", im->name, line);
    if (rc == 0 && col) rc = imp_sb_printf(&b, "%s '%s': ", im->o.items ? "field" : "column", col);
    if (rc == 0) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || imp_sb_room(&b, (size_t)n) != 0) rc = -1;
        else {
            va_start(ap, fmt);
            vsnprintf(b.s + b.len, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    if (rc == 0 && row) {   /* the row's reason: every error of the row, "; " between */
        if ((im->rowmsg.len && imp_sb_add(&im->rowmsg, "; ", 2) != 0) ||
            imp_sb_add(&im->rowmsg, b.s, strlen(b.s)) != 0)
            im->rowmsg.len = 0;
        free(b.s);
    } else if (rc == 0) im->msgs[im->nmsgs++] = b.s;
    else free(b.s);
}

const char *imp_colword(const pmf_import *im) { return im->o.items ? "field" : "column"; }

const char *imp_colname_at(pmf_import *im, int colno, const char *field) {
    if (colno <= 0 || im->o.items || !im->colname || (size_t)colno > im->ncols) return field;
    const char *s = im->colname[colno - 1];
    size_t n = strlen(s);
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) { s += 3; n -= 3; }
    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (!n) return field;
    im->colbuf.len = 0;
    return imp_sb_add(&im->colbuf, s, n) == 0 ? im->colbuf.s : field;
}

void pmf_import_fail(pmf_import *im, long line, const char *msg) {
    imp_failf(im, line, 0, NULL, "%s", msg);
}

/* Input text as a message shows it: as given (case and spaces kept), with control
 * characters, NUL bytes and bytes that are not UTF-8 written \xNN, so that the message is
 * printable UTF-8.  Past SHOWN_MAX bytes it ends "... (N bytes)" at a character boundary,
 * saying so.  The result lives in im->shown[k] until the next call with the same k. */
const char *imp_shown_k(pmf_import *im, int k, const char *s, size_t len) {
    strbuf *b = &im->shown[k];
    b->len = 0;
    if (imp_sb_room(b, 16) != 0) return "(out of memory)";
    b->s[0] = '\0';
    size_t i = 0;
    while (i < len) {
        if (i >= SHOWN_MAX) {
            imp_sb_printf(b, "... (%zu bytes)", len);
            break;
        }
        const char *why;
        size_t win = len - i < SHOWN_MAX + 4 - i ? len - i : SHOWN_MAX + 4 - i;
        size_t ok = pmf_text_check(s + i, win, &why);
        size_t n = ok;       /* valid bytes from i; control characters among them escaped */
        for (size_t j = 0; j < n; j++) {
            unsigned char c = (unsigned char)s[i + j];
            if (c < 0x20 || c == 0x7f) {
                if (imp_sb_add(b, s + i, j) != 0 || imp_sb_printf(b, "\\x%02X", c) != 0)
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
        if (imp_sb_add(b, s + i, n) != 0) return "(out of memory)";
        i += n;
        if (i < len && n == ok && i < SHOWN_MAX) {   /* a bad byte (not the window's end) */
            if (imp_sb_printf(b, "\\x%02X", (unsigned char)s[i]) != 0) return "(out of memory)";
            i++;
        }
    }
    return b->s;
}

const char *imp_shown(pmf_import *im, const pmf_csv_field *f) {
    return imp_shown_k(im, 0, f->s, f->len);
}

/* A store failure: recorded, and the import stops. */
int imp_fatal(pmf_import *im, const char *what) {
    imp_failf(im, 0, 0, NULL, "store error %s: %s", what, sqlite3_errmsg(im->db));
    im->fatal = 1;
    return -1;
}
int pmf_import_nmessages(const pmf_import *im) { return im->nmsgs; }
const char *pmf_import_message(const pmf_import *im, int i) {
    return i >= 0 && i < im->nmsgs ? im->msgs[i] : NULL;
}
int64_t pmf_import_nerrors(const pmf_import *im) { return im->sum.errors; }
