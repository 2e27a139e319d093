/*
 * tests/unit/test_store_open.h: what the C unit tests that need a real store share: opening
 * one with the reference data of this checkout ($PMF_ROOT/lua/data, else ./lua/data), and
 * one number from a query.
 */
#ifndef PMF_TEST_STORE_OPEN_H
#define PMF_TEST_STORE_OPEN_H

#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pmf_store *open_store(const char *path) {
    char err[512];
    const char *root = getenv("PMF_ROOT");
    char refdir[1024];
    snprintf(refdir, sizeof refdir, "%s/lua/data", root ? root : ".");
    pmf_store *s = pmf_store_open(path, refdir, err, sizeof err);
    if (!s) fprintf(stderr, "open: %s\n", err);
    return s;
}

/* A new store in a fresh temporary file: path is a mkstemp template ("...XXXXXX") and gets
 * the file's name.  NULL when either fails. */
static pmf_store *open_temp_store(char *path) {
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    close(fd);
    unlink(path);
    return open_store(path);
}

/* The first column of the first row of sql on db, or -1. */
static int64_t count_db(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

#endif
