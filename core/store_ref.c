/*
 * core/store_ref.c: the reference data every new store is loaded with, from the CSV files
 * in lua/data/ (store.c's migrate calls it; store.c's header says what the data is): ONS
 * codes, names and kinds of UK councils and the areas their neighbour lists name, regions,
 * nations, former codes and their successors, publishers' names and LA numbers, CIPFA-style
 * nearest neighbours, the DfE's children's statistical neighbours, and the "all:<kind>"
 * groups.
 *
 * Each file's header is checked; a bad row is an error naming the file and line; a row
 * naming an unknown area code is an error, never a silent drop.
 */
#include "store_internal.h"
#include "csv.h"

#include <stdio.h>
#include <string.h>

/* Run fn(row) for each data row of refdir/name after checking the header; -1 on error. */
typedef int (*row_fn)(sqlite3 *db, sqlite3_stmt **st, const pmf_csv_field *f, size_t n);

static int load_csv(sqlite3 *db, const char *refdir, const char *name, const char *header,
                    row_fn fn, sqlite3_stmt **st, char *err, size_t errlen) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", refdir, name);
    pmf_csv *c = pmf_csv_open(path, err, errlen);
    if (!c) return -1;
    int rc = 0, first = 1;
    while ((rc = pmf_csv_next(c)) == 1) {
        const pmf_csv_field *f = pmf_csv_fields(c);
        size_t n = pmf_csv_nfields(c);
        if (first) {
            char got[256] = "";
            for (size_t i = 0; i < n; i++) {
                if (i) strncat(got, ",", sizeof got - strlen(got) - 1);
                strncat(got, f[i].s, sizeof got - strlen(got) - 1);
            }
            if (strcmp(got, header) != 0) {
                pmf_store_errorf(err, errlen, "%s: header is not %s", path, header);
                rc = -1;
                break;
            }
            first = 0;
            continue;
        }
        if (fn(db, st, f, n) != 0) {
            int code = sqlite3_errcode(db);
            pmf_store_errorf(err, errlen, "%s:%ld: %s", path, pmf_csv_line(c),
                   code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW
                       ? "a code that is not a known area, or a field that is not allowed"
                       : sqlite3_errmsg(db));
            rc = -1;
            break;
        }
    }
    if (rc == -1 && err && !*err) pmf_store_errorf(err, errlen, "%s", pmf_csv_error(c));
    pmf_csv_close(c);
    return rc == -1 ? -1 : 0;
}

