/*
 * core/lxlsx_member.h: pmf.xlsx.member (core/lxlsx_member.c), for core/lxlsx.c's table of
 * the module's functions.
 */
#ifndef PMF_LXLSX_MEMBER_H
#define PMF_LXLSX_MEMBER_H

#include <lua.h>

/* pmf.xlsx.member(path, name) -> the member's bytes (inflated) | nil (not a zip, no such
 * member, or one too large) | nil, message (the file cannot be opened). */
int pmf_lxlsx_member(lua_State *L);

#endif
