/*
 * core/csv_open.c: a CSV reader's life outside parsing (see csv.h): opening one over a path,
 * a file descriptor, a FILE or bytes in memory, its chunk size and row size limit, what it
 * tells about itself (fields, line, name, error, bytes read), and closing it.  The parser
 * and its buffer are core/csv.c; the state both share is core/csv_internal.h.
 *
 * Decisions:
 * - Opening allocates only the reader and its name: the buffer is made at the first read,
 *   so opening reads nothing and a reader that is never read costs no chunk.
 * - The input's total size is known for a regular file or memory (for progress), -1
 *   otherwise (a pipe): nothing is read ahead to learn it.
 * - A path that is a directory is refused when opened, with a message naming it, rather
 *   than failing at the first read.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "csv_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static pmf_csv *csv_new(int kind, const char *name) {
    size_t n = strlen(name) + 1;
    pmf_csv *c = calloc(1, sizeof *c + n);
    if (c == NULL) return NULL;
    memcpy(c->name, name, n);
    c->kind = kind;
    c->fd = -1;
    c->chunk = PMF_CSV_CHUNK;
    c->max_row = PMF_CSV_MAXROW;
    c->line = 1;
    c->total = -1;
    return c;
}

static void put_err(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    if (err == NULL || errlen == 0) return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int64_t size_of(int fd) {
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return (int64_t)st.st_size;
    return -1;
}

pmf_csv *pmf_csv_open(const char *path, char *err, size_t errlen) {
    struct stat st;
    pmf_csv *c;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        put_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        put_err(err, errlen, "cannot read %s: is a directory", path);
        close(fd);
        return NULL;
    }
    c = pmf_csv_open_fd(fd, path, err, errlen);
    if (c == NULL) close(fd);
    else c->own_fd = 1;
    return c;
}

pmf_csv *pmf_csv_open_fd(int fd, const char *name, char *err, size_t errlen) {
    pmf_csv *c = csv_new(SRC_FD, name ? name : "<stdin>");
    if (c == NULL) {
        put_err(err, errlen, "out of memory");
        return NULL;
    }
    c->fd = fd;
    c->total = size_of(fd);
    return c;
}

pmf_csv *pmf_csv_open_file(FILE *f, const char *name, char *err, size_t errlen) {
    pmf_csv *c = csv_new(SRC_FILE, name ? name : "<stdin>");
    if (c == NULL) {
        put_err(err, errlen, "out of memory");
        return NULL;
    }
    c->fp = f;
    c->total = size_of(fileno(f));
    return c;
}

pmf_csv *pmf_csv_open_mem(const char *buf, size_t len, const char *name) {
    pmf_csv *c = csv_new(SRC_MEM, name ? name : "<memory>");
    if (c == NULL) return NULL;
    c->mem = buf;
    c->memlen = len;
    c->total = (int64_t)len;
    return c;
}

int pmf_csv_set_chunk(pmf_csv *c, size_t chunk) {
    if (c == NULL || chunk == 0) return -1;
    c->chunk = chunk;
    return 0;
}

void pmf_csv_set_max_row(pmf_csv *c, size_t max_row) {
    if (c != NULL && max_row > 0) c->max_row = max_row;
}

void pmf_csv_close(pmf_csv *c) {
    if (c == NULL) return;
    if (c->own_fd) close(c->fd);
    free(c->buf);
    free(c->fields);
    free(c->err);
    free(c);
}

size_t pmf_csv_nfields(const pmf_csv *c) { return c->nfields; }
const pmf_csv_field *pmf_csv_fields(const pmf_csv *c) { return c->fields; }
long pmf_csv_line(const pmf_csv *c) { return c->rowline; }
const char *pmf_csv_name(const pmf_csv *c) { return c->name; }
const char *pmf_csv_error(const pmf_csv *c) {
    if (c->err) return c->err;
    return c->status == FAILED ? "out of memory (for an error message)" : "";
}
int64_t pmf_csv_bytes_read(const pmf_csv *c) { return c->nread; }
int64_t pmf_csv_bytes_total(const pmf_csv *c) { return c->total; }
