"""The store: a folder with one file per table, validated on every load and every write.

Reads are cached per file and refreshed when the file changes on disk, so a running app sees an
import without a restart. Writes validate first, then go to a temporary file that is renamed over
the old one, all under a cross-process file lock: readers never see a torn file and concurrent
writers (several gunicorn workers, an import) are serialised.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from filelock import FileLock

from kcsp.schema import FOREIGN_KEYS, TABLES, Table

LOCK_TIMEOUT_S = 60
LOCK_POLL_S = 0.01


@dataclass(frozen=True)
class Problem:
    """One reason a file or a row was rejected, printed as FILE:ROW: COLUMN: reason."""

    file: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        row = "" if self.row is None else self.row
        return f"{self.file}:{row}: {self.column}: {self.reason}"


class StoreError(Exception):
    """Raised when a table is missing or does not match its schema."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _to_bool(values: pd.Series) -> pd.Series:
    mapping = {"true": True, "false": False, "1": True, "0": False}
    return values.str.strip().str.lower().map(mapping)


def coerce(frame: pd.DataFrame, table: Table, *, filename: str, row_offset: int) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert raw columns to the schema's types, reporting every value that cannot be read."""
    problems: list[Problem] = []
    present = list(frame.columns)
    expected = table.column_names
    optional = {c.name for c in table.columns if not c.required}
    missing = [c for c in expected if c not in present and c not in optional]
    frame = frame.assign(**{c: None for c in expected if c not in present and c in optional})
    extra = [c for c in present if c not in expected]
    for name in missing:
        problems.append(Problem(filename, None, name, "column is missing"))
    for name in extra:
        problems.append(Problem(filename, None, str(name), "column is not in the schema"))
    if problems:
        return frame, problems
    out = {}
    for col in table.columns:
        raw = frame[col.name]
        is_blank = raw.isna() | (raw.astype("str").str.strip() == "")
        text = raw.astype("str").where(~is_blank, None)
        if col.kind in ("str", "datetime"):
            converted = pd.Series(text, dtype="str").where(~is_blank, None)
            reason = ""
        elif col.kind == "int":
            num = pd.to_numeric(raw, errors="coerce")
            whole = num.notna() & (num == num.round())
            converted = num.where(whole).astype("Float64").astype("Int64")
            reason = "is not a whole number"
        elif col.kind == "float":
            converted = pd.to_numeric(raw, errors="coerce").astype("Float64")
            reason = "is not a number"
        elif col.kind == "bool":
            converted = raw if raw.dtype == bool else _to_bool(raw.astype("str"))
            converted = converted.astype("boolean")
            reason = "is not true or false"
        elif col.kind == "date":
            if pd.api.types.is_datetime64_any_dtype(raw):
                converted = raw.astype("datetime64[ns]")
            else:
                converted = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
            reason = "is not a date (YYYY-MM-DD)"
        else:
            raise ValueError(f"unknown kind {col.kind}")
        if reason:
            bad = converted.isna() & ~is_blank
            for idx in frame.index[bad.to_numpy()][:20]:
                problems.append(Problem(filename, int(idx) + row_offset, col.name, f"{raw[idx]!r} {reason}"))
        out[col.name] = converted
    result = pd.DataFrame(out, index=frame.index)
    return result, problems


def check(frame: pd.DataFrame, table: Table, *, filename: str, row_offset: int) -> list[Problem]:
    """Validate a typed frame against the table's pandera schema and uniqueness rules."""
    problems: list[Problem] = []
    try:
        table.pandera().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        for case in cases.head(50).itertuples():
            idx = case.index
            row = None if pd.isna(idx) else int(idx) + row_offset
            column = case.column if isinstance(case.column, str) else table.name
            check_name = str(case.check)
            if "uniqueness" in check_name or "duplicates" in check_name:
                reason = f"duplicate key ({', '.join(table.key)}): {case.failure_case!r}"
            elif "not_nullable" in check_name:
                reason = "is empty but required"
            elif "dtype" in check_name:
                reason = f"has the wrong type ({case.failure_case})"
            else:
                reason = f"{case.failure_case!r} {check_name}"
            problems.append(Problem(filename, row, column, reason))
    for cols in table.also_unique:
        dup = frame.duplicated(list(cols), keep="first")
        for idx in frame.index[dup.to_numpy()][:20]:
            values = ", ".join(str(frame.at[idx, c]) for c in cols)
            problems.append(Problem(filename, int(idx) + row_offset, cols[0], f"duplicate ({values})"))
    return problems


