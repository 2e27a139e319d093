/*
 * core/store_schema.c: the store's schema, as its one list of migrations (store.c applies
 * them on open: PRAGMA user_version is the number applied; see store.c for the design).
 *
 * A schema change is a new entry at the END of the list, never an edit of an old one: a
 * store made by an older pmf replays only the entries it lacks.  SQL lives in the store
 * layer only (store*.c, lua/pmf/store/).
 */
#include "store_internal.h"

/* Each entry migrates from version i to i+1. */
const char *const pmf_store_migrations[] = {
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
    /* 7 -> 8 (packed series, core/store_pack.h): each series' rows also as one blob, kept in
     * step by triggers that drop a changed series' pack and list it dirty (any writer, pmf
     * or not); pmf_store_repack rebuilds the listed ones.  An older store's series all
     * start dirty, and are packed when it is opened (store.c). */
    /* A rowid table, its key a unique index: a table row holds up to ~4 KB in its page,
     * where an index entry (WITHOUT ROWID) spills past ~1 KB into an overflow page of its
     * own (measured: 20 MB of packs took 93 MB). */
    "CREATE TABLE series_pack("
    "  id INTEGER PRIMARY KEY,"
    "  metric INTEGER NOT NULL,"
    "  area INTEGER NOT NULL,"
    "  breakdown TEXT NOT NULL,"
    "  data BLOB NOT NULL);"
    "CREATE UNIQUE INDEX series_pack_key ON series_pack(metric, area, breakdown);"
    "CREATE TABLE series_dirty("
    "  metric INTEGER NOT NULL,"
    "  area INTEGER NOT NULL,"
    "  breakdown TEXT NOT NULL,"
    "  PRIMARY KEY (metric, area, breakdown)) WITHOUT ROWID;"
    "CREATE TRIGGER observation_packed_ins AFTER INSERT ON observation BEGIN"
    "  DELETE FROM series_pack"
    "   WHERE metric = NEW.metric AND area = NEW.area AND breakdown = NEW.breakdown;"
    "  INSERT OR IGNORE INTO series_dirty VALUES (NEW.metric, NEW.area, NEW.breakdown);"
    " END;"
    "CREATE TRIGGER observation_packed_del AFTER DELETE ON observation BEGIN"
    "  DELETE FROM series_pack"
    "   WHERE metric = OLD.metric AND area = OLD.area AND breakdown = OLD.breakdown;"
    "  INSERT OR IGNORE INTO series_dirty VALUES (OLD.metric, OLD.area, OLD.breakdown);"
    " END;"
    "CREATE TRIGGER observation_packed_upd AFTER UPDATE ON observation BEGIN"
    "  DELETE FROM series_pack"
    "   WHERE metric = OLD.metric AND area = OLD.area AND breakdown = OLD.breakdown;"
    "  INSERT OR IGNORE INTO series_dirty VALUES (OLD.metric, OLD.area, OLD.breakdown);"
    "  DELETE FROM series_pack"
    "   WHERE metric = NEW.metric AND area = NEW.area AND breakdown = NEW.breakdown;"
    "  INSERT OR IGNORE INTO series_dirty VALUES (NEW.metric, NEW.area, NEW.breakdown);"
    " END;"
    "INSERT INTO series_dirty SELECT DISTINCT metric, area, breakdown FROM observation;",
};
const int pmf_store_nmigrations = (int)(sizeof pmf_store_migrations / sizeof pmf_store_migrations[0]);
