/*
 * tests/unit/test_csv.c: the CSV reader and pmf_parse_number.
 *
 * Reader cases are a table of input and the rows expected, written as one line per row:
 * "LINE:field|field|..." with \n, \r, \0, \\ and \| escaped inside fields, and a final
 * "ERR:message" when the input is rejected.  Every case is run from memory with chunk sizes
 * 1 to 16 and with the whole input in one chunk, so each field boundary, quote, CR LF and
 * BOM falls across a chunk boundary at every position.  Then: sources (file, fd, FILE*,
 * pipe), progress counts, 1 MB fields, many fields, the row size limit, number cases, UTF-16
 * and UTF-32 input refused, and an error message kept whole however long the file's name.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../core/csv.h"
#include "test.h"

/* test_streq on an array trips gcc's -Waddress ("always evaluates as true"): pass arrays
 * through this. */
static const char *str(const char *s) { return s; }

/* ---- serialising what the reader returns ---- */

typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        char *ns;
        while (b->len + n + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 256;
        ns = realloc(b->s, b->cap);
        if (ns == NULL) abort();
        b->s = ns;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* Every row of c as "LINE:f1|f2\n", then "ERR:msg" on an error.  Also checks that each field
 * is NUL-terminated at its length; a field that is not counts as a failure. */
static void dump(pmf_csv *c, sbuf *b) {
    int rc;
    char num[32];
    while ((rc = pmf_csv_next(c)) == 1) {
        const pmf_csv_field *f = pmf_csv_fields(c);
        size_t i, j, n = pmf_csv_nfields(c);
        snprintf(num, sizeof num, "%ld:", pmf_csv_line(c));
        sb_str(b, num);
        for (i = 0; i < n; i++) {
            if (i > 0) sb_str(b, "|");
            if (f[i].s[f[i].len] != '\0') sb_str(b, "<NOT TERMINATED>");
            for (j = 0; j < f[i].len; j++) {
                char ch = f[i].s[j];
                if (ch == '\n') sb_str(b, "\\n");
                else if (ch == '\r') sb_str(b, "\\r");
                else if (ch == '\0') sb_str(b, "\\0");
                else if (ch == '\\') sb_str(b, "\\\\");
                else if (ch == '|') sb_str(b, "\\|");
                else sb_add(b, &ch, 1);
            }
        }
        sb_str(b, "\n");
    }
    if (pmf_csv_nfields(c) != 0) sb_str(b, "<FIELDS AFTER END>");
    if (rc < 0) {
        sb_str(b, "ERR:");
        sb_str(b, pmf_csv_error(c));
    }
    /* once finished, a reader stays finished */
    if (pmf_csv_next(c) != rc) sb_str(b, "<NOT STICKY>");
}

/* Parse len bytes of in from memory with the given chunk (0: the default) into b. */
static void run_mem(const char *in, size_t len, size_t chunk, sbuf *b) {
    pmf_csv *c = pmf_csv_open_mem(in, len, "t.csv");
    b->len = 0;
    if (b->s) b->s[0] = '\0';
    if (chunk) pmf_csv_set_chunk(c, chunk);
    dump(c, b);
    pmf_csv_close(c);
}

/* ---- the dialect ---- */

typedef struct {
    const char *name, *in, *want;
} csv_case;

#define QUOTE_MSG " (quote the whole field and double the quote)"
#define CLOSE_MSG " (a quoted field must end at a comma or line end)"
#define CR_MSG    "carriage return not followed by a line feed (line ends must be LF or CR LF)"

static const csv_case cases[] = {
    /* RFC 4180 basics */
    {"simple rows",            "a,b,c\n1,2,3\n",            "1:a|b|c\n2:1|2|3\n"},
    {"no final newline",       "a,b\n1,2",                  "1:a|b\n2:1|2\n"},
    {"CR LF line ends",        "a,b\r\n1,2\r\n",            "1:a|b\n2:1|2\n"},
    {"CR LF, no final",        "a,b\r\n1,2",                "1:a|b\n2:1|2\n"},
    {"mixed line ends",        "a\r\nb\nc\r\n",             "1:a\n2:b\n3:c\n"},
    {"quoted fields",          "\"a\",\"b\"\n",             "1:a|b\n"},
    {"quoted comma",           "\"a,b\",c\n",               "1:a,b|c\n"},
    {"doubled quotes",         "\"he said \"\"hi\"\"\"\n",  "1:he said \"hi\"\n"},
    {"only a quote",           "\"\"\"\"\n",                "1:\"\n"},
    {"quote at both ends",     "\"\"\"x\"\"\",y\n",         "1:\"x\"|y\n"},
    {"embedded LF",            "\"x\ny\",z\nnext\n",        "1:x\\ny|z\n3:next\n"},
    {"embedded CR LF",         "\"x\r\ny\"\r\nq\r\n",       "1:x\\r\\ny\n3:q\n"},
    {"embedded CR",            "\"a\rb\"\n",                "1:a\\rb\n"},
    {"many embedded LF",       "h\n\"1\n2\n3\n\",x\nlast\n", "1:h\n2:1\\n2\\n3\\n|x\n6:last\n"},
    {"quoted then unquoted",   "a,\"b\",c\n",               "1:a|b|c\n"},
    {"quoted, no final LF",    "\"a\"",                     "1:a\n"},
    {"quoted, CR LF end",      "\"a\",\"b\"\r\n\"c\"\r\n",  "1:a|b\n2:c\n"},
    {"quoted CR at EOF",       "\"a\"\r",                   "1:a\n"},
    {"CR at EOF",              "a\r",                       "1:a\n"},
    /* empty things */
    {"empty input",            "",                          ""},
    {"only LF",                "\n",                        ""},
    {"only CR LF",             "\r\n",                      ""},
    {"only CR",                "\r",                        ""},
    {"empty fields",           ",,\n",                      "1:||\n"},
    {"trailing comma",         "a,\n",                      "1:a|\n"},
    {"trailing comma at EOF",  "a,",                        "1:a|\n"},
    {"comma only at EOF",      ",",                         "1:|\n"},
    {"empty quoted",           "\"\"\n",                    "1:\n"},
    {"empty quoted pair",      "\"\",\"\"\n",               "1:|\n"},
    {"empty quoted at EOF",    "a,\"\"",                    "1:a|\n"},
    {"blank lines skipped",    "\n\na\n\n\nb\n\n",          "3:a\n6:b\n"},
    {"blank CR LF lines",      "\r\n\r\na\r\n\r\nb",        "3:a\n5:b\n"},
    {"spaces kept",            " a , b \n",                 "1: a | b \n"},
    {"only spaces",            "   \n",                     "1:   \n"},
    {"ragged rows",            "a,b,c\n1\n2,3\n,,,,\n",     "1:a|b|c\n2:1\n3:2|3\n4:||||\n"},
    /* BOM */
    {"BOM",                    "\xEF\xBB\xBF" "a,b\n1,2\n", "1:a|b\n2:1|2\n"},
    {"BOM only",               "\xEF\xBB\xBF",              ""},
    {"BOM then blank",         "\xEF\xBB\xBF\nx\n",         "2:x\n"},
    {"BOM then quote",         "\xEF\xBB\xBF\"a\"\n",       "1:a\n"},
    {"BOM only at start",      "a\n\xEF\xBB\xBF" "b\n",     "1:a\n2:\xEF\xBB\xBF" "b\n"},
    {"half a BOM",             "\xEF\xBB",                  "1:\xEF\xBB\n"},
    {"UTF-8 data",             "caf\xC3\xA9,\xC2\xA3" "5\n", "1:caf\xC3\xA9|\xC2\xA3" "5\n"},
    {"backslash is data",      "a\\,b|c\n",                 "1:a\\\\|b\\|c\n"},
    /* errors, with line and column */
    {"unterminated quote",     "a,b\n\"open,\nmore\n",
     "1:a|b\nERR:t.csv:2:1: unterminated quoted field (opened here)"},
    {"unterminated mid-row",   "x,\"abc",
     "ERR:t.csv:1:3: unterminated quoted field (opened here)"},
    {"unterminated after \"\"", "h\nx,\"a\"\"",
     "1:h\nERR:t.csv:2:3: unterminated quoted field (opened here)"},
    {"quote in unquoted",      "a,b\ncd,e\"f\n",
     "1:a|b\nERR:t.csv:2:5: quote inside unquoted field 2" QUOTE_MSG},
    {"quote ending unquoted",  "ab\"\n",
     "ERR:t.csv:1:3: quote inside unquoted field 1" QUOTE_MSG},
    {"quote after spaces",     " \"a\"\n",
     "ERR:t.csv:1:2: quote inside unquoted field 1" QUOTE_MSG},
    {"junk after close",       "\"ab\"c,d\n",
     "ERR:t.csv:1:5: unexpected 'c' after the closing quote of field 1" CLOSE_MSG},
    {"space after close",      "x,\"ab\" ,d\n",
     "ERR:t.csv:1:7: unexpected ' ' after the closing quote of field 2" CLOSE_MSG},
    {"control after close",    "\"a\"\x01",
     "ERR:t.csv:1:4: unexpected 0x01 after the closing quote of field 1" CLOSE_MSG},
    {"bare CR",                "a\rb\n",
     "ERR:t.csv:1:2: " CR_MSG},
    {"bare CR at row start",   "a\n\rb\n",
     "1:a\nERR:t.csv:2:1: " CR_MSG},
    {"bare CR after quote",    "\"a\"\rb",
     "ERR:t.csv:1:4: " CR_MSG},
    {"column after BOM",       "\xEF\xBB\xBF" "a\"b\n",
     "ERR:t.csv:1:2: quote inside unquoted field 1" QUOTE_MSG},
    {"line after multi-line",  "\"a\nb\",c\"d\n",
     "ERR:t.csv:2:5: quote inside unquoted field 2" QUOTE_MSG},
    {"column after CR LF",     "x\r\nab,\"c\"d\r\n",
     "1:x\nERR:t.csv:2:7: unexpected 'd' after the closing quote of field 2" CLOSE_MSG},
};

static void test_cases(void) {
    sbuf got = {0};
    size_t i, chunk;
    char what[160];
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const csv_case *k = &cases[i];
        size_t len = strlen(k->in);
        run_mem(k->in, len, len + 1, &got);
        test_streq(k->name, got.s ? got.s : "", k->want);
        if (strcmp(got.s ? got.s : "", k->want) != 0)
            fprintf(stderr, "  case \"%s\":\n  got  [%s]\n  want [%s]\n",
                    k->name, got.s ? got.s : "", k->want);
        for (chunk = 1; chunk <= 16; chunk++) {
            run_mem(k->in, len, chunk, &got);
            snprintf(what, sizeof what, "%s, chunk %zu", k->name, chunk);
            test_streq(what, got.s ? got.s : "", k->want);
        }
    }
    free(got.s);
}

