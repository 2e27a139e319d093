/*
 * tests/unit/test_period.c: periods, labels (UK, DHIS2, ISO 8601), arithmetic, bank
 * holidays and deadlines.  Table-driven: each table row is one behaviour a user sees.
 */
#include "test.h"
#include "../../core/period.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char buf[PMF_PERIOD_LABEL_MAX], buf2[PMF_PERIOD_LABEL_MAX];
static char err[PMF_PERIOD_ERR_MAX];
static char what[1024];

/* A test description with the values in it, so a failure says what was expected. */
static const char *DESCR(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return what;
}

/* Parses or fails the test run loudly; for fixtures that must parse. */
static pmf_period P(const char *label, int ys) {
    pmf_period p = { 0, 0, 0, 0 };
    if (pmf_period_parse(label, ys, &p, err, sizeof err) != 0)
        fprintf(stderr, "fixture \"%s\" (ys %d) did not parse: %s\n", label, ys, err);
    return p;
}

static const char *L(pmf_period p) {
    if (pmf_period_format(p, buf, sizeof buf) < 0) return "(unprintable)";
    return buf;
}

static const char *D(pmf_date d) {
    static char dbuf[4][16];
    static int k;
    k = (k + 1) % 4;
    if (pmf_date_format(d, dbuf[k], sizeof dbuf[k]) < 0) return "(bad date)";
    return dbuf[k];
}

/* ---- labels that parse: label, year start -> canonical label, kind, start, length ---- */
static const struct {
    const char *label;
    int ys;
    const char *canon, *kind, *start;
    int len;
} good[] = {
    /* months */
    { "2025-09", 4, "2025-09", "month", "2025-09", 1 },
    { "202309", 4, "2023-09", "month", "2023-09", 1 },
    { "1000-02", 4, "1000-02", "month", "1000-02", 1 },
    { "9999-12", 4, "9999-12", "month", "9999-12", 1 },
    /* financial years, every spelling */
    { "2025/26", 4, "2025/26", "fy", "2025-04", 12 },
    { "2025-26", 4, "2025/26", "fy", "2025-04", 12 },
    { "2025/2026", 4, "2025/26", "fy", "2025-04", 12 },
    { "2025-2026", 4, "2025/26", "fy", "2025-04", 12 },
    { "FY2025/26", 4, "2025/26", "fy", "2025-04", 12 },
    { "fy 2025-26", 4, "2025/26", "fy", "2025-04", 12 },
    { "2011/12", 4, "2011/12", "fy", "2011-04", 12 },
    { "2099/00", 4, "2099/00", "fy", "2099-04", 12 },       /* century roll */
    { "2099-00", 4, "2099/00", "fy", "2099-04", 12 },
    { "2099/2100", 4, "2099/00", "fy", "2099-04", 12 },
    { "1999/00", 4, "1999/00", "fy", "1999-04", 12 },
    { "9998/99", 4, "9998/99", "fy", "9998-04", 12 },
    /* financial quarters and halves; Q4 is in the next calendar year */
    { "2025/26 Q1", 4, "2025/26 Q1", "fq", "2025-04", 3 },
    { "2025/26 Q2", 4, "2025/26 Q2", "fq", "2025-07", 3 },
    { "2025/26 Q3", 4, "2025/26 Q3", "fq", "2025-10", 3 },
    { "2025/26 Q4", 4, "2025/26 Q4", "fq", "2026-01", 3 },
    { "Q2 2025/26", 4, "2025/26 Q2", "fq", "2025-07", 3 },
    { "q2 fy2025/26", 4, "2025/26 Q2", "fq", "2025-07", 3 },
    { "2025-26 Q2", 4, "2025/26 Q2", "fq", "2025-07", 3 },
    { "2025/26q2", 4, "2025/26 Q2", "fq", "2025-07", 3 },
    { "  2025/26   q2 \t", 4, "2025/26 Q2", "fq", "2025-07", 3 },
    { "2099/00 Q4", 4, "2099/00 Q4", "fq", "2100-01", 3 },
    { "2025/26 H1", 4, "2025/26 H1", "fh", "2025-04", 6 },
    { "H2 2025/26", 4, "2025/26 H2", "fh", "2025-10", 6 },
    /* calendar years and quarters */
    { "2025", 4, "2025", "cy", "2025-01", 12 },
    { "2025 Q3", 4, "2025 Q3", "cq", "2025-07", 3 },
    { "2025  q1", 4, "2025 Q1", "cq", "2025-01", 3 },
    { "2025 H1", 4, "2025-01..2025-06", "span", "2025-01", 6 },   /* no calendar-half kind */
    /* academic years */
    { "AY 2024/25", 4, "AY 2024/25", "ay", "2024-09", 12 },
    { "ay2024-25", 4, "AY 2024/25", "ay", "2024-09", 12 },
    { "AY 2024/2025", 4, "AY 2024/25", "ay", "2024-09", 12 },
    { "AY 2099/00", 4, "AY 2099/00", "ay", "2099-09", 12 },
    /* multi-year ranges: three or more calendar years */
    { "2021-23", 4, "2021-23", "range", "2021-01", 36 },
    { "2021-2023", 4, "2021-23", "range", "2021-01", 36 },
    { "2016-2025", 4, "2016-25", "range", "2016-01", 120 },
    { "2001-2003", 4, "2001-2003", "range", "2001-01", 36 },   /* 2001-03 is March 2001 */
    { "2098-00", 4, "2098-00", "range", "2098-01", 36 },
    { "2000-2030", 4, "2000-2030", "range", "2000-01", 372 },
    /* generic spans */
    { "2025-05..2025-08", 4, "2025-05..2025-08", "span", "2025-05", 4 },
    { "2025-05 .. 2025-08", 4, "2025-05..2025-08", "span", "2025-05", 4 },
    { "2025-11..2026-02", 4, "2025-11..2026-02", "span", "2025-11", 4 },
    { "2025-05..2025-05", 4, "2025-05..2025-05", "span", "2025-05", 1 },
    /* DHIS2 ids take the framework's natural kind */
    { "2023April", 4, "2023/24", "fy", "2023-04", 12 },
    { "2023april", 4, "2023/24", "fy", "2023-04", 12 },
    { "2023July", 4, "2023-07..2024-06", "span", "2023-07", 12 },
    { "2023Sep", 4, "AY 2023/24", "ay", "2023-09", 12 },
    { "2023Oct", 4, "2023-10..2024-09", "span", "2023-10", 12 },
    { "2023Nov", 4, "2022-11..2023-10", "span", "2022-11", 12 },   /* DHIS2: ends in 2023 */
    { "2023Q2", 4, "2023/24 Q1", "fq", "2023-04", 3 },
    { "2023Q1", 4, "2022/23 Q4", "fq", "2023-01", 3 },
    { "2004AprilS1", 4, "2004/05 H1", "fh", "2004-04", 6 },
    { "2004AprilS2", 4, "2004/05 H2", "fh", "2004-10", 6 },
    { "2023S1", 4, "2023-01..2023-06", "span", "2023-01", 6 },
    { "2023S2", 4, "2023-07..2023-12", "span", "2023-07", 6 },
    { "2024NovS1", 4, "2023-11..2024-04", "span", "2023-11", 6 },
    { "2024NovS2", 4, "2024-05..2024-10", "span", "2024-05", 6 },
    { "2024NovQ1", 4, "2023-11..2024-01", "span", "2023-11", 3 },
    { "2024NovQ4", 4, "2024-08..2024-10", "span", "2024-08", 3 },
    { "2023BiM1", 4, "2023-01..2023-02", "span", "2023-01", 2 },
    { "2023BiM6", 4, "2023-11..2023-12", "span", "2023-11", 2 },
    { "202303B", 4, "2023-03..2023-04", "span", "2023-03", 2 },
    { "2023", 4, "2023", "cy", "2023-01", 12 },
    /* ISO 8601 intervals */
    { "2015-04-01/P1Y", 4, "2015/16", "fy", "2015-04", 12 },
    { "2015-04-01/P3M", 4, "2015/16 Q1", "fq", "2015-04", 3 },
    { "2015-04-01/P6M", 4, "2015/16 H1", "fh", "2015-04", 6 },
    { "2015-04-01/P1M", 4, "2015-04", "month", "2015-04", 1 },
    { "2015-04-01/P2Y", 4, "2015-04..2017-03", "span", "2015-04", 24 },
    { "2015-04-01/P1Y6M", 4, "2015-04..2016-09", "span", "2015-04", 18 },
    { "2015-04-01/2016-03-31", 4, "2015/16", "fy", "2015-04", 12 },
    { "2024-02-01/2024-02-29", 4, "2024-02", "month", "2024-02", 1 },
    { "2021-01-01/P3Y", 4, "2021-23", "range", "2021-01", 36 },
    /* a January framework: the financial year is the calendar year */
    { "2025", 1, "2025", "fy", "2025-01", 12 },
    { "2025 Q3", 1, "2025 Q3", "fq", "2025-07", 3 },
    { "Q1 2025", 1, "2025 Q1", "fq", "2025-01", 3 },
    { "2025 H2", 1, "2025 H2", "fh", "2025-07", 6 },
    { "2023Q2", 1, "2023 Q2", "fq", "2023-04", 3 },
    { "2023S1", 1, "2023 H1", "fh", "2023-01", 6 },
    { "2023April", 1, "2023-04..2024-03", "span", "2023-04", 12 },
    { "AY 2024/25", 1, "AY 2024/25", "ay", "2024-09", 12 },
    /* a September framework */
    { "2025/26", 9, "2025/26", "fy", "2025-09", 12 },
    { "2025/26 Q1", 9, "2025/26 Q1", "fq", "2025-09", 3 },
    { "2025/26 Q2", 9, "2025/26 Q2", "fq", "2025-12", 3 },
    { "2025/26 Q4", 9, "2025/26 Q4", "fq", "2026-06", 3 },
    { "2025/26 H2", 9, "2025/26 H2", "fh", "2026-03", 6 },
    { "AY 2025/26", 9, "AY 2025/26", "ay", "2025-09", 12 },    /* kept as written */
    { "2023Sep", 9, "2023/24", "fy", "2023-09", 12 },
    { "2025", 9, "2025", "cy", "2025-01", 12 },
    { "2025 Q1", 9, "2025 Q1", "cq", "2025-01", 3 },
    /* July and November frameworks */
    { "2023July", 7, "2023/24", "fy", "2023-07", 12 },
    { "2025 H2", 7, "2025-07..2025-12", "span", "2025-07", 6 },
    { "2026Nov", 11, "2025/26", "fy", "2025-11", 12 },
    { "2026NovQ1", 11, "2025/26 Q1", "fq", "2025-11", 3 },
    { "2026NovS2", 11, "2025/26 H2", "fh", "2026-05", 6 },
    /* year start 0 means the default, April */
    { "2025/26 Q4", 0, "2025/26 Q4", "fq", "2026-01", 3 },
};

