/*
 * core/recipe_row.c: applying a compiled recipe (core/recipe.h) to a file, in C.
 *
 * Owns: binding the file's header (each mapped, ignored, measure and skip-rule column found
 * by name, wide layouts' cell columns, every column accounted for or an error naming it),
 * the skip rules, and each figure of a row (pmf_recipe_cell): constants, period fix-ups and
 * template, the measure map, missing-value markers and value transforms (the figure read
 * once here when transformed), area names resolved once per distinct text through
 * core/store_area.h (a name two codes carried in turn, per row as at its period), then the
 * optional row function.  Nothing allocates per row.  The design
 * decisions are at the top of core/recipe.c.
 */
#include "recipe_internal.h"
#include "period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the header ---- */
static int colidx(const pmf_recipe *r, const char *name) {
    for (size_t i = 0; i < r->nhdr; i++) if (!strcasecmp(r->hdr[i], name)) return (int)i;
    return -1;
}

static void header_list(const pmf_recipe *r, char *out, size_t n) {
    size_t u = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->nhdr && u + 8 < n; i++)
        u += (size_t)snprintf(out + u, n - u, "%s'%s'", i ? ", " : "", r->hdr[i]);
    if (u >= n) snprintf(out + n - 5, 5, "...");
}

int pmf_recipe_header(pmf_recipe *r, const pmf_csv_field *f, size_t n, char *err, size_t errlen) {
    static const char *const names[PMF_IMPORT_NCOLS] = {"metric", "area", "period", "value",
        "breakdown", "numerator", "denominator", "flag", "source"};
    for (size_t i = 0; i < r->nhdr; i++) free(r->hdr[i]);
    free(r->hdr);
    free(r->cells);
    r->cells = NULL;
    r->ncells = 0;
    memset(r->skipped, 0, sizeof r->skipped);
    if (!(r->hdr = calloc(n ? n : 1, sizeof *r->hdr))) goto nomem;
    r->nhdr = n;
    for (size_t i = 0; i < n; i++) {
        const char *s = f[i].s;
        size_t len = f[i].len;
        rcp_trim(&s, &len);
        if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) { s += 3; len -= 3; }
        if (!(r->hdr[i] = malloc(len + 1))) goto nomem;
        memcpy(r->hdr[i], s, len);
        r->hdr[i][len] = '\0';
    }
    if (r->rowfn.header && r->rowfn.header(r->rowfn.ud, (const char *const *)r->hdr, n, err, errlen) != 0)
        return -1;
    char list[600];
    char *used = calloc(n ? n : 1, 1);
    if (!used) goto nomem;
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++) r->col[k] = -1;
    for (int m = 0; m < r->nmaps; m++) {
        int c = colidx(r, r->mapcol[m]);
        if (c < 0) {
            header_list(r, list, sizeof list);
            snprintf(err, errlen, "recipe %s: column '%s' (for %s) is not in the file's header "
                     "(it has %s)", r->name, r->mapcol[m], names[r->mapfield[m]], list);
            free(used);
            return -1;
        }
        r->col[r->mapfield[m]] = c;
        used[c] = 1;
    }
    for (int m = 0; m < r->nignore; m++) {
        int c = colidx(r, r->ignore[m]);
        if (c >= 0) used[c] = 1;
    }
    for (int m = 0; m < r->nmjoin; m++) {
        if ((r->mjoincol[m] = colidx(r, r->mjoin[m])) < 0) {
            header_list(r, list, sizeof list);
            snprintf(err, errlen, "recipe %s: measure column '%s' is not in the file's header "
                     "(it has %s)", r->name, r->mjoin[m], list);
            free(used);
            return -1;
        }
        used[r->mjoincol[m]] = 1;
    }
    for (int m = 0; m < r->nrules; m++) {
        r->rules[m].col = colidx(r, r->rules[m].column);
        if (r->rules[m].col < 0) {
            header_list(r, list, sizeof list);
            snprintf(err, errlen, "recipe %s: skip rule's column '%s' is not in the file's "
                     "header (it has %s)", r->name, r->rules[m].column, list);
            free(used);
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (used[i] || !r->hdr[i][0]) continue;
        if (r->layout == PMF_RECIPE_WIDE_PERIODS ||
            (r->layout == PMF_RECIPE_WIDE_MEASURES &&
             rcp_smap_get(&r->measures, r->hdr[i], strlen(r->hdr[i])) >= 0)) {
            int *c = realloc(r->cells, (size_t)(r->ncells + 1) * sizeof *c);
            if (!c) { free(used); goto nomem; }
            r->cells = c;
            c[r->ncells++] = (int)i;
        } else if (!r->ignore_rest) {
            snprintf(err, errlen, "recipe %s: column '%s' (column %zu) is not named by the "
                     "recipe: map it, list it under ignore, or ignore \"*\"%s", r->name,
                     r->hdr[i], i + 1, r->layout == PMF_RECIPE_WIDE_MEASURES
                     ? " (or add it to the measure map)" : "");
            free(used);
            return -1;
        }
    }
    free(used);
    int wide = r->layout != PMF_RECIPE_LONG;
    const int need[4] = {PMF_IMPORT_METRIC, PMF_IMPORT_AREA, PMF_IMPORT_PERIOD, PMF_IMPORT_VALUE};
    for (int k = 0; k < 4; k++) {
        int f2 = need[k];
        if (r->col[f2] >= 0 || r->consts[f2]) continue;
        if (wide && f2 == PMF_IMPORT_VALUE) continue;
        if (r->layout == PMF_RECIPE_WIDE_PERIODS && f2 == PMF_IMPORT_PERIOD) continue;
        if (r->layout == PMF_RECIPE_WIDE_MEASURES && f2 == PMF_IMPORT_METRIC) continue;
        snprintf(err, errlen, "recipe %s: nothing gives the '%s' (map a column to it or "
                 "give a constant)", r->name, names[f2]);
        return -1;
    }
    if (!wide) r->ncells = 1;
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

int pmf_recipe_ncells(const pmf_recipe *r) { return r->ncells; }
void pmf_recipe_colnos(const pmf_recipe *r, int *colno) {
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++) colno[k] = r->col[k] + 1;
}
int64_t pmf_recipe_skipped(const pmf_recipe *r, int reason) {
    return reason >= 0 && reason < PMF_SKIP_NREASONS ? r->skipped[reason] : 0;
}