/* Inputs with NUL bytes, which the table's C strings cannot hold. */
static void test_nul_bytes(void) {
    static const char in[] = "a\0b,\"c\0\"\n\0\n";
    sbuf got = {0};
    size_t chunk;
    for (chunk = 1; chunk <= 8; chunk++) {
        run_mem(in, sizeof in - 1, chunk, &got);
        test_streq("NUL bytes are data", got.s, "1:a\\0b|c\\0\n2:\\0\n");
    }
    free(got.s);
}

/* ---- tricky inputs at every chunk boundary, against the whole-buffer result ---- */

static const char *const tricky[] = {
    "\xEF\xBB\xBF\"id\",\"na\"\"me\"\r\n1,\"a,\r\nb\"\r\n\r\n2,\"\"\"\"\r\n3,",
    "\"\"\"\",\"\",\"\"\"\"\"\",x\n\n\n\"\n\n\"\n,\n\"a\"\"\"",
    "metric_07,E08000027,2025-09,1234.5\nmetric_08,E08000028,2025-10,\"1,234.5\"\r\n",
    "a,b\n\"c\nd\",\"e\"\"f\"\ng\r\n\"unterminated,\nstill",
    "x,y\r\n\"ok\",\"bad\"z\n",
    "\r\n\r\n\n\"\r\"\r\n\r",
};

