"""Import data.police.uk street-level crime files into the store.

Input is any mix of ``*-street.csv`` files, gzipped ``*-street.csv.gz`` files, folders (searched
recursively for both) and data.police.uk ``.zip`` downloads (members ``YYYY-MM/YYYY-MM-<force>-
street.csv``; outcomes and stop-and-search members are ignored).

Every row is counted once, per crime type, area and month, as observations of the indicator
``police-uk-<crime type in lower case with hyphens>``. The area is the local area named by the LSOA
name without its last five characters ("Maidstone 001A" -> Maidstone), looked up in the store's area
register by name and alias, so that both LSOA vintages (2011 and 2021) and former names work. Rows
with no LSOA are counted under ``NO-LOCATION`` and rows in an LSOA outside the force area under the
register's outside area: nothing is dropped. Within the imported months, every crime type seen gets
a value for each local area, zero when there were no rows.

Only the files of the store's partnership's force are read (``police_force`` in its partnership
table, as in data.police.uk's names ``YYYY-MM-<force>-street.csv``): another force's file named on
the command line is refused, and other forces' files in a folder or zip download are skipped and
listed in the report.

All input is read and checked before the store is touched. Any problem (unreadable or corrupt
file, wrong columns, a row with the wrong number of fields, an impossible month, an empty crime
type, the same month supplied twice...) raises ``ImportFailed`` listing every problem as
``FILE:ROW: COLUMN: reason``, and the store is left byte-identical. A successful import replaces
every police.uk observation of the imported months, so importing a month again never doubles it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from kcsp import audit
from kcsp.areas import Register
from kcsp.importers.common import FILE_COLUMN, ImportFailed, Problems, replace_observations, writing
from kcsp.reference import read_reference, reference_tables, register, store_register
from kcsp.schema import TABLES
from kcsp.store import Commit, Problem, Store, as_text

COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
MONTH_COL = COLUMNS.index("Month")
LSOA_NAME_COL = COLUMNS.index("LSOA name")
CRIME_TYPE_COL = COLUMNS.index("Crime type")
FALLS_WITHIN_COL = COLUMNS.index("Falls within")

INDICATOR_PREFIX = "police-uk-"
NO_LOCATION = "NO-LOCATION"
STREET_SUFFIXES = ("-street.csv", "-street.csv.gz")
_FORCE_FILE = re.compile(r"(?:.*/)?\d{4}-\d{2}-([a-z0-9-]+)-street\.csv(?:\.gz)?", re.IGNORECASE)

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_LSOA_NAME = re.compile(r"(.*\S) [0-9]{3}[A-Z]")

NEW_INDICATOR_DEFAULTS = {
    "unit": "crimes",
    "polarity": "lower-is-better",
    "frequency": "monthly",
    "geography": "district",
    "disclosure": "open",
    "illustrative": "false",
    "licence": "Open Government Licence v3.0",
}
"""A new crime type's indicator: these, its force as source, the force area as coverage, and the
priority of the store's other police.uk measures."""
PROACTIVE_CRIME_TYPES = ("Drugs", "Possession of weapons")
"""Offences mostly found by police activity (stop and search, warrants): more recorded can mean more
found, not more committed, so their measures have no good direction."""
NEW_INDICATOR_CAVEATS = (
    "Street-level crimes and ASB incidents as published on data.police.uk, counted by the month "
    "recorded. About 1% of records have no location and a few are located outside {force_area}: "
    "they are counted separately and are not in the area totals. Locations are approximate "
    "(anonymised to a nearby point)."
)


