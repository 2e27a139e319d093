/*
 * core/xlsx_spark.c: native Excel sparklines added to a closed workbook: A1 references, the
 * sparkline group XML and the rewrite of worksheet parts in the zip.  Pure C, no Lua; the
 * contract and the design decisions are in xlsx_spark.h.
 */
#include "xlsx_spark.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zip.h>

#define MAX_ROW 1048576u
#define MAX_COL 16384u

/* ---- references ---------------------------------------------------------------------- */

/* One cell "$D$5" at p: its 0-based row and column; returns the end, or NULL. */
static const char *parse_cell(const char *p, unsigned *row, unsigned *col) {
    unsigned c = 0, r = 0;
    int nl = 0, nd = 0;
    if (*p == '$') p++;
    for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
        if (++nl > 3) return NULL;
        c = c * 26 + (unsigned)((*p | 0x20) - 'a' + 1);
    }
    if (*p == '$') p++;
    if (*p == '0') return NULL;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++nd > 7) return NULL;
        r = r * 10 + (unsigned)(*p - '0');
    }
    if (nl == 0 || nd == 0 || c > MAX_COL || r > MAX_ROW) return NULL;
    *row = r - 1;
    *col = c - 1;
    return p;
}

int pmf_xlsx_parse_ref(const char *s, char *sheet, size_t cap, pmf_xlsx_area *a) {
    size_t n = 0;
    const char *bang;
    if (!s || cap == 0) return -1;
    sheet[0] = '\0';
    if (*s == '\'') {                                /* 'Q2 data'!  ('' is one quote) */
        const char *p = s + 1;
        for (;;) {
            if (*p == '\0') return -1;
            if (*p == '\'') {
                if (p[1] != '\'') break;
                p++;
            }
            if (n + 1 >= cap) return -1;
            sheet[n++] = *p++;
        }
        sheet[n] = '\0';
        if (n == 0 || p[1] != '!') return -1;
        s = p + 2;
    } else if ((bang = strchr(s, '!')) != NULL) {    /* Data! */
        n = (size_t)(bang - s);
        if (n == 0 || n >= cap || memchr(s, '\'', n)) return -1;
        memcpy(sheet, s, n);
        sheet[n] = '\0';
        s = bang + 1;
    }
    const char *p = parse_cell(s, &a->row0, &a->col0);
    if (!p) return -1;
    a->row1 = a->row0;
    a->col1 = a->col0;
    if (*p == ':') {
        p = parse_cell(p + 1, &a->row1, &a->col1);
        if (!p) return -1;
    }
    if (*p != '\0') return -1;
    if (a->row1 < a->row0) { unsigned t = a->row0; a->row0 = a->row1; a->row1 = t; }
    if (a->col1 < a->col0) { unsigned t = a->col0; a->col0 = a->col1; a->col1 = t; }
    return 0;
}

void pmf_xlsx_cell_name(unsigned row, unsigned col, char *out) {
    char letters[4];
    int n = 0, k = 0;
    unsigned c = col + 1;
    while (c > 0 && n < 3) {
        letters[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    while (n > 0) out[k++] = letters[--n];
    snprintf(out + k, 9, "%u", row + 1);
}

/* ---- the group's XML, into a fixed buffer -------------------------------------------- */

typedef struct { char *s; size_t cap, len; int over; } fixbuf;

static void put(fixbuf *b, const char *fmt, ...) {
    va_list ap;
    int n;
    if (b->over) return;
    va_start(ap, fmt);
    n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->len) b->over = 1;
    else b->len += (size_t)n;
}

/* A sheet name as a formula writes it ('Q2 data', a quote doubled), XML-escaped. */
static void put_sheet(fixbuf *b, const char *name) {
    put(b, "'");
    for (const char *p = name; *p; p++) {
        switch (*p) {
        case '\'': put(b, "''"); break;
        case '&':  put(b, "&amp;"); break;
        case '<':  put(b, "&lt;"); break;
        case '>':  put(b, "&gt;"); break;
        default:   put(b, "%c", *p);
        }
    }
    put(b, "'!");
}

/* The shortest decimal text that reads back as v. */
static void put_number(fixbuf *b, double v) {
    char t[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, v);
        if (strtod(t, NULL) == v) break;
    }
    put(b, "%s", t);
}

static void put_color(fixbuf *b, const char *elem, const char *rgb) {
    put(b, "<x14:%s rgb=\"FF%s\"/>", elem, rgb);
}

