/*
 * tests/unit/test_xlsx_spark.c: sparklines added to closed workbooks (core/xlsx_spark.h).
 *
 * - A1 references: what is one and what is not, columns to XFD and rows to 1048576, sheet
 *   names quoted or not.
 * - Workbooks written by libxlsxwriter, then given sparklines, then read back with libzip and
 *   parsed whole by expat with namespace processing: well-formed, every prefix bound, no
 *   attribute repeated.  One of them already has an Excel 2010 extension list (a 2010 data
 *   bar, for which libxlsxwriter also declares the mc and x14ac namespaces itself): the
 *   sparklines join that list rather than starting a second one.
 * - Failures leave the file as it was and say why, naming the path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <expat.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "../../core/xlsx_spark.h"
#include "test.h"

static char dir[64];

static const char *path_of(const char *name) {
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* ---- references ---- */

static int ref_is(const char *s, const char *sheet, unsigned r0, unsigned c0, unsigned r1,
                  unsigned c1) {
    char got[64];
    pmf_xlsx_area a;
    if (pmf_xlsx_parse_ref(s, got, sizeof got, &a) != 0) return 0;
    return strcmp(got, sheet) == 0 && a.row0 == r0 && a.col0 == c0 && a.row1 == r1 && a.col1 == c1;
}

static int ref_bad(const char *s) {
    char got[64];
    pmf_xlsx_area a;
    return pmf_xlsx_parse_ref(s, got, sizeof got, &a) == -1;
}

static void test_refs(void) {
    char name[16];
    test_cond("a cell", ref_is("L5", "", 4, 11, 4, 11));
    test_cond("a row of cells", ref_is("D5:K5", "", 4, 3, 4, 10));
    test_cond("absolute, lower case", ref_is("$d$5:$k$5", "", 4, 3, 4, 10));
    test_cond("ends put in order", ref_is("K9:D5", "", 4, 3, 8, 10));
    test_cond("the last cell of a sheet", ref_is("XFD1048576", "", 1048575, 16383, 1048575, 16383));
    test_cond("a sheet name", ref_is("Data!A1:A4", "Data", 0, 0, 3, 0));
    test_cond("a quoted sheet name with a quote", ref_is("'Bob''s data'!B2", "Bob's data", 1, 1, 1, 1));
    test_cond("column XFE is past the end", ref_bad("XFE1"));
    test_cond("row 1048577 is past the end", ref_bad("A1048577"));
    test_cond("row 0", ref_bad("A0"));
    test_cond("no row", ref_bad("D5:K"));
    test_cond("no column", ref_bad("5:5"));
    test_cond("a name", ref_bad("Sales"));
    test_cond("trailing text", ref_bad("A1:B2x"));
    test_cond("empty", ref_bad(""));
    test_cond("an empty sheet name", ref_bad("!A1"));
    test_cond("an unclosed quote", ref_bad("'Data!A1"));
    test_cond("a quoted name without !", ref_bad("'Data'A1"));
    test_cond("a sheet name longer than the buffer", ref_bad("'A very long sheet name indeed, well over the sixty-four bytes the buffer has'!A1"));
    pmf_xlsx_cell_name(0, 0, name);
    test_cond("A1", strcmp(name, "A1") == 0);
    pmf_xlsx_cell_name(4, 26, name);
    test_cond("AA5", strcmp(name, "AA5") == 0);
    pmf_xlsx_cell_name(1048575, 16383, name);
    test_cond("XFD1048576", strcmp(name, "XFD1048576") == 0);
}

/* ---- reading a part back and checking it with expat ---- */

static char *member(const char *path, const char *name) {
    int ze;
    zip_t *za = zip_open(path, ZIP_RDONLY, &ze);
    zip_stat_t st;
    char *out = NULL;
    if (!za) return NULL;
    if (zip_stat(za, name, 0, &st) == 0) {
        zip_file_t *zf = zip_fopen(za, name, 0);
        out = calloc(1, st.size + 1);
        if (!zf || !out || zip_fread(zf, out, st.size) != (zip_int64_t)st.size) {
            free(out);
            out = NULL;
        }
        if (zf) zip_fclose(zf);
    }
    zip_close(za);
    return out;
}

typedef struct { int depth, extlst_top, ext_in_top, sparkline_groups; } shape;

/* Element names come as "uri|local" (namespace processing on). */
static void XMLCALL on_start(void *ud, const XML_Char *nm, const XML_Char **atts) {
    shape *s = ud;
    (void)atts;
    s->depth++;
    if (s->depth == 2 && strstr(nm, "|extLst")) s->extlst_top++;
    if (s->depth == 3 && strstr(nm, "|ext") && !strstr(nm, "|extLst")) s->ext_in_top++;
    if (strcmp(nm, "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main|sparklineGroup") == 0)
        s->sparkline_groups++;
}

static void XMLCALL on_end(void *ud, const XML_Char *nm) {
    (void)nm;
    ((shape *)ud)->depth--;
}

/* Parses xml with namespaces: 0 if well-formed with every prefix bound. */
static int parse_ns(const char *xml, shape *s) {
    XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
    memset(s, 0, sizeof *s);
    XML_SetUserData(p, s);
    XML_SetElementHandler(p, on_start, on_end);
    int ok = XML_Parse(p, xml, (int)strlen(xml), 1) == XML_STATUS_OK;
    if (!ok) fprintf(stderr, "expat: line %lu: %s\n", (unsigned long)XML_GetCurrentLineNumber(p),
                     XML_ErrorString(XML_GetErrorCode(p)));
    XML_ParserFree(p);
    return ok ? 0 : -1;
}

