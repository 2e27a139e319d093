/*
 * tests/unit/test_xlsx_read.c: the xlsx sheet reader (core/xlsx_read.h).
 *
 * Two kinds of workbook, both made here in a temporary folder:
 *   - hand-written parts zipped with libzip, for the quirks real files have and writers such
 *     as libxlsxwriter never produce (error cells, rich text with phonetic runs, prefixed
 *     elements, cells and rows without references, the 1904 date system, custom date formats,
 *     damaged cells);
 *   - workbooks written by libxlsxwriter (shared strings, and inline strings in its
 *     constant_memory mode), for the differential check: every value read equals the value
 *     written, over enough rows that rows cross the reader's 64 KiB chunks many times.
 * Then the files that are not workbooks (empty, random bytes, an .xls, an encrypted workbook,
 * a truncated zip, a zip that is not a workbook), each with its message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <xlsxwriter.h>
#include <zip.h>

#include "../../core/xlsx_read.h"
#include "test.h"

static char dir[64];

static const char *path_of(const char *name) {
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* ---- making workbooks from parts ---- */

static const char *WB_RELS =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"/xl/worksheets/sheet2.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/></Relationships>";

static const char *ROOT_RELS =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

static const char *STYLES =
    "<styleSheet><numFmts count=\"4\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"[Red]#,##0.00;\\-0.00\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"[$-809]dddd&quot;, &quot;mmmm\\ dd&quot;, &quot;yyyy\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"&quot;day&quot;0\"/></numFmts>"
    "<cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
    "<xf numFmtId=\"166\"/><xf numFmtId=\"20\"/><xf numFmtId=\"22\"/><xf numFmtId=\"167\"/>"
    "</cellXfs><dxfs><dxf><numFmt numFmtId=\"168\" formatCode=\"yyyy\"/></dxf></dxfs></styleSheet>";

/* Zip the parts given as name, text pairs (NULL-terminated). */
static void zip_parts(const char *path, const char *const *parts) {
    int ze;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    if (!z) abort();
    for (; parts[0]; parts += 2) {
        zip_source_t *s = zip_source_buffer(z, parts[1], strlen(parts[1]), 0);
        if (!s || zip_file_add(z, parts[0], s, ZIP_FL_OVERWRITE) < 0) abort();
    }
    if (zip_close(z) < 0) abort();
}

/* A workbook with sheets Data (sheet1) and Other (sheet2), these shared strings and sheet. */
static const char *workbook(const char *name, const char *wbpr, const char *sst,
                            const char *sheet1) {
    char wb[600];
    snprintf(wb, sizeof wb,
             "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
             "relationships\">%s<sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/>"
             "<sheet name=\"Other\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>", wbpr);
    const char *parts[] = {
        "_rels/.rels", ROOT_RELS, "xl/workbook.xml", wb, "xl/_rels/workbook.xml.rels", WB_RELS,
        "xl/sharedStrings.xml", sst, "xl/styles.xml", STYLES,
        "xl/worksheets/sheet1.xml", sheet1,
        "xl/worksheets/sheet2.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>7</v></c>"
        "</row></sheetData></worksheet>", NULL};
    zip_parts(path_of(name), parts);
    return path_of(name);
}

/* ---- reading a sheet into one string: "ROW:type text|type text|...\n" ... ---- */

