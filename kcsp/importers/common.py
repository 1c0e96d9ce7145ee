"""Pieces every importer shares: the list of problems (FILE:ROW: COLUMN: reason for a text file's row
and column, FILE:SHEET!CELL: reason for a spreadsheet cell), the failure that carries them, reading a
table from CSV or XLSX with each cell's place, replacing the observations of the periods imported
(so a re-import never doubles them), and the locked write that turns a store problem or a busy lock
into that failure. Nothing is written until every check passed.

An XLSX workbook is read in bounded memory whatever it declares: the sizes its zip lists are checked
before anything is unpacked, each XML part is parsed as a stream (every element dropped once read),
the sheet's declared dimension is ignored, and reading stops with a problem at the first value past
the rows, columns or cells allowed (kcsp.settings.ImportLimits).
"""

from __future__ import annotations

import csv
import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from filelock import Timeout
from openpyxl.cell.text import Text
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import (
    ARC_CONTENT_TYPES,
    ARC_STYLE,
    ARC_WORKBOOK,
    CONTYPES_NS,
    PKG_REL_NS,
    REL_NS,
    SHARED_STRINGS,
    SHEET_MAIN_NS,
    XLSM,
    XLSX,
    XLTM,
    XLTX,
)

from kcsp import audit
from kcsp.schema import TABLES
from kcsp.settings import IMPORT_LIMIT_VARIABLES, ImportLimits, load_import_limits
from kcsp.store import Commit, Problem, Store, StoreError

MAX_PROBLEMS = 200
FILE_COLUMN = "file"
OBSERVATION_TYPES = {"indicator_id": "str", "area_code": "str", "period": "datetime64[ns]", "value": "Int64"}


@dataclass(frozen=True)
class CellProblem:
    """A problem in one spreadsheet cell, printed as FILE:SHEET!CELL: reason (row and column kept for display)."""

    file: str
    sheet: str
    cell: str
    reason: str
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.sheet}!{self.cell}: {self.reason}"


class ImportFailed(Exception):
    """The input (or the store it was going into) was rejected; nothing was written."""

    def __init__(self, problems: Iterable[Problem | CellProblem], *, total: int | None = None):
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Every problem found, keeping the first MAX_PROBLEMS and counting the rest."""

    def __init__(self) -> None:
        self.kept: list[Problem | CellProblem] = []
        self.total = 0

    def add(self, problem: Problem | CellProblem) -> None:
        self.total += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(problem)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if not self.total:
            return
        problems = list(self.kept)
        if self.total > len(problems):
            problems.append(Problem("(import)", None, "problems",
                                    f"{self.total - len(problems)} more problems not listed"))
        raise ImportFailed(problems, total=self.total)


@dataclass(frozen=True)
class Sheet:
    """One table read from a file: `name` is the file (and `!sheet` for XLSX), `header` its first
    non-empty row, `rows` (row number as the user sees it, cells) every later non-empty row.
    Cells are text (stripped), or the date/number a spreadsheet stored."""

    name: str
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[object]]]

    def problem(self, row: int | None, column: str, reason: str) -> Problem:
        return Problem(self.name, row, column, reason)


def _cell(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    return value


def _sheet(name: str, lines: Iterator[tuple[int, list[object]]]) -> Sheet:
    rows = [(n, [_cell(v) for v in cells]) for n, cells in lines
            if any(v is not None and str(v).strip() for v in cells)]
    if not rows:
        return Sheet(name, [], 0, [])
    header_row, header = rows[0]
    width = len(header)
    return Sheet(name, [str(h or "").strip() for h in header], header_row,
                 [(n, (cells + [None] * width)[: max(width, len(cells))]) for n, cells in rows[1:]])


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


ROW, CELL = _tag(SHEET_MAIN_NS, "row"), _tag(SHEET_MAIN_NS, "c")
XML_CHUNK = 64 * 1024
XML_DEPTH = 100
XML_RUN = 1024 * 1024  # a tag or a text between two '>': a cell holds at most 32,767 characters
ELEMENT_PARTS = 10_000
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, IndexError, ValueError, ET.ParseError,
              NotImplementedError)


def _limit(field: str) -> str:
    return IMPORT_LIMIT_VARIABLES[field]


def _row_number(given: str | None, previous: int) -> int:
    """A row's number as openpyxl reads it: its r attribute (a whole number), else the one after the last."""
    if given is None:
        return previous + 1
    number = float(given)
    if not number.is_integer():
        raise ValueError(f"{given} is not a valid row number")
    return int(number)


