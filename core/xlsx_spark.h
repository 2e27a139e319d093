/*
 * core/xlsx_spark.h: native Excel sparklines for workbooks written by libxlsxwriter.
 *
 * Pure C, no Lua.  Debian's libxlsxwriter (1.1.4) has no sparkline API, so sparklines are
 * added after the workbook is closed: each worksheet part that has them is read back out of
 * the zip (libzip), given an Excel 2010 extension list, and written back.  The XML follows
 * ECMA-376 with the MS-XLSX extension, as Excel 2010 and later write it:
 *
 *   <worksheet xmlns="..." xmlns:r="..." xmlns:mc="...markup-compatibility/2006"
 *              xmlns:x14ac="...spreadsheetml/2009/9/ac" mc:Ignorable="x14ac">
 *     ... everything libxlsxwriter wrote ...
 *     <extLst>
 *       <ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" xmlns:x14="...2009/9/main">
 *         <x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">
 *           <x14:sparklineGroup displayEmptyCellsAs="gap" markers="1" ...>
 *             <x14:colorSeries rgb="FF..."/> ... <x14:colorLow rgb="FF..."/>
 *             <x14:sparklines>
 *               <x14:sparkline><xm:f>'Sheet 1'!D5:K5</xm:f><xm:sqref>L5</xm:sqref></x14:sparkline>
 *             </x14:sparklines>
 *           </x14:sparklineGroup>
 *         </x14:sparklineGroups>
 *       </ext>
 *     </extLst>
 *   </worksheet>
 *
 * Design decisions:
 * - Building a group's XML (pmf_xlsx_spark_group) writes into the caller's fixed buffer and
 *   allocates nothing, so a Lua binding can call it between functions that raise.  A group
 *   holds one sparkline: each row of a scorecard is a different KPI on its own scale.
 * - The extLst is the last child of <worksheet> in the schema, so it goes just before
 *   </worksheet>; if the part already has one (libxlsxwriter writes one for 2010 data bars)
 *   the new <ext> goes at its end.  Namespace declarations already on the root are kept and
 *   not repeated (a repeated attribute is not well-formed XML).
 * - The rewritten parts keep their zip modification time, so a workbook written twice from
 *   the same data is the same bytes.  libzip writes the new archive to a temporary file
 *   beside the old one and renames it over, so a failure leaves the file as it was.
 * - Colours are fixed (Excel's first sparkline style: a dark blue line, red for the high,
 *   low, first, last and negative points and the markers).
 */
#ifndef PMF_XLSX_SPARK_H
#define PMF_XLSX_SPARK_H

#include <stddef.h>

/* A cell or range, 0-based and inclusive; a cell has row0 == row1 and col0 == col1. */
typedef struct { unsigned row0, col0, row1, col1; } pmf_xlsx_area;

/* Parses an A1 reference: "L5", "D5:K5", "$D$5:$K$5", optionally after a sheet name
 * ("Data!D5:K5", "'Q2 data'!D5:K5", a quote inside written twice).  The sheet name (empty if
 * none) goes into sheet (cap bytes, NUL-terminated).  Columns up to XFD, rows up to 1048576;
 * a range's ends may be in either order (they are put in order).  Returns 0, or -1 for
 * anything else (including a sheet name longer than cap - 1). */
int pmf_xlsx_parse_ref(const char *s, char *sheet, size_t cap, pmf_xlsx_area *a);

/* A1 text of a cell ("L5"), into out (at least 12 bytes). */
void pmf_xlsx_cell_name(unsigned row, unsigned col, char *out);

/* How a sparkline group draws. */
typedef struct {
    const char *type;          /* "line", "column" or "stacked" (win/loss) */
    const char *empty;         /* empty cells: "gap", "zero" or "span" (joined up) */
    int markers, high, low, first, last, negative, axis;   /* 1 = show */
    int has_min, has_max;      /* 1 = a fixed vertical axis end (min, max) */
    double min, max;
    double weight;             /* line width in points; 0 = Excel's default (0.75) */
} pmf_xlsx_spark_style;

/* Writes one <x14:sparklineGroup> element drawing the data in `sheet`!`data` into the cell
 * `cell` (of the sheet whose part the group is added to) into out (cap bytes).  Returns the
 * length written, or -1 when it does not fit.  Sheet names are quoted and XML-escaped here. */
int pmf_xlsx_spark_group(char *out, size_t cap, const pmf_xlsx_spark_style *st,
                         const char *sheet, const pmf_xlsx_area *data, const pmf_xlsx_area *cell);

/* Adds sparkline groups to worksheet parts of the closed workbook at path: for each i < n,
 * the concatenated group elements groups[i] (glen[i] bytes) go into the zip member parts[i]
 * ("xl/worksheets/sheet2.xml").  Returns 0, or -1 with a message in err (errcap bytes)
 * naming the path; on failure the file is as libxlsxwriter left it. */
int pmf_xlsx_add_sparklines(const char *path, int n, const char *const *parts,
                            const char *const *groups, const size_t *glen,
                            char *err, size_t errcap);

#endif