int pmf_recipe_skip_row(pmf_recipe *r, const pmf_csv_field *row, size_t n) {
    for (int m = 0; m < r->nrules; m++) {
        const skip_rule *k = &r->rules[m];
        if ((size_t)k->col >= n) continue;
        const char *s = row[k->col].s;
        size_t len = row[k->col].len, vl = strlen(k->value);
        rcp_trim(&s, &len);
        if (k->prefix ? len >= vl && !memcmp(s, k->value, vl) : len == vl && !memcmp(s, k->value, vl)) {
            r->skipped[PMF_SKIP_RULE]++;
            return 1;
        }
    }
    return 0;
}

/* ---- one figure ---- */
static int marker_list(const pmf_recipe *r, char *out, size_t n) {
    static const char *const mean[] = {"", "missing", "suppressed", "not applicable"};
    size_t u = 0;
    out[0] = '\0';
    for (int i = 0; i < r->nmarks && u + 40 < n; i++)
        u += (size_t)snprintf(out + u, n - u, "%s'%s' (%s)", i ? ", " : "", r->marks[i],
                              mean[r->markmean[i]]);
    return r->nmarks;
}

/* The kinds of area the recipe skips: 1 when hit's kind is one. */
static int skipped_kind(const pmf_recipe *r, const pmf_area_hit *hit) {
    for (int i = 0; i < r->nskipkinds; i++)
        if (!strcasecmp(r->skipkinds[i], hit->kind)) return 1;
    return 0;
}

/* A name two codes carried in turn, resolved as at the row's period (its label read under
 * the figure's year type).  1 ok (f rewritten), 0 skipped, -1 error (the period does not
 * read: the name's own message; it does not settle it: the message naming both). */