class XlsxBook:
    """An .xlsx workbook opened to be read in bounded memory (see the module's docstring). Every
    problem, the limits' included, is raised as ImportFailed at once: reading stops there.

    `sheet_names` are its worksheets in order; `rows(title)` every row of one holding a value (row
    number, cells from column A padded to the sheet's widest row); `grid(title)` every row from row 1.
    Use it as a context manager (the zip is closed at the end)."""

    def __init__(self, source: Path | bytes, name: str, limits: ImportLimits | None = None):
        self.name = name
        self.limits = limits or load_import_limits()
        self._cells_read = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except UNREADABLE as exc:
            raise self._unreadable(exc) from exc
        try:
            self._check_total()
            self._read_structure()
        except UNREADABLE as exc:
            self.close()
            raise self._unreadable(exc) from exc
        except ImportFailed:
            self.close()
            raise

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def _unreadable(self, exc: BaseException) -> ImportFailed:
        return ImportFailed([Problem(self.name, None, FILE_COLUMN, f"is not a readable XLSX workbook ({exc})")])

    def _refuse(self, reason: str, sheet: str | None = None) -> ImportFailed:
        return ImportFailed([Problem(self.name if sheet is None else f"{self.name}!{sheet}", None, FILE_COLUMN,
                                     reason)])

    def _check_total(self) -> None:
        total = sum(info.file_size for info in self._zip.infolist())
        if total > self.limits.max_unzipped_bytes:
            raise self._refuse(f"unpacks to {total:,} bytes: at most {self.limits.max_unzipped_bytes:,} are read "
                               f"({_limit('max_unzipped_bytes')})")

    def _elements(self, member: str, whole: set[str], starts: frozenset[str] = frozenset(),
                  sheet: str | None = None) -> Iterator[tuple[ET.Element, ET.Element | None]]:
        """Each element of one XML part named in `whole` (at its end, with everything inside it) or in
        `starts` (at its start: attributes only), with its parent. Every other element is dropped from
        the tree once it ends, so memory holds one such element however large the part."""
        # zipfile never returns more bytes than the size the zip lists (it raises BadZipFile instead).
        size = self._zip.getinfo(member).file_size
        if size > self.limits.max_sheet_bytes:
            raise self._refuse(f"{member} unpacks to {size:,} bytes: at most {self.limits.max_sheet_bytes:,} are "
                               f"read of each part ({_limit('max_sheet_bytes')})", sheet)
        parser = ET.XMLPullParser(events=("start", "end"))
        stack: list[ET.Element] = []
        inside: ET.Element | None = None
        parts = 0
        with self._zip.open(member) as src:
            tail, run = b"", 0
            while True:
                chunk = src.read(XML_CHUNK)
                if b"<!DOCTYPE" in tail + chunk:
                    raise ValueError(f"{member} declares a document type, as no workbook part does")
                first, last = chunk.find(b">"), chunk.rfind(b">")
                if run + (len(chunk) if first < 0 else first) > XML_RUN:
                    raise ValueError(f"{member} holds a tag or a text of more than {XML_RUN:,} bytes")
                tail = chunk[-8:]
                run = run + len(chunk) if last < 0 else len(chunk) - 1 - last
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
                for event, element in parser.read_events():
                    if event == "start":
                        stack.append(element)
                        if len(stack) > XML_DEPTH:
                            raise ValueError(f"{member} nests elements more than {XML_DEPTH} deep")
                        if inside is not None:
                            parts += 1
                            if parts > ELEMENT_PARTS:
                                raise ValueError(f"an element of {member} holds more than {ELEMENT_PARTS:,} parts")
                        elif element.tag in whole:
                            inside, parts = element, 0
                        elif element.tag in starts:
                            yield element, stack[-2] if len(stack) > 1 else None
                        continue
                    stack.pop()
                    if inside is element:
                        inside = None
                        yield element, stack[-1] if stack else None
                    elif inside is not None:
                        continue
                    if stack:
                        stack[-1].remove(element)
                if not chunk:
                    return

    def _read_structure(self) -> None:
        types = {}
        defaults = set()
        for element, _ in self._elements(ARC_CONTENT_TYPES, {_tag(CONTYPES_NS, "Override"),
                                                             _tag(CONTYPES_NS, "Default")}):
            if element.tag.endswith("Override"):
                types.setdefault(element.get("ContentType"), element.get("PartName", ""))
            else:
                defaults.add(element.get("ContentType"))
        part = next((types[t] for t in (XLTM, XLTX, XLSM, XLSX) if t in types), None)
        if part is None and not defaults & {XLTM, XLTX, XLSM, XLSX}:
            raise OSError("File contains no valid workbook part")
        workbook = part.lstrip("/") if part else ARC_WORKBOOK
        sheets: list[tuple[str, str]] = []
        epoch = WINDOWS_EPOCH
        for element, _ in self._elements(workbook, {_tag(SHEET_MAIN_NS, "sheet"), _tag(SHEET_MAIN_NS, "workbookPr")}):
            if element.tag.endswith("workbookPr"):
                epoch = (CALENDAR_MAC_1904 if element.get("date1904", "") not in ("", "false", "f", "0")
                         else WINDOWS_EPOCH)
            elif len(sheets) == self.limits.max_sheets:
                raise self._refuse(f"has more than {self.limits.max_sheets:,} sheets: at most "
                                   f"{self.limits.max_sheets:,} are read ({_limit('max_sheets')})")
            else:
                sheets.append((element.get("name", ""), element.get(_tag(REL_NS, "id"), "")))
        folder, file = posixpath.split(workbook)
        targets = {}
        for element, _ in self._elements(posixpath.join(folder, "_rels", f"{file}.rels"),
                                         {_tag(PKG_REL_NS, "Relationship")}):
            target = element.get("Target", "")
            if element.get("TargetMode") != "External":
                target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            targets[element.get("Id")] = (target, element.get("Type", ""))
        members = set(self._zip.namelist())
        self._sheets = {title: targets[rid][0] for title, rid in sheets
                        if rid and targets[rid][0] in members and "chartsheet" not in targets[rid][1]}
        self._epoch = epoch
        self._strings = self._read_strings(types.get(SHARED_STRINGS))
        self._date_styles, self._timedelta_styles = self._read_styles()

    def _read_strings(self, part: str | None) -> list[str]:
        strings: list[str] = []
        if part is None:
            return strings
        text = _tag(SHEET_MAIN_NS, "t")
        for element, _ in self._elements(part.lstrip("/"), {_tag(SHEET_MAIN_NS, "si")}):
            if len(strings) == self.limits.max_cells:
                raise self._refuse(f"{part.lstrip('/')} holds more than {self.limits.max_cells:,} strings: at most "
                                   f"{self.limits.max_cells:,} cells are read ({_limit('max_cells')})")
            if len(element) == 1 and element[0].tag == text:
                value = element[0].text or ""
            else:
                value = Text.from_tree(element).content
            strings.append(value.replace("x005F_", ""))
        return strings

    def _read_styles(self) -> tuple[set[int], set[int]]:
        """The cell styles (by index) whose number format is a date, and those that are a duration."""
        if ARC_STYLE not in self._zip.namelist():
            return set(), set()
        custom: dict[int, str] = {}
        formats: list[int] = []
        cell_formats = _tag(SHEET_MAIN_NS, "cellXfs")
        for element, parent in self._elements(ARC_STYLE, {_tag(SHEET_MAIN_NS, "numFmt"),
                                                          _tag(SHEET_MAIN_NS, "xf")}):
            if element.tag.endswith("numFmt"):
                custom[int(element.get("numFmtId", 0))] = element.get("formatCode", "")
            elif parent is not None and parent.tag == cell_formats:
                formats.append(int(element.get("numFmtId", 0)))
        codes = [custom.get(f, builtin_format_code(f)) for f in formats]
        return ({i for i, code in enumerate(codes) if is_date_format(code)},
                {i for i, code in enumerate(codes) if is_timedelta_format(code)})

    def rows(self, title: str) -> list[tuple[int, list[object]]]:
        try:
            return self._read_sheet(title)
        except UNREADABLE as exc:
            raise self._unreadable(exc) from exc

    def grid(self, title: str) -> list[list[object]]:
        rows = self.rows(title)
        width = len(rows[0][1]) if rows else 0
        grid: list[list[object]] = []
        for number, cells in rows:
            grid.extend([None] * width for _ in range(number - 1 - len(grid)))
            grid.append(cells)
        return grid

    def _read_sheet(self, title: str) -> list[tuple[int, list[object]]]:
        limits = self.limits
        # openpyxl's own parser of one cell (as in its read-only worksheets) gives each value its type.
        parser = WorkSheetParser(None, self._strings, data_only=True, epoch=self._epoch,
                                 date_formats=self._date_styles, timedelta_formats=self._timedelta_styles)
        rows: list[tuple[int, list[object]]] = []
        row: ET.Element | None = None
        cells: list[object] = []
        number = accepted = last = width = 0
        for element, parent in self._elements(self._sheets[title], {CELL}, frozenset({ROW}), title):
            if element.tag == ROW:
                number = _row_number(element.get("r"), number)
                parser.row_counter, parser.col_counter = number, 0
                row, cells = (element, []) if number > accepted else (None, [])
                accepted = max(accepted, number)
                continue
            if row is None or parent is not row:
                continue
            read = parser.parse_cell(element)
            if read["value"] is None:
                continue
            column = read["column"]
            ref = element.get("r") or f"{get_column_letter(column)}{number}"
            if column > limits.max_columns:
                raise self._cell_problem(title, ref, number, f"holds a value past column "
                                         f"{get_column_letter(limits.max_columns)}: at most {limits.max_columns:,} "
                                         f"columns are read ({_limit('max_columns')})")
            if number > limits.max_rows:
                raise self._cell_problem(title, ref, number, f"holds a value past row {limits.max_rows:,}: at most "
                                         f"{limits.max_rows:,} rows are read ({_limit('max_rows')})")
            last, width = number, max(width, column)
            if self._cells_read + last * width > limits.max_cells:
                raise self._cell_problem(title, ref, number, f"takes the cells read (from A1 to the last row and "
                                         f"column with a value, in every sheet read) past {limits.max_cells:,} "
                                         f"({_limit('max_cells')})")
            if not cells:
                rows.append((number, cells))
            cells.extend([None] * (column - len(cells)))
            cells[column - 1] = read["value"]
        self._cells_read += last * width
        for _, cells in rows:
            cells.extend([None] * (width - len(cells)))
        return rows

    def _cell_problem(self, title: str, ref: str, row: int, reason: str) -> ImportFailed:
        return ImportFailed([CellProblem(self.name, title, ref, reason, row=row, column=ref.rstrip("0123456789"))])


