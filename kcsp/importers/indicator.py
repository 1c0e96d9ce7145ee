"""Import one indicator's figures from a partner's spreadsheet (CSV or XLSX), as partners send them.

Layouts: long (a column of areas, one of periods, one of values) or wide (areas down the side and
periods across, or periods down the side and areas across). Rows above the header (titles) are
skipped, and so is everything from the first blank or note line below the data. Areas are read by
ONS code or by the names people type, through the area register (kcsp.areas: names, aliases such as
a former name, "&" for "and", "District Council" and the like ignored); a total row or column (the
county's or the force area's name, or "Total") is checked against
the sum of its areas, then not stored, and so is a total across periods (a "Total" column beside
periods across, or a "Total" row below periods down). Periods are read by ``kcsp.periods`` at the indicator's
frequency.

``import_indicator`` checks everything first; any problem raises ``ImportFailed`` (one line per
problem: ``FILE:ROW: COLUMN: reason`` for CSV, ``FILE:SHEET!CELL: reason`` for XLSX) and the store
is not touched. Otherwise, under the store's lock, every value of the indicator in the periods the
file covers is replaced by the file's (illustrative values included: real figures take their
place), and the import is recorded in the ``imports`` table, which each new observation names.
A dry run computes the same changes and writes nothing.

A confirmed preview imports once. The dashboard's dry run may keep a record of its preview (in the
store folder's ``.previews``, under the lock, for PREVIEW_HOURS); confirming it names that record,
and under the same lock the first confirm imports and marks the record with its import, while any
other confirm of it, at the same moment in another thread or worker or later, imports nothing and
raises ``AlreadyImported`` naming that import. The mark is written before the tables, and an import
counts only when the ``imports`` table holds it, so a write that failed after the mark leaves the
preview still to import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from kcsp import periods
from kcsp.areas import Register, normalise
from kcsp.importers.common import CellProblem, ImportFailed, Problems, XlsxBook, replace_observations, update_store
from kcsp.reference import store_register
from kcsp.store import Problem, Store, write_file_atomically

TOTAL = "TOTAL"
FILE = "file"
TOTAL_NAMES = {"total": TOTAL, "grand total": TOTAL, "all": TOTAL, "all areas": TOTAL}
AREA_HEADERS = {"area", "area name", "area code", "district", "districts", "local authority", "la", "code",
                "ons code", "csp", "district council", "borough", "authority", "area_code", "area_name", "lad"}
PERIOD_HEADERS = {"period", "month", "quarter", "year", "financial year", "date", "fy", "time period"}
VALUE_HEADERS = {"value", "count", "number", "total", "figure", "n", "cases", "incidents", "referrals",
                 "casualties", "deaths", "offences", "visitors", "reviews", "people", "crimes"}
SKIP_TITLE = 30
PREVIEW_FOLDER = ".previews"
PREVIEW_HOURS = 24
MAX_PREVIEWS = 1000
PREVIEW_ID = re.compile(r"[A-Za-z0-9_-]{32}")
PERIOD_TOTAL = "PERIOD-TOTAL"
PERIOD_TOTALS = {"total", "grand total", "year total", "total for year", "ytd", "year to date", "all periods"}


@dataclass(frozen=True)
class Cell:
    """Where a value came from: its row and column header, and its spreadsheet reference if any."""

    row: int
    column: str
    ref: str | None = None


@dataclass
class Parsed:
    """A file read and checked: the values to store, with where each came from."""

    values: pd.DataFrame  # area_code, period, value
    cells: dict[tuple[str, pd.Timestamp], Cell]
    layout: str
    rows: int


@dataclass
class Plan:
    """What an import does to the store: cells new, changed and unchanged, and the periods replaced."""

    indicator_id: str
    frequency: str
    file_name: str
    sha256: str
    # area_code, area_name, period, label, old, new, change (new, changed or unchanged), was_illustrative
    changes: pd.DataFrame
    periods: list[pd.Timestamp]
    removed: int = 0
    import_id: str | None = None
    layout: str = ""
    preview_id: str | None = None

    def counts(self) -> dict[str, int]:
        return {k: int((self.changes["change"] == k).sum()) for k in ("new", "changed", "unchanged")}

    def lines(self, *, dry_run: bool) -> list[str]:
        counts = self.counts()
        labels = [periods.label(p, self.frequency) for p in self.periods]
        head = "dry run: nothing written" if dry_run else f"imported as {self.import_id}"
        out = [f"{head}: {self.file_name} ({self.layout}) into {self.indicator_id}",
               f"periods replaced ({len(labels)}): {', '.join(labels)}",
               f"cells: {counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged"
               + (f"; {self.removed} held values not in the file removed" if self.removed else "")]
        for row in self.changes[self.changes["change"] != "unchanged"].itertuples(index=False):
            old = "" if pd.isna(row.old) else f"{int(row.old)}"
            note = " (was illustrative)" if row.was_illustrative else ""
            out.append(f"  {row.change}: {row.area_name} {row.label}: {old or '-'} -> {int(row.new)}{note}")
        return out


# ---------------------------------------------------------------------------------------------
# Reading a file into a grid of cells
# ---------------------------------------------------------------------------------------------

@dataclass
class _Grid:
    name: str
    sheet: str | None
    rows: list[list[object]] = field(default_factory=list)

    def problem(self, row: int, col: int, column: str, reason: str) -> Problem | CellProblem:
        """row is 0-based in the grid, col 0-based; column is the header shown for CSV."""
        if self.sheet is None:
            return Problem(self.name, row + 1, column, reason)
        ref = f"{_letters(col)}{row + 1}"
        return CellProblem(self.name, self.sheet, ref, reason, row=row + 1, column=column)

    def ref(self, row: int, col: int) -> str | None:
        return None if self.sheet is None else f"{_letters(col)}{row + 1}"


def _letters(col: int) -> str:
    """A 0-based column index as a spreadsheet's letters (0 -> A)."""
    return get_column_letter(col + 1)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_grid(data: bytes, name: str, sheet: str | None, problems: Problems) -> _Grid | None:
    """The file's cells, row by row; None (with a problem) when it cannot be read."""
    if not data.strip():
        problems.add(Problem(name, None, FILE, "file is empty"))
        return None
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, sheet, problems)
    if sheet:
        problems.add(Problem(name, None, "--sheet", "a CSV file has no sheets"))
        return None
    if b"\x00" in data:
        problems.add(Problem(name, None, FILE, "is neither CSV text nor an XLSX workbook"))
        return None
    text = _decode(data)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.add(Problem(name, None, FILE, f"cannot be read as CSV ({exc})"))
        return None
    return _Grid(name, None, [list(r) for r in rows])