@dataclass
class ImportReport:
    """What an import read and where every row was counted."""

    files: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_by_area: dict[str, int] = field(default_factory=dict)
    no_location: int = 0
    outside: int = 0
    force_area: str = "the force area"
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as lines of text, ending with the check that every row was counted."""
        if self.months:
            months = f"{self.months[0]} to {self.months[-1]} ({len(self.months)}): {', '.join(self.months)}"
        else:
            months = "none"
        width = max((len(name) for name in self.rows_by_area), default=0)
        in_areas = sum(self.rows_by_area.values())
        counted = in_areas + self.no_location + self.outside
        check = "every row counted" if counted == self.rows_read else "NOT every row counted"
        return [
            f"files read: {len(self.files)}",
            *(f"  {name}" for name in self.files),
            f"rows read: {self.rows_read}",
            f"months: {months}",
            "rows per district:",
            *(f"  {name + ':':<{width + 1}} {rows}" for name, rows in self.rows_by_area.items()),
            f"no location: {self.no_location}",
            f"outside {self.force_area}: {self.outside}",
            (f"{check}: {self.rows_read} = {in_areas} in the local areas"
             f" + {self.no_location} with no location + {self.outside} outside {self.force_area}"),
            *(f"skipped (another force's file): {name}" for name in self.skipped),
        ]


# ---------------------------------------------------------------------------------------------
# Finding the files
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Source:
    name: str
    load: Callable[[], bytes]  # raw bytes of the CSV (gzip already undone)


def _is_street_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.lower().endswith(STREET_SUFFIXES) and not base.startswith("._")


def _gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


class _Unreadable(Exception):
    """A file could not be read; the message is the reason given to the user."""


def _read_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Unreadable(f"cannot be read: {exc.strerror or exc}") from exc
    if path.name.lower().endswith(".gz"):
        try:
            return _gunzip(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise _Unreadable(f"is not a valid gzip file ({exc})") from exc
    return data


def _zip_member_loader(archive: Path, member: str) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            with zipfile.ZipFile(archive) as zf:
                data = zf.read(member)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
            raise _Unreadable(f"cannot be read from the zip file ({exc})") from exc
        if member.lower().endswith(".gz"):
            try:
                return _gunzip(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise _Unreadable(f"is not a valid gzip file ({exc})") from exc
        return data

    return load


def force_of(name: str) -> str | None:
    """The force a data.police.uk file name names (``2023-01-kent-street.csv`` -> kent), if any."""
    match = _FORCE_FILE.fullmatch(name.replace("\\", "/").rsplit("!", 1)[-1])
    return match.group(1).lower() if match else None


def _sources(paths: Sequence[Path | str], problems: Problems, force: str = "",
             skipped: list[str] | None = None) -> list[_Source]:
    found_all = _all_sources(paths, problems)
    given = {str(p) for p in paths}
    kept = []
    for source in found_all:
        other = force_of(source.name)
        if not force or other is None or other == force:
            kept.append(source)
        elif source.name in given:
            problems.add(Problem(source.name, None, FILE_COLUMN,
                                 f"is a file of the {other} force: this store's partnership reads {force}'s files"))
        elif skipped is not None:
            skipped.append(source.name)
    return kept


def _all_sources(paths: Sequence[Path | str], problems: Problems) -> list[_Source]:
    sources: list[_Source] = []
    for given in paths:
        path = Path(given)
        name = str(given)
        if not path.exists():
            problems.add(Problem(name, None, FILE_COLUMN, "does not exist"))
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _is_street_name(p.name))
            if not found:
                problems.add(Problem(name, None, FILE_COLUMN,
                                     "folder holds no *-street.csv or *-street.csv.gz file"))
            sources.extend(_Source(str(p), lambda p=p: _read_file(p)) for p in found)
        elif path.name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(path) as zf:
                    members = [i.filename for i in zf.infolist()
                               if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                               and _is_street_name(i.filename)]
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                problems.add(Problem(name, None, FILE_COLUMN, f"is not a valid zip file ({exc})"))
                continue
            if not members:
                problems.add(Problem(name, None, FILE_COLUMN,
                                     "zip file holds no *-street.csv or *-street.csv.gz file"))
            sources.extend(_Source(f"{name}!{m}", _zip_member_loader(path, m)) for m in sorted(members))
        else:
            sources.append(_Source(name, lambda p=path: _read_file(p)))
    return sources


# ---------------------------------------------------------------------------------------------
# Reading and checking
# ---------------------------------------------------------------------------------------------

def indicator_id(crime_type: str) -> str:
    """police-uk-<crime type in lower case, anything but letters and digits as hyphens>."""
    slug = re.sub(r"[^a-z0-9]+", "-", crime_type.lower()).strip("-")
    return INDICATOR_PREFIX + slug


def _decode(name: str, data: bytes, problems: Problems) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        problems.add(Problem(name, None, FILE_COLUMN, "file is empty"))
        return None
    if b"\x00" in data:
        problems.add(Problem(name, None, FILE_COLUMN,
                             "is not a text file (it holds NUL bytes: binary, or not UTF-8)"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        end = data.find(b"\n", exc.start)
        text = data[start:None if end < 0 else end].decode("utf-8", "replace")
        column = FILE_COLUMN
        fields = next(csv.reader([text]), [])
        for i, value in enumerate(fields[: len(COLUMNS)]):
            if "\ufffd" in value:
                column = COLUMNS[i]
                break
        problems.add(Problem(name, line, column,
                             f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)"))
        return None


def _check_header(name: str, header: list[str], problems: Problems) -> bool:
    if tuple(header) == COLUMNS:
        return True
    before = problems.total
    seen: set[str] = set()
    for i, col in enumerate(header, start=1):
        if col in seen:
            problems.add(Problem(name, 1, col, "column appears more than once"))
        elif col not in COLUMNS:
            problems.add(Problem(name, 1, col or f"(column {i})",
                                 "column is not expected in a police.uk street file"))
        seen.add(col)
    for col in COLUMNS:
        if col not in seen:
            problems.add(Problem(name, 1, col, "column is missing"))
    if problems.total == before:  # the right names, in the wrong order
        for i, (got, want) in enumerate(zip(header, COLUMNS, strict=True), start=1):
            if got != want:
                problems.add(Problem(name, 1, got, f"column is in position {i}; expected order: "
                                     + ", ".join(COLUMNS)))
                break
    return False


@dataclass
class _Tally:
    counts: Counter = field(default_factory=Counter)  # (indicator_id, area_code, month) -> rows
    crime_types: dict[str, str] = field(default_factory=dict)  # indicator_id -> first name seen
    month_file: dict[str, str] = field(default_factory=dict)  # month -> file it came from
    files: list[str] = field(default_factory=list)
    rows: int = 0
    forces: Counter = field(default_factory=Counter)  # "Falls within" -> rows


def _month_ok(value: str) -> bool:
    m = _MONTH.fullmatch(value)
    return bool(m) and 2000 <= int(m.group(1)) <= 2100 and 1 <= int(m.group(2)) <= 12


def _read_source(source: _Source, tally: _Tally, areas: dict[str, str], outside: str, problems: Problems) -> None:
    name = source.name
    try:
        data = source.load()
    except _Unreadable as exc:
        problems.add(Problem(name, None, FILE_COLUMN, str(exc)))
        return
    text = _decode(name, data, problems)
    if text is None:
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    counts: Counter = Counter()
    types: dict[str, str] = {}
    months: dict[str, int] = {}  # month -> first line it is on
    rows = 0
    file_ok = True
    try:
        header = next(reader)
        if not _check_header(name, header, problems):
            return
        line_end = reader.line_num
        blank_lines: list[int] = []
        for fields in reader:
            line, line_end = line_end + 1, reader.line_num
            if not fields:
                blank_lines.append(line)  # reported only when a row follows (trailing ones are harmless)
                continue
            for blank in blank_lines:
                problems.add(Problem(name, blank, FILE_COLUMN, "line is empty"))
                file_ok = False
            blank_lines = []
            if len(fields) != len(COLUMNS):
                column = COLUMNS[len(fields)] if len(fields) < len(COLUMNS) else COLUMNS[-1]
                more = "missing" if len(fields) < len(COLUMNS) else "followed by extra fields"
                problems.add(Problem(name, line, column,
                                     f"{more}: the row has {len(fields)} fields, expected {len(COLUMNS)}"))
                file_ok = False
                continue
            month = fields[MONTH_COL].strip()
            crime_type = fields[CRIME_TYPE_COL].strip()
            lsoa_name = fields[LSOA_NAME_COL].strip()
            row_ok = True
            if not _month_ok(month):
                problems.add(Problem(name, line, "Month",
                                     f"{month!r} is an impossible month (expected YYYY-MM)"))
                row_ok = False
            ind = indicator_id(crime_type)
            if not crime_type:
                problems.add(Problem(name, line, "Crime type", "is empty"))
                row_ok = False
            elif ind == INDICATOR_PREFIX:
                problems.add(Problem(name, line, "Crime type", f"{crime_type!r} has no letters or digits"))
                row_ok = False
            if not lsoa_name:
                area = NO_LOCATION
            else:
                match = _LSOA_NAME.fullmatch(lsoa_name)
                if match is None:
                    problems.add(Problem(name, line, "LSOA name",
                                         f"{lsoa_name!r} is not an LSOA name like 'Maidstone 001A'"))
                    row_ok = False
                    area = outside
                else:
                    area = areas.get(match.group(1)) or outside
            if not row_ok:
                file_ok = False
                continue
            rows += 1
            counts[(ind, area, month)] += 1
            if fields[FALLS_WITHIN_COL].strip():
                tally.forces[fields[FALLS_WITHIN_COL].strip()] += 1
            types.setdefault(ind, crime_type)
            months.setdefault(month, line)
    except csv.Error as exc:
        problems.add(Problem(name, reader.line_num, FILE_COLUMN, f"cannot be read as CSV ({exc})"))
        return
    except StopIteration:  # pragma: no cover - an empty text is caught by _decode
        return
    if not file_ok:
        return
    if rows == 0:
        problems.add(Problem(name, None, FILE_COLUMN, "no data rows (the file holds only its header)"))
        return
    duplicate = False
    for month, line in sorted(months.items()):
        other = tally.month_file.get(month)
        if other is not None:
            problems.add(Problem(name, line, "Month",
                                 f"{month} is also in {other}: the same month twice would be counted twice"))
            duplicate = True
    if duplicate:
        return
    for month in months:
        tally.month_file[month] = name
    tally.counts.update(counts)
    for ind, crime_type in types.items():
        tally.crime_types.setdefault(ind, crime_type)
    tally.files.append(name)
    tally.rows += rows


class _LsoaNames(dict):
    """The local area an LSOA name's place part names, through the register's one resolver (kcsp.areas),
    remembered per name; None for a place outside the partnership's local areas."""

    def __init__(self, register: Register):
        super().__init__()
        self.register = register
        self.local = set(register.local_codes(None))

    def get(self, name: str, default=None):
        if name not in self:
            code = self.register.resolve(name)
            self[name] = code if code in self.local else None
        return self[name]


