/*
 * core/lperiod.h: the pmf.period Lua binding's helpers for other bindings.
 *
 * A Period is an immutable full userdata holding a pmf_period, with metatable PMF_PERIOD_MT.
 * Wherever a binding expects a period it should take either a Period or a label string
 * through pmf_checkperiod(), so Lua code can write store:get("2025/26 Q2") as readily as
 * store:get(p).
 */
#ifndef PMF_LPERIOD_H
#define PMF_LPERIOD_H

#include <lua.h>

#include "period.h"

#define PMF_PERIOD_MT "pmf.Period"

/*
 * The period at idx: a Period, or a label (string or integer) parsed under year_start
 * (1-12; 0 or less means April) and replaced in place on the stack by the Period made from
 * it, so the pointer stays valid while that stack slot lives.  Raises an argument error
 * naming what was wrong with a label, or "pmf.Period or label expected" for other values.
 */
pmf_period *pmf_checkperiod(lua_State *L, int idx, int year_start);

/* The Period at idx, or NULL if it is not one (no error, no conversion). */
pmf_period *pmf_testperiod(lua_State *L, int idx);

/* Pushes a new Period holding p (creating the metatable if pmf.period was never opened). */
void pmf_pushperiod(lua_State *L, pmf_period p);

/*
 * A year start argument: an integer 1-12 or an English month name or abbreviation in any
 * case ("April", "apr"); none or nil gives def.  Raises an argument error otherwise.
 */
int pmf_checkyearstart(lua_State *L, int idx, int def);

/* Push a date as "YYYY-MM-DD". */
void pmf_pushdate(lua_State *L, pmf_date d);

/* For the module's own two files (lperiod.c, lperiod_type.c). */
/* Make the pmf.Period metatable if this state has none yet (lperiod_type.c). */
void pmf_lperiod_register(lua_State *L);
/* p's canonical label in buf, or "?" if it has none; returns buf. */
const char *pmf_lperiod_label(pmf_period p, char *buf, size_t n);

#endif
