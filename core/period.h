/*
 * core/period.h: periods as spans of months and their labels (dates and the working-day
 * calendar they use: calendar.h).
 *
 * A period is (start, len): `start` is a month index, year * 12 + (month - 1), and `len` a
 * number of months (>= 1).  `kind` remembers how a label was written so it prints back the
 * same way, and `year_start` (1-12, April = 4) is the framework's financial year start that
 * financial labels are read and printed by.  The store keeps only (start, len); a period read
 * back from it gets its natural kind from pmf_period_infer_kind().
 *
 * Canonical labels (parse accepts the alternatives in brackets, case-insensitively, with
 * surrounding white space trimmed and any run of spaces between the parts):
 *   month             2025-09                 [202309]
 *   financial year    2025/26                 [2025-26, 2025/2026, 2025-2026, FY2025/26,
 *                                              2025 to 2026]
 *   financial quarter 2025/26 Q2              [Q2 2025/26, 2025-26 Q2, Q2 FY2025/26,
 *                                              2025-26;Q2, 2025 to 2026 Q2]
 *   financial half    2025/26 H1              [H1 2025/26]
 *   calendar year     2025
 *   calendar quarter  2025 Q3
 *   academic year     AY 2024/25              [AY2024-25]  (September to August)
 *   multi-year range  2021-23                 [2021-2023, 2021 - 23]  (three or more years)
 *   generic span      2025-05..2025-08
 * In a framework whose year starts in January the financial year is the calendar year, so
 * its year, quarters and halves print as "2025", "2025 Q3", "2025 H1" (kinds fy, fq, fh),
 * and a two-year label such as "2025/26" is an error.  Elsewhere "2025 H1" (a calendar
 * half) is read as the span 2025-01..2025-06.
 *
 * Year types (pmf_period_parse_typed).  A file of publisher's labels declares what its
 * years are: financial, academic or calendar.  The declared type reads:
 *   label            financial            academic             calendar          none
 *   2023             FY 2022/23 (*)       AY 2022/23 (*)       2023              2023
 *   2023/24, 2023-24 FY 2023/24           AY 2023/24           error             FY 2023/24
 *   2011-12          FY 2011/12           AY 2011/12           December 2011     error (**)
 *   2025-09          September 2025       September 2025       September 2025    Sept 2025
 *   2014-16          FYs 2013/14-2015/16  AYs 2013/14-2015/16  2014 to 2016      2014 to 2016
 *   2013/14-15/16    FYs 2013/14-2015/16  AYs 2013/14-2015/16  error             FYs
 *   Q2 2026          error (which FY?)    error                2026 Q2           error (**)
 *   2026 Q2          error (which FY?)    error                2026 Q2           2026 Q2
 * (*) a bare year names the financial or academic year ending in it, as DfE does: LAIT's
 *     "2025" for key stage 2 is 2024/25 (tests sat May 2025, published December 2025), its
 *     "2025" for children in low-income families the year to March 2025.
 * (**) ambiguous: "2011-12" (YYYY-NN with NN = YYYY+1, a month too) and "Q2 2026" (a
 *     calendar or a financial quarter) are errors naming both readings.  "2025-09" is a
 *     month under every type (09 is not 26), and "2026 Q2" is the calendar quarter (ONS's
 *     and pmf's own form).  Under a January year start the financial and calendar readings
 *     coincide and nothing is ambiguous.
 * Also read (any type unless said): cumulative spans "2021/22 Q1 - 2024/25 Q2" (financial
 * quarters: the months from the first's start to the second's end); multi-year ranges of
 * financial years "2020/21 - 24/25"; words "April to June 2010 (Q1)", "April 2022 to March
 * 2023 (Q1 to Q4)", "June 2014" (the quarter annotation is checked against the months);
 * a description before " - " with no digits in it ("Total receipts ... - 2010 to 2011") is
 * skipped; dated snapshots "30 June 2014", "30 Sept 2014", "31st January 2023",
 * "2023-03-31" read as the month holding the date, with the flag PMF_LABEL_SNAPSHOT and the
 * date in info ("31 September 2015" is an error naming the impossible date); suffixes
 * "(prov)", "(P)", "(provisional)", "(Rev)", "(R)", "(revised)", "(OT)" (outturn, as LAIT's
 * dictionary uses it), "(Final)" become flags, separately from the period.  Labels with a
 * flag or a snapshot date are read only where the caller takes the flags (info not NULL).
 *
 * Other readings, decided: in "YYYY-NN" (NN not a month, or not the next year) NN is the
 * last two digits of the next later year ending in them, at most 20 years on ("2025-13" is
 * a bad month, not 2025-2113).  "2023Q2" (no space) is a DHIS2 id and gets the framework's
 * natural kind (Apr-Jun 2023 is "2023/24 Q1" under an April year start).
 *
 * Also read, with the natural kind: DHIS2 ids (202309, 202301B, 2023BiM1, 2023Q2,
 * 2024NovQ1, 2023S1, 2004AprilS1, 2024NovS1, 2023, 2023April, 2023July, 2023Sep, 2023Oct,
 * 2024Nov; the Nov forms name the year they end in, as DHIS2 does) and ISO 8601 intervals
 * (2015-04-01/P1Y, /P3M, /P1Y6M, 2015-04-01/2016-03-31).  Error messages quote the label
 * as given (case kept).
 *
 * Years run from PMF_PERIOD_MIN_YEAR to PMF_PERIOD_MAX_YEAR (four digits), and a financial
 * quarter or half must lie in a financial year starting in that range; every function that
 * would leave it fails instead.  Functions returning int return 0 on success and -1 on
 * failure unless they say otherwise.  A year start of 0 means April.  Nothing here
 * allocates or keeps state.
 */
