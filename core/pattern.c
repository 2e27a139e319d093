/*
 * pattern.c: Lua 5.4 patterns in pure C, stoppable (see pattern.h for what it promises).
 *
 * Written from the Lua 5.4 reference manual, section 6.4.1.  A backtracking matcher: a
 * pattern item is matched in a loop, and a recursive call is made only where a choice has
 * to be undone (the quantifiers * + - ?, opening and closing a capture), so the recursion
 * depth counts the same way Lua's does and "pattern too complex" comes at the same point.
 *
 * Stopping: every loop that may repeat (items in sequence, the expansion of a quantifier,
 * the scan of %b) counts a step; every PM_CHECK_STEPS steps the interrupt callback is asked
 * whether to go on.  On "stop" (or any error) ms->error is set and every level returns NULL
 * at once, trying no further alternatives.
 */
#include "pattern.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define ESC '%'

const char PM_INTERRUPTED[] = "time limit exceeded";

static const char *do_match(pm_state *ms, const char *s, const char *p);

static const char *fail(pm_state *ms, const char *msg) {
    if (!ms->error) ms->error = msg;
    return NULL;
}

void pm_init(pm_state *ms, const char *s, size_t ls, const char *p, size_t lp,
             int (*interrupt)(void *), void *ud) {
    ms->src_init = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
    ms->level = 0;
    ms->depth = PM_MAXDEPTH;
    ms->steps = PM_CHECK_STEPS;
    ms->interrupt = interrupt;
    ms->ud = ud;
    ms->error = NULL;
}

/* One step of work; nonzero when matching must stop. */
static int tick(pm_state *ms) {
    if (--ms->steps == 0) {
        ms->steps = PM_CHECK_STEPS;
        if (ms->interrupt && ms->interrupt(ms->ud)) fail(ms, PM_INTERRUPTED);
    }
    return ms->error != NULL;
}

/* The end of the single-character class starting at p (a character, '.', %x or a set). */
static const char *class_end(pm_state *ms, const char *p) {
    char c = *p++;
    if (c == ESC) {
        if (p >= ms->p_end) return fail(ms, "malformed pattern (ends with '%')");
        return p + 1;
    }
    if (c == '[') {
        if (p < ms->p_end && *p == '^') p++;
        do {   /* the first character belongs to the set, even when it is ']' */
            if (p >= ms->p_end) return fail(ms, "malformed pattern (missing ']')");
            c = *p++;
            if (c == ESC && p < ms->p_end) p++;   /* an escaped character, such as %] */
        } while (p >= ms->p_end || *p != ']');
        return p + 1;
    }
    return p;
}

/* Does character c belong to class %cl (an upper-case letter is the complement)? */
static int class_match(int c, int cl) {
    int r;
    switch (tolower(cl)) {
    case 'a': r = isalpha(c); break;
    case 'c': r = iscntrl(c); break;
    case 'd': r = isdigit(c); break;
    case 'g': r = isgraph(c); break;
    case 'l': r = islower(c); break;
    case 'p': r = ispunct(c); break;
    case 's': r = isspace(c); break;
    case 'u': r = isupper(c); break;
    case 'w': r = isalnum(c); break;
    case 'x': r = isxdigit(c); break;
    case 'z': r = c == 0; break;   /* not in the 5.4 manual, but Lua still accepts it */
    default: return cl == c;   /* %. %% %] ...: the character itself */
    }
    return isupper(cl) ? !r : r != 0;
}

/* Does c belong to the set from '[' at p to its ']' at end? */
static int set_match(int c, const char *p, const char *end) {
    int in = 1;
    if (*++p == '^') {
        in = 0;
        p++;
    }
    for (; p < end; p++) {
        if (*p == ESC) {
            p++;
            if (class_match(c, (unsigned char)*p)) return in;
        } else if (p[1] == '-' && p + 2 < end) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return in;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return in;
        }
    }
    return !in;
}

/* Does the subject character at s match the class p..ep? */
static int single_match(const pm_state *ms, const char *s, const char *p, const char *ep) {
    if (s >= ms->src_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case ESC: return class_match(c, (unsigned char)p[1]);
    case '[': return set_match(c, p, ep - 1);
    default:  return (unsigned char)*p == c;
    }
}

/* Greedy: as many as match, then give back one at a time. */
static const char *max_expand(pm_state *ms, const char *s, const char *p, const char *ep) {
    ptrdiff_t i = 0;
    while (single_match(ms, s + i, p, ep)) {
        i++;
        if (tick(ms)) return NULL;
    }
    for (; i >= 0; i--) {
        const char *r = do_match(ms, s + i, ep + 1);
        if (r || ms->error) return r;
    }
    return NULL;
}

/* Lazy: as few as let the rest match. */
static const char *min_expand(pm_state *ms, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *r = do_match(ms, s, ep + 1);
        if (r || ms->error) return r;
        if (!single_match(ms, s, p, ep)) return NULL;
        s++;
    }
}

static const char *capture_open(pm_state *ms, const char *s, const char *p, ptrdiff_t what) {
    if (ms->level >= PM_MAXCAPTURES) return fail(ms, "too many captures");
    ms->capture[ms->level].init = s;
    ms->capture[ms->level].len = what;
    ms->level++;
    const char *r = do_match(ms, s, p);
    if (!r) ms->level--;
    return r;
}

