/*
 * core/xlsx_read.c: opening an .xlsx workbook for the sheet reader (contract in xlsx_read.h;
 * the rows are streamed by xlsx_sheet.c).
 *
 * Layers: libzip opens the package and inflates one part at a time; expat parses each part
 * as it is inflated, in 64 KiB chunks taken from expat's own buffer (XML_GetBuffer, so no
 * copy).  Here the small parts are parsed whole by parse_part, each with its own handlers:
 * the package relationships (to find the workbook part), the workbook's relationships and
 * sheet list, the shared strings and the styles.
 *
 * Design decisions:
 * - Before libzip sees the file its first bytes are checked: an OLE compound file (D0 CF 11
 *   E0) is either an old .xls or an encrypted .xlsx (Office wraps those in OLE), told apart
 *   by the "EncryptedPackage" stream name stored in UTF-16 in the OLE directory.
 * - Element names are compared by their local part (after any "x:" prefix): some writers
 *   qualify every element, and expat's namespace mode would cost a string build per element.
 * - Shared strings are kept in one buffer, NUL-separated, with an offset per string: a sheet
 *   refers to them by number, so they must all be at hand; styles only as one byte per cell
 *   style saying whether it shows a date or a time.
 * - What is only needed while opening (relationships, number formats) is freed at the end of
 *   pmf_xlsx_open.
 */
#include "xlsx_internal.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* Short names for the helpers shared with xlsx_sheet.c (xlsx_internal.h). */
#define fail pmf_xlsx_fail
#define buf_add pmf_xlsx_buf_add
#define local pmf_xlsx_local
#define attr pmf_xlsx_attr

/* ---- small helpers ---- */

int pmf_xlsx_buf_add(buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap) cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) return -1;
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

static char *vfmt(const char *fmt, va_list ap) {
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

/* Record the first error (later ones are consequences); messages start with the name. */
int pmf_xlsx_fail(pmf_xlsx *x, const char *fmt, ...) {
    if (x->err) return -1;
    va_list ap;
    va_start(ap, fmt);
    char *msg = vfmt(fmt, ap);
    va_end(ap);
    free(x->err);
    x->err = msg ? msg : strdup("out of memory");
    if (x->p) XML_StopParser(x->p, XML_FALSE);
    x->state = -1;
    return -1;
}

const char *pmf_xlsx_local(const char *name) {
    const char *c = strchr(name, ':');
    return c ? c + 1 : name;
}

const char *pmf_xlsx_attr(const char **atts, const char *want) {
    for (; atts && *atts; atts += 2)
        if (strcmp(pmf_xlsx_local(atts[0]), want) == 0) return atts[1];
    return NULL;
}

/* ---- parsing a whole part ---- */

/* Stream the part through a fresh parser with these handlers; ud is the parser's user data.
 * Returns 0, or -1 with the error recorded.  A missing part is an error only if required. */
static int parse_part(pmf_xlsx *x, const char *part, int required, XML_StartElementHandler st,
                      XML_EndElementHandler en, XML_CharacterDataHandler ch) {
    zip_file_t *zf = zip_fopen(x->zip, part, 0);
    if (!zf) {
        if (!required && zip_name_locate(x->zip, part, 0) < 0) return 0;
        return fail(x, "%s: %s: %s", x->name, part, zip_strerror(x->zip));
    }
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (!p) { zip_fclose(zf); return fail(x, "%s: out of memory", x->name); }
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, st, en);
    XML_SetCharacterDataHandler(p, ch);
    x->p = p;
    int rc = 0;
    for (;;) {
        void *b = XML_GetBuffer(p, CHUNK);
        if (!b) { rc = fail(x, "%s: out of memory", x->name); break; }
        zip_int64_t n = zip_fread(zf, b, CHUNK);
        if (n < 0) { rc = fail(x, "%s: %s: %s", x->name, part, zip_file_strerror(zf)); break; }
        if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
            if (!x->err)
                fail(x, "%s: %s line %lu: %s", x->name, part,
                     (unsigned long)XML_GetCurrentLineNumber(p),
                     XML_ErrorString(XML_GetErrorCode(p)));
            rc = -1;
            break;
        }
        if (n == 0) break;
    }
    x->p = NULL;
    XML_ParserFree(p);
    zip_fclose(zf);
    return rc;
}

/* ---- relationships: Id -> part, resolved against the source part's folder ---- */

enum { REL_OTHER, REL_DOC, REL_SHEET, REL_CHART, REL_SST, REL_STYLES };