static int area_at_period(pmf_recipe *r, const area_ans *a, const char *text, pmf_csv_field *f,
                          const pmf_csv_field *pf, int year_type, char *err, size_t errlen) {
    char label[256];
    const char *s = pf ? pf->s : NULL;
    size_t len = pf ? pf->len : 0;
    pmf_period p;
    pmf_period_info info;
    pmf_period_opts po = {r->year_start, year_type};
    if (s) rcp_trim(&s, &len);
    if (!s || !len || len >= sizeof label) { snprintf(err, errlen, "%s", a->err); return -1; }
    memcpy(label, s, len);
    label[len] = '\0';
    if (pmf_period_parse_typed(label, &po, &p, &info, NULL, 0) != 0) {
        snprintf(err, errlen, "%s", a->err);
        return -1;
    }
    pmf_area_hit hit;
    int by = r->area_by < 0 ? PMF_AREA_BY_CODE : r->area_by;
    if (pmf_area_resolve(r->areas, text, (pmf_area_by)by, p.start, p.len, &hit, err, errlen) != 0)
        return -1;
    if (skipped_kind(r, &hit)) { r->skipped[PMF_SKIP_AREA_KIND]++; return 0; }
    f->s = hit.code;   /* the snapshot's string: lives as long as the areas */
    f->len = strlen(hit.code);
    return 1;
}

/* The area: resolved once per distinct text (a name two codes carried in turn, once per
 * row, by its period).  1 ok (f rewritten), 0 skipped, -1 error. */
static int area_of(pmf_recipe *r, pmf_csv_field *f, const pmf_csv_field *pf, int year_type,
                   char *err, size_t errlen) {
    const char *s = f->s;
    size_t len = f->len;
    rcp_trim(&s, &len);
    char text[512];   /* the text NUL-terminated: made only when it is resolved */
    if (len >= sizeof text) len = sizeof text - 1;
    int k = rcp_smap_get(&r->areamap, s, len);
    area_ans tmp = {NULL, 0, NULL, 0}, *a = &tmp;
    if (k >= 0 && !r->ans[k].ambiguous) a = &r->ans[k];
    else if (k >= 0) {
        a = &r->ans[k];
        memcpy(text, s, len);
        text[len] = '\0';
    } else {
        memcpy(text, s, len);
        text[len] = '\0';
        char msg[1024];
        pmf_area_hit hit;
        int by = r->area_by < 0 ? PMF_AREA_BY_CODE : r->area_by;
        int rc = pmf_area_resolve(r->areas, text, (pmf_area_by)by, -1, 0, &hit, msg, sizeof msg);
        if (rc != 0) {
            tmp.err = rcp_dup(msg);
            tmp.ambiguous = rc == -2;
        } else if (!(tmp.skip = skipped_kind(r, &hit))) tmp.code = rcp_dup(hit.code);
        if (!tmp.err || tmp.ambiguous || r->nunknown < UNKNOWN_MAX) {
            if (r->nans == r->capans) {
                int cap = r->capans ? r->capans * 2 : 64;
                area_ans *na = realloc(r->ans, (size_t)cap * sizeof *na);
                if (na) { r->ans = na; r->capans = cap; }
            }
            if (r->nans < r->capans && rcp_smap_put(&r->areamap, text, len, r->nans) == 0) {
                r->ans[r->nans] = tmp;
                a = &r->ans[r->nans++];
                if (tmp.err && !tmp.ambiguous) r->nunknown++;
            }
        }
    }
    int rc;
    if (a->ambiguous) rc = area_at_period(r, a, text, f, pf, year_type, err, errlen);
    else if (a->err) { snprintf(err, errlen, "%s", a->err); rc = -1; }
    else if (a->skip) { r->skipped[PMF_SKIP_AREA_KIND]++; rc = 0; }
    else { f->s = a->code; f->len = strlen(a->code); rc = 1; }
    if (a == &tmp) { free(tmp.code); free(tmp.err); }
    return rc;
}

/* The value: markers, then transforms.  1 ok, 0 skipped, -1 error.  When transforms apply,
 * the figure is read here once: its number in *x (*has = 1) and its text, as the importer
 * would read it, in v (r->valbuf): digits copied without the separators and signs the
 * transforms strip, printed again only when a scale multiplies it. */
