"""XLSX imports read in bounded memory whatever a workbook declares (the dimension bomb of the security
review). Workbooks are written here by hand, part by part; the bombs are read in a child process whose
peak memory is measured (and which is stopped past the bound), refused with a problem naming the
file, the sheet and the cell or the limit, and the store left byte-identical. A workbook at the
limits still imports, and what is read matches openpyxl's own full reading of the cells."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl import load_workbook

from benchmarks.imports import child_peak
from kcsp.cli import main
from kcsp.importers.common import ImportFailed, _sheet, read_sheets
from kcsp.settings import ImportLimits, load_import_limits, load_settings
from tests.fixture_store import copy_store, file_hashes

PEAK_LIMIT_MB = 300
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PLAN_HEADINGS = ["Ref", "Priority", "Action", "Lead agency", "Owner", "Themes", "Areas", "Start", "Due",
                 "Classification"]
NEW_ACTION = ["", "road-safety", "Pilot average speed cameras on the A20.", "KCC Highways", "Road Safety Manager",
              "", "all", "2026-04-01", "2027-03-31", "public"]
CHUNK = b"<c/>" * (256 * 1024)  # 1 MiB of empty cells, each one more column along its row


# ---------------------------------------------------------------------------------------------
# Workbooks written part by part
# ---------------------------------------------------------------------------------------------

def cell(ref: str, value: object) -> str:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def row_xml(number: int, values: list[object]) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f'<row r="{number}">' + "".join(cell(f"{letters[i]}{number}", v) for i, v in enumerate(values)
                                           if v is not None) + "</row>"


def sheet_xml(rows: str, *, dimension: str | None = None, after: str = "") -> bytes:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN_NS}">{head}<sheetData>{rows}{after}</sheetData></worksheet>'.encode()


def plan_rows(*rows: list[object]) -> str:
    return "".join(row_xml(n, r) for n, r in enumerate([PLAN_HEADINGS, *rows], start=1))


def write_xlsx(path: Path, sheets: dict[str, bytes | list[bytes]], *, strings: bytes | None = None,
               styles: bytes | None = None, workbook_pr: str = "") -> Path:
    """A workbook of the given sheets' XML (bytes, or chunks streamed into the zip so a sheet of any
    size costs no memory here), with optional shared strings and styles parts."""
    overrides = [("/xl/workbook.xml", f"{SPREADSHEET_TYPE}.sheet.main+xml")]
    overrides += [(f"/xl/worksheets/sheet{i}.xml", f"{SPREADSHEET_TYPE}.worksheet+xml")
                  for i in range(1, len(sheets) + 1)]
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{SPREADSHEET_TYPE}.sharedStrings+xml"))
    if styles is not None:
        overrides.append(("/xl/styles.xml", f"{SPREADSHEET_TYPE}.styles+xml"))
    types = ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides) + "</Types>")
    package_rels = (f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Target="xl/workbook.xml" '
                    f'Type="{DOC_REL}/officeDocument"/></Relationships>')
    book = (f'<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}">{workbook_pr}<sheets>'
            + "".join(f'<sheet name="{escape(t)}" sheetId="{i}" r:id="rId{i}"/>' for i, t in enumerate(sheets, 1))
            + "</sheets></workbook>")
    book_rels = (f'<Relationships xmlns="{PKG_REL}">'
                 + "".join(f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" Type="{DOC_REL}/worksheet"/>'
                           for i in range(1, len(sheets) + 1)) + "</Relationships>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", package_rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        for i, content in enumerate(sheets.values(), start=1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                for chunk in [content] if isinstance(content, bytes) else content:
                    out.write(chunk)
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", strings)
        if styles is not None:
            z.writestr("xl/styles.xml", styles)
    return path


def bomb(path: Path) -> Path:
    """The review's bomb: a plan sheet declaring every cell a sheet can have, and holding one at the last."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_xlsx(path, {"Actions": sheet_xml(plan_rows(NEW_ACTION), dimension="A1:XFD1048576", after=far)})


def zip_bomb(path: Path, megabytes: int) -> Path:
    """A plan sheet whose XML unpacks to `megabytes` MiB of empty cells in one row (a few hundred KB on disk)."""
    head, tail = sheet_xml(plan_rows(NEW_ACTION) + '<row r="3">|</row>').split(b"|")
    return write_xlsx(path, {"Actions": [head, *[CHUNK] * megabytes, tail]})