/* ---- labels that must fail, and a fragment of the message that says why ---- */
static const struct {
    const char *label;
    int ys;
    const char *why;
} bad[] = {
    { "", 4, "empty label" },
    { "   ", 4, "empty label" },
    { "2025/27", 4, "two consecutive years" },
    { "2025/25", 4, "two consecutive years" },
    { "2025-13", 4, "month 13 is not 01 to 12" },
    { "2025-00", 4, "month 00 is not 01 to 12" },
    { "2025-46", 4, "month 46" },
    { "2025/26 Q5", 4, "a quarter is Q1 to Q4" },
    { "2025/26 Q0", 4, "a quarter is Q1 to Q4" },
    { "Q5 2025/26", 4, "a quarter is Q1 to Q4" },
    { "2025/26 H3", 4, "a half is H1 to H2" },
    { "2025/26x", 4, "unexpected \"x\"" },
    { "2025/26 Q2 extra", 4, "unexpected" },
    { "2025-09x", 4, "unexpected \"x\"" },
    { "2025 Q3 Q4", 4, "unexpected" },
    { "2025 X1", 4, "expected Q1-Q4 or H1-H2" },
    { "Q2", 4, "expected a space and a year" },
    { "Q2 2025-09", 4, "two consecutive years" },
    { "2021-2021", 4, "must come after 2021" },
    { "2023-2021", 4, "must come after 2023" },
    { "2021-23 Q1", 4, "unexpected" },
    { "abc", 4, "expected a label like" },
    { "25/26", 4, "expected a label like" },
    { "AY 2024", 4, "AY 2024/25" },
    { "AY 2024/26", 4, "two consecutive years" },
    { "FY2025", 4, "FY2025/26" },
    { "2025-09-15", 4, "a date is not a period" },
    { "2025-02-30/P1M", 4, "is not a date" },
    { "2015-04-15/P1Y", 4, "start on the 1st" },
    { "2015-04-01/2016-03-30", 4, "last day of a month" },
    { "2016-04-01/2015-03-31", 4, "ends before it starts" },
    { "2015-04-01/P1D", 4, "whole months" },
    { "2015-04-01/P1W", 4, "whole months" },
    { "2015-04-01/PT1H", 4, "duration" },
    { "2015-04-01/P0M", 4, "at least one month" },
    { "2015-04-01/P", 4, "duration" },
    { "2015-04-01/P6M1Y", 4, "duration" },
    { "2015-04-01/P1Y junk", 4, "duration" },
    { "2025-08..2025-05", 4, "ends before it starts" },
    { "2025-05..2025-13", 4, "month 13" },
    { "2025-05..", 4, "after \"..\"" },
    { "2023W10", 4, "weeks are not supported" },
    { "2023BiW1", 4, "weeks are not supported" },
    { "20230401", 4, "days are not supported" },
    { "2023Q5", 4, "a quarter is Q1 to Q4" },
    { "2023Q", 4, "unknown period suffix" },
    { "2023S3", 4, "S1 to S2" },
    { "2023BiM7", 4, "BiM1 to BiM6" },
    { "202302B", 4, "odd month" },
    { "202313", 4, "month 13" },
    { "2023Foo", 4, "unknown period suffix \"Foo\"" },
    { "2023Septembers", 4, "unknown period suffix" },
    { "2025/26", 1, "calendar year" },
    { "2025/26 Q1", 1, "calendar year" },
    { "Q1 2025/26", 1, "calendar year" },
    { "0999", 4, "years must be 1000 to 9999" },
    { "0999-12", 4, "years must be 1000 to 9999" },
    { "9999/00", 4, "years must be 1000 to 9999" },
    { "1000Nov", 4, "years must be 1000 to 9999" },
    { "9999-01-01/P2Y", 4, "years must be 1000 to 9999" },
    { "2025", 13, "year start 13 is not 1 to 12" },
    { "2025", -1, "year start -1 is not 1 to 12" },
    { "2025/26 Q1 and a lot more text than any label could ever need to be, and then more, "
      "and more again, until it is longer than the longest description a publisher writes", 4, "too long" },
    /* ambiguous without a year type: both readings named */
    { "2011-12", 4, "is ambiguous: December 2011 or financial year 2011/12; declare the year type" },
    { "1000-01", 4, "is ambiguous: January 1000 or financial year 1000/01" },
    { "Q3 2025", 4, "is ambiguous: calendar quarter 2025 Q3 (Jul-Sep 2025) or a financial quarter (2024/25 Q3 or 2025/26 Q3)" },
    { "H1 2025", 4, "is ambiguous: calendar half 2025 H1" },
    /* flags and dates need a caller that takes them */
    { "2025 (prov)", 4, "marks the figure provisional" },
    { "2024-25 (OT)", 4, "marks the figure outturn" },
    { "30 June 2014", 4, "a date is not a period: write 2014-06 for the month" },
    { "31 September 2015", 4, "31 September 2015 is not a date: September 2015 has 30 days" },
};

