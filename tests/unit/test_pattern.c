/*
 * tests/unit/test_pattern.c: our pattern matcher (core/pattern.c through core/lpattern.c)
 * against Lua 5.4's own string library, case by case.
 *
 * Two states: a stock one (luaL_openlibs) and one whose string.find, match, gmatch and gsub
 * are ours (luaopen_pmf_pattern installs them).  Every expression in CASES, and a few
 * thousand generated ones, is evaluated in both under pcall and its results (or its error
 * message) serialised; the two must be the same text.  Then the pure C interface: an
 * interrupt stops a catastrophic pattern.
 */
#include "test.h"
#include "pattern.h"
#include "pmf_internal.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdint.h>

/* show(...) -> text of every value; collect(iter) -> text of every iteration's values. */
static const char PRELUDE[] =
    "function show(...)\n"
    "  local out = {}\n"
    "  for i = 1, select('#', ...) do\n"
    "    local v = select(i, ...)\n"
    "    out[i] = type(v) == 'string' and string.format('%q', v) or\n"
    "             (math.type(v) or '') .. tostring(v)\n"
    "  end\n"
    "  return select('#', ...) .. ':' .. table.concat(out, ',')\n"
    "end\n"
    "function collect(it)\n"
    "  local out = {}\n"
    "  while true do\n"
    "    local r = table.pack(it())\n"
    "    if r[1] == nil then break end\n"
    "    out[#out + 1] = show(table.unpack(r, 1, r.n))\n"
    "    if #out > 100 then break end\n"
    "  end\n"
    "  return table.concat(out, ' | ')\n"
    "end\n"
    "function case(src)\n"
    "  local f, err = load('return ' .. src, '=case')\n"
    "  if not f then return 'load: ' .. err end\n"
    "  return show(pcall(f))\n"
    "end\n";