# ---------------------------------------------------------------------------------------------
# A child process and its peak memory
# ---------------------------------------------------------------------------------------------

def measured(args: list[str]) -> dict:
    """`python ARGS` in a child process, stopped past PEAK_LIMIT_MB or a minute (see child_peak)."""
    return child_peak(args, stop_mb=PEAK_LIMIT_MB, stop_s=60)


READ_SHEETS = """
import json, sys
from pathlib import Path
from kcsp.importers.common import ImportFailed, read_sheets
try:
    sheets = read_sheets(Path(sys.argv[1]))
except ImportFailed as err:
    print("\\n".join(str(p) for p in err.problems), file=sys.stderr)
    sys.exit(1)
print(json.dumps([[s.name, s.header, s.header_row, s.rows] for s in sheets]))
"""


@pytest.fixture
def store(tmp_path, demo_store):
    return copy_store(demo_store, tmp_path / "store")


def assert_bounded(run: dict) -> None:
    assert run["stopped"] is None, f"{run['stopped']}: {run['err'][-2000:]}"
    assert run["peak_mb"] < PEAK_LIMIT_MB, run["peak_mb"]


def test_the_peak_measured_is_the_childs_own_and_a_runaway_child_is_stopped(tmp_path):
    script = tmp_path / "allocate.py"
    script.write_text("import sys\nblock = bytearray(int(sys.argv[1]) * 2**20)\n"
                      "block[::4096] = b'x' * len(block[::4096])\n")
    small, large = measured([str(script), "1"]), measured([str(script), "120"])
    assert small["code"] == large["code"] == 0 and small["peak_mb"] < 50 and 120 < large["peak_mb"] < 200
    runaway = measured([str(script), "400"])
    assert runaway["stopped"] == f"stopped past {PEAK_LIMIT_MB} MB" and runaway["code"] != 0

# ---------------------------------------------------------------------------------------------
# The bombs, in a child process
# ---------------------------------------------------------------------------------------------

def test_a_tiny_workbook_declaring_a_full_sheet_is_refused_at_its_far_cell_in_bounded_memory(store, tmp_path):
    path = bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 2048
    before = file_hashes(store.root)
    run = measured(["-m", "kcsp", "import", "plan", "--store", str(store.root), str(path)])
    assert_bounded(run)
    assert run["code"] == 1
    assert (f"{path}:Actions!XFD1048576: holds a value past column ALL: at most 1,000 columns are read "
            "(KCSP_IMPORT_MAX_COLUMNS)") in run["err"].splitlines()
    assert "the store was not changed" in run["err"]
    assert file_hashes(store.root) == before


def test_the_bomb_uploaded_as_a_partner_return_is_refused_in_bounded_memory(store, tmp_path):
    """`import indicator` reads XLSX as the dashboard's upload does (kcsp.importers.indicator.read_grid)."""
    path = bomb(tmp_path / "bomb.xlsx")
    before = file_hashes(store.root)
    run = measured(["-m", "kcsp", "import", "indicator", "--store", str(store.root), "--indicator", "da-incidents",
                    str(path)])
    assert_bounded(run)
    assert run["code"] == 1
    assert (f"{path}:Actions!XFD1048576: holds a value past column ALL: at most 1,000 columns are read "
            "(KCSP_IMPORT_MAX_COLUMNS)") in run["err"].splitlines()
    assert file_hashes(store.root) == before


def test_the_declared_dimension_and_far_formatting_are_ignored_and_the_cells_read(tmp_path):
    """Only the cells holding values count: a styled empty cell at XFD1048576 neither pads nor refuses."""
    rows = row_xml(1, ["Title"]) + row_xml(3, ["Area", "Count"]) + row_xml(4, ["Dover", 7]) + row_xml(6, [" ", None])
    far = '<row r="1048576"><c r="XFD1048576" s="1"/></row>'
    path = write_xlsx(tmp_path / "declared.xlsx", {"Data": sheet_xml(rows, dimension="A1:XFD1048576", after=far),
                                                   "Empty": sheet_xml("", dimension="A1:XFD1048576")})
    script = tmp_path / "read_sheets.py"
    script.write_text(READ_SHEETS)
    run = measured([str(script), str(path)])
    assert_bounded(run)
    assert run["code"] == 0, run["err"]
    assert json.loads(run["out"]) == [[f"{path}!Data", ["Title", ""], 1, [[3, ["Area", "Count"]], [4, ["Dover", 7]]]],
                                   [f"{path}!Empty", [], 0, []]]


