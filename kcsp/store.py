"""The store: a folder with one file per table, validated on every load and every write.

Reads are cached per file and refreshed when the file changes on disk, so a running app sees an
import without a restart. Writes validate first, then go to a temporary file that is renamed over
the old one, all under a cross-process file lock: readers never see a torn file and concurrent
writers (several gunicorn workers, an import) are serialised.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from filelock import FileLock, Timeout

from kcsp.schema import FOREIGN_KEYS, LIST_REFERENCES, TABLES, VERSIONED_TABLES, Table

# Shorter than gunicorn's worker timeout (gunicorn.conf.py), so a request waiting for the lock ends
# with a clear "busy, try again" (web.security) rather than a killed worker.
LOCK_TIMEOUT_S = 20
LOCK_POLL_S = 0.01


@dataclass(frozen=True)
class Problem:
    """One reason a file or a row was rejected, printed as FILE:ROW: COLUMN: reason.

    `value` is the offending cell as written (quoted), kept apart from the reason: the command line
    shows it before the reason, the web never does (`public`), since a cell may be restricted text.
    """

    file: str
    row: int | None
    column: str
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        row = "" if self.row is None else self.row
        reason = self.reason if self.value is None else f"{self.value} {self.reason}"
        return f"{self.file}:{row}: {self.column}: {reason}"

    def public(self, *, full_path: bool = False) -> str:
        """FILE:ROW: COLUMN: reason without the cell value (and with the file's name only, unless
        `full_path`): what a web page or a log may show."""
        row = "" if self.row is None else self.row
        file = self.file if full_path else Path(self.file).name
        return f"{file}:{row}: {self.column}: {self.reason}"


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
    for col in table.columns:
        if col.default is not None and col.name not in present:
            frame = frame.assign(**{col.name: col.default})
        elif col.default is not None:
            blank = frame[col.name].isna() | (frame[col.name].astype("str").str.strip() == "")
            if blank.any():
                frame = frame.assign(**{col.name: frame[col.name].astype(object).where(~blank, col.default)})
    present = list(frame.columns)
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
    frame = frame[expected]
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
                problems.append(Problem(filename, int(idx) + row_offset, col.name, reason, repr(raw[idx])))
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
            value = repr(case.failure_case)
            if "uniqueness" in check_name or "duplicates" in check_name:
                reason = f"is a duplicate key ({', '.join(table.key)})"
            elif "not_nullable" in check_name:
                reason, value = "is empty but required", None
            elif "dtype" in check_name:
                reason, value = f"has the wrong type ({case.failure_case})", None
            else:
                reason = check_name
            problems.append(Problem(filename, row, column, reason, value))
    for cols in table.also_unique:
        dup = frame.duplicated(list(cols), keep="first")
        for idx in frame.index[dup.to_numpy()][:20]:
            values = ", ".join(str(frame.at[idx, c]) for c in cols)
            problems.append(Problem(filename, int(idx) + row_offset, cols[0],
                                    f"is a duplicate of an earlier row ({', '.join(cols)})", f"({values})"))
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
    if not path.exists() and table.optional:
        return empty_frame(table)
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
        raise StoreError([Problem(name, None, table.name, f"cannot be read ({type(exc).__name__})",
                                  f"{exc}:")]) from exc
    return _typed(raw, table, name, offset)


def table_from_text(text: str, table: Table, *, filename: str) -> pd.DataFrame:
    """A CSV table's file content (as kept in reference_versions) read and validated as the file would be."""
    try:
        raw = pd.read_csv(io.StringIO(text), dtype="str", keep_default_na=False, na_values=[""])
    except Exception as exc:
        raise StoreError([Problem(filename, None, table.name, f"cannot be read ({type(exc).__name__})",
                                  f"{exc}:")]) from exc
    return _typed(raw, table, filename, 2)