static int step_reset(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int area_row(sqlite3 *db, sqlite3_stmt **st, const pmf_csv_field *f, size_t n) {
    (void)db;
    if (n != 3) return -1;
    sqlite3_bind_text(st[0], 1, f[0].s, (int)f[0].len, SQLITE_STATIC);
    sqlite3_bind_text(st[0], 2, f[1].s, (int)f[1].len, SQLITE_STATIC);
    sqlite3_bind_text(st[0], 3, f[2].s, (int)f[2].len, SQLITE_STATIC);
    return step_reset(st[0]);
}

/* A neighbour row adds the neighbour to "<model>:<area>", creating the group (with the area
 * itself as rank 0) the first time. */
static int neighbour(sqlite3_stmt **st, const char *model, const char *title,
                     const pmf_csv_field *area, const pmf_csv_field *nb, const pmf_csv_field *rank) {
    char gid[96];
    snprintf(gid, sizeof gid, "%s:%s", model, area->s);
    sqlite3_bind_text(st[1], 1, gid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st[1], 2, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st[1], 3, area->s, (int)area->len, SQLITE_STATIC);
    if (step_reset(st[1]) != 0) return -1;
    const pmf_csv_field *who[2] = {area, nb};
    for (int i = 0; i < 2; i++) {
        sqlite3_bind_text(st[2], 1, gid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st[2], 2, who[i]->s, (int)who[i]->len, SQLITE_STATIC);
        if (i == 0) sqlite3_bind_int(st[2], 3, 0);
        else sqlite3_bind_text(st[2], 3, rank->s, (int)rank->len, SQLITE_STATIC);
        if (step_reset(st[2]) != 0) return -1;
    }
    return 0;
}

static int nn_row(sqlite3 *db, sqlite3_stmt **st, const pmf_csv_field *f, size_t n) {
    (void)db;
    if (n != 3) return -1;
    return neighbour(st, "cipfa_2024", "CIPFA nearest neighbours (2024 model)", &f[0], &f[1], &f[2]);
}

static int sn_row(sqlite3 *db, sqlite3_stmt **st, const pmf_csv_field *f, size_t n) {
    (void)db;
    if (n != 4) return -1;
    return neighbour(st, "dfe_sn_2025", "DfE children's statistical neighbours (May 2025)",
                     &f[0], &f[2], &f[1]);
}

/* area_successors.csv: code,successor,ended (both codes must be known areas). */
static int successor_row(sqlite3 *db, sqlite3_stmt **st, const pmf_csv_field *f, size_t n) {
    if (n != 3) return -1;
    for (int i = 1; i <= 3; i++)
        sqlite3_bind_text(st[1], i, f[i - 1].s, (int)f[i - 1].len, SQLITE_STATIC);
    if (step_reset(st[1]) != 0) return -1;
    return sqlite3_changes(db) == 1 ? 0 : -1;
}

/* area_aliases.csv: alias,code,kind (name or la_number; the code must be a known area). */
static int alias_row(sqlite3 *db, sqlite3_stmt **st, const pmf_csv_field *f, size_t n) {
    (void)db;
    if (n != 3 || (strcmp(f[2].s, "name") != 0 && strcmp(f[2].s, "la_number") != 0)) return -1;
    sqlite3_bind_text(st[3], 1, f[1].s, (int)f[1].len, SQLITE_STATIC);
    int known = sqlite3_step(st[3]) == SQLITE_ROW;
    sqlite3_reset(st[3]);
    if (!known) return -1;
    for (int i = 1; i <= 3; i++)
        sqlite3_bind_text(st[2], i, f[i - 1].s, (int)f[i - 1].len, SQLITE_STATIC);
    return step_reset(st[2]);
}

/*
 * Areas by any name: regions, nations and former codes (areas_more.csv), successors and
 * publishers' names and LA numbers, and every area's own name as an alias.  Runs for a new
 * store and when an older store gains the area_alias table (an upgrade); areas already
 * present are kept as they are.  A row naming an unknown code is an error naming the line.
 */
int pmf_store_load_area_links(sqlite3 *db, const char *refdir, char *err, size_t errlen) {
    static const char *const sql[] = {
        "INSERT OR IGNORE INTO area(code, name, kind) VALUES (?1, ?2, ?3)",
        "INSERT OR IGNORE INTO area_successor(area, successor, ended) "
        "  SELECT a.id, s.id, ?3 FROM area a, area s WHERE a.code = ?1 AND s.code = ?2",
        "INSERT OR IGNORE INTO area_alias(key, kind, area, alias) "
        "  SELECT CASE ?3 WHEN 'name' THEN pmf_area_key(?1) ELSE ?1 END, ?3, id, ?1 "
        "  FROM area WHERE code = ?2 AND ?3 IN ('name', 'la_number')",
        "SELECT 1 FROM area WHERE code = ?1",
    };
    sqlite3_stmt *st[4] = {0};
    int rc = -1;
    for (int i = 0; i < 4; i++)
        if (sqlite3_prepare_v2(db, sql[i], -1, &st[i], NULL) != SQLITE_OK) {
            pmf_store_errorf(err, errlen, "preparing area reference data: %s", sqlite3_errmsg(db));
            goto done;
        }
    if (load_csv(db, refdir, "areas_more.csv", "code,name,kind", area_row, st, err, errlen) ||
        load_csv(db, refdir, "area_successors.csv", "code,successor,ended", successor_row, st,
                 err, errlen) ||
        load_csv(db, refdir, "area_aliases.csv", "alias,code,kind", alias_row, st, err, errlen))
        goto done;
    if (sqlite3_exec(db,
            "INSERT OR IGNORE INTO area_alias(key, kind, area, alias) "
            "  SELECT pmf_area_key(name), 'name', id, name FROM area",
            NULL, NULL, NULL) != SQLITE_OK) {
        pmf_store_errorf(err, errlen, "area names: %s", sqlite3_errmsg(db));
        goto done;
    }
    rc = 0;
done:
    for (int i = 0; i < 4; i++) sqlite3_finalize(st[i]);
    return rc;
}

int pmf_store_load_reference(sqlite3 *db, const char *refdir, char *err, size_t errlen) {
    static const char *const sql[] = {
        "INSERT INTO area(code, name, kind) VALUES (?1, ?2, ?3)",
        /* the group's title names the model and the council: "...: Dudley" */
        "INSERT OR IGNORE INTO area_group(id, title, source) "
        "  SELECT ?1, ?2 || ': ' || name, 'reference' FROM area WHERE code = ?3",
        "INSERT OR IGNORE INTO area_group_member(group_id, area, rank) "
        "  SELECT ?1, id, ?3 FROM area WHERE code = ?2",
    };
    sqlite3_stmt *st[3] = {0};
    int rc = -1;
    for (int i = 0; i < 3; i++)
        if (sqlite3_prepare_v2(db, sql[i], -1, &st[i], NULL) != SQLITE_OK) {
            pmf_store_errorf(err, errlen, "preparing reference data: %s", sqlite3_errmsg(db));
            goto done;
        }
    if (load_csv(db, refdir, "areas.csv", "code,name,kind", area_row, st, err, errlen) ||
        load_csv(db, refdir, "areas_extra.csv", "code,name,kind", area_row, st, err, errlen) ||
        pmf_store_load_area_links(db, refdir, err, errlen) ||
        load_csv(db, refdir, "nearest_neighbours.csv", "area_code,neighbour_code,rank", nn_row,
                 st, err, errlen) ||
        load_csv(db, refdir, "childrens_statistical_neighbours_2025.csv",
                 "area_code,rank,neighbour_code,closeness", sn_row, st, err, errlen))
        goto done;
    if (sqlite3_exec(db,
            "INSERT INTO area_group(id, title, source) "
            "  SELECT DISTINCT 'all:' || kind, 'All ' || CASE kind"
            "    WHEN 'county' THEN 'counties'"
            "    WHEN 'unitary' THEN 'unitary authorities'"
            "    WHEN 'welsh unitary' THEN 'Welsh unitary authorities'"
            "    WHEN 'scottish council' THEN 'Scottish councils'"
            "    WHEN 'ni district' THEN 'Northern Ireland district councils'"
            "    WHEN 'london borough' THEN 'London boroughs'"
            "    WHEN 'combined authority' THEN 'combined authorities'"
            "    WHEN 'strategic authority' THEN 'strategic authorities'"
            "    ELSE kind || 's' END, 'reference' FROM area "
            "  WHERE kind <> 'country' AND kind NOT LIKE 'former %';"
            "INSERT INTO area_group_member(group_id, area, rank) "
            "  SELECT 'all:' || kind, id, NULL FROM area "
            "  WHERE kind <> 'country' AND kind NOT LIKE 'former %';",
            NULL, NULL, NULL) != SQLITE_OK) {
        pmf_store_errorf(err, errlen, "reference groups: %s", sqlite3_errmsg(db));
        goto done;
    }
    rc = 0;
done:
    for (int i = 0; i < 3; i++) sqlite3_finalize(st[i]);
    return rc;
}
