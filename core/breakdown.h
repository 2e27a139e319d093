/*
 * core/breakdown.h: the one check of imported text and the one breakdown normaliser.
 *
 * Pure C over store.h; no Lua.  Used by the importer (core/import.c) for every row and, through
 * pmf.importer.breakdown, by store:observe, store:get and store:history (lua/pmf/store/), so
 * that a breakdown typed at the command line finds the figure an import stored.
 *
 * Text: every text field of an import is UTF-8 without NUL bytes.  pmf_text_check rejects a NUL,
 * a byte sequence that is not UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * included) and reports the 0-based offset of the first bad byte.
 *
 * A breakdown is one dimension, "key=value" (the format has no way to write two):
 *   - spaces and tabs around the whole, the key and the value are dropped;
 *   - the key is ASCII letters, digits and '_', starting with a letter, and is lower-cased
 *     ("Sex = f" has key "sex");
 *   - the value is any UTF-8 text without control characters and without a second '=';
 *     its case is KEPT as first stored: a value that differs only in ASCII case from one
 *     already stored for the same metric takes the stored spelling ("sex=f" becomes "sex=F"
 *     when "sex=F" is there), so case never makes two figures, and ward codes and names keep
 *     the spelling their source gives them (an import looks across the metric's areas;
 *     store:observe, get and history within the figure's area, which holds its rows);
 *   - empty (or only spaces) is no breakdown: "".
 * Refused, with the offset of the problem and a reason: no '=', an empty key or value, a key
 * with other characters, a second '=', a control character, a NUL, invalid UTF-8.
 */
#ifndef PMF_BREAKDOWN_H
#define PMF_BREAKDOWN_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* len when s[0..len) is UTF-8 without NUL; otherwise the offset of the first bad byte, with
 * *why "a NUL byte" or "invalid UTF-8" (why may be NULL). */
size_t pmf_text_check(const char *s, size_t len, const char **why);

/* Normalise the breakdown s[0..len) into out, which has room for len + 1 bytes (the result is
 * never longer than the input); *outlen is its length, out is NUL-terminated.  0, or -1 with
 * *at the 0-based offset in s of the problem and *why a phrase completing "'...' " (e.g. "is
 * not key=value (e.g. sex=F)").  Spelling is not resolved here: see pmf_breakdown_canonical. */
int pmf_breakdown_normalise(const char *s, size_t len, char *out, size_t *outlen, size_t *at,
                            const char **why);

/* Normalise as above, then take the spelling already stored for `metric` (and `area`, or any
 * area when area < 0) if one differs only in ASCII case (out is rewritten in place, same
 * length).  -1 with *why also for a store error (the detail in sqlite3_errmsg). */
int pmf_breakdown_canonical(pmf_store *s, int64_t metric, int64_t area, const char *in,
                            size_t len, char *out, size_t *outlen, size_t *at, const char **why);

/* The stored spelling of the normalised breakdown b[0..len) for `metric` (and `area`, or any
 * area when area < 0), differing from b only in ASCII case, copied over b; an exact match is
 * preferred.  1 found (b rewritten), 0 none, -1 store error.  With an area this is a range
 * of the observation table's key; without, a scan of the metric's rows (the importer asks
 * once per distinct breakdown of a metric that had data, and caches the answer). */
int pmf_breakdown_stored_spelling(pmf_store *s, int64_t metric, int64_t area, char *b,
                                  size_t len);

/* The same answer as pmf_breakdown_stored_spelling(s, metric, -1, b, len), asked first of
 * one area the caller has at hand (`near`, ignored when < 0): when that area already stores
 * b exactly, b is the answer (an exact match is preferred either way) and the scan of the
 * metric's rows is skipped: one seek of the key instead.  The importer's path for a monthly
 * return of breakdowns, whose spellings are nearly always stored for the same area. */
int pmf_breakdown_metric_spelling(pmf_store *s, int64_t metric, int64_t near, char *b,
                                  size_t len);

#endif