#ifndef PMF_PERIOD_H
#define PMF_PERIOD_H

#include "calendar.h"   /* pmf_date, the year range, working days */

#include <stddef.h>
#include <stdint.h>

#define PMF_PERIOD_DEFAULT_YEAR_START 4     /* April, the UK public sector's year */
#define PMF_PERIOD_LABEL_MAX 48             /* room for any label, DHIS2 or ISO form + NUL */
#define PMF_PERIOD_ERR_MAX 512              /* room for any parse error message, whole */
#define PMF_PERIOD_INPUT_MAX 160            /* longest label read (a described one included) */

typedef enum pmf_period_kind {
    PMF_PERIOD_MONTH = 0,   /* "month" */
    PMF_PERIOD_FY,          /* "fy": financial year, 12 months from the year start */
    PMF_PERIOD_FQ,          /* "fq": financial quarter */
    PMF_PERIOD_FH,          /* "fh": financial half */
    PMF_PERIOD_CY,          /* "cy": calendar year */
    PMF_PERIOD_CQ,          /* "cq": calendar quarter */
    PMF_PERIOD_AY,          /* "ay": academic year, September to August */
    PMF_PERIOD_RANGE,       /* "range": three or more whole calendar years */
    PMF_PERIOD_SPAN,        /* "span": any run of months */
    PMF_PERIOD_NKINDS
} pmf_period_kind;

typedef struct pmf_period {
    int32_t start;          /* month index: year * 12 + (month - 1) */
    int32_t len;            /* months, >= 1 */
    uint8_t kind;           /* a pmf_period_kind */
    uint8_t year_start;     /* 1-12 */
} pmf_period;

/* ---- kinds and construction ---- */
const char *pmf_period_kind_name(int kind);             /* "month", "fy", ...; NULL if bad */
int pmf_period_kind_from_name(const char *name);        /* kind, or -1 */
int pmf_period_infer_kind(int32_t start, int32_t len, int year_start);
int pmf_period_make(int32_t start, int32_t len, int year_start, pmf_period *out);
int pmf_period_month(int year, int month, int year_start, pmf_period *out);
int pmf_period_check(pmf_period p);                     /* 0 if in range and kind fits */

