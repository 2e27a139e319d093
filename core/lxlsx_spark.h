/*
 * core/lxlsx_spark.h: the sheets' `sparklines` of a pmf.xlsx.write book, for core/lxlsx.c.
 *
 * The three steps of one write, all with the same accumulator (a Lua table at acc):
 *   1. pmf_lxlsx_spark_sheet after each worksheet is added: reads and checks the sheet's
 *      `sparklines` list, raising on a malformed one (the book is not written);
 *   2. pmf_lxlsx_spark_check once every sheet is added, before the workbook is closed:
 *      raises if a range names a sheet the workbook does not have;
 *   3. pmf_lxlsx_spark_apply after workbook_close wrote the file: adds them to it
 *      (core/xlsx_spark.h).  Returns 0, or 2 with nil, message pushed (the file could not be
 *      rewritten: an expected failure, as for the write itself).
 */
#ifndef PMF_LXLSX_SPARK_H
#define PMF_LXLSX_SPARK_H

#include <lua.h>
#include <xlsxwriter.h>

/* sheet: the sheet table's index; sheetno: the worksheet's 1-based place among the
 * worksheets (its part is xl/worksheets/sheet<sheetno>.xml); name: the sheet's name. */
void pmf_lxlsx_spark_sheet(lua_State *L, int sheet, int sheetno, const char *name, int acc);
void pmf_lxlsx_spark_check(lua_State *L, lxw_workbook *wb, int acc);
int pmf_lxlsx_spark_apply(lua_State *L, const char *path, int acc);

#endif
