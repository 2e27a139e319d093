/*
 * tests/unit/test.h: the C unit tests' harness, in the spirit of Redis's testhelp.h.
 *
 * Each test program includes this header, calls test_cond() for every assertion and ends
 * main() with `return test_report("name");`, which prints one line
 * "name: N passed, N failed" that tests/run.sh adds up.  A failed assertion prints the
 * file, line and description on stderr and the program carries on, so one run shows every
 * failure.
 */
#ifndef PMF_TEST_H
#define PMF_TEST_H

#include <stdio.h>
#include <string.h>
#include <math.h>

static int test_passed, test_failed;

#define test_cond(descr, cond) do {                                         \
        if (cond) test_passed++;                                            \
        else {                                                              \
            test_failed++;                                                  \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, descr); \
        }                                                                   \
    } while (0)

/* Strings equal (NULL-safe), doubles within 1e-9 relative. */
static inline int test_str_equal(const char *a, const char *b) {
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}
#define test_streq(descr, a, b) test_cond(descr, test_str_equal((a), (b)))
#define test_near(descr, a, b) \
    test_cond(descr, fabs((double)(a) - (double)(b)) <= 1e-9 * (1.0 + fabs((double)(b))))

static inline int test_report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, test_passed, test_failed);
    return test_failed ? 1 : 0;
}

#endif