static int ends(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static void rel_start(void *ud, const char *el, const char **atts) {
    pmf_xlsx *x = ud;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    if (strcmp(local(el), "Relationship") != 0 || !id || !type || !target) return;
    buf path = {0};
    if (*target == '/') target++;
    else buf_add(&path, x->rels_base, strlen(x->rels_base));
    while (strncmp(target, "../", 3) == 0) {           /* up one folder */
        target += 3;
        size_t k = path.len > 1 ? path.len - 1 : 0;
        while (k > 0 && path.s[k - 1] != '/') k--;
        path.len = k;
    }
    rel *nr = realloc(x->rels, (x->nrels + 1) * sizeof *nr);
    if (!nr || buf_add(&path, target, strlen(target)) < 0) {
        free(path.s);
        if (nr) x->rels = nr;
        fail(x, "%s: out of memory", x->name);
        return;
    }
    x->rels = nr;
    rel *r = &x->rels[x->nrels++];
    r->id = strdup(id);
    r->part = path.s;
    if (!r->id) fail(x, "%s: out of memory", x->name);
    r->kind = ends(type, "/officeDocument") ? REL_DOC : ends(type, "/worksheet") ? REL_SHEET
            : ends(type, "/chartsheet") ? REL_CHART : ends(type, "/sharedStrings") ? REL_SST
            : ends(type, "/styles") ? REL_STYLES : REL_OTHER;
}

static void no_end(void *ud, const char *el) { (void)ud; (void)el; }
static void no_text(void *ud, const char *s, int n) { (void)ud; (void)s; (void)n; }

static void rels_free(pmf_xlsx *x) {
    for (size_t i = 0; i < x->nrels; i++) { free(x->rels[i].id); free(x->rels[i].part); }
    free(x->rels);
    x->rels = NULL;
    x->nrels = 0;
}

/* ---- workbook.xml: sheet names and relationship ids, the date system ---- */

static void wb_start(void *ud, const char *el, const char **atts) {
    pmf_xlsx *x = ud;
    const char *l = local(el);
    if (strcmp(l, "workbookPr") == 0) {
        const char *d = attr(atts, "date1904");
        x->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    } else if (strcmp(l, "sheet") == 0) {
        const char *name = attr(atts, "name"), *id = NULL;
        for (const char **a = atts; *a; a += 2)   /* r:id, whatever the prefix */
            if (strchr(a[0], ':') && strcmp(local(a[0]), "id") == 0) id = a[1];
        sheet_ref *ns = realloc(x->sheets, (size_t)(x->nsheets + 1) * sizeof *ns);
        if (!ns) { fail(x, "%s: out of memory", x->name); return; }
        x->sheets = ns;
        sheet_ref *s = &x->sheets[x->nsheets++];
        s->name = strdup(name ? name : "");
        s->part = NULL;
        s->chart = 0;
        if (!s->name) { fail(x, "%s: out of memory", x->name); return; }
        for (size_t i = 0; id && i < x->nrels; i++)
            if (strcmp(x->rels[i].id, id) == 0) {
                s->part = strdup(x->rels[i].part);
                s->chart = x->rels[i].kind == REL_CHART;
            }
    }
}

/* ---- sharedStrings.xml: <si> items, text of <t> runs outside <rPh> ---- */

static void sst_start(void *ud, const char *el, const char **atts) {
    pmf_xlsx *x = ud;
    const char *l = local(el);
    (void)atts;
    if (strcmp(l, "si") == 0) {
        if (x->nsst == x->sst_cap) {
            size_t cap = x->sst_cap ? x->sst_cap * 2 : 1024;
            size_t *no = realloc(x->sst_off, cap * sizeof *no);
            if (!no) { fail(x, "%s: out of memory", x->name); return; }
            x->sst_off = no;
            x->sst_cap = cap;
        }
        x->sst_off[x->nsst++] = x->sst.len;
    } else if (strcmp(l, "rPh") == 0) x->in_rph = 1;
    else if (strcmp(l, "t") == 0 && !x->in_rph) x->gather = IN_T;
}

static void sst_end(void *ud, const char *el) {
    pmf_xlsx *x = ud;
    const char *l = local(el);
    if (strcmp(l, "si") == 0) {
        if (buf_add(&x->sst, "", 1) < 0) fail(x, "%s: out of memory", x->name);
    } else if (strcmp(l, "rPh") == 0) x->in_rph = 0;
    else if (strcmp(l, "t") == 0) x->gather = IN_NONE;
}

static void sst_text(void *ud, const char *s, int n) {
    pmf_xlsx *x = ud;
    if (x->gather == IN_T && x->nsst && buf_add(&x->sst, s, (size_t)n) < 0)
        fail(x, "%s: out of memory", x->name);
}

/* ---- styles.xml: which cell styles (cellXfs) show a date or time ---- */

/* Built-in ids 14-22 and 45-47; a custom format by its codes outside quotes, brackets and
 * escapes: y, d or a month 'm' make a date, h or s alone a time. */
static int format_kind(unsigned id, const char *code) {
    if (!code) return (id >= 14 && id <= 17) || id == 22 ? 1 : (id >= 18 && id <= 21) ||
                      (id >= 45 && id <= 47) ? 2 : 0;
    int date = 0, time = 0;
    for (const char *c = code; *c; c++) {
        if (*c == '"') { while (c[1] && c[1] != '"') c++; if (c[1]) c++; }
        else if (*c == '[') { while (c[1] && c[1] != ']') c++; if (c[1]) c++; }
        else if (*c == '\\' || *c == '_' || *c == '*') { if (c[1]) c++; }
        else if (strchr("yYdD", *c)) date = 1;
        else if (strchr("hHsS", *c)) time = 1;
        else if (*c == 'm' || *c == 'M') date |= !time;   /* mm after h is minutes */
    }
    return date ? 1 : time ? 2 : 0;
}


static void sty_start(void *ud, const char *el, const char **atts) {
    pmf_xlsx *x = ud;
    const char *l = local(el);
    if (strcmp(l, "numFmt") == 0 && !x->in_xfs) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        void *nf = realloc(x->fmts, (x->nfmts + 1) * sizeof *x->fmts);
        if (!nf || !id) { if (nf) x->fmts = nf; return; }
        x->fmts = nf;
        x->fmts[x->nfmts].id = (unsigned)strtoul(id, NULL, 10);
        x->fmts[x->nfmts++].code = strdup(code ? code : "");
    } else if (strcmp(l, "cellXfs") == 0) x->in_xfs = 1;
    else if (strcmp(l, "xf") == 0 && x->in_xfs) {
        const char *id = attr(atts, "numFmtId");
        unsigned fid = id ? (unsigned)strtoul(id, NULL, 10) : 0;
        const char *code = NULL;
        for (size_t i = 0; i < x->nfmts; i++) if (x->fmts[i].id == fid) code = x->fmts[i].code;
        char kind = (char)format_kind(fid, code);
        if (buf_add(&x->xf_date, &kind, 1) < 0) fail(x, "%s: out of memory", x->name);
    }
}