def read_police_uk(paths: Sequence[Path | str], areas: Register | None = None) -> tuple[pd.DataFrame, ImportReport]:
    """Read and check every input; return the observations and the report, or raise ImportFailed.

    The frame has columns indicator_id, area_code, period (first day of the month) and value (the
    number of rows). Every crime type seen has a value, possibly 0, for each local area of the
    register (default: the default partnership's) in each month read; NO-LOCATION and the outside
    area appear where they have rows.
    """
    frame, report, _, _ = _read(paths, areas or register())
    return frame, report


def _read(paths: Sequence[Path | str], areas: Register) -> tuple[pd.DataFrame, ImportReport, dict[str, str], str]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    problems = Problems()
    if not paths:
        problems.add(Problem("(import)", None, "PATH", "no file, folder or zip file was given"))
        problems.raise_if_any()
    skipped: list[str] = []
    sources = _sources(paths, problems, areas.partnership["police_force"], skipped)
    names = _LsoaNames(areas)
    tally = _Tally()
    for source in sources:
        _read_source(source, tally, names, _outside_code(areas), problems)
    problems.raise_if_any()

    months = sorted(tally.month_file)
    valid = {month: areas.local_codes(pd.Timestamp(f"{month}-01")) for month in months}
    local = [(c, areas.area_name(c)) for c in areas.local_codes(None) if any(c in v for v in valid.values())]
    counts = dict(tally.counts)
    for ind in tally.crime_types:
        for month in months:
            for code in valid[month]:
                counts.setdefault((ind, code, month), 0)
    keys = sorted(counts)
    frame = pd.DataFrame(
        {
            "indicator_id": pd.Series([k[0] for k in keys], dtype="str"),
            "area_code": pd.Series([k[1] for k in keys], dtype="str"),
            "period": pd.to_datetime([k[2] for k in keys], format="%Y-%m").astype("datetime64[ns]"),
            "value": pd.Series([counts[k] for k in keys], dtype="int64"),
        }
    )
    by_code: Counter = Counter()
    for (_, code, _), n in tally.counts.items():
        by_code[code] += n
    report = ImportReport(
        files=list(tally.files),
        months=months,
        rows_read=tally.rows,
        rows_by_area={area_name: by_code.get(code, 0) for code, area_name in local},
        no_location=by_code.get(NO_LOCATION, 0),
        outside=by_code.get(_outside_code(areas), 0),
        force_area=areas.force_area_name,
        skipped=skipped,
    )
    force = tally.forces.most_common(1)[0][0] if tally.forces else areas.partnership["police_force"]
    return frame, report, dict(tally.crime_types), force


