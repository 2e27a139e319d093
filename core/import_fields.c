/*
 * core/import_fields.c: the importer's caches, and reading one field of a figure.
 *
 * Owns: the small open-addressing hash tables (one entry per distinct metric or area code,
 * period label under a year type, and breakdown of a metric; unknown codes and bad labels
 * cached only up to UNKNOWN_MAX, every table capped at TABLE_MAX, so memory stays flat in
 * the file's size), and the readers that go through them: codes to ids (with the metric's
 * sign-off locks), period labels (pmf_period_parse_typed under the figure's year type),
 * breakdowns (core/breakdown.h's normaliser, the spelling first stored or seen, the
 * metric's declared keys), numbers, flags and the UTF-8 check.  A bad field is recorded
 * through import_msg.c; see core/import.c for the design.
 */
#include "import_internal.h"
#include "breakdown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------------------------
 * The caches.
 * ------------------------------------------------------------------------------------- */

static uint64_t fnv1a(const char *s, size_t len) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The entry for s, or where it would go (key NULL); NULL if the table is empty. */
static entry *slot(table *t, const char *s, size_t len, uint64_t h) {
    if (!t->cap) return NULL;
    size_t i = (size_t)h & (t->cap - 1);
    for (;;) {
        entry *e = &t->e[i];
        if (!e->key || (e->hash == h && e->len == len && memcmp(e->key, s, len) == 0)) return e;
        i = (i + 1) & (t->cap - 1);
    }
}

static int grow(table *t) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    entry *e = calloc(cap, sizeof *e);
    if (!e) return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->e[i].key) continue;
        size_t j = (size_t)t->e[i].hash & (cap - 1);
        while (e[j].key) j = (j + 1) & (cap - 1);
        e[j] = t->e[i];
    }
    free(t->e);
    t->e = e;
    t->cap = cap;
    return 0;
}

/* The cached entry for s, or NULL. */
static entry *lookup(table *t, const char *s, size_t len) {
    entry *e = slot(t, s, len, fnv1a(s, len));
    return e && e->key ? e : NULL;
}

/* Add s (not there yet) and return its entry, zeroed but for the key; when the table is
 * full, or s is `unknown` and UNKNOWN_MAX unknown entries are cached already, *tmp is
 * zeroed and returned instead (not kept).  NULL only when out of memory.  Capping the
 * unknown entries keeps memory flat for a file of garbage codes. */
static entry *add(table *t, const char *s, size_t len, int unknown, entry *tmp) {
    uint64_t h = fnv1a(s, len);
    if (t->n >= TABLE_MAX || (unknown && t->nunknown >= UNKNOWN_MAX)) {
        memset(tmp, 0, sizeof *tmp);
        return tmp;
    }
    if ((t->n + 1) * 2 > t->cap && grow(t) != 0) return NULL;
    entry *e = slot(t, s, len, h);
    char *key = malloc(len + 1);
    if (!key) return NULL;
    memcpy(key, s, len);
    key[len] = '\0';
    memset(e, 0, sizeof *e);
    e->key = key;
    e->len = len;
    e->hash = h;
    t->n++;
    if (unknown) t->nunknown++;
    return e;
}

void imp_table_free(table *t) {
    for (size_t i = 0; i < t->cap; i++) {
        free(t->e[i].key);
        free(t->e[i].text);
    }
    free(t->e);
    t->e = NULL;
    t->cap = t->n = 0;
}
/* ---------------------------------------------------------------------------------------
 * Rows.
 * ------------------------------------------------------------------------------------- */

int pmf_import_parse_flags(const char *s, size_t len, size_t *bad, size_t *badlen) {
#define WORD(bit, word) word,
#define BIT(bit, word) bit,
    static const char *const words[] = {PMF_STORED_FLAGS(WORD)};
    static const int bits[] = {PMF_STORED_FLAGS(BIT)};
#undef WORD
#undef BIT
    int flags = 0;
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && s[j] != '|' && s[j] != ';') j++;
        size_t a = i, b = j;
        while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
        if (b > a) {
            int found = 0;
            for (size_t k = 0; k < sizeof bits / sizeof bits[0] && !found; k++)
                if (strlen(words[k]) == b - a && strncasecmp(words[k], s + a, b - a) == 0) {
                    flags |= bits[k];
                    found = 1;
                }
            if (!found) {
                if (bad) *bad = a;
                if (badlen) *badlen = b - a;
                return -1;
            }
        }
        i = j + 1;
    }
    return flags;
}