static void sty_end(void *ud, const char *el) {
    pmf_xlsx *x = ud;
    if (strcmp(local(el), "cellXfs") == 0) x->in_xfs = 0;
}

/* ---- opening ---- */

/* An OLE compound file: an encrypted xlsx holds a stream named EncryptedPackage (its name is
 * stored in UTF-16 in the OLE directory); anything else in OLE is taken for an old .xls. */
static void ole_error(pmf_xlsx *x, FILE *f) {
    static const char pat[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
    enum { PAT = sizeof pat - 1 };
    char *b = malloc(CHUNK + PAT);
    size_t keep = 0, n;
    if (!b) { fail(x, "%s: out of memory", x->name); return; }
    rewind(f);
    while ((n = fread(b + keep, 1, CHUNK, f)) > 0) {
        for (size_t i = 0; i + PAT <= keep + n; i++)
            if (memcmp(b + i, pat, PAT) == 0) {
                fail(x, "%s: encrypted (password-protected) workbook: remove the password in "
                     "Excel first", x->name);
                free(b);
                return;
            }
        size_t tail = keep + n < PAT ? keep + n : PAT;   /* a name across two chunks */
        memmove(b, b + keep + n - tail, tail);
        keep = tail;
    }
    free(b);
    fail(x, "%s: an old binary Excel workbook (.xls): save it as .xlsx (Excel Workbook) first",
         x->name);
}

static int check_magic(pmf_xlsx *x, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return fail(x, "%s: %s", x->name, strerror(errno));
    unsigned char m[8];
    size_t n = fread(m, 1, sizeof m, f);
    if (n == 0 && ferror(f)) fail(x, "%s: %s", x->name, strerror(errno));   /* a folder */
    else if (n == 0) fail(x, "%s: the file is empty, not an xlsx workbook", x->name);
    else if (n == 8 && memcmp(m, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) ole_error(x, f);
    fclose(f);
    return x->err ? -1 : 0;
}

/* The workbook's relationships, names, shared strings and styles. */
static void read_workbook(pmf_xlsx *x, const char *doc) {
    const char *file = strrchr(doc, '/');
    size_t dirlen = file ? (size_t)(file - doc) + 1 : 0;
    file = file ? file + 1 : doc;
    char *dir = malloc(dirlen + 1), *wbrels = malloc(strlen(doc) + 16);
    if (!dir || !wbrels) {
        fail(x, "%s: out of memory", x->name);
    } else {
        memcpy(dir, doc, dirlen);
        dir[dirlen] = '\0';
        sprintf(wbrels, "%s_rels/%s.rels", dir, file);
        rels_free(x);
        x->rels_base = dir;
        if (parse_part(x, wbrels, 1, rel_start, no_end, no_text) == 0 &&
            parse_part(x, doc, 1, wb_start, no_end, no_text) == 0) {
            for (size_t i = 0; i < x->nrels && !x->err; i++) {
                if (x->rels[i].kind == REL_SST)
                    parse_part(x, x->rels[i].part, 0, sst_start, sst_end, sst_text);
                else if (x->rels[i].kind == REL_STYLES)
                    parse_part(x, x->rels[i].part, 0, sty_start, sty_end, no_text);
            }
        }
    }
    for (size_t i = 0; i < x->nfmts; i++) free(x->fmts[i].code);
    free(x->fmts);
    x->fmts = NULL;
    x->nfmts = 0;
    free(dir);
    free(wbrels);
}

int pmf_xlsx_open(const char *path, pmf_xlsx **out) {
    pmf_xlsx *x = *out = calloc(1, sizeof *x);
    if (!x) return -1;
    if (!(x->name = strdup(path))) return fail(x, "out of memory");
    if (check_magic(x, path) < 0) return -1;
    int ze = 0;
    x->zip = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!x->zip) {
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        if (ze == ZIP_ER_NOZIP)   /* no zip directory at the end: not a zip, or cut short */
            fail(x, "%s: not an xlsx workbook (not a zip archive, or one cut short)", x->name);
        else
            fail(x, "%s: not an xlsx workbook (damaged zip archive: %s)", x->name,
                 zip_error_strerror(&e));
        zip_error_fini(&e);
        return -1;
    }
    x->rels_base = "";
    const char *doc = NULL;                           /* borrowed from x->rels */
    char *own = NULL;
    if (parse_part(x, "_rels/.rels", 0, rel_start, no_end, no_text) == 0) {
        for (size_t i = 0; i < x->nrels; i++)
            if (x->rels[i].kind == REL_DOC) doc = x->rels[i].part;
        if (!doc && zip_name_locate(x->zip, "content.xml", 0) >= 0)
            fail(x, "%s: an OpenDocument spreadsheet (.ods): save it as .xlsx (Excel Workbook) "
                 "first", x->name);
        else if (!doc || zip_name_locate(x->zip, doc, 0) < 0)
            fail(x, "%s: not an xlsx workbook (a zip archive without a workbook part)", x->name);
        else if (ends(doc, ".bin"))
            fail(x, "%s: an Excel binary workbook (.xlsb): save it as .xlsx (Excel Workbook) "
                 "first", x->name);
        else if (!(own = strdup(doc)))                /* read_workbook frees the rels */
            fail(x, "%s: out of memory", x->name);
        else
            read_workbook(x, own);
    }
    free(own);
    rels_free(x);
    return x->err ? -1 : 0;
}

int pmf_xlsx_nsheets(const pmf_xlsx *x) { return x->nsheets; }

const char *pmf_xlsx_sheet_name(const pmf_xlsx *x, int i) {
    return i >= 0 && i < x->nsheets ? x->sheets[i].name : NULL;
}

const char *pmf_xlsx_name(const pmf_xlsx *x) { return x->name; }
const char *pmf_xlsx_error(const pmf_xlsx *x) { return x->err ? x->err : ""; }
const char *pmf_xlsx_sheet(const pmf_xlsx *x) { return x->sheet ? x->sheet : ""; }
long pmf_xlsx_row(const pmf_xlsx *x) { return x->row; }
size_t pmf_xlsx_nfields(const pmf_xlsx *x) { return x->state == 1 ? x->ncells : 0; }
const pmf_xlsx_cell *pmf_xlsx_cells(const pmf_xlsx *x) { return x->cells; }

void pmf_xlsx_close(pmf_xlsx *x) {
    if (!x) return;
    pmf_xlsx_end_sheet(x);
    if (x->zip) zip_discard(x->zip);
    for (int i = 0; i < x->nsheets; i++) { free(x->sheets[i].name); free(x->sheets[i].part); }
    free(x->sheets);
    rels_free(x);
    free(x->sst.s);
    free(x->sst_off);
    free(x->xf_date.s);
    free(x->val.s);
    free(x->rowbuf.s);
    free(x->cells);
    free(x->offs);
    free(x->err);
    free(x->name);
    free(x);
}