static int value_of(pmf_recipe *r, pmf_csv_field *v, pmf_csv_field *flag, double *x, int *has,
                    char *err, size_t errlen) {
    const char *s = v->s;
    size_t len = v->len;
    rcp_trim(&s, &len);
    *has = 0;
    for (int i = 0; i < r->nmarks; i++) {
        if (r->marklen[i] != len || memcmp(r->marks[i], s, len)) continue;
        switch (r->markmean[i]) {
        case PMF_MARK_MISSING: r->skipped[PMF_SKIP_MISSING]++; return 0;
        case PMF_MARK_NA: r->skipped[PMF_SKIP_NA]++; return 0;
        default:
            *v = (pmf_csv_field){"", 0};
            *flag = (pmf_csv_field){"suppressed", 10};
            return 1;
        }
    }
    if (!len) return 1;   /* the importer says it is empty */
    if (!r->tx && r->scale == 1) {
        unsigned char c = (unsigned char)s[0];
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') return 1;
    } else {
        char *buf = r->valbuf;
        size_t u = 0;
        for (size_t i = 0; i < len && u + 1 < sizeof r->valbuf; i++) {
            char c = s[i];
            if (c == ',' && (r->tx & PMF_TX_THOUSANDS)) continue;
            if (c == '%' && (r->tx & PMF_TX_PERCENT) && i == len - 1) continue;
            if ((r->tx & PMF_TX_POUND) && i == 0 && len > 2 && !memcmp(s, "\xC2\xA3", 2)) { i++; continue; }
            buf[u++] = c;
        }
        if (u < sizeof r->valbuf - 1 && pmf_parse_number(buf, u, x) == PMF_NUM_OK) {
            if (r->scale != 1) {   /* the scaled figure to 15 significant digits, as shown */
                snprintf(r->valbuf, sizeof r->valbuf, "%.15g", *x * r->scale);
                u = strlen(r->valbuf);
                if (pmf_parse_number(r->valbuf, u, x) != PMF_NUM_OK) return -1;
            }
            buf[u] = '\0';
            v->s = r->valbuf;
            v->len = u;
            *has = 1;
            return 1;
        }
    }
    char list[600];
    if (marker_list(r, list, sizeof list))
        snprintf(err, errlen, "'%.*s' is not a number, nor a missing-value marker recipe %s "
                 "declares (%s)", (int)(len > 200 ? 200 : len), s, r->name, list);
    else
        snprintf(err, errlen, "'%.*s' is not a number (recipe %s declares no missing-value "
                 "markers)", (int)(len > 200 ? 200 : len), s, r->name);
    return -1;
}