static void test_tricky(void) {
    sbuf whole = {0}, got = {0};
    size_t i, chunk;
    char what[64];
    for (i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        size_t len = strlen(tricky[i]);
        run_mem(tricky[i], len, len + 1, &whole);
        for (chunk = 1; chunk <= 16; chunk++) {
            run_mem(tricky[i], len, chunk, &got);
            snprintf(what, sizeof what, "tricky input %zu, chunk %zu", i, chunk);
            test_streq(what, got.s, whole.s);
        }
    }
    /* and what the whole-buffer results are */
    run_mem(tricky[0], strlen(tricky[0]), 0, &whole);
    test_streq("tricky 0", whole.s, "1:id|na\"me\n2:1|a,\\r\\nb\n5:2|\"\n6:3|\n");
    run_mem(tricky[3], strlen(tricky[3]), 0, &whole);
    test_streq("tricky 3", whole.s, "1:a|b\n2:c\\nd|e\"f\n4:g\n"
               "ERR:t.csv:5:1: unterminated quoted field (opened here)");
    run_mem(tricky[5], strlen(tricky[5]), 0, &whole);
    test_streq("tricky 5", whole.s, "4:\\r\n");
    free(whole.s);
    free(got.s);
}

/* ---- sources and progress ---- */

static char *write_temp(const char *data, size_t len, char *path) {
    int fd;
    strcpy(path, "/tmp/test_csv_XXXXXX");
    fd = mkstemp(path);
    if (fd < 0) return NULL;
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        return NULL;
    }
    close(fd);
    return path;
}

