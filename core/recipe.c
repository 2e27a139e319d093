/*
 * core/recipe.c: the import recipe engine (see recipe.h), compiled once, run per row in C.
 *
 * Owns: the compiled recipe (struct pmf_recipe, core/recipe_internal.h), built once by
 * core/recipe.h's setters and freed here, and its small string map; applying it to a
 * file (the header, each row) is core/recipe_row.c.
 *
 * Design decisions:
 * - The recipe rewrites a publisher's row into the importer's long-form fields and hands
 *   them on: every check (UTF-8, metric, area, period, numbers, duplicates, sign-off locks)
 *   stays in core/import.c, one row path for CSV and XLSX, with or without a recipe.
 * - Lookups per distinct text: the measure map and the area names go through small
 *   open-addressing tables (strings hashed once per row); an area text is resolved through
 *   core/store_area.h once and its answer (code, skipped kind, or error) kept.  Unknown
 *   area texts are kept only up to UNKNOWN_MAX, so a file of garbage names stays flat.
 * - Nothing silent: a value that is not a number and not a declared marker is an error
 *   naming the markers the recipe knows; a measure outside the map is an error unless the
 *   recipe declares unmapped measures skipped; every skipped row or figure is counted under
 *   its reason, so the summary accounts for all rows.
 * - Abolished area codes resolve to themselves (store_area.h): a figure for a former code
 *   is kept under that code, never added to its successor.
 * - A name two codes carried in turn (Buckinghamshire, Perth & Kinross) is resolved as at
 *   the row's period: its label is read (under the figure's year type) only for such
 *   names, and only the code in force during the period is taken; a period both were in
 *   force during is an error naming both, never a guess.
 */
#include "recipe_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- a small string map ---- */
static uint64_t hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}
static slot *find(const smap *m, const char *s, size_t n, uint64_t h) {
    if (!m->cap) return NULL;
    for (size_t i = (size_t)h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        slot *e = &m->s[i];
        if (!e->key || (e->h == h && e->len == n && !memcmp(e->key, s, n))) return e;
    }
}
int rcp_smap_get(const smap *m, const char *s, size_t n) {
    slot *e = find(m, s, n, hash(s, n));
    return e && e->key ? e->val : -1;
}
int rcp_smap_put(smap *m, const char *s, size_t n, int val) {
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        slot *ns = calloc(cap, sizeof *ns);
        if (!ns) return -1;
        for (size_t i = 0; i < m->cap; i++) if (m->s[i].key) {
            size_t j = (size_t)m->s[i].h & (cap - 1);
            while (ns[j].key) j = (j + 1) & (cap - 1);
            ns[j] = m->s[i];
        }
        free(m->s);
        m->s = ns;
        m->cap = cap;
    }
    uint64_t h = hash(s, n);
    slot *e = find(m, s, n, h);
    if (e->key) { e->val = val; return 0; }
    if (!(e->key = malloc(n + 1))) return -1;
    memcpy(e->key, s, n);
    e->key[n] = '\0';
    e->len = n;
    e->h = h;
    e->val = val;
    m->n++;
    return 0;
}
static void smap_free(smap *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->s[i].key);
    free(m->s);
    m->s = NULL;
    m->cap = m->n = 0;
}