def _read_xlsx(data: bytes, name: str, sheet: str | None, problems: Problems) -> _Grid | None:
    try:
        with XlsxBook(data, name) as book:
            names = book.sheet_names
            if sheet is None and not names:
                problems.add(Problem(name, None, FILE, "holds no worksheet"))
                return None
            if sheet is not None and sheet not in names:
                problems.add(Problem(name, None, "--sheet", f"no sheet {sheet!r}; the sheets are {', '.join(names)}"))
                return None
            title = names[0] if sheet is None else sheet
            return _Grid(name, title, book.grid(title))
    except ImportFailed as err:
        for problem in err.problems:
            problems.add(problem)
        return None


# ---------------------------------------------------------------------------------------------
# Areas, values and layout
# ---------------------------------------------------------------------------------------------

def _norm(text: object) -> str:
    return normalise(text)


class Areas:
    """What people type, resolved by the area register to a local area's code, a total's, or TOTAL."""

    def __init__(self, register: Register):
        self.register = register
        local = register.local(None)
        self.names = dict(zip(local["area_code"], local["area_name"], strict=True))
        self.totals = (register.county_code, register.force_code)

    def resolve(self, text: object) -> str | None:
        if text is None or str(text).strip() == "":
            return None
        if _norm(text) in TOTAL_NAMES:
            return TOTAL_NAMES[_norm(text)]
        code = self.register.resolve(text)
        return code if code in self.names or code in self.totals else None

    def name(self, code: str) -> str:
        return self.names.get(code) or self.register.area_name(code)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(value: object) -> tuple[int | None, str | None]:
    """(count, None) or (None, reason)."""
    if isinstance(value, bool):
        return None, f"{value!r} is not a number"
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None, f"{str(value).strip()!r} is not a number"
    if number != number:
        return None, "is not a number"
    if number < 0:
        return None, f"{value} is below zero: a count cannot be negative"
    if not number.is_integer():
        return None, f"{value} is not a whole number"
    return int(number), None