static const char *capture_close(pm_state *ms, const char *s, const char *p) {
    int l = ms->level - 1;
    while (l >= 0 && ms->capture[l].len != PM_CAP_UNFINISHED) l--;
    if (l < 0) return fail(ms, "invalid pattern capture");
    ms->capture[l].len = s - ms->capture[l].init;
    const char *r = do_match(ms, s, p);
    if (!r) ms->capture[l].len = PM_CAP_UNFINISHED;
    return r;
}

/* %bxy at s (p points at x): the end of the balanced run, or NULL. */
static const char *balance(pm_state *ms, const char *s, const char *p) {
    if (p + 1 >= ms->p_end) return fail(ms, "malformed pattern (missing arguments to '%b')");
    if (s >= ms->src_end || *s != *p) return NULL;
    int open = 1;
    while (++s < ms->src_end) {
        if (*s == p[1]) {
            if (--open == 0) return s + 1;
        } else if (*s == *p) {
            open++;
        }
        if (tick(ms)) return NULL;
    }
    return NULL;
}

/* %1-%9 at s: the same text as that capture. */
static const char *back_reference(pm_state *ms, const char *s, int digit) {
    int l = digit - '1';
    if (l < 0 || l >= ms->level || ms->capture[l].len == PM_CAP_UNFINISHED) {
        snprintf(ms->errbuf, sizeof ms->errbuf, "invalid capture index %%%d", l + 1);
        return fail(ms, ms->errbuf);
    }
    ptrdiff_t len = ms->capture[l].len;   /* a position capture never matches text */
    if (len >= 0 && ms->src_end - s >= len && memcmp(ms->capture[l].init, s, (size_t)len) == 0)
        return s + len;
    return NULL;
}

/* Match pattern p at s; the end of the match or NULL. */
static const char *do_match(pm_state *ms, const char *s, const char *p) {
    if (ms->depth-- == 0) return fail(ms, "pattern too complex");
    const char *r = NULL;
    for (;;) {
        if (p >= ms->p_end) {   /* the whole pattern matched */
            r = s;
            break;
        }
        if (tick(ms)) break;
        if (*p == '(') {
            if (p + 1 < ms->p_end && p[1] == ')') r = capture_open(ms, s, p + 2, PM_CAP_POSITION);
            else r = capture_open(ms, s, p + 1, PM_CAP_UNFINISHED);
            break;
        }
        if (*p == ')') {
            r = capture_close(ms, s, p + 1);
            break;
        }
        if (*p == '$' && p + 1 == ms->p_end) {   /* '$' anchors only at the very end */
            r = s == ms->src_end ? s : NULL;
            break;
        }
        if (*p == ESC && p + 1 < ms->p_end) {
            if (p[1] == 'b') {
                s = balance(ms, s, p + 2);
                if (!s) break;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {   /* frontier: the previous character not in the set, this one in */
                p += 2;
                if (p >= ms->p_end || *p != '[') {
                    fail(ms, "missing '[' after '%f' in pattern");
                    break;
                }
                const char *ep = class_end(ms, p);
                if (!ep) break;
                int prev = s == ms->src_init ? 0 : (unsigned char)s[-1];
                int cur = s < ms->src_end ? (unsigned char)*s : 0;
                if (set_match(prev, p, ep - 1) || !set_match(cur, p, ep - 1)) break;
                p = ep;
                continue;
            }
            if (isdigit((unsigned char)p[1])) {
                s = back_reference(ms, s, p[1]);
                if (!s) break;
                p += 2;
                continue;
            }
        }
        /* a single-character class, perhaps with a quantifier */
        const char *ep = class_end(ms, p);
        if (!ep) break;
        char q = ep < ms->p_end ? *ep : '\0';
        if (!single_match(ms, s, p, ep)) {
            if (q == '*' || q == '?' || q == '-') {   /* zero repetitions are fine */
                p = ep + 1;
                continue;
            }
            break;
        }
        if (q == '?') {
            r = do_match(ms, s + 1, ep + 1);
            if (r || ms->error) break;
            p = ep + 1;
            continue;
        }
        if (q == '+') { r = max_expand(ms, s + 1, p, ep); break; }
        if (q == '*') { r = max_expand(ms, s, p, ep); break; }
        if (q == '-') { r = min_expand(ms, s, p, ep); break; }
        s++;
        p = ep;
    }
    ms->depth++;
    return ms->error ? NULL : r;
}

const char *pm_match(pm_state *ms, const char *s, const char *p) {
    ms->level = 0;
    ms->depth = PM_MAXDEPTH;
    return do_match(ms, s, p);
}

int pm_capture(pm_state *ms, int i, const char *s, const char *e, const char **cap,
               ptrdiff_t *len) {
    if (i >= ms->level) {
        if (i != 0) {
            snprintf(ms->errbuf, sizeof ms->errbuf, "invalid capture index %%%d", i + 1);
            ms->error = ms->errbuf;
            return -1;
        }
        *cap = s;   /* no captures: capture 0 is the whole match */
        *len = e - s;
        return 0;
    }
    *cap = ms->capture[i].init;
    *len = ms->capture[i].len;
    if (*len == PM_CAP_UNFINISHED) {
        ms->error = "unfinished capture";
        return -1;
    }
    return 0;
}