static void test_sources(void) {
    static const char data[] = "h1,h2\n1,\"x\"\n2,y";
    char path[64], err[256];
    sbuf got = {0};
    pmf_csv *c;
    FILE *f;
    int fds[2];

    test_cond("temp file written", write_temp(data, sizeof data - 1, path) != NULL);

    c = pmf_csv_open(path, err, sizeof err);
    test_cond("open a file", c != NULL);
    if (c == NULL) return;
    test_cond("size known", pmf_csv_bytes_total(c) == (int64_t)(sizeof data - 1));
    test_cond("nothing read yet", pmf_csv_bytes_read(c) == 0);
    test_streq("name is the path", pmf_csv_name(c), str(path));
    test_cond("first row", pmf_csv_next(c) == 1);
    test_cond("read at most a chunk", pmf_csv_bytes_read(c) > 0);
    dump(c, &got);
    test_streq("file rows", got.s, "2:1|x\n3:2|y\n");
    test_cond("all read", pmf_csv_bytes_read(c) == (int64_t)(sizeof data - 1));
    test_streq("no error", pmf_csv_error(c), "");
    pmf_csv_close(c);

    /* the file in 5-byte chunks: progress moves in steps */
    c = pmf_csv_open(path, err, sizeof err);
    pmf_csv_set_chunk(c, 5);
    test_cond("row 1 in chunks", pmf_csv_next(c) == 1 && pmf_csv_bytes_read(c) == 10);
    test_cond("row 2 in chunks", pmf_csv_next(c) == 1 && pmf_csv_bytes_read(c) == 15);
    pmf_csv_close(c);

    f = fopen(path, "rb");
    c = pmf_csv_open_file(f, "data.csv", err, sizeof err);
    got.len = 0;
    dump(c, &got);
    test_streq("FILE* rows", got.s, "1:h1|h2\n2:1|x\n3:2|y\n");
    test_cond("FILE* size", pmf_csv_bytes_total(c) == (int64_t)(sizeof data - 1));
    pmf_csv_close(c);
    test_cond("FILE* left open", fgetc(f) == EOF && !ferror(f));
    fclose(f);

    test_cond("pipe", pipe(fds) == 0);
    test_cond("pipe write", write(fds[1], "p,q\n\"r\"", 7) == 7);
    close(fds[1]);
    c = pmf_csv_open_fd(fds[0], NULL, err, sizeof err);
    test_cond("pipe size unknown", pmf_csv_bytes_total(c) == -1);
    test_streq("stdin name", pmf_csv_name(c), "<stdin>");
    got.len = 0;
    dump(c, &got);
    test_streq("pipe rows", got.s, "1:p|q\n2:r\n");
    pmf_csv_close(c);
    test_cond("fd left open", close(fds[0]) == 0);

    remove(path);
    err[0] = '\0';
    test_cond("missing file", pmf_csv_open(path, err, sizeof err) == NULL);
    test_cond("missing file message",
              strstr(err, "cannot open /tmp/test_csv_") == err &&
              strstr(err, ": No such file or directory") != NULL);
    test_cond("directory", pmf_csv_open("/tmp", err, sizeof err) == NULL);
    test_streq("directory message", str(err), "cannot read /tmp: is a directory");
    test_cond("NULL err is fine", pmf_csv_open("/nonexistent/x.csv", NULL, 0) == NULL);

    c = pmf_csv_open_mem("a", 1, NULL);
    test_streq("memory name", pmf_csv_name(c), "<memory>");
    test_cond("chunk 0 refused", pmf_csv_set_chunk(c, 0) == -1);
    pmf_csv_close(c);
    pmf_csv_close(NULL);
    test_cond("next on NULL", pmf_csv_next(NULL) == -1);
    free(got.s);
}