def _period(value: object, frequency: str) -> tuple[pd.Timestamp | None, str | None]:
    if _blank(value):
        return None, "no period"
    try:
        return periods.parse(value, frequency), None
    except periods.PeriodError as exc:
        return None, str(exc)


def _looks_like_period(value: object) -> bool:
    if _blank(value):
        return False
    for frequency in periods.FREQUENCIES:
        try:
            periods.parse(value, frequency)
            return True
        except periods.PeriodError:
            continue
    return False


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return f"{value:%Y-%m}"
    return str(value).strip()


@dataclass
class _Record:
    area: str  # an area code (a local area's or a total's) or TOTAL
    period: pd.Timestamp
    value: int
    row: int
    col: int
    column: str


def _find_header(grid: _Grid, areas: Areas) -> tuple[int, str] | None:
    """(header row, layout) where layout is long, areas-down or periods-down."""
    for i, row in enumerate(grid.rows[:SKIP_TITLE]):
        filled = [c for c in row if not _blank(c)]
        if len(filled) < 2:
            continue
        names = [_norm(c) for c in row]
        if any(n in AREA_HEADERS for n in names) and any(n in PERIOD_HEADERS for n in names):
            return i, "long"
        if sum(_looks_like_period(c) for c in row[1:]) >= 1 and not _looks_like_period(row[0]):
            return i, "areas-down"
        if sum(areas.resolve(c) is not None for c in row[1:]) >= 2:
            return i, "periods-down"
    return None


def _long_columns(header: list[object]) -> tuple[int | None, int | None, int | None]:
    names = [_norm(c) for c in header]
    area = next((i for i, n in enumerate(names) if n in AREA_HEADERS), None)
    period = next((i for i, n in enumerate(names) if n in PERIOD_HEADERS), None)
    value = next((i for i, n in enumerate(names) if n in VALUE_HEADERS and i not in (area, period)), None)
    if value is None:
        rest = [i for i, n in enumerate(names) if n and i not in (area, period)]
        value = rest[-1] if rest else None
    return area, period, value


