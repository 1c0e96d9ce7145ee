"""The pack's own words: its introduction and each priority's context for a meeting, with their history.

The Word appendix the dashboard replaces opened with an introduction (who manages the plan, what the
measures can and cannot say) and gave each priority a few paragraphs of context in the partners'
words, with notes and references. Here each is a text in ``pack_texts``, written for one meeting and
one part (``introduction``, or a priority id). A text is never edited: writing it again appends
version n + 1, so any view of a meeting can show the words as they stood at a moment (:func:`latest`
with a cutoff).

Who writes: admins write the introduction; a priority's context is written by an admin or that
priority's lead. :func:`write_text` checks and appends as :func:`kcsp.updates.append_update` does:
the same errors (NotSignedIn, Forbidden, Invalid per field, Conflict on a stale ``expected_version``,
0 when nothing has been written yet), the version check and the audit entry in one locked commit.

The introduction is carried forward: a meeting without one of its own shows the one written for the
latest earlier meeting that has one, since the partnership edits it once and keeps it. A priority's
context is not: a context written for another meeting would describe another period
(:func:`previous_context` offers the last words to an editor to start from).

Texts are plain text. The only formatting is read by :func:`blocks`: paragraphs separated by a blank
line, and lines starting with ``- `` as bullet points. Nothing else is interpreted, and the page shows
the text as text (never as HTML).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

import pandas as pd

from kcsp import access, audit
from kcsp.actions import until_end
from kcsp.pack_format import blocks as blocks  # re-exported: the formatting is part of this module's interface
from kcsp.pack_format import reference_lines as reference_lines
from kcsp.periods import parse_times
from kcsp.schema import SLUG, TABLES
from kcsp.store import Commit, Store
from kcsp.text import clean_text
from kcsp.updates import Conflict, Forbidden, Invalid, NotSignedIn
from kcsp.users import User

INTRODUCTION = "introduction"
MAX_BODY = TABLES["pack_texts"].column("body").max_length or 6000
MAX_REFERENCES = TABLES["pack_texts"].column("references").max_length or 3000
COLUMNS = TABLES["pack_texts"].column_names
READS = ("pack_texts", "meetings", "priorities", "audit")
ALLOWED_CONTROLS = {"\n", "\t"}
_SLUG = re.compile(SLUG, re.ASCII)


class Saved(NamedTuple):
    text_id: str
    version: int


class Carried(NamedTuple):
    """A text and the meeting it was written for (another, earlier one when it was carried forward)."""

    row: pd.Series
    meeting_id: str


def clean(text: str) -> str:
    """The text as stored: line breaks as LF, invisible characters removed, no spaces at the end of a
    line, no blank lines at the start or end."""
    lines = clean_text(text, multiline=True).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _has_controls(text: str) -> bool:
    plain = text.replace("\r\n", "\n").replace("\r", "\n")
    return any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in plain)


def _text_problem(value: object, limit: int, *, required: bool) -> tuple[str | None, str | None]:
    """(the cleaned text or None, the problem or None) for a body or references field."""
    if value is None and not required:
        return None, None
    if not isinstance(value, str):
        return None, "must be text"
    if _has_controls(value):
        return None, "must not contain control characters (line breaks and tabs are fine)"
    text = clean(value)
    if not text:
        return None, "must not be empty" if required else None
    if len(text) > limit:
        return None, f"must be at most {limit:,} characters (it has {len(text):,})"
    return text, None


def check_fields(meeting_id: object, part: object, body: object, references: object,
                 expected_version: object) -> tuple[dict[str, str | None], dict[str, str]]:
    """The fields as stored and the problem with each bad one, before looking at the store."""
    problems: dict[str, str] = {}
    if not isinstance(meeting_id, str) or not _SLUG.match(meeting_id):
        problems["meeting_id"] = "must be a meeting id such as kcsp-2026-11-19"
    if not isinstance(part, str) or not _SLUG.match(part):
        problems["part"] = f"must be {INTRODUCTION} or a priority id"
    text, why = _text_problem(body, MAX_BODY, required=True)
    if why:
        problems["body"] = why
    refs, why = _text_problem(references, MAX_REFERENCES, required=False)
    if why:
        problems["references"] = why
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 0:
        problems["expected_version"] = "must be a whole number, 0 or more (the version you saw)"
    return {"body": text, "references": refs}, problems


def _may_write(user: User, part: str, *, known: bool) -> None:
    """Raise Forbidden unless the user may write this part: before the part is `known` to exist, by
    their role alone; once it is, also whether the priority is theirs."""
    if not access.can(user, access.WRITE_PACK_TEXTS):
        raise Forbidden(f"{user.name} may not write the pack's texts (admins and priority leads may)")
    if part == INTRODUCTION and not access.can(user, access.WRITE_INTRODUCTION):
        raise Forbidden("only an administrator may write the pack's introduction")
    if known and part != INTRODUCTION and not access.can(user, access.WRITE_PACK_TEXTS, priority=part):
        raise Forbidden(f"{user.name} may not write the context of this priority (its lead or an admin may)")


def _latest_dict(mine: pd.DataFrame) -> dict | None:
    if mine.empty:
        return None
    row = mine.sort_values("version").iloc[-1]
    return {"version": int(row["version"]), "body": row["body"],
            "references": None if pd.isna(row["references"]) else row["references"],
            "written_by": row["written_by"], "written_at": row["written_at"]}


def _check_target(tables: Mapping[str, pd.DataFrame], meeting_id: str, part: str) -> str:
    """What the text is, in words; Invalid when the meeting or the part is not one a text is written for."""
    meetings = tables["meetings"]
    found = meetings[meetings["meeting_id"] == meeting_id]
    if found.empty:
        raise Invalid({"meeting_id": f"there is no meeting {meeting_id}"})
    if bool(found.iloc[0]["cancelled"]):
        raise Invalid({"meeting_id": f"the meeting {meeting_id} is cancelled: it has no pack"})
    if part == INTRODUCTION:
        return "the pack's introduction"
    pri = tables["priorities"]
    current = pri[pri["current"].fillna(True).astype(bool)]
    match = current[current["priority_id"] == part]
    if match.empty:
        raise Invalid({"part": f"{part!r} is neither {INTRODUCTION} nor a priority of the current Agreement"})
    return f"context of {match.iloc[0]['name']}"


def write_text(store: Store, user: User | None, meeting_id: object, part: object, body: object,
               references: object, expected_version: object,
               now: datetime | pd.Timestamp | None = None) -> Saved:
    """Append a version of a meeting's introduction or of a priority's context, written by `user`.

    Checks, in this order: someone is signed in (NotSignedIn); their role may write this part at all
    (Forbidden); the fields are well formed (Invalid); under the lock, the meeting and the part exist
    (Invalid), the user may write this priority's context (Forbidden) and expected_version is the
    latest version of this meeting and part (Conflict). The text is appended as the next version,
    with the next text id, the user's name and the time in UTC, and an audit entry.
    """
    if user is None:
        raise NotSignedIn("sign in to write the pack's texts")
    _may_write(user, part if isinstance(part, str) else "", known=False)
    values, problems = check_fields(meeting_id, part, body, references, expected_version)
    if problems:
        raise Invalid(problems)
    meeting_id, part = str(meeting_id), str(part)
    at = audit.timestamp(now)

    def change(tables: dict[str, pd.DataFrame]) -> Commit:
        what = _check_target(tables, meeting_id, part)
        _may_write(user, part, known=True)
        texts = tables["pack_texts"]
        mine = texts[(texts["meeting_id"] == meeting_id) & (texts["part"] == part)]
        current = int(mine["version"].max()) if not mine.empty else 0
        if expected_version != current:
            raise Conflict(current, _latest_dict(mine))
        row = pd.DataFrame([{
            "text_id": audit.next_id(texts, "text_id", "T"), "meeting_id": meeting_id, "part": part,
            "version": current + 1, "body": values["body"], "references": values["references"],
            "written_by": user.name, "written_at": at, "illustrative": "false",
        }], columns=COLUMNS)
        note = audit.entry(tables["audit"], user.name, "text-write", f"{meeting_id} {part}",
                           f"version {current + 1}: {what}", at)
        return Commit({"pack_texts": row, "audit": note}, {})

    added = store.commit(change, reading=READS)["pack_texts"].iloc[0]
    return Saved(str(added["text_id"]), int(added["version"]))


# --- Reading -------------------------------------------------------------------------------------

def written_at(texts: pd.DataFrame) -> pd.Series:
    """When each text was written, as naive UTC timestamps."""
    return parse_times(texts["written_at"])


def stamp(value: str) -> pd.Timestamp:
    """One written_at value as a naive UTC timestamp."""
    return parse_times(pd.Series([value])).iloc[0]


def history(texts: pd.DataFrame, meeting_id: str, part: str) -> pd.DataFrame:
    """Every version of a meeting's part, newest first."""
    mine = texts[(texts["meeting_id"] == meeting_id) & (texts["part"] == part)]
    return mine.sort_values("version", ascending=False).reset_index(drop=True)