int pmf_xlsx_spark_group(char *out, size_t cap, const pmf_xlsx_spark_style *st,
                         const char *sheet, const pmf_xlsx_area *data, const pmf_xlsx_area *cell) {
    fixbuf b = { out, cap, 0, cap == 0 };
    char c0[16], c1[16], at[16];
    put(&b, "<x14:sparklineGroup");
    if (st->has_max) { put(&b, " manualMax=\""); put_number(&b, st->max); put(&b, "\""); }
    if (st->has_min) { put(&b, " manualMin=\""); put_number(&b, st->min); put(&b, "\""); }
    if (st->weight > 0) { put(&b, " lineWeight=\""); put_number(&b, st->weight); put(&b, "\""); }
    if (st->type && strcmp(st->type, "line") != 0) put(&b, " type=\"%s\"", st->type);
    put(&b, " displayEmptyCellsAs=\"%s\"", st->empty ? st->empty : "gap");
    if (st->markers) put(&b, " markers=\"1\"");
    if (st->high) put(&b, " high=\"1\"");
    if (st->low) put(&b, " low=\"1\"");
    if (st->first) put(&b, " first=\"1\"");
    if (st->last) put(&b, " last=\"1\"");
    if (st->negative) put(&b, " negative=\"1\"");
    if (st->axis) put(&b, " displayXAxis=\"1\"");
    if (st->has_min) put(&b, " minAxisType=\"custom\"");
    if (st->has_max) put(&b, " maxAxisType=\"custom\"");
    put(&b, ">");
    /* the schema's order: series, negative, axis, markers, first, last, high, low */
    put_color(&b, "colorSeries", "1F3A5F");
    put_color(&b, "colorNegative", "C00000");
    put_color(&b, "colorAxis", "000000");
    put_color(&b, "colorMarkers", "1F3A5F");
    put_color(&b, "colorFirst", "6B7F99");
    put_color(&b, "colorLast", "6B7F99");
    put_color(&b, "colorHigh", "C55A11");
    put_color(&b, "colorLow", "C55A11");
    pmf_xlsx_cell_name(data->row0, data->col0, c0);
    pmf_xlsx_cell_name(data->row1, data->col1, c1);
    pmf_xlsx_cell_name(cell->row0, cell->col0, at);
    put(&b, "<x14:sparklines><x14:sparkline><xm:f>");
    put_sheet(&b, sheet);
    put(&b, "%s:%s</xm:f><xm:sqref>%s</xm:sqref></x14:sparkline></x14:sparklines>"
             "</x14:sparklineGroup>", c0, c1, at);
    return b.over ? -1 : (int)b.len;
}

/* ---- rewriting the worksheet parts ----------------------------------------------------- */

#define NS_MC    "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define NS_X14AC "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
#define NS_X14   "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
#define NS_XM    "http://schemas.microsoft.com/office/excel/2006/main"
#define EXT_OPEN "<ext uri=\"{05C60535-1F16-4fd2-B633-F4F36F0B64E0}\" xmlns:x14=\"" NS_X14 "\">" \
                 "<x14:sparklineGroups xmlns:xm=\"" NS_XM "\">"
#define EXT_CLOSE "</x14:sparklineGroups></ext>"

