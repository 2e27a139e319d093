/*
 * core/xlsx_read.h: reading one sheet of an .xlsx workbook, row by row, for import.
 *
 * Pure C, no Lua.  The zip layer is libzip and the XML layer expat (both Debian packages);
 * nothing here unzips or tokenises XML by hand.
 *
 * Opening a workbook (pmf_xlsx_open) reads the small parts whole: the package and workbook
 * relationships (to find the workbook and each sheet's part), the sheet names, the shared
 * strings (kept in one buffer with an offset table: a sheet refers to them by index, so they
 * must be at hand) and the cell styles (only to know which style numbers are dates).  A sheet
 * is then streamed: pmf_xlsx_next feeds expat from the zip entry in 64 KiB chunks and
 * suspends the parser at each </row>, so memory stays flat in the sheet's size and nothing is
 * allocated per cell (the row's text buffer and cell array grow only when a row is larger
 * than any before, and are reused).
 *
 * What a row is:
 *   - cells are placed by their reference ("C7" is column 3), so a missing cell leaves an
 *     empty field (type PMF_XLSX_EMPTY, s = "") and columns stay aligned; a cell without a
 *     reference takes the next column;
 *   - a row's fields run from the range's first column to its last cell that has a value:
 *     trailing empty cells are not fields; a row with no value at all (only styled cells, or
 *     absent from the file) is not returned: pmf_xlsx_row tells the sheet's row number, so
 *     gaps are visible to the caller;
 *   - merged cells are as the file stores them: the value in the top-left cell, the others
 *     empty.
 * What a field holds (s is NUL-terminated at s[len]):
 *   - NUMBER: the exact text of the cell's <v> (e.g. "0.1", "1.2345678901234567E+20"), so no
 *     precision is lost, and num its value;
 *   - STRING: shared, inline (rich text runs joined, phonetic runs left out) or a formula's
 *     string result, as UTF-8;
 *   - BOOL: "TRUE" or "FALSE", num 1 or 0;
 *   - ERROR: the error as Excel shows it ("#N/A", "#DIV/0!", ...);
 *   - DATE: a number in a cell whose style is a date or time format (built-in formats 14-22
 *     and 45-47, or a custom format with day, month, year, hour or second codes outside
 *     quotes and brackets), as ISO 8601: "2023-03-31" for a whole day, "2023-03-31T12:30:00"
 *     with a time, "12:30:00" for a time-only format under one day; num is the serial number.
 *     Both the 1900 and 1904 date systems are read; the 1900 system's phantom 29 February 1900
 *     (serial 60) is an error, as it is no date.  A cell of type "d" (an ISO date as text) is
 *     returned as written.
 *   - formulas give their cached value (the <v>); the formula itself is not read.
 * Errors (pmf_xlsx_open returns -1; pmf_xlsx_next returns -1 and
 * pmf_xlsx_error says which; the reader stays stopped):
 *   - "NAME: the file is empty, not an xlsx workbook";
 *   - "NAME: an old binary Excel workbook (.xls): save it as .xlsx (Excel Workbook) first";
 *   - "NAME: encrypted (password-protected) workbook: remove the password in Excel first";
 *   - "NAME: an Excel binary workbook (.xlsb): ..." and "NAME: an OpenDocument spreadsheet
 *     (.ods): ...", both asking for the file to be saved as .xlsx;
 *   - "NAME: not an xlsx workbook (not a zip archive, or one cut short)" (a truncated zip has
 *     lost its directory), "NAME: not an xlsx workbook (damaged zip archive: ...)" for other
 *     damage (bad checksums are found when the part is read), and "NAME: not an xlsx workbook
 *     (a zip archive without a workbook part)" for another kind of zip;
 *   - "NAME: No such file or directory" and other errors opening the file;
 *   - "NAME: no sheet 'X' (the sheets are 'A', 'B', 'C')", "NAME: no sheet 4 (it has 3)";
 *   - malformed XML: "NAME: xl/worksheets/sheet1.xml line 2: not well-formed (invalid token)";
 *   - cell problems: "NAME: sheet 'LA data' cell C17: shared string 900 does not exist (the
 *     workbook has 120)", "... cell C17: '1.2.3' is not a number", columns out of order.
 * NAME is the path as given to pmf_xlsx_open.  Messages are never truncated.
 *
 * Ownership and lifetime: the reader owns everything it returns.  Cells and their text stay
 * valid until the next pmf_xlsx_next, pmf_xlsx_open_sheet or pmf_xlsx_close; sheet names
 * until pmf_xlsx_close.  One thread at a time per reader; readers are independent.
 */