/* ---- year types and label flags (pmf_period_parse_typed) ---- */
typedef enum pmf_year_type {
    PMF_YEAR_NONE = 0,      /* undeclared: ambiguous labels are errors */
    PMF_YEAR_FINANCIAL,     /* "financial": the framework's year start (April) */
    PMF_YEAR_ACADEMIC,      /* "academic": September to August */
    PMF_YEAR_CALENDAR       /* "calendar" */
} pmf_year_type;

#define PMF_LABEL_PROVISIONAL 1u    /* (prov), (P), (provisional) */
#define PMF_LABEL_REVISED     2u    /* (Rev), (R), (revised) */
#define PMF_LABEL_OUTTURN     4u    /* (OT), (outturn) */
#define PMF_LABEL_FINAL       8u    /* (Final) */
#define PMF_LABEL_SNAPSHOT   16u    /* a date: the period is the month holding it */

typedef struct pmf_period_opts {
    int year_start;         /* 1-12; 0 = April */
    int year_type;          /* a pmf_year_type */
} pmf_period_opts;

typedef struct pmf_period_info {
    unsigned flags;         /* PMF_LABEL_* */
    pmf_date snapshot;      /* the date, when flags has PMF_LABEL_SNAPSHOT; else zeros */
} pmf_period_info;

const char *pmf_year_type_name(int year_type);          /* "financial"...; "none"; NULL */
int pmf_year_type_from_name(const char *name);          /* a pmf_year_type, or -1 */
/* The year type under which a kind's canonical label reads back as that kind. */
int pmf_period_kind_year_type(int kind);

/* ---- labels ----
 * parse: 0 and *out, or -1 and a message naming what was wrong in err (NULL allowed),
 * e.g. 'period "2025/27": a financial year runs over two consecutive years, e.g. 2025/26'.
 * format*: snprintf's result, or -1 for an invalid period (format_dhis2 also where DHIS2
 * has no period type for the span); PMF_PERIOD_LABEL_MAX bytes always suffice. */
int pmf_period_parse(const char *s, int year_start, pmf_period *out, char *err, size_t errlen);
/* As parse, under a declared year type (opts NULL: April, none).  info NULL refuses labels
 * carrying a flag or a snapshot date (they cannot be returned); else it receives them. */
int pmf_period_parse_typed(const char *s, const pmf_period_opts *opts, pmf_period *out,
                           pmf_period_info *info, char *err, size_t errlen);
int pmf_period_format(pmf_period p, char *buf, size_t n);           /* canonical label */
int pmf_period_format_dhis2(pmf_period p, char *buf, size_t n);     /* 2025Q3, 2025April */
int pmf_period_format_iso(pmf_period p, char *buf, size_t n);       /* 2025-07-01/P3M */

/* ---- properties ---- */
int pmf_period_year(pmf_period p);      /* the year a label names (2025 for 2025/26) */
int pmf_period_quarter(pmf_period p);   /* 1-4 for fq and cq, else 0 */
int pmf_period_half(pmf_period p);      /* 1-2 for fh, else 0 */
pmf_date pmf_period_start_date(pmf_period p);
pmf_date pmf_period_end_date(pmf_period p);

/* ---- arithmetic ---- */
int pmf_period_shift(pmf_period p, int32_t n, pmf_period *out);    /* n periods on (or back) */
int pmf_period_last_year(pmf_period p, pmf_period *out);            /* 12 months back */
int pmf_period_contains(pmf_period outer, pmf_period inner);        /* 1 or 0 */
int pmf_period_nth_month(pmf_period p, int32_t i, pmf_period *out); /* i in 0 .. len-1 */
int pmf_period_quarter_of(pmf_period p, pmf_period *out);  /* financial quarter holding p */
int pmf_period_half_of(pmf_period p, pmf_period *out);     /* financial half holding p */
int pmf_period_year_of(pmf_period p, pmf_period *out);     /* financial year holding p */
int pmf_period_compare(pmf_period a, pmf_period b);        /* by start, then len: -1, 0, 1 */
int pmf_period_deadline(pmf_period p, int n, pmf_date *out);  /* n working days after the end
                                                                 date; n = 0: the end date */

#endif