@pytest.mark.slow
@pytest.mark.parametrize(("megabytes", "expected"), [
    (200, lambda path: f"{path}:: file: unpacks to {unzipped_bytes(path):,} bytes: at most 104,857,600 are read "
                       "(KCSP_IMPORT_MAX_UNZIPPED_BYTES)"),
    (30, lambda path: f"{path}!Actions:: file: xl/worksheets/sheet1.xml unpacks to {sheet_bytes(path):,} bytes: at "
                      "most 20,971,520 are read of each part (KCSP_IMPORT_MAX_SHEET_BYTES)"),
])
def test_a_sheet_unpacking_to_hundreds_of_megabytes_is_refused_before_it_is_read(store, tmp_path, megabytes,
                                                                                  expected):
    path = zip_bomb(tmp_path / "zipbomb.xlsx", megabytes)
    assert path.stat().st_size < 1024 * 1024 and sheet_bytes(path) > megabytes * 2**20
    before = file_hashes(store.root)
    run = measured(["-m", "kcsp", "import", "plan", "--store", str(store.root), str(path)])
    assert_bounded(run)
    assert run["code"] == 1
    assert run["err"].splitlines()[0] == expected(path)
    assert file_hashes(store.root) == before


# ---------------------------------------------------------------------------------------------
# Each limit: a workbook at it is read, one past it refused with the cell or part and the setting
# ---------------------------------------------------------------------------------------------

def grid_workbook(path: Path, rows: int, columns: int, *, sheets: int = 1) -> Path:
    content = "".join(row_xml(r, [r * 100 + c for c in range(columns)]) for r in range(1, rows + 1))
    return write_xlsx(path, {f"S{i}": sheet_xml(content) for i in range(1, sheets + 1)})


def sheet_bytes(path: Path) -> int:
    return zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size


def unzipped_bytes(path: Path) -> int:
    return sum(i.file_size for i in zipfile.ZipFile(path).infolist())


@pytest.mark.parametrize(("variable", "at_limit", "past_limit", "limit", "problem"), [
    ("KCSP_IMPORT_MAX_ROWS", (5, 2), (6, 2), lambda p: 5,
     "{path}:S1!A6: holds a value past row 5: at most 5 rows are read (KCSP_IMPORT_MAX_ROWS)"),
    ("KCSP_IMPORT_MAX_COLUMNS", (2, 3), (2, 4), lambda p: 3,
     "{path}:S1!D1: holds a value past column C: at most 3 columns are read (KCSP_IMPORT_MAX_COLUMNS)"),
    ("KCSP_IMPORT_MAX_CELLS", (2, 3), (3, 3), lambda p: 6,
     "{path}:S1!A3: takes the cells read (from A1 to the last row and column with a value, in every sheet read) "
     "past 6 (KCSP_IMPORT_MAX_CELLS)"),
    ("KCSP_IMPORT_MAX_SHEET_BYTES", (20, 10), (20, 10), sheet_bytes,
     "{path}!S1:: file: xl/worksheets/sheet1.xml unpacks to {size:,} bytes: at most {limit:,} are read of each "
     "part (KCSP_IMPORT_MAX_SHEET_BYTES)"),
    ("KCSP_IMPORT_MAX_UNZIPPED_BYTES", (20, 10), (20, 10), unzipped_bytes,
     "{path}:: file: unpacks to {size:,} bytes: at most {limit:,} are read (KCSP_IMPORT_MAX_UNZIPPED_BYTES)"),
])
def test_a_workbook_at_a_limit_is_read_and_one_past_it_refused(tmp_path, monkeypatch, variable, at_limit,
                                                                 past_limit, limit, problem):
    ok = grid_workbook(tmp_path / "ok.xlsx", *at_limit)
    over = grid_workbook(tmp_path / "over.xlsx", *past_limit)
    value = limit(ok)
    monkeypatch.setenv(variable, str(value))
    rows, columns = at_limit
    assert read_sheets(ok)[0].rows[-1] == (rows, [rows * 100 + c for c in range(columns)])
    if variable.endswith("BYTES"):
        value -= 1
        monkeypatch.setenv(variable, str(value))
    with pytest.raises(ImportFailed) as info:
        read_sheets(over)
    size = limit(over)
    assert [str(p) for p in info.value.problems] == [problem.format(path=over, size=size, limit=value)]


