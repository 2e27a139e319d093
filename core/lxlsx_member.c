/*
 * core/lxlsx_member.c: pmf.xlsx.member, reading one member of a zip back (registered by
 * core/lxlsx.c, which writes the workbooks).
 *
 * Design decisions:
 * - pmf marks every workbook it writes with the document property creator = "pmf", so that
 *   `-o book.xlsx` replaces a pmf report but never someone's own workbook (pmf.render reads
 *   docProps/core.xml back through member()).  The zip is read by libzip, as the xlsx reader
 *   (xlsx_read.c) reads it; libxlsxwriter, which writes, cannot read.
 * - Anything unexpected (not a zip, no such member, a member larger than MEMBER_MAX) is
 *   "no such member": nil.  A file that cannot be opened at all is nil, message.
 */
#include "lxlsx_member.h"

#include <stdio.h>

#include <lauxlib.h>
#include <zip.h>

#define MEMBER_MAX (1 << 20)

/* The bytes of member `want` of the zip at path, pushed as a string; 0 when not found. */
static int zip_member(lua_State *L, const char *path, const char *want) {
    zip_t *z = zip_open(path, ZIP_RDONLY, NULL);
    if (!z) return 0;
    zip_stat_t st;
    zip_file_t *f = NULL;
    int found = 0;
    if (zip_stat(z, want, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && st.size <= MEMBER_MAX
        && (f = zip_fopen(z, want, 0)) != NULL) {
        size_t n = (size_t)st.size;
        char *bytes = lua_newuserdatauv(L, n ? n : 1, 0);     /* GC-owned: nothing leaks */
        if (zip_fread(f, bytes, n) == (zip_int64_t)n) {
            lua_pushlstring(L, bytes, n);
            found = 1;
        }
    }
    if (f) zip_fclose(f);
    zip_discard(z);
    return found;
}

/* pmf.xlsx.member(path, name) -> the member's bytes (inflated) | nil (not a zip, no such
 * member, or one larger than MEMBER_MAX) | nil, message (the file cannot be opened). */
int pmf_lxlsx_member(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    const char *name = luaL_checkstring(L, 2);
    FILE *fp = fopen(path, "rb");
    if (!fp) return luaL_fileresult(L, 0, path);
    fclose(fp);
    if (!zip_member(L, path, name)) luaL_pushfail(L);
    return 1;
}