static int count(const char *hay, const char *needle) {
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

/* A group for row `row` of sheet, drawing B:E into F. */
static int group_for(char *out, size_t cap, const char *sheet, unsigned row) {
    pmf_xlsx_spark_style st = { "line", "gap", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    pmf_xlsx_area data = { row, 1, row, 4 }, cell = { row, 5, row, 5 };
    return pmf_xlsx_spark_group(out, cap, &st, sheet, &data, &cell);
}

static void write_book(const char *path, int data_bar) {
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *a = workbook_add_worksheet(wb, "A & B");
    lxw_worksheet *b = workbook_add_worksheet(wb, "Plain");
    for (int r = 1; r <= 3; r++)
        for (int c = 1; c <= 4; c++) worksheet_write_number(a, (lxw_row_t)r, (lxw_col_t)c, r * c, NULL);
    worksheet_write_number(b, 0, 0, 1, NULL);
    if (data_bar) {
        lxw_conditional_format cf;
        memset(&cf, 0, sizeof cf);
        cf.type = LXW_CONDITIONAL_DATA_BAR;
        cf.data_bar_2010 = LXW_TRUE;
        worksheet_conditional_format_range(a, 1, 1, 3, 4, &cf);
    }
    workbook_close(wb);
}

static void test_book(int data_bar) {
    const char *path = path_of(data_bar ? "bar.xlsx" : "plain.xlsx");
    char g1[2048], g2[2048], err[512], both[4096];
    shape s;
    write_book(path, data_bar);
    char *before = member(path, "xl/worksheets/sheet1.xml");
    test_cond("the workbook is written", before != NULL);
    /* a 2010 data bar: one extLst inside its rule, one at the end of the worksheet */
    test_cond(data_bar ? "libxlsxwriter wrote its own extLst" : "no extLst before",
              before && count(before, "<extLst>") == (data_bar ? 2 : 0));
    int n1 = group_for(g1, sizeof g1, "A & B", 1), n2 = group_for(g2, sizeof g2, "A & B", 2);
    test_cond("groups made", n1 > 0 && n2 > 0);
    char small[100];
    test_cond("a group that does not fit is refused", group_for(small, sizeof small, "A & B", 1) == -1);
    snprintf(both, sizeof both, "%s%s", g1, g2);
    const char *parts[] = { "xl/worksheets/sheet1.xml" };
    const char *groups[] = { both };
    size_t len[] = { strlen(both) };
    test_cond("sparklines added", pmf_xlsx_add_sparklines(path, 1, parts, groups, len, err, sizeof err) == 0);
    char *after = member(path, "xl/worksheets/sheet1.xml");
    char *plain = member(path, "xl/worksheets/sheet2.xml");
    test_cond("well-formed, every prefix bound", after && parse_ns(after, &s) == 0);
    test_cond("one worksheet-level extLst", s.extlst_top == 1);
    test_cond(data_bar ? "the sparklines join the existing list" : "one ext in it",
              s.ext_in_top == (data_bar ? 2 : 1));
    test_cond("both groups", s.sparkline_groups == 2);
    test_cond("the namespaces declared once", after && count(after, "xmlns:mc=") == 1 &&
              count(after, "xmlns:x14ac=") == 1 && count(after, "mc:Ignorable=") == 1);
    test_cond("the sheet name quoted and escaped",
              after && strstr(after, "<xm:f>'A &amp; B'!B2:E2</xm:f><xm:sqref>F2</xm:sqref>"));
    test_cond("what was there is kept", after && before && strstr(after, "<sheetData>") &&
              count(after, "<c r=") == count(before, "<c r="));
    test_cond("the other sheet untouched", plain && !strstr(plain, "extLst"));
    free(before);
    free(after);
    free(plain);
}

static void test_failures(void) {
    char err[512], g[2048];
    const char *path = path_of("fail.xlsx");
    int n = group_for(g, sizeof g, "A & B", 1);
    const char *parts[] = { "xl/worksheets/sheet9.xml" };
    const char *groups[] = { g };
    size_t len[] = { (size_t)n };
    write_book(path, 0);
    char *before = member(path, "xl/worksheets/sheet1.xml");
    test_cond("no such part fails", pmf_xlsx_add_sparklines(path, 1, parts, groups, len, err, sizeof err) == -1);
    test_cond("naming the path and the part", strstr(err, path) && strstr(err, "sheet9.xml"));
    char *after = member(path, "xl/worksheets/sheet1.xml");
    test_cond("the file is as it was", before && after && strcmp(before, after) == 0);
    free(before);
    free(after);
    test_cond("no such file fails",
              pmf_xlsx_add_sparklines(path_of("none.xlsx"), 1, parts, groups, len, err, sizeof err) == -1 &&
              strstr(err, "none.xlsx"));
    FILE *fp = fopen(path_of("text.xlsx"), "w");
    if (fp) { fputs("not a zip", fp); fclose(fp); }
    test_cond("not a zip fails",
              pmf_xlsx_add_sparklines(path_of("text.xlsx"), 1, parts, groups, len, err, sizeof err) == -1);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/pmf-spark-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_refs();
    test_book(0);
    test_book(1);
    test_failures();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return test_report("test_xlsx_spark");
}
