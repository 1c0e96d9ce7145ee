"""The audit record: one append-only table (``audit``) with a row for every write to the store.

Writers add their entry in the same locked write as the change itself (see :func:`entry` and
``Store.commit``), so the record and the change are never out of step. Entries are never edited.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

import pandas as pd

from kcsp.store import Commit, Store

COLUMNS = ["entry_id", "at", "user", "kind", "target", "detail"]
MAX_DETAIL = 2000


def timestamp(now: datetime | pd.Timestamp | None = None) -> str:
    """The time in UTC as ISO 8601 to the second, e.g. 2026-11-27T13:05:00Z."""
    when = pd.Timestamp(datetime.now(UTC) if now is None else now)
    when = when.tz_localize("UTC") if when.tzinfo is None else when.tz_convert("UTC")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def cli_user() -> str:
    """Who runs a command: 'command line (<login name>)'."""
    try:
        return f"command line ({getpass.getuser()})"
    except (OSError, KeyError):
        return "command line"


def next_id(frame: pd.DataFrame, column: str, prefix: str, *, skip: int = 0, width: int = 6) -> str:
    """The next identifier <prefix><number>: one more than the highest held (plus `skip`), zero-padded."""
    numbers = frame[column].str.slice(len(prefix)).astype("int64")
    return f"{prefix}{(int(numbers.max()) if len(numbers) else 0) + 1 + skip:0{width}d}"


def entry(audit: pd.DataFrame, user: str, kind: str, target: str, detail: str, at: str) -> pd.DataFrame:
    """One audit row following the entries in `audit` (the table as read under the lock)."""
    return pd.DataFrame([{"entry_id": next_id(audit, "entry_id", "E"), "at": at, "user": user, "kind": kind,
                          "target": target, "detail": detail[:MAX_DETAIL]}], columns=COLUMNS)


def record(store: Store, user: str, kind: str, target: str, detail: str,
           now: datetime | pd.Timestamp | None = None) -> None:
    """Append one entry on its own (for a write that did not go through Store.commit)."""
    at = timestamp(now)
    store.commit(lambda tables: Commit({"audit": entry(tables["audit"], user, kind, target, detail, at)}, {}),
                 reading=("audit",))
