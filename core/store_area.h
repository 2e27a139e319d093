/*
 * store_area.h: areas by any name: ONS code, a name as publishers write it, a DfE LA number;
 * former codes with their successors.  Part of the store layer (pure C over SQLite).
 *
 * Promises:
 * - A name is compared by its key (pmf_area_key): ASCII case folded, apostrophes dropped,
 *   "&" read as "and", punctuation ("-", ",", ".", "(", ")", "/") read as a space, runs of
 *   space made one, and trailing words such as "Council", "MBC", "Borough", "District",
 *   "City", "County" dropped.  So "St. Helens MBC", "St Helens" and "st helens council"
 *   are one key; "Bristol, City of" and "City of Bristol" are different keys, which the
 *   reference data (lua/data/area_aliases.csv) lists as aliases of one code.
 * - A code resolves to itself, former or not: a figure for an abolished code is kept under
 *   that code, and the hit says which code(s) succeeded it and the day it ended.  Nothing
 *   here ever adds a former area's figure to its successor.
 * - A name or LA number carried by several codes (Buckinghamshire: the county E10000002
 *   until March 2020, the unitary E06000060 since) resolves only when exactly one of them
 *   was in force during the period given (`at_month`, `months`: any of its months); otherwise
 *   it is an error naming every candidate, never a guess.  An unknown name gets "did you mean" suggestions (edit distance and
 *   shared words over every known key).
 * - pmf_areas is a snapshot loaded once (a few hundred areas, a few thousand aliases):
 *   lookups are binary searches over sorted arrays, with no SQL and no allocation per call,
 *   so an importer can resolve every row.  It does not see areas added after it was loaded.
 */
#ifndef PMF_STORE_AREA_H
#define PMF_STORE_AREA_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store.h"

#define PMF_AREA_KEY_MAX 128     /* a key longer than this is cut (no real name is) */

/* What a text is read as: anything (a code if it looks like one, an LA number if all
 * digits, else a name), or only one of them. */
typedef enum pmf_area_by {
    PMF_AREA_BY_ANY = 0,
    PMF_AREA_BY_CODE,
    PMF_AREA_BY_NAME,
    PMF_AREA_BY_LA_NUMBER
} pmf_area_by;

typedef struct pmf_areas pmf_areas;

/* One resolved area.  The strings belong to the pmf_areas and live as long as it does. */
typedef struct pmf_area_hit {
    int64_t id;                 /* area.id, for the observation row */
    const char *code, *name, *kind;
    const char *matched_by;     /* "code", "name" or "la_number" */
    const char *successors;     /* former codes: "E06000058" or "E06000063 E06000064"; else "" */
    const char *ended;          /* former codes: the last day in use, "2019-03-31"; else "" */
} pmf_area_hit;

/* The key of a name (see above) into out (n bytes, NUL-terminated); returns its length. */
size_t pmf_area_key(const char *text, char *out, size_t n);

/* Registers the SQL function pmf_area_key(text) on db (for the reference loader). */
int pmf_area_register_sql(sqlite3 *db);

/* Loads the snapshot from the store; NULL and a message on failure.  Free with
 * pmf_areas_free (NULL-safe). */
pmf_areas *pmf_areas_load(pmf_store *s, char *err, size_t errlen);
void pmf_areas_free(pmf_areas *a);

/*
 * Resolves text (surrounding space ignored).  at_month, months: a period (its first month
 * index, year * 12 + month - 1, and its length) that picks among codes that carried the
 * same name or LA number at different times: the one in force during any of its months;
 * at_month negative for none (months is then ignored; 0 or 1 mean a month).  Returns 0 and
 * *out; -1 with a message quoting the text as given ("unknown area 'Bristol Cty'; did you
 * mean 'Bristol, City of' (E06000023)?"); or -2 when several codes carry the text and the
 * period (none, or one several were in force during) does not settle it ("'Dorset' is
 * ambiguous: ... or ...; give the code or the period").  The message may be long: errlen
 * of 1024 shows everything.
 */
int pmf_area_resolve(const pmf_areas *a, const char *text, pmf_area_by by, int32_t at_month,
                     int32_t months, pmf_area_hit *out, char *err, size_t errlen);

#endif
