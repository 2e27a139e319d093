/*
 * store_area.c: the area resolver (see store_area.h for its promises).
 *
 * Design decisions:
 * - The key function is the one normalisation of area names: the reference loader stores
 *   keys made by it (through the SQL function pmf_area_key), the resolver and `pmf areas
 *   --search` compare keys made by it, and tests/tools/area_aliases.lua checks with it that
 *   no key names two areas at once.
 * - The snapshot copies what it needs into one block per table (areas sorted by code,
 *   aliases sorted by kind and key), so a lookup is two binary searches and no SQL: an
 *   import resolves every row for the cost of a few string compares.
 * - When a code was in force comes from area_successor: a former code until its `ended`,
 *   a successor from the day after its predecessors ended.  Codes never replaced and never
 *   replacing are in force always.
 * - Suggestions for an unknown name: the keys within an edit distance of a quarter of the
 *   name's length (at least 2), then keys sharing most of its words, best first, three at
 *   most, each shown as the area's own name and code.
 */
#include "store_area.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct area_rec {
    int64_t id;
    char *code, *name, *kind, *successors, *ended;
    int32_t from, to;           /* months in force (inclusive); INT32 limits when open */
} area_rec;

typedef struct alias_rec {
    char *key;
    int kind;                   /* 0 name, 1 LA number */
    size_t area;                /* index into areas */
} alias_rec;

struct pmf_areas {
    area_rec *areas;            /* sorted by code */
    size_t nareas;
    alias_rec *aliases;         /* sorted by (kind, key, area) */
    size_t naliases;
};

static void errorf(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- keys ---- */

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Words dropped from the end of a key, longest first where one ends another. */
static const char *const suffixes[] = {
    " metropolitan borough council", " metropolitan borough", " county borough council",
    " county borough", " borough council", " district council", " county council",
    " city council", " council", " mbc", " borough", " district", " county", " city", NULL
};

size_t pmf_area_key(const char *text, char *out, size_t n) {
    size_t k = 0;
    int space = 1;              /* drop leading spaces and runs */
    if (!n) return 0;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        int c = *p;
        if (c == 0xE2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99)) {  /* ' and ' */
            p += 2;
            continue;
        }
        if (c == '\'' || c == '`') continue;
        const char *put = NULL;
        char one[2] = {0, 0};
        if (c == '&') put = " and ";
        else if (c == '-' || c == ',' || c == '.' || c == '(' || c == ')' || c == '/'
                 || c == ';' || c == ':' || c == '"' || is_space(c)) put = " ";
        else {
            one[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            put = one;
        }
        for (; *put; put++) {
            if (*put == ' ') {
                if (space) continue;
                space = 1;
            } else {
                space = 0;
            }
            if (k + 1 < n) out[k++] = *put;
        }
    }
    while (k > 0 && out[k - 1] == ' ') k--;
    out[k] = '\0';
    /* trailing words, as long as one word is left */
    for (int again = 1; again;) {
        again = 0;
        for (int i = 0; suffixes[i]; i++) {
            size_t sl = strlen(suffixes[i]);
            if (k > sl && strcmp(out + k - sl, suffixes[i]) == 0) {
                k -= sl;
                out[k] = '\0';
                again = 1;
                break;
            }
        }
    }
    return k;
}

static void sql_area_key(sqlite3_context *cx, int argc, sqlite3_value **argv) {
    (void)argc;
    const unsigned char *t = sqlite3_value_text(argv[0]);
    if (!t) {
        sqlite3_result_null(cx);
        return;
    }
    char key[PMF_AREA_KEY_MAX];
    size_t k = pmf_area_key((const char *)t, key, sizeof key);
    sqlite3_result_text(cx, key, (int)k, SQLITE_TRANSIENT);
}

int pmf_area_register_sql(sqlite3 *db) {
    return sqlite3_create_function(db, "pmf_area_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   NULL, sql_area_key, NULL, NULL);
}

/* ---- loading ---- */

static char *dup(const unsigned char *s) {
    const char *t = s ? (const char *)s : "";
    size_t n = strlen(t) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, t, n);
    return d;
}

static int cmp_area(const void *a, const void *b) {
    return strcmp(((const area_rec *)a)->code, ((const area_rec *)b)->code);
}

static int cmp_alias(const void *a, const void *b) {
    const alias_rec *x = a, *y = b;
    if (x->kind != y->kind) return x->kind - y->kind;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->area < y->area ? -1 : x->area > y->area;
}

static size_t find_code(const pmf_areas *a, const char *code) {
    size_t lo = 0, hi = a->nareas;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(a->areas[mid].code, code);
        if (c == 0) return mid;
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return (size_t)-1;
}

