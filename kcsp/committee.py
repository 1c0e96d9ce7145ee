"""Committee mode (``present=1``): the slides, where the previous / next links and the toggle lead.

The slides, in order: the summary of every priority (the overview, ``/``), what changed since the
last meeting (``/meeting``), then one slide per priority in the priorities' order. On a slide the
keys go to the neighbouring slide and the bar says "3 of 10"; from any other page "next" opens the
first slide and "previous" is not offered. Stepping keeps the mode, the district and the period;
the toggle keeps every other parameter of the query string.
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
    position: int | None = None
    total: int = 0

    @property
    def counter(self) -> str:
        """'3 of 10' on a slide, '' elsewhere."""
        return f"{self.position} of {self.total}" if self.position else ""


SUMMARY = ("/", "Summary of all priorities")
SINCE = ("/meeting", "Since the last meeting")


def slides(priorities: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(path, label) of every slide, in order."""
    return [SUMMARY, SINCE, *((f"{PRIORITY_PREFIX}{pid}", name) for pid, name in priorities)]


def toggle_href(pathname: str | None, search: str | None) -> str:
    """The same address with committee mode switched (present=1 added or removed), rest kept."""
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    present = any(k == "present" and v == "1" for k, v in pairs)
    kept = [(k, v) for k, v in pairs if k != "present"]
    if not present:
        kept.append(("present", "1"))
    query = urlencode(kept)
    return f"{local_path(pathname)}{'?' + query if query else ''}"


def committee_nav(pathname: str | None, search: str | None, priorities: list[tuple[str, str]],
                  known_districts: set[str] | None = None) -> CommitteeNav:
    """Links for committee mode. `priorities` is [(priority_id, name)] in the priorities' order."""
    state = from_search(search, known_districts)
    query = state.query(present=True)
    order = slides(priorities)
    paths = [path for path, _ in order]
    here = (pathname or "/").rstrip("/") or "/"

    def step(i: int) -> Step:
        return Step(f"{paths[i]}{query}", order[i][1])

    if here not in paths:
        return CommitteeNav(state.present, toggle_href(pathname, search), None, step(0), None, len(order))
    i = paths.index(here)
    return CommitteeNav(state.present, toggle_href(pathname, search), step(i - 1) if i > 0 else None,
                        step(i + 1) if i + 1 < len(order) else None, i + 1, len(order))
