/*
 * core/xlsx_sheet.c: streaming one sheet's rows (contract in xlsx_read.h).
 *
 * pmf_xlsx_next feeds expat 64 KiB of the inflated sheet part at a time; the handlers build
 * the current row and, at </row>, suspend the parser (XML_StopParser resumable), so the call
 * returns with the row ready and the rest of the chunk still in expat's buffer.  The next call
 * resumes the parser before feeding more.  A range whose last row has passed aborts the parse.
 *
 * Hot loop: per cell, the text of <v> (or of an inline string's <t> runs) is gathered in
 * x->val, converted at </c> (shared string looked up, number checked, date formatted) and
 * appended, NUL included, to x->rowbuf; cells keep their offset in x->offs until the row
 * ends, when their pointers are set.  Both buffers and the cell array are reused from row to
 * row and grow only for a bigger row: no allocation per cell.
 *
 * Dates: a serial number counts days from 1899-12-30 (from 1899-12-31 before serial 60, since
 * the 1900 system counts a 29 February 1900 that never was), or from 1904-01-01 in the 1904
 * system; the fraction is the time of day, rounded to the second.
 */
#include "xlsx_internal.h"
#include "calendar.h"   /* day numbers */
#include "csv.h"   /* pmf_parse_number */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Short names for the helpers shared with xlsx_read.c (xlsx_internal.h). */
#define fail pmf_xlsx_fail
#define local pmf_xlsx_local
#define attr pmf_xlsx_attr

/* "A" -> 1, "AB" -> 28; 0 if there are no letters or the column is past XFD.  *end is set
 * past the letters. */
static int col_number(const char *s, const char **end) {
    int col = 0;
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
        col = col * 26 + ((*s | 0x20) - 'a' + 1);
        if (col > PMF_XLSX_MAXCOL) { col = 0; break; }
        s++;
    }
    while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) s++;
    if (end) *end = s;
    return col;
}

/* The cell reference "C17" for messages. */
static const char *cell_ref(int col, long row, char *out) {
    char letters[8];
    int n = 0;
    for (; col > 0; col = (col - 1) / 26) letters[n++] = (char)('A' + (col - 1) % 26);
    int k = 0;
    while (n > 0) out[k++] = letters[--n];
    sprintf(out + k, "%ld", row);
    return out;
}

/* Format serial v of a date (kind 1) or time (kind 2) style into out as ISO 8601; NULL with
 * the reason in why when v is no date. */