/* ---- big rows ---- */

static void test_long_fields(void) {
    const size_t n = 1024 * 1024;
    char *in = malloc(2 * n + 2 * (n / 777 + 1) + 64), *p = in;
    size_t i, len, chunk;
    static const size_t chunks[] = {0, 7, 4096};

    /* a 1 MB unquoted field, a 1 MB quoted one holding quotes and newlines, then a row */
    for (i = 0; i < n; i++) *p++ = (char)('a' + i % 26);
    *p++ = ',';
    *p++ = '"';
    for (i = 0; i < n - 4; i++) {
        char ch = (char)('a' + i % 26);
        if (i % 1000 == 0) ch = '\n';
        if (i % 777 == 0) {             /* a doubled quote: one quote in the field */
            *p++ = '"';
            *p++ = '"';
        }
        *p++ = ch;
    }
    *p++ = '"';
    memcpy(p, "\nnext,row\n", 10);
    p += 10;
    len = (size_t)(p - in);

    for (chunk = 0; chunk < 3; chunk++) {
        pmf_csv *c = pmf_csv_open_mem(in, len, "big.csv");
        const pmf_csv_field *f;
        int ok = 1;
        if (chunks[chunk]) pmf_csv_set_chunk(c, chunks[chunk]);
        test_cond("1 MB row", pmf_csv_next(c) == 1 && pmf_csv_nfields(c) == 2);
        f = pmf_csv_fields(c);
        test_cond("1 MB unquoted length", f[0].len == n);
        for (i = 0; i < n && ok; i++) ok = f[0].s[i] == (char)('a' + i % 26);
        test_cond("1 MB unquoted bytes", ok && f[0].s[n] == '\0');
        test_cond("1 MB quoted length", f[1].len == (n - 4) + (n - 4 + 776) / 777);
        p = (char *)f[1].s;
        for (i = 0; i < n - 4 && ok; i++) {
            char ch = (char)('a' + i % 26);
            if (i % 1000 == 0) ch = '\n';
            if (i % 777 == 0) ok = *p++ == '"';
            ok = ok && *p++ == ch;
        }
        test_cond("1 MB quoted bytes", ok && *p == '\0');
        test_cond("row after 1 MB", pmf_csv_next(c) == 1 && pmf_csv_line(c) == 1 + (long)((n - 4 + 999) / 1000) + 1);
        test_streq("row after 1 MB field", pmf_csv_fields(c)[1].s, "row");
        test_cond("end after 1 MB", pmf_csv_next(c) == 0);
        pmf_csv_close(c);
    }

    /* the row size limit */
    {
        pmf_csv *c = pmf_csv_open_mem(in, len, "big.csv");
        pmf_csv_set_max_row(c, 1000);
        test_cond("row limit", pmf_csv_next(c) == -1);
        test_streq("row limit message", pmf_csv_error(c),
                   "big.csv:1: row longer than 1000 bytes (an unterminated quote?)");
        pmf_csv_close(c);
        c = pmf_csv_open_mem("a,b\nccccccccccc\n", 16, "small.csv");
        pmf_csv_set_max_row(c, 10);
        test_cond("row under limit", pmf_csv_next(c) == 1);
        test_cond("row over limit in one chunk", pmf_csv_next(c) == -1);
        test_streq("row over limit message", pmf_csv_error(c),
                   "small.csv:2: row longer than 10 bytes (an unterminated quote?)");
        pmf_csv_close(c);
    }
    free(in);
}

