/*
 * tests/fuzz/fuzz_xlsx.c: libFuzzer target for the xlsx reader (core/xlsx_read.h).
 *
 * Random bytes seldom get past a zip's checksums, so the input is mostly the XML inside one:
 * the first byte picks the mode.  Even: the rest is split at NUL bytes into the sheet XML, the
 * shared strings XML, the styles XML and, if present, the package relationships and the
 * workbook XML (fixed, valid ones otherwise), zipped (stored, not deflated) into a temporary
 * file.  Odd: the rest is the whole file as it is (the
 * OLE, empty and not-a-zip checks, and libzip's own).  Every sheet of what opens is read to
 * its end, in full and then in a range, and each row must keep the reader's promises: at least
 * one field, a row number from 1, each field NUL-terminated at its length, an empty field
 * empty, a type in range.  Any broken promise aborts; an error message must be non-empty and
 * start with the file name.
 *
 *   make fuzz   (or by hand: clang -g -O1 -fsanitize=fuzzer,address,undefined core/csv.c
 *                core/csv_open.c core/xlsx_read.c core/xlsx_sheet.c tests/fuzz/fuzz_xlsx.c
 *                -lzip -lexpat -lm)
 * The seed files in tests/fuzz/corpus/xlsx therefore start with that mode byte.
 */
// sources: core/csv.c core/csv_open.c core/csv_number.c core/xlsx_read.c core/xlsx_sheet.c core/calendar.c

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "../../core/xlsx_read.h"

#define CHECK(cond) do { if (!(cond)) { \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort(); } } while (0)

static const char *ROOT_RELS =
    "<Relationships><Relationship Id=\"a\" Type=\"x/officeDocument\" Target=\"xl/workbook.xml\"/>"
    "</Relationships>";
static const char *WB_RELS =
    "<Relationships><Relationship Id=\"s1\" Type=\"x/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"ss\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"st\" Type=\"x/styles\" Target=\"styles.xml\"/></Relationships>";
static const char *WORKBOOK =
    "<workbook><sheets><sheet name=\"S\" r:id=\"s1\"/><sheet name=\"T\" r:id=\"nothing\"/>"
    "</sheets></workbook>";

static void add(zip_t *z, const char *name, const void *data, size_t n) {
    zip_source_t *s = zip_source_buffer(z, data, n, 0);
    zip_int64_t i = s ? zip_file_add(z, name, s, ZIP_FL_OVERWRITE) : -1;
    CHECK(i >= 0);
    zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0);
}

static void read_sheet(pmf_xlsx *x, int index, const pmf_xlsx_range *range, const char *path) {
    if (pmf_xlsx_open_sheet(x, NULL, index, range) < 0) {
        CHECK(strncmp(pmf_xlsx_error(x), path, strlen(path)) == 0);
        return;
    }
    int r;
    while ((r = pmf_xlsx_next(x)) == 1) {
        size_t n = pmf_xlsx_nfields(x);
        const pmf_xlsx_cell *c = pmf_xlsx_cells(x);
        CHECK(n >= 1);
        CHECK(pmf_xlsx_row(x) >= 1);
        for (size_t i = 0; i < n; i++) {
            CHECK(c[i].s != NULL && c[i].s[c[i].len] == '\0');
            CHECK(c[i].type >= PMF_XLSX_EMPTY && c[i].type <= PMF_XLSX_DATE);
            CHECK(c[i].type != PMF_XLSX_EMPTY || c[i].len == 0);
        }
        CHECK(c[n - 1].type != PMF_XLSX_EMPTY);
    }
    if (r < 0) CHECK(strncmp(pmf_xlsx_error(x), path, strlen(path)) == 0);
    CHECK(pmf_xlsx_next(x) == r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_xlsx_%ld.xlsx", (long)getpid());
    if (size == 0) return 0;
    if (data[0] & 1) {
        FILE *f = fopen(path, "wb");
        CHECK(f && fwrite(data + 1, 1, size - 1, f) == size - 1);
        fclose(f);
    } else {
        const char *part[5] = {"", "", "", ROOT_RELS, WORKBOOK};
        size_t len[5] = {0, 0, 0, strlen(ROOT_RELS), strlen(WORKBOOK)};
        const uint8_t *p = data + 1, *end = data + size;
        for (int k = 0; k < 5 && p < end; k++) {
            const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
            part[k] = (const char *)p;
            len[k] = (size_t)((nul ? nul : end) - p);
            p += len[k] + 1;
        }
        int ze;
        zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
        CHECK(z != NULL);
        add(z, "_rels/.rels", part[3], len[3]);
        add(z, "xl/_rels/workbook.xml.rels", WB_RELS, strlen(WB_RELS));
        add(z, "xl/workbook.xml", part[4], len[4]);
        add(z, "xl/worksheets/sheet1.xml", part[0], len[0]);
        add(z, "xl/sharedStrings.xml", part[1], len[1]);
        add(z, "xl/styles.xml", part[2], len[2]);
        CHECK(zip_close(z) == 0);
    }
    pmf_xlsx *x = NULL;
    if (pmf_xlsx_open(path, &x) == 0) {
        pmf_xlsx_range range = {2, 5, 2, 4};
        for (int i = 0; i <= pmf_xlsx_nsheets(x); i++) {
            read_sheet(x, i, NULL, path);
            read_sheet(x, i, &range, path);
        }
    } else {
        CHECK(x != NULL && strncmp(pmf_xlsx_error(x), path, strlen(path)) == 0);
    }
    pmf_xlsx_close(x);
    unlink(path);
    return 0;
}

#ifdef PMF_FUZZ_STANDALONE
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) continue;
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    return 0;
}
#endif
