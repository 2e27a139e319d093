/*
 * pattern.h: Lua 5.4 patterns (manual section 6.4.1) in pure C, with a way to stop.
 *
 * Why our own matcher: the stock one (lstrlib.c) runs to completion inside one C call, so
 * neither the sandbox's count hook nor its clock can stop a catastrophic pattern such as
 * ("a"):rep(120):find(".-.-.-.-b"), which runs for minutes.  This one calls an interrupt
 * callback every PM_CHECK_STEPS steps and gives up when it says so.  The Lua binding
 * (core/lpattern.c) installs find, match, gmatch and gsub built on it as the string
 * library's own, so user code (and the host) use it without knowing.
 *
 * Promises (pinned by tests/unit/test_pattern.c against the stock string library):
 * - The same matches, captures and positions as Lua 5.4 for every pattern item: single
 *   characters, '.', %a %c %d %g %l %p %s %u %w %x and their upper-case complements
 *   (C locale), escaped punctuation, sets [...] with ranges, classes and '^'; the
 *   quantifiers * + - ?; '^' anchors (handled by the caller) and '$' at the end; captures,
 *   position captures (), back-references %1-%9, %bxy and %f[set].
 * - The same error messages for malformed patterns (ms->error; the caller raises it).
 * - Recursion depth is bounded as Lua bounds it (PM_MAXDEPTH: "pattern too complex").
 * - Nothing is allocated; the subject need not be NUL-terminated.
 *
 * Error contract: pm_match returns NULL both when there is no match and on error; check
 * ms->error (a static message, or ms->errbuf) after every call.
 */
#ifndef PMF_PATTERN_H
#define PMF_PATTERN_H

#include <stddef.h>

#define PM_MAXCAPTURES 32
#define PM_MAXDEPTH 200
#define PM_CHECK_STEPS 4096
#define PM_CAP_UNFINISHED (-1)
#define PM_CAP_POSITION (-2)

typedef struct pm_state {
    const char *src_init, *src_end;   /* the subject */
    const char *p_end;                /* end of the pattern */
    int level;                        /* captures open or closed so far */
    int depth;                        /* recursion levels left */
    unsigned steps;                   /* until the next interrupt check */
    int (*interrupt)(void *ud);       /* nonzero: stop (ms->error = PM_INTERRUPTED) */
    void *ud;
    const char *error;                /* NULL, or why matching stopped */
    char errbuf[64];
    struct { const char *init; ptrdiff_t len; } capture[PM_MAXCAPTURES];
} pm_state;

extern const char PM_INTERRUPTED[];   /* the error when the interrupt stopped a match */

/* Prepare ms for the subject s[0..ls) and pattern p[0..lp); interrupt may be NULL. */
void pm_init(pm_state *ms, const char *s, size_t ls, const char *p, size_t lp,
             int (*interrupt)(void *), void *ud);

/* Try to match pattern p (a pointer into the pattern given to pm_init) at s: the end of
 * the match, or NULL.  Resets the captures first. */
const char *pm_match(pm_state *ms, const char *s, const char *p);

/* Capture i of the last match (s..e), as Lua numbers them from 0: *len >= 0 and *cap its
 * text, or *len == PM_CAP_POSITION and *cap the position.  With no captures, capture 0 is
 * the whole match.  Returns 0, or -1 with ms->error set ("invalid capture index %N",
 * "unfinished capture"). */
int pm_capture(pm_state *ms, int i, const char *s, const char *e, const char **cap,
               ptrdiff_t *len);

#endif