static void test_many_fields(void) {
    const size_t n = 100000;
    char *in = malloc(n * 8 + 16), *p = in;
    size_t i, k;
    int ok = 1;
    for (i = 0; i < n; i++) p += sprintf(p, i % 2 ? "%zu," : "\"%zu\",", i);
    p[-1] = '\n';
    p += sprintf(p, "x\n");
    for (k = 0; k < 2; k++) {
        pmf_csv *c = pmf_csv_open_mem(in, (size_t)(p - in), NULL);
        const pmf_csv_field *f;
        if (k) pmf_csv_set_chunk(c, 3);
        test_cond("many fields row", pmf_csv_next(c) == 1 && pmf_csv_nfields(c) == n);
        f = pmf_csv_fields(c);
        for (i = 0; i < n && ok; i++) ok = (size_t)strtoul(f[i].s, NULL, 10) == i;
        test_cond("many fields values", ok);
        test_cond("then a short row", pmf_csv_next(c) == 1 && pmf_csv_nfields(c) == 1);
        test_streq("short row", pmf_csv_fields(c)[0].s, "x");
        pmf_csv_close(c);
    }
    free(in);
}

/* ---- numbers ---- */

typedef struct {
    const char *in;
    int rc;
    double v;
} num_case;

static const num_case nums[] = {
    {"0", PMF_NUM_OK, 0},                 {"42", PMF_NUM_OK, 42},
    {"-7", PMF_NUM_OK, -7},               {"+3.5", PMF_NUM_OK, 3.5},
    {" 12 ", PMF_NUM_OK, 12},             {"\t1.5\t", PMF_NUM_OK, 1.5},
    {"1.", PMF_NUM_OK, 1},                {".5", PMF_NUM_OK, 0.5},
    {"-.5", PMF_NUM_OK, -0.5},            {"0.1", PMF_NUM_OK, 0.1},
    {"1234.5", PMF_NUM_OK, 1234.5},       {"00012", PMF_NUM_OK, 12},
    {"0.000001", PMF_NUM_OK, 1e-6},       {"1e3", PMF_NUM_OK, 1000},
    {"1E-3", PMF_NUM_OK, 0.001},          {"2.5e+2", PMF_NUM_OK, 250},
    {"-0", PMF_NUM_OK, 0},                {"0e999999", PMF_NUM_OK, 0},
    {"1,234", PMF_NUM_OK, 1234},          {"123,456", PMF_NUM_OK, 123456},
    {"1,234,567.89", PMF_NUM_OK, 1234567.89},
    {"-1,234.5", PMF_NUM_OK, -1234.5},    {" +12,345,678 ", PMF_NUM_OK, 12345678},
    {"1,000,000,000,000,000,000", PMF_NUM_OK, 1e18},
    {"9007199254740993", PMF_NUM_OK, 9007199254740992.0},
    {"123456789012345678901234567890", PMF_NUM_OK, 1.2345678901234568e29},
    {"0.1234567890123456789", PMF_NUM_OK, 0.1234567890123456789},
    {"1e-400", PMF_NUM_OK, 0},            {"4.9e-324", PMF_NUM_OK, 4.9e-324},
    {"1.7976931348623157e308", PMF_NUM_OK, 1.7976931348623157e308},
    {"1e22", PMF_NUM_OK, 1e22},           {"1e23", PMF_NUM_OK, 1e23},
    {"123456789012345e-22", PMF_NUM_OK, 123456789012345e-22},
    {"", PMF_NUM_EMPTY, 0},               {"   ", PMF_NUM_EMPTY, 0},
    {"\t \t", PMF_NUM_EMPTY, 0},
    {"abc", PMF_NUM_BAD, 0},              {"nan", PMF_NUM_BAD, 0},
    {"NaN", PMF_NUM_BAD, 0},              {"inf", PMF_NUM_BAD, 0},
    {"-inf", PMF_NUM_BAD, 0},             {"Infinity", PMF_NUM_BAD, 0},
    {"0x10", PMF_NUM_BAD, 0},             {"0x1p3", PMF_NUM_BAD, 0},
    {"1.2.3", PMF_NUM_BAD, 0},            {"1e", PMF_NUM_BAD, 0},
    {"1e+", PMF_NUM_BAD, 0},              {"e5", PMF_NUM_BAD, 0},
    {".", PMF_NUM_BAD, 0},                {"-", PMF_NUM_BAD, 0},
    {"+", PMF_NUM_BAD, 0},                {"1 2", PMF_NUM_BAD, 0},
    {"12%", PMF_NUM_BAD, 0},              {"\xC2\xA3" "12", PMF_NUM_BAD, 0},
    {"1,5", PMF_NUM_BAD, 0},              {"12,34", PMF_NUM_BAD, 0},
    {"1,2345", PMF_NUM_BAD, 0},           {"1234,567", PMF_NUM_BAD, 0},
    {"0,123", PMF_NUM_BAD, 0},            {",123", PMF_NUM_BAD, 0},
    {"1,234e3", PMF_NUM_BAD, 0},          {"1,,234", PMF_NUM_BAD, 0},
    {"1,234,", PMF_NUM_BAD, 0},           {"1,234,56", PMF_NUM_BAD, 0},
    {"1,234.5.6", PMF_NUM_BAD, 0},        {"1e5.5", PMF_NUM_BAD, 0},
    {"--1", PMF_NUM_BAD, 0},              {"+-1", PMF_NUM_BAD, 0},
    {"- 1", PMF_NUM_BAD, 0},              {"1_000", PMF_NUM_BAD, 0},
    {"1d5", PMF_NUM_BAD, 0},              {"1.5f", PMF_NUM_BAD, 0},
    {"\n1", PMF_NUM_BAD, 0},              {"1\r", PMF_NUM_BAD, 0},
    {"\xEF\xBC\x91", PMF_NUM_BAD, 0},     {"1e309", PMF_NUM_RANGE, 0},
    {"-1e400", PMF_NUM_RANGE, 0},         {"1.8e308", PMF_NUM_RANGE, 0},
    {"1e99999999999999999999", PMF_NUM_RANGE, 0},
};

