"""Pieces every importer shares: the list of problems (FILE:ROW: COLUMN: reason for a text file's row
and column, FILE:SHEET!CELL: reason for a spreadsheet cell), the failure that carries them, reading a
table from CSV or XLSX with each cell's place, replacing the observations of the periods imported
(so a re-import never doubles them), and the locked write that turns a store problem or a busy lock
into that failure. Nothing is written until every check passed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from filelock import Timeout

from kcsp import audit
from kcsp.schema import TABLES
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


def read_sheets(path: Path) -> list[Sheet]:
    """Every table in a .csv (one) or .xlsx (one per worksheet) file; ImportFailed if unreadable."""
    name = str(path)
    if not path.is_file():
        raise ImportFailed([Problem(name, None, FILE_COLUMN, "does not exist or is not a file")])
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise ImportFailed([Problem(name, None, FILE_COLUMN, f"is not a readable XLSX workbook ({exc})")]) from exc
        try:
            return [_sheet(f"{name}!{ws.title}",
                           ((n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1)))
                    for ws in book.worksheets]
        finally:
            book.close()
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


def header_index(sheet: Sheet, names: dict[str, tuple[str, ...]], required: Iterable[str],
                 problems: Problems, *, ignored: list[str] | None = None) -> dict[str, int]:
    """Where each known column is: `names` maps a field to the headings people use for it (compared
    without case, spaces, hyphens or underscores). Missing required headings are problems; so are
    unknown ones, unless an `ignored` list is given to collect them."""
    def squash(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    lookup = {squash(alias): field for field, aliases in names.items() for alias in (field, *aliases)}
    found: dict[str, int] = {}
    for i, heading in enumerate(sheet.header):
        field = lookup.get(squash(heading))
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


def replace_observations(observations: pd.DataFrame, new: pd.DataFrame, replaced: pd.Series) -> pd.DataFrame:
    """The observations with the rows marked `replaced` taken out and `new` added in their place."""
    kept = observations.loc[~replaced.fillna(False).astype(bool)]
    new = new.astype({k: v for k, v in OBSERVATION_TYPES.items() if k in new.columns})
    if kept.empty:
        return new.reset_index(drop=True)
    kept = kept.astype({k: v for k, v in OBSERVATION_TYPES.items() if k in kept.columns})
    return pd.concat([kept, new], ignore_index=True)


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