char *rcp_dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
static int push_str(char ***arr, int *n, const char *s) {
    char **a = realloc(*arr, (size_t)(*n + 1) * sizeof *a);
    if (!a) return -1;
    *arr = a;
    if (!(a[*n] = rcp_dup(s))) return -1;
    (*n)++;
    return 0;
}
/* Trimmed view of a field. */
void rcp_trim(const char **s, size_t *n) {
    while (*n && (**s == ' ' || **s == '\t')) { (*s)++; (*n)--; }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

/* ---- building ---- */
pmf_recipe *pmf_recipe_new(const char *name) {
    pmf_recipe *r = calloc(1, sizeof *r);
    if (!r || !(r->name = rcp_dup(name ? name : "recipe"))) { free(r); return NULL; }
    r->scale = 1;
    r->area_by = -1;
    return r;
}

void pmf_recipe_free(pmf_recipe *r) {
    if (!r) return;
    free(r->name);
    free(r->ptemplate);
    smap_free(&r->pfix);
    for (int i = 0; i < r->npfix; i++) free(r->pfixto[i]);
    free(r->pfixto);
    for (int i = 0; i < r->nmaps; i++) free(r->mapcol[i]);
    free(r->mapcol); free(r->mapfield);
    for (int i = 0; i < r->nignore; i++) free(r->ignore[i]);
    free(r->ignore);
    for (int i = 0; i < PMF_IMPORT_NCOLS; i++) free(r->consts[i]);
    smap_free(&r->measures);
    for (int i = 0; i < r->nmeas; i++) { free(r->meas[i].metric); free(r->meas[i].breakdown); }
    for (int i = 0; i < r->nmjoin; i++) free(r->mjoin[i]);
    free(r->mjoin);
    free(r->mjoincol);
    free(r->meas);
    for (int i = 0; i < r->nmarks; i++) free(r->marks[i]);
    free(r->marks); free(r->markmean); free(r->marklen);
    for (int i = 0; i < r->nskipkinds; i++) free(r->skipkinds[i]);
    free(r->skipkinds);
    for (int i = 0; i < r->nrules; i++) { free(r->rules[i].column); free(r->rules[i].value); }
    free(r->rules);
    smap_free(&r->areamap);
    for (int i = 0; i < r->nans; i++) { free(r->ans[i].code); free(r->ans[i].err); }
    free(r->ans);
    free(r->cells);
    for (size_t i = 0; i < r->nhdr; i++) free(r->hdr[i]);
    free(r->hdr);
    free(r);
}

int pmf_recipe_map(pmf_recipe *r, const char *column, int field) {
    int *mf = realloc(r->mapfield, (size_t)(r->nmaps + 1) * sizeof *mf);
    if (!mf) return -1;
    r->mapfield = mf;
    mf[r->nmaps] = field;
    return push_str(&r->mapcol, &r->nmaps, column);
}
int pmf_recipe_ignore(pmf_recipe *r, const char *column) {
    if (!strcmp(column, "*")) { r->ignore_rest = 1; return 0; }
    return push_str(&r->ignore, &r->nignore, column);
}
int pmf_recipe_const(pmf_recipe *r, int field, const char *value) {
    free(r->consts[field]);
    return (r->consts[field] = rcp_dup(value)) ? 0 : -1;
}
int pmf_recipe_measure_also(pmf_recipe *r, const char *column) {
    int *c = realloc(r->mjoincol, (size_t)(r->nmjoin + 1) * sizeof *c);
    if (!c) return -1;
    r->mjoincol = c;
    return push_str(&r->mjoin, &r->nmjoin, column);
}
int pmf_recipe_measure(pmf_recipe *r, const char *text, const char *metric, const char *breakdown,
                       int year_type) {
    measure *m = realloc(r->meas, (size_t)(r->nmeas + 1) * sizeof *m);
    if (!m) return -1;
    r->meas = m;
    m[r->nmeas].breakdown = breakdown ? rcp_dup(breakdown) : NULL;
    if (breakdown && !m[r->nmeas].breakdown) return -1;
    if (!(m[r->nmeas].metric = rcp_dup(metric))) return -1;
    m[r->nmeas].year_type = year_type;
    if (rcp_smap_put(&r->measures, text, strlen(text), r->nmeas) != 0) return -1;
    r->nmeas++;
    return 0;
}
void pmf_recipe_unmapped_skip(pmf_recipe *r, int skip) { r->unmapped_skip = skip; }
int pmf_recipe_marker(pmf_recipe *r, const char *text, int meaning) {
    int *mm = realloc(r->markmean, (size_t)(r->nmarks + 1) * sizeof *mm);
    if (!mm) return -1;
    r->markmean = mm;
    mm[r->nmarks] = meaning;
    size_t *ml = realloc(r->marklen, (size_t)(r->nmarks + 1) * sizeof *ml);
    if (!ml) return -1;
    r->marklen = ml;
    ml[r->nmarks] = strlen(text);
    return push_str(&r->marks, &r->nmarks, text);
}
void pmf_recipe_value(pmf_recipe *r, unsigned tx, double scale) { r->tx = tx; r->scale = scale; }
void pmf_recipe_layout(pmf_recipe *r, int layout) { r->layout = layout; }
void pmf_recipe_year_type(pmf_recipe *r, int year_type) { r->year_type = year_type; }
int pmf_recipe_period_template(pmf_recipe *r, const char *tmpl) {
    free(r->ptemplate);
    return (r->ptemplate = rcp_dup(tmpl)) ? 0 : -1;
}
int pmf_recipe_period_fix(pmf_recipe *r, const char *from, const char *to) {
    if (rcp_smap_put(&r->pfix, from, strlen(from), r->npfix) != 0) return -1;
    return push_str(&r->pfixto, &r->npfix, to);
}
void pmf_recipe_area_by(pmf_recipe *r, int by) { r->area_by = by; }
int pmf_recipe_skip_area_kind(pmf_recipe *r, const char *kind) {
    return push_str(&r->skipkinds, &r->nskipkinds, kind);
}
int pmf_recipe_skip(pmf_recipe *r, const char *column, const char *value, int prefix) {
    skip_rule *s = realloc(r->rules, (size_t)(r->nrules + 1) * sizeof *s);
    if (!s) return -1;
    r->rules = s;
    s[r->nrules] = (skip_rule){rcp_dup(column), rcp_dup(value), prefix, -1};
    if (!s[r->nrules].column || !s[r->nrules].value) return -1;
    r->nrules++;
    return 0;
}
int pmf_recipe_needs_areas(const pmf_recipe *r) { return r->area_by >= 0 || r->nskipkinds > 0; }
void pmf_recipe_set_areas(pmf_recipe *r, const pmf_areas *a, int year_start) {
    r->areas = a;
    r->year_start = year_start;
}

void pmf_recipe_set_rowfn(pmf_recipe *r, const pmf_recipe_rowfn *fn) {
    if (fn) r->rowfn = *fn;
    else memset(&r->rowfn, 0, sizeof r->rowfn);
}