/* A metric or area id through the cache; -1 unknown, -2 out of memory.  *out is the cache
 * entry, or NULL when it is not cached. */
int64_t imp_code_id(pmf_import *im, table *t, const pmf_csv_field *f, int metric, entry **out) {
    entry tmp, *e = lookup(t, f->s, f->len);
    if (!e) {
        int64_t id = metric ? pmf_store_metric_id(im->store, f->s) : pmf_store_area_id(im->store, f->s);
        if (strlen(f->s) != f->len) id = -1;   /* an embedded NUL is never a code */
        if (!(e = add(t, f->s, f->len, id < 0, &tmp))) return -2;
        e->id = id;
        e->has_obs = -1;
        if (metric && id >= 0) {
            int lo = 0;
            while (lo < im->nlocks && im->locks[lo].metric < id) lo++;
            int hi = lo;
            while (hi < im->nlocks && im->locks[hi].metric == id) hi++;
            e->lock_lo = lo;
            e->lock_hi = hi;
        }
    }
    if (out) *out = e == &tmp ? NULL : e;
    return e->id;
}

/* A period label through the cache, read under the figure's year type: 0, *p and the
 * label's flags in *lflags, or -1 (message in err). */
int imp_period_of(pmf_import *im, const pmf_csv_field *f, pmf_period *p, unsigned *lflags,
                  char *err, size_t errlen) {
    int yt = im->row_year_type ? im->row_year_type : im->o.year_type;
    pmf_period_opts po = {im->o.year_start, yt};
    const char *k = f->s;
    size_t klen = f->len;
    if (yt) {   /* the same label reads differently under another year type */
        const char tag[2] = {'\x01', (char)('0' + yt)};   /* year types are 1..3 */
        im->pkey.len = 0;
        if (imp_sb_add(&im->pkey, f->s, f->len) != 0 || imp_sb_add(&im->pkey, tag, 2) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        k = im->pkey.s;
        klen = im->pkey.len;
    }
    entry tmp, *e = lookup(&im->periods, k, klen);
    if (!e) {
        pmf_period q;
        pmf_period_info info = {0, {0, 0, 0}};
        int ok = strlen(f->s) == f->len &&
                 pmf_period_parse_typed(f->s, &po, &q, &info, NULL, 0) == 0;
        if (!(e = add(&im->periods, k, klen, !ok, &tmp))) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        e->ok = ok;
        e->label_flags = info.flags;
        if (ok) e->period = q;
    }
    if (e->ok) { *p = e->period; *lflags = e->label_flags; return 0; }
    pmf_period_info info;
    pmf_period_parse_typed(f->s, &po, p, &info, err, errlen);
    return -1;
}

int imp_is_blank(const pmf_csv_field *f) {
    for (size_t i = 0; i < f->len; i++)
        if (f->s[i] != ' ' && f->s[i] != '\t') return 0;
    return 1;
}

/* A number column: 0 and *v (*null = 1 when empty), or -1 recorded. */
int imp_number(pmf_import *im, long line, int colno, const char *col, const pmf_csv_field *f,
               double *v, int *null) {
    *null = 0;
    if (!f->s) { *null = 1; return 0; }
    switch (pmf_parse_number(f->s, f->len, v)) {
    case PMF_NUM_OK: return 0;
    case PMF_NUM_EMPTY: *null = 1; return 0;
    case PMF_NUM_RANGE:
        imp_failf(im, line, colno, col, "'%s' is too large", imp_shown(im, f));
        return -1;
    default:
        imp_failf(im, line, colno, col, "'%s' is not a number", imp_shown(im, f));
        return -1;
    }
}

/* Every text field is UTF-8 without NUL bytes: 0, or -1 with each bad one recorded. */
int imp_check_text(pmf_import *im, long line, const pmf_csv_field *f, const int *colno,
                   int valcolno, const char *valcol) {
    int bad = 0;
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++) {
        if (!f[k].s) continue;
        const char *why;
        size_t at = pmf_text_check(f[k].s, f[k].len, &why);
        if (at == f[k].len) continue;
        int value = k == PMF_IMPORT_VALUE;
        imp_failf(im, line, value ? valcolno : colno ? colno[k] : 0,
                  value ? valcol : imp_colnames[k], "'%s' contains %s (byte %zu)", imp_shown(im, &f[k]),
                  why, at + 1);
        bad = 1;
    }
    return bad ? -1 : 0;
}