static const char *iso_date(const pmf_xlsx *x, double v, int kind, char *out, const char **why) {
    if (!(v >= 0) || v >= 2958466) { *why = "is outside the dates Excel can show"; return NULL; }
    double whole = floor(v);
    long secs = lround((v - whole) * 86400.0), day = (long)whole;
    if (secs == 86400) { day++; secs = 0; }
    if (kind == 2 && v < 1) {
        sprintf(out, "%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
        return out;
    }
    if (x->date1904) day += (long)pmf_days_from_civil(1904, 1, 1);
    else if (day == 60) { *why = "is 29 February 1900, a day that never was"; return NULL; }
    else day += (long)pmf_days_from_civil(1899, 12, day < 60 ? 31 : 30);
    int64_t y;
    int m, d;
    pmf_civil_from_days(day, &y, &m, &d);
    int n = sprintf(out, "%04d-%02d-%02d", (int)y, m, d);
    if (secs) sprintf(out + n, "T%02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
    return out;
}

/* Make room for cell n (the array and the offsets grow together). */
static int cells_room(pmf_xlsx *x) {
    if (x->ncells < x->cells_cap) return 0;
    size_t cap = x->cells_cap ? x->cells_cap * 2 : 64;
    pmf_xlsx_cell *nc = realloc(x->cells, cap * sizeof *nc);
    if (nc) x->cells = nc;
    size_t *no = nc ? realloc(x->offs, cap * sizeof *no) : NULL;
    if (!no) return fail(x, "%s: out of memory", x->name);
    x->offs = no;
    x->cells_cap = cap;
    return 0;
}

/* Append the converted value of the cell just closed as field x->col - first_col. */
static void finish_cell(pmf_xlsx *x) {
    char ref[24], iso[32];
    size_t idx = (size_t)(x->col - x->range.first_col);
    if (idx < x->ncells) {
        fail(x, "%s: sheet '%s' cell %s: comes after a cell to its right in the same row",
             x->name, x->sheet, cell_ref(x->col, x->row, ref));
        return;
    }
    while (x->ncells < idx) {                         /* the gap: empty fields */
        if (cells_room(x) < 0) return;
        x->cells[x->ncells] = (pmf_xlsx_cell){"", 0, PMF_XLSX_EMPTY, 0};
        x->offs[x->ncells++] = (size_t)-1;
    }
    const char *s = x->val.s ? x->val.s : "", *why = NULL;
    size_t len = x->val.len;
    pmf_xlsx_cell c = {NULL, 0, PMF_XLSX_STRING, 0};
    switch (x->ctype) {
    case 's': {
        char *end;
        unsigned long i = strtoul(s, &end, 10);
        if (len == 0 || *end || i >= x->nsst) {
            fail(x, "%s: sheet '%s' cell %s: shared string %s does not exist (the workbook "
                 "has %zu)", x->name, x->sheet, cell_ref(x->col, x->row, ref), s, x->nsst);
            return;
        }
        s = x->sst.s + x->sst_off[i];
        len = (i + 1 < x->nsst ? x->sst_off[i + 1] : x->sst.len) - x->sst_off[i] - 1;
        break;
    }
    case 'b':
        if (len != 1 || (*s != '0' && *s != '1')) { why = "is not a boolean (0 or 1)"; break; }
        c.type = PMF_XLSX_BOOL;
        c.num = *s == '1';
        s = c.num ? "TRUE" : "FALSE";
        len = strlen(s);
        break;
    case 'e': c.type = PMF_XLSX_ERROR; break;
    case 'd': c.type = PMF_XLSX_DATE; break;
    case 'n':
        if (pmf_parse_number(s, len, &c.num) != PMF_NUM_OK) { why = "is not a number"; break; }
        c.type = PMF_XLSX_NUMBER;
        if (x->style < x->xf_date.len && x->xf_date.s[x->style]) {
            c.type = PMF_XLSX_DATE;
            s = iso_date(x, c.num, x->xf_date.s[x->style], iso, &why);
            len = s ? strlen(s) : 0;
        }
        break;
    default: break;                                   /* inline and formula strings */
    }
    if (why) {
        fail(x, "%s: sheet '%s' cell %s: '%s' %s", x->name, x->sheet,
             cell_ref(x->col, x->row, ref), x->val.s ? x->val.s : "", why);
        return;
    }
    if (cells_room(x) < 0) return;
    x->offs[x->ncells] = x->rowbuf.len;
    if (pmf_xlsx_buf_add(&x->rowbuf, s, len) < 0) { fail(x, "%s: out of memory", x->name); return; }
    x->rowbuf.len++;                                  /* keep the NUL */
    c.len = len;
    x->cells[x->ncells++] = c;
}

static void sheet_start(void *ud, const char *el, const char **atts) {
    pmf_xlsx *x = ud;
    const char *l = local(el);
    if (l[0] == 'c' && l[1] == '\0') {
        const char *r = NULL, *t = NULL, *s = NULL;
        for (; *atts; atts += 2) {
            const char *a = local(atts[0]);
            if (a[0] && !a[1]) {
                if (*a == 'r') r = atts[1];
                else if (*a == 't') t = atts[1];
                else if (*a == 's') s = atts[1];
            }
        }
        int col = r ? col_number(r, NULL) : x->col + 1;
        if (col == 0 || col > PMF_XLSX_MAXCOL) {
            fail(x, "%s: sheet '%s' row %ld: '%s' is not a cell reference", x->name, x->sheet,
                 x->row, r ? r : "");
            return;
        }
        x->col = col;
        x->ctype = !t ? 'n' : strcmp(t, "inlineStr") == 0 ? 'i' : strcmp(t, "str") == 0 ? 'f'
                 : t[0];
        x->style = s ? (unsigned)strtoul(s, NULL, 10) : 0;
        x->has_value = 0;
        x->val.len = 0;
        if (x->val.s) x->val.s[0] = '\0';
    } else if (l[0] == 'v' && l[1] == '\0') {
        x->gather = IN_V;
    } else if (strcmp(l, "row") == 0) {
        const char *r = attr(atts, "r");
        x->row = r ? strtol(r, NULL, 10) : x->prev_row + 1;
        x->col = 0;
        x->ncells = 0;
        x->rowbuf.len = 0;
        x->skip_row = x->row < x->range.first_row;
        if (x->range.last_row && x->row > x->range.last_row) {
            x->state = 2;
            XML_StopParser(x->p, XML_FALSE);
        }
    } else if (strcmp(l, "is") == 0) {
        x->in_is = 1;
    } else if (x->in_is && strcmp(l, "rPh") == 0) {
        x->in_rph = 1;
    } else if (x->in_is && !x->in_rph && l[0] == 't' && l[1] == '\0') {
        x->gather = IN_T;
    }
}

static void sheet_end(void *ud, const char *el) {
    pmf_xlsx *x = ud;
    const char *l = local(el);
    if (l[0] == 'c' && l[1] == '\0') {
        if (x->has_value && !x->skip_row && x->col >= x->range.first_col &&
            (!x->range.last_col || x->col <= x->range.last_col))
            finish_cell(x);
    } else if ((l[0] == 'v' || l[0] == 't') && l[1] == '\0') {
        if (x->gather != IN_NONE) x->has_value = 1;
        x->gather = IN_NONE;
    } else if (strcmp(l, "row") == 0) {
        x->prev_row = x->row;
        if (x->ncells > 0 && x->state == 0) {
            for (size_t i = 0; i < x->ncells; i++)
                if (x->offs[i] != (size_t)-1) x->cells[i].s = x->rowbuf.s + x->offs[i];
            x->state = 1;
            XML_StopParser(x->p, XML_TRUE);
        }
    } else if (strcmp(l, "is") == 0) {
        x->in_is = 0;
    } else if (strcmp(l, "rPh") == 0) {
        x->in_rph = 0;
    }
}

static void sheet_text(void *ud, const char *s, int n) {
    pmf_xlsx *x = ud;
    if (x->gather != IN_NONE && pmf_xlsx_buf_add(&x->val, s, (size_t)n) < 0)
        fail(x, "%s: out of memory", x->name);
}

void pmf_xlsx_end_sheet(pmf_xlsx *x) {
    if (x->p) XML_ParserFree(x->p);
    if (x->zf) zip_fclose(x->zf);
    x->p = NULL;
    x->zf = NULL;
    x->sheet = x->part = NULL;
    x->ncells = 0;
}

int pmf_xlsx_open_sheet(pmf_xlsx *x, const char *name, int index, const pmf_xlsx_range *range) {
    pmf_xlsx_end_sheet(x);
    if (!x->zip) return -1;                           /* the workbook did not open */
    free(x->err);
    x->err = NULL;
    int i = name ? 0 : index;
    if (name) while (i < x->nsheets && strcmp(x->sheets[i].name, name) != 0) i++;
    if (i < 0 || i >= x->nsheets) {
        buf list = {0};
        for (int k = 0; k < x->nsheets; k++) {
            pmf_xlsx_buf_add(&list, k ? ", '" : "'", k ? 3 : 1);
            pmf_xlsx_buf_add(&list, x->sheets[k].name, strlen(x->sheets[k].name));
            pmf_xlsx_buf_add(&list, "'", 1);
        }
        if (name) fail(x, "%s: no sheet '%s' (the sheets are %s)", x->name, name,
                       list.s ? list.s : "none");
        else fail(x, "%s: no sheet number %d (the workbook has %d: %s)", x->name, index + 1,
                  x->nsheets, list.s ? list.s : "none");
        free(list.s);
        return -1;
    }
    x->sheet = x->sheets[i].name;
    x->part = x->sheets[i].part;
    if (x->sheets[i].chart || !x->part)
        return fail(x, "%s: sheet '%s' is %s", x->name, x->sheet,
                    x->part ? "a chart, not a worksheet" : "missing from the workbook's parts");
    if (!(x->zf = zip_fopen(x->zip, x->part, 0)))
        return fail(x, "%s: sheet '%s' (%s): %s", x->name, x->sheet, x->part,
                    zip_strerror(x->zip));
    if (!(x->p = XML_ParserCreate("UTF-8"))) return fail(x, "%s: out of memory", x->name);
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, sheet_start, sheet_end);
    XML_SetCharacterDataHandler(x->p, sheet_text);
    x->range = range ? *range : (pmf_xlsx_range){1, 0, 1, 0};
    if (x->range.first_row < 1) x->range.first_row = 1;
    if (x->range.first_col < 1) x->range.first_col = 1;
    x->state = 0;
    x->fed_last = x->in_is = x->in_rph = 0;
    x->gather = IN_NONE;
    x->row = x->prev_row = 0;
    return 0;
}

/* After a parse call: 1 a row is ready, 0 go on feeding or the end, -1 an error. */
static int after(pmf_xlsx *x, enum XML_Status st) {
    if (st == XML_STATUS_SUSPENDED) return 1;
    if (st == XML_STATUS_ERROR && x->state != 2 && !x->err)
        fail(x, "%s: sheet '%s' (%s) line %lu: %s", x->name, x->sheet, x->part,
             (unsigned long)XML_GetCurrentLineNumber(x->p), XML_ErrorString(XML_GetErrorCode(x->p)));
    if (x->err) return -1;
    return 0;
}

int pmf_xlsx_next(pmf_xlsx *x) {
    if (x->err) return -1;
    if (!x->p || x->state == 2) return 0;
    if (x->state == 1) {
        x->state = 0;
        int r = after(x, XML_ResumeParser(x->p));
        if (r != 0) return r;
    }
    while (x->state == 0 && !x->fed_last) {
        void *b = XML_GetBuffer(x->p, CHUNK);
        if (!b) return fail(x, "%s: out of memory", x->name);
        zip_int64_t n = zip_fread(x->zf, b, CHUNK);
        if (n < 0)
            return fail(x, "%s: sheet '%s' (%s): %s", x->name, x->sheet, x->part,
                        zip_file_strerror(x->zf));
        x->fed_last = n == 0;
        int r = after(x, XML_ParseBuffer(x->p, (int)n, n == 0));
        if (r != 0) return r;
    }
    x->state = 2;
    return 0;
}

long long pmf_xlsx_scan(pmf_xlsx *x, const char *name, int index, int mode) {
    if (pmf_xlsx_open_sheet(x, name, index, NULL) < 0) return -1;
    long long count = 0;
    if (mode == PMF_XLSX_SCAN_ROWS) {
        int r;
        while ((r = pmf_xlsx_next(x)) == 1) count++;
        return r < 0 ? -1 : count;
    }
    XML_SetElementHandler(x->p, NULL, NULL);
    XML_SetCharacterDataHandler(x->p, NULL);
    for (;;) {
        void *b = XML_GetBuffer(x->p, CHUNK);
        zip_int64_t n = b ? zip_fread(x->zf, b, CHUNK) : -1;
        if (n < 0) return fail(x, "%s: sheet '%s': read error", x->name, x->sheet);
        count += n;
        if (mode == PMF_XLSX_SCAN_PARSE && XML_ParseBuffer(x->p, (int)n, n == 0) != XML_STATUS_OK)
            return fail(x, "%s: sheet '%s': %s", x->name, x->sheet,
                        XML_ErrorString(XML_GetErrorCode(x->p)));
        if (n == 0) break;
    }
    pmf_xlsx_end_sheet(x);
    return count;
}

int pmf_xlsx_each(pmf_xlsx *x, pmf_xlsx_row_fn fn, void *ud) {
    int r;
    while ((r = pmf_xlsx_next(x)) == 1) {
        int stop = fn(ud, x->row, x->cells, x->ncells);
        if (stop) return stop;
    }
    return r;
}

/* One end of a range: [letters][digits]; either may be missing. */
static const char *range_end(const char *s, int *col, long *row) {
    const char *p;
    *col = col_number(s, &p);
    if (p != s && *col == 0) return NULL;
    *row = 0;
    while (*p >= '0' && *p <= '9') {
        *row = *row * 10 + (*p++ - '0');
        if (*row > 1048576) return NULL;
    }
    return p;
}

int pmf_xlsx_parse_range(const char *text, pmf_xlsx_range *r, char *err, size_t errlen) {
    const char *p = range_end(text, &r->first_col, &r->first_row);
    int ok = p && p != text;
    if (ok && *p == ':') {
        const char *q = range_end(p + 1, &r->last_col, &r->last_row);
        ok = q && q != p + 1 && *q == '\0';
    } else if (ok) {
        ok = *p == '\0' && r->first_col && r->first_row;
        r->last_col = r->first_col;
        r->last_row = r->first_row;
    }
    if (ok && ((r->last_row && r->last_row < r->first_row) ||
               (r->last_col && r->last_col < r->first_col)))
        ok = 0;
    if (!ok && errlen)
        snprintf(err, errlen, "range '%.40s' is not of the form A5:Z900 (or A5:Z, C:F, B3)", text);
    if (r->first_col == 0) r->first_col = 1;
    if (r->first_row == 0) r->first_row = 1;
    return ok ? 0 : -1;
}
