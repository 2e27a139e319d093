/*
 * core/period_internal.h: helpers shared by period.c, period_parse.c and period_read.c
 * (not part of the public API).
 */
#ifndef PMF_PERIOD_INTERNAL_H
#define PMF_PERIOD_INTERNAL_H

#include "period.h"

#define MIN_INDEX ((int32_t)PMF_PERIOD_MIN_YEAR * 12)
#define MAX_INDEX ((int32_t)PMF_PERIOD_MAX_YEAR * 12 + 11)
#define SHORT_RANGE_MAX 20  /* "2021-23": a two-digit second year is at most 20 years on */

static inline int span_in_range(int64_t start, int64_t len) {
    return len >= 1 && start >= MIN_INDEX && start + len - 1 <= MAX_INDEX;
}

static inline int norm_year_start(int ys) {
    return ys == 0 ? PMF_PERIOD_DEFAULT_YEAR_START : ys;
}

/* A period from 64-bit arithmetic; a span beyond int32 gets len 0, which nothing accepts. */
static inline pmf_period mkperiod(int64_t start, int64_t len, int kind, int ys) {
    pmf_period p;
    int wide = start < INT32_MIN || start > INT32_MAX || len < 0 || len > INT32_MAX;
    p.start = wide ? 0 : (int32_t)start;
    p.len = wide ? 0 : (int32_t)len;
    p.kind = (uint8_t)kind;
    p.year_start = (uint8_t)ys;
    return p;
}

/* ---- the label reader's state, shared by period_parse.c and period_read.c ---- */

typedef struct parser {
    const char *s;          /* the label, trimmed and lower-cased */
    const char *orig;       /* the same characters as given (for messages) */
    size_t i;               /* cursor */
    int ys;                 /* year start 1-12 */
    int yt;                 /* a pmf_year_type */
    int infer;              /* a DHIS2 or ISO form: the kind comes from the span */
    int flags_ok;           /* the caller takes flags and snapshot dates */
    pmf_period_info info;
    char *err;
    size_t errlen;
    char shown[PMF_PERIOD_INPUT_MAX + 4];   /* the label as given, quoted in messages */
    char tail[PMF_PERIOD_INPUT_MAX];        /* the unread rest, as given */
} parser;

static inline int pp_digit(int c) { return c >= '0' && c <= '9'; }
static inline int pp_alpha(int c) { return c >= 'a' && c <= 'z'; }
static inline int pp_space(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* period "<label>": <why>; returns -1.  pp_ambiguous: period "<label>" is ambiguous: ... */
int pp_fail(parser *P, const char *fmt, ...);
int pp_ambiguous(parser *P, const char *fmt, ...);
int pp_ndigits(const parser *P);
int pp_take_num(parser *P, int k);
int pp_skip_ws(parser *P);
int pp_eat(parser *P, const char *w);
int pp_at_end(parser *P);
const char *pp_rest(parser *P);

int pp_take_index(parser *P, int max, const char *letter, int *n);   /* after Q, H, S, BiM */

/* The grammar (period_parse.c), DHIS2 and ISO (period_dhis2.c), words and dates
 * (period_read.c). */
int pp_label(parser *P, pmf_period *out);
int pp_take_date(parser *P, pmf_date *d);                     /* strict YYYY-MM-DD */
int pp_iso_interval(parser *P, pmf_date from, pmf_period *out);   /* after its start date */
int pp_dhis2_word(parser *P, int y, pmf_period *out);         /* 2023April, 2023NovS1 */
int pp_yyyymm(parser *P, pmf_period *out);                    /* 202309, 202301B */
int pp_words(parser *P, pmf_period *out);
int pp_snapshot(parser *P, pmf_date d, pmf_period *out);

/* Financial and academic years by the year they end in (a bare "2023"). */
static inline int64_t fy_start_of(int64_t y, int ys) { return y * 12 + ys - 1; }
static inline int64_t fy_ending_in(int64_t y, int ys) { return ys == 1 ? y * 12 : (y - 1) * 12 + ys - 1; }
static inline int64_t ay_ending_in(int64_t y) { return (y - 1) * 12 + 8; }

#endif