def read_sheets(path: Path) -> list[Sheet]:
    """Every table in a .csv (one) or .xlsx (one per worksheet) file; ImportFailed if unreadable, or
    if an XLSX file is beyond the import limits."""
    name = str(path)
    if not path.is_file():
        raise ImportFailed([Problem(name, None, FILE_COLUMN, "does not exist or is not a file")])
    if path.suffix.lower() == ".xlsx":
        with XlsxBook(path, name) as book:
            return [_sheet(f"{name}!{title}", iter(book.rows(title))) for title in book.sheet_names]
    if path.suffix.lower() != ".csv":
        raise ImportFailed([Problem(name, None, FILE_COLUMN, "must be a .csv or .xlsx file")])
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = "is not UTF-8 text (save the file as CSV UTF-8)"
        raise ImportFailed([Problem(name, line, FILE_COLUMN, reason)]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = []
        end = 0
        for cells in reader:
            lines.append((end + 1, list(cells)))
            end = reader.line_num
        return [_sheet(name, iter(lines))]
    except csv.Error as exc:
        raise ImportFailed([Problem(name, reader.line_num, FILE_COLUMN, f"cannot be read as CSV ({exc})")]) from exc


HEADER_SCAN_ROWS = 10
"""Rows looked through for the heading row: title rows and notes above the table are skipped."""


def _squash_heading(text: object) -> str:
    return "".join(ch for ch in str(text or "").lower() if ch.isalnum())


def find_header(sheet: Sheet, names: dict[str, tuple[str, ...]], required: Iterable[str]) -> Sheet:
    """The sheet read from its heading row: the first of its first rows that holds every required heading
    (as `header_index` recognises them), so title rows and notes above a table are skipped as partners
    write them. Unchanged when no row does (header_index then reports what is missing)."""
    known = {_squash_heading(alias): field for field, aliases in names.items() for alias in (field, *aliases)}
    wanted = set(required)
    candidates = [(sheet.header_row, sheet.header), *sheet.rows[:HEADER_SCAN_ROWS - 1]]
    for i, (row, cells) in enumerate(candidates):
        fields = {known.get(_squash_heading(c)) for c in cells}
        if wanted <= fields:
            if i == 0:
                return sheet
            rest = sheet.rows[i:]
            width = len(cells)
            return Sheet(sheet.name, [str(c or "").strip() for c in cells], row,
                         [(n, (c + [None] * width)[: max(width, len(c))]) for n, c in rest])
    return sheet


def header_index(sheet: Sheet, names: dict[str, tuple[str, ...]], required: Iterable[str],
                 problems: Problems, *, ignored: list[str] | None = None) -> dict[str, int]:
    """Where each known column is: `names` maps a field to the headings people use for it (compared
    without case, spaces, hyphens or underscores). Missing required headings are problems; so are
    unknown ones, unless an `ignored` list is given to collect them."""
    lookup = {_squash_heading(alias): field for field, aliases in names.items() for alias in (field, *aliases)}
    found: dict[str, int] = {}
    for i, heading in enumerate(sheet.header):
        field = lookup.get(_squash_heading(heading))
        if not heading:
            continue
        if field is None and ignored is not None:
            ignored.append(heading)
        elif field is None:
            problems.add(sheet.problem(sheet.header_row, heading, "column is not expected (expected: "
                                       + ", ".join(names) + ")"))
        elif field in found:
            problems.add(sheet.problem(sheet.header_row, heading, "column appears more than once"))
        else:
            found[field] = i
    for field in required:
        if field not in found:
            problems.add(sheet.problem(sheet.header_row, field, "column is missing"))
    return found


@contextmanager
def writing(store: Store) -> Iterator[None]:
    """Turn a store problem or a lock held too long into ImportFailed (the store is then unchanged)."""
    try:
        yield
    except StoreError as err:
        raise ImportFailed(err.problems) from err
    except Timeout as err:
        raise ImportFailed([Problem(str(store.root), None, "store",
                                    "is locked by another write; try again later")]) from err


def replace_observations(tables: Mapping[str, pd.DataFrame], new: pd.DataFrame, replaced: pd.Series, *,
                         by: str, at: str) -> dict[str, pd.DataFrame]:
    """The observations with the rows marked `replaced` taken out and `new` (stored at `at`) added in
    their place, and observations_replaced with the rows taken out appended (replaced at `at` by `by`),
    so the figures held before can be rebuilt (kcsp.history)."""
    observations = tables["observations"]
    taken = replaced.fillna(False).astype(bool)
    kept = observations.loc[~taken]
    new = new.assign(recorded_at=at).astype({k: v for k, v in OBSERVATION_TYPES.items() if k in new.columns})
    if kept.empty:
        out = new.reset_index(drop=True)
    else:
        kept = kept.astype({k: v for k, v in OBSERVATION_TYPES.items() if k in kept.columns})
        out = pd.concat([kept, new], ignore_index=True)
    log = tables.get("observations_replaced")
    held = log is not None and not log.empty
    gone = observations.loc[taken].assign(replaced_at=at, replaced_by=by,
                                          replacement=int(log["replacement"].max()) + 1 if held else 1)
    log = pd.concat([log, gone], ignore_index=True) if held else gone
    return {"observations": out, "observations_replaced": log}


def update_store(store: Store, change: Callable[[dict[str, pd.DataFrame]], Mapping[str, pd.DataFrame]], *,
                 user: str, kind: str, target: str, detail: Callable[[], str] | str = "") -> None:
    """One read-modify-write under the store's lock: change() gets every table and returns those it
    replaces (none: nothing is written, as for a dry run). A write is recorded in the audit table in
    the same commit. A rejected write or a lock held too long is raised as ImportFailed."""
    def commit(current: dict[str, pd.DataFrame]) -> Commit:
        replaced = change(current)
        if not replaced:
            return Commit({}, {})
        text = detail() if callable(detail) else detail
        note = audit.entry(current["audit"], user, kind, target[:300], text, audit.timestamp())
        return Commit({"audit": note}, replaced)

    with writing(store):
        store.commit(commit, reading=tuple(TABLES))