def _records(grid: _Grid, header_row: int, layout: str, frequency: str, areas: Areas,
             problems: Problems) -> list[_Record]:
    header = grid.rows[header_row]
    heads = [_text(c) or f"(column {_letters(i)})" for i, c in enumerate(header)]
    out: list[_Record] = []
    body = grid.rows[header_row + 1:]

    def bad(r: int, c: int, reason: str) -> None:
        problems.add(grid.problem(r, c, heads[c] if c < len(heads) else f"(column {_letters(c)})", reason))

    if layout == "long":
        a_col, p_col, v_col = _long_columns(header)
        if v_col is None:
            problems.add(grid.problem(header_row, 0, heads[0], "no value column after the area and period columns"))
            return out
        for k, row in enumerate(body):
            r = header_row + 1 + k
            cells = [row[i] if i < len(row) else None for i in (a_col, p_col, v_col)]
            if all(_blank(c) for c in cells):
                break
            if _blank(cells[2]) and areas.resolve(cells[0]) is None and _blank(cells[1]):
                break  # a note line below the data
            area = areas.resolve(cells[0])
            if area is None:
                bad(r, a_col, f"{_text(cells[0])!r} is not a Kent district, Medway or a total")
            period, why = _period(cells[1], frequency)
            if period is None:
                bad(r, p_col, why)
            value, reason = _number(cells[2]) if not _blank(cells[2]) else (None, "is empty")
            if value is None:
                bad(r, v_col, reason)
            if area is not None and period is not None and value is not None:
                out.append(_Record(area, period, value, r, v_col, heads[v_col]))
        return out

    across = header[1:]
    if layout == "areas-down":
        keys = []
        for j, c in enumerate(across, start=1):
            if _blank(c) or _norm(c) in AREA_HEADERS:
                keys.append(None)  # an empty column, or a second area column (e.g. names beside codes)
                continue
            if _norm(c) in PERIOD_TOTALS:
                keys.append(PERIOD_TOTAL)
                continue
            period, why = _period(c, frequency)
            if period is None:
                bad(header_row, j, why)
            keys.append(period)
    else:
        keys = []
        for j, c in enumerate(across, start=1):
            if _blank(c):
                keys.append(None)
                continue
            area = areas.resolve(c)
            if area is None:
                bad(header_row, j, f"{_text(c)!r} is not a Kent district, Medway or a total")
            keys.append(area)
    column_sums: dict[int, int | None] = {}
    for k, row in enumerate(body):
        r = header_row + 1 + k
        first = row[0] if row else None
        values = [row[j] if j < len(row) else None for j in range(1, len(header))]
        if _blank(first) and all(_blank(v) for v in values):
            break
        if all(_blank(v) for v in values):
            break  # a note line below the data
        if layout == "periods-down" and _norm(first) in PERIOD_TOTALS:
            _check_sums(values, column_sums, lambda j, reason, r=r: bad(r, j, reason), "column")
            continue
        row_sum: int | None = 0
        if layout == "areas-down":
            down = areas.resolve(first)
            if down is None:
                bad(r, 0, f"{_text(first)!r} is not a Kent district, Medway or a total")
        else:
            down, why = _period(first, frequency)
            if down is None:
                bad(r, 0, why)
        for j, raw in enumerate(values, start=1):
            key = keys[j - 1]
            if key is None or key == PERIOD_TOTAL:
                continue
            value, reason = _number(raw) if not _blank(raw) else (None, "is empty")
            column_sums[j] = None if value is None or column_sums.get(j, 0) is None else column_sums.get(j, 0) + value
            row_sum = None if value is None or row_sum is None else row_sum + value
            if value is None:
                bad(r, j, reason)
                continue
            if down is None:
                continue
            area, period = (down, key) if layout == "areas-down" else (key, down)
            out.append(_Record(area, period, value, r, j, heads[j]))
        row_totals = {j: row_sum for j in range(1, len(header)) if keys[j - 1] == PERIOD_TOTAL}
        _check_sums(values, row_totals, lambda j, reason, r=r: bad(r, j, reason), "row")
    return out


def _check_sums(values: list[object], sums: dict[int, int | None], report, what: str) -> None:
    """A total across periods (a row's or a column's) must equal the sum of the periods it totals."""
    for j, expected in sums.items():
        raw = values[j - 1] if j - 1 < len(values) else None
        if expected is None or _blank(raw):
            continue
        value, reason = _number(raw)
        if value is None:
            report(j, reason)
        elif value != expected:
            report(j, f"{what} total {value} does not add up: its periods sum to {expected}")


# ---------------------------------------------------------------------------------------------
# Checking the records against the indicator
# ---------------------------------------------------------------------------------------------