static void test_parse_table(void) {
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        pmf_period p;
        int rc = pmf_period_parse(good[i].label, good[i].ys, &p, err, sizeof err);
        test_cond(DESCR("\"%s\" (ys %d) parses: %s", good[i].label, good[i].ys, err), rc == 0);
        if (rc != 0) continue;
        snprintf(buf2, sizeof buf2, "%04d-%02d", (int)(p.start / 12), (int)(p.start % 12) + 1);
        test_streq(DESCR("\"%s\" prints as \"%s\" (got \"%s\")", good[i].label, good[i].canon, L(p)),
                   L(p), good[i].canon);
        test_streq(DESCR("\"%s\" is a %s", good[i].label, good[i].kind),
                   pmf_period_kind_name(p.kind), good[i].kind);
        test_streq(DESCR("\"%s\" starts %s (got %s)", good[i].label, good[i].start, buf2),
                   buf2, good[i].start);
        test_cond(DESCR("\"%s\" is %d months", good[i].label, good[i].len), p.len == good[i].len);
        test_cond(DESCR("\"%s\" keeps its year start", good[i].label),
                  p.year_start == (good[i].ys ? good[i].ys : 4));
    }
}

static void test_bad_table(void) {
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pmf_period p = { 7, 7, 7, 7 };
        int rc = pmf_period_parse(bad[i].label, bad[i].ys, &p, err, sizeof err);
        test_cond(DESCR("\"%s\" (ys %d) fails", bad[i].label, bad[i].ys), rc == -1);
        test_cond(DESCR("\"%s\": message \"%s\" says \"%s\"", bad[i].label, err, bad[i].why),
                  strstr(err, bad[i].why) != NULL);
        test_cond(DESCR("\"%s\": the output is untouched", bad[i].label),
                  p.start == 7 && p.len == 7);
    }
}


/* ---- publishers' labels by year type: every label form in ../shared/data/public/ (LAIT,
 * recycling, population, fly-tipping, Fingertips, council tax, homelessness) with the span
 * it reads as under each declared type, or the error it gets.  N none, F financial, A
 * academic, C calendar.  start NULL: an error whose message holds `why`. ---- */
enum { N = PMF_YEAR_NONE, F = PMF_YEAR_FINANCIAL, A = PMF_YEAR_ACADEMIC, C = PMF_YEAR_CALENDAR };
static const struct {
    const char *label;
    int type;
    const char *start;
    int len;
    const char *kind;
    unsigned flags;
    const char *why;
} typed[] = {
    /* the silent errors: a file of financial years reads as financial years */
    { "2010-11", F, "2010-04", 12, "fy", 0, NULL },
    { "2011-12", F, "2011-04", 12, "fy", 0, NULL },
    { "2012-13", F, "2012-04", 12, "fy", 0, NULL },
    { "2011-12", A, "2011-09", 12, "ay", 0, NULL },
    { "2011-12", C, "2011-12", 1, "month", 0, NULL },
    { "2010-11", N, NULL, 0, NULL, 0, "\"2010-11\" is ambiguous: November 2010 or financial year 2010/11" },
    { "2025-09", F, "2025-09", 1, "month", 0, NULL },           /* 09 is not 26: a month */
    { "2025-09", N, "2025-09", 1, "month", 0, NULL },
    { "Q2 2026", C, "2026-04", 3, "cq", 0, NULL },
    { "Q2 2026", N, NULL, 0, NULL, 0, "calendar quarter 2026 Q2 (Apr-Jun 2026) or a financial quarter (2025/26 Q2 or 2026/27 Q2); declare the year type" },
    { "Q2 2026", F, NULL, 0, NULL, 0, "2025/26 Q2 (Jul-Sep 2025) or 2026/27 Q2 (Jul-Sep 2026)" },
    { "2026 Q2", N, "2026-04", 3, "cq", 0, NULL },
    { "2018-19;Q1", N, "2018-04", 3, "fq", 0, NULL },
    { "2018-19;Q1", F, "2018-04", 3, "fq", 0, NULL },
    /* DfE LAIT: a bare year is the financial or academic year ending in it */
    { "2016", F, "2015-04", 12, "fy", 0, NULL },
    { "2016", A, "2015-09", 12, "ay", 0, NULL },
    { "2016", C, "2016-01", 12, "cy", 0, NULL },
    { "2016", N, "2016-01", 12, "cy", 0, NULL },
    { "2016/17", A, "2016-09", 12, "ay", 0, NULL },
    { "2016/17", F, "2016-04", 12, "fy", 0, NULL },
    { "2016/17", C, NULL, 0, NULL, 0, "2016/17 names a financial or academic year, but the year type declared is calendar" },
    { "2015-16", A, "2015-09", 12, "ay", 0, NULL },
    { "2014-16", C, "2014-01", 36, "range", 0, NULL },
    { "2014-16", N, "2014-01", 36, "range", 0, NULL },
    { "2014-16", F, "2013-04", 36, "span", 0, NULL },
    { "2014-16", A, "2013-09", 36, "span", 0, NULL },
    { "2013/14-15/16", F, "2013-04", 36, "span", 0, NULL },
    { "2013/14-15/16", N, "2013-04", 36, "span", 0, NULL },
    { "2013/14-15/16", C, NULL, 0, NULL, 0, "names a financial or academic year" },
    { "2016-17 (OT)", F, "2016-04", 12, "fy", PMF_LABEL_OUTTURN, NULL },
    { "2018 (Rev)", A, "2017-09", 12, "ay", PMF_LABEL_REVISED, NULL },
    { "2020 (Final)", A, "2019-09", 12, "ay", PMF_LABEL_FINAL, NULL },
    { "2025 (prov)", A, "2024-09", 12, "ay", PMF_LABEL_PROVISIONAL, NULL },
    { "2025 (P)", C, "2025-01", 12, "cy", PMF_LABEL_PROVISIONAL, NULL },
    { "2025/26 (R)", F, "2025-04", 12, "fy", PMF_LABEL_REVISED, NULL },
    { "0", A, NULL, 0, NULL, 0, "expected a label like" },
    /* DEFRA recycling, ONS population, DEFRA fly-tipping */
    { "2015/16", F, "2015-04", 12, "fy", 0, NULL },
    { "2015", C, "2015-01", 12, "cy", 0, NULL },
    { "1998", C, "1998-01", 12, "cy", 0, NULL },
    { "2012-13", N, "2012-04", 12, "fy", 0, NULL },
    { "2018/19", F, "2018-04", 12, "fy", 0, NULL },
    /* OHID Fingertips: pooled years, financial ranges, cumulative quarters */
    { "2015 - 17", C, "2015-01", 36, "range", 0, NULL },
    { "2021 - 23", N, "2021-01", 36, "range", 0, NULL },
    { "2020/21 - 24/25", F, "2020-04", 60, "span", 0, NULL },
    { "2021/22 Q1", F, "2021-04", 3, "fq", 0, NULL },
    { "2021/22 Q1 - 2021/22 Q2", F, "2021-04", 6, "span", 0, NULL },
    { "2021/22 Q1 - 2024/25 Q2", F, "2021-04", 42, "span", 0, NULL },
    { "2021/22 Q1 - 2025/26 Q3", N, "2021-04", 57, "span", 0, NULL },
    { "2021/22 Q1 - 2024/25 Q2", C, NULL, 0, NULL, 0, "names a financial or academic year" },
    /* DLUHC council tax receipts: words and a described annual total */
    { "April to June 2010 (Q1)", F, "2010-04", 3, "fq", 0, NULL },
    { "April to June 2012 (Q1) ", N, "2012-04", 3, "fq", 0, NULL },
    { "July to September 2010 (Q2)", F, "2010-07", 3, "fq", 0, NULL },
    { "October to December 2010 (Q3)", F, "2010-10", 3, "fq", 0, NULL },
    { "January to March 2011 (Q4)", F, "2011-01", 3, "fq", 0, NULL },
    { "January to March 2011 (Q4)", C, NULL, 0, NULL, 0, "the quarter note does not match the months named" },
    { "April 2022 to March 2023 (Q1 to Q4)", F, "2022-04", 12, "fy", 0, NULL },
    { "Total receipts of council taxes collected during the financial year - 2010 to 2011 (Q1 to Q4)",
      F, "2010-04", 12, "fy", 0, NULL },
    { "2011 to 2012 Q1", F, "2011-04", 3, "fq", 0, NULL },
    { "2000 to 2001", N, "2000-04", 12, "fy", 0, NULL },
    { "October to March 2023", F, NULL, 0, NULL, 0, "write both years" },
    /* DLUHC homelessness: dated snapshots read as the month holding the date */
    { "30 June 2014", N, "2014-06", 1, "month", PMF_LABEL_SNAPSHOT, NULL },
    { "30 Sept 2014", F, "2014-09", 1, "month", PMF_LABEL_SNAPSHOT, NULL },
    { "31 Dec 2014", F, "2014-12", 1, "month", PMF_LABEL_SNAPSHOT, NULL },
    { "31 Mar 2015", F, "2015-03", 1, "month", PMF_LABEL_SNAPSHOT, NULL },
    { "31 December 2015", C, "2015-12", 1, "month", PMF_LABEL_SNAPSHOT, NULL },
    { "31st January 2023", N, "2023-01", 1, "month", PMF_LABEL_SNAPSHOT, NULL },
    { "2023-03-31", F, "2023-03", 1, "month", PMF_LABEL_SNAPSHOT, NULL },
    { "31 September 2015", F, NULL, 0, NULL, 0, "\"31 September 2015\": 31 September 2015 is not a date: September 2015 has 30 days" },
    { "29 February 2023", N, NULL, 0, NULL, 0, "February 2023 has 28 days" },
    { "AY 2023/24", C, "2023-09", 12, "ay", 0, NULL },
};

