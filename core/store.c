/*
 * store.c: the store's schema, migrations, reference data and transaction time.
 *
 * Design decisions (the next engineer will want to know):
 *
 * - One SQLite file, WAL, synchronous=NORMAL (durable at checkpoint, never corrupt), foreign
 *   keys on, a busy timeout so that concurrent writers wait instead of failing.  Writers use
 *   BEGIN IMMEDIATE so that two importers serialise at the start rather than deadlocking at
 *   their first write.  Setting up a new file is the one place SQLite does not consult the
 *   busy handler: `PRAGMA journal_mode = WAL` needs an exclusive lock and answers
 *   SQLITE_BUSY at once while another process holds any lock (several processes opening a
 *   new store together).  The open's set-up steps are therefore retried with backoff, for
 *   as long as the busy timeout (exec_retry), so "database is locked" never reaches a user
 *   who merely started two commands at once.
 *
 * - Metrics are not KPIs.  `metric` holds what is measured (with its aggregation rule);
 *   frameworks (Lua) turn metrics into KPIs.  Areas and metrics have integer ids so that the
 *   observation table's key is compact; their codes are unique text.
 *
 * - Metric definitions are versioned as frameworks are: `metric_version` keeps every
 *   definition (rule, unit, decimals, reference, carry, who declared it, when), `metric` the
 *   latest.  pmf_store_metric_def is the one place that answers "the rule in force at T";
 *   every reader of a metric's rule calls it, so a view as of T rates with the rule of T.
 *
 * - Observations are never overwritten (bitemporal).  Every write belongs to a `batch` (an
 *   import, an edit) that carries the transaction time (recorded_at, recorded_by).  The
 *   observation table is WITHOUT ROWID, clustered on (metric, area, breakdown, start, len,
 *   batch): a series is one range scan, and all versions of one figure sit side by side.
 *   The figure "as known at T" is the version whose batch is the latest recorded at or before
 *   T.  Nothing is ever updated in place, so an as-of report can be rebuilt byte for byte.
 *
 * - A period is a span of months: (start, len), start = year*12 + month-1.  Labels belong to
 *   the frameworks (year start) and are printed by period.c.
 *
 * - Reference data (ONS codes and names of UK councils, CIPFA-style nearest neighbours, DfE
 *   children's statistical neighbours) is loaded into every new store from lua/data/.  The
 *   neighbour lists also name districts abolished in April 2023, combined authorities and
 *   the GLA, which areas.csv lacks: lua/data/areas_extra.csv names them, so no published
 *   link is dropped.  areas_more.csv adds England's regions, the nations and the former codes
 *   of 2013-2023, area_successors.csv who replaced them and when, and area_aliases.csv the
 *   names and DfE LA numbers publishers write (store_area.c resolves them).  Groups
 *   are named "<model>:<code>" and include the council itself (rank 0): "cipfa_2024:E08000027"
 *   is Dudley and its 15 nearest neighbours; "dfe_sn_2025:<code>" the DfE statistical
 *   neighbours; "all:<kind>" every council of one kind ("all:metropolitan district").
 *
 * - Migrations: PRAGMA user_version is the schema version.  Opening an older store copies the
 *   file to "<path>.v<N>.bak" (VACUUM INTO) before migrating it in one transaction; a store
 *   from a newer pmf is refused rather than damaged.
 */
#include "store.h"
#include "store_area.h"
#include "csv.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pmf_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *metric_id, *area_id, *metric_def;
};