static void test_numbers(void) {
    size_t i;
    char what[96], big[600];
    double v;
    for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        int rc;
        v = -12345;
        rc = pmf_parse_number(nums[i].in, strlen(nums[i].in), &v);
        snprintf(what, sizeof what, "number \"%s\" result", nums[i].in);
        test_cond(what, rc == nums[i].rc);
        snprintf(what, sizeof what, "number \"%s\" value", nums[i].in);
        if (nums[i].rc == PMF_NUM_OK) test_cond(what, v == nums[i].v);
        else test_cond(what, v == -12345);   /* untouched */
    }
    test_cond("-0 keeps its sign",
              pmf_parse_number("-0", 2, &v) == PMF_NUM_OK && signbit(v));
    test_cond("not NUL-terminated",
              pmf_parse_number("123abc", 3, &v) == PMF_NUM_OK && v == 123);
    test_cond("length 0 of junk", pmf_parse_number("abc", 0, &v) == PMF_NUM_EMPTY);
    test_cond("NUL inside", pmf_parse_number("1\0" "2", 3, &v) == PMF_NUM_BAD);

    /* a long number goes past the stack copy */
    memset(big, '0', sizeof big);
    big[0] = '1';
    big[1] = '.';
    big[599] = '5';
    test_cond("long number", pmf_parse_number(big, sizeof big, &v) == PMF_NUM_OK && v == 1.0);
    memset(big, '9', 400);
    test_cond("400 digits", pmf_parse_number(big, 400, &v) == PMF_NUM_RANGE);
    memset(big, '9', 300);
    test_cond("300 digits", pmf_parse_number(big, 300, &v) == PMF_NUM_OK && v == 1e300);

    /* the fast path agrees with strtod bit for bit on many random decimals */
    {
        uint64_t x = 88172645463325252u;
        int bad = 0, n;
        for (n = 0; n < 200000; n++) {
            char s[64];
            double want, got = 0;
            int digits, point, len;
            uint64_t m;
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            digits = 1 + (int)(x % 17);
            m = (x >> 8) % 100000000000000000u;
            len = snprintf(s, sizeof s, "%0*llu", digits, (unsigned long long)(m % (uint64_t)pow(10, digits)));
            point = (int)((x >> 40) % (unsigned)(len + 1));
            memmove(s + point + 1, s + point, (size_t)len - (size_t)point + 1);
            s[point] = '.';
            len++;
            if ((x >> 50) % 3 == 0)
                len += snprintf(s + len, sizeof s - (size_t)len, "e%d", (int)((x >> 52) % 61) - 30);
            if (point == 0 && len == 1) continue;
            want = strtod(s, NULL);
            if (pmf_parse_number(s, (size_t)len, &got) != PMF_NUM_OK || got != want) {
                if (bad++ < 5) fprintf(stderr, "  mismatch on %s: %.17g vs %.17g\n", s, got, want);
            }
        }
        test_cond("fast path matches strtod", bad == 0);
    }
}