static void test_typed_table(void) {
    for (size_t i = 0; i < sizeof typed / sizeof typed[0]; i++) {
        pmf_period_opts o = { 4, typed[i].type };
        pmf_period_info info = { 99, { 0, 0, 0 } };
        pmf_period p = { 7, 7, 7, 7 };
        const char *tn = pmf_year_type_name(typed[i].type);
        int rc = pmf_period_parse_typed(typed[i].label, &o, &p, &info, err, sizeof err);
        if (!typed[i].start) {
            test_cond(DESCR("\"%s\" (%s) fails", typed[i].label, tn), rc == -1);
            test_cond(DESCR("\"%s\" (%s): message \"%s\" says \"%s\"", typed[i].label, tn, err, typed[i].why),
                      strstr(err, typed[i].why) != NULL);
            continue;
        }
        test_cond(DESCR("\"%s\" (%s) parses: %s", typed[i].label, tn, err), rc == 0);
        if (rc != 0) continue;
        snprintf(buf2, sizeof buf2, "%04d-%02d", (int)(p.start / 12), (int)(p.start % 12) + 1);
        test_cond(DESCR("\"%s\" (%s) is %s + %d months (got %s + %d)", typed[i].label, tn,
                        typed[i].start, typed[i].len, buf2, (int)p.len),
                  strcmp(buf2, typed[i].start) == 0 && p.len == typed[i].len);
        test_streq(DESCR("\"%s\" (%s) is a %s", typed[i].label, tn, typed[i].kind),
                   pmf_period_kind_name(p.kind), typed[i].kind);
        test_cond(DESCR("\"%s\" (%s) has flags %u (got %u)", typed[i].label, tn, typed[i].flags, info.flags),
                  info.flags == typed[i].flags);
    }
    pmf_period_opts o = { 4, F };
    pmf_period_info info;
    pmf_period p;
    test_cond("a snapshot keeps its date",
              pmf_period_parse_typed("30 Sept 2014", &o, &p, &info, err, sizeof err) == 0
              && info.snapshot.y == 2014 && info.snapshot.m == 9 && info.snapshot.d == 30);
    test_cond("year types map to names and back",
              pmf_year_type_from_name("academic") == A && pmf_year_type_from_name("fiscal") == -1
              && strcmp(pmf_year_type_name(C), "calendar") == 0);
    test_cond("a January year start: Q2 2026 is not ambiguous",
              pmf_period_parse("Q2 2026", 1, &p, err, sizeof err) == 0 && p.start == 2026 * 12 + 3);
    pmf_period_parse("2025/26 qX", 4, &p, err, sizeof err);
    test_cond(DESCR("the message quotes the label as given: %s", err),
              strstr(err, "\"2025/26 qX\"") != NULL);
    pmf_period_parse("2025Bar", 4, &p, err, sizeof err);
    test_cond(DESCR("the unread rest keeps its case: %s", err), strstr(err, "\"Bar\" after 2025") != NULL);
    pmf_period_parse("2025/26 Q1 Extra", 4, &p, err, sizeof err);
    test_cond(DESCR("an unexpected tail keeps its case: %s", err), strstr(err, "\"Extra\"") != NULL);
}

static void test_messages(void) {
    pmf_period p;
    pmf_period_parse(" 2025/27 ", 4, &p, err, sizeof err);
    test_streq("the whole message for a bad financial year", err,
               "period \"2025/27\": a financial year runs over two consecutive years, e.g. 2025/26");
    pmf_period_parse("2025/26 Q5", 4, &p, err, sizeof err);
    test_streq("the whole message for a bad quarter", err,
               "period \"2025/26 Q5\": a quarter is Q1 to Q4");
    pmf_period_parse("2025\x01", 4, &p, err, sizeof err);
    test_cond("control characters are not echoed into messages",
              strchr(err, '\x01') == NULL && strstr(err, "\"2025?\"") != NULL);
    test_cond("a NULL label fails as empty",
              pmf_period_parse(NULL, 4, &p, err, sizeof err) == -1 && strstr(err, "empty"));
    test_cond("err may be NULL", pmf_period_parse("nope", 4, &p, NULL, 0) == -1);
    char tiny[8];
    test_cond("a short err buffer is truncated, not overrun",
              pmf_period_parse("nope", 4, &p, tiny, sizeof tiny) == -1 && strlen(tiny) == 7);
}