# ---------------------------------------------------------------------------------------------
# Writing into the store
# ---------------------------------------------------------------------------------------------

def _new_indicator(ind: str, crime_type: str, indicators: pd.DataFrame, areas: Register,
                   force: str) -> dict[str, object]:
    known = _known_indicators(areas)
    match = known[known["indicator_id"] == ind]
    if len(match):
        return {k: (None if pd.isna(v) else v) for k, v in match.iloc[0].to_dict().items()}
    police = indicators[indicators["indicator_id"].str.startswith(INDICATOR_PREFIX).fillna(False).astype(bool)]
    mode = police["priority_id"].mode()
    priority = str(mode.iloc[0]) if len(mode) else None
    row: dict[str, object] = {c: None for c in TABLES["indicators"].column_names}
    row.update(NEW_INDICATOR_DEFAULTS)
    row.update(
        indicator_id=ind,
        priority_id=priority,
        name=f"{crime_type} (police recorded)",
        source=f"{force} via data.police.uk",
        coverage=areas.slug(areas.force_code) or "force-area",
        notes=(f"Street-level records of '{crime_type}' from the {force} file on data.police.uk, "
               "counted per local area (from the LSOA name) and month."),
        caveats=NEW_INDICATOR_CAVEATS.format(force_area=areas.force_area_name),
    )
    if crime_type in PROACTIVE_CRIME_TYPES:
        row["polarity"] = "no-judgement"
    return row


