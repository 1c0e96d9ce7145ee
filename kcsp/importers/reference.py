"""Bring edited reference tables into an existing store: ``python -m kcsp import reference --store DIR
FOLDER``.

FOLDER (a partnership folder, data/partnerships/<id>/) holds any of partnership.csv, bodies.csv,
areas.csv, priorities.csv, themes.csv, indicators.csv, series_breaks.csv and meetings.csv, in the
columns of the store's own tables. Each file is checked
against its schema, then merged into the store's table by key: a row in the file is added or
replaces the stored row with its key, and a stored row the file does not have is kept, so nothing
the store refers to can disappear. A priority missing from priorities.csv is kept as a past priority
(``current`` false), with its actions and history. The merged tables are checked against every table
that refers to them (observations, actions, updates, indicators...) and written in one locked write
with an audit entry; observations, actions and updates are never touched. Any problem: ImportFailed
(FILE:ROW: COLUMN: reason) and the store byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kcsp import audit
from kcsp.importers.common import FILE_COLUMN, ImportFailed, Problems, writing
from kcsp.schema import TABLES
from kcsp.store import Commit, Problem, Store, as_text, check, coerce, prepare, reference_problems

IMPORTED = ("partnership", "bodies", "areas", "priorities", "themes", "indicators", "series_breaks", "meetings")


@dataclass
class Merged:
    """A table after a merge, with where each row came from and what changed."""

    name: str
    frame: pd.DataFrame
    rows: list[int | None]
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def line(self) -> str:
        kept = "made past" if self.name == "priorities" else "kept (not in the file)"
        parts = [f"{len(self.added)} added", f"{len(self.changed)} changed", f"{len(self.kept)} {kept}"]
        detail = [f"    {verb}: {', '.join(keys)}" for verb, keys in
                  (("added", self.added), ("changed", self.changed), (kept, self.kept)) if keys]
        return "\n".join([f"  {self.name}: {', '.join(parts)}", *detail])


def read_file(path: Path, name: str, today: pd.Timestamp, problems: Problems) -> pd.DataFrame | None:
    """One reference CSV, typed and checked against its table's schema (indexed by line in the file)."""
    table = TABLES[name]
    try:
        raw = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        problems.add(Problem(str(path), None, FILE_COLUMN, f"cannot be read as CSV ({exc})"))
        return None
    if name == "indicators" and "updated" in raw:
        raw["updated"] = raw["updated"].fillna(f"{today:%Y-%m-%d}")
    raw.index = raw.index + 2
    typed, found = coerce(raw, table, filename=str(path), row_offset=0)
    if not found:
        found = check(typed, table, filename=str(path), row_offset=0)
    for problem in found:
        problems.add(problem)
    return None if found else typed


def read_folder(folder: Path, today: pd.Timestamp) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The reference tables found in a folder, typed; ImportFailed listing every problem."""
    problems = Problems()
    found: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    if not folder.is_dir():
        problems.add(Problem(str(folder), None, FILE_COLUMN, "is not a folder"))
    else:
        for name in IMPORTED:
            path = folder / f"{name}.csv"
            if path.is_file():
                files[name] = str(path)
                frame = read_file(path, name, today, problems)
                if frame is not None:
                    found[name] = frame
        if not files and not problems:
            problems.add(Problem(str(folder), None, FILE_COLUMN,
                                 f"holds none of {', '.join(n + '.csv' for n in IMPORTED)}"))
    problems.raise_if_any()
    return found, files


def merge(name: str, stored: pd.DataFrame, incoming: pd.DataFrame) -> Merged:
    """Rows of `incoming` (indexed by the row they are on in their file) added or replacing the
    stored rows with their key; other stored rows kept (a priority not in `incoming` is kept as
    past: current false)."""
    key = list(TABLES[name].key)

    def keys(frame: pd.DataFrame) -> list[str]:
        return [" ".join(str(v) for v in row) for row in frame[key].astype(str).itertuples(index=False)]

    old, new = as_text(stored).reset_index(drop=True), as_text(incoming).reset_index(drop=True)
    old_keys, new_keys = keys(stored), keys(incoming)
    by_key = dict(zip(old_keys, old.to_dict("records"), strict=True))
    result = Merged(name, old, [])
    kept = old[[k not in set(new_keys) for k in old_keys]].copy()
    if name == "priorities":
        kept["current"] = "false"
    result.kept = [k for k in old_keys if k not in set(new_keys)]
    for k, row in zip(new_keys, new.to_dict("records"), strict=True):
        if k not in by_key:
            result.added.append(k)
        elif row != by_key[k]:
            result.changed.append(k)
    result.frame = pd.concat([kept, new], ignore_index=True)
    result.rows = [None] * len(kept) + [int(i) for i in incoming.index]
    return result


@dataclass
class ReferenceReport:
    folder: str
    merged: list[Merged]
    dry_run: bool

    def lines(self) -> list[str]:
        head = f"{self.folder}: {len(self.merged)} reference table(s)"
        tail = "dry run: nothing was written" if self.dry_run else "written; observations, actions and updates kept"
        return [head, *(m.line() for m in self.merged), tail]


def checked_merge(tables: dict[str, pd.DataFrame], incoming: dict[str, pd.DataFrame], files: dict[str, str],
                  store: Store) -> tuple[list[Merged], dict[str, pd.DataFrame]]:
    """Merge every incoming table into `tables` and check the result against everything that refers
    to it; ImportFailed (naming the incoming file and row where it can) on any problem."""
    merged = [merge(name, tables[name], frame) for name, frame in incoming.items()]
    ordered = {m.name: prepare(m.frame, TABLES[m.name]) for m in merged}
    rows = {}
    for m in merged:  # prepare() sorts by key: the file row of each sorted row
        order = m.frame.sort_values(list(TABLES[m.name].key), kind="stable").index
        rows[m.name] = {i: m.rows[position] for i, position in enumerate(order)}
    problems = reference_problems({**tables, **ordered}, lambda name: files.get(name, str(store.path(name))),
                                  lambda name, idx: rows[name].get(idx) if name in rows else int(idx) + 2)
    if problems:
        raise ImportFailed(problems)
    return merged, ordered


def import_reference(store: Store, folder: Path | str, *, dry_run: bool = False,
                     today: pd.Timestamp | None = None) -> ReferenceReport:
    """Check and merge the folder's reference tables into the store (or only report, when dry_run)."""
    folder = Path(folder)
    today = pd.Timestamp.today().normalize() if today is None else today
    incoming, files = read_folder(folder, today)
    reading = tuple(TABLES)
    if dry_run:
        with writing(store):
            merged, _ = checked_merge(store.read_all(), incoming, files, store)
        return ReferenceReport(str(folder), merged, True)
    result: list[Merged] = []

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        merged, ordered = checked_merge(tables, incoming, files, store)
        result.extend(merged)
        detail = "; ".join(f"{m.name}: +{len(m.added)} ~{len(m.changed)} kept {len(m.kept)}" for m in merged)
        note = audit.entry(tables["audit"], audit.cli_user(), "import-reference", str(folder), detail,
                           audit.timestamp())
        return Commit({"audit": note}, ordered)

    with writing(store):
        store.commit(change, reading=reading)
    return ReferenceReport(str(folder), result, False)
