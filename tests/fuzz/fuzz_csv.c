/*
 * tests/fuzz/fuzz_csv.c: libFuzzer target for the CSV reader and pmf_parse_number.
 *
 * The first input byte picks a chunk size (1 to 16, or larger) and the rest is the CSV.  The
 * input is read twice from memory, in that chunk size and in one chunk, and the two results
 * must be identical: same rows, same lines, same fields, same error.  Each row must also keep
 * the reader's promises (at least one field, each NUL-terminated at its length, lines rising
 * and within the input's line count, progress within the input's size), rows written back
 * as fully quoted CSV must read back the same, and every field is put through
 * pmf_parse_number, whose accepted values must be finite and, without thousands
 * separators, equal to strtod's.  Any broken promise aborts.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined core/csv.c core/csv_open.c \
 *     core/csv_number.c tests/fuzz/fuzz_csv.c
 *   ./a.out -max_total_time=60 tests/fuzz/corpus/csv
 * The seed files in tests/fuzz/corpus/csv therefore start with that chunk byte.
 * Built with -DPMF_FUZZ_STANDALONE instead of -fsanitize=fuzzer, it is a plain program that
 * runs the files named on its command line (the corpus) once each.
 */
// sources: core/csv.c core/csv_open.c core/csv_number.c

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/csv.h"

#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort(); } } while (0)

typedef struct {
    unsigned char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const void *s, size_t n) {
    if (b->len + n > b->cap) {
        unsigned char *ns;
        while (b->len + n > b->cap) b->cap = b->cap ? b->cap * 2 : 1024;
        ns = realloc(b->s, b->cap);
        CHECK(ns != NULL);
        b->s = ns;
    }
    if (n) memcpy(b->s + b->len, s, n);
    b->len += n;
}

static void sb_num(sbuf *b, size_t v) { sb_add(b, &v, sizeof v); }

static int has_byte(const char *s, size_t n, char ch) { return memchr(s, ch, n) != NULL; }

/* Check what pmf_parse_number says of a field. */
static void check_number(const char *s, size_t len) {
    double v = 0;
    int rc = pmf_parse_number(s, len, &v);
    CHECK(rc == PMF_NUM_OK || rc == PMF_NUM_EMPTY || rc == PMF_NUM_BAD || rc == PMF_NUM_RANGE);
    if (rc == PMF_NUM_OK) {
        CHECK(isfinite(v));
        if (!has_byte(s, len, ',') && !has_byte(s, len, '\0')) {
            char *end;
            double want = strtod(s, &end);   /* the field is NUL-terminated */
            CHECK(want == v || (isnan(want) && isnan(v)));
        }
    }
    if (rc == PMF_NUM_EMPTY) {
        size_t i;
        for (i = 0; i < len; i++) CHECK(s[i] == ' ' || s[i] == '\t');
    }
}

/* Read data in the given chunk size, serialising every row and the outcome into out (and
 * the rows, re-quoted, into requoted when not NULL).  Checks the per-row promises. */
static void read_all(const char *data, size_t len, size_t chunk, sbuf *out, sbuf *requoted,
                     int numbers) {
    pmf_csv *c = pmf_csv_open_mem(data, len, "f.csv");
    long prev = 0, lines = 1;
    size_t i;
    int rc;
    CHECK(c != NULL);
    CHECK(pmf_csv_set_chunk(c, chunk) == 0);
    for (i = 0; i < len; i++) lines += data[i] == '\n';
    while ((rc = pmf_csv_next(c)) == 1) {
        size_t n = pmf_csv_nfields(c), j, k;
        const pmf_csv_field *f = pmf_csv_fields(c);
        long line = pmf_csv_line(c);
        CHECK(n >= 1);
        CHECK(line > prev && line <= lines);
        CHECK(pmf_csv_bytes_read(c) <= (int64_t)len);
        prev = line;
        sb_num(out, (size_t)line);
        sb_num(out, n);
        for (j = 0; j < n; j++) {
            CHECK(f[j].s != NULL && f[j].s[f[j].len] == '\0');
            CHECK(f[j].len <= len);
            sb_num(out, f[j].len);
            sb_add(out, f[j].s, f[j].len);
            if (numbers) check_number(f[j].s, f[j].len);
            if (requoted) {
                if (j) sb_add(requoted, ",", 1);
                sb_add(requoted, "\"", 1);
                for (k = 0; k < f[j].len; k++) {
                    if (f[j].s[k] == '"') sb_add(requoted, "\"", 1);
                    sb_add(requoted, &f[j].s[k], 1);
                }
                sb_add(requoted, "\"", 1);
            }
        }
        if (requoted) sb_add(requoted, (line & 1) ? "\n" : "\r\n", (line & 1) ? 1 : 2);
    }
    CHECK(rc == 0 || rc == -1);
    sb_num(out, (size_t)(rc + 1));
    if (rc == 0) {
        CHECK(pmf_csv_error(c)[0] == '\0');
        CHECK(pmf_csv_bytes_read(c) == (int64_t)len);
    } else {
        const char *e = pmf_csv_error(c);
        CHECK(strncmp(e, "f.csv:", 6) == 0);
        sb_add(out, e, strlen(e));
    }
    CHECK(pmf_csv_next(c) == rc);            /* finished stays finished */
    pmf_csv_close(c);
}