#ifndef PMF_XLSX_READ_H
#define PMF_XLSX_READ_H

#include <stddef.h>

typedef struct pmf_xlsx pmf_xlsx;

typedef enum {
    PMF_XLSX_EMPTY = 0,
    PMF_XLSX_NUMBER,
    PMF_XLSX_STRING,
    PMF_XLSX_BOOL,
    PMF_XLSX_ERROR,
    PMF_XLSX_DATE
} pmf_xlsx_type;

typedef struct {
    const char *s;        /* the field's text, NUL-terminated at s[len]; "" when empty */
    size_t len;
    pmf_xlsx_type type;
    double num;           /* NUMBER, DATE (the serial number), BOOL (0 or 1); else 0 */
} pmf_xlsx_cell;

/* The cells to read: rows first_row..last_row, columns first_col..last_col (1-based, column A
 * is 1); 0 for last_row or last_col means no limit.  Fields are counted from first_col. */
typedef struct {
    long first_row, last_row;
    int first_col, last_col;
} pmf_xlsx_range;

#define PMF_XLSX_MAXCOL 16384   /* XFD, Excel's last column */

/* Open a workbook, as sqlite3_open does: *out is set to a reader even when the workbook cannot
 * be read (NULL only if memory runs out); 0 on success, -1 with the message in
 * pmf_xlsx_error(*out).  Either way the reader is closed with pmf_xlsx_close. */
int pmf_xlsx_open(const char *path, pmf_xlsx **out);
void pmf_xlsx_close(pmf_xlsx *x);                    /* NULL-safe */

int pmf_xlsx_nsheets(const pmf_xlsx *x);              /* hidden sheets included */
const char *pmf_xlsx_sheet_name(const pmf_xlsx *x, int i);   /* i from 0; NULL past the end */

/* Start reading a sheet: by name (exact), or by index (from 0) when name is NULL.  range may
 * be NULL for the whole sheet.  -1 with the message in pmf_xlsx_error (no such sheet, a chart
 * sheet, a part that cannot be opened).  Any sheet being read before is closed. */
int pmf_xlsx_open_sheet(pmf_xlsx *x, const char *name, int index, const pmf_xlsx_range *range);

/* Parse "A5:Z900" (also "A5:Z" for no last row, "C:F" for whole columns, "B3" for one cell)
 * into *r: 0, or -1 with a message in err (which the caller sizes: 200 bytes is enough). */
int pmf_xlsx_parse_range(const char *text, pmf_xlsx_range *r, char *err, size_t errlen);

/* Advance to the next row with a value: 1 a row is ready, 0 the end of the sheet (or of the
 * range), -1 an error.  After 0 or -1, later calls return the same. */
int pmf_xlsx_next(pmf_xlsx *x);
size_t pmf_xlsx_nfields(const pmf_xlsx *x);           /* at least 1 for a row */
const pmf_xlsx_cell *pmf_xlsx_cells(const pmf_xlsx *x);
long pmf_xlsx_row(const pmf_xlsx *x);                 /* the sheet's row number (from 1) */
const char *pmf_xlsx_sheet(const pmf_xlsx *x);        /* the sheet being read */
const char *pmf_xlsx_name(const pmf_xlsx *x);         /* the name used in messages */
const char *pmf_xlsx_error(const pmf_xlsx *x);        /* "" when there was no error */

/* The callback flavour, for pipelines that take rows pushed to them: fn is called for each
 * row of the open sheet; returning non-zero stops the reading.  pmf_xlsx_each returns 0 at the
 * end of the sheet, -1 on a read error (pmf_xlsx_error), or fn's non-zero value. */
typedef int (*pmf_xlsx_row_fn)(void *ud, long row, const pmf_xlsx_cell *cells, size_t n);
int pmf_xlsx_each(pmf_xlsx *x, pmf_xlsx_row_fn fn, void *ud);

/* For the benchmark's floor: read a whole sheet (by name, or index from 0 when name is NULL)
 * without building rows: SCAN_INFLATE only inflates its part through libzip, SCAN_PARSE also
 * runs it through expat with no handlers, SCAN_ROWS reads its rows with pmf_xlsx_next.
 * Returns the bytes inflated (or rows read), or -1 with the message in pmf_xlsx_error.  The
 * sheet is closed afterwards (SCAN_ROWS: at its end, as pmf_xlsx_next leaves it). */
enum { PMF_XLSX_SCAN_INFLATE, PMF_XLSX_SCAN_PARSE, PMF_XLSX_SCAN_ROWS };
long long pmf_xlsx_scan(pmf_xlsx *x, const char *name, int index, int mode);

#endif