def test_the_cells_limit_counts_every_sheet_read_and_the_sheets_limit_their_number(tmp_path, monkeypatch):
    path = grid_workbook(tmp_path / "three.xlsx", 2, 2, sheets=3)
    monkeypatch.setenv("KCSP_IMPORT_MAX_SHEETS", "3")
    monkeypatch.setenv("KCSP_IMPORT_MAX_CELLS", "12")
    assert [s.name.rsplit("!", 1)[1] for s in read_sheets(path)] == ["S1", "S2", "S3"]
    monkeypatch.setenv("KCSP_IMPORT_MAX_CELLS", "11")
    with pytest.raises(ImportFailed, match=r"three\.xlsx:S3!A2: takes the cells read .* past 11 "):
        read_sheets(path)
    monkeypatch.setenv("KCSP_IMPORT_MAX_SHEETS", "2")
    with pytest.raises(ImportFailed) as info:
        read_sheets(path)
    assert str(info.value) == f"{path}:: file: has more than 2 sheets: at most 2 are read (KCSP_IMPORT_MAX_SHEETS)"


def test_shared_strings_past_the_cells_limit_are_refused(tmp_path, monkeypatch):
    strings = f'<sst xmlns="{MAIN_NS}">' + "<si><t>a</t></si>" * 4 + "</sst>"
    path = write_xlsx(tmp_path / "strings.xlsx", {"S": sheet_xml('<row r="1"><c r="A1" t="s"><v>3</v></c></row>')},
                      strings=strings.encode())
    monkeypatch.setenv("KCSP_IMPORT_MAX_CELLS", "4")
    assert read_sheets(path)[0].header == ["a"]
    monkeypatch.setenv("KCSP_IMPORT_MAX_CELLS", "3")
    with pytest.raises(ImportFailed) as info:
        read_sheets(path)
    assert str(info.value) == (f"{path}:: file: xl/sharedStrings.xml holds more than 3 strings: at most 3 cells "
                               "are read (KCSP_IMPORT_MAX_CELLS)")


@pytest.mark.parametrize(("rows", "reason"), [
    ('<row r="1"><c r="A1" t="inlineStr"><is>' + "<r><t>x</t></r>" * 5001 + "</is></c></row>",
     "an element of xl/worksheets/sheet1.xml holds more than 10,000 parts"),
    ('<row r="1">' + "<x>" * 101 + "</x>" * 101 + "</row>", "xl/worksheets/sheet1.xml nests elements more than "
                                                            "100 deep"),
    ('<row r="1" ' + " ".join(f'a{i}="1"' for i in range(200_000)) + "/>",
     "xl/worksheets/sheet1.xml holds a tag or a text of more than 1,048,576 bytes"),
])
def test_a_cell_of_endless_parts_nesting_or_attributes_is_refused(tmp_path, rows, reason):
    path = write_xlsx(tmp_path / "parts.xlsx", {"S": sheet_xml(rows)})
    with pytest.raises(ImportFailed) as info:
        read_sheets(path)
    assert str(info.value) == f"{path}:: file: is not a readable XLSX workbook ({reason})"