/* "2019-03-31" -> the month index of that month; -1 if it does not read. */
static int32_t month_of(const char *date) {
    int y, m;
    if (!date || sscanf(date, "%d-%d", &y, &m) != 2 || m < 1 || m > 12) return -1;
    return (int32_t)y * 12 + m - 1;
}

void pmf_areas_free(pmf_areas *a) {
    if (!a) return;
    for (size_t i = 0; i < a->nareas; i++) {
        area_rec *r = &a->areas[i];
        free(r->code), free(r->name), free(r->kind), free(r->successors), free(r->ended);
    }
    for (size_t i = 0; i < a->naliases; i++) free(a->aliases[i].key);
    free(a->areas);
    free(a->aliases);
    free(a);
}

static int count(sqlite3 *db, const char *sql, size_t *n) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *n = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

pmf_areas *pmf_areas_load(pmf_store *s, char *err, size_t errlen) {
    sqlite3 *db = pmf_store_db(s);
    sqlite3_stmt *st = NULL;
    pmf_areas *a = calloc(1, sizeof *a);
    size_t na = 0, nal = 0;
    if (!a) goto oom;
    if (count(db, "SELECT count(*) FROM area", &na) || count(db, "SELECT count(*) FROM area_alias", &nal))
        goto sqlfail;
    a->areas = calloc(na ? na : 1, sizeof *a->areas);
    a->aliases = calloc(nal ? nal : 1, sizeof *a->aliases);
    if (!a->areas || !a->aliases) goto oom;
    /* Areas with their successors (space-separated) and the day they ended. */
    if (sqlite3_prepare_v2(db,
            "SELECT a.id, a.code, a.name, a.kind,"
            "  (SELECT group_concat(code, ' ') FROM (SELECT n.code FROM area_successor x"
            "     JOIN area n ON n.id = x.successor WHERE x.area = a.id ORDER BY n.code)),"
            "  (SELECT max(ended) FROM area_successor WHERE area = a.id),"
            "  (SELECT min(ended) FROM area_successor WHERE successor = a.id)"
            " FROM area a", -1, &st, NULL) != SQLITE_OK)
        goto sqlfail;
    while (a->nareas < na && sqlite3_step(st) == SQLITE_ROW) {
        area_rec *r = &a->areas[a->nareas++];
        r->id = sqlite3_column_int64(st, 0);
        r->code = dup(sqlite3_column_text(st, 1));
        r->name = dup(sqlite3_column_text(st, 2));
        r->kind = dup(sqlite3_column_text(st, 3));
        r->successors = dup(sqlite3_column_text(st, 4));
        r->ended = dup(sqlite3_column_text(st, 5));
        if (!r->code || !r->name || !r->kind || !r->successors || !r->ended) goto oom;
        int32_t end = month_of(r->ended), began = month_of((const char *)sqlite3_column_text(st, 6));
        r->to = end >= 0 ? end : INT32_MAX;
        r->from = began >= 0 ? began + 1 : INT32_MIN;
    }
    sqlite3_finalize(st);
    st = NULL;
    qsort(a->areas, a->nareas, sizeof *a->areas, cmp_area);
    if (sqlite3_prepare_v2(db,
            "SELECT x.key, x.kind = 'la_number', a.code FROM area_alias x JOIN area a ON a.id = x.area",
            -1, &st, NULL) != SQLITE_OK)
        goto sqlfail;
    while (a->naliases < nal && sqlite3_step(st) == SQLITE_ROW) {
        size_t at = find_code(a, (const char *)sqlite3_column_text(st, 2));
        if (at == (size_t)-1) continue;
        alias_rec *r = &a->aliases[a->naliases];
        if (!(r->key = dup(sqlite3_column_text(st, 0)))) goto oom;
        r->kind = sqlite3_column_int(st, 1);
        r->area = at;
        a->naliases++;
    }
    sqlite3_finalize(st);
    qsort(a->aliases, a->naliases, sizeof *a->aliases, cmp_alias);
    return a;
sqlfail:
    errorf(err, errlen, "loading areas: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    pmf_areas_free(a);
    return NULL;
oom:
    errorf(err, errlen, "out of memory loading areas");
    sqlite3_finalize(st);
    pmf_areas_free(a);
    return NULL;
}

/* ---- resolving ---- */

static void fill(const pmf_areas *a, size_t i, const char *how, pmf_area_hit *out) {
    const area_rec *r = &a->areas[i];
    out->id = r->id;
    out->code = r->code;
    out->name = r->name;
    out->kind = r->kind;
    out->matched_by = how;
    out->successors = r->successors;
    out->ended = r->ended;
}

/* The first alias of (kind, key), or naliases. */
static size_t first_alias(const pmf_areas *a, int kind, const char *key) {
    size_t lo = 0, hi = a->naliases;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const alias_rec *r = &a->aliases[mid];
        int c = r->kind != kind ? r->kind - kind : strcmp(r->key, key);
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* Appends text to the message buffer (cutting only at the buffer's end). */
static void append(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    size_t k = strlen(err);
    if (k + 1 >= errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + k, errlen - k, fmt, ap);
    va_end(ap);
}

static void describe(const area_rec *r, char *err, size_t errlen) {
    append(err, errlen, "%s (%s, %s", r->name, r->code, r->kind);
    if (r->from != INT32_MIN)
        append(err, errlen, ", from %04d-%02d", (int)(r->from / 12), (int)(r->from % 12) + 1);
    if (*r->ended) append(err, errlen, ", ended %s", r->ended);
    append(err, errlen, ")");
}

/* Candidates for (kind, key): the only one, or the one in force during months at_month ..
 * last (inclusive) -> 0; none -> 1; several -> -1 with the message written. */
static int pick(const pmf_areas *a, int kind, const char *key, int32_t at_month, int32_t last,
                const char *shown, size_t *found, char *err, size_t errlen) {
    size_t i = first_alias(a, kind, key), n = 0, in_force = 0, pick_all = 0, pick_now = 0;
    for (size_t j = i; j < a->naliases && a->aliases[j].kind == kind && !strcmp(a->aliases[j].key, key); j++) {
        if (j > i && a->aliases[j].area == a->aliases[j - 1].area) continue;
        const area_rec *r = &a->areas[a->aliases[j].area];
        n++;
        pick_all = a->aliases[j].area;
        if (at_month >= 0 && r->from <= last && at_month <= r->to) in_force++, pick_now = a->aliases[j].area;
    }
    if (n == 0) return 1;
    if (n == 1) { *found = pick_all; return 0; }
    if (in_force == 1) { *found = pick_now; return 0; }
    errorf(err, errlen, "'%s' is ambiguous: ", shown);
    size_t m = 0;
    for (size_t j = i; j < a->naliases && a->aliases[j].kind == kind && !strcmp(a->aliases[j].key, key); j++) {
        if (j > i && a->aliases[j].area == a->aliases[j - 1].area) continue;
        if (m++) append(err, errlen, " or ");
        describe(&a->areas[a->aliases[j].area], err, errlen);
    }
    append(err, errlen, "; give the code%s", at_month < 0 ? " or the period" : "");
    return -1;
}

/* Edit distance, giving up (returning limit + 1) once every path exceeds limit. */
static int distance(const char *s, const char *t, int limit) {
    int ls = (int)strlen(s), lt = (int)strlen(t), row[PMF_AREA_KEY_MAX + 1];
    if (ls > PMF_AREA_KEY_MAX || lt > PMF_AREA_KEY_MAX) return limit + 1;
    if (abs(ls - lt) > limit) return limit + 1;
    for (int j = 0; j <= lt; j++) row[j] = j;
    for (int i = 1; i <= ls; i++) {
        int prev = row[0], best;
        row[0] = best = i;
        for (int j = 1; j <= lt; j++) {
            int cur = row[j];
            int v = prev + (s[i - 1] != t[j - 1]);
            if (row[j] + 1 < v) v = row[j] + 1;
            if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
            if (v < best) best = v;
        }
        if (best > limit) return limit + 1;
    }
    return row[lt];
}

/* Words of key b that are in key a, over the words of both (0-100); at least 50 when b has
 * every word of a ("newcastle" in "newcastle upon tyne"). */
static int overlap(const char *a, const char *b) {
    int shared = 0, na = 0, nb = 0;
    char wa[PMF_AREA_KEY_MAX + 2];
    wa[0] = ' ';
    size_t la = strlen(a) < PMF_AREA_KEY_MAX - 1 ? strlen(a) : PMF_AREA_KEY_MAX - 1;
    memcpy(wa + 1, a, la);
    wa[la + 1] = ' ';
    wa[la + 2] = '\0';
    for (const char *p = a; *p; p++) if (*p != ' ' && (p == a || p[-1] == ' ')) na++;
    for (const char *p = b; *p; p++) {
        if (*p == ' ' || (p > b && p[-1] != ' ')) continue;
        size_t len = strcspn(p, " ");
        char w[PMF_AREA_KEY_MAX + 2];
        if (len + 3 > sizeof w) continue;
        w[0] = ' ';
        memcpy(w + 1, p, len);
        w[len + 1] = ' ';
        w[len + 2] = '\0';
        nb++;
        if (strstr(wa, w)) shared++;
    }
    if (shared == na && na > 0) return 50 + 50 * shared / nb;   /* every word given is there */
    return na + nb - shared > 0 ? 100 * shared / (na + nb - shared) : 0;
}

static void suggest(const pmf_areas *a, const char *key, char *err, size_t errlen) {
    enum { N = 3 };
    size_t best[N];
    int score[N], nbest = 0, len = (int)strlen(key);
    int limit = len / 4 > 2 ? len / 4 : 2;
    if (!*key) return;
    for (size_t i = 0; i < a->naliases; i++) {
        const alias_rec *r = &a->aliases[i];
        if (r->kind != 0) continue;
        int d = distance(key, r->key, limit), sc;
        if (d <= limit) sc = 1000 - d;                  /* near spellings first */
        else if ((sc = overlap(key, r->key)) < 50) continue;
        int dupl = 0;
        for (int k = 0; k < nbest; k++)
            if (best[k] == r->area) {
                if (sc > score[k]) score[k] = sc;
                dupl = 1;
            }
        if (dupl) continue;
        if (nbest < N) { best[nbest] = r->area; score[nbest++] = sc; }
        else {
            int worst = 0;
            for (int k = 1; k < N; k++) if (score[k] < score[worst]) worst = k;
            if (sc > score[worst]) best[worst] = r->area, score[worst] = sc;
        }
    }
    for (int k = 1; k < nbest; k++)                     /* best first */
        for (int j = k; j > 0 && score[j] > score[j - 1]; j--) {
            int ts = score[j]; score[j] = score[j - 1]; score[j - 1] = ts;
            size_t tb = best[j]; best[j] = best[j - 1]; best[j - 1] = tb;
        }
    for (int k = 0; k < nbest; k++)
        append(err, errlen, "%s'%s' (%s)", k == 0 ? "; did you mean " : " or ",
               a->areas[best[k]].name, a->areas[best[k]].code);
    if (nbest) append(err, errlen, "?");
}

static int looks_like_code(const char *t, size_t n) {
    if (n != 9 || !((t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z'))) return 0;
    for (size_t i = 1; i < n; i++) if (t[i] < '0' || t[i] > '9') return 0;
    return 1;
}

static int all_digits(const char *t, size_t n) {
    if (!n) return 0;
    for (size_t i = 0; i < n; i++) if (t[i] < '0' || t[i] > '9') return 0;
    return 1;
}

int pmf_area_resolve(const pmf_areas *a, const char *text, pmf_area_by by, int32_t at_month,
                     int32_t months, pmf_area_hit *out, char *err, size_t errlen) {
    char shown[PMF_AREA_KEY_MAX], key[PMF_AREA_KEY_MAX];
    size_t b = 0, e, found = 0;
    int32_t last = at_month + (months > 1 ? months - 1 : 0);
    if (err && errlen) err[0] = '\0';
    if (!text) text = "";
    e = strlen(text);
    while (b < e && is_space((unsigned char)text[b])) b++;
    while (e > b && is_space((unsigned char)text[e - 1])) e--;
    snprintf(shown, sizeof shown, "%.*s", (int)(e - b), text + b);
    size_t n = strlen(shown);
    if (!n) {
        errorf(err, errlen, "empty area");
        return -1;
    }
    if (by == PMF_AREA_BY_CODE || (by == PMF_AREA_BY_ANY && looks_like_code(shown, n))) {
        char code[PMF_AREA_KEY_MAX];
        for (size_t i = 0; i <= n; i++)
            code[i] = (char)(shown[i] >= 'a' && shown[i] <= 'z' ? shown[i] - 32 : shown[i]);
        size_t i = find_code(a, code);
        if (i != (size_t)-1) {
            fill(a, i, "code", out);
            return 0;
        }
        errorf(err, errlen, "unknown area code '%s'", shown);
        return -1;
    }
    if (by == PMF_AREA_BY_LA_NUMBER || (by == PMF_AREA_BY_ANY && all_digits(shown, n))) {
        int rc = pick(a, 1, shown, at_month, last, shown, &found, err, errlen);
        if (rc == 0) fill(a, found, "la_number", out);
        else if (rc == 1) errorf(err, errlen, "unknown DfE LA number '%s'", shown);
        return rc == 0 ? 0 : rc == 1 ? -1 : -2;
    }
    pmf_area_key(shown, key, sizeof key);
    int rc = pick(a, 0, key, at_month, last, shown, &found, err, errlen);
    if (rc == 0) {
        fill(a, found, "name", out);
        return 0;
    }
    if (rc == 1) {
        errorf(err, errlen, "unknown area '%s'", shown);
        suggest(a, key, err, errlen);
        return -1;
    }
    return -2;
}