/* ---- DHIS2 and ISO forms, both ways ---- */
static const struct {
    const char *label;
    int ys;
    const char *dhis2;      /* NULL: DHIS2 has no form */
    const char *iso;
} forms[] = {
    { "2023-09", 4, "202309", "2023-09-01/P1M" },
    { "2023-01..2023-02", 4, "202301B", "2023-01-01/P2M" },
    { "2023-02..2023-03", 4, NULL, "2023-02-01/P2M" },
    { "2023 Q2", 4, "2023Q2", "2023-04-01/P3M" },
    { "2023/24 Q1", 4, "2023Q2", "2023-04-01/P3M" },
    { "2025/26 Q4", 4, "2026Q1", "2026-01-01/P3M" },
    { "2023-01..2023-06", 4, "2023S1", "2023-01-01/P6M" },
    { "2023-07..2023-12", 4, "2023S2", "2023-07-01/P6M" },
    { "2004/05 H1", 4, "2004AprilS1", "2004-04-01/P6M" },
    { "2004/05 H2", 4, "2004AprilS2", "2004-10-01/P6M" },
    { "2023", 4, "2023", "2023-01-01/P1Y" },
    { "2023/24", 4, "2023April", "2023-04-01/P1Y" },
    { "2023-07..2024-06", 4, "2023July", "2023-07-01/P1Y" },
    { "AY 2023/24", 4, "2023Sep", "2023-09-01/P1Y" },
    { "2023-10..2024-09", 4, "2023Oct", "2023-10-01/P1Y" },
    { "2025/26", 11, "2026Nov", "2025-11-01/P1Y" },
    { "2025/26 Q1", 11, "2026NovQ1", "2025-11-01/P3M" },
    { "2025/26 Q2", 11, "2026NovQ2", "2026-02-01/P3M" },
    { "2025/26 Q4", 11, "2026NovQ4", "2026-08-01/P3M" },
    { "2025/26 H1", 11, "2026NovS1", "2025-11-01/P6M" },
    { "2025/26 H2", 11, "2026NovS2", "2026-05-01/P6M" },
    { "2025/26 Q1", 9, NULL, "2025-09-01/P3M" },
    { "2021-23", 4, NULL, "2021-01-01/P3Y" },
    { "2025-05..2025-08", 4, NULL, "2025-05-01/P4M" },
    { "2025-05..2026-10", 4, NULL, "2025-05-01/P18M" },
    { "2015-04..2017-03", 4, NULL, "2015-04-01/P2Y" },
};

static void test_forms(void) {
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        pmf_period p = P(forms[i].label, forms[i].ys), q;
        int rc = pmf_period_format_dhis2(p, buf2, sizeof buf2);
        if (forms[i].dhis2 == NULL) {
            test_cond(DESCR("\"%s\" has no DHIS2 id (got %s)", forms[i].label, rc < 0 ? "none" : buf2),
                      rc == -1);
        } else {
            test_streq(DESCR("\"%s\" is DHIS2 %s (got %s)", forms[i].label, forms[i].dhis2, buf2),
                       rc < 0 ? "" : buf2, forms[i].dhis2);
            test_cond(DESCR("DHIS2 %s reads back as \"%s\"", forms[i].dhis2, forms[i].label),
                      pmf_period_parse(forms[i].dhis2, forms[i].ys, &q, err, sizeof err) == 0
                      && pmf_period_compare(p, q) == 0);
        }
        rc = pmf_period_format_iso(p, buf2, sizeof buf2);
        test_streq(DESCR("\"%s\" is ISO %s (got %s)", forms[i].label, forms[i].iso, buf2),
                   rc < 0 ? "" : buf2, forms[i].iso);
        test_cond(DESCR("ISO %s reads back as \"%s\"", forms[i].iso, forms[i].label),
                  pmf_period_parse(forms[i].iso, forms[i].ys, &q, err, sizeof err) == 0
                  && pmf_period_compare(p, q) == 0);
    }
}

/* ---- the natural kind of a span from the store ---- */
static const struct {
    int y, m, len, ys;
    const char *kind, *label;
} infer[] = {
    { 2025, 4, 12, 4, "fy", "2025/26" },
    { 2025, 1, 12, 4, "cy", "2025" },
    { 2025, 1, 12, 1, "fy", "2025" },
    { 2024, 9, 12, 4, "ay", "AY 2024/25" },
    { 2024, 9, 12, 9, "fy", "2024/25" },
    { 2025, 7, 3, 4, "fq", "2025/26 Q2" },
    { 2026, 1, 3, 4, "fq", "2025/26 Q4" },
    { 2025, 2, 3, 4, "span", "2025-02..2025-04" },
    { 2025, 2, 3, 11, "fq", "2024/25 Q2" },
    { 2025, 1, 3, 5, "cq", "2025 Q1" },
    { 2025, 10, 6, 4, "fh", "2025/26 H2" },
    { 2025, 1, 6, 4, "span", "2025-01..2025-06" },
    { 2025, 1, 6, 1, "fh", "2025 H1" },
    { 2021, 1, 36, 4, "range", "2021-23" },
    { 2021, 1, 24, 4, "span", "2021-01..2022-12" },
    { 2001, 1, 36, 4, "range", "2001-2003" },
    { 2090, 1, 132, 4, "range", "2090-00" },
    { 2000, 1, 300, 4, "range", "2000-2024" },
    { 2025, 5, 4, 4, "span", "2025-05..2025-08" },
    { 2025, 9, 1, 4, "month", "2025-09" },
};

static void test_infer(void) {
    for (size_t i = 0; i < sizeof infer / sizeof infer[0]; i++) {
        pmf_period p;
        int32_t start = infer[i].y * 12 + infer[i].m - 1;
        int rc = pmf_period_make(start, infer[i].len, infer[i].ys, &p);
        test_cond(DESCR("span %d-%02d +%d makes a period", infer[i].y, infer[i].m, infer[i].len),
                  rc == 0);
        test_streq(DESCR("span %d-%02d +%d (ys %d) is a %s", infer[i].y, infer[i].m,
                         infer[i].len, infer[i].ys, infer[i].kind),
                   pmf_period_kind_name(pmf_period_infer_kind(start, infer[i].len, infer[i].ys)),
                   infer[i].kind);
        test_streq(DESCR("span %d-%02d +%d (ys %d) prints %s (got %s)", infer[i].y, infer[i].m,
                         infer[i].len, infer[i].ys, infer[i].label, L(p)),
                   L(p), infer[i].label);
    }
    pmf_period p;
    test_cond("a span before year 1000 is refused", pmf_period_make(999 * 12 + 11, 1, 4, &p) == -1);
    test_cond("a span past 9999 is refused", pmf_period_make(9999 * 12 + 11, 2, 4, &p) == -1);
    test_cond("an empty span is refused", pmf_period_make(2025 * 12, 0, 4, &p) == -1);
    test_cond("year start 13 is refused", pmf_period_make(2025 * 12, 1, 13, &p) == -1);
    /* found by fuzzing: Mar-May 1000 is Q2 of a December year that starts in 999 */
    test_cond("no financial quarter whose year starts before 1000",
              pmf_period_make(1000 * 12 + 2, 3, 12, &p) == 0 && strcmp(L(p), "1000-03..1000-05") == 0
              && pmf_period_quarter_of(p, &p) == -1);
    test_cond("month 13 is refused", pmf_period_month(2025, 13, 4, &p) == -1);
    test_cond("month(2025, 9) is September",
              pmf_period_month(2025, 9, 4, &p) == 0 && strcmp(L(p), "2025-09") == 0);
    test_cond("kind names map both ways",
              pmf_period_kind_from_name("range") == PMF_PERIOD_RANGE
              && pmf_period_kind_from_name("fortnight") == -1
              && pmf_period_kind_name(PMF_PERIOD_NKINDS) == NULL);
    pmf_period wrong = { 2025 * 12 + 4, 3, PMF_PERIOD_FQ, 4 };    /* May-Jul is no quarter */
    test_cond("a kind that does not fit the span fails the check", pmf_period_check(wrong) == -1);
    test_cond("and does not print", pmf_period_format(wrong, buf, sizeof buf) == -1
              && pmf_period_format_dhis2(wrong, buf, sizeof buf) == -1
              && pmf_period_format_iso(wrong, buf, sizeof buf) == -1);
}