def test_a_part_declaring_a_document_type_is_refused_before_any_entity_is_expanded(tmp_path):
    strings = (f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "expanded">]><sst xmlns="{MAIN_NS}">'
               "<si><t>&a;</t></si></sst>")
    path = write_xlsx(tmp_path / "dtd.xlsx", {"S": sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')},
                      strings=strings.encode())
    with pytest.raises(ImportFailed) as info:
        read_sheets(path)
    assert str(info.value) == (f"{path}:: file: is not a readable XLSX workbook (xl/sharedStrings.xml declares a "
                               "document type, as no workbook part does)")


# ---------------------------------------------------------------------------------------------
# What is read: openpyxl's values, every row the sheet holds, the limits from the environment
# ---------------------------------------------------------------------------------------------

def test_the_values_read_are_openpyxls_for_every_row_whatever_the_dimension_says(tmp_path):
    """Shared, rich and inline text, numbers, booleans, errors, a formula's cached value, dates by a built-in
    and by a custom format in the 1904 calendar, rows and cells without references, the longest text a cell
    holds; the sheet declares A1 only, which openpyxl's read-only mode believed (it returned one cell)."""
    strings = (f'<sst xmlns="{MAIN_NS}"><si><t>Area</t></si><si><r><t>Cou</t></r><r><rPr><b/></rPr><t>nt</t></r>'
               "</si><si><t>Due</t><rPh sb=\"0\" eb=\"1\"><t>ignored</t></rPh></si><si><t>x005F_tidy</t></si></sst>")
    styles = (f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1"><numFmt numFmtId="170" formatCode="dd mmm yyyy"/>'
              '</numFmts><fonts count="1"><font/></fonts><fills count="1"><fill><patternFill/></fill></fills>'
              '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
              '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="170"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
            '<c r="D1" t="s"><v>3</v></c></row>'
            '<row r="3"><c t="inlineStr"><is><t xml:space="preserve"> Dover </t></is></c><c><v>12</v></c>'
            '<c s="1"><v>45000</v></c><c t="b"><v>1</v></c></row>'
            '<row><c r="A4" t="str"><f>"Tha"&amp;"net"</f><v>Thanet</v></c><c r="B4"><v>2.5E3</v></c>'
            '<c r="C4" s="2"><v>45000.5</v></c><c r="D4" t="e"><v>#N/A</v></c></row>'
            + row_xml(5, ["€" * 32_767]))
    path = write_xlsx(tmp_path / "values.xlsx", {"Values": sheet_xml(rows, dimension="A1")}, strings=strings.encode(),
                      styles=styles.encode(), workbook_pr='<workbookPr date1904="1"/>')
    book = load_workbook(path, data_only=True)
    try:
        ws = book["Values"]
        oracle = _sheet(f"{path}!Values", ((n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), 1)))
    finally:
        book.close()
    (sheet,) = read_sheets(path)
    assert sheet == oracle
    assert sheet.header == ["Area", "Count", "Due", "tidy"] and sheet.rows[0][1][0] == "Dover"
    assert [type(v).__name__ for v in sheet.rows[0][1]] == ["str", "int", "datetime", "bool"]
    assert sheet.rows[1][1][2].year == 2027 and sheet.rows[1][1][3] == "#N/A"
    assert sheet.rows[2] == (5, ["€" * 32_767, None, None, None])


def test_the_limits_are_read_from_the_environment_with_safe_defaults():
    assert load_import_limits({}) == ImportLimits(max_rows=100_000, max_columns=1_000, max_cells=1_000_000,
                                                  max_sheets=50, max_sheet_bytes=20 * 2**20,
                                                  max_unzipped_bytes=100 * 2**20)
    limits = load_import_limits({"KCSP_IMPORT_MAX_ROWS": "10", "KCSP_IMPORT_MAX_UNZIPPED_BYTES": "2048"})
    assert (limits.max_rows, limits.max_unzipped_bytes, limits.max_columns) == (10, 2048, 1_000)
    assert load_settings({"KCSP_IMPORT_MAX_CELLS": "7"}).import_limits.max_cells == 7
    for bad in ("0", "-3", "1e6", "many"):
        with pytest.raises(RuntimeError, match="KCSP_IMPORT_MAX_CELLS must be a whole number above 0"):
            load_settings({"KCSP_IMPORT_MAX_CELLS": bad})


def test_a_plan_at_the_limits_imports_and_one_row_past_them_is_refused_with_the_store_unchanged(
        store, tmp_path, monkeypatch, capsys):
    ok = write_xlsx(tmp_path / "plan.xlsx", {"Actions": sheet_xml(plan_rows(NEW_ACTION))})
    over = write_xlsx(tmp_path / "over.xlsx", {"Actions": sheet_xml(plan_rows(NEW_ACTION, NEW_ACTION))})
    for variable, value in (("KCSP_IMPORT_MAX_ROWS", 2), ("KCSP_IMPORT_MAX_COLUMNS", 10),
                            ("KCSP_IMPORT_MAX_CELLS", 20), ("KCSP_IMPORT_MAX_SHEETS", 1)):
        monkeypatch.setenv(variable, str(value))
    before = file_hashes(store.root)
    assert main(["import", "plan", "--store", str(store.root), "--dry-run", str(ok)]) == 0
    assert "1 action(s) would be added" in capsys.readouterr().out
    assert main(["import", "plan", "--store", str(store.root), str(over)]) == 1
    assert f"{over}:Actions!A3: holds a value past row 2" in capsys.readouterr().err
    assert file_hashes(store.root) == before
    assert main(["import", "plan", "--store", str(store.root), str(ok)]) == 0
    assert file_hashes(store.root) != before