/* ---------------------------------------------------------------------------------------
 * Schema.  Each entry migrates from version i to i+1.
 * ------------------------------------------------------------------------------------- */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE area("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  parent TEXT);"
    "CREATE TABLE area_group("
    "  id TEXT PRIMARY KEY,"
    "  title TEXT,"
    "  source TEXT,"
    "  framework TEXT);"
    "CREATE TABLE area_group_member("
    "  group_id TEXT NOT NULL REFERENCES area_group(id) ON DELETE CASCADE,"
    "  area INTEGER NOT NULL REFERENCES area(id),"
    "  rank INTEGER,"
    "  PRIMARY KEY (group_id, area)) WITHOUT ROWID;"
    "CREATE TABLE metric("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  unit TEXT,"
    "  aggregation TEXT NOT NULL DEFAULT 'sum'"
    "    CHECK (aggregation IN ('sum','mean','last','min','max','ratio')),"
    "  decimals INTEGER,"
    "  definition TEXT,"
    "  source TEXT);"
    "CREATE TABLE batch("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"                 /* import, edit, load, ... */
    "  recorded_at TEXT NOT NULL,"          /* ISO 8601 UTC, for people */
    "  recorded_ms INTEGER NOT NULL,"       /* the same instant, for comparisons */
    "  recorded_by TEXT,"
    "  source TEXT,"
    "  note TEXT);"
    "CREATE TABLE observation("
    "  metric INTEGER NOT NULL REFERENCES metric(id),"
    "  area INTEGER NOT NULL REFERENCES area(id),"
    "  breakdown TEXT NOT NULL DEFAULT '',"
    "  start INTEGER NOT NULL,"
    "  len INTEGER NOT NULL,"
    "  batch INTEGER NOT NULL,"
    "  value REAL,"
    "  numerator REAL,"
    "  denominator REAL,"
    "  flags INTEGER NOT NULL DEFAULT 0,"
    "  source TEXT,"
    "  PRIMARY KEY (metric, area, breakdown, start, len, batch)) WITHOUT ROWID;"
    "CREATE TABLE framework("
    "  id TEXT PRIMARY KEY,"
    "  title TEXT,"
    "  year_start INTEGER NOT NULL DEFAULT 4,"
    "  version INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE framework_version("
    "  framework TEXT NOT NULL REFERENCES framework(id),"
    "  version INTEGER NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  path TEXT,"
    "  source TEXT NOT NULL,"
    "  loaded_at TEXT NOT NULL,"
    "  loaded_ms INTEGER NOT NULL,"
    "  loaded_by TEXT,"
    "  PRIMARY KEY (framework, version));"
    "CREATE TABLE framework_metric("
    "  framework TEXT NOT NULL REFERENCES framework(id),"
    "  metric INTEGER NOT NULL REFERENCES metric(id),"
    "  PRIMARY KEY (framework, metric)) WITHOUT ROWID;"
    /* Targets set outside the framework file (e.g. imported per area and period). */
    "CREATE TABLE target("
    "  framework TEXT NOT NULL,"
    "  kpi TEXT NOT NULL,"
    "  area INTEGER NOT NULL REFERENCES area(id),"
    "  start INTEGER NOT NULL,"
    "  len INTEGER NOT NULL,"
    "  batch INTEGER NOT NULL REFERENCES batch(id),"
    "  value REAL,"
    "  PRIMARY KEY (framework, kpi, area, start, len, batch)) WITHOUT ROWID;"
    /* Commentary, action updates and risk assessments are append-only too. */
    "CREATE TABLE commentary("
    "  id INTEGER PRIMARY KEY,"
    "  framework TEXT NOT NULL,"
    "  kpi TEXT NOT NULL,"
    "  area INTEGER REFERENCES area(id),"
    "  start INTEGER NOT NULL,"
    "  len INTEGER NOT NULL,"
    "  batch INTEGER NOT NULL REFERENCES batch(id),"
    "  text TEXT NOT NULL);"
    "CREATE INDEX commentary_key ON commentary(framework, kpi, start, len);"
    "CREATE TABLE action_update("
    "  id INTEGER PRIMARY KEY,"
    "  framework TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  progress REAL,"
    "  as_at TEXT NOT NULL,"                /* the date the update speaks of */
    "  batch INTEGER NOT NULL REFERENCES batch(id),"
    "  note TEXT);"
    "CREATE INDEX action_update_key ON action_update(framework, action, as_at);"
    "CREATE TABLE risk_assessment("
    "  id INTEGER PRIMARY KEY,"
    "  framework TEXT NOT NULL,"
    "  risk TEXT NOT NULL,"
    "  likelihood INTEGER NOT NULL,"
    "  impact INTEGER NOT NULL,"
    "  as_at TEXT NOT NULL,"
    "  batch INTEGER NOT NULL REFERENCES batch(id),"
    "  note TEXT);"
    "CREATE INDEX risk_assessment_key ON risk_assessment(framework, risk, as_at);"
    /* Sign-off and reopening of a framework's period: the latest event decides. */
    "CREATE TABLE signoff("
    "  id INTEGER PRIMARY KEY,"
    "  framework TEXT NOT NULL,"
    "  start INTEGER NOT NULL,"
    "  len INTEGER NOT NULL,"
    "  event TEXT NOT NULL CHECK (event IN ('signoff','reopen')),"
    "  batch INTEGER NOT NULL REFERENCES batch(id),"
    "  note TEXT);"
    "CREATE INDEX signoff_key ON signoff(framework, start);"
    /* The audit trail: one row per thing a person did to the store. */
    "CREATE TABLE audit("
    "  id INTEGER PRIMARY KEY,"
    "  batch INTEGER REFERENCES batch(id),"
    "  what TEXT NOT NULL,"
    "  detail TEXT);",
    /* 1 -> 2: published reports, with enough to rebuild the same bytes later. */
    "CREATE TABLE publication("
    "  id INTEGER PRIMARY KEY,"
    "  framework TEXT NOT NULL,"
    "  report TEXT NOT NULL,"
    "  params TEXT NOT NULL,"
    "  framework_hash TEXT NOT NULL,"
    "  as_of TEXT NOT NULL,"
    "  output_hash TEXT,"
    "  batch INTEGER NOT NULL REFERENCES batch(id));",
    /* 2 -> 3: snapshot reference dates and carry rules on metrics */
    "ALTER TABLE metric ADD COLUMN reference TEXT;"
    "ALTER TABLE metric ADD COLUMN carry TEXT;",
    /* 3 -> 4: metric definitions versioned (as frameworks are), so that a view as of T reads
     * the rule in force at T.  `metric` keeps the latest definition; each change appends a
     * metric_version row.  owner is the framework id or "catalogue" that declared it (NULL:
     * the Lua API, or a store older than versioning), file and line where.  The versions of
     * an older store start as version 1, in force since the beginning (recorded_ms 0). */
    "CREATE TABLE metric_version("
    "  metric INTEGER NOT NULL REFERENCES metric(id),"
    "  version INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  unit TEXT,"
    "  aggregation TEXT NOT NULL"
    "    CHECK (aggregation IN ('sum','mean','last','min','max','ratio')),"
    "  decimals INTEGER,"
    "  definition TEXT,"
    "  source TEXT,"
    "  reference TEXT,"
    "  carry TEXT,"
    "  owner TEXT,"
    "  file TEXT,"
    "  line INTEGER,"
    "  recorded_ms INTEGER NOT NULL,"
    "  batch INTEGER REFERENCES batch(id),"
    "  PRIMARY KEY (metric, version)) WITHOUT ROWID;"
    "INSERT INTO metric_version(metric, version, title, unit, aggregation, decimals, definition,"
    "  source, reference, carry, recorded_ms)"
    "  SELECT id, 1, title, unit, aggregation, decimals, definition, source, reference, carry, 0"
    "  FROM metric;",
    /* 4 -> 5 (areas by any name): names and DfE LA numbers as publishers write them, keyed
     * by pmf_area_key (store_area.c); former codes with their successors and the last day
     * they were in use.  The reference loader fills both (load_area_links). */
    "CREATE TABLE area_alias("
    "  key TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('name', 'la_number')),"
    "  area INTEGER NOT NULL REFERENCES area(id) ON DELETE CASCADE,"
    "  alias TEXT NOT NULL,"
    "  PRIMARY KEY (key, kind, area)) WITHOUT ROWID;"
    "CREATE TABLE area_successor("
    "  area INTEGER NOT NULL REFERENCES area(id) ON DELETE CASCADE,"
    "  successor INTEGER NOT NULL REFERENCES area(id),"
    "  ended TEXT NOT NULL,"
    "  PRIMARY KEY (area, successor)) WITHOUT ROWID;",
    /* 5 -> 6: imported targets carry a note, commentary its author (a file of commentary is
     * one batch, recorded by whoever imported it; each row may name who wrote it). */
    "ALTER TABLE target ADD COLUMN note TEXT;"
    "ALTER TABLE commentary ADD COLUMN author TEXT;",
    /* 6 -> 7 (the quarterly round): return workbooks issued to owners (pmf.returns), each
     * with the hash of its locked cells as issued, and each one taken back (the batch says
     * who and when; file_hash is the bytes imported). */
    "CREATE TABLE return_issue("
    "  id TEXT PRIMARY KEY,"
    "  framework TEXT NOT NULL,"
    "  start INTEGER NOT NULL,"
    "  len INTEGER NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  framework_hash TEXT NOT NULL,"
    "  locked_hash TEXT NOT NULL,"
    "  figures INTEGER NOT NULL,"
    "  batch INTEGER NOT NULL REFERENCES batch(id));"
    "CREATE INDEX return_issue_round ON return_issue(framework, start, len, owner);"
    "CREATE TABLE return_receipt("
    "  id INTEGER PRIMARY KEY,"
    "  issue TEXT NOT NULL REFERENCES return_issue(id),"
    "  batch INTEGER NOT NULL REFERENCES batch(id),"
    "  file_hash TEXT NOT NULL,"
    "  figures INTEGER NOT NULL,"
    "  comments INTEGER NOT NULL);",
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* Write a message into the caller's buffer (truncating; never more than errlen). */
static void errorf(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------------------------------
 * Reference data.
 * ------------------------------------------------------------------------------------- */

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
                errorf(err, errlen, "%s: header is not %s", path, header);
                rc = -1;
                break;
            }
            first = 0;
            continue;
        }
        if (fn(db, st, f, n) != 0) {
            int code = sqlite3_errcode(db);
            errorf(err, errlen, "%s:%ld: %s", path, pmf_csv_line(c),
                   code == SQLITE_OK || code == SQLITE_DONE || code == SQLITE_ROW
                       ? "a code that is not a known area, or a field that is not allowed"
                       : sqlite3_errmsg(db));
            rc = -1;
            break;
        }
    }
    if (rc == -1 && err && !*err) errorf(err, errlen, "%s", pmf_csv_error(c));
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
static int load_area_links(sqlite3 *db, const char *refdir, char *err, size_t errlen) {
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
            errorf(err, errlen, "preparing area reference data: %s", sqlite3_errmsg(db));
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
        errorf(err, errlen, "area names: %s", sqlite3_errmsg(db));
        goto done;
    }
    rc = 0;