/* ---- every kind round-trips under every year start ---- */
static void test_round_trips(void) {
    for (int ys = 1; ys <= 12; ys++) {
        int failures = 0, tried = 0;
        for (int32_t start = 1995 * 12; start < 2030 * 12; start++)
            for (int32_t len = 1; len <= 40; len++) {
                pmf_period p, q;
                char label[PMF_PERIOD_LABEL_MAX];
                if (pmf_period_make(start, len, ys, &p) != 0) { failures++; continue; }
                tried++;
                pmf_period_format(p, label, sizeof label);
                /* under the year type of its kind ("2011-12" is a month under calendar) */
                pmf_period_opts o = { ys, pmf_period_kind_year_type(p.kind) };
                if (pmf_period_parse_typed(label, &o, &q, NULL, err, sizeof err) != 0
                    || q.start != p.start || q.len != p.len || q.kind != p.kind
                    || q.year_start != p.year_start) {
                    if (failures++ < 5) fprintf(stderr, "round trip of \"%s\" (ys %d): %s\n", label, ys, err);
                }
                if (pmf_period_format_iso(p, label, sizeof label) < 0
                    || pmf_period_parse(label, ys, &q, err, sizeof err) != 0
                    || pmf_period_compare(p, q) != 0 || q.kind != p.kind)
                    failures++;
                if (pmf_period_format_dhis2(p, label, sizeof label) >= 0
                    && (pmf_period_parse(label, ys, &q, err, sizeof err) != 0
                        || pmf_period_compare(p, q) != 0 || q.kind != p.kind))
                    failures++;
            }
        test_cond(DESCR("ys %d: %d spans print, parse back, and agree in UK, ISO and DHIS2", ys, tried),
                  failures == 0 && tried == 35 * 12 * 40);
    }
    /* the labelled kinds that inference never produces, e.g. an academic year in a
     * September framework or a calendar quarter that is also a financial one */
    static const char *const kept[] = { "AY 2025/26", "2025 Q2", "2025", "2025-04..2026-03", "2025-07" };
    for (int ys = 1; ys <= 12; ys++)
        for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
            pmf_period p = P(kept[i], ys), q;
            pmf_period_format(p, buf2, sizeof buf2);
            test_cond(DESCR("\"%s\" (ys %d) round-trips with its kind", kept[i], ys),
                      pmf_period_parse(buf2, ys, &q, err, sizeof err) == 0
                      && q.kind == p.kind && pmf_period_compare(p, q) == 0);
        }
}

/* ---- properties ---- */
static void test_properties(void) {
    pmf_period p = P("2025/26 Q4", 4);
    test_cond("2025/26 Q4: year 2025, quarter 4, no half",
              pmf_period_year(p) == 2025 && pmf_period_quarter(p) == 4 && pmf_period_half(p) == 0);
    p = P("2025 Q3", 4);
    test_cond("2025 Q3: year 2025, quarter 3", pmf_period_year(p) == 2025 && pmf_period_quarter(p) == 3);
    p = P("2025/26 H2", 4);
    test_cond("2025/26 H2: half 2", pmf_period_half(p) == 2 && pmf_period_quarter(p) == 0);
    p = P("AY 2024/25", 4);
    test_cond("AY 2024/25: year 2024", pmf_period_year(p) == 2024);
    p = P("2026-01", 4);
    test_cond("2026-01: year 2026, no quarter", pmf_period_year(p) == 2026 && pmf_period_quarter(p) == 0);
    p = P("2025/26 Q1", 9);
    test_cond("Sept framework 2025/26 Q1 is quarter 1 of 2025", pmf_period_quarter(p) == 1 && pmf_period_year(p) == 2025);
    p = P("2025 Q3", 1);
    test_cond("Jan framework 2025 Q3 is quarter 3 of 2025", pmf_period_quarter(p) == 3 && pmf_period_year(p) == 2025);
}

/* ---- dates of a period ---- */
static const struct { const char *label; int ys; const char *from, *to; } dates[] = {
    { "2024-02", 4, "2024-02-01", "2024-02-29" },          /* leap year */
    { "2023-02", 4, "2023-02-01", "2023-02-28" },
    { "2000-02", 4, "2000-02-01", "2000-02-29" },          /* divisible by 400 */
    { "1900-02", 4, "1900-02-01", "1900-02-28" },          /* divisible by 100 */
    { "2025/26", 4, "2025-04-01", "2026-03-31" },
    { "2023/24", 4, "2023-04-01", "2024-03-31" },
    { "2025/26 Q4", 4, "2026-01-01", "2026-03-31" },
    { "2025/26 Q3", 4, "2025-10-01", "2025-12-31" },
    { "2023/24 Q4", 4, "2024-01-01", "2024-03-31" },
    { "2024 Q1", 4, "2024-01-01", "2024-03-31" },
    { "2025/26 H1", 4, "2025-04-01", "2025-09-30" },
    { "AY 2024/25", 4, "2024-09-01", "2025-08-31" },
    { "2021-23", 4, "2021-01-01", "2023-12-31" },
    { "2025-05..2025-08", 4, "2025-05-01", "2025-08-31" },
    { "2025/26", 9, "2025-09-01", "2026-08-31" },
    { "2025/26 Q2", 9, "2025-12-01", "2026-02-28" },
    { "2027/28 Q2", 9, "2027-12-01", "2028-02-29" },
    { "2025", 1, "2025-01-01", "2025-12-31" },
};

static void test_dates(void) {
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        pmf_period p = P(dates[i].label, dates[i].ys);
        test_streq(DESCR("\"%s\" starts %s", dates[i].label, dates[i].from),
                   D(pmf_period_start_date(p)), dates[i].from);
        test_streq(DESCR("\"%s\" ends %s (got %s)", dates[i].label, dates[i].to,
                         D(pmf_period_end_date(p))),
                   D(pmf_period_end_date(p)), dates[i].to);
    }
    pmf_date d;
    test_cond("2024-02-29 parses", pmf_date_parse("2024-02-29", &d) == 0 && d.d == 29);
    test_cond("2023-02-29 does not", pmf_date_parse("2023-02-29", &d) == -1);
    test_cond("2025-4-1 does not", pmf_date_parse("2025-4-1", &d) == -1);
    test_cond("2025-04-01x does not", pmf_date_parse("2025-04-01x", &d) == -1);
    test_cond("2025/04/01 does not", pmf_date_parse("2025/04/01", &d) == -1);
    d.y = 2025, d.m = 12, d.d = 25;
    test_cond("25 Dec 2025 is a Thursday", pmf_date_weekday(d) == 3);
    d.y = 2000, d.m = 1, d.d = 1;
    test_cond("1 Jan 2000 is a Saturday", pmf_date_weekday(d) == 5);
    d.y = 2024, d.m = 2, d.d = 29;
    test_cond("29 Feb 2024 is a Thursday", pmf_date_weekday(d) == 3);
}

/* ---- arithmetic ---- */
static const struct { const char *label; int ys, n; const char *want; } shifts[] = {
    { "2025/26 Q4", 4, 1, "2026/27 Q1" },
    { "2025/26 Q1", 4, -1, "2024/25 Q4" },
    { "2025/26 Q3", 4, 1, "2025/26 Q4" },
    { "2025-12", 4, 1, "2026-01" },
    { "2025-01", 4, -1, "2024-12" },
    { "2025/26", 4, -2, "2023/24" },
    { "2099/00", 4, 1, "2100/01" },
    { "2025/26 H2", 4, 1, "2026/27 H1" },
    { "2025 Q4", 4, 1, "2026 Q1" },
    { "2025", 4, 3, "2028" },
    { "AY 2024/25", 4, 1, "AY 2025/26" },
    { "2021-23", 4, 1, "2024-26" },
    { "2021-23", 4, -1, "2018-20" },
    { "2025-05..2025-08", 4, 1, "2025-09..2025-12" },
    { "2025-07", 4, 0, "2025-07" },
    { "2025/26 Q4", 9, 1, "2026/27 Q1" },
    { "2025 Q4", 1, 1, "2026 Q1" },
};