/* Rows only (lines differ after re-quoting), for comparing a re-read. */
static void fields_only(const char *data, size_t len, sbuf *out, int *rc_out) {
    pmf_csv *c = pmf_csv_open_mem(data, len, "r.csv");
    int rc;
    CHECK(c != NULL);
    while ((rc = pmf_csv_next(c)) == 1) {
        size_t j, n = pmf_csv_nfields(c);
        sb_num(out, n);
        for (j = 0; j < n; j++) {
            sb_num(out, pmf_csv_fields(c)[j].len);
            sb_add(out, pmf_csv_fields(c)[j].s, pmf_csv_fields(c)[j].len);
        }
    }
    *rc_out = rc;
    pmf_csv_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
    sbuf a = {0}, b = {0}, q = {0}, fa = {0}, fb = {0};
    const char *data;
    size_t len, chunk;
    int rc;
    if (size == 0) return 0;
    chunk = in[0] < 240 ? (size_t)in[0] % 16 + 1 : (size_t)(in[0] - 239) * 1000;
    data = (const char *)in + 1;
    len = size - 1;

    read_all(data, len, chunk, &a, &q, 1);
    read_all(data, len, len + 1, &b, NULL, 0);
    CHECK(a.len == b.len && memcmp(a.s, b.s, a.len) == 0);

    /* the rows read, written back fully quoted, read back the same */
    {
        pmf_csv *c = pmf_csv_open_mem(data, len, "x");
        while (pmf_csv_next(c) == 1) {
            size_t j, n = pmf_csv_nfields(c);
            sb_num(&fa, n);
            for (j = 0; j < n; j++) {
                sb_num(&fa, pmf_csv_fields(c)[j].len);
                sb_add(&fa, pmf_csv_fields(c)[j].s, pmf_csv_fields(c)[j].len);
            }
        }
        pmf_csv_close(c);
    }
    /* The encoding check reads a file's first four bytes (NULs there mean UTF-16 or UTF-32),
     * and re-quoting moves other bytes there: a file holding a NUL is not re-read (an import
     * refuses NUL bytes in any field anyway). */
    if (memchr(data, 0, len) == NULL) {
        fields_only(q.s ? (const char *)q.s : "", q.len, &fb, &rc);
        CHECK(rc == 0);
        CHECK(fa.len == fb.len && (fa.len == 0 || memcmp(fa.s, fb.s, fa.len) == 0));
    }

    free(a.s);
    free(b.s);
    free(q.s);
    free(fa.s);
    free(fb.s);
    return 0;
}

#ifdef PMF_FUZZ_STANDALONE
int main(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        unsigned char *buf = NULL;
        size_t n = 0, cap = 0, got;
        if (f == NULL) {
            perror(argv[i]);
            return 1;
        }
        do {
            if (n == cap) {
                unsigned char *nb;
                cap = cap ? cap * 2 : 4096;
                nb = realloc(buf, cap);
                CHECK(nb != NULL);
                buf = nb;
            }
            got = fread(buf + n, 1, cap - n, f);
            n += got;
        } while (got > 0);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
    }
    printf("fuzz_csv: %d passed, 0 failed\n", argc - 1);
    return 0;
}
#endif