def prepare(frame: pd.DataFrame, table: Table, *, filename: str | None = None) -> pd.DataFrame:
    """Type and validate a frame about to be written; raise StoreError listing every problem."""
    name = filename or table.filename
    frame = frame.reset_index(drop=True)
    typed, problems = coerce(frame, table, filename=name, row_offset=1)
    if not problems:
        problems = check(typed, table, filename=name, row_offset=1)
    if problems:
        raise StoreError(problems)
    return typed.sort_values(list(table.key), kind="stable").reset_index(drop=True)


def read_table_file(path: Path, table: Table) -> pd.DataFrame:
    """Read and validate one table file; raise StoreError naming the file, row and column."""
    name = str(path)
    if not path.exists():
        raise StoreError([Problem(name, None, table.name, "file is missing")])
    try:
        if table.fmt == "parquet":
            raw = pd.read_parquet(path)
            offset = 1
        else:
            raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8")
            offset = 2
    except Exception as exc:
        raise StoreError([Problem(name, None, table.name, f"cannot be read: {exc}")]) from exc
    typed, problems = coerce(raw, table, filename=name, row_offset=offset)
    if not problems:
        problems = check(typed, table, filename=name, row_offset=offset)
    if problems:
        raise StoreError(problems)
    return typed


def _csv_text(frame: pd.DataFrame, table: Table, *, header: bool = True) -> str:
    out = frame.copy()
    for col in table.columns:
        if col.kind == "date":
            out[col.name] = out[col.name].dt.strftime("%Y-%m-%d")
        elif col.kind == "bool":
            out[col.name] = out[col.name].map({True: "true", False: "false"})
    return out.to_csv(index=False, header=header, lineterminator="\n")


def _serialise(frame: pd.DataFrame, table: Table, path: Path) -> None:
    if table.fmt == "parquet":
        frame.to_parquet(path, index=False)
        return
    path.write_text(_csv_text(frame, table), encoding="utf-8")