static void test_arithmetic(void) {
    pmf_period p, q;
    for (size_t i = 0; i < sizeof shifts / sizeof shifts[0]; i++) {
        p = P(shifts[i].label, shifts[i].ys);
        int rc = pmf_period_shift(p, shifts[i].n, &q);
        test_streq(DESCR("\"%s\" shifted %d is \"%s\" (got \"%s\")", shifts[i].label, shifts[i].n,
                         shifts[i].want, rc ? "error" : L(q)),
                   rc ? "error" : L(q), shifts[i].want);
        test_cond(DESCR("\"%s\" shifted keeps kind and length", shifts[i].label),
                  rc == 0 && q.kind == p.kind && q.len == p.len);
    }
    test_cond("no month after 9999-12", pmf_period_shift(P("9999-12", 4), 1, &q) == -1);
    pmf_period first;
    pmf_period_month(1000, 1, 4, &first);
    test_cond("no month before 1000-01", pmf_period_shift(first, -1, &q) == -1);
    test_cond("no huge shifts", pmf_period_shift(P("2025", 4), 2000000000, &q) == -1);
    test_cond("no year before 1000", pmf_period_last_year(P("1000-06", 4), &q) == -1);
    /* found by fuzzing: Jan-Jun 1000 would be H2 of a July year that starts in 999 */
    test_cond("no half of a year starting before 1000",
              pmf_period_last_year(P("1001S1", 7), &q) == -1 && pmf_period_shift(P("1001S1", 7), -2, &q) == -1);
    test_cond("but the half after it is fine",
              pmf_period_shift(P("1001S1", 7), -1, &q) == 0 && strcmp(L(q), "1000/01 H1") == 0);

    p = P("2025/26 Q4", 4);
    test_cond("same period last year of 2025/26 Q4 is 2024/25 Q4",
              pmf_period_last_year(p, &q) == 0 && strcmp(L(q), "2024/25 Q4") == 0);
    test_cond("same period last year of 2024-02 is 2023-02",
              pmf_period_last_year(P("2024-02", 4), &q) == 0 && strcmp(L(q), "2023-02") == 0);
    test_cond("same period last year of 2021-23 is 2020-22",
              pmf_period_last_year(P("2021-23", 4), &q) == 0 && strcmp(L(q), "2020-22") == 0);

    pmf_period fy = P("2025/26", 4);
    test_cond("2025/26 contains its Q4", pmf_period_contains(fy, P("2025/26 Q4", 4)));
    test_cond("2025/26 contains March 2026", pmf_period_contains(fy, P("2026-03", 4)));
    test_cond("2025/26 contains itself", pmf_period_contains(fy, fy));
    test_cond("2025/26 does not contain April 2026", !pmf_period_contains(fy, P("2026-04", 4)));
    test_cond("2025/26 does not contain March 2025", !pmf_period_contains(fy, P("2025-03", 4)));
    test_cond("2025/26 does not contain calendar 2025", !pmf_period_contains(fy, P("2025", 4)));
    test_cond("a quarter does not contain its year", !pmf_period_contains(P("2025/26 Q1", 4), fy));

    test_cond("month 0 of 2025/26 is 2025-04",
              pmf_period_nth_month(fy, 0, &q) == 0 && strcmp(L(q), "2025-04") == 0 && q.kind == PMF_PERIOD_MONTH);
    test_cond("month 11 of 2025/26 is 2026-03",
              pmf_period_nth_month(fy, 11, &q) == 0 && strcmp(L(q), "2026-03") == 0);
    test_cond("there is no month 12 of 2025/26", pmf_period_nth_month(fy, 12, &q) == -1);
    test_cond("there is no month -1", pmf_period_nth_month(fy, -1, &q) == -1);

    static const struct { const char *label; int ys; const char *q, *h, *y; } holders[] = {
        { "2026-02", 4, "2025/26 Q4", "2025/26 H2", "2025/26" },
        { "2025-04", 4, "2025/26 Q1", "2025/26 H1", "2025/26" },
        { "2025-03", 4, "2024/25 Q4", "2024/25 H2", "2024/25" },
        { "2025 Q3", 4, "2025/26 Q2", "2025/26 H1", "2025/26" },
        { "2025/26 Q3", 4, "2025/26 Q3", "2025/26 H2", "2025/26" },
        { "2025/26", 4, NULL, NULL, "2025/26" },
        { "2025-03..2025-04", 4, NULL, NULL, NULL },
        { "2025 Q1", 4, "2024/25 Q4", "2024/25 H2", "2024/25" },
        { "2026-08", 9, "2025/26 Q4", "2025/26 H2", "2025/26" },
        { "2025-08", 1, "2025 Q3", "2025 H2", "2025" },
    };
    for (size_t i = 0; i < sizeof holders / sizeof holders[0]; i++) {
        p = P(holders[i].label, holders[i].ys);
        int rq = pmf_period_quarter_of(p, &q);
        test_streq(DESCR("the quarter holding \"%s\"", holders[i].label),
                   rq ? "none" : L(q), holders[i].q ? holders[i].q : "none");
        int rh = pmf_period_half_of(p, &q);
        test_streq(DESCR("the half holding \"%s\"", holders[i].label),
                   rh ? "none" : L(q), holders[i].h ? holders[i].h : "none");
        int ry = pmf_period_year_of(p, &q);
        test_streq(DESCR("the year holding \"%s\"", holders[i].label),
                   ry ? "none" : L(q), holders[i].y ? holders[i].y : "none");
    }

    test_cond("order is by start", pmf_period_compare(P("2025/26", 4), P("2025/26 Q2", 4)) < 0);
    test_cond("then by length", pmf_period_compare(P("2025/26 Q1", 4), P("2025/26", 4)) < 0);
    test_cond("equal spans compare equal whatever their kind",
              pmf_period_compare(P("2025 Q3", 4), P("2025/26 Q2", 4)) == 0);
    test_cond("later is greater", pmf_period_compare(P("2026-01", 4), P("2025-12", 4)) > 0);
}