/* Did the metric have observations before this import?  1 (also when not cached), 0, or -1
 * fatal.  Asked once per metric. */
int imp_had_data(pmf_import *im, entry *me, int64_t metric) {
    if (!me) return 1;
    if (me->has_obs < 0) {
        sqlite3_bind_int64(im->any, 1, metric);
        int rc = sqlite3_step(im->any);
        sqlite3_reset(im->any);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return imp_fatal(im, "reading observations");
        me->has_obs = rc == SQLITE_ROW;
    }
    return me->has_obs;
}

/* The row's breakdown, normalised and spelt as first stored or seen (breakdown.h), in
 * im->bd; the metric's declared keys checked.  0, or -1 recorded (or fatal). */
int imp_breakdown_of(pmf_import *im, long line, int colno, const pmf_csv_field *f,
                     int64_t metric, int64_t area, entry *me, const pmf_csv_field *mf) {
    strbuf *b = &im->bd;
    b->len = 0;
    if (imp_sb_room(b, f->len) != 0) return imp_fatal(im, "(out of memory)");
    size_t at = 0;
    const char *why = "";
    if (pmf_breakdown_normalise(f->s, f->len, b->s, &b->len, &at, &why) != 0) {
        imp_failf(im, line, colno, "breakdown", "'%s' %s", imp_shown(im, f), why);
        return -1;
    }
    if (!b->len) return 0;
    if (me && me->text) {   /* the metric's breakdown keys are declared */
        size_t klen = (size_t)((char *)memchr(b->s, '=', b->len) - b->s);
        int found = 0;
        for (const char *k = me->text; k && k[1] && !found; k = strchr(k + 1, ','))
            found = strncmp(k + 1, b->s, klen) == 0 && k[1 + klen] == ',';
        if (!found) {
            char *list = me->text + 1;
            size_t n = strlen(list);
            imp_failf(im, line, colno, "breakdown", "'%s': key '%.*s' is not declared for metric "
                      "%s (its frameworks declare %.*s)", imp_shown(im, f), (int)klen, b->s,
                      imp_shown_k(im, 1, mf->s, mf->len), (int)(n ? n - 1 : 0), list);
            return -1;
        }
    }
    /* the spelling: this import's first, else the store's, else this one */
    strbuf *key = &im->bdkey;
    key->len = 0;
    if (imp_sb_printf(key, "%lld:", (long long)metric) != 0 || imp_sb_add(key, b->s, b->len) != 0)
        return imp_fatal(im, "(out of memory)");
    for (size_t i = 0; i < key->len; i++)
        if (key->s[i] >= 'A' && key->s[i] <= 'Z') key->s[i] = (char)(key->s[i] - 'A' + 'a');
    entry tmp, *e = lookup(&im->breakdowns, key->s, key->len);
    if (e) {
        memcpy(b->s, e->text, b->len);
        return 0;
    }
    int had = imp_had_data(im, me, metric);   /* a metric new to the store has no spellings */
    if (had < 0) return -1;
    if (had && pmf_breakdown_metric_spelling(im->store, metric, area, b->s, b->len) < 0)
        return imp_fatal(im, "reading breakdowns");
    if (!(e = add(&im->breakdowns, key->s, key->len, 0, &tmp))) return imp_fatal(im, "(out of memory)");
    if (e != &tmp) {
        if (!(e->text = malloc(b->len + 1))) return imp_fatal(im, "(out of memory)");
        memcpy(e->text, b->s, b->len + 1);
    }
    return 0;
}