def latest(texts: pd.DataFrame, meeting_id: str, part: str, cutoff: pd.Timestamp | None = None) -> pd.Series | None:
    """The latest version of a meeting's part written strictly before `cutoff` (a naive UTC time; None:
    the latest of all), or None when there is none."""
    mine = texts[(texts["meeting_id"] == meeting_id) & (texts["part"] == part)]
    if cutoff is not None and not mine.empty:
        mine = mine[(written_at(mine) < pd.Timestamp(cutoff)).to_numpy()]
    if mine.empty:
        return None
    return mine.sort_values("version").iloc[-1]


def _earlier(meetings: pd.DataFrame, meeting_id: str) -> list[str] | None:
    """The meetings before this one, latest first (None when the meeting is not in the calendar)."""
    found = meetings[meetings["meeting_id"] == meeting_id]
    if found.empty:
        return None
    day = pd.Timestamp(found.iloc[0]["date"])
    before = meetings[pd.to_datetime(meetings["date"]) < day].sort_values(["date", "meeting_id"], ascending=False)
    return list(before["meeting_id"])


def _carried(texts: pd.DataFrame, meetings: pd.DataFrame, meeting_id: str, part: str,
             cutoff: pd.Timestamp | None, *, own: bool) -> Carried | None:
    texts = texts[texts["part"] == part]
    earlier = _earlier(meetings, meeting_id)
    if earlier is None:
        return None
    for candidate in ([meeting_id] if own else []) + earlier:
        row = latest(texts, candidate, part, cutoff)
        if row is not None:
            return Carried(row, candidate)
    return None


