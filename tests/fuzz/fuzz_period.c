/*
 * tests/fuzz/fuzz_period.c: libFuzzer target for period labels (core/period.c).
 *
 * The input bytes (up to the first NUL) are parsed as a label under every year start 1-12
 * and every year type (none, financial, academic, calendar), taking flags.  Whatever parses
 * must print, and its canonical label must parse back, under its kind's year type, to the
 * same period (start, length, kind and year start); its ISO interval and DHIS2 id (where DHIS2 has one)
 * must parse back to the same span; and the arithmetic on it must stay in range and agree
 * with itself.  Inputs of 9+ bytes are also read as (start, length, year start) for the
 * inference path the store uses: make, print, parse back, same period.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_period.c \
 *         core/period.c core/period_parse.c core/period_dhis2.c core/period_read.c core/calendar.c
 *   ./a.out tests/fuzz/corpus/period
 *
 * Built with -DPMF_FUZZ_MAIN instead of -fsanitize=fuzzer, it is a plain program that runs
 * each file named on its command line once (for CI without libFuzzer).
 */
// sources: core/period.c core/period_parse.c core/period_dhis2.c core/period_read.c core/calendar.c
#include "../../core/period.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int ok, const char *what, const char *label, int ys) {
    if (ok) return;
    fprintf(stderr, "fuzz_period: %s (label \"%s\", year start %d)\n", what, label, ys);
    abort();
}

static int same(pmf_period a, pmf_period b) {
    return a.start == b.start && a.len == b.len && a.kind == b.kind && a.year_start == b.year_start;
}

/* Everything one can do with a valid period, checked against what it must mean. */
static void exercise(pmf_period p, const char *label, int ys) {
    char out[PMF_PERIOD_LABEL_MAX], err[PMF_PERIOD_ERR_MAX];
    pmf_period q, r;
    pmf_date a, b;

    check(pmf_period_check(p) == 0, "a parsed period fails its own check", label, ys);
    int n = pmf_period_format(p, out, sizeof out);
    check(n > 0 && (size_t)n < sizeof out, "the canonical label does not fit", label, ys);
    pmf_period_opts o = { ys, pmf_period_kind_year_type(p.kind) };
    check(pmf_period_parse_typed(out, &o, &q, NULL, err, sizeof err) == 0,
          "the canonical label does not parse", out, ys);
    check(same(p, q), "the canonical label parses to another period", out, ys);

    n = pmf_period_format_iso(p, out, sizeof out);
    check(n > 0 && (size_t)n < sizeof out, "the ISO interval does not fit", label, ys);
    check(pmf_period_parse(out, ys, &q, err, sizeof err) == 0 && pmf_period_compare(p, q) == 0,
          "the ISO interval does not read back", out, ys);
    check(q.kind == pmf_period_infer_kind(p.start, p.len, ys), "ISO kind is not the natural one", out, ys);

    if (pmf_period_format_dhis2(p, out, sizeof out) >= 0)
        check(pmf_period_parse(out, ys, &q, err, sizeof err) == 0 && pmf_period_compare(p, q) == 0,
              "the DHIS2 id does not read back", out, ys);

    check(pmf_period_compare(p, p) == 0 && pmf_period_contains(p, p), "a period is not itself", label, ys);
    if (pmf_period_shift(p, 1, &q) == 0) {
        check(q.start == p.start + p.len && q.kind == p.kind, "next is not adjacent", label, ys);
        check(pmf_period_shift(q, -1, &r) == 0 && same(p, r), "prev(next) is not the period", label, ys);
        check(pmf_period_format(q, out, sizeof out) > 0, "next does not print", label, ys);
    }
    if (pmf_period_last_year(p, &q) == 0)
        check(q.start == p.start - 12 && pmf_period_format(q, out, sizeof out) > 0,
              "last year is not 12 months back", label, ys);
    if (pmf_period_quarter_of(p, &q) == 0)
        check(pmf_period_contains(q, p) && q.len == 3 && pmf_period_format(q, out, sizeof out) > 0,
              "quarter_of does not hold the period", label, ys);
    if (pmf_period_half_of(p, &q) == 0)
        check(pmf_period_contains(q, p) && q.len == 6 && pmf_period_format(q, out, sizeof out) > 0,
              "half_of does not hold the period", label, ys);
    if (pmf_period_year_of(p, &q) == 0)
        check(pmf_period_contains(q, p) && q.len == 12 && pmf_period_format(q, out, sizeof out) > 0,
              "year_of does not hold the period", label, ys);
    check(pmf_period_nth_month(p, p.len - 1, &q) == 0 && pmf_period_contains(p, q),
          "the last month is not in the period", label, ys);
    a = pmf_period_start_date(p);
    b = pmf_period_end_date(p);
    check(pmf_date_valid(a.y, a.m, a.d) && pmf_date_valid(b.y, b.m, b.d)
          && pmf_date_compare(a, b) < 0, "the dates are wrong", label, ys);
    if (pmf_period_deadline(p, 3, &a) == 0)
        check(pmf_date_compare(a, b) > 0 && pmf_is_working_day(a.y, a.m, a.d),
              "the deadline is not a later working day", label, ys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char label[256], err[PMF_PERIOD_ERR_MAX];
    size_t n = size < sizeof label - 1 ? size : sizeof label - 1;
    memcpy(label, data, n);
    label[n] = '\0';

    for (int ys = 1; ys <= 12; ys++)
        for (int yt = PMF_YEAR_NONE; yt <= PMF_YEAR_CALENDAR; yt++) {
            pmf_period p;
            pmf_period_opts o = { ys, yt };
            pmf_period_info info;
            err[0] = 'x';
            if (pmf_period_parse_typed(label, &o, &p, &info, err, sizeof err) == 0) {
                check(p.year_start == ys, "the year start is not kept", label, ys);
                check(!(info.flags & PMF_LABEL_SNAPSHOT)
                      || (pmf_date_valid(info.snapshot.y, info.snapshot.m, info.snapshot.d)
                          && p.len == 1 && p.start == info.snapshot.y * 12 + info.snapshot.m - 1),
                      "a snapshot is not the month of its date", label, ys);
                exercise(p, label, ys);
            } else {
                check(err[0] != '\0' && strlen(err) < sizeof err && strncmp(err, "period \"", 8) == 0,
                      "a failure without a message", label, ys);
            }
        }

    if (size >= 9) {
        uint32_t s, l;
        memcpy(&s, data, 4);
        memcpy(&l, data + 4, 4);
        int ys = 1 + data[8] % 12;
        int32_t start = (int32_t)(PMF_PERIOD_MIN_YEAR * 12 + s % ((PMF_PERIOD_MAX_YEAR - PMF_PERIOD_MIN_YEAR + 1) * 12));
        int32_t len = (int32_t)(1 + l % 1500);
        pmf_period p;
        if (pmf_period_make(start, len, ys, &p) == 0) exercise(p, "(from bytes)", ys);
    }
    return 0;
}

#ifdef PMF_FUZZ_MAIN
int main(int argc, char **argv) {
    static uint8_t buf[4096];
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            return 1;
        }
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("fuzz_period: %d inputs ran\n", argc - 1);
    return 0;
}
#endif