def _known_indicators(areas: Register) -> pd.DataFrame:
    """The default partnership folder's indicator definitions, for its own stores (a measure its folder
    defines keeps that definition when the store has lost it); none for another partnership's store."""
    if areas.partnership["partnership_id"] != register().partnership["partnership_id"]:
        return pd.DataFrame(columns=TABLES["indicators"].column_names)
    return read_reference("indicators")


def _outside_code(areas: Register) -> str:
    """The area rows outside the force area are counted under: the register's, or for a store whose
    areas table has lost it, its partnership folder's (so the problem names the code to restore)."""
    if areas.unallocated() and areas.outside_code in areas.unallocated():
        return areas.outside_code
    default = register()
    same = areas.partnership["partnership_id"] == default.partnership["partnership_id"]
    return default.outside_code if same else areas.outside_code


def _store_problem(store: Store, table: str, column: str, reason: str) -> Problem:
    return Problem(str(store.path(table)), None, column, reason)


def import_police_uk(store: Store, paths: Sequence[Path | str], *,
                     today: pd.Timestamp | date | str | None = None) -> ImportReport:
    """Read and check every input, then replace the imported months' police.uk values in the store.

    The store is changed under its lock in one read-modify-write. A store folder with no tables
    starts from the reference tables. Raises ImportFailed (store untouched) on any problem.
    """
    areas = store_register(store) if store.exists() else register()
    frame, report, crime_types, force = _read(paths, areas)
    stamp = (pd.Timestamp.today() if today is None else pd.Timestamp(today)).normalize()
    updated = stamp.strftime("%Y-%m-%d")
    periods = pd.DatetimeIndex(frame["period"].unique())
    imported = sorted(crime_types)

    def change(current: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        missing = [name for name in TABLES if name not in current]
        filled: dict[str, pd.DataFrame] = {}
        if missing:
            start = reference_tables(stamp)
            filled = {name: start[name] for name in missing}
        tables = {**current, **filled}

        problems = []
        codes = set(tables["areas"]["area_code"].dropna())
        for code in sorted(set(frame["area_code"]) - codes):
            problems.append(_store_problem(store, "areas", "area_code",
                                           f"{code} is not in the areas table, so its rows cannot be stored"))

        indicators = as_text(tables["indicators"])
        have = set(indicators["indicator_id"])
        new_rows = [_new_indicator(ind, crime_types[ind], indicators, areas, force) for ind in imported
                    if ind not in have]
        if new_rows:
            added = pd.DataFrame(new_rows, columns=indicators.columns, dtype=object)
            indicators = pd.concat([indicators, added], ignore_index=True)
        priorities = set(tables["priorities"]["priority_id"].dropna())
        for row in new_rows:
            if row["priority_id"] not in priorities:
                problems.append(_store_problem(store, "priorities", "priority_id",
                                               f"{row['priority_id']} (for {row['indicator_id']}) "
                                               "is not in the priorities table"))
        if problems:
            raise ImportFailed(problems)
        police = indicators["indicator_id"].str.startswith(INDICATOR_PREFIX).fillna(False).astype(bool)
        indicators.loc[police, "updated"] = updated

        observations = tables["observations"]
        replaced = (observations["indicator_id"].astype("str").str.startswith(INDICATOR_PREFIX)
                    & pd.to_datetime(observations["period"]).isin(periods))
        figures = replace_observations(tables, frame, replaced, by="import police-uk", at=audit.timestamp())

        out = {name: frame_ for name, frame_ in filled.items() if name not in ("indicators", "observations")}
        out["observations_replaced"] = figures["observations_replaced"]  # the log first, then what it explains
        out["indicators"] = indicators  # before observations: a kill between the renames stays consistent
        out["observations"] = figures["observations"]
        return out

    def change_and_record(current: dict[str, pd.DataFrame]) -> Commit:
        detail = f"{len(report.months)} month(s) {', '.join(report.months)}; {report.rows_read} rows"
        note = audit.entry(current["audit"], audit.cli_user(), "import-police-uk", ", ".join(report.files)[:300],
                           detail, audit.timestamp())
        return Commit({"audit": note}, change(current))

    with writing(store):
        store.commit(change_and_record, reading=tuple(TABLES))
    return report