static int fail(char *err, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* The last occurrence of needle in hay[0, n). */
static const char *find_last(const char *hay, size_t n, const char *needle) {
    size_t k = strlen(needle);
    if (k > n) return NULL;
    for (size_t i = n - k + 1; i-- > 0;)
        if (memcmp(hay + i, needle, k) == 0) return hay + i;
    return NULL;
}

/* Whether the attribute text [a, e) declares `name=` (preceded by a space). */
static int has_attr(const char *a, const char *e, const char *name) {
    size_t k = strlen(name);
    for (const char *p = a; p + k + 1 < e; p++)
        if ((*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') &&
            memcmp(p + 1, name, k) == 0 && p[1 + k] == '=') return 1;
    return 0;
}

/* The part's XML (xml, n bytes) with the groups added: a malloc'd buffer, its length in
 * *outlen; NULL with a message when the part is not a worksheet as libxlsxwriter writes it. */
static char *with_groups(const char *xml, size_t n, const char *g, size_t glen, size_t *outlen,
                         const char *part, char *err, size_t cap) {
    char decl[512] = "";
    const char *root = NULL, *rend, *wend;
    for (size_t i = 0; i + 10 < n; i++)
        if (memcmp(xml + i, "<worksheet", 10) == 0 && (xml[i + 10] == ' ' || xml[i + 10] == '>')) {
            root = xml + i;
            break;
        }
    if (!root || !(rend = memchr(root, '>', n - (size_t)(root - xml))) || rend[-1] == '/' ||
        !(wend = find_last(xml, n, "</worksheet>"))) {
        fail(err, cap, "%s is not a worksheet", part);
        return NULL;
    }
    if (!has_attr(root, rend, "xmlns:mc")) strcat(decl, " xmlns:mc=\"" NS_MC "\"");
    if (!has_attr(root, rend, "xmlns:x14ac")) strcat(decl, " xmlns:x14ac=\"" NS_X14AC "\"");
    if (!has_attr(root, rend, "mc:Ignorable")) strcat(decl, " mc:Ignorable=\"x14ac\"");
    /* a worksheet-level extLst ends just before </worksheet> */
    const char *q = wend;
    while (q > rend && (q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\r' || q[-1] == '\t')) q--;
    int has_ext = (size_t)(q - rend) >= 9 && memcmp(q - 9, "</extLst>", 9) == 0;
    const char *at = has_ext ? q - 9 : wend;
    const char *open = has_ext ? EXT_OPEN : "<extLst>" EXT_OPEN;
    const char *close = has_ext ? EXT_CLOSE : EXT_CLOSE "</extLst>";
    size_t dl = strlen(decl), ol = strlen(open), cl = strlen(close);
    size_t total = n + dl + ol + glen + cl;
    char *out = malloc(total ? total : 1), *o = out;
    if (!out) {
        fail(err, cap, "out of memory");
        return NULL;
    }
    size_t k = (size_t)(rend - xml);                   /* up to the root's '>' */
    memcpy(o, xml, k); o += k;
    memcpy(o, decl, dl); o += dl;
    k = (size_t)(at - rend);                            /* the root's '>' up to the insertion */
    memcpy(o, rend, k); o += k;
    memcpy(o, open, ol); o += ol;
    memcpy(o, g, glen); o += glen;
    memcpy(o, close, cl); o += cl;
    k = n - (size_t)(at - xml);                         /* the rest */
    memcpy(o, at, k); o += k;
    *outlen = (size_t)(o - out);
    return out;
}

/* Replaces one member with its text plus the groups, keeping its modification time. */
static int add_to_part(zip_t *za, const char *path, const char *part, const char *g,
                       size_t glen, char *err, size_t cap) {
    zip_stat_t st;
    zip_int64_t idx = zip_name_locate(za, part, 0);
    if (idx < 0) return fail(err, cap, "%s: the workbook has no part %s", path, part);
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
        return fail(err, cap, "%s: %s: %s", path, part, zip_strerror(za));
    char *xml = malloc(st.size ? st.size : 1);
    zip_file_t *zf = xml ? zip_fopen_index(za, (zip_uint64_t)idx, 0) : NULL;
    if (!zf) {
        free(xml);
        return fail(err, cap, "%s: %s: %s", path, part, xml ? zip_strerror(za) : "out of memory");
    }
    zip_int64_t got = zip_fread(zf, xml, st.size);
    zip_fclose(zf);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(xml);
        return fail(err, cap, "%s: %s: cannot read it back", path, part);
    }
    size_t outlen = 0;
    char msg[256];
    char *out = with_groups(xml, (size_t)st.size, g, glen, &outlen, part, msg, sizeof msg);
    free(xml);
    if (!out) return fail(err, cap, "%s: %s", path, msg);
    zip_source_t *src = zip_source_buffer(za, out, outlen, 1);   /* libzip frees out */
    if (!src) {
        free(out);
        return fail(err, cap, "%s: %s", path, zip_strerror(za));
    }
    if (zip_file_replace(za, (zip_uint64_t)idx, src, 0) < 0) {
        zip_source_free(src);
        return fail(err, cap, "%s: %s", path, zip_strerror(za));
    }
    if ((st.valid & ZIP_STAT_MTIME) && zip_file_set_mtime(za, (zip_uint64_t)idx, st.mtime, 0) < 0)
        return fail(err, cap, "%s: %s", path, zip_strerror(za));
    return 0;
}

int pmf_xlsx_add_sparklines(const char *path, int n, const char *const *parts,
                            const char *const *groups, const size_t *glen,
                            char *err, size_t errcap) {
    int ze = 0;
    if (n <= 0) return 0;
    zip_t *za = zip_open(path, 0, &ze);
    if (!za) {
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        fail(err, errcap, "%s: %s", path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (add_to_part(za, path, parts[i], groups[i], glen[i], err, errcap) < 0) {
            zip_discard(za);
            return -1;
        }
    if (zip_close(za) < 0) {
        fail(err, errcap, "%s: %s", path, zip_strerror(za));
        zip_discard(za);
        return -1;
    }
    return 0;
}
