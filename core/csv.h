/*
 * core/csv.h: the streaming CSV reader and strict number parsing used by `pmf import`.
 *
 * Pure C, no Lua.  The reader is the import's hot path, so it reads its source in fixed-size
 * chunks (64 KiB by default), parses each row in place in its own buffer and allocates nothing
 * per row or per field: the buffer and the field array grow only when a row is larger, or has
 * more fields, than any row before, and are then reused.  Memory is flat in the file's size.
 *
 * Dialect (RFC 4180, comma only):
 *   - fields are separated by ',' and rows end with LF or CR LF; the last row may or may not
 *     end with a line end;
 *   - a field may be enclosed in double quotes; inside quotes "" is one quote and commas, LF
 *     and CR are ordinary data (kept byte for byte, so a quoted CR LF stays CR LF);
 *   - a UTF-8 byte order mark (EF BB BF) at the very start of the input is skipped;
 *   - UTF-16 and UTF-32 input is refused at the start: "NAME is UTF-16; save it as UTF-8 (CSV
 *     UTF-8)" (a byte order mark FF FE or FE FF, or the first four bytes alternating NUL and
 *     non-NUL; "UTF-32" for FF FE 00 00 and 00 00 FE FF);
 *   - blank lines (no characters at all between two line ends) are skipped; a line holding
 *     only spaces is a row with one field, and a line holding "" is a row with one empty field;
 *   - nothing is trimmed: spaces around a field are part of it; bytes are not checked as
 *     UTF-8 and a NUL byte is data (the field's len counts it, the C string stops at it).
 * Errors (pmf_csv_next returns -1, pmf_csv_error says which, and the reader stays stopped):
 *   - "NAME:LINE:COL: unterminated quoted field (opened here)" when the input ends inside
 *     quotes, naming the line and column where the field's opening quote stands;
 *   - "NAME:LINE:COL: quote inside unquoted field N (...)" for a '"' that is not the field's
 *     first character;
 *   - "NAME:LINE:COL: unexpected 'x' after the closing quote of field N (...)";
 *   - "NAME:LINE:COL: carriage return not followed by a line feed (...)" for a bare CR outside
 *     quotes (old Mac line ends), except one CR just before the end of the input;
 *   - "NAME:LINE: row longer than N bytes (...)" past the row size limit, which also bounds
 *     the memory an unterminated quote in a large file can take;
 *   - read errors and running out of memory.
 * Messages are kept whole, however long the name they carry.
 * LINE is the physical line (1-based, the header counting as line 1, a LF ending a line) and
 * COL the 1-based byte offset in that line (the BOM is not counted).
 *
 * Ownership and lifetime: the reader owns everything it returns.  The field array and each
 * field's bytes live in the reader's buffers and stay valid until the next call to
 * pmf_csv_next or pmf_csv_close on that reader; each field is NUL-terminated at s[len].  Copy
 * what must outlive the row.  A reader is used by one thread at a time; several readers are
 * independent (there is no global state).
 *
 * Numbers: pmf_parse_number is strict, for validated import, and independent of the C locale.
 */
#ifndef PMF_CSV_H
#define PMF_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PMF_CSV_CHUNK   (64 * 1024)          /* default bytes per read */
#define PMF_CSV_MAXROW  (64 * 1024 * 1024)   /* default largest row, in bytes */

typedef struct pmf_csv pmf_csv;

typedef struct {
    const char *s;   /* NUL-terminated at s[len]; owned by the reader */
    size_t len;
} pmf_csv_field;

/* Open a reader on a file.  NULL with a message in err (if errlen > 0) when the file cannot be
 * opened, is a directory, or memory runs out.  The file's size is known for progress. */
pmf_csv *pmf_csv_open(const char *path, char *err, size_t errlen);
/* Read from an open descriptor (0 for stdin), which the reader does not close.  name is used
 * in messages ("<stdin>" if NULL); the size is known only for a regular file. */
pmf_csv *pmf_csv_open_fd(int fd, const char *name, char *err, size_t errlen);
/* Read from an open stdio stream with fread, which the reader does not close. */
pmf_csv *pmf_csv_open_file(FILE *f, const char *name, char *err, size_t errlen);
/* Read from memory that the caller keeps unchanged until pmf_csv_close.  NULL only when out of
 * memory.  name is used in messages ("<memory>" if NULL). */
pmf_csv *pmf_csv_open_mem(const char *buf, size_t len, const char *name);

/* Set the bytes read per chunk: at least 1 (tests use tiny ones); -1 for 0 or a NULL reader.
 * Set the largest row accepted, in bytes (0 keeps the current one); a longer row is an error.
 * Both may be called at any time and take effect from the next read. */
int pmf_csv_set_chunk(pmf_csv *c, size_t chunk);
void pmf_csv_set_max_row(pmf_csv *c, size_t max_row);

/* Advance to the next row: 1 a row is ready, 0 end of input, -1 error (see pmf_csv_error).
 * After 0 or -1, later calls return the same.  Invalidates the previous row's fields. */
int pmf_csv_next(pmf_csv *c);
size_t pmf_csv_nfields(const pmf_csv *c);           /* at least 1 for a row; 0 after 0/-1 */
const pmf_csv_field *pmf_csv_fields(const pmf_csv *c);
long pmf_csv_line(const pmf_csv *c);                /* physical line where the row began */
const char *pmf_csv_name(const pmf_csv *c);        /* the name used in messages */
const char *pmf_csv_error(const pmf_csv *c);       /* "" when there was no error */
int64_t pmf_csv_bytes_read(const pmf_csv *c);       /* bytes taken from the source so far */
int64_t pmf_csv_bytes_total(const pmf_csv *c);      /* -1 when unknown (a pipe) */
void pmf_csv_close(pmf_csv *c);                     /* NULL-safe */

/* pmf_parse_number's results. */
#define PMF_NUM_OK     0   /* *out holds a finite value */
#define PMF_NUM_EMPTY  1   /* nothing but spaces: a missing value, not a bad one */
#define PMF_NUM_BAD    2   /* not a number in the accepted form */
#define PMF_NUM_RANGE  3   /* a number, but too large for a double */

/* Parse s[0..len) (s need not be NUL-terminated) as a decimal number:
 *     [spaces] [+|-] digits [. [digits]] [(e|E) [+|-] digits] [spaces]
 * where the mantissa may also be ".digits", and digits before the point may instead be
 * grouped by commas in the exact form 1,234,567 (a first group of 1 to 3 digits not starting
 * with 0, then groups of exactly 3, no exponent): "1,234,567.89" is 1234567.89, and "1,5",
 * "12,34" and "1,234e3" are bad.  Spaces are ' ' and '\t'.  Rejected: hex, nan, inf, '%',
 * currency signs, any trailing junk.  A value too small for a double becomes 0 or a
 * subnormal, not an error.  *out is written only on PMF_NUM_OK. */
int pmf_parse_number(const char *s, size_t len, double *out);

#endif