def parse_file(data: bytes, name: str, indicator: pd.Series, register: Register,
               sheet: str | None = None) -> Parsed:
    """Read and check a partner's file for one indicator; raise ImportFailed listing every problem."""
    problems = Problems()
    grid = read_grid(data, name, sheet, problems)
    problems.raise_if_any()
    assert grid is not None
    areas = Areas(register)
    found = _find_header(grid, areas)
    if found is None:
        problems.add(Problem(name, None, FILE, "no header row found: expected columns such as Area, Period and "
                             "Value, or areas down the side and periods across (or the other way round)"))
        problems.raise_if_any()
    header_row, layout = found
    frequency = str(indicator["frequency"])
    records = _records(grid, header_row, layout, frequency, areas, problems)
    if not records and not problems:
        problems.add(grid.problem(header_row, 0, _text(grid.rows[header_row][0]), "no figures below the header"))
    cells_ok = not problems  # completeness and totals are only checked once every cell could be read

    county = indicator["geography"] == "county"
    coverage_total = register.total_for(indicator["coverage"])
    members = [c for c in areas.names if c in register.members(coverage_total, on=None)]
    seen: dict[tuple[str, pd.Timestamp], _Record] = {}
    totals: list[_Record] = []
    for rec in records:
        if rec.area == TOTAL and county:
            rec.area = coverage_total
        if rec.area in (TOTAL, *areas.totals) and not (county and rec.area == coverage_total):
            totals.append(rec)
            continue
        if county and rec.area != coverage_total:
            problems.add(grid.problem(rec.row, rec.col, rec.column,
                                      f"{areas.name(rec.area)}: this indicator is held for "
                                      f"{areas.name(coverage_total)} only"))
            continue
        if not county and rec.area not in members:
            problems.add(grid.problem(rec.row, rec.col, rec.column,
                                      f"{areas.names[rec.area]} is outside this indicator's coverage "
                                      f"({register.total_label(coverage_total)})"))
            continue
        key = (rec.area, rec.period)
        if key in seen:
            first = seen[key]
            problems.add(grid.problem(rec.row, rec.col, rec.column,
                                      f"{areas.names.get(rec.area, rec.area)} {periods.label(rec.period, frequency)} "
                                      f"appears twice (first on row {first.row + 1})"))
            continue
        seen[key] = rec
    covered = sorted({p for _, p in seen})
    if not county and cells_ok:
        for period in covered:
            missing = [areas.names[c] for c in members if (c, period) not in seen]
            if missing:
                where = next(r for (a, p), r in seen.items() if p == period)
                problems.add(grid.problem(where.row, where.col, where.column,
                                          f"{periods.label(period, frequency)} has no figure for {', '.join(missing)}: "
                                          "every district is needed, or the totals would be wrong"))
    total_seen: set[tuple[str, pd.Timestamp]] = set()
    for rec in totals if cells_ok else []:
        key = (rec.area, rec.period)
        if key in total_seen:
            problems.add(grid.problem(rec.row, rec.col, rec.column, "the total appears twice"))
            continue
        total_seen.add(key)
        parts = members if rec.area == TOTAL else register.members(rec.area, on=None)
        expected = sum(seen[(c, rec.period)].value for c in parts if (c, rec.period) in seen)
        if rec.value != expected:
            problems.add(grid.problem(rec.row, rec.col, rec.column,
                                      f"total {rec.value} does not add up: its areas sum to {expected} "
                                      f"for {periods.label(rec.period, frequency)}"))
    problems.raise_if_any()
    keys = sorted(seen)
    values = pd.DataFrame({
        "area_code": pd.Series([k[0] for k in keys], dtype="str"),
        "period": pd.DatetimeIndex([k[1] for k in keys]).astype("datetime64[ns]"),
        "value": pd.Series([seen[k].value for k in keys], dtype="int64"),
    })
    cells = {k: Cell(seen[k].row + 1, seen[k].column, grid.ref(seen[k].row, seen[k].col)) for k in keys}
    return Parsed(values, cells, layout, len(keys))


# ---------------------------------------------------------------------------------------------
# The store side
# ---------------------------------------------------------------------------------------------

def _indicator_row(indicators: pd.DataFrame, indicator_id: str, store: Store) -> pd.Series:
    match = indicators[indicators["indicator_id"] == indicator_id]
    if match.empty:
        raise ImportFailed([Problem(str(store.path("indicators")), None, "indicator_id",
                                    f"unknown indicator {indicator_id!r}; add it first with "
                                    "`python -m kcsp indicators add`")])
    return match.iloc[0]