int pmf_recipe_cell(pmf_recipe *r, const pmf_csv_field *row, size_t n, int i,
                    pmf_csv_field *f, pmf_recipe_cell_info *info, char *err, size_t errlen) {
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++) {
        int c = r->col[k];
        if (c >= 0) f[k] = (size_t)c < n ? row[c] : (pmf_csv_field){"", 0};
        else if (r->consts[k]) f[k] = (pmf_csv_field){r->consts[k], strlen(r->consts[k])};
        else f[k] = (pmf_csv_field){NULL, 0};
    }
    info->year_type = r->year_type;
    info->hdrfield = -1;
    info->has_value = 0;
    memset(info->ferr, 0, sizeof info->ferr);
    info->colno = 0;
    info->colname = NULL;
    int vcol = r->col[PMF_IMPORT_VALUE];
    if (r->layout != PMF_RECIPE_LONG) {
        vcol = r->cells[i];
        f[PMF_IMPORT_VALUE] = (size_t)vcol < n ? row[vcol] : (pmf_csv_field){"", 0};
        pmf_csv_field name = {r->hdr[vcol], strlen(r->hdr[vcol])};
        info->hdrfield = r->layout == PMF_RECIPE_WIDE_PERIODS ? PMF_IMPORT_PERIOD : PMF_IMPORT_METRIC;
        f[info->hdrfield] = name;
    }
    /* declared fix-ups of period labels, then the template */
    if (r->npfix && f[PMF_IMPORT_PERIOD].s) {
        const char *s = f[PMF_IMPORT_PERIOD].s;
        size_t len = f[PMF_IMPORT_PERIOD].len;
        rcp_trim(&s, &len);
        int k = rcp_smap_get(&r->pfix, s, len);
        if (k >= 0) f[PMF_IMPORT_PERIOD] = (pmf_csv_field){r->pfixto[k], strlen(r->pfixto[k])};
    }
    if (r->ptemplate && f[PMF_IMPORT_PERIOD].s) {
        const char *s = f[PMF_IMPORT_PERIOD].s, *at = strstr(r->ptemplate, "{}");
        size_t len = f[PMF_IMPORT_PERIOD].len;
        rcp_trim(&s, &len);
        int pre = at ? (int)(at - r->ptemplate) : (int)strlen(r->ptemplate);
        int w = snprintf(r->perbuf, sizeof r->perbuf, "%.*s%.*s%s", pre, r->ptemplate,
                         (int)(len > 100 ? 100 : len), s, at ? at + 2 : "");
        f[PMF_IMPORT_PERIOD] = (pmf_csv_field){r->perbuf, w < 0 ? 0 : (size_t)w};
    }
    /* the measure map */
    if (r->nmeas && f[PMF_IMPORT_METRIC].s) {
        const char *s = f[PMF_IMPORT_METRIC].s;
        size_t len = f[PMF_IMPORT_METRIC].len;
        rcp_trim(&s, &len);
        if (r->nmjoin) {   /* "indicator | unit" */
            size_t u = (size_t)snprintf(r->keybuf, sizeof r->keybuf, "%.*s", (int)(len > 400 ? 400 : len), s);
            for (int j = 0; j < r->nmjoin && u < sizeof r->keybuf; j++) {
                int c = r->mjoincol[j];
                const char *t = (size_t)c < n ? row[c].s : "";
                size_t tl = (size_t)c < n ? row[c].len : 0;
                rcp_trim(&t, &tl);
                if (!tl) continue;   /* a blank column adds nothing to the key */
                u += (size_t)snprintf(r->keybuf + u, sizeof r->keybuf - u, " | %.*s",
                                      (int)(tl > 200 ? 200 : tl), t);
            }
            s = r->keybuf;
            len = u < sizeof r->keybuf ? u : sizeof r->keybuf - 1;
        }
        int m = rcp_smap_get(&r->measures, s, len);
        if (m < 0) {
            if (r->unmapped_skip) { r->skipped[PMF_SKIP_MEASURE]++; return 0; }
            snprintf(r->ebuf[0], sizeof r->ebuf[0], "measure '%.*s' is not in recipe %s's measure "
                     "map", (int)(len > 300 ? 300 : len), s, r->name);
            info->ferr[PMF_IMPORT_METRIC] = r->ebuf[0];
        } else {
            f[PMF_IMPORT_METRIC] = (pmf_csv_field){r->meas[m].metric, strlen(r->meas[m].metric)};
            if (r->meas[m].year_type) info->year_type = r->meas[m].year_type;
            if (r->meas[m].breakdown)
                f[PMF_IMPORT_BREAKDOWN] = (pmf_csv_field){r->meas[m].breakdown, strlen(r->meas[m].breakdown)};
        }
    }
    /* the value (a missing marker skips the figure, whatever else is wrong with it) */
    if (vcol >= 0) {
        int rc = value_of(r, &f[PMF_IMPORT_VALUE], &f[PMF_IMPORT_FLAG], &info->value,
                          &info->has_value, r->ebuf[1], sizeof r->ebuf[1]);
        if (rc == 0) return 0;
        if (rc < 0) info->ferr[PMF_IMPORT_VALUE] = r->ebuf[1];
    }
    /* the area (a kind the recipe skips is skipped, unless the figure is bad already) */
    if (r->areas && pmf_recipe_needs_areas(r) && f[PMF_IMPORT_AREA].s && f[PMF_IMPORT_AREA].len) {
        int rc = area_of(r, &f[PMF_IMPORT_AREA], &f[PMF_IMPORT_PERIOD], info->year_type,
                         r->ebuf[2], sizeof r->ebuf[2]);
        if (rc < 0) info->ferr[PMF_IMPORT_AREA] = r->ebuf[2];
        else if (rc == 0) {
            if (!info->ferr[PMF_IMPORT_METRIC] && !info->ferr[PMF_IMPORT_VALUE]) return 0;
            r->skipped[PMF_SKIP_AREA_KIND]--;   /* not skipped after all: refused */
            info->ferr[PMF_IMPORT_AREA] = "";   /* not read again; nothing to say of it */
        }
    }
    info->colno = vcol + 1;
    info->colname = vcol >= 0 ? r->hdr[vcol] : "value";
    for (int k = 0; k < PMF_IMPORT_NCOLS; k++)
        if (info->ferr[k]) return 1;   /* the importer reports them; no row function */
    if (r->rowfn.row) {
        int rc = r->rowfn.row(r->rowfn.ud, row, n, f, err, errlen);
        info->has_value = 0;   /* the value is the text the function returns */
        if (rc == 0) r->skipped[PMF_SKIP_ROW_FN]++;
        if (rc <= 0) return rc;   /* an error names the figure's column */
    }
    return 1;
}