done:
    for (int i = 0; i < 4; i++) sqlite3_finalize(st[i]);
    return rc;
}

static int load_reference(sqlite3 *db, const char *refdir, char *err, size_t errlen) {
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
            errorf(err, errlen, "preparing reference data: %s", sqlite3_errmsg(db));
            goto done;
        }
    if (load_csv(db, refdir, "areas.csv", "code,name,kind", area_row, st, err, errlen) ||
        load_csv(db, refdir, "areas_extra.csv", "code,name,kind", area_row, st, err, errlen) ||
        load_area_links(db, refdir, err, errlen) ||
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
        errorf(err, errlen, "reference groups: %s", sqlite3_errmsg(db));
        goto done;
    }
    rc = 0;
done:
    for (int i = 0; i < 3; i++) sqlite3_finalize(st[i]);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Open and migrate.
 * ------------------------------------------------------------------------------------- */

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK) return 0;
    errorf(err, errlen, "%s", sqlite3_errmsg(db));
    return -1;
}

#define PMF_BUSY_MS 30000   /* the busy timeout, and how long the open's set-up retries */

/* Sleep before the next retry of a busy set-up step: 1 ms doubling to 64 ms.  *waited_ms
 * adds up the sleeps; returns 0 once PMF_BUSY_MS is spent (give up). */