def _typed(raw: pd.DataFrame, table: Table, name: str, offset: int) -> pd.DataFrame:
    typed, problems = coerce(raw, table, filename=name, row_offset=offset)
    if not problems:
        problems = check(typed, table, filename=name, row_offset=offset)
    if problems:
        raise StoreError(problems)
    return typed


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A typed table as text cells (dates YYYY-MM-DD, booleans true/false, blanks None), as the store
    reads CSV: rows of text can then be set or added, and prepare() types the result again."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            text = col.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(col):
            text = col.map({True: "true", False: "false"})
        else:
            text = col
        out[name] = pd.Series(text.astype(object).where(text.notna(), None), index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def empty_frame(table: Table) -> pd.DataFrame:
    """A table with no rows, typed as its schema says."""
    return pd.DataFrame({c.name: pd.Series(dtype=_EMPTY_DTYPES[c.kind]) for c in table.columns})


_EMPTY_DTYPES = {"str": "str", "datetime": "str", "int": "Int64", "float": "Float64", "bool": "boolean",
                 "date": "datetime64[ns]"}


@dataclass(frozen=True)
class Commit:
    """What one write does: rows added to tables (old rows kept byte for byte) and whole tables replaced.

    Tables are written in the order given, appends first: put the record of what happened (a log)
    before the tables it explains.
    """

    append: Mapping[str, pd.DataFrame]
    replace: Mapping[str, pd.DataFrame]


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
        return all(self.path(name).exists() for name, table in TABLES.items() if not table.optional)

    def write(self, tables: Mapping[str, pd.DataFrame]) -> None:
        """Validate every given table, then replace their files, in the order given, under the lock."""
        prepared = {name: prepare(frame, TABLES[name]) for name, frame in tables.items()}
        with self.lock():
            self._check_bodies(prepared)
            self._keep_versions(prepared)
            self._replace(prepared)

    def update(self, change: Callable[[dict[str, pd.DataFrame]], Mapping[str, pd.DataFrame]]) -> None:
        """Read-modify-write under the lock: change() gets the current tables and returns new ones."""
        self.commit(lambda current: Commit({}, change(current)), reading=tuple(TABLES))

    def append(self, name: str, make_rows: Callable[[dict[str, pd.DataFrame]], pd.DataFrame], *,
               reading: Iterable[str] = ()) -> pd.DataFrame:
        """Add rows to one table under the lock, leaving the rows already there untouched.

        make_rows gets the table `name` and the tables named in `reading`, as they are on disk while
        the lock is held, and returns the rows to add (or raises, and nothing is written). Only the
        new rows are validated, plus the table's keys against the existing rows, so an append costs
        little more than reading the tables it needs. The file is replaced atomically by one holding
        the old rows byte for byte followed by the new ones. Returns the typed new rows.
        """
        done = self.commit(lambda current: Commit({name: make_rows(current)}, {}), reading=(name, *reading))
        return done[name]

    def commit(self, change: Callable[[dict[str, pd.DataFrame]], Commit], *,
               reading: Iterable[str]) -> dict[str, pd.DataFrame]:
        """One write under the lock: change() gets the tables in `reading` as they are on disk (those
        missing from a new store folder are left out) and
        returns a Commit (or raises, and nothing is written). Everything is validated before any
        file is replaced. Returns the typed rows added (by table) and the typed tables replaced."""
        with self.lock():
            current = {n: self.read(n) for n in reading if TABLES[n].optional or self.path(n).exists()}
            planned = change(current)
            added = {n: self._check_append(n, self.read(n), rows) for n, rows in planned.append.items()}
            replaced = {n: prepare(frame, TABLES[n]) for n, frame in planned.replace.items()}
            self._check_bodies({**replaced, **({"meetings": added["meetings"]} if "meetings" in added else {})})
            for n, rows in added.items():
                if not rows.empty:
                    self._append_rows(n, self.read(n), rows)
            self._keep_versions(replaced)
            self._replace(replaced)
        return {**added, **replaced}

    def _check_bodies(self, writing: Mapping[str, pd.DataFrame]) -> None:
        """Meetings written must be of a body in the bodies table (when the store has one). Under the lock."""
        if "meetings" not in writing:
            return
        bodies = writing["bodies"] if "bodies" in writing else self.read("bodies")
        if not len(bodies):
            return
        known = set(bodies["body"])
        meetings = writing["meetings"]
        bad = meetings.index[~meetings["body"].isin(known)]
        if len(bad):
            raise StoreError([Problem(TABLES["meetings"].filename, int(i) + 2, "body",
                                      f"must be one of {', '.join(sorted(known))}", repr(meetings.at[i, "body"]))
                              for i in bad[:20]])

    def _keep_versions(self, replacing: Mapping[str, pd.DataFrame]) -> None:
        """Before reference tables are replaced, append the content of each that changes to
        reference_versions (the history kcsp.history rebuilds earlier dates from). Called under the lock."""
        changed = []
        for name in VERSIONED_TABLES:
            if name not in replacing or not self.path(name).exists():
                continue
            old = self.read(name)
            if old.reset_index(drop=True).equals(replacing[name].reset_index(drop=True)):
                continue
            changed.append(name)
        if not changed:
            return
        existing = self.read("reference_versions")
        numbers = existing["version_id"].str.slice(1).astype("int64")
        first = (int(numbers.max()) if len(numbers) else 0) + 1
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows = pd.DataFrame([{"version_id": f"V{first + i:06d}", "table": name, "replaced_at": at,
                              "content": self.path(name).read_text(encoding="utf-8")}
                             for i, name in enumerate(changed)], columns=TABLES["reference_versions"].column_names)
        self._append_rows("reference_versions", existing, self._check_append("reference_versions", existing, rows))

    def _check_append(self, name: str, existing: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        table = TABLES[name]
        added = prepare(rows, table)
        problems = []
        for cols in (table.key, *table.also_unique):
            keys = pd.concat([existing[list(cols)], added[list(cols)]], ignore_index=True)
            clash = keys.duplicated(keep="first").iloc[len(existing):]
            for idx in clash[clash].index[:20]:
                values = ", ".join(str(keys.at[idx, c]) for c in cols)
                problems.append(Problem(str(self.path(name)), int(idx) - len(existing) + 1, cols[0],
                                        "is a duplicate of a stored row", f"({values})"))
        if problems:
            raise StoreError(problems)
        return added

    def _append_rows(self, name: str, existing: pd.DataFrame, added: pd.DataFrame) -> None:
        table = TABLES[name]
        combined = pd.concat([existing, added], ignore_index=True) if len(existing) else added
        if table.fmt == "parquet" or not self.path(name).exists():
            self._replace({name: combined})
            return
        old = self.path(name).read_bytes()
        if old and not old.endswith(b"\n"):
            old += b"\n"
        new = _csv_text(added, table, header=False).encode("utf-8")
        self._replace_bytes(name, old + new)
        with self._guard:
            self._cache[name] = (self._stamp(name), combined)

    def _replace(self, prepared: Mapping[str, pd.DataFrame]) -> None:
        if not prepared:
            return
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

    def remove_stale_temporary_files(self) -> list[Path]:
        """Delete temporary files left by a write that was killed (they are never read).

        Runs only when the write lock is free at once: holding it, no write is in progress, so
        every temporary file found is stale. Returns the files removed.
        """
        if not self.root.is_dir():
            return []
        lock = FileLock(str(self.root / ".write.lock"), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            return []
        try:
            stale = [p for name in TABLES for p in self.root.glob(f".{name}.*.tmp")]
            for path in stale:
                path.unlink(missing_ok=True)
        finally:
            lock.release()
        return stale

    def validate(self) -> list[Problem]:
        """Every problem in every table, including references between tables."""
        problems: list[Problem] = []
        frames: dict[str, pd.DataFrame] = {}
        for name, table in TABLES.items():
            try:
                frames[name] = read_table_file(self.path(name), table)
            except StoreError as err:
                problems.extend(err.problems)
        problems += reference_problems(frames, lambda name: str(self.path(name)))
        return problems


def reference_problems(frames: Mapping[str, pd.DataFrame], file_of: Callable[[str], str],
                       row_of: Callable[[str, int], int] | None = None) -> list[Problem]:
    """Every value that refers to a row another table does not have (FOREIGN_KEYS, LIST_REFERENCES).

    `file_of` names the file a table came from and `row_of(table, index)` the row a user sees
    (default: the line in the table's stored file).
    """
    def row(name: str, idx: int) -> int:
        if row_of is not None:
            return row_of(name, idx)
        return int(idx) + (1 if TABLES[name].fmt == "parquet" else 2)

    problems: list[Problem] = []
    for child, col, parent, pcol in FOREIGN_KEYS:
        if child not in frames or parent not in frames:
            continue
        known = set(frames[parent][pcol].dropna())
        values = frames[child][col]
        bad = values.notna() & ~values.isin(known)
        for idx in frames[child].index[bad.to_numpy()][:20]:
            problems.append(Problem(file_of(child), row(child, idx), col, f"is not in {parent}.{pcol}",
                                    repr(values[idx])))
    for child, col, parent, pcol in LIST_REFERENCES:
        if child not in frames or parent not in frames:
            continue
        known = set(frames[parent][pcol].dropna()) | ({"all"} if col == "areas" else set())
        for idx, value in frames[child][col].dropna().items():
            unknown = [v for v in str(value).split(";") if v and v not in known]
            if unknown:
                problems.append(Problem(file_of(child), row(child, idx), col, f"is not in {parent}.{pcol}",
                                        repr(unknown[0])))
    if "indicators" in frames and "areas" in frames:
        areas = frames["areas"]
        totals = areas.loc[areas["area_type"].isin(["county", "force"]), "area_slug"].dropna()
        allowed = {"county", "force-area", *totals}
        coverage = frames["indicators"]["coverage"]
        for idx in frames["indicators"].index[(coverage.notna() & ~coverage.isin(allowed)).to_numpy()][:20]:
            problems.append(Problem(file_of("indicators"), row("indicators", idx), "coverage",
                                    f"must be one of {', '.join(sorted(allowed))}", repr(coverage[idx])))
    return problems


def write_file_atomically(path: Path, data: bytes) -> None:
    """Write a file that is not a table (a published pack, a preview record) as tables are written: to a
    temporary file beside it, flushed to disk, then renamed over it. Call it holding the store's lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