def introduction(texts: pd.DataFrame, meetings: pd.DataFrame, meeting_id: str,
                 cutoff: pd.Timestamp | None = None) -> Carried | None:
    """The pack's introduction for a meeting as at `cutoff`: its own, else the one written for the latest
    earlier meeting that has one (the partnership writes it once and keeps it). None when there is none."""
    return _carried(texts, meetings, meeting_id, INTRODUCTION, cutoff, own=True)


def context(texts: pd.DataFrame, meeting_id: str, priority_id: str, cutoff: pd.Timestamp | None = None
            ) -> pd.Series | None:
    """A priority's context for this meeting only, as at `cutoff`: never carried from another meeting,
    whose context describes another period."""
    return latest(texts, meeting_id, priority_id, cutoff)


def previous_context(texts: pd.DataFrame, meetings: pd.DataFrame, meeting_id: str, priority_id: str,
                     cutoff: pd.Timestamp | None = None) -> Carried | None:
    """The context written for the latest earlier meeting that has one: words an editor may start from."""
    return _carried(texts, meetings, meeting_id, priority_id, cutoff, own=False)


def cutoff_for(as_at: pd.Timestamp) -> pd.Timestamp:
    """The cutoff that shows texts as they stood on the day `as_at` (everything written that day counts)."""
    return until_end(as_at)
