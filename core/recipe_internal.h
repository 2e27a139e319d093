/*
 * core/recipe_internal.h: what the recipe engine's two files share (not a public header).
 *
 *   recipe.c       the compiled recipe: building it (core/recipe.h's setters) and freeing it
 *   recipe_row.c   applying it: binding a file's header, then each row's figures
 */
#ifndef PMF_RECIPE_INTERNAL_H
#define PMF_RECIPE_INTERNAL_H

#include "recipe.h"

#include <stddef.h>
#include <stdint.h>

#define UNKNOWN_MAX 4096

typedef struct { char *key; size_t len; uint64_t h; int val; } slot;
typedef struct { slot *s; size_t cap, n; } smap;

typedef struct { char *metric, *breakdown; int year_type; } measure;
/* An area text's answer: a code, a skipped kind, an error, or (ambiguous) a name only the
 * row's period settles (err then says why when it does not). */
typedef struct { char *code; int skip; char *err; int ambiguous; } area_ans;
typedef struct { char *column; char *value; int prefix, col; } skip_rule;

struct pmf_recipe {
    char *name;
    char **mapcol; int *mapfield; int nmaps;
    char **ignore; int nignore, ignore_rest;
    char *consts[PMF_IMPORT_NCOLS];
    smap measures; measure *meas; int nmeas, unmapped_skip;
    char **mjoin; int nmjoin, *mjoincol; char keybuf[1024];
    char **marks; int *markmean; size_t *marklen; int nmarks;
    unsigned tx; double scale;
    int layout, year_type, area_by;
    char *ptemplate;
    smap pfix; char **pfixto; int npfix;
    char **skipkinds; int nskipkinds;
    skip_rule *rules; int nrules;
    const pmf_areas *areas;
    int year_start;                 /* the importer's, for reading a row's period */
    pmf_recipe_rowfn rowfn;         /* the row function's hook (rowfn.row NULL: none) */
    smap areamap; area_ans *ans; int nans, capans, nunknown;
    /* bound to a header */
    int col[PMF_IMPORT_NCOLS];      /* column index of each field, -1 none */
    int *cells; int ncells;         /* wide: the cell columns */
    char **hdr; size_t nhdr;
    int64_t skipped[PMF_SKIP_NREASONS];
    char valbuf[64], perbuf[256];
    char ebuf[3][1024];             /* the cell's field errors: metric, value, area */
};

/* recipe.c: a small string map (text -> int; -1 absent), and string helpers. */
int rcp_smap_get(const smap *m, const char *s, size_t n);
int rcp_smap_put(smap *m, const char *s, size_t n, int val);   /* 0, or -1 out of memory */
char *rcp_dup(const char *s);                                  /* NULL out of memory */
void rcp_trim(const char **s, size_t *n);                      /* spaces and tabs around */

#endif