static const char *const CASES[] = {
    /* plain and simple */
    "string.find('hello world', 'o w')", "string.find('hello world', 'o', 6)",
    "string.find('hello', 'l', -2)", "string.find('hello', 'l', -100)", "string.find('hello', '', 10)",
    "string.find('hello', '', 6)", "string.find('hello', 'xyz')", "string.find('a.b', '.', 1, true)",
    "string.find('a+b', '+', 1, true)", "string.find('', '')", "string.find('abc', '', 0)",
    "('hello'):find('l+')", "string.find('a\\0b', '\\0')", "string.find('a\\0b', '%z')",
    /* classes */
    "string.match('abc123def', '%d+')", "string.match('  x  ', '^%s*(.-)%s*$')",
    "string.match('Hello World', '%u%l+')", "string.match('a,b;c', '%p')",
    "string.match('tab\\there', '%c')", "string.match('0x1F', '%x+', 3)",
    "string.match('word_1 x', '%w+')", "string.match('ABC', '%A')", "string.match('abc', '%D+')",
    "string.match('  a', '%S')", "string.match('a b', '%g+')", "string.match('\\1\\2a', '%C')",
    "string.match('x.y', '%.')", "string.match('100%', '%%')", "string.match('a]b', '%]')",
    /* sets */
    "string.match('hello', '[aeiou]+')", "string.match('hello', '[^aeiou]+')",
    "string.match('x-y', '[a-]+')", "string.match('a]b', '[]]')", "string.match('a^b', '[%^]')",
    "string.match('a^b', '[b^]')", "string.match('2024-05', '[%d-]+')", "string.match('AbC', '[A-Z]+')",
    "string.match('a-z', '[a%-z]+')", "string.match('abc', '[^]]+')", "string.match('x', '[x-]')",
    "string.match('-', '[x-]')", "string.match('b', '[a-c-e]')", "string.match('d', '[a-c-e]')",
    /* anchors */
    "string.find('aaa', '^a')", "string.find('baa', '^a')", "string.find('abc', 'c$')",
    "string.find('a$c', '$c')", "string.find('a$c', 'a$')", "string.match('abc', '^(a)(b)(c)$')",
    "string.find('abc', '^')", "string.find('abc', '$')", "string.gsub('abc', '^', 'x')",
    "string.gsub('abc', '$', 'x')", "string.match('^x', '^^x')",
    /* quantifiers */
    "string.match('aaab', 'a*')", "string.match('aaab', 'a+b')", "string.match('aaab', 'a-b')",
    "string.match('aaab', 'a-')", "string.match('b', 'a?b')", "string.match('ab', 'a?b')",
    "string.match('<a><b>', '<(.-)>')", "string.match('<a><b>', '<(.*)>')",
    "string.match('xyz', 'x*y?z+')", "string.match('', 'a*')", "string.match('', 'a+')",
    "string.find('aaa', 'a-', 2)", "string.match('abab', '(ab)*')", "string.match('a*b', 'a%*b')",
    /* captures */
    "string.match('key = value', '(%w+)%s*=%s*(%w+)')", "string.match('abc', '()b()')",
    "string.find('abc', '(b)(c)')", "string.match('abc', '((a)(b))')", "string.match('abc', '(a)')",
    "string.match('hello', '()ll()')", "string.find('hello', '()')", "string.match('abc', 'a(.-)c')",
    "string.match(string.rep('a', 40), string.rep('(a)', 33))",
    "string.match(string.rep('a', 40), string.rep('(a)', 32))",
    "string.find('abc', '(a')", "string.find('abc', 'a)')", "string.match('abc', '(()')",
    /* back-references */
    "string.match('abcabc', '(abc)%1')", "string.match('say \"hi\" ok', '([\"\\'])(.-)%1')",
    "string.find('aa', '(a)%1')", "string.find('ab', '(a)%1')", "string.find('a', '%1')",
    "string.find('aa', '(a)%2')", "string.find('aa', '(a%1)')", "string.find('aa', '()%1')",
    "string.find('aa', '%0')", "string.match('xyzxyz', '(x(y)z)%2')",
    /* %b and %f */
    "string.match('f(a(b)c)d', '%b()')", "string.match('if [[x]] y', '%b[]')", "string.find('((', '%b()')",
    "string.match(')(', '%b)(')", "string.find('abc', '%b')", "string.find('abc', '%ba')",
    "string.match('THE (quick) fox', '%f[%a]%a+')", "string.gsub('THE (quick) fox', '%f[%a]%u+%f[%A]', 'X')",
    "string.find('abc', '%f[%l]')", "string.find('abc', '%f[%z]')", "string.find('abc', '%fx')",
    "string.find('abc', '%f')", "string.gsub('hello world', '%f[%w]%w+', string.upper)",
    /* malformed */
    "string.find('abc', '%')", "string.find('abc', '[a')", "string.find('abc', '[a%')", "string.find('abc', '[')",
    "string.find('abc', '[]')", "string.find('abc', '[^')", "string.match('abc', '(a(b)')",
    /* gmatch */
    "collect(string.gmatch('one two  three', '%a+'))", "collect(string.gmatch('a=1, b=2', '(%w+)=(%w+)'))",
    "collect(string.gmatch('abc', ''))", "collect(string.gmatch('abc', '()'))", "collect(string.gmatch('aaa', 'a*'))",
    "collect(string.gmatch('^a^a', '^a'))", "collect(string.gmatch('hello', 'l', 4))",
    "collect(string.gmatch('hello', 'l', -2))", "collect(string.gmatch('hello', '.', 10))",
    "collect(string.gmatch('abc', '%'))", "collect(string.gmatch('x1y22z333', '%d+'))",
    /* gsub */
    "string.gsub('hello world', 'o', '0')", "string.gsub('hello world', 'o', '0', 1)",
    "string.gsub('hello', '', '-')", "string.gsub('abc', '%w', '%0%0')", "string.gsub('abc', '(%w)', '%1.')",
    "string.gsub('hello world', '(%w+) (%w+)', '%2 %1')", "string.gsub('abc', 'b', '%%')",
    "string.gsub('abc', 'b', '%')", "string.gsub('abc', 'b', '%x')", "string.gsub('abc', 'b', '%2')",
    "string.gsub('abc', '(b)', '%2')", "string.gsub('abc', '()b', '%1')", "string.gsub('abc', 'b', 5)",
    "string.gsub('$name is $age', '%$(%w+)', {name = 'Ann', age = 7})",
    "string.gsub('$name $x', '%$(%w+)', {name = false})", "string.gsub('a b', '%w', {a = {}})",
    "string.gsub('abc', '%w', function(c) return c:upper() .. '.' end)",
    "string.gsub('abc', '%w', function(c) if c == 'b' then return nil end return 'X' end)",
    "string.gsub('abc', '%w', function() return true end)", "string.gsub('abc', '(a)(b)', function(x, y) return y .. x end)",
    "string.gsub('abc', '()', function(p) return p end)", "string.gsub('abc', 'x*', '-')",
    "string.gsub('abc', '^a', 'X')", "string.gsub('aaa', '^a', 'X')", "string.gsub('abc', 'b', nil)",
    "string.gsub('abc', 'b', true)", "string.gsub('abc', '.', '%0', 0)", "string.gsub('abc', '.', '%0', -1)",
    "string.gsub('abc', '.', 'x', 2.0)", "string.gsub('abc', '.', 'x', 2.5)", "string.gsub('a.b.c', '%.', '/')",
    "string.gsub('hello', 'l+', {ll = 'LL'})", "string.gsub('abc', '%f[%w]', '|')",
    "string.gsub('x = 1', '(%w+) = (%w+)', '%0: %1 -> %2')",
    /* arguments */
    "string.find(nil, 'a')", "string.find('a')", "string.find('a', {})", "string.match(123, '2')",
    "string.find(12345, 34)", "string.find('abc', 'b', 'x')", "string.find('abc', 'b', 1.5)",
    "string.gmatch(nil, 'a')", "string.gsub('a', 'a')", "string.gsub()", "('abc'):gsub('b', 'B')",
    "string.find('abc', 'b', math.mininteger)", "string.find('abc', 'b', math.maxinteger)",
    /* too complex */
    "string.match(string.rep('a', 300), string.rep('a?', 300) .. string.rep('a', 300))",
    "string.match(string.rep('a', 250), string.rep('(a)?', 30))",
};