def _plan(tables: dict[str, pd.DataFrame], indicator: pd.Series, parsed: Parsed, name: str,
          digest: str) -> tuple[Plan, pd.Series]:
    iid = indicator["indicator_id"]
    frequency = str(indicator["frequency"])
    obs = tables["observations"]
    mine = obs["indicator_id"] == iid
    covered = sorted(parsed.values["period"].unique())
    replaced = mine & obs["period"].isin(covered)
    old = obs.loc[replaced]
    old_values = {(a, p): int(v) for a, p, v in zip(old["area_code"], old["period"], old["value"], strict=True)}
    old_imports = {(a, p): i for a, p, i in zip(old["area_code"], old["period"],
                                                 old["import_id"] if "import_id" in old else [None] * len(old),
                                                 strict=True)}
    illustrative = bool(indicator["illustrative"])
    names = dict(zip(tables["areas"]["area_code"], tables["areas"]["area_name"], strict=True))
    rows = []
    for rec in parsed.values.itertuples(index=False):
        key = (rec.area_code, rec.period)
        before = old_values.get(key)
        change = "new" if before is None else ("unchanged" if before == rec.value else "changed")
        was_illustrative = before is not None and illustrative and pd.isna(old_imports.get(key))
        rows.append((rec.area_code, names.get(rec.area_code, rec.area_code), rec.period,
                     periods.label(rec.period, frequency), before, int(rec.value), change, was_illustrative))
    changes = pd.DataFrame(rows, columns=["area_code", "area_name", "period", "label", "old", "new", "change",
                                          "was_illustrative"])
    changes["old"] = changes["old"].astype("Int64")
    kept_keys = set(zip(parsed.values["area_code"], parsed.values["period"], strict=True))
    removed = sum(1 for k in old_values if k not in kept_keys)
    plan = Plan(iid, frequency, name, digest, changes, [pd.Timestamp(p) for p in covered], removed,
                layout=parsed.layout)
    return plan, replaced


def _next_import_id(imports: pd.DataFrame) -> str:
    numbers = imports["import_id"].str[1:].astype(int) if len(imports) else pd.Series([0])
    return f"I{int(numbers.max()) + 1:06d}"


class AlreadyImported(ImportFailed):
    """The preview confirmed was imported already, as `import_id`: nothing was imported again."""

    def __init__(self, import_id: str, file_name: str):
        self.import_id = import_id
        super().__init__([Problem(file_name, None, "preview",
                                  f"was already imported as {import_id}; nothing was imported again")])


# ---------------------------------------------------------------------------------------------
# Previews kept for one confirm
# ---------------------------------------------------------------------------------------------

def _preview_path(store: Store, preview_id: object) -> Path | None:
    if not isinstance(preview_id, str) or not PREVIEW_ID.fullmatch(preview_id):
        return None
    return store.root / PREVIEW_FOLDER / f"{preview_id}.json"