class Store:
    """A store folder. Safe to share between threads; writes are serialised across processes."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._cache: dict[str, tuple[tuple[int, int, int], pd.DataFrame]] = {}
        self._guard = threading.Lock()

    def path(self, name: str) -> Path:
        return self.root / TABLES[name].filename

    def lock(self) -> FileLock:
        self.root.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.root / ".write.lock"), timeout=LOCK_TIMEOUT_S, poll_interval=LOCK_POLL_S)

    def _stamp(self, name: str) -> tuple[int, int, int] | None:
        try:
            st = self.path(name).stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def version(self) -> tuple:
        """Changes whenever any table file changes: a cheap key for derived caches."""
        return tuple(self._stamp(name) for name in TABLES)

    def read(self, name: str) -> pd.DataFrame:
        """The table as a typed, validated DataFrame (cached until its file changes)."""
        stamp = self._stamp(name)
        with self._guard:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == stamp:
                return hit[1]
        frame = read_table_file(self.path(name), TABLES[name])
        with self._guard:
            self._cache[name] = (stamp, frame)
        return frame

    def read_all(self) -> dict[str, pd.DataFrame]:
        return {name: self.read(name) for name in TABLES}

    def exists(self) -> bool:
        return all(self.path(name).exists() for name in TABLES)

    def write(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Validate every given table, then replace their files, in the order given, under the lock."""
        prepared = {name: prepare(frame, TABLES[name]) for name, frame in tables.items()}
        with self.lock():
            self._replace(prepared)

    def update(self, change: Callable[[dict[str, pd.DataFrame]], Mapping[str, pd.DataFrame]]) -> None:
        """Read-modify-write under the lock: change() gets the current tables and returns new ones."""
        with self.lock():
            current = {name: read_table_file(self.path(name), TABLES[name]) for name in TABLES
                       if self.path(name).exists()}
            new = change(current)
            prepared = {name: prepare(frame, TABLES[name]) for name, frame in new.items()}
            self._replace(prepared)

    def append(self, name: str, make_rows: Callable[[dict[str, pd.DataFrame]], pd.DataFrame], *,
               reading: Iterable[str] = ()) -> pd.DataFrame:
        """Add rows to one table under the lock, leaving the rows already there untouched.

        make_rows gets the table `name` and the tables named in `reading`, as they are on disk while
        the lock is held, and returns the rows to add (or raises, and nothing is written). Only the
        new rows are validated, plus the table's keys against the existing rows, so an append costs
        little more than reading the tables it needs. The file is replaced atomically by one holding
        the old rows byte for byte followed by the new ones. Returns the typed new rows.
        """
        table = TABLES[name]
        with self.lock():
            current = {n: self.read(n) for n in (name, *reading)}
            existing = current[name]
            added = prepare(make_rows(current), table)
            if added.empty:
                return added
            problems = []
            for cols in (table.key, *table.also_unique):
                keys = pd.concat([existing[list(cols)], added[list(cols)]], ignore_index=True)
                clash = keys.duplicated(keep="first").iloc[len(existing):]
                for idx in clash[clash].index[:20]:
                    values = ", ".join(str(keys.at[idx, c]) for c in cols)
                    problems.append(Problem(str(self.path(name)), int(idx) - len(existing) + 1, cols[0],
                                            f"duplicate ({values}) of a stored row"))
            if problems:
                raise StoreError(problems)
            if table.fmt == "parquet":
                self._replace({name: pd.concat([existing, added], ignore_index=True)})
                return added
            old = self.path(name).read_bytes()
            if old and not old.endswith(b"\n"):
                old += b"\n"
            new = _csv_text(added, table, header=False).encode("utf-8")
            self._replace_bytes(name, old + new)
            combined = pd.concat([existing, added], ignore_index=True)
            with self._guard:
                self._cache[name] = (self._stamp(name), combined)
        return added

    def _replace(self, prepared: Mapping[str, pd.DataFrame]) -> None:
        for name, frame in prepared.items():
            self._write_atomically(name, lambda path, frame=frame, table=TABLES[name]: _serialise(frame, table, path))
        _fsync_dir(self.root)

    def _replace_bytes(self, name: str, content: bytes) -> None:
        self._write_atomically(name, lambda path: path.write_bytes(content))
        _fsync_dir(self.root)

    def _write_atomically(self, name: str, write: Callable[[Path], None]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.root)
        os.close(fd)
        try:
            write(Path(tmp))
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.path(name))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def validate(self) -> list[Problem]:
        """Every problem in every table, including references between tables."""
        problems: list[Problem] = []
        frames: dict[str, pd.DataFrame] = {}
        for name, table in TABLES.items():
            try:
                frames[name] = read_table_file(self.path(name), table)
            except StoreError as err:
                problems.extend(err.problems)
        for child, col, parent, pcol in FOREIGN_KEYS:
            if child not in frames or parent not in frames:
                continue
            known = set(frames[parent][pcol].dropna())
            values = frames[child][col]
            bad = values.notna() & ~values.isin(known)
            offset = 1 if TABLES[child].fmt == "parquet" else 2
            for idx in frames[child].index[bad.to_numpy()][:20]:
                problems.append(Problem(str(self.path(child)), int(idx) + offset, col,
                                        f"{values[idx]!r} is not in {parent}.{pcol}"))
        return problems


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