static int busy_backoff(int *waited_ms, int attempt) {
    if (*waited_ms >= PMF_BUSY_MS) return 0;
    int ms = attempt < 6 ? 1 << attempt : 64;
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
    *waited_ms += ms;
    return 1;
}

static int is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

/* exec, retrying while SQLite answers busy/locked without having waited itself (the
 * journal-mode change; a BEGIN IMMEDIATE racing another process's set-up). */
static int exec_retry(sqlite3 *db, const char *sql, char *err, size_t errlen) {
    int waited = 0, rc;
    for (int attempt = 0; (rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK; attempt++)
        if (!is_busy(rc) || !busy_backoff(&waited, attempt)) break;
    if (rc == SQLITE_OK) return 0;
    errorf(err, errlen, "%s", sqlite3_errmsg(db));
    return -1;
}

/* PRAGMA user_version, or -1 when the file cannot be read as a database (busy is retried). */
static int user_version(sqlite3 *db) {
    int v = -1, waited = 0;
    for (int attempt = 0;; attempt++) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (v >= 0 || !is_busy(rc) || !busy_backoff(&waited, attempt)) return v;
    }
}

static int file_exists(const char *name) {
    FILE *f = fopen(name, "rb");
    if (f) fclose(f);
    return f != NULL;
}