typedef struct { char *s; size_t len, cap; } sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
    while (b->len + n + 1 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->s = realloc(b->s, b->cap);
        if (!b->s) abort();
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static int add_row(void *ud, long row, const pmf_xlsx_cell *c, size_t n) {
    static const char types[] = "-nsbed";     /* empty number string bool error date */
    char head[32];
    sbuf *b = ud;
    sb_add(b, head, (size_t)snprintf(head, sizeof head, "%ld:", row));
    for (size_t i = 0; i < n; i++) {
        if (i) sb_add(b, "|", 1);
        sb_add(b, &types[c[i].type], 1);
        sb_add(b, c[i].s, c[i].len);
        if (c[i].s[c[i].len] != '\0') sb_add(b, "<no NUL>", 8);
    }
    sb_add(b, "\n", 1);
    return 0;
}

/* The rows of a sheet (by name, or the first), or "ERR:message". */
static char *read_sheet(const char *path, const char *sheet, const char *range) {
    static sbuf b;
    pmf_xlsx *x;
    pmf_xlsx_range r;
    char err[200];
    b.len = 0;
    sb_add(&b, "", 0);
    if (range && pmf_xlsx_parse_range(range, &r, err, sizeof err) < 0) abort();
    int rc = pmf_xlsx_open(path, &x);
    if (rc == 0) rc = pmf_xlsx_open_sheet(x, sheet, 0, range ? &r : NULL);
    if (rc == 0) rc = pmf_xlsx_each(x, add_row, &b);
    if (rc < 0) {
        b.len = 0;
        sb_add(&b, "ERR:", 4);
        sb_add(&b, pmf_xlsx_error(x), strlen(pmf_xlsx_error(x)));
    }
    pmf_xlsx_close(x);
    return b.s;
}

static int contains(const char *s, const char *part) { return s && strstr(s, part) != NULL; }

/* ---- the quirks ---- */

static const char *SST =
    "<sst><si><t>Area</t></si><si><t xml:space=\"preserve\"> Bristol, City of </t></si>"
    "<si><r><rPr><b/></rPr><t>Rich</t></r><r><t> text</t></r><rPh sb=\"0\" eb=\"1\"><t>PHON"
    "</t></rPh></si><si><t>&lt;&amp;&gt; £ é</t></si><si><t/></si></sst>";

static void test_cells(void) {
    const char *p = workbook("cells.xlsx", "", SST,
        "<worksheet><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
        "<c r=\"D1\" s=\"3\"/><c r=\"E1\" s=\"3\"/></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c><c r=\"B2\"><v>0.1</v></c>"
        "<c r=\"C2\"><v>1.2345678901234567E+20</v></c><c r=\"D2\" t=\"b\"><v>1</v></c>"
        "<c r=\"E2\" t=\"e\"><v>#N/A</v></c><c r=\"F2\" t=\"str\"><f>A1&amp;\"x\"</f><v>Areax</v></c>"
        "<c r=\"G2\" t=\"inlineStr\"><is><r><t>in</t></r><r><t>line</t></r><rPh><t>P</t></rPh>"
        "</is></c><c r=\"H2\"><f>1+1</f><v>2</v></c><c r=\"I2\" t=\"s\"><v>3</v></c>"
        "<c r=\"J2\" t=\"b\"><v>0</v></c><c r=\"K2\" t=\"s\"><v>4</v></c></row>"
        "<row r=\"3\"><c r=\"A3\" s=\"2\"/></row>"
        "<row r=\"7\"><c r=\"AB7\" t=\"e\"><v>#DIV/0!</v></c></row>"
        "<row><c><v>-3</v></c><c><v>4</v></c></row>"
        "</sheetData><mergeCells><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>");
    char *out = read_sheet(p, "Data", NULL);
    test_streq("strings, numbers as written, booleans, errors, formulas, gaps, rows", out,
               "1:sArea|-|sRich text\n"
               "2:s Bristol, City of |n0.1|n1.2345678901234567E+20|bTRUE|e#N/A|sAreax|sinline"
               "|n2|s<&> £ é|bFALSE|s\n"
               "7:-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|e#DIV/0!\n"
               "8:n-3|n4\n");
    test_streq("the second sheet by name", read_sheet(p, "Other", NULL), "1:n7\n");
    test_streq("the first sheet when none is named", read_sheet(p, NULL, "A1:A1"), "1:sArea\n");

    /* A range: fields count from its first column; rows past its end are not read. */
    test_streq("range B1:D2", read_sheet(p, "Data", "B1:D2"), "1:-|sRich text\n2:n0.1|n1.2345678901234567E+20|bTRUE\n");
    test_streq("range C:C", read_sheet(p, "Data", "C:C"), "1:sRich text\n2:n1.2345678901234567E+20\n");
    test_streq("range A7:B", read_sheet(p, "Data", "A7:B"), "8:n-3|n4\n");

    /* The numbers also come as doubles; the callback can stop the reading. */
    pmf_xlsx *x;
    test_cond("open", pmf_xlsx_open(p, &x) == 0 && pmf_xlsx_open_sheet(x, "Data", 0, NULL) == 0);
    test_cond("row 1", pmf_xlsx_next(x) == 1 && pmf_xlsx_row(x) == 1 && pmf_xlsx_nfields(x) == 3);
    test_cond("row 2", pmf_xlsx_next(x) == 1 && pmf_xlsx_nfields(x) == 11);
    const pmf_xlsx_cell *c = pmf_xlsx_cells(x);
    test_cond("0.1 as a double", c[1].num == 0.1 && c[2].num == 1.2345678901234567e20);
    test_cond("TRUE is 1", c[3].num == 1 && c[9].num == 0);
    test_streq("sheet names", pmf_xlsx_sheet_name(x, 1), "Other");
    test_cond("two sheets", pmf_xlsx_nsheets(x) == 2 && pmf_xlsx_sheet_name(x, 2) == NULL);
    test_cond("another sheet may be opened", pmf_xlsx_open_sheet(x, NULL, 1, NULL) == 0 &&
              pmf_xlsx_next(x) == 1 && pmf_xlsx_cells(x)[0].num == 7 && pmf_xlsx_next(x) == 0 &&
              pmf_xlsx_next(x) == 0);
    pmf_xlsx_close(x);
}

static void test_prefixed(void) {
    const char *p = workbook("prefixed.xlsx", "", "<x:sst xmlns:x=\"u\"><x:si><x:t>a</x:t></x:si></x:sst>",
        "<x:worksheet xmlns:x=\"u\"><x:sheetData><x:row x:r=\"2\"><x:c x:r=\"B2\" x:t=\"s\">"
        "<x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>");
    test_streq("elements with a prefix", read_sheet(p, NULL, NULL), "2:-|sa\n");
}

static void test_dates(void) {
    const char *sheet =
        "<worksheet><sheetData><row r=\"1\">"
        "<c r=\"A1\" s=\"1\"><v>45016</v></c><c r=\"B1\" s=\"2\"><v>45016.5</v></c>"
        "<c r=\"C1\" s=\"3\"><v>45016</v></c><c r=\"D1\" s=\"4\"><v>1</v></c>"
        "<c r=\"E1\" s=\"5\"><v>0.75</v></c><c r=\"F1\" s=\"6\"><v>45016.999999</v></c>"
        "<c r=\"G1\" s=\"7\"><v>45016</v></c><c r=\"H1\" s=\"1\"><v>59</v></c>"
        "<c r=\"I1\" s=\"1\"><v>61</v></c><c r=\"J1\" t=\"d\"><v>2023-03-31</v></c>"
        "<c r=\"K1\" s=\"99\"><v>5</v></c></row></sheetData></worksheet>";
    test_streq("dates by built-in and custom formats, not by other formats",
               read_sheet(workbook("dates.xlsx", "", SST, sheet), NULL, NULL),
               "1:d2023-03-31|d2023-03-31T12:00:00|n45016|d1900-01-01|d18:00:00"
               "|d2023-04-01|n45016|d1900-02-28|d1900-03-01|d2023-03-31|n5\n");
    test_streq("the 1904 date system",
               read_sheet(workbook("d1904.xlsx", "<workbookPr date1904=\"1\"/>", SST,
                                   "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" s=\"1\">"
                                   "<v>43554</v></c></row></sheetData></worksheet>"), NULL, NULL),
               "1:d2023-03-31\n");
    char want[400];
    snprintf(want, sizeof want, "ERR:%s: sheet 'Data' cell C4: '60' is 29 February 1900, a day "
             "that never was", path_of("d60.xlsx"));
    test_streq("29 February 1900 is no date",
               read_sheet(workbook("d60.xlsx", "", SST,
                                   "<worksheet><sheetData><row r=\"4\"><c r=\"C4\" s=\"1\">"
                                   "<v>60</v></c></row></sheetData></worksheet>"), NULL, NULL),
               want);
}

/* Damaged cells and parts: the message names the file, sheet and cell. */
static void test_bad_cells(void) {
    static const struct { const char *sheet, *want; } cases[] = {
        {"<row r=\"17\"><c r=\"C17\" t=\"s\"><v>9</v></c></row>",
         "sheet 'Data' cell C17: shared string 9 does not exist (the workbook has 5)"},
        {"<row r=\"2\"><c r=\"B2\"><v>1.2.3</v></c></row>", "sheet 'Data' cell B2: '1.2.3' is not a number"},
        {"<row r=\"2\"><c r=\"B2\" t=\"b\"><v>yes</v></c></row>", "cell B2: 'yes' is not a boolean"},
        {"<row r=\"2\"><c r=\"C2\"><v>1</v></c><c r=\"B2\"><v>2</v></c></row>",
         "cell B2: comes after a cell to its right"},
        {"<row r=\"2\"><c r=\"XFE2\"><v>1</v></c></row>", "row 2: 'XFE2' is not a cell reference"},
        {"<row r=\"2\"><c r=\"A2\"><v>1</v></row>", "sheet 'Data' (xl/worksheets/sheet1.xml) line 1: mismatched tag"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char sheet[400], name[32];
        snprintf(sheet, sizeof sheet, "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c>"
                 "</row>%s</sheetData></worksheet>", cases[i].sheet);
        snprintf(name, sizeof name, "bad%zu.xlsx", i);
        char *out = read_sheet(workbook(name, "", SST, sheet), NULL, NULL);
        test_cond(cases[i].want, contains(out, cases[i].want) && contains(out, name) &&
                  strncmp(out, "ERR:", 4) == 0);
        if (!contains(out, cases[i].want)) fprintf(stderr, "  got: %s\n", out);
    }
    /* The rows before the damage were returned. */
    pmf_xlsx *x;
    pmf_xlsx_open(path_of("bad0.xlsx"), &x);
    test_cond("rows before a bad cell", pmf_xlsx_open_sheet(x, NULL, 0, NULL) == 0 &&
              pmf_xlsx_next(x) == 1 && pmf_xlsx_next(x) == -1 && pmf_xlsx_next(x) == -1 &&
              contains(pmf_xlsx_error(x), "C17"));
    pmf_xlsx_close(x);
}

static void test_sheets_missing(void) {
    pmf_xlsx *x;
    test_cond("open", pmf_xlsx_open(path_of("cells.xlsx"), &x) == 0);
    test_cond("a missing sheet", pmf_xlsx_open_sheet(x, "LA data", 0, NULL) == -1 &&
              contains(pmf_xlsx_error(x), "cells.xlsx: no sheet 'LA data' (the sheets are 'Data', 'Other')"));
    test_cond("a sheet number past the end", pmf_xlsx_open_sheet(x, NULL, 2, NULL) == -1 &&
              contains(pmf_xlsx_error(x), "no sheet number 3 (the workbook has 2: 'Data', 'Other')"));
    test_cond("then a sheet that exists", pmf_xlsx_open_sheet(x, "Other", 0, NULL) == 0 &&
              pmf_xlsx_next(x) == 1 && *pmf_xlsx_error(x) == '\0');
    pmf_xlsx_close(x);

    pmf_xlsx_range r;
    char err[200];
    test_cond("range A5:Z900", pmf_xlsx_parse_range("A5:Z900", &r, err, sizeof err) == 0 &&
              r.first_row == 5 && r.last_row == 900 && r.first_col == 1 && r.last_col == 26);
    test_cond("range AA3", pmf_xlsx_parse_range("AA3", &r, err, sizeof err) == 0 &&
              r.first_row == 3 && r.last_row == 3 && r.first_col == 27 && r.last_col == 27);
    test_cond("bad ranges", pmf_xlsx_parse_range("Z1:A1", &r, err, sizeof err) == -1 &&
              pmf_xlsx_parse_range("A5:", &r, err, sizeof err) == -1 &&
              pmf_xlsx_parse_range("5A", &r, err, sizeof err) == -1 &&
              pmf_xlsx_parse_range("", &r, err, sizeof err) == -1 && contains(err, "A5:Z900"));
}

/* ---- files that are not workbooks ---- */

static void write_file(const char *name, const void *data, size_t n) {
    FILE *f = fopen(path_of(name), "wb");
    if (!f || fwrite(data, 1, n, f) != n) abort();
    fclose(f);
}

static void test_not_workbooks(void) {
    unsigned char bytes[4096];
    write_file("empty.xlsx", "", 0);
    srand(7);
    for (size_t i = 0; i < sizeof bytes; i++) bytes[i] = (unsigned char)rand();
    bytes[0] = 'x';
    write_file("random.xlsx", bytes, sizeof bytes);
    memcpy(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    for (size_t i = 8; i < sizeof bytes; i++) bytes[i] = 0;
    write_file("old.xls", bytes, sizeof bytes);
    memcpy(bytes + 4090 - 32, "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
    write_file("locked.xlsx", bytes, sizeof bytes);
    /* A real workbook cut in half. */
    FILE *f = fopen(path_of("cells.xlsx"), "rb");
    size_t n = fread(bytes, 1, sizeof bytes, f);
    fclose(f);
    write_file("truncated.xlsx", bytes, n / 2);
    const char *parts[] = {"word/document.xml", "<document/>", NULL};
    zip_parts(path_of("other.zip"), parts);
    const char *ods[] = {"mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                         "content.xml", "<office:document-content/>", NULL};
    zip_parts(path_of("sheet.ods"), ods);
    const char *xlsb[] = {"_rels/.rels", "<Relationships><Relationship Id=\"a\" Type=\"x/"
                          "officeDocument\" Target=\"xl/workbook.bin\"/></Relationships>",
                          "xl/workbook.bin", "\x83\x01", NULL};
    zip_parts(path_of("book.xlsb"), xlsb);
    const char *nowb[] = {"_rels/.rels", ROOT_RELS, NULL};
    zip_parts(path_of("nowb.xlsx"), nowb);

    static const struct { const char *name, *want; } cases[] = {
        {"empty.xlsx", "empty.xlsx: the file is empty, not an xlsx workbook"},
        {"random.xlsx", "random.xlsx: not an xlsx workbook (not a zip archive, or one cut short)"},
        {"old.xls", "old.xls: an old binary Excel workbook (.xls): save it as .xlsx"},
        {"locked.xlsx", "locked.xlsx: encrypted (password-protected) workbook"},
        {"truncated.xlsx", "truncated.xlsx: not an xlsx workbook (not a zip archive, or one cut short)"},
        {"other.zip", "other.zip: not an xlsx workbook (a zip archive without a workbook part)"},
        {"nowb.xlsx", "nowb.xlsx: not an xlsx workbook (a zip archive without a workbook part)"},
        {"sheet.ods", "sheet.ods: an OpenDocument spreadsheet (.ods): save it as .xlsx"},
        {"book.xlsb", "book.xlsb: an Excel binary workbook (.xlsb): save it as .xlsx"},
        {"missing.xlsx", "missing.xlsx: No such file or directory"},
        {".", "/.: Is a directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        pmf_xlsx *x;
        int rc = pmf_xlsx_open(path_of(cases[i].name), &x);
        test_cond(cases[i].want, rc == -1 && contains(pmf_xlsx_error(x), cases[i].want));
        if (!contains(pmf_xlsx_error(x), cases[i].want)) fprintf(stderr, "  got: %s\n", pmf_xlsx_error(x));
        test_cond("a reader that did not open reads nothing",
                  pmf_xlsx_open_sheet(x, NULL, 0, NULL) == -1 && pmf_xlsx_next(x) == -1);
        pmf_xlsx_close(x);
    }
    pmf_xlsx_close(NULL);
}

/* ---- the differential check against libxlsxwriter ---- */

#define DIFF_ROWS 3000

/* Thousandths, which libxlsxwriter's %.16G writes exactly, and sevenths, which it rounds:
 * those must read back as the text written (and its double), not as the double given. */
static double value_at(int r, int c) {
    return (double)((r * 7919 + c * 104729) % 2000003 - 1000000) / (c % 3 == 0 ? 1000.0 : 7.0);
}

static void write_book(const char *path, int constant_memory) {
    lxw_workbook_options o = {.constant_memory = (uint8_t)constant_memory, .tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(path, &o);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Numbers & text");
    lxw_format *datef = workbook_add_format(wb);
    format_set_num_format(datef, "yyyy-mm-dd hh:mm");
    lxw_format *merged = workbook_add_format(wb);
    format_set_bold(merged);
    char text[64];
    if (!constant_memory) worksheet_merge_range(ws, 0, 0, 0, 3, "Title across A1:D1", merged);
    else worksheet_write_string(ws, 0, 0, "Title across A1:D1", NULL);
    for (int r = 1; r <= DIFF_ROWS; r++) {
        for (int c = 0; c < 6; c++) worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, value_at(r, c), NULL);
        snprintf(text, sizeof text, "row %d <&> é \"q\"", r);
        worksheet_write_string(ws, (lxw_row_t)r, 7, text, NULL);      /* column G left empty */
        worksheet_write_boolean(ws, (lxw_row_t)r, 8, r % 2, NULL);
        lxw_datetime dt = {2000 + r % 30, 1 + r % 12, 1 + r % 28, r % 24, r % 60, 0};
        worksheet_write_datetime(ws, (lxw_row_t)r, 9, &dt, datef);
        if (r % 10 == 0) worksheet_write_formula_num(ws, (lxw_row_t)r, 10, "=A1*2", NULL, 2.5);
    }
    workbook_add_worksheet(wb, "Empty");
    if (workbook_close(wb) != LXW_NO_ERROR) abort();
}

static void test_differential(int constant_memory) {
    const char *p = path_of(constant_memory ? "lxw_cm.xlsx" : "lxw.xlsx");
    write_book(p, constant_memory);
    pmf_xlsx *x;
    test_cond("libxlsxwriter's workbook opens", pmf_xlsx_open(p, &x) == 0 &&
              pmf_xlsx_nsheets(x) == 2 && test_str_equal(pmf_xlsx_sheet_name(x, 0), "Numbers & text"));
    test_cond("its sheet opens", pmf_xlsx_open_sheet(x, "Numbers & text", 0, NULL) == 0);
    int bad = 0, rows = 0, reported = 0;
    test_cond("the title row", pmf_xlsx_next(x) == 1 && pmf_xlsx_nfields(x) == 1 &&
              test_str_equal(pmf_xlsx_cells(x)[0].s, "Title across A1:D1"));
    while (pmf_xlsx_next(x) == 1) {
        const pmf_xlsx_cell *c = pmf_xlsx_cells(x);
        int r = (int)pmf_xlsx_row(x) - 1;
        char want[64];
        rows++;
        if (pmf_xlsx_nfields(x) != (r % 10 == 0 ? 11u : 10u)) { bad++; continue; }
        for (int k = 0; k < 6; k++) {
            snprintf(want, sizeof want, "%.16G", value_at(r, k));
            double written = k % 3 == 0 ? value_at(r, k) : strtod(want, NULL);
            if (c[k].type != PMF_XLSX_NUMBER || c[k].num != written || strcmp(c[k].s, want)) bad++;
        }
        snprintf(want, sizeof want, "row %d <&> é \"q\"", r);
        if (c[6].type != PMF_XLSX_EMPTY || c[7].type != PMF_XLSX_STRING || strcmp(c[7].s, want)) bad++;
        if (strcmp(c[8].s, r % 2 ? "TRUE" : "FALSE")) bad++;
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:00", 2000 + r % 30, 1 + r % 12,
                 1 + r % 28, r % 24, r % 60);
        if (r % 24 == 0 && r % 60 == 0) want[10] = '\0';
        if (c[9].type != PMF_XLSX_DATE || strcmp(c[9].s, want)) bad++;
        if (r % 10 == 0 && strcmp(c[10].s, "2.5")) bad++;
        if (bad && !reported++)
            fprintf(stderr, "  first difference in row %d: %s|%s|%s|%s|%s\n", r + 1, c[0].s,
                    c[5].s, c[7].s, c[8].s, c[9].s);
    }
    test_cond("every value read equals the value written", bad == 0 && rows == DIFF_ROWS);
    test_cond("an empty sheet has no rows", pmf_xlsx_open_sheet(x, "Empty", 0, NULL) == 0 &&
              pmf_xlsx_next(x) == 0);
    pmf_xlsx_close(x);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/pmf-xlsx-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    test_cells();
    test_prefixed();
    test_dates();
    test_bad_cells();
    test_sheets_missing();
    test_not_workbooks();
    test_differential(0);
    test_differential(1);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return test_report("test_xlsx_read");
}