def _read_preview(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    fields = ("indicator_id", "sha256", "sheet", "who")
    if not isinstance(record, dict) or not all(isinstance(record.get(f), str) for f in fields):
        return None
    return record


def _write_record(path: Path, record: dict) -> None:
    """Write a preview record atomically (a temporary file renamed over it); call it holding the lock."""
    write_file_atomically(path, json.dumps(record).encode("utf-8"))


def _prune_previews(folder: Path, now: float) -> None:
    """Drop previews older than PREVIEW_HOURS, then the oldest past MAX_PREVIEWS, and any temporary file
    (holding the lock, no record is being written: one left is from a write that was killed)."""
    if not folder.is_dir():
        return
    found = []
    for path in folder.iterdir():
        try:
            found.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    found.sort()
    fresh = [p for mtime, p in found if p.suffix == ".json" and now - mtime <= PREVIEW_HOURS * 3600]
    kept = set(fresh)
    dropped = [p for _, p in found if p not in kept] + fresh[:max(0, len(fresh) - MAX_PREVIEWS + 1)]
    for path in dropped:
        path.unlink(missing_ok=True)


def _keep_preview(store: Store, indicator_id: str, digest: str, sheet: str | None, who: str) -> str:
    preview_id = secrets.token_urlsafe(24)
    path = _preview_path(store, preview_id)
    assert path is not None
    _prune_previews(path.parent, time.time())
    _write_record(path, {"indicator_id": indicator_id, "sha256": digest, "sheet": sheet or "", "who": who,
                         "created": time.time(), "import_id": None})
    return preview_id


def _claim_preview(store: Store, preview_id: str, imports: pd.DataFrame, *, indicator_id: str, digest: str,
                   sheet: str | None, who: str, name: str) -> tuple[Path, dict]:
    """The preview record a confirm may import (holding the lock); AlreadyImported once it was imported."""
    path = _preview_path(store, preview_id)
    record = _read_preview(path)
    if path is None or record is None:
        raise ImportFailed([Problem(name, None, "preview", f"is no longer on record (a preview is kept for "
                                    f"{PREVIEW_HOURS} hours): preview the file again")])
    if (record["indicator_id"], record["sha256"], record["sheet"]) != (indicator_id, digest, sheet or ""):
        raise ImportFailed([Problem(name, None, "preview", "is not of this file, measure and sheet: "
                                    "preview the file again")])
    if record["who"] != who:
        raise ImportFailed([Problem(name, None, "preview", "was made by another account: preview the file again")])
    done = record.get("import_id")
    if isinstance(done, str) and ((imports["import_id"] == done) & (imports["sha256"] == digest)).any():
        raise AlreadyImported(done, name)
    return path, record


def import_indicator(store: Store, indicator_id: str, data: bytes, file_name: str, *, sheet: str | None = None,
                     source: str | None = None, who: str = "unknown", dry_run: bool = False,
                     now: pd.Timestamp | None = None, keep_preview: bool = False,
                     preview_id: str | None = None) -> Plan:
    """Check a partner's file and (unless dry_run) replace the indicator's values for the periods it covers.

    A dry run with `keep_preview` keeps a record of the preview for one confirm (its id is the plan's
    preview_id). An import naming `preview_id` imports that preview once: any other import of it raises
    AlreadyImported, and one that does not match it (another file, measure, sheet or account) or that
    names no preview on record raises ImportFailed.

    Raises ImportFailed, leaving the store's tables byte-identical, on any problem.
    """
    name = Path(file_name).name
    digest = hashlib.sha256(data).hexdigest()
    indicator = _indicator_row(store.read("indicators"), indicator_id, store)
    parsed = parse_file(data, file_name, indicator, store_register(store), sheet)
    stamp = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    result: dict[str, Plan] = {}

    def change(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        claimed = None if dry_run or preview_id is None else _claim_preview(
            store, preview_id, tables["imports"], indicator_id=indicator_id, digest=digest, sheet=sheet, who=who,
            name=name)
        current = _indicator_row(tables["indicators"], indicator_id, store)
        for col in ("frequency", "geography", "coverage"):
            if current[col] != indicator[col]:
                raise ImportFailed([Problem(str(store.path("indicators")), None, col,
                                            f"{indicator_id}'s {col} changed while the file was read; import again")])
        plan, replaced = _plan(tables, current, parsed, name, digest)
        result["plan"] = plan
        if dry_run:
            if keep_preview:
                plan.preview_id = _keep_preview(store, indicator_id, digest, sheet, who)
            return {}
        imports = tables["imports"]
        plan.import_id = _next_import_id(imports)
        new = parsed.values.assign(indicator_id=indicator_id, import_id=plan.import_id)
        new = new[["indicator_id", "area_code", "period", "value", "import_id"]]
        record = pd.DataFrame([{
            "import_id": plan.import_id, "indicator_id": indicator_id, "file_name": name, "sha256": digest,
            "source": source or None, "imported_by": who,
            "imported_at": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), "rows": parsed.rows,
            "periods": ";".join(f"{p:%Y-%m-%d}" for p in plan.periods),
        }])
        indicators = tables["indicators"].copy()
        indicators.loc[indicators["indicator_id"] == indicator_id, "updated"] = stamp.tz_localize(None).normalize() \
            if stamp.tzinfo else stamp.normalize()
        if claimed is not None:
            path, kept = claimed
            _write_record(path, {**kept, "import_id": plan.import_id})
        figures = replace_observations(tables, new, replaced, by=plan.import_id, at=record.at[0, "imported_at"])
        return {
            "imports": pd.concat([imports, record], ignore_index=True) if len(imports) else record,
            "observations_replaced": figures["observations_replaced"],
            "indicators": indicators,
            "observations": figures["observations"],
        }

    update_store(store, change, user=who, kind="import-indicator", target=name,
                 detail=lambda: f"{indicator_id}: {len(result['plan'].periods)} period(s), {parsed.rows} rows")
    return result["plan"]


def import_file(store: Store, indicator_id: str, path: Path | str, **kwargs) -> Plan:
    """import_indicator for a file on disk (a missing or unreadable file raises ImportFailed)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed([Problem(str(path), None, FILE, f"cannot be read: {exc.strerror or exc}")]) from exc
    return import_indicator(store, indicator_id, data, str(path), **kwargs)