/* ---- bank holidays: the published England and Wales lists ---- */
static const struct { int year; const char *days; } holidays[] = {
    { 2019, "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26" },
    { 2020, "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28" },    /* VE Day Friday */
    { 2021, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28" },    /* Christmas on Saturday */
    { 2022, "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27" },
    { 2023, "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26" },
    { 2024, "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26" },
    { 2025, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26" },
    { 2026, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28" },    /* Boxing Day Saturday */
    { 2027, "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28" },
    { 2028, "01-03 04-14 04-17 05-01 05-29 08-28 12-25 12-26" },    /* New Year Saturday */
    { 1995, "01-02 04-14 04-17 05-08 05-29 08-28 12-25 12-26" },    /* VE Day 50 */
    { 1999, "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28 12-31" },
    { 2000, "01-03 04-21 04-24 05-01 05-29 08-28 12-25 12-26" },
    { 2002, "01-01 03-29 04-01 05-06 06-03 06-04 08-26 12-25 12-26" },
    { 2011, "01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27" },
    { 2012, "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26" },
    { 2016, "01-01 03-25 03-28 05-02 05-30 08-29 12-26 12-27" },    /* Christmas on Sunday */
};

/* Whether every year in [from, to] has 8-10 bank holidays, all on weekdays, in order. */
static int sane_holidays(int from, int to) {
    for (int y = from; y <= to; y++) {
        pmf_date h[PMF_BANK_HOLIDAYS_MAX];
        int n = pmf_bank_holidays(y, h, PMF_BANK_HOLIDAYS_MAX);
        if (n < 8 || n > 10) return 0;
        for (int k = 0; k < n; k++)
            if (pmf_date_weekday(h[k]) >= 5 || (k && pmf_date_compare(h[k - 1], h[k]) >= 0))
                return 0;
    }
    return 1;
}

static void test_bank_holidays(void) {
    for (size_t i = 0; i < sizeof holidays / sizeof holidays[0]; i++) {
        pmf_date h[PMF_BANK_HOLIDAYS_MAX];
        char got[128] = "";
        int n = pmf_bank_holidays(holidays[i].year, h, PMF_BANK_HOLIDAYS_MAX);
        for (int k = 0; k < n && k < PMF_BANK_HOLIDAYS_MAX; k++) {
            char one[8];
            snprintf(one, sizeof one, "%s%02d-%02d", k ? " " : "", h[k].m, h[k].d);
            strcat(got, one);
        }
        test_streq(DESCR("bank holidays %d: want %s, got %s", holidays[i].year, holidays[i].days, got),
                   got, holidays[i].days);
    }
    static const struct { int y, m, d; } easter[] = {
        { 2019, 4, 21 }, { 2024, 3, 31 }, { 2025, 4, 20 }, { 2038, 4, 25 }, { 2285, 3, 22 },
        { 2008, 3, 23 }, { 2000, 4, 23 }, { 1818, 3, 22 },
    };
    for (size_t i = 0; i < sizeof easter / sizeof easter[0]; i++) {
        pmf_date e;
        test_cond(DESCR("Easter %d is %d-%02d", easter[i].y, easter[i].m, easter[i].d),
                  pmf_easter_sunday(easter[i].y, &e) == 0 && e.m == easter[i].m && e.d == easter[i].d);
    }
    pmf_date few[2];
    test_cond("a short output gets the first dates and the full count",
              pmf_bank_holidays(2022, few, 2) == 10 && few[1].m == 4 && few[1].d == 15);
    test_cond("years out of range fail", pmf_bank_holidays(999, few, 2) == -1);
    test_cond("1977 had the Silver Jubilee", pmf_is_bank_holiday(1977, 6, 7));
    test_cond("no early May holiday before 1978", !pmf_is_bank_holiday(1977, 5, 2));
    test_cond("no New Year holiday before 1974", !pmf_is_bank_holiday(1973, 1, 1));
    test_cond("every year from 1978 to 2100 has 8 to 10 bank holidays, all weekdays",
              sane_holidays(1978, 2100));
}

/* Day numbers (calendar.h): known days, every day of the supported years steps to the next
 * by one, and each converts back to itself. */
static void test_day_numbers(void) {
    int64_t y;
    int m, d, bad = 0;
    test_cond("1970-01-01 is day 0", pmf_days_from_civil(1970, 1, 1) == 0);
    test_cond("2000-03-01 is day 11017", pmf_days_from_civil(2000, 3, 1) == 11017);
    test_cond("1969-12-31 is day -1", pmf_days_from_civil(1969, 12, 31) == -1);
    pmf_civil_from_days(-1, &y, &m, &d);
    test_cond("day -1 is 1969-12-31", y == 1969 && m == 12 && d == 31);
    int64_t n = pmf_days_from_civil(PMF_PERIOD_MIN_YEAR, 1, 1);
    for (int yy = PMF_PERIOD_MIN_YEAR; yy <= PMF_PERIOD_MAX_YEAR; yy++)
        for (int mm = 1; mm <= 12; mm++)
            for (int dd = 1; dd <= pmf_days_in_month(yy, mm); dd++, n++) {
                if (pmf_days_from_civil(yy, mm, dd) != n) bad++;
                pmf_civil_from_days(n, &y, &m, &d);
                if (y != yy || m != mm || d != dd) bad++;
            }
    test_cond("every day from 1000 to 9999 is the day before's number + 1, and back", bad == 0);
}

/* ---- working days and deadlines ---- */
static const struct { const char *date; int working; } workdays[] = {
    { "2025-12-24", 1 }, { "2025-12-25", 0 }, { "2025-12-26", 0 }, { "2025-12-27", 0 },
    { "2025-12-29", 1 }, { "2026-04-03", 0 }, { "2026-04-06", 0 }, { "2026-04-07", 1 },
    { "2022-09-19", 0 }, { "2023-05-08", 0 }, { "2011-04-29", 0 }, { "1999-12-31", 0 },
    { "2027-12-27", 0 }, { "2027-12-28", 0 }, { "2027-12-29", 1 }, { "2020-05-04", 1 },
    { "2020-05-08", 0 }, { "2012-05-28", 1 }, { "2025-06-07", 0 }, { "2025-06-09", 1 },
};

static const struct { const char *from; int n; const char *want; } adds[] = {
    { "2025-12-24", 0, "2025-12-24" },
    { "2025-12-24", 1, "2025-12-29" },      /* over Christmas, Boxing Day and a weekend */
    { "2025-12-29", -1, "2025-12-24" },
    { "2026-03-31", 1, "2026-04-01" },
    { "2026-03-31", 3, "2026-04-07" },      /* over Good Friday and Easter Monday */
    { "2026-04-07", -3, "2026-03-31" },
    { "2025-12-27", 0, "2025-12-27" },      /* n = 0 leaves a weekend day alone */
    { "2025-12-27", 1, "2025-12-29" },
    { "2021-12-24", 1, "2021-12-29" },      /* substitute days 27 and 28 */
    { "2025-01-01", 253, "2025-12-31" },    /* 2025 has 253 working days */
    { "2025-01-01", 254, "2026-01-02" },
};

static const struct { const char *label; int n; const char *want; } deadlines[] = {
    { "2025/26 Q3", 0, "2025-12-31" },
    { "2025/26 Q3", 1, "2026-01-02" },
    { "2025/26 Q3", 10, "2026-01-15" },
    { "2025-11", 0, "2025-11-30" },         /* the end date itself, a Sunday */
    { "2025-11", 1, "2025-12-01" },
    { "2025/26 Q4", 5, "2026-04-09" },      /* across Easter 2026 */
    { "2024/25", 15, "2025-04-23" },        /* across Easter 2025 */
    { "2023/24", 1, "2024-04-02" },         /* ends on Easter Sunday */
    { "2020/21 Q3", 1, "2021-01-04" },
    { "2025-12", 1, "2026-01-02" },
};

static void test_working_days(void) {
    for (size_t i = 0; i < sizeof workdays / sizeof workdays[0]; i++) {
        pmf_date d;
        pmf_date_parse(workdays[i].date, &d);
        test_cond(DESCR("%s is %sa working day", workdays[i].date, workdays[i].working ? "" : "not "),
                  pmf_is_working_day(d.y, d.m, d.d) == workdays[i].working);
    }
    test_cond("an invalid date is not a working day", !pmf_is_working_day(2025, 2, 30));
    for (size_t i = 0; i < sizeof adds / sizeof adds[0]; i++) {
        pmf_date d, r;
        pmf_date_parse(adds[i].from, &d);
        int rc = pmf_add_working_days(d, adds[i].n, &r);
        test_streq(DESCR("%s %+d working days is %s (got %s)", adds[i].from, adds[i].n,
                         adds[i].want, rc ? "error" : D(r)),
                   rc ? "error" : D(r), adds[i].want);
    }
    pmf_date end = { 9999, 12, 30 }, r;
    test_cond("no working days past 9999", pmf_add_working_days(end, 5, &r) == -1);
    for (size_t i = 0; i < sizeof deadlines / sizeof deadlines[0]; i++) {
        pmf_date d;
        int rc = pmf_period_deadline(P(deadlines[i].label, 4), deadlines[i].n, &d);
        test_streq(DESCR("deadline %s + %d is %s (got %s)", deadlines[i].label, deadlines[i].n,
                         deadlines[i].want, rc ? "error" : D(d)),
                   rc ? "error" : D(d), deadlines[i].want);
    }
}

int main(void) {
    test_parse_table();
    test_bad_table();
    test_typed_table();
    test_messages();
    test_forms();
    test_infer();
    test_round_trips();
    test_properties();
    test_dates();
    test_arithmetic();
    test_bank_holidays();
    test_working_days();
    test_day_numbers();
    return test_report("test_period");
}
