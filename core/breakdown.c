/*
 * core/breakdown.c: imported text checked as UTF-8, and breakdowns normalised (see
 * breakdown.h for the rules).
 *
 * Design decisions:
 * - One normaliser, in C, for every path that names a breakdown (import, observe, get,
 *   history), so that what a user types finds what a file stored.
 * - The key is case-folded, the value is not: values such as ward codes and ethnic groups
 *   have spellings of their own.  Case still never splits a figure, because a value is
 *   matched to the spelling already stored for the metric (ASCII case-insensitively, the
 *   same folding as SQLite's NOCASE): the first spelling stored is the canonical one.
 * - Nothing is allocated: the output is never longer than the input, and the caller gives
 *   the room.
 */
#include "breakdown.h"

#include <string.h>

size_t pmf_text_check(const char *s, size_t len, const char **why) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c == 0) {
            if (why) *why = "a NUL byte";
            return i;
        }
        if (c < 0x80) { i++; continue; }
        size_t n;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; min = 0x80; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; min = 0x800; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; min = 0x10000; }
        else goto bad;
        if (len - i <= n) goto bad;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto bad;
        i += n + 1;
    }
    return len;
bad:
    if (why) *why = "invalid UTF-8";
    return i;
}

static int blank(char c) { return c == ' ' || c == '\t'; }
static int alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int digit(char c) { return c >= '0' && c <= '9'; }

int pmf_breakdown_normalise(const char *s, size_t len, char *out, size_t *outlen, size_t *at,
                            const char **why) {
    size_t a = 0, b = len, bad;
    const char *what = "";
    *outlen = 0;
    out[0] = '\0';
    if ((bad = pmf_text_check(s, len, &what)) != len) {
        *at = bad;
        *why = strcmp(what, "a NUL byte") == 0 ? "contains a NUL byte" : "is not valid UTF-8";
        return -1;
    }
    while (a < b && blank(s[a])) a++;
    while (b > a && blank(s[b - 1])) b--;
    if (a == b) return 0;                                   /* no breakdown */
    for (size_t i = a; i < b; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            *at = i;
            *why = "contains a control character";
            return -1;
        }
    const char *eq = memchr(s + a, '=', b - a);
    if (!eq) {
        *at = a;
        *why = "is not key=value (e.g. sex=F)";
        return -1;
    }
    size_t e = (size_t)(eq - s), ka = a, kb = e, va = e + 1, vb = b;
    while (kb > ka && blank(s[kb - 1])) kb--;
    while (va < vb && blank(s[va])) va++;
    if (ka == kb) { *at = a; *why = "has an empty key (key=value, e.g. sex=F)"; return -1; }
    if (va == vb) { *at = e; *why = "has an empty value (key=value, e.g. sex=F)"; return -1; }
    if (!alpha(s[ka])) {
        *at = ka;
        *why = "has a key that does not start with a letter";
        return -1;
    }
    for (size_t i = ka; i < kb; i++)
        if (!alpha(s[i]) && !digit(s[i]) && s[i] != '_') {
            *at = i;
            *why = "has a key with a character other than letters, digits and '_'";
            return -1;
        }
    const char *eq2 = memchr(s + va, '=', vb - va);
    if (eq2) {
        *at = (size_t)(eq2 - s);
        *why = "has a second '=' (one key=value per figure)";
        return -1;
    }
    size_t n = 0;
    for (size_t i = ka; i < kb; i++) {
        char c = s[i];
        out[n++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    out[n++] = '=';
    memcpy(out + n, s + va, vb - va);
    n += vb - va;
    out[n] = '\0';
    *outlen = n;
    return 0;
}

int pmf_breakdown_stored_spelling(pmf_store *s, int64_t metric, int64_t area, char *b,
                                  size_t len) {
    sqlite3 *db = pmf_store_db(s);
    sqlite3_stmt *st;
    /* an exact match first, so that a store already holding two spellings keeps each */
    const char *sql = area < 0
        ? "SELECT breakdown FROM observation WHERE metric = ?1"
          " AND breakdown = ?2 COLLATE NOCASE ORDER BY breakdown = ?2 DESC LIMIT 1"
        : "SELECT breakdown FROM observation WHERE metric = ?1 AND area = ?3"   /* a key range */
          " AND breakdown = ?2 COLLATE NOCASE ORDER BY breakdown = ?2 DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_int64(st, 1, metric);
    if (area >= 0) sqlite3_bind_int64(st, 3, area);
    sqlite3_bind_text(st, 2, b, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t && (size_t)sqlite3_column_bytes(st, 0) == len) {
            memcpy(b, t, len);
            found = 1;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

int pmf_breakdown_metric_spelling(pmf_store *s, int64_t metric, int64_t near, char *b,
                                  size_t len) {
    if (near >= 0) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(pmf_store_db(s), "SELECT 1 FROM observation WHERE metric = ?1"
                               " AND area = ?2 AND breakdown = ?3 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_int64(st, 1, metric);
        sqlite3_bind_int64(st, 2, near);
        sqlite3_bind_text(st, 3, b, (int)len, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_ROW) return 1;
        if (rc != SQLITE_DONE) return -1;
    }
    return pmf_breakdown_stored_spelling(s, metric, -1, b, len);
}

int pmf_breakdown_canonical(pmf_store *s, int64_t metric, int64_t area, const char *in,
                            size_t len, char *out, size_t *outlen, size_t *at, const char **why) {
    if (pmf_breakdown_normalise(in, len, out, outlen, at, why) != 0) return -1;
    if (*outlen && pmf_breakdown_stored_spelling(s, metric, area, out, *outlen) < 0) {
        *at = 0;
        *why = "could not be checked: store error";
        return -1;
    }
    return 0;
}