static lua_State *new_state(int ours) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (ours) {
        luaopen_pmf_pattern(L);
        lua_pop(L, 1);
    }
    if (luaL_dostring(L, PRELUDE) != LUA_OK) {
        fprintf(stderr, "prelude: %s\n", lua_tostring(L, -1));
        return NULL;
    }
    return L;
}

/* Evaluate src in L; the result text (copied into buf). */
static const char *eval(lua_State *L, const char *src, char *buf, size_t n) {
    lua_getglobal(L, "case");
    lua_pushstring(L, src);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) snprintf(buf, n, "harness error: %s", lua_tostring(L, -1));
    else snprintf(buf, n, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return buf;
}

static int same(lua_State *stock, lua_State *ours, const char *src) {
    char a[4096], b[4096];
    eval(stock, src, a, sizeof a);
    eval(ours, src, b, sizeof b);
    if (strcmp(a, b) == 0) return 1;
    fprintf(stderr, "case %s\n  stock: %s\n  ours:  %s\n", src, a, b);
    return 0;
}

/* Generated cases: random patterns from the items below over short random subjects. */
static uint32_t rng = 12345;
static uint32_t next_rand(void) {
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) & 0x7fff;
}

static const char *const ITEMS[] = {
    "a", "b", ".", "%a", "%d", "%s", "%W", "[ab]", "[^a]", "[a-c]", "[%d_]", "(", ")", "()",
    "*", "+", "-", "?", "^", "$", "%1", "%2", "%b()", "%f[%w]", "%f[%W]", "%", "[", "]",
    "%.", "x", "(a)", "(.-)", "(%w+)",
};
static const char SUBJECT_CHARS[] = "aabbc x(1)_.";

