"""Committee mode (``present=1``): where the previous / next priority links and the toggle lead.

Stepping follows the priorities' order. From a priority page the keys go to the neighbouring
priority; from any other page "next" goes to the first priority and "previous" is not offered;
from the first priority "previous" goes back to the overview. Stepping keeps the mode, the
district and the period; the toggle keeps every other parameter of the query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from kcsp.urlstate import from_search, local_path

PRIORITY_PREFIX = "/priority/"


@dataclass(frozen=True)
class Step:
    href: str
    label: str


@dataclass(frozen=True)
class CommitteeNav:
    present: bool
    toggle_href: str
    previous: Step | None
    next: Step | None


def toggle_href(pathname: str | None, search: str | None) -> str:
    """The same address with committee mode switched (present=1 added or removed), rest kept."""
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    present = any(k == "present" and v == "1" for k, v in pairs)
    kept = [(k, v) for k, v in pairs if k != "present"]
    if not present:
        kept.append(("present", "1"))
    query = urlencode(kept)
    return f"{local_path(pathname)}{'?' + query if query else ''}"


def current_priority(pathname: str | None) -> str | None:
    if pathname and pathname.startswith(PRIORITY_PREFIX):
        return pathname[len(PRIORITY_PREFIX):].strip("/") or None
    return None


def committee_nav(pathname: str | None, search: str | None, priorities: list[tuple[str, str]],
                  known_districts: set[str] | None = None) -> CommitteeNav:
    """Links for committee mode. `priorities` is [(priority_id, name)] in the priorities' order."""
    state = from_search(search, known_districts)
    query = state.query(present=True)
    ids = [pid for pid, _ in priorities]
    names = dict(priorities)
    here = current_priority(pathname)

    def step(pid: str) -> Step:
        return Step(f"{PRIORITY_PREFIX}{pid}{query}", names[pid])

    previous = following = None
    if here in ids:
        i = ids.index(here)
        previous = step(ids[i - 1]) if i > 0 else Step(f"/{query}", "Overview")
        following = step(ids[i + 1]) if i + 1 < len(ids) else None
    elif ids:
        following = step(ids[0])
    return CommitteeNav(state.present, toggle_href(pathname, search), previous, following)