/* Copy the store aside before an upgrade: "<path>.v<N>.bak", or "<path>.v<N>.<k>.bak" when a
 * copy by that name is already there (from an earlier upgrade, or another process upgrading
 * at the same moment): an old copy is never overwritten, and never blocks an upgrade. */
static int backup(sqlite3 *db, const char *path, int version, char *err, size_t errlen) {
    for (int k = 0; k < 1000; k++) {
        char *name = k ? sqlite3_mprintf("%s.v%d.%d.bak", path, version, k)
                       : sqlite3_mprintf("%s.v%d.bak", path, version);
        if (!name) return -1;
        int rc = 1;
        if (!file_exists(name)) {
            char *sql = sqlite3_mprintf("VACUUM INTO %Q", name);
            rc = sql ? exec(db, sql, err, errlen) : -1;
            sqlite3_free(sql);
            if (rc != 0 && file_exists(name)) rc = 1;   /* taken meanwhile: the next name */
        }
        sqlite3_free(name);
        if (rc <= 0) return rc;
    }
    errorf(err, errlen, "%s: too many backup copies (%s.v%d.*.bak)", path, path, version);
    return -1;
}

static int has_rows(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc;
}

static int migrate(sqlite3 *db, const char *path, const char *refdir, char *err, size_t errlen) {
    int v = user_version(db);
    if (v < 0) {
        errorf(err, errlen, "%s: not a pmf store (%s)", path, sqlite3_errmsg(db));
        return -1;
    }
    if (v > NMIGRATIONS) {
        char ver[32];
        snprintf(ver, sizeof ver, "%d", v);
        errorf(err, errlen, "%s: store schema version %s is newer than this pmf understands",
                path, ver);
        return -1;
    }
    if (v == NMIGRATIONS) return 0;
    if (v > 0 && strcmp(path, ":memory:") != 0 && backup(db, path, v, err, errlen) != 0)
        return -1;
    if (exec_retry(db, "BEGIN IMMEDIATE", err, errlen) != 0) return -1;
    /* Re-read inside the write lock: another process may have migrated meanwhile. */
    v = user_version(db);
    for (int i = v; i < NMIGRATIONS; i++)
        if (exec(db, migrations[i], err, errlen) != 0) goto fail;
    if (v == 0 && refdir && load_reference(db, refdir, err, errlen) != 0) goto fail;
    /* an older store gaining the area tables gets their reference rows now */
    if (v > 0 && refdir && !has_rows(db, "SELECT 1 FROM area_alias LIMIT 1") &&
        load_area_links(db, refdir, err, errlen) != 0)
        goto fail;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", NMIGRATIONS);
    if (exec(db, sql, err, errlen) != 0 || exec(db, "COMMIT", err, errlen) != 0) goto fail;
    return 0;
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* The definition of a metric (by code, ?1, or by id, ?2) in force at cutoff ?3: the highest
 * version recorded by then; before its first version, that first version (figures may be
 * back-dated with `at` before the framework that defines the metric was loaded).  A metric
 * row with no version (written by raw SQL) is its own definition, version 0. */
#define METRIC_DEF_COL(c) " CASE WHEN v.metric IS NULL THEN m." c " ELSE v." c " END"
static const char metric_def_sql[] =
    "SELECT m.id, m.code, coalesce(v.version, 0)," METRIC_DEF_COL("aggregation") ","
    METRIC_DEF_COL("decimals") ", v.line, coalesce(v.recorded_ms, 0),"
    METRIC_DEF_COL("title") "," METRIC_DEF_COL("unit") "," METRIC_DEF_COL("definition") ","
    METRIC_DEF_COL("source") "," METRIC_DEF_COL("reference") "," METRIC_DEF_COL("carry") ","
    "       v.owner, v.file"
    "  FROM metric m LEFT JOIN metric_version v ON v.metric = m.id"
    " WHERE m.code = ?1 OR m.id = ?2"
    " ORDER BY v.recorded_ms <= ?3 DESC,"
    "          CASE WHEN v.recorded_ms <= ?3 THEN -v.version ELSE v.version END"
    " LIMIT 1";

pmf_store *pmf_store_open(const char *path, const char *refdir, char *err, size_t errlen) {
    if (err && errlen) err[0] = '\0';
    pmf_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        errorf(err, errlen, "out of memory");
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        errorf(err, errlen, "cannot open store %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "");
        pmf_store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, PMF_BUSY_MS);
    pmf_area_register_sql(s->db);
    sqlite3_extended_result_codes(s->db, 1);
    char msg[512] = "";
    if (exec(s->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;", msg, sizeof msg) ||
        (strcmp(path, ":memory:") != 0 &&
         exec_retry(s->db, "PRAGMA journal_mode = WAL", msg, sizeof msg)) ||
        migrate(s->db, path, refdir, msg, sizeof msg)) {
        if (strstr(msg, path) == msg) errorf(err, errlen, "%s", msg);
        else errorf(err, errlen, "%s: %s", path, msg);
        pmf_store_close(s);
        return NULL;
    }
    if (sqlite3_prepare_v3(s->db, "SELECT id FROM metric WHERE code = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->metric_id, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(s->db, "SELECT id FROM area WHERE code = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &s->area_id, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(s->db, metric_def_sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &s->metric_def, NULL) != SQLITE_OK) {
        errorf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
        pmf_store_close(s);
        return NULL;
    }
    return s;
}

void pmf_store_close(pmf_store *s) {
    if (!s) return;
    sqlite3_finalize(s->metric_id);
    sqlite3_finalize(s->area_id);
    sqlite3_finalize(s->metric_def);
    sqlite3_close_v2(s->db);   /* NULL-safe; a zombie until any statement still open is finalised */
    free(s->path);
    free(s);
}

sqlite3 *pmf_store_db(pmf_store *s) { return s->db; }
const char *pmf_store_path(const pmf_store *s) { return s->path; }

int pmf_store_begin(pmf_store *s) { return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL); }
int pmf_store_commit(pmf_store *s) { return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL); }
int pmf_store_rollback(pmf_store *s) {
    if (sqlite3_get_autocommit(s->db)) return SQLITE_OK;
    return sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* -1: unknown; -2: the step failed (busy, I/O): an error, never "unknown". */
static int64_t lookup_id(sqlite3_stmt *st, const char *code) {
    int64_t id = -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE) id = -2;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return id;
}

int64_t pmf_store_metric_id(pmf_store *s, const char *code) { return lookup_id(s->metric_id, code); }
int64_t pmf_store_area_id(pmf_store *s, const char *code) { return lookup_id(s->area_id, code); }

static char *dup_text(sqlite3_stmt *st, int col, char **at) {
    const unsigned char *t = sqlite3_column_text(st, col);
    if (!t) return NULL;
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *out = *at;
    memcpy(out, t, n);
    out[n] = '\0';
    *at += n + 1;
    return out;
}

int pmf_store_metric_def(pmf_store *s, const char *code, int64_t id, int64_t cutoff_ms,
                         pmf_metric_def *d) {
    memset(d, 0, sizeof *d);
    sqlite3_stmt *st = s->metric_def;
    if (code) sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    else sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, cutoff_ms);
    int rc = sqlite3_step(st), out = 0;
    if (rc == SQLITE_ROW) {
        enum { NTEXT = 8, FIRST = 7 };
        size_t need = 0;
        need += (size_t)sqlite3_column_bytes(st, 1) + 1;
        for (int i = 0; i < NTEXT; i++) need += (size_t)sqlite3_column_bytes(st, FIRST + i) + 1;
        char *at = d->text_ = malloc(need);
        if (!at) {
            out = -1;
        } else {
            d->id = sqlite3_column_int64(st, 0);
            d->code = dup_text(st, 1, &at);
            d->version = sqlite3_column_int(st, 2);
            const char *agg = (const char *)sqlite3_column_text(st, 3);
            snprintf(d->aggregation, sizeof d->aggregation, "%s", agg ? agg : "sum");
            d->decimals = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 4);
            d->line = sqlite3_column_int(st, 5);
            d->recorded_ms = sqlite3_column_int64(st, 6);
            char **text[NTEXT] = {&d->title, &d->unit, &d->definition, &d->source,
                                  &d->reference, &d->carry, &d->owner, &d->file};
            for (int i = 0; i < NTEXT; i++) *text[i] = dup_text(st, FIRST + i, &at);
            out = 1;
        }
    } else if (rc != SQLITE_DONE) {
        out = -1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

void pmf_metric_def_free(pmf_metric_def *d) {
    if (!d) return;
    free(d->text_);
    memset(d, 0, sizeof *d);
}

int64_t pmf_store_new_batch(pmf_store *s, const char *kind, const char *by, const char *at,
                            const char *source, const char *note) {
    int64_t ms, prec;
    if (!at || pmf_iso_parse(at, &ms, &prec) != 0) ms = pmf_now_ms();
    char when[32];
    pmf_format_ms(ms, when, sizeof when);
    if (!by || !*by) by = getenv("PMF_USER");
    if (!by || !*by) by = getenv("USER");
    if (!by || !*by) by = "unknown";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
            "INSERT INTO batch(kind, recorded_at, recorded_ms, recorded_by, source, note) "
            "VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, when, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, ms);
    sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_last_insert_rowid(s->db) : -1;
}

/* A visible batch, sorted by the version rule. */
typedef struct batch_key {
    int64_t ms, id;
} batch_key;

static int by_version(const void *a, const void *b) {
    const batch_key *x = a, *y = b;
    if (pmf_version_later(x->ms, x->id, y->ms, y->id)) return 1;
    if (pmf_version_later(y->ms, y->id, x->ms, x->id)) return -1;
    return 0;
}

int pmf_batch_view_load(pmf_store *s, int64_t cutoff_ms, pmf_batch_view *v) {
    sqlite3_stmt *st = NULL;
    int64_t max = 0, nvis = 0;
    batch_key *ids = NULL;
    int rc;
    v->nbatch = 0;
    v->rank = v->ms = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT max(id) FROM batch", -1, &st, NULL) != SQLITE_OK)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) max = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW || max < 0 || max >= INT32_MAX) return -1;
    v->nbatch = max + 1;
    v->rank = calloc((size_t)v->nbatch, sizeof *v->rank);
    v->ms = calloc((size_t)v->nbatch, sizeof *v->ms);
    ids = malloc((size_t)v->nbatch * sizeof *ids);
    if (!v->rank || !v->ms || !ids ||
        sqlite3_prepare_v2(s->db, "SELECT id, recorded_ms FROM batch", -1, &st, NULL) !=
            SQLITE_OK) {
        free(ids);
        pmf_batch_view_free(v);
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), ms = sqlite3_column_int64(st, 1);
        if (id > 0 && id < v->nbatch && pmf_version_visible(ms, cutoff_ms)) {
            v->ms[id] = ms;
            ids[nvis].ms = ms;
            ids[nvis++].id = id;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(ids);
        pmf_batch_view_free(v);
        return -1;
    }
    qsort(ids, (size_t)nvis, sizeof *ids, by_version);
    for (int64_t k = 0; k < nvis; k++) v->rank[ids[k].id] = k + 1;
    free(ids);
    return 0;
}

void pmf_batch_view_free(pmf_batch_view *v) {
    free(v->rank);
    free(v->ms);
    v->rank = v->ms = NULL;
    v->nbatch = 0;
}