static void generated(lua_State *stock, lua_State *ours, int count, int *failures) {
    static const char *const FUNCS[] = {"find", "match", "gsub", "gmatch"};
    for (int k = 0; k < count; k++) {
        char pat[128] = "", subj[32] = "", src[512];
        int items = 1 + (int)(next_rand() % 6);
        for (int i = 0; i < items; i++)
            strcat(pat, ITEMS[next_rand() % (sizeof ITEMS / sizeof ITEMS[0])]);
        int len = (int)(next_rand() % 10);
        for (int i = 0; i < len; i++) subj[i] = SUBJECT_CHARS[next_rand() % (sizeof SUBJECT_CHARS - 1)];
        subj[len] = '\0';
        const char *f = FUNCS[next_rand() % 4];
        /* subject and pattern quoted with %q by Lua itself */
        char fmt[600];
        if (strcmp(f, "gmatch") == 0)
            snprintf(fmt, sizeof fmt, "collect(string.gmatch(%%q, %%q))");
        else if (strcmp(f, "gsub") == 0)
            snprintf(fmt, sizeof fmt, "string.gsub(%%q, %%q, '<%%%%0%%%%1>')");
        else
            snprintf(fmt, sizeof fmt, "string.%s(%%q, %%q)", f);
        lua_getglobal(stock, "string");
        lua_getfield(stock, -1, "format");
        lua_pushstring(stock, fmt);
        lua_pushstring(stock, subj);
        lua_pushstring(stock, pat);
        lua_call(stock, 3, 1);
        snprintf(src, sizeof src, "%s", lua_tostring(stock, -1));
        lua_pop(stock, 2);
        if (!same(stock, ours, src)) (*failures)++;
    }
}

/* The pure C interface: an interrupt stops a catastrophic match. */
static int calls;
static int stop_after_three(void *ud) {
    (void)ud;
    return ++calls >= 3;
}

int main(void) {
    lua_State *stock = new_state(0), *ours = new_state(1);
    test_cond("both states open", stock && ours);
    if (!stock || !ours) return test_report("test_pattern");

    int failures = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (!same(stock, ours, CASES[i])) failures++;
    test_cond("every listed case gives what Lua's string library gives", failures == 0);
    test_cond("the cases are many", sizeof CASES / sizeof CASES[0] > 150);

    failures = 0;
    generated(stock, ours, 5000, &failures);
    test_cond("5000 generated cases give what Lua's string library gives", failures == 0);

    /* the functions really are ours in the second state (and s:find too) */
    lua_getglobal(ours, "string");
    lua_getfield(ours, -1, "find");
    lua_CFunction mine = lua_tocfunction(ours, -1);
    lua_pop(ours, 2);
    lua_getglobal(stock, "string");
    lua_getfield(stock, -1, "find");
    test_cond("string.find is replaced", mine != NULL && mine != lua_tocfunction(stock, -1));
    lua_pop(stock, 2);
    (void)luaL_dostring(ours, "return ('x').find == string.find");
    test_cond("the string methods are the replaced ones", lua_toboolean(ours, -1));
    lua_pop(ours, 1);

    /* outside a sandbox run nothing stops a match (pmf_sandbox_expired is 0) */
    test_cond("no run, no interrupt", pmf_sandbox_expired(ours) == 0);

    /* pure C: a catastrophic pattern, stopped by its interrupt */
    char subject[121];
    memset(subject, 'a', 120);
    subject[120] = '\0';
    const char *pat = ".-.-.-.-b";
    pm_state ms;
    pm_init(&ms, subject, 120, pat, strlen(pat), stop_after_three, NULL);
    const char *r = pm_match(&ms, subject, pat);
    test_cond("an interrupted match returns NULL", r == NULL);
    test_streq("with the interrupt's error", ms.error, PM_INTERRUPTED);
    test_cond("after three checks", calls == 3);
    pm_init(&ms, "key=val", 7, "(%w+)=(%w+)", 11, NULL, NULL);
    r = pm_match(&ms, "key=val", "(%w+)=(%w+)");
    const char *cap;
    ptrdiff_t len;
    test_cond("a match without interrupt", r != NULL && ms.level == 2);
    test_cond("capture 2", pm_capture(&ms, 1, "key=val", r, &cap, &len) == 0 && len == 3 &&
                           memcmp(cap, "val", 3) == 0);
    test_cond("capture 3 does not exist", pm_capture(&ms, 2, "key=val", r, &cap, &len) == -1);
    test_streq("invalid capture index", ms.error, "invalid capture index %3");

    lua_close(stock);
    lua_close(ours);
    return test_report("test_pattern");
}