/* UTF-16 and UTF-32 input is refused at the start, with or without a byte order mark,
 * whatever the chunk size (the first four bytes may come one at a time). */
static void test_utf16(void) {
    static const struct { const char *name, *in; size_t len; const char *want; } k[] = {
        {"UTF-16 LE BOM", "\xFF\xFE" "a\0,\0b\0\n\0", 10, "ERR:t.csv: the file is UTF-16; save it as UTF-8 (CSV UTF-8)"},
        {"UTF-16 BE BOM", "\xFE\xFF" "\0a\0,\0b\0\n", 10, "ERR:t.csv: the file is UTF-16; save it as UTF-8 (CSV UTF-8)"},
        {"UTF-16 LE no BOM", "m\0e\0t\0\n\0", 8, "ERR:t.csv: the file is UTF-16; save it as UTF-8 (CSV UTF-8)"},
        {"UTF-16 BE no BOM", "\0m\0e\0t\0\n", 8, "ERR:t.csv: the file is UTF-16; save it as UTF-8 (CSV UTF-8)"},
        {"UTF-16 BOM alone", "\xFF\xFE", 2, "ERR:t.csv: the file is UTF-16; save it as UTF-8 (CSV UTF-8)"},
        {"UTF-32 LE BOM", "\xFF\xFE\0\0" "a\0\0\0", 8, "ERR:t.csv: the file is UTF-32; save it as UTF-8 (CSV UTF-8)"},
        {"a NUL later is data", "ab\0c\n", 5, "1:ab\\0c\n"},
    };
    sbuf got = {0};
    char what[160];
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        for (size_t chunk = 1; chunk <= 5; chunk++) {
            run_mem(k[i].in, k[i].len, chunk, &got);
            snprintf(what, sizeof what, "%s, chunk %zu", k[i].name, chunk);
            test_streq(what, got.s ? got.s : "", k[i].want);
        }
    free(got.s);
}

/* An error message is whole however long the name it carries. */
static void test_long_name(void) {
    char name[3000];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    pmf_csv *c = pmf_csv_open_mem("\"open", 5, name);
    test_cond("long name: the error is reported", pmf_csv_next(c) == -1);
    const char *e = pmf_csv_error(c);
    test_cond("long name: the whole name and the whole message",
              strncmp(e, name, sizeof name - 1) == 0 &&
              strcmp(e + sizeof name - 1, ":1:1: unterminated quoted field (opened here)") == 0);
    pmf_csv_close(c);
}

int main(void) {
    test_cases();
    test_nul_bytes();
    test_tricky();
    test_sources();
    test_long_fields();
    test_many_fields();
    test_numbers();
    test_utf16();
    test_long_name();
    return test_report("test_csv");
}
